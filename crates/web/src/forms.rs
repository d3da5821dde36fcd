//! Record forms built from the schema (`FieldSpec`): one labelled input with its hint per field
//! the device may write, grouped by field class (the personal file in its own section), values
//! read back into validated edits, and every refusal — a value that does not fit, a rule of the
//! association — turned into a message next to its field and in the summary at the top.

use std::collections::BTreeMap;

use carnet_device::{RecordView, WriteError};
use carnet_model::{
    EditError, EditOp, FieldEdit, FieldSpec, FieldType, RecordError, RecordKind, Value,
};
use carnet_rules::RuleId;
use chrono::NaiveDate;
use maud::{Markup, html};

use crate::i18n::Tr;
pub(crate) use crate::keys::{choice_key, class_key, hint_key, label_key};
use crate::keys::{invalid_key, rule_key};

/// Records other fields may name: per kind, each record's id and label.
pub(crate) type Choices = BTreeMap<RecordKind, Vec<(String, String)>>;

/// Messages by field (`None`: about the whole form).
pub(crate) type FieldErrors = Vec<(Option<&'static str>, String)>;

/// A form's values as typed (several for checkboxes) and its errors.
#[derive(Debug, Default, Clone)]
pub(crate) struct FormState {
    /// Values by field name.
    pub values: BTreeMap<String, Vec<String>>,
    /// Messages by field (`None`: about the whole form).
    pub errors: Vec<(Option<&'static str>, String)>,
}

impl FormState {
    fn first(&self, name: &str) -> &str {
        self.values
            .get(name)
            .and_then(|v| v.first())
            .map(String::as_str)
            .unwrap_or("")
    }

    fn error(&self, name: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == Some(name))
            .map(|(_, m)| m.as_str())
    }
}

/// A value as a person reads it in the page's language.
pub(crate) fn show_value(
    tr: Tr<'_>,
    kind: RecordKind,
    spec: &FieldSpec,
    v: &Value,
    refs: &Choices,
) -> String {
    let label_of = |k: RecordKind, id: &str| {
        refs.get(&k)
            .and_then(|l| l.iter().find(|(i, _)| i == id))
            .map(|(_, l)| l.clone())
            .unwrap_or_else(|| tr.t("unknown-record"))
    };
    match (spec.ty, v) {
        (_, Value::Date(d)) => tr.date(*d),
        (_, Value::Bool(b)) => tr.t(if *b { "yes" } else { "no" }),
        (FieldType::Choice(_), Value::Text(t)) => tr.t(&choice_key(kind, spec.name, t)),
        (FieldType::Ref(k), Value::Text(t)) => label_of(k, t),
        (FieldType::RefSet(k), Value::Set(s)) => s
            .iter()
            .map(|id| label_of(k, id))
            .collect::<Vec<_>>()
            .join(", "),
        (_, Value::Set(s)) => s.iter().cloned().collect::<Vec<_>>().join(", "),
        (_, Value::Text(t)) => t.clone(),
    }
}

/// A record's values as a form shows them for editing.
pub(crate) fn values_of(tr: Tr<'_>, view: &RecordView) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for (name, state) in &view.fields {
        let Some(spec) = view.kind.field(name) else {
            continue;
        };
        let v = match (&state.value, spec.ty) {
            (Value::Date(d), _) => vec![tr.date(*d)],
            (Value::Bool(b), _) => vec![if *b { "yes" } else { "no" }.to_owned()],
            (Value::Set(s), FieldType::RefSet(_)) => s.iter().cloned().collect(),
            (Value::Set(s), _) => vec![s.iter().cloned().collect::<Vec<_>>().join(", ")],
            (Value::Text(t), _) => vec![t.clone()],
        };
        out.insert(name.clone(), v);
    }
    out
}

