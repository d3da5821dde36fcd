//! Transport: length-prefixed frames over a QUIC stream, the session driver that runs a
//! `carnet_sync::Session` on the device, the protocol handler (responder) and `sync_with`
//! (initiator). The device's work for each message (verifying signatures, committing to the
//! store, reading changes to send) runs on tokio's blocking pool, off the async workers.

use std::sync::Arc;
use std::time::Duration;

use carnet_device::{Device, SyncFigures};
use carnet_replica::DeviceId;
use carnet_sync::{ALPN, FrameDecoder, MAX_MESSAGE, Message, Role, Session, Stats, encode_frame};
use chrono::Utc;
use iroh::endpoint::{Connection, RecvStream, SendStream};
use iroh::protocol::{AcceptError, ProtocolHandler};
use iroh::{EndpointAddr, PublicKey};
use tokio::sync::{Mutex, OwnedSemaphorePermit, RwLock, Semaphore, mpsc};

use crate::addr::PeerAddr;
use crate::node::{
    CONNECT_TIMEOUT, Node, NodeError, Progress, READ_TIMEOUT, SyncOutcome, with_device,
};

/// The most sessions answered at once.
pub(crate) const MAX_SESSIONS: usize = 8;
/// The most connections at once from keys the registry does not name (devices joining with a
/// ticket, or anyone else), until their `Hello` is answered.
pub(crate) const MAX_STRANGERS: usize = 2;
/// How long a peer has to open its stream and send its `Hello`.
pub(crate) const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest first frame accepted (a `Hello` is under 100 bytes).
pub(crate) const HELLO_LIMIT: usize = 1024;
/// The longest a whole session may last (a new device receiving a 10,000-member association
/// takes a few minutes).
pub(crate) const SESSION_DEADLINE: Duration = Duration::from_secs(30 * 60);
/// The most bytes asked of the stream at once.
const READ_PIECE: usize = 64 * 1024;
/// Application close codes: no slot free; no `Hello` in time.
const BUSY: u32 = 1;
const TOO_SLOW: u32 = 2;

/// What a session moved, as the device keeps it for the sync page.
fn figures(stats: &Stats) -> SyncFigures {
    SyncFigures {
        received: stats.applied.new as u64,
        sent: stats.changes_sent as u64,
        refused: (stats.applied.refused + stats.applied.rejected) as u64,
    }
}

/// Answers sync sessions from peers.
#[derive(Clone)]
pub(crate) struct Handler {
    pub(crate) device: Arc<Mutex<Device>>,
    pub(crate) events: mpsc::UnboundedSender<SyncOutcome>,
    pub(crate) gate: Arc<RwLock<()>>,
    pub(crate) admission: Arc<Admission>,
}

/// Who may take a session slot: at most [`MAX_SESSIONS`] sessions, of which at most
/// [`MAX_STRANGERS`] from keys the registry does not name. (Not one per device: a device that
/// syncs again at once must not find its previous session, still storing what it sent,
/// holding the only slot it may have.)
#[derive(Debug)]
pub(crate) struct Admission {
    sessions: Arc<Semaphore>,
    strangers: Arc<Semaphore>,
}

impl Default for Admission {
    fn default() -> Self {
        Admission {
            sessions: Arc::new(Semaphore::new(MAX_SESSIONS)),
            strangers: Arc::new(Semaphore::new(MAX_STRANGERS)),
        }
    }
}

/// A session slot, given back when dropped.
pub(crate) struct Admitted {
    _session: OwnedSemaphorePermit,
    _stranger: Option<OwnedSemaphorePermit>,
}

impl Admission {
    /// A slot for a peer (`known`: the registry names it), or `None` when none is free.
    pub(crate) fn admit(&self, known: bool) -> Option<Admitted> {
        let stranger = if known {
            None
        } else {
            Some(self.strangers.clone().try_acquire_owned().ok()?)
        };
        let session = self.sessions.clone().try_acquire_owned().ok()?;
        Some(Admitted {
            _session: session,
            _stranger: stranger,
        })
    }
}

impl std::fmt::Debug for Handler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Handler")
    }
}

