//! The peer-learning formats as operations: mentoring relationships, peer reviews, guided
//! sessions, kudos and credited time, and the views derived from them (suggestions, skills at
//! risk, reminders, the contribution report). The rules live in `domain`; this module finds
//! documents, checks who is asking, and shapes the answers.

use chrono::{NaiveDate, TimeZone, Utc};
use domain::time::rfc3339;
use domain::{
    Balance, DAY_MS, DocKind, Mentoring, MentoringKind, Review, Scope, Session, Template, TypedDoc,
    Workspace,
};

pub use ipc::forms::{GoalChange, MentoringRole};
pub use ipc::views::{
    ActionView, AnswerView, BalanceView, CreditView, GoalView, KudosView, LogView, MentoringView,
    ParticipantView, ReminderView, ReportView, ReviewView, SessionView, StepProgress, StepView,
    Who,
};
use ipc::views::{ContributionReport, FormatView, IcsFile, SkillAtRiskView, SuggestionView};

use crate::NodeError;
use crate::core::{Core, new_id, now};
use crate::views::{closed, shown};

fn name(ws: &Workspace, id: &str) -> String {
    ws.members
        .get(id)
        .map_or_else(|| id.to_owned(), |m| m.name.clone())
}

/// Start of the UTC day holding `ms`.
fn day_start(ms: i64) -> i64 {
    ms - ms.rem_euclid(DAY_MS)
}

/// Parses `YYYY-MM-DD` (or a full RFC 3339 time) into ms since the epoch.
pub fn parse_day(text: &str) -> Result<i64, NodeError> {
    let text = text.trim();
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
        return Ok(Utc.from_utc_datetime(&midnight).timestamp_millis());
    }
    domain::time::parse_rfc3339(text)
        .map_err(|_| NodeError::Invalid(format!("invalid date '{text}': expected YYYY-MM-DD")))
}

fn who(ws: &Workspace, id: &str) -> Who {
    Who {
        member_id: id.to_owned(),
        name: name(ws, id),
    }
}

fn action_view(
    ws: &Workspace,
    doc: &str,
    kind: DocKind,
    a: &domain::ActionItem,
    today: i64,
) -> Result<ActionView, NodeError> {
    Ok(ActionView {
        id: a.id.clone(),
        doc: doc.to_owned(),
        doc_kind: closed(kind.as_str())?,
        text: a.text.clone(),
        owner: who(ws, &a.owner),
        due: a.due.map(|d| rfc3339(d)[..10].to_owned()),
        done: a.done,
        overdue: a.is_overdue(today),
    })
}

fn time_box(t: &domain::StepTemplate) -> String {
    if t.min_minutes == t.max_minutes {
        format!("{} min", t.min_minutes)
    } else {
        format!("{}–{} min", t.min_minutes, t.max_minutes)
    }
}

fn step_view(
    number: usize,
    t: &domain::StepTemplate,
    record: Option<&domain::StepRecord>,
) -> StepView {
    StepView {
        number,
        name: t.name.to_owned(),
        prompt: t.prompt.to_owned(),
        speaker: t.speaker.to_owned(),
        time_box: time_box(t),
        started_at: record.map(|r| rfc3339(r.started_at)),
        ended_at: record.and_then(|r| r.ended_at.map(rfc3339)),
        notes: record
            .map(|r| r.notes.as_str().to_owned())
            .unwrap_or_default(),
    }
}

impl Core {
    /// Every readable document of a kind (one that does not read is logged and left out).
    pub(crate) fn all<T: TypedDoc>(&self) -> Result<Vec<T>, NodeError> {
        let rows = self.store.documents(Some(T::KIND))?;
        Ok(shown(
            T::KIND.as_str(),
            rows.iter().map(|row| self.read::<T>(&row.id)),
        ))
    }

