//! `cloudfront help`, `cloudfront COMMAND help` (and `--help`): manual pages laid out as the
//! AWS CLI lays out its own (name, description, synopsis, options with their types, `[REQUIRED]`
//! marks, shorthand and JSON syntax of structures, examples, output), written from the schema's
//! documentation, which is ours.

use std::fmt::Write;

use cloudfront::schema::OPERATIONS;
use cloudfront_primitives::schema::{Field, Kind, OperationSchema};

use crate::call::kebab;

/// Examples of our own for each command: (what it shows, the command line, its output).
fn examples(command: &str) -> &'static [(&'static str, &'static str)] {
    match command {
        "create-invalidation" => &[
            (
                "Invalidate two paths; a unique CallerReference is made for you",
                "cloudfront create-invalidation --distribution-id EDFDVBD6EXAMPLE --paths /index.html '/assets/*'",
            ),
            (
                "The whole batch in shorthand, with your own CallerReference (a retry with the same one is not a second invalidation)",
                "cloudfront create-invalidation --distribution-id EDFDVBD6EXAMPLE --invalidation-batch 'Paths={Quantity=1,Items=[/index.html]},CallerReference=deploy-42'",
            ),
            (
                "The batch from a file, and only the new invalidation's id printed",
                "cloudfront create-invalidation --distribution-id EDFDVBD6EXAMPLE --invalidation-batch file://batch.json --query Invalidation.Id --output text",
            ),
        ],
        "create-invalidation-for-distribution-tenant" => &[(
            "Invalidate a path for one tenant of a multi-tenant distribution",
            "cloudfront create-invalidation-for-distribution-tenant --id dt_2wjDZi3hD1ivOXf6rpZJExample --invalidation-batch 'Paths={Quantity=1,Items=[/home.html]},CallerReference=tenant-deploy-7'",
        )],
        "get-invalidation" => &[(
            "Read an invalidation's status",
            "cloudfront get-invalidation --distribution-id EDFDVBD6EXAMPLE --id I2J0I21PCUYOIK --query Invalidation.Status --output text",
        )],
        "get-invalidation-for-distribution-tenant" => &[(
            "Read the status of a tenant's invalidation",
            "cloudfront get-invalidation-for-distribution-tenant --distribution-tenant-id dt_2wjDZi3hD1ivOXf6rpZJExample --id I2J0I21PCUYOIK",
        )],
        "list-invalidations" => &[
            (
                "Every invalidation of a distribution, as a table",
                "cloudfront list-invalidations --distribution-id EDFDVBD6EXAMPLE --output table",
            ),
            (
                "The ids of those still in progress",
                "cloudfront list-invalidations --distribution-id EDFDVBD6EXAMPLE --query \"InvalidationList.Items[?Status=='InProgress'].Id\"",
            ),
            (
                "Ten at a time: pass the printed NextToken to --starting-token for the next ten",
                "cloudfront list-invalidations --distribution-id EDFDVBD6EXAMPLE --max-items 10",
            ),
        ],
        "list-invalidations-for-distribution-tenant" => &[(
            "The invalidations of one tenant",
            "cloudfront list-invalidations-for-distribution-tenant --id dt_2wjDZi3hD1ivOXf6rpZJExample",
        )],
        "list-distribution-tenants" => &[(
            "The tenants of one distribution, names and ids only",
            "cloudfront list-distribution-tenants --association-filter DistributionId=EDFDVBD6EXAMPLE --query 'DistributionTenantList[].[Name,Id]' --output text",
        )],
        "get-distribution-config" => &[(
            "The origins a distribution serves from, one per line",
            "cloudfront get-distribution-config --id EDFDVBD6EXAMPLE --query 'DistributionConfig.Origins.Items[].[Id,DomainName,OriginPath]' --output text",
        )],
        "invalidation-completed" => &[(
            "Wait until an invalidation has completed (polls every 20 seconds, up to 30 times)",
            "cloudfront wait invalidation-completed --distribution-id EDFDVBD6EXAMPLE --id I2J0I21PCUYOIK",
        )],
        "invalidation-for-distribution-tenant-completed" => &[(
            "Wait until a tenant's invalidation has completed",
            "cloudfront wait invalidation-for-distribution-tenant-completed --distribution-tenant-id dt_2wjDZi3hD1ivOXf6rpZJExample --id I2J0I21PCUYOIK",
        )],
        _ => &[],
    }
}

