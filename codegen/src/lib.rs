//! The code generator: a Smithy JSON AST model in, the source files of typed restXml client
//! crates out. It does no file I/O; `xtask` reads the model and writes the files.
//!
//! The three stages are separate modules:
//! 1. [`smithy`] loads the JSON AST into typed values,
//! 2. [`resolve`] builds the intermediate representation in [`ir`] (every naming and
//!    protocol decision is made here),
//! 3. [`emit`] turns the IR into token streams, and [`render`] prints them with prettyplease.
//!
//! [`partitions`] does the same, on a small scale, for the runtime's partition table.

pub mod drift;
pub mod emit;
pub mod ir;
pub mod names;
pub mod partitions;
pub mod render;
pub mod resolve;
pub mod smithy;

use serde::Deserialize;

/// The services the project generates crates for: each has its model in `model/NAME.json`
/// and its [`Settings`] beside it in `model/NAME.codegen.json`.
pub const PROJECT_SERVICES: &[&str] = &["cloudfront", "s3"];

/// Where the project keeps `service`'s model, relative to the workspace root.
pub fn project_model_path(service: &str) -> String {
    format!("model/{service}.json")
}

/// Where the project keeps `service`'s generator settings, relative to the workspace root.
pub fn project_settings_path(service: &str) -> String {
    format!("model/{service}.codegen.json")
}

/// What to generate from a model. Read from `model/NAME.codegen.json` for the committed crates.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The absolute id of the service shape.
    pub service: String,
    /// Prefix of the generated crate names.
    pub crate_prefix: String,
    /// Operations to generate, by name; `None` means every operation of the service.
    #[serde(default)]
    pub operations: Option<Vec<String>>,
    /// Send the protocol's default `Content-Type` when no member sets one: `application/xml`
    /// with XML bodies, the payload's media type (else `application/octet-stream`) with blob
    /// payloads. Off, as botocore and the AWS CLI send none, so signatures can match theirs.
    #[serde(default = "yes")]
    pub default_content_types: bool,
    /// Refuse a path label that is `.` or `..` (or holds such a segment, for a greedy label):
    /// for a service that resolves dot segments, such a label would address another resource.
    /// Off, labels are sent as given, dot segments included (S3 keys may hold them).
    #[serde(default)]
    pub refuse_dot_segment_labels: bool,
    /// Literal query parameters of `@http` URIs that are not sent: S3's `x-id=PutObject` and
    /// the like, which the Smithy model adds and botocore's S3 model (so the AWS CLI) does not.
    #[serde(default)]
    pub omitted_literal_query: Vec<String>,
    /// Modeled errors a body-less error response stands for, by HTTP status (`"404":
    /// "NotFound"`): S3 answers a HEAD with a status and no document, which would otherwise
    /// carry no error code.
    #[serde(default)]
    pub body_less_errors: std::collections::BTreeMap<u16, String>,
    /// A success whose body is an `<Error>` document is an error, for every operation without
    /// a streaming output (S3 can fail CompleteMultipartUpload after answering 200).
    #[serde(default)]
    pub errors_in_success: bool,
    /// Follow a region redirect once (S3 answers a call to the wrong region with the bucket's
    /// region); never with a custom endpoint.
    #[serde(default)]
    pub region_redirects: bool,
    /// Send every request's payload hash as `X-Amz-Content-SHA256`, signed (S3 requires it;
    /// nothing in the model says so).
    #[serde(default)]
    pub payload_hash_header: bool,
    /// Derive CloudFront-style `Quantity` members from their `Items` lists and refuse a
    /// mismatch before sending.
    #[serde(default)]
    pub counted_lists: bool,
    /// Path from a generated crate's directory to the project's `crates/` directory, which
    /// holds the hand-written crates by kind: `runtime/` (what generated code calls) and
    /// `testing/` (the test server and protocol-test support).
    #[serde(default = "default_crates_dir")]
    pub crates_dir: String,
    /// The model file name, quoted in the "generated from" header of every file.
    #[serde(default)]
    pub model_file: String,
    /// A hand-written README in the facade crate's directory: it becomes the crate's
    /// documentation (so its examples run as doctests) and its page on crates.io.
    #[serde(default)]
    pub facade_readme: Option<String>,
    /// The repository URL written into the generated manifests; without one the generated
    /// crates are marked `publish = false`.
    #[serde(default)]
    pub repository: Option<String>,
}

fn yes() -> bool {
    true
}

fn default_crates_dir() -> String {
    "../..".into()
}

impl Settings {
    /// The directory of the runtime crates, from a generated crate's directory.
    pub fn runtime_dir(&self) -> String {
        format!("{}/runtime", self.crates_dir.trim_end_matches('/'))
    }

    /// The directory of the testing crates, from a generated crate's directory.
    pub fn testing_dir(&self) -> String {
        format!("{}/testing", self.crates_dir.trim_end_matches('/'))
    }

    /// Parses settings from JSON text.
    pub fn from_json(text: &str) -> Result<Settings, String> {
        serde_json::from_str(text).map_err(|e| format!("invalid codegen settings: {e}"))
    }
}

/// One generated file, with its path relative to the output directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFile {
    pub path: String,
    pub contents: String,
}

/// The protocol compliance test crate for the model's `smithy.test` traits; the ids in
/// `known_failures` are expected to fail.
pub fn generate_protocol_tests(
    model_json: &str,
    settings: &Settings,
    known_failures: &std::collections::BTreeSet<String>,
) -> Result<Vec<GeneratedFile>, String> {
    let model = smithy::Model::from_json(model_json)?;
    let service = resolve::resolve(&model, settings)?;
    emit::emit_protocol_tests(&service, settings, known_failures)
}

/// Runs all three stages.
pub fn generate(model_json: &str, settings: &Settings) -> Result<Vec<GeneratedFile>, String> {
    let model = smithy::Model::from_json(model_json)?;
    let service = resolve::resolve(&model, settings)?;
    emit::emit(&service, settings)
}
