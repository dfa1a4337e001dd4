//! The benchmark harness behind `cargo xtask bench`: generates a realistic workspace, runs every
//! measure of `BENCHMARKS.md` several times and reports median, min and max beside the goal.
//! Comparisons (against the Automerge floor and against automerge-repo) are ratios of figures
//! taken in the same run, since the machines are noisy.

pub mod amrepo;
pub mod desktop;
pub mod fixture;
pub mod netns;
pub mod peer;
pub mod procs;
pub mod reach;
pub mod report;
pub mod samod;
pub mod stats;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use automerge::sync::{self, SyncDoc};
use automerge::{AutoCommit, ReadDoc};
use ipc::ops;
use node::{Node, NoteDraft};
use tokio::sync::broadcast;

use crate::fixture::{Fixture, Size, copy_dir};
use crate::peer::{device_id, serve, settled, traffic, wait_doc, wait_docs};
use crate::stats::Samples;

/// Notes of the smaller workspace the desktop is opened on beside the bench's.
const SMALL_NOTES: usize = 100;

/// What to generate and how often to measure.
#[derive(Debug, Clone)]
pub struct Config {
    /// The main workspace.
    pub size: Size,
    /// Repetitions of each whole-run measure.
    pub runs: usize,
    /// Edits timed one by one from A to B.
    pub edits: usize,
    /// Documents the two peers of the re-sync measure share.
    pub resync_docs: usize,
    /// Peers of the convergence measure.
    pub peers: usize,
    /// Searches timed.
    pub searches: usize,
    /// The folder of the automerge-repo script (`crates/xtask/automerge-repo`); `None` skips it.
    pub automerge_repo: Option<PathBuf>,
    /// Whether to time samod (the Rust automerge-repo) on the same documents.
    pub samod: bool,
    /// This harness's executable, re-run as a separate serving peer for the memory measure.
    pub exe: PathBuf,
    /// Where data directories are generated (emptied first).
    pub work: PathBuf,
    /// A larger workspace measured once more, beside the main one (`None` skips it).
    pub scale: Option<Size>,
    /// The desktop app and the empty app to measure beside it (`None` skips them).
    pub desktop: Option<desktop::Apps>,
}

/// One line of the report.
#[derive(Debug, Clone)]
pub struct Row {
    /// What is measured.
    pub measure: String,
    /// The unit of the samples.
    pub unit: &'static str,
    /// The samples.
    pub samples: Samples,
    /// Which figure the goal applies to ("median", "p50", "p99", "max").
    pub judged: &'static str,
    /// The goal, in words.
    pub goal: String,
    /// Whether the judged figure meets the goal; `None` for figures without a goal.
    pub met: Option<bool>,
    /// How it was measured, or what a reader should know about it.
    pub detail: String,
}

impl Row {
    fn new(measure: impl Into<String>, unit: &'static str, samples: Vec<f64>) -> Row {
        Row {
            measure: measure.into(),
            unit,
            samples: Samples(samples),
            judged: "median",
            goal: String::new(),
            met: None,
            detail: String::new(),
        }
    }

    fn goal(mut self, judged: &'static str, goal: impl Into<String>, met: bool) -> Row {
        self.judged = judged;
        self.goal = goal.into();
        self.met = Some(met);
        self
    }

    fn detail(mut self, detail: impl Into<String>) -> Row {
        self.detail = detail.into();
        self
    }

    /// The figure the goal is judged on.
    pub fn judged_value(&self) -> f64 {
        match self.judged {
            "p99" => self.samples.percentile(99.0),
            "max" => self.samples.max(),
            _ => self.samples.median(),
        }
    }
}

/// Everything one run of the harness measured.
#[derive(Debug, Clone)]
pub struct Report {
    /// The configuration it ran with.
    pub config: Config,
    /// The lines, in the order of the goals table.
    pub rows: Vec<Row>,
    /// How long the whole run took.
    pub elapsed: Duration,
}

/// Another implementation of Automerge's sync, timed on the same documents.
#[derive(Debug, Clone, Copy)]
enum Rival {
    /// automerge-repo (JavaScript): the goal is to take at most half its time.
    AutomergeRepo,
    /// samod (Rust): compared, with no goal set.
    Samod,
}

impl Rival {
    fn name(self) -> &'static str {
        match self {
            Rival::AutomergeRepo => "automerge-repo",
            Rival::Samod => "samod",
        }
    }
}

/// The row of `rival`'s times for a sync that took Entrepairs `ours` seconds (median), with
/// `beside` put before the ratio in its detail; a rival that did not complete is reported as
/// such, without figures.
fn compared(label: String, rival: Rival, theirs: Result<Samples>, ours: f64, beside: &str) -> Row {
    let name = rival.name();
    let theirs = match theirs {
        Ok(theirs) => theirs,
        // Reported, not fatal: the other measures still count.
        Err(e) => {
            return Row::new(label, "s", Vec::new())
                .detail(format!("{name} did not complete: {e:#}"));
        }
    };
    let median = theirs.median();
    let row = Row::new(label, "s", theirs.0).detail(format!(
        "{beside}Entrepairs / {name} = {:.2}",
        ours / median
    ));
    match rival {
        Rival::AutomergeRepo => row.goal(
            "median",
            format!("Entrepairs ≤ 0.5 × {name} = {:.3} s", 0.5 * median),
            ours <= 0.5 * median,
        ),
        Rival::Samod => row,
    }
}

