//! A device in its own process (`carnet-bench --device`), so that its peak memory is its own:
//! the serving device and the joining device of measures 1, 2, 3 and 6 each run in one. The
//! process reads one [`Command`] per line on its stdin and answers each with one [`Reply`]
//! line on its stdout, both JSON.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Stdio};

use anyhow::{Context, Result, bail};
use carnet_device::Device;
use carnet_model::{RecordKind, Role, Value};
use carnet_node::{Node, PeerAddr, Ticket};
use carnet_replica::RecordId;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use tokio::runtime::Runtime;

use crate::memory::{self, Memory};
use crate::net::{self, PASS, Session};

/// What the driving process asks of a device process.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum Command {
    /// Open the device at this home and start its node; answered by [`Reply::Ready`].
    Open(PathBuf),
    /// Issue an invitation for a new device held by this name, with these roles; answered by
    /// [`Reply::Ticket`].
    Invite(String, Vec<Role>),
    /// Create a device at this home and join with this ticket; answered by [`Reply::Synced`].
    Join(PathBuf, String),
    /// Sync with this peer; answered by [`Reply::Synced`].
    Sync(String),
    /// Change one field of this member (whether she speaks French); answered by
    /// [`Reply::Done`].
    Touch(String),
    /// Peak memory since the device's node started; answered by [`Reply::Memory`].
    Memory,
    /// Stop the node and exit; answered by [`Reply::Done`].
    Quit,
}

/// A device process's answer.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum Reply {
    /// The device is open and listens at this address.
    Ready(String),
    /// An invitation ticket.
    Ticket(String),
    /// A session's figures.
    Synced(Session),
    /// Memory figures.
    Memory(Memory),
    /// Done.
    Done,
    /// The command failed.
    Failed(String),
}

/// The device process's loop: runs commands until [`Command::Quit`] or the end of its stdin.
pub(crate) fn run(rt: &Runtime) -> Result<()> {
    let mut node: Option<Node> = None;
    let mut out = std::io::stdout().lock();
    for line in std::io::stdin().lock().lines() {
        let command: Command = serde_json::from_str(&line?)?;
        let quit = matches!(command, Command::Quit);
        let reply = rt
            .block_on(handle(&mut node, command))
            .unwrap_or_else(|e| Reply::Failed(format!("{e:#}")));
        writeln!(out, "{}", serde_json::to_string(&reply)?)?;
        out.flush()?;
        if quit {
            break;
        }
    }
    if let Some(n) = node.take() {
        rt.block_on(n.shutdown());
    }
    Ok(())
}

fn running(node: &Option<Node>) -> Result<&Node> {
    node.as_ref().context("no device open in this process")
}

async fn handle(node: &mut Option<Node>, command: Command) -> Result<Reply> {
    Ok(match command {
        Command::Open(home) => {
            let n = net::node(Device::open(&home, PASS)?).await?;
            // Opening (argon2id) is not serving: peaks count from here.
            memory::reset_peak();
            let addr = n.addr().to_string();
            *node = Some(n);
            Reply::Ready(addr)
        }
        Command::Invite(name, roles) => Reply::Ticket(
            net::invite(running(node)?, &name, &roles)
                .await?
                .to_string(),
        ),
        Command::Join(home, ticket) => {
            let ticket: Ticket = ticket.parse()?;
            let n = net::joining(&home, &ticket).await?;
            // Creating the store (argon2id) is not syncing: peaks count from here.
            memory::reset_peak();
            let s = net::sync(&n, &ticket.inviter, Some(ticket.secret)).await?;
            *node = Some(n);
            Reply::Synced(s)
        }
        Command::Sync(peer) => {
            let peer: PeerAddr = peer.parse()?;
            Reply::Synced(net::sync(running(node)?, &peer, None).await?)
        }
        Command::Touch(member) => {
            let n = running(node)?;
            let mut device = n.device().lock().await;
            let kind = RecordKind::Member;
            let id: RecordId = member.parse().context("a member id")?;
            let french = device
                .show(kind, id)?
                .fields
                .get("speaks_french")
                .is_some_and(|s| s.value == Value::Bool(true));
            let field = kind.field("speaks_french").context("a member field")?;
            let edit = field.edit(None, if french { "no" } else { "yes" })?;
            device.set(kind, id, &[edit], Utc::now())?;
            Reply::Done
        }
        Command::Memory => Reply::Memory(memory::now()),
        Command::Quit => Reply::Done,
    })
}

/// A device process, seen from the process that drives it.
pub(crate) struct DeviceProcess {
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
}

impl DeviceProcess {
    /// Starts a device process (this executable with `--device`).
    pub(crate) fn spawn() -> Result<DeviceProcess> {
        let mut child = std::process::Command::new(std::env::current_exe()?)
            .arg("--device")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let input = child.stdin.take().context("the device process's stdin")?;
        let output = BufReader::new(child.stdout.take().context("its stdout")?);
        Ok(DeviceProcess {
            child,
            input,
            output,
        })
    }

    fn ask(&mut self, command: &Command) -> Result<Reply> {
        writeln!(self.input, "{}", serde_json::to_string(command)?)?;
        self.input.flush()?;
        let mut line = String::new();
        if self.output.read_line(&mut line)? == 0 {
            bail!("the device process ended (its error is above)");
        }
        match serde_json::from_str(&line)? {
            Reply::Failed(e) => bail!("{e}"),
            reply => Ok(reply),
        }
    }

    /// Opens the device at `home` and starts its node; returns its address.
    pub(crate) fn open(&mut self, home: &Path) -> Result<String> {
        match self.ask(&Command::Open(home.to_owned()))? {
            Reply::Ready(addr) => Ok(addr),
            other => bail!("unexpected answer {other:?}"),
        }
    }

    /// An invitation for a new device held by `name`, with `roles`.
    pub(crate) fn invite(&mut self, name: &str, roles: &[Role]) -> Result<String> {
        match self.ask(&Command::Invite(name.to_owned(), roles.to_vec()))? {
            Reply::Ticket(t) => Ok(t),
            other => bail!("unexpected answer {other:?}"),
        }
    }

    /// Creates a device at `home` and joins with `ticket`.
    pub(crate) fn join(&mut self, home: &Path, ticket: &str) -> Result<Session> {
        self.session(&Command::Join(home.to_owned(), ticket.to_owned()))
    }

    /// Syncs with `peer`.
    pub(crate) fn sync(&mut self, peer: &str) -> Result<Session> {
        self.session(&Command::Sync(peer.to_owned()))
    }

    fn session(&mut self, command: &Command) -> Result<Session> {
        match self.ask(command)? {
            Reply::Synced(s) => Ok(s),
            other => bail!("unexpected answer {other:?}"),
        }
    }

    /// Changes one field of `member`.
    pub(crate) fn touch(&mut self, member: &str) -> Result<()> {
        match self.ask(&Command::Touch(member.to_owned()))? {
            Reply::Done => Ok(()),
            other => bail!("unexpected answer {other:?}"),
        }
    }

    /// The process's memory figures.
    pub(crate) fn memory(&mut self) -> Result<Memory> {
        match self.ask(&Command::Memory)? {
            Reply::Memory(m) => Ok(m),
            other => bail!("unexpected answer {other:?}"),
        }
    }

    /// Stops the device and waits for the process to end.
    pub(crate) fn quit(mut self) -> Result<()> {
        self.ask(&Command::Quit)?;
        let status = self.child.wait()?;
        if !status.success() {
            bail!("the device process ended with {status}");
        }
        Ok(())
    }
}
