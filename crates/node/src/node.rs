//! The endpoint, the protocol handler and sessions over QUIC streams.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use carnet_device::Device;
use carnet_replica::DeviceId;
use carnet_sync::{ALPN, MAX_MESSAGE, Message, Role, Session, SessionError, Stats};
use chrono::Utc;
use iroh::endpoint::{Connection, RecvStream, SendStream, presets};
use iroh::protocol::{AcceptError, ProtocolHandler, Router};
use iroh::{Endpoint, EndpointAddr, PublicKey, RelayMode, SecretKey};
use iroh_mdns_address_lookup::{DiscoveryEvent, MdnsAddressLookup};
use n0_future::StreamExt;

use tokio::sync::{Mutex, RwLock, mpsc};

use crate::addr::PeerAddr;

/// How long to wait for a peer's next message before giving up.
const READ_TIMEOUT: Duration = Duration::from_secs(60);
/// How long to wait for a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A progress callback: bytes received so far in a session.
pub type Progress = dyn Fn(u64) + Send + Sync;

/// How the node listens.
#[derive(Debug, Clone)]
pub struct NodeOptions {
    /// The UDP address to bind (port 0: chosen by the system).
    pub bind: SocketAddr,
    /// Whether to announce this device and find peers on the LAN by mDNS.
    pub mdns: bool,
    /// A relay the association runs itself (iroh-relay), to reach devices in other cities; it
    /// only ever sees end-to-end encrypted QUIC. None (the default): no relay at all.
    pub relay: Option<String>,
}

impl Default for NodeOptions {
    fn default() -> Self {
        NodeOptions {
            bind: SocketAddr::from(([0, 0, 0, 0], 0)),
            mdns: false,
            relay: None,
        }
    }
}

/// Why networking failed.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// The endpoint could not be started.
    #[error("cannot start the network endpoint: {0}")]
    Bind(String),
    /// The peer could not be reached.
    #[error("cannot reach the peer: {0}")]
    Connect(String),
    /// The connection broke or timed out.
    #[error("the connection failed: {0}")]
    Io(String),
    /// A message could not be decoded.
    #[error("the peer sent a malformed message")]
    Malformed,
    /// The session failed.
    #[error(transparent)]
    Session(#[from] SessionError),
}

/// What a session did.
#[derive(Debug, Clone)]
pub struct SyncOutcome {
    /// The peer.
    pub peer: [u8; 32],
    /// Whether this side dialled.
    pub initiator: bool,
    /// Its figures.
    pub stats: Stats,
    /// Why it failed, if it did.
    pub error: Option<String>,
}

/// This device on the network.
pub struct Node {
    endpoint: Endpoint,
    router: Router,
    device: Arc<Mutex<Device>>,
    mdns: Option<MdnsAddressLookup>,
    /// Sessions hold it shared for their whole length; lending the store takes it exclusively.
    gate: Arc<RwLock<()>>,
    /// Called with the bytes received so far while this node's own sessions run.
    progress: std::sync::Mutex<Option<Arc<Progress>>>,
    /// Signalled when the store comes back from another command (which may have changed it).
    resumed: (
        mpsc::UnboundedSender<()>,
        Mutex<Option<mpsc::UnboundedReceiver<()>>>,
    ),
}

#[derive(Clone)]
struct Handler {
    device: Arc<Mutex<Device>>,
    events: mpsc::UnboundedSender<SyncOutcome>,
    gate: Arc<RwLock<()>>,
}

impl std::fmt::Debug for Handler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Handler")
    }
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Node")
            .field("id", &self.endpoint.id())
            .finish()
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

