//! Activities and attendance: weekly talking groups, True Talk podcasts, the 15
//! History/OurStory workshops, project sessions, working-group meetings, the lessons-learned
//! meetings, send-offs and retreats.
//!
//! Attendance only ever lists people who were members that day (active members for
//! active-only activities) and who were not silent yet. Two passes then make the history
//! consistent with the rules: every member attends a talking group soon after (re)joining (M2),
//! and every active member who is not meant to be silent attended something in the last six
//! weeks (A4, A8).

use std::collections::BTreeSet;

use carnet_model::RecordKind;
use chrono::{Datelike, NaiveDate};

use crate::Gen;
use crate::build::Rec;
use crate::catalogue::*;
use crate::dice::{Dice, days, plus, ymd};
use crate::people::{Person, Status};

/// One planned activity.
pub(crate) struct Activity {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) ty: &'static str,
    pub(crate) date: NaiveDate,
    pub(crate) audience: &'static str,
    pub(crate) topic: Option<String>,
    pub(crate) project: Option<P>,
    pub(crate) group: Option<usize>,
    pub(crate) guests: Vec<String>,
    pub(crate) venue: &'static str,
    pub(crate) present: BTreeSet<usize>,
    pub(crate) excused: BTreeSet<usize>,
    pub(crate) absent: BTreeSet<usize>,
}

/// What an activity is, before its date and attendance.
struct Kind {
    title: String,
    ty: &'static str,
    audience: &'static str,
    project: Option<P>,
    topic: Option<String>,
    guests: Vec<String>,
}

fn kind(title: impl Into<String>, ty: &'static str, audience: &'static str) -> Kind {
    Kind {
        title: title.into(),
        ty,
        audience,
        project: None,
        topic: None,
        guests: Vec::new(),
    }
}

impl Kind {
    fn project(mut self, p: P) -> Kind {
        self.project = Some(p);
        self
    }
    fn topic(mut self, t: impl Into<String>) -> Kind {
        self.topic = Some(t.into());
        self
    }
    fn guests(mut self, g: Vec<String>) -> Kind {
        self.guests = g;
        self
    }
}

/// Up to `want` distinct people for which `ok` holds on `d`, drawn at random among those who
/// had joined by then.
pub(crate) fn sample(
    dice: &mut Dice,
    people: &[Person],
    by_join: &[usize],
    d: NaiveDate,
    want: usize,
    ok: impl Fn(&Person) -> bool,
) -> BTreeSet<usize> {
    let joined = by_join.partition_point(|&i| people[i].first_join() <= d);
    let mut chosen = BTreeSet::new();
    if joined == 0 || want == 0 {
        return chosen;
    }
    let mut tries = 0;
    while chosen.len() < want && tries < want * 20 {
        tries += 1;
        let i = by_join[dice.below(joined)];
        if ok(&people[i]) {
            chosen.insert(i);
        }
    }
    if chosen.len() < want {
        let mut rest: Vec<usize> = by_join[..joined]
            .iter()
            .copied()
            .filter(|i| !chosen.contains(i) && ok(&people[*i]))
            .collect();
        dice.shuffle(&mut rest);
        let missing = want - chosen.len();
        chosen.extend(rest.into_iter().take(missing));
    }
    chosen
}

fn may_attend(p: &Person, audience: &str, d: NaiveDate) -> bool {
    p.available_on(d) && (audience != "active" || p.active_on(d))
}

/// Adds a session with `lo..=hi` people present, if it lies before today and someone could
/// attend.
fn add(g: &mut Gen, k: Kind, d: NaiveDate, lo: usize, hi: usize) -> Option<usize> {
    if d >= g.today {
        return None;
    }
    let want = g.dice.count(lo, hi);
    let audience = k.audience;
    let present = sample(&mut g.dice, &g.people, &g.by_join, d, want, |p| {
        may_attend(p, audience, d)
    });
    push(g, k, d, None, present)
}

fn push(
    g: &mut Gen,
    k: Kind,
    d: NaiveDate,
    group: Option<usize>,
    present: BTreeSet<usize>,
) -> Option<usize> {
    if present.is_empty() || d >= g.today {
        return None;
    }
    let venue = *g.dice.pick(VENUES);
    let id = g.dice.id();
    g.activities.push(Activity {
        id,
        title: k.title,
        ty: k.ty,
        date: d,
        audience: k.audience,
        topic: k.topic,
        project: k.project,
        group,
        guests: k.guests,
        venue,
        present,
        excused: BTreeSet::new(),
        absent: BTreeSet::new(),
    });
    Some(g.activities.len() - 1)
}

