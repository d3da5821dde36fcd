//! The ground truth of a generated association: the figures a report over it must give, counted
//! by the generator from its own plan while generating (never by reading the snapshot back).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

/// Members by status on one day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StatusCounts {
    /// Active members.
    pub active: u64,
    /// Members who are not active members.
    pub member: u64,
    /// Former members who left (and had not rejoined by that day).
    pub left: u64,
    /// Former members who were expelled.
    pub expelled: u64,
}

impl StatusCounts {
    /// Current members: active or not.
    pub fn current(&self) -> u64 {
        self.active + self.member
    }

    /// Former members: left or expelled.
    pub fn former(&self) -> u64 {
        self.left + self.expelled
    }
}

/// Sessions and attendance of a set of activities.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ActivityFigures {
    /// Sessions held.
    pub sessions: u64,
    /// Attendances: members marked present, summed over the sessions.
    pub attendances: u64,
    /// Distinct members present at one session or more.
    pub participants: u64,
}

/// One project's activity figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectTruth {
    /// The project's title.
    pub title: String,
    /// Figures for the activities dated in each calendar year.
    pub by_year: BTreeMap<i32, ActivityFigures>,
    /// Figures over the whole history.
    pub all_time: ActivityFigures,
}

/// Referrals to one destination.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ReferralFigures {
    /// Referrals made.
    pub referrals: u64,
    /// Of those, referrals with a decision.
    pub decided: u64,
    /// Days from referral to decision, summed over the decided ones.
    pub days_to_decision: u64,
}

impl ReferralFigures {
    /// Mean days to decision, if any referral was decided.
    pub fn mean_days(&self) -> Option<f64> {
        (self.decided > 0).then(|| self.days_to_decision as f64 / self.decided as f64)
    }
}

/// Ids of the records that play the §6 scenarios, for life-cycle rule tests.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Scenarios {
    /// Founders (the Roots group).
    pub founders: Vec<String>,
    /// Active members silent for more than two months.
    pub silent: Vec<String>,
    /// Members who left and rejoined.
    pub rejoined: Vec<String>,
    /// Members who left for good.
    pub left: Vec<String>,
    /// Expelled members.
    pub expelled: Vec<String>,
    /// Active members dropped by a vote.
    pub dropped: Vec<String>,
    /// Pending application awaiting its Roots vote (application ids).
    pub awaiting_vote: Vec<String>,
    /// Pending applications accepted without a mentor (application ids).
    pub without_mentor: Vec<String>,
    /// Pending applications with a mentor, awaiting the introduction (application ids).
    pub awaiting_introduction: Vec<String>,
    /// Current spokesperson mandates.
    pub spokespersons: Vec<String>,
    /// Current prefet mandates.
    pub prefets: Vec<String>,
    /// Current board mandates.
    pub board: Vec<String>,
    /// The mandate renewed at the latest assembly.
    pub renewed_mandate: Option<String>,
    /// The mandate ended by a resignation.
    pub resigned_mandate: Option<String>,
    /// The coalition organisation withdrawn after attending 3 of 6 meetings.
    pub coalition_withdrawn: Option<String>,
    /// The coalition organisation removed by a vote.
    pub coalition_removed: Option<String>,
    /// The coalition applicant blocked with a single endorsement.
    pub coalition_blocked: Option<String>,
    /// The coalition chair agency.
    pub coalition_chair: Option<String>,
}

/// What a correct report over the generated association says, and where the scenarios are.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Truth {
    /// Members by status at the end of each past calendar year since the founding, and on
    /// `today`.
    pub members_on: BTreeMap<NaiveDate, StatusCounts>,
    /// First-time joins (first member-form signature) per calendar year.
    pub joins_by_year: BTreeMap<i32, u64>,
    /// Rejoins (a later member-form signature) per calendar year.
    pub rejoins_by_year: BTreeMap<i32, u64>,
    /// Departures (left or expelled) per calendar year.
    pub departures_by_year: BTreeMap<i32, u64>,
    /// Members who became active per calendar year.
    pub became_active_by_year: BTreeMap<i32, u64>,
    /// Activity figures per project, by project id.
    pub projects: BTreeMap<String, ProjectTruth>,
    /// The id of the History/OurStory project.
    pub history_project: String,
    /// Talking groups held per calendar year (whatever their project).
    pub talking_groups_by_year: BTreeMap<i32, u64>,
    /// Referrals per calendar year, by destination (the schema's destination words).
    pub referrals_by_year: BTreeMap<i32, BTreeMap<String, ReferralFigures>>,
    /// General assemblies held per calendar year.
    pub assemblies_by_year: BTreeMap<i32, u64>,
    /// Current members who speak French.
    pub french_speakers: u64,
    /// Mentorship records.
    pub mentorships: u64,
    /// Distinct mentors.
    pub mentors: u64,
    /// Coalition meetings held.
    pub coalition_meetings: u64,
    /// Ids of the scenario records.
    pub scenarios: Scenarios,
}

impl Truth {
    /// Members by status on `today`.
    pub fn today(&self) -> StatusCounts {
        self.members_on
            .last_key_value()
            .map(|(_, c)| *c)
            .unwrap_or_default()
    }

    /// Referral figures over all years, by destination.
    pub fn referrals_all_time(&self) -> BTreeMap<String, ReferralFigures> {
        let mut out: BTreeMap<String, ReferralFigures> = BTreeMap::new();
        for year in self.referrals_by_year.values() {
            for (dest, f) in year {
                let e = out.entry(dest.clone()).or_default();
                e.referrals += f.referrals;
                e.decided += f.decided;
                e.days_to_decision += f.days_to_decision;
            }
        }
        out
    }
}
