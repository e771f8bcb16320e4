//! The facade crate `<prefix>`: what downstream code imports. `Client` with one method per
//! operation (returning a fluent builder that ends in `send()`), the endpoint resolver, and
//! per operation a module gathering its types and wire functions.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::paths::Aggregates;
use super::shapes::forwarding_setters;
use super::waiters::Waiter;
use super::{Crates, doc, doc_line, inner_doc};
use crate::ir::{Operation, Service};

/// (module path, tokens) for the facade crate.
pub(super) fn files(
    service: &Service,
    crates: &Crates,
    readme: Option<&str>,
) -> Result<Vec<(String, TokenStream)>, String> {
    let (shapes, errors, serializers) = (&crates.shapes, &crates.errors, &crates.serializers);
    let service_doc = inner_doc(service.doc.as_deref());
    let intro = format!(
        " A typed client for the {} API. Create a [`Client`] from a `cloudfront_runtime::Config` (or \
         the environment), call an operation method, set its members and `send().await`. \
         `types` holds inputs, outputs and the structures they contain, `error` the error \
         types, `operation::<name>` each operation's types and wire functions.",
        service.title
    );
    // The hand-written README follows the generated introduction; its examples are doctests.
    let readme = readme.map(|name| {
        let path = format!("../{name}");
        quote!(#![doc = include_str!(#path)])
    });
    let modules = service.operations.iter().map(|op| {
        let module = format_ident!("{}", op.snake);
        let line = doc_line(&format!("`{}`", op.name));
        quote!(#line pub mod #module;)
    });
    let lib = quote! {
        #![doc = #intro]
        #![deny(missing_docs)]
        #service_doc
        #readme
        pub use #shapes as types;
        pub use #errors as error;
        pub use #serializers as wire;
        pub use ::cloudfront_primitives as primitives;
        pub use ::cloudfront_runtime::{Config, SdkError};
        pub use client::Client;

        mod client;
        pub mod endpoint;
        #[cfg(feature = "serde")]
        pub mod json;
        pub mod schema;

        /// One module per operation.
        pub mod operation {
            #(#modules)*
        }
    };
    let aggregates: Aggregates<'_> = super::paths::aggregates(service);
    // Each operation's waiters, emitted once: the client, the operation module and the JSON
    // dispatch each use a part of them.
    let waiters = service
        .operations
        .iter()
        .map(|op| super::waiters::waiters(op, crates, &aggregates))
        .collect::<Result<Vec<_>, _>>()?;
    let mut files = vec![
        ("lib".to_owned(), lib),
        ("client".to_owned(), client(service, &waiters)),
        ("schema".to_owned(), super::schema::file(service)),
    ];
    if let Some(endpoint) = super::endpoints::file(service)? {
        files.push(("endpoint".to_owned(), endpoint));
    } else {
        files.push(("endpoint".to_owned(), override_only_endpoint(service)));
    }
    files.push(("json".to_owned(), json(service, &waiters)));
    for (op, op_waiters) in service.operations.iter().zip(waiters) {
        files.push((format!("operation/{}", op.snake), operation(service, crates, op, &aggregates, op_waiters)?));
    }
    Ok(files)
}

/// `json::call`: any operation by its model name, with input and output as the AWS CLI's
/// JSON (the `serde` feature). The CLI dispatches through it, so a new operation in the model
/// is callable without a hand-written list.
fn json(service: &Service, waiters: &[Vec<Waiter>]) -> TokenStream {
    let mut wait_arms = Vec::new();
    for (op, op_waiters) in service.operations.iter().zip(waiters) {
        let (module, input) = (format_ident!("{}", op.snake), format_ident!("{}", op.input.name));
        for w in op_waiters {
            let (name, poll, config) = (&w.name, &w.poll, &w.config);
            wait_arms.push(quote! {
                #name => ::cloudfront_runtime::json::wait_typed(input, |input: crate::operation::#module::#input| async move {
                    crate::operation::#module::#poll(handle, &input, adjust(crate::operation::#module::#config())).await
                }).await,
            });
        }
    }
    let arms = service.operations.iter().map(|op| {
        let (name, module) = (&op.name, format_ident!("{}", op.snake));
        let input = format_ident!("{}", op.input.name);
        quote! {
            #name => ::cloudfront_runtime::json::call_typed(input, |input: crate::operation::#module::#input| async move {
                crate::operation::#module::send(handle, &input).await
            }).await,
        }
    });
    // A service without waiters still has `wait`, which knows no name.
    let wait_body = if wait_arms.is_empty() {
        quote! {
            let _ = (handle, input, adjust);
            Err(JsonWaitError::UnknownWaiter(waiter.to_owned()))
        }
    } else {
        quote! {
            match waiter {
                #(#wait_arms)*
                other => Err(JsonWaitError::UnknownWaiter(other.to_owned())),
            }
        }
    };
    quote! {
        #![doc = " Operations and waiters called by name with JSON input and output, in the AWS CLI's field names."]

        pub use ::cloudfront_runtime::json::{JsonCallError, JsonWaitError, Value};

        /// Calls `operation` (its model name, `CreateInvalidation`) with `input` as JSON.
        pub async fn call(handle: &::cloudfront_runtime::Handle, operation: &str, input: Value) -> Result<Value, JsonCallError> {
            match operation {
                #(#arms)*
                other => Err(JsonCallError::UnknownOperation(other.to_owned())),
            }
        }

        /// Runs the waiter `waiter` (its model name, `InvalidationCompleted`) with `input` as
        /// JSON; `adjust` may change its delays and its limit, given the model's.
        pub async fn wait(
            handle: &::cloudfront_runtime::Handle,
            waiter: &str,
            input: Value,
            adjust: impl FnOnce(::cloudfront_runtime::waiter::WaiterConfig) -> ::cloudfront_runtime::waiter::WaiterConfig,
        ) -> Result<(), JsonWaitError> {
            #wait_body
        }
    }
}

