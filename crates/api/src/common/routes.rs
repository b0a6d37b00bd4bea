//! A router that remembers what was registered on it. axum cannot list its routes, and the
//! OpenAPI documents must name every one ([`crate::openapi`]): so every route of
//! [`crate::app`] is registered through [`Routes`], which records its method and path as it
//! hands the handler to axum. A test compares that list with the documents, and another
//! checks that no module builds an axum `Router` of its own (see `crate::openapi::tests`).

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodRouter, delete, get, patch, post, put};

use super::state::AppState;

/// One registered route: method and path template (`/api/v3/users/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Route {
    /// The HTTP method.
    pub method: Method,
    /// The path template as axum matches it.
    pub path: String,
}

/// An axum router and the list of what it serves.
#[derive(Default)]
pub struct Routes {
    router: Router<AppState>,
    list: Vec<Route>,
}

macro_rules! verb {
    ($(#[$doc:meta] $name:ident => $method:ident / $routing:ident),* $(,)?) => {$(
        #[$doc]
        pub fn $name<H, T>(self, path: &str, handler: H) -> Self
        where
            H: Handler<T, AppState>,
            T: 'static,
        {
            self.add(Method::$method, path, $routing(handler))
        }
    )*};
}

impl Routes {
    /// No routes.
    pub fn new() -> Self {
        Routes::default()
    }

    verb! {
        /// `GET path` served by `handler`.
        get => GET / get,
        /// `POST path` served by `handler`.
        post => POST / post,
        /// `PUT path` served by `handler`.
        put => PUT / put,
        /// `PATCH path` served by `handler`.
        patch => PATCH / patch,
        /// `DELETE path` served by `handler`.
        delete => DELETE / delete,
    }

    fn add(mut self, method: Method, path: &str, handler: MethodRouter<AppState>) -> Self {
        self.list.push(Route {
            method,
            path: path.to_owned(),
        });
        // axum merges the methods of one path registered in several calls.
        self.router = self.router.route(path, handler);
        self
    }

    /// `other`'s routes under `prefix`.
    pub fn nest(mut self, prefix: &str, other: Routes) -> Self {
        self.list.extend(other.list.into_iter().map(|r| Route {
            method: r.method,
            path: format!("{prefix}{}", r.path),
        }));
        self.router = self.router.nest(prefix, other.router);
        self
    }

    /// `other`'s routes beside these.
    pub fn merge(mut self, other: Routes) -> Self {
        self.list.extend(other.list);
        self.router = self.router.merge(other.router);
        self
    }

    /// A router built elsewhere (the `/metrics` exposition), with the routes it serves
    /// declared here, since they cannot be read from it.
    pub fn merge_declared(mut self, routes: &[(Method, &str)], other: Router<AppState>) -> Self {
        self.list.extend(routes.iter().map(|(method, path)| Route {
            method: method.clone(),
            path: (*path).to_owned(),
        }));
        self.router = self.router.merge(other);
        self
    }

    /// Applies layers, fallbacks and the like to the router (never more routes: the
    /// source check of `crate::openapi::tests` refuses `.route(` outside this file).
    pub fn map(mut self, f: impl FnOnce(Router<AppState>) -> Router<AppState>) -> Self {
        self.router = f(self.router);
        self
    }

    /// The routes registered, in order.
    pub fn list(&self) -> &[Route] {
        &self.list
    }

    /// The router and its list of routes.
    pub fn into_parts(self) -> (Router<AppState>, Vec<Route>) {
        (self.router, self.list)
    }
}
