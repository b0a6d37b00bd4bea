//! Accounts: a person on the platform itself, across games (the i3D dialect's user), with a
//! password (argon2id), optional TOTP 2FA and a custodial wallet of its own. Also the
//! types of the API keys accounts log in through and of their logins.

use std::time::Duration;

use ipnet::IpNet;

use crate::clock::Timestamp;
use crate::crypto::{Secret, SecretHash};
use crate::ids::SessionId;
use crate::password::{MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS};
use crate::session::SessionState;
use crate::{Error, Result, wallet};

mod service;

pub(crate) use service::AccountTools;

/// An account's numeric id (`userId`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(pub i64);

/// An API key's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ApiKeyId(pub i64);

/// `accessLevel`: 0 guest, 10 regular, 20 management.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessLevel {
    /// 0.
    Guest,
    /// 10.
    Regular,
    /// 20: game hosting management.
    Management,
}

impl AccessLevel {
    /// The number on the wire and at rest.
    pub fn as_i64(self) -> i64 {
        match self {
            AccessLevel::Guest => 0,
            AccessLevel::Regular => 10,
            AccessLevel::Management => 20,
        }
    }

    /// Parses 0, 10 or 20.
    pub fn parse(n: i64) -> Result<Self> {
        match n {
            0 => Ok(AccessLevel::Guest),
            10 => Ok(AccessLevel::Regular),
            20 => Ok(AccessLevel::Management),
            _ => Err(Error::invalid("accessLevel", "must be 0, 10 or 20")),
        }
    }
}

/// The profile part of an account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountProfile {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub gender: String,
    pub phone: String,
    pub company_name: String,
}

/// Whose account it is: a consumer's (1, the default) or a business's (2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AccountType {
    /// 1.
    #[default]
    Consumer,
    /// 2.
    Business,
}

impl AccountType {
    /// The number on the wire and at rest.
    pub fn as_i64(self) -> i64 {
        match self {
            AccountType::Consumer => 1,
            AccountType::Business => 2,
        }
    }

    /// Parses 1 or 2.
    pub fn parse(n: i64) -> Result<Self> {
        match n {
            1 => Ok(AccountType::Consumer),
            2 => Ok(AccountType::Business),
            _ => Err(Error::invalid("accountType", "must be 1 (consumer) or 2 (business)")),
        }
    }
}

/// The account holder's preferred language: English (0, the default) or Dutch (1), the
/// two the platform's mails and documents come in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Language {
    /// 0.
    #[default]
    English,
    /// 1.
    Dutch,
}

impl Language {
    /// The number on the wire and at rest.
    pub fn as_i64(self) -> i64 {
        match self {
            Language::English => 0,
            Language::Dutch => 1,
        }
    }

    /// Parses 0 or 1.
    pub fn parse(n: i64) -> Result<Self> {
        match n {
            0 => Ok(Language::English),
            1 => Ok(Language::Dutch),
            _ => Err(Error::invalid("language", "must be 0 (English) or 1 (Dutch)")),
        }
    }

    /// Parses a language's number or its name or code (`"1"`, `"nl"`, `"Dutch"` ...).
    pub fn parse_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "0" | "en" | "eng" | "english" => Ok(Language::English),
            "1" | "nl" | "nld" | "dut" | "dutch" | "nederlands" => Ok(Language::Dutch),
            _ => Err(Error::invalid("language", "must be 0 (English) or 1 (Dutch)")),
        }
    }
}

/// A postal address; an empty part is unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PostalAddress {
    /// Street name.
    pub street: String,
    /// House number (with any suffix).
    pub street_number: String,
    /// ZIP or post code.
    pub zip_code: String,
    /// City.
    pub city: String,
    /// ISO 3166-1 alpha-2, upper case.
    pub country_code: String,
}

