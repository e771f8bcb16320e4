//! Stage 2 output: the intermediate representation the emitters read.
//!
//! Everything protocol- and naming-related is decided while building it (see `resolve.rs`),
//! so the emitters only turn these values into tokens. Each item keeps both its Rust name and
//! its wire name.

/// One service, restricted to the selected operations and the shapes they reach.
#[derive(Debug)]
pub struct Service {
    /// The crate name prefix (`cloudfront` gives `cloudfront-shapes`, ...).
    pub crate_prefix: String,
    /// A human name for docs (`Amazon CloudFront`).
    pub title: String,
    pub doc: Option<String>,
    /// The API version (`2020-05-31`).
    pub version: String,
    /// The namespace written on payload root elements.
    pub xml_namespace: Option<XmlNamespace>,
    /// The SigV4 signing name, if the service is signed.
    pub signing_name: Option<String>,
    /// Whether bodies carry the protocol's default `Content-Type` (see `Settings`).
    pub default_content_types: bool,
    /// Path labels refuse `.` and `..` segments (see `Settings::refuse_dot_segment_labels`).
    pub refuse_dot_segment_labels: bool,
    /// Requests carry their payload hash as `X-Amz-Content-SHA256` (see `Settings`).
    pub payload_hash_header: bool,
    /// The error code a body-less error response gets, by status (see `Settings`).
    pub body_less_errors: Vec<(u16, String)>,
    /// Calls follow a region redirect once (see `Settings`); only with endpoint rules.
    pub region_redirects: bool,
    /// The `sdkId` (`CloudFront`), which names the service's endpoint environment variable.
    pub sdk_id: String,
    /// `smithy.rules#endpointRuleSet`, if the service has one.
    pub endpoint_rules: Option<EndpointRuleSet>,
    /// `smithy.rules#endpointTests` cases.
    pub endpoint_tests: Vec<EndpointTest>,
    pub operations: Vec<Operation>,
    /// Structures, enums and unions, sorted by Rust name.
    pub shapes: Vec<NamedShape>,
    /// Error structures, sorted by Rust name.
    pub errors: Vec<Structure>,
}

/// `xmlns` or `xmlns:prefix`.
#[derive(Clone, Debug, PartialEq)]
pub struct XmlNamespace {
    pub uri: String,
    pub prefix: Option<String>,
}

/// An operation and its HTTP binding.
#[derive(Debug)]
pub struct Operation {
    /// The wire name (`CreateInvalidation`).
    pub name: String,
    /// The Rust function-name stem (`create_invalidation`).
    pub snake: String,
    pub doc: Option<String>,
    pub method: String,
    /// The URI path pattern, split into literal text and labels.
    pub path: Vec<PathSegment>,
    /// Literal query parameters from the URI pattern (`?list-type=2`).
    pub literal_query: Vec<(String, Option<String>)>,
    /// The HTTP status of success.
    pub http_code: u16,
    /// The synthetic input structure (named `<Op>Input`).
    pub input: Structure,
    /// The synthetic output structure (named `<Op>Output`).
    pub output: Structure,
    /// Rust names of the errors this operation may return.
    pub errors: Vec<String>,
    /// `smithy.api#paginated`, merged with the service defaults.
    pub paginated: Option<Paginated>,
    /// `smithy.waiters#waitable`, by name.
    pub waiters: Vec<Waiter>,
    /// `smithy.test#httpRequestTests` cases, as written in the model.
    pub request_tests: Vec<ProtocolTest>,
    /// `smithy.test#httpResponseTests` cases, as written in the model.
    pub response_tests: Vec<ProtocolTest>,
    /// `smithy.api#endpoint` host prefix (`{Label}.data.`), if any.
    pub host_prefix: Option<String>,
    /// `smithy.api#requestCompression` encodings the client may apply (`gzip`).
    pub request_compression: Vec<String>,
    /// The input's payload is a `@streaming` blob.
    pub streaming_input: bool,
    /// `smithy.rules#staticContextParams`: rule-set parameters this operation always sets.
    pub static_context_params: Vec<(String, Literal)>,
    /// A success answer may carry an `<Error>` document (see `Settings::errors_in_success`; never
    /// for a streaming output, which may be any bytes).
    pub error_in_success: bool,
    /// `aws.customizations#s3UnwrappedXmlOutput`: the output's one body member is the whole
    /// document, with no operation-level wrapper element.
    pub output_unwrapped: bool,
    /// What `aws.protocols#httpChecksum` (or `smithy.api#httpChecksumRequired`) asks of
    /// requests, if anything.
    pub request_checksum: Option<RequestChecksum>,
}

