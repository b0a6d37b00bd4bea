//! The request's client address: the TCP peer, unless the peer is a configured trusted
//! proxy, in which case the right-most address of `X-Forwarded-For` that is not itself a
//! trusted proxy (the left part of the header is whatever the client chose to send).

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use ipnet::IpNet;

use super::state::AppState;

/// Resolves the client address from the peer and the `X-Forwarded-For` values.
pub fn resolve(peer: IpAddr, forwarded_for: &[&str], trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops = forwarded_for.iter().flat_map(|h| h.split(',')).map(str::trim).rev();
    let mut client = peer;
    for hop in hops {
        let Ok(ip) = hop
            .parse::<IpAddr>()
            .or_else(|_| hop.parse::<SocketAddr>().map(|s| s.ip()))
        else {
            break;
        };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    normalize(client)
}

/// An IPv4-mapped IPv6 address as plain IPv4.
pub fn normalize(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// The client address of a request, read by the extractors of each surface's credentials
/// and by [`super::origin::RequestOrigin`]: `None` only when the server was not started with
/// connection info (it always is; a router driven without it, as in unit tests, is not).
pub fn client_ip(parts: &Parts, state: &AppState) -> Option<IpAddr> {
    let ConnectInfo(peer) = parts.extensions.get::<ConnectInfo<SocketAddr>>()?;
    let peer = normalize(peer.ip());
    if state.net.trusted_proxies.is_empty() {
        return Some(peer);
    }
    let xff: Vec<&str> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    Some(resolve(peer, &xff, &state.net.trusted_proxies))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn untrusted_peer_is_the_client() {
        let t: Vec<IpNet> = vec!["10.0.0.0/8".parse().expect("net")];
        assert_eq!(resolve(ip("203.0.113.9"), &["1.2.3.4"], &t), ip("203.0.113.9"));
    }

    #[test]
    fn trusted_peer_yields_rightmost_untrusted_hop() {
        let t: Vec<IpNet> = vec!["10.0.0.0/8".parse().expect("net")];
        assert_eq!(
            resolve(ip("10.0.0.1"), &["6.6.6.6, 8.8.8.8, 10.0.0.7"], &t),
            ip("8.8.8.8")
        );
        assert_eq!(resolve(ip("10.0.0.1"), &["6.6.6.6", "8.8.8.8"], &t), ip("8.8.8.8"));
        assert_eq!(resolve(ip("10.0.0.1"), &[], &t), ip("10.0.0.1"));
        assert_eq!(resolve(ip("10.0.0.1"), &["garbage"], &t), ip("10.0.0.1"));
    }
}
