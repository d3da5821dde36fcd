//! The interface's own tests, through the router (tower `oneshot`) over a real device in a
//! temporary home: refusals (foreign `Host`, other origin, missing CSRF token), security
//! headers, unlocking, that no page shows a raw translation key, and spreadsheets imported
//! (checked first, all rows or none, the upload kept in memory for its session only) and
//! exported; direction changing a device's roles and agreement, the policy table (a narrowing
//! confirmed first), the idle delay (bounded, remembered, followed) and re-admitting work; and
//! that the pages' device work runs on the blocking pool, not on the async worker.

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
    app: Arc<App>,
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
    let router = crate::router(app.clone());
    let mut f = Fixture {
        _dir: dir,
        app,
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

/// Issue 11: the pages' device work (store commits, argon2id, signature checks, scans of many
/// records) ran inside async handlers, holding a runtime worker for as long as it took — and in
/// `carnet ui`, the node's sync sessions with it. On a `current_thread` runtime, whose only
/// worker is the test's own thread, a save held in the middle of its device work must leave
/// the runtime free to serve another request, and no device work may run on that thread.
#[tokio::test(flavor = "current_thread")]
async fn device_work_runs_on_the_blocking_pool_not_on_the_async_worker() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let mut f = fixture().await;
    let worker = std::thread::current().id();
    // Each piece of device work says on which thread it runs; while `hold` is set, the next one
    // also waits there until released (or 10 s, so that a wrong thread fails, not hangs).
    let (ran_tx, mut ran) = tokio::sync::mpsc::unbounded_channel();
    let (release, released) = std::sync::mpsc::channel::<()>();
    let released = std::sync::Mutex::new(released);
    let hold = Arc::new(AtomicBool::new(false));
    let held = hold.clone();
    let hook = move || {
        let _ = ran_tx.send(std::thread::current().id());
        if held.swap(false, Ordering::SeqCst) {
            let released = released
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let _ = released.recv_timeout(Duration::from_secs(10));
        }
    };
    assert!(f.app.on_blocking.set(Arc::new(hook)).is_ok());
    let mut ran_since = move || {
        let mut threads = vec![];
        while let Ok(t) = ran.try_recv() {
            threads.push(t);
        }
        threads
    };
    f.unlock().await;
    let threads = ran_since();
    assert!(threads.len() >= 2, "unlocking and today: {threads:?}");
    assert!(threads.iter().all(|t| *t != worker), "{threads:?}");

    hold.store(true, Ordering::SeqCst);
    let csrf = f.csrf.clone();
    let fields = [
        ("csrf", csrf.as_str()),
        ("display_name", "Joy"),
        ("status", "member"),
    ];
    let save = f.post("/members/new", &fields, &[]);
    let meanwhile = async {
        // The save's device work has started and is held on its thread: the runtime serves
        // another request all the same.
        let started = tokio::time::timeout(Duration::from_secs(10), async {
            while hold.load(Ordering::SeqCst) {
                tokio::task::yield_now().await;
            }
        })
        .await;
        assert!(
            started.is_ok(),
            "the save's device work never reached the blocking pool"
        );
        let asset = tokio::time::timeout(Duration::from_secs(5), f.get("/assets/style.css")).await;
        let _ = release.send(());
        asset
    };
    let ((status, headers, _), asset) = tokio::join!(save, meanwhile);
    let (asset_status, _, _) = asset.expect("an asset served while a save is held");
    assert_eq!(asset_status, StatusCode::OK);
    assert_eq!(status, StatusCode::SEE_OTHER, "the save went through");
    let member = headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .expect("location")
        .to_owned();
    let threads = ran_since();
    assert!(
        !threads.is_empty() && threads.iter().all(|t| *t != worker),
        "{threads:?}"
    );
    let members = f
        .device
        .lock()
        .await
        .list(RecordKind::Member)
        .expect("list");
    assert_eq!(members.len(), 1);

    // Reads, the noting of a read, signature checks and scans go the same way.
    let id = member.trim_start_matches("/members/");
    for path in [
        "/members".to_owned(),
        member.clone(),
        format!("{member}/edit"),
        format!("/history/member/{id}"),
        "/reports".to_owned(),
        "/settings".to_owned(),
        "/quarantine".to_owned(),
        "/devices".to_owned(),
        "/erasure".to_owned(),
    ] {
        let (status, _, _) = f.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let threads = ran_since();
        assert!(
            !threads.is_empty(),
            "{path}: no device work on the blocking pool"
        );
        assert!(threads.iter().all(|t| *t != worker), "{path}: {threads:?}");
    }
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
    let me = f.device.lock().await.id();
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
            format!("/devices/{me}/edit"),
            format!("/quarantine/{me}/readmit"),
            "/import".to_owned(),
            "/export".to_owned(),
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
    // Two sessions of a project, with five attendances: a mean of 2.5 per session.
    {
        let mut d = f.device.lock().await;
        let edit = |k: RecordKind, s: &str| k.parse_edit(s).expect("edit");
        let people: Vec<String> = (0..3)
            .map(|i| {
                let e = [
                    edit(RecordKind::Member, &format!("display_name=P{i}")),
                    edit(RecordKind::Member, "status=prospect"),
                ];
                d.add(RecordKind::Member, &e, now())
                    .expect("member")
                    .to_string()
            })
            .collect();
        let p = [
            edit(RecordKind::Project, "title=Parcours"),
            edit(RecordKind::Project, "period_start=2026-01-01"),
        ];
        let project = d.add(RecordKind::Project, &p, now()).expect("project");
        for (date, present) in [("2026-02-01", &people[..3]), ("2026-02-08", &people[..2])] {
            let a = [
                edit(RecordKind::Activity, "title=Atelier"),
                edit(RecordKind::Activity, "type=workshop"),
                edit(RecordKind::Activity, &format!("date={date}")),
                edit(RecordKind::Activity, &format!("project={project}")),
                edit(
                    RecordKind::Activity,
                    &format!("present={}", present.join(",")),
                ),
            ];
            d.add(RecordKind::Activity, &a, now()).expect("activity");
        }
    }
    let (status, h, body) = f
        .get("/reports/csv?from=2026-01-01&to=2026-03-14&project=")
        .await;
    assert_eq!(status, StatusCode::OK);
    let disposition = h.get(header::CONTENT_DISPOSITION).expect("a file");
    assert!(disposition.to_str().expect("ascii").contains("rapport.csv"));
    // In French: the dialect French spreadsheets open as columns (BOM, `;`), the labels of the
    // page, and a decimal comma, which French spreadsheets read as a number (an audit found
    // `section;label;value`, English labels and "2.5").
    assert!(
        body.starts_with("\u{feff}Rubrique;Indicateur;Valeur\r\n"),
        "{body}"
    );
    assert!(
        body.contains("Adhésions;Adhésions sur la période;"),
        "{body}"
    );
    assert!(
        body.contains("Projet : Parcours;Présences moyennes par séance;2,5\r\n"),
        "{body}"
    );
    assert!(
        !body.contains("Membership") && !body.contains("2.5"),
        "{body}"
    );
    assert!(body.contains("<5"));
    assert!(!body.contains("Joy"));
    // In English: the standard dialect, English labels and "2.5".
    let csrf = f.csrf.clone();
    f.post(
        "/language",
        &[("csrf", &csrf), ("lang", "en"), ("back", "/reports")],
        &[],
    )
    .await;
    let (_, h, body) = f
        .get("/reports/csv?from=2026-01-01&to=2026-03-14&project=")
        .await;
    assert!(body.starts_with("Section,Indicator,Value\n"), "{body}");
    assert!(
        body.contains("Project: Parcours,Mean attendances per session,2.5\n"),
        "{body}"
    );
    let disposition = h.get(header::CONTENT_DISPOSITION).expect("a file");
    assert!(disposition.to_str().expect("ascii").contains("report.csv"));
    f.post(
        "/language",
        &[("csrf", &csrf), ("lang", "fr"), ("back", "/reports")],
        &[],
    )
    .await;
    let (status, _, body) = f.get("/reports?from=31/02/2026&to=").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("error-summary"));
}

