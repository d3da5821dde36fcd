//! Members, projects, activities (attendance ticked per person), and the signatures,
//! applications and mandates the association's rules need: list (members searched as you type
//! and filtered by status and group), show (one section per field class; the personal file in
//! its own marked section, absent where this device may not read it; on a member's page, her
//! signatures, applications and mandates), add and edit through the same checked write as the
//! command line (`Device::write_checked`, and `plan` for members).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use carnet_device::{Device, RecordView, RecordWrite};
use carnet_model::{FieldClass, FieldSpec, RecordKind, Value};
use carnet_replica::RecordId;
use maud::{Markup, html};
use serde::Deserialize;

use crate::app::{App, Posted, Unlocked, html};
use crate::error::WebError;
use crate::forms::{self, Choices, FormState, label_key, show_value};
use crate::i18n::Tr;
use crate::layout::Nav;
use crate::pages::frame;

/// The path segment of a kind's pages.
pub(crate) fn segment(kind: RecordKind) -> Option<&'static str> {
    match kind {
        RecordKind::Member => Some("members"),
        RecordKind::Project => Some("projects"),
        RecordKind::Activity => Some("activities"),
        RecordKind::Signature => Some("signatures"),
        RecordKind::Application => Some("applications"),
        RecordKind::Mandate => Some("mandates"),
        _ => None,
    }
}

/// The menu entry a kind's pages belong to (signatures and applications are a member's steps).
pub(crate) fn nav(kind: RecordKind) -> Nav {
    match kind {
        RecordKind::Member | RecordKind::Signature | RecordKind::Application => Nav::Members,
        RecordKind::Project => Nav::Projects,
        RecordKind::Mandate => Nav::Mandates,
        _ => Nav::Activities,
    }
}

/// The kinds shown on a member's page as her steps, with the field that names her.
const STEPS: [(RecordKind, &str); 3] = [
    (RecordKind::Signature, "person"),
    (RecordKind::Application, "person"),
    (RecordKind::Mandate, "holder"),
];

fn can_write(device: &Device, class: FieldClass) -> bool {
    device
        .registry()
        .is_some_and(|r| r.access(&device.id(), class).can_write())
}

/// The fields of `kind` this device may write, in schema order.
fn writable(device: &Device, kind: RecordKind) -> Vec<&'static FieldSpec> {
    kind.fields()
        .iter()
        .filter(|f| device.can_read(f.class) && can_write(device, f.class))
        .collect()
}

/// Labels of the records the fields of `kind` may name.
fn choices(device: &Device, kind: RecordKind) -> Result<Choices, WebError> {
    let mut out = Choices::new();
    for f in kind.fields() {
        if let carnet_model::FieldType::Ref(k) | carnet_model::FieldType::RefSet(k) = f.ty
            && !out.contains_key(&k)
        {
            let list = device
                .list_shared(k)?
                .into_iter()
                .map(|r| (r.id.to_string(), r.label()))
                .collect();
            out.insert(k, list);
        }
    }
    Ok(out)
}

/// The columns of a kind's list, the first one linked to the record.
fn columns(kind: RecordKind) -> &'static [&'static str] {
    match kind {
        RecordKind::Member => &["display_name", "status", "member_since", "working_groups"],
        RecordKind::Project => &["title", "period_start", "period_end"],
        RecordKind::Signature => &["person", "form", "signed_on"],
        RecordKind::Application => &["person", "decision", "vote_on"],
        RecordKind::Mandate => &["role", "holder", "start", "end"],
        _ => &["title", "type", "date", "project"],
    }
}

fn title_key(kind: RecordKind, what: &str) -> String {
    format!("{}-{what}", segment(kind).unwrap_or("members"))
}

/// The key of the link on a member's page that records one of her steps.
fn step_key(kind: RecordKind) -> String {
    format!("add-{}", kind.name())
}

/// Every key a kind's pages build from its name: titles, and the link adding a member's step.
#[cfg(test)]
pub(crate) fn page_keys(kind: RecordKind) -> Vec<String> {
    let mut keys = vec![];
    if segment(kind).is_some() {
        for what in ["title", "add", "edit", "one"] {
            keys.push(title_key(kind, what));
        }
    }
    if STEPS.iter().any(|(k, _)| *k == kind) {
        keys.push(step_key(kind));
    }
    keys
}

