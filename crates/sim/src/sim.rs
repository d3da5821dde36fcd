//! One seeded simulation run, and many.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use carnet_model::{FieldClass, FieldEdit, RecordKind, Role};
use carnet_replica::{
    ChangeHash, DeviceKey, Doc, DocId, RecordId, Registry, RegistryOp, SignedChange,
};
use carnet_sync::{MAX_MESSAGE, Message, Role as Side, Session};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

use crate::mem::{MemDevice, drive_cut, shared_state};

/// Devices 0–3 are honest (two direction, staff with agreement, board); 4 is hostile (enrolled
/// as staff without agreement: an insider).
const DEVICES: usize = 5;
const HOSTILE: usize = 4;
const RECORDS: usize = 4;
const T0: i64 = 1_700_000_000_000;

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunReport {
    /// The seed.
    pub seed: u64,
    /// Sync sessions run (including those cut mid-way).
    pub sessions: usize,
    /// Sessions whose connection dropped mid-way.
    pub cut: usize,
    /// Changes delivered directly (reordered, duplicated).
    pub deliveries: usize,
    /// Hostile attempts (forgeries, replays, writes outside the rules, junk).
    pub attacks: usize,
    /// Hostile attempts that were accepted by an honest replica: must be 0.
    pub accepted_forgeries: usize,
}

/// Figures over many runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    /// Runs.
    pub runs: usize,
    /// Sessions.
    pub sessions: usize,
    /// Sessions cut mid-way.
    pub cut: usize,
    /// Direct deliveries.
    pub deliveries: usize,
    /// Hostile attempts.
    pub attacks: usize,
    /// Runs whose honest replicas diverged: must be 0.
    pub divergent: usize,
    /// Hostile attempts accepted: must be 0.
    pub accepted_forgeries: usize,
}

/// Why a run failed: the seed replays it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The seed.
    pub seed: u64,
    /// What went wrong.
    pub what: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "seed {}: {}", self.seed, self.what)
    }
}

struct World {
    rng: ChaCha8Rng,
    devs: Vec<MemDevice>,
    records: Vec<RecordId>,
    /// Pairs that cannot talk (a partition).
    cut_off: BTreeSet<(usize, usize)>,
    time: i64,
    /// Hashes of changes that no honest replica may ever accept.
    forged: BTreeMap<ChangeHash, &'static str>,
    /// Revocations of the hostile device: their change hashes, and the hostile writes the
    /// revoking device held as valid then (which its cut-off keeps).
    revocations: Vec<(ChangeHash, BTreeSet<ChangeHash>)>,
    /// The hostile device's writes within its role (COM), with when they were made: forged if
    /// made after a revocation that stands.
    hostile_writes: Vec<(ChangeHash, i64)>,
    report: RunReport,
}

fn pair<T>(v: &mut [T], i: usize, j: usize) -> (&mut T, &mut T) {
    assert_ne!(i, j);
    if i < j {
        let (a, b) = v.split_at_mut(j);
        (&mut a[i], &mut b[0])
    } else {
        let (a, b) = v.split_at_mut(i);
        (&mut b[0], &mut a[j])
    }
}

fn edits(typed: &[String]) -> Vec<FieldEdit> {
    typed
        .iter()
        .filter_map(|t| RecordKind::Member.parse_edit(t).ok())
        .collect()
}

impl World {
    fn key(&mut self) -> DeviceKey {
        let mut b = [0u8; 32];
        self.rng.fill(&mut b[..]);
        DeviceKey::from_secret_bytes(&b)
    }

    fn tick(&mut self) -> i64 {
        self.time += 1_000;
        self.time
    }

    fn new(seed: u64) -> World {
        let mut w = World {
            rng: ChaCha8Rng::seed_from_u64(seed),
            devs: Vec::new(),
            records: Vec::new(),
            cut_off: BTreeSet::new(),
            time: T0,
            forged: BTreeMap::new(),
            revocations: Vec::new(),
            hostile_writes: Vec::new(),
            report: RunReport {
                seed,
                ..RunReport::default()
            },
        };
        let founder = w.key();
        w.devs.push(MemDevice::found_with(founder, T0));
        let org = w.devs[0].org_id();
        let roles = [
            (Role::Direction, true),
            (Role::Staff, true),
            (Role::Board, true),
            (Role::Staff, false),
        ];
        for (role, agreement) in roles {
            let key = w.key();
            let dev = MemDevice::blank_with(key, org, T0);
            let mut ops = vec![RegistryOp::Enrol {
                device: dev.id(),
                holder: "H".into(),
                city: None,
                roles: BTreeSet::from([role]),
            }];
            if agreement {
                ops.push(RegistryOp::Agreement {
                    device: dev.id(),
                    signed_on: Some("2026-01-01".into()),
                });
            }
            let t = w.tick();
            let d = &mut w.devs[0];
            d.replica.change_registry(&d.key, &ops, t).ok();
            w.devs.push(dev);
        }
        for i in 1..DEVICES {
            let (a, b) = pair(&mut w.devs, i, 0);
            drive_cut(a, b, None, None);
        }
        for _ in 0..RECORDS {
            let mut b = [0u8; 16];
            w.rng.fill(&mut b[..]);
            w.records.push(RecordId(Uuid::from_bytes(b)));
        }
        w
    }

