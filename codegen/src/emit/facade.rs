//! The facade crate `<prefix>`: what downstream code imports.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{Crates, doc, doc_line, inner_doc};
use crate::ir::Service;

/// (module name, tokens) for the facade crate.
pub(super) fn files(service: &Service, crates: &Crates) -> Vec<(String, TokenStream)> {
    let (shapes, errors, serializers) = (&crates.shapes, &crates.errors, &crates.serializers);
    let service_doc = inner_doc(service.doc.as_deref());
    let intro = format!(
        " Typed access to the {} API. `types` holds inputs, outputs and the structures they \
         contain, `error` the error types, and `operation::<name>` gathers, per operation, its \
         input and output types, its error enum and its wire functions.",
        service.title
    );
    let operations = service.operations.iter().map(|op| {
        let module = format_ident!("{}", op.snake);
        let input = format_ident!("{}", op.input.name);
        let input_builder = format_ident!("{}Builder", op.input.name);
        let output = format_ident!("{}", op.output.name);
        let error = format_ident!("{}Error", op.name);
        let op_doc = doc(op.doc.as_deref());
        let line = doc_line(&format!("`{}`", op.name));
        quote! {
            #line
            #[doc = ""]
            #op_doc
            pub mod #module {
                pub use #shapes::{#input, #input_builder, #output};
                pub use #errors::#error;
                pub use #serializers::#module::{parse_error, parse_response, serialize_request};
            }
        }
    });
    let lib = quote! {
        #![doc = #intro]
        #service_doc
        pub use #shapes as types;
        pub use #errors as error;
        pub use #serializers as wire;

        /// One module per operation.
        pub mod operation {
            #(#operations)*
        }
    };
    vec![("lib".to_owned(), lib)]
}
