//! The seed inputs committed in `corpus-seeds/TARGET/`: valid inputs that reach deep into each
//! target (real messages, real signed changes, whole session transcripts, real keyrings and
//! backups, spreadsheets as associations have them and as Carnet writes them), and a few
//! invalid ones. [`generate`] is deterministic: `cargo run --example gen_seeds` rewrites the
//! same files, and the replay test checks the committed files are still what it generates.
//! [`sealed`] are not (the store seals with random salts and nonces): `gen_seeds` writes them
//! only when missing or stale, and the replay test checks each committed one still has the
//! outcome a fresh one has ([`crate::keyring::outcome`]).

use carnet_model::RecordKind;
use carnet_node::{PeerAddr, Ticket};
use carnet_replica::{DocId, SignedChange};
use carnet_sheets::{Dialect, Sheet, write_csv, write_xlsx};
use carnet_sync::{Message, encode_frame};
use carnet_testkit::{Faults, Sender, TestDevice, at, drive};

use crate::fixture::{self, Fixture, PEERS, fixture};
use crate::frames::frame;

/// One seed: target, file name, bytes.
pub type Seed = (&'static str, String, Vec<u8>);

/// Every seed of every target.
pub fn generate() -> Vec<Seed> {
    let fx = fixture();
    let mut out = Vec::new();
    let transcripts = sessions(fx);
    wire_message(&transcripts, &mut out);
    signed_change(fx, &mut out);
    document_load(fx, &mut out);
    ledger(fx, &mut out);
    ticket(fx, &mut out);
    frames(&transcripts, &mut out);
    for (name, bytes) in crate::keyring::plain_seeds() {
        out.push(("keyring", name, bytes));
    }
    csv_import(&mut out);
    for (name, sel, t) in &transcripts {
        let msgs: Vec<Vec<u8>> = t
            .iter()
            .filter(|(from_initiator, _)| *from_initiator)
            .map(|(_, m)| m.encode())
            .collect();
        let mut bytes = vec![*sel];
        bytes.extend(frame(msgs.iter().map(Vec::as_slice)));
        out.push(("session", name.clone(), bytes));
    }
    out
}

/// The seeds whose bytes change on every run: the `keyring` target's keyrings and backups
/// (sealed with random salts and nonces) and a workbook written by `write_xlsx` (which dates
/// it): the same [`outcome`] each time, never the same bytes.
pub fn sealed() -> Vec<Seed> {
    let mut out: Vec<Seed> = crate::keyring::sealed_seeds()
        .into_iter()
        .map(|(name, bytes)| ("keyring", name, bytes))
        .collect();
    let mut xlsx = vec![0x63];
    xlsx.extend(write_xlsx(&activities(), "activity").expect("xlsx"));
    out.push(("csv_import", "written-xlsx".into(), xlsx));
    out
}

/// What a target finds in a seed of [`sealed`]: what makes it current.
pub fn outcome(target: &str, bytes: &[u8]) -> String {
    match target {
        "keyring" => crate::keyring::outcome(bytes),
        _ => crate::csv_import::outcome(bytes),
    }
}

/// A table of activities, with cells a spreadsheet would run.
fn activities() -> Sheet {
    Sheet {
        headers: vec!["id".into(), "title".into(), "date".into(), "venue".into()],
        date_columns: vec![false, false, true, false],
        number_columns: Vec::new(),
        rows: vec![
            vec![
                "1".into(),
                "=HYPERLINK(\"x\")".into(),
                "2026-12-07".into(),
                "Lyon; 3e".into(),
            ],
            vec![
                "2".into(),
                "'-5".into(),
                "2026-01-31".into(),
                "ligne\nsuivante".into(),
            ],
            vec!["3".into(), "@SUM".into(), String::new(), String::new()],
        ],
    }
}

type Transcript = Vec<(bool, Message)>;

/// Whole sessions against the `session` target's responder, run by the test kit's driver
/// between real devices: (name, peer selector, messages, with whether the initiator sent
/// each). An invitation's real secret is replaced by its stand-in in the transcript.
fn sessions(fx: &Fixture) -> Vec<(String, u8, Transcript)> {
    let sel = |i: usize| PEERS.iter().position(|p| *p == i).expect("a peer") as u8;
    let mut out = Vec::new();
    let mut run =
        |name: &str, who: usize, holds: Vec<(DocId, SignedChange)>, ticket: Option<[u8; 16]>| {
            let mut dev = TestDevice::joining(fixture::key(who), fx.org, fixture::T0);
            if !holds.is_empty() {
                let batches = holds.into_iter().map(|(d, s)| (d, vec![s])).collect();
                dev.receive_many(batches).expect("receive");
            }
            if name.contains("writes") {
                // A change the responder lacks.
                let kind = RecordKind::Member;
                let edits = [kind.parse_edit("phone=+33 6 00").expect("edit")];
                dev.put(
                    kind,
                    fixture::MEMBER_RECORD,
                    &edits,
                    at(fixture::T0 + 500_000),
                )
                .expect("write");
            }
            let mut resp = fx.responder();
            let faults = Faults {
                ticket: ticket.map(|t| fx.real_ticket(t)),
                ..Faults::default()
            };
            let outcome = drive(dev.device_mut(), &mut resp, faults);
            // The seeds are sessions that went as they should: a stranger or a revoked device is
            // refused unless it joins with an unused invitation.
            let refused = matches!(
                name,
                "stranger-used-ticket" | "stranger-no-ticket" | "revoked"
            );
            assert_eq!(
                outcome.complete(Sender::Initiator),
                !refused,
                "session seed {name}: {:?}",
                outcome.a_result
            );
            let t = outcome
                .transcript
                .into_iter()
                .map(|(from, mut m)| {
                    if let Message::Hello {
                        ticket: Some(t), ..
                    } = &mut m
                    {
                        *t = fx.stand_in(*t);
                    }
                    (from == Sender::Initiator, m)
                })
                .collect();
            out.push((name.to_owned(), sel(who), t));
        };
    let all = fx.all();
    let registry_only: Vec<_> = all
        .iter()
        .filter(|(d, _)| *d == DocId::Registry)
        .cloned()
        .collect();
    // The registry up to the enrolments (which the first record changes name), and those.
    // A device always holds what it signed itself (one lacking it was rolled back, and stops):
    // the staff device's own record changes come too.
    let mut partial: Vec<_> = registry_only[..5].to_vec();
    partial.extend(fx.docs[..2].iter().cloned());
    let staff = fx.keys[fixture::STAFF].id();
    partial.extend(
        fx.docs
            .iter()
            .zip(&fx.docs_received)
            .skip(2)
            .filter(|(_, (_, r))| r.author == staff)
            .map(|(d, _)| d.clone()),
    );
    run("staff-partial-writes", fixture::STAFF, partial, None);
    run("staff-everything", fixture::STAFF, all.clone(), None);
    run("staff-everything-writes", fixture::STAFF, all.clone(), None);
    run("member-registry-only", fixture::MEMBER, registry_only, None);
    run("active-blank", fixture::ACTIVE, vec![], None);
    run(
        "active-used-ticket",
        fixture::ACTIVE,
        vec![],
        Some(fixture::USED_TICKET),
    );
    run(
        "stranger-joins",
        fixture::STRANGER,
        vec![],
        Some(fixture::TICKET),
    );
    run(
        "stranger-used-ticket",
        fixture::STRANGER,
        vec![],
        Some(fixture::USED_TICKET),
    );
    run("stranger-no-ticket", fixture::STRANGER, vec![], None);
    run("revoked", fixture::REVOKED, all.clone(), None);
    out
}

fn wire_message(transcripts: &[(String, u8, Transcript)], out: &mut Vec<Seed>) {
    let mut seen = std::collections::BTreeSet::new();
    for (_, _, t) in transcripts {
        for (_, m) in t {
            let bytes = m.encode();
            let name = format!("{}-{}", kind(m), short_hash(&bytes));
            if seen.insert(name.clone()) {
                out.push(("wire_message", name, bytes));
            }
        }
    }
    out.push(("wire_message", "junk-version".into(), vec![7, 1]));
    out.push(("wire_message", "done-trailing".into(), vec![1, 10, 0]));
}

fn signed_change(fx: &Fixture, out: &mut Vec<Seed>) {
    for (i, s) in fx.registry.iter().enumerate() {
        out.push(("signed_change", format!("registry-{i}"), s.to_bytes()));
    }
    for (i, (_, s)) in fx.docs.iter().enumerate() {
        out.push(("signed_change", format!("record-{i}"), s.to_bytes()));
    }
    let mut trailing = fx.docs[0].1.clone();
    trailing.change.push(0);
    out.push((
        "signed_change",
        "change-trailing-byte".into(),
        trailing.to_bytes(),
    ));
    let mut v2 = fx.docs[0].1.to_bytes();
    v2[0] = 2;
    out.push(("signed_change", "version-2".into(), v2));
}

fn document_load(fx: &Fixture, out: &mut Vec<Seed>) {
    let raw =
        |list: &[&SignedChange]| -> Vec<u8> { frame(list.iter().map(|s| s.change.as_slice())) };
    for (i, doc) in fixture::doc_ids().iter().enumerate() {
        let mut list: Vec<&SignedChange> = fx
            .docs
            .iter()
            .filter(|(d, _)| d == doc)
            .map(|(_, s)| s)
            .collect();
        if list.is_empty() {
            continue;
        }
        out.push(("document_load", format!("raw-doc-{i}"), raw(&list)));
        list.reverse();
        out.push(("document_load", format!("raw-doc-{i}-reversed"), raw(&list)));
    }
    let reg: Vec<&SignedChange> = fx.registry.iter().collect();
    out.push(("document_load", "raw-registry".into(), raw(&reg)));
    let mut missing = reg.clone();
    missing.remove(0);
    out.push((
        "document_load",
        "raw-registry-no-genesis".into(),
        raw(&missing),
    ));
}

fn ledger(fx: &Fixture, out: &mut Vec<Seed>) {
    // Scripts (see `targets::ledger_script`): op 5 takes every fixture change; the bytes after
    // the ops choose the order and batches the changes arrive in.
    out.push(("ledger", "all-in-order".into(), vec![5]));
    out.push((
        "ledger",
        "all-shuffled".into(),
        vec![
            5, 0, 7, 3, 9, 1, 4, 4, 8, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4, 6,
        ],
    ));
    // Registry changes one by one, then new record changes by each device, a registry change by
    // the founder and by staff, and altered envelopes.
    let mut s = Vec::new();
    for i in 0..fx.registry.len() as u8 {
        s.extend([0, i]);
    }
    for i in 0..fx.docs.len() as u8 {
        s.extend([1, i]);
    }
    for author in 0..6u8 {
        // op 2: author, doc, base mask, edit count, (field, value, op)×n, time, heads mode, mask.
        s.extend([
            2,
            author,
            author % 4,
            0xff,
            0xff,
            0xff,
            0xff,
            1,
            0,
            author,
            0,
            0,
            1,
            1,
        ]);
        s.extend([0xff, 0xff, 0xff, 0xff]);
    }
    // op 3: author, base mask, device, role, op kind, …
    s.extend([
        3, 0, 0xff, 0xff, 0xff, 0xff, 5, 1, 3, 0xff, 0xff, 0xff, 0xff, 0,
    ]);
    s.extend([
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 9, 0,
    ]);
    s.extend([3, 1, 0xff, 0xff, 0xff, 0xff, 1, 6, 1, 0]);
    s.extend([4, 3, 40, 0, 1, 4, 20, 1, 0x80]);
    out.push(("ledger", "authoring".into(), s));
    // op 6: every fixture change as raw bytes, signed again by its author for its document.
    let mut s = Vec::new();
    let ids = fixture::doc_ids();
    let raw = fx
        .registry
        .iter()
        .map(|c| (0u8, c))
        .chain(fx.docs.iter().map(|(d, c)| {
            let i = ids.iter().position(|x| x == d).expect("a fixture document");
            (i as u8 + 1, c)
        }));
    for (doc, c) in raw {
        s.push(6);
        s.extend((c.change.len() as u16).to_le_bytes());
        s.extend(&c.change);
        s.push(doc);
    }
    out.push(("ledger", "signed-raw".into(), s));
    // Pseudo-random scripts starting with every fixture change.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for n in 0..4 {
        let mut s = vec![5];
        for _ in 0..64 + 64 * n {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            s.push(x as u8);
        }
        out.push(("ledger", format!("random-{n}"), s));
    }
}

