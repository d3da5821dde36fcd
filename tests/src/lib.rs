//! Helpers for Carnet's end-to-end tests: temporary homes, running the real `carnet` binary in
//! them, and looking at what it left on disk (in the style of ripgrep's `tests/util.rs`).
//!
//! Every command runs as its own process, so each one opens and unlocks the store afresh: what a
//! test reads back has survived closing and reopening the store.
//!
//! ```no_run
//! let home = carnet_tests::Home::init();
//! let id = home.add_member(&["--name", "Joy"]);
//! assert_eq!(home.json(&["member", "show", &id, "--json"])["fields"]["display_name"], "Joy");
//! ```

pub mod raw;

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::Value;
use tempfile::TempDir;

/// The passphrase of every test home.
pub const PASSPHRASE: &str = "tests only: correct horse battery staple";

/// The organisation every test home is created for.
pub const ORG: &str = "Association Lumière";

/// The holder of every test home's device.
pub const HOLDER: &str = "Amara Diallo";

/// Longest a single `carnet` run may take before the test fails instead of hanging.
const TIMEOUT: Duration = Duration::from_secs(120);

/// The `carnet` binary under test: `CARNET_BIN` if set, else the workspace's own, built (or found
/// up to date) with cargo once per test process, with the profile the tests were built with.
pub fn carnet_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(bin) = std::env::var_os("CARNET_BIN") {
            return PathBuf::from(bin);
        }
        // Test executables live in <target>/<profile>/deps/.
        let exe = std::env::current_exe().expect("the test executable's path");
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("the test executable is in <target>/<profile>/deps");
        let target_dir = profile_dir.parent().expect("<target>/<profile>");
        let profile = match profile_dir.file_name().and_then(OsStr::to_str) {
            Some("debug") | None => "dev",
            Some(other) => other,
        };
        let bin = profile_dir.join(format!("carnet{}", std::env::consts::EXE_SUFFIX));
        // nextest runs each test in its own process: build once per run, not once per test.
        let marker = profile_dir.join(".carnet-tests-built");
        let run = std::env::var("NEXTEST_RUN_ID").ok();
        if run.is_some() && bin.is_file() && std::fs::read_to_string(&marker).ok() == run {
            return bin;
        }
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
        let out = std::process::Command::new(cargo)
            .arg("build")
            .arg("--quiet")
            .arg("--manifest-path")
            .arg(&manifest)
            .args([
                "--package",
                "carnet-cli",
                "--bin",
                "carnet",
                "--profile",
                profile,
            ])
            .env("CARGO_TARGET_DIR", target_dir)
            .output()
            .expect("running cargo to build carnet");
        assert!(
            out.status.success(),
            "building the carnet binary failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(bin.is_file(), "no carnet binary at {}", bin.display());
        if let Some(run) = run {
            // Only after a successful build, so that a test reading it finds a whole binary.
            let _ = std::fs::write(&marker, run);
        }
        bin
    })
}

