//! The reach measures, in network namespaces ([`crate::netns`]) with real processes: the initial
//! sync of the bench workspace through the team's relay between two homes behind symmetric NATs
//! (where no hole punch can succeed), beside the same sync direct; and the time from typing a
//! code to the first synced note in a meeting room.
//!
//! The relay host runs the network alone (`xtask relay-peer`, a member's device key, libp2p's
//! relay server admitting the two members), so it carries the sync without holding a copy of the
//! workspace and competing with the two peers for the CPU.

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail, ensure};
use ipc::ops;
use net::{Command as NetCommand, Event as NetEvent, Peer};
use node::{Node, NoteDraft};
use tokio::sync::mpsc;

use crate::fixture::{Fixture, copy_dir};
use crate::netns::{self, Lab};
use crate::peer::{PATIENCE, device_id, serve_on, traffic, wait_docs};
use crate::{Config, secs};

/// One way of syncing, every run.
#[derive(Debug, Default, Clone)]
pub struct Runs {
    /// Seconds from B starting to serve until it holds every document.
    pub seconds: Vec<f64>,
    /// Bytes of sync frames between A and B, both ways.
    pub frames: Vec<f64>,
    /// Bytes through B's network interface, both ways (frames, Noise, yamux, TCP/IP, relay
    /// and hole-punch signalling).
    pub link: Vec<f64>,
    /// How B last reached A, as `peers` reports it.
    pub paths: Vec<String>,
}

/// The initial sync relayed and direct.
#[derive(Debug, Clone)]
pub struct Reach {
    /// B behind a symmetric NAT dials A at home behind another, through the relay.
    pub relayed: Runs,
    /// B behind a symmetric NAT dials A at a public address.
    pub direct: Runs,
}

/// A harness process running in a namespace, its standard output read line by line.
struct Proc {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<String>,
    what: String,
}

