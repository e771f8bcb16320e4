//! The `<prefix>-shapes` crate: one module per structure, union and enum, each with its
//! builder, re-exported at the crate root.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{Crates, doc, doc_line, field_type, ident, rust_type};
use crate::ir::{Enum, NamedShape, Service, Structure, Type};

/// (module name, tokens) for every file of the shapes crate.
pub(super) fn files(service: &Service, _crates: &Crates) -> Vec<(String, TokenStream)> {
    let here = quote!(crate);
    // (module, type name, whether it has a builder, tokens)
    let mut items: Vec<(String, String, bool, TokenStream)> = Vec::new();
    for op in &service.operations {
        for s in [&op.input, &op.output] {
            items.push((s.module.clone(), s.name.clone(), true, structure(s, &here)));
        }
    }
    for shape in &service.shapes {
        let (module, has_builder, tokens) = match shape {
            NamedShape::Structure(s) => (s.module.clone(), true, structure(s, &here)),
            NamedShape::Union(u) => (u.module.clone(), false, union(u, &here)),
            NamedShape::Enum(e) => (e.module.clone(), false, enumeration(e)),
        };
        items.push((module, shape.name().to_owned(), has_builder, tokens));
    }
    items.sort_by(|a, b| a.0.cmp(&b.0));

    let crate_doc = format!(
        " Types of the {} API (version {}): operation inputs and outputs, the structures they \
         contain, and their builders. No HTTP, no async runtime: just data.",
        service.title, service.version
    );
    let modules = module_declarations(items.iter().map(|(module, name, has_builder, _)| (module, name, *has_builder)));
    let lib = quote! {
        #![doc = #crate_doc]
        #![deny(missing_docs)]
        #modules
    };
    let mut files = vec![("lib".to_owned(), lib)];
    files.extend(items.into_iter().map(|(module, _, _, tokens)| (module, tokens)));
    files
}

