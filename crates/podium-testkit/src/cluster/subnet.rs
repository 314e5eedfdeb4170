//! Which /24 a test process's bridge uses, so that test processes running
//! side by side on one machine do not share one.
//!
//! The subnets are 10.200.0.0/24 to 10.249.249.0/24: 12 500 of them, in a
//! corner of the private range that real networks seldom use. Subnet `k`
//! is 10.(200 + k / 250).(k % 250).0/24. A process starts at `k = pid %
//! 12 500`, so two live test processes start apart unless their pids
//! differ by a multiple of 12 500, and takes the first subnet from there
//! that no route of the machine's main table touches: one another test
//! process's bridge holds, or a real network of the host, is skipped.

use std::net::Ipv4Addr;

/// How many subnets there are to choose from.
pub(crate) const COUNT: u32 = 50 * 250;

/// The network address of subnet number `k` (taken modulo [`COUNT`]).
#[must_use]
pub(crate) fn network(k: u32) -> Ipv4Addr {
    let k = k % COUNT;
    // Both parts are below 256 by construction (k < 12 500).
    let x = u8::try_from(200 + k / 250).unwrap_or(u8::MAX);
    let y = u8::try_from(k % 250).unwrap_or(u8::MAX);
    Ipv4Addr::new(10, x, y, 0)
}

/// The first subnet, from the one this process starts at, that no line of
/// `routes` (what `ip -4 route show` printed) touches.
#[must_use]
pub(crate) fn first_free(start: u32, routes: &str) -> Option<Ipv4Addr> {
    let taken: Vec<(u32, u32)> = routes.lines().filter_map(route_prefix).collect();
    (0..COUNT).map(|i| network(start.wrapping_add(i))).find(|net| {
        let ours = u32::from(*net);
        !taken.iter().any(|&(prefix, len)| overlaps(prefix, len, ours, 24))
    })
}

/// The destination of one route line, as (address, prefix length); none
/// for the default route, which covers every subnet and shadows none.
fn route_prefix(line: &str) -> Option<(u32, u32)> {
    const TYPES: [&str; 10] = [
        "unicast",
        "unreachable",
        "blackhole",
        "prohibit",
        "local",
        "broadcast",
        "throw",
        "nat",
        "anycast",
        "multicast",
    ];
    let mut words = line.split_whitespace();
    let mut dest = words.next()?;
    if TYPES.contains(&dest) {
        dest = words.next()?;
    }
    let (addr, len) = match dest.split_once('/') {
        Some((addr, len)) => (addr, len.parse().ok()?),
        None => (dest, 32),
    };
    let addr: Ipv4Addr = addr.parse().ok()?;
    (len > 0 && len <= 32).then_some((u32::from(addr), len))
}

/// Whether two prefixes share an address.
fn overlaps(a: u32, a_len: u32, b: u32, b_len: u32) -> bool {
    let len = a_len.min(b_len);
    let mask = u32::MAX << (32 - len);
    a & mask == b & mask
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subnets_walk_the_third_octet_then_the_second() {
        assert_eq!(network(0), Ipv4Addr::new(10, 200, 0, 0));
        assert_eq!(network(249), Ipv4Addr::new(10, 200, 249, 0));
        assert_eq!(network(250), Ipv4Addr::new(10, 201, 0, 0));
        assert_eq!(network(COUNT - 1), Ipv4Addr::new(10, 249, 249, 0));
        assert_eq!(network(COUNT), network(0));
    }

    #[test]
    fn a_routed_subnet_is_skipped_and_the_default_route_is_not_in_the_way() {
        let routes = "default via 192.0.2.1 dev eth0\n\
                      10.200.7.0/24 dev pdm-br9 proto kernel scope link src 10.200.7.1\n\
                      unreachable 10.200.8.0/23\n\
                      10.200.10.5 dev tun0\n";
        assert_eq!(first_free(7, routes), Some(Ipv4Addr::new(10, 200, 11, 0)));
        assert_eq!(first_free(10, routes), Some(Ipv4Addr::new(10, 200, 11, 0)));
        assert_eq!(first_free(3, routes), Some(Ipv4Addr::new(10, 200, 3, 0)));
    }

    #[test]
    fn a_wide_route_over_the_whole_range_leaves_nothing() {
        assert_eq!(first_free(0, "10.0.0.0/8 via 192.0.2.9 dev eth0\n"), None);
    }
}
