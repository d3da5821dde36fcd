//! Rolling a store back is detected, and a backup comes back only as a new device (issue 15,
//! item 3): someone holding the disk but not the passphrase deletes a revocation from the
//! store, or puts an older copy of `carnet.redb` and `carnet.keys` back; the device stops with
//! a message saying what to do, before it serves a revoked device or signs a change under a
//! sequence number it already used. `carnet backup` writes a sealed copy while `serve` runs;
//! `carnet restore` brings it back under a new key, which a direction device enrols again.

use std::path::Path;
use std::time::Duration;

use carnet_tests::raw::{self, doc};
use carnet_tests::{Home, STAFF, contains, describe, enrol};
use redb::ReadableDatabase;

/// The refusal every command of a stopped device prints.
const STOPPED: &str = "this device's store was rolled back or tampered with";
const WHAT_TO_DO: &str =
    "restore a backup with `carnet restore` or ask direction to enrol it again";

/// Values no other test or file could hold by chance.
const NAME: &str = "CANARY-rollback-Ngozi";
const NOTES: &str = "CANARY-rollback-notes-p7Q";

/// The registry change hashes `home` stores.
fn registry_hashes(home: &Home) -> Vec<[u8; 32]> {
    raw::changes(home, "registry")
        .into_iter()
        .map(|(h, _)| h)
        .collect()
}

/// Copies `from`'s store and record key files over `to`'s (or back).
fn put_files(from: &Path, to: &Path) {
    for file in ["carnet.redb", "carnet.keys"] {
        if from.join(file).exists() {
            std::fs::copy(from.join(file), to.join(file)).expect("copying a store file");
        }
    }
}

