//! Guided sessions: codéveloppement, after-action review, peer assist, Working Out Loud, flash
//! learning, lunch & learn. Each format is a template of ordered steps (prompt, who speaks,
//! time box) and roles; a session moves through its steps, recording notes and times, and
//! closes with takeaways, an optional rating, action items and the hosts' contributions.

use autosurgeon::{Hydrate, Reconcile, Text};
use serde::Serialize;

use crate::recognition::{complete_action, confirm_contribution};
use crate::rules::{SESSION_ACTIONS, SESSION_CLOSED_STEPS, SESSION_RUN};
use crate::{
    ActionItem, Contribution, ContributionKind, DocKind, DocMeta, DomainError, Scope, TypedDoc,
    require_text,
};

/// One step of a format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StepTemplate {
    /// Short name.
    pub name: &'static str,
    /// What the step is for, shown when it starts.
    pub prompt: &'static str,
    /// Who speaks.
    pub speaker: &'static str,
    /// Time box, minutes (low).
    pub min_minutes: u32,
    /// Time box, minutes (high).
    pub max_minutes: u32,
}

/// A session format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Format {
    /// Stable name (`codev`, `aar`, ...).
    pub id: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Roles a participant may have; the first is the default.
    pub roles: &'static [&'static str],
    /// Ordered steps.
    pub steps: &'static [StepTemplate],
}

const fn step(
    name: &'static str,
    prompt: &'static str,
    speaker: &'static str,
    min_minutes: u32,
    max_minutes: u32,
) -> StepTemplate {
    StepTemplate {
        name,
        prompt,
        speaker,
        min_minutes,
        max_minutes,
    }
}

/// Every format (DESIGN.md, "The formats, precisely").
pub const FORMATS: &[Format] = &[
    Format {
        id: "codev",
        name: "Codéveloppement",
        roles: &["consultant", "client", "facilitator"],
        steps: &[
            step(
                "Exposé",
                "The client presents the situation, uninterrupted.",
                "client",
                5,
                10,
            ),
            step(
                "Clarifying questions",
                "Consultants ask questions to understand; no advice yet.",
                "consultants",
                10,
                15,
            ),
            step(
                "Contract",
                "The client states the exact help wanted; the facilitator reformulates it.",
                "client",
                5,
                5,
            ),
            step(
                "Consultation",
                "Consultants share reactions, hypotheses and suggestions; the client listens and takes notes.",
                "consultants",
                20,
                30,
            ),
            step(
                "Synthesis and action plan",
                "The client sums up what they take away and plans actions with owners and dates.",
                "client",
                10,
                20,
            ),
            step(
                "Learnings",
                "Everyone shares what they learned; evaluate the session.",
                "everyone",
                10,
                10,
            ),
        ],
    },
    Format {
        id: "aar",
        name: "After-action review",
        roles: &["participant", "facilitator"],
        steps: &[
            step(
                "What was supposed to happen",
                "Recall the objectives and the plan, without blame.",
                "everyone",
                5,
                10,
            ),
            step(
                "What actually happened",
                "Establish the facts and the timeline.",
                "everyone",
                10,
                15,
            ),
            step(
                "Why the difference",
                "Look for causes, not culprits.",
                "everyone",
                10,
                15,
            ),
            step(
                "What we do differently",
                "Agree on lessons and actions for next time.",
                "everyone",
                10,
                15,
            ),
        ],
    },
    Format {
        id: "peer-assist",
        name: "Peer assist",
        roles: &["host", "visitor", "facilitator"],
        steps: &[
            step(
                "Objective",
                "The host team states what it wants from the visitors.",
                "host",
                5,
                10,
            ),
            step(
                "Context and risks",
                "The host team presents its context, plan and risks.",
                "host",
                15,
                20,
            ),
            step(
                "Visitors' experience",
                "Visitors share what they did, what worked and what did not.",
                "visitors",
                20,
                30,
            ),
            step(
                "Joint options",
                "Together, list options for the host team.",
                "everyone",
                15,
                20,
            ),
            step(
                "Two-way feedback",
                "What each side takes away.",
                "everyone",
                5,
                10,
            ),
        ],
    },
    Format {
        id: "wol",
        name: "Working Out Loud circle",
        roles: &["member"],
        steps: &[
            step(
                "Goal",
                "Each member restates their goal and progress.",
                "each member",
                10,
                15,
            ),
            step(
                "Relationship list",
                "Who could help each member reach their goal.",
                "each member",
                10,
                15,
            ),
            step(
                "Contributions",
                "What each member can offer those people this week.",
                "each member",
                20,
                20,
            ),
            step(
                "Next steps",
                "Each member commits to the next steps before the next meeting.",
                "each member",
                10,
                10,
            ),
        ],
    },
    Format {
        id: "flash",
        name: "Flash learning",
        roles: &["participant", "referent"],
        steps: &[
            step(
                "Question",
                "State the one question this session answers.",
                "participant",
                2,
                5,
            ),
            step(
                "Answer",
                "The referent explains and shows.",
                "referent",
                10,
                20,
            ),
            step(
                "Takeaway",
                "Write the one-page takeaway together.",
                "everyone",
                3,
                5,
            ),
        ],
    },
    Format {
        id: "lunch-learn",
        name: "Lunch & learn",
        roles: &["attendee", "speaker"],
        steps: &[
            step(
                "Talk or workshop",
                "The speaker presents or runs the workshop.",
                "speaker",
                30,
                45,
            ),
            step("Questions", "Attendees ask questions.", "attendees", 5, 10),
            step(
                "Feedback",
                "Attendees say what they take away and how it could be better.",
                "attendees",
                3,
                5,
            ),
        ],
    },
];

