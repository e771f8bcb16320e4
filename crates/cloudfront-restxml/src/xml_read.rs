//! A small, bounded XML tree reader.
//!
//! Generated parsers walk this tree by element name, so they do not depend on element order,
//! ignore unknown elements, and never see namespaces (only local names are kept). Entity
//! references other than the five predefined ones and character references are refused, so
//! no entity is ever expanded (a document type declaration is passed over, never read), and
//! nesting deeper than [`MAX_DEPTH`] is an error, not a stack overflow. At most
//! [`MAX_ELEMENTS`] elements are built, so what parsing allocates is bounded too, not only the
//! bytes read (16 MiB of `<a/>` would be four million elements).

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

/// Parses a whole document into its root element.
pub fn parse_document(body: &[u8]) -> Result<XmlElement, ParseError> {
    let text = std::str::from_utf8(body).map_err(|e| ParseError::new(format!("response body is not UTF-8: {e}")))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    Reader { text, at: 0 }.document()
}

/// Where the document is read.
struct Reader<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Reader<'a> {
    fn document(&mut self) -> Result<XmlElement, ParseError> {
        // Open elements, with the names their end tags must repeat.
        let mut stack: Vec<(XmlElement, &'a str)> = Vec::new();
        let mut root: Option<XmlElement> = None;
        let mut elements = 0usize;
        while self.at < self.text.len() {
            let rest = self.rest();
            if !rest.starts_with('<') {
                let run = &rest[..rest.find('<').unwrap_or(rest.len())];
                match stack.last_mut() {
                    Some((current, _)) => self.unescape(run, &mut current.text, false)?,
                    None if run.trim().is_empty() => {}
                    None => return Err(self.error("text outside the root element")),
                }
                self.at += run.len();
            } else if rest.starts_with("<?") {
                self.skip_past("<?", "?>", "processing instruction")?;
            } else if rest.starts_with("<!--") {
                self.skip_past("<!--", "-->", "comment")?;
            } else if let Some(data) = rest.strip_prefix("<![CDATA[") {
                let end = data.find("]]>").ok_or_else(|| self.error("unclosed CDATA section"))?;
                let (current, _) = stack.last_mut().ok_or_else(|| self.error("CDATA outside the root element"))?;
                normalize_line_ends(&data[..end], &mut current.text, false);
                self.at += "<![CDATA[".len() + end + "]]>".len();
            } else if rest.starts_with("<!") {
                self.skip_declaration()?;
            } else if rest.starts_with("</") {
                self.at += 2;
                let name = self.name()?;
                self.skip_blanks();
                self.expect(">")?;
                let (element, opened) = stack.pop().ok_or_else(|| self.error("unexpected closing tag"))?;
                if name != opened {
                    return Err(self.error(&format!("</{name}> closes <{opened}>")));
                }
                match stack.last_mut() {
                    Some((parent, _)) => parent.children.push(element),
                    None => root = Some(element),
                }
            } else {
                if root.is_some() {
                    return Err(ParseError::new("invalid XML: more than one root element"));
                }
                elements += 1;
                if elements > MAX_ELEMENTS {
                    return Err(ParseError::new(format!("invalid XML: more than {MAX_ELEMENTS} elements")));
                }
                self.at += 1;
                let (element, name, empty) = self.start_tag()?;
                if empty {
                    match stack.last_mut() {
                        Some((parent, _)) => parent.children.push(element),
                        None => root = Some(element),
                    }
                } else {
                    if stack.len() >= MAX_DEPTH {
                        return Err(ParseError::new(format!("invalid XML: nested deeper than {MAX_DEPTH} elements")));
                    }
                    stack.push((element, name));
                }
            }
        }
        if !stack.is_empty() {
            return Err(ParseError::new("invalid XML: document ended inside an element"));
        }
        root.ok_or_else(|| ParseError::new("invalid XML: no root element"))
    }

    fn rest(&self) -> &'a str {
        &self.text[self.at..]
    }

    fn error(&self, why: &str) -> ParseError {
        ParseError::new(format!("invalid XML at byte {}: {why}", self.at))
    }

    fn skip_past(&mut self, start: &str, end: &str, what: &str) -> Result<(), ParseError> {
        let at = self.rest()[start.len()..].find(end).ok_or_else(|| self.error(&format!("unclosed {what}")))?;
        self.at += start.len() + at + end.len();
        Ok(())
    }

    /// `<!DOCTYPE ...>`, with any internal subset in brackets: passed over whole.
    fn skip_declaration(&mut self) -> Result<(), ParseError> {
        let (mut depth, mut quote) = (0usize, None);
        for (i, c) in self.rest().char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '[') => depth += 1,
                (None, ']') => depth = depth.saturating_sub(1),
                (None, '>') if depth == 0 => {
                    self.at += i + 1;
                    return Ok(());
                }
                _ => {}
            }
        }
        Err(self.error("unclosed declaration"))
    }

    fn skip_blanks(&mut self) {
        let rest = self.rest();
        self.at += rest.len() - rest.trim_start_matches([' ', '\t', '\r', '\n']).len();
    }

    fn expect(&mut self, what: &str) -> Result<(), ParseError> {
        if !self.rest().starts_with(what) {
            return Err(self.error(&format!("expected `{what}`")));
        }
        self.at += what.len();
        Ok(())
    }

    /// An element or attribute name, as written (with any prefix).
    fn name(&mut self) -> Result<&'a str, ParseError> {
        let rest = self.rest();
        let end = rest
            .bytes()
            .position(|b| b.is_ascii_whitespace() || matches!(b, b'/' | b'>' | b'=' | b'<' | b'"' | b'\'' | b'&'))
            .unwrap_or(rest.len());
        let name = &rest[..end];
        if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.') {
            return Err(self.error("expected a name"));
        }
        self.at += end;
        Ok(name)
    }

    /// The rest of a start tag, after its `<`: the element, its name as written, and whether
    /// it is empty (`<a/>`).
    fn start_tag(&mut self) -> Result<(XmlElement, &'a str, bool), ParseError> {
        let name = self.name()?;
        let mut element = XmlElement { name: local(name).to_owned(), ..XmlElement::default() };
        let mut seen: Vec<&str> = Vec::new();
        loop {
            let before = self.at;
            self.skip_blanks();
            if self.rest().starts_with("/>") {
                self.at += 2;
                return Ok((element, name, true));
            }
            if self.rest().starts_with('>') {
                self.at += 1;
                return Ok((element, name, false));
            }
            if self.at == before {
                return Err(self.error(&format!("expected an attribute, `>` or `/>` in <{name}>")));
            }
            let key = self.name()?;
            if seen.contains(&key) {
                return Err(self.error(&format!("attribute {key} repeated in <{name}>")));
            }
            seen.push(key);
            self.skip_blanks();
            self.expect("=")?;
            self.skip_blanks();
            let quote = self.rest().chars().next().filter(|c| *c == '"' || *c == '\'');
            let quote = quote.ok_or_else(|| self.error(&format!("the value of {key} is not quoted")))?;
            self.at += 1;
            let raw = &self.rest()[..self.rest().find(quote).ok_or_else(|| self.error("unclosed attribute value"))?];
            if raw.contains('<') {
                return Err(self.error(&format!("`<` in the value of {key}")));
            }
            let mut value = String::new();
            self.unescape(raw, &mut value, true)?;
            self.at += raw.len() + 1;
            // Namespace declarations are not attributes.
            if key != "xmlns" && !key.starts_with("xmlns:") {
                element.attributes.push((key.to_owned(), value));
            }
        }
    }

    /// Appends `raw` with its references resolved and its line ends normalised; in an
    /// attribute value every blank becomes a space (XML 1.0, 2.11 and 3.3.3).
    fn unescape(&self, raw: &str, out: &mut String, attribute: bool) -> Result<(), ParseError> {
        let mut rest = raw;
        while let Some(amp) = rest.find('&') {
            normalize_line_ends(&rest[..amp], out, attribute);
            let after = &rest[amp + 1..];
            let semicolon = after.find(';').filter(|&i| i <= 32).ok_or_else(|| self.error("unterminated reference"))?;
            let name = &after[..semicolon];
            let resolved = match name {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                "apos" => Some('\''),
                "quot" => Some('"'),
                _ => match name.strip_prefix('#') {
                    Some(number) => {
                        let code = match number.strip_prefix('x') {
                            Some(hex) => u32::from_str_radix(hex, 16),
                            None => number.parse::<u32>(),
                        };
                        code.ok()
                            .filter(|_| !number.starts_with('+'))
                            .and_then(char::from_u32)
                            .filter(|&c| is_xml_char(c))
                    }
                    None => None,
                },
            };
            let resolved = resolved
                .ok_or_else(|| ParseError::new(format!("invalid XML: unsupported entity reference &{name};")))?;
            out.push(resolved);
            rest = &after[semicolon + 1..];
        }
        normalize_line_ends(rest, out, attribute);
        Ok(())
    }
}

/// A name without its namespace prefix.
fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// A character XML 1.0 allows in a document.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

/// Appends `text` with `\r\n` and lone `\r` as `\n`; with `blanks_to_spaces`, every tab and
/// line end as a space.
fn normalize_line_ends(text: &str, out: &mut String, blanks_to_spaces: bool) {
    if !(text.contains('\r') || (blanks_to_spaces && text.contains(['\t', '\n']))) {
        out.push_str(text);
        return;
    }
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let c = match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                '\n'
            }
            c => c,
        };
        out.push(if blanks_to_spaces && matches!(c, '\t' | '\n') { ' ' } else { c });
    }
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
