//! Field values, and how they are read from what a person typed.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// Text as stored: Unicode NFC, so that "É" typed precomposed or as E plus a combining accent
/// is one and the same value.
pub fn normalize(s: &str) -> String {
    s.nfc().collect()
}

/// Text as compared when people look something up: NFC and lowercase.
pub fn fold(s: &str) -> String {
    normalize(s).to_lowercase()
}

/// Text as compared when a person's identity is matched however it was typed: compatibility
/// decomposition (NFKD) without its combining marks, lowercase — "Ìféọmá" and "IFEOMA" fold
/// to one word. Coarser than [`fold`]: for matching, never for display.
pub fn fold_unaccented(s: &str) -> String {
    s.nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase()
}

use crate::FieldType;

/// Longest accepted one-line text, in characters.
const MAX_TEXT: usize = 1_000;
/// Longest accepted multi-line text, in characters.
const MAX_LONG_TEXT: usize = 100_000;
/// Longest accepted label in a set, in characters.
const MAX_LABEL: usize = 200;

/// The value of one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Value {
    /// Text (one line or several, depending on the field).
    Text(String),
    /// A calendar date.
    Date(NaiveDate),
    /// Yes or no.
    Bool(bool),
    /// A set of labels.
    Set(BTreeSet<String>),
}

/// Why typed input is not a valid value; deliberately carries no part of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueProblem {
    /// Not of the field's type.
    WrongType,
    /// Longer than accepted.
    TooLong,
    /// Holds control characters (or line breaks in a one-line field).
    ControlCharacters,
    /// Empty where a value is needed.
    Empty,
}

impl ValueProblem {
    pub(crate) fn describe(self, ty: &FieldType) -> String {
        match self {
            ValueProblem::WrongType => format!("expected {}", ty.expected()),
            ValueProblem::TooLong => match ty {
                FieldType::LongText => format!("longer than {MAX_LONG_TEXT} characters"),
                FieldType::Set => format!("a label is longer than {MAX_LABEL} characters"),
                _ => format!("longer than {MAX_TEXT} characters"),
            },
            ValueProblem::ControlCharacters => match ty {
                FieldType::LongText => "holds control characters".into(),
                _ => "holds line breaks or control characters".into(),
            },
            ValueProblem::Empty => "a label is empty".into(),
        }
    }
}

fn has_controls(s: &str, allow_lines: bool) -> bool {
    s.chars()
        .any(|c| c.is_control() && !(allow_lines && (c == '\n' || c == '\t' || c == '\r')))
}

/// Reads a date written `YYYY-MM-DD`, between the years 1900 and 2200.
pub(crate) fn parse_date(s: &str) -> Option<NaiveDate> {
    let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()?;
    (1900..=2200).contains(&d.year()).then_some(d)
}

/// Whether `s` is a record id as stored: a UUID, lowercase and hyphenated.
pub(crate) fn is_record_id(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::try_parse(s).is_ok_and(|u| u.hyphenated().to_string() == s)
}

/// Whether `s` is a whole number of at most 9 digits.
fn is_count(s: &str) -> bool {
    !s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit())
}

impl Value {
    /// A count read back as a number (`None` for other values).
    pub fn as_count(&self) -> Option<u64> {
        match self {
            Value::Text(t) if is_count(t) => t.parse().ok(),
            _ => None,
        }
    }

    /// `Text("")` becomes `Text("0")` (a count typed as zeros only).
    fn or_zero(self) -> Value {
        match self {
            Value::Text(t) if t.is_empty() => Value::Text("0".into()),
            v => v,
        }
    }
}

/// Reads the labels of a set: comma-separated, trimmed, none empty.
pub(crate) fn parse_labels(s: &str) -> Result<BTreeSet<String>, ValueProblem> {
    let s = normalize(s);
    let mut out = BTreeSet::new();
    for label in s.split(',') {
        let label = label.trim();
        if label.is_empty() {
            return Err(ValueProblem::Empty);
        }
        if label.chars().count() > MAX_LABEL {
            return Err(ValueProblem::TooLong);
        }
        if has_controls(label, false) {
            return Err(ValueProblem::ControlCharacters);
        }
        out.insert(label.to_owned());
    }
    Ok(out)
}

