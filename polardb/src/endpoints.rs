//! Regional endpoints from the reference's table (section 4.2 of the overview), and how
//! the addresses of endpoint overrides are judged.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Regions served by the central endpoint `polardb.aliyuncs.com`.
const CENTRAL: &[&str] = &[
    "cn-hangzhou",
    "cn-shanghai",
    "cn-qingdao",
    "cn-beijing",
    "cn-shenzhen",
    "cn-hongkong",
    "ap-southeast-1",
    "us-west-1",
    "us-east-1",
    "cn-hangzhou-finance",
    "cn-shanghai-finance-1",
    "cn-shenzhen-finance-1",
];

/// The host name (without scheme) that serves `region_id`.
pub fn host_for_region(region_id: &str) -> String {
    if region_id.is_empty() || CENTRAL.contains(&region_id) {
        "polardb.aliyuncs.com".to_string()
    } else {
        format!("polardb.{region_id}.aliyuncs.com")
    }
}

/// The HTTPS base URL that serves `region_id`.
pub fn url_for_region(region_id: &str) -> String {
    format!("https://{}/", host_for_region(region_id))
}

/// The address an IP address stands for: an IPv6 address that embeds an IPv4 address —
/// IPv4-mapped (`::ffff:0:0/96`), IPv4-translated (`::ffff:0:0:0/96`), IPv4-compatible
/// (`::/96`, except `::` and `::1`), NAT64's well-known prefix (`64:ff9b::/96`) or 6to4
/// (`2002::/16`) — stands for that IPv4 address (a host's stack, a translator or a relay
/// takes a connection there); any other address stands for itself.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => embedded_ipv4(v6).map(IpAddr::V4).unwrap_or(ip),
    }
}

fn embedded_ipv4(v6: Ipv6Addr) -> Option<Ipv4Addr> {
    let v4 = |hi: u16, lo: u16| {
        let [a, b] = hi.to_be_bytes();
        let [c, d] = lo.to_be_bytes();
        Ipv4Addr::new(a, b, c, d)
    };
    match v6.segments() {
        [0, 0, 0, 0, 0, 0xffff, hi, lo] => Some(v4(hi, lo)),
        [0, 0, 0, 0, 0xffff, 0, hi, lo] => Some(v4(hi, lo)),
        [0, 0, 0, 0, 0, 0, hi, lo] if hi != 0 || lo > 1 => Some(v4(hi, lo)),
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => Some(v4(hi, lo)),
        [0x2002, hi, lo, ..] => Some(v4(hi, lo)),
        _ => None,
    }
}

/// Whether an address is one a public cloud API never has: loopback, link-local (the
/// metadata service at 169.254.169.254), private, shared (100.64/10), unspecified,
/// multicast, broadcast, documentation or reserved — judged by the IPv4 address an IPv6
/// address embeds, if it embeds one ([`canonical`]). Endpoint overrides and resolved host
/// names are held to it unless private endpoints are allowed.
pub fn is_private(ip: IpAddr) -> bool {
    match canonical(ip) {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || (o[0] == 198 && (o[1] == 18 || o[1] == 19))
                // IETF protocol assignments 192.0.0.0/24 (incl. DS-Lite, NAT64 discovery)
                // and the deprecated 6to4 relay anycast 192.88.99.0/24.
                || (o[0] == 192 && o[1] == 0 && o[2] == 0)
                || (o[0] == 192 && o[1] == 88 && o[2] == 99)
                || o[0] >= 240
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                // The rest of ::/80 (what embeds an IPv4 address was judged by it).
                || (s[0..5] == [0, 0, 0, 0, 0])
                // Unique local fc00::/7, link-local fe80::/10, site-local fec0::/10.
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] & 0xffc0) == 0xfec0
                // NAT64 local-use 64:ff9b:1::/48, discard-only 100::/64.
                || s[0..3] == [0x64, 0xff9b, 1]
                || s[0..4] == [0x100, 0, 0, 0]
                // IETF protocol assignments 2001::/23 (Teredo, benchmarking, ORCHID…),
                // documentation 2001:db8::/32 and 3fff::/20, SRv6 SIDs 5f00::/16.
                || (s[0] == 0x2001 && s[1] < 0x200)
                || s[0..2] == [0x2001, 0xdb8]
                || (s[0] == 0x3fff && s[1] < 0x1000)
                || s[0] == 0x5f00
        }
    }
}

/// Whether an address reaches this machine: loopback, unspecified (a connection to
/// `0.0.0.0` or `::` goes to the local host), or an address of one of its interfaces (one
/// a socket can be bound to) — judged by the IPv4 address an IPv6 address embeds.
pub fn is_local(ip: IpAddr) -> bool {
    let ip = canonical(ip);
    ip.is_loopback()
        || ip.is_unspecified()
        || std::net::UdpSocket::bind(std::net::SocketAddr::new(ip, 0)).is_ok()
}