/// What a finished run printed, for assertion messages.
pub fn describe(args: &[&str], out: &Output) -> String {
    format!(
        "carnet {}\nexit: {:?}\n--- stdout\n{}--- stderr\n{}",
        args.join(" "),
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A device's home in a temporary directory, removed when dropped.
pub struct Home {
    dir: TempDir,
    home: PathBuf,
    device: Option<String>,
    /// The day every run takes as today (`CARNET_TODAY`), when fixed.
    today: std::cell::RefCell<Option<String>>,
}

impl Home {
    /// A home that does not exist yet (`carnet init` creates it).
    pub fn new() -> Home {
        let dir = tempfile::Builder::new()
            .prefix("carnet-e2e-")
            .tempdir()
            .expect("a temporary directory");
        let home = dir.path().join("home");
        Home {
            dir,
            home,
            device: None,
            today: std::cell::RefCell::new(None),
        }
    }

    /// A copy of this home's files (a backup copy of the device), in a new temporary
    /// directory; no `carnet` process may have the store open meanwhile.
    pub fn copy(&self) -> Home {
        let mut copy = Home::new();
        copy.device = self.device.clone();
        *copy.today.borrow_mut() = self.today.borrow().clone();
        std::fs::create_dir_all(&copy.home).expect("the copy's home");
        for file in files_under(&self.home) {
            let rel = file.strip_prefix(&self.home).expect("under the home");
            let to = copy.home.join(rel);
            std::fs::create_dir_all(to.parent().expect("a parent")).expect("a directory");
            std::fs::copy(&file, &to).expect("copying a file of the home");
        }
        copy
    }

    /// Fixes the day the following runs take as today (`CARNET_TODAY=YYYY-MM-DD`).
    pub fn set_today(&self, day: &str) {
        *self.today.borrow_mut() = Some(day.to_owned());
    }

    /// A home where `carnet init` has created the organisation [`ORG`] held by [`HOLDER`].
    pub fn init() -> Home {
        let mut home = Home::new();
        let out = home.ok(&["init", "--org", ORG, "--holder", HOLDER, "--city", "Lyon"]);
        let device = out
            .lines()
            .find_map(|l| l.strip_prefix("this device: "))
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("init did not print the device id:\n{out}"))
            .to_owned();
        home.device = Some(device);
        home
    }

    /// The home directory (`CARNET_HOME`).
    pub fn path(&self) -> &Path {
        &self.home
    }

    /// The temporary directory holding the home; also the `HOME` of every run, so that nothing
    /// can escape into the real user's directories.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// The store file.
    pub fn store_path(&self) -> PathBuf {
        self.home.join("carnet.redb")
    }

    /// The store file's bytes.
    pub fn store_bytes(&self) -> Vec<u8> {
        std::fs::read(self.store_path()).expect("reading the store file")
    }

    /// This device's id (hex), as `carnet init` printed it.
    pub fn device_id(&self) -> &str {
        self.device.as_deref().expect("an initialised home")
    }

    /// Runs `carnet args` in this home with `passphrase`.
    pub fn carnet_with_passphrase(&self, passphrase: &str, args: &[&str]) -> Output {
        let mut cmd = assert_cmd::Command::new(carnet_bin());
        cmd.args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.root())
            .env("XDG_DATA_HOME", self.root().join("xdg"))
            .env("CARNET_HOME", &self.home)
            .env("CARNET_PASSPHRASE", passphrase)
            .env("RUST_BACKTRACE", "1")
            .current_dir(self.root())
            .timeout(TIMEOUT);
        if let Some(day) = self.today.borrow().as_deref() {
            cmd.env("CARNET_TODAY", day);
        }
        cmd.output().expect("running carnet")
    }

    /// Runs `carnet args` in this home with [`PASSPHRASE`].
    pub fn carnet(&self, args: &[&str]) -> Output {
        self.carnet_with_passphrase(PASSPHRASE, args)
    }

    /// Runs `carnet args`, asserts it succeeded and returns its standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.carnet(args);
        assert!(
            out.status.success(),
            "expected success\n{}",
            describe(args, &out)
        );
        String::from_utf8(out.stdout).expect("UTF-8 output")
    }

    /// Runs `carnet args`, asserts it failed cleanly (non-zero exit, no panic, nothing on
    /// standard output) and returns its standard error.
    pub fn fail(&self, args: &[&str]) -> String {
        let out = self.carnet(args);
        assert_failed_cleanly(args, &out);
        assert!(
            out.stdout.is_empty(),
            "a refused command printed results\n{}",
            describe(args, &out)
        );
        String::from_utf8(out.stderr).expect("UTF-8 error output")
    }

    /// Runs `carnet args` (which should include `--json`), asserts it succeeded and parses its
    /// output.
    pub fn json(&self, args: &[&str]) -> Value {
        let out = self.ok(args);
        serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("carnet {args:?}: not JSON ({e}):\n{out}"))
    }

    /// `carnet KIND add args`; returns the new record's id.
    pub fn added(&self, kind: &str, args: &[&str]) -> String {
        let mut all = vec![kind, "add"];
        all.extend_from_slice(args);
        let out = self.ok(&all);
        let prefix = format!("added {kind} ");
        out.lines()
            .find_map(|l| l.strip_prefix(prefix.as_str()))
            .unwrap_or_else(|| panic!("`carnet {kind} add` printed no id:\n{out}"))
            .trim()
            .to_owned()
    }

    /// A welfare check-in on `person` (checked on 5 January 2026, outcome safe); returns its id.
    pub fn add_welfare(&self, person: &str) -> String {
        self.added(
            "welfare",
            &[
                "-f",
                &format!("person={person}"),
                "-f",
                "checked_on=2026-01-05",
                "-f",
                "outcome=safe",
            ],
        )
    }

    /// `carnet member add args`; returns the new member's id.
    pub fn add_member(&self, args: &[&str]) -> String {
        self.added("member", args)
    }

    /// The day runs take as today: the fixed one, or the real one.
    pub fn today(&self) -> String {
        self.today
            .borrow()
            .clone()
            .unwrap_or_else(|| chrono::Utc::now().format("%Y-%m-%d").to_string())
    }

    /// `carnet member add args` (which must not set a status), then what rule A1 asks of an
    /// active member: an active-form signature, an accepted application, then the status;
    /// returns her id.
    pub fn add_active_member(&self, args: &[&str]) -> String {
        let id = self.add_member(args);
        let today = self.today();
        self.ok(&[
            "signature",
            "add",
            "-f",
            &format!("person={id}"),
            "-f",
            "form=active",
            "-f",
            &format!("signed_on={today}"),
        ]);
        self.ok(&[
            "application",
            "add",
            "-f",
            &format!("person={id}"),
            "-f",
            "decision=accepted",
            "-f",
            &format!("vote_on={today}"),
        ]);
        self.ok(&["member", "set", &id, "--status", "active"]);
        id
    }

    /// `carnet project add args`; returns the new project's id.
    pub fn add_project(&self, args: &[&str]) -> String {
        self.added("project", args)
    }

    /// The fields of member or project `record` as `show --json` gives them.
    pub fn fields(&self, kind: &str, record: &str) -> Value {
        self.json(&[kind, "show", record, "--json"])["fields"].clone()
    }

    /// Everything the command line shows of this home: both lists, and each record's
    /// `show --json` and `history --json`.
    pub fn snapshot(&self) -> Snapshot {
        let mut snap = Snapshot::default();
        for kind in ["member", "project"] {
            let list = self.json(&[kind, "list", "--json"]);
            let ids: Vec<String> = list
                .as_array()
                .expect("a JSON list")
                .iter()
                .map(|r| r["id"].as_str().expect("an id").to_owned())
                .collect();
            snap.lists.insert(kind.to_owned(), list);
            for id in ids {
                snap.shows
                    .insert(id.clone(), self.json(&[kind, "show", &id, "--json"]));
                snap.histories
                    .insert(id.clone(), self.json(&["history", &id, "--json"]));
            }
        }
        snap
    }

    /// Opens the store with the library (no `carnet` process may have it open meanwhile).
    pub fn open_store(&self) -> carnet_store::Store {
        carnet_store::Store::open(&self.store_path(), PASSPHRASE.as_bytes())
            .expect("opening the store with the library")
    }
}

