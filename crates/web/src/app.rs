//! The application state, the guard every request passes (loopback `Host`, same-origin forms,
//! security headers, the session cookie) and the extractors pages use: the session, an unlocked
//! device, and forms carrying the session's CSRF token.

use std::path::PathBuf;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, SameSite};
use carnet_device::Device;
use chrono::{DateTime, Utc};
use tokio::sync::Mutex;

use crate::error::WebError;
use crate::i18n::{BadTranslations, I18n, Lang, Tr};
use crate::session::{Session, Sessions};

static I18N: LazyLock<Result<I18n, BadTranslations>> = LazyLock::new(I18n::load);

/// The translations (checked to load by [`App::new`]).
pub(crate) fn i18n() -> Option<&'static I18n> {
    I18N.as_ref().ok()
}

/// An error page's words in both languages, French first.
pub(crate) fn error_text(key: &str) -> String {
    match i18n() {
        Some(i) => format!(
            "{} / {}",
            i.get(Lang::Fr, key, &[]),
            i.get(Lang::En, key, &[])
        ),
        None => "error".to_owned(),
    }
}

/// Called once, when the passphrase first opens the device: `carnet ui` starts the node there.
pub type OnOpen = Arc<dyn Fn(Arc<Mutex<Device>>) + Send + Sync>;

/// The clock (fixed by `CARNET_TODAY` in tests).
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// How the interface is set up.
pub struct Config {
    /// The device's home.
    pub home: PathBuf,
    /// The loopback port the interface listens on (for the `Host` and `Origin` checks).
    pub port: u16,
    /// Idle time after which a session locks, unless the device remembers another one chosen
    /// in *Réglages* (`<home>/ui-lock-minutes`).
    pub lock_after: Duration,
    /// Today.
    pub now: Clock,
    /// What to do when the device is first opened.
    pub on_open: OnOpen,
    /// The network layer (invitations, sync now); `None` where there is none (tests).
    pub network: Option<Arc<dyn crate::Network>>,
}

/// The interface's state.
pub struct App {
    pub(crate) config: Config,
    pub(crate) sessions: std::sync::Mutex<Sessions>,
    pub(crate) device: Mutex<Option<Arc<Mutex<Device>>>>,
    pub(crate) i18n: &'static I18n,
    /// A join started from the interface on a device with no store yet.
    pub(crate) join: std::sync::Mutex<Option<crate::pages::setup::JoinState>>,
    /// The idle delay in force, in seconds (changed from *Réglages*).
    lock_secs: std::sync::atomic::AtomicU64,
    /// Called on the blocking pool's thread before each piece of work [`App::blocking`] runs
    /// there (tests: which thread the device work runs on, or holding it there).
    #[cfg(test)]
    pub(crate) on_blocking: std::sync::OnceLock<Arc<dyn Fn() + Send + Sync>>,
}

impl App {
    /// The interface for `config`, its device not opened yet.
    pub fn new(config: Config) -> Result<Arc<App>, BadTranslations> {
        let i18n = match &*I18N {
            Ok(i) => i,
            Err(e) => return Err(BadTranslations::again(e)),
        };
        let lock_secs = crate::session::remembered_lock_minutes(&config.home)
            .map_or(config.lock_after.as_secs(), |m| m * 60);
        Ok(Arc::new(App {
            config,
            sessions: Default::default(),
            device: Mutex::new(None),
            i18n,
            join: Default::default(),
            lock_secs: lock_secs.into(),
            #[cfg(test)]
            on_blocking: Default::default(),
        }))
    }

    /// The interface over a device already open (the passphrase is still asked of each
    /// browser session and checked against the store).
    pub async fn with_device(
        config: Config,
        device: Arc<Mutex<Device>>,
    ) -> Result<Arc<App>, BadTranslations> {
        let app = App::new(config)?;
        *app.device.lock().await = Some(device);
        Ok(app)
    }

    /// The session cookie's name (per port: cookies are shared by every port of a host).
    pub(crate) fn cookie_name(&self) -> String {
        format!("carnet_session_{}", self.config.port)
    }

    fn hosts(&self) -> [String; 2] {
        let p = self.config.port;
        [format!("127.0.0.1:{p}"), format!("localhost:{p}")]
    }

