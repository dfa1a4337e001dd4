//! Mentoring relationships: one private document per relationship, reaching only its two
//! participants (fixed in the signed header). It holds the agreement, goals, session logs,
//! action items and the contributions those logs earn.

use autosurgeon::{Hydrate, Reconcile, Text};

use crate::recognition::{complete_action, confirm_contribution};
use crate::{
    ActionItem, Contribution, ContributionKind, DocKind, DocMeta, DomainError, TypedDoc,
    require_text,
};

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;

/// The kind of relationship.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MentoringKind {
    /// A mentor helps a mentee.
    Mentoring,
    /// Reverse mentoring: the junior colleague mentors the senior one.
    Reverse,
    /// Cross mentoring: each teaches the other.
    Cross,
}

impl MentoringKind {
    /// The kind a document names: one this build knows, or an error saying which it is not.
    pub fn parse(name: &str) -> Result<MentoringKind, DomainError> {
        [
            MentoringKind::Mentoring,
            MentoringKind::Reverse,
            MentoringKind::Cross,
        ]
        .into_iter()
        .find(|k| k.as_str() == name)
        .ok_or_else(|| DomainError::Invalid(format!("unknown mentoring kind '{name}'")))
    }

    /// The stable name stored in documents.
    pub fn as_str(self) -> &'static str {
        match self {
            MentoringKind::Mentoring => "mentoring",
            MentoringKind::Reverse => "reverse",
            MentoringKind::Cross => "cross",
        }
    }
}

/// What both sides agreed on.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
pub struct Agreement {
    /// Expected days between sessions.
    pub cadence_days: u32,
    /// What stays between the two of them.
    pub confidentiality: String,
    /// Planned end (ms since the epoch), if any.
    pub planned_end: Option<i64>,
}

/// A learning goal of the relationship.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
pub struct Goal {
    /// Goal id.
    #[key]
    pub id: String,
    /// The goal.
    pub text: String,
    /// Progress, 0–100 %.
    pub progress: u8,
    /// Reached.
    pub done: bool,
}

/// One logged mentoring session.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
pub struct SessionLog {
    /// Log id.
    #[key]
    pub id: String,
    /// The day it took place (ms since the epoch, start of day UTC).
    pub date: i64,
    /// How long, in minutes.
    pub minutes: u32,
    /// What was discussed (prose, merged character-wise).
    pub notes: Text,
    /// Topics or skill ids.
    pub topics: Vec<String>,
    /// Who logged it.
    pub logged_by: String,
}

/// A mentoring document's model.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
pub struct Mentoring {
    /// Signed header: scope private, participants = mentor and mentee.
    pub meta: DocMeta,
    /// [`MentoringKind::as_str`].
    pub kind: String,
    /// The mentor (for cross mentoring, the one who started it).
    pub mentor: String,
    /// The mentee (for cross mentoring, the other one).
    pub mentee: String,
    /// The agreement.
    pub agreement: Agreement,
    /// Goals in order.
    pub goals: Vec<Goal>,
    /// Session logs in order.
    pub sessions: Vec<SessionLog>,
    /// Action items.
    pub actions: Vec<ActionItem>,
    /// Time given, one per logged session.
    pub contributions: Vec<Contribution>,
    /// Last change.
    pub updated_at: i64,
}

impl TypedDoc for Mentoring {
    const KIND: DocKind = DocKind::Mentoring;
    fn meta(&self) -> &DocMeta {
        &self.meta
    }
    fn validate(&self) -> Result<(), DomainError> {
        self.meta
            .require_private_pair(&self.mentor, &self.mentee, "a mentoring relationship")?;
        MentoringKind::parse(&self.kind)?;
        crate::recognition::known_kinds(&self.contributions)
    }
    fn check_write(
        before: Option<&Self>,
        after: &Self,
        by: crate::Author<'_>,
    ) -> Result<(), DomainError> {
        crate::rules::mentoring(before, after, by)
    }
}

