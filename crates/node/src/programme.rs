//! The learning programme's figures: sessions held per format and month, turnout, ratings,
//! mentoring on cadence, reciprocity of session time, skills at risk over time, and who shares.
//! Computed on this device from what its member may read; a figure about private documents
//! (mentoring relationships, reviews) is a count over at least [`ProgrammeView::PRIVATE_MIN`]
//! of them, never who with whom, and per-person figures come from shared documents only.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use domain::{DAY_MS, DocKind, Mentoring, Review, Scope, Session, Thread, Workspace};
use ipc::sets::FileFormat;
use ipc::views::{
    FormatCount, FormatFigures, MentoringFigures, MonthFigures, ProgrammeView, ReciprocityRow,
    RiskPoint, SharingRecord, TextFile, Who,
};

use crate::NodeError;
use crate::core::{Core, now};
use crate::formats::parse_day;

/// The longest period the figures cover, in days (ten years): the figures go month by month.
const LONGEST_DAYS: i64 = 3653;

/// A note as the figures count it.
pub(crate) struct Written {
    /// Author.
    pub author: String,
    /// Created, ms.
    pub at: i64,
}

/// What the figures are computed from.
pub(crate) struct Inputs<'a> {
    pub ws: &'a Workspace,
    pub sessions: &'a [Session],
    pub mentorings: &'a [Mentoring],
    pub reviews: &'a [Review],
    /// Shared (not personal) notes.
    pub notes: &'a [Written],
    /// Accepted answers, by their authors.
    pub answers: &'a [Written],
    /// First day counted (start of day, ms).
    pub since: i64,
    /// Now, ms.
    pub now: i64,
}

fn day(ms: i64) -> String {
    Utc.timestamp_millis_opt(ms)
        .single()
        .map_or_else(|| "?".into(), |t| t.format("%Y-%m-%d").to_string())
}

fn month_of(ms: i64) -> (i32, u32) {
    Utc.timestamp_millis_opt(ms)
        .single()
        .map_or((1970, 1), |t| (t.year(), t.month()))
}

/// The first ms of the month after `(year, month)`.
fn month_end(year: i32, month: u32) -> i64 {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(i64::MAX, |t| Utc.from_utc_datetime(&t).timestamp_millis())
}

/// The months from `since`'s to `now`'s, oldest first.
fn months(since: i64, now: i64) -> Vec<(i32, u32)> {
    let (mut y, mut m) = month_of(since);
    let last = month_of(now);
    let mut out = Vec::new();
    while (y, m) <= last {
        out.push((y, m));
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    out
}

fn who(ws: &Workspace, id: &str) -> Who {
    Who {
        member_id: id.to_owned(),
        name: ws
            .members
            .get(id)
            .map_or_else(|| id.to_owned(), |m| m.name.clone()),
    }
}

/// Who took part in a held session: its hosts and those who came.
fn people(s: &Session) -> BTreeSet<&str> {
    let came: Vec<&str> = if s.attended.is_empty() {
        s.participants.iter().map(|p| p.member.as_str()).collect()
    } else {
        s.attended.iter().map(String::as_str).collect()
    };
    s.hosts.iter().map(String::as_str).chain(came).collect()
}

/// Confirmed session time given and received per member, credited in the period.
fn session_time<'a>(input: &Inputs<'a>) -> (BTreeMap<&'a str, u32>, BTreeMap<&'a str, u32>) {
    let mut given: BTreeMap<&str, u32> = BTreeMap::new();
    let mut received: BTreeMap<&str, u32> = BTreeMap::new();
    for c in input
        .sessions
        .iter()
        .flat_map(|s| &s.contributions)
        .filter(|c| c.is_confirmed() && c.created_at >= input.since && c.created_at <= input.now)
    {
        // Minutes come from colleagues' documents: sums saturate rather than wrap.
        let gave = given.entry(&c.giver).or_default();
        *gave = gave.saturating_add(c.minutes);
        for r in &c.receivers {
            let got = received.entry(r).or_default();
            *got = got.saturating_add(c.minutes);
        }
    }
    (given, received)
}

/// When a session counts as held: its planned time, or when it started if that was earlier (a
/// session run ahead of its plan happened then; one recorded after the fact, on its day).
fn held_at(s: &Session) -> i64 {
    s.started_at.map_or(s.at, |started| started.min(s.at))
}

/// Sessions held (closed) in the period.
fn held<'a>(input: &Inputs<'a>) -> Vec<&'a Session> {
    input
        .sessions
        .iter()
        .filter(|s| s.status == "closed")
        .filter(|s| (input.since..=input.now).contains(&held_at(s)))
        .collect()
}

