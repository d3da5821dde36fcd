//! The generated association: deterministic, valid for the model, and true to `domain.md` §6.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};

use carnet_gen::{Association, EARLIEST_TODAY, Scale, generate};
use carnet_model::{EditOp, FieldType, Record, RecordKind, Snapshot, Value, check_record};
use chrono::{Datelike, Months, NaiveDate};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The days the tests generate for: a spring and an autumn day, and the earliest supported.
fn todays() -> [NaiveDate; 3] {
    [day(2026, 3, 1), day(2025, 10, 17), EARLIEST_TODAY]
}

const SEEDS: [u64; 4] = [1, 7, 42, 2026];

fn records(s: &Snapshot, kind: RecordKind) -> Vec<(&str, &Record)> {
    s.of(kind).collect()
}

fn text<'a>(r: &'a Record, f: &str) -> &'a str {
    r.text(f).unwrap_or_default()
}

#[test]
fn same_seed_same_association_other_seed_other_association() {
    let today = day(2026, 3, 1);
    let a = generate(11, &Scale::mist(), today);
    let b = generate(11, &Scale::mist(), today);
    assert_eq!(a, b);
    assert_eq!(format!("{a:?}"), format!("{b:?}"), "byte for byte");
    let c = generate(12, &Scale::mist(), today);
    assert_ne!(a.snapshot, c.snapshot);
    assert_ne!(a.names, c.names);
    let ids = |x: &Association| -> BTreeSet<String> {
        x.snapshot
            .records
            .values()
            .flat_map(|m| m.keys().cloned())
            .collect()
    };
    assert!(ids(&a).is_disjoint(&ids(&c)), "ids come from the seed");
}

/// Every value goes through the model's own parser unchanged, every record passes
/// `check_record`, and every reference points at a record of the right kind.
fn assert_valid(a: &Association) {
    let s = &a.snapshot;
    for (kind, recs) in &s.records {
        for (id, rec) in recs {
            assert!(
                uuid_like(id),
                "{kind} id {id} is not a lowercase hyphenated v4 UUID"
            );
            for (name, value) in &rec.fields {
                let spec = kind
                    .field(name)
                    .unwrap_or_else(|| panic!("{kind} has no field {name}"));
                assert!(value.fits(&spec.ty), "{kind}.{name} = {value:?}");
                let typed = value.to_string();
                let edit = spec
                    .edit(None, &typed)
                    .unwrap_or_else(|e| panic!("{kind}.{name}: {e}"));
                assert_eq!(edit.op, EditOp::Set(value.clone()), "{kind}.{name}");
                let targets: Vec<&str> = match (&spec.ty, value) {
                    (FieldType::Ref(_), Value::Text(t)) => vec![t.as_str()],
                    (FieldType::RefSet(_), Value::Set(s)) => s.iter().map(String::as_str).collect(),
                    _ => vec![],
                };
                if let FieldType::Ref(target) | FieldType::RefSet(target) = spec.ty {
                    for t in targets {
                        assert!(
                            s.get(target, t).is_some(),
                            "{kind}.{name} points at a missing {target}"
                        );
                    }
                }
            }
            check_record(*kind, &rec.fields, a.today)
                .unwrap_or_else(|e| panic!("{kind} {id}: {e}"));
        }
    }
}

fn uuid_like(id: &str) -> bool {
    id.len() == 36
        && id.chars().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            14 => c == '4',
            _ => c.is_ascii_hexdigit() && !c.is_ascii_uppercase(),
        })
}

#[test]
fn every_value_passes_model_validation() {
    for today in todays() {
        for seed in SEEDS {
            assert_valid(&generate(seed, &Scale::mist(), today));
        }
    }
}

#[test]
fn a_later_today_works_too() {
    let today = day(2031, 7, 15);
    let a = generate(8, &Scale::mist(), today);
    assert_valid(&a);
    let now = a.truth.today();
    assert_eq!(
        (now.active, now.member, now.left, now.expelled),
        (40, 18, 8, 2)
    );
    let history = &a.truth.projects[&a.truth.history_project];
    assert_eq!(
        (history.all_time.sessions, history.all_time.participants),
        (15, 28)
    );
}

#[test]
fn scaled_associations_are_valid_too() {
    let today = day(2026, 3, 1);
    for n in [30, 200] {
        let a = generate(3, &Scale::members(n), today);
        assert_valid(&a);
        let on_today = a.truth.today();
        let scale = Scale::members(n).normalised();
        assert_eq!(on_today.current() as usize, scale.members);
        assert_eq!(on_today.active as usize, scale.active);
    }
}

