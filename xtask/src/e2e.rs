//! `cargo xtask e2e [--fakecloud]`: the client against real local emulators.
//!
//! Default: installs the pinned Python peers (`crate::peers`), starts moto on a free
//! 127.0.0.1 port, runs the `e2e` crate's moto and fault-injection tests against it, then the
//! CLI's parity runs against the AWS CLI v2 and v1 and the query engine against jmespath.
//! `--latest-peers`: the same suites with the newest moto, AWS CLI v1, botocore and jmespath
//! (a drift check, outside CI: moving a pin stays a deliberate commit). `--fakecloud`: starts
//! an installed fakecloud with SigV4 verification on and runs the all-operations tests,
//! CloudFront's and S3's (fakecloud takes about an hour to build, so it stays out of CI).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::peers::{self, Venv};
use crate::run::root;
use crate::test::run_counting_command;

/// Kills the emulator however the run ends.
pub struct Emulator(Child);

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn main(args: &[String]) -> Result<(), String> {
    match args {
        [] => pinned(false),
        [flag] if flag == "--record" => pinned(true),
        [flag] if flag == "--latest-peers" => latest_peers(),
        [flag] if flag == "--fakecloud" => fakecloud(),
        _ => Err("usage: cargo xtask e2e [--record | --latest-peers | --fakecloud]".into()),
    }
}

/// The suites on the pinned peers; with `record`, the peers' answers that plain `cargo test`
/// compares with are written again from this live run (stamped with the peer's version).
fn pinned(record: bool) -> Result<(), String> {
    let (passed, failed) = suites_recording(&peers::pinned()?, record)?;
    println!("{passed} passed, {failed} failed");
    if failed == 0 && passed > 0 { Ok(()) } else { Err("end-to-end tests failed".into()) }
}

/// The suites again on the newest Python peers, and what changed against the pinned ones.
fn latest_peers() -> Result<(), String> {
    let pinned = peers::pinned()?.versions()?;
    let latest = peers::latest()?;
    let (passed, failed) = suites(&latest)?;
    println!("\n==> the newest Python peers against the pins (tools/pins.txt)");
    for (name, newest) in latest.versions()? {
        let pin = pinned.iter().find(|(n, _)| *n == name).map_or("?", |(_, v)| v.as_str());
        let change = if pin == newest { "unchanged".to_owned() } else { format!("pinned {pin}, newest {newest}") };
        println!("{name}: {change}");
    }
    println!("the same suites on the newest peers: {passed} passed, {failed} failed");
    println!("(a failure above is what moving that pin would change; the pins stay until a commit moves them)");
    println!("{passed} passed, {failed} failed");
    if failed == 0 && passed > 0 { Ok(()) } else { Err("the newest peers change what the suites see".into()) }
}

/// moto's request log (one line per request answered): the deploy test counts uploads in it.
const MOTO_LOG: &str = "target/moto.log";

/// Starts moto from `venv` on a free loopback port; it stops when the returned guard drops.
pub fn start_moto(venv: &Venv) -> Result<(Emulator, u16), String> {
    let port = free_port()?;
    let log = root().join(MOTO_LOG);
    let child = Command::new(venv.bin("moto_server"))
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).map_err(|e| e.to_string())?)
        .spawn()
        .map_err(|e| format!("cannot start moto from {}: {e}", venv.dir.display()))?;
    let moto = Emulator(child);
    wait_until_ready(port, "/moto-api/data.json", &log)?;
    Ok((moto, port))
}

/// Every suite that needs the Python peers, run with those of `venv`: (passed, failed).
fn suites(venv: &Venv) -> Result<(usize, usize), String> {
    suites_recording(venv, false)
}

