//! A small, bounded XML tree reader on quick-xml.
//!
//! Generated parsers walk this tree by element name, so they do not depend on element order,
//! ignore unknown elements, and never see namespaces (only local names are kept). Entity
//! references other than the five predefined ones and character references are refused, so
//! no entity is ever expanded (a document type declaration is passed over, never read), and
//! nesting deeper than [`MAX_DEPTH`] is an error, not a stack overflow. An element may carry
//! at most [`MAX_ATTRIBUTES`] attributes. At most
//! [`MAX_ELEMENTS`] elements are built, so what parsing allocates is bounded too, not only the
//! bytes read (16 MiB of `<a/>` would be four million elements).

use quick_xml::Reader;
use quick_xml::events::{BytesRef, BytesStart, Event};

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

    /// The attributes as written (names with any prefix), without namespace declarations.
    pub fn attributes(&self) -> &[(String, String)] {
        &self.attributes
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
        let wanted = local(name);
        self.attributes.iter().find(|(k, _)| local(k) == wanted).map(|(_, v)| v.as_str())
    }
}

/// The most attributes accepted on one element: real responses carry a namespace declaration
/// or two, and a start tag with a million attributes must be refused at once, not compared
/// pairwise for duplicates.
pub const MAX_ATTRIBUTES: usize = 64;

/// Parses a whole document into its root element.
pub fn parse_document(body: &[u8]) -> Result<XmlElement, ParseError> {
    let text = std::str::from_utf8(body).map_err(|e| ParseError::new(format!("response body is not UTF-8: {e}")))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = Reader::from_str(text);
    let mut tree = Tree::default();
    loop {
        let at = reader.buffer_position();
        let event = reader.read_event().map_err(|e| invalid(at, &e.to_string()))?;
        match event {
            Event::Start(start) => tree.open(element(&start, at)?, at)?,
            Event::Empty(start) => {
                tree.count(at)?;
                tree.close(element(&start, at)?)
            }
            Event::End(_) => {
                let element = tree.open.pop().ok_or_else(|| invalid(at, "unexpected closing tag"))?;
                tree.close(element)
            }
            Event::Text(text) => tree.text(&text.xml10_content(), at)?,
            Event::CData(data) => tree
                .open
                .last_mut()
                .ok_or_else(|| invalid(at, "CDATA outside the root element"))?
                .text
                .push_str(&data.xml10_content()),
            Event::GeneralRef(reference) => {
                let resolved = resolve(&reference).ok_or_else(|| {
                    ParseError::new(format!("invalid XML: unsupported entity reference &{};", &*reference))
                })?;
                tree.text(resolved.encode_utf8(&mut [0; 4]), at)?
            }
            // A document type declaration is passed over, never read: no entity is defined.
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            Event::Eof => break,
        }
    }
    tree.finish()
}

/// The tree as it is built: the open elements, the root once closed, the elements so far.
#[derive(Default)]
struct Tree {
    open: Vec<XmlElement>,
    root: Option<XmlElement>,
    elements: usize,
}

impl Tree {
    /// Counts one more element, refusing a second root and more than [`MAX_ELEMENTS`].
    fn count(&mut self, at: u64) -> Result<(), ParseError> {
        if self.root.is_some() {
            return Err(invalid(at, "more than one root element"));
        }
        self.elements += 1;
        if self.elements > MAX_ELEMENTS {
            return Err(ParseError::new(format!("invalid XML: more than {MAX_ELEMENTS} elements")));
        }
        Ok(())
    }

    fn open(&mut self, element: XmlElement, at: u64) -> Result<(), ParseError> {
        self.count(at)?;
        if self.open.len() >= MAX_DEPTH {
            return Err(ParseError::new(format!("invalid XML: nested deeper than {MAX_DEPTH} elements")));
        }
        self.open.push(element);
        Ok(())
    }

    fn close(&mut self, element: XmlElement) {
        match self.open.last_mut() {
            Some(parent) => parent.children.push(element),
            None => self.root = Some(element),
        }
    }

