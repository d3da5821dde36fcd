//! Column names to field names: French and English headers matched with case, accents and
//! punctuation folded, `--map COLUMN=FIELD` overriding, and the display-name template
//! (`"{Prénom} {Nom:initial}."`) that fills a display name from other columns.

use std::collections::BTreeMap;

use unicode_normalization::UnicodeNormalization;

/// Folds a text for comparison: decomposed, combining marks dropped, lowercase, every run of
/// other than letters and digits one space, trimmed ("Date d'adhésion" → "date d adhesion",
/// "Adébáyọ̀" → "adebayo").
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.nfd() {
        if ('\u{0300}'..='\u{036f}').contains(&c) {
            continue;
        }
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.extend(c.to_lowercase());
        } else {
            space = true;
        }
    }
    out
}

/// Headers people write, folded, and the field each one means.
const SYNONYMS: &[(&str, &str)] = &[
    ("prenom", "first_name"),
    ("prenoms", "first_name"),
    ("first name", "first_name"),
    ("given name", "first_name"),
    ("nom", "last_name"),
    ("nom de famille", "last_name"),
    ("last name", "last_name"),
    ("surname", "last_name"),
    ("family name", "last_name"),
    ("date de naissance", "date_of_birth"),
    ("ne e le", "date_of_birth"),
    ("nee le", "date_of_birth"),
    ("ne le", "date_of_birth"),
    ("naissance", "date_of_birth"),
    ("birth date", "date_of_birth"),
    ("date of birth", "date_of_birth"),
    ("birthday", "date_of_birth"),
    ("dob", "date_of_birth"),
    ("pseudonyme", "display_name"),
    ("pseudo", "display_name"),
    ("nom d usage", "display_name"),
    ("nom affiche", "display_name"),
    ("display name", "display_name"),
    ("nickname", "display_name"),
    ("telephone", "phone"),
    ("tel", "phone"),
    ("portable", "phone"),
    ("mobile", "phone"),
    ("phone", "phone"),
    ("phone number", "phone"),
    ("ville", "city"),
    ("commune", "city"),
    ("city", "city"),
    ("town", "city"),
    ("nationalite", "nationality"),
    ("nationality", "nationality"),
    ("adresse", "address"),
    ("adresse postale", "address"),
    ("address", "address"),
    ("membre depuis", "member_since"),
    ("date d adhesion", "member_since"),
    ("adhesion", "member_since"),
    ("adherent e depuis", "member_since"),
    ("adherente depuis", "member_since"),
    ("adherent depuis", "member_since"),
    ("member since", "member_since"),
    ("joined", "member_since"),
    ("statut", "status"),
    ("status", "status"),
    ("actif ve depuis", "active_since"),
    ("active depuis", "active_since"),
    ("actif depuis", "active_since"),
    ("active since", "active_since"),
    ("parle francais", "speaks_french"),
    ("francais", "speaks_french"),
    ("speaks french", "speaks_french"),
    ("groupes de travail", "working_groups"),
    ("groupes", "working_groups"),
    ("working groups", "working_groups"),
    ("date de sortie", "left_on"),
    ("parti e le", "left_on"),
    ("left on", "left_on"),
    ("dernier contact", "last_contact"),
    ("last contact", "last_contact"),
    ("situation administrative", "immigration_status"),
    ("titre de sejour", "immigration_status"),
    ("orientee par", "referring_organisation"),
    ("oriente e par", "referring_organisation"),
    ("structure orientatrice", "referring_organisation"),
    ("notes", "case_notes"),
    ("notes de suivi", "case_notes"),
    ("titre", "title"),
    ("intitule", "title"),
    ("date", "date"),
    ("type", "type"),
    ("theme", "topic"),
    ("sujet", "topic"),
    ("lieu", "venue"),
    ("projet", "project"),
    ("groupe", "group"),
    ("debut", "period_start"),
    ("fin", "period_end"),
    ("partenaires", "partners"),
    ("financeurs", "funders"),
];

/// The field a header names, among `fields` (the record kind's field names, and `id`): the
/// field's own name folded ("Date of birth", "date-of-birth"), then a French or English
/// synonym.
pub fn guess_field(header: &str, fields: &[&str]) -> Option<String> {
    let folded = fold(header);
    if folded.is_empty() {
        return None;
    }
    if folded == "id" || folded == "identifiant" {
        return Some("id".into());
    }
    if let Some(f) = fields.iter().find(|f| fold(f) == folded) {
        return Some((*f).to_owned());
    }
    SYNONYMS
        .iter()
        .find(|(h, f)| *h == folded && fields.contains(f))
        .map(|(_, f)| (*f).to_owned())
}

