//! What the interface asks of the network layer. `carnet ui` provides it (this crate knows
//! nothing of iroh or sync sessions): the text of an invitation ticket carrying this device's
//! listening address, and a sync with every known peer now.

use std::future::Future;
use std::pin::Pin;

/// The network layer, as the pages see it.
pub trait Network: Send + Sync {
    /// The text of an invitation ticket for `secret` of organisation `org`, carrying where this
    /// device listens; `None` while its node does not run yet.
    fn ticket(&self, org: [u8; 16], secret: [u8; 16]) -> Option<String>;
    /// Asks the node to sync with every known peer now (it reports as periodic syncs do).
    fn sync_now(&self) -> Pin<Box<dyn Future<Output = ()> + Send>>;
}