async fn write_frame(send: &mut SendStream, msg: &Message) -> Result<(), NodeError> {
    send.write_all(&encode_frame(msg))
        .await
        .map_err(|e| NodeError::Io(e.to_string()))
}

/// A stream's incoming messages, read through the protocol's [`FrameDecoder`]: only the bytes
/// the current frame still needs are asked for, so what is held grows with what arrived (a
/// peer announcing a 16 MiB frame and sending nothing costs nothing).
pub(crate) struct Incoming {
    recv: RecvStream,
    frames: FrameDecoder,
}

impl Incoming {
    /// Reads `recv`, accepting first frames of at most `first_limit` bytes.
    pub(crate) fn new(recv: RecvStream, first_limit: usize) -> Incoming {
        Incoming {
            recv,
            frames: FrameDecoder::new(first_limit),
        }
    }

    /// Accepts frames up to the protocol's limit from now on.
    pub(crate) fn allow_full_frames(&mut self) {
        self.frames.set_limit(MAX_MESSAGE);
    }

    /// The next message and its size on the wire, within `deadline`.
    pub(crate) async fn next(&mut self, deadline: Duration) -> Result<(Message, usize), NodeError> {
        let read = async {
            loop {
                if let Some(m) = self
                    .frames
                    .next_message()
                    .map_err(|_| NodeError::Malformed)?
                {
                    return Ok(m);
                }
                let want = self.frames.wanted().min(READ_PIECE);
                match self.recv.read_chunk(want).await {
                    Ok(Some(chunk)) => {
                        self.frames.push(&chunk).map_err(|_| NodeError::Malformed)?
                    }
                    Ok(None) => return Err(NodeError::Io("the peer closed the stream".into())),
                    Err(e) => return Err(NodeError::Io(e.to_string())),
                }
            }
        };
        tokio::time::timeout(deadline, read)
            .await
            .map_err(|_| NodeError::Io("timed out".into()))?
    }

    /// The stream underneath.
    pub(crate) fn stream(&mut self) -> &mut RecvStream {
        &mut self.recv
    }
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
    incoming: &mut Incoming,
    device: &Arc<Mutex<Device>>,
    mut outgoing: Vec<Message>,
    mut first: Option<(Message, usize)>,
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
        let (msg, len) = match first.take() {
            Some(m) => m,
            None => incoming.next(READ_TIMEOUT).await?,
        };
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
        // Before anything is read: a slot of the right kind (a device the registry names, or
        // a stranger that may be joining with a ticket).
        let known = self
            .device
            .lock()
            .await
            .registry()
            .is_some_and(|r| r.device(&DeviceId(peer)).is_some());
        let Some(admitted) = self.admission.admit(known) else {
            conn.close(
                BUSY.into(),
                b"busy: too many sessions at once, try again later",
            );
            return Ok(());
        };
        // Then the `Hello`, small and within a short deadline, before the session takes its
        // share of the store (lending the store to another command waits for sessions, never
        // for a peer that is slow to say who it is).
        let Ok(Ok((mut send, recv))) = tokio::time::timeout(HELLO_TIMEOUT, conn.accept_bi()).await
        else {
            conn.close(TOO_SLOW.into(), b"no stream opened in time");
            return Ok(());
        };
        let mut incoming = Incoming::new(recv, HELLO_LIMIT);
        let hello = match incoming.next(HELLO_TIMEOUT).await {
            Ok(m @ (Message::Hello { .. }, _)) => m,
            _ => {
                conn.close(TOO_SLOW.into(), b"no valid Hello in time");
                return Ok(());
            }
        };
        incoming.allow_full_frames();
        let shared = self.gate.read().await;
        let mut session = Session::new(Role::Responder, peer, None);
        let result = tokio::time::timeout(
            SESSION_DEADLINE,
            drive(
                &mut session,
                &mut send,
                &mut incoming,
                &self.device,
                vec![],
                Some(hello),
                None,
            ),
        )
        .await
        .unwrap_or_else(|_| Err(NodeError::Io("the session took too long".into())));
        drop(shared);
        drop(admitted);
        // Let the initiator read our last message before the connection goes.
        let _ = tokio::time::timeout(Duration::from_secs(5), conn.closed()).await;
        let outcome = SyncOutcome {
            peer,
            initiator: false,
            stats: session.stats(),
            error: result.err().map(|e| e.to_string()),
        };
        // Only devices the registry names are noted (one that just joined is by now): a
        // stranger's key is not worth a line in the store.
        let (error, stats) = (outcome.error.clone(), figures(&outcome.stats));
        with_device(&self.device, move |dev| {
            if dev
                .registry()
                .is_some_and(|r| r.device(&DeviceId(peer)).is_some())
            {
                let ok = error.is_none();
                let note = error.unwrap_or_else(|| "synced (they connected)".into());
                let _ = dev.note_sync_figures(DeviceId(peer), stats);
                let _ = dev.note_peer(DeviceId(peer), vec![], ok, &note, Utc::now());
            }
        })
        .await;
        let _ = self.events.send(outcome);
        Ok(())
    }
}