/// Why the columns cannot be matched to fields. Headers are named by their column number
/// only: in a file without a header row, the "header" is someone's data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MapError {
    /// A `--map` argument is not `COLUMN=FIELD`.
    #[error("--map expects COLUMN=FIELD (or COLUMN= to ignore a column)")]
    Syntax,
    /// A `--map` names a field the kind does not have.
    #[error("--map: this kind of record has no field `{field}`; accepted: id, {accepted}")]
    NoSuchField {
        /// The field named (a field name, typed on the command line, not a value).
        field: String,
        /// The kind's fields.
        accepted: String,
    },
    /// A column's header names no field.
    #[error(
        "column {column} of line {line} is not a known field (is the first line the column names?): map it with --map 'COLUMN=FIELD' or ignore it with --map 'COLUMN='; fields: id, {accepted}"
    )]
    UnknownColumn {
        /// The column, 1 for the first.
        column: usize,
        /// The header row's line.
        line: u64,
        /// The kind's fields.
        accepted: String,
    },
    /// Two columns fill the same field.
    #[error("columns {first} and {second} both fill `{field}`")]
    Twice {
        /// The first column.
        first: usize,
        /// The second column.
        second: usize,
        /// The field.
        field: String,
    },
}

/// Which field each column fills (`None`: ignored; the id column is `Some("id")`). `map` holds
/// `COLUMN=FIELD` overrides, columns compared folded; `ignore_unknown` leaves unmatched
/// columns out instead of refusing them; `extra_used` are folded headers used elsewhere (by
/// the display-name template): those are not refused either.
pub fn map_columns(
    headers: &[String],
    fields: &[&str],
    map: &[String],
    extra_used: &[String],
    header_line: u64,
) -> Result<Vec<Option<String>>, MapError> {
    let accepted = fields.join(", ");
    let mut overrides: BTreeMap<String, String> = BTreeMap::new();
    for m in map {
        let (col, field) = m.split_once('=').ok_or(MapError::Syntax)?;
        let field = field.trim();
        if !field.is_empty() && field != "id" && !fields.contains(&field) {
            return Err(MapError::NoSuchField {
                field: field.to_owned(),
                accepted,
            });
        }
        overrides.insert(fold(col), field.to_owned());
    }
    let mut out = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, h) in headers.iter().enumerate() {
        let folded = fold(h);
        let field = match overrides.get(&folded) {
            Some(f) if f.is_empty() => None,
            Some(f) => Some(f.clone()),
            None if folded.is_empty() => None,
            None => match guess_field(h, fields) {
                Some(f) => Some(f),
                None if extra_used.contains(&folded) => None,
                None => {
                    return Err(MapError::UnknownColumn {
                        column: i + 1,
                        line: header_line,
                        accepted,
                    });
                }
            },
        };
        if let Some(f) = &field
            && let Some(first) = seen.insert(f.clone(), i + 1)
        {
            return Err(MapError::Twice {
                first,
                second: i + 1,
                field: f.clone(),
            });
        }
        out.push(field);
    }
    Ok(out)
}

/// A display-name template: text with `{Column}` or `{Column:initial}` placeholders, or a
/// column's name alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameTemplate {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Column { index: usize, initial: bool },
}

/// Why a display-name template cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// A `{` without its `}`.
    #[error("--display-name: a `{{` has no closing `}}`")]
    Unclosed,
    /// A placeholder names no column of the header row.
    #[error("--display-name: placeholder {0} names no column of the first line")]
    NoSuchColumn(usize),
    /// A placeholder has a modifier other than `initial`.
    #[error("--display-name: placeholder {0} has an unknown modifier (only `:initial`)")]
    Modifier(usize),
}