    fn connected(&self, i: usize, j: usize) -> bool {
        !self.cut_off.contains(&(i.min(j), i.max(j)))
    }

    fn write(&mut self, i: usize) {
        let r = self.records[self.rng.random_range(0..RECORDS)];
        let n: u16 = self.rng.random();
        let typed = match self.rng.random_range(0..4) {
            0 => vec![format!("display_name=v{n}"), "status=member".into()],
            1 => vec![format!("working_groups+=g{}", n % 5)],
            2 => vec![format!("case_notes=n{n}")],
            _ => vec![format!(
                "status={}",
                ["member", "active", "left"][n as usize % 3]
            )],
        };
        let t = self.tick();
        let d = &mut self.devs[i];
        let _ = d
            .replica
            .write(&d.key, RecordKind::Member, r, &edits(&typed), t);
    }

    fn session(&mut self, i: usize, j: usize) {
        if i == j || !self.connected(i, j) {
            return;
        }
        let cut = self
            .rng
            .random_bool(0.2)
            .then(|| self.rng.random_range(1..12));
        self.report.sessions += 1;
        self.report.cut += usize::from(cut.is_some());
        let (a, b) = pair(&mut self.devs, i, j);
        drive_cut(a, b, None, cut);
    }

    /// Delivers some of `i`'s changes to `j` directly, shuffled, some twice.
    fn deliver(&mut self, i: usize, j: usize) {
        if i == j || !self.connected(i, j) {
            return;
        }
        let mut all = self.devs[i].replica.all_changes();
        if all.is_empty() {
            return;
        }
        let k = self.rng.random_range(1..=all.len().min(8));
        let mut picked = Vec::new();
        for _ in 0..k {
            let idx = self.rng.random_range(0..all.len());
            picked.push(all.swap_remove(idx));
            if all.is_empty() {
                break;
            }
        }
        if self.rng.random_bool(0.3) {
            picked.push(picked[0].clone());
        }
        for (doc, signed) in picked {
            self.report.deliveries += 1;
            let _ = self.devs[j].replica.receive(&doc, signed);
        }
    }

    fn registry_op(&mut self) {
        let by = self.rng.random_range(0..2usize);
        // Roles and agreements of honest devices change; the hostile insider keeps its role
        // (staff without agreement) until it is revoked.
        let target = self.rng.random_range(2..HOSTILE);
        let device = self.devs[target].id();
        let t = self.tick();
        match self.rng.random_range(0..5) {
            0 => {
                let role =
                    [Role::Staff, Role::Board, Role::ActiveMember][self.rng.random_range(0..3)];
                let granted = self.rng.random_bool(0.5);
                let d = &mut self.devs[by];
                let _ = d.replica.change_registry(
                    &d.key,
                    &[RegistryOp::Role {
                        device,
                        role,
                        granted,
                    }],
                    t,
                );
            }
            1 | 2 => {
                let signed_on = self.rng.random_bool(0.5).then(|| "2026-02-02".to_string());
                let d = &mut self.devs[by];
                let _ = d.replica.change_registry(
                    &d.key,
                    &[RegistryOp::Agreement { device, signed_on }],
                    t,
                );
            }
            _ => {
                // Revocations mostly hit the hostile device.
                let target = if self.rng.random_bool(0.7) {
                    HOSTILE
                } else {
                    target
                };
                let device = self.devs[target].id();
                let d = &mut self.devs[by];
                let seen: BTreeSet<ChangeHash> = d
                    .replica
                    .docs()
                    .flat_map(|l| l.evaluation().valid.clone())
                    .collect();
                if let Ok(Some(signed)) = d.replica.revoke(&d.key, device, t)
                    && target == HOSTILE
                    && let Ok(v) = signed.verify(&d.org_id(), &DocId::Registry)
                {
                    let kept = self
                        .hostile_writes
                        .iter()
                        .map(|(h, _)| *h)
                        .filter(|h| seen.contains(h))
                        .collect();
                    self.revocations.push((v.change.hash(), kept));
                }
            }
        }
    }