/// The format named `id`.
pub fn format(id: &str) -> Result<&'static Format, DomainError> {
    FORMATS.iter().find(|f| f.id == id.trim()).ok_or_else(|| {
        DomainError::Invalid(format!(
            "unknown format '{}': expected {}",
            id.trim(),
            FORMATS.iter().map(|f| f.id).collect::<Vec<_>>().join(", ")
        ))
    })
}

/// Someone taking part, with a role of the format.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
pub struct Participant {
    /// Member id.
    pub member: String,
    /// Role.
    pub role: String,
}

/// What happened during one step.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
pub struct StepRecord {
    /// Index in the format's steps.
    pub index: u32,
    /// The step's name.
    pub name: String,
    /// Started, ms since the epoch.
    pub started_at: i64,
    /// Ended, if it has.
    pub ended_at: Option<i64>,
    /// Notes (prose, merged character-wise).
    pub notes: Text,
}

/// Where a session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStatus {
    /// Not started.
    Planned,
    /// Going through its steps.
    Running,
    /// Done.
    Closed,
}

impl SessionStatus {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionStatus::Planned => "planned",
            SessionStatus::Running => "running",
            SessionStatus::Closed => "closed",
        }
    }
}

/// A session document's model (scope workspace or community).
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
pub struct Session {
    /// Signed header.
    pub meta: DocMeta,
    /// Format id.
    pub format: String,
    /// Title.
    pub title: String,
    /// Planned start, ms since the epoch.
    pub at: i64,
    /// Planned length, minutes (what hosts are credited).
    pub minutes: u32,
    /// Hosts (member ids).
    pub hosts: Vec<String>,
    /// Participants with roles.
    pub participants: Vec<Participant>,
    /// Skill ids it is about.
    pub skills: Vec<String>,
    /// [`SessionStatus::as_str`].
    pub status: String,
    /// One record per step reached, in order.
    pub steps: Vec<StepRecord>,
    /// Takeaways, at close.
    pub takeaways: Vec<String>,
    /// Rating 1–5, at close.
    pub rating: Option<u8>,
    /// Actions decided (for codev: the client's action plan).
    pub actions: Vec<ActionItem>,
    /// Hosts', facilitators' and speakers' time, at close.
    pub contributions: Vec<Contribution>,
    /// Started, closed.
    pub started_at: Option<i64>,
    /// Closed.
    pub closed_at: Option<i64>,
    /// Who came, recorded at close (member ids; empty: everyone planned came). A lunch & learn
    /// may count people who were not on the plan.
    #[autosurgeon(missing = "Default::default")]
    pub attended: Vec<String>,
    /// The takeaway note written at close (a flash session's one page).
    #[autosurgeon(missing = "Default::default")]
    pub takeaway_note: Option<String>,
    /// Last change.
    pub updated_at: i64,
}

