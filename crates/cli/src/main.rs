//! `entrepairs`: the headless Entrepairs peer. Every subcommand is a few lines over
//! [`node::Node`]; this binary only parses arguments, prints results (text or `--json`) and
//! turns errors into one line on stderr with a non-zero exit code.

mod cli;
mod output;

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Parser;
use ipc::forms::{
    GoalChange, LogDraft, MentoringDraft, MentoringRole, NoteDraft, ProfilePatch, ReviewDraft,
    SessionDraft,
};
use ipc::ops;
use node::Node;

use crate::cli::{
    ActionCmd, BundleCmd, Cli, Command, CommunityCmd, CreditCmd, InviteCmd, KudosCmd, MatchCmd,
    MemberCmd, MentoringCmd, NoteCmd, ProfileCmd, RelayCmd, ReportCmd, ReviewCmd, SessionCmd,
    SkillCmd, SkillsCmd, ThreadCmd,
};
use crate::output::Out;

fn main() -> ExitCode {
    // Automerge logs the errors it returns; they reach the user once, as our error line.
    // A panic is a bug; still, the user gets one line, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let mut stderr = std::io::stderr();
        let _ = std::io::Write::write_all(
            &mut stderr,
            format!("error: internal error: {info}\n")
                .replace('\n', " ")
                .trim_end()
                .as_bytes(),
        );
        let _ = std::io::Write::write_all(&mut stderr, b"\n");
    }));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            // clap's first line says what is wrong; the rest is usage we leave to --help.
            let text = e.render().to_string();
            let first = text.lines().next().unwrap_or("error: invalid arguments");
            output::error_line(&format!("{} (see --help)", first.trim_end()));
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ENTREPAIRS_LOG")
                .unwrap_or_else(|_| "warn,automerge=off".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            output::error_line(&format!("error: cannot start the runtime: {e}"));
            return ExitCode::FAILURE;
        }
    };
    let mut out = Out::new(cli.json);
    match runtime.block_on(run(cli, &mut out)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if output::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let message = format!("{e:#}");
            output::error_line(&format!("error: {}", message.replace('\n', " ")));
            ExitCode::FAILURE
        }
    }
}

fn data_dir(cli: &Cli) -> Result<PathBuf> {
    match &cli.data_dir {
        Some(dir) => Ok(dir.clone()),
        None => dirs::data_dir()
            .map(|d| d.join("entrepairs"))
            .context("no default data directory on this system; pass --data-dir DIR"),
    }
}

fn read_body(body: Option<String>, file: Option<PathBuf>) -> Result<Option<String>> {
    match (body, file) {
        (Some(b), None) => Ok(Some(b)),
        (None, Some(path)) if path.as_os_str() == "-" => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("cannot read the body from standard input (is it UTF-8 text?)")?;
            Ok(Some(text))
        }
        (None, Some(path)) => {
            let bytes =
                std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
            String::from_utf8(bytes)
                .map(Some)
                .map_err(|_| anyhow::anyhow!("{} is not UTF-8 text", path.display()))
        }
        (None, None) => Ok(None),
        (Some(_), Some(_)) => bail!("give either --body or --body-file, not both"),
    }
}

async fn run(cli: Cli, out: &mut Out) -> Result<()> {
    let dir = data_dir(&cli)?;
    if let Command::Init { name, workspace } = &cli.command {
        let workspace = workspace
            .clone()
            .unwrap_or_else(|| format!("{name}'s workspace"));
        let node = Node::init(&dir, name, &workspace).await?;
        let me = node.run(ops::Whoami {}).await;
        node.shutdown().await?;
        return out.whoami(&me?);
    }
    if let Command::Join {
        ticket,
        code,
        name,
        timeout,
    } = &cli.command
    {
        let timeout = parse_duration(timeout)?;
        let (node, report) = match (ticket, code) {
            (_, Some(code)) => Node::join_with_code(&dir, code, name, timeout).await?,
            (Some(ticket), None) => Node::join_with_ticket(&dir, ticket, name, timeout).await?,
            (None, None) => bail!("give the ticket, or --code CODE"),
        };
        let me = node.run(ops::Whoami {}).await;
        let notes = node
            .run(ops::Notes {
                tag: None,
                skill: None,
            })
            .await
            .map(|n| n.len())
            .unwrap_or(0);
        node.shutdown().await?;
        return out.joined(&me?, notes, &report);
    }
    let node = Node::open(&dir).await?;
    let result = command(cli.command, &node, out).await;
    node.shutdown().await?;
    result
}