/// An operation's request checksum.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestChecksum {
    /// A checksum must be sent (CRC32 when the caller chose none).
    pub required: bool,
    /// The member naming the algorithm, and the header it is bound to.
    pub algorithm_member: Option<(String, String)>,
}

/// A piece of the URI path.
#[derive(Debug, PartialEq)]
pub enum PathSegment {
    Literal(String),
    /// A `{Member}` or greedy `{Member+}` label, by member wire name.
    Label {
        member: String,
        greedy: bool,
    },
}

/// A shape that becomes a named Rust type.
#[derive(Debug)]
pub enum NamedShape {
    Structure(Structure),
    Union(Structure),
    Enum(Enum),
}

impl NamedShape {
    /// The Rust type name.
    pub fn name(&self) -> &str {
        match self {
            NamedShape::Structure(s) | NamedShape::Union(s) => &s.name,
            NamedShape::Enum(e) => &e.name,
        }
    }
}

/// A structure or union (unions use the same member list, one of which is set).
#[derive(Debug, Clone)]
pub struct Structure {
    /// The Rust type name.
    pub name: String,
    /// The model shape name.
    pub shape_name: String,
    /// The Rust module name (snake case).
    pub module: String,
    pub doc: Option<String>,
    pub members: Vec<Member>,
    /// The element name when this shape is an XML document root or payload.
    pub xml_name: String,
    /// A namespace declared on the shape itself.
    pub xml_namespace: Option<XmlNamespace>,
    /// `Some` for an error structure.
    pub error: Option<ErrorInfo>,
    /// Whether this is a synthetic operation input (its builder always returns a Result).
    pub is_input: bool,
    /// Whether this is a synthetic operation output (it is never sent, so never serialized).
    pub is_output: bool,
    /// Read from responses (an output, or reached from one): a document with members this
    /// model does not know, from a newer model or tool, must still load.
    pub tolerates_unknown_members: bool,
    /// The CloudFront-style `Quantity` + `Items` pair: `Quantity` is derived from `Items`.
    pub counted_list: Option<CountedList>,
    /// `smithy.test#httpResponseTests` of an error structure.
    pub response_tests: Vec<ProtocolTest>,
}

/// Member indexes of a `Quantity`/`Items` pair.
#[derive(Debug, Clone, Copy)]
pub struct CountedList {
    pub quantity: usize,
    pub items: usize,
}

/// What an error structure declares.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    /// `client` or `server`.
    pub fault: String,
    pub http_status: Option<u16>,
    /// The code that identifies it on the wire (the shape name).
    pub code: String,
    /// `smithy.api#retryable`, and whether it is a throttling error.
    pub retryable: Option<bool>,
}

/// One member of a structure or union.
#[derive(Debug, Clone)]
pub struct Member {
    /// The wire member name.
    pub name: String,
    /// The Rust field name (already escaped if it is a keyword).
    pub field: String,
    pub doc: Option<String>,
    pub ty: Type,
    /// Required and without a default: the field is not an `Option`.
    pub required: bool,
    pub location: Location,
    /// XML element (or attribute) name.
    pub xml_name: String,
    pub xml_attribute: bool,
    pub xml_flattened: bool,
    pub xml_namespace: Option<XmlNamespace>,
    /// The timestamp format for this member, where its type is (or holds) a timestamp.
    pub timestamp_format: Option<TimestampFormat>,
    pub sensitive: bool,
    pub idempotency_token: bool,
    /// Whether the field is boxed to break a cycle of structures.
    pub boxed: bool,
    /// `smithy.api#deprecated`.
    pub deprecated: bool,
    /// The target's `smithy.api#mediaType` (the `Content-Type` of a blob or string payload).
    pub media_type: Option<String>,
    /// `smithy.api#hostLabel`: the value also goes into the endpoint host prefix.
    pub host_label: bool,
    /// `smithy.rules#contextParam`: the endpoint rule-set parameter this member's value sets.
    pub context_param: Option<String>,
}