/// What an account holder tells about themselves beyond the profile: address, business
/// registration, contacts, language and agreements. An empty string is unknown; `None`
/// is "not asked yet".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountDetails {
    /// Consumer or business.
    pub account_type: AccountType,
    /// VAT number (businesses).
    pub vat_number: String,
    /// Chamber of Commerce number (Dutch businesses).
    pub coc_number: String,
    /// The holder's address.
    pub address: PostalAddress,
    /// Mobile phone number (the profile's `phone` is the landline or only number).
    pub phone_mobile: String,
    /// Where abuse reports go.
    pub abuse_email: String,
    /// Preferred language.
    pub language: Language,
    /// Subscribed to the newsletter.
    pub newsletter: Option<bool>,
    /// Agreed to the terms and conditions.
    pub agreed_terms: Option<bool>,
    /// Agreed to the acceptable use policy.
    pub agreed_aup: Option<bool>,
    /// Agreed to the data processing agreement.
    pub agreed_dpa: Option<bool>,
}

/// Where and how the account is billed. Empty names, address parts, phones and e-mail
/// fall back to the account's own (see [`Account::effective_billing`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BillingDetails {
    /// Billing first name.
    pub first_name: String,
    /// Billing last name.
    pub last_name: String,
    /// Billing address.
    pub address: PostalAddress,
    /// Billing phone number.
    pub phone: String,
    /// Billing mobile phone number.
    pub phone_mobile: String,
    /// Where invoices go.
    pub email: String,
    /// One invoice for the charges of one category.
    pub bundle_invoices: bool,
    /// Payment confirmations by e-mail.
    pub payment_confirmations_by_email: bool,
    /// Preferred payment method, as the billing system numbers them (0: none chosen).
    pub preferred_payment_method: i64,
}

/// The editable part of an account: who holds it, how to reach and bill them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountInfo {
    /// Profile; `email` is required.
    pub profile: AccountProfile,
    /// Whether the email address is confirmed.
    pub email_validated: bool,
    /// Details.
    pub details: AccountDetails,
    /// Billing.
    pub billing: BillingDetails,
}

/// An account as stored. Its `Debug` leaves out the password hash and TOTP secrets.
#[derive(Clone)]
pub struct Account {
    /// Numeric id (`userId`).
    pub id: AccountId,
    /// Public UUID, shown to games as `indigg_id`.
    pub public_id: String,
    /// Login name, as created.
    pub user_name: String,
    /// Profile.
    pub profile: AccountProfile,
    /// 0, 10 or 20.
    pub access_level: AccessLevel,
    /// Whether the email address is confirmed.
    pub email_validated: bool,
    /// Address, language, agreements ...
    pub details: AccountDetails,
    /// Billing.
    pub billing: BillingDetails,
    /// End of the trial, for a trial account.
    pub trial_expires_at: Option<Timestamp>,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Whether TOTP 2FA is on.
    pub totp_enabled: bool,
    /// The TOTP secret, sealed (context [`totp_context`]), when 2FA is on.
    pub totp_secret: Option<Vec<u8>>,
    /// A secret waiting for enrollment to be confirmed, sealed likewise.
    pub totp_pending: Option<Vec<u8>>,
    /// EIP-55 address of the account's custodial wallet (`indigg_wallet_address`).
    pub wallet_address: String,
    /// Creation time.
    pub created_at: Timestamp,
    /// A disabled account cannot log in.
    pub enabled: bool,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("id", &self.id)
            .field("public_id", &self.public_id)
            .field("user_name", &self.user_name)
            .field("access_level", &self.access_level)
            .field("totp_enabled", &self.totp_enabled)
            .finish_non_exhaustive()
    }
}

