//! D1, D2, D3, D4, D6: mandates, assemblies and the board.

use carnet_model::RecordKind::{Assembly, Mandate, Member};
use carnet_rules::{Finding, RuleId, Severity, check, todo};

use crate::support::*;

/// Active members 1..=n, the odd ones French speakers.
fn actives(n: u32) -> S {
    (1..=n).fold(S::default(), |s, i| {
        s.with(
            Member,
            &id(i),
            active_member(day(2024, 1, 1)).flag("speaks_french", i % 2 == 1),
        )
    })
}

fn org_wide(findings: &[Finding], rule: RuleId) -> Vec<&Finding> {
    findings
        .iter()
        .filter(|f| f.rule == rule && f.record.is_none())
        .collect()
}

// ---- D1: prefets ----

#[test]
fn d1_a_prefet_mandate_longer_than_six_months_is_refused() {
    let s = actives(3);
    let too_long = mandate("prefet", &id(1), day(2026, 1, 1), day(2026, 7, 2));
    assert!(blocks(
        &check(s.snap(), &[propose(Mandate, &id(100), too_long)], today()),
        RuleId::D1
    ));
    let open = mandate("prefet", &id(1), day(2026, 1, 1), day(2026, 7, 1)).without("end");
    assert!(blocks(
        &check(s.snap(), &[propose(Mandate, &id(100), open)], today()),
        RuleId::D1
    ));
    let six = mandate("prefet", &id(1), day(2026, 1, 1), day(2026, 7, 1));
    assert!(check(s.snap(), &[propose(Mandate, &id(100), six)], today()).is_empty());
    // A renewal counts six months from `renewed_on`.
    let renewed = mandate("prefet", &id(1), day(2025, 7, 1), day(2026, 7, 1))
        .date("renewed_on", day(2026, 1, 1));
    assert!(check(s.snap(), &[propose(Mandate, &id(100), renewed)], today()).is_empty());
    // Other roles are not limited by D1.
    let board = mandate("board", &id(1), day(2025, 1, 1), day(2028, 1, 1));
    assert!(check(s.snap(), &[propose(Mandate, &id(100), board)], today()).is_empty());
}

#[test]
fn d1_a_prefet_must_be_an_active_member() {
    let s = actives(1).with(Member, &id(2), member("member"));
    let m = mandate("prefet", &id(2), day(2026, 1, 1), day(2026, 6, 30));
    let findings = check(s.snap(), &[propose(Mandate, &id(100), m)], today());
    assert!(blocks(&findings, RuleId::D1), "{findings:?}");
    let m = mandate("prefet", &id(1), day(2026, 1, 1), day(2026, 6, 30));
    assert!(check(s.snap(), &[propose(Mandate, &id(100), m)], today()).is_empty());
    // Past mandates are history: recording one held by someone now gone is not refused.
    let past = mandate("prefet", &id(2), day(2024, 1, 1), day(2024, 6, 30));
    assert!(check(s.snap(), &[propose(Mandate, &id(100), past)], today()).is_empty());
}

fn two_prefets() -> S {
    actives(4)
        .with(
            Mandate,
            &id(100),
            mandate("prefet", &id(1), day(2026, 1, 1), day(2026, 6, 30)),
        )
        .with(
            Mandate,
            &id(101),
            mandate("prefet", &id(2), day(2026, 1, 1), day(2026, 5, 31)),
        )
}

#[test]
fn d1_a_third_prefet_at_once_is_refused_and_a_successor_is_not() {
    let s = two_prefets();
    let third = mandate("prefet", &id(3), day(2026, 3, 1), day(2026, 8, 31));
    let findings = check(s.snap(), &[propose(Mandate, &id(102), third)], today());
    assert!(blocks(&findings, RuleId::D1), "{findings:?}");
    // Starting the day after one of the two ends is a succession.
    let next = mandate("prefet", &id(3), day(2026, 6, 1), day(2026, 11, 30));
    assert!(check(s.snap(), &[propose(Mandate, &id(102), next)], today()).is_empty());
    // The same person recorded twice still holds one seat.
    let again = mandate("prefet", &id(1), day(2026, 3, 1), day(2026, 6, 30));
    assert!(check(s.snap(), &[propose(Mandate, &id(102), again)], today()).is_empty());
}

