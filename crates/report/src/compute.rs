//! Computing the figures from a snapshot: statuses on a date, counts in a period, suppression.

use std::collections::{BTreeMap, BTreeSet};

use carnet_model::{REFERRAL_DESTINATIONS, Record, RecordKind, Snapshot};
use chrono::NaiveDate;

use crate::{Cell, Report, Request, Row, Section, labels};

/// Applies suppression to a count of people (or of things that happened to people).
fn people(n: u64, threshold: u64) -> Cell {
    if n > 0 && n < threshold {
        Cell::Suppressed
    } else {
        Cell::Count(n)
    }
}

/// A mean over a population of `population`, whose own cell is `shown`.
fn mean(total: u64, population: u64, shown: Cell) -> Cell {
    match shown {
        Cell::Count(n) if n > 0 && population > 0 => Cell::Mean(total as f64 / population as f64),
        _ => Cell::NotApplicable,
    }
}

fn row(label: impl Into<String>, value: Cell) -> Row {
    Row {
        label: label.into(),
        value,
    }
}

/// Where a member stood on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Standing {
    NotYet,
    Active,
    Member,
    Former,
}

/// What the report knows of one member.
struct Member<'a> {
    status: &'a str,
    member_since: Option<NaiveDate>,
    left_on: Option<NaiveDate>,
    active_since: Option<NaiveDate>,
    /// Member-form signatures, sorted.
    joins: Vec<NaiveDate>,
    /// Latest passed vote dropping her from the active community.
    dropped_on: Option<NaiveDate>,
}

impl Member<'_> {
    fn first_join(&self) -> Option<NaiveDate> {
        self.joins.first().copied().or(self.member_since)
    }

    /// The day she came back after `left_on`, if she did.
    fn back_on(&self, left: NaiveDate) -> Option<NaiveDate> {
        self.joins
            .iter()
            .copied()
            .find(|&j| j > left)
            .or(self.member_since.filter(|&m| m > left))
    }

    fn standing(&self, d: NaiveDate) -> Standing {
        let Some(first) = self.first_join() else {
            return match self.status {
                "active" => Standing::Active,
                "member" => Standing::Member,
                "left" | "expelled" => Standing::Former,
                _ => Standing::NotYet,
            };
        };
        if d < first {
            return Standing::NotYet;
        }
        match self.status {
            "left" | "expelled" => match self.left_on {
                Some(l) if d < l => self.member_or_active(d),
                _ => Standing::Former,
            },
            "member" | "active" => {
                if let Some(l) = self.left_on
                    && let Some(back) = self.back_on(l)
                    && l <= d
                    && d < back
                {
                    return Standing::Former;
                }
                self.member_or_active(d)
            }
            _ => Standing::NotYet,
        }
    }

    fn member_or_active(&self, d: NaiveDate) -> Standing {
        if self.active_on(d) {
            Standing::Active
        } else {
            Standing::Member
        }
    }

    fn active_on(&self, d: NaiveDate) -> bool {
        let Some(since) = self.active_since else {
            return false;
        };
        if d < since {
            return false;
        }
        let end = match self.status {
            "active" => None,
            "left" | "expelled" => self.left_on,
            _ => self
                .dropped_on
                .filter(|&x| x > since)
                .or(self.left_on.filter(|&l| l > since))
                .or(Some(since)),
        };
        end.is_none_or(|e| d < e)
    }
}

fn members(s: &Snapshot) -> Vec<Member<'_>> {
    let mut joins: BTreeMap<&str, Vec<NaiveDate>> = BTreeMap::new();
    for (_, sig) in s.of(RecordKind::Signature) {
        if sig.text("form") != Some("member") {
            continue;
        }
        if let (Some(p), Some(d)) = (sig.text("person"), sig.date("signed_on")) {
            joins.entry(p).or_default().push(d);
        }
    }
    let mut dropped: BTreeMap<&str, NaiveDate> = BTreeMap::new();
    for (_, v) in s.of(RecordKind::Vote) {
        let passed = matches!(v.text("result"), Some("passed" | "consensus"));
        if v.text("kind") != Some("drop") || !passed {
            continue;
        }
        if let (Some(p), Some(d)) = (v.text("subject_member"), v.date("held_on")) {
            let e = dropped.entry(p).or_insert(d);
            *e = (*e).max(d);
        }
    }
    s.of(RecordKind::Member)
        .map(|(id, m)| {
            let mut j = joins.remove(id).unwrap_or_default();
            j.sort_unstable();
            Member {
                status: m.text("status").unwrap_or_default(),
                member_since: m.date("member_since"),
                left_on: m.date("left_on"),
                active_since: m.date("active_since"),
                joins: j,
                dropped_on: dropped.get(id).copied(),
            }
        })
        .collect()
}

fn membership(s: &Snapshot, req: &Request) -> Section {
    let t = req.suppress_below;
    let within = |d: NaiveDate| req.from <= d && d <= req.to;
    let (mut active, mut plain, mut former) = (0, 0, 0);
    let (mut joins, mut rejoins, mut departures, mut new_active) = (0, 0, 0, 0);
    for m in members(s) {
        match m.standing(req.to) {
            Standing::Active => active += 1,
            Standing::Member => plain += 1,
            Standing::Former => former += 1,
            Standing::NotYet => {}
        }
        let signed: Vec<NaiveDate> = if m.joins.is_empty() {
            m.member_since.into_iter().collect()
        } else {
            m.joins.clone()
        };
        for (k, &d) in signed.iter().enumerate() {
            if within(d) {
                if k == 0 {
                    joins += 1;
                } else {
                    rejoins += 1;
                }
            }
        }
        departures += u64::from(m.left_on.is_some_and(within));
        new_active += u64::from(m.active_since.is_some_and(within));
    }
    Section {
        title: labels::MEMBERSHIP.into(),
        rows: vec![
            row(labels::ACTIVE, people(active, t)),
            row(labels::NOT_ACTIVE, people(plain, t)),
            row(labels::FORMER, people(former, t)),
            row(labels::JOINS, people(joins, t)),
            row(labels::REJOINS, people(rejoins, t)),
            row(labels::DEPARTURES, people(departures, t)),
            row(labels::NEW_ACTIVE, people(new_active, t)),
        ],
    }
}

