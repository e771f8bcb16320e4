//! Turning model names into Rust identifiers.

/// Rust keywords that need `r#` (or, for the few that cannot be raw, a suffix).
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false", "fn", "for", "gen",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static", "struct",
    "trait", "true", "type", "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate"];

/// Type names the generated code uses from the prelude or the runtime; a shape with one of
/// these names gets a suffix so the generated code never shadows them.
const RESERVED_TYPES: &[&str] = &[
    "String",
    "Vec",
    "Option",
    "Result",
    "Box",
    "Some",
    "None",
    "Ok",
    "Err",
    "Default",
    "Debug",
    "Clone",
    "PartialEq",
    "Error",
    "BTreeMap",
    "DateTime",
    "Blob",
    "BuildError",
    "ErrorMetadata",
    "UnknownValue",
    "XmlWriter",
    "XmlElement",
    "HttpRequest",
    "HttpResponse",
    "ParseError",
    "UnhandledError",
    "Self",
];

/// `DistributionId` -> `distribution_id`, `IPv6Enabled` -> `ipv6_enabled`, `HTTPSPort` -> `https_port`.
pub fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == '-' || c == '_' || c == ' ' || c == '.' || c == ':' || c == '/' {
            if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            continue;
        }
        if c.is_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            let boundary = prev.is_lowercase()
                || (prev.is_ascii_digit() && !out.ends_with('_'))
                || (prev.is_uppercase() && next_lower);
            if boundary && !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
        }
        out.extend(c.to_lowercase());
    }
    // Keep `IPv6`-style words together: `i_pv6` reads worse than `ipv6`.
    out.replace("i_pv", "ipv")
}

/// `ALLOW_ALL` -> `AllowAll`, `http1.1` -> `Http11`, `match-viewer` -> `MatchViewer`.
pub fn pascal_case(name: &str) -> String {
    let mut out = String::new();
    for word in snake_case(name).split('_').filter(|w| !w.is_empty()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) || out.is_empty() {
        out.insert(0, 'V');
    }
    out
}

/// A field or function identifier: snake case, keywords made raw.
pub fn field_name(name: &str) -> String {
    let mut snake = snake_case(name);
    if snake.starts_with(|c: char| c.is_ascii_digit()) {
        snake.insert(0, '_');
    }
    escape_keyword(snake)
}

/// Escapes a snake-case identifier that is a keyword.
pub fn escape_keyword(ident: String) -> String {
    if NOT_RAW.contains(&ident.as_str()) {
        format!("{ident}_value")
    } else if KEYWORDS.contains(&ident.as_str()) {
        format!("r#{ident}")
    } else {
        ident
    }
}

/// A type name for a shape: the shape name, suffixed when it would clash with a name the
/// generated code relies on.
pub fn type_name(shape_name: &str) -> String {
    let mut name = shape_name.to_owned();
    if let Some(first) = name.get(..1) {
        name.replace_range(..1, &first.to_uppercase());
    }
    if RESERVED_TYPES.contains(&name.as_str()) {
        name.push_str("Value");
    }
    name
}

/// A module name for a type: snake case, with `r#` replaced by a suffix (file names cannot be raw).
pub fn module_name(type_name: &str) -> String {
    let ident = field_name(type_name);
    match ident.strip_prefix("r#") {
        Some(bare) => format!("{bare}_shape"),
        None => ident,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_model_names() {
        assert_eq!(snake_case("DistributionId"), "distribution_id");
        assert_eq!(snake_case("IPv6Enabled"), "ipv6_enabled");
        assert_eq!(snake_case("HTTPSPort"), "https_port");
        assert_eq!(snake_case("MaxTTL"), "max_ttl");
        assert_eq!(snake_case("S3Origin"), "s3_origin");
        assert_eq!(pascal_case("ALLOW_ALL"), "AllowAll");
        assert_eq!(pascal_case("http1.1"), "Http11");
        assert_eq!(field_name("Type"), "r#type");
        assert_eq!(field_name("Self"), "self_value");
        assert_eq!(type_name("String"), "StringValue");
        assert_eq!(module_name("Type"), "type_shape");
    }
}
