//! The schema: which record kinds exist, which fields they have, each field's type and class.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::FieldClass;

/// The membership statuses a member card accepts (`domain.md` §2, membership life cycle).
pub const MEMBER_STATUSES: &[&str] = &["prospect", "member", "active", "left", "expelled"];

/// The type of a field's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// Free text on one line.
    Text,
    /// Free text that may span several lines.
    LongText,
    /// A calendar date, written `YYYY-MM-DD`.
    Date,
    /// Yes or no.
    Bool,
    /// One of a fixed list of words.
    Choice(&'static [&'static str]),
    /// A set of short labels (merged item by item when devices edit concurrently).
    Set,
    /// A whole number, 0 or more (stored as text).
    Count,
    /// The id of one record of the given kind.
    Ref(RecordKind),
    /// A set of ids of records of the given kind (merged item by item, like [`FieldType::Set`]).
    RefSet(RecordKind),
}

impl FieldType {
    /// What a person should type for this field, for help and error messages.
    pub fn expected(&self) -> String {
        match self {
            FieldType::Text => "text on one line".into(),
            FieldType::LongText => "text".into(),
            FieldType::Date => "a date written YYYY-MM-DD".into(),
            FieldType::Bool => "yes or no".into(),
            FieldType::Choice(words) => format!("one of {}", words.join(", ")),
            FieldType::Set => {
                "labels separated by commas (name=a,b sets, name+=a adds, name-=a removes)".into()
            }
            FieldType::Count => "a whole number, 0 or more".into(),
            FieldType::Ref(kind) => format!("the id of a {kind}"),
            FieldType::RefSet(kind) => format!(
                "ids of {kind} records separated by commas (name+=id adds, name-=id removes)"
            ),
        }
    }

    /// Whether values of this type are sets, stored label by label.
    pub fn is_set(&self) -> bool {
        matches!(self, FieldType::Set | FieldType::RefSet(_))
    }
}

/// One field of a record kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSpec {
    /// The field's name, as typed in `--field name=value` and stored in documents.
    pub name: &'static str,
    /// The field's class, which decides who may read and write it.
    pub class: FieldClass,
    /// The type of its value.
    pub ty: FieldType,
    /// Whether every record of the kind must have it.
    pub required: bool,
    /// One line of help.
    pub help: &'static str,
}

const fn field(
    name: &'static str,
    class: FieldClass,
    ty: FieldType,
    help: &'static str,
) -> FieldSpec {
    FieldSpec {
        name,
        class,
        ty,
        required: false,
        help,
    }
}

const fn required(
    name: &'static str,
    class: FieldClass,
    ty: FieldType,
    help: &'static str,
) -> FieldSpec {
    FieldSpec {
        name,
        class,
        ty,
        required: true,
        help,
    }
}

const fn reference(
    name: &'static str,
    class: FieldClass,
    kind: RecordKind,
    help: &'static str,
) -> FieldSpec {
    field(name, class, FieldType::Ref(kind), help)
}

const fn references(
    name: &'static str,
    class: FieldClass,
    kind: RecordKind,
    help: &'static str,
) -> FieldSpec {
    field(name, class, FieldType::RefSet(kind), help)
}

use FieldClass::{Act, Coa, Com, Gov, Per, Pub};
use FieldType::{Bool, Choice, Count, Date, LongText, Set, Text};
use RecordKind as K;

