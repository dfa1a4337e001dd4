//! One module per screen (the shell and its navigation are in `app.rs`).

pub(crate) mod account;
pub(crate) mod bundles;
pub(crate) mod catalogue;
pub(crate) mod communities;
pub(crate) mod directory;
pub(crate) mod first_launch;
pub(crate) mod home;
pub(crate) mod mentoring;
pub(crate) mod notes;
pub(crate) mod people;
pub(crate) mod programme;
pub(crate) mod recognition;
pub(crate) mod reviews;
pub(crate) mod sessions;
pub(crate) mod settings;
pub(crate) mod team;
