//! Calendar files (RFC 5545): a guided session, or a mentoring relationship's next meeting, as
//! an event a calendar app imports. A session's times are written in this device's time zone
//! (`DTSTART;TZID=Europe/Paris:…`, with the zone's `VTIMEZONE`), so that a recurring session
//! keeps its hour across a change to or from summer time; where the zone has no name, in UTC
//! (`...Z`). A mentoring meeting is a whole day. Titles and names come from colleagues' documents: every text
//! is escaped, parameter values lose quotes and control characters, attendees are only valid
//! member ids, and lines are folded on character boundaries, so no text makes another line,
//! parameter or event.

use chrono::{DateTime, Datelike, NaiveDate, Offset, TimeZone, Utc};

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

/// A time zone as a calendar file names it: its IANA name and the zone itself.
pub(crate) struct Zone<Tz: TimeZone> {
    /// `Europe/Paris`: letters, digits and `/_+-` only.
    pub(crate) name: String,
    /// The zone.
    pub(crate) tz: Tz,
}

/// This device's time zone: its name as the `TZ` variable or the system gives it, with the
/// offsets `chrono::Local` reads; `None` where it has no usable name.
pub(crate) fn device_zone() -> Option<Zone<chrono::Local>> {
    let named = std::env::var("TZ")
        .ok()
        .map(|tz| tz.trim_start_matches(':').to_owned())
        .filter(|tz| tz.contains('/'))
        .or_else(|| iana_time_zone::get_timezone().ok())?;
    let name: String = named
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "/_+-".contains(*c))
        .collect();
    (!name.is_empty() && name == named).then_some(Zone {
        name,
        tz: chrono::Local,
    })
}

/// The offset of `tz` at `at`, in seconds east of UTC.
fn offset_at<Tz: TimeZone>(tz: &Tz, at: DateTime<Utc>) -> i32 {
    tz.offset_from_utc_datetime(&at.naive_utc())
        .fix()
        .local_minus_utc()
}

/// An offset as iCalendar writes it, `+0100`.
fn utc_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    format!("{sign}{:02}{:02}", minutes / 60, minutes % 60)
}

const WEEKDAYS: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

