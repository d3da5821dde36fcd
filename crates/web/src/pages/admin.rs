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

/// Refuses a page of direction's on another device (other devices do not have the page).
pub(crate) fn direction(device: &Device) -> Result<(), WebError> {
    if is_direction(device) {
        Ok(())
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
    let direction = u.with_device(|_, device| Ok(is_direction(device))).await?;
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

/// The name of the policy table's select for `role` on `class`.
fn policy_field(role: Role, class: FieldClass) -> String {
    format!("p-{}-{}", role.name(), class.code())
}

fn access_key(a: Access) -> &'static str {
    match a {
        Access::None => "access-none",
        Access::Read => "access-read",
        Access::Write => "access-write",
    }
}

/// The settings page; `typed` holds what the form sent back (the lock delay, the policy table)
/// when it is shown again.
fn settings_page(
    u: &Unlocked,
    device: &Device,
    errors: &[(&'static str, String)],
    typed: &Typed,
) -> Result<Markup, WebError> {
    let tr = u.tr();
    let csrf = &u.info.session.csrf;
    let err = |f: &str| errors.iter().find(|(k, _)| *k == f).map(|(_, m)| m.clone());
    let direction = is_direction(device);
    let registry = device.registry();
    let months = registry.and_then(|r| r.retention_months);
    let minutes = u.app.lock_after().as_secs() / 60;
    let typed_minutes = typed.minutes.clone().unwrap_or_else(|| minutes.to_string());
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
            p id="lock-now" { (tr.ta("settings-lock-now", &[("minutes", minutes.to_string())])) }
            form method="post" action="/settings/lock" novalidate {
                input type="hidden" name="csrf" value=(csrf);
                @let e = err("lock-minutes");
                div class=(if e.is_some() { "field has-error" } else { "field" }) {
                    label for="lock-minutes" { (tr.t("settings-lock-minutes")) }
                    p.hint id="lock-minutes-hint" { (tr.t("settings-lock-hint")) }
                    @if let Some(e) = &e { p.error-message id="lock-minutes-error" { (e) } }
                    input.short type="text" inputmode="numeric" id="lock-minutes" name="minutes"
                        value=(typed_minutes) autocomplete="off" aria-describedby="lock-minutes-hint";
                }
                button.secondary type="submit" id="save-lock" { (tr.t("save")) }
            }
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
                @let policy = typed.policy.as_ref().unwrap_or(&r.policy);
                @let head = html! {
                    thead { tr {
                        th scope="col" { (tr.t("settings-policy-role")) }
                        @for c in FieldClass::ALL { th scope="col" abbr=(tr.t(&crate::forms::class_key(c))) { (c.code().to_uppercase()) } }
                    } }
                };
                @if direction {
                    p.hint id="policy-edit-hint" { (tr.t("settings-policy-edit-hint")) }
                    p.hint { (tr.t("settings-policy-short")) }
                    form method="post" action="/settings/policy" {
                        input type="hidden" name="csrf" value=(csrf);
                        div.table-wrap {
                            table id="policy-table" {
                                (head)
                                tbody {
                                    @for role in Role::ALL {
                                        @let role_name = tr.t(&crate::keys::role_key(role));
                                        tr {
                                            th scope="row" { (role_name) }
                                            @for c in FieldClass::ALL {
                                                @let now = policy.get(role, c);
                                                @let changed = now != r.policy.get(role, c);
                                                td class=[changed.then_some("changed")] {
                                                    select id=(policy_field(role, c)) name=(policy_field(role, c))
                                                        aria-label=(format!("{role_name} — {}", tr.t(&crate::forms::class_key(c)))) {
                                                        @for a in [Access::None, Access::Read, Access::Write] {
                                                            option value=(a.name()) selected[a == now] { (tr.t(&crate::keys::access_short_key(a))) }
                                                        }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                        button.secondary type="submit" id="save-policy" { (tr.t("settings-policy-save")) }
                    }
                } @else {
                div.table-wrap {
                    table id="policy-table" {
                        (head)
                        tbody {
                            @for role in Role::ALL {
                                tr {
                                    th scope="row" { (tr.t(&crate::keys::role_key(role))) }
                                    @for c in FieldClass::ALL {
                                        td { (tr.t(access_key(r.policy.get(role, c)))) }
                                    }
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
    u.with_device(|u, device| {
        let body = settings_page(u, device, &[], &Typed::default())?;
        Ok(admin_page(
            u,
            "settings-title",
            "/settings",
            StatusCode::OK,
            body,
        ))
    })
    .await
}

/// `POST /settings/passphrase`: the current passphrase, then the new one twice; refusals by
/// their fields, nothing changed.
pub(crate) async fn passphrase(u: Unlocked, form: Posted) -> Result<Response, WebError> {
    let tr = u.tr();
    let current = Zeroizing::new(form.get("current").unwrap_or("").to_owned());
    let new = Zeroizing::new(form.get("new").unwrap_or("").to_owned());
    let again = Zeroizing::new(form.get("again").unwrap_or("").to_owned());
    let mut errors = vec![];
    if new.chars().count() < 8 {
        errors.push(("new", tr.t("settings-passphrase-short")));
    } else if *new != *again {
        errors.push(("again", tr.t("settings-passphrase-differ")));
    }
    // argon2id twice.
    u.with_device(move |u, device| {
        if errors.is_empty() {
            match device.change_passphrase(current.as_bytes(), new.as_bytes()) {
                Ok(()) => {
                    flash(u, tr.t("settings-passphrase-changed"));
                    return Ok(Redirect::to("/settings").into_response());
                }
                Err(carnet_device::OpenDeviceError::Open(
                    carnet_store::OpenError::WrongPassphrase,
                )) => {
                    errors.push(("current", tr.t("unlock-wrong")));
                }
                Err(_) => errors.push(("current", tr.t("err-write"))),
            }
        }
        refused(u, device, &errors, &Typed::default())
    })
    .await
}

/// `POST /settings/retention` (direction): a number of months, or empty for none.
pub(crate) async fn retention(u: Unlocked, form: Posted) -> Result<Response, WebError> {
    let tr = u.tr();
    let now = u.app.now();
    let typed = form.get("months").unwrap_or("").trim().to_owned();
    let months = match typed.as_str() {
        "" | "0" => Ok(None),
        t => t.parse::<u32>().map(Some).map_err(|_| ()),
    };
    u.with_device(move |u, device| {
        direction(device)?;
        let error = match months {
            Ok(m) if m.is_none_or(|m| m <= 600) => match device.set_retention(m, now) {
                Ok(_) => {
                    flash(u, tr.t("settings-retention-saved"));
                    return Ok(Redirect::to("/settings").into_response());
                }
                Err(_) => tr.t("err-write"),
            },
            _ => tr.t("settings-retention-bad"),
        };
        refused(u, device, &[("months", error)], &Typed::default())
    })
    .await
}

/// The settings again, with a form's refusals by their fields.
fn refused(
    u: &Unlocked,
    device: &Device,
    errors: &[(&'static str, String)],
    typed: &Typed,
) -> Result<Response, WebError> {
    let body = settings_page(u, device, errors, typed)?;
    Ok(admin_page(
        u,
        "settings-title",
        "/settings",
        StatusCode::UNPROCESSABLE_ENTITY,
        body,
    ))
}

/// What a settings form sent, shown again with its refusal (or after "back").
#[derive(Default)]
struct Typed {
    /// The idle delay as typed.
    minutes: Option<String>,
    /// The policy table as chosen.
    policy: Option<carnet_model::Policy>,
}

/// `POST /settings/lock`: the idle delay, in minutes (1 to 60), remembered for this device; in
/// force at once for every session and the pages' idle timer.
pub(crate) async fn lock_delay(u: Unlocked, form: Posted) -> Result<Response, WebError> {
    let tr = u.tr();
    let typed = form.get("minutes").unwrap_or("").trim().to_owned();
    let error = match typed.parse::<u64>() {
        Ok(m) if crate::session::LOCK_MINUTES.contains(&m) => {
            match crate::session::remember_lock_minutes(&u.app.config.home, m) {
                Ok(()) => {
                    u.app.set_lock_minutes(m);
                    flash(
                        &u,
                        tr.ta("settings-lock-saved", &[("minutes", m.to_string())]),
                    );
                    return Ok(Redirect::to("/settings").into_response());
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot remember the idle delay");
                    tr.t("err-write")
                }
            }
        }
        _ => tr.t("settings-lock-bad"),
    };
    let typed = Typed {
        minutes: Some(typed),
        policy: None,
    };
    u.with_device(move |u, device| refused(u, device, &[("lock-minutes", error)], &typed))
        .await
}

/// `POST /settings/policy` (direction): the policy table. A table that takes a right away is
/// shown first, with what it takes away and the devices that lose it, and saved once
/// confirmed (`confirm=yes`), all in one registry change (`RegistryOp::Policy`, what
/// `Device::set_policy` and `carnet policy set` write).
pub(crate) async fn policy(u: Unlocked, form: Posted) -> Result<Response, WebError> {
    u.with_device(move |u, device| policy_on(u, device, &form))
        .await
}

fn policy_on(u: &Unlocked, device: &mut Device, form: &Posted) -> Result<Response, WebError> {
    let tr = u.tr();
    let now = u.app.now();
    direction(device)?;
    let registry = device
        .registry()
        .cloned()
        .ok_or(WebError::Internal("no registry"))?;
    let mut chosen = registry.policy.clone();
    for role in Role::ALL {
        for c in FieldClass::ALL {
            let a = form
                .get(&policy_field(role, c))
                .ok_or(WebError::BadForm)?
                .parse::<Access>()
                .map_err(|_| WebError::BadForm)?;
            chosen.set(role, c, a);
        }
    }
    if form.get("action") == Some("back") {
        let typed = Typed {
            minutes: None,
            policy: Some(chosen),
        };
        let body = settings_page(u, device, &[], &typed)?;
        return Ok(admin_page(
            u,
            "settings-title",
            "/settings",
            StatusCode::OK,
            body,
        ));
    }
    let mut ops = vec![];
    let mut narrowed = vec![];
    for role in Role::ALL {
        for c in FieldClass::ALL {
            let (before, after) = (registry.policy.get(role, c), chosen.get(role, c));
            if before != after {
                ops.push(carnet_replica::RegistryOp::Policy {
                    role,
                    class: c,
                    access: after,
                });
            }
            if after < before {
                narrowed.push((role, c, before, after));
            }
        }
    }
    if ops.is_empty() {
        flash(u, tr.t("settings-policy-unchanged"));
        return Ok(Redirect::to("/settings").into_response());
    }
    if !narrowed.is_empty() && form.get("confirm") != Some("yes") {
        // The devices that lose a right, by the registry as the change would make it.
        let mut after = registry.clone();
        after.policy = chosen.clone();
        let me = device.id();
        let losing: Vec<String> = registry
            .devices
            .values()
            .filter(|d| d.revoked.is_none())
            .filter(|d| {
                FieldClass::ALL
                    .into_iter()
                    .any(|c| after.access(&d.id, c) < registry.access(&d.id, c))
            })
            .map(|d| {
                if d.id == me {
                    tr.ta(
                        "settings-policy-this-device",
                        &[("holder", d.holder.clone())],
                    )
                } else {
                    d.holder.clone()
                }
            })
            .collect();
        let body = html! {
            p { (tr.t("settings-policy-narrows")) }
            ul id="narrowed" {
                @for (role, c, b, a) in &narrowed {
                    li { (tr.ta("settings-policy-lost", &[
                        ("role", tr.t(&crate::keys::role_key(*role))),
                        ("class", tr.t(&crate::forms::class_key(*c))),
                        ("before", crate::pages::devices::access_words(tr, *b)),
                        ("after", crate::pages::devices::access_words(tr, *a)),
                    ])) }
                }
            }
            @if losing.is_empty() {
                p id="losing" { (tr.t("settings-policy-nobody")) }
            } @else {
                p id="losing" { (tr.ta("settings-policy-losing", &[("devices", losing.join(", "))])) }
            }
            @if ops.len() > narrowed.len() {
                p.hint { (tr.ta("settings-policy-also", &[("n", (ops.len() - narrowed.len()).to_string())])) }
            }
            (crate::pages::devices::confirm_narrowing(u, "/settings/policy", "settings-policy-warning", ("confirm-policy", "settings-policy-confirm"), html! {
                @for role in Role::ALL {
                    @for c in FieldClass::ALL {
                        input type="hidden" name=(policy_field(role, c)) value=(chosen.get(role, c).name());
                    }
                }
            }))
        };
        return Ok(admin_page(
            u,
            "settings-policy-confirm-title",
            "/settings",
            StatusCode::OK,
            body,
        ));
    }
    let message = match device.change_registry(&ops, now) {
        Ok(_) => tr.ta("settings-policy-saved", &[("n", ops.len().to_string())]),
        Err(_) => tr.t("err-write"),
    };
    flash(u, message);
    Ok(Redirect::to("/settings").into_response())
}

/// `GET /sync`: every peer's last sync and result, and a button to sync now.
pub(crate) async fn sync(u: Unlocked) -> Result<Response, WebError> {
    let tr = u.tr();
    let table = u
        .with_device(move |_, device| peers_table(tr, device, true))
        .await?;
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
            (&["was removed"], "quarantine-removed"),
            (&["depends on a rejected"], "quarantine-depends"),
            (&["erased"], "quarantine-erased"),
            (&["may not write", "agreement"], "quarantine-forbidden"),
            (&["signature"], "quarantine-signature"),
        ],
        "quarantine-other",
    ))
}

/// Whether direction may re-admit a change quarantined for `reason` (`Device::readmit`): work
/// its author's revocation or a removal of its rights set aside, and what was built on it.
fn readmittable(reason: &carnet_replica::Reason) -> bool {
    use carnet_replica::Reason;
    matches!(
        reason,
        Reason::Revoked
            | Reason::DependsOnRejected
            | Reason::Removed { .. }
            | Reason::DirectionRemoved
    )
}

/// Per device, how many of its quarantined changes direction may re-admit, with its holder.
fn readmittable_by_device(
    device: &Device,
    items: &[carnet_device::Quarantined],
) -> Vec<(carnet_replica::DeviceId, String, usize)> {
    let registry = device.registry();
    let mut counts: std::collections::BTreeMap<carnet_replica::DeviceId, usize> =
        std::collections::BTreeMap::new();
    for q in items.iter().filter(|q| readmittable(&q.reason)) {
        *counts.entry(q.entry.author).or_default() += 1;
    }
    counts
        .into_iter()
        .filter_map(|(id, n)| {
            let d = registry?.device(&id)?;
            Some((id, d.holder.clone(), n))
        })
        .collect()
}

/// `GET /quarantine`: each rejected change — which record, who, when — with its reason; for
/// direction, each device whose work its revocation or a narrowing of its rights set aside,
/// with a button to review and re-admit it.
pub(crate) async fn quarantine(u: Unlocked) -> Result<Response, WebError> {
    u.with_device(|u, device| quarantine_of(u, device)).await
}

fn quarantine_of(u: &Unlocked, device: &Device) -> Result<Response, WebError> {
    let tr = u.tr();
    let items = device.quarantine()?;
    let registry = device.registry();
    let readmit = if is_direction(device) {
        readmittable_by_device(device, &items)
    } else {
        vec![]
    };
    let body = html! {
        (flashed(u))
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
                                    carnet_model::DocId::Record { kind, .. } => tr.t(&crate::keys::kind_key(*kind)),
                                    carnet_model::DocId::Registry | carnet_model::DocId::AccessLog(_) => tr.t("quarantine-registry"),
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
        @if !readmit.is_empty() {
            section.record-section id="readmit" {
                h2 { (tr.t("readmit-title")) }
                p.hint { (tr.t("readmit-intro")) }
                ul.readmit {
                    @for (id, holder, n) in &readmit {
                        li id=(format!("readmit-{}", id.short())) {
                            (tr.ta("readmit-device", &[("holder", holder.clone()), ("device", id.short()), ("n", n.to_string())]))
                            " "
                            a.button.secondary href=(format!("/quarantine/{id}/readmit")) id=(format!("readmit-link-{}", id.short())) {
                                (tr.t("readmit-review"))
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(admin_page(
        u,
        "quarantine-title",
        "/quarantine",
        StatusCode::OK,
        body,
    ))
}

/// The quarantined device `id` names, with its holder and how many of its changes may be
/// re-admitted (direction only).
fn readmit_target(
    device: &Device,
    id: &str,
) -> Result<(carnet_replica::DeviceId, String, usize), WebError> {
    let id: carnet_replica::DeviceId = id.parse().map_err(|_| WebError::NotFound)?;
    let items = device.quarantine()?;
    let holder = device
        .registry()
        .and_then(|r| r.device(&id))
        .map(|d| d.holder.clone())
        .ok_or(WebError::NotFound)?;
    let n = items
        .iter()
        .filter(|q| q.entry.author == id && readmittable(&q.reason))
        .count();
    Ok((id, holder, n))
}

/// `GET /quarantine/{id}/readmit` (direction): what re-admitting does, before doing it.
pub(crate) async fn readmit_page(
    u: Unlocked,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Response, WebError> {
    u.with_device(move |u, device| readmit_page_of(u, device, &id))
        .await
}

fn readmit_page_of(u: &Unlocked, device: &Device, id: &str) -> Result<Response, WebError> {
    direction(device)?;
    let tr = u.tr();
    let (id, holder, n) = readmit_target(device, id)?;
    let revoked = device
        .registry()
        .and_then(|r| r.device(&id))
        .is_some_and(|d| d.revoked.is_some());
    let body = html! {
        @if n == 0 {
            p id="readmit-nothing" { (tr.ta("readmit-nothing", &[("holder", holder.clone())])) }
            p { a href="/quarantine" { (tr.t("quarantine-title")) } }
        } @else {
            p { (tr.ta("readmit-what", &[("holder", holder.clone()), ("n", n.to_string())])) }
            p.notice { (tr.t("readmit-warning")) }
            @if revoked { p.hint { (tr.t("readmit-still-revoked")) } }
            form method="post" action=(format!("/quarantine/{id}/readmit")) {
                input type="hidden" name="csrf" value=(u.info.session.csrf);
                p.actions {
                    button type="submit" id="readmit-confirm" { (tr.t("readmit-button")) }
                    a.button.secondary href="/quarantine" { (tr.t("cancel")) }
                }
            }
        }
    };
    Ok(admin_page(
        u,
        "readmit-page-title",
        "/quarantine",
        StatusCode::OK,
        body,
    ))
}

/// `POST /quarantine/{id}/readmit` (direction): `Device::readmit`, as `carnet quarantine
/// readmit DEVICE` does.
pub(crate) async fn readmit(
    u: Unlocked,
    axum::extract::Path(id): axum::extract::Path<String>,
    _form: Posted,
) -> Result<Response, WebError> {
    let tr = u.tr();
    let now = u.app.now();
    u.with_device(move |u, device| {
        direction(device)?;
        let (id, holder, _) = readmit_target(device, &id)?;
        let message = match device.readmit(id, now) {
            Ok(0) => tr.ta("readmit-nothing", &[("holder", holder)]),
            Ok(n) => tr.ta("readmit-done", &[("holder", holder), ("n", n.to_string())]),
            Err(_) => tr.t("err-write"),
        };
        flash(u, message);
        Ok(Redirect::to("/quarantine").into_response())
    })
    .await
}
