//! The access policy: for each role and field class, no access, read, or read-write
//! (`domain.md` §3). Mist's rules are the default; the registry holds the organisation's own.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{FieldClass, Role};

/// What a role may do with the fields of a class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Access {
    /// Neither read nor write: documents of the class never reach the device.
    None,
    /// Read only.
    Read,
    /// Read and write.
    Write,
}

impl Access {
    /// The word used on the command line and in the registry.
    pub fn name(self) -> &'static str {
        match self {
            Access::None => "none",
            Access::Read => "read",
            Access::Write => "write",
        }
    }

    /// Whether this allows reading.
    pub fn can_read(self) -> bool {
        self >= Access::Read
    }

    /// Whether this allows writing.
    pub fn can_write(self) -> bool {
        self == Access::Write
    }
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A word that is not an access level.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown access (accepted: none, read, write)")]
pub struct UnknownAccess;

impl FromStr for Access {
    type Err = UnknownAccess;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" | "-" => Ok(Access::None),
            "read" | "r" => Ok(Access::Read),
            "write" | "rw" | "read-write" => Ok(Access::Write),
            _ => Err(UnknownAccess),
        }
    }
}

/// Role × class → access.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    grants: BTreeMap<(Role, FieldClass), Access>,
}

impl Policy {
    /// Mist's rules (`domain.md` §3). Where the domain table has nuances a device cannot hold
    /// (a member's *own* file read through staff, a mentor's notes about their mentee, staff
    /// *appending* security concerns), the default is the stricter `none`. Published-figures-only
    /// access to aggregates is `read`.
    pub fn mist_default() -> Policy {
        use Access::{None as N, Read as R, Write as W};
        use FieldClass::*;
        let table: [(Role, [Access; 8]); 7] = [
            //                    PUB COM ACT GOV PER SEC AGG COA
            (Role::Member, /*      */ [R, R, N, N, N, N, R, N]),
            (Role::ActiveMember, /**/ [R, R, W, N, N, N, R, N]),
            (Role::Roots, /*       */ [R, R, W, W, N, N, R, N]),
            (Role::Mentor, /*      */ [R, R, W, N, N, N, R, N]),
            (Role::Board, /*       */ [R, R, R, N, N, N, R, R]),
            (Role::Staff, /*       */ [W, W, W, N, W, N, W, W]),
            (Role::Direction, /*   */ [W, W, W, W, W, W, W, W]),
        ];
        let classes = [Pub, Com, Act, Gov, Per, Sec, Agg, Coa];
        let mut grants = BTreeMap::new();
        for (role, row) in table {
            for (class, access) in classes.iter().zip(row) {
                grants.insert((role, *class), access);
            }
        }
        Policy { grants }
    }

    /// The access of `role` to `class`.
    pub fn get(&self, role: Role, class: FieldClass) -> Access {
        self.grants
            .get(&(role, class))
            .copied()
            .unwrap_or(Access::None)
    }

    /// Sets the access of `role` to `class`.
    pub fn set(&mut self, role: Role, class: FieldClass, access: Access) {
        self.grants.insert((role, class), access);
    }

    /// Whether rights on `class` also need a signed confidentiality agreement (rule M9).
    pub fn needs_agreement(class: FieldClass) -> bool {
        matches!(class, FieldClass::Per | FieldClass::Sec)
    }

    /// What a device with `roles` (the union of their rights) may do with `class`; personal
    /// and security classes need `agreement` as well.
    pub fn effective(&self, roles: &BTreeSet<Role>, agreement: bool, class: FieldClass) -> Access {
        if Self::needs_agreement(class) && !agreement {
            return Access::None;
        }
        roles
            .iter()
            .map(|r| self.get(*r, class))
            .max()
            .unwrap_or(Access::None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mist_rules_keep_personal_files_to_staff_and_direction_with_agreement() {
        let p = Policy::mist_default();
        for role in Role::ALL {
            let roles = BTreeSet::from([role]);
            let per = p.effective(&roles, true, FieldClass::Per);
            let expected = matches!(role, Role::Staff | Role::Direction);
            assert_eq!(per.can_read(), expected, "{role}");
            assert_eq!(
                p.effective(&roles, false, FieldClass::Per),
                Access::None,
                "{role} without agreement"
            );
        }
        let board = BTreeSet::from([Role::Board]);
        assert_eq!(p.effective(&board, true, FieldClass::Com), Access::Read);
        let both = BTreeSet::from([Role::Board, Role::ActiveMember]);
        assert_eq!(
            p.effective(&both, false, FieldClass::Act),
            Access::Write,
            "union of roles"
        );
    }

    #[test]
    fn access_words_round_trip() {
        for a in [Access::None, Access::Read, Access::Write] {
            assert_eq!(a.name().parse::<Access>(), Ok(a));
        }
        assert!("admin".parse::<Access>().is_err());
    }
}
