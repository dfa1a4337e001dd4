//! What the desktop's forms send to the shell: one type per form, serialised by the UI and
//! read by the Tauri command, so both sides agree on its fields.

use serde::{Deserialize, Serialize};

/// A new note from the editor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoteDraft {
    /// Title.
    pub title: String,
    /// Markdown body.
    pub body: String,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// A new mentoring relationship.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MentoringDraft {
    /// The colleague (member id or name).
    pub with: String,
    /// "mentor" (I mentor them), "mentee" (they mentor me) or "cross".
    pub role: String,
    /// Goals; empty lines are dropped.
    #[serde(default)]
    pub goals: Vec<String>,
    /// Days between sessions (the default when absent).
    pub cadence_days: Option<u32>,
}

/// A mentoring session to log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogDraft {
    /// The relationship.
    pub id: String,
    /// Minutes spent.
    pub minutes: u32,
    /// Notes.
    pub notes: String,
    /// Topics; empty ones are dropped.
    #[serde(default)]
    pub topics: Vec<String>,
    /// Actions decided; empty ones are dropped.
    #[serde(default)]
    pub actions: Vec<String>,
}

/// A review's answers (by template key or criterion) and rubric ratings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewDraft {
    /// The review.
    pub id: String,
    /// (key, text).
    pub answers: Vec<(String, String)>,
    /// (criterion, 1..=5).
    #[serde(default)]
    pub ratings: Vec<(String, u32)>,
}

/// A session to plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionDraft {
    /// Format id (`codev`, `aar`, ...).
    pub format: String,
    /// Title.
    pub title: String,
    /// Start, RFC 3339.
    pub at: String,
    /// Planned minutes (the format's when absent).
    pub minutes: Option<u32>,
    /// Participants as `member:role`.
    pub participants: Vec<String>,
}

/// This member's profile, from Settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileDraft {
    /// Display name.
    pub name: String,
    /// Job title.
    pub title: String,
    /// Team.
    pub team: String,
    /// Location.
    pub location: String,
    /// Hours a month offered to colleagues.
    pub hours_per_month: u32,
    /// Open to mentoring.
    pub open_to_mentoring: bool,
}
