//! How big the synthetic association is: `domain.md` §6 sizes, or those sizes scaled to another
//! number of members.

use serde::Serialize;

/// The sizes of a synthetic association. [`Scale::mist`] gives the sizes of `domain.md` §6;
/// [`Scale::members`] scales the member-related sizes, the activities and the referrals.
///
/// [`crate::generate`] raises sizes that are too small to hold the scenarios (e.g. fewer active
/// members than mandates need); see [`Scale::normalised`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scale {
    /// Current members (status member or active) on `today`: 58.
    pub members: usize,
    /// Current active members among them: 40.
    pub active: usize,
    /// Members who ever left, including those who rejoined: 12.
    pub left: usize,
    /// Of those who left, how many rejoined (a second member-form signature): 4.
    pub rejoined: usize,
    /// Of those who left for good, how many were active members when they left: 3.
    pub left_while_active: usize,
    /// Expelled members: 2.
    pub expelled: usize,
    /// Active members dropped by a vote (now plain members): 1.
    pub dropped: usize,
    /// Active members silent for more than two months on `today`: 2.
    pub silent: usize,
    /// Pending active-member applications (one awaiting its vote, one accepted without a
    /// mentor, one awaiting its introduction, then again): 3.
    pub pending_applications: usize,
    /// Founders, who form the Roots group: 6.
    pub founders: usize,
    /// Distinct mentors, the founders included: 15.
    pub mentors: usize,
    /// Members of the peer-to-peer group: 8.
    pub peer_group: usize,
    /// Board seats: 8, half of them held by active members.
    pub board_seats: usize,
    /// Talking groups held each week: 1.
    pub talking_groups_per_week: usize,
    /// True Talk podcast recordings each month: 2.
    pub podcasts_per_month: usize,
    /// Distinct participants of the 15 History/OurStory workshops: 28.
    pub history_participants: usize,
    /// Referrals each year: 150.
    pub referrals_per_year: usize,
    /// Coalition member organisations (current, withdrawn and removed): 32.
    pub coalition_organisations: usize,
    /// Survivor members of the coalition: 4.
    pub coalition_survivors: usize,
}

impl Scale {
    /// The association of `domain.md` §6.
    pub fn mist() -> Scale {
        Scale {
            members: 58,
            active: 40,
            left: 12,
            rejoined: 4,
            left_while_active: 3,
            expelled: 2,
            dropped: 1,
            silent: 2,
            pending_applications: 3,
            founders: 6,
            mentors: 15,
            peer_group: 8,
            board_seats: 8,
            talking_groups_per_week: 1,
            podcasts_per_month: 2,
            history_participants: 28,
            referrals_per_year: 150,
            coalition_organisations: 32,
            coalition_survivors: 4,
        }
    }

    /// The §6 association with `n` current members: member counts, weekly talking groups,
    /// podcasts, History/OurStory participants and referrals scale with `n / 58`; every
    /// scenario keeps at least one occurrence; founders, board and coalition keep their §6
    /// sizes. `n` below 30 is raised to 30 (the scenarios need that many people).
    pub fn members(n: usize) -> Scale {
        let mist = Scale::mist();
        let n = n.max(30);
        let f = n as f64 / mist.members as f64;
        let scaled = |x: usize, min: usize| ((x as f64 * f).round() as usize).max(min);
        Scale {
            members: n,
            active: scaled(mist.active, 1),
            left: scaled(mist.left, 2),
            rejoined: scaled(mist.rejoined, 1),
            left_while_active: scaled(mist.left_while_active, 1),
            expelled: scaled(mist.expelled, 1),
            dropped: scaled(mist.dropped, 1),
            silent: scaled(mist.silent, 1),
            pending_applications: scaled(mist.pending_applications, 3),
            founders: mist.founders,
            mentors: scaled(mist.mentors, mist.founders),
            peer_group: scaled(mist.peer_group, 2),
            board_seats: mist.board_seats,
            talking_groups_per_week: scaled(mist.talking_groups_per_week, 1),
            podcasts_per_month: scaled(mist.podcasts_per_month, 1),
            history_participants: scaled(mist.history_participants, 1),
            referrals_per_year: scaled(mist.referrals_per_year, 1),
            coalition_organisations: mist.coalition_organisations,
            coalition_survivors: mist.coalition_survivors,
        }
    }

    /// The sizes actually generated: founders at least 4 (the first mandates are held by four
    /// distinct founders), mentors at least the founders, at least one of each scenario, active
    /// members enough for mentors, silent members, mandates and half the board, members enough
    /// for everyone, at least 7 board seats (rule D6), and coalition sizes able to hold the
    /// coalition scenarios. Sizes already consistent are unchanged (as [`Scale::mist`]'s are).
    pub fn normalised(&self) -> Scale {
        let mut s = self.clone();
        s.founders = s.founders.max(4);
        s.mentors = s.mentors.max(s.founders);
        s.silent = s.silent.max(1);
        s.dropped = s.dropped.max(1);
        s.expelled = s.expelled.max(1);
        s.pending_applications = s.pending_applications.max(3);
        s.board_seats = s.board_seats.clamp(7, 9);
        s.left = s.left.max(s.rejoined + 2);
        s.rejoined = s.rejoined.max(1);
        s.left = s.left.max(s.rejoined + 2);
        s.left_while_active = s.left_while_active.clamp(1, s.left - s.rejoined - 1);
        let board_active = s.board_seats.div_ceil(2);
        // Four mandate holders and the active half of the board, never silent.
        let non_silent_needed = (s.mentors).max(board_active).max(4) + 1;
        s.active = s.active.max(s.silent + non_silent_needed);
        s.peer_group = s.peer_group.clamp(2, s.active - s.silent);
        let plain_needed = s.board_seats - board_active + 1;
        s.members = s
            .members
            .max(s.active + s.dropped + s.pending_applications + s.rejoined + plain_needed);
        s.history_participants = s.history_participants.max(1);
        s.talking_groups_per_week = s.talking_groups_per_week.max(1);
        s.podcasts_per_month = s.podcasts_per_month.max(1);
        s.coalition_organisations = s.coalition_organisations.max(8);
        s.coalition_survivors = s.coalition_survivors.max(1);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mist_is_already_normalised() {
        assert_eq!(Scale::mist().normalised(), Scale::mist());
        assert_eq!(Scale::members(58), Scale::mist());
    }

    #[test]
    fn scaling_is_proportional() {
        let s = Scale::members(580);
        assert_eq!(
            (s.members, s.active, s.left, s.referrals_per_year),
            (580, 400, 120, 1500)
        );
        assert_eq!(s.talking_groups_per_week, 10);
        let small = Scale::members(1).normalised();
        assert!(small.members >= small.active + small.dropped + small.pending_applications);
    }
}
