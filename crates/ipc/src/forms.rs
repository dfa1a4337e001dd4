//! What the desktop's forms send to the shell: one type per form, serialised by the UI and
//! read by the Tauri command, so both sides agree on its fields.

use serde::{Deserialize, Serialize};

/// A new note.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NoteDraft {
    /// Title.
    pub title: String,
    /// Markdown body.
    pub body: String,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Skill names (added to the catalogue if new).
    #[serde(default)]
    pub skills: Vec<String>,
    /// `workspace`, `personal` or `community:ID-or-name` (`workspace` when absent).
    #[serde(default)]
    pub scope: Option<String>,
}

/// A new mentoring relationship.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MentoringDraft {
    /// The colleague (member id or name).
    pub with: String,
    /// Which side the starter takes.
    pub role: MentoringRole,
    /// A reverse-mentoring relationship (the junior mentors the senior).
    #[serde(default)]
    pub reverse: bool,
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
    /// The day it took place, `YYYY-MM-DD` (today when absent).
    #[serde(default)]
    pub date: Option<String>,
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
    /// The format.
    pub format: crate::sets::FormatId,
    /// Title.
    pub title: String,
    /// Start, RFC 3339.
    pub at: String,
    /// Planned minutes (the format's when absent).
    pub minutes: Option<u32>,
    /// Participants as `member:role`.
    pub participants: Vec<String>,
    /// Hosts besides the planner (members).
    #[serde(default)]
    pub hosts: Vec<String>,
    /// Skill names the session is about.
    #[serde(default)]
    pub skills: Vec<String>,
    /// `workspace` or `community:ID-or-name` (`workspace` when absent).
    #[serde(default)]
    pub scope: Option<String>,
}

/// Changes to this member's profile; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProfilePatch {
    /// Display name.
    pub name: Option<String>,
    /// Job title.
    pub title: Option<String>,
    /// Team.
    pub team: Option<String>,
    /// Location.
    pub location: Option<String>,
    /// Language codes.
    pub languages: Option<Vec<String>>,
    /// Hours a month offered to colleagues.
    pub hours_per_month: Option<u32>,
    /// Open to mentoring.
    pub open_to_mentoring: Option<bool>,
}

/// Which side of a mentoring relationship its starter takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MentoringRole {
    /// I mentor them.
    Mentor,
    /// They mentor me.
    Mentee,
    /// We teach each other.
    Cross,
}

impl std::str::FromStr for MentoringRole {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "mentor" => Ok(MentoringRole::Mentor),
            "mentee" => Ok(MentoringRole::Mentee),
            "cross" => Ok(MentoringRole::Cross),
            other => Err(format!(
                "unknown role '{other}': expected mentor, mentee or cross"
            )),
        }
    }
}

/// A change of a mentoring goal; a goal is named by its number, id or text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalChange {
    /// Add a goal.
    Add(String),
    /// Set a goal's progress, in percent.
    Progress {
        /// The goal.
        goal: String,
        /// 0..=100.
        percent: u32,
    },
    /// Mark a goal reached.
    Done(String),
}
