//! A synthetic association (`domain.md` §6) from a seed, with its ground truth.
//!
//! [`generate`] builds a [`Snapshot`] of every record kind — members with their personal files,
//! signatures, applications, mentorships, working groups, activities with attendance, mandates,
//! assemblies, votes, partners, coalition meetings, referrals and welfare checks — that follows
//! the §6 history (58 current members, 40 of them active; people who left, rejoined, were
//! expelled, fell silent; pending applications; the 14 projects with their periods; 15
//! History/OurStory workshops with 28 distinct participants …) and respects the life-cycle
//! rules of §2. Alongside it comes the [`Truth`]: the figures a report must give, counted from
//! the generator's own plan, and the ids of the records that play each scenario.
//!
//! Everything is drawn from one ChaCha stream seeded with the caller's seed, record ids
//! included, and stored in ordered maps: the same seed, scale and day always give the same
//! association, byte for byte. All names are fictitious and mix Yoruba, Igbo and French
//! spellings with their diacritics.
//!
//! **Architecture invariant:** this crate does no IO and does not use `carnet-report`: the truth
//! it hands out is an independent check of the report.
//!
//! ```
//! use carnet_gen::{Scale, generate};
//! use chrono::NaiveDate;
//!
//! let today = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
//! let association = generate(7, &Scale::mist(), today);
//! let on_today = association.truth.today();
//! assert_eq!((on_today.current(), on_today.active), (58, 40));
//! let history = &association.truth.projects[&association.truth.history_project];
//! assert_eq!(history.all_time.sessions, 15);
//! assert_eq!(history.all_time.participants, 28);
//! ```

mod activities;
mod build;
mod catalogue;
mod coalition;
mod dice;
mod governance;
mod names;
mod people;
mod referrals;
mod scale;
mod truth;

use std::collections::{BTreeMap, BTreeSet};

use carnet_model::Snapshot;
use chrono::{Datelike, NaiveDate};

pub use scale::Scale;
pub use truth::{ActivityFigures, ProjectTruth, ReferralFigures, Scenarios, StatusCounts, Truth};

use crate::activities::Activity;
use crate::build::Out;
use crate::catalogue::P;
use crate::dice::Dice;
use crate::people::Person;

