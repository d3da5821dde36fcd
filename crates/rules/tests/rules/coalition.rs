//! C1..C5: the coalition's terms of reference.

use carnet_model::RecordKind::{Meeting, Partner, Vote};
use carnet_rules::{RuleId, Severity, check, todo};

use crate::support::*;

/// Partner ids 401..=400+n, all coalition members.
fn coalition(n: u32) -> S {
    (1..=n).fold(S::default(), |s, i| {
        s.with(Partner, &org(i), partner("member"))
    })
}

fn org(i: u32) -> String {
    id(400 + i)
}

fn decision(yes: u64, no: u64) -> R {
    vote("coalition-decision", "passed", day(2026, 2, 1))
        .count("votes_for", yes)
        .count("votes_against", no)
}

// ---- C1 ----

#[test]
fn c1_a_passed_coalition_motion_needs_fifty_percent_plus_one() {
    let s = coalition(6);
    let tie = propose(Vote, &id(500), decision(3, 3));
    assert!(blocks(&check(s.snap(), &[tie], today()), RuleId::C1));
    let ok = propose(Vote, &id(500), decision(4, 2));
    assert!(check(s.snap(), &[ok], today()).is_empty());
    // Abstentions are not cast: 3 for, 2 against, 1 abstention passes.
    let abst = propose(Vote, &id(500), decision(3, 2).count("abstentions", 1));
    assert!(check(s.snap(), &[abst], today()).is_empty());
    let uncounted = propose(
        Vote,
        &id(500),
        vote("coalition-decision", "passed", today()),
    );
    assert!(blocks(&check(s.snap(), &[uncounted], today()), RuleId::C1));
    let consensus = propose(
        Vote,
        &id(500),
        vote("coalition-decision", "consensus", today()),
    );
    assert!(check(s.snap(), &[consensus], today()).is_empty());
    // Votes of the association are not coalition votes.
    let election = propose(Vote, &id(500), vote("election", "passed", today()));
    assert!(check(s.snap(), &[election], today()).is_empty());
}

#[test]
fn c1_one_vote_per_organisation() {
    let s = coalition(5);
    let too_many = propose(Vote, &id(500), decision(5, 1));
    let findings = check(s.snap(), &[too_many], today());
    assert!(blocks(&findings, RuleId::C1), "{findings:?}");
    let (o1, o2, o3) = (org(1), org(2), org(3));
    let more_than_voters = propose(
        Vote,
        &id(500),
        decision(3, 1).ids("voters", &[&o1, &o2, &o3]),
    );
    assert!(blocks(
        &check(s.snap(), &[more_than_voters], today()),
        RuleId::C1
    ));
    let fine = propose(
        Vote,
        &id(500),
        decision(2, 1).ids("voters", &[&o1, &o2, &o3]),
    );
    assert!(check(s.snap(), &[fine], today()).is_empty());
}

// ---- C2 and C3 ----

#[test]
fn c2_an_organisation_with_a_single_endorsement_is_refused() {
    let s = coalition(4);
    let (o1, o2, o3) = (org(1), org(2), org(3));
    let new = id(450);
    let applicant = partner("member")
        .ids("endorsed_by", &[&o1])
        .ids("reviewed_by", &[&o2, &o3]);
    let findings = check(
        s.snap(),
        &[propose(Partner, &new, applicant.clone())],
        today(),
    );
    assert!(blocks(&findings, RuleId::C2), "{findings:?}");
    assert_eq!(findings.len(), 1);
    // Endorsing itself, or by an organisation that is not a member, does not count.
    let s2 = s.clone().with(Partner, &id(460), partner("applicant"));
    let odd = applicant.clone().ids("endorsed_by", &[&o1, &new, &id(460)]);
    assert!(blocks(
        &check(s2.snap(), &[propose(Partner, &new, odd)], today()),
        RuleId::C2
    ));
    let two = applicant.ids("endorsed_by", &[&o1, &o2]);
    assert!(check(s.snap(), &[propose(Partner, &new, two)], today()).is_empty());
}

#[test]
fn c2_an_application_is_reviewed_by_two_other_members() {
    let s = coalition(4);
    let (o1, o2) = (org(1), org(2));
    let new = id(450);
    let one_review = partner("member")
        .ids("endorsed_by", &[&o1, &o2])
        .ids("reviewed_by", &[&o1, &new]);
    assert!(blocks(
        &check(s.snap(), &[propose(Partner, &new, one_review)], today()),
        RuleId::C2
    ));
    // Applying needs nothing yet.
    let applying = partner("applicant");
    assert!(check(s.snap(), &[propose(Partner, &new, applying)], today()).is_empty());
}

#[test]
fn c2_founding_members_need_no_endorsement() {
    let s = coalition(1);
    let findings = check(
        s.snap(),
        &[propose(Partner, &org(2), partner("member"))],
        today(),
    );
    assert!(findings.is_empty(), "{findings:?}");
    let s = coalition(2);
    let findings = check(
        s.snap(),
        &[propose(Partner, &org(3), partner("member"))],
        today(),
    );
    assert!(blocks(&findings, RuleId::C2), "{findings:?}");
}

