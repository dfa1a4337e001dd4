//! The domain's error type: every way a document or an input can be refused.

/// Why the domain refused a document or an operation. Messages are complete sentences fit to be
/// shown to a user on one line.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// The bytes are not a valid Automerge document.
    #[error("the document bytes are not valid: {0}")]
    Corrupt(String),
    /// The document does not have the shape of the expected kind.
    #[error("the document does not match the {kind} schema: {reason}")]
    Schema {
        /// The kind that was expected.
        kind: &'static str,
        /// What did not match.
        reason: String,
    },
    /// The document was written by a newer version of Entrepairs.
    #[error(
        "the document uses schema version {found}, newer than this version supports ({supported}); update Entrepairs"
    )]
    NewerSchema {
        /// The version found in the document.
        found: u64,
        /// The newest version this build understands.
        supported: u64,
    },
    /// The signed header does not verify.
    #[error("the document header of {id} is not authentic: {reason}")]
    BadSignature {
        /// The document id.
        id: String,
        /// Why verification failed.
        reason: String,
    },
    /// A user-supplied value is not acceptable.
    #[error("{0}")]
    Invalid(String),
    /// Something named does not exist.
    #[error("{0}")]
    NotFound(String),
    /// A refusal by the write rules ([`crate::check_write`]): this author may not make this
    /// move. The message names the rule.
    #[error("{0}")]
    Forbidden(String),
}

impl DomainError {
    pub(crate) fn invalid(msg: impl Into<String>) -> Self {
        DomainError::Invalid(msg.into())
    }

    pub(crate) fn forbidden(msg: impl Into<String>) -> Self {
        DomainError::Forbidden(msg.into())
    }
}