/// A date typed as JJ/MM/AAAA (or AAAA-MM-JJ) in the form the model reads (AAAA-MM-JJ);
/// anything else is passed on for the model to refuse.
fn iso_date(typed: &str) -> String {
    let t = typed.trim();
    match NaiveDate::parse_from_str(t, "%d/%m/%Y") {
        Ok(d) => d.format("%Y-%m-%d").to_string(),
        Err(_) => t.to_owned(),
    }
}

/// The edits a posted form makes to a record whose current fields are `current` (empty when
/// creating): one per field of `fields` whose value changes. Refusals are per field.
pub(crate) fn edits(
    tr: Tr<'_>,
    kind: RecordKind,
    fields: &[&'static FieldSpec],
    form: &FormState,
    current: &BTreeMap<String, Value>,
) -> Result<Vec<FieldEdit>, FieldErrors> {
    let mut out = vec![];
    let mut errors = vec![];
    for spec in fields {
        let typed = match spec.ty {
            FieldType::RefSet(_) => form
                .values
                .get(spec.name)
                .map(|v| v.join(","))
                .unwrap_or_default(),
            FieldType::Date => iso_date(form.first(spec.name)),
            _ => form.first(spec.name).trim().to_owned(),
        };
        let creating = current.is_empty();
        if creating && typed.is_empty() {
            if spec.required {
                errors.push((Some(spec.name), required(tr, kind, spec.name)));
            }
            continue;
        }
        match spec.edit(None, &typed) {
            Ok(e) => {
                let same = match (&e.op, current.get(spec.name)) {
                    (EditOp::Set(v), Some(c)) => v == c,
                    (EditOp::Clear, None) => true,
                    _ => false,
                };
                if !same {
                    out.push(e);
                }
            }
            Err(e) => errors.push(edit_error(tr, kind, &e)),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn required(tr: Tr<'_>, kind: RecordKind, field: &str) -> String {
    tr.ta("err-required", &[("field", tr.t(&label_key(kind, field)))])
}

/// An edit's refusal, next to its field.
pub(crate) fn edit_error(
    tr: Tr<'_>,
    kind: RecordKind,
    e: &EditError,
) -> (Option<&'static str>, String) {
    match e {
        EditError::BadValue { field, .. } => {
            let ty = kind.field(field).map(|f| f.ty).unwrap_or(FieldType::Text);
            (
                Some(*field),
                tr.ta(invalid_key(ty), &[("field", tr.t(&label_key(kind, field)))]),
            )
        }
        EditError::Required { field } => (Some(*field), required(tr, kind, field)),
        _ => (None, tr.t("err-write")),
    }
}

/// A refused write, as messages next to the fields concerned: the rule named and said in plain
/// words.
pub(crate) fn write_error(
    tr: Tr<'_>,
    kind: RecordKind,
    e: &WriteError,
) -> Vec<(Option<&'static str>, String)> {
    let label = |f: &str| tr.t(&label_key(kind, f));
    match e {
        WriteError::Edit(e) => vec![edit_error(tr, kind, e)],
        WriteError::Record(RecordError::Missing { field, .. }) => {
            vec![(Some(*field), required(tr, kind, field))]
        }
        WriteError::Record(RecordError::Future { field }) => {
            vec![(
                Some(*field),
                tr.ta("err-future", &[("field", label(field))]),
            )]
        }
        WriteError::Record(RecordError::PeriodReversed { start, end }) => vec![(
            Some(*end),
            tr.ta(
                "err-period",
                &[("field", label(end)), ("start", label(start))],
            ),
        )],
        WriteError::Forbidden { field, .. } => {
            vec![(
                Some(*field),
                tr.ta("err-forbidden", &[("field", label(field))]),
            )]
        }
        WriteError::Rules { findings } => findings
            .iter()
            .map(|f| {
                let field = match (kind, f.rule) {
                    (
                        RecordKind::Member,
                        RuleId::M1 | RuleId::M5 | RuleId::M6 | RuleId::A1 | RuleId::A10,
                    ) => Some("status"),
                    (RecordKind::Mandate, RuleId::D1 | RuleId::D2 | RuleId::D6) => Some("holder"),
                    (RecordKind::Mandate, RuleId::D4) => Some("resigned_on"),
                    (RecordKind::Application, RuleId::A1) => Some("decision"),
                    (RecordKind::Application, RuleId::A2) => Some("mentor"),
                    _ => None,
                };
                (field, rule_message(tr, f.rule))
            })
            .fold(vec![], |mut out, m| {
                // One line per rule and field: a rule broken twice is said once.
                if !out.contains(&m) {
                    out.push(m);
                }
                out
            }),
        WriteError::Exists { .. } => vec![(None, tr.t("err-exists"))],
        _ => vec![(None, tr.t("err-write"))],
    }
}

/// A rule named and said in plain words ("M6 : une personne exclue…").
pub(crate) fn rule_message(tr: Tr<'_>, rule: RuleId) -> String {
    tr.ta(
        "rule-refused",
        &[
            ("rule", rule.name().to_owned()),
            ("summary", tr.t(&rule_key(rule))),
        ],
    )
}

/// A rule's warning after a save that went ahead ("A8 : …").
pub(crate) fn rule_warning(tr: Tr<'_>, rule: RuleId) -> String {
    tr.ta(
        "rule-warning",
        &[
            ("rule", rule.name().to_owned()),
            ("summary", tr.t(&rule_key(rule))),
        ],
    )
}

/// The error summary at the top of a form (GOV.UK pattern), linking to each field.
pub(crate) fn summary(tr: Tr<'_>, form: &FormState) -> Markup {
    html! {
        @if !form.errors.is_empty() {
            div.error-summary role="alert" tabindex="-1" id="error-summary" {
                h2 { (tr.t("error-summary-title")) }
                ul {
                    @for (field, msg) in &form.errors {
                        li {
                            @match field {
                                Some(f) => a href=(format!("#f-{f}")) { (msg) },
                                None => (msg),
                            }
                        }
                    }
                }
            }
        }
    }
}

/// An activity's attendance lists, ticked one person at a time.
pub(crate) const ATTENDANCE: [&str; 3] = ["present", "excused", "absent"];

/// The form name of one person's attendance (`att-<record id>`).
pub(crate) const ATTENDANCE_PREFIX: &str = "att-";

/// An activity's attendance: for each member, not noted, present, excused or absent (one
/// radio group per person, so that nobody is in two lists).
pub(crate) fn attendance(tr: Tr<'_>, form: &FormState, refs: &Choices) -> Markup {
    let people = refs.get(&RecordKind::Member).cloned().unwrap_or_default();
    let state_of = |rid: &str| {
        ATTENDANCE
            .iter()
            .copied()
            .find(|l| {
                form.values
                    .get(*l)
                    .is_some_and(|v| v.iter().any(|x| x == rid))
            })
            .unwrap_or("")
    };
    let errors: Vec<&str> = ATTENDANCE.iter().filter_map(|f| form.error(f)).collect();
    html! {
        div class=(if errors.is_empty() { "field" } else { "field has-error" }) id="attendance" {
            h3 { (tr.t("attendance")) }
            p.hint id="attendance-hint" { (tr.t("attendance.hint")) }
            @for e in &errors { p.error-message { (e) } }
            @if people.is_empty() { p { (tr.t("no-records")) } }
            ul.attendance {
                @for (i, (rid, name)) in people.iter().enumerate() {
                    @let now = state_of(rid);
                    li {
                        fieldset.inline-choices {
                            legend { (name) }
                            @for (choice, key) in [("", "attendance-none"), ("present", "attendance-present"), ("excused", "attendance-excused"), ("absent", "attendance-absent")] {
                                @let cid = format!("att-{i}-{}", if choice.is_empty() { "none" } else { choice });
                                span.choice {
                                    input type="radio" id=(cid) name=(format!("{ATTENDANCE_PREFIX}{rid}")) value=(choice) checked[now == choice];
                                    label for=(cid) { (tr.t(key)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One field's label, hint, error and input.
pub(crate) fn input(
    tr: Tr<'_>,
    kind: RecordKind,
    spec: &FieldSpec,
    form: &FormState,
    refs: &Choices,
) -> Markup {
    let id = format!("f-{}", spec.name);
    let hint_id = format!("{id}-hint");
    let err_id = format!("{id}-error");
    let label = tr.t(&label_key(kind, spec.name));
    let hint = match spec.ty {
        FieldType::Date => format!("{} {}", tr.t(&hint_key(kind, spec.name)), tr.t("hint-date")),
        _ => tr.t(&hint_key(kind, spec.name)),
    };
    let error = form.error(spec.name);
    let described = match error {
        Some(_) => format!("{hint_id} {err_id}"),
        None => hint_id.clone(),
    };
    let value = form.first(spec.name);
    let group_class = if error.is_some() {
        "field has-error"
    } else {
        "field"
    };
    html! {
        div class=(group_class) {
            @if let FieldType::RefSet(target) = spec.ty {
                fieldset aria-describedby=(described) id=(id) {
                    legend { (label) @if spec.required { " " (tr.t("required-mark")) } }
                    p.hint id=(hint_id) { (hint) }
                    @if let Some(e) = error { p.error-message id=(err_id) { (e) } }
                    @let chosen = form.values.get(spec.name).cloned().unwrap_or_default();
                    @let options = refs.get(&target).cloned().unwrap_or_default();
                    @if options.is_empty() { p { (tr.t("no-records")) } }
                    ul.checks {
                        @for (i, (rid, rlabel)) in options.iter().enumerate() {
                            @let cid = format!("{id}-{i}");
                            li {
                                input type="checkbox" id=(cid) name=(spec.name) value=(rid)
                                    checked[chosen.contains(rid)];
                                label for=(cid) { (rlabel) }
                            }
                        }
                    }
                }
            } @else {
                label for=(id) { (label) @if spec.required { " " (tr.t("required-mark")) } }
                p.hint id=(hint_id) { (hint) }
                @if let Some(e) = error { p.error-message id=(err_id) { (e) } }
                @match spec.ty {
                    FieldType::LongText => {
                        textarea id=(id) name=(spec.name) rows="4" aria-describedby=(described) { (value) }
                    }
                    FieldType::Bool => {
                        select id=(id) name=(spec.name) aria-describedby=(described) {
                            option value="" selected[value.is_empty()] { (tr.t("not-said")) }
                            option value="yes" selected[value == "yes"] { (tr.t("yes")) }
                            option value="no" selected[value == "no"] { (tr.t("no")) }
                        }
                    }
                    FieldType::Choice(words) => {
                        select id=(id) name=(spec.name) aria-describedby=(described) {
                            @if !spec.required { option value="" selected[value.is_empty()] { (tr.t("not-said")) } }
                            @for w in words {
                                option value=(w) selected[value == *w] { (tr.t(&choice_key(kind, spec.name, w))) }
                            }
                        }
                    }
                    FieldType::Ref(target) => {
                        select id=(id) name=(spec.name) aria-describedby=(described) {
                            @if !spec.required { option value="" selected[value.is_empty()] { (tr.t("not-said")) } }
                            @for (rid, rlabel) in refs.get(&target).cloned().unwrap_or_default() {
                                option value=(rid) selected[value == rid] { (rlabel) }
                            }
                        }
                    }
                    FieldType::Date => {
                        input.date type="text" id=(id) name=(spec.name) value=(value)
                            inputmode="numeric" autocomplete="off" aria-describedby=(described);
                    }
                    FieldType::Count => {
                        input.short type="text" id=(id) name=(spec.name) value=(value)
                            inputmode="numeric" autocomplete="off" aria-describedby=(described);
                    }
                    _ => {
                        input type="text" id=(id) name=(spec.name) value=(value)
                            autocomplete="off" aria-describedby=(described);
                    }
                }
            }
        }
    }
}
