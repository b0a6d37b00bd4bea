//! One-time passwords: HOTP (RFC 4226) and TOTP (RFC 6238) with HMAC-SHA-1, 6 digits and
//! 30-second steps, as authenticator apps implement them; secrets in RFC 4648 base32;
//! `otpauth://` URIs in the Key Uri Format authenticator apps scan; and the recovery codes
//! that stand in for a lost authenticator (an i3D account's and a console operator's alike).
//!
//! Written out rather than taken from a crate: it is thirty lines over `hmac` + `sha1`, and
//! the RFC test vectors below pin it down.

use hmac::{Hmac, Mac};
use rand::{Rng, RngCore};
use sha1::Sha1;
use subtle::ConstantTimeEq;

/// Length of a TOTP step in seconds.
pub const STEP_SECS: i64 = 30;
/// Digits of a code.
pub const DIGITS: u32 = 6;
/// Steps of clock skew accepted either way.
pub const SKEW_STEPS: i64 = 1;
/// Length of a generated secret in bytes (160 bits, RFC 4226's recommendation).
pub const SECRET_LEN: usize = 20;

/// A TOTP code as typed: exactly six ASCII digits (spaces around and inside ignored, as
/// apps show `123 456`). Built only through [`TotpCode::parse`].
#[derive(Clone, PartialEq, Eq)]
pub struct TotpCode(String);

impl TotpCode {
    /// Parses a code; `None` if it is not six digits.
    pub fn parse(s: &str) -> Option<Self> {
        let digits: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        (digits.len() == DIGITS as usize && digits.bytes().all(|b| b.is_ascii_digit())).then_some(TotpCode(digits))
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for TotpCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpCode(***)")
    }
}

/// HOTP value of `secret` at `counter` with `digits` digits (RFC 4226 section 5.3).
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> u32 {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else {
        return 0;
    };
    mac.update(&counter.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = usize::from(h[19] & 0x0f);
    let bin = (u32::from(h[offset]) & 0x7f) << 24
        | u32::from(h[offset + 1]) << 16
        | u32::from(h[offset + 2]) << 8
        | u32::from(h[offset + 3]);
    bin % 10u32.pow(digits)
}

/// The TOTP step containing `unix_secs` (T0 = 0).
pub fn step_at(unix_secs: i64) -> i64 {
    unix_secs.div_euclid(STEP_SECS)
}

/// The TOTP code at `unix_secs`, zero-padded to `digits`.
pub fn code_at(secret: &[u8], unix_secs: i64, digits: u32) -> String {
    let step = u64::try_from(step_at(unix_secs)).unwrap_or(0);
    format!("{:0width$}", hotp(secret, step, digits), width = digits as usize)
}

/// Whether `code` is valid at `unix_secs` within the allowed skew; returns the matching
/// step so the caller can refuse it ever after (replay protection). Every candidate is
/// compared, in constant time.
pub fn verify(secret: &[u8], code: &TotpCode, unix_secs: i64) -> Option<i64> {
    let code = code.as_str();
    let now = step_at(unix_secs);
    let mut found = None;
    for step in now - SKEW_STEPS..=now + SKEW_STEPS {
        let Ok(counter) = u64::try_from(step) else { continue };
        let want = format!("{:06}", hotp(secret, counter, DIGITS));
        if bool::from(want.as_bytes().ct_eq(code.as_bytes())) && found.is_none() {
            found = Some(step);
        }
    }
    found
}

/// A new random secret.
pub fn generate_secret() -> Vec<u8> {
    let mut s = vec![0u8; SECRET_LEN];
    rand::rngs::OsRng.fill_bytes(&mut s);
    s
}

/// Recovery codes issued when two-factor authentication is turned on, each good for one
/// sign-in without the authenticator (an i3D account's, a console operator's).
pub const RECOVERY_CODES: usize = 10;

/// A new recovery code as shown: four groups of four base32 characters (80 bits).
pub fn new_recovery_code() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut rng = rand::rngs::OsRng;
    let mut s = String::with_capacity(19);
    for i in 0..16 {
        if i > 0 && i % 4 == 0 {
            s.push('-');
        }
        s.push(char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]));
    }
    s
}