    fn mentoring_view(&self, ws: &Workspace, m: &Mentoring) -> Result<MentoringView, NodeError> {
        let today = day_start(now());
        Ok(MentoringView {
            id: m.meta.id.clone(),
            kind: closed(&m.kind)?,
            mentor: who(ws, &m.mentor),
            mentee: who(ws, &m.mentee),
            cadence_days: m.agreement.cadence_days,
            confidentiality: m.agreement.confidentiality.clone(),
            last_session: m.last_session().map(|d| rfc3339(d)[..10].to_owned()),
            due: m.is_due(today),
            goals: m
                .goals
                .iter()
                .enumerate()
                .map(|(i, g)| GoalView {
                    number: i + 1,
                    id: g.id.clone(),
                    text: g.text.clone(),
                    progress: g.progress,
                    done: g.done,
                })
                .collect(),
            sessions: m
                .sessions
                .iter()
                .map(|s| LogView {
                    id: s.id.clone(),
                    date: rfc3339(s.date)[..10].to_owned(),
                    minutes: s.minutes,
                    notes: s.notes.as_str().to_owned(),
                    topics: s.topics.clone(),
                    logged_by: who(ws, &s.logged_by),
                })
                .collect(),
            actions: m
                .actions
                .iter()
                .map(|a| action_view(ws, &m.meta.id, DocKind::Mentoring, a, today))
                .collect::<Result<_, _>>()?,
            created_at: rfc3339(m.meta.created_at),
        })
    }

    /// `mentoring start`; returns the relationship id.
    pub fn mentoring_start(
        &mut self,
        with: &str,
        role: MentoringRole,
        reverse: bool,
        goals: &[String],
        cadence_days: Option<u32>,
    ) -> Result<String, NodeError> {
        let other = self.resolve_current(with)?;
        if other == self.me {
            return Err(NodeError::Invalid(
                "you cannot mentor yourself; name a colleague with --with".into(),
            ));
        }
        let (mentor, mentee) = match role {
            MentoringRole::Mentor | MentoringRole::Cross => (self.me.clone(), other.clone()),
            MentoringRole::Mentee => (other.clone(), self.me.clone()),
        };
        let kind = match (role, reverse) {
            (MentoringRole::Cross, false) => MentoringKind::Cross,
            (MentoringRole::Cross, true) => {
                return Err(NodeError::Invalid(
                    "cross mentoring is already two-way; drop --reverse".into(),
                ));
            }
            (_, true) => MentoringKind::Reverse,
            (_, false) => MentoringKind::Mentoring,
        };
        let id = self.new_doc_id();
        self.write(|w| {
            let meta = w.meta(
                &id,
                DocKind::Mentoring,
                &Scope::Private,
                &[mentor.clone(), mentee.clone()],
            )?;
            let mut m = Mentoring::new(meta, kind, &mentor, &mentee, cadence_days.unwrap_or(14))?;
            for g in goals {
                m.add_goal(&new_id(), g, w.me, w.now)?;
            }
            w.create(&m)
        })?;
        Ok(id)
    }

    /// `mentoring list`.
    pub fn mentorings(&self) -> Result<Vec<MentoringView>, NodeError> {
        let ws = self.workspace()?;
        let all = self.all::<Mentoring>()?;
        Ok(shown(
            "mentorings",
            all.iter().map(|m| self.mentoring_view(&ws, m)),
        ))
    }

    /// `mentoring ics`: the next meeting as a calendar file.
    pub fn mentoring_ics(&self, id: &str) -> Result<IcsFile, NodeError> {
        let id = self.resolve_id(DocKind::Mentoring, id)?;
        let (ws, log) = (self.workspace()?, self.members()?);
        let names = crate::calendar::Names { ws: &ws, log: &log };
        crate::calendar::mentoring(&names, &self.read::<Mentoring>(&id)?, now())
    }

    /// `session ics`: the session as a calendar file.
    pub fn session_ics(&self, id: &str) -> Result<IcsFile, NodeError> {
        let id = self.resolve_id(DocKind::Session, id)?;
        let (ws, log) = (self.workspace()?, self.members()?);
        let names = crate::calendar::Names { ws: &ws, log: &log };
        let zone = crate::calendar::device_zone();
        crate::calendar::session(&names, &self.read::<Session>(&id)?, now(), zone.as_ref())
    }

