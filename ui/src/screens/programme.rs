//! The learning programme, as an L&D lead reports on it: sessions held per month and format,
//! turnout and ratings, mentoring on cadence (counts only, over at least three relationships),
//! reciprocity of the time given, the skills at risk over time and who shares — with bar charts
//! drawn here in SVG, and the figures saved as CSV or Markdown.

use ipc::ops;
use ipc::sets::FileFormat;
use ipc::views::{ProgrammeView, ReciprocityRow};
use leptos::prelude::*;

use crate::components::data::{loaded, saving, watched};
use crate::components::error::ErrorLine;
use crate::components::labels::Labelled;
use crate::i18n::I18n;
use crate::tauri::call;

/// The chart's drawing box.
const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 160.0;

/// A day a year back, `YYYY-MM-DD`: the period's default start.
fn a_year_back() -> String {
    let date = js_sys::Date::new_0();
    date.set_full_year(date.get_full_year() - 1);
    format!(
        "{:04}-{:02}-{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date()
    )
}

/// `2026-11` as `26-11`, the charts' axis label.
fn short_month(month: &str) -> String {
    month.get(2..).unwrap_or(month).to_owned()
}

/// Vertical bars, one per `(label, value)`, each with its value written above it.
#[component]
fn Bars(id: &'static str, title: String, bars: Vec<(String, u32)>) -> impl IntoView {
    let max = bars.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let slot = WIDTH / bars.len().max(1) as f64;
    let view_box = format!("0 0 {WIDTH} {}", HEIGHT + 36.0);
    let aria = title.clone();
    view! {
        <svg id=id class="chart" role="img" viewBox=view_box aria-label=aria>
            <title>{title}</title>
            {bars
                .into_iter()
                .enumerate()
                .map(|(i, (label, value))| {
                    let h = (HEIGHT - 16.0) * f64::from(value) / f64::from(max);
                    let x = i as f64 * slot + slot * 0.15;
                    let w = slot * 0.7;
                    let y = HEIGHT - h;
                    let middle = x + w / 2.0;
                    let data = label.clone();
                    view! {
                        <g class="bar" data-label=data data-value=value.to_string()>
                            <rect x=x y=y width=w height=h></rect>
                            <text x=middle y=y - 4.0 text-anchor="middle">{value.to_string()}</text>
                            <text x=middle y=HEIGHT + 16.0 text-anchor="middle" class="axis">
                                {label}
                            </text>
                        </g>
                    }
                })
                .collect_view()}
        </svg>
    }
}

/// Given and received side by side, one row per colleague.
#[component]
fn Reciprocity(rows: Vec<ReciprocityRow>) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let max = rows
        .iter()
        .map(|r| r.given.max(r.received))
        .max()
        .unwrap_or(0)
        .max(1);
    let row_h = 22.0;
    let half = WIDTH / 2.0;
    let height = row_h * rows.len() as f64 + 24.0;
    let view_box = format!("0 0 {WIDTH} {height}");
    view! {
        <svg id="programme-reciprocity" class="chart" role="img" viewBox=view_box>
            <title>{move || i18n.t("programme.reciprocity")}</title>
            <text x=half - 8.0 y="14" text-anchor="end" class="axis">
                {move || i18n.t("programme.given")}
            </text>
            <text x=half + 8.0 y="14" class="axis">{move || i18n.t("programme.received")}</text>
            {rows
                .into_iter()
                .enumerate()
                .map(|(i, r)| {
                    let y = 24.0 + i as f64 * row_h;
                    let scale = (half - 110.0) / f64::from(max);
                    let given = f64::from(r.given) * scale;
                    let received = f64::from(r.received) * scale;
                    view! {
                        <g class="person" data-name=r.who.name.clone()>
                            <text x="0" y=y + 14.0 class="axis">{r.who.name.clone()}</text>
                            <rect class="given" x=half - given y=y + 3.0 width=given height=row_h - 6.0></rect>
                            <rect class="received" x=half y=y + 3.0 width=received height=row_h - 6.0></rect>
                            <text x=half + received + 4.0 y=y + 14.0 class="axis">
                                {format!("{} / {} min", r.given, r.received)}
                            </text>
                        </g>
                    }
                })
                .collect_view()}
        </svg>
    }
}

/// Saves the figures as CSV or Markdown into the export folder.
#[component]
fn Export(since: RwSignal<String>) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let saved: RwSignal<Option<String>> = RwSignal::new(None);
    let error: RwSignal<Option<ipc::Error>> = RwSignal::new(None);
    let save = move |format: FileFormat| {
        let since = Some(since.get_untracked()).filter(|s| !s.is_empty());
        let save = async move {
            let dir = call(&ops::DefaultExportDir {}).await?;
            call(&ops::SaveProgramme { since, format, dir }).await
        };
        saving(save, saved, error);
    };
    view! {
        <div class="export">
            <button id="programme-csv" type="button" on:click=move |_| save(FileFormat::Csv)>
                {move || i18n.t("programme.save_csv")}
            </button>
            <button id="programme-markdown" type="button" on:click=move |_| save(FileFormat::Markdown)>
                {move || i18n.t("programme.save_markdown")}
            </button>
            {move || {
                saved
                    .get()
                    .map(|path| {
                        view! {
                            <p id="programme-saved" class="saved" role="status">
                                {move || i18n.tf("programme.saved", &[("file", &path)])}
                            </p>
                        }
                    })
            }}
            {move || error.get().map(|e| view! { <ErrorLine error=e/> })}
        </div>
    }
}

