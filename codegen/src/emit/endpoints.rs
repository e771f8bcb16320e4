//! The endpoint resolver, compiled from the model's `smithy.rules#endpointRuleSet` into
//! plain Rust (`if` chains over typed parameters), with one test per
//! `smithy.rules#endpointTests` case.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::doc_line;
use crate::ir::{
    Condition, EndpointExpectation, EndpointResult, EndpointRuleSet, EndpointTest, ExpectedAuthScheme, Expr, Literal,
    Operation, OperationInput, ParameterType, Rule, RuleOutcome, Service,
};
use crate::names::field_name;

/// A value's type while compiling rules.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Bool,
    OptBool,
    Str,
    OptStr,
    /// A record a function returned and a condition bound to a name.
    Record(Record),
    /// A function's record result, before a condition binds it.
    OptRecord(Record),
}

/// The records the rules library returns, whose fields `getAttr` reads.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Record {
    Partition,
    Url,
    Arn,
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
    let from_settings = params.iter().filter_map(|p| {
        let field = &p.field;
        let value = match (p.built_in.as_deref(), p.kind, &p.default) {
            (Some("AWS::Region"), Kind::OptStr, _) => quote!(settings.region.clone()),
            (Some("AWS::UseFIPS"), Kind::Bool, _) => quote!(settings.use_fips),
            (Some("AWS::UseDualStack"), Kind::Bool, _) => quote!(settings.use_dual_stack),
            (Some("SDK::Endpoint"), Kind::OptStr, _) => quote!(settings.endpoint_url.clone()),
            (Some(other), Kind::Bool, Some(Literal::Bool(default))) => {
                quote!(settings.builtin(#other).unwrap_or(#default))
            }
            (Some(other), Kind::OptBool, _) => quote!(settings.builtin(#other)),
            _ => return None,
        };
        Some(quote!(#field: #value,))
    });
    let from_settings: Vec<_> = from_settings.collect();
    let rest = (from_settings.len() < params.len()).then(|| quote!(..EndpointParams::default()));
    let tests_module = tests_module(service, &params)?;
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
                Ok(EndpointParams::from_settings(&config.endpoint_settings(#sdk_id)?))
            }

            /// The parameters set by built-ins (region, FIPS, dual-stack, endpoint URL and the
            /// service's own), from settings a configuration resolved.
            pub fn from_settings(settings: &::cloudfront_runtime::config::EndpointSettings) -> Self {
                EndpointParams { #(#from_settings)* #rest }
            }
        }

        /// Resolves the endpoint for `params` by the service's rules.
        pub fn resolve_endpoint(params: &EndpointParams) -> Result<::cloudfront_runtime::Endpoint, ::cloudfront_runtime::EndpointError> {
            #body
        }

        #tests_module
    }))
}

/// The `endpointTests` cases as tests (none when the model has none): by parameters, and by
/// operation inputs.
fn tests_module(service: &Service, params: &[Param]) -> Result<Option<TokenStream>, String> {
    let mut tests = Vec::new();
    for (i, case) in service.endpoint_tests.iter().enumerate() {
        tests.push(endpoint_test(i, case, params)?);
        for input in &case.operation_inputs {
            tests.push(operation_input_test(i, input, &case.expect, service)?);
        }
    }
    Ok((!tests.is_empty()).then(|| {
        quote! {
            #[cfg(test)]
            mod tests {
                use super::*;
                #(#tests)*
            }
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
    for (i, condition) in rule.conditions.iter().enumerate() {
        let used_later = |name: &str| mentioned(name, &rule.conditions[i + 1..], &rule.outcome);
        chain.push(condition_tokens(condition, &mut scope, used_later)?);
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
/// A name nothing later reads is not bound (`.is_some()` instead), so no variable goes unused.
fn condition_tokens(
    condition: &Condition,
    scope: &mut Scope,
    used_later: impl Fn(&str) -> bool,
) -> Result<TokenStream, String> {
    let (function, args) = (condition.function.as_str(), &condition.args);
    // isSet(ref) narrows an optional parameter to its value for the rest of the rule.
    if function == "isSet"
        && let Some(Expr::Ref(name)) = args.first()
        && used_later(name)
    {
        let binding = scope.get(name).ok_or_else(|| format!("unknown reference {name}"))?.clone();
        let narrowed = match binding.kind {
            Kind::OptStr => Kind::Str,
            Kind::OptBool => Kind::Bool,
            _ => return Ok(quote!(true)),
        };
        let var = local(name);
        scope.insert(name.to_owned(), Binding { tokens: quote!(#var), kind: narrowed });
        let source = binding.tokens;
        return Ok(quote!(let Some(#var) = #source));
    }
    let call = Expr::Call { function: function.to_owned(), args: args.clone() };
    let (expr, kind) = expression(&call, scope)?;
    if let Some(assign) = condition.assign.as_deref().filter(|name| used_later(name)) {
        let var = local(assign);
        let (bound, source) = match kind {
            Kind::OptRecord(record) => (Binding { tokens: quote!(#var), kind: Kind::Record(record) }, expr),
            Kind::OptStr => (Binding { tokens: quote!(#var), kind: Kind::Str }, expr),
            // A value that is always set (uriEncode's) binds like the others, so it reads alike.
            Kind::Str => (Binding { tokens: quote!(#var.as_str()), kind: Kind::Str }, quote!(Some(#expr.to_owned()))),
            other => return Err(format!("cannot assign a {other:?} result to {assign}")),
        };
        scope.insert(assign.to_owned(), bound);
        return Ok(quote!(let Some(#var) = #source));
    }
    Ok(match kind {
        Kind::Bool => expr,
        Kind::OptStr | Kind::OptBool | Kind::OptRecord(_) => quote!(#expr.is_some()),
        Kind::Str | Kind::Record(_) => quote!(true),
    })
}

/// Whether `name` is read by any of `conditions` or by `outcome` (nested rules included).
fn mentioned(name: &str, conditions: &[Condition], outcome: &RuleOutcome) -> bool {
    let in_expr = |e: &Expr| expr_mentions(name, e);
    conditions.iter().any(|c| c.args.iter().any(in_expr))
        || match outcome {
            RuleOutcome::Error(message) => in_expr(message),
            RuleOutcome::Endpoint(endpoint) => {
                let schemes = endpoint.auth_schemes.iter().flat_map(|s| {
                    s.signing_region.iter().chain(s.signing_name.iter()).chain(s.signing_region_set.iter())
                });
                let headers = endpoint.headers.iter().flat_map(|(_, values)| values.iter());
                let properties = endpoint.properties.iter().map(|(_, value)| value);
                in_expr(&endpoint.url) || schemes.chain(headers).chain(properties).any(in_expr)
            }
            RuleOutcome::Tree(rules) => rules.iter().any(|r| mentioned(name, &r.conditions, &r.outcome)),
        }
}

fn expr_mentions(name: &str, e: &Expr) -> bool {
    match e {
        Expr::Ref(r) => r == name,
        Expr::Str(template) => template.contains(&format!("{{{name}}}")) || template.contains(&format!("{{{name}#")),
        Expr::Call { args, .. } => args.iter().any(|a| expr_mentions(name, a)),
        Expr::Bool(_) | Expr::Int(_) => false,
    }
}

/// The local variable a rule binds `name` to.
fn local(name: &str) -> proc_macro2::Ident {
    format_ident!("{}", field_name(name).trim_start_matches("r#"))
}

/// An expression and its kind.
fn expression(value: &Expr, scope: &Scope) -> Result<(TokenStream, Kind), String> {
    let (function, args) = match value {
        Expr::Ref(name) => {
            let b = scope.get(name).ok_or_else(|| format!("unknown reference {name}"))?;
            return Ok((b.tokens.clone(), b.kind));
        }
        Expr::Bool(b) => return Ok((quote!(#b), Kind::Bool)),
        Expr::Int(n) => return Err(format!("a number ({n}) is only an argument of substring")),
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
                Kind::OptStr | Kind::OptBool | Kind::OptRecord(_) => (quote!((#e).is_some()), Kind::Bool),
                _ => (quote!(true), Kind::Bool),
            }
        }
        // Written the way clippy reads best: `is_none()` for not(isSet), `!=` for not(equals).
        "not" => match args.first() {
            Some(Expr::Call { function: inner, args: inner_args }) if inner == "isSet" => {
                let (e, kind) = expression(&inner_args[0], scope)?;
                match kind {
                    Kind::OptStr | Kind::OptBool | Kind::OptRecord(_) => (quote!((#e).is_none()), Kind::Bool),
                    _ => (quote!(false), Kind::Bool),
                }
            }
            Some(Expr::Call { function: inner, args: inner_args }) if inner == "stringEquals" => {
                string_equals(expression(&inner_args[0], scope)?, expression(&inner_args[1], scope)?, false)
            }
            _ => {
                let (e, _) = arg(0)?;
                (quote!(!(#e)), Kind::Bool)
            }
        },
        "booleanEquals" => boolean_equals(args, arg(0)?, arg(1)?),
        "stringEquals" => string_equals(arg(0)?, arg(1)?, true),
        "getAttr" => {
            let (target, kind) = arg(0)?;
            let Some(Expr::Str(path)) = args.get(1) else { return Err("getAttr needs a path".into()) };
            let Kind::Record(record) = kind else { return Err(format!("getAttr on a {kind:?} is not supported")) };
            attribute(record, &target, path)?
        }
        _ => library_call(function, args, scope)?,
    })
}

/// A call of the rules library's functions (the runtime's `endpoint::library`).
fn library_call(function: &str, args: &[Expr], scope: &Scope) -> Result<(TokenStream, Kind), String> {
    let arg = |i: usize| expression(args.get(i).ok_or_else(|| format!("{function}: missing argument {i}"))?, scope);
    let library = quote!(::cloudfront_runtime::endpoint::library);
    Ok(match function {
        "aws.partition" => {
            let (region, _) = arg(0)?;
            (quote!(::cloudfront_runtime::endpoint::partition(#region)), Kind::OptRecord(Record::Partition))
        }
        "parseURL" => {
            let (text, _) = arg(0)?;
            (quote!(#library::parse_url(#text)), Kind::OptRecord(Record::Url))
        }
        "aws.parseArn" => {
            let (text, _) = arg(0)?;
            (quote!(#library::parse_arn(#text)), Kind::OptRecord(Record::Arn))
        }
        "uriEncode" => {
            let (text, _) = arg(0)?;
            (quote!(#library::uri_encode(#text).as_str()), Kind::Str)
        }
        "substring" => {
            let (text, _) = arg(0)?;
            let number = |i: usize| match args.get(i) {
                Some(Expr::Int(n)) => Ok(*n),
                other => Err(format!("substring: argument {i} must be an integer, found {other:?}")),
            };
            let (start, stop) = (number(1)?, number(2)?);
            let (reverse, _) = arg(3)?;
            (quote!(#library::substring(#text, #start, #stop, #reverse)), Kind::OptStr)
        }
        "isValidHostLabel" | "aws.isVirtualHostableS3Bucket" => {
            let (text, _) = arg(0)?;
            let (subdomains, _) = arg(1)?;
            let check = if function == "isValidHostLabel" {
                quote!(is_valid_host_label)
            } else {
                quote!(is_virtual_hostable_s3_bucket)
            };
            (quote!(#library::#check(#text, #subdomains)), Kind::Bool)
        }
        other => return Err(format!("endpoint rule function {other:?} is not supported by the generator")),
    })
}

/// `a == b` (or `!=`); an optional side compares with `Some`, and the empty string is tested
/// with `str::is_empty`.
fn string_equals(
    (a, a_kind): (TokenStream, Kind),
    (b, b_kind): (TokenStream, Kind),
    equal: bool,
) -> (TokenStream, Kind) {
    let empty = |t: &TokenStream| t.to_string() == "\"\"";
    let not = (!equal).then(|| quote!(!));
    let tokens = match (a_kind, b_kind) {
        (Kind::Str, _) if empty(&b) => quote!(#not str::is_empty(#a)),
        (_, Kind::Str) if empty(&a) => quote!(#not str::is_empty(#b)),
        (Kind::OptStr, Kind::Str) if equal => quote!(#a == Some(#b)),
        (Kind::OptStr, Kind::Str) => quote!(#a != Some(#b)),
        (Kind::Str, Kind::OptStr) if equal => quote!(Some(#a) == #b),
        (Kind::Str, Kind::OptStr) => quote!(Some(#a) != #b),
        _ if equal => quote!(#a == #b),
        _ => quote!(#a != #b),
    };
    (tokens, Kind::Bool)
}

fn boolean_equals(args: &[Expr], (a, _): (TokenStream, Kind), (b, _): (TokenStream, Kind)) -> (TokenStream, Kind) {
    // Comparing with a literal reads better as the value itself (and clippy agrees).
    let tokens = match (&args[0], &args[1]) {
        (_, Expr::Bool(true)) => a,
        (Expr::Bool(true), _) => b,
        (_, Expr::Bool(false)) => quote!(!#a),
        (Expr::Bool(false), _) => quote!(!#b),
        _ => quote!(#a == #b),
    };
    (tokens, Kind::Bool)
}

/// `getAttr(record, path)`: a field of a partition, URL or ARN; `resourceId[N]` may be unset.
fn attribute(record: Record, target: &TokenStream, path: &str) -> Result<(TokenStream, Kind), String> {
    let text = |field: &str| {
        let field = format_ident!("{field}");
        (quote!(#target.#field.as_str()), Kind::Str)
    };
    Ok(match (record, path) {
        (Record::Partition, "name") => (quote!(#target.name), Kind::Str),
        (Record::Partition, "dnsSuffix") => (quote!(#target.dns_suffix), Kind::Str),
        (Record::Partition, "dualStackDnsSuffix") => (quote!(#target.dual_stack_dns_suffix), Kind::Str),
        (Record::Partition, "implicitGlobalRegion") => (quote!(#target.implicit_global_region), Kind::Str),
        (Record::Partition, "supportsFIPS") => (quote!(#target.supports_fips), Kind::Bool),
        (Record::Partition, "supportsDualStack") => (quote!(#target.supports_dual_stack), Kind::Bool),
        (Record::Url, "scheme") => text("scheme"),
        (Record::Url, "authority") => text("authority"),
        (Record::Url, "path") => text("path"),
        (Record::Url, "normalizedPath") => text("normalized_path"),
        (Record::Url, "isIp") => (quote!(#target.is_ip), Kind::Bool),
        (Record::Arn, "partition") => text("partition"),
        (Record::Arn, "service") => text("service"),
        (Record::Arn, "region") => text("region"),
        (Record::Arn, "accountId") => text("account_id"),
        (Record::Arn, indexed) if indexed.starts_with("resourceId[") && indexed.ends_with(']') => {
            let index: usize = indexed["resourceId[".len()..indexed.len() - 1]
                .parse()
                .map_err(|_| format!("getAttr: bad index in {indexed}"))?;
            let element = if index == 0 { quote!(first()) } else { quote!(get(#index)) };
            (quote!(#target.resource_id.#element.map(String::as_str)), Kind::OptStr)
        }
        (record, other) => return Err(format!("unknown {record:?} attribute {other}")),
    })
}

/// A string (template with `{Name}` / `{Name#attr}`, or a reference) as a `String` expression.
fn string_value(value: &Expr, scope: &Scope) -> Result<TokenStream, String> {
    let template = match value {
        Expr::Str(template) => template,
        Expr::Bool(_) | Expr::Int(_) => return Err(format!("expected a string, found {value:?}")),
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
            (Some(attr), Kind::Record(record)) => match attribute(record, &b.tokens, attr)? {
                (tokens, Kind::Str) => tokens,
                (_, kind) => return Err(format!("cannot use a {kind:?} ({attr}) in {template:?}")),
            },
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
        let mut tokens = quote!(::cloudfront_runtime::AuthScheme::new(#name, #region, #signing_name));
        if !scheme.signing_region_set.is_empty() {
            let set =
                scheme.signing_region_set.iter().map(|r| string_value(r, scope)).collect::<Result<Vec<_>, _>>()?;
            tokens = quote!(#tokens.with_signing_region_set(Vec::from([#(#set),*])));
        }
        if scheme.disable_double_encoding {
            tokens = quote!(#tokens.with_disable_double_encoding(true));
        }
        schemes.push(tokens);
    }
    let mut headers = Vec::new();
    for (name, values) in &endpoint.headers {
        let values = values.iter().map(|v| string_value(v, scope)).collect::<Result<Vec<_>, _>>()?;
        headers.push(quote!((#name.to_owned(), Vec::from([#(#values),*]))));
    }
    let mut properties = Vec::new();
    for (name, value) in &endpoint.properties {
        let value = string_value(value, scope)?;
        properties.push(quote!(.with_property(#name, #value)));
    }
    Ok(quote! {
        Ok(::cloudfront_runtime::Endpoint::new(#url, Vec::from([#(#schemes),*]), Vec::from([#(#headers),*])) #(#properties)*)
    })
}

/// One `#[test]` per `endpointTests` case: the whole endpoint must equal the expected one.
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
        EndpointExpectation::Endpoint { url, auth_schemes, headers, properties } => {
            let expected = expected_endpoint(url, auth_schemes, headers, properties);
            quote! {
                let endpoint = resolve_endpoint(&params).expect("the rules must resolve these parameters");
                assert_eq!(endpoint, #expected);
            }
        }
    };
    // The model's description of the case, where it gives one.
    let doc = (!case.doc.is_empty()).then(|| {
        let line = format!(" {}", case.doc);
        quote!(#[doc = #line])
    });
    Ok(quote! {
        #doc
        #[test]
        fn #name() {
            let params = EndpointParams { #(#values)* ..EndpointParams::default() };
            #check
        }
    })
}

/// One `#[test]` per `operationInputs` entry: the operation's own parameter function, given
/// the input and built-ins, must lead to the expected endpoint. An operation we do not
/// generate gives an ignored test that says so.
fn operation_input_test(
    index: usize,
    input: &OperationInput,
    expect: &EndpointExpectation,
    service: &Service,
) -> Result<TokenStream, String> {
    let name = format_ident!("endpoint_case_{}_{}", index + 1, crate::names::snake_case(&input.operation));
    let Some(op) = service.operations.iter().find(|o| o.name == input.operation) else {
        let reason = format!("{} is not generated (not in the codegen settings' operations)", input.operation);
        return Ok(quote!(#[test] #[ignore = #reason] fn #name() {}));
    };
    let module = format_ident!("{}", op.snake);
    let input_type = format_ident!("{}", op.input.name);
    let mut setters = Vec::new();
    for (member, value) in &input.params {
        let m = op
            .input
            .members
            .iter()
            .find(|m| &m.name == member)
            .ok_or_else(|| format!("endpoint test case {}: {} has no member {member}", index + 1, op.name))?;
        let setter = super::ident(&m.field);
        setters.push(match value {
            Literal::Bool(b) => quote!(.#setter(#b)),
            Literal::Str(s) => quote!(.#setter(#s)),
        });
    }
    let builtins = input.builtins.iter().map(|(builtin, value)| match (builtin.as_str(), value) {
        ("AWS::Region", Literal::Str(s)) => quote!(settings.region = Some(#s.to_owned());),
        ("SDK::Endpoint", Literal::Str(s)) => quote!(settings.endpoint_url = Some(#s.to_owned());),
        ("AWS::UseFIPS", Literal::Bool(b)) => quote!(settings.use_fips = #b;),
        ("AWS::UseDualStack", Literal::Bool(b)) => quote!(settings.use_dual_stack = #b;),
        (other, Literal::Bool(b)) => quote!(settings = settings.with_builtin(#other, #b);),
        (other, Literal::Str(s)) => quote!(compile_error!(concat!("a string built-in: ", #other, " = ", #s));),
    });
    let params = quote! {
        let mut settings = ::cloudfront_runtime::config::EndpointSettings::default();
        #(#builtins)*
        let input = crate::operation::#module::#input_type::builder() #(#setters)* .build().expect("a complete input");
        let params = crate::operation::#module::endpoint_params(&settings, &input);
    };
    let check = match expect {
        EndpointExpectation::Error(error) => quote! {
            let error = resolve_endpoint(&params).expect_err("the rules must refuse this call");
            assert_eq!(error.0, #error);
        },
        EndpointExpectation::Endpoint { url, auth_schemes, headers, properties } => {
            let expected = expected_endpoint(url, auth_schemes, headers, properties);
            quote! {
                let endpoint = resolve_endpoint(&params).expect("the rules must resolve this call");
                assert_eq!(endpoint, #expected);
            }
        }
    };
    Ok(quote! {
        #[test]
        fn #name() {
            #params
            #check
        }
    })
}

/// An operation's `endpoint_params`: the parameters its configuration's settings imply, with
/// the input members bound to rule-set parameters (`smithy.rules#contextParam`) set from the
/// input.
pub(super) fn operation_params(service: &Service, op: &Operation) -> Result<TokenStream, String> {
    let input_type = format_ident!("{}", op.input.name);
    let params = match &service.endpoint_rules {
        Some(rules) => parameters(rules)?,
        None => Vec::new(),
    };
    let mut assignments = Vec::new();
    for (name, value) in &op.static_context_params {
        let p = params
            .iter()
            .find(|p| &p.name == name)
            .ok_or_else(|| format!("{}: no rule-set parameter {name}", op.name))?;
        let field = &p.field;
        assignments.push(match (p.kind, value) {
            (Kind::Bool, Literal::Bool(b)) => quote!(params.#field = #b;),
            (Kind::OptBool, Literal::Bool(b)) => quote!(params.#field = Some(#b);),
            (Kind::Str, Literal::Str(s)) => quote!(params.#field = #s.to_owned();),
            (Kind::OptStr, Literal::Str(s)) => quote!(params.#field = Some(#s.to_owned());),
            (kind, v) => {
                return Err(format!("{}: static context parameter {name} = {v:?} does not fit a {kind:?}", op.name));
            }
        });
    }
    for m in &op.input.members {
        let Some(p) = m.context_param.as_ref().and_then(|name| params.iter().find(|p| &p.name == name)) else {
            continue;
        };
        let (param, member) = (&p.field, super::ident(&m.field));
        let value = match (p.kind, m.required) {
            (Kind::OptStr, true) => quote!(Some(input.#member.clone())),
            (Kind::OptStr, false) => quote!(input.#member.clone()),
            (Kind::OptBool, true) => quote!(Some(input.#member)),
            (Kind::OptBool, false) => quote!(input.#member),
            (kind, _) => return Err(format!("{}.{}: a {kind:?} context parameter", op.name, m.name)),
        };
        let assign = if m.required {
            quote!(params.#param = #value;)
        } else {
            quote!(if input.#member.is_some() { params.#param = #value; })
        };
        assignments.push(assign);
    }
    let doc = doc_line("The endpoint parameters of one call: the built-ins `settings` hold, and the input's own.");
    let from_settings = quote!(crate::endpoint::EndpointParams::from_settings(settings));
    let (input_name, body) = if assignments.is_empty() {
        (quote!(_input), from_settings)
    } else {
        (quote!(input), quote!(let mut params = #from_settings; #(#assignments)* params))
    };
    Ok(quote! {
        #doc
        pub fn endpoint_params(settings: &::cloudfront_runtime::config::EndpointSettings, #input_name: &#input_type) -> crate::endpoint::EndpointParams {
            #body
        }
    })
}

fn expected_endpoint(
    url: &str,
    auth_schemes: &[ExpectedAuthScheme],
    headers: &[(String, Vec<String>)],
    properties: &[(String, String)],
) -> TokenStream {
    let text = |v: &Option<String>| match v {
        Some(v) => quote!(Some(#v.to_owned())),
        None => quote!(None),
    };
    let schemes = auth_schemes.iter().map(|s| {
        let (name, region, signing_name) = (&s.name, text(&s.signing_region), text(&s.signing_name));
        let set = &s.signing_region_set;
        let disable = s.disable_double_encoding;
        quote! {
            ::cloudfront_runtime::AuthScheme::new(#name, #region, #signing_name)
                .with_signing_region_set(Vec::from([#(#set.to_owned()),*]))
                .with_disable_double_encoding(#disable)
        }
    });
    let headers = headers.iter().map(|(name, values)| quote!((#name.to_owned(), Vec::from([#(#values.to_owned()),*]))));
    let properties = properties.iter().map(|(name, value)| quote!(.with_property(#name, #value)));
    quote! {
        ::cloudfront_runtime::Endpoint::new(#url, Vec::from([#(#schemes),*]), Vec::from([#(#headers),*])) #(#properties)*
    }
}
