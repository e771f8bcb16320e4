//! `Cargo.toml` of each generated crate. Manifests are plain text, not Rust tokens, and are
//! self-contained so the crates build inside the workspace and in a scratch directory alike.

use super::Crates;
use crate::ir::Service;
use crate::render::header;
use crate::{GeneratedFile, Settings};

/// The oldest Rust the generated crates build with: the runtime crates' `rust-version`
/// (the workspace's), which a test keeps in step.
pub const RUST_VERSION: &str = "1.91";

/// The version of the generated crates, and of the runtime crates they depend on.
const VERSION: &str = "0.1.0";

pub(super) fn files(service: &Service, settings: &Settings, crates: &Crates) -> Vec<GeneratedFile> {
    let (runtime, testing) = (settings.runtime_dir(), settings.testing_dir());
    let header = header(&settings.model_file, "#");
    // Publishable when the settings name the repository; otherwise (scratch generation) not.
    let publishing = match &settings.repository {
        Some(url) => format!("repository = \"{url}\"\n"),
        None => "publish = false\n".to_owned(),
    };
    let package = |name: &str, description: &str, extra: &str| {
        format!(
            "{header}[package]\nname = \"{name}\"\nversion = \"{VERSION}\"\ndescription = \"{description}\"\nedition = \"2024\"\nrust-version = \"{RUST_VERSION}\"\nlicense = \"Apache-2.0\"\n{publishing}{extra}\n# Document the feature-gated items too.\n[package.metadata.docs.rs]\nall-features = true\n"
        )
    };
    let title = &service.title;
    let shapes = format!(
        "{}\n[features]\n# serde support with the exact JSON the AWS CLI reads and prints.\nserde = [\"dep:serde\", \"cloudfront-primitives/serde\"]\n\n[dependencies]\ncloudfront-primitives = {{ path = \"{runtime}/cloudfront-primitives\", version = \"{VERSION}\" }}\nserde = {{ version = \"1\", optional = true }}\n",
        package(&crates.shapes_dir, &format!("Types and builders of the {title} API (generated)."), "")
    );
    let errors = format!(
        "{}\n[dependencies]\ncloudfront-primitives = {{ path = \"{runtime}/cloudfront-primitives\", version = \"{VERSION}\" }}\n{} = {{ path = \"../{}\", version = \"{VERSION}\" }}\n",
        package(&crates.errors_dir, &format!("Error types of the {title} API (generated)."), ""),
        crates.shapes_dir,
        crates.shapes_dir
    );
    // Request compression pulls in a gzip encoder; only services that use it pay for it.
    let compresses = service.operations.iter().any(|op| !op.request_compression.is_empty());
    let wire_features = if compresses { ", features = [\"compression\"]" } else { "" };
    let serializers = format!(
        "{}\n[dependencies]\ncloudfront-primitives = {{ path = \"{runtime}/cloudfront-primitives\", version = \"{VERSION}\" }}\ncloudfront-restxml = {{ path = \"{runtime}/cloudfront-restxml\", version = \"{VERSION}\"{wire_features} }}\n{s} = {{ path = \"../{s}\", version = \"{VERSION}\" }}\n{e} = {{ path = \"../{e}\", version = \"{VERSION}\" }}\n",
        package(
            &crates.serializers_dir,
            &format!("restXml serializers and parsers of the {title} API (generated)."),
            ""
        ),
        s = crates.shapes_dir,
        e = crates.errors_dir
    );
    let readme = settings.facade_readme.as_deref().map(|name| format!("readme = \"{name}\"\n")).unwrap_or_default();
    let facade = format!(
        "{}\n[features]\ndefault = [\"aws-lc-rs\"]\n# TLS, SigV4 and hashes on aws-lc-rs (post-quantum key exchange preferred); see the runtime.\naws-lc-rs = [\"cloudfront-runtime/aws-lc-rs\"]\n# The lean build on ring instead; aws-lc-rs wins when both are on.\nring = [\"cloudfront-runtime/ring\"]\n# HTTP/2 where the server offers it.\nhttp2 = [\"cloudfront-runtime/http2\"]\nserde = [\"{s}/serde\", \"cloudfront-runtime/serde\"]\n# Credentials from the official AWS SDK's providers (aws-config).\naws-interop = [\"cloudfront-runtime/aws-interop\"]\n\n[dependencies]\ncloudfront-runtime = {{ path = \"{runtime}/cloudfront-runtime\", version = \"{VERSION}\", default-features = false }}\ncloudfront-primitives = {{ path = \"{runtime}/cloudfront-primitives\", version = \"{VERSION}\" }}\ncloudfront-restxml = {{ path = \"{runtime}/cloudfront-restxml\", version = \"{VERSION}\" }}\n{s} = {{ path = \"../{s}\", version = \"{VERSION}\" }}\n{e} = {{ path = \"../{e}\", version = \"{VERSION}\" }}\n{w} = {{ path = \"../{w}\", version = \"{VERSION}\" }}\n\n[dev-dependencies]\n# For the examples, and the local CloudFront the README's doctests call.\ntokio = {{ version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }}\ncloudfront-test-server = {{ path = \"{testing}/cloudfront-test-server\" }}\n",
        package(&crates.facade_dir, &format!("Client for the {title} API (generated)."), &readme),
        s = crates.shapes_dir,
        e = crates.errors_dir,
        w = crates.serializers_dir
    );
    [
        (&crates.shapes_dir, shapes),
        (&crates.errors_dir, errors),
        (&crates.serializers_dir, serializers),
        (&crates.facade_dir, facade),
    ]
    .into_iter()
    .map(|(dir, contents)| GeneratedFile { path: format!("{dir}/Cargo.toml"), contents })
    .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_generated_crates_ask_for_the_workspace_rust_version() {
        let manifest = include_str!("../../../Cargo.toml");
        assert!(manifest.contains(&format!("rust-version = \"{}\"", super::RUST_VERSION)), "update RUST_VERSION");
    }
}
