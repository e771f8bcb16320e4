//! The runtime's partition table must state the facts of the published AWS partitions file
//! (`../shared/aws-models/partitions.json`, as shipped in botocore).

use cloudfront_runtime::endpoint::partition;

#[test]
fn partition_table_matches_the_published_file() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../../shared/aws-models/partitions.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}; it lives in ../shared next to the checkout", path.display()));
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let partitions = json["partitions"].as_array().unwrap();
    assert!(!partitions.is_empty());
    for p in partitions {
        let outputs = &p["outputs"];
        for region in p["regions"].as_object().unwrap().keys() {
            let ours = partition(region).unwrap_or_else(|| panic!("no partition for {region}"));
            assert_eq!(ours.name, outputs["name"].as_str().unwrap(), "{region}");
            assert_eq!(ours.dns_suffix, outputs["dnsSuffix"].as_str().unwrap(), "{region}");
            assert_eq!(ours.dual_stack_dns_suffix, outputs["dualStackDnsSuffix"].as_str().unwrap(), "{region}");
            assert_eq!(ours.supports_fips, outputs["supportsFIPS"].as_bool().unwrap(), "{region}");
            assert_eq!(ours.supports_dual_stack, outputs["supportsDualStack"].as_bool().unwrap(), "{region}");
            assert_eq!(ours.implicit_global_region, outputs["implicitGlobalRegion"].as_str().unwrap(), "{region}");
            assert!(ours.regions.contains(&region.as_str()), "{region} is listed by name");
        }
    }
    let ours: usize = partitions.len();
    assert_eq!(
        ours, 8,
        "the file has eight partitions; a new one needs a look at the endpoint rules, then `cargo xtask regenerate`"
    );
}
