//! The operation input as the JSON the AWS CLI reads: from `--cli-input-json`, then each
//! member flag (JSON, shorthand or `file://`), then the CLI's own conveniences, checked
//! against the schema so a mistake names the member and the rule.

use cloudfront_primitives::schema::{Field, Kind};
use serde_json::{Map, Value};

use crate::Failure;
use crate::binary::BinaryFormat;
use crate::call::{Call, kebab};

/// Reads `file://PATH` (text) or `fileb://PATH` (bytes: base64 for a `blob` member, else
/// text), or returns the value as given.
pub fn resolve_file(flag: &str, value: &str, blob: bool) -> Result<String, Failure> {
    let unreadable = |path: &str, e: std::io::Error| {
        Failure::Usage(format!(
            "Error parsing parameter '--{flag}': Unable to load paramfile {value}: {}",
            python_os_error(&e, path)
        ))
    };
    if let Some(path) = value.strip_prefix("file://") {
        return std::fs::read_to_string(path).map_err(|e| unreadable(path, e));
    }
    if let Some(path) = value.strip_prefix("fileb://") {
        let bytes = std::fs::read(path).map_err(|e| unreadable(path, e))?;
        if blob {
            return Ok(cloudfront_primitives::Blob::new(bytes).to_base64());
        }
        return String::from_utf8(bytes)
            .map_err(|_| Failure::Usage(format!("Error parsing parameter '--{flag}': {value} is not UTF-8 text")));
    }
    Ok(value.to_owned())
}

/// An operating-system error as Python words it (`[Errno 2] No such file or directory:
/// 'x'`), which is what the AWS CLI prints.
fn python_os_error(error: &std::io::Error, path: &str) -> String {
    match error.raw_os_error() {
        Some(code) => {
            let text = error.to_string();
            let text = text.split(" (os error").next().unwrap_or_default();
            format!("[Errno {code}] {text}: '{path}'")
        }
        None => format!("{error}: '{path}'"),
    }
}

/// The value of one member flag.
fn member_value(field: &'static Field, raw: &str, format: BinaryFormat) -> Result<Value, Failure> {
    let flag = kebab(field.name);
    if matches!(field.kind, Kind::Blob) {
        // `fileb://` is the file's bytes whatever the format; other text is read in it.
        return if raw.starts_with("fileb://") {
            resolve_file(&flag, raw, true).map(Value::String)
        } else {
            format.read(&resolve_file(&flag, raw, false)?, &format!("--{flag}")).map(Value::String)
        };
    }
    let text = resolve_file(&flag, raw, false)?;
    let bad = |why: String| Failure::Usage(format!("Error parsing parameter '--{flag}': {why}"));
    match field.kind {
        Kind::Structure(_) | Kind::Union(_) | Kind::List(_) | Kind::Map(_) => {
            let trimmed = text.trim_start();
            let mut value =
                if trimmed.starts_with('{') || (trimmed.starts_with('[') && matches!(field.kind, Kind::List(_))) {
                    serde_json::from_str(&text).map_err(|e| bad(format!("Invalid JSON: {e}\nJSON received: {text}")))?
                } else {
                    crate::shorthand::parse(&text, field.kind).map_err(bad)?
                };
            format.read_nested(&mut value, field.kind, field.name)?;
            Ok(value)
        }
        scalar => crate::shorthand::typed(&text, scalar).map_err(bad),
    }
}

