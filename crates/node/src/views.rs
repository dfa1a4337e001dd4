//! View models: what the node returns to its shells, shared with them through the `ipc` crate.

pub use ipc::views::*;
