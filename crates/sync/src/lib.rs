//! Entrepairs' peer-to-peer rules as deterministic state machines.
//!
//! - [`membership`]: the signed, hash-linked membership log (create, add, remove, promote,
//!   demote, invite, revoke, admit, communities) that every peer verifies itself, and its
//!   deterministic evaluation into the current member list, even when admins append
//!   concurrently or an insider backdates entries.
//! - [`protocol`]: the messages peers exchange and their bounded binary encoding.
//! - [`engine`]: one peer's sync logic: given an authenticated peer and the documents this
//!   device holds, which summaries and Automerge sync messages to send, which incoming documents
//!   to accept; driven by `handle(event) -> outputs`. The new documents of one batch are
//!   loaded and judged on every core before the engine takes them in turn (`precheck`).
//!
//! This crate never opens a socket, reads a clock or touches a disk: the network layer moves
//! its bytes, `node` stores what it accepts. It never decides what a document means (that is
//! `domain`), only who may receive it.

pub mod access;
pub mod engine;
pub mod membership;
pub mod parallel;
mod precheck;
pub mod protocol;
pub mod ticket;
