//! Guards crash safety (`design/testing.md`, "crash safety"): the real `carnet` binary is killed
//! with SIGKILL in the middle of write bursts and of sync sessions, and made to run out of disk
//! space. Afterwards every change it reported as saved is there, the store opens, `carnet verify`
//! passes, and no record is half-applied (a member's shared card without its personal file).
//!
//! Kill moments come from a seeded generator: each test prints its seed, and
//! `CARNET_CRASH_SEED=N` replays a run.
//!
//! When a store no longer opens after a crash, the test notes it, repairs the file with redb
//! itself and goes on, so that one run also says whether anything acknowledged was lost; the
//! notes fail the test at its end.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use carnet_device::Device;
use carnet_model::RecordKind;
use carnet_tests::{HOLDER, Home, ORG, PASSPHRASE, assert_failed_cleanly, carnet_bin, describe};
use serde_json::Value;

/// Replays a run: the seed a test printed.
const SEED_VAR: &str = "CARNET_CRASH_SEED";

/// A small seeded generator (xorshift64) for kill moments and victims.
struct Rng(u64);

impl Rng {
    /// Seeded from `CARNET_CRASH_SEED`, else from the clock; prints the seed.
    fn new(test: &str) -> Rng {
        let seed = std::env::var(SEED_VAR)
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok())
            .unwrap_or_else(|| {
                let nanos = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or_default();
                nanos ^ u64::from(std::process::id()).rotate_left(32)
            });
        println!("{test}: seed {seed} (replay with {SEED_VAR}={seed})");
        // splitmix64 of the seed, so that any seed (even 0) gives a good non-zero state.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// A duration between `lo` and `hi` milliseconds.
    fn millis(&mut self, lo: u64, hi: u64) -> Duration {
        Duration::from_millis(lo + self.below(hi - lo + 1))
    }
}

/// `cmd` set up to run in `home` as [`Home::carnet`] runs `carnet`.
fn in_home<'a>(cmd: &'a mut Command, home: &Home) -> &'a mut Command {
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.root())
        .env("XDG_DATA_HOME", home.root().join("xdg"))
        .env("CARNET_HOME", home.path())
        .env("CARNET_PASSPHRASE", PASSPHRASE)
        .env("RUST_BACKTRACE", "1")
        .current_dir(home.root())
        .stdin(Stdio::null())
}

/// A child process, killed when dropped: a failing test leaves no `carnet serve` behind.
struct Proc(Child);

impl std::ops::Deref for Proc {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for Proc {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
        }
        let _ = self.0.wait();
    }
}

/// Starts `carnet args` in `home` in the background, its standard error going to `name`.err in
/// the home's temporary directory and its standard output piped.
fn spawn(home: &Home, name: &str, args: &[&str]) -> Proc {
    let err = File::create(home.root().join(format!("{name}.err"))).expect("an error log");
    let mut cmd = Command::new(carnet_bin());
    in_home(&mut cmd, home)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(err)
        .spawn()
        .map(Proc)
        .unwrap_or_else(|e| panic!("starting carnet {args:?}: {e}"))
}

/// What `name`.err holds (see [`spawn`]).
fn log(home: &Home, name: &str) -> String {
    std::fs::read_to_string(home.root().join(format!("{name}.err"))).unwrap_or_default()
}

/// The lines a child prints, as they come.
fn lines(out: ChildStdout) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Waits for a line starting with `prefix`; returns it trimmed.
fn wait_line(rx: &mpsc::Receiver<String>, prefix: &str, what: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) if line.trim().starts_with(prefix) => return line.trim().to_owned(),
            Ok(line) => seen.push(line),
            Err(_) => panic!(
                "{what} printed no line starting with {prefix:?}:\n{}",
                seen.join("\n")
            ),
        }
    }
}

