//! Tokens to a syntax tree: a Pratt (top-down operator precedence) parser using jmespath.py's
//! binding powers, so the same texts parse, to the same shapes, including its leniencies
//! (`f(a b)`, `f(a,)`, `{a: x b: y}` are accepted).

use super::lexer::{Tok, Token};
use super::{Caret, MAX_DEPTH, ParseError};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub kind: Kind,
    /// Height of this subtree, kept so that nesting is bounded while the tree is built.
    depth: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    /// `@`, and the implied operand of `[*]`, `*`, `[0]`, `[?...]` with nothing on their left.
    Current,
    Field(String),
    Literal(Value),
    Index(i64),
    Slice([Option<i64>; 3]),
    /// Each step applied to the previous result: `a.b.c`, `a | b`.
    Chain(Vec<Node>),
    /// `a[0][1]`: a chain too, but jmespath.py appends a slice to it without starting a projection.
    Indexed(Vec<Node>),
    /// `lhs[*]rhs` and friends: rhs on each element of the array lhs, nulls dropped.
    Projection(Box<Node>, Box<Node>),
    /// `lhs.*rhs`: rhs on each value of the object lhs, nulls dropped.
    ValueProjection(Box<Node>, Box<Node>),
    /// `lhs[?condition]rhs`.
    Filter(Box<Node>, Box<Node>, Box<Node>),
    Flatten(Box<Node>),
    /// `a == b` and the other comparisons; the operator is kept as its token.
    Compare(Tok, Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    And(Box<Node>, Box<Node>),
    Not(Box<Node>),
    List(Vec<Node>),
    Hash(Vec<(String, Node)>),
    ExpRef(Box<Node>),
    Call(String, Vec<Node>),
}

const PROJECTION_STOP: u8 = 10;

pub(crate) fn parse(tokens: Vec<Token>) -> Result<Node, ParseError> {
    let mut parser = Parser { tokens, at: 0, nesting: 0 };
    let node = parser.expression(0)?;
    if *parser.peek() == Tok::Eof {
        return Ok(node);
    }
    let text = parser.tokens[parser.at].text.clone();
    Err(parser.error_here(&format!("Unexpected token: {text}")))
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    /// Open `expression()` calls: bounds the parser's own recursion.
    nesting: usize,
}

impl Parser {
    fn peek(&self) -> &Tok {
        self.peek_at(0)
    }

    fn peek_at(&self, ahead: usize) -> &Tok {
        // The token list always ends with Eof, and nothing advances past it.
        self.tokens.get(self.at + ahead).or(self.tokens.last()).map_or(&Tok::Eof, |t| &t.tok)
    }

    fn advance(&mut self) -> Token {
        let token = self.tokens[self.at.min(self.tokens.len() - 1)].clone();
        if self.at + 1 < self.tokens.len() {
            self.at += 1;
        }
        token
    }

    fn error_at(&self, token: &Token, reason: &str) -> ParseError {
        if token.tok == Tok::Eof {
            return ParseError::new("Invalid jmespath expression: Incomplete expression", Caret::Incomplete);
        }
        ParseError::new(
            format!(
                "{reason}: Parse error at column {}, token \"{}\" ({})",
                token.pos,
                token.text,
                token.tok.name().to_uppercase()
            ),
            Caret::Parser(token.pos),
        )
    }

    fn error_here(&self, reason: &str) -> ParseError {
        self.error_at(&self.tokens[self.at.min(self.tokens.len() - 1)], reason)
    }

    fn expect(&mut self, want: Tok) -> Result<(), ParseError> {
        if *self.peek() != want {
            return Err(self.error_here(&format!("Expecting: {}, got: {}", want.name(), self.peek().name())));
        }
        self.advance();
        Ok(())
    }