async fn command(command: Command, node: &Node, out: &mut Out) -> Result<()> {
    match command {
        Command::Init { .. } => unreachable!("handled above"),
        Command::Whoami => out.whoami(&node.run(ops::Whoami {}).await?),
        Command::Profile(ProfileCmd::Set(args)) => {
            let profile = ProfilePatch {
                name: args.name,
                title: args.title,
                team: args.team,
                location: args.location,
                languages: args.languages.map(|l| {
                    l.split(',')
                        .map(str::to_owned)
                        .filter(|s| !s.trim().is_empty())
                        .collect()
                }),
                hours_per_month: args.hours_per_month,
                open_to_mentoring: args.open_to_mentoring,
            };
            node.run(ops::SetProfile { profile }).await?;
            out.profile(&node.run(ops::Profile { member: None }).await?)
        }
        Command::Profile(ProfileCmd::Show { member }) => {
            out.profile(&node.run(ops::Profile { member }).await?)
        }
        Command::Skill(SkillCmd::Claim {
            name,
            level,
            wants_to_learn,
            can_teach,
        }) => {
            let level: node::Level = level.parse()?;
            out.id(&node
                .run(ops::ClaimSkill {
                    name,
                    level: level as u8,
                    wants: wants_to_learn,
                    teach: can_teach,
                })
                .await?)
        }
        Command::Skill(SkillCmd::List) => out.skills(&node.run(ops::Skills {}).await?),
        Command::Skill(SkillCmd::Endorse {
            member,
            skill,
            comment,
        }) => out.id(&node
            .run(ops::Endorse {
                member,
                skill,
                comment: comment.unwrap_or_default(),
            })
            .await?),
        Command::Skill(SkillCmd::Label { skill, en, fr }) => {
            out.id(&node.run(ops::LabelSkill { skill, en, fr }).await?)
        }
        Command::Skill(SkillCmd::Alias { skill, alias }) => {
            out.id(&node.run(ops::AliasSkill { skill, alias }).await?)
        }
        Command::Skill(SkillCmd::Merge { from, into }) => {
            out.id(&node.run(ops::MergeSkill { from, into }).await?)
        }
        Command::Note(NoteCmd::Add {
            title,
            body,
            body_file,
            tag,
            skill,
            scope,
        }) => {
            let body = read_body(body, body_file)?
                .context("give the note's body with --body or --body-file")?;
            let draft = NoteDraft {
                title,
                body,
                tags: tag,
                skills: skill,
                scope: Some(scope),
            };
            out.id(&node.run(ops::AddNote { draft }).await?)
        }
        Command::Note(NoteCmd::List { tag, skill }) => {
            out.notes(&node.run(ops::Notes { tag, skill }).await?)
        }
        Command::Note(NoteCmd::Show { id }) => out.note(&node.run(ops::Note { id }).await?),
        Command::Note(NoteCmd::Edit {
            id,
            title,
            body,
            body_file,
            add_tag,
            remove_tag,
            add_skill,
            remove_skill,
        }) => {
            let body = read_body(body, body_file)?;
            node.run(ops::EditNote {
                id: id.clone(),
                title,
                body,
                add_tags: add_tag,
                remove_tags: remove_tag,
                add_skills: add_skill,
                remove_skills: remove_skill,
            })
            .await?;
            out.note(&node.run(ops::Note { id }).await?)
        }
        Command::Note(NoteCmd::Delete { id }) => {
            node.run(ops::DeleteNote { id: id.clone() }).await?;
            out.done(&format!("deleted note {id}"))
        }
        Command::Community(CommunityCmd::Create { name }) => {
            out.id(&node.run(ops::CreateCommunity { name }).await?)
        }
        Command::Community(CommunityCmd::List) => {
            out.communities(&node.run(ops::Communities {}).await?)
        }
        Command::Community(CommunityCmd::Join { community }) => {
            let id = node.run(ops::JoinCommunity { community }).await?;
            out.done(&format!("joined community {id}"))
        }
        Command::Community(CommunityCmd::Leave { community, member }) => {
            let id = node.run(ops::LeaveCommunity { community, member }).await?;
            out.done(&format!("left community {id}"))
        }
        Command::Thread(ThreadCmd::Post {
            community,
            title,
            body,
        }) => out.id(&node
            .run(ops::PostThread {
                community,
                title,
                body,
            })
            .await?),
        Command::Thread(ThreadCmd::Reply { thread, body }) => {
            out.id(&node.run(ops::Reply { thread, body }).await?)
        }
        Command::Thread(ThreadCmd::Accept { thread, post }) => {
            node.run(ops::Accept {
                thread: thread.clone(),
                post,
            })
            .await?;
            out.thread(&node.run(ops::Thread { id: thread }).await?)
        }
        Command::Thread(ThreadCmd::List { community }) => {
            out.threads(&node.run(ops::Threads { community }).await?)
        }
        Command::Thread(ThreadCmd::Show { thread }) => {
            out.thread(&node.run(ops::Thread { id: thread }).await?)
        }
        Command::Search { query } => out.search(
            &node
                .run(ops::Search {
                    query: query.join(" "),
                })
                .await?,
        ),
        Command::WhoCanHelp { skill } => out.helpers(
            &node
                .run(ops::WhoCanHelp {
                    skill: skill.join(" "),
                })
                .await?,
        ),
        Command::Mentoring(cmd) => mentoring(cmd, node, out).await,
        Command::Action(ActionCmd::List { mine, overdue }) => {
            out.actions(&node.run(ops::Actions { mine, overdue }).await?)
        }
        Command::Action(ActionCmd::Done { id }) => {
            node.run(ops::ActionDone { id: id.clone() }).await?;
            out.done(&format!("action {id} done"))
        }
        Command::Review(cmd) => review(cmd, node, out).await,
        Command::Session(cmd) => session(cmd, node, out).await,
        Command::Kudos(KudosCmd::Give {
            member,
            message,
            skill,
        }) => out.id(&node
            .run(ops::GiveKudos {
                member,
                message,
                skill,
            })
            .await?),
        Command::Kudos(KudosCmd::List) => out.kudos(&node.run(ops::Kudos {}).await?),
        Command::Credit(CreditCmd::List { member }) => {
            out.credits(&node.run(ops::Credits { member }).await?)
        }
        Command::Credit(CreditCmd::Confirm { id }) => {
            node.run(ops::ConfirmCredit { id: id.clone() }).await?;
            out.done(&format!("contribution {id} confirmed"))
        }
        Command::Balance { member } => out.balance(&node.run(ops::Balance { member }).await?),
        Command::Match(MatchCmd::Suggest { for_member }) => {
            out.suggestions(&node.run(ops::Suggestions { member: for_member }).await?)
        }
        Command::Skills(SkillsCmd::AtRisk) => out.at_risk(&node.run(ops::SkillsAtRisk {}).await?),
        Command::Remind => out.reminders(&node.run(ops::Reminders {}).await?),
        Command::Programme { since, csv } => {
            if out.is_json() {
                out.programme(&node.run(ops::Programme { since }).await?)
            } else {
                let format = if csv {
                    ipc::sets::FileFormat::Csv
                } else {
                    ipc::sets::FileFormat::Markdown
                };
                out.text(&node.run(ops::ProgrammeFile { since, format }).await?)
            }
        }
        Command::Sharing { member, since } => {
            out.sharing(&node.run(ops::Sharing { member, since }).await?)
        }
        Command::Report(ReportCmd::Contributions {
            member,
            since,
            lang,
            out: file,
        }) => {
            let report = node
                .run(ops::Report {
                    member,
                    since,
                    language: Some(lang),
                })
                .await?;
            write_file(&file, &report.markdown)?;
            out.report(&report, &file)
        }
        Command::Serve {
            listen,
            no_mdns,
            relay,
        } => {
            let options = node::serve::ServeOptions {
                listen: listen_on(
                    &listen,
                    &["/ip4/0.0.0.0/tcp/0", "/ip4/0.0.0.0/udp/0/quic-v1"],
                )?,
                mdns: !no_mdns,
                dial: Vec::new(),
                stop_when_idle: None,
                timeout: None,
                relay_server: relay,
            };
            let report = node
                .serve(options, |addr| out.listening(&addr), shutdown_signal())
                .await?;
            out.sync_report(&report)
        }
        Command::Sync { peer, timeout } => {
            let options = node::serve::ServeOptions {
                listen: Vec::new(),
                mdns: false,
                dial: vec![parse_addr(&peer)?],
                stop_when_idle: Some(std::time::Duration::from_millis(1500)),
                timeout: Some(parse_duration(&timeout)?),
                relay_server: false,
            };
            let report = node.serve(options, |_| {}, shutdown_signal()).await?;
            if report.peers.is_empty() {
                bail!(
                    "no exchange with {peer}: it is unreachable or does not recognise this device as a member"
                );
            }
            out.sync_report(&report)
        }
        Command::Invite(InviteCmd::Create {
            expires,
            role,
            addr,
        }) => {
            let admin = match role.as_str() {
                "member" => false,
                "admin" => true,
                other => bail!("invalid role '{other}': expected member or admin"),
            };
            let seconds = Some(parse_duration(&expires)?.as_secs());
            out.ticket(
                &node
                    .run(ops::CreateInvite {
                        admin,
                        seconds,
                        addrs: addr,
                    })
                    .await?,
            )
        }
        Command::Invite(InviteCmd::Code { listen }) => {
            let options = node::serve::ServeOptions {
                listen: listen_on(&listen, &["/ip4/0.0.0.0/tcp/0"])?,
                mdns: true,
                dial: Vec::new(),
                stop_when_idle: None,
                timeout: None,
                relay_server: false,
            };
            invite_code(node, out, options).await
        }
        Command::Invite(InviteCmd::List) => out.invites(&node.run(ops::Invites {}).await?),
        Command::Invite(InviteCmd::Revoke { id }) => {
            node.run(ops::RevokeInvite { id: id.clone() }).await?;
            out.done(&format!(
                "invite {id} is revoked: it can no longer admit anyone"
            ))
        }
        Command::Member(MemberCmd::List) => out.members(&node.run(ops::Members {}).await?),
        Command::Member(MemberCmd::Remove { member }) => {
            let id = node.run(ops::RemoveMember { member }).await?;
            out.done(&format!(
                "removed {id}: nothing new will reach them; what they already hold stays theirs"
            ))
        }
        Command::Member(MemberCmd::Promote { member }) => {
            let id = node.run(ops::PromoteMember { member }).await?;
            out.done(&format!("{id} is now an admin"))
        }
        Command::Member(MemberCmd::Demote { member }) => {
            let id = node.run(ops::DemoteMember { member }).await?;
            out.done(&format!(
                "{id} is no longer an admin; the invites they issued can no longer admit anyone"
            ))
        }
        Command::Peers => out.peers(&node.run(ops::Peers {}).await?),
        Command::Status => out.status(&node.run(ops::Status {}).await?),
        Command::Join { .. } => unreachable!("handled before opening"),
        Command::Export { out: dir } => out.export(
            &node
                .run(ops::ExportWorkspace {
                    dir: dir.display().to_string(),
                })
                .await?,
        ),
        Command::Relay(RelayCmd::List) => out.lines(&node.run(ops::Relays {}).await?),
        Command::Relay(RelayCmd::Add { addr }) => {
            node.run(ops::AddRelay { addr: addr.clone() }).await?;
            out.done(&format!(
                "Relay added: every member keeps a reservation on {addr}"
            ))
        }
        Command::Relay(RelayCmd::Remove { addr }) => {
            node.run(ops::RemoveRelay { addr: addr.clone() }).await?;
            out.done(&format!("Relay removed: {addr}"))
        }
        Command::Bundle(BundleCmd::Create { member, out: file }) => out.bundle_saved(
            &node
                .run(ops::CreateBundle {
                    member,
                    dir: file.display().to_string(),
                })
                .await?,
        ),
        Command::Bundle(BundleCmd::Apply { file }) => out.bundle_applied(
            &node
                .run(ops::ApplyBundle {
                    file: file.display().to_string(),
                })
                .await?,
        ),
        Command::Import { from } => out.import(
            &node
                .run(ops::ImportWorkspace {
                    dir: from.display().to_string(),
                })
                .await?,
        ),
        Command::Doctor { rebuild_index } => {
            let report = node.run(ops::Doctor { rebuild_index }).await?;
            out.doctor(&report)?;
            if report.ok {
                Ok(())
            } else {
                bail!("doctor found problems (see above)")
            }
        }
    }
}

