//! Erasing a person with the real `carnet` binary (issue 13): five devices (direction, two
//! staff, board, one offline); direction erases a person; every online device destroys her
//! documents and the records about her, signs a receipt that syncs back; the offline device
//! comes back with edits to her file, which reach nobody, and erases her too; a copy of a
//! store taken before the erasure cannot bring her back. Her personal file was sealed under a
//! key of her own, destroyed everywhere; a board device never held such a key. No value of hers
//! opens from any page of a store file, free pages included, with the keys its device still
//! holds (the store is rewritten, not only compacted). Records about
//! her that were deleted go with her. An expelled person's erasure keeps an M6 marker that
//! staff and direction devices check whenever someone is admitted; a board device never holds
//! its key.

use carnet_tests::raw::{self, openable_in_file};
use carnet_tests::{Home, PASSPHRASE, STAFF, contains, describe, enrol, scan_files};
use serde_json::Value;

const BOARD: [&str; 4] = ["--role", "board", "--holder", "Bob Board"];
/// Values only the erased person's records hold: none may remain anywhere after the erasure
/// (the last in the notes of a referral about her that was deleted before).
const CANARIES: [&str; 4] = [
    "Zorglubette",
    "0699887766",
    "Quetzalcoatlia",
    "Xochipilliade",
];

fn staff(holder: &'static str) -> [&'static str; 6] {
    let mut args = STAFF;
    args[3] = holder;
    args
}

/// The person's documents the library finds in a home's store (none once erased).
fn held_docs(home: &Home, id: &str) -> Vec<String> {
    let store = home.open_store();
    store
        .docs_with_changes()
        .expect("documents")
        .into_iter()
        .filter(|d| d.contains(id))
        .collect()
}

/// Every value of a home's store, opened with the passphrase: document states and changes.
fn opened_values(home: &Home) -> Vec<Vec<u8>> {
    let store = home.open_store();
    let mut out: Vec<Vec<u8>> = store
        .docs("")
        .expect("documents")
        .into_iter()
        .filter_map(|(_, v)| v.ok().map(|z| z.to_vec()))
        .collect();
    for doc in store.docs_with_changes().expect("documents") {
        let changes = store.changes(&doc).expect("changes");
        out.extend(
            changes
                .into_iter()
                .filter_map(|(_, v)| v.ok().map(|z| z.to_vec())),
        );
    }
    out
}

/// A home's store file as it stands: its size, and on Unix its inode.
struct StoreFile {
    len: u64,
    #[cfg(unix)]
    inode: u64,
}

impl StoreFile {
    fn of(home: &Home) -> StoreFile {
        let meta = std::fs::metadata(home.store_path()).expect("the store file");
        StoreFile {
            len: meta.len(),
            #[cfg(unix)]
            inode: std::os::unix::fs::MetadataExt::ino(&meta),
        }
    }

    /// Asserts that the store was rewritten since `before`: a new file (on Unix, another
    /// inode).
    fn rewritten_from(&self, before: &StoreFile) {
        #[cfg(unix)]
        assert_ne!(self.inode, before.inode, "the store file was not rewritten");
        let _ = before;
    }

    /// Asserts that the store was rewritten since `before` and holds fewer bytes (just after
    /// the erasure: what redb had freed went with what was erased).
    fn shrunk_from(&self, before: &StoreFile) {
        self.rewritten_from(before);
        assert!(
            self.len < before.len,
            "the store did not shrink: {} bytes, {} before",
            self.len,
            before.len
        );
    }
}

fn erasure(home: &Home) -> Value {
    let all = home.json(&["erasure", "status", "--json"]);
    assert_eq!(all.as_array().map(Vec::len), Some(1), "{all}");
    all[0].clone()
}

fn holders(v: &Value, which: &str) -> Vec<String> {
    let mut out: Vec<String> = v[which]
        .as_array()
        .expect("array")
        .iter()
        .map(|d| d["holder"].as_str().expect("holder").to_owned())
        .collect();
    out.sort();
    out
}