#[test]
fn d1_todo_reminds_when_a_prefet_mandate_has_ended_from_the_next_day() {
    let s = two_prefets();
    assert!(org_wide(&todo(s.snap(), day(2026, 5, 31)), RuleId::D1).is_empty());
    let findings = todo(s.snap(), day(2026, 6, 1));
    let d1 = org_wide(&findings, RuleId::D1);
    assert_eq!(d1.len(), 1, "{findings:?}");
    assert_eq!(d1[0].severity, Severity::Remind);
    assert!(
        d1[0].message.starts_with("1 current prefet,"),
        "{}",
        d1[0].message
    );
}

#[test]
fn d1_todo_reminds_when_no_prefet_speaks_french() {
    // Member 1 speaks French, members 2 and 4 do not; 4 succeeds 1 on 2 March.
    let s = actives(4)
        .with(
            Mandate,
            &id(99),
            mandate("prefet", &id(1), day(2025, 9, 2), day(2026, 3, 1)),
        )
        .with(
            Mandate,
            &id(100),
            mandate("prefet", &id(2), day(2026, 1, 1), day(2026, 6, 30)),
        )
        .with(
            Mandate,
            &id(101),
            mandate("prefet", &id(4), day(2026, 3, 2), day(2026, 6, 30)),
        );
    assert!(org_wide(&todo(s.snap(), day(2026, 3, 1)), RuleId::D1).is_empty());
    let findings = todo(s.snap(), day(2026, 3, 2));
    let d1 = org_wide(&findings, RuleId::D1);
    assert_eq!(d1.len(), 1, "{findings:?}");
    assert!(d1[0].message.contains("French"));
}

#[test]
fn d1_todo_warns_on_a_prefet_who_is_no_longer_active() {
    let s = two_prefets().with(
        Member,
        &id(1),
        member("left").date("left_on", day(2026, 2, 1)),
    );
    let findings = todo(s.snap(), today());
    assert!(
        has(&findings, RuleId::D1, Severity::Warn, Some(&id(100))),
        "{findings:?}"
    );
    // Leaving itself was never refused.
    let s = two_prefets();
    let leave = existing(&s, Member, &id(1))
        .text("status", "left")
        .date("left_on", today());
    assert!(check(s.snap(), &[propose(Member, &id(1), leave)], today()).is_empty());
}

// ---- D2: spokespersons ----

#[test]
fn d2_a_spokesperson_needs_recorded_exposure_consent() {
    let s = actives(2);
    let bare = mandate("spokesperson", &id(1), day(2026, 1, 1), day(2026, 6, 30));
    let findings = check(s.snap(), &[propose(Mandate, &id(100), bare)], today());
    assert!(blocks(&findings, RuleId::D2), "{findings:?}");
    let consented = spokesperson(&id(1), day(2026, 1, 1), day(2026, 6, 30));
    assert!(check(s.snap(), &[propose(Mandate, &id(100), consented)], today()).is_empty());
}

#[test]
fn d2_a_device_without_personal_files_can_still_edit_a_spokesperson_mandate() {
    // Such a device never sees `exposure_consent_on`: its edits do not introduce the problem.
    let s = actives(2).with(
        Mandate,
        &id(100),
        mandate("spokesperson", &id(1), day(2026, 1, 1), day(2026, 6, 30)),
    );
    let edit = existing(&s, Mandate, &id(100)).flag("available", true);
    assert!(check(s.snap(), &[propose(Mandate, &id(100), edit)], today()).is_empty());
}

#[test]
fn d2_a_spokesperson_must_be_an_active_member() {
    let s = actives(1).with(Member, &id(2), member("member"));
    let m = spokesperson(&id(2), day(2026, 1, 1), day(2026, 6, 30));
    assert!(blocks(
        &check(s.snap(), &[propose(Mandate, &id(100), m)], today()),
        RuleId::D2
    ));
}

fn two_spokespersons() -> S {
    actives(4)
        .with(
            Mandate,
            &id(100),
            spokesperson(&id(1), day(2026, 1, 1), day(2026, 6, 30)),
        )
        .with(
            Mandate,
            &id(101),
            spokesperson(&id(2), day(2026, 1, 1), day(2026, 6, 30)),
        )
}

