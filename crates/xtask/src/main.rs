//! `cargo xtask bench`: see the crate documentation and `BENCHMARKS.md`.

#![allow(clippy::print_stderr)] // progress goes to stderr

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use xtask::fixture::Size;

#[derive(Parser)]
#[command(name = "xtask", about = "Entrepairs project tasks")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

/// The size of the generated workspace, for `bench` and `fixture`.
#[derive(Args)]
struct SizeArgs {
    /// Notes in the generated workspace.
    #[arg(long, default_value_t = 10_000)]
    notes: usize,
    /// Members, the admin included.
    #[arg(long, default_value_t = 50)]
    members: usize,
    /// Private documents.
    #[arg(long, default_value_t = 200)]
    private: usize,
}

impl SizeArgs {
    fn size(&self) -> Size {
        Size {
            notes: self.notes,
            members: self.members,
            private: self.private,
        }
    }
}

/// The sizes and outputs of `bench`.
#[derive(Args)]
struct BenchArgs {
    #[command(flatten)]
    size: SizeArgs,
    /// Repetitions of each whole-run measure.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Edits timed from one peer to another.
    #[arg(long, default_value_t = 1000)]
    edits: usize,
    /// Documents shared by the two peers of the re-sync measure.
    #[arg(long, default_value_t = 1000)]
    resync_docs: usize,
    /// Peers of the convergence measure.
    #[arg(long, default_value_t = 20)]
    peers: usize,
    /// Searches timed.
    #[arg(long, default_value_t = 200)]
    searches: usize,
    /// Notes of the workspace measured once more at scale.
    #[arg(long, default_value_t = 50_000)]
    scale_notes: usize,
    /// Members of the workspace at scale.
    #[arg(long, default_value_t = 500)]
    scale_members: usize,
    /// Private documents of the workspace at scale.
    #[arg(long, default_value_t = 1_000)]
    scale_private: usize,
    /// Leave out the run at scale.
    #[arg(long)]
    no_scale: bool,
    /// Leave out the automerge-repo comparison (needs Node.js and npm).
    #[arg(long)]
    no_automerge_repo: bool,
    /// Leave out the samod comparison.
    #[arg(long)]
    no_samod: bool,
    /// Leave out the desktop app measured beside the empty Tauri app.
    #[arg(long)]
    no_desktop: bool,
    /// The desktop app to measure, already built (with --empty-app, built in the same
    /// profile); without them, both are built as the installer is (`dist` profile).
    #[arg(long, requires = "empty_app", conflicts_with = "no_desktop")]
    desktop_app: Option<PathBuf>,
    /// The empty app to measure the desktop beside (`crates/empty-app`), already built.
    #[arg(long, requires = "desktop_app")]
    empty_app: Option<PathBuf>,
    /// Seconds each app is left idle on its first screen.
    #[arg(long, default_value_t = 60)]
    idle_secs: u64,
    /// Where to write the report.
    #[arg(long, default_value = "BENCHMARKS.md")]
    out: PathBuf,
    /// Where to generate data directories (emptied first).
    #[arg(long, default_value = "target/bench-work")]
    work: PathBuf,
}

