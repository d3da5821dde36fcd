//! *Gestion*: the hub of the association's administration, *Réglages / Settings* (language,
//! idle lock, passphrase change, the retention period for direction, the access policy as a
//! table), *Synchronisation* (every peer's last sync, "sync now") and *Quarantaine* (each
//! rejected change with its reason in plain words).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use carnet_device::Device;
use carnet_model::Access;
use carnet_model::{FieldClass, Role};
use maud::{Markup, html};
use zeroize::Zeroizing;

use crate::app::{Posted, Unlocked, html};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::layout::Nav;
use crate::pages::frame;
use crate::pages::today::{peers_table, when};

/// Whether this device is a direction device.
pub(crate) fn is_direction(device: &Device) -> bool {
    device
        .registry()
        .is_some_and(|r| r.is_direction(&device.id()))
}

/// The device, locked for this request, if it is a direction device (other devices do not
/// have the page).
pub(crate) async fn direction_device(
    u: &Unlocked,
) -> Result<tokio::sync::OwnedMutexGuard<Device>, WebError> {
    let device = u.device.clone().lock_owned().await;
    if is_direction(&device) {
        Ok(device)
    } else {
        Err(WebError::NotFound)
    }
}

/// The error summary at the top of a form whose refusals are `(field id, message)`.
pub(crate) fn error_summary<S: AsRef<str>>(tr: Tr<'_>, errors: &[(S, String)]) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.error-summary role="alert" tabindex="-1" id="error-summary" {
                h2 { (tr.t("error-summary-title")) }
                ul { @for (f, m) in errors { li { a href=(format!("#{}", f.as_ref())) { (m) } } } }
            }
        }
    }
}

/// A passphrase field with its label, hint and refusal.
pub(crate) fn password_field(
    tr: Tr<'_>,
    id: &str,
    label: &str,
    hint: Option<&str>,
    error: Option<String>,
    autocomplete: &str,
) -> Markup {
    html! {
        div class=(if error.is_some() { "field has-error" } else { "field" }) {
            label for=(id) { (tr.t(label)) }
            @if let Some(h) = hint { p.hint id=(format!("{id}-hint")) { (tr.t(h)) } }
            @if let Some(e) = &error { p.error-message id=(format!("{id}-error")) { (e) } }
            input type="password" id=(id) name=(id) autocomplete=(autocomplete)
                aria-describedby=[hint.map(|_| format!("{id}-hint"))];
        }
    }
}

/// A page of the administration.
pub(crate) fn admin_page(
    u: &Unlocked,
    title: &str,
    back: &str,
    status: StatusCode,
    body: Markup,
) -> Response {
    html(status, frame(u, u.tr().t(title), Nav::Admin, back, body))
}

/// A message kept for the next page (after a redirect).
pub(crate) fn flash(u: &Unlocked, message: String) {
    u.app
        .sessions
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .flash(&u.info.id, vec![message]);
}

/// The messages kept for this page, shown as a status.
pub(crate) fn flashed(u: &Unlocked) -> Markup {
    let messages = u
        .app
        .sessions
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .take_flash(&u.info.id);
    html! {
        div.saved role="status" id="flash" {
            @for m in &messages { p { (m) } }
        }
    }
}

/// `GET /admin`.
pub(crate) async fn hub(u: Unlocked) -> Result<Response, WebError> {
    let tr = u.tr();
    let direction = is_direction(&*u.device.lock().await);
    let entries: Vec<(&str, &str, &str)> = [
        ("/devices", "devices-title", "admin-devices"),
        ("/sync", "sync-title", "admin-sync"),
        ("/quarantine", "quarantine-title", "admin-quarantine"),
        ("/erasure", "erasure-title", "admin-erasure"),
        ("/import", "import-title", "admin-import"),
        ("/export", "export-title", "admin-export"),
        ("/settings", "settings-title", "admin-settings"),
    ]
    .into_iter()
    .filter(|(href, _, _)| direction || *href != "/erasure")
    .collect();
    let body = html! {
        ul.hub {
            @for (href, title, what) in &entries {
                li {
                    a href=(href) { (tr.t(title)) }
                    p.hint { (tr.t(what)) }
                }
            }
        }
    };
    Ok(admin_page(
        &u,
        "admin-title",
        "/admin",
        StatusCode::OK,
        body,
    ))
}

