//! Our `--query` engine against Python's jmespath (the AWS CLI's engine): each (expression,
//! document) pair runs through both, and the results must be the same JSON with the same key
//! order, or both must fail. One Python process serves all pairs (JSON lines on stdin).
//! `cargo xtask e2e` sets `JMESPATH_PYTHON` to a Python that can `import jmespath`; with
//! `--record` it also writes jmespath's answers, stamped with its version, to
//! `query_reference.recorded.json`, which plain `cargo test` compares our engine with.

use cloudfront_cli::query::Expression;
use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};

/// A `create-invalidation` / `get-invalidation` response.
const INVALIDATION: &str = r#"{"Location": "https://cloudfront.amazonaws.com/2020-05-31/distribution/E1/invalidation/I2J0",
  "Invalidation": {"Id": "I2J0", "Status": "InProgress", "CreateTime": "2019-12-05T18:40:49.413Z",
    "InvalidationBatch": {"Paths": {"Quantity": 2, "Items": ["/index.html", "/img/*"]}, "CallerReference": "cli-1"}}}"#;

/// A `list-invalidations` response.
const LIST: &str = r#"{"InvalidationList": {"Marker": "", "MaxItems": 100, "IsTruncated": false, "Quantity": 3,
  "Items": [{"Id": "IB", "CreateTime": "2024-01-02T00:00:00Z", "Status": "Completed"},
            {"Id": "IA", "CreateTime": "2024-03-01T00:00:00Z", "Status": "InProgress"},
            {"Id": "XC", "CreateTime": "2023-12-31T00:00:00Z", "Status": "Completed"}]}}"#;

/// Every JSON type, unordered keys, non-ASCII text, nulls in the middle of things.
const MIXED: &str = r#"{"people": [{"name": "b", "age": 30, "tags": ["x", "y"]}, {"name": "a", "age": 25.5},
    {"name": "c", "age": null}, {"name": "d", "age": 41, "tags": []}],
  "z": 0, "f": false, "e": "", "t": true,
  "nested": [[1, 2], [3, [4, 5]], 6, null],
  "map": {"zeta": {"v": 1}, "alpha": {"v": 2}, "mid": {"w": 3}},
  "nums": [3, -1, 2.5, 0, 10],
  "strs": ["pear", "Apple", "apple", "éclair", "😀", "banana"],
  "mixed": [1, "a", null, true, [], {}],
  "num_strs": ["1", "1.5", " 7 ", "x", "1e3", "-0", "1_000", "+4", "0x10", ".5"],
  "with space": 1, "quo\"te": 2}"#;

const EMPTY: &str = "{}";