/// The whole input of a call, checked against the schema.
pub fn assemble(call: &Call, format: BinaryFormat) -> Result<Value, Failure> {
    let op = call.operation;
    if call.cli_input_json.is_some() && call.cli_input_yaml.is_some() {
        return Err(Failure::Usage("\nOnly one --cli-input- parameter may be specified.".into()));
    }
    let yaml = match &call.cli_input_yaml {
        Some(raw) => Some(
            crate::yaml::from_yaml(&resolve_file("cli-input-yaml", raw, false)?).map_err(|e| {
                // Where it went wrong, then the AWS CLI's line.
                Failure::Usage(format!(
                    "Error parsing parameter 'cli-input-yaml': {e}\nError parsing parameter 'cli-input-yaml': Invalid YAML received."
                ))
            })?,
        ),
        None => None,
    };
    let input = match &call.cli_input_json {
        _ if yaml.is_some() => match yaml {
            Some(Value::Object(map)) => map,
            _ => return Err(Failure::Usage("Error parsing parameter '--cli-input-yaml': expected a mapping".into())),
        },
        Some(raw) => {
            let text = resolve_file("cli-input-json", raw, false)?;
            match serde_json::from_str::<Value>(&text) {
                Ok(Value::Object(map)) => map,
                Ok(_) => {
                    return Err(Failure::Usage(
                        "Error parsing parameter '--cli-input-json': expected a JSON object".into(),
                    ));
                }
                Err(e) => {
                    return Err(Failure::Usage(format!(
                        "Error parsing parameter 'cli-input-json': Invalid JSON: {e}\nError parsing parameter 'cli-input-json': Invalid JSON received."
                    )));
                }
            }
        }
        None => Map::new(),
    };
    // Blobs in the input document are read in the binary format too.
    let mut document = Value::Object(input);
    format.read_nested(&mut document, op.input, "")?;
    let Value::Object(mut input) = document else { unreachable!("an object stays an object") };
    for (field, raw) in &call.members {
        input.insert(field.name.to_owned(), member_value(field, raw, format)?);
    }
    if let Some(paths) = &call.paths {
        // `--paths` is the AWS CLI's shortcut for the batch.
        input.insert("InvalidationBatch".into(), crate::customizations::invalidation_batch(paths));
    }
    let size_member = op.pagination.as_ref().and_then(|p| p.page_size);
    if let (Some(size), Some(member)) = (&call.paging.page_size, size_member) {
        let kind = op.input.fields().iter().find(|f| f.name == member).map_or(&Kind::String, |f| f.kind);
        let value = crate::shorthand::typed(size, kind)
            .map_err(|why| Failure::Usage(format!("Error parsing parameter '--page-size': {why}")))?;
        input.insert(member.to_owned(), value);
    }
    ids(&input)?;
    let mut input = Value::Object(input);
    paths(&mut input, call)?;
    fill_counts(&mut input, op.input);
    validate(&input, call)?;
    Ok(input)
}

/// CloudFront ids (`Id`, `DistributionId`, `DistributionTenantId`) go into the URL path:
/// one with `/` or a control character would silently address something else, so refuse it.
fn ids(input: &Map<String, Value>) -> Result<(), Failure> {
    for (name, value) in input {
        let Value::String(id) = value else { continue };
        if name.ends_with("Id") && id.chars().any(|c| c == '/' || c.is_control()) {
            return Err(Failure::Usage(format!(
                "Error parsing parameter '--{}': {id:?} is not an id: ids never contain '/' or control characters",
                kebab(name)
            )));
        }
    }
    Ok(())
}

/// Encodes (with `--encode-paths`) and checks the paths of an invalidation batch, so a bad
/// path is refused here with the flag that carried it rather than by CloudFront.
fn paths(input: &mut Value, call: &Call) -> Result<(), Failure> {
    let Some(Value::Array(items)) = input.pointer_mut("/InvalidationBatch/Paths/Items") else { return Ok(()) };
    let flag = if call.paths.is_some() { crate::customizations::PATHS.flag } else { "--invalidation-batch" };
    let mut given = Vec::with_capacity(items.len());
    for item in items.iter_mut() {
        let Value::String(path) = item else { return Ok(()) }; // the schema check names the type error
        if call.encode_paths {
            *path = cloudfront_invalidate::paths::encode(path);
        }
        given.push(path.clone());
    }
    // Sent as given, as the AWS CLI does: unencoded characters are the user's choice here.
    cloudfront_invalidate::paths::check_request(&given, &[cloudfront_invalidate::paths::Rule::NeedsEncoding])
        .map_err(|why| Failure::Usage(format!("Error parsing parameter '{flag}': {why}")))
}

/// A count the schema says is derived from a list (CloudFront's `Quantity` of `Items`) is
/// filled in when left out (the AWS CLI would refuse it missing).
fn fill_counts(value: &mut Value, kind: &'static Kind) {
    match (value, kind) {
        (Value::Object(map), Kind::Structure(fields)) => {
            for field in fields.iter() {
                if let Some(list) = field.counts.filter(|_| !map.contains_key(field.name)) {
                    let count = map.get(list).and_then(Value::as_array).map_or(0, Vec::len);
                    map.insert(field.name.into(), Value::from(count));
                }
            }
            for field in fields.iter() {
                if let Some(inner) = map.get_mut(field.name) {
                    fill_counts(inner, field.kind);
                }
            }
        }
        (Value::Array(items), Kind::List(member)) => items.iter_mut().for_each(|i| fill_counts(i, member)),
        _ => {}
    }
}

