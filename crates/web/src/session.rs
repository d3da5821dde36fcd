//! Browser sessions: a random id in an `HttpOnly; SameSite=Strict` cookie, a CSRF token per
//! session, and whether the session is unlocked (passphrase given, not locked since, not idle
//! longer than the lock delay). Sessions live in memory only: restarting `carnet ui` locks all.

use std::collections::HashMap;
use std::time::{Duration, Instant};

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

/// Every session, by id.
#[derive(Debug, Default)]
pub(crate) struct Sessions {
    map: HashMap<String, Session>,
}

impl Sessions {
    /// The session `id`, locked first if idle longer than `lock_after`; `touch` counts this
    /// request as activity.
    pub(crate) fn get(&mut self, id: &str, lock_after: Duration, touch: bool) -> Option<Session> {
        let s = self.map.get_mut(id)?;
        if s.unlocked && s.last_seen.elapsed() > lock_after {
            s.unlocked = false;
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

    /// Locks session `id`.
    pub(crate) fn lock(&mut self, id: &str) {
        if let Some(s) = self.map.get_mut(id) {
            s.unlocked = false;
        }
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
}
