//! Country of an IP address from an offline MaxMind-format database. The default is the
//! IPtoASN country database shipped in `data/geoip/` (PDDL-1.0), compiled into the binary;
//! `geoip_database` in the config points at another file (see `scripts/update-geoip`).
//! Private, loopback and other non-public addresses have no country.

use std::borrow::Cow;
use std::net::IpAddr;
use std::path::Path;

use serde::Deserialize;

static EMBEDDED: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/geoip/iptoasn-country.mmdb"
));

/// A country: ISO 3166-1 alpha-2 code and English short name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Country {
    /// `US`.
    pub code: String,
    /// `United States of America`.
    pub name: String,
}

/// The GeoIP database.
pub struct GeoIp {
    reader: Option<maxminddb::Reader<Cow<'static, [u8]>>>,
}

impl std::fmt::Debug for GeoIp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.reader.is_some() { "GeoIp" } else { "GeoIp(none)" })
    }
}

#[derive(Deserialize)]
struct Record<'a> {
    #[serde(borrow)]
    country_code: Option<&'a str>,
}

/// Whether an address is routable on the public internet (the std `is_global` is
/// unstable): private, loopback, link-local, CGNAT, unique-local, multicast, unspecified
/// and documentation ranges are not.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (o[1] & 0xc0) == 64))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] == 0x2001 && s[1] == 0x0db8))
        }
    }
}

impl GeoIp {
    /// The database compiled into the binary.
    pub fn embedded() -> Result<Self, String> {
        let reader = maxminddb::Reader::from_source(Cow::Borrowed(EMBEDDED))
            .map_err(|e| format!("embedded GeoIP database: {e}"))?;
        Ok(GeoIp { reader: Some(reader) })
    }

    /// A database file.
    pub fn open(path: &Path) -> Result<Self, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("GeoIP database {}: {e}", path.display()))?;
        let reader = maxminddb::Reader::from_source(Cow::Owned(bytes))
            .map_err(|e| format!("GeoIP database {}: {e}", path.display()))?;
        Ok(GeoIp { reader: Some(reader) })
    }

    /// No database: every lookup answers `None`.
    pub fn none() -> Self {
        GeoIp { reader: None }
    }

    /// The country of a public address, if the database knows it.
    pub fn country(&self, ip: IpAddr) -> Option<Country> {
        if !is_public(ip) {
            return None;
        }
        let reader = self.reader.as_ref()?;
        let code = match reader.lookup(ip).and_then(|r| r.decode::<Record<'_>>()) {
            Ok(Some(Record { country_code: Some(c) })) => c.to_ascii_uppercase(),
            Ok(_) => return None,
            Err(e) => {
                tracing::warn!(error = %e, "GeoIP lookup failed");
                return None;
            }
        };
        let name = rust_iso3166::from_alpha2(&code).map(|c| c.name.to_owned())?;
        Some(Country { code, name })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn non_public_addresses_have_no_country() {
        for a in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.1.1",
            "172.16.0.1",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
        ] {
            assert!(!is_public(ip(a)), "{a}");
        }
        for a in ["8.8.8.8", "1.1.1.1", "2001:4860:4860::8888"] {
            assert!(is_public(ip(a)), "{a}");
        }
    }

    #[test]
    fn embedded_lookups() -> Result<(), String> {
        let g = GeoIp::embedded()?;
        let us = g.country(ip("8.8.8.8"));
        assert_eq!(us.as_ref().map(|c| c.code.as_str()), Some("US"));
        assert_eq!(us.map(|c| c.name), Some("United States of America".to_owned()));
        assert_eq!(g.country(ip("127.0.0.1")), None);
        assert_eq!(g.country(ip("192.168.0.1")), None);
        assert_eq!(GeoIp::none().country(ip("8.8.8.8")), None);
        Ok(())
    }
}
