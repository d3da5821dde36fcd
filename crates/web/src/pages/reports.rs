//! *Rapports*: the funders' report (`carnet_report`) over a period — its tables, a bar chart
//! per section (inline SVG: no script, no inline style), small counts shown as "<5", and the
//! CSV download in the page's language (its labels and number format). Counts only, never a
//! name.

use axum::extract::Query;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use carnet_model::RecordKind;
use carnet_report::{Cell, Report, Request, labels};
use chrono::{Datelike, NaiveDate};
use maud::{Markup, html};
use serde::Deserialize;

use crate::app::{Unlocked, html};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::layout::Nav;
use crate::pages::frame;

/// The period and project asked for (dates and a project id: nothing personal).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ReportQuery {
    from: Option<String>,
    to: Option<String>,
    project: Option<String>,
}

fn date(typed: Option<&str>, default: NaiveDate) -> Result<NaiveDate, ()> {
    match typed.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(t) => NaiveDate::parse_from_str(t, "%d/%m/%Y")
            .or_else(|_| NaiveDate::parse_from_str(t, "%Y-%m-%d"))
            .map_err(|_| ()),
    }
}

/// A report label (fixed English words from `carnet_report`, or a project title) in the page's
/// language.
fn label(tr: Tr<'_>, l: &str) -> String {
    let fixed = [
        (labels::MEMBERSHIP, "rep-membership"),
        (labels::ACTIVE, "rep-active"),
        (labels::NOT_ACTIVE, "rep-not-active"),
        (labels::FORMER, "rep-former"),
        (labels::JOINS, "rep-joins"),
        (labels::REJOINS, "rep-rejoins"),
        (labels::DEPARTURES, "rep-departures"),
        (labels::NEW_ACTIVE, "rep-new-active"),
        (labels::SESSIONS, "rep-sessions"),
        (labels::PARTICIPANTS, "rep-participants"),
        (labels::ATTENDANCES, "rep-attendances"),
        (labels::MEAN_ATTENDANCE, "rep-mean-attendance"),
        (labels::ACTIVITIES, "rep-activities"),
        (labels::TALKING_GROUPS, "rep-talking-groups"),
        (labels::REFERRALS, "rep-referrals"),
        (labels::GOVERNANCE, "rep-governance"),
        (labels::ASSEMBLIES, "rep-assemblies"),
    ];
    if let Some((_, key)) = fixed.iter().find(|(f, _)| *f == l) {
        return tr.t(key);
    }
    let destinations = [
        ("acse", "rep-dest-acse"),
        ("psp", "rep-dest-psp"),
        ("lawyer", "rep-dest-lawyer"),
        ("housing", "rep-dest-housing"),
        ("psychologist", "rep-dest-psychologist"),
        ("coalition-partner", "rep-dest-coalition-partner"),
        ("charity", "rep-dest-charity"),
        ("other", "rep-dest-other"),
    ];
    let destination = |d: &str| {
        destinations
            .iter()
            .find(|(word, _)| labels::destination(word) == d)
            .map(|(_, key)| tr.t(key))
            .unwrap_or_else(|| d.to_owned())
    };
    if let Some(title) = l.strip_prefix(labels::PROJECT_PREFIX) {
        return tr.ta("rep-project", &[("title", title.to_owned())]);
    }
    for (suffix, key) in [
        (labels::REFERRALS_SUFFIX, "rep-referrals-to"),
        (labels::MEAN_DAYS_SUFFIX, "rep-mean-days-to"),
    ] {
        if let Some(dest) = l.strip_suffix(suffix) {
            return tr.ta(key, &[("destination", destination(dest))]);
        }
    }
    l.to_owned()
}

fn shown(tr: Tr<'_>, r: &Report, c: Cell) -> String {
    match c {
        Cell::NotApplicable => tr.t("not-applicable"),
        Cell::Mean(m) => match tr.lang {
            crate::i18n::Lang::Fr => format!("{m:.1}").replace('.', ","),
            crate::i18n::Lang::En => format!("{m:.1}"),
        },
        c => r.show(c),
    }
}