fn ticket(fx: &Fixture, out: &mut Vec<Seed>) {
    let inviter = PeerAddr {
        id: fx.keys[fixture::FOUNDER].id().0,
        addrs: vec![
            "127.0.0.1:4000".parse().expect("addr"),
            "[::1]:5".parse().expect("addr"),
        ],
    };
    let t = Ticket {
        org: *fx.org.0.as_bytes(),
        inviter: inviter.clone(),
        secret: fixture::TICKET,
    };
    let text = t.to_string();
    out.push(("ticket", "ticket".into(), text.clone().into_bytes()));
    let dashed: String = text
        .chars()
        .enumerate()
        .flat_map(|(i, c)| {
            let sep = (i > 7 && i % 5 == 0).then_some('-');
            sep.into_iter().chain([c])
        })
        .collect();
    out.push((
        "ticket",
        "ticket-dashed".into(),
        format!(" {dashed}\n").into_bytes(),
    ));
    out.push((
        "ticket",
        "ticket-upper".into(),
        text.to_uppercase().into_bytes(),
    ));
    out.push(("ticket", "peer".into(), inviter.to_string().into_bytes()));
    let bare = PeerAddr {
        id: inviter.id,
        addrs: vec![],
    };
    out.push((
        "ticket",
        "peer-no-addrs".into(),
        bare.to_string().into_bytes(),
    ));
    out.push((
        "ticket",
        "peer-scoped-v6".into(),
        format!("{}@[fe80::1%2]:7,10.0.0.1:9", hex(&inviter.id)).into_bytes(),
    ));
}

