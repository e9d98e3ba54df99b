//! Reads a JSON value into a typed model, converting where the model asks: text to a
//! number or a boolean, a number to text, a lone object to a one-element list, an empty
//! element to an empty struct. XML answers need it (all their values are text), and it
//! tolerates the API's occasional `"2"` for a number in JSON too.

use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
use serde::forward_to_deserialize_any;
use serde_json::Value;

/// Like `serde_json::from_value`, but lenient about scalar types (see the module).
pub fn from_value<T: DeserializeOwned>(v: Value) -> Result<T, serde_json::Error> {
    T::deserialize(Lenient(v))
}

struct Lenient(Value);

impl<'de> IntoDeserializer<'de, serde_json::Error> for Lenient {
    type Deserializer = Lenient;
    fn into_deserializer(self) -> Lenient {
        self
    }
}

macro_rules! number {
    ($method:ident, $visit:ident, $t:ty) => {
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
            match self.0 {
                Value::String(s) => match s.trim().parse::<$t>() {
                    Ok(n) => visitor.$visit(n),
                    Err(_) if s.trim().is_empty() => visitor.$visit(<$t>::default()),
                    Err(_) => Err(de::Error::custom(format!("expected a number, found {s:?}"))),
                },
                other => other.$method(visitor),
            }
        }
    };
}

impl<'de> de::Deserializer<'de> for Lenient {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Array(items) => {
                visitor.visit_seq(SeqDeserializer::new(items.into_iter().map(Lenient)))
            }
            Value::Object(map) => visitor.visit_map(MapDeserializer::new(
                map.into_iter().map(|(k, v)| (k, Lenient(v))),
            )),
            other => other.deserialize_any(visitor),
        }
    }

    number!(deserialize_i8, visit_i8, i8);
    number!(deserialize_i16, visit_i16, i16);
    number!(deserialize_i32, visit_i32, i32);
    number!(deserialize_i64, visit_i64, i64);
    number!(deserialize_u8, visit_u8, u8);
    number!(deserialize_u16, visit_u16, u16);
    number!(deserialize_u32, visit_u32, u32);
    number!(deserialize_u64, visit_u64, u64);
    number!(deserialize_f32, visit_f32, f32);
    number!(deserialize_f64, visit_f64, f64);

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::String(s) => match s.trim() {
                "true" | "True" | "1" => visitor.visit_bool(true),
                // Not "": an empty value is no answer (sixth attack run: `Protection=""` was
                // read, and sent, as false).
                "false" | "False" | "0" => visitor.visit_bool(false),
                other => Err(de::Error::custom(format!(
                    "expected true or false, found {other:?}"
                ))),
            },
            other => other.deserialize_bool(visitor),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Number(n) => visitor.visit_string(n.to_string()),
            Value::Bool(b) => visitor.visit_string(b.to_string()),
            Value::Null => visitor.visit_string(String::new()),
            other => other.deserialize_string(visitor),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.deserialize_string(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            v => visitor.visit_some(Lenient(v)),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Array(items) => {
                visitor.visit_seq(SeqDeserializer::new(items.into_iter().map(Lenient)))
            }
            Value::Null => visitor.visit_seq(SeqDeserializer::new(std::iter::empty::<Lenient>())),
            Value::String(s) if s.is_empty() => {
                visitor.visit_seq(SeqDeserializer::new(std::iter::empty::<Lenient>()))
            }
            one => visitor.visit_seq(SeqDeserializer::new(std::iter::once(Lenient(one)))),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Object(map) => visitor.visit_map(Keyed {
                entries: map.into_iter(),
                value: None,
            }),
            Value::Null => {
                visitor.visit_map(MapDeserializer::new(std::iter::empty::<(String, Lenient)>()))
            }
            Value::String(s) if s.is_empty() => {
                visitor.visit_map(MapDeserializer::new(std::iter::empty::<(String, Lenient)>()))
            }
            other => other.deserialize_map(visitor),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.deserialize_map(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_enum(name, variants, visitor)
    }

    forward_to_deserialize_any! {
        char bytes byte_buf unit unit_struct tuple tuple_struct identifier ignored_any
    }
}

/// A map whose value errors name their key (`PageSize: expected a number, found "x"`),
/// so that a refused request says which parameter was wrong.
struct Keyed {
    entries: serde_json::map::IntoIter,
    value: Option<(String, Value)>,
}

impl<'de> de::MapAccess<'de> for Keyed {
    type Error = serde_json::Error;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        match self.entries.next() {
            Some((k, v)) => {
                // Read from the key in place (a field name): no copy of it per entry.
                let key =
                    seed.deserialize(de::value::StrDeserializer::<serde_json::Error>::new(&k))?;
                self.value = Some((k, v));
                Ok(Some(key))
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<S: de::DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<S::Value, Self::Error> {
        let (k, v) = self
            .value
            .take()
            .ok_or_else(|| de::Error::custom("a value without its key"))?;
        seed.deserialize(Lenient(v))
            .map_err(|e| de::Error::custom(format!("{k}: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Deserialize, Debug, PartialEq)]
    struct T {
        n: u32,
        s: String,
        b: bool,
        list: Vec<u8>,
        o: Option<i64>,
    }

    #[test]
    fn converts_where_the_model_asks() {
        let t: T =
            super::from_value(json!({"n": "7", "s": 14, "b": "true", "list": "3", "o": "-2"}))
                .unwrap();
        assert_eq!(
            t,
            T {
                n: 7,
                s: "14".into(),
                b: true,
                list: vec![3],
                o: Some(-2)
            }
        );
        assert!(super::from_value::<T>(
            json!({"n": "x", "s": "", "b": true, "list": [], "o": null})
        )
        .is_err());
    }
}