#[test]
fn an_erased_person_leaves_every_device_with_receipts_and_never_comes_back() {
    let d = Home::init();
    let mut s1 = Home::new();
    let mut s2 = Home::new();
    let mut board = Home::new();
    let mut offline = Home::new();
    enrol(&d, &mut s1, &staff("Sana"));
    enrol(&d, &mut s2, &staff("Théo"));
    enrol(&d, &mut board, &BOARD);
    enrol(&d, &mut offline, &staff("Olu"));

    let her = d.add_member(&[
        "--name",
        CANARIES[0],
        "--first-name",
        CANARIES[2],
        "--phone",
        CANARIES[1],
    ]);
    let kept = d.add_member(&["--name", "Amaka", "--phone", "0611111111"]);
    let check_in = d.add_welfare(&her);
    // A referral about her, entered by mistake and deleted: still held, so erased with her.
    let referral = d.added(
        "referral",
        &[
            "-f",
            "destination=housing",
            "-f",
            "direction=outbound",
            "-f",
            "referred_on=2026-01-05",
            "-f",
            &format!("person={her}"),
            "-f",
            &format!("notes={}", CANARIES[3]),
        ],
    );
    d.ok(&["referral", "delete", &referral, "--yes"]);
    // The scan of the file's pages below finds her display name while she is held: it reads
    // what it must (her display name is shared-class, sealed under the device's data key).
    assert!(
        openable_in_file(&d)
            .iter()
            .any(|v| contains(v, CANARIES[0].as_bytes())),
        "the page scan finds no display name"
    );

    let (mut serve, addr) = d.serve(&["--no-mdns", "--bind", "127.0.0.1:0"]);
    let sync = ["sync", "--peer", addr.as_str(), "--bind", "127.0.0.1:0"];
    for home in [&s1, &s2, &board, &offline] {
        home.ok(&sync);
        assert!(home.ok(&["member", "list"]).contains(CANARIES[0]));
    }
    // A board device never holds a personal file's key: none of the staff device's record
    // keys (hers among them) is anywhere in the board's home, as bytes or in hex.
    let staff_keys = raw::record_keys(s1.path(), PASSPHRASE);
    assert!(staff_keys.contains_key(&her) && staff_keys.contains_key(&kept));
    let hex: Vec<String> = staff_keys.values().map(|k| raw::hex(k)).collect();
    let needles: Vec<&[u8]> = staff_keys
        .values()
        .map(|k| k.as_slice())
        .chain(hex.iter().map(|h| h.as_bytes()))
        .collect();
    let found = scan_files(board.path(), &needles);
    assert!(
        found.is_empty(),
        "a staff record key on the board: {found:?}"
    );
    // Sealed, a key would not show in its files' bytes: nor is one in the board's key file or
    // in any value of its store file's pages, opened with the board's own keys.
    assert!(raw::record_keys(board.path(), PASSPHRASE).is_empty());
    let opened = openable_in_file(&board);
    assert!(!opened.is_empty(), "the page scan opened nothing");
    for needle in &needles {
        assert!(!opened.iter().any(|v| contains(v, needle)), "a key sealed");
    }
    // Her personal file is sealed under a key of her own on the devices that may read it;
    // keys never travel, and a board device, holding no personal file, holds no key at all.
    assert!(s1.open_store().has_record_key(&her));
    assert_eq!(board.open_store().record_key_count(), 0);
    // The offline device edits her file while away; a backup of a staff device is taken.
    offline.ok(&["member", "set", &her, "--city", "Tlaxcala"]);
    let backup = s1.copy();

    // Only direction erases, with a reason, and confirms.
    let err = s1.fail(&["member", "erase", &her, "--reason", "art. 17", "--yes"]);
    assert!(err.contains("direction"), "{err}");
    let err = d.fail(&["member", "erase", &her, "--reason", "art. 17"]);
    assert!(err.contains("--yes"), "{err}");
    let online = [&s1, &s2, &board];
    let files_before: Vec<StoreFile> = online.iter().map(|h| StoreFile::of(h)).collect();
    let direction_before = StoreFile::of(&d);
    let out = d.ok(&[
        "member",
        "erase",
        CANARIES[0],
        "--reason",
        "demande RGPD art. 17 du 2026-12-01",
        "--yes",
    ]);
    assert!(out.contains(&format!("erased member {her}")), "{out}");
    // What the erasure keeps is said, not only in the docs.
    let kept_line = out
        .lines()
        .find(|l| l.starts_with("kept on every device: "))
        .unwrap_or_else(|| panic!("nothing said of what is kept: {out}"));
    for kept in [
        "record id",
        "date",
        "reason",
        "lists of people",
        "M6 marker",
    ] {
        assert!(kept_line.contains(kept), "{kept}: {out}");
    }
    // Its store was rewritten (compacted for good): a new file, smaller than before.
    StoreFile::of(&d).shrunk_from(&direction_before);
    let status = erasure(&d);
    assert_eq!(status["record"].as_str(), Some(her.as_str()));
    // Her welfare check-in, the signature her membership rests on and the deleted referral
    // go with her.
    assert_eq!(status["records_about_her"], 3, "{status}");
    assert_eq!(holders(&status, "confirmed").len(), 1, "{status}");
    assert_eq!(holders(&status, "pending").len(), 4, "{status}");
    // Each pending device with its last sync with this one (all four synced with direction).
    for p in status["pending"].as_array().expect("pending") {
        assert!(p["last_sync"].is_string(), "{status}");
    }

    // The online devices sync twice: the erasure comes, their receipts go back.
    for _ in 0..2 {
        for home in [&s1, &s2, &board] {
            home.ok(&sync);
        }
    }
    let status = erasure(&d);
    assert_eq!(
        holders(&status, "confirmed").len(),
        4,
        "four receipts: {status}"
    );
    assert_eq!(holders(&status, "pending"), ["Olu"], "{status}");
    let text = d.ok(&["erasure", "status"]);
    assert!(
        text.lines()
            .any(|l| l.contains("pending") && l.contains("Olu") && l.contains("last sync 20")),
        "{text}"
    );
    // A staff device never synced with the offline one, and says so.
    let text = s1.ok(&["erasure", "status"]);
    assert!(
        text.lines()
            .any(|l| l.contains("Olu") && l.contains("never synced with this device")),
        "{text}"
    );
    // Each online device rewrote its store when the erasure came.
    for (home, before) in online.iter().zip(&files_before) {
        StoreFile::of(home).rewritten_from(before);
    }
    let err = d.fail(&["member", "set", &her, "--city", "Lyon"]);
    assert!(!err.contains(CANARIES[0]), "{err}");
    for home in [&d, &s1, &s2, &board] {
        let list = home.ok(&["member", "list"]);
        assert!(
            !list.contains(CANARIES[0]) && list.contains("Amaka"),
            "{list}"
        );
        home.fail(&["member", "show", &her]);
        home.fail(&["welfare", "show", &check_in]);
        let export = home.ok(&["export", "member", "--json", "--include-personal"]);
        assert!(!export.contains(CANARIES[1]), "{export}");
        // Her status is shown the same way on every device, receipts included.
        assert_eq!(holders(&erasure(home), "pending"), ["Olu"]);
    }
    let _ = serve.interrupt();
    for home in [&d, &s1, &s2, &board] {
        assert_eq!(held_docs(home, &her), Vec::<String>::new());
        assert_eq!(held_docs(home, &check_in), Vec::<String>::new());
        assert_eq!(held_docs(home, &referral), Vec::<String>::new());
        assert!(!held_docs(home, &kept).is_empty());
        // Her key is destroyed: what redb may keep of her in freed pages opens no more.
        let store = home.open_store();
        assert!(!store.has_record_key(&her) && !store.has_record_key(&check_in));
        drop(store);
        let canaries: Vec<&[u8]> = CANARIES.iter().map(|c| c.as_bytes()).collect();
        let found = scan_files(home.path(), &canaries);
        assert!(found.is_empty(), "canary values left: {found:?}");
        // Nor inside the store, opened.
        let opened = opened_values(home);
        for c in &canaries {
            assert!(
                !opened.iter().any(|v| contains(v, c)),
                "a canary in the store"
            );
        }
        // Nor in any value the file's pages hold, freed ones included, that opens with the
        // keys the device still holds (its data key, which her shared-class display name was
        // sealed under, and every record key left).
        let in_pages = openable_in_file(home);
        assert!(
            in_pages.iter().any(|v| contains(v, b"Amaka")),
            "the page scan opened nothing"
        );
        for (i, c) in canaries.iter().enumerate() {
            assert!(
                !in_pages.iter().any(|v| contains(v, c)),
                "canary {i} opens from the store file's pages"
            );
        }
    }

    // The offline device comes back: its edit reaches nobody, it erases her, its receipt comes.
    let (mut serve, addr) = d.serve(&["--no-mdns", "--bind", "127.0.0.1:0"]);
    let sync = ["sync", "--peer", addr.as_str(), "--bind", "127.0.0.1:0"];
    offline.ok(&sync);
    offline.ok(&sync);
    assert!(!offline.ok(&["member", "list"]).contains(CANARIES[0]));
    let status = erasure(&d);
    assert_eq!(holders(&status, "confirmed").len(), 5, "{status}");
    assert!(holders(&status, "pending").is_empty(), "{status}");

    // A copy of a store taken before the erasure cannot bring her back either: an older copy
    // of a device that signed a receipt since, it stops as rolled back (issue 15) at its first
    // session, once it has carried out the erasure that session brought.
    let out = backup.carnet(&sync);
    assert!(
        !out.status.success()
            && String::from_utf8_lossy(&out.stdout).contains("rolled back or tampered with"),
        "{}",
        describe(&sync, &out)
    );
    let _ = serve.interrupt();
    for home in [&d, &offline, &backup] {
        assert_eq!(held_docs(home, &her), Vec::<String>::new());
        assert!(!home.open_store().has_record_key(&her));
    }
    assert!(offline.open_store().has_record_key(&kept));
    let quarantine = d.ok(&["quarantine"]);
    assert!(quarantine.contains("empty"), "{quarantine}");
    // The bounds of what a device keeps outside documents are shown (issue 15, item 2).
    assert!(quarantine.contains("at most 256"), "{quarantine}");
}