    /// `mentoring show`.
    pub fn mentoring(&self, id: &str) -> Result<MentoringView, NodeError> {
        let id = self.resolve_id(DocKind::Mentoring, id)?;
        let ws = self.workspace()?;
        self.mentoring_view(&ws, &self.read::<Mentoring>(&id)?)
    }

    /// `mentoring goal`.
    pub fn mentoring_goal(&mut self, id: &str, change: GoalChange) -> Result<(), NodeError> {
        let id = self.resolve_id(DocKind::Mentoring, id)?;
        self.write(|w| {
            let (me, now) = (w.me.to_owned(), w.now);
            w.update::<Mentoring, _>(&id, |m| match &change {
                GoalChange::Add(text) => m.add_goal(&new_id(), text, &me, now),
                GoalChange::Progress { goal, percent } => m.set_progress(goal, *percent, &me, now),
                GoalChange::Done(goal) => m.complete_goal(goal, &me, now),
            })
        })
    }

    /// `mentoring log`; returns the relationship id.
    pub fn mentoring_log(
        &mut self,
        id: &str,
        minutes: u32,
        date: Option<&str>,
        notes: &str,
        topics: Vec<String>,
        actions: &[String],
    ) -> Result<(), NodeError> {
        let id = self.resolve_id(DocKind::Mentoring, id)?;
        let date = match date {
            Some(d) => parse_day(d)?,
            None => day_start(now()),
        };
        self.write(|w| {
            let (me, now) = (w.me.to_owned(), w.now);
            w.update::<Mentoring, _>(&id, |m| {
                m.log_session(&mut new_id, &me, date, minutes, notes, topics, actions, now)
            })
        })
    }

    /// `action list [--mine] [--overdue]`.
    pub fn actions(&self, mine: bool, overdue: bool) -> Result<Vec<ActionView>, NodeError> {
        let ws = self.workspace()?;
        let today = day_start(now());
        self.store
            .actions()?
            .into_iter()
            .filter(|a| !mine || a.owner == self.me)
            .map(|a| {
                Ok(ActionView {
                    overdue: !a.done && a.due.is_some_and(|d| d < today),
                    owner: who(&ws, &a.owner),
                    due: a.due.map(|d| rfc3339(d)[..10].to_owned()),
                    id: a.id,
                    doc: a.doc_id,
                    doc_kind: closed(&a.doc_kind)?,
                    text: a.text,
                    done: a.done,
                })
            })
            .filter(|a| a.as_ref().map_or(true, |a| !overdue || a.overdue))
            .collect()
    }

    /// `action done`.
    pub fn action_done(&mut self, id: &str) -> Result<(), NodeError> {
        let row = self
            .store
            .actions()?
            .into_iter()
            .find(|a| a.id == id.trim())
            .ok_or_else(|| NodeError::NotFound(format!("no action '{}'", id.trim())))?;
        self.write(|w| {
            let (me, now) = (w.me.to_owned(), w.now);
            match row.doc_kind.as_str() {
                "mentoring" => {
                    w.update::<Mentoring, _>(&row.doc_id, |m| m.complete_action(&row.id, &me, now))
                }
                _ => w.update::<Session, _>(&row.doc_id, |s| s.complete_action(&row.id, &me, now)),
            }
        })
    }

    fn review_view(&self, ws: &Workspace, r: &Review) -> Result<ReviewView, NodeError> {
        let answers = r
            .answer_keys()?
            .into_iter()
            .map(|k| AnswerView {
                text: r
                    .answers
                    .get(&k)
                    .map(|t| t.as_str().to_owned())
                    .unwrap_or_default(),
                rating: r.ratings.get(&k).copied(),
                key: k,
            })
            .collect();
        Ok(ReviewView {
            id: r.meta.id.clone(),
            requester: who(ws, &r.requester),
            reviewer: who(ws, &r.reviewer),
            about: r.about.clone(),
            template: closed(&r.template)?,
            criteria: r.criteria.clone(),
            status: closed(&r.status)?,
            answers,
            reply: r.reply.clone(),
            created_at: rfc3339(r.meta.created_at),
            submitted_at: r.submitted_at.map(rfc3339),
            acknowledged_at: r.acknowledged_at.map(rfc3339),
        })
    }

