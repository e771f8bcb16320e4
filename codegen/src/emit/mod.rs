//! Stage 3 (emit): the IR as Rust token streams, one small function per concern.
//!
//! Four crates come out of one service: `<prefix>-shapes` (types and builders),
//! `<prefix>-errors` (error types), `<prefix>-serializers` (the restXml wire code) and the
//! facade `<prefix>`. The helpers in this module are shared by all four emitters.

mod endpoints;
mod errors;
mod facade;
mod manifest;
mod paginators;
mod paths;
mod protocol_tests;
mod schema;
mod serde_impls;
mod shapes;
mod waiters;
mod wire;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::ir::{Service, TimestampFormat, Type};
use crate::render::rust_file;
use crate::{GeneratedFile, Settings};

/// Emits every file of every crate for `service`.
pub fn emit(service: &Service, settings: &Settings) -> Result<Vec<GeneratedFile>, String> {
    let crates = Crates::new(&service.crate_prefix);
    let mut files = Vec::new();
    let mut add = |dir: &str, name: &str, tokens: TokenStream| -> Result<(), String> {
        files.push(GeneratedFile {
            path: format!("{dir}/src/{name}.rs"),
            contents: rust_file(tokens, &settings.model_file)?,
        });
        Ok(())
    };
    for (name, tokens) in shapes::files(service, &crates) {
        add(&crates.shapes_dir, &name, tokens)?;
    }
    for (name, tokens) in errors::files(service, &crates) {
        add(&crates.errors_dir, &name, tokens)?;
    }
    for (name, tokens) in wire::files(service, &crates) {
        add(&crates.serializers_dir, &name, tokens)?;
    }
    for (name, tokens) in facade::files(service, &crates, settings.facade_readme.as_deref())? {
        add(&crates.facade_dir, &name, tokens)?;
    }
    files.extend(manifest::files(service, settings, &crates));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Emits the protocol compliance test crate for `service` (see `protocol_tests.rs`).
pub fn emit_protocol_tests(
    service: &Service,
    settings: &Settings,
    known_failures: &std::collections::BTreeSet<String>,
) -> Result<Vec<GeneratedFile>, String> {
    let crates = Crates::new(&service.crate_prefix);
    let (manifest, lib) = protocol_tests::files(service, settings, &crates, known_failures)?;
    let dir = manifest.path.trim_end_matches("/Cargo.toml").to_owned();
    Ok(vec![
        manifest,
        GeneratedFile { path: format!("{dir}/src/lib.rs"), contents: rust_file(lib, &settings.model_file)? },
    ])
}

/// The lower-case names of the headers an operation's `@sensitive` members are bound to, in
/// its input or its output: the runtime never logs them.
pub(crate) fn sensitive_headers(op: &crate::ir::Operation) -> Vec<String> {
    let members = op.input.members.iter().chain(&op.output.members);
    let mut names: Vec<String> = members
        .filter(|m| m.sensitive)
        .filter_map(|m| match &m.location {
            crate::ir::Location::Header(name) => Some(name.to_ascii_lowercase()),
            _ => None,
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Names and paths of the generated crates.
pub(crate) struct Crates {
    pub shapes_dir: String,
    pub errors_dir: String,
    pub serializers_dir: String,
    pub facade_dir: String,
    /// `cloudfront_shapes`, as a path in code outside the shapes crate.
    pub shapes: TokenStream,
    pub errors: TokenStream,
    pub serializers: TokenStream,
    /// The facade crate (client, endpoint rules), as a path in code.
    pub facade: TokenStream,
}

impl Crates {
    fn new(prefix: &str) -> Self {
        let ident = |suffix: &str| {
            let name = format!("{prefix}{suffix}").replace('-', "_");
            let ident = Ident::new(&name, Span::call_site());
            quote!(#ident)
        };
        Crates {
            shapes_dir: format!("{prefix}-shapes"),
            errors_dir: format!("{prefix}-errors"),
            serializers_dir: format!("{prefix}-serializers"),
            facade_dir: prefix.to_owned(),
            shapes: ident("-shapes"),
            errors: ident("-errors"),
            serializers: ident("-serializers"),
            facade: ident(""),
        }
    }
}

/// An identifier token, raw (`r#type`) where the IR name says so.
pub(crate) fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// `#[doc = "..."]` lines for model documentation: HTML tags stripped, whitespace folded so
/// that nothing in it can turn into a doc-test or a broken link.
pub(crate) fn doc(text: Option<&str>) -> TokenStream {
    let Some(text) = text else { return TokenStream::new() };
    let paragraphs = plain_text(text);
    let lines = paragraphs.iter().enumerate().flat_map(|(i, p)| {
        let gap = (i > 0).then(|| quote!(#[doc = ""]));
        let line = format!(" {p}");
        gap.into_iter().chain(std::iter::once(quote!(#[doc = #line])))
    });
    quote!(#(#lines)*)
}

/// Model documentation as inner `#![doc]` lines (for a crate root).
pub(crate) fn inner_doc(text: Option<&str>) -> TokenStream {
    let Some(text) = text else { return TokenStream::new() };
    let lines = plain_text(text).into_iter().map(|p| {
        let line = format!(" {p}");
        quote!(#![doc = ""] #![doc = #line])
    });
    quote!(#(#lines)*)
}

/// A one-line doc comment from generator-written text.
pub(crate) fn doc_line(text: &str) -> TokenStream {
    let line = format!(" {text}");
    quote!(#[doc = #line])
}

/// Model documentation as plain paragraphs.
pub(crate) fn plain_text(html: &str) -> Vec<String> {
    let mut text = String::new();
    let mut in_tag = false;
    let mut tag = String::new();
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                tag.clear();
            }
            '>' if in_tag => {
                in_tag = false;
                let name = tag.trim_start_matches('/').split_whitespace().next().unwrap_or("").to_ascii_lowercase();
                if matches!(name.as_str(), "p" | "li" | "br" | "ul" | "ol" | "note" | "important") {
                    text.push('\n');
                }
            }
            _ if in_tag => tag.push(c),
            _ => text.push(c),
        }
    }
    let text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&");
    text.split('\n')
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .map(|p| p.replace('[', "\\[").replace(']', "\\]").replace('`', "'"))
        .filter(|p| !p.is_empty())
        .collect()
}

/// A field's declared type: boxed to break cycles, optional unless required.
pub(crate) fn field_type(m: &crate::ir::Member, shapes: &TokenStream) -> TokenStream {
    let base = member_type(m, shapes);
    if m.required { base } else { quote!(Option<#base>) }
}

/// The member type without the `Option`.
pub(crate) fn member_type(m: &crate::ir::Member, shapes: &TokenStream) -> TokenStream {
    let base = rust_type(&m.ty, shapes);
    if m.boxed { quote!(Box<#base>) } else { base }
}

/// The Rust type of a member, with named shapes qualified by `shapes` (`crate` inside the
/// shapes crate, the crate name elsewhere).
pub(crate) fn rust_type(ty: &Type, shapes: &TokenStream) -> TokenStream {
    match ty {
        Type::Blob => quote!(::cloudfront_primitives::Blob),
        Type::Stream => quote!(::cloudfront_primitives::Body),
        Type::Boolean => quote!(bool),
        Type::String | Type::BigInteger | Type::BigDecimal | Type::Document => quote!(String),
        Type::Byte => quote!(i8),
        Type::Short => quote!(i16),
        Type::Integer => quote!(i32),
        Type::Long => quote!(i64),
        Type::Float => quote!(f32),
        Type::Double => quote!(f64),
        Type::Timestamp => quote!(::cloudfront_primitives::DateTime),
        Type::Enum(name) | Type::IntEnum(name) | Type::Structure(name) | Type::Union(name) => {
            let name = format_ident!("{}", name);
            quote!(#shapes::#name)
        }
        Type::List(list) => {
            let member = rust_type(&list.member, shapes);
            if list.sparse { quote!(Vec<Option<#member>>) } else { quote!(Vec<#member>) }
        }
        Type::Map(map) => {
            let value = rust_type(&map.value, shapes);
            let value = if map.sparse { quote!(Option<#value>) } else { value };
            quote!(::std::collections::BTreeMap<String, #value>)
        }
    }
}

/// The runtime's name for a timestamp format.
pub(crate) fn timestamp_format(format: Option<TimestampFormat>) -> TokenStream {
    match format.unwrap_or(TimestampFormat::DateTime) {
        TimestampFormat::DateTime => quote!(::cloudfront_primitives::TimestampFormat::DateTime),
        TimestampFormat::HttpDate => quote!(::cloudfront_primitives::TimestampFormat::HttpDate),
        TimestampFormat::EpochSeconds => quote!(::cloudfront_primitives::TimestampFormat::EpochSeconds),
    }
}
