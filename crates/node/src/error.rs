//! The node's error type. Every variant's message is one clear sentence for the user; `kind`
//! gives callers (the CLI's exit code, the desktop's IPC) a stable category.

use domain::DomainError;
use store::StoreError;

/// Why a node operation failed.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// The data directory does not exist.
    #[error("data directory {0} does not exist; create it with `entrepairs init --name NAME`")]
    NoDataDir(String),
    /// The directory exists but holds no Entrepairs data.
    #[error("{0} is not an Entrepairs data directory (no {db}); run `entrepairs init --name NAME` on an empty or new directory", db = crate::DB_FILE)]
    NotOurs(String),
    /// `init` on a directory that already holds a workspace.
    #[error("{0} already holds an Entrepairs workspace")]
    AlreadyInitialised(String),
    /// `init` on a directory that holds other files.
    #[error("{0} is not empty; choose a new or empty directory for `entrepairs init`")]
    NotEmpty(String),
    /// A named thing does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The input or the move is not acceptable.
    #[error("{0}")]
    Invalid(String),
    /// A file could not be read or written.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The store refused or failed.
    #[error(transparent)]
    Store(StoreError),
    /// The domain refused.
    #[error(transparent)]
    Domain(DomainError),
    /// A bundle of changes was refused whole.
    #[error(transparent)]
    Bundle(crate::bundle::BundleRefusal),
    /// The node's store thread has stopped.
    #[error("the node has stopped")]
    Stopped,
}

impl NodeError {
    /// A stable category: `not_found`, `invalid`, `data_dir`, `storage`, `io` or `internal`.
    pub fn kind(&self) -> ipc::ErrorKind {
        use ipc::ErrorKind;
        match self {
            NodeError::NotFound(_) | NodeError::Domain(DomainError::NotFound(_)) => {
                ErrorKind::NotFound
            }
            NodeError::Invalid(_) | NodeError::Domain(_) | NodeError::Bundle(_) => {
                ErrorKind::Invalid
            }
            NodeError::NoDataDir(_)
            | NodeError::NotOurs(_)
            | NodeError::AlreadyInitialised(_)
            | NodeError::NotEmpty(_) => ErrorKind::DataDir,
            NodeError::Store(_) => ErrorKind::Storage,
            NodeError::Io { .. } => ErrorKind::Io,
            NodeError::Stopped => ErrorKind::Internal,
        }
    }

    pub(crate) fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> NodeError {
        let what = what.into();
        move |source| NodeError::Io { what, source }
    }
}

impl From<DomainError> for NodeError {
    fn from(e: DomainError) -> Self {
        NodeError::Domain(e)
    }
}

impl From<StoreError> for NodeError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Document {
                source: DomainError::NotFound(m),
                ..
            } => NodeError::NotFound(m),
            other => NodeError::Store(other),
        }
    }
}