/// The AWS CLI's two kinds of complaint: a required flag missing from the command line (when
/// the input did not come from `--cli-input-*`), else every schema problem, one per line.
fn validate(input: &Value, call: &Call) -> Result<(), Failure> {
    let from_file = call.cli_input_json.is_some() || call.cli_input_yaml.is_some();
    if !from_file {
        // All missing flags, as the AWS CLI's argument parser lists them; a member an extra
        // flag stands for (the batch, for `--paths`) is not among them.
        let unset: Vec<&Field> =
            call.operation.input.fields().iter().filter(|f| f.required && input.get(f.name).is_none()).collect();
        let alternative = |f: &Field| crate::customizations::standing_for(call.operation.name, f.name).is_some();
        let mut missing: Vec<String> =
            unset.iter().filter(|f| !alternative(f)).map(|f| format!("--{}", kebab(f.name))).collect();
        if missing.is_empty() {
            // Neither `--invalidation-batch` nor `--paths` (the AWS CLI v2 fails with a Python
            // error here; naming the flag is more use).
            missing = unset.iter().map(|f| format!("--{}", kebab(f.name))).collect();
        }
        if !missing.is_empty() {
            return Err(Failure::Usage(format!(
                "cloudfront: error: the following arguments are required: {}",
                missing.join(", ")
            )));
        }
    }
    let problems = crate::validate::problems(input, call.operation.input);
    if problems.is_empty() {
        return Ok(());
    }
    Err(Failure::Usage(format!("\nParameter validation failed:\n{}", problems.join("\n"))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::{Global, Paging};
    use cloudfront_primitives::schema::OperationSchema;
    use serde_json::json;

    // The kitchen-sink model's blobs: a `Photo` inside a structure, and one at the top.
    static BLOB: Kind = Kind::Blob;
    static ID: Kind = Kind::String;
    static DISH: Kind = Kind::Structure(&[
        Field { name: "Id", kind: &ID, required: true, doc: "", counts: None },
        Field { name: "Photo", kind: &BLOB, required: false, doc: "", counts: None },
    ]);
    static INPUT: Kind = Kind::Structure(&[
        Field { name: "Dish", kind: &DISH, required: false, doc: "", counts: None },
        Field { name: "Thumbnail", kind: &BLOB, required: false, doc: "", counts: None },
    ]);
    static OUTPUT: Kind = Kind::Structure(&[]);
    static PUT_DISH: OperationSchema = OperationSchema {
        name: "PutDish",
        summary: "",
        doc: "",
        input: &INPUT,
        output: &OUTPUT,
        pagination: None,
        waiters: &[],
    };

    fn call(members: &[(&'static Field, &str)], cli_input_json: Option<&str>) -> Call {
        Call {
            operation: &PUT_DISH,
            waiter: None,
            members: members.iter().map(|(f, v)| (*f, (*v).to_owned())).collect(),
            paths: None,
            cli_input_json: cli_input_json.map(str::to_owned),
            cli_input_yaml: None,
            skeleton: None,
            paging: Paging::default(),
            wait: false,
            encode_paths: false,
            global: Global::default(),
        }
    }

    #[test]
    fn blob_members_follow_the_binary_format_and_fileb_is_raw_bytes() {
        let (dish, thumbnail) = (&INPUT.fields()[0], &INPUT.fields()[1]);
        let inline = call(&[(thumbnail, "aGk="), (dish, "Id=d1,Photo=aGk=")], None);
        assert_eq!(
            assemble(&inline, BinaryFormat::Base64).unwrap(),
            json!({"Thumbnail": "aGk=", "Dish": {"Id": "d1", "Photo": "aGk="}})
        );
        let raw = call(&[(thumbnail, "hi"), (dish, r#"{"Id": "d1", "Photo": "hi"}"#)], None);
        assert_eq!(
            assemble(&raw, BinaryFormat::RawInBase64Out).unwrap(),
            json!({"Thumbnail": "aGk=", "Dish": {"Id": "d1", "Photo": "aGk="}})
        );
        // Not base64 in the default format: refused, naming the flag.
        let e = assemble(&call(&[(thumbnail, "hi!")], None), BinaryFormat::Base64).unwrap_err();
        assert!(e.message().contains("'--thumbnail': Invalid base64"), "{}", e.message());
        // fileb:// is the file's bytes in either format; file:// is text read in the format.
        let path = std::env::temp_dir().join(format!("cloudfront-blob-{}", std::process::id()));
        std::fs::write(&path, [0xffu8, 0x00, b'h']).unwrap();
        let fileb = format!("fileb://{}", path.display());
        for format in [BinaryFormat::Base64, BinaryFormat::RawInBase64Out] {
            let value = assemble(&call(&[(thumbnail, &fileb)], None), format).unwrap();
            assert_eq!(value["Thumbnail"], "/wBo", "{format:?}");
        }
        std::fs::write(&path, "hi").unwrap();
        let file = format!("file://{}", path.display());
        let value = assemble(&call(&[(thumbnail, &file)], None), BinaryFormat::RawInBase64Out).unwrap();
        assert_eq!(value["Thumbnail"], "aGk=");
        let _ = std::fs::remove_file(&path);
        // Blobs in --cli-input-json are read in the format too.
        let document = call(&[], Some(r#"{"Dish": {"Id": "d1", "Photo": "hi"}}"#));
        assert_eq!(assemble(&document, BinaryFormat::RawInBase64Out).unwrap()["Dish"]["Photo"], "aGk=");
    }
}