/// The page for `words` (what came before `help`): none, a command, `wait`, or a waiter.
pub fn page(words: &[String]) -> Option<String> {
    match words {
        [] => Some(overview()),
        [wait] if wait == "wait" => Some(waiters()),
        [wait, waiter] if wait == "wait" => OPERATIONS
            .iter()
            .find_map(|op| op.waiters.iter().find(|w| kebab(w) == *waiter).map(|w| command_page(op, Some(w)))),
        [command] => OPERATIONS.iter().find(|op| kebab(op.name) == *command).map(|op| command_page(op, None)),
        _ => None,
    }
}

fn overview() -> String {
    let mut out = String::from("NAME\n       cloudfront -\n\nDESCRIPTION\n");
    out.push_str(
        "       Amazon CloudFront invalidations from the command line: the AWS CLI's\n       `aws cloudfront` invalidation commands, with the same flags, output and exit\n       codes, plus `invalidate` for whole deploys and `deploy` to upload a site\n       to S3 and invalidate exactly what changed.\n\n",
    );
    out.push_str("AVAILABLE COMMANDS\n");
    for op in OPERATIONS {
        let _ = writeln!(out, "       o {}\n", kebab(op.name));
    }
    out.push_str("       o invalidate\n\n       o deploy\n\n       o wait\n\n       o completion (bash, zsh, fish or powershell)\n\n");
    out.push_str("       Run `cloudfront COMMAND help` for a command's options and examples.\n");
    out
}

fn waiters() -> String {
    let mut out = String::from(
        "NAME\n       wait -\n\nDESCRIPTION\n       Wait until a condition is met, polling the service.\n\nAVAILABLE WAITERS\n",
    );
    for op in OPERATIONS {
        for waiter in op.waiters {
            let _ = writeln!(out, "       o {}\n", kebab(waiter));
        }
    }
    out
}

fn command_page(op: &'static OperationSchema, waiter: Option<&str>) -> String {
    let name = waiter.map_or_else(|| kebab(op.name), kebab);
    let paginated = op.pagination.as_ref();
    let hidden: Vec<&str> = paginated.iter().flat_map(|p| [Some(p.input_token), p.page_size]).flatten().collect();
    let members: Vec<&Field> = op.input.fields().iter().filter(|f| !hidden.contains(&f.name)).collect();
    let mut out = format!("NAME\n       {name} -\n\nDESCRIPTION\n");
    let description = match waiter {
        Some(w) => format!(
            "Wait until {} reports the state {w} names, polling every 20 seconds; exits 255 after 30 \
             failed checks. It prints nothing on success.",
            op.name
        ),
        None => op.doc.to_owned(),
    };
    paragraphs(&description, 7, &mut out);
    if paginated.is_some() && waiter.is_none() {
        paragraphs(
            "This command pages through every result by itself; --max-items, --page-size and \
             --starting-token control that, and --no-paginate asks for one page.",
            7,
            &mut out,
        );
    }
    out.push_str("SYNOPSIS\n");
    let _ = writeln!(out, "            {name}");
    for field in &members {
        let flag = format!("--{} <value>", kebab(field.name));
        let _ = writeln!(out, "          {}", if field.required { flag } else { format!("[{flag}]") });
    }
    for (flag, value, _) in extras(op, waiter) {
        let _ = writeln!(out, "          [{flag}{}{value}]", if value.is_empty() { "" } else { " " });
    }
    out.push_str(
        "          [--cli-input-json | --cli-input-yaml]\n          [--generate-cli-skeleton <value>]\n\nOPTIONS\n",
    );
    for field in &members {
        option(field, &mut out);
    }
    for (flag, value, what) in extras(op, waiter) {
        let _ = writeln!(out, "       {flag} ({})", if value.is_empty() { "boolean" } else { "string" });
        paragraphs(what, 10, &mut out);
    }
    out.push_str("       --cli-input-json | --cli-input-yaml (string)\n");
    paragraphs(
        "Read the whole input from JSON or YAML text (or file://PATH), as --generate-cli-skeleton \
         prints it; flags given as well override its members.",
        10,
        &mut out,
    );
    out.push_str("       --generate-cli-skeleton (string)\n");
    paragraphs(
        "Print a skeleton instead of calling: `input` (the default) as JSON, `yaml-input` as YAML \
         with each member's documentation, `output` a sample of what the command prints.",
        10,
        &mut out,
    );
    out.push_str("GLOBAL OPTIONS\n");
    for option in crate::global_options::GLOBAL_OPTIONS {
        let value = option.value();
        let _ = writeln!(out, "       {}{}{value}", option.flag, if value.is_empty() { "" } else { " " });
        paragraphs(option.doc, 10, &mut out);
    }
    let examples = examples(&name);
    if !examples.is_empty() {
        out.push_str("EXAMPLES\n");
        for (what, line) in examples {
            paragraphs(&format!("{what}:"), 7, &mut out);
            let _ = writeln!(out, "          {line}\n");
        }
    }
    if waiter.is_none() {
        out.push_str("OUTPUT\n");
        for field in op.output.fields() {
            member(field, 7, &mut out, 0);
        }
    }
    out
}

