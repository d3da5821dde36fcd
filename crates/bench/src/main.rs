//! `carnet-bench`: measures what syncing and reading cost, at several association sizes, each
//! against a baseline measured in the same run (these machines are shared and noisy: only ratios
//! mean something). Not a library. See `docs/performance.md`.
//!
//! Each size runs in its own process (`--one N`), so that its peak memory is its own.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use automerge::transaction::Transactable;
use automerge::{Automerge, ROOT};
use carnet_device::Device;
use carnet_model::{RecordKind, Role};
use carnet_node::{Node, NodeOptions, Ticket};
use carnet_replica::{DocId, SignedChange};
use chrono::Utc;
use clap::Parser;
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

const PASS: &[u8] = b"benchmark passphrase";

/// Measures sync, verification, reading and memory at several sizes.
#[derive(Parser)]
#[command(name = "carnet-bench")]
struct Args {
    /// Association sizes (members), comma-separated
    #[arg(long, value_delimiter = ',', default_value = "60,1000,10000")]
    sizes: Vec<usize>,
    /// Short run for CI: the smallest size only, and a 3-device line
    #[arg(long)]
    quick: bool,
    /// Devices in the line for the propagation measure
    #[arg(long, default_value_t = 10)]
    line: usize,
    /// Internal: run one size and print its figures as JSON
    #[arg(long, hide = true)]
    one: Option<usize>,
    /// Internal: measure the plain-Automerge baseline of one size and print its seconds
    #[arg(long, hide = true)]
    baseline: Option<usize>,
}

/// Figures of one size.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Figures {
    members: usize,
    documents: usize,
    changes: usize,
    setup_s: f64,
    initial_s: f64,
    initial_bytes: usize,
    baseline_s: f64,
    incremental_s: f64,
    incremental_bytes: usize,
    nochange_s: f64,
    nochange_bytes: usize,
    nochange_messages: usize,
    verify_per_s: f64,
    raw_verify_per_s: f64,
    list_s: f64,
    raw_scan_s: f64,
    show_ms: f64,
    peak_rss_mb: f64,
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// Synthetic member `i`: fictitious names mixing scripts and diacritics, a card and a personal
/// file (the generator of issue 5 will replace this).
fn member(i: usize) -> Vec<String> {
    const FIRST: [&str; 6] = ["Adébáyọ̀", "Ngozi", "Amélie", "Chiamaka", "Fatou", "Ọmọ́làrà"];
    const LAST: [&str; 6] = [
        "Ọlátúnjí",
        "Chukwuemeka",
        "Kabongo",
        "Nwosu",
        "Diallo",
        "Adéyẹmí",
    ];
    const GROUPS: [&str; 6] = [
        "advocacy",
        "media",
        "social work",
        "partnerships",
        "community organising",
        "support-group coordination",
    ];
    vec![
        format!("display_name={} {i}", FIRST[i % 6]),
        format!(
            "status={}",
            if i.is_multiple_of(3) {
                "active"
            } else {
                "member"
            }
        ),
        "member_since=2023-05-01".into(),
        format!("working_groups={}", GROUPS[i % 6]),
        format!("speaks_french={}", if i % 5 < 2 { "yes" } else { "no" }),
        format!("first_name={}", FIRST[(i / 6) % 6]),
        format!("last_name={} {i}", LAST[i % 6]),
        format!(
            "date_of_birth=19{:02}-0{}-1{}",
            60 + i % 40,
            1 + i % 9,
            i % 10
        ),
        "nationality=Nigerian".into(),
        format!("phone=+33 6 {:08}", i),
        format!(
            "city={}",
            ["Paris", "Marseille", "Nice", "Montpellier", "Bayonne"][i % 5]
        ),
        "case_notes=Welcome meeting held; follow-up in place.".into(),
    ]
}