/// The figures over `input`.
pub(crate) fn figures(input: &Inputs<'_>) -> Result<ProgrammeView, NodeError> {
    let Inputs { ws, since, now, .. } = *input;
    let today = now - now.rem_euclid(DAY_MS);
    let period = |at: i64| at >= since && at <= now;
    let held = held(input);
    let mut month_rows = Vec::new();
    for (y, m) in months(since, now) {
        let in_month: Vec<&&Session> = held
            .iter()
            .filter(|s| month_of(held_at(s)) == (y, m))
            .collect();
        let mut counts: BTreeMap<&str, u32> = BTreeMap::new();
        for s in &in_month {
            *counts.entry(s.format.as_str()).or_default() += 1;
        }
        let held = ipc::sets::FormatId::ALL
            .iter()
            .filter_map(|f| {
                counts.get(f.as_str()).map(|&n| FormatCount {
                    format: *f,
                    sessions: n,
                })
            })
            .collect();
        month_rows.push(MonthFigures {
            month: format!("{y:04}-{m:02}"),
            held,
            participants: in_month
                .iter()
                .fold(0u32, |sum, s| sum.saturating_add(people(s).len() as u32)),
        });
    }

    let formats = ipc::sets::FormatId::ALL
        .iter()
        .map(|f| {
            let of: Vec<&&Session> = held.iter().filter(|s| s.format == f.as_str()).collect();
            let ratings: Vec<u64> = of.iter().filter_map(|s| s.rating).map(u64::from).collect();
            let rating = (!ratings.is_empty()).then(|| {
                let n = ratings.len() as u64;
                let tenths = (ratings.iter().sum::<u64>() * 10 + n / 2) / n;
                tenths as f64 / 10.0
            });
            FormatFigures {
                format: *f,
                held: of.len() as u32,
                participants: of
                    .iter()
                    .fold(0u32, |sum, s| sum.saturating_add(people(s).len() as u32)),
                rating,
            }
        })
        .collect();
    let participants = held
        .iter()
        .flat_map(|s| people(s))
        .collect::<BTreeSet<_>>()
        .len() as u32;

    // Private documents: counts over enough of them, or nothing.
    let min = ProgrammeView::PRIVATE_MIN as usize;
    let mentoring = (input.mentorings.len() >= min).then(|| {
        let active: Vec<&Mentoring> = input
            .mentorings
            .iter()
            .filter(|m| m.agreement.planned_end.is_none_or(|end| end >= today))
            .collect();
        MentoringFigures {
            active: active.len() as u32,
            on_cadence: active
                .iter()
                .filter(|m| !m.is_due(today - 7 * DAY_MS))
                .count() as u32,
            sessions: input
                .mentorings
                .iter()
                .flat_map(|m| &m.sessions)
                .filter(|l| period(l.date))
                .count() as u32,
        }
    });
    let submitted = input
        .reviews
        .iter()
        .filter(|r| r.submitted_at.is_some_and(period))
        .count();
    let reviews_submitted = (submitted >= min).then_some(submitted as u32);

    let (given, received) = session_time(input);
    let members: BTreeSet<&str> = given.keys().chain(received.keys()).copied().collect();
    let mut reciprocity: Vec<ReciprocityRow> = members
        .iter()
        .map(|m| ReciprocityRow {
            who: who(ws, m),
            given: given.get(m).copied().unwrap_or(0),
            received: received.get(m).copied().unwrap_or(0),
        })
        .collect();
    reciprocity.sort_by(|a, b| {
        b.given
            .cmp(&a.given)
            .then_with(|| b.received.cmp(&a.received))
            .then_with(|| a.who.name.cmp(&b.who.name))
    });
    let give_and_receive = reciprocity
        .iter()
        .filter(|r| r.given > 0 && r.received > 0)
        .count() as u32;

    let mut at_risk: Vec<RiskPoint> = months(since, now)
        .into_iter()
        .map(|(y, m)| RiskPoint {
            month: format!("{y:04}-{m:02}"),
            skills: domain::skills_at_risk_at(ws, month_end(y, m).min(now)) as u32,
        })
        .collect();
    if let Some(last) = at_risk.last_mut() {
        last.skills = domain::skills_at_risk(ws).len() as u32;
    }

    let mut sharing: Vec<SharingRecord> = ws
        .members
        .keys()
        .map(|m| sharing_record(input, m, &held, &given))
        .filter(|r| r.counts().iter().any(|n| *n > 0))
        .collect();
    sharing.sort_by(|a, b| {
        let total = |r: &SharingRecord| {
            [r.notes, r.answers, r.sessions, r.endorsements]
                .iter()
                .fold(0u32, |sum, n| sum.saturating_add(*n))
        };
        (b.minutes_given, total(b))
            .cmp(&(a.minutes_given, total(a)))
            .then_with(|| a.who.name.cmp(&b.who.name))
    });

    Ok(ProgrammeView {
        since: day(since),
        until: day(now),
        months: month_rows,
        formats,
        participants,
        mentoring,
        reviews_submitted,
        reciprocity,
        give_and_receive,
        at_risk,
        sharing,
    })
}

