//! Translations (Project Fluent): one `.ftl` file per language, embedded in the binary; the
//! language of the interface (the device's remembered choice, else the browser's first guess,
//! else French); dates written the way each language writes them.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// The translation files, embedded at build time.
const FR: &str = include_str!("../locales/fr/carnet.ftl");
const EN: &str = include_str!("../locales/en/carnet.ftl");

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// French, the default.
    Fr,
    /// English.
    En,
}

impl Lang {
    /// Both languages, French first.
    pub const ALL: [Lang; 2] = [Lang::Fr, Lang::En];

    /// The BCP 47 code (`fr`, `en`), as in `lang` attributes and the choice file.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// The language a code names (`fr`, `en-GB`…), if one of ours.
    pub fn parse(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The browser's first guess: the first language of an `Accept-Language` header we have,
    /// in the order of its quality values.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut tags: Vec<(f32, usize, &str)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut it = part.split(';');
                let tag = it.next()?.trim();
                let q = it
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                Some((q, i, tag))
            })
            .collect();
        tags.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        tags.into_iter().find_map(|(_, _, t)| Lang::parse(t))
    }

    /// A date as this language writes it: 14/03/2026 in French, 2026-03-14 in English.
    pub fn date(self, d: NaiveDate) -> String {
        match self {
            Lang::Fr => d.format("%d/%m/%Y").to_string(),
            Lang::En => d.format("%Y-%m-%d").to_string(),
        }
    }
}

/// The file of a home in which the device's choice of language is remembered.
pub(crate) fn choice_file(home: &Path) -> PathBuf {
    home.join("ui-language")
}

/// The language remembered for the device at `home`, if one was chosen.
pub(crate) fn remembered(home: &Path) -> Option<Lang> {
    std::fs::read_to_string(choice_file(home))
        .ok()
        .and_then(|s| Lang::parse(&s))
}

/// Remembers `lang` as the device's choice.
pub(crate) fn remember(home: &Path, lang: Lang) -> std::io::Result<()> {
    std::fs::write(choice_file(home), lang.code())
}

/// The arguments that are counts: messages choose their plural forms by them.
const COUNTS: &[&str] = &[
    "n", "missing", "active", "attended", "received", "sent", "refused", "rows", "minutes",
    "months",
];

/// The translations of both languages.
pub(crate) struct I18n {
    fr: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

/// A translation file that does not parse (a bug caught by the tests).
#[derive(Debug, thiserror::Error)]
#[error("the {lang} translation file does not parse")]
pub struct BadTranslations {
    lang: &'static str,
}

impl BadTranslations {
    /// The same error again (the first is kept in a static).
    pub(crate) fn again(e: &BadTranslations) -> BadTranslations {
        BadTranslations { lang: e.lang }
    }
}

fn bundle(lang: Lang, source: &str) -> Result<FluentBundle<FluentResource>, BadTranslations> {
    let bad = || BadTranslations { lang: lang.code() };
    let resource = FluentResource::try_new(source.to_owned()).map_err(|_| bad())?;
    let id = lang.code().parse().map_err(|_| bad())?;
    let mut b = FluentBundle::new_concurrent(vec![id]);
    // No Unicode isolation marks around arguments: they would show in plain-text contexts.
    b.set_use_isolating(false);
    b.add_resource(resource).map_err(|_| bad())?;
    Ok(b)
}

impl I18n {
    /// Loads the embedded translations.
    pub(crate) fn load() -> Result<I18n, BadTranslations> {
        Ok(I18n {
            fr: bundle(Lang::Fr, FR)?,
            en: bundle(Lang::En, EN)?,
        })
    }

    fn bundle(&self, lang: Lang) -> &FluentBundle<FluentResource> {
        match lang {
            Lang::Fr => &self.fr,
            Lang::En => &self.en,
        }
    }