/// Filters of the member list (status and group are not personal; names are searched in the
/// page, or by `POST /members/search`, never in a URL).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListQuery {
    status: Option<String>,
    group: Option<String>,
}

fn list_page(
    u: &Unlocked,
    kind: RecordKind,
    device: &Device,
    q: &ListQuery,
    search: Option<&str>,
) -> Result<Markup, WebError> {
    let tr = u.tr();
    let seg = segment(kind).ok_or(WebError::NotFound)?;
    let all = device.list_shared(kind)?;
    let refs = choices(device, kind)?;
    let status = q.status.as_deref().filter(|s| !s.is_empty());
    let group = q.group.as_deref().filter(|s| !s.is_empty());
    let mut groups: Vec<String> = all
        .iter()
        .filter_map(|r| match r.fields.get("working_groups").map(|f| &f.value) {
            Some(Value::Set(s)) => Some(s.iter().cloned().collect::<Vec<_>>()),
            _ => None,
        })
        .flatten()
        .collect();
    groups.sort();
    groups.dedup();
    // Accents and case aside, as the page's script filters: "adebayo" finds "Adébáyọ̀".
    let folded = search.map(carnet_model::fold_unaccented);
    let rows: Vec<&RecordView> = all
        .iter()
        .filter(|r| {
            status.is_none_or(|s| {
                r.fields
                    .get("status")
                    .map(|f| f.value.to_string())
                    .as_deref()
                    == Some(s)
            })
        })
        .filter(|r| {
            group.is_none_or(|g| {
                matches!(r.fields.get("working_groups").map(|f| &f.value),
                Some(Value::Set(s)) if s.contains(g))
            })
        })
        .filter(|r| {
            folded
                .as_ref()
                .is_none_or(|f| carnet_model::fold_unaccented(&r.label()).contains(f.as_str()))
        })
        .collect();
    let columns = columns(kind);
    let may_add = !writable(device, kind).is_empty();
    let body = html! {
        (crate::pages::admin::flashed(u))
        @if may_add {
            p { a.button href=(format!("/{seg}/new")) id="add" { (tr.t(&title_key(kind, "add"))) } }
        }
        @if kind == RecordKind::Member {
            p.links {
                a href="/signatures" id="signatures" { (tr.t("signatures-title")) }
                " · "
                a href="/applications" id="applications" { (tr.t("applications-title")) }
            }
            form.filters method="get" action="/members" {
                div.field {
                    label for="status" { (tr.t("filter-status")) }
                    select id="status" name="status" {
                        option value="" { (tr.t("filter-all")) }
                        @for s in carnet_model::MEMBER_STATUSES {
                            option value=(s) selected[status == Some(*s)] { (tr.t(&forms::choice_key(kind, "status", s))) }
                        }
                    }
                }
                div.field {
                    label for="group" { (tr.t("filter-group")) }
                    select id="group" name="group" {
                        option value="" { (tr.t("filter-all")) }
                        @for g in &groups {
                            option value=(g) selected[group == Some(g.as_str())] { (g) }
                        }
                    }
                }
                button.secondary type="submit" id="filter" { (tr.t("filter-apply")) }
            }
            form.filters method="post" action="/members/search" role="search" {
                input type="hidden" name="csrf" value=(u.info.session.csrf);
                // The filters in force stay in force for the search.
                input type="hidden" name="status" value=(status.unwrap_or(""));
                input type="hidden" name="group" value=(group.unwrap_or(""));
                div.field {
                    label for="search" { (tr.t("search-label")) }
                    p.hint id="search-hint" { (tr.t("search-hint")) }
                    input type="search" id="search" name="q" value=(search.unwrap_or(""))
                        autocomplete="off" aria-describedby="search-hint" data-filter="records";
                }
                button.secondary type="submit" id="search-button" { (tr.t("search-button")) }
            }
        }
        // The script says the count in the language's plural form: the two forms, with `{n}`.
        @let one = tr.ta("records-count", &[("n", "1".to_owned())]).replacen('1', "{n}", 1);
        @let other = tr.ta("records-count", &[("n", "2".to_owned())]).replacen('2', "{n}", 1);
        p id="count" aria-live="polite" data-one=(one) data-other=(other) { (tr.ta("records-count", &[("n", rows.len().to_string())])) }
        @if rows.is_empty() {
            p { (tr.t("no-records")) }
        } @else {
            div.table-wrap {
                table id="records" {
                    thead { tr { @for c in columns { th scope="col" { (tr.t(&label_key(kind, c))) } } } }
                    tbody {
                        @for r in &rows {
                            tr {
                                @for (i, c) in columns.iter().enumerate() {
                                    @let v = r.fields.get(*c).and_then(|f| kind.field(c).map(|s| show_value(tr, kind, s, &f.value, &refs))).unwrap_or_default();
                                    @if i == 0 {
                                        th scope="row" { a href=(format!("/{seg}/{}", r.id)) { (if v.is_empty() { tr.t("unnamed") } else { v }) } }
                                    } @else {
                                        td { (v) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(frame(
        u,
        tr.t(&title_key(kind, "title")),
        nav(kind),
        &format!("/{seg}"),
        body,
    ))
}

/// `GET /members`, `/projects`, `/activities`.
pub(crate) async fn list(
    kind: RecordKind,
    u: Unlocked,
    q: ListQuery,
) -> Result<Response, WebError> {
    u.with_device(move |u, device| Ok(html(StatusCode::OK, list_page(u, kind, device, &q, None)?)))
        .await
}

/// `POST /members/search`: the list of members whose name holds the words typed, accents and
/// case aside, within the status and group filters in force (the words stay out of the URL).
pub(crate) async fn search(u: Unlocked, form: Posted) -> Result<Response, WebError> {
    let q = form.get("q").unwrap_or("").trim().to_owned();
    let filters = ListQuery {
        status: form.get("status").map(str::to_owned),
        group: form.get("group").map(str::to_owned),
    };
    u.with_device(move |u, device| {
        let page = list_page(u, RecordKind::Member, device, &filters, Some(&q))?;
        Ok(html(StatusCode::OK, page))
    })
    .await
}

fn parse_id(id: &str) -> Result<RecordId, WebError> {
    id.parse().map_err(|_| WebError::NotFound)
}

/// `GET /members/{id}`…
pub(crate) async fn show(kind: RecordKind, u: Unlocked, id: String) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let seg = segment(kind).ok_or(WebError::NotFound)?;
    u.with_device(move |u, device| show_of(u, device, kind, seg, id))
        .await
}

fn show_of(
    u: &Unlocked,
    device: &Device,
    kind: RecordKind,
    seg: &str,
    id: RecordId,
) -> Result<Response, WebError> {
    let tr = u.tr();
    let view = match device.show(kind, id) {
        Ok(v) => v,
        Err(
            carnet_device::ReadError::NotFound { .. } | carnet_device::ReadError::Erased { .. },
        ) => return Err(WebError::NotFound),
        Err(e) => return Err(e.into()),
    };
    // Who read a personal file: noted before the page shows it.
    device.note_view(&view, carnet_replica::AccessKind::Page)?;
    let refs = choices(device, kind)?;
    let classes: Vec<FieldClass> = kind
        .classes()
        .into_iter()
        .filter(|c| device.can_read(*c))
        .collect();
    let may_edit = !writable(device, kind).is_empty();
    let direction = crate::pages::admin::is_direction(device);
    let steps = match kind {
        RecordKind::Member => Some(steps_of(tr, device, id)?),
        _ => None,
    };
    let flash = u
        .app
        .sessions
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .take_flash(&u.info.id);
    let body = html! {
        div.saved role="status" {
            @if !flash.is_empty() {
                h2 { (tr.t("saved-with-warnings")) }
                ul { @for m in &flash { li { (m) } } }
            }
        }
        p.actions {
            @if may_edit { a.button href=(format!("/{seg}/{id}/edit")) id="edit" { (tr.t("edit")) } }
            a.button.secondary href=(format!("/history/{}/{id}", kind.name())) id="history" { (tr.t("history-link")) }
            @if direction { a.button.secondary href=(format!("/{seg}/{id}/delete")) id="delete" { (tr.t("delete")) } }
        }
        @for class in &classes {
            @let personal = *class == FieldClass::Per;
            section class=(if personal { "record-section personal" } else { "record-section" }) id=(format!("section-{}", class.code())) {
                h2 { (tr.t(&forms::class_key(*class))) }
                @if personal { p.notice { (tr.t("personal-notice")) } }
                dl {
                    @for spec in kind.fields().iter().filter(|f| f.class == *class) {
                        div.row {
                            dt { (tr.t(&label_key(kind, spec.name))) }
                            dd.long {
                                @match view.fields.get(spec.name) {
                                    Some(f) => (show_value(tr, kind, spec, &f.value, &refs)),
                                    None => span.none { (tr.t("not-given")) },
                                }
                            }
                        }
                    }
                }
            }
        }
        @if let Some(steps) = steps { (steps) }
    };
    let title = match view.label() {
        l if l.is_empty() => tr.t("unnamed"),
        l => match kind.field(kind.label_field()).map(|s| s.ty) {
            Some(carnet_model::FieldType::Ref(_)) => tr.t(&title_key(kind, "one")),
            _ => l,
        },
    };
    let page = frame(u, title, nav(kind), &format!("/{seg}/{id}"), body);
    Ok(html(StatusCode::OK, page))
}

/// A member's signatures, applications and mandates, each linked, with links to record new
/// ones where this device may.
fn steps_of(tr: Tr<'_>, device: &Device, member: RecordId) -> Result<Markup, WebError> {
    let who = member.to_string();
    let mut found: Vec<(RecordKind, RecordView, Choices)> = vec![];
    for (kind, field) in STEPS {
        let refs = choices(device, kind)?;
        for r in device.list_shared(kind)? {
            if matches!(r.fields.get(field).map(|f| &f.value), Some(Value::Text(t)) if *t == who) {
                found.push((kind, r, refs.clone()));
            }
        }
    }
    let addable: Vec<(RecordKind, &str)> = STEPS
        .into_iter()
        .filter(|(k, _)| !writable(device, *k).is_empty())
        .collect();
    Ok(html! {
        section.record-section id="steps" {
            h2 { (tr.t("member-steps")) }
            @if found.is_empty() {
                p { (tr.t("member-steps-none")) }
            } @else {
                ul {
                    @for (kind, r, refs) in &found {
                        @let seg = segment(*kind).unwrap_or("members");
                        @let parts: Vec<String> = columns(*kind).iter()
                            .filter(|c| STEPS.iter().all(|(k, f)| k != kind || f != *c))
                            .filter_map(|c| Some(show_value(tr, *kind, kind.field(c)?, &r.fields.get(*c)?.value, refs)))
                            .collect();
                        li {
                            a href=(format!("/{seg}/{}", r.id)) { (tr.t(&title_key(*kind, "one"))) }
                            @if !parts.is_empty() { " — " (parts.join(" · ")) }
                        }
                    }
                }
            }
            @if !addable.is_empty() {
                p.actions {
                    @for (kind, field) in &addable {
                        @let seg = segment(*kind).unwrap_or("members");
                        a.button.secondary id=(format!("add-{}", kind.name()))
                            href=(format!("/{seg}/new?{field}={member}")) { (tr.t(&step_key(*kind))) }
                    }
                }
            }
        }
    })
}

fn form_page(
    u: &Unlocked,
    kind: RecordKind,
    device: &Device,
    id: Option<RecordId>,
    form: &FormState,
) -> Result<Markup, WebError> {
    let tr = u.tr();
    let seg = segment(kind).ok_or(WebError::NotFound)?;
    let refs = choices(device, kind)?;
    let fields = writable(device, kind);
    let action = match id {
        Some(id) => format!("/{seg}/{id}/edit"),
        None => format!("/{seg}/new"),
    };
    let classes: Vec<FieldClass> = kind
        .classes()
        .into_iter()
        .filter(|c| fields.iter().any(|f| f.class == *c))
        .collect();
    let body = html! {
        (forms::summary(tr, form))
        form method="post" action=(action) novalidate {
            input type="hidden" name="csrf" value=(u.info.session.csrf);
            @for class in &classes {
                @let personal = *class == FieldClass::Per;
                fieldset class=(if personal { "record-section personal" } else { "record-section" }) id=(format!("section-{}", class.code())) {
                    legend { h2 { (tr.t(&forms::class_key(*class))) } }
                    @if personal { p.notice { (tr.t("personal-notice")) } }
                    @for spec in fields.iter().filter(|f| f.class == *class) {
                        @if kind == RecordKind::Activity && forms::ATTENDANCE.contains(&spec.name) {
                            @if spec.name == forms::ATTENDANCE[0] {
                                (forms::attendance(tr, form, &refs))
                            }
                        } @else {
                            (forms::input(tr, kind, spec, form, &refs))
                        }
                    }
                }
            }
            p.actions {
                button type="submit" id="save" { (tr.t("save")) }
                a.button.secondary href=(match id { Some(id) => format!("/{seg}/{id}"), None => format!("/{seg}") }) { (tr.t("cancel")) }
            }
        }
    };
    let title = match id {
        Some(_) => tr.t(&title_key(kind, "edit")),
        None => tr.t(&title_key(kind, "add")),
    };
    Ok(frame(u, title, nav(kind), &action, body))
}

/// `GET /members/new`, `GET /members/{id}/edit`…
///
/// A new record's form may be given the records it names (`/signatures/new?person=…`, from a
/// member's page): only reference fields, only record identifiers, which are not personal.
pub(crate) async fn edit_form(
    kind: RecordKind,
    u: Unlocked,
    id: Option<String>,
    prefill: BTreeMap<String, String>,
) -> Result<Response, WebError> {
    let id = id.map(|i| parse_id(&i)).transpose()?;
    u.with_device(move |u, device| edit_form_of(u, device, kind, id, prefill))
        .await
}

fn edit_form_of(
    u: &Unlocked,
    device: &Device,
    kind: RecordKind,
    id: Option<RecordId>,
    prefill: BTreeMap<String, String>,
) -> Result<Response, WebError> {
    let mut form = FormState::default();
    if kind == RecordKind::Member && id.is_none() {
        // Adding a member is joining, unless another status is chosen.
        form.values.insert("status".into(), vec!["member".into()]);
    }
    for (field, value) in prefill {
        let is_ref = matches!(
            kind.field(&field).map(|f| f.ty),
            Some(carnet_model::FieldType::Ref(_))
        );
        if id.is_none() && is_ref && value.parse::<RecordId>().is_ok() {
            form.values.insert(field, vec![value]);
        }
    }
    if let Some(id) = id {
        let view = device.show(kind, id).map_err(|_| WebError::NotFound)?;
        device.note_view(&view, carnet_replica::AccessKind::Page)?;
        form.values = forms::values_of(u.tr(), &view);
    }
    Ok(html(StatusCode::OK, form_page(u, kind, device, id, &form)?))
}

fn state_of(posted: &Posted) -> FormState {
    let mut values: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in &posted.fields {
        // Attendance comes as one choice per person (`att-<id>` = present, excused or absent)
        // and is kept as the activity's three lists.
        match k.strip_prefix(forms::ATTENDANCE_PREFIX) {
            Some(person) if forms::ATTENDANCE.contains(&v.as_str()) => {
                values.entry(v.clone()).or_default().push(person.to_owned());
            }
            Some(_) => {}
            None => values.entry(k.clone()).or_default().push(v.clone()),
        }
    }
    FormState {
        values,
        errors: vec![],
    }
}

/// The writes of a form: through `plan` for members, as one record otherwise.
fn writes(
    device: &Device,
    kind: RecordKind,
    id: Option<RecordId>,
    edits: Vec<carnet_model::FieldEdit>,
    now: chrono::DateTime<chrono::Utc>,
    tr: Tr<'_>,
) -> Result<(RecordId, Vec<RecordWrite>), forms::FieldErrors> {
    let plan_err = |e: crate::plan::PlanError| match e {
        crate::plan::PlanError::Edit(e) => vec![forms::edit_error(tr, kind, &e)],
        crate::plan::PlanError::Read(_) => vec![(None, tr.t("err-write"))],
    };
    match (kind, id) {
        (RecordKind::Member, None) => crate::plan::member_add(edits, None, now)
            .map_err(|e| vec![forms::edit_error(tr, kind, &e)]),
        (RecordKind::Member, Some(id)) => crate::plan::member_set(device, id, edits, None, now)
            .map(|w| (id, w))
            .map_err(plan_err),
        (_, id) => {
            let (rid, create) = match id {
                Some(id) => (id, false),
                None => (RecordId::random(), true),
            };
            Ok((
                rid,
                vec![RecordWrite {
                    kind,
                    id: rid,
                    edits,
                    create,
                }],
            ))
        }
    }
}

/// `POST /members/new`, `POST /members/{id}/edit`…: nothing is written unless every check
/// passes; otherwise the form comes back with the values typed and each refusal by its field.
pub(crate) async fn save(
    kind: RecordKind,
    u: Unlocked,
    id: Option<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    let id = id.map(|i| parse_id(&i)).transpose()?;
    let seg = segment(kind).ok_or(WebError::NotFound)?;
    let form = state_of(&posted);
    u.with_device(move |u, device| save_on(u, device, kind, seg, id, form))
        .await
}

fn save_on(
    u: &Unlocked,
    device: &mut Device,
    kind: RecordKind,
    seg: &str,
    id: Option<RecordId>,
    mut form: FormState,
) -> Result<Response, WebError> {
    let tr = u.tr();
    let now = u.app.now();
    let current: BTreeMap<String, Value> = match id {
        Some(id) => device
            .show(kind, id)
            .map_err(|_| WebError::NotFound)?
            .fields
            .into_iter()
            .map(|(k, s)| (k, s.value))
            .collect(),
        None => BTreeMap::new(),
    };
    let fields = writable(device, kind);
    let result = forms::edits(tr, kind, &fields, &form, &current).and_then(|edits| {
        if edits.is_empty() && id.is_some() {
            return Ok(None);
        }
        let (rid, writes) = writes(device, kind, id, edits, now, tr)?;
        device
            .write_checked(&writes, now)
            .map(|checked| {
                let warnings = checked
                    .warnings
                    .iter()
                    .map(|w| forms::rule_warning(tr, w.rule))
                    .collect();
                u.app
                    .sessions
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .flash(&u.info.id, warnings);
                Some(rid)
            })
            .map_err(|e| forms::write_error(tr, kind, &e))
    });
    match result {
        Ok(rid) => {
            let rid = rid.or(id).ok_or(WebError::Internal("no record"))?;
            Ok(Redirect::to(&format!("/{seg}/{rid}")).into_response())
        }
        Err(errors) => {
            form.errors = errors;
            let page = form_page(u, kind, device, id, &form)?;
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page))
        }
    }
}

/// `GET /members/{id}/delete`… (direction): deleting a record entered by mistake, or — for a
/// member entered twice — merging her into the record to keep; both after saying what they do.
pub(crate) async fn delete_page(
    kind: RecordKind,
    u: Unlocked,
    id: String,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let seg = segment(kind).ok_or(WebError::NotFound)?;
    u.with_device(move |u, device| delete_page_of(u, device, kind, seg, id))
        .await
}

fn delete_page_of(
    u: &Unlocked,
    device: &Device,
    kind: RecordKind,
    seg: &str,
    id: RecordId,
) -> Result<Response, WebError> {
    crate::pages::admin::direction(device)?;
    let tr = u.tr();
    let view = device.show(kind, id).map_err(|_| WebError::NotFound)?;
    let others: Vec<(String, String)> = match kind {
        RecordKind::Member => device
            .list_shared(kind)?
            .into_iter()
            .filter(|r| r.id != id)
            .map(|r| (r.id.to_string(), r.label()))
            .collect(),
        _ => vec![],
    };
    let csrf = &u.info.session.csrf;
    let body = html! {
        section.record-section id="delete-section" {
            h2 { (tr.t("delete")) }
            p { (tr.ta("delete-explain", &[("record", view.label())])) }
            form method="post" action=(format!("/{seg}/{id}/delete")) {
                input type="hidden" name="csrf" value=(csrf);
                p.actions {
                    button.danger type="submit" id="delete-confirm" { (tr.t("delete")) }
                    a.button.secondary href=(format!("/{seg}/{id}")) { (tr.t("cancel")) }
                }
            }
        }
        @if !others.is_empty() {
            section.record-section id="merge-section" {
                h2 { (tr.t("merge-title")) }
                p { (tr.ta("merge-explain", &[("record", view.label())])) }
                form method="post" action=(format!("/{seg}/{id}/merge")) {
                    input type="hidden" name="csrf" value=(csrf);
                    div.field {
                        label for="keep" { (tr.t("merge-keep")) }
                        select id="keep" name="keep" {
                            @for (oid, name) in &others { option value=(oid) { (name) } }
                        }
                    }
                    button.secondary type="submit" id="merge-confirm" { (tr.t("merge-button")) }
                }
            }
        }
    };
    Ok(html(
        StatusCode::OK,
        frame(
            u,
            tr.t("delete-title"),
            nav(kind),
            &format!("/{seg}/{id}/delete"),
            body,
        ),
    ))
}

/// `POST /members/{id}/delete`… (direction): a signed tombstone; the record leaves every list.
pub(crate) async fn delete(
    kind: RecordKind,
    u: Unlocked,
    id: String,
    _form: Posted,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let seg = segment(kind).ok_or(WebError::NotFound)?;
    let now = u.app.now();
    u.with_device(move |u, device| {
        crate::pages::admin::direction(device)?;
        let message = match device.delete(kind, id, now) {
            Ok(_) => u.tr().t("deleted"),
            Err(_) => u.tr().t("err-write"),
        };
        crate::pages::admin::flash(u, message);
        Ok(Redirect::to(&format!("/{seg}")).into_response())
    })
    .await
}

/// `POST /members/{id}/merge` (direction): this member, entered twice, becomes the one kept
/// (her records follow).
pub(crate) async fn merge(u: Unlocked, id: String, form: Posted) -> Result<Response, WebError> {
    let dup = parse_id(&id)?;
    let keep = parse_id(form.get("keep").unwrap_or(""))?;
    let now = u.app.now();
    u.with_device(move |u, device| {
        crate::pages::admin::direction(device)?;
        let message = match device.merge(keep, dup, now) {
            Ok(_) => u.tr().t("merged"),
            Err(_) => u.tr().t("err-write"),
        };
        crate::pages::admin::flash(u, message);
        Ok(Redirect::to(&format!("/members/{keep}")).into_response())
    })
    .await
}

/// The routes of one kind.
pub(crate) fn routes(kind: RecordKind) -> axum::Router<Arc<App>> {
    use axum::routing::get;
    let seg = segment(kind).unwrap_or("members");
    axum::Router::new()
        .route(
            &format!("/{seg}"),
            get(move |u: Unlocked, Query(q): Query<ListQuery>| list(kind, u, q)),
        )
        .route(
            &format!("/{seg}/new"),
            get(
                move |u: Unlocked, Query(q): Query<BTreeMap<String, String>>| {
                    edit_form(kind, u, None, q)
                },
            )
            .post(move |u: Unlocked, p: Posted| save(kind, u, None, p)),
        )
        .route(
            &format!("/{seg}/{{id}}"),
            get(move |u: Unlocked, Path(id): Path<String>| show(kind, u, id)),
        )
        .route(
            &format!("/{seg}/{{id}}/delete"),
            get(move |u: Unlocked, Path(id): Path<String>| delete_page(kind, u, id))
                .post(move |u: Unlocked, Path(id): Path<String>, p: Posted| delete(kind, u, id, p)),
        )
        .route(
            &format!("/{seg}/{{id}}/merge"),
            axum::routing::post(move |u: Unlocked, Path(id): Path<String>, p: Posted| {
                merge(u, id, p)
            }),
        )
        .route(
            &format!("/{seg}/{{id}}/edit"),
            get(move |u: Unlocked, Path(id): Path<String>| {
                edit_form(kind, u, Some(id), BTreeMap::new())
            })
            .post(move |u: Unlocked, Path(id): Path<String>, p: Posted| save(kind, u, Some(id), p)),
        )
}