impl Node {
    /// Runs one sync session with `peer` (joining with an invitation when `ticket` is given).
    /// A peer whose stored addresses cannot be reached is looked up on the local network by
    /// its key when this node runs mDNS; the peer record says how it was last reached.
    pub async fn sync_with(&self, peer: &PeerAddr, ticket: Option<[u8; 16]>) -> SyncOutcome {
        let (mut result, mut how) = if peer.addrs.is_empty() {
            match self.on_lan(peer).await {
                Some(found) => (
                    self.try_sync(&found, ticket).await,
                    "found on the local network",
                ),
                None => (
                    Err((
                        Stats::default(),
                        NodeError::Connect(
                            "no address known, and not found on the local network".into(),
                        ),
                    )),
                    "",
                ),
            }
        } else {
            (self.try_sync(peer, ticket).await, "at its address")
        };
        if let Err((_, NodeError::Connect(_))) = &result
            && !peer.addrs.is_empty()
            && let Some(found) = self.on_lan(peer).await
            && found.addrs != peer.addrs
        {
            result = self.try_sync(&found, ticket).await;
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
        let ok = outcome.error.is_none();
        let note = outcome
            .error
            .clone()
            .unwrap_or_else(|| format!("synced, reached {how}"));
        let addrs = peer.addrs.iter().map(ToString::to_string).collect();
        let (id, stats) = (DeviceId(peer.id), figures(&outcome.stats));
        with_device(&self.device, move |dev| {
            let _ = dev.note_sync_figures(id, stats);
            let _ = dev.note_peer(id, addrs, ok, &note, Utc::now());
        })
        .await;
        outcome
    }

    /// Where `peer` was seen on the local network (waiting a few seconds for it to show), when
    /// this node runs discovery.
    async fn on_lan(&self, peer: &PeerAddr) -> Option<PeerAddr> {
        let addrs = self
            .lan
            .as_ref()?
            .find(&peer.id, Duration::from_secs(8))
            .await?;
        Some(PeerAddr { id: peer.id, addrs })
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
        let (mut send, recv) = conn
            .open_bi()
            .await
            .map_err(|e| fail(NodeError::Io(e.to_string())))?;
        let _session = self.gate.read().await;
        let mut session = Session::new(Role::Initiator, peer.id, ticket);
        let first = {
            let dev = self.device.lock().await;
            session.start(&*dev)
        };
        let mut incoming = Incoming::new(recv, MAX_MESSAGE);
        let progress = self.progress.lock().ok().and_then(|p| p.clone());
        let result = tokio::time::timeout(
            SESSION_DEADLINE,
            drive(
                &mut session,
                &mut send,
                &mut incoming,
                &self.device,
                first,
                None,
                progress.as_deref(),
            ),
        )
        .await
        .unwrap_or_else(|_| Err(NodeError::Io("the session took too long".into())));
        // Our last message may still be in flight: wait until the responder has read it and
        // finished its side (regression: closing at once lost a final `Done`).
        if result.is_ok() {
            let _ = tokio::time::timeout(Duration::from_secs(5), incoming.stream().read_to_end(64))
                .await;
        }
        conn.close(0u32.into(), b"done");
        result.map_err(|e| (session.stats(), e))
    }
}