/// Months from `(y, m)` to the month of `until`, inclusive.
fn months(y: i32, m: u32, until: NaiveDate) -> Vec<(i32, u32)> {
    let mut out = Vec::new();
    let (mut y, mut m) = (y, m);
    while (y, m) <= (until.year(), until.month()) {
        out.push((y, m));
        m += 1;
        if m > 12 {
            m = 1;
            y += 1;
        }
    }
    out
}

/// Plans every activity, then makes attendance consistent with the rules.
pub(crate) fn plan(g: &mut Gen) {
    let t = g.today;
    talking_groups(g);
    our_story(g);

    // True Talk podcasts, since March 2021.
    for (y, m) in months(2021, 3, t) {
        for _ in 0..g.scale.podcasts_per_month {
            let d = ymd(y, m, g.dice.range(1, 28) as u32);
            let topic = *g.dice.pick(PODCAST_TOPICS);
            let k = kind("True Talk recording", "podcast", "active")
                .project(P::TrueTalk)
                .topic(topic);
            add(g, k, d, 3, 6);
        }
    }
    // All in favor!: monthly outreach with the volunteer lawyers, since 2021.
    for (y, m) in months(2021, 1, t) {
        let d = ymd(y, m, g.dice.range(1, 28) as u32);
        let k = kind("Outreach with volunteer lawyers", "outreach", "active")
            .project(P::AllInFavor)
            .guests(vec!["Bus Paris Solidarité (BPS)".into()]);
        add(g, k, d, 2, 4);
    }
    // Legal empowerment trainings, 2022–2024 (not in July and August).
    for (y, m) in months(2022, 1, ymd(2024, 12, 31)) {
        if m == 7 || m == 8 {
            continue;
        }
        let d = ymd(y, m, g.dice.range(10, 20) as u32);
        let k = kind("Legal empowerment training", "training", "active")
            .project(P::LegalEmpowerment)
            .topic("Access to rights and justice");
        add(g, k, d, 4, 10);
    }
    // Cinema: Speak up for Freedom!, every other month in 2023–2024.
    for (y, m) in months(2023, 1, ymd(2024, 12, 31)) {
        if m % 2 == 0 {
            continue;
        }
        let d = ymd(y, m, g.dice.range(5, 25) as u32);
        let k = kind("Film workshop", "workshop", "active").project(P::Cinema);
        add(g, k, d, 5, 9);
    }
    // The power of the group: monthly art therapy, 2023–2024.
    for (y, m) in months(2023, 1, ymd(2024, 12, 31)) {
        let d = ymd(y, m, g.dice.range(5, 25) as u32);
        let k = kind("Art therapy workshop", "art-therapy", "all").project(P::PowerOfTheGroup);
        add(g, k, d, 4, 8);
    }
    // VoiceOver: six trainings and two international events.
    for (y, m) in [
        (2023, 3),
        (2023, 6),
        (2023, 10),
        (2024, 2),
        (2024, 5),
        (2024, 9),
    ] {
        let d = ymd(y, m, g.dice.range(5, 25) as u32);
        let k = kind("Survivor leadership training", "training", "active")
            .project(P::VoiceOver)
            .guests(vec!["Payoke (Belgium)".into()]);
        add(g, k, d, 6, 12);
    }
    for (y, m) in [(2023, 11), (2024, 10)] {
        let d = ymd(y, m, g.dice.range(5, 25) as u32);
        let guests = ["Equality Cooperativa Sociale (Italy)", "ADPARE (Romania)"];
        let k = kind("VoiceOver international event", "meeting", "active")
            .project(P::VoiceOver)
            .guests(guests.iter().map(|s| s.to_string()).collect());
        add(g, k, d, 3, 5);
    }
    // Between Peers: peer-helper trainings of the peer-to-peer group, 2022–2025.
    let peers = g.groups.iter().position(|gr| gr.area == "peer-to-peer");
    for (y, m) in months(2022, 1, ymd(2025, 12, 31)) {
        if ![2, 5, 9, 11].contains(&m) {
            continue;
        }
        let d = ymd(y, m, g.dice.range(5, 25) as u32);
        let k = kind("Peer-helper training", "training", "active")
            .project(P::BetweenPeers)
            .topic("Welcoming and supporting minors");
        group_session(g, k, d, peers, 0.7);
    }
    lessons_learned(g);
    send_offs(g);
    // A yearly retreat for active members (A6).
    for y in 2020..=t.year() {
        let d = ymd(y, 7, g.dice.range(10, 25) as u32);
        let k = kind("Annual retreat", "party", "active");
        let invited: Vec<usize> = (0..g.people.len())
            .filter(|&i| may_attend(&g.people[i], "active", d))
            .collect();
        let present: BTreeSet<usize> = invited.into_iter().filter(|_| g.dice.chance(0.7)).collect();
        push(g, k, d, None, present);
    }
    // Working-group meetings, monthly.
    for k in 0..g.groups.len() {
        let (since, day, name) = (g.groups[k].since, g.groups[k].day, g.groups[k].name);
        for (y, m) in months(since.year(), since.month(), t) {
            let d = ymd(y, m, day);
            let kd = kind(format!("{name}: monthly meeting"), "meeting", "active");
            group_session(g, kd, d, Some(k), 0.8);
        }
    }
    g.activities
        .sort_by(|a, b| (a.date, &a.id).cmp(&(b.date, &b.id)));
    first_talking_group(g);
    recent_attendance(g);
}

