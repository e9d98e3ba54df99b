//! Regional endpoints from the reference's table (section 4.2 of the overview).

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

/// Whether an address is one a public cloud API never has: loopback, link-local (the
/// metadata service at 169.254.169.254), private, shared (100.64/10), unspecified,
/// multicast, broadcast or reserved. Endpoint overrides and resolved host names are held
/// to it unless private endpoints are allowed.
pub fn is_private(ip: std::net::IpAddr) -> bool {
    use std::net::IpAddr;
    match ip {
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
                || o[0] >= 240
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private(IpAddr::V4(v4));
            }
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] & 0xffc0) == 0xfec0
        }
    }
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
}
