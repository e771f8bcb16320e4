//! `cargo xtask e2e [--fakecloud]`: the client against real local emulators.
//!
//! Default: installs moto (once, into `target/e2e-venv`), starts `moto_server` on a free
//! 127.0.0.1 port, runs the `e2e` crate's moto and fault-injection tests against it and stops
//! it. `--fakecloud`: starts an installed fakecloud with SigV4 verification on and runs the
//! all-operations test (fakecloud takes about an hour to build, so it stays out of CI).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::run::root;
use crate::test::run_counting_command;

/// Kills the emulator however the run ends.
struct Emulator(Child);

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn main(args: &[String]) -> Result<(), String> {
    match args {
        [] => moto(),
        [flag] if flag == "--fakecloud" => fakecloud(),
        _ => Err("usage: cargo xtask e2e [--fakecloud]".into()),
    }
}

fn moto() -> Result<(), String> {
    let venv = root().join("target/e2e-venv");
    let server = venv.join("bin/moto_server");
    if !server.exists() {
        println!("installing moto[server] into {}", venv.display());
        crate::run::run("python3", &["-m", "venv", &venv.to_string_lossy()])?;
        crate::run::run(&venv.join("bin/pip").to_string_lossy(), &["install", "--quiet", "moto[server]>=5.2,<5.3"])?;
    }
    let port = free_port()?;
    let log = root().join("target/moto.log");
    let child = Command::new(&server)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).map_err(|e| e.to_string())?)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", server.display()))?;
    let _moto = Emulator(child);
    wait_until_ready(port, "/moto-api/data.json", &log)?;
    let endpoint = format!("http://127.0.0.1:{port}");
    println!("moto is ready on {endpoint}");
    run_tests(&["--test", "moto", "--test", "fault_injection"], "MOTO_ENDPOINT", &endpoint)
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
    run_tests(&["--test", "fakecloud"], "FAKECLOUD_ENDPOINT", &endpoint)
}

fn run_tests(targets: &[&str], variable: &str, endpoint: &str) -> Result<(), String> {
    let mut args = vec!["test", "--package", "e2e"];
    args.extend_from_slice(targets);
    args.extend_from_slice(&["--", "--ignored", "--nocapture"]);
    let (ok, counts) = run_counting_command("cargo", &args, &[(variable, endpoint)])?;
    let (passed, failed) = counts.unwrap_or((0, 1));
    println!("{passed} passed, {failed} failed");
    if ok && failed == 0 && passed > 0 { Ok(()) } else { Err("end-to-end tests failed".into()) }
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