/// The day the association's history starts (MIST was created in 2020).
pub const FOUNDED: NaiveDate = match NaiveDate::from_ymd_opt(2020, 2, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// The earliest `today` the §6 history fits before: the History/OurStory workshops (2022–23),
/// the lessons-learned meetings (January 2024) and the people's life lines (the longest reach
/// back about three years) all lie in the past from then on. Earlier days still give an
/// association, but some records may then be dated in the future.
pub const EARLIEST_TODAY: NaiveDate = match NaiveDate::from_ymd_opt(2024, 6, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// A generated association.
#[derive(Debug, Clone, PartialEq)]
pub struct Association {
    /// Every record, as a device holding every class would see them.
    pub snapshot: Snapshot,
    /// The figures a report must give, and the ids of the scenario records.
    pub truth: Truth,
    /// Every personal (PER) value generated, as text (sorted, without repeats), for canary
    /// scans of exports. Choice words (a welfare outcome such as "safe") are vocabulary, not
    /// personal values, and are left out.
    pub personal_values: Vec<String>,
    /// Every member's display name (sorted, without repeats).
    pub names: Vec<String>,
    /// The day the association was generated for: nothing personal is dated after it, and
    /// "current" means on this day.
    pub today: NaiveDate,
}

/// Generates the association of `scale` as it stands on `today` (see [`EARLIEST_TODAY`]).
/// The same arguments always give the same association.
pub fn generate(seed: u64, scale: &Scale, today: NaiveDate) -> Association {
    let scale = scale.normalised();
    let mut dice = Dice::new(seed);
    let people = people::plan(&mut dice, &scale, today);
    let mut by_join: Vec<usize> = (0..people.len()).collect();
    by_join.sort_by_key(|&i| (people[i].first_join(), i));
    let mut g = Gen {
        dice,
        scale,
        today,
        out: Out::default(),
        people,
        by_join,
        projects: BTreeMap::new(),
        groups: Vec::new(),
        assemblies: Vec::new(),
        activities: Vec::new(),
        coalition_orgs: Vec::new(),
        scenarios: Scenarios::default(),
        referral_truth: BTreeMap::new(),
        mentorships: 0,
        mentors: BTreeSet::new(),
        coalition_meetings: 0,
    };
    governance::projects(&mut g);
    governance::groups(&mut g);
    governance::assemblies(&mut g);
    governance::mandates(&mut g);
    governance::member_votes(&mut g);
    governance::signatures_and_applications(&mut g);
    activities::plan(&mut g);
    activities::emit(&mut g);
    governance::groups_emit(&mut g);
    governance::members(&mut g);
    governance::welfare(&mut g);
    coalition::coalition(&mut g);
    referrals::referrals(&mut g);
    let truth = truth(&g);
    let names: BTreeSet<String> = g.people.iter().map(|p| p.display.clone()).collect();
    Association {
        snapshot: g.out.snapshot,
        truth,
        personal_values: {
            let mut v = g.out.personal;
            v.sort_unstable();
            v.dedup();
            v
        },
        names: names.into_iter().collect(),
        today,
    }
}

/// The generator's working state.
pub(crate) struct Gen {
    pub(crate) dice: Dice,
    pub(crate) scale: Scale,
    pub(crate) today: NaiveDate,
    pub(crate) out: Out,
    pub(crate) people: Vec<Person>,
    /// Indices of `people` by first joining day.
    pub(crate) by_join: Vec<usize>,
    /// Project ids and titles.
    pub(crate) projects: BTreeMap<P, (String, &'static str)>,
    pub(crate) groups: Vec<governance::Group>,
    /// Assembly ids and dates, oldest first.
    pub(crate) assemblies: Vec<(String, NaiveDate)>,
    pub(crate) activities: Vec<Activity>,
    /// Ids of the coalition's member organisations (for referrals to coalition partners).
    pub(crate) coalition_orgs: Vec<String>,
    pub(crate) scenarios: Scenarios,
    pub(crate) referral_truth: BTreeMap<i32, BTreeMap<String, ReferralFigures>>,
    pub(crate) mentorships: u64,
    pub(crate) mentors: BTreeSet<usize>,
    pub(crate) coalition_meetings: u64,
}

impl Gen {
    /// The id of a project.
    pub(crate) fn project_id(&self, p: P) -> Option<String> {
        self.projects.get(&p).map(|(id, _)| id.clone())
    }
}

/// Members by status on `d`, from the people's life lines.
fn status_on(people: &[Person], d: NaiveDate) -> StatusCounts {
    let mut c = StatusCounts::default();
    for p in people.iter().filter(|p| p.first_join() <= d) {
        if p.member_on(d) {
            if p.active_on(d) {
                c.active += 1;
            } else {
                c.member += 1;
            }
        } else if p.status == people::Status::Expelled {
            c.expelled += 1;
        } else {
            c.left += 1;
        }
    }
    c
}

fn truth(g: &Gen) -> Truth {
    let mut members_on = BTreeMap::new();
    for year in FOUNDED.year()..g.today.year() {
        let d = dice::ymd(year, 12, 31);
        members_on.insert(d, status_on(&g.people, d));
    }
    members_on.insert(g.today, status_on(&g.people, g.today));

    let mut joins_by_year = BTreeMap::new();
    let mut rejoins_by_year = BTreeMap::new();
    let mut departures_by_year = BTreeMap::new();
    let mut became_active_by_year = BTreeMap::new();
    for p in &g.people {
        for (k, j) in p.joins.iter().enumerate() {
            let map = if k == 0 {
                &mut joins_by_year
            } else {
                &mut rejoins_by_year
            };
            *map.entry(j.year()).or_insert(0) += 1;
        }
        if let Some(l) = p.left_on {
            *departures_by_year.entry(l.year()).or_insert(0) += 1;
        }
        if let Some(a) = p.active_since {
            *became_active_by_year.entry(a.year()).or_insert(0) += 1;
        }
    }

    let mut projects = BTreeMap::new();
    for (key, (id, title)) in &g.projects {
        let of_project: Vec<&Activity> = g
            .activities
            .iter()
            .filter(|a| a.project == Some(*key))
            .collect();
        let figures = |acts: &[&Activity]| {
            let people: BTreeSet<usize> = acts
                .iter()
                .flat_map(|a| a.present.iter().copied())
                .collect();
            ActivityFigures {
                sessions: acts.len() as u64,
                attendances: acts.iter().map(|a| a.present.len() as u64).sum(),
                participants: people.len() as u64,
            }
        };
        let years: BTreeSet<i32> = of_project.iter().map(|a| a.date.year()).collect();
        let by_year = years
            .into_iter()
            .map(|y| {
                let acts: Vec<&Activity> = of_project
                    .iter()
                    .copied()
                    .filter(|a| a.date.year() == y)
                    .collect();
                (y, figures(&acts))
            })
            .collect();
        projects.insert(
            id.clone(),
            ProjectTruth {
                title: (*title).to_owned(),
                by_year,
                all_time: figures(&of_project),
            },
        );
    }

    let mut talking_groups_by_year = BTreeMap::new();
    for a in g.activities.iter().filter(|a| a.ty == "talking-group") {
        *talking_groups_by_year.entry(a.date.year()).or_insert(0) += 1;
    }
    let mut assemblies_by_year = BTreeMap::new();
    for (_, d) in &g.assemblies {
        *assemblies_by_year.entry(d.year()).or_insert(0) += 1;
    }
    Truth {
        members_on,
        joins_by_year,
        rejoins_by_year,
        departures_by_year,
        became_active_by_year,
        projects,
        history_project: g.project_id(P::OurStory).unwrap_or_default(),
        talking_groups_by_year,
        referrals_by_year: g.referral_truth.clone(),
        assemblies_by_year,
        french_speakers: g.people.iter().filter(|p| p.current() && p.french).count() as u64,
        mentorships: g.mentorships,
        mentors: g.mentors.len() as u64,
        coalition_meetings: g.coalition_meetings,
        scenarios: g.scenarios.clone(),
    }
}
