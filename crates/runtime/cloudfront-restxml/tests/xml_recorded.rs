//! The XML reader's answers, recorded: for every XML document of the botocore vectors and the
//! Smithy restXml suite in `../shared/`, and for documents made to probe the corners
//! (references, line ends, CDATA, declarations, namespaces, malformed input), the tree it
//! builds or the fact that it refuses the document. `xml_recorded.json` was written by the
//! reader this project had before it moved onto quick-xml (`RECORD_XML=1 cargo test -p
//! cloudfront-restxml --test xml_recorded` writes it again from the current one); every later
//! reader must give the same answers.

use std::path::{Path, PathBuf};

use cloudfront_restxml::{XmlElement, parse_document};
use serde_json::{Value, json};

/// Documents made for the corners, beside the shared corpus.
const CORNERS: &[&str] = &[
    "<a>x &amp; &lt;y&gt; &quot;&apos; &#65;&#x42;&#x1F600;</a>",
    "<a>\r\nline\rend\r\n</a>",
    "<a k='one\ttwo\r\nthree' j=\"&#9;&#10;x\"/>",
    "<a><![CDATA[<b>&amp;\r\n]]>tail</a>",
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- c --><a><?pi x?><!-- <b/> --></a>\n",
    "<!DOCTYPE a [<!ELEMENT a (#PCDATA)><!ATTLIST a k CDATA \"]>\">]><a>t</a>",
    "<p:a xmlns:p=\"urn:x\" xmlns=\"urn:y\" p:k=\"v\"><p:b>1</p:b><c/></p:a>",
    "\u{feff}<a/>",
    "<a >  <b\n/>\t</a >",
    "<a>\u{e9}t\u{e9}</a>",
    "<a k=\"&lt;&#x3C;\" l='\"'/>",
    "<a><b>1</b>between<c>2</c>after</a>",
    // Refused.
    "<a><b></a></b>",
    "<a></b>",
    "<a k=v/>",
    "<a k=\"1\" k=\"2\"/>",
    "<a>&bogus;</a>",
    "<a>&#0;</a>",
    "<a>&#xD800;</a>",
    "<a>&amp</a>",
    "<a/><b/>",
    "text<a/>",
    "<a>",
    "<a><!-- x</a>",
    "<a><![CDATA[x</a>",
    "",
    "   ",
    // Not well-formed XML 1.0, though lenient readers take them: a `<` in an attribute value
    // (§3.1, AttValue) and a name that starts with a digit (§2.3, NameStartChar).
    "<a k=\"<\"/>",
    "<1a/>",
    "<a -k=\"1\"/>",
];

/// The reader's answer as JSON: the tree, or `{"refused": true}`.
fn answer(document: &str) -> Value {
    fn tree(element: &XmlElement) -> Value {
        json!({
            "name": element.name(),
            "attributes": element.attributes(),
            "text": element.text(),
            "children": element.children().iter().map(tree).collect::<Vec<_>>(),
        })
    }
    match parse_document(document.as_bytes()) {
        Ok(root) => tree(&root),
        Err(_) => json!({"refused": true}),
    }
}

fn shared() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../../shared");
    assert!(
        dir.join("conformance").is_dir() && dir.join("protocol-tests").is_dir(),
        "{} lacks conformance/ and protocol-tests/: the reference material lives in ../shared next to the checkout",
        dir.display()
    );
    dir
}

/// Every string in a JSON document that is an XML document.
fn xml_strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) if s.trim_start().starts_with('<') => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| xml_strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| xml_strings(v, out)),
        _ => {}
    }
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

/// The shared corpus and the corners, each document once, in a stable order.
fn documents() -> Vec<String> {
    let shared = shared();
    let mut files = Vec::new();
    json_files(&shared.join("conformance"), &mut files);
    files.push(shared.join("protocol-tests/restxml-protocol-tests.json"));
    let mut documents = Vec::new();
    for file in &files {
        let json: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
        xml_strings(&json, &mut documents);
    }
    assert!(documents.len() > 100, "only {} XML documents found", documents.len());
    documents.extend(CORNERS.iter().map(|c| (*c).to_owned()));
    let mut seen = std::collections::HashSet::new();
    documents.retain(|d| seen.insert(d.clone()));
    documents
}

#[test]
fn the_reader_answers_as_recorded() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/xml_recorded.json");
    let documents = documents();
    if std::env::var_os("RECORD_XML").is_some() {
        // One document and its answer a line, so a change shows as a readable diff.
        let lines: Vec<String> =
            documents.iter().map(|d| json!({"document": d, "answer": answer(d)}).to_string()).collect();
        std::fs::write(&path, format!("[\n{}\n]\n", lines.join(",\n"))).unwrap();
        println!("recorded {} documents in {}", lines.len(), path.display());
        return;
    }
    let recorded: Vec<Value> = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let missing: Vec<&String> =
        documents.iter().filter(|d| !recorded.iter().any(|r| r["document"] == d.as_str())).collect();
    assert!(missing.is_empty(), "{} documents have no recorded answer: {missing:?}", missing.len());
    let differ: Vec<String> = recorded
        .iter()
        .filter_map(|r| {
            let document = r["document"].as_str().unwrap();
            let now = answer(document);
            (now != r["answer"]).then(|| format!("{document:?}\n  recorded: {}\n  now:      {now}", r["answer"]))
        })
        .collect();
    assert!(differ.is_empty(), "{} of {} differ:\n{}", differ.len(), recorded.len(), differ.join("\n"));
    println!("{} documents answered as recorded", recorded.len());
}