/// The rules forms a person signs (`domain.md` §1.2).
pub const SIGNATURE_FORMS: &[&str] = &["member", "active"];
/// What an active-member application's Roots vote decided.
pub const APPLICATION_DECISIONS: &[&str] = &["pending", "accepted", "refused"];
/// The states of a mentorship.
pub const MENTORSHIP_STATUSES: &[&str] = &["active", "ended"];
/// The areas of working groups (`domain.md` §1.10).
pub const GROUP_AREAS: &[&str] = &[
    "community-organising",
    "advocacy",
    "media",
    "social-work",
    "support-groups",
    "partnerships",
    "roots",
    "peer-to-peer",
];
/// The types of activities (`domain.md` §1.9).
pub const ACTIVITY_TYPES: &[&str] = &[
    "talking-group",
    "workshop",
    "training",
    "art-therapy",
    "podcast",
    "outreach",
    "law-access",
    "party",
    "celebration",
    "send-off",
    "meeting",
];
/// Who an activity is for.
pub const AUDIENCES: &[&str] = &["all", "active"];
/// The mandates (`domain.md` §1.11).
pub const MANDATE_ROLES: &[&str] = &[
    "spokesperson",
    "prefet",
    "board",
    "president",
    "secretary",
    "treasurer",
    "coalition-chair",
];
/// The kinds of votes (`domain.md` §1.12, §1.13, coalition rules C1–C4).
pub const VOTE_KINDS: &[&str] = &[
    "election",
    "admission",
    "drop",
    "expulsion",
    "coalition-decision",
    "coalition-admission",
    "coalition-removal",
    "other",
];
/// Thresholds a vote passes at.
pub const VOTE_THRESHOLDS: &[&str] = &["consensus", "majority", "two-thirds"];
/// What a vote decided.
pub const VOTE_RESULTS: &[&str] = &["pending", "consensus", "passed", "rejected"];
/// Where a person is referred to or from (`domain.md` §1.7), for reports by destination.
pub const REFERRAL_DESTINATIONS: &[&str] = &[
    "acse",
    "psp",
    "lawyer",
    "housing",
    "psychologist",
    "coalition-partner",
    "charity",
    "other",
];
/// Referral directions.
pub const REFERRAL_DIRECTIONS: &[&str] = &["inbound", "outbound"];
/// Referral states.
pub const REFERRAL_STATUSES: &[&str] = &["open", "accepted", "refused", "closed"];
/// The states of a coalition member organisation (`domain.md` §2, coalition life cycle).
pub const COALITION_STATUSES: &[&str] = &["applicant", "member", "withdrawn", "removed", "refused"];
/// The states of a coalition meeting's minutes.
pub const MINUTES_STATUSES: &[&str] = &["draft", "circulated", "approved"];
/// Outcomes of a welfare check (`domain.md` §1.15).
pub const WELFARE_OUTCOMES: &[&str] = &["safe", "wants-to-leave", "unreachable", "danger"];

static MEMBER_FIELDS: &[FieldSpec] = &[
    required(
        "display_name",
        Com,
        Text,
        "name shown to members; may be a pseudonym",
    ),
    required("status", Com, Choice(MEMBER_STATUSES), "membership status"),
    field(
        "member_since",
        Com,
        Date,
        "date the member signed the rules",
    ),
    field(
        "working_groups",
        Com,
        Set,
        "working groups the member takes part in",
    ),
    field(
        "speaks_french",
        Com,
        Bool,
        "whether the member speaks French",
    ),
    field(
        "left_on",
        Com,
        Date,
        "date the member left or was expelled (rejoining needs a signature after it)",
    ),
    field(
        "active_since",
        Act,
        Date,
        "date the member became an active member",
    ),
    field(
        "last_contact",
        Act,
        Date,
        "last news from the member (welfare check-ins after two months of silence)",
    ),
    field("first_name", Per, Text, "legal first name"),
    field("last_name", Per, Text, "legal last name"),
    field("date_of_birth", Per, Date, "date of birth"),
    field("nationality", Per, Text, "nationality"),
    field("phone", Per, Text, "phone number or messaging handle"),
    field("address", Per, LongText, "postal address"),
    field("city", Per, Text, "city of residence"),
    field(
        "immigration_status",
        Per,
        Text,
        "immigration or residence status",
    ),
    field(
        "referring_organisation",
        Per,
        Text,
        "charity that referred the member",
    ),
    field("case_notes", Per, LongText, "staff case notes"),
];

static PROJECT_FIELDS: &[FieldSpec] = &[
    required("title", Pub, Text, "project title"),
    field("period_start", Pub, Date, "first day of the project"),
    field("period_end", Pub, Date, "last day of the project"),
    field("aims", Pub, LongText, "what the project aims at"),
    field("partners", Pub, Set, "partner organisations"),
    field("funders", Pub, Set, "funders"),
    field(
        "targets",
        Com,
        LongText,
        "targets, e.g. 10 families rehoused over 2 years",
    ),
    field("progress", Com, LongText, "progress against the targets"),
];

