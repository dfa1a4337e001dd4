//! samod (the Rust automerge-repo, pinned by `crates/xtask/Cargo.toml`) on the same documents:
//! one repo holding them and, for each run, a fresh repo fetching them all over samod's own TCP
//! transport on 127.0.0.1, both in this process. As in the automerge-repo comparison, the
//! serving repo answers what it is asked (it announces nothing) and the fetching repo asks for
//! at most [`CONCURRENCY`] documents at a time.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, anyhow, ensure};
use automerge::{Automerge, ChangeHash};
use futures::future::BoxFuture;
use futures::{FutureExt, StreamExt, TryStreamExt, stream};
use samod::{BackoffConfig, DialError, Dialer, DocumentId, Repo, ShareConfig, Transport, Url};
use tokio::net::{TcpListener, TcpStream};

use crate::peer::PATIENCE;
use crate::stats::Samples;

/// The version of samod compared, as `Cargo.toml` pins it.
pub const VERSION: &str = "0.16.0";

/// Documents asked for at once, as in the automerge-repo script.
const CONCURRENCY: usize = 128;

/// samod's TCP transport, with Nagle's algorithm off as on the serving side: the fetch is many
/// small requests in flight, which delayed acknowledgements would otherwise hold up.
struct Loopback {
    port: u16,
}

impl Dialer for Loopback {
    type Error = Infallible;

    fn url(&self) -> Url {
        Url::parse(&format!("tcp://127.0.0.1:{}", self.port)).expect("a valid URL")
    }

    fn connect(&self) -> BoxFuture<'static, Result<Transport, DialError<Infallible>>> {
        let port = self.port;
        async move {
            let io = TcpStream::connect(("127.0.0.1", port))
                .await
                .map_err(DialError::transient)?;
            io.set_nodelay(true).map_err(DialError::transient)?;
            Ok(Transport::from_tokio_io(io))
        }
        .boxed()
    }
}

/// Times `runs` fetches of all `docs` (saved Automerge documents) by a fresh samod repo, in
/// seconds: from building the repo until it holds every document at the heads it was served at.
pub async fn sync_times(docs: &[Vec<u8>], runs: usize) -> Result<Samples> {
    let server = Repo::build_tokio()
        .with_share_policy(ShareConfig::read_write().with_announce(false))
        .load()
        .await;
    let served: Vec<(DocumentId, Vec<ChangeHash>)> = stream::iter(docs)
        .map(|bytes| {
            let server = server.clone();
            async move {
                let doc = Automerge::load(bytes).context("a bench document does not load")?;
                let heads = doc.get_heads();
                let handle = server.create(doc).await.map_err(stopped)?;
                anyhow::Ok((handle.document_id().clone(), heads))
            }
        })
        .buffered(CONCURRENCY)
        .try_collect()
        .await?;
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let port = listener.local_addr()?.port();
    let acceptor = server
        .make_acceptor(Url::parse("tcp://bench-server")?)
        .map_err(stopped)?;
    let accepting = tokio::spawn(async move {
        loop {
            let (io, _) = listener.accept().await?;
            io.set_nodelay(true)?;
            if acceptor.accept_tokio_io(io).is_err() {
                return anyhow::Ok(());
            }
        }
    });
    let times = fetches(&served, port, runs).await;
    accepting.abort();
    server.stop().await;
    times
}

/// Times `runs` fetches of every document of `served` from the repo listening on `port`.
async fn fetches(
    served: &[(DocumentId, Vec<ChangeHash>)],
    port: u16,
    runs: usize,
) -> Result<Samples> {
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let client = Repo::build_tokio().load().await;
        let fetched = tokio::time::timeout(PATIENCE, async {
            client
                .dial(BackoffConfig::default(), Arc::new(Loopback { port }))
                .map_err(stopped)?
                .established()
                .await
                .map_err(|e| anyhow!("samod could not connect: {e}"))?;
            stream::iter(served)
                .map(|(id, heads)| {
                    let found = client.find(id.clone());
                    async move {
                        let handle = found
                            .await
                            .map_err(stopped)?
                            .ok_or_else(|| anyhow!("samod found no document {id}"))?;
                        let got = handle.with_document(|doc| doc.get_heads());
                        ensure!(got == *heads, "samod fetched document {id} at other heads");
                        anyhow::Ok(())
                    }
                })
                .buffer_unordered(CONCURRENCY)
                .try_fold(0usize, |n, ()| async move { Ok(n + 1) })
                .await
        })
        .await;
        let elapsed = started.elapsed().as_secs_f64();
        client.stop().await;
        let fetched =
            fetched.map_err(|_| anyhow!("samod's fetch took longer than {PATIENCE:?}"))??;
        ensure!(
            fetched == served.len(),
            "samod fetched {fetched} of {} documents",
            served.len()
        );
        samples.push(elapsed);
    }
    Ok(Samples(samples))
}

/// What a samod call answers once its repo has stopped.
fn stopped(_: samod::Stopped) -> anyhow::Error {
    anyhow!("the samod repo stopped")
}

#[cfg(test)]
mod tests {
    /// The version the report names is the one built.
    #[test]
    fn the_reported_version_is_the_locked_one() {
        let lock = include_str!("../../../Cargo.lock");
        assert!(
            lock.contains(&format!(
                "name = \"samod\"\nversion = \"{}\"\n",
                super::VERSION
            )),
            "Cargo.lock does not hold samod {}",
            super::VERSION
        );
    }
}
