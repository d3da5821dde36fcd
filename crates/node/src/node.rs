//! The endpoint: this device on the network (iroh, keyed by the device key, relays off),
//! its options, errors and what a session reports. Sessions are in `transport.rs`, the serve
//! loop in `daemon.rs`, lending the store in `lending.rs`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::lan::Lan;
use carnet_device::Device;
use carnet_sync::{ALPN, SessionError, Stats};
use iroh::endpoint::presets;
use iroh::protocol::Router;
use iroh::{Endpoint, RelayMode, SecretKey};

use tokio::sync::{Mutex, RwLock, mpsc};

use crate::addr::PeerAddr;
use crate::transport::Handler;

/// How long to wait for a peer's next message before giving up.
pub(crate) const READ_TIMEOUT: Duration = Duration::from_secs(60);
/// How long to wait for a connection.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

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
    pub(crate) endpoint: Endpoint,
    pub(crate) router: Router,
    pub(crate) device: Arc<Mutex<Device>>,
    /// Discovery on the local network under rotating names, when on.
    pub(crate) lan: Option<Arc<Lan>>,
    /// The association's devices found on the local network, for the daemon loop.
    pub(crate) found: Mutex<Option<mpsc::UnboundedReceiver<PeerAddr>>>,
    /// Sessions hold it shared for their whole length; lending the store takes it exclusively.
    pub(crate) gate: Arc<RwLock<()>>,
    /// Called with the bytes received so far while this node's own sessions run.
    pub(crate) progress: std::sync::Mutex<Option<Arc<Progress>>>,
    /// Signalled when the store comes back from another command (which may have changed it).
    pub(crate) resumed: (
        mpsc::UnboundedSender<()>,
        Mutex<Option<mpsc::UnboundedReceiver<()>>>,
    ),
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Node")
            .field("id", &self.endpoint.id())
            .finish()
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
        let (found_tx, found_rx) = mpsc::unbounded_channel();
        let lan_key = device.lock().await.lan_key();
        let lan = match (opts.mdns, lan_key) {
            (true, Some(key)) => Some(
                Lan::start(
                    endpoint.clone(),
                    device.clone(),
                    key,
                    *endpoint.id().as_bytes(),
                    found_tx,
                )
                .map_err(NodeError::Bind)?,
            ),
            // A device that has not received the registry yet knows no peer to look for.
            _ => None,
        };
        let (tx, rx) = mpsc::unbounded_channel();
        let gate = Arc::new(RwLock::new(()));
        let handler = Handler {
            device: device.clone(),
            events: tx,
            gate: gate.clone(),
            admission: Arc::default(),
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
                lan,
                found: Mutex::new(Some(found_rx)),
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
        PeerAddr {
            id: self.id(),
            addrs: listening_addrs(&self.endpoint),
        }
    }

    /// A handle that asks this node's daemon loop ([`Node::serve`]) to sync with every known
    /// peer now, as it does after another command used the store.
    pub fn sync_requests(&self) -> mpsc::UnboundedSender<()> {
        self.resumed.0.clone()
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

    /// Stops the endpoint.
    pub async fn shutdown(self) {
        let _ = self.router.shutdown().await;
        self.endpoint.close().await;
    }
}

/// Where `endpoint` can be reached: its interfaces' addresses with its port, or the address
/// it is bound to.
pub(crate) fn listening_addrs(endpoint: &Endpoint) -> Vec<SocketAddr> {
    let mut addrs: Vec<SocketAddr> = endpoint.addr().ip_addrs().copied().collect();
    if addrs.is_empty() {
        addrs = endpoint.bound_sockets();
    }
    addrs.sort();
    addrs.dedup();
    addrs
}

/// Runs `f` on the device on tokio's blocking pool, as every piece of device work the node
/// does (signature checks, store commits, reopening the store) must: the async workers carry
/// the other connections.
pub(crate) async fn with_device<R: Send + 'static>(
    device: &Arc<Mutex<Device>>,
    f: impl FnOnce(&mut Device) -> R + Send + 'static,
) -> R {
    let mut guard = device.clone().lock_owned().await;
    match tokio::task::spawn_blocking(move || f(&mut guard)).await {
        Ok(out) => out,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}
