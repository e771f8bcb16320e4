//! CloudFront's customizations of the command line, in one table: the flags some operations
//! take beyond their input members (the AWS CLI's `--paths`, and our `--wait` and
//! `--encode-paths`), their help, the member a flag stands for, how it folds into the input,
//! and which waiter `--wait` runs. Parsing, help, the prompt, usage errors and input assembly
//! read this table; nothing else names these flags.

use serde_json::{Value, json};

/// A flag an operation takes beyond its input members.
pub(crate) struct ExtraFlag {
    /// The flag, dashes included.
    pub flag: &'static str,
    /// Whether it takes values (one or more); otherwise it is a switch.
    pub takes_values: bool,
    /// The one-line help of the argument parser.
    pub help: &'static str,
    /// The paragraph of the help page.
    pub doc: &'static str,
    /// The input member it stands for: with the flag given, that member is neither required
    /// nor asked for, and the two conflict.
    pub stands_for: Option<&'static str>,
    /// The operations that take it, by name.
    pub operations: &'static [&'static str],
}

const CREATES: &[&str] = &["CreateInvalidation", "CreateInvalidationForDistributionTenant"];

/// `--paths`: the AWS CLI's shortcut for `create-invalidation`'s batch.
pub(crate) const PATHS: ExtraFlag = ExtraFlag {
    flag: "--paths",
    takes_values: true,
    help: "paths to invalidate, with a generated CallerReference",
    doc: "The paths to invalidate, separated by spaces, instead of --invalidation-batch; a unique CallerReference is made.",
    stands_for: Some("InvalidationBatch"),
    operations: &["CreateInvalidation"],
};

/// `--wait`: ours, waits for the new invalidation (see [`waiter_after`]).
pub(crate) const WAIT: ExtraFlag = ExtraFlag {
    flag: "--wait",
    takes_values: false,
    help: "wait until the invalidation completes",
    doc: "Wait until the new invalidation has completed (ours; progress on a terminal).",
    stands_for: None,
    operations: CREATES,
};

/// `--encode-paths`: ours, percent-encodes the paths before they are checked and sent.
pub(crate) const ENCODE_PATHS: ExtraFlag = ExtraFlag {
    flag: "--encode-paths",
    takes_values: false,
    help: "percent-encode spaces, non-ASCII and unsafe characters in the paths",
    doc: "Percent-encode spaces, non-ASCII and unsafe characters in the paths.",
    stands_for: None,
    operations: CREATES,
};

/// Every extra flag, in the order help lists them.
pub(crate) const EXTRA_FLAGS: [&ExtraFlag; 3] = [&PATHS, &WAIT, &ENCODE_PATHS];

impl ExtraFlag {
    /// The argument parser's id of the flag (its name without dashes).
    pub(crate) fn id(&self) -> &'static str {
        self.flag.trim_start_matches('-')
    }
}

/// The extra flags `operation` takes.
pub(crate) fn for_operation(operation: &str) -> impl Iterator<Item = &'static ExtraFlag> {
    EXTRA_FLAGS.into_iter().filter(move |f| f.operations.contains(&operation))
}

/// The extra flag of `operation` that stands for its input `member`, if any.
pub(crate) fn standing_for(operation: &str, member: &str) -> Option<&'static ExtraFlag> {
    for_operation(operation).find(|f| f.stands_for == Some(member))
}

/// Whether `flag` is an extra flag of any operation.
pub(crate) fn is_extra_flag(flag: &str) -> bool {
    EXTRA_FLAGS.iter().any(|f| f.flag == flag)
}

/// `--paths` as the member it stands for: a batch with a fresh, unique CallerReference (the
/// AWS CLI's `cli-` prefix on a reference unique to the second and beyond).
pub(crate) fn invalidation_batch(paths: &[String]) -> Value {
    json!({
        "Paths": {"Quantity": paths.len(), "Items": paths},
        "CallerReference": format!("cli-{}", cloudfront_invalidate::unique_caller_reference()),
    })
}

/// The waiter `--wait` runs after `operation`, and its input: the create's target (a
/// distribution or a tenant) and the new invalidation's id.
pub(crate) fn waiter_after(operation: &str, input: &Value, id: &str) -> Option<(&'static str, Value)> {
    match operation {
        "CreateInvalidation" => {
            Some(("InvalidationCompleted", json!({"DistributionId": input["DistributionId"], "Id": id})))
        }
        "CreateInvalidationForDistributionTenant" => {
            Some(("InvalidationForDistributionTenantCompleted", json!({"DistributionTenantId": input["Id"], "Id": id})))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloudfront::schema::OPERATIONS;

    #[test]
    fn every_flag_names_real_operations_and_members() {
        for extra in EXTRA_FLAGS {
            for name in extra.operations {
                let op = OPERATIONS.iter().find(|op| op.name == *name).unwrap_or_else(|| panic!("{name}"));
                if let Some(member) = extra.stands_for {
                    assert!(op.input.fields().iter().any(|f| f.name == member), "{name} has no {member}");
                }
            }
        }
        assert!(CREATES.iter().all(|op| waiter_after(op, &Value::Null, "I").is_some()));
        assert_eq!(standing_for("CreateInvalidation", "InvalidationBatch").map(|f| f.flag), Some("--paths"));
        assert!(standing_for("CreateInvalidationForDistributionTenant", "InvalidationBatch").is_none());
    }
}