impl Default for Home {
    fn default() -> Self {
        Home::new()
    }
}

/// Asserts that a run failed the way a refusal should: a non-zero exit code and no panic.
pub fn assert_failed_cleanly(args: &[&str], out: &Output) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "expected failure\n{}",
        describe(args, out)
    );
    assert!(
        out.status.code().is_some_and(|c| c != 101) && !stderr.contains("panicked"),
        "carnet crashed instead of refusing\n{}",
        describe(args, out)
    );
}

/// What `carnet` shows of a home, to compare before and after a command.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Snapshot {
    /// `member list --json` and `project list --json`, by kind.
    pub lists: BTreeMap<String, Value>,
    /// `show --json` of every record, by id.
    pub shows: BTreeMap<String, Value>,
    /// `history --json` of every record, by id.
    pub histories: BTreeMap<String, Value>,
}

/// Every file under `dir` (recursively) whose bytes contain one of `needles`, as (file, index
/// of the needle in `needles`).
pub fn scan_files(dir: &Path, needles: &[&[u8]]) -> Vec<(PathBuf, usize)> {
    let mut found = Vec::new();
    for file in files_under(dir) {
        let bytes = std::fs::read(&file).expect("reading a file of the home");
        for (i, needle) in needles.iter().enumerate() {
            if contains(&bytes, needle) {
                found.push((file.clone(), i));
            }
        }
    }
    found
}

