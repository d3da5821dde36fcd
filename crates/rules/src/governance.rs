//! Mandates and governance: D1 (prefets), D2 (spokespersons), D3 (general assemblies and
//! mandate ends), D4 (resignations), D6 (board), on writes to mandates and in `todo`.

use std::collections::BTreeSet;

use carnet_model::{MANDATE_ROLES, Record, RecordKind, Snapshot};
use chrono::{Days, NaiveDate};

use crate::facts::{
    Change, Ctx, current_on, holders_on, is_active, live, plural, plus_months, speaks_french,
};
use crate::{Finding, RuleId, Severity};

/// The first day something due on `due` is reminded.
fn before_notice(due: NaiveDate) -> Option<NaiveDate> {
    due.checked_sub_days(Days::new(NOTICE_DAYS))
}

/// Length of a prefet mandate, and the interval between general assemblies.
const TERM_MONTHS: u32 = 6;
/// How long before a general assembly or the end of a mandate it is reminded.
const NOTICE_DAYS: u64 = 30;

/// A mandate held by a fixed number of people at once.
struct Seats {
    /// The rule.
    rule: RuleId,
    /// The mandate's `role`.
    role: &'static str,
    /// What one seat is called in messages.
    label: &'static str,
    /// The most people holding it at once.
    max: usize,
}

/// D1: "This role is played by two persons".
const PREFETS: Seats = Seats {
    rule: RuleId::D1,
    role: "prefet",
    label: "prefet",
    max: 2,
};
/// D2: "This role is played by two persons".
const SPOKESPERSONS: Seats = Seats {
    rule: RuleId::D2,
    role: "spokesperson",
    label: "spokesperson",
    max: 2,
};
/// D6: "Conseil d'administration (7 to 9 members, including at least half of active members)".
const BOARD: Seats = Seats {
    rule: RuleId::D6,
    role: "board",
    label: "board seat",
    max: 9,
};
/// The fewest board seats.
const BOARD_MIN: usize = 7;

/// Checks one proposed mandate.
pub(crate) fn check(ctx: &Ctx<'_>, change: &Change<'_>, out: &mut Vec<Finding>) {
    let block = |rule, message: String| {
        Finding::new(
            rule,
            Severity::Block,
            RecordKind::Mandate,
            Some(change.id),
            message,
        )
    };
    if ctx.introduces(change, |_, m| d4_resigned_without_roots(m)) {
        out.push(block(
            RuleId::D4,
            "a resignation needs a prior conversation with a Roots member, who looks for \
             another solution (D4): hold it, then record roots_consulted=yes with `resigned_on`"
                .into(),
        ));
    }
    let today = ctx.today;
    match change.after.text("role") {
        Some("prefet") => {
            if ctx.introduces(change, |_, m| d1_too_long(m)) {
                out.push(block(
                    RuleId::D1,
                    "a prefet mandate lasts six months (D1): set `end` at most six months after \
                     `start` (or after `renewed_on` for a renewal)"
                        .into(),
                ));
            }
            if ctx.introduces(change, |s, m| holder_not_active(s, m, today)) {
                out.push(block(
                    RuleId::D1,
                    "prefets are active members (D1): the holder's status is not active".into(),
                ));
            }
            out.extend(seats_over(ctx, change, &PREFETS));
        }
        Some("spokesperson") => {
            if ctx.introduces(change, |s, m| holder_not_active(s, m, today)) {
                out.push(block(
                    RuleId::D2,
                    "spokespersons are active members (D2): the holder's status is not active"
                        .into(),
                ));
            }
            if ctx.introduces(change, |_, m| d2_no_consent(m, today)) {
                out.push(block(
                    RuleId::D2,
                    "a spokesperson's exposure consent must be recorded (D2): on a device holding \
                     personal files, record `exposure_consent_on` and the limits the person \
                     sets in `exposure_limits`"
                        .into(),
                ));
            }
            out.extend(seats_over(ctx, change, &SPOKESPERSONS));
        }
        Some("board") => out.extend(seats_over(ctx, change, &BOARD)),
        _ => {}
    }
}