pub(crate) fn secs(since: Instant) -> f64 {
    since.elapsed().as_secs_f64()
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

/// Runs every measure. `progress` receives a line at each step.
pub async fn run(config: &Config, progress: &dyn Fn(&str)) -> Result<Report> {
    let started = Instant::now();
    let _ = std::fs::remove_dir_all(&config.work);
    std::fs::create_dir_all(&config.work)
        .with_context(|| format!("cannot create {}", config.work.display()))?;
    let size = config.size;
    progress(&format!(
        "generating {} notes, {} members, {} private documents",
        size.notes, size.members, size.private
    ));
    let t = Instant::now();
    let fx = fixture::generate(&config.work.join("fixture"), size).await?;
    progress(&format!("generated in {:.1} s", secs(t)));

    let mut rows = Vec::new();
    let sync = initial_sync(config, &fx, progress).await?;
    // Loaded once for both in-process references.
    let loaded: Vec<AutoCommit> = sync
        .docs
        .iter()
        .filter_map(|d| AutoCommit::load(d).ok())
        .collect();
    let floor = floor(&loaded, config.runs);
    let engine = automerge_sync(&loaded, config.runs);
    drop(loaded);
    progress("admission of every received change, in-process");
    let admitted = admission(&sync.signed, config.runs)?;
    let ours = Samples(sync.seconds.clone()).median();
    let n = sync.docs.len();
    rows.push(
        Row::new(
            format!("initial sync of two fresh peers over loopback TCP ({n} documents)"),
            "s",
            sync.seconds.clone(),
        )
        .goal(
            "median",
            format!(
                "≤ 1.5 × floor ({:.3} s) = {:.3} s",
                floor.median(),
                1.5 * floor.median()
            ),
            ours <= 1.5 * floor.median(),
        )
        .detail(format!(
            "ratio to the floor {:.1}×; {:.1} MiB on the wire",
            ours / floor.median(),
            Samples(sync.wire.clone()).median() / 1_048_576.0
        )),
    );
    rows.push(
        Row::new(
            "floor: in-process Automerge save + load of the same documents",
            "s",
            floor.0.clone(),
        )
        .detail("AutoCommit::save then AutoCommit::load of every document B ends with"),
    );
    rows.push(
        Row::new(
            "where the time goes: Automerge's own sync protocol, in-process, no network or disk",
            "s",
            engine.0.clone(),
        )
        .detail(format!(
            "generate/receive between two AutoCommits until neither has a message; our sync is {:.1}× this",
            ours / engine.median()
        )),
    );
    let extra = admitted.checked.median() - admitted.loaded.median();
    rows.push(
        Row::new(
            format!(
                "the check of every change B receives: {} changes in {n} documents, each \
                 signature, form and write rule, in-process",
                admitted.changes
            ),
            "s",
            admitted.checked.0.clone(),
        )
        .detail(format!(
            "domain::admit_whole on each signed document B ends with, against loading the same \
             bytes unchecked ({:.2} s): {:.1} µs per change more, {:.0} % of the initial sync's \
             median",
            admitted.loaded.median(),
            extra * 1e6 / admitted.changes.max(1) as f64,
            100.0 * extra / ours
        )),
    );
    match &config.automerge_repo {
        Some(dir) => {
            progress("automerge-repo over its WebSocket adapter");
            let theirs =
                amrepo::sync_times(dir, &config.work.join("amrepo"), &sync.docs, config.runs).await;
            rows.push(compared(
                format!(
                    "the same sync by automerge-repo 2.5.6 (Node, WebSocket on loopback, {n} documents)"
                ),
                Rival::AutomergeRepo,
                theirs,
                ours,
                "",
            ));
        }
        None => progress("automerge-repo skipped"),
    }
    if config.samod {
        progress("samod over its TCP transport");
        // Once: samod's fetch grows faster than the documents (minutes at 10,000 of them).
        let theirs = samod::sync_times(&sync.docs, 1).await;
        rows.push(compared(
            format!(
                "the same sync by samod {} (Rust, its TCP transport on loopback, one process, {n} documents)",
                samod::VERSION
            ),
            Rival::Samod,
            theirs,
            ours,
            "one run, its time growing faster than the documents (see the smaller size below); ",
        ));
    } else {
        progress("samod skipped");
    }
    rows.push(
        Row::new(
            format!(
                "an edit on A visible on connected B ({} edits)",
                config.edits
            ),
            "ms",
            sync.edit_ms.clone(),
        )
        .goal(
            "p50",
            "p50 ≤ 20 ms",
            Samples(sync.edit_ms.clone()).median() <= 20.0,
        )
        .detail(
            "each edit adds one sentence at the end of a ~600-byte note body (the editor sends \
             the whole text, the node stores the difference); from `edit_note` on A until B \
             reports the note stored"
                .to_owned(),
        ),
    );
    let p99 = Samples(sync.edit_ms.clone()).percentile(99.0);
    rows.push(
        Row::new(
            "the same edits, judged on their p99",
            "ms",
            sync.edit_ms.clone(),
        )
        .goal("p99", "p99 ≤ 100 ms", p99 <= 100.0)
        .detail(format!("p99 {p99:.1} ms")),
    );
    let resync = resync(config, progress).await?;
    let max_frames = resync
        .frames
        .iter()
        .map(|(a, b)| (*a).max(*b))
        .max()
        .unwrap_or(0);
    let bytes = Samples(resync.bytes.clone());
    rows.push(
        Row::new(
            format!(
                "re-sync of two peers sharing {} unchanged documents: bytes on the wire",
                config.resync_docs
            ),
            "B",
            resync.bytes.clone(),
        )
        .goal(
            "max",
            "1 round trip, ≤ 4 KiB",
            bytes.max() <= 4096.0 && max_frames <= 1,
        )
        .detail(format!(
            "frames each way per run (A→B, B→A): {:?}",
            resync.frames
        )),
    );
    let small = resync.docs.len();
    let ours_small = Samples(resync.sync_seconds.clone()).median();
    let beside = format!(
        "Entrepairs {:?} s on the same {small} documents; ",
        resync
            .sync_seconds
            .iter()
            .map(|s| (s * 100.0).round() / 100.0)
            .collect::<Vec<_>>()
    );
    if let Some(dir) = &config.automerge_repo {
        progress(&format!("automerge-repo at {small} documents"));
        let theirs = amrepo::sync_times(
            dir,
            &config.work.join("amrepo-small"),
            &resync.docs,
            config.runs,
        )
        .await;
        rows.push(compared(
            format!(
                "the same comparison at {small} documents: automerge-repo 2.5.6 (Entrepairs median {ours_small:.2} s)"
            ),
            Rival::AutomergeRepo,
            theirs,
            ours_small,
            &beside,
        ));
    }
    if config.samod {
        progress(&format!("samod at {small} documents"));
        let theirs = samod::sync_times(&resync.docs, config.runs).await;
        rows.push(compared(
            format!(
                "the same comparison at {small} documents: samod {} (Entrepairs median {ours_small:.2} s)",
                samod::VERSION
            ),
            Rival::Samod,
            theirs,
            ours_small,
            &beside,
        ));
    }
    let edit = &sync.one_edit;
    let limits: Vec<f64> = edit
        .iter()
        .map(|(_, change)| 2.0 * change + 200.0)
        .collect();
    let wire: Vec<f64> = edit.iter().map(|(w, _)| *w).collect();
    let met = edit.iter().all(|(w, c)| *w <= 2.0 * c + 200.0);
    rows.push(
        Row::new(
            "bytes on the wire for one small note edit (both ways)",
            "B",
            wire,
        )
        .goal(
            "max",
            format!(
                "≤ 2 × the encoded change + 200 B (changes: {:?} B, so ≤ {:?} B)",
                edit.iter().map(|(_, c)| *c as u64).collect::<Vec<_>>(),
                limits.iter().map(|l| *l as u64).collect::<Vec<_>>()
            ),
            met,
        )
        .detail("A's frames to B and B's frames to A, from the edit until the exchange settled"),
    );
    let open = open_ready(config, &fx).await?;
    rows.push(
        Row::new(
            format!(
                "headless peer: open data dir → ready ({} notes)",
                size.notes
            ),
            "ms",
            open.0.clone(),
        )
        .goal("median", "≤ 300 ms", open.median() <= 300.0)
        .detail("Node::open until the network listens (warm page cache)"),
    );
    let search = search(config, &fx).await?;
    rows.push(
        Row::new(format!("search over {} notes", size.notes), "ms", search.0.clone())
            .goal("p50", "p50 ≤ 10 ms", search.median() <= 10.0)
            .detail(format!(
                "{} one-word queries through Node::search (store thread round trip included); p99 {:.2} ms",
                config.searches,
                search.percentile(99.0)
            )),
    );
    let figures = programme(config, &fx).await?;
    rows.push(
        Row::new(
            format!(
                "the programme's figures over {} notes and {} members",
                size.notes, size.members
            ),
            "ms",
            figures.0.clone(),
        )
        .goal("median", "≤ 200 ms", figures.median() <= 200.0)
        .detail("Node::run(Programme) over the last year, store thread round trip included"),
    );
    let log = membership(config, &fx).await?;
    rows.push(log.row());
    progress("resident memory of a serving peer");
    let rss = memory(config, &fx).await?;
    rows.push(
        Row::new(
            format!(
                "resident memory of a serving headless peer with {} notes",
                size.notes
            ),
            "MB",
            rss.rss.clone(),
        )
        .goal("max", "≤ 60 MB", Samples(rss.rss.clone()).max() <= 60.0)
        .detail(format!(
            "VmRSS of a separate serving process after it served a full initial sync; its peak (VmHWM) {:.1} MB",
            Samples(rss.peak.clone()).max()
        )),
    );
    progress(&format!("{} peers converging", config.peers));
    let conv = converge(config).await?;
    rows.push(
        Row::new(
            format!(
                "{} peers on loopback, one edit each, all converged",
                config.peers
            ),
            "s",
            conv.0.clone(),
        )
        .goal("median", "≤ 5 s", conv.median() <= 5.0)
        .detail("every peer dials the first; from the edits until every peer holds every note"),
    );
    reach_rows(config, &fx, &sync, progress, &mut rows).await;
    rows.push(installer_row());
    if let Some(apps) = &config.desktop {
        progress("the desktop app beside the empty Tauri app");
        rows.extend(desktop_rows(config, apps).await);
        progress(&format!("the desktop app on {} notes", size.notes));
        rows.extend(browse_rows(config, apps, &fx).await);
    }
    if let Some(scale) = config.scale {
        let main = AtMain {
            size,
            sync: ours,
            search: search.median(),
            open: open.median(),
            figures: figures.median(),
            rss: Samples(rss.rss.clone()).max(),
            membership: log.samples.median(),
        };
        rows.extend(at_scale(config, scale, &main, progress).await?);
    }
    Ok(Report {
        config: config.clone(),
        rows,
        elapsed: started.elapsed(),
    })
}

/// The workspace's root folder.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The workspace's target directory: `CARGO_TARGET_DIR`, else `target` in the workspace.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace_root().join("target"), PathBuf::from)
}