    /// Delivers `(doc, signed)` to honest replica `h`; it must be refused.
    fn must_refuse(&mut self, h: usize, doc: &DocId, signed: SignedChange) -> Result<(), String> {
        self.report.attacks += 1;
        let before = self.devs[h].replica.all_changes().len();
        if self.devs[h].replica.receive(doc, signed).is_ok() {
            self.report.accepted_forgeries += 1;
            return Err(format!("device {h} accepted a forged or replayed change"));
        }
        if self.devs[h].replica.all_changes().len() != before {
            return Err(format!("device {h} stored a refused change"));
        }
        Ok(())
    }

    fn attack(&mut self) -> Result<(), String> {
        let h = self.rng.random_range(0..HOSTILE);
        let source = self.rng.random_range(0..HOSTILE);
        let all = self.devs[source].replica.all_changes();
        let t = self.tick();
        match self.rng.random_range(0..8) {
            // A forged signature on a real change.
            0 if !all.is_empty() => {
                let (doc, mut signed) = all[self.rng.random_range(0..all.len())].clone();
                let i = self.rng.random_range(0..signed.signature.len());
                signed.signature[i] ^= 1 << self.rng.random_range(0..8);
                self.must_refuse(h, &doc, signed)
            }
            // A real change replayed into another document.
            1 if !all.is_empty() => {
                let (doc, signed) = all[self.rng.random_range(0..all.len())].clone();
                let other = DocId::record(
                    RecordKind::Member,
                    self.records[self.rng.random_range(0..RECORDS)],
                    FieldClass::Com,
                );
                if other == doc {
                    return Ok(());
                }
                self.must_refuse(h, &other, signed)
            }
            // A change of another organisation.
            2 => {
                let key = self.key();
                let mut rival = MemDevice::found_with(key, t);
                let id = self.records[0];
                let w = rival.replica.write_unchecked(
                    &rival.key,
                    RecordKind::Member,
                    id,
                    &edits(&["display_name=x".into()]),
                    t + 1,
                );
                let Some((doc, signed)) = w.ok().and_then(|v| v.into_iter().next()) else {
                    return Ok(());
                };
                self.must_refuse(h, &doc, signed)
            }
            // A write outside the insider's rights (PER without agreement), or after its
            // revocation: delivered, it must never become valid.
            3 | 4 => {
                let id = self.records[self.rng.random_range(0..RECORDS)];
                let typed = if self.rng.random_bool(0.5) {
                    vec!["case_notes=forged".to_string()]
                } else {
                    vec!["status=expelled".to_string()]
                };
                let d = &mut self.devs[HOSTILE];
                let Ok(made) =
                    d.replica
                        .write_unchecked(&d.key, RecordKind::Member, id, &edits(&typed), t)
                else {
                    return Ok(());
                };
                for (doc, signed) in made {
                    if let Ok(v) = signed.verify(&self.devs[0].org_id(), &doc) {
                        if doc.class() == Some(FieldClass::Per) {
                            self.forged.insert(v.change.hash(), "PER without agreement");
                        } else {
                            self.hostile_writes.push((v.change.hash(), t));
                        }
                    }
                    self.report.attacks += 1;
                    let _ = self.devs[h].replica.receive(&doc, signed);
                }
                Ok(())
            }
            // Granting itself direction.
            5 => {
                let d = &self.devs[HOSTILE];
                let Ok(mut doc) =
                    Doc::from_changes(DocId::Registry, d.replica.registry().doc().changes())
                else {
                    return Ok(());
                };
                let op = RegistryOp::Role {
                    device: d.id(),
                    role: Role::Direction,
                    granted: true,
                };
                let Ok(Some(change)) = Registry::apply(&mut doc, &d.key, &[op], t) else {
                    return Ok(());
                };
                let signed = SignedChange::sign(&d.key, &d.org_id(), &DocId::Registry, &change);
                self.forged.insert(change.hash(), "self-granted direction");
                self.report.attacks += 1;
                let _ = self.devs[h].replica.receive(&DocId::Registry, signed);
                Ok(())
            }
            // A change whose dependency is withheld: it must wait, never apply.
            6 => {
                let id = self.records[self.rng.random_range(0..RECORDS)];
                let d = &mut self.devs[HOSTILE];
                let _ = d.replica.write_unchecked(
                    &d.key,
                    RecordKind::Member,
                    id,
                    &edits(&["display_name=first".into()]),
                    t,
                );
                let Ok(second) = d.replica.write_unchecked(
                    &d.key,
                    RecordKind::Member,
                    id,
                    &edits(&["display_name=second".into()]),
                    t + 1,
                ) else {
                    return Ok(());
                };
                for (doc, signed) in second {
                    if let Ok(v) = signed.verify(&self.devs[0].org_id(), &doc)
                        && !v.change.deps().is_empty()
                    {
                        self.forged.insert(v.change.hash(), "withheld dependency");
                    }
                    self.report.attacks += 1;
                    let _ = self.devs[h].replica.receive(&doc, signed);
                }
                Ok(())
            }
            // Junk: random envelopes and random messages, to a replica and to a session.
            _ => {
                let n = self.rng.random_range(1..64);
                let mut junk = vec![0u8; n];
                self.rng.fill(&mut junk[..]);
                if let Ok(signed) = SignedChange::from_bytes(&junk) {
                    let doc = DocId::record(RecordKind::Member, self.records[0], FieldClass::Com);
                    self.must_refuse(h, &doc, signed)?;
                }
                self.report.attacks += 1;
                let mut session = Session::new(Side::Responder, self.devs[HOSTILE].id().0, None);
                for _ in 0..4 {
                    self.rng.fill(&mut junk[..]);
                    if let Ok(m) = Message::decode(&junk)
                        && session.handle(m, &mut self.devs[h]).is_err()
                    {
                        break;
                    }
                }
                Ok(())
            }
        }
    }