async fn node(device: Device) -> Result<Node> {
    let opts = NodeOptions {
        bind: "127.0.0.1:0".parse()?,
        mdns: false,
        relay: None,
    };
    Ok(Node::spawn(Arc::new(Mutex::new(device)), opts).await?.0)
}

/// A new staff device joins `inviter`; returns it and the session's figures.
async fn join(dir: &Path, name: &str, inviter: &Node) -> Result<(Node, Duration, usize)> {
    let roles = BTreeSet::from([Role::Staff]);
    let secret = inviter.device().lock().await.invite(
        roles,
        name,
        None,
        Some("2026-01-01".into()),
        Utc::now() + chrono::Duration::hours(1),
    )?;
    let org = inviter.device().lock().await.org();
    let ticket = Ticket {
        org: *org.0.as_bytes(),
        inviter: inviter.addr(),
        secret,
    };
    let n = node(Device::create_joining(&dir.join(name), PASS, org)?).await?;
    let t = Instant::now();
    let o = n.sync_with(&ticket.inviter, Some(ticket.secret)).await;
    let took = t.elapsed();
    if let Some(e) = o.error {
        bail!("join failed: {e}");
    }
    Ok((n, took, o.stats.bytes_sent + o.stats.bytes_received))
}

/// Plain Automerge moving the same documents: no signatures, no store, no network.
fn baseline(members: usize) -> f64 {
    let kind = RecordKind::Member;
    let mut docs = Vec::new();
    for i in 0..members {
        for class in kind.classes() {
            let mut doc = Automerge::new();
            let mut tx = doc.transaction();
            for typed in member(i) {
                let (name, value) = typed.split_once('=').unwrap_or_default();
                if kind.field(name).is_some_and(|f| f.class == class) {
                    let _ = tx.put(ROOT, name, value);
                }
            }
            tx.commit();
            docs.push(doc);
        }
    }
    let t = Instant::now();
    let mut moved = 0;
    for d in &docs {
        let mut copy = Automerge::new();
        if copy.apply_changes(d.get_changes(&[])).is_ok() {
            moved += copy.get_heads().len();
        }
    }
    std::hint::black_box(moved);
    t.elapsed().as_secs_f64()
}

async fn one(members: usize) -> Result<Figures> {
    let dir = tempfile::tempdir()?;
    let mut f = Figures {
        members,
        ..Figures::default()
    };
    let kind = RecordKind::Member;
    let t = Instant::now();
    let mut director = Device::init(
        &dir.path().join("director"),
        PASS,
        "Bench",
        "Director",
        None,
        Utc::now(),
    )?;
    let mut first = None;
    for i in 0..members {
        let edits: Vec<_> = member(i)
            .iter()
            .map(|e| kind.parse_edit(e))
            .collect::<Result<_, _>>()?;
        let id = director.add(kind, &edits, Utc::now())?;
        first.get_or_insert(id);
    }
    f.setup_s = t.elapsed().as_secs_f64();
    let first = first.context("no member")?;
    f.documents = director.documents()?.len();

    // Verification throughput, against raw ed25519 over the same signed bytes.
    let mut signed: Vec<(DocId, SignedChange)> = Vec::new();
    for doc in director.documents()? {
        for s in director.export(&doc)? {
            signed.push((doc.clone(), s));
        }
    }
    f.changes = signed.len();
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

    // Reading, against a scan of the same sealed values.
    let t = Instant::now();
    let listed = director.list(kind)?.len();
    f.list_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let (scanned, _) = director.store().scan_sealed("member/", &|_| true)?;
    f.raw_scan_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let id = director.resolve(kind, &first.to_string())?;
    std::hint::black_box(director.show(kind, id)?);
    f.show_ms = t.elapsed().as_secs_f64() * 1000.0;
    std::hint::black_box((listed, scanned));

    // Initial sync: a new staff device receives everything over iroh on loopback.
    let director = node(director).await?;
    let (staff, took, bytes) = join(dir.path(), "staff", &director).await?;
    f.initial_s = took.as_secs_f64();
    f.initial_bytes = bytes;

    // Incremental: one field of one record.
    director.device().lock().await.set(
        kind,
        first,
        &[kind.parse_edit("status=left")?],
        Utc::now(),
    )?;
    let t = Instant::now();
    let o = staff.sync_with(&director.addr(), None).await;
    f.incremental_s = t.elapsed().as_secs_f64();
    f.incremental_bytes = o.stats.bytes_sent + o.stats.bytes_received;
    if o.stats.applied.new != 1 {
        bail!(
            "the incremental sync moved {} changes, not 1",
            o.stats.applied.new
        );
    }

    // Nothing changed.
    let t = Instant::now();
    let o = staff.sync_with(&director.addr(), None).await;
    f.nochange_s = t.elapsed().as_secs_f64();
    f.nochange_bytes = o.stats.bytes_sent + o.stats.bytes_received;
    f.nochange_messages = o.stats.messages_sent + o.stats.messages_received;
    f.peak_rss_mb = peak_rss_mb();
    staff.shutdown().await;
    director.shutdown().await;
    Ok(f)
}