static SIGNATURE_FIELDS: &[FieldSpec] = &[
    required(
        "person",
        Act,
        FieldType::Ref(K::Member),
        "the member who signed",
    ),
    required(
        "form",
        Act,
        Choice(SIGNATURE_FORMS),
        "member form or active-member form",
    ),
    required("signed_on", Act, Date, "date of the signature"),
    field("version", Act, Text, "version of the rules signed"),
    field(
        "staff_meeting_on",
        Act,
        Date,
        "date of the meeting with staff before signing",
    ),
    field(
        "scan_location",
        Per,
        Text,
        "where the signed paper or its scan is kept",
    ),
];

static APPLICATION_FIELDS: &[FieldSpec] = &[
    required(
        "person",
        Act,
        FieldType::Ref(K::Member),
        "the member applying to become active",
    ),
    field(
        "welcome_meeting_on",
        Act,
        Date,
        "date of the welcome meeting",
    ),
    field(
        "interviewers",
        Act,
        FieldType::RefSet(K::Member),
        "Roots members who held the interview",
    ),
    field(
        "form_signed_on",
        Act,
        Date,
        "date the active-member form was signed",
    ),
    field("card_number", Act, Text, "active-member card number"),
    field("card_issued_on", Act, Date, "date the card was issued"),
    field("vote_on", Act, Date, "date of the Roots vote"),
    required(
        "decision",
        Act,
        Choice(APPLICATION_DECISIONS),
        "what the Roots vote decided",
    ),
    reference("mentor", Act, K::Member, "mentor chosen after the vote"),
    field(
        "channels_added",
        Act,
        Bool,
        "added to the communication channels",
    ),
    field(
        "introduction_done",
        Act,
        Bool,
        "introduced to the active members",
    ),
    field(
        "roots_report",
        Gov,
        LongText,
        "the interviewers' report to Roots",
    ),
];

static MENTORSHIP_FIELDS: &[FieldSpec] = &[
    required(
        "mentee",
        Act,
        FieldType::Ref(K::Member),
        "the member mentored",
    ),
    required("mentor", Act, FieldType::Ref(K::Member), "the mentor"),
    required(
        "status",
        Act,
        Choice(MENTORSHIP_STATUSES),
        "whether the mentorship goes on",
    ),
    field("started_on", Act, Date, "first day"),
    field("ended_on", Act, Date, "last day"),
    field(
        "notes",
        Gov,
        LongText,
        "brief notes (never personal-file content)",
    ),
];

static GROUP_FIELDS: &[FieldSpec] = &[
    required("name", Act, Text, "the group's name"),
    required("area", Act, Choice(GROUP_AREAS), "the group's area"),
    references("members", Act, K::Member, "members of the group"),
    references("applicants", Act, K::Member, "members who applied to join"),
    field("minutes", Act, LongText, "minutes of the group's meetings"),
];

static ACTIVITY_FIELDS: &[FieldSpec] = &[
    required("title", Com, Text, "the activity's title"),
    required("type", Com, Choice(ACTIVITY_TYPES), "kind of activity"),
    required("date", Com, Date, "the day it takes place"),
    field(
        "audience",
        Com,
        Choice(AUDIENCES),
        "all members, or active members only",
    ),
    field("topic", Com, Text, "the topic"),
    reference("project", Com, K::Project, "the project it belongs to"),
    reference("group", Com, K::Group, "the working group it belongs to"),
    field("guests", Com, Set, "guests (organisations or roles)"),
    field("venue", Act, Text, "where it takes place (invitees only)"),
    references("present", Act, K::Member, "members present"),
    references(
        "excused",
        Act,
        K::Member,
        "members absent with a justification",
    ),
    references(
        "absent",
        Act,
        K::Member,
        "members absent without a justification",
    ),
    field(
        "excuses",
        Act,
        LongText,
        "the justifications given, one per line",
    ),
];

static MANDATE_FIELDS: &[FieldSpec] = &[
    required("role", Com, Choice(MANDATE_ROLES), "the mandate"),
    required(
        "holder",
        Com,
        FieldType::Ref(K::Member),
        "the member holding it",
    ),
    required("start", Com, Date, "first day"),
    field("end", Com, Date, "last day (six months for prefets)"),
    reference(
        "elected_at",
        Com,
        K::Assembly,
        "the general assembly that elected or presented the holder",
    ),
    field("renewed_on", Com, Date, "date of the last renewal"),
    field("resigned_on", Com, Date, "date of a resignation"),
    field(
        "roots_consulted",
        Com,
        Bool,
        "a Roots member was consulted before the resignation",
    ),
    field(
        "available",
        Com,
        Bool,
        "the holder is available for the mandate (spokespersons)",
    ),
    field(
        "exposure_consent_on",
        Per,
        Date,
        "date the spokesperson consented to public exposure",
    ),
    field(
        "exposure_limits",
        Per,
        LongText,
        "limits the spokesperson set on exposure (name, face, voice)",
    ),
];

