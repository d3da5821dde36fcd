//! Rewriting a store into fresh bytes that hold its live values only: what an erasure (and a
//! revoked device forgetting everything) does once the documents are deleted.
//!
//! redb never clears a freed page, and its compaction ([`Store::compact`]) only moves live pages
//! towards the start of the file and cuts off the end: a freed page it does not need stays in
//! the file as it was. A deleted value sealed under the data key (a member's display name, in
//! her shared-class document) then still opens with the passphrase from such a page; a test
//! found one left behind by compaction once values reach a few pages
//! (`tests/tests/erasure.rs`). A rewrite copies every table, entry by entry and still sealed
//! (nothing is opened), into a new file made in one transaction beside the old one, then renames
//! it over the old one: no page of the new file ever held a deleted value, and the old file
//! leaves the file system's names at once, as the record key file does when it is rewritten.

use std::path::Path;

use redb::{Database, ReadableDatabase, ReadableTable};

use crate::memory::Memory;
use crate::store::{CHANGES, DOCS, META, Place, builder};
use crate::{Store, StoreError};

fn storage<E: Into<redb::Error>>(e: E) -> StoreError {
    StoreError::Storage(e.into())
}

fn io(e: std::io::Error) -> StoreError {
    StoreError::Storage(redb::Error::Io(e))
}

/// Copies every entry of every table of `from` into `to`, in one transaction, as stored.
fn copy_tables(from: &Database, to: &Database) -> Result<(), StoreError> {
    let read = from.begin_read().map_err(storage)?;
    let write = to.begin_write().map_err(storage)?;
    {
        let source = read.open_table(META).map_err(storage)?;
        let mut target = write.open_table(META).map_err(storage)?;
        for item in source.iter().map_err(storage)? {
            let (k, v) = item.map_err(storage)?;
            target.insert(k.value(), v.value()).map_err(storage)?;
        }
        let source = read.open_table(CHANGES).map_err(storage)?;
        let mut target = write.open_table(CHANGES).map_err(storage)?;
        for item in source.iter().map_err(storage)? {
            let (k, v) = item.map_err(storage)?;
            target.insert(k.value(), v.value()).map_err(storage)?;
        }
        let source = read.open_table(DOCS).map_err(storage)?;
        let mut target = write.open_table(DOCS).map_err(storage)?;
        for item in source.iter().map_err(storage)? {
            let (k, v) = item.map_err(storage)?;
            target.insert(k.value(), v.value()).map_err(storage)?;
        }
    }
    write.commit().map_err(storage)
}

/// Where the new file is made: beside the store, never left behind (a rewrite that stopped
/// midway leaves it, and the next one removes it first; it only ever holds live values).
fn fresh_path(path: &Path) -> std::path::PathBuf {
    path.with_extension("rewrite")
}