/// **D4 B** — a resignation needs a prior conversation with a Roots member.
///
/// [000]: "A person can resign from its role. To do that, the person take the time to discuss
/// it with a person from the Roots group, who will try to find another solution."
///
/// Broken when `resigned_on` is set and `roots_consulted` is not `yes`. A write is refused when
/// it introduces this (a mandate recorded that way before is left to people to fix).
fn d4_resigned_without_roots(mandate: &Record) -> bool {
    mandate.date("resigned_on").is_some() && mandate.flag("roots_consulted") != Some(true)
}

/// **D1 B** (length) — a prefet mandate lasts six months.
///
/// [000]: "The mandate is for six months and is renewable."
///
/// Broken when `end` is missing, or later than six calendar months after the mandate's start
/// (`renewed_on` when renewed, else `start`). Applies to every prefet mandate, past ones
/// included, and to no other role.
fn d1_too_long(mandate: &Record) -> bool {
    let from = mandate.date("start").max(mandate.date("renewed_on"));
    match (from, mandate.date("end")) {
        (Some(from), Some(end)) => plus_months(from, TERM_MONTHS).is_none_or(|last| end > last),
        (Some(_), None) => true,
        (None, _) => false,
    }
}

/// **D1 B / D2 B** (holder) — prefets and spokespersons are active members.
///
/// [000], for both roles: "They are active members".
///
/// Broken for a mandate that is current or still to come (see [`live`]) whose holder is not a
/// member with `status=active` in the snapshot. Past mandates are history and not judged.
fn holder_not_active(snap: &Snapshot, mandate: &Record, today: NaiveDate) -> bool {
    live(mandate, today) && !mandate.text("holder").is_some_and(|h| is_active(snap, h))
}

/// **D2 B** (consent) — a spokesperson's exposure consent is recorded.
///
/// [000]: "They agree with the fact that their identity and face would be seen/known in the
/// public space and they decide the limits of this public sharing".
///
/// Broken for a current or future spokesperson mandate without `exposure_consent_on`. That field
/// is personal-file data, so a device without it sees every spokesperson as lacking it: as a
/// write is refused only when it introduces the problem, such a device can still edit existing
/// mandates, but only a device holding personal files can create one.
fn d2_no_consent(mandate: &Record, today: NaiveDate) -> bool {
    live(mandate, today) && mandate.date("exposure_consent_on").is_none()
}

/// **D1 B / D2 B / D6 B** (seats) — no more people hold a mandate at once than it has seats.
///
/// Prefets and spokespersons: "This role is played by two persons"; board: "7 to 9 members".
///
/// For a proposed mandate of the role that is current or still to come, every day from
/// `max(start, today)` on where the number of distinct holders could change (its first day and
/// the start of every other mandate of the role within its span) is checked: the write is
/// refused if on such a day more people than the maximum would hold the role, and more than
/// before the write (so a merge that already left three spokespersons does not block fixing it).
fn seats_over(ctx: &Ctx<'_>, change: &Change<'_>, seats: &Seats) -> Option<Finding> {
    let mandate = change.after;
    let start = mandate.date("start")?;
    if !live(mandate, ctx.today) {
        return None;
    }
    let first = start.max(ctx.today);
    let mut days: BTreeSet<NaiveDate> = ctx
        .after
        .of(RecordKind::Mandate)
        .filter(|(_, m)| m.text("role") == Some(seats.role))
        .filter_map(|(_, m)| m.date("start"))
        .filter(|d| *d >= first)
        .collect();
    days.insert(first);
    days.into_iter()
        .filter(|day| current_on(mandate, *day))
        .find_map(|day| {
            let after = holders_on(ctx.after, seats.role, day).len();
            let before = holders_on(ctx.before, seats.role, day).len();
            (after > seats.max && after > before).then(|| {
                Finding::new(
                    seats.rule,
                    Severity::Block,
                    RecordKind::Mandate,
                    Some(change.id),
                    format!(
                        "{after} {label}s would be held at once from {day} ({rule}): at most \
                         {max}; end or resign a current mandate first",
                        label = seats.label,
                        day = day.format("%Y-%m-%d"),
                        rule = seats.rule,
                        max = seats.max,
                    ),
                )
            })
        })
}

