//! The commands that use the network: invite, join, sync, serve (and status, which reports on
//! it). Each starts a tokio runtime and a `carnet-node` endpoint for its duration.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use carnet_device::Device;
use carnet_model::Role;
use carnet_node::{Node, NodeOptions, PeerAddr, SyncOutcome, Ticket};
use carnet_replica::{DeviceId, OrgId};
use chrono::Utc;
use tokio::sync::Mutex;

/// Resolves on Ctrl-C (SIGINT) or SIGTERM, so that a service manager stops `serve` cleanly and
/// the store is closed properly. The handlers are installed when this is called, not when the
/// future is first polled: a signal sent as soon as a command prints its first line (as a
/// service manager or a test does) must not find the default action, which kills the process
/// without closing the store. Call it inside the runtime, before printing anything.
pub(crate) fn stop_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let int = signal(SignalKind::interrupt()).ok();
        let term = signal(SignalKind::terminate()).ok();
        async move {
            async fn recv(s: Option<tokio::signal::unix::Signal>) {
                match s {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    None => std::future::pending().await,
                }
            }
            if int.is_none() && term.is_none() {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
            tokio::select! {
                _ = recv(int) => {}
                _ = recv(term) => {}
            }
        }
    }
    #[cfg(not(unix))]
    {
        let ctrl_c = tokio::signal::ctrl_c();
        async move {
            let _ = ctrl_c.await;
        }
    }
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// A spinner on stderr showing the bytes received during a session (hidden when stderr is not a
/// terminal).
fn show_progress(node: &Node) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {msg} {bytes} received ({bytes_per_sec})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.set_message("syncing");
    bar.enable_steady_tick(Duration::from_millis(120));
    let b = bar.clone();
    node.on_progress(Arc::new(move |bytes| b.set_position(bytes)));
    bar
}

/// Starts this device's node listening where `bind` says or, without it, on every interface
/// at the device's own port (chosen by the system the first time, then kept). When that port
/// is taken (another process of this device listens on it), a free one is used this time.
async fn spawn_listening(
    device: &Arc<Mutex<Device>>,
    bind: Option<&str>,
    mdns: bool,
) -> Result<(Node, tokio::sync::mpsc::UnboundedReceiver<SyncOutcome>)> {
    if let Some(bind) = bind {
        return Ok(Node::spawn(device.clone(), options(bind, mdns)?).await?);
    }
    let kept = device.lock().await.listen_port()?;
    if let Some(port) = kept
        && let Ok(spawned) =
            Node::spawn(device.clone(), options(&format!("0.0.0.0:{port}"), mdns)?).await
    {
        return Ok(spawned);
    }
    let (node, events) = Node::spawn(device.clone(), options("0.0.0.0:0", mdns)?).await?;
    if kept.is_none()
        && let Some(port) = node.addr().addrs.first().map(|a| a.port())
    {
        device.lock().await.set_listen_port(port)?;
    }
    Ok((node, events))
}

pub(crate) fn options(bind: &str, mdns: bool) -> Result<NodeOptions> {
    let bind = bind
        .parse()
        .context("--bind expects IP:PORT, e.g. 0.0.0.0:0")?;
    Ok(NodeOptions {
        bind,
        mdns,
        relay: std::env::var("CARNET_RELAY")
            .ok()
            .filter(|r| !r.trim().is_empty()),
    })
}

/// One line about a session, naming the peer's holder when known.
pub(crate) fn describe(device: &Device, o: &SyncOutcome) -> String {
    let id = DeviceId(o.peer);
    let who = device
        .registry()
        .and_then(|r| r.device(&id))
        .map(|d| format!("{} ({})", id.short(), d.holder))
        .unwrap_or_else(|| id.short());
    let s = o.stats;
    match &o.error {
        Some(e) => format!("{who}: failed: {e}"),
        None => format!(
            "{who}: received {} new change(s) in {} document(s), {} rejected, {} refused; sent {} change(s); {} messages, {} bytes",
            s.applied.new,
            s.docs_received,
            s.applied.rejected,
            s.applied.refused,
            s.changes_sent,
            s.messages_sent + s.messages_received,
            s.bytes_sent + s.bytes_received,
        ),
    }
}

