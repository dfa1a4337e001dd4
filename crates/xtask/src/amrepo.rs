//! automerge-repo on the same documents: `automerge-repo/sync.mjs` run by Node.js, one process
//! serving the documents and one fetching them, over automerge-repo's WebSocket adapter on
//! 127.0.0.1. The packages are pinned by `automerge-repo/package-lock.json` and installed with
//! `npm install --no-save` the first time.

use std::path::Path;
use std::process::Stdio;

use std::io::{BufRead, BufReader};
use std::process::Command;

use anyhow::{Context, Result, bail, ensure};

use crate::stats::Samples;

/// Installs the pinned packages unless already there.
fn install(script_dir: &Path) -> Result<()> {
    if script_dir
        .join("node_modules/@automerge/automerge-repo")
        .is_dir()
    {
        return Ok(());
    }
    let status = Command::new("npm")
        // `npm ci` refuses this lock (npm leaves other platforms' optional packages out of
        // it); `install --no-save` takes the locked versions and writes nothing back.
        .args([
            "install",
            "--no-save",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
        ])
        .current_dir(script_dir)
        .status()
        .context("cannot run npm (Node.js and npm are needed for the automerge-repo comparison)")?;
    ensure!(
        status.success(),
        "npm install failed in {}",
        script_dir.display()
    );
    Ok(())
}

/// Times `runs` fetches of all `docs` by a fresh automerge-repo peer, in seconds.
pub async fn sync_times(
    script_dir: &Path,
    work: &Path,
    docs: &[Vec<u8>],
    runs: usize,
) -> Result<Samples> {
    let (script_dir, work, docs) = (script_dir.to_owned(), work.to_owned(), docs.to_vec());
    tokio::task::spawn_blocking(move || times(&script_dir, &work, &docs, runs)).await?
}

fn times(script_dir: &Path, work: &Path, docs: &[Vec<u8>], runs: usize) -> Result<Samples> {
    install(script_dir)?;
    let script = script_dir.join("sync.mjs");
    let _ = std::fs::remove_dir_all(work);
    std::fs::create_dir_all(work)?;
    for (i, doc) in docs.iter().enumerate() {
        std::fs::write(work.join(format!("{i:06}.automerge")), doc)?;
    }
    let mut server = Command::new("node")
        .arg(&script)
        .arg("serve")
        .arg(work)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot start node")?;
    let stdout = server.stdout.take().context("no stdout")?;
    let mut first = String::new();
    BufReader::new(stdout).read_line(&mut first)?;
    let port = match first.trim_end() {
        "" => bail!("the automerge-repo server ended before it was ready"),
        line => line
            .strip_prefix("ready ")
            .context("the automerge-repo server printed no port")?
            .to_owned(),
    };
    let mut samples = Vec::new();
    for _ in 0..runs {
        let out = Command::new("node")
            .arg(&script)
            .arg("fetch")
            .arg(&port)
            .arg(work.join("ids.json"))
            .stderr(Stdio::piped())
            .output()?;
        ensure!(
            out.status.success(),
            "the automerge-repo fetch failed: {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .find(|l| l.starts_with("Error"))
                .unwrap_or("no message")
        );
        let answer: serde_json::Value = serde_json::from_slice(&out.stdout)
            .context("the automerge-repo fetch printed no result")?;
        let got = answer["docs"].as_u64().unwrap_or(0) as usize;
        ensure!(
            got == docs.len(),
            "automerge-repo fetched {got} of {} documents",
            docs.len()
        );
        samples.push(answer["ms"].as_f64().context("no time")? / 1000.0);
    }
    drop(server.stdin.take());
    let _ = server.wait();
    Ok(Samples(samples))
}