const CASES: &[(&str, &str)] = &[
    // Identifiers, sub-expressions, indexes, key order.
    ("Invalidation", INVALIDATION),
    ("Invalidation.Id", INVALIDATION),
    ("Invalidation.InvalidationBatch.Paths.Items", INVALIDATION),
    ("Invalidation.InvalidationBatch.Paths.Items[0]", INVALIDATION),
    ("Invalidation.InvalidationBatch.Paths.Items[-1]", INVALIDATION),
    ("Invalidation.InvalidationBatch.Paths.Items[5]", INVALIDATION),
    ("{id: Invalidation.Id, status: Invalidation.Status}", INVALIDATION),
    ("{status: Invalidation.Status, id: Invalidation.Id}", INVALIDATION),
    ("Invalidation.[Id, Status]", INVALIDATION),
    ("Invalidation.{Paths: InvalidationBatch.Paths.Items, When: CreateTime}", INVALIDATION),
    ("\"Location\"", INVALIDATION),
    ("Invalidation.\"InvalidationBatch\".CallerReference", INVALIDATION),
    ("nope", INVALIDATION),
    ("Invalidation.nope.deeper", INVALIDATION),
    ("Invalidation.*", INVALIDATION),
    ("keys(Invalidation)", INVALIDATION),
    ("values(Invalidation.InvalidationBatch)", INVALIDATION),
    ("@", INVALIDATION),
    ("Invalidation | keys(@)", INVALIDATION),
    ("Invalidation.InvalidationBatch.Paths.Items | length(@)", INVALIDATION),
    ("\"with space\"", MIXED),
    ("\"quo\\\"te\"", MIXED),
    // list-invalidations, as people query it.
    ("InvalidationList.Items[*].Id", LIST),
    ("InvalidationList.Items[].{Id: Id, Status: Status}", LIST),
    ("InvalidationList.Items[?Status=='Completed'].Id", LIST),
    ("InvalidationList.Items[?Status==`Completed`].Id", LIST),
    ("InvalidationList.Items[?Status!='Completed'] | length(@)", LIST),
    ("InvalidationList.Items | sort_by(@, &CreateTime)[*].Id", LIST),
    ("InvalidationList.Items | sort_by(@, &CreateTime) | reverse(@) | [0].Id", LIST),
    ("InvalidationList.Items[?Status=='Completed'] | sort_by(@, &CreateTime)[-1].Id", LIST),
    ("max_by(InvalidationList.Items, &CreateTime).Id", LIST),
    ("min_by(InvalidationList.Items, &CreateTime).Id", LIST),
    ("InvalidationList.Items[0]", LIST),
    ("InvalidationList.Items[:2].Id", LIST),
    ("InvalidationList.[Quantity, IsTruncated, Marker]", LIST),
    ("InvalidationList.Items[?starts_with(Id, 'I')].Id", LIST),
    ("InvalidationList.Items[*].[Id, Status]", LIST),
    ("InvalidationList.Items[*].Id | join(', ', @)", LIST),
    ("InvalidationList.Items[?Status=='Completed'] | [0]", LIST),
    ("InvalidationList.Items[*].Status | [0]", LIST),
    ("InvalidationList.Items[*] | [?Status=='InProgress']", LIST),
    ("InvalidationList.MaxItems > InvalidationList.Quantity", LIST),
    ("to_string(InvalidationList.Quantity)", LIST),
    ("InvalidationList.*", LIST),
    // Slices.
    ("nums[1:3]", MIXED),
    ("nums[::2]", MIXED),
    ("nums[::-1]", MIXED),
    ("nums[-2:]", MIXED),
    ("nums[:-2]", MIXED),
    ("nums[4:1:-1]", MIXED),
    ("nums[10:]", MIXED),
    ("nums[::0]", MIXED),
    ("map[::0]", MIXED),
    ("people[::-2].name", MIXED),
    ("nums[-100:100]", MIXED),
    ("nums[1:1]", MIXED),
    ("strs[::3]", MIXED),
    ("nums[99999999999999999999:]", MIXED),
    // Projections and flattening.
    ("people[*].name", MIXED),
    ("people[*].age", MIXED),
    ("people[*].tags", MIXED),
    ("people[*].tags[]", MIXED),
    ("people[].tags[0]", MIXED),
    ("people[*].tags[0]", MIXED),
    ("map.*.v", MIXED),
    ("map.*", MIXED),
    ("*.v", MIXED),
    ("map.*.*", MIXED),
    ("people[*].[name, age]", MIXED),
    ("people[*].{n: name, a: age}", MIXED),
    ("people[0].*", MIXED),
    ("people.*", MIXED),
    ("map[*]", MIXED),
    ("nested[]", MIXED),
    ("nested[][]", MIXED),
    ("nested[*][0]", MIXED),
    ("nested[1][1][0]", MIXED),
    ("nested[1][0:2].foo", MIXED),
    ("nested[1][0:2][0]", MIXED),
    ("people[*].name | [1]", MIXED),
    ("people[*].name[1]", MIXED),
    ("[*]", MIXED),
    ("[]", MIXED),
    ("people[0:2][0:1]", MIXED),
    ("nested[:2][0]", MIXED),
    ("people[*].tags[*]", MIXED),
    // Filters.
    ("people[?age > `30`].name", MIXED),
    ("people[?age >= `30`].name", MIXED),
    ("people[?age < `30`].name", MIXED),
    ("people[?age <= `25.5`].name", MIXED),
    ("people[?age == `30`].name", MIXED),
    ("people[?age != `30`].name", MIXED),
    ("people[?age].name", MIXED),
    ("people[?!age].name", MIXED),
    ("people[?tags].name", MIXED),
    ("people[?age > `26` && tags].name", MIXED),
    ("people[?age < `26` || name == 'c'].name", MIXED),
    ("people[?name > 'b'].name", MIXED),
    ("people[?contains(tags || `[]`, 'y')].name", MIXED),
    ("nums[?@ > `1`]", MIXED),
    ("mixed[?@]", MIXED),
    ("people[?age == `25.5`] | [0].name", MIXED),
    ("people[?name == `\"a\"`].age", MIXED),
    ("people[?age > `26`][].name", MIXED),
    ("people[?age > 'x']", MIXED),
    ("people[?age > `26`].tags[0]", MIXED),
    // Comparisons, truthiness, precedence.
    ("z == f", MIXED),
    ("[z] == [f]", MIXED),
    ("t == `1`", MIXED),
    ("{a: z} == {a: f}", MIXED),
    ("nums[0] == `3.0`", MIXED),
    ("e || 'default'", MIXED),
    ("z || 'default'", MIXED),
    ("f && 'x'", MIXED),
    ("t && 'x'", MIXED),
    ("!z", MIXED),
    ("!e", MIXED),
    ("!nope", MIXED),
    ("!map", MIXED),
    ("strs[0] < strs[1]", MIXED),
    ("t < f", MIXED),
    ("nope < `1`", MIXED),
    ("(t || f) && nums", MIXED),
    ("!t == f", MIXED),
    ("!people.name", MIXED),
    ("t || f && e", MIXED),
    ("map.zeta == map.zeta", MIXED),
    ("map == `{\"mid\": {\"w\": 3}, \"zeta\": {\"v\": 1}, \"alpha\": {\"v\": 2}}`", MIXED),
    ("people[0] | name", MIXED),
    ("people | [0] | tags | [1]", MIXED),
    // Literals and multi-selects.
    ("`{\"b\": 1, \"a\": [1, 2.0, \"x\"]}`", EMPTY),
    ("`\"str\"`", EMPTY),
    ("`running`", EMPTY),
    ("`  spaced out`", EMPTY),
    ("'raw string'", EMPTY),
    ("'it\\'s'", EMPTY),
    ("'back\\\\slash'", EMPTY),
    ("`\"tick\\`here\"`", EMPTY),
    ("`[1, 2]`[1]", EMPTY),
    ("`true`", EMPTY),
    ("`null`", EMPTY),
    ("`-1.5e3`", EMPTY),
    ("{a: 'x', b: `2`, a: `3`}", EMPTY),
    ("nope.[a, b]", MIXED),
    ("nope.{a: a}", MIXED),
    ("[nope, z]", MIXED),
    ("{a: z b: t}", MIXED),
    // Functions.
    ("abs(`-5`)", EMPTY),
    ("abs(nums[1])", MIXED),
    ("abs(`-2.5`)", EMPTY),
    ("avg(nums)", MIXED),
    ("avg(`[]`)", EMPTY),
    ("avg(`[2, 2]`)", EMPTY),
    ("ceil(`2.1`)", EMPTY),
    ("floor(`-2.1`)", EMPTY),
    ("ceil(`3`)", EMPTY),
    ("contains(strs, 'pear')", MIXED),
    ("contains(strs[0], 'ea')", MIXED),
    ("contains(`[1, 2]`, `2.0`)", EMPTY),
    ("contains(`[1]`, `true`)", EMPTY),
    ("contains('abc', `1`)", EMPTY),
    ("ends_with(strs[0], 'ar')", MIXED),
    ("starts_with(strs[3], 'é')", MIXED),
    ("join('-', strs)", MIXED),
    ("join('-' strs)", MIXED),
    ("join('-', nums)", MIXED),
    ("length(strs[3])", MIXED),
    ("length(strs[4])", MIXED),
    ("length(map)", MIXED),
    ("length(`1`)", EMPTY),
    ("map(&v, values(map))", MIXED),
    ("map(&length(@), strs)", MIXED),
    ("max(nums)", MIXED),
    ("min(nums)", MIXED),
    ("max(strs)", MIXED),
    ("min(strs)", MIXED),
    ("max(`[]`)", EMPTY),
    ("max(`[1, 1.0]`)", EMPTY),
    ("max(mixed)", MIXED),
    ("max_by(people, &age)", MIXED),
    ("max_by(people[?age], &age).name", MIXED),
    ("min_by(people, &name).name", MIXED),
    ("min_by(`[]`, &a)", EMPTY),
    ("merge(map, `{\"alpha\": 0, \"new\": 1}`)", MIXED),
    ("merge(`{}`)", EMPTY),
    ("merge()", EMPTY),
    ("not_null(nope, people[2].age, z)", MIXED),
    ("not_null(nope)", MIXED),
    ("reverse(strs)", MIXED),
    ("reverse('abc😀')", EMPTY),
    ("sort(strs)", MIXED),
    ("sort(nums)", MIXED),
    ("sort(mixed)", MIXED),
    ("sort_by(people, &name)[*].name", MIXED),
    ("sort_by(people[?age], &age)[*].name", MIXED),
    ("sort_by(people, &age)", MIXED),
    ("sort_by(`[]`, &a)", EMPTY),
    ("sort_by(`[{\"k\": 1, \"i\": 0}, {\"k\": 0, \"i\": 1}, {\"k\": 1, \"i\": 2}]`, &k)[*].i", EMPTY),
    ("sum(nums)", MIXED),
    ("sum(`[]`)", EMPTY),
    ("sum(`[1, 2]`)", EMPTY),
    ("to_array(z)", MIXED),
    ("to_array(nums)", MIXED),
    ("map(&to_number(@), num_strs)", MIXED),
    ("to_number(t)", MIXED),
    ("to_number(`7.25`)", EMPTY),
    ("to_string(map)", MIXED),
    ("to_string(`1.0`)", EMPTY),
    ("to_string(strs)", MIXED),
    ("to_string(`[1e-7, 1e16, 123.456]`)", EMPTY),
    ("to_string('already')", EMPTY),
    ("type(@)", MIXED),
    ("map(&type(@), mixed)", MIXED),
    ("values(map)", MIXED),
    ("keys(nums)", MIXED),
    ("unknown(@)", MIXED),
    ("length()", MIXED),
    ("length(`1`, `2`)", EMPTY),
    ("nope[*].unknown(@)", MIXED),
    ("people[*].name.length(@)", MIXED),
    ("sort_by(people, name)", MIXED),
    ("length(&name)", MIXED),
    // Syntax errors.
    ("", EMPTY),
    (" ", EMPTY),
    ("a.", EMPTY),
    ("[", EMPTY),
    ("a[b]", EMPTY),
    ("a b", EMPTY),
    ("=", EMPTY),
    ("-", EMPTY),
    ("a.&b", EMPTY),
    ("\"f\"(a)", EMPTY),
    ("foo[1:2:3:4]", EMPTY),
    ("{a}", EMPTY),
    ("'open", EMPTY),
    ("&", EMPTY),
    ("a[?b", EMPTY),
    ("!", EMPTY),
    ("[*]*", EMPTY),
    ("a.[0]", EMPTY),
    ("`\"unterminated`", EMPTY),
    ("a ^ b", EMPTY),
];

