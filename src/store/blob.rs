//! Canonical JSON, content hashes and compression for the `blobs` table.
//!
//! Canonical JSON is what makes content addressing work: the same value must give the same bytes on every run and on
//! every machine, whatever order Tray sent the keys in. This module must never change the canonical form of a value
//! that is already stored (hashes would stop matching), and never trust a stored blob's length blindly.

use serde_json::Value;

/// First 16 bytes of BLAKE3: ample to address the catalog's content, half the size of the full digest.
pub type Hash = [u8; 16];

pub fn hash_bytes(bytes: &[u8]) -> Hash {
    let digest = blake3::hash(bytes);
    let mut out = [0u8; 16];
    out.copy_from_slice(&digest.as_bytes()[..16]);
    out
}

/// Hex form of a hash, for messages and fingerprints.
pub fn hex(hash: &[u8]) -> String {
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes `value` as canonical JSON: object keys sorted by their UTF-8 bytes, no insignificant whitespace,
/// strings and numbers as serde_json prints them.
pub fn canonical_json(value: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Object(map) => {
            // serde_json's map is already sorted unless some crate turns on `preserve_order`; sorting here keeps the
            // hashes stable even then.
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push(b'{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_scalar(&Value::String(key.clone()), out);
                out.push(b':');
                write_canonical(item, out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out);
            }
            out.push(b']');
        }
        scalar => write_scalar(scalar, out),
    }
}

fn write_scalar(value: &Value, out: &mut Vec<u8>) {
    // Serialising a scalar into a Vec cannot fail.
    serde_json::to_writer(&mut *out, value).unwrap_or_default();
}

/// How a blob's bytes are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    Raw = 0,
    Zstd = 1,
    ZstdDict = 2,
}

impl Codec {
    pub fn from_i64(n: i64) -> Option<Codec> {
        match n {
            0 => Some(Codec::Raw),
            1 => Some(Codec::Zstd),
            2 => Some(Codec::ZstdDict),
            _ => None,
        }
    }
}

/// zstd level for blobs: level 9 is still far faster than the network and worth it on small JSON.
pub const ZSTD_LEVEL: i32 = 9;

/// Bytes of fresh blobs gathered before a dictionary is trained (first crawl only).
pub const DICT_TRAINING_BYTES: usize = 4 << 20;

/// Size of the trained zstd dictionary.
pub const DICT_SIZE: usize = 96 << 10;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_json_sorts_keys_and_drops_whitespace() {
        let a: Value = serde_json::from_str(r#"{ "b": 1, "a": {"z": [1, 2], "y": "x"} }"#).unwrap();
        assert_eq!(canonical_json(&a), br#"{"a":{"y":"x","z":[1,2]},"b":1}"#);
    }

    #[test]
    fn canonical_json_escapes_strings() {
        let v = json!({"k\"ey": "line\nbreak \u{1F600}"});
        let bytes = canonical_json(&v);
        let back: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn equal_values_hash_equal_whatever_the_key_order() {
        let a: Value = serde_json::from_str(r#"{"x":1,"y":2}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"y":2,"x":1}"#).unwrap();
        assert_eq!(
            hash_bytes(&canonical_json(&a)),
            hash_bytes(&canonical_json(&b))
        );
        assert_ne!(
            hash_bytes(&canonical_json(&a)),
            hash_bytes(&canonical_json(&json!({"x":1,"y":3})))
        );
    }
}