/// Every regular file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).expect("listing a directory") {
            let path = entry.expect("a directory entry").path();
            let meta = std::fs::symlink_metadata(&path).expect("a file's metadata");
            if meta.is_dir() {
                todo.push(path);
            } else if meta.is_file() {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// A test that cannot create what it needs (root, namespaces, a tmpfs): under CI (`CI` set,
/// as `.ci/run` sets it) this fails the test, since a test that cannot run must never pass
/// there; elsewhere it prints that the test was skipped. Returns only when not under CI.
pub fn cannot_run(why: &str) {
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false" && v != "0") {
        panic!("this test cannot run here, and CI is set: {why}");
    }
    eprintln!("skipped (CI is not set): {why}");
}

/// Whether `needle` occurs in `haystack`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Sends `signal` (a name such as `INT` or `KILL`) to process `pid` with the `kill` command.
pub fn send_signal(pid: u32, signal: &str) -> bool {
    std::process::Command::new("kill")
        .args(["-s", signal, &pid.to_string()])
        .status()
        .is_ok_and(|s| s.success())
}

/// A `carnet` process running in the background (`serve`, `device invite`), its standard output
/// and error gathered as it prints them. Killed (SIGKILL) when dropped if still running.
pub struct Running {
    child: std::process::Child,
    /// Its standard input, for answers (`carnet device invite` asks to confirm a code).
    input: Option<std::process::ChildStdin>,
    what: String,
    printed: std::sync::Arc<(std::sync::Mutex<String>, std::sync::Condvar)>,
    readers: Vec<std::thread::JoinHandle<()>>,
}

