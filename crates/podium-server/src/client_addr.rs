//! Where a web request comes from: the connection's address or, behind a
//! reverse proxy listed in `web.trusted_proxies`, the address that proxy
//! names in `X-Forwarded-For`. The throttle counts failed logins per
//! address, the audit log and the station show it: behind a proxy, the
//! connection's address would be the proxy's for everybody.
//!
//! Only a trusted proxy's header is read, from the right: each proxy
//! appends the address it got the request from, so the rightmost address
//! that is not itself a trusted proxy is the client's. Anything left of it
//! was written by the client and proves nothing.

use crate::peer::RemoteAddr;
use crate::state::AppState;
use axum::extract::ConnectInfo;
use axum::http::{Extensions, HeaderMap};
use std::net::{IpAddr, SocketAddr};

const FORWARDED_FOR: &str = "x-forwarded-for";

/// The client's address, for a request that reached us from `peer`.
#[must_use]
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|t| t.to_canonical() == ip);
    let peer = peer.to_canonical();
    if !is_trusted(peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all(FORWARDED_FOR)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        // A hop that is not an address: stop at the last one we can vouch for.
        let Some(ip) = parse_hop(hop) else {
            break;
        };
        client = ip;
        if !is_trusted(ip) {
            break;
        }
    }
    client
}

/// `1.2.3.4`, `2001:db8::1`, `1.2.3.4:5678` or `[2001:db8::1]:5678`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .or_else(|_| hop.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

/// The client's address for a web request (`None` on the Unix socket).
#[must_use]
pub fn of_request(s: &AppState, extensions: &Extensions, headers: &HeaderMap) -> Option<IpAddr> {
    let ConnectInfo(RemoteAddr(peer)) = extensions.get::<ConnectInfo<RemoteAddr>>().copied()?;
    Some(client_ip(peer.ip(), headers, &s.host.config().web.trusted_proxies))
}

/// The client's address as the station and the throttle name it:
/// `local` for a request on the Unix socket.
#[must_use]
pub fn name_of_request(s: &AppState, extensions: &Extensions, headers: &HeaderMap) -> String {
    of_request(s, extensions, headers).map_or_else(|| "local".to_owned(), |ip| ip.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(FORWARDED_FOR, v.parse().expect("header value"));
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("address")
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_says() {
        let h = headers(&["203.0.113.7"]);
        assert_eq!(client_ip(ip("198.51.100.2"), &h, &[]), ip("198.51.100.2"));
        assert_eq!(
            client_ip(ip("198.51.100.2"), &h, &[ip("127.0.0.1")]),
            ip("198.51.100.2")
        );
    }

    #[test]
    fn a_trusted_proxy_names_the_client_from_the_right() {
        let proxy = [ip("127.0.0.1"), ip("10.0.0.5")];
        let peer = ip("127.0.0.1");
        assert_eq!(client_ip(peer, &headers(&["203.0.113.7"]), &proxy), ip("203.0.113.7"));
        // The client wrote the leftmost entry itself: not believed.
        assert_eq!(
            client_ip(peer, &headers(&["6.6.6.6, 203.0.113.7"]), &proxy),
            ip("203.0.113.7")
        );
        // Two proxies in a row; two header lines are one list.
        assert_eq!(
            client_ip(peer, &headers(&["6.6.6.6, 203.0.113.7", "10.0.0.5"]), &proxy),
            ip("203.0.113.7")
        );
        assert_eq!(
            client_ip(peer, &headers(&["[2001:db8::7]:4711"]), &proxy),
            ip("2001:db8::7")
        );
        assert_eq!(
            client_ip(peer, &headers(&["203.0.113.9:5000"]), &proxy),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn without_a_usable_header_the_proxy_is_the_client() {
        let proxy = [ip("127.0.0.1")];
        let peer = ip("127.0.0.1");
        assert_eq!(client_ip(peer, &HeaderMap::new(), &proxy), peer);
        assert_eq!(client_ip(peer, &headers(&["unknown"]), &proxy), peer);
        assert_eq!(client_ip(peer, &headers(&["203.0.113.7, garbage"]), &proxy), peer);
        assert_eq!(client_ip(peer, &headers(&[""]), &proxy), peer);
        // Every hop a trusted proxy: the leftmost one is all we know.
        assert_eq!(client_ip(peer, &headers(&["127.0.0.1"]), &proxy), peer);
    }

    #[test]
    fn ipv4_mapped_addresses_are_the_ipv4_ones() {
        let proxy = [ip("127.0.0.1")];
        assert_eq!(
            client_ip(ip("::ffff:127.0.0.1"), &headers(&["::ffff:203.0.113.7"]), &proxy),
            ip("203.0.113.7")
        );
    }
}
