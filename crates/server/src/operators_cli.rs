//! `playgate operator create|list|enable|disable|rotate-token|console-password|sign-out`:
//! the admin API's and the web console's operators, against the configured database (the
//! server may be running).

use clap::Subcommand;
use playgate_core::audit::{Actor, Audit, NewAuditEvent};
use playgate_core::console::Console;
use playgate_core::crypto::Secret;
use playgate_core::operators::{Operator, Operators, Role};
use serde::Serialize;

use crate::error::BoxError;

/// `playgate operator …`
#[derive(Debug, Subcommand)]
pub enum OperatorCommand {
    /// Make an operator and print its API token once (only its hash is stored).
    Create {
        /// Unique name (letters, digits, `. _ - @`).
        #[arg(long)]
        name: String,
        /// `admin` (reads and changes) or `viewer` (reads only).
        #[arg(long, default_value = "viewer")]
        role: String,
        /// Also let the operator sign in to the web console (`/console`) with a password,
        /// asked for on the terminal (twice) or read from stdin.
        #[arg(long)]
        console: bool,
        /// Read the console password from the first line of stdin (with `--console`).
        #[arg(long, requires = "console")]
        password_stdin: bool,
        /// Print a JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Set an operator's web console password (asked for, or read from stdin).
    ConsolePassword {
        /// The operator's name.
        name: String,
        /// Read the password from the first line of stdin.
        #[arg(long)]
        password_stdin: bool,
    },
    /// End every web console session of an operator ("sign out everywhere").
    SignOut {
        /// The operator's name.
        name: String,
    },
    /// List the operators (never their tokens).
    List {
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Refuse an operator's token from now on.
    Disable {
        /// The operator's name.
        name: String,
    },
    /// Accept an operator's token again.
    Enable {
        /// The operator's name.
        name: String,
    },
    /// Give an operator a new token (printed once); the old one stops working at once.
    RotateToken {
        /// The operator's name.
        name: String,
        /// Print a JSON object.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Serialize)]
struct OperatorJson<'a> {
    name: &'a str,
    role: &'a str,
    enabled: bool,
    created_at: i64,
    last_used_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<&'a str>,
}

fn json<'a>(op: &'a Operator, token: Option<&'a Secret>) -> OperatorJson<'a> {
    OperatorJson {
        name: &op.name,
        role: op.role.as_str(),
        enabled: op.enabled,
        created_at: op.created_at.0 / 1_000_000_000,
        last_used_at: op.last_used_at.map(|t| t.0 / 1_000_000_000),
        token: token.map(Secret::expose),
    }
}

fn print_token(op: &Operator, token: &Secret, as_json: bool) -> Result<(), BoxError> {
    if as_json {
        println!("{}", serde_json::to_string(&json(op, Some(token)))?);
    } else {
        println!("operator {} ({})", op.name, op.role.as_str());
        println!("token    {}   (shown once: store it now)", token.expose());
    }
    Ok(())
}

/// Records a change made from the command line in the audit log.
async fn record(audit: &Audit, action: &str, op: &Operator) -> Result<(), BoxError> {
    let event = NewAuditEvent::new(action, Actor::Cli)
        .subject(format!("operator:{}", op.name))
        .detail(serde_json::json!({"after": {"role": op.role.as_str(), "enabled": op.enabled}}));
    Ok(audit.record(event).await?)
}

/// Runs one `operator` subcommand; each change is recorded in the audit log (actor `cli`).
pub async fn operator_command(
    ops: &Operators,
    audit: &Audit,
    console: &Console,
    cmd: OperatorCommand,
) -> Result<(), BoxError> {
    match cmd {
        OperatorCommand::Create {
            name,
            role,
            console: false,
            json,
            ..
        } => {
            let (op, token) = ops.create(&name, Role::parse(&role)?).await?;
            record(audit, "operator.created", &op).await?;
            print_token(&op, &token, json)
        }
        OperatorCommand::Create {
            name,
            role,
            console: true,
            password_stdin,
            json,
        } => {
            let role = Role::parse(&role)?;
            let password = crate::accounts_cli::read_password(password_stdin)?;
            let (op, token) = console.create_operator(&name, role, &password).await?;
            record(audit, "operator.created", &op).await?;
            print_token(&op, &token, json)
        }
        OperatorCommand::ConsolePassword { name, password_stdin } => {
            let password = crate::accounts_cli::read_password(password_stdin)?;
            let op = console.set_password(&name, &password).await?;
            record(audit, "operator.console_password_set", &op).await?;
            println!("operator {}: console password set", op.name);
            Ok(())
        }
        OperatorCommand::SignOut { name } => {
            let op = ops
                .list()
                .await?
                .into_iter()
                .find(|o| o.name == name.trim())
                .ok_or(playgate_core::Error::NotFound(playgate_core::Entity::Operator))?;
            let n = console.sign_out_everywhere(op.id).await?;
            record(audit, "console.signed_out_everywhere", &op).await?;
            println!("operator {}: {n} console session(s) ended", op.name);
            Ok(())
        }
        OperatorCommand::List { json: as_json } => {
            let list = ops.list().await?;
            if as_json {
                let list: Vec<_> = list.iter().map(|o| json(o, None)).collect();
                println!("{}", serde_json::to_string(&list)?);
            } else {
                for o in &list {
                    let state = if o.enabled { "enabled" } else { "disabled" };
                    println!("{:<24} {:<7} {state}", o.name, o.role.as_str());
                }
            }
            Ok(())
        }
        OperatorCommand::Disable { name } => {
            let op = ops.set_enabled(&name, false).await?;
            record(audit, "operator.disabled", &op).await?;
            println!("operator {} disabled", op.name);
            Ok(())
        }
        OperatorCommand::Enable { name } => {
            let op = ops.set_enabled(&name, true).await?;
            record(audit, "operator.enabled", &op).await?;
            println!("operator {} enabled", op.name);
            Ok(())
        }
        OperatorCommand::RotateToken { name, json } => {
            let (op, token) = ops.rotate_token(&name).await?;
            record(audit, "operator.token_rotated", &op).await?;
            print_token(&op, &token, json)
        }
    }
}
