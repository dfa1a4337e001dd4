//! Desktop notifications: what is due now for this member (a session they take part in
//! tomorrow or within 15 minutes, a mentoring meeting falling due, one of their actions past its
//! due day), each raised once — the keys of those raised are kept in the store, so a restart
//! does not raise them again — in the reader's language and local time, and none while they
//! are switched off.

use chrono::{Local, TimeZone};
use domain::{DAY_MS, Mentoring, Session, Workspace};
use ipc::sets::NoticeKind;
use ipc::views::NoticeView;

use crate::NodeError;
use crate::core::{Core, now};

/// The setting that switches notifications off (`off`); on otherwise.
const SWITCH: &str = "notifications";
/// The setting holding the reader's language.
const LANGUAGE: &str = "language";
/// Each raised notification's key is kept under this prefix, with when it was raised.
const RAISED: &str = "notified:";
/// How long before a session the "soon" notification comes.
const SOON_MS: i64 = 15 * 60 * 1000;
/// Raised keys older than this are forgotten (their occasions are long past).
const KEEP_MS: i64 = 60 * DAY_MS;

/// The reader's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    En,
    Fr,
}

/// A time of day in this device's time zone, `14:05`.
fn local_time(ms: i64) -> String {
    Local
        .timestamp_millis_opt(ms)
        .single()
        .map_or_else(String::new, |t| t.format("%H:%M").to_string())
}

/// A day in this device's time zone, `2026-11-30`.
fn local_day(ms: i64) -> String {
    Local
        .timestamp_millis_opt(ms)
        .single()
        .map_or_else(String::new, |t| t.format("%Y-%m-%d").to_string())
}

fn name(ws: &Workspace, id: &str) -> String {
    ws.members
        .get(id)
        .map_or_else(|| id.to_owned(), |m| m.name.clone())
}

fn session_notice(s: &Session, kind: NoticeKind, lang: Lang) -> NoticeView {
    let format = s.format().map_or("Session", |f| f.name);
    let at = local_time(s.at);
    let (title, body) = match (kind, lang) {
        (NoticeKind::SessionSoon, Lang::En) => (
            format!("In 15 minutes: {}", s.title),
            format!("{format}, {at}"),
        ),
        (NoticeKind::SessionSoon, Lang::Fr) => (
            format!("Dans 15 minutes : {}", s.title),
            format!("{format}, {at}"),
        ),
        (_, Lang::En) => (
            format!("Tomorrow: {}", s.title),
            format!("{format}, {} at {at}", local_day(s.at)),
        ),
        (_, Lang::Fr) => (
            format!("Demain : {}", s.title),
            format!("{format}, le {} à {at}", local_day(s.at)),
        ),
    };
    NoticeView {
        key: format!("{kind}:{}:{}", s.meta.id, s.at),
        kind,
        title,
        body,
        doc: s.meta.id.clone(),
    }
}