/// The same, writing the recorded peer answers again when `record` is set.
fn suites_recording(venv: &Venv, record: bool) -> Result<(usize, usize), String> {
    let (_moto, port) = start_moto(venv)?;
    let endpoint = format!("http://127.0.0.1:{port}");
    println!("moto is ready on {endpoint}");
    let (mut passed, mut failed) = run_tests(
        &["--test", "moto", "--test", "moto_s3", "--test", "s3_large_upload", "--test", "fault_injection"],
        "MOTO_ENDPOINT",
        &endpoint,
    )?;
    let (p, f) = examples(port)?;
    passed += p;
    failed += f;
    for same in [rule_vectors_are_botocores(venv)?, s3_signatures_are_botocores(venv)?] {
        if same {
            passed += 1;
        } else {
            failed += 1;
        }
    }
    // The CLI against the real AWS CLI v2 (`parity`: every command, output, query, paging and
    // error class on one fake server), and credential resolution on the identity stub against
    // the AWS CLI v1 (`credential_parity`: v1 honours the STS and SSO endpoint variables that
    // the v2 package predates). The query engine against Python's jmespath (the AWS CLI's).
    let (aws_v2, aws_v2_home) = aws_cli_v2()?;
    let aws_v1 = venv.bin("aws");
    let python = venv.bin("python");
    let mut env = vec![
        ("AWS_CLI", aws_v1.as_str()),
        ("AWS_CLI_V2", aws_v2.as_str()),
        ("AWS_CLI_V2_HOME", aws_v2_home.as_str()),
        ("JMESPATH_PYTHON", python.as_str()),
    ];
    if record {
        env.push(("RECORD_PEER_ANSWERS", "1"));
    }
    // `deploy` against moto, measured at the server (moto's request log), side by side with
    // the AWS CLI v2's `aws s3 sync`.
    let moto_log = root().join(MOTO_LOG).to_string_lossy().into_owned();
    for test in ["parity", "credential_parity", "endpoint_parity", "query_reference", "deploy"] {
        let mut env = env.clone();
        if test == "deploy" {
            env.extend([("MOTO_ENDPOINT", endpoint.as_str()), ("MOTO_LOG", moto_log.as_str())]);
        }
        // The deploy tests one at a time: their wall times are measured.
        let threads = if test == "deploy" { "--test-threads=1" } else { "--test-threads=2" };
        let (ok, counts) = run_counting_command(
            "cargo",
            &["test", "--package", "cloudfront-cli", "--test", test, "--", "--ignored", "--nocapture", threads],
            &env,
        )?;
        let (p, f) = counts.unwrap_or((0, 1));
        passed += p;
        failed += if ok { f } else { f.max(1) };
    }
    Ok((passed, failed))
}

/// Whether the committed `rule-vectors/` are what this venv's botocore makes of their inputs
/// now (the vectors are botocore's answers, never edited by hand).
fn rule_vectors_are_botocores(venv: &Venv) -> Result<bool, String> {
    let committed = root().join("crates/testing/cloudfront-conformance/rule-vectors");
    let fresh = root().join("target/rule-vectors");
    let _ = std::fs::remove_dir_all(&fresh);
    crate::run::run(
        &venv.bin("python"),
        &[&committed.join("generate.py").to_string_lossy(), &fresh.to_string_lossy()],
    )?;
    let mut same = true;
    for kind in ["requests", "responses", "errors"] {
        let status = Command::new("diff")
            .args(["-r", "-u"])
            .arg(committed.join(kind))
            .arg(fresh.join(kind))
            .status()
            .map_err(|e| format!("cannot run diff: {e}"))?;
        same &= status.success();
    }
    if same {
        println!("rule-vectors/: the pinned botocore makes the committed vectors again");
    } else {
        println!("FAIL rule-vectors/ differ from what botocore makes now (above); regenerate them with generate.py");
    }
    Ok(same)
}

/// Whether the committed S3 signatures (`s3-signatures/expected.json`, which
/// `tests/s3_signatures.rs` requires ours to equal) are what this venv's botocore signs now.
fn s3_signatures_are_botocores(venv: &Venv) -> Result<bool, String> {
    let dir = root().join("crates/testing/cloudfront-conformance/s3-signatures");
    let fresh = root().join("target/s3-signatures.json");
    crate::run::run(&venv.bin("python"), &[&dir.join("generate.py").to_string_lossy(), &fresh.to_string_lossy()])?;
    let status = Command::new("diff")
        .arg("-u")
        .arg(dir.join("expected.json"))
        .arg(&fresh)
        .status()
        .map_err(|e| format!("cannot run diff: {e}"))?;
    if status.success() {
        println!("s3-signatures/: the pinned botocore signs the committed requests again");
    } else {
        println!(
            "FAIL s3-signatures/expected.json differs from what botocore signs now (above); regenerate it with generate.py"
        );
    }
    Ok(status.success())
}