static ASSEMBLY_FIELDS: &[FieldSpec] = &[
    required("title", Com, Text, "e.g. General assembly, spring 2026"),
    required("date", Com, Date, "the day it was held"),
    field("agenda", Com, LongText, "the agenda"),
    field("minutes", Com, LongText, "the minutes"),
    field("headcount", Com, Count, "people present"),
];

static VOTE_FIELDS: &[FieldSpec] = &[
    required("title", Com, Text, "what is voted on"),
    required("kind", Com, Choice(VOTE_KINDS), "kind of vote"),
    required("held_on", Com, Date, "date of the vote"),
    reference(
        "assembly",
        Com,
        K::Assembly,
        "the general assembly it was held at",
    ),
    field(
        "electorate",
        Com,
        Text,
        "who may vote (e.g. active members, member organisations)",
    ),
    field(
        "threshold",
        Com,
        Choice(VOTE_THRESHOLDS),
        "what it takes to pass",
    ),
    field("eligible", Com, Count, "number of eligible voters"),
    field("votes_for", Com, Count, "votes for"),
    field("votes_against", Com, Count, "votes against"),
    field("abstentions", Com, Count, "abstentions"),
    required("result", Com, Choice(VOTE_RESULTS), "what was decided"),
    reference(
        "subject_member",
        Act,
        K::Member,
        "the member the vote is about (admission, drop, expulsion)",
    ),
    reference(
        "subject_partner",
        Coa,
        K::Partner,
        "the organisation the vote is about (coalition votes)",
    ),
    references(
        "voters",
        Coa,
        K::Partner,
        "organisations that voted (coalition votes)",
    ),
    references(
        "excluded",
        Coa,
        K::Partner,
        "organisations excluded from the vote",
    ),
    references(
        "outcome_signed_by",
        Coa,
        K::Partner,
        "organisations that signed the written outcome",
    ),
    field(
        "deliberation",
        Gov,
        LongText,
        "deliberations about a named person",
    ),
];

static PARTNER_FIELDS: &[FieldSpec] = &[
    required("name", Pub, Text, "the organisation's name"),
    field(
        "sector",
        Pub,
        Text,
        "its sector (police, health, housing, NGO…)",
    ),
    field("public_contact", Pub, Text, "its public contact"),
    field("relationship", Coa, Set, "partner, funder, coalition"),
    field(
        "coalition_status",
        Coa,
        Choice(COALITION_STATUSES),
        "its place in the coalition",
    ),
    field(
        "survivor_member",
        Coa,
        Bool,
        "a survivor member rather than an organisation",
    ),
    references(
        "endorsed_by",
        Coa,
        K::Partner,
        "member organisations whose senior signatory endorsed the application",
    ),
    references(
        "reviewed_by",
        Coa,
        K::Partner,
        "member organisations that reviewed the application",
    ),
    reference(
        "readiness_endorsed_by",
        Coa,
        K::Partner,
        "the agency that substantiated a survivor member's readiness",
    ),
    field("joined_on", Coa, Date, "date it joined the coalition"),
    field(
        "removal_notice_on",
        Coa,
        Date,
        "date it was given notice (with reasons) of a removal vote",
    ),
    field(
        "representatives",
        Coa,
        Set,
        "its representatives' roles (primary, delegate)",
    ),
];

static MEETING_FIELDS: &[FieldSpec] = &[
    required("title", Coa, Text, "the coalition meeting"),
    required("date", Coa, Date, "the day it was held"),
    references(
        "attendance",
        Coa,
        K::Partner,
        "organisations present (delegates count)",
    ),
    field("agenda", Coa, LongText, "the agenda"),
    field(
        "minutes_status",
        Coa,
        Choice(MINUTES_STATUSES),
        "draft, circulated or approved",
    ),
    field(
        "action_items",
        Coa,
        LongText,
        "action items: owner, due date, status",
    ),
];

