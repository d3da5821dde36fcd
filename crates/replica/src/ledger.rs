//! Deciding which changes are valid — the same verdict on every device, whatever the order in
//! which changes arrived (`architecture.md` §2, after Kleppmann & Howard's *Byzantine Eventual
//! Consistency*).
//!
//! A ledger keeps every signature-checked change received for one document and derives, from
//! all of them at once, which are valid, which are rejected (the quarantine, with reasons) and
//! which wait for changes not yet received. The document itself is rebuilt from the valid ones
//! only, so a change that becomes invalid later (its author was revoked) leaves it.
//!
//! Rules:
//! 1. A change is valid only if every change it depends on is valid; one that depends on a
//!    rejected change is rejected; one that depends on a change not received waits.
//! 2. **Registry**: the genesis (no dependencies) is valid if its hash founds this
//!    organisation; any other change is valid if its author was an unrevoked direction device in
//!    the registry *as of the change's own dependencies* — or, for any enrolled unrevoked
//!    device, a change that only writes its own receipts for erasures held at those
//!    dependencies (`erased/<uuid>/receipt/<its key>`). Then revocations (which spare a
//!    revoked device's receipts: they grant nothing, and direction's changes built on them
//!    must stand) found among those
//!    changes apply: a revoked author's changes outside its cut-off are rejected (with what
//!    depends on them).
//! 3. **Record** documents: the registry at the heads the envelope names (which must all be
//!    valid registry changes; the change waits for missing ones) must list the author with a
//!    role allowed to write the document's class, with a confidentiality agreement for PER and
//!    SEC. Then, if the current registry revokes the author, the change must be inside the
//!    cut-off.
//! 4. **Removals bind like revocations** (strong removal, as in p2panda-auth): a *removal* is a
//!    valid registry change after which a device may no longer write a class it could write as
//!    of the change's dependencies (a role removed, an agreement withdrawn, a policy narrowed; a
//!    function of the registry's causal history only). A record change whose author lost the
//!    right to write its document's class by a removal its envelope's heads do not include
//!    (the author had not seen it, or says so) is valid only if it is inside the author's
//!    cut-off for that document (`device/<key>/kept/<doc>`, which the removing device writes
//!    with the removal: the author's changes it had seen; direction extends it to re-admit
//!    reviewed work; apart from a revocation's, which it never widens). Otherwise it is rejected ([`Reason::Removed`]) with what depends on it.
//!    A narrowing that only the merge of two concurrent registry changes makes (neither
//!    narrows alone) is not a removal. The same holds for the registry itself: a registry
//!    change by a device whose direction role a valid change removed, neither in that change's
//!    causal past nor made knowing of it, is rejected ([`Reason::DirectionRemoved`]) unless
//!    inside the device's registry cut-off (re-admitted); receipts are spared, as by
//!    revocations. Like revocations, removals among registry changes are taken from the
//!    registry as rule 2 judges it, before either is applied.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::sync::Arc;

use automerge::{Change, ChangeHash, ScalarValue};
use carnet_model::{FieldClass, Role};
use serde::{Deserialize, Serialize};

use crate::{DeviceId, DeviceIdExt, Doc, DocId, OrgId, Registry, SignedChange, VerifyError};

/// A change whose signature was verified for its document and organisation.
#[derive(Clone, Debug)]
pub struct Received {
    /// The envelope as received.
    pub signed: SignedChange,
    /// The parsed change.
    pub change: Change,
    /// Its author.
    pub author: DeviceId,
}

impl Received {
    /// Checks `signed`'s signature for `doc` of `org`.
    pub fn verify(org: &OrgId, doc: &DocId, signed: SignedChange) -> Result<Received, VerifyError> {
        let v = signed.verify(org, doc)?;
        Ok(Received {
            signed,
            change: v.change,
            author: v.author,
        })
    }

    /// The change's hash.
    pub fn hash(&self) -> ChangeHash {
        self.change.hash()
    }
}

