//! Helpers for tests that drive the real `entrepairs` binary in temporary data directories,
//! as a user would from a shell. The desktop app's end-to-end scenarios use them to prepare
//! the data folders they open; their harness for the app itself is `app.rs`, beside this file.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The `entrepairs` binary cargo built for these tests. Cargo names it to the tests of its own
/// package (`cli`); the desktop app's end-to-end tests, in another package, find it beside their
/// own executable, where `cargo test --workspace` builds it.
pub fn bin() -> PathBuf {
    if let Some(path) = option_env!("CARGO_BIN_EXE_entrepairs") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("the test's executable");
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .expect("the target folder")
        .join(format!("entrepairs{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} is built by `cargo test --workspace`",
        bin.display()
    );
    bin
}

/// One peer: a data directory inside a temporary directory that is removed on drop.
pub struct Peer {
    _tmp: tempfile::TempDir,
    pub dir: PathBuf,
}

impl Peer {
    /// A peer whose data directory does not exist yet.
    pub fn new() -> Peer {
        let tmp = tempfile::tempdir().expect("temporary directory");
        let dir = tmp.path().join("data");
        Peer { _tmp: tmp, dir }
    }

    /// A peer after `init --name NAME --workspace Acme`.
    pub fn init(name: &str) -> Peer {
        let peer = Peer::new();
        peer.ok(&["init", "--name", name, "--workspace", "Acme"]);
        peer
    }

    /// A scratch path next to the data directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.parent().expect("parent").join(name)
    }

    /// `entrepairs --data-dir DIR ARGS...`, with the environment cleared of our variables.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(bin());
        cmd.arg("--data-dir").arg(&self.dir).args(args);
        cmd.env_remove("ENTREPAIRS_DATA_DIR")
            .env_remove("ENTREPAIRS_LOG");
        cmd.stdin(Stdio::null());
        cmd
    }

    /// [`Peer::cmd`] run inside the network namespace `ns` (`ip netns exec`).
    pub fn cmd_in(&self, ns: &str, args: &[&str]) -> Command {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", ns])
            .arg(bin())
            .arg("--data-dir")
            .arg(&self.dir)
            .args(args);
        cmd.env_remove("ENTREPAIRS_DATA_DIR")
            .env_remove("ENTREPAIRS_LOG");
        cmd.stdin(Stdio::null());
        cmd
    }

    /// Runs a command.
    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("run entrepairs")
    }

    /// Runs a command with `input` on standard input.
    pub fn run_with_stdin(&self, args: &[&str], input: &str) -> Output {
        let mut child = self
            .cmd(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn entrepairs");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
        child.wait_with_output().expect("wait entrepairs")
    }

    /// Runs a command that must succeed; returns its standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        check_ok(args, self.run(args))
    }

    /// Runs a command with `--json` that must succeed; returns the parsed output.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let out = self.ok(&all);
        serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("{args:?} printed invalid JSON ({e}):\n{out}"))
    }

    /// Runs a command that must fail cleanly; returns its one line of standard error.
    pub fn fail(&self, args: &[&str]) -> String {
        check_fail(args, self.run(args))
    }
}

/// Asserts success and returns stdout.
pub fn check_ok(args: &[&str], out: Output) -> String {
    let stdout = String::from_utf8(out.stdout).expect("utf-8 stdout");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{args:?} failed ({}):\n{stderr}",
        out.status
    );
    stdout
}

/// Asserts a clean failure: non-zero exit, exactly one line on stderr starting with
/// `error:`, no panic, no backtrace. Returns that line.
pub fn check_fail(args: &[&str], out: Output) -> String {
    let stderr = String::from_utf8(out.stderr).expect("utf-8 stderr");
    assert!(
        !out.status.success(),
        "{args:?} should have failed; stdout:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(out.status.code().is_some(), "{args:?} died of a signal");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "{args:?} should print one line on stderr, got:\n{stderr}"
    );
    let line = lines[0];
    assert!(line.starts_with("error: "), "{args:?}: {line}");
    for bad in ["panicked", "backtrace", "internal error", "RUST_BACKTRACE"] {
        assert!(!line.contains(bad), "{args:?}: {line}");
    }
    line.to_owned()
}

/// The last non-empty line of a command's output: the id a creating command printed.
pub fn id_of(stdout: &str) -> String {
    let lines: Vec<&str> = stdout.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(
        lines.len(),
        1,
        "a creating command prints the id alone on a line, got {stdout:?}"
    );
    lines[0].trim().to_owned()
}

/// A snapshot of every file under `dir` (name, length and a hash of the bytes), to prove
/// nothing changed.
pub fn files(dir: &Path) -> Vec<(PathBuf, usize, u64)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("read file");
                let mut hasher = std::collections::hash_map::DefaultHasher::new();
                std::hash::Hash::hash(&bytes, &mut hasher);
                out.push((path, bytes.len(), std::hash::Hasher::finish(&hasher)));
            }
        }
    }
    out.sort();
    out
}

