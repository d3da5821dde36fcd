//! M1, M5, M6, A1, A10: writes to member records.

use carnet_model::RecordKind::{Application, Member, Signature, Vote, Welfare};
use carnet_rules::{RuleId, Severity, check};

use crate::support::*;

#[test]
fn m1_joining_without_a_member_form_is_refused() {
    let joy = id(1);
    let findings = check(
        &Default::default(),
        &[propose(Member, &joy, member("member"))],
        today(),
    );
    assert!(blocks(&findings, RuleId::M1), "{findings:?}");
    assert_eq!(findings[0].record.as_deref(), Some(joy.as_str()));
    assert_eq!(findings[0].kind, Member);
}

#[test]
fn m1_joining_with_a_signature_in_the_same_write_passes() {
    let joy = id(1);
    let findings = check(
        &Default::default(),
        &[
            propose(Member, &joy, member("member")),
            propose(Signature, &id(2), signature(&joy, "member", today())),
        ],
        today(),
    );
    assert!(findings.is_empty(), "{findings:?}");
}

#[test]
fn m1_a_prospect_becoming_member_needs_a_signature_on_or_before_today() {
    let joy = id(1);
    let s = S::default().with(Member, &joy, member("prospect"));
    let edit = || {
        propose(
            Member,
            &joy,
            existing(&s, Member, &joy).text("status", "member"),
        )
    };
    assert!(blocks(&check(s.snap(), &[edit()], today()), RuleId::M1));
    // An active-member form is not a member form.
    let s2 = s
        .clone()
        .with(Signature, &id(2), signature(&joy, "active", today()));
    assert!(blocks(&check(s2.snap(), &[edit()], today()), RuleId::M1));
    // A signature dated tomorrow does not count yet.
    let tomorrow = today().succ_opt().expect("a day");
    let s3 = s
        .clone()
        .with(Signature, &id(2), signature(&joy, "member", tomorrow));
    assert!(blocks(&check(s3.snap(), &[edit()], today()), RuleId::M1));
    let s4 = s
        .clone()
        .with(Signature, &id(2), signature(&joy, "member", today()));
    assert!(check(s4.snap(), &[edit()], today()).is_empty());
}

#[test]
fn m1_edits_that_keep_the_status_are_not_judged() {
    let joy = id(1);
    // A member recorded before signatures were: editing her groups is not refused.
    let s = S::default().with(Member, &joy, member("member"));
    let edit = existing(&s, Member, &joy).set("working_groups", &["media"]);
    assert!(check(s.snap(), &[propose(Member, &joy, edit)], today()).is_empty());
}

fn left_member() -> (String, S) {
    let joy = id(1);
    let s = S::default()
        .with(
            Member,
            &joy,
            member("left").date("left_on", day(2025, 6, 1)),
        )
        .with(
            Signature,
            &id(2),
            signature(&joy, "member", day(2024, 1, 10)),
        );
    (joy, s)
}

#[test]
fn m5_rejoining_with_only_the_old_signature_is_refused() {
    let (joy, s) = left_member();
    let edit = propose(
        Member,
        &joy,
        existing(&s, Member, &joy).text("status", "member"),
    );
    let findings = check(s.snap(), &[edit], today());
    assert!(blocks(&findings, RuleId::M5), "{findings:?}");
    assert!(!blocks(&findings, RuleId::M1));
}

#[test]
fn m5_a_signature_on_the_day_she_left_is_not_after_it() {
    let (joy, s) = left_member();
    let edit = propose(
        Member,
        &joy,
        existing(&s, Member, &joy).text("status", "member"),
    );
    let same_day = propose(
        Signature,
        &id(3),
        signature(&joy, "member", day(2025, 6, 1)),
    );
    assert!(blocks(
        &check(s.snap(), &[edit, same_day], today()),
        RuleId::M5
    ));
}

#[test]
fn m5_rejoining_with_a_new_signature_passes_even_if_left_on_is_cleared() {
    let (joy, s) = left_member();
    let new = propose(
        Signature,
        &id(3),
        signature(&joy, "member", day(2025, 6, 2)),
    );
    let keep = propose(
        Member,
        &joy,
        existing(&s, Member, &joy).text("status", "member"),
    );
    assert!(check(s.snap(), &[keep, new.clone()], today()).is_empty());
    let cleared = existing(&s, Member, &joy)
        .text("status", "member")
        .without("left_on");
    // The departure is read from the state before the write: the old signature still does not do.
    let findings = check(s.snap(), &[propose(Member, &joy, cleared.clone())], today());
    assert!(blocks(&findings, RuleId::M5));
    assert!(check(s.snap(), &[propose(Member, &joy, cleared), new], today()).is_empty());
}