/// Waits for `child` to end, at most `timeout`.
fn wait_at_most(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().expect("waiting for a child") {
            return Some(status);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Sends `signal` (a name: KILL, INT) to process `pid`, or to process group `-pid`.
fn signal(signal: &str, pid: i64) {
    // The shell's own `kill`: no dependency on procps.
    let _ = Command::new("sh")
        .arg("-c")
        .arg(format!("kill -{signal} {pid}"))
        .stderr(Stdio::null())
        .status();
}

/// Whether a process of group `pgid` is still running (zombies have released the store).
fn group_alive(pgid: u32) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return false;
    };
    entries.flatten().any(|e| {
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            return false;
        };
        // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses.
        let Some(after) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            return false;
        };
        let mut fields = after.split_whitespace();
        let state = fields.next();
        let pgrp = fields.nth(1).and_then(|p| p.parse::<u32>().ok());
        pgrp == Some(pgid) && state != Some("Z") && state != Some("X")
    })
}

/// Runs `carnet args` in `home` after a crash, asserts it succeeds and returns its output. If it
/// fails, the failure is noted in `problems`, the store file repaired with redb, and the command
/// run again (which must then succeed).
fn after_crash(home: &Home, args: &[&str], problems: &mut Vec<String>, when: &str) -> String {
    let out = home.carnet(args);
    if out.status.success() {
        return String::from_utf8(out.stdout).expect("UTF-8 output");
    }
    assert_failed_cleanly(args, &out);
    problems.push(format!("{when}: {}", describe(args, &out)));
    repair(&home.store_path());
    home.ok(args)
}

/// Lets redb repair a file that was not closed cleanly (its read-write open does).
fn repair(store: &Path) {
    let db = redb::Database::open(store).unwrap_or_else(|e| {
        panic!(
            "redb cannot open {} even to repair it: {e}",
            store.display()
        )
    });
    drop(db);
}

/// Every member `home` holds, read with the library: id → field → value as text.
fn members(home: &Home, problems: &mut Vec<String>, when: &str) -> BTreeMap<String, Fields> {
    let device = match Device::open(home.path(), PASSPHRASE.as_bytes()) {
        Ok(d) => d,
        Err(e) => {
            problems.push(format!("{when}: the library cannot open the store: {e:#}"));
            repair(&home.store_path());
            Device::open(home.path(), PASSPHRASE.as_bytes()).expect("opening a repaired store")
        }
    };
    device
        .list(RecordKind::Member)
        .expect("listing members with the library")
        .into_iter()
        .map(|r| {
            let fields = r
                .fields
                .into_iter()
                .map(|(k, f)| (k, f.value.to_string()))
                .collect();
            (r.id.to_string(), fields)
        })
        .collect()
}

type Fields = BTreeMap<String, String>;

/// The ids of a `member list --json`, with their shared fields.
fn listed(json: &str) -> BTreeMap<String, Value> {
    let list: Value = serde_json::from_str(json).expect("member list --json is JSON");
    list.as_array()
        .expect("a JSON list")
        .iter()
        .map(|r| {
            let id = r["id"].as_str().expect("an id").to_owned();
            (id, r["fields"].clone())
        })
        .collect()
}

/// The ids a burst's standard output reports as added, in order; only whole lines count (a
/// line cut by the kill may be missing its end).
fn acknowledged(out: &str) -> Vec<String> {
    out.split_inclusive('\n')
        .filter(|l| l.ends_with('\n'))
        .map(|l| {
            let id = l
                .trim()
                .strip_prefix("added member ")
                .unwrap_or_else(|| panic!("unexpected output of a burst: {l:?}"));
            assert_eq!(id.len(), 36, "not a whole id: {l:?}");
            id.to_owned()
        })
        .collect()
}

/// One burst: `$COUNT` members `b<burst>m<i>` added one command after another, each with shared
/// (COM) fields and a personal (PER) file.
const BURST: &str = r#"i=1
while [ "$i" -le "$COUNT" ]; do
  "$CARNET" member add --name "b${BURST}m$i" --group crash --since 2024-01-01 \
    --last-name "L${BURST}-$i" --dob 1990-01-01 || exit 1
  i=$((i + 1))
done"#;

