//! One seeded simulation run on real devices, and many.
//!
//! Six real [`carnet_device::Device`]s in memory (through `carnet-testkit`): 0 and 1 direction
//! laptops running as daemons (they keep their device open, sync periodically and lend their
//! store to other commands), 2 staff and 3 board (both with the confidentiality agreement), 4 a
//! hostile insider (staff without agreement) that takes part in sessions, and 5 a staff device
//! enrolled at some point of the run. Every step is drawn from the seed.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use carnet_device::Device;
use carnet_device::{MAX_REJECTED_PER_AUTHOR, MAX_WAITING_PER_AUTHOR, MAX_WAITING_PER_DOC};
use carnet_model::{Access, FieldClass, FieldEdit, RecordKind, Role};
use carnet_replica::{
    ChangeHash, DeviceId, DeviceKey, Doc, DocId, DocLedger, OrgId, Received, RecordId, Registry,
    RegistryOp, SignedChange,
};
use carnet_sync::{MAX_MESSAGE, Message, Role as Side, Session};
use carnet_testkit::{Faults, Outcome, Sender, T0, TestDevice, at, drive, unlevel, unlevel_except};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

const DEVICES: usize = 6;
const HOSTILE: usize = 4;
/// The device enrolled during the run.
const LATE: usize = 5;
/// The honest devices.
const HONEST: [usize; 5] = [0, 1, 2, 3, 5];
/// The daemons (`carnet serve` on the direction laptops).
const DAEMONS: [usize; 2] = [0, 1];
const RECORDS: usize = 4;
/// The most rounds of healing before the network must be quiet.
const HEAL_ROUNDS: usize = 8;
/// The share of runs in which a direction device erases a member (a quarter of those erase a
/// second time, from the other direction device: the same person, concurrently, or another).
const ERASING_RUNS: f64 = 0.4;
/// The share of runs in which the hostile device floods an honest device (at a random step).
const FLOODING_RUNS: f64 = 0.25;
/// The share of floods whose rejected changes go beyond what a document keeps of one author.
const FLOODS_BEYOND_REJECTED: f64 = 0.25;

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunReport {
    /// The seed.
    pub seed: u64,
    /// Sync sessions run (including those cut mid-way or faulty).
    pub sessions: usize,
    /// Sessions whose connection dropped mid-way.
    pub cut: usize,
    /// Sessions with lost, duplicated or reordered messages.
    pub faulty: usize,
    /// Sessions a side reported complete, each checked for a readable change left behind.
    pub checked: usize,
    /// Changes delivered directly (reordered, duplicated).
    pub deliveries: usize,
    /// Writes and registry changes made through the lending path while a daemon held the store.
    pub lent: usize,
    /// Devices dropped and reopened mid-run.
    pub restarts: usize,
    /// Periodic syncs of the daemons.
    pub periodic: usize,
    /// Sessions the hostile device took part in.
    pub hostile_sessions: usize,
    /// Demotions, agreement withdrawals and policy changes made.
    pub narrowings: usize,
    /// Hostile attempts (forgeries, replays, writes outside the rules, junk).
    pub attacks: usize,
    /// Hostile attempts that were accepted by an honest device: must be 0.
    pub accepted_forgeries: usize,
    /// Erasures of a member by a direction device (RGPD art. 17).
    pub erasures: usize,
    /// Receipts checked at the end: one per erasure and live honest device.
    pub receipts: usize,
    /// Rounds of healing until quiet.
    pub heal_rounds: usize,
    /// Registry changes that took from the hostile device a right to write some class (a
    /// demotion, a narrowed policy): what the registry reads as of the change against as of
    /// its parents.
    pub removals: usize,
    /// Hostile writes made after the latest removal of their class's right, naming registry
    /// heads that do not include it, checked on a live honest device that holds the removal
    /// valid and the write (any verdict): none may be valid there.
    pub after_removal: usize,
    /// Floods of an honest device by the hostile device.
    pub floods: usize,
    /// Changes flooded (waiting on a withheld change, rejected, or signed by a key never
    /// enrolled).
    pub flooded: usize,
    /// What the honest devices did not keep, at the end: changes signed by a key their registry
    /// does not name, waiting changes over the bounds, rejected ones over the bound.
    pub dropped: carnet_device::Dropped,
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
    /// Sessions with lost, duplicated or reordered messages.
    pub faulty: usize,
    /// Complete sessions checked for a change left behind.
    pub checked: usize,
    /// Direct deliveries.
    pub deliveries: usize,
    /// Writes through the lending path.
    pub lent: usize,
    /// Restarts.
    pub restarts: usize,
    /// Periodic daemon syncs.
    pub periodic: usize,
    /// Sessions of the hostile device.
    pub hostile_sessions: usize,
    /// Demotions, agreement withdrawals, policy changes.
    pub narrowings: usize,
    /// Hostile attempts.
    pub attacks: usize,
    /// Runs whose honest devices diverged: must be 0.
    pub divergent: usize,
    /// Sessions reported complete while the peer held a readable change the device lacked:
    /// must be 0.
    pub left_behind: usize,
    /// Hostile attempts accepted: must be 0.
    pub accepted_forgeries: usize,
    /// Erasures made.
    pub erasures: usize,
    /// Erasure receipts checked at the end.
    pub receipts: usize,
    /// Runs at whose end an honest device still held something of an erased record, or a live
    /// honest device had not signed its receipt: must be 0.
    pub unerased: usize,
    /// Removals of the hostile device's rights (per class).
    pub removals: usize,
    /// Hostile writes checked against a removal they did not know of.
    pub after_removal: usize,
    /// Floods of an honest device.
    pub floods: usize,
    /// Changes flooded.
    pub flooded: usize,
    /// What the honest devices did not keep (summed at the end of each run).
    pub dropped: carnet_device::Dropped,
    /// Runs at whose end an honest device kept more than the bounds allow, a change signed by a
    /// key never enrolled, or a flood change it was never handed (forwarded): must be 0.
    pub unbounded: usize,
}

/// What kind of failure a run found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// Honest devices ended with different documents, registries or verdicts, or never quiet.
    Divergence,
    /// A session reported complete while the peer held a readable change the device lacked.
    LeftBehind,
    /// A forged, replayed or unauthorised change was accepted.
    Forgery,
    /// At the end, an honest device still held a document (a change, a state) or the key of an
    /// erased record, or a live honest device had not signed its receipt for an erasure.
    Unerased,
    /// An honest device kept more waiting or rejected changes than the bounds allow, a change
    /// signed by a key its registry does not name, or a flood change it was never handed.
    Unbounded,
}

/// Why a run failed: the seed replays it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The seed.
    pub seed: u64,
    /// Which property failed.
    pub kind: FailureKind,
    /// What went wrong.
    pub what: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "seed {} ({:?}): {}", self.seed, self.kind, self.what)
    }
}

type Fail = (FailureKind, String);

/// What the hostile device made outside its own device's checks.
#[derive(Default)]
struct Hostile {
    /// Its unchecked record changes, per document, to build the next ones on.
    made: BTreeMap<DocId, Vec<Received>>,
    /// Record changes waiting to be pushed in its next session.
    to_push: Vec<(DocId, SignedChange)>,
    /// Registry changes waiting to be pushed.
    registry_to_push: Vec<SignedChange>,
    /// Every record change it made (through its device or behind its back), for the check of
    /// writes after a removal.
    writes: Vec<HostileWrite>,
    /// The newest registry heads at which its own registry let it write COM: what it names,
    /// as a tampered device would, once it has lost that right.
    good_heads: Option<Vec<ChangeHash>>,
}

/// What the hostile device flooded honest devices with.
#[derive(Default)]
struct Flood {
    /// Every change of every flood (withheld ones included): none may reach an honest device
    /// it was not handed to.
    hashes: BTreeSet<ChangeHash>,
    /// Their signatures, to leave them out of direct deliveries (which copy what a device
    /// stores, whatever its verdict, while a device forwards only valid changes).
    signatures: BTreeSet<Vec<u8>>,
    /// The keys never enrolled that signed some.
    keys: BTreeSet<DeviceId>,
    /// The honest devices handed flood changes (directly, or in a session with the hostile
    /// device).
    flooded: BTreeSet<usize>,
    /// Flood changes waiting for the hostile device's next session.
    to_push: Vec<(DocId, SignedChange)>,
}

