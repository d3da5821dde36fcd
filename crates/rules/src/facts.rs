//! Facts several rules read from a snapshot (statuses, signatures, current mandates, calendar
//! arithmetic), and the context a write is judged in.

use std::collections::{BTreeMap, BTreeSet};

use carnet_model::{Record, RecordKind, Snapshot};
use chrono::{Months, NaiveDate};

/// A write being judged: the snapshot before it, the snapshot with every proposal applied, and
/// the day.
pub(crate) struct Ctx<'a> {
    /// The records as they are.
    pub(crate) before: &'a Snapshot,
    /// The records as they would be after the write.
    pub(crate) after: &'a Snapshot,
    /// The day the write is made.
    pub(crate) today: NaiveDate,
}

/// One proposed record, with its state before the write (`None` for a new record).
pub(crate) struct Change<'a> {
    /// The record's id.
    pub(crate) id: &'a str,
    /// Its fields before the write.
    pub(crate) before: Option<&'a Record>,
    /// Its fields after the write.
    pub(crate) after: &'a Record,
}

impl Ctx<'_> {
    /// Whether the write makes `broken` true of the record when it was not before.
    ///
    /// State rules refuse a write only if it *introduces* a violation: a write that leaves an
    /// existing one as it was (e.g. one reached by a merge, or one a person is fixing step by
    /// step) goes ahead, and `todo` keeps showing the violation until someone resolves it.
    pub(crate) fn introduces(
        &self,
        change: &Change<'_>,
        broken: impl Fn(&Snapshot, &Record) -> bool,
    ) -> bool {
        broken(self.after, change.after) && !change.before.is_some_and(|b| broken(self.before, b))
    }
}

/// `day` plus `months` calendar months (the end of a shorter month when the day does not exist).
pub(crate) fn plus_months(day: NaiveDate, months: u32) -> Option<NaiveDate> {
    day.checked_add_months(Months::new(months))
}

/// `day` minus `months` calendar months.
pub(crate) fn minus_months(day: NaiveDate, months: u32) -> Option<NaiveDate> {
    day.checked_sub_months(Months::new(months))
}

/// The date in `field` if it is on or before `today` (evidence dated in the future does not
/// count yet).
pub(crate) fn dated_by(record: &Record, field: &str, today: NaiveDate) -> Option<NaiveDate> {
    record.date(field).filter(|d| *d <= today)
}

/// The membership status of member `id`, if the snapshot holds it.
pub(crate) fn status<'a>(snap: &'a Snapshot, id: &str) -> Option<&'a str> {
    snap.get(RecordKind::Member, id)
        .and_then(|m| m.text("status"))
}

/// Whether member `id` is an active member.
pub(crate) fn is_active(snap: &Snapshot, id: &str) -> bool {
    status(snap, id) == Some("active")
}

/// Whether member `id` is recorded as speaking French.
pub(crate) fn speaks_french(snap: &Snapshot, id: &str) -> bool {
    snap.get(RecordKind::Member, id)
        .and_then(|m| m.flag("speaks_french"))
        == Some(true)
}

/// Whether a mandate is current on `day`: started on or before it, not ended before it, and
/// not resigned before it.
pub(crate) fn current_on(mandate: &Record, day: NaiveDate) -> bool {
    mandate.date("start").is_some_and(|s| s <= day)
        && mandate.date("end").is_none_or(|e| e >= day)
        && mandate.date("resigned_on").is_none_or(|r| r >= day)
}

/// Whether a mandate is current or still to come on `today` (neither ended nor resigned before
/// it). Past mandates are history and are not judged against today's members.
pub(crate) fn live(mandate: &Record, today: NaiveDate) -> bool {
    mandate.date("end").is_none_or(|e| e >= today)
        && mandate.date("resigned_on").is_none_or(|r| r >= today)
}

/// The holders of the mandates of `role` current on `day`, each with the ids of those mandates
/// (a person holding two records of one role still holds one seat).
pub(crate) fn holders_on<'a>(
    snap: &'a Snapshot,
    role: &str,
    day: NaiveDate,
) -> BTreeMap<&'a str, BTreeSet<&'a str>> {
    let mut holders: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (id, m) in snap.of(RecordKind::Mandate) {
        if m.text("role") == Some(role)
            && current_on(m, day)
            && let Some(holder) = m.text("holder")
        {
            holders.entry(holder).or_default().insert(id);
        }
    }
    holders
}

/// The ids of the partners whose coalition status is `member`.
pub(crate) fn coalition_members(snap: &Snapshot) -> BTreeSet<&str> {
    snap.of(RecordKind::Partner)
        .filter(|(_, p)| p.text("coalition_status") == Some("member"))
        .map(|(id, _)| id)
        .collect()
}

/// "s" when `n` is not one, for counts in messages.
pub(crate) fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