#[test]
fn m5_rejoining_without_a_departure_date_is_refused() {
    let joy = id(1);
    let s = S::default().with(Member, &joy, member("left")).with(
        Signature,
        &id(2),
        signature(&joy, "member", today()),
    );
    let edit = propose(
        Member,
        &joy,
        existing(&s, Member, &joy).text("status", "member"),
    );
    let findings = check(s.snap(), std::slice::from_ref(&edit), today());
    assert!(blocks(&findings, RuleId::M5));
    assert!(findings[0].message.contains("left_on"));
    let dated = propose(
        Member,
        &joy,
        existing(&s, Member, &joy)
            .text("status", "member")
            .date("left_on", day(2025, 12, 1)),
    );
    assert!(check(s.snap(), &[dated], today()).is_empty());
}

#[test]
fn m5_leaving_is_always_possible() {
    let joy = id(1);
    for from in ["prospect", "member", "active"] {
        let s = S::default().with(Member, &joy, member(from));
        let edit = existing(&s, Member, &joy)
            .text("status", "left")
            .date("left_on", today());
        let findings = check(s.snap(), &[propose(Member, &joy, edit)], today());
        assert!(findings.is_empty(), "{from}: {findings:?}");
    }
}

#[test]
fn m6_an_expelled_person_is_never_readmitted() {
    let joy = id(1);
    let s = S::default()
        .with(
            Member,
            &joy,
            member("expelled").date("left_on", day(2025, 1, 1)),
        )
        .with(Signature, &id(2), signature(&joy, "member", today()));
    for to in ["member", "active", "left", "prospect"] {
        let edit = existing(&s, Member, &joy).text("status", to);
        let findings = check(s.snap(), &[propose(Member, &joy, edit)], today());
        assert!(blocks(&findings, RuleId::M6), "{to}: {findings:?}");
    }
    // Other edits of an expelled person's card go ahead.
    let edit = existing(&s, Member, &joy).flag("speaks_french", true);
    assert!(check(s.snap(), &[propose(Member, &joy, edit)], today()).is_empty());
    // Expelling is not refused.
    let s2 = S::default().with(Member, &joy, member("member"));
    let edit = existing(&s2, Member, &joy).text("status", "expelled");
    assert!(check(s2.snap(), &[propose(Member, &joy, edit)], today()).is_empty());
}

fn member_applying() -> (String, S) {
    let joy = id(1);
    let s = S::default().with(Member, &joy, member("member")).with(
        Signature,
        &id(2),
        signature(&joy, "member", day(2025, 1, 5)),
    );
    (joy, s)
}

#[test]
fn a1_becoming_active_without_form_or_acceptance_is_refused() {
    let (joy, s) = member_applying();
    let edit = propose(
        Member,
        &joy,
        existing(&s, Member, &joy).text("status", "active"),
    );
    let findings = check(s.snap(), std::slice::from_ref(&edit), today());
    assert_eq!(of(&findings, RuleId::A1).len(), 2, "{findings:?}");
    // A pending application is not acceptance.
    let pending = propose(Application, &id(3), application(&joy, "pending"));
    let form = propose(Signature, &id(4), signature(&joy, "active", today()));
    let findings = check(s.snap(), &[edit, pending, form], today());
    assert_eq!(of(&findings, RuleId::A1).len(), 1, "{findings:?}");
}

#[test]
fn a1_becoming_active_with_form_and_acceptance_passes() {
    let (joy, s) = member_applying();
    let s = s
        .with(
            Signature,
            &id(4),
            signature(&joy, "active", day(2026, 1, 5)),
        )
        .with(Application, &id(3), application(&joy, "accepted"));
    let edit = propose(
        Member,
        &joy,
        existing(&s, Member, &joy).text("status", "active"),
    );
    assert!(check(s.snap(), &[edit], today()).is_empty());
}

#[test]
fn a1_a_new_active_member_needs_the_member_form_too() {
    let joy = id(1);
    let base = [
        propose(Member, &joy, member("active")),
        propose(Signature, &id(4), signature(&joy, "active", today())),
        propose(Application, &id(3), application(&joy, "accepted")),
    ];
    let findings = check(&Default::default(), &base, today());
    assert!(blocks(&findings, RuleId::M1), "{findings:?}");
    let mut all = base.to_vec();
    all.push(propose(
        Signature,
        &id(2),
        signature(&joy, "member", today()),
    ));
    assert!(check(&Default::default(), &all, today()).is_empty());
}