/// Why a change was rejected. Deterministic: every replica holding the same changes gives the
/// same reason.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Reason {
    /// The author is not a device of the organisation's registry (as of the change).
    NotEnrolled,
    /// A registry change by a device that was not a direction device as of the change.
    NotDirection,
    /// A change without dependencies that is not this organisation's genesis.
    NotGenesis,
    /// The author's roles did not allow writing the document's class.
    CannotWrite {
        /// The document's class.
        class: FieldClass,
        /// The author's roles as of the change.
        roles: Vec<Role>,
        /// Whether the author's holder had a confidentiality agreement.
        agreement: bool,
    },
    /// The author was revoked and the change is outside its cut-off.
    Revoked,
    /// The change depends on a rejected change.
    DependsOnRejected,
    /// Its author made another, different change with the same sequence number.
    Equivocation,
    /// Automerge cannot apply it (malformed operations).
    Malformed,
    /// The registry state the change names includes rejected registry changes.
    RejectedRegistryHeads,
    /// A record change that names no registry state.
    NoRegistryHeads,
    /// A registry change by a device whose direction role was removed by a registry change
    /// it neither preceded nor followed, outside its registry cut-off (rule 4).
    DirectionRemoved,
    /// The author's right to write the document's class was removed by a registry change the
    /// change's registry heads do not include, and the change is outside the cut-off (rule 4).
    Removed {
        /// The document's class.
        class: FieldClass,
    },
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::NotEnrolled => f.write_str("its author is not an enrolled device"),
            Reason::NotDirection => {
                f.write_str("registry change by a device that is not direction")
            }
            Reason::NotGenesis => f.write_str("a second genesis: not this organisation's"),
            Reason::CannotWrite {
                class,
                roles,
                agreement,
            } => {
                let roles: Vec<&str> = roles.iter().map(|r| r.name()).collect();
                let roles = if roles.is_empty() {
                    "no role".to_owned()
                } else {
                    roles.join("+")
                };
                if carnet_model::Policy::needs_agreement(*class) && !agreement {
                    write!(
                        f,
                        "{class} needs a confidentiality agreement (rule M9), which its author ({roles}) had not signed"
                    )
                } else if carnet_model::Policy::needs_agreement(*class) {
                    write!(
                        f,
                        "role {roles} may not write {class} (rule M9: personal files are for staff and direction)"
                    )
                } else {
                    write!(f, "role {roles} may not write {class}")
                }
            }
            Reason::Revoked => {
                f.write_str("its author was revoked and the change is outside the cut-off")
            }
            Reason::DependsOnRejected => f.write_str("it depends on a rejected change"),
            Reason::Malformed => f.write_str("it is malformed and cannot be applied"),
            Reason::Equivocation => {
                f.write_str("its author made two different changes with the same sequence number")
            }
            Reason::RejectedRegistryHeads => {
                f.write_str("it was made on a rejected registry state")
            }
            Reason::NoRegistryHeads => f.write_str("it names no registry state"),
            Reason::DirectionRemoved => f.write_str(
                "its author's direction role was removed by a registry change it had not seen, \
                 and the change is outside the cut-off",
            ),
            Reason::Removed { class } => write!(
                f,
                "its author's right to write {class} was removed (role, agreement or policy) \
                 before it, and the change is outside the cut-off"
            ),
        }
    }
}

/// The verdicts over every change of a ledger.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evaluation {
    /// Valid changes, dependencies first.
    pub valid: Vec<ChangeHash>,
    /// Rejected changes with their reasons: the quarantine.
    pub rejected: BTreeMap<ChangeHash, Reason>,
    /// Changes waiting for changes not received yet.
    pub pending: BTreeSet<ChangeHash>,
}

/// What judging one change (whose dependencies are all valid) says.
#[derive(Clone, Debug)]
enum Judged {
    Valid,
    Rejected(Reason),
    Pending,
}

/// The received changes in an order where dependencies come first (ties by hash, so the
/// order is the same on every replica); dependencies not received are ignored here.
fn topological(received: &BTreeMap<ChangeHash, Received>) -> Vec<ChangeHash> {
    let mut indegree: BTreeMap<ChangeHash, usize> = BTreeMap::new();
    let mut children: HashMap<ChangeHash, Vec<ChangeHash>> = HashMap::new();
    for (h, r) in received {
        let deps: Vec<&ChangeHash> = r
            .change
            .deps()
            .iter()
            .filter(|d| received.contains_key(d))
            .collect();
        indegree.insert(*h, deps.len());
        for d in deps {
            children.entry(*d).or_default().push(*h);
        }
    }
    let mut ready: BTreeSet<ChangeHash> = indegree
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(h, _)| *h)
        .collect();
    let mut out = Vec::with_capacity(received.len());
    while let Some(h) = ready.pop_first() {
        out.push(h);
        for c in children.get(&h).into_iter().flatten() {
            if let Some(n) = indegree.get_mut(c) {
                *n -= 1;
                if *n == 0 {
                    ready.insert(*c);
                }
            }
        }
    }
    out
}

