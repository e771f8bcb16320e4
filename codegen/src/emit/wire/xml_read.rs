//! `de_<shape>`: each structure or union read from a response, from XML children, attributes and
//! text.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{Ctx, boxed, setter};
use crate::ir::{Location, Member, Structure, TimestampFormat, Type};

pub(super) fn de_structure(ctx: &Ctx<'_>, s: &Structure) -> TokenStream {
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

pub(super) fn de_union(ctx: &Ctx<'_>, u: &Structure) -> TokenStream {
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
pub(super) fn member_reads(ctx: &Ctx<'_>, members: &[&Member], element: TokenStream) -> TokenStream {
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
pub(super) fn read_value(
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
pub(super) fn scalar_read(ty: &Type, text: TokenStream, path: &str, shapes: &TokenStream) -> TokenStream {
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
        Type::Stream => unreachable!("a stream is only ever a payload (resolve makes it so)"),
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