fn sharing_record(
    input: &Inputs<'_>,
    member: &str,
    held: &[&Session],
    given: &BTreeMap<&str, u32>,
) -> SharingRecord {
    let period = |at: i64| at >= input.since && at <= input.now;
    let written = |list: &[Written]| {
        list.iter()
            .filter(|w| w.author == member && period(w.at))
            .count() as u32
    };
    SharingRecord {
        who: who(input.ws, member),
        notes: written(input.notes),
        answers: written(input.answers),
        sessions: held
            .iter()
            .filter(|s| s.givers().iter().any(|(g, _)| *g == member))
            .count() as u32,
        minutes_given: given.get(member).copied().unwrap_or(0),
        endorsements: input
            .ws
            .endorsements
            .values()
            .filter(|e| e.to == member && period(e.created_at))
            .count() as u32,
    }
}

/// A sharing record as a section of the contribution report, in English or in French.
pub(crate) fn sharing_markdown(r: &SharingRecord, french: bool) -> String {
    let names = [
        ("Notes written", "Notes écrites"),
        ("Answers accepted", "Réponses acceptées"),
        ("Sessions given", "Séances animées"),
        (
            "Minutes given and confirmed",
            "Minutes données et confirmées",
        ),
        ("Endorsements received", "Recommandations reçues"),
    ];
    let title = if french {
        "Bilan de partage"
    } else {
        "Sharing record"
    };
    let mut out = format!("## {title}\n\n");
    for ((en, fr), n) in names.into_iter().zip(r.counts()) {
        out += &if french {
            format!("- {fr} : {n}\n")
        } else {
            format!("- {en}: {n}\n")
        };
    }
    out
}

/// A sharing record's counts, `separator` between them.
fn joined(r: &SharingRecord, separator: &str) -> String {
    r.counts().map(|n| n.to_string()).join(separator)
}

/// The programme as CSV: one table after another, each with its header row.
pub(crate) fn csv(p: &ProgrammeView) -> String {
    fn field(text: &str) -> String {
        if text.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", text.replace('"', "\"\""))
        } else {
            text.to_owned()
        }
    }
    let mut out = String::from("month,format,sessions\n");
    for m in &p.months {
        for h in &m.held {
            out += &format!("{},{},{}\n", m.month, h.format, h.sessions);
        }
    }
    out += "\nformat,held,participants,average rating\n";
    for f in &p.formats {
        let rating = f.rating.map(|r| format!("{r:.1}")).unwrap_or_default();
        out += &format!("{},{},{},{rating}\n", f.format, f.held, f.participants);
    }
    out += "\nmember,minutes given,minutes received\n";
    for r in &p.reciprocity {
        out += &format!("{},{},{}\n", field(&r.who.name), r.given, r.received);
    }
    out += "\nmonth,skills at risk\n";
    for r in &p.at_risk {
        out += &format!("{},{}\n", r.month, r.skills);
    }
    out += "\nmember,notes,accepted answers,sessions,minutes given,endorsements\n";
    for s in &p.sharing {
        out += &format!("{},{}\n", field(&s.who.name), joined(s, ","));
    }
    out
}

/// The programme as a Markdown document.
pub(crate) fn markdown(p: &ProgrammeView) -> String {
    // A name or a label goes into a table cell as plain text.
    fn cell(text: &str) -> String {
        text.replace('\\', "\\\\")
            .replace('|', "\\|")
            .replace(['\n', '\r'], " ")
    }
    let mut out = format!(
        "# Learning programme, {} to {}\n\n## Sessions held\n\n",
        p.since, p.until
    );
    out += "| Month | Sessions | Participants |\n|---|---:|---:|\n";
    for m in &p.months {
        let n: u32 = m.held.iter().map(|h| h.sessions).sum();
        out += &format!("| {} | {n} | {} |\n", m.month, m.participants);
    }
    out += "\n| Format | Held | Participants | Average rating |\n|---|---:|---:|---:|\n";
    for f in &p.formats {
        let rating = f.rating.map_or_else(|| "–".into(), |r| format!("{r:.1}"));
        out += &format!(
            "| {} | {} | {} | {rating} |\n",
            f.format, f.held, f.participants
        );
    }
    out += &format!(
        "\n{} people took part in at least one session.\n\n## Mentoring and reviews\n\n",
        p.participants
    );
    match &p.mentoring {
        Some(m) => {
            out += &format!(
                "- {} active mentoring relationships, {} on cadence; {} sessions logged.\n",
                m.active, m.on_cadence, m.sessions
            );
        }
        None => {
            out += &format!(
                "- Mentoring: fewer than {} relationships visible, not shown.\n",
                ProgrammeView::PRIVATE_MIN
            );
        }
    }
    match p.reviews_submitted {
        Some(n) => out += &format!("- {n} peer reviews submitted.\n"),
        None => {
            out += &format!(
                "- Peer reviews: fewer than {} submitted, not shown.\n",
                ProgrammeView::PRIVATE_MIN
            );
        }
    }
    out += &format!(
        "\n## Reciprocity (confirmed session time)\n\n{} people both gave and received.\n\n\
         | Member | Minutes given | Minutes received |\n|---|---:|---:|\n",
        p.give_and_receive
    );
    for r in &p.reciprocity {
        out += &format!("| {} | {} | {} |\n", cell(&r.who.name), r.given, r.received);
    }
    out += "\n## Skills at risk\n\n| Month | Skills |\n|---|---:|\n";
    for r in &p.at_risk {
        out += &format!("| {} | {} |\n", r.month, r.skills);
    }
    out += "\n## Who shares\n\n| Member | Notes | Accepted answers | Sessions | Minutes given | \
            Endorsements |\n|---|---:|---:|---:|---:|---:|\n";
    for s in &p.sharing {
        out += &format!("| {} | {} |\n", cell(&s.who.name), joined(s, " | "));
    }
    out
}

