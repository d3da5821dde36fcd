//! Files imported before: each file's fingerprint (the BLAKE3 hash of its bytes) and when it
//! was imported, remembered per record kind in a sealed device setting — never its name, never
//! a value from it — so that the same file imported again is recognised and refused.

use carnet_device::{Device, ReadError, WriteError};
use carnet_model::RecordKind;
use chrono::{DateTime, Utc};

/// A file's fingerprint: the BLAKE3 hash of its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint(pub [u8; 32]);

impl Fingerprint {
    /// The fingerprint of a file's bytes.
    pub fn of(bytes: &[u8]) -> Fingerprint {
        Fingerprint(*blake3::hash(bytes).as_bytes())
    }
}

/// How many files a device remembers per kind (the oldest are forgotten first).
pub const REMEMBERED: usize = 1_000;

/// The device setting holding the files imported as `kind` records: entries of 40 bytes, the
/// fingerprint then the time of the import (milliseconds since 1970, big-endian), oldest first.
fn setting(kind: RecordKind) -> String {
    format!("imported-files/{kind}")
}

fn entries(device: &Device, kind: RecordKind) -> Result<Vec<(Fingerprint, i64)>, ReadError> {
    let bytes = device.setting(&setting(kind))?.unwrap_or_default();
    Ok(bytes
        .chunks_exact(40)
        .filter_map(|e| {
            let hash: [u8; 32] = e[..32].try_into().ok()?;
            let ms: [u8; 8] = e[32..].try_into().ok()?;
            Some((Fingerprint(hash), i64::from_be_bytes(ms)))
        })
        .collect())
}

/// When this device last imported the file of `fingerprint` as `kind` records, if it did.
pub fn imported_at(
    device: &Device,
    kind: RecordKind,
    fingerprint: Fingerprint,
) -> Result<Option<DateTime<Utc>>, ReadError> {
    Ok(entries(device, kind)?
        .into_iter()
        .rev()
        .find(|(f, _)| *f == fingerprint)
        .and_then(|(_, ms)| DateTime::from_timestamp_millis(ms)))
}

/// Notes that the file of `fingerprint` was imported as `kind` records at `now`: what the
/// command line and the web interface call once the plan is written.
pub fn remember_import(
    device: &mut Device,
    kind: RecordKind,
    fingerprint: Fingerprint,
    now: DateTime<Utc>,
) -> Result<(), WriteError> {
    let mut list = entries(device, kind)?;
    list.retain(|(f, _)| *f != fingerprint);
    list.push((fingerprint, now.timestamp_millis()));
    let skip = list.len().saturating_sub(REMEMBERED);
    let mut bytes = Vec::with_capacity((list.len() - skip) * 40);
    for (f, ms) in &list[skip..] {
        bytes.extend_from_slice(&f.0);
        bytes.extend_from_slice(&ms.to_be_bytes());
    }
    device.set_setting(&setting(kind), &bytes)
}