/// Reminders and broken invariants about mandates and assemblies.
pub(crate) fn todo(snap: &Snapshot, today: NaiveDate, out: &mut Vec<Finding>) {
    out.extend(pair(snap, today, &PREFETS, Severity::Remind));
    out.extend(pair(snap, today, &SPOKESPERSONS, Severity::Warn));
    out.extend(d2_unavailable(snap, today));
    out.extend(d3_assembly_due(snap, today));
    out.extend(d3_mandates_ending(snap, today));
    out.extend(d6_board(snap, today));
}

/// **D1 R / D2** (in `todo`) — two current prefets, two current spokespersons, at least one of
/// each pair a French speaker, all active members.
///
/// [000], for both roles: "This role is played by two persons", "At least one of them can speak
/// French", "They are active members".
///
/// On today's current mandates of the role, counting distinct holders: more than two is a
/// broken invariant (`Block`: a check refuses it, so it comes from a merge of concurrent
/// elections); fewer than two, or none with `speaks_french=yes`, is reported with `shortfall`
/// (prefets: `Remind`, D1 being a reminder rule; spokespersons: `Warn`); and each current
/// mandate whose holder is no longer an active member is a `Warn` on that mandate.
fn pair(snap: &Snapshot, today: NaiveDate, seats: &Seats, shortfall: Severity) -> Vec<Finding> {
    let mut out = Vec::new();
    let holders = holders_on(snap, seats.role, today);
    let n = holders.len();
    let org_wide = |severity, message: String| {
        Finding::new(seats.rule, severity, RecordKind::Mandate, None, message)
    };
    if n > seats.max {
        out.push(org_wide(
            Severity::Block,
            format!(
                "{n} {label}s hold the role at once ({rule}): it is held by two people; decide \
                 which mandates stand and end or resign the others",
                label = seats.label,
                rule = seats.rule,
            ),
        ));
    } else if n < seats.max {
        out.push(org_wide(
            shortfall,
            format!(
                "{n} current {label}{s}, two are needed ({rule}): choose {missing} among the \
                 active members and present the choice at the general assembly",
                label = seats.label,
                s = plural(n),
                rule = seats.rule,
                missing = seats.max - n,
            ),
        ));
    }
    if n > 0 && !holders.keys().any(|h| speaks_french(snap, h)) {
        out.push(org_wide(
            shortfall,
            format!(
                "no current {label} speaks French ({rule}): at least one of the two must",
                label = seats.label,
                rule = seats.rule,
            ),
        ));
    }
    for (holder, mandates) in &holders {
        if is_active(snap, holder) {
            continue;
        }
        for id in mandates {
            out.push(Finding::new(
                seats.rule,
                Severity::Warn,
                RecordKind::Mandate,
                Some(id),
                format!(
                    "the holder of this current {label} mandate is no longer an active member \
                     ({rule}): record the end of the mandate and choose a successor",
                    label = seats.label,
                    rule = seats.rule,
                ),
            ));
        }
    }
    out
}

/// **D2 W** (availability) — spokespersons are available.
///
/// [000]: "They are available to do it". A current spokesperson mandate with `available=no` is a
/// warning (recording that she is not available is never refused).
fn d2_unavailable(snap: &Snapshot, today: NaiveDate) -> Vec<Finding> {
    snap.of(RecordKind::Mandate)
        .filter(|(_, m)| {
            m.text("role") == Some("spokesperson")
                && current_on(m, today)
                && m.flag("available") == Some(false)
        })
        .map(|(id, _)| {
            Finding::new(
                RuleId::D2,
                Severity::Warn,
                RecordKind::Mandate,
                Some(id),
                "this spokesperson is recorded as not available (D2): talk it over and, if the \
                 person wishes, consult a Roots member about a resignation and a successor",
            )
        })
        .collect()
}