impl Fixture {
    /// Posts `/import` as a browser's file upload form does (multipart), the file last.
    async fn upload(
        &self,
        fields: &[(&str, &str)],
        file_name: &str,
        bytes: &[u8],
    ) -> (StatusCode, axum::http::HeaderMap, String) {
        let boundary = "----carnet-test-boundary";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let req = Request::post("/import")
            .header(header::HOST, host())
            .header(header::COOKIE, &self.cookie)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .expect("request");
        self.send(req).await
    }
}

impl Fixture {
    /// An unlocked fixture's first upload of the members' list (`bad`: with its bad line).
    async fn upload_members(&self, bad: bool) -> (StatusCode, axum::http::HeaderMap, String) {
        let csrf = self.csrf.clone();
        self.upload(
            &[("csrf", &csrf), ("kind", "member")],
            "adhérentes Adèle.csv",
            &members_csv(bad),
        )
        .await
    }
}

/// The value of the hidden field `name` of a page.
fn hidden(body: &str, name: &str) -> String {
    let at = body
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no field {name}"))
        + name.len()
        + 15;
    body[at..].split('"').next().unwrap_or("").to_owned()
}

/// A members' list as French Excel saves it: Windows-1252, `;`, CRLF, French headers, one date
/// that is no day (line 3).
fn members_csv(bad: bool) -> Vec<u8> {
    let text = format!(
        "Nom d'usage;Prénom;Date de naissance;Membre depuis;Ville\r\n\
         Adébáyọ̀ O.;Adébáyọ̀;14/03/1991;02/01/2020;Lyon\r\n\
         Zoé K.;Zoé;{};15/06/2021;Créteil\r\n\
         ;;;;\r\n",
        if bad { "31/02/1990" } else { "28/02/1990" }
    );
    // Windows-1252 has no ọ̀: French Excel would have lost it; keep the names it can hold.
    let text = text.replace("Adébáyọ̀", "Adèle");
    let (bytes, _, lossy) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!lossy);
    bytes.into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spreadsheet_is_checked_before_anything_is_written_then_imported_all_or_nothing() {
    let mut f = fixture().await;
    f.unlock().await;
    let csrf = f.csrf.clone();
    let (status, _, body) = f.upload_members(true).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.contains("point-virgule") && body.contains("Windows-1252"),
        "{body}"
    );
    assert!(body.contains("JJ/MM/AAAA"), "the date format read");
    assert!(body.contains("1 ligne vide ignorée"), "{body}");
    // The bad line by the number the spreadsheet shows, the column by its letter; the header
    // matching chose the fields.
    assert!(body.contains("Ligne 3 :"), "{body}");
    assert!(body.contains("colonne C (Date de naissance)"), "{body}");
    assert!(
        body.contains("<option value=\"date_of_birth\" selected"),
        "{body}"
    );
    assert!(body.contains("Zoé"), "the preview shows the rows");
    assert!(
        !body.contains("import-button"),
        "no import while a line is bad"
    );
    assert!(!body.contains("adhérentes"), "the file's name is not kept");
    let device = f.device.clone();
    assert!(
        device
            .lock()
            .await
            .list(RecordKind::Member)
            .expect("list")
            .is_empty()
    );
    let upload = hidden(&body, "upload");
    assert_eq!(upload.len(), 64);
    let layout = hidden(&body, "layout");

    // Importing anyway is refused: the line is named again, nothing written, and the mapping
    // chosen (the city column ignored) stays chosen.
    let form = |action: &'static str, upload: String, csrf: String| {
        vec![
            ("csrf", csrf),
            ("upload", upload),
            ("kind", "member".to_owned()),
            ("layout", layout.clone()),
            ("col-0", "display_name".to_owned()),
            ("col-1", "first_name".to_owned()),
            ("col-2", "date_of_birth".to_owned()),
            ("col-3", "member_since".to_owned()),
            ("col-4", String::new()),
            ("date_order", "dmy".to_owned()),
            ("action", action.to_owned()),
        ]
    };
    let fields = form("import", upload.clone(), csrf.clone());
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, body) = f.post("/import/check", &fields, &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Ligne 3 :"), "{body}");
    assert!(
        body.contains("<option value=\"\" selected"),
        "the ignored column stays ignored"
    );
    assert!(
        device
            .lock()
            .await
            .list(RecordKind::Member)
            .expect("list")
            .is_empty()
    );

    // The corrected file, uploaded with the choices made: they carry over.
    let mut carry: Vec<(&str, String)> = vec![
        ("csrf", csrf.clone()),
        ("kind", "member".to_owned()),
        ("layout", hidden(&body, "layout")),
    ];
    carry.extend(
        form("check", upload.clone(), csrf.clone())
            .into_iter()
            .filter(|(k, _)| k.starts_with("col-")),
    );
    let carry: Vec<(&str, &str)> = carry.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, body) = f.upload(&carry, "x.csv", &members_csv(false)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("id=\"import-button\""), "{body}");
    assert!(
        body.contains("les 2 lignes peuvent être importées"),
        "{body}"
    );
    assert!(
        body.contains("<option value=\"\" selected"),
        "the choices carried over"
    );
    let new_upload = hidden(&body, "upload");
    assert_ne!(new_upload, upload);
    let fields = form("import", new_upload.clone(), csrf.clone());
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, h, _) = f.post("/import/check", &fields, &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        h.get(header::LOCATION).and_then(|v| v.to_str().ok()),
        Some("/members")
    );
    let (_, _, list) = f.get("/members").await;
    assert!(list.contains("2 membres importés"), "{list}");
    assert!(list.contains("Zoé K."), "{list}");
    let members = device.lock().await.list(RecordKind::Member).expect("list");
    assert_eq!(members.len(), 2);
    assert!(
        members.iter().all(|m| !m.fields.contains_key("city")),
        "an ignored column is not imported"
    );
    // Through the association's rules: each member's signature dated when she joined.
    let signatures = device
        .lock()
        .await
        .list(RecordKind::Signature)
        .expect("list");
    assert_eq!(signatures.len(), 2);

    // The upload is gone once imported; the same file again lists its duplicates before
    // anything is written, and imports only when asked to.
    let (_, _, body) = f.post("/import/check", &fields, &[]).await;
    assert!(body.contains("plus en mémoire"), "{body}");
    let (status, _, body) = f.upload_members(false).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("2 doublons possibles"), "{body}");
    assert!(body.contains("déjà enregistrée"), "{body}");
    // The file itself is recognised, with the day it was imported.
    assert!(
        body.contains("ce fichier a déjà été importé pour ce type de fiche, le 14/03/2026"),
        "{body}"
    );
    let mut fields = form("import", hidden(&body, "upload"), csrf.clone());
    fields.push(("allow_duplicates", "yes".to_owned()));
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, _) = f.post("/import/check", &fields, &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        device
            .lock()
            .await
            .list(RecordKind::Member)
            .expect("list")
            .len(),
        4
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_is_refused_when_too_large_or_unreadable_and_forgotten_on_lock() {
    let mut f = fixture().await;
    f.unlock().await;
    let csrf = f.csrf.clone();
    let big = vec![b'a'; crate::pages::transfer::MAX_UPLOAD + 1];
    let (status, _, body) = f
        .upload(&[("csrf", &csrf), ("kind", "member")], "big.csv", &big)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("dépasse 8 Mo"), "{body}");
    let (status, _, body) = f
        .upload(
            &[("csrf", &csrf), ("kind", "member")],
            "x.xlsx",
            b"not a workbook",
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("pas lisible comme un tableur"), "{body}");
    let (status, _, _) = f
        .upload(
            &[("csrf", "wrong"), ("kind", "member")],
            "x.csv",
            &members_csv(false),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the CSRF token is checked");
    let (status, _, body) = f.upload_members(false).await;
    assert_eq!(status, StatusCode::OK);
    let upload = hidden(&body, "upload");
    let (status, _, _) = f.post("/lock", &[("csrf", &csrf)], &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, body) = f.get("/unlock").await;
    f.csrf = csrf_of(&body);
    f.unlock().await;
    let csrf = f.csrf.clone();
    let (_, _, body) = f
        .post(
            "/import/check",
            &[
                ("csrf", &csrf),
                ("upload", &upload),
                ("kind", "member"),
                ("action", "import"),
            ],
            &[],
        )
        .await;
    assert!(
        body.contains("plus en mémoire"),
        "locking dropped the upload: {body}"
    );
    assert!(
        f.device
            .lock()
            .await
            .list(RecordKind::Member)
            .expect("list")
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_is_a_french_csv_without_personal_fields_unless_asked() {
    let mut f = fixture().await;
    f.unlock().await;
    let csrf = f.csrf.clone();
    let (status, _, _) = f
        .post(
            "/members/new",
            &[
                ("csrf", &csrf),
                ("display_name", "=HYPERLINK(1)"),
                ("status", "member"),
                ("first_name", "Adèle"),
            ],
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, body) = f.get("/export").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("id=\"personal\""),
        "a direction device may include personal files"
    );
    let (status, h, body) = f
        .post(
            "/export",
            &[
                ("csrf", &csrf),
                ("kind", "member"),
                ("format", "csv-french"),
            ],
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.starts_with("\u{feff}id;"), "{body}");
    assert!(
        body.contains("\r\n") && body.contains(";'=HYPERLINK(1);"),
        "{body}"
    );
    assert!(
        !body.contains("first_name") && !body.contains("Adèle"),
        "{body}"
    );
    assert_eq!(
        h.get(header::CACHE_CONTROL).and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let disposition = h
        .get(header::CONTENT_DISPOSITION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert_eq!(
        disposition,
        "attachment; filename=\"carnet-member-2026-03-14.csv\""
    );
    let (_, _, body) = f
        .post(
            "/export",
            &[
                ("csrf", &csrf),
                ("kind", "member"),
                ("format", "csv-standard"),
                ("personal", "yes"),
            ],
            &[],
        )
        .await;
    assert!(body.starts_with("id,") && body.contains("Adèle"), "{body}");
    let (status, h, _) = f
        .post(
            "/export",
            &[("csrf", &csrf), ("kind", "member"), ("format", "xlsx")],
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        h.get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.contains("spreadsheetml"))
    );
    let (status, _, _) = f
        .post(
            "/export",
            &[("kind", "member"), ("format", "csv-french")],
            &[],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "no export without the session's token"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_separator_matches_the_columns_again_and_keeps_the_options() {
    let mut f = fixture().await;
    f.unlock().await;
    let csrf = f.csrf.clone();
    let (status, _, body) = f.upload_members(false).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("Détecté : point-virgule"), "{body}");
    let upload = hidden(&body, "upload");
    let layout = hidden(&body, "layout");
    // Read with `,`: one column only, matched again from its header; the date given stays.
    let (_, _, body) = f
        .post(
            "/import/check",
            &[
                ("csrf", &csrf),
                ("upload", &upload),
                ("kind", "member"),
                ("layout", &layout),
                ("delimiter", ","),
                ("col-0", "display_name"),
                ("joined_before", "01/01/2020"),
                ("action", "check"),
            ],
            &[],
        )
        .await;
    assert!(body.contains("Séparateur : virgule"), "{body}");
    assert!(!body.contains("id=\"col-1\""), "one column: {body}");
    assert!(body.contains("value=\"01/01/2020\""), "{body}");
    assert!(body.contains("<option value=\",\" selected"), "{body}");
    // Back to the detected separator: five columns, matched by their headers.
    let (_, _, body) = f
        .post(
            "/import/check",
            &[
                ("csrf", &csrf),
                ("upload", &upload),
                ("kind", "member"),
                ("layout", &hidden(&body, "layout")),
                ("delimiter", ""),
                ("action", "check"),
            ],
            &[],
        )
        .await;
    assert!(body.contains("id=\"col-4\""), "{body}");
    assert!(
        body.contains("<option value=\"date_of_birth\" selected"),
        "{body}"
    );
}

/// A date column holding text whose fifth byte falls inside a letter ("aéé") once made the
/// page that says how dates are written panic (a byte slice of a `str`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_date_column_holding_accented_text_is_a_bad_line_not_a_crash() {
    let mut f = fixture().await;
    f.unlock().await;
    let csrf = f.csrf.clone();
    let file = "Nom d'usage;Date de naissance;Membre depuis\nJoy;aéé;01/01/2020\n";
    let (status, _, body) = f
        .upload(
            &[("csrf", &csrf), ("kind", "member")],
            "x.csv",
            file.as_bytes(),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("Ligne 2 :"), "{body}");
}

/// A second device enrolled by the fixture's direction device: staff, agreement signed.
async fn enrol_staff(f: &Fixture) -> carnet_replica::DeviceId {
    use std::collections::BTreeSet;
    let bea = carnet_replica::DeviceId([7; 32]);
    let mut device = f.device.lock().await;
    device
        .enrol(
            bea,
            "Bea Staff",
            BTreeSet::from([carnet_model::Role::Staff]),
            Some("Lyon"),
            now(),
        )
        .expect("enrol");
    device
        .change_registry(
            &[carnet_replica::RegistryOp::Agreement {
                device: bea,
                signed_on: Some("2026-01-05".into()),
            }],
            now(),
        )
        .expect("agreement");
    bea
}

async fn entry(f: &Fixture, id: carnet_replica::DeviceId) -> carnet_replica::DeviceEntry {
    f.device
        .lock()
        .await
        .registry()
        .and_then(|r| r.device(&id))
        .cloned()
        .expect("enrolled")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_s_roles_and_agreement_change_and_a_narrowing_is_confirmed_first() {
    use carnet_model::Role;
    let mut f = fixture().await;
    f.unlock().await;
    let csrf = f.csrf.clone();
    let bea = enrol_staff(&f).await;
    let path = format!("/devices/{bea}/edit");
    let (_, _, list) = f.get("/devices").await;
    assert!(list.contains(&format!("href=\"{path}\"")), "{list}");
    let (status, _, page) = f.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("value=\"05/01/2026\""), "{page}");
    assert!(page.contains("id=\"role-staff\" name=\"role\" value=\"staff\" checked"));

    // A role added: nothing narrows, saved at once.
    let (status, h, _) = f
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("role", "staff"),
                ("role", "board"),
                ("agreement", "05/01/2026"),
            ],
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        h.get(header::LOCATION).and_then(|v| v.to_str().ok()),
        Some("/devices")
    );
    let e = entry(&f, bea).await;
    assert!(e.roles.contains(&Role::Board) && e.roles.contains(&Role::Staff));
    let (_, _, list) = f.get("/devices").await;
    assert!(
        list.contains("Droits de l’appareil de Bea Staff enregistrés"),
        "{list}"
    );

    // Refusals by their fields, the typed values kept, nothing written.
    for (fields, field, words) in [
        (
            vec![("agreement", "05/01/2026")],
            "role-error",
            "au moins un rôle",
        ),
        (
            vec![("role", "staff"), ("agreement", "05/01/2099")],
            "agreement-error",
            "dans le futur",
        ),
        (
            vec![("role", "staff"), ("agreement", "le 5 janvier")],
            "agreement-error",
            "JJ/MM/AAAA",
        ),
    ] {
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend(fields);
        let (status, _, body) = f.post(&path, &all, &[]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains(&format!("id=\"{field}\"")), "{body}");
        assert!(body.contains(words), "{body}");
        assert!(body.contains("error-summary"));
    }
    let (_, _, body) = f
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("role", "staff"),
                ("agreement", "le 5 janvier"),
            ],
            &[],
        )
        .await;
    assert!(
        body.contains("value=\"le 5 janvier\""),
        "what was typed stays"
    );
    assert_eq!(entry(&f, bea).await, e, "nothing written");

    // Withdrawing the agreement narrows: what it takes away is shown first.
    let (status, _, body) = f
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("role", "staff"),
                ("role", "board"),
                ("agreement", "05/01/2026"),
                ("withdraw", "yes"),
            ],
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("id=\"confirm-narrow\""), "{body}");
    assert!(
        body.contains("Dossier personnel — confidentiel : Lecture et écriture → aucun accès"),
        "{body}"
    );
    assert!(body.contains("effacés de cet appareil"), "{body}");
    assert_eq!(
        entry(&f, bea).await.agreement.as_deref(),
        Some("2026-01-05")
    );
    // "Back" shows the form again with the choices made.
    let (status, _, back) = f
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("role", "staff"),
                ("role", "board"),
                ("agreement", ""),
                ("action", "back"),
            ],
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(back.contains("id=\"role-board\" name=\"role\" value=\"board\" checked"));
    let (status, _, _) = f
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("role", "staff"),
                ("role", "board"),
                ("agreement", ""),
                ("confirm", "yes"),
            ],
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(entry(&f, bea).await.agreement, None);
    let (_, _, list) = f.get("/devices").await;
    assert!(list.contains("non signé"), "{list}");

    // This device may not take its own roles away; without the token nothing happens.
    let me = f.device.lock().await.id();
    let (status, _, body) = f
        .post(
            &format!("/devices/{me}/edit"),
            &[
                ("csrf", &csrf),
                ("role", "staff"),
                ("agreement", "14/03/2026"),
            ],
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("ne peut pas retirer ses propres rôles"),
        "{body}"
    );
    assert!(entry(&f, me).await.roles.contains(&Role::Direction));
    let (status, _, _) = f
        .post(&path, &[("role", "member"), ("agreement", "")], &[])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = f.get("/devices/00/edit").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_idle_delay_is_bounded_remembered_and_followed() {
    let mut f = fixture().await;
    f.unlock().await;
    let csrf = f.csrf.clone();
    let (_, _, page) = f.get("/settings").await;
    assert!(
        page.contains("data-idle=\"605\""),
        "the default: 10 minutes"
    );
    for bad in ["0", "61", "deux", ""] {
        let (status, _, body) = f
            .post("/settings/lock", &[("csrf", &csrf), ("minutes", bad)], &[])
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(body.contains("id=\"lock-minutes-error\""), "{body}");
        assert!(body.contains("de 1 à 60"), "{body}");
        assert!(
            body.contains(&format!("name=\"minutes\" value=\"{bad}\"")),
            "what was typed stays: {body}"
        );
    }
    let (status, _, _) = f
        .post(
            "/settings/lock",
            &[("csrf", &csrf), ("minutes", " 2 ")],
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = f.get("/settings").await;
    assert!(
        page.contains("data-idle=\"125\""),
        "the page's timer follows"
    );
    assert!(page.contains("après 2 minutes sans activité"), "{page}");
    assert!(page.contains("réglé à 2 minutes"), "{page}");
    let home = f._dir.path().join("home");
    assert_eq!(
        std::fs::read_to_string(home.join("ui-lock-minutes")).expect("remembered"),
        "2"
    );
    // Remembered for the next start of the interface, over its default.
    let config = Config {
        home: home.clone(),
        port: PORT,
        lock_after: Duration::from_secs(600),
        now: Arc::new(now),
        on_open: Arc::new(|_| {}),
        network: None,
    };
    let app = App::new(config).expect("app");
    assert_eq!(app.lock_after(), Duration::from_secs(120));
    let (status, _, _) = f.post("/settings/lock", &[("minutes", "5")], &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no change without the token");
}

/// The policy form's fields as they stand in `body` (every select's chosen value).
fn policy_fields(body: &str) -> Vec<(String, String)> {
    let mut out = vec![];
    let mut rest = body;
    while let Some(i) = rest.find("<select id=\"p-") {
        rest = &rest[i + 12..];
        let name = rest[..rest.find('"').expect("id")].to_owned();
        let end = rest.find("</select>").expect("end");
        let select = &rest[..end];
        let at = select.find(" selected").expect("a chosen value");
        let before = &select[..at];
        let v = before.rfind("value=\"").expect("value") + 7;
        let value = before[v..].split('"').next().expect("value").to_owned();
        out.push((name, value));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn direction_edits_the_policy_and_a_narrowing_is_confirmed_first() {
    use carnet_model::{Access, FieldClass, Role};
    let mut f = fixture().await;
    f.unlock().await;
    let csrf = f.csrf.clone();
    enrol_staff(&f).await;
    let (_, _, page) = f.get("/settings").await;
    let mut fields = policy_fields(&page);
    assert_eq!(fields.len(), 56, "7 roles × 8 classes");
    let policy = || async {
        f.device
            .lock()
            .await
            .registry()
            .map(|r| r.policy.clone())
            .expect("policy")
    };
    let set = |fields: &mut Vec<(String, String)>, name: &str, v: &str| {
        fields.iter_mut().find(|(k, _)| k == name).expect("field").1 = v.to_owned();
    };
    let post = |fields: &Vec<(String, String)>, extra: &[(&'static str, &'static str)]| {
        let mut all: Vec<(String, String)> = vec![("csrf".into(), csrf.clone())];
        all.extend(fields.iter().cloned());
        all.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        all
    };
    // Widening: saved at once.
    set(&mut fields, "p-board-gov", "read");
    let all = post(&fields, &[]);
    let all: Vec<(&str, &str)> = all.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, _, _) = f.post("/settings/policy", &all, &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        policy().await.get(Role::Board, FieldClass::Gov),
        Access::Read
    );
    let (_, _, page) = f.get("/settings").await;
    assert!(
        page.contains("Règles d’accès enregistrées (1 changement)"),
        "{page}"
    );

    // Narrowing staff's personal files: summed up, naming the device that loses it; nothing
    // saved before the confirmation.
    set(&mut fields, "p-staff-per", "read");
    let all = post(&fields, &[]);
    let all: Vec<(&str, &str)> = all.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, _, body) = f.post("/settings/policy", &all, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains(
            "Équipe salariée, Dossier personnel — confidentiel : Lecture et écriture → Lecture"
        ),
        "{body}"
    );
    assert!(
        body.contains("Appareils qui perdent un droit : Bea Staff."),
        "{body}"
    );
    assert_eq!(
        policy().await.get(Role::Staff, FieldClass::Per),
        Access::Write
    );
    // "Back": the table again, the choice kept and marked.
    let back = post(&fields, &[("action", "back")]);
    let back: Vec<(&str, &str)> = back.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (_, _, body) = f.post("/settings/policy", &back, &[]).await;
    assert!(
        policy_fields(&body).contains(&("p-staff-per".to_owned(), "read".to_owned())),
        "{body}"
    );
    assert!(body.contains("class=\"changed\""));
    let yes = post(&fields, &[("confirm", "yes")]);
    let yes: Vec<(&str, &str)> = yes.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, _, _) = f.post("/settings/policy", &yes, &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        policy().await.get(Role::Staff, FieldClass::Per),
        Access::Read
    );

    // A value the table does not offer is refused, nothing saved.
    set(&mut fields, "p-member-pub", "everything");
    let all = post(&fields, &[("confirm", "yes")]);
    let all: Vec<(&str, &str)> = all.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, _, _) = f.post("/settings/policy", &all, &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        policy().await.get(Role::Member, FieldClass::Pub),
        Access::Read
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn re_admitting_says_when_there_is_nothing_to_take_back() {
    let mut f = fixture().await;
    f.unlock().await;
    let csrf = f.csrf.clone();
    let bea = enrol_staff(&f).await;
    let (_, _, page) = f.get("/quarantine").await;
    assert!(
        !page.contains("id=\"readmit\""),
        "nothing to re-admit, no section"
    );
    let (status, _, page) = f.get(&format!("/quarantine/{bea}/readmit")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"readmit-nothing\""), "{page}");
    let (status, _, _) = f
        .post(
            &format!("/quarantine/{bea}/readmit"),
            &[("csrf", &csrf)],
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = f.get("/quarantine").await;
    assert!(
        page.contains("Rien à réadmettre pour l’appareil de Bea Staff"),
        "{page}"
    );
    let (status, _, _) = f
        .post(&format!("/quarantine/{bea}/readmit"), &[], &[])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = f
        .get(&format!(
            "/quarantine/{}/readmit",
            carnet_replica::DeviceId([9; 32])
        ))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_sync_page_says_what_the_last_sync_moved_and_a_record_page_is_logged() {
    let mut f = fixture().await;
    f.unlock().await;
    let peer = carnet_replica::DeviceKey::generate().expect("key").id();
    {
        let mut d = f.device.lock().await;
        d.note_peer(peer, vec![], true, "synced", now())
            .expect("peer");
        d.note_sync_figures(
            peer,
            carnet_device::SyncFigures {
                received: 7,
                sent: 3,
                refused: 1,
            },
        )
        .expect("figures");
    }
    let (status, _, body) = f.get("/sync").await;
    assert_eq!(status, StatusCode::OK);
    // Each count in its plural form (an audit found "reçue(s)").
    assert!(body.contains("7 reçues, 3 envoyées, 1 refusée"), "{body}");
    // A record page showing a personal field is noted in the access log; the list is not.
    let csrf = f.csrf.clone();
    let (status, h, _) = f
        .post(
            "/members/new",
            &[
                ("csrf", &csrf),
                ("display_name", "Joy"),
                ("status", "member"),
                ("phone", "0600000000"),
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
    f.get("/members").await;
    assert!(
        f.device
            .lock()
            .await
            .access_log(None)
            .expect("log")
            .is_empty()
    );
    f.get(&member).await;
    let log = f.device.lock().await.access_log(None).expect("log");
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].how, carnet_replica::AccessKind::Page);
}

impl Fixture {
    /// Adds a record straight through the device (rights and validity checked, not the
    /// association's rules); its id.
    async fn add(&self, kind: RecordKind, fields: &[&str]) -> String {
        let edits: Vec<_> = fields
            .iter()
            .map(|f| kind.parse_edit(f).expect("edit"))
            .collect();
        let mut d = self.device.lock().await;
        d.add(kind, &edits, now()).expect("add").to_string()
    }
}

/// The list items of a page's `<ul class="findings">`, as text without tags.
fn findings_of(body: &str) -> Vec<String> {
    let Some(start) = body.find("<ul class=\"findings\">") else {
        return vec![];
    };
    let list = &body[start..];
    let list = &list[..list.find("</ul>").unwrap_or(list.len())];
    list.split("<li>")
        .skip(1)
        .map(|item| {
            let mut text = String::new();
            let mut in_tag = false;
            for c in item.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            text
        })
        .collect()
}

/// *Aujourd'hui* says what `carnet todo` lists: each finding's situation and next step in the
/// page's language, a link to the page acting on it, and the personal files the retention
/// period erases. An audit found only each rule's summary, so that one board seat held by a
/// member who is not active showed D6 twice with the same words.
#[tokio::test]
async fn today_says_each_finding_and_links_to_the_page_acting_on_it() {
    let mut f = fixture().await;
    f.unlock().await;
    let joy = f
        .add(RecordKind::Member, &["display_name=Joy", "status=prospect"])
        .await;
    let mandate = f
        .add(
            RecordKind::Mandate,
            &[
                "role=board",
                &format!("holder={joy}"),
                "start=2026-01-01",
                "end=2026-04-01",
            ],
        )
        .await;
    f.add(
        RecordKind::Member,
        &["display_name=Ada", "status=left", "left_on=2026-01-10"],
    )
    .await;
    let csrf = f.csrf.clone();
    let (status, _, _) = f
        .post(
            "/settings/retention",
            &[("csrf", &csrf), ("months", "1")],
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, body) = f.get("/today").await;
    assert_eq!(status, StatusCode::OK);
    let items = findings_of(&body);
    let d6: Vec<&String> = items.iter().filter(|i| i.contains("D6")).collect();
    assert_eq!(d6.len(), 2, "{items:#?}");
    assert_ne!(d6[0], d6[1], "two findings said alike");
    assert!(
        items.iter().any(|i| i.contains("1 siège au conseil pourvu")
            && i.contains("Enregistrer un mandat")),
        "{items:#?}"
    );
    assert!(
        items
            .iter()
            .any(|i| i.contains("tenus par des membres actifs : 0 sur 1")),
        "{items:#?}"
    );
    assert!(body.contains("href=\"/mandates/new\""), "{body}");
    // The mandate ending within 30 days: its date in French, a link to renew or end it.
    assert!(
        items.iter().any(
            |i| i.contains("D3") && i.contains("« Siège au conseil » se termine le 01/04/2026")
        ),
        "{items:#?}"
    );
    assert!(body.contains(&format!("href=\"/mandates/{mandate}/edit\"")));
    // The retention period is over for Ada: listed, with the planned erasures.
    assert!(
        items
            .iter()
            .any(|i| i.contains("Conservation") && i.contains("Ada")),
        "{items:#?}"
    );
    assert!(body.contains("href=\"/erasure\""));
    // In English: the same findings in English words, no French left.
    let csrf = f.csrf.clone();
    f.post(
        "/language",
        &[("csrf", &csrf), ("lang", "en"), ("back", "/today")],
        &[],
    )
    .await;
    let (_, _, body) = f.get("/today").await;
    let items = findings_of(&body);
    assert!(
        items.iter().any(|i| i.contains("1 current board seat:")),
        "{items:#?}"
    );
    assert!(
        items
            .iter()
            .any(|i| i.contains("The “Board seat” mandate ends on 2026-04-01")),
        "{items:#?}"
    );
    assert!(
        !items
            .iter()
            .any(|i| i.contains("siège") || i.contains("Rappel")),
        "{items:#?}"
    );
    assert_eq!(raw_key(&body), None);
}

/// Searching ignores accents and case, on the server (`POST /members/search`) as in the page,
/// and keeps the status and group filters in force; counts are said in their plural form.
#[tokio::test]
async fn the_search_ignores_accents_and_keeps_the_filters() {
    let mut f = fixture().await;
    f.unlock().await;
    for fields in [
        [
            "display_name=Adébáyọ̀ O.",
            "status=prospect",
            "working_groups=médias",
        ],
        [
            "display_name=Adebayo K.",
            "status=left",
            "working_groups=médias",
        ],
        [
            "display_name=Ada B.",
            "status=prospect",
            "working_groups=plaidoyer",
        ],
    ] {
        f.add(RecordKind::Member, &fields).await;
    }
    let csrf = f.csrf.clone();
    let (status, _, body) = f
        .post("/members/search", &[("csrf", &csrf), ("q", "ADEBAYO")], &[])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("Adébáyọ̀ O.") && body.contains("Adebayo K."),
        "accents aside: {body}"
    );
    assert!(body.contains(">2 fiches<"), "{body}");
    // With the filters of the list: a status, then a group.
    let (_, _, body) = f
        .post(
            "/members/search",
            &[
                ("csrf", &csrf),
                ("q", "adebayo"),
                ("status", "prospect"),
                ("group", ""),
            ],
            &[],
        )
        .await;
    assert!(
        body.contains("Adébáyọ̀ O.") && !body.contains("Adebayo K."),
        "{body}"
    );
    assert!(body.contains(">1 fiche<"), "{body}");
    assert!(
        body.contains("name=\"status\" value=\"prospect\""),
        "the filter stays for the next search: {body}"
    );
    let (_, _, body) = f
        .post(
            "/members/search",
            &[
                ("csrf", &csrf),
                ("q", "ad"),
                ("status", ""),
                ("group", "plaidoyer"),
            ],
            &[],
        )
        .await;
    assert!(
        body.contains("Ada B.") && !body.contains("Adébáyọ̀ O."),
        "{body}"
    );
    // The page's script counts in the language's plural forms.
    assert!(
        body.contains("data-one=\"{n} fiche\" data-other=\"{n} fiches\""),
        "{body}"
    );
}

/// The erasure page says what an erasure keeps (`docs/architecture.md`, "Erasure"): an audit
/// found it said only what it destroys.
#[tokio::test]
async fn the_erasure_page_says_what_an_erasure_keeps() {
    let mut f = fixture().await;
    f.unlock().await;
    for (lang, words) in [
        (
            "fr",
            [
                "l’identifiant de sa fiche",
                "la date",
                "l’appareil de direction",
                "le motif",
                "listes de personnes",
                "marqueurs M6",
            ],
        ),
        (
            "en",
            [
                "her record's id",
                "the date",
                "the direction device",
                "the reason",
                "lists of people",
                "M6 markers",
            ],
        ),
    ] {
        let csrf = f.csrf.clone();
        f.post(
            "/language",
            &[("csrf", &csrf), ("lang", lang), ("back", "/erasure")],
            &[],
        )
        .await;
        let (status, _, body) = f.get("/erasure").await;
        assert_eq!(status, StatusCode::OK);
        let at = body.find("id=\"erasure-keeps\"").expect("what it keeps");
        let keeps = &body[at..at + body[at..].find("</p>").expect("end")];
        for w in words {
            assert!(
                keeps.contains(&w.replace('\'', "&#39;")) || keeps.contains(w),
                "{lang}: {w} in {keeps}"
            );
        }
    }
}
