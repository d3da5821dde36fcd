//! The interface's own tests, through the router (tower `oneshot`) over a real device in a
//! temporary home: refusals (foreign `Host`, other origin, missing CSRF token), security
//! headers, unlocking, and that no page shows a raw translation key.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use carnet_device::Device;
use carnet_model::RecordKind;
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::{App, Config};

const PASS: &str = "tests only: a web passphrase";
const PORT: u16 = 4567;

struct Fixture {
    _dir: tempfile::TempDir,
    router: Router,
    device: Arc<tokio::sync::Mutex<Device>>,
    cookie: String,
    csrf: String,
}

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-03-14T12:00:00Z")
        .expect("date")
        .to_utc()
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("home");
    let device = Device::init(&home, PASS.as_bytes(), "Asso", "Amara", None, now()).expect("init");
    let device = Arc::new(tokio::sync::Mutex::new(device));
    let config = Config {
        home,
        port: PORT,
        lock_after: Duration::from_secs(600),
        now: Arc::new(now),
        on_open: Arc::new(|_| {}),
        network: None,
    };
    let app = App::with_device(config, device.clone()).await.expect("app");
    let router = crate::router(app);
    let mut f = Fixture {
        _dir: dir,
        router,
        device,
        cookie: String::new(),
        csrf: String::new(),
    };
    let (status, headers, body) = f.get("/unlock").await;
    assert_eq!(status, StatusCode::OK);
    f.cookie = cookie(&headers);
    f.csrf = csrf(&body);
    f
}

fn cookie(headers: &axum::http::HeaderMap) -> String {
    let v = headers
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .expect("a session cookie");
    assert!(v.contains("HttpOnly") && v.contains("SameSite=Strict") && v.contains("Path=/"));
    v.split(';').next().expect("name=value").to_owned()
}

fn csrf(body: &str) -> String {
    let at = body.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    body[at..at + 64].to_owned()
}

fn host() -> String {
    format!("127.0.0.1:{PORT}")
}

impl Fixture {
    async fn send(&self, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
        let r = self.router.clone().oneshot(req).await.expect("response");
        let status = r.status();
        let headers = r.headers().clone();
        let body = r.into_body().collect().await.expect("body").to_bytes();
        (status, headers, String::from_utf8_lossy(&body).into_owned())
    }

    async fn get(&self, path: &str) -> (StatusCode, axum::http::HeaderMap, String) {
        let req = Request::get(path)
            .header(header::HOST, host())
            .header(header::COOKIE, &self.cookie)
            .body(Body::empty())
            .expect("request");
        self.send(req).await
    }

    async fn post(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        extra: &[(&str, &str)],
    ) -> (StatusCode, axum::http::HeaderMap, String) {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut req = Request::post(path)
            .header(header::HOST, host())
            .header(header::COOKIE, &self.cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        for (k, v) in extra {
            req = req.header(*k, *v);
        }
        self.send(req.body(Body::from(body)).expect("request"))
            .await
    }

    async fn unlock(&mut self) {
        let csrf = self.csrf.clone();
        let (status, headers, _) = self
            .post("/unlock", &[("csrf", &csrf), ("passphrase", PASS)], &[])
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        self.cookie = cookie(&headers);
        let (_, _, body) = self.get("/today").await;
        self.csrf = csrf_of(&body);
    }
}

fn csrf_of(body: &str) -> String {
    csrf(body)
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A raw translation key (`[some-key]`), which a missing translation would show.
fn raw_key(body: &str) -> Option<String> {
    let mut rest = body;
    while let Some(i) = rest.find('[') {
        let after = &rest[i + 1..];
        if let Some(j) = after.find(']') {
            let inner = &after[..j];
            if !inner.is_empty()
                && inner.contains('-')
                && inner
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c))
            {
                return Some(inner.to_owned());
            }
        }
        rest = after;
    }
    None
}

