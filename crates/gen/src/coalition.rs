//! Partners: the projects' partners and funders, and the coalition — 32 organisations in 9
//! sectors plus survivor members, 15 meetings over three years with attendance, one
//! organisation withdrawn at 3 of 6 meetings, one removed by a vote, applications (one blocked
//! with a single endorsement, one refused).

use std::collections::BTreeSet;

use carnet_model::RecordKind;
use chrono::{Datelike, NaiveDate};

use crate::Gen;
use crate::build::Rec;
use crate::catalogue::{ACTION_ITEMS, COALITION, COALITION_APPLICANTS, PROJECTS};
use crate::dice::{plus, ymd};
use crate::governance::month_year;

/// Meetings kept: three coalition years of five.
const MEETINGS: usize = 15;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Fate {
    Member,
    Withdrawn,
    Removed,
    Blocked,
    Refused,
}

struct Org {
    id: String,
    name: String,
    sector: &'static str,
    fate: Fate,
    survivor: bool,
    chair: bool,
    two_representatives: bool,
    /// Index of the first meeting after joining.
    from: usize,
    joined: Option<NaiveDate>,
    endorsed_by: Vec<usize>,
    reviewed_by: Vec<usize>,
    readiness_by: Option<usize>,
}

/// The coalition year a meeting belongs to (September to June).
fn coalition_year(d: NaiveDate) -> i32 {
    if d.month() >= 9 {
        d.year()
    } else {
        d.year() - 1
    }
}

