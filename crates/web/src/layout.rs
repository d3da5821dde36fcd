//! The frame of every page: `lang`, title, navigation, language switch, lock button, skip link,
//! and the idle timer (`data-idle` on `<body>`: the page's script leaves the page for the
//! passphrase page once the session has locked itself, so that no personal value stays on
//! screen).

use maud::{DOCTYPE, Markup, html};

use crate::i18n::{Lang, Tr};

/// Which navigation entry a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Nav {
    /// Aujourd'hui.
    Today,
    /// Membres.
    Members,
    /// Projets.
    Projects,
    /// Activités.
    Activities,
    /// Mandats.
    Mandates,
    /// Rapports.
    Reports,
    /// Gestion: devices, sync, quarantine, erasure, settings.
    Admin,
    /// A page outside the menu (passphrase).
    None,
}

/// What a page's frame needs.
pub(crate) struct Frame<'a> {
    /// Translation.
    pub tr: Tr<'a>,
    /// The page's title (already translated).
    pub title: String,
    /// The menu entry.
    pub nav: Nav,
    /// The session's CSRF token (for the language switch and lock forms).
    pub csrf: &'a str,
    /// Whether the session is unlocked (menu and lock button shown).
    pub unlocked: bool,
    /// The path to come back to after switching language.
    pub back: &'a str,
    /// Seconds after which the idle timer looks whether the session locked itself.
    pub idle_secs: u64,
}

/// A whole page around `body`.
pub(crate) fn page(f: &Frame<'_>, body: Markup) -> Markup {
    let tr = f.tr;
    let entries = [
        (Nav::Today, "/today", "nav-today"),
        (Nav::Members, "/members", "nav-members"),
        (Nav::Projects, "/projects", "nav-projects"),
        (Nav::Activities, "/activities", "nav-activities"),
        (Nav::Mandates, "/mandates", "nav-mandates"),
        (Nav::Reports, "/reports", "nav-reports"),
        (Nav::Admin, "/admin", "nav-admin"),
    ];
    let other = match tr.lang {
        Lang::Fr => Lang::En,
        Lang::En => Lang::Fr,
    };
    html! {
        (DOCTYPE)
        html lang=(tr.lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (f.title) " — Carnet" }
                link rel="stylesheet" href="/assets/style.css";
                script src="/assets/app.js" defer {}
            }
            body data-idle=[f.unlocked.then(|| (f.idle_secs + 5).to_string())] {
                a.skip href="#main" { (tr.t("skip-to-content")) }
                header.top {
                    div.bar {
                        span.brand { "Carnet" }
                        form.inline method="post" action="/language" {
                            input type="hidden" name="csrf" value=(f.csrf);
                            input type="hidden" name="back" value=(f.back);
                            input type="hidden" name="lang" value=(other.code());
                            button.link type="submit" lang=(other.code()) id="switch-language" {
                                (tr.t("switch-language"))
                            }
                        }
                        @if f.unlocked {
                            form.inline method="post" action="/lock" {
                                input type="hidden" name="csrf" value=(f.csrf);
                                button.secondary type="submit" id="lock" { (tr.t("lock")) }
                            }
                        }
                    }
                    @if f.unlocked {
                        nav aria-label=(tr.t("nav-label")) {
                            ul {
                                @for (nav, href, key) in entries {
                                    li {
                                        @if nav == f.nav {
                                            a href=(href) aria-current="page" { (tr.t(key)) }
                                        } @else {
                                            a href=(href) { (tr.t(key)) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                main id="main" tabindex="-1" {
                    h1 { (f.title) }
                    (body)
                }
                footer { p { (tr.t("footer")) } }
            }
        }
    }
}