/// A session of a group's members: those active that day are invited; each comes with
/// probability `p`, the others are excused or absent (silent members are absent).
fn group_session(g: &mut Gen, k: Kind, d: NaiveDate, group: Option<usize>, p: f64) {
    let Some(gk) = group else { return };
    if d >= g.today {
        return;
    }
    let invited: Vec<usize> = g.groups[gk]
        .members
        .iter()
        .copied()
        .filter(|&i| g.people[i].active_on(d))
        .collect();
    let mut present = BTreeSet::new();
    let mut excused = BTreeSet::new();
    let mut absent = BTreeSet::new();
    for i in invited {
        if !g.people[i].available_on(d) {
            absent.insert(i);
        } else if g.dice.chance(p) {
            present.insert(i);
        } else if g.dice.chance(0.6) {
            excused.insert(i);
        } else {
            absent.insert(i);
        }
    }
    // A meeting is held whenever someone can come.
    if present.is_empty() {
        let could: Vec<usize> = excused.iter().chain(&absent).copied().collect();
        let could: Vec<usize> = could
            .into_iter()
            .filter(|&i| g.people[i].available_on(d))
            .collect();
        if !could.is_empty() {
            let i = *g.dice.pick(&could);
            excused.remove(&i);
            absent.remove(&i);
            present.insert(i);
        }
    }
    if let Some(a) = push(g, k, d, Some(gk), present) {
        g.activities[a].excused = excused;
        g.activities[a].absent = absent;
    }
}

/// Weekly talking groups on Saturdays (several in parallel at larger scales); those of
/// 2023–2024 belong to "The power of the group in mental health".
fn talking_groups(g: &mut Gen) {
    let start = plus(crate::FOUNDED, 14);
    let to_saturday = (5 + 7 - start.weekday().num_days_from_monday() as i64) % 7;
    let mut d = plus(start, to_saturday);
    let parallel = g.scale.talking_groups_per_week;
    while d < g.today {
        for j in 0..parallel {
            let title = if parallel == 1 {
                "Talking group".to_owned()
            } else {
                format!("Talking group {}", j + 1)
            };
            let topic = *g.dice.pick(TALKING_TOPICS);
            let mut k = kind(title, "talking-group", "all").topic(topic);
            if (ymd(2023, 1, 1)..=ymd(2024, 12, 31)).contains(&d) {
                k = k.project(P::PowerOfTheGroup);
            }
            add(g, k, d, 5, 12);
        }
        d = plus(d, 7);
    }
}