/// The `mod x;` lines, then the re-export of each module's type (and builder), as two groups.
pub(crate) fn module_declarations<'a>(
    items: impl Iterator<Item = (&'a String, &'a String, bool)> + Clone,
) -> TokenStream {
    let declarations = items.clone().map(|(module, _, _)| {
        let module = format_ident!("{}", module);
        quote!(mod #module;)
    });
    let exports = items.map(|(module, name, has_builder)| {
        let module = format_ident!("{}", module);
        let name = format_ident!("{}", name);
        if has_builder {
            let builder = format_ident!("{}Builder", name);
            quote!(pub use #module::{#name, #builder};)
        } else {
            quote!(pub use #module::#name;)
        }
    });
    quote! {
        #(#declarations)*
        #(#exports)*
    }
}

/// `value` (an `Option` of the member's type) or, when a response left the required member
/// out, the zero value of its type (Smithy's client error correction).
fn or_zero(value: TokenStream, m: &crate::ir::Member, shapes: &TokenStream) -> TokenStream {
    let zero = match &m.ty {
        Type::Structure(name) => {
            let name = format_ident!("{}", name);
            quote!(#shapes::#name::builder().build_or_default())
        }
        Type::Union(name) if !m.boxed => {
            let name = format_ident!("{}", name);
            return quote!(#value.unwrap_or(#shapes::#name::Unknown));
        }
        Type::Union(name) => {
            let name = format_ident!("{}", name);
            quote!(#shapes::#name::Unknown)
        }
        Type::Enum(name) => {
            let name = format_ident!("{}", name);
            quote!(#shapes::#name::from(""))
        }
        Type::IntEnum(name) => {
            let name = format_ident!("{}", name);
            quote!(#shapes::#name::from(0))
        }
        // Every other type's zero is its `Default` (`DateTime`'s is the Unix epoch).
        _ if !m.boxed => return quote!(#value.unwrap_or_default()),
        _ => quote!(Default::default()),
    };
    let zero = if m.boxed { quote!(Box::new(#zero)) } else { zero };
    quote!(#value.unwrap_or_else(|| #zero))
}

/// A structure (or an error structure, which also carries its [`ErrorMetadata`]) and its builder.
pub(crate) fn structure(s: &Structure, shapes: &TokenStream) -> TokenStream {
    let name = format_ident!("{}", s.name);
    let builder = format_ident!("{}Builder", s.name);
    let is_error = s.error.is_some();
    let type_doc = doc(s.doc.as_deref());
    let serde_impls = (!is_error).then(|| super::serde_impls::structure(s, shapes));

    let fields = s.members.iter().map(|m| {
        let field = ident(&m.field);
        let ty = field_type(m, shapes);
        let doc = doc(m.doc.as_deref());
        quote! { #doc pub #field: #ty, }
    });
    let meta_field = is_error.then(|| quote!(meta: ::cloudfront_primitives::ErrorMetadata,));

    let builder_fields = s.members.iter().map(|m| {
        let field = ident(&m.field);
        let ty = super::member_type(m, shapes);
        quote!(#field: Option<#ty>,)
    });
    let meta_builder_field = is_error.then(|| quote!(meta: ::cloudfront_primitives::ErrorMetadata,));
    let setters = s.members.iter().map(|m| setters(m, shapes));
    let meta_setter = is_error.then(|| {
        quote! {
            #[doc(hidden)]
            pub fn meta(mut self, meta: ::cloudfront_primitives::ErrorMetadata) -> Self {
                self.meta = meta;
                self
            }
        }
    });

    let builds = build_methods(s, shapes);
    // A type or builder holding an `@sensitive` member writes its `Debug` by hand.
    let sensitive = s.members.iter().any(|m| m.sensitive);
    let debug_derive = if sensitive { quote!() } else { quote!(Debug,) };
    let debug_impl = sensitive.then(|| redacting_debug(s, &name, &s.name));
    let builder_debug_impl = sensitive.then(|| redacting_debug(s, &builder, &format!("{}Builder", s.name)));
    let redaction_test = redaction_test(s);
    let builder_doc = doc_line(&format!("A builder for [`{}`].", s.name));
    let start_doc = doc_line(&format!("Starts building a [`{}`].", s.name));

    quote! {
        #type_doc
        #[non_exhaustive]
        #[derive(Clone, #debug_derive PartialEq)]
        pub struct #name {
            #(#fields)*
            #meta_field
        }

        impl #name {
            #start_doc
            pub fn builder() -> #builder {
                #builder::default()
            }
        }

        #debug_impl
        #serde_impls

        #builder_doc
        #[derive(Clone, #debug_derive Default, PartialEq)]
        pub struct #builder {
            #(#builder_fields)*
            #meta_builder_field
        }

        #builder_debug_impl

        impl #builder {
            #(#setters)*
            #meta_setter
            #builds
        }

        #redaction_test
    }
}

/// A builder's `build` (checked: a `Result` when a member is required or the structure is an
/// input) and `build_or_default` (Smithy's error correction, for response parsers).
fn build_methods(s: &Structure, shapes: &TokenStream) -> TokenStream {
    let name = format_ident!("{}", s.name);
    let is_error = s.error.is_some();
    let needs_result = s.is_input || s.members.iter().any(|m| m.required);
    let counted = s.counted_list.map(|c| (&s.members[c.quantity], &s.members[c.items]));
    let derive_count = counted.map(|(quantity, items)| {
        let q = ident(&quantity.field);
        let i = ident(&items.field);
        quote! {
            // Quantity is derived from Items unless set explicitly; a mismatch is refused when sending.
            let #q = self.#q.unwrap_or_else(|| {
                self.#i.as_ref().map_or(0, |items| i32::try_from(items.len()).unwrap_or(i32::MAX))
            });
        }
    });
    let is_counted = |m: &crate::ir::Member| counted.is_some_and(|(q, _)| q.name == m.name);
    let strict_values = s.members.iter().map(|m| {
        let field = ident(&m.field);
        let wire = &m.name;
        if is_counted(m) {
            quote!(#field,)
        } else if m.required {
            quote!(#field: self.#field.ok_or_else(|| ::cloudfront_primitives::BuildError::missing(#wire))?,)
        } else {
            quote!(#field: self.#field,)
        }
    });
    let lenient_values = s.members.iter().map(|m| {
        let field = ident(&m.field);
        if is_counted(m) {
            quote!(#field,)
        } else if m.required {
            let value = or_zero(quote!(self.#field), m, shapes);
            quote!(#field: #value,)
        } else {
            quote!(#field: self.#field,)
        }
    });
    let meta_value = is_error.then(|| quote!(meta: self.meta,));
    let build_doc = doc_line(&format!("Builds the [`{}`]; fails naming the first required member not set.", s.name));
    let build = if needs_result {
        let strict = strict_values.clone();
        let meta = meta_value.clone();
        let count = derive_count.clone();
        quote! {
            #build_doc
            pub fn build(self) -> Result<#name, ::cloudfront_primitives::BuildError> {
                #count
                Ok(#name { #(#strict)* #meta })
            }
        }
    } else {
        let strict = strict_values.clone();
        let meta = meta_value.clone();
        quote! {
            #[doc = " Builds the value."]
            pub fn build(self) -> #name {
                #name { #(#strict)* #meta }
            }
        }
    };

    quote! {
        #build

        #[doc(hidden)]
        /// Builds with Smithy's error correction: a required member the response left out
        /// takes the zero value of its type. Used by response parsers.
        pub fn build_or_default(self) -> #name {
            #derive_count
            #name { #(#lenient_values)* #meta_value }
        }
    }
}

/// A test, in the generated code, that a marker set on every `@sensitive` text member shows
/// in neither the builder's `Debug` nor the built value's.
fn redaction_test(s: &Structure) -> Option<TokenStream> {
    let setters: Vec<_> = s
        .members
        .iter()
        .filter(|m| m.sensitive && m.ty == Type::String)
        .map(|m| {
            let setter = ident(&m.field);
            quote!(.#setter("REDACTION-MARKER"))
        })
        .collect();
    if setters.is_empty() {
        return None;
    }
    let name = format_ident!("{}", s.name);
    let module = format_ident!("{}_debug_redaction", crate::names::snake_case(&s.name));
    Some(quote! {
        #[cfg(test)]
        mod #module {
            #[test]
            fn sensitive_members_never_show_in_debug() {
                let builder = super::#name::builder() #(#setters)*;
                let shown = format!("{builder:?}");
                assert!(!shown.contains("REDACTION-MARKER"), "the builder shows a secret: {shown}");
                let shown = format!("{:?}", builder.build_or_default());
                assert!(!shown.contains("REDACTION-MARKER"), "the value shows a secret: {shown}");
            }
        }
    })
}

/// `Debug` for `name` (the structure or its builder, whose fields have the same names) that
/// prints `@sensitive` members as a placeholder.
fn redacting_debug(s: &Structure, name: &proc_macro2::Ident, label: &str) -> TokenStream {
    let entries = s.members.iter().map(|m| {
        let field = ident(&m.field);
        let key = m.field.trim_start_matches("r#");
        if m.sensitive {
            quote!(.field(#key, &::cloudfront_primitives::Redacted))
        } else {
            quote!(.field(#key, &self.#field))
        }
    });
    quote! {
        impl ::std::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(#label) #(#entries)* .finish_non_exhaustive()
            }
        }
    }
}

/// One builder setter: its doc, name, parameters, the arguments to forward them, and the
/// statement that stores them. The fluent builders of the facade forward to the same set.
pub(crate) struct Setter {
    pub doc: TokenStream,
    pub name: proc_macro2::Ident,
    pub params: TokenStream,
    pub args: TokenStream,
    store: TokenStream,
}

/// The setters of a builder that wraps the operation's input builder in `self.inner` (the
/// facade's fluent builders and the waiters): each forwards to the input builder's setter.
pub(crate) fn forwarding_setters(op: &crate::ir::Operation, shapes: &TokenStream) -> TokenStream {
    let setters = op.input.members.iter().flat_map(|m| setter_list(m, shapes)).map(
        |Setter { doc, name, params, args, .. }| {
            quote! {
                #doc
                pub fn #name(mut self, #params) -> Self {
                    self.inner = self.inner.#name(#args);
                    self
                }
            }
        },
    );
    quote!(#(#setters)*)
}

/// `member(value)` and `set_member(Option<value>)`; lists append and maps insert one entry.
pub(crate) fn setter_list(m: &crate::ir::Member, shapes: &TokenStream) -> Vec<Setter> {
    let field = ident(&m.field);
    let set = format_ident!("set_{}", m.field.trim_start_matches("r#"));
    let full = super::member_type(m, shapes);
    let wrap = |value: TokenStream| if m.boxed { quote!(Box::new(#value)) } else { value };
    let single = match &m.ty {
        Type::List(list) if !m.boxed => {
            let item = rust_type(&list.member, shapes);
            let (arg, value) = match (&list.member, list.sparse) {
                (Type::String, false) => (quote!(impl Into<String>), quote!(value.into())),
                (_, false) => (quote!(#item), quote!(value)),
                (_, true) => (quote!(Option<#item>), quote!(value)),
            };
            Setter {
                doc: doc_line(&format!("Appends one entry to `{}`.", m.name)),
                name: ident(&m.field),
                params: quote!(value: #arg),
                args: quote!(value),
                store: quote!(self.#field.get_or_insert_with(Vec::new).push(#value);),
            }
        }
        Type::Map(map) if !m.boxed => {
            let value_type = rust_type(&map.value, shapes);
            let value_type = if map.sparse { quote!(Option<#value_type>) } else { value_type };
            Setter {
                doc: doc_line(&format!("Inserts one entry into `{}`.", m.name)),
                name: ident(&m.field),
                params: quote!(key: impl Into<String>, value: #value_type),
                args: quote!(key, value),
                store: quote!(self.#field.get_or_insert_with(Default::default).insert(key.into(), value);),
            }
        }
        Type::String | Type::BigInteger | Type::BigDecimal => {
            let value = wrap(quote!(value.into()));
            Setter {
                doc: doc(m.doc.as_deref()),
                name: ident(&m.field),
                params: quote!(value: impl Into<String>),
                args: quote!(value),
                store: quote!(self.#field = Some(#value);),
            }
        }
        _ => {
            let base = rust_type(&m.ty, shapes);
            let value = wrap(quote!(value));
            Setter {
                doc: doc(m.doc.as_deref()),
                name: ident(&m.field),
                params: quote!(value: #base),
                args: quote!(value),
                store: quote!(self.#field = Some(#value);),
            }
        }
    };
    let clear = Setter {
        doc: doc_line(&format!("Sets or clears `{}`.", m.name)),
        name: set,
        params: quote!(value: Option<#full>),
        args: quote!(value),
        store: quote!(self.#field = value;),
    };
    vec![single, clear]
}

/// The setters of a member, and a getter for what was set so far.
fn setters(m: &crate::ir::Member, shapes: &TokenStream) -> TokenStream {
    let setters = setter_list(m, shapes).into_iter().map(|Setter { doc, name, params, store, .. }| {
        quote! {
            #doc
            pub fn #name(mut self, #params) -> Self {
                #store
                self
            }
        }
    });
    let field = ident(&m.field);
    let get = format_ident!("get_{}", m.field.trim_start_matches("r#"));
    let ty = rust_type(&m.ty, shapes);
    let read = if m.boxed { quote!(self.#field.as_deref()) } else { quote!(self.#field.as_ref()) };
    let get_doc = doc_line(&format!("`{}` as set so far.", m.name));
    quote! {
        #(#setters)*
        #get_doc
        pub fn #get(&self) -> Option<&#ty> {
            #read
        }
    }
}

/// A union: one variant per member, plus `Unknown` for members added after this build.
fn union(u: &Structure, shapes: &TokenStream) -> TokenStream {
    let name = format_ident!("{}", u.name);
    let type_doc = doc(u.doc.as_deref());
    let serde_impls = super::serde_impls::union(u);
    let variants = u.members.iter().map(|m| {
        let variant = format_ident!("{}", crate::names::pascal_case(&m.name));
        let ty = super::member_type(m, shapes);
        let doc = doc(m.doc.as_deref());
        quote! {
            #doc
            #variant(#ty),
        }
    });
    quote! {
        #type_doc
        #[non_exhaustive]
        #[derive(Clone, Debug, PartialEq)]
        pub enum #name {
            #(#variants)*
            /// A member this version of the crate does not know (received from a newer service).
            Unknown,
        }

        #serde_impls
    }
}

/// A string enum or intEnum, open to values added after this build.
fn enumeration(e: &Enum) -> TokenStream {
    let name = format_ident!("{}", e.name);
    let type_doc = doc(e.doc.as_deref());
    let variant_names: Vec<_> = e.variants.iter().map(|v| format_ident!("{}", v.name)).collect();
    let variants = e.variants.iter().zip(&variant_names).map(|(v, ident)| {
        let doc = match &v.doc {
            Some(d) => doc(Some(d)),
            None => doc_line(&format!("`{}`", v.value)),
        };
        quote!(#doc #ident,)
    });
    if e.int {
        let values: Vec<i32> = e.variants.iter().map(|v| v.value.parse().unwrap_or_default()).collect();
        return quote! {
            #type_doc
            #[non_exhaustive]
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
            pub enum #name {
                #(#variants)*
                /// A value this version of the crate does not know.
                Unknown(i32),
            }

            impl #name {
                /// The wire value.
                pub fn as_i32(&self) -> i32 {
                    match self {
                        #(Self::#variant_names => #values,)*
                        Self::Unknown(value) => *value,
                    }
                }
            }

            impl From<i32> for #name {
                fn from(value: i32) -> Self {
                    match value {
                        #(#values => Self::#variant_names,)*
                        other => Self::Unknown(other),
                    }
                }
            }

            #[cfg(feature = "serde")]
            impl serde::Serialize for #name {
                fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    s.serialize_i32(self.as_i32())
                }
            }

            #[cfg(feature = "serde")]
            impl<'de> serde::Deserialize<'de> for #name {
                fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    <i32 as serde::Deserialize>::deserialize(d).map(Self::from)
                }
            }
        };
    }
    let values: Vec<&str> = e.variants.iter().map(|v| v.value.as_str()).collect();
    quote! {
        #type_doc
        #[non_exhaustive]
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum #name {
            #(#variants)*
            /// A value this version of the crate does not know (received from a newer service).
            Unknown(::cloudfront_primitives::UnknownValue),
        }

        impl #name {
            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#variant_names => #values,)*
                    Self::Unknown(value) => value.as_str(),
                }
            }

            /// Every value this version knows.
            pub fn values() -> &'static [&'static str] {
                &[#(#values),*]
            }
        }

        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#values => Self::#variant_names,)*
                    other => Self::Unknown(::cloudfront_primitives::UnknownValue::new(other)),
                }
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        #[cfg(feature = "serde")]
        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        #[cfg(feature = "serde")]
        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let value = <String as serde::Deserialize>::deserialize(d)?;
                Ok(Self::from(value.as_str()))
            }
        }
    }
}
