//! `carnet demo`: a tour of one device in a throw-away home: an organisation, members with
//! personal files, projects, edits, lists, signed history, verification, and a scan showing that
//! no personal value is readable in the files written.

use std::path::Path;

use anyhow::{Context, Result, bail};
use carnet_device::Device;
use carnet_model::{FieldEdit, RecordKind};

use crate::output;

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

/// Runs the demo.
pub(crate) fn run() -> Result<()> {
    let dir = tempfile::tempdir().context("cannot make a temporary directory")?;
    let home = dir.path().join("direction-laptop");
    let passphrase = uuid::Uuid::new_v4().to_string();
    let now = chrono::Utc::now();

    step(
        1,
        "a direction laptop creates the organisation (key, encrypted store, registry)",
    );
    let mut device = Device::init(
        &home,
        passphrase.as_bytes(),
        "Demo association",
        "Demo Director",
        Some("Paris"),
        now,
    )?;
    println!(
        "home {} — device {} (direction)",
        home.display(),
        device.id()
    );

    step(
        2,
        "staff record 12 members (card + personal file) and 3 projects, offline",
    );
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
    drop(device);

    step(
        3,
        "the laptop is closed and reopened with the passphrase; an edit is signed",
    );
    let mut device = Device::open(&home, passphrase.as_bytes())?;
    let joy = device.resolve(RecordKind::Member, "joy")?;
    let edits = [
        "status=active",
        "working_groups+=advocacy",
        "case_notes=Welcome meeting held; mentor to be chosen.",
    ]
    .iter()
    .map(|t| RecordKind::Member.parse_edit(t))
    .collect::<Result<Vec<_>, _>>()?;
    device.set(RecordKind::Member, joy, &edits, chrono::Utc::now())?;

    step(4, "member list (cards only) and project list");
    output::list(RecordKind::Member, &device.list(RecordKind::Member)?, false);
    output::list(
        RecordKind::Project,
        &device.list(RecordKind::Project)?,
        false,
    );

    step(5, "one member in full, as a direction device sees her");
    output::show(&device.show(RecordKind::Member, joy)?, false);

    step(
        6,
        "her history: every change, its device and holder, its fields, its signature",
    );
    output::history(
        &device,
        RecordKind::Member,
        joy,
        &device.history(RecordKind::Member, joy)?,
        false,
    );

    step(
        7,
        "carnet verify: every stored change and document re-verified",
    );
    let report = device.verify()?;
    output::verify(&report, false);
    drop(device);

    step(
        8,
        "scan of every file the device wrote, looking for the personal values in the clear",
    );
    let needles = personal_values();
    let (files, bytes, found) = scan(&home, &needles)?;
    println!(
        "scanned {files} file(s), {bytes} bytes, for {} personal values",
        needles.len()
    );
    if !found.is_empty() || !report.is_clean() {
        bail!("the demo found a problem: {}", found.join("; "));
    }
    println!("none found: the personal files are only readable with the passphrase");
    println!("\n(the temporary home is deleted now)");
    Ok(())
}
