//! The coalition's terms of reference: C1 (votes), C2 and C3 (admission), C4 (removal) on
//! writes to votes and partners, C5 (attendance) in `todo`.

use std::collections::BTreeSet;

use carnet_model::{Record, RecordKind, Snapshot};
use chrono::NaiveDate;

use crate::facts::{Change, Ctx, coalition_members, dated_by, minus_months, plural};
use crate::{Finding, RuleId, Severity};

/// Whether a vote's `votes_for` are more than half of the votes cast (`votes_for` plus
/// `votes_against`; abstentions are not cast). `None` when `votes_for` is not recorded; a
/// missing `votes_against` counts as none.
fn majority(vote: &Record) -> Option<bool> {
    let yes = vote.count("votes_for")?;
    let no = vote.count("votes_against").unwrap_or(0);
    Some(yes.saturating_mul(2) > yes.saturating_add(no))
}

/// The distinct ids in `field` of `record` that are current coalition members of `snap`, other
/// than `id` itself.
fn members_in<'a>(snap: &Snapshot, record: &'a Record, field: &str, id: &str) -> BTreeSet<&'a str> {
    let members = coalition_members(snap);
    record
        .set(field)
        .filter(|p| *p != id && members.contains(p))
        .collect()
}

/// Checks one proposed vote.
pub(crate) fn check_vote(ctx: &Ctx<'_>, change: &Change<'_>, out: &mut Vec<Finding>) {
    let before: BTreeSet<String> = change
        .before
        .map(|v| c1_problems(ctx.before, v).into_iter().collect())
        .unwrap_or_default();
    for message in c1_problems(ctx.after, change.after) {
        if !before.contains(&message) {
            out.push(Finding::new(
                RuleId::C1,
                Severity::Block,
                RecordKind::Vote,
                Some(change.id),
                message,
            ));
        }
    }
}

/// **C1 B** — coalition decisions: consensus first, otherwise one vote per organisation and
/// 50%+1.
///
/// [004]: "Decisions will be made through consensus whenever possible. […] Each organization
/// has one vote. Majority voting rules apply – in order for a motion to be approved, there must
/// be 50% +1 in favour."
///
/// For a vote of kind `coalition-*` with `result=passed` (a `consensus` result needs no count):
/// `votes_for` must be recorded and more than half of the votes cast (`votes_for` +
/// `votes_against`; abstentions are not cast — domain.md leaves "cast or eligible" open); the
/// votes cast (abstentions included) and the organisations in `voters` may not outnumber the
/// coalition members not `excluded`; and when `voters` is recorded, no more votes are cast than
/// it lists. A write is refused for each of these it introduces.
fn c1_problems(snap: &Snapshot, vote: &Record) -> Vec<String> {
    let coalition = vote
        .text("kind")
        .is_some_and(|k| k.starts_with("coalition-"));
    if !coalition || vote.text("result") != Some("passed") {
        return Vec::new();
    }
    let mut out = Vec::new();
    match majority(vote) {
        None => out.push(
            "a passed coalition vote needs its count (C1): record votes_for and votes_against, \
             or result=consensus"
                .to_owned(),
        ),
        Some(false) => out.push(
            "a coalition motion passes with 50%+1 of the votes cast in favour (C1): the recorded \
             votes are not a majority; record result=rejected or correct the count"
                .to_owned(),
        ),
        Some(true) => {}
    }
    let cast = ["votes_for", "votes_against", "abstentions"]
        .iter()
        .filter_map(|f| vote.count(f))
        .fold(0u64, u64::saturating_add);
    let excluded: BTreeSet<&str> = vote.set("excluded").collect();
    let eligible = coalition_members(snap)
        .into_iter()
        .filter(|p| !excluded.contains(p))
        .count();
    let voters = vote.set("voters").count();
    let eligible_u64 = u64::try_from(eligible).unwrap_or(u64::MAX);
    if cast > eligible_u64 || voters > eligible {
        out.push(format!(
            "each organisation has one vote (C1): {cast} vote{s} cast by {voters} recorded \
             voter{vs}, but {eligible} member organisation{es} may vote",
            s = plural(usize::try_from(cast).unwrap_or(usize::MAX)),
            vs = plural(voters),
            es = plural(eligible),
        ));
    } else if voters > 0 && cast > u64::try_from(voters).unwrap_or(u64::MAX) {
        out.push(format!(
            "each organisation has one vote (C1): {cast} votes cast by {voters} organisation{s} \
             in `voters`",
            s = plural(voters),
        ));
    }
    out
}