    /// `review request`; returns the review id.
    pub fn review_request(
        &mut self,
        reviewer: &str,
        about: &str,
        template: &str,
        criteria: &[String],
    ) -> Result<String, NodeError> {
        let reviewer = self.resolve_current(reviewer)?;
        if reviewer == self.me {
            return Err(NodeError::Invalid(
                "ask a colleague, not yourself, for a review".into(),
            ));
        }
        let template = Template::parse(template)?;
        let id = self.new_doc_id();
        self.write(|w| {
            let meta = w.meta(
                &id,
                DocKind::Review,
                &Scope::Private,
                &[w.me.to_owned(), reviewer.clone()],
            )?;
            w.create(&Review::request(
                meta, &reviewer, about, template, criteria,
            )?)
        })?;
        Ok(id)
    }

    /// `review write`.
    pub fn review_write(
        &mut self,
        id: &str,
        answers: &[(String, String)],
        ratings: &[(String, u32)],
    ) -> Result<(), NodeError> {
        let id = self.resolve_id(DocKind::Review, id)?;
        self.write(|w| {
            let (me, now) = (w.me.to_owned(), w.now);
            w.update::<Review, _>(&id, |r| r.write(&me, answers, ratings, now))
        })
    }

    /// `review submit`.
    pub fn review_submit(&mut self, id: &str, minutes: u32) -> Result<(), NodeError> {
        let id = self.resolve_id(DocKind::Review, id)?;
        self.write(|w| {
            let (me, now) = (w.me.to_owned(), w.now);
            w.update::<Review, _>(&id, |r| r.submit(&new_id(), &me, minutes, now))
        })
    }

    /// `review ack`.
    pub fn review_ack(&mut self, id: &str, reply: &str) -> Result<(), NodeError> {
        let id = self.resolve_id(DocKind::Review, id)?;
        self.write(|w| {
            let (me, now) = (w.me.to_owned(), w.now);
            w.update::<Review, _>(&id, |r| r.acknowledge(&me, reply, now))
        })
    }

    /// `review list`.
    pub fn reviews(&self) -> Result<Vec<ReviewView>, NodeError> {
        let ws = self.workspace()?;
        let all = self.all::<Review>()?;
        Ok(shown(
            "reviews",
            all.iter().map(|r| self.review_view(&ws, r)),
        ))
    }

    /// `review show`.
    pub fn review(&self, id: &str) -> Result<ReviewView, NodeError> {
        let id = self.resolve_id(DocKind::Review, id)?;
        let ws = self.workspace()?;
        self.review_view(&ws, &self.read::<Review>(&id)?)
    }

    fn session_view(&self, ws: &Workspace, s: &Session) -> Result<SessionView, NodeError> {
        let format = s.format()?;
        let today = day_start(now());
        let steps = format
            .steps
            .iter()
            .enumerate()
            .map(|(i, t)| step_view(i + 1, t, s.steps.iter().find(|r| r.index as usize == i)))
            .collect();
        let current_step = s
            .steps
            .last()
            .filter(|r| r.ended_at.is_none())
            .map(|r| r.index as usize + 1);
        Ok(SessionView {
            id: s.meta.id.clone(),
            format: closed(&s.format)?,
            format_name: format.name.to_owned(),
            title: s.title.clone(),
            at: rfc3339(s.at),
            minutes: s.minutes,
            scope: closed(&s.meta.scope)?,
            status: closed(&s.status)?,
            hosts: s.hosts.iter().map(|h| who(ws, h)).collect(),
            participants: s
                .participants
                .iter()
                .map(|p| ParticipantView {
                    member_id: p.member.clone(),
                    name: name(ws, &p.member),
                    role: p.role.clone(),
                })
                .collect(),
            skills: s.skills.clone(),
            steps,
            current_step,
            takeaways: s.takeaways.clone(),
            rating: s.rating,
            actions: s
                .actions
                .iter()
                .map(|a| action_view(ws, &s.meta.id, DocKind::Session, a, today))
                .collect::<Result<_, _>>()?,
            started_at: s.started_at.map(rfc3339),
            closed_at: s.closed_at.map(rfc3339),
            attended: s.attended.iter().map(|m| who(ws, m)).collect(),
            takeaway_note: s.takeaway_note.clone(),
        })
    }

