//! Lending the store: both halves of the control socket through which a running daemon
//! (`carnet serve`, `carnet ui`, `carnet device invite`) lends its store to the device's other
//! commands, since only one process may open the redb file. The protocol is in
//! `docs/protocol.md` ("Lending the store").

use std::time::Duration;

use crate::node::{Node, NodeError};

/// The control socket of a daemon running on the device whose home is `home`.
pub fn control_socket(home: &std::path::Path) -> std::path::PathBuf {
    home.join("control.sock")
}

/// Why the store could not be borrowed.
#[derive(Debug, thiserror::Error)]
pub enum BorrowError {
    /// No daemon answers on the control socket (the store is held by a command that does not
    /// lend it, or the daemon is busy lending it to another command).
    #[error("the store is in use by another carnet process (not a daemon that can lend it)")]
    NoLender,
    /// The socket failed mid-way.
    #[error("the control socket failed: {0}")]
    Io(#[from] std::io::Error),
}

/// The borrowing half: asks the daemon listening on `socket` to lend its store, and returns
/// once it has closed it. The store stays lent while the returned stream is open: closing it
/// (or ending the process) hands it back. Waits at most `wait` for the daemon's answer (it
/// first lets its running sessions, or the command it lends to, finish).
#[cfg(unix)]
pub fn borrow(
    socket: &std::path::Path,
    wait: Duration,
) -> Result<std::os::unix::net::UnixStream, BorrowError> {
    use std::io::{BufRead, BufReader, Write};
    let mut stream =
        std::os::unix::net::UnixStream::connect(socket).map_err(|_| BorrowError::NoLender)?;
    stream.set_read_timeout(Some(wait))?;
    stream.write_all(b"release\n")?;
    let mut line = String::new();
    BufReader::new(stream.try_clone()?)
        .read_line(&mut line)
        .map_err(|_| BorrowError::NoLender)?;
    if line.trim() != "released" {
        return Err(BorrowError::NoLender);
    }
    Ok(stream)
}

impl Node {
    /// The lending half.
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
                // Reopening verifies the registry's signatures: off the async workers.
                let reopened = crate::node::with_device(&device, |d| d.resume()).await;
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
}
