//! The people of the association and their life lines: when each joined, applied, became
//! active, fell silent, left, rejoined or was expelled, and their (fictitious) personal files.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};

use crate::dice::{Dice, plus, ymd};
use crate::names::*;
use crate::{FOUNDED, Scale};

/// The part a person plays in the §6 history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// Founder, active from the start, member of Roots.
    Founder,
    /// Early active member who mentors others.
    Mentor,
    /// Active member.
    Active,
    /// Active member silent for more than two months on `today`.
    Silent,
    /// Former active member dropped by a vote, still a member.
    Dropped,
    /// Member with a pending active-member application (0: awaiting the vote, 1: accepted
    /// without a mentor, 2: accepted with a mentor, awaiting the introduction).
    Applicant(u8),
    /// Member who left and rejoined.
    Rejoiner,
    /// Early member who sits on the board without being active.
    BoardMember,
    /// Member who is not active.
    Plain,
    /// Former member.
    Left,
    /// Former member who was active when she left.
    LeftActive,
    /// Expelled member.
    Expelled,
}

/// Membership status on `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Member,
    Active,
    Left,
    Expelled,
}

impl Status {
    pub(crate) fn word(self) -> &'static str {
        match self {
            Status::Member => "member",
            Status::Active => "active",
            Status::Left => "left",
            Status::Expelled => "expelled",
        }
    }
}

/// An active-member application and what became of it.
#[derive(Debug, Clone)]
pub(crate) struct Application {
    pub(crate) id: String,
    pub(crate) welcome: NaiveDate,
    pub(crate) form: NaiveDate,
    pub(crate) card: NaiveDate,
    pub(crate) card_number: String,
    pub(crate) vote: Option<NaiveDate>,
    pub(crate) mentor: Option<usize>,
    pub(crate) wants_mentor: bool,
    pub(crate) channels: bool,
    pub(crate) introduced: bool,
    pub(crate) interviewers: Vec<usize>,
}

/// One person of the association.
#[derive(Debug, Clone)]
pub(crate) struct Person {
    pub(crate) id: String,
    pub(crate) role: Role,
    /// Dates of the member-form signatures: joining, then rejoining.
    pub(crate) joins: Vec<NaiveDate>,
    /// Last departure (left or expelled).
    pub(crate) left_on: Option<NaiveDate>,
    pub(crate) status: Status,
    pub(crate) active_since: Option<NaiveDate>,
    /// First day no longer active (departure or drop vote), for former active members.
    pub(crate) active_until: Option<NaiveDate>,
    /// First day of silence, for silent active members.
    pub(crate) silent_from: Option<NaiveDate>,
    pub(crate) application: Option<Application>,
    pub(crate) french: bool,
    pub(crate) nationality: &'static str,
    pub(crate) first: String,
    pub(crate) last: String,
    pub(crate) display: String,
    pub(crate) dob: NaiveDate,
    pub(crate) city: &'static str,
    pub(crate) address: String,
    pub(crate) phone: String,
    pub(crate) immigration: &'static str,
    pub(crate) referrer: Option<&'static str>,
    pub(crate) notes: String,
    /// Indices of the groups she belongs to.
    pub(crate) groups: Vec<usize>,
}

impl Person {
    /// First day of membership.
    pub(crate) fn first_join(&self) -> NaiveDate {
        self.joins.first().copied().unwrap_or(FOUNDED)
    }

    /// Latest member-form signature.
    pub(crate) fn last_join(&self) -> NaiveDate {
        self.joins.last().copied().unwrap_or(FOUNDED)
    }

    /// Whether she is a member on `d` (a departure day is no longer a membership day).
    pub(crate) fn member_on(&self, d: NaiveDate) -> bool {
        if d < self.first_join() {
            return false;
        }
        match (self.left_on, self.status) {
            (Some(left), Status::Left | Status::Expelled) => d < left,
            (Some(left), _) => d < left || d >= self.last_join(),
            (None, _) => true,
        }
    }

    /// Whether she is an active member on `d`.
    pub(crate) fn active_on(&self, d: NaiveDate) -> bool {
        self.member_on(d)
            && self.active_since.is_some_and(|s| s <= d)
            && self.active_until.is_none_or(|u| d < u)
    }

    /// Whether she is a member on `d` and not (yet) silent.
    pub(crate) fn available_on(&self, d: NaiveDate) -> bool {
        self.member_on(d) && self.silent_from.is_none_or(|s| d < s)
    }

    /// Whether she is a current member (status member or active).
    pub(crate) fn current(&self) -> bool {
        matches!(self.status, Status::Member | Status::Active)
    }
}

