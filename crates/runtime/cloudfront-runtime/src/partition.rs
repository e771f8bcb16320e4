//! A partition of AWS: the facts the `aws.partition` endpoint function returns. The table
//! of every partition is generated (`partitions.rs`); looking a region up is `endpoint`'s.

/// The outputs of `aws.partition` (facts from the AWS partitions file).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Partition {
    /// The partition's name (`aws`, `aws-cn`, ...).
    pub name: &'static str,
    /// The DNS suffix of its endpoints.
    pub dns_suffix: &'static str,
    /// The DNS suffix of its dual-stack endpoints.
    pub dual_stack_dns_suffix: &'static str,
    /// Whether it has FIPS endpoints.
    pub supports_fips: bool,
    /// Whether it has dual-stack endpoints.
    pub supports_dual_stack: bool,
    /// The region global services sign for.
    pub implicit_global_region: &'static str,
    /// Region name prefixes of the partition's `regionRegex` (`^(us|eu)\-\w+\-\d+$` -> `us`, `eu`).
    pub region_prefixes: &'static [&'static str],
    /// The regions the partition lists by name.
    pub regions: &'static [&'static str],
}

impl Partition {
    /// Whether `region` has the shape `<prefix>-<word>-<digits>` of this partition's regex.
    pub(crate) fn matches_pattern(&self, region: &str) -> bool {
        self.region_prefixes.iter().any(|prefix| {
            let Some(rest) = region.strip_prefix(prefix).and_then(|r| r.strip_prefix('-')) else { return false };
            let Some((word, digits)) = rest.split_once('-') else { return false };
            !word.is_empty()
                && word.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
        })
    }
}
