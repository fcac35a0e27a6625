//! Answers to JavaScript without JSON: a serde `Serializer` that writes a compact token stream
//! into linear memory, which `js/decode.js` (appended to the generated glue by
//! `scripts/build`) turns into plain objects in one call across the boundary.
//!
//! The shape is exactly serde_json's (`oncall … --format json`, then `JSON.parse`): structs and
//! maps are objects, sequences and tuples arrays, `None` and unit `null`, unit variants strings,
//! other variants `{variant: …}`, non-finite floats `null`, integers numbers (rounded to the
//! nearest double past 2^53, as `JSON.parse` does).
//!
//! Tokens are `u32` words, `payload << 4 | tag`. Strings an answer repeats (names, types, keys)
//! are interned per configuration: the first time one is seen it is pushed onto a JS array the
//! decoder reads by index; after that only its index crosses. Other strings (instants, long
//! messages) go as UTF-8 bytes in a second buffer.

use serde::ser::{self, Serialize};
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use wasm_bindgen::prelude::*;

const NULL: u32 = 0;
const FALSE: u32 = 1;
const TRUE: u32 = 2;
/// A whole number 0 ..= 2^28 - 1 in the payload.
const SMALL: u32 = 3;
/// A double in the next two words (low, high).
const DOUBLE: u32 = 4;
/// An interned string: the payload is its index in the table.
const INTERNED: u32 = 5;
/// A string of `payload` UTF-8 bytes, next in the byte buffer.
const INLINE: u32 = 6;
const ARRAY: u32 = 7;
const OBJECT: u32 = 8;
const END: u32 = 9;

/// The most strings one table interns (then strings go inline).
const MAX_INTERNED: usize = 1 << 16;
/// The longest string interned, in bytes.
const MAX_INTERNED_LEN: usize = 64;

#[wasm_bindgen]
extern "C" {
    /// `js/decode.js`: the value encoded at `tokens` (see [`encode`]); `memory` is this
    /// module's memory, `table` the interned strings (or `undefined`).
    #[wasm_bindgen(js_name = __oncall_decode)]
    fn decode_js(memory: &JsValue, tokens: u32, table: &JsValue) -> JsValue;
}

/// FxHash: a fast hash for short keys (no HashDoS concern: the keys are the answers' strings).
#[derive(Default)]
struct Fx(u64);

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }
    fn write_u8(&mut self, b: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// The interned strings of one configuration: Rust's index and the JS array decode reads.
pub struct Strings {
    index: HashMap<Box<str>, u32, BuildHasherDefault<Fx>>,
    js: js_sys::Array,
}

impl Strings {
    pub fn new() -> Strings {
        Strings { index: HashMap::default(), js: js_sys::Array::new() }
    }

    /// The JS array of the strings, by index.
    pub fn table(&self) -> JsValue {
        self.js.clone().into()
    }
}

#[derive(Default)]
struct Buffers {
    words: Vec<u32>,
    bytes: Vec<u8>,
}

thread_local! {
    static BUFFERS: RefCell<Buffers> = RefCell::new(Buffers::default());
    static MEMORY: JsValue = wasm_bindgen::memory();
}

/// Encodes `value`, interning its strings in `strings` (none when `None`): the address of the
/// tokens, whose first word is the address of the bytes. Valid until the next call.
pub fn encode<T: Serialize + ?Sized>(value: &T, strings: Option<&RefCell<Strings>>) -> Result<u32, Error> {
    let mut guard = strings.map(RefCell::borrow_mut);
    BUFFERS.with(|b| {
        let mut b = b.borrow_mut();
        let Buffers { words, bytes } = &mut *b;
        words.clear();
        bytes.clear();
        words.push(0);
        let mut e = Encoder { words, bytes, strings: guard.as_deref_mut() };
        value.serialize(&mut e)?;
        words[0] = bytes.as_ptr() as u32;
        Ok(words.as_ptr() as u32)
    })
}

/// The JS value of tokens from [`encode`].
pub fn decode(tokens: u32, table: &JsValue) -> JsValue {
    MEMORY.with(|m| decode_js(m, tokens, table))
}

struct Encoder<'a> {
    words: &'a mut Vec<u32>,
    bytes: &'a mut Vec<u8>,
    strings: Option<&'a mut Strings>,
}