fn client(service: &Service, waiters: &[Vec<Waiter>]) -> TokenStream {
    let mut waiter_methods = Vec::new();
    for (op, op_waiters) in service.operations.iter().zip(waiters) {
        let module = format_ident!("{}", op.snake);
        for w in op_waiters {
            let (method, builder) = (&w.method, &w.builder);
            let line = doc_line(&format!("Waits for `{}` (polling `{}`).", w.name, op.name));
            waiter_methods.push(quote! {
                #line
                pub fn #method(&self) -> crate::operation::#module::#builder {
                    crate::operation::#module::#builder::new(self.handle.clone())
                }
            });
        }
    }
    let methods = service.operations.iter().map(|op| {
        let method = format_ident!("{}", op.snake);
        let module = format_ident!("{}", op.snake);
        let builder = format_ident!("{}FluentBuilder", op.name);
        let op_doc = doc(op.doc.as_deref());
        quote! {
            #op_doc
            pub fn #method(&self) -> crate::operation::#module::#builder {
                crate::operation::#module::#builder::new(self.handle.clone())
            }
        }
    });
    let title = format!(
        " A client for {}: cheap to clone (clones share the connection pool, the retry quota and the credentials cache).",
        service.title
    );
    quote! {
        use std::sync::Arc;

        #[doc = #title]
        #[derive(Clone, Debug)]
        pub struct Client {
            handle: Arc<::cloudfront_runtime::Handle>,
        }

        impl Client {
            /// A client with this configuration.
            pub fn new(config: ::cloudfront_runtime::Config) -> Result<Self, String> {
                // Requests name this crate in their `User-Agent`, before the runtime.
                const USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));
                Ok(Client { handle: ::cloudfront_runtime::Handle::for_client(config, USER_AGENT)? })
            }

            /// A client configured from the environment and the shared AWS config files, as
            /// the AWS CLI is.
            pub fn from_env() -> Result<Self, String> {
                Client::new(::cloudfront_runtime::Config::load()?)
            }

            /// The configuration in use.
            pub fn config(&self) -> &::cloudfront_runtime::Config {
                &self.handle.config
            }

            /// The shared runtime state (for calling `operation::<name>::send` directly).
            pub fn handle(&self) -> &::cloudfront_runtime::Handle {
                &self.handle
            }

            #(#methods)*

            #(#waiter_methods)*
        }
    }
}