/// Reads JSON lines `{"e": expression, "d": document}`, writes `{"ok": result}` or `{"err": why}`
/// (after a first line with jmespath's version).
const PYTHON: &str = r#"
import json, sys
import jmespath
print(json.dumps({"version": jmespath.__version__}))
for line in sys.stdin:
    case = json.loads(line)
    try:
        result = jmespath.search(case["e"], json.loads(case["d"]))
        out = {"ok": json.dumps(result, separators=(",", ":"), ensure_ascii=False, allow_nan=False)}
    except Exception as e:
        out = {"err": "%s: %s" % (type(e).__name__, e)}
    print(json.dumps(out))
"#;

/// Compact JSON, or Err for any error (parse or evaluation).
type Outcome = Result<String, String>;

/// jmespath's version and its outcome for every case.
fn python_outcomes(python: &str) -> (String, Vec<Outcome>) {
    let mut child = Command::new(python)
        .args(["-c", PYTHON])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("JMESPATH_PYTHON={python} does not run: {e}"));
    let mut stdin = child.stdin.take().expect("piped stdin");
    // Written from a thread so a full stdout pipe cannot deadlock us; a write error means Python
    // has exited, which the status check below reports with its stderr.
    let writer = std::thread::spawn(move || {
        for (expression, document) in CASES {
            let line = serde_json::json!({"e": expression, "d": document});
            if writeln!(stdin, "{line}").is_err() {
                return;
            }
        }
    });
    let output = child.wait_with_output().expect("python runs");
    let _ = writer.join();
    assert!(
        output.status.success(),
        "JMESPATH_PYTHON={python} failed (is jmespath installed? `pip install jmespath`):\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).expect("python prints UTF-8");
    let mut lines = text.lines();
    let version: Value = serde_json::from_str(lines.next().expect("the version line")).expect("JSON");
    let outcomes = lines
        .map(|line| {
            let reply: Value = serde_json::from_str(line).expect("python prints JSON lines");
            match (&reply["ok"], &reply["err"]) {
                // Re-serialise through serde_json: float spelling (`1e+16`) is not what is compared.
                (Value::String(ok), _) => {
                    Ok(serde_json::from_str::<Value>(ok).expect("python result is JSON").to_string())
                }
                (_, err) => Err(err.as_str().unwrap_or_default().to_owned()),
            }
        })
        .collect();
    (version["version"].as_str().unwrap_or_default().to_owned(), outcomes)
}