    /// `session plan`; returns the session id.
    #[allow(clippy::too_many_arguments)]
    pub fn session_plan(
        &mut self,
        format: &str,
        title: &str,
        at: &str,
        minutes: Option<u32>,
        hosts: &[String],
        participants: &[String],
        skills: &[String],
        scope: &str,
    ) -> Result<String, NodeError> {
        let ws = self.workspace()?;
        let at = domain::time::parse_rfc3339(at)?;
        let hosts = hosts
            .iter()
            .map(|h| self.resolve_current(h))
            .collect::<Result<Vec<_>, _>>()?;
        let mut people = Vec::new();
        for p in participants {
            let (member, role) = match p.rsplit_once(':') {
                Some((m, r)) if !r.trim().is_empty() && !r.contains(' ') => (m, Some(r.to_owned())),
                _ => (p.as_str(), None),
            };
            let member = self.resolve_current(member).map_err(|_| {
                NodeError::Invalid(format!(
                    "participant '{member}' is not a member of this workspace"
                ))
            })?;
            people.push((member, role));
        }
        let scope = match scope.trim() {
            "" | "workspace" => Scope::Workspace,
            other => match other.split_once(':') {
                Some(("community", c)) => Scope::Community(ws.resolve_community(c)?.id.clone()),
                _ => {
                    return Err(NodeError::Invalid(format!(
                        "invalid scope '{other}': expected workspace or community:ID"
                    )));
                }
            },
        };
        let id = self.new_doc_id();
        self.write(|w| {
            let (me, now) = (w.me.to_owned(), w.now);
            let skills = if skills.is_empty() {
                Vec::new()
            } else {
                w.update_workspace(|ws| {
                    skills
                        .iter()
                        .map(|s| ws.ensure_skill(s, &me, now))
                        .collect::<Result<Vec<_>, _>>()
                })?
            };
            let meta = w.meta(&id, DocKind::Session, &scope, &[])?;
            w.create(&Session::plan(
                meta, format, title, at, minutes, hosts, people, skills,
            )?)
        })?;
        Ok(id)
    }

    /// `session start`: returns the first step.
    pub fn session_start(&mut self, id: &str) -> Result<StepProgress, NodeError> {
        let id = self.resolve_id(DocKind::Session, id)?;
        let first = self.write(|w| {
            let (me, now) = (w.me.to_owned(), w.now);
            w.update::<Session, _>(&id, |s| s.start(&me, now))
        })?;
        Ok(StepProgress {
            recorded: None,
            next: Some(step_view(1, &first, None)),
        })
    }

    /// `session step`: records the running step's notes and returns the next one.
    pub fn session_step(&mut self, id: &str, notes: &str) -> Result<StepProgress, NodeError> {
        let id = self.resolve_id(DocKind::Session, id)?;
        let (outcome, number) = self.write(|w| {
            let (me, now) = (w.me.to_owned(), w.now);
            w.update::<Session, _>(&id, |s| {
                let outcome = s.step(&me, notes, now)?;
                Ok((outcome, s.steps.len()))
            })
        })?;
        Ok(StepProgress {
            recorded: Some(outcome.recorded),
            next: outcome.next.map(|t| step_view(number, &t, None)),
        })
    }