#[test]
fn c3_a_survivor_member_needs_an_agency_endorsing_her_readiness() {
    let s = coalition(4);
    let (o1, o2) = (org(1), org(2));
    let survivor = partner("member")
        .flag("survivor_member", true)
        .ids("reviewed_by", &[&o1, &o2]);
    let findings = check(
        s.snap(),
        &[propose(Partner, &id(450), survivor.clone())],
        today(),
    );
    assert!(blocks(&findings, RuleId::C3), "{findings:?}");
    assert!(
        !blocks(&findings, RuleId::C2),
        "no organisation endorsements asked: {findings:?}"
    );
    let endorsed = survivor.text("readiness_endorsed_by", &o1);
    assert!(check(s.snap(), &[propose(Partner, &id(450), endorsed)], today()).is_empty());
}

// ---- C4 ----

/// Organisation 5 given notice on 10 January, and a removal vote held on 1 February.
fn removal() -> (S, R) {
    let s = coalition(5).with(
        Partner,
        &org(5),
        partner("member").date("removal_notice_on", day(2026, 1, 10)),
    );
    let (o1, o2, o3, o4, o5) = (org(1), org(2), org(3), org(4), org(5));
    let vote = vote("coalition-removal", "passed", day(2026, 2, 1))
        .text("subject_partner", &o5)
        .ids("excluded", &[&o5])
        .ids("voters", &[&o1, &o2, &o3, &o4])
        .count("votes_for", 3)
        .count("votes_against", 1)
        .ids("outcome_signed_by", &[&o1, &o2]);
    (s, vote)
}

fn remove(s: &S) -> carnet_rules::Proposal {
    propose(
        Partner,
        &org(5),
        existing(s, Partner, &org(5)).text("coalition_status", "removed"),
    )
}

#[test]
fn c4_removal_without_notice_or_vote_is_refused() {
    let s = coalition(5);
    let findings = check(s.snap(), &[remove(&s)], today());
    assert_eq!(of(&findings, RuleId::C4).len(), 2, "{findings:?}");
    assert!(blocks(&findings, RuleId::C4));
}

#[test]
fn c4_removal_after_notice_and_a_proper_vote_passes() {
    let (s, v) = removal();
    let s2 = s.clone().with(Vote, &id(500), v.clone());
    assert!(check(s2.snap(), &[remove(&s2)], today()).is_empty());
    // Vote and removal recorded in one write.
    let findings = check(s.snap(), &[remove(&s), propose(Vote, &id(500), v)], today());
    assert!(findings.is_empty(), "{findings:?}");
}

#[test]
fn c4_removal_with_a_flawed_vote_is_refused() {
    let (s, v) = removal();
    let (o1, o2, o3, o5) = (org(1), org(2), org(3), org(5));
    let flawed = [
        v.clone().ids("voters", &[&o1, &o2, &o3, &o5]),
        v.clone().ids("excluded", &[]),
        v.clone().ids("outcome_signed_by", &[&o1, &o5]),
        v.clone().count("votes_for", 2).count("votes_against", 2),
        v.clone().date("held_on", day(2026, 1, 9)),
        v.clone().text("subject_partner", &o1),
        v.clone().text("result", "rejected"),
    ];
    for (i, bad) in flawed.into_iter().enumerate() {
        let s2 = s.clone().with(Vote, &id(500), bad);
        let findings = check(s2.snap(), &[remove(&s2)], today());
        assert!(blocks(&findings, RuleId::C4), "case {i}: {findings:?}");
    }
}

// ---- C5 ----

fn meeting(on: chrono::NaiveDate, present: &[&String]) -> R {
    R::default()
        .text("title", "Coalition meeting")
        .date("date", on)
        .ids("attendance", present)
}

#[test]
fn c5_attendance_under_two_thirds_of_the_year_warns_from_the_day_it_drops() {
    let (o1, o2) = (org(1), org(2));
    let s = coalition(2)
        .with(Meeting, &id(600), meeting(day(2025, 3, 1), &[&o1, &o2]))
        .with(Meeting, &id(601), meeting(day(2025, 9, 1), &[&o1, &o2]))
        .with(Meeting, &id(602), meeting(day(2025, 12, 1), &[&o2]));
    // 2 of 3 meetings in the year to 1 March 2026 is not under two thirds.
    let on = |d| has(&todo(s.snap(), d), RuleId::C5, Severity::Warn, Some(&o1));
    assert!(!on(day(2026, 3, 1)));
    // The next day, the March 2025 meeting is more than a year old: 1 of 2.
    assert!(on(day(2026, 3, 2)));
    assert!(!has(
        &todo(s.snap(), day(2026, 3, 2)),
        RuleId::C5,
        Severity::Warn,
        Some(&o2)
    ));
    let findings = todo(s.snap(), day(2026, 3, 2));
    let c5 = of(&findings, RuleId::C5);
    assert!(
        c5[0]
            .message
            .starts_with("attended 1 of 2 coalition meetings"),
        "{}",
        c5[0].message
    );
    // Meetings before it joined do not count against it.
    let joined = s.clone().with(
        Partner,
        &o1,
        partner("member").date("joined_on", day(2025, 9, 1)),
    );
    assert!(has(
        &todo(joined.snap(), day(2026, 3, 2)),
        RuleId::C5,
        Severity::Warn,
        Some(&o1)
    ));
    let joined_late = s.with(
        Partner,
        &o1,
        partner("member").date("joined_on", day(2025, 12, 2)),
    );
    assert!(!has(
        &todo(joined_late.snap(), day(2026, 3, 2)),
        RuleId::C5,
        Severity::Warn,
        Some(&o1)
    ));
}
