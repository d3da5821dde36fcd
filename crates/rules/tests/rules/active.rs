//! A2, A8, A9: reminders and warnings about active members, each on its day.

use carnet_model::RecordKind::{Activity, Application, Group, Member, Mentorship, Welfare};
use carnet_rules::{Finding, RuleId, Severity, todo};

use crate::support::*;

fn about<'a>(findings: &'a [Finding], rule: RuleId, record: &str) -> Option<&'a Finding> {
    findings
        .iter()
        .find(|f| f.rule == rule && f.record.as_deref() == Some(record))
}

#[test]
fn a2_an_accepted_application_without_mentor_is_reminded_from_the_vote() {
    let joy = id(1);
    let app = id(2);
    let s = S::default().with(Member, &joy, member("member")).with(
        Application,
        &app,
        application(&joy, "accepted").date("vote_on", day(2026, 2, 10)),
    );
    assert!(about(&todo(s.snap(), day(2026, 2, 9)), RuleId::A2, &app).is_none());
    let findings = todo(s.snap(), day(2026, 2, 10));
    let f = about(&findings, RuleId::A2, &app).expect("A2 on the day of the vote");
    assert_eq!(
        (f.severity, f.kind, f.due),
        (Severity::Remind, Application, Some(day(2026, 2, 10)))
    );
    // Still there weeks later: nag until set.
    assert!(about(&todo(s.snap(), day(2026, 5, 1)), RuleId::A2, &app).is_some());
}

#[test]
fn a2_a_mentor_on_the_application_or_an_active_mentorship_clears_it() {
    let joy = id(1);
    let app = id(2);
    let accepted = application(&joy, "accepted").date("vote_on", day(2026, 2, 10));
    let s = S::default().with(Member, &joy, member("active"));
    let with_mentor = s
        .clone()
        .with(Application, &app, accepted.clone().text("mentor", &id(3)));
    assert!(about(&todo(with_mentor.snap(), today()), RuleId::A2, &app).is_none());
    let mentorship = |status: &str| {
        R::default()
            .text("mentee", &joy)
            .text("mentor", &id(3))
            .text("status", status)
    };
    let ended = s.clone().with(Application, &app, accepted.clone()).with(
        Mentorship,
        &id(4),
        mentorship("ended"),
    );
    assert!(about(&todo(ended.snap(), today()), RuleId::A2, &app).is_some());
    let going = s
        .with(Application, &app, accepted)
        .with(Mentorship, &id(4), mentorship("active"));
    assert!(about(&todo(going.snap(), today()), RuleId::A2, &app).is_none());
}

/// An active member since 2025, last at a working-group activity on 15 January 2026, and at a
/// talking group (no working group) on 1 February.
fn group_member() -> (String, S) {
    let joy = id(1);
    let group = id(50);
    let s = S::default()
        .with(Member, &joy, active_member(day(2025, 1, 1)))
        .with(
            Group,
            &group,
            R::default().text("name", "Media").text("area", "media"),
        )
        .with(
            Activity,
            &id(60),
            activity(day(2026, 1, 15), &[&joy]).text("group", &group),
        )
        .with(Activity, &id(61), activity(day(2026, 2, 1), &[&joy]))
        .with(
            Activity,
            &id(62),
            activity(day(2025, 12, 1), &[&joy]).text("group", &group),
        );
    (joy, s)
}

#[test]
fn a8_two_months_without_working_group_presence_warns_on_the_day() {
    let (joy, s) = group_member();
    assert!(about(&todo(s.snap(), day(2026, 3, 14)), RuleId::A8, &joy).is_none());
    let findings = todo(s.snap(), day(2026, 3, 15));
    let f = about(&findings, RuleId::A8, &joy).expect("A8 two months after 15 January");
    assert_eq!(
        (f.severity, f.kind, f.due),
        (Severity::Warn, Member, Some(day(2026, 3, 15)))
    );
    assert!(f.message.contains("Roots"));
}

#[test]
fn a8_counts_from_active_since_and_only_for_active_members() {
    let joy = id(1);
    let s = S::default().with(Member, &joy, active_member(day(2026, 1, 20)));
    assert!(about(&todo(s.snap(), day(2026, 3, 19)), RuleId::A8, &joy).is_none());
    assert!(about(&todo(s.snap(), day(2026, 3, 20)), RuleId::A8, &joy).is_some());
    let s = S::default().with(
        Member,
        &joy,
        member("member").date("active_since", day(2025, 1, 1)),
    );
    assert!(
        todo(s.snap(), day(2026, 3, 20))
            .iter()
            .all(|f| f.rule != RuleId::A8)
    );
}

#[test]
fn a8_and_a9_say_nothing_without_any_date() {
    // A device that cannot read attendance or contacts sees an active member with no dates.
    let joy = id(1);
    let s = S::default().with(Member, &joy, member("active"));
    let findings = todo(s.snap(), today());
    assert!(
        findings
            .iter()
            .all(|f| f.rule != RuleId::A8 && f.rule != RuleId::A9)
    );
}

#[test]
fn a9_two_months_without_news_reminds_a_welfare_check_on_the_day() {
    let joy = id(1);
    let s = S::default().with(
        Member,
        &joy,
        active_member(day(2025, 1, 1)).date("last_contact", day(2026, 1, 10)),
    );
    assert!(about(&todo(s.snap(), day(2026, 3, 9)), RuleId::A9, &joy).is_none());
    let findings = todo(s.snap(), day(2026, 3, 10));
    let f = about(&findings, RuleId::A9, &joy).expect("A9 two months after the last contact");
    assert_eq!(
        (f.severity, f.kind, f.due),
        (Severity::Remind, Member, Some(day(2026, 3, 10)))
    );
    assert!(f.message.contains("welfare"));
    // Never an automatic drop: todo changes nothing and nothing blocks.
    assert!(!f.blocks());
}

#[test]
fn a9_presence_at_any_activity_is_news() {
    let (joy, s) = group_member();
    // Last seen at the talking group on 1 February.
    assert!(about(&todo(s.snap(), day(2026, 3, 31)), RuleId::A9, &joy).is_none());
    assert!(about(&todo(s.snap(), day(2026, 4, 1)), RuleId::A9, &joy).is_some());
}

#[test]
fn a9_a_welfare_check_after_the_silence_began_clears_it() {
    let joy = id(1);
    let s = S::default().with(
        Member,
        &joy,
        active_member(day(2025, 1, 1)).date("last_contact", day(2026, 1, 10)),
    );
    let checked = s.with(
        Welfare,
        &id(70),
        R::default()
            .text("person", &joy)
            .date("checked_on", day(2026, 3, 12)),
    );
    assert!(about(&todo(checked.snap(), day(2026, 3, 11)), RuleId::A9, &joy).is_some());
    assert!(about(&todo(checked.snap(), day(2026, 3, 12)), RuleId::A9, &joy).is_none());
    // Two months after the check, silence again.
    assert!(about(&todo(checked.snap(), day(2026, 5, 12)), RuleId::A9, &joy).is_some());
}