/// What is due at `now` for `me`, raised or not.
pub(crate) fn due(
    me: &str,
    now: i64,
    lang: Lang,
    ws: &Workspace,
    sessions: &[Session],
    mentorings: &[Mentoring],
    actions: &[store::ActionRow],
) -> Vec<NoticeView> {
    let today = now - now.rem_euclid(DAY_MS);
    let mut out = Vec::new();
    for s in sessions
        .iter()
        .filter(|s| s.status == "planned" && s.involves(me) && s.at > now)
    {
        if s.at - now <= SOON_MS {
            out.push(session_notice(s, NoticeKind::SessionSoon, lang));
        } else if s.at - now <= DAY_MS {
            out.push(session_notice(s, NoticeKind::SessionTomorrow, lang));
        }
    }
    for m in mentorings {
        let active = m.agreement.planned_end.is_none_or(|end| end >= today);
        if !active || !m.is_due(today) {
            continue;
        }
        let with = name(ws, m.other(me));
        let since = m.last_session().unwrap_or(m.meta.created_at);
        let (title, body) = match lang {
            Lang::En => (
                "Mentoring due".to_owned(),
                format!(
                    "With {with}: you meet every {} days.",
                    m.agreement.cadence_days
                ),
            ),
            Lang::Fr => (
                "Mentorat à planifier".to_owned(),
                format!(
                    "Avec {with} : vous vous voyez tous les {} jours.",
                    m.agreement.cadence_days
                ),
            ),
        };
        out.push(NoticeView {
            key: format!("{}:{}:{since}", NoticeKind::MentoringDue, m.meta.id),
            kind: NoticeKind::MentoringDue,
            title,
            body,
            doc: m.meta.id.clone(),
        });
    }
    for a in actions
        .iter()
        .filter(|a| a.owner == me && !a.done && a.due.is_some_and(|d| d < today))
    {
        let day = a.due.map(local_day).unwrap_or_default();
        let (title, body) = match lang {
            Lang::En => (
                "Action overdue".to_owned(),
                format!("{} (due {day})", a.text),
            ),
            Lang::Fr => (
                "Action en retard".to_owned(),
                format!("{} (échéance {day})", a.text),
            ),
        };
        out.push(NoticeView {
            key: format!("{}:{}", NoticeKind::ActionOverdue, a.id),
            kind: NoticeKind::ActionOverdue,
            title,
            body,
            doc: a.doc_id.clone(),
        });
    }
    out
}

impl Core {
    /// Whether notifications are on.
    pub fn notifications(&self) -> Result<bool, NodeError> {
        Ok(self.store.setting(SWITCH)?.as_deref() != Some("off"))
    }

    /// Switches notifications on or off.
    pub fn set_notifications(&mut self, on: bool) -> Result<(), NodeError> {
        Ok(self
            .store
            .set_setting(SWITCH, if on { "on" } else { "off" })?)
    }

    /// Sets the reader's language.
    pub fn set_language(&mut self, language: &str) -> Result<(), NodeError> {
        let language = match language.trim() {
            "en" | "fr" => language.trim(),
            other => {
                return Err(NodeError::Invalid(format!(
                    "unknown language '{other}': expected en or fr"
                )));
            }
        };
        Ok(self.store.set_setting(LANGUAGE, language)?)
    }

    /// The notifications due now and not raised yet; none while they are off.
    pub fn notices(&self) -> Result<Vec<NoticeView>, NodeError> {
        self.notices_at(now())
    }

    pub(crate) fn notices_at(&self, now: i64) -> Result<Vec<NoticeView>, NodeError> {
        if !self.notifications()? {
            return Ok(Vec::new());
        }
        let lang = match self.store.setting(LANGUAGE)?.as_deref() {
            Some("fr") => Lang::Fr,
            _ => Lang::En,
        };
        let ws = self.workspace()?;
        // Only the sessions of the next day are read.
        let mut sessions = Vec::new();
        for row in self.store.sessions()? {
            if row.status == "planned" && row.at > now && row.at - now <= DAY_MS {
                sessions.push(self.read::<Session>(&row.id)?);
            }
        }
        let mentorings: Vec<Mentoring> = self.all()?;
        let actions = self.store.actions()?;
        let mut out = Vec::new();
        for notice in due(&self.me, now, lang, &ws, &sessions, &mentorings, &actions) {
            if self
                .store
                .setting(&format!("{RAISED}{}", notice.key))?
                .is_none()
            {
                out.push(notice);
            }
        }
        Ok(out)
    }

    /// Records `keys` as raised (and forgets those raised long ago).
    pub fn notices_raised(&mut self, keys: &[String]) -> Result<(), NodeError> {
        let now = now();
        self.store.write(|tx| {
            for key in keys {
                tx.set_setting(&format!("{RAISED}{key}"), &now.to_string())?;
            }
            tx.forget_settings_before(RAISED, now - KEEP_MS)
        })?;
        Ok(())
    }
}
