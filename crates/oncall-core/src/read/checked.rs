//! The typed read of a JSON text that keeps the reading rules in the same pass: a valid
//! document is read once, straight into [`Document`].
//!
//! [`Checked`] wraps serde_json's deserializer and passes every node through to the document's
//! own (derived) readers, refusing on the way anything the scan of the [parent module](super)
//! would stop at or send to the collector:
//!
//! - a string longer than `maxNameBytes` (`maxTextBytes` under a key of
//!   [`TEXT_FIELDS`](super::TEXT_FIELDS), and in lists below one), an object key longer than
//!   `maxNameBytes`;
//! - nesting deeper than `maxDepth`, more than `maxListLen` items in a list or keys in an
//!   object;
//! - a repeated key: a derived struct refuses its repeated fields itself (every struct of the
//!   document denies unknown fields, so every key of a struct is a field; a unit test keeps
//!   that true), every other object (`role`'s free JSON, the fields read and ignored, a
//!   participant object) is checked here;
//! - a list where a struct is read (serde would read it by position; the collector calls it an
//!   error), a non-finite number, binary data, an enum.
//!
//! It answers only yes (the document) or no: a refused text goes to the scan and the
//! path-tracking reader, which say why in the same words as always. So what it accepts is read
//! exactly as the typed read after the scan reads it, and anything it refuses costs one wasted
//! pass before the explanation.

use super::is_text_field;
use crate::Limits;
use crate::config::Document;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

/// The document of `text` when it reads within `limits` and keeps every reading rule; None
/// when anything is refused (the caller explains why).
pub(super) fn document(text: &str, limits: &Limits) -> Option<Document> {
    let mut de = serde_json::Deserializer::from_str(text);
    let doc = Document::deserialize(Checked { de: &mut de, cx: Cx { limits, depth: 0, text: false } }).ok()?;
    de.end().ok()?;
    Some(doc)
}

/// The error of a refused node: never shown (the explaining reader says why).
fn refused<E: de::Error>() -> E {
    E::custom("refused by the checked read")
}

/// Where a node is: its depth (the root object is at 1) and whether its strings are free text.
#[derive(Clone, Copy)]
struct Cx<'l> {
    limits: &'l Limits,
    depth: usize,
    text: bool,
}

impl<'l> Cx<'l> {
    fn string<E: de::Error>(self, len: usize) -> Result<(), E> {
        let max = if self.text { self.limits.max_text_bytes } else { self.limits.max_name_bytes };
        if len > max { Err(refused()) } else { Ok(()) }
    }

    /// The context of the items or values of a list or object here.
    fn enter<E: de::Error>(self) -> Result<Cx<'l>, E> {
        if self.depth >= self.limits.max_depth {
            return Err(refused());
        }
        Ok(Cx { depth: self.depth + 1, ..self })
    }
}

/// A deserializer whose every node is checked before the reader sees it.
struct Checked<'l, D> {
    de: D,
    cx: Cx<'l>,
}

macro_rules! forward {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
                self.de.$method(Wrap { v, cx: self.cx, strict: false })
            }
        )*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Checked<'_, D> {
    type Error = D::Error;

    forward! {
        deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64 deserialize_char deserialize_str deserialize_string
        deserialize_bytes deserialize_byte_buf deserialize_option deserialize_unit deserialize_seq
        deserialize_map deserialize_identifier
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, name: &'static str, v: V) -> Result<V::Value, D::Error> {
        self.de.deserialize_unit_struct(name, Wrap { v, cx: self.cx, strict: false })
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, name: &'static str, v: V) -> Result<V::Value, D::Error> {
        self.de.deserialize_newtype_struct(name, Wrap { v, cx: self.cx, strict: false })
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, v: V) -> Result<V::Value, D::Error> {
        self.de.deserialize_tuple(len, Wrap { v, cx: self.cx, strict: false })
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.de.deserialize_tuple_struct(name, len, Wrap { v, cx: self.cx, strict: false })
    }

    /// A struct: from an object only.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.de.deserialize_struct(name, fields, Wrap { v, cx: self.cx, strict: true })
    }

    /// The document has no enums.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, D::Error> {
        Err(refused())
    }

    /// What is ignored is checked all the same: read as any value.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        self.de.deserialize_any(Wrap { v, cx: self.cx, strict: false })
    }

    fn is_human_readable(&self) -> bool {
        self.de.is_human_readable()
    }
}

