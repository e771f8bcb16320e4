//! The endpoint resolver, compiled from the model's `smithy.rules#endpointRuleSet` into
//! plain Rust (`if` chains over typed parameters), with one test per
//! `smithy.rules#endpointTests` case.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::doc_line;
use crate::ir::{
    Condition, EndpointExpectation, EndpointResult, EndpointRuleSet, EndpointTest, Expr, Literal, ParameterType, Rule,
    RuleOutcome, Service,
};
use crate::names::field_name;

/// A value's type while compiling rules.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Bool,
    OptBool,
    Str,
    OptStr,
    Partition,
}

/// What a name refers to in the current scope: tokens that evaluate to it, and its kind.
#[derive(Clone, Debug)]
struct Binding {
    tokens: TokenStream,
    kind: Kind,
}

type Scope = BTreeMap<String, Binding>;

/// One rule-set parameter.
struct Param {
    name: String,
    field: proc_macro2::Ident,
    kind: Kind,
    default: Option<Literal>,
    built_in: Option<String>,
    doc: Option<String>,
}

/// `endpoint.rs` of the facade crate: parameters, resolver and tests.
pub(super) fn file(service: &Service) -> Result<Option<TokenStream>, String> {
    let Some(rules) = &service.endpoint_rules else { return Ok(None) };
    let params = parameters(rules)?;
    let mut scope = Scope::new();
    for p in &params {
        let field = &p.field;
        let tokens = match p.kind {
            Kind::Str => quote!(params.#field.as_str()),
            Kind::OptStr => quote!(params.#field.as_deref()),
            _ => quote!(params.#field),
        };
        scope.insert(p.name.clone(), Binding { tokens, kind: p.kind });
    }
    let body = rule_list(&rules.rules, &scope, true)?;

    let fields = params.iter().map(|p| {
        let field = &p.field;
        let ty = match p.kind {
            Kind::Bool => quote!(bool),
            Kind::OptBool => quote!(Option<bool>),
            Kind::Str => quote!(String),
            _ => quote!(Option<String>),
        };
        let doc = super::doc(p.doc.as_deref());
        quote!(#doc pub #field: #ty,)
    });
    let defaults = params.iter().map(|p| {
        let field = &p.field;
        let value = match (&p.kind, &p.default) {
            (Kind::Bool, Some(Literal::Bool(b))) => quote!(#b),
            (Kind::Bool, _) => quote!(false),
            (Kind::Str, Some(Literal::Str(s))) => quote!(#s.to_owned()),
            (Kind::Str, _) => quote!(String::new()),
            _ => quote!(None),
        };
        quote!(#field: #value,)
    });
    let sdk_id = &service.sdk_id;
    let from_config = params.iter().filter_map(|p| {
        let field = &p.field;
        let value = match (p.built_in.as_deref(), p.kind) {
            (Some("AWS::Region"), Kind::OptStr) => quote!(settings.region),
            (Some("AWS::UseFIPS"), Kind::Bool) => quote!(settings.use_fips),
            (Some("AWS::UseDualStack"), Kind::Bool) => quote!(settings.use_dual_stack),
            (Some("SDK::Endpoint"), Kind::OptStr) => quote!(settings.endpoint_url),
            _ => return None,
        };
        Some(quote!(#field: #value,))
    });
    let from_config: Vec<_> = from_config.collect();
    let rest = (from_config.len() < params.len()).then(|| quote!(..EndpointParams::default()));
    let tests = service
        .endpoint_tests
        .iter()
        .enumerate()
        .map(|(i, case)| endpoint_test(i, case, &params))
        .collect::<Result<Vec<_>, _>>()?;
    let params_doc = doc_line("The inputs of endpoint resolution (the rule set's parameters).");
    let plain_defaults = params.iter().all(|p| {
        matches!((&p.kind, &p.default), (Kind::Bool, Some(Literal::Bool(false))) | (Kind::OptBool | Kind::OptStr, _))
    });
    let (derive_default, default_impl) = if plain_defaults {
        (quote!(Default,), quote!())
    } else {
        (
            quote!(),
            quote! {
                impl Default for EndpointParams {
                    fn default() -> Self {
                        EndpointParams { #(#defaults)* }
                    }
                }
            },
        )
    };
    Ok(Some(quote! {
        //! Endpoint resolution, compiled from the model's endpoint rule set.

        #params_doc
        #[derive(Clone, Debug, #derive_default PartialEq, Eq)]
        pub struct EndpointParams {
            #(#fields)*
        }

        #default_impl

        impl EndpointParams {
            /// The parameters a client configuration implies (region, FIPS, dual-stack and
            /// any endpoint override from code, the environment or the profile), as
            /// `Config::endpoint_settings` reads them.
            pub fn from_config(config: &::cloudfront_runtime::Config) -> Result<Self, ::cloudfront_runtime::EndpointError> {
                let settings = config.endpoint_settings(#sdk_id)?;
                Ok(EndpointParams { #(#from_config)* #rest })
            }
        }

        /// Resolves the endpoint for `params` by the service's rules.
        pub fn resolve_endpoint(params: &EndpointParams) -> Result<::cloudfront_runtime::Endpoint, ::cloudfront_runtime::EndpointError> {
            #body
        }

        #[cfg(test)]
        mod tests {
            use super::*;
            #(#tests)*
        }
    }))
}

/// The parameters with their Rust field and type: a boolean with a default is never unset;
/// a string is a plain `String` only when it is required and has a default.
fn parameters(rules: &EndpointRuleSet) -> Result<Vec<Param>, String> {
    Ok(rules
        .parameters
        .iter()
        .map(|p| {
            let kind = match (p.ty, p.required && p.default.is_some()) {
                (ParameterType::Boolean, _) if p.default.is_some() => Kind::Bool,
                (ParameterType::Boolean, _) => Kind::OptBool,
                (ParameterType::String, true) => Kind::Str,
                (ParameterType::String, false) => Kind::OptStr,
            };
            Param {
                field: super::ident(&field_name(&p.name)),
                name: p.name.clone(),
                kind,
                default: p.default.clone(),
                built_in: p.built_in.clone(),
                doc: p.doc.clone(),
            }
        })
        .collect())
}

/// Rules in order; stops after a rule without conditions (nothing after it can run), and
/// ends in an error when every rule has conditions (the rules engine's "no rule matched").
/// `tail` is set for the function's last statement, which is written as an expression.
fn rule_list(rules: &[Rule], scope: &Scope, tail: bool) -> Result<TokenStream, String> {
    let mut out = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        let unconditional = rule.conditions.is_empty();
        let last = i + 1 == rules.len();
        out.push(rule_tokens(rule, scope, tail && unconditional && last)?);
        if unconditional {
            return Ok(quote!(#(#out)*));
        }
    }
    let no_match =
        quote!(Err(::cloudfront_runtime::EndpointError("no endpoint rule matched the parameters".to_owned())));
    Ok(if tail { quote!(#(#out)* #no_match) } else { quote!(#(#out)* return #no_match;) })
}

fn rule_tokens(rule: &Rule, scope: &Scope, tail: bool) -> Result<TokenStream, String> {
    let mut chain = Vec::new();
    let mut scope = scope.clone();
    for condition in &rule.conditions {
        chain.push(condition_tokens(condition, &mut scope)?);
    }
    let finish = |result: TokenStream| if tail { result } else { quote!(return #result;) };
    let body = match &rule.outcome {
        RuleOutcome::Endpoint(endpoint) => finish(endpoint_result(endpoint, &scope)?),
        RuleOutcome::Error(message) => {
            let message = string_value(message, &scope)?;
            finish(quote!(Err(::cloudfront_runtime::EndpointError(#message))))
        }
        RuleOutcome::Tree(rules) => rule_list(rules, &scope, tail)?,
    };
    Ok(if chain.is_empty() { body } else { quote!(if #(#chain)&&* { #body }) })
}

/// One condition as an element of an `if` chain (`let Some(x) = ...` when it binds a name,
/// which later conditions and the rule's result then see).
fn condition_tokens(condition: &Condition, scope: &mut Scope) -> Result<TokenStream, String> {
    let (function, args) = (condition.function.as_str(), &condition.args);
    // isSet(ref) narrows an optional parameter to its value for the rest of the rule.
    if function == "isSet"
        && let Some(Expr::Ref(name)) = args.first()
    {
        let binding = scope.get(name).ok_or_else(|| format!("unknown reference {name}"))?.clone();
        let narrowed = match binding.kind {
            Kind::OptStr => Kind::Str,
            Kind::OptBool => Kind::Bool,
            _ => return Ok(quote!(true)),
        };
        let var = format_ident!("{}", field_name(name).trim_start_matches("r#"));
        scope.insert(name.to_owned(), Binding { tokens: quote!(#var), kind: narrowed });
        let source = binding.tokens;
        return Ok(quote!(let Some(#var) = #source));
    }
    let call = Expr::Call { function: function.to_owned(), args: args.clone() };
    let (expr, kind) = expression(&call, scope)?;
    if let Some(assign) = condition.assign.as_deref() {
        let var = format_ident!("{}", field_name(assign).trim_start_matches("r#"));
        let bound = match kind {
            Kind::Partition => Kind::Partition,
            Kind::OptStr => Kind::Str,
            other => return Err(format!("cannot assign a {other:?} result to {assign}")),
        };
        scope.insert(assign.to_owned(), Binding { tokens: quote!(#var), kind: bound });
        return Ok(quote!(let Some(#var) = #expr));
    }
    Ok(match kind {
        Kind::Bool => expr,
        Kind::OptStr | Kind::OptBool | Kind::Partition => quote!(#expr.is_some()),
        Kind::Str => quote!(true),
    })
}

/// An expression and its kind.
fn expression(value: &Expr, scope: &Scope) -> Result<(TokenStream, Kind), String> {
    let (function, args) = match value {
        Expr::Ref(name) => {
            let b = scope.get(name).ok_or_else(|| format!("unknown reference {name}"))?;
            return Ok((b.tokens.clone(), b.kind));
        }
        Expr::Bool(b) => return Ok((quote!(#b), Kind::Bool)),
        Expr::Str(text) if !text.contains('{') => return Ok((quote!(#text), Kind::Str)),
        Expr::Str(_) => {
            let text = string_value(value, scope)?;
            return Ok((quote!(#text.as_str()), Kind::Str));
        }
        Expr::Call { function, args } => (function.as_str(), args),
    };
    let arg = |i: usize| expression(args.get(i).ok_or_else(|| format!("{function}: missing argument {i}"))?, scope);
    Ok(match function {
        "isSet" => {
            let (e, kind) = arg(0)?;
            match kind {
                Kind::OptStr | Kind::OptBool | Kind::Partition => (quote!((#e).is_some()), Kind::Bool),
                _ => (quote!(true), Kind::Bool),
            }
        }
        "not" => {
            let (e, _) = arg(0)?;
            (quote!(!(#e)), Kind::Bool)
        }
        "booleanEquals" => {
            let (a, _) = arg(0)?;
            let (b, _) = arg(1)?;
            // Comparing with a literal reads better as the value itself (and clippy agrees).
            match (&args[0], &args[1]) {
                (_, Expr::Bool(true)) => (a, Kind::Bool),
                (Expr::Bool(true), _) => (b, Kind::Bool),
                (_, Expr::Bool(false)) => (quote!(!#a), Kind::Bool),
                (Expr::Bool(false), _) => (quote!(!#b), Kind::Bool),
                _ => (quote!(#a == #b), Kind::Bool),
            }
        }
        "stringEquals" => {
            let (a, _) = arg(0)?;
            let (b, _) = arg(1)?;
            (quote!(#a == #b), Kind::Bool)
        }
        "getAttr" => {
            let (target, kind) = arg(0)?;
            let Some(Expr::Str(path)) = args.get(1) else { return Err("getAttr needs a path".into()) };
            if kind != Kind::Partition {
                return Err(format!("getAttr on a {kind:?} is not supported"));
            }
            partition_attribute(&target, path)?
        }
        "aws.partition" => {
            let (region, _) = arg(0)?;
            (quote!(::cloudfront_runtime::endpoint::partition(#region)), Kind::Partition)
        }
        other => return Err(format!("endpoint rule function {other:?} is not supported by the generator")),
    })
}

fn partition_attribute(target: &TokenStream, path: &str) -> Result<(TokenStream, Kind), String> {
    Ok(match path {
        "name" => (quote!(#target.name), Kind::Str),
        "dnsSuffix" => (quote!(#target.dns_suffix), Kind::Str),
        "dualStackDnsSuffix" => (quote!(#target.dual_stack_dns_suffix), Kind::Str),
        "implicitGlobalRegion" => (quote!(#target.implicit_global_region), Kind::Str),
        "supportsFIPS" => (quote!(#target.supports_fips), Kind::Bool),
        "supportsDualStack" => (quote!(#target.supports_dual_stack), Kind::Bool),
        other => return Err(format!("unknown partition attribute {other}")),
    })
}

/// A string (template with `{Name}` / `{Name#attr}`, or a reference) as a `String` expression.
fn string_value(value: &Expr, scope: &Scope) -> Result<TokenStream, String> {
    let template = match value {
        Expr::Str(template) => template,
        Expr::Bool(b) => return Err(format!("expected a string, found {b}")),
        Expr::Ref(_) | Expr::Call { .. } => {
            let (e, kind) = expression(value, scope)?;
            return match kind {
                Kind::Str => Ok(quote!(#e.to_owned())),
                other => Err(format!("expected a string, found a {other:?}: {value:?}")),
            };
        }
    };
    let mut format = String::new();
    let mut args = Vec::new();
    let mut rest = template.as_str();
    while let Some(open) = rest.find('{') {
        format.push_str(&rest[..open].replace('}', "}}"));
        let close = rest[open..].find('}').map(|c| open + c).ok_or_else(|| format!("unclosed {{ in {template:?}"))?;
        let inner = &rest[open + 1..close];
        let (name, attr) = inner.split_once('#').map_or((inner, None), |(n, a)| (n, Some(a)));
        let b = scope.get(name).ok_or_else(|| format!("unknown reference {name} in {template:?}"))?;
        let tokens = match (attr, b.kind) {
            (Some(attr), Kind::Partition) => partition_attribute(&b.tokens, attr)?.0,
            (None, Kind::Str) => b.tokens.clone(),
            (attr, kind) => return Err(format!("cannot use a {kind:?} ({attr:?}) in {template:?}")),
        };
        args.push(tokens);
        format.push_str("{}");
        rest = &rest[close + 1..];
    }
    format.push_str(&rest.replace('}', "}}"));
    Ok(match args.as_slice() {
        [] => quote!(#template.to_owned()),
        [only] if format == "{}" => quote!(#only.to_owned()),
        _ => quote!(format!(#format, #(#args),*)),
    })
}

fn endpoint_result(endpoint: &EndpointResult, scope: &Scope) -> Result<TokenStream, String> {
    let url = string_value(&endpoint.url, scope)?;
    let optional = |value: &Option<Expr>| -> Result<TokenStream, String> {
        match value {
            Some(v) => {
                let s = string_value(v, scope)?;
                Ok(quote!(Some(#s)))
            }
            None => Ok(quote!(None)),
        }
    };
    let mut schemes = Vec::new();
    for scheme in &endpoint.auth_schemes {
        let name = &scheme.name;
        let region = optional(&scheme.signing_region)?;
        let signing_name = optional(&scheme.signing_name)?;
        schemes.push(quote! {
            ::cloudfront_runtime::AuthScheme::new(#name, #region, #signing_name)
        });
    }
    let mut headers = Vec::new();
    for (name, values) in &endpoint.headers {
        let values = values.iter().map(|v| string_value(v, scope)).collect::<Result<Vec<_>, _>>()?;
        headers.push(quote!((#name.to_owned(), Vec::from([#(#values),*]))));
    }
    Ok(quote! {
        Ok(::cloudfront_runtime::Endpoint::new(#url, Vec::from([#(#schemes),*]), Vec::from([#(#headers),*])))
    })
}

/// One `#[test]` per `endpointTests` case.
fn endpoint_test(index: usize, case: &EndpointTest, params: &[Param]) -> Result<TokenStream, String> {
    let name = format_ident!("endpoint_case_{}", index + 1);
    let mut values = Vec::new();
    for (key, value) in &case.params {
        let p = params
            .iter()
            .find(|p| &p.name == key)
            .ok_or_else(|| format!("endpoint test uses unknown parameter {key}"))?;
        let field = &p.field;
        let v = match (p.kind, value) {
            (Kind::Bool, Literal::Bool(b)) => quote!(#b),
            (Kind::OptBool, Literal::Bool(b)) => quote!(Some(#b)),
            (Kind::Str, Literal::Str(s)) => quote!(#s.to_owned()),
            (Kind::OptStr, Literal::Str(s)) => quote!(Some(#s.to_owned())),
            (kind, v) => return Err(format!("endpoint test value {v:?} does not fit a {kind:?} parameter")),
        };
        values.push(quote!(#field: #v,));
    }
    let check = match &case.expect {
        EndpointExpectation::Error(error) => quote! {
            let error = resolve_endpoint(&params).expect_err("the rules must refuse these parameters");
            assert_eq!(error.0, #error);
        },
        EndpointExpectation::Endpoint { url, signing_regions } => {
            let checks = signing_regions.iter().map(|region| {
                let region = match region {
                    Some(r) => quote!(Some(#r)),
                    None => quote!(None),
                };
                quote!(assert_eq!(endpoint.signing_region(), #region);)
            });
            quote! {
                let endpoint = resolve_endpoint(&params).expect("the rules must resolve these parameters");
                assert_eq!(endpoint.url, #url);
                #(#checks)*
            }
        }
    };
    let doc = format!(" {}", case.doc);
    Ok(quote! {
        #[doc = #doc]
        #[test]
        fn #name() {
            let params = EndpointParams { #(#values)* ..EndpointParams::default() };
            #check
        }
    })
}