/// Status on `today` read from the member cards.
fn statuses(s: &Snapshot) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for (_, m) in s.of(RecordKind::Member) {
        *out.entry(text(m, "status").to_owned()).or_insert(0) += 1;
    }
    out
}

struct Attendance {
    /// Last day present, by member id.
    last_present: BTreeMap<String, NaiveDate>,
    /// Last day present at an activity of a working group (rule A8).
    last_in_group: BTreeMap<String, NaiveDate>,
}

fn attendance(s: &Snapshot) -> Attendance {
    let mut last_present = BTreeMap::new();
    let mut last_in_group = BTreeMap::new();
    for (_, a) in s.of(RecordKind::Activity) {
        let Some(d) = a.date("date") else { continue };
        for p in a.set("present") {
            let e = last_present.entry(p.to_owned()).or_insert(d);
            *e = (*e).max(d);
            if a.get("group").is_some() {
                let e = last_in_group.entry(p.to_owned()).or_insert(d);
                *e = (*e).max(d);
            }
        }
    }
    Attendance {
        last_present,
        last_in_group,
    }
}

#[test]
fn members_follow_section_6() {
    for today in todays() {
        for seed in SEEDS {
            let a = generate(seed, &Scale::mist(), today);
            let s = &a.snapshot;
            let st = statuses(s);
            let get = |k: &str| st.get(k).copied().unwrap_or(0);
            assert_eq!(get("active"), 40, "seed {seed}");
            assert_eq!(get("member"), 18);
            assert_eq!(get("left"), 8);
            assert_eq!(get("expelled"), 2);
            assert_eq!(get("prospect"), 0);

            let sigs: Vec<&Record> = records(s, RecordKind::Signature)
                .into_iter()
                .map(|(_, r)| r)
                .collect();
            let signed = |person: &str, form: &str| -> Vec<NaiveDate> {
                let mut v: Vec<NaiveDate> = sigs
                    .iter()
                    .filter(|r| text(r, "person") == person && text(r, "form") == form)
                    .filter_map(|r| r.date("signed_on"))
                    .collect();
                v.sort();
                v
            };
            let apps: BTreeMap<&str, &Record> = records(s, RecordKind::Application)
                .into_iter()
                .map(|(_, r)| (text(r, "person"), r))
                .collect();
            let mut rejoined = 0;
            let mut left_total = 0;
            let mut french = 0;
            for (id, m) in s.of(RecordKind::Member) {
                let status = text(m, "status");
                let member_forms = signed(id, "member");
                assert!(!member_forms.is_empty(), "everyone signed the member form");
                assert_eq!(m.date("member_since"), member_forms.last().copied());
                if let Some(left) = m.date("left_on") {
                    left_total += 1;
                    if matches!(status, "member" | "active") {
                        rejoined += 1;
                        assert!(
                            member_forms.iter().any(|&d| d > left),
                            "rejoining needs a signature after leaving (M5)"
                        );
                    }
                }
                if status == "active" {
                    assert!(!signed(id, "active").is_empty(), "active form (A1)");
                    let app = apps.get(id).expect("actives applied");
                    assert_eq!(text(app, "decision"), "accepted");
                    assert!(app.get("mentor").is_some(), "actives have a mentor");
                    assert!(m.date("active_since").is_some());
                }
                if matches!(status, "member" | "active") && m.flag("speaks_french") == Some(true) {
                    french += 1;
                }
                for f in [
                    "display_name",
                    "first_name",
                    "last_name",
                    "date_of_birth",
                    "phone",
                ] {
                    assert!(m.get(f).is_some(), "{f}");
                }
            }
            assert_eq!(left_total, 14, "12 left (4 rejoined) and 2 expelled");
            assert_eq!(rejoined, 4);
            assert!(
                (20..=26).contains(&french),
                "about 40% French speakers: {french}"
            );
            assert_eq!(a.truth.french_speakers, french);

            // Silent and active members.
            let att = attendance(s);
            let sixty = today - chrono::Days::new(60);
            let mut silent = Vec::new();
            for (id, m) in s.of(RecordKind::Member) {
                if text(m, "status") != "active" {
                    continue;
                }
                let contact = m.date("last_contact").expect("last contact");
                let present = att.last_present.get(id).copied();
                let quiet = contact < sixty && present.is_none_or(|d| d < sixty);
                let since = m.date("active_since").unwrap();
                if quiet {
                    silent.push(id.to_owned());
                } else if since < sixty {
                    assert!(
                        present.is_some_and(|d| d >= sixty),
                        "seed {seed}: an active member who is not silent attended lately"
                    );
                    let in_group = att.last_in_group.get(id).copied();
                    assert!(
                        in_group.is_some_and(|d| d >= sixty),
                        "seed {seed}: and took part in a working group lately (A8)"
                    );
                    assert!(contact >= sixty);
                }
            }
            silent.sort();
            let mut expected = a.truth.scenarios.silent.clone();
            expected.sort();
            assert_eq!(
                silent, expected,
                "exactly the two silent members are silent"
            );
            assert_eq!(silent.len(), 2);

            // Pending applications: members (not active) whose application is not through.
            let through = |r: &Record| {
                text(r, "decision") == "accepted"
                    && r.get("mentor").is_some()
                    && r.flag("channels_added") == Some(true)
                    && r.flag("introduction_done") == Some(true)
            };
            let pending: Vec<&Record> = apps.values().copied().filter(|r| !through(r)).collect();
            for r in &pending {
                let person = s.get(RecordKind::Member, text(r, "person")).unwrap();
                assert_eq!(text(person, "status"), "member");
            }
            let awaiting_vote = pending
                .iter()
                .filter(|r| text(r, "decision") == "pending" && r.get("vote_on").is_none())
                .count();
            let no_mentor = pending
                .iter()
                .filter(|r| text(r, "decision") == "accepted" && r.get("mentor").is_none())
                .count();
            assert_eq!((pending.len(), awaiting_vote, no_mentor), (3, 1, 1));
            assert!(
                a.names.iter().any(|n| !n.is_ascii()),
                "names carry diacritics"
            );
        }
    }
}