/// Where a member travels in the HTTP message.
#[derive(Debug, Clone, PartialEq)]
pub enum Location {
    /// An XML element (or attribute) of the body.
    Body,
    Label {
        greedy: bool,
    },
    Query(String),
    /// `httpQueryParams`: a map spread over the query string.
    QueryParams,
    Header(String),
    /// `httpPrefixHeaders`: a map of headers sharing a prefix.
    PrefixHeaders(String),
    /// `httpPayload`: the whole body.
    Payload,
    /// `httpResponseCode`.
    ResponseCode,
}

/// Timestamp wire formats.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TimestampFormat {
    DateTime,
    HttpDate,
    EpochSeconds,
}

/// The Rust-facing type of a member.
#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    Blob,
    /// A `@streaming` blob payload: a `Body` (bytes, or a file read as it is sent).
    Stream,
    Boolean,
    String,
    Byte,
    Short,
    Integer,
    Long,
    Float,
    Double,
    BigInteger,
    BigDecimal,
    Timestamp,
    Document,
    /// A string enum (named Rust enum), by Rust name.
    Enum(String),
    /// An intEnum, by Rust name.
    IntEnum(String),
    Structure(String),
    Union(String),
    List(Box<List>),
    Map(Box<Map>),
}

/// A list's member type and its XML element name.
#[derive(Debug, Clone, PartialEq)]
pub struct List {
    pub member: Type,
    pub member_xml_name: String,
    pub member_xml_namespace: Option<XmlNamespace>,
    pub sparse: bool,
}

/// A map's key and value types and their XML element names.
#[derive(Debug, Clone, PartialEq)]
pub struct Map {
    pub key: Type,
    pub value: Type,
    pub key_xml_name: String,
    pub value_xml_name: String,
    pub key_xml_namespace: Option<XmlNamespace>,
    pub value_xml_namespace: Option<XmlNamespace>,
    pub sparse: bool,
}

/// A string enum or intEnum.
#[derive(Debug)]
pub struct Enum {
    pub name: String,
    pub shape_name: String,
    pub module: String,
    pub doc: Option<String>,
    pub variants: Vec<Variant>,
    /// Whether the wire values are integers (intEnum).
    pub int: bool,
}

/// One enum value.
#[derive(Debug)]
pub struct Variant {
    /// The Rust variant name.
    pub name: String,
    /// The wire value (a string, or an integer for intEnum).
    pub value: String,
    pub doc: Option<String>,
}

/// How an operation pages (`smithy.api#paginated`, the service's defaults filled in).
#[derive(Debug, Clone, PartialEq)]
pub struct Paginated {
    /// The input member that takes the token of the next page.
    pub input_token: String,
    /// The output path (`A.B`) of the next page's token.
    pub output_token: String,
    /// The output path of the page's items, if the operation names them.
    pub items: Option<String>,
    /// The input member that limits the page size, if any.
    pub page_size: Option<String>,
    /// The output path (`A.IsTruncated`) of a boolean beside the token that says whether more
    /// pages follow (`false` ends paging even with a token present), if the output has one.
    pub truncated: Option<String>,
}

/// One waiter of `smithy.waiters#waitable`.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiter {
    pub name: String,
    pub doc: Option<String>,
    /// Seconds between the first polls (Smithy's default: 2).
    pub min_delay: u64,
    /// The most seconds between polls (Smithy's default: 120).
    pub max_delay: u64,
    /// Checked in order against every response; the first that matches decides.
    pub acceptors: Vec<Acceptor>,
}