/// The backup path (`docs/storage.md`, "Backup"): a staff device's `carnet backup --out FILE`
/// made before an erasure holds her documents and her key; `carnet restore FILE` after the
/// erasure brings them back as a new device, which `carnet join` enrols again as the restore
/// flow asks. Its first session levels the registries: it erases her before any document is
/// compared, signs its receipt, and no device — the one it synced with, nor another that then
/// syncs with it — receives anything of hers.
#[test]
fn a_backup_file_made_before_an_erasure_and_restored_after_it_brings_nothing_of_her_back() {
    let d = Home::init();
    let mut s = Home::new();
    let mut other = Home::new();
    enrol(&d, &mut s, &staff("Sana"));
    enrol(&d, &mut other, &staff("Théo"));
    let her = d.add_member(&[
        "--name",
        CANARIES[0],
        "--first-name",
        CANARIES[2],
        "--phone",
        CANARIES[1],
    ]);
    let kept = d.add_member(&["--name", "Amaka", "--phone", "0611111111"]);
    let check_in = d.add_welfare(&her);
    let (mut serve, addr) = d.serve(&["--no-mdns", "--bind", "127.0.0.1:0"]);
    let sync = ["sync", "--peer", addr.as_str(), "--bind", "127.0.0.1:0"];
    s.ok(&sync);
    other.ok(&sync);
    let file = s.root().join("sana.backup");
    let file_arg = file.to_str().expect("a UTF-8 path");
    s.ok(&["backup", "--out", file_arg]);

    d.ok(&["member", "erase", &her, "--reason", "art. 17", "--yes"]);
    for _ in 0..2 {
        s.ok(&sync);
        other.ok(&sync);
    }
    let _ = serve.interrupt();
    assert!(holders(&erasure(&d), "pending").is_empty());

    // Restored after the erasure: the backup brings her file and her key back, held by a
    // device no peer syncs with yet.
    let mut restored = Home::new();
    restored.ok(&["restore", file_arg]);
    assert!(!held_docs(&restored, &her).is_empty());
    assert!(restored.open_store().has_record_key(&her));
    enrol(&d, &mut restored, &staff("Sana"));
    let (mut serve, addr) = d.serve(&["--no-mdns", "--bind", "127.0.0.1:0"]);
    let sync = ["sync", "--peer", addr.as_str(), "--bind", "127.0.0.1:0"];
    restored.ok(&sync);
    restored.ok(&sync);
    // The other staff device learns of the new device's enrolment from direction…
    other.ok(&sync);
    let _ = serve.interrupt();
    // …then syncs with it while it serves: nothing of hers comes.
    let (mut serve, addr) = restored.serve(&["--no-mdns", "--bind", "127.0.0.1:0"]);
    other.ok(&["sync", "--peer", addr.as_str(), "--bind", "127.0.0.1:0"]);
    let _ = serve.interrupt();

    // Four devices, four receipts: the restored one signed its own.
    let status = erasure(&d);
    assert_eq!(holders(&status, "confirmed").len(), 4, "{status}");
    assert!(holders(&status, "pending").is_empty(), "{status}");
    let canaries: Vec<&[u8]> = CANARIES[..3].iter().map(|c| c.as_bytes()).collect();
    for home in [&restored, &d, &s, &other] {
        assert_eq!(held_docs(home, &her), Vec::<String>::new());
        assert_eq!(held_docs(home, &check_in), Vec::<String>::new());
        assert!(!held_docs(home, &kept).is_empty());
        let store = home.open_store();
        assert!(!store.has_record_key(&her) && !store.has_record_key(&check_in));
        assert!(store.has_record_key(&kept));
        drop(store);
        let found = scan_files(home.path(), &canaries);
        assert!(found.is_empty(), "canary values left: {found:?}");
        let in_pages = openable_in_file(home);
        for (i, c) in canaries.iter().enumerate() {
            assert!(
                !in_pages.iter().any(|v| contains(v, c)),
                "canary {i} opens from a store file's pages"
            );
        }
        assert!(!home.ok(&["member", "list"]).contains(CANARIES[0]));
        // Nothing of hers was received and set aside either.
        let quarantine = home.ok(&["quarantine"]);
        assert!(quarantine.contains("empty"), "{quarantine}");
    }
}