/// The 15 History/OurStory workshops: 7 in 2022, 8 in 2023, with a fixed pool of distinct
/// participants (28 at §6 scale), every one of them present at least once.
fn our_story(g: &mut Gen) {
    let mut sessions: Vec<(NaiveDate, &str, &str)> = Vec::new();
    for (film, m) in FILMS_2022.iter().zip([2, 3, 5, 6, 9, 10, 11]) {
        let d = ymd(2022, m, g.dice.range(5, 25) as u32);
        sessions.push((d, film, "History of slavery, segregation and civil rights"));
    }
    for (film, m) in FILMS_2023.iter().zip([1, 3, 4, 5, 6, 9, 10, 11]) {
        let d = ymd(2023, m, g.dice.range(5, 25) as u32);
        sessions.push((
            d,
            film,
            "Racism, sexism, women's rights and violence against women",
        ));
    }
    let eligible: Vec<usize> = (0..g.people.len())
        .filter(|&i| {
            sessions
                .iter()
                .any(|(d, _, _)| g.people[i].available_on(*d))
        })
        .collect();
    let pool = g.dice.sample(&eligible, g.scale.history_participants);
    let factor = g.scale.history_participants as f64 / 28.0;
    let mut planned = Vec::new();
    for (d, film, topic) in sessions {
        let here: Vec<usize> = pool
            .iter()
            .copied()
            .filter(|&i| g.people[i].available_on(d))
            .collect();
        let size = ((g.dice.count(8, 14) as f64) * factor).round().max(1.0) as usize;
        let present: BTreeSet<usize> = g.dice.sample(&here, size).into_iter().collect();
        let n_guests = g.dice.count(0, 2);
        let guests = g.dice.sample(OURSTORY_GUESTS, n_guests);
        planned.push((d, film, topic, here, present, guests));
    }
    // Everyone in the pool comes at least once.
    let mut seen: BTreeSet<usize> = planned.iter().flat_map(|s| s.4.iter().copied()).collect();
    for &i in &pool {
        if seen.contains(&i) {
            continue;
        }
        let options: Vec<usize> = (0..planned.len())
            .filter(|&s| planned[s].3.contains(&i))
            .collect();
        if options.is_empty() {
            continue;
        }
        let s = *g.dice.pick(&options);
        planned[s].4.insert(i);
        seen.insert(i);
    }
    for (d, film, topic, here, present, guests) in planned {
        let not_there: Vec<usize> = here
            .iter()
            .copied()
            .filter(|i| !present.contains(i))
            .collect();
        let n_excused = g.dice.count(0, 2).min(not_there.len());
        let excused: BTreeSet<usize> = not_there[..n_excused].iter().copied().collect();
        let absent: BTreeSet<usize> = not_there[n_excused..].iter().take(1).copied().collect();
        let k = kind(format!("History/OurStory: {film}"), "workshop", "all")
            .project(P::OurStory)
            .topic(topic)
            .guests(guests.iter().map(|s| s.to_string()).collect());
        if let Some(a) = push(g, k, d, None, present) {
            g.activities[a].excused = excused;
            g.activities[a].absent = absent;
        }
    }
}

/// Two meetings in January 2024 with ten members from Nigeria, France and Congo (`[002]`).
fn lessons_learned(g: &mut Gen) {
    let (first, second) = (ymd(2024, 1, 10), ymd(2024, 1, 24));
    let here: Vec<usize> = (0..g.people.len())
        .filter(|&i| g.people[i].available_on(first) && g.people[i].available_on(second))
        .collect();
    let mut chosen: Vec<usize> = Vec::new();
    for nationality in ["Nigerian", "French", "Congolese"] {
        let of: Vec<usize> = here
            .iter()
            .copied()
            .filter(|&i| g.people[i].nationality == nationality)
            .collect();
        chosen.extend(g.dice.sample(&of, 1));
    }
    let rest: Vec<usize> = here
        .iter()
        .copied()
        .filter(|i| !chosen.contains(i))
        .collect();
    let missing = 10usize.saturating_sub(chosen.len());
    chosen.extend(g.dice.sample(&rest, missing));
    let all: BTreeSet<usize> = chosen.iter().copied().collect();
    let title = "Lessons learned: input to the Special Rapporteur";
    let k = kind(title, "meeting", "all").topic("Stigma, power, migration policy, child welfare");
    push(g, k, first, None, all.clone());
    let keep = g.dice.count(8, 10).min(chosen.len());
    let second_present: BTreeSet<usize> = g.dice.sample(&chosen, keep).into_iter().collect();
    let k = kind(title, "meeting", "all").topic("Debate after the film Promising Young Woman");
    push(g, k, second, None, second_present);
}

/// A send-off for each active member who left (A12).
fn send_offs(g: &mut Gen) {
    for i in 0..g.people.len() {
        let p = &g.people[i];
        let (Some(left), Some(_)) = (p.left_on, p.active_until) else {
            continue;
        };
        if p.status != Status::Left {
            continue;
        }
        let d = plus(left, -g.dice.range(1, 10));
        let want = g.dice.count(5, 10);
        let mut present = sample(&mut g.dice, &g.people, &g.by_join, d, want, |q| {
            q.available_on(d)
        });
        present.insert(i);
        push(
            g,
            kind("Send-off party", "send-off", "all"),
            d,
            None,
            present,
        );
    }
}

