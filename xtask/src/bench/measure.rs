//! Running a program and measuring it: wall and CPU time with peak RSS (`/usr/bin/time`),
//! instruction counts (valgrind's callgrind), crate counts (`cargo tree`), and the local stub
//! server the clients call.

use std::collections::BTreeSet;
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// One finished run of a program.
pub struct Run {
    pub wall: f64,
    pub user: f64,
    pub sys: f64,
    pub peak_rss_kib: u64,
    /// What it printed: the clients print `key=value` figures.
    pub stdout: String,
}

impl Run {
    pub fn cpu(&self) -> f64 {
        self.user + self.sys
    }

    /// A `key=value` figure the program printed.
    pub fn field(&self, key: &str) -> Result<f64, String> {
        self.stdout
            .split_whitespace()
            .find_map(|token| token.strip_prefix(key)?.strip_prefix('='))
            .and_then(|value| value.parse().ok())
            .ok_or_else(|| format!("the client printed no {key}=NUMBER (it printed {:?})", self.stdout.trim()))
    }
}

fn scratch_file(name: &str) -> std::path::PathBuf {
    let dir = crate::run::root().join("target/bench/scratch");
    let _ = std::fs::create_dir_all(&dir);
    dir.join(format!("{name}.{}", std::process::id()))
}

/// Runs `command` under `/usr/bin/time` (which counts the CPU of every process it waits
/// for, compilers included) and fails if it fails.
pub fn timed(command: &mut Command) -> Result<Run, String> {
    let report = scratch_file("time");
    let run = timed_with_report(command, &report);
    let _ = std::fs::remove_file(&report);
    run
}

/// Like [`timed`], keeping GNU time's full report (`-v`) at `report`: the raw figures a
/// clean-build time came from, for checking later.
pub fn timed_with_report(command: &mut Command, report: &Path) -> Result<Run, String> {
    let mut time = Command::new("/usr/bin/time");
    time.arg("-v").arg("-o").arg(report);
    let mut wrapped = wrap(time, command);
    // Wall time from here: /usr/bin/time reports it in hundredths, too coarse for a CLI call.
    let started = std::time::Instant::now();
    let output = wrapped.stderr(Stdio::inherit()).output().map_err(|e| format!("cannot run /usr/bin/time: {e}"))?;
    let wall = started.elapsed().as_secs_f64();
    let program = command.get_program().to_string_lossy().into_owned();
    if !output.status.success() {
        return Err(format!("{program} failed ({}): {}", output.status, String::from_utf8_lossy(&output.stdout)));
    }
    let text = std::fs::read_to_string(report).map_err(|e| format!("no timing for {program}: {e}"))?;
    let value = |label: &str| -> Result<f64, String> {
        text.lines()
            .find_map(|line| line.trim().strip_prefix(label)?.trim().parse().ok())
            .ok_or_else(|| format!("{} has no {label:?}", report.display()))
    };
    Ok(Run {
        wall,
        user: value("User time (seconds):")?,
        sys: value("System time (seconds):")?,
        peak_rss_kib: value("Maximum resident set size (kbytes):")? as u64,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
    })
}

/// `outer` running `inner`'s program and arguments, with `inner`'s environment changes and
/// working directory.
fn wrap(mut outer: Command, inner: &Command) -> Command {
    outer.arg(inner.get_program()).args(inner.get_args());
    for (key, value) in inner.get_envs() {
        match value {
            Some(value) => outer.env(key, value),
            None => outer.env_remove(key),
        };
    }
    if let Some(dir) = inner.get_current_dir() {
        outer.current_dir(dir);
    }
    outer
}

/// Runs `command` (output shown) and fails if it fails.
pub fn check(command: &mut Command) -> Result<(), String> {
    let status = command.status().map_err(|e| format!("cannot run {:?}: {e}", command.get_program()))?;
    if status.success() { Ok(()) } else { Err(format!("{:?} failed ({status})", command.get_program())) }
}

/// Instructions a whole run of `command` executes, counted by callgrind. These repeat within
/// about 1 % from run to run, where CPU time on a shared machine varies twofold.
pub fn instructions(command: &mut Command) -> Result<u64, String> {
    let out = scratch_file("callgrind");
    let mut valgrind = Command::new("valgrind");
    valgrind.arg("--tool=callgrind").arg(format!("--callgrind-out-file={}", out.display()));
    let mut wrapped = wrap(valgrind, command);
    let output = wrapped.output().map_err(|e| format!("cannot run valgrind: {e}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
        return Err(format!("callgrind run failed: {}", tail.into_iter().rev().collect::<Vec<_>>().join(" | ")));
    }
    let text = std::fs::read_to_string(&out).map_err(|e| format!("no callgrind output: {e}"))?;
    let _ = std::fs::remove_file(&out);
    text.lines()
        .find_map(|line| line.strip_prefix("summary:").or_else(|| line.strip_prefix("totals:")))
        .and_then(|count| count.trim().parse().ok())
        .ok_or_else(|| "callgrind wrote no instruction total".into())
}

/// The packages in `package`'s normal-dependency graph for this host, each counted once
/// (the program itself included).
pub fn crate_count(cargo: &mut Command, package: &str) -> Result<usize, String> {
    let output = cargo
        .args(["tree", "--locked", "-p", package, "-e", "normal", "--prefix", "none"])
        .output()
        .map_err(|e| format!("cannot run cargo tree: {e}"))?;
    if !output.status.success() {
        return Err(format!("cargo tree failed: {}", String::from_utf8_lossy(&output.stderr)));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let packages: BTreeSet<(&str, &str)> = text
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            Some((words.next()?, words.next()?))
        })
        .collect();
    Ok(packages.len())
}

/// The middle value (the mean of the two middle ones for an even count).
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// The environment every client gets: the endpoint, dummy credentials and region, no shared
/// config files and no `AWS_CA_BUNDLE` (this machine sets one; the AWS CLI and our CLI would
/// read it, the official Rust SDK would not), so nothing on this machine changes what is
/// measured.
pub fn client_env<'a>(command: &'a mut Command, endpoint: &str) -> &'a mut Command {
    let none = scratch_file("no-such-config");
    command
        .env("ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", &none)
        .env("AWS_SHARED_CREDENTIALS_FILE", &none)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_PAGER", "")
        .env_remove("AWS_CA_BUNDLE")
        .stdin(Stdio::null())
}

/// The canned CloudFront stub of the bench anchors on a free loopback port; stopped on drop.
pub struct Stub {
    child: Child,
    port: u16,
}

impl Stub {
    pub fn start(script: &Path) -> Result<Stub, String> {
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
        let child = Command::new("python3")
            .arg(script)
            .arg(port.to_string())
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start the stub server: {e}"))?;
        let mut stub = Stub { child, port };
        for _ in 0..100 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(stub);
            }
            if let Ok(Some(status)) = stub.child.try_wait() {
                return Err(format!("the stub server exited at start ({status})"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(format!("the stub server did not listen on 127.0.0.1:{port} within 5 s"))
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