impl Proc {
    /// Runs `exe ARGS` in namespace `ns`.
    fn spawn(ns: &str, exe: &Path, args: &[&str]) -> Result<Proc> {
        let what = format!("{} in {ns}", args.first().copied().unwrap_or("xtask"));
        let mut child = Command::new("ip")
            .args(["netns", "exec", ns])
            .arg(exe)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start {what}"))?;
        let stdout = child.stdout.take().context("no stdout")?;
        let (tx, lines) = mpsc::channel(256);
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.blocking_send(line).is_err() {
                    break;
                }
            }
        });
        Ok(Proc {
            stdin: child.stdin.take(),
            child,
            lines,
            what,
        })
    }

    /// Waits (bounded by [`PATIENCE`]) for a line starting with `prefix`; the rest of it.
    async fn line(&mut self, prefix: &str) -> Result<String> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.lines.recv()).await {
                Ok(Some(line)) => {
                    if let Some(rest) = line.strip_prefix(prefix) {
                        return Ok(rest.to_owned());
                    }
                }
                Err(_) => bail!("{} printed no `{prefix}` line in time", self.what),
                Ok(None) => bail!("{} ended without a `{prefix}` line", self.what),
            }
        }
    }

    /// Forgets the lines printed so far.
    fn drain(&mut self) {
        while self.lines.try_recv().is_ok() {}
    }

    /// Closes its standard input (which tells it to stop) and waits (bounded by [`PATIENCE`])
    /// for it to end well; kills it if it does not end in time.
    async fn finish(mut self) -> Result<()> {
        drop(self.stdin.take());
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait()? {
                ensure!(status.success(), "{} ended with {status}", self.what);
                return Ok(());
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                bail!("{} did not stop", self.what);
            }
            // A process's end is not an event this side can wait on without a thread.
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        // When `finish` was not reached or failed: never leave it running.
        if !matches!(self.child.try_wait(), Ok(Some(_))) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Bytes received and sent so far on `eth0` in namespace `ns`.
fn link_bytes(ns: &str) -> Result<f64> {
    let mut total = 0.0;
    for way in ["rx", "tx"] {
        let text = netns::in_ns(
            ns,
            &[
                "cat",
                &format!("/sys/class/net/eth0/statistics/{way}_bytes"),
            ],
        )
        .map_err(anyhow::Error::msg)?;
        total += text
            .trim()
            .parse::<f64>()
            .with_context(|| format!("{way}_bytes in {ns}: {text:?}"))?;
    }
    Ok(total)
}

/// Both ways, `config.runs` times each, in one lab.
pub async fn initial_sync(config: &Config, fx: &Fixture, progress: &dyn Fn(&str)) -> Result<Reach> {
    let relay_key = fx
        .relay_key
        .as_ref()
        .context("the reach measures need at least 3 members")?;
    if let Some(why) = netns::unavailable() {
        bail!(why);
    }
    let lab = Lab::build("x", 77, true).map_err(anyhow::Error::msg)?;
    let exe = &config.exe;
    let dir = config.work.join("reach");
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&fx.admin, &dir.join("a0"))?;
    let a = Node::open(&dir.join("a0")).await?;
    let alice = device_id(&a).await?;
    a.shutdown().await?;
    copy_dir(&fx.bob_key, &dir.join("b0"))?;
    let bob = Node::join(&dir.join("b0"), &fx.workspace).await?;
    let bob_id = device_id(&bob).await?;
    bob.shutdown().await?;

    let key = relay_key.to_string_lossy().into_owned();
    let listen = format!("/ip4/{}/tcp/4001", lab.relay_ip);
    let mut relay = Proc::spawn(
        &lab.relay,
        exe,
        &[
            "relay-peer",
            &key,
            "--listen",
            &listen,
            "--member",
            &alice,
            "--member",
            &bob_id,
        ],
    )?;
    let relay_addr = relay.line("listening ").await?;
    let mut out = Reach {
        relayed: Runs::default(),
        direct: Runs::default(),
    };
    for run in 0..config.runs {
        for relayed in [true, false] {
            let (a_dir, b_dir) = (
                dir.join(format!("a-{run}-{relayed}")),
                dir.join(format!("b-{run}-{relayed}")),
            );
            copy_dir(&dir.join("a0"), &a_dir)?;
            copy_dir(&dir.join("b0"), &b_dir)?;
            let (ns, listen) = if relayed {
                // The workspace names the relay: A keeps a reservation on it.
                let a = Node::open(&a_dir).await?;
                a.run(ops::AddRelay {
                    addr: relay_addr.clone(),
                })
                .await?;
                a.shutdown().await?;
                (lab.alice.clone(), "/ip4/0.0.0.0/tcp/0".to_owned())
            } else {
                (lab.relay.clone(), format!("/ip4/{}/tcp/4002", lab.relay_ip))
            };
            relay.drain();
            let a_path = a_dir.to_string_lossy().into_owned();
            let mut a_proc = Proc::spawn(&ns, exe, &["serve-peer", &a_path, "--listen", &listen])?;
            let a_addr = a_proc.line("listening ").await?;
            let dial = if relayed {
                relay.line(&format!("relaying {alice}")).await?;
                format!("{relay_addr}/p2p-circuit/p2p/{alice}")
            } else {
                a_addr
            };
            let before = link_bytes(&lab.bob)?;
            let b_path = b_dir.to_string_lossy().into_owned();
            let want = fx.bob_docs.to_string();
            let mut b_proc = Proc::spawn(
                &lab.bob,
                exe,
                &[
                    "fetch-peer",
                    &b_path,
                    "--dial",
                    &dial,
                    "--want",
                    &want,
                    "--from",
                    &alice,
                ],
            )?;
            let synced = b_proc.line("synced ").await?;
            let link = link_bytes(&lab.bob)? - before;
            b_proc.finish().await?;
            a_proc.finish().await?;
            let mut fields = synced.split_whitespace();
            let (Some(seconds), Some(frames), Some(path)) =
                (fields.next(), fields.next(), fields.next())
            else {
                bail!("fetch-peer printed {synced:?}");
            };
            let runs = if relayed {
                &mut out.relayed
            } else {
                &mut out.direct
            };
            let bad = || format!("fetch-peer printed {synced:?}");
            runs.seconds.push(seconds.parse().with_context(bad)?);
            runs.frames.push(frames.parse().with_context(bad)?);
            runs.link.push(link);
            runs.paths.push(path.to_owned());
            progress(&format!(
                "{} sync {}/{}: {seconds} s, {path}",
                if relayed { "relayed" } else { "direct" },
                run + 1,
                config.runs
            ));
            let _ = std::fs::remove_dir_all(&a_dir);
            let _ = std::fs::remove_dir_all(&b_dir);
        }
    }
    relay.finish().await?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(out)
}

