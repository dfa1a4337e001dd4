//! Processes on Linux, read from `/proc`: the descendants of a process, SIGTERM for a group of
//! them, and a virtual display (Xvfb) for an app. Shared by the benchmark's desktop measures
//! and the end-to-end tests' app harness (`tests/e2e.rs` includes this file), which both start
//! the app through tauri-driver and WebKitWebDriver and must stop everything those started.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Sends SIGTERM to `pids` (the `kill` command: there is no `kill(2)` without unsafe code).
pub fn terminate(pids: &[u32]) {
    if pids.is_empty() {
        return;
    }
    let _ = Command::new("kill")
        .arg("-TERM")
        .args(pids.iter().map(u32::to_string))
        .stderr(Stdio::null())
        .status();
}

/// The fields of `/proc/PID/stat` after the name, which may hold spaces and parentheses:
/// `fields[0]` is the state, `fields[1]` the parent (the 4th field of proc(5)), and the
/// 3 + k-th field of proc(5) is `fields[k]`.
pub fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = stat.rsplit_once(')')?;
    Some(rest.split_whitespace().map(str::to_owned).collect())
}

/// The processes descended from `pid`, nearest first.
pub fn descendants(pid: u32) -> Vec<u32> {
    let mut parents = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(id) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let parent = stat_fields(id).and_then(|f| f.get(1).and_then(|p| p.parse::<u32>().ok()));
        if let Some(parent) = parent {
            parents.push((id, parent));
        }
    }
    let mut family = vec![pid];
    let mut next = 0;
    while let Some(&parent) = family.get(next) {
        family.extend(
            parents
                .iter()
                .filter(|(_, p)| *p == parent)
                .map(|(child, _)| *child),
        );
        next += 1;
    }
    family.split_off(1)
}

/// A child process stopped with SIGTERM when dropped, and then every process it had started:
/// tauri-driver, stopped, kills WebKitWebDriver, which would leave the app it started running
/// on its own. Never SIGKILL, which would leave WebKitWebDriver holding its port.
pub struct Family(pub Child);

impl Drop for Family {
    fn drop(&mut self) {
        let started = descendants(self.0.id());
        terminate(&[self.0.id()]);
        let _ = self.0.wait();
        terminate(&started);
        // Gone before the next app starts: what is left after a while is killed.
        if !gone(&started, EXITING) {
            let _ = Command::new("kill")
                .arg("-KILL")
                .args(started.iter().map(u32::to_string))
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// How long the processes a [`Family`] started may take to exit once told to.
const EXITING: Duration = Duration::from_secs(10);

/// Whether every one of `pids` has exited (or is a zombie waiting for its parent), waiting for
/// at most `limit`.
fn gone(pids: &[u32], limit: Duration) -> bool {
    let deadline = std::time::Instant::now() + limit;
    loop {
        let running = pids
            .iter()
            .any(|pid| stat_fields(*pid).is_some_and(|f| f.first().is_some_and(|s| s != "Z")));
        if !running {
            return true;
        }
        if std::time::Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A fresh Xvfb display, which picks a free display number itself and writes it once it
/// accepts connections (`-displayfd`): its name (`:N`) and the server, stopped when dropped.
pub fn xvfb(patience: Duration) -> Result<(String, Family), String> {
    let mut child = Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "1200x800x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start Xvfb (scripts/setup.sh installs it): {e}"))?;
    let stdout = child.stdout.take();
    let server = Family(child);
    let stdout = stdout.ok_or("Xvfb's output is not piped")?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(patience)
        .map_err(|_| format!("Xvfb gave no display within {patience:?}"))?;
    match line.trim().parse::<u32>() {
        Ok(number) => Ok((format!(":{number}"), server)),
        Err(_) => Err(format!("Xvfb did not start: {line:?}")),
    }
}