/// Rows without figures, each saying why they could not be measured.
fn not_measured(
    labels: impl IntoIterator<Item = String>,
    unit: &'static str,
    e: &anyhow::Error,
) -> Vec<Row> {
    labels
        .into_iter()
        .map(|label| Row::new(label, unit, Vec::new()).detail(format!("not measured: {e:#}")))
        .collect()
}

/// The rows of the desktop app measured beside the empty app ([`desktop`]), on the demo
/// workspace; where they could not be measured, the rows say why.
async fn desktop_rows(config: &Config, apps: &desktop::Apps) -> Vec<Row> {
    let idle = apps.idle.as_secs_f64();
    let labels = [
        format!(
            "the desktop app ({} build) on the demo: process start → first screen painted",
            apps.profile
        ),
        "the empty Tauri 2 + Leptos app (`crates/empty-app`), same build: process start → first screen painted".to_owned(),
        format!("the desktop app: resident memory of its process {idle:.0} s after its first screen"),
        "the empty app: resident memory of its process, the same".to_owned(),
        "the desktop app: resident memory of its WebKit web process, the same".to_owned(),
        "the empty app: resident memory of its WebKit web process, the same".to_owned(),
        format!("the desktop app: CPU time over the {idle:.0} s after its first screen was painted"),
        "the empty app: CPU time over the same time".to_owned(),
    ];
    let measured = async {
        let demo = config.work.join("desktop-demo");
        Node::create_demo(&demo, "Camille Martin", node::demo::DemoLanguage::En)
            .await?
            .shutdown()
            .await?;
        let (display, _xvfb) = procs::xvfb(Duration::from_secs(30)).map_err(anyhow::Error::msg)?;
        let empty = desktop::measure(&apps.empty, None, config.runs, apps.idle, &display).await?;
        let ours =
            desktop::measure(&apps.desktop, Some(&demo), config.runs, apps.idle, &display).await?;
        anyhow::Ok((ours, empty))
    };
    let (ours, empty) = match measured.await {
        Ok(both) => both,
        Err(e) => return not_measured(labels, "s", &e),
    };
    let [
        start,
        empty_start,
        rss,
        empty_rss,
        web,
        empty_web,
        cpu,
        empty_cpu,
    ] = labels;
    let within = |ours: f64, theirs: f64, unit: &'static str| {
        (
            format!(
                "≤ 1.3 × the empty app's ({}) = {}",
                report::figure(theirs, unit),
                report::figure(1.3 * theirs, unit)
            ),
            ours <= 1.3 * theirs,
            if theirs > 0.0 {
                format!("{:.2}× the empty app's", ours / theirs)
            } else {
                "the empty app's is nil".to_owned()
            },
        )
    };
    let (ours_start, empty_median) = (
        Samples(ours.cold_start.clone()).median(),
        Samples(empty.cold_start.clone()).median(),
    );
    let how = format!(
        "{} launches after one not counted (a warm machine, a cold app), each with a fresh \
         webview profile, through tauri-driver under Xvfb; from the process's start (its start \
         time in /proc, to ±20 ms) to the page's own clock at the frame after the first screen \
         showed its content (`window.entrepairsPainted`)",
        config.runs.max(1)
    );
    let stages = |m: &desktop::Measured| {
        format!(
            "medians: the page's load began at {:.0} ms, the UI's code ran at {:.0} ms, the \
             first screen was painted at {:.0} ms",
            1000.0 * Samples(m.to_page.clone()).median(),
            1000.0 * Samples(m.to_code.clone()).median(),
            1000.0 * Samples(m.cold_start.clone()).median()
        )
    };
    let mut rows = vec![
        Row::new(start, "s", ours.cold_start.clone())
            .goal(
                "median",
                format!(
                    "≤ 1 s and ≤ 1.3 × the empty app's = {:.3} s",
                    1.3 * empty_median
                ),
                ours_start <= 1.0 && ours_start <= 1.3 * empty_median,
            )
            .detail(format!(
                "{how}; the first screen is the home screen with the demo's newest notes; {}; \
                 {:.2}× the empty app's",
                stages(&ours),
                ours_start / empty_median
            )),
        Row::new(empty_start, "s", empty.cold_start.clone()).detail(format!(
            "{how}; its first screen is one heading; {}",
            stages(&empty)
        )),
    ];
    for (label, empty_label, unit, o, e, what) in [
        (
            rss,
            empty_rss,
            "MB",
            ours.app_rss,
            empty.app_rss,
            "VmRSS of the app's process at the end of that time",
        ),
        (
            web,
            empty_web,
            "MB",
            ours.web_rss,
            empty.web_rss,
            "VmRSS of the app's WebKitWebProcess (one per window) then",
        ),
        (
            cpu,
            empty_cpu,
            "s",
            ours.idle_cpu,
            empty.idle_cpu,
            "user + system CPU time of the app and every process it started (WebKit's web and network processes), from the first screen painted on, the screen left open, to the kernel's tick (10 ms); the demo does not sync (it has no colleagues to reach), so a workspace's network is not in it",
        ),
    ] {
        let (goal, met, ratio) = within(o, e, unit);
        rows.push(
            Row::new(label, unit, vec![o])
                .goal("median", goal, met)
                .detail(format!("{what}; {ratio}")),
        );
        rows.push(Row::new(empty_label, unit, vec![e]).detail(what));
    }
    rows
}