    /// Wraps `kind` in a node, refusing trees taller than MAX_DEPTH so evaluation cannot overflow.
    fn node(&self, kind: Kind) -> Result<Node, ParseError> {
        let height = |nodes: &mut dyn Iterator<Item = &Node>| nodes.map(|n| n.depth).max().unwrap_or(0);
        let below = match &kind {
            Kind::Chain(v) | Kind::Indexed(v) | Kind::List(v) | Kind::Call(_, v) => height(&mut v.iter()),
            Kind::Hash(pairs) => height(&mut pairs.iter().map(|(_, n)| n)),
            Kind::Projection(a, b) | Kind::ValueProjection(a, b) | Kind::Compare(_, a, b) => a.depth.max(b.depth),
            Kind::Or(a, b) | Kind::And(a, b) => a.depth.max(b.depth),
            Kind::Filter(a, b, c) => a.depth.max(b.depth).max(c.depth),
            Kind::Flatten(a) | Kind::Not(a) | Kind::ExpRef(a) => a.depth,
            Kind::Current | Kind::Field(_) | Kind::Literal(_) | Kind::Index(_) | Kind::Slice(_) => 0,
        };
        self.sized(kind, below + 1)
    }

    fn sized(&self, kind: Kind, depth: usize) -> Result<Node, ParseError> {
        if depth > MAX_DEPTH {
            return Err(self.error_here(&format!("nested deeper than {MAX_DEPTH} levels")));
        }
        Ok(Node { kind, depth })
    }

    fn current(&self) -> Node {
        Node { kind: Kind::Current, depth: 1 }
    }

    /// Appends `step` to a chain (`Chain` or `Indexed`), or makes a new chain of `left, step`.
    /// (Appending updates the height in O(1): long `a.b.c...` chains stay linear to parse.)
    fn chain(&self, left: Node, step: Node, indexed: bool) -> Result<Node, ParseError> {
        let depth = left.depth.max(step.depth + 1);
        match left.kind {
            Kind::Chain(mut steps) if !indexed => {
                steps.push(step);
                self.sized(Kind::Chain(steps), depth)
            }
            Kind::Indexed(mut steps) if indexed => {
                steps.push(step);
                self.sized(Kind::Indexed(steps), depth)
            }
            kind => {
                let left = Node { kind, depth: left.depth };
                self.node(if indexed { Kind::Indexed(vec![left, step]) } else { Kind::Chain(vec![left, step]) })
            }
        }
    }

    /// An expression whose operators all bind tighter than `rbp`.
    fn expression(&mut self, rbp: u8) -> Result<Node, ParseError> {
        self.nesting += 1;
        if self.nesting > MAX_DEPTH {
            return Err(self.error_here(&format!("nested deeper than {MAX_DEPTH} levels")));
        }
        let token = self.advance();
        let mut left = self.prefix(token)?;
        while rbp < self.peek().bp() {
            let token = self.advance();
            left = self.infix(token, left)?;
        }
        self.nesting -= 1;
        Ok(left)
    }

    /// A token at the start of an expression. Like `infix`, a thin dispatcher, so that the
    /// recursive path keeps small stack frames even in debug builds.
    fn prefix(&mut self, token: Token) -> Result<Node, ParseError> {
        match token.tok {
            Tok::Literal(value) => self.node(Kind::Literal(value)),
            Tok::Ident(name) => self.node(Kind::Field(name)),
            Tok::Quoted(_) if *self.peek() == Tok::LParen => {
                Err(self.error_here("Quoted identifier not allowed for function names."))
            }
            Tok::Quoted(name) => self.node(Kind::Field(name)),
            Tok::Current => self.node(Kind::Current),
            Tok::Star => self.star(),
            Tok::Filter => self.filter(self.current()),
            Tok::LBrace => self.multi_hash(),
            Tok::LParen => self.parenthesized(),
            Tok::Flatten => self.flatten(self.current()),
            Tok::Not => self.unary(45, Kind::Not),
            Tok::Expref => self.unary(0, Kind::ExpRef),
            Tok::LBracket => self.bracket(),
            _ => Err(self.error_at(&token, "invalid token")),
        }
    }

    /// A token after a complete expression `left`.
    fn infix(&mut self, token: Token, left: Node) -> Result<Node, ParseError> {
        match token.tok {
            Tok::Dot => self.dot(left),
            Tok::Pipe => self.pipe(left),
            Tok::Or => self.binary(left, 2, Kind::Or),
            Tok::And => self.binary(left, 3, Kind::And),
            op @ (Tok::Eq | Tok::Ne | Tok::Lt | Tok::Lte | Tok::Gt | Tok::Gte) => {
                let right = self.expression(5)?;
                self.node(Kind::Compare(op, Box::new(left), Box::new(right)))
            }
            Tok::LParen => self.call(left),
            Tok::Filter => self.filter(left),
            Tok::Flatten => self.flatten(left),
            Tok::LBracket => self.bracket_after(left),
            _ => Err(self.error_at(&token, "invalid token")),
        }
    }

