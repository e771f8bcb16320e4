//! `--output table`: the AWS CLI's boxed tables, cell for cell.
//!
//! The AWS CLI builds a list of sections from the result (a section per nested object, titled
//! with its key and indented one level deeper), then draws them all at the width of the widest.
//! Scalars of an object become a header row and a value row; an object with a single scalar
//! becomes a `key | value` row; a list of objects becomes one row per object. When the drawing
//! is wider than the terminal (80 columns when not a terminal), single-row sections are turned
//! into `header | value` rows first.

use serde_json::Value;

use crate::text_width::width;
use cloudfront_runtime::python::str as cell;

/// How the table is drawn.
pub struct Look {
    /// ANSI colours as the AWS CLI uses them (`--color on`, or `auto` on a terminal).
    pub color: bool,
    /// Columns available; wider tables are turned vertical.
    pub terminal_width: usize,
}

impl Look {
    /// The look for standard output: `color` is `--color` (on, off, auto: on for a terminal).
    pub fn for_stdout(color: &str) -> Look {
        use std::io::IsTerminal;
        let terminal = std::io::stdout().is_terminal();
        Look { color: color == "on" || (color == "auto" && terminal), terminal_width: stdout_columns().unwrap_or(80) }
    }
}

/// The width of the terminal on standard output, if it is one (asked as the AWS CLI asks:
/// TIOCGWINSZ where there is one; elsewhere the AWS CLI's default of 80 applies too).
#[cfg(unix)]
fn stdout_columns() -> Option<usize> {
    let mut size = libc::winsize { ws_row: 0, ws_col: 0, ws_xpixel: 0, ws_ypixel: 0 };
    // SAFETY: TIOCGWINSZ only writes a `winsize` into the pointer we pass, which outlives the call.
    let status = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) };
    (status == 0 && size.ws_col > 0).then_some(size.ws_col as usize)
}

#[cfg(not(unix))]
fn stdout_columns() -> Option<usize> {
    None
}

/// Draws `value` (the result of operation `title`) as a table; empty results draw nothing.
pub fn render(title: &str, value: &Value, look: &Look) -> String {
    let mut builder = Builder::default();
    if !builder.add(Some(title), value, 0) {
        return String::new();
    }
    let mut sections = builder.sections;
    let mut max_width = widest(&sections);
    if max_width > look.terminal_width {
        sections.iter_mut().for_each(Section::make_vertical);
        max_width = widest(&sections);
    }
    let mut out = Out { text: String::new(), color: look.color };
    out.write(&format!("{}\n", "-".repeat(max_width)));
    for section in &sections {
        section.draw(max_width, &mut out);
    }
    out.text
}

#[derive(Default)]
struct Section {
    title: String,
    indent: usize,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    /// The widest cell (or header) of each column.
    widest: Vec<usize>,
}

impl Section {
    fn set_headers(&mut self, headers: Vec<String>) {
        self.note_widths(&headers);
        self.headers = headers;
    }

    fn add_row(&mut self, row: Vec<String>) {
        self.note_widths(&row);
        self.rows.push(row);
    }

    fn note_widths(&mut self, cells: &[String]) {
        for (i, cell) in cells.iter().enumerate() {
            match self.widest.get_mut(i) {
                Some(w) => *w = (*w).max(width(cell)),
                None => self.widest.push(width(cell)),
            }
        }
    }

    /// A section of one row with headers becomes `header | value` rows.
    fn make_vertical(&mut self) {
        if self.rows.len() != 1 || self.headers.is_empty() {
            return;
        }
        let mut vertical =
            Section { title: std::mem::take(&mut self.title), indent: self.indent, ..Section::default() };
        for (header, cell) in self.headers.iter().zip(&self.rows[0]) {
            vertical.add_row(vec![header.clone(), cell.clone()]);
        }
        *self = vertical;
    }

    /// Width of the section drawn on its own, borders and indentation included.
    fn total_width(&self) -> usize {
        let columns: usize = self.widest.iter().map(|w| w + CELL_PADDING).sum();
        let outer = 2 + 2 * self.indent;
        (columns + outer).max(width(&self.title) + outer)
    }