/// The changes of `received` that are `heads` or their ancestors.
fn ancestry(
    received: &BTreeMap<ChangeHash, Received>,
    heads: &BTreeSet<ChangeHash>,
) -> BTreeSet<ChangeHash> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<ChangeHash> = heads.iter().copied().collect();
    while let Some(h) = stack.pop() {
        if let Some(r) = received.get(&h)
            && seen.insert(h)
        {
            stack.extend(r.change.deps().iter().copied());
        }
    }
    seen
}

/// The last valid changes by `author` in a ledger (its valid changes no other of its valid
/// changes depends on): what a revocation's cut-off keeps for that document.
pub fn author_heads(
    received: &BTreeMap<ChangeHash, Received>,
    eval: &Evaluation,
    author: &DeviceId,
) -> BTreeSet<ChangeHash> {
    let mine: BTreeSet<ChangeHash> = eval
        .valid
        .iter()
        .filter(|h| received.get(h).is_some_and(|r| r.author == *author))
        .copied()
        .collect();
    let mut covered = BTreeSet::new();
    for h in &mine {
        let deps: BTreeSet<ChangeHash> = received[h].change.deps().iter().copied().collect();
        covered.extend(ancestry(received, &deps));
    }
    mine.difference(&covered).copied().collect()
}

/// The actor epoch `author` must write with next in a ledger: the highest it used, or one more
/// if some of its changes of that epoch are not valid (they left the document, so writing on
/// with that actor would reuse their sequence numbers).
pub(crate) fn next_epoch(
    received: &BTreeMap<ChangeHash, Received>,
    eval: &Evaluation,
    author: &DeviceId,
) -> u32 {
    let valid: BTreeSet<&ChangeHash> = eval.valid.iter().collect();
    let mine: Vec<(&ChangeHash, u32)> = received
        .iter()
        .filter(|(_, r)| r.author == *author)
        .map(|(h, r)| (h, DeviceId::epoch_of(r.change.actor_id())))
        .collect();
    let Some(max) = mine.iter().map(|(_, e)| *e).max() else {
        return 0;
    };
    if mine.iter().any(|(h, e)| *e == max && !valid.contains(h)) {
        max + 1
    } else {
        max
    }
}

/// Walks `received` in dependency order applying rule 1 and `judge`, building the document of
/// the valid changes as it goes (so `judge` can read it as of a change's dependencies).
fn walk(
    id: &DocId,
    received: &BTreeMap<ChangeHash, Received>,
    mut judge: impl FnMut(&Doc, &Received) -> Judged,
) -> (Doc, Evaluation) {
    let mut doc = Doc::new(id.clone());
    let mut eval = Evaluation::default();
    // Two different changes with the same author and sequence number: the author equivocated
    // (only a faulty or hostile device does). Both are rejected, the same way everywhere.
    let mut seen: HashMap<(Vec<u8>, u64), usize> = HashMap::new();
    for r in received.values() {
        *seen
            .entry((r.change.actor_id().to_bytes().to_vec(), r.change.seq()))
            .or_default() += 1;
    }
    for h in topological(received) {
        let r = &received[&h];
        let deps = r.change.deps();
        let forked = seen[&(r.change.actor_id().to_bytes().to_vec(), r.change.seq())] > 1;
        let verdict = if forked {
            Judged::Rejected(Reason::Equivocation)
        } else if deps.iter().any(|d| eval.rejected.contains_key(d)) {
            Judged::Rejected(Reason::DependsOnRejected)
        } else if deps
            .iter()
            .any(|d| !received.contains_key(d) || eval.pending.contains(d))
        {
            Judged::Pending
        } else {
            judge(&doc, r)
        };
        match verdict {
            Judged::Valid => {
                // Dependencies are in the document, so applying cannot leave it incomplete.
                match doc.apply(vec![r.change.clone()]) {
                    Ok(()) => eval.valid.push(h),
                    Err(crate::DocError::Malformed) => {
                        // The same change fails the same way everywhere: reject it, and rebuild
                        // the document from the valid changes so far.
                        eval.rejected.insert(h, Reason::Malformed);
                        let good: Vec<Change> = eval
                            .valid
                            .iter()
                            .map(|v| received[v].change.clone())
                            .collect();
                        doc = Doc::from_changes(id.clone(), good)
                            .unwrap_or_else(|_| Doc::new(id.clone()));
                    }
                    Err(_) => {
                        eval.pending.insert(h);
                    }
                }
            }
            Judged::Rejected(reason) => {
                eval.rejected.insert(h, reason);
            }
            Judged::Pending => {
                eval.pending.insert(h);
            }
        }
    }
    (doc, eval)
}