/// Activities dated in the period.
fn activities<'a>(s: &'a Snapshot, req: &Request) -> Vec<&'a Record> {
    s.of(RecordKind::Activity)
        .map(|(_, a)| a)
        .filter(|a| a.date("date").is_some_and(|d| req.from <= d && d <= req.to))
        .collect()
}

fn project_section(title: &str, sessions: &[&Record], t: u64) -> Section {
    let attendances: u64 = sessions
        .iter()
        .map(|a| a.set("present").count() as u64)
        .sum();
    let participants: BTreeSet<&str> = sessions.iter().flat_map(|a| a.set("present")).collect();
    let n = sessions.len() as u64;
    let attended = people(attendances, t);
    Section {
        title: format!("{}{title}", labels::PROJECT_PREFIX),
        rows: vec![
            row(labels::SESSIONS, Cell::Count(n)),
            row(labels::PARTICIPANTS, people(participants.len() as u64, t)),
            row(labels::ATTENDANCES, attended),
            row(labels::MEAN_ATTENDANCE, mean(attendances, n, attended)),
        ],
    }
}

fn referrals(s: &Snapshot, req: &Request) -> Section {
    let t = req.suppress_below;
    #[derive(Default)]
    struct Figures {
        count: u64,
        decided: u64,
        days: u64,
    }
    let mut by: BTreeMap<&str, Figures> = BTreeMap::new();
    for (_, r) in s.of(RecordKind::Referral) {
        let Some(on) = r.date("referred_on") else {
            continue;
        };
        if on < req.from || on > req.to {
            continue;
        }
        let dest = r
            .text("destination")
            .filter(|d| REFERRAL_DESTINATIONS.contains(d))
            .unwrap_or("other");
        let f = by.entry(dest).or_default();
        f.count += 1;
        if let Some(decided) = r.date("decided_on")
            && decided >= on
        {
            f.decided += 1;
            f.days += decided.signed_duration_since(on).num_days() as u64;
        }
    }
    let mut rows = Vec::new();
    for dest in REFERRAL_DESTINATIONS {
        let f = by.remove(dest).unwrap_or_default();
        let name = labels::destination(dest);
        rows.push(row(
            format!("{name}{}", labels::REFERRALS_SUFFIX),
            people(f.count, t),
        ));
        rows.push(row(
            format!("{name}{}", labels::MEAN_DAYS_SUFFIX),
            mean(f.days, f.decided, people(f.decided, t)),
        ));
    }
    Section {
        title: labels::REFERRALS.into(),
        rows,
    }
}

pub(crate) fn report(s: &Snapshot, req: &Request) -> Report {
    let t = req.suppress_below;
    let mut sections = vec![membership(s, req)];

    let held = activities(s, req);
    let mut projects: Vec<(&str, &str, &Record)> = s
        .of(RecordKind::Project)
        .filter(|(id, _)| req.project.as_deref().is_none_or(|p| p == *id))
        .map(|(id, p)| (p.text("title").unwrap_or("Untitled project"), id, p))
        .collect();
    projects.sort_unstable_by_key(|&(title, id, _)| (title, id));
    for (title, id, project) in projects {
        let sessions: Vec<&Record> = held
            .iter()
            .copied()
            .filter(|a| a.text("project") == Some(id))
            .collect();
        // A project asked for is always shown; otherwise only those running during the
        // period, or with sessions in it.
        let running = project.date("period_start").is_none_or(|d| d <= req.to)
            && project.date("period_end").is_none_or(|d| d >= req.from);
        if req.project.is_some() || running || !sessions.is_empty() {
            sections.push(project_section(title, &sessions, t));
        }
    }

    let talking = held
        .iter()
        .filter(|a| a.text("type") == Some("talking-group"))
        .count() as u64;
    sections.push(Section {
        title: labels::ACTIVITIES.into(),
        rows: vec![row(labels::TALKING_GROUPS, Cell::Count(talking))],
    });
    sections.push(referrals(s, req));
    let assemblies = s
        .of(RecordKind::Assembly)
        .filter(|(_, a)| a.date("date").is_some_and(|d| req.from <= d && d <= req.to))
        .count() as u64;
    sections.push(Section {
        title: labels::GOVERNANCE.into(),
        rows: vec![row(labels::ASSEMBLIES, Cell::Count(assemblies))],
    });
    Report {
        from: req.from,
        to: req.to,
        suppress_below: t,
        sections,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suppression_boundary() {
        assert_eq!(people(0, 5), Cell::Count(0));
        assert_eq!(people(1, 5), Cell::Suppressed);
        assert_eq!(people(4, 5), Cell::Suppressed);
        assert_eq!(people(5, 5), Cell::Count(5));
        assert_eq!(people(3, 1), Cell::Count(3));
        assert_eq!(people(3, 0), Cell::Count(3));
        assert_eq!(people(9, 10), Cell::Suppressed);
    }

    #[test]
    fn means_of_suppressed_or_empty_populations_are_not_given() {
        assert_eq!(mean(10, 4, people(4, 5)), Cell::NotApplicable);
        assert_eq!(mean(0, 0, people(0, 5)), Cell::NotApplicable);
        assert_eq!(mean(10, 5, people(5, 5)), Cell::Mean(2.0));
    }
}