/// A bar chart of a section's counts, each bar under its label (suppressed counts drawn as a
/// short grey stub marked "<5"; means and n/a are left to the table).
fn chart(tr: Tr<'_>, r: &Report, rows: &[carnet_report::Row], title: &str) -> Markup {
    let rows: Vec<&carnet_report::Row> = rows
        .iter()
        .filter(|row| matches!(row.value, Cell::Count(_) | Cell::Suppressed))
        .collect();
    let max = rows
        .iter()
        .filter_map(|row| match row.value {
            Cell::Count(n) => Some(n as f64),
            _ => None,
        })
        .fold(0.0f64, f64::max)
        .max(1.0);
    let step = 46;
    let height = rows.len() * step + 4;
    html! {
        @if !rows.is_empty() {
            svg.chart viewBox=(format!("0 0 600 {height}")) width="100%" role="img"
                aria-label=(tr.ta("chart-label", &[("title", title.to_owned())])) {
                @for (i, row) in rows.iter().enumerate() {
                    @let y = i * step;
                    @let (w, class) = match row.value {
                        Cell::Count(n) => ((n as f64 / max * 480.0).max(2.0), "bar"),
                        _ => (12.0, "bar suppressed"),
                    };
                    text.label x="0" y=(y + 15) { (label(tr, &row.label)) }
                    rect class=(class) x="0" y=(y + 21) width=(format!("{w:.1}")) height="18" {}
                    text x=(format!("{:.1}", w + 8.0)) y=(y + 35) { (shown(tr, r, row.value)) }
                }
            }
        }
    }
}

fn period(u: &Unlocked, q: &ReportQuery) -> Result<Request, (Option<&'static str>, String)> {
    let tr = u.tr();
    let today = u.app.now().date_naive();
    let january = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    let from = date(q.from.as_deref(), january).map_err(|_| {
        (
            Some("from"),
            tr.ta("err-invalid-date", &[("field", tr.t("report-from"))]),
        )
    })?;
    let to = date(q.to.as_deref(), today).map_err(|_| {
        (
            Some("to"),
            tr.ta("err-invalid-date", &[("field", tr.t("report-to"))]),
        )
    })?;
    if to < from {
        return Err((Some("to"), tr.t("report-reversed")));
    }
    let mut req = Request::new(from, to);
    req.project = q.project.clone().filter(|p| !p.is_empty());
    Ok(req)
}