#[test]
fn export_file_gives_a_person_everything_held_about_her_in_two_private_files() {
    let d = Home::init();
    let her = d.add_member(&["--name", "Ifeoma", "--phone", "0644556677"]);
    let other = d.add_member(&["--name", "Amaka"]);
    d.add_welfare(&her);
    d.added(
        "activity",
        &[
            "-f",
            "title=Groupe de parole",
            "-f",
            "type=talking-group",
            "-f",
            "date=2026-03-04",
            "-f",
            &format!("present={her},{other}"),
        ],
    );
    d.ok(&["member", "set", "Ifeoma", "--city", "Lyon"]);
    // A check-in entered by mistake and deleted is still held: she has a right to see it.
    let deleted = d.add_welfare(&her);
    d.ok(&["welfare", "delete", &deleted, "--yes"]);
    let out = d.root().join("dossier.json");
    let path = out.to_str().expect("path");
    let printed = d.ok(&["member", "export-file", "Ifeoma", "--out", path]);
    assert!(printed.contains("3 record(s) about her"), "{printed}");
    let json: Value = serde_json::from_slice(&std::fs::read(&out).expect("json")).expect("parse");
    assert_eq!(json["person"]["fields"]["phone"], "0644556677", "{json}");
    let about: Vec<&str> = json["records_about_her"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|r| r["kind"].as_str())
        .collect();
    assert!(
        about.contains(&"welfare") && about.contains(&"signature"),
        "{about:?}"
    );
    let marked: Vec<(&str, bool)> = json["records_about_her"]
        .as_array()
        .expect("array")
        .iter()
        .map(|r| (r["id"].as_str().expect("id"), r["deleted"].is_string()))
        .collect();
    assert!(marked.contains(&(deleted.as_str(), true)), "{marked:?}");
    assert_eq!(marked.iter().filter(|(_, gone)| *gone).count(), 1);
    assert_eq!(json["named_in"][0]["kind"], "activity", "{json}");
    assert!(json["history"].as_array().expect("history").len() >= 2);
    assert!(
        !json.to_string().contains("Amaka"),
        "another person's name: {json}"
    );
    let text = std::fs::read_to_string(d.root().join("dossier.txt")).expect("text");
    assert!(
        text.contains("0644556677") && text.contains("Groupe de parole"),
        "{text}"
    );
    assert!(text.contains("(deleted / supprimé"), "{text}");
    #[cfg(unix)]
    for f in ["dossier.json", "dossier.txt"] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(d.root().join(f))
            .expect("file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{f}");
    }
    // Never overwritten.
    let err = d.fail(&["member", "export-file", "Ifeoma", "--out", path]);
    assert!(err.contains("must not exist"), "{err}");
}

