//! The vocabulary of Carnet: record kinds, their fields, field classes, roles, values and how
//! people's input becomes validated field edits.
//!
//! The field → class map is data ([`RecordKind::fields`]), so access rules, document layout and
//! reports can all be driven from it.
//!
//! **Architecture invariant:** this crate does no IO and knows nothing of Automerge, redb or iroh.
//!
//! ```
//! use carnet_model::{FieldClass, RecordKind};
//! let kind: RecordKind = "member".parse().unwrap();
//! let field = kind.field("date_of_birth").unwrap();
//! assert_eq!(field.class, FieldClass::Per);
//! let edit = kind.parse_edit("status=active").unwrap();
//! assert_eq!(edit.field.name, "status");
//! ```

mod class;
mod edit;
mod ids;
mod policy;
mod role;
mod schema;
mod snapshot;
mod value;

pub use class::{FieldClass, UnknownClass};
pub use edit::{EditError, EditOp, FieldEdit, RecordError, check_record, edits_by_class};
pub use ids::{DeviceId, DeviceIdError, DocId, DocIdError, OrgId, RecordId};
pub use policy::{Access, Policy, UnknownAccess};
pub use role::{Role, UnknownRole};
pub use schema::{
    ACTIVITY_TYPES, APPLICATION_DECISIONS, AUDIENCES, COALITION_STATUSES, FieldSpec, FieldType,
    GROUP_AREAS, MANDATE_ROLES, MEMBER_STATUSES, MENTORSHIP_STATUSES, MINUTES_STATUSES,
    REFERRAL_DESTINATIONS, REFERRAL_DIRECTIONS, REFERRAL_STATUSES, RecordKind, SIGNATURE_FORMS,
    UnknownKind, VOTE_KINDS, VOTE_RESULTS, VOTE_THRESHOLDS, WELFARE_OUTCOMES,
};
pub use snapshot::{Record, Snapshot};
pub use value::{Value, fold, fold_unaccented, normalize};