    /// Character data: the open element's, or blanks around the root.
    fn text(&mut self, text: &str, at: u64) -> Result<(), ParseError> {
        match self.open.last_mut() {
            Some(current) => current.text.push_str(text),
            None if text.trim_matches([' ', '\t', '\r', '\n']).is_empty() => {}
            None => return Err(invalid(at, "text outside the root element")),
        }
        Ok(())
    }

    fn finish(self) -> Result<XmlElement, ParseError> {
        if !self.open.is_empty() {
            return Err(ParseError::new("invalid XML: document ended inside an element"));
        }
        self.root.ok_or_else(|| ParseError::new("invalid XML: no root element"))
    }
}

/// A start tag as an element: its local name and attributes (namespace declarations left
/// out), kept to XML 1.0 where quick-xml is lenient.
fn element(start: &BytesStart<'_>, at: u64) -> Result<XmlElement, ParseError> {
    let name = start.name().as_ref().to_owned();
    check_name(&name, at)?;
    // Counted before quick-xml compares each attribute with every earlier one.
    if start.attributes().with_checks(false).take(MAX_ATTRIBUTES + 1).count() > MAX_ATTRIBUTES {
        return Err(invalid(at, &format!("more than {MAX_ATTRIBUTES} attributes in <{name}>")));
    }
    let mut element = XmlElement { name: local(&name).to_owned(), ..XmlElement::default() };
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| invalid(at, &e.to_string()))?;
        let key = attribute.key.as_ref();
        check_name(key, at)?;
        if attribute.value.contains('<') {
            return Err(invalid(at, &format!("`<` in the value of {key}")));
        }
        let value =
            attribute.normalized_value(quick_xml::XmlVersion::Implicit1_0).map_err(|e| invalid(at, &e.to_string()))?;
        // Namespace declarations are not attributes.
        if key != "xmlns" && !key.starts_with("xmlns:") {
            element.attributes.push((key.to_owned(), value.into_owned()));
        }
    }
    Ok(element)
}

/// XML 1.0 names do not start with a digit, `-` or `.` (§2.3, NameStartChar).
fn check_name(name: &str, at: u64) -> Result<(), ParseError> {
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.') {
        return Err(invalid(at, &format!("{name:?} is not a name")));
    }
    Ok(())
}

/// A reference in character data: one of the five predefined entities or a character
/// reference to a character XML allows; nothing else is ever expanded.
fn resolve(reference: &BytesRef<'_>) -> Option<char> {
    if reference.is_char_ref() {
        return reference.resolve_char_ref().ok().flatten().filter(|&c| is_xml_char(c));
    }
    quick_xml::escape::resolve_predefined_entity(reference).and_then(|s| s.chars().next())
}

fn invalid(at: u64, why: &str) -> ParseError {
    ParseError::new(format!("invalid XML at byte {at}: {why}"))
}

/// A name without its namespace prefix.
fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// A character XML 1.0 allows in a document.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
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

    #[test]
    fn a_million_attributes_are_refused_at_once() {
        let attributes = |n: usize| (0..n).map(|i| format!(" a{i}=\"\"")).collect::<String>();
        let most = format!("<InvalidationList><Marker{}/></InvalidationList>", attributes(MAX_ATTRIBUTES));
        assert_eq!(parse_document(most.as_bytes()).unwrap().children()[0].attributes().len(), MAX_ATTRIBUTES);
        // The hostile ListInvalidations answer: 11 MiB, one element with 1 M distinct attributes.
        let hostile = format!("<InvalidationList><Marker{}/></InvalidationList>", attributes(1_000_000));
        let started = std::time::Instant::now();
        let error = parse_document(hostile.as_bytes()).unwrap_err().to_string();
        // Timed for the record, not asserted on (tests assert behaviour, benchmarks time it).
        println!("{} MiB, 1 M attributes refused in {:?}", hostile.len() >> 20, started.elapsed());
        assert!(error.contains("more than 64 attributes in <Marker>"), "{error}");
    }
}
