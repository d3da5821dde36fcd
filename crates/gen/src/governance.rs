//! Projects, working groups, general assemblies, mandates and votes, signatures, applications,
//! mentorships, member cards and welfare checks.

use carnet_model::RecordKind;
use chrono::{Datelike, Months, NaiveDate};

use crate::build::Rec;
use crate::catalogue::PROJECTS;
use crate::dice::{plus, ymd};
use crate::people::{Role, Status};
use crate::{FOUNDED, Gen};

/// A working group (or Roots, or the peer-to-peer group).
pub(crate) struct Group {
    pub(crate) id: String,
    pub(crate) name: &'static str,
    pub(crate) area: &'static str,
    pub(crate) members: Vec<usize>,
    /// When its monthly meetings began.
    pub(crate) since: NaiveDate,
    /// Day of the month of its meetings.
    pub(crate) day: u32,
}

/// The six working groups, Roots and the peer-to-peer group (`domain.md` §1.10).
const GROUPS: &[(&str, &str)] = &[
    ("Community organising", "community-organising"),
    ("Advocacy", "advocacy"),
    ("Media", "media"),
    ("Social work", "social-work"),
    ("Support-group coordination", "support-groups"),
    ("Partnerships", "partnerships"),
    ("Roots", "roots"),
    ("Peer-to-peer group", "peer-to-peer"),
];

/// Month names, for titles.
pub(crate) fn month_year(d: NaiveDate) -> String {
    d.format("%B %Y").to_string()
}

/// The 14 projects of the seeds.
pub(crate) fn projects(g: &mut Gen) {
    for spec in PROJECTS {
        let id = g.dice.id();
        let (y, m, d) = spec.start;
        let end = spec.end.map(|(y, m, d)| ymd(y, m, d));
        Rec::new(RecordKind::Project)
            .text("title", spec.title)
            .date("period_start", ymd(y, m, d))
            .opt_date("period_end", end)
            .text("aims", spec.aims)
            .set("partners", spec.partners.iter())
            .set("funders", spec.funders.iter())
            .opt("targets", spec.targets)
            .finish(&mut g.out, &id);
        g.projects.insert(spec.key, (id, spec.title));
    }
}

/// Group membership: every current active member sits in one of the six working groups, some
/// in two; founders form Roots; the peer-to-peer group takes active members who are not silent.
pub(crate) fn groups(g: &mut Gen) {
    let actives: Vec<usize> = (0..g.people.len())
        .filter(|&i| g.people[i].status == Status::Active)
        .collect();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); GROUPS.len()];
    let mut order = actives.clone();
    g.dice.shuffle(&mut order);
    for (k, &i) in order.iter().enumerate() {
        members[k % 6].push(i);
    }
    let cap = 10usize.max(actives.len().div_ceil(6) + 3);
    let extra = (actives.len() as f64 * 0.15).round() as usize;
    for _ in 0..extra {
        let i = *g.dice.pick(&actives);
        let w = g.dice.below(6);
        if !members[w].contains(&i) && members[w].len() < cap {
            members[w].push(i);
        }
    }
    members[6] = (0..g.people.len())
        .filter(|&i| g.people[i].role == Role::Founder)
        .collect();
    let peers: Vec<usize> = actives
        .iter()
        .copied()
        .filter(|&i| matches!(g.people[i].role, Role::Mentor | Role::Active))
        .collect();
    members[7] = g.dice.sample(&peers, g.scale.peer_group);
    for (k, (name, area)) in GROUPS.iter().enumerate() {
        let mut m = std::mem::take(&mut members[k]);
        m.sort_unstable();
        for &i in &m {
            g.people[i].groups.push(k);
        }
        let since = match *area {
            "roots" => ymd(2020, 4, 1),
            "peer-to-peer" => ymd(2022, 1, 1),
            _ => ymd(2021, 1, 1),
        };
        g.groups.push(Group {
            id: g.dice.id(),
            name,
            area,
            members: m,
            since,
            day: 3 + 2 * k as u32,
        });
    }
}

/// The group records (written after the activities, which reference them).
pub(crate) fn groups_emit(g: &mut Gen) {
    for k in 0..g.groups.len() {
        let group = &g.groups[k];
        let ids: Vec<String> = group
            .members
            .iter()
            .map(|&i| g.people[i].id.clone())
            .collect();
        Rec::new(RecordKind::Group)
            .text("name", group.name)
            .text("area", group.area)
            .set("members", ids)
            .text(
                "minutes",
                "Monthly meetings: actions reviewed, tasks shared, next steps agreed.",
            )
            .finish(&mut g.out, &group.id.clone());
    }
}

