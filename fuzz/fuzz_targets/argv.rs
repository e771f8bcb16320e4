//! The whole command line short of the network: argument parsing, input assembly (shorthand,
//! JSON, YAML, the parameter check) and `--query` compilation, on any argument vector (NUL
//! separates arguments): a result or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // `file://` would read whatever the fuzzer names (`/dev/zero` never ends): not the parser's job.
    if text.contains("file://") || text.contains("fileb://") {
        return;
    }
    let argv = std::iter::once("cloudfront").chain(text.split('\0')).map(std::ffi::OsString::from);
    let Ok(cloudfront_cli::args::Invocation::Call(call)) = cloudfront_cli::args::parse(argv) else { return };
    if let Some(expression) = call.global.query.as_deref() {
        let _ = cloudfront_cli::output::compile_query(expression);
    }
    let _ = cloudfront_cli::input::assemble(&call, cloudfront_cli::binary::BinaryFormat::Base64);
});
