//! An answer the API accepted, kept as it came and read once into what its reader needs:
//! a typed model straight from the JSON text, or a JSON value (#18: reading every answer
//! into a `serde_json::Value` first, and the model from that, was a sixth of a proxied
//! call's work).

use serde::de::DeserializeOwned;
use serde_json::Value;

/// A 2xx answer: JSON as the API sent it, or an XML one read as JSON already.
#[derive(Clone, Debug)]
pub struct Answer {
    body: Body,
    request_id: String,
}

#[derive(Clone, Debug)]
enum Body {
    Json(Vec<u8>),
    Value(Value),
}

/// What is read of an answer as it arrives: its RequestId (a string; anything else is
/// none), which also checks that the text is JSON.
#[derive(serde::Deserialize)]
struct Head {
    #[serde(rename = "RequestId", default)]
    request_id: Option<Value>,
}

impl Answer {
    /// The body of an answer: JSON, or (when an endpoint insists) XML. `Err` with the
    /// parser's words when it is neither (they can quote the body: not for users).
    pub fn parse(bytes: Vec<u8>) -> Result<Answer, String> {
        if let Ok(head) = serde_json::from_slice::<Head>(&bytes) {
            let request_id = head
                .request_id
                .as_ref()
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            return Ok(Answer {
                body: Body::Json(bytes),
                request_id,
            });
        }
        // Not an object with a string or no RequestId (an array, a repeated key, XML):
        // read whole, as before.
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(v) => Ok(Answer::from(v)),
            Err(json_err) => {
                let text = std::str::from_utf8(&bytes).map_err(|e| e.to_string())?;
                if text.trim_start().starts_with('<') {
                    crate::xml::to_json(text).map(Answer::from)
                } else {
                    Err(json_err.to_string())
                }
            }
        }
    }

    /// The answer's RequestId (empty when it has none).
    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    /// The answer read as `T`: straight from the JSON text when its values have the
    /// model's types, else through [`crate::lenient`] (text for a number, a lone entry for
    /// a list …), which reads the same where both can.
    pub fn read<T: DeserializeOwned>(self) -> Result<T, serde_json::Error> {
        match self.body {
            Body::Json(bytes) => match serde_json::from_slice(&bytes) {
                Ok(t) => Ok(t),
                Err(_) => crate::lenient::from_value(serde_json::from_slice(&bytes)?),
            },
            Body::Value(v) => crate::lenient::from_value(v),
        }
    }

    /// The answer as a JSON value, as it came.
    pub fn into_value(self) -> Result<Value, serde_json::Error> {
        match self.body {
            Body::Json(bytes) => serde_json::from_slice(&bytes),
            Body::Value(v) => Ok(v),
        }
    }
}

impl From<Value> for Answer {
    fn from(v: Value) -> Answer {
        let request_id = v
            .get("RequestId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        Answer {
            body: Body::Value(v),
            request_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Answer;
    use serde::Deserialize;

    #[derive(Deserialize, Debug, PartialEq)]
    #[serde(rename_all = "PascalCase")]
    struct Page {
        page_number: u32,
        #[serde(default)]
        items: Vec<String>,
    }

    fn parse(text: &str) -> Answer {
        Answer::parse(text.as_bytes().to_vec()).unwrap()
    }

    #[test]
    fn an_answer_reads_the_same_straight_or_leniently() {
        // The model's own types: read straight from the text.
        let a = parse(r#"{"RequestId":"r-1","PageNumber":2,"Items":["x"]}"#);
        assert_eq!(a.request_id(), "r-1");
        let straight: Page = a.read().unwrap();
        // Text for a number, a lone entry for a list: the lenient reader, same model.
        let lenient: Page = parse(r#"{"RequestId":"r-2","PageNumber":"2","Items":"x"}"#)
            .read()
            .unwrap();
        assert_eq!(straight, lenient);
        // A value that is neither is refused, naming the key.
        let e = parse(r#"{"PageNumber":"two"}"#).read::<Page>().unwrap_err();
        assert!(e.to_string().contains("PageNumber"), "{e}");
    }

    #[test]
    fn what_is_not_json_or_xml_is_refused_and_odd_json_is_kept() {
        assert!(Answer::parse(b"<html".to_vec()).is_err());
        assert!(Answer::parse(b"not json".to_vec()).is_err());
        assert!(Answer::parse(b"{\"RequestId\":".to_vec()).is_err());
        // A repeated key: the last one counts, as when read into a value.
        let a = parse(r#"{"RequestId":"a","RequestId":"b","PageNumber":1}"#);
        assert_eq!(a.request_id(), "b");
        // A RequestId that is not text is none; an array is JSON still.
        assert_eq!(parse(r#"{"RequestId":7}"#).request_id(), "");
        assert_eq!(parse("[1]").into_value().unwrap(), serde_json::json!([1]));
        // XML, read as JSON.
        let x =
            Answer::parse(b"<R><RequestId>r-3</RequestId><PageNumber>4</PageNumber></R>".to_vec())
                .unwrap();
        assert_eq!(x.request_id(), "r-3");
        assert_eq!(x.read::<Page>().unwrap().page_number, 4);
    }
}