/// Mandates current on `d`.
fn current_mandates<'a>(s: &'a Snapshot, role: &str, d: NaiveDate) -> Vec<&'a Record> {
    s.of(RecordKind::Mandate)
        .map(|(_, r)| r)
        .filter(|r| text(r, "role") == role)
        .filter(|r| r.date("start").is_some_and(|x| x <= d))
        .filter(|r| r.date("end").is_none_or(|x| d <= x))
        .collect()
}

#[test]
fn governance_follows_section_6() {
    for today in todays() {
        for seed in SEEDS {
            let a = generate(seed, &Scale::mist(), today);
            let s = &a.snapshot;
            let member = |id: &str| s.get(RecordKind::Member, id).unwrap();
            // Every day since the first assembly has exactly two spokespersons and two
            // prefets, at least one French speaker in each pair, all active members then.
            let first_ga = s
                .of(RecordKind::Assembly)
                .filter_map(|(_, r)| r.date("date"))
                .min()
                .unwrap();
            let mut d = first_ga;
            while d <= today {
                for role in ["spokesperson", "prefet"] {
                    let now = current_mandates(s, role, d);
                    assert_eq!(now.len(), 2, "seed {seed}: two {role}s on {d}");
                    assert!(
                        now.iter()
                            .any(|m| member(text(m, "holder")).flag("speaks_french") == Some(true)),
                        "a French-speaking {role} on {d}"
                    );
                    for m in &now {
                        let h = member(text(m, "holder"));
                        assert!(h.date("active_since").is_some_and(|x| x <= d));
                        if role == "spokesperson" {
                            assert!(m.date("exposure_consent_on").is_some());
                        }
                    }
                }
                d = d + chrono::Days::new(7);
            }
            let current: Vec<String> = current_mandates(s, "spokesperson", today)
                .iter()
                .chain(current_mandates(s, "prefet", today).iter())
                .map(|m| text(m, "holder").to_owned())
                .collect();
            for h in &current {
                assert_eq!(text(member(h), "status"), "active");
                assert!(!a.truth.scenarios.silent.contains(h));
            }
            let board = current_mandates(s, "board", today);
            assert_eq!(board.len(), 8);
            let active_seats = board
                .iter()
                .filter(|m| text(member(text(m, "holder")), "status") == "active")
                .count();
            assert_eq!(active_seats, 4, "half the board are active members (D6)");
            for officer in ["president", "secretary", "treasurer"] {
                assert_eq!(current_mandates(s, officer, today).len(), 1);
            }
            let mandates: Vec<&Record> = s.of(RecordKind::Mandate).map(|(_, r)| r).collect();
            assert_eq!(
                mandates
                    .iter()
                    .filter(|m| m.get("renewed_on").is_some())
                    .count(),
                1
            );
            let resigned: Vec<_> = mandates
                .iter()
                .filter(|m| m.get("resigned_on").is_some())
                .collect();
            assert_eq!(resigned.len(), 1);
            assert_eq!(resigned[0].flag("roots_consulted"), Some(true));

            // Assemblies: about ten, every six months, the latest within six months.
            let mut gas: Vec<NaiveDate> = s
                .of(RecordKind::Assembly)
                .filter_map(|(_, r)| r.date("date"))
                .collect();
            gas.sort();
            // Two a year since mid-2020 (about ten by 2025).
            let expected = (today - day(2020, 6, 1)).num_days() / 182 + 1;
            let held = gas.len() as i64;
            assert!(
                (expected - 2..=expected + 1).contains(&held),
                "{held} assemblies"
            );
            assert!(gas[0].year() == 2020);
            let latest = *gas.last().unwrap();
            assert!(latest.checked_add_months(Months::new(6)).unwrap() > today);
            for w in gas.windows(2) {
                assert!(w[0].checked_add_months(Months::new(6)).unwrap() >= w[1]);
            }

            // Groups: Roots 6, peer-to-peer 8, six working groups of 4 to 10.
            for (_, grp) in s.of(RecordKind::Group) {
                let n = grp.set("members").count();
                match text(grp, "area") {
                    "roots" => assert_eq!(n, 6),
                    "peer-to-peer" => assert_eq!(n, 8),
                    _ => assert!((4..=10).contains(&n), "working group of {n}"),
                }
            }
            for (_, m) in s.of(RecordKind::Mentorship) {
                let start = m.date("started_on").unwrap();
                let mentor = member(text(m, "mentor"));
                assert!(mentor.date("active_since").is_some_and(|d| d <= start));
                assert_eq!(m.get("ended_on").is_some(), text(m, "status") == "ended");
            }
            // Mentorships: about 40 with 15 mentors.
            assert!(
                (38..=50).contains(&a.truth.mentorships),
                "{}",
                a.truth.mentorships
            );
            assert_eq!(a.truth.mentors, 15);
        }
    }
}

