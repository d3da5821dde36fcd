//! Whether two devices are level: the check that a sync session reporting itself complete left
//! no readable change behind.

use std::collections::BTreeSet;

use carnet_device::Device;
use carnet_replica::{ChangeHash, DeviceId, DocId};

/// Whether both devices' registries let both `x` and `y` read the class of `doc`.
fn both_read(a: &Device, b: &Device, doc: &DocId) -> bool {
    let Some(class) = doc.class() else {
        return true;
    };
    let (x, y): (DeviceId, DeviceId) = (a.id(), b.id());
    [a, b].iter().all(|d| {
        d.registry()
            .is_some_and(|r| r.access(&x, class).can_read() && r.access(&y, class).can_read())
    })
}

/// Every change one of `a`, `b` holds and the other lacks, in the registry and in every
/// document both may read (by both registries), leaving out what either quarantined: empty
/// when the two are level. Each entry names the document and how many changes each lacks.
pub fn unlevel(a: &Device, b: &Device) -> Vec<String> {
    unlevel_except(a, b, &BTreeSet::new())
}

/// [`unlevel`], leaving out the changes in `except` as well (say, the erasure receipts a side
/// signed during the session being checked, after its last registry message: they travel at
/// the next session, like any change made while a session runs).
pub fn unlevel_except(a: &Device, b: &Device, except: &BTreeSet<ChangeHash>) -> Vec<String> {
    let mut docs: BTreeSet<DocId> = BTreeSet::from([DocId::Registry]);
    docs.extend(a.documents().unwrap());
    docs.extend(b.documents().unwrap());
    let mut out = Vec::new();
    for doc in docs {
        if !both_read(a, b, &doc) {
            continue;
        }
        let held = |d: &Device| -> BTreeSet<ChangeHash> {
            d.held(&doc).unwrap().into_iter().map(ChangeHash).collect()
        };
        let (ha, hb) = (held(a), held(b));
        if ha == hb {
            continue;
        }
        let left_out: BTreeSet<ChangeHash> = a
            .verdicts(&doc)
            .unwrap()
            .rejected
            .union(&b.verdicts(&doc).unwrap().rejected)
            .chain(except)
            .copied()
            .collect();
        let a_lacks = hb.difference(&ha).filter(|h| !left_out.contains(h)).count();
        let b_lacks = ha.difference(&hb).filter(|h| !left_out.contains(h)).count();
        if a_lacks + b_lacks > 0 {
            out.push(format!(
                "{doc}: the first lacks {a_lacks} change(s), the second {b_lacks}"
            ));
        }
    }
    out
}