/// A calendar file: written to `file` if given, else printed.
fn calendar(ics: &ipc::views::IcsFile, file: Option<PathBuf>, out: &mut Out) -> Result<()> {
    if let Some(file) = &file {
        write_file(file, &ics.text)?;
    }
    out.calendar(ics, file.as_deref())
}

/// Writes `text` to `path` through `PATH.partial` and a rename, so a crash never leaves half a
/// file where a previous one was.
fn write_file(path: &std::path::Path, text: &str) -> Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".partial");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}

fn key_value(pair: &str, what: &str) -> Result<(String, String)> {
    match pair.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), v.to_owned())),
        _ => bail!("invalid {what} '{pair}': expected KEY=VALUE"),
    }
}

async fn mentoring(cmd: MentoringCmd, node: &Node, out: &mut Out) -> Result<()> {
    match cmd {
        MentoringCmd::Start {
            with,
            role,
            reverse,
            goal,
            cadence_days,
        } => {
            let role: MentoringRole = role
                .parse()
                .map_err(|e: String| anyhow::anyhow!("invalid --as: {e}"))?;
            let draft = MentoringDraft {
                with,
                role,
                reverse,
                goals: goal,
                cadence_days,
            };
            out.id(&node.run(ops::MentoringStart { draft }).await?)
        }
        MentoringCmd::List => out.mentorings(&node.run(ops::Mentorings {}).await?),
        MentoringCmd::Show { id } => out.mentoring(&node.run(ops::Mentoring { id }).await?),
        MentoringCmd::Ics { id, out: file } => {
            calendar(&node.run(ops::MentoringIcs { id }).await?, file, out)
        }
        MentoringCmd::Goal {
            id,
            add,
            progress,
            done,
        } => {
            let change = match (add, progress, done) {
                (Some(text), None, None) => GoalChange::Add(text),
                (None, Some(p), None) => {
                    let [goal, pct] = <[String; 2]>::try_from(p)
                        .map_err(|_| anyhow::anyhow!("--progress takes GOAL PCT"))?;
                    let percent = pct
                        .trim_end_matches('%')
                        .parse()
                        .with_context(|| format!("invalid progress '{pct}': expected 0 to 100"))?;
                    GoalChange::Progress { goal, percent }
                }
                (None, None, Some(goal)) => GoalChange::Done(goal),
                _ => bail!("give one of --add, --progress or --done"),
            };
            node.run(ops::MentoringGoal {
                id: id.clone(),
                change,
            })
            .await?;
            out.mentoring(&node.run(ops::Mentoring { id }).await?)
        }
        MentoringCmd::Log {
            id,
            minutes,
            date,
            notes,
            topic,
            action,
        } => {
            let log = LogDraft {
                id: id.clone(),
                minutes,
                date,
                notes,
                topics: topic,
                actions: action,
            };
            node.run(ops::MentoringLog { log }).await?;
            out.mentoring(&node.run(ops::Mentoring { id }).await?)
        }
    }
}

