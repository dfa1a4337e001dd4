//! Widgets and plumbing shared by the screens.

pub(crate) mod actions;
pub(crate) mod calendar;
pub(crate) mod colleagues;
pub(crate) mod data;
pub(crate) mod error;
pub(crate) mod forms;
pub(crate) mod labels;
pub(crate) mod language;
pub(crate) mod more;
pub(crate) mod painted;
pub(crate) mod time;