/// `carnet device invite`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn invite(
    home: &Path,
    device: Device,
    held: crate::Held,
    roles: &[String],
    holder: &str,
    city: Option<&str>,
    agreement: Option<String>,
    expires_in: u64,
    bind: Option<&str>,
) -> Result<()> {
    let roles: BTreeSet<Role> = roles
        .iter()
        .map(|r| r.parse::<Role>())
        .collect::<Result<_, _>>()?;
    if holder.trim().is_empty() {
        bail!("--holder cannot be empty");
    }
    let agreement = match agreement {
        None => None,
        Some(d) => Some(
            chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
                .context("--agreement expects a date written YYYY-MM-DD")?
                .format("%Y-%m-%d")
                .to_string(),
        ),
    };
    let rt = runtime()?;
    rt.block_on(async move {
        let mut device = device;
        let expires = Utc::now() + chrono::Duration::minutes(expires_in as i64);
        let secret =
            device.invite(roles.clone(), holder.trim(), city, agreement, expires, true)?;
        let org = *device.org().0.as_bytes();
        let device = Arc::new(Mutex::new(device));
        let stop = stop_signal();
        tokio::pin!(stop);
        let (node, mut events) = spawn_listening(&device, bind, false).await?;
        // While the invitation waits (up to an hour), the device's other commands borrow the
        // store as they do from `serve` — unless this process itself borrowed it from one.
        #[cfg(unix)]
        let control = match held {
            crate::Held::Own => Some(node.lend_store_on(&crate::control_socket(home))?),
            crate::Held::Borrowed => None,
        };
        #[cfg(not(unix))]
        let _ = (home, held);
        let ticket = Ticket { org, inviter: node.addr().for_ticket(), secret };
        let names: Vec<&str> = roles.iter().map(|r| r.name()).collect();
        println!("invitation for {} ({}), valid {expires_in} minutes:\n", holder.trim(), names.join("+"));
        println!("{}", ticket_qr(&ticket.to_string()));
        println!("{ticket}\n");
        println!("on the new device: carnet join {ticket}");
        println!("(or scan the code above). Whoever has the ticket can ask to join: this device will show a");
        println!("confirmation code to compare with the new device's screen before it joins.");
        println!("waiting for it to join (Ctrl-C to stop)…");
        let deadline = tokio::time::sleep(Duration::from_secs(expires_in * 60));
        tokio::pin!(deadline);
        let mut answers = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(tokio::io::stdin()));
        let mut stdin_open = true;
        let mut asked: BTreeSet<[u8; 32]> = BTreeSet::new();
        let mut waiting: Option<DeviceId> = None;
        let outcome: Result<()> = loop {
            tokio::select! {
                _ = &mut deadline => break Err(anyhow::anyhow!("the invitation expired before the device joined")),
                _ = &mut stop => break Err(anyhow::anyhow!("stopped before the device joined; the ticket can no longer be used")),
                line = answers.next_line(), if stdin_open && waiting.is_some() => {
                    let Ok(Some(line)) = line else { stdin_open = false; continue };
                    let Some(who) = waiting.take() else { continue };
                    let mut dev = device.lock().await;
                    if matches!(line.trim().to_lowercase().as_str(), "yes" | "y" | "oui" | "o") {
                        dev.confirm_invitation(&secret, &who)?;
                        println!("confirmed: device {} may join; it will in a moment", who.short());
                    } else {
                        dev.refuse_invitation(&secret, &who)?;
                        println!("not confirmed: device {} will not join with this ticket. If the new device shows \
                                  another code, someone else has the ticket: stop here (Ctrl-C) and make a new one.", who.short());
                    }
                }
                Some(o) = events.recv() => {
                    let dev = device.lock().await;
                    let inv = dev.invitation(&secret)?;
                    if inv.as_ref().and_then(|i| i.used_by).is_some() && o.error.is_none() {
                        println!("{}", describe(&dev, &o));
                        println!("device {} joined as {}", DeviceId(o.peer).short(), names.join("+"));
                        break Ok(());
                    }
                    if o.error.as_deref().is_none_or(|e| !e.contains(carnet_device::AWAITING_CONFIRMATION)) {
                        println!("{}", describe(&dev, &o));
                    }
                    if waiting.is_none()
                        && let Some(who) = inv.iter().flat_map(|i| i.presented.iter()).find(|d| !asked.contains(*d))
                    {
                        let who = DeviceId(*who);
                        asked.insert(who.0);
                        if asked.len() > 1 {
                            println!("WARNING: more than one device asked to join with this ticket: it may have leaked.");
                        }
                        println!("device {} asks to join. Its screen must show the code {}", who.short(), carnet_device::join_code(&secret, &who));
                        println!("Does it? Type yes and press Enter to let it join, anything else to refuse:");
                        waiting = Some(who);
                    }
                }
            }
        };
        // The invitation ends with this command, whatever the reason: a daemon taking the store
        // back must not go on accepting the ticket.
        if outcome.is_err() {
            device.lock().await.cancel_invitation(&secret)?;
        }
        #[cfg(unix)]
        if let Some(control) = control {
            control.abort();
            let _ = std::fs::remove_file(crate::control_socket(home));
        }
        node.shutdown().await;
        outcome
    })
}