fn operation(
    service: &Service,
    crates: &Crates,
    op: &Operation,
    aggregates: &Aggregates<'_>,
    waiters: Vec<Waiter>,
) -> Result<TokenStream, String> {
    let (shapes, errors, serializers) = (&crates.shapes, &crates.errors, &crates.serializers);
    let module = format_ident!("{}", op.snake);
    let input = format_ident!("{}", op.input.name);
    let input_builder = format_ident!("{}Builder", op.input.name);
    let output = format_ident!("{}", op.output.name);
    let error = format_ident!("{}Error", op.name);
    let builder = format_ident!("{}FluentBuilder", op.name);
    let name = &op.name;
    let signing_name = service.signing_name.clone().unwrap_or_else(|| service.sdk_id.to_ascii_lowercase());
    let setters = forwarding_setters(op, shapes);
    let module_doc = format!(" `{}`: its types, its wire functions and its fluent builder.", op.name);
    let op_doc = doc(op.doc.as_deref());
    let send_doc =
        doc_line(&format!("Sends one `{name}` request with the client's configuration (retrying as configured)."));
    let builder_doc = doc_line(&format!("Builds and sends `{name}`; made by `Client::{}`.", op.snake));
    let (pagination_helpers, pagination_methods) = super::paginators::paginator(op, shapes, aggregates)?;
    let endpoint_params = super::endpoints::operation_params(service, op)?;
    let (download_fn, download_method) = download(service, op).unzip();
    let sdk_id = &service.sdk_id;
    let invoke = if service.region_redirects {
        quote! {
            // A region redirect is followed once, re-resolving the endpoint for the bucket's
            // region; never with a custom endpoint, whose region the caller chose.
            let moved_to = |region: &str| -> Option<::cloudfront_runtime::Endpoint> {
                if settings.endpoint_url.is_some() {
                    return None;
                }
                let mut moved = settings.clone();
                moved.region = Some(region.to_owned());
                crate::endpoint::resolve_endpoint(&endpoint_params(&moved, input)).ok()
            };
            let response = handle.invoke_redirectable(SPEC, &endpoint, request, parse_error, &moved_to).await?;
        }
    } else {
        quote!(let response = handle.invoke(SPEC, &endpoint, request, parse_error).await?;)
    };
    let payload_hash_header = service.payload_hash_header;
    let streaming_input = op.streaming_input;
    let error_in_success = op.error_in_success;
    let sensitive_headers = super::sensitive_headers(op);
    let spec_doc = doc_line(&format!("How the runtime signs and sends `{name}`."));
    let request_checksum = match &op.request_checksum {
        None => quote!(None),
        Some(checksum) => {
            let required = checksum.required;
            let algorithm = match &checksum.algorithm_member {
                Some((member, header)) => quote!(Some((#header, #member))),
                None => quote!(None),
            };
            quote!(Some(::cloudfront_runtime::checksum::RequestChecksum { required: #required, algorithm: #algorithm }))
        }
    };
    let waiters: Vec<TokenStream> = waiters.into_iter().map(|w| w.tokens).collect();
    let default_wait = (!waiters.is_empty()).then(|| {
        quote! {
            /// How long a waiter waits unless told otherwise.
            pub const DEFAULT_MAX_WAIT: ::std::time::Duration = ::std::time::Duration::from_secs(30 * 60);
        }
    });
    Ok(quote! {
        #![doc = #module_doc]
        use std::sync::Arc;

        pub use #shapes::{#input, #input_builder, #output};
        pub use #errors::#error;
        pub use #serializers::#module::{parse_error, parse_response, serialize_request};

        #endpoint_params

        #spec_doc
        pub const SPEC: ::cloudfront_runtime::OperationSpec = ::cloudfront_runtime::OperationSpec {
            name: #name,
            signing_name: #signing_name,
            payload_hash_header: #payload_hash_header,
            streaming_input: #streaming_input,
            request_checksum: #request_checksum,
            error_in_success: #error_in_success,
            sensitive_headers: &[#(#sensitive_headers),*],
        };

        #send_doc
        #op_doc
        pub async fn send(handle: &::cloudfront_runtime::Handle, input: &#input) -> Result<#output, ::cloudfront_runtime::SdkError<#error>> {
            let request = serialize_request(input).map_err(::cloudfront_runtime::SdkError::Construction)?;
            let settings = handle.config.endpoint_settings(#sdk_id).map_err(::cloudfront_runtime::SdkError::Endpoint)?;
            let params = endpoint_params(&settings, input);
            let endpoint = crate::endpoint::resolve_endpoint(&params).map_err(::cloudfront_runtime::SdkError::Endpoint)?;
            #invoke
            parse_response(&response).map_err(|e| ::cloudfront_runtime::SdkError::Response {
                message: e.to_string(),
                status: response.status,
                request_id: ::cloudfront_restxml::request_id(&response),
            })
        }

        #download_fn

        #builder_doc
        #[derive(Clone, Debug)]
        pub struct #builder {
            handle: Arc<::cloudfront_runtime::Handle>,
            inner: #input_builder,
        }

        impl #builder {
            pub(crate) fn new(handle: Arc<::cloudfront_runtime::Handle>) -> Self {
                #builder { handle, inner: #input::builder() }
            }

            #setters

            /// The input as built so far.
            pub fn as_input(&self) -> &#input_builder {
                &self.inner
            }

            /// Builds the input (checking required members) and sends it.
            pub async fn send(self) -> Result<#output, ::cloudfront_runtime::SdkError<#error>> {
                let input = self.inner.build().map_err(::cloudfront_runtime::SdkError::Construction)?;
                send(&self.handle, &input).await
            }

            #pagination_methods
            #download_method
        }

        #pagination_helpers

        #default_wait

        #(#waiters)*
    })
}

/// For an operation whose output is a stream (S3's GetObject): `send_into`, which writes the
/// stream to the caller's writer as it arrives instead of holding it, and its fluent method.
fn download(service: &Service, op: &Operation) -> Option<(TokenStream, TokenStream)> {
    let stream = op.output.members.iter().find(|m| m.ty == crate::ir::Type::Stream)?;
    let field = super::ident(&stream.field);
    let (input, output) = (format_ident!("{}", op.input.name), format_ident!("{}", op.output.name));
    let error = format_ident!("{}Error", op.name);
    let sdk_id = &service.sdk_id;
    let doc = doc_line(&format!(
        "Sends one `{}` request and writes its `{}` to `writer` as it arrives, never whole in memory; the output's `{}` is left unset. A download that breaks off after bytes were written is not retried.",
        op.name, stream.name, stream.name
    ));
    let function = quote! {
        #doc
        pub async fn send_into(
            handle: &::cloudfront_runtime::Handle,
            input: &#input,
            writer: ::cloudfront_runtime::transport::Sink<'_, '_>,
        ) -> Result<#output, ::cloudfront_runtime::SdkError<#error>> {
            let request = serialize_request(input).map_err(::cloudfront_runtime::SdkError::Construction)?;
            let settings = handle.config.endpoint_settings(#sdk_id).map_err(::cloudfront_runtime::SdkError::Endpoint)?;
            let endpoint = crate::endpoint::resolve_endpoint(&endpoint_params(&settings, input))
                .map_err(::cloudfront_runtime::SdkError::Endpoint)?;
            let response = handle.invoke_into(SPEC, &endpoint, request, parse_error, writer).await?;
            let mut output = parse_response(&response).map_err(|e| ::cloudfront_runtime::SdkError::Response {
                message: e.to_string(),
                status: response.status,
                request_id: ::cloudfront_restxml::request_id(&response),
            })?;
            output.#field = None;
            Ok(output)
        }
    };
    let method = quote! {
        /// Builds the input and sends it, writing the stream to `writer` (see [`send_into`]).
        pub async fn send_into(
            self,
            writer: ::cloudfront_runtime::transport::Sink<'_, '_>,
        ) -> Result<#output, ::cloudfront_runtime::SdkError<#error>> {
            let input = self.inner.build().map_err(::cloudfront_runtime::SdkError::Construction)?;
            send_into(&self.handle, &input, writer).await
        }
    };
    Some((function, method))
}

/// For a service without endpoint rules: the endpoint is whatever URL the configuration sets.
fn override_only_endpoint(service: &Service) -> TokenStream {
    let sdk_id = &service.sdk_id;
    quote! {
        //! Endpoint resolution: this service has no endpoint rules, so an endpoint URL must be configured.

        /// The inputs of endpoint resolution.
        #[derive(Clone, Debug, Default, PartialEq, Eq)]
        pub struct EndpointParams {
            /// The configured endpoint URL.
            pub endpoint: Option<String>,
        }

        impl EndpointParams {
            /// The endpoint override from code, the environment or the profile.
            pub fn from_config(config: &::cloudfront_runtime::Config) -> Result<Self, ::cloudfront_runtime::EndpointError> {
                Ok(EndpointParams::from_settings(&config.endpoint_settings(#sdk_id)?))
            }

            /// The endpoint URL among settings a configuration resolved.
            pub fn from_settings(settings: &::cloudfront_runtime::config::EndpointSettings) -> Self {
                EndpointParams { endpoint: settings.endpoint_url.clone() }
            }
        }

        /// The configured URL, or an error saying one is needed.
        pub fn resolve_endpoint(params: &EndpointParams) -> Result<::cloudfront_runtime::Endpoint, ::cloudfront_runtime::EndpointError> {
            params
                .endpoint
                .clone()
                .map(::cloudfront_runtime::Endpoint::url)
                .ok_or_else(|| ::cloudfront_runtime::EndpointError("this service has no endpoint rules: set an endpoint URL".to_owned()))
        }
    }
}
