//! Devices syncing over the real network, as separate `carnet` processes: enrolment with
//! `device invite` / `join`, edits made while partitioned, then `serve` and `sync` on loopback
//! until every device shows the same records (and a board device none of the personal files);
//! strangers, used or forged tickets and revoked devices get nothing; and two `serve` processes
//! in their own network namespaces find each other by mDNS on a bridge of their own.
//!
//! Everything stays on 127.0.0.1 with ports chosen by the system, or inside namespaces the
//! test makes (198.51.100.0/24, a bridge with no uplink) and always deletes.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::process::Output;
use std::time::{Duration, Instant};

use carnet_tests::raw::{self, Dump};
use carnet_tests::{
    Home, PASSPHRASE, Running, STAFF, assert_failed_cleanly, contains, describe, enrol, scan_files,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A value no other test or file could hold by chance.
fn canary(what: &str) -> String {
    format!("CANARY-sync-{what}-w4Tx")
}

/// The personal (PER) fields of a member (`carnet fields member`).
const PER_FIELDS: [&str; 10] = [
    "first_name",
    "last_name",
    "date_of_birth",
    "nationality",
    "phone",
    "address",
    "city",
    "immigration_status",
    "referring_organisation",
    "case_notes",
];

/// Whether to put up with the bug shown by `invite_exits_once_the_device_joined`: when the
/// side that dialled (`join`, `sync`, a `serve` syncing with a peer) ends a session by writing
/// the last message, it closed the QUIC connection at once, which could drop that message; the
/// other side then reported "the connection failed: connection lost", and `serve` logged the
/// session as failed. Fixed; set to `true` only to look at a regression.
const TOLERATE_LOST_LAST_MESSAGE: bool = false;

/// What the other side logs for a session whose last message was lost (see
/// [`TOLERATE_LOST_LAST_MESSAGE`]).
const LOST_LAST_MESSAGE: &str = "failed: the connection failed: connection lost";

// ---------------------------------------------------------------------------------------------
// Helpers

/// The figures of a session line (`…: received N new change(s) in M document(s), R rejected,
/// F refused; sent K change(s); …`): (N, R, F, K).
fn session_figures(line: &str) -> Option<(u64, u64, u64, u64)> {
    let after = |key: &str| -> Option<u64> {
        let i = line.find(key)? + key.len();
        line[i..]
            .split(|c: char| !c.is_ascii_digit())
            .next()?
            .parse()
            .ok()
    };
    let number_before = |key: &str| -> Option<u64> {
        let head = &line[..line.find(key)?];
        head.trim_end().rsplit([' ', ',']).next()?.parse().ok()
    };
    Some((
        after("received ")?,
        number_before(" rejected")?,
        number_before(" refused")?,
        after("sent ")?,
    ))
}

/// `carnet sync --peer addr` in `home`, which must succeed; the session's figures.
fn sync_with(home: &Home, addr: &str) -> (u64, u64, u64, u64) {
    let args = ["sync", "--peer", addr];
    let out = home.carnet(&args);
    assert!(out.status.success(), "{}", describe(&args, &out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    stdout
        .lines()
        .find_map(session_figures)
        .unwrap_or_else(|| panic!("no session line\n{}", describe(&args, &out)))
}

/// `carnet sync --peer addr` in `home`, which must be refused; its standard error.
fn sync_refused(home: &Home, addr: &str) -> String {
    let args = ["sync", "--peer", addr];
    let out = home.carnet(&args);
    assert_failed_cleanly(&args, &out);
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        all.contains("revoked") || all.contains("not enrolled"),
        "the refusal does not say why\n{}",
        describe(&args, &out)
    );
    all
}

/// Stops a `serve` with Ctrl-C (SIGINT) and checks it stopped cleanly.
fn stop(mut serve: Running) -> String {
    let status = serve.interrupt();
    assert!(status.success(), "serve ended badly:\n{}", serve.describe());
    serve.printed()
}

/// Every decrypted document state and change of a store, as one list of byte strings.
fn plaintexts(dump: &Dump) -> Vec<&[u8]> {
    dump.docs
        .values()
        .chain(dump.changes.values())
        .map(Vec::as_slice)
        .collect()
}

/// The canaries in `needles` that `home` holds anywhere: in the clear in any file, or in any
/// decrypted document or change of its store.
fn canaries_held(home: &Home, needles: &[String]) -> BTreeSet<String> {
    let bytes: Vec<&[u8]> = needles.iter().map(|n| n.as_bytes()).collect();
    let mut held: BTreeSet<String> = scan_files(home.root(), &bytes)
        .into_iter()
        .map(|(_, i)| needles[i].clone())
        .collect();
    let dump = raw::dump(home);
    for text in plaintexts(&dump) {
        for needle in needles {
            if contains(text, needle.as_bytes()) {
                held.insert(needle.clone());
            }
        }
    }
    held
}

/// `member list --json` by id.
fn members(home: &Home) -> BTreeMap<String, Value> {
    home.json(&["member", "list", "--json"])
        .as_array()
        .expect("a JSON list")
        .iter()
        .map(|m| (m["id"].as_str().expect("an id").to_owned(), m.clone()))
        .collect()
}

/// The ids of `device list --json`, with their status.
fn devices(home: &Home) -> BTreeMap<String, Value> {
    home.json(&["device", "list", "--json"])
        .as_array()
        .expect("a JSON list")
        .iter()
        .map(|d| {
            (
                d["device"].as_str().expect("an id").to_owned(),
                d["status"].clone(),
            )
        })
        .collect()
}

/// Whether `show` (a `member show --json`) lists class `class` as hidden.
fn hides(show: &Value, class: &str) -> bool {
    show["hidden_classes"]
        .as_array()
        .is_some_and(|a| a.iter().any(|c| c == class))
}

/// `value` (a JSON object) without the personal fields.
fn without_per(value: &Value) -> Value {
    let mut map = value.as_object().cloned().unwrap_or_default();
    map.retain(|k, _| !PER_FIELDS.contains(&k.as_str()));
    Value::Object(map)
}

// ---------------------------------------------------------------------------------------------
// Tickets, decoded and re-encoded as `carnet-node` writes them (postcard, then base32 without
// padding, lowercase, after `carnet1`), to forge one as an attacker could.

#[derive(Debug, Clone, Serialize, Deserialize)]
struct TicketPeer {
    id: [u8; 32],
    addrs: Vec<SocketAddr>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Ticket {
    org: [u8; 16],
    inviter: TicketPeer,
    secret: [u8; 16],
}

const BASE32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32[((acc >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(BASE32[((acc << (5 - bits)) & 31) as usize] as char);
    }
    out
}

fn base32_decode(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = BASE32
            .iter()
            .position(|&x| x == c)
            .unwrap_or_else(|| panic!("{c:?} is not base32"));
        acc = (acc << 5) | v as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

impl Ticket {
    /// A ticket's bytes are its postcard encoding and the first 4 bytes of its BLAKE3 hash.
    fn parse(text: &str) -> Ticket {
        let body = text.strip_prefix("carnet1").expect("a carnet1 ticket");
        let bytes = base32_decode(body);
        let (content, sum) = bytes.split_at(bytes.len() - 4);
        assert_eq!(
            &blake3::hash(content).as_bytes()[..4],
            sum,
            "the ticket's checksum"
        );
        postcard::from_bytes(content).expect("a ticket as carnet-node writes it")
    }

    fn encode(&self) -> String {
        let mut bytes = postcard::to_stdvec(self).expect("encoding a ticket");
        let sum = blake3::hash(&bytes);
        bytes.extend_from_slice(&sum.as_bytes()[..4]);
        format!("carnet1{}", base32_encode(&bytes))
    }

    /// The same ticket, pointing at `addr` (`DEVICE@IP:PORT`, as `serve` prints it).
    fn at(&self, addr: &str) -> Ticket {
        let (_, socket) = addr.split_once('@').expect("DEVICE@IP:PORT");
        let mut t = self.clone();
        t.inviter.addrs = vec![socket.parse().expect("IP:PORT")];
        t
    }
}

/// 32 bytes from the system's random source.
fn random_bytes() -> [u8; 32] {
    use std::io::Read;
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .expect("reading /dev/urandom");
    bytes
}

/// `carnet join ticket` in a new home, which must be refused with a message containing one of
/// `reasons` and leave no home behind.
fn join_refused(ticket: &str, reasons: &[&str]) -> String {
    let mut home = Home::new();
    let args = ["join", ticket];
    let out = home.join(ticket);
    assert_failed_cleanly(&args, &out);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        reasons.iter().any(|r| stderr.contains(r)),
        "the refusal does not say why (expected one of {reasons:?})\n{}",
        describe(&args, &out)
    );
    assert!(
        !home.path().exists(),
        "a refused join left a home behind: {:?}\n{}",
        carnet_tests::files_under(home.path()),
        describe(&args, &out)
    );
    stderr
}

// ---------------------------------------------------------------------------------------------
// Tests

#[test]
fn three_devices_converge_after_a_partition() {
    let started = Instant::now();
    let d = Home::init();
    // A member every device gets when it joins, then edited on two devices while partitioned.
    let shared = d.add_member(&[
        "--name",
        "Ngozi",
        "--phone",
        &canary("shared-phone"),
        "--group",
        "choir",
    ]);

    let mut s = Home::new();
    enrol(
        &d,
        &mut s,
        &[
            "--role",
            "staff",
            "--holder",
            "Sam Staff",
            "--agreement",
            "2024-03-01",
        ],
    );
    let mut b = Home::new();
    enrol(&d, &mut b, &["--role", "board", "--holder", "Bea Board"]);

    // Joining brought the member: the whole of it to staff, the card only to the board.
    assert_eq!(
        s.json(&["member", "show", &shared, "--json"]),
        d.json(&["member", "show", &shared, "--json"])
    );
    let b_shared = b.json(&["member", "show", &shared, "--json"]);
    assert!(hides(&b_shared, "PER"), "{b_shared:#}");
    assert_eq!(
        b_shared["fields"],
        without_per(&d.fields("member", &shared)),
        "the board's view of the card"
    );

    // Partitioned: no process runs; each device edits on its own.
    d.ok(&[
        "member",
        "set",
        &shared,
        "--name",
        "Ngozi from direction",
        "--status",
        "prospect",
        "--field",
        &format!("case_notes={}", canary("d-case-notes")),
    ]);
    let from_d = d.add_member(&[
        "--name",
        "Dora",
        "--first-name",
        &canary("d-first-name"),
        "--field",
        &format!("address={}", canary("d-address")),
        "--group",
        "kitchen",
    ]);
    s.ok(&[
        "member",
        "set",
        &shared,
        "--name",
        "Ngozi from staff",
        "--group",
        "garden",
        "--phone",
        &canary("s-phone"),
    ]);
    let from_s = s.add_member(&[
        "--name",
        "Sami",
        "--last-name",
        &canary("s-last-name"),
        "--dob",
        "1980-02-03",
        "--field",
        &format!("immigration_status={}", canary("s-immigration")),
    ]);
    let per_canaries: Vec<String> = [
        "shared-phone",
        "d-case-notes",
        "d-first-name",
        "d-address",
        "s-phone",
        "s-last-name",
        "s-immigration",
    ]
    .map(canary)
    .to_vec();

    // The board may only read the cards: it can write no member at all.
    let b_before = b.snapshot();
    let refused = b.fail(&["member", "add", "--name", "Bob"]);
    assert!(
        refused.contains("display_name") && refused.contains("COM") && refused.contains("board"),
        "the refusal must name the field, its class and the role: {refused}"
    );
    let refused = b.fail(&["member", "set", &shared, "--group", "board-games"]);
    assert!(
        refused.contains("working_groups") && refused.contains("COM") && refused.contains("board"),
        "{refused}"
    );
    let refused = b.fail(&[
        "member",
        "set",
        &shared,
        "--field",
        &format!("case_notes={}", canary("b-case-notes")),
    ]);
    assert!(
        refused.contains("case_notes") && refused.contains("PER"),
        "{refused}"
    );
    assert!(
        !refused.contains(&canary("b-case-notes")),
        "a refused value is echoed: {refused}"
    );
    assert_eq!(b.snapshot(), b_before, "a refused edit changed something");

    // Reconnected: D serves on loopback; S, then B, then S again sync with it.
    let (serve, addr) = d.serve(&["--bind", "127.0.0.1:0", "--no-mdns"]);
    let (received, rejected, refused_n, sent) = sync_with(&s, &addr);
    assert!(
        received >= 2 && sent >= 2 && rejected == 0 && refused_n == 0,
        "S's first sync: received {received}, rejected {rejected}, refused {refused_n}, sent {sent}"
    );
    let (received, rejected, refused_n, sent) = sync_with(&b, &addr);
    assert!(
        received >= 2 && rejected == 0 && refused_n == 0 && sent == 0,
        "B's sync: received {received}, rejected {rejected}, refused {refused_n}, sent {sent}"
    );
    let (_, rejected, refused_n, sent) = sync_with(&s, &addr);
    assert!(
        rejected == 0 && refused_n == 0 && sent == 0,
        "S's second sync: rejected {rejected}, refused {refused_n}, sent {sent}"
    );
    let served = stop(serve);
    // D logged the three sessions, by holder.
    let sessions: Vec<&str> = served
        .lines()
        .filter(|l| l.contains("(Sam Staff): ") || l.contains("(Bea Board): "))
        .collect();
    assert_eq!(sessions.len(), 3, "D's serve:\n{served}");
    for line in &sessions {
        assert!(
            session_figures(line).is_some()
                || (TOLERATE_LOST_LAST_MESSAGE && line.ends_with(LOST_LAST_MESSAGE)),
            "D's serve logged a failed session:\n{served}"
        );
    }
    // The first two carried changes, so the last message of each was D's.
    assert!(
        sessions[..2].iter().all(|l| session_figures(l).is_some()),
        "D's serve:\n{served}"
    );

    // D and S show exactly the same members, and the same devices.
    let d_list = members(&d);
    let s_list = members(&s);
    let b_list = members(&b);
    let ids: BTreeSet<&String> = d_list.keys().collect();
    assert_eq!(
        ids,
        BTreeSet::from([&shared, &from_d, &from_s]),
        "D's members"
    );
    assert_eq!(s_list, d_list, "member list --json of S and D");
    assert_eq!(
        d.json(&["member", "list", "--json"]),
        s.json(&["member", "list", "--json"]),
        "member list --json of D and S, in order"
    );
    assert_eq!(devices(&s), devices(&d), "device list of S and D");
    assert_eq!(devices(&b), devices(&d), "device list of B and D");
    // The concurrent edits of the shared member merged the same way on both.
    let d_shared = d.json(&["member", "show", &shared, "--json"]);
    let fields = &d_shared["fields"];
    assert_eq!(fields["status"], "prospect", "{d_shared:#}");
    assert_eq!(fields["case_notes"], canary("d-case-notes"), "{d_shared:#}");
    assert_eq!(fields["phone"], canary("s-phone"), "{d_shared:#}");
    assert!(
        ["Ngozi from direction", "Ngozi from staff"]
            .contains(&fields["display_name"].as_str().unwrap_or("")),
        "{d_shared:#}"
    );

    // B has the same members and the same cards, and no personal file.
    assert_eq!(
        b_list.keys().collect::<BTreeSet<_>>(),
        ids,
        "the board's member ids"
    );
    for id in &ids {
        let d_show = d.json(&["member", "show", id, "--json"]);
        let s_show = s.json(&["member", "show", id, "--json"]);
        assert_eq!(s_show, d_show, "member show {id} on S and D");
        assert!(!hides(&d_show, "PER"), "{d_show:#}");
        assert_eq!(
            b_list[*id]["fields"], d_list[*id]["fields"],
            "the board's list entry of {id}"
        );
        let b_show = b.json(&["member", "show", id, "--json"]);
        assert!(
            hides(&b_show, "PER"),
            "the board's view of {id} must say PER is hidden:\n{b_show:#}"
        );
        assert_eq!(
            b_show["fields"],
            without_per(&d_show["fields"]),
            "the board's view of {id}"
        );
        assert_eq!(
            b_show["conflicts"],
            without_per(&d_show["conflicts"]),
            "the board's conflicts of {id}"
        );
    }
    // Every personal value reached D and S (so not finding one on B means something)...
    let all: BTreeSet<String> = per_canaries.iter().cloned().collect();
    assert_eq!(canaries_held(&d, &per_canaries), all, "D's store");
    assert_eq!(canaries_held(&s, &per_canaries), all, "S's store");
    // ...and none reached B: not in any file, nor in its store once decrypted.
    let mut needles = per_canaries.clone();
    needles.push(canary("b-case-notes"));
    let held = canaries_held(&b, &needles);
    assert!(
        held.is_empty(),
        "the board's device holds personal values: {held:?}"
    );
    let b_dump = raw::dump(&b);
    let per_docs: Vec<&String> = b_dump
        .docs
        .keys()
        .chain(b_dump.changes.keys().map(|(doc, _)| doc))
        .filter(|doc| doc.ends_with("/per"))
        .collect();
    assert!(
        per_docs.is_empty(),
        "the board's store holds personal files: {per_docs:?}"
    );
    assert!(
        raw::dump(&d)
            .docs
            .contains_key(&raw::doc("member", &from_s, "per")),
        "the document naming differs from raw::doc, so the check above means nothing"
    );
    eprintln!("took {:?}", started.elapsed());
}

#[test]
fn a_stranger_and_a_revoked_device_get_nothing() {
    let started = Instant::now();
    let d = Home::init();
    let before = d.add_member(&["--name", "Before", "--phone", &canary("before-phone")]);
    let mut r = Home::new();
    let used = enrol(
        &d,
        &mut r,
        &[
            "--role",
            "staff",
            "--holder",
            "Rae Revoked",
            "--agreement",
            "2024-05-06",
        ],
    );
    assert_eq!(
        r.fields("member", &before)["phone"],
        canary("before-phone"),
        "the enrolled device got the member"
    );
    let revoked_id = r.device_id().to_owned();
    let out = d.ok(&["device", "revoke", &revoked_id]);
    assert!(out.contains("revoked"), "{out}");
    assert_eq!(devices(&d)[&revoked_id], "revoked");
    let after = d.add_member(&[
        "--name",
        &canary("after-name"),
        "--phone",
        &canary("after-phone"),
    ]);
    let after_canaries = vec![canary("after-name"), canary("after-phone")];

    // A stranger: a home made for the organisation (as an attacker with the software and the
    // organisation's id could), never enrolled.
    let ticket = Ticket::parse(&used);
    let stranger = Home::new();
    std::fs::create_dir_all(stranger.path()).expect("creating the stranger's home");
    {
        let store = carnet_store::Store::create(
            &stranger.store_path(),
            PASSPHRASE.as_bytes(),
            &random_bytes(),
        )
        .expect("creating the stranger's store");
        let mut batch = store.write().expect("a write");
        batch.put_info("org", &ticket.org).expect("writing the org");
        batch.commit().expect("committing");
    }
    let out = stranger.ok(&["member", "list"]);
    assert!(out.contains("no members"), "{out}");
    // Another organisation's device.
    let other = Home::init();

    let (serve, addr) = d.serve(&["--bind", "127.0.0.1:0", "--no-mdns"]);
    let refusal = sync_refused(&r, &addr);
    assert!(!refusal.contains("panicked"), "{refusal}");
    sync_refused(&stranger, &addr);
    let args = ["sync", "--peer", addr.as_str()];
    let out = other.carnet(&args);
    assert_failed_cleanly(&args, &out);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("another organisation")
            || String::from_utf8_lossy(&out.stdout).contains("another organisation"),
        "{}",
        describe(&args, &out)
    );

    // The used ticket, pointed at where D now listens, is refused; so is a forged one (the real
    // organisation and inviter, a made-up secret); neither leaves a home.
    join_refused(&ticket.at(&addr).encode(), &["used"]);
    let mut forged = ticket.at(&addr);
    forged.secret.copy_from_slice(&random_bytes()[..16]);
    join_refused(&forged.encode(), &["unknown"]);
    // A mangled ticket never reaches the network.
    let mangled = format!("{}x", &used[..used.len() - 3]);
    join_refused(&mangled, &["mistyped ticket"]);

    let served = stop(serve);
    assert!(
        served.contains(&r.device_id()[..8]),
        "serve did not log the revoked device:\n{served}"
    );

    // None of them got the member added after the revocation.
    assert!(
        canaries_held(&d, &after_canaries).len() == 2,
        "D's store must hold the new member's values, or the checks below mean nothing"
    );
    for (who, home) in [
        ("revoked", &r),
        ("stranger", &stranger),
        ("other org", &other),
    ] {
        let list = members(home);
        assert!(
            !list.contains_key(&after),
            "the {who} device got the member added after the revocation"
        );
        let held = canaries_held(home, &after_canaries);
        assert!(held.is_empty(), "the {who} device holds {held:?}");
    }
    // Shown its revocation, the revoked device forgot even what it had (issue 15, item 8).
    assert!(members(&r).is_empty(), "the revoked device forgot");
    assert!(canaries_held(&r, &[canary("before-phone")]).is_empty());
    assert!(members(&stranger).is_empty());
    // D did not enrol anyone along the way.
    let now = devices(&d);
    assert_eq!(now.len(), 2, "{now:?}");
    assert_eq!(now[&revoked_id], "revoked");
    eprintln!("took {:?}", started.elapsed());
}

/// Issue 15, item 8. Regression: a revoked device was refused at its first message and never
/// learned of its revocation, so a stolen or departed staff phone kept every personal file it
/// held, and its holder's work not yet synced never reached direction. Now the direction
/// device answers with the signed revocation: the staff device hands in what it signed (into
/// direction's quarantine), deletes its records and their keys; direction reviews the work
/// and re-admits it with `carnet quarantine readmit`.
#[test]
fn a_revoked_device_hands_in_its_work_and_forgets() {
    let started = Instant::now();
    let d = Home::init();
    let joy = d.add_member(&["--name", "Joy", "--phone", &canary("forget-phone")]);
    let mut s = Home::new();
    enrol(&d, &mut s, &STAFF);
    assert_eq!(s.fields("member", &joy)["phone"], canary("forget-phone"));
    // Work on the staff device that direction has not seen.
    let late = canary("forget-late-phone");
    s.ok(&["member", "set", &joy, "--field", &format!("phone={late}")]);
    let id = s.device_id().to_owned();
    let out = d.ok(&["device", "revoke", &id]);
    assert!(
        out.contains("quarantined") && out.contains("carnet quarantine readmit"),
        "revoke says what happens to its unsynced work: {out}"
    );

    let (serve, addr) = d.serve(&["--bind", "127.0.0.1:0", "--no-mdns"]);
    let said = sync_refused(&s, &addr);
    assert!(said.contains("handed in"), "{said}");
    stop(serve);

    // Its work is in direction's quarantine, not in the record.
    assert_eq!(d.fields("member", &joy)["phone"], canary("forget-phone"));
    let quarantine = d.json(&["quarantine", "--json"]);
    let items = quarantine.as_array().expect("a JSON list");
    assert!(
        items
            .iter()
            .any(|q| q["reason"].as_str().is_some_and(|r| r.contains("revoked"))),
        "{quarantine}"
    );
    // The staff device forgot: no member, a message saying why, no canary in its files.
    let args = ["member", "list"];
    let out = s.carnet(&args);
    assert!(out.status.success(), "{}", describe(&args, &out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("no members"),
        "{}",
        describe(&args, &out)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("this device was revoked"),
        "{}",
        describe(&args, &out)
    );
    assert!(members(&s).is_empty());
    let held = canaries_held(&s, &[canary("forget-phone"), late.clone()]);
    assert!(held.is_empty(), "the revoked device still holds {held:?}");

    // Direction reviews and re-admits it.
    let out = d.ok(&["quarantine", "readmit", &id]);
    assert!(out.contains("re-admitted"), "{out}");
    assert_eq!(d.fields("member", &joy)["phone"], late);
    eprintln!("took {:?}", started.elapsed());
}

// ---------------------------------------------------------------------------------------------
// A LAN of two network namespaces on a bridge with no uplink

/// Network namespaces made by a test, deleted (with everything in them) when dropped.
struct Namespaces {
    names: Vec<String>,
}

impl Drop for Namespaces {
    fn drop(&mut self) {
        for name in self.names.iter().rev() {
            let _ = std::process::Command::new("ip")
                .args(["netns", "del", name])
                .output();
        }
    }
}

/// Runs `ip args`; its output, or why it failed.
fn ip(args: &[&str]) -> Result<Output, String> {
    let out = std::process::Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run ip: {e}"))?;
    if out.status.success() {
        Ok(out)
    } else {
        Err(format!(
            "ip {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Whether this process runs as root.
fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Two namespaces (`…-d` at 198.51.100.11/24, `…-s` at 198.51.100.12/24), each with `lo` and
/// an `eth0` on a bridge in a third namespace (`…-lan`) with nothing else on it.
fn lan(guard: &mut Namespaces) -> Result<(String, String), String> {
    let prefix = format!("carnet-t{}", std::process::id());
    let (lan, d, s) = (
        format!("{prefix}-lan"),
        format!("{prefix}-d"),
        format!("{prefix}-s"),
    );
    for ns in [&lan, &d, &s] {
        ip(&["netns", "add", ns])?;
        guard.names.push(ns.clone());
    }
    ip(&[
        "-n",
        &lan,
        "link",
        "add",
        "br0",
        "type",
        "bridge",
        "mcast_snooping",
        "0",
    ])?;
    ip(&["-n", &lan, "link", "set", "br0", "up"])?;
    for (ns, port, addr) in [
        (&d, "to-d", "198.51.100.11/24"),
        (&s, "to-s", "198.51.100.12/24"),
    ] {
        ip(&[
            "link", "add", "eth0", "netns", ns, "type", "veth", "peer", "name", port, "netns", &lan,
        ])?;
        ip(&["-n", &lan, "link", "set", port, "master", "br0"])?;
        ip(&["-n", &lan, "link", "set", port, "up"])?;
        ip(&["-n", ns, "addr", "add", addr, "dev", "eth0"])?;
        ip(&["-n", ns, "link", "set", "lo", "up"])?;
        ip(&["-n", ns, "link", "set", "eth0", "up"])?;
        // With no default route there is no "default interface" to send multicast on (mDNS
        // sends there): route the multicast range to the LAN.
        ip(&["-n", ns, "route", "add", "224.0.0.0/4", "dev", "eth0"])?;
    }
    Ok((d, s))
}

#[test]
fn two_serve_processes_find_each_other_by_mdns_in_network_namespaces() {
    let started = Instant::now();
    if !is_root() {
        carnet_tests::cannot_run("network namespaces need root (CI runs as root)");
        return;
    }
    let mut guard = Namespaces { names: vec![] };
    let (ns_d, ns_s) = match lan(&mut guard) {
        Ok(names) => names,
        Err(why) if guard.names.is_empty() => {
            carnet_tests::cannot_run(&format!("cannot make network namespaces here: {why}"));
            return;
        }
        Err(why) => panic!("making the LAN failed: {why}"),
    };

    // The homes are directories: S joins D on loopback, outside the namespaces.
    let d = Home::init();
    let mut s = Home::new();
    enrol(
        &d,
        &mut s,
        &[
            "--role",
            "staff",
            "--holder",
            "Sam Staff",
            "--agreement",
            "2024-03-01",
        ],
    );
    let new = d.add_member(&["--name", "Found by mDNS", "--phone", "0612"]);
    assert!(
        !members(&s).contains_key(&new),
        "S has the new member before any sync"
    );

    let serve_in = |home: &Home, ns: &str, bind: &str| {
        let args = ["serve", "--bind", bind, "--every", "2"];
        Running::spawn(
            home.command_via("ip", &["netns", "exec", ns], &args),
            format!("ip netns exec {ns} carnet {}", args.join(" ")),
        )
    };
    // A third party on the LAN records every mDNS packet (see `mdns_observer`).
    let heard = s.root().join("mdns-heard");
    let mut observer = observe_mdns(&guard.names[0], &heard);
    let mut serve_d = serve_in(&d, &ns_d, "198.51.100.11:0");
    let mut serve_s = serve_in(&s, &ns_s, "198.51.100.12:0");
    let d_short = d.device_id()[..8].to_owned();
    let synced = serve_s.wait_for(Duration::from_secs(30), |text| {
        text.lines()
            .filter(|l| l.starts_with(&d_short))
            .find_map(session_figures)
            .filter(|(received, ..)| *received >= 1)
    });
    let both = format!("{}\n\n{}", serve_d.describe(), serve_s.describe());
    assert!(
        synced.is_some(),
        "S's serve never synced a change from D (mDNS discovery on the bridge?):\n{both}"
    );
    // Both still run: `member list` borrows S's store from its serve. (Stopping them cleanly
    // first could take long: see `serve_stops_promptly_on_ctrl_c`; and a killed serve leaves a
    // store that no longer opens: see `a_store_opens_after_serve_is_killed`.)
    let list = members(&s);
    assert!(
        list.contains_key(&new),
        "S does not show D's new member after syncing:\n{list:#?}\n{both}"
    );
    for (serve, ns) in [(&serve_d, "198.51.100.11"), (&serve_s, "198.51.100.12")] {
        assert!(
            serve
                .printed()
                .lines()
                .any(|l| l.starts_with("listening as ") && l.contains(ns)),
            "{}",
            serve.describe()
        );
    }
    assert_eq!(s.fields("member", &new), d.fields("member", &new));

    // D starts again on another port: S's address for it is stale. A plain `carnet sync` on S
    // finds D on the LAN and says so.
    serve_s.interrupt();
    serve_d.kill();
    let mut serve_d = serve_in(&d, &ns_d, "198.51.100.11:0");
    serve_d
        .wait_for(Duration::from_secs(20), |t| {
            t.contains("listening as ").then_some(())
        })
        .unwrap_or_else(|| panic!("D's serve did not start again:\n{}", serve_d.describe()));
    let later = d.add_member(&["--name", "Found again on the LAN"]);
    let sync = s
        .command_via("ip", &["netns", "exec", &ns_s], &["sync"])
        .output()
        .expect("carnet sync runs");
    assert!(
        sync.status.success(),
        "{}\n{}",
        describe(&["sync"], &sync),
        serve_d.describe()
    );
    assert!(
        members(&s).contains_key(&later),
        "{}",
        describe(&["sync"], &sync)
    );
    let status = s.ok(&["status"]);
    assert!(
        status.contains("found on the local network"),
        "status does not say D was found on the LAN:\n{status}"
    );
    serve_d.kill();

    // What the LAN heard: announcements of the carnet service, and neither device's key in
    // any form (raw, hex, base32) in any packet.
    observer.kill();
    let packets = read_heard(&heard);
    assert!(
        packets.iter().any(|p| contains(p, b"_carnet")),
        "the observer heard no carnet announcement ({} packets): it does not observe",
        packets.len()
    );
    for home in [&d, &s] {
        let key = hex_decode(home.device_id());
        let forms: Vec<Vec<u8>> = vec![
            key.clone(),
            home.device_id().as_bytes().to_vec(),
            base32_encode(&key).into_bytes(),
            base32_encode(&key).to_uppercase().into_bytes(),
        ];
        for form in &forms {
            let leaks = packets.iter().filter(|p| contains(p, form)).count();
            assert_eq!(leaks, 0, "{leaks} mDNS packets name a device's key");
        }
    }
    drop(guard);
    eprintln!("took {:?}", started.elapsed());
}

/// The hex digits of a device id as bytes.
fn hex_decode(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect()
}

/// Starts this test binary again inside namespace `ns` as [`mdns_observer`], writing what it
/// hears to `out`.
fn observe_mdns(ns: &str, out: &std::path::Path) -> Running {
    let exe = std::env::current_exe().expect("the test binary");
    let mut cmd = std::process::Command::new("ip");
    cmd.args(["netns", "exec", ns])
        .arg(exe)
        .args(["--exact", "mdns_observer", "--ignored", "--nocapture"])
        .env(OBSERVE, out);
    let running = Running::spawn(cmd, format!("the mDNS observer in {ns}"));
    running
        .wait_for(Duration::from_secs(10), |t| {
            t.contains("observing").then_some(())
        })
        .unwrap_or_else(|| panic!("the observer did not start:\n{}", running.describe()));
    running
}

/// The packets an observer wrote (one hex line each).
fn read_heard(path: &std::path::Path) -> Vec<Vec<u8>> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(hex_decode)
        .collect()
}

/// Where [`mdns_observer`] writes (when this variable is set; otherwise it is not run).
const OBSERVE: &str = "CARNET_TEST_MDNS_OBSERVE";

/// Not a test of its own: the observer that `two_serve_processes_find_each_other_by_mdns_…`
/// starts in the bridge's namespace. It gives the bridge an address, joins the mDNS group
/// and writes every packet it hears, in hex, until killed.
#[test]
#[ignore = "started by the mDNS namespace test, in its own namespace"]
fn mdns_observer() {
    use std::io::Write;
    use std::net::{Ipv4Addr, UdpSocket};
    let Some(out) = std::env::var_os(OBSERVE) else {
        panic!("{OBSERVE} is not set: this runs inside the mDNS namespace test only");
    };
    let here = Ipv4Addr::new(198, 51, 100, 1);
    ip(&["addr", "add", "198.51.100.1/24", "dev", "br0"]).expect("an address on the bridge");
    ip(&["route", "add", "224.0.0.0/4", "dev", "br0"]).expect("a multicast route");
    let socket = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 5353)).expect("port 5353");
    socket
        .join_multicast_v4(&Ipv4Addr::new(224, 0, 0, 251), &here)
        .expect("the mDNS group");
    let mut file = std::fs::File::create(out).expect("the observer's file");
    println!("observing");
    let mut buf = vec![0u8; 9000];
    loop {
        let n = socket.recv(&mut buf).expect("a packet");
        let line: String = buf[..n].iter().map(|b| format!("{b:02x}")).collect();
        writeln!(file, "{line}").expect("written");
    }
}

// ---------------------------------------------------------------------------------------------
// Regressions: bugs found while writing these tests, now fixed

/// `carnet device invite` must exit once its device joined. It used to be that, when the joining
/// side had nothing to send, the inviter's side of the session usually ended with "the connection failed:
/// connection lost" and the invitation keeps waiting, although `join` succeeded: the joining
/// side (the initiator) writes its last message (`Done`) and at once closes the QUIC connection
/// (`conn.close` in `Node::try_sync`), which drops what is not yet delivered.
#[test]

fn invite_exits_once_the_device_joined() {
    for round in 0..5 {
        let d = Home::init();
        let mut s = Home::new();
        let mut invite = d.spawn(&[
            "device",
            "invite",
            "--role",
            "staff",
            "--holder",
            "Sam",
            "--bind",
            "127.0.0.1:0",
        ]);
        let ticket = invite
            .wait_for(Duration::from_secs(30), |text| {
                text.lines()
                    .find(|l| l.starts_with("carnet1"))
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| panic!("no ticket:\n{}", invite.describe()));
        let out = s.join_confirmed(&ticket, &mut invite);
        assert!(out.status.success(), "{}", describe(&["join"], &out));
        let status = invite.wait_exit(Duration::from_secs(10));
        assert!(
            status.is_some_and(|s| s.success()),
            "round {round}: the invitation still waits 10 s after its device joined:\n{}\n{}",
            invite.describe(),
            describe(&["join", &ticket], &out)
        );
    }
}

/// The code a `carnet join` prints, once it printed it.
fn join_code(joining: &Running) -> String {
    joining
        .wait_for(Duration::from_secs(60), |text| {
            text.lines()
                .find_map(|l| l.strip_prefix("confirmation code: "))
                .and_then(|rest| rest.split("  ").next())
                .map(|c| c.trim().to_owned())
        })
        .unwrap_or_else(|| panic!("no confirmation code:\n{}", joining.describe()))
}

/// A ticket someone else read first cannot enrol their device: the inviter sees a code that
/// the new device does not show, refuses it, and confirms the right one; the thief gets
/// nothing. The ticket is valid 15 minutes by default and drawn as a QR code.
#[test]
fn a_stolen_ticket_enrols_nobody_but_the_device_whose_code_the_inviter_confirms() {
    let d = Home::init();
    d.add_member(&["--name", "Canary-Member-Name"]);
    let mut args = vec!["device", "invite"];
    args.extend_from_slice(&carnet_tests::STAFF);
    args.extend_from_slice(&["--bind", "127.0.0.1:0"]);
    let (mut invite, ticket) = carnet_tests::invite(&d, &args[2..]);
    let shown = invite.printed();
    assert!(shown.contains("valid 15 minutes"), "{shown}");
    assert!(
        shown.contains('█') || shown.contains('▀'),
        "no QR code:\n{shown}"
    );

    // The thief joins first.
    let thief = Home::new();
    let mut stolen = thief.spawn(&["join", &ticket]);
    let thief_code = join_code(&stolen);
    invite
        .wait_for(Duration::from_secs(60), |t| {
            t.contains(&format!("must show the code {thief_code}"))
                .then_some(())
        })
        .unwrap_or_else(|| panic!("{}\n{}", invite.describe(), stolen.describe()));
    // The person at the inviter compares with the real new device's screen: not this code.
    invite.type_line("no");

    let mut s = Home::new();
    let out = s.join_confirmed(&ticket, &mut invite);
    assert!(
        out.status.success(),
        "{}\n{}",
        describe(&["join"], &out),
        invite.describe()
    );
    assert!(
        invite.printed().contains("may have leaked"),
        "{}",
        invite.describe()
    );
    assert!(
        invite
            .wait_exit(Duration::from_secs(30))
            .is_some_and(|st| st.success()),
        "{}",
        invite.describe()
    );
    let refused = stolen
        .wait_exit(Duration::from_secs(60))
        .unwrap_or_else(|| panic!("the thief's join still waits:\n{}", stolen.describe()));
    assert!(!refused.success(), "{}", stolen.describe());
    assert!(
        !thief.path().exists(),
        "the thief's refused join left a home"
    );
    let devices = d.ok(&["device", "list"]);
    assert!(devices.contains(&s.device_id()[..8]), "{devices}");
}

/// An invitation ends with its `carnet device invite`: stopped while it borrowed the store of
/// a running `carnet serve`, its ticket pointed at `serve`'s address is refused.
#[test]
fn a_stopped_invitation_is_refused_by_the_serving_daemon_too() {
    let d = Home::init();
    let (serve, addr) = d.serve(&["--bind", "127.0.0.1:0", "--no-mdns"]);
    let mut args = vec!["device", "invite"];
    args.extend_from_slice(&carnet_tests::STAFF);
    args.extend_from_slice(&["--bind", "127.0.0.1:0"]);
    let (mut invite, ticket) = carnet_tests::invite(&d, &args[2..]);
    let status = invite.interrupt();
    assert!(!status.success(), "{}", invite.describe());
    join_refused(&Ticket::parse(&ticket).at(&addr).encode(), &["unknown"]);
    let served = stop(serve);
    assert!(!served.contains("joined"), "{served}");
}

/// A `carnet serve` killed (SIGKILL, or a power cut) must leave a store the next command
/// opens. It used to be that every command then failed with "storage error: Database repair aborted.":
/// `Store::open` first opens the file with redb's `ReadOnlyDatabase`, which cannot repair a
/// file that was not closed cleanly, so the home stays unusable for good.
#[test]
fn a_store_opens_after_serve_is_killed() {
    let d = Home::init();
    let id = d.add_member(&["--name", "Kept"]);
    let (mut serve, _) = d.serve(&["--bind", "127.0.0.1:0", "--no-mdns"]);
    serve.kill();
    let list = members(&d);
    assert!(list.contains_key(&id), "{list:?}");
}

/// `carnet serve` must stop cleanly on SIGTERM (what `kill`, systemd and container runtimes
/// send), as on Ctrl-C. SIGTERM used to end it at once (exit 143) without closing the store,
/// which then needs a repair (see `a_store_opens_after_serve_is_killed`).
#[test]

fn serve_stops_cleanly_on_sigterm() {
    let d = Home::init();
    let (mut serve, _) = d.serve(&["--bind", "127.0.0.1:0", "--no-mdns"]);
    assert!(carnet_tests::send_signal(serve.pid(), "TERM"));
    let status = serve
        .wait_exit(Duration::from_secs(20))
        .unwrap_or_else(|| panic!("serve ignored SIGTERM:\n{}", serve.describe()));
    assert!(status.success(), "{status:?}\n{}", serve.describe());
    d.ok(&["member", "list"]);
}

/// Ctrl-C must stop `carnet serve` promptly. It used to wait for the sync attempt under way, and
/// a known peer that does not answer takes 10 s a try (the connect timeout); `Node::serve`'s
/// unbiased `select!` then often picks one of the ticks missed meanwhile (`interval`'s default
/// `Burst`) over the stop, so a serve with an unreachable peer took 49 s to stop here.
#[test]

fn serve_stops_promptly_on_ctrl_c() {
    let d = Home::init();
    let mut s = Home::new();
    // S now knows D at the invitation's address, where nothing listens any more.
    enrol(&d, &mut s, &["--role", "staff", "--holder", "Sam"]);
    let (mut serve, _) = s.serve(&["--bind", "127.0.0.1:0", "--no-mdns", "--every", "1"]);
    std::thread::sleep(Duration::from_secs(3));
    assert!(carnet_tests::send_signal(serve.pid(), "INT"));
    let status = serve.wait_exit(Duration::from_secs(5));
    assert!(
        status.is_some_and(|s| s.success()),
        "serve still runs 5 s after Ctrl-C: {status:?}\n{}",
        serve.describe()
    );
}
