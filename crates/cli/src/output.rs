//! Printing: the text a person reads, or with `--json` the stable JSON a script reads.

use std::io::Write;

use anyhow::Result;
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
                "{}  {}  ({} members, {} threads)",
                short(&c.id),
                c.name,
                c.members.len(),
                c.threads
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

    pub fn helpers(&mut self, helpers: &[node::Helper]) -> Result<()> {
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

    pub fn import(&mut self, s: &ImportSummary) -> Result<()> {
        if self.json {
            return self.json(s);
        }
        let (a, k) = (&s.added, &s.skipped);
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
}
