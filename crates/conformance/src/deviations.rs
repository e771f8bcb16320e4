//! Where the project deliberately differs from botocore: `deviations.json` next to this crate
//! lists the case ids (a leading `*.` matches any operation) with the reason and what the
//! project does instead, so the runner checks that behaviour rather than botocore's.

use std::cell::Cell;

use serde_json::Value;

/// What the project does instead of what botocore does.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Expect {
    /// Refuses the input (or response) with a clear error.
    Error,
    /// Reads the response, filling required members botocore leaves out with zero values
    /// (Smithy's client error correction).
    ErrorCorrection,
    /// Describes the error by its HTTP status because the body is not an AWS error document.
    HttpStatusCode,
    /// Reports the `x-amz-request-id` header as the request id where botocore reports none.
    RequestIdFromHeader,
}

pub struct Deviation {
    patterns: Vec<String>,
    pub expect: Expect,
    pub reason: String,
    pub error_contains: Option<String>,
    used: Cell<usize>,
}

pub struct Deviations(Vec<Deviation>);

impl Deviations {
    pub fn load(path: &std::path::Path) -> Result<Deviations, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let json: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut list = Vec::new();
        for entry in json["deviations"].as_array().ok_or("deviations.json: no \"deviations\" list")? {
            let expect = match entry["expect"].as_str() {
                Some("error") => Expect::Error,
                Some("error-correction") => Expect::ErrorCorrection,
                Some("http-status-code") => Expect::HttpStatusCode,
                Some("request-id-from-header") => Expect::RequestIdFromHeader,
                other => return Err(format!("deviations.json: unknown expect {other:?}")),
            };
            let reason = entry["reason"]
                .as_str()
                .filter(|r| !r.is_empty())
                .ok_or("deviations.json: every entry needs a reason")?;
            list.push(Deviation {
                patterns: entry["cases"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|c| c.as_str().map(str::to_owned))
                    .collect(),
                expect,
                reason: reason.to_owned(),
                error_contains: entry["error_contains"].as_str().map(str::to_owned),
                used: Cell::new(0),
            });
        }
        Ok(Deviations(list))
    }

    /// The deviation that covers a case id, if any.
    pub fn find(&self, id: &str) -> Option<&Deviation> {
        let found = self.0.iter().find(|d| {
            d.patterns.iter().any(|p| match p.strip_prefix("*.") {
                Some(suffix) => id.split_once('.').is_some_and(|(_, rest)| rest == suffix),
                None => p == id,
            })
        });
        if let Some(d) = found {
            d.used.set(d.used.get() + 1);
        }
        found
    }

    /// Patterns that matched no case: a stale list hides nothing, so they are reported.
    pub fn unused(&self) -> Vec<String> {
        self.0.iter().filter(|d| d.used.get() == 0).flat_map(|d| d.patterns.clone()).collect()
    }
}
