//! Recognition: action items, contributions (time given, credited once a receiver confirms it)
//! and kudos. Action items and contributions live inside the document they come from (a
//! mentoring relationship, a review, a session), so they reach exactly that document's readers.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::{DomainError, require_text};

/// Something someone committed to do.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct ActionItem {
    /// Action id.
    #[key]
    pub id: String,
    /// What to do.
    pub text: String,
    /// Who does it (member id).
    pub owner: String,
    /// Due date (ms since the epoch, start of the day, UTC), if any.
    pub due: Option<i64>,
    /// Done yet.
    pub done: bool,
    /// When it was created.
    #[serde(with = "crate::time::serde_ms")]
    pub created_at: i64,
    /// When it was done.
    pub done_at: Option<i64>,
}

impl ActionItem {
    /// A new open action.
    pub fn new(
        id: &str,
        text: &str,
        owner: &str,
        due: Option<i64>,
        now: i64,
    ) -> Result<ActionItem, DomainError> {
        Ok(ActionItem {
            id: id.to_owned(),
            text: require_text("action", text)?,
            owner: owner.to_owned(),
            due,
            done: false,
            created_at: now,
            done_at: None,
        })
    }

    /// A new open action from one line as people type it: its text, optionally ending with
    /// ` @YYYY-MM-DD`, the day it is due.
    pub fn from_line(
        id: &str,
        line: &str,
        owner: &str,
        now: i64,
    ) -> Result<ActionItem, DomainError> {
        let line = line.trim();
        if let Some((text, day)) = line.rsplit_once(" @")
            && !day.is_empty()
            && day.chars().all(|c| c.is_ascii_digit() || c == '-')
        {
            let due = crate::time::parse_rfc3339(&format!("{day}T00:00:00Z")).map_err(|_| {
                DomainError::Invalid(format!("invalid due day '{day}': expected YYYY-MM-DD"))
            })?;
            return ActionItem::new(id, text, owner, Some(due), now);
        }
        ActionItem::new(id, line, owner, None, now)
    }

    /// Whether it is open and its due date is before `today` (start of day, ms).
    pub fn is_overdue(&self, today: i64) -> bool {
        !self.done && self.due.is_some_and(|d| d < today)
    }
}

/// Marks the action `id` of `actions` done.
pub(crate) fn complete_action(
    actions: &mut [ActionItem],
    id: &str,
    now: i64,
) -> Result<(), DomainError> {
    let action = actions
        .iter_mut()
        .find(|a| a.id == id)
        .ok_or_else(|| DomainError::NotFound(format!("no action '{id}'")))?;
    if action.done {
        return Err(DomainError::Invalid(format!(
            "action '{id}' is already done"
        )));
    }
    action.done = true;
    action.done_at = Some(now);
    Ok(())
}

/// What a contribution was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContributionKind {
    /// Hosted a session.
    SessionHosted,
    /// Facilitated a session.
    SessionFacilitated,
    /// Spoke at a session: a lunch & learn's speaker, a flash session's referent.
    SessionPresented,
    /// Mentored someone for one logged session.
    Mentoring,
    /// Wrote and submitted a peer review.
    Review,
}

impl ContributionKind {
    /// Every kind.
    pub const ALL: [ContributionKind; 5] = [
        ContributionKind::SessionHosted,
        ContributionKind::SessionFacilitated,
        ContributionKind::SessionPresented,
        ContributionKind::Mentoring,
        ContributionKind::Review,
    ];

    /// The kind a document names: one this build knows, or an error saying which it is not.
    pub fn parse(name: &str) -> Result<ContributionKind, DomainError> {
        ContributionKind::ALL
            .into_iter()
            .find(|k| k.as_str() == name)
            .ok_or_else(|| DomainError::Invalid(format!("unknown contribution kind '{name}'")))
    }

    /// The stable name stored in documents.
    pub fn as_str(self) -> &'static str {
        match self {
            ContributionKind::SessionHosted => "session-hosted",
            ContributionKind::SessionFacilitated => "session-facilitated",
            ContributionKind::SessionPresented => "session-presented",
            ContributionKind::Mentoring => "mentoring",
            ContributionKind::Review => "review",
        }
    }
}

/// Time one member gave to others. It counts as credited time only once one of its receivers
/// has confirmed it.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct Contribution {
    /// Contribution id.
    #[key]
    pub id: String,
    /// [`ContributionKind::as_str`].
    pub kind: String,
    /// Who gave the time.
    pub giver: String,
    /// Who received it.
    pub receivers: Vec<String>,
    /// How long, in minutes.
    pub minutes: u32,
    /// When.
    #[serde(with = "crate::time::serde_ms")]
    pub created_at: i64,
    /// The receiver who confirmed it, if any.
    pub confirmed_by: Option<String>,
    /// When it was confirmed.
    pub confirmed_at: Option<i64>,
}