/// An error of a `Serialize` implementation (none of the engine's answers has one).
#[derive(Debug)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<M: fmt::Display>(msg: M) -> Self {
        Error(msg.to_string())
    }
}

/// An instant as the engine writes it (`2026-11-10T08:00:00Z`): never interned, every answer
/// has new ones.
fn looks_like_instant(b: &[u8]) -> bool {
    b.len() == 20 && b[4] == b'-' && b[10] == b'T' && b[19] == b'Z'
}

impl Encoder<'_> {
    fn str(&mut self, s: &str) {
        if let Some(t) = self.strings.as_deref_mut()
            && s.len() <= MAX_INTERNED_LEN
            && !looks_like_instant(s.as_bytes())
        {
            if let Some(&i) = t.index.get(s) {
                self.words.push(i << 4 | INTERNED);
                return;
            }
            if t.index.len() < MAX_INTERNED {
                let i = t.index.len() as u32;
                t.index.insert(s.into(), i);
                t.js.push(&JsValue::from_str(s));
                self.words.push(i << 4 | INTERNED);
                return;
            }
        }
        self.words.push((s.len() as u32) << 4 | INLINE);
        self.bytes.extend_from_slice(s.as_bytes());
    }

    fn f64(&mut self, v: f64) {
        if !v.is_finite() {
            self.words.push(NULL);
        } else if v >= 0.0 && v < f64::from(1u32 << 28) && v.fract() == 0.0 {
            self.words.push((v as u32) << 4 | SMALL);
        } else {
            let bits = v.to_bits();
            self.words.extend_from_slice(&[DOUBLE, bits as u32, (bits >> 32) as u32]);
        }
    }

    fn u64(&mut self, v: u64) {
        if v < 1 << 28 { self.words.push((v as u32) << 4 | SMALL) } else { self.f64(v as f64) }
    }

    fn i64(&mut self, v: i64) {
        if v >= 0 { self.u64(v as u64) } else { self.f64(v as f64) }
    }
}

type Res = Result<(), Error>;

/// Serializer methods for numbers: each widens its value to the encoder's `i64`, `u64` or `f64`.
macro_rules! numbers {
    ($($method:ident($t:ty) => $wide:ident),* $(,)?) => {$(
        fn $method(self, v: $t) -> Res {
            self.$wide(v.into());
            Ok(())
        }
    )*};
}