/// A change made at one end of a line of `n` devices (each meets only its neighbours): time to
/// reach the other end, and one hop.
async fn line(n: usize) -> Result<(f64, f64)> {
    let dir = tempfile::tempdir()?;
    let kind = RecordKind::Member;
    let mut d = Device::init(
        &dir.path().join("d0"),
        PASS,
        "Bench",
        "Director",
        None,
        Utc::now(),
    )?;
    let id = d.add(
        kind,
        &[
            kind.parse_edit("display_name=Joy")?,
            kind.parse_edit("status=member")?,
        ],
        Utc::now(),
    )?;
    let d0 = node(d).await?;
    let mut nodes = vec![d0];
    for i in 1..n {
        let (next, _, _) = join(dir.path(), &format!("d{i}"), &nodes[0]).await?;
        nodes.push(next);
    }
    // Everyone holds the registry with everyone in it.
    for i in 1..n {
        nodes[i].sync_with(&nodes[0].addr(), None).await;
    }
    nodes[0].device().lock().await.set(
        kind,
        id,
        &[kind.parse_edit("status=active")?],
        Utc::now(),
    )?;
    let mut hops = Vec::new();
    let t = Instant::now();
    for i in 1..n {
        let h = Instant::now();
        let o = nodes[i].sync_with(&nodes[i - 1].addr(), None).await;
        if let Some(e) = o.error {
            bail!("hop {i} failed: {e}");
        }
        hops.push(h.elapsed().as_secs_f64());
    }
    let total = t.elapsed().as_secs_f64();
    let last = nodes[n - 1].device().lock().await.show(kind, id)?;
    if last.fields["status"].value.to_string() != "active" {
        bail!("the change did not reach the end of the line");
    }
    for n in nodes {
        n.shutdown().await;
    }
    Ok((total, hops[0]))
}

