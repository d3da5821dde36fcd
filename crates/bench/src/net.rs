//! Nodes on loopback, invitations, and the figures of one sync session.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Result, bail};
use carnet_device::Device;
use carnet_model::Role;
use carnet_node::{Node, NodeOptions, PeerAddr, Ticket};
use carnet_replica::OrgId;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

/// The passphrase of every benchmark device.
pub(crate) const PASS: &[u8] = b"benchmark passphrase";

/// The figures of one sync session, seen from the side that dialled.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub(crate) struct Session {
    /// Seconds from dialling to the end of the session.
    pub(crate) secs: f64,
    /// Bytes sent and received.
    pub(crate) bytes: usize,
    /// Messages sent and received.
    pub(crate) messages: usize,
    /// New changes stored.
    pub(crate) new: usize,
}

/// Starts `device`'s node on loopback (no mDNS, no relay).
pub(crate) async fn node(device: Device) -> Result<Node> {
    let opts = NodeOptions {
        bind: "127.0.0.1:0".parse()?,
        mdns: false,
        relay: None,
    };
    Ok(Node::spawn(Arc::new(Mutex::new(device)), opts).await?.0)
}

/// An invitation from `inviter` for a new device held by `name`, with `roles` and a
/// confidentiality agreement.
pub(crate) async fn invite(inviter: &Node, name: &str, roles: &[Role]) -> Result<Ticket> {
    let mut device = inviter.device().lock().await;
    let secret = device.invite(
        roles.iter().copied().collect(),
        name,
        None,
        Some("2026-01-01".into()),
        Utc::now() + chrono::Duration::hours(1),
        false,
    )?;
    Ok(Ticket {
        org: *device.org().0.as_bytes(),
        inviter: inviter.addr(),
        secret,
    })
}

/// A new device at `home` for the organisation of `ticket`, on its node (not yet joined).
pub(crate) async fn joining(home: &Path, ticket: &Ticket) -> Result<Node> {
    let org = OrgId(uuid::Uuid::from_bytes(ticket.org));
    node(Device::create_joining(home, PASS, org)?).await
}

/// A session of `node` with `peer` (with the invitation's secret for a first one).
pub(crate) async fn sync(
    node: &Node,
    peer: &PeerAddr,
    secret: Option<[u8; 16]>,
) -> Result<Session> {
    let t = Instant::now();
    let o = node.sync_with(peer, secret).await;
    let secs = t.elapsed().as_secs_f64();
    if let Some(e) = o.error {
        bail!("sync with {peer} failed: {e}");
    }
    Ok(Session {
        secs,
        bytes: o.stats.bytes_sent + o.stats.bytes_received,
        messages: o.stats.messages_sent + o.stats.messages_received,
        new: o.stats.applied.new,
    })
}

/// A new staff device at `dir/name` joins `inviter` (both in this process).
pub(crate) async fn join(dir: &Path, name: &str, inviter: &Node) -> Result<(Node, Session)> {
    let ticket = invite(inviter, name, &[Role::Staff]).await?;
    let n = joining(&dir.join(name), &ticket).await?;
    let s = sync(&n, &ticket.inviter, Some(ticket.secret)).await?;
    Ok((n, s))
}