/// Checks one proposed partner organisation.
pub(crate) fn check_partner(ctx: &Ctx<'_>, change: &Change<'_>, out: &mut Vec<Finding>) {
    let founding = coalition_members(ctx.before)
        .into_iter()
        .filter(|p| *p != change.id)
        .count()
        < 2;
    let problems = |snap: &Snapshot, partner: &Record| {
        let mut all = Vec::new();
        if !founding {
            all.extend(c2_problems(snap, change.id, partner));
        }
        all.extend(c3_problem(snap, change.id, partner));
        all
    };
    let before: Vec<(RuleId, &str)> = change
        .before
        .map(|p| problems(ctx.before, p))
        .unwrap_or_default();
    for (rule, message) in problems(ctx.after, change.after) {
        if !before.contains(&(rule, message)) {
            out.push(Finding::new(
                rule,
                Severity::Block,
                RecordKind::Partner,
                Some(change.id),
                message,
            ));
        }
    }
    let old = change.before.and_then(|p| p.text("coalition_status"));
    if change.after.text("coalition_status") == Some("removed") && old != Some("removed") {
        for message in c4_removal(ctx, change.id, change.after) {
            out.push(Finding::new(
                RuleId::C4,
                Severity::Block,
                RecordKind::Partner,
                Some(change.id),
                message,
            ));
        }
    }
}

/// **C2 B** — an organisation joins with two endorsements and reviews by two distinct members.
///
/// [004]: "All Organizations must submit a Membership Application that requires two
/// endorsements by existing Coalition Organizations (Senior Leadership with signing authority)"
/// and "Ensure all new Member Applications are reviewed and approved/denied by at least two
/// different, existing Member Organizations".
///
/// For a partner with `coalition_status=member`: `reviewed_by` must name at least two distinct
/// coalition members other than itself; unless it is a survivor member (C3 applies instead),
/// `endorsed_by` too. Membership of endorsers and reviewers is read after the write, so
/// organisations recorded together may endorse one another. The coalition's founding members
/// need neither: while fewer than two other organisations are members before the write, nobody
/// could endorse them. A write is refused for what it introduces.
fn c2_problems(snap: &Snapshot, id: &str, partner: &Record) -> Vec<(RuleId, &'static str)> {
    let mut out = Vec::new();
    if partner.text("coalition_status") != Some("member") {
        return out;
    }
    if partner.flag("survivor_member") != Some(true)
        && members_in(snap, partner, "endorsed_by", id).len() < 2
    {
        out.push((
            RuleId::C2,
            "an organisation joins with the endorsements of two member organisations' senior \
             signatories (C2): record them in `endorsed_by` (not the organisation itself)",
        ));
    }
    if members_in(snap, partner, "reviewed_by", id).len() < 2 {
        out.push((
            RuleId::C2,
            "an application is reviewed by two different member organisations (C2): record \
             them in `reviewed_by` (not the applicant itself)",
        ));
    }
    out
}

/// **C3 B** — a survivor member needs an agency's endorsement of readiness.
///
/// [004]: "Survivor Members should be endorsed by an existing partner agency who is able to
/// substantiate the survivor's readiness".
///
/// For a partner with `coalition_status=member` and `survivor_member=yes`:
/// `readiness_endorsed_by` must name a coalition member other than itself (the evidence stays
/// with that agency). A write is refused when it introduces the problem.
fn c3_problem(snap: &Snapshot, id: &str, partner: &Record) -> Option<(RuleId, &'static str)> {
    let survivor = partner.text("coalition_status") == Some("member")
        && partner.flag("survivor_member") == Some(true);
    let endorsed = partner
        .text("readiness_endorsed_by")
        .is_some_and(|agency| agency != id && coalition_members(snap).contains(agency));
    (survivor && !endorsed).then_some((
        RuleId::C3,
        "a survivor member needs a member agency that substantiates the person's readiness (C3): record \
         it in `readiness_endorsed_by`",
    ))
}

