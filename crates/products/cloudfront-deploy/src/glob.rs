//! Shell-style patterns, matched as the AWS CLI's `--exclude`/`--include` match them (Python's
//! `fnmatch`): `*` any run of characters, `/` included; `?` one character; `[seq]` and
//! `[!seq]` one character in (or not in) a set with ranges; everything else literally,
//! case-sensitive. CloudFront's cache-behaviour path patterns use the same `*` and `?`, with
//! no sets.

/// One piece of a compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(char),
    AnyOne,
    AnyRun,
    /// A `[...]` set: its single characters and ranges, and whether it is negated.
    Set {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

/// A compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    text: String,
    tokens: Vec<Token>,
}

impl Glob {
    /// A pattern as the AWS CLI's filters read it (with `[...]` sets).
    pub fn shell(pattern: &str) -> Glob {
        Glob { text: pattern.to_owned(), tokens: compile(pattern, true) }
    }

    /// A CloudFront path pattern (`*` and `?` only; a leading `/` is implied).
    pub fn path_pattern(pattern: &str) -> Glob {
        let text = if pattern.starts_with('/') { pattern.to_owned() } else { format!("/{pattern}") };
        let tokens = compile(&text, false);
        Glob { text, tokens }
    }

    /// The pattern as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the whole of `text` matches.
    pub fn matches(&self, text: &str) -> bool {
        let text: Vec<char> = text.chars().collect();
        let (mut t, mut p) = (0, 0);
        // Where the last `*` was, and how much of the text it had taken: a failed match
        // backtracks there with one more character (only `*` takes a variable amount).
        let mut star: Option<(usize, usize)> = None;
        while t < text.len() {
            match self.tokens.get(p) {
                Some(Token::AnyRun) => {
                    star = Some((p, t));
                    p += 1;
                }
                Some(token) if one_matches(token, text[t]) => {
                    p += 1;
                    t += 1;
                }
                _ => match star {
                    Some((star_p, star_t)) => {
                        star = Some((star_p, star_t + 1));
                        p = star_p + 1;
                        t = star_t + 1;
                    }
                    None => return false,
                },
            }
        }
        self.tokens[p..].iter().all(|token| *token == Token::AnyRun)
    }
}

fn one_matches(token: &Token, c: char) -> bool {
    match token {
        Token::Literal(l) => *l == c,
        Token::AnyOne => true,
        Token::AnyRun => false,
        Token::Set { negated, ranges } => ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c)) != *negated,
    }
}

fn compile(pattern: &str, sets: bool) -> Vec<Token> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' => {
                if tokens.last() != Some(&Token::AnyRun) {
                    tokens.push(Token::AnyRun);
                }
            }
            '?' => tokens.push(Token::AnyOne),
            '[' if sets => match set(&chars, i) {
                Some((token, end)) => {
                    tokens.push(token);
                    i = end;
                }
                // An unclosed `[` is a literal, as in fnmatch.
                None => tokens.push(Token::Literal('[')),
            },
            c => tokens.push(Token::Literal(c)),
        }
        i += 1;
    }
    tokens
}

/// The set starting at `chars[open]` (a `[`) and the index of its `]`, read as fnmatch reads
/// it: `!` first negates, a `]` right after the opening (or after `!`) is a member.
fn set(chars: &[char], open: usize) -> Option<(Token, usize)> {
    let mut i = open + 1;
    let negated = chars.get(i) == Some(&'!');
    if negated {
        i += 1;
    }
    let first = i;
    let close = (first..chars.len()).find(|&j| chars[j] == ']' && j > first)?;
    let members = &chars[first..close];
    let mut ranges = Vec::new();
    let mut m = 0;
    while m < members.len() {
        if m + 2 < members.len() && members[m + 1] == '-' {
            // A reversed range matches nothing, as in fnmatch.
            if members[m] <= members[m + 2] {
                ranges.push((members[m], members[m + 2]));
            }
            m += 3;
        } else {
            ranges.push((members[m], members[m]));
            m += 1;
        }
    }
    Some((Token::Set { negated, ranges }, close))
}

/// `--exclude` / `--include`, in the order given: every file is included, then each filter
/// that matches it decides again, so the last matching one wins (as in `aws s3 sync`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    rules: Vec<(bool, Glob)>,
}

impl Filters {
    /// Adds `--exclude PATTERN` (`include` false) or `--include PATTERN`.
    pub fn push(&mut self, include: bool, pattern: &str) {
        self.rules.push((include, Glob::shell(pattern)));
    }

    /// Whether `relative` (a path under the source directory or the S3 prefix, with `/`
    /// separators) takes part in the deploy.
    pub fn includes(&self, relative: &str) -> bool {
        self.rules.iter().rev().find(|(_, glob)| glob.matches(relative)).is_none_or(|(include, _)| *include)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_cross_slashes_and_sets_read_as_fnmatch() {
        let cases: &[(&str, &str, bool)] = &[
            ("*.txt", "a/b/c.txt", true),
            ("*.txt", "a/b/c.txtx", false),
            ("a/*", "a/b/c", true),
            ("?.js", "a.js", true),
            ("?.js", "ab.js", false),
            ("[ab].css", "b.css", true),
            ("[!ab].css", "b.css", false),
            ("[!ab].css", "c.css", true),
            ("[a-c]x", "bx", true),
            ("[c-a]x", "bx", false),
            ("[]]x", "]x", true),
            ("[x", "[x", true),
            ("*a*b*c", "xaxxbxxc", true),
            ("*a*b*c", "xaxxcxxb", false),
            ("", "", true),
            ("**", "", true),
            ("Index.html", "index.html", false),
        ];
        for (pattern, text, expected) in cases {
            assert_eq!(Glob::shell(pattern).matches(text), *expected, "{pattern:?} against {text:?}");
        }
    }

    #[test]
    fn path_patterns_imply_the_leading_slash_and_have_no_sets() {
        assert!(Glob::path_pattern("images/*.jpg").matches("/images/a/b.jpg"));
        assert!(Glob::path_pattern("/images/*").matches("/images/x"));
        assert!(!Glob::path_pattern("/images/*").matches("/img/x"));
        assert!(Glob::path_pattern("/a[1].html").matches("/a[1].html"));
        assert!(Glob::path_pattern("*").matches("/anything"));
    }

    #[test]
    fn the_last_matching_filter_wins() {
        let mut filters = Filters::default();
        assert!(filters.includes("a.txt"));
        filters.push(false, "*");
        filters.push(true, "*.html");
        assert!(filters.includes("docs/a.html"));
        assert!(!filters.includes("docs/a.css"));
        filters.push(false, "drafts/*");
        assert!(!filters.includes("drafts/a.html"));
    }
}