#[test]
fn d2_a_third_spokesperson_at_once_is_refused() {
    let s = two_spokespersons();
    let third = spokesperson(&id(3), day(2026, 2, 1), day(2026, 7, 31));
    let findings = check(s.snap(), &[propose(Mandate, &id(102), third)], today());
    assert!(blocks(&findings, RuleId::D2), "{findings:?}");
    assert!(
        findings[0].message.starts_with("3 spokespersons"),
        "{}",
        findings[0].message
    );
    // Elected ahead for the next term: no overlap, allowed.
    let next = spokesperson(&id(3), day(2026, 7, 1), day(2026, 12, 31));
    assert!(check(s.snap(), &[propose(Mandate, &id(102), next)], today()).is_empty());
    // Overlapping in the future with both current ones: refused.
    let overlap = spokesperson(&id(3), day(2026, 6, 30), day(2026, 12, 31));
    assert!(blocks(
        &check(s.snap(), &[propose(Mandate, &id(102), overlap)], today()),
        RuleId::D2
    ));
}

#[test]
fn d2_todo_wants_two_spokespersons_one_french_speaking() {
    let s = two_spokespersons();
    assert!(org_wide(&todo(s.snap(), day(2026, 6, 30)), RuleId::D2).is_empty());
    let findings = todo(s.snap(), day(2026, 7, 1));
    let d2 = org_wide(&findings, RuleId::D2);
    assert_eq!(d2.len(), 1, "{findings:?}");
    assert_eq!(d2[0].severity, Severity::Warn);
    assert!(d2[0].message.starts_with("0 current spokespersons"));
    // Two who do not speak French.
    let s = actives(4)
        .with(
            Mandate,
            &id(100),
            spokesperson(&id(2), day(2026, 1, 1), day(2026, 6, 30)),
        )
        .with(
            Mandate,
            &id(101),
            spokesperson(&id(4), day(2026, 1, 1), day(2026, 6, 30)),
        );
    let d2: Vec<Finding> = todo(s.snap(), today())
        .into_iter()
        .filter(|f| f.rule == RuleId::D2)
        .collect();
    assert_eq!(d2.len(), 1, "{d2:?}");
    assert!(d2[0].message.contains("French"));
}

#[test]
fn d2_todo_warns_when_a_spokesperson_is_not_available() {
    let s = two_spokespersons();
    let s = s.clone().with(
        Mandate,
        &id(101),
        existing(&s, Mandate, &id(101)).flag("available", false),
    );
    assert!(has(
        &todo(s.snap(), today()),
        RuleId::D2,
        Severity::Warn,
        Some(&id(101))
    ));
}

// ---- D3: general assemblies and mandate ends ----

#[test]
fn d3_the_next_general_assembly_is_reminded_30_days_before_it_is_due() {
    let s = S::default().with(
        Assembly,
        &id(200),
        R::default()
            .text("title", "GA")
            .date("date", day(2025, 9, 15)),
    );
    let due = day(2026, 3, 15);
    assert!(org_wide(&todo(s.snap(), day(2026, 2, 12)), RuleId::D3).is_empty());
    let findings = todo(s.snap(), day(2026, 2, 13));
    let d3 = org_wide(&findings, RuleId::D3);
    assert_eq!(d3.len(), 1, "{findings:?}");
    assert_eq!(
        (d3[0].severity, d3[0].kind, d3[0].due),
        (Severity::Remind, Assembly, Some(due))
    );
    // Overdue: still reminded.
    assert_eq!(
        org_wide(&todo(s.snap(), day(2026, 5, 1)), RuleId::D3).len(),
        1
    );
    // Planned by the due day: no reminder; planned too late: reminded.
    let planned = s.clone().with(
        Assembly,
        &id(201),
        R::default()
            .text("title", "GA")
            .date("date", day(2026, 3, 14)),
    );
    assert!(org_wide(&todo(planned.snap(), day(2026, 3, 1)), RuleId::D3).is_empty());
    let late = s.with(
        Assembly,
        &id(201),
        R::default()
            .text("title", "GA")
            .date("date", day(2026, 4, 14)),
    );
    assert_eq!(
        org_wide(&todo(late.snap(), day(2026, 3, 1)), RuleId::D3).len(),
        1
    );
}

#[test]
fn d3_no_assembly_at_all_is_reminded() {
    let findings = todo(&Default::default(), today());
    let d3 = org_wide(&findings, RuleId::D3);
    assert_eq!(d3.len(), 1);
    assert_eq!(d3[0].due, None);
}