impl Value {
    /// Reads typed input as a value of type `ty`.
    pub(crate) fn parse(ty: &FieldType, input: &str) -> Result<Value, ValueProblem> {
        let input = &normalize(input);
        match ty {
            FieldType::Text | FieldType::LongText => {
                let long = matches!(ty, FieldType::LongText);
                let text = if long { input } else { input.trim() };
                let max = if long { MAX_LONG_TEXT } else { MAX_TEXT };
                if text.chars().count() > max {
                    return Err(ValueProblem::TooLong);
                }
                if has_controls(text, long) {
                    return Err(ValueProblem::ControlCharacters);
                }
                Ok(Value::Text(text.to_owned()))
            }
            FieldType::Date => parse_date(input)
                .map(Value::Date)
                .ok_or(ValueProblem::WrongType),
            FieldType::Bool => match input.trim().to_lowercase().as_str() {
                "yes" | "y" | "true" | "1" | "oui" => Ok(Value::Bool(true)),
                "no" | "n" | "false" | "0" | "non" => Ok(Value::Bool(false)),
                _ => Err(ValueProblem::WrongType),
            },
            FieldType::Choice(words) => {
                let word = input.trim().to_lowercase();
                words
                    .iter()
                    .find(|w| **w == word)
                    .map(|w| Value::Text((*w).to_owned()))
                    .ok_or(ValueProblem::WrongType)
            }
            FieldType::Set => parse_labels(input).map(Value::Set),
            FieldType::RefSet(_) => {
                let ids = parse_labels(&input.to_lowercase())?;
                if ids.iter().all(|l| is_record_id(l)) {
                    Ok(Value::Set(ids))
                } else {
                    Err(ValueProblem::WrongType)
                }
            }
            FieldType::Count => {
                let t = input.trim();
                if is_count(t) {
                    Ok(Value::Text(t.trim_start_matches('0').to_owned()).or_zero())
                } else {
                    Err(ValueProblem::WrongType)
                }
            }
            FieldType::Ref(_) => {
                let t = input.trim().to_lowercase();
                if is_record_id(&t) {
                    Ok(Value::Text(t))
                } else {
                    Err(ValueProblem::WrongType)
                }
            }
        }
    }

    /// Whether this value fits a field of type `ty` (used on values read back from documents
    /// written by other devices, which may run other versions).
    pub fn fits(&self, ty: &FieldType) -> bool {
        match (self, ty) {
            (Value::Text(_), FieldType::Text | FieldType::LongText) => true,
            (Value::Text(t), FieldType::Choice(words)) => words.contains(&t.as_str()),
            (Value::Date(_), FieldType::Date)
            | (Value::Bool(_), FieldType::Bool)
            | (Value::Set(_), FieldType::Set) => true,
            (Value::Set(s), FieldType::RefSet(_)) => s.iter().all(|l| is_record_id(l)),
            (Value::Text(t), FieldType::Count) => is_count(t),
            (Value::Text(t), FieldType::Ref(_)) => is_record_id(t),
            _ => false,
        }
    }

    /// The value as JSON: text and dates as strings, yes/no as booleans, sets as arrays.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Text(t) => serde_json::Value::String(t.clone()),
            Value::Date(d) => serde_json::Value::String(d.format("%Y-%m-%d").to_string()),
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Set(s) => s.iter().cloned().map(serde_json::Value::String).collect(),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Text(t) => f.write_str(t),
            Value::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            Value::Bool(b) => f.write_str(if *b { "yes" } else { "no" }),
            Value::Set(s) => {
                let items: Vec<&str> = s.iter().map(String::as_str).collect();
                f.write_str(&items.join(", "))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_checked() {
        assert!(parse_date("2024-02-29").is_some());
        assert!(parse_date("2023-02-29").is_none());
        assert!(parse_date("29/02/2024").is_none());
        assert!(parse_date("1700-01-01").is_none());
    }

    #[test]
    fn unaccented_folding_ignores_case_accents_and_how_they_were_typed() {
        let composed = "Adébáyọ̀ Ọlátúnjí";
        let decomposed: String = composed.nfd().collect();
        assert_eq!(fold_unaccented(composed), "adebayo olatunji");
        assert_eq!(fold_unaccented(&decomposed), "adebayo olatunji");
        assert_eq!(fold_unaccented("ÉLODIE"), fold_unaccented("elodie"));
        assert_eq!(fold_unaccented("欢迎"), "欢迎");
    }

    #[test]
    fn text_keeps_accents_and_other_scripts() {
        let v = Value::parse(&FieldType::Text, " Adébáyọ̀ Ọlátúnjí 欢迎 ");
        assert_eq!(v, Ok(Value::Text("Adébáyọ̀ Ọlátúnjí 欢迎".into())));
        assert_eq!(
            Value::parse(&FieldType::Text, "a\nb"),
            Err(ValueProblem::ControlCharacters)
        );
        assert!(Value::parse(&FieldType::LongText, "a\nb").is_ok());
    }

    #[test]
    fn sets_split_on_commas() {
        let v = Value::parse(&FieldType::Set, "media, advocacy,media");
        let want: BTreeSet<String> = ["advocacy".to_string(), "media".to_string()].into();
        assert_eq!(v, Ok(Value::Set(want)));
        assert_eq!(
            Value::parse(&FieldType::Set, "a,,b"),
            Err(ValueProblem::Empty)
        );
    }

    #[test]
    fn values_fit_their_types() {
        let choice = FieldType::Choice(&["a", "b"]);
        assert!(Value::Text("a".into()).fits(&choice));
        assert!(!Value::Text("c".into()).fits(&choice));
        assert!(!Value::Bool(true).fits(&FieldType::Text));
    }
}
