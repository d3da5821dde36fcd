//! The measures of one association size (`carnet-bench --one N`, in its own process): the
//! association is generated and written into the director's device here, verification (4) and
//! reading (5) are measured on it here, then the director serves it from a device process of
//! its own and a new staff device joins from another (1, 2, 3), so that each device's peak
//! memory (6) is its own.

use std::time::Instant;

use anyhow::{Context, Result, bail};
use carnet_device::Device;
use carnet_model::{RecordKind, Role};
use carnet_replica::{DocId, SignedChange};
use serde::{Deserialize, Serialize};

use crate::association;
use crate::memory::{self, Memory};
use crate::net::{PASS, Session};
use crate::process::DeviceProcess;

/// At most this many signed changes are verified for measure 4 (evenly spread over the
/// documents): a rate needs no more, and holding all of them would weigh on the setup's memory.
const VERIFIED: usize = 20_000;

/// Figures of one size.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Figures {
    pub(crate) members: usize,
    pub(crate) records: usize,
    pub(crate) documents: usize,
    pub(crate) changes: usize,
    /// Seconds to generate the association and make its record writes.
    pub(crate) generate_s: f64,
    /// Seconds to write it (`write_checked`).
    pub(crate) setup_s: f64,
    /// `write_checked` calls.
    pub(crate) batches: usize,
    /// Life-cycle rules' warnings while writing it.
    pub(crate) warnings: usize,
    pub(crate) initial: Session,
    pub(crate) baseline_s: f64,
    pub(crate) baseline_docs: usize,
    pub(crate) incremental: Session,
    pub(crate) nochange: Session,
    pub(crate) verified: usize,
    pub(crate) verify_per_s: f64,
    pub(crate) raw_verify_per_s: f64,
    pub(crate) listed: usize,
    pub(crate) list_s: f64,
    pub(crate) raw_scan_s: f64,
    pub(crate) show_ms: f64,
    /// This process: generation, writes, measures 4 and 5.
    pub(crate) setup_memory: Option<Memory>,
    /// The joining device's process, during the initial sync.
    pub(crate) joining_memory: Option<Memory>,
    /// The serving device's process, during the initial sync.
    pub(crate) serving_initial_memory: Option<Memory>,
    /// The serving device's process, over its three sessions.
    pub(crate) serving_memory: Option<Memory>,
}

/// Measures the association of `members` members, written `batch` records per transaction (0:
/// one transaction).
pub(crate) fn one(members: usize, batch: usize) -> Result<Figures> {
    let dir = tempfile::tempdir()?;
    let home = dir.path().join("director");
    let mut f = Figures {
        members,
        ..Figures::default()
    };

    let t = Instant::now();
    let assoc = association::generate(members);
    let writes = association::writes(&assoc)?;
    f.generate_s = t.elapsed().as_secs_f64();
    f.records = writes.len();
    let member: String = assoc
        .snapshot
        .records
        .get(&RecordKind::Member)
        .and_then(|m| m.keys().next())
        .context("the association has no member")?
        .clone();
    drop(assoc);

    let mut director = Device::init(&home, PASS, "Bench", "Director", None, association::now())?;
    let t = Instant::now();
    let written = association::write(&mut director, &writes, batch)?;
    f.setup_s = t.elapsed().as_secs_f64();
    f.batches = written.batches;
    f.warnings = written.warnings;
    drop(writes);
    eprintln!(
        "{members} members: {} records generated in {:.2} s, written in {:.2} s ({} transactions), \
         peak RSS {:.0} MB",
        f.records,
        f.generate_s,
        f.setup_s,
        f.batches,
        memory::now().peak_mb
    );

    verification(&director, &mut f)?;
    reading(&director, &member, &mut f)?;
    f.setup_memory = Some(memory::now());
    drop(director);

    // 1, 2, 3 and 6: the director serves from a process of its own, a new device joins from
    // another. It is a staff device of the direction: the default policy keeps the governance
    // (GOV) and security (SEC) classes from staff, and the new device receives everything.
    let mut server = DeviceProcess::spawn()?;
    let addr = server.open(&home)?;
    let ticket = server.invite("staff", &[Role::Staff, Role::Direction])?;
    let mut joiner = DeviceProcess::spawn()?;
    eprintln!("{members} members: initial sync…");
    f.initial = joiner.join(&dir.path().join("staff"), &ticket)?;
    f.joining_memory = Some(joiner.memory()?);
    f.serving_initial_memory = Some(server.memory()?);
    // Every change, and the registry change enrolling the new device.
    if f.initial.new < f.changes {
        bail!(
            "the initial sync moved {} changes of {}",
            f.initial.new,
            f.changes
        );
    }

    // Incremental: one field of one record.
    server.touch(&member)?;
    f.incremental = joiner.sync(&addr)?;
    if f.incremental.new != 1 {
        bail!(
            "the incremental sync moved {} changes, not 1",
            f.incremental.new
        );
    }

    // Nothing changed.
    f.nochange = joiner.sync(&addr)?;
    f.serving_memory = Some(server.memory()?);
    joiner.quit()?;
    server.quit()?;
    Ok(f)
}

