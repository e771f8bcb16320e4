use std::fmt;

/// A value could not be built or serialized: names the field and the rule it broke.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildError {
    field: String,
    rule: String,
}

impl BuildError {
    /// `field` is the dotted wire path of the member (`InvalidationBatch.Paths.Quantity`).
    pub fn new(field: impl Into<String>, rule: impl Into<String>) -> Self {
        BuildError { field: field.into(), rule: rule.into() }
    }

    /// A required member was not set.
    pub fn missing(field: impl Into<String>) -> Self {
        BuildError::new(field, "is required but was not set")
    }

    /// The member's dotted path.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The rule that was broken, as a phrase that follows the field name.
    pub fn rule(&self) -> &str {
        &self.rule
    }

    /// Prefixes the field path with an enclosing member's name.
    pub fn within(mut self, parent: &str) -> Self {
        self.field = format!("{parent}.{}", self.field);
        self
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.field, self.rule)
    }
}

impl std::error::Error for BuildError {}