/// (burst, index) of a burst member's display name `b<burst>m<i>`.
fn burst_name(name: &str) -> Option<(usize, usize)> {
    let (b, i) = name.strip_prefix('b')?.split_once('m')?;
    Some((b.parse().ok()?, i.parse().ok()?))
}

#[test]
fn kill_9_during_write_bursts_loses_no_acknowledged_change() {
    const BURSTS: usize = 50;
    const PER_BURST: usize = 8;
    let started = Instant::now();
    let mut rng = Rng::new("kill_9_during_write_bursts_loses_no_acknowledged_change");
    let home = Home::init();
    let mut problems = Vec::new();
    // Every member `carnet` reported as added: id → (burst, index).
    let mut acked: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    // Every member held after the previous burst.
    let mut held: BTreeSet<String> = BTreeSet::new();
    let (mut killed, mut ran_out, mut saved_unreported, mut shown) = (0, 0, 0, 0);

    for burst in 0..BURSTS {
        let when = format!("after burst {burst}");
        let out_path = home.root().join("burst.out");
        let err_path = home.root().join("burst.err");
        let mut sh = Command::new("sh");
        in_home(&mut sh, &home)
            .arg("-c")
            .arg(BURST)
            .env("CARNET", carnet_bin())
            .env("BURST", burst.to_string())
            .env("COUNT", PER_BURST.to_string())
            .stdout(File::create(&out_path).expect("a file for the burst's output"))
            .stderr(File::create(&err_path).expect("a file for the burst's errors"))
            .process_group(0);
        let mut child = sh.spawn().expect("starting a burst");
        let pgid = child.id();
        let delay = rng.millis(10, 500);
        if wait_at_most(&mut child, delay).is_some() {
            ran_out += 1;
        } else {
            signal("KILL", -i64::from(pgid));
            child.wait().expect("reaping the burst's shell");
            killed += 1;
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while group_alive(pgid) {
            assert!(Instant::now() < deadline, "a killed carnet process lingers");
            std::thread::sleep(Duration::from_millis(5));
        }
        let errors = std::fs::read_to_string(&err_path).expect("the burst's errors");
        // The burst types personal values inline on purpose: carnet's warning about it is not
        // a failure.
        let errors: Vec<&str> = errors
            .lines()
            .filter(|l| !l.starts_with("warning: a personal value"))
            .collect();
        assert!(
            errors.is_empty(),
            "{when}: a command failed:\n{}",
            errors.join("\n")
        );
        let reported =
            acknowledged(&std::fs::read_to_string(&out_path).expect("the burst's output"));
        for (i, id) in reported.iter().enumerate() {
            assert!(
                acked.insert(id.clone(), (burst, i + 1)).is_none(),
                "{when}: id {id} reported twice"
            );
        }

        // The store opens, and every member reported as added is there, with its shared card.
        let list = listed(&after_crash(
            &home,
            &["member", "list", "--json"],
            &mut problems,
            &when,
        ));
        let lost: Vec<String> = acked
            .iter()
            .filter(|(id, _)| !list.contains_key(*id))
            .map(|(id, (b, i))| format!("{id} (b{b}m{i})"))
            .collect();
        assert!(
            lost.is_empty(),
            "{when}: members reported as added are gone: {lost:?}"
        );
        let gone: Vec<&String> = held.iter().filter(|id| !list.contains_key(*id)).collect();
        assert!(
            gone.is_empty(),
            "{when}: members held before are gone: {gone:?}"
        );
        for (id, fields) in &list {
            let name = fields["display_name"].as_str().unwrap_or_default();
            assert!(
                burst_name(name).is_some()
                    && fields["status"] == "member"
                    && fields["member_since"] == "2024-01-01"
                    && fields["working_groups"] == serde_json::json!(["crash"]),
                "{when}: member {id} has a partial card: {fields}"
            );
        }
        // Besides those reported, only the one being added when the kill came may be there.
        let new: Vec<&String> = list.keys().filter(|id| !held.contains(*id)).collect();
        let unreported: Vec<&String> = new
            .iter()
            .copied()
            .filter(|id| !acked.contains_key(*id))
            .collect();
        assert!(
            unreported.len() <= 1,
            "{when}: several members saved but not reported: {unreported:?}"
        );
        for id in &unreported {
            let name = list[*id]["display_name"].as_str().unwrap_or_default();
            assert_eq!(
                burst_name(name),
                Some((burst, reported.len() + 1)),
                "{when}: an unreported member {id} that no command of this burst was adding"
            );
            saved_unreported += 1;
        }

        // Nothing half-applied: each member has its personal file too (library and `show`).
        let all = members(&home, &mut problems, &when);
        assert_eq!(
            all.keys().collect::<Vec<_>>(),
            list.keys().collect::<Vec<_>>(),
            "{when}: the library and `member list` disagree"
        );
        for (id, fields) in &all {
            let (b, i) = burst_name(&fields["display_name"]).expect("a burst member");
            assert!(
                fields.get("last_name") == Some(&format!("L{b}-{i}"))
                    && fields.get("date_of_birth").map(String::as_str) == Some("1990-01-01"),
                "{when}: member {id} lacks its personal file: {fields:?}"
            );
        }
        // `member show` too, for a member saved but not reported and for one at random every
        // fifth burst (each command costs a key derivation).
        let mut to_show = unreported.clone();
        if burst % 5 == 4 && !list.is_empty() {
            to_show.extend(list.keys().nth(rng.below(list.len() as u64) as usize));
        }
        for id in to_show {
            let show = home.json(&["member", "show", id, "--json"]);
            let (b, i) = burst_name(show["fields"]["display_name"].as_str().unwrap_or_default())
                .expect("a burst member");
            assert_eq!(
                show["fields"]["last_name"],
                format!("L{b}-{i}"),
                "{when}: {show:#}"
            );
            shown += 1;
        }

        after_crash(&home, &["verify"], &mut problems, &when);
        held = list.into_keys().collect();
    }

    println!(
        "{BURSTS} bursts in {:.1?}: {killed} killed, {ran_out} ended before the kill; {} members \
         reported added, all present; {saved_unreported} saved but killed before reporting; \
         {} held in the end; {shown} checked with `member show`; the store failed to open after \
         {} kills",
        started.elapsed(),
        acked.len(),
        held.len(),
        problems.len(),
    );
    assert!(
        killed > 0,
        "no burst was killed: the kill window is too late"
    );
    assert!(
        problems.is_empty(),
        "after {} of {killed} kills the store did not open until redb repaired it:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Adds `count` members `<prefix><i>` with the library (fast: no key derivation per member),
/// each with a shared card and a personal file; notes them in `created` (id → name).
fn add_members(home: &Home, prefix: &str, count: usize, created: &mut BTreeMap<String, String>) {
    let mut device =
        Device::open(home.path(), PASSPHRASE.as_bytes()).expect("opening a store to add members");
    let now = chrono::Utc::now();
    let kind = RecordKind::Member;
    for i in 0..count {
        let name = format!("{prefix}{i}");
        let edits: Vec<_> = [
            format!("display_name={name}"),
            "status=member".to_owned(),
            "member_since=2024-01-01".to_owned(),
            format!("last_name=L{name}"),
        ]
        .iter()
        .map(|e| kind.parse_edit(e).expect("a valid edit"))
        .collect();
        let id = device.add(kind, &edits, now).expect("adding a member");
        created.insert(id.to_string(), name);
    }
}

/// Checks one device after a sync cycle: the store opens, `carnet verify` passes, every member
/// is one that was created, whole (shared card and personal file); returns the ids it holds.
fn check_device(
    home: &Home,
    who: &str,
    created: &BTreeMap<String, String>,
    problems: &mut Vec<String>,
    when: &str,
) -> BTreeSet<String> {
    let when = format!("{when}, {who}");
    after_crash(home, &["verify"], problems, &when);
    let all = members(home, problems, &when);
    for (id, fields) in &all {
        let name = created
            .get(id)
            .unwrap_or_else(|| panic!("{when}: holds a member no one created: {id} {fields:?}"));
        assert!(
            fields.get("display_name") == Some(name)
                && fields.get("status").map(String::as_str) == Some("member")
                && fields.get("last_name") == Some(&format!("L{name}")),
            "{when}: member {id} ({name}) is half-applied: {fields:?}"
        );
    }
    all.into_keys().collect()
}

/// Starts `carnet serve` on `home`; returns it, its output lines and its address.
fn serve(home: &Home) -> (Proc, mpsc::Receiver<String>, String) {
    let mut serve = spawn(
        home,
        "serve",
        &["serve", "--bind", "127.0.0.1:0", "--no-mdns"],
    );
    let out = lines(serve.stdout.take().expect("piped output"));
    let line = wait_line(&out, "listening as ", "carnet serve");
    let addr = line["listening as ".len()..].trim().to_owned();
    (serve, out, addr)
}

/// Stops `carnet serve` as Ctrl-C does; it must end cleanly.
fn stop(home: &Home, serve: &mut Child) {
    signal("INT", i64::from(serve.id()));
    let status = wait_at_most(serve, Duration::from_secs(30));
    if status.is_none() {
        let _ = serve.kill();
        let _ = serve.wait();
    }
    assert!(
        status.is_some_and(|s| s.success()),
        "carnet serve did not stop cleanly on Ctrl-C ({status:?}):\n{}",
        log(home, "serve")
    );
}

/// The members a device holds that `created` (id → name) lists.
fn of<'a>(held: &BTreeSet<String>, created: &'a BTreeMap<String, String>) -> BTreeSet<&'a String> {
    created.keys().filter(|id| held.contains(*id)).collect()
}

#[test]
fn kill_9_during_syncs_leaves_both_stores_consistent() {
    const FIRST: usize = 200;
    const CYCLES: usize = 10;
    const DIRECTOR_EACH: usize = 40;
    const STAFF_EACH: usize = 10;
    let started = Instant::now();
    let mut rng = Rng::new("kill_9_during_syncs_leaves_both_stores_consistent");
    let mut problems = Vec::new();

    let director = Home::init();
    // Every member each side wrote (id → name), and both together.
    let mut from_director = BTreeMap::new();
    let mut from_staff = BTreeMap::new();
    add_members(&director, "d-", FIRST, &mut from_director);

    // The staff device joins, with the confidentiality agreement: it holds personal files too.
    let mut staff = Home::new();
    carnet_tests::enrol(
        &director,
        &mut staff,
        &[
            "--role",
            "staff",
            "--holder",
            "Kofi Mensah",
            "--agreement",
            "2026-01-01",
        ],
    );
    let mut created = from_director.clone();
    let mut on_staff = check_device(&staff, "staff", &created, &mut problems, "after joining");
    assert_eq!(
        on_staff.len(),
        FIRST,
        "joining brought the director's members"
    );

    // One whole sync of a cycle's worth of changes, timed, to choose kill moments.
    add_members(&director, "dc-", DIRECTOR_EACH, &mut from_director);
    add_members(&staff, "sc-", STAFF_EACH, &mut from_staff);
    created.extend(from_director.clone());
    created.extend(from_staff.clone());
    let (mut server, _out, addr) = serve(&director);
    let t = Instant::now();
    let out = staff.ok(&["sync", "--peer", &addr, "--bind", "127.0.0.1:0"]);
    let whole = t.elapsed();
    stop(&director, &mut server);
    assert!(!out.contains("failed"), "a sync failed:\n{out}");
    let all: BTreeSet<String> = created.keys().cloned().collect();
    on_staff = check_device(
        &staff,
        "staff",
        &created,
        &mut problems,
        "after a whole sync",
    );
    let mut on_director = check_device(
        &director,
        "director",
        &created,
        &mut problems,
        "after a whole sync",
    );
    assert!(
        on_staff == all && on_director == all,
        "after a whole sync: staff holds {}, director {}, of {} members",
        on_staff.len(),
        on_director.len(),
        all.len()
    );
    let whole_ms = whole.as_millis() as u64;
    println!(
        "{FIRST} members, staff joined, a whole sync of {} members took {whole:.1?}; {:.1?} so \
         far",
        DIRECTOR_EACH + STAFF_EACH,
        started.elapsed()
    );

    let (mut staff_killed, mut director_killed, mut sync_ended_first) = (0, 0, 0);
    let (mut sync_reaped, mut nothing_moved, mut all_moved) = (0, 0, 0);
    for cycle in 0..CYCLES {
        let when = format!("after sync cycle {cycle}");
        let cycle_started = Instant::now();
        let mut new_director = BTreeMap::new();
        let mut new_staff = BTreeMap::new();
        add_members(
            &director,
            &format!("d{cycle}-"),
            DIRECTOR_EACH,
            &mut new_director,
        );
        add_members(&staff, &format!("s{cycle}-"), STAFF_EACH, &mut new_staff);
        on_director.extend(new_director.keys().cloned());
        on_staff.extend(new_staff.keys().cloned());
        created.extend(new_director.clone());
        created.extend(new_staff.clone());
        from_director.extend(new_director);
        from_staff.extend(new_staff);
        let (staff_before, director_before) = (on_staff.clone(), on_director.clone());

        let (mut server, _out, addr) = serve(&director);
        let mut sync = spawn(
            &staff,
            "sync",
            &["sync", "--peer", &addr, "--bind", "127.0.0.1:0"],
        );
        // Kills come within the time a whole sync of what is pending would take (about: changes
        // left over from cut sessions make it longer).
        let pending = from_director.len() - of(&staff_before, &from_director).len()
            + from_staff.len()
            - of(&director_before, &from_staff).len();
        let window = whole_ms * (pending as u64 / (DIRECTOR_EACH + STAFF_EACH) as u64).max(1);
        let delay = rng.millis(0, window);
        let kill_staff = rng.below(2) == 0;
        let ended = wait_at_most(&mut sync, delay);
        // A sync that ended before its kill leaves the serving side to kill.
        let victim = if kill_staff && ended.is_none() {
            sync.kill().expect("killing carnet sync");
            sync.wait().expect("reaping carnet sync");
            staff_killed += 1;
            stop(&director, &mut server);
            "sync (staff)"
        } else {
            server.kill().expect("killing carnet serve");
            server.wait().expect("reaping carnet serve");
            director_killed += 1;
            // The syncing side notices the loss, or is killed too after a while.
            if ended.is_none() && wait_at_most(&mut sync, Duration::from_secs(1)).is_none() {
                sync.kill().expect("killing carnet sync");
                sync.wait().expect("reaping carnet sync");
                sync_reaped += 1;
            }
            "serve (director)"
        };
        if ended.is_some() {
            sync_ended_first += 1;
        }

        on_staff = check_device(&staff, "staff", &created, &mut problems, &when);
        on_director = check_device(&director, "director", &created, &mut problems, &when);
        for (who, held, before, theirs) in [
            ("staff", &on_staff, &staff_before, &from_director),
            ("director", &on_director, &director_before, &from_staff),
        ] {
            // A device never loses what it wrote itself or held before.
            let lost: Vec<&String> = before.iter().filter(|id| !held.contains(*id)).collect();
            assert!(lost.is_empty(), "{when}: {who} lost members: {lost:?}");
            // What a session received is stored in one transaction: all of it or none.
            let (had, has) = (of(before, theirs).len(), of(held, theirs).len());
            assert!(
                has == had || has == theirs.len(),
                "{when}: {who} holds {has} of the other side's {} members (had {had}): \
                 only part of a session was stored",
                theirs.len()
            );
            if has == had {
                nothing_moved += 1;
            } else {
                all_moved += 1;
            }
        }
        println!(
            "cycle {cycle}: killed {victim} after {delay:.1?}{}; staff holds {} members, \
             director {}; {:.1?}",
            if ended.is_some() {
                " (sync had ended)"
            } else {
                ""
            },
            on_staff.len(),
            on_director.len(),
            cycle_started.elapsed()
        );
    }

    // A last, whole sync: both hold exactly the same members, every one created.
    let (mut server, _out, addr) = serve(&director);
    let out = staff.ok(&["sync", "--peer", &addr, "--bind", "127.0.0.1:0"]);
    stop(&director, &mut server);
    assert!(!out.contains("failed"), "the last sync failed:\n{out}");
    let when = "after the last sync";
    let on_staff = check_device(&staff, "staff", &created, &mut problems, when);
    let on_director = check_device(&director, "director", &created, &mut problems, when);
    let all: BTreeSet<String> = created.keys().cloned().collect();
    assert_eq!(on_director, all, "the director holds every member created");
    assert_eq!(
        on_staff, on_director,
        "the staff device holds exactly the director's members"
    );
    let staff_list = listed(&staff.ok(&["member", "list", "--json"]));
    assert_eq!(staff_list.keys().cloned().collect::<BTreeSet<_>>(), all);

    println!(
        "{CYCLES} sync cycles in {:.1?}: killed sync {staff_killed}x, serve {director_killed}x \
         ({sync_ended_first} syncs had ended before the kill; {sync_reaped} syncs still waiting \
         1 s after their peer died were killed too); a side received nothing {nothing_moved}x, \
         everything {all_moved}x, part of it 0x; {} members on each side in the end ({} written \
         by staff); a store failed to open {} times",
        started.elapsed(),
        all.len(),
        from_staff.len(),
        problems.len(),
    );
    assert!(
        problems.is_empty(),
        "after {} crashes (of {CYCLES} cycles) a store did not open until redb repaired it:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The smallest case of a store not closed cleanly, fast and deterministic: `carnet serve` holds
/// the store open (without writing) and is killed; the next command must open the store.
#[test]
fn the_store_opens_after_carnet_serve_is_killed() {
    let home = Home::init();
    let id = home.add_member(&["--name", "Ada Obi", "--last-name", "Obi"]);
    let (mut server, _out, _addr) = serve(&home);
    server.kill().expect("killing carnet serve");
    server.wait().expect("reaping carnet serve");
    let args = ["member", "show", id.as_str(), "--json"];
    let out = home.carnet(&args);
    assert_failed_cleanly_or_ok(&args, &out);
    // Whatever happened, nothing is lost: after redb's own read-write open (which repairs), all
    // is there.
    repair(&home.store_path());
    assert_eq!(home.fields("member", &id)["last_name"], "Obi");
    home.ok(&["verify"]);
    assert!(
        out.status.success(),
        "the store did not open after `carnet serve` was killed (it opens once redb repairs \
         it):\n{}",
        describe(&args, &out)
    );
}

/// Asserts that a run succeeded or failed without a panic.
fn assert_failed_cleanly_or_ok(args: &[&str], out: &std::process::Output) {
    if !out.status.success() {
        assert_failed_cleanly(args, out);
    }
}

/// A tmpfs mounted on a directory, unmounted when dropped.
struct Tmpfs(std::path::PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Result<Tmpfs, String> {
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).trim().to_owned());
        }
        Ok(Tmpfs(dir.to_path_buf()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let ok = Command::new("umount")
            .arg(&self.0)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        }
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|l| l.split_whitespace().nth(1).map(|u| u == "0"))
        })
        .unwrap_or(false)
}

