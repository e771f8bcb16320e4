//! The one source of randomness of the crates: the standard library's per-process random hash
//! keys mixed with the clock and a counter. Plenty for unique tokens and retry jitter; not for
//! secrets (nothing here needs one).

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

/// 64 random bits.
pub fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos()));
    hasher.finish()
}

#[cfg(test)]
mod tests {
    #[test]
    fn draws_differ() {
        let draws: std::collections::BTreeSet<u64> = (0..1000).map(|_| super::random_u64()).collect();
        assert_eq!(draws.len(), 1000);
    }
}