impl Core {
    /// The first day counted: the given one, or a year back.
    fn since(since: Option<&str>, now: i64) -> Result<i64, NodeError> {
        let today = now - now.rem_euclid(DAY_MS);
        match since {
            Some(day) => {
                let day_ms = parse_day(day)?;
                if day_ms < today - LONGEST_DAYS * DAY_MS {
                    return Err(NodeError::Invalid(format!(
                        "'{}' is more than ten years back: choose a later day",
                        day.trim()
                    )));
                }
                Ok(day_ms)
            }
            None => Ok(today - 365 * DAY_MS),
        }
    }

    /// Computes the figures from everything this device holds.
    fn gather<R>(
        &self,
        since: i64,
        now: i64,
        f: impl FnOnce(&Inputs<'_>) -> Result<R, NodeError>,
    ) -> Result<R, NodeError> {
        let ws = self.workspace()?;
        let sessions: Vec<Session> = self.all()?;
        let mentorings: Vec<Mentoring> = self.all()?;
        let reviews: Vec<Review> = self.all()?;
        let notes: Vec<Written> = self
            .store
            .authored()?
            .into_iter()
            // Shared notes only: a personal or private note says nothing to the team.
            .filter(|n| {
                matches!(
                    n.scope.parse::<Scope>(),
                    Ok(Scope::Workspace | Scope::Community(_))
                )
            })
            .map(|n| Written {
                author: n.author,
                at: n.created_at,
            })
            .collect();
        let mut answers = Vec::new();
        for row in self.store.documents(Some(DocKind::Thread))? {
            let Ok(t) = self.read::<Thread>(&row.id) else {
                continue;
            };
            if let Some(post) = t
                .accepted
                .as_ref()
                .and_then(|a| t.posts.iter().find(|p| &p.id == a))
            {
                answers.push(Written {
                    author: post.author.clone(),
                    at: post.created_at,
                });
            }
        }
        f(&Inputs {
            ws: &ws,
            sessions: &sessions,
            mentorings: &mentorings,
            reviews: &reviews,
            notes: &notes,
            answers: &answers,
            since,
            now,
        })
    }

    /// `programme [--since DAY]`.
    pub fn programme(&self, since: Option<&str>) -> Result<ProgrammeView, NodeError> {
        let now = now();
        self.gather(Self::since(since, now)?, now, figures)
    }

    /// `programme --csv` / `--markdown`.
    pub fn programme_file(
        &self,
        since: Option<&str>,
        format: FileFormat,
    ) -> Result<TextFile, NodeError> {
        let p = self.programme(since)?;
        let (name, text) = match format {
            FileFormat::Csv => (format!("programme-{}.csv", p.until), csv(&p)),
            FileFormat::Markdown => (format!("programme-{}.md", p.until), markdown(&p)),
        };
        Ok(TextFile { name, text })
    }

    /// `sharing [MEMBER] [--since DAY]`: what a member shared.
    pub fn sharing(
        &self,
        member: Option<&str>,
        since: Option<&str>,
    ) -> Result<SharingRecord, NodeError> {
        let member = match member {
            Some(m) => self.resolve_member_id(m)?,
            None => self.me.clone(),
        };
        let now = now();
        self.gather(Self::since(since, now)?, now, |input| {
            let (given, _) = session_time(input);
            Ok(sharing_record(input, &member, &held(input), &given))
        })
    }
}