fn main() -> Result<()> {
    let args = Args::parse();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    if let Some(n) = args.baseline {
        // Its own process: holding every document in memory must not count as a device's.
        println!("{}", baseline(n));
        return Ok(());
    }
    if let Some(n) = args.one {
        let f = rt.block_on(one(n))?;
        println!("{}", serde_json::to_string(&f)?);
        return Ok(());
    }
    let sizes: Vec<usize> = if args.quick {
        vec![*args.sizes.iter().min().unwrap_or(&60)]
    } else {
        args.sizes.clone()
    };
    let exe = std::env::current_exe()?;
    let mut all = Vec::new();
    for n in &sizes {
        eprintln!("measuring {n} members…");
        let out = std::process::Command::new(&exe)
            .args(["--one", &n.to_string()])
            .output()?;
        if !out.status.success() {
            bail!(
                "the {n}-member run failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let mut f = serde_json::from_slice::<Figures>(&out.stdout)?;
        let base = std::process::Command::new(&exe)
            .args(["--baseline", &n.to_string()])
            .output()?;
        f.baseline_s = String::from_utf8_lossy(&base.stdout)
            .trim()
            .parse()
            .context("baseline figure")?;
        all.push(f);
    }
    let line_len = if args.quick { 3 } else { args.line };
    eprintln!("measuring a line of {line_len} devices…");
    let (end, hop) = rt.block_on(line(line_len))?;
    print_table(&all, line_len, end, hop);
    Ok(())
}

/// How one row of the table reads a size's figures.
type Cell = Box<dyn Fn(&Figures) -> String>;

fn print_table(all: &[Figures], line_len: usize, end: f64, hop: f64) {
    let col = |f: &dyn Fn(&Figures) -> String| all.iter().map(f).collect::<Vec<_>>().join(" | ");
    let header = all
        .iter()
        .map(|f| format!("{} members", f.members))
        .collect::<Vec<_>>()
        .join(" | ");
    println!("| measure | {header} |");
    println!("|---|{}", "---|".repeat(all.len()));
    let rows: Vec<(&str, Cell)> = vec![
        (
            "documents / signed changes",
            Box::new(|f| format!("{} / {}", f.documents, f.changes)),
        ),
        (
            "setup (records written one command each)",
            Box::new(|f| format!("{:.2} s", f.setup_s)),
        ),
        (
            "1. initial sync over iroh",
            Box::new(|f| format!("{:.3} s, {} KB", f.initial_s, f.initial_bytes / 1024)),
        ),
        (
            "1. baseline: plain Automerge, in memory",
            Box::new(|f| format!("{:.3} s", f.baseline_s)),
        ),
        (
            "1. ratio (goal ≤ 2× at 10,000)",
            Box::new(|f| format!("{:.1}×", f.initial_s / f.baseline_s)),
        ),
        (
            "2. incremental sync (one field)",
            Box::new(|f| format!("{:.1} ms, {} B", f.incremental_s * 1e3, f.incremental_bytes)),
        ),
        (
            "2. incremental / initial (goal ≤ 1%)",
            Box::new(|f| format!("{:.2}%", 100.0 * f.incremental_s / f.initial_s)),
        ),
        (
            "3. nothing changed",
            Box::new(|f| {
                format!(
                    "{} msgs, {} B, {:.1} ms",
                    f.nochange_messages,
                    f.nochange_bytes,
                    f.nochange_s * 1e3
                )
            }),
        ),
        (
            "4. verification (changes/s)",
            Box::new(|f| format!("{:.0}", f.verify_per_s)),
        ),
        (
            "4. raw ed25519 (signatures/s)",
            Box::new(|f| format!("{:.0}", f.raw_verify_per_s)),
        ),
        (
            "4. ratio (goal ≥ 0.5×)",
            Box::new(|f| format!("{:.2}×", f.verify_per_s / f.raw_verify_per_s)),
        ),
        (
            "5. member list",
            Box::new(|f| format!("{:.1} ms", f.list_s * 1e3)),
        ),
        (
            "5. raw scan of the sealed values",
            Box::new(|f| format!("{:.1} ms", f.raw_scan_s * 1e3)),
        ),
        (
            "5. ratio (goal ≤ 5×)",
            Box::new(|f| format!("{:.1}×", f.list_s / f.raw_scan_s)),
        ),
        (
            "5. member show (goal ≤ 5 ms)",
            Box::new(|f| format!("{:.2} ms", f.show_ms)),
        ),
        (
            "6. peak RSS, both devices in one process (goal ≤ 300 MB)",
            Box::new(|f| format!("{:.0} MB", f.peak_rss_mb)),
        ),
    ];
    for (name, f) in rows {
        println!("| {name} | {} |", col(&*f));
    }
    println!();
    println!(
        "7. a change crossing a line of {line_len} devices: {:.1} ms end to end, {:.1} ms one hop ({:.1}×)",
        end * 1e3,
        hop * 1e3,
        end / hop
    );
}
