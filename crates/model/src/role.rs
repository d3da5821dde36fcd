//! Roles a device's holder can be granted (`domain.md` §3).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A role in the association; a device's rights come from its roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Role {
    /// A member of the association.
    Member,
    /// An active member (including spokespersons and prefets).
    ActiveMember,
    /// A member of the Roots (ethics) group.
    Roots,
    /// A mentor of active members.
    Mentor,
    /// A board member or officer.
    Board,
    /// Paid staff, peer helpers and mediators.
    Staff,
    /// The direction: creates the organisation, enrols and revokes devices.
    Direction,
}

impl Role {
    /// Every role, in a stable order.
    pub const ALL: [Role; 7] = [
        Role::Member,
        Role::ActiveMember,
        Role::Roots,
        Role::Mentor,
        Role::Board,
        Role::Staff,
        Role::Direction,
    ];

    /// The name used on the command line and in the registry.
    pub fn name(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::ActiveMember => "active-member",
            Role::Roots => "roots",
            Role::Mentor => "mentor",
            Role::Board => "board",
            Role::Staff => "staff",
            Role::Direction => "direction",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A role name that is not one of [`Role::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role (accepted: member, active-member, roots, mentor, board, staff, direction)")]
pub struct UnknownRole;

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.name().eq_ignore_ascii_case(s))
            .ok_or(UnknownRole)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.name().parse::<Role>(), Ok(r));
        }
        assert!("chief".parse::<Role>().is_err());
    }
}