/// The rows of the desktop app opened on the bench's workspace beside the same workspace with
/// [`SMALL_NOTES`] notes ([`desktop::browse`]); where they could not be measured, the rows say
/// why.
async fn browse_rows(config: &Config, apps: &desktop::Apps, fx: &Fixture) -> Vec<Row> {
    let size = config.size;
    let labels = [
        format!(
            "the desktop app ({} build) on the bench's workspace ({} notes): a click on Notes → its first notes painted",
            apps.profile, size.notes
        ),
        format!("the same on the same workspace with {SMALL_NOTES} notes"),
        format!(
            "the desktop app: quick search over {} notes, a query → its hits painted",
            size.notes
        ),
        format!(
            "the desktop app: the skills map ({} members, {} notes), a click on People → the map painted",
            size.members, size.notes
        ),
        format!(
            "the desktop app: resident memory of its WebKit web process after those, {} notes",
            size.notes
        ),
        format!("the same with {SMALL_NOTES} notes"),
    ];
    let Some(word) = fx.words.first().copied() else {
        return not_measured(
            labels,
            "ms",
            &anyhow::anyhow!("the fixture has no word to search for"),
        );
    };
    let measured = async {
        let large = config.work.join(format!("desktop-{}", size.notes));
        copy_dir(&fx.admin, &large)?;
        let small_dir = config.work.join(format!("desktop-{SMALL_NOTES}"));
        fixture::clear(&small_dir)?;
        let small = fixture::generate(
            &small_dir,
            Size {
                notes: SMALL_NOTES,
                ..size
            },
        )
        .await?;
        let (display, _xvfb) = procs::xvfb(Duration::from_secs(30)).map_err(anyhow::Error::msg)?;
        let on_large = desktop::browse(&apps.desktop, &large, config.runs, word, &display).await?;
        let on_small =
            desktop::browse(&apps.desktop, &small.admin, config.runs, word, &display).await?;
        anyhow::Ok((on_large, on_small))
    };
    let (large, small) = match measured.await {
        Ok(both) => both,
        Err(e) => return not_measured(labels, "ms", &e),
    };
    let [notes, small_notes, search, skills, web, small_web] = labels;
    let how = format!(
        "{} launches after one not counted, each with a fresh webview profile, through \
         tauri-driver under Xvfb; on the page's clock, from the action to the frame after the \
         one that showed its result (a MutationObserver saw it inserted, then two animation \
         frames)",
        config.runs.max(1)
    );
    let (notes_ms, search_ms, skills_ms) = (
        Samples(large.notes.clone()).median(),
        Samples(large.search.clone()).median(),
        Samples(large.skills_map.clone()).median(),
    );
    vec![
        Row::new(notes, "ms", large.notes.clone())
            .goal("median", "≤ 200 ms", notes_ms <= 200.0)
            .detail(format!(
                "{how}; the list held the newest {} of the {} notes (a page)",
                large.listed, size.notes
            )),
        Row::new(small_notes, "ms", small.notes.clone()).detail(format!(
            "the same launches; the list held {} notes",
            small.listed
        )),
        Row::new(search, "ms", large.search.clone())
            .goal("median", "≤ 100 ms", search_ms <= 100.0)
            .detail(format!(
                "the query \"{word}\" put in the search box (one input event), until its hits \
                 showed; with {SMALL_NOTES} notes: {:.0} ms",
                Samples(small.search.clone()).median()
            )),
        Row::new(skills, "ms", large.skills_map.clone())
            .goal("median", "≤ 100 ms", skills_ms <= 100.0)
            .detail(format!(
                "from a click on People until its skills map showed; with {SMALL_NOTES} notes: \
                 {:.0} ms",
                Samples(small.skills_map.clone()).median()
            )),
        Row::new(web, "MB", vec![large.web_rss])
            .goal(
                "median",
                format!(
                    "≤ 1.3 × the {SMALL_NOTES}-note workspace's ({}) = {}",
                    report::figure(small.web_rss, "MB"),
                    report::figure(1.3 * small.web_rss, "MB")
                ),
                large.web_rss <= 1.3 * small.web_rss,
            )
            .detail(format!(
                "VmRSS of the app's WebKitWebProcess at the end of the last launch, after Notes, \
                 a search and the skills map; {:.2}× the {SMALL_NOTES}-note workspace's",
                large.web_rss / small.web_rss
            )),
        Row::new(small_web, "MB", vec![small.web_rss])
            .detail("the same launches and screens on the smaller workspace"),
    ]
}

/// The Debian package `scripts/deb.sh` built last, if there is one, against the installer's goal.
/// Building it is left to that script (a whole-program optimised build takes many minutes); the
/// detail says when the measured package was built.
fn installer_row() -> Row {
    let label = "the desktop app's Debian package (`scripts/deb.sh`, Cargo's `dist` profile)";
    let dir = target_dir().join("dist/bundle/deb");
    let shown = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(_) => dir.display().to_string(),
        None => "target/dist/bundle/deb".to_owned(),
    };
    let newest = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "deb"))
        .filter_map(|e| {
            let meta = e.metadata().ok()?;
            Some((meta.modified().ok()?, meta.len(), e.file_name()))
        })
        .max();
    match newest {
        None => Row::new(label, "MB", Vec::new())
            .detail(format!("no package in {shown}: `scripts/deb.sh` builds it")),
        Some((built, bytes, name)) => {
            let mb = bytes as f64 / 1_000_000.0;
            Row::new(label, "MB", vec![mb])
                .goal("max", "≤ 12 MB", mb <= 12.0)
                .detail(format!(
                    "{} ({bytes} bytes), built {}",
                    name.to_string_lossy(),
                    chrono::DateTime::<chrono::Local>::from(built).format("%Y-%m-%d %H:%M")
                ))
        }
    }
}

/// The membership log replayed from its entries.
struct LogReplay {
    samples: Samples,
    entries: usize,
    members: usize,
}