/// About ten semi-annual general assemblies since 2020, never more than six months apart, the
/// latest 20 to 140 days ago: its mandates run for more than a month yet, so no renewal
/// reminder (D3, 30 days' notice) is due on `today`.
pub(crate) fn assemblies(g: &mut Gen) {
    let t = g.today;
    let mut dates = vec![g.dice.date(plus(t, -140), plus(t, -20))];
    loop {
        let last = dates[dates.len() - 1];
        let mut prev = plus(last, -g.dice.range(170, 182));
        // Never more than six calendar months apart (D3).
        while prev
            .checked_add_months(Months::new(6))
            .is_some_and(|d| d < last)
        {
            prev = plus(prev, 1);
        }
        if prev < plus(FOUNDED, 120) {
            break;
        }
        dates.push(prev);
    }
    dates.reverse();
    for d in dates {
        let id = g.dice.id();
        let present = g.people.iter().filter(|p| p.member_on(d)).count();
        let headcount = ((present as f64) * g.dice.range(50, 80) as f64 / 100.0).round() as u64;
        Rec::new(RecordKind::Assembly)
            .text("title", format!("General assembly, {}", month_year(d)))
            .date("date", d)
            .text(
                "agenda",
                "Activity report\nFinancial report\nElection of the spokespersons\n\
                 Presentation of the prefets\nQuestions from members",
            )
            .text(
                "minutes",
                "Reports approved. Spokespersons elected; prefets presented. Next assembly in \
                 six months.",
            )
            .count("headcount", headcount.max(1))
            .finish(&mut g.out, &id);
        g.assemblies.push((id, d));
    }
}

/// A mandate being planned.
struct Mandate {
    role: &'static str,
    holder: usize,
    start: NaiveDate,
    end: NaiveDate,
    elected_at: Option<usize>,
    renewed_on: Option<NaiveDate>,
    resigned_on: Option<NaiveDate>,
}

const EXPOSURE_LIMITS: &[&str] = &[
    "Voice only; no face and no legal name",
    "First name and voice; no photographs",
    "Face and voice at events in France; never the family name",
    "Written statements only; no recordings",
];