/// Runs a session until it is done, sending `outgoing` first.
async fn drive(
    session: &mut Session,
    send: &mut SendStream,
    recv: &mut RecvStream,
    device: &Mutex<Device>,
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
            let next = {
                let dev = device.lock().await;
                session.next_message(&*dev)
            };
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
        let mut dev = device.lock().await;
        match session.answer(msg, &mut *dev) {
            Ok(out) => outgoing = out,
            Err(e) => {
                drop(dev);
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
    /// Starts this device's endpoint: relays off, no DNS, bound to `opts.bind`; answers sync
    /// sessions from enrolled devices. Session outcomes are sent on the returned channel.
    pub async fn spawn(
        device: Arc<Mutex<Device>>,
        opts: NodeOptions,
    ) -> Result<(Node, mpsc::UnboundedReceiver<SyncOutcome>), NodeError> {
        let secret = SecretKey::from_bytes(&device.lock().await.endpoint_secret());
        let builder = Endpoint::builder(presets::Minimal)
            .secret_key(secret)
            .relay_mode(match &opts.relay {
                None => RelayMode::Disabled,
                Some(url) => {
                    let url: iroh::RelayUrl = url.parse().map_err(|_| {
                        NodeError::Bind(
                            "the relay must be a URL, e.g. https://relay.example.org".into(),
                        )
                    })?;
                    RelayMode::custom([url])
                }
            })
            .alpns(vec![ALPN.to_vec()])
            .clear_ip_transports()
            .bind_addr(opts.bind)
            .map_err(|e| NodeError::Bind(e.to_string()))?;
        let endpoint = builder
            .bind()
            .await
            .map_err(|e| NodeError::Bind(e.to_string()))?;
        let mdns = if opts.mdns {
            let mdns = MdnsAddressLookup::builder()
                .service_name("carnet")
                .build(endpoint.id())
                .map_err(|e| NodeError::Bind(e.to_string()))?;
            endpoint
                .address_lookup()
                .map_err(|e| NodeError::Bind(e.to_string()))?
                .add(mdns.clone());
            Some(mdns)
        } else {
            None
        };
        let (tx, rx) = mpsc::unbounded_channel();
        let gate = Arc::new(RwLock::new(()));
        let handler = Handler {
            device: device.clone(),
            events: tx,
            gate: gate.clone(),
        };
        let (rtx, rrx) = mpsc::unbounded_channel();
        let router = Router::builder(endpoint.clone())
            .accept(ALPN, handler)
            .spawn();
        Ok((
            Node {
                endpoint,
                router,
                device,
                mdns,
                gate,
                progress: std::sync::Mutex::new(None),
                resumed: (rtx, Mutex::new(Some(rrx))),
            },
            rx,
        ))
    }

    /// This device's id.
    pub fn id(&self) -> [u8; 32] {
        *self.endpoint.id().as_bytes()
    }

    /// Where peers can reach this device.
    pub fn addr(&self) -> PeerAddr {
        let mut addrs: Vec<SocketAddr> = self.endpoint.addr().ip_addrs().copied().collect();
        if addrs.is_empty() {
            addrs = self.endpoint.bound_sockets();
        }
        addrs.sort();
        addrs.dedup();
        PeerAddr {
            id: self.id(),
            addrs,
        }
    }

    /// Reports progress (bytes received so far) of the sessions this node initiates.
    pub fn on_progress(&self, f: Arc<Progress>) {
        if let Ok(mut p) = self.progress.lock() {
            *p = Some(f);
        }
    }

    /// The device behind this node.
    pub fn device(&self) -> &Arc<Mutex<Device>> {
        &self.device
    }

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

    /// Runs until `stop` resolves: finds peers on the LAN (when mDNS is on) and syncs with each
    /// enrolled peer when it appears, and with every known peer every `every`.
    pub async fn serve(
        &self,
        every: Duration,
        outcomes: mpsc::UnboundedSender<SyncOutcome>,
        stop: impl std::future::Future<Output = ()>,
    ) {
        let mut events = match &self.mdns {
            Some(m) => Some(m.subscribe().await),
            None => None,
        };
        let mut tick = tokio::time::interval(every);
        // A slow round (an unreachable peer) must not be followed by a burst of missed ticks.
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut resumed = self.resumed.1.lock().await.take();
        tokio::pin!(stop);
        loop {
            let next_resume = async {
                match resumed.as_mut() {
                    Some(r) => r.recv().await,
                    None => std::future::pending().await,
                }
            };
            let next_event = async {
                match events.as_mut() {
                    Some(e) => e.next().await,
                    None => std::future::pending().await,
                }
            };
            // What to sync with next: a peer just discovered, or every known peer.
            let peers: Vec<PeerAddr> = tokio::select! {
                biased;
                _ = &mut stop => return,
                ev = next_event => match ev {
                    Some(DiscoveryEvent::Discovered { endpoint_info, .. }) => {
                        let id = *endpoint_info.endpoint_id.as_bytes();
                        let addrs: Vec<SocketAddr> = endpoint_info.data.ip_addrs().copied().collect();
                        if self.is_enrolled(&id).await { vec![PeerAddr { id, addrs }] } else { vec![] }
                    }
                    _ => vec![],
                },
                // Another command used the store (maybe changed something): sync now.
                Some(()) = next_resume => self.known_peers().await,
                _ = tick.tick() => self.known_peers().await,
            };
            // Stopping must not wait for a round to end (a peer may be unreachable).
            let round = async {
                for peer in peers {
                    let outcome = self.sync_with(&peer, None).await;
                    let _ = outcomes.send(outcome);
                }
            };
            tokio::select! {
                biased;
                _ = &mut stop => return,
                _ = round => {}
            }
        }
    }

    async fn is_enrolled(&self, id: &[u8; 32]) -> bool {
        let dev = self.device.lock().await;
        *id != self.id()
            && dev
                .registry()
                .and_then(|r| r.device(&DeviceId(*id)))
                .is_some_and(|d| d.revoked.is_none())
    }

    /// Enrolled peers this device has addresses for.
    pub async fn known_peers(&self) -> Vec<PeerAddr> {
        let dev = self.device.lock().await;
        let Ok(peers) = dev.peers() else {
            return vec![];
        };
        peers
            .into_iter()
            .filter_map(|(id, p)| {
                let id: DeviceId = id.parse().ok()?;
                let enrolled = dev
                    .registry()
                    .and_then(|r| r.device(&id))
                    .is_some_and(|d| d.revoked.is_none());
                let addrs: Vec<SocketAddr> =
                    p.addrs.iter().filter_map(|a| a.parse().ok()).collect();
                (enrolled && !addrs.is_empty()).then_some(PeerAddr { id: id.0, addrs })
            })
            .collect()
    }

    /// Listens on a Unix socket at `path` (owner-only) through which other `carnet` commands
    /// borrow the store while this node runs: a client sends `release`, the node waits for its
    /// sessions to end, closes the store and answers `released`; when the client disconnects,
    /// the node reopens the store and syncs with its peers.
    #[cfg(unix)]
    pub fn lend_store_on(
        &self,
        path: &std::path::Path,
    ) -> Result<tokio::task::JoinHandle<()>, NodeError> {
        use std::os::unix::fs::PermissionsExt;
        use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
        let _ = std::fs::remove_file(path);
        let listener =
            tokio::net::UnixListener::bind(path).map_err(|e| NodeError::Bind(e.to_string()))?;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| NodeError::Bind(e.to_string()))?;
        let device = self.device.clone();
        let gate = self.gate.clone();
        let resumed = self.resumed.0.clone();
        Ok(tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let mut reader = BufReader::new(stream);
                let mut line = String::new();
                let read =
                    tokio::time::timeout(Duration::from_secs(5), reader.read_line(&mut line)).await;
                if !matches!(read, Ok(Ok(_))) || line.trim() != "release" {
                    continue;
                }
                let exclusive = gate.write().await;
                device.lock().await.suspend();
                let mut stream = reader.into_inner();
                if stream.write_all(b"released\n").await.is_ok() {
                    // Wait for the other command to finish (it closes the socket), at most an hour.
                    let mut sink = Vec::new();
                    let _ = tokio::time::timeout(
                        Duration::from_secs(3600),
                        stream.read_to_end(&mut sink),
                    )
                    .await;
                }
                let reopened = device.lock().await.resume();
                drop(exclusive);
                match reopened {
                    Ok(()) => {
                        let _ = resumed.send(());
                    }
                    Err(e) => {
                        tracing::error!("cannot reopen the store: {e}");
                        return;
                    }
                }
            }
        }))
    }

    /// Stops the endpoint.
    pub async fn shutdown(self) {
        let _ = self.router.shutdown().await;
        self.endpoint.close().await;
    }
}
