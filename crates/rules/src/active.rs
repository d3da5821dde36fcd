//! Follow-up of active members in `todo`: A2 (mentor), A8 (working-group participation), A9
//! (news and welfare).

use std::collections::BTreeMap;

use carnet_model::{RecordKind, Snapshot};
use chrono::NaiveDate;

use crate::facts::{dated_by, plus_months};
use crate::{Finding, RuleId, Severity};

/// Months of silence (or of no working-group participation) before A8 and A9 apply.
const SILENCE_MONTHS: u32 = 2;

/// Reminders and warnings about active members.
pub(crate) fn todo(snap: &Snapshot, today: NaiveDate, out: &mut Vec<Finding>) {
    out.extend(a2_mentor(snap, today));
    let seen = Seen::collect(snap, today);
    for (id, member) in snap.of(RecordKind::Member) {
        if member.text("status") != Some("active") {
            continue;
        }
        let active_since = dated_by(member, "active_since", today);
        out.extend(a8_working_groups(
            id,
            seen.in_group(id).max(active_since),
            today,
        ));
        let news = [
            dated_by(member, "last_contact", today),
            seen.present.get(id).copied(),
            seen.welfare.get(id).copied(),
            active_since,
        ]
        .into_iter()
        .flatten()
        .max();
        out.extend(a9_no_news(id, news, today));
    }
}

/// The last day each member was seen, from attendance and welfare checks up to today.
struct Seen<'a> {
    /// Last `present` at any activity.
    present: BTreeMap<&'a str, NaiveDate>,
    /// Last `present` at an activity linked to a working group (`group` set).
    in_group: BTreeMap<&'a str, NaiveDate>,
    /// Last welfare check.
    welfare: BTreeMap<&'a str, NaiveDate>,
}

impl<'a> Seen<'a> {
    fn collect(snap: &'a Snapshot, today: NaiveDate) -> Seen<'a> {
        fn note<'a>(map: &mut BTreeMap<&'a str, NaiveDate>, id: &'a str, day: NaiveDate) {
            let last = map.entry(id).or_insert(day);
            *last = (*last).max(day);
        }
        let mut seen = Seen {
            present: BTreeMap::new(),
            in_group: BTreeMap::new(),
            welfare: BTreeMap::new(),
        };
        for (_, activity) in snap.of(RecordKind::Activity) {
            let Some(day) = dated_by(activity, "date", today) else {
                continue;
            };
            let group = activity.text("group").is_some();
            for id in activity.set("present") {
                note(&mut seen.present, id, day);
                if group {
                    note(&mut seen.in_group, id, day);
                }
            }
        }
        for (_, check) in snap.of(RecordKind::Welfare) {
            if let (Some(id), Some(day)) =
                (check.text("person"), dated_by(check, "checked_on", today))
            {
                note(&mut seen.welfare, id, day);
            }
        }
        seen
    }

    fn in_group(&self, id: &str) -> Option<NaiveDate> {
        self.in_group.get(id).copied()
    }
}

/// **A2 R** — a mentor is chosen after the Roots vote; nag until one is recorded.
///
/// [000]: "a vote is done, based on the criteria. A mentor is chosen for the person, to support
/// and help her/him."
///
/// For each application with `decision=accepted` whose `mentor` is empty and whose person is
/// not the mentee of a mentorship with `status=active`: a reminder due on `vote_on`, shown from
/// that day on (at once when `vote_on` is not recorded). Not shown once the person has left or
/// been expelled.
fn a2_mentor(snap: &Snapshot, today: NaiveDate) -> Vec<Finding> {
    let mut out = Vec::new();
    for (id, application) in snap.of(RecordKind::Application) {
        if application.text("decision") != Some("accepted") || application.text("mentor").is_some()
        {
            continue;
        }
        let Some(person) = application.text("person") else {
            continue;
        };
        if matches!(
            crate::facts::status(snap, person),
            Some("left" | "expelled")
        ) {
            continue;
        }
        let mentored = snap
            .of(RecordKind::Mentorship)
            .any(|(_, m)| m.text("mentee") == Some(person) && m.text("status") == Some("active"));
        let vote_on = application.date("vote_on");
        if mentored || vote_on.is_some_and(|d| d > today) {
            continue;
        }
        out.push(
            Finding::new(
                RuleId::A2,
                Severity::Remind,
                RecordKind::Application,
                Some(id),
                "an accepted application has no mentor yet (A2): choose one and record it in \
                 `mentor` (or as an active mentorship of this person)",
            )
            .due(vote_on),
        );
    }
    out
}

/// **A8 W** — two months without working-group participation flags the person for review.
///
/// [000]: "stops participating in the working groups (for at least two months) […] he/she can
/// be expelled from the active members community" and "active members can discuss with one of
/// the two Mist prefets".
///
/// For an active member, participation is being `present` at an activity whose `group` is set
/// (any group, Roots and the peer-to-peer group included), dated on or before today; the count
/// starts no earlier than `active_since`. With no such date known nothing is shown (a device
/// that cannot read attendance cannot tell). Shown from the day two calendar months after the
/// last participation, due that day.
fn a8_working_groups(id: &str, last: Option<NaiveDate>, today: NaiveDate) -> Option<Finding> {
    let due = plus_months(last?, SILENCE_MONTHS)?;
    (today >= due).then(|| {
        Finding::new(
            RuleId::A8,
            Severity::Warn,
            RecordKind::Member,
            Some(id),
            "no presence at a working-group activity for two months (A8): flag this person for \
             review by Roots and the prefets",
        )
        .due(Some(due))
    })
}

/// **A9 R** — two months without news calls for a welfare check-in first; never an automatic
/// drop.
///
/// [000]: "If the person has not given any news for two months, we first try to check if that
/// person is ok and not in danger and then we let the person go if this is what he/she wants."
///
/// For an active member, news is the latest of `last_contact`, being `present` at any activity,
/// a welfare check (`checked_on`), and `active_since`, each on or before today; a welfare check
/// recorded after the silence began therefore clears the reminder. With no such date known
/// nothing is shown. Shown from the day two calendar months after the last news, due that day.
/// This is a reminder only: nothing here changes a status.
fn a9_no_news(id: &str, news: Option<NaiveDate>, today: NaiveDate) -> Option<Finding> {
    let due = plus_months(news?, SILENCE_MONTHS)?;
    (today >= due).then(|| {
        Finding::new(
            RuleId::A9,
            Severity::Remind,
            RecordKind::Member,
            Some(id),
            "no news for two months (A9): check in on this person first and record a welfare \
             check; never drop the person automatically: let go only if the person wishes",
        )
        .due(Some(due))
    })
}