/// A record change the hostile device made.
struct HostileWrite {
    hash: ChangeHash,
    doc: DocId,
    /// Its document's class.
    class: FieldClass,
    /// When it was made (the run's clock).
    tick: i64,
    /// The registry heads it names.
    heads: Vec<ChangeHash>,
}

/// A registry change the simulator made that took from the hostile device the right to write
/// `class`, found by reading the registry as of the change and as of its parents (not by the
/// ledger's own removal logic, which it checks).
struct Removal {
    hash: ChangeHash,
    class: FieldClass,
    /// When it was made (the run's clock).
    tick: i64,
}

/// The extra random streams, each drawn only by what it decides (so a run where it decides
/// nothing draws from the main stream what it drew before).
const REMOVAL_STREAM: usize = 0;
/// Whether the hostile device, having lost a right, names the old registry heads.
const HEADS_STREAM: usize = 1;
/// Whether and when the hostile device floods, and what with.
const FLOOD_STREAM: usize = 2;

struct World {
    rng: ChaCha8Rng,
    devs: Vec<TestDevice>,
    /// The hostile device's key, for the changes it makes behind its device's back.
    hostile_key: DeviceKey,
    hostile: Hostile,
    records: Vec<RecordId>,
    /// Pairs that cannot talk (a partition).
    cut_off: BTreeSet<(usize, usize)>,
    time: i64,
    late_enrolled: bool,
    /// Hashes of changes that no honest device may ever hold as valid.
    forged: BTreeMap<ChangeHash, &'static str>,
    /// Revocations of the hostile device: their change hashes, and the hostile writes the
    /// revoking device held as valid then (which its cut-off keeps).
    revocations: Vec<(ChangeHash, BTreeSet<ChangeHash>)>,
    /// The hostile device's writes made within its rights (at its own registry heads): forged
    /// if not kept by a revocation that stands.
    hostile_writes: Vec<ChangeHash>,
    /// What decides the erasures (a stream of its own: a run without erasure draws what it drew
    /// before they were added, and one with erasures the same until the first).
    erasure_rng: ChaCha8Rng,
    /// The records erased so far.
    erased: Vec<RecordId>,
    /// Removals of the hostile device's rights made so far.
    removals: Vec<Removal>,
    /// What decides the hostile device's writes right after a removal ([`REMOVAL_STREAM`]),
    /// whether it names old registry heads once it lost a right ([`HEADS_STREAM`]), and its
    /// floods ([`FLOOD_STREAM`]).
    streams: [ChaCha8Rng; 3],
    flood: Flood,
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

fn seeded_key(rng: &mut ChaCha8Rng) -> [u8; 32] {
    let mut b = [0u8; 32];
    rng.fill(&mut b[..]);
    b
}

/// Whether the responder of session `o` showed the initiator its revocation.
fn shown_revocation(o: &Outcome) -> bool {
    o.transcript
        .iter()
        .any(|(from, m)| *from == Sender::Responder && matches!(m, Message::Revoked { .. }))
}

/// Whether `d`'s registry lists `who` as enrolled and not revoked.
fn live_in(d: &Device, who: &carnet_replica::DeviceId) -> bool {
    d.registry()
        .and_then(|r| r.device(who))
        .is_some_and(|e| e.revoked.is_none())
}

/// Every change `d` holds as valid, registry included.
fn valid_everywhere(d: &Device) -> BTreeSet<ChangeHash> {
    let mut out = d.verdicts(&DocId::Registry).unwrap_or_default().valid;
    for doc in d.documents().unwrap_or_default() {
        out.extend(d.verdicts(&doc).unwrap_or_default().valid);
    }
    out
}

impl World {
    fn tick(&mut self) -> i64 {
        self.time += 1_000;
        self.time
    }

    /// Runs `f` with extra stream `n` as the main one: what `f` draws does not shift what the
    /// run draws afterwards.
    fn drawing_from<R>(&mut self, n: usize, f: impl FnOnce(&mut World) -> R) -> R {
        std::mem::swap(&mut self.rng, &mut self.streams[n]);
        let out = f(self);
        std::mem::swap(&mut self.rng, &mut self.streams[n]);
        out
    }

    fn new(seed: u64) -> World {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut erasure_rng = ChaCha8Rng::seed_from_u64(seed);
        erasure_rng.set_stream(1);
        let streams = [2, 3, 4].map(|n| {
            let mut r = ChaCha8Rng::seed_from_u64(seed);
            r.set_stream(n);
            r
        });
        let founder = seeded_key(&mut rng);
        let mut devs = vec![TestDevice::found(carnet_testkit::key(founder), T0)];
        let org = devs[0].org();
        let mut hostile_key = None;
        for n in 1..DEVICES {
            let k = seeded_key(&mut rng);
            if n == HOSTILE {
                hostile_key = Some(DeviceKey::from_secret_bytes(&k));
            }
            devs.push(TestDevice::joining(carnet_testkit::key(k), org, T0));
        }
        // Receipts are stamped with the device's own clock: fixed, so a run is reproducible.
        for d in &mut devs {
            d.set_clock(Some(at(T0)));
        }
        let mut w = World {
            rng,
            devs,
            hostile_key: hostile_key.unwrap_or_else(|| DeviceKey::from_secret_bytes(&[0; 32])),
            hostile: Hostile::default(),
            records: Vec::new(),
            cut_off: BTreeSet::new(),
            time: T0,
            late_enrolled: false,
            forged: BTreeMap::new(),
            revocations: Vec::new(),
            hostile_writes: Vec::new(),
            erasure_rng,
            erased: Vec::new(),
            removals: Vec::new(),
            streams,
            flood: Flood::default(),
            report: RunReport {
                seed,
                ..RunReport::default()
            },
        };
        let roles = [
            (1, Role::Direction, true),
            (2, Role::Staff, true),
            (3, Role::Board, true),
            (HOSTILE, Role::Staff, false),
        ];
        for (n, role, agreement) in roles {
            let id = w.devs[n].id();
            w.enrol(0, id, role, agreement);
        }
        for (n, _, _) in roles {
            let (a, b) = pair(&mut w.devs, n, 0);
            drive(a.device_mut(), b.device_mut(), Faults::default());
        }
        for _ in 0..RECORDS {
            let mut b = [0u8; 16];
            w.rng.fill(&mut b[..]);
            w.records.push(RecordId(Uuid::from_bytes(b)));
        }
        w
    }

    fn enrol(&mut self, by: usize, id: carnet_replica::DeviceId, role: Role, agreement: bool) {
        let mut ops = vec![RegistryOp::Enrol {
            device: id,
            holder: "H".into(),
            city: None,
            roles: BTreeSet::from([role]),
        }];
        if agreement {
            ops.push(RegistryOp::Agreement {
                device: id,
                signed_on: Some("2026-01-01".into()),
            });
        }
        let t = at(self.tick());
        let _ = self.devs[by].device_mut().change_registry(&ops, t);
    }

    fn connected(&self, i: usize, j: usize) -> bool {
        !self.cut_off.contains(&(i.min(j), i.max(j)))
    }

    fn honest(&mut self) -> usize {
        HONEST[self.rng.random_range(0..HONEST.len())]
    }

    /// An honest device that holds the registry (changes reach a device that has not joined
    /// yet only through the session that brings it the registry).
    fn joined(&mut self) -> usize {
        let h = self.honest();
        if self.devs[h].device().registry().is_some() {
            h
        } else {
            0
        }
    }

    /// A record to write to: once someone is erased, her record a third of the time (devices
    /// that have not heard of the erasure yet keep editing her file; those that have refuse).
    fn record(&mut self) -> RecordId {
        match self.erased.last() {
            Some(&her) if self.rng.random_bool(0.3) => her,
            _ => self.records[self.rng.random_range(0..RECORDS)],
        }
    }

    /// The steps at which a direction device erases a member, and which device: none in most
    /// runs.
    fn erasure_plan(&mut self, steps: usize) -> Vec<(usize, usize)> {
        let r = &mut self.erasure_rng;
        if steps == 0 || !r.random_bool(ERASING_RUNS) {
            return Vec::new();
        }
        let first = r.random_range(0..DAEMONS.len());
        let mut plan = vec![(r.random_range(0..steps), DAEMONS[first])];
        if r.random_bool(0.25) {
            plan.push((r.random_range(0..steps), DAEMONS[1 - first]));
        }
        plan
    }