/// Seconds from typing a code to holding the admin's note, `config.runs` times, in a meeting
/// room (two namespaces on one segment, mDNS between them).
pub async fn code_to_note(config: &Config) -> Result<Vec<f64>> {
    if let Some(why) = netns::unavailable() {
        bail!(why);
    }
    let lab = Lab::room("k").map_err(anyhow::Error::msg)?;
    let mut seconds = Vec::new();
    for run in 0..config.runs {
        let dir = config.work.join(format!("code-{run}"));
        let _ = std::fs::remove_dir_all(&dir);
        let admin = Node::init(&dir.join("admin"), "Alice", "Acme").await?;
        admin
            .run(ops::AddNote {
                draft: NoteDraft {
                    title: "Welcome".into(),
                    body: "Read this first.".into(),
                    ..NoteDraft::default()
                },
            })
            .await?;
        admin.shutdown().await?;
        let admin_dir = dir.join("admin").to_string_lossy().into_owned();
        let mut a_proc = Proc::spawn(
            &lab.alice,
            &config.exe,
            &[
                "serve-peer",
                &admin_dir,
                "--listen",
                "/ip4/10.90.0.1/tcp/0",
                "--mdns",
                "--invite-code",
            ],
        )?;
        let code = a_proc.line("code ").await?;
        let bob_dir = dir.join("bob").to_string_lossy().into_owned();
        let mut b_proc = Proc::spawn(
            &lab.bob,
            &config.exe,
            &["code-join", &bob_dir, "--code", &code],
        )?;
        let joined = b_proc.line("joined ").await?;
        b_proc.finish().await?;
        a_proc.finish().await?;
        seconds.push(
            joined
                .trim()
                .parse()
                .with_context(|| format!("code-join printed {joined:?}"))?,
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(seconds)
}

/// Prints one line on standard output at once (the harness reads it from another process).
fn say(line: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")?;
    out.flush()?;
    Ok(())
}

/// Waits, off the async runtime, until standard input closes.
async fn stdin_closed() -> Result<()> {
    use std::io::Read as _;
    tokio::task::spawn_blocking(|| std::io::stdin().read_to_end(&mut Vec::new())).await??;
    Ok(())
}

/// `serve-peer DIR [--listen ADDR] [--mdns] [--invite-code]`: serves a data directory, prints
/// `listening ADDR` (then `code CODE`, a code a newcomer can join with, if asked), and serves
/// until its standard input closes.
pub async fn serve_peer(dir: &Path, listen: &str, mdns: bool, invite_code: bool) -> Result<()> {
    let node = Node::open(dir).await?;
    let serving = serve_on(&node, listen, mdns, &[]).await?;
    say(&format!("listening {}", serving.addr))?;
    if invite_code {
        // Made once the network runs, as `invite code` does: the serving device answers it.
        say(&format!(
            "code {}",
            node.run(ops::InviteCode {}).await?.code
        ))?;
    }
    stdin_closed().await?;
    serving.stop().await?;
    node.shutdown().await?;
    Ok(())
}

/// `relay-peer KEY_DIR --listen ADDR --member ID...`: runs the network of the device whose key is
/// in `KEY_DIR` as a relay for `members`, and nothing else; prints `listening ADDR` (with its
/// id), then `relaying ID` for each reservation it accepts, until its standard input closes.
pub async fn relay_peer(key_dir: &Path, listen: &str, members: &[String]) -> Result<()> {
    let key = Node::device_key(key_dir)?;
    let me = key.public().to_peer_id();
    let mut config = net::Config::new(key);
    config.listen = vec![listen.parse().context("listen address")?];
    config.relay_server = true;
    let mut allowed: Vec<Peer> = members
        .iter()
        .map(|m| m.parse().with_context(|| format!("member id {m}")))
        .collect::<Result<_>>()?;
    allowed.push(me);
    let (net, mut events) = net::spawn(config)?;
    net.send(NetCommand::SetMembers(allowed)).await;
    let stop = stdin_closed();
    tokio::pin!(stop);
    let mut told = false;
    loop {
        tokio::select! {
            stopped = &mut stop => return stopped,
            event = events.recv() => match event {
                Some(NetEvent::Listening(addr)) if !told => {
                    told = true;
                    say(&format!("listening {addr}/p2p/{me}"))?;
                }
                Some(NetEvent::Relaying { peer }) => say(&format!("relaying {peer}"))?,
                Some(_) => {}
                None => bail!("the relay's network stopped"),
            },
        }
    }
}

/// `fetch-peer DIR --dial ADDR --want N --from ID`: serves a data directory dialing `ADDR` until
/// it holds `want` documents; prints `synced SECONDS FRAME_BYTES PATH` (its traffic with `from`
/// and how it reached it).
pub async fn fetch_peer(dir: &Path, dial: &str, want: usize, from: &str) -> Result<()> {
    let node = Node::open(dir).await?;
    let mut events = node.subscribe();
    let t = Instant::now();
    let serving = serve_on(&node, "/ip4/0.0.0.0/tcp/0", false, &[dial.to_owned()]).await?;
    wait_docs(&node, &mut events, want).await?;
    let elapsed = secs(t);
    let stats = traffic(&node, from).await?;
    let path = node
        .run(ops::Peers {})
        .await?
        .into_iter()
        .find(|p| p.peer == from)
        .and_then(|p| p.path)
        .ok_or_else(|| anyhow!("no path recorded to {from}"))?;
    say(&format!(
        "synced {elapsed:.3} {} {path}",
        stats.bytes_sent + stats.bytes_received
    ))?;
    serving.stop().await?;
    node.shutdown().await?;
    Ok(())
}

/// `code-join DIR --code CODE`: joins with a code read aloud, as Bob; prints `joined SECONDS`
/// once the first note is held.
pub async fn code_join(dir: &Path, code: &str) -> Result<()> {
    let t = Instant::now();
    let (node, _) = Node::join_with_code(dir, code, "Bob", Duration::from_secs(60)).await?;
    let elapsed = secs(t);
    // The workspace document and the admin's note.
    let held = node.document_ids().await?.len();
    ensure!(
        held >= 2,
        "joined holding {held} documents, without the note"
    );
    say(&format!("joined {elapsed:.3}"))?;
    node.shutdown().await?;
    Ok(())
}
