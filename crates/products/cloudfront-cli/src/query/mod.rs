//! JMESPath for `--query`, over `serde_json::Value`, behaving like jmespath.py (the AWS CLI's engine).
//!
//! Why our own: the `jmespath` crate stores objects in a `BTreeMap` and so sorts keys, while the
//! AWS CLI keeps insertion order everywhere: multi-select hashes (`{id: Id, status: Status}`),
//! `keys()`, `values()`, `merge()`, `*`. With serde_json's `preserve_order`, `Map` keeps order too.
//!
//! Where jmespath.py and the specification differ, jmespath.py wins: strings compare with `<`,
//! `!0` is false, `[0] == [false]` is true (Python equality inside containers), `ceil()` returns
//! an int, unknown functions and wrong argument counts are errors only when evaluated, a backtick
//! literal that is not JSON is a string.
//!
//! Limits jmespath.py does not have: nesting deeper than `MAX_DEPTH` (256) is a parse error (it
//! would hit Python's recursion limit a little deeper), and a search that copies far more data
//! than its input holds (`@ | [@, @] | [@, @] ...`) stops with an error instead of exhausting
//! memory. Known differences, all outside what JSON can carry or on nonsense input: an `&expr`
//! anywhere but a function argument is an error (jmespath.py passes an opaque object along);
//! `to_number()` gives null where Python makes `inf`/`nan` or accepts non-ASCII digits; ints
//! beyond u64 become floats, and serde_json reads a JSON `-0` as the float -0.0 (Python: int 0);
//! `merge()` refuses non-objects after the first argument (Python's `dict.update` takes lists of
//! pairs).
//!
//! `lexer` splits text into tokens, `parser` builds the tree (a Pratt parser), `eval` runs it,
//! `functions` holds the built-ins, `value` is Python's view of JSON (numbers, equality, `repr`).

mod budget;
mod eval;
mod functions;
mod lexer;
mod parser;
mod value;

/// Python's view of JSON text, for the other modules that speak as the AWS CLI (Python) does.
use serde_json::Value;
use std::fmt;

/// Deepest nesting accepted, so a hostile query cannot overflow the stack (jmespath.py itself
/// gives up with a RecursionError somewhat deeper).
pub(crate) const MAX_DEPTH: usize = 256;

/// A compiled JMESPath expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expression {
    root: parser::Node,
}

/// A compile error: `message` is jmespath.py's text for it, the expression and a caret under
/// the place included (three lines, as the AWS CLI prints it).
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub message: String,
    caret: Caret,
}

/// Where the caret goes once the expression is known, in jmespath.py's three layouts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Caret {
    /// Placed already (or no caret at all).
    Done,
    /// The lexer's: the bare expression, caret at the character.
    Lexer(usize),
    /// The parser's: the quoted expression, caret at the token.
    Parser(usize),
    /// At the end of the quoted expression.
    Incomplete,
}

impl ParseError {
    pub(crate) fn new(message: impl Into<String>, caret: Caret) -> ParseError {
        ParseError { message: message.into(), caret }
    }

    /// Adds the expression and its caret line, as jmespath.py does once it knows the text.
    fn for_expression(mut self, text: &str) -> ParseError {
        let (quoted, column) = match self.caret {
            Caret::Done => return self,
            Caret::Lexer(at) => (text.to_owned(), at),
            Caret::Parser(at) => (format!("\"{text}\""), at + 1),
            Caret::Incomplete => (format!("\"{text}\""), text.chars().count() + 1),
        };
        let joint = if matches!(self.caret, Caret::Parser(_)) { ", for expression" } else { "" };
        self.message = format!("{}{joint}:\n{quoted}\n{}^", self.message, " ".repeat(column));
        self.caret = Caret::Done;
        self
    }
}

/// An evaluation error (e.g. a function given the wrong type), a runtime error not a syntax error.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalError {
    pub message: String,
}