    /// Direction device `by` erases a member (through the lending path sometimes, then perhaps
    /// restarts), wherever the network stands: partitioned devices hear of it late and keep
    /// editing her file meanwhile. The hostile device replays every change of hers it held,
    /// in its next session.
    fn erase(&mut self, by: usize) {
        let r = &mut self.erasure_rng;
        let her = match self.erased.first() {
            Some(&first) if r.random_bool(0.5) => first,
            _ => self.records[r.random_range(0..RECORDS)],
        };
        let lend = r.random_bool(0.4);
        let restart = r.random_bool(0.25);
        let t = at(self.tick());
        let hostile = self.devs[HOSTILE].device();
        let replay: Vec<(DocId, SignedChange)> = FieldClass::ALL
            .into_iter()
            .map(|class| DocId::record(RecordKind::Member, her, class))
            .flat_map(|doc| {
                hostile
                    .export(&doc)
                    .unwrap_or_default()
                    .into_iter()
                    .map(move |c| (doc.clone(), c))
            })
            .collect();
        let dev = &mut self.devs[by];
        let written = if lend {
            self.report.lent += 1;
            dev.lend(|d| d.erase(her, "art. 17", t))
        } else {
            dev.device_mut().erase(her, "art. 17", t)
        };
        match written {
            Ok(carnet_device::Written::Changed(_)) => self.report.erasures += 1,
            Ok(carnet_device::Written::Unchanged) => {}
            Err(_) => return,
        }
        if !self.erased.contains(&her) {
            self.erased.push(her);
        }
        if restart {
            self.report.restarts += 1;
            self.devs[by].restart();
        }
        self.hostile.to_push.extend(replay);
    }

    /// The step at which the hostile device floods an honest device: none in most runs.
    fn flood_plan(&mut self, steps: usize) -> Option<usize> {
        let r = &mut self.streams[FLOOD_STREAM];
        (steps > 0 && r.random_bool(FLOODING_RUNS)).then(|| r.random_range(0..steps))
    }

    /// The hostile device floods an honest device (drawing from a stream of its own).
    fn flood(&mut self) -> Result<(), Fail> {
        self.drawing_from(FLOOD_STREAM, World::flood_now)
    }

    /// The hostile device floods an honest device, each part in a document of its own (a record
    /// no one wrote): a chain of its changes whose first it withholds (more than a document
    /// keeps waiting of one author), a chain every device rejects (naming no registry state;
    /// now and then more than a document keeps rejected of one author), and changes signed by
    /// a key the registry never enrolled, into a real record's card. Handed to the device
    /// directly, in a few deliveries, or pushed in the hostile device's next session.
    fn flood_now(&mut self) -> Result<(), Fail> {
        let h = self.joined();
        let t = self.tick();
        let org = self.devs[0].org();
        let heads = self.devs[HOSTILE].device().registry_ledger().doc().heads();
        let mut fresh = || {
            let mut b = [0u8; 16];
            self.rng.fill(&mut b[..]);
            DocId::record(
                RecordKind::Member,
                RecordId(Uuid::from_bytes(b)),
                FieldClass::Com,
            )
        };
        let (waiting_doc, rejected_doc) = (fresh(), fresh());
        let card = DocId::record(
            RecordKind::Member,
            self.records[self.rng.random_range(0..RECORDS)],
            FieldClass::Com,
        );
        let n_waiting = MAX_WAITING_PER_AUTHOR + self.rng.random_range(1..=200);
        let n_rejected = if self.rng.random_bool(FLOODS_BEYOND_REJECTED) {
            MAX_REJECTED_PER_AUTHOR + self.rng.random_range(1..=100)
        } else {
            self.rng.random_range(50..=300)
        };
        let stranger = DeviceKey::from_secret_bytes(&seeded_key(&mut self.rng));
        let n_stranger = self.rng.random_range(16..=64);
        let waiting = chain(
            &self.hostile_key,
            &org,
            &waiting_doc,
            n_waiting + 1,
            &heads,
            t,
        );
        let rejected = chain(&self.hostile_key, &org, &rejected_doc, n_rejected, &[], t);
        let strange = chain(&stranger, &org, &card, n_stranger, &heads, t);
        self.flood.keys.insert(stranger.id());
        let mut all: Vec<(DocId, SignedChange)> = Vec::new();
        for (doc, changes) in [
            (&waiting_doc, waiting),
            (&rejected_doc, rejected),
            (&card, strange),
        ] {
            for (_, signed) in &changes {
                self.flood.signatures.insert(signed.signature.clone());
            }
            self.flood.hashes.extend(changes.iter().map(|(h, _)| *h));
            all.extend(changes.into_iter().map(|(_, s)| (doc.clone(), s)));
        }
        // The first change of the waiting chain is withheld.
        all.remove(0);
        self.report.floods += 1;
        self.report.flooded += all.len();
        self.report.attacks += 1;
        if self.rng.random_bool(0.5) {
            self.flood.to_push.extend(all);
            return Ok(());
        }
        // Directly, shuffled, in one to three deliveries.
        for k in (1..all.len()).rev() {
            all.swap(k, self.rng.random_range(0..=k));
        }
        let parts = self.rng.random_range(1..=3usize);
        let size = all.len().div_ceil(parts);
        self.flood.flooded.insert(h);
        for part in all.chunks(size) {
            let batches = part
                .iter()
                .map(|(d, c)| (d.clone(), vec![c.clone()]))
                .collect();
            let _ = self.devs[h].device_mut().receive_many(batches);
        }
        self.check_bounds(h)
    }

    fn random_edits(&mut self) -> Vec<String> {
        let n: u16 = self.rng.random();
        match self.rng.random_range(0..4) {
            0 => vec![format!("display_name=v{n}"), "status=member".into()],
            1 => vec![format!("working_groups+=g{}", n % 5)],
            2 => vec![format!("case_notes=n{n}")],
            _ => vec![format!(
                "status={}",
                ["member", "active", "left"][n as usize % 3]
            )],
        }
    }

    /// An honest write; a daemon's goes through the lending path half the time (the command
    /// runs in its own process while `serve` holds the store).
    fn write(&mut self, i: usize) {
        let r = self.record();
        let typed = self.random_edits();
        let t = at(self.tick());
        let lend = DAEMONS.contains(&i) && self.rng.random_bool(0.5);
        let dev = &mut self.devs[i];
        if lend {
            self.report.lent += 1;
            dev.lend(|d| {
                let _ = d.put(RecordKind::Member, r, &edits(&typed), t);
            });
        } else {
            let _ = dev
                .device_mut()
                .put(RecordKind::Member, r, &edits(&typed), t);
        }
    }

    /// A session `i` → `j` between honest devices, perhaps cut or faulty; a side that reports
    /// it complete must have left no readable change behind.
    fn session(&mut self, i: usize, j: usize) -> Result<(), Fail> {
        if i == j || !self.connected(i, j) {
            return Ok(());
        }
        let mut faults = Faults::default();
        if self.rng.random_bool(0.2) {
            faults.cut = Some(self.rng.random_range(1..12));
        }
        if self.rng.random_bool(0.1) {
            let n = self.rng.random_range(0..10);
            match self.rng.random_range(0..3) {
                0 => faults.drop.insert(n),
                1 => faults.duplicate.insert(n),
                _ => faults.swap.insert(n),
            };
        }
        if self.rng.random_bool(0.2) {
            faults.budget = Some(self.rng.random_range(200..2_000));
        }
        self.run_session(i, j, faults)
    }

    fn run_session(&mut self, i: usize, j: usize, faults: Faults<'_>) -> Result<(), Fail> {
        let faithful = !faults.unfaithful();
        let before = self.registry_held(&[i, j]);
        let (a, b) = pair(&mut self.devs, i, j);
        let o = drive(a.device_mut(), b.device_mut(), faults);
        self.report.sessions += 1;
        self.report.cut += usize::from(o.cut);
        self.report.faulty += usize::from(!faithful);
        if faithful {
            self.check_level(i, j, &o, &before)?;
        }
        Ok(())
    }

