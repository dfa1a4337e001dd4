//! Calendar files (RFC 5545): a guided session, or a mentoring relationship's next meeting, as
//! an event a calendar app imports. Times are written in UTC (`...Z`), which every calendar shows
//! in its reader's own time zone. Titles and names come from colleagues' documents: every text
//! is escaped, parameter values lose quotes and control characters, attendees are only valid
//! member ids, and lines are folded on character boundaries, so no text makes another line,
//! parameter or event.

use chrono::{DateTime, NaiveDate, Utc};

use domain::{DAY_MS, Mentoring, Session, Workspace, slug, valid_id};
use ipc::views::IcsFile;

use crate::NodeError;

/// Working Out Loud circles meet every week, twelve times.
const WOL_MEETINGS: u32 = 12;

/// The longest content line, in octets, before it is folded (RFC 5545, 3.1).
const LINE_OCTETS: usize = 75;

/// The longest title kept in a file name, in characters.
const NAME_WORDS: usize = 48;

fn utc(ms: i64) -> Result<DateTime<Utc>, NodeError> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| NodeError::Invalid("the date is out of what a calendar can hold".to_owned()))
}

/// A TEXT value (RFC 5545, 3.3.11): backslash, semicolon, comma and line breaks escaped, other
/// control characters dropped.
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value (RFC 5545, 3.2): quoted, without quotes or control characters.
fn param(value: &str) -> String {
    let kept: String = value
        .chars()
        .filter(|c| *c != '"' && !c.is_control())
        .collect();
    format!("\"{kept}\"")
}

