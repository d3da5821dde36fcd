//! Errors of the web interface. None carries a field value: what a person typed stays in the
//! form it was typed in.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

/// Why a request was not served.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// The `Host` header is not this interface's loopback address (DNS rebinding).
    #[error("foreign Host header")]
    ForeignHost,
    /// A form came from another origin, or without the session's CSRF token.
    #[error("cross-site or tokenless form refused")]
    CrossSite,
    /// The session is locked: the passphrase page.
    #[error("locked")]
    Locked,
    /// No such record, or not one this device holds.
    #[error("not found")]
    NotFound,
    /// The form could not be read.
    #[error("unreadable form")]
    BadForm,
    /// Reading from the device failed.
    #[error(transparent)]
    Read(#[from] carnet_device::ReadError),
    /// Writing to the device failed where a page only reads (noting a read in the access
    /// log): the page is not shown.
    #[error(transparent)]
    Write(#[from] carnet_device::WriteError),
    /// The background task failed.
    #[error("internal task failed")]
    Task,
    /// A page could not be made.
    #[error("{0}")]
    Internal(&'static str),
}

/// The bilingual words of the error pages, from the translation files.
pub(crate) fn words(e: &WebError) -> &'static str {
    match e {
        WebError::ForeignHost | WebError::CrossSite => "error-refused",
        WebError::NotFound => "error-not-found",
        WebError::BadForm => "error-bad-form",
        _ => "error-internal",
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = match &self {
            WebError::Locked => return Redirect::to("/unlock").into_response(),
            WebError::ForeignHost => StatusCode::MISDIRECTED_REQUEST,
            WebError::CrossSite => StatusCode::FORBIDDEN,
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::BadForm => StatusCode::BAD_REQUEST,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        if status.is_server_error() {
            // The error names documents and operations, never a value.
            tracing::error!(error = %self, "request failed");
        }
        let body = crate::app::error_text(words(&self));
        (status, body).into_response()
    }
}