/// Spokespersons and prefets for each assembly's six-month term (two each, at least one French
/// speaker in each pair, all active through the term), with one renewal at the latest assembly
/// and one resignation after a Roots consultation; the board (half active members) and its
/// three officers.
pub(crate) fn mandates(g: &mut Gen) {
    let gas: Vec<NaiveDate> = g.assemblies.iter().map(|(_, d)| *d).collect();
    let n = gas.len();
    let mut planned: Vec<Mandate> = Vec::new();
    let mut renewed = None;
    let mut resigned = None;
    let mut previous_prefet: Option<usize> = None;
    for (i, &start) in gas.iter().enumerate() {
        let end = term_end(&gas, i);
        let mut taken: Vec<usize> = Vec::new();
        // Prefets; at the latest assembly the previous term's first prefet is renewed.
        let mut prefets = Vec::new();
        let renew = (i + 1 == n && i > 0)
            .then_some(previous_prefet)
            .flatten()
            .filter(|&p| candidates(g, start, end, &[]).contains(&p));
        if let Some(p) = renew {
            prefets.push(p);
            taken.push(p);
        }
        while prefets.len() < 2 {
            let mut pool = candidates(g, start, end, &taken);
            if i + 2 == n && prefets.is_empty() {
                // She will be renewed at the latest assembly: she must serve both terms.
                let both = candidates(g, gas[n - 1], term_end(&gas, n - 1), &taken);
                if pool.iter().any(|p| both.contains(p)) {
                    pool.retain(|p| both.contains(p));
                }
            }
            let Some(p) = choose(g, pool, &prefets) else {
                break;
            };
            prefets.push(p);
            taken.push(p);
        }
        let mut spokes = Vec::new();
        while spokes.len() < 2 {
            let pool = candidates(g, start, end, &taken);
            let Some(p) = choose(g, pool, &spokes) else {
                break;
            };
            spokes.push(p);
            taken.push(p);
        }
        let term = |role, holder| Mandate {
            role,
            holder,
            start,
            end,
            elected_at: Some(i),
            renewed_on: None,
            resigned_on: None,
        };
        for &p in &prefets {
            if renew == Some(p) {
                // The previous mandate is extended instead of a new one being written.
                if let Some(k) = planned_index(&planned, p) {
                    planned[k].end = end;
                    planned[k].renewed_on = Some(start);
                    renewed = Some(k);
                }
            } else {
                planned.push(term("prefet", p));
            }
        }
        // One spokesperson resigns halfway through the fourth-last term and is replaced.
        let resigns = n >= 5 && i == n - 4;
        for (k, &p) in spokes.iter().enumerate() {
            if !(resigns && k == 1) {
                planned.push(term("spokesperson", p));
                continue;
            }
            let on = plus(start, g.dice.range(40, 100));
            planned.push(Mandate {
                end: on,
                resigned_on: Some(on),
                ..term("spokesperson", p)
            });
            resigned = Some(planned.len() - 1);
            let from = plus(on, 1);
            let pool = candidates(g, from, end, &taken);
            if let Some(q) = choose(g, pool, &spokes[..1]) {
                planned.push(Mandate {
                    start: from,
                    elected_at: None,
                    ..term("spokesperson", q)
                });
            }
        }
        previous_prefet = prefets.first().copied();
    }

    // The board: elected at the latest assembly at least ten months old, for three years.
    let board_at = gas
        .iter()
        .rposition(|&d| d <= plus(g.today, -300))
        .unwrap_or(0);
    if let Some(&start) = gas.get(board_at) {
        let three_years = start.checked_add_months(Months::new(36));
        let end = plus(three_years.unwrap_or(plus(start, 1095)), -1);
        let active_seats = g.scale.board_seats.div_ceil(2);
        let actives: Vec<usize> = (0..g.people.len())
            .filter(|&p| {
                let person = &g.people[p];
                matches!(person.role, Role::Founder | Role::Mentor | Role::Active)
                    && person.active_on(start)
            })
            .collect();
        let mut holders = g.dice.sample(&actives, active_seats);
        let plain: Vec<usize> = (0..g.people.len())
            .filter(|&p| g.people[p].role == Role::BoardMember)
            .collect();
        holders.extend(plain.iter().take(g.scale.board_seats - holders.len()));
        for &p in &holders {
            planned.push(Mandate {
                role: "board",
                holder: p,
                start,
                end,
                elected_at: Some(board_at),
                renewed_on: None,
                resigned_on: None,
            });
        }
        // Officers: an active member presides; secretary and treasurer from the board.
        for (role, &p) in ["president", "secretary", "treasurer"].iter().zip(&holders) {
            planned.push(Mandate {
                role,
                holder: p,
                start,
                end,
                elected_at: Some(board_at),
                renewed_on: None,
                resigned_on: None,
            });
        }
    }

    // Write them, noting the ids of the scenario mandates.
    let t = g.today;
    let mut ids = Vec::new();
    for m in &planned {
        let id = g.dice.id();
        let mut rec = Rec::new(RecordKind::Mandate)
            .text("role", m.role)
            .text("holder", &g.people[m.holder].id)
            .date("start", m.start)
            .date("end", m.end)
            .opt(
                "elected_at",
                m.elected_at.map(|i| g.assemblies[i].0.clone()),
            )
            .opt_date("renewed_on", m.renewed_on)
            .opt_date("resigned_on", m.resigned_on);
        if m.resigned_on.is_some() {
            rec = rec.flag("roots_consulted", true);
        }
        if m.role == "spokesperson" {
            let mut consent = plus(m.start, -g.dice.range(1, 20));
            while (consent.month(), consent.day()) == (1, 1)
                || (consent.month(), consent.day()) == (12, 31)
            {
                consent = plus(consent, -1);
            }
            rec = rec
                .flag("available", true)
                .date("exposure_consent_on", consent)
                .text("exposure_limits", *g.dice.pick(EXPOSURE_LIMITS));
        }
        rec.finish(&mut g.out, &id);
        ids.push(id);
    }
    let current = |m: &Mandate| m.start <= t && t <= m.end;
    for (k, m) in planned.iter().enumerate() {
        if !current(m) {
            continue;
        }
        match m.role {
            "spokesperson" => g.scenarios.spokespersons.push(ids[k].clone()),
            "prefet" => g.scenarios.prefets.push(ids[k].clone()),
            "board" => g.scenarios.board.push(ids[k].clone()),
            _ => {}
        }
    }
    g.scenarios.renewed_mandate = renewed.map(|k| ids[k].clone());
    g.scenarios.resigned_mandate = resigned.map(|k| ids[k].clone());

    // One election per assembly.
    for (i, &d) in gas.iter().enumerate() {
        let id = g.dice.id();
        let eligible = g.people.iter().filter(|p| p.active_on(d)).count() as u64;
        let against = g.dice.range(0, 2) as u64;
        let abstentions = g.dice.range(0, 3) as u64;
        let against = against.min(eligible / 4);
        let abstentions = abstentions.min(eligible / 4);
        let present = eligible.saturating_sub(g.dice.range(0, (eligible / 5) as i64) as u64);
        let votes_for = present.saturating_sub(against + abstentions);
        Rec::new(RecordKind::Vote)
            .text(
                "title",
                format!(
                    "Election of the spokespersons and prefets, {}",
                    month_year(d)
                ),
            )
            .text("kind", "election")
            .date("held_on", d)
            .text("assembly", &g.assemblies[i].0)
            .text("electorate", "active members")
            .text("threshold", "majority")
            .count("eligible", eligible)
            .count("votes_for", votes_for)
            .count("votes_against", against)
            .count("abstentions", abstentions)
            .text("result", "passed")
            .finish(&mut g.out, &id);
    }
}