    /// The registry changes devices `of` hold, before a session.
    fn registry_held(&self, of: &[usize]) -> BTreeSet<ChangeHash> {
        of.iter()
            .flat_map(|i| self.devs[*i].device().registry_ledger().received().keys())
            .copied()
            .collect()
    }

    /// The new invariant: a side that reports the session complete holds every readable change
    /// its peer holds, and the other way round — except the erasure receipts a side signed
    /// during the session (the responder signs its own on receiving the erasure in the
    /// initiator's last registry message, after which the protocol sends no registry change:
    /// they travel at the next session). `before`: the registry changes both held before it.
    fn check_level(
        &mut self,
        i: usize,
        j: usize,
        o: &Outcome,
        before: &BTreeSet<ChangeHash>,
    ) -> Result<(), Fail> {
        if !(o.complete(Sender::Initiator) || o.complete(Sender::Responder)) {
            return Ok(());
        }
        // A revoked initiator shown its revocation hands in what it signed and forgets: the
        // session levels nothing (issue 15, item 8).
        if shown_revocation(o) {
            return Ok(());
        }
        self.report.checked += 1;
        let (a, b) = (self.devs[i].device(), self.devs[j].device());
        let receipts: BTreeSet<ChangeHash> = [a, b]
            .into_iter()
            .filter(|d| d.registry().is_some_and(|r| !r.erased.is_empty()))
            .flat_map(|d| {
                d.registry_ledger()
                    .received()
                    .iter()
                    .filter(|(h, r)| r.author == d.id() && !before.contains(h))
                    .map(|(h, _)| *h)
            })
            .collect();
        let left = unlevel_except(a, b, &receipts);
        if left.is_empty() {
            return Ok(());
        }
        Err((
            FailureKind::LeftBehind,
            format!(
                "session {i} -> {j} reported complete (initiator {}, responder {}) with changes left behind: {}; messages {:?}",
                o.complete(Sender::Initiator),
                o.complete(Sender::Responder),
                left.join("; "),
                o.kinds()
            ),
        ))
    }

    /// A daemon's periodic sync: it dials every honest peer it can reach.
    fn periodic(&mut self, d: usize) -> Result<(), Fail> {
        self.report.periodic += 1;
        for j in HONEST {
            if j != d && self.connected(d, j) {
                self.run_session(d, j, Faults::default())?;
            }
        }
        Ok(())
    }

    /// Delivers some of `i`'s changes to `j` directly, shuffled, some twice.
    fn deliver(&mut self, i: usize, j: usize) {
        // A device that has not joined yet receives only through a session (a lone registry
        // change, waiting for its genesis, would leave it holding no registry it can use).
        if i == j || !self.connected(i, j) || self.devs[j].device().registry().is_none() {
            return;
        }
        let src = self.devs[i].device();
        let mut all: Vec<(DocId, SignedChange)> = Vec::new();
        let mut docs = vec![DocId::Registry];
        docs.extend(src.documents().unwrap_or_default());
        for doc in docs {
            for c in src.export(&doc).unwrap_or_default() {
                // A device hands out only what it holds valid: a flood's changes (waiting or
                // rejected) must go no further than the device handed them.
                if !self.flood.signatures.contains(&c.signature) {
                    all.push((doc.clone(), c));
                }
            }
        }
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
            let _ = self.devs[j].device_mut().receive(&doc, vec![signed]);
        }
    }

    /// A registry change by a direction device (through the lending path half the time on a
    /// daemon): role grants and demotions, agreement withdrawals, policy changes, revocations,
    /// the late enrolment.
    fn registry_op(&mut self) {
        let by = self.rng.random_range(0..2usize);
        let targets = [2, 3, LATE];
        let target = targets[self.rng.random_range(0..targets.len())];
        let hostile = self.devs[HOSTILE].id();
        let tick = self.tick();
        let t = at(tick);
        let made_before = self.registry_held(&[by]);
        let mut revoking_hostile = false;
        let op = match self.rng.random_range(0..8) {
            0 => RegistryOp::Role {
                device: self.devs[target].id(),
                role: [Role::Staff, Role::Board, Role::ActiveMember][self.rng.random_range(0..3)],
                granted: self.rng.random_bool(0.5),
            },
            1 => {
                let signed_on = self.rng.random_bool(0.5).then(|| "2026-02-02".to_string());
                if signed_on.is_none() {
                    self.report.narrowings += 1;
                }
                RegistryOp::Agreement {
                    device: self.devs[target].id(),
                    signed_on,
                }
            }
            // The hostile insider demoted (it keeps its enrolment).
            2 => {
                self.report.narrowings += 1;
                RegistryOp::Role {
                    device: hostile,
                    role: Role::Staff,
                    granted: false,
                }
            }
            3 => {
                let role =
                    [Role::Staff, Role::Board, Role::ActiveMember][self.rng.random_range(0..3)];
                let class = [FieldClass::Com, FieldClass::Per][self.rng.random_range(0..2)];
                let access =
                    [Access::None, Access::Read, Access::Write][self.rng.random_range(0..3)];
                if access != Access::Write {
                    self.report.narrowings += 1;
                }
                RegistryOp::Policy {
                    role,
                    class,
                    access,
                }
            }
            4 if !self.late_enrolled => {
                self.late_enrolled = true;
                let id = self.devs[LATE].id();
                self.enrol(by, id, Role::Staff, true);
                return;
            }
            _ => {
                // Revocations mostly hit the hostile device.
                let device = if self.rng.random_bool(0.7) {
                    revoking_hostile = true;
                    hostile
                } else {
                    self.devs[target].id()
                };
                let seen = valid_everywhere(self.devs[by].device());
                let lend = DAEMONS.contains(&by) && self.rng.random_bool(0.4);
                let dev = &mut self.devs[by];
                let written = if lend {
                    self.report.lent += 1;
                    dev.lend(|d| d.revoke(device, t))
                } else {
                    dev.device_mut().revoke(device, t)
                };
                if revoking_hostile && matches!(written, Ok(carnet_device::Written::Changed(_))) {
                    // The revocation is the newest registry change the revoker made.
                    let reg = self.devs[by].device();
                    let me = reg.id();
                    let newest = reg
                        .registry_ledger()
                        .received()
                        .iter()
                        .filter(|(_, r)| r.author == me)
                        .max_by_key(|(_, r)| (r.change.seq(), r.change.timestamp()))
                        .map(|(h, _)| *h);
                    if let Some(h) = newest {
                        let kept = self
                            .hostile_writes
                            .iter()
                            .filter(|h| seen.contains(h))
                            .copied()
                            .collect();
                        self.revocations.push((h, kept));
                    }
                }
                self.note_removals(by, &made_before, tick);
                return;
            }
        };
        let lend = DAEMONS.contains(&by) && self.rng.random_bool(0.4);
        let dev = &mut self.devs[by];
        if lend {
            self.report.lent += 1;
            dev.lend(|d| {
                let _ = d.change_registry(&[op], t);
            });
        } else {
            let _ = dev.device_mut().change_registry(&[op], t);
        }
        self.note_removals(by, &made_before, tick);
    }

    /// Notes the registry changes `by` just made (those it holds beyond `made_before`) that
    /// take from the hostile device a right to write a class: read plainly, the registry as of
    /// the change lets it write the class no more, while the registry as of its parents did.
    /// Right after one, before it can hear of it, the hostile device often writes on (member
    /// cards: the class it can lose).
    fn note_removals(&mut self, by: usize, made_before: &BTreeSet<ChangeHash>, tick: i64) {
        let dev = self.devs[by].device();
        let me = dev.id();
        let hostile = self.devs[HOSTILE].id();
        let ledger = dev.registry_ledger();
        let doc = ledger.doc();
        let writes = |reg: &Registry, class: FieldClass| {
            reg.device(&hostile).is_some_and(|d| {
                reg.policy
                    .effective(&d.roles, d.agreement.is_some(), class)
                    .can_write()
            })
        };
        let mut found = Vec::new();
        for (h, r) in ledger.received() {
            if made_before.contains(h)
                || r.author != me
                || !doc.has(h)
                || r.change.deps().is_empty()
            {
                continue;
            }
            let (Ok(was), Ok(is)) = (
                Registry::read_at(doc, Some(r.change.deps())),
                Registry::read_at(doc, Some(&[*h])),
            ) else {
                continue;
            };
            for class in FieldClass::ALL {
                if writes(&was, class) && !writes(&is, class) {
                    found.push(Removal {
                        hash: *h,
                        class,
                        tick,
                    });
                }
            }
        }
        if found.is_empty() {
            return;
        }
        self.report.removals += found.iter().map(|r| r.hash).collect::<BTreeSet<_>>().len();
        self.removals.extend(found);
        self.drawing_from(REMOVAL_STREAM, |w| {
            for _ in 0..w.rng.random_range(1..=3) {
                w.hostile_write(true);
            }
        });
    }