/// A visitor that checks what it is given before its reader `v` sees it; `strict` for a
/// struct's reader (no list).
struct Wrap<'l, V> {
    v: V,
    cx: Cx<'l>,
    strict: bool,
}

macro_rules! pass {
    ($($method:ident: $ty:ty),*) => {
        $(
            fn $method<E: de::Error>(self, n: $ty) -> Result<Self::Value, E> {
                self.v.$method(n)
            }
        )*
    };
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Wrap<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.v.expecting(f)
    }

    pass! {
        visit_bool: bool, visit_i8: i8, visit_i16: i16, visit_i32: i32, visit_i64: i64, visit_i128: i128,
        visit_u8: u8, visit_u16: u16, visit_u32: u32, visit_u64: u64, visit_u128: u128
    }

    fn visit_f32<E: de::Error>(self, n: f32) -> Result<Self::Value, E> {
        if !n.is_finite() {
            return Err(refused());
        }
        self.v.visit_f32(n)
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
        if !n.is_finite() {
            return Err(refused());
        }
        self.v.visit_f64(n)
    }

    fn visit_char<E: de::Error>(self, c: char) -> Result<Self::Value, E> {
        self.cx.string(c.len_utf8())?;
        self.v.visit_char(c)
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        self.cx.string(s.len())?;
        self.v.visit_str(s)
    }

    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
        self.cx.string(s.len())?;
        self.v.visit_borrowed_str(s)
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
        self.cx.string(s.len())?;
        self.v.visit_string(s)
    }

    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Self::Value, E> {
        Err(refused())
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.v.visit_none()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.v.visit_some(Checked { de: d, cx: self.cx })
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.v.visit_unit()
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.v.visit_newtype_struct(Checked { de: d, cx: self.cx })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        if self.strict {
            return Err(refused());
        }
        let cx = self.cx.enter()?;
        self.v.visit_seq(Seq { seq, cx, n: 0 })
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let cx = self.cx.enter()?;
        // A struct's reader refuses its own repeated fields.
        let keys = (!self.strict).then(Keys::default);
        self.v.visit_map(Map { map, cx, key: KeyState { limits: cx.limits, n: 0, text: false, keys } })
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(refused())
    }
}

/// The items of a list, counted.
struct Seq<'l, A> {
    seq: A,
    cx: Cx<'l>,
    n: usize,
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Seq<'_, A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, A::Error> {
        let item = self.seq.next_element_seed(Seed { seed, cx: self.cx })?;
        if item.is_some() {
            if self.n == self.cx.limits.max_list_len {
                return Err(refused());
            }
            self.n += 1;
        }
        Ok(item)
    }

    fn size_hint(&self) -> Option<usize> {
        self.seq.size_hint()
    }
}

/// A value read by `seed` from a checked deserializer.
struct Seed<'l, S> {
    seed: S,
    cx: Cx<'l>,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<'_, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.seed.deserialize(Checked { de: d, cx: self.cx })
    }
}

/// The entries of an object.
struct Map<'de, 'l, A> {
    map: A,
    /// The context of the values (`text` is set per key).
    cx: Cx<'l>,
    key: KeyState<'de, 'l>,
}

/// What the keys of one object have been so far.
struct KeyState<'de, 'l> {
    limits: &'l Limits,
    /// Keys read.
    n: usize,
    /// The last key is a free-text key.
    text: bool,
    /// The keys read, when this object's reader does not refuse repeated ones itself.
    keys: Option<Keys<'de>>,
}

