//! Member paths of Smithy traits (`Invalidation.Status`, `InvalidationList.NextMarker`,
//! `Items[].Status`) compiled to Rust that walks the generated types.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::ident;
use crate::ir::{Member, NamedShape, Service, Structure, Type};

/// Looks structures up by Rust name.
pub(crate) type Aggregates<'a> = BTreeMap<&'a str, &'a Structure>;

/// Every structure and union of `service`, by name.
pub(crate) fn aggregates(service: &Service) -> Aggregates<'_> {
    service
        .shapes
        .iter()
        .filter_map(|s| match s {
            NamedShape::Structure(s) | NamedShape::Union(s) => Some((s.name.as_str(), s)),
            NamedShape::Enum(_) => None,
        })
        .collect()
}

fn segments(path: &str) -> Vec<(&str, bool)> {
    path.split('.').map(|s| s.strip_suffix("[]").map_or((s, false), |name| (name, true))).collect()
}

fn member<'a>(owner: &'a Structure, name: &str, path: &str) -> Result<&'a Member, String> {
    owner
        .members
        .iter()
        .find(|m| m.name == name)
        .ok_or_else(|| format!("path {path:?}: {} has no member {name}", owner.name))
}

fn structure<'a>(ty: &Type, aggregates: &Aggregates<'a>, path: &str) -> Result<&'a Structure, String> {
    match ty {
        Type::Structure(name) => {
            aggregates.get(name.as_str()).copied().ok_or_else(|| format!("path {path:?}: unknown {name}"))
        }
        other => Err(format!("path {path:?} goes through a {other:?}, not a structure")),
    }
}

/// Statements that push the text of every value `path` selects from `root` (a reference to
/// `start`) onto a `values: Vec<String>`.
pub(crate) fn collect_values(
    start: &Structure,
    root: TokenStream,
    path: &str,
    aggregates: &Aggregates<'_>,
) -> Result<TokenStream, String> {
    walk(start, root, &segments(path), path, aggregates, 0)
}

fn walk(
    owner: &Structure,
    value: TokenStream,
    rest: &[(&str, bool)],
    path: &str,
    aggregates: &Aggregates<'_>,
    depth: usize,
) -> Result<TokenStream, String> {
    let Some(((name, project), tail)) = rest.split_first() else { return Ok(quote!()) };
    let m = member(owner, name, path)?;
    let field = ident(&m.field);
    let v = format_ident!("v{}", depth);
    let inner_ty = match (&m.ty, project) {
        (Type::List(list), true) => list.member.clone(),
        (_, true) => return Err(format!("path {path:?}: {name}[] is not a list")),
        (ty, false) => ty.clone(),
    };
    let body = if tail.is_empty() {
        let text = match &inner_ty {
            Type::String => quote!(#v.clone()),
            Type::Enum(_) => quote!(#v.as_str().to_owned()),
            Type::Structure(_) | Type::Union(_) | Type::List(_) | Type::Map(_) => {
                return Err(format!("path {path:?} ends on an aggregate"));
            }
            _ => quote!(#v.to_string()),
        };
        quote!(values.push(#text);)
    } else {
        let next = structure(&inner_ty, aggregates, path)?;
        walk(next, quote!(#v), tail, path, aggregates, depth + 1)?
    };
    let access = quote!(&#value.#field);
    Ok(match (m.required, project) {
        (true, false) => quote! { { let #v = #access; #body } },
        (false, false) => quote! { if let Some(#v) = #access { #body } },
        (true, true) => quote! { for #v in #access { #body } },
        (false, true) => quote! { for #v in #access.iter().flatten() { #body } },
    })
}

/// Statements that walk to the value at `path` under `root` (`by_ref`: by reference),
/// returning `otherwise` from the enclosing function when an optional member is absent; the
/// expression holding the value; and the member at the end of the path with the structures
/// passed on the way.
pub(crate) fn bind<'a>(
    start: &'a Structure,
    root: TokenStream,
    path: &str,
    by_ref: bool,
    otherwise: TokenStream,
    aggregates: &Aggregates<'a>,
) -> Result<(TokenStream, TokenStream, &'a Member, Vec<&'a Structure>), String> {
    let mut owner = start;
    let mut current = root;
    let mut statements = Vec::new();
    let mut parents = Vec::new();
    let parts = segments(path);
    for (i, (name, project)) in parts.iter().enumerate() {
        if *project {
            return Err(format!("path {path:?}: projections are not supported here"));
        }
        let m = member(owner, name, path)?;
        let field = ident(&m.field);
        let var = format_ident!("p{}", i);
        let access = if by_ref { quote!(&#current.#field) } else { quote!(#current.#field) };
        statements.push(if m.required {
            quote!(let #var = #access;)
        } else {
            quote!(let Some(#var) = #access else { return #otherwise; };)
        });
        current = quote!(#var);
        parents.push(owner);
        if i + 1 == parts.len() {
            let last = format_ident!("p{}", i);
            return Ok((quote!(#(#statements)*), quote!(#last), m, parents));
        }
        owner = structure(&m.ty, aggregates, path)?;
    }
    Err(format!("empty path {path:?}"))
}
