//! The `keyring` target: the keyring file (the wrapped keys in a store's `meta-1`, also the
//! head of every backup file) and the backup file as `carnet restore FILE` reads it — a file
//! anyone can have written. It runs the store's own code through `carnet_store::fuzzing`,
//! which runs argon2id only at costs a fuzzer can afford (and above the store's bound, which
//! must be refused without deriving anything).

use carnet_store::KdfParams;
use carnet_store::fuzzing::{self, Keyring, Keys, UnlockError};

use crate::targets::guard;

/// The passphrase the seeds' keyrings and backups are locked with.
pub const PASSPHRASE: &[u8] = b"fuzz passphrase";

/// Another passphrase, one character longer.
const WRONG: &[u8] = b"fuzz passphrase.";

/// The passphrase a keyring is changed to.
const NEW: &[u8] = b"a new passphrase";

/// The input as keyring bytes and as a backup file. Checks that nothing panics; that a keyring
/// read gives back bytes that read to it (no longer than the input); that its costs above
/// [`KdfParams::MAX`] are refused whatever the passphrase (before deriving: otherwise the
/// target times out or runs out of memory); that two passphrases never both unlock it; that
/// a keyring the passphrase unlocks, changed to a new passphrase, keeps its costs and keys and
/// opens with the new passphrase only. A backup file is read as `Store::restore` reads it
/// (header, keyring, sealed dump): the passphrase that reads it is the one its keyring
/// unlocks with, to the same keys; a wrong one never reads it.
pub fn keyring(data: &[u8]) {
    guard(|| {
        if let Some(k) = Keyring::from_bytes(data) {
            let bytes = k.to_bytes();
            assert!(bytes.len() <= data.len(), "a keyring grew when written");
            assert_eq!(
                Keyring::from_bytes(&bytes).as_ref(),
                Some(&k),
                "keyring round trip"
            );
            unlock(&k);
        }
        backup(data);
    });
}

/// Checks a keyring's unlocking; returns the keys [`PASSPHRASE`] unlocks, if it ran.
fn unlock(k: &Keyring) -> Option<Result<Keys, UnlockError>> {
    let kdf = k.kdf();
    let right = k.unlock(PASSPHRASE)?;
    let wrong = k
        .unlock(WRONG)
        .expect("unlocking runs or not whatever the passphrase");
    if !kdf.within_limits() {
        assert_eq!(right, Err(UnlockError::Costs), "costs above the bound");
        assert_eq!(wrong, Err(UnlockError::Costs), "costs above the bound");
        return Some(right);
    }
    assert!(
        !(right.is_ok() && wrong.is_ok()),
        "two passphrases unlock one keyring"
    );
    // Whether the costs are usable does not depend on the passphrase.
    assert_eq!(
        right == Err(UnlockError::Damaged),
        wrong == Err(UnlockError::Damaged)
    );
    assert_ne!(right, Err(UnlockError::Costs));
    if let Ok(keys) = &right {
        let new = k
            .rewrap(keys, NEW)
            .expect("a keyring that unlocked rewraps");
        assert_eq!(new.kdf(), kdf, "a passphrase change changed the costs");
        assert_ne!(&new, k, "a passphrase change kept the salt");
        assert_eq!(
            new.unlock(NEW),
            Some(Ok(keys.clone())),
            "the new passphrase"
        );
        assert_eq!(
            new.unlock(PASSPHRASE),
            Some(Err(UnlockError::WrongPassphrase)),
            "the old passphrase still unlocks"
        );
        assert_eq!(Keyring::from_bytes(&new.to_bytes()).as_ref(), Some(&new));
    }
    Some(right)
}