/// A waiter acceptor: the state a matching response puts the wait in.
#[derive(Debug, Clone, PartialEq)]
pub struct Acceptor {
    pub state: AcceptorState,
    pub matcher: Matcher,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcceptorState {
    Success,
    Failure,
    Retry,
}

/// What an acceptor looks at.
#[derive(Debug, Clone, PartialEq)]
pub enum Matcher {
    /// A value at `path` of a successful output compared with `expected`.
    Output { path: String, expected: String, comparator: Comparator },
    /// The error code of a failed call.
    ErrorType(String),
    /// Whether the call succeeded.
    Success(bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparator {
    StringEquals,
    BooleanEquals,
    AllStringEquals,
    AnyStringEquals,
}

/// `smithy.rules#endpointRuleSet`: typed parameters and the rule tree.
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointRuleSet {
    /// Sorted by name.
    pub parameters: Vec<EndpointParameter>,
    pub rules: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EndpointParameter {
    pub name: String,
    pub ty: ParameterType,
    pub required: bool,
    pub default: Option<Literal>,
    /// `AWS::Region`, `SDK::Endpoint`, ...: where a client's configuration fills it from.
    pub built_in: Option<String>,
    pub doc: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParameterType {
    Boolean,
    String,
}

/// A literal value: a parameter's default, or a value in an endpoint test.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Bool(bool),
    Str(String),
}

/// One rule: conditions that must all hold, then what it gives.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub conditions: Vec<Condition>,
    pub outcome: RuleOutcome,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RuleOutcome {
    Endpoint(EndpointResult),
    /// An error with this message (a template or an expression).
    Error(Expr),
    /// Nested rules, tried in order.
    Tree(Vec<Rule>),
}

/// A function call that must be true (or set), optionally binding its result to a name.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub function: String,
    pub args: Vec<Expr>,
    pub assign: Option<String>,
}

/// A rules-language expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Bool(bool),
    /// A whole number (`substring`'s bounds).
    Int(usize),
    /// A string, which may be a template with `{Name}` or `{Name#attr}`.
    Str(String),
    /// A parameter or an assigned name.
    Ref(String),
    Call {
        function: String,
        args: Vec<Expr>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct EndpointResult {
    pub url: Expr,
    pub auth_schemes: Vec<AuthScheme>,
    /// Header names (sorted) and their values.
    pub headers: Vec<(String, Vec<Expr>)>,
    /// Other string properties (`backend`), sorted by name.
    pub properties: Vec<(String, Expr)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AuthScheme {
    pub name: String,
    pub signing_region: Option<Expr>,
    pub signing_name: Option<Expr>,
    /// The regions of a multi-region scheme (`sigv4a`).
    pub signing_region_set: Vec<Expr>,
    pub disable_double_encoding: bool,
}

/// An auth scheme a test case expects, with literal values.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpectedAuthScheme {
    pub name: String,
    pub signing_region: Option<String>,
    pub signing_name: Option<String>,
    pub signing_region_set: Vec<String>,
    pub disable_double_encoding: bool,
}

/// One `smithy.rules#endpointTests` case.
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointTest {
    pub doc: String,
    /// Parameter values, sorted by name.
    pub params: Vec<(String, Literal)>,
    pub expect: EndpointExpectation,
    /// The same case as operation calls: an operation's input and the built-ins set.
    pub operation_inputs: Vec<OperationInput>,
}

/// One `operationInputs` entry of an endpoint test case.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationInput {
    /// The operation's wire name.
    pub operation: String,
    /// Built-in values (`AWS::Region`, `AWS::S3::ForcePathStyle`), sorted by name.
    pub builtins: Vec<(String, Literal)>,
    /// Input members by wire name, sorted.
    pub params: Vec<(String, Literal)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum EndpointExpectation {
    Error(String),
    /// The whole endpoint: URL, auth schemes, headers (sorted) and other string properties.
    Endpoint {
        url: String,
        auth_schemes: Vec<ExpectedAuthScheme>,
        headers: Vec<(String, Vec<String>)>,
        properties: Vec<(String, String)>,
    },
}

/// A `smithy.test#httpRequestTests` or `httpResponseTests` case, as a generated test needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProtocolTest {
    pub id: String,
    /// Whether the case applies to clients (its `appliesTo` is not `server`).
    pub for_clients: bool,
    /// The input, output or error members the case is about.
    pub params: Document,
    /// The whole case as JSON text: the generated test hands it to the support crate, which
    /// checks a request against it or builds the response from it.
    pub case_json: String,
}

/// A Smithy document value, as test cases write their `params`.
#[derive(Debug, Clone, PartialEq)]
pub enum Document {
    Null,
    Bool(bool),
    /// A number as written (text, so fractional seconds and large integers stay exact).
    Number(String),
    String(String),
    List(Vec<Document>),
    /// Members or entries, sorted by key.
    Map(Vec<(String, Document)>),
}