impl<'de> KeyState<'de, '_> {
    /// Checks the key `k` (`borrowed` when it is a slice of the text).
    fn key<E: de::Error>(&mut self, k: &str, borrowed: Option<&'de str>) -> Result<(), E> {
        if k.len() > self.limits.max_name_bytes || self.n == self.limits.max_list_len {
            return Err(refused());
        }
        self.n += 1;
        if let Some(keys) = &mut self.keys
            && !keys.insert(k, borrowed)
        {
            return Err(refused());
        }
        self.text = is_text_field(k);
        Ok(())
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Map<'de, '_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
        self.map.next_key_seed(Key { seed, st: &mut self.key })
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.map.next_value_seed(Seed { seed, cx: Cx { text: self.key.text, ..self.cx } })
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

/// The keys of an object: the first few in place (small, as it is moved with the object's
/// reader), then a set.
#[derive(Default)]
struct Keys<'de> {
    few: [&'de str; 4],
    len: usize,
    many: Option<HashSet<Cow<'de, str>>>,
}

impl<'de> Keys<'de> {
    /// Adds `k`; false when it was there.
    fn insert(&mut self, k: &str, borrowed: Option<&'de str>) -> bool {
        if let Some(many) = &mut self.many {
            return many.insert(borrowed.map_or_else(|| Cow::Owned(k.to_owned()), Cow::Borrowed));
        }
        if self.few[..self.len].contains(&k) {
            return false;
        }
        match borrowed {
            Some(b) if self.len < self.few.len() => {
                self.few[self.len] = b;
                self.len += 1;
            }
            _ => {
                let mut many: HashSet<Cow<'de, str>> = self.few[..self.len].iter().map(|k| Cow::Borrowed(*k)).collect();
                many.insert(borrowed.map_or_else(|| Cow::Owned(k.to_owned()), Cow::Borrowed));
                self.many = Some(many);
            }
        }
        true
    }
}

/// A key read by `seed`, checked on the way.
struct Key<'a, 'de, 'l, K> {
    seed: K,
    st: &'a mut KeyState<'de, 'l>,
}

impl<'de, K: DeserializeSeed<'de>> DeserializeSeed<'de> for Key<'_, 'de, '_, K> {
    type Value = K::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<K::Value, D::Error> {
        self.seed.deserialize(KeyDe { de: d, st: self.st })
    }
}

/// The deserializer of a key.
struct KeyDe<'a, 'de, 'l, D> {
    de: D,
    st: &'a mut KeyState<'de, 'l>,
}

macro_rules! forward_key {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
                self.de.$method(KeyVisit { v, st: self.st })
            }
        )*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for KeyDe<'_, 'de, '_, D> {
    type Error = D::Error;

    forward_key! {
        deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64 deserialize_char deserialize_str deserialize_string
        deserialize_bytes deserialize_byte_buf deserialize_option deserialize_unit deserialize_seq
        deserialize_map deserialize_identifier
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, name: &'static str, v: V) -> Result<V::Value, D::Error> {
        self.de.deserialize_unit_struct(name, KeyVisit { v, st: self.st })
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, name: &'static str, v: V) -> Result<V::Value, D::Error> {
        self.de.deserialize_newtype_struct(name, KeyVisit { v, st: self.st })
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, v: V) -> Result<V::Value, D::Error> {
        self.de.deserialize_tuple(len, KeyVisit { v, st: self.st })
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.de.deserialize_tuple_struct(name, len, KeyVisit { v, st: self.st })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.de.deserialize_struct(name, fields, KeyVisit { v, st: self.st })
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, D::Error> {
        Err(refused())
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        self.de.deserialize_any(KeyVisit { v, st: self.st })
    }

    fn is_human_readable(&self) -> bool {
        self.de.is_human_readable()
    }
}

