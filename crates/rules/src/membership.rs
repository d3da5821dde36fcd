//! Membership and the active scope on writes to member records: M1, M5, M6, A1, A10.

use std::collections::BTreeMap;

use carnet_model::{Record, RecordKind, Snapshot, Value};
use chrono::NaiveDate;

use crate::facts::{Change, Ctx, dated_by};
use crate::{Finding, RuleId, Severity};

/// Whether a status counts as membership (an active member is a member too).
fn is_member(status: Option<&str>) -> bool {
    matches!(status, Some("member" | "active"))
}

/// Checks one proposed member record against the membership rules.
pub(crate) fn check(ctx: &Ctx<'_>, change: &Change<'_>, out: &mut Vec<Finding>) {
    let old = change.before.and_then(|r| r.text("status"));
    let new = change.after.text("status");
    if let Some(f) = m6_expulsion_is_final(change.id, old, new) {
        out.push(f);
        return;
    }
    // The latest departure known before or after the write: a person who left keeps `left_on`
    // as history, or has it cleared when she rejoins; either way it bounds the new signatures.
    let departure = change
        .before
        .and_then(|r| r.date("left_on"))
        .max(change.after.date("left_on"));
    if is_member(new) && !is_member(old) {
        out.extend(m1_m5_joining(ctx, change.id, old, departure));
    }
    if new == Some("active") && old != Some("active") {
        out.extend(a1_becoming_active(ctx, change.id, departure));
    }
    if old == Some("active") && matches!(new, Some("member" | "prospect")) {
        let active_since = change
            .before
            .and_then(|r| r.date("active_since"))
            .or_else(|| change.after.date("active_since"));
        out.extend(a10_dropping(ctx, change.id, active_since));
    }
}

/// Whether member `person` signed `form` on or before `today`, and strictly after `after` when
/// given.
fn signed(
    snap: &Snapshot,
    person: &str,
    form: &str,
    after: Option<NaiveDate>,
    today: NaiveDate,
) -> bool {
    snap.of(RecordKind::Signature).any(|(_, s)| {
        s.text("person") == Some(person)
            && s.text("form") == Some(form)
            && dated_by(s, "signed_on", today).is_some_and(|d| after.is_none_or(|a| d > a))
    })
}

/// **M6 B** — expulsion is final: a status of `expelled` is never changed.
///
/// [000]: "Once someone is expelled, he/she cannot become a member anymore." Any proposal whose
/// previous status is `expelled` and whose new status is anything else is refused; the other
/// membership rules are then not evaluated.
fn m6_expulsion_is_final(id: &str, old: Option<&str>, new: Option<&str>) -> Option<Finding> {
    (old == Some("expelled") && new != Some("expelled")).then(|| {
        Finding::new(
            RuleId::M6,
            Severity::Block,
            RecordKind::Member,
            Some(id),
            "expulsion is final (M6): the status of an expelled person stays `expelled` and \
             the person cannot become a member again",
        )
    })
}

/// Whether writing member `after` (over `before`, `None` for a new record) admits a person
/// whose identity M6's markers must be checked against: a record that is not `expelled` or
/// `left`, being created, changing status, or changing what identifies her (names, date of
/// birth). Other edits of a member's file are never refused by a marker.
pub fn m6_admits(before: Option<&Record>, after: &BTreeMap<String, Value>) -> bool {
    const IDENTITY: [&str; 5] = [
        "status",
        "display_name",
        "first_name",
        "last_name",
        "date_of_birth",
    ];
    let status = match after.get("status") {
        Some(Value::Text(s)) => s.as_str(),
        _ => "",
    };
    !matches!(status, "expelled" | "left")
        && before.is_none_or(|b| IDENTITY.iter().any(|f| b.fields.get(*f) != after.get(*f)))
}

/// **M6 B** — an expelled person is never re-admitted, under a new record either.
///
/// [000]: "Once someone is expelled, he/she cannot become a member anymore." Her erasure keeps
/// a keyed hash of her identity (`domain.md` §4, guarantee 11); a device holding the key finds
/// that the person being admitted (record `id`) matches one. The message says which rule, never
/// whom she matched.
pub fn m6_marker_matched(id: &str) -> Finding {
    Finding::new(
        RuleId::M6,
        Severity::Block,
        RecordKind::Member,
        Some(id),
        "an expelled person is never re-admitted (M6): the names and date of birth given match \
         the marker an expelled person's erasure kept",
    )
}