/// Membership periods of a person: from each signature to the departure that ended it.
fn periods(p: &Person, today: NaiveDate) -> Vec<(NaiveDate, NaiveDate)> {
    let mut out = Vec::new();
    for (k, &j) in p.joins.iter().enumerate() {
        // A period ends with the departure, unless it is the current one of a member.
        let ended = k + 1 < p.joins.len() || matches!(p.status, Status::Left | Status::Expelled);
        let end = if ended {
            p.left_on.unwrap_or(today)
        } else {
            today
        };
        out.push((j, end));
    }
    out
}

/// M2: a new member attends a talking group within her first weeks.
fn first_talking_group(g: &mut Gen) {
    let talks: Vec<(NaiveDate, usize)> = g
        .activities
        .iter()
        .enumerate()
        .filter(|(_, a)| a.ty == "talking-group")
        .map(|(k, a)| (a.date, k))
        .collect();
    let mut attended: Vec<Vec<NaiveDate>> = vec![Vec::new(); g.people.len()];
    for &(d, k) in &talks {
        for &i in &g.activities[k].present {
            attended[i].push(d);
        }
    }
    for (i, seen) in attended.iter_mut().enumerate() {
        for (start, end) in periods(&g.people[i], g.today) {
            let within = plus(start, 60).min(end);
            if seen.iter().any(|&d| start <= d && d < within) {
                continue;
            }
            let last = plus(start, 45).min(plus(end, -1));
            let from = talks.partition_point(|&(d, _)| d < start);
            let slot = talks[from..]
                .iter()
                .take_while(|&&(d, _)| d <= last)
                .find(|&&(d, _)| g.people[i].available_on(d));
            if let Some(&(d, k)) = slot {
                g.activities[k].present.insert(i);
                seen.push(d);
            }
        }
    }
}

/// A4/A8: every active member who is not meant to be silent was present at an activity of one
/// of her groups in the last six weeks (a monthly meeting of each group falls in any 40 days).
fn recent_attendance(g: &mut Gen) {
    let t = g.today;
    let recent: Vec<usize> = (0..g.activities.len())
        .filter(|&k| days(g.activities[k].date, t) <= 45)
        .collect();
    for i in 0..g.people.len() {
        let p = &g.people[i];
        if p.status != Status::Active || p.silent_from.is_some() {
            continue;
        }
        let Some(since) = p.active_since else {
            continue;
        };
        let lo = plus(t, -45).max(since);
        let in_group = |a: &Activity| a.group.is_some_and(|gk| p.groups.contains(&gk));
        if recent.iter().any(|&k| {
            let a = &g.activities[k];
            a.date >= lo && a.group.is_some() && a.present.contains(&i)
        }) {
            continue;
        }
        let lo = plus(t, -40).max(since);
        let chosen = recent
            .iter()
            .rev()
            .copied()
            .find(|&k| g.activities[k].date >= lo && in_group(&g.activities[k]));
        if let Some(k) = chosen {
            let a = &mut g.activities[k];
            a.present.insert(i);
            a.excused.remove(&i);
            a.absent.remove(&i);
        }
    }
}

/// Writes the activity records.
pub(crate) fn emit(g: &mut Gen) {
    let activities = std::mem::take(&mut g.activities);
    for a in &activities {
        let ids = |set: &BTreeSet<usize>| -> Vec<String> {
            set.iter().map(|&i| g.people[i].id.clone()).collect()
        };
        let (present, excused, absent) = (ids(&a.present), ids(&a.excused), ids(&a.absent));
        let excuses: Vec<&str> = a.excused.iter().map(|_| *g.dice.pick(EXCUSES)).collect();
        Rec::new(RecordKind::Activity)
            .text("title", &a.title)
            .text("type", a.ty)
            .date("date", a.date)
            .text("audience", a.audience)
            .opt("topic", a.topic.as_ref())
            .opt("project", a.project.and_then(|p| g.project_id(p)))
            .opt("group", a.group.map(|k| g.groups[k].id.clone()))
            .set("guests", &a.guests)
            .text("venue", a.venue)
            .set("present", present)
            .set("excused", excused)
            .set("absent", absent)
            .text("excuses", excuses.join("\n"))
            .finish(&mut g.out, &a.id);
    }
    g.activities = activities;
}