/// How many people play each role.
fn roles(scale: &Scale) -> Vec<Role> {
    let s = scale;
    let board_plain = s.board_seats - s.board_seats.div_ceil(2);
    let plain =
        s.members - s.active - s.dropped - s.pending_applications - s.rejoined - board_plain;
    let left_plain = s.left - s.rejoined - s.left_while_active;
    let mut out = Vec::new();
    let mut add = |role: Role, n: usize| out.extend(std::iter::repeat_n(role, n));
    add(Role::Founder, s.founders);
    add(Role::Mentor, s.mentors - s.founders);
    add(Role::Active, s.active - s.mentors - s.silent);
    add(Role::Silent, s.silent);
    add(Role::Dropped, s.dropped);
    for k in 0..s.pending_applications {
        add(Role::Applicant((k % 3) as u8), 1);
    }
    add(Role::Rejoiner, s.rejoined);
    add(Role::BoardMember, board_plain);
    add(Role::Plain, plain);
    add(Role::Left, left_plain);
    add(Role::LeftActive, s.left_while_active);
    add(Role::Expelled, s.expelled);
    out
}

/// Plans everyone's life line and personal file.
pub(crate) fn plan(dice: &mut Dice, scale: &Scale, today: NaiveDate) -> Vec<Person> {
    let t = today;
    let f0 = FOUNDED;
    let early = f0.max(plus(f0, 30));
    let mut people = Vec::new();
    for role in roles(scale) {
        let id = dice.id();
        let mut p = Person {
            id,
            role,
            joins: Vec::new(),
            left_on: None,
            status: Status::Member,
            active_since: None,
            active_until: None,
            silent_from: None,
            application: None,
            french: false,
            nationality: "",
            first: String::new(),
            last: String::new(),
            display: String::new(),
            dob: f0,
            city: "",
            address: String::new(),
            phone: String::new(),
            immigration: "",
            referrer: None,
            notes: String::new(),
            groups: Vec::new(),
        };
        match role {
            Role::Founder => {
                let join = dice.date(plus(f0, 0), plus(f0, 15));
                p.joins.push(join);
                let form = plus(join, dice.range(2, 10));
                let card = plus(form, dice.range(0, 4));
                let vote = plus(f0, 40);
                p.application = Some(application(dice, join, form, card, Some(vote)));
                p.active_since = Some(plus(vote, 5));
                p.status = Status::Active;
            }
            Role::Mentor => {
                let join = dice.date(plus(f0, 20), ymd(2020, 10, 31).min(plus(t, -400)));
                p.joins.push(join);
                activate(dice, &mut p, join, plus(join, 150));
                p.status = Status::Active;
            }
            Role::Active => {
                let join = dice.date(early, plus(t, -200));
                p.joins.push(join);
                activate(dice, &mut p, join, plus(t, -40));
                p.status = Status::Active;
            }
            Role::Silent => {
                let join = dice.date(early, plus(t, -420));
                p.joins.push(join);
                activate(dice, &mut p, join, plus(t, -250));
                p.status = Status::Active;
                p.silent_from = Some(dice.date(plus(t, -120), plus(t, -70)));
            }
            Role::Dropped => {
                let join = dice.date(early, plus(t, -1000));
                p.joins.push(join);
                activate(dice, &mut p, join, plus(join, 300));
                let drop = dice.date(plus(t, -400), plus(t, -150));
                p.active_until = Some(drop);
                p.status = Status::Member;
            }
            Role::Applicant(k) => {
                let join = dice.date(early, plus(t, -180));
                p.joins.push(join);
                let welcome = dice.date(plus(t, -95), plus(t, -75));
                let form = plus(welcome, dice.range(7, 14));
                let card = plus(form, dice.range(0, 7));
                let vote = (k >= 1).then(|| plus(card, dice.range(7, 14)));
                let mut app = application(dice, welcome, form, card, vote);
                app.wants_mentor = k == 2;
                app.channels = k == 2;
                app.introduced = false;
                p.application = Some(app);
            }
            Role::Rejoiner => {
                let join = dice.date(early, ymd(2022, 3, 31).min(plus(t, -800)));
                let left = plus(join, dice.range(120, 400));
                let rejoin = dice.date(plus(left, 60), plus(left, 300).min(plus(t, -30)));
                p.joins = vec![join, rejoin];
                p.left_on = Some(left);
            }
            Role::BoardMember => {
                p.joins.push(dice.date(early, ymd(2021, 6, 30)));
            }
            Role::Plain => {
                // Spread over the whole history, so that some joined days ago.
                p.joins.push(dice.date(early, plus(t, -5)));
            }
            Role::Left => {
                let join = dice.date(early, plus(t, -400));
                p.joins.push(join);
                p.left_on = Some(dice.date(plus(join, 90), plus(t, -30)));
                p.status = Status::Left;
            }
            Role::LeftActive => {
                let join = dice.date(early, plus(t, -700));
                p.joins.push(join);
                activate(dice, &mut p, join, plus(join, 300));
                let since = p.active_since.unwrap_or(join);
                let left = dice.date(plus(since, 120), plus(t, -30));
                p.left_on = Some(left);
                p.active_until = Some(left);
                p.status = Status::Left;
            }
            Role::Expelled => {
                let join = dice.date(early, plus(t, -400));
                p.joins.push(join);
                p.left_on = Some(dice.date(plus(join, 150), plus(t, -30)));
                p.status = Status::Expelled;
            }
        }
        people.push(p);
    }
    assign_interviewers(dice, &mut people);
    assign_mentors(dice, &mut people);
    number_cards(&mut people);
    assign_french(dice, &mut people);
    let mut used = BTreeSet::new();
    for i in 0..people.len() {
        personal_file(dice, &mut people, i, &mut used);
    }
    people
}

