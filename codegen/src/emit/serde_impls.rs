//! `serde` impls for structures and unions, written out rather than derived so the shapes crate
//! (and everything that uses it) builds without a proc-macro. The JSON is the AWS CLI's: members
//! under their wire names, unset optional members left out; the error messages are serde's own.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::ident;
use crate::ir::Structure;

/// `Serialize` and `Deserialize` for a structure. Inputs refuse members they do not know (a
/// typo is caught); what is read from responses skips them, so a newer document still loads.
pub(crate) fn structure(s: &Structure, shapes: &TokenStream) -> TokenStream {
    let name = format_ident!("{}", s.name);
    let label = &s.name;
    let expecting = format!("struct {}", s.name);
    let wires: Vec<&str> = s.members.iter().map(|m| m.name.as_str()).collect();
    let fields: Vec<_> = s.members.iter().map(|m| ident(&m.field)).collect();
    // The visitor's locals (`map`, `key`) must not be shadowed by a member called so.
    let slots: Vec<_> =
        s.members.iter().map(|m| format_ident!("member_{}", m.field.trim_start_matches("r#"))).collect();
    let slot_types = s.members.iter().map(|m| super::field_type(m, shapes));

    // How many members are written: the required ones, plus each optional one that is set.
    let required = s.members.iter().filter(|m| m.required).count();
    let optional_counts: Vec<_> = s
        .members
        .iter()
        .zip(&fields)
        .filter(|(m, _)| !m.required)
        .map(|(_, field)| quote!(usize::from(self.#field.is_some())))
        .collect();
    let len = match (required, optional_counts.is_empty()) {
        (0, false) => quote!(#(#optional_counts)+*),
        (_, true) => quote!(#required),
        _ => quote!(#required #(+ #optional_counts)*),
    };
    let writes = s.members.iter().zip(&fields).map(|(m, field)| {
        let wire = &m.name;
        if m.required {
            quote!(out.serialize_field(#wire, &self.#field)?;)
        } else {
            quote! {
                if let Some(value) = &self.#field {
                    out.serialize_field(#wire, value)?;
                }
            }
        }
    });
    let reads = s.members.iter().zip(&slots).map(|(m, slot)| {
        let wire = &m.name;
        quote!(#wire => ::cloudfront_primitives::serde_support::read_once(&mut map, &mut #slot, #wire)?,)
    });
    let unknown = if s.tolerates_unknown_members {
        quote!(_ => ::cloudfront_primitives::serde_support::skip_value(&mut map)?,)
    } else {
        quote!(other => return Err(serde::de::Error::unknown_field(other, FIELDS)),)
    };
    // An optional member read as `null` is unset, as a missing one is.
    let values = s.members.iter().zip(&fields).zip(&slots).map(|((m, field), slot)| {
        let wire = &m.name;
        if m.required {
            quote!(#field: #slot.ok_or_else(|| serde::de::Error::missing_field(#wire))?,)
        } else {
            quote!(#field: #slot.flatten(),)
        }
    });

    let serialize_body = if s.members.is_empty() {
        quote!(serde::ser::SerializeStruct::end(s.serialize_struct(#label, 0)?))
    } else {
        quote! {
            use serde::ser::SerializeStruct;
            let len = #len;
            let mut out = s.serialize_struct(#label, len)?;
            #(#writes)*
            out.end()
        }
    };
    quote! {
        #[cfg(feature = "serde")]
        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                #serialize_body
            }
        }

        #[cfg(feature = "serde")]
        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                const FIELDS: &[&str] = &[#(#wires),*];
                struct Visitor;
                impl<'de> serde::de::Visitor<'de> for Visitor {
                    type Value = #name;

                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(#expecting)
                    }

                    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<#name, A::Error> {
                        #(let mut #slots: Option<#slot_types> = None;)*
                        while let Some(key) = map.next_key::<String>()? {
                            match key.as_str() {
                                #(#reads)*
                                #unknown
                            }
                        }
                        Ok(#name { #(#values)* })
                    }
                }
                d.deserialize_struct(#label, FIELDS, Visitor)
            }
        }
    }
}

/// `Serialize` and `Deserialize` for a union: an object with exactly one member. `Unknown`
/// (a member from a newer model) cannot be written back, since its value was not kept.
pub(crate) fn union(u: &Structure) -> TokenStream {
    let name = format_ident!("{}", u.name);
    let label = &u.name;
    let expecting = format!("union {} (an object with one member)", u.name);
    let wires: Vec<&str> = u.members.iter().map(|m| m.name.as_str()).collect();
    let variants: Vec<_> = u.members.iter().map(|m| format_ident!("{}", crate::names::pascal_case(&m.name))).collect();
    let indexes = (0..u.members.len()).map(|i| u32::try_from(i).unwrap_or(u32::MAX));
    let unknown_message = format!("the member of {} is unknown to this version and cannot be serialized", u.name);
    quote! {
        #[cfg(feature = "serde")]
        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self {
                    #(Self::#variants(value) => s.serialize_newtype_variant(#label, #indexes, #wires, value),)*
                    Self::Unknown => Err(serde::ser::Error::custom(#unknown_message)),
                }
            }
        }

        #[cfg(feature = "serde")]
        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                const VARIANTS: &[&str] = &[#(#wires),*];
                struct Visitor;
                impl<'de> serde::de::Visitor<'de> for Visitor {
                    type Value = #name;

                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(#expecting)
                    }

                    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<#name, A::Error> {
                        let Some(key) = map.next_key::<String>()? else {
                            return Err(serde::de::Error::invalid_length(0, &self));
                        };
                        let value = match key.as_str() {
                            #(#wires => #name::#variants(map.next_value()?),)*
                            other => return Err(serde::de::Error::unknown_variant(other, VARIANTS)),
                        };
                        match map.next_key::<serde::de::IgnoredAny>()? {
                            Some(_) => Err(serde::de::Error::invalid_length(2, &self)),
                            None => Ok(value),
                        }
                    }
                }
                d.deserialize_map(Visitor)
            }
        }
    }
}