/// The last day of the term that starts at assembly `i`: the day before the next assembly,
/// six months for the latest.
fn term_end(gas: &[NaiveDate], i: usize) -> NaiveDate {
    match gas.get(i + 1) {
        Some(&next) => plus(next, -1),
        None => {
            let start = gas.get(i).copied().unwrap_or(FOUNDED);
            let six_months = start.checked_add_months(Months::new(6));
            plus(six_months.unwrap_or(plus(start, 182)), -1)
        }
    }
}

/// Who can hold a spokesperson or prefet mandate from `from` to `to`: active members all along,
/// not silent by its end, not holding another of this term's mandates.
fn candidates(g: &Gen, from: NaiveDate, to: NaiveDate, taken: &[usize]) -> Vec<usize> {
    (0..g.people.len())
        .filter(|&p| {
            let person = &g.people[p];
            person.active_on(from)
                && person.active_on(to)
                && person.silent_from.is_none_or(|s| s > to)
                && !taken.contains(&p)
        })
        .collect()
}

/// One of `pool` to join `pair`: a French speaker when the pair has none yet (D1, D2).
fn choose(g: &mut Gen, pool: Vec<usize>, pair: &[usize]) -> Option<usize> {
    let need_french = !pair.iter().any(|&p| g.people[p].french);
    let french: Vec<usize> = pool
        .iter()
        .copied()
        .filter(|&p| g.people[p].french)
        .collect();
    let pool = if need_french && !french.is_empty() {
        french
    } else {
        pool
    };
    (!pool.is_empty()).then(|| *g.dice.pick(&pool))
}

/// Index of the last planned mandate of `holder` as prefet.
fn planned_index(planned: &[Mandate], holder: usize) -> Option<usize> {
    planned
        .iter()
        .rposition(|m| m.role == "prefet" && m.holder == holder)
}

/// Votes about individuals: drops from the active community (after a welfare check showed the
/// person reachable) and expulsions.
pub(crate) fn member_votes(g: &mut Gen) {
    for i in 0..g.people.len() {
        let p = &g.people[i];
        let (kind, title, held_on, threshold, deliberation) = match p.role {
            Role::Dropped => (
                "drop",
                "Dropping a member from the active community",
                p.active_until,
                "majority",
                "Reachable but inactive for months; a meeting was held before the vote.",
            ),
            Role::Expelled => (
                "expulsion",
                "Expulsion decision",
                p.left_on,
                "two-thirds",
                "Grounds recorded by the direction.",
            ),
            _ => continue,
        };
        let Some(held_on) = held_on else { continue };
        let person = p.id.clone();
        let eligible = g.people.iter().filter(|q| q.active_on(held_on)).count() as u64;
        let against = (g.dice.range(0, 2) as u64).min(eligible / 4);
        let votes_for = eligible.saturating_sub(against + 1).max(1);
        let id = g.dice.id();
        Rec::new(RecordKind::Vote)
            .text("title", title)
            .text("kind", kind)
            .date("held_on", held_on)
            .text("electorate", "active members")
            .text("threshold", threshold)
            .count("eligible", eligible)
            .count("votes_for", votes_for)
            .count("votes_against", against)
            .count("abstentions", 1)
            .text("result", "passed")
            .text("subject_member", person.clone())
            .text("deliberation", deliberation)
            .finish(&mut g.out, &id);
        if kind == "drop" {
            g.scenarios.dropped.push(person);
        }
    }
}

