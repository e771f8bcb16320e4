//! The `<prefix>-errors` crate: the modeled error structures and one error enum per
//! operation with an `Unhandled` variant for codes the model does not know.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::shapes::{module_declarations, structure};
use super::{Crates, doc_line};
use crate::ir::{Operation, Service, Structure};
use crate::names::snake_case;

/// (module name, tokens) for every file of the errors crate.
pub(super) fn files(service: &Service, crates: &Crates) -> Vec<(String, TokenStream)> {
    let shapes = &crates.shapes;
    let mut items: Vec<(String, String, bool, TokenStream)> = Vec::new();
    for e in &service.errors {
        items.push((e.module.clone(), e.name.clone(), true, error_structure(e, shapes)));
    }
    for op in &service.operations {
        let module = format!("{}_error", op.snake);
        items.push((module, format!("{}Error", op.name), false, operation_error(op)));
    }
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let crate_doc = format!(
        " Errors of the {} API: every modeled error, and for each operation an enum of the errors \
         it can return. Codes the model does not know arrive as `Unhandled`, with their code, message, \
         request id and HTTP status kept.",
        service.title
    );
    let modules = module_declarations(items.iter().map(|(module, name, has_builder, _)| (module, name, *has_builder)));
    let lib = quote! {
        #![doc = #crate_doc]
        #![deny(missing_docs)]
        pub use ::cloudfront_primitives::{ErrorMetadata, ProvideErrorMetadata, UnhandledError};
        #modules
    };
    let mut files = vec![("lib".to_owned(), lib)];
    files.extend(items.into_iter().map(|(module, _, _, tokens)| (module, tokens)));
    files
}

/// An error structure: the shape itself plus `Display`, `Error` and metadata access.
fn error_structure(e: &Structure, shapes: &TokenStream) -> TokenStream {
    let name = format_ident!("{}", e.name);
    let body = structure(e, shapes);
    let code = &e.error.as_ref().expect("error structures carry ErrorInfo").code;
    let retryable = e.error.as_ref().and_then(|i| i.retryable).is_some();
    let throttling = e.error.as_ref().and_then(|i| i.retryable).unwrap_or(false);
    quote! {
        #body

        impl #name {
            /// The code that identifies this error on the wire.
            pub const CODE: &'static str = #code;

            /// Whether the model marks this error as retryable.
            pub fn is_retryable(&self) -> bool {
                #retryable
            }

            /// Whether the model marks this error as throttling.
            pub fn is_throttling(&self) -> bool {
                #throttling
            }
        }

        impl ::cloudfront_primitives::ProvideErrorMetadata for #name {
            fn meta(&self) -> &::cloudfront_primitives::ErrorMetadata {
                &self.meta
            }

            fn meta_mut(&mut self) -> &mut ::cloudfront_primitives::ErrorMetadata {
                &mut self.meta
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.meta, f)
            }
        }

        impl ::std::error::Error for #name {}
    }
}

/// `<Op>Error`: one variant per modeled error, and `Unhandled`.
fn operation_error(op: &Operation) -> TokenStream {
    let name = format_ident!("{}Error", op.name);
    let variants: Vec<_> = op.errors.iter().map(|e| format_ident!("{}", e)).collect();
    let variant_docs = op.errors.iter().map(|e| doc_line(&format!("The service answered with the `{e}` error.")));
    let predicates = op.errors.iter().map(|e| {
        let variant = format_ident!("{}", e);
        let is = format_ident!("is_{}", snake_case(e));
        let line = doc_line(&format!("Whether this is the `{e}` error."));
        quote! {
            #line
            pub fn #is(&self) -> bool {
                matches!(self, Self::#variant(_))
            }
        }
    });
    let type_doc = doc_line(&format!("An error returned by `{}`.", op.name));
    quote! {
        #type_doc
        #[non_exhaustive]
        #[derive(Debug)]
        pub enum #name {
            #(
                #variant_docs
                #variants(crate::#variants),
            )*
            /// An error code the model does not list for this operation.
            Unhandled(::cloudfront_primitives::UnhandledError),
        }

        impl #name {
            #(#predicates)*

            /// Whether the code is not one the model lists for this operation.
            pub fn is_unhandled(&self) -> bool {
                matches!(self, Self::Unhandled(_))
            }

            /// Whether retrying the same request may succeed (modeled as retryable).
            pub fn is_retryable(&self) -> bool {
                match self {
                    #(Self::#variants(e) => e.is_retryable(),)*
                    Self::Unhandled(_) => false,
                }
            }
        }

        impl ::cloudfront_primitives::ProvideErrorMetadata for #name {
            fn meta(&self) -> &::cloudfront_primitives::ErrorMetadata {
                match self {
                    #(Self::#variants(e) => ::cloudfront_primitives::ProvideErrorMetadata::meta(e),)*
                    Self::Unhandled(e) => ::cloudfront_primitives::ProvideErrorMetadata::meta(e),
                }
            }

            fn meta_mut(&mut self) -> &mut ::cloudfront_primitives::ErrorMetadata {
                match self {
                    #(Self::#variants(e) => ::cloudfront_primitives::ProvideErrorMetadata::meta_mut(e),)*
                    Self::Unhandled(e) => ::cloudfront_primitives::ProvideErrorMetadata::meta_mut(e),
                }
            }

            fn modeled_retryable(&self) -> Option<bool> {
                (!self.is_unhandled()).then(|| self.is_retryable())
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(::cloudfront_primitives::ProvideErrorMetadata::meta(self), f)
            }
        }

        impl ::std::error::Error for #name {
            fn source(&self) -> Option<&(dyn ::std::error::Error + 'static)> {
                match self {
                    #(Self::#variants(e) => Some(e),)*
                    Self::Unhandled(e) => Some(e),
                }
            }
        }
    }
}