/// Whether connecting to `addr` reaches the console listening on `own`: the same address
/// and port, or the listen port on any address of this machine ([`is_local`]). A console
/// listening on `0.0.0.0` or `::` answers on every local address; one listening on a
/// single address is held to the same rule, which costs nothing and spares the question
/// of which local addresses reach which socket.
pub fn is_own(addr: std::net::SocketAddr, own: std::net::SocketAddr) -> bool {
    addr.port() == own.port()
        && (canonical(addr.ip()) == canonical(own.ip()) || is_local(addr.ip()))
}

/// Whether a host name names this machine whatever a resolver says (`localhost`,
/// `*.localhost`, with or without the final dot).
pub fn is_localhost_name(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn central_and_regional_hosts_follow_the_table() {
        assert_eq!(host_for_region("cn-hangzhou"), "polardb.aliyuncs.com");
        assert_eq!(host_for_region("us-east-1"), "polardb.aliyuncs.com");
        assert_eq!(
            host_for_region("cn-zhangjiakou"),
            "polardb.cn-zhangjiakou.aliyuncs.com"
        );
        assert_eq!(
            url_for_region("eu-central-1"),
            "https://polardb.eu-central-1.aliyuncs.com/"
        );
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ipv6_addresses_that_embed_ipv4_are_judged_by_it() {
        for (v6, v4) in [
            ("::ffff:127.0.0.1", "127.0.0.1"),
            ("::ffff:7f00:1", "127.0.0.1"),
            ("0:0:0:0:0:ffff:127.0.0.1", "127.0.0.1"),
            ("::ffff:0:7f00:1", "127.0.0.1"),
            ("::127.0.0.1", "127.0.0.1"),
            ("64:ff9b::7f00:1", "127.0.0.1"),
            ("64:ff9b::a9fe:a9fe", "169.254.169.254"),
            ("2002:7f00:1::", "127.0.0.1"),
            ("2002:a00:1:5::1", "10.0.0.1"),
            ("::ffff:0.0.0.0", "0.0.0.0"),
            ("64:ff9b::808:808", "8.8.8.8"),
        ] {
            assert_eq!(canonical(ip(v6)), ip(v4), "{v6}");
        }
        assert_eq!(canonical(ip("::1")), ip("::1"));
        assert_eq!(canonical(ip("::")), ip("::"));
        assert_eq!(canonical(ip("2606:4700::1111")), ip("2606:4700::1111"));
    }

    #[test]
    fn private_addresses_in_every_spelling() {
        for p in [
            "127.0.0.1",
            "0.0.0.0",
            "10.1.2.3",
            "169.254.169.254",
            "::1",
            "::",
            "::ffff:127.0.0.1",
            "::127.0.0.1",
            "::ffff:0:7f00:1",
            "64:ff9b::7f00:1",
            "64:ff9b::a00:1",
            "64:ff9b:1::1",
            "2002:7f00:1::",
            "2002:a9fe:a9fe::1",
            "2001:db8::1",
            "fd00::1",
            "fe80::1",
            "192.0.0.1",
            "192.0.0.170",
            "192.88.99.1",
            "::ffff:192.0.0.8",
            "2001:2::1",
            "2001:10::1",
            "2001:20::1",
            "3fff::1",
            "5f00::1",
        ] {
            assert!(is_private(ip(p)), "{p}");
        }
        for p in [
            "8.8.8.8",
            "47.96.1.1",
            "2606:4700::1111",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            assert!(!is_private(ip(p)), "{p}");
        }
    }

    #[test]
    fn the_listen_port_on_any_local_address_is_the_console_itself() {
        let own: std::net::SocketAddr = "127.0.0.1:18080".parse().unwrap();
        let any: std::net::SocketAddr = "0.0.0.0:18080".parse().unwrap();
        for a in [
            "127.0.0.1:18080",
            "127.0.0.2:18080",
            "0.0.0.0:18080",
            "[::]:18080",
            "[::1]:18080",
            "[::ffff:127.0.0.1]:18080",
            "[::ffff:7f00:1]:18080",
            "[::127.0.0.1]:18080",
            "[64:ff9b::7f00:1]:18080",
            "[2002:7f00:1::]:18080",
        ] {
            let a: std::net::SocketAddr = a.parse().unwrap();
            assert!(is_own(a, own), "{a}");
            assert!(is_own(a, any), "{a}");
        }
        for a in ["127.0.0.1:9000", "8.8.8.8:18080", "[2606:4700::1111]:18080"] {
            let a: std::net::SocketAddr = a.parse().unwrap();
            assert!(!is_own(a, own), "{a}");
        }
        assert!(is_localhost_name("LOCALHOST."));
        assert!(is_localhost_name("a.localhost"));
        assert!(!is_localhost_name("localhost.example.com"));
    }
}