impl LogReplay {
    fn row(&self) -> Row {
        Row::new(
            format!(
                "evaluating the membership log: {} entries, {} members",
                self.entries, self.members
            ),
            "ms",
            self.samples.0.clone(),
        )
        .detail(
            "sync::membership::evaluate over the admin's log as it is sent: each entry decoded \
             and its signature verified, then the log replayed (who is a member, an admin, in \
             which community)",
        )
    }
}

/// Replays the membership log of the fixture's admin from its encoded entries, as a device
/// receiving it whole does.
async fn membership(config: &Config, fx: &Fixture) -> Result<LogReplay> {
    let dir = config.work.join("membership");
    copy_dir(&fx.admin, &dir)?;
    let a = Node::open(&dir).await?;
    let entries = a.membership_entries().await?;
    let workspace = a.run(ops::Whoami {}).await?.workspace_id;
    a.shutdown().await?;
    let mut samples = Vec::new();
    let mut members = 0;
    for _ in 0..config.runs.max(5) {
        let t = Instant::now();
        let evaluated = ::sync::membership::evaluate(&workspace, &entries)?;
        samples.push(ms(t));
        ensure!(
            evaluated.rejected.is_empty(),
            "the admin's own log had entries rejected: {:?}",
            evaluated.rejected.first()
        );
        members = evaluated.members.len();
    }
    ensure!(
        members == config.size.members,
        "the log evaluated to {members} members, not the {} generated",
        config.size.members
    );
    Ok(LogReplay {
        samples: Samples(samples),
        entries: entries.len(),
        members,
    })
}

/// The main run's figures that the run at scale is set beside.
struct AtMain {
    size: Size,
    sync: f64,
    search: f64,
    open: f64,
    figures: f64,
    rss: f64,
    membership: f64,
}

/// The measures that grow with the workspace, once each on a workspace of `scale`: the initial
/// sync, search, open → ready, the programme's figures, a serving peer's memory and the
/// membership log's evaluation, each beside its figure at the main size.
async fn at_scale(
    config: &Config,
    scale: Size,
    main: &AtMain,
    progress: &dyn Fn(&str),
) -> Result<Vec<Row>> {
    let config = Config {
        size: scale,
        runs: 1,
        work: config.work.join("scale"),
        ..config.clone()
    };
    progress(&format!(
        "at scale: generating {} notes, {} members, {} private documents",
        scale.notes, scale.members, scale.private
    ));
    let t = Instant::now();
    let fx = fixture::generate(&config.work.join("fixture"), scale).await?;
    progress(&format!("generated in {:.1} s", secs(t)));
    let notes = scale.notes as f64 / main.size.notes.max(1) as f64;
    let members = scale.members as f64 / main.size.members.max(1) as f64;
    let beside_as = |now: f64, then: f64, grown: f64, what: &str| {
        format!(
            "{:.1}× its figure at {} notes and {} members ({grown:.0}× the {what})",
            now / then,
            main.size.notes,
            main.size.members
        )
    };
    let beside = |now: f64, then: f64| beside_as(now, then, notes, "notes");
    let at = format!("at {} notes and {} members", scale.notes, scale.members);
    let mut rows = Vec::new();

    let dir = config.work.join("sync");
    let pair = Synced::run(&fx, &dir).await?;
    let synced = pair.seconds;
    pair.close().await?;
    let _ = std::fs::remove_dir_all(&dir);
    progress(&format!(
        "at scale: initial sync of {} documents in {synced:.2} s",
        fx.bob_docs
    ));
    rows.push(
        Row::new(
            format!("{at}: initial sync ({} documents)", fx.bob_docs),
            "s",
            vec![synced],
        )
        .detail(beside(synced, main.sync)),
    );
    let search = search(&config, &fx).await?;
    rows.push(
        Row::new(format!("{at}: search"), "ms", search.0.clone())
            .detail(beside(search.median(), main.search)),
    );
    let open = open_ready(&config, &fx).await?;
    rows.push(
        Row::new(format!("{at}: open data dir → ready"), "ms", open.0.clone())
            .detail(beside(open.median(), main.open)),
    );
    let figures = programme(&config, &fx).await?;
    rows.push(
        Row::new(
            format!("{at}: the programme's figures"),
            "ms",
            figures.0.clone(),
        )
        .detail(beside(figures.median(), main.figures)),
    );
    progress("at scale: resident memory of a serving peer");
    let rss = memory(&config, &fx).await?;
    rows.push(
        Row::new(
            format!("{at}: resident memory of a serving headless peer"),
            "MB",
            rss.rss.clone(),
        )
        .detail(format!(
            "{}; its peak (VmHWM) {:.1} MB",
            beside(Samples(rss.rss.clone()).max(), main.rss),
            Samples(rss.peak.clone()).max()
        )),
    );
    let log = membership(&config, &fx).await?;
    let mut row = log.row();
    row.measure = format!("{at}: {}", row.measure);
    let detail = format!(
        "{}; {}",
        beside_as(log.samples.median(), main.membership, members, "members"),
        row.detail
    );
    rows.push(row.detail(detail));
    Ok(rows)
}

struct SyncRuns {
    seconds: Vec<f64>,
    wire: Vec<f64>,
    docs: Vec<Vec<u8>>,
    /// The same documents as signed files (bytes and every change's signature).
    signed: Vec<Vec<u8>>,
    edit_ms: Vec<f64>,
    /// (bytes on the wire, encoded change) for single small edits.
    one_edit: Vec<(f64, f64)>,
}

/// Opens a fresh copy of the fixture: A (the admin, holding everything) and B (Bob, who holds
/// only the workspace document).
async fn fresh_pair(fx: &Fixture, dir: &Path) -> Result<(Node, Node)> {
    let _ = std::fs::remove_dir_all(dir);
    copy_dir(&fx.admin, &dir.join("a"))?;
    copy_dir(&fx.bob_key, &dir.join("b"))?;
    let a = Node::open(&dir.join("a")).await?;
    let b = Node::join(&dir.join("b"), &fx.workspace).await?;
    Ok((a, b))
}

/// Two fresh peers of the fixture after B's initial sync from A over loopback, both still
/// serving, and how long the sync took.
struct Synced {
    a: Node,
    b: Node,
    /// B's device id.
    bob: String,
    serving_a: peer::Serving,
    serving_b: peer::Serving,
    seconds: f64,
}

impl Synced {
    /// A fresh pair in `dir`: A serves, B dials it; timed until B holds every document.
    async fn run(fx: &Fixture, dir: &Path) -> Result<Synced> {
        let (a, b) = fresh_pair(fx, dir).await?;
        let bob = device_id(&b).await?;
        let serving_a = serve(&a, &[]).await?;
        let mut events = b.subscribe();
        let t = Instant::now();
        let serving_b = serve(&b, std::slice::from_ref(&serving_a.addr)).await?;
        wait_docs(&b, &mut events, fx.bob_docs).await?;
        Ok(Synced {
            seconds: secs(t),
            a,
            b,
            bob,
            serving_a,
            serving_b,
        })
    }

