//! The translation keys the pages build at run time from names the model and the rules give
//! (record kinds, fields, choices, classes, roles, rules, accesses): built here only, so that
//! one test can walk every name and check that each key exists in both languages.

use carnet_model::{Access, FieldClass, FieldType, RecordKind, Role};
use carnet_rules::RuleId;

/// The key of a field's label (its hint is the attribute `.hint`).
pub(crate) fn label_key(kind: RecordKind, field: &str) -> String {
    format!("f-{kind}-{field}")
}

/// The key of a field's hint.
pub(crate) fn hint_key(kind: RecordKind, field: &str) -> String {
    format!("{}.hint", label_key(kind, field))
}

/// The key of a choice's words.
pub(crate) fn choice_key(kind: RecordKind, field: &str, value: &str) -> String {
    format!("c-{kind}-{field}-{value}")
}

/// The key of a class's section title.
pub(crate) fn class_key(class: FieldClass) -> String {
    format!("class-{}", class.code())
}

/// The key of a rule in one line ("M6" → `rule-M6`).
pub(crate) fn rule_key(rule: RuleId) -> String {
    format!("rule-{}", rule.name())
}

/// The key of a role's name.
pub(crate) fn role_key(role: Role) -> String {
    format!("role-{}", role.name())
}

/// The key of a record kind's name.
pub(crate) fn kind_key(kind: RecordKind) -> String {
    format!("kind-{}", kind.name())
}

/// The key of an access in the policy table's cells ("Lire").
pub(crate) fn access_short_key(access: Access) -> String {
    format!("access-short-{}", access.name())
}

/// The key of the message refusing a value that does not fit a field of type `ty`.
pub(crate) fn invalid_key(ty: FieldType) -> &'static str {
    match ty {
        FieldType::Date => "err-invalid-date",
        FieldType::Bool => "err-invalid-bool",
        FieldType::Choice(_) => "err-invalid-choice",
        FieldType::Count => "err-invalid-count",
        FieldType::Ref(_) | FieldType::RefSet(_) => "err-invalid-ref",
        FieldType::Set => "err-invalid-set",
        FieldType::Text | FieldType::LongText => "err-invalid-text",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{I18n, Lang};

    /// Every key a page may build from the model's and the rules' names. The import page
    /// offers every kind's fields and choices; an audit found eight kinds whose keys were in
    /// neither file, so that the page showed `[f-vote-held_on]`.
    fn built_keys() -> Vec<String> {
        let mut keys = vec![];
        for kind in RecordKind::ALL {
            keys.push(kind_key(kind));
            for spec in kind.fields() {
                keys.push(label_key(kind, spec.name));
                keys.push(hint_key(kind, spec.name));
                keys.push(invalid_key(spec.ty).to_owned());
                if let FieldType::Choice(words) = spec.ty {
                    for w in words {
                        keys.push(choice_key(kind, spec.name, w));
                    }
                }
            }
            keys.extend(crate::pages::records::page_keys(kind));
        }
        keys.extend(RuleId::ALL.iter().map(|r| rule_key(*r)));
        keys.extend(Role::ALL.iter().map(|r| role_key(*r)));
        keys.extend(FieldClass::ALL.iter().map(|c| class_key(*c)));
        keys.extend(
            [Access::None, Access::Read, Access::Write]
                .iter()
                .map(|a| access_short_key(*a)),
        );
        keys.extend(crate::pages::today::finding_keys());
        keys
    }

    #[test]
    fn every_key_built_from_a_name_exists_in_both_languages() {
        let i18n = I18n::load().expect("translations load");
        let keys = built_keys();
        assert!(keys.len() > 500, "{} keys", keys.len());
        let mut missing = vec![];
        for lang in Lang::ALL {
            for k in &keys {
                if !i18n.has(lang, k) {
                    missing.push(format!("{}: {k}", lang.code()));
                }
            }
        }
        assert!(missing.is_empty(), "missing translations: {missing:#?}");
    }

    /// Every key written as a literal in a page's code (`tr.t("…")`, `tr.ta("…", …)`, and the
    /// keys set beside their value in tables, `"…-…"` words that name a message) exists in both
    /// languages.
    #[test]
    fn every_literal_key_in_the_code_exists_in_both_languages() {
        let i18n = I18n::load().expect("translations load");
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = vec![];
        let mut dirs = vec![src];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(&d).expect("src dir") {
                let p = e.expect("entry").path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    files.push(p);
                }
            }
        }
        let mut missing = vec![];
        let mut found = 0;
        for f in files {
            let text = std::fs::read_to_string(&f).expect("source");
            for call in [".t(\"", ".ta(\""] {
                let mut rest = text.as_str();
                while let Some(i) = rest.find(call) {
                    rest = &rest[i + call.len()..];
                    let Some(end) = rest.find('"') else { break };
                    let key = &rest[..end];
                    let word =
                        |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c);
                    if key.is_empty() || !key.chars().all(word) {
                        continue;
                    }
                    found += 1;
                    for lang in Lang::ALL {
                        if !i18n.has(lang, key) {
                            missing.push(format!("{}: {key} ({})", lang.code(), f.display()));
                        }
                    }
                }
            }
        }
        assert!(found > 300, "{found} literal keys");
        assert!(missing.is_empty(), "missing translations: {missing:#?}");
    }
}
