//! Paginators from `smithy.api#paginated`: `into_paginator()` on the fluent builder gives a
//! stream of pages (and `.items()` a stream of items), fetched on demand.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::paths::{Aggregates, bind};
use super::rust_type;
use crate::ir::{Operation, Type};

/// The paginator methods of an operation's fluent builder, and the helper functions they use.
pub(super) fn paginator(
    op: &Operation,
    shapes: &TokenStream,
    aggregates: &Aggregates<'_>,
) -> Result<(TokenStream, TokenStream), String> {
    let Some(p) = &op.paginated else { return Ok((quote!(), quote!())) };
    let (input_token, output_token) = (p.input_token.as_str(), p.output_token.as_str());
    let output = format_ident!("{}", op.output.name);
    let error = format_ident!("{}Error", op.name);
    let token_field = op
        .input
        .members
        .iter()
        .find(|m| m.name == input_token)
        .ok_or_else(|| format!("{}: no input member {input_token}", op.name))?
        .field
        .trim_start_matches("r#");
    let set_token = format_ident!("set_{}", token_field);
    let get_token = format_ident!("get_{}", token_field);

    // The next token: absent, or the list says it is not truncated, means the last page.
    let (bind_token, token, token_member, parents) =
        bind(&op.output, quote!(output), output_token, true, quote!(None), aggregates)?;
    if token_member.ty != Type::String {
        return Err(format!("{}: the output token {output_token} is not a string", op.name));
    }
    // Whether more pages follow, where the output says (the IR found the flag beside the token).
    let flag_name = p.truncated.as_deref().and_then(|path| path.rsplit('.').next());
    let more_pages = parents.last().and_then(|parent| {
        let flag = parent.members.iter().find(|m| Some(m.name.as_str()) == flag_name)?;
        let field = super::ident(&flag.field);
        let depth = output_token.split('.').count();
        let holder = if depth >= 2 {
            let v = format_ident!("p{}", depth - 2);
            quote!(#v)
        } else {
            quote!(output)
        };
        Some(if flag.required { quote!(Some(#holder.#field)) } else { quote!(#holder.#field) })
    });
    let more_pages = more_pages.unwrap_or_else(|| quote!(None));

    let items = p.items.as_deref();
    let (items_fn, items_method) = match items {
        Some(path) => {
            let (bind_items, items_value, items_member, _) =
                bind(&op.output, quote!(output), path, false, quote!(Vec::new()), aggregates)?;
            let Type::List(list) = &items_member.ty else {
                return Err(format!("{}: items {path} is not a list", op.name));
            };
            let item = rust_type(&list.member, shapes);
            let doc = format!(" The items of one `{}` page (`{path}`).", op.name);
            (
                quote! {
                    #[doc = #doc]
                    fn page_items(output: #shapes::#output) -> Vec<#item> {
                        #bind_items
                        #items_value
                    }
                },
                quote! {
                    /// Every item of every page, fetched page by page as they are read.
                    pub fn items(self) -> ::cloudfront_runtime::paginate::Items<#shapes::#output, #item, #error> {
                        self.into_paginator().items(page_items)
                    }
                },
            )
        }
        None => (quote!(), quote!()),
    };
    let page_doc = format!(" The token of the page after this one (`{output_token}`), if any.");
    let helpers = quote! {
        #[doc = #page_doc]
        fn next_token(output: &#shapes::#output) -> Option<String> {
            #bind_token
            ::cloudfront_runtime::paginate::next_page(Some(#token.as_str()), #more_pages)
        }

        #items_fn
    };
    let methods = quote! {
        /// The pages of the result, fetched one at a time as they are read; the page size is
        /// the operation's page-size member as set on this builder.
        pub fn into_paginator(self) -> ::cloudfront_runtime::paginate::Pages<#shapes::#output, #error> {
            let handle = self.handle;
            let start = self.inner.#get_token().cloned();
            let inner = self.inner;
            ::cloudfront_runtime::paginate::Pages::new(
                Box::new(move |token| {
                    let handle = handle.clone();
                    let input = inner.clone().#set_token(token).build();
                    Box::pin(async move {
                        let input = input.map_err(::cloudfront_runtime::SdkError::Construction)?;
                        send(&handle, &input).await
                    })
                }),
                next_token,
                start,
            )
        }

        #items_method
    };
    Ok((helpers, methods))
}
