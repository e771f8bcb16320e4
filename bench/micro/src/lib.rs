//! Criterion benchmarks only: see benches/micro.rs.