impl Running {
    /// Starts `cmd` with its standard output and error piped to this value.
    pub fn spawn(mut cmd: std::process::Command, what: impl Into<String>) -> Running {
        use std::io::BufRead;
        use std::process::Stdio;
        let what = what.into();
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {what}: {e}"));
        let printed =
            std::sync::Arc::new((std::sync::Mutex::new(String::new()), Default::default()));
        let stdout = child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>);
        let stderr = child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>);
        let readers = [stdout, stderr]
            .into_iter()
            .flatten()
            .map(|stream| {
                let printed = printed.clone();
                std::thread::spawn(move || {
                    for line in std::io::BufReader::new(stream).lines() {
                        let Ok(line) = line else { break };
                        let (text, changed): &(std::sync::Mutex<String>, std::sync::Condvar) =
                            &printed;
                        let mut text = text.lock().unwrap_or_else(|e| e.into_inner());
                        text.push_str(&line);
                        text.push('\n');
                        changed.notify_all();
                    }
                })
            })
            .collect();
        let input = child.stdin.take();
        Running {
            child,
            input,
            what,
            printed,
            readers,
        }
    }

    /// Types `line` (and Enter) on the process's standard input.
    pub fn type_line(&mut self, line: &str) {
        use std::io::Write;
        let input = self.input.as_mut().expect("the process's standard input");
        input
            .write_all(format!("{line}\n").as_bytes())
            .and_then(|()| input.flush())
            .unwrap_or_else(|e| panic!("typing into {}: {e}", self.what));
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything printed so far (standard output and error, line by line as they came).
    pub fn printed(&self) -> String {
        self.printed
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Waits until `found` returns something for what was printed so far, at most `timeout`.
    pub fn wait_for<T>(
        &self,
        timeout: Duration,
        mut found: impl FnMut(&str) -> Option<T>,
    ) -> Option<T> {
        let deadline = std::time::Instant::now() + timeout;
        let (text, changed) = &*self.printed;
        let mut text = text.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(t) = found(&text) {
                return Some(t);
            }
            let now = std::time::Instant::now();
            if now >= deadline {
                return None;
            }
            // Also wake up now and then: the process may have exited without printing.
            let wait = (deadline - now).min(Duration::from_millis(200));
            text = changed
                .wait_timeout(text, wait)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Waits at most `timeout` for the process to exit; its exit status, or `None` if it still
    /// runs. Once it exited, everything it printed has been gathered.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("checking a child process") {
                for reader in self.readers.drain(..) {
                    let _ = reader.join();
                }
                return Some(status);
            }
            if std::time::Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the process as Ctrl-C does (SIGINT) and waits for it to exit (killing it after
    /// 20 s); its exit status.
    pub fn interrupt(&mut self) -> std::process::ExitStatus {
        if let Some(status) = self.wait_exit(Duration::ZERO) {
            return status;
        }
        send_signal(self.pid(), "INT");
        match self.wait_exit(Duration::from_secs(20)) {
            Some(status) => status,
            None => {
                self.kill();
                panic!(
                    "{} did not stop within 20 s of SIGINT:\n{}",
                    self.what,
                    self.printed()
                )
            }
        }
    }

    /// Kills the process (SIGKILL) and waits for it.
    pub fn kill(&mut self) -> std::process::ExitStatus {
        let _ = self.child.kill();
        self.wait_exit(Duration::from_secs(20))
            .unwrap_or_else(|| panic!("{} survived SIGKILL", self.what))
    }

    /// What this process is, with what it printed so far, for assertion messages.
    pub fn describe(&self) -> String {
        format!("{}\n--- printed\n{}", self.what, self.printed())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A peer's address as `carnet serve` prints it: `DEVICE@IP:PORT`.
pub fn listening_address(printed: &str) -> Option<String> {
    printed
        .lines()
        .find_map(|l| l.strip_prefix("listening as "))
        .map(|a| a.trim().to_owned())
}

impl Home {
    /// A command running `program` with `prefix` arguments and then the `carnet` binary with
    /// `args`, in this home's environment (as [`Home::carnet`] runs it): with `program` =
    /// `"ip"` and `prefix` = `["netns", "exec", NS]`, `carnet` runs in network namespace NS.
    pub fn command_via(
        &self,
        program: &str,
        prefix: &[&str],
        args: &[&str],
    ) -> std::process::Command {
        let mut cmd = std::process::Command::new(program);
        cmd.args(prefix).arg(carnet_bin());
        cmd.args(args);
        self.set_env(&mut cmd);
        cmd
    }

    /// A command running `carnet args` in this home's environment.
    pub fn command(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new(carnet_bin());
        cmd.args(args);
        self.set_env(&mut cmd);
        cmd
    }

    fn set_env(&self, cmd: &mut std::process::Command) {
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.root())
            .env("XDG_DATA_HOME", self.root().join("xdg"))
            .env("CARNET_HOME", &self.home)
            .env("CARNET_PASSPHRASE", PASSPHRASE)
            .env("RUST_BACKTRACE", "1")
            .current_dir(self.root());
        if let Some(day) = self.today.borrow().as_deref() {
            cmd.env("CARNET_TODAY", day);
        }
    }

    /// Starts `carnet args` in this home in the background.
    pub fn spawn(&self, args: &[&str]) -> Running {
        Running::spawn(self.command(args), format!("carnet {}", args.join(" ")))
    }

    /// Starts `carnet serve extra…` in this home and waits (at most 30 s) for its address,
    /// `DEVICE@IP:PORT`.
    pub fn serve(&self, extra: &[&str]) -> (Running, String) {
        let mut args = vec!["serve"];
        args.extend_from_slice(extra);
        let running = self.spawn(&args);
        let addr = running
            .wait_for(Duration::from_secs(30), listening_address)
            .unwrap_or_else(|| panic!("serve printed no address:\n{}", running.describe()));
        (running, addr)
    }

    /// `carnet join ticket` in this home (which must not exist yet); the run's output. On
    /// success the home's device id is the one `join` printed.
    pub fn join(&mut self, ticket: &str) -> Output {
        let out = self.carnet(&["join", ticket]);
        self.note_device(&out);
        out
    }

    /// `carnet join ticket` in this home while `invite` (the inviter's `carnet device invite`)
    /// runs: the joining device prints its confirmation code, the inviter shows the same code
    /// for it (checked here) and is answered `yes`, as the person holding both would.
    pub fn join_confirmed(&mut self, ticket: &str, invite: &mut Running) -> Output {
        let mut joining = self.spawn(&["join", ticket]);
        let code = joining.wait_for(Duration::from_secs(60), |text| {
            text.lines()
                .find_map(|l| l.strip_prefix("confirmation code: "))
                .and_then(|rest| rest.split("  ").next())
                .map(|c| c.trim().to_owned())
        });
        if let Some(code) = code {
            let asked = format!("must show the code {code}");
            invite
                .wait_for(Duration::from_secs(60), |text| {
                    text.contains(&asked).then_some(())
                })
                .unwrap_or_else(|| {
                    panic!(
                        "the inviter never showed the joining device's code {code}:\n{}\n{}",
                        invite.describe(),
                        joining.describe()
                    )
                });
            invite.type_line("yes");
        }
        let status = joining
            .wait_exit(Duration::from_secs(120))
            .unwrap_or_else(|| panic!("carnet join did not end:\n{}", joining.describe()));
        let out = Output {
            status,
            stdout: joining.printed().into_bytes(),
            stderr: vec![],
        };
        self.note_device(&out);
        out
    }

    fn note_device(&mut self, out: &Output) {
        if out.status.success() {
            let text = String::from_utf8_lossy(&out.stdout);
            self.device = text
                .lines()
                .find_map(|l| l.strip_prefix("this device: "))
                .and_then(|rest| rest.split(['@', ' ']).next())
                .map(str::to_owned);
        }
    }
}

/// What `enrol` and most tests invite: a staff device with a confidentiality agreement.
pub const STAFF: [&str; 6] = [
    "--role",
    "staff",
    "--holder",
    "Sam Staff",
    "--agreement",
    "2024-03-01",
];

/// Starts `carnet device invite invite_args` on `inviter` and waits (at most 30 s) for the
/// ticket it prints; returns the running invitation and the ticket.
pub fn invite(inviter: &Home, invite_args: &[&str]) -> (Running, String) {
    let mut args = vec!["device", "invite"];
    args.extend_from_slice(invite_args);
    let invite = inviter.spawn(&args);
    let ticket = invite
        .wait_for(Duration::from_secs(30), |text| {
            text.lines()
                .find(|l| l.starts_with("carnet1"))
                .map(|l| l.trim().to_owned())
        })
        .unwrap_or_else(|| panic!("no ticket printed:\n{}", invite.describe()));
    (invite, ticket)
}

/// `carnet device invite invite_args --bind 127.0.0.1:0` on `inviter`, then `carnet join` of
/// the printed ticket in `joiner` (a home that does not exist yet); checks that both sides say
/// the device joined and that the invitation then ends by itself; returns the ticket (used from
/// now on).
pub fn enrol(inviter: &Home, joiner: &mut Home, invite_args: &[&str]) -> String {
    let mut args = invite_args.to_vec();
    args.extend_from_slice(&["--bind", "127.0.0.1:0"]);
    let (mut invite, ticket) = invite(inviter, &args);

    let out = joiner.join_confirmed(&ticket, &mut invite);
    let join_args = ["join", ticket.as_str()];
    assert!(
        out.status.success(),
        "joining failed\n{}\n{}",
        describe(&join_args, &out),
        invite.describe()
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("joined as"),
        "{}",
        describe(&join_args, &out)
    );
    assert!(
        joiner.path().join("carnet.redb").is_file(),
        "join made no store"
    );
    // The inviter logs its side of the session at once, then ends.
    invite
        .wait_for(Duration::from_secs(15), |text| {
            text.contains("joined as").then_some(())
        })
        .unwrap_or_else(|| {
            panic!(
                "the invitation logged nothing 15 s after its device joined:\n{}",
                invite.describe()
            )
        });
    let status = invite.wait_exit(Duration::from_secs(15));
    assert!(
        status.is_some_and(|s| s.success()),
        "the invitation did not end well after its device joined: {status:?}\n{}",
        invite.describe()
    );
    ticket
}

/// The value of row `label` of section `title` in `report --json` output.
pub fn report_cell<'a>(
    report: &'a serde_json::Value,
    title: &str,
    label: &str,
) -> &'a serde_json::Value {
    report["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .find(|s| s["title"] == title)
        .and_then(|s| {
            s["rows"]
                .as_array()
                .expect("rows")
                .iter()
                .find(|r| r["label"] == label)
        })
        .map(|r| &r["value"])
        .unwrap_or_else(|| panic!("no row {title} / {label} in {report:#}"))
}