fn settings_page(
    u: &Unlocked,
    device: &Device,
    errors: &[(&'static str, String)],
) -> Result<Markup, WebError> {
    let tr = u.tr();
    let csrf = &u.info.session.csrf;
    let err = |f: &str| errors.iter().find(|(k, _)| *k == f).map(|(_, m)| m.clone());
    let direction = is_direction(device);
    let registry = device.registry();
    let months = registry.and_then(|r| r.retention_months);
    let minutes = u.app.config.lock_after.as_secs() / 60;
    Ok(html! {
        (flashed(u))
        (error_summary(tr, errors))
        section.record-section id="language" {
            h2 { (tr.t("settings-language")) }
            p { (tr.t("settings-language-now")) }
            form method="post" action="/language" {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="back" value="/settings";
                div.field {
                    label for="lang" { (tr.t("settings-language")) }
                    select id="lang" name="lang" {
                        option value="fr" lang="fr" selected[tr.lang.code() == "fr"] { "Français" }
                        option value="en" lang="en" selected[tr.lang.code() == "en"] { "English" }
                    }
                }
                button.secondary type="submit" id="save-language" { (tr.t("save")) }
            }
        }
        section.record-section id="lock" {
            h2 { (tr.t("settings-lock")) }
            p { (tr.ta("settings-lock-now", &[("minutes", minutes.to_string())])) }
        }
        section.record-section id="passphrase" {
            h2 { (tr.t("settings-passphrase")) }
            p.hint { (tr.t("settings-passphrase-intro")) }
            form method="post" action="/settings/passphrase" {
                input type="hidden" name="csrf" value=(csrf);
                (password_field(tr, "current", "settings-passphrase-current", None, err("current"), "current-password"))
                (password_field(tr, "new", "settings-passphrase-new", Some("settings-passphrase-new-hint"), err("new"), "new-password"))
                (password_field(tr, "again", "settings-passphrase-again", None, err("again"), "new-password"))
                button type="submit" id="change-passphrase" { (tr.t("settings-passphrase-change")) }
            }
        }
        section.record-section id="retention" {
            h2 { (tr.t("settings-retention")) }
            p {
                @match months {
                    Some(m) => (tr.ta("settings-retention-now", &[("months", m.to_string())])),
                    None => (tr.t("settings-retention-none")),
                }
            }
            @if direction {
                form method="post" action="/settings/retention" {
                    input type="hidden" name="csrf" value=(csrf);
                    @let e = err("months");
                    div class=(if e.is_some() { "field has-error" } else { "field" }) {
                        label for="months" { (tr.t("settings-retention-months")) }
                        p.hint id="months-hint" { (tr.t("settings-retention-hint")) }
                        @if let Some(e) = &e { p.error-message id="months-error" { (e) } }
                        input.short type="text" inputmode="numeric" id="months" name="months"
                            value=(months.map(|m| m.to_string()).unwrap_or_default()) aria-describedby="months-hint";
                    }
                    button.secondary type="submit" id="save-retention" { (tr.t("save")) }
                }
            }
        }
        section.record-section id="policy" {
            h2 { (tr.t("settings-policy")) }
            p.hint { (tr.t("settings-policy-intro")) }
            @if let Some(r) = registry {
                div.table-wrap {
                    table id="policy-table" {
                        thead { tr {
                            th scope="col" { (tr.t("settings-policy-role")) }
                            @for c in FieldClass::ALL { th scope="col" abbr=(tr.t(&crate::forms::class_key(c))) { (c.code().to_uppercase()) } }
                        } }
                        tbody {
                            @for role in Role::ALL {
                                tr {
                                    th scope="row" { (tr.t(&format!("role-{}", role.name()))) }
                                    @for c in FieldClass::ALL {
                                        td { (tr.t(match r.policy.get(role, c) {
                                            Access::None => "access-none",
                                            Access::Read => "access-read",
                                            Access::Write => "access-write",
                                        })) }
                                    }
                                }
                            }
                        }
                    }
                }
                dl.legend {
                    @for c in FieldClass::ALL {
                        div.row { dt { (c.code().to_uppercase()) } dd { (tr.t(&crate::forms::class_key(c))) } }
                    }
                }
            }
        }
    })
}

/// `GET /settings`.
pub(crate) async fn settings(u: Unlocked) -> Result<Response, WebError> {
    let device = u.device.clone();
    let device = device.lock().await;
    let body = settings_page(&u, &device, &[])?;
    Ok(admin_page(
        &u,
        "settings-title",
        "/settings",
        StatusCode::OK,
        body,
    ))
}

/// `POST /settings/passphrase`: the current passphrase, then the new one twice; refusals by
/// their fields, nothing changed.
pub(crate) async fn passphrase(u: Unlocked, form: Posted) -> Result<Response, WebError> {
    let tr = u.tr();
    let current = Zeroizing::new(form.get("current").unwrap_or("").to_owned());
    let new = Zeroizing::new(form.get("new").unwrap_or("").to_owned());
    let again = Zeroizing::new(form.get("again").unwrap_or("").to_owned());
    let device = u.device.clone();
    let mut device = device.lock().await;
    let mut errors = vec![];
    if new.chars().count() < 8 {
        errors.push(("new", tr.t("settings-passphrase-short")));
    } else if *new != *again {
        errors.push(("again", tr.t("settings-passphrase-differ")));
    }
    if errors.is_empty() {
        // argon2id twice: off the async workers.
        let result = tokio::task::block_in_place(|| {
            device.change_passphrase(current.as_bytes(), new.as_bytes())
        });
        match result {
            Ok(()) => {
                flash(&u, tr.t("settings-passphrase-changed"));
                return Ok(Redirect::to("/settings").into_response());
            }
            Err(carnet_device::OpenDeviceError::Open(carnet_store::OpenError::WrongPassphrase)) => {
                errors.push(("current", tr.t("unlock-wrong")));
            }
            Err(_) => errors.push(("current", tr.t("err-write"))),
        }
    }
    refused(&u, &device, &errors)
}

/// `POST /settings/retention` (direction): a number of months, or empty for none.
pub(crate) async fn retention(u: Unlocked, form: Posted) -> Result<Response, WebError> {
    let tr = u.tr();
    let now = u.app.now();
    let mut device = direction_device(&u).await?;
    let typed = form.get("months").unwrap_or("").trim().to_owned();
    let months = match typed.as_str() {
        "" | "0" => Ok(None),
        t => t.parse::<u32>().map(Some).map_err(|_| ()),
    };
    let error = match months {
        Ok(m) if m.is_none_or(|m| m <= 600) => match device.set_retention(m, now) {
            Ok(_) => {
                flash(&u, tr.t("settings-retention-saved"));
                return Ok(Redirect::to("/settings").into_response());
            }
            Err(_) => tr.t("err-write"),
        },
        _ => tr.t("settings-retention-bad"),
    };
    refused(&u, &device, &[("months", error)])
}

/// The settings again, with a form's refusals by their fields.
fn refused(
    u: &Unlocked,
    device: &Device,
    errors: &[(&'static str, String)],
) -> Result<Response, WebError> {
    let body = settings_page(u, device, errors)?;
    Ok(admin_page(
        u,
        "settings-title",
        "/settings",
        StatusCode::UNPROCESSABLE_ENTITY,
        body,
    ))
}

/// `GET /sync`: every peer's last sync and result, and a button to sync now.
pub(crate) async fn sync(u: Unlocked) -> Result<Response, WebError> {
    let tr = u.tr();
    let device = u.device.clone();
    let device = device.lock().await;
    let table = peers_table(tr, &device)?;
    let may_sync = u.app.config.network.is_some();
    let body = html! {
        (flashed(&u))
        p { (tr.t("sync-intro")) }
        (table)
        @if may_sync {
            form method="post" action="/sync" {
                input type="hidden" name="csrf" value=(u.info.session.csrf);
                button type="submit" id="sync-now" { (tr.t("sync-now")) }
            }
        }
    };
    Ok(admin_page(&u, "sync-title", "/sync", StatusCode::OK, body))
}

/// `POST /sync`: asks the node to sync with every known peer; the page shows the results as
/// they come (reload).
pub(crate) async fn sync_now(u: Unlocked, _form: Posted) -> Result<Response, WebError> {
    if let Some(n) = &u.app.config.network {
        n.sync_now().await;
        flash(&u, u.tr().t("sync-started"));
    }
    Ok(Redirect::to("/sync").into_response())
}

/// The translation key of the first entry of `table` one of whose needles `text` holds, else
/// `default`: how a message from the lower layers (English, naming no value) is said in the
/// page's language.
pub(crate) fn words_for(
    text: &str,
    table: &[(&[&str], &'static str)],
    default: &'static str,
) -> &'static str {
    table
        .iter()
        .find(|(needles, _)| needles.iter().any(|n| text.contains(n)))
        .map_or(default, |(_, key)| key)
}

fn reason_words(tr: Tr<'_>, reason: &str) -> String {
    tr.t(words_for(
        reason,
        &[
            (&["revoked"], "quarantine-revoked"),
            (&["erased"], "quarantine-erased"),
            (&["may not write", "agreement"], "quarantine-forbidden"),
            (&["signature"], "quarantine-signature"),
        ],
        "quarantine-other",
    ))
}

/// `GET /quarantine`: each rejected change — which record, who, when — with its reason.
pub(crate) async fn quarantine(u: Unlocked) -> Result<Response, WebError> {
    let tr = u.tr();
    let device = u.device.clone();
    let device = device.lock().await;
    let items = device.quarantine()?;
    let registry = device.registry();
    let body = html! {
        p { (tr.t("quarantine-intro")) }
        @if items.is_empty() {
            p id="quarantine-empty" { (tr.t("quarantine-empty")) }
        } @else {
            div.table-wrap {
                table id="quarantine-table" {
                    thead { tr {
                        th scope="col" { (tr.t("quarantine-what")) }
                        th scope="col" { (tr.t("history-who")) }
                        th scope="col" { (tr.t("history-when")) }
                        th scope="col" { (tr.t("quarantine-why")) }
                    } }
                    tbody {
                        @for q in &items {
                            @let who = registry.and_then(|r| r.device(&q.entry.author)).map(|d| d.holder.clone()).unwrap_or_else(|| q.entry.author.short());
                            tr {
                                th scope="row" { (match &q.doc {
                                    carnet_model::DocId::Record { kind, .. } => tr.t(&format!("kind-{}", kind.name())),
                                    carnet_model::DocId::Registry => tr.t("quarantine-registry"),
                                }) }
                                td { (who) }
                                td { (when(tr, q.entry.time_ms)) }
                                td { (reason_words(tr, &q.reason.to_string())) br; small { (q.reason.to_string()) } }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(admin_page(
        &u,
        "quarantine-title",
        "/quarantine",
        StatusCode::OK,
        body,
    ))
}