impl<Tz: TimeZone> Zone<Tz> {
    /// `at` as the zone's wall-clock time, `20261201T140000`.
    fn local(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.tz)
            .naive_local()
            .format("%Y%m%dT%H%M%S")
            .to_string()
    }

    /// The zone's `VTIMEZONE` for `year`: each change of offset that year (found hour by hour,
    /// then to the minute) as a yearly rule on that weekday of that month (`-1SU`: the last
    /// Sunday); one standard offset if it does not change.
    fn component(&self, year: i32) -> Result<String, NodeError> {
        let start = NaiveDate::from_ymd_opt(year, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc())
            .ok_or_else(|| {
                NodeError::Invalid("the date is out of what a calendar can hold".to_owned())
            })?;
        let mut out = String::new();
        push_line(&mut out, "BEGIN", "VTIMEZONE");
        push_line(&mut out, "TZID", &self.name);
        let mut before = offset_at(&self.tz, start);
        let mut changes = 0;
        for hour in 1..=(366 * 24) {
            let at = start + chrono::Duration::hours(hour);
            let now = offset_at(&self.tz, at);
            if now == before {
                continue;
            }
            let hour_before = at - chrono::Duration::hours(1);
            let when = (1..=60)
                .map(|m| hour_before + chrono::Duration::minutes(m))
                .find(|t| offset_at(&self.tz, *t) == now)
                .unwrap_or(at);
            // The rule names the wall-clock time of the change, before it.
            let wall = (when + chrono::Duration::seconds(i64::from(before))).naive_utc();
            let date = wall.date();
            let last = date
                .checked_add_days(chrono::Days::new(7))
                .is_none_or(|d| d.month() != date.month());
            let nth = if last {
                "-1".to_owned()
            } else {
                ((date.day() - 1) / 7 + 1).to_string()
            };
            let weekday = WEEKDAYS[date.weekday().num_days_from_monday() as usize];
            let kind = if now > before { "DAYLIGHT" } else { "STANDARD" };
            push_line(&mut out, "BEGIN", kind);
            push_line(
                &mut out,
                "DTSTART",
                &wall.format("%Y%m%dT%H%M%S").to_string(),
            );
            push_line(
                &mut out,
                "RRULE",
                &format!("FREQ=YEARLY;BYMONTH={};BYDAY={nth}{weekday}", date.month()),
            );
            push_line(&mut out, "TZOFFSETFROM", &utc_offset(before));
            push_line(&mut out, "TZOFFSETTO", &utc_offset(now));
            push_line(&mut out, "END", kind);
            before = now;
            changes += 1;
        }
        if changes == 0 {
            push_line(&mut out, "BEGIN", "STANDARD");
            push_line(&mut out, "DTSTART", &format!("{year:04}0101T000000"));
            push_line(&mut out, "TZOFFSETFROM", &utc_offset(before));
            push_line(&mut out, "TZOFFSETTO", &utc_offset(before));
            push_line(&mut out, "END", "STANDARD");
        }
        push_line(&mut out, "END", "VTIMEZONE");
        Ok(out)
    }
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

    /// The calendar holding this one event, after the time zone its times name, if any.
    fn calendar(mut self, zone: Option<String>) -> String {
        push_line(&mut self.lines, "END", "VEVENT");
        let mut out = String::new();
        push_line(&mut out, "BEGIN", "VCALENDAR");
        push_line(&mut out, "VERSION", "2.0");
        push_line(&mut out, "PRODID", "-//Entrepairs//Entrepairs//EN");
        push_line(&mut out, "CALSCALE", "GREGORIAN");
        out.push_str(&zone.unwrap_or_default());
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
pub(crate) fn session<Tz: TimeZone>(
    names: &Names<'_>,
    s: &Session,
    now: i64,
    zone: Option<&Zone<Tz>>,
) -> Result<IcsFile, NodeError> {
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
    let (start, end) = (utc(s.at)?, utc(end)?);
    let timezone = match zone {
        Some(zone) => {
            event
                .add(&format!("DTSTART;TZID={}", zone.name), &zone.local(start))
                .add(&format!("DTEND;TZID={}", zone.name), &zone.local(end));
            Some(zone.component(start.with_timezone(&zone.tz).year())?)
        }
        None => {
            event
                .add("DTSTART", &stamp(start))
                .add("DTEND", &stamp(end));
            None
        }
    };
    event
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
        text: event.calendar(timezone),
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
        text: event.calendar(None),
    })
}

#[cfg(test)]
mod tests {
    use chrono::{Datelike, TimeZone};
    use ipc::forms::{MentoringDraft, MentoringRole, SessionDraft};
    use ipc::ops;
    use ipc::sets::FormatId;

    use crate::Node;

    /// Central European time as the European Union's rule has it (summer time from the last
    /// Sunday of March to the last Sunday of October, at 01:00 UTC): a zone with changes,
    /// whatever the machine's own.
    #[derive(Debug, Clone, Copy)]
    struct Cet;

    fn last_sunday_at_one(year: i32, month: u32) -> chrono::NaiveDateTime {
        let mut day =
            chrono::NaiveDate::from_ymd_opt(year, month + 1, 1).unwrap() - chrono::Days::new(1);
        while day.weekday() != chrono::Weekday::Sun {
            day = day - chrono::Days::new(1);
        }
        day.and_hms_opt(1, 0, 0).unwrap()
    }

    impl TimeZone for Cet {
        type Offset = chrono::FixedOffset;

        fn from_offset(_: &chrono::FixedOffset) -> Cet {
            Cet
        }