async fn review(cmd: ReviewCmd, node: &Node, out: &mut Out) -> Result<()> {
    match cmd {
        ReviewCmd::Request {
            reviewer,
            about,
            template,
            criteria,
        } => {
            let criteria = criteria
                .map(|c| c.split(',').map(str::to_owned).collect())
                .unwrap_or_default();
            let template = template.parse().map_err(|e: String| anyhow::anyhow!(e))?;
            out.id(&node
                .run(ops::ReviewRequest {
                    reviewer,
                    about,
                    template,
                    criteria,
                })
                .await?)
        }
        ReviewCmd::Write { id, answer, rating } => {
            let answers = answer
                .iter()
                .map(|a| key_value(a, "answer"))
                .collect::<Result<Vec<_>>>()?;
            let mut ratings = Vec::new();
            for r in &rating {
                let (k, v) = key_value(r, "rating")?;
                let n = v.trim().parse().map_err(|_| {
                    anyhow::anyhow!("invalid rating '{r}': expected CRITERION=1..5")
                })?;
                ratings.push((k, n));
            }
            let draft = ReviewDraft {
                id: id.clone(),
                answers,
                ratings,
            };
            node.run(ops::ReviewWrite { draft }).await?;
            out.review(&node.run(ops::Review { id }).await?)
        }
        ReviewCmd::Submit { id, minutes } => {
            node.run(ops::ReviewSubmit {
                id: id.clone(),
                minutes,
            })
            .await?;
            out.review(&node.run(ops::Review { id }).await?)
        }
        ReviewCmd::Ack { id, reply } => {
            node.run(ops::ReviewAck {
                id: id.clone(),
                reply: reply.unwrap_or_default(),
            })
            .await?;
            out.review(&node.run(ops::Review { id }).await?)
        }
        ReviewCmd::List => out.reviews(&node.run(ops::Reviews {}).await?),
        ReviewCmd::Show { id } => out.review(&node.run(ops::Review { id }).await?),
    }
}

