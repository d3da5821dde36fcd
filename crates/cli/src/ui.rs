//! `carnet ui`: the web interface on `127.0.0.1`, plus what `carnet serve` runs (the node,
//! periodic sync, mDNS, lending the store) from the moment the passphrase first opens the
//! device in the browser. The passphrase is never on the command line nor in a URL.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use carnet_device::Device;
use tokio::sync::{Mutex, watch};

use crate::net;

/// The flags of `carnet ui`.
pub(crate) struct UiArgs {
    pub(crate) port: u16,
    pub(crate) no_open: bool,
    pub(crate) every: u64,
    pub(crate) bind: Option<String>,
    pub(crate) no_mdns: bool,
    pub(crate) lock_after: u64,
}

/// Opens `url` in the default browser, ignoring failure (the address is printed anyway).
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    if let Ok(mut child) = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        std::thread::spawn(move || {
            let _ = child.wait();
        });
    }
}

/// The network as the web interface sees it: the running node's address (for tickets) and
/// its sync requests.
struct UiNetwork {
    slot: Arc<net::NodeSlot>,
    home: PathBuf,
}

impl carnet_web::Network for UiNetwork {
    fn ticket(&self, org: [u8; 16], secret: [u8; 16]) -> Option<String> {
        let slot = self.slot.lock().ok()?;
        let (inviter, _) = slot.as_ref()?;
        Some(
            carnet_node::Ticket {
                org,
                inviter: inviter.for_ticket(),
                secret,
            }
            .to_string(),
        )
    }

    fn sync_now(&self) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
        if let Ok(slot) = self.slot.lock()
            && let Some((_, requests)) = slot.as_ref()
        {
            let _ = requests.send(());
        }
        Box::pin(async {})
    }

    fn join(
        &self,
        ticket: String,
        passphrase: zeroize::Zeroizing<String>,
        code: Box<dyn Fn(String) + Send + Sync>,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>> + Send>> {
        let home = self.home.clone();
        Box::pin(async move {
            let ticket: carnet_node::Ticket = ticket.parse().map_err(|e| format!("{e}"))?;
            if Device::store_path(&home).exists() {
                return Err("this device already belongs to an association".into());
            }
            let report = move |e: net::Joining| {
                if let net::Joining::Code(c) = e {
                    code(c);
                }
            };
            match net::join_async(&home, passphrase.as_bytes(), &ticket, None, &report).await {
                Ok(_) => Ok(()),
                Err(e) => {
                    // Nothing half-made stays behind: the store and its key file.
                    let store = Device::store_path(&home);
                    let _ = std::fs::remove_file(store.with_extension("keys"));
                    let _ = std::fs::remove_file(&store);
                    Err(format!("{e:#}"))
                }
            }
        })
    }
}

/// `carnet ui`.
pub(crate) fn ui(home: &Path, a: UiArgs) -> Result<()> {
    let fresh = !Device::store_path(home).exists();
    if a.lock_after == 0 {
        bail!("--lock-after must be at least 1 minute");
    }
    let (bind, mdns) = (a.bind.clone(), !a.no_mdns);
    let rt = net::runtime()?;
    let home: PathBuf = home.to_path_buf();
    rt.block_on(async move {
        let stop = net::stop_signal();
        let listener = carnet_web::bind(a.port)
            .await
            .with_context(|| format!("cannot listen on 127.0.0.1:{}", a.port))?;
        let port = listener.local_addr()?.port();
        let (stop_node, node_stopped) = watch::channel(false);
        let node: Arc<std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>> = Arc::default();
        let slot: Arc<net::NodeSlot> = Arc::default();
        let on_open: carnet_web::OnOpen = {
            let node = node.clone();
            let slot = slot.clone();
            let home = home.clone();
            let every = a.every;
            Arc::new(move |device: Arc<Mutex<Device>>| {
                let home = home.clone();
                let bind = bind.clone();
                let slot = slot.clone();
                let mut rx = node_stopped.clone();
                let task = tokio::spawn(async move {
                    let stop = async move {
                        let _ = rx.wait_for(|stop| *stop).await;
                    };
                    if let Err(e) = net::run_node(
                        &home,
                        device,
                        bind.as_deref(),
                        mdns,
                        every,
                        stop,
                        Some(&slot),
                    )
                    .await
                    {
                        eprintln!("carnet: sync stopped: {e:#}");
                    }
                });
                if let Ok(mut slot) = node.lock() {
                    *slot = Some(task);
                }
            })
        };
        let config = carnet_web::Config {
            home: home.clone(),
            port,
            lock_after: Duration::from_secs(a.lock_after * 60),
            now: Arc::new(|| crate::records::now().unwrap_or_else(|_| chrono::Utc::now())),
            on_open,
            network: Some(Arc::new(UiNetwork {
                slot,
                home: home.clone(),
            })),
        };
        let app = carnet_web::App::new(config)?;
        let url = format!("http://127.0.0.1:{port}/");
        println!("Carnet: {url}");
        println!("open this address in a browser on this computer (Ctrl-C to stop)");
        if fresh {
            std::fs::create_dir_all(&home)
                .with_context(|| format!("cannot create {}", home.display()))?;
            println!("this device belongs to no association yet: the page lets it join one");
        }
        if !a.no_open {
            open_browser(&url);
        }
        carnet_web::serve(listener, app, stop).await?;
        let _ = stop_node.send(true);
        let task = node.lock().ok().and_then(|mut t| t.take());
        if let Some(task) = task {
            let _ = task.await;
        }
        Ok(())
    })
}
