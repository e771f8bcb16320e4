use std::cell::RefCell;

/// A random version-4 UUID for `@idempotencyToken` members the caller left empty.
///
/// Its bits come from [`crate::random_u64`], plenty for uniqueness (this is not a secret).
pub fn idempotency_token() -> String {
    if let Some(fixed) = FIXED_TOKEN.with(|t| t.borrow().clone()) {
        return fixed;
    }
    let words = [crate::random_u64(), crate::random_u64()];
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&words[0].to_be_bytes());
    bytes[8..].copy_from_slice(&words[1].to_be_bytes());
    bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
    let hex = crate::percent::hex(&bytes);
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

thread_local! {
    static FIXED_TOKEN: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs `f` with [`idempotency_token`] returning `token` on this thread, so tests can check
/// auto-filled tokens (the Smithy protocol tests expect a fixed one).
pub fn with_fixed_idempotency_token<T>(token: &str, f: impl FnOnce() -> T) -> T {
    let previous = FIXED_TOKEN.with(|t| t.replace(Some(token.to_owned())));
    let result = f();
    FIXED_TOKEN.with(|t| *t.borrow_mut() = previous);
    result
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_v4_uuids_and_differ() {
        let a = super::idempotency_token();
        let b = super::idempotency_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
    }
}
