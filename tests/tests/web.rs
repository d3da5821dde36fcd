//! The web interface in a real browser: headless Chromium driven over WebDriver (chromedriver)
//! against a real `carnet ui` process in a temporary home. Unlocking (a wrong passphrase first)
//! and saving a member with the keyboard only (Tab, Space, Enter; every focus visible), adding
//! a member with a personal file, an invalid date and a rule refusal shown by their fields with
//! nothing written, editing, searching as you type (accents aside) and by the search button
//! within the group filter, an activity with attendance (present, excused, absent) seen on
//! *Aujourd'hui* with what the rules say needs doing and a link to act on it, a member's
//! signature, application and mandate (a rule refusal by the holder field), history, a report,
//! switching language, a 360-px-wide window, axe-core on every page (missing, the test fails),
//! and locking; a peer's row on *Aujourd'hui* after a sync. Screenshots of every page in both
//! languages go to `docs/screenshots/`.
//!
//! Without `/usr/bin/chromium` and `/usr/bin/chromedriver` the test fails when `CI` is set
//! (`.ci/run` installs them) and is skipped with a message otherwise.

use std::path::{Path, PathBuf};
use std::time::Duration;

use carnet_tests::{HOLDER, Home, PASSPHRASE, Running, enrol, listening_address};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Names and values that must never appear in a URL.
const NAME: &str = "Joy Adébáyọ̀";
const CITY: &str = "Marseille-Canari";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn browsers_present() -> bool {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "{CHROMIUM} or {CHROMEDRIVER} is missing on CI: .ci/run installs chromium and chromium-driver"
        );
    }
    eprintln!(
        "SKIPPED: the browser test needs {CHROMIUM} and {CHROMEDRIVER} (apt-get install chromium chromium-driver)"
    );
    false
}

fn screenshots_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots")
}

struct Browser {
    client: Client,
    base: String,
    urls: Vec<String>,
    axe: Option<String>,
}

impl Browser {
    async fn go(&mut self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("going to {path}: {e}"));
        self.note_url().await;
    }

    async fn note_url(&mut self) {
        let url = self.client.current_url().await.expect("url").to_string();
        self.urls.push(url);
    }

    async fn find(&self, css: &str) -> fantoccini::elements::Element {
        match self
            .client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css(css))
            .await
        {
            Ok(e) => e,
            Err(e) => {
                let url = self.client.current_url().await.map(|u| u.to_string());
                let page = self.client.source().await.unwrap_or_default();
                panic!("finding {css}: {e}\nat {url:?}\n{page}")
            }
        }
    }

    async fn has(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    async fn fill(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        e.clear().await.expect("clear");
        e.send_keys(text).await.expect("type");
    }

    async fn select(&self, css: &str, value: &str) {
        self.find(css)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("choosing {value} in {css}: {e}"));
    }

    /// Clicks a link or a submit button and waits for the next page to have loaded: every click
    /// the test makes navigates, and reading the old page before the new one replaced it (a
    /// stale element) made the test flaky.
    async fn click(&mut self, css: &str) {
        let element = self.find(css).await;
        self.client
            .execute("window.carnetOldPage = true;", vec![])
            .await
            .expect("marking the page");
        element.click().await.expect("click");
        self.wait_new_page(css).await;
        self.note_url().await;
    }

    async fn wait_new_page(&self, after: &str) {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            // While the browser navigates, scripts may fail: that is not yet the new page.
            let loaded = self
                .client
                .execute(
                    "return window.carnetOldPage === undefined && document.readyState === 'complete';",
                    vec![],
                )
                .await;
            if matches!(loaded, Ok(Value::Bool(true))) {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "clicking {after} did not load a new page within 30 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("text")
    }

    async fn body(&self) -> String {
        self.text("body").await
    }

    async fn path(&self) -> String {
        self.client
            .current_url()
            .await
            .expect("url")
            .path()
            .to_owned()
    }

    async fn lang(&self) -> String {
        self.find("html")
            .await
            .attr("lang")
            .await
            .expect("lang")
            .unwrap_or_default()
    }

    /// A screenshot of the page into `docs/screenshots/<lang>-<name>.png`, after axe-core found
    /// no serious or critical violation in it.
    async fn shot(&self, name: &str) {
        self.check_accessibility(name).await;
        // The whole page: the window grows to the page's height for the picture.
        let (w, h) = self.client.get_window_size().await.expect("window size");
        let page: Value = self
            .client
            .execute("return document.documentElement.scrollHeight;", vec![])
            .await
            .expect("page height");
        let full = (page.as_u64().unwrap_or(h) + (h - self.viewport_height().await)).min(5000);
        self.client
            .set_window_size(w as u32, full as u32)
            .await
            .expect("resize");
        let png = self.client.screenshot().await.expect("screenshot");
        self.client
            .set_window_size(w as u32, h as u32)
            .await
            .expect("resize");
        let dir = screenshots_dir();
        std::fs::create_dir_all(&dir).expect("screenshots dir");
        let lang = self.lang().await;
        std::fs::write(dir.join(format!("{lang}-{name}.png")), png).expect("writing a screenshot");
    }

    async fn check_accessibility(&self, name: &str) {
        let Some(axe) = &self.axe else { return };
        self.client
            .execute(axe, vec![])
            .await
            .expect("injecting axe-core");
        let script = r#"
            const done = arguments[arguments.length - 1];
            axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })
              .then(r => done(r.violations
                 .filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
              .catch(e => done(['axe failed: ' + e]));
        "#;
        let found = self
            .client
            .execute_async(script, vec![])
            .await
            .expect("running axe-core");
        let list: Vec<String> = serde_json::from_value(found.clone())
            .unwrap_or_else(|_| panic!("axe-core gave no list of violations on {name}: {found}"));
        assert!(
            list.is_empty(),
            "accessibility violations on {name}: {list:#?}"
        );
    }

    async fn viewport_height(&self) -> u64 {
        let v: Value = self
            .client
            .execute("return window.innerHeight;", vec![])
            .await
            .expect("viewport");
        v.as_u64().unwrap_or(0)
    }

    /// Presses `key` on the keyboard (WebDriver actions: what a person's keyboard sends, to
    /// the element that has the focus).
    async fn press(&self, key: char) {
        let keys = KeyActions::new("keyboard".to_owned())
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        self.client
            .perform_actions(keys)
            .await
            .unwrap_or_else(|e| panic!("pressing {key:?}: {e}"));
    }

    /// Types `text` on the keyboard, a key at a time.
    async fn type_keys(&self, text: &str) {
        let mut keys = KeyActions::new("keyboard".to_owned());
        for c in text.chars() {
            keys = keys
                .then(KeyAction::Down { value: c })
                .then(KeyAction::Up { value: c });
        }
        self.client
            .perform_actions(keys)
            .await
            .expect("typing on the keyboard");
    }

    /// The focused element (its id, or its tag name), whether it matches `css`, and whether
    /// its focus is visible: an outline at least 2 px wide that is not transparent (WCAG 2.2,
    /// 2.4.7 "focus visible").
    async fn focused(&self, css: &str) -> (String, bool, bool, String) {
        let v: Value = self
            .client
            .execute(
                "const e = document.activeElement; const s = getComputedStyle(e); \
                 return [e.id || e.tagName.toLowerCase(), e.matches(arguments[0]), \
                         s.outlineStyle, s.outlineWidth, s.outlineColor];",
                vec![json!(css)],
            )
            .await
            .expect("the focused element");
        let text = |i: usize| v[i].as_str().unwrap_or_default().to_owned();
        let width: f64 = text(3).trim_end_matches("px").parse().unwrap_or(0.0);
        let visible = text(2) != "none" && width >= 2.0 && !text(4).contains("rgba(0, 0, 0, 0)");
        (
            text(0),
            v[1].as_bool().unwrap_or(false),
            visible,
            format!("{} {} {}", text(2), text(3), text(4)),
        )
    }

    /// Presses Tab until the element `css` names has the focus (80 presses at most), checking
    /// that every element the focus lands on shows it.
    async fn tab_to(&self, css: &str) {
        for _ in 0..80 {
            self.press(Key::Tab.chars().next().expect("a key")).await;
            let (now, there, visible, style) = self.focused(css).await;
            assert!(visible, "no visible focus on {now}: outline {style}");
            if there {
                return;
            }
        }
        panic!("Tab never reached {css}")
    }

    /// Presses `key` on the focused link or button and waits for the page it leads to.
    async fn press_to_navigate(&mut self, key: Key) {
        self.client
            .execute("window.carnetOldPage = true;", vec![])
            .await
            .expect("marking the page");
        self.press(key.chars().next().expect("a key")).await;
        self.wait_new_page(&format!("{key:?}")).await;
        self.note_url().await;
    }

    /// Whether the page fits a window `width` pixels wide without scrolling sideways.
    async fn fits(&self) -> bool {
        let w: Value = self
            .client
            .execute(
                "return [document.documentElement.scrollWidth, window.innerWidth];",
                vec![],
            )
            .await
            .expect("widths");
        w[0].as_u64() <= w[1].as_u64()
    }
}