impl Account {
    /// The billing details with the account's own names, address, phones and e-mail in
    /// place of those not set for billing.
    pub fn effective_billing(&self) -> BillingDetails {
        let (b, p, d) = (&self.billing, &self.profile, &self.details);
        let or = |own: &str, fallback: &str| if own.is_empty() { fallback } else { own }.to_owned();
        let address = if b.address == PostalAddress::default() {
            d.address.clone()
        } else {
            b.address.clone()
        };
        BillingDetails {
            first_name: or(&b.first_name, &p.first_name),
            last_name: or(&b.last_name, &p.last_name),
            address,
            phone: or(&b.phone, &p.phone),
            phone_mobile: or(&b.phone_mobile, &d.phone_mobile),
            email: or(&b.email, &p.email),
            ..b.clone()
        }
    }

    /// The editable part, as stored.
    pub fn info(&self) -> AccountInfo {
        AccountInfo {
            profile: self.profile.clone(),
            email_validated: self.email_validated,
            details: self.details.clone(),
            billing: self.billing.clone(),
        }
    }
}

/// The AEAD context of an account's TOTP secrets.
pub fn totp_context(id: AccountId) -> String {
    format!("playgate:totp:{}", id.0)
}

/// What the store needs to insert an account (no `Debug`: it holds the password hash).
#[derive(Clone)]
pub struct NewAccountRecord {
    pub public_id: String,
    pub user_name: String,
    /// Lower-case user name, unique.
    pub name_key: String,
    pub info: AccountInfo,
    pub access_level: AccessLevel,
    pub trial_expires_at: Option<Timestamp>,
    pub password_hash: String,
    pub wallet: wallet::NewWallet,
    pub created_at: Timestamp,
}

/// The command to create an account (CLI and admin HTTP).
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// 3-64 characters of letters, digits and `._-@`.
    pub user_name: String,
    /// The password (8-1024 bytes).
    pub password: Secret,
    /// Default regular.
    pub access_level: AccessLevel,
    /// Trial length in days, for a trial account.
    pub trial_days: Option<u32>,
    /// Profile (`email` is required), whether the e-mail address is known to be valid,
    /// details and billing.
    pub info: AccountInfo,
}

/// The key a user name is unique and looked up by.
pub fn name_key(user_name: &str) -> String {
    user_name.trim().to_lowercase()
}

fn validate_user_name(s: &str) -> Result<String> {
    let s = s.trim();
    let n = s.chars().count();
    if !(3..=64).contains(&n) || !s.chars().all(|c| c.is_alphanumeric() || "._-@".contains(c)) {
        return Err(Error::invalid(
            "userName",
            "must be 3-64 characters: letters, digits, '.', '_', '-', '@'",
        ));
    }
    Ok(s.to_owned())
}

fn validate_email(s: &str) -> Result<String> {
    let s = s.trim();
    let ok = s.len() <= 254
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        && s.split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.') && !domain.contains('@'));
    if !ok {
        return Err(Error::invalid("email", "must be an email address"));
    }
    Ok(s.to_owned())
}

/// Checks a new password's length.
pub fn validate_new_password(p: &Secret) -> Result<()> {
    let s = p.expose();
    if s.chars().count() < MIN_PASSWORD_CHARS || s.len() > MAX_PASSWORD_BYTES {
        return Err(Error::invalid("password", "must be 8-1024 characters"));
    }
    Ok(())
}

/// An optional email address: empty, or valid.
fn optional_email(field: &str, s: &str) -> Result<String> {
    if s.trim().is_empty() {
        return Ok(String::new());
    }
    validate_email(s).map_err(|_| Error::invalid(field, "must be an email address"))
}

/// An ISO 3166-1 alpha-2 code (any case), or empty.
fn country_code(field: &str, s: &str) -> Result<String> {
    let code = s.trim().to_ascii_uppercase();
    if code.is_empty() || rust_iso3166::from_alpha2(&code).is_some() {
        return Ok(code);
    }
    Err(Error::invalid(field, "must be an ISO 3166-1 alpha-2 country code"))
}

