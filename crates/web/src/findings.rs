//! What each finding of `carnet_rules::todo` says, in the page's language: the situation and
//! the next step that `carnet todo` prints, and the page that acts on it where there is one.
//!
//! The rules crate writes its messages in English, with figures, dates and fixed words only
//! (never a field value). Each message is recognised here by its words (the templates below,
//! copied from `carnet-rules`), its figures and dates taken out and given to a translated
//! message. A message no template matches (the rules crate reworded one) falls back to the
//! rule's summary; the tests make every message `todo` can give match its template.

use carnet_model::RecordKind;
use carnet_rules::Finding;
use chrono::NaiveDate;

use crate::i18n::Tr;
use crate::keys::{choice_key, rule_key};

/// Where the page acting on a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    /// No page of the interface acts on it.
    None,
    /// The record's own page (`/<kind>/<id>`), or its edit page (`…/edit`).
    Record {
        /// Whether the edit page.
        edit: bool,
        /// The link's words.
        key: &'static str,
    },
    /// A page of its own (a list, a new record).
    Page {
        /// The page's path.
        path: &'static str,
        /// The link's words.
        key: &'static str,
    },
}

/// One message of the rules crate: its English words with placeholders in braces (`{_}`
/// ignored; others passed to the translated message under their name), the key of its
/// translation, and the page acting on it.
struct Template {
    english: &'static str,
    key: &'static str,
    act: Act,
}

const MANDATES: Act = Act::Page {
    path: "/mandates",
    key: "todo-go-mandates",
};
const NEW_MANDATE: Act = Act::Page {
    path: "/mandates/new",
    key: "todo-go-new-mandate",
};
const END_MANDATE: Act = Act::Record {
    edit: true,
    key: "todo-go-end-mandate",
};

/// Every message `carnet_rules::todo` gives (`active.rs`, `governance.rs`, `coalition.rs`).
const TEMPLATES: &[Template] = &[
    Template {
        english: "an accepted application has no mentor yet (A2): choose one and record it in \
                  `mentor` (or as an active mentorship of this person)",
        key: "todo-a2-mentor",
        act: Act::Record {
            edit: true,
            key: "todo-go-mentor",
        },
    },
    Template {
        english: "no presence at a working-group activity for two months (A8): flag this person \
                  for review by Roots and the prefets",
        key: "todo-a8-groups",
        act: Act::Record {
            edit: false,
            key: "todo-go-member",
        },
    },
    Template {
        english: "no news for two months (A9): check in on this person first and record a \
                  welfare check; never drop the person automatically: let go only if the person \
                  wishes",
        key: "todo-a9-news",
        act: Act::Record {
            edit: true,
            key: "todo-go-news",
        },
    },
    Template {
        english: "{n} {seat} hold the role at once ({_}): it is held by two people; decide which \
                  mandates stand and end or resign the others",
        key: "todo-seats-too-many",
        act: MANDATES,
    },
    Template {
        english: "{n} current {seat}, two are needed ({_}): choose {missing} among the active \
                  members and present the choice at the general assembly",
        key: "todo-seats-missing",
        act: NEW_MANDATE,
    },
    Template {
        english: "no current {seat} speaks French ({_}): at least one of the two must",
        key: "todo-seats-french",
        act: MANDATES,
    },
    Template {
        english: "the holder of this current {seat} mandate is no longer an active member ({_}): \
                  record the end of the mandate and choose a successor",
        key: "todo-seat-inactive",
        act: END_MANDATE,
    },
    Template {
        english: "this spokesperson is recorded as not available (D2): talk it over and, if the \
                  person wishes, consult a Roots member about a resignation and a successor",
        key: "todo-d2-unavailable",
        act: Act::Record {
            edit: false,
            key: "todo-go-mandate",
        },
    },
    Template {
        english: "no general assembly is recorded (D3): hold one every six months, where \
                  mandates are presented and spokespersons elected",
        key: "todo-d3-no-assembly",
        act: Act::None,
    },
    Template {
        english: "the next general assembly {is} due by {due}, six months after the one of \
                  {last} (D3): plan it and prepare the mandates to renew",
        key: "todo-d3-assembly-due",
        act: Act::None,
    },
    Template {
        english: "{role} mandate ends on {end} (D3): renew it or choose a successor, at a \
                  general assembly where needed",
        key: "todo-d3-mandate-ends",
        act: Act::Record {
            edit: true,
            key: "todo-go-renew",
        },
    },
    Template {
        english: "{n} board seats are held at once (D6): the board has at most 9; decide which \
                  mandates stand and end the others",
        key: "todo-d6-too-many",
        act: MANDATES,
    },
    Template {
        english: "{n} current board {_} (D6): the board has 7 to 9; elect the missing members at \
                  the general assembly",
        key: "todo-d6-too-few",
        act: NEW_MANDATE,
    },
    Template {
        english: "{active} of {n} board seats are held by active members (D6): at least half \
                  must be",
        key: "todo-d6-active",
        act: MANDATES,
    },
    Template {
        english: "attended {attended} of {n} coalition {_} in the last 12 months, under two \
                  thirds (C5): the terms of reference assume automatic withdrawal; tell the \
                  organisation and record coalition_status=withdrawn",
        key: "todo-c5-withdrawal",
        act: Act::None,
    },
];

