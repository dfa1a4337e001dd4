//! Entrepairs' schema on Automerge and its pure logic.
//!
//! Every document is an Automerge document whose root holds a signed [`DocMeta`] (id, kind,
//! scope, creator, fixed participants) and the fields of one typed model ([`Workspace`],
//! [`Note`], [`Thread`], [`Mentoring`], [`Review`], [`Session`]). This crate maps those models to and from Automerge with
//! `autosurgeon`, validates user input, judges every change against the write rules of its kind
//! ([`check_write`]: who may turn one state of a document into the next) and computes derived
//! views such as [`who_can_help`].
//!
//! It must never do IO: no files, no sockets, no clock, no randomness, no async runtime. Time and
//! fresh ids are arguments; persistence belongs to `store`, the running peer to `node`.

pub(crate) mod admit;
mod chunks;
mod doc;
mod error;
mod help;
mod insights;
mod mentoring;
mod meta;
pub mod note;
mod recognition;
mod review;
mod rules;
mod session;
pub mod signing;
mod text;
mod thread;
pub mod time;
mod workspace;

pub use admit::{
    Admission, DEPENDS_ON_REFUSED, Refusal, Standing, Touched, admit, admit_whole, changes_in,
};
pub use chunks::{MAX_INFLATED, check_inflation};
pub use doc::{
    TypedDoc, actor_for, change, check_any, check_model, create, fork_for, has_header, hydrate_doc,
    hydrate_with_header, load, load_doc, load_stored, read_meta, same_heads,
};
pub use error::DomainError;
pub use help::{Helper, who_can_help};
pub use insights::*;
pub use mentoring::{Agreement, DAY_MS, Goal, Mentoring, MentoringKind, SessionLog};
pub use meta::{
    DocKind, DocMeta, SCHEMA_VERSION, Scope, creator_tag, doc_id, public_key_of, valid_id,
};
pub use note::{MAX_BODY, Note, normalize_tag, parse_links};
pub use recognition::{ActionItem, Contribution, ContributionKind, Kudos};
pub use review::{Review, ReviewStatus, Template};
pub use rules::{Author, check_write};
pub use session::{
    Closing, FORMATS, Format, Participant, Session, SessionStatus, StepOutcome, StepRecord,
    StepTemplate, format,
};
pub use text::{fold, require_text, slug};
pub use thread::{Post, Thread};
pub use workspace::{
    Community, Endorsement, Level, Member, Role, Skill, SkillClaim, Workspace, claim_key, entry_key,
};

/// Re-exported so that callers name the same key and id types as the domain.
pub use libp2p_identity::{Keypair, PeerId, PublicKey};

/// Re-exported so that callers share one `Text` type for long prose.
pub use autosurgeon::Text;