/// `prefix` names the object the fields are in (`""` or `"billing."`).
fn valid_address(prefix: &str, a: &PostalAddress) -> Result<PostalAddress> {
    Ok(PostalAddress {
        street: bounded(&format!("{prefix}address"), &a.street, 200)?,
        street_number: bounded(&format!("{prefix}streetNumber"), &a.street_number, 20)?,
        zip_code: bounded(&format!("{prefix}zipCode"), &a.zip_code, 20)?,
        city: bounded(&format!("{prefix}city"), &a.city, 100)?,
        country_code: country_code(&format!("{prefix}countryCode"), &a.country_code)?,
    })
}

/// Checks and normalises (trims, upper-cases country codes) what an account holder
/// tells about themselves. Field names are the admin API's.
pub fn validate_info(info: &AccountInfo) -> Result<AccountInfo> {
    let (p, d, b) = (&info.profile, &info.details, &info.billing);
    let profile = AccountProfile {
        email: validate_email(&p.email)?,
        first_name: bounded("firstName", &p.first_name, 100)?,
        last_name: bounded("lastName", &p.last_name, 100)?,
        gender: bounded("gender", &p.gender, 20)?,
        phone: bounded("phone", &p.phone, 32)?,
        company_name: bounded("companyName", &p.company_name, 200)?,
    };
    let details = AccountDetails {
        account_type: d.account_type,
        vat_number: bounded("vatNumber", &d.vat_number, 32)?,
        coc_number: bounded("cocNumber", &d.coc_number, 32)?,
        address: valid_address("", &d.address)?,
        phone_mobile: bounded("phoneNumberMobile", &d.phone_mobile, 32)?,
        abuse_email: optional_email("emailAddressAbuse", &d.abuse_email)?,
        ..d.clone()
    };
    if !(0..=1000).contains(&b.preferred_payment_method) {
        return Err(Error::invalid("billing.preferredPaymentMethod", "must be 0-1000"));
    }
    let billing = BillingDetails {
        first_name: bounded("billing.firstName", &b.first_name, 100)?,
        last_name: bounded("billing.lastName", &b.last_name, 100)?,
        address: valid_address("billing.", &b.address)?,
        phone: bounded("billing.phoneNumber", &b.phone, 32)?,
        phone_mobile: bounded("billing.phoneNumberMobile", &b.phone_mobile, 32)?,
        email: optional_email("billing.emailAddressBilling", &b.email)?,
        ..b.clone()
    };
    Ok(AccountInfo {
        profile,
        email_validated: info.email_validated,
        details,
        billing,
    })
}

fn bounded(field: &str, s: &str, max: usize) -> Result<String> {
    let s = s.trim();
    if s.chars().count() > max || s.chars().any(char::is_control) {
        return Err(Error::invalid(
            field,
            format!("must be at most {max} characters, no control characters"),
        ));
    }
    Ok(s.to_owned())
}

/// An API key as stored (the key itself only as its hash).
#[derive(Debug, Clone)]
pub struct ApiKey {
    /// Id.
    pub id: ApiKeyId,
    /// Free text naming the key.
    pub label: String,
    /// Address ranges it may be used from; empty: anywhere.
    pub allowed: Vec<IpNet>,
    /// When it stops working, if ever.
    pub expires_at: Option<Timestamp>,
    /// Creation time.
    pub created_at: Timestamp,
}