impl Mentoring {
    /// A new relationship. `meta` must be private to exactly `mentor` and `mentee`.
    pub fn new(
        meta: DocMeta,
        kind: MentoringKind,
        mentor: &str,
        mentee: &str,
        cadence_days: u32,
    ) -> Result<Mentoring, DomainError> {
        if mentor == mentee {
            return Err(DomainError::Invalid("you cannot mentor yourself".into()));
        }
        if !(1..=365).contains(&cadence_days) {
            return Err(DomainError::Invalid(format!(
                "cadence of {cadence_days} days: give 1 to 365 days"
            )));
        }
        let m = Mentoring {
            kind: kind.as_str().to_owned(),
            mentor: mentor.to_owned(),
            mentee: mentee.to_owned(),
            agreement: Agreement {
                cadence_days,
                confidentiality:
                    "What we share in our sessions stays between us unless we both agree otherwise."
                        .into(),
                planned_end: None,
            },
            goals: Vec::new(),
            sessions: Vec::new(),
            actions: Vec::new(),
            contributions: Vec::new(),
            updated_at: meta.created_at,
            meta,
        };
        m.validate()?;
        Ok(m)
    }

    /// The other participant, seen from `me`.
    pub fn other(&self, me: &str) -> &str {
        if self.mentor == me {
            &self.mentee
        } else {
            &self.mentor
        }
    }

    fn require_participant(&self, who: &str) -> Result<(), DomainError> {
        if who == self.mentor || who == self.mentee {
            Ok(())
        } else {
            Err(DomainError::forbidden(crate::rules::MENTORING_PARTICIPANTS))
        }
    }

    /// Adds a goal.
    pub fn add_goal(
        &mut self,
        id: &str,
        text: &str,
        by: &str,
        now: i64,
    ) -> Result<(), DomainError> {
        self.require_participant(by)?;
        self.goals.push(Goal {
            id: id.to_owned(),
            text: require_text("goal", text)?,
            progress: 0,
            done: false,
        });
        self.updated_at = now;
        Ok(())
    }