/// Streams of frames (see `framing::frames` for the settings bytes in front): whole sessions
/// from either side as the node reads them, a limit raised after the first message, an
/// oversized declaration, junk.
fn frames(transcripts: &[(String, u8, Transcript)], out: &mut Vec<Seed>) {
    use crate::framing::RAISE;
    let stream =
        |msgs: &[&Message]| -> Vec<u8> { msgs.iter().flat_map(|m| encode_frame(m)).collect() };
    let seed = |flags: u8, sizes: &[u8], stream: &[u8]| -> Vec<u8> {
        let mut v = vec![flags, sizes.len() as u8];
        v.extend_from_slice(sizes);
        v.extend_from_slice(stream);
        v
    };
    for (name, _, t) in transcripts {
        if !matches!(name.as_str(), "staff-everything-writes" | "stranger-joins") {
            continue;
        }
        let side = |initiator: bool| -> Vec<&Message> {
            t.iter()
                .filter(|(from, _)| *from == initiator)
                .map(|(_, m)| m)
                .collect()
        };
        // The first limit is the node's for a `Hello` (LIMITS[0]), raised after it.
        let initiator = stream(&side(true));
        out.push((
            "frames",
            format!("{name}-initiator"),
            seed(RAISE, &[1, 3, 200, 0, 17], &initiator),
        ));
        out.push((
            "frames",
            format!("{name}-responder"),
            seed(1, &[], &stream(&side(false))),
        ));
        out.push((
            "frames",
            format!("{name}-truncated"),
            seed(1, &[4, 255], &initiator[..initiator.len() - 5]),
        ));
    }
    let done = Message::Done;
    let refuse = Message::Refuse {
        reason: "non".into(),
    };
    let big = Message::Push {
        changes: vec![("member/x/com".into(), vec![vec![7; 2000]])],
        hashes: vec![],
        want: vec![],
        last: true,
    };
    let mut oversized = stream(&[&done, &refuse]);
    oversized.extend_from_slice(&u32::MAX.to_be_bytes());
    oversized.extend_from_slice(&[1; 8]);
    out.push((
        "frames",
        "oversized-declaration".into(),
        seed(2, &[2, 9], &oversized),
    ));
    let raised = stream(&[&done, &big, &refuse]);
    out.push((
        "frames",
        "raised-limit".into(),
        seed(RAISE, &[5, 255], &raised),
    ));
    out.push(("frames", "limit-not-raised".into(), seed(0, &[], &raised)));
    out.push((
        "frames",
        "junk-in-frame".into(),
        seed(1, &[], &[0, 0, 0, 2, 9, 9]),
    ));
    out.push((
        "frames",
        "empty-frame".into(),
        seed(3, &[0], &[0, 0, 0, 0, 1]),
    ));
    out.push((
        "frames",
        "junk".into(),
        seed(1, &[1], b"\xff\x00\x13carnet"),
    ));
}