/// The AWS CLI v2 (Debian's package) and a HOME whose `.aws/models` holds today's CloudFront
/// model, both from `../shared/peers/awscli-v2/setup.sh`.
pub fn aws_cli_v2() -> Result<(String, String), String> {
    let setup = crate::run::shared().join("peers/awscli-v2/setup.sh");
    if !setup.exists() {
        return Err(format!(
            "{} is missing: the AWS CLI v2 parity run needs ../shared next to the checkout",
            setup.display()
        ));
    }
    let home = root().join("target/awscli-v2-home");
    crate::run::run("bash", &[&setup.to_string_lossy(), &home.to_string_lossy()])?;
    println!("the AWS CLI v2 is {}", peers::aws_cli_v2_version()?);
    Ok(("/usr/bin/aws".into(), home.to_string_lossy().into_owned()))
}

/// Runs the facade's examples as a user would: `list_recent` against moto (with a
/// distribution and an invalidation made through moto's API), the two wait examples against
/// `fake-cloudfront` (moto has no tenants, and reports a status CloudFront never sends).
fn examples(moto_port: u16) -> Result<(usize, usize), String> {
    crate::run::run(
        "cargo",
        &["build", "--quiet", "--package", "cloudfront-test-server", "--bins", "--package", "cloudfront", "--examples"],
    )?;
    let distribution = moto_distribution(moto_port)?;
    let fake_port = free_port()?;
    let fake = Command::new(root().join("target/debug/fake-cloudfront"))
        .args(["--port", &fake_port.to_string(), "--complete-after", "2"])
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start fake-cloudfront: {e}"))?;
    let _fake = Emulator(fake);
    wait_for_port(fake_port)?;
    let moto = format!("http://127.0.0.1:{moto_port}");
    let fake = format!("http://127.0.0.1:{fake_port}");
    let runs: [(&str, &str, Vec<&str>, &str); 3] = [
        ("list_recent", moto.as_str(), vec![distribution.as_str(), "5"], "1 invalidation(s)"),
        (
            "invalidate_and_wait",
            fake.as_str(),
            vec!["EDFDVBD6EXAMPLE", "/index.html", "/css/*"],
            "completed after 3 status checks",
        ),
        (
            "tenant_invalidate_and_wait",
            fake.as_str(),
            vec!["dt_example", "/index.html"],
            "completed after 3 status checks",
        ),
    ];
    let (mut passed, mut failed) = (0, 0);
    for (example, endpoint, args, expected) in runs {
        let output = Command::new(root().join(format!("target/debug/examples/{example}")))
            .args(&args)
            .envs([
                ("AWS_ENDPOINT_URL", endpoint),
                ("AWS_REGION", "us-east-1"),
                ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLES"),
                ("AWS_SECRET_ACCESS_KEY", "example-secret"),
                ("AWS_CONFIG_FILE", "/dev/null"),
                ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"),
                ("WAITER_POLL_MS", "10"),
            ])
            .output()
            .map_err(|e| format!("cannot run the {example} example: {e}"))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        print!("example {example}: {stdout}");
        if output.status.success() && stdout.contains(expected) {
            passed += 1;
        } else {
            failed += 1;
            println!("FAIL example {example}: {}\n{}", output.status, String::from_utf8_lossy(&output.stderr));
        }
    }
    Ok((passed, failed))
}

