//! For the dialects' error tests: one core error per reason, and a response's parts.

use axum::http::StatusCode;
use axum::response::Response;
use playgate_core::{Conflict, Entity, Error, Forbidden, Unauthorized};

/// One error for every reason of every kind, so a dialect's table test covers them all.
pub(crate) fn every_reason() -> Vec<Error> {
    let mut all = Vec::new();
    all.extend(Conflict::ALL.iter().map(|r| Error::Conflict(*r)));
    all.extend(Forbidden::ALL.iter().map(|r| Error::Forbidden(r.clone())));
    all.extend(Unauthorized::ALL.iter().map(|r| Error::Unauthorized(*r)));
    all.extend(Entity::ALL.iter().map(|r| Error::NotFound(*r)));
    all
}

/// The status, `Content-Type` and body of a response.
pub(crate) async fn parts(resp: Response) -> (StatusCode, String, String) {
    let status = resp.status();
    let ctype = resp
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap_or_default();
    (status, ctype, String::from_utf8_lossy(&bytes).into_owned())
}

/// The status each kind of reason has in every dialect but GameFuse (which answers a
/// conflict 422 and a disabled game 402).
pub(crate) fn usual_status(e: &Error) -> StatusCode {
    match e {
        Error::Conflict(_) => StatusCode::CONFLICT,
        Error::Forbidden(_) => StatusCode::FORBIDDEN,
        Error::Unauthorized(_) => StatusCode::UNAUTHORIZED,
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        other => panic!("not a reason: {other:?}"),
    }
}