    /// Delivers `(doc, signed)` to honest device `h`; it must be refused and nothing stored.
    fn must_refuse(&mut self, h: usize, doc: &DocId, signed: SignedChange) -> Result<(), Fail> {
        self.report.attacks += 1;
        let d = self.devs[h].device_mut();
        let before = d.documents().unwrap_or_default();
        let held = d.held(doc).unwrap_or_default();
        match d.receive(doc, vec![signed]) {
            Ok(r) if r.new > 0 || r.refused.is_empty() => {
                self.report.accepted_forgeries += 1;
                Err((
                    FailureKind::Forgery,
                    format!("device {h} accepted a forged or replayed change into {doc}"),
                ))
            }
            _ if d.documents().unwrap_or_default() != before
                || d.held(doc).unwrap_or_default() != held =>
            {
                Err((
                    FailureKind::Forgery,
                    format!("device {h} stored a refused change"),
                ))
            }
            _ => Ok(()),
        }
    }

    /// Record changes the hostile device signs behind its own device's back, built on what its
    /// device holds and on what it made before, naming its registry heads or `named` ones (old
    /// heads, from before it lost a right: what a tampered device claims to have seen); each
    /// classified by whether the registry at the heads it names let it write the class (if
    /// not, no honest device may ever hold it as valid).
    fn unchecked_write(
        &mut self,
        id: RecordId,
        typed: &[String],
        t: i64,
        named: Option<Vec<ChangeHash>>,
    ) -> Vec<(DocId, SignedChange)> {
        let dev = self.devs[HOSTILE].device();
        let me = dev.id();
        let org = dev.org();
        let reg = dev.registry_ledger();
        // The registry at the named heads (which its registry must hold), else its own.
        let at_named = named.and_then(|heads| {
            Registry::read_at(reg.doc(), Some(&heads))
                .ok()
                .map(|r| (heads, r))
        });
        let heads = at_named
            .as_ref()
            .map_or_else(|| reg.doc().heads(), |(h, _)| h.clone());
        let edits = edits(typed);
        let mut out = Vec::new();
        for (class, class_edits) in carnet_model::edits_by_class(RecordKind::Member, &edits) {
            let doc_id = DocId::record(RecordKind::Member, id, class);
            let mut received: Vec<Received> = dev
                .export(&doc_id)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|s| Received::verify(&org, &doc_id, s).ok())
                .collect();
            let mine = self.hostile.made.entry(doc_id.clone()).or_default();
            for r in mine.iter() {
                if !received.iter().any(|x| x.hash() == r.hash()) {
                    received.push(r.clone());
                }
            }
            let mut ledger = DocLedger::new(doc_id.clone(), received, reg);
            let doc = ledger.doc_for(&me);
            doc.set_registry_heads(&heads);
            let Ok(Some(change)) = doc.edit_record(&self.hostile_key, &class_edits, t) else {
                continue;
            };
            let signed = SignedChange::sign(&self.hostile_key, &org, &doc_id, &change);
            let r = Received {
                signed: signed.clone(),
                change,
                author: me,
            };
            let hash = r.hash();
            mine.push(r);
            let allowed = match &at_named {
                // Rule 3 judges a change at the heads it names (a revocation since is the
                // revocation check's: its writes are among `hostile_writes`).
                Some((_, at)) => at.device(&me).is_some_and(|d| {
                    at.policy
                        .effective(&d.roles, d.agreement.is_some(), class)
                        .can_write()
                }),
                None => reg.may_write(&me, class).is_ok(),
            };
            if !allowed {
                self.forged.insert(
                    hash,
                    if class == FieldClass::Per {
                        "PER without agreement or right"
                    } else {
                        "write without the right at its own registry heads"
                    },
                );
            } else {
                self.hostile_writes.push(hash);
            }
            self.hostile.writes.push(HostileWrite {
                hash,
                doc: doc_id.clone(),
                class,
                tick: t,
                heads: heads.clone(),
            });
            out.push((doc_id, signed));
        }
        out
    }

    /// The hostile device writes: through its own device when that lets it, else behind its
    /// back — once it has lost the right to write COM, often naming the registry heads at which
    /// it last had it; what it makes is delivered to someone or kept for its next session.
    fn hostile_write(&mut self, com_only: bool) {
        let id = self.record();
        let typed = if com_only || self.rng.random_bool(0.5) {
            vec![
                format!("display_name=h{}", self.rng.random::<u16>()),
                "status=member".into(),
            ]
        } else {
            vec!["case_notes=forged".to_string()]
        };
        let t = self.tick();
        self.report.attacks += 1;
        let dev = self.devs[HOSTILE].device_mut();
        let me = dev.id();
        let reg = dev.registry_ledger();
        let lost_com = reg.may_write(&me, FieldClass::Com).is_err();
        if !lost_com {
            self.hostile.good_heads = Some(reg.doc().heads());
        }
        let docs: Vec<DocId> = FieldClass::ALL
            .into_iter()
            .map(|c| DocId::record(RecordKind::Member, id, c))
            .collect();
        let held_before: Vec<BTreeSet<ChangeHash>> = docs
            .iter()
            .map(|d| {
                let v = dev.verdicts(d).unwrap_or_default();
                v.valid
                    .into_iter()
                    .chain(v.pending)
                    .chain(v.rejected)
                    .collect()
            })
            .collect();
        if let Ok(carnet_device::Written::Changed(written)) =
            dev.put(RecordKind::Member, id, &edits(&typed), at(t))
        {
            // Within its rights: a legitimate write, unless a revocation or a removal later
            // cuts it off.
            for (doc, before) in docs.iter().zip(&held_before) {
                if !written.contains(doc) {
                    continue;
                }
                let Some(class) = doc.class() else { continue };
                let new = dev
                    .export(doc)
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|s| Received::verify(&dev.org(), doc, s).ok())
                    .filter(|r| r.author == me && !before.contains(&r.hash()));
                for r in new {
                    self.hostile_writes.push(r.hash());
                    self.hostile.writes.push(HostileWrite {
                        hash: r.hash(),
                        doc: doc.clone(),
                        class,
                        tick: t,
                        heads: r.signed.registry_heads(),
                    });
                }
            }
            return;
        }
        // Naming old heads is decided on a stream of its own (drawn only once a right was
        // lost, so runs where none is draw what they drew before).
        let named = match self.hostile.good_heads.clone() {
            Some(old) if lost_com && self.streams[HEADS_STREAM].random_bool(0.6) => Some(old),
            _ => None,
        };
        let made = self.unchecked_write(id, &typed, t, named);
        self.hostile_deliver(made);
    }

    /// Sends what the hostile device made: to an honest device directly, or in its next session.
    /// Its own device holds it too (as the registry changes it forges): a device that is sent
    /// back a change its key signed and its store lacks stops as rolled back (issue 15), which
    /// would end the hostile device's part in the run.
    fn hostile_deliver(&mut self, made: Vec<(DocId, SignedChange)>) {
        for (doc, signed) in &made {
            let _ = self.devs[HOSTILE]
                .device_mut()
                .receive(doc, vec![signed.clone()]);
        }
        if self.rng.random_bool(0.5) {
            self.hostile.to_push.extend(made);
        } else {
            let h = self.joined();
            for (doc, signed) in made {
                let _ = self.devs[h].device_mut().receive(&doc, vec![signed]);
            }
        }
    }

    /// The hostile device takes part in a session with an honest one, pushing what it made
    /// behind its device's back inside its own messages (and sometimes an extra message).
    fn hostile_session(&mut self, h: usize) -> Result<(), Fail> {
        if !self.connected(h, HOSTILE) {
            return Ok(());
        }
        self.report.hostile_sessions += 1;
        let hostile = self.devs[HOSTILE].id();
        let knew_revoked = self.devs[h]
            .device()
            .registry()
            .and_then(|r| r.device(&hostile))
            .is_some_and(|e| e.revoked.is_some());
        let hostile_dials = self.rng.random_bool(0.5);
        let hostile_side = if hostile_dials {
            Sender::Initiator
        } else {
            Sender::Responder
        };
        let mut records = std::mem::take(&mut self.hostile.to_push);
        let mut registry = std::mem::take(&mut self.hostile.registry_to_push);
        self.report.attacks += records.len() + registry.len();
        let extra = self.rng.random_bool(0.3);
        // A flood goes in messages of its own before the hostile side's first push (a session
        // in which it pushes nothing carries it next time).
        let mut flood = std::mem::take(&mut self.flood.to_push);
        let mut flooding = false;
        let mut tamper = |from: Sender, m: Message| -> Vec<Message> {
            if from != hostile_side {
                return vec![m];
            }
            let mut out = Vec::new();
            if !flood.is_empty() && matches!(m, Message::Push { .. }) {
                flooding = true;
                out.extend(std::mem::take(&mut flood).chunks(256).map(|part| {
                    Message::Push {
                        changes: part
                            .iter()
                            .map(|(d, s)| (d.to_string(), vec![s.to_bytes()]))
                            .collect(),
                        hashes: Vec::new(),
                        want: Vec::new(),
                        last: false,
                    }
                }));
            }
            let mut m = m;
            match &mut m {
                Message::Push { changes, .. } => {
                    for (doc, signed) in records.drain(..) {
                        changes.push((doc.to_string(), vec![signed.to_bytes()]));
                    }
                }
                Message::RegistryPush { changes, .. } | Message::RegistryFinal { changes } => {
                    changes.extend(registry.drain(..).map(|s| s.to_bytes()));
                }
                _ => {}
            }
            out.push(m);
            if extra && !records.is_empty() {
                out.push(Message::Push {
                    changes: records
                        .drain(..)
                        .map(|(d, s)| (d.to_string(), vec![s.to_bytes()]))
                        .collect(),
                    hashes: Vec::new(),
                    want: Vec::new(),
                    last: true,
                });
            }
            out
        };
        let faults = Faults {
            tamper: Some(&mut tamper),
            ..Faults::default()
        };
        let (a, b) = if hostile_dials {
            (HOSTILE, h)
        } else {
            (h, HOSTILE)
        };
        let (da, db) = pair(&mut self.devs, a, b);
        let o = drive(da.device_mut(), db.device_mut(), faults);
        self.report.sessions += 1;
        if flooding {
            self.flood.flooded.insert(h);
        } else {
            self.flood.to_push = flood;
        }
        let honest_side = if hostile_dials {
            Sender::Responder
        } else {
            Sender::Initiator
        };
        // Complete, the honest side may only have shown it its revocation (and taken what it
        // handed in, into the quarantine).
        let only_shown = o
            .transcript
            .iter()
            .filter(|(from, _)| *from == honest_side)
            .all(|(_, m)| matches!(m, Message::Revoked { .. } | Message::Done));
        if knew_revoked && o.complete(honest_side) && !only_shown {
            return Err((
                FailureKind::Forgery,
                format!("device {h} completed a session with the hostile device it knew revoked"),
            ));
        }
        Ok(())
    }

    fn attack(&mut self) -> Result<(), Fail> {
        let h = self.joined();
        let source = self.honest();
        let src = self.devs[source].device();
        let mut all: Vec<(DocId, SignedChange)> = Vec::new();
        for doc in src.documents().unwrap_or_default() {
            all.extend(
                src.export(&doc)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|c| (doc.clone(), c)),
            );
        }
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
                let rival_key: [u8; 32] = seeded_key(&mut self.rng);
                let mut rival = TestDevice::found(carnet_testkit::key(rival_key), t);
                let id = self.records[0];
                let docs =
                    rival.write(RecordKind::Member, id, &["display_name=x", "status=member"]);
                let Some(doc) = docs.into_iter().next() else {
                    return Ok(());
                };
                let Some(signed) = rival
                    .device()
                    .export(&doc)
                    .ok()
                    .and_then(|v| v.into_iter().next())
                else {
                    return Ok(());
                };
                self.must_refuse(h, &doc, signed)
            }
            // Writing, within or outside its rights, demoted or revoked.
            3 | 4 => {
                self.hostile_write(false);
                Ok(())
            }
            // Granting itself direction.
            5 => {
                let d = self.devs[HOSTILE].device();
                let me = d.id();
                let Ok(mut doc) = d.registry_ledger().doc_for(&me) else {
                    return Ok(());
                };
                let op = RegistryOp::Role {
                    device: me,
                    role: Role::Direction,
                    granted: true,
                };
                let Ok(Some(change)) = Registry::apply(&mut doc, &self.hostile_key, &[op], t)
                else {
                    return Ok(());
                };
                let signed =
                    SignedChange::sign(&self.hostile_key, &d.org(), &DocId::Registry, &change);
                // Its device holds what it forged (rejected there too), so the receipts it signs
                // later take the next actor epoch instead of this sequence number: the hostile
                // device does not equivocate. (An equivocated receipt would split honest
                // registries: a device holding both changes rejects both, with every honest
                // change built on the receipt, while one holding only the receipt accepts it and
                // never hears of the forgery, as rejected changes are not forwarded. A product
                // gap reported with issue 13, not modelled here.)
                let _ = self.devs[HOSTILE]
                    .device_mut()
                    .receive(&DocId::Registry, vec![signed.clone()]);
                self.forged.insert(change.hash(), "self-granted direction");
                self.report.attacks += 1;
                if self.rng.random_bool(0.5) {
                    self.hostile.registry_to_push.push(signed);
                } else {
                    let _ = self.devs[h]
                        .device_mut()
                        .receive(&DocId::Registry, vec![signed]);
                }
                Ok(())
            }
            // A change whose dependency is withheld: it must wait, never apply.
            6 => {
                let id = self.records[self.rng.random_range(0..RECORDS)];
                let typed =
                    |s: &str| vec![format!("display_name={s}"), "status=member".to_string()];
                let _ = self.unchecked_write(id, &typed("first"), t, None);
                let second = self.unchecked_write(id, &typed("second"), t + 1, None);
                let org = self.devs[0].org();
                for (doc, signed) in &second {
                    if let Ok(v) = signed.verify(&org, doc)
                        && !v.change.deps().is_empty()
                    {
                        self.forged.insert(v.change.hash(), "withheld dependency");
                    }
                }
                self.report.attacks += 1;
                self.hostile_deliver(second);
                Ok(())
            }
            // Junk: random envelopes and random messages, to a device and to a session.
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
                        && session.handle(m, self.devs[h].device_mut()).is_err()
                    {
                        break;
                    }
                }
                Ok(())
            }
        }
    }

    /// The honest devices enrolled so far.
    fn present(&self) -> Vec<usize> {
        HONEST
            .into_iter()
            .filter(|i| *i != LATE || self.late_enrolled)
            .collect()
    }

    /// Heals the network, then every honest pair syncs, round after round, until a whole round
    /// moves nothing; returns the honest devices still enrolled and unrevoked.
    fn heal(&mut self) -> Result<Vec<usize>, Fail> {
        self.cut_off.clear();
        let present = self.present();
        let mut quiet = false;
        for round in 0..HEAL_ROUNDS {
            self.report.heal_rounds = round + 1;
            let mut moved = 0;
            for (n, &x) in present.iter().enumerate() {
                for &y in &present[n + 1..] {
                    // Both directions over the rounds (a device that has not received the
                    // registry yet can only dial).
                    let (i, j) = if round % 2 == 0 { (y, x) } else { (x, y) };
                    let before = self.registry_held(&[i, j]);
                    let (a, b) = pair(&mut self.devs, i, j);
                    let o = drive(a.device_mut(), b.device_mut(), Faults::default());
                    self.report.sessions += 1;
                    moved += o.a.applied.new + o.b.applied.new;
                    self.check_level(i, j, &o, &before)?;
                }
            }
            if moved == 0 {
                quiet = true;
                break;
            }
        }
        if !quiet {
            return Err((
                FailureKind::Divergence,
                format!("the honest devices never went quiet in {HEAL_ROUNDS} rounds"),
            ));
        }
        let reference = self.devs[0].device();
        Ok(present
            .into_iter()
            .filter(|i| live_in(reference, &self.devs[*i].id()))
            .collect())
    }

    fn check(&self, live: &[usize]) -> Result<(), Fail> {
        let diverge = |what: String| Err((FailureKind::Divergence, what));
        // The hostile device's writes cut off by a revocation that stands are forgeries too.
        let mut forged = self.forged.clone();
        let reg = self.devs[0]
            .device()
            .verdicts(&DocId::Registry)
            .unwrap_or_default();
        let standing: Vec<&BTreeSet<ChangeHash>> = self
            .revocations
            .iter()
            .filter(|(h, _)| reg.valid.contains(h))
            .map(|(_, kept)| kept)
            .collect();
        if !standing.is_empty() {
            let kept: BTreeSet<ChangeHash> = standing.into_iter().flatten().copied().collect();
            forged.extend(
                self.hostile_writes
                    .iter()
                    .filter(|h| !kept.contains(h))
                    .map(|h| (*h, "write after revocation")),
            );
        }
        // No forgery valid anywhere honest (a revocation binds only the devices it reached: an
        // honest device revoked in turn never hears of it, so that check is for live ones).
        for i in self.present() {
            let valid = valid_everywhere(self.devs[i].device());
            let applies = |kind: &&str| *kind != "write after revocation" || live.contains(&i);
            if let Some((h, kind)) = forged
                .iter()
                .find(|(h, kind)| valid.contains(h) && applies(kind))
            {
                return Err((
                    FailureKind::Forgery,
                    format!("device {i} holds the forged change {h} ({kind}) as valid"),
                ));
            }
        }
        // The live honest devices agree.
        for (n, &i) in live.iter().enumerate() {
            for &j in &live[n + 1..] {
                let (a, b) = (self.devs[i].device(), self.devs[j].device());
                if a.registry() != b.registry() {
                    let (ra, rb) = (a.verdicts(&DocId::Registry), b.verdicts(&DocId::Registry));
                    let (ra, rb) = (ra.unwrap_or_default(), rb.unwrap_or_default());
                    return diverge(format!(
                        "devices {i} and {j} hold different registries (valid {} / {}, pending {} / {}, rejected {} / {}; same devices: {}, same policy: {})",
                        ra.valid.len(),
                        rb.valid.len(),
                        ra.pending.len(),
                        rb.pending.len(),
                        ra.rejected.len(),
                        rb.rejected.len(),
                        a.registry().map(|r| &r.devices) == b.registry().map(|r| &r.devices),
                        a.registry().map(|r| &r.policy) == b.registry().map(|r| &r.policy),
                    ));
                }
                let left = unlevel(a, b);
                if !left.is_empty() {
                    return diverge(format!("devices {i} and {j} diverge: {}", left.join("; ")));
                }
                let mut docs: BTreeSet<DocId> = BTreeSet::from([DocId::Registry]);
                docs.extend(a.documents().unwrap_or_default());
                docs.extend(b.documents().unwrap_or_default());
                for doc in docs {
                    let readable = doc.class().is_none_or(|c| {
                        a.registry().is_some_and(|r| {
                            r.access(&a.id(), c).can_read() && r.access(&b.id(), c).can_read()
                        })
                    });
                    if !readable {
                        continue;
                    }
                    let (va, vb) = (
                        a.verdicts(&doc).unwrap_or_default(),
                        b.verdicts(&doc).unwrap_or_default(),
                    );
                    // Equal valid sets: the same change is applied on both or on neither.
                    // (Pending and rejected may differ: rejected changes are not forwarded, so
                    // one that depends on a change only the other holds may wait on one and be
                    // rejected on the other.)
                    if va.valid != vb.valid {
                        return diverge(format!(
                            "devices {i} and {j} hold different valid changes of {doc}: {} / {}",
                            va.valid.len(),
                            vb.valid.len()
                        ));
                    }
                }
                for id in &self.records {
                    let fields = |d: &Device| {
                        d.show(RecordKind::Member, *id)
                            .map(|v| {
                                v.fields
                                    .into_iter()
                                    .filter(|(k, _)| {
                                        RecordKind::Member.field(k).is_some_and(|s| {
                                            a.can_read(s.class) && b.can_read(s.class)
                                        })
                                    })
                                    .collect::<BTreeMap<_, _>>()
                            })
                            .unwrap_or_default()
                    };
                    if fields(a) != fields(b) {
                        return diverge(format!(
                            "devices {i} and {j} show record {id} differently"
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// A removal binds (ledger rule 4), checked apart from the ledger's own removal logic: a
    /// hostile write of class c made after the latest removal r of c (the run's clock) that
    /// a live honest device holds valid, naming registry heads that neither are r nor descend
    /// from it (the hostile device had not heard of r, or said so), is valid on no such device.
    /// (Cut-offs written with a removal keep only writes the removing device held, made before
    /// it; a later removal of c may keep writes made before it: hence the latest.)
    fn check_removals(&mut self, live: &[usize]) -> Result<(), Fail> {
        let mut checked = BTreeSet::new();
        for &i in live {
            let d = self.devs[i].device();
            let registry = d.registry_ledger();
            let standing: BTreeSet<ChangeHash> =
                registry.evaluation().valid.iter().copied().collect();
            for w in &self.hostile.writes {
                let Some(r) = self
                    .removals
                    .iter()
                    .filter(|r| r.class == w.class && r.tick < w.tick && standing.contains(&r.hash))
                    .max_by_key(|r| r.tick)
                else {
                    continue;
                };
                if descends(registry.received(), &w.heads, r.hash) {
                    continue;
                }
                let v = d.verdicts(&w.doc).unwrap_or_default();
                if !(v.valid.contains(&w.hash)
                    || v.pending.contains(&w.hash)
                    || v.rejected.contains(&w.hash))
                {
                    continue;
                }
                checked.insert(w.hash);
                if v.valid.contains(&w.hash) {
                    return Err((
                        FailureKind::Forgery,
                        format!(
                            "device {i} holds the hostile write {} of {} (write after removal {}, made {} ms after it) as valid",
                            w.hash,
                            w.doc,
                            r.hash,
                            w.tick - r.tick
                        ),
                    ));
                }
            }
        }
        self.report.after_removal += checked.len();
        Ok(())
    }

    /// What honest device `i` keeps is bounded (issue 15, item 2): in every record document, no
    /// change signed by a key its registry does not name (nor by a flood's stranger), at most
    /// [`MAX_WAITING_PER_AUTHOR`] changes of one author waiting for dependencies and
    /// [`MAX_WAITING_PER_DOC`] in all, at most [`MAX_REJECTED_PER_AUTHOR`] rejected changes of
    /// one author — read from what its store holds.
    fn check_bounds(&self, i: usize) -> Result<(), Fail> {
        let d = self.devs[i].device();
        let org = d.org();
        let unbounded = |what: String| Err((FailureKind::Unbounded, format!("device {i} {what}")));
        for doc in d.documents().unwrap_or_default() {
            if doc == DocId::Registry {
                continue;
            }
            let v = d.verdicts(&doc).unwrap_or_default();
            let mut waiting: BTreeMap<DeviceId, usize> = BTreeMap::new();
            let mut rejected: BTreeMap<DeviceId, usize> = BTreeMap::new();
            for signed in d.export(&doc).unwrap_or_default() {
                let Ok(r) = Received::verify(&org, &doc, signed) else {
                    continue;
                };
                let named = d
                    .registry()
                    .is_some_and(|reg| reg.device(&r.author).is_some());
                if !named || self.flood.keys.contains(&r.author) {
                    return unbounded(format!(
                        "keeps a change of {doc} signed by a key its registry does not name"
                    ));
                }
                if v.pending.contains(&r.hash()) {
                    *waiting.entry(r.author).or_default() += 1;
                }
                if v.rejected.contains(&r.hash()) {
                    *rejected.entry(r.author).or_default() += 1;
                }
            }
            let most = |m: &BTreeMap<DeviceId, usize>| m.values().copied().max().unwrap_or(0);
            if most(&waiting) > MAX_WAITING_PER_AUTHOR || v.pending.len() > MAX_WAITING_PER_DOC {
                return unbounded(format!(
                    "keeps {} changes of {doc} waiting ({} of one author)",
                    v.pending.len(),
                    most(&waiting)
                ));
            }
            if most(&rejected) > MAX_REJECTED_PER_AUTHOR {
                return unbounded(format!(
                    "keeps {} rejected changes of one author in {doc}",
                    most(&rejected)
                ));
            }
        }
        Ok(())
    }

    /// At the end: every honest device's storage is bounded, and one never handed a flood holds
    /// none of its changes (waiting and rejected changes are never forwarded; a stranger's are
    /// never kept). Notes what the honest devices dropped.
    fn check_storage(&mut self) -> Result<(), Fail> {
        for i in self.present() {
            self.check_bounds(i)?;
            let d = self.devs[i].device();
            let dropped = d.dropped();
            let total = &mut self.report.dropped;
            total.unknown_author += dropped.unknown_author;
            total.waiting += dropped.waiting;
            total.rejected += dropped.rejected;
            total.revoked_waiting += dropped.revoked_waiting;
            if self.flood.flooded.contains(&i) {
                continue;
            }
            let held = self.devs[i].held_everything();
            let forwarded = held
                .values()
                .flatten()
                .filter(|h| self.flood.hashes.contains(h))
                .count();
            if forwarded > 0 {
                return Err((
                    FailureKind::Unbounded,
                    format!(
                        "device {i}, never handed a flood, holds {forwarded} of its changes (forwarded by another device)"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// After healing: every erasure made stands; no honest device that heard of an erasure
    /// (every live one, and a revoked one that heard before its revocation) holds anything of
    /// the erased record — no change, no state, no key, neither in the open device nor in its
    /// store reopened; and every live honest device signed its receipt, which reached the others.
    fn check_erasures(&mut self, live: &[usize]) -> Result<(), Fail> {
        let unerased = |what: String| Err((FailureKind::Unerased, what));
        let Some(reg) = self.devs[0].device().registry().cloned() else {
            return Ok(());
        };
        for her in &self.erased {
            if !reg.is_erased(her) {
                return unerased(format!(
                    "the erasure of {her} is not in device 0's registry after healing"
                ));
            }
        }
        for i in self.present() {
            let heard: Vec<RecordId> = self.devs[i]
                .device()
                .registry()
                .map(|r| r.erased.keys().copied().collect())
                .unwrap_or_default();
            if heard.is_empty() {
                continue;
            }
            let open = self.devs[i].traces_of(&heard);
            let stored = self.devs[i].stored_traces_of(&heard);
            if !(open.is_empty() && stored.is_empty()) {
                return unerased(format!(
                    "device {i} still holds, of erased records: {}; reopened: {}",
                    open.join(", "),
                    stored.join(", ")
                ));
            }
        }
        for (her, erasure) in reg.erased.iter().filter(|(_, e)| e.of.is_none()) {
            for &i in live {
                self.report.receipts += 1;
                if !erasure.receipts.contains_key(&self.devs[i].id()) {
                    return unerased(format!(
                        "live device {i} has not signed its receipt for the erasure of {her} (receipts: {})",
                        erasure.receipts.len()
                    ));
                }
            }
        }
        Ok(())
    }
}

/// `n` changes by `key` to `doc_id` (a document no one else writes: the first has no
/// dependency), each built on the one before, naming registry `heads`; with their hashes.
fn chain(
    key: &DeviceKey,
    org: &OrgId,
    doc_id: &DocId,
    n: usize,
    heads: &[ChangeHash],
    t: i64,
) -> Vec<(ChangeHash, SignedChange)> {
    let mut doc = Doc::new(doc_id.clone());
    doc.set_registry_heads(heads);
    let mut out = Vec::with_capacity(n);
    for k in 0..n {
        let typed = [format!("display_name=f{k}")];
        match doc.edit_record(key, &edits(&typed), t + k as i64) {
            Ok(Some(change)) => {
                out.push((change.hash(), SignedChange::sign(key, org, doc_id, &change)));
            }
            _ => break,
        }
    }
    out
}

/// Whether `heads` are `of` or descend from it, in `received` (a registry's changes).
fn descends(
    received: &BTreeMap<ChangeHash, Received>,
    heads: &[ChangeHash],
    of: ChangeHash,
) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<ChangeHash> = heads.to_vec();
    while let Some(h) = stack.pop() {
        if h == of {
            return true;
        }
        if seen.insert(h)
            && let Some(r) = received.get(&h)
        {
            stack.extend(r.change.deps().iter().copied());
        }
    }
    false
}

/// Runs one simulation of `steps` steps from `seed`.
pub fn run(seed: u64, steps: usize) -> Result<RunReport, Failure> {
    let fail = |(kind, what): Fail| Failure { seed, kind, what };
    let mut w = World::new(seed);
    let erasures = w.erasure_plan(steps);
    let flood_at = w.flood_plan(steps);
    for step in 0..steps {
        for &(_, by) in erasures.iter().filter(|(s, _)| *s == step) {
            w.erase(by);
        }
        if flood_at == Some(step) {
            w.flood().map_err(fail)?;
        }
        let i = w.honest();
        let j = w.honest();
        match w.rng.random_range(0..20) {
            0..=4 => w.write(i),
            5..=7 => w.session(i, j).map_err(fail)?,
            8 => {
                let key = (i.min(j), i.max(j));
                if !w.cut_off.remove(&key) && i != j {
                    w.cut_off.insert(key);
                }
            }
            9 => w.deliver(i, j),
            10 | 11 => w.registry_op(),
            12 => {
                let d = DAEMONS[w.rng.random_range(0..DAEMONS.len())];
                w.periodic(d).map_err(fail)?
            }
            13 => {
                let r = if w.rng.random_bool(0.8) { i } else { HOSTILE };
                w.report.restarts += 1;
                w.devs[r].restart();
            }
            14 | 15 => w.hostile_session(i).map_err(fail)?,
            _ => w.attack().map_err(fail)?,
        }
    }
    // An oversized message is refused before anything is allocated for it.
    if steps > 0 && Message::decode(&vec![1u8; MAX_MESSAGE + 1]).is_ok() {
        return Err(fail((
            FailureKind::Forgery,
            "an oversized message was decoded".into(),
        )));
    }
    let live = w.heal().map_err(fail)?;
    w.check(&live).map_err(fail)?;
    w.check_removals(&live).map_err(fail)?;
    w.check_storage().map_err(fail)?;
    w.check_erasures(&live).map_err(fail)?;
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
                totals.faulty += rep.faulty;
                totals.checked += rep.checked;
                totals.deliveries += rep.deliveries;
                totals.lent += rep.lent;
                totals.restarts += rep.restarts;
                totals.periodic += rep.periodic;
                totals.hostile_sessions += rep.hostile_sessions;
                totals.narrowings += rep.narrowings;
                totals.attacks += rep.attacks;
                totals.accepted_forgeries += rep.accepted_forgeries;
                totals.erasures += rep.erasures;
                totals.receipts += rep.receipts;
                totals.removals += rep.removals;
                totals.after_removal += rep.after_removal;
                totals.floods += rep.floods;
                totals.flooded += rep.flooded;
                totals.dropped.unknown_author += rep.dropped.unknown_author;
                totals.dropped.waiting += rep.dropped.waiting;
                totals.dropped.rejected += rep.dropped.rejected;
                totals.dropped.revoked_waiting += rep.dropped.revoked_waiting;
            }
            Err(f) => {
                match f.kind {
                    FailureKind::Divergence => totals.divergent += 1,
                    FailureKind::LeftBehind => totals.left_behind += 1,
                    FailureKind::Forgery => totals.accepted_forgeries += 1,
                    FailureKind::Unerased => totals.unerased += 1,
                    FailureKind::Unbounded => totals.unbounded += 1,
                }
                failures.push(f);
            }
        }
    }
    failures.sort_by_key(|f| f.seed);
    (totals, failures)
}