impl Contribution {
    /// A new, unconfirmed contribution.
    pub fn new(
        id: &str,
        kind: ContributionKind,
        giver: &str,
        receivers: Vec<String>,
        minutes: u32,
        now: i64,
    ) -> Contribution {
        Contribution {
            id: id.to_owned(),
            kind: kind.as_str().to_owned(),
            giver: giver.to_owned(),
            receivers,
            minutes,
            created_at: now,
            confirmed_by: None,
            confirmed_at: None,
        }
    }

    /// Whether it counts as credited time.
    pub fn is_confirmed(&self) -> bool {
        self.confirmed_by.is_some()
    }
}

/// `by` confirms the contribution `id` of `list`: only a receiver may, and only once.
pub(crate) fn confirm_contribution(
    list: &mut [Contribution],
    id: &str,
    by: &str,
    now: i64,
) -> Result<(), DomainError> {
    let c = list
        .iter_mut()
        .find(|c| c.id == id)
        .ok_or_else(|| DomainError::NotFound(format!("no contribution '{id}'")))?;
    if c.giver == by {
        return Err(DomainError::forbidden(crate::rules::SELF_CONFIRM));
    }
    if !c.receivers.iter().any(|r| r == by) {
        return Err(DomainError::forbidden(crate::rules::CONFIRM_RECEIVER));
    }
    if c.is_confirmed() {
        return Err(DomainError::Invalid(
            "this contribution is already confirmed".into(),
        ));
    }
    c.confirmed_by = Some(by.to_owned());
    c.confirmed_at = Some(now);
    Ok(())
}

/// A thank-you, public to the workspace.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct Kudos {
    /// Kudos id.
    pub id: String,
    /// Who thanks.
    pub from: String,
    /// Who is thanked.
    pub to: String,
    /// The words.
    pub message: String,
    /// The skill it is about, if any.
    pub skill: Option<String>,
    /// When.
    #[serde(with = "crate::time::serde_ms")]
    pub created_at: i64,
}

/// Every contribution names a kind this build knows (a closed set: a reader must be able to
/// show each one).
pub(crate) fn known_kinds(list: &[Contribution]) -> Result<(), DomainError> {
    for c in list {
        ContributionKind::parse(&c.kind)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confirmation_rules() {
        let mut list = vec![Contribution::new(
            "c1",
            ContributionKind::Mentoring,
            "a",
            vec!["b".into(), "c".into()],
            60,
            0,
        )];
        for (by, want) in [
            ("a", "own contribution"),
            ("z", "only someone who received"),
            ("x", "only someone"),
        ] {
            let err = confirm_contribution(&mut list, "c1", by, 1)
                .unwrap_err()
                .to_string();
            assert!(err.contains(want), "{by}: {err}");
        }
        assert!(confirm_contribution(&mut list, "nope", "b", 1).is_err());
        confirm_contribution(&mut list, "c1", "c", 2).unwrap();
        assert!(list[0].is_confirmed());
        let err = confirm_contribution(&mut list, "c1", "b", 3)
            .unwrap_err()
            .to_string();
        assert!(err.contains("already confirmed"), "{err}");
    }

    #[test]
    fn actions_complete_once_and_know_when_they_are_overdue() {
        let mut actions =
            vec![ActionItem::new("a1", "write the runbook", "m", Some(100), 0).unwrap()];
        assert!(actions[0].is_overdue(101));
        assert!(!actions[0].is_overdue(100));
        complete_action(&mut actions, "a1", 5).unwrap();
        assert!(!actions[0].is_overdue(1000));
        assert!(complete_action(&mut actions, "a1", 6).is_err());
        assert!(ActionItem::new("a2", " ", "m", None, 0).is_err());
        let due = ActionItem::from_line("a3", "Write the runbook @2026-12-05", "m", 0).unwrap();
        assert_eq!(due.text, "Write the runbook");
        assert_eq!(
            due.due.map(crate::time::rfc3339),
            Some("2026-12-05T00:00:00.000Z".into())
        );
        // An `@` that is not a day stays in the text; a day that is not one is refused.
        let plain = ActionItem::from_line("a4", "Ask @bob", "m", 0).unwrap();
        assert_eq!((plain.text.as_str(), plain.due), ("Ask @bob", None));
        let err = ActionItem::from_line("a5", "Ship @2026-13-40", "m", 0).unwrap_err();
        assert!(err.to_string().contains("YYYY-MM-DD"), "{err}");
    }
}