impl NameTemplate {
    /// Parses `template` against the header row: `"Prénom"` (one column) or
    /// `"{Prénom} {Nom:initial}."`; columns compared folded.
    pub fn parse(template: &str, headers: &[String]) -> Result<NameTemplate, TemplateError> {
        let find = |name: &str, n: usize| {
            let f = fold(name);
            headers
                .iter()
                .position(|h| fold(h) == f)
                .ok_or(TemplateError::NoSuchColumn(n))
        };
        if !template.contains('{') {
            return Ok(NameTemplate {
                parts: vec![Part::Column {
                    index: find(template, 1)?,
                    initial: false,
                }],
            });
        }
        let mut parts = Vec::new();
        let mut rest = template;
        let mut n = 0;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_owned()));
            }
            let close = rest[open..].find('}').ok_or(TemplateError::Unclosed)? + open;
            n += 1;
            let inner = &rest[open + 1..close];
            let (name, modifier) = inner.rsplit_once(':').unwrap_or((inner, ""));
            let initial = match modifier.trim() {
                "" => false,
                "initial" | "initiale" => true,
                _ => return Err(TemplateError::Modifier(n)),
            };
            parts.push(Part::Column {
                index: find(name, n)?,
                initial,
            });
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_owned()));
        }
        Ok(NameTemplate { parts })
    }

    /// The folded headers of the columns the template reads.
    pub fn columns(&self, headers: &[String]) -> Vec<String> {
        self.parts
            .iter()
            .filter_map(|p| match p {
                Part::Column { index, .. } => headers.get(*index).map(|h| fold(h)),
                Part::Text(_) => None,
            })
            .collect()
    }

    /// The display name for a row; `None` when every column it reads is empty.
    pub fn render(&self, cells: &[String]) -> Option<String> {
        let mut out = String::new();
        let mut any = false;
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::Column { index, initial } => {
                    let cell = cells.get(*index).map_or("", |c| c.trim());
                    any |= !cell.is_empty();
                    if *initial {
                        // An initial is a whole grapheme as written: the letter and its marks.
                        let mut chars = cell.nfc();
                        if let Some(first) = chars.next() {
                            out.extend(first.to_uppercase());
                        }
                    } else {
                        out.push_str(cell);
                    }
                }
            }
        }
        any.then(|| out.split_whitespace().collect::<Vec<_>>().join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEMBER: &[&str] = &[
        "display_name",
        "status",
        "member_since",
        "first_name",
        "last_name",
        "date_of_birth",
        "phone",
        "city",
        "nationality",
        "address",
    ];

    fn h(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn french_and_english_headers_are_matched_folded() {
        for (header, field) in [
            ("Prénom", "first_name"),
            ("NOM", "last_name"),
            ("Date de naissance", "date_of_birth"),
            ("Pseudonyme", "display_name"),
            ("Nom d'usage", "display_name"),
            ("Nom d’usage", "display_name"),
            ("Téléphone", "phone"),
            ("Ville", "city"),
            ("Nationalité", "nationality"),
            ("Adresse", "address"),
            ("Membre depuis", "member_since"),
            ("Date d'adhésion", "member_since"),
            ("Statut", "status"),
            ("member-since", "member_since"),
            ("Date of birth", "date_of_birth"),
        ] {
            assert_eq!(
                guess_field(header, MEMBER).as_deref(),
                Some(field),
                "{header}"
            );
        }
        assert_eq!(fold("Adébáyọ̀  Ọláolúwa"), "adebayo olaoluwa");
    }

    #[test]
    fn map_overrides_and_unknown_columns_are_named_by_number() {
        let headers = h(&["Prénom", "Remarque", "Nom"]);
        let err = map_columns(&headers, MEMBER, &[], &[], 1).expect_err("unknown");
        assert!(matches!(err, MapError::UnknownColumn { column: 2, .. }));
        assert!(!err.to_string().contains("Remarque"));
        let cols = map_columns(&headers, MEMBER, &["remarque=".into()], &[], 1).expect("map");
        assert_eq!(
            cols,
            [Some("first_name".into()), None, Some("last_name".into())]
        );
        let err = map_columns(&h(&["Nom", "last_name"]), MEMBER, &[], &[], 1).expect_err("twice");
        assert_eq!(err.to_string(), "columns 1 and 2 both fill `last_name`");
    }

    #[test]
    fn display_name_templates() {
        let headers = h(&["Prénom", "Nom"]);
        let row = h(&["Adébáyọ̀", "ọláolúwa"]);
        let t = NameTemplate::parse("{Prénom} {Nom:initial}.", &headers).expect("template");
        assert_eq!(t.render(&row).as_deref(), Some("Adébáyọ̀ Ọ."));
        let t = NameTemplate::parse("prenom", &headers).expect("column");
        assert_eq!(t.render(&row).as_deref(), Some("Adébáyọ̀"));
        assert_eq!(t.render(&h(&["", "x"])), None);
        assert_eq!(
            NameTemplate::parse("{Âge}", &headers),
            Err(TemplateError::NoSuchColumn(1))
        );
    }
}
