//! Shapes as data: what generated crates emit (in their `schema` module) so tools can build
//! inputs from text, such as a CLI reading shorthand syntax or printing input skeletons,
//! without knowing the service.
//!
//! These types are built only by generated code (as `static` data), which is generated for the
//! version of this crate it builds against; so they stay plain structs and enums, constructible
//! in a `const`, rather than `#[non_exhaustive]`.

/// The type of a value.
#[derive(Debug)]
pub enum Kind {
    /// Text.
    String,
    /// `true` or `false`.
    Boolean,
    /// A 32-bit (or smaller) integer.
    Integer,
    /// A 64-bit integer.
    Long,
    /// A 32-bit float.
    Float,
    /// A 64-bit float.
    Double,
    /// Timestamps are written as ISO 8601 text.
    Timestamp,
    /// Blobs are written as base64 text.
    Blob,
    /// A string enum and its known values.
    Enum(&'static [&'static str]),
    /// A list of values of one kind.
    List(&'static Kind),
    /// A map with string keys.
    Map(&'static Kind),
    /// A structure's members, in model order.
    Structure(&'static [Field]),
    /// A union: exactly one of its members is set.
    Union(&'static [Field]),
}

/// A member of a structure or union.
#[derive(Debug)]
pub struct Field {
    /// The member name, as in the JSON the AWS CLI reads and prints.
    pub name: &'static str,
    /// The member's type.
    pub kind: &'static Kind,
    /// Whether the member must be set.
    pub required: bool,
    /// The member's documentation as plain text (paragraphs separated by a blank line).
    pub doc: &'static str,
    /// A count the client derives from a list member of the same structure, by that
    /// member's name (CloudFront's `Quantity` of `Items`): left out, it is counted.
    pub counts: Option<&'static str>,
}

/// An operation's input and output shapes.
#[derive(Debug)]
pub struct OperationSchema {
    /// `CreateInvalidation`.
    pub name: &'static str,
    /// The operation's documentation, first paragraph.
    pub summary: &'static str,
    /// The operation's whole documentation as plain text (paragraphs separated by a blank line).
    pub doc: &'static str,
    /// The input structure.
    pub input: &'static Kind,
    /// The output structure.
    pub output: &'static Kind,
    /// How the operation pages its results, if it does.
    pub pagination: Option<Pagination>,
    /// The waiters that poll this operation, by name.
    pub waiters: &'static [&'static str],
}

/// The members that carry paging state (`smithy.api#paginated`), as dotted member paths.
#[derive(Debug)]
pub struct Pagination {
    /// The input member that takes the token (`Marker`).
    pub input_token: &'static str,
    /// Where the next token is in the output (`InvalidationList.NextMarker`).
    pub output_token: &'static str,
    /// Where the page's items are in the output (`InvalidationList.Items`), if named.
    pub items: Option<&'static str>,
    /// The input member that sets the page size (`MaxItems`), if any.
    pub page_size: Option<&'static str>,
    /// Where a boolean saying whether more pages follow is in the output
    /// (`InvalidationList.IsTruncated`), if the output has one.
    pub truncated: Option<&'static str>,
}

impl Kind {
    /// The members of a structure or union (empty for anything else).
    pub fn fields(&self) -> &'static [Field] {
        match self {
            Kind::Structure(fields) | Kind::Union(fields) => fields,
            _ => &[],
        }
    }
}