/// Fills the file system holding `dir` with a file there, then frees `keep` bytes of it.
fn fill(dir: &Path, keep: u64) -> std::path::PathBuf {
    use std::io::Write;
    let path = dir.join("filler");
    let mut f = File::create(&path).expect("a filler file");
    let chunk = vec![0x5a_u8; 64 * 1024];
    let mut written = 0u64;
    loop {
        match f.write(&chunk) {
            Ok(0) => break,
            Ok(n) => written += n as u64,
            Err(e) if e.kind() == std::io::ErrorKind::StorageFull => break,
            Err(e) => panic!("filling the disk: {e}"),
        }
    }
    f.set_len(written.saturating_sub(keep))
        .expect("freeing part of the filler");
    path
}

#[test]
fn a_full_disk_gives_a_clear_error_and_corrupts_nothing() {
    if !is_root() {
        carnet_tests::cannot_run("mounting a small tmpfs needs root");
        return;
    }
    let started = Instant::now();
    let home = Home::new();
    std::fs::create_dir_all(home.path()).expect("the home directory");
    // Dropped before `home`, which removes the directory.
    let _tmpfs = match Tmpfs::mount(home.path(), "1m") {
        Ok(m) => m,
        Err(why) => {
            carnet_tests::cannot_run(&format!("cannot mount a tmpfs: {why}"));
            return;
        }
    };
    home.ok(&["init", "--org", ORG, "--holder", HOLDER]);
    let mut acked = vec![home.add_member(&["--name", "Before0", "--last-name", "LBefore0"])];
    let filler = fill(home.path(), 96 * 1024);

    let notes = format!("case_notes={}", "x".repeat(3000));
    let mut failure = None;
    for i in 1..=200 {
        let name = format!("Member{i}");
        let last = format!("L{name}");
        let args = [
            "member",
            "add",
            "--name",
            &name,
            "--last-name",
            &last,
            "--field",
            &notes,
        ];
        let out = home.carnet(&args);
        if out.status.success() {
            let stdout = String::from_utf8_lossy(&out.stdout);
            let id = stdout
                .trim()
                .strip_prefix("added member ")
                .unwrap_or_else(|| panic!("no id: {stdout}"))
                .to_owned();
            acked.push(id);
        } else {
            failure = Some((args.map(str::to_owned), out));
            break;
        }
    }
    let (args, out) =
        failure.expect("200 members of 3 KB filled no 96 KiB: the disk never got full");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    println!(
        "full after {} members acknowledged: {}",
        acked.len(),
        String::from_utf8_lossy(&out.stderr).trim()
    );
    assert_failed_cleanly(&args, &out);
    let stderr = String::from_utf8_lossy(&out.stderr).to_lowercase();
    assert!(
        stderr.contains("no space left") || stderr.contains("disk is full"),
        "the error does not say the disk is full\n{}",
        describe(&args, &out)
    );
    assert!(out.stdout.is_empty(), "{}", describe(&args, &out));

    let mut problems = Vec::new();
    let check = |home: &Home, problems: &mut Vec<String>, when: &str| {
        let list = listed(&after_crash(
            home,
            &["member", "list", "--json"],
            problems,
            when,
        ));
        let lost: Vec<&String> = acked.iter().filter(|id| !list.contains_key(*id)).collect();
        assert!(
            lost.is_empty(),
            "{when}: acknowledged members lost: {lost:?}"
        );
        assert_eq!(
            list.len(),
            acked.len(),
            "{when}: the failed add left a member"
        );
        let all = members(home, problems, when);
        for (id, fields) in &all {
            let name = &fields["display_name"];
            assert_eq!(
                fields.get("last_name"),
                Some(&format!("L{name}")),
                "{when}: member {id} is half-applied: {fields:?}"
            );
        }
        after_crash(home, &["verify"], problems, when);
    };

    // A copy of the store, taken while the disk is full, is whole.
    let copy = Home::new();
    std::fs::create_dir_all(copy.path()).expect("the copy's home");
    std::fs::copy(home.store_path(), copy.store_path()).expect("copying the store out");
    // The records' personal-file keys live beside it (`docs/storage.md`).
    let keys = home.store_path().with_extension("keys");
    if keys.exists() {
        std::fs::copy(&keys, copy.store_path().with_extension("keys")).expect("copying the keys");
    }
    check(&copy, &mut problems, "a copy taken while the disk was full");

    // With space again, the store in place is whole and takes new members.
    std::fs::remove_file(filler).expect("removing the filler");
    check(&home, &mut problems, "in place, space freed");
    home.add_member(&["--name", "After", "--last-name", "LAfter"]);

    println!(
        "{} members acknowledged before the disk was full, all present; in {:.1?}; the store \
         failed to open {} times",
        acked.len(),
        started.elapsed(),
        problems.len()
    );
    assert!(
        problems.is_empty(),
        "after the failed write the store did not open until redb repaired it:\n{}",
        problems.join("\n")
    );
}