    /// Every honest device syncs with every other, a few rounds (revoked ones are refused);
    /// returns the honest devices still enrolled and unrevoked, which must now agree.
    fn heal(&mut self) -> Vec<usize> {
        self.cut_off.clear();
        for _ in 0..4 {
            for i in 0..HOSTILE {
                for j in (i + 1)..HOSTILE {
                    let (a, b) = pair(&mut self.devs, i, j);
                    drive_cut(a, b, None, None);
                }
            }
        }
        (0..HOSTILE)
            .filter(|i| {
                let id = self.devs[*i].id();
                self.devs[0]
                    .replica
                    .registry()
                    .registry()
                    .and_then(|r| r.device(&id))
                    .is_some_and(|d| d.revoked.is_none())
            })
            .collect()
    }

    fn check(&self, live: &[usize]) -> Result<(), String> {
        // The hostile device's writes after a revocation that stands are forgeries too.
        let mut forged = self.forged.clone();
        let reg = self.devs[0].replica.registry();
        let standing: Vec<&BTreeSet<ChangeHash>> = self
            .revocations
            .iter()
            .filter(|(h, _)| reg.evaluation().valid.contains(h))
            .map(|(_, kept)| kept)
            .collect();
        if !standing.is_empty() {
            // Kept: what some standing revocation's author held when revoking.
            let kept: BTreeSet<ChangeHash> = standing.into_iter().flatten().copied().collect();
            forged.extend(
                self.hostile_writes
                    .iter()
                    .filter(|(h, _)| !kept.contains(h))
                    .map(|(h, _)| (*h, "write after revocation")),
            );
        }
        // No forgery valid anywhere honest (a revocation binds only the devices it reached: an
        // honest device revoked in turn never hears of it, so that check is for live ones).
        for i in 0..HOSTILE {
            let r = &self.devs[i].replica;
            let mut valid: BTreeSet<ChangeHash> =
                r.registry().evaluation().valid.iter().copied().collect();
            for l in r.docs() {
                valid.extend(l.evaluation().valid.iter().copied());
            }
            let applies = |kind: &&str| *kind != "write after revocation" || live.contains(&i);
            if let Some((h, kind)) = forged
                .iter()
                .find(|(h, kind)| valid.contains(h) && applies(kind))
            {
                return Err(format!(
                    "device {i} holds the forged change {h} ({kind}) as valid"
                ));
            }
        }
        // The live honest replicas agree.
        for (n, &i) in live.iter().enumerate() {
            for &j in &live[n + 1..] {
                let (a, b) = (&self.devs[i], &self.devs[j]);
                let (sa, sb) = (
                    shared_state(a, &a.id(), &b.id()),
                    shared_state(b, &a.id(), &b.id()),
                );
                if sa != sb {
                    let docs: BTreeSet<&DocId> = sa.1.keys().chain(sb.1.keys()).collect();
                    let differ: Vec<String> = docs
                        .into_iter()
                        .filter(|d| sa.1.get(*d) != sb.1.get(*d))
                        .map(|d| {
                            format!(
                                "{d}: {:?} / {:?}",
                                sa.1.get(d).map(Vec::len),
                                sb.1.get(d).map(Vec::len)
                            )
                        })
                        .collect();
                    return Err(format!(
                        "devices {i} and {j} diverge (registry equal: {}): {}",
                        sa.0 == sb.0,
                        differ.join("; ")
                    ));
                }
                if a.replica.registry().registry() != b.replica.registry().registry() {
                    return Err(format!("devices {i} and {j} hold different registries"));
                }
                for id in &self.records {
                    let fa = a.replica.fields(RecordKind::Member, *id);
                    let fb = b.replica.fields(RecordKind::Member, *id);
                    let shared =
                        |f: &BTreeMap<String, carnet_replica::FieldState>,
                         other: &MemDevice|
                         -> BTreeMap<String, carnet_replica::FieldState> {
                            f.iter()
                                .filter(|(k, _)| {
                                    RecordKind::Member
                                        .field(k)
                                        .is_some_and(|s| other.peer_reads(&other.id(), s.class))
                                })
                                .map(|(k, v)| (k.clone(), v.clone()))
                                .collect()
                        };
                    if shared(&fa, b) != shared(&fb, a) {
                        return Err(format!("devices {i} and {j} show record {id} differently"));
                    }
                }
                // The same change is valid on both or on neither. (Rejected changes are not
                // forwarded, so one that depends on a change only the other holds may wait on
                // one and be rejected on the other: neither applies it.)
                let verdicts = |d: &MemDevice| {
                    let mut out: BTreeMap<(DocId, ChangeHash), &str> = BTreeMap::new();
                    for l in d.replica.docs() {
                        let e = l.evaluation();
                        for h in l.received().keys() {
                            let v = if e.rejected.contains_key(h) || e.pending.contains(h) {
                                "not applied"
                            } else {
                                "valid"
                            };
                            out.insert((l.id().clone(), *h), v);
                        }
                    }
                    out
                };
                let (va, vb) = (verdicts(a), verdicts(b));
                for (k, v) in &va {
                    if let Some(w) = vb.get(k)
                        && v != w
                    {
                        return Err(format!(
                            "devices {i} and {j} judge change {} differently: {v} / {w}",
                            k.1
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

/// Runs one simulation of `steps` steps from `seed`.
pub fn run(seed: u64, steps: usize) -> Result<RunReport, Failure> {
    let fail = |what: String| Failure { seed, what };
    let mut w = World::new(seed);
    for _ in 0..steps {
        let i = w.rng.random_range(0..HOSTILE);
        let j = w.rng.random_range(0..HOSTILE);
        match w.rng.random_range(0..12) {
            0..=3 => w.write(i),
            4..=6 => w.session(i, j),
            7 => {
                let key = (i.min(j), i.max(j));
                if !w.cut_off.remove(&key) && i != j {
                    w.cut_off.insert(key);
                }
            }
            8 => w.deliver(i, j),
            9 => w.registry_op(),
            _ => w.attack().map_err(fail)?,
        }
    }
    // An oversized message is refused before anything is allocated for it.
    if steps > 0 && Message::decode(&vec![1u8; MAX_MESSAGE + 1]).is_ok() {
        return Err(fail("an oversized message was decoded".into()));
    }
    let live = w.heal();
    w.check(&live).map_err(fail)?;
    Ok(w.report)
}

/// Runs `runs` simulations from consecutive seeds starting at `first`, on `threads` threads.
pub fn run_many(first: u64, runs: usize, steps: usize, threads: usize) -> (Totals, Vec<Failure>) {
    let threads = threads.max(1);
    let results: Vec<Result<RunReport, Failure>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    (0..runs)
                        .filter(|k| k % threads == t)
                        .map(|k| run(first + k as u64, steps))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let mut totals = Totals::default();
    let mut failures = Vec::new();
    for r in results {
        totals.runs += 1;
        match r {
            Ok(rep) => {
                totals.sessions += rep.sessions;
                totals.cut += rep.cut;
                totals.deliveries += rep.deliveries;
                totals.attacks += rep.attacks;
                totals.accepted_forgeries += rep.accepted_forgeries;
            }
            Err(f) => {
                if f.what.contains("diverge")
                    || f.what.contains("differ")
                    || f.what.contains("judge")
                {
                    totals.divergent += 1;
                } else {
                    totals.accepted_forgeries += 1;
                }
                failures.push(f);
            }
        }
    }
    (totals, failures)
}
