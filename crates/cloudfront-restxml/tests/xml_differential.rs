//! Our XML reader against quick-xml's, on every XML document of the botocore vectors and the
//! Smithy restXml suite in `../shared/`, and on documents made to probe the corners (references,
//! line ends, CDATA, declarations, namespaces, malformed input). Both must build the same tree,
//! or both refuse the document.

use std::path::{Path, PathBuf};

use cloudfront_restxml::{XmlElement, parse_document};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// The tree as both readers give it: local name, attributes, text, children.
#[derive(Debug, PartialEq)]
struct Node {
    name: String,
    attributes: Vec<(String, String)>,
    text: String,
    children: Vec<Node>,
}

fn ours(element: &XmlElement) -> Node {
    Node {
        name: element.name().to_owned(),
        attributes: element.attributes().to_vec(),
        text: element.text().to_owned(),
        children: element.children().iter().map(ours).collect(),
    }
}

/// quick-xml's events made into the same tree (what the reader was built on before).
fn reference(body: &[u8]) -> Result<Node, String> {
    let text = std::str::from_utf8(body).map_err(|e| e.to_string())?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Node> = Vec::new();
    let mut root = None;
    let close = |node: Node, stack: &mut Vec<Node>, root: &mut Option<Node>| match stack.last_mut() {
        Some(parent) => parent.children.push(node),
        None => *root = Some(node),
    };
    loop {
        let event = reader.read_event().map_err(|e| e.to_string())?;
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => return Err("two roots".into()),
            Event::Start(start) => stack.push(node(&start)?),
            Event::Empty(start) => close(node(&start)?, &mut stack, &mut root),
            Event::End(_) => {
                let node = stack.pop().ok_or("unexpected end")?;
                close(node, &mut stack, &mut root);
            }
            Event::Text(t) => match stack.last_mut() {
                Some(current) => current.text.push_str(&t.xml10_content()),
                None if t.xml10_content().trim().is_empty() => {}
                None => return Err("text outside the root".into()),
            },
            Event::CData(data) => {
                let current = stack.last_mut().ok_or("CDATA outside the root")?;
                current.text.push_str(&data.xml10_content());
            }
            Event::GeneralRef(reference) => {
                let current = stack.last_mut().ok_or("reference outside the root")?;
                let resolved = if reference.is_char_ref() {
                    reference.resolve_char_ref().ok().flatten().map(String::from)
                } else {
                    let name = reference.xml10_content();
                    quick_xml::escape::resolve_predefined_entity(&name).map(String::from)
                };
                current.text.push_str(&resolved.ok_or("unsupported reference")?);
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err("unclosed element".into());
    }
    root.ok_or_else(|| "no root".into())
}

fn node(start: &BytesStart<'_>) -> Result<Node, String> {
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| e.to_string())?;
        let key = attribute.key.as_ref().to_owned();
        if key == "xmlns" || key.starts_with("xmlns:") {
            continue;
        }
        let value = attribute.normalized_value(quick_xml::XmlVersion::Implicit1_0).map_err(|e| e.to_string())?;
        attributes.push((key, value.into_owned()));
    }
    let name = start.local_name().as_ref().to_owned();
    Ok(Node { name, attributes, text: String::new(), children: Vec::new() })
}

/// Both readers agree on `body`: the same tree, or both refuse it.
fn agree(body: &[u8]) -> Result<(), String> {
    match (parse_document(body), reference(body)) {
        (Ok(mine), Ok(theirs)) if ours(&mine) == theirs => Ok(()),
        (Err(_), Err(_)) => Ok(()),
        (mine, theirs) => Err(format!(
            "{:?}\n  ours:      {:?}\n  quick-xml: {theirs:?}",
            String::from_utf8_lossy(body),
            mine.map(|m| ours(&m)).map_err(|e| e.to_string())
        )),
    }
}

fn shared() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    assert!(
        dir.join("conformance").is_dir() && dir.join("protocol-tests").is_dir(),
        "{} lacks conformance/ and protocol-tests/: the reference material lives in ../shared next to the checkout",
        dir.display()
    );
    dir
}

/// Every string in a JSON document that is an XML document.
fn xml_strings(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) if s.trim_start().starts_with('<') => out.push(s.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| xml_strings(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| xml_strings(v, out)),
        _ => {}
    }
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

#[test]
fn every_document_of_the_vectors_and_the_protocol_suite_reads_alike() {
    let shared = shared();
    let mut files = Vec::new();
    json_files(&shared.join("conformance"), &mut files);
    files.push(shared.join("protocol-tests/restxml-protocol-tests.json"));
    let mut documents = Vec::new();
    for file in &files {
        let json: serde_json::Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
        xml_strings(&json, &mut documents);
    }
    assert!(documents.len() > 100, "only {} XML documents found", documents.len());
    let disagreements: Vec<String> = documents.iter().filter_map(|d| agree(d.as_bytes()).err()).collect();
    assert!(
        disagreements.is_empty(),
        "{} of {} differ:\n{}",
        disagreements.len(),
        documents.len(),
        disagreements.join("\n")
    );
    println!("{} documents read alike", documents.len());
}

#[test]
fn the_corners_read_alike() {
    let documents: &[&str] = &[
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
        // Refused by both.
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
    ];
    let disagreements: Vec<String> = documents.iter().filter_map(|d| agree(d.as_bytes()).err()).collect();
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

#[test]
fn where_quick_xml_is_lenient_we_keep_to_xml_1_0() {
    // A `<` in an attribute value (XML 1.0 §3.1, AttValue) and a name that starts with a
    // digit (§2.3, NameStartChar) are not well-formed.
    for document in ["<a k=\"<\"/>", "<1a/>"] {
        assert!(reference(document.as_bytes()).is_ok(), "quick-xml now refuses {document}: move it to the corners");
        assert!(parse_document(document.as_bytes()).is_err(), "{document} was taken");
    }
}
