//! The report over a generated association gives the generator's ground truth, suppresses
#![allow(clippy::unwrap_used)]
//! small cells at the threshold, and never shows a name or a personal value.

use std::collections::BTreeMap;

use carnet_gen::{Association, FOUNDED, ReferralFigures, Scale, generate};
use carnet_model::{REFERRAL_DESTINATIONS, Record, RecordKind, Snapshot, Value};
use carnet_report::{Cell, Report, Request, labels, report};
use chrono::NaiveDate;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

const SEEDS: [u64; 3] = [3, 17, 2026];

fn today() -> NaiveDate {
    day(2026, 3, 1)
}

fn associations() -> Vec<Association> {
    SEEDS
        .iter()
        .map(|&s| generate(s, &Scale::mist(), today()))
        .collect()
}

/// The whole history.
fn everything(a: &Association) -> (NaiveDate, NaiveDate) {
    (day(2019, 1, 1), a.today)
}

fn year(y: i32) -> (NaiveDate, NaiveDate) {
    (day(y, 1, 1), day(y, 12, 31))
}

fn ask(
    a: &Association,
    (from, to): (NaiveDate, NaiveDate),
    project: Option<&str>,
    t: u64,
) -> Report {
    let mut req = Request::new(from, to);
    req.project = project.map(str::to_owned);
    req.suppress_below = t;
    report(&a.snapshot, &req)
}

fn count(r: &Report, section: &str, label: &str) -> u64 {
    match r.value(section, label) {
        Some(Cell::Count(n)) => n,
        other => panic!("{section} / {label}: {other:?}"),
    }
}

/// What the report should show for a count of people under threshold `t`.
fn suppressed(n: u64, t: u64) -> Cell {
    if n > 0 && n < t {
        Cell::Suppressed
    } else {
        Cell::Count(n)
    }
}

fn project_title(a: &Association, id: &str) -> String {
    format!("{}{}", labels::PROJECT_PREFIX, a.truth.projects[id].title)
}

#[test]
fn history_ourstory_has_15_sessions_and_28_participants() {
    for a in associations() {
        let id = a.truth.history_project.clone();
        let r = ask(&a, everything(&a), Some(&id), 5);
        let title = project_title(&a, &id);
        assert_eq!(r.value(&title, labels::SESSIONS), Some(Cell::Count(15)));
        assert_eq!(r.value(&title, labels::PARTICIPANTS), Some(Cell::Count(28)));
        let only_projects: Vec<&str> = r
            .sections
            .iter()
            .filter(|s| s.title.starts_with(labels::PROJECT_PREFIX))
            .map(|s| s.title.as_str())
            .collect();
        assert_eq!(
            only_projects,
            vec![title.as_str()],
            "only the project asked for"
        );
        let r22 = ask(&a, year(2022), Some(&id), 5);
        let r23 = ask(&a, year(2023), Some(&id), 5);
        assert_eq!(r22.value(&title, labels::SESSIONS), Some(Cell::Count(7)));
        assert_eq!(r23.value(&title, labels::SESSIONS), Some(Cell::Count(8)));
    }
}

#[test]
fn members_by_status_match_the_truth_on_every_year_end_and_today() {
    for a in associations() {
        for (&on, counts) in &a.truth.members_on {
            let r = ask(&a, (day(2019, 1, 1), on), None, 1);
            let m = labels::MEMBERSHIP;
            assert_eq!(
                count(&r, m, labels::ACTIVE),
                counts.active,
                "active on {on}"
            );
            assert_eq!(
                count(&r, m, labels::NOT_ACTIVE),
                counts.member,
                "members on {on}"
            );
            assert_eq!(
                count(&r, m, labels::FORMER),
                counts.former(),
                "former on {on}"
            );
        }
        let now = a.truth.today();
        assert_eq!((now.active, now.member, now.former()), (40, 18, 10));
        // With the default threshold the same figures come out (none is under 5 today).
        let r = ask(&a, everything(&a), None, 5);
        assert_eq!(
            r.value(labels::MEMBERSHIP, labels::ACTIVE),
            Some(Cell::Count(40))
        );
        assert_eq!(
            r.value(labels::MEMBERSHIP, labels::NOT_ACTIVE),
            Some(Cell::Count(18))
        );
    }
}