/// Files for `carnet import` (see `csv_import::csv_import` for the options byte in front):
/// CSV as French spreadsheets save it (BOM, `;`, CRLF, a quoted cell on two lines, a blank
/// row, a neutralised formula), Windows-1252, UTF-16, the standard dialect with quotes, JSON
/// as `carnet export --json` writes it, and a table written by `write_csv` and `write_xlsx`.
fn csv_import(out: &mut Vec<Seed>) {
    // Options byte: name (bits 0-1), separator (bits 2-3), record kind (bits 4-7).
    let seed = |flags: u8, file: &[u8]| -> Vec<u8> {
        let mut v = vec![flags];
        v.extend_from_slice(file);
        v
    };
    let french = "\u{feff}Prénom;Nom;Date de naissance;Téléphone;Notes;Statut\r\n\
                  Adébáyọ̀;Okafor;14/03/1991;'+33 6 00 00 00 00;\"deux\r\nlignes; et un \"\"mot\"\"\";membre\r\n\
                  ;;;;;\r\n\
                  \r\n\
                  Joy;N.;1991-03-14;;'=1+1;active\r\n\
                  Ọlá;;33311;0600;;\r\n";
    out.push((
        "csv_import",
        "french-members".into(),
        seed(0x00, french.as_bytes()),
    ));
    let cp1252 = b"Pr\xe9nom;Nom;Ville\r\nJos\xe9;Garc\xeda;Saint-\xc9tienne\r\n\"A;B\";C;D\r\n";
    out.push(("csv_import", "windows-1252".into(), seed(0x00, cp1252)));
    let mut utf16 = vec![0xFF, 0xFE];
    for u in "Prénom\tNom\tNé(e) le\r\nZoé\tMartin\t01/02/03\r\n".encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    out.push(("csv_import", "utf-16".into(), seed(0x01, &utf16)));
    let standard = "first_name,last_name,status,working_groups\n\
                    \"Smith, J\",\"a \"\"b\"\"\",active,\"media, advocacy\"\n\
                    ,,,\n\
                    Ana,,member,\n";
    out.push((
        "csv_import",
        "standard-quoted".into(),
        seed(0x01, standard.as_bytes()),
    ));
    out.push((
        "csv_import",
        "tab-given".into(),
        seed(0x0c, b"titre\tdate\tlieu\nAtelier\t07/12/26\tLyon\n"),
    ));
    let json = "[\n  {\"first_name\": \"A\", \"status\": \"member\", \"speaks_french\": true},\n  \
                {\"first_name\": \"B\", \"working_groups\": [\"media\", \"advocacy\"]}, {\"id\": null}\n]\n";
    out.push((
        "csv_import",
        "json-export".into(),
        seed(0x02, json.as_bytes()),
    ));
    let sheet = activities();
    // Kind 6 is an activity (`RecordKind::ALL`).
    for dialect in [Dialect::French, Dialect::Standard] {
        let bytes = write_csv(&sheet, dialect).expect("csv");
        out.push((
            "csv_import",
            format!("written-{dialect:?}").to_lowercase(),
            seed(0x60, &bytes),
        ));
    }
    out.push((
        "csv_import",
        "unbalanced-quote".into(),
        seed(0x00, b"a;b\n\"x;y\n"),
    ));
    out.push(("csv_import", "empty".into(), seed(0x00, b" \r\n;;\r\n")));
    out.push((
        "csv_import",
        "mixed-encoding".into(),
        seed(0x00, b"Pr\xc3\xa9nom;Nom\nJos\xe9;X\n"),
    ));
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A short stable name for some bytes (FNV-1a).
fn short_hash(b: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for x in b {
        h ^= u64::from(*x);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:08x}", h as u32)
}

fn kind(m: &Message) -> &'static str {
    match m {
        Message::Hello { .. } => "hello",
        Message::Welcome { .. } => "welcome",
        Message::Refuse { .. } => "refuse",
        Message::RegistryHashes { .. } => "registry-hashes",
        Message::RegistryPush { .. } => "registry-push",
        Message::RegistryFinal { .. } => "registry-final",
        Message::Root { .. } => "root",
        Message::Buckets { .. } => "buckets",
        Message::BucketDocs { .. } => "bucket-docs",
        Message::Push { .. } => "push",
        Message::Done => "done",
        Message::Revoked { .. } => "revoked",
    }
}
