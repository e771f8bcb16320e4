//! The `<prefix>-serializers` crate: restXml request serializers, response parsers and error
//! parsers, one module per operation, over shared per-shape XML functions. One file per job:
//! `request` (serialize_request), `response` (parse_response), `error` (parse_error and the
//! error readers), `xml_write` (`ser_<shape>`) and `xml_read` (`de_<shape>`).

mod error;
mod request;
mod response;
mod xml_read;
mod xml_write;

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{Crates, ident};
use crate::ir::{Location, Member, NamedShape, Operation, Service, Structure, Type};
use error::{error_functions, parse_error};
use request::serialize_request;
use response::parse_response;
use xml_read::{de_structure, de_union};
use xml_write::{ser_structure, ser_union};

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

/// The builder's `set_<field>` method.
fn setter(m: &Member) -> proc_macro2::Ident {
    format_ident!("set_{}", m.field.trim_start_matches("r#"))
}

/// Wraps a read value in `Box::new` when the field is boxed.
fn boxed(m: &Member, value: TokenStream) -> TokenStream {
    if m.boxed { quote!(Box::new(#value)) } else { value }
}