/// What a finding says on a page: its text, and the link to the page acting on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Said {
    /// The situation and the next step, translated.
    pub text: String,
    /// The page acting on it (path, link words), if one does.
    pub act: Option<(String, String)>,
}

/// The placeholders of `template` matched against `message`, or `None` when it does not match.
/// A placeholder takes the text up to the next literal part (to the end for the last one).
fn captures<'m>(template: &str, message: &'m str) -> Option<Vec<(&'static str, &'m str)>> {
    let mut out = vec![];
    let mut rest = message;
    let mut t = template;
    loop {
        match t.find('{') {
            None => return (rest == t).then_some(out),
            Some(open) => {
                rest = rest.strip_prefix(&t[..open])?;
                let close = t[open..].find('}')? + open;
                let name = &t[open + 1..close];
                t = &t[close + 1..];
                let next = t.find('{').map_or(t, |i| &t[..i]);
                let end = if next.is_empty() {
                    rest.len()
                } else {
                    rest.find(next)?
                };
                if end == 0 {
                    return None;
                }
                out.push((static_name(name), &rest[..end]));
                rest = &rest[end..];
            }
        }
    }
}

/// The placeholder names the templates use.
fn static_name(name: &str) -> &'static str {
    [
        "n", "seat", "missing", "is", "due", "last", "role", "end", "active", "attended",
    ]
    .into_iter()
    .find(|n| *n == name)
    .unwrap_or("_")
}

/// Runs of spaces (the templates' line breaks) made single.
fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The template a finding's message matches, with its placeholders.
fn matched(f: &Finding) -> Option<(&'static Template, Vec<(&'static str, String)>)> {
    let message = squeeze(&f.message);
    TEMPLATES.iter().find_map(|t| {
        let found = captures(&squeeze(t.english), &message)?;
        Some((
            t,
            found.into_iter().map(|(k, v)| (k, v.to_owned())).collect(),
        ))
    })
}

/// A placeholder's value as the translated message takes it: a seat without its plural `s`, a
/// date in the page's language, a mandate's role in words.
fn arg(tr: Tr<'_>, name: &'static str, value: &str) -> Option<(&'static str, String)> {
    let value = match name {
        "_" => return None,
        "seat" => value.trim_end_matches('s').to_owned(),
        "due" | "last" | "end" => NaiveDate::parse_from_str(value, "%Y-%m-%d")
            .map(|d| tr.date(d))
            .unwrap_or_default(),
        // "the" when the mandate has no role the rules know: the message says "this mandate".
        "role" => match carnet_model::MANDATE_ROLES.contains(&value) {
            true => tr.t(&choice_key(RecordKind::Mandate, "role", value)),
            false => "none".to_owned(),
        },
        _ => value.to_owned(),
    };
    Some((name, value))
}