#[test]
fn a1_rejoining_as_active_needs_forms_signed_after_leaving() {
    let joy = id(1);
    let s = S::default()
        .with(
            Member,
            &joy,
            member("left").date("left_on", day(2025, 6, 1)),
        )
        .with(
            Signature,
            &id(4),
            signature(&joy, "active", day(2024, 2, 1)),
        )
        .with(Application, &id(3), application(&joy, "accepted"));
    let edit = propose(
        Member,
        &joy,
        existing(&s, Member, &joy).text("status", "active"),
    );
    let member_form = propose(
        Signature,
        &id(5),
        signature(&joy, "member", day(2026, 2, 1)),
    );
    let findings = check(s.snap(), &[edit.clone(), member_form.clone()], today());
    assert!(
        blocks(&findings, RuleId::A1),
        "old active form: {findings:?}"
    );
    assert!(!blocks(&findings, RuleId::M5));
    let active_form = propose(
        Signature,
        &id(6),
        signature(&joy, "active", day(2026, 2, 1)),
    );
    let findings = check(s.snap(), &[edit, member_form, active_form], today());
    assert!(findings.is_empty(), "{findings:?}");
}

fn active_joy() -> (String, S) {
    let joy = id(1);
    let s = S::default().with(Member, &joy, active_member(day(2025, 1, 1)));
    (joy, s)
}

#[test]
fn a10_dropping_an_active_member_without_a_vote_is_refused() {
    let (joy, s) = active_joy();
    let drop = propose(
        Member,
        &joy,
        existing(&s, Member, &joy).text("status", "member"),
    );
    assert!(blocks(
        &check(s.snap(), std::slice::from_ref(&drop), today()),
        RuleId::A10
    ));
    // A rejected vote, or one about someone else, does not do.
    let rejected = propose(
        Vote,
        &id(7),
        vote("drop", "rejected", day(2026, 2, 1)).text("subject_member", &joy),
    );
    assert!(blocks(
        &check(s.snap(), &[drop.clone(), rejected], today()),
        RuleId::A10
    ));
    let other = propose(
        Vote,
        &id(7),
        vote("drop", "passed", day(2026, 2, 1)).text("subject_member", &id(99)),
    );
    assert!(blocks(
        &check(s.snap(), &[drop.clone(), other], today()),
        RuleId::A10
    ));
    // A vote from before she became active (an earlier period) does not do either.
    let old = propose(
        Vote,
        &id(7),
        vote("drop", "passed", day(2024, 2, 1)).text("subject_member", &joy),
    );
    assert!(blocks(&check(s.snap(), &[drop, old], today()), RuleId::A10));
}

#[test]
fn a10_dropping_after_a_passed_vote_passes() {
    let (joy, s) = active_joy();
    let s = s.with(
        Vote,
        &id(7),
        vote("drop", "passed", day(2026, 2, 1)).text("subject_member", &joy),
    );
    let drop = propose(
        Member,
        &joy,
        existing(&s, Member, &joy).text("status", "member"),
    );
    assert!(check(s.snap(), &[drop], today()).is_empty());
}

#[test]
fn a10_letting_go_a_person_who_wishes_it_after_a_welfare_check_passes() {
    let (joy, s) = active_joy();
    let check_in = propose(
        Welfare,
        &id(8),
        R::default()
            .text("person", &joy)
            .date("checked_on", day(2026, 2, 20))
            .text("outcome", "wants-to-leave"),
    );
    let drop = propose(
        Member,
        &joy,
        existing(&s, Member, &joy).text("status", "member"),
    );
    assert!(check(s.snap(), &[drop, check_in], today()).is_empty());
}

#[test]
fn a10_leaving_needs_no_vote() {
    let (joy, s) = active_joy();
    let leave = existing(&s, Member, &joy)
        .text("status", "left")
        .date("left_on", today());
    assert!(check(s.snap(), &[propose(Member, &joy, leave)], today()).is_empty());
}

#[test]
fn findings_are_the_same_whatever_the_order_of_the_proposals() {
    let (joy, s) = member_applying();
    let a = propose(
        Member,
        &joy,
        existing(&s, Member, &joy).text("status", "active"),
    );
    let b = propose(Member, &id(9), member("member"));
    let c = propose(Signature, &id(10), signature(&id(11), "member", today()));
    let one = check(s.snap(), &[a.clone(), b.clone(), c.clone()], today());
    let two = check(s.snap(), &[c, b, a], today());
    assert_eq!(one, two);
    assert!(one.iter().all(|f| f.severity == Severity::Block));
    assert_eq!(one.len(), 3, "{one:?}");
}
