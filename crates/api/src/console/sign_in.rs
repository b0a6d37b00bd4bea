//! Sign-in (password, then the TOTP code once enrolled), sign-out, "sign out
//! everywhere", and two-factor enrolment.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use playgate_core::audit::Actor;
use playgate_core::console::SignedIn;
use playgate_core::crypto::Secret;
use playgate_core::{Error, Unauthorized};
use serde::Deserialize;

use super::auth::{
    Client, Empty, PRE_COOKIE, Pending, Posted, SESSION_COOKIE, Signed, cookie, form_fields, new_pre_token, parse_form,
    record, set_cookie,
};
use super::error::{ConsoleError, redirect_with, status_and_message};
use super::pages::{self, Section};
use super::{chrome, html};
use crate::common::state::AppState;

/// `GET /console/sign-in`: the form, with a pre-session cookie for its token.
pub(super) async fn form(State(s): State<AppState>, req: Request) -> Response {
    let (mut parts, _) = req.into_parts();
    let from = Client::from_request_parts(&mut parts, &s)
        .await
        .unwrap_or_else(|e| match e {});
    let (pre, fresh) = match cookie(&parts, PRE_COOKIE) {
        Some(p) if p.starts_with("pre_") => (p, false),
        _ => (new_pre_token(), true),
    };
    let mut resp = html(pages::sign_in(&s.console.csrf_token(&pre), "", None)).into_response();
    if fresh {
        resp.headers_mut()
            .append(axum::http::header::SET_COOKIE, set_cookie(PRE_COOKIE, &pre, from.https));
    }
    resp
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub(super) struct SignInForm {
    name: String,
    password: String,
}

fn sign_in_again(s: &AppState, pre: &str, name: &str, status: StatusCode, message: &str) -> Response {
    (
        status,
        html(pages::sign_in(&s.console.csrf_token(pre), name, Some(message))),
    )
        .into_response()
}

/// `POST /console/sign-in`: name and password.
pub(super) async fn submit(State(s): State<AppState>, req: Request) -> Result<Response, ConsoleError> {
    let (mut parts, body) = req.into_parts();
    let from = Client::from_request_parts(&mut parts, &s)
        .await
        .unwrap_or_else(|e| match e {});
    let pre = cookie(&parts, PRE_COOKIE).filter(|p| p.starts_with("pre_"));
    let (fields, csrf) = form_fields(Request::from_parts(parts, body)).await?;
    let (Some(pre), Some(csrf)) = (pre, csrf) else {
        return Err(ConsoleError::BadCsrf);
    };
    if !s.console.csrf_matches(&pre, &csrf) {
        return Err(ConsoleError::BadCsrf);
    }
    let f: SignInForm = parse_form(fields)?;
    let password = Secret::new(f.password);
    let res = s
        .console
        .sign_in(&f.name, &password, from.ip, from.user_agent.as_deref())
        .await;
    let name = f.name.trim();
    let (who, signed) = match res {
        Ok(ok) => ok,
        Err(e) => {
            let (status, message) = match &e {
                Error::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "Wrong name or password.".to_owned()),
                other => status_and_message(other),
            };
            if matches!(e, Error::Unauthorized(_) | Error::RateLimited { .. }) {
                let reason = if matches!(e, Error::RateLimited { .. }) {
                    "locked_out"
                } else {
                    "password"
                };
                record(&s, Actor::Operator(name.to_owned()), &from, |ev| {
                    ev.action("console.sign_in_failed")
                        .subject(format!("operator:{name}"))
                        .detail(serde_json::json!({"reason": reason}))
                })
                .await;
            }
            if matches!(e, Error::Internal(_) | Error::Unavailable { .. }) {
                return Err(e.into());
            }
            return Ok(sign_in_again(&s, &pre, name, status, &message));
        }
    };
    let clear_pre = set_cookie(PRE_COOKIE, "", from.https);
    match signed {
        SignedIn::Complete(token) => {
            record(&s, Actor::Operator(who.name.clone()), &from, |ev| {
                ev.action("console.signed_in").subject(format!("operator:{}", who.name))
            })
            .await;
            Ok(redirect_with(
                "/console",
                &[set_cookie(SESSION_COOKIE, token.expose(), from.https), clear_pre],
            ))
        }
        SignedIn::AwaitsOtp(token) => Ok(redirect_with(
            "/console/sign-in/code",
            &[set_cookie(SESSION_COOKIE, token.expose(), from.https), clear_pre],
        )),
    }
}

/// `GET /console/sign-in/code`: the second step.
pub(super) async fn code_form(p: Pending) -> Response {
    html(pages::sign_in_code(&p.csrf, None)).into_response()
}

#[derive(Deserialize)]
pub(super) struct CodeForm {
    #[serde(default)]
    code: String,
}