impl TypedDoc for Session {
    const KIND: DocKind = DocKind::Session;
    fn meta(&self) -> &DocMeta {
        &self.meta
    }
    fn validate(&self) -> Result<(), DomainError> {
        match self.meta.parsed_scope()? {
            Scope::Workspace | Scope::Community(_) => {}
            _ => {
                return Err(DomainError::Invalid(
                    "a session belongs to the workspace or a community".into(),
                ));
            }
        }
        format(&self.format)?;
        if !["planned", "running", "closed"].contains(&self.status.as_str()) {
            return Err(DomainError::Invalid(format!(
                "unknown session status '{}'",
                self.status
            )));
        }
        if !(MIN_MINUTES..=MAX_MINUTES).contains(&self.minutes) {
            return Err(DomainError::Invalid(format!(
                "{} minutes: give {MIN_MINUTES} to {MAX_MINUTES}",
                self.minutes
            )));
        }
        if let Some(r) = self.rating
            && !(1..=5).contains(&r)
        {
            return Err(DomainError::Invalid(format!("rating {r}: give 1 to 5")));
        }
        crate::recognition::known_kinds(&self.contributions)
    }
    fn check_write(
        before: Option<&Self>,
        after: &Self,
        by: crate::Author<'_>,
    ) -> Result<(), DomainError> {
        crate::rules::session(before, after, by)
    }
}

/// The shortest and the longest a session may be planned, in minutes.
const MIN_MINUTES: u32 = 5;
const MAX_MINUTES: u32 = 8 * 60;

/// What a session's closing records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Closing {
    /// Takeaways, one per line.
    pub takeaways: Vec<String>,
    /// Rating 1–5.
    pub rating: Option<u32>,
    /// Actions, one per line (` @YYYY-MM-DD` for a due day).
    pub actions: Vec<String>,
    /// Who came (member ids), if recorded.
    pub attended: Vec<String>,
    /// The takeaway note's id (required for a flash session).
    pub takeaway_note: Option<String>,
}

/// What `session step` tells: the step just recorded and the one now running.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepOutcome {
    /// The step whose notes were recorded.
    pub recorded: String,
    /// The next step, if any (its template).
    pub next: Option<StepTemplate>,
}

impl Session {
    /// Plans a session. Participants are `(member, role)`; a role of `None` takes the format's
    /// default. Codéveloppement needs exactly one client, three to seven consultants and at most
    /// one facilitator.
    #[allow(clippy::too_many_arguments)]
    pub fn plan(
        meta: DocMeta,
        format_id: &str,
        title: &str,
        at: i64,
        minutes: Option<u32>,
        hosts: Vec<String>,
        participants: Vec<(String, Option<String>)>,
        skills: Vec<String>,
    ) -> Result<Session, DomainError> {
        let format = format(format_id)?;
        let minutes = minutes.unwrap_or_else(|| format.steps.iter().map(|s| s.max_minutes).sum());
        let mut people: Vec<Participant> = Vec::new();
        for (member, role) in participants {
            let role = match role {
                None => format.roles[0].to_owned(),
                Some(r) => {
                    let r = r.trim().to_lowercase();
                    if !format.roles.contains(&r.as_str()) {
                        return Err(DomainError::Invalid(format!(
                            "'{r}' is not a role of {}: use {}",
                            format.name,
                            format.roles.join(", ")
                        )));
                    }
                    r
                }
            };
            if people.iter().any(|p| p.member == member) {
                return Err(DomainError::Invalid(format!("{member} is listed twice")));
            }
            people.push(Participant { member, role });
        }
        let mut unique_hosts: Vec<String> = Vec::new();
        for h in hosts {
            if !unique_hosts.contains(&h) {
                unique_hosts.push(h);
            }
        }
        if unique_hosts.is_empty() {
            unique_hosts.push(meta.created_by.clone());
        }
        if format.id == "codev" {
            let count = |role: &str| people.iter().filter(|p| p.role == role).count();
            let (clients, consultants, facilitators) =
                (count("client"), count("consultant"), count("facilitator"));
            if clients != 1 || !(3..=7).contains(&consultants) || facilitators > 1 {
                return Err(DomainError::Invalid(format!(
                    "codéveloppement needs 1 client, 3 to 7 consultants and at most 1 facilitator (got {clients}, {consultants}, {facilitators})"
                )));
            }
        }
        let s = Session {
            format: format.id.to_owned(),
            title: require_text("title", title)?,
            at,
            minutes,
            hosts: unique_hosts,
            participants: people,
            skills,
            status: SessionStatus::Planned.as_str().to_owned(),
            steps: Vec::new(),
            takeaways: Vec::new(),
            rating: None,
            actions: Vec::new(),
            contributions: Vec::new(),
            started_at: None,
            closed_at: None,
            attended: Vec::new(),
            takeaway_note: None,
            updated_at: meta.created_at,
            meta,
        };
        s.validate()?;
        Ok(s)
    }