fn figures(i18n: I18n, p: ProgrammeView) -> impl IntoView {
    let per_month: Vec<(String, u32)> = p
        .months
        .iter()
        .map(|m| {
            (
                short_month(&m.month),
                m.held.iter().map(|h| h.sessions).sum(),
            )
        })
        .collect();
    let at_risk: Vec<(String, u32)> = p
        .at_risk
        .iter()
        .map(|r| (short_month(&r.month), r.skills))
        .collect();
    let held: u32 = p.formats.iter().map(|f| f.held).sum();
    let (people, both) = (p.participants.to_string(), p.give_and_receive.to_string());
    let held_text = held.to_string();
    let min = ProgrammeView::PRIVATE_MIN.to_string();
    let min_reviews = min.clone();
    view! {
        <p id="programme-summary">
            {move || i18n.tf("programme.summary", &[("sessions", &held_text), ("people", &people)])}
        </p>
        <h2>{move || i18n.t("programme.per_month")}</h2>
        <Bars id="programme-months" title=i18n.t("programme.per_month") bars=per_month/>
        <table id="programme-formats">
            <thead>
                <tr>
                    <th>{move || i18n.t("programme.format")}</th>
                    <th>{move || i18n.t("programme.held")}</th>
                    <th>{move || i18n.t("programme.participants")}</th>
                    <th>{move || i18n.t("programme.rating")}</th>
                </tr>
            </thead>
            <tbody>
                {p
                    .formats
                    .iter()
                    .map(|f| {
                        let format = f.format;
                        let rating = f.rating.map_or_else(|| "–".to_owned(), |r| format!("{r:.1}"));
                        view! {
                            <tr data-format=format.as_str()>
                                <td>{move || format.label(i18n)}</td>
                                <td>{f.held}</td>
                                <td>{f.participants}</td>
                                <td>{rating}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        <h2>{move || i18n.t("programme.mentoring")}</h2>
        <ul id="programme-private">
            {match p.mentoring.clone() {
                Some(m) => {
                    let (active, on, logged) = (m.active.to_string(), m.on_cadence.to_string(), m.sessions.to_string());
                    view! {
                        <li id="programme-mentoring">
                            {move || {
                                i18n.tf(
                                    "programme.mentoring_counts",
                                    &[("active", &active), ("on", &on), ("sessions", &logged)],
                                )
                            }}
                        </li>
                    }
                        .into_any()
                }
                None => {
                    view! {
                        <li id="programme-mentoring" class="muted">
                            {move || i18n.tf("programme.too_few_mentoring", &[("min", &min)])}
                        </li>
                    }
                        .into_any()
                }
            }}
            {match p.reviews_submitted {
                Some(n) => {
                    let n = n.to_string();
                    view! { <li>{move || i18n.tf("programme.reviews", &[("count", &n)])}</li> }.into_any()
                }
                None => {
                    view! {
                        <li class="muted">
                            {move || i18n.tf("programme.too_few_reviews", &[("min", &min_reviews)])}
                        </li>
                    }
                        .into_any()
                }
            }}
        </ul>
        <h2>{move || i18n.t("programme.reciprocity")}</h2>
        <p>{move || i18n.tf("programme.both", &[("count", &both)])}</p>
        {if p.reciprocity.is_empty() {
            view! { <p class="muted">{move || i18n.t("programme.no_time")}</p> }.into_any()
        } else {
            view! { <Reciprocity rows=p.reciprocity.clone()/> }.into_any()
        }}
        <h2>{move || i18n.t("programme.at_risk")}</h2>
        <Bars id="programme-risk" title=i18n.t("programme.at_risk") bars=at_risk/>
        <h2>{move || i18n.t("programme.sharing")}</h2>
        <table id="programme-sharing">
            <thead>
                <tr>
                    <th>{move || i18n.t("programme.member")}</th>
                    <th>{move || i18n.t("sharing.notes")}</th>
                    <th>{move || i18n.t("sharing.answers")}</th>
                    <th>{move || i18n.t("sharing.sessions")}</th>
                    <th>{move || i18n.t("sharing.minutes")}</th>
                    <th>{move || i18n.t("sharing.endorsements")}</th>
                </tr>
            </thead>
            <tbody>
                {p
                    .sharing
                    .iter()
                    .map(|s| {
                        view! {
                            <tr data-name=s.who.name.clone()>
                                <td>{s.who.name.clone()}</td>
                                <td>{s.notes}</td>
                                <td>{s.answers}</td>
                                <td>{s.sessions}</td>
                                <td>{s.minutes_given}</td>
                                <td>{s.endorsements}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

#[component]
pub(crate) fn Programme() -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let since = RwSignal::new(a_year_back());
    let programme = watched(move || ops::Programme {
        since: Some(since.get()).filter(|s| !s.is_empty()),
    });
    view! {
        <section class="programme">
            <h1>{move || i18n.t("programme.title")}</h1>
            <p class="muted">{move || i18n.t("programme.help")}</p>
            <label for="programme-since">{move || i18n.t("programme.since")}</label>
            <input
                id="programme-since"
                type="date"
                prop:value=move || since.get()
                on:change=move |ev| since.set(event_target_value(&ev))
            />
            <Export since/>
            {loaded(programme, move |p| figures(i18n, p).into_any())}
        </section>
    }
}