    /// The message `id` (or `id.attribute`) in `lang` with `args`; a missing message falls
    /// back to the other language, then to a visible marker (the tests check none is missing).
    pub(crate) fn get(&self, lang: Lang, id: &str, args: &[(&str, String)]) -> String {
        let (msg_id, attr) = match id.split_once('.') {
            Some((m, a)) => (m, Some(a)),
            None => (id, None),
        };
        let mut fargs = FluentArgs::new();
        for (k, v) in args {
            // A count is a number, so that plural variants (`[one]`) are chosen by it; other
            // arguments stay text even when they are digits (a device's short id).
            match (COUNTS.contains(k), v.parse::<i64>()) {
                (true, Ok(n)) => fargs.set(*k, FluentValue::from(n)),
                _ => fargs.set(*k, FluentValue::from(v.clone())),
            }
        }
        for l in [lang, other(lang)] {
            let b = self.bundle(l);
            let Some(msg) = b.get_message(msg_id) else {
                continue;
            };
            let pattern = match attr {
                Some(a) => msg.get_attribute(a).map(|a| a.value()),
                None => msg.value(),
            };
            if let Some(p) = pattern {
                let mut errors = vec![];
                return b.format_pattern(p, Some(&fargs), &mut errors).into_owned();
            }
        }
        tracing::warn!(key = id, "missing translation");
        format!("[{id}]")
    }

    /// Whether `lang` has the message `id` (or `id.attribute`).
    #[cfg(test)]
    pub(crate) fn has(&self, lang: Lang, id: &str) -> bool {
        let (msg_id, attr) = match id.split_once('.') {
            Some((m, a)) => (m, Some(a)),
            None => (id, None),
        };
        self.bundle(lang)
            .get_message(msg_id)
            .is_some_and(|m| match attr {
                Some(a) => m.get_attribute(a).is_some(),
                None => m.value().is_some(),
            })
    }
}

fn other(lang: Lang) -> Lang {
    match lang {
        Lang::Fr => Lang::En,
        Lang::En => Lang::Fr,
    }
}

/// The message ids (with `.attribute` for each attribute) of a translation file.
#[cfg(test)]
pub(crate) fn keys(lang: Lang) -> Vec<String> {
    let source = match lang {
        Lang::Fr => FR,
        Lang::En => EN,
    };
    let resource = match fluent_syntax::parser::parse(source) {
        Ok(r) => r,
        Err((r, _)) => r,
    };
    let mut out = vec![];
    for entry in resource.body {
        if let fluent_syntax::ast::Entry::Message(m) = entry {
            if m.value.is_some() {
                out.push(m.id.name.to_owned());
            }
            for a in m.attributes {
                out.push(format!("{}.{}", m.id.name, a.id.name));
            }
        }
    }
    out
}

/// Translating for one page: the language and the translations.
#[derive(Clone, Copy)]
pub(crate) struct Tr<'a> {
    /// The page's language.
    pub lang: Lang,
    i18n: &'a I18n,
}

impl<'a> Tr<'a> {
    /// Translation into `lang`.
    pub(crate) fn new(i18n: &'a I18n, lang: Lang) -> Tr<'a> {
        Tr { lang, i18n }
    }

    /// The message `id`.
    pub(crate) fn t(&self, id: &str) -> String {
        self.i18n.get(self.lang, id, &[])
    }

    /// The message `id` with arguments.
    pub(crate) fn ta(&self, id: &str, args: &[(&str, String)]) -> String {
        self.i18n.get(self.lang, id, args)
    }

    /// A date in the page's language.
    pub(crate) fn date(&self, d: NaiveDate) -> String {
        self.lang.date(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys() {
        let fr = keys(Lang::Fr);
        let en = keys(Lang::En);
        assert!(fr.len() > 100, "{} keys", fr.len());
        let missing_en: Vec<_> = fr.iter().filter(|k| !en.contains(k)).collect();
        let missing_fr: Vec<_> = en.iter().filter(|k| !fr.contains(k)).collect();
        assert!(missing_en.is_empty(), "missing in English: {missing_en:?}");
        assert!(missing_fr.is_empty(), "missing in French: {missing_fr:?}");
    }

    #[test]
    fn the_files_parse_and_format() {
        let i18n = I18n::load().expect("translations load");
        for lang in Lang::ALL {
            for k in keys(lang) {
                assert!(i18n.has(lang, &k), "{k}");
            }
        }
        assert_eq!(
            Lang::from_accept_language("en-GB,en;q=0.9,fr;q=0.8"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_accept_language("de, fr;q=0.5, en;q=0.4"),
            Some(Lang::Fr)
        );
        assert_eq!(Lang::from_accept_language("de"), None);
        let d = NaiveDate::from_ymd_opt(2026, 3, 14).expect("date");
        assert_eq!(Lang::Fr.date(d), "14/03/2026");
    }
}