#[test]
fn projects_and_activities_follow_section_6() {
    for today in todays() {
        for seed in SEEDS {
            let a = generate(seed, &Scale::mist(), today);
            let s = &a.snapshot;
            let projects = records(s, RecordKind::Project);
            assert_eq!(projects.len(), 14);
            for (_, p) in &projects {
                let start = p.date("period_start").unwrap();
                assert!((2021..=2024).contains(&start.year()));
                assert!(p.date("period_end").is_none_or(|e| e.year() <= 2025));
            }
            let history = &a.truth.history_project;
            assert_eq!(
                text(s.get(RecordKind::Project, history).unwrap(), "title"),
                "History/OurStory"
            );
            let workshops: Vec<&Record> = s
                .of(RecordKind::Activity)
                .map(|(_, r)| r)
                .filter(|r| r.text("project") == Some(history.as_str()))
                .collect();
            let in_year = |y| {
                workshops
                    .iter()
                    .filter(|r| r.date("date").unwrap().year() == y)
                    .count()
            };
            assert_eq!((workshops.len(), in_year(2022), in_year(2023)), (15, 7, 8));
            let people: BTreeSet<&str> = workshops.iter().flat_map(|r| r.set("present")).collect();
            assert_eq!(people.len(), 28, "seed {seed}");

            // Weekly talking groups.
            let talks = s
                .of(RecordKind::Activity)
                .filter(|(_, r)| text(r, "type") == "talking-group")
                .count();
            let weeks = (today - day(2020, 2, 15)).num_days() / 7;
            assert!(
                (weeks - 2..=weeks + 1).contains(&(talks as i64)),
                "{talks} vs {weeks}"
            );
            assert!(
                s.of(RecordKind::Activity)
                    .any(|(_, r)| text(r, "type") == "podcast")
            );
            // Nobody attends while not a member, or active-only sessions while not active.
            for (_, act) in s.of(RecordKind::Activity) {
                let d = act.date("date").unwrap();
                assert!(d < today);
                for p in act.set("present") {
                    let m = s.get(RecordKind::Member, p).unwrap();
                    assert!(m.date("member_since").is_some());
                    if text(act, "audience") == "active" {
                        assert!(m.date("active_since").is_some_and(|x| x <= d));
                    }
                }
            }
        }
    }
}

