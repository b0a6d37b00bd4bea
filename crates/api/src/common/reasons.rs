//! For the dialects' error tests: one core error per reason, a response's parts, and each
//! reason's answer.

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

/// Each reason of [`every_reason`] with the status, `Content-Type` and body of `answer`'s
/// response to it: what a dialect's table test checks every reason against.
pub(crate) async fn every_answer(answer: impl Fn(Error) -> Response) -> Vec<(Error, (StatusCode, String, String))> {
    let mut all = Vec::new();
    // `Error` is not `Clone`: the reasons come twice, one to answer and one to check.
    for (e, again) in every_reason().into_iter().zip(every_reason()) {
        all.push((e, parts(answer(again)).await));
    }
    all
}

/// The body of a response as JSON (`null` when it is not JSON).
pub(crate) async fn json_body(resp: Response) -> serde_json::Value {
    let (_, _, body) = parts(resp).await;
    serde_json::from_str(&body).unwrap_or_default()
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