pub(crate) fn coalition(g: &mut Gen) {
    project_partners(g);
    let t = g.today;
    let mut slots: Vec<NaiveDate> = (t.year() - 5..=t.year())
        .flat_map(|y| [1, 3, 5, 9, 11].map(|m| ymd(y, m, 15)))
        .filter(|&d| plus(d, 5) < t)
        .collect();
    slots.sort();
    let skip = slots.len().saturating_sub(MEETINGS);
    let meetings: Vec<NaiveDate> = slots[skip..]
        .iter()
        .map(|&d| plus(d, g.dice.range(-4, 4)))
        .collect();
    let m = meetings.len();
    if m == 0 {
        return;
    }

    // The organisations.
    let mut orgs: Vec<Org> = Vec::new();
    for (sector, names) in COALITION {
        for name in *names {
            if orgs.len() >= g.scale.coalition_organisations {
                break;
            }
            orgs.push(Org {
                id: g.dice.id(),
                name: (*name).to_owned(),
                sector,
                fate: Fate::Member,
                survivor: false,
                chair: false,
                two_representatives: false,
                from: 0,
                joined: None,
                endorsed_by: Vec::new(),
                reviewed_by: Vec::new(),
                readiness_by: None,
            });
        }
    }
    let n_orgs = orgs.len();
    let chair = orgs
        .iter()
        .position(|o| o.sector == "community")
        .unwrap_or(0);
    orgs[chair].chair = true;
    let mut others: Vec<usize> = (0..n_orgs).filter(|&k| k != chair).collect();
    g.dice.shuffle(&mut others);
    let (withdrawn, removed) = (others[0], others[1]);
    orgs[withdrawn].fate = Fate::Withdrawn;
    orgs[removed].fate = Fate::Removed;
    // Two organisations joined through an application during these three years.
    orgs[others[2]].from = 6.min(m - 1);
    orgs[others[3]].from = 10.min(m - 1);
    for &k in &others[4..7] {
        orgs[k].two_representatives = true;
    }
    for k in 0..g.scale.coalition_survivors {
        orgs.push(Org {
            id: g.dice.id(),
            name: format!("Survivor member {}", (b'A' + (k % 26) as u8) as char),
            sector: "survivor",
            fate: Fate::Member,
            survivor: true,
            chair: false,
            two_representatives: false,
            from: (4 * k).min(m - 1),
            joined: None,
            endorsed_by: Vec::new(),
            reviewed_by: Vec::new(),
            readiness_by: None,
        });
    }
    for (k, (sector, name)) in COALITION_APPLICANTS.iter().enumerate() {
        orgs.push(Org {
            id: g.dice.id(),
            name: (*name).to_owned(),
            sector,
            fate: if k == 0 { Fate::Blocked } else { Fate::Refused },
            survivor: false,
            chair: false,
            two_representatives: false,
            from: m,
            joined: None,
            endorsed_by: Vec::new(),
            reviewed_by: Vec::new(),
            readiness_by: None,
        });
    }
    // Founding members (there from the first meeting, and members still: endorsements and
    // reviews count only from current members) endorse and review the others.
    let founding: Vec<usize> = (0..n_orgs)
        .filter(|&k| orgs[k].from == 0 && orgs[k].fate == Fate::Member)
        .collect();
    for k in 0..orgs.len() {
        let candidates: Vec<usize> = founding.iter().copied().filter(|&f| f != k).collect();
        let endorsers = match orgs[k].fate {
            Fate::Blocked => 1,
            _ if orgs[k].survivor => 1,
            _ => 2,
        };
        orgs[k].endorsed_by = g.dice.sample(&candidates, endorsers);
        if orgs[k].survivor {
            orgs[k].readiness_by = orgs[k].endorsed_by.first().copied();
        }
        if orgs[k].fate != Fate::Blocked {
            orgs[k].reviewed_by = g.dice.sample(&candidates, 2);
        }
        if !matches!(orgs[k].fate, Fate::Blocked | Fate::Refused) {
            let first = meetings[orgs[k].from.min(m - 1)];
            let before = if orgs[k].from == 0 {
                g.dice.range(30, 400)
            } else {
                g.dice.range(10, 20)
            };
            orgs[k].joined = Some(plus(first, -before));
        }
    }

    // Attendance: members miss at most one meeting per full coalition year, so that nobody
    // falls under two thirds (C5) except the organisation withdrawn at 3 of 6.
    let removal_at = 9.min(m - 1);
    let mut attendance: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); m];
    for (k, org) in orgs.iter().enumerate() {
        let until = match org.fate {
            Fate::Removed => removal_at,
            Fate::Blocked | Fate::Refused => 0,
            _ => m,
        };
        if org.fate == Fate::Withdrawn {
            let first_six: Vec<usize> = (0..m.min(6)).collect();
            for i in g.dice.sample(&first_six, 3) {
                attendance[i].insert(k);
            }
            continue;
        }
        let mine: Vec<usize> = (org.from..until).collect();
        let mut years: Vec<(i32, Vec<usize>)> = Vec::new();
        for &i in &mine {
            let y = coalition_year(meetings[i]);
            match years.last_mut() {
                Some((yy, v)) if *yy == y => v.push(i),
                _ => years.push((y, vec![i])),
            }
        }
        for (_, idx) in years {
            let miss = (idx.len() >= 5 && g.dice.chance(0.5)).then(|| *g.dice.pick(&idx));
            for i in idx {
                if Some(i) != miss {
                    attendance[i].insert(k);
                }
            }
        }
    }

    // Partner records.
    for org in &orgs {
        let status = match org.fate {
            Fate::Member => "member",
            Fate::Withdrawn => "withdrawn",
            Fate::Removed => "removed",
            Fate::Blocked => "applicant",
            Fate::Refused => "refused",
        };
        let mut relationship = vec!["coalition"];
        if org.chair {
            relationship.push("coalition-chair");
        }
        let representatives: &[&str] = if org.two_representatives {
            &["primary", "delegate"]
        } else {
            &["primary"]
        };
        let ids = |v: &[usize]| -> Vec<String> { v.iter().map(|&k| orgs[k].id.clone()).collect() };
        let contact = if org.survivor {
            None
        } else {
            Some(format!("contact@{}.example", slug(&org.name)))
        };
        Rec::new(RecordKind::Partner)
            .text("name", &org.name)
            .text("sector", org.sector)
            .opt("public_contact", contact)
            .set("relationship", relationship)
            .text("coalition_status", status)
            .flag("survivor_member", org.survivor)
            .set("endorsed_by", ids(&org.endorsed_by))
            .set("reviewed_by", ids(&org.reviewed_by))
            .opt(
                "readiness_endorsed_by",
                org.readiness_by.map(|k| orgs[k].id.clone()),
            )
            .opt_date("joined_on", org.joined)
            .opt_date(
                "removal_notice_on",
                (org.fate == Fate::Removed).then(|| plus(meetings[removal_at], -21)),
            )
            .set("representatives", representatives.iter())
            .finish(&mut g.out, &org.id);
    }

    // Meetings.
    for (i, &d) in meetings.iter().enumerate() {
        let id = g.dice.id();
        let items = g.dice.count(4, 8);
        let present: Vec<usize> = attendance[i].iter().copied().collect();
        let mut lines = Vec::new();
        for item in g.dice.sample(ACTION_ITEMS, items) {
            let owner = match present.len() {
                0 => &orgs[chair].name,
                n => &orgs[present[g.dice.below(n)]].name,
            };
            let due = plus(d, g.dice.range(30, 90));
            let state = if due < t { "done" } else { "open" };
            lines.push(format!("{item} (owner: {owner}; due {due}; {state})"));
        }
        Rec::new(RecordKind::Meeting)
            .text("title", format!("Coalition meeting, {}", month_year(d)))
            .date("date", d)
            .set("attendance", present.iter().map(|&k| orgs[k].id.clone()))
            .text(
                "agenda",
                "Approval of the previous minutes\nConflict-of-interest declarations\n\
                 Updates from members\nNon-identifying case examples\nAction items\nNext meeting",
            )
            .text(
                "minutes_status",
                if i + 1 == m { "circulated" } else { "approved" },
            )
            .text("action_items", lines.join("\n"))
            .finish(&mut g.out, &id);
    }
    g.coalition_meetings = m as u64;

    // The removal vote (the organisation is excluded), and the refused application.
    let members_on = |d: NaiveDate| {
        orgs.iter()
            .filter(|o| o.joined.is_some_and(|j| j <= d) && o.fate != Fate::Withdrawn)
            .count() as u64
    };
    let d = meetings[removal_at];
    let voters: Vec<usize> = attendance[removal_at].iter().copied().collect();
    let eligible = members_on(d).saturating_sub(1);
    let signers = g.dice.sample(&voters, 2);
    let id = g.dice.id();
    Rec::new(RecordKind::Vote)
        .text("title", "Removal of a member organisation")
        .text("kind", "coalition-removal")
        .date("held_on", d)
        .text("electorate", "member organisations")
        .text("threshold", "majority")
        .count("eligible", eligible)
        .count("votes_for", voters.len().saturating_sub(1) as u64)
        .count("votes_against", 1)
        .count("abstentions", 0)
        .text("result", "passed")
        .text("subject_partner", &orgs[removed].id)
        .set("voters", voters.iter().map(|&k| orgs[k].id.clone()))
        .set("excluded", [orgs[removed].id.clone()])
        .set(
            "outcome_signed_by",
            signers.iter().map(|&k| orgs[k].id.clone()),
        )
        .finish(&mut g.out, &id);
    if let Some(refused) = orgs.iter().position(|o| o.fate == Fate::Refused) {
        let at = m.saturating_sub(2);
        let d = meetings[at];
        let voters: Vec<usize> = attendance[at].iter().copied().collect();
        let id = g.dice.id();
        Rec::new(RecordKind::Vote)
            .text("title", "Admission of an applicant organisation")
            .text("kind", "coalition-admission")
            .date("held_on", d)
            .text("electorate", "member organisations")
            .text("threshold", "majority")
            .count("eligible", members_on(d))
            .count("votes_for", 2)
            .count("votes_against", voters.len().saturating_sub(3) as u64)
            .count("abstentions", 1)
            .text("result", "rejected")
            .text("subject_partner", &orgs[refused].id)
            .set("voters", voters.iter().map(|&k| orgs[k].id.clone()))
            .finish(&mut g.out, &id);
    }

    g.coalition_orgs = orgs
        .iter()
        .filter(|o| o.fate == Fate::Member)
        .map(|o| o.id.clone())
        .collect();
    let s = &mut g.scenarios;
    s.coalition_withdrawn = Some(orgs[withdrawn].id.clone());
    s.coalition_removed = Some(orgs[removed].id.clone());
    s.coalition_blocked = orgs
        .iter()
        .find(|o| o.fate == Fate::Blocked)
        .map(|o| o.id.clone());
    s.coalition_chair = Some(orgs[chair].id.clone());
}

/// The projects' partners and funders, named as in the seeds.
fn project_partners(g: &mut Gen) {
    let mut names: Vec<(&str, bool, bool)> = Vec::new();
    for spec in PROJECTS {
        for (list, funder) in [(spec.partners, false), (spec.funders, true)] {
            for &name in list {
                match names.iter_mut().find(|(n, _, _)| *n == name) {
                    Some(entry) if funder => entry.2 = true,
                    Some(entry) => entry.1 = true,
                    None => names.push((name, !funder, funder)),
                }
            }
        }
    }
    for (name, partner, funder) in names {
        let mut relationship = Vec::new();
        if partner {
            relationship.push("partner");
        }
        if funder {
            relationship.push("funder");
        }
        let id = g.dice.id();
        Rec::new(RecordKind::Partner)
            .text("name", name)
            .text(
                "sector",
                if funder {
                    "funder"
                } else {
                    "partner organisation"
                },
            )
            .set("relationship", relationship)
            .finish(&mut g.out, &id);
    }
}

/// A lowercase ASCII slug of a name, for fictitious contact addresses.
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').chars().take(40).collect()
}