#[test]
fn referrals_and_coalition_follow_section_6() {
    let today = day(2026, 3, 1);
    for seed in SEEDS {
        let a = generate(seed, &Scale::mist(), today);
        let s = &a.snapshot;
        for year in 2021..=2025 {
            let n: u64 = a.truth.referrals_by_year[&year]
                .values()
                .map(|f| f.referrals)
                .sum();
            assert_eq!(n, 150, "{year}");
        }
        let all = a.truth.referrals_all_time();
        let decided: u64 = all.values().map(|f| f.decided).sum();
        let days: u64 = all.values().map(|f| f.days_to_decision).sum();
        let mean = days as f64 / decided as f64;
        assert!((40.0..=52.0).contains(&mean), "mean decision time {mean}");
        let quick = s
            .of(RecordKind::Referral)
            .filter(
                |(_, r)| match (r.date("referred_on"), r.date("decided_on")) {
                    (Some(a), Some(b)) => (b - a).num_days() < 7,
                    _ => false,
                },
            )
            .count();
        assert!(quick > 20, "some emergencies under 7 days");

        let partners: Vec<&Record> = s.of(RecordKind::Partner).map(|(_, r)| r).collect();
        let coalition: Vec<&&Record> = partners
            .iter()
            .filter(|p| p.get("coalition_status").is_some())
            .collect();
        let organisations = coalition
            .iter()
            .filter(|p| p.flag("survivor_member") == Some(false))
            .filter(|p| {
                matches!(
                    text(p, "coalition_status"),
                    "member" | "withdrawn" | "removed"
                )
            })
            .count();
        assert_eq!(organisations, 32);
        let sectors: BTreeSet<&str> = coalition
            .iter()
            .filter(|p| p.flag("survivor_member") == Some(false))
            .map(|p| text(p, "sector"))
            .collect();
        assert_eq!(sectors.len(), 9);
        assert_eq!(
            coalition
                .iter()
                .filter(|p| p.flag("survivor_member") == Some(true))
                .count(),
            4
        );
        let meetings: Vec<&Record> = s.of(RecordKind::Meeting).map(|(_, r)| r).collect();
        assert_eq!(meetings.len(), 15);
        let withdrawn = a.truth.scenarios.coalition_withdrawn.clone().unwrap();
        let mut dates: Vec<(NaiveDate, BTreeSet<&str>)> = meetings
            .iter()
            .map(|m| (m.date("date").unwrap(), m.set("attendance").collect()))
            .collect();
        dates.sort();
        let first_six = dates[..6]
            .iter()
            .filter(|(_, at)| at.contains(withdrawn.as_str()))
            .count();
        assert_eq!(first_six, 3, "one organisation at 3 of 6");
        // Endorsements and reviews of members come from current member organisations (C2),
        // a survivor's readiness from a member agency (C3).
        let current: BTreeSet<&str> = s
            .of(RecordKind::Partner)
            .filter(|(_, p)| p.text("coalition_status") == Some("member"))
            .filter(|(_, p)| p.flag("survivor_member") == Some(false))
            .map(|(id, _)| id)
            .collect();
        for (id, p) in s.of(RecordKind::Partner) {
            if p.text("coalition_status") != Some("member") {
                continue;
            }
            let survivor = p.flag("survivor_member") == Some(true);
            let endorsers = p
                .set("endorsed_by")
                .filter(|e| current.contains(e) && e != &id);
            assert!(endorsers.count() >= if survivor { 1 } else { 2 });
            let reviewers = p
                .set("reviewed_by")
                .filter(|e| current.contains(e) && e != &id);
            assert!(reviewers.count() >= 2);
            if survivor {
                assert!(
                    p.text("readiness_endorsed_by")
                        .is_some_and(|r| current.contains(r))
                );
            }
        }
        let blocked = a.truth.scenarios.coalition_blocked.clone().unwrap();
        let b = s.get(RecordKind::Partner, &blocked).unwrap();
        assert_eq!(b.set("endorsed_by").count(), 1);
    }
}

#[test]
fn truth_matches_the_snapshot_for_members() {
    let today = day(2026, 3, 1);
    let a = generate(5, &Scale::mist(), today);
    let on_today = a.truth.today();
    let st = statuses(&a.snapshot);
    assert_eq!(on_today.active as usize, st["active"]);
    assert_eq!(on_today.member as usize, st["member"]);
    assert_eq!(on_today.left as usize, st["left"]);
    assert_eq!(on_today.expelled as usize, st["expelled"]);
    // The first joins are the founders' and come in 2020.
    assert!(a.truth.joins_by_year[&2020] >= 6);
    assert_eq!(a.truth.rejoins_by_year.values().sum::<u64>(), 4);
    assert_eq!(a.truth.departures_by_year.values().sum::<u64>(), 14);
}