    /// `session close`. Who came is resolved to members (a lunch & learn may count people who
    /// were not on the plan); a flash session's takeaway becomes a note in the session's scope,
    /// linked to its skills, written in the same transaction as the closing.
    pub fn session_close(
        &mut self,
        id: &str,
        mut closing: domain::Closing,
    ) -> Result<(), NodeError> {
        let id = self.resolve_id(DocKind::Session, id)?;
        closing.attended = closing
            .attended
            .iter()
            .map(|m| {
                self.resolve_current(m).map_err(|_| {
                    NodeError::Invalid(format!("'{}' is not a member of this workspace", m.trim()))
                })
            })
            .collect::<Result<_, _>>()?;
        let session = self.read::<Session>(&id)?;
        let takeaway = if session.format == "flash" && session.status == "running" {
            let body = takeaway_body(&session, &closing.takeaways);
            if body.trim().is_empty() {
                return Err(NodeError::Invalid(
                    "a flash-learning session ends with its one-page takeaway: write it in the \
                     Takeaway step or as takeaways"
                        .into(),
                ));
            }
            let note = self.new_doc_id();
            closing.takeaway_note = Some(note.clone());
            Some((note, body))
        } else {
            None
        };
        self.write(|w| {
            let (me, now) = (w.me.to_owned(), w.now);
            if let Some((note, body)) = &takeaway {
                let scope = session.meta.parsed_scope()?;
                let meta = w.meta(note, DocKind::Note, &scope, &[])?;
                let title = format!("Takeaway: {}", session.title);
                let tags = ["takeaway".to_owned()];
                w.create(&domain::Note::new(
                    meta,
                    &title,
                    body,
                    &tags,
                    &session.skills,
                )?)?;
            }
            w.update::<Session, _>(&id, |s| s.close(&mut new_id, &me, &closing, now))
        })
    }

    /// `session list [--upcoming]`.
    pub fn sessions(&self, upcoming: bool) -> Result<Vec<SessionView>, NodeError> {
        let ws = self.workspace()?;
        let today = day_start(now());
        let mut out = Vec::new();
        for row in self.store.sessions()? {
            if upcoming && (row.status == "closed" || row.at < today) {
                continue;
            }
            let view = self
                .read::<Session>(&row.id)
                .and_then(|s| self.session_view(&ws, &s));
            out.push(view.map(|mut v| {
                v.steps.clear();
                v
            }));
        }
        Ok(shown("sessions", out))
    }

    /// `session show`.
    pub fn session(&self, id: &str) -> Result<SessionView, NodeError> {
        let id = self.resolve_id(DocKind::Session, id)?;
        let ws = self.workspace()?;
        self.session_view(&ws, &self.read::<Session>(&id)?)
    }

    /// `kudos give`; returns the kudos id.
    pub fn kudos_give(
        &mut self,
        member: &str,
        message: &str,
        skill: Option<&str>,
    ) -> Result<String, NodeError> {
        let to = self.resolve_current(member)?;
        let id = new_id();
        self.write(|w| {
            let (me, now) = (w.me.to_owned(), w.now);
            w.update_workspace(|ws| ws.give_kudos(&id, &me, &to, message, skill, now))
        })?;
        Ok(domain::entry_key(&self.me, &id))
    }

    /// `kudos list`, newest first.
    pub fn kudos(&self) -> Result<Vec<KudosView>, NodeError> {
        let ws = self.workspace()?;
        let mut out: Vec<KudosView> = ws
            .kudos
            .values()
            .map(|k| KudosView {
                id: k.id.clone(),
                from: who(&ws, &k.from),
                to: who(&ws, &k.to),
                message: k.message.clone(),
                skill: k.skill.clone(),
                created_at: rfc3339(k.created_at),
            })
            .collect();
        out.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(out)
    }

