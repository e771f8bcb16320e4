//! `serialize_request`: method, path with its labels, query, headers, host prefix and XML body.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::xml_write::{member_writes, namespace_attribute, scalar_string, scalar_text, ser_call};
use super::{Ctx, with_value};
use crate::emit::{doc_line, ident};
use crate::ir::{Location, Member, Operation, PathSegment, TimestampFormat, Type};

pub(super) fn serialize_request(ctx: &Ctx<'_>, op: &Operation) -> TokenStream {
    let shapes = ctx.shapes;
    let input_type = format_ident!("{}", op.input.name);
    let method = &op.method;
    let members = &op.input.members;

    let idempotency = idempotency_fill(members);

    let refuse_dots = ctx.service.refuse_dot_segment_labels;
    let path = op.path.iter().map(|segment| path_segment(segment, members, refuse_dots));
    let placed = rule_placed_labels(op);
    let literal_query = op.literal_query.iter().map(|(k, v)| match v {
        Some(v) => quote!(request.push_query(#k, #v);),
        None => quote!(request.query.push(::cloudfront_restxml::encode_query(#k));),
    });
    let bound_query: Vec<&str> = members
        .iter()
        .filter_map(|m| match &m.location {
            Location::Query(k) => Some(k.as_str()),
            _ => None,
        })
        .chain(op.literal_query.iter().map(|(k, _)| k.as_str()))
        .collect();
    let query = members.iter().filter_map(|m| match &m.location {
        Location::Query(key) => Some(with_value(m, |v| query_values(&m.ty, key, v, m.timestamp_format))),
        Location::QueryParams => Some(with_value(m, |v| query_params(&m.ty, v, &bound_query))),
        _ => None,
    });
    let headers = header_bindings(members);
    let query: Vec<_> = query.collect();
    let literal_query: Vec<_> = literal_query.collect();
    let host_prefix = op.host_prefix.as_deref().map(|pattern| host_prefix(pattern, members));
    let mut body = request_body(ctx, op);
    if !body.is_empty() {
        let compress = op
            .request_compression
            .iter()
            .any(|e| e == "gzip")
            .then(|| quote!(::cloudfront_restxml::compress_gzip(&mut request);));
        body = quote! {
            #body
            #compress
            request.set_content_length();
        };
    }
    let changes_request = !(query.is_empty()
        && headers.is_empty()
        && literal_query.is_empty()
        && body.is_empty()
        && host_prefix.is_none());
    let request_binding = if changes_request { quote!(let mut request) } else { quote!(let request) };
    // Members bound nowhere in the request (an output-only binding, say) leave `input` unread.
    let reads_input = members.iter().any(|m| !matches!(m.location, Location::ResponseCode));
    let input_param = if reads_input { quote!(input) } else { quote!(_input) };
    let fn_doc = doc_line(&format!("Builds the HTTP request for `{}`; fails on a value that cannot be sent.", op.name));
    let path_binding = if op.path.is_empty() { quote!(let path) } else { quote!(let mut path) };
    quote! {
        #fn_doc
        pub fn serialize_request(#input_param: &#shapes::#input_type) -> Result<::cloudfront_primitives::HttpRequest, ::cloudfront_primitives::BuildError> {
            #idempotency
            #(#placed)*
            #path_binding = String::new();
            #(#path)*
            #request_binding = ::cloudfront_primitives::HttpRequest::new(#method, path);
            #host_prefix
            #(#literal_query)*
            #(#query)*
            #(#headers)*
            #body
            Ok(request)
        }
    }
}

/// Fills in the idempotency tokens the caller left empty (so retries can reuse them).
fn idempotency_fill(members: &[Member]) -> Option<TokenStream> {
    let fill_tokens = members.iter().filter(|m| m.idempotency_token && !m.required).map(|m| {
        let field = ident(&m.field);
        quote! {
            if input.#field.is_none() {
                filled.#field = Some(::cloudfront_primitives::idempotency_token());
            }
        }
    });
    let fill_tokens: Vec<_> = fill_tokens.collect();
    (!fill_tokens.is_empty()).then(|| {
        quote! {
            // Fill in idempotency tokens the caller left empty, so retries can reuse them.
            let mut filled = input.clone();
            #(#fill_tokens)*
            let input = &filled;
        }
    })
}

/// A label the endpoint rules place instead of the path (S3's bucket) is still refused when
/// empty: the rules would then address the service's root, and the key a different bucket.
fn rule_placed_labels(op: &Operation) -> Vec<TokenStream> {
    let in_path =
        |m: &Member| op.path.iter().any(|s| matches!(s, PathSegment::Label { member, .. } if *member == m.name));
    let placed = op.input.members.iter().filter(|m| matches!(m.location, Location::Label { .. }) && !in_path(m));
    placed
        .map(|m| {
            let (field, wire) = (ident(&m.field), &m.name);
            let empty = if m.required {
                quote!(input.#field.is_empty())
            } else {
                quote!(input.#field.as_ref().is_some_and(|value| value.is_empty()))
            };
            quote! {
                if #empty {
                    return Err(::cloudfront_primitives::BuildError::new(#wire, "must not be empty (it names where the request goes)"));
                }
            }
        })
        .collect()
}

/// One segment of the request path: literal text, or a label's value, checked and encoded.
fn path_segment(segment: &PathSegment, members: &[Member], refuse_dots: bool) -> TokenStream {
    let check = if refuse_dots { quote!(label) } else { quote!(label_with_dot_segments) };
    match segment {
        PathSegment::Literal(text) => push_literal(quote!(path), text),
        PathSegment::Label { member, greedy } => {
            let m = members.iter().find(|m| &m.name == member).expect("labels are checked while resolving");
            let field = ident(&m.field);
            let wire = &m.name;
            let text = scalar_text(&m.ty, quote!(value), m.timestamp_format);
            let value = if m.required {
                quote!(let value = &input.#field;)
            } else {
                quote!(let value = input.#field.as_ref().ok_or_else(|| ::cloudfront_primitives::BuildError::missing(#wire))?;)
            };
            quote! {
                {
                    #value
                    path.push_str(&::cloudfront_restxml::#check(#wire, #text, #greedy)?);
                }
            }
        }
    }
}

/// The members bound to headers; prefix headers come last, so a header bound to its own
/// member takes precedence.
fn header_bindings(members: &[Member]) -> Vec<TokenStream> {
    let specific_headers = members.iter().filter_map(|m| match &m.location {
        Location::Header(name) => Some(with_value(m, |v| {
            let text = header_text(&m.ty, v, m.timestamp_format);
            quote!(request.push_header(#name, #text);)
        })),
        _ => None,
    });
    // Prefix headers come last: a header bound to its own member takes precedence.
    let prefix_headers = members.iter().filter_map(|m| match &m.location {
        Location::PrefixHeaders(prefix) => Some(with_value(m, |v| {
            quote! {
                for (key, value) in #v {
                    let name = format!("{}{}", #prefix, key);
                    if request.header(&name).is_none() {
                        request.push_header(&name, value.clone());
                    }
                }
            }
        })),
        _ => None,
    });
    specific_headers.chain(prefix_headers).collect()
}

/// Appends literal text to a `String` (`push` for one character, as clippy prefers).
fn push_literal(target: TokenStream, text: &str) -> TokenStream {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => quote!(#target.push(#c);),
        _ => quote!(#target.push_str(#text);),
    }
}

/// Fills the `@endpoint` host prefix, checking each `{Label}` value is a valid host label.
fn host_prefix(pattern: &str, members: &[Member]) -> TokenStream {
    let mut pieces = Vec::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        let literal = &rest[..open];
        if !literal.is_empty() {
            pieces.push(push_literal(quote!(prefix), literal));
        }
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c);
        let label = &rest[open + 1..close];
        if let Some(m) = members.iter().find(|m| m.name == label) {
            let field = ident(&m.field);
            let wire = &m.name;
            let value = if m.required {
                quote!(&input.#field)
            } else {
                quote!(input.#field.as_deref().ok_or_else(|| ::cloudfront_primitives::BuildError::missing(#wire))?)
            };
            pieces.push(quote!(prefix.push_str(::cloudfront_restxml::host_label(#wire, #value)?);));
        }
        rest = &rest[(close + 1).min(rest.len())..];
    }
    if !rest.is_empty() {
        pieces.push(push_literal(quote!(prefix), rest));
    }
    quote! {
        let mut prefix = String::new();
        #(#pieces)*
        request.host_prefix = prefix;
    }
}

fn query_values(ty: &Type, key: &str, value: TokenStream, format: Option<TimestampFormat>) -> TokenStream {
    match ty {
        Type::List(list) => {
            let text = scalar_text(&list.member, quote!(item), format);
            quote! {
                for item in #value {
                    request.push_query(#key, #text);
                }
            }
        }
        _ => {
            let text = scalar_text(ty, value, format);
            quote!(request.push_query(#key, #text);)
        }
    }
}

/// `httpQueryParams`: every map entry becomes a parameter, unless an `httpQuery` member or
/// the URI already sets that key (those take precedence).
fn query_params(ty: &Type, value: TokenStream, bound: &[&str]) -> TokenStream {
    let Type::Map(map) = ty else { return quote!() };
    let push = match &map.value {
        Type::List(list) => {
            let text = scalar_text(&list.member, quote!(item), None);
            quote!(for item in entry { request.push_query(key, #text); })
        }
        other => {
            let text = scalar_text(other, quote!(entry), None);
            quote!(request.push_query(key, #text);)
        }
    };
    quote! {
        for (key, entry) in #value {
            if ![#(#bound),*].contains(&key.as_str()) {
                #push
            }
        }
    }
}

/// A header value (an owned `String`); lists are comma-joined.
fn header_text(ty: &Type, value: TokenStream, format: Option<TimestampFormat>) -> TokenStream {
    match ty {
        Type::List(list) => match &list.member {
            Type::String | Type::Enum(_) => {
                let text = scalar_text(&list.member, quote!(item), format);
                quote!(::cloudfront_restxml::join_header_list(#value.iter().map(|item| #text)))
            }
            member => {
                let text = scalar_string(member, quote!(item), format);
                quote!(#value.iter().map(|item| #text).collect::<Vec<_>>().join(", "))
            }
        },
        other => scalar_string(other, value, format),
    }
}

fn request_body(ctx: &Ctx<'_>, op: &Operation) -> TokenStream {
    let service = ctx.service;
    // The default never replaces a Content-Type a member set (S3's `ContentType`).
    let content_type = |ct: &str| {
        service.default_content_types.then(|| {
            quote! {
                if !request.headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("content-type")) {
                    request.push_header("Content-Type", #ct);
                }
            }
        })
    };
    if let Some(m) = op.input.members.iter().find(|m| m.location == Location::Payload) {
        return with_value(m, |v| match &m.ty {
            Type::Structure(name) | Type::Union(name) => {
                let element = &m.xml_name;
                let ns = namespace_attribute(
                    m.xml_namespace
                        .as_ref()
                        .or(ctx.aggregates[name.as_str()].xml_namespace.as_ref())
                        .or(service.xml_namespace.as_ref()),
                );
                xml_document_body(element, ns, ser_call(ctx, name, v, &m.name), content_type("application/xml"))
            }
            Type::Blob => {
                let ct = content_type(m.media_type.as_deref().unwrap_or("application/octet-stream"));
                quote! { request.body = #v.as_bytes().to_vec().into(); #ct }
            }
            // A stream is handed on as it is: a file stays a file, read as the request is sent.
            Type::Stream => {
                let ct = content_type(m.media_type.as_deref().unwrap_or("application/octet-stream"));
                quote! { request.body = #v.clone(); #ct }
            }
            Type::Enum(_) => {
                let ct = content_type(m.media_type.as_deref().unwrap_or("text/plain"));
                quote! { request.body = #v.as_str().as_bytes().to_vec().into(); #ct }
            }
            _ => {
                let ct = content_type(m.media_type.as_deref().unwrap_or("text/plain"));
                quote! { request.body = #v.as_bytes().to_vec().into(); #ct }
            }
        });
    }
    let body_members: Vec<&Member> = op.input.members.iter().filter(|m| m.location == Location::Body).collect();
    if body_members.is_empty() {
        return quote!();
    }
    let element = &op.input.xml_name;
    let ns = namespace_attribute(op.input.xml_namespace.as_ref().or(service.xml_namespace.as_ref()));
    let body = xml_document_body(
        element,
        ns,
        member_writes(ctx, &body_members, quote!(input)),
        content_type("application/xml"),
    );
    // As botocore does: when every body member is optional and none is set, no body at all
    // (an empty root element is not what the AWS CLI sends).
    if body_members.iter().any(|m| m.required || m.idempotency_token) {
        return body;
    }
    let set = body_members.iter().map(|m| {
        let field = ident(&m.field);
        quote!(input.#field.is_some())
    });
    quote! {
        if #(#set)||* {
            #body
        }
    }
}

/// A request body that is one XML document: root `element`, its namespace attribute,
/// `content` written inside it, then the Content-Type header statement `ct` (if any).
fn xml_document_body(element: &str, ns: TokenStream, content: TokenStream, ct: Option<TokenStream>) -> TokenStream {
    quote! {
        let mut writer = ::cloudfront_restxml::XmlWriter::new();
        let w = &mut writer;
        w.start(#element);
        #ns
        #content
        w.end(#element);
        request.body = writer.finish().into_bytes().into();
        #ct
    }
}