    /// Column widths stretched (or shrunk) to fill `max_width`, as the AWS CLI rounds them.
    fn column_widths(&self, max_width: usize) -> Vec<usize> {
        let natural: Vec<usize> = self.widest.iter().map(|w| w + CELL_PADDING).collect();
        let total: usize = natural.iter().sum();
        if natural.is_empty() {
            return natural;
        }
        let scale = max_width as f64 / total as f64;
        let mut scaled: Vec<i64> = natural.iter().map(|&w| (scale * w as f64).round_ties_even() as i64).collect();
        let mut off_by = scaled.iter().sum::<i64>() - max_width as i64;
        // Hand out the rounding error one column at a time: shrink from the left, grow from the right.
        while off_by != 0 {
            let order: Vec<usize> =
                if off_by > 0 { (0..scaled.len()).collect() } else { (0..scaled.len()).rev().collect() };
            for i in order {
                if off_by > 0 {
                    scaled[i] -= 1;
                    off_by -= 1;
                } else {
                    scaled[i] += 1;
                    off_by += 1;
                }
                if off_by == 0 {
                    break;
                }
            }
        }
        scaled.into_iter().map(|w| w.max(0) as usize).collect()
    }

    fn draw(&self, max_width: usize, out: &mut Out) {
        let inner = max_width - 2 * self.indent;
        let mut lines = Vec::new();
        if !self.title.is_empty() {
            lines.push(centered(&self.title, inner, "|", "|"));
            if self.headers.is_empty() && self.rows.is_empty() {
                lines.push(format!("+{}+", "-".repeat(inner.saturating_sub(2))));
            }
        }
        if !self.headers.is_empty() {
            let widths = self.column_widths(inner);
            lines.push(rule(&widths));
            let cells = widths.iter().zip(&self.headers).enumerate();
            lines.push(cells.map(|(i, (&w, h))| centered(h, w, if i == 0 { "|" } else { "" }, "|")).collect());
        }
        let widths = self.column_widths(inner);
        if !self.rows.is_empty() && !widths.is_empty() {
            lines.push(rule(&widths));
            for row in &self.rows {
                let cells = widths.iter().zip(row).enumerate();
                lines.push(
                    cells
                        .map(|(i, (&w, cell))| left_aligned(cell, w, if i == 0 { "|" } else { "" }, out.color))
                        .collect(),
                );
            }
            lines.push(rule(&widths));
        }
        let edge = if out.color { format!("{DIM_YELLOW}|{RESET}") } else { "|".to_owned() };
        let edges = edge.repeat(self.indent);
        for line in lines {
            // The AWS CLI writes indentation, line and newline separately; with colour on, each
            // write is followed by a reset code.
            out.write(&edges);
            out.write(&line);
            out.write(&edges);
            out.write("\n");
        }
    }
}

/// Spaces added to each column's widest cell.
const CELL_PADDING: usize = 4;
const BLUE_BOLD: &str = "\x1b[1m\x1b[34m";
const DIM_YELLOW: &str = "\x1b[2m\x1b[33m";
const RESET: &str = "\x1b[0m";

fn widest(sections: &[Section]) -> usize {
    sections.iter().map(Section::total_width).max().unwrap_or(0)
}

/// `+----+-----+` for columns of `widths`.
fn rule(widths: &[usize]) -> String {
    let mut line = String::from("+");
    for (i, w) in widths.iter().enumerate() {
        let dashes = if i == 0 { w.saturating_sub(2) } else { w.saturating_sub(1) };
        line.push_str(&"-".repeat(dashes));
        line.push('+');
    }
    line
}

/// `text` centred in `length` columns between the edges, rounding as the AWS CLI does.
fn centered(text: &str, length: usize, left: &str, right: &str) -> String {
    let text_width = width(text) as i64;
    let start = length as i64 / 2 - text_width / 2 - 1;
    let so_far = left.len() as i64 + start + text_width;
    let rest = length as i64 - right.len() as i64 - so_far;
    format!("{left}{}{text}{}{right}", spaces(start), spaces(rest))
}

