//! *Appareils / Devices*: the organisation's devices (role, holder, city, agreement, last seen,
//! revoked or not); for direction devices, revoking one (after a warning about its unsynced
//! work) and inviting a new one — the ticket as a QR code and as text, then, for each device
//! that presents it, its confirmation code to compare with the new device's screen before it
//! joins. The invitation's secret stays on the server, in the session that made it. Direction
//! also changes a device's roles and confidentiality agreement (the registry operations
//! `carnet device role` and `carnet device agreement` make, in one registry change), after a
//! confirmation naming the rights a narrowing takes away.

use std::collections::BTreeSet;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use carnet_device::Device;
use carnet_model::Role;
use carnet_replica::DeviceId;
use chrono::NaiveDate;
use maud::{Markup, PreEscaped, html};

use crate::app::{Posted, Unlocked, html};
use crate::error::WebError;
use crate::layout::Nav;
use crate::pages::admin::{admin_page, direction, error_summary, flash, flashed, is_direction};
use crate::pages::frame;
use crate::pages::today::when;

/// How long an invitation made in the interface is valid.
const INVITATION_MINUTES: i64 = 15;

/// The roles a new device may be given, in the order the form lists them.
const ROLES: [Role; 7] = [
    Role::Staff,
    Role::Direction,
    Role::Board,
    Role::Roots,
    Role::Mentor,
    Role::ActiveMember,
    Role::Member,
];

fn find_device(device: &Device, id: &str) -> Result<DeviceId, WebError> {
    let id: DeviceId = id.parse().map_err(|_| WebError::NotFound)?;
    device
        .registry()
        .and_then(|r| r.device(&id))
        .map(|d| d.id)
        .ok_or(WebError::NotFound)
}

/// `GET /devices`.
pub(crate) async fn list(u: Unlocked) -> Result<Response, WebError> {
    u.with_device(|u, device| list_of(u, device)).await
}

