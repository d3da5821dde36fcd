//! A store's bytes in memory instead of a file: the seam through which tests, the simulator and
//! the fuzz targets run the real store code (tables, sealing, keyring) without touching disk.
//!
//! [`Memory`] is the "file": cloning it gives another handle on the same bytes, as a path names
//! the same file to another process. Like the file, it is held by one open store at a time:
//! opening it while another store holds it fails with [`crate::OpenError::InUse`], exactly as
//! redb's file lock makes a second process fail, so suspending a store, opening a second one on
//! the same memory (the daemon lending its store) and dropping and reopening it (a restart)
//! behave as they do on disk.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// The bytes of one in-memory store, shared by every handle cloned from it.
#[derive(Debug, Clone, Default)]
pub struct Memory(Arc<Shared>);

#[derive(Debug, Default)]
struct Shared {
    bytes: Mutex<Vec<u8>>,
    /// Whether an open database holds these bytes (the file lock's counterpart).
    held: AtomicBool,
    /// The record key file's bytes (`record_keys.rs`), beside the store's.
    keys: Arc<Mutex<Vec<u8>>>,
}

impl Memory {
    /// New, empty memory (no store in it yet).
    pub fn new() -> Memory {
        Memory::default()
    }

    /// How many bytes the store occupies.
    pub fn len(&self) -> usize {
        lock(&self.0.bytes).len()
    }

    /// Whether no store was ever created in this memory.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A copy of the bytes, e.g. to look for values in the clear.
    pub fn bytes(&self) -> Vec<u8> {
        lock(&self.0.bytes).clone()
    }

    /// The record key file's bytes, shared by every handle.
    pub(crate) fn keys(&self) -> Arc<Mutex<Vec<u8>>> {
        self.0.keys.clone()
    }

    /// A copy of the record key file's bytes (sealed), e.g. to look for keys in the clear.
    pub fn key_file_bytes(&self) -> Vec<u8> {
        lock(&self.0.keys).clone()
    }

    /// A new memory holding a copy of these bytes and of the record key file's, as copying a
    /// store's files: many runs can start from one state (the fuzz package's `session` target
    /// opens a copy per input). Copy a memory no store holds, as one copies a closed file.
    pub fn copied(&self) -> Memory {
        let copy = Memory::new();
        *lock(&copy.0.bytes) = self.bytes();
        *lock(&copy.0.keys) = self.key_file_bytes();
        copy
    }

    /// Puts `bytes` in place of the store's (a rewrite, `rewrite.rs`): only by the store that
    /// holds this memory, between closing its database and opening it again.
    pub(crate) fn replace_bytes(&self, bytes: Vec<u8>) {
        *lock(&self.0.bytes) = bytes;
    }

    /// Whether an open store holds this memory now.
    pub fn is_held(&self) -> bool {
        self.0.held.load(Ordering::SeqCst)
    }

    /// Takes the memory for one open database, or `None` if another holds it.
    pub(crate) fn backend(&self) -> Option<Backend> {
        self.0
            .held
            .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
            .ok()?;
        Some(Backend {
            shared: self.0.clone(),
            released: AtomicBool::new(false),
        })
    }
}

fn lock(m: &Mutex<Vec<u8>>) -> MutexGuard<'_, Vec<u8>> {
    // A panic while the bytes were locked leaves them as redb last wrote them: still usable.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn out_of_range() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::UnexpectedEof,
        "beyond the end of memory",
    )
}

/// redb's storage backend over a [`Memory`], held from opening until redb closes it.
#[derive(Debug)]
pub(crate) struct Backend {
    shared: Arc<Shared>,
    released: AtomicBool,
}

impl Backend {
    fn release(&self) {
        if !self.released.swap(true, Ordering::SeqCst) {
            self.shared.held.store(false, Ordering::SeqCst);
        }
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        self.release();
    }
}

impl redb::StorageBackend for Backend {
    fn len(&self) -> Result<u64, std::io::Error> {
        Ok(lock(&self.shared.bytes).len() as u64)
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> Result<(), std::io::Error> {
        let bytes = lock(&self.shared.bytes);
        let start = usize::try_from(offset).map_err(|_| out_of_range())?;
        let source = bytes
            .get(start..start + out.len())
            .ok_or_else(out_of_range)?;
        out.copy_from_slice(source);
        Ok(())
    }

    fn set_len(&self, len: u64) -> Result<(), std::io::Error> {
        let len = usize::try_from(len).map_err(|_| out_of_range())?;
        lock(&self.shared.bytes).resize(len, 0);
        Ok(())
    }

    fn sync_data(&self) -> Result<(), std::io::Error> {
        Ok(())
    }

    fn write(&self, offset: u64, data: &[u8]) -> Result<(), std::io::Error> {
        let mut bytes = lock(&self.shared.bytes);
        let start = usize::try_from(offset).map_err(|_| out_of_range())?;
        let target = bytes
            .get_mut(start..start + data.len())
            .ok_or_else(out_of_range)?;
        target.copy_from_slice(data);
        Ok(())
    }

    fn close(&self) -> Result<(), std::io::Error> {
        self.release();
        Ok(())
    }
}
