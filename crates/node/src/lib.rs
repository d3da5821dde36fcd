//! Carnet's network side: an iroh endpoint keyed by the device key (relays off, no DNS: works
//! fully offline), the sync protocol handler on a versioned ALPN, invitation tickets, peer
//! addresses, and LAN discovery by mDNS under rotating names (`lan`).
//!
//! **Architecture invariant:** the only crate that names iroh or tokio; knows nothing of clap
//! or printing. Every received change goes through `carnet-device`, which verifies it before it
//! is applied.

mod addr;
mod daemon;
pub mod lan;
mod lending;
mod node;
mod transport;

pub use addr::{AddrError, PeerAddr, Ticket};
#[cfg(unix)]
pub use lending::borrow;
pub use lending::{BorrowError, control_socket};
pub use node::{Node, NodeError, NodeOptions, Progress, SyncOutcome};
