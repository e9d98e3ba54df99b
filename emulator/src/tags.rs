//! Chapter 15: tags.

use polardb::models as m;

use crate::handlers::Ctx;
use crate::state::TagKv;
use crate::util::{ok, Fault, Res};

const MAX_RESOURCES: usize = 50;
const MAX_TAGS: usize = 20;
const PAGE: usize = 50;

fn too_many_tags() -> Fault {
    Fault::new(
        400,
        "NumberExceed.Tags",
        "The number of tags is exceed , Valid : 20",
    )
}

/// Tag keys and values: no `aliyun` or `acs:` prefix, no `http://` or `https://`, at most
/// 128 characters; keys may not be empty.
fn check_tag(key: &str, value: &str) -> Result<(), Fault> {
    let bad = |s: &str| {
        let lower = s.to_ascii_lowercase();
        lower.starts_with("aliyun")
            || lower.starts_with("acs:")
            || lower.contains("http://")
            || lower.contains("https://")
            || s.chars().count() > 128
    };
    if key.is_empty() || bad(key) {
        return Err(Fault::invalid("TagKey"));
    }
    if bad(value) {
        return Err(Fault::invalid("TagValue"));
    }
    Ok(())
}

/// `RegionId` and `ResourceType`, required by all three actions.
fn region_and_type(c: &Ctx) -> Result<String, Fault> {
    let region = c.p.required("RegionId")?.to_string();
    if c.w.region(&region).is_none() {
        return Err(Fault::region_not_found());
    }
    if c.p.required("ResourceType")? != "cluster" {
        return Err(Fault::unsupported("ResourceType"));
    }
    Ok(region)
}

/// The clusters named by `ResourceId.N`, all of them in `region`.
fn resources(c: &Ctx, region: &str, required: bool) -> Result<Vec<usize>, Fault> {
    let ids = c.p.list("ResourceId");
    if ids.is_empty() && required {
        return Err(Fault::missing("ResourceId.1"));
    }
    if ids.len() > MAX_RESOURCES {
        return Err(Fault::invalid_because(
            "ResourceId",
            "At most 50 resources can be specified at a time.",
        ));
    }
    let mut out = Vec::new();
    for id in ids {
        match c.w.cluster_index(id.trim()) {
            Some(i) if c.w.clusters[i].region_id == region => {
                if !out.contains(&i) {
                    out.push(i);
                }
            }
            _ => return Err(Fault::cluster_not_found()),
        }
    }
    Ok(out)
}

/// TagResources: adds tags (a key already there takes the new value).
pub fn tag(c: &mut Ctx) -> Res {
    let region = region_and_type(c)?;
    let targets = resources(c, &region, true)?;
    let tags = c.p.tags();
    if tags.is_empty() {
        return Err(Fault::missing("Tag.1.Key"));
    }
    if tags.len() > MAX_TAGS {
        return Err(too_many_tags());
    }
    for (k, v) in &tags {
        check_tag(k, v)?;
    }
    for &i in &targets {
        let cl = &c.w.clusters[i];
        let mut keys: Vec<&str> = cl.tags.iter().map(|t| t.key.as_str()).collect();
        for (k, _) in &tags {
            if !keys.contains(&k.as_str()) {
                keys.push(k);
            }
        }
        if keys.len() > MAX_TAGS {
            return Err(too_many_tags());
        }
    }
    for i in targets {
        let cl = &mut c.w.clusters[i];
        for (k, v) in &tags {
            match cl.tags.iter_mut().find(|t| &t.key == k) {
                Some(t) => t.value = v.clone(),
                None => cl.tags.push(TagKv {
                    key: k.clone(),
                    value: v.clone(),
                }),
            }
        }
    }
    ok(m::TagResourcesResponse::default())
}

/// UntagResources: removes the named keys, or all tags with `All=true`.
pub fn untag(c: &mut Ctx) -> Res {
    let region = region_and_type(c)?;
    let targets = resources(c, &region, true)?;
    let keys = c.p.list("TagKey");
    if keys.len() > MAX_TAGS {
        return Err(too_many_tags());
    }
    let all = c.p.bool_opt("All")?.unwrap_or(false);
    for i in targets {
        let cl = &mut c.w.clusters[i];
        if keys.is_empty() {
            if all {
                cl.tags.clear();
            }
        } else {
            cl.tags.retain(|t| !keys.contains(&t.key));
        }
    }
    ok(m::UntagResourcesResponse::default())
}

/// ListTagResources: the tags of clusters, or the clusters carrying tags, 50 at a time.
pub fn list(c: &mut Ctx) -> Res {
    let region = region_and_type(c)?;
    let targets = resources(c, &region, false)?;
    let filters = c.p.tags();
    if targets.is_empty() && filters.is_empty() {
        return Err(Fault::missing("ResourceId.1"));
    }
    if filters.len() > MAX_TAGS {
        return Err(too_many_tags());
    }
    let offset: usize = match c.p.opt("NextToken") {
        None => 0,
        Some(t) => t.parse().map_err(|_| Fault::invalid("NextToken"))?,
    };
    let mut entries: Vec<m::TagResource> = Vec::new();
    for (i, cl) in c.w.clusters.iter().enumerate() {
        if cl.region_id != region || (!targets.is_empty() && !targets.contains(&i)) {
            continue;
        }
        let carries_all = filters.iter().all(|(k, v)| {
            cl.tags
                .iter()
                .any(|t| &t.key == k && (v.is_empty() || &t.value == v))
        });
        if !carries_all {
            continue;
        }
        for t in &cl.tags {
            if filters.is_empty() || filters.iter().any(|(k, _)| k == &t.key) {
                entries.push(m::TagResource {
                    resource_id: cl.id.clone(),
                    resource_type: "cluster".into(),
                    tag_key: t.key.clone(),
                    tag_value: t.value.clone(),
                });
            }
        }
    }
    let total = entries.len();
    let page: Vec<m::TagResource> = entries.into_iter().skip(offset).take(PAGE).collect();
    let next = if offset + PAGE < total {
        (offset + PAGE).to_string()
    } else {
        String::new()
    };
    ok(m::ListTagResourcesResponse {
        next_token: next,
        request_id: String::new(),
        tag_resources: m::TagResourceList { tag_resource: page },
    })
}