/// Member-form signatures (one per joining), active-form signatures, applications and
/// mentorships.
pub(crate) fn signatures_and_applications(g: &mut Gen) {
    let t = g.today;
    for i in 0..g.people.len() {
        let joins = g.people[i].joins.clone();
        let person = g.people[i].id.clone();
        for j in joins {
            let id = g.dice.id();
            let meeting = plus(j, -g.dice.range(0, 10));
            let scan = format!(
                "Office binder {}, sheet {}",
                g.dice.range(1, 9),
                g.dice.range(1, 400)
            );
            Rec::new(RecordKind::Signature)
                .text("person", &person)
                .text("form", "member")
                .date("signed_on", j)
                .text("version", rules_version(j))
                .date("staff_meeting_on", meeting)
                .text("scan_location", scan)
                .finish(&mut g.out, &id);
        }
        let Some(app) = g.people[i].application.clone() else {
            continue;
        };
        let id = g.dice.id();
        let scan = format!(
            "Office binder {}, sheet {}",
            g.dice.range(1, 9),
            g.dice.range(1, 400)
        );
        Rec::new(RecordKind::Signature)
            .text("person", &person)
            .text("form", "active")
            .date("signed_on", app.form)
            .text("version", rules_version(app.form))
            .text("scan_location", scan)
            .finish(&mut g.out, &id);

        let interviewers: Vec<String> = app
            .interviewers
            .iter()
            .map(|&k| g.people[k].id.clone())
            .collect();
        let decision = if app.vote.is_some() {
            "accepted"
        } else {
            "pending"
        };
        Rec::new(RecordKind::Application)
            .text("person", &person)
            .date("welcome_meeting_on", app.welcome)
            .set("interviewers", interviewers)
            .date("form_signed_on", app.form)
            .text("card_number", &app.card_number)
            .date("card_issued_on", app.card)
            .opt_date("vote_on", app.vote)
            .text("decision", decision)
            .opt("mentor", app.mentor.map(|m| g.people[m].id.clone()))
            .flag("channels_added", app.channels)
            .flag("introduction_done", app.introduced)
            .text(
                "roots_report",
                "Interview held; motivation, availability and support needs discussed.",
            )
            .finish(&mut g.out, &app.id);
        match g.people[i].role {
            Role::Applicant(0) => g.scenarios.awaiting_vote.push(app.id.clone()),
            Role::Applicant(1) => g.scenarios.without_mentor.push(app.id.clone()),
            Role::Applicant(_) => g.scenarios.awaiting_introduction.push(app.id.clone()),
            _ => {}
        }

        let (Some(mentor), Some(vote)) = (app.mentor, app.vote) else {
            continue;
        };
        let p = &g.people[i];
        // Both are active members when it starts (founders become active together).
        let started = plus(vote, g.dice.range(0, 5))
            .max(g.people[mentor].active_since.unwrap_or(vote))
            .min(p.active_since.unwrap_or(t));
        let started = started.min(plus(t, -1));
        let stop = p.active_until.map(|u| plus(u, -1));
        let planned_end = plus(started, g.dice.range(180, 365));
        let ended = match stop {
            Some(s) => Some(planned_end.min(s)),
            None if planned_end < t => Some(planned_end),
            None => None,
        }
        .map(|e| e.max(started));
        let id = g.dice.id();
        Rec::new(RecordKind::Mentorship)
            .text("mentee", &person)
            .text("mentor", &g.people[mentor].id)
            .text("status", if ended.is_some() { "ended" } else { "active" })
            .date("started_on", started)
            .opt_date("ended_on", ended)
            .text("notes", "Fortnightly check-ins; no personal-file content.")
            .finish(&mut g.out, &id);
        g.mentorships += 1;
        g.mentors.insert(mentor);
    }
}