fn application(
    dice: &mut Dice,
    welcome: NaiveDate,
    form: NaiveDate,
    card: NaiveDate,
    vote: Option<NaiveDate>,
) -> Application {
    Application {
        id: dice.id(),
        welcome,
        form,
        card,
        card_number: String::new(),
        vote,
        mentor: None,
        wants_mentor: vote.is_some(),
        channels: vote.is_some(),
        introduced: vote.is_some(),
        interviewers: Vec::new(),
    }
}

/// The active-member path: welcome meeting, form and card, Roots vote, then active about two
/// weeks later (mentor, channels, introduction), all by `latest` when possible.
fn activate(dice: &mut Dice, p: &mut Person, join: NaiveDate, latest: NaiveDate) {
    let lo = plus(join, 14);
    let hi = plus(join, 180).min(plus(latest, -80)).max(lo);
    let welcome = dice.date(lo, hi);
    let form = plus(welcome, dice.range(7, 21));
    let card = plus(form, dice.range(0, 14));
    let vote = plus(card, dice.range(7, 30));
    p.application = Some(application(dice, welcome, form, card, Some(vote)));
    p.active_since = Some(plus(vote, dice.range(7, 14)));
    p.status = Status::Active;
}

/// Two Roots members (founders) interview each applicant.
fn assign_interviewers(dice: &mut Dice, people: &mut [Person]) {
    let founders: Vec<usize> = (0..people.len())
        .filter(|&i| people[i].role == Role::Founder)
        .collect();
    for (i, person) in people.iter_mut().enumerate() {
        let others: Vec<usize> = founders.iter().copied().filter(|&f| f != i).collect();
        let pair = dice.sample(&others, 2);
        if let Some(app) = person.application.as_mut() {
            app.interviewers = pair;
        }
    }
}

/// Mentors: founders mentor each other; everyone else gets the least busy of the mentors
/// active on the day of her vote, so that every mentor mentors someone.
fn assign_mentors(dice: &mut Dice, people: &mut [Person]) {
    let founders: Vec<usize> = (0..people.len())
        .filter(|&i| people[i].role == Role::Founder)
        .collect();
    let pool: Vec<usize> = (0..people.len())
        .filter(|&i| matches!(people[i].role, Role::Founder | Role::Mentor))
        .collect();
    let mut load = vec![0usize; people.len()];
    for (k, &f) in founders.iter().enumerate() {
        let mentor = founders[(k + 1) % founders.len()];
        if let Some(app) = people[f].application.as_mut() {
            app.mentor = Some(mentor);
        }
        load[mentor] += 1;
    }
    let mut waiting: Vec<(NaiveDate, usize)> = (0..people.len())
        .filter(|&i| people[i].role != Role::Founder)
        .filter_map(|i| {
            let app = people[i].application.as_ref()?;
            if !app.wants_mentor {
                return None;
            }
            Some((app.vote?, i))
        })
        .collect();
    waiting.sort();
    for (vote, i) in waiting {
        let eligible: Vec<usize> = pool
            .iter()
            .copied()
            .filter(|&m| m != i && people[m].active_on(vote))
            .collect();
        let Some(least) = eligible.iter().map(|&m| load[m]).min() else {
            continue;
        };
        let idle: Vec<usize> = eligible.into_iter().filter(|&m| load[m] == least).collect();
        let mentor = *dice.pick(&idle);
        load[mentor] += 1;
        if let Some(app) = people[i].application.as_mut() {
            app.mentor = Some(mentor);
        }
    }
}