static REFERRAL_FIELDS: &[FieldSpec] = &[
    required(
        "destination",
        Coa,
        Choice(REFERRAL_DESTINATIONS),
        "where to (or from)",
    ),
    required(
        "direction",
        Coa,
        Choice(REFERRAL_DIRECTIONS),
        "inbound or outbound",
    ),
    required("referred_on", Coa, Date, "date of the referral"),
    field("decided_on", Coa, Date, "date of the decision"),
    field(
        "status",
        Coa,
        Choice(REFERRAL_STATUSES),
        "open, accepted, refused or closed",
    ),
    reference("project", Coa, K::Project, "the project it belongs to"),
    reference("person", Per, K::Member, "the member referred"),
    reference(
        "partner",
        Per,
        K::Partner,
        "the organisation referred to or from",
    ),
    field(
        "consent",
        Per,
        LongText,
        "consent given: scope, recipient, date",
    ),
    field("notes", Per, LongText, "staff notes"),
];

static WELFARE_FIELDS: &[FieldSpec] = &[
    required(
        "person",
        Act,
        FieldType::Ref(K::Member),
        "the member checked on",
    ),
    required("checked_on", Act, Date, "date of the check-in"),
    field(
        "outcome",
        Per,
        Choice(WELFARE_OUTCOMES),
        "safe, wants to leave, unreachable or in danger",
    ),
];

/// The association's secrets that only devices reading personal files hold (`domain.md` §4,
/// guarantee 11): one record per organisation, never listed, exported or named on a command
/// line; its personal (PER) document reaches only staff and direction devices.
static SECRET_FIELDS: &[FieldSpec] = &[required(
    "marker_keys",
    Per,
    Set,
    "keys of the M6 expulsion markers (hex; concurrent keys all kept)",
)];

/// A kind of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RecordKind {
    /// A member: card (COM) and personal file (PER).
    Member,
    /// A project: public description (PUB), targets and progress (COM).
    Project,
    /// A signature of the rules (member or active-member form).
    Signature,
    /// An application to become an active member.
    Application,
    /// A mentorship of an active member.
    Mentorship,
    /// A working group.
    Group,
    /// An activity or session, with its attendance.
    Activity,
    /// A mandate: spokesperson, prefet, board seat, officer, coalition chair.
    Mandate,
    /// A general assembly.
    Assembly,
    /// A vote (elections, admissions, drops, coalition decisions).
    Vote,
    /// A partner organisation or coalition member.
    Partner,
    /// A coalition meeting with its attendance.
    Meeting,
    /// A referral to or from another organisation.
    Referral,
    /// A welfare check-in with a member after a silence.
    Welfare,
    /// The association's secrets (the keys of the M6 expulsion markers): one record, held
    /// only where personal files may be read. Not in [`RecordKind::ALL`]: no command, list,
    /// report or export names it; only document ids do ([`RecordKind::from_doc_name`]).
    Secret,
}

impl RecordKind {
    /// Every record kind.
    pub const ALL: [RecordKind; 14] = [
        RecordKind::Member,
        RecordKind::Project,
        RecordKind::Signature,
        RecordKind::Application,
        RecordKind::Mentorship,
        RecordKind::Group,
        RecordKind::Activity,
        RecordKind::Mandate,
        RecordKind::Assembly,
        RecordKind::Vote,
        RecordKind::Partner,
        RecordKind::Meeting,
        RecordKind::Referral,
        RecordKind::Welfare,
    ];