#[test]
fn personal_files_of_people_who_left_are_erased_after_the_retention_period() {
    let d = Home::init();
    d.set_today("2026-01-10");
    let mut s = Home::new();
    enrol(&d, &mut s, &staff("Sana"));
    let left = d.add_member(&["--name", "Partie", "--phone", "0611002200"]);
    let stays = d.add_member(&["--name", "Restée", "--phone", "0611002211"]);
    d.ok(&[
        "member",
        "set",
        &left,
        "--status",
        "left",
        "-f",
        "left_on=2026-01-10",
    ]);
    assert!(d.ok(&["policy", "show"]).contains("Retention: none"));
    // Staff may not set the period.
    s.fail(&["policy", "retention", "6"]);
    d.ok(&["policy", "retention", "6"]);
    assert!(d.ok(&["policy", "show"]).contains("erased 6 months after"));

    // A month before, `todo` says when; nothing is due yet.
    d.set_today("2026-06-20");
    let todo = d.ok(&["todo"]);
    assert!(todo.contains("will be erased on 2026-07-10"), "{todo}");
    assert!(!todo.contains("Restée"), "{todo}");
    assert!(
        d.ok(&["erasure", "retention", "--yes"])
            .contains("no personal file is due")
    );

    // When it is due, the direction device's daemon erases it by itself.
    d.set_today("2026-07-11");
    let (mut serve, addr) = d.serve(&["--no-mdns", "--bind", "127.0.0.1:0", "--every", "1"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while d
        .json(&["erasure", "status", "--json"])
        .as_array()
        .is_none_or(Vec::is_empty)
    {
        assert!(
            std::time::Instant::now() < deadline,
            "serve erased nothing in 30 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    assert!(
        d.ok(&["erasure", "retention", "--yes"])
            .contains("no personal file is due")
    );
    let sync = ["sync", "--peer", addr.as_str(), "--bind", "127.0.0.1:0"];
    s.ok(&sync);
    s.ok(&sync);
    let status = erasure(&d);
    assert_eq!(holders(&status, "confirmed").len(), 2, "{status}");
    assert!(
        status["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("retention")
    );
    // Her membership stays (reports count it); her personal file is gone, and stays gone.
    for home in [&d, &s] {
        let fields = home.fields("member", &left);
        assert_eq!(fields["status"], "left");
        assert!(fields.get("phone").is_none(), "{fields}");
        assert_eq!(home.fields("member", &stays)["phone"], "0611002211");
    }
    let err = s.fail(&["member", "set", &left, "--phone", "0700000000"]);
    assert!(err.contains("erased"), "{err}");
    s.ok(&["member", "set", &left, "-f", "last_contact=2026-07-11"]);
    let _ = serve.interrupt();
    for home in [&d, &s] {
        let store = home.open_store();
        assert!(!store.has_record_key(&left) && store.has_record_key(&stays));
        let found = scan_files(home.path(), &[b"0611002200".as_slice()]);
        assert!(found.is_empty(), "{found:?}");
    }
    assert!(!d.ok(&["todo"]).contains("retention"));
}

/// The key of the M6 markers as `home`'s device holds it (none if it holds none), in hex.
fn marker_keys(home: &Home) -> Vec<String> {
    let device = carnet_device::Device::open(home.path(), PASSPHRASE.as_bytes()).expect("open");
    device
        .marker_keys()
        .expect("keys")
        .iter()
        .map(|k| k.iter().map(|b| format!("{b:02x}")).collect())
        .collect()
}

#[test]
fn an_expelled_person_is_never_admitted_again_once_erased_and_only_staff_can_tell() {
    let d = Home::init();
    let mut s = Home::new();
    let mut board = Home::new();
    enrol(&d, &mut s, &staff("Sana"));
    enrol(&d, &mut board, &BOARD);
    let today = d.today();
    let her = d.add_member(&[
        "--name",
        "Ifeọma",
        "--first-name",
        "Ngozi Adaeze",
        "--last-name",
        "Okafor",
        "--dob",
        "1990-04-02",
    ]);
    d.ok(&[
        "member",
        "set",
        &her,
        "--status",
        "expelled",
        "-f",
        &format!("left_on={today}"),
    ]);
    let out = d.ok(&["member", "erase", &her, "--reason", "art. 17", "--yes"]);
    assert!(out.contains("M6 marker"), "{out}");

    // Her again, typed otherwise (case, accents, names swapped): refused by direction, saying
    // which rule and nothing of whom.
    let again = [
        "member",
        "add",
        "--name",
        "IFEOMA",
        "--first-name",
        "OKAFOR",
        "--last-name",
        "ngozi adaézé",
        "--dob",
        "1990-04-02",
    ];
    let err = d.fail(&again);
    assert!(err.contains("M6"), "{err}");
    for secret in [her.as_str(), "Okafor", "Ngozi", "1990"] {
        assert!(!err.contains(secret), "{err}");
    }
    // Her display name with her date of birth is her too.
    let err = d.fail(&["member", "add", "--name", "ifeoma", "--dob", "1990-04-02"]);
    assert!(err.contains("M6"), "{err}");

    let (mut serve, addr) = d.serve(&["--no-mdns", "--bind", "127.0.0.1:0"]);
    let sync = ["sync", "--peer", addr.as_str(), "--bind", "127.0.0.1:0"];
    for home in [&s, &board] {
        home.ok(&sync);
    }
    // A staff device that synced refuses her too, and admits someone else born the same day.
    let err = s.fail(&again);
    assert!(err.contains("M6"), "{err}");
    s.add_member(&[
        "--name",
        "Chioma",
        "--first-name",
        "Chioma",
        "--last-name",
        "Okafor",
        "--dob",
        "1990-04-02",
    ]);
    let _ = serve.interrupt();

    // The key: on direction and staff, never on a board device, not even inside its store.
    let keys = marker_keys(&d);
    assert_eq!(keys.len(), 1);
    assert_eq!(marker_keys(&s), keys);
    assert!(marker_keys(&board).is_empty());
    let key = keys[0].as_bytes();
    let raw: Vec<u8> = (0..32)
        .map(|i| u8::from_str_radix(&keys[0][2 * i..2 * i + 2], 16).expect("hex"))
        .collect();
    assert!(opened_values(&s).iter().any(|v| contains(v, key)), "staff");
    assert!(!opened_values(&board).iter().any(|v| contains(v, key)));
    assert!(scan_files(board.path(), &[key, raw.as_slice()]).is_empty());
    let secret = |home: &Home| {
        let docs = home.open_store().docs_with_changes().expect("documents");
        docs.iter().filter(|d| d.starts_with("secret/")).count()
    };
    assert_eq!((secret(&d), secret(&s), secret(&board)), (1, 1, 0));
    // The secret record is nothing a command lists or exports; it verifies like any document.
    let export = d.ok(&["export", "member", "--json", "--include-personal"]);
    assert!(!export.contains(&keys[0]), "{export}");
    for home in [&d, &s, &board] {
        home.ok(&["verify"]);
        assert!(!home.ok(&["status"]).contains(&keys[0]));
    }
}

/// What the store's pages hold of a deleted value, opened with `memory`'s data key: the
/// values found in its bytes that contain `needle`.
fn opening_in_memory(memory: &carnet_store::Memory, needle: &[u8]) -> usize {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("copy.redb");
    std::fs::write(&path, memory.bytes()).expect("a copy of the bytes");
    // The copy of an open store needs redb's repair before a read-only handle opens it.
    drop(redb::Database::open(&path).expect("the copy, repaired"));
    let (data_key, _) = raw::unwrap_keyring(&path, "pw");
    raw::openable_values(&memory.bytes(), &[data_key])
        .iter()
        .filter(|v| contains(v, needle))
        .count()
}

/// Regression: an erasure compacted the store, and redb's compaction leaves in place a freed
/// page it does not need. With `Store::compact` where `Store::rewrite` is now, this workload
/// (values of a few pages, one document rewritten then deleted) left a copy of the deleted
/// shared-class value in a freed page, sealed under the data key: anyone with the passphrase
/// read it back. A rewrite leaves no page of it.
#[test]
fn a_deleted_value_opens_from_no_page_of_the_store_once_rewritten() {
    let memory = carnet_store::Memory::new();
    let mut store =
        carnet_store::Store::create_in_memory(&memory, b"pw", &[1; 32]).expect("a store");
    // A fixed xorshift: the same sizes, so the same pages, every run.
    let mut x: u64 = 2 * 7919;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x as usize
    };
    let hers = "member/00000000-0000-4000-8000-0000000000aa/com";
    for i in 0..20 {
        let mut batch = store.write().expect("a batch");
        let other = format!("member/00000000-0000-4000-8000-{:012}/com", next() % 20);
        let value = format!("Amaka {i} {}", "x".repeat(next() % 20_000));
        batch.put_doc(&other, value.as_bytes()).expect("a write");
        if i % 4 == 0 {
            let value = format!("{} {i} {}", CANARIES[0], "y".repeat(next() % 20_000));
            batch.put_doc(hers, value.as_bytes()).expect("a write");
        }
        batch.commit().expect("a commit");
    }
    let mut batch = store.write().expect("a batch");
    batch.delete_doc(hers).expect("a deletion");
    batch.commit().expect("a commit");
    let canary = CANARIES[0].as_bytes();
    // Deleted, and still in the freed pages: the scan finds it where it is.
    assert!(
        opening_in_memory(&memory, canary) > 0,
        "the scan found nothing"
    );

    store.rewrite().expect("a rewrite");
    assert_eq!(
        opening_in_memory(&memory, canary),
        0,
        "a deleted value opens"
    );
    assert!(opening_in_memory(&memory, b"Amaka") > 0, "live values open");
    assert!(store.doc(hers).expect("a read").is_none());
}
