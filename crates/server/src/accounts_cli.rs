//! `playgate account create …` and `playgate apikey create …` (the i3D dialect's people
//! and credentials).

use std::io::{BufRead as _, IsTerminal as _};

use clap::Subcommand;
use playgate_core::account::{AccessLevel, AccountProfile, NewAccount, NewApiKey, parse_expiry};
use playgate_core::crypto::Secret;
use playgate_core::service::Playgate;
use serde::Serialize;

use crate::startup::BoxError;

/// `playgate account …`
#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Create a platform account (the password is asked on the terminal, or read from
    /// stdin with --password-stdin).
    Create {
        /// Login name.
        #[arg(long)]
        user_name: String,
        /// Email address.
        #[arg(long)]
        email: String,
        /// 0 guest, 10 regular, 20 management.
        #[arg(long, default_value_t = 10)]
        access_level: i64,
        /// Make it a trial account ending in N days.
        #[arg(long)]
        trial_days: Option<u32>,
        /// First name.
        #[arg(long, default_value = "")]
        first_name: String,
        /// Last name.
        #[arg(long, default_value = "")]
        last_name: String,
        /// Phone number (shown to linked games as linked_phone).
        #[arg(long, default_value = "")]
        phone: String,
        /// Mark the email address as validated.
        #[arg(long)]
        email_validated: bool,
        /// Read the password from the first line of stdin.
        #[arg(long)]
        password_stdin: bool,
        /// Print a JSON object.
        #[arg(long)]
        json: bool,
    },
}

/// `playgate apikey …`
#[derive(Debug, Subcommand)]
pub enum ApikeyCommand {
    /// Create an API key (the PRIVATE-TOKEN of the i3D dialect) and print it once.
    Create {
        /// A CIDR or address the key may be used from (repeatable; default anywhere).
        #[arg(long = "allow-ip")]
        allow_ip: Vec<String>,
        /// When it stops working: YYYY-MM-DD (start of that day, UTC) or RFC 3339.
        #[arg(long)]
        expires: Option<String>,
        /// Free text naming the key.
        #[arg(long, default_value = "")]
        label: String,
        /// Print a JSON object.
        #[arg(long)]
        json: bool,
    },
}

fn read_password(from_stdin: bool) -> Result<Secret, BoxError> {
    let line = if from_stdin || !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line
    } else {
        let first = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Password again: ")?;
        if first != again {
            return Err("the passwords differ".into());
        }
        first
    };
    Ok(Secret::new(line.trim_end_matches(['\r', '\n'])))
}

#[derive(Serialize)]
struct AccountJson<'a> {
    user_id: i64,
    public_id: &'a str,
    user_name: &'a str,
    email: &'a str,
    access_level: i64,
    wallet_address: &'a str,
    trial_expires_at: Option<i64>,
}

/// Runs `playgate account …`.
pub async fn account_command(core: &Playgate, cmd: AccountCommand) -> Result<(), BoxError> {
    let AccountCommand::Create {
        user_name,
        email,
        access_level,
        trial_days,
        first_name,
        last_name,
        phone,
        email_validated,
        password_stdin,
        json,
    } = cmd;
    let access_level = AccessLevel::parse(access_level)?;
    let password = read_password(password_stdin)?;
    let a = core
        .create_account(NewAccount {
            user_name,
            password,
            profile: AccountProfile {
                email,
                first_name,
                last_name,
                phone,
                ..AccountProfile::default()
            },
            access_level,
            trial_days,
            email_validated,
        })
        .await?;
    if json {
        let j = AccountJson {
            user_id: a.id.0,
            public_id: &a.public_id,
            user_name: &a.user_name,
            email: &a.profile.email,
            access_level: a.access_level.as_i64(),
            wallet_address: &a.wallet_address,
            trial_expires_at: a.trial_expires_at.map(|t| t.unix_secs()),
        };
        println!("{}", serde_json::to_string(&j)?);
    } else {
        println!("account {} \"{}\" created", a.id.0, a.user_name);
        println!("  public id (indigg_id): {}", a.public_id);
        println!("  wallet:                {}", a.wallet_address);
    }
    Ok(())
}

#[derive(Serialize)]
struct KeyJson<'a> {
    id: i64,
    key: &'a str,
    label: &'a str,
    allow_ips: Vec<String>,
    expires_at: Option<i64>,
}

/// Runs `playgate apikey …`.
pub async fn apikey_command(core: &Playgate, cmd: ApikeyCommand) -> Result<(), BoxError> {
    let ApikeyCommand::Create {
        allow_ip,
        expires,
        label,
        json,
    } = cmd;
    let expires_at = expires.map(|s| parse_expiry("expires", &s)).transpose()?;
    let (k, key) = core
        .create_api_key(NewApiKey {
            label,
            allow_ips: allow_ip,
            expires_at,
        })
        .await?;
    let allow_ips: Vec<String> = k.allowed.iter().map(ToString::to_string).collect();
    if json {
        let j = KeyJson {
            id: k.id.0,
            key: key.expose(),
            label: &k.label,
            allow_ips,
            expires_at: k.expires_at.map(|t| t.unix_secs()),
        };
        println!("{}", serde_json::to_string(&j)?);
    } else {
        println!("API key {} created", k.id.0);
        println!("  key:      {}   (shown once; only its hash is stored)", key.expose());
        if !allow_ips.is_empty() {
            println!("  allowed:  {}", allow_ips.join(", "));
        }
        if let Some(t) = k.expires_at {
            println!("  expires:  {} (unix seconds)", t.unix_secs());
        }
    }
    Ok(())
}
