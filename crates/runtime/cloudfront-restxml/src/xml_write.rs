/// An XML writer that escapes everything it is given and writes `<Name />` for empty elements.
///
/// Text escapes `&`, `<` and `>` (what the AWS SDKs send); attribute values also escape `"`.
#[derive(Default)]
pub struct XmlWriter {
    out: String,
    /// A start tag whose `>` is not written yet, so an empty element can still become `<X />`.
    tag_open: bool,
}

impl XmlWriter {
    /// An empty document.
    pub fn new() -> Self {
        XmlWriter::default()
    }

    /// Opens `<name`; attributes may follow until content is written.
    pub fn start(&mut self, name: &str) {
        self.finish_start_tag();
        self.out.push('<');
        self.out.push_str(name);
        self.tag_open = true;
    }

    /// Adds an attribute to the element just started (ignored once content was written,
    /// which generated code never does).
    pub fn attribute(&mut self, key: &str, value: &str) {
        debug_assert!(self.tag_open, "attribute {key} written after element content");
        if !self.tag_open {
            return;
        }
        self.out.push(' ');
        self.out.push_str(key);
        self.out.push_str("=\"");
        escape_into(&mut self.out, value, true);
        self.out.push('"');
    }

    /// Closes the innermost open element.
    pub fn end(&mut self, name: &str) {
        if self.tag_open {
            self.out.push_str(" />");
            self.tag_open = false;
        } else {
            self.out.push_str("</");
            self.out.push_str(name);
            self.out.push('>');
        }
    }

    /// Writes escaped character data inside the current element.
    pub fn text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        self.finish_start_tag();
        escape_into(&mut self.out, text, false);
    }

    /// `<name>text</name>` (or `<name />` for empty text).
    pub fn element(&mut self, name: &str, text: &str) {
        self.start(name);
        self.text(text);
        self.end(name);
    }

    /// The document written so far.
    pub fn finish(mut self) -> String {
        self.finish_start_tag();
        self.out
    }

    fn finish_start_tag(&mut self) {
        if self.tag_open {
            self.out.push('>');
            self.tag_open = false;
        }
    }
}

fn escape_into(out: &mut String, text: &str, attribute: bool) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::XmlWriter;

    #[test]
    fn writes_escaped_nested_and_empty_elements() {
        let mut w = XmlWriter::new();
        w.start("Batch");
        w.attribute("xmlns", "urn:x");
        w.attribute("note", "a\"<b");
        w.element("Ref", "a & <b>");
        w.start("Items");
        w.end("Items");
        w.element("Empty", "");
        w.end("Batch");
        assert_eq!(
            w.finish(),
            "<Batch xmlns=\"urn:x\" note=\"a&quot;&lt;b\"><Ref>a &amp; &lt;b&gt;</Ref><Items /><Empty /></Batch>"
        );
    }
}
