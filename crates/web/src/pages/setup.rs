//! *Rejoindre / Join*: on a device that belongs to no association yet (`carnet ui` on an empty
//! home), paste the invitation ticket and choose a passphrase; the page then shows this
//! device's confirmation code — the inviting device shows the same one, and its holder compares
//! them — and follows the join until the inviter accepted it. Joining itself is the network
//! layer's ([`crate::Network::join`]); the passphrase only passes through, in memory.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use carnet_device::Device;
use maud::{Markup, html};
use zeroize::Zeroizing;

use crate::app::{App, Posted, SessionInfo, html};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::layout::{Frame, Nav, page};
use crate::pages::admin::{error_summary, password_field, words_for};

/// Where a join started in the interface stands.
#[derive(Debug, Default, Clone)]
pub(crate) struct JoinState {
    /// This device's confirmation code, once known.
    pub code: Option<String>,
    /// How it ended, once it did (`Err`: why, as the network layer said it).
    pub result: Option<Result<(), String>>,
}

/// Whether this device still has to join (or found) an association.
pub(crate) fn needs_setup(app: &App) -> bool {
    !Device::store_path(&app.config.home).exists()
}

/// A page of the setup; the language switch comes back to `back`.
fn setup_page(app: &App, info: &SessionInfo, title: &str, back: &str, body: Markup) -> Markup {
    let tr = Tr::new(app.i18n, info.lang);
    page(
        &Frame {
            tr,
            title: tr.t(title),
            nav: Nav::None,
            csrf: &info.session.csrf,
            unlocked: false,
            back,
            idle_secs: 0,
        },
        body,
    )
}

fn form(app: &App, info: &SessionInfo, errors: &[(&'static str, String)], ticket: &str) -> Markup {
    let tr = Tr::new(app.i18n, info.lang);
    let err = |f: &str| errors.iter().find(|(k, _)| *k == f).map(|(_, m)| m.clone());
    let e = err("ticket");
    setup_page(
        app,
        info,
        "setup-title",
        "/setup",
        html! {
            (error_summary(tr, errors))
            p { (tr.t("setup-intro")) }
            form method="post" action="/setup" novalidate {
                input type="hidden" name="csrf" value=(info.session.csrf);
                div class=(if e.is_some() { "field has-error" } else { "field" }) {
                    label for="ticket" { (tr.t("invite-ticket")) }
                    p.hint id="ticket-hint" { (tr.t("setup-ticket-hint")) }
                    @if let Some(e) = &e { p.error-message id="ticket-error" { (e) } }
                    textarea id="ticket" name="ticket" rows="3" autocomplete="off" spellcheck="false" aria-describedby="ticket-hint" { (ticket) }
                }
                (password_field(tr, "passphrase", "setup-passphrase", Some("settings-passphrase-new-hint"), err("passphrase"), "new-password"))
                (password_field(tr, "again", "settings-passphrase-again", None, err("again"), "new-password"))
                button type="submit" id="join" { (tr.t("setup-join")) }
            }
        },
    )
}

/// `GET /setup`.
pub(crate) async fn show(State(app): State<Arc<App>>, info: SessionInfo) -> Response {
    if !needs_setup(&app) {
        return Redirect::to("/unlock").into_response();
    }
    if app.joining().is_some() {
        return Redirect::to("/setup/joining").into_response();
    }
    html(StatusCode::OK, form(&app, &info, &[], ""))
}

/// `POST /setup`: checks what was typed, then starts joining in the background and shows its
/// progress.
pub(crate) async fn start(
    State(app): State<Arc<App>>,
    info: SessionInfo,
    posted: Posted,
) -> Result<Response, WebError> {
    if !needs_setup(&app) {
        return Ok(Redirect::to("/unlock").into_response());
    }
    let tr = Tr::new(app.i18n, info.lang);
    let ticket: String = posted
        .get("ticket")
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let pass = Zeroizing::new(posted.get("passphrase").unwrap_or("").to_owned());
    let again = Zeroizing::new(posted.get("again").unwrap_or("").to_owned());
    let mut errors = vec![];
    if !ticket.starts_with("carnet1") {
        errors.push(("ticket", tr.t("setup-not-ticket")));
    }
    if pass.chars().count() < 8 {
        errors.push(("passphrase", tr.t("settings-passphrase-short")));
    } else if *pass != *again {
        errors.push(("again", tr.t("settings-passphrase-differ")));
    }
    let Some(network) = app.config.network.clone() else {
        errors.push(("ticket", tr.t("invite-no-network")));
        return Ok(html(
            StatusCode::UNPROCESSABLE_ENTITY,
            form(&app, &info, &errors, &ticket),
        ));
    };
    if !errors.is_empty() || app.joining().is_some() {
        return Ok(html(
            StatusCode::UNPROCESSABLE_ENTITY,
            form(&app, &info, &errors, &ticket),
        ));
    }
    app.set_joining(Some(JoinState::default()));
    let shown = app.clone();
    let ended = app.clone();
    tokio::spawn(async move {
        let code = Box::new(move |c: String| {
            shown.update_joining(|s| s.code = Some(c.clone()));
        });
        let result = network.join(ticket, pass, code).await;
        ended.update_joining(|s| s.result = Some(result.clone()));
    });
    Ok(Redirect::to("/setup/joining").into_response())
}

/// Why a join failed, in the page's words (the network layer's own words follow, small).
fn failure(tr: Tr<'_>, why: &str) -> String {
    tr.t(words_for(
        why,
        &[
            (&["mistyped"], "setup-mistyped"),
            (&["not a Carnet invitation"], "setup-not-ticket"),
            (&["unknown, used or expired"], "setup-expired"),
        ],
        "setup-failed",
    ))
}

/// `GET /setup/joining`: the code to compare, then the outcome; looks again every 2 seconds
/// while it waits.
pub(crate) async fn joining(State(app): State<Arc<App>>, info: SessionInfo) -> Response {
    let tr = Tr::new(app.i18n, info.lang);
    let Some(state) = app.joining() else {
        return Redirect::to("/setup").into_response();
    };
    let waiting = state.result.is_none();
    let body = html! {
        @match &state.result {
            Some(Ok(())) => {
                p.saved role="status" id="joined" { (tr.t("setup-joined")) }
                p { a.button href="/unlock" id="to-unlock" { (tr.t("unlock-button")) } }
            },
            Some(Err(why)) => {
                div.error-summary role="alert" id="error-summary" {
                    h2 { (tr.t("error-summary-title")) }
                    p id="join-failed" { (failure(tr, why)) }
                    p { small { (why) } }
                }
                p { a.button href="/setup" id="again-setup" { (tr.t("setup-again")) } }
            },
            None => {
                @match &state.code {
                    Some(code) => {
                        p { (tr.t("setup-compare")) }
                        p.code id="code" { (code) }
                        p aria-live="polite" { (tr.t("setup-waiting")) }
                    },
                    None => p aria-live="polite" { (tr.t("setup-connecting")) },
                }
            },
        }
    };
    let mut response = html(
        StatusCode::OK,
        setup_page(&app, &info, "setup-title", "/setup/joining", body),
    );
    if waiting {
        response
            .headers_mut()
            .insert("refresh", HeaderValue::from_static("2"));
    } else if matches!(state.result, Some(Err(_))) {
        // A failed join can be tried again from the form.
        app.set_joining(None);
    }
    response
}