    /// Idle time after which a session locks: the delay chosen in *Réglages*, else
    /// [`Config::lock_after`].
    pub(crate) fn lock_after(&self) -> Duration {
        Duration::from_secs(self.lock_secs.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// Sets the idle delay to `minutes` from now on (every session, the pages' idle timer).
    pub(crate) fn set_lock_minutes(&self, minutes: u64) {
        self.lock_secs
            .store(minutes * 60, std::sync::atomic::Ordering::Relaxed);
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        (self.config.now)()
    }

    fn join_slot(&self) -> std::sync::MutexGuard<'_, Option<crate::pages::setup::JoinState>> {
        self.join
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The join in progress (or just ended), if one was started.
    pub(crate) fn joining(&self) -> Option<crate::pages::setup::JoinState> {
        self.join_slot().clone()
    }

    /// Starts following a join, or forgets it.
    pub(crate) fn set_joining(&self, state: Option<crate::pages::setup::JoinState>) {
        *self.join_slot() = state;
    }

    /// Updates the join being followed.
    pub(crate) fn update_joining(&self, f: impl FnOnce(&mut crate::pages::setup::JoinState)) {
        if let Some(s) = self.join_slot().as_mut() {
            f(s);
        }
    }

    /// Runs `f` on tokio's blocking pool and waits for it, as every piece of the pages' device
    /// work must (store commits, opening or unlocking a store with argon2id, signature checks,
    /// scans of many records): the async workers carry the other requests and, in `carnet ui`,
    /// the node's sync sessions, as `carnet-node`'s `with_device` keeps them free. A panic in
    /// `f` goes on in the caller, as if `f` had run there; [`WebError::Task`] if the runtime
    /// shut down before `f` ran.
    pub(crate) async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T, WebError> + Send + 'static,
    ) -> Result<T, WebError> {
        #[cfg(test)]
        let hook = self.on_blocking.get().cloned();
        let task = tokio::task::spawn_blocking(move || {
            #[cfg(test)]
            if let Some(hook) = hook {
                hook();
            }
            f()
        });
        match task.await {
            Ok(out) => out,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(_) => Err(WebError::Task),
        }
    }

    /// Runs `f` on `device`, locked for it, on tokio's blocking pool ([`App::blocking`]): what
    /// `carnet-node`'s `with_device` does for the node's device work.
    pub(crate) async fn device_work<T: Send + 'static>(
        &self,
        device: &Arc<Mutex<Device>>,
        f: impl FnOnce(&mut Device) -> Result<T, WebError> + Send + 'static,
    ) -> Result<T, WebError> {
        let mut device = device.clone().lock_owned().await;
        self.blocking(move || f(&mut device)).await
    }
}

/// The session of this request, found or made by [`guard`].
#[derive(Debug, Clone)]
pub(crate) struct SessionInfo {
    /// The session's id (the cookie's value).
    pub id: String,
    /// The session.
    pub session: Session,
    /// The language of the page.
    pub lang: Lang,
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The security headers of every response.
fn secure(headers: &mut HeaderMap) {
    let set = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CACHE_CONTROL, "no-store"),
    ];
    for (name, value) in set {
        headers.insert(name, HeaderValue::from_static(value));
    }
}

