//! `ser_<shape>`: each structure or union sent in a request, written as XML elements and
//! attributes; lists and maps write their entries.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::Ctx;
use crate::emit::{ident, timestamp_format};
use crate::ir::{Location, Member, Structure, TimestampFormat, Type, XmlNamespace};

pub(super) fn ser_structure(ctx: &Ctx<'_>, s: &Structure) -> TokenStream {
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
    // A structure without members (an event marker) writes nothing: its parameters go unused.
    let (w, value) = if members.is_empty() { (quote!(_w), quote!(_value)) } else { (quote!(w), quote!(value)) };
    quote! {
        #[doc = #doc]
        pub(crate) fn #function(#w: &mut ::cloudfront_restxml::XmlWriter, #value: &#shapes::#name) -> Result<(), ::cloudfront_primitives::BuildError> {
            #check
            #writes
            Ok(())
        }
    }
}

pub(super) fn ser_union(ctx: &Ctx<'_>, u: &Structure) -> TokenStream {
    let shapes = ctx.shapes;
    let name = format_ident!("{}", u.name);
    let function = format_ident!("ser_{}", u.module);
    let label = &u.shape_name;
    let arms = u.members.iter().map(|m| {
        let variant = format_ident!("{}", crate::names::pascal_case(&m.name));
        let write = element_write(ctx, Element::of_member(m), quote!(value));
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
pub(super) fn member_writes(ctx: &Ctx<'_>, members: &[&Member], owner: TokenStream) -> TokenStream {
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
        let write = element_write(ctx, Element::of_member(m), quote!(value));
        if m.required {
            quote! { { let value = &#owner.#field; #write } }
        } else {
            quote! { if let Some(value) = &#owner.#field { #write } }
        }
    });
    quote!(#(#attributes)* #(#elements)*)
}

/// An XML element to write a value as: its type, its name, the namespace declared on it, the
/// timestamp format of what it holds, whether a list or map is flattened into it, and the
/// member path that errors name.
#[derive(Clone, Copy)]
struct Element<'a> {
    ty: &'a Type,
    name: &'a str,
    ns: Option<&'a XmlNamespace>,
    format: Option<TimestampFormat>,
    flattened: bool,
    path: &'a str,
}

impl<'a> Element<'a> {
    /// A structure or union member's element.
    fn of_member(m: &'a Member) -> Self {
        Element {
            ty: &m.ty,
            name: &m.xml_name,
            ns: m.xml_namespace.as_ref(),
            format: m.timestamp_format,
            flattened: m.xml_flattened,
            path: &m.name,
        }
    }

    /// An entry inside this element (a list item, a map key or value): never flattened.
    fn inner(self, ty: &'a Type, name: &'a str, ns: Option<&'a XmlNamespace>, format: Option<TimestampFormat>) -> Self {
        Element { ty, name, ns, format, flattened: false, path: self.path }
    }
}

/// Writes `value` (a reference) as `element`; lists and maps write their entries.
fn element_write(ctx: &Ctx<'_>, e: Element<'_>, value: TokenStream) -> TokenStream {
    let Element { ty, name: element, ns, format, flattened, path } = e;
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
                    e.inner(&list.member, element, list.member_xml_namespace.as_ref().or(ns), format),
                    quote!(item),
                );
                quote! { for item in #items { #item } }
            } else {
                let ns = namespace_attribute(ns);
                let item = element_write(
                    ctx,
                    e.inner(&list.member, &list.member_xml_name, list.member_xml_namespace.as_ref(), format),
                    quote!(item),
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
                e.inner(&map.key, &map.key_xml_name, map.key_xml_namespace.as_ref(), None),
                quote!(key),
            );
            let value_write = element_write(
                ctx,
                e.inner(&map.value, &map.value_xml_name, map.value_xml_namespace.as_ref(), format),
                quote!(entry),
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
pub(super) fn ser_call(ctx: &Ctx<'_>, name: &str, value: TokenStream, path: &str) -> TokenStream {
    let function = format_ident!("ser_{}", ctx.aggregates[name].module);
    quote!(crate::xml::#function(w, #value).map_err(|e| e.within(#path))?;)
}

/// `w.attribute("xmlns[:prefix]", uri)` for a declared namespace.
pub(super) fn namespace_attribute(ns: Option<&XmlNamespace>) -> TokenStream {
    let Some(ns) = ns else { return quote!() };
    let key = match &ns.prefix {
        Some(prefix) => format!("xmlns:{prefix}"),
        None => "xmlns".to_owned(),
    };
    let uri = &ns.uri;
    quote!(w.attribute(#key, #uri);)
}

/// The text of a scalar as an expression usable as `&str`; `value` is a reference.
pub(super) fn scalar_text(ty: &Type, value: TokenStream, format: Option<TimestampFormat>) -> TokenStream {
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
pub(super) fn scalar_string(ty: &Type, value: TokenStream, format: Option<TimestampFormat>) -> TokenStream {
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
        Type::Stream => unreachable!("a stream is only ever a payload (resolve makes it so)"),
        Type::Structure(_) | Type::Union(_) | Type::List(_) | Type::Map(_) => {
            unreachable!("aggregates are written as elements, not text")
        }
    }
}