/// `carnet sync --peer addr` in `home`, which must fail; its output.
fn sync_fails(home: &Home, addr: &str) -> String {
    let args = ["sync", "--peer", addr];
    let out = home.carnet(&args);
    assert!(!out.status.success(), "{}", describe(&args, &out));
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `carnet sync --peer addr` in `home`, which must succeed.
fn sync_ok(home: &Home, addr: &str) {
    let args = ["sync", "--peer", addr];
    let out = home.carnet(&args);
    assert!(out.status.success(), "{}", describe(&args, &out));
}

#[test]
fn a_revocation_deleted_from_the_store_stops_the_device() {
    let dir = Home::init();
    let mut leaver = Home::new();
    enrol(&dir, &mut leaver, &STAFF);
    let before = registry_hashes(&dir);
    dir.ok(&["device", "revoke", leaver.device_id()]);
    let revocation: Vec<[u8; 32]> = registry_hashes(&dir)
        .into_iter()
        .filter(|h| !before.contains(h))
        .collect();
    assert_eq!(revocation.len(), 1);

    raw::delete_change(&dir.store_path(), "registry", &revocation[0]);

    // Every command refuses, saying what happened and what to do; nothing serves the leaver.
    for args in [
        &["member", "list"][..],
        &["member", "add", "--name", "New"],
        &["device", "list"],
        &["serve", "--bind", "127.0.0.1:0", "--no-mdns"],
    ] {
        let err = dir.fail(args);
        assert!(err.contains(STOPPED), "{args:?}: {err}");
        assert!(err.contains(WHAT_TO_DO), "{args:?}: {err}");
        assert!(err.contains("its registry lacks"), "{args:?}: {err}");
    }
    // `verify` inspects it all the same, and fails.
    let args = ["verify"];
    let out = dir.carnet(&args);
    assert!(!out.status.success(), "{}", describe(&args, &out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(STOPPED),
        "{}",
        describe(&args, &out)
    );
}

/// The sealed `info/anchor` value of `home`'s store, read with redb.
fn sealed_anchor(home: &Home) -> Vec<u8> {
    let db = redb::ReadOnlyDatabase::open(home.store_path()).expect("opening the redb file");
    let tx = db.begin_read().expect("a read transaction");
    let table = tx.open_table(raw::META).expect("the meta table");
    let value = table
        .get("info/anchor")
        .expect("reading")
        .expect("an anchor");
    value.value().to_vec()
}

/// Puts `sealed` as `info/anchor` (or deletes it) with redb.
fn put_anchor(home: &Home, sealed: Option<&[u8]>) {
    let db = redb::Database::open(home.store_path()).expect("opening the redb file");
    let tx = db.begin_write().expect("a write transaction");
    {
        let mut table = tx.open_table(raw::META).expect("the meta table");
        match sealed {
            Some(v) => drop(table.insert("info/anchor", v).expect("writing")),
            None => drop(table.remove("info/anchor").expect("deleting")),
        }
    }
    tx.commit().expect("committing");
}

#[test]
fn a_sealed_record_older_than_the_registry_or_missing_stops_the_device() {
    let dir = Home::init();
    let older = sealed_anchor(&dir);
    dir.ok(&["policy", "retention", "24"]);
    let newer = sealed_anchor(&dir);
    assert_ne!(older, newer, "a registry change rewrites the record");

    put_anchor(&dir, Some(&older));
    let err = dir.fail(&["member", "list"]);
    assert!(err.contains(STOPPED) && err.contains(WHAT_TO_DO), "{err}");
    assert!(err.contains("where its sealed record names"), "{err}");

    put_anchor(&dir, None);
    let err = dir.fail(&["member", "list"]);
    assert!(
        err.contains("the sealed record of its registry is missing"),
        "{err}"
    );

    // The record as it was: the device runs again.
    put_anchor(&dir, Some(&newer));
    dir.ok(&["member", "list"]);
}

#[test]
fn a_store_put_back_from_an_older_copy_is_found_at_the_next_sync_and_signs_nothing() {
    let dir = Home::init();
    let mut staff = Home::new();
    enrol(&dir, &mut staff, &STAFF);
    let member = staff.add_member(&["--name", "Ada"]);
    let com = doc("member", &member, "com");
    let (mut serve, addr) = dir.serve(&["--bind", "127.0.0.1:0", "--no-mdns"]);
    sync_ok(&staff, &addr);

    // A copy of the staff device's files, then newer work that the direction device receives.
    let old = tempfile::tempdir().expect("a temporary directory");
    put_files(staff.path(), old.path());
    let old_count = raw::changes(&staff, &com).len();
    staff.ok(&["member", "set", &member, "--name", "Ada B"]);
    sync_ok(&staff, &addr);

    // The older copy put back: it opens (it is consistent), but the next sync shows it.
    put_files(old.path(), staff.path());
    staff.ok(&["member", "list"]);
    let out = sync_fails(&staff, &addr);
    assert!(out.contains(STOPPED) && out.contains(WHAT_TO_DO), "{out}");
    assert!(
        out.contains("a peer holds changes this device signed"),
        "{out}"
    );

    // From then on it refuses everything, the next sync included, and signed nothing: it holds
    // what the peer sent (its lost change came back), and the peer nothing new.
    let err = staff.fail(&["member", "set", &member, "--name", "Ada C"]);
    assert!(err.contains(STOPPED), "{err}");
    let out = sync_fails(&staff, &addr);
    assert!(out.contains(STOPPED), "{out}");
    serve.interrupt();
    let hashes = |home: &Home| -> Vec<[u8; 32]> {
        raw::changes(home, &com)
            .into_iter()
            .map(|(h, _)| h)
            .collect()
    };
    assert_eq!(
        hashes(&dir).len(),
        old_count + 1,
        "the peer received nothing new"
    );
    assert_eq!(hashes(&staff), hashes(&dir));
    dir.ok(&["verify"]);
}

#[test]
fn a_backup_made_while_serve_runs_is_sealed_and_restores_as_a_new_device_enrolled_again() {
    let dir = Home::init();
    let member = dir.add_member(&["--name", NAME, "--field", &format!("case_notes={NOTES}")]);
    let mut staff = Home::new();
    enrol(&dir, &mut staff, &STAFF);
    let (mut staff_serve, _) = staff.serve(&["--bind", "127.0.0.1:0", "--no-mdns"]);

    // While `serve` holds the store, `backup` borrows it like any command.
    let backup = staff.root().join("device.backup");
    let backup_arg = backup.to_str().expect("a UTF-8 path");
    let out = staff.ok(&["backup", "--out", backup_arg]);
    assert!(out.contains("backup of device"), "{out}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&backup)
            .expect("the backup")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let bytes = std::fs::read(&backup).expect("the backup");
    for needle in [NAME, NOTES, "Ngozi", &member, "member/", "registry"] {
        assert!(
            !contains(&bytes, needle.as_bytes()),
            "{needle} in the backup"
        );
    }
    // Never overwritten.
    let err = staff.fail(&["backup", "--out", backup_arg]);
    assert!(err.contains("must not exist"), "{err}");
    staff_serve.interrupt();

    // Restored into a new home: the data is there, under a new device key.
    let mut restored = Home::new();
    let out = restored.ok(&["restore", backup_arg]);
    let new_id = out
        .lines()
        .find_map(|l| {
            l.strip_prefix(&format!(
                "restored into {} as a new device: ",
                restored.path().display()
            ))
        })
        .unwrap_or_else(|| panic!("no new device id:\n{out}"))
        .trim()
        .to_owned();
    assert_ne!(new_id, staff.device_id());
    assert!(out.contains(staff.device_id()), "{out}");
    assert!(
        out.contains("carnet device invite") && out.contains("carnet join"),
        "{out}"
    );
    let list = restored.ok(&["member", "list"]);
    assert!(list.contains(NAME), "{list}");
    // A second restore into the same home is refused.
    let err = restored.fail(&["restore", backup_arg]);
    assert!(err.contains("already holds a Carnet store"), "{err}");

    // It cannot sync as the old device, nor as itself before it is enrolled.
    let (mut serve, addr) = dir.serve(&["--bind", "127.0.0.1:0", "--no-mdns"]);
    let out = sync_fails(&restored, &addr);
    assert!(out.contains("not enrolled"), "{out}");
    let err = restored.fail(&["member", "set", &member, "--name", "Someone"]);
    assert!(err.contains("may not") || err.contains("enrolled"), "{err}");
    serve.interrupt();

    // Enrolled again by direction, it joins from its home and syncs.
    enrol(&dir, &mut restored, &STAFF);
    assert_eq!(restored.device_id(), new_id);
    let shown = restored.ok(&["member", "show", &member]);
    assert!(shown.contains(NOTES), "{shown}");
    let project = restored.added("project", &["--title", "After the restore"]);
    let (mut serve, addr) = dir.serve(&["--bind", "127.0.0.1:0", "--no-mdns"]);
    sync_ok(&restored, &addr);
    serve.interrupt();
    std::thread::sleep(Duration::from_millis(100));
    let list = dir.ok(&["project", "list"]);
    assert!(list.contains("After the restore"), "{project}: {list}");
}