    fn unary(&mut self, rbp: u8, wrap: fn(Box<Node>) -> Kind) -> Result<Node, ParseError> {
        let inner = self.expression(rbp)?;
        self.node(wrap(Box::new(inner)))
    }

    fn binary(&mut self, left: Node, rbp: u8, wrap: fn(Box<Node>, Box<Node>) -> Kind) -> Result<Node, ParseError> {
        let right = self.expression(rbp)?;
        self.node(wrap(Box::new(left), Box::new(right)))
    }

    fn parenthesized(&mut self) -> Result<Node, ParseError> {
        let inner = self.expression(0)?;
        self.expect(Tok::RParen)?;
        Ok(inner)
    }

    /// `*` at the start: a projection of the current object's values.
    fn star(&mut self) -> Result<Node, ParseError> {
        let rhs = if *self.peek() == Tok::RBracket { self.current() } else { self.projection_rhs(20)? };
        self.node(Kind::ValueProjection(Box::new(self.current()), Box::new(rhs)))
    }

    /// `left[]` (or `[]` alone): flatten, then project the rest.
    fn flatten(&mut self, left: Node) -> Result<Node, ParseError> {
        let flat = self.node(Kind::Flatten(Box::new(left)))?;
        let rhs = self.projection_rhs(9)?;
        self.node(Kind::Projection(Box::new(flat), Box::new(rhs)))
    }

    fn dot(&mut self, left: Node) -> Result<Node, ParseError> {
        if *self.peek() == Tok::Star {
            self.advance();
            let rhs = self.projection_rhs(40)?;
            return self.node(Kind::ValueProjection(Box::new(left), Box::new(rhs)));
        }
        let step = self.dot_rhs(40)?;
        self.chain(left, step, false)
    }

    fn pipe(&mut self, left: Node) -> Result<Node, ParseError> {
        let step = self.expression(1)?;
        self.chain(left, step, false)
    }

    /// `name(args)`: only a plain identifier can be called.
    fn call(&mut self, left: Node) -> Result<Node, ParseError> {
        let Kind::Field(name) = left.kind else {
            let name = &self.tokens[self.at.saturating_sub(2)];
            return Err(self.error_at(name, &format!("Invalid function name '{}'", name.text)));
        };
        let mut args = Vec::new();
        while *self.peek() != Tok::RParen {
            args.push(self.expression(0)?);
            if *self.peek() == Tok::Comma {
                self.advance();
            }
        }
        self.advance();
        self.node(Kind::Call(name, args))
    }

    /// `[` at the start: `[0]`, `[1:2]`, `[*]` or a multi-select list `[a, b]`.
    fn bracket(&mut self) -> Result<Node, ParseError> {
        match (self.peek(), self.peek_at(1)) {
            (Tok::Number(_) | Tok::Colon, _) => {
                let index = self.index_or_slice()?;
                self.index_on(self.current(), index)
            }
            (Tok::Star, Tok::RBracket) => {
                self.advance();
                self.advance();
                let rhs = self.projection_rhs(20)?;
                self.node(Kind::Projection(Box::new(self.current()), Box::new(rhs)))
            }
            _ => self.multi_list(),
        }
    }

    /// `[` after `left`: `left[0]`, `left[1:2]` or `left[*]`.
    fn bracket_after(&mut self, left: Node) -> Result<Node, ParseError> {
        if matches!(self.peek(), Tok::Number(_) | Tok::Colon) {
            let index = self.index_or_slice()?;
            return self.index_on(left, index);
        }
        self.expect(Tok::Star)?;
        self.expect(Tok::RBracket)?;
        let rhs = self.projection_rhs(20)?;
        self.node(Kind::Projection(Box::new(left), Box::new(rhs)))
    }