#[test]
fn movements_match_the_truth_year_by_year() {
    for a in associations() {
        let t = &a.truth;
        for y in FOUNDED.format("%Y").to_string().parse::<i32>().unwrap()..=2026 {
            let r = ask(&a, year(y), None, 1);
            let get = |map: &BTreeMap<i32, u64>| map.get(&y).copied().unwrap_or(0);
            let m = labels::MEMBERSHIP;
            assert_eq!(count(&r, m, labels::JOINS), get(&t.joins_by_year), "{y}");
            assert_eq!(
                count(&r, m, labels::REJOINS),
                get(&t.rejoins_by_year),
                "{y}"
            );
            assert_eq!(
                count(&r, m, labels::DEPARTURES),
                get(&t.departures_by_year),
                "{y}"
            );
            assert_eq!(
                count(&r, m, labels::NEW_ACTIVE),
                get(&t.became_active_by_year),
                "{y}"
            );
            let talks = t.talking_groups_by_year.get(&y).copied().unwrap_or(0);
            assert_eq!(count(&r, labels::ACTIVITIES, labels::TALKING_GROUPS), talks);
            let gas = t.assemblies_by_year.get(&y).copied().unwrap_or(0);
            assert_eq!(count(&r, labels::GOVERNANCE, labels::ASSEMBLIES), gas);
            // Under the default threshold, small counts are suppressed, the rest equal.
            let r5 = ask(&a, year(y), None, 5);
            assert_eq!(
                r5.value(m, labels::REJOINS),
                Some(suppressed(get(&t.rejoins_by_year), 5))
            );
            assert_eq!(
                r5.value(m, labels::JOINS),
                Some(suppressed(get(&t.joins_by_year), 5))
            );
        }
    }
}

#[test]
fn project_figures_match_the_truth() {
    for a in associations() {
        for (id, truth) in &a.truth.projects {
            let title = project_title(&a, id);
            let mut periods: Vec<((NaiveDate, NaiveDate), carnet_gen::ActivityFigures)> =
                truth.by_year.iter().map(|(&y, &f)| (year(y), f)).collect();
            periods.push((everything(&a), truth.all_time));
            for (period, want) in periods {
                // Exact figures without suppression, for one project and for all of them.
                for project in [Some(id.as_str()), None] {
                    let r = ask(&a, period, project, 1);
                    assert_eq!(count(&r, &title, labels::SESSIONS), want.sessions);
                    assert_eq!(count(&r, &title, labels::PARTICIPANTS), want.participants);
                    assert_eq!(count(&r, &title, labels::ATTENDANCES), want.attendances);
                }
                // With the default threshold.
                let r = ask(&a, period, Some(id), 5);
                assert_eq!(
                    r.value(&title, labels::SESSIONS),
                    Some(Cell::Count(want.sessions))
                );
                assert_eq!(
                    r.value(&title, labels::PARTICIPANTS),
                    Some(suppressed(want.participants, 5))
                );
                let attended = suppressed(want.attendances, 5);
                assert_eq!(r.value(&title, labels::ATTENDANCES), Some(attended));
                let expected_mean = match attended {
                    Cell::Count(n) if n > 0 && want.sessions > 0 => {
                        Cell::Mean(n as f64 / want.sessions as f64)
                    }
                    _ => Cell::NotApplicable,
                };
                assert_eq!(
                    r.value(&title, labels::MEAN_ATTENDANCE),
                    Some(expected_mean)
                );
            }
        }
    }
}

fn referral_rows(r: &Report, want: &BTreeMap<String, ReferralFigures>, t: u64) {
    for dest in REFERRAL_DESTINATIONS {
        let f = want.get(*dest).copied().unwrap_or_default();
        let name = labels::destination(dest);
        let n = r.value(
            labels::REFERRALS,
            &format!("{name}{}", labels::REFERRALS_SUFFIX),
        );
        assert_eq!(n, Some(suppressed(f.referrals, t)), "{dest}");
        let m = r.value(
            labels::REFERRALS,
            &format!("{name}{}", labels::MEAN_DAYS_SUFFIX),
        );
        let expected = match (suppressed(f.decided, t), f.mean_days()) {
            (Cell::Count(_), Some(mean)) => Some(mean),
            _ => None,
        };
        match (m, expected) {
            (Some(Cell::Mean(got)), Some(mean)) => assert!((got - mean).abs() < 1e-9),
            (Some(Cell::NotApplicable), None) => {}
            other => panic!("{dest}: {other:?}"),
        }
    }
}

#[test]
fn referrals_match_the_truth() {
    for a in associations() {
        for (&y, want) in &a.truth.referrals_by_year {
            for t in [1, 5] {
                referral_rows(&ask(&a, year(y), None, t), want, t);
            }
        }
        referral_rows(
            &ask(&a, everything(&a), None, 5),
            &a.truth.referrals_all_time(),
            5,
        );
    }
}

/// A snapshot with one project whose sessions had `n` distinct participants.
fn tiny(n: usize) -> (Snapshot, String) {
    let mut s = Snapshot::default();
    let project = "00000000-0000-4000-8000-000000000001".to_owned();
    let mut p = Record::default();
    p.fields
        .insert("title".into(), Value::Text("Tiny project".into()));
    s.insert(RecordKind::Project, project.clone(), p);
    let people: Vec<String> = (0..n)
        .map(|k| format!("00000000-0000-4000-8000-1000000000{k:02}"))
        .collect();
    let mut act = Record::default();
    act.fields
        .insert("title".into(), Value::Text("Session".into()));
    act.fields
        .insert("type".into(), Value::Text("workshop".into()));
    act.fields
        .insert("date".into(), Value::Date(day(2024, 5, 5)));
    act.fields
        .insert("project".into(), Value::Text(project.clone()));
    if n > 0 {
        act.fields
            .insert("present".into(), Value::Set(people.into_iter().collect()));
    }
    s.insert(
        RecordKind::Activity,
        "00000000-0000-4000-8000-000000000002",
        act,
    );
    (s, project)
}