impl EvalError {
    fn new(message: impl Into<String>) -> Self {
        EvalError { message: message.into() }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseError {}
impl std::error::Error for EvalError {}

impl Expression {
    /// Parses `text`; errors are syntax errors only (functions are checked when evaluated).
    pub fn compile(text: &str) -> Result<Expression, ParseError> {
        if text.is_empty() {
            return Err(ParseError::new("Invalid JMESPath expression: cannot be empty.", Caret::Done));
        }
        let tokens = lexer::tokenize(text).map_err(|e| e.for_expression(text))?;
        Ok(Expression { root: parser::parse(tokens).map_err(|e| e.for_expression(text))? })
    }

    /// Applies the expression to `data`.
    pub fn search(&self, data: &Value) -> Result<Value, EvalError> {
        eval::eval(&self.root, data, &budget::Budget::for_input(data, eval::eval))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Compact JSON of the result, or `ERR` for an evaluation error.
    fn run(expression: &str, data: &Value) -> String {
        let compiled = Expression::compile(expression).unwrap_or_else(|e| panic!("{expression}: {e}"));
        compiled.search(data).map_or_else(|_| "ERR".into(), |v| v.to_string())
    }

    fn check(data: Value, cases: &[(&str, &str)]) {
        for (expression, want) in cases {
            assert_eq!(run(expression, &data), *want, "{expression}");
        }
    }

    #[test]
    fn identifiers_indexes_and_slices() {
        let data = json!({"a": {"b": [0, 1, 2, 3, 4]}, "with space": 1, "x": null});
        check(
            data,
            &[
                ("a.b", "[0,1,2,3,4]"),
                ("\"with space\"", "1"),
                ("a.\"b\"[1]", "1"),
                ("a.b[-1]", "4"),
                ("a.b[9]", "null"),
                ("a.b[1:3]", "[1,2]"),
                ("a.b[::2]", "[0,2,4]"),
                ("a.b[::-1]", "[4,3,2,1,0]"),
                ("a.b[-2:]", "[3,4]"),
                ("a.b[3:0:-2]", "[3,1]"),
                ("a.b[::0]", "ERR"),
                ("x[::0]", "null"),
                ("a.nope.deeper", "null"),
                ("a.b.c", "null"),
                ("@.a.b[0]", "0"),
            ],
        );
    }

    #[test]
    fn projections() {
        let data = json!({
            "people": [{"name": "a", "age": 30}, {"name": "b"}, {"name": "c", "age": 20}],
            "nested": [[1, 2], [3, [4]], 5],
            "map": {"z": {"v": 1}, "y": {"v": 2}, "x": {}},
        });
        check(
            data,
            &[
                ("people[*].age", "[30,20]"),
                ("people[*].name | [0]", "\"a\""),
                ("people[*].name[0]", "[]"),
                ("map.*.v", "[1,2]"),
                ("*.v", "[]"),
                ("nested[]", "[1,2,3,[4],5]"),
                ("nested[][]", "[1,2,3,4,5]"),
                ("people[?age > `25`].name", "[\"a\"]"),
                ("people[?age].name", "[\"a\",\"c\"]"),
                ("people[?!age].name", "[\"b\"]"),
                ("people[?name == 'b' || age < `25`].name", "[\"b\",\"c\"]"),
                ("people[:2].name", "[\"a\",\"b\"]"),
                ("people[*].[name, age]", "[[\"a\",30],[\"b\",null],[\"c\",20]]"),
                ("people[0:1][0:1]", "[]"),
                ("map.x.*", "[]"),
                ("people.*", "null"),
            ],
        );
    }

    #[test]
    fn multiselect_keeps_written_order() {
        let data = json!({"Id": "I1", "Status": "Done", "Invalidation": {"Status": "s", "Id": "i", "CreateTime": "t"}});
        check(
            data,
            &[
                ("{status: Status, id: Id}", r#"{"status":"Done","id":"I1"}"#),
                ("{id: Id, status: Status}", r#"{"id":"I1","status":"Done"}"#),
                ("Invalidation", r#"{"Status":"s","Id":"i","CreateTime":"t"}"#),
                ("keys(Invalidation)", r#"["Status","Id","CreateTime"]"#),
                ("values(Invalidation)", r#"["s","i","t"]"#),
                ("Invalidation.*", r#"["s","i","t"]"#),
                ("{a: `1`, b: `2`, a: `3`}", r#"{"a":3,"b":2}"#),
                ("merge(Invalidation, `{\"Id\": 0, \"New\": 1}`)", r#"{"Status":"s","Id":0,"CreateTime":"t","New":1}"#),
                ("nothing.{a: a}", "null"),
                ("nothing.[a]", "null"),
            ],
        );
    }

    #[test]
    fn operators_literals_and_truthiness() {
        let data = json!({"t": true, "f": false, "e": "", "z": 0, "l": [], "o": {}, "n": 1.0, "s": "abc"});
        check(
            data,
            &[
                ("f || t", "true"),
                ("e || 'x'", "\"x\""),
                ("l && t", "[]"),
                ("z && 'yes'", "\"yes\""),
                ("!z", "false"),
                ("!o", "true"),
                ("n == `1`", "true"),
                ("z == f", "false"),
                ("[z] == [f]", "true"),
                ("s < 'abd'", "true"),
                ("t < `1`", "null"),
                ("s < `1`", "ERR"),
                ("`[1, {\"a\": null}]`", r#"[1,{"a":null}]"#),
                ("`running`", "\"running\""),
                ("'it\\'s'", "\"it's\""),
                ("(t || f) && s", "\"abc\""),
                ("s | length(@)", "3"),
                ("&s", "ERR"),
            ],
        );
    }

    #[test]
    fn functions() {
        let data = json!({
            "nums": [3, 1.5, -2], "ints": [1, 2], "strs": ["b", "a", "c"], "empty": [], "s": "héllo😀",
            "objs": [{"k": 2, "n": "x"}, {"k": 1, "n": "y"}, {"k": 2, "n": "z"}],
        });
        check(
            data,
            &[
                ("abs(`-3`)", "3"),
                ("abs(`-1.5`)", "1.5"),
                ("avg(ints)", "1.5"),
                ("avg(empty)", "null"),
                ("ceil(`1.2`)", "2"),
                ("floor(`-1.5`)", "-2"),
                ("contains(strs, 'a')", "true"),
                ("contains(s, 'llo')", "true"),
                ("contains(`[1]`, `true`)", "true"),
                ("ends_with(s, '😀')", "true"),
                ("starts_with(s, 'hé')", "true"),
                ("join(', ', strs)", "\"b, a, c\""),
                ("length(s)", "6"),
                ("map(&k, objs)", "[2,1,2]"),
                ("map(&nope, objs)", "[null,null,null]"),
                ("max(nums)", "3"),
                ("min(strs)", "\"a\""),
                ("max_by(objs, &k).n", "\"x\""),
                ("min_by(objs, &n).n", "\"x\""),
                ("not_null(nope, `null`, ints)", "[1,2]"),
                ("reverse(s)", "\"😀olléh\""),
                ("reverse(ints)", "[2,1]"),
                ("sort(strs)", "[\"a\",\"b\",\"c\"]"),
                ("sort(nums)", "[-2,1.5,3]"),
                ("sort_by(objs, &k)[*].n", "[\"y\",\"x\",\"z\"]"),
                ("sum(ints)", "3"),
                ("sum(nums)", "2.5"),
                ("sum(empty)", "0"),
                ("to_array(s)", "[\"héllo😀\"]"),
                ("to_number('12')", "12"),
                ("to_number(' 1_000.5 ')", "1000.5"),
                ("to_number('abc')", "null"),
                ("to_string(objs[0])", r#""{\"k\":2,\"n\":\"x\"}""#),
                ("to_string(`1e16`)", "\"1e+16\""),
                ("type(ints)", "\"array\""),
                ("type(&a)", "null"),
                ("ints[?contains(`[2]`, @)]", "[2]"),
                ("empty[*].nope(@)", "[]"),
            ],
        );
    }

    #[test]
    fn evaluation_errors() {
        let data = json!({"n": null, "mixed": [1, "a"], "objs": [{"k": true}]});
        for (expression, message) in [
            (
                "length(n)",
                "In function length(), invalid type for value: None, expected one of: ['string', 'array', 'object'], received: \"null\"",
            ),
            (
                "sum(mixed)",
                "In function sum(), invalid type for value: a, expected one of: ['array-number'], received: \"str\"",
            ),
            ("length(`1`, `2`)", "Expected 1 argument for function length(), received 2"),
            ("not_null()", "Expected at least 1 argument for function not_null(), received 0"),
            ("nope(@)", "Unknown function: nope()"),
            (
                "sort_by(objs, &k)",
                "In function sort_by(), invalid type for value: {'k': True}, expected one of: ['string', 'number'], received: \"boolean\"",
            ),
            (
                "sort(mixed)",
                "In function sort(), invalid type for value: a, expected one of: ['array-string', 'array-number'], received: \"str\"",
            ),
            (
                "map(n, mixed)",
                "In function map(), invalid type for value: None, expected one of: ['expref'], received: \"null\"",
            ),
        ] {
            let got = Expression::compile(expression).unwrap().search(&data).unwrap_err();
            assert_eq!(got.message, message, "{expression}");
        }
    }

    #[test]
    fn parse_errors() {
        for text in [
            "",
            " ",
            "a.",
            "a[",
            "[1",
            "a[b]",
            "a b",
            "a.[0]",
            "a.&b",
            "{a}",
            "{a: b",
            "foo[1:2:3:4]",
            "=",
            "-",
            "a ? b",
            "'open",
            "`open",
            "\"open",
            "`\"bad`",
            "\"\\q\"",
            "\"f\"(a)",
            "a[?b",
            "!",
            "f(",
            "[*]*",
            "a[0]{a: b}",
        ] {
            let error = Expression::compile(text).unwrap_err();
            // jmespath.py's layout: the message, the expression, a caret line.
            let caret = error.message.lines().last().unwrap_or_default();
            let empty = text.is_empty() && error.message == "Invalid JMESPath expression: cannot be empty.";
            assert!(empty || (error.message.lines().count() == 3 && caret.trim_start() == "^"), "{text:?}: {error}");
        }
        let error = Expression::compile("a.b]").unwrap_err();
        assert!(error.message.contains("column 3"), "{error}");
        // Lenient like jmespath.py: no comma needed between arguments or hash entries.
        assert!(Expression::compile("length(a b)").is_ok() && Expression::compile("{a: a b: b}").is_ok());
    }

    #[test]
    fn jmespath_py_index_chain_quirk() {
        // A slice after an index does not project: `.b` applies to the sliced list itself.
        let data = json!({"a": [[{"b": 1}, {"b": 2}]]});
        check(data, &[("a[0][0:2].b", "null"), ("a[0:1][0].b", "[1]"), ("a[0][0:2][0].b", "1")]);
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let ok = format!("{}a{}", "(".repeat(200), ")".repeat(200));
        assert_eq!(run(&ok, &json!({"a": 1})), "1");
        for hostile in [
            format!("{}a{}", "[".repeat(100_000), "]".repeat(100_000)),
            format!("{}a", "!".repeat(100_000)),
            "a == ".repeat(50_000) + "a",
            format!("a{}", "[]".repeat(50_000)),
            format!("{}a", "& ".repeat(100_000)),
        ] {
            let error = Expression::compile(&hostile).unwrap_err();
            assert!(error.message.contains("nested deeper than 256"), "{error}");
        }
        // The deepest accepted queries evaluate within a test thread's 2 MiB stack.
        let calls = format!("{}@{}", "to_array(".repeat(250), ")".repeat(250));
        assert!(Expression::compile(&calls).unwrap().search(&json!(1)).is_ok());
        let sorts = format!("{}@{}", "sort_by(@, &".repeat(125), ")".repeat(125));
        assert!(Expression::compile(&sorts).unwrap().search(&json!([[1]])).is_err());
        let filters = format!("{}a{}", "[?".repeat(250), "]".repeat(250));
        assert!(Expression::compile(&filters).unwrap().search(&json!([[1]])).is_ok());
        // Data doubling at every step runs out of budget instead of memory.
        let doubling = Expression::compile(&format!("@{}", " | [@, @]".repeat(20))).unwrap();
        let error = eval::eval(&doubling.root, &json!("text"), &budget::Budget::new(100_000, eval::eval)).unwrap_err();
        assert!(error.message.contains("too expensive"), "{error}");
        let fine = Expression::compile(&format!("@{}", " | [@, @]".repeat(12))).unwrap();
        assert!(fine.search(&json!("text")).is_ok());
        // Long flat chains are fine.
        let chain = vec!["a"; 100_000].join(".");
        assert_eq!(run(&chain, &json!({"a": null})), "null");
    }
}
