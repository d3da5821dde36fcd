//! `carnet demo`: three devices (direction, staff, board laptops) on this machine, in a
//! throw-away directory, on loopback: an organisation, invitations, offline edits, sync, what
//! each device holds, a revocation, verification, and a scan of the board laptop's files.

use std::path::Path;

use std::collections::BTreeSet;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use carnet_device::{Device, RecordWrite};
use carnet_model::{RecordKind, Role};
use carnet_node::{Node, NodeOptions, Ticket};
use carnet_replica::RecordId;
use tokio::sync::Mutex;

use crate::{net, output};

fn step(n: u32, what: &str) {
    println!("\n== {n}. {what}");
}

fn scan(dir: &Path, needles: &[&str]) -> Result<(usize, u64, Vec<String>)> {
    let (mut files, mut bytes, mut found) = (0, 0, Vec::new());
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            let (f, b, mut n) = scan(&path, needles)?;
            files += f;
            bytes += b;
            found.append(&mut n);
            continue;
        }
        let data = std::fs::read(&path)?;
        files += 1;
        bytes += data.len() as u64;
        for needle in needles {
            if data.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                found.push(format!("a personal value in {}", path.display()));
            }
        }
    }
    Ok((files, bytes, found))
}

async fn node(device: Device) -> Result<Node> {
    let opts = NodeOptions {
        bind: "127.0.0.1:0".parse()?,
        mdns: false,
        relay: None,
    };
    Ok(Node::spawn(Arc::new(Mutex::new(device)), opts).await?.0)
}

/// A new device joins through an invitation from `inviter`.
async fn join(
    dir: &Path,
    name: &str,
    role: Role,
    agreement: bool,
    inviter: &Node,
    passphrase: &str,
) -> Result<Node> {
    let org = inviter.device().lock().await.org();
    let signed = agreement.then(|| chrono::Utc::now().format("%Y-%m-%d").to_string());
    let expires = chrono::Utc::now() + chrono::Duration::minutes(10);
    let secret = inviter.device().lock().await.invite(
        BTreeSet::from([role]),
        name,
        None,
        signed,
        expires,
        false,
    )?;
    let ticket = Ticket {
        org: *org.0.as_bytes(),
        inviter: inviter.addr(),
        secret,
    };
    println!("ticket for {name} ({role}): {ticket}");
    let device = Device::create_joining(&dir.join(name), passphrase.as_bytes(), org)?;
    let n = node(device).await?;
    let outcome = n.sync_with(&ticket.inviter, Some(ticket.secret)).await;
    println!(
        "  {name} joined: {}",
        net::describe(&*n.device().lock().await, &outcome)
    );
    if let Some(e) = outcome.error {
        bail!("joining failed: {e}");
    }
    Ok(n)
}

async fn sync(a: &Node, b: &Node) {
    let o = a.sync_with(&b.addr(), None).await;
    let holder = a
        .device()
        .lock()
        .await
        .registry()
        .and_then(|r| r.device(&carnet_replica::DeviceId(a.id())))
        .map(|d| d.holder.clone())
        .unwrap_or_default();
    println!(
        "  {holder} ↔ {}",
        net::describe(&*a.device().lock().await, &o)
    );
}

async fn holdings(name: &str, n: &Node) -> Result<Vec<String>> {
    let d = n.device().lock().await;
    let members = d.list(RecordKind::Member)?.len();
    let projects = d.list(RecordKind::Project)?.len();
    let per = d
        .documents()?
        .iter()
        .filter(|doc| doc.class() == Some(carnet_model::FieldClass::Per))
        .count();
    let roles = d
        .registry()
        .and_then(|r| r.device(&d.id()))
        .map(|e| {
            e.roles
                .iter()
                .map(|r| r.name())
                .collect::<Vec<_>>()
                .join("+")
        })
        .unwrap_or_default();
    Ok(vec![
        name.to_owned(),
        roles,
        members.to_string(),
        projects.to_string(),
        per.to_string(),
    ])
}

