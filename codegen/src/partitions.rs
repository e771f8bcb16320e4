//! The runtime's partition table, generated from the published AWS partitions file (botocore's
//! `partitions.json`): the facts the `aws.partition` endpoint function returns. Like the
//! model, the file is loaded into typed values first, every decision is made on those, and the
//! table is emitted as Rust.

use proc_macro2::TokenStream;
use quote::quote;
use serde::Deserialize;

use crate::render::rust_file;

/// The published file: its partitions, in the order the rules engine consults them.
#[derive(Deserialize)]
struct PartitionsFile {
    partitions: Vec<PublishedPartition>,
}

#[derive(Deserialize)]
struct PublishedPartition {
    id: String,
    #[serde(rename = "regionRegex")]
    region_regex: String,
    regions: serde_json::Map<String, serde_json::Value>,
    outputs: Outputs,
}

#[derive(Deserialize)]
struct Outputs {
    name: String,
    #[serde(rename = "dnsSuffix")]
    dns_suffix: String,
    #[serde(rename = "dualStackDnsSuffix")]
    dual_stack_dns_suffix: String,
    #[serde(rename = "supportsFIPS")]
    supports_fips: bool,
    #[serde(rename = "supportsDualStack")]
    supports_dual_stack: bool,
    #[serde(rename = "implicitGlobalRegion")]
    implicit_global_region: String,
}

/// What the generated file's header says it came from.
const SOURCE_NAME: &str = "the published partitions.json";

/// `crates/runtime/cloudfront-runtime/src/partitions.rs` from the text of the partitions file.
pub fn generate(partitions_json: &str) -> Result<String, String> {
    let file: PartitionsFile =
        serde_json::from_str(partitions_json).map_err(|e| format!("{SOURCE_NAME}: not a partitions file: {e}"))?;
    if file.partitions.is_empty() {
        return Err(format!("{SOURCE_NAME}: no partitions"));
    }
    let entries = file.partitions.iter().map(entry).collect::<Result<Vec<_>, _>>()?;
    let tokens = quote! {
        #![doc = " The AWS partitions: the facts the `aws.partition` endpoint function needs, generated from the published partitions file."]

        use crate::partition::Partition;

        /// Every partition, in the order the rules engine consults them.
        pub static PARTITIONS: &[Partition] = &[#(#entries),*];
    };
    rust_file(tokens, SOURCE_NAME)
}

fn entry(p: &PublishedPartition) -> Result<TokenStream, String> {
    let o = &p.outputs;
    let (name, dns, dual, global) = (&o.name, &o.dns_suffix, &o.dual_stack_dns_suffix, &o.implicit_global_region);
    let (fips, dual_stack) = (o.supports_fips, o.supports_dual_stack);
    let prefixes = region_prefixes(&p.region_regex).map_err(|e| format!("partition {}: {e}", p.id))?;
    let mut regions: Vec<&str> = p.regions.keys().map(String::as_str).collect();
    regions.sort_unstable();
    Ok(quote! {
        Partition {
            name: #name,
            dns_suffix: #dns,
            dual_stack_dns_suffix: #dual,
            supports_fips: #fips,
            supports_dual_stack: #dual_stack,
            implicit_global_region: #global,
            region_prefixes: &[#(#prefixes),*],
            regions: &[#(#regions),*],
        }
    })
}

/// The region prefixes a `regionRegex` accepts: every published pattern has the shape
/// `^PREFIX\-\w+\-\d+$`, where PREFIX is literal text with at most one `(a|b|...)` group.
/// Anything else is refused rather than guessed at.
fn region_prefixes(regex: &str) -> Result<Vec<String>, String> {
    let body = regex
        .strip_prefix('^')
        .and_then(|r| r.strip_suffix(r"\-\w+\-\d+$"))
        .ok_or_else(|| format!("region pattern {regex:?} is not of the form ^PREFIX\\-\\w+\\-\\d+$"))?;
    let literal = |text: &str| -> Result<String, String> {
        let text = text.replace(r"\-", "-");
        if text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            Ok(text)
        } else {
            Err(format!("region pattern {regex:?} has more than literal text and one group"))
        }
    };
    match body.split_once('(') {
        None => Ok(vec![literal(body)?]),
        Some((before, rest)) => {
            let (group, after) =
                rest.split_once(')').ok_or_else(|| format!("region pattern {regex:?} has an unclosed group"))?;
            let (before, after) = (literal(before)?, literal(after)?);
            group.split('|').map(|choice| Ok(format!("{before}{}{after}", literal(choice)?))).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::region_prefixes;

    #[test]
    fn region_patterns_become_prefixes() {
        assert_eq!(region_prefixes(r"^(us|eu)\-\w+\-\d+$").unwrap(), ["us", "eu"]);
        assert_eq!(region_prefixes(r"^us\-iso\-\w+\-\d+$").unwrap(), ["us-iso"]);
        assert_eq!(region_prefixes(r"^eusc\-(de)\-\w+\-\d+$").unwrap(), ["eusc-de"]);
        assert!(region_prefixes(r"^us\-\w+$").is_err());
        assert!(region_prefixes(r"^(us|eu)+\-\w+\-\d+$").is_err());
    }
}