#[tokio::test]
async fn foreign_hosts_other_origins_and_tokenless_forms_are_refused() {
    let f = fixture().await;
    for bad in [
        "evil.example:4567",
        "127.0.0.1:9999",
        "localhost",
        "attacker.test",
    ] {
        let req = Request::get("/unlock")
            .header(header::HOST, bad)
            .body(Body::empty())
            .expect("request");
        let (status, headers, _) = f.send(req).await;
        assert_eq!(status, StatusCode::MISDIRECTED_REQUEST, "{bad}");
        assert!(headers.contains_key(header::CONTENT_SECURITY_POLICY));
    }
    let (status, _, _) = f.post("/unlock", &[("passphrase", PASS)], &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no token");
    let (status, _, _) = f
        .post(
            "/unlock",
            &[("csrf", &"0".repeat(64)), ("passphrase", PASS)],
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "wrong token");
    let (status, _, _) = f
        .post(
            "/unlock",
            &[("csrf", &f.csrf), ("passphrase", PASS)],
            &[("origin", "http://evil.example")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "other origin");
    let (status, _, _) = f
        .post(
            "/unlock",
            &[("csrf", &f.csrf), ("passphrase", PASS)],
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "cross-site fetch");
    let (status, _, _) = f
        .post(
            "/unlock",
            &[("csrf", &f.csrf), ("passphrase", PASS)],
            &[("origin", "null"), ("sec-fetch-site", "cross-site")],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "opaque origin from another site"
    );
    let (status, _, _) = f
        .post(
            "/unlock",
            &[("csrf", &f.csrf), ("passphrase", PASS)],
            &[("origin", "null")],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "opaque origin, no fetch metadata"
    );
    // The same form from this origin goes through.
    let (status, _, _) = f
        .post(
            "/unlock",
            &[("csrf", &f.csrf), ("passphrase", PASS)],
            &[
                ("origin", "http://127.0.0.1:4567"),
                ("sec-fetch-site", "same-origin"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_locked_pages_ask_the_passphrase() {
    let f = fixture().await;
    for path in [
        "/unlock",
        "/today",
        "/members",
        "/assets/style.css",
        "/nowhere",
    ] {
        let (_, h, _) = f.get(path).await;
        let get = |n: header::HeaderName| {
            h.get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned()
        };
        assert!(
            get(header::CONTENT_SECURITY_POLICY).starts_with("default-src 'self'"),
            "{path}"
        );
        assert_eq!(get(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
        assert_eq!(get(header::REFERRER_POLICY), "no-referrer");
        assert_eq!(get(header::X_FRAME_OPTIONS), "DENY");
        assert_eq!(get(header::CACHE_CONTROL), "no-store");
    }
    for path in [
        "/today",
        "/members",
        "/members/new",
        "/reports",
        "/activities",
    ] {
        let (status, h, _) = f.get(path).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(
            h.get(header::LOCATION).and_then(|v| v.to_str().ok()),
            Some("/unlock")
        );
    }
}

#[tokio::test]
async fn a_wrong_passphrase_is_refused_and_the_right_one_unlocks_until_locked() {
    let mut f = fixture().await;
    let csrf = f.csrf.clone();
    let (status, _, body) = f
        .post(
            "/unlock",
            &[("csrf", &csrf), ("passphrase", "not the passphrase")],
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("passphrase-error"));
    assert!(!body.contains("not the passphrase"));
    let old = f.cookie.clone();
    f.unlock().await;
    assert_ne!(old, f.cookie, "unlocking gives a new session id");
    assert_eq!(f.get("/today").await.0, StatusCode::OK);
    let csrf = f.csrf.clone();
    let (status, _, _) = f.post("/lock", &[("csrf", &csrf)], &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(f.get("/today").await.0, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_invalid_date_is_shown_by_its_field_and_nothing_is_written() {
    let mut f = fixture().await;
    f.unlock().await;
    let csrf = f.csrf.clone();
    let (status, _, body) = f
        .post(
            "/members/new",
            &[
                ("csrf", &csrf),
                ("display_name", "Canari Zéphyrine"),
                ("status", "member"),
                ("date_of_birth", "31/02/1990"),
            ],
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("f-date_of_birth-error"), "error by its field");
    assert!(body.contains("error-summary"));
    assert!(body.contains("value=\"Canari Zéphyrine\""), "values kept");
    assert!(
        f.device
            .lock()
            .await
            .list_shared(RecordKind::Member)
            .expect("list")
            .is_empty()
    );
}

#[tokio::test]
async fn pages_show_no_raw_translation_key_in_either_language() {
    let mut f = fixture().await;
    f.unlock().await;
    let csrf = f.csrf.clone();
    let (status, h, _) = f
        .post(
            "/members/new",
            &[
                ("csrf", &csrf),
                ("display_name", "Joy"),
                ("status", "member"),
                ("working_groups", "médias"),
                ("city", "Marseille"),
            ],
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let member = h
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .expect("location")
        .to_owned();
    let id = member.trim_start_matches("/members/").to_owned();
    for lang in ["en", "fr"] {
        let pages = [
            "/unlock".to_owned(),
            "/today".to_owned(),
            "/members".to_owned(),
            "/members/new".to_owned(),
            member.clone(),
            format!("{member}/edit"),
            format!("/history/member/{id}"),
            "/projects".to_owned(),
            "/projects/new".to_owned(),
            "/activities".to_owned(),
            "/activities/new".to_owned(),
            "/reports".to_owned(),
            "/mandates".to_owned(),
            "/mandates/new".to_owned(),
            "/signatures".to_owned(),
            format!("/signatures/new?person={id}"),
            "/applications".to_owned(),
            "/applications/new".to_owned(),
            "/admin".to_owned(),
            "/settings".to_owned(),
            "/sync".to_owned(),
            "/quarantine".to_owned(),
            "/erasure".to_owned(),
            "/devices".to_owned(),
            "/devices/invite".to_owned(),
        ];
        for p in pages {
            let (status, _, body) = f.get(&p).await;
            assert!(
                status == StatusCode::OK || status == StatusCode::SEE_OTHER,
                "{p}: {status}"
            );
            assert_eq!(raw_key(&body), None, "{p} ({lang})");
        }
        let csrf = f.csrf.clone();
        let (status, _, _) = f
            .post(
                "/language",
                &[("csrf", &csrf), ("lang", lang), ("back", "/today")],
                &[],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
    }
    let (_, _, body) = f.get(&member).await;
    assert!(body.contains("lang=\"fr\""));
    assert!(
        body.contains("section-per"),
        "the personal file shows on a direction device"
    );
}

#[tokio::test]
async fn the_report_downloads_as_csv_with_small_counts_suppressed() {
    let mut f = fixture().await;
    f.unlock().await;
    let csrf = f.csrf.clone();
    let (status, _, _) = f
        .post(
            "/members/new",
            &[
                ("csrf", &csrf),
                ("display_name", "Joy"),
                ("status", "member"),
            ],
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, h, body) = f
        .get("/reports/csv?from=2026-01-01&to=2026-03-14&project=")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(h.get(header::CONTENT_DISPOSITION).is_some());
    // In French, the dialect French spreadsheets open as columns: BOM, `;`.
    assert!(body.starts_with("\u{feff}section;label;value"), "{body}");
    assert!(body.contains("<5"));
    assert!(!body.contains("Joy"));
    let (status, _, body) = f.get("/reports?from=31/02/2026&to=").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("error-summary"));
}