/// A ticket as a QR code drawn with half blocks, for a phone's camera (or an empty string if
/// the ticket is too long to draw).
fn ticket_qr(ticket: &str) -> String {
    use qrcode::render::unicode::Dense1x2;
    qrcode::QrCode::with_error_correction_level(ticket.to_uppercase(), qrcode::EcLevel::L)
        .map(|code| {
            code.render::<Dense1x2>()
                .dark_color(Dense1x2::Light)
                .light_color(Dense1x2::Dark)
                .build()
        })
        .unwrap_or_default()
}

/// How long `carnet join` waits for the inviter to confirm the code (a ticket's longest life).
const JOIN_WAIT: Duration = Duration::from_secs(60 * 60);

/// `carnet join`.
pub(crate) fn join(home: &Path, passphrase: &[u8], ticket: &str) -> Result<()> {
    let ticket: Ticket = ticket.parse()?;
    let org = OrgId(uuid::Uuid::from_bytes(ticket.org));
    // A restored device (`carnet restore`) joins from its home: it keeps what it holds.
    let restored = Device::store_path(home).exists();
    let existing = if restored {
        let device = Device::open(home, passphrase)?;
        let me = device.id();
        if device.org() != org {
            bail!("{} holds a device of another organisation", home.display());
        }
        if device.registry().and_then(|r| r.device(&me)).is_some() {
            bail!(
                "{} already holds an enrolled device; join with another --home",
                home.display()
            );
        }
        Some(device)
    } else {
        None
    };
    let rt = runtime()?;
    let result = rt.block_on(join_async(home, passphrase, &ticket, existing, &|e| match e {
        Joining::Address(a) => println!("this device: {a}"),
        Joining::Code(c) => println!(
            "confirmation code: {c}  (the inviting device shows it too: its holder compares them)"
        ),
        Joining::Waiting => println!("waiting for the inviting device to confirm the code…"),
        Joining::Outcome(o) => println!("{o}"),
    }));
    match result {
        Ok((holder, roles)) => {
            println!("joined as {roles}, held by {holder}");
            Ok(())
        }
        Err(e) => {
            if !restored {
                // The home was made for this attempt and holds nothing yet: leave no
                // half-made device.
                let _ = std::fs::remove_dir_all(home);
            }
            Err(e)
        }
    }
}

/// What joining reports as it goes.
pub(crate) enum Joining {
    /// This device's address.
    Address(String),
    /// The confirmation code to show.
    Code(String),
    /// The inviter has not confirmed the code yet.
    Waiting,
    /// The session's outcome, described.
    Outcome(String),
}

