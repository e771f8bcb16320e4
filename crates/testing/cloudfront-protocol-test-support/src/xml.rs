//! XML equivalence for protocol test bodies: same elements (by qualified name), attributes
//! (as a set, namespace declarations included) and text (surrounding whitespace ignored).
//! Differently named children may come in any order; same-named ones (list entries) in
//! order, except map entries (a key and a value), which have no order.

use quick_xml::Reader;
use quick_xml::events::Event;

#[derive(Debug, PartialEq, Clone)]
struct Node {
    name: String,
    attributes: Vec<(String, String)>,
    text: String,
    children: Vec<Node>,
}

pub fn equivalent(ours: &str, expected: &str) -> Result<(), String> {
    let a = parse(ours).map_err(|e| format!("our body is not XML ({e}): {ours:?}"))?;
    let b = parse(expected).map_err(|e| format!("the expected body is not XML ({e})"))?;
    compare(&a, &b, "").map_err(|e| format!("{e}\nours:     {ours}\nexpected: {expected}"))
}

fn parse(text: &str) -> Result<Node, String> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Node> = Vec::new();
    let mut root = None;
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(s) => stack.push(node(&s)?),
            Event::Empty(s) => {
                let n = node(&s)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(n),
                    None => root = Some(n),
                }
            }
            Event::End(_) => {
                let mut n = stack.pop().ok_or("unbalanced")?;
                n.text = n.text.trim().to_owned();
                match stack.last_mut() {
                    Some(parent) => parent.children.push(n),
                    None => root = Some(n),
                }
            }
            Event::Text(t) => {
                if let Some(n) = stack.last_mut() {
                    n.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(n) = stack.last_mut() {
                    n.text.push_str(&t.into_inner());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(n) = stack.last_mut() {
                    let resolved = if r.is_char_ref() {
                        r.resolve_char_ref().ok().flatten().map(String::from)
                    } else {
                        quick_xml::escape::resolve_predefined_entity(&r.xml10_content()).map(String::from)
                    };
                    n.text.push_str(&resolved.ok_or("unknown entity")?);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    root.ok_or_else(|| "no root element".into())
}

fn node(start: &quick_xml::events::BytesStart<'_>) -> Result<Node, String> {
    let mut attributes = Vec::new();
    for a in start.attributes() {
        let a = a.map_err(|e| e.to_string())?;
        let value = a.normalized_value(quick_xml::XmlVersion::Implicit1_0).map_err(|e| e.to_string())?;
        attributes.push((a.key.as_ref().to_owned(), value.into_owned()));
    }
    attributes.sort();
    Ok(Node { name: start.name().as_ref().to_owned(), attributes, text: String::new(), children: Vec::new() })
}

fn compare(a: &Node, b: &Node, path: &str) -> Result<(), String> {
    let here = format!("{path}/{}", b.name);
    if a.name != b.name {
        return Err(format!("{path}: element <{}> where <{}> was expected", a.name, b.name));
    }
    if a.attributes != b.attributes {
        return Err(format!("{here}: attributes {:?} != {:?}", a.attributes, b.attributes));
    }
    if a.children.is_empty() && b.children.is_empty() && a.text != b.text {
        return Err(format!("{here}: text {:?} != {:?}", a.text, b.text));
    }
    if a.children.len() != b.children.len() {
        let names = |n: &Node| n.children.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
        return Err(format!("{here}: children {:?} != {:?}", names(a), names(b)));
    }
    // Children with different names are members of a structure: their order is free. Runs of
    // one name are list entries (ordered) or map entries (with a key and a value: unordered).
    let names: std::collections::BTreeSet<&str> = b.children.iter().map(|c| c.name.as_str()).collect();
    for name in names {
        let ours: Vec<&Node> = a.children.iter().filter(|c| c.name == name).collect();
        let wanted: Vec<&Node> = b.children.iter().filter(|c| c.name == name).collect();
        if ours.len() != wanted.len() {
            return Err(format!("{here}: {} <{name}> element(s) where {} were expected", ours.len(), wanted.len()));
        }
        let in_order = ours.iter().zip(&wanted).try_for_each(|(x, y)| compare(x, y, &here));
        if in_order.is_ok() {
            continue;
        }
        if !wanted.iter().all(|c| c.children.len() == 2) {
            return in_order;
        }
        let mut unmatched = ours.clone();
        for entry in &wanted {
            match unmatched.iter().position(|c| compare(c, entry, &here).is_ok()) {
                Some(i) => {
                    unmatched.remove(i);
                }
                None => return Err(format!("{here}: no <{name}> entry matches {entry:?}")),
            }
        }
    }
    Ok(())
}