/// **D3 R** (assemblies) — a general assembly every six months.
///
/// [000]: "At each general assembly (every 6 months), a vote is organized".
///
/// The next GA is due six calendar months after the latest assembly dated on or before today.
/// A reminder is shown from 30 days before that day, and after it, unless an assembly is already
/// recorded between tomorrow and the due day. With no assembly held yet, a reminder without due
/// day is shown.
fn d3_assembly_due(snap: &Snapshot, today: NaiveDate) -> Option<Finding> {
    let dates: BTreeSet<NaiveDate> = snap
        .of(RecordKind::Assembly)
        .filter_map(|(_, a)| a.date("date"))
        .collect();
    let Some(last) = dates.range(..=today).next_back().copied() else {
        return Some(Finding::new(
            RuleId::D3,
            Severity::Remind,
            RecordKind::Assembly,
            None,
            "no general assembly is recorded (D3): hold one every six months, where mandates \
             are presented and spokespersons elected",
        ));
    };
    let due = plus_months(last, TERM_MONTHS)?;
    let tomorrow = today.succ_opt()?;
    // (`range` panics on an empty interval: an overdue GA has nothing planned before its due day.)
    let planned = tomorrow <= due && dates.range(tomorrow..=due).next().is_some();
    (today >= before_notice(due)? && !planned).then(|| {
        let is = if today > due { "was" } else { "is" };
        Finding::new(
            RuleId::D3,
            Severity::Remind,
            RecordKind::Assembly,
            None,
            format!(
                "the next general assembly {is} due by {due}, six months after the one of {last} \
                 (D3): plan it and prepare the mandates to renew",
                due = due.format("%Y-%m-%d"),
                last = last.format("%Y-%m-%d"),
            ),
        )
        .due(Some(due))
    })
}

/// **D3 R** (mandates) — remind before mandates expire.
///
/// [000]: "The mandate lasts six months and can be renewed." Every current mandate (any role)
/// with an `end` gets a reminder due on that day, shown from 30 days before it until it ends.
/// Renewing it (moving `end`) or a resignation clears it.
fn d3_mandates_ending(snap: &Snapshot, today: NaiveDate) -> Vec<Finding> {
    let mut out = Vec::new();
    for (id, mandate) in snap.of(RecordKind::Mandate) {
        let Some(end) = mandate.date("end") else {
            continue;
        };
        if !current_on(mandate, today) || before_notice(end).is_none_or(|from| today < from) {
            continue;
        }
        // Only a word of the fixed vocabulary goes into the message.
        let role = mandate
            .text("role")
            .and_then(|r| MANDATE_ROLES.iter().find(|known| **known == r))
            .copied()
            .unwrap_or("the");
        out.push(
            Finding::new(
                RuleId::D3,
                Severity::Remind,
                RecordKind::Mandate,
                Some(id),
                format!(
                    "{role} mandate ends on {end} (D3): renew it or choose a successor, at a \
                     general assembly where needed",
                    end = end.format("%Y-%m-%d"),
                ),
            )
            .due(Some(end)),
        );
    }
    out
}

/// **D6** (in `todo`) — the board has 7 to 9 seats, at least half held by active members.
///
/// [000]: "Conseil d'administration (7 to 9 members, including at least half of active
/// members)".
///
/// On today's current board mandates, counting distinct holders: more than nine is a broken
/// invariant (`Block`, as a check refuses it); fewer than seven, or fewer than half held by
/// members with `status=active`, is a `Warn`.
fn d6_board(snap: &Snapshot, today: NaiveDate) -> Vec<Finding> {
    let mut out = Vec::new();
    let holders = holders_on(snap, BOARD.role, today);
    let seats = holders.len();
    let active = holders.keys().filter(|h| is_active(snap, h)).count();
    let org_wide = |severity, message: String| {
        Finding::new(RuleId::D6, severity, RecordKind::Mandate, None, message)
    };
    if seats > BOARD.max {
        out.push(org_wide(
            Severity::Block,
            format!(
                "{seats} board seats are held at once (D6): the board has at most 9; decide \
                 which mandates stand and end the others"
            ),
        ));
    } else if seats < BOARD_MIN {
        out.push(org_wide(
            Severity::Warn,
            format!(
                "{seats} current board seat{s} (D6): the board has 7 to 9; elect the missing \
                 members at the general assembly",
                s = plural(seats)
            ),
        ));
    }
    if seats > 0 && active * 2 < seats {
        out.push(org_wide(
            Severity::Warn,
            format!(
                "{active} of {seats} board seats are held by active members (D6): at least half \
                 must be"
            ),
        ));
    }
    out
}
