//! Carnet's local web interface: server-rendered pages (no script needed) in French and
//! English over the device core, for staff who do not use a terminal.
//!
//! `carnet ui` binds it on `127.0.0.1` ([`bind`]), builds its [`App`] and serves [`router`].
//! Every page goes through the same `carnet_device::Device` as the command line, with the same
//! checked writes (`Device::write_checked`, and [`plan`] for members, `carnet-transfer` for
//! spreadsheet imports and exports): there is no second write path, and that work runs on
//! tokio's blocking pool, never on the async workers. Safe by construction: a loopback-only
//! listener, the `Host` header checked against DNS rebinding, forms refused from other origins
//! or without the session's CSRF token, a session cookie `HttpOnly; SameSite=Strict`, a strict
//! Content-Security-Policy, `no-store` on every response, no personal value in a URL or a log,
//! and sessions that lock after an idle delay.
//!
//! **Architecture invariant:** knows nothing of the network layer (iroh, sync) or of clap; the
//! command line starts the node when the device is first opened ([`Config::on_open`]).

mod app;
mod assets;
mod error;
mod findings;
mod forms;
mod i18n;
mod keys;
pub mod labels;
mod layout;
mod network;
mod pages;
pub mod plan;
mod session;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::response::Redirect;
use axum::routing::{get, post};
use carnet_model::RecordKind;

pub use app::{App, Clock, Config, OnOpen};
pub use error::WebError;
pub use i18n::{BadTranslations, Lang};
pub use network::Network;

/// The word of choice field `field` of `kind` that `label` names as the interface shows it,
/// in French or English, case and accents folded ("Membre actif" → `active`): spreadsheets
/// made by people hold the words they read, and the import accepts them.
pub fn choice_word(
    kind: carnet_model::RecordKind,
    field: &str,
    label: &str,
) -> Option<&'static str> {
    let i18n = app::i18n()?;
    let carnet_model::FieldType::Choice(words) = kind.field(field)?.ty else {
        return None;
    };
    let wanted = carnet_sheets::fold(label);
    words.iter().copied().find(|w| {
        Lang::ALL.iter().any(|l| {
            carnet_sheets::fold(&i18n.get(*l, &forms::choice_key(kind, field, w), &[])) == wanted
        })
    })
}

/// The language chosen for the device at `home` in its interface, if one was chosen: the CLI
/// writes spreadsheets in that language's dialect.
pub fn device_language(home: &std::path::Path) -> Option<Lang> {
    i18n::remembered(home)
}

/// Binds a listener on `127.0.0.1:port` (0: a free port). Never another address.
pub async fn bind(port: u16) -> std::io::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await
}

/// Every page of the interface, behind the guard.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(|| async { Redirect::to("/today") }))
        .route(
            "/unlock",
            get(pages::unlock::show).post(pages::unlock::unlock),
        )
        .route("/setup", get(pages::setup::show).post(pages::setup::start))
        .route("/setup/joining", get(pages::setup::joining))
        .route("/lock", post(pages::unlock::lock))
        .route("/idle", get(pages::unlock::idle))
        .route("/language", post(pages::unlock::language))
        .route("/today", get(pages::today::today))
        .route("/members/search", post(pages::records::search))
        .route("/history/{kind}/{id}", get(pages::history::history))
        .route("/reports", get(pages::reports::reports))
        .route("/reports/csv", get(pages::reports::csv))
        .route("/admin", get(pages::admin::hub))
        .route("/settings", get(pages::admin::settings))
        .route("/settings/passphrase", post(pages::admin::passphrase))
        .route("/settings/retention", post(pages::admin::retention))
        .route("/settings/lock", post(pages::admin::lock_delay))
        .route("/settings/policy", post(pages::admin::policy))
        .route(
            "/sync",
            get(pages::admin::sync).post(pages::admin::sync_now),
        )
        .route("/quarantine", get(pages::admin::quarantine))
        .route(
            "/quarantine/{id}/readmit",
            get(pages::admin::readmit_page).post(pages::admin::readmit),
        )
        .route(
            "/erasure",
            get(pages::erasure::page).post(pages::erasure::erase),
        )
        .route(
            "/import",
            get(pages::transfer::import_page)
                .post(pages::transfer::upload)
                .layer(axum::extract::DefaultBodyLimit::max(
                    pages::transfer::MAX_UPLOAD_BODY,
                )),
        )
        .route("/import/check", post(pages::transfer::check))
        .route(
            "/export",
            get(pages::transfer::export_page).post(pages::transfer::export),
        )
        .route("/devices", get(pages::devices::list))
        .route(
            "/devices/{id}/revoke",
            get(pages::devices::revoke_page).post(pages::devices::revoke),
        )
        .route(
            "/devices/{id}/edit",
            get(pages::devices::edit_page).post(pages::devices::edit),
        )
        .route(
            "/devices/invite",
            get(pages::devices::invite_form).post(pages::devices::invite),
        )
        .route("/devices/invitation", get(pages::devices::invitation))
        .route("/devices/invitation/answer", post(pages::devices::answer))
        .route("/assets/style.css", get(assets::css))
        .route("/assets/app.js", get(assets::js))
        .merge(pages::records::routes(RecordKind::Member))
        .merge(pages::records::routes(RecordKind::Project))
        .merge(pages::records::routes(RecordKind::Activity))
        .merge(pages::records::routes(RecordKind::Signature))
        .merge(pages::records::routes(RecordKind::Application))
        .merge(pages::records::routes(RecordKind::Mandate))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            app::guard,
        ))
        .with_state(app)
}

/// Serves the interface on `listener` until `stop` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Arc<App>,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(app))
        .with_graceful_shutdown(stop)
        .await
}

#[cfg(test)]
mod tests;