/// A cell: two spaces of padding when it fits, then the text, then spaces to the separator.
fn left_aligned(text: &str, length: usize, left: &str, color: bool) -> String {
    let text_width = width(text);
    // Fits when text, padding, left edge and the one-column separator take at most `length`.
    let padding = if text_width + 2 + left.len() < length { 2 } else { 0 };
    let rest = length as i64 - (left.len() + padding + text_width) as i64 - 1;
    let shown = if color { format!("{BLUE_BOLD}{text}{RESET}") } else { text.to_owned() };
    format!("{left}{}{shown}{}|", " ".repeat(padding), spaces(rest))
}

fn spaces(count: i64) -> String {
    " ".repeat(count.max(0) as usize)
}

/// The output, with colorama's reset after every write when colour is on.
struct Out {
    text: String,
    color: bool,
}

impl Out {
    fn write(&mut self, text: &str) {
        self.text.push_str(text);
        if self.color {
            self.text.push_str(RESET);
        }
    }
}

/// Turns a result into sections, following the AWS CLI's table formatter.
#[derive(Default)]
struct Builder {
    sections: Vec<Section>,
}

impl Builder {
    fn current(&mut self) -> &mut Section {
        if self.sections.is_empty() {
            self.sections.push(Section::default());
        }
        self.sections.last_mut().expect("just ensured")
    }

    fn new_section(&mut self, title: &str, indent: usize) {
        self.sections.push(Section { title: title.to_owned(), indent, ..Section::default() });
    }

    /// Adds `value` under `title`; false when it is empty (Python-falsy) and adds nothing.
    fn add(&mut self, title: Option<&str>, value: &Value, indent: usize) -> bool {
        if is_falsy(value) {
            return false;
        }
        if let Some(title) = title {
            self.new_section(title, indent);
        }
        match value {
            Value::Array(items) if items[0].is_object() => self.add_objects(items, indent, title.unwrap_or("")),
            Value::Array(items) => {
                for item in items {
                    match item {
                        Value::Array(inner) if inner.iter().all(is_scalar) => {
                            self.current().add_row(inner.iter().map(cell).collect())
                        }
                        // An object here contributes its keys, as Python iterates a dict.
                        Value::Object(map) => self.current().add_row(map.keys().cloned().collect()),
                        Value::Array(_) => {
                            self.add(None, item, 0);
                        }
                        scalar => self.current().add_row(vec![cell(scalar)]),
                    }
                }
            }
            Value::Object(map) => self.add_object(map, indent),
            _ => {}
        }
        true
    }

    fn add_object(&mut self, map: &serde_json::Map<String, Value>, indent: usize) {
        let (scalars, nested) = split_keys(map);
        match scalars.as_slice() {
            [] => {}
            [only] => self.current().add_row(vec![only.clone(), cell(&map[only])]),
            _ => {
                let row = scalars.iter().map(|k| cell(&map[k])).collect();
                self.current().set_headers(scalars);
                self.current().add_row(row);
            }
        }
        for key in nested {
            self.add(Some(&key), &map[&key], indent + 1);
        }
    }

    /// A list of objects: one header row of every scalar key, one row per object, and each
    /// object's nested values after its row (under a repeated title when there are any).
    fn add_objects(&mut self, items: &[Value], indent: usize, title: &str) {
        let mut headers = Vec::new();
        let mut nested = Vec::new();
        for map in items.iter().filter_map(Value::as_object) {
            let (s, n) = split_keys(map);
            headers.extend(s);
            nested.extend(n);
        }
        for keys in [&mut headers, &mut nested] {
            keys.sort();
            keys.dedup();
        }
        self.current().set_headers(headers.clone());
        for (i, item) in items.iter().enumerate() {
            if i > 0 && !nested.is_empty() {
                self.new_section(title, indent);
                self.current().set_headers(headers.clone());
            }
            let row = headers.iter().map(|h| item.get(h).map(cell).unwrap_or_default()).collect();
            self.current().add_row(row);
            for key in &nested {
                if let Some(inner) = item.get(key) {
                    self.add(Some(key), inner, indent + 1);
                }
            }
        }
    }
}