/// `POST /console/sign-in/code`: the TOTP or a recovery code completes the sign-in.
pub(super) async fn code_submit(State(s): State<AppState>, req: Request) -> Result<Response, ConsoleError> {
    let (mut parts, body) = req.into_parts();
    let p = Pending::from_request_parts(&mut parts, &s).await?;
    let (fields, csrf) = form_fields(Request::from_parts(parts, body)).await?;
    if !csrf.is_some_and(|c| s.console.csrf_matches(&p.token, &c)) {
        return Err(ConsoleError::BadCsrf);
    }
    let f: CodeForm = parse_form(fields)?;
    match s
        .console
        .complete_otp(&p.token, &f.code, p.from.ip, p.from.user_agent.as_deref())
        .await
    {
        Ok((who, token)) => {
            record(&s, Actor::Operator(who.name.clone()), &p.from, |ev| {
                ev.action("console.signed_in")
                    .subject(format!("operator:{}", who.name))
                    .detail(serde_json::json!({"two_factor": true}))
            })
            .await;
            Ok(redirect_with(
                "/console",
                &[set_cookie(SESSION_COOKIE, token.expose(), p.from.https)],
            ))
        }
        Err(e @ (Error::Unauthorized(_) | Error::RateLimited { .. } | Error::Invalid { .. })) => {
            let (status, message) = match &e {
                Error::Unauthorized(Unauthorized::BadOtp) => (StatusCode::UNAUTHORIZED, "Wrong code.".to_owned()),
                other => status_and_message(other),
            };
            if !matches!(e, Error::Invalid { .. }) {
                let reason = if matches!(e, Error::RateLimited { .. }) {
                    "locked_out"
                } else {
                    "code"
                };
                let session = s.console.session(&p.token).await.ok().flatten();
                let name = session.map(|x| x.operator.name).unwrap_or_default();
                record(&s, Actor::Operator(name.clone()), &p.from, |ev| {
                    ev.action("console.sign_in_failed")
                        .subject(format!("operator:{name}"))
                        .detail(serde_json::json!({"reason": reason}))
                })
                .await;
            }
            Ok((status, html(pages::sign_in_code(&p.csrf, Some(&message)))).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /console/sign-out`: ends this session.
pub(super) async fn sign_out(State(s): State<AppState>, p: Posted<Empty>) -> Result<Response, ConsoleError> {
    s.console.sign_out(&p.by.token).await?;
    p.by.record(&s, |ev| {
        ev.action("console.signed_out")
            .subject(format!("operator:{}", p.by.name()))
    })
    .await;
    Ok(redirect_with(
        "/console/sign-in",
        &[set_cookie(SESSION_COOKIE, "", p.by.from.https)],
    ))
}

/// `POST /console/sign-out-everywhere`: ends every session of the operator.
pub(super) async fn sign_out_everywhere(State(s): State<AppState>, p: Posted<Empty>) -> Result<Response, ConsoleError> {
    let n = s.console.sign_out_everywhere(p.by.session.operator_id).await?;
    p.by.record(&s, |ev| {
        ev.action("console.signed_out_everywhere")
            .subject(format!("operator:{}", p.by.name()))
            .detail(serde_json::json!({"sessions": n}))
    })
    .await;
    Ok(redirect_with(
        "/console/sign-in",
        &[set_cookie(SESSION_COOKIE, "", p.by.from.https)],
    ))
}

/// The QR code of `data` as SVG (the same renderer as the i3D dialect's enrolment).
fn qr_svg(data: &str) -> Result<String, Error> {
    use qrcode::QrCode;
    use qrcode::render::svg;
    let code = QrCode::new(data.as_bytes()).map_err(Error::internal)?;
    Ok(code.render::<svg::Color<'_>>().min_dimensions(200, 200).build())
}

async fn enrolment_page(
    s: &AppState,
    by: &Signed,
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response, ConsoleError> {
    let pending = s.console.pending_totp(&by.session).await?;
    let qr = match &pending {
        Some(e) => Some((qr_svg(e.uri.expose())?, e.secret.expose().to_owned())),
        None => None,
    };
    let c = chrome(by, "Two-factor sign-in", Section::Me);
    let page = pages::two_factor(
        &c,
        qr.as_ref().map(|(svg, b32)| (svg.as_str(), b32.as_str())),
        error,
        None,
    );
    Ok((status, html(page)).into_response())
}

/// `GET /console/two-factor`: the enrolment page.
pub(super) async fn two_factor(State(s): State<AppState>, by: Signed) -> Result<Response, ConsoleError> {
    enrolment_page(&s, &by, None, StatusCode::OK).await
}

/// `POST /console/two-factor`: a new secret to scan.
pub(super) async fn two_factor_begin(State(s): State<AppState>, p: Posted<Empty>) -> Result<Response, ConsoleError> {
    s.console.begin_totp(&p.by.session).await?;
    Ok(redirect_with("/console/two-factor", &[]))
}

/// `POST /console/two-factor/enable`: a code of the new secret turns it on; the recovery
/// codes are shown once.
pub(super) async fn two_factor_enable(
    State(s): State<AppState>,
    p: Posted<CodeForm>,
) -> Result<Response, ConsoleError> {
    match s.console.enable_totp(&p.by.session, &p.form.code, p.by.from.ip).await {
        Ok(codes) => {
            p.by.record(&s, |ev| {
                ev.action("console.two_factor_enabled")
                    .subject(format!("operator:{}", p.by.name()))
            })
            .await;
            let codes: Vec<String> = codes.iter().map(|c| c.expose().to_owned()).collect();
            let mut by = p.by.clone();
            by.session.totp_enrolled = true;
            let c = chrome(&by, "Two-factor sign-in", Section::Me);
            Ok(html(pages::two_factor(&c, None, None, Some(&codes))).into_response())
        }
        Err(e @ (Error::Unauthorized(_) | Error::Invalid { .. } | Error::RateLimited { .. })) => {
            let (status, message) = match &e {
                Error::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "Wrong code.".to_owned()),
                other => status_and_message(other),
            };
            enrolment_page(&s, &p.by, Some(&message), status).await
        }
        Err(e) => Err(e.into()),
    }
}