    /// `[?condition]` then the projected rest, after `left`.
    fn filter(&mut self, left: Node) -> Result<Node, ParseError> {
        let condition = self.expression(0)?;
        self.expect(Tok::RBracket)?;
        let rhs = if *self.peek() == Tok::Flatten { self.current() } else { self.projection_rhs(21)? };
        self.node(Kind::Filter(Box::new(left), Box::new(condition), Box::new(rhs)))
    }

    /// After `[`: `n]` or `start:stop:step]`.
    fn index_or_slice(&mut self) -> Result<Node, ParseError> {
        if *self.peek() != Tok::Colon && *self.peek_at(1) != Tok::Colon {
            let Tok::Number(n) = *self.peek() else { return Err(self.error_here("syntax error")) };
            self.advance();
            self.expect(Tok::RBracket)?;
            return self.node(Kind::Index(n));
        }
        let mut parts = [None; 3];
        let mut part = 0;
        while *self.peek() != Tok::RBracket {
            match *self.peek() {
                Tok::Colon if part < 2 => part += 1,
                Tok::Number(n) => parts[part] = Some(n),
                _ => return Err(self.error_here("syntax error")),
            }
            self.advance();
        }
        self.advance();
        self.node(Kind::Slice(parts))
    }

    /// `left[index]`; a slice projects what follows, unless `left` is already an index chain.
    fn index_on(&mut self, left: Node, index: Node) -> Result<Node, ParseError> {
        let appended = matches!(left.kind, Kind::Indexed(_));
        let is_slice = matches!(index.kind, Kind::Slice(_));
        let indexed = self.chain(left, index, true)?;
        if appended || !is_slice {
            return Ok(indexed);
        }
        let rhs = self.projection_rhs(20)?;
        self.node(Kind::Projection(Box::new(indexed), Box::new(rhs)))
    }

    /// What a projection applies to each element: nothing if a weak token follows.
    fn projection_rhs(&mut self, rbp: u8) -> Result<Node, ParseError> {
        match self.peek() {
            tok if tok.bp() < PROJECTION_STOP => Ok(self.current()),
            Tok::LBracket | Tok::Filter => self.expression(rbp),
            Tok::Dot => {
                self.advance();
                self.dot_rhs(rbp)
            }
            _ => Err(self.error_here("syntax error")),
        }
    }

    /// After `.`: an identifier (maybe a function call), `*`, `[a, b]` or `{k: v}`.
    fn dot_rhs(&mut self, rbp: u8) -> Result<Node, ParseError> {
        match self.peek() {
            Tok::Ident(_) | Tok::Quoted(_) | Tok::Star => self.expression(rbp),
            Tok::LBracket => {
                self.advance();
                self.multi_list()
            }
            Tok::LBrace => {
                self.advance();
                self.multi_hash()
            }
            tok => {
                let got = tok.name();
                Err(self.error_here(&format!(
                    "Expecting: ['quoted_identifier', 'unquoted_identifier', 'lbracket', 'lbrace'], got: {got}"
                )))
            }
        }
    }

    /// After `[`: `a, b, ...]`.
    fn multi_list(&mut self) -> Result<Node, ParseError> {
        let mut items = vec![self.expression(0)?];
        while *self.peek() != Tok::RBracket {
            self.expect(Tok::Comma)?;
            items.push(self.expression(0)?);
        }
        self.advance();
        self.node(Kind::List(items))
    }

    /// After `{`: `key: value, ...}`; keys keep their written order.
    fn multi_hash(&mut self) -> Result<Node, ParseError> {
        let mut pairs = Vec::new();
        loop {
            let key = match self.peek().clone() {
                Tok::Ident(key) | Tok::Quoted(key) => key,
                tok => {
                    let msg = format!("Expecting: ['quoted_identifier', 'unquoted_identifier'], got: {}", tok.name());
                    return Err(self.error_here(&msg));
                }
            };
            self.advance();
            self.expect(Tok::Colon)?;
            pairs.push((key, self.expression(0)?));
            match self.peek() {
                Tok::Comma => {
                    self.advance();
                }
                Tok::RBrace => {
                    self.advance();
                    return self.node(Kind::Hash(pairs));
                }
                _ => {}
            }
        }
    }
}
