//! The invalidation path validator, encoder and planner: never a panic; encoding twice equals
//! encoding once; decoding an encoded path without escapes of its own gives it back.
#![no_main]

use libfuzzer_sys::fuzz_target;

fn decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(byte) = hex {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let items: Vec<&str> = text.split('\n').collect();
    let _ = cloudfront_invalidate::paths::validate(&items);
    let _ = cloudfront_invalidate::plan::plan(&items, "fuzz", &Default::default());
    for item in &items {
        let once = cloudfront_invalidate::paths::encode(item);
        assert_eq!(cloudfront_invalidate::paths::encode(&once), once, "encoding {item:?} twice");
        if !item.contains('%') && !item.starts_with('#') {
            assert_eq!(decode(&once), item.as_bytes(), "decoding the encoding of {item:?}");
        }
    }
});
