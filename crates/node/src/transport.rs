//! Transport: length-prefixed frames over a QUIC stream, the session driver that runs a
//! `carnet_sync::Session` on the device, the protocol handler (responder) and `sync_with`
//! (initiator). The device's work for each message (verifying signatures, committing to the
//! store, reading changes to send) runs on tokio's blocking pool, off the async workers.

use std::sync::Arc;
use std::time::Duration;

use carnet_device::Device;
use carnet_replica::DeviceId;
use carnet_sync::{ALPN, MAX_MESSAGE, Message, Role, Session, Stats};
use chrono::Utc;
use iroh::endpoint::{Connection, RecvStream, SendStream};
use iroh::protocol::{AcceptError, ProtocolHandler};
use iroh::{EndpointAddr, PublicKey};
use tokio::sync::{Mutex, RwLock, mpsc};

use crate::addr::PeerAddr;
use crate::node::{CONNECT_TIMEOUT, Node, NodeError, Progress, READ_TIMEOUT, SyncOutcome};

/// Answers sync sessions from peers.
#[derive(Clone)]
pub(crate) struct Handler {
    pub(crate) device: Arc<Mutex<Device>>,
    pub(crate) events: mpsc::UnboundedSender<SyncOutcome>,
    pub(crate) gate: Arc<RwLock<()>>,
}

impl std::fmt::Debug for Handler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Handler")
    }
}

async fn write_frame(send: &mut SendStream, msg: &Message) -> Result<(), NodeError> {
    let bytes = msg.encode();
    send.write_all(&(bytes.len() as u32).to_be_bytes())
        .await
        .map_err(|e| NodeError::Io(e.to_string()))?;
    send.write_all(&bytes)
        .await
        .map_err(|e| NodeError::Io(e.to_string()))
}

async fn read_frame(recv: &mut RecvStream) -> Result<(Message, usize), NodeError> {
    let read = async {
        let mut len = [0u8; 4];
        recv.read_exact(&mut len)
            .await
            .map_err(|e| NodeError::Io(e.to_string()))?;
        let len = u32::from_be_bytes(len) as usize;
        if len > MAX_MESSAGE {
            return Err(NodeError::Malformed);
        }
        let mut buf = vec![0u8; len];
        recv.read_exact(&mut buf)
            .await
            .map_err(|e| NodeError::Io(e.to_string()))?;
        Message::decode(&buf)
            .map(|m| (m, len + 4))
            .map_err(|_| NodeError::Malformed)
    };
    tokio::time::timeout(READ_TIMEOUT, read)
        .await
        .map_err(|_| NodeError::Io("timed out".into()))?
}

/// Runs `f` on the session and the device on tokio's blocking pool (signature checks and
/// store commits must not stall the async workers that carry other connections).
async fn on_device<R: Send + 'static>(
    session: &mut Session,
    device: &Arc<Mutex<Device>>,
    f: impl FnOnce(&mut Session, &mut Device) -> R + Send + 'static,
) -> Result<R, NodeError> {
    let mut guard = device.clone().lock_owned().await;
    let mut owned = std::mem::replace(session, Session::new(Role::Responder, [0; 32], None));
    let (owned, out) = tokio::task::spawn_blocking(move || {
        let out = f(&mut owned, &mut guard);
        (owned, out)
    })
    .await
    .map_err(|e| NodeError::Io(format!("the session's work stopped: {e}")))?;
    *session = owned;
    Ok(out)
}

/// Runs a session until it is done, sending `outgoing` first.
async fn drive(
    session: &mut Session,
    send: &mut SendStream,
    recv: &mut RecvStream,
    device: &Arc<Mutex<Device>>,
    mut outgoing: Vec<Message>,
    progress: Option<&Progress>,
) -> Result<Stats, NodeError> {
    let mut received = 0u64;
    loop {
        for m in outgoing.drain(..) {
            write_frame(send, &m).await?;
        }
        // The rest of a turn, built one message at a time (a whole association's changes
        // are never all in memory).
        loop {
            let next = on_device(session, device, |s, d| s.next_message(&*d)).await?;
            match next {
                Some(m) => write_frame(send, &m).await?,
                None => break,
            }
        }
        if session.is_done() {
            let _ = send.finish();
            return Ok(session.stats());
        }
        let (msg, len) = read_frame(recv).await?;
        received += len as u64;
        if let Some(p) = progress {
            p(received);
        }
        match on_device(session, device, move |s, d| s.answer(msg, d)).await? {
            Ok(out) => outgoing = out,
            Err(e) => {
                if let Some(refusal) = Session::refusal(&e) {
                    let _ = write_frame(send, &refusal).await;
                    let _ = send.finish();
                }
                return Err(e.into());
            }
        }
    }
}