    fn goal_mut(&mut self, query: &str) -> Result<&mut Goal, DomainError> {
        let q = query.trim();
        let by_number = q
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= 1 && *n <= self.goals.len());
        match by_number {
            Some(n) => Ok(&mut self.goals[n - 1]),
            None => self
                .goals
                .iter_mut()
                .find(|g| g.id == q || crate::fold(&g.text) == crate::fold(q))
                .ok_or_else(|| {
                    DomainError::NotFound(format!("no goal '{q}' (give its number, id or text)"))
                }),
        }
    }

    /// Sets a goal's progress (0–100); 100 % marks it done.
    pub fn set_progress(
        &mut self,
        goal: &str,
        percent: u32,
        by: &str,
        now: i64,
    ) -> Result<(), DomainError> {
        self.require_participant(by)?;
        if percent > 100 {
            return Err(DomainError::Invalid(format!(
                "progress {percent} %: give 0 to 100"
            )));
        }
        let g = self.goal_mut(goal)?;
        g.progress = percent as u8;
        g.done = percent == 100;
        self.updated_at = now;
        Ok(())
    }

    /// Marks a goal reached.
    pub fn complete_goal(&mut self, goal: &str, by: &str, now: i64) -> Result<(), DomainError> {
        self.require_participant(by)?;
        let g = self.goal_mut(goal)?;
        if g.done {
            return Err(DomainError::Invalid(format!(
                "goal '{}' is already done",
                g.text
            )));
        }
        g.done = true;
        g.progress = 100;
        self.updated_at = now;
        Ok(())
    }

    /// Logs a session: its notes, the actions decided (owned by the mentee), and the time the
    /// mentor gave as a contribution awaiting the mentee's confirmation. For cross mentoring the
    /// one who logs is the giver.
    #[allow(clippy::too_many_arguments)]
    pub fn log_session(
        &mut self,
        ids: &mut dyn FnMut() -> String,
        by: &str,
        date: i64,
        minutes: u32,
        notes: &str,
        topics: Vec<String>,
        actions: &[String],
        now: i64,
    ) -> Result<(), DomainError> {
        self.require_participant(by)?;
        if !(1..=24 * 60).contains(&minutes) {
            return Err(DomainError::Invalid(format!(
                "{minutes} minutes: give 1 to 1440"
            )));
        }
        if notes.trim().is_empty() {
            return Err(DomainError::Invalid("notes must not be empty".into()));
        }
        crate::note::check_body(notes)?;
        self.sessions.push(SessionLog {
            id: ids(),
            date,
            minutes,
            notes: Text::with_value(notes),
            topics,
            logged_by: by.to_owned(),
        });
        for text in actions {
            let owner = if self.kind == MentoringKind::Cross.as_str() {
                by
            } else {
                &self.mentee
            };
            self.actions
                .push(ActionItem::from_line(&ids(), text, owner, now)?);
        }
        let (giver, receiver) = if self.kind == MentoringKind::Cross.as_str() {
            (by.to_owned(), self.other(by).to_owned())
        } else {
            (self.mentor.clone(), self.mentee.clone())
        };
        self.contributions.push(Contribution::new(
            &ids(),
            ContributionKind::Mentoring,
            &giver,
            vec![receiver],
            minutes,
            now,
        ));
        self.updated_at = now;
        Ok(())
    }

    /// The day of the last logged session, if any.
    pub fn last_session(&self) -> Option<i64> {
        self.sessions.iter().map(|s| s.date).max()
    }

    /// Whether a session is due on `today` (start of day, ms): the last session (or the start,
    /// if none) is at least `cadence_days` old.
    pub fn is_due(&self, today: i64) -> bool {
        // Dates come from colleagues' documents: saturating, so no date overflows.
        let created = self.meta.created_at;
        let since = self
            .last_session()
            .unwrap_or(created.saturating_sub(created.rem_euclid(DAY_MS)));
        today.saturating_sub(since) >= i64::from(self.agreement.cadence_days) * DAY_MS
    }

    /// Marks an action done (a participant only).
    pub fn complete_action(&mut self, id: &str, by: &str, now: i64) -> Result<(), DomainError> {
        self.require_participant(by)?;
        complete_action(&mut self.actions, id, now)?;
        self.updated_at = now;
        Ok(())
    }

    /// Confirms a contribution (its receiver only).
    pub fn confirm(&mut self, id: &str, by: &str, now: i64) -> Result<(), DomainError> {
        confirm_contribution(&mut self.contributions, id, by, now)?;
        self.updated_at = now;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scope;
    use crate::doc;
    use libp2p_identity::Keypair;

    fn setup(kind: MentoringKind) -> (Mentoring, String, String) {
        let mentor = Keypair::generate_ed25519();
        let m = mentor.public().to_peer_id().to_string();
        let e = Keypair::generate_ed25519()
            .public()
            .to_peer_id()
            .to_string();
        let meta = DocMeta::new_signed(
            &mentor,
            "r1",
            DocKind::Mentoring,
            &Scope::Private,
            "ws",
            10 * DAY_MS + 5,
            &[m.clone(), e.clone()],
        )
        .unwrap();
        (Mentoring::new(meta, kind, &m, &e, 14).unwrap(), m, e)
    }

    fn counter() -> impl FnMut() -> String {
        let mut n = 0;
        move || {
            n += 1;
            format!("id{n}")
        }
    }

    #[test]
    fn goals_logs_actions_cadence_and_credit() {
        let (mut r, m, e) = setup(MentoringKind::Mentoring);
        let mut ids = counter();
        assert!(
            r.is_due(24 * DAY_MS),
            "14 days after the start with no session"
        );
        assert!(!r.is_due(23 * DAY_MS));
        r.add_goal("g1", "Lead a design review", &e, 1).unwrap();
        r.set_progress("1", 40, &m, 2).unwrap();
        assert_eq!(r.goals[0].progress, 40);
        assert!(r.set_progress("1", 140, &m, 2).is_err());
        assert!(r.set_progress("nope", 10, &m, 2).is_err());
        r.complete_goal("lead a design review", &e, 3).unwrap();
        assert!(r.complete_goal("1", &e, 3).is_err(), "already done");
        assert!(r.add_goal("g2", "x", "stranger", 3).is_err());

        r.log_session(
            &mut ids,
            &e,
            30 * DAY_MS,
            45,
            "We reviewed the RFC.",
            vec!["rust".into()],
            &["Draft v2".into()],
            4,
        )
        .unwrap();
        assert!(!r.is_due(43 * DAY_MS) && r.is_due(44 * DAY_MS));
        assert_eq!(
            r.actions[0].owner, e,
            "mentoring actions belong to the mentee"
        );
        let c = r.contributions[0].clone();
        assert_eq!(
            (c.giver.as_str(), c.receivers.as_slice(), c.minutes),
            (m.as_str(), &[e.clone()][..], 45)
        );
        assert!(
            r.confirm(&c.id, &m, 5).is_err(),
            "the mentor cannot confirm their own time"
        );
        r.confirm(&c.id, &e, 5).unwrap();
        let action = r.actions[0].id.clone();
        r.complete_action(&action, &e, 6).unwrap();
        assert!(r.complete_action(&action, &e, 7).is_err());
        for (minutes, notes) in [(0, "x"), (2000, "x"), (30, "  ")] {
            assert!(
                r.log_session(&mut ids, &m, 0, minutes, notes, vec![], &[], 8)
                    .is_err()
            );
        }

        let actor = doc::actor_for(&m.parse().unwrap());
        let mut am = doc::create(actor.clone(), &r).unwrap();
        let (_, back) = doc::load::<Mentoring>(&am.save(), actor).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn cross_mentoring_credits_whoever_logs() {
        let (mut r, m, e) = setup(MentoringKind::Cross);
        let mut ids = counter();
        r.log_session(
            &mut ids,
            &e,
            0,
            30,
            "I showed SQL window functions.",
            vec![],
            &["Practise".into()],
            1,
        )
        .unwrap();
        assert_eq!(r.contributions[0].giver, e);
        assert_eq!(r.contributions[0].receivers, std::slice::from_ref(&m));
        assert_eq!(r.actions[0].owner, e);
    }

    #[test]
    fn a_relationship_is_private_to_exactly_its_two_members() {
        let key = Keypair::generate_ed25519();
        let me = key.public().to_peer_id().to_string();
        let other = Keypair::generate_ed25519()
            .public()
            .to_peer_id()
            .to_string();
        let third = Keypair::generate_ed25519()
            .public()
            .to_peer_id()
            .to_string();
        let wide = DocMeta::new_signed(
            &key,
            "r",
            DocKind::Mentoring,
            &Scope::Private,
            "ws",
            0,
            &[me.clone(), other.clone(), third],
        )
        .unwrap();
        assert!(Mentoring::new(wide, MentoringKind::Mentoring, &me, &other, 7).is_err());
        let open = DocMeta::new_signed(
            &key,
            "r",
            DocKind::Mentoring,
            &Scope::Workspace,
            "ws",
            0,
            &[],
        )
        .unwrap();
        assert!(Mentoring::new(open, MentoringKind::Mentoring, &me, &other, 7).is_err());
        let meta = DocMeta::new_signed(
            &key,
            "r",
            DocKind::Mentoring,
            &Scope::Private,
            "ws",
            0,
            &[me.clone(), other.clone()],
        )
        .unwrap();
        assert!(Mentoring::new(meta.clone(), MentoringKind::Mentoring, &me, &me, 7).is_err());
        assert!(Mentoring::new(meta, MentoringKind::Mentoring, &me, &other, 0).is_err());
    }
}
