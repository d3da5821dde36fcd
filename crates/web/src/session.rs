//! Browser sessions: a random id in an `HttpOnly; SameSite=Strict` cookie, a CSRF token per
//! session, and whether the session is unlocked (passphrase given, not locked since, not idle
//! longer than the lock delay). Sessions live in memory only: restarting `carnet ui` locks all.
//! A spreadsheet uploaded for import waits here too ([`Upload`]), in memory only, tied to its
//! session: locking, idling past the delay or a new unlock drops it. The idle delay chosen in
//! *Réglages* is remembered per device, like its language (`<home>/ui-lock-minutes`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

/// The idle delays one may choose, in minutes.
pub(crate) const LOCK_MINUTES: std::ops::RangeInclusive<u64> = 1..=60;

/// The file of a home in which the device's idle delay is remembered.
fn lock_file(home: &Path) -> PathBuf {
    home.join("ui-lock-minutes")
}

/// The idle delay remembered for the device at `home`, in minutes, if one was chosen (and is
/// within [`LOCK_MINUTES`]).
pub(crate) fn remembered_lock_minutes(home: &Path) -> Option<u64> {
    std::fs::read_to_string(lock_file(home))
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .filter(|m| LOCK_MINUTES.contains(m))
}

/// Remembers `minutes` as the device's idle delay.
pub(crate) fn remember_lock_minutes(home: &Path, minutes: u64) -> std::io::Result<()> {
    std::fs::write(lock_file(home), minutes.to_string())
}

/// Most sessions kept at once (a browser that refuses cookies makes one per page).
const MAX_SESSIONS: usize = 64;

/// A random token of 32 bytes, in hex.
pub(crate) fn token() -> String {
    let mut b = [0u8; 32];
    // The system's random source failing is not recoverable here; an all-zero token would be
    // guessable, so fall back to a second try and refuse to go on with zeros.
    if getrandom::fill(&mut b).is_err() {
        let _ = getrandom::fill(&mut b);
    }
    hex::encode(b)
}

/// Compares two tokens in constant time.
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// One browser's session.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    /// The token forms must send back.
    pub csrf: String,
    /// Whether the passphrase was given (and the session not locked since).
    pub unlocked: bool,
    /// The last request that counted as activity.
    pub last_seen: Instant,
    /// Messages for the next page (warnings of the rules after a save).
    pub flash: Vec<String>,
    /// The invitation this session made and follows (its secret never leaves the server).
    pub invitation: Option<[u8; 16]>,
}

/// Most uploads waiting at once, all sessions together (each is at most the upload limit).
const MAX_UPLOADS: usize = 4;

/// A spreadsheet uploaded for import, waiting for its columns to be chosen: its bytes hold
/// personal values, so they stay in this process's memory (zeroed when dropped), never in a
/// file, a log or a URL; pages name it by a random id only.
pub(crate) struct Upload {
    /// Its random id (a hidden form field).
    pub id: String,
    /// What the file's name ends with (`.csv`, `.xlsx`…): all that is kept of the name.
    pub ext: String,
    /// The file's bytes.
    pub bytes: Zeroizing<Vec<u8>>,
    /// When it was uploaded.
    pub at: Instant,
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload")
            .field("ext", &self.ext)
            .field("len", &self.bytes.len())
            .finish_non_exhaustive()
    }
}

/// Every session, by id, and the uploads waiting for them.
#[derive(Debug, Default)]
pub(crate) struct Sessions {
    map: HashMap<String, Session>,
    uploads: HashMap<String, Arc<Upload>>,
}

impl Sessions {
    /// The session `id`, locked first if idle longer than `lock_after`; `touch` counts this
    /// request as activity.
    pub(crate) fn get(&mut self, id: &str, lock_after: Duration, touch: bool) -> Option<Session> {
        let s = self.map.get_mut(id)?;
        if s.unlocked && s.last_seen.elapsed() > lock_after {
            s.unlocked = false;
            self.uploads.remove(id);
        }
        if touch {
            s.last_seen = Instant::now();
        }
        Some(s.clone())
    }

    /// A new locked session; returns its id.
    pub(crate) fn create(&mut self) -> (String, Session) {
        if self.map.len() >= MAX_SESSIONS
            && let Some(oldest) = self
                .map
                .iter()
                .min_by_key(|(_, s)| s.last_seen)
                .map(|(k, _)| k.clone())
        {
            self.map.remove(&oldest);
            self.uploads.remove(&oldest);
        }
        let id = token();
        let s = Session {
            csrf: token(),
            unlocked: false,
            last_seen: Instant::now(),
            flash: vec![],
            invitation: None,
        };
        self.map.insert(id.clone(), s.clone());
        (id, s)
    }