/// `GET /reports`.
pub(crate) async fn reports(
    u: Unlocked,
    Query(q): Query<ReportQuery>,
) -> Result<Response, WebError> {
    let tr = u.tr();
    let request = period(&u, &q);
    let asked = request.as_ref().ok().cloned();
    let (projects, report) = u
        .with_device(move |_, device| {
            let projects = device.list_shared(RecordKind::Project)?;
            let report = match asked {
                Some(req) => Some(carnet_report::report(&device.snapshot()?, &req)),
                None => None,
            };
            Ok((projects, report))
        })
        .await?;
    let error = request.as_ref().err().cloned();
    let field_err = |f: &str| {
        error
            .as_ref()
            .filter(|(n, _)| *n == Some(f))
            .map(|(_, m)| m.clone())
    };
    let typed = |v: &Option<String>, d: Option<NaiveDate>| {
        v.clone()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| d.map(|d| tr.date(d)).unwrap_or_default())
    };
    let from_v = typed(&q.from, request.as_ref().ok().map(|r| r.from));
    let to_v = typed(&q.to, request.as_ref().ok().map(|r| r.to));
    let body = html! {
        @if let Some((_, msg)) = &error {
            div.error-summary role="alert" id="error-summary" {
                h2 { (tr.t("error-summary-title")) }
                ul { li { a href=(format!("#report-{}", error.as_ref().and_then(|e| e.0).unwrap_or("from"))) { (msg) } } }
            }
        }
        form.filters method="get" action="/reports" {
            @for (name, key, value) in [("from", "report-from", &from_v), ("to", "report-to", &to_v)] {
                @let err = field_err(name);
                div class=(if err.is_some() { "field has-error" } else { "field" }) {
                    label for=(format!("report-{name}")) { (tr.t(key)) }
                    p.hint id=(format!("report-{name}-hint")) { (tr.t("hint-date")) }
                    @if let Some(e) = &err { p.error-message { (e) } }
                    input.date type="text" id=(format!("report-{name}")) name=(name) value=(value)
                        inputmode="numeric" aria-describedby=(format!("report-{name}-hint"));
                }
            }
            div.field {
                label for="report-project" { (tr.t("report-project")) }
                select id="report-project" name="project" {
                    option value="" { (tr.t("report-all-projects")) }
                    @for p in &projects {
                        option value=(p.id.to_string()) selected[q.project.as_deref() == Some(&p.id.to_string())] { (p.label()) }
                    }
                }
            }
            button type="submit" id="run-report" { (tr.t("report-run")) }
        }
        @if let Some(r) = &report {
            p { (tr.ta("report-period", &[("from", tr.date(r.from)), ("to", tr.date(r.to))])) " "
                (tr.ta("report-suppressed", &[("n", r.suppress_below.to_string())])) }
            p {
                a.button.secondary id="csv" href=(format!("/reports/csv?from={}&to={}&project={}", r.from, r.to, q.project.clone().unwrap_or_default())) download=(tr.t("report-file")) {
                    (tr.t("report-csv"))
                }
            }
            @for s in &r.sections {
                @let title = label(tr, &s.title);
                section.report {
                    h2 { (title) }
                    div.table-wrap {
                        table {
                            thead { tr { th scope="col" { (tr.t("report-indicator")) } th scope="col" { (tr.t("report-value")) } } }
                            tbody {
                                @for row in &s.rows {
                                    tr { th scope="row" { (label(tr, &row.label)) } td.num { (shown(tr, r, row.value)) } }
                                }
                            }
                        }
                    }
                    (chart(tr, r, &s.rows, &title))
                }
            }
        }
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(html(
        status,
        frame(&u, tr.t("reports-title"), Nav::Reports, "/reports", body),
    ))
}

/// The report as a table in the page's language: the section, the indicator and the value as
/// the page shows them (translated labels; "2,5" in French, "2.5" in English; "<5").
fn sheet(tr: Tr<'_>, r: &Report) -> carnet_sheets::Sheet {
    carnet_sheets::Sheet {
        headers: vec![
            tr.t("report-section"),
            tr.t("report-indicator"),
            tr.t("report-value"),
        ],
        date_columns: vec![],
        number_columns: vec![],
        rows: r
            .sections
            .iter()
            .flat_map(|s| {
                let title = label(tr, &s.title);
                s.rows.iter().map(move |row| {
                    vec![
                        title.clone(),
                        label(tr, &row.label),
                        shown(tr, r, row.value),
                    ]
                })
            })
            .collect(),
    }
}

/// `GET /reports/csv`: the same figures as CSV, in the page's language and number format, in
/// the French spreadsheet dialect when the interface is in French.
pub(crate) async fn csv(u: Unlocked, Query(q): Query<ReportQuery>) -> Result<Response, WebError> {
    let req = period(&u, &q).map_err(|_| WebError::BadForm)?;
    let tr = u.tr();
    // French spreadsheets open `;`-separated files with a byte-order mark as columns, and read
    // "2,5" as a number.
    let dialect = match tr.lang {
        crate::i18n::Lang::Fr => carnet_sheets::Dialect::French,
        crate::i18n::Lang::En => carnet_sheets::Dialect::Standard,
    };
    let report = u
        .with_device(move |_, device| Ok(carnet_report::report(&device.snapshot()?, &req)))
        .await?;
    let bytes = carnet_sheets::write_csv(&sheet(tr, &report), dialect)
        .map_err(|_| WebError::Internal("cannot write the CSV file"))?;
    let disposition = format!("attachment; filename=\"{}\"", tr.t("report-file"));
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}