    /// Stops both networks and closes both nodes.
    async fn close(self) -> Result<()> {
        self.serving_b.stop().await?;
        self.serving_a.stop().await?;
        self.a.shutdown().await?;
        self.b.shutdown().await?;
        Ok(())
    }
}

async fn initial_sync(config: &Config, fx: &Fixture, progress: &dyn Fn(&str)) -> Result<SyncRuns> {
    let mut out = SyncRuns {
        seconds: Vec::new(),
        wire: Vec::new(),
        docs: Vec::new(),
        signed: Vec::new(),
        edit_ms: Vec::new(),
        one_edit: Vec::new(),
    };
    for run in 0..config.runs {
        let dir = config.work.join(format!("sync-{run}"));
        let synced = Synced::run(fx, &dir).await?;
        let (a, b, bob, elapsed) = (&synced.a, &synced.b, &synced.bob, synced.seconds);
        let stats = traffic(a, bob).await?;
        out.seconds.push(elapsed);
        out.wire
            .push((stats.bytes_sent + stats.bytes_received) as f64);
        progress(&format!(
            "initial sync {}/{}: {} documents in {elapsed:.2} s",
            run + 1,
            config.runs,
            fx.bob_docs
        ));
        if run == 0 {
            for id in b.document_ids().await? {
                out.docs.push(b.saved_document(id.clone()).await?);
                out.signed
                    .push(b.call(move |c| c.document_bytes(&id)).await?);
            }
            out.edit_ms = edits(a, b, fx, config.edits).await?;
            progress(&format!("{} edits A → B timed", config.edits));
        }
        out.one_edit.push(one_edit(a, b, bob, fx, run).await?);
        synced.close().await?;
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(out)
}

/// Edits note `id` on A and waits until B reports it stored.
async fn edit_seen(
    a: &Node,
    events: &mut broadcast::Receiver<node::Event>,
    edit: ops::EditNote,
) -> Result<()> {
    let id = edit.id.clone();
    a.run(edit).await?;
    wait_doc(events, &id).await
}

async fn edits(a: &Node, b: &Node, fx: &Fixture, count: usize) -> Result<Vec<f64>> {
    let mut events = b.subscribe();
    let mut samples = Vec::with_capacity(count);
    for i in 0..count {
        let id = &fx.notes[i % fx.notes.len()];
        // One sentence added at the end of the body, as typing in the editor does (the
        // editor sends the whole text; the node stores the difference).
        let body = a.run(ops::Note { id: id.clone() }).await?.body;
        let t = Instant::now();
        let body = format!("{body}\n\nEdited {i}: what changed after the review.");
        edit_seen(
            a,
            &mut events,
            ops::EditNote {
                id: id.clone(),
                title: None,
                body: Some(body),
                add_tags: Vec::new(),
                remove_tags: Vec::new(),
                add_skills: Vec::new(),
                remove_skills: Vec::new(),
            },
        )
        .await?;
        samples.push(ms(t));
    }
    Ok(samples)
}

/// One small edit on A; returns the bytes both ways until the exchange settled, and the size of
/// the Automerge change it made.
async fn one_edit(a: &Node, b: &Node, bob: &str, fx: &Fixture, run: usize) -> Result<(f64, f64)> {
    let id = fx.notes[(run * 7 + 1) % fx.notes.len()].clone();
    let quiet = Duration::from_millis(300);
    let before = settled(a, bob, quiet).await?;
    let mut doc = AutoCommit::load(&a.saved_document(id.clone()).await?)?;
    let heads = doc.get_heads();
    let mut events = b.subscribe();
    let title = format!("Small edit {run}");
    edit_seen(
        a,
        &mut events,
        ops::EditNote {
            id: id.clone(),
            title: Some(title),
            body: None,
            add_tags: Vec::new(),
            remove_tags: Vec::new(),
            add_skills: Vec::new(),
            remove_skills: Vec::new(),
        },
    )
    .await?;
    let after = settled(a, bob, quiet).await?;
    let mut edited = AutoCommit::load(&a.saved_document(id).await?)?;
    let change: usize = edited
        .get_changes(&heads)
        .iter()
        .map(|c| c.raw_bytes().len())
        .sum();
    ensure!(change > 0, "the edit made no Automerge change");
    drop(doc);
    let wire =
        (after.bytes_sent - before.bytes_sent) + (after.bytes_received - before.bytes_received);
    Ok((wire as f64, change as f64))
}

/// In-process Automerge save + load of the `loaded` documents.
fn floor(loaded: &[AutoCommit], runs: usize) -> Samples {
    let mut samples = Vec::new();
    for _ in 0..runs {
        let mut copies: Vec<AutoCommit> = loaded.to_vec();
        let t = Instant::now();
        let saved: Vec<Vec<u8>> = copies.iter_mut().map(AutoCommit::save).collect();
        let back = saved.iter().filter(|s| AutoCommit::load(s).is_ok()).count();
        samples.push(secs(t));
        assert_eq!(back, loaded.len());
    }
    Samples(samples)
}

/// Automerge's sync protocol between two in-process documents, for each of `loaded`.
fn automerge_sync(loaded: &[AutoCommit], runs: usize) -> Samples {
    let mut samples = Vec::new();
    for _ in 0..runs {
        let mut sources = loaded.to_vec();
        let t = Instant::now();
        for source in &mut sources {
            let mut target = AutoCommit::new();
            let (mut s1, mut s2) = (sync::State::new(), sync::State::new());
            loop {
                let one = source.sync().generate_sync_message(&mut s1);
                let two = target.sync().generate_sync_message(&mut s2);
                if one.is_none() && two.is_none() {
                    break;
                }
                if let Some(m) = one {
                    let m = sync::Message::decode(&m.encode()).expect("own message decodes");
                    target
                        .sync()
                        .receive_sync_message(&mut s2, m)
                        .expect("own message applies");
                }
                if let Some(m) = two {
                    let m = sync::Message::decode(&m.encode()).expect("own message decodes");
                    source
                        .sync()
                        .receive_sync_message(&mut s1, m)
                        .expect("own message applies");
                }
            }
            assert_eq!(source.get_heads(), target.get_heads());
            let _ = target.length(automerge::ROOT);
        }
        samples.push(secs(t));
    }
    Samples(samples)
}

/// In-process admission of signed documents, and loading them unchecked, for comparison.
struct Admitted {
    /// Whole runs of `domain::admit_whole` over every document.
    checked: Samples,
    /// Whole runs of loading the same bytes without any check.
    loaded: Samples,
    /// Changes admitted in one run.
    changes: usize,
}

/// Admits every signed document file in `signed` as a device receiving it whole does: each
/// change's signature, its form on its past and the write rules for its author. Every author is
/// taken as an admitted member (the log's lookup is not what is measured); a refusal fails the
/// benchmark, since these documents were all written by honest devices.
fn admission(signed: &[Vec<u8>], runs: usize) -> Result<Admitted> {
    let files = signed
        .iter()
        .map(|f| match ::sync::protocol::Message::decode(f) {
            Ok(::sync::protocol::Message::Doc { bytes, sigs, .. }) => Ok((bytes, sigs)),
            _ => bail!("a stored document did not export as a signed file"),
        })
        .collect::<Result<Vec<_>>>()?;
    let member = |_: &str| domain::Standing::Member { admin: true };
    let (mut checked, mut loaded, mut changes) = (Vec::new(), Vec::new(), 0);
    for _ in 0..runs {
        let t = Instant::now();
        for (bytes, _) in &files {
            let doc = domain::load_doc(bytes)?;
            domain::read_meta(&doc)?;
        }
        loaded.push(secs(t));
        let t = Instant::now();
        changes = 0;
        for (bytes, sigs) in &files {
            let doc = domain::load_doc(bytes)?;
            let meta = domain::read_meta(&doc)?;
            let (_, admission) = domain::admit_whole(doc, &meta, sigs, &member);
            ensure!(
                admission.complete(),
                "document {} was not admitted whole: {:?}",
                meta.id,
                admission.refused.first().map(|r| &r.reason)
            );
            changes += admission.accepted.len();
        }
        checked.push(secs(t));
    }
    Ok(Admitted {
        checked: Samples(checked),
        loaded: Samples(loaded),
        changes,
    })
}

struct Resync {
    bytes: Vec<f64>,
    frames: Vec<(usize, usize)>,
    /// Initial syncs of the same documents, in seconds.
    sync_seconds: Vec<f64>,
    /// The documents, as B holds them.
    docs: Vec<Vec<u8>>,
}

/// Two peers that share `resync_docs` documents reconnect; what crosses the wire.
async fn resync(config: &Config, progress: &dyn Fn(&str)) -> Result<Resync> {
    let size = Size {
        notes: config.resync_docs.saturating_sub(1),
        members: 2,
        private: 0,
    };
    let fx = fixture::generate(&config.work.join("resync-fixture"), size).await?;
    let mut out = Resync {
        bytes: Vec::new(),
        frames: Vec::new(),
        sync_seconds: Vec::new(),
        docs: Vec::new(),
    };
    // Fresh initial syncs of these documents (timed, for the comparison at this size); the
    // last pair stays for the re-sync.
    let mut pair = None;
    for run in 0..config.runs {
        let synced = Synced::run(&fx, &config.work.join(format!("resync-{run}"))).await?;
        out.sync_seconds.push(synced.seconds);
        settled(&synced.a, &synced.bob, Duration::from_millis(300)).await?;
        let Synced {
            a,
            b,
            bob,
            serving_a,
            serving_b,
            ..
        } = synced;
        serving_b.stop().await?;
        serving_a.stop().await?;
        if let Some((a, b, _)) = pair.take() {
            let (a, b): (Node, Node) = (a, b);
            a.shutdown().await?;
            b.shutdown().await?;
        }
        pair = Some((a, b, bob));
    }
    let (a, b, bob) = pair.context("no run")?;
    for id in b.document_ids().await? {
        out.docs.push(b.saved_document(id).await?);
    }
    for _ in 0..config.runs {
        let before = traffic(&a, &bob).await?;
        let serving_a = serve(&a, &[]).await?;
        let serving_b = serve(&b, std::slice::from_ref(&serving_a.addr)).await?;
        let deadline = Instant::now() + peer::PATIENCE;
        while traffic(&a, &bob).await?.frames_received == before.frames_received {
            ensure!(Instant::now() < deadline, "B never reached A");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let after = settled(&a, &bob, Duration::from_millis(500)).await?;
        serving_b.stop().await?;
        serving_a.stop().await?;
        out.bytes.push(
            ((after.bytes_sent - before.bytes_sent)
                + (after.bytes_received - before.bytes_received)) as f64,
        );
        out.frames.push((
            after.frames_sent - before.frames_sent,
            after.frames_received - before.frames_received,
        ));
    }
    progress(&format!(
        "re-sync of {} documents: {:?}",
        fx.bob_docs, out.frames
    ));
    a.shutdown().await?;
    b.shutdown().await?;
    Ok(out)
}

/// Opening a data directory until the network listens.
async fn open_ready(config: &Config, fx: &Fixture) -> Result<Samples> {
    let dir = config.work.join("open");
    copy_dir(&fx.admin, &dir)?;
    let mut samples = Vec::new();
    for _ in 0..config.runs.max(5) {
        let t = Instant::now();
        let a = Node::open(&dir).await?;
        let serving = serve(&a, &[]).await?;
        samples.push(ms(t));
        serving.stop().await?;
        a.shutdown().await?;
    }
    Ok(Samples(samples))
}

async fn search(config: &Config, fx: &Fixture) -> Result<Samples> {
    let dir = config.work.join("search");
    copy_dir(&fx.admin, &dir)?;
    let a = Node::open(&dir).await?;
    let mut samples = Vec::new();
    let mut hits = 0;
    for i in 0..config.searches {
        let word = fx.words[(i * 11) % fx.words.len()];
        let t = Instant::now();
        hits += a
            .run(ops::Search {
                query: word.to_owned(),
            })
            .await?
            .len();
        samples.push(ms(t));
    }
    ensure!(hits > 0, "no search found anything");
    a.shutdown().await?;
    Ok(Samples(samples))
}

/// The programme's figures, asked again and again of one open node.
async fn programme(config: &Config, fx: &Fixture) -> Result<Samples> {
    let dir = config.work.join("programme");
    copy_dir(&fx.admin, &dir)?;
    let a = Node::open(&dir).await?;
    let mut samples = Vec::new();
    let mut shared = 0;
    for _ in 0..config.runs.max(5) {
        let t = Instant::now();
        let p = a.run(ops::Programme { since: None }).await?;
        samples.push(ms(t));
        shared += p.sharing.iter().map(|r| r.notes).sum::<u32>();
    }
    ensure!(shared > 0, "the programme counted no note written");
    a.shutdown().await?;
    Ok(Samples(samples))
}

struct Memory {
    rss: Vec<f64>,
    peak: Vec<f64>,
}

/// Reads a `/proc/PID/status` field in MB.
pub(crate) fn proc_mb(pid: u32, field: &str) -> Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .with_context(|| format!("no {field} for process {pid}"))?;
    Ok(kib * 1024.0 / 1_000_000.0)
}

async fn memory(config: &Config, fx: &Fixture) -> Result<Memory> {
    use std::io::{BufRead, BufReader};
    let mut out = Memory {
        rss: Vec::new(),
        peak: Vec::new(),
    };
    for run in 0..config.runs {
        let dir = config.work.join(format!("memory-{run}"));
        let _ = std::fs::remove_dir_all(&dir);
        copy_dir(&fx.admin, &dir.join("a"))?;
        copy_dir(&fx.bob_key, &dir.join("b"))?;
        let mut child = std::process::Command::new(&config.exe)
            .arg("serve-peer")
            .arg(dir.join("a"))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start {}", config.exe.display()))?;
        let pid = child.id();
        let stdout = child.stdout.take().context("no stdout")?;
        let line = tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            BufReader::new(stdout).read_line(&mut line).map(|_| line)
        })
        .await??;
        let Some(addr) = line.trim_end().strip_prefix("listening ") else {
            let _ = child.kill();
            bail!("the serving peer printed no address");
        };
        let b = Node::join(&dir.join("b"), &fx.workspace).await?;
        let mut events = b.subscribe();
        let serving_b = serve(&b, &[addr.to_owned()]).await?;
        let synced = wait_docs(&b, &mut events, fx.bob_docs).await;
        let measured = synced.and_then(|()| Ok((proc_mb(pid, "VmRSS:")?, proc_mb(pid, "VmHWM:")?)));
        serving_b.stop().await?;
        b.shutdown().await?;
        drop(child.stdin.take());
        let (rss, peak) = match measured {
            Ok(m) => m,
            Err(e) => {
                let _ = child.kill();
                return Err(e);
            }
        };
        out.rss.push(rss);
        out.peak.push(peak);
        let status = tokio::task::spawn_blocking(move || child.wait()).await??;
        ensure!(status.success(), "the serving peer ended with {status}");
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(out)
}

