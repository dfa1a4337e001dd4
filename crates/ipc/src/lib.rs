//! What crosses between a running Entrepairs node and its shells (the desktop UI over Tauri's
//! IPC, the CLI's `--json`): view models, the change event and the error. Plain serde types, no
//! dependency on the node, so the wasm UI builds them too and both sides agree on one shape.

pub mod forms;
pub mod ops;
pub mod sets;
pub mod views;

use serde::{Deserialize, Serialize};

/// Why a command failed: a stable category and one sentence for the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Error {
    /// The category, which the UI shows in the reader's language.
    pub kind: ErrorKind,
    /// What went wrong, in the node's words.
    pub message: String,
}

/// The categories of [`Error`] (`snake_case` on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// What was asked does not exist (here).
    NotFound,
    /// What was asked is refused: a malformed value, or a move the rules forbid.
    Invalid,
    /// No workspace is open yet.
    NoWorkspace,
    /// The data folder is not usable (not ours, not empty, already set up, missing).
    DataDir,
    /// The database failed.
    Storage,
    /// A file or folder could not be read or written.
    Io,
    /// A fault of the app itself.
    Internal,
}

impl ErrorKind {
    /// Every kind, in declaration order.
    pub const ALL: [ErrorKind; 7] = [
        ErrorKind::NotFound,
        ErrorKind::Invalid,
        ErrorKind::NoWorkspace,
        ErrorKind::DataDir,
        ErrorKind::Storage,
        ErrorKind::Io,
        ErrorKind::Internal,
    ];

    /// The wire name (`not_found`, `invalid`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "not_found",
            ErrorKind::Invalid => "invalid",
            ErrorKind::NoWorkspace => "no_workspace",
            ErrorKind::DataDir => "data_dir",
            ErrorKind::Storage => "storage",
            ErrorKind::Io => "io",
            ErrorKind::Internal => "internal",
        }
    }
}

impl Error {
    /// An error of `kind`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// Name of the event the desktop shell emits when a document changed (locally, by another
/// process or by a peer) and its transaction committed.
pub const CHANGED: &str = "entrepairs://changed";

/// Payload of [`CHANGED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changed {
    /// Document id.
    pub id: String,
    /// Document kind: `workspace`, `note`, `thread`, `mentoring`, `review` or `session`.
    pub kind: String,
}

/// A note as the desktop shows it: its view and its body rendered to sanitised HTML.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotePage {
    /// The note.
    pub note: views::NoteView,
    /// The Markdown body as HTML with every active or remote element removed.
    pub html: String,
}

/// A thread as the desktop shows it: its view, and its opening post and each reply rendered
/// to sanitised HTML (in the order of `thread.posts`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreadPage {
    /// The thread.
    pub thread: views::ThreadView,
    /// The opening post as HTML with every active or remote element removed.
    pub html: String,
    /// Each reply as HTML, likewise.
    pub posts_html: Vec<String>,
}

/// A fresh single-use invite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invite {
    /// The ticket: one printable line to give to one colleague.
    pub ticket: String,
    /// How long it stays valid, in hours.
    pub hours: u32,
}

/// What the desktop shows at start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum AppState {
    /// No workspace yet in the data folder: first launch.
    FirstLaunch {
        /// The data folder.
        data_dir: String,
    },
    /// A workspace is open.
    Ready {
        /// Who this device is.
        me: views::WhoAmI,
        /// The data folder.
        data_dir: String,
        /// The open workspace is the generated demo (shown as such; it does not sync).
        #[serde(default)]
        demo: bool,
    },
}

/// Lower-cases `s` and strips the accents of Latin letters, so that "Référent" matches
/// "referent". Used for every lookup by name.
pub fn fold(s: &str) -> String {
    s.trim()
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'â' | 'ä' | 'á' | 'ã' | 'å' => 'a',
            'ç' => 'c',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' | 'í' | 'ì' => 'i',
            'ô' | 'ö' | 'ó' | 'ò' | 'õ' => 'o',
            'ù' | 'û' | 'ü' | 'ú' => 'u',
            'ÿ' | 'ý' => 'y',
            'ñ' => 'n',
            'œ' => 'o',
            'æ' => 'a',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_kinds_travel_by_their_wire_names() {
        for kind in ErrorKind::ALL {
            let json = serde_json::to_value(kind).expect("serializes");
            assert_eq!(json, serde_json::Value::from(kind.as_str()));
            let back: ErrorKind = serde_json::from_value(json).expect("deserializes");
            assert_eq!(back, kind);
        }
        let unknown = serde_json::from_str::<ErrorKind>("\"teapot\"");
        assert!(unknown.is_err(), "an unknown kind is refused: {unknown:?}");
    }

    #[test]
    fn payloads_round_trip_through_json() {
        let state = AppState::Ready {
            me: views::WhoAmI {
                member_id: "12D3Koo".into(),
                name: "Élodie".into(),
                workspace_id: "w".into(),
                workspace_name: "Acme".into(),
                role: sets::MemberRole::Admin,
            },
            data_dir: "/tmp/x".into(),
            demo: true,
        };
        let json = serde_json::to_string(&state).unwrap_or_default();
        assert!(json.contains(r#""state":"ready""#), "{json}");
        let back: AppState = serde_json::from_str(&json).expect("round trip");
        assert_eq!(back, state);
        let err: Error =
            serde_json::from_str(r#"{"kind":"invalid","message":"a title is required"}"#)
                .expect("an error");
        assert_eq!(err.to_string(), "a title is required");
    }
}