    /// The name used in document ids and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            RecordKind::Member => "member",
            RecordKind::Project => "project",
            RecordKind::Signature => "signature",
            RecordKind::Application => "application",
            RecordKind::Mentorship => "mentorship",
            RecordKind::Group => "group",
            RecordKind::Activity => "activity",
            RecordKind::Mandate => "mandate",
            RecordKind::Assembly => "assembly",
            RecordKind::Vote => "vote",
            RecordKind::Partner => "partner",
            RecordKind::Meeting => "meeting",
            RecordKind::Referral => "referral",
            RecordKind::Welfare => "welfare",
            RecordKind::Secret => "secret",
        }
    }

    /// The fields of this kind, in display order.
    pub fn fields(self) -> &'static [FieldSpec] {
        match self {
            RecordKind::Member => MEMBER_FIELDS,
            RecordKind::Project => PROJECT_FIELDS,
            RecordKind::Signature => SIGNATURE_FIELDS,
            RecordKind::Application => APPLICATION_FIELDS,
            RecordKind::Mentorship => MENTORSHIP_FIELDS,
            RecordKind::Group => GROUP_FIELDS,
            RecordKind::Activity => ACTIVITY_FIELDS,
            RecordKind::Mandate => MANDATE_FIELDS,
            RecordKind::Assembly => ASSEMBLY_FIELDS,
            RecordKind::Vote => VOTE_FIELDS,
            RecordKind::Partner => PARTNER_FIELDS,
            RecordKind::Meeting => MEETING_FIELDS,
            RecordKind::Referral => REFERRAL_FIELDS,
            RecordKind::Welfare => WELFARE_FIELDS,
            RecordKind::Secret => SECRET_FIELDS,
        }
    }

    /// The field named `name`, if this kind has one.
    pub fn field(self, name: &str) -> Option<&'static FieldSpec> {
        self.fields().iter().find(|f| f.name == name)
    }

    /// The field that names a record of this kind in lists and lookups.
    pub fn label_field(self) -> &'static str {
        match self {
            RecordKind::Member => "display_name",
            RecordKind::Signature | RecordKind::Application | RecordKind::Welfare => "person",
            RecordKind::Mentorship => "mentee",
            RecordKind::Group | RecordKind::Partner => "name",
            RecordKind::Mandate => "holder",
            RecordKind::Referral => "destination",
            RecordKind::Secret => "marker_keys",
            RecordKind::Project
            | RecordKind::Activity
            | RecordKind::Assembly
            | RecordKind::Vote
            | RecordKind::Meeting => "title",
        }
    }

    /// The classes this kind has fields in, in [`FieldClass::ALL`] order: one document each.
    pub fn classes(self) -> Vec<FieldClass> {
        FieldClass::ALL
            .into_iter()
            .filter(|c| self.fields().iter().any(|f| f.class == *c))
            .collect()
    }

    /// The names of all fields, for messages listing what is accepted.
    pub fn field_names(self) -> Vec<&'static str> {
        self.fields().iter().map(|f| f.name).collect()
    }
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A record kind name that is not one of [`RecordKind::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown record kind (accepted: member, project, signature, application, mentorship, group, \
     activity, mandate, assembly, vote, partner, meeting, referral, welfare)"
)]
pub struct UnknownKind;

impl RecordKind {
    /// The kind named `s` in a document id: any of [`RecordKind::ALL`], or
    /// [`RecordKind::Secret`] (which [`str::parse`] refuses, so that no command can name it).
    pub fn from_doc_name(s: &str) -> Result<Self, UnknownKind> {
        if s == RecordKind::Secret.name() {
            return Ok(RecordKind::Secret);
        }
        s.parse()
    }
}

impl FromStr for RecordKind {
    type Err = UnknownKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RecordKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or(UnknownKind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_kind_is_named_by_document_ids_only() {
        assert!("secret".parse::<RecordKind>().is_err());
        assert_eq!(RecordKind::from_doc_name("secret"), Ok(RecordKind::Secret));
        assert_eq!(RecordKind::from_doc_name("member"), Ok(RecordKind::Member));
        assert_eq!(RecordKind::Secret.classes(), vec![FieldClass::Per]);
    }

    #[test]
    fn every_field_has_a_unique_name_without_separators() {
        for kind in RecordKind::ALL.into_iter().chain([RecordKind::Secret]) {
            let mut names = kind.field_names();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), kind.fields().len(), "{kind}");
            for f in kind.fields() {
                assert!(!f.name.contains('/') && !f.name.contains('='), "{}", f.name);
            }
            assert!(kind.field(kind.label_field()).is_some_and(|f| f.required));
        }
    }

    #[test]
    fn personal_file_fields_are_per() {
        let member = RecordKind::Member;
        for name in [
            "first_name",
            "last_name",
            "date_of_birth",
            "phone",
            "address",
            "case_notes",
        ] {
            assert_eq!(
                member.field(name).map(|f| f.class),
                Some(FieldClass::Per),
                "{name}"
            );
        }
        assert_eq!(
            member.classes(),
            vec![FieldClass::Com, FieldClass::Act, FieldClass::Per]
        );
        assert_eq!(
            RecordKind::Project.classes(),
            vec![FieldClass::Pub, FieldClass::Com]
        );
    }
}