fn backup(data: &[u8]) {
    let header = fuzzing::backup_header(data);
    let Some(read) = fuzzing::read_backup(data, PASSPHRASE) else {
        return;
    };
    let wrong = fuzzing::read_backup(data, WRONG).expect("reading runs whatever the passphrase");
    assert!(wrong.is_err(), "a wrong passphrase read a backup");
    let Ok((k, _)) = header else {
        assert!(read.is_err(), "a backup without a header was read");
        return;
    };
    let unlocked = unlock(&k).expect("a backup read runs its keyring's unlocking");
    match (&read, unlocked) {
        (Ok(contents), Ok(keys)) => assert_eq!(contents.keys, keys, "other keys"),
        (Ok(_), Err(e)) => panic!("a backup was read although its keyring does not unlock ({e})"),
        (Err(e), Err(UnlockError::Costs)) => assert!(
            matches!(e, carnet_store::RestoreError::Costs),
            "costs above the bound refused as {e}"
        ),
        _ => {}
    }
}

/// What the target finds in an input, but the keys: a sealed seed (random salt and nonces)
/// is current while a fresh one has the same outcome.
pub fn outcome(data: &[u8]) -> String {
    let ring = Keyring::from_bytes(data).map(|k| (k.kdf(), k.unlock(PASSPHRASE).map(|r| r.err())));
    let backup = fuzzing::read_backup(data, PASSPHRASE).map(|r| {
        r.map(|c| (c.format, c.meta, c.changes, c.docs, c.record_keys))
            .map_err(|e| e.to_string())
    });
    let header = fuzzing::backup_header(data).ok().map(|(k, _)| k.kdf());
    format!("{ring:?} {header:?} {backup:?}")
}

/// The seeds whose bytes are sealed: keyrings and backups made with the store's own code
/// (locked with [`PASSPHRASE`]), and the same asking for other costs.
pub fn sealed_seeds() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let cheap = KdfParams::INSECURE_FOR_TESTS;
    let ring = Keyring::create(PASSPHRASE, &[7; 32], cheap).expect("a keyring");
    out.push(("keyring-cheap".into(), ring.to_bytes()));
    let affordable = Keyring::create(PASSPHRASE, &[8; 32], fuzzing::AFFORDABLE).expect("a keyring");
    out.push(("keyring-affordable".into(), affordable.to_bytes()));
    let costs = [
        ("store-costs", KdfParams::RFC9106_SECOND),
        (
            "huge-memory",
            KdfParams {
                m_kib: u32::MAX,
                ..cheap
            },
        ),
        (
            "huge-passes",
            KdfParams {
                t: u32::MAX,
                ..cheap
            },
        ),
        (
            "over-the-bound",
            KdfParams {
                m_kib: KdfParams::MAX.m_kib + 1,
                ..KdfParams::MAX
            },
        ),
        ("no-lanes", KdfParams { p: 0, ..cheap }),
    ];
    for (name, kdf) in costs {
        out.push((format!("keyring-{name}"), ring.with_kdf(kdf).to_bytes()));
    }
    let backup = fuzzing::backup_of(
        PASSPHRASE,
        &[9; 32],
        &[("registry", b"state"), ("member/x/com", b"values")],
    );
    assert!(!backup.is_empty(), "a backup");
    out.push(("backup".into(), backup.clone()));
    let (ring, _) = fuzzing::backup_header(&backup).expect("a backup header");
    for (name, kdf) in costs {
        let hostile = fuzzing::with_keyring(&backup, &ring.with_kdf(kdf)).expect("a backup");
        out.push((format!("backup-{name}"), hostile));
    }
    out
}

/// The seeds that are not sealed.
pub fn plain_seeds() -> Vec<(String, Vec<u8>)> {
    let magic = b"carnet-backup/1\n".to_vec();
    let mut long = magic.clone();
    long.extend_from_slice(&[0xff; 4]);
    let mut empty_ring = magic.clone();
    empty_ring.extend_from_slice(&[0; 4]);
    vec![
        ("backup-magic-only".into(), magic),
        ("backup-length-past-the-end".into(), long),
        ("backup-empty-keyring".into(), empty_ring),
        ("junk".into(), b"\x80\x80\x04\x01\x01\x10".to_vec()),
    ]
}
