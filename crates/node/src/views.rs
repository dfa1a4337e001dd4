//! View models: what the node returns to its shells, shared with them through the `ipc` crate.

pub use ipc::views::*;

/// A value of a closed set as the store or a document holds it, read into its enum: a value
/// this build does not know is an error naming it, not a silent default.
pub(crate) fn closed<T: std::str::FromStr<Err = String>>(
    text: &str,
) -> Result<T, crate::NodeError> {
    text.parse().map_err(crate::NodeError::Invalid)
}