/// Makes a distribution with one invalidation through moto's own API; returns its id.
pub fn moto_distribution(port: u16) -> Result<String, String> {
    let config = "<DistributionConfig xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><CallerReference>examples</CallerReference>\
        <Comment>examples</Comment><Enabled>true</Enabled><Origins><Quantity>1</Quantity><Items><Origin><Id>o1</Id>\
        <DomainName>example-bucket.s3.amazonaws.com</DomainName><S3OriginConfig><OriginAccessIdentity /></S3OriginConfig></Origin>\
        </Items></Origins><DefaultCacheBehavior><TargetOriginId>o1</TargetOriginId><ViewerProtocolPolicy>allow-all</ViewerProtocolPolicy>\
        <CachePolicyId>658327ea-f89d-4fab-a63d-7e88639e58f6</CachePolicyId></DefaultCacheBehavior></DistributionConfig>";
    let answer = post(port, "/2020-05-31/distribution", config)?;
    let start = answer.find("<Id>").ok_or_else(|| format!("moto did not create a distribution: {answer}"))? + 4;
    let id = answer[start..].split('<').next().unwrap_or_default().to_owned();
    let batch = "<InvalidationBatch xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><Paths><Quantity>1</Quantity>\
        <Items><Path>/examples.html</Path></Items></Paths><CallerReference>examples-1</CallerReference></InvalidationBatch>";
    post(port, &format!("/2020-05-31/distribution/{id}/invalidation"), batch)?;
    Ok(id)
}

fn post(port: u16, path: &str, body: &str) -> Result<String, String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let request = format!(
        "POST {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLES/20260101/us-east-1/cloudfront/aws4_request, SignedHeaders=host, Signature=0\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).map_err(|e| e.to_string())?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).map_err(|e| e.to_string())?;
    Ok(answer)
}

fn wait_for_port(port: u16) -> Result<(), String> {
    for _ in 0..200 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!("nothing listens on port {port} after 10 s"))
}

fn fakecloud() -> Result<(), String> {
    let binary = which("fakecloud")
        .or_else(|| {
            std::env::var("HOME").ok().map(|h| PathBuf::from(h).join(".cargo/bin/fakecloud")).filter(|p| p.exists())
        })
        .ok_or(
            "fakecloud is not installed: cargo install fakecloud --version 0.51.0 --locked (about an hour on 2 cores)",
        )?;
    let port = free_port()?;
    let log = root().join("target/fakecloud.log");
    let child = Command::new(&binary)
        .args(["--addr", &format!("127.0.0.1:{port}"), "--verify-sigv4"])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).map_err(|e| e.to_string())?)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
    let _fakecloud = Emulator(child);
    wait_until_ready(port, "/_fakecloud/health", &log)?;
    let endpoint = format!("http://127.0.0.1:{port}");
    println!("fakecloud (SigV4 verification on) is ready on {endpoint}");
    let (passed, failed) =
        run_tests(&["--test", "fakecloud", "--test", "fakecloud_s3"], "FAKECLOUD_ENDPOINT", &endpoint)?;
    println!("{passed} passed, {failed} failed");
    if failed == 0 && passed > 0 { Ok(()) } else { Err("end-to-end tests failed".into()) }
}

/// Runs test targets of the `e2e` crate against an emulator; returns (passed, failed).
fn run_tests(targets: &[&str], variable: &str, endpoint: &str) -> Result<(usize, usize), String> {
    let mut args = vec!["test", "--package", "cloudfront-e2e"];
    args.extend_from_slice(targets);
    args.extend_from_slice(&["--", "--ignored", "--nocapture"]);
    let (ok, counts) = run_counting_command("cargo", &args, &[(variable, endpoint)])?;
    let (passed, failed) = counts.unwrap_or((0, 1));
    Ok((passed, if ok { failed } else { failed.max(1) }))
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

/// Polls `path` until it answers 200 (at most 60 s).
fn wait_until_ready(port: u16, path: &str, log: &std::path::Path) -> Result<(), String> {
    for _ in 0..240 {
        if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
            let request = format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
            let mut answer = String::new();
            if stream.write_all(request.as_bytes()).is_ok()
                && stream.read_to_string(&mut answer).is_ok()
                && answer.starts_with("HTTP/1.")
                && answer.contains(" 200")
            {
                return Ok(());
            }
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    let tail = std::fs::read_to_string(log).unwrap_or_default();
    Err(format!("the emulator did not answer {path} on port {port} within 60 s; its log:\n{tail}"))
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|dir| PathBuf::from(dir).join(program)).find(|p| p.is_file())
}