#[test]
fn suppression_at_the_threshold_boundary_and_configurable() {
    let title = format!("{}Tiny project", labels::PROJECT_PREFIX);
    let cell = |n: usize, t: u64| {
        let (s, _) = tiny(n);
        let mut req = Request::new(day(2024, 1, 1), day(2024, 12, 31));
        req.suppress_below = t;
        let r = report(&s, &req);
        (
            r.value(&title, labels::PARTICIPANTS),
            r.value(&title, labels::MEAN_ATTENDANCE),
            r,
        )
    };
    let (four, mean4, r4) = cell(4, 5);
    assert_eq!(four, Some(Cell::Suppressed));
    assert_eq!(
        mean4,
        Some(Cell::NotApplicable),
        "mean of a suppressed population"
    );
    assert!(r4.to_table().contains("<5"));
    assert!(
        r4.to_csv()
            .contains("Tiny project,Distinct participants,<5\r\n")
    );
    assert_eq!(
        r4.to_json()["sections"][1]["rows"][1]["value"],
        serde_json::json!("<5")
    );
    let (five, mean5, _) = cell(5, 5);
    assert_eq!(five, Some(Cell::Count(5)));
    assert_eq!(mean5, Some(Cell::Mean(5.0)));
    assert_eq!(cell(0, 5).0, Some(Cell::Count(0)), "zero is not suppressed");
    assert_eq!(cell(0, 5).1, Some(Cell::NotApplicable));
    // Configurable: a threshold of 10 hides 9 and shows "<10"; 1 turns suppression off.
    let (nine, _, r9) = cell(9, 10);
    assert_eq!(nine, Some(Cell::Suppressed));
    assert!(r9.to_csv().contains(",<10\r\n"));
    assert_eq!(cell(10, 10).0, Some(Cell::Count(10)));
    assert_eq!(cell(2, 1).0, Some(Cell::Count(2)));
    assert_eq!(cell(2, 0).0, Some(Cell::Count(2)));
}

#[test]
fn unknown_project_and_empty_period() {
    let a = generate(1, &Scale::mist(), today());
    let r = ask(
        &a,
        everything(&a),
        Some("00000000-0000-4000-8000-000000000000"),
        5,
    );
    assert!(
        !r.sections
            .iter()
            .any(|s| s.title.starts_with(labels::PROJECT_PREFIX))
    );
    assert!(r.section(labels::MEMBERSHIP).is_some());
    // A project that ended before the period is left out, unless asked for.
    let (mpeio, truth) = a
        .truth
        .projects
        .iter()
        .find(|(_, p)| p.title.contains("(MPEIO)"))
        .unwrap();
    let title = format!("{}{}", labels::PROJECT_PREFIX, truth.title);
    assert!(ask(&a, year(2025), None, 5).section(&title).is_none());
    assert!(ask(&a, year(2023), None, 5).section(&title).is_some());
    let asked = ask(&a, year(2025), Some(mpeio), 5);
    assert_eq!(asked.value(&title, labels::SESSIONS), Some(Cell::Count(0)));
    assert_eq!(
        asked.value(&title, labels::MEAN_ATTENDANCE),
        Some(Cell::NotApplicable)
    );
    let r = ask(&a, (day(2025, 6, 1), day(2025, 1, 1)), None, 5);
    assert_eq!(
        r.value(labels::MEMBERSHIP, labels::JOINS),
        Some(Cell::Count(0))
    );
    assert_eq!(
        r.value(labels::GOVERNANCE, labels::ASSEMBLIES),
        Some(Cell::Count(0))
    );
}

/// No display name and no personal value appears anywhere in any output, for whole
/// histories, single years and single projects, with and without suppression.
#[test]
fn outputs_never_show_a_name_or_a_personal_value() {
    for a in associations() {
        assert!(a.names.len() >= 60 && a.personal_values.len() > 1000);
        let mut requests = vec![(everything(&a), None, 5), (everything(&a), None, 1)];
        for y in 2020..=2026 {
            requests.push((year(y), None, 5));
            requests.push((year(y), None, 1));
        }
        for id in a.truth.projects.keys() {
            requests.push((everything(&a), Some(id.clone()), 1));
        }
        for (period, project, t) in requests {
            let r = ask(&a, period, project.as_deref(), t);
            let outputs = [r.to_table(), r.to_json().to_string(), r.to_csv()];
            for out in &outputs {
                for name in &a.names {
                    assert!(!out.contains(name.as_str()), "a display name leaked");
                }
                for value in &a.personal_values {
                    assert!(!out.contains(value.as_str()), "a personal value leaked");
                }
                // Record ids never leave either.
                for recs in a.snapshot.records.values() {
                    for id in recs.keys() {
                        assert!(!out.contains(id.as_str()), "a record id leaked");
                    }
                }
            }
        }
    }
}
