//! Invariants re-checked after a merge: two devices each elect a spokesperson while offline;
//! each write is valid on its own, the merged state has three.

use carnet_model::RecordKind::{Mandate, Member};
use carnet_model::Snapshot;
use carnet_rules::{RuleId, Severity, check, todo};

use crate::support::*;

/// The union of two replicas' records (the new records here have distinct ids).
fn merge(a: &Snapshot, b: &Snapshot) -> Snapshot {
    let mut merged = a.clone();
    for (kind, records) in &b.records {
        for (id, record) in records {
            merged.insert(*kind, id.clone(), record.clone());
        }
    }
    merged
}

/// Four active members, 1 and 3 French speakers; 1 is spokesperson until June, 2 was until
/// February.
fn base() -> S {
    (1..=4)
        .fold(S::default(), |s, i| {
            s.with(
                Member,
                &id(i),
                active_member(day(2024, 1, 1)).flag("speaks_french", i % 2 == 1),
            )
        })
        .with(
            Mandate,
            &id(100),
            spokesperson(&id(1), day(2026, 1, 1), day(2026, 6, 30)),
        )
        .with(
            Mandate,
            &id(101),
            spokesperson(&id(2), day(2025, 9, 1), day(2026, 2, 28)),
        )
}

#[test]
fn two_snapshots_merged_with_three_current_spokespersons_give_the_d2_violation() {
    let base = base();
    assert!(
        of(&todo(base.snap(), today()), RuleId::D2)
            .iter()
            .all(|f| !f.blocks())
    );

    let on_x = propose(
        Mandate,
        &id(102),
        spokesperson(&id(3), day(2026, 3, 1), day(2026, 8, 31)),
    );
    let on_y = propose(
        Mandate,
        &id(103),
        spokesperson(&id(4), day(2026, 3, 1), day(2026, 8, 31)),
    );
    assert!(check(base.snap(), std::slice::from_ref(&on_x), today()).is_empty());
    assert!(check(base.snap(), std::slice::from_ref(&on_y), today()).is_empty());
    // On one device, both at once would have been refused.
    assert!(blocks(
        &check(base.snap(), &[on_x.clone(), on_y.clone()], today()),
        RuleId::D2
    ));

    let x = base.clone().with(Mandate, &on_x.id, R(on_x.fields.clone()));
    let y = base.clone().with(Mandate, &on_y.id, R(on_y.fields.clone()));
    let merged = merge(x.snap(), y.snap());
    let findings = todo(&merged, today());
    let d2: Vec<_> = findings
        .iter()
        .filter(|f| f.rule == RuleId::D2 && f.record.is_none())
        .collect();
    assert_eq!(d2.len(), 1, "{findings:?}");
    assert_eq!(d2[0].severity, Severity::Block);
    assert_eq!(d2[0].kind, Mandate);
    assert!(
        d2[0].message.starts_with("3 spokespersons"),
        "{}",
        d2[0].message
    );
    // Listed first: broken invariants come before warnings and reminders.
    assert!(findings[0].blocks(), "{findings:?}");

    // The merged state is shown, never silently fixed; people can still work on it.
    let merged = S(merged);
    let edit = existing(&merged, Mandate, &id(100)).flag("available", true);
    assert!(check(merged.snap(), &[propose(Mandate, &id(100), edit)], today()).is_empty());
    let resign = existing(&merged, Mandate, &id(103))
        .date("resigned_on", day(2026, 2, 28))
        .flag("roots_consulted", true);
    assert!(
        check(
            merged.snap(),
            &[propose(Mandate, &id(103), resign.clone())],
            today()
        )
        .is_empty()
    );
    let fixed = merged.clone().with(Mandate, &id(103), resign);
    assert!(of(&todo(fixed.snap(), today()), RuleId::D2).is_empty());
}

#[test]
fn todo_is_deterministic() {
    let merged = merge(base().snap(), base().snap());
    assert_eq!(todo(&merged, today()), todo(&merged, today()));
}