        fn offset_from_local_date(
            &self,
            local: &chrono::NaiveDate,
        ) -> chrono::MappedLocalTime<chrono::FixedOffset> {
            self.offset_from_local_datetime(&local.and_hms_opt(12, 0, 0).unwrap())
        }

        fn offset_from_local_datetime(
            &self,
            local: &chrono::NaiveDateTime,
        ) -> chrono::MappedLocalTime<chrono::FixedOffset> {
            // Enough away from the changes themselves, which the tests do not ask for.
            chrono::MappedLocalTime::Single(
                self.offset_from_utc_datetime(&(*local - chrono::Duration::hours(1))),
            )
        }

        fn offset_from_utc_date(&self, utc: &chrono::NaiveDate) -> chrono::FixedOffset {
            self.offset_from_utc_datetime(&utc.and_hms_opt(0, 0, 0).unwrap())
        }

        fn offset_from_utc_datetime(&self, utc: &chrono::NaiveDateTime) -> chrono::FixedOffset {
            let year = utc.year();
            let summer = *utc >= last_sunday_at_one(year, 3) && *utc < last_sunday_at_one(year, 10);
            chrono::FixedOffset::east_opt(if summer { 7200 } else { 3600 }).unwrap()
        }
    }

    #[test]
    fn a_zone_with_summer_time_is_written_as_its_two_yearly_rules() {
        let zone = super::Zone {
            name: "Europe/Paris".to_owned(),
            tz: Cet,
        };
        let text = lines(&zone.component(2026).unwrap());
        let want = [
            "BEGIN:VTIMEZONE",
            "TZID:Europe/Paris",
            "BEGIN:DAYLIGHT",
            "DTSTART:20260329T020000",
            "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
            "TZOFFSETFROM:+0100",
            "TZOFFSETTO:+0200",
            "END:DAYLIGHT",
            "BEGIN:STANDARD",
            "DTSTART:20261025T030000",
            "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
            "TZOFFSETFROM:+0200",
            "TZOFFSETTO:+0100",
            "END:STANDARD",
            "END:VTIMEZONE",
        ];
        assert_eq!(text, want);
        // A summer session at 12:00 UTC is at 14:00 in Paris, a winter one at 13:00.
        let at = |t: &str| chrono::DateTime::parse_from_rfc3339(t).unwrap().to_utc();
        assert_eq!(zone.local(at("2026-07-01T12:00:00Z")), "20260701T140000");
        assert_eq!(zone.local(at("2026-12-01T12:00:00Z")), "20261201T130000");
        // A zone without changes has one standard offset.
        let fixed = super::Zone {
            name: "Asia/Kolkata".to_owned(),
            tz: chrono::FixedOffset::east_opt(5 * 3600 + 1800).unwrap(),
        };
        let text = lines(&fixed.component(2026).unwrap());
        assert!(text.contains(&"TZOFFSETTO:+0530".to_owned()), "{text:?}");
        assert!(!text.iter().any(|l| l == "BEGIN:DAYLIGHT"), "{text:?}");
    }

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
        // In this device's zone where it has a name, else in UTC.
        let (start, end) = match super::device_zone() {
            Some(zone) => {
                let at = |t: &str| {
                    let t = chrono::DateTime::parse_from_rfc3339(t).unwrap().to_utc();
                    zone.local(t)
                };
                let tz = &zone.name;
                (
                    format!("DTSTART;TZID={tz}:{}", at("2030-01-07T12:00:00Z")),
                    format!("DTEND;TZID={tz}:{}", at("2030-01-07T13:00:00Z")),
                )
            }
            None => (
                "DTSTART:20300107T120000Z".to_owned(),
                "DTEND:20300107T130000Z".to_owned(),
            ),
        };
        for want in [
            "BEGIN:VCALENDAR",
            "BEGIN:VEVENT",
            &format!("UID:{id}@entrepairs"),
            &start,
            &end,
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