/// A running `entrepairs serve`, stopped with SIGTERM when dropped.
pub struct Serve {
    child: Child,
    pub addr: String,
    /// The first line `serve` printed.
    pub first_line: String,
    log: std::path::PathBuf,
}

impl Serve {
    pub fn start(peer: &Peer) -> Serve {
        Serve::start_on(peer, "/ip4/127.0.0.1/tcp/0")
    }

    pub fn start_on(peer: &Peer, listen: &str) -> Serve {
        Serve::spawn(peer, &["serve", "--listen", listen, "--no-mdns"])
    }

    /// `serve --relay` on `listen`: a member's device relaying for the workspace.
    pub fn start_relay(peer: &Peer, listen: &str) -> Serve {
        Serve::spawn(peer, &["serve", "--listen", listen, "--no-mdns", "--relay"])
    }

    /// `serve --json`, on loopback.
    pub fn start_json(peer: &Peer) -> Serve {
        Serve::spawn(
            peer,
            &[
                "serve",
                "--listen",
                "/ip4/127.0.0.1/tcp/0",
                "--no-mdns",
                "--json",
            ],
        )
    }

    fn spawn(peer: &Peer, args: &[&str]) -> Serve {
        Serve::spawn_cmd(peer, peer.cmd(args))
    }

    /// `serve ARGS` run inside the network namespace `ns`.
    pub fn start_in(peer: &Peer, ns: &str, args: &[&str]) -> Serve {
        let mut all = vec!["serve"];
        all.extend_from_slice(args);
        Serve::spawn_cmd(peer, peer.cmd_in(ns, &all))
    }

    /// What it logged so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn spawn_cmd(peer: &Peer, mut cmd: Command) -> Serve {
        let log = peer.path(&format!("serve-{}.log", std::process::id()));
        let mut child = cmd
            .env("ENTREPAIRS_LOG", "info,libp2p=warn")
            .stdout(Stdio::piped())
            .stderr(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&log)
                    .expect("the serve log"),
            )
            .spawn()
            .expect("start serve");
        let stdout = child.stdout.take().expect("serve's stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let line = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("serve prints its address");
        let addr = match line.strip_prefix("listening ") {
            Some(addr) => addr.to_owned(),
            None => serde_json::from_str::<serde_json::Value>(&line)
                .ok()
                .and_then(|v| v["listening"].as_str().map(str::to_owned))
                .unwrap_or_else(|| panic!("a listening line: {line}")),
        };
        assert!(addr.contains("/p2p/12D3KooW"), "{addr}");
        Serve {
            child,
            addr,
            first_line: line,
            log,
        }
    }

    pub fn kill(mut self) {
        self.child.kill().expect("kill serve");
        self.child.wait().expect("reap serve");
        std::mem::forget(self);
    }
}

impl Drop for Serve {
    #[allow(clippy::print_stderr)] // the log of a failed test's peer
    fn drop(&mut self) {
        if std::thread::panicking() {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            eprintln!("--- log of serve {} ---\n{log}", self.addr);
        }
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// Whether `peer` holds a note titled `title`.
pub fn has_note(peer: &Peer, title: &str) -> bool {
    peer.json(&["note", "list"])
        .as_array()
        .expect("a list of notes")
        .iter()
        .any(|n| n["title"] == title)
}

/// `from` writes a note titled `title`; waits (bounded) until `to` holds it.
pub fn note_reaches(from: &Peer, to: &Peer, title: &str) {
    from.ok(&["note", "add", "--title", title, "--body", "still here"]);
    // (Through a relay that just restarted, reservations and dials take a few round trips.)
    eventually_within(
        Duration::from_secs(60),
        &format!("the note '{title}' reaches its reader"),
        || has_note(to, title),
    );
}

/// Waits (bounded, 30 s) until `check` holds.
pub fn eventually(what: &str, check: impl Fn() -> bool) {
    eventually_within(Duration::from_secs(30), what, check);
}

/// Waits until `check` holds, at most `bound`.
pub fn eventually_within(bound: Duration, what: &str, check: impl Fn() -> bool) {
    let deadline = Instant::now() + bound;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A single-use ticket to join `admin`'s workspace (its `serve` must be running).
pub fn ticket(admin: &Peer) -> String {
    admin.json(&["invite", "create", "--expires", "10m"])["ticket"]
        .as_str()
        .expect("a ticket")
        .to_owned()
}

/// `admin` (serving) admits a new colleague named `name`, who joins with a ticket.
pub fn joined(admin: &Peer, name: &str) -> Peer {
    let peer = Peer::new();
    let t = ticket(admin);
    peer.ok(&["join", &t, "--name", name, "--timeout", "30s"]);
    peer
}