/// What the store needs to insert an API key.
#[derive(Debug, Clone)]
pub struct NewApiKeyRecord {
    pub hash: SecretHash,
    pub label: String,
    pub allowed: Vec<IpNet>,
    pub expires_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

/// The command to create an API key.
#[derive(Debug, Clone, Default)]
pub struct NewApiKey {
    /// Free text.
    pub label: String,
    /// CIDRs (or single addresses) it may be used from; empty: anywhere.
    pub allow_ips: Vec<String>,
    /// When it stops working.
    pub expires_at: Option<Timestamp>,
}

/// Prefix of API keys, so a leaked one is recognisable in a scan.
pub const API_KEY_PREFIX: &str = "pgk_";

/// A login of an account through an API key (an i3D session).
#[derive(Debug, Clone)]
pub struct Login {
    /// Random UUID.
    pub id: SessionId,
    /// The key holding it.
    pub api_key_id: ApiKeyId,
    /// The account.
    pub account_id: AccountId,
    /// `pending_otp` until the second factor, then `active`.
    pub state: SessionState,
    /// When the password was accepted.
    pub started_at: Timestamp,
    /// Pending: when the OTP window closes. Active: when the login lapses.
    pub expires_at: Timestamp,
    /// Whether it lasts the longer "remember me" lifetime once complete.
    pub remember_me: bool,
    /// Wrong OTPs so far.
    pub otp_failures: i64,
    /// Request IP at login.
    pub ip: Option<String>,
    /// Its country code, if known.
    pub country: String,
}

impl Login {
    /// Completed and not lapsed.
    pub fn is_live(&self, now: Timestamp) -> bool {
        self.state == SessionState::Active && now < self.expires_at
    }

    /// Waiting for its OTP, within the window.
    pub fn awaits_otp(&self, now: Timestamp) -> bool {
        self.state == SessionState::PendingOtp && now < self.expires_at
    }
}

/// What the store needs to record a login.
#[derive(Debug, Clone)]
pub struct NewLogin {
    pub login: Login,
    /// The time of the request.
    pub now: Timestamp,
    /// Audit events recorded with the login (at `now`).
    pub audit: Vec<crate::audit::NewAuditEvent>,
}

/// Account policy knobs.
#[derive(Debug, Clone)]
pub struct AccountSettings {
    /// argon2id parameters.
    pub password: crate::password::PasswordParams,
    /// Failed logins (password or OTP) per account and per client IP within
    /// `login_failure_window` before 429. Default 10.
    pub login_failure_limit: u32,
    /// The window of `login_failure_limit`. Default 15 minutes.
    pub login_failure_window: Duration,
    /// A login's lifetime. Default 24 h.
    pub login_ttl: Duration,
    /// A login's lifetime with `rememberMe`. Default 30 days.
    pub remember_me_ttl: Duration,
    /// How long a login waits for its OTP. Default 5 minutes.
    pub otp_window: Duration,
    /// Wrong OTPs that cancel a waiting login. Default 5.
    pub otp_max_failures: u32,
    /// Lifetime of a link code. Default 10 minutes.
    pub link_code_ttl: Duration,
    /// Issuer named in `otpauth://` URIs. Default `Playgate`.
    pub totp_issuer: String,
}

impl Default for AccountSettings {
    fn default() -> Self {
        AccountSettings {
            password: crate::password::PasswordParams::default(),
            login_failure_limit: 10,
            login_failure_window: Duration::from_secs(15 * 60),
            login_ttl: Duration::from_secs(24 * 3600),
            remember_me_ttl: Duration::from_secs(30 * 24 * 3600),
            otp_window: Duration::from_secs(5 * 60),
            otp_max_failures: 5,
            link_code_ttl: Duration::from_secs(10 * 60),
            totp_issuer: "Playgate".into(),
        }
    }
}

/// Parses an allowlist entry: a CIDR or a single address.
pub fn parse_net(s: &str) -> Result<IpNet> {
    let s = s.trim();
    s.parse::<IpNet>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(IpNet::from))
        .map(|n| n.trunc())
        .map_err(|_| Error::invalid("allow_ip", format!("{s:?} is not a CIDR or IP address")))
}