/// Joins the organisation of `ticket` as a new device in `home`: `existing` (a restored device)
/// or one it creates, presents the ticket until the inviter confirms this device's code, and
/// returns the holder and roles it was enrolled with. Leaves the store it made on failure (the
/// caller decides what to remove).
pub(crate) async fn join_async(
    home: &Path,
    passphrase: &[u8],
    ticket: &Ticket,
    existing: Option<Device>,
    report: &(dyn Fn(Joining) + Send + Sync),
) -> Result<(String, String)> {
    let org = OrgId(uuid::Uuid::from_bytes(ticket.org));
    let device = match existing {
        Some(d) => d,
        // argon2id: off the async workers.
        None => tokio::task::block_in_place(|| Device::create_joining(home, passphrase, org))?,
    };
    let device = Arc::new(Mutex::new(device));
    let (node, _events) = Node::spawn(device.clone(), options("0.0.0.0:0", false)?).await?;
    report(Joining::Address(node.addr().to_string()));
    let me = device.lock().await.id();
    report(Joining::Code(carnet_device::join_code(&ticket.secret, &me)));
    let started = std::time::Instant::now();
    let mut told = false;
    let outcome = loop {
        let bar = show_progress(&node);
        let outcome = node.sync_with(&ticket.inviter, Some(ticket.secret)).await;
        bar.finish_and_clear();
        let awaiting = outcome
            .error
            .as_deref()
            .is_some_and(|e| e.contains(carnet_device::AWAITING_CONFIRMATION));
        if !awaiting || started.elapsed() > JOIN_WAIT {
            break outcome;
        }
        if !told {
            report(Joining::Waiting);
            told = true;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let dev = device.lock().await;
    report(Joining::Outcome(describe(&dev, &outcome)));
    let enrolled = dev
        .registry()
        .and_then(|r| r.device(&dev.id()))
        .map(|d| (d.holder.clone(), crate::output::roles_text(&d.roles)));
    drop(dev);
    node.shutdown().await;
    match (outcome.error, enrolled) {
        (None, Some(enrolled)) => Ok(enrolled),
        (Some(e), _) => bail!("joining failed: {e}"),
        (None, None) => bail!("joining failed: the inviter did not enrol this device"),
    }
}

/// `carnet sync`.
pub(crate) fn sync(device: Device, peers: &[String], bind: &str, mdns: bool) -> Result<bool> {
    let given: Vec<PeerAddr> = peers
        .iter()
        .map(|p| p.parse::<PeerAddr>())
        .collect::<Result<_, _>>()?;
    // Known peers whose stored address fails are looked up on the local network; an address
    // given on the command line is used as given.
    let mdns = mdns && given.is_empty();
    let rt = runtime()?;
    rt.block_on(async move {
        let device = Arc::new(Mutex::new(device));
        let (node, _events) = match Node::spawn(device.clone(), options(bind, mdns)?).await {
            Ok(spawned) => spawned,
            // No multicast here (a machine without a network): sync at stored addresses only.
            Err(_) if mdns => Node::spawn(device.clone(), options(bind, false)?).await?,
            Err(e) => return Err(e.into()),
        };
        let peers = if given.is_empty() { node.known_peers().await } else { given };
        if peers.is_empty() {
            bail!("no peer to sync with: give --peer DEVICE_ID@IP:PORT (printed by `carnet serve` on the other device)");
        }
        let mut ok = false;
        for peer in &peers {
            let bar = show_progress(&node);
            let o = node.sync_with(peer, None).await;
            bar.finish_and_clear();
            ok |= o.error.is_none();
            println!("{}", describe(&*device.lock().await, &o));
        }
        node.shutdown().await;
        Ok(ok)
    })
}

/// `carnet serve`.
pub(crate) fn serve(
    home: &Path,
    device: Device,
    bind: Option<&str>,
    mdns: bool,
    every: u64,
) -> Result<()> {
    let rt = runtime()?;
    rt.block_on(async move {
        let stop = stop_signal();
        run_node(
            home,
            Arc::new(Mutex::new(device)),
            bind,
            mdns,
            every,
            stop,
            None,
        )
        .await
    })
}

/// What `carnet serve` runs, until `stop` resolves: the node (answering peers, mDNS when
/// `mdns`, listening where `bind` says or on the device's own port, periodic sync every `every` seconds), lending the store on the control socket,
/// and one line printed per session. `carnet ui` runs it too, once the device is open.
/// Where a running node publishes its address and the handle that asks it to sync now (for
/// the web interface).
pub(crate) type NodeSlot =
    std::sync::Mutex<Option<(PeerAddr, tokio::sync::mpsc::UnboundedSender<()>)>>;

pub(crate) async fn run_node(
    home: &Path,
    device: Arc<Mutex<Device>>,
    bind: Option<&str>,
    mdns: bool,
    every: u64,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
    listening: Option<&NodeSlot>,
) -> Result<()> {
    // A rehearsal's fixed day (`CARNET_TODAY`) is the daemon's day too (the retention period).
    if std::env::var_os("CARNET_TODAY").is_some() {
        device.lock().await.set_clock(Some(crate::records::now()?));
    }
    let (node, mut incoming) = spawn_listening(&device, bind, mdns).await?;
    #[cfg(unix)]
    let control = node.lend_store_on(&crate::control_socket(home))?;
    println!("listening as {}", node.addr());
    if let Some(slot) = listening
        && let Ok(mut slot) = slot.lock()
    {
        *slot = Some((node.addr(), node.sync_requests()));
    }
    if mdns {
        println!("looking for peers on the local network (mDNS)");
    }
    let (tx, mut outgoing) = tokio::sync::mpsc::unbounded_channel();
    let printer = {
        let device = device.clone();
        tokio::spawn(async move {
            loop {
                let o = tokio::select! {
                    Some(o) = incoming.recv() => o,
                    Some(o) = outgoing.recv() => o,
                    else => break,
                };
                println!("{}", describe(&*device.lock().await, &o));
            }
        })
    };
    node.serve(Duration::from_secs(every.max(1)), tx, stop)
        .await;
    printer.abort();
    #[cfg(unix)]
    {
        control.abort();
        let _ = std::fs::remove_file(crate::control_socket(home));
    }
    println!("stopping");
    node.shutdown().await;
    Ok(())
}
