//! `parse_error` of each operation, and the `de_<error>` reader of every modeled error.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::Ctx;
use super::response::header_reads;
use super::xml_read::member_reads;
use crate::emit::doc_line;
use crate::ir::{Location, Member, Operation};

pub(super) fn parse_error(ctx: &Ctx<'_>, op: &Operation) -> TokenStream {
    let errors = ctx.errors;
    let error_type = format_ident!("{}Error", op.name);
    let fn_doc =
        doc_line(&format!("Reads an error response of `{}`; never fails (unknown codes become `Unhandled`).", op.name));
    if op.errors.is_empty() {
        return quote! {
            #fn_doc
            pub fn parse_error(response: &::cloudfront_primitives::HttpResponse) -> #errors::#error_type {
                #errors::#error_type::Unhandled(::cloudfront_primitives::UnhandledError::new(::cloudfront_restxml::parse_error_response(response).meta))
            }
        };
    }
    // A body-less response of a status the settings name is that modeled error.
    let body_less = (!ctx.service.body_less_errors.is_empty()).then(|| {
        let statuses = ctx.service.body_less_errors.iter().map(|(status, code)| quote!(#status => Some(#code),));
        quote! {
            if parsed.error.is_none() {
                let code = match response.status { #(#statuses)* _ => None };
                if let Some(code) = code {
                    parsed.meta.code = Some(code.to_owned());
                }
            }
        }
    });
    let binding = if body_less.is_some() { quote!(let mut parsed) } else { quote!(let parsed) };
    let arms = op.errors.iter().map(|name| {
        let error = ctx.service.errors.iter().find(|e| &e.name == name).expect("operation errors are resolved");
        let code = &error.error.as_ref().expect("error info").code;
        let variant = format_ident!("{}", name);
        let de = format_ident!("de_{}", error.module);
        quote!(#code => crate::errors::#de(&parsed, response).map(#errors::#error_type::#variant),)
    });
    quote! {
        #fn_doc
        pub fn parse_error(response: &::cloudfront_primitives::HttpResponse) -> #errors::#error_type {
            #binding = ::cloudfront_restxml::parse_error_response(response);
            #body_less
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

/// `de_<error>` for every modeled error: members from the `<Error>` element and headers.
pub(super) fn error_functions(ctx: &Ctx<'_>) -> TokenStream {
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
            pub(crate) fn #function(parsed: &::cloudfront_restxml::ErrorResponse, #response_param: &::cloudfront_primitives::HttpResponse) -> Result<#errors::#name, ::cloudfront_restxml::ParseError> {
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