impl ProtocolHandler for Handler {
    async fn accept(&self, conn: Connection) -> Result<(), AcceptError> {
        let peer = *conn.remote_id().as_bytes();
        let (mut send, mut recv) = conn.accept_bi().await?;
        let _session = self.gate.read().await;
        let mut session = Session::new(Role::Responder, peer, None);
        let result = drive(
            &mut session,
            &mut send,
            &mut recv,
            &self.device,
            vec![],
            None,
        )
        .await;
        // Let the initiator read our last message before the connection goes.
        let _ = tokio::time::timeout(Duration::from_secs(5), conn.closed()).await;
        let outcome = SyncOutcome {
            peer,
            initiator: false,
            stats: session.stats(),
            error: result.err().map(|e| e.to_string()),
        };
        {
            let mut dev = self.device.lock().await;
            let note = outcome
                .error
                .clone()
                .unwrap_or_else(|| "synced (they connected)".into());
            let _ = dev.note_peer(
                DeviceId(peer),
                vec![],
                outcome.error.is_none(),
                &note,
                Utc::now(),
            );
        }
        let _ = self.events.send(outcome);
        Ok(())
    }
}

impl Node {
    /// Runs one sync session with `peer` (joining with an invitation when `ticket` is given).
    /// A peer whose stored addresses cannot be reached is looked up on the local network by
    /// its key when this node runs mDNS; the peer record says how it was last reached.
    pub async fn sync_with(&self, peer: &PeerAddr, ticket: Option<[u8; 16]>) -> SyncOutcome {
        let mut how = if peer.addrs.is_empty() {
            "found on the local network"
        } else {
            "at its address"
        };
        let mut result = self.try_sync(peer, ticket).await;
        if let Err((_, NodeError::Connect(_))) = &result
            && self.mdns.is_some()
            && !peer.addrs.is_empty()
        {
            let by_key = PeerAddr {
                id: peer.id,
                addrs: vec![],
            };
            result = self.try_sync(&by_key, ticket).await;
            how = "found on the local network (its stored address failed)";
        }
        let (stats, error) = match result {
            Ok(stats) => (stats, None),
            Err((stats, e)) => (stats, Some(e.to_string())),
        };
        let outcome = SyncOutcome {
            peer: peer.id,
            initiator: true,
            stats,
            error,
        };
        let mut dev = self.device.lock().await;
        let note = outcome
            .error
            .clone()
            .unwrap_or_else(|| format!("synced, reached {how}"));
        let addrs = peer.addrs.iter().map(ToString::to_string).collect();
        let _ = dev.note_peer(
            DeviceId(peer.id),
            addrs,
            outcome.error.is_none(),
            &note,
            Utc::now(),
        );
        outcome
    }

    async fn try_sync(
        &self,
        peer: &PeerAddr,
        ticket: Option<[u8; 16]>,
    ) -> Result<Stats, (Stats, NodeError)> {
        let fail = |e: NodeError| (Stats::default(), e);
        let key =
            PublicKey::from_bytes(&peer.id).map_err(|e| fail(NodeError::Connect(e.to_string())))?;
        let mut addr = EndpointAddr::new(key);
        for a in &peer.addrs {
            addr = addr.with_ip_addr(*a);
        }
        let conn = tokio::time::timeout(CONNECT_TIMEOUT, self.endpoint.connect(addr, ALPN))
            .await
            .map_err(|_| fail(NodeError::Connect("timed out".into())))?
            .map_err(|e| fail(NodeError::Connect(e.to_string())))?;
        let (mut send, mut recv) = conn
            .open_bi()
            .await
            .map_err(|e| fail(NodeError::Io(e.to_string())))?;
        let _session = self.gate.read().await;
        let mut session = Session::new(Role::Initiator, peer.id, ticket);
        let first = {
            let dev = self.device.lock().await;
            session.start(&*dev)
        };
        let result = drive(
            &mut session,
            &mut send,
            &mut recv,
            &self.device,
            first,
            self.progress.lock().ok().and_then(|p| p.clone()).as_deref(),
        )
        .await;
        // Our last message may still be in flight: wait until the responder has read it and
        // finished its side (regression: closing at once lost a final `Done`).
        if result.is_ok() {
            let _ = tokio::time::timeout(Duration::from_secs(5), recv.read_to_end(64)).await;
        }
        conn.close(0u32.into(), b"done");
        result.map_err(|e| (session.stats(), e))
    }
}