    /// Replaces session `old` by a new unlocked one (a new id, against session fixation).
    pub(crate) fn unlock(&mut self, old: &str) -> String {
        self.map.remove(old);
        self.uploads.remove(old);
        let (id, _) = self.create();
        if let Some(s) = self.map.get_mut(&id) {
            s.unlocked = true;
        }
        id
    }

    /// Keeps `messages` for the next page session `id` shows.
    pub(crate) fn flash(&mut self, id: &str, messages: Vec<String>) {
        if let Some(s) = self.map.get_mut(id) {
            s.flash = messages;
        }
    }

    /// The messages kept for this page, forgotten once taken.
    pub(crate) fn take_flash(&mut self, id: &str) -> Vec<String> {
        self.map
            .get_mut(id)
            .map(|s| std::mem::take(&mut s.flash))
            .unwrap_or_default()
    }

    /// Keeps (or forgets) the invitation session `id` follows.
    pub(crate) fn set_invitation(&mut self, id: &str, secret: Option<[u8; 16]>) {
        if let Some(s) = self.map.get_mut(id) {
            s.invitation = secret;
        }
    }

    /// Locks session `id` (its upload is dropped).
    pub(crate) fn lock(&mut self, id: &str) {
        if let Some(s) = self.map.get_mut(id) {
            s.unlocked = false;
        }
        self.uploads.remove(id);
    }

    /// Keeps `upload` for unlocked session `id`, in place of the one it had; the oldest upload
    /// of all goes when too many wait.
    pub(crate) fn set_upload(&mut self, id: &str, upload: Upload) {
        if !self.map.get(id).is_some_and(|s| s.unlocked) {
            return;
        }
        self.uploads.remove(id);
        while self.uploads.len() >= MAX_UPLOADS {
            let Some(oldest) = self
                .uploads
                .iter()
                .min_by_key(|(_, u)| u.at)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            self.uploads.remove(&oldest);
        }
        self.uploads.insert(id.to_owned(), Arc::new(upload));
    }

    /// The upload `upload` of unlocked session `id`, if it still waits.
    pub(crate) fn upload(&self, id: &str, upload: &str) -> Option<Arc<Upload>> {
        if !self.map.get(id).is_some_and(|s| s.unlocked) {
            return None;
        }
        self.uploads
            .get(id)
            .filter(|u| same(&u.id, upload))
            .cloned()
    }

    /// Forgets session `id`'s upload (imported, or abandoned).
    pub(crate) fn drop_upload(&mut self, id: &str) {
        self.uploads.remove(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_sessions_lock_and_unlocking_changes_the_id() {
        let mut all = Sessions::default();
        let (id, s) = all.create();
        assert!(!s.unlocked);
        let new = all.unlock(&id);
        assert_ne!(new, id);
        assert!(all.get(&id, Duration::from_secs(60), true).is_none());
        assert!(
            all.get(&new, Duration::from_secs(60), true)
                .is_some_and(|s| s.unlocked)
        );
        std::thread::sleep(Duration::from_millis(20));
        assert!(
            all.get(&new, Duration::from_millis(5), true)
                .is_some_and(|s| !s.unlocked)
        );
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }

    fn upload(id: &str) -> Upload {
        Upload {
            id: id.to_owned(),
            ext: ".csv".into(),
            bytes: Zeroizing::new(b"a;b".to_vec()),
            at: Instant::now(),
        }
    }

    #[test]
    fn an_upload_belongs_to_its_unlocked_session_and_goes_with_the_lock() {
        let mut all = Sessions::default();
        let (locked, _) = all.create();
        all.set_upload(&locked, upload("u0"));
        assert!(
            all.upload(&locked, "u0").is_none(),
            "a locked session keeps no upload"
        );
        let (id, _) = all.create();
        let id = all.unlock(&id);
        all.set_upload(&id, upload("u1"));
        assert!(all.upload(&id, "u1").is_some());
        assert!(all.upload(&id, "u2").is_none(), "another id finds nothing");
        let (other, _) = all.create();
        let other = all.unlock(&other);
        assert!(
            all.upload(&other, "u1").is_none(),
            "another session finds nothing"
        );
        all.lock(&id);
        assert!(all.upload(&id, "u1").is_none(), "locking drops it");
        all.set_upload(&other, upload("u3"));
        std::thread::sleep(Duration::from_millis(20));
        assert!(all.get(&other, Duration::from_millis(5), true).is_some());
        assert!(
            all.upload(&other, "u3").is_none(),
            "idling past the delay drops it"
        );
        let mut many = Sessions::default();
        let ids: Vec<String> = (0..6)
            .map(|_| {
                let (id, _) = many.create();
                many.unlock(&id)
            })
            .collect();
        for (i, id) in ids.iter().enumerate() {
            many.set_upload(id, upload(&format!("m{i}")));
        }
        assert_eq!(many.uploads.len(), MAX_UPLOADS, "bounded");
        assert!(many.upload(&ids[5], "m5").is_some());
    }
}