/// **C4 B** — removal: prior notice, a vote without the organisation, 50%+1, an outcome signed
/// by two members.
///
/// [004]: "Removal would require a vote of 50% + 1 and voting would not include the agency in
/// question; The member or agency in question shall be notified of the vote prior to it
/// occurring and the reasons for the proposed removal; […] notified of the voting outcome and
/// final decision of the Coalition in writing, signed by at least two member organizations."
///
/// When `coalition_status` becomes `removed`: `removal_notice_on` must be recorded, and some
/// vote of kind `coalition-removal` about it (`subject_partner`) with `result=passed`, held on
/// or before today and on or after the notice, must list it in `excluded` and not in `voters`,
/// have more than half of the votes cast for, and list at least two coalition members other
/// than itself in `outcome_signed_by`. When no vote satisfies all of this, what the latest
/// passed removal vote lacks is reported.
fn c4_removal(ctx: &Ctx<'_>, id: &str, partner: &Record) -> Vec<&'static str> {
    let notice = partner.date("removal_notice_on");
    let mut votes: Vec<(NaiveDate, &str, &Record)> = ctx
        .after
        .of(RecordKind::Vote)
        .filter(|(_, v)| {
            v.text("kind") == Some("coalition-removal")
                && v.text("subject_partner") == Some(id)
                && v.text("result") == Some("passed")
        })
        .filter_map(|(vid, v)| Some((dated_by(v, "held_on", ctx.today)?, vid, v)))
        .collect();
    votes.sort_by(|a, b| (b.0, b.1).cmp(&(a.0, a.1)));
    let lacks = |held: NaiveDate, vote: &Record| {
        let mut out = Vec::new();
        if notice.is_some_and(|n| held < n) {
            out.push(
                "the organisation is told of the vote and its reasons before it is held (C4): \
                 `removal_notice_on` is after the vote",
            );
        }
        if !vote.set("excluded").any(|p| p == id) || vote.set("voters").any(|p| p == id) {
            out.push(
                "the organisation concerned does not vote on its removal (C4): list it in the \
                 vote's `excluded` and not in `voters`",
            );
        }
        if majority(vote) != Some(true) {
            out.push(
                "a removal passes with 50%+1 of the votes cast in favour (C4): record votes_for \
                 and votes_against of the removal vote",
            );
        }
        if members_in(ctx.after, vote, "outcome_signed_by", id).len() < 2 {
            out.push(
                "the written outcome is signed by at least two member organisations (C4): \
                 record them in the vote's `outcome_signed_by`",
            );
        }
        out
    };
    let mut out = Vec::new();
    if notice.is_none() {
        out.push(
            "a removal needs prior notice with its reasons (C4): notify the organisation before \
             the vote and record `removal_notice_on`",
        );
    }
    if votes.iter().any(|(held, _, v)| lacks(*held, v).is_empty()) {
        return out;
    }
    match votes.first() {
        Some((held, _, vote)) => out.extend(lacks(*held, vote)),
        None => out.push(
            "a removal needs a passed coalition-removal vote about this organisation, held on or \
             before today (C4): record the vote with subject_partner set to it",
        ),
    }
    out
}

/// **C5 W** — attending under two thirds of the year's meetings means automatic withdrawal.
///
/// [004]: "Where members/organizations are in attendance for less than 2/3 annual meetings
/// (ie. less than 4 of 6 meetings), automatic withdrawal from the Coalition will be assumed."
///
/// For each partner with `coalition_status=member`: the coalition meetings dated from twelve
/// calendar months before today to today (and not before its `joined_on`) are counted, and
/// those whose `attendance` lists it. If it attended fewer than two thirds of them (and at least
/// one was held), a warning: a person tells the organisation and records the withdrawal; the
/// software never changes the status itself.
pub(crate) fn todo(snap: &Snapshot, today: NaiveDate, out: &mut Vec<Finding>) {
    let Some(from) = minus_months(today, 12) else {
        return;
    };
    let meetings: Vec<(NaiveDate, &Record)> = snap
        .of(RecordKind::Meeting)
        .filter_map(|(_, m)| Some((m.date("date")?, m)))
        .filter(|(d, _)| (from..=today).contains(d))
        .collect();
    for (id, partner) in snap.of(RecordKind::Partner) {
        if partner.text("coalition_status") != Some("member") {
            continue;
        }
        let joined = partner.date("joined_on");
        let held: Vec<&Record> = meetings
            .iter()
            .filter(|(d, _)| joined.is_none_or(|j| *d >= j))
            .map(|(_, m)| *m)
            .collect();
        let attended = held
            .iter()
            .filter(|m| m.set("attendance").any(|p| p == id))
            .count();
        if !held.is_empty() && attended * 3 < held.len() * 2 {
            out.push(Finding::new(
                RuleId::C5,
                Severity::Warn,
                RecordKind::Partner,
                Some(id),
                format!(
                    "attended {attended} of {n} coalition meeting{s} in the last 12 months, under \
                     two thirds (C5): the terms of reference assume automatic withdrawal; tell \
                     the organisation and record coalition_status=withdrawn",
                    n = held.len(),
                    s = plural(held.len()),
                ),
            ));
        }
    }
}