/// The visitor of a key: text only (a JSON key always is), checked before `v` sees it.
struct KeyVisit<'a, 'de, 'l, V> {
    v: V,
    st: &'a mut KeyState<'de, 'l>,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for KeyVisit<'_, 'de, '_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.v.expecting(f)
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        self.st.key(s, None)?;
        self.v.visit_str(s)
    }

    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
        self.st.key(s, Some(s))?;
        self.v.visit_borrowed_str(s)
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
        self.st.key(&s, None)?;
        self.v.visit_string(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::*;
    use serde::de::DeserializeOwned;

    /// The checked read of `text`, which must agree with the path-tracking reader alone (the
    /// reader of every text before the checked read, and of every text it refuses).
    fn read(text: &str, limits: &Limits) -> Option<Document> {
        let got = document(text, limits);
        let explained = super::super::json_explained(text, limits);
        if let Some(doc) = &got {
            assert_eq!(Ok(doc), explained.as_ref(), "{text}");
        }
        assert_eq!(super::super::json(text, limits), explained, "{text}");
        got
    }

    fn ok(text: &str, limits: &Limits) {
        assert!(read(text, limits).is_some(), "refused: {text}");
    }

    fn refused(text: &str, limits: &Limits) {
        assert!(read(text, limits).is_none(), "accepted: {text}");
    }

    fn repo(path: &str) -> String {
        let path = format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn valid_documents_read_in_one_pass() {
        let l = Limits::default();
        for path in ["examples/payments.json", "benches/data/realistic.json", "benches/data/small.json"] {
            ok(&repo(path), &l);
        }
        // Every free part: `role`, the fields read and ignored, escaped keys and strings.
        ok(
            r#"{"$schema": "x", "users": [{"username": "a\u0041", "role": {"id": 1, "name": "Admin", "l": [1, [2, {"x": null}]]},
                "tags": ["a", "b"], "details": {"k": ["v"], "j": {"n": 1.5}}, "userAddress": {"city": "x"},
                "timeOff": [{"startDate": "2026-01-01", "endDate": "2026-01-02"}]}],
               "teams": [{"name": "t", "links": {"web": "w", "api": "a"}, "description": "free text"}],
               "payRules": [{"name": "p", "currency": "EUR", "baseRate": 10.5, "rates": [{"days": ["mon"], "rate": "12.50"}]}]}"#,
            &l,
        );
    }

    #[test]
    fn strings_and_keys_within_their_limits() {
        let l = Limits { max_name_bytes: 12, max_text_bytes: 16, ..Limits::default() };
        let name = |s: &str| format!(r#"{{"users": [{{"username": "{s}"}}]}}"#);
        ok(&name(&"x".repeat(12)), &l);
        refused(&name(&"x".repeat(13)), &l);
        // Text keys have the text limit, also in lists below them and in free JSON.
        ok(r#"{"teams": [{"name": "t", "description": "0123456789abcdef"}]}"#, &l);
        refused(r#"{"teams": [{"name": "t", "description": "0123456789abcdefg"}]}"#, &l);
        ok(r#"{"users": [{"username": "a", "role": {"description": ["0123456789abcdef"]}}]}"#, &l);
        refused(r#"{"users": [{"username": "a", "role": {"name": ["0123456789abc"]}}]}"#, &l);
        refused(r#"{"users": [{"username": "a", "role": {"description": {"x": "0123456789abc"}}}]}"#, &l);
        // Ignored fields are checked all the same, keys too.
        refused(r#"{"users": [{"username": "a", "tags": ["0123456789abc"]}]}"#, &l);
        refused(r#"{"users": [{"username": "a", "details": {"0123456789abc": 1}}]}"#, &l);
        // A field's own key longer than the limit.
        let tight = Limits { max_name_bytes: 8, ..Limits::default() };
        ok(r#"{"users": [{"username": "a", "fullName": "b"}]}"#, &tight);
        refused(r#"{"users": [{"username": "a", "notificationRules": []}]}"#, &tight);
        // An escaped string counts its bytes as read.
        refused(&name(r"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"), &l);
    }

    #[test]
    fn nesting_lists_and_keys_within_their_limits() {
        let text = r#"{"users":[{"username":"u","role":{"a":{"b":{}}}}]}"#;
        for (depth, accepted) in [(4, false), (5, false), (6, true)] {
            let l = Limits { max_depth: depth, ..Limits::default() };
            assert_eq!(read(text, &l).is_some(), accepted, "maxDepth {depth}");
        }
        let l = Limits { max_depth: 6, ..Limits::default() };
        refused(r#"{"users":[{"username":"a","tags":[[[[1]]]]}]}"#, &l);
        let l = Limits { max_list_len: 3, ..Limits::default() };
        ok(r#"{"users":[{"username":"a"},{"username":"b"},{"username":"c"}]}"#, &l);
        refused(r#"{"users":[{"username":"a"},{"username":"b"},{"username":"c"},{"username":"d"}]}"#, &l);
        refused(r#"{"users":[{"username":"a","tags":[1,2,3,4]}]}"#, &l);
        // Keys of an object: a struct's, and free JSON's.
        refused(r#"{"users":[{"username":"a","fullName":"b","locale":"c","timezone":"UTC"}]}"#, &l);
        refused(r#"{"users":[{"username":"a","role":{"a":1,"b":2,"c":3,"d":4}}]}"#, &l);
    }

    #[test]
    fn repeated_keys_anywhere() {
        let l = Limits::default();
        refused(r#"{"schedules":[{"name":"s"}],"schedules":[]}"#, &l);
        refused(r#"{"users":[{"username":"a","username":"b"}]}"#, &l);
        refused(r#"{"users":[{"username":"a","role":{"x":1,"x":2}}]}"#, &l);
        refused(r#"{"users":[{"username":"a","details":{"x":1,"y":{"z":1,"z":1}}}]}"#, &l);
        refused(r#"{"users":[{"username":"a","timezone":"UTC","timeZone":"UTC"}]}"#, &l);
        refused(
            r#"{"schedules":[{"name":"s","rotations":[{"type":"daily","startDate":"2026-01-01T00:00",
                "participants":[{"type":"user","username":"a","type":"user"}]}]}]}"#,
            &l,
        );
        // Escaped keys, and many keys (past the few kept in place).
        refused(r#"{"users":[{"username":"a","role":{"x":1,"\u0078":2}}]}"#, &l);
        let keys: Vec<String> = (0..40).map(|i| format!(r#""k{i}":1"#)).collect();
        ok(&format!(r#"{{"users":[{{"username":"a","role":{{{}}}}}]}}"#, keys.join(",")), &l);
        refused(&format!(r#"{{"users":[{{"username":"a","role":{{{},"k39":2}}}}]}}"#, keys.join(",")), &l);
        refused(&format!(r#"{{"users":[{{"username":"a","role":{{{},"k\u0033":2}}}}]}}"#, keys.join(",")), &l);
    }

    #[test]
    fn lists_where_structs_belong() {
        let l = Limits::default();
        // The collector calls these errors.
        refused(r#"{"schedules":[{"name":"s","rotations":[[null,"r","daily"]]}]}"#, &l);
        refused(
            r#"{"schedules":[{"name":"s","rotations":[{"type":"daily","startDate":"2026-01-01T00:00","participants":["a"],
                "timeRestriction":{"type":"time-of-day","restriction":[9,0,18,0]}}]}]}"#,
            &l,
        );
        // This one it reads (a time off is not one of its objects): refused here all the same,
        // and read as before.
        let text = r#"{"users":[{"username":"a","timeOff":[["2026-01-01","2026-01-02"]]}]}"#;
        refused(text, &l);
        assert!(super::super::json(text, &l).is_ok());
    }

    #[test]
    fn errors_are_refused() {
        let l = Limits::default();
        for text in ["", "null", "[]", r#"{"bogus":1}"#, r#"{"users":[{"username":5}]}"#, r#"{"users":[]} x"#, "{"] {
            refused(text, &l);
        }
        refused(r#"{"data": {"schedules": [{"name": "s"}]}, "took": 0.1, "requestId": "r"}"#, &l);
    }

    /// Every struct of the document refuses an unknown field, so a repeated key in a struct is
    /// a repeated field, which the derived reader refuses itself.
    #[test]
    fn every_struct_denies_unknown_fields() {
        fn denies<T: DeserializeOwned>() {
            let e = serde_json::from_str::<T>(r#"{"zz-unknown": 1}"#).err().map(|e| e.to_string());
            assert!(e.as_deref().is_some_and(|e| e.contains("unknown field")), "{}: {e:?}", std::any::type_name::<T>());
        }
        denies::<Document>();
        denies::<Integration>();
        denies::<PriorityMapping>();
        denies::<User>();
        denies::<Team>();
        denies::<TeamMember>();
        denies::<UserRef>();
        denies::<NameRef>();
        denies::<RoutingRule>();
        denies::<Criteria>();
        denies::<Condition>();
        denies::<Schedule>();
        denies::<Rotation>();
        denies::<RosterChange>();
        denies::<Participant>();
        denies::<TimeRestriction>();
        denies::<TimeOfDay>();
        denies::<WeekdaySpan>();
        denies::<Override>();
        denies::<ForwardingRule>();
        denies::<Escalation>();
        denies::<EscalationRule>();
        denies::<Delay>();
        denies::<Repeat>();
        denies::<NotificationRule>();
        denies::<NotificationStep>();
        denies::<Contact>();
        denies::<NotificationRepeat>();
        denies::<crate::pay::PayRule>();
        denies::<crate::pay::PayRate>();
        denies::<crate::pay::ShiftMinimum>();
        denies::<crate::timeoff::TimeOff>();
        denies::<crate::holiday::HolidayCalendarDoc>();
    }
}