/// What `f` says in the page's language, and the page acting on it. `segment` gives the path
/// segment of a kind's pages (none: no page).
pub(crate) fn said(
    tr: Tr<'_>,
    f: &Finding,
    segment: impl Fn(RecordKind) -> Option<&'static str>,
) -> Said {
    let Some((template, found)) = matched(f) else {
        // A message this module does not know: the rule in one line, still translated.
        return Said {
            text: tr.t(&rule_key(f.rule)),
            act: None,
        };
    };
    let args: Vec<(&str, String)> = found.iter().filter_map(|(k, v)| arg(tr, k, v)).collect();
    let act = match template.act {
        Act::None => None,
        Act::Page { path, key } => Some((path.to_owned(), tr.t(key))),
        Act::Record { edit, key } => match (&f.record, segment(f.kind)) {
            (Some(id), Some(seg)) => Some((
                format!("/{seg}/{id}{}", if edit { "/edit" } else { "" }),
                tr.t(key),
            )),
            _ => None,
        },
    };
    Said {
        text: tr.ta(template.key, &args),
        act,
    }
}

/// Every key this module uses, for the test that each exists in both languages.
#[cfg(test)]
pub(crate) fn keys() -> Vec<String> {
    let mut out = vec![];
    for t in TEMPLATES {
        out.push(t.key.to_owned());
        match t.act {
            Act::None => {}
            Act::Page { key, .. } | Act::Record { key, .. } => out.push(key.to_owned()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use carnet_model::{Record, Snapshot, Value};
    use carnet_rules::RuleId;

    use super::*;
    use crate::i18n::{I18n, Lang};

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn record(fields: &[(&str, Value)]) -> Record {
        Record {
            fields: fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect::<BTreeMap<_, _>>(),
        }
    }

    fn text(s: &str) -> Value {
        Value::Text(s.to_owned())
    }

    fn date(s: &str) -> Value {
        Value::Date(day(s))
    }

    fn member(snap: &mut Snapshot, id: &str, status: &str, french: bool) {
        snap.insert(
            RecordKind::Member,
            id,
            record(&[
                ("display_name", text(id)),
                ("status", text(status)),
                ("active_since", date("2025-06-01")),
                ("speaks_french", Value::Bool(french)),
            ]),
        );
    }

    fn mandate(snap: &mut Snapshot, id: &str, role: &str, holder: &str, extra: &[(&str, Value)]) {
        let mut r = record(&[
            ("role", text(role)),
            ("holder", text(holder)),
            ("start", date("2026-01-01")),
        ]);
        for (k, v) in extra {
            r.fields.insert((*k).to_owned(), v.clone());
        }
        snap.insert(RecordKind::Mandate, id, r);
    }

    /// Two associations whose states give, between them, every message `todo` has.
    fn snapshots() -> Vec<Snapshot> {
        // One: an accepted application without mentor, silent active members, three prefets
        // (none speaking French, one no longer active), one spokesperson not available and
        // ending soon, a single board seat held by a member who is not active, no assembly, a
        // coalition member that missed its meetings.
        let mut one = Snapshot::default();
        for (id, status) in [("p1", "active"), ("p2", "active"), ("p3", "member")] {
            member(&mut one, id, status, false);
            mandate(&mut one, &format!("m-{id}"), "prefet", id, &[]);
        }
        mandate(
            &mut one,
            "m-spoke",
            "spokesperson",
            "p1",
            &[
                ("available", Value::Bool(false)),
                ("end", date("2026-03-20")),
            ],
        );
        mandate(&mut one, "m-board", "board", "p3", &[]);
        one.insert(
            RecordKind::Application,
            "app",
            record(&[
                ("person", text("p3")),
                ("decision", text("accepted")),
                ("vote_on", date("2026-02-01")),
            ]),
        );
        one.insert(
            RecordKind::Partner,
            "org",
            record(&[("name", text("Org")), ("coalition_status", text("member"))]),
        );
        one.insert(
            RecordKind::Meeting,
            "meet",
            record(&[("title", text("Coalition")), ("date", date("2026-01-10"))]),
        );
        // Two: ten board seats, one prefet speaking French, an assembly six months ago.
        let mut two = Snapshot::default();
        for i in 0..10 {
            let id = format!("b{i}");
            member(&mut two, &id, "active", true);
            mandate(&mut two, &format!("m-{id}"), "board", &id, &[]);
        }
        mandate(&mut two, "m-prefet", "prefet", "b0", &[]);
        two.insert(
            RecordKind::Assembly,
            "ga",
            record(&[("title", text("AG")), ("date", date("2025-09-20"))]),
        );
        vec![one, two]
    }

    /// Every message `carnet_rules::todo` gives is recognised, each template is met, and the
    /// translated texts differ (an audit found D6 twice with the same words on *Aujourd'hui*:
    /// only the rule's summary was shown).
    #[test]
    fn every_todo_message_is_said_in_both_languages() {
        let i18n = I18n::load().expect("translations");
        let today = day("2026-03-14");
        let mut met = BTreeSet::new();
        for snap in snapshots() {
            let findings = carnet_rules::todo(&snap, today);
            for lang in Lang::ALL {
                let tr = Tr::new(&i18n, lang);
                let mut texts = BTreeSet::new();
                for f in &findings {
                    let (t, _) = matched(f).unwrap_or_else(|| panic!("unmatched: {f}"));
                    met.insert(t.key);
                    let s = said(tr, f, crate::pages::records::segment);
                    assert!(!s.text.contains('[') && !s.text.contains('{'), "{}", s.text);
                    if lang == Lang::Fr {
                        assert!(!s.text.contains("2026-"), "a French date: {}", s.text);
                    }
                    texts.insert((f.record.clone(), s.text));
                }
                assert_eq!(texts.len(), findings.len(), "two findings said alike");
            }
        }
        let all: BTreeSet<&str> = TEMPLATES.iter().map(|t| t.key).collect();
        let unmet: Vec<_> = all.difference(&met).collect();
        assert!(unmet.is_empty(), "templates no finding met: {unmet:?}");
    }

    #[test]
    fn figures_dates_and_links_are_given_to_the_translation() {
        let i18n = I18n::load().expect("translations");
        let fr = Tr::new(&i18n, Lang::Fr);
        let en = Tr::new(&i18n, Lang::En);
        let f = |rule, record: Option<&str>, message: &str| Finding {
            rule,
            severity: carnet_rules::Severity::Remind,
            kind: RecordKind::Mandate,
            record: record.map(str::to_owned),
            message: message.to_owned(),
            due: None,
        };
        let seg = crate::pages::records::segment;
        let ends = f(
            RuleId::D3,
            Some("abc"),
            "spokesperson mandate ends on 2026-04-01 (D3): renew it or choose a successor, at a \
             general assembly where needed",
        );
        let s = said(fr, &ends, seg);
        assert!(
            s.text.contains("01/04/2026") && s.text.contains("Porte-parole"),
            "{s:?}"
        );
        assert_eq!(s.act.map(|a| a.0).as_deref(), Some("/mandates/abc/edit"));
        let few = f(
            RuleId::D6,
            None,
            "1 current board seat (D6): the board has 7 to 9; elect the missing members at the \
             general assembly",
        );
        let s = said(en, &few, seg);
        assert!(s.text.starts_with("1 current board seat:"), "{s:?}");
        assert_eq!(s.act.map(|a| a.0).as_deref(), Some("/mandates/new"));
        let s = said(fr, &few, seg);
        assert!(s.text.starts_with("1 siège au conseil pourvu"), "{s:?}");
        let unknown = f(RuleId::D6, None, "words no template has");
        assert_eq!(said(fr, &unknown, seg).text, fr.t("rule-D6"));
        assert_eq!(captures("a {x} b", "a 12 b"), Some(vec![("_", "12")]));
        assert_eq!(captures("a {n} b", "a  b"), None);
        assert_eq!(captures("a {n}", "a 3"), Some(vec![("n", "3")]));
    }
}