/// Runs the demo: three devices on this machine, on loopback.
pub(crate) fn run() -> Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?
        .block_on(run_async())
}

async fn run_async() -> Result<()> {
    let dir = tempfile::tempdir().context("cannot make a temporary directory")?;
    let passphrase = uuid::Uuid::new_v4().to_string();
    let now = chrono::Utc::now();
    println!(
        "three devices in {} (deleted at the end), talking over loopback only",
        dir.path().display()
    );

    // Mist's sizes, with fewer referrals and talking groups so that the tour stays short.
    let mut scale = carnet_gen::Scale::mist();
    scale.referrals_per_year = 12;
    scale.podcasts_per_month = 0;
    let assoc = carnet_gen::generate(1, &scale, now.date_naive());
    let members = assoc.snapshot.of(RecordKind::Member).count();
    step(
        1,
        &format!(
            "the direction laptop creates the organisation and records a synthetic association \
             ({members} people with their personal files, projects, activities, mandates…)"
        ),
    );
    let mut device = Device::init(
        &dir.path().join("direction"),
        passphrase.as_bytes(),
        "Demo association",
        "Demo Director",
        Some("Paris"),
        now,
    )?;
    let writes = crate::transfer::association_writes(&assoc)?;
    device.write_checked(&writes, now)?;
    println!(
        "  {} records, checked against the association's rules",
        writes.len()
    );
    let direction = node(device).await?;
    println!("direction laptop listening at {}", direction.addr());

    step(
        2,
        "it invites a staff laptop (agreement signed) and a board laptop; each joins with its ticket",
    );
    let staff = join(
        dir.path(),
        "staff",
        Role::Staff,
        true,
        &direction,
        &passphrase,
    )
    .await?;
    let board = join(
        dir.path(),
        "board",
        Role::Board,
        true,
        &direction,
        &passphrase,
    )
    .await?;

    step(
        3,
        "offline, the staff laptop welcomes a new member in Marseille; the director checks in on the silent ones",
    );
    let kind = RecordKind::Member;
    let rose = RecordId::random();
    let today = now.format("%Y-%m-%d").to_string();
    let typed = [
        "display_name=Rose".to_owned(),
        "status=member".to_owned(),
        format!("member_since={today}"),
        "first_name=Rosemary".to_owned(),
        "last_name=Adeyemi".to_owned(),
        "city=Marseille".to_owned(),
    ];
    let edits = typed
        .iter()
        .map(|t| kind.parse_edit(t))
        .collect::<Result<Vec<_>, _>>()?;
    // Joining is the card and the signed member form, in one write (rule M1).
    let sig = RecordKind::Signature;
    let signature = [
        format!("person={rose}"),
        "form=member".to_owned(),
        format!("signed_on={today}"),
    ]
    .iter()
    .map(|t| sig.parse_edit(t))
    .collect::<Result<Vec<_>, _>>()?;
    staff.device().lock().await.write_checked(
        &[
            RecordWrite {
                kind,
                id: rose,
                edits,
                create: true,
            },
            RecordWrite {
                kind: sig,
                id: RecordId::random(),
                edits: signature,
                create: true,
            },
        ],
        chrono::Utc::now(),
    )?;
    {
        // The director hears from the members who had been silent (a welfare check-in).
        let mut d = direction.device().lock().await;
        let silent = &assoc.truth.scenarios.silent;
        let mut writes = Vec::new();
        for person in silent {
            let e = [
                format!("person={person}"),
                format!("checked_on={today}"),
                "outcome=safe".to_owned(),
            ]
            .iter()
            .map(|t| RecordKind::Welfare.parse_edit(t))
            .collect::<Result<Vec<_>, _>>()?;
            writes.push(RecordWrite {
                kind: RecordKind::Welfare,
                id: RecordId::random(),
                edits: e,
                create: true,
            });
        }
        d.write_checked(&writes, chrono::Utc::now())?;
        println!(
            "  the director records {} welfare check-in(s)",
            writes.len()
        );
    }

    step(4, "back on the same network, they sync");
    sync(&staff, &direction).await;
    sync(&board, &direction).await;
    sync(&staff, &direction).await;

    step(
        5,
        "what each device holds (the board laptop holds no personal file)",
    );
    let rows = vec![
        holdings("direction", &direction).await?,
        holdings("staff", &staff).await?,
        holdings("board", &board).await?,
    ];
    output::table(
        &["DEVICE", "ROLE", "MEMBERS", "PROJECTS", "PERSONAL FILES"],
        &rows,
    );
    {
        let d = board.device().lock().await;
        let rose = d.resolve(RecordKind::Member, "rose")?;
        println!("\nthe new member as the board laptop sees her:");
        output::show(&d.show(RecordKind::Member, rose)?, false);
    }

    step(
        6,
        "what needs attention today, and the funders' figures for 2022–2023 (counts, never names)",
    );
    {
        let d = direction.device().lock().await;
        let snapshot = d.snapshot()?;
        let findings = carnet_rules::todo(&snapshot, now.date_naive());
        for f in &findings {
            println!(
                "  [{}] {} {}: {}",
                f.severity,
                f.rule,
                f.rule.summary(),
                f.message
            );
        }
        if findings.is_empty() {
            println!("  nothing needs attention today");
        }
        let (from, to) = (
            chrono::NaiveDate::from_ymd_opt(2022, 1, 1).context("a date")?,
            chrono::NaiveDate::from_ymd_opt(2023, 12, 31).context("a date")?,
        );
        let report = carnet_report::report(&snapshot, &carnet_report::Request::new(from, to));
        let history = &assoc.truth.history_project;
        let title = format!(
            "{}{}",
            carnet_report::labels::PROJECT_PREFIX,
            assoc.truth.projects[history].title
        );
        for section in report
            .sections
            .iter()
            .filter(|s| s.title == carnet_report::labels::MEMBERSHIP || s.title == title)
        {
            println!("  {}", section.title);
            for row in &section.rows {
                println!("    {:<48} {}", row.label, report.show(row.value));
            }
        }
    }

    step(
        7,
        "the board laptop is lost: the director revokes it; it is refused from then on",
    );
    let lost = carnet_replica::DeviceId(board.id());
    direction
        .device()
        .lock()
        .await
        .revoke(lost, chrono::Utc::now())?;
    sync(&staff, &direction).await;
    let o = board.sync_with(&direction.addr(), None).await;
    println!(
        "  board → direction: {}",
        o.error.clone().unwrap_or_else(|| "accepted?!".into())
    );
    let o2 = board.sync_with(&staff.addr(), None).await;
    println!(
        "  board → staff: {}",
        o2.error.clone().unwrap_or_else(|| "accepted?!".into())
    );

    step(8, "every device re-verifies what it holds");
    for (name, n) in [
        ("direction", &direction),
        ("staff", &staff),
        ("board", &board),
    ] {
        let report = n.device().lock().await.verify()?;
        println!(
            "  {name}: {} documents, {} changes, {}",
            report.documents,
            report.changes,
            if report.is_clean() {
                "all verified"
            } else {
                "PROBLEMS"
            }
        );
    }

    let mut failed = o.error.is_none() || o2.error.is_none();
    for n in [direction, staff, board] {
        n.shutdown().await;
    }
    step(
        9,
        "scan of every file on the board laptop for the personal values in the clear",
    );
    let mut needles: Vec<&str> = assoc.personal_values.iter().map(String::as_str).collect();
    needles.extend(["Rosemary", "Adeyemi"]);
    let (files, bytes, found) = scan(&dir.path().join("board"), &needles)?;
    println!(
        "scanned {files} file(s), {bytes} bytes: {}",
        if found.is_empty() {
            "none found"
        } else {
            "FOUND"
        }
    );
    failed |= !found.is_empty();
    if failed {
        bail!("the demo found a problem");
    }
    println!("\ndone: the temporary directory is deleted now");
    Ok(())
}