/// The flags a command has beyond its members: pagination, and our own conveniences.
fn extras(op: &OperationSchema, waiter: Option<&str>) -> Vec<(&'static str, &'static str, &'static str)> {
    let mut extras = Vec::new();
    if waiter.is_none() && op.pagination.is_some() {
        extras.push(("--starting-token", "<value>", "Continue from the NextToken an earlier call printed."));
        extras.push(("--page-size", "<value>", "How many items each request asks for (not how many are printed)."));
        extras.push((
            "--max-items",
            "<value>",
            "The most items to print; a NextToken to continue from is printed with them.",
        ));
    }
    for extra in crate::customizations::for_operation(op.name).filter(|_| waiter.is_none()) {
        extras.push((extra.flag, if extra.takes_values { "<value>" } else { "" }, extra.doc));
    }
    extras
}

fn option(field: &Field, out: &mut String) {
    let required = if field.required { " [REQUIRED]" } else { "" };
    let _ = writeln!(out, "       --{} ({}){required}", kebab(field.name), type_name(field.kind));
    paragraphs(field.doc, 10, out);
    if let Kind::Enum(values) = field.kind {
        out.push_str("          Possible values:\n\n");
        for value in values.iter() {
            let _ = writeln!(out, "          o {value}\n");
        }
    }
    if matches!(field.kind, Kind::Structure(_) | Kind::Union(_) | Kind::List(_) | Kind::Map(_)) {
        for inner in field.kind.fields() {
            member(inner, 10, out, 0);
        }
        if let Kind::List(item) = field.kind {
            member_type(item, 10, out, 0);
        }
        let _ = write!(out, "       Shorthand Syntax:\n\n          {}\n\n", shorthand(field.kind, true));
        out.push_str("       JSON Syntax:\n\n");
        let mut json = String::new();
        json_syntax(field.kind, 10, &mut json, 0);
        let _ = write!(out, "{}{json}\n\n", " ".repeat(10));
    }
}

/// A nested member: `Name -> (type) [REQUIRED]`, its documentation, then its own members.
fn member(field: &Field, indent: usize, out: &mut String, depth: usize) {
    let required = if field.required { " [REQUIRED]" } else { "" };
    let _ = writeln!(out, "{}{} -> ({}){required}\n", " ".repeat(indent), field.name, type_name(field.kind));
    paragraphs(field.doc, indent + 3, out);
    if depth >= 6 {
        return;
    }
    for inner in field.kind.fields() {
        member(inner, indent + 3, out, depth + 1);
    }
    if let Kind::List(item) | Kind::Map(item) = field.kind {
        member_type(item, indent + 3, out, depth + 1);
    }
}

fn member_type(kind: &Kind, indent: usize, out: &mut String, depth: usize) {
    let _ = writeln!(out, "{}({})\n", " ".repeat(indent), type_name(kind));
    if depth < 6 {
        for inner in kind.fields() {
            member(inner, indent + 3, out, depth + 1);
        }
    }
}

fn type_name(kind: &Kind) -> &'static str {
    match kind {
        Kind::String | Kind::Enum(_) => "string",
        Kind::Boolean => "boolean",
        Kind::Integer => "integer",
        Kind::Long => "long",
        Kind::Float => "float",
        Kind::Double => "double",
        Kind::Timestamp => "timestamp",
        Kind::Blob => "blob",
        Kind::List(_) => "list",
        Kind::Map(_) => "map",
        Kind::Structure(_) => "structure",
        Kind::Union(_) => "tagged union structure",
    }
}

/// The shorthand form of a value: `Paths={Quantity=integer,Items=[string,string]},...`.
fn shorthand(kind: &Kind, top: bool) -> String {
    shorthand_at(kind, top, 0)
}