/// Parses an expiry: a date `YYYY-MM-DD` (the key stops working at the start of that
/// day, UTC) or an RFC 3339 time.
pub fn parse_expiry(field: &str, s: &str) -> Result<Timestamp> {
    use time::format_description::well_known::Rfc3339;
    let s = s.trim();
    let bad = || Error::invalid(field, "must be a date (YYYY-MM-DD) or an RFC 3339 time");
    let dt = if s.len() == 10 {
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(s, &fmt).map_err(|_| bad())?.midnight().assume_utc()
    } else {
        time::OffsetDateTime::parse(s, &Rfc3339).map_err(|_| bad())?
    };
    i64::try_from(dt.unix_timestamp_nanos())
        .map(Timestamp)
        .map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation() {
        assert!(validate_user_name("ann").is_ok());
        assert!(validate_user_name("a.b-c_d@e").is_ok());
        assert!(validate_user_name("ab").is_err());
        assert!(validate_user_name("has space").is_err());
        assert!(validate_email("a@b.c").is_ok());
        assert!(validate_email("a@b").is_err());
        assert!(validate_email("@b.c").is_err());
        assert!(validate_new_password(&Secret::new("1234567")).is_err());
        assert!(validate_new_password(&Secret::new("12345678")).is_ok());
        assert_eq!(AccessLevel::parse(20).map(AccessLevel::as_i64).ok(), Some(20));
        assert!(AccessLevel::parse(5).is_err());
        assert_eq!(
            parse_net("10.1.2.3/8").map(|n| n.to_string()).ok(),
            Some("10.0.0.0/8".into())
        );
        assert_eq!(parse_net("::1").map(|n| n.to_string()).ok(), Some("::1/128".into()));
        assert!(parse_net("nope").is_err());
        assert_eq!(
            parse_expiry("e", "2026-01-02").ok(),
            Some(Timestamp(1_767_312_000_000_000_000))
        );
        assert_eq!(
            parse_expiry("e", "2026-01-02T00:00:01Z").ok(),
            Some(Timestamp(1_767_312_001_000_000_000))
        );
        assert!(parse_expiry("e", "tomorrow").is_err());
    }

    #[test]
    fn info_validation_and_billing_fallback() {
        let mut info = AccountInfo {
            profile: AccountProfile {
                email: "ann@example.com".into(),
                first_name: "Ann".into(),
                ..AccountProfile::default()
            },
            ..AccountInfo::default()
        };
        info.details.address.country_code = " nl ".into();
        let ok = validate_info(&info).expect("valid");
        assert_eq!(ok.details.address.country_code, "NL");
        info.billing.address.country_code = "XX".into();
        let field = |i: &AccountInfo| match validate_info(i) {
            Err(Error::Invalid { field, .. }) => field,
            other => format!("{other:?}"),
        };
        assert_eq!(field(&info), "billing.countryCode");
        info.billing.address.country_code.clear();
        info.details.abuse_email = "nope".into();
        assert_eq!(field(&info), "emailAddressAbuse");
        assert_eq!(Language::parse_str("NL").ok(), Some(Language::Dutch));
        assert_eq!(Language::parse_str("").ok(), None);
        assert!(AccountType::parse(0).is_err());

        let mut billing = BillingDetails {
            last_name: "Billing".into(),
            ..BillingDetails::default()
        };
        billing.address.city = "Rotterdam".into();
        let mut details = ok.details.clone();
        details.address.city = "Amsterdam".into();
        let a = Account {
            id: AccountId(1),
            public_id: String::new(),
            user_name: "ann".into(),
            profile: ok.profile.clone(),
            access_level: AccessLevel::Regular,
            email_validated: true,
            details,
            billing,
            trial_expires_at: None,
            password_hash: String::new(),
            totp_enabled: false,
            totp_secret: None,
            totp_pending: None,
            wallet_address: String::new(),
            created_at: Timestamp(0),
            enabled: true,
        };
        let b = a.effective_billing();
        assert_eq!((b.first_name.as_str(), b.last_name.as_str()), ("Ann", "Billing"));
        assert_eq!(b.email, "ann@example.com");
        // A billing address is taken whole, never mixed with the account's.
        assert_eq!(
            (b.address.city.as_str(), b.address.country_code.as_str()),
            ("Rotterdam", "")
        );
    }
}
