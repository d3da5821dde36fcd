//! *Aujourd'hui / Today*: what `carnet todo` lists (the association's rules, re-checked on every
//! visit, so after every sync, and the personal files the retention period erases soon), each
//! finding's situation and next step in the page's language (`findings.rs`) with a link to the
//! record concerned and to the page acting on it, and the sync status of every peer this device
//! met.

use axum::http::StatusCode;
use axum::response::Response;
use carnet_device::Device;
use carnet_model::RecordKind;
use carnet_replica::DeviceId;
use carnet_rules::Severity;
use chrono::{DateTime, Utc};
use maud::{Markup, html};

use crate::app::{Unlocked, html};
use crate::error::WebError;
use crate::i18n::{Lang, Tr};
use crate::keys::kind_key;
use crate::layout::Nav;
use crate::pages::frame;
use crate::pages::records::segment;

/// A moment in the page's language.
pub(crate) fn when(tr: Tr<'_>, ms: i64) -> String {
    match DateTime::<Utc>::from_timestamp_millis(ms) {
        Some(t) => match tr.lang {
            Lang::Fr => t.format("%d/%m/%Y %H:%M UTC").to_string(),
            Lang::En => t.format("%Y-%m-%d %H:%M UTC").to_string(),
        },
        None => String::new(),
    }
}

/// The sync status of every peer this device met: holder, last successful sync, last try.
pub(crate) fn peers_table(
    tr: Tr<'_>,
    device: &Device,
    with_figures: bool,
) -> Result<Markup, WebError> {
    let peers = device.peers()?;
    let figures = if with_figures {
        device.sync_figures()?
    } else {
        Default::default()
    };
    let registry = device.registry();
    Ok(html! {
        @if peers.is_empty() {
            p { (tr.t("today-no-peers")) }
        } @else {
            div.table-wrap {
                table id="peers-table" {
                    thead { tr {
                        th scope="col" { (tr.t("peer-device")) }
                        th scope="col" { (tr.t("peer-last-sync")) }
                        th scope="col" { (tr.t("peer-result")) }
                        @if with_figures { th scope="col" { (tr.t("peer-figures")) } }
                    } }
                    tbody {
                        @for (id, p) in &peers {
                            @let holder = id.parse::<DeviceId>().ok().and_then(|d| registry.and_then(|r| r.device(&d)).map(|d| d.holder.clone()));
                            tr {
                                th scope="row" { (holder.unwrap_or_else(|| id.chars().take(8).collect())) }
                                td { (p.last_sync_ms.map(|ms| when(tr, ms)).unwrap_or_else(|| tr.t("never"))) }
                                td { (if p.last_result.starts_with("synced") || p.last_result.is_empty() { tr.t("peer-ok") } else { tr.t("peer-failed") }) }
                                @if with_figures {
                                    td { @if let Some(f) = figures.get(id) {
                                        (tr.ta("peer-moved", &[
                                            ("received", f.received.to_string()),
                                            ("sent", f.sent.to_string()),
                                            ("refused", f.refused.to_string()),
                                        ]))
                                    } }
                                }
                            }
                        }
                    }
                }
            }
        }
    })
}

/// `GET /today`.
pub(crate) async fn today(u: Unlocked) -> Result<Response, WebError> {
    u.with_device(today_of).await
}

