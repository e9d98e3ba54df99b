//! A small reader for the API's XML answers (`Format=XML`), turned into the same JSON
//! shape as the JSON answers so that the typed models read both.
//!
//! The API's XML has no attributes that matter, so elements become objects, text
//! becomes strings (numbers and booleans as the JSON answers type them), and a list is
//! recognised as repeated siblings, or as the only kind of child of a list wrapper
//! (`Items`, or a plural like `DBNodes` around `DBNode`), so that a one-element list is
//! still a list.

use serde_json::{Map, Value};

#[derive(Debug)]
struct Element {
    name: String,
    children: Vec<Element>,
    text: String,
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

fn parse_element(src: &str, pos: &mut usize) -> Result<Element, String> {
    // At '<name ...>' or '<name/>'.
    let start = *pos;
    let end = src[start..].find('>').ok_or("unterminated tag")? + start;
    let tag = &src[start + 1..end];
    let self_closing = tag.ends_with('/');
    let name = tag
        .trim_end_matches('/')
        .split_whitespace()
        .next()
        .ok_or("empty tag")?
        .to_string();
    *pos = end + 1;
    let mut el = Element {
        name,
        children: Vec::new(),
        text: String::new(),
    };
    if self_closing {
        return Ok(el);
    }
    loop {
        let next = src[*pos..].find('<').ok_or("unterminated element")? + *pos;
        el.text.push_str(&src[*pos..next]);
        *pos = next;
        if src[*pos..].starts_with("</") {
            let close = src[*pos..].find('>').ok_or("unterminated closing tag")? + *pos;
            let closing = src[*pos + 2..close].trim();
            if closing != el.name {
                return Err(format!("<{}> closed by </{closing}>", el.name));
            }
            *pos = close + 1;
            el.text = unescape(el.text.trim());
            return Ok(el);
        } else if src[*pos..].starts_with("<!--") {
            let close = src[*pos..].find("-->").ok_or("unterminated comment")? + *pos;
            *pos = close + 3;
        } else if src[*pos..].starts_with("<![CDATA[") {
            let close = src[*pos..].find("]]>").ok_or("unterminated CDATA")? + *pos;
            el.text.push_str(&src[*pos + 9..close]);
            *pos = close + 3;
        } else {
            el.children.push(parse_element(src, pos)?);
        }
    }
}

/// Text stays text: XML does not say whether `14` is a number or a version string. The
/// typed models read it through [`crate::lenient`], which converts where a field asks.
fn scalar(text: &str) -> Value {
    Value::String(text.to_string())
}

fn is_list_wrapper(parent: &str, child: &str) -> bool {
    parent == "Items"
        || parent == format!("{child}s")
        || parent == format!("{child}es")
        || parent == format!("{child}List")
        || parent == format!("{child}Items")
}

fn to_value(el: &Element) -> Value {
    if el.children.is_empty() {
        return scalar(&el.text);
    }
    let mut map = Map::new();
    let all_same = el.children.iter().all(|c| c.name == el.children[0].name);
    for child in &el.children {
        let count = el.children.iter().filter(|c| c.name == child.name).count();
        let listy = count > 1 || (all_same && is_list_wrapper(&el.name, &child.name));
        let v = to_value(child);
        if listy {
            match map
                .entry(child.name.clone())
                .or_insert_with(|| Value::Array(Vec::new()))
            {
                Value::Array(a) => a.push(v),
                other => *other = Value::Array(vec![other.clone(), v]),
            }
        } else {
            map.insert(child.name.clone(), v);
        }
    }
    Value::Object(map)
}

/// Parses an XML answer into the JSON shape of the same answer (the root element's content).
pub fn to_json(xml: &str) -> Result<Value, String> {
    let mut pos = 0;
    let src = xml.trim_start_matches('\u{feff}');
    loop {
        let next = src[pos..].find('<').ok_or("no root element")? + pos;
        pos = next;
        if src[pos..].starts_with("<?") {
            pos = src[pos..].find("?>").ok_or("unterminated declaration")? + pos + 2;
        } else if src[pos..].starts_with("<!") {
            pos = src[pos..].find('>').ok_or("unterminated declaration")? + pos + 1;
        } else {
            break;
        }
    }
    let root = parse_element(src, &mut pos)?;
    Ok(match to_value(&root) {
        Value::Object(m) => Value::Object(m),
        _ => Value::Object(Map::new()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{DescribeDBClustersResponse, DescribeRegionsResponse};

    #[test]
    fn one_element_lists_stay_lists() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<DescribeDBClustersResponse>
  <TotalRecordCount>1</TotalRecordCount><PageNumber>1</PageNumber><PageRecordCount>1</PageRecordCount>
  <RequestId>ABC</RequestId>
  <Items><DBCluster>
    <DBClusterId>pc-1</DBClusterId><DBClusterDescription>a &amp; b</DBClusterDescription>
    <DBNodeNumber>2</DBNodeNumber><DBVersion>14</DBVersion><Expired>false</Expired>
    <DBNodes><DBNode><DBNodeId>pi-1</DBNodeId><DBNodeRole>Writer</DBNodeRole></DBNode>
             <DBNode><DBNodeId>pi-2</DBNodeId><DBNodeRole>Reader</DBNodeRole></DBNode></DBNodes>
    <Tags><Tag><Key>env</Key><Value>prod</Value></Tag></Tags>
  </DBCluster></Items>
</DescribeDBClustersResponse>"#;
        let v = to_json(xml).unwrap();
        let r: DescribeDBClustersResponse = crate::lenient::from_value(v).unwrap();
        assert_eq!(r.request_id, "ABC");
        assert_eq!(r.items.db_cluster.len(), 1);
        let c = &r.items.db_cluster[0];
        assert_eq!(c.db_cluster_description, "a & b");
        assert_eq!(c.db_nodes.db_node.len(), 2);
        assert_eq!(c.tags.tag[0].key, "env");
        assert_eq!(c.db_version, "14");
        assert_eq!(c.expired, "false");
        assert_eq!(c.db_node_number, 2);
        assert_eq!(r.total_record_count, 1);
    }

    #[test]
    fn regions_and_errors_parse() {
        let xml = "<DescribeRegionsResponse><RequestId>R</RequestId><Regions><Region><RegionId>cn-hangzhou</RegionId><Zones><Zone><ZoneId>cn-hangzhou-h</ZoneId><VpcEnabled>true</VpcEnabled></Zone></Zones></Region></Regions></DescribeRegionsResponse>";
        let r: DescribeRegionsResponse = crate::lenient::from_value(to_json(xml).unwrap()).unwrap();
        assert_eq!(r.regions.region[0].zones.zone[0].zone_id, "cn-hangzhou-h");
        assert!(r.regions.region[0].zones.zone[0].vpc_enabled);
        let e = to_json("<Error><Code>Throttling.User</Code><Message>x</Message><RequestId>Q</RequestId></Error>").unwrap();
        assert_eq!(e["Code"], "Throttling.User");
        assert!(to_json("<A><B></A>").is_err());
    }
}