impl<'a, 'b> ser::Serializer for &'a mut Encoder<'b> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn serialize_bool(self, v: bool) -> Res {
        self.words.push(if v { TRUE } else { FALSE });
        Ok(())
    }
    numbers! {
        serialize_i8(i8) => i64, serialize_i16(i16) => i64, serialize_i32(i32) => i64, serialize_i64(i64) => i64,
        serialize_u8(u8) => u64, serialize_u16(u16) => u64, serialize_u32(u32) => u64, serialize_u64(u64) => u64,
        serialize_f32(f32) => f64, serialize_f64(f64) => f64
    }
    fn serialize_char(self, v: char) -> Res {
        self.str(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Res {
        self.str(v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Res {
        self.words.push(ARRAY);
        for &b in v {
            self.u64(b.into());
        }
        self.words.push(END);
        Ok(())
    }
    fn serialize_none(self) -> Res {
        self.words.push(NULL);
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Res {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Res {
        self.words.push(NULL);
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Res {
        self.words.push(NULL);
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Res {
        self.str(variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Res {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Res {
        self.words.push(OBJECT);
        self.str(variant);
        value.serialize(&mut *self)?;
        self.words.push(END);
        Ok(())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self, Error> {
        self.words.push(ARRAY);
        Ok(self)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self, Error> {
        self.words.push(ARRAY);
        Ok(self)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, Error> {
        self.words.push(ARRAY);
        Ok(self)
    }
    fn serialize_tuple_variant(self, _: &'static str, _: u32, variant: &'static str, _: usize) -> Result<Self, Error> {
        self.words.push(OBJECT);
        self.str(variant);
        self.words.push(ARRAY);
        Ok(self)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, Error> {
        self.words.push(OBJECT);
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Error> {
        self.words.push(OBJECT);
        Ok(self)
    }
    fn serialize_struct_variant(self, _: &'static str, _: u32, variant: &'static str, _: usize) -> Result<Self, Error> {
        self.words.push(OBJECT);
        self.str(variant);
        self.words.push(OBJECT);
        Ok(self)
    }
}

/// Sequences, tuples and tuple structs: their elements, then the end of the list.
macro_rules! list_like {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for &mut Encoder<'_> {
            type Ok = ();
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Res {
                value.serialize(&mut **self)
            }
            fn end(self) -> Res {
                self.words.push(END);
                Ok(())
            }
        }
    )*};
}

list_like!(SerializeSeq::serialize_element, SerializeTuple::serialize_element, SerializeTupleStruct::serialize_field);

impl ser::SerializeTupleVariant for &mut Encoder<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Res {
        value.serialize(&mut **self)
    }
    fn end(self) -> Res {
        self.words.extend_from_slice(&[END, END]);
        Ok(())
    }
}

impl ser::SerializeMap for &mut Encoder<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Res {
        key.serialize(KeyEncoder(self))
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Res {
        value.serialize(&mut **self)
    }
    fn end(self) -> Res {
        self.words.push(END);
        Ok(())
    }
}

impl ser::SerializeStruct for &mut Encoder<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Res {
        self.str(key);
        value.serialize(&mut **self)
    }
    fn end(self) -> Res {
        self.words.push(END);
        Ok(())
    }
}

impl ser::SerializeStructVariant for &mut Encoder<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Res {
        self.str(key);
        value.serialize(&mut **self)
    }
    fn end(self) -> Res {
        self.words.extend_from_slice(&[END, END]);
        Ok(())
    }
}

/// Map keys: strings, and whole numbers written as strings (as serde_json does).
struct KeyEncoder<'a, 'b>(&'a mut Encoder<'b>);

fn key_error() -> Error {
    Error("a map key must be a string".to_string())
}

impl ser::Serializer for KeyEncoder<'_, '_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = ser::Impossible<(), Error>;
    type SerializeTuple = ser::Impossible<(), Error>;
    type SerializeTupleStruct = ser::Impossible<(), Error>;
    type SerializeTupleVariant = ser::Impossible<(), Error>;
    type SerializeMap = ser::Impossible<(), Error>;
    type SerializeStruct = ser::Impossible<(), Error>;
    type SerializeStructVariant = ser::Impossible<(), Error>;

    fn serialize_str(self, v: &str) -> Res {
        self.0.str(v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Res {
        self.0.str(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Res {
        self.0.str(variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Res {
        value.serialize(self)
    }
    fn serialize_i64(self, v: i64) -> Res {
        self.0.str(&v.to_string());
        Ok(())
    }
    fn serialize_u64(self, v: u64) -> Res {
        self.0.str(&v.to_string());
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Res {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Res {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Res {
        self.serialize_i64(v.into())
    }
    fn serialize_u8(self, v: u8) -> Res {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Res {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Res {
        self.serialize_u64(v.into())
    }
    fn serialize_bool(self, _: bool) -> Res {
        Err(key_error())
    }
    fn serialize_f32(self, _: f32) -> Res {
        Err(key_error())
    }
    fn serialize_f64(self, _: f64) -> Res {
        Err(key_error())
    }
    fn serialize_bytes(self, _: &[u8]) -> Res {
        Err(key_error())
    }
    fn serialize_none(self) -> Res {
        Err(key_error())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Res {
        Err(key_error())
    }
    fn serialize_unit(self) -> Res {
        Err(key_error())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Res {
        Err(key_error())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(self, _: &'static str, _: u32, _: &'static str, _: &T) -> Res {
        Err(key_error())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(key_error())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Error> {
        Err(key_error())
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, Error> {
        Err(key_error())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(key_error())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(key_error())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Error> {
        Err(key_error())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(key_error())
    }
}
