//! The two steps every generated `Deserialize` of a structure repeats, kept here so the
//! generated code stays short: read a member at most once, and skip a member not known.

use serde::de::{Deserialize, Error, IgnoredAny, MapAccess};

/// Reads the value of member `name` into `slot`; a member given twice is refused, as serde's
/// derived impls do.
pub fn read_once<'de, A, T>(map: &mut A, slot: &mut Option<T>, name: &'static str) -> Result<(), A::Error>
where
    A: MapAccess<'de>,
    T: Deserialize<'de>,
{
    if slot.is_some() {
        return Err(A::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// Consumes the value of a member this version does not know.
pub fn skip_value<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(|_| ())
}
