//! A test crate from the model's `smithy.test#httpRequestTests` and `httpResponseTests`
//! traits: one `#[test]` per case that applies to clients. Each test builds the typed input
//! (or expected output) from the case's `params` with the generated builders, runs the
//! generated serializer (or parser), and hands the result to `cloudfront-protocol-test-support`, which
//! compares it with the case.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::Crates;
use crate::ir::{Document, ProtocolTest, Service, Structure, Type};
use crate::names::{pascal_case, snake_case};
use crate::render::header;
use crate::{GeneratedFile, Settings};

/// The test crate: its manifest and `src/lib.rs`.
pub(super) fn files(
    service: &Service,
    settings: &Settings,
    crates: &Crates,
    known_failures: &BTreeSet<String>,
) -> Result<(GeneratedFile, TokenStream), String> {
    let ctx = Ctx { shapes: &crates.shapes, errors: &crates.errors, aggregates: super::paths::aggregates(service) };
    let serializers = &crates.serializers;
    let mut tests = Vec::new();
    for op in &service.operations {
        let module = format_ident!("{}", op.snake);
        for case in op.request_tests.iter().filter(|c| c.for_clients) {
            let id = case.id.as_str();
            let input = ctx.structure_value(&op.input, &case.params, Side::Input)?;
            // A service with endpoint rules is checked where the rules send the request (the
            // case's vendorParams configure the client); others by the serialized request.
            let check = if service.endpoint_rules.is_some() {
                let facade = &crates.facade;
                let sdk_id = &service.sdk_id;
                quote! {
                    let settings = support::endpoint_settings(CASE, #sdk_id)?;
                    let params = #facade::operation::#module::endpoint_params(&settings, &input);
                    let endpoint = #facade::endpoint::resolve_endpoint(&params).map_err(|e| e.to_string())?;
                    let url = ::cloudfront_runtime::operation::request_url(&endpoint, &request)?;
                    support::check_request_at(CASE, &request, &url)
                }
            } else {
                quote!(support::check_request(CASE, &request))
            };
            // The protocol tests expect this token wherever the client fills one in.
            let body = quote! {
                let input = #input;
                let request = ::cloudfront_primitives::with_fixed_idempotency_token(
                    "00000000-0000-4000-8000-000000000000",
                    || #serializers::#module::serialize_request(&input),
                ).map_err(|e| e.to_string())?;
                #check
            };
            tests.push(test(&format!("request_{}", snake_case(id)), id, case, known_failures, body));
        }
        for case in op.response_tests.iter().filter(|c| c.for_clients) {
            let id = case.id.as_str();
            let expected = ctx.structure_value(&op.output, &case.params, Side::Output)?;
            let body = quote! {
                let response = support::response(CASE);
                let parsed = #serializers::#module::parse_response(&response).map_err(|e| e.to_string())?;
                let expected = #expected;
                support::same(&parsed, &expected)
            };
            tests.push(test(&format!("response_{}", snake_case(id)), id, case, known_failures, body));
        }
    }
    for error in &service.errors {
        let Some(op) = service.operations.iter().find(|op| op.errors.contains(&error.name)) else { continue };
        let module = format_ident!("{}", op.snake);
        let errors = &crates.errors;
        let op_error = format_ident!("{}Error", op.name);
        let variant = format_ident!("{}", error.name);
        for case in error.response_tests.iter().filter(|c| c.for_clients) {
            let id = case.id.as_str();
            let expected = ctx.structure_value(error, &case.params, Side::Error)?;
            let body = quote! {
                let response = support::response(CASE);
                let error = #serializers::#module::parse_error(&response);
                let #errors::#op_error::#variant(parsed) = error else {
                    return Err(format!("expected the {} error, got {error:?}", stringify!(#variant)));
                };
                let expected = #expected;
                support::same(&parsed, &expected)
            };
            tests.push(test(&format!("error_{}", snake_case(id)), id, case, known_failures, body));
        }
    }
    let doc = format!(
        " Protocol compliance tests of the {} service, one per `smithy.test` case that applies to clients.",
        service.title
    );
    let lib = quote! {
        #![doc = #doc]
        #![cfg(test)]
        use ::cloudfront_protocol_test_support as support;
        #(#tests)*
    };
    let dir = format!("{}-protocol-tests", service.crate_prefix);
    let (runtime, testing) = (settings.runtime_dir(), settings.testing_dir());
    let manifest = format!(
        "{}[package]\nname = \"{dir}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\n\
         cloudfront-primitives = {{ path = \"{runtime}/cloudfront-primitives\" }}\ncloudfront-restxml = {{ path = \"{runtime}/cloudfront-restxml\" }}\n\
         cloudfront-protocol-test-support = {{ path = \"{testing}/cloudfront-protocol-test-support\" }}\n\
         {s} = {{ path = \"../{s}\" }}\n{e} = {{ path = \"../{e}\" }}\n{w} = {{ path = \"../{w}\" }}\n{rules}",
        header(&settings.model_file, "#"),
        s = crates.shapes_dir,
        e = crates.errors_dir,
        w = crates.serializers_dir,
        rules = if service.endpoint_rules.is_some() {
            format!(
                "{f} = {{ path = \"../{f}\" }}\ncloudfront-runtime = {{ path = \"{runtime}/cloudfront-runtime\" }}\n",
                f = crates.facade_dir
            )
        } else {
            String::new()
        },
    );
    Ok((GeneratedFile { path: format!("{dir}/Cargo.toml"), contents: manifest }, lib))
}

/// One `#[test]`: a known failure must fail (and says so when it starts passing).
fn test(
    name: &str,
    id: &str,
    case: &ProtocolTest,
    known_failures: &BTreeSet<String>,
    body: TokenStream,
) -> TokenStream {
    let name = format_ident!("{}", name);
    let case_json = &case.case_json;
    let known = known_failures.contains(id);
    quote! {
        #[test]
        fn #name() {
            const CASE: &str = #case_json;
            support::run(#id, #known, || -> Result<(), String> { #body });
        }
    }
}

/// A timestamp param (epoch seconds, maybe with a fraction) as a `DateTime`.
fn timestamp(value: &Document) -> Result<TokenStream, String> {
    let Document::Number(text) = value else {
        return Err(format!("expected epoch seconds, got {value:?}"));
    };
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let secs: i64 = whole.parse().map_err(|_| format!("bad timestamp {text}"))?;
    let nanos: u32 = format!("{fraction:0<9}")[..9].parse().map_err(|_| format!("bad timestamp {text}"))?;
    Ok(quote!(::cloudfront_primitives::DateTime::from_secs_and_nanos(#secs, #nanos)))
}

#[derive(Clone, Copy, PartialEq)]
enum Side {
    /// Built with `build()`, which checks required members.
    Input,
    /// Built with `build_or_default()`, like the parsers do.
    Output,
    /// An error structure; its metadata is copied from the parsed error.
    Error,
}

struct Ctx<'a> {
    shapes: &'a TokenStream,
    errors: &'a TokenStream,
    aggregates: BTreeMap<&'a str, &'a Structure>,
}

impl Ctx<'_> {
    /// A builder expression for a structure from its `params` object.
    fn structure_value(&self, s: &Structure, params: &Document, side: Side) -> Result<TokenStream, String> {
        let name = format_ident!("{}", s.name);
        let path = if side == Side::Error { self.errors } else { self.shapes };
        let mut setters = Vec::new();
        let fields: &[(String, Document)] = match params {
            Document::Map(fields) => fields,
            Document::Null => &[],
            other => return Err(format!("{}: params {other:?} is not an object", s.name)),
        };
        for (key, value) in fields {
            if *value == Document::Null {
                continue;
            }
            let m =
                s.members.iter().find(|m| &m.name == key).ok_or_else(|| format!("{} has no member {key}", s.name))?;
            let set = format_ident!("set_{}", m.field.trim_start_matches("r#"));
            let value = self.value(&m.ty, value, side)?;
            let value = if m.boxed { quote!(Box::new(#value)) } else { value };
            setters.push(quote!(.#set(Some(#value))));
        }
        let needs_result = s.is_input || s.members.iter().any(|m| m.required);
        Ok(match side {
            Side::Input if needs_result => {
                quote!(#path::#name::builder() #(#setters)* .build().map_err(|e| e.to_string())?)
            }
            Side::Input => quote!(#path::#name::builder() #(#setters)* .build()),
            Side::Output => quote!(#path::#name::builder() #(#setters)* .build_or_default()),
            Side::Error => quote! {
                #path::#name::builder() #(#setters)* .meta(::cloudfront_primitives::ProvideErrorMetadata::meta(&parsed).clone()).build_or_default()
            },
        })
    }

    /// A Rust expression of type `ty` for a JSON param value.
    fn value(&self, ty: &Type, value: &Document, side: Side) -> Result<TokenStream, String> {
        let shapes = self.shapes;
        let nested_side = if side == Side::Error { Side::Output } else { side };
        Ok(match ty {
            Type::String | Type::BigInteger | Type::BigDecimal | Type::Document => {
                let Document::String(text) = value else { return Err(format!("expected a string, got {value:?}")) };
                quote!(#text.to_owned())
            }
            Type::Boolean => {
                let Document::Bool(b) = value else { return Err(format!("expected a boolean, got {value:?}")) };
                quote!(#b)
            }
            Type::Byte => integer(value, |n| Literal::i8_suffixed(n as i8))?,
            Type::Short => integer(value, |n| Literal::i16_suffixed(n as i16))?,
            Type::Integer => integer(value, |n| Literal::i32_suffixed(n as i32))?,
            Type::Long => integer(value, Literal::i64_suffixed)?,
            Type::Float => float(value, quote!(f32), |f| Literal::f32_suffixed(f as f32))?,
            Type::Double => float(value, quote!(f64), Literal::f64_suffixed)?,
            Type::Timestamp => timestamp(value)?,
            Type::Blob | Type::Stream => {
                let Document::String(text) = value else { return Err(format!("expected blob text, got {value:?}")) };
                let bytes = if *ty == Type::Blob { quote!(Blob) } else { quote!(Body) };
                quote!(::cloudfront_primitives::#bytes::from(#text))
            }
            Type::Enum(name) => {
                let name = format_ident!("{}", name);
                let Document::String(text) = value else {
                    return Err(format!("expected an enum value, got {value:?}"));
                };
                quote!(#shapes::#name::from(#text))
            }
            Type::IntEnum(name) => {
                let name = format_ident!("{}", name);
                let n = whole_number(value)? as i32;
                quote!(#shapes::#name::from(#n))
            }
            Type::Union(name) => self.union_value(name, value, nested_side)?,
            Type::Structure(name) => {
                let s = self.aggregates.get(name.as_str()).ok_or_else(|| format!("unknown structure {name}"))?;
                self.structure_value(s, value, nested_side)?
            }
            Type::List(list) => {
                let Document::List(items) = value else { return Err(format!("expected a list, got {value:?}")) };
                let items = items
                    .iter()
                    .map(|item| match (item, list.sparse) {
                        (Document::Null, true) => Ok(quote!(None)),
                        (item, true) => self.value(&list.member, item, nested_side).map(|v| quote!(Some(#v))),
                        (item, false) => self.value(&list.member, item, nested_side),
                    })
                    .collect::<Result<Vec<_>, String>>()?;
                quote!(Vec::from([#(#items),*]))
            }
            Type::Map(map) => {
                let Document::Map(entries) = value else { return Err(format!("expected a map, got {value:?}")) };
                let entries = entries
                    .iter()
                    .map(|(k, v)| {
                        let v = match (v, map.sparse) {
                            (Document::Null, true) => quote!(None),
                            (v, true) => {
                                let v = self.value(&map.value, v, nested_side)?;
                                quote!(Some(#v))
                            }
                            (v, false) => self.value(&map.value, v, nested_side)?,
                        };
                        Ok(quote!((#k.to_owned(), #v)))
                    })
                    .collect::<Result<Vec<_>, String>>()?;
                quote!(::std::collections::BTreeMap::from([#(#entries),*]))
            }
        })
    }

    fn union_value(&self, name: &str, value: &Document, side: Side) -> Result<TokenStream, String> {
        let shapes = self.shapes;
        let u = self.aggregates.get(name).ok_or_else(|| format!("unknown union {name}"))?;
        let Document::Map(members) = value else {
            return Err(format!("{name}: a union value needs one member, got {value:?}"));
        };
        let (key, inner) =
            members.first().ok_or_else(|| format!("{name}: a union value needs one member, got {value:?}"))?;
        let m = u.members.iter().find(|m| &m.name == key).ok_or_else(|| format!("{name} has no member {key}"))?;
        let union = format_ident!("{}", name);
        let variant = format_ident!("{}", pascal_case(&m.name));
        let inner = self.value(&m.ty, inner, side)?;
        let inner = if m.boxed { quote!(Box::new(#inner)) } else { inner };
        Ok(quote!(#shapes::#union::#variant(#inner)))
    }
}

/// A document number that is a whole number.
fn whole_number(value: &Document) -> Result<i64, String> {
    match value {
        Document::Number(text) => text.parse().map_err(|_| format!("expected an integer, got {text}")),
        other => Err(format!("expected an integer, got {other:?}")),
    }
}

fn integer(value: &Document, literal: impl Fn(i64) -> Literal) -> Result<TokenStream, String> {
    let literal = literal(whole_number(value)?);
    Ok(quote!(#literal))
}

fn float(value: &Document, ty: TokenStream, literal: impl Fn(f64) -> Literal) -> Result<TokenStream, String> {
    Ok(match value {
        Document::String(s) if s == "NaN" => quote!(#ty::NAN),
        Document::String(s) if s == "Infinity" => quote!(#ty::INFINITY),
        Document::String(s) if s == "-Infinity" => quote!(#ty::NEG_INFINITY),
        Document::Number(text) => {
            let literal = literal(text.parse().map_err(|_| format!("bad float {text}"))?);
            quote!(#literal)
        }
        other => return Err(format!("expected a float, got {other:?}")),
    })
}