#[test]
fn d3_a_mandate_is_reminded_30_days_before_it_ends() {
    let s = actives(1).with(
        Mandate,
        &id(100),
        mandate("board", &id(1), day(2025, 5, 1), day(2026, 4, 30)),
    );
    let about = |d| {
        has(
            &todo(s.snap(), d),
            RuleId::D3,
            Severity::Remind,
            Some(&id(100)),
        )
    };
    assert!(!about(day(2026, 3, 30)));
    assert!(about(day(2026, 3, 31)));
    assert!(about(day(2026, 4, 30)));
    assert!(!about(day(2026, 5, 1)), "ended: no longer current");
    let findings = todo(s.snap(), day(2026, 4, 1));
    let f = findings
        .iter()
        .find(|f| f.rule == RuleId::D3 && f.record.is_some())
        .expect("the reminder");
    assert_eq!(f.due, Some(day(2026, 4, 30)));
    assert!(f.message.contains("2026-04-30"));
}

// ---- D4: resignations ----

#[test]
fn d4_a_resignation_without_roots_consultation_is_refused() {
    let s = two_prefets();
    let resign = existing(&s, Mandate, &id(100)).date("resigned_on", today());
    let findings = check(
        s.snap(),
        &[propose(Mandate, &id(100), resign.clone())],
        today(),
    );
    assert!(blocks(&findings, RuleId::D4), "{findings:?}");
    let consulted = resign.flag("roots_consulted", true);
    assert!(check(s.snap(), &[propose(Mandate, &id(100), consulted)], today()).is_empty());
    let refused = existing(&s, Mandate, &id(100))
        .date("resigned_on", today())
        .flag("roots_consulted", false);
    assert!(blocks(
        &check(s.snap(), &[propose(Mandate, &id(100), refused)], today()),
        RuleId::D4
    ));
}

// ---- D6: the board ----

fn board(n: u32, end: chrono::NaiveDate) -> S {
    (1..=n).fold(actives(12), |s, i| {
        s.with(
            Mandate,
            &id(300 + i),
            mandate("board", &id(i), day(2025, 1, 1), end),
        )
    })
}

#[test]
fn d6_a_tenth_board_seat_is_refused() {
    let s = board(9, day(2027, 1, 1));
    let tenth = mandate("board", &id(10), day(2026, 2, 1), day(2027, 1, 1));
    let findings = check(s.snap(), &[propose(Mandate, &id(310), tenth)], today());
    assert!(blocks(&findings, RuleId::D6), "{findings:?}");
    let s = board(8, day(2027, 1, 1));
    let ninth = mandate("board", &id(9), day(2026, 2, 1), day(2027, 1, 1));
    assert!(check(s.snap(), &[propose(Mandate, &id(309), ninth)], today()).is_empty());
}

#[test]
fn d6_todo_warns_below_seven_seats_from_the_day_after_one_ends() {
    let s = board(7, day(2027, 1, 1));
    let s = s.clone().with(
        Mandate,
        &id(307),
        existing(&s, Mandate, &id(307)).date("end", day(2026, 3, 31)),
    );
    assert!(org_wide(&todo(s.snap(), day(2026, 3, 31)), RuleId::D6).is_empty());
    let findings = todo(s.snap(), day(2026, 4, 1));
    let d6 = org_wide(&findings, RuleId::D6);
    assert_eq!(d6.len(), 1, "{findings:?}");
    assert_eq!(d6[0].severity, Severity::Warn);
    assert!(d6[0].message.starts_with("6 current board seats"));
}

#[test]
fn d6_todo_warns_when_fewer_than_half_the_seats_are_held_by_active_members() {
    // Members 1..=4 stop being active on the board of 8 (4 of 8 is still half).
    let s = board(8, day(2027, 1, 1));
    assert!(org_wide(&todo(s.snap(), today()), RuleId::D6).is_empty());
    let s = (1..=4).fold(s, |s, i| s.with(Member, &id(i), member("member")));
    assert!(
        org_wide(&todo(s.snap(), today()), RuleId::D6).is_empty(),
        "4 of 8 is half"
    );
    let s = s.with(Member, &id(5), member("member"));
    let findings = todo(s.snap(), today());
    let d6 = org_wide(&findings, RuleId::D6);
    assert_eq!(d6.len(), 1, "{findings:?}");
    assert!(d6[0].message.starts_with("3 of 8 board seats"));
}