/// Sorted keys of scalar values, then sorted keys of nested values.
fn split_keys(map: &serde_json::Map<String, Value>) -> (Vec<String>, Vec<String>) {
    let (mut scalars, mut nested): (Vec<String>, Vec<String>) = map.keys().cloned().partition(|k| is_scalar(&map[k]));
    scalars.sort();
    nested.sort();
    (scalars, nested)
}

fn is_falsy(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
    }
}

/// Whether a value is a scalar (neither an object nor an array).
pub fn is_scalar(value: &Value) -> bool {
    !matches!(value, Value::Object(_) | Value::Array(_))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(title: &str, value: Value) -> String {
        render(title, &value, &Look { color: false, terminal_width: 80 })
    }

    #[test]
    fn a_result_with_nested_objects_and_lists() {
        let value = serde_json::json!({
            "Location": "https://x/I1",
            "Invalidation": {"Id": "I1", "Status": "InProgress",
                "InvalidationBatch": {"Paths": {"Quantity": 2, "Items": ["/a", "/b"]}, "CallerReference": "r"}}
        });
        // Drawn by the AWS CLI's own table formatter from the same value.
        let expected = "\
------------------------------
|     CreateInvalidation     |
+-----------+----------------+
|  Location |  https://x/I1  |
+-----------+----------------+
||       Invalidation       ||
|+------+-------------------+|
||  Id  |      Status       ||
|+------+-------------------+|
||  I1  |  InProgress       ||
|+------+-------------------+|
|||    InvalidationBatch   |||
||+-------------------+----+||
|||  CallerReference  |  r |||
||+-------------------+----+||
||||         Paths        ||||
|||+---------------+------+|||
||||  Quantity     |  2   ||||
|||+---------------+------+|||
|||||        Items       |||||
||||+--------------------+||||
|||||  /a                |||||
|||||  /b                |||||
||||+--------------------+||||
";
        assert_eq!(plain("CreateInvalidation", value), expected);
    }

    #[test]
    fn empty_results_draw_nothing_and_scalars_only_a_title() {
        assert_eq!(plain("GetInvalidation", serde_json::json!({})), "");
        assert_eq!(
            plain("GetInvalidation", serde_json::json!("I1")),
            "-----------------\n|GetInvalidation|\n+---------------+\n"
        );
    }

    #[test]
    fn wide_tables_turn_vertical() {
        let long = "x".repeat(70);
        let drawn = plain("Op", serde_json::json!({"A": long, "B": "y"}));
        // As the AWS CLI draws it: header | value rows, still one column wider than 80.
        let lines: Vec<&str> = drawn.lines().collect();
        assert_eq!(lines[2], format!("+---+{}+", "-".repeat(75)));
        assert_eq!(lines[3], format!("|  A|  {long}   |"));
        assert_eq!(lines[4], format!("|  B|  y{}|", " ".repeat(72)));
    }

    #[test]
    fn colour_follows_colorama_with_autoreset() {
        let drawn = render("Op", &serde_json::json!({"A": "a"}), &Look { color: true, terminal_width: 80 });
        // What the AWS CLI prints for the same value with `--color on`.
        let expected = "------------\n\x1b[0m\x1b[0m|    Op    |\x1b[0m\x1b[0m\n\x1b[0m\x1b[0m+----+-----+\x1b[0m\x1b[0m\n\x1b[0m\x1b[0m|  \x1b[1m\x1b[34mA\x1b[0m |  \x1b[1m\x1b[34ma\x1b[0m  |\x1b[0m\x1b[0m\n\x1b[0m\x1b[0m+----+-----+\x1b[0m\x1b[0m\n\x1b[0m";
        assert_eq!(drawn, expected);
    }
}
