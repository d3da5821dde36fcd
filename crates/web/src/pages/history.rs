//! *Historique*: every change of a record, newest first — who made it (the holder of the
//! signing device), when, which fields, and whether its signature checks out.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use carnet_device::{Device, HistoryItem};
use carnet_model::RecordKind;
use carnet_replica::{HistoryEntry, RecordId};
use maud::{Markup, html};

use crate::app::{Unlocked, html};
use crate::error::WebError;
use crate::forms::label_key;
use crate::i18n::Tr;
use crate::pages::frame;
use crate::pages::records::segment;
use crate::pages::today::when;

fn fields(tr: Tr<'_>, kind: RecordKind, e: &HistoryEntry) -> String {
    e.fields
        .iter()
        .map(|f| match kind.field(f) {
            Some(_) => tr.t(&label_key(kind, f)),
            None => f.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn row(tr: Tr<'_>, kind: RecordKind, item: &HistoryItem) -> Markup {
    match item {
        HistoryItem::Verified { entry, holder, .. } => html! {
            tr {
                td { (when(tr, entry.time_ms)) }
                td { (holder) }
                td { (fields(tr, kind, entry)) }
                td { span.tag.ok { (tr.t("signature-verified")) } }
            }
        },
        HistoryItem::Rejected { entry, holder, .. } => html! {
            tr {
                td { (when(tr, entry.time_ms)) }
                td { (holder) }
                td { (fields(tr, kind, entry)) }
                td { span.tag.warn { (tr.t("signature-rejected")) } }
            }
        },
        HistoryItem::Unverified { .. } => html! {
            tr {
                td { "—" }
                td { "—" }
                td { "—" }
                td { span.tag.block { (tr.t("signature-unverified")) } }
            }
        },
    }
}

/// `GET /history/{kind}/{id}`.
pub(crate) async fn history(
    u: Unlocked,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let kind: RecordKind = kind.parse().map_err(|_| WebError::NotFound)?;
    let seg = segment(kind).ok_or(WebError::NotFound)?;
    let id: RecordId = id.parse().map_err(|_| WebError::NotFound)?;
    u.with_device(move |u, device| history_of(u, device, kind, seg, id))
        .await
}

fn history_of(
    u: &Unlocked,
    device: &Device,
    kind: RecordKind,
    seg: &str,
    id: RecordId,
) -> Result<Response, WebError> {
    let tr = u.tr();
    let view = device.show(kind, id).map_err(|_| WebError::NotFound)?;
    let items = device.history(kind, id)?;
    let name = match kind {
        RecordKind::Member | RecordKind::Project | RecordKind::Activity => view.label(),
        _ => String::new(),
    };
    let body = html! {
        p { a href=(format!("/{seg}/{id}")) { (tr.t("back-to-record")) } }
        div.table-wrap {
            table id="history-table" {
                caption { (name) }
                thead { tr {
                    th scope="col" { (tr.t("history-when")) }
                    th scope="col" { (tr.t("history-who")) }
                    th scope="col" { (tr.t("history-fields")) }
                    th scope="col" { (tr.t("history-signature")) }
                } }
                tbody { @for item in &items { (row(tr, kind, item)) } }
            }
        }
    };
    let page = frame(
        u,
        tr.t("history-title"),
        crate::pages::records::nav(kind),
        &format!("/history/{}/{id}", kind.name()),
        body,
    );
    Ok(html(StatusCode::OK, page))
}
