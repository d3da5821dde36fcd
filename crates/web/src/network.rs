//! What the interface asks of the network layer. `carnet ui` provides it (this crate knows
//! nothing of iroh or sync sessions): the text of an invitation ticket carrying this device's
//! listening address, a sync with every known peer now, and joining an association with a
//! ticket (on a new device).

use std::future::Future;
use std::pin::Pin;

/// The network layer, as the pages see it.
pub trait Network: Send + Sync {
    /// The text of an invitation ticket for `secret` of organisation `org`, carrying where this
    /// device listens; `None` while its node does not run yet.
    fn ticket(&self, org: [u8; 16], secret: [u8; 16]) -> Option<String>;
    /// Asks the node to sync with every known peer now (it reports as periodic syncs do).
    fn sync_now(&self) -> Pin<Box<dyn Future<Output = ()> + Send>>;
    /// Makes this device (whose home holds no store yet) join the association of `ticket`,
    /// its store locked by `passphrase`: calls `code` with the confirmation code to show as
    /// soon as it is known, and ends once the inviter enrolled the device (or with why not,
    /// in words for people; nothing is left behind on failure).
    fn join(
        &self,
        ticket: String,
        passphrase: zeroize::Zeroizing<String>,
        code: Box<dyn Fn(String) + Send + Sync>,
    ) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;
}
