//! `carnet report` on a synthetic association written by `carnet synthetic`: its figures are
//! the generator's ground truth (computed while generating, not by the report), small counts are
//! suppressed, and no output — table, JSON or CSV — holds a name or a personal value.

use carnet_gen::{Scale, generate};
use carnet_report::labels;
use carnet_tests::Home;
use carnet_tests::report_cell as cell;
use chrono::NaiveDate;

const SEED: u64 = 11;
const TODAY: &str = "2026-11-30";

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date")
}

#[test]
fn the_report_of_a_synthetic_association_gives_its_ground_truth_and_no_name() {
    let home = Home::init();
    home.set_today(TODAY);
    let out = home.ok(&["synthetic", "--seed", &SEED.to_string()]);
    assert!(out.contains("wrote a synthetic association"), "{out}");
    let assoc = generate(SEED, &Scale::mist(), day(TODAY));
    let truth = &assoc.truth;
    let history = &truth.projects[&truth.history_project];

    // 2023, every count shown (suppression off).
    let r = home.json(&[
        "report",
        "--from",
        "2023-01-01",
        "--to",
        "2023-12-31",
        "--suppress-below",
        "1",
        "--json",
    ]);
    let end = &truth.members_on[&day("2023-12-31")];
    assert_eq!(cell(&r, labels::MEMBERSHIP, labels::ACTIVE), end.active);
    assert_eq!(cell(&r, labels::MEMBERSHIP, labels::NOT_ACTIVE), end.member);
    assert_eq!(cell(&r, labels::MEMBERSHIP, labels::FORMER), end.former());
    let joins = truth.joins_by_year.get(&2023).copied().unwrap_or(0);
    assert_eq!(cell(&r, labels::MEMBERSHIP, labels::JOINS), joins);
    let section = format!("{}{}", labels::PROJECT_PREFIX, history.title);
    let y2023 = &history.by_year[&2023];
    assert_eq!(cell(&r, &section, labels::SESSIONS), y2023.sessions);
    assert_eq!(cell(&r, &section, labels::PARTICIPANTS), y2023.participants);
    assert_eq!(cell(&r, &section, labels::ATTENDANCES), y2023.attendances);
    let talking = truth
        .talking_groups_by_year
        .get(&2023)
        .copied()
        .unwrap_or(0);
    assert_eq!(
        cell(&r, labels::ACTIVITIES, labels::TALKING_GROUPS),
        talking
    );
    let gas = truth.assemblies_by_year.get(&2023).copied().unwrap_or(0);
    assert_eq!(cell(&r, labels::GOVERNANCE, labels::ASSEMBLIES), gas);
    for (dest, fig) in &truth.referrals_by_year[&2023] {
        let label = format!("{}{}", labels::destination(dest), labels::REFERRALS_SUFFIX);
        assert_eq!(cell(&r, labels::REFERRALS, &label), fig.referrals, "{dest}");
    }

    // History/OurStory over 2022–2023, one project asked for by its title: 15 workshops and
    // 28 distinct participants (domain.md §6), with the default suppression.
    let r = home.json(&[
        "report",
        "--from",
        "2022-01-01",
        "--to",
        "2023-12-31",
        "--project",
        &history.title,
        "--json",
    ]);
    assert_eq!(cell(&r, &section, labels::SESSIONS), 15);
    assert_eq!(cell(&r, &section, labels::PARTICIPANTS), 28);
    let sections = r["sections"].as_array().expect("sections");
    assert_eq!(
        sections
            .iter()
            .filter(|s| s["title"]
                .as_str()
                .is_some_and(|t| t.starts_with(labels::PROJECT_PREFIX)))
            .count(),
        1,
        "only the project asked for"
    );
    // A count under 5 is shown as "<5", never as itself.
    let rejoins = truth.rejoins_by_year.get(&2023).copied().unwrap_or(0);
    let r23 = home.json(&[
        "report",
        "--from",
        "2023-01-01",
        "--to",
        "2023-12-31",
        "--json",
    ]);
    let shown = cell(&r23, labels::MEMBERSHIP, labels::REJOINS);
    if (1..5).contains(&rejoins) {
        assert_eq!(shown, "<5");
    } else {
        assert_eq!(shown, rejoins);
    }

    // No name and no personal value in any output.
    let outputs = [
        home.ok(&["report", "--from", "2020-01-01", "--to", TODAY]),
        home.ok(&["report", "--from", "2020-01-01", "--to", TODAY, "--json"]),
        home.ok(&["report", "--from", "2020-01-01", "--to", TODAY, "--csv"]),
        home.ok(&[
            "report",
            "--from",
            "2020-01-01",
            "--to",
            TODAY,
            "--csv",
            "--dialect",
            "standard",
        ]),
    ];
    for out in &outputs {
        for needle in assoc.names.iter().chain(&assoc.personal_values) {
            assert!(
                !out.contains(needle.as_str()),
                "the report shows a name or personal value"
            );
        }
    }
    // French spreadsheets' dialect by default (BOM, `;`, CRLF); the standard one on request.
    assert!(
        outputs[2].starts_with("\u{feff}section;label;value\r\n"),
        "{:?}",
        &outputs[2][..40]
    );
    assert!(
        outputs[3].starts_with("section,label,value\n"),
        "{:?}",
        &outputs[3][..40]
    );
}

/// Regression (issue 13): `carnet synthetic` on a home holding real records mixed 68
/// fictitious people in, and they synced to every device.
#[test]
fn synthetic_refuses_a_device_that_holds_records_it_did_not_make() {
    let home = Home::init();
    home.set_today(TODAY);
    let real = home.add_member(&["--name", "Someone Real"]);
    let args = ["synthetic", "--seed", "3"];
    let err = home.fail(&args);
    assert!(err.contains("did not make"), "{err}");
    let list = home.ok(&["member", "list"]);
    assert!(
        list.contains("1 member(s)"),
        "something was written: {list}"
    );
    assert!(home.ok(&["member", "show", &real]).contains("Someone Real"));

    // A home kept for trying Carnet out takes a synthetic association once; a real record
    // added there later makes it refuse again.
    let trial = Home::init();
    trial.set_today(TODAY);
    trial.ok(&["synthetic", "--seed", "3", "--members", "5"]);
    let err = trial.fail(&["synthetic", "--seed", "3", "--members", "5"]);
    assert!(err.contains("already holds"), "{err}");
    trial.add_member(&["--name", "Someone Real"]);
    let err = trial.fail(&["synthetic", "--seed", "3", "--members", "5"]);
    assert!(err.contains("did not make"), "{err}");
}
