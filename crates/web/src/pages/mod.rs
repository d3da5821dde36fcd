//! The pages: passphrase, today, records (members, projects, activities, signatures,
//! applications, mandates), history, reports, and the association's administration (devices and
//! invitations, sync, quarantine, erasure, import and export, settings).

pub(crate) mod admin;
pub(crate) mod devices;
pub(crate) mod erasure;
pub(crate) mod history;
pub(crate) mod records;
pub(crate) mod reports;
pub(crate) mod setup;
pub(crate) mod today;
pub(crate) mod transfer;
pub(crate) mod unlock;

use maud::Markup;

use crate::app::Unlocked;
use crate::layout::{Frame, Nav, page};

/// A page of an unlocked session.
pub(crate) fn frame(u: &Unlocked, title: String, nav: Nav, back: &str, body: Markup) -> Markup {
    page(
        &Frame {
            tr: u.tr(),
            title,
            nav,
            csrf: &u.info.session.csrf,
            unlocked: true,
            back,
            idle_secs: u.app.lock_after().as_secs(),
        },
        body,
    )
}
