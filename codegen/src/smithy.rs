//! Stage 1 (load): the Smithy 2.0 JSON AST as typed Rust values.
//!
//! Only the structure of the AST is typed here; trait values stay JSON and are read through
//! the accessors on [`Traits`], which name the traits the generator understands.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

/// A whole model file: `{"smithy": "2.0", "shapes": {...}}`.
#[derive(Debug, Deserialize)]
pub struct Model {
    /// The IDL version, `2.0` (or `1.0`, read the same way).
    pub smithy: String,
    /// Every shape by absolute id (`namespace#Name`).
    pub shapes: BTreeMap<String, Shape>,
}

impl Model {
    /// Parses a model from JSON text.
    pub fn from_json(text: &str) -> Result<Model, String> {
        serde_json::from_str(text).map_err(|e| format!("not a Smithy JSON AST model: {e}"))
    }

    /// A shape by id, or an error naming the missing id.
    pub fn shape(&self, id: &str) -> Result<&Shape, String> {
        self.shapes.get(id).ok_or_else(|| format!("shape {id} is referenced but not defined in the model"))
    }
}

/// The name part of a shape id (`com.example#Foo` -> `Foo`).
pub fn shape_name(id: &str) -> &str {
    id.rsplit_once('#').map_or(id, |(_, name)| name)
}

/// A reference to another shape.
#[derive(Clone, Debug, Deserialize)]
pub struct Target {
    /// The absolute id of the target.
    pub target: String,
}

/// A member of an aggregate shape.
#[derive(Clone, Debug, Deserialize)]
pub struct Member {
    /// The absolute id of the member's target.
    pub target: String,
    /// Traits applied to the member.
    #[serde(default)]
    pub traits: Traits,
}

/// A shape and its kind-specific parts.
#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Shape {
    Blob(Simple),
    Boolean(Simple),
    String(Simple),
    Byte(Simple),
    Short(Simple),
    Integer(Simple),
    Long(Simple),
    Float(Simple),
    Double(Simple),
    BigInteger(Simple),
    BigDecimal(Simple),
    Timestamp(Simple),
    Document(Simple),
    Enum(Aggregate),
    IntEnum(Aggregate),
    List(Collection),
    Set(Collection),
    Map(MapShape),
    Structure(Aggregate),
    Union(Aggregate),
    Service(Service),
    Operation(Operation),
    Resource(Simple),
}

impl Shape {
    /// The shape's own traits.
    pub fn traits(&self) -> &Traits {
        match self {
            Shape::Blob(s)
            | Shape::Boolean(s)
            | Shape::String(s)
            | Shape::Byte(s)
            | Shape::Short(s)
            | Shape::Integer(s)
            | Shape::Long(s)
            | Shape::Float(s)
            | Shape::Double(s)
            | Shape::BigInteger(s)
            | Shape::BigDecimal(s)
            | Shape::Timestamp(s)
            | Shape::Document(s)
            | Shape::Resource(s) => &s.traits,
            Shape::Enum(a) | Shape::IntEnum(a) | Shape::Structure(a) | Shape::Union(a) => &a.traits,
            Shape::List(c) | Shape::Set(c) => &c.traits,
            Shape::Map(m) => &m.traits,
            Shape::Service(s) => &s.traits,
            Shape::Operation(o) => &o.traits,
        }
    }
}

/// A simple shape: only traits.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Simple {
    #[serde(default)]
    pub traits: Traits,
}

/// A structure, union, enum or intEnum: named members.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Aggregate {
    /// Members in model order (the JSON AST keeps declaration order; we preserve it).
    #[serde(default, deserialize_with = "ordered_members")]
    pub members: Vec<(String, Member)>,
    #[serde(default)]
    pub traits: Traits,
}

/// A list or set.
#[derive(Clone, Debug, Deserialize)]
pub struct Collection {
    pub member: Member,
    #[serde(default)]
    pub traits: Traits,
}

/// A map.
#[derive(Clone, Debug, Deserialize)]
pub struct MapShape {
    pub key: Member,
    pub value: Member,
    #[serde(default)]
    pub traits: Traits,
}

/// A service shape.
#[derive(Clone, Debug, Deserialize)]
pub struct Service {
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub operations: Vec<Target>,
    #[serde(default)]
    pub resources: Vec<Target>,
    #[serde(default)]
    pub errors: Vec<Target>,
    #[serde(default)]
    pub traits: Traits,
}

/// An operation shape.
#[derive(Clone, Debug, Deserialize)]
pub struct Operation {
    pub input: Option<Target>,
    pub output: Option<Target>,
    #[serde(default)]
    pub errors: Vec<Target>,
    #[serde(default)]
    pub traits: Traits,
}

/// Member order matters (it is the XML element order), and serde_json's map type would sort
/// keys, so members are read as an ordered list of pairs.
fn ordered_members<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<(String, Member)>, D::Error> {
    struct Visitor;
    impl<'de> serde::de::Visitor<'de> for Visitor {
        type Value = Vec<(String, Member)>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object of members")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut members = Vec::new();
            while let Some((name, member)) = map.next_entry::<String, Member>()? {
                members.push((name, member));
            }
            Ok(members)
        }
    }
    d.deserialize_map(Visitor)
}

/// The traits applied to a shape or member, by absolute trait id.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(transparent)]
pub struct Traits(pub BTreeMap<String, Value>);

impl Traits {
    /// Whether a trait is present.
    pub fn has(&self, id: &str) -> bool {
        self.0.contains_key(id)
    }

    /// A trait's value.
    pub fn get(&self, id: &str) -> Option<&Value> {
        self.0.get(id)
    }

    /// A trait whose value is a string.
    pub fn string(&self, id: &str) -> Option<&str> {
        self.0.get(id).and_then(Value::as_str)
    }

    /// `smithy.api#documentation`.
    /// The documentation, unless it has no text outside its markup (S3's `<p></p>`), which
    /// counts as none so the generator's fallback applies.
    pub fn documentation(&self) -> Option<&str> {
        self.string("smithy.api#documentation").filter(|text| has_text(text))
    }
}

/// Whether HTML documentation has any text outside its tags.
fn has_text(html: &str) -> bool {
    let mut in_tag = false;
    html.chars().any(|c| match c {
        '<' => {
            in_tag = true;
            false
        }
        '>' => {
            in_tag = false;
            false
        }
        c => !in_tag && !c.is_whitespace(),
    })
}