fn today_of(u: &Unlocked, device: &mut Device) -> Result<Response, WebError> {
    let tr = u.tr();
    let now = u.app.now();
    let day = now.date_naive();
    let snapshot = device.snapshot()?;
    let findings = carnet_rules::todo(&snapshot, day);
    // Personal files the retention period erases within 30 days (or already due), as `carnet
    // todo` lists them.
    let soon = day + chrono::Days::new(30);
    let retention: Vec<_> = device
        .retention_schedule()?
        .into_iter()
        .filter(|(_, _, due)| *due <= soon)
        .collect();
    let direction = crate::pages::admin::is_direction(device);
    // Activities of the fortnight around today, with how many were present.
    let mut recent: Vec<(String, String, chrono::NaiveDate, usize)> = snapshot
        .of(RecordKind::Activity)
        .filter_map(|(id, r)| {
            let date = r.date("date")?;
            ((date - day).num_days().abs() <= 14).then(|| {
                (
                    id.to_owned(),
                    r.text("title").unwrap_or_default().to_owned(),
                    date,
                    r.set("present").count(),
                )
            })
        })
        .collect();
    recent.sort_by_key(|a| std::cmp::Reverse(a.2));
    let peers = peers_table(tr, device, false)?;
    let body = html! {
        p { (tr.ta("today-date", &[("date", tr.date(day))])) }
        section id="todo" {
            h2 { (tr.t("today-todo")) }
            @if findings.is_empty() && retention.is_empty() {
                p { (tr.t("today-nothing")) }
            } @else {
                ul.findings {
                    @for f in &findings {
                        @let (sev_class, sev_key) = match f.severity {
                            Severity::Block => ("tag block", "severity-block"),
                            Severity::Warn => ("tag warn", "severity-warn"),
                            Severity::Remind => ("tag remind", "severity-remind"),
                        };
                        @let said = crate::findings::said(tr, f, segment);
                        li {
                            span class=(sev_class) { (tr.t(sev_key)) }
                            " "
                            strong { (f.rule.name()) } " — " span.finding { (said.text) }
                            @if let Some(d) = f.due {
                                " " span.due { (tr.ta("due", &[("date", tr.date(d))])) }
                            }
                            @if let Some(id) = &f.record {
                                @let name = crate::labels::record_label(&snapshot, f.kind, id).unwrap_or_else(|| tr.t("unnamed"));
                                br;
                                @match segment(f.kind) {
                                    Some(seg) => span { (tr.t(&kind_key(f.kind))) " : " a href=(format!("/{seg}/{id}")) { (name) } },
                                    None => span { (tr.t(&kind_key(f.kind))) " : " (name) },
                                }
                            }
                            @if let Some((href, words)) = &said.act {
                                br;
                                a.act href=(href) { (words) }
                            }
                        }
                    }
                    @for (id, name, due) in &retention {
                        li {
                            span class="tag remind" { (tr.t("severity-remind")) }
                            " "
                            strong { (tr.t("todo-retention")) } " — "
                            span.finding {
                                @if *due <= day { (tr.t("todo-retention-due")) }
                                @else { (tr.ta("todo-retention-soon", &[("date", tr.date(*due))])) }
                            }
                            " " span.due { (tr.ta("due", &[("date", tr.date(*due))])) }
                            br;
                            span { (tr.t("kind-member")) " : " a href=(format!("/members/{id}")) { (name) } }
                            @if direction {
                                br;
                                a.act href="/erasure" { (tr.t("todo-go-retention")) }
                            }
                        }
                    }
                }
            }
        }
        section id="activities" {
            h2 { (tr.t("today-activities")) }
            @if recent.is_empty() {
                p { (tr.t("today-no-activities")) }
            } @else {
                ul {
                    @for (id, title, date, present) in &recent {
                        li {
                            a href=(format!("/activities/{id}")) { (title) }
                            " — " (tr.date(*date)) " — "
                            (tr.ta("today-present", &[("n", present.to_string())]))
                        }
                    }
                }
            }
        }
        section id="peers" {
            h2 { (tr.t("today-peers")) }
            (peers)
        }
    };
    Ok(html(
        StatusCode::OK,
        frame(u, tr.t("today-title"), Nav::Today, "/today", body),
    ))
}

/// Every key the page builds for findings, for the test that each exists in both languages.
#[cfg(test)]
pub(crate) fn finding_keys() -> Vec<String> {
    let mut keys = crate::findings::keys();
    keys.extend(
        [
            "todo-retention",
            "todo-retention-due",
            "todo-retention-soon",
            "todo-go-retention",
        ]
        .map(str::to_owned),
    );
    keys
}
