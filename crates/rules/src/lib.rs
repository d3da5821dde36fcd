//! Life-cycle rules of the association (`domain.md` §2): checks before a write, and what needs attention today.
//!
//! Two entry points, both pure functions of a [`Snapshot`] (every record a device can read) and
//! the day:
//!
//! - [`check`] judges a write before it is made: the proposed records are applied to the
//!   snapshot, transition rules compare each one with its state before, and state rules refuse
//!   only what the write *introduces*. Findings of [`Severity::Block`] refuse the write.
//! - [`todo`] lists what needs someone's attention: reminders falling due, warnings, and
//!   invariants broken in the current state (for instance three spokespersons after a merge of
//!   concurrent elections). Nothing here is ever "fixed" automatically.
//!
//! Messages never hold a field value (no names, no personal dates), so they can be shown and
//! logged anywhere; each rule is documented on its function with the sentence of the
//! association's rules it comes from.
//!
//! **Architecture invariant:** this crate does no IO and knows nothing of Automerge, redb, iroh
//! or printing; it reads the model's [`Snapshot`] only.
//!
//! ```
//! use std::collections::BTreeMap;
//! use carnet_model::{RecordKind, Snapshot, Value};
//! use carnet_rules::{Proposal, RuleId, Severity, check};
//!
//! let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
//! let joy = "0b6c3c52-8f0e-4d8e-9a53-1f1d6f0e2a01";
//! let member = Proposal {
//!     kind: RecordKind::Member,
//!     id: joy.into(),
//!     fields: BTreeMap::from([
//!         ("display_name".into(), Value::Text("Joy".into())),
//!         ("status".into(), Value::Text("member".into())),
//!     ]),
//! };
//! // Joining without a signed member form is refused (M1)…
//! let findings = check(&Snapshot::default(), &[member.clone()], today);
//! assert!(findings.iter().any(|f| f.rule == RuleId::M1 && f.severity == Severity::Block));
//!
//! // …and goes ahead when the signature is recorded in the same write.
//! let signature = Proposal {
//!     kind: RecordKind::Signature,
//!     id: "6f1c9b7e-3a54-4c1e-8e0b-2d4f5a6b7c80".into(),
//!     fields: BTreeMap::from([
//!         ("person".into(), Value::Text(joy.into())),
//!         ("form".into(), Value::Text("member".into())),
//!         ("signed_on".into(), Value::Date(today)),
//!     ]),
//! };
//! assert!(check(&Snapshot::default(), &[member, signature], today).is_empty());
//! ```

mod active;
mod coalition;
mod facts;
mod finding;
mod governance;
mod membership;

use std::collections::BTreeMap;

use carnet_model::{Record, RecordKind, Snapshot};
use chrono::NaiveDate;

pub use finding::{Finding, Proposal, RuleId, Severity};
pub use membership::{m6_admits, m6_marker_matched};

use facts::{Change, Ctx};

/// Rules checked before a write. Findings with [`Severity::Block`] refuse the write (the caller
/// prints them); [`Severity::Warn`] ones are shown but the write goes ahead.
///
/// The proposals are applied to the snapshot together (a new member and her signature, an
/// import of many rows); when several propose the same record, the last one counts. Rules are
/// then evaluated on that state, each proposal being compared with its state in `snapshot`
/// (absent: a new record). The findings are sorted and deterministic.
pub fn check(snapshot: &Snapshot, proposals: &[Proposal], today: NaiveDate) -> Vec<Finding> {
    let mut latest: BTreeMap<(RecordKind, &str), &Proposal> = BTreeMap::new();
    for proposal in proposals {
        latest.insert((proposal.kind, proposal.id.as_str()), proposal);
    }
    let mut after = snapshot.clone();
    for proposal in latest.values() {
        after.insert(
            proposal.kind,
            proposal.id.clone(),
            Record {
                fields: proposal.fields.clone(),
            },
        );
    }
    let ctx = Ctx {
        before: snapshot,
        after: &after,
        today,
    };
    let mut out = Vec::new();
    for &(kind, id) in latest.keys() {
        let Some(record) = after.get(kind, id) else {
            continue;
        };
        let change = Change {
            id,
            before: snapshot.get(kind, id),
            after: record,
        };
        match kind {
            RecordKind::Member => membership::check(&ctx, &change, &mut out),
            RecordKind::Mandate => governance::check(&ctx, &change, &mut out),
            RecordKind::Vote => coalition::check_vote(&ctx, &change, &mut out),
            RecordKind::Partner => coalition::check_partner(&ctx, &change, &mut out),
            _ => {}
        }
    }
    finding::sort(&mut out);
    out
}

/// What needs someone's attention today: reminders, warnings, and invariants broken in the
/// current state (e.g. by a merge of concurrent changes) — sorted, deterministic.
///
/// Rules that read attendance, contacts or welfare checks say nothing about a person when the
/// snapshot holds no such date for her (a device that cannot read them cannot tell).
pub fn todo(snapshot: &Snapshot, today: NaiveDate) -> Vec<Finding> {
    let mut out = Vec::new();
    active::todo(snapshot, today, &mut out);
    governance::todo(snapshot, today, &mut out);
    coalition::todo(snapshot, today, &mut out);
    finding::sort(&mut out);
    out
}
