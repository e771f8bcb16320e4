//! `schema.rs` of the facade: every operation's input and output shape as static data
//! (`cloudfront_primitives::schema`), for tools that build inputs from text or print skeletons.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::{NamedShape, Service, Structure, Type};

/// One structure (or union) as a `static Kind`.
fn structure_static(s: &Structure, is_union: bool, enums: &BTreeMap<&str, Vec<&str>>) -> TokenStream {
    let name = static_name(&s.name);
    let fields = s.members.iter().enumerate().map(|(index, m)| {
        let wire = &m.name;
        let kind = kind(&m.ty, enums);
        let required = m.required;
        let doc = m.doc.as_deref().map(super::plain_text).unwrap_or_default().join("\n\n");
        let counts = optional(s.counted_list.filter(|c| c.quantity == index).map(|c| &s.members[c.items].name));
        quote!(Field { name: #wire, kind: #kind, required: #required, doc: #doc, counts: #counts })
    });
    let variant = if is_union { quote!(Union) } else { quote!(Structure) };
    let doc = format!(" `{}`.", s.name);
    quote! {
        #[doc = #doc]
        pub static #name: Kind = Kind::#variant(&[#(#fields),*]);
    }
}

/// One operation's `OperationSchema`.
fn operation_schema(op: &crate::ir::Operation) -> TokenStream {
    let name = &op.name;
    let paragraphs = op.doc.as_deref().map(super::plain_text).unwrap_or_default();
    let summary = paragraphs.first().cloned().unwrap_or_default();
    let doc = paragraphs.join("\n\n");
    let input = static_name(&op.input.name);
    let output = static_name(&op.output.name);
    let pagination = match &op.paginated {
        Some(p) => {
            let (input_token, output_token) = (&p.input_token, &p.output_token);
            let (items, page_size, truncated) =
                (optional(p.items.as_ref()), optional(p.page_size.as_ref()), optional(p.truncated.as_ref()));
            quote!(Some(Pagination { input_token: #input_token, output_token: #output_token, items: #items, page_size: #page_size, truncated: #truncated }))
        }
        None => quote!(None),
    };
    let waiters: Vec<&str> = op.waiters.iter().map(|w| w.name.as_str()).collect();
    quote!(OperationSchema { name: #name, summary: #summary, doc: #doc, input: &#input, output: &#output, pagination: #pagination, waiters: &[#(#waiters),*] })
}

/// `Some("text")` or `None`, as tokens.
fn optional(text: Option<&String>) -> TokenStream {
    match text {
        Some(t) => quote!(Some(#t)),
        None => quote!(None),
    }
}

/// The file's tokens.
pub(super) fn file(service: &Service) -> TokenStream {
    let enums: BTreeMap<&str, Vec<&str>> = service
        .shapes
        .iter()
        .filter_map(|s| match s {
            NamedShape::Enum(e) if !e.int => {
                Some((e.name.as_str(), e.variants.iter().map(|v| v.value.as_str()).collect()))
            }
            _ => None,
        })
        .collect();
    let mut statics = Vec::new();
    let mut structures: Vec<(&Structure, bool)> = Vec::new();
    for op in &service.operations {
        structures.push((&op.input, false));
        structures.push((&op.output, false));
    }
    for shape in &service.shapes {
        match shape {
            NamedShape::Structure(s) => structures.push((s, false)),
            NamedShape::Union(u) => structures.push((u, true)),
            NamedShape::Enum(_) => {}
        }
    }
    for (s, is_union) in structures {
        statics.push(structure_static(s, is_union, &enums));
    }
    let operations = service.operations.iter().map(operation_schema);
    let pagination_import = service.operations.iter().any(|op| op.paginated.is_some()).then(|| {
        quote!(
            use ::cloudfront_primitives::schema::Pagination;
        )
    });
    quote! {
        //! Every operation's input and output shape as data, for tools that build inputs from
        //! text (shorthand syntax, skeletons) without knowing the service.

        use ::cloudfront_primitives::schema::{Field, Kind, OperationSchema};
        #pagination_import

        /// Every operation, in model order.
        pub static OPERATIONS: &[OperationSchema] = &[#(#operations),*];

        #(#statics)*
    }
}

fn static_name(type_name: &str) -> proc_macro2::Ident {
    format_ident!("{}", crate::names::snake_case(type_name).to_ascii_uppercase())
}

fn kind(ty: &Type, enums: &BTreeMap<&str, Vec<&str>>) -> TokenStream {
    match ty {
        Type::String | Type::BigInteger | Type::BigDecimal | Type::Document => quote!(&Kind::String),
        Type::Boolean => quote!(&Kind::Boolean),
        Type::Byte | Type::Short | Type::Integer | Type::IntEnum(_) => quote!(&Kind::Integer),
        Type::Long => quote!(&Kind::Long),
        Type::Float => quote!(&Kind::Float),
        Type::Double => quote!(&Kind::Double),
        Type::Timestamp => quote!(&Kind::Timestamp),
        Type::Blob | Type::Stream => quote!(&Kind::Blob),
        Type::Enum(name) => {
            let values = enums.get(name.as_str()).cloned().unwrap_or_default();
            quote!(&Kind::Enum(&[#(#values),*]))
        }
        Type::Structure(name) | Type::Union(name) => {
            let s = static_name(name);
            quote!(&#s)
        }
        Type::List(list) => {
            let member = kind(&list.member, enums);
            quote!(&Kind::List(#member))
        }
        Type::Map(map) => {
            let value = kind(&map.value, enums);
            quote!(&Kind::Map(#value))
        }
    }
}