async fn session(cmd: SessionCmd, node: &Node, out: &mut Out) -> Result<()> {
    match cmd {
        SessionCmd::Plan {
            format,
            title,
            at,
            minutes,
            host,
            participant,
            skill,
            scope,
        } => {
            let draft = SessionDraft {
                format: format.parse().map_err(|e: String| anyhow::anyhow!(e))?,
                title,
                at,
                minutes,
                participants: participant,
                hosts: host,
                skills: skill,
                scope: Some(scope),
            };
            out.id(&node.run(ops::SessionPlan { draft }).await?)
        }
        SessionCmd::Start { id } => out.step(&node.run(ops::SessionStart { id }).await?),
        SessionCmd::Step { id, notes } => {
            out.step(&node.run(ops::SessionStep { id, notes }).await?)
        }
        SessionCmd::Close {
            id,
            takeaway,
            rating,
            action,
            attended,
        } => {
            node.run(ops::SessionClose {
                id: id.clone(),
                takeaways: takeaway,
                rating,
                actions: action,
                attended,
            })
            .await?;
            out.session(&node.run(ops::Session { id }).await?)
        }
        SessionCmd::List { upcoming } => out.sessions(&node.run(ops::Sessions { upcoming }).await?),
        SessionCmd::Show { id } => out.session(&node.run(ops::Session { id }).await?),
        SessionCmd::Ics { id, out: file } => {
            calendar(&node.run(ops::SessionIcs { id }).await?, file, out)
        }
    }
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            (Ok(mut int), Ok(mut term)) => {
                tokio::select! {
                    _ = int.recv() => {}
                    _ = term.recv() => {}
                }
            }
            _ => std::future::pending::<()>().await,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn parse_addr(text: &str) -> Result<net::Address> {
    text.trim()
        .parse()
        .map_err(|e| anyhow::anyhow!("invalid address '{text}': {e}"))
}

/// `90s`, `30m`, `24h`, `7d` (a bare number is seconds).
fn parse_duration(text: &str) -> Result<std::time::Duration> {
    let t = text.trim();
    let (number, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: u64 = number.parse().map_err(|_| {
        anyhow::anyhow!("invalid duration '{text}': expected e.g. 30s, 10m, 24h, 7d")
    })?;
    let seconds = match unit {
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => bail!("invalid duration '{text}': expected e.g. 30s, 10m, 24h, 7d"),
    };
    if seconds == 0 || seconds > 365 * 86_400 {
        bail!("invalid duration '{text}': give between 1 second and 365 days");
    }
    Ok(std::time::Duration::from_secs(seconds))
}

/// `invite code`: serves (with mDNS) until the code it shows is used, expires or runs out of
/// tries, printing the code once the network listens.
async fn invite_code(node: &Node, out: &mut Out, options: node::serve::ServeOptions) -> Result<()> {
    let (listening, mut heard) = tokio::sync::mpsc::unbounded_channel::<String>();
    let serving = node.clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        serving
            .serve(
                options,
                move |addr| {
                    let _ = listening.send(addr);
                },
                async move {
                    let _ = stopped.await;
                },
            )
            .await
    });
    if heard.recv().await.is_none() {
        let _ = stop.send(());
        task.await??;
        bail!("the network did not start");
    }
    let code = match node.run(ops::InviteCode {}).await {
        Ok(code) => code,
        Err(e) => {
            let _ = stop.send(());
            let _ = task.await;
            return Err(e.into());
        }
    };
    out.code(&code)?;
    // Until the newcomer has joined and synced, or the code can admit nobody any more.
    let outcome = loop {
        tokio::select! {
            () = shutdown_signal() => break "stopped: the code is no longer answered".to_owned(),
            () = tokio::time::sleep(std::time::Duration::from_millis(250)) => {}
        }
        let invites = node.run(ops::Invites {}).await?;
        let Some(invite) = invites.iter().find(|i| i.id == code.invite) else {
            break "the code's invite is gone".to_owned();
        };
        match (&invite.status, &invite.redeemed_by) {
            (ipc::sets::InviteStatus::Redeemed, Some(newcomer)) => {
                let peers = node.run(ops::Peers {}).await?;
                if let Some(p) = peers
                    .iter()
                    .find(|p| p.peer == *newcomer && p.last_synced.is_some())
                {
                    let name = p.name.clone().unwrap_or_else(|| newcomer.clone());
                    break format!("{name} joined with the code");
                }
            }
            (ipc::sets::InviteStatus::Open, _) => {
                match node.run(ops::PendingCode {}).await? {
                    Some(c) if c.tries_left == 0 => {
                        break "the code admitted nobody: too many wrong tries".to_owned();
                    }
                    // Waiting, or used and the join under way.
                    _ => {}
                }
            }
            _ => break "the code expired".to_owned(),
        }
    };
    let _ = stop.send(());
    task.await??;
    out.done(&outcome)
}

/// The addresses given to listen on, or `default` when none is.
fn listen_on(given: &[String], default: &[&str]) -> Result<Vec<net::Address>> {
    if given.is_empty() {
        default.iter().map(|a| parse_addr(a)).collect()
    } else {
        given.iter().map(|a| parse_addr(a)).collect()
    }
}
