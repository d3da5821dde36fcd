//! *Effacement / Erasure* (direction devices): erasing a person on every device (RGPD art. 17)
//! with a typed confirmation, after saying what it destroys and what it keeps, through the same `Device::erase` as `carnet member erase`; the
//! list of erasures with the receipts received and the devices still pending (with their last
//! sync); the personal files the retention period will erase soon.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use carnet_device::Device;
use carnet_model::RecordKind;
use carnet_replica::{DeviceId, RecordId};
use maud::{Markup, html};

use crate::app::{Posted, Unlocked};
use crate::error::WebError;
use crate::pages::admin::{admin_page, direction, error_summary, flash, flashed};
use crate::pages::today::when;

fn page_of(
    u: &Unlocked,
    device: &Device,
    errors: &[(&'static str, String)],
    typed: (&str, &str),
) -> Result<Markup, WebError> {
    let tr = u.tr();
    let registry = device.registry().ok_or(WebError::Internal("no registry"))?;
    let peers = device.peers()?;
    let holder = |d: &DeviceId| {
        registry
            .device(d)
            .map(|e| e.holder.clone())
            .unwrap_or_else(|| d.short())
    };
    let members: Vec<(String, String)> = device
        .list_shared(RecordKind::Member)?
        .into_iter()
        .map(|r| (r.id.to_string(), r.label()))
        .collect();
    let soon = device.retention_schedule()?;
    let err = |f: &str| errors.iter().find(|(k, _)| *k == f).map(|(_, m)| m.clone());
    let word = tr.t("erasure-confirm-word");
    let mut erasures: Vec<_> = registry
        .erased
        .iter()
        .filter(|(_, e)| e.of.is_none())
        .collect();
    erasures.sort_by_key(|(_, e)| std::cmp::Reverse(e.at_ms));
    Ok(html! {
        (flashed(u))
        (error_summary(tr, errors))
        section.record-section id="erase" {
            h2 { (tr.t("erasure-erase")) }
            p.notice id="erasure-warning" { (tr.t("erasure-warning")) }
            p id="erasure-keeps" { (tr.t("erasure-keeps")) }
            form method="post" action="/erasure" novalidate {
                input type="hidden" name="csrf" value=(u.info.session.csrf);
                @let e = err("person");
                div class=(if e.is_some() { "field has-error" } else { "field" }) {
                    label for="person" { (tr.t("erasure-person")) }
                    @if let Some(e) = &e { p.error-message id="person-error" { (e) } }
                    select id="person" name="person" {
                        option value="" { (tr.t("not-said")) }
                        @for (id, name) in &members {
                            option value=(id) selected[typed.0 == id] { (name) }
                        }
                    }
                }
                @let e = err("reason");
                div class=(if e.is_some() { "field has-error" } else { "field" }) {
                    label for="reason" { (tr.t("erasure-reason")) }
                    p.hint id="reason-hint" { (tr.t("erasure-reason-hint")) }
                    @if let Some(e) = &e { p.error-message id="reason-error" { (e) } }
                    input type="text" id="reason" name="reason" value=(typed.1) autocomplete="off" aria-describedby="reason-hint";
                }
                @let e = err("confirm");
                div class=(if e.is_some() { "field has-error" } else { "field" }) {
                    label for="confirm" { (tr.ta("erasure-confirm", &[("word", word.clone())])) }
                    p.hint id="confirm-hint" { (tr.t("erasure-confirm-hint")) }
                    @if let Some(e) = &e { p.error-message id="confirm-error" { (e) } }
                    input.short type="text" id="confirm" name="confirm" autocomplete="off" aria-describedby="confirm-hint";
                }
                button.danger type="submit" id="erase-button" { (tr.t("erasure-button")) }
            }
        }
        section.record-section id="erasures" {
            h2 { (tr.t("erasure-list")) }
            @if erasures.is_empty() {
                p { (tr.t("erasure-none")) }
            } @else {
                div.table-wrap {
                    table id="erasure-table" {
                        thead { tr {
                            th scope="col" { (tr.t("history-when")) }
                            th scope="col" { (tr.t("erasure-reason")) }
                            th scope="col" { (tr.t("erasure-confirmed")) }
                            th scope="col" { (tr.t("erasure-pending")) }
                        } }
                        tbody {
                            @for (_, e) in &erasures {
                                @let pending: Vec<String> = e.pending(registry)
                                    .map(|d| {
                                        let last = peers.get(&d.id.to_string()).and_then(|p| p.last_sync_ms)
                                            .map(|ms| when(tr, ms)).unwrap_or_else(|| tr.t("never"));
                                        format!("{} ({} {})", d.holder, tr.t("erasure-last-sync"), last)
                                    })
                                    .collect();
                                tr {
                                    th scope="row" { (when(tr, e.at_ms)) }
                                    td.long { (e.reason) }
                                    td {
                                        (tr.ta("erasure-receipts", &[("n", e.receipts.len().to_string())]))
                                        ul { @for d in e.receipts.keys() { li { (holder(d)) } } }
                                    }
                                    td {
                                        @if pending.is_empty() { (tr.t("erasure-all-confirmed")) }
                                        @else { ul { @for p in &pending { li { (p) } } } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        section.record-section id="retention-soon" {
            h2 { (tr.t("erasure-retention")) }
            @match registry.retention_months {
                None => p { (tr.t("settings-retention-none")) },
                Some(m) => {
                    p { (tr.ta("settings-retention-now", &[("months", m.to_string())])) }
                    @if soon.is_empty() { p { (tr.t("erasure-retention-nothing")) } }
                    @else {
                        ul { @for (id, name, day) in &soon {
                            li { a href=(format!("/members/{id}")) { (name) } " — " (tr.date(*day)) }
                        } }
                    }
                }
            }
        }
    })
}

/// `GET /erasure` (direction).
pub(crate) async fn page(u: Unlocked) -> Result<Response, WebError> {
    u.with_device(|u, device| {
        direction(device)?;
        let body = page_of(u, device, &[], ("", ""))?;
        Ok(admin_page(
            u,
            "erasure-title",
            "/erasure",
            StatusCode::OK,
            body,
        ))
    })
    .await
}

/// `POST /erasure` (direction): a person chosen, a reason (no name), and the confirmation word
/// typed; anything missing is said by its field and nothing is erased.
pub(crate) async fn erase(u: Unlocked, form: Posted) -> Result<Response, WebError> {
    let person = form.get("person").unwrap_or("").trim().to_owned();
    let reason = form.get("reason").unwrap_or("").trim().to_owned();
    let confirm = form.get("confirm").unwrap_or("").trim().to_owned();
    u.with_device(move |u, device| erase_on(u, device, &person, &reason, &confirm))
        .await
}

fn erase_on(
    u: &Unlocked,
    device: &mut Device,
    person: &str,
    reason: &str,
    confirm: &str,
) -> Result<Response, WebError> {
    direction(device)?;
    let tr = u.tr();
    let now = u.app.now();
    let mut errors = vec![];
    let id = person
        .parse::<RecordId>()
        .ok()
        .filter(|id| device.show(RecordKind::Member, *id).is_ok());
    if id.is_none() {
        errors.push(("person", tr.t("erasure-choose")));
    }
    if reason.is_empty() {
        errors.push(("reason", tr.t("erasure-reason-missing")));
    }
    if carnet_model::fold(confirm) != carnet_model::fold(&tr.t("erasure-confirm-word")) {
        errors.push(("confirm", tr.t("erasure-confirm-wrong")));
    }
    if let (Some(id), true) = (id, errors.is_empty()) {
        match device.erase(id, reason, now) {
            Ok(_) => {
                flash(u, tr.t("erasure-done"));
                return Ok(Redirect::to("/erasure").into_response());
            }
            Err(_) => errors.push(("person", tr.t("err-write"))),
        }
    }
    let body = page_of(u, device, &errors, (person, reason))?;
    Ok(admin_page(
        u,
        "erasure-title",
        "/erasure",
        StatusCode::UNPROCESSABLE_ENTITY,
        body,
    ))
}