/// Where a live run records jmespath's answers.
fn recording() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/query_reference.recorded.json")
}

/// Our outcome for every case against the outcomes given: the differences, described.
fn differences(theirs: &[Outcome]) -> Vec<String> {
    let mut mismatches = Vec::new();
    for ((expression, document), theirs) in CASES.iter().zip(theirs) {
        let ours = our_outcome(expression, document);
        if ours.is_ok() != theirs.is_ok() || (ours.is_ok() && ours != *theirs) {
            mismatches.push(format!("{expression:?}\n    ours:   {ours:?}\n    python: {theirs:?}"));
        }
    }
    mismatches
}

/// jmespath's recorded answers (by a live `cargo xtask e2e --record`), under plain `cargo test`.
#[test]
fn matches_the_recorded_answers_of_python_jmespath() {
    let text = std::fs::read_to_string(recording()).expect("the recorded answers: run `cargo xtask e2e --record`");
    let recorded: Value = serde_json::from_str(&text).expect("the recording is JSON");
    let cases = recorded["cases"].as_array().expect("recorded cases");
    let expressions: Vec<&str> = cases.iter().map(|c| c["expression"].as_str().unwrap_or_default()).collect();
    let ours: Vec<&str> = CASES.iter().map(|(e, _)| *e).collect();
    assert_eq!(expressions, ours, "the cases changed since the recording: run `cargo xtask e2e --record`");
    let theirs: Vec<Outcome> = cases
        .iter()
        .map(|c| match c["ok"].as_str() {
            Some(ok) => Ok(ok.to_owned()),
            None => Err(c["err"].as_str().unwrap_or_default().to_owned()),
        })
        .collect();
    let mismatches = differences(&theirs);
    println!(
        "{} of {} cases identical to jmespath {}'s recorded answers",
        CASES.len() - mismatches.len(),
        CASES.len(),
        recorded["jmespath"].as_str().unwrap_or("?")
    );
    assert!(mismatches.is_empty(), "{} differences from jmespath.py:\n{}", mismatches.len(), mismatches.join("\n"));
}