/// One level of [`shorthand`]; a recursive shape stops after a few levels.
fn shorthand_at(kind: &Kind, top: bool, depth: usize) -> String {
    let inner = |kind: &Kind| if depth < 6 { shorthand_at(kind, false, depth + 1) } else { "...".to_owned() };
    match kind {
        Kind::Structure(fields) | Kind::Union(fields) => {
            let members: Vec<String> = fields.iter().map(|f| format!("{}={}", f.name, inner(f.kind))).collect();
            if top { members.join(",") } else { format!("{{{}}}", members.join(",")) }
        }
        Kind::List(item) => {
            let one = inner(item);
            if top { format!("{one} {one}") } else { format!("[{one},{one}]") }
        }
        Kind::Map(value) => format!("KeyName1={0},KeyName2={0}", inner(value)),
        Kind::Enum(values) => values.join("|"),
        other => type_name(other).to_owned(),
    }
}

/// The JSON form of a value, with types where values go.
fn json_syntax(kind: &Kind, indent: usize, out: &mut String, depth: usize) {
    let pad = " ".repeat(indent + 2);
    match kind {
        Kind::Structure(fields) | Kind::Union(fields) if depth < 6 => {
            out.push_str("{\n");
            for (i, f) in fields.iter().enumerate() {
                let _ = write!(out, "{pad}\"{}\": ", f.name);
                json_syntax(f.kind, indent + 2, out, depth + 1);
                out.push_str(if i + 1 < fields.len() { ",\n" } else { "\n" });
            }
            let _ = write!(out, "{}}}", " ".repeat(indent));
        }
        Kind::List(item) => {
            out.push('[');
            json_syntax(item, indent, out, depth + 1);
            out.push_str(", ...]");
        }
        Kind::Map(value) => {
            out.push_str("{\"string\": ");
            json_syntax(value, indent, out, depth + 1);
            out.push_str(", ...}");
        }
        Kind::String | Kind::Timestamp | Kind::Blob => out.push_str("\"string\""),
        Kind::Enum(values) => {
            let _ = write!(out, "\"{}\"", values.join("\"|\""));
        }
        other => out.push_str(type_name(other)),
    }
}

/// Text wrapped at 79 columns, indented, paragraph by paragraph, each followed by a blank line.
fn paragraphs(text: &str, indent: usize, out: &mut String) {
    for paragraph in text.split("\n\n").filter(|p| !p.trim().is_empty()) {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            if !line.is_empty() && indent + line.len() + 1 + word.len() > 79 {
                let _ = writeln!(out, "{}{line}", " ".repeat(indent));
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        if !line.is_empty() {
            let _ = writeln!(out, "{}{line}", " ".repeat(indent));
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_page_documents_every_member_with_its_syntax() {
        let text = page(&["create-invalidation".to_owned()]).unwrap();
        assert!(text.contains("--distribution-id (string) [REQUIRED]"), "{text}");
        assert!(text.contains("--invalidation-batch (structure) [REQUIRED]"), "{text}");
        assert!(text.contains("Quantity -> (integer) [REQUIRED]"), "{text}");
        assert!(text.contains("Paths={Quantity=integer,Items=[string,string]},CallerReference=string"), "{text}");
        assert!(text.contains("\"Items\": [\"string\", ...]"), "{text}");
        assert!(text.contains("EXAMPLES") && text.contains("--paths /index.html"), "{text}");
        assert!(!text.contains("a value"), "no placeholder documentation: {text}");
        // Every member's documentation from the schema is on the page.
        for field in cloudfront::schema::CREATE_INVALIDATION_INPUT.fields() {
            let first = field.doc.split_whitespace().take(4).collect::<Vec<_>>().join(" ");
            assert!(text.contains(&first), "{} undocumented: {text}", field.name);
        }
    }

    #[test]
    fn every_command_and_waiter_has_a_page_with_examples() {
        assert!(page(&[]).unwrap().contains("o create-invalidation"));
        for op in OPERATIONS {
            let text = page(&[kebab(op.name)]).unwrap();
            assert!(text.contains("EXAMPLES"), "{}", op.name);
            for waiter in op.waiters {
                let text = page(&["wait".to_owned(), kebab(waiter)]).unwrap();
                assert!(text.contains("EXAMPLES"), "{waiter}");
            }
        }
        assert!(page(&["nope".to_owned()]).is_none());
    }
}