/// Rejects the changes of revoked authors outside their cut-offs (and what depends on them).
fn apply_revocations(
    id: &DocId,
    received: &BTreeMap<ChangeHash, Received>,
    registry: &Registry,
    eval: &Evaluation,
) -> Option<BTreeMap<ChangeHash, Reason>> {
    let name = id.to_string();
    let mut out = BTreeMap::new();
    for h in &eval.valid {
        let author = received[h].author;
        let Some(revocation) = registry.device(&author).and_then(|d| d.revoked.as_ref()) else {
            continue;
        };
        let allowed = revocation
            .cutoff
            .get(&name)
            .map(|c| ancestry(received, c))
            .unwrap_or_default();
        if !allowed.contains(h) {
            out.insert(*h, Reason::Revoked);
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Evaluates again, treating `forced` as rejected.
fn walk_forced(
    id: &DocId,
    received: &BTreeMap<ChangeHash, Received>,
    forced: &BTreeMap<ChangeHash, Reason>,
    mut judge: impl FnMut(&Doc, &Received) -> Judged,
) -> (Doc, Evaluation) {
    walk(id, received, |doc, r| match forced.get(&r.hash()) {
        Some(reason) => Judged::Rejected(reason.clone()),
        None => judge(doc, r),
    })
}

/// A removal of a device's right to write a class (rule 4), and who knows of it.
#[derive(Debug, Clone)]
struct Removal {
    /// The class it may no longer write.
    class: FieldClass,
    /// The removing registry change and every valid registry change descending from it: a
    /// record change naming any of them as registry heads was made knowing of the removal.
    known_by: Arc<BTreeSet<ChangeHash>>,
}

/// The removals of a registry, per device.
type Removals = BTreeMap<DeviceId, Vec<Removal>>;

/// A removal as (removing registry change, device, the class it may no longer write).
pub type RemovalEvent = (ChangeHash, DeviceId, FieldClass);

/// Whether `change` writes a key that can narrow someone's rights (a role, an agreement, the
/// policy): only those are read twice to find removals.
fn may_narrow(change: &Change) -> bool {
    change.decode().operations.iter().any(|op| {
        let automerge::legacy::Key::Map(key) = &op.key else {
            return false;
        };
        key.starts_with("policy/")
            || (key.starts_with("device/")
                && (key.contains("/role/") || key.ends_with("/agreement")))
    })
}

/// The rights that registry `change` (valid, in `doc`) removes: (device, class) writable as of
/// its dependencies and not as of itself, or (device, `None`) for a device it takes the
/// direction role from (writing the registry). Revocations are rule 3's, so they are left out.
fn narrowed(doc: &Doc, change: &Change) -> Vec<(DeviceId, Option<FieldClass>)> {
    if change.deps().is_empty() || !may_narrow(change) {
        return Vec::new();
    }
    let (Ok(before), Ok(after)) = (
        Registry::read_at(doc, Some(change.deps())),
        Registry::read_at(doc, Some(&[change.hash()])),
    ) else {
        return Vec::new();
    };
    let writes = |reg: &Registry, device: &DeviceId, class: Option<FieldClass>| {
        reg.device(device).is_some_and(|d| match class {
            None => d.roles.contains(&Role::Direction),
            Some(class) => reg
                .policy
                .effective(&d.roles, d.agreement.is_some(), class)
                .can_write(),
        })
    };
    let mut out = Vec::new();
    for device in before.devices.keys() {
        let classes = FieldClass::ALL.into_iter().map(Some);
        for class in std::iter::once(None).chain(classes) {
            if writes(&before, device, class) && !writes(&after, device, class) {
                out.push((*device, class));
            }
        }
    }
    out
}

/// The children of every change of `valid` among them.
fn children_of(
    received: &BTreeMap<ChangeHash, Received>,
    valid: &[ChangeHash],
) -> HashMap<ChangeHash, Vec<ChangeHash>> {
    let mut children: HashMap<ChangeHash, Vec<ChangeHash>> = HashMap::new();
    for h in valid {
        for d in received[h].change.deps() {
            children.entry(*d).or_default().push(*h);
        }
    }
    children
}

/// Rule 4 for the registry itself: the registry changes of a device whose direction role a
/// valid change removed, made neither in that change's causal past nor knowing of it, outside
/// the device's registry cut-off (re-admitted work). Receipts are spared, as by revocations.
fn registry_removals(
    received: &BTreeMap<ChangeHash, Received>,
    eval: &Evaluation,
    doc: &Doc,
    narrowing: &mut HashMap<ChangeHash, Vec<(DeviceId, Option<FieldClass>)>>,
) -> BTreeMap<ChangeHash, Reason> {
    let mut events = Vec::new();
    for h in &eval.valid {
        let found = narrowing
            .entry(*h)
            .or_insert_with(|| narrowed(doc, &received[h].change));
        events.extend(
            found
                .iter()
                .filter(|(_, c)| c.is_none())
                .map(|(d, _)| (*h, *d)),
        );
    }
    let mut out = BTreeMap::new();
    if events.is_empty() {
        return out;
    }
    let reg = Registry::read(doc).ok();
    let children = children_of(received, &eval.valid);
    let name = DocId::Registry.to_string();
    for (r, device) in events {
        let after = descendants(&children, r);
        let before = ancestry(received, &BTreeSet::from([r]));
        let readmitted = reg
            .as_ref()
            .and_then(|reg| reg.device(&device))
            .and_then(|d| d.kept.get(&name))
            .map(|c| ancestry(received, c))
            .unwrap_or_default();
        for h in &eval.valid {
            let c = &received[h];
            if c.author == device
                && !before.contains(h)
                && !after.contains(h)
                && !readmitted.contains(h)
                && receipts_only(&c.change, &c.author).is_none()
            {
                out.insert(*h, Reason::DirectionRemoved);
            }
        }
    }
    out
}

/// `from` and every change that descends from it (through `children`).
fn descendants(
    children: &HashMap<ChangeHash, Vec<ChangeHash>>,
    from: ChangeHash,
) -> BTreeSet<ChangeHash> {
    let mut seen = BTreeSet::from([from]);
    let mut stack = vec![from];
    while let Some(h) = stack.pop() {
        for c in children.get(&h).into_iter().flatten() {
            if seen.insert(*c) {
                stack.push(*c);
            }
        }
    }
    seen
}

/// The removals among the valid registry changes, per device (rule 4), and the events
/// themselves (removing change, device, class) in a deterministic order.
fn find_removals(
    received: &BTreeMap<ChangeHash, Received>,
    eval: &Evaluation,
    doc: &Doc,
    narrowing: &mut HashMap<ChangeHash, Vec<(DeviceId, Option<FieldClass>)>>,
) -> (Removals, Vec<RemovalEvent>) {
    let mut events = Vec::new();
    for h in &eval.valid {
        let found = narrowing
            .entry(*h)
            .or_insert_with(|| narrowed(doc, &received[h].change));
        events.extend(found.iter().filter_map(|(d, c)| c.map(|c| (*h, *d, c))));
    }
    let mut out: Removals = BTreeMap::new();
    if events.is_empty() {
        return (out, events);
    }
    let children = children_of(received, &eval.valid);
    let mut known: HashMap<ChangeHash, Arc<BTreeSet<ChangeHash>>> = HashMap::new();
    for (h, device, class) in &events {
        let known_by = known
            .entry(*h)
            .or_insert_with(|| Arc::new(descendants(&children, *h)))
            .clone();
        out.entry(*device).or_default().push(Removal {
            class: *class,
            known_by,
        });
    }
    events.sort();
    (out, events)
}

/// Rejects (rule 4) the valid changes of `id` (of `class`) whose author lost the right to
/// write `class` by a removal their registry heads do not include, outside its cut-off.
fn apply_removals(
    id: &DocId,
    class: FieldClass,
    received: &BTreeMap<ChangeHash, Received>,
    registry: &RegistryLedger,
    eval: &Evaluation,
) -> BTreeMap<ChangeHash, Reason> {
    let mut out = BTreeMap::new();
    if registry.removals.is_empty() {
        return out;
    }
    let name = id.to_string();
    let mut allowed: HashMap<DeviceId, BTreeSet<ChangeHash>> = HashMap::new();
    for h in &eval.valid {
        let r = &received[h];
        let Some(removals) = registry.removals.get(&r.author) else {
            continue;
        };
        let heads = r.signed.registry_heads();
        let unseen = removals
            .iter()
            .any(|m| m.class == class && !heads.iter().any(|x| m.known_by.contains(x)));
        if !unseen {
            continue;
        }
        let allowed = allowed.entry(r.author).or_insert_with(|| {
            registry
                .registry()
                .and_then(|reg| reg.device(&r.author))
                .and_then(|d| d.kept.get(&name))
                .map(|c| ancestry(received, c))
                .unwrap_or_default()
        });
        if !allowed.contains(h) {
            out.insert(*h, Reason::Removed { class });
        }
    }
    out
}

/// Every change received for the registry, and what is valid among them.
#[derive(Debug)]
pub struct RegistryLedger {
    org: OrgId,
    received: BTreeMap<ChangeHash, Received>,
    doc: Doc,
    eval: Evaluation,
    registry: Option<Registry>,
    /// The registry as of given heads, which never changes either (the valid set is closed
    /// under ancestry): shared by every document's evaluation.
    at: std::sync::Mutex<HashMap<Vec<ChangeHash>, Option<Registry>>>,
    /// Rule-2 verdicts, which depend only on a change's causal past and so never change.
    causal: HashMap<ChangeHash, Judged>,
    /// The rights each valid change removes (rule 4), a function of its causal past too.
    narrowing: HashMap<ChangeHash, Vec<(DeviceId, Option<FieldClass>)>>,
    /// The removals of the valid registry, per device.
    removals: Removals,
    /// The same as events, sorted.
    removal_events: Vec<RemovalEvent>,
}

/// The erased records whose receipts `change` writes for `author`, if it writes nothing else
/// (root puts of a time under `erased/<uuid>/receipt/<author>`).
fn receipts_only(change: &Change, author: &DeviceId) -> Option<Vec<crate::RecordId>> {
    let ops = change.decode().operations;
    if ops.is_empty() {
        return None;
    }
    let own = format!("receipt/{author}");
    ops.iter()
        .map(|op| {
            let automerge::legacy::Key::Map(key) = &op.key else {
                return None;
            };
            if op.obj != automerge::legacy::ObjectId::Root
                || op.insert
                || !matches!(op.primitive_value(), Some(ScalarValue::Int(_)))
            {
                return None;
            }
            let (record, tail) = key.strip_prefix("erased/")?.split_once('/')?;
            (tail == own).then(|| record.parse().ok()).flatten()
        })
        .collect()
}

/// Whether `change` only writes `author`'s own receipts for erasures its registry `reg` (as of
/// the change's dependencies) holds, `author` being enrolled and unrevoked: the one registry
/// change any device may make (it says "I destroyed that person's documents").
fn only_own_receipts(change: &Change, author: &DeviceId, reg: &Registry) -> bool {
    if reg.device(author).is_none_or(|d| d.revoked.is_some()) {
        return false;
    }
    receipts_only(change, author).is_some_and(|records| {
        records
            .iter()
            .all(|r| reg.erased.get(r).is_some_and(|e| e.of.is_none()))
    })
}

fn judge_registry(org: &OrgId, doc: &Doc, r: &Received) -> Judged {
    if r.change.deps().is_empty() {
        if OrgId::from_genesis(&r.hash().0) != *org {
            return Judged::Rejected(Reason::NotGenesis);
        }
        // The genesis must name its own author as direction.
        let Ok(genesis) = Doc::from_changes(DocId::Registry, vec![r.change.clone()]) else {
            return Judged::Rejected(Reason::NotGenesis);
        };
        return match Registry::read(&genesis) {
            Ok(reg) if reg.is_direction(&r.author) => Judged::Valid,
            _ => Judged::Rejected(Reason::NotGenesis),
        };
    }
    match Registry::read_at(doc, Some(r.change.deps())) {
        Ok(reg) if reg.is_direction(&r.author) => Judged::Valid,
        Ok(reg) if only_own_receipts(&r.change, &r.author, &reg) => Judged::Valid,
        Ok(reg) if reg.device(&r.author).is_none() => Judged::Rejected(Reason::NotEnrolled),
        Ok(_) => Judged::Rejected(Reason::NotDirection),
        Err(_) => Judged::Rejected(Reason::NotGenesis),
    }
}

impl RegistryLedger {
    /// An empty ledger for organisation `org`.
    pub fn new(org: OrgId) -> Self {
        RegistryLedger {
            org,
            received: BTreeMap::new(),
            doc: Doc::new(DocId::Registry),
            eval: Evaluation::default(),
            registry: None,
            causal: HashMap::new(),
            at: std::sync::Mutex::new(HashMap::new()),
            narrowing: HashMap::new(),
            removals: BTreeMap::new(),
            removal_events: Vec::new(),
        }
    }

    /// Adds received changes (already signature-checked for the registry) and re-evaluates.
    /// Returns whether any was new.
    pub fn insert(&mut self, changes: impl IntoIterator<Item = Received>) -> bool {
        let mut new = false;
        for r in changes {
            new |= self.received.insert(r.hash(), r).is_none();
        }
        if new {
            self.evaluate();
        }
        new
    }

    fn evaluate(&mut self) {
        let org = self.org;
        let causal = &mut self.causal;
        let mut judge = |doc: &Doc, r: &Received| {
            causal
                .entry(r.hash())
                .or_insert_with(|| judge_registry(&org, doc, r))
                .clone()
        };
        let (doc, eval) = walk(&DocId::Registry, &self.received, &mut judge);
        // A receipt made before its author was revoked stays valid: it grants nothing, and
        // direction's changes built on it (an erasure) must not fall with it.
        let received = &self.received;
        let mut forced = registry_removals(received, &eval, &doc, &mut self.narrowing);
        if let Some(revoked) = Registry::read(&doc)
            .ok()
            .and_then(|reg| apply_revocations(&DocId::Registry, received, &reg, &eval))
        {
            forced.extend(revoked);
        }
        forced.retain(|h, _| receipts_only(&received[h].change, &received[h].author).is_none());
        let (doc, eval) = if forced.is_empty() {
            (doc, eval)
        } else {
            walk_forced(&DocId::Registry, &self.received, &forced, &mut judge)
        };
        self.registry = Registry::read(&doc).ok();
        (self.removals, self.removal_events) =
            find_removals(&self.received, &eval, &doc, &mut self.narrowing);
        self.doc = doc;
        self.eval = eval;
    }

    /// Every removal of a right (rule 4) in the valid registry: (removing change, device, the
    /// class it may no longer write), sorted. Record documents' verdicts depend on it.
    pub fn removals(&self) -> &[RemovalEvent] {
        &self.removal_events
    }

    /// The organisation.
    pub fn org(&self) -> OrgId {
        self.org
    }

    /// The registry document made of the valid changes.
    pub fn doc(&self) -> &Doc {
        &self.doc
    }

    /// The current registry, once the genesis has been received.
    pub fn registry(&self) -> Option<&Registry> {
        self.registry.as_ref()
    }

    /// The verdicts.
    pub fn evaluation(&self) -> &Evaluation {
        &self.eval
    }

    /// Every change received, valid or not.
    pub fn received(&self) -> &BTreeMap<ChangeHash, Received> {
        &self.received
    }

    /// The registry as of `heads` (all valid), from a cache shared by all evaluations.
    fn read_at(&self, heads: &[ChangeHash]) -> Option<Registry> {
        let mut cache = self.at.lock().ok()?;
        if let Some(r) = cache.get(heads) {
            return r.clone();
        }
        let r = Registry::read_at(&self.doc, Some(heads)).ok();
        if cache.len() > 4096 {
            cache.clear();
        }
        cache.insert(heads.to_vec(), r.clone());
        r
    }

    /// A copy of the registry document set up for `author` to make a local change on.
    pub fn doc_for(&self, author: &DeviceId) -> Result<Doc, crate::DocError> {
        let mut doc = Doc::from_changes(DocId::Registry, self.doc.changes())?;
        doc.epoch = next_epoch(&self.received, &self.eval, author);
        Ok(doc)
    }

    /// Whether `author` could write `class` as of registry `heads`, for a local change about to
    /// be made (the same judgement every replica will make of it).
    pub fn may_write(&self, author: &DeviceId, class: FieldClass) -> Result<(), Reason> {
        let reg = self.registry.as_ref().ok_or(Reason::NotEnrolled)?;
        let entry = reg.device(author).ok_or(Reason::NotEnrolled)?;
        if entry.revoked.is_some() {
            return Err(Reason::Revoked);
        }
        if reg
            .policy
            .effective(&entry.roles, entry.agreement.is_some(), class)
            .can_write()
        {
            Ok(())
        } else {
            Err(Reason::CannotWrite {
                class,
                roles: entry.roles.iter().copied().collect(),
                agreement: entry.agreement.is_some(),
            })
        }
    }
}

/// Every change received for one record document, and what is valid among them.
#[derive(Debug)]
pub struct DocLedger {
    id: DocId,
    received: BTreeMap<ChangeHash, Received>,
    doc: Doc,
    eval: Evaluation,
}

fn judge_record(
    registry: &RegistryLedger,
    class: FieldClass,
    cache: &mut HashMap<Vec<ChangeHash>, Option<Registry>>,
    r: &Received,
) -> Judged {
    let heads = r.signed.registry_heads();
    if heads.is_empty() {
        return Judged::Rejected(Reason::NoRegistryHeads);
    }
    if heads.iter().any(|h| registry.eval.rejected.contains_key(h)) {
        return Judged::Rejected(Reason::RejectedRegistryHeads);
    }
    if heads.iter().any(|h| !registry.doc.has(h)) {
        return Judged::Pending;
    }
    let at = cache
        .entry(heads.clone())
        .or_insert_with(|| registry.read_at(&heads));
    let Some(at) = at.as_ref() else {
        return Judged::Pending;
    };
    let Some(entry) = at.device(&r.author) else {
        return Judged::Rejected(Reason::NotEnrolled);
    };
    if !at
        .policy
        .effective(&entry.roles, entry.agreement.is_some(), class)
        .can_write()
    {
        return Judged::Rejected(Reason::CannotWrite {
            class,
            roles: entry.roles.iter().copied().collect(),
            agreement: entry.agreement.is_some(),
        });
    }
    Judged::Valid
}

impl DocLedger {
    /// A ledger for record document `id` holding `changes` (signature-checked for it),
    /// evaluated against `registry`.
    pub fn new(
        id: DocId,
        changes: impl IntoIterator<Item = Received>,
        registry: &RegistryLedger,
    ) -> Self {
        let mut ledger = DocLedger {
            doc: Doc::new(id.clone()),
            id,
            received: changes.into_iter().map(|r| (r.hash(), r)).collect(),
            eval: Evaluation::default(),
        };
        ledger.evaluate(registry);
        ledger
    }

    /// Adds changes and re-evaluates; returns whether any was new.
    pub fn insert(
        &mut self,
        changes: impl IntoIterator<Item = Received>,
        registry: &RegistryLedger,
    ) -> bool {
        let mut new = false;
        for r in changes {
            new |= self.received.insert(r.hash(), r).is_none();
        }
        if new {
            self.evaluate(registry);
        }
        new
    }

    /// Derives the verdicts again (after the registry changed).
    pub fn evaluate(&mut self, registry: &RegistryLedger) {
        let Some(class) = self.id.class() else { return };
        let mut cache = HashMap::new();
        let (doc, eval) = walk(&self.id, &self.received, |_, r| {
            judge_record(registry, class, &mut cache, r)
        });
        let mut forced = apply_removals(&self.id, class, &self.received, registry, &eval);
        // A revocation's reason wins over a removal's for the same change.
        if let Some(revoked) = registry
            .registry()
            .and_then(|reg| apply_revocations(&self.id, &self.received, reg, &eval))
        {
            forced.extend(revoked);
        }
        let (doc, eval) = if forced.is_empty() {
            (doc, eval)
        } else {
            walk_forced(&self.id, &self.received, &forced, |_, r| {
                judge_record(registry, class, &mut cache, r)
            })
        };
        self.doc = doc;
        self.eval = eval;
    }

    /// The document's id.
    pub fn id(&self) -> &DocId {
        &self.id
    }

    /// The document made of the valid changes.
    pub fn doc(&self) -> &Doc {
        &self.doc
    }

    /// The document, set up for `author` to make a local change on.
    pub fn doc_for(&mut self, author: &DeviceId) -> &mut Doc {
        self.doc.epoch = next_epoch(&self.received, &self.eval, author);
        &mut self.doc
    }

    /// The verdicts.
    pub fn evaluation(&self) -> &Evaluation {
        &self.eval
    }

    /// Every change received, valid or not.
    pub fn received(&self) -> &BTreeMap<ChangeHash, Received> {
        &self.received
    }

    /// Records a change just made on [`DocLedger::doc_mut`] by this device (already judged
    /// allowed with [`RegistryLedger::may_write`]).
    pub fn record_local(&mut self, r: Received) {
        let h = r.hash();
        self.received.insert(h, r);
        self.eval.valid.push(h);
    }
}