fn our_outcome(expression: &str, document: &str) -> Outcome {
    let data: Value = serde_json::from_str(document).expect("case documents are JSON");
    let compiled = Expression::compile(expression).map_err(|e| e.message)?;
    compiled.search(&data).map(|v| v.to_string()).map_err(|e| e.message)
}

#[test]
#[ignore = "needs Python's jmespath: run cargo xtask e2e"]
fn matches_python_jmespath() {
    let python = std::env::var("JMESPATH_PYTHON")
        .expect("JMESPATH_PYTHON must name a Python with jmespath installed (cargo xtask e2e sets it)");
    let (version, theirs) = python_outcomes(&python);
    assert_eq!(theirs.len(), CASES.len(), "python answered {} of {} cases", theirs.len(), CASES.len());
    if std::env::var_os("RECORD_PEER_ANSWERS").is_some() {
        let cases: Vec<Value> = CASES
            .iter()
            .zip(&theirs)
            .map(|((expression, _), outcome)| match outcome {
                Ok(ok) => serde_json::json!({"expression": expression, "ok": ok}),
                Err(err) => serde_json::json!({"expression": expression, "err": err}),
            })
            .collect();
        let recorded = serde_json::json!({"jmespath": version, "cases": cases});
        let text = serde_json::to_string_pretty(&recorded).expect("JSON") + "\n";
        std::fs::write(recording(), text).expect("write the recording");
        println!("recorded jmespath {version}'s answers in {}", recording().display());
    }
    let mismatches = differences(&theirs);
    let errors = theirs.iter().filter(|t| t.is_err()).count();
    println!(
        "{} of {} cases identical to jmespath.py ({errors} of them errors)",
        CASES.len() - mismatches.len(),
        CASES.len()
    );
    assert!(mismatches.is_empty(), "{} differences from jmespath.py:\n{}", mismatches.len(), mismatches.join("\n"));
}