    /// `credit list [--member M]`.
    pub fn credits(&self, member: Option<&str>) -> Result<Vec<CreditView>, NodeError> {
        let ws = self.workspace()?;
        let member = member.map(|m| self.resolve_member_id(m)).transpose()?;
        let rows = self.store.contributions()?.into_iter().filter(|c| {
            member
                .as_ref()
                .is_none_or(|m| &c.giver == m || c.receivers.contains(m))
        });
        let views = rows
            .map(|c| {
                Ok(CreditView {
                    giver: who(&ws, &c.giver),
                    receivers: c.receivers.iter().map(|r| who(&ws, r)).collect(),
                    confirmed: c.confirmed_by.is_some(),
                    created_at: rfc3339(c.created_at),
                    kind: closed(&c.kind)?,
                    id: c.id,
                    doc: c.doc_id,
                    minutes: c.minutes,
                    confirmed_by: c.confirmed_by,
                })
            })
            .collect::<Vec<_>>();
        Ok(shown("credits", views))
    }

    /// `credit confirm`.
    pub fn credit_confirm(&mut self, id: &str) -> Result<(), NodeError> {
        let row = self
            .store
            .contributions()?
            .into_iter()
            .find(|c| c.id == id.trim())
            .ok_or_else(|| NodeError::NotFound(format!("no contribution '{}'", id.trim())))?;
        self.write(|w| {
            let (me, now) = (w.me.to_owned(), w.now);
            match row.doc_kind.as_str() {
                "mentoring" => {
                    w.update::<Mentoring, _>(&row.doc_id, |m| m.confirm(&row.id, &me, now))
                }
                "review" => w.update::<Review, _>(&row.doc_id, |r| r.confirm(&row.id, &me, now)),
                _ => w.update::<Session, _>(&row.doc_id, |s| s.confirm(&row.id, &me, now)),
            }
        })
    }

    /// Every contribution this device holds, from the store's index (no document is loaded).
    fn all_contributions(&self) -> Result<Vec<domain::Contribution>, NodeError> {
        Ok(self
            .store
            .contributions()?
            .into_iter()
            .map(|c| domain::Contribution {
                id: c.id,
                kind: c.kind,
                giver: c.giver,
                receivers: c.receivers,
                minutes: c.minutes,
                created_at: c.created_at,
                confirmed_by: c.confirmed_by,
                confirmed_at: None,
            })
            .collect())
    }

    /// `balance [MEMBER]`.
    pub fn balance(&self, member: Option<&str>) -> Result<BalanceView, NodeError> {
        let ws = self.workspace()?;
        let member = match member {
            Some(m) => self.resolve_member_id(m)?,
            None => self.me.clone(),
        };
        let Balance {
            given_minutes,
            received_minutes,
            pending_minutes,
            ..
        } = domain::balance(&member, &self.all_contributions()?);
        Ok(BalanceView {
            member: who(&ws, &member),
            given_minutes,
            received_minutes,
            pending_minutes,
        })
    }

    /// `match suggest [--for MEMBER]`.
    pub fn match_suggest(&self, member: Option<&str>) -> Result<Vec<SuggestionView>, NodeError> {
        let ws = self.workspace()?;
        let member = member.map(|m| self.resolve_member_id(m)).transpose()?;
        // Pairs already in a relationship (the ones this device holds: its member's own) are
        // not suggested again.
        let paired: Vec<(String, String)> = self
            .all::<Mentoring>()?
            .into_iter()
            .map(|m| (m.mentor, m.mentee))
            .collect();
        let together = |a: &str, b: &str| {
            paired
                .iter()
                .any(|(x, y)| (x == a && y == b) || (x == b && y == a))
        };
        Ok(domain::suggest_mentors(&ws, member.as_deref())
            .into_iter()
            .filter(|s| !together(&s.mentor, &s.mentee))
            .map(|s| SuggestionView {
                mentor: Who {
                    member_id: s.mentor,
                    name: s.mentor_name,
                },
                mentee: Who {
                    member_id: s.mentee,
                    name: s.mentee_name,
                },
                skill: s.skill,
                mentor_level: s.mentor_level,
                mentor_hours: s.mentor_hours,
                mentor_open: s.mentor_open,
                reciprocal: s.reciprocal.map(|r| r.skill),
                score: s.score,
                why: s.why,
            })
            .collect())
    }

