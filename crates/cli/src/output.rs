//! Printing: the text a person reads, or with `--json` the stable JSON a script reads.

use std::io::Write;

use anyhow::Result;
use node::formats::*;
use node::views::*;
use serde::Serialize;

/// Where command results go.
pub struct Out {
    json: bool,
    stdout: std::io::Stdout,
}

/// Writes one line to stderr, ignoring a closed stderr.
pub fn error_line(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Whether an error is stdout having been closed by a reader (`| head`), which is not a failure.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

fn date(rfc3339: &str) -> &str {
    rfc3339.get(..10).unwrap_or(rfc3339)
}

impl Out {
    pub fn new(json: bool) -> Out {
        Out {
            json,
            stdout: std::io::stdout(),
        }
    }

    fn line(&mut self, text: &str) -> Result<()> {
        writeln!(self.stdout.lock(), "{text}")?;
        Ok(())
    }

    fn json<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        let text = serde_json::to_string_pretty(value)?;
        self.line(&text)
    }

    /// What a creating command prints: the id alone, or `{"id": ...}`.
    pub fn id(&mut self, id: &str) -> Result<()> {
        if self.json {
            self.json(&serde_json::json!({ "id": id }))
        } else {
            self.line(id)
        }
    }

    pub fn done(&mut self, message: &str) -> Result<()> {
        if self.json {
            self.json(&serde_json::json!({ "ok": true }))
        } else {
            self.line(message)
        }
    }

    /// A plain list, one item per line (`none` when empty).
    pub fn lines(&mut self, items: &[String]) -> Result<()> {
        if self.json {
            return self.json(items);
        }
        if items.is_empty() {
            return self.line("none");
        }
        for item in items {
            self.line(item)?;
        }
        Ok(())
    }

    /// A code to read aloud: printed at once (the command then waits for it to be used).
    pub fn code(&mut self, code: &CodeInvite) -> Result<()> {
        if self.json {
            let text = serde_json::to_string(code)?;
            self.line(&text)?;
        } else {
            self.line(&format!(
                "Code: {}  (read it aloud; single use, valid until {}, {} tries)",
                code.code, code.expires_at, code.tries_left
            ))?;
        }
        self.stdout.flush()?;
        Ok(())
    }

    pub fn whoami(&mut self, me: &WhoAmI) -> Result<()> {
        if self.json {
            return self.json(me);
        }
        self.line(&format!(
            "{} ({}) in workspace \"{}\"",
            me.name, me.role, me.workspace_name
        ))?;
        self.line(&format!("member id:    {}", me.member_id))?;
        self.line(&format!("workspace id: {}", me.workspace_id))
    }

    pub fn profile(&mut self, p: &ProfileView) -> Result<()> {
        if self.json {
            return self.json(p);
        }
        self.line(&format!("{} ({})", p.name, p.role))?;
        self.line(&format!("  id:        {}", p.member_id))?;
        for (label, value) in [
            ("title", &p.title),
            ("team", &p.team),
            ("location", &p.location),
        ] {
            if !value.is_empty() {
                self.line(&format!("  {label:<10} {value}"))?;
            }
        }
        if !p.languages.is_empty() {
            self.line(&format!("  languages: {}", p.languages.join(", ")))?;
        }
        self.line(&format!(
            "  offers:    {} h/month{}",
            p.hours_per_month,
            if p.open_to_mentoring {
                ", open to mentoring"
            } else {
                ""
            }
        ))?;
        for s in &p.skills {
            let mut flags = Vec::new();
            if s.can_teach {
                flags.push("can teach".to_owned());
            }
            if s.wants_to_learn {
                flags.push("wants to learn".to_owned());
            }
            if s.endorsements > 0 {
                flags.push(format!("{} endorsement(s)", s.endorsements));
            }
            self.line(&format!(
                "  skill:     {} — {} ({}/4) {}",
                s.label_en,
                s.level_name,
                s.level,
                flags.join(", ")
            ))?;
        }
        for e in &p.endorsements {
            let comment = if e.comment.is_empty() {
                String::new()
            } else {
                format!(": \"{}\"", e.comment)
            };
            self.line(&format!(
                "  endorsed:  {} by {}{}",
                e.skill, e.from_name, comment
            ))?;
        }
        Ok(())
    }

    pub fn skills(&mut self, skills: &[SkillView]) -> Result<()> {
        if self.json {
            return self.json(skills);
        }
        if skills.is_empty() {
            return self.line("The catalogue is empty: claim a skill with `entrepairs skill claim NAME --level 1..4`.");
        }
        for s in skills {
            let label = if s.label_fr == s.label_en {
                s.label_en.clone()
            } else {
                format!("{} / {}", s.label_en, s.label_fr)
            };
            let holders: Vec<String> = s
                .holders
                .iter()
                .map(|h| format!("{} ({})", h.name, h.level_name))
                .collect();
            self.line(&format!("{label:<28} {}", holders.join(", ")))?;
        }
        Ok(())
    }

    pub fn notes(&mut self, notes: &[NoteSummary]) -> Result<()> {
        if self.json {
            return self.json(notes);
        }
        if notes.is_empty() {
            return self.line("No notes.");
        }
        for n in notes {
            let tags = if n.tags.is_empty() {
                String::new()
            } else {
                format!("  #{}", n.tags.join(" #"))
            };
            self.line(&format!(
                "{}  {}  {}{}  ({})",
                short(&n.id),
                date(&n.updated_at),
                n.title,
                tags,
                n.author_name
            ))?;
        }
        Ok(())
    }

    pub fn note(&mut self, n: &NoteView) -> Result<()> {
        if self.json {
            return self.json(n);
        }
        self.line(&format!("# {}", n.title))?;
        self.line(&format!(
            "id {} · {} · by {} · updated {}",
            n.id, n.scope, n.author_name, n.updated_at
        ))?;
        if !n.tags.is_empty() {
            self.line(&format!("tags: #{}", n.tags.join(" #")))?;
        }
        if !n.skills.is_empty() {
            self.line(&format!("skills: {}", n.skills.join(", ")))?;
        }
        self.line("")?;
        self.line(&n.body)?;
        if !n.backlinks.is_empty() {
            self.line("")?;
            self.line("Linked from:")?;
            for b in &n.backlinks {
                self.line(&format!("  {}  {}", short(&b.id), b.title))?;
            }
        }
        Ok(())
    }

    pub fn communities(&mut self, list: &[CommunityView]) -> Result<()> {
        if self.json {
            return self.json(list);
        }
        if list.is_empty() {
            return self
                .line("No communities yet: create one with `entrepairs community create NAME`.");
        }
        for c in list {
            self.line(&format!(
                "{}  {}  ({} members, {} threads){}",
                short(&c.id),
                c.name,
                c.members.len(),
                c.threads,
                if c.joined { "  · joined" } else { "" }
            ))?;
        }
        Ok(())
    }

    pub fn threads(&mut self, list: &[ThreadSummary]) -> Result<()> {
        if self.json {
            return self.json(list);
        }
        if list.is_empty() {
            return self.line("No threads in this community.");
        }
        for t in list {
            let answered = if t.accepted.is_some() {
                " ✓ answered"
            } else {
                ""
            };
            self.line(&format!(
                "{}  {}  {}  ({} replies{answered}, by {})",
                short(&t.id),
                date(&t.updated_at),
                t.title,
                t.replies,
                t.author_name
            ))?;
        }
        Ok(())
    }

    pub fn thread(&mut self, t: &ThreadView) -> Result<()> {
        if self.json {
            return self.json(t);
        }
        self.line(&format!("# {}", t.title))?;
        self.line(&format!(
            "id {} · in {} · by {} · {}",
            t.id, t.community_name, t.author_name, t.created_at
        ))?;
        self.line("")?;
        self.line(&t.body)?;
        for p in &t.posts {
            self.line("")?;
            let mark = if p.accepted {
                "  ✓ accepted answer"
            } else {
                ""
            };
            self.line(&format!(
                "— {} ({}, {}){mark}",
                p.author_name, p.id, p.created_at
            ))?;
            self.line(&p.body)?;
        }
        Ok(())
    }

    pub fn search(&mut self, hits: &[SearchHitView]) -> Result<()> {
        if self.json {
            return self.json(hits);
        }
        if hits.is_empty() {
            return self.line("Nothing found.");
        }
        for h in hits {
            self.line(&format!("{:<7} {}  {}", h.kind, short(&h.id), h.title))?;
            self.line(&format!("        {}", h.snippet.replace('\n', " ")))?;
        }
        Ok(())
    }

    pub fn helpers(&mut self, helpers: &[HelperView]) -> Result<()> {
        if self.json {
            return self.json(helpers);
        }
        if helpers.is_empty() {
            return self.line(
                "Nobody has claimed this skill at practitioner level or offered to teach it yet.",
            );
        }
        for (rank, h) in helpers.iter().enumerate() {
            self.line(&format!("{}. {} — {}", rank + 1, h.name, h.why))?;
        }
        Ok(())
    }

    pub fn export(&mut self, s: &ExportSummary) -> Result<()> {
        if self.json {
            return self.json(s);
        }
        let c = &s.exported;
        self.line(&format!(
            "Exported {} notes, {} threads, {} profiles, {} skills to {}",
            c.notes, c.threads, c.members, c.skills, s.dir
        ))
    }

    pub fn bundle_saved(&mut self, s: &BundleSaved) -> Result<()> {
        if self.json {
            return self.json(s);
        }
        self.line(&format!(
            "Saved {} documents for {} ({} KiB) in {}",
            s.documents,
            s.name,
            s.bytes.div_ceil(1024),
            s.file
        ))
    }

    pub fn bundle_applied(&mut self, s: &BundleApplied) -> Result<()> {
        if self.json {
            return self.json(s);
        }
        self.line(&format!(
            "Applied changes from {}: {} documents, {} membership entries",
            s.name, s.documents, s.entries
        ))?;
        if let Some(why) = &s.refused {
            self.line(&format!(
                "Some changes were refused ({why}); the rest was left out, as a sync would."
            ))?;
        }
        Ok(())
    }

    pub fn import(&mut self, s: &ImportSummary) -> Result<()> {
        if self.json {
            return self.json(s);
        }
        let (a, k, n) = (&s.added, &s.skipped, &s.not_theirs);
        let others = n.members + n.claims + n.endorsements;
        if others > 0 {
            self.line(&format!(
                "{others} profiles, claims and endorsements by other members were not imported: nobody writes in another member's name."
            ))?;
        }
        if n.notes + n.threads > 0 {
            self.line(&format!(
                "{} notes and threads by other members were imported as yours, their author named at the top.",
                n.notes + n.threads
            ))?;
        }
        if s.not_imported > 0 {
            self.line(&format!(
                "{} mentoring relationships, reviews and sessions were not imported: they stay readable in the export file.",
                s.not_imported
            ))?;
        }
        self.line(&format!(
            "Imported {} notes, {} threads, {} profiles, {} skills, {} claims, {} endorsements, {} communities.",
            a.notes, a.threads, a.members, a.skills, a.claims, a.endorsements, a.communities
        ))?;
        let skipped =
            k.notes + k.threads + k.members + k.skills + k.claims + k.endorsements + k.communities;
        if skipped > 0 {
            self.line(&format!(
                "{skipped} records were already here and were left as they are."
            ))?;
        }
        Ok(())
    }

    pub fn doctor(&mut self, r: &DoctorReport) -> Result<()> {
        if self.json {
            return self.json(r);
        }
        if r.integrity.is_empty() {
            self.line("database integrity: ok")?;
        } else {
            for p in &r.integrity {
                self.line(&format!("database integrity: {p}"))?;
            }
        }
        self.line(&format!(
            "documents checked: {}, unreadable: {}",
            r.documents,
            r.bad_documents.len()
        ))?;
        for b in &r.bad_documents {
            self.line(&format!("  {}: {}", b.id, b.error))?;
        }
        if !r.stale_index.is_empty() {
            self.line(&format!("stale index entries: {}", r.stale_index.len()))?;
        }
        if let Some(n) = r.rebuilt {
            self.line(&format!("index rebuilt from {n} documents"))?;
        } else if !r.stale_index.is_empty() {
            self.line("run `entrepairs doctor --rebuild-index` to rebuild it")?;
        }
        Ok(())
    }

    pub fn mentorings(&mut self, list: &[MentoringView]) -> Result<()> {
        if self.json {
            return self.json(list);
        }
        if list.is_empty() {
            return self.line("No mentoring relationships: start one with `entrepairs mentoring start --with MEMBER --as mentor`.");
        }
        for m in list {
            let due = if m.due { "  ⚑ session due" } else { "" };
            self.line(&format!(
                "{}  {} → {} ({}, every {} days, {} sessions){due}",
                short(&m.id),
                m.mentor.name,
                m.mentee.name,
                m.kind,
                m.cadence_days,
                m.sessions.len()
            ))?;
        }
        Ok(())
    }

    pub fn mentoring(&mut self, m: &MentoringView) -> Result<()> {
        if self.json {
            return self.json(m);
        }
        self.line(&format!(
            "{} mentors {} ({}) · id {}",
            m.mentor.name, m.mentee.name, m.kind, m.id
        ))?;
        self.line(&format!(
            "every {} days · last session: {}{}",
            m.cadence_days,
            m.last_session.as_deref().unwrap_or("none"),
            if m.due { " · a session is due" } else { "" }
        ))?;
        self.line(&format!("confidentiality: {}", m.confidentiality))?;
        for g in &m.goals {
            self.line(&format!(
                "goal {}: {} — {}%{}",
                g.number,
                g.text,
                g.progress,
                if g.done { " ✓" } else { "" }
            ))?;
        }
        for s in &m.sessions {
            self.line(&format!(
                "{} · {} min · {}: {}",
                s.date,
                s.minutes,
                s.logged_by.name,
                s.notes.replace('\n', " ")
            ))?;
        }
        self.action_lines(&m.actions)
    }

    fn action_lines(&mut self, actions: &[ActionView]) -> Result<()> {
        for a in actions {
            let state = if a.done {
                "done"
            } else if a.overdue {
                "OVERDUE"
            } else {
                "open"
            };
            let due = a
                .due
                .as_deref()
                .map(|d| format!(", due {d}"))
                .unwrap_or_default();
            self.line(&format!(
                "action {} [{state}] {} — {}{due}",
                a.id, a.text, a.owner.name
            ))?;
        }
        Ok(())
    }

    pub fn actions(&mut self, list: &[ActionView]) -> Result<()> {
        if self.json {
            return self.json(list);
        }
        if list.is_empty() {
            return self.line("No actions.");
        }
        self.action_lines(list)
    }

    pub fn review(&mut self, r: &ReviewView) -> Result<()> {
        if self.json {
            return self.json(r);
        }
        self.line(&format!("Review {} · {} · {}", r.id, r.template, r.status))?;
        self.line(&format!(
            "{} asked {} about: {}",
            r.requester.name, r.reviewer.name, r.about
        ))?;
        for a in &r.answers {
            let rating = a.rating.map(|n| format!(" [{n}/5]")).unwrap_or_default();
            self.line(&format!(
                "  {}{rating}: {}",
                a.key,
                a.text.replace('\n', " ")
            ))?;
        }
        if !r.reply.is_empty() {
            self.line(&format!("reply: {}", r.reply))?;
        }
        Ok(())
    }

    pub fn reviews(&mut self, list: &[ReviewView]) -> Result<()> {
        if self.json {
            return self.json(list);
        }
        if list.is_empty() {
            return self.line("No reviews.");
        }
        for r in list {
            self.line(&format!(
                "{}  {:<12} {} → {}: {}",
                short(&r.id),
                r.status,
                r.requester.name,
                r.reviewer.name,
                r.about
            ))?;
        }
        Ok(())
    }

    fn step_line(&mut self, s: &StepView) -> Result<()> {
        self.line(&format!(
            "step {} — {} ({}, {}): {}",
            s.number, s.name, s.speaker, s.time_box, s.prompt
        ))
    }

    pub fn step(&mut self, p: &StepProgress) -> Result<()> {
        if self.json {
            return self.json(p);
        }
        if let Some(r) = &p.recorded {
            self.line(&format!("recorded: {r}"))?;
        }
        match &p.next {
            Some(s) => self.step_line(s),
            None => self
                .line("every step is done: close the session with `entrepairs session close ID`"),
        }
    }

    pub fn session(&mut self, s: &SessionView) -> Result<()> {
        if self.json {
            return self.json(s);
        }
        self.line(&format!(
            "{} — {} · {} · {}",
            s.format_name, s.title, s.at, s.status
        ))?;
        self.line(&format!(
            "id {} · {} min · hosts: {}",
            s.id,
            s.minutes,
            s.hosts
                .iter()
                .map(|h| h.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))?;
        for p in &s.participants {
            self.line(&format!("  {} ({})", p.name, p.role))?;
        }
        for step in &s.steps {
            self.step_line(step)?;
            if !step.notes.is_empty() {
                self.line(&format!("    notes: {}", step.notes.replace('\n', " ")))?;
            }
        }
        for t in &s.takeaways {
            self.line(&format!("takeaway: {t}"))?;
        }
        if let Some(r) = s.rating {
            self.line(&format!("rating: {r}/5"))?;
        }
        self.action_lines(&s.actions)
    }

    pub fn sessions(&mut self, list: &[SessionView]) -> Result<()> {
        if self.json {
            return self.json(list);
        }
        if list.is_empty() {
            return self.line("No sessions.");
        }
        for s in list {
            self.line(&format!(
                "{}  {}  {:<8} {} ({})",
                short(&s.id),
                &s.at[..16],
                s.status,
                s.title,
                s.format_name
            ))?;
        }
        Ok(())
    }

    pub fn kudos(&mut self, list: &[KudosView]) -> Result<()> {
        if self.json {
            return self.json(list);
        }
        if list.is_empty() {
            return self.line("No kudos yet.");
        }
        for k in list {
            self.line(&format!(
                "{}  {} → {}: {}",
                date(&k.created_at),
                k.from.name,
                k.to.name,
                k.message
            ))?;
        }
        Ok(())
    }

    pub fn credits(&mut self, list: &[CreditView]) -> Result<()> {
        if self.json {
            return self.json(list);
        }
        if list.is_empty() {
            return self.line("No contributions.");
        }
        for c in list {
            let to: Vec<&str> = c.receivers.iter().map(|r| r.name.as_str()).collect();
            let state = if c.confirmed {
                "confirmed"
            } else {
                "to confirm"
            };
            self.line(&format!(
                "{}  {} min  {} → {} ({}, {state})",
                c.id,
                c.minutes,
                c.giver.name,
                to.join(", "),
                c.kind
            ))?;
        }
        Ok(())
    }

    pub fn balance(&mut self, b: &BalanceView) -> Result<()> {
        if self.json {
            return self.json(b);
        }
        self.line(&format!(
            "{}: gave {} min, received {} min (confirmed); {} min awaiting confirmation",
            b.member.name, b.given_minutes, b.received_minutes, b.pending_minutes
        ))
    }

    pub fn suggestions(&mut self, list: &[SuggestionView]) -> Result<()> {
        if self.json {
            return self.json(list);
        }
        if list.is_empty() {
            return self
                .line("No suggestion: nobody wants to learn a skill that a colleague can teach.");
        }
        for s in list {
            let mark = if s.reciprocal.is_some() { "⇄" } else { "→" };
            self.line(&format!(
                "{} {mark} {} on {}: {}",
                s.mentor.name, s.mentee.name, s.skill, s.why
            ))?;
        }
        Ok(())
    }

    pub fn at_risk(&mut self, list: &[SkillAtRiskView]) -> Result<()> {
        if self.json {
            return self.json(list);
        }
        if list.is_empty() {
            return self.line("No skill at risk: every claimed skill has at least two experts.");
        }
        for r in list {
            let holders = if r.holders.is_empty() {
                "no expert".to_owned()
            } else {
                format!("only {}", r.holders[0].name)
            };
            let learners: Vec<&str> = r.learners.iter().map(|p| p.name.as_str()).collect();
            let learners = if learners.is_empty() {
                String::new()
            } else {
                format!("; wants to learn: {}", learners.join(", "))
            };
            self.line(&format!("{} — {holders}{learners}", r.label_en))?;
        }
        Ok(())
    }

    /// A calendar file: its text, or where it was written.
    pub fn calendar(&mut self, ics: &IcsFile, file: Option<&std::path::Path>) -> Result<()> {
        if self.json {
            return self.json(ics);
        }
        match file {
            Some(file) => self.line(&format!("wrote {}", file.display())),
            None => self.line(ics.text.trim_end()),
        }
    }

    pub fn is_json(&self) -> bool {
        self.json
    }

    pub fn programme(&mut self, p: &ProgrammeView) -> Result<()> {
        self.json(p)
    }

    /// A text file's content as it is (CSV, Markdown).
    pub fn text(&mut self, file: &TextFile) -> Result<()> {
        if self.json {
            return self.json(file);
        }
        self.line(file.text.trim_end())
    }

    pub fn sharing(&mut self, r: &SharingRecord) -> Result<()> {
        if self.json {
            return self.json(r);
        }
        self.line(&format!(
            "{}: {} notes, {} accepted answers, {} sessions given, {} min given (confirmed), {} endorsements",
            r.who.name, r.notes, r.answers, r.sessions, r.minutes_given, r.endorsements
        ))
    }

    pub fn reminders(&mut self, list: &[ReminderView]) -> Result<()> {
        if self.json {
            return self.json(list);
        }
        if list.is_empty() {
            return self.line("Nothing to do today.");
        }
        for r in list {
            self.line(&format!("• {}", r.text))?;
        }
        Ok(())
    }

    pub fn report(&mut self, r: &ReportView, file: &std::path::Path) -> Result<()> {
        if self.json {
            return self.json(
                &serde_json::json!({ "file": file.display().to_string(), "report": r.report }),
            );
        }
        self.line(&format!(
            "wrote {} ({} credited minutes)",
            file.display(),
            r.report.credited_minutes
        ))
    }

    /// `serve`: one line per bound address, flushed at once (scripts wait for it).
    pub fn listening(&mut self, addr: &str) {
        let line = if self.json {
            serde_json::json!({ "listening": addr }).to_string()
        } else {
            format!("listening {addr}")
        };
        let mut lock = self.stdout.lock();
        let _ = writeln!(lock, "{line}");
        let _ = lock.flush();
    }

    pub fn sync_report(&mut self, r: &node::serve::SyncReport) -> Result<()> {
        if self.json {
            return self.json(r);
        }
        if r.peers.is_empty() {
            return self.line("No peer exchanged anything.");
        }
        for (peer, s) in &r.peers {
            self.line(&format!(
                "{peer}: sent {} documents ({} bytes), received {} documents ({} bytes)",
                s.docs_sent.len(),
                s.bytes_sent,
                s.docs_received.len(),
                s.bytes_received
            ))?;
        }
        Ok(())
    }

    pub fn ticket(&mut self, invite: &ipc::Invite) -> Result<()> {
        if self.json {
            return self.json(invite);
        }
        self.line(&invite.ticket)
    }

    pub fn joined(&mut self, me: &WhoAmI, notes: usize, r: &node::serve::SyncReport) -> Result<()> {
        if self.json {
            return self.json(&serde_json::json!({ "member_id": me.member_id, "workspace_id": me.workspace_id, "workspace_name": me.workspace_name, "notes": notes, "sync": r }));
        }
        self.line(&format!(
            "Joined \"{}\" as {} ({notes} notes received).",
            me.workspace_name, me.name
        ))
    }

    pub fn members(&mut self, list: &[node::members::MemberView]) -> Result<()> {
        if self.json {
            return self.json(list);
        }
        for m in list {
            self.line(&format!(
                "{}  {} ({}){}",
                m.member_id,
                m.name,
                m.role,
                if m.me { " — you" } else { "" }
            ))?;
        }
        Ok(())
    }

    pub fn invites(&mut self, list: &[node::members::InviteView]) -> Result<()> {
        if self.json {
            return self.json(list);
        }
        if list.is_empty() {
            return self.line("No invites yet.");
        }
        for i in list {
            self.line(&format!(
                "{}  {} · {} · expires {}{}",
                i.id,
                i.status,
                i.role,
                i.expires_at,
                i.redeemed_by
                    .as_deref()
                    .map(|m| format!(" · admitted {m}"))
                    .unwrap_or_default()
            ))?;
        }
        Ok(())
    }

    pub fn peers(&mut self, list: &[PeerView]) -> Result<()> {
        if self.json {
            return self.json(list);
        }
        if list.is_empty() {
            return self.line("No known peers yet.");
        }
        for p in list {
            self.line(&format!(
                "{} {} — {} · last connected {}{} · last synced {}",
                p.peer,
                p.name.as_deref().unwrap_or("?"),
                p.addrs.join(", "),
                p.last_connected.as_deref().unwrap_or("never"),
                p.path.as_deref().map(reached).unwrap_or_default(),
                p.last_synced.as_deref().unwrap_or("never")
            ))?;
            if p.refused_changes > 0 {
                self.line(&format!(
                    "  ! sent {} refused change(s), the last one because {}",
                    p.refused_changes,
                    p.last_refusal.as_deref().unwrap_or("it broke the rules")
                ))?;
            }
        }
        Ok(())
    }

    pub fn status(&mut self, list: &[DocStatus]) -> Result<()> {
        if self.json {
            return self.json(list);
        }
        if list.is_empty() {
            return self.line("Nothing to compare yet: no peer has announced its documents.");
        }
        for s in list {
            self.line(&format!(
                "{}{}  {}  {}{}",
                short(&s.peer[s.peer.len().saturating_sub(8)..]),
                s.path.as_deref().map(reached).unwrap_or_default(),
                short(&s.doc),
                s.state,
                if s.refused > 0 {
                    format!("  ({} refused change(s) from this peer)", s.refused)
                } else {
                    String::new()
                }
            ))?;
        }
        Ok(())
    }
}

/// How a peer was reached, for a line of `peers` or `status`.
fn reached(path: &str) -> String {
    match path {
        "direct" => " (direct)".into(),
        "hole-punched" => " (direct across NAT, hole punched)".into(),
        "relayed" => " (through a relay)".into(),
        other => format!(" ({other})"),
    }
}
