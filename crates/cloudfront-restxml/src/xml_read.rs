//! A small, bounded XML tree reader on top of quick-xml.
//!
//! Generated parsers walk this tree by element name, so they do not depend on element order,
//! ignore unknown elements, and never see namespaces (only local names are kept). Entity
//! references other than the five predefined ones and character references are refused, so
//! no entity is ever expanded, and nesting deeper than [`MAX_DEPTH`] is an error, not a stack
//! overflow. At most [`MAX_ELEMENTS`] elements are built, so what parsing allocates is bounded
//! too, not only the bytes read (16 MiB of `<a/>` would be four million elements).

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::ParseError;

/// The deepest element nesting accepted in a response body.
pub const MAX_DEPTH: usize = 256;

/// The most elements accepted in one response body: far above any real response (a page of
/// 1,000 summaries is some 10,000), and a tree of this many stays in the tens of MiB.
pub const MAX_ELEMENTS: usize = 250_000;

/// One element: its local name, attributes, child elements and own character data.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct XmlElement {
    name: String,
    attributes: Vec<(String, String)>,
    children: Vec<XmlElement>,
    text: String,
}

impl XmlElement {
    /// The local name (without namespace prefix).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The child elements, in document order.
    pub fn children(&self) -> &[XmlElement] {
        &self.children
    }

    /// The first child with this local name.
    pub fn child(&self, name: &str) -> Option<&XmlElement> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The character data directly inside this element (text and CDATA, entities resolved,
    /// whitespace kept).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// An attribute's value by name; a prefix (`xsi:name`) is ignored on both sides, like
    /// element namespaces (the `xmlns` declarations are not attributes).
    pub fn attribute(&self, name: &str) -> Option<&str> {
        let local = |n: &str| n.rsplit(':').next().unwrap_or(n).to_owned();
        let wanted = local(name);
        self.attributes.iter().find(|(k, _)| local(k) == wanted).map(|(_, v)| v.as_str())
    }
}

/// Parses a whole document into its root element.
pub fn parse_document(body: &[u8]) -> Result<XmlElement, ParseError> {
    let text = std::str::from_utf8(body).map_err(|e| ParseError::new(format!("response body is not UTF-8: {e}")))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<XmlElement> = Vec::new();
    let mut root: Option<XmlElement> = None;
    let mut elements = 0usize;
    loop {
        let event = reader.read_event().map_err(|e| malformed(&reader, e))?;
        if matches!(event, Event::Start(_) | Event::Empty(_)) {
            elements += 1;
            if elements > MAX_ELEMENTS {
                return Err(ParseError::new(format!("invalid XML: more than {MAX_ELEMENTS} elements")));
            }
        }
        match event {
            Event::Start(start) | Event::Empty(start) if root.is_some() => {
                let _ = start;
                return Err(ParseError::new("invalid XML: more than one root element"));
            }
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(ParseError::new(format!("invalid XML: nested deeper than {MAX_DEPTH} elements")));
                }
                stack.push(element_from(&start, &reader)?);
            }
            Event::Empty(start) => {
                let element = element_from(&start, &reader)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => root = Some(element),
                }
            }
            Event::End(_) => {
                let element = stack.pop().ok_or_else(|| ParseError::new("invalid XML: unexpected closing tag"))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => root = Some(element),
                }
            }
            Event::Text(t) => match stack.last_mut() {
                Some(current) => current.text.push_str(&t.xml10_content()),
                None if t.xml10_content().trim().is_empty() => {}
                None => return Err(ParseError::new("invalid XML: text outside the root element")),
            },
            Event::CData(data) => {
                let current =
                    stack.last_mut().ok_or_else(|| ParseError::new("invalid XML: CDATA outside the root element"))?;
                let raw = data.into_inner();
                current.text.push_str(&raw);
            }
            Event::GeneralRef(reference) => {
                let current = stack
                    .last_mut()
                    .ok_or_else(|| ParseError::new("invalid XML: reference outside the root element"))?;
                let resolved = if reference.is_char_ref() {
                    reference.resolve_char_ref().ok().flatten().map(String::from)
                } else {
                    quick_xml::escape::resolve_predefined_entity(&reference.xml10_content()).map(String::from)
                };
                let resolved = resolved.ok_or_else(|| {
                    ParseError::new(format!(
                        "invalid XML: unsupported entity reference &{};",
                        reference.xml10_content()
                    ))
                })?;
                current.text.push_str(&resolved);
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(ParseError::new("invalid XML: document ended inside an element"));
    }
    root.ok_or_else(|| ParseError::new("invalid XML: no root element"))
}

fn element_from(start: &quick_xml::events::BytesStart<'_>, reader: &Reader<&[u8]>) -> Result<XmlElement, ParseError> {
    let name = start.local_name().as_ref().to_owned();
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| ParseError::new(format!("invalid XML attribute in <{name}>: {e}")))?;
        let key = attribute.key;
        if key.as_ref() == "xmlns" || key.as_ref().starts_with("xmlns:") {
            continue;
        }
        let value = attribute.normalized_value(quick_xml::XmlVersion::Implicit1_0).map_err(|e| malformed(reader, e))?;
        attributes.push((key.as_ref().to_owned(), value.into_owned()));
    }
    Ok(XmlElement { name, attributes, children: Vec::new(), text: String::new() })
}

fn malformed(reader: &Reader<&[u8]>, error: impl std::fmt::Display) -> ParseError {
    ParseError::new(format!("invalid XML at byte {}: {error}", reader.buffer_position()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_local_names_text_and_order() {
        let root = parse_document(
            b"\xef\xbb\xbf<?xml version=\"1.0\"?><!-- c --><a:Root xmlns:a=\"urn:x\" a:k=\"v&amp;\"><a:Id> x &amp; &#65;<![CDATA[<y>]]></a:Id><Items/></a:Root>",
        )
        .unwrap();
        assert_eq!(root.name(), "Root");
        assert_eq!(root.attribute("k"), Some("v&"));
        assert_eq!(root.child("Id").unwrap().text(), " x & A<y>");
        assert_eq!(root.children().len(), 2);
    }

    #[test]
    fn refuses_entities_depth_and_garbage() {
        let laughs = b"<!DOCTYPE l [<!ENTITY a \"aaaa\">]><r>&a;</r>";
        assert!(parse_document(laughs).unwrap_err().to_string().contains("unsupported entity"));
        let many = format!("<r>{}</r>", "<a/>".repeat(MAX_ELEMENTS));
        assert!(parse_document(many.as_bytes()).unwrap_err().to_string().contains("more than 250000 elements"));
        let just = format!("<r>{}</r>", "<a/>".repeat(MAX_ELEMENTS - 1));
        assert_eq!(parse_document(just.as_bytes()).unwrap().children().len(), MAX_ELEMENTS - 1);
        let deep = format!("{}{}", "<a>".repeat(MAX_DEPTH + 1), "</a>".repeat(MAX_DEPTH + 1));
        assert!(parse_document(deep.as_bytes()).is_err());
        assert!(parse_document(b"<a><b></a>").is_err());
        assert!(parse_document(b"not xml").is_err());
        assert!(parse_document(b"").is_err());
        assert!(parse_document(b"<a>\xff</a>").is_err());
    }
}
