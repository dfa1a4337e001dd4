//! One running Entrepairs peer: its identity, its store and (with sync) its network, behind an
//! async API and an event stream.
//!
//! The desktop app and the `entrepairs` CLI both drive a [`Node`]; anything one can do, the
//! other and the tests can do without a window. A node owns one thread that owns the SQLite
//! connection: every operation is sent to it over a bounded channel and answered through a
//! oneshot, so writes are serialised within the process, and across processes on the same data
//! directory by SQLite's `BEGIN IMMEDIATE` locks. Each successful write is announced on
//! [`Node::subscribe`] after its transaction has committed.
//!
//! This crate never renders anything and never parses command lines; it returns view models
//! (`views`) that serialise to the stable JSON the CLI prints.

mod core;
mod error;
mod identity;
mod ops;
mod transfer;
pub mod views;

use std::path::{Path, PathBuf};
use std::thread;

use tokio::sync::{broadcast, mpsc, oneshot};

pub use crate::core::Core;
pub use domain::Helper;
pub use error::NodeError;
pub use ops::{NewNote, NoteEdit, ProfilePatch};

/// Name of the database file inside a data directory.
pub const DB_FILE: &str = "entrepairs.db";
/// Name of the device key file inside a data directory.
pub const KEY_FILE: &str = "identity.key";

/// Something that changed in the node, pushed to subscribers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A document was created or changed and its change is durably stored.
    DocChanged {
        /// The document id.
        id: String,
        /// Its kind.
        kind: domain::DocKind,
    },
}

type Job = Box<dyn FnOnce(&mut Core) + Send>;

/// Capacity of the job queue to the store thread; callers wait when it is full.
const JOB_QUEUE: usize = 64;
/// Capacity of the event stream; a subscriber that falls further behind is told it lagged.
const EVENT_QUEUE: usize = 256;

/// Handle to a running peer. Cheap to clone; the store thread ends when the last handle is
/// dropped.
#[derive(Clone)]
pub struct Node {
    jobs: mpsc::Sender<Job>,
    events: broadcast::Sender<Event>,
    data_dir: PathBuf,
}

impl Node {
    /// Creates a new identity and workspace in `data_dir` and opens it.
    pub async fn init(data_dir: &Path, name: &str, workspace: &str) -> Result<Node, NodeError> {
        let (dir, name, workspace) = (data_dir.to_owned(), name.to_owned(), workspace.to_owned());
        Self::start(data_dir, move |events| {
            Core::init(&dir, &name, &workspace, events)
        })
        .await
    }

    /// Opens an existing data directory.
    pub async fn open(data_dir: &Path) -> Result<Node, NodeError> {
        let dir = data_dir.to_owned();
        Self::start(data_dir, move |events| Core::open(&dir, events)).await
    }

    async fn start(
        data_dir: &Path,
        make: impl FnOnce(broadcast::Sender<Event>) -> Result<Core, NodeError> + Send + 'static,
    ) -> Result<Node, NodeError> {
        let (events, _) = broadcast::channel(EVENT_QUEUE);
        let (jobs, mut queue) = mpsc::channel::<Job>(JOB_QUEUE);
        let (ready, opened) = oneshot::channel();
        let thread_events = events.clone();
        thread::Builder::new()
            .name("entrepairs-store".into())
            .spawn(move || match make(thread_events) {
                Ok(mut core) => {
                    let _ = ready.send(Ok(()));
                    let mut stopped = None;
                    while let Some(job) = queue.blocking_recv() {
                        job(&mut core);
                        if let Some(done) = core.stopping.take() {
                            stopped = Some(done);
                            break;
                        }
                    }
                    // Closing the connection checkpoints the WAL; only then is the
                    // shutdown reported done.
                    drop(core);
                    if let Some(done) = stopped {
                        let _ = done.send(());
                    }
                }
                Err(e) => {
                    let _ = ready.send(Err(e));
                }
            })
            .map_err(|e| NodeError::Io {
                what: "cannot start the store thread".into(),
                source: e,
            })?;
        opened.await.map_err(|_| NodeError::Stopped)??;
        Ok(Node {
            jobs,
            events,
            data_dir: data_dir.to_owned(),
        })
    }

    /// The data directory this node runs on.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Runs `f` on the store thread and returns its result.
    pub async fn call<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Core) -> Result<R, NodeError> + Send + 'static,
    ) -> Result<R, NodeError> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Box::new(move |core| {
                let _ = reply.send(f(core));
            }))
            .await
            .map_err(|_| NodeError::Stopped)?;
        answer.await.map_err(|_| NodeError::Stopped)?
    }

    /// Stops the store thread after the jobs already queued and waits until the database is
    /// closed. Calls through other handles fail with [`NodeError::Stopped`] afterwards.
    pub async fn shutdown(self) -> Result<(), NodeError> {
        let (done, closed) = oneshot::channel();
        self.jobs
            .send(Box::new(move |core| core.stopping = Some(done)))
            .await
            .map_err(|_| NodeError::Stopped)?;
        closed.await.map_err(|_| NodeError::Stopped)
    }

    /// A stream of [`Event`]s from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }
}
