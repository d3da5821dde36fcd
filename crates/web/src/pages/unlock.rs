//! The passphrase page, unlocking (the first time it opens the device, later it checks the
//! passphrase against the open store), locking, the idle timer and the language switch.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::{HeaderValue, SET_COOKIE};
use axum::response::{IntoResponse, Redirect, Response};
use carnet_device::{Device, OpenDeviceError};
use maud::html;
use tokio::sync::Mutex;
use zeroize::Zeroizing;

use crate::app::{App, Posted, SessionInfo, html, session_cookie};
use crate::error::WebError;
use crate::i18n::{Lang, Tr, remember};
use crate::layout::{Frame, Nav, page};

fn unlock_page(app: &App, info: &SessionInfo, error: Option<String>) -> maud::Markup {
    let tr = Tr::new(app.i18n, info.lang);
    let described = if error.is_some() {
        "passphrase-hint passphrase-error"
    } else {
        "passphrase-hint"
    };
    page(
        &Frame {
            tr,
            title: tr.t("unlock-title"),
            nav: Nav::None,
            csrf: &info.session.csrf,
            unlocked: false,
            back: "/unlock",
            idle_secs: 0,
        },
        html! {
            @if let Some(e) = &error {
                div.error-summary role="alert" id="error-summary" {
                    h2 { (tr.t("error-summary-title")) }
                    ul { li { a href="#passphrase" { (e) } } }
                }
            }
            p { (tr.t("unlock-intro")) }
            form method="post" action="/unlock" {
                input type="hidden" name="csrf" value=(info.session.csrf);
                div class=(if error.is_some() { "field has-error" } else { "field" }) {
                    label for="passphrase" { (tr.t("unlock-passphrase")) }
                    p.hint id="passphrase-hint" { (tr.t("unlock-passphrase-hint")) }
                    @if let Some(e) = &error { p.error-message id="passphrase-error" { (e) } }
                    input type="password" id="passphrase" name="passphrase"
                        autocomplete="current-password" aria-describedby=(described) autofocus;
                }
                button type="submit" id="unlock" { (tr.t("unlock-button")) }
            }
        },
    )
}

/// `GET /unlock`.
pub(crate) async fn show(State(app): State<Arc<App>>, info: SessionInfo) -> Response {
    if info.session.unlocked {
        return Redirect::to("/today").into_response();
    }
    if crate::pages::setup::needs_setup(&app) {
        return Redirect::to("/setup").into_response();
    }
    html(StatusCode::OK, unlock_page(&app, &info, None))
}

enum Outcome {
    Open,
    Wrong,
    InUse,
}

/// `POST /unlock`.
pub(crate) async fn unlock(
    State(app): State<Arc<App>>,
    info: SessionInfo,
    form: Posted,
) -> Result<Response, WebError> {
    let pass = Zeroizing::new(form.get("passphrase").unwrap_or("").to_owned());
    let outcome = {
        let mut slot = app.device.lock().await;
        match slot.clone() {
            Some(device) => {
                let ok = app
                    .device_work(&device, move |d| Ok(d.check_passphrase(pass.as_bytes())))
                    .await?;
                match ok {
                    Ok(true) => Outcome::Open,
                    Ok(false) => Outcome::Wrong,
                    Err(_) => Outcome::InUse,
                }
            }
            None => {
                let home = app.config.home.clone();
                let opened = app
                    .blocking(move || Ok(Device::open(&home, pass.as_bytes())))
                    .await?;
                match opened {
                    Ok(device) => {
                        let device = Arc::new(Mutex::new(device));
                        *slot = Some(device.clone());
                        (app.config.on_open)(device);
                        Outcome::Open
                    }
                    Err(OpenDeviceError::Open(carnet_store::OpenError::WrongPassphrase)) => {
                        Outcome::Wrong
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot open the device");
                        Outcome::InUse
                    }
                }
            }
        }
    };
    let tr = Tr::new(app.i18n, info.lang);
    match outcome {
        Outcome::Open => {
            let id = app
                .sessions
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .unlock(&info.id);
            let mut r = Redirect::to("/today").into_response();
            if let Ok(v) = HeaderValue::from_str(&session_cookie(&app.cookie_name(), &id)) {
                r.headers_mut().insert(SET_COOKIE, v);
            }
            Ok(r)
        }
        Outcome::Wrong => Ok(html(
            StatusCode::UNAUTHORIZED,
            unlock_page(&app, &info, Some(tr.t("unlock-wrong"))),
        )),
        Outcome::InUse => Ok(html(
            StatusCode::SERVICE_UNAVAILABLE,
            unlock_page(&app, &info, Some(tr.t("unlock-cannot-open"))),
        )),
    }
}

/// `POST /lock`: this session needs the passphrase again (the device goes on syncing).
pub(crate) async fn lock(
    State(app): State<Arc<App>>,
    info: SessionInfo,
    _form: Posted,
) -> Redirect {
    app.sessions
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .lock(&info.id);
    Redirect::to("/unlock")
}

/// `GET /idle`: where the idle timer of a page leads (not counted as activity).
pub(crate) async fn idle(info: SessionInfo) -> Redirect {
    if info.session.unlocked {
        Redirect::to("/today")
    } else {
        Redirect::to("/unlock")
    }
}

/// `POST /language`: the device remembers the language chosen.
pub(crate) async fn language(State(app): State<Arc<App>>, form: Posted) -> Redirect {
    if let Some(lang) = form.get("lang").and_then(Lang::parse)
        && let Err(e) = remember(&app.config.home, lang)
    {
        tracing::warn!(error = %e, "cannot remember the language");
    }
    let back = form.get("back").unwrap_or("/");
    // Only a path of this interface (no scheme, no other host).
    let back = if back.starts_with('/') && !back.starts_with("//") && !back.contains('\\') {
        back
    } else {
        "/"
    };
    Redirect::to(back)
}
