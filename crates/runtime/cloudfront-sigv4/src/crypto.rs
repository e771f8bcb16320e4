//! The crypto library of the build, chosen once by the crate's features: aws-lc-rs (the
//! default, as rustls's) or ring, whichever rustls also uses, so a build carries one. Both have
//! the same `digest` and `hmac` modules; every hash and HMAC of the project comes from here.

#[cfg(feature = "aws-lc-rs")]
pub use aws_lc_rs::{digest, hmac};

#[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
pub use ring::{digest, hmac};

#[cfg(not(any(feature = "aws-lc-rs", feature = "ring")))]
compile_error!("cloudfront-sigv4 needs a crypto library: enable its `aws-lc-rs` (default) or `ring` feature");
