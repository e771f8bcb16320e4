//! The `<prefix>-serializers` crate: restXml request serializers, response parsers and error
//! parsers, one module per operation, over shared per-shape XML functions.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{Crates, doc_line, ident, timestamp_format};
use crate::ir::{
    Location, Member, NamedShape, Operation, PathSegment, Service, Structure, TimestampFormat, Type, XmlNamespace,
};

/// What every function in this emitter needs to look up.
struct Ctx<'a> {
    service: &'a Service,
    shapes: &'a TokenStream,
    errors: &'a TokenStream,
    /// Structures and unions by Rust name.
    aggregates: BTreeMap<&'a str, &'a Structure>,
}

/// (module name, tokens) for every file of the serializers crate.
pub(super) fn files(service: &Service, crates: &Crates) -> Vec<(String, TokenStream)> {
    let aggregates = super::paths::aggregates(service);
    let ctx = Ctx { service, shapes: &crates.shapes, errors: &crates.errors, aggregates };

    let mut files = Vec::new();
    let mut modules = Vec::new();
    for op in &service.operations {
        modules.push(op.snake.clone());
        files.push((op.snake.clone(), operation(&ctx, op)));
    }
    files.push(("xml".to_owned(), shape_functions(&ctx)));
    files.push(("errors".to_owned(), error_functions(&ctx)));

    let crate_doc = format!(
        " The restXml wire format of the {} API: for each operation, `serialize_request` builds the \
         HTTP request (method, path, query, headers, XML body), `parse_response` reads a successful \
         response and `parse_error` reads an error response.",
        service.title
    );
    let ops = modules.iter().map(|m| {
        let m = format_ident!("{}", m);
        quote!(pub mod #m;)
    });
    let lib = quote! {
        #![doc = #crate_doc]
        #![deny(missing_docs)]
        mod errors;
        #(#ops)*
        mod xml;
    };
    files.insert(0, ("lib".to_owned(), lib));
    files
}

// ---------------------------------------------------------------------------------------------
// Operations

fn operation(ctx: &Ctx<'_>, op: &Operation) -> TokenStream {
    let serialize = serialize_request(ctx, op);
    let parse = parse_response(ctx, op);
    let error = parse_error(ctx, op);
    let module_doc = format!(" Wire format of `{}`.", op.name);
    quote! {
        #![doc = #module_doc]
        #serialize
        #parse
        #error
    }
}

fn serialize_request(ctx: &Ctx<'_>, op: &Operation) -> TokenStream {
    let shapes = ctx.shapes;
    let input_type = format_ident!("{}", op.input.name);
    let method = &op.method;
    let members = &op.input.members;

    let fill_tokens = members.iter().filter(|m| m.idempotency_token && !m.required).map(|m| {
        let field = ident(&m.field);
        quote! {
            if input.#field.is_none() {
                filled.#field = Some(::cloudfront_primitives::idempotency_token());
            }
        }
    });
    let fill_tokens: Vec<_> = fill_tokens.collect();
    let idempotency = (!fill_tokens.is_empty()).then(|| {
        quote! {
            // Fill in idempotency tokens the caller left empty, so retries can reuse them.
            let mut filled = input.clone();
            #(#fill_tokens)*
            let input = &filled;
        }
    });

    let path = op.path.iter().map(|segment| match segment {
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
                    path.push_str(&::cloudfront_restxml::label(#wire, #text, #greedy)?);
                }
            }
        }
    });
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
    let headers = specific_headers.chain(prefix_headers);
    let query: Vec<_> = query.collect();
    let headers: Vec<_> = headers.collect();
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
    quote! {
        #fn_doc
        pub fn serialize_request(#input_param: &#shapes::#input_type) -> Result<::cloudfront_restxml::HttpRequest, ::cloudfront_primitives::BuildError> {
            #idempotency
            let mut path = String::new();
            #(#path)*
            #request_binding = ::cloudfront_restxml::HttpRequest::new(#method, path);
            #host_prefix
            #(#literal_query)*
            #(#query)*
            #(#headers)*
            #body
            Ok(request)
        }
    }
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