impl Store {
    /// Rewrites the store into a new file (or new memory) holding its live values only, which
    /// takes the old one's place: what redb freed — an erased person's documents, whatever key
    /// sealed them — is in no page of it. Values are copied sealed, never opened. Slower than
    /// [`Store::compact`] (every value is written again, in one transaction): run after an
    /// erasure, not after every write. The file keeps its lock throughout: on Unix the new file
    /// is open before it is renamed over the old one, so another process opens neither meanwhile.
    pub fn rewrite(&mut self) -> Result<(), StoreError> {
        let old = self.db.as_ref().ok_or(StoreError::Suspended)?;
        match &self.place {
            Place::File(path) => {
                let fresh = fresh_path(path);
                match std::fs::remove_file(&fresh) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(io(e)),
                }
                let mut opts = std::fs::OpenOptions::new();
                opts.read(true).write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    opts.mode(0o600);
                }
                let file = opts.open(&fresh).map_err(io)?;
                let backend = redb::backends::FileBackend::new(file).map_err(storage)?;
                let db = builder().create_with_backend(backend).map_err(storage)?;
                if let Err(e) = copy_tables(old, &db) {
                    drop(db);
                    let _ = std::fs::remove_file(&fresh);
                    return Err(e);
                }
                #[cfg(unix)]
                {
                    std::fs::rename(&fresh, path).map_err(io)?;
                    self.db = Some(db);
                }
                #[cfg(not(unix))]
                {
                    // An open file cannot be renamed over here: both are closed first.
                    drop(db);
                    self.db = None;
                    std::fs::rename(&fresh, path).map_err(io)?;
                    self.db = Some(builder().open(path).map_err(storage)?);
                }
                if let Some(dir) = path.parent()
                    && let Ok(d) = std::fs::File::open(dir)
                {
                    // Not every platform syncs directories; the rename is what matters.
                    let _ = d.sync_all();
                }
                Ok(())
            }
            Place::Memory(memory) => {
                let fresh = Memory::new();
                let backend = fresh.backend().ok_or(StoreError::Suspended)?;
                let db = builder().create_with_backend(backend).map_err(storage)?;
                copy_tables(old, &db)?;
                drop(db);
                // The old database lets the memory go; this store takes it back at once.
                self.db = None;
                let backend = memory.backend().ok_or(StoreError::Suspended)?;
                memory.replace_bytes(fresh.bytes());
                self.db = Some(builder().create_with_backend(backend).map_err(storage)?);
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::keyring::KdfParams;
    use crate::{Memory, OpenError, Store, StoreError};

    /// Values large enough that redb keeps them in pages of their own: a freed one of those is
    /// what compaction may leave behind.
    fn fill(store: &Store) {
        for i in 0..12 {
            let mut batch = store.write().unwrap();
            let big = format!("{i} {}", "v".repeat(9000 + 500 * i));
            batch
                .put_doc(&format!("member/kept{i:02}/com"), big.as_bytes())
                .unwrap();
            if i % 4 == 0 {
                let gone = format!("{i} {}", "g".repeat(12000));
                batch.put_doc("member/gone/com", gone.as_bytes()).unwrap();
                batch
                    .put_change("member/gone/per", &[i as u8; 32], b"her change")
                    .unwrap();
            }
            batch.commit().unwrap();
        }
        let mut batch = store.write().unwrap();
        batch.delete_doc("member/gone/com").unwrap();
        batch.delete_doc("member/gone/per").unwrap();
        batch.commit().unwrap();
    }

    fn check(store: &Store) {
        assert!(store.doc("member/gone/com").unwrap().is_none());
        assert!(store.changes("member/gone/per").unwrap().is_empty());
        for i in 0..12 {
            let doc = store
                .doc(&format!("member/kept{i:02}/com"))
                .unwrap()
                .unwrap()
                .unwrap();
            assert!(doc.starts_with(format!("{i} v").as_bytes()));
        }
        assert_eq!(store.device_secret(), &[1; 32]);
    }

    fn holds(bytes: &[u8], needle: &[u8]) -> bool {
        bytes.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn a_rewritten_file_keeps_its_values_and_no_page_of_a_deleted_document() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("carnet.redb");
        let mut store =
            Store::create_with(&path, b"pw", &[1; 32], KdfParams::INSECURE_FOR_TESTS).unwrap();
        fill(&store);
        // Deleted, yet still in a freed page (document ids are redb keys, in the clear).
        assert!(holds(&std::fs::read(&path).unwrap(), b"member/gone/com"));
        #[cfg(unix)]
        let inode = || std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&path).unwrap());
        #[cfg(unix)]
        let before = inode();

        store.rewrite().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert!(!holds(&bytes, b"member/gone"));
        assert!(holds(&bytes, b"member/kept11/com"));
        assert!(!dir.path().join("carnet.rewrite").exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_ne!(inode(), before, "a new file");
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        check(&store);
        // Still this process's: another one is refused, then lent the file, then back.
        assert!(matches!(Store::open(&path, b"pw"), Err(OpenError::InUse)));
        store.suspend();
        assert!(matches!(store.rewrite(), Err(StoreError::Suspended)));
        check(&Store::open(&path, b"pw").unwrap());
        store.resume().unwrap();
        let mut batch = store.write().unwrap();
        batch.put_doc("member/after/per", b"after").unwrap();
        batch.commit().unwrap();
        drop(store);
        let store = Store::open(&path, b"pw").unwrap();
        check(&store);
        let after = store.doc("member/after/per").unwrap().unwrap().unwrap();
        assert_eq!(after.as_slice(), b"after");
    }

    /// A rewrite that stopped midway leaves its new file: the next one starts again.
    #[test]
    fn a_rewrite_left_unfinished_is_made_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("carnet.redb");
        let mut store =
            Store::create_with(&path, b"pw", &[1; 32], KdfParams::INSECURE_FOR_TESTS).unwrap();
        fill(&store);
        std::fs::write(dir.path().join("carnet.rewrite"), b"half a file").unwrap();
        store.rewrite().unwrap();
        assert!(!dir.path().join("carnet.rewrite").exists());
        drop(store);
        check(&Store::open(&path, b"pw").unwrap());
    }

    #[test]
    fn a_store_in_memory_is_rewritten_in_place() {
        let memory = Memory::new();
        let mut store = Store::create_in_memory(&memory, b"pw", &[1; 32]).unwrap();
        fill(&store);
        assert!(holds(&memory.bytes(), b"member/gone/com"));
        store.rewrite().unwrap();
        assert!(memory.is_held());
        assert!(!holds(&memory.bytes(), b"member/gone"));
        check(&store);
        drop(store);
        check(&Store::open_in_memory(&memory, b"pw").unwrap());
    }
}