/// Measure 4: changes verified per second, against raw ed25519 over the same signed bytes.
fn verification(director: &Device, f: &mut Figures) -> Result<()> {
    let docs = director.documents()?;
    f.documents = docs.len();
    let held: usize = director.held_all()?.iter().map(|(_, h)| h.len()).sum();
    f.changes = held + director.export(&DocId::Registry)?.len();
    let step = docs.len().div_ceil(VERIFIED).max(1);
    let mut signed: Vec<(DocId, SignedChange)> = Vec::new();
    for doc in docs.into_iter().step_by(step) {
        for s in director.export(&doc)? {
            signed.push((doc.clone(), s));
        }
    }
    f.verified = signed.len();
    let org = director.org();
    let t = Instant::now();
    let ok = signed
        .iter()
        .filter(|(d, s)| s.verify(&org, d).is_ok())
        .count();
    f.verify_per_s = ok as f64 / t.elapsed().as_secs_f64();
    let prepared: Vec<(
        ed25519_dalek::VerifyingKey,
        Vec<u8>,
        ed25519_dalek::Signature,
    )> = signed
        .iter()
        .filter_map(|(d, s)| {
            let v = s.verify(&org, d).ok()?;
            let key = ed25519_dalek::VerifyingKey::from_bytes(&v.author.0).ok()?;
            let msg = SignedChange::signing_bytes(&org, d, &v.change.hash(), &s.registry_heads);
            Some((
                key,
                msg,
                ed25519_dalek::Signature::from_slice(&s.signature).ok()?,
            ))
        })
        .collect();
    let t = Instant::now();
    let raw = prepared
        .iter()
        .filter(|(k, m, s)| k.verify_strict(m, s).is_ok())
        .count();
    f.raw_verify_per_s = raw as f64 / t.elapsed().as_secs_f64();
    Ok(())
}

/// Measure 5: the member list and one member's record, against a scan of the same sealed
/// values.
fn reading(director: &Device, member: &str, f: &mut Figures) -> Result<()> {
    let kind = RecordKind::Member;
    let t = Instant::now();
    f.listed = director.list_shared(kind)?.len();
    f.list_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    // The same values the list opens: the members' shared documents.
    let suffixes: Vec<String> = kind
        .classes()
        .into_iter()
        .filter(|c| !c.is_personal())
        .map(|c| format!("/{}", c.code()))
        .collect();
    let shared = |doc: &str| suffixes.iter().any(|s| doc.ends_with(s.as_str()));
    let (scanned, _) = director.store().scan_sealed("member/", &shared)?;
    f.raw_scan_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let id = director.resolve(kind, member)?;
    std::hint::black_box(director.show(kind, id)?);
    f.show_ms = t.elapsed().as_secs_f64() * 1000.0;
    std::hint::black_box(scanned);
    Ok(())
}