/// `peers` peers join one workspace, each makes one edit; seconds until all converged.
async fn converge(config: &Config) -> Result<Samples> {
    let mut samples = Vec::new();
    for run in 0..config.runs {
        let dir = config.work.join(format!("converge-{run}"));
        let _ = std::fs::remove_dir_all(&dir);
        let first = Node::init(&dir.join("p0"), "Peer 0", "Acme").await?;
        let mut ids = Vec::new();
        for p in 1..config.peers {
            let id = Node::init_device(&dir.join(format!("p{p}")))?;
            first.add_member(id.clone(), format!("Peer {p}")).await?;
            ids.push(id);
        }
        let workspace = first.join_package().await?;
        let mut nodes = vec![first];
        for p in 1..config.peers {
            nodes.push(Node::join(&dir.join(format!("p{p}")), &workspace).await?);
        }
        let hub = serve(&nodes[0], &[]).await?;
        let mut serving = Vec::new();
        for node in &nodes[1..] {
            serving.push(serve(node, std::slice::from_ref(&hub.addr)).await?);
        }
        // Every peer is connected once the hub has heard from each.
        let deadline = Instant::now() + peer::PATIENCE;
        loop {
            let stats = nodes[0].sync_stats().await?;
            if ids
                .iter()
                .all(|id| stats.get(id).is_some_and(|s| s.frames_received > 0))
            {
                break;
            }
            ensure!(Instant::now() < deadline, "not every peer connected");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let mut streams: Vec<_> = nodes.iter().map(Node::subscribe).collect();
        let t = Instant::now();
        let writes = nodes.iter().enumerate().map(|(p, node)| {
            node.run(ops::AddNote {
                draft: NoteDraft {
                    title: format!("From peer {p}"),
                    body: "one edit each".into(),
                    ..NoteDraft::default()
                },
            })
        });
        for written in futures::future::join_all(writes).await {
            written?;
        }
        let want = 1 + config.peers;
        let waits = nodes
            .iter()
            .zip(streams.iter_mut())
            .map(|(node, events)| wait_docs(node, events, want));
        for waited in futures::future::join_all(waits).await {
            waited?;
        }
        samples.push(secs(t));
        for s in serving {
            s.stop().await?;
        }
        hub.stop().await?;
        for node in nodes {
            node.shutdown().await?;
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    if samples.is_empty() {
        bail!("no convergence run");
    }
    Ok(Samples(samples))
}

/// The reach measures ([`reach`]): rows with their figures, or with the reason they could not be
/// taken here.
async fn reach_rows(
    config: &Config,
    fx: &Fixture,
    sync: &SyncRuns,
    progress: &dyn Fn(&str),
    rows: &mut Vec<Row>,
) {
    let n = fx.bob_docs;
    let relayed_label = format!(
        "initial sync through the team's relay, both homes behind symmetric NATs, in network \
         namespaces ({n} documents)"
    );
    let direct_label = "the same sync direct: A at a public address, B behind its NAT".to_owned();
    let link_label = "bytes on B's link for that sync: relayed".to_owned();
    let direct_link_label = "the same, direct".to_owned();
    progress("initial sync through a relay, in network namespaces");
    match reach::initial_sync(config, fx, progress).await {
        Ok(reach) => {
            let (relayed, direct) = (&reach.relayed, &reach.direct);
            let ratio = Samples(relayed.seconds.clone()).median()
                / Samples(direct.seconds.clone()).median();
            let loopback = Samples(sync.seconds.clone()).median();
            rows.push(
                Row::new(relayed_label, "s", relayed.seconds.clone()).detail(format!(
                    "B dials A through a members-only relay (libp2p circuit relay v2, \
                     `xtask relay-peer`, holding no data) and the hole punch cannot succeed; \
                     path B reported: {:?}; relayed / direct = {ratio:.2}; {:.1} MiB of sync \
                     frames (over loopback in-process: {loopback:.2} s)",
                    relayed.paths,
                    Samples(relayed.frames.clone()).median() / 1_048_576.0
                )),
            );
            rows.push(
                Row::new(direct_label, "s", direct.seconds.clone()).detail(format!(
                    "the same processes and data, B dialing A's address; path B reported: {:?}; \
                     {:.1} MiB of sync frames",
                    direct.paths,
                    Samples(direct.frames.clone()).median() / 1_048_576.0
                )),
            );
            let mb = |v: &[f64]| v.iter().map(|b| b / 1_000_000.0).collect::<Vec<_>>();
            rows.push(
                Row::new(link_label, "MB", mb(&relayed.link)).detail(format!(
                    "rx + tx of B's interface from its start until it held every document \
                     (frames, Noise, yamux, TCP/IP, relay and hole-punch signalling); \
                     relayed / direct = {:.2}",
                    Samples(relayed.link.clone()).median() / Samples(direct.link.clone()).median()
                )),
            );
            rows.push(Row::new(direct_link_label, "MB", mb(&direct.link)));
        }
        Err(e) => {
            let why = format!("not measured: {e:#}");
            for label in [relayed_label, direct_label, link_label, direct_link_label] {
                rows.push(Row::new(label, "s", Vec::new()).detail(why.clone()));
            }
        }
    }
    progress("joining by code in a meeting room, in network namespaces");
    let label = "from typing a code to holding the admin's note: a meeting room in network \
                 namespaces (mDNS, SPAKE2, ticket, join, first sync)";
    rows.push(match reach::code_to_note(config).await {
        Ok(seconds) => Row::new(label, "s", seconds).detail(
            "`xtask code-join` beside the admin's serving device on one LAN segment; from \
             `Node::join_with_code` until it returns holding the note",
        ),
        Err(e) => Row::new(label, "s", Vec::new()).detail(format!("not measured: {e:#}")),
    });
}
