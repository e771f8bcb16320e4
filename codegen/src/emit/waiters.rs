//! Waiters from `smithy.waiters#waitable`: for each, a builder on the client that takes the
//! polled operation's input, polls it by the Smithy waiter rules (see
//! `cloudfront_runtime::waiter`), and matches every response against the waiter's acceptors.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::paths::{Aggregates, collect_values};
use super::shapes::forwarding_setters;
use super::{Crates, doc};
use crate::ir::{AcceptorState, Comparator, Matcher, Operation};
use crate::names::snake_case;

/// A waiter's name and the tokens of its builder (emitted into the operation's module).
pub(super) struct Waiter {
    pub name: String,
    pub method: proc_macro2::Ident,
    pub builder: proc_macro2::Ident,
    /// `wait_for_<name>(handle, &input, config)`: the polling itself, for any caller.
    pub poll: proc_macro2::Ident,
    /// `<name>_config()`: the model's delays and the default limit.
    pub config: proc_macro2::Ident,
    pub tokens: TokenStream,
}

/// Every waiter the operation declares.
pub(super) fn waiters(op: &Operation, crates: &Crates, aggregates: &Aggregates<'_>) -> Result<Vec<Waiter>, String> {
    let mut out = Vec::new();
    for waiter in &op.waiters {
        let name = &waiter.name;
        out.push(waiter_tokens(op, waiter, crates, aggregates).map_err(|e| format!("waiter {name}: {e}"))?);
    }
    Ok(out)
}

fn waiter_tokens(
    op: &Operation,
    waiter: &crate::ir::Waiter,
    crates: &Crates,
    aggregates: &Aggregates<'_>,
) -> Result<Waiter, String> {
    let name = waiter.name.as_str();
    let shapes = &crates.shapes;
    let output = format_ident!("{}", op.output.name);
    let error = format_ident!("{}Error", op.name);
    let input = format_ident!("{}", op.input.name);
    let input_builder = format_ident!("{}Builder", op.input.name);
    let builder = format_ident!("{name}Waiter");
    let method = format_ident!("wait_until_{}", snake_case(name));
    let poll = format_ident!("wait_for_{}", snake_case(name));
    let config = format_ident!("{}_config", snake_case(name));
    let (min_delay, max_delay) = (waiter.min_delay, waiter.max_delay);
    let mut checks = Vec::new();
    for acceptor in &waiter.acceptors {
        let state = match acceptor.state {
            AcceptorState::Success => quote!(::cloudfront_runtime::waiter::AcceptorState::Success),
            AcceptorState::Failure => quote!(::cloudfront_runtime::waiter::AcceptorState::Failure),
            AcceptorState::Retry => quote!(::cloudfront_runtime::waiter::AcceptorState::Retry),
        };
        checks.push(match &acceptor.matcher {
            Matcher::Output { path, expected, comparator } => {
                let collect = collect_values(&op.output, quote!(output), path, aggregates)?;
                let compare = match comparator {
                    Comparator::StringEquals | Comparator::BooleanEquals => {
                        quote!(values.len() == 1 && values[0] == #expected)
                    }
                    Comparator::AllStringEquals => quote!(!values.is_empty() && values.iter().all(|v| v == #expected)),
                    Comparator::AnyStringEquals => quote!(values.iter().any(|v| v == #expected)),
                };
                quote! {
                    if let Ok(output) = result {
                        let mut values: Vec<String> = Vec::new();
                        #collect
                        if #compare {
                            return Some(#state);
                        }
                    }
                }
            }
            Matcher::ErrorType(code) => quote! {
                if let Err(error) = result
                    && error.code() == Some(#code)
                {
                    return Some(#state);
                }
            },
            Matcher::Success(success) => {
                let test = if *success { quote!(result.is_ok()) } else { quote!(result.is_err()) };
                quote! {
                    if #test {
                        return Some(#state);
                    }
                }
            }
        });
    }
    let setters = forwarding_setters(op, shapes);
    let waiter_doc = doc(waiter.doc.as_deref());
    let config_doc = super::doc_line(&format!(
        "The `{name}` waiter's defaults: polls {min_delay} s apart at first, backing off to {max_delay} s, for at most 30 minutes."
    ));
    let poll_doc = super::doc_line(&format!(
        "Polls `{}` with `input` until the `{name}` waiter succeeds, fails, or `config.max_wait` passes.",
        op.name
    ));
    let op_name = &op.name;
    let header = format!(
        " Waits for `{name}` by polling `{op_name}` (every {min_delay} s at first, backing off to {max_delay} s, for at most `max_wait`)."
    );
    let tokens = quote! {
        #[doc = #header]
        #[doc = ""]
        #waiter_doc
        #[derive(Clone, Debug)]
        pub struct #builder {
            handle: ::std::sync::Arc<::cloudfront_runtime::Handle>,
            inner: #input_builder,
            config: ::cloudfront_runtime::waiter::WaiterConfig,
        }

        impl #builder {
            pub(crate) fn new(handle: ::std::sync::Arc<::cloudfront_runtime::Handle>) -> Self {
                #builder {
                    handle,
                    inner: #input::builder(),
                    config: #config(),
                }
            }

            #setters

            /// The longest the whole wait may take (30 minutes unless set).
            pub fn max_wait(mut self, max_wait: ::std::time::Duration) -> Self {
                self.config.max_wait = max_wait;
                self
            }

            /// The delays between polls (the model's are the defaults; tests shorten them).
            pub fn delays(mut self, min_delay: ::std::time::Duration, max_delay: ::std::time::Duration) -> Self {
                self.config.min_delay = min_delay;
                self.config.max_delay = max_delay;
                self
            }

            /// Polls until the waiter succeeds, fails, or runs out of time.
            pub async fn wait(
                self,
            ) -> Result<::cloudfront_runtime::waiter::Completed<#shapes::#output>, ::cloudfront_runtime::waiter::WaitError<#shapes::#output, #error>> {
                let input = self
                    .inner
                    .build()
                    .map_err(|e| ::cloudfront_runtime::waiter::WaitError::Error(::cloudfront_runtime::SdkError::Construction(e)))?;
                #poll(&self.handle, &input, self.config).await
            }
        }

        #config_doc
        pub fn #config() -> ::cloudfront_runtime::waiter::WaiterConfig {
            ::cloudfront_runtime::waiter::WaiterConfig::new(
                ::std::time::Duration::from_secs(#min_delay),
                ::std::time::Duration::from_secs(#max_delay),
                DEFAULT_MAX_WAIT,
            )
        }

        #poll_doc
        pub async fn #poll(
            handle: &::cloudfront_runtime::Handle,
            input: &#shapes::#input,
            config: ::cloudfront_runtime::waiter::WaiterConfig,
        ) -> Result<::cloudfront_runtime::waiter::Completed<#shapes::#output>, ::cloudfront_runtime::waiter::WaitError<#shapes::#output, #error>> {
            ::cloudfront_runtime::waiter::wait(
                config,
                handle.config.clock.as_ref(),
                handle.config.sleep.as_ref(),
                || send(handle, input),
                |result: &Result<#shapes::#output, ::cloudfront_runtime::SdkError<#error>>| {
                    #(#checks)*
                    None
                },
            )
            .await
        }
    };
    Ok(Waiter { name: name.to_owned(), method, builder, poll, config, tokens })
}
