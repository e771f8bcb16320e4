/// The wire value of an enum variant this version of the crate does not know.
///
/// Its field is private so that an unknown value can only come from the wire (or
/// `From<&str>`), never be built by hand to shadow a known variant.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(String);

impl UnknownValue {
    #[doc(hidden)]
    pub fn new(value: impl Into<String>) -> Self {
        UnknownValue(value.into())
    }

    /// The value as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
