//! `carnet demo`: three devices (direction, staff, board laptops) on this machine, in a
//! throw-away directory, on loopback: an organisation, invitations, offline edits, sync, what
//! each device holds, a revocation, verification, and a scan of the board laptop's files.

use std::path::Path;

use std::collections::BTreeSet;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use carnet_device::Device;
use carnet_model::{FieldEdit, RecordKind, Role};
use carnet_node::{Node, NodeOptions, Ticket};
use tokio::sync::Mutex;

use crate::{net, output};

/// Synthetic members (fictitious names mixing scripts and diacritics): display name, status,
/// groups, speaks French, then personal-file fields.
type DemoMember = (
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static [(&'static str, &'static str)],
);

const MEMBERS: &[DemoMember] = &[
    (
        "Adébáyọ̀",
        "active",
        "advocacy,media",
        true,
        &[
            ("first_name", "Adébáyọ̀"),
            ("last_name", "Ọlátúnjí"),
            ("date_of_birth", "1991-03-14"),
            ("nationality", "Nigerian"),
            ("city", "Paris"),
        ],
    ),
    (
        "Ngozi",
        "active",
        "social work",
        false,
        &[
            ("first_name", "Ngozi"),
            ("last_name", "Chukwuemeka"),
            ("phone", "+33 6 00 00 00 01"),
            ("city", "Marseille"),
        ],
    ),
    (
        "Joy",
        "member",
        "media",
        false,
        &[
            ("first_name", "Joy"),
            ("last_name", "Okafor"),
            ("immigration_status", "titre de séjour, renewal pending"),
        ],
    ),
    (
        "Amélie",
        "active",
        "partnerships",
        true,
        &[
            ("first_name", "Amélie"),
            ("last_name", "Kabongo"),
            ("nationality", "Congolese"),
            ("city", "Nice"),
        ],
    ),
    (
        "Blessing",
        "member",
        "",
        false,
        &[
            ("first_name", "Blessing"),
            ("last_name", "Eze"),
            ("referring_organisation", "a shelter in Montpellier"),
        ],
    ),
    (
        "Chiamaka",
        "active",
        "community organising",
        false,
        &[("first_name", "Chiamaka"), ("last_name", "Nwosu")],
    ),
    (
        "Fatou",
        "member",
        "support-group coordination",
        true,
        &[
            ("first_name", "Fatou"),
            ("last_name", "Diallo"),
            ("city", "Bayonne"),
        ],
    ),
    (
        "Ọmọ́làrà",
        "active",
        "advocacy",
        false,
        &[("first_name", "Ọmọ́làrà"), ("last_name", "Adéyẹmí")],
    ),
    (
        "Grâce",
        "left",
        "",
        true,
        &[("first_name", "Grâce"), ("last_name", "Mbuyi")],
    ),
    (
        "Esther",
        "member",
        "media",
        false,
        &[
            ("first_name", "Esther"),
            ("last_name", "Obi"),
            ("case_notes", "Prefers contact through her mentor."),
        ],
    ),
    (
        "Precious",
        "active",
        "social work,advocacy",
        false,
        &[("first_name", "Precious"), ("last_name", "Ugwu")],
    ),
    (
        "Mariam",
        "prospect",
        "",
        true,
        &[("first_name", "Mariam"), ("last_name", "Traoré")],
    ),
];

const PROJECTS: &[&[&str]] = &[
    &[
        "title=History/OurStory workshops",
        "period_start=2022-01-01",
        "period_end=2023-12-31",
        "funders=a city council,a foundation",
        "targets=15 workshops",
    ],
    &[
        "title=Between Peers",
        "period_start=2023-09-01",
        "period_end=2025-08-31",
        "partners=a child-protection charity",
        "targets=support 20 minors",
    ],
    &[
        "title=Podcast",
        "period_start=2024-01-01",
        "period_end=2025-12-31",
        "targets=5 episodes",
    ],
];

fn step(n: u32, what: &str) {
    println!("\n== {n}. {what}");
}

fn member_edits(m: &DemoMember) -> Result<Vec<FieldEdit>> {
    let kind = RecordKind::Member;
    let mut typed = vec![
        format!("display_name={}", m.0),
        format!("status={}", m.1),
        "member_since=2023-05-01".to_owned(),
        format!("speaks_french={}", if m.3 { "yes" } else { "no" }),
    ];
    if !m.2.is_empty() {
        typed.push(format!("working_groups={}", m.2));
    }
    typed.extend(m.4.iter().map(|(k, v)| format!("{k}={v}")));
    Ok(typed
        .iter()
        .map(|t| kind.parse_edit(t))
        .collect::<Result<_, _>>()?)
}

/// Every personal value the demo writes, to look for in the files afterwards.
fn personal_values() -> Vec<&'static str> {
    MEMBERS
        .iter()
        .flat_map(|m| m.4.iter().map(|(_, v)| *v))
        .collect()
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

    step(
        1,
        "the direction laptop creates the organisation and records 12 members and 3 projects",
    );
    let mut device = Device::init(
        &dir.path().join("direction"),
        passphrase.as_bytes(),
        "Demo association",
        "Demo Director",
        Some("Paris"),
        now,
    )?;
    for m in MEMBERS {
        device.add(RecordKind::Member, &member_edits(m)?, now)?;
    }
    for p in PROJECTS {
        let edits: Vec<FieldEdit> = p
            .iter()
            .map(|t| RecordKind::Project.parse_edit(t))
            .collect::<Result<_, _>>()?;
        device.add(RecordKind::Project, &edits, now)?;
    }
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
        "offline, the staff laptop welcomes a new member in Marseille; the director edits another",
    );
    let edits = [
        "display_name=Rose",
        "status=member",
        "first_name=Rosemary",
        "last_name=Adeyemi",
        "city=Marseille",
    ]
    .iter()
    .map(|t| RecordKind::Member.parse_edit(t))
    .collect::<Result<Vec<_>, _>>()?;
    staff
        .device()
        .lock()
        .await
        .add(RecordKind::Member, &edits, chrono::Utc::now())?;
    {
        let mut d = direction.device().lock().await;
        let joy = d.resolve(RecordKind::Member, "joy")?;
        let e = [RecordKind::Member.parse_edit("status=active")?];
        d.set(RecordKind::Member, joy, &e, chrono::Utc::now())?;
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

    step(7, "every device re-verifies what it holds");
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
        8,
        "scan of every file on the board laptop for the personal values in the clear",
    );
    let mut needles = personal_values();
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