/// Every request passes here: a `Host` other than this interface's loopback address is
/// refused (DNS rebinding), so is a form posted from another origin; the session is found or
/// made; every response gets the security headers.
pub(crate) async fn guard(State(app): State<Arc<App>>, mut req: Request, next: Next) -> Response {
    let headers = req.headers();
    let hosts = app.hosts();
    let host_ok = header_str(headers, header::HOST).is_some_and(|h| hosts.iter().any(|a| a == h));
    if !host_ok {
        let mut r = WebError::ForeignHost.into_response();
        secure(r.headers_mut());
        return r;
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
        let origin_ok = match header_str(headers, header::ORIGIN) {
            None => true,
            // Under `Referrer-Policy: no-referrer` browsers send `Origin: null` with the forms
            // of our own pages: accepted only when the browser also says it is same-origin.
            Some("null") => site == Some("same-origin"),
            Some(o) => hosts.iter().any(|h| o == format!("http://{h}")),
        };
        let site_ok = match site {
            None => true,
            Some(s) => s == "same-origin" || s == "none",
        };
        if !origin_ok || !site_ok {
            let mut r = WebError::CrossSite.into_response();
            secure(r.headers_mut());
            return r;
        }
    }
    let name = app.cookie_name();
    let cookie_id = header_str(headers, header::COOKIE).and_then(|c| {
        Cookie::split_parse(c.to_owned())
            .filter_map(Result::ok)
            .find(|c| c.name() == name)
            .map(|c| c.value().to_owned())
    });
    // The idle timer's own visit does not count as activity.
    let touch = req.uri().path() != "/idle";
    let lang = crate::i18n::remembered(&app.config.home)
        .or_else(|| {
            header_str(headers, header::ACCEPT_LANGUAGE).and_then(Lang::from_accept_language)
        })
        .unwrap_or(Lang::Fr);
    let (id, session, new) = {
        let mut sessions = app
            .sessions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match cookie_id.and_then(|id| sessions.get(&id, app.lock_after(), touch).map(|s| (id, s))) {
            Some((id, s)) => (id, s, false),
            None => {
                let (id, s) = sessions.create();
                (id, s, true)
            }
        }
    };
    req.extensions_mut().insert(SessionInfo {
        id: id.clone(),
        session,
        lang,
    });
    let mut response = next.run(req).await;
    if new
        && !response.headers().contains_key(header::SET_COOKIE)
        && let Ok(v) = HeaderValue::from_str(&session_cookie(&name, &id))
    {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    secure(response.headers_mut());
    response
}

/// The `Set-Cookie` value of session `id`.
pub(crate) fn session_cookie(name: &str, id: &str) -> String {
    Cookie::build((name.to_owned(), id.to_owned()))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/")
        .build()
        .to_string()
}

impl<S: Send + Sync> FromRequestParts<S> for SessionInfo {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<SessionInfo>()
            .cloned()
            .ok_or(WebError::Internal("no session"))
    }
}

/// A request of an unlocked session, with the open device.
#[derive(Clone)]
pub(crate) struct Unlocked {
    /// The session.
    pub info: SessionInfo,
    /// The device, reached only through [`Unlocked::with_device`] (private: no page can lock
    /// it and work on it on an async worker).
    device: Arc<Mutex<Device>>,
    /// The application.
    pub app: Arc<App>,
}

impl Unlocked {
    /// Translation into the page's language.
    pub(crate) fn tr(&self) -> Tr<'static> {
        Tr::new(self.app.i18n, self.info.lang)
    }

    /// Runs `f` with this request and the device on tokio's blocking pool
    /// ([`App::device_work`]): every page's device work — reads, checks, writes, and the page
    /// made from them — goes through here.
    pub(crate) async fn with_device<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Unlocked, &mut Device) -> Result<T, WebError> + Send + 'static,
    ) -> Result<T, WebError> {
        let u = self.clone();
        self.app
            .device_work(&self.device, move |device| f(&u, device))
            .await
    }
}

impl FromRequestParts<Arc<App>> for Unlocked {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &Arc<App>,
    ) -> Result<Self, Self::Rejection> {
        let info = SessionInfo::from_request_parts(parts, app).await?;
        if !info.session.unlocked {
            return Err(WebError::Locked);
        }
        let device = app.device.lock().await.clone().ok_or(WebError::Locked)?;
        Ok(Unlocked {
            info,
            device,
            app: app.clone(),
        })
    }
}

/// A posted form (`application/x-www-form-urlencoded`) whose `csrf` field is the session's
/// token; any other is refused before its handler runs.
pub(crate) struct Posted {
    /// The form's fields in order, without the token.
    pub fields: Vec<(String, String)>,
}

impl Posted {
    /// The first value of field `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl Drop for Posted {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        for (_, v) in &mut self.fields {
            v.zeroize();
        }
    }
}

impl<S: Send + Sync> FromRequest<S> for Posted {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let info = req
            .extensions()
            .get::<SessionInfo>()
            .cloned()
            .ok_or(WebError::Internal("no session"))?;
        let axum::Form(mut fields): axum::Form<Vec<(String, String)>> =
            axum::Form::from_request(req, state)
                .await
                .map_err(|_| WebError::BadForm)?;
        let token = fields
            .iter()
            .position(|(k, _)| k == "csrf")
            .map(|i| fields.remove(i).1);
        match token {
            Some(t) if crate::session::same(&t, &info.session.csrf) => Ok(Posted { fields }),
            _ => Err(WebError::CrossSite),
        }
    }
}

/// A response with a status and an HTML page.
pub(crate) fn html(status: StatusCode, page: maud::Markup) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page.into_string(),
    )
        .into_response()
}
