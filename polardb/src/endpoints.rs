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