    /// The session's format.
    pub fn format(&self) -> Result<&'static Format, DomainError> {
        format(&self.format)
    }

    /// Whether `member` hosts or takes part.
    pub fn involves(&self, member: &str) -> bool {
        self.hosts.iter().any(|h| h == member)
            || self.participants.iter().any(|p| p.member == member)
    }

    /// Whether `member` may run the session (start it, record its steps, close it): a host or
    /// a facilitator. Other participants take part; they do not drive.
    pub fn may_run(&self, member: &str) -> bool {
        self.hosts.iter().any(|h| h == member)
            || self
                .participants
                .iter()
                .any(|p| p.member == member && p.role == "facilitator")
    }

    /// Who gives time at this session, and as what: its hosts, then the participants whose role
    /// gives (facilitator; speaker or referent), each once.
    pub fn givers(&self) -> Vec<(&str, ContributionKind)> {
        let mut out: Vec<(&str, ContributionKind)> = self
            .hosts
            .iter()
            .map(|h| (h.as_str(), ContributionKind::SessionHosted))
            .collect();
        for p in &self.participants {
            let kind = match p.role.as_str() {
                "facilitator" => ContributionKind::SessionFacilitated,
                "speaker" | "referent" => ContributionKind::SessionPresented,
                _ => continue,
            };
            if !out.iter().any(|(m, _)| *m == p.member) {
                out.push((&p.member, kind));
            }
        }
        out
    }

    /// Who received the givers' time: those who came (all planned participants unless
    /// attendance was recorded), less the givers.
    pub fn receivers(&self) -> Vec<String> {
        let givers = self.givers();
        let came: Vec<&String> = if self.attended.is_empty() {
            self.participants.iter().map(|p| &p.member).collect()
        } else {
            self.attended.iter().collect()
        };
        came.into_iter()
            .filter(|m| !givers.iter().any(|(g, _)| g == m))
            .cloned()
            .collect()
    }

    fn require_runner(&self, by: &str) -> Result<(), DomainError> {
        if self.may_run(by) {
            Ok(())
        } else {
            Err(DomainError::forbidden(SESSION_RUN))
        }
    }

    /// Starts the first step (a host or a facilitator).
    pub fn start(&mut self, by: &str, now: i64) -> Result<StepTemplate, DomainError> {
        self.require_runner(by)?;
        match self.status.as_str() {
            "planned" => {}
            "running" => {
                return Err(DomainError::Invalid(
                    "the session is already running".into(),
                ));
            }
            _ => return Err(DomainError::Invalid("the session is closed".into())),
        }
        let first = self.format()?.steps[0];
        self.status = SessionStatus::Running.as_str().to_owned();
        self.started_at = Some(now);
        self.steps.push(StepRecord {
            index: 0,
            name: first.name.to_owned(),
            started_at: now,
            ended_at: None,
            notes: Text::default(),
        });
        self.updated_at = now;
        Ok(first)
    }

    /// Records the running step's notes, ends it and starts the next one (a host or a
    /// facilitator).
    pub fn step(&mut self, by: &str, notes: &str, now: i64) -> Result<StepOutcome, DomainError> {
        self.require_runner(by)?;
        match self.status.as_str() {
            "running" => {}
            "planned" => return Err(DomainError::Invalid("start the session first".into())),
            _ => return Err(DomainError::forbidden(SESSION_CLOSED_STEPS)),
        }
        crate::note::check_body(notes)?;
        let steps = self.format()?.steps;
        let current = self
            .steps
            .last_mut()
            .filter(|s| s.ended_at.is_none())
            .ok_or_else(|| DomainError::Invalid("every step is done; close the session".into()))?;
        current.notes.update(notes);
        current.ended_at = Some(now);
        let recorded = current.name.clone();
        let next_index = current.index as usize + 1;
        let next = steps.get(next_index).copied();
        if let Some(t) = next {
            self.steps.push(StepRecord {
                index: next_index as u32,
                name: t.name.to_owned(),
                started_at: now,
                ended_at: None,
                notes: Text::default(),
            });
        }
        self.updated_at = now;
        Ok(StepOutcome { recorded, next })
    }

    /// Closes a running session (a host or a facilitator): takeaways, optional rating 1–5,
    /// actions (owned by the codev client, otherwise by whoever closes), who came, the takeaway
    /// note (a flash session must have one), and one contribution per giver ([`Session::givers`])
    /// for the planned minutes, received by [`Session::receivers`], to be confirmed by one of them.
    pub fn close(
        &mut self,
        ids: &mut dyn FnMut() -> String,
        by: &str,
        closing: &Closing,
        now: i64,
    ) -> Result<(), DomainError> {
        let Closing {
            takeaways,
            rating,
            actions,
            attended,
            takeaway_note,
        } = closing;
        let rating = *rating;
        self.require_runner(by)?;
        match self.status.as_str() {
            "running" => {}
            "planned" => return Err(DomainError::Invalid("the session has not started".into())),
            _ => return Err(DomainError::Invalid("the session is already closed".into())),
        }
        if let Some(r) = rating
            && !(1..=5).contains(&r)
        {
            return Err(DomainError::Invalid(format!("rating {r}: give 1 to 5")));
        }
        let mut clean = Vec::new();
        for t in takeaways {
            clean.push(require_text("takeaway", t)?);
        }
        if let Some(open) = self.steps.last_mut().filter(|s| s.ended_at.is_none()) {
            open.ended_at = Some(now);
        }
        let owner = self
            .participants
            .iter()
            .find(|p| p.role == "client")
            .map_or(by.to_owned(), |p| p.member.clone());
        for text in actions {
            self.actions
                .push(ActionItem::from_line(&ids(), text, &owner, now)?);
        }
        if self.format == "flash" && takeaway_note.is_none() {
            return Err(DomainError::Invalid(
                "a flash-learning session ends with its one-page takeaway: write it in the Takeaway step".into(),
            ));
        }
        let mut came: Vec<String> = Vec::new();
        for m in attended {
            if !came.contains(m) {
                came.push(m.clone());
            }
        }
        self.attended = came;
        self.takeaway_note = takeaway_note.clone();
        let receivers = self.receivers();
        let givers: Vec<(String, ContributionKind)> = self
            .givers()
            .into_iter()
            .map(|(g, k)| (g.to_owned(), k))
            .collect();
        if !receivers.is_empty() {
            for (giver, kind) in givers {
                self.contributions.push(Contribution::new(
                    &ids(),
                    kind,
                    &giver,
                    receivers.clone(),
                    self.minutes,
                    now,
                ));
            }
        }
        self.takeaways = clean;
        self.rating = rating.map(|r| r as u8);
        self.status = SessionStatus::Closed.as_str().to_owned();
        self.closed_at = Some(now);
        self.updated_at = now;
        Ok(())
    }

    /// Marks an action done.
    pub fn complete_action(&mut self, id: &str, by: &str, now: i64) -> Result<(), DomainError> {
        if !self.involves(by) {
            return Err(DomainError::forbidden(SESSION_ACTIONS));
        }
        complete_action(&mut self.actions, id, now)?;
        self.updated_at = now;
        Ok(())
    }

    /// Confirms a host's contribution (a participant who received it).
    pub fn confirm(&mut self, id: &str, by: &str, now: i64) -> Result<(), DomainError> {
        confirm_contribution(&mut self.contributions, id, by, now)?;
        self.updated_at = now;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc;
    use automerge::AutoCommit;
    use libp2p_identity::Keypair;

    fn codev() -> (Session, Keypair, Vec<String>) {
        let host = Keypair::generate_ed25519();
        let h = host.public().to_peer_id().to_string();
        let people: Vec<String> = (0..5).map(|i| format!("m{i}")).collect();
        let meta = DocMeta::new_signed(
            &host,
            "s1",
            DocKind::Session,
            &Scope::Workspace,
            "ws",
            0,
            &[],
        )
        .unwrap();
        let participants = vec![
            (people[0].clone(), Some("client".to_owned())),
            (people[1].clone(), None),
            (people[2].clone(), Some("Consultant".to_owned())),
            (people[3].clone(), Some("consultant".to_owned())),
            (people[4].clone(), Some("facilitator".to_owned())),
        ];
        let s = Session::plan(
            meta,
            "codev",
            "Onboarding juniors",
            1000,
            Some(90),
            vec![h],
            participants,
            vec![],
        )
        .unwrap();
        (s, host, people)
    }

    fn ids() -> impl FnMut() -> String {
        let mut n = 0;
        move || {
            n += 1;
            format!("x{n}")
        }
    }

    /// A step of a format: its name, who speaks, and its time box (minutes, low and high).
    type StepSpec = (&'static str, &'static str, u32, u32);
    /// A format: its id, its roles (the first is the default) and its steps, in order.
    type FormatSpec = (&'static str, &'static [&'static str], &'static [StepSpec]);

    /// Every format, in the order they are offered.
    const SPECIFIED: &[FormatSpec] = &[
        (
            "codev",
            &["consultant", "client", "facilitator"],
            &[
                ("Exposé", "client", 5, 10),
                ("Clarifying questions", "consultants", 10, 15),
                ("Contract", "client", 5, 5),
                ("Consultation", "consultants", 20, 30),
                ("Synthesis and action plan", "client", 10, 20),
                ("Learnings", "everyone", 10, 10),
            ],
        ),
        (
            "aar",
            &["participant", "facilitator"],
            &[
                ("What was supposed to happen", "everyone", 5, 10),
                ("What actually happened", "everyone", 10, 15),
                ("Why the difference", "everyone", 10, 15),
                ("What we do differently", "everyone", 10, 15),
            ],
        ),
        (
            "peer-assist",
            &["host", "visitor", "facilitator"],
            &[
                ("Objective", "host", 5, 10),
                ("Context and risks", "host", 15, 20),
                ("Visitors' experience", "visitors", 20, 30),
                ("Joint options", "everyone", 15, 20),
                ("Two-way feedback", "everyone", 5, 10),
            ],
        ),
        (
            "wol",
            &["member"],
            &[
                ("Goal", "each member", 10, 15),
                ("Relationship list", "each member", 10, 15),
                ("Contributions", "each member", 20, 20),
                ("Next steps", "each member", 10, 10),
            ],
        ),
        (
            "flash",
            &["participant", "referent"],
            &[
                ("Question", "participant", 2, 5),
                ("Answer", "referent", 10, 20),
                ("Takeaway", "everyone", 3, 5),
            ],
        ),
        (
            "lunch-learn",
            &["attendee", "speaker"],
            &[
                ("Talk or workshop", "speaker", 30, 45),
                ("Questions", "attendees", 5, 10),
                ("Feedback", "attendees", 3, 5),
            ],
        ),
    ];

    #[test]
    fn every_format_is_as_specified() {
        let ids: Vec<&str> = FORMATS.iter().map(|f| f.id).collect();
        let specified: Vec<&str> = SPECIFIED.iter().map(|s| s.0).collect();
        assert_eq!(ids, specified);
        for (f, &(id, roles, steps)) in FORMATS.iter().zip(SPECIFIED) {
            assert_eq!(format(id).unwrap(), f, "{id}");
            assert_eq!(f.roles, roles, "{id}");
            let got: Vec<StepSpec> = f
                .steps
                .iter()
                .map(|s| (s.name, s.speaker, s.min_minutes, s.max_minutes))
                .collect();
            assert_eq!(got, steps, "{id}");
            assert!(
                f.steps
                    .iter()
                    .all(|s| s.min_minutes <= s.max_minutes && !s.prompt.is_empty()),
                "{id}"
            );
        }
        assert!(format("retro").is_err());
    }

    #[test]
    fn codev_runs_through_six_steps_then_closes() {
        let (mut s, host, people) = codev();
        let h = host.public().to_peer_id().to_string();
        let mut next = ids();
        assert!(s.step(&h, "x", 1).is_err(), "planned: start first");
        let err = s
            .close(&mut next, &h, &Closing::default(), 1)
            .unwrap_err()
            .to_string();
        assert_eq!(err, "the session has not started", "planned: cannot close");
        assert!(s.start("stranger", 1).is_err());
        // The client takes part but does not drive; the facilitator may.
        let err = s.start(&people[0], 10).unwrap_err().to_string();
        assert_eq!(err, "only the session's hosts and facilitators can run it");
        assert_eq!(s.start(&people[4], 10).unwrap().name, "Exposé");
        assert!(s.start(&h, 11).is_err());
        let mut outcomes = Vec::new();
        for i in 0..6 {
            outcomes.push(s.step(&h, &format!("notes {i}"), 20 + i).unwrap());
        }
        assert_eq!(
            outcomes[0].next.map(|t| t.name),
            Some("Clarifying questions")
        );
        assert_eq!(outcomes[5].recorded, "Learnings");
        assert_eq!(outcomes[5].next, None);
        let err = s.step(&people[1], "x", 30).unwrap_err().to_string();
        assert_eq!(err, "only the session's hosts and facilitators can run it");
        let err = s.step(&h, "extra", 30).unwrap_err().to_string();
        assert!(err.contains("close the session"), "{err}");
        assert_eq!(s.steps.len(), 6);
        assert!(s.steps.iter().all(|r| r.ended_at.is_some()));
        let out_of_range = Closing {
            rating: Some(6),
            ..Closing::default()
        };
        let err = s
            .close(&mut next, &h, &out_of_range, 40)
            .unwrap_err()
            .to_string();
        assert_eq!(err, "rating 6: give 1 to 5", "rating out of range");
        let err = s
            .close(&mut next, &people[0], &Closing::default(), 40)
            .unwrap_err()
            .to_string();
        assert_eq!(err, "only the session's hosts and facilitators can run it");
        let closing = Closing {
            takeaways: vec!["Ask earlier".into()],
            rating: Some(5),
            actions: vec!["Pair with a senior".into()],
            ..Closing::default()
        };
        s.close(&mut next, &h, &closing, 40).unwrap();
        assert_eq!(
            s.actions[0].owner, people[0],
            "codev actions are the client's action plan"
        );
        // The host and the facilitator are credited; receivers are the client and consultants.
        let kinds: Vec<(&str, &str, usize)> = s
            .contributions
            .iter()
            .map(|c| (c.giver.as_str(), c.kind.as_str(), c.receivers.len()))
            .collect();
        assert_eq!(
            kinds,
            [
                (h.as_str(), "session-hosted", 4),
                (people[4].as_str(), "session-facilitated", 4)
            ]
        );
        let err = s.step(&h, "late", 50).unwrap_err().to_string();
        assert!(err.contains("closed"), "{err}");
        let err = s
            .close(&mut next, &h, &Closing::default(), 50)
            .unwrap_err()
            .to_string();
        assert_eq!(err, "the session is already closed");
        let cid = s.contributions[0].id.clone();
        assert!(s.confirm(&cid, &h, 60).is_err(), "no self-confirmation");
        s.confirm(&cid, &people[2], 60).unwrap();

        let actor = doc::actor_for(&host.public().to_peer_id());
        let mut am = doc::create(actor.clone(), &s).unwrap();
        let (_, back) = doc::load::<Session>(&am.save(), actor).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn planning_rules() {
        let host = Keypair::generate_ed25519();
        let meta = DocMeta::new_signed(
            &host,
            "s",
            DocKind::Session,
            &Scope::Workspace,
            "ws",
            0,
            &[],
        )
        .unwrap();
        let few = vec![
            ("a".to_owned(), Some("client".to_owned())),
            ("b".to_owned(), None),
        ];
        let err = Session::plan(meta.clone(), "codev", "t", 0, None, vec![], few, vec![])
            .unwrap_err()
            .to_string();
        assert!(err.contains("3 to 7 consultants"), "{err}");
        let bad_role = vec![("a".to_owned(), Some("boss".to_owned()))];
        let err = Session::plan(meta.clone(), "aar", "t", 0, None, vec![], bad_role, vec![])
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a role"), "{err}");
        let twice = vec![("a".to_owned(), None), ("a".to_owned(), None)];
        assert!(Session::plan(meta.clone(), "aar", "t", 0, None, vec![], twice, vec![]).is_err());
        assert!(
            Session::plan(meta.clone(), "aar", "t", 0, Some(1), vec![], vec![], vec![]).is_err()
        );
        let s = Session::plan(meta, "flash", "t", 0, None, vec![], vec![], vec![]).unwrap();
        assert_eq!(s.minutes, 30, "default length is the sum of the time boxes");
        // What a modified client could write is refused at admission as the API refuses it.
        let mut long = s.clone();
        long.minutes = u32::MAX;
        let err = long.validate().unwrap_err().to_string();
        assert_eq!(err, "4294967295 minutes: give 5 to 480");
        let mut rated = s.clone();
        rated.rating = Some(255);
        let err = rated.validate().unwrap_err().to_string();
        assert_eq!(err, "rating 255: give 1 to 5");
        assert_eq!(
            s.hosts,
            [host.public().to_peer_id().to_string()],
            "the planner hosts by default"
        );
    }

    #[test]
    fn concurrent_notes_on_one_step_merge_without_loss() {
        let (mut s, host, people) = codev();
        let h = host.public().to_peer_id().to_string();
        s.start(&h, 1).unwrap();
        let actor = doc::actor_for(&host.public().to_peer_id());
        let mut one = doc::create(actor, &s).unwrap();
        // Both replicas start from shared notes on the running step, then each types.
        fn by(id: &str) -> crate::Author<'_> {
            crate::Author { id, admin: false }
        }
        doc::change::<Session, _>(&mut one, by(&h), |s| {
            s.steps[0].notes.update("Context: ");
            Ok(())
        })
        .unwrap();
        // The second replica is the facilitator's device.
        let other = Keypair::generate_ed25519().public().to_peer_id();
        let mut two: AutoCommit = doc::fork_for(&mut one, &other);
        doc::change::<Session, _>(&mut one, by(&h), |s| {
            s.steps[0].notes.update("Context: team of 6. ");
            Ok(())
        })
        .unwrap();
        doc::change::<Session, _>(&mut two, by(&people[4]), |s| {
            let len = s.steps[0].notes.as_str().len();
            s.steps[0].notes.splice(len, 0, "Deadline in March.");
            Ok(())
        })
        .unwrap();
        let mut ab = one.fork();
        ab.merge(&mut two).unwrap();
        let mut ba = two.fork();
        ba.merge(&mut one).unwrap();
        let merged = doc::hydrate_doc::<Session>(&ab).unwrap();
        assert_eq!(merged, doc::hydrate_doc::<Session>(&ba).unwrap());
        let notes = merged.steps[0].notes.as_str().to_owned();
        assert!(
            notes.contains("team of 6.") && notes.contains("Deadline in March."),
            "{notes}"
        );
        assert!(merged.involves(&people[3]));
    }

    /// Values of closed sets that another build (or a hostile colleague) could write are
    /// refused where the document is read, so a change that writes one is never admitted.
    #[test]
    fn unknown_formats_statuses_and_contribution_kinds_are_refused() {
        use crate::TypedDoc as _;
        let (good, _, _) = codev();
        assert!(good.validate().is_ok(), "the fixture is valid");
        let mut s = good.clone();
        s.format = "retro".into();
        assert!(matches!(s.validate(), Err(DomainError::Invalid(m)) if m.contains("retro")));
        let mut s = good.clone();
        s.status = "paused".into();
        assert!(
            matches!(s.validate(), Err(DomainError::Invalid(m)) if m == "unknown session status 'paused'")
        );
        let mut s = good;
        s.contributions.push(crate::Contribution::new(
            "c9",
            crate::ContributionKind::SessionHosted,
            "m0",
            vec!["m1".into()],
            30,
            0,
        ));
        s.contributions[0].kind = "bribe".into();
        assert!(
            matches!(s.validate(), Err(DomainError::Invalid(m)) if m == "unknown contribution kind 'bribe'")
        );
    }
}