fn list_of(u: &Unlocked, device: &Device) -> Result<Response, WebError> {
    let tr = u.tr();
    let registry = device.registry().ok_or(WebError::Internal("no registry"))?;
    let peers = device.peers()?;
    let direction = is_direction(device);
    let me = device.id();
    let body = html! {
        (flashed(u))
        @if direction {
            p { a.button href="/devices/invite" id="invite" { (tr.t("devices-invite")) } }
        }
        div.table-wrap {
            table id="devices-table" {
                thead { tr {
                    th scope="col" { (tr.t("devices-holder")) }
                    th scope="col" { (tr.t("devices-roles")) }
                    th scope="col" { (tr.t("devices-city")) }
                    th scope="col" { (tr.t("devices-agreement")) }
                    th scope="col" { (tr.t("devices-last-seen")) }
                    th scope="col" { (tr.t("devices-status")) }
                    @if direction { th scope="col" { (tr.t("devices-actions")) } }
                } }
                tbody {
                    @for d in registry.devices.values() {
                        @let roles: Vec<String> = d.roles.iter().map(|r| tr.t(&crate::keys::role_key(*r))).collect();
                        @let seen = if d.id == me { tr.t("devices-this-one") } else {
                            peers.get(&d.id.to_string()).and_then(|p| p.last_sync_ms).map(|ms| when(tr, ms)).unwrap_or_else(|| tr.t("never"))
                        };
                        tr {
                            th scope="row" { (d.holder) " " small { "(" (d.id.short()) ")" } }
                            td { (roles.join(", ")) }
                            td { (d.city.clone().unwrap_or_default()) }
                            td { (d.agreement.as_deref().and_then(|a| NaiveDate::parse_from_str(a, "%Y-%m-%d").ok()).map(|a| tr.date(a)).unwrap_or_else(|| tr.t("devices-no-agreement"))) }
                            td { (seen) }
                            td {
                                @if d.revoked.is_some() { span.tag.block { (tr.t("devices-revoked")) } }
                                @else { (tr.t("devices-active")) }
                            }
                            @if direction {
                                td.actions-cell {
                                    @if d.revoked.is_none() {
                                        a href=(format!("/devices/{}/edit", d.id)) id=(format!("edit-{}", d.id.short())) { (tr.t("devices-edit")) }
                                        @if d.id != me {
                                            br;
                                            a href=(format!("/devices/{}/revoke", d.id)) id=(format!("revoke-{}", d.id.short())) { (tr.t("devices-revoke")) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(admin_page(
        u,
        "devices-title",
        "/devices",
        StatusCode::OK,
        body,
    ))
}

/// `GET /devices/{id}/revoke` (direction): what revoking does, before doing it.
pub(crate) async fn revoke_page(u: Unlocked, Path(id): Path<String>) -> Result<Response, WebError> {
    u.with_device(move |u, device| revoke_page_of(u, device, &id))
        .await
}

fn revoke_page_of(u: &Unlocked, device: &Device, id: &str) -> Result<Response, WebError> {
    direction(device)?;
    let tr = u.tr();
    let id = find_device(device, id)?;
    let holder = device
        .registry()
        .and_then(|r| r.device(&id))
        .map(|d| d.holder.clone())
        .unwrap_or_default();
    let body = html! {
        p.notice { (tr.ta("devices-revoke-warning", &[("holder", holder)])) }
        form method="post" action=(format!("/devices/{id}/revoke")) {
            input type="hidden" name="csrf" value=(u.info.session.csrf);
            p.actions {
                button.danger type="submit" id="revoke-confirm" { (tr.t("devices-revoke")) }
                a.button.secondary href="/devices" { (tr.t("cancel")) }
            }
        }
    };
    Ok(admin_page(
        u,
        "devices-revoke-title",
        "/devices",
        StatusCode::OK,
        body,
    ))
}

/// `POST /devices/{id}/revoke` (direction).
pub(crate) async fn revoke(
    u: Unlocked,
    Path(id): Path<String>,
    _form: Posted,
) -> Result<Response, WebError> {
    let tr = u.tr();
    let now = u.app.now();
    u.with_device(move |u, device| {
        direction(device)?;
        let id = find_device(device, &id)?;
        let revoked = device
            .registry()
            .and_then(|r| r.device(&id))
            .is_some_and(|d| d.revoked.is_some());
        let message = if id == device.id() || revoked {
            tr.t("devices-revoke-refused")
        } else {
            match device.revoke(id, now) {
                Ok(_) => tr.t("devices-revoked-done"),
                Err(_) => tr.t("err-write"),
            }
        };
        flash(u, message);
        Ok(Redirect::to("/devices").into_response())
    })
    .await
}

fn invite_form_of(
    u: &Unlocked,
    errors: &[(&'static str, String)],
    typed: &[(String, String)],
) -> Markup {
    let tr = u.tr();
    let err = |f: &str| errors.iter().find(|(k, _)| *k == f).map(|(_, m)| m.clone());
    let value = |f: &str| {
        typed
            .iter()
            .find(|(k, _)| k == f)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let chosen: BTreeSet<String> = typed
        .iter()
        .filter(|(k, _)| k == "role")
        .map(|(_, v)| v.clone())
        .collect();
    let text = |id: &str, label: &str, hint: &str, class: &str| {
        let e = err(id);
        html! {
            div class=(if e.is_some() { "field has-error" } else { "field" }) {
                label for=(id) { (tr.t(label)) }
                p.hint id=(format!("{id}-hint")) { (tr.t(hint)) }
                @if let Some(e) = &e { p.error-message id=(format!("{id}-error")) { (e) } }
                input class=(class) type="text" id=(id) name=(id) value=(value(id)) autocomplete="off" aria-describedby=(format!("{id}-hint"));
            }
        }
    };
    html! {
        (error_summary(tr, errors))
        p { (tr.t("invite-intro")) }
        form method="post" action="/devices/invite" novalidate {
            input type="hidden" name="csrf" value=(u.info.session.csrf);
            (text("holder", "invite-holder", "invite-holder-hint", "long"))
            @let e = err("role");
            div class=(if e.is_some() { "field has-error" } else { "field" }) {
                fieldset id="role" aria-describedby="role-hint" {
                    legend { (tr.t("invite-roles")) }
                    p.hint id="role-hint" { (tr.t("invite-roles-hint")) }
                    @if let Some(e) = &e { p.error-message { (e) } }
                    ul.checks {
                        @for r in ROLES {
                            li {
                                input type="checkbox" id=(format!("role-{}", r.name())) name="role" value=(r.name()) checked[chosen.contains(r.name())];
                                label for=(format!("role-{}", r.name())) { (tr.t(&crate::keys::role_key(r))) }
                            }
                        }
                    }
                }
            }
            (text("city", "invite-city", "invite-city-hint", "long"))
            (text("agreement", "invite-agreement", "invite-agreement-hint", "date"))
            button type="submit" id="make-invitation" { (tr.t("invite-make")) }
        }
    }
}

/// `GET /devices/invite` (direction).
pub(crate) async fn invite_form(u: Unlocked) -> Result<Response, WebError> {
    u.with_device(|_, device| direction(device)).await?;
    let body = invite_form_of(&u, &[], &[]);
    Ok(admin_page(
        &u,
        "invite-title",
        "/devices/invite",
        StatusCode::OK,
        body,
    ))
}

/// `POST /devices/invite` (direction): makes the invitation (with a confirmation step) and
/// shows it.
pub(crate) async fn invite(u: Unlocked, form: Posted) -> Result<Response, WebError> {
    let tr = u.tr();
    let now = u.app.now();
    u.with_device(move |u, device| invite_on(u, device, &form, tr, now))
        .await
}

fn invite_on(
    u: &Unlocked,
    device: &mut Device,
    form: &Posted,
    tr: crate::i18n::Tr<'_>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Response, WebError> {
    direction(device)?;
    let holder = form.get("holder").unwrap_or("").trim().to_owned();
    let city = form.get("city").unwrap_or("").trim().to_owned();
    let typed_agreement = form.get("agreement").unwrap_or("").trim().to_owned();
    let roles: BTreeSet<Role> = form
        .fields
        .iter()
        .filter(|(k, _)| k == "role")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let mut errors = vec![];
    if holder.is_empty() {
        errors.push(("holder", tr.t("invite-holder-missing")));
    }
    if roles.is_empty() {
        errors.push(("role", tr.t("invite-roles-missing")));
    }
    let agreement = match typed_agreement.as_str() {
        "" => None,
        t => match NaiveDate::parse_from_str(t, "%d/%m/%Y")
            .or_else(|_| NaiveDate::parse_from_str(t, "%Y-%m-%d"))
        {
            Ok(d) => Some(d.format("%Y-%m-%d").to_string()),
            Err(_) => {
                errors.push(("agreement", tr.t("invite-agreement-bad")));
                None
            }
        },
    };
    if errors.is_empty() {
        let expires = now + chrono::Duration::minutes(INVITATION_MINUTES);
        let city = (!city.is_empty()).then_some(city.as_str());
        match device.invite(roles, &holder, city, agreement, expires, true) {
            Ok(secret) => {
                u.app
                    .sessions
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .set_invitation(&u.info.id, Some(secret));
                return Ok(Redirect::to("/devices/invitation").into_response());
            }
            Err(_) => errors.push(("holder", tr.t("err-write"))),
        }
    }
    let body = invite_form_of(u, &errors, &form.fields);
    Ok(admin_page(
        u,
        "invite-title",
        "/devices/invite",
        StatusCode::UNPROCESSABLE_ENTITY,
        body,
    ))
}

/// A ticket as an SVG QR code, for the new device's camera.
fn qr_svg(ticket: &str) -> Option<String> {
    let code =
        qrcode::QrCode::with_error_correction_level(ticket.to_uppercase(), qrcode::EcLevel::L)
            .ok()?;
    Some(
        code.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(240, 240)
            .quiet_zone(true)
            .build(),
    )
}

/// `GET /devices/invitation`: the invitation this session made — its ticket, then each device
/// that presented it with its code and buttons to confirm or refuse; reloads itself every few
/// seconds while it waits.
pub(crate) async fn invitation(u: Unlocked) -> Result<Response, WebError> {
    let tr = u.tr();
    let now = u.app.now();
    let Some(secret) = u.info.session.invitation else {
        return Ok(Redirect::to("/devices").into_response());
    };
    let (inv, org) = u
        .with_device(move |_, device| {
            let inv = device.invitation(&secret)?.ok_or(WebError::NotFound)?;
            Ok((inv, *device.org().0.as_bytes()))
        })
        .await?;
    let ticket = u
        .app
        .config
        .network
        .as_ref()
        .and_then(|n| n.ticket(org, secret));
    let expired = inv.expires_ms < now.timestamp_millis() || inv.cancelled;
    let joined = inv.used_by.map(DeviceId);
    let waiting: Vec<DeviceId> = inv
        .presented
        .iter()
        .map(|d| DeviceId(*d))
        .filter(|d| Some(d.0) != inv.confirmed && !inv.refused.contains(&d.0))
        .collect();
    let refresh = joined.is_none() && !expired;
    let body = html! {
        (flashed(&u))
        @if let Some(d) = joined {
            p.saved id="joined" role="status" { (tr.ta("invite-joined", &[("device", d.short())])) }
            p { a href="/devices" { (tr.t("devices-title")) } }
        } @else if expired {
            p id="expired" { (tr.t("invite-expired")) }
            p { a.button href="/devices/invite" { (tr.t("invite-make")) } }
        } @else {
            p { (tr.ta("invite-for", &[("holder", inv.holder.clone()), ("minutes", INVITATION_MINUTES.to_string())])) }
            @match &ticket {
                Some(t) => {
                    div.qr id="qr" role="img" aria-label=(tr.t("invite-qr")) { (PreEscaped(qr_svg(t).unwrap_or_default())) }
                    div.field {
                        label for="ticket" { (tr.t("invite-ticket")) }
                        p.hint id="ticket-hint" { (tr.t("invite-ticket-hint")) }
                        textarea id="ticket" readonly rows="3" aria-describedby="ticket-hint" { (t) }
                    }
                },
                None => p.notice { (tr.t("invite-no-network")) },
            }
            @if let Some(c) = inv.confirmed {
                p.saved role="status" id="confirmed" { (tr.ta("invite-confirmed", &[("device", DeviceId(c).short())])) }
            }
            @for d in &waiting {
                section.record-section.personal id=(format!("presented-{}", d.short())) {
                    h2 { (tr.ta("invite-presented", &[("device", d.short())])) }
                    p { (tr.t("invite-compare")) }
                    p.code id="code" { (carnet_device::join_code(&secret, d)) }
                    form method="post" action="/devices/invitation/answer" {
                        input type="hidden" name="csrf" value=(u.info.session.csrf);
                        input type="hidden" name="device" value=(d.to_string());
                        p.actions {
                            button type="submit" name="answer" value="yes" id="confirm-code" { (tr.t("invite-same")) }
                            button.danger type="submit" name="answer" value="no" id="refuse-code" { (tr.t("invite-different")) }
                        }
                    }
                }
            }
            @if waiting.len() > 1 {
                p.notice id="leaked" { (tr.t("invite-leaked")) }
            }
            @if waiting.is_empty() && inv.confirmed.is_none() {
                p id="waiting" aria-live="polite" { (tr.t("invite-waiting")) }
            }
            @if refresh && waiting.is_empty() {
                p { a href="/devices/invitation" id="refresh" { (tr.t("invite-refresh")) } }
            }
        }
    };
    let page = frame(
        &u,
        tr.t("invite-title"),
        Nav::Admin,
        "/devices/invitation",
        body,
    );
    // While nothing needs an answer, the page looks again every 3 seconds by itself.
    let mut response = html(StatusCode::OK, page);
    if refresh && waiting.is_empty() {
        response
            .headers_mut()
            .insert("refresh", axum::http::HeaderValue::from_static("3"));
    }
    Ok(response)
}

/// `POST /devices/invitation/answer`: the codes match (the device may join) or differ (it may
/// not; the ticket may have leaked).
pub(crate) async fn answer(u: Unlocked, form: Posted) -> Result<Response, WebError> {
    let tr = u.tr();
    let Some(secret) = u.info.session.invitation else {
        return Ok(Redirect::to("/devices").into_response());
    };
    let who: DeviceId = form
        .get("device")
        .and_then(|d| d.parse().ok())
        .ok_or(WebError::BadForm)?;
    let yes = form.get("answer") == Some("yes");
    let message = u
        .with_device(move |_, device| {
            Ok(if yes {
                match device.confirm_invitation(&secret, &who) {
                    Ok(true) => tr.ta("invite-confirmed", &[("device", who.short())]),
                    _ => tr.t("err-write"),
                }
            } else {
                match device.refuse_invitation(&secret, &who) {
                    Ok(()) => tr.t("invite-refused"),
                    Err(_) => tr.t("err-write"),
                }
            })
        })
        .await?;
    flash(&u, message);
    Ok(Redirect::to("/devices/invitation").into_response())
}

/// A device's rights as a form gives them: its roles and the date its holder signed the
/// confidentiality agreement (`YYYY-MM-DD`), or none.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rights {
    roles: BTreeSet<Role>,
    agreement: Option<String>,
}

/// What the classes `before` allowed and `after` no longer does, as `(class, before, after)`.
fn narrowed(
    policy: &carnet_model::Policy,
    before: &Rights,
    after: &Rights,
) -> Vec<(
    carnet_model::FieldClass,
    carnet_model::Access,
    carnet_model::Access,
)> {
    carnet_model::FieldClass::ALL
        .into_iter()
        .filter_map(|c| {
            let b = policy.effective(&before.roles, before.agreement.is_some(), c);
            let a = policy.effective(&after.roles, after.agreement.is_some(), c);
            (a < b).then_some((c, b, a))
        })
        .collect()
}

/// An access in words, for a sentence ("read only", "no access").
pub(crate) fn access_words(tr: crate::i18n::Tr<'_>, a: carnet_model::Access) -> String {
    tr.t(match a {
        carnet_model::Access::None => "access-none-words",
        carnet_model::Access::Read => "access-read",
        carnet_model::Access::Write => "access-write",
    })
}

/// What a narrowing of rights does (`warning`), then a form posting `fields` again to `action`
/// with `confirm=yes` (the button `(id, words)` of `confirm`) or `action=back` (the form again).
pub(crate) fn confirm_narrowing(
    u: &Unlocked,
    action: &str,
    warning: &str,
    confirm: (&str, &str),
    fields: Markup,
) -> Markup {
    let tr = u.tr();
    let (confirm_id, confirm_key) = confirm;
    html! {
        p.notice id="narrow-warning" { (tr.t(warning)) }
        form method="post" action=(action) {
            input type="hidden" name="csrf" value=(u.info.session.csrf);
            (fields)
            p.actions {
                button.danger type="submit" name="confirm" value="yes" id=(confirm_id) { (tr.t(confirm_key)) }
                button.secondary type="submit" name="action" value="back" id="back-to-form" { (tr.t("device-edit-back")) }
            }
        }
    }
}

/// The form changing device `id`'s roles and agreement, with `typed` rights and refusals.
fn edit_form(
    u: &Unlocked,
    id: DeviceId,
    holder: &str,
    this_one: bool,
    typed: &Rights,
    typed_agreement: &str,
    errors: &[(&'static str, String)],
) -> Markup {
    let tr = u.tr();
    let err = |f: &str| errors.iter().find(|(k, _)| *k == f).map(|(_, m)| m.clone());
    html! {
        (error_summary(tr, errors))
        p { (tr.ta("device-edit-intro", &[("holder", holder.to_owned()), ("device", id.short())])) }
        @if this_one { p.hint id="this-device" { (tr.t("device-edit-this-one")) } }
        form method="post" action=(format!("/devices/{id}/edit")) novalidate {
            input type="hidden" name="csrf" value=(u.info.session.csrf);
            @let e = err("role");
            div class=(if e.is_some() { "field has-error" } else { "field" }) {
                fieldset id="role" aria-describedby="role-hint" {
                    legend { (tr.t("devices-roles")) }
                    p.hint id="role-hint" { (tr.t("device-edit-roles-hint")) }
                    @if let Some(e) = &e { p.error-message id="role-error" { (e) } }
                    ul.checks {
                        @for r in ROLES {
                            li {
                                input type="checkbox" id=(format!("role-{}", r.name())) name="role" value=(r.name()) checked[typed.roles.contains(&r)];
                                label for=(format!("role-{}", r.name())) { (tr.t(&crate::keys::role_key(r))) }
                            }
                        }
                    }
                }
            }
            @let e = err("agreement");
            div class=(if e.is_some() { "field has-error" } else { "field" }) {
                label for="agreement" { (tr.t("invite-agreement")) }
                p.hint id="agreement-hint" { (tr.t("device-edit-agreement-hint")) }
                @if let Some(e) = &e { p.error-message id="agreement-error" { (e) } }
                input.date type="text" id="agreement" name="agreement" value=(typed_agreement) autocomplete="off" aria-describedby="agreement-hint";
            }
            @if typed.agreement.is_some() || !typed_agreement.is_empty() {
                div.field {
                    ul.checks.wide {
                        li {
                            input type="checkbox" id="withdraw" name="withdraw" value="yes";
                            label for="withdraw" { (tr.t("device-edit-withdraw")) }
                        }
                    }
                }
            }
            p.actions {
                button type="submit" id="save-device" { (tr.t("save")) }
                a.button.secondary href="/devices" { (tr.t("cancel")) }
            }
        }
    }
}

/// The device `id` names, if it is enrolled and not revoked: its holder and rights.
fn editable(device: &Device, id: &str) -> Result<(DeviceId, String, Rights), WebError> {
    let id = find_device(device, id)?;
    let d = device
        .registry()
        .and_then(|r| r.device(&id))
        .filter(|d| d.revoked.is_none())
        .ok_or(WebError::NotFound)?;
    Ok((
        id,
        d.holder.clone(),
        Rights {
            roles: d.roles.clone(),
            agreement: d.agreement.clone(),
        },
    ))
}

/// A stored `YYYY-MM-DD` date as the page's language writes it.
fn shown_date(tr: crate::i18n::Tr<'_>, date: Option<&str>) -> String {
    date.and_then(|a| NaiveDate::parse_from_str(a, "%Y-%m-%d").ok())
        .map(|a| tr.date(a))
        .unwrap_or_default()
}

/// `GET /devices/{id}/edit` (direction): the device's roles and agreement, to change.
pub(crate) async fn edit_page(u: Unlocked, Path(id): Path<String>) -> Result<Response, WebError> {
    let (id, holder, rights, this_one) = u
        .with_device(move |_, device| {
            direction(device)?;
            let (id, holder, rights) = editable(device, &id)?;
            Ok((id, holder, rights, id == device.id()))
        })
        .await?;
    let typed = shown_date(u.tr(), rights.agreement.as_deref());
    let body = edit_form(&u, id, &holder, this_one, &rights, &typed, &[]);
    Ok(admin_page(
        &u,
        "device-edit-title",
        "/devices",
        StatusCode::OK,
        body,
    ))
}

/// `POST /devices/{id}/edit` (direction): the roles ticked and the agreement's date. A change
/// that takes a right away is shown first, with what it takes away, and made once confirmed
/// (`confirm=yes`); refusals of the rules are shown by their fields, nothing changed.
pub(crate) async fn edit(
    u: Unlocked,
    Path(id): Path<String>,
    form: Posted,
) -> Result<Response, WebError> {
    let tr = u.tr();
    let now = u.app.now();
    u.with_device(move |u, device| edit_on(u, device, &id, &form, tr, now))
        .await
}

fn edit_on(
    u: &Unlocked,
    device: &mut Device,
    id: &str,
    form: &Posted,
    tr: crate::i18n::Tr<'_>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Response, WebError> {
    direction(device)?;
    let (id, holder, before) = editable(device, id)?;
    let this_one = id == device.id();
    let roles: BTreeSet<Role> = form
        .fields
        .iter()
        .filter(|(k, _)| k == "role")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let typed_agreement = form.get("agreement").unwrap_or("").trim().to_owned();
    let withdraw = form.get("withdraw") == Some("yes");
    let mut errors = vec![];
    if roles.is_empty() {
        errors.push(("role", tr.t("device-edit-no-role")));
    } else if this_one && !before.roles.is_subset(&roles) {
        errors.push(("role", tr.t("device-edit-own-role")));
    }
    let agreement = if withdraw || typed_agreement.is_empty() {
        None
    } else {
        match NaiveDate::parse_from_str(&typed_agreement, "%d/%m/%Y")
            .or_else(|_| NaiveDate::parse_from_str(&typed_agreement, "%Y-%m-%d"))
        {
            Ok(d) if d <= now.date_naive() => Some(d.format("%Y-%m-%d").to_string()),
            Ok(_) => {
                errors.push(("agreement", tr.t("device-edit-agreement-future")));
                before.agreement.clone()
            }
            Err(_) => {
                errors.push(("agreement", tr.t("invite-agreement-bad")));
                before.agreement.clone()
            }
        }
    };
    if this_one && before.agreement.is_some() && agreement.is_none() {
        errors.push(("agreement", tr.t("device-edit-own-agreement")));
    }
    let after = Rights {
        roles: roles.clone(),
        agreement: agreement.clone(),
    };
    if !errors.is_empty() || form.get("action") == Some("back") {
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let typed = if withdraw {
            String::new()
        } else {
            typed_agreement
        };
        let body = edit_form(u, id, &holder, this_one, &after, &typed, &errors);
        return Ok(admin_page(u, "device-edit-title", "/devices", status, body));
    }
    let mut ops: Vec<carnet_replica::RegistryOp> = vec![];
    for role in before.roles.symmetric_difference(&after.roles) {
        ops.push(carnet_replica::RegistryOp::Role {
            device: id,
            role: *role,
            granted: after.roles.contains(role),
        });
    }
    if before.agreement != after.agreement {
        ops.push(carnet_replica::RegistryOp::Agreement {
            device: id,
            signed_on: after.agreement.clone(),
        });
    }
    if ops.is_empty() {
        flash(u, tr.t("device-edit-unchanged"));
        return Ok(Redirect::to("/devices").into_response());
    }
    let policy = device
        .registry()
        .map(|r| r.policy.clone())
        .ok_or(WebError::Internal("no registry"))?;
    let lost = narrowed(&policy, &before, &after);
    if !lost.is_empty() && form.get("confirm") != Some("yes") {
        let body = html! {
            p { (tr.ta("device-edit-narrows", &[("holder", holder.clone())])) }
            ul id="lost" {
                @for (c, b, a) in &lost {
                    li { (tr.ta("device-edit-lost", &[
                        ("class", tr.t(&crate::forms::class_key(*c))),
                        ("before", access_words(tr, *b)),
                        ("after", access_words(tr, *a)),
                    ])) }
                }
            }
            (confirm_narrowing(u, &format!("/devices/{id}/edit"), "device-edit-narrow-warning", ("confirm-narrow", "device-edit-confirm"), html! {
                @for r in &after.roles { input type="hidden" name="role" value=(r.name()); }
                input type="hidden" name="agreement" value=(after.agreement.as_deref().map(|a| shown_date(tr, Some(a))).unwrap_or_default());
            }))
        };
        return Ok(admin_page(
            u,
            "device-edit-confirm-title",
            "/devices",
            StatusCode::OK,
            body,
        ));
    }
    let message = match device.change_registry(&ops, now) {
        Ok(_) => tr.ta("device-edit-saved", &[("holder", holder)]),
        Err(_) => tr.t("err-write"),
    };
    flash(u, message);
    Ok(Redirect::to("/devices").into_response())
}