/// Cards are numbered in issue order within each year.
fn number_cards(people: &mut [Person]) {
    let mut issued: Vec<(NaiveDate, usize)> = people
        .iter()
        .enumerate()
        .filter_map(|(i, p)| Some((p.application.as_ref()?.card, i)))
        .collect();
    issued.sort();
    let mut year = 0;
    let mut seq = 0;
    for (card, i) in issued {
        if card.year() != year {
            year = card.year();
            seq = 0;
        }
        seq += 1;
        if let Some(app) = people[i].application.as_mut() {
            app.card_number = format!("AM-{year}-{seq:03}");
        }
    }
}

/// About 40% of current members speak French, two founders among them (so that every
/// spokesperson and prefet pair can include a French speaker); 40% of former members too.
fn assign_french(dice: &mut Dice, people: &mut [Person]) {
    let current: Vec<usize> = (0..people.len()).filter(|&i| people[i].current()).collect();
    let target = (current.len() as f64 * 0.4).round() as usize;
    let mut forced: Vec<usize> = current
        .iter()
        .copied()
        .filter(|&i| people[i].role == Role::Founder)
        .take(2)
        .collect();
    let rest: Vec<usize> = current
        .iter()
        .copied()
        .filter(|i| !forced.contains(i))
        .collect();
    let more = dice.sample(&rest, target.saturating_sub(forced.len()));
    forced.extend(more);
    for i in forced {
        people[i].french = true;
    }
    for p in people.iter_mut().filter(|p| !p.current()) {
        p.french = dice.chance(0.4);
    }
}

fn personal_file(
    dice: &mut Dice,
    people: &mut [Person],
    i: usize,
    used: &mut BTreeSet<(String, String)>,
) {
    let nationality = if people[i].french {
        match dice.below(10) {
            0..=2 => "French",
            3..=5 => "Congolese",
            _ => "Nigerian",
        }
    } else {
        "Nigerian"
    };
    let (first, last) = unique_name(dice, used, nationality);
    let display = match dice.below(20) {
        0..=14 => format!("{first} {}.", initial(&last)),
        15..=17 => {
            // A pseudonym chosen by the member.
            let pool = [YORUBA_GIVEN, IGBO_GIVEN, FRENCH_GIVEN, CONGOLESE_GIVEN];
            let pool = dice_pool(dice, &pool);
            let given = *dice.pick(pool);
            let family = *dice.pick(FRENCH_FAMILY);
            format!("{given} {}.", initial(family))
        }
        _ => format!("{first} {last}"),
    };
    let join = people[i].first_join();
    let age_days = dice.range(18 * 365 + 5, 45 * 365);
    let dob = plus(join, -age_days);
    let (city, postcode, town) = *dice.pick(CITIES);
    let address = format!(
        "{} {}, {postcode} {town}",
        dice.range(1, 180),
        dice.pick(STREETS)
    );
    let phone = format!(
        "+33 {} {:02} {:02} {:02} {:02}",
        dice.range(6, 7),
        dice.range(0, 99),
        dice.range(0, 99),
        dice.range(0, 99),
        dice.range(0, 99)
    );
    let immigration = if nationality == "French" {
        "French national"
    } else {
        *dice.pick(IMMIGRATION)
    };
    let referrer = dice.chance(0.6).then(|| *dice.pick(REFERRERS));
    let notes = format!(
        "File {:05}: follow-up in place since {}.\nNext review with the social worker planned.",
        dice.range(10000, 99999),
        plus(join, dice.range(7, 60)).format("%B %Y")
    );
    let p = &mut people[i];
    p.nationality = nationality;
    p.first = first;
    p.last = last;
    p.display = carnet_model::normalize(&display);
    p.dob = dob;
    p.city = city;
    p.address = address;
    p.phone = phone;
    p.immigration = immigration;
    p.referrer = referrer;
    p.notes = notes;
}

fn dice_pool<'a>(dice: &mut Dice, pools: &'a [&'a [&'a str]]) -> &'a [&'a str] {
    pools[dice.below(pools.len())]
}

/// A legal name not given to anyone yet, when the pools allow it.
fn unique_name(
    dice: &mut Dice,
    used: &mut BTreeSet<(String, String)>,
    nationality: &str,
) -> (String, String) {
    let mut name = (String::new(), String::new());
    for _ in 0..6 {
        let (given, family) = match nationality {
            "French" => (FRENCH_GIVEN, FRENCH_FAMILY),
            "Congolese" => (CONGOLESE_GIVEN, CONGOLESE_FAMILY),
            _ if dice.chance(0.5) => (YORUBA_GIVEN, YORUBA_FAMILY),
            _ => (IGBO_GIVEN, IGBO_FAMILY),
        };
        let (g, f): (&&str, &&str) = (dice.pick(given), dice.pick(family));
        name = (carnet_model::normalize(g), carnet_model::normalize(f));
        if !used.contains(&name) {
            break;
        }
    }
    used.insert(name.clone());
    name
}
