//! `playgate account create|update|show|disable|enable|reset-2fa …` and `playgate apikey
//! create …` (the i3D dialect's people and credentials). Changes through the accounts
//! service (creating an account or an API key among them) are recorded in the audit log
//! under the actor `cli`.

use std::io::{BufRead as _, IsTerminal as _};

use clap::{Args, Subcommand};
use playgate_core::account::{
    AccessLevel, Account, AccountInfo, AccountProfile, AccountType, Language, NewAccount, NewApiKey, parse_expiry,
};
use playgate_core::accounts::{AccountPatch, Accounts};
use playgate_core::crypto::Secret;
use serde::Serialize;

use crate::error::BoxError;
use playgate_core::audit::{Actor, NewAuditEvent};

/// `playgate account …`
#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Show an account (never its password hash or secrets).
    Show {
        /// The account: its id or user name.
        account: String,
        /// Print a JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Disable an account: it cannot log in, and its logins end at once.
    Disable {
        /// The account: its id or user name.
        account: String,
        /// Do not ask for confirmation (needed when stdin is not a terminal).
        #[arg(long)]
        yes: bool,
        /// Print a JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Enable a disabled account again.
    Enable {
        /// The account: its id or user name.
        account: String,
        /// Print a JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Turn an account's 2FA off (its secret and recovery codes are deleted).
    #[command(name = "reset-2fa")]
    Reset2fa {
        /// The account: its id or user name.
        account: String,
        /// Do not ask for confirmation (needed when stdin is not a terminal).
        #[arg(long)]
        yes: bool,
        /// Print a JSON object.
        #[arg(long)]
        json: bool,
    },
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
        /// Mark the email address as validated.
        #[arg(long)]
        email_validated: bool,
        /// Names, address, language, billing ...
        #[command(flatten)]
        details: Box<DetailsArgs>,
        /// Read the password from the first line of stdin.
        #[arg(long)]
        password_stdin: bool,
        /// Print a JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Change an account's profile, details or billing details (the options given; the
    /// others stay as they are).
    Update {
        /// The account: its id or user name.
        #[arg(long)]
        user: String,
        /// Email address.
        #[arg(long)]
        email: Option<String>,
        /// Whether the email address is validated (true/false).
        #[arg(long)]
        email_validated: Option<bool>,
        /// Names, address, language, billing ...
        #[command(flatten)]
        details: Box<DetailsArgs>,
        /// Print a JSON object.
        #[arg(long)]
        json: bool,
    },
}

/// The profile, details and billing options of `account create` and `account update`.
/// An empty billing name, address part, phone or e-mail means "the account's own".
#[derive(Debug, Default, Args)]
pub struct DetailsArgs {
    /// First name.
    #[arg(long)]
    first_name: Option<String>,
    /// Last name.
    #[arg(long)]
    last_name: Option<String>,
    /// Gender, free text.
    #[arg(long)]
    gender: Option<String>,
    /// Phone number (shown to linked games as linked_phone).
    #[arg(long)]
    phone: Option<String>,
    /// Mobile phone number.
    #[arg(long)]
    phone_mobile: Option<String>,
    /// Company name (business accounts).
    #[arg(long)]
    company_name: Option<String>,
    /// 1 consumer, 2 business.
    #[arg(long)]
    account_type: Option<i64>,
    /// VAT number.
    #[arg(long)]
    vat_number: Option<String>,
    /// Chamber of Commerce number.
    #[arg(long)]
    coc_number: Option<String>,
    /// Street name.
    #[arg(long)]
    address: Option<String>,
    /// House number.
    #[arg(long)]
    street_number: Option<String>,
    /// ZIP or post code.
    #[arg(long)]
    zip_code: Option<String>,
    /// City.
    #[arg(long)]
    city: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    #[arg(long)]
    country_code: Option<String>,
    /// Where abuse reports go.
    #[arg(long)]
    abuse_email: Option<String>,
    /// Preferred language: 0 / en / english, or 1 / nl / dutch.
    #[arg(long)]
    language: Option<String>,
    /// Subscribed to the newsletter (true/false).
    #[arg(long)]
    newsletter: Option<bool>,
    /// Agreed to the terms and conditions (true/false).
    #[arg(long)]
    agree_toc: Option<bool>,
    /// Agreed to the acceptable use policy (true/false).
    #[arg(long)]
    agree_aup: Option<bool>,
    /// Agreed to the data processing agreement (true/false).
    #[arg(long)]
    agree_dpa: Option<bool>,
    /// Billing first name.
    #[arg(long)]
    billing_first_name: Option<String>,
    /// Billing last name.
    #[arg(long)]
    billing_last_name: Option<String>,
    /// Billing street name.
    #[arg(long)]
    billing_address: Option<String>,
    /// Billing house number.
    #[arg(long)]
    billing_street_number: Option<String>,
    /// Billing ZIP or post code.
    #[arg(long)]
    billing_zip_code: Option<String>,
    /// Billing city.
    #[arg(long)]
    billing_city: Option<String>,
    /// Billing country code.
    #[arg(long)]
    billing_country_code: Option<String>,
    /// Billing phone number.
    #[arg(long)]
    billing_phone: Option<String>,
    /// Billing mobile phone number.
    #[arg(long)]
    billing_phone_mobile: Option<String>,
    /// Where invoices go.
    #[arg(long)]
    billing_email: Option<String>,
    /// One invoice per category (true/false).
    #[arg(long)]
    bundle_invoices: Option<bool>,
    /// Payment confirmations by e-mail (true/false).
    #[arg(long)]
    payment_confirmations_by_email: Option<bool>,
    /// Preferred payment method (a number; 0 none chosen).
    #[arg(long)]
    preferred_payment_method: Option<i64>,
}

fn set<T>(target: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *target = v;
    }
}

impl DetailsArgs {
    /// Writes the options given into `info`.
    fn apply(self, info: &mut AccountInfo) -> playgate_core::Result<()> {
        let (p, d, b) = (&mut info.profile, &mut info.details, &mut info.billing);
        set(&mut p.first_name, self.first_name);
        set(&mut p.last_name, self.last_name);
        set(&mut p.gender, self.gender);
        set(&mut p.phone, self.phone);
        set(&mut p.company_name, self.company_name);
        set(
            &mut d.account_type,
            self.account_type.map(AccountType::parse).transpose()?,
        );
        set(&mut d.vat_number, self.vat_number);
        set(&mut d.coc_number, self.coc_number);
        set(&mut d.address.street, self.address);
        set(&mut d.address.street_number, self.street_number);
        set(&mut d.address.zip_code, self.zip_code);
        set(&mut d.address.city, self.city);
        set(&mut d.address.country_code, self.country_code);
        set(&mut d.phone_mobile, self.phone_mobile);
        set(&mut d.abuse_email, self.abuse_email);
        set(
            &mut d.language,
            self.language.map(|l| Language::parse_str(&l)).transpose()?,
        );
        set(&mut d.newsletter, self.newsletter.map(Some));
        set(&mut d.agreed_terms, self.agree_toc.map(Some));
        set(&mut d.agreed_aup, self.agree_aup.map(Some));
        set(&mut d.agreed_dpa, self.agree_dpa.map(Some));
        set(&mut b.first_name, self.billing_first_name);
        set(&mut b.last_name, self.billing_last_name);
        set(&mut b.address.street, self.billing_address);
        set(&mut b.address.street_number, self.billing_street_number);
        set(&mut b.address.zip_code, self.billing_zip_code);
        set(&mut b.address.city, self.billing_city);
        set(&mut b.address.country_code, self.billing_country_code);
        set(&mut b.phone, self.billing_phone);
        set(&mut b.phone_mobile, self.billing_phone_mobile);
        set(&mut b.email, self.billing_email);
        set(&mut b.bundle_invoices, self.bundle_invoices);
        set(
            &mut b.payment_confirmations_by_email,
            self.payment_confirmations_by_email,
        );
        set(&mut b.preferred_payment_method, self.preferred_payment_method);
        Ok(())
    }
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

/// Asks `question` on the terminal unless `yes`; refuses without a terminal and `--yes`.
pub fn confirm(yes: bool, question: &str) -> Result<(), BoxError> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err("refusing without confirmation: pass --yes".into());
    }
    eprint!("{question} [y/N] ");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    if matches!(line.trim(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        Err("cancelled".into())
    }
}

/// A password from the first line of stdin (`from_stdin`, or stdin not a terminal), or
/// typed twice at a prompt.
pub(crate) fn read_password(from_stdin: bool) -> Result<Secret, BoxError> {
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
    enabled: bool,
    totp_enabled: bool,
}

fn print_account(a: &Account, json: bool, verb: &str) -> Result<(), BoxError> {
    if json {
        let j = AccountJson {
            user_id: a.id.0,
            public_id: &a.public_id,
            user_name: &a.user_name,
            email: &a.profile.email,
            access_level: a.access_level.as_i64(),
            wallet_address: &a.wallet_address,
            trial_expires_at: a.trial_expires_at.map(|t| t.unix_secs()),
            enabled: a.enabled,
            totp_enabled: a.totp_enabled,
        };
        println!("{}", serde_json::to_string(&j)?);
    } else {
        println!("account {} \"{}\" {verb}", a.id.0, a.user_name);
        println!("  public id (indigg_id): {}", a.public_id);
        println!("  e-mail:                {}", a.profile.email);
        println!("  access level:          {}", a.access_level.as_i64());
        println!("  enabled:               {}", a.enabled);
        println!("  2FA:                   {}", if a.totp_enabled { "on" } else { "off" });
        println!("  wallet:                {}", a.wallet_address);
    }
    Ok(())
}

/// Runs `playgate account …`.
pub async fn account_command(accounts: &Accounts, cmd: AccountCommand) -> Result<(), BoxError> {
    match cmd {
        AccountCommand::Show { account, json } => print_account(&accounts.get(&account).await?, json, ""),
        AccountCommand::Disable { account, yes, json } => {
            let a = accounts.get(&account).await?;
            confirm(
                yes,
                &format!("Disable account {} \"{}\" and end its logins?", a.id.0, a.user_name),
            )?;
            let patch = AccountPatch {
                enabled: Some(false),
                ..AccountPatch::default()
            };
            print_account(
                &accounts.update(&account, patch, NewAuditEvent::by(Actor::Cli)).await?,
                json,
                "disabled",
            )
        }
        AccountCommand::Enable { account, json } => {
            let patch = AccountPatch {
                enabled: Some(true),
                ..AccountPatch::default()
            };
            print_account(
                &accounts.update(&account, patch, NewAuditEvent::by(Actor::Cli)).await?,
                json,
                "enabled",
            )
        }
        AccountCommand::Reset2fa { account, yes, json } => {
            let a = accounts.get(&account).await?;
            confirm(yes, &format!("Turn off 2FA of account {} \"{}\"?", a.id.0, a.user_name))?;
            print_account(
                &accounts.reset_totp(&account, NewAuditEvent::by(Actor::Cli)).await?,
                json,
                "2FA reset",
            )
        }
        AccountCommand::Create {
            user_name,
            email,
            access_level,
            trial_days,
            email_validated,
            details,
            password_stdin,
            json,
        } => {
            let access_level = AccessLevel::parse(access_level)?;
            let mut info = AccountInfo {
                profile: AccountProfile {
                    email,
                    ..AccountProfile::default()
                },
                email_validated,
                ..AccountInfo::default()
            };
            details.apply(&mut info)?;
            let password = read_password(password_stdin)?;
            let a = accounts
                .create(
                    NewAccount {
                        user_name,
                        password,
                        access_level,
                        trial_days,
                        info,
                    },
                    NewAuditEvent::by(Actor::Cli),
                )
                .await?;
            print_account(&a, json, "created")
        }
        AccountCommand::Update {
            user,
            email,
            email_validated,
            details,
            json,
        } => {
            let Some(a) = accounts.find(&user).await? else {
                return Err(format!("no account {user:?}").into());
            };
            let a = accounts
                .update_info(a.id, |info| {
                    set(&mut info.profile.email, email);
                    set(&mut info.email_validated, email_validated);
                    details.apply(info)
                })
                .await?;
            print_account(&a, json, "updated")
        }
    }
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
pub async fn apikey_command(accounts: &Accounts, cmd: ApikeyCommand) -> Result<(), BoxError> {
    let ApikeyCommand::Create {
        allow_ip,
        expires,
        label,
        json,
    } = cmd;
    let expires_at = expires.map(|s| parse_expiry("expires", &s)).transpose()?;
    let new = NewApiKey {
        label,
        allow_ips: allow_ip,
        expires_at,
    };
    let (k, key) = accounts.create_api_key(new, NewAuditEvent::by(Actor::Cli)).await?;
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