/// **M1 B** and **M5 B** — joining needs a signed member form; rejoining needs one dated after
/// the departure.
///
/// [000]: "meet one of the staff, sign the Rules and Regulations form and immediately become a
/// member" (M1); "The person can come back whenever he/she wants but on the condition that
/// he/she signs the Rules and Regulations of MIST once again" (M5).
///
/// Applies when the status becomes `member` or `active` from anything else (a new record, a
/// prospect, a person who left). M1: some signature with `form=member` for this person, dated
/// on or before today. M5, when a departure is known (`left_on` before or after the write): the
/// signature must be dated strictly after it; if the previous status was `left` and no `left_on`
/// is recorded, the write is refused until it is.
fn m1_m5_joining(
    ctx: &Ctx<'_>,
    id: &str,
    old: Option<&str>,
    departure: Option<NaiveDate>,
) -> Option<Finding> {
    let block = |rule, message: &str| {
        Some(Finding::new(
            rule,
            Severity::Block,
            RecordKind::Member,
            Some(id),
            message,
        ))
    };
    match departure {
        None if old == Some("left") => block(
            RuleId::M5,
            "rejoining after leaving needs the departure date (M5): record `left_on`, then a \
             member-form signature dated after it",
        ),
        Some(left) if !signed(ctx.after, id, "member", Some(left), ctx.today) => block(
            RuleId::M5,
            "rejoining needs a new signature of the rules (M5): record a signature with \
             form=member and this person, dated after `left_on` and on or before today",
        ),
        None if !signed(ctx.after, id, "member", None, ctx.today) => block(
            RuleId::M1,
            "joining needs a signed member form (M1): after the meeting with staff, record a \
             signature with form=member and this person, dated on or before today",
        ),
        _ => None,
    }
}

/// **A1 B** — becoming active needs membership, a signed active-member form and Roots
/// acceptance.
///
/// [000]: "Sign the special Rules and Regulations form for active members" and "Be accepted by
/// the members of “Roots”".
///
/// Applies when the status becomes `active` from anything else. Membership is the previous
/// status `member`, or joining/rejoining in the same write, which M1/M5 already require (so it
/// is not reported twice). Needed in the snapshot after the write: a signature with
/// `form=active` for this person dated on or before today (and after `left_on` if she ever
/// left, so the form belongs to the current membership), and an application for her with
/// `decision=accepted`.
fn a1_becoming_active(ctx: &Ctx<'_>, id: &str, departure: Option<NaiveDate>) -> Vec<Finding> {
    let mut out = Vec::new();
    let block = |message: &str| {
        Finding::new(
            RuleId::A1,
            Severity::Block,
            RecordKind::Member,
            Some(id),
            message,
        )
    };
    if !signed(ctx.after, id, "active", departure, ctx.today) {
        out.push(block(if departure.is_some() {
            "becoming active needs a signed active-member form (A1): record a signature with \
             form=active and this person, dated after `left_on` and on or before today"
        } else {
            "becoming active needs a signed active-member form (A1): record a signature with \
             form=active and this person, dated on or before today"
        }));
    }
    let accepted = ctx
        .after
        .of(RecordKind::Application)
        .any(|(_, a)| a.text("person") == Some(id) && a.text("decision") == Some("accepted"));
    if !accepted {
        out.push(block(
            "becoming active needs acceptance by Roots (A1): record the application of this \
             person with decision=accepted after the Roots vote",
        ));
    }
    out
}

/// **A10 B** — an active member is dropped from the active community only after a vote.
///
/// [000]: "If the person still communicates with the group but is inactive or has broken a rule
/// of the group, the rest of the members should have a meeting and vote for the person to be
/// dropped from the active members community."
///
/// Applies when the status goes from `active` to `member` (or `prospect`). Leaving (`left`) is
/// always allowed ("People can leave MIST whenever they like"), and `expelled` is a separate
/// proceeding. Allowed with, dated on or before today and not before `active_since` when it is
/// known: a vote of kind `drop` or `expulsion` (expulsion from the active community) with
/// `subject_member` = this person and `result=passed`; or a welfare check of this person with
/// outcome `wants-to-leave` (A9: "we let the person go if this is what he/she wants"; the
/// outcome is personal-file data, so only a device holding it can record this path).
fn a10_dropping(ctx: &Ctx<'_>, id: &str, active_since: Option<NaiveDate>) -> Option<Finding> {
    let since = |d: NaiveDate| active_since.is_none_or(|s| d >= s);
    let voted = ctx.after.of(RecordKind::Vote).any(|(_, v)| {
        matches!(v.text("kind"), Some("drop" | "expulsion"))
            && v.text("subject_member") == Some(id)
            && v.text("result") == Some("passed")
            && dated_by(v, "held_on", ctx.today).is_some_and(since)
    });
    let wished = ctx.after.of(RecordKind::Welfare).any(|(_, w)| {
        w.text("person") == Some(id)
            && w.text("outcome") == Some("wants-to-leave")
            && dated_by(w, "checked_on", ctx.today).is_some_and(since)
    });
    (!voted && !wished).then(|| {
        Finding::new(
            RuleId::A10,
            Severity::Block,
            RecordKind::Member,
            Some(id),
            "an active member is dropped only after a meeting and a vote (A10): record a vote of \
             kind drop with subject_member set to this person and result=passed (or a welfare \
             check where the person asked to go); leaving (status left) is always possible",
        )
    })
}