    /// `skills at-risk`.
    pub fn skills_at_risk(&self) -> Result<Vec<SkillAtRiskView>, NodeError> {
        let people = |list: Vec<domain::Person>| {
            list.into_iter()
                .map(|p| Who {
                    member_id: p.member,
                    name: p.name,
                })
                .collect()
        };
        Ok(domain::skills_at_risk(&self.workspace()?)
            .into_iter()
            .map(|s| SkillAtRiskView {
                skill: s.skill,
                label_en: s.label_en,
                label_fr: s.label_fr,
                holders: people(s.holders),
                learners: people(s.learners),
            })
            .collect())
    }

    /// `remind`: what is due, as the app and the CLI's `--json` show it.
    pub fn remind(&self) -> Result<Vec<ReminderView>, NodeError> {
        let ws = self.workspace()?;
        let sessions: Vec<Session> = self.all::<Session>()?;
        domain::reminders(
            &self.me,
            day_start(now()),
            &ws,
            &self.all::<Mentoring>()?,
            &sessions,
        )
        .into_iter()
        .map(|r| {
            Ok(ReminderView {
                kind: closed(&r.kind)?,
                doc: r.doc,
                action: r.action,
                subject: r.subject,
                when: r.when,
                text: r.text,
            })
        })
        .collect()
    }

    /// `report contributions`.
    pub fn report(
        &self,
        member: Option<&str>,
        since: Option<&str>,
        language: Option<&str>,
    ) -> Result<ReportView, NodeError> {
        let french = match language.map(str::trim) {
            None | Some("en") => false,
            Some("fr") => true,
            Some(other) => {
                return Err(NodeError::Invalid(format!(
                    "unknown language '{other}': expected en or fr"
                )));
            }
        };
        let ws = self.workspace()?;
        let member = match member {
            Some(m) => self.resolve_member_id(m)?,
            None => self.me.clone(),
        };
        let since_text = since;
        let since = since.map(parse_day).transpose()?;
        let report = domain::contribution_report(
            &member,
            since,
            &ws,
            &self.all()?,
            &self.all()?,
            &self.all()?,
        );
        let sharing = self.sharing(Some(&member), since_text)?;
        let mut markdown = report.to_markdown(now(), french);
        markdown += &crate::programme::sharing_markdown(&sharing, french);
        let report = ContributionReport {
            member: report.member,
            name: report.name,
            since: report.since,
            sessions_hosted: report.sessions_hosted,
            people_mentored: report.people_mentored,
            reviews_given: report.reviews_given,
            kudos_received: report.kudos_received,
            skills_endorsed: report.skills_endorsed,
            credited_minutes: report.credited_minutes,
            pending_minutes: report.pending_minutes,
        };
        Ok(ReportView {
            report,
            sharing,
            markdown,
        })
    }
}

/// A flash session's one page: what was written in its Takeaway step, then its takeaways as a
/// list.
fn takeaway_body(s: &Session, takeaways: &[String]) -> String {
    let mut parts: Vec<String> = s
        .steps
        .iter()
        .filter(|r| r.name == "Takeaway")
        .map(|r| r.notes.as_str().trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect();
    let listed: Vec<String> = takeaways
        .iter()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .map(|t| format!("- {t}"))
        .collect();
    if !listed.is_empty() {
        parts.push(listed.join("\n"));
    }
    parts.join("\n\n")
}

/// The guided session formats, as the app lists them.
pub fn format_views() -> Result<Vec<FormatView>, NodeError> {
    domain::FORMATS
        .iter()
        .map(|f| {
            Ok(FormatView {
                id: closed(f.id)?,
                name: f.name.to_owned(),
                roles: f.roles.iter().map(|r| (*r).to_owned()).collect(),
                steps: f.steps.len(),
                minutes: f.steps.iter().map(|s| s.max_minutes).sum(),
            })
        })
        .collect()
}
