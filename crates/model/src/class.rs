//! Field classes (`domain.md` §0): who may see a field is decided by its class.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The class of a field; read and write rights are granted per class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum FieldClass {
    /// Publishable; anyone.
    Pub,
    /// Common association information; all members.
    Com,
    /// Working information for active members, staff and direction.
    Act,
    /// Roots/ethics deliberations about named people.
    Gov,
    /// Personal file: staff and direction holding a confidentiality agreement.
    Per,
    /// Security-critical: direction plus a named investigator.
    Sec,
    /// Aggregates for the board and funders.
    Agg,
    /// Shared with the coalition's member organisations.
    Coa,
}

impl FieldClass {
    /// Every class, in a stable order.
    pub const ALL: [FieldClass; 8] = [
        FieldClass::Pub,
        FieldClass::Com,
        FieldClass::Act,
        FieldClass::Gov,
        FieldClass::Per,
        FieldClass::Sec,
        FieldClass::Agg,
        FieldClass::Coa,
    ];

    /// The lowercase code used in document ids (`member/<id>/per`).
    pub fn code(self) -> &'static str {
        match self {
            FieldClass::Pub => "pub",
            FieldClass::Com => "com",
            FieldClass::Act => "act",
            FieldClass::Gov => "gov",
            FieldClass::Per => "per",
            FieldClass::Sec => "sec",
            FieldClass::Agg => "agg",
            FieldClass::Coa => "coa",
        }
    }

    /// Whether values of this class are about one person and must never reach logs or errors.
    pub fn is_personal(self) -> bool {
        matches!(self, FieldClass::Per | FieldClass::Sec | FieldClass::Gov)
    }
}

impl fmt::Display for FieldClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code().to_ascii_uppercase())
    }
}

/// A class code that is not one of [`FieldClass::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown field class (accepted: pub, com, act, gov, per, sec, agg, coa)")]
pub struct UnknownClass;

impl FromStr for FieldClass {
    type Err = UnknownClass;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FieldClass::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(s))
            .ok_or(UnknownClass)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for c in FieldClass::ALL {
            assert_eq!(c.code().parse::<FieldClass>(), Ok(c));
            assert_eq!(c.to_string().parse::<FieldClass>(), Ok(c));
        }
        assert_eq!("nope".parse::<FieldClass>(), Err(UnknownClass));
    }
}
