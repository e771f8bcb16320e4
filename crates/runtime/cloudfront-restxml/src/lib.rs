//! Wire helpers that generated serializers and parsers call.
//!
//! Everything here is protocol machinery that is the same for every service: generated code
//! decides *what* goes where (from the model), this crate knows *how* to write it.

#![warn(missing_docs)]

#[cfg(feature = "compression")]
mod compress;
mod encode;
mod error_response;
mod scalar;
mod xml_read;
mod xml_write;

#[cfg(feature = "compression")]
pub use compress::{MIN_COMPRESSION_SIZE, compress_gzip};
pub use encode::{encode_label, encode_query, host_label, label, label_with_dot_segments};
pub use error_response::{ErrorResponse, parse_error_response, reject_error_document, request_id};
pub use scalar::{
    ParseError, fmt_float, join_header_list, parse_blob, parse_bool, parse_scalar, parse_timestamp, split_header_list,
    split_http_date_list,
};
pub use xml_read::{MAX_DEPTH, XmlElement, parse_document};
pub use xml_write::XmlWriter;