/// The version of the rules signed on `d`.
fn rules_version(d: NaiveDate) -> &'static str {
    if d < ymd(2023, 1, 1) {
        "2020-01"
    } else {
        "2023-01"
    }
}

/// Member cards and personal files.
pub(crate) fn members(g: &mut Gen) {
    let t = g.today;
    let mut last_presence: Vec<Option<NaiveDate>> = vec![None; g.people.len()];
    for a in &g.activities {
        for &i in &a.present {
            if last_presence[i].is_none_or(|d| d < a.date) {
                last_presence[i] = Some(a.date);
            }
        }
    }
    for (i, seen) in last_presence.into_iter().enumerate() {
        let p = &g.people[i];
        let last_contact = match (p.status, p.silent_from) {
            (_, Some(s)) => s,
            (Status::Active, None) => seen.unwrap_or(t).max(plus(t, -g.dice.range(0, 14))),
            (Status::Member, None) => seen
                .unwrap_or(p.last_join())
                .max(plus(t, -g.dice.range(0, 120)))
                .max(p.last_join()),
            (Status::Left | Status::Expelled, None) => {
                let left = p.left_on.unwrap_or(t);
                seen.unwrap_or(p.last_join())
                    .max(plus(left, -g.dice.range(1, 30)))
                    .max(p.last_join())
                    .min(left)
            }
        }
        .min(t);
        let p = &g.people[i];
        let areas: Vec<&str> = if p.current() {
            p.groups.iter().map(|&k| g.groups[k].area).collect()
        } else {
            Vec::new()
        };
        Rec::new(RecordKind::Member)
            .text("display_name", &p.display)
            .text("status", p.status.word())
            .date("member_since", p.last_join())
            .set("working_groups", areas)
            .flag("speaks_french", p.french)
            .opt_date("left_on", p.left_on)
            .opt_date("active_since", p.active_since)
            .date("last_contact", last_contact)
            .text("first_name", &p.first)
            .text("last_name", &p.last)
            .date("date_of_birth", p.dob)
            .text("nationality", p.nationality)
            .text("phone", &p.phone)
            .text("address", &p.address)
            .text("city", p.city)
            .text("immigration_status", p.immigration)
            .opt("referring_organisation", p.referrer)
            .text("case_notes", &p.notes)
            .finish(&mut g.out, &p.id.clone());
        let list = match p.role {
            Role::Founder => Some(&mut g.scenarios.founders),
            Role::Silent => Some(&mut g.scenarios.silent),
            Role::Rejoiner => Some(&mut g.scenarios.rejoined),
            Role::Left | Role::LeftActive => Some(&mut g.scenarios.left),
            Role::Expelled => Some(&mut g.scenarios.expelled),
            _ => None,
        };
        if let Some(list) = list {
            list.push(p.id.clone());
        }
    }
}

/// Welfare checks: before the drop vote (reachable, safe), before active members left
/// (wanting to leave), one unreachable former member, and past check-ins with active members
/// who then came back. The currently silent members have none yet: rule A9 asks for one.
pub(crate) fn welfare(g: &mut Gen) {
    let mut checks = Vec::new();
    let mut unreachable_done = false;
    for p in &g.people {
        match p.role {
            Role::Dropped => {
                if let Some(drop) = p.active_until {
                    checks.push((p.id.clone(), drop, -40, -20, "safe"));
                }
            }
            Role::LeftActive => {
                if let Some(left) = p.left_on {
                    checks.push((p.id.clone(), left, -25, -10, "wants-to-leave"));
                }
            }
            Role::Left if !unreachable_done => {
                if let Some(left) = p.left_on {
                    checks.push((p.id.clone(), left, -40, -20, "unreachable"));
                    unreachable_done = true;
                }
            }
            Role::Mentor => {
                if let Some(since) = p.active_since {
                    checks.push((p.id.clone(), plus(since, 400), 0, 30, "safe"));
                }
            }
            _ => {}
        }
    }
    for (person, around, lo, hi, outcome) in checks {
        let id = g.dice.id();
        let on = plus(around, g.dice.range(lo, hi)).min(plus(g.today, -1));
        Rec::new(RecordKind::Welfare)
            .text("person", person)
            .date("checked_on", on)
            .text("outcome", outcome)
            .finish(&mut g.out, &id);
    }
}