/// A recovery code as typed, reduced to what is hashed: without white space and dashes,
/// in lower case.
pub fn normalize_recovery_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether `typed` has the shape of a recovery code (sixteen characters once normalized),
/// and so is worth looking up.
pub fn is_recovery_code(typed: &str) -> bool {
    normalize_recovery_code(typed).len() == 16
}

const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding (what `otpauth://` URIs carry).
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buf, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buf = (buf << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(B32[((buf >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(B32[((buf << (5 - bits)) & 31) as usize]));
    }
    out
}

/// Decodes RFC 4648 base32 (padding, case and spaces ignored), as authenticator apps
/// accept a typed secret; `None` if it is not base32.
pub fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 5 / 8);
    let (mut buf, mut bits) = (0u32, 0u32);
    for c in s.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=') {
        let v = B32.iter().position(|&b| b == c.to_ascii_uppercase())?;
        buf = (buf << 5) | v as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    Some(out)
}

/// `s` percent-encoded for a URI path segment or query value: every byte but the
/// unreserved characters (RFC 3986 §2.3). The otpauth URI's parts here; the console's
/// links too.
pub fn uri_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The `otpauth://totp/…` URI for an authenticator app.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        uri_encode(issuer),
        uri_encode(account),
        base32(secret),
        uri_encode(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc4226_hotp_vectors() {
        // RFC 4226 appendix D, 6 digits.
        let want = [
            755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489,
        ];
        for (counter, w) in want.iter().enumerate() {
            assert_eq!(hotp(RFC_SECRET, counter as u64, 6), *w, "counter {counter}");
        }
    }

    #[test]
    fn rfc6238_sha1_vectors() {
        // RFC 6238 appendix B, SHA-1 rows (8 digits there), and our 6-digit truncation of
        // the same HMAC (the last six digits, since both are the same number mod 10^n).
        let rows: [(i64, &str); 6] = [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ];
        for (t, want) in rows {
            assert_eq!(code_at(RFC_SECRET, t, 8), want, "t={t}");
            assert_eq!(code_at(RFC_SECRET, t, 6), want[2..], "t={t}");
        }
    }

    #[test]
    fn skew_and_steps() {
        let t = 1_111_111_111;
        let code = TotpCode::parse(&code_at(RFC_SECRET, t, 6)).expect("code");
        assert_eq!(verify(RFC_SECRET, &code, t), Some(step_at(t)));
        assert_eq!(verify(RFC_SECRET, &code, t + 30), Some(step_at(t)));
        assert_eq!(verify(RFC_SECRET, &code, t - 30), Some(step_at(t)));
        assert_eq!(verify(RFC_SECRET, &code, t + 60), None);
        assert_eq!(verify(RFC_SECRET, &code, t - 60), None);
        assert_eq!(
            TotpCode::parse(" 123 456 ").map(|c| c.as_str().to_owned()),
            Some("123456".into())
        );
        assert!(TotpCode::parse("12345").is_none());
        assert!(TotpCode::parse("1234567").is_none());
        assert!(TotpCode::parse("12345a").is_none());
        assert!(TotpCode::parse("１２３４５６").is_none());
    }

    #[test]
    fn base32_rfc4648_vectors() {
        for (plain, want) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32(plain.as_bytes()), want);
            assert_eq!(base32_decode(want).as_deref(), Some(plain.as_bytes()));
        }
        assert_eq!(base32(RFC_SECRET), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    }

    #[test]
    fn recovery_code_shape() {
        let c = new_recovery_code();
        assert_eq!(c.len(), 19);
        assert!(is_recovery_code(&c));
        assert_eq!(
            normalize_recovery_code(&c),
            normalize_recovery_code(&c.to_uppercase().replace('-', " "))
        );
        assert!(!is_recovery_code("123456"));
    }

    #[test]
    fn uri() {
        assert_eq!(
            otpauth_uri("Playgate", "ann smith", RFC_SECRET),
            "otpauth://totp/Playgate:ann%20smith?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Playgate\
             &algorithm=SHA1&digits=6&period=30"
        );
    }
}