/// One content line, `head` (name and parameters) then `:` and `value` (already escaped),
/// folded so that no physical line passes [`LINE_OCTETS`], never inside a character.
fn push_line(out: &mut String, head: &str, value: &str) {
    let mut width = 0;
    for c in head
        .chars()
        .chain(std::iter::once(':'))
        .chain(value.chars())
    {
        if width + c.len_utf8() > LINE_OCTETS {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

/// Members' names: as their profile has it, else as the membership log admitted them.
pub(crate) struct Names<'a> {
    pub(crate) ws: &'a Workspace,
    pub(crate) log: &'a sync::membership::Members,
}

impl Names<'_> {
    fn of(&self, id: &str) -> String {
        match (self.ws.members.get(id), self.log.members.get(id)) {
            (Some(m), _) => m.name.clone(),
            (None, Some(m)) => m.name.clone(),
            (None, None) => id.to_owned(),
        }
    }
}

/// An event being written.
struct Event {
    lines: String,
}

impl Event {
    fn new(uid: &str, now: i64) -> Result<Event, NodeError> {
        let mut e = Event {
            lines: String::new(),
        };
        push_line(&mut e.lines, "BEGIN", "VEVENT");
        push_line(&mut e.lines, "UID", &text(&format!("{uid}@entrepairs")));
        push_line(&mut e.lines, "DTSTAMP", &stamp(utc(now)?));
        Ok(e)
    }

    fn add(&mut self, head: &str, value: &str) -> &mut Event {
        push_line(&mut self.lines, head, value);
        self
    }

    /// A member as an attendee, named, addressed by their member id (members have no e-mail);
    /// an id that is not a member id is left out.
    fn attendee(&mut self, names: &Names<'_>, id: &str) -> &mut Event {
        if valid_id(id) {
            let head = format!("ATTENDEE;CN={}", param(&names.of(id)));
            push_line(
                &mut self.lines,
                &head,
                &format!("urn:entrepairs:member:{id}"),
            );
        }
        self
    }

    /// The calendar holding this one event.
    fn calendar(mut self) -> String {
        push_line(&mut self.lines, "END", "VEVENT");
        let mut out = String::new();
        push_line(&mut out, "BEGIN", "VCALENDAR");
        push_line(&mut out, "VERSION", "2.0");
        push_line(&mut out, "PRODID", "-//Entrepairs//Entrepairs//EN");
        push_line(&mut out, "CALSCALE", "GREGORIAN");
        out.push_str(&self.lines);
        push_line(&mut out, "END", "VCALENDAR");
        out
    }
}

fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

fn day(date: NaiveDate) -> String {
    date.format("%Y%m%d").to_string()
}

/// A file name: `stem`, the title's words in plain ASCII (at most [`NAME_WORDS`] characters)
/// and the end of the document's id, so two files with one title do not replace each other.
fn file_name(stem: &str, title: &str, id: &str) -> String {
    let words: String = slug(title)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(NAME_WORDS)
        .collect();
    let words = words.trim_matches('-');
    let tag: String = id
        .chars()
        .rev()
        .filter(char::is_ascii_alphanumeric)
        .take(6)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let mut name = stem.to_owned();
    for part in [words, tag.as_str()] {
        if !part.is_empty() {
            name.push('-');
            name.push_str(part);
        }
    }
    name.push_str(".ics");
    name
}

/// A guided session: its time box, the format's steps and who takes which role in the
/// description, hosts and participants as attendees; a Working Out Loud circle repeats weekly
/// for its twelve meetings.
pub(crate) fn session(names: &Names<'_>, s: &Session, now: i64) -> Result<IcsFile, NodeError> {
    let format = s.format()?;
    let mut description = vec![format!("{} — {}", format.name, s.title), String::new()];
    for (i, step) in format.steps.iter().enumerate() {
        description.push(format!(
            "{}. {} ({}, {}–{} min): {}",
            i + 1,
            step.name,
            step.speaker,
            step.min_minutes,
            step.max_minutes,
            step.prompt
        ));
    }
    description.push(String::new());
    let hosts: Vec<String> = s.hosts.iter().map(|h| names.of(h)).collect();
    description.push(format!("Hosts: {}", hosts.join(", ")));
    for p in &s.participants {
        description.push(format!("{}: {}", p.role, names.of(&p.member)));
    }
    let end =
        s.at.checked_add(i64::from(s.minutes) * 60_000)
            .ok_or_else(|| {
                NodeError::Invalid("the session ends past what a calendar can hold".into())
            })?;
    let mut event = Event::new(&s.meta.id, now)?;
    event
        .add("DTSTART", &stamp(utc(s.at)?))
        .add("DTEND", &stamp(utc(end)?))
        .add("SUMMARY", &text(&format!("{}: {}", format.name, s.title)))
        .add("DESCRIPTION", &text(&description.join("\n")));
    for id in s
        .hosts
        .iter()
        .chain(s.participants.iter().map(|p| &p.member))
    {
        event.attendee(names, id);
    }
    if s.format == "wol" {
        event.add("RRULE", &format!("FREQ=WEEKLY;COUNT={WOL_MEETINGS}"));
    }
    Ok(IcsFile {
        name: file_name("session", &s.title, &s.meta.id),
        text: event.calendar(),
    })
}

/// A mentoring relationship's next meeting, a whole day (the relationship sets a cadence, not
/// an hour): the day its cadence falls due after the last session (or after it started), today
/// if that day is past, repeating at the cadence; the open goals in the description.
pub(crate) fn mentoring(names: &Names<'_>, m: &Mentoring, now: i64) -> Result<IcsFile, NodeError> {
    let cadence = i64::from(m.agreement.cadence_days.max(1));
    let since = m.last_session().unwrap_or(m.meta.created_at);
    let out_of_range =
        || NodeError::Invalid("the last session is out of what a calendar can hold".into());
    let due = since
        .checked_sub(since.rem_euclid(DAY_MS))
        .and_then(|d| d.checked_add(cadence * DAY_MS))
        .ok_or_else(out_of_range)?;
    let today = now - now.rem_euclid(DAY_MS);
    let next = utc(due.max(today))?.date_naive();
    let following = next.succ_opt().ok_or_else(out_of_range)?;
    let (mentor, mentee) = (names.of(&m.mentor), names.of(&m.mentee));
    let mut description = vec![format!(
        "Mentoring: {mentor} and {mentee}, every {cadence} days."
    )];
    let open: Vec<&str> = m
        .goals
        .iter()
        .filter(|g| !g.done)
        .map(|g| g.text.as_str())
        .collect();
    if !open.is_empty() {
        description.push(String::new());
        description.push("Goals:".into());
        description.extend(open.iter().map(|g| format!("- {g}")));
    }
    let mut event = Event::new(&m.meta.id, now)?;
    event
        .add("DTSTART;VALUE=DATE", &day(next))
        .add("DTEND;VALUE=DATE", &day(following))
        .add("RRULE", &format!("FREQ=DAILY;INTERVAL={cadence}"))
        .add(
            "SUMMARY",
            &text(&format!("Mentoring: {mentor} and {mentee}")),
        )
        .add("DESCRIPTION", &text(&description.join("\n")))
        .attendee(names, &m.mentor)
        .attendee(names, &m.mentee);
    Ok(IcsFile {
        name: file_name("mentoring", &format!("{mentor} {mentee}"), &m.meta.id),
        text: event.calendar(),
    })
}

#[cfg(test)]
mod tests {
    use ipc::forms::{MentoringDraft, MentoringRole, SessionDraft};
    use ipc::ops;
    use ipc::sets::FormatId;

    use crate::Node;

    /// The lines of an iCalendar text, unfolded (RFC 5545 folds lines at 75 octets).
    fn lines(text: &str) -> Vec<String> {
        text.replace("\r\n ", "")
            .lines()
            .map(str::to_owned)
            .collect()
    }

    #[tokio::test]
    async fn a_session_and_a_mentoring_relationship_become_calendar_events() {
        let tmp = tempfile::tempdir().unwrap();
        let alice = Node::init(&tmp.path().join("a"), "Alice", "Acme")
            .await
            .unwrap();
        let bob = Node::init_device(&tmp.path().join("b")).unwrap();
        let member = bob.clone();
        alice
            .call(move |c| c.add_member(&member, "Bob"))
            .await
            .unwrap();

        let draft = SessionDraft {
            format: FormatId::Wol,
            title: "Circle, week 1".into(),
            at: "2030-01-07T12:00:00Z".into(),
            minutes: Some(60),
            participants: vec![format!("{bob}:member")],
            hosts: Vec::new(),
            skills: Vec::new(),
            scope: None,
        };
        let id = alice.run(ops::SessionPlan { draft }).await.unwrap();
        let ics = alice.run(ops::SessionIcs { id: id.clone() }).await.unwrap();
        assert!(
            ics.name.starts_with("session-circle-week-1-") && ics.name.ends_with(".ics"),
            "{}",
            ics.name
        );
        let text = lines(&ics.text);
        for want in [
            "BEGIN:VCALENDAR",
            "BEGIN:VEVENT",
            &format!("UID:{id}@entrepairs"),
            "DTSTART:20300107T120000Z",
            "DTEND:20300107T130000Z",
            "SUMMARY:Working Out Loud circle: Circle\\, week 1",
            "RRULE:FREQ=WEEKLY;COUNT=12",
            "END:VCALENDAR",
        ] {
            assert!(text.iter().any(|l| l == want), "{want} in:\n{}", ics.text);
        }
        assert!(
            text.iter()
                .any(|l| l.starts_with("ATTENDEE;CN=\"Bob\":urn:entrepairs:member:")),
            "{}",
            ics.text
        );
        assert!(
            text.iter()
                .any(|l| l.starts_with("DESCRIPTION:") && l.contains("1. Goal (")),
            "the format's steps are described: {}",
            ics.text
        );

        let draft = MentoringDraft {
            with: "Bob".into(),
            role: MentoringRole::Mentor,
            reverse: false,
            goals: vec!["Ship a crate".into()],
            cadence_days: Some(14),
        };
        let id = alice.run(ops::MentoringStart { draft }).await.unwrap();
        let started = alice
            .run(ops::Mentoring { id: id.clone() })
            .await
            .unwrap()
            .created_at;
        let ics = alice.run(ops::MentoringIcs { id }).await.unwrap();
        let text = lines(&ics.text);
        let start = text
            .iter()
            .find(|l| l.starts_with("DTSTART;VALUE=DATE:"))
            .unwrap_or_else(|| panic!("an all-day event: {}", ics.text));
        let day =
            chrono::NaiveDate::parse_from_str(&start["DTSTART;VALUE=DATE:".len()..], "%Y%m%d")
                .unwrap();
        let started = chrono::DateTime::parse_from_rfc3339(&started)
            .unwrap()
            .date_naive();
        assert_eq!(
            day,
            started + chrono::Days::new(14),
            "due a cadence after it started"
        );
        assert!(text.iter().any(|l| l == "RRULE:FREQ=DAILY;INTERVAL=14"));
        assert!(
            text.iter().any(|l| l.contains("Ship a crate")),
            "{}",
            ics.text
        );
        let missing = alice
            .run(ops::SessionIcs {
                id: "no-such-session".into(),
            })
            .await;
        assert!(
            matches!(missing, Err(crate::NodeError::NotFound(_))),
            "{missing:?}"
        );
    }

    /// Whatever colleagues write in titles and names, every physical line stays within 75
    /// octets, unfolds to the one line written, and the text reads back without the control
    /// characters (nothing starts another line, parameter or property).
    #[test]
    fn any_text_is_escaped_and_folded_into_short_lines() {
        use rand::{Rng, SeedableRng};
        let pieces = [
            "😀", " ", "é", "a", ",", ";", "\\", "\n", "\r", "\"", ":", "\u{7}", "ß", "中",
        ];
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let mut samples: Vec<String> = (0..2_000)
            .map(|_| {
                let n = rng.gen_range(0..200);
                (0..n)
                    .map(|_| pieces[rng.gen_range(0..pieces.len())])
                    .collect()
            })
            .collect();
        samples.push("😀".repeat(24) + &" x".repeat(60));
        for sample in samples {
            let mut out = String::new();
            super::push_line(&mut out, "SUMMARY", &super::text(&sample));
            let physical: Vec<&str> = out.trim_end_matches("\r\n").split("\r\n").collect();
            assert!(
                physical.iter().all(|l| l.len() <= super::LINE_OCTETS),
                "{out:?}"
            );
            assert!(physical[1..].iter().all(|l| l.starts_with(' ')), "{out:?}");
            let unfolded = out.trim_end_matches("\r\n").replace("\r\n ", "");
            let value = unfolded.strip_prefix("SUMMARY:").unwrap();
            let mut back = String::new();
            let mut chars = value.chars();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => match chars.next() {
                        Some('n') => back.push('\n'),
                        Some(other) => back.push(other),
                        None => panic!("a lone backslash in {value:?}"),
                    },
                    c => {
                        assert!(!c.is_control() && c != ';' && c != ',', "{value:?}");
                        back.push(c);
                    }
                }
            }
            let kept: String = sample
                .chars()
                .filter(|c| *c == '\n' || !c.is_control())
                .collect();
            assert_eq!(back, kept);
            let quoted = super::param(&sample);
            assert!(!quoted[1..quoted.len() - 1].contains(['"', '\n', '\r']));
        }
    }

    #[test]
    fn file_names_are_plain_ascii_and_carry_the_id() {
        let name = super::file_name("session", "Łódź: ревью 中 — Q1", "abc-12D3KooWxyz789");
        assert!(
            name.starts_with("session-")
                && name.ends_with("-q1-xyz789.ics")
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.'),
            "{name}"
        );
        assert_eq!(super::file_name("mentoring", "", "x"), "mentoring-x.ics");
        let long = super::file_name("session", &"word ".repeat(100), "id1");
        assert!(long.len() < 80, "{long}");
    }
}