fn start_chromedriver(port: u16) -> Running {
    let mut cmd = std::process::Command::new(CHROMEDRIVER);
    cmd.arg(format!("--port={port}"));
    let driver = Running::spawn(cmd, "chromedriver");
    let ready = (0..300).any(|_| {
        std::thread::sleep(Duration::from_millis(100));
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    assert!(ready, "chromedriver did not start:\n{}", driver.describe());
    driver
}

async fn connect(driver_port: u16, profile: &Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1200,900", "--lang=fr-FR",
                "--force-device-scale-factor=1",
                format!("--user-data-dir={}", profile.display()),
            ],
            "prefs": { "intl.accept_languages": "fr-FR,fr" }
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("a WebDriver session with headless Chromium")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_interface_works_in_a_real_browser() {
    if !browsers_present() {
        return;
    }
    let home = Home::init();
    home.set_today("2026-03-14");
    let mut cmd = home.command(&[
        "ui",
        "--no-open",
        "--no-mdns",
        "--port",
        "0",
        "--lock-after",
        "10",
    ]);
    cmd.env_remove("CARNET_PASSPHRASE");
    let mut ui = Running::spawn(cmd, "carnet ui");
    let base = ui
        .wait_for(Duration::from_secs(60), |p| {
            p.lines()
                .find_map(|l| l.strip_prefix("Carnet: "))
                .map(|u| u.trim().trim_end_matches('/').to_owned())
        })
        .unwrap_or_else(|| panic!("carnet ui printed no address:\n{}", ui.describe()));
    let (mut b, _driver, _profile) = open_browser(base, true).await;
    scenario(&mut b).await;
    let urls = b.urls.clone();
    let _ = b.client.close().await;
    ui.interrupt();
    for url in &urls {
        for personal in [NAME, CITY, "Joy", "Adébáyọ̀", PASSPHRASE] {
            assert!(!url.contains(personal), "a personal value in a URL: {url}");
        }
    }
    let printed = ui.printed();
    for personal in [NAME, CITY, PASSPHRASE] {
        assert!(
            !printed.contains(personal),
            "a personal value in the output:\n{printed}"
        );
    }
}

async fn scenario(b: &mut Browser) {
    // The passphrase page, French by default; a wrong passphrase is shown by its field.
    b.go("/").await;
    assert_eq!(b.path().await, "/unlock");
    assert_eq!(b.lang().await, "fr");
    b.shot("unlock").await;
    b.fill("#passphrase", "not the passphrase").await;
    b.click("#unlock").await;
    assert!(b.text("#passphrase-error").await.contains("incorrecte"));
    b.shot("unlock-wrong").await;
    // The same refusal in English (a refusal answers a form: it is made again in English).
    b.click("#switch-language").await;
    b.fill("#passphrase", "not the passphrase").await;
    b.click("#unlock").await;
    assert!(b.text("#passphrase-error").await.contains("wrong"));
    b.shot("unlock-wrong").await;
    b.click("#switch-language").await;
    assert_eq!(b.lang().await, "fr");

    // Unlocking with the keyboard only: the passphrase field has the focus, shown; the
    // passphrase typed, Tab to the button, Space presses it.
    b.go("/unlock").await;
    let (now, there, visible, style) = b.focused("#passphrase").await;
    assert!(
        there && visible,
        "the passphrase field's focus ({now}): {style}"
    );
    b.type_keys(PASSPHRASE).await;
    b.tab_to("#unlock").await;
    b.press_to_navigate(Key::Space).await;
    assert_eq!(b.path().await, "/today");
    b.shot("today-empty").await;
    in_english(b, "today-empty").await;

    // A member saved with the keyboard only: Tab to the menu's Members and Enter, Tab to
    // "Add a member" and Enter, her name typed, Tab to Save and Space. Every focus visible.
    b.tab_to("nav a[href='/members']").await;
    b.press_to_navigate(Key::Enter).await;
    assert_eq!(b.path().await, "/members");
    b.tab_to("#add").await;
    b.press_to_navigate(Key::Enter).await;
    assert_eq!(b.path().await, "/members/new");
    b.tab_to("#f-display_name").await;
    b.type_keys("Kemi Clavier").await;
    b.tab_to("#save").await;
    b.press_to_navigate(Key::Space).await;
    assert!(
        b.path().await.starts_with("/members/"),
        "saved: {}",
        b.path().await
    );
    assert!(b.text("#section-com").await.contains("Kemi Clavier"));

    // A member with a personal file.
    b.go("/members").await;
    b.click("#add").await;
    b.fill("#f-display_name", NAME).await;
    b.fill("#f-working_groups", "médias, plaidoyer").await;
    b.select("#f-speaks_french", "yes").await;
    assert!(
        b.has("#section-per").await,
        "the personal file on a direction device"
    );
    b.fill("#f-first_name", "Adébáyọ̀").await;
    b.fill("#f-city", CITY).await;
    b.fill("#f-date_of_birth", "14/03/1990").await;
    b.shot("member-new").await;
    b.click("#save").await;
    let member = b.path().await;
    assert!(member.starts_with("/members/"), "{member}");
    assert!(b.text("#section-per").await.contains(CITY));
    assert!(b.text("#section-per").await.contains("14/03/1990"));
    assert!(b.text("main").await.contains("Membre"));
    b.shot("member").await;

    // An invalid date: shown by its field, values kept, nothing written.
    b.click("#edit").await;
    b.fill("#f-date_of_birth", "31/02/1990").await;
    b.fill("#f-city", "Nice-Canari").await;
    b.click("#save").await;
    assert!(
        b.text("#f-date_of_birth-error")
            .await
            .contains("JJ/MM/AAAA")
    );
    assert!(b.has("#error-summary").await);
    let kept = b.find("#f-city").await.prop("value").await.expect("value");
    assert_eq!(kept.as_deref(), Some("Nice-Canari"));
    b.shot("member-invalid-date").await;
    b.go(&member).await;
    assert!(
        b.text("#section-per").await.contains(CITY),
        "nothing written"
    );
    assert!(!b.body().await.contains("Nice-Canari"));

    // Editing.
    b.click("#edit").await;
    b.fill("#f-phone", "+33 6 00 00 00 00").await;
    b.click("#save").await;
    assert_eq!(b.path().await, member);
    assert!(b.text("#section-per").await.contains("+33 6 00 00 00 00"));

    // A rule refusal (M6: an expelled person is never re-admitted), by the status field.
    b.go("/members/new").await;
    b.fill("#f-display_name", "Bisi Okafor").await;
    b.click("#save").await;
    let bisi = b.path().await;
    b.click("#edit").await;
    b.select("#f-status", "expelled").await;
    b.click("#save").await;
    b.click("#edit").await;
    b.select("#f-status", "member").await;
    b.click("#save").await;
    let refusal = b.text("#f-status-error").await;
    assert!(refusal.contains("M6"), "{refusal}");
    b.shot("member-rule-refused").await;
    b.click("#switch-language").await;
    b.select("#f-status", "member").await;
    b.click("#save").await;
    let refusal = b.text("#f-status-error").await;
    assert!(
        refusal.contains("M6") && refusal.contains("never"),
        "{refusal}"
    );
    b.shot("member-rule-refused").await;
    b.click("#switch-language").await;
    b.go(&bisi).await;
    assert!(
        b.text("#section-com").await.contains("Exclue"),
        "nothing written"
    );

    // Searching as you type (the filter runs in the page), and without script (POST).
    b.go("/members").await;
    b.fill("#search", "joy").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let rows = b
        .client
        .find_all(Locator::Css("#records tbody tr"))
        .await
        .expect("rows");
    let mut shown = 0;
    for r in &rows {
        if r.is_displayed().await.expect("displayed") {
            shown += 1;
        }
    }
    assert_eq!((rows.len(), shown), (3, 1), "search as you type");
    b.click("#search-button").await;
    assert_eq!(b.path().await, "/members/search");
    assert!(b.text("#records").await.contains(NAME));
    assert!(!b.text("#records").await.contains("Bisi"));
    // Accents and case aside, in the page as on the server; the count in its plural form.
    b.go("/members").await;
    b.fill("#search", "ADEBAYO").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut shown = vec![];
    for r in b
        .client
        .find_all(Locator::Css("#records tbody tr"))
        .await
        .expect("rows")
    {
        if r.is_displayed().await.expect("displayed") {
            shown.push(r.text().await.expect("text"));
        }
    }
    assert!(shown.len() == 1 && shown[0].contains(NAME), "{shown:?}");
    assert_eq!(b.text("#count").await, "1 fiche");
    b.click("#search-button").await;
    assert!(b.text("#records").await.contains(NAME));
    b.go("/members?status=expelled").await;
    assert!(b.text("#records").await.contains("Bisi"));
    assert!(!b.text("#records").await.contains("Joy"));
    // The group filter (`?group=`): Joy is in "médias", Bisi in no group; a search made from
    // the filtered list keeps the filter.
    b.go("/members").await;
    b.select("#group", "médias").await;
    b.click("#filter").await;
    assert_eq!(b.path().await, "/members");
    let listed = b.text("#records").await;
    assert!(
        listed.contains(NAME) && !listed.contains("Bisi") && !listed.contains("Kemi"),
        "{listed}"
    );
    assert_eq!(b.text("#count").await, "1 fiche");
    b.fill("#search", "o").await;
    b.click("#search-button").await;
    let found = b.text("#records").await;
    assert!(
        found.contains(NAME) && !found.contains("Bisi"),
        "the group kept: {found}"
    );
    b.go("/members").await;
    assert_eq!(b.text("#count").await, "3 fiches");
    b.shot("members").await;

    // A project, and an activity with attendance.
    b.go("/projects/new").await;
    b.fill("#f-title", "Parcours d’autonomie 2026").await;
    b.fill("#f-period_start", "01/01/2026").await;
    b.fill("#f-period_end", "31/12/2026").await;
    b.fill("#f-funders", "Fondation Exemple").await;
    b.shot("project-new").await;
    b.click("#save").await;
    b.shot("project").await;
    in_english(b, "project").await;
    b.go("/projects").await;
    b.shot("projects").await;
    b.go("/activities/new").await;
    b.fill("#f-title", "Groupe de parole du mardi").await;
    b.select("#f-type", "talking-group").await;
    b.fill("#f-date", "10/03/2026").await;
    let project = b
        .find("#f-project option:nth-child(2)")
        .await
        .attr("value")
        .await
        .expect("attr")
        .expect("a project");
    b.select("#f-project", &project).await;
    // Attendance, one person at a time: Joy present, Bisi excused.
    let joy_id = member.trim_start_matches("/members/").to_owned();
    let bisi_id = bisi.trim_start_matches("/members/").to_owned();
    for (who, how) in [(&joy_id, "present"), (&bisi_id, "excused")] {
        b.find(&format!("input[name='att-{who}'][value='{how}']"))
            .await
            .click()
            .await
            .expect("tick");
    }
    b.shot("activity-new").await;
    b.click("#save").await;
    let activity = b.path().await;
    assert!(activity.starts_with("/activities/"));
    let act = b.text("#section-act").await;
    assert!(
        line_after(&act, "Présentes").contains(NAME),
        "attendance recorded: {act}"
    );
    assert!(
        line_after(&act, "Excusées").contains("Bisi"),
        "excused recorded: {act}"
    );
    b.shot("activity").await;
    // Changing one person's attendance moves her from one list to the other.
    b.click("#edit").await;
    b.find(&format!("input[name='att-{bisi_id}'][value='absent']"))
        .await
        .click()
        .await
        .expect("tick");
    b.click("#save").await;
    let act = b.text("#section-act").await;
    assert!(!line_after(&act, "Excusées").contains("Bisi"), "{act}");
    assert!(line_after(&act, "Absentes").contains("Bisi"), "{act}");

    // A member's steps: a signature of the rules and a mandate, recorded from her page.
    b.go(&member).await;
    b.click("#add-signature").await;
    assert_eq!(
        b.find("#f-person")
            .await
            .prop("value")
            .await
            .expect("value")
            .as_deref(),
        Some(joy_id.as_str()),
        "the person is filled in"
    );
    b.select("#f-form", "member").await;
    b.fill("#f-signed_on", "12/01/2026").await;
    b.fill("#f-scan_location", "Classeur bleu, étagère 2").await;
    b.shot("signature-new").await;
    b.click("#save").await;
    assert!(b.path().await.starts_with("/signatures/"));
    assert!(b.text("#section-per").await.contains("Classeur bleu"));
    b.shot("signature").await;
    in_english(b, "signature").await;
    b.go(&member).await;
    assert!(
        b.text("#steps").await.contains("Signature du règlement"),
        "{}",
        b.text("#steps").await
    );
    b.click("#add-mandate").await;
    b.select("#f-role", "spokesperson").await;
    b.fill("#f-start", "01/03/2026").await;
    b.click("#save").await;
    // D2: a spokesperson is an active member; Joy is not: refused by the holder field.
    let refusal = b.text("#f-holder-error").await;
    assert!(refusal.contains("D2"), "{refusal}");
    b.shot("mandate-refused").await;
    // In English: the same form sent again.
    b.click("#switch-language").await;
    b.select("#f-role", "spokesperson").await;
    b.select("#f-holder", &joy_id).await;
    b.fill("#f-start", "2026-03-01").await;
    b.click("#save").await;
    let refusal = b.text("#f-holder-error").await;
    assert!(
        refusal.contains("D2") && refusal.contains("spokespersons"),
        "{refusal}"
    );
    b.shot("mandate-refused").await;
    b.click("#switch-language").await;
    b.select("#f-holder", &joy_id).await;
    b.fill("#f-start", "01/03/2026").await;
    b.select("#f-role", "board").await;
    b.click("#save").await;
    let mandate = b.path().await;
    assert!(mandate.starts_with("/mandates/"), "{mandate}");
    b.shot("mandate").await;
    b.go("/mandates").await;
    assert!(b.text("#records").await.contains(NAME));
    b.shot("mandates").await;
    b.go(&member).await;
    b.click("#add-application").await;
    // In English first (switching language comes back to the empty form).
    b.click("#switch-language").await;
    b.select("#f-person", &joy_id).await;
    b.select("#f-decision", "pending").await;
    b.fill("#f-welcome_meeting_on", "2026-01-15").await;
    b.shot("application-new").await;
    b.click("#switch-language").await;
    b.select("#f-person", &joy_id).await;
    b.select("#f-decision", "pending").await;
    b.fill("#f-welcome_meeting_on", "15/01/2026").await;
    b.shot("application-new").await;
    b.click("#save").await;
    assert!(b.path().await.starts_with("/applications/"));
    b.go(&member).await;
    let steps = b.text("#steps").await;
    assert!(
        steps.contains("Mandat") && steps.contains("Candidature de membre actif"),
        "{steps}"
    );
    b.shot("member-steps").await;
    in_english(b, "member-steps").await;
    b.go("/signatures").await;
    assert!(b.text("#records").await.contains(NAME));
    b.shot("signatures").await;
    b.go("/applications").await;
    assert!(b.text("#records").await.contains(NAME));
    b.shot("applications").await;
    b.go("/activities").await;
    b.shot("activities").await;
    b.go(&format!("{activity}/edit")).await;
    b.shot("activity-edit").await;

    // Aujourd'hui: the activity, with its attendance, and the rules' reminders.
    b.go("/today").await;
    let today = b.text("#activities").await;
    assert!(
        today.contains("Groupe de parole du mardi") && today.contains("1 présente"),
        "{today}"
    );
    assert!(b.has("#todo").await && b.has("#peers").await);
    // What `carnet todo` lists, in French: Joy's board seat is the only one (D6), with a
    // link to record a mandate; the two D6 findings in words of their own.
    let todo = b.text("#todo").await;
    assert!(
        todo.contains("1 siège au conseil pourvu : le conseil en compte de 7 à 9")
            && todo.contains("Sièges au conseil tenus par des membres actifs : 0 sur 1"),
        "{todo}"
    );
    assert_eq!(
        b.text("#todo a[href='/mandates/new']").await,
        "Enregistrer un mandat"
    );
    b.shot("today").await;
    b.click("#todo a[href='/mandates/new']").await;
    assert_eq!(b.path().await, "/mandates/new");

    // History of the member: who, when, which fields, signature checked.
    b.go(&member).await;
    b.click("#history").await;
    let history = b.text("#history-table").await;
    assert!(
        history.contains("Signature vérifiée") && history.contains("Amara Diallo"),
        "{history}"
    );
    b.shot("history").await;

    // A report: tables, bar charts, small counts as "<5", CSV link.
    b.go("/reports").await;
    b.fill("#report-from", "01/01/2026").await;
    b.fill("#report-to", "14/03/2026").await;
    b.click("#run-report").await;
    assert!(b.has("svg.chart").await);
    assert!(b.text("main").await.contains("<5"));
    let csv = b
        .find("#csv")
        .await
        .attr("href")
        .await
        .expect("href")
        .unwrap_or_default();
    assert!(
        csv.starts_with("/reports/csv?from=2026-01-01&to=2026-03-14"),
        "{csv}"
    );
    b.shot("reports").await;
    b.fill("#report-from", "32/01/2026").await;
    b.click("#run-report").await;
    assert!(b.has("#error-summary").await);

    // A narrow window (360 px): no sideways scrolling.
    b.client.set_window_size(360, 800).await.expect("resize");
    for p in ["/today", "/members", member.as_str(), "/reports"] {
        b.go(p).await;
        assert!(b.fits().await, "{p} scrolls sideways at 360 px");
    }
    b.go(&member).await;
    b.shot("member-360px").await;
    in_english(b, "member-360px").await;
    b.client.set_window_size(1200, 900).await.expect("resize");

    // Switching language: the choice sticks, every page in English.
    b.go("/today").await;
    b.click("#switch-language").await;
    assert_eq!(b.lang().await, "en");
    assert!(b.text("h1").await.contains("Today"));
    assert!(
        b.text("#todo")
            .await
            .contains("1 current board seat: the board has 7 to 9"),
        "{}",
        b.text("#todo").await
    );
    b.shot("today").await;
    for (path, name) in [
        ("/members".to_owned(), "members"),
        ("/members/new".to_owned(), "member-new"),
        (member.clone(), "member"),
        (
            format!("/history/member/{}", member.trim_start_matches("/members/")),
            "history",
        ),
        ("/projects".to_owned(), "projects"),
        ("/projects/new".to_owned(), "project-new"),
        ("/activities".to_owned(), "activities"),
        ("/activities/new".to_owned(), "activity-new"),
        (activity.clone(), "activity"),
        (format!("{activity}/edit"), "activity-edit"),
        ("/mandates".to_owned(), "mandates"),
        (mandate.clone(), "mandate"),
        ("/signatures".to_owned(), "signatures"),
        (format!("/signatures/new?person={joy_id}"), "signature-new"),
        ("/applications".to_owned(), "applications"),
        (
            "/reports?from=2026-01-01&to=2026-03-14".to_owned(),
            "reports",
        ),
    ] {
        b.go(&path).await;
        assert_eq!(b.lang().await, "en", "{path}");
        b.shot(name).await;
    }
    b.go(&format!("{member}/edit")).await;
    b.fill("#f-date_of_birth", "2026-02-30").await;
    b.click("#save").await;
    assert!(b.text("#f-date_of_birth-error").await.contains("real date"));
    b.shot("member-invalid-date").await;

    // Locking: the passphrase is needed again, for every page.
    b.click("#lock").await;
    assert_eq!(b.path().await, "/unlock");
    b.shot("unlock").await;
    b.go(&member).await;
    assert_eq!(b.path().await, "/unlock");
    assert!(!b.body().await.contains(CITY));
    b.fill("#passphrase", PASSPHRASE).await;
    b.click("#unlock").await;
    assert_eq!(b.path().await, "/today");
    // Back to French for the next run's screenshots.
    b.click("#switch-language").await;
    assert_eq!(b.lang().await, "fr");
}

/// The line after the one that starts with `label` (a value after its label on a record page).
fn line_after(text: &str, label: &str) -> String {
    text.lines()
        .skip_while(|l| !l.starts_with(label))
        .nth(1)
        .unwrap_or_default()
        .to_owned()
}

/// A headless Chromium (through its chromedriver, kept running with its profile directory for
/// as long as the returned values live) on the interface at `base`, with axe-core or not.
async fn open_browser(base: String, axe: bool) -> (Browser, Running, tempfile::TempDir) {
    let driver_port = free_port();
    let driver = start_chromedriver(driver_port);
    let profile = tempfile::tempdir().expect("profile dir");
    let client = connect(driver_port, profile.path()).await;
    let browser = Browser {
        client,
        base,
        urls: vec![],
        axe: axe
            .then(|| load_axe(&Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/axe.min.js"))),
    };
    (browser, driver, profile)
}

/// axe-core's script, vendored in `tests/assets/`. Missing, the test fails: the accessibility
/// check must never be skipped without a word (an audit found it silently off).
fn load_axe(path: &Path) -> String {
    match std::fs::read_to_string(path) {
        Ok(script) if script.contains("axe") => script,
        Ok(_) => panic!(
            "{} is not axe-core: the accessibility check cannot run",
            path.display()
        ),
        Err(e) => panic!(
            "axe-core is missing at {} ({e}): the accessibility check cannot run",
            path.display()
        ),
    }
}

#[test]
#[should_panic(expected = "axe-core is missing")]
fn a_missing_axe_core_fails_the_accessibility_check() {
    load_axe(Path::new("/nonexistent/axe.min.js"));
}

/// Starts `carnet ui` in `home`; returns it and its address.
fn start_ui(home: &Home) -> (Running, String) {
    let mut cmd = home.command(&[
        "ui",
        "--no-open",
        "--no-mdns",
        "--port",
        "0",
        "--bind",
        "127.0.0.1:0",
    ]);
    cmd.env_remove("CARNET_PASSPHRASE");
    let ui = Running::spawn(cmd, "carnet ui");
    let base = ui
        .wait_for(Duration::from_secs(60), |p| {
            p.lines()
                .find_map(|l| l.strip_prefix("Carnet: "))
                .map(|u| u.trim().trim_end_matches('/').to_owned())
        })
        .unwrap_or_else(|| panic!("carnet ui printed no address:\n{}", ui.describe()));
    (ui, base)
}

async fn unlock(b: &mut Browser) {
    b.go("/unlock").await;
    b.fill("#passphrase", PASSPHRASE).await;
    b.click("#unlock").await;
    assert_eq!(b.path().await, "/today");
}

/// Two devices: a change made in the direction device's interface reaches the board device
/// after a sync (the board's `carnet ui` lends its store to `carnet sync`), and the board
/// device's interface shows no personal section and holds no personal canary in its HTML.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_reaches_another_device_and_a_board_device_shows_no_personal_file() {
    if !browsers_present() {
        return;
    }
    let canary = "canari-telephone-7731";
    let d = Home::init();
    let member = d.add_member(&["--name", "Ngozi", "--phone", canary, "--city", CITY]);
    let mut board = Home::new();
    enrol(
        &d,
        &mut board,
        &["--role", "board", "--holder", "Bea Board"],
    );

    let (mut d_ui, d_base) = start_ui(&d);
    let (mut b_ui, b_base) = start_ui(&board);
    let (mut b, _driver, _profile) = open_browser(d_base, false).await;

    // On the direction device: the personal file is there; a change to the card.
    unlock(&mut b).await;
    let d_addr = d_ui
        .wait_for(Duration::from_secs(30), listening_address)
        .unwrap_or_else(|| panic!("the ui's node printed no address:\n{}", d_ui.describe()));
    b.go(&format!("/members/{member}")).await;
    assert!(b.text("#section-per").await.contains(canary));
    b.click("#edit").await;
    b.fill("#f-working_groups", "chorale-synchronisée").await;
    b.click("#save").await;
    assert!(
        b.text("#section-com")
            .await
            .contains("chorale-synchronisée")
    );

    // The board device, its interface open, syncs with the direction device.
    b.base = b_base;
    unlock(&mut b).await;
    let out = board.carnet(&["sync", "--peer", &d_addr]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    b.go(&format!("/members/{member}")).await;
    assert!(
        b.text("#section-com")
            .await
            .contains("chorale-synchronisée"),
        "the change arrived"
    );
    assert!(
        !b.has("#section-per").await,
        "no personal section on a board device"
    );
    assert!(!b.has("#f-city").await);
    b.shot("board-member").await;
    in_english(&mut b, "board-member").await;
    // Aujourd'hui on the board device: a row for the direction device it synced with.
    b.go("/today").await;
    let peers = b.text("#peers-table").await;
    assert!(
        peers.contains(HOLDER) && peers.contains("Réussi"),
        "the peer's row: {peers}"
    );
    for path in [
        format!("/members/{member}"),
        "/members".to_owned(),
        "/today".to_owned(),
    ] {
        b.go(&path).await;
        let html = b.client.source().await.expect("source");
        assert!(
            !html.contains(canary) && !html.contains(CITY),
            "a personal value on a board device: {path}"
        );
    }
    b.go(&format!("/members/{member}/edit")).await;
    assert!(
        !b.has("#f-phone").await,
        "no personal field to edit on a board device"
    );
    let _ = b.client.close().await;
    b_ui.interrupt();
    d_ui.interrupt();
}

/// Goes to `path` until `css` is on it (the page follows something happening elsewhere);
/// returns its text.
async fn wait_for_element(b: &mut Browser, path: &str, css: &str) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        b.go(path).await;
        if b.has(css).await {
            return b.text(css).await.trim().to_owned();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{css} never showed on {path}:\n{}",
            b.body().await
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// The address a `carnet ui` printed.
fn s_ui_base(ui: &Running) -> String {
    ui.printed()
        .lines()
        .find_map(|l| l.strip_prefix("Carnet: "))
        .map(|u| u.trim().trim_end_matches('/').to_owned())
        .expect("the ui's address")
}

/// Switches the page to English, takes its screenshot `name`, and switches back to French
/// (each page's language switch comes back to the same page).
async fn in_english(b: &mut Browser, name: &str) {
    b.click("#switch-language").await;
    assert_eq!(b.lang().await, "en", "{name}");
    b.shot(name).await;
    b.click("#switch-language").await;
    assert_eq!(b.lang().await, "fr", "{name}");
}

/// `carnet ARGS` on direction's home `d`, after the browser test changed its passphrase; its
/// output.
fn d_ok(d: &Home, args: &[&str]) -> String {
    let out = d.carnet_with_passphrase("une toute nouvelle phrase", args);
    assert!(
        out.status.success(),
        "carnet {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The value of a form field.
async fn value_of(b: &Browser, css: &str) -> String {
    b.find(css)
        .await
        .prop("value")
        .await
        .expect("value")
        .unwrap_or_default()
}

/// Part 2 of the interface, by a direction device in a real browser: invite a device (ticket
/// as a QR code) that joins from its own `carnet ui` on an empty home (a bad ticket refused,
/// then its confirmation code shown on both screens, compared and accepted), erase a person
/// with a typed confirmation and see the new device's receipt arrive, change the passphrase
/// (a wrong one refused by its field), set the retention period, the quarantine and sync
/// pages, change the new device's roles (seen in the list) and withdraw its agreement (a
/// narrowing, confirmed after seeing what it takes away), set the idle lock delay (a bad one
/// refused by its field, 2 minutes kept after a reload), edit the access policy (a narrowing
/// confirmed, the table saved), revoke the device after a warning and re-admit the work it
/// handed in from the quarantine page, merge a member entered twice and delete a record
/// entered by mistake. Screenshots in both languages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_association_is_run_from_the_browser() {
    if !browsers_present() {
        return;
    }
    let canary = "canari-dossier-4417";
    let d = Home::init();
    let ama = d.add_member(&["--name", "Ama Owusu", "--phone", canary]);
    let efe = d.add_member(&["--name", "Efe"]);
    let twice = d.add_member(&["--name", "Efe O."]);
    let (mut d_ui, base) = start_ui(&d);
    let (mut b, _driver, _profile) = open_browser(base, true).await;
    unlock(&mut b).await;
    // The node starts once the passphrase opened the device.
    let d_addr = d_ui
        .wait_for(Duration::from_secs(30), listening_address)
        .unwrap_or_else(|| panic!("the ui's node printed no address:\n{}", d_ui.describe()));
    b.go("/admin").await;
    b.shot("admin").await;

    // Inviting a device: the form refuses a missing holder by its field.
    b.go("/devices").await;
    b.shot("devices").await;
    b.click("#invite").await;
    b.click("#make-invitation").await;
    assert!(b.text("#error-summary").await.contains("qui utilisera"));
    b.fill("#holder", "Bea Staff").await;
    b.find("#role-staff").await.click().await.expect("tick");
    b.fill("#city", "Lyon").await;
    b.fill("#agreement", "05/01/2026").await;
    b.shot("invite").await;
    b.click("#make-invitation").await;
    assert_eq!(b.path().await, "/devices/invitation");
    assert!(b.has("#qr svg").await, "the ticket as a QR code");
    let ticket = value_of(&b, "#ticket").await;
    assert!(ticket.starts_with("carnet1"), "{ticket}");
    b.shot("invitation").await;
    in_english(&mut b, "invitation").await;
    assert_eq!(value_of(&b, "#ticket").await, ticket, "the same invitation");

    // The new device joins from its own `carnet ui`, on an empty home: ticket, passphrase,
    // then its code — shown on both screens, compared and accepted on the inviting one.
    let d_base = b.base.clone();
    let s = Home::new();
    let (mut s_ui, s_base) = start_ui(&s);
    b.base = s_base;
    b.go("/").await;
    assert_eq!(b.path().await, "/setup");
    b.shot("setup").await;
    in_english(&mut b, "setup").await;
    b.fill("#ticket", "carnet1pasunticket").await;
    b.fill("#passphrase", PASSPHRASE).await;
    b.fill("#again", PASSPHRASE).await;
    b.click("#join").await;
    b.click("#again-setup").await;
    b.fill("#ticket", &ticket).await;
    b.fill("#passphrase", PASSPHRASE).await;
    b.fill("#again", PASSPHRASE).await;
    b.click("#join").await;
    let code = wait_for_element(&mut b, "/setup/joining", "#code").await;
    b.shot("setup-code").await;
    // Switching language while the code is shown keeps it on screen (it once led to the
    // passphrase page: the store exists before the join is confirmed).
    in_english(&mut b, "setup-code").await;
    assert_eq!(b.text("#code").await.trim(), code);
    b.base = d_base.clone();
    let shown = wait_for_element(&mut b, "/devices/invitation", "#code").await;
    assert_eq!(shown, code, "the same code on both screens");
    b.shot("invitation-code").await;
    in_english(&mut b, "invitation-code").await;
    assert_eq!(b.text("#code").await.trim(), code);
    b.click("#confirm-code").await;
    b.base = s_ui_base(&s_ui);
    wait_for_element(&mut b, "/setup/joining", "#joined").await;
    b.shot("setup-joined").await;
    in_english(&mut b, "setup-joined").await;
    b.click("#to-unlock").await;
    b.fill("#passphrase", PASSPHRASE).await;
    b.click("#unlock").await;
    assert_eq!(b.path().await, "/today");
    let s_id = s
        .json(&["device", "list", "--json"])
        .as_array()
        .expect("devices")
        .iter()
        .find(|d| d["this_device"] == true)
        .and_then(|d| d["device"].as_str())
        .expect("this device in the list")
        .to_owned();
    b.base = d_base;
    b.go("/devices/invitation").await;
    assert!(b.has("#joined").await, "{}", b.body().await);
    b.go("/devices").await;
    let devices = b.text("#devices-table").await;
    assert!(
        devices.contains("Bea Staff") && devices.contains("Lyon"),
        "{devices}"
    );
    s.ok(&["member", "list"]);

    // Erasing a person: the typed confirmation is required; then the new device's receipt.
    b.go("/erasure").await;
    b.select("#person", &ama).await;
    b.fill("#reason", "demande art. 17 du 01/12/2026").await;
    b.fill("#confirm", "effacez").await;
    b.click("#erase-button").await;
    assert!(b.text("#confirm-error").await.contains("ne correspond pas"));
    // The page says what an erasure keeps, as well as what it destroys.
    let keeps = b.text("#erasure-keeps").await;
    assert!(
        keeps.contains("le motif") && keeps.contains("marqueurs M6"),
        "{keeps}"
    );
    b.shot("erasure-refused").await;
    // In English: the same form sent again.
    b.click("#switch-language").await;
    b.select("#person", &ama).await;
    b.fill("#reason", "art. 17 request of 01/12/2026").await;
    b.fill("#confirm", "effacez").await;
    b.click("#erase-button").await;
    assert!(b.text("#confirm-error").await.contains("does not match"));
    assert!(b.text("#erasure-keeps").await.contains("M6 markers"));
    b.shot("erasure-refused").await;
    b.click("#switch-language").await;
    b.select("#person", &ama).await;
    b.fill("#reason", "demande art. 17 du 01/12/2026").await;
    assert!(
        s.ok(&["member", "list"]).contains("Ama"),
        "nothing erased yet"
    );
    b.fill("#confirm", "EFFACER").await;
    b.click("#erase-button").await;
    assert!(b.text("#flash").await.contains("Effacement enregistré"));
    assert!(
        b.text("#erasure-table").await.contains("Bea Staff"),
        "pending"
    );
    for _ in 0..2 {
        // The receipt the new device signs while syncing reaches direction at the next sync.
        let out = s.carnet(&["sync", "--peer", &d_addr]);
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(
        !s.ok(&["member", "list"]).contains("Ama"),
        "erased on the new device"
    );
    b.go("/erasure").await;
    let table = b.text("#erasure-table").await;
    assert!(table.contains("Tous les appareils ont confirmé"), "{table}");
    b.shot("erasure").await;

    // Settings: a wrong current passphrase is refused by its field; the right one changes it.
    b.go("/settings").await;
    b.fill("#current", "pas la bonne phrase").await;
    b.fill("#new", "une toute nouvelle phrase").await;
    b.fill("#again", "une toute nouvelle phrase").await;
    b.click("#change-passphrase").await;
    assert!(b.text("#current-error").await.contains("incorrecte"));
    b.fill("#current", PASSPHRASE).await;
    b.fill("#new", "une toute nouvelle phrase").await;
    b.fill("#again", "une toute nouvelle phrase").await;
    b.click("#change-passphrase").await;
    assert!(b.text("#flash").await.contains("Phrase de passe changée"));
    b.fill("#months", "deux ans").await;
    b.click("#save-retention").await;
    assert!(b.has("#months-error").await);
    b.fill("#months", "24").await;
    b.click("#save-retention").await;
    assert!(b.text("#retention").await.contains("24 mois"));
    // The idle lock delay: a bad one refused by its field (what was typed kept), then 2
    // minutes, kept after a reload and followed by the page's idle timer.
    b.fill("#lock-minutes", "90").await;
    b.click("#save-lock").await;
    assert!(b.text("#lock-minutes-error").await.contains("de 1 à 60"));
    assert_eq!(value_of(&b, "#lock-minutes").await, "90");
    b.fill("#lock-minutes", "2").await;
    b.click("#save-lock").await;
    assert!(b.text("#flash").await.contains("2 minutes"));
    b.go("/settings").await;
    assert!(b.text("#lock-now").await.contains("2 minutes"));
    assert_eq!(value_of(&b, "#lock-minutes").await, "2");
    let idle = b.find("body").await.attr("data-idle").await.expect("attr");
    assert_eq!(idle.as_deref(), Some("125"), "the page's timer follows");
    assert!(
        d.path().join("ui-lock-minutes").exists(),
        "remembered by the device"
    );
    // The access policy, edited by direction: a widening is saved at once…
    b.select("#p-board-gov", "read").await;
    b.click("#save-policy").await;
    assert!(
        b.text("#flash")
            .await
            .contains("Règles d’accès enregistrées")
    );
    assert_eq!(value_of(&b, "#p-board-gov").await, "read");
    // …a narrowing is summed up first, naming the devices that lose a right.
    b.select("#p-staff-coa", "read").await;
    b.click("#save-policy").await;
    assert!(b.text("#narrowed").await.contains("Coalition"));
    assert!(b.text("#losing").await.contains("Bea Staff"));
    b.shot("policy-confirm").await;
    b.click("#back-to-form").await;
    assert_eq!(value_of(&b, "#p-staff-coa").await, "read", "nothing lost");
    b.click("#switch-language").await;
    b.select("#p-staff-coa", "read").await;
    b.click("#save-policy").await;
    assert!(b.text("#losing").await.contains("Bea Staff"));
    b.shot("policy-confirm").await;
    b.click("#switch-language").await;
    b.select("#p-staff-coa", "read").await;
    b.click("#save-policy").await;
    b.click("#confirm-policy").await;
    assert!(
        b.text("#flash")
            .await
            .contains("Règles d’accès enregistrées")
    );
    assert_eq!(value_of(&b, "#p-staff-coa").await, "read");
    let policy = d_ok(&d, &["policy", "show"]);
    assert!(policy.contains("staff"), "{policy}");
    // Back to ten minutes for the rest of the run (syncs may take a while).
    b.fill("#lock-minutes", "10").await;
    b.click("#save-lock").await;
    assert!(b.has("#policy-table").await);
    b.shot("settings").await;
    b.click("#lock").await;
    b.fill("#passphrase", PASSPHRASE).await;
    b.click("#unlock").await;
    assert!(
        b.has("#passphrase-error").await,
        "the old passphrase no longer opens"
    );
    b.fill("#passphrase", "une toute nouvelle phrase").await;
    b.click("#unlock").await;
    assert_eq!(b.path().await, "/today");

    // Sync and quarantine.
    b.go("/sync").await;
    assert!(b.text("#peers-table").await.contains("Bea Staff"));
    b.click("#sync-now").await;
    assert!(b.has("#flash p").await);
    b.shot("sync").await;

    // Changing the new device's roles: a role added is saved at once and shown in the list.
    b.go("/devices").await;
    let edit = format!("#edit-{}", &s_id[..8]);
    b.click(&edit).await;
    assert_eq!(value_of(&b, "#agreement").await, "05/01/2026");
    b.shot("device-edit").await;
    b.find("#role-board").await.click().await.expect("tick");
    b.click("#save-device").await;
    assert_eq!(b.path().await, "/devices");
    assert!(b.text("#flash").await.contains("Bea Staff"));
    let row = b.text("#devices-table").await;
    assert!(row.contains("Conseil"), "{row}");
    // Withdrawing the agreement narrows: what it takes away is shown before anything changes;
    // "back" keeps what was chosen.
    b.click(&edit).await;
    b.find("#withdraw").await.click().await.expect("tick");
    b.click("#save-device").await;
    assert!(b.text("#lost").await.contains("Dossier personnel"));
    assert!(b.text("#narrow-warning").await.contains("effacés"));
    b.shot("device-narrow").await;
    b.click("#back-to-form").await;
    assert!(
        b.find("#role-board")
            .await
            .is_selected()
            .await
            .expect("ticked"),
        "nothing lost"
    );
    b.click("#switch-language").await;
    b.click(&edit).await;
    b.find("#withdraw").await.click().await.expect("tick");
    b.click("#save-device").await;
    assert!(b.text("#lost").await.contains("Personal file"));
    b.shot("device-narrow").await;
    b.click("#confirm-narrow").await;
    assert!(b.text("#devices-table").await.contains("not signed"));
    b.click("#switch-language").await;
    let list = d_ok(&d, &["device", "list"]);
    assert!(
        list.contains("board"),
        "the registry holds the new role: {list}"
    );

    // Revoking the device, after the warning: refused from then on; the work it did without
    // direction knowing is handed in at its next sync (into the quarantine).
    // Its interface stopped first: its node would otherwise sync the change within 30 s.
    s_ui.interrupt();
    let late = "relu-par-bea";
    s.ok(&[
        "member",
        "set",
        &efe,
        "--field",
        &format!("working_groups={late}"),
    ]);
    b.go("/devices").await;
    let link = format!("#revoke-{}", &s_id[..8]);
    b.click(&link).await;
    assert!(b.text("main").await.contains("quarantaine"));
    b.shot("revoke").await;
    b.click("#revoke-confirm").await;
    assert!(b.text("#devices-table").await.contains("Retiré"));
    let out = s.carnet(&["sync", "--peer", &d_addr]);
    assert!(!out.status.success(), "a revoked device syncs no more");

    // Re-admitting its work from the quarantine page, after reading what it does.
    let readmit = wait_for_element(&mut b, "/quarantine", "#readmit").await;
    assert!(readmit.contains("Bea Staff"), "{readmit}");
    assert!(!d_ok(&d, &["member", "show", &efe]).contains(late));
    b.shot("quarantine").await;
    b.click(&format!("#readmit-link-{}", &s_id[..8])).await;
    assert!(b.text("main").await.contains("Réadmettre"));
    b.shot("readmit").await;
    b.click("#switch-language").await;
    b.shot("quarantine").await;
    b.go(&format!("/quarantine/{s_id}/readmit")).await;
    b.shot("readmit").await;
    b.click("#switch-language").await;
    b.go(&format!("/quarantine/{s_id}/readmit")).await;
    b.click("#readmit-confirm").await;
    assert_eq!(b.path().await, "/quarantine");
    assert!(b.text("#flash").await.contains("réadmise"));
    assert!(!b.has("#readmit").await, "nothing left to re-admit");
    assert!(
        d_ok(&d, &["member", "show", &efe]).contains(late),
        "the work handed in is back in the record"
    );

    // A member entered twice is merged into the record kept; a record entered by mistake is
    // deleted (both from the record's page, after saying what they do).
    b.go(&format!("/members/{twice}")).await;
    b.click("#delete").await;
    b.shot("delete").await;
    in_english(&mut b, "delete").await;
    b.select("#keep", &efe).await;
    b.click("#merge-confirm").await;
    assert_eq!(b.path().await, format!("/members/{efe}"));
    assert!(b.text("main").await.contains("fusionné"));
    b.go("/members").await;
    assert!(!b.text("#records").await.contains("Efe O."));
    b.go(&format!("/members/{efe}")).await;
    b.click("#delete").await;
    b.click("#delete-confirm").await;
    assert_eq!(b.path().await, "/members");
    assert!(b.text("#flash").await.contains("supprimée"));
    assert!(!b.body().await.contains("Efe"));

    // The same pages in English.
    b.go("/today").await;
    b.click("#switch-language").await;
    let own_edit = format!("/devices/{}/edit", d.device_id());
    let revoke = format!("/devices/{s_id}/revoke");
    for (path, name) in [
        ("/admin", "admin"),
        ("/devices", "devices"),
        ("/devices/invite", "invite"),
        (own_edit.as_str(), "device-edit"),
        (revoke.as_str(), "revoke"),
        ("/erasure", "erasure"),
        ("/settings", "settings"),
        ("/sync", "sync"),
    ] {
        b.go(path).await;
        assert_eq!(b.lang().await, "en", "{path}");
        b.shot(name).await;
    }
    b.click("#switch-language").await;
    let urls = b.urls.clone();
    let _ = b.client.close().await;
    d_ui.interrupt();
    s_ui.interrupt();
    for url in &urls {
        assert!(!url.contains("carnet1") && !url.contains(canary), "{url}");
    }
    let printed = d_ui.printed();
    assert!(!printed.contains(canary) && !printed.contains(&ticket[10..40]));
}

/// A French `.xlsx` as a member list is kept (date cells, accented and Yoruba names).
fn french_workbook(path: &Path) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("Adhérentes").expect("name");
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let headers = [
        "Nom d'usage",
        "Prénom",
        "Nom",
        "Date de naissance",
        "Membre depuis",
        "Statut",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("header");
    }
    let people = [
        (
            "Adébáyọ̀ O.",
            "Adébáyọ̀",
            "Ọlámídé",
            "1991-03-14",
            "2019-09-01",
        ),
        ("Chidinma E.", "Chidinma", "Eze", "1988-11-02", "2020-01-15"),
        ("Hélène M.", "Hélène", "Martin", "1979-06-30", "2021-05-20"),
    ];
    for (r, (shown, first, last, born, since)) in people.iter().enumerate() {
        let row = r as u32 + 1;
        ws.write_string(row, 0, *shown).expect("cell");
        ws.write_string(row, 1, *first).expect("cell");
        ws.write_string(row, 2, *last).expect("cell");
        for (c, d) in [(3, born), (4, since)] {
            let d = ExcelDateTime::parse_from_str(d).expect("date");
            ws.write_datetime_with_format(row, c, &d, &date)
                .expect("date cell");
        }
        ws.write_string(row, 5, "Membre").expect("cell");
    }
    book.save(path).expect("xlsx");
}

/// A member list as French Excel saves "CSV (séparateur : point-virgule)": Windows-1252,
/// `;`, CRLF, a trailing empty row; line 3's date of birth is no day when `bad`.
fn french_csv(path: &Path, bad: bool) {
    let text = format!(
        "Nom d'usage;Prénom;Date de naissance;Membre depuis;Ville\r\n\
         Zoé K.;Zoé;14/03/1993;02/01/2020;Créteil\r\n\
         Inès B.;Inès;{};15/06/2021;Saint-Étienne\r\n\
         ;;;;\r\n",
        if bad { "31/02/1990" } else { "28/02/1990" }
    );
    let (bytes, _, lossy) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!lossy);
    std::fs::write(path, bytes).expect("csv");
}

/// Import and export from the browser: a French `.xlsx` imported in one go; a `;`-separated
/// Windows-1252 CSV with a bad line, which is named by its spreadsheet line with nothing
/// written, then the corrected file, imported; the members listed; an export in the French
/// dialect (BOM, `;`). Screenshots of each step in French and English.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spreadsheets_are_imported_and_exported_from_the_browser() {
    if !browsers_present() {
        return;
    }
    let d = Home::init();
    d.set_today("2026-03-14");
    let files = tempfile::tempdir().expect("files");
    let xlsx = files.path().join("adhérentes.xlsx");
    french_workbook(&xlsx);
    let bad = files.path().join("liste Zoé.csv");
    french_csv(&bad, true);
    let fixed = files.path().join("liste corrigée.csv");
    french_csv(&fixed, false);
    let english = files.path().join("members.csv");
    std::fs::write(
        &english,
        "Display name,First name,Date of birth,Member since\n\
         Temi A.,Temi,1992-05-04,2021-02-03\n\
         Ngozi B.,Ngozi,1985-07-08,2022-09-10\n",
    )
    .expect("csv");
    let (mut ui, base) = start_ui(&d);
    let (mut b, _driver, _profile) = open_browser(base, true).await;
    unlock(&mut b).await;
    b.go("/admin").await;
    b.click("a[href='/import']").await;
    b.shot("import").await;

    // The workbook: read, its columns matched by their French titles, ready at once.
    b.select("#kind", "member").await;
    read_file(&mut b, &xlsx).await;
    assert_eq!(b.path().await, "/import");
    let read = b.text("#file-read").await;
    assert!(read.contains("Classeur xlsx"), "{read}");
    assert!(
        b.text("#ready").await.contains("les 3 lignes"),
        "{}",
        b.body().await
    );
    b.shot("import-check").await;
    b.click("#import-button").await;
    assert_eq!(b.path().await, "/members");
    assert!(b.text("#flash").await.contains("3 membres importés"));
    let listed = b.text("main").await;
    assert!(
        listed.contains("Adébáyọ̀ O.") && listed.contains("Hélène M."),
        "{listed}"
    );

    // The CSV with a bad line: named by the line the spreadsheet shows, nothing written.
    b.go("/import").await;
    read_file(&mut b, &bad).await;
    let read = b.text("#file-read").await;
    assert!(
        read.contains("point-virgule")
            && read.contains("Windows-1252")
            && read.contains("JJ/MM/AAAA"),
        "{read}"
    );
    let problems = b.text("#problem-list").await;
    assert!(
        problems.contains("Ligne 3 :") && problems.contains("Date de naissance"),
        "{problems}"
    );
    assert!(b.has("#error-summary").await);
    assert!(
        !b.has("#import-button").await,
        "no import while a line is bad"
    );
    // The city column is left out; the choice stays through "check again".
    b.select("#col-4", "").await;
    b.click("#check-again").await;
    assert!(b.text("#problem-list").await.contains("Ligne 3 :"));
    assert_eq!(value_of(&b, "#col-4").await, "");
    b.shot("import-bad-line").await;
    assert!(
        !d.ok(&["member", "list"]).contains("Zoé"),
        "nothing written"
    );

    // The corrected file keeps the choices made; imported, the members are listed.
    read_file(&mut b, &fixed).await;
    assert_eq!(value_of(&b, "#col-4").await, "", "the choice carried over");
    assert!(b.text("#ready").await.contains("les 2 lignes"));
    b.click("#import-button").await;
    assert_eq!(b.path().await, "/members");
    assert!(b.text("#flash").await.contains("2 membres importés"));
    let listed = b.text("main").await;
    assert!(
        listed.contains("Zoé K.") && listed.contains("Inès B."),
        "{listed}"
    );
    b.shot("import-done").await;
    let list = d.ok(&["member", "list"]);
    assert!(
        list.contains("Inès B.") && list.contains("Chidinma E."),
        "{list}"
    );
    let zoe = d.json(&["member", "show", "Zoé K.", "--json"]);
    assert!(
        zoe.to_string().contains("2020-01-02") && !zoe.to_string().contains("Créteil"),
        "member_since kept, the ignored column not imported: {zoe}"
    );

    // Export: the French dialect by default; the bytes the browser receives.
    b.go("/export").await;
    b.shot("export").await;
    let bytes = export_bytes(&b).await;
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "a byte-order mark");
    let text = String::from_utf8(bytes[3..].to_vec()).expect("UTF-8");
    assert!(text.starts_with("id;display_name;"), "{text}");
    assert!(
        text.contains("\r\n") && text.contains(";Inès B.;"),
        "{text}"
    );
    assert!(
        !text.contains("Ọlámídé"),
        "no personal file unless asked: {text}"
    );

    // The same pages in English.
    b.go("/today").await;
    b.click("#switch-language").await;
    b.go("/import").await;
    assert_eq!(b.lang().await, "en");
    b.shot("import").await;
    read_file(&mut b, &bad).await;
    assert!(b.text("#problem-list").await.contains("Line 3:"));
    b.shot("import-bad-line").await;
    // A file with English headers, ready: checked, then imported.
    b.go("/import").await;
    b.select("#kind", "member").await;
    read_file(&mut b, &english).await;
    assert!(
        b.text("#ready").await.contains("the 2 lines"),
        "{}",
        b.body().await
    );
    b.shot("import-check").await;
    b.click("#import-button").await;
    assert_eq!(b.path().await, "/members");
    assert!(b.text("#flash").await.contains("2 members imported"));
    assert!(b.text("main").await.contains("Temi A."));
    b.shot("import-done").await;
    b.go("/export").await;
    b.shot("export").await;
    b.click("#switch-language").await;

    let urls = b.urls.clone();
    let _ = b.client.close().await;
    ui.interrupt();
    for url in &urls {
        for personal in ["Zoé", "Z%C3%A9", "liste", "adh", "Ọlá"] {
            assert!(!url.contains(personal), "a personal value in a URL: {url}");
        }
    }
    let printed = ui.printed();
    for personal in ["Zoé", "Ọlámídé", "liste Zoé", "adhérentes"] {
        assert!(!printed.contains(personal), "{printed}");
    }
}

/// Chooses `path` in the import form's file field and reads it.
async fn read_file(b: &mut Browser, path: &Path) {
    b.find("#file")
        .await
        .send_keys(path.to_str().expect("path"))
        .await
        .expect("choosing the file");
    b.click("#read-file").await;
}

/// What `POST /export` sends the browser for the export form as it stands, as bytes.
async fn export_bytes(b: &Browser) -> Vec<u8> {
    let got = b
        .client
        .execute(
            "const f = document.getElementById('export-form'); \
             return fetch('/export', { method: 'POST', body: new URLSearchParams(new FormData(f)) }) \
               .then(r => r.arrayBuffer()).then(a => Array.from(new Uint8Array(a)));",
            vec![],
        )
        .await
        .expect("the export");
    got.as_array()
        .expect("bytes")
        .iter()
        .map(|v| v.as_u64().expect("a byte") as u8)
        .collect()
}
