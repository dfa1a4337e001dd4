//! Calendar files (RFC 5545, written by the `icalendar` crate): a guided session, or a mentoring
//! relationship's next meeting, as an event a calendar app imports. Times are written in UTC
//! (`...Z`), which every calendar shows in its reader's own time zone.

use chrono::{DateTime, Utc};
use icalendar::{Attendee, Calendar, Component, Event, EventLike};

use domain::{DAY_MS, Mentoring, Session, Workspace, slug};
use ipc::views::IcsFile;

use crate::NodeError;

/// Working Out Loud circles meet every week, twelve times.
const WOL_MEETINGS: u32 = 12;

fn utc(ms: i64) -> Result<DateTime<Utc>, NodeError> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| NodeError::Invalid(format!("{ms} is not a time a calendar can hold")))
}

/// Members' names: as their profile has it, else as the membership log admitted them.
pub(crate) struct Names<'a> {
    pub(crate) ws: &'a Workspace,
    pub(crate) log: &'a sync::membership::Members,
}

fn name(names: &Names<'_>, id: &str) -> String {
    names.ws.members.get(id).map_or_else(
        || {
            names
                .log
                .members
                .get(id)
                .map_or_else(|| id.to_owned(), |m| m.name.clone())
        },
        |m| m.name.clone(),
    )
}

/// A member as an attendee: named, addressed by their member id (members have no e-mail).
fn attendee(ws: &Names<'_>, id: &str) -> Attendee {
    let mut a = Attendee::new(format!("urn:entrepairs:member:{id}"));
    a.cn = Some(name(ws, id));
    a
}

fn file(stem: &str, title: &str, calendar: Calendar) -> IcsFile {
    let words = slug(title);
    let name = if words.is_empty() {
        format!("{stem}.ics")
    } else {
        format!("{stem}-{words}.ics")
    };
    IcsFile {
        name,
        text: calendar.to_string(),
    }
}

/// A guided session: its time box, the format's steps and who takes which role in the
/// description, hosts and participants as attendees; a Working Out Loud circle repeats weekly
/// for its twelve meetings.
pub(crate) fn session(ws: &Names<'_>, s: &Session, now: i64) -> Result<IcsFile, NodeError> {
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
    let hosts: Vec<String> = s.hosts.iter().map(|h| name(ws, h)).collect();
    description.push(format!("Hosts: {}", hosts.join(", ")));
    for p in &s.participants {
        description.push(format!("{}: {}", p.role, name(ws, &p.member)));
    }
    let start = utc(s.at)?;
    let end = utc(s.at + i64::from(s.minutes) * 60_000)?;
    let mut event = Event::new();
    event
        .uid(&format!("{}@entrepairs", s.meta.id))
        .timestamp(utc(now)?)
        .summary(&format!("{}: {}", format.name, s.title))
        .description(&description.join("\n"))
        .starts(start)
        .ends(end);
    for id in s
        .hosts
        .iter()
        .chain(s.participants.iter().map(|p| &p.member))
    {
        event.attendee(attendee(ws, id));
    }
    if s.format == "wol" {
        event.add_property("RRULE", format!("FREQ=WEEKLY;COUNT={WOL_MEETINGS}"));
    }
    let calendar = Calendar::new().push(event.done()).done();
    Ok(file("session", &s.title, calendar))
}

/// A mentoring relationship's next meeting, a whole day (the relationship sets a cadence, not
/// an hour): the day its cadence falls due after the last session (or after it started), today
/// if that day is past, repeating at the cadence; goals in the description.
pub(crate) fn mentoring(ws: &Names<'_>, m: &Mentoring, now: i64) -> Result<IcsFile, NodeError> {
    let cadence = i64::from(m.agreement.cadence_days.max(1));
    let since = m.last_session().unwrap_or(m.meta.created_at);
    let due = (since - since.rem_euclid(DAY_MS)) + cadence * DAY_MS;
    let today = now - now.rem_euclid(DAY_MS);
    let day = utc(due.max(today))?.date_naive();
    let (mentor, mentee) = (name(ws, &m.mentor), name(ws, &m.mentee));
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
    let mut event = Event::new();
    event
        .uid(&format!("{}@entrepairs", m.meta.id))
        .timestamp(utc(now)?)
        .summary(&format!("Mentoring: {mentor} and {mentee}"))
        .description(&description.join("\n"))
        .all_day(day)
        .attendee(attendee(ws, &m.mentor))
        .attendee(attendee(ws, &m.mentee))
        .add_property("RRULE", format!("FREQ=DAILY;INTERVAL={cadence}"));
    let calendar = Calendar::new().push(event.done()).done();
    Ok(file("mentoring", &format!("{mentor} {mentee}"), calendar))
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
        assert_eq!(ics.name, "session-circle-week-1.ics");
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
                .any(|l| l.starts_with("ATTENDEE;CN=Bob:urn:entrepairs:member:")),
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
        let ics = alice.run(ops::MentoringIcs { id }).await.unwrap();
        let text = lines(&ics.text);
        let start = text
            .iter()
            .find(|l| l.starts_with("DTSTART;VALUE=DATE:"))
            .unwrap_or_else(|| panic!("an all-day event: {}", ics.text));
        let day =
            chrono::NaiveDate::parse_from_str(&start["DTSTART;VALUE=DATE:".len()..], "%Y%m%d")
                .unwrap();
        assert_eq!(
            day,
            chrono::Utc::now().date_naive() + chrono::Days::new(14),
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
}