#[derive(Subcommand)]
enum Task {
    /// Generate a workspace, run every measure and write BENCHMARKS.md.
    Bench(BenchArgs),
    /// Generate the bench's workspace into DIR (emptied first): DIR/admin is its admin's data
    /// folder, to open the app on (`ENTREPAIRS_DATA_DIR=DIR/admin`) at a given size.
    Fixture {
        /// Where to generate it.
        dir: PathBuf,
        #[command(flatten)]
        size: SizeArgs,
    },
    /// Serve a data directory until stdin closes (the harness's separate peer).
    #[command(hide = true)]
    ServePeer {
        /// The data directory.
        dir: PathBuf,
        /// The address to listen on.
        #[arg(long, default_value = xtask::peer::LOOPBACK)]
        listen: String,
        /// Find and be found on the LAN (mDNS).
        #[arg(long)]
        mdns: bool,
        /// Make a code a newcomer can join with, and print it.
        #[arg(long)]
        invite_code: bool,
    },
    /// Run a member device's network alone as a relay for members, until stdin closes.
    #[command(hide = true)]
    RelayPeer {
        /// The directory holding the device key.
        key_dir: PathBuf,
        /// The address to listen on.
        #[arg(long)]
        listen: String,
        /// A member's device id (repeated).
        #[arg(long = "member")]
        members: Vec<String>,
    },
    /// Serve a data directory dialing an address until it holds N documents.
    #[command(hide = true)]
    FetchPeer {
        /// The data directory.
        dir: PathBuf,
        /// The address to dial.
        #[arg(long)]
        dial: String,
        /// The documents to wait for.
        #[arg(long)]
        want: usize,
        /// The peer whose traffic and path to report.
        #[arg(long)]
        from: String,
    },
    /// Join with a code read aloud, as Bob.
    #[command(hide = true)]
    CodeJoin {
        /// The new data directory.
        dir: PathBuf,
        /// The code.
        #[arg(long)]
        code: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The nodes' own logs, when asked for (ENTREPAIRS_LOG=debug, as for `entrepairs`).
    if let Ok(filter) = std::env::var("ENTREPAIRS_LOG") {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_writer(std::io::stderr)
            .init();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.task {
            Task::Fixture { dir, size } => {
                xtask::fixture::clear(&dir)?;
                let fx = xtask::fixture::generate(&dir, size.size()).await?;
                eprintln!(
                    "fixture: {} notes, {} members, {} private documents in {}",
                    size.notes,
                    size.members,
                    size.private,
                    fx.admin.display()
                );
                Ok(())
            }
            Task::ServePeer {
                dir,
                listen,
                mdns,
                invite_code,
            } => xtask::reach::serve_peer(&dir, &listen, mdns, invite_code).await,
            Task::RelayPeer {
                key_dir,
                listen,
                members,
            } => xtask::reach::relay_peer(&key_dir, &listen, &members).await,
            Task::FetchPeer {
                dir,
                dial,
                want,
                from,
            } => xtask::reach::fetch_peer(&dir, &dial, want, &from).await,
            Task::CodeJoin { dir, code } => xtask::reach::code_join(&dir, &code).await,
            Task::Bench(args) => {
                anyhow::ensure!(
                    args.runs >= 1 && args.edits >= 1 && args.searches >= 1,
                    "--runs, --edits and --searches must be at least 1"
                );
                anyhow::ensure!(
                    args.size.notes >= 1 && args.peers >= 2 && args.resync_docs >= 2,
                    "--notes must be at least 1, --peers and --resync-docs at least 2"
                );
                anyhow::ensure!(
                    args.no_scale || (args.scale_notes >= 1 && args.scale_members >= 2),
                    "--scale-notes must be at least 1 and --scale-members at least 2"
                );
                let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
                let desktop = if args.no_desktop {
                    None
                } else {
                    let (desktop, empty, profile) = match (args.desktop_app, args.empty_app) {
                        (Some(desktop), Some(empty)) => {
                            // The profile is the folder cargo built them in.
                            let profile = desktop.parent().and_then(|p| p.file_name()).map_or_else(
                                || "given".into(),
                                |p| p.to_string_lossy().into_owned(),
                            );
                            (desktop, empty, profile)
                        }
                        _ => {
                            eprintln!(
                                "bench: building the desktop app and the empty app (`dist` profile)"
                            );
                            let (desktop, empty) = xtask::desktop::build_dist(
                                &xtask::workspace_root(),
                                &xtask::target_dir(),
                            )?;
                            (desktop, empty, "dist".to_owned())
                        }
                    };
                    Some(xtask::desktop::Apps {
                        desktop,
                        empty,
                        profile,
                        idle: std::time::Duration::from_secs(args.idle_secs),
                    })
                };
                let config = xtask::Config {
                    size: args.size.size(),
                    runs: args.runs,
                    edits: args.edits,
                    resync_docs: args.resync_docs,
                    peers: args.peers,
                    searches: args.searches,
                    automerge_repo: (!args.no_automerge_repo).then(|| root.join("automerge-repo")),
                    samod: !args.no_samod,
                    exe: std::env::current_exe()?,
                    work: args.work,
                    scale: (!args.no_scale).then_some(Size {
                        notes: args.scale_notes,
                        members: args.scale_members,
                        private: args.scale_private,
                    }),
                    desktop,
                };
                let report = xtask::run(&config, &|line| eprintln!("bench: {line}")).await?;
                let command = std::env::args().skip(1).collect::<Vec<_>>().join(" ");
                let existing = std::fs::read_to_string(&args.out).unwrap_or_default();
                let md = xtask::report::markdown(
                    &report,
                    &format!("cargo xtask {command}"),
                    xtask::report::kept_analysis(&existing),
                );
                std::fs::write(&args.out, &md)?;
                eprintln!("{md}");
                eprintln!("bench: written to {}", args.out.display());
                Ok(())
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