/// Runs `write` with `value` bound to a reference to the member's value, when it has one.
fn with_value(m: &Member, write: impl FnOnce(TokenStream) -> TokenStream) -> TokenStream {
    let field = ident(&m.field);
    let body = write(quote!(value));
    if m.required {
        quote! { { let value = &input.#field; #body } }
    } else {
        quote! { if let Some(value) = &input.#field { #body } }
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
    let content_type = |ct: &str| {
        let xml = ct == "application/xml";
        (!xml || service.xml_content_type).then(|| quote!(request.push_header("Content-Type", #ct);))
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
                quote! { request.body = #v.as_bytes().to_vec(); #ct }
            }
            Type::Enum(_) => {
                let ct = content_type(m.media_type.as_deref().unwrap_or("text/plain"));
                quote! { request.body = #v.as_str().as_bytes().to_vec(); #ct }
            }
            _ => {
                let ct = content_type(m.media_type.as_deref().unwrap_or("text/plain"));
                quote! { request.body = #v.as_bytes().to_vec(); #ct }
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
        request.body = writer.finish().into_bytes();
        #ct
    }
}

fn parse_response(ctx: &Ctx<'_>, op: &Operation) -> TokenStream {
    let shapes = ctx.shapes;
    let output_type = format_ident!("{}", op.output.name);
    let members = &op.output.members;
    let headers = header_reads(members, quote!(response), shapes);
    let status = members.iter().filter(|m| m.location == Location::ResponseCode).map(|m| {
        let set = setter(m);
        quote!(builder = builder.#set(Some(i32::from(response.status)));)
    });
    let body = if let Some(m) = members.iter().find(|m| m.location == Location::Payload) {
        let set = setter(m);
        let wire = &m.name;
        match &m.ty {
            Type::Structure(name) | Type::Union(name) => {
                let de = format_ident!("de_{}", ctx.aggregates[name.as_str()].module);
                let value = boxed(m, quote!(crate::xml::#de(&root)?));
                let expected_root = &m.xml_name;
                quote! {
                    if !response.body.is_empty() {
                        let root = ::cloudfront_restxml::parse_document(&response.body)?;
                        ::cloudfront_restxml::reject_error_document(&root, #expected_root)?;
                        builder = builder.#set(Some(#value));
                    }
                }
            }
            Type::Blob => quote! {
                if !response.body.is_empty() {
                    builder = builder.#set(Some(::cloudfront_primitives::Blob::new(response.body.clone())));
                }
            },
            ty => {
                let text = quote!(
                    String::from_utf8(response.body.clone())
                        .map_err(|e| ::cloudfront_restxml::ParseError::new(format!("{}: {e}", #wire)))?
                );
                let value = match ty {
                    Type::Enum(name) => {
                        let name = format_ident!("{}", name);
                        quote!(#shapes::#name::from(#text.as_str()))
                    }
                    _ => text,
                };
                quote! {
                    if !response.body.is_empty() {
                        builder = builder.#set(Some(#value));
                    }
                }
            }
        }
    } else {
        let body_members: Vec<&Member> = members.iter().filter(|m| m.location == Location::Body).collect();
        if body_members.is_empty() {
            quote!()
        } else {
            let reads = member_reads(ctx, &body_members, quote!(root));
            let expected_root = &op.output.xml_name;
            quote! {
                if !response.body.is_empty() {
                    let root = ::cloudfront_restxml::parse_document(&response.body)?;
                    ::cloudfront_restxml::reject_error_document(&root, #expected_root)?;
                    #reads
                }
            }
        }
    };
    let status: Vec<_> = status.collect();
    let reads_response = !(headers.is_empty() && status.is_empty() && body.is_empty());
    let builder_decl = if reads_response {
        quote!(let mut builder = #shapes::#output_type::builder();)
    } else {
        quote!(let builder = #shapes::#output_type::builder();)
    };
    let response_param = if reads_response { quote!(response) } else { quote!(_response) };
    let fn_doc = doc_line(&format!("Reads a successful `{}` response.", op.name));
    quote! {
        #fn_doc
        pub fn parse_response(#response_param: &::cloudfront_restxml::HttpResponse) -> Result<#shapes::#output_type, ::cloudfront_restxml::ParseError> {
            #builder_decl
            #(#headers)*
            #(#status)*
            #body
            Ok(builder.build_or_default())
        }
    }
}

fn parse_error(ctx: &Ctx<'_>, op: &Operation) -> TokenStream {
    let errors = ctx.errors;
    let error_type = format_ident!("{}Error", op.name);
    let fn_doc =
        doc_line(&format!("Reads an error response of `{}`; never fails (unknown codes become `Unhandled`).", op.name));
    if op.errors.is_empty() {
        return quote! {
            #fn_doc
            pub fn parse_error(response: &::cloudfront_restxml::HttpResponse) -> #errors::#error_type {
                #errors::#error_type::Unhandled(::cloudfront_primitives::UnhandledError::new(::cloudfront_restxml::parse_error_response(response).meta))
            }
        };
    }
    let arms = op.errors.iter().map(|name| {
        let error = ctx.service.errors.iter().find(|e| &e.name == name).expect("operation errors are resolved");
        let code = &error.error.as_ref().expect("error info").code;
        let variant = format_ident!("{}", name);
        let de = format_ident!("de_{}", error.module);
        quote!(#code => crate::errors::#de(&parsed, response).map(#errors::#error_type::#variant),)
    });
    quote! {
        #fn_doc
        pub fn parse_error(response: &::cloudfront_restxml::HttpResponse) -> #errors::#error_type {
            let parsed = ::cloudfront_restxml::parse_error_response(response);
            let code = parsed.meta.code.clone().unwrap_or_default();
            let modeled = match code.as_str() {
                #(#arms)*
                _ => return #errors::#error_type::Unhandled(::cloudfront_primitives::UnhandledError::new(parsed.meta)),
            };
            // A modeled error whose members cannot be read is still reported, as unhandled.
            modeled.unwrap_or_else(|_| #errors::#error_type::Unhandled(::cloudfront_primitives::UnhandledError::new(parsed.meta)))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Shared per-shape functions

/// `ser_<shape>` for shapes sent in requests and `de_<shape>` for shapes read from responses.
fn shape_functions(ctx: &Ctx<'_>) -> TokenStream {
    let service = ctx.service;
    let sent = reachable(ctx, service.operations.iter().flat_map(|op| body_types(&op.input)));
    let received = reachable(
        ctx,
        service
            .operations
            .iter()
            .flat_map(|op| body_types(&op.output))
            .chain(service.errors.iter().flat_map(body_types)),
    );
    let mut items = Vec::new();
    for (name, s) in &ctx.aggregates {
        let is_union = matches!(service.shapes.iter().find(|x| x.name() == *name), Some(NamedShape::Union(_)));
        if sent.contains(*name) {
            items.push(if is_union { ser_union(ctx, s) } else { ser_structure(ctx, s) });
        }
        if received.contains(*name) {
            items.push(if is_union { de_union(ctx, s) } else { de_structure(ctx, s) });
        }
    }
    quote! {
        //! XML writers and readers for the structures and unions of request and response bodies.
        #(#items)*
    }
}

/// Member types that travel in a body (or are the payload) of a structure.
fn body_types(s: &Structure) -> impl Iterator<Item = &Type> {
    s.members.iter().filter(|m| matches!(m.location, Location::Body | Location::Payload)).map(|m| &m.ty)
}

/// Names of the aggregates reachable from `roots`.
fn reachable<'a>(ctx: &Ctx<'a>, roots: impl Iterator<Item = &'a Type>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<&Type> = roots.collect();
    while let Some(ty) = stack.pop() {
        match ty {
            Type::Structure(name) | Type::Union(name) if seen.insert(name.clone()) => {
                stack.extend(ctx.aggregates[name.as_str()].members.iter().map(|m| &m.ty));
            }
            Type::List(list) => stack.push(&list.member),
            Type::Map(map) => stack.push(&map.value),
            _ => {}
        }
    }
    seen
}

fn ser_structure(ctx: &Ctx<'_>, s: &Structure) -> TokenStream {
    let shapes = ctx.shapes;
    let name = format_ident!("{}", s.name);
    let function = format_ident!("ser_{}", s.module);
    let check = s.counted_list.map(|c| {
        let quantity = &s.members[c.quantity];
        let items = &s.members[c.items];
        let q = ident(&quantity.field);
        let i = ident(&items.field);
        let q_name = &quantity.name;
        let i_name = &items.name;
        quote! {
            let count = value.#i.as_ref().map_or(0, Vec::len);
            if usize::try_from(value.#q).ok() != Some(count) {
                return Err(::cloudfront_primitives::BuildError::new(
                    #q_name,
                    format!("is {} but {} has {} entries; they must match (leave {} unset to have it counted)", value.#q, #i_name, count, #q_name),
                ));
            }
        }
    });
    let members: Vec<&Member> = s.members.iter().collect();
    let writes = member_writes(ctx, &members, quote!(value));
    let doc = format!(" Writes the attributes and child elements of `{}`.", s.shape_name);
    quote! {
        #[doc = #doc]
        pub(crate) fn #function(w: &mut ::cloudfront_restxml::XmlWriter, value: &#shapes::#name) -> Result<(), ::cloudfront_primitives::BuildError> {
            #check
            #writes
            Ok(())
        }
    }
}

fn ser_union(ctx: &Ctx<'_>, u: &Structure) -> TokenStream {
    let shapes = ctx.shapes;
    let name = format_ident!("{}", u.name);
    let function = format_ident!("ser_{}", u.module);
    let label = &u.shape_name;
    let arms = u.members.iter().map(|m| {
        let variant = format_ident!("{}", crate::names::pascal_case(&m.name));
        let write = element_write(
            ctx,
            &m.ty,
            &m.xml_name,
            quote!(value),
            m.xml_namespace.as_ref(),
            m.timestamp_format,
            m.xml_flattened,
            &m.name,
        );
        quote!(#shapes::#name::#variant(value) => { #write })
    });
    let doc = format!(" Writes the one member that `{}` holds.", u.shape_name);
    quote! {
        #[doc = #doc]
        pub(crate) fn #function(w: &mut ::cloudfront_restxml::XmlWriter, value: &#shapes::#name) -> Result<(), ::cloudfront_primitives::BuildError> {
            match value {
                #(#arms)*
                // `Unknown`, or a variant added after this crate was generated.
                _ => {
                    return Err(::cloudfront_primitives::BuildError::new(#label, "holds a variant unknown to this client and cannot be sent"));
                }
            }
            Ok(())
        }
    }
}

/// Attribute members first (they belong to the start tag), then child elements in model order.
fn member_writes(ctx: &Ctx<'_>, members: &[&Member], owner: TokenStream) -> TokenStream {
    let attributes = members.iter().filter(|m| m.location == Location::Body && m.xml_attribute).map(|m| {
        let field = ident(&m.field);
        let key = &m.xml_name;
        let text = scalar_text(&m.ty, quote!(value), m.timestamp_format);
        if m.required {
            quote! { { let value = &#owner.#field; w.attribute(#key, #text); } }
        } else {
            quote! { if let Some(value) = &#owner.#field { w.attribute(#key, #text); } }
        }
    });
    let elements = members.iter().filter(|m| m.location == Location::Body && !m.xml_attribute).map(|m| {
        let field = ident(&m.field);
        let write = element_write(
            ctx,
            &m.ty,
            &m.xml_name,
            quote!(value),
            m.xml_namespace.as_ref(),
            m.timestamp_format,
            m.xml_flattened,
            &m.name,
        );
        if m.required {
            quote! { { let value = &#owner.#field; #write } }
        } else {
            quote! { if let Some(value) = &#owner.#field { #write } }
        }
    });
    quote!(#(#attributes)* #(#elements)*)
}

/// Writes `value` (a reference) as the element `element`; lists and maps write their entries.
#[allow(clippy::too_many_arguments)]
fn element_write(
    ctx: &Ctx<'_>,
    ty: &Type,
    element: &str,
    value: TokenStream,
    ns: Option<&XmlNamespace>,
    format: Option<TimestampFormat>,
    flattened: bool,
    path: &str,
) -> TokenStream {
    match ty {
        // A structure's own `@xmlNamespace` is written only where it is the document root.
        Type::Structure(name) | Type::Union(name) => {
            let ns = namespace_attribute(ns);
            let call = ser_call(ctx, name, value, path);
            quote! {
                w.start(#element);
                #ns
                #call
                w.end(#element);
            }
        }
        Type::List(list) => {
            let items = if list.sparse { quote!(#value.iter().flatten()) } else { quote!(#value) };
            if flattened {
                let item = element_write(
                    ctx,
                    &list.member,
                    element,
                    quote!(item),
                    list.member_xml_namespace.as_ref().or(ns),
                    format,
                    false,
                    path,
                );
                quote! { for item in #items { #item } }
            } else {
                let ns = namespace_attribute(ns);
                let item = element_write(
                    ctx,
                    &list.member,
                    &list.member_xml_name,
                    quote!(item),
                    list.member_xml_namespace.as_ref(),
                    format,
                    false,
                    path,
                );
                quote! {
                    w.start(#element);
                    #ns
                    for item in #items { #item }
                    w.end(#element);
                }
            }
        }
        Type::Map(map) => {
            let key = element_write(
                ctx,
                &map.key,
                &map.key_xml_name,
                quote!(key),
                map.key_xml_namespace.as_ref(),
                None,
                false,
                path,
            );
            let value_write = element_write(
                ctx,
                &map.value,
                &map.value_xml_name,
                quote!(entry),
                map.value_xml_namespace.as_ref(),
                format,
                false,
                path,
            );
            let value_write =
                if map.sparse { quote!(if let Some(entry) = entry { #value_write }) } else { value_write };
            let ns_tokens = namespace_attribute(ns);
            if flattened {
                quote! {
                    for (key, entry) in #value {
                        w.start(#element);
                        #ns_tokens
                        #key
                        #value_write
                        w.end(#element);
                    }
                }
            } else {
                quote! {
                    w.start(#element);
                    #ns_tokens
                    for (key, entry) in #value {
                        w.start("entry");
                        #key
                        #value_write
                        w.end("entry");
                    }
                    w.end(#element);
                }
            }
        }
        scalar => {
            let text = scalar_text(scalar, value, format);
            match ns {
                Some(_) => {
                    let ns = namespace_attribute(ns);
                    quote! {
                        w.start(#element);
                        #ns
                        w.text(#text);
                        w.end(#element);
                    }
                }
                None => quote!(w.element(#element, #text);),
            }
        }
    }
}

/// Calls `ser_<shape>` (with `w: &mut XmlWriter` in scope) and prefixes an error's field
/// path with the member name.
fn ser_call(ctx: &Ctx<'_>, name: &str, value: TokenStream, path: &str) -> TokenStream {
    let function = format_ident!("ser_{}", ctx.aggregates[name].module);
    quote!(crate::xml::#function(w, #value).map_err(|e| e.within(#path))?;)
}

/// `w.attribute("xmlns[:prefix]", uri)` for a declared namespace.
fn namespace_attribute(ns: Option<&XmlNamespace>) -> TokenStream {
    let Some(ns) = ns else { return quote!() };
    let key = match &ns.prefix {
        Some(prefix) => format!("xmlns:{prefix}"),
        None => "xmlns".to_owned(),
    };
    let uri = &ns.uri;
    quote!(w.attribute(#key, #uri);)
}

/// The text of a scalar as an expression usable as `&str`; `value` is a reference.
fn scalar_text(ty: &Type, value: TokenStream, format: Option<TimestampFormat>) -> TokenStream {
    match ty {
        Type::String | Type::BigInteger | Type::BigDecimal | Type::Document | Type::Enum(_) => {
            quote!(#value.as_str())
        }
        Type::Boolean => quote!(if *#value { "true" } else { "false" }),
        other => {
            let owned = scalar_string(other, value, format);
            quote!(&#owned)
        }
    }
}

/// The text of a scalar as an owned `String`; `value` is a reference.
fn scalar_string(ty: &Type, value: TokenStream, format: Option<TimestampFormat>) -> TokenStream {
    match ty {
        Type::String | Type::BigInteger | Type::BigDecimal | Type::Document => quote!(#value.clone()),
        Type::Enum(_) => quote!(#value.as_str().to_owned()),
        Type::IntEnum(_) => quote!(#value.as_i32().to_string()),
        Type::Boolean | Type::Byte | Type::Short | Type::Integer | Type::Long => quote!(#value.to_string()),
        Type::Float | Type::Double => quote!(::cloudfront_restxml::fmt_float(*#value)),
        Type::Timestamp => {
            let format = timestamp_format(format);
            quote!(#value.fmt(#format))
        }
        Type::Blob => quote!(#value.to_base64()),
        Type::Structure(_) | Type::Union(_) | Type::List(_) | Type::Map(_) => {
            unreachable!("aggregates are written as elements, not text")
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reading

fn de_structure(ctx: &Ctx<'_>, s: &Structure) -> TokenStream {
    let shapes = ctx.shapes;
    let name = format_ident!("{}", s.name);
    let function = format_ident!("de_{}", s.module);
    let members: Vec<&Member> = s.members.iter().collect();
    let reads = member_reads(ctx, &members, quote!(element));
    let doc = format!(" Reads `{}` from its element, ignoring unknown children.", s.shape_name);
    let param = if members.is_empty() { quote!(_element) } else { quote!(element) };
    let mutability = if members.is_empty() { quote!() } else { quote!(mut) };
    quote! {
        #[doc = #doc]
        pub(crate) fn #function(#param: &::cloudfront_restxml::XmlElement) -> Result<#shapes::#name, ::cloudfront_restxml::ParseError> {
            let #mutability builder = #shapes::#name::builder();
            #reads
            Ok(builder.build_or_default())
        }
    }
}

fn de_union(ctx: &Ctx<'_>, u: &Structure) -> TokenStream {
    let shapes = ctx.shapes;
    let name = format_ident!("{}", u.name);
    let function = format_ident!("de_{}", u.module);
    let arms = u.members.iter().map(|m| {
        let variant = format_ident!("{}", crate::names::pascal_case(&m.name));
        let wire = &m.xml_name;
        let value = boxed(m, read_value(ctx, &m.ty, quote!(child), m.timestamp_format, &m.name, 0));
        (wire, quote!(return Ok(#shapes::#name::#variant(#value));))
    });
    let arms: Vec<_> = arms.collect();
    let dispatch = by_element_name(&arms);
    let doc = format!(" Reads `{}` from its element: the first known member wins.", u.shape_name);
    quote! {
        #[doc = #doc]
        pub(crate) fn #function(element: &::cloudfront_restxml::XmlElement) -> Result<#shapes::#name, ::cloudfront_restxml::ParseError> {
            for child in element.children() {
                #dispatch
            }
            Ok(#shapes::#name::Unknown)
        }
    }
}

/// Runs the statement of the arm whose element name matches `child` (unknown names are skipped).
fn by_element_name(arms: &[(&String, TokenStream)]) -> TokenStream {
    if let [(name, statement)] = arms {
        return quote!(if child.name() == #name { #statement });
    }
    let arms = arms.iter().map(|(name, statement)| quote!(#name => { #statement }));
    quote! {
        match child.name() {
            #(#arms)*
            _ => {}
        }
    }
}

/// Reads body members from the children and attributes of `element` into `builder`.
fn member_reads(ctx: &Ctx<'_>, members: &[&Member], element: TokenStream) -> TokenStream {
    let body: Vec<&&Member> = members.iter().filter(|m| m.location == Location::Body).collect();
    let attributes = body.iter().filter(|m| m.xml_attribute).map(|m| {
        let set = setter(m);
        let key = &m.xml_name;
        let value = scalar_read(&m.ty, quote!(text), &m.name, ctx.shapes);
        quote! {
            if let Some(text) = #element.attribute(#key) {
                builder = builder.#set(Some(#value));
            }
        }
    });
    let children: Vec<_> = body.iter().filter(|m| !m.xml_attribute).collect();
    let flattened: Vec<_> =
        children.iter().filter(|m| m.xml_flattened && matches!(m.ty, Type::List(_) | Type::Map(_))).collect();
    let accumulators = flattened.iter().map(|m| {
        let var = format_ident!("flat_{}", m.field.trim_start_matches("r#"));
        quote!(let mut #var = None;)
    });
    let arms = children.iter().map(|m| {
        let wire = &m.xml_name;
        if m.xml_flattened && matches!(m.ty, Type::List(_) | Type::Map(_)) {
            let var = format_ident!("flat_{}", m.field.trim_start_matches("r#"));
            match &m.ty {
                Type::List(list) => {
                    let item = read_value(ctx, &list.member, quote!(child), m.timestamp_format, &m.name, 0);
                    let item = if list.sparse { quote!(Some(#item)) } else { item };
                    (wire, quote!(#var.get_or_insert_with(Vec::new).push(#item);))
                }
                Type::Map(map) => {
                    let entry = map_entry_read(ctx, map, quote!(child), m.timestamp_format, &m.name, 0);
                    (
                        wire,
                        quote! {
                            let (key, value) = #entry;
                            #var.get_or_insert_with(::std::collections::BTreeMap::new).insert(key, value);
                        },
                    )
                }
                _ => unreachable!(),
            }
        } else {
            let value = boxed(m, read_value(ctx, &m.ty, quote!(child), m.timestamp_format, &m.name, 0));
            let set = setter(m);
            (wire, quote!(builder = builder.#set(Some(#value));))
        }
    });
    let finish = flattened.iter().map(|m| {
        let var = format_ident!("flat_{}", m.field.trim_start_matches("r#"));
        let set = setter(m);
        quote!(builder = builder.#set(#var);)
    });
    let arms: Vec<_> = arms.collect();
    let walk = (!arms.is_empty()).then(|| {
        let dispatch = by_element_name(&arms);
        quote!(for child in #element.children() { #dispatch })
    });
    quote! {
        #(#attributes)*
        #(#accumulators)*
        #walk
        #(#finish)*
    }
}

/// Reads an element's value (an expression that may use `?`).
fn read_value(
    ctx: &Ctx<'_>,
    ty: &Type,
    element: TokenStream,
    format: Option<TimestampFormat>,
    path: &str,
    depth: usize,
) -> TokenStream {
    match ty {
        Type::Structure(name) | Type::Union(name) => {
            let de = format_ident!("de_{}", ctx.aggregates[name.as_str()].module);
            quote!(crate::xml::#de(#element)?)
        }
        Type::List(list) => {
            let item = format_ident!("item{}", depth);
            let items = format_ident!("items{}", depth);
            let value = read_value(ctx, &list.member, quote!(#item), format, path, depth + 1);
            let value = if list.sparse { quote!(Some(#value)) } else { value };
            quote! {
                {
                    let mut #items = Vec::new();
                    for #item in #element.children() {
                        #items.push(#value);
                    }
                    #items
                }
            }
        }
        Type::Map(map) => {
            let entry = format_ident!("entry{}", depth);
            let entries = format_ident!("entries{}", depth);
            let read = map_entry_read(ctx, map, quote!(#entry), format, path, depth + 1);
            quote! {
                {
                    let mut #entries = ::std::collections::BTreeMap::new();
                    for #entry in #element.children() {
                        let (key, value) = #read;
                        #entries.insert(key, value);
                    }
                    #entries
                }
            }
        }
        scalar => scalar_read(scalar, quote!(#element.text()), path, ctx.shapes),
    }
}

/// Reads one `<entry><key/><value/></entry>` (or flattened entry) into a `(key, value)` pair.
fn map_entry_read(
    ctx: &Ctx<'_>,
    map: &crate::ir::Map,
    entry: TokenStream,
    format: Option<TimestampFormat>,
    path: &str,
    depth: usize,
) -> TokenStream {
    let key_name = &map.key_xml_name;
    let value_name = &map.value_xml_name;
    let value_element = format_ident!("value{}", depth);
    let value = read_value(ctx, &map.value, quote!(#value_element), format, path, depth + 1);
    let value = if map.sparse {
        quote!(match #entry.child(#value_name) { Some(#value_element) => Some(#value), None => None })
    } else {
        quote!(match #entry.child(#value_name) {
            Some(#value_element) => #value,
            None => return Err(::cloudfront_restxml::ParseError::new(format!("{}: map entry without a {} element", #path, #value_name))),
        })
    };
    quote!((#entry.child(#key_name).map(|k| k.text().to_owned()).unwrap_or_default(), #value))
}

/// Reads a scalar from text (`text` is a `&str` expression).
fn scalar_read(ty: &Type, text: TokenStream, path: &str, shapes: &TokenStream) -> TokenStream {
    match ty {
        Type::String | Type::BigInteger | Type::BigDecimal | Type::Document => quote!(#text.to_owned()),
        Type::Boolean => quote!(::cloudfront_restxml::parse_bool(#text)),
        Type::Byte => quote!(::cloudfront_restxml::parse_scalar::<i8>(#path, #text)?),
        Type::Short => quote!(::cloudfront_restxml::parse_scalar::<i16>(#path, #text)?),
        Type::Integer => quote!(::cloudfront_restxml::parse_scalar::<i32>(#path, #text)?),
        Type::Long => quote!(::cloudfront_restxml::parse_scalar::<i64>(#path, #text)?),
        Type::Float => quote!(::cloudfront_restxml::parse_scalar::<f32>(#path, #text)?),
        Type::Double => quote!(::cloudfront_restxml::parse_scalar::<f64>(#path, #text)?),
        Type::Timestamp => quote!(::cloudfront_restxml::parse_timestamp(#path, #text)?),
        Type::Blob => quote!(::cloudfront_restxml::parse_blob(#path, #text)?),
        Type::Enum(name) => {
            let name = format_ident!("{}", name);
            quote!(#shapes::#name::from(#text))
        }
        Type::IntEnum(name) => {
            let name = format_ident!("{}", name);
            quote!(#shapes::#name::from(::cloudfront_restxml::parse_scalar::<i32>(#path, #text)?))
        }
        Type::Structure(_) | Type::Union(_) | Type::List(_) | Type::Map(_) => unreachable!("not a scalar"),
    }
}

/// Reads header-bound members of a response into `builder`.
fn header_reads(members: &[Member], response: TokenStream, shapes: &TokenStream) -> Vec<TokenStream> {
    members
        .iter()
        .filter_map(|m| match &m.location {
            Location::Header(name) => {
                let set = setter(m);
                let value = header_value_read(m, quote!(text), shapes);
                Some(quote! {
                    if let Some(text) = #response.header(#name) {
                        builder = builder.#set(Some(#value));
                    }
                })
            }
            Location::PrefixHeaders(prefix) => {
                let set = setter(m);
                Some(quote! {
                    let prefixed: ::std::collections::BTreeMap<String, String> = #response
                        .headers_with_prefix(#prefix)
                        .map(|(key, value)| (key.to_owned(), value.to_owned()))
                        .collect();
                    builder = builder.#set(Some(prefixed));
                })
            }
            _ => None,
        })
        .collect()
}

/// A header's value as the member's type; lists are split on commas.
fn header_value_read(m: &Member, text: TokenStream, shapes: &TokenStream) -> TokenStream {
    match &m.ty {
        Type::List(list) => {
            let split = if list.member == Type::Timestamp && m.timestamp_format == Some(TimestampFormat::HttpDate) {
                quote!(::cloudfront_restxml::split_http_date_list(#text))
            } else {
                quote!(::cloudfront_restxml::split_header_list(#text))
            };
            let item = scalar_read(&list.member, quote!(item.as_str()), &m.name, shapes);
            quote! {
                {
                    let mut items = Vec::new();
                    for item in #split {
                        items.push(#item);
                    }
                    items
                }
            }
        }
        ty => scalar_read(ty, text, &m.name, shapes),
    }
}

/// The builder's `set_<field>` method.
fn setter(m: &Member) -> proc_macro2::Ident {
    format_ident!("set_{}", m.field.trim_start_matches("r#"))
}

/// Wraps a read value in `Box::new` when the field is boxed.
fn boxed(m: &Member, value: TokenStream) -> TokenStream {
    if m.boxed { quote!(Box::new(#value)) } else { value }
}

// ---------------------------------------------------------------------------------------------
// Errors

/// `de_<error>` for every modeled error: members from the `<Error>` element and headers.
fn error_functions(ctx: &Ctx<'_>) -> TokenStream {
    let errors = ctx.errors;
    let items = ctx.service.errors.iter().map(|e| {
        let name = format_ident!("{}", e.name);
        let function = format_ident!("de_{}", e.module);
        let body_members: Vec<&Member> = e.members.iter().filter(|m| m.location == Location::Body).collect();
        let reads = member_reads(ctx, &body_members, quote!(element));
        let body = (!body_members.is_empty()).then(|| quote!(if let Some(element) = &parsed.error { #reads }));
        let headers = header_reads(&e.members, quote!(response), ctx.shapes);
        let response_param = if headers.is_empty() { quote!(_response) } else { quote!(response) };
        let mutability = if body.is_none() && headers.is_empty() { quote!() } else { quote!(mut) };
        let doc = format!(" Reads the `{}` error.", e.shape_name);
        quote! {
            #[doc = #doc]
            pub(crate) fn #function(parsed: &::cloudfront_restxml::ErrorResponse, #response_param: &::cloudfront_restxml::HttpResponse) -> Result<#errors::#name, ::cloudfront_restxml::ParseError> {
                let #mutability builder = #errors::#name::builder().meta(parsed.meta.clone());
                #body
                #(#headers)*
                Ok(builder.build_or_default())
            }
        }
    });
    quote! {
        //! Readers for the modeled error structures.
        #(#items)*
    }
}
