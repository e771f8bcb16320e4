//! `parse_response`: the success status, the payload or XML body, and the header-bound members.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::xml_read::{member_reads, read_value, scalar_read};
use super::{Ctx, boxed, setter};
use crate::emit::doc_line;
use crate::ir::{Location, Member, Operation, TimestampFormat, Type};

pub(super) fn parse_response(ctx: &Ctx<'_>, op: &Operation) -> TokenStream {
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
            Type::Stream => quote! {
                builder = builder.#set(Some(::cloudfront_primitives::Body::Bytes(response.body.clone())));
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
        } else if let (true, [m]) = (op.output_unwrapped, body_members.as_slice()) {
            // The document's root is the member's own element (S3's GetBucketLocation).
            let set = setter(m);
            let value = boxed(m, read_value(ctx, &m.ty, quote!(root), m.timestamp_format, &m.name, 0));
            let expected_root = &m.xml_name;
            quote! {
                if !response.body.is_empty() {
                    let document = ::cloudfront_restxml::parse_document(&response.body)?;
                    let root = &document;
                    ::cloudfront_restxml::reject_error_document(root, #expected_root)?;
                    builder = builder.#set(Some(#value));
                }
            }
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
        pub fn parse_response(#response_param: &::cloudfront_primitives::HttpResponse) -> Result<#shapes::#output_type, ::cloudfront_restxml::ParseError> {
            #builder_decl
            #(#headers)*
            #(#status)*
            #body
            Ok(builder.build_or_default())
        }
    }
}

/// Reads header-bound members of a response into `builder`.
pub(super) fn header_reads(members: &[Member], response: TokenStream, shapes: &TokenStream) -> Vec<TokenStream> {
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
