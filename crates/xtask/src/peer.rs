//! Running peers inside the harness: serving on loopback, waiting for documents to arrive
//! (driven by the node's event stream, never by polling the store), and watching traffic.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use node::serve::{PeerStats, ServeOptions, SyncReport};
use node::{Event, Node};
use tokio::sync::{broadcast, oneshot};
use tokio::task::JoinHandle;

/// How long any single wait may take before the harness gives up with an error.
pub const PATIENCE: Duration = Duration::from_secs(600);

/// A node serving until stopped.
pub struct Serving {
    /// Its full address (`/ip4/…/tcp/PORT/p2p/ID`).
    pub addr: String,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<SyncReport, node::NodeError>>,
}

/// Starts `node` serving on loopback TCP, dialing `dial`; returns once it listens.
pub async fn serve(node: &Node, dial: &[String]) -> Result<Serving> {
    serve_on(node, LOOPBACK, false, dial).await
}

/// Loopback TCP on a port the system picks.
pub const LOOPBACK: &str = "/ip4/127.0.0.1/tcp/0";

/// Starts `node` serving on `listen` (with mDNS if `mdns`), dialing `dial`; returns once it
/// listens, with the first address it reports.
pub async fn serve_on(node: &Node, listen: &str, mdns: bool, dial: &[String]) -> Result<Serving> {
    let options = ServeOptions {
        listen: vec![listen.parse().context("listen address")?],
        mdns,
        dial: dial
            .iter()
            .map(|a| a.parse())
            .collect::<Result<_, _>>()
            .context("dial address")?,
        stop_when_idle: None,
        timeout: None,
        relay_server: false,
    };
    let (stop, stopped) = oneshot::channel::<()>();
    let (listening, addr) = oneshot::channel::<String>();
    let node = node.clone();
    let task = tokio::spawn(async move {
        let mut listening = Some(listening);
        node.serve(
            options,
            move |a| {
                if let Some(tx) = listening.take() {
                    let _ = tx.send(a);
                }
            },
            async move {
                let _ = stopped.await;
            },
        )
        .await
    });
    let addr = tokio::time::timeout(PATIENCE, addr)
        .await
        .context("the node never listened")?
        .map_err(|_| anyhow!("the node stopped before listening"))?;
    Ok(Serving { addr, stop, task })
}

impl Serving {
    /// Stops serving and waits until the network loop has ended.
    pub async fn stop(self) -> Result<SyncReport> {
        let _ = self.stop.send(());
        Ok(self.task.await??)
    }
}

/// Waits until `node` holds at least `want` documents, counting the documents its event
/// stream reports as stored (re-reading the store only if the stream lagged).
pub async fn wait_docs(
    node: &Node,
    events: &mut broadcast::Receiver<Event>,
    want: usize,
) -> Result<()> {
    let mut held: BTreeSet<String> = node.document_ids().await?.into_iter().collect();
    let deadline = Instant::now() + PATIENCE;
    while held.len() < want {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, events.recv()).await {
            Err(_) => bail!("only {} of {want} documents arrived", held.len()),
            Ok(Ok(Event::DocChanged { id, .. })) => {
                held.insert(id);
            }
            Ok(Ok(Event::MembershipChanged)) => {}
            Ok(Err(broadcast::error::RecvError::Lagged(_))) => {
                held.extend(node.document_ids().await?);
            }
            Ok(Err(broadcast::error::RecvError::Closed)) => bail!("the node stopped"),
        }
    }
    Ok(())
}

/// Waits until the event stream reports document `id` stored.
pub async fn wait_doc(events: &mut broadcast::Receiver<Event>, id: &str) -> Result<()> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, events.recv()).await {
            Err(_) => bail!("document {id} never arrived"),
            Ok(Ok(Event::DocChanged { id: got, .. })) if got == id => return Ok(()),
            Ok(Ok(_)) => {}
            Ok(Err(broadcast::error::RecvError::Lagged(n))) => {
                bail!("the event stream lagged by {n} while waiting for {id}")
            }
            Ok(Err(broadcast::error::RecvError::Closed)) => bail!("the node stopped"),
        }
    }
}

/// The device id of a running node.
pub async fn device_id(node: &Node) -> Result<String> {
    Ok(node.call(|c| Ok(c.member_id().to_owned())).await?)
}

/// Traffic of `node` with `peer` so far.
pub async fn traffic(node: &Node, peer: &str) -> Result<PeerStats> {
    Ok(node.sync_stats().await?.remove(peer).unwrap_or_default())
}

/// Waits until `node`'s traffic with `peer` has not moved for `quiet`, and returns it. The
/// end of an exchange is the absence of further frames, which only a quiet window can show.
pub async fn settled(node: &Node, peer: &str, quiet: Duration) -> Result<PeerStats> {
    let deadline = Instant::now() + PATIENCE;
    let mut last = traffic(node, peer).await?;
    let mut since = Instant::now();
    loop {
        tokio::time::sleep(quiet / 10).await;
        let now = traffic(node, peer).await?;
        if (now.frames_sent, now.frames_received) != (last.frames_sent, last.frames_received) {
            last = now;
            since = Instant::now();
        } else if since.elapsed() >= quiet {
            return Ok(now);
        }
        if Instant::now() > deadline {
            bail!("the traffic with {peer} never settled");
        }
    }
}
