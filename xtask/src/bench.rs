//! `cargo xtask bench [--quick]`: measures our crates and CLI against the official Rust SDK
//! and the AWS CLI in one run on one machine, prints every figure as ours, theirs and the
//! ratio, and writes a Markdown table and an SVG chart (`bench/results/`, and the results
//! section of BENCHMARKS.md). `--quick` (what CI runs) makes fewer calls and shorter criterion
//! runs and writes under `target/bench/quick/` instead; no figure is ever asserted on.
//! `--reuse-builds` (for working on the harness) keeps earlier builds of the two programs and
//! leaves the clean-build times out.
//!
//! The programs measured live in `bench/` (a workspace of its own); the local server they
//! call is the canned stub of `../shared/bench-anchors/`, started on 127.0.0.1.

mod measure;
mod report;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::run::{root, shared};
use measure::{Stub, client_env, instructions, median, timed};
use report::{Figure, Target};

/// How much each part measures.
struct Mode {
    name: &'static str,
    /// Sequential and concurrent calls timed in one process.
    calls: usize,
    /// Call counts of the two callgrind runs whose difference gives instructions per call.
    callgrind_calls: (usize, usize),
    /// Runs of each CLI, after one untimed warm-up run.
    cli_runs: usize,
    /// Runs of each generator timing.
    generator_runs: usize,
    criterion_args: &'static [&'static str],
    out_dir: PathBuf,
}

const CONCURRENCY: usize = 64;

pub fn main(args: &[String]) -> Result<(), String> {
    let (mut quick, mut reuse_builds) = (false, false);
    for arg in args {
        match arg.as_str() {
            "--quick" => quick = true,
            "--reuse-builds" => reuse_builds = true,
            _ => return Err("usage: cargo xtask bench [--quick] [--reuse-builds]".into()),
        }
    }
    let mode = if quick {
        Mode {
            name: "quick",
            calls: 200,
            callgrind_calls: (10, 60),
            cli_runs: 3,
            generator_runs: 1,
            criterion_args: &["--warm-up-time", "0.2", "--measurement-time", "0.5", "--sample-size", "10"],
            out_dir: root().join("target/bench/quick"),
        }
    } else {
        Mode {
            name: "full",
            calls: 5000,
            callgrind_calls: (100, 1100),
            cli_runs: 10,
            generator_runs: 5,
            criterion_args: &[],
            out_dir: root().join("bench/results"),
        }
    };
    let stub_script = shared().join("bench-anchors/stub_server.py");
    if !stub_script.exists() {
        return Err(format!(
            "{} is missing: the benchmarks need ../shared/bench-anchors next to the checkout",
            stub_script.display()
        ));
    }
    for tool in ["valgrind", "/usr/bin/time", "strip", "python3"] {
        if Command::new(tool).arg("--version").output().is_err() {
            return Err(format!("the benchmarks need `{tool}` on this machine"));
        }
    }
    let machine = report::machine();
    let mut figures = Vec::new();
    let mut parts = Parts::default();

    parts.run("build cost", || build_cost(&mode, reuse_builds, &mut figures))?;
    let stub = Stub::start(&stub_script)?;
    parts.run("per-request cost", || per_request(&mode, &stub, &mut figures))?;
    parts.run("CLI cost", || cli_cost(&mode, &stub, &mut figures))?;
    drop(stub);
    parts.run("micro-benchmarks", || micro(&mode, &mut figures))?;
    parts.run("generator", || generator(&mode, &mut figures))?;
    parts.run("bulk invalidation", || bulk(&mode, &mut figures))?;

    let table = report::markdown(&figures);
    println!("\n{table}");
    std::fs::create_dir_all(&mode.out_dir).map_err(|e| format!("cannot create {}: {e}", mode.out_dir.display()))?;
    let header = format!("Mode `{}`. Machine: {machine}.\n\n", mode.name);
    write(&mode.out_dir.join("results.md"), &format!("{header}{table}"))?;
    write(&mode.out_dir.join("ratios.svg"), &report::svg(&figures))?;
    if !quick {
        report::update_benchmarks_md(&root().join("BENCHMARKS.md"), &format!("{header}{table}"))?;
    }
    println!("wrote {}/results.md and ratios.svg", mode.out_dir.display());
    let missed = figures.iter().filter(|f| f.met() == Some(false)).count();
    println!("{} figures, {missed} target(s) missed", figures.len());
    println!("{} passed, {} failed", parts.passed, parts.failed);
    if parts.failed == 0 { Ok(()) } else { Err("a benchmark part failed".into()) }
}

/// Counts the parts that ran; a failing part is reported and the others still run.
#[derive(Default)]
struct Parts {
    passed: usize,
    failed: usize,
}

impl Parts {
    fn run(&mut self, name: &str, part: impl FnOnce() -> Result<(), String>) -> Result<(), String> {
        println!("==> {name}");
        match part() {
            Ok(()) => self.passed += 1,
            Err(e) => {
                println!("{name} failed: {e}");
                self.failed += 1;
            }
        }
        Ok(())
    }
}

fn bench_dir() -> PathBuf {
    root().join("bench")
}

fn build_dir(client: &str) -> PathBuf {
    root().join("target/bench/build").join(client)
}

fn client_binary(client: &str, binary: &str) -> PathBuf {
    build_dir(client).join("release").join(binary)
}

fn cargo_in_bench() -> Command {
    let mut command = Command::new("cargo");
    command.current_dir(bench_dir());
    command
}

/// A program whose clean release build is measured: ours and the official SDK's (in `bench/`),
/// and the floor (`../shared/bench-anchors/floor-ref`: a hand-rolled client on reqwest, the
/// least a program making these signed calls compiles).
struct Program {
    label: &'static str,
    workspace: PathBuf,
    package: String,
    binary: &'static str,
}

fn programs() -> [Program; 3] {
    let bench = |label: &'static str, binary| Program {
        label,
        workspace: bench_dir(),
        package: format!("bench-{label}"),
        binary,
    };
    [
        bench("ours", "invalidate-ours"),
        bench("official", "invalidate-official"),
        Program {
            label: "floor",
            workspace: shared().join("bench-anchors/floor-ref"),
            package: "floor-ref".into(),
            binary: "floor-ref",
        },
    ]
}

/// Where this run keeps the raw logs its build figures came from.
fn logs_dir(mode: &Mode) -> Result<PathBuf, String> {
    let stamp = Command::new("date").args(["-u", "+%Y-%m-%dT%H%MZ"]).output().map_err(|e| e.to_string())?;
    let stamp = String::from_utf8_lossy(&stamp.stdout).trim().to_owned();
    let dir = mode.out_dir.join("logs").join(format!("{stamp}-{}-builds", mode.name));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir)
}

/// A clean release build of each program in its own target directory (dependencies are
/// downloaded first, so only compiling is timed), its crate count and stripped size. GNU
/// time's report and cargo's `--timings` page of each build are kept in the logs directory.
fn build_cost(mode: &Mode, reuse_builds: bool, figures: &mut Vec<Figure>) -> Result<(), String> {
    let logs = logs_dir(mode)?;
    let mut measured = Vec::new();
    for program in programs() {
        let cargo = || {
            let mut command = Command::new("cargo");
            command.current_dir(&program.workspace);
            command
        };
        measure::check(cargo().args(["fetch", "--locked"]))?;
        let dir = build_dir(program.label);
        if dir.exists() && !reuse_builds {
            std::fs::remove_dir_all(&dir).map_err(|e| format!("cannot clean {}: {e}", dir.display()))?;
        }
        println!("clean release build of {}", program.package);
        let mut build = cargo();
        build.env("CARGO_TARGET_DIR", &dir).args([
            "build",
            "--release",
            "--locked",
            "--timings",
            "-p",
            &program.package,
        ]);
        let run = measure::timed_with_report(&mut build, &logs.join(format!("{}.time.txt", program.label)))?;
        // cargo's --timings page stays under target/ (HTML is no log to commit); the GNU time
        // report beside the console log is the record.
        println!("cargo --timings page: {}", dir.join("cargo-timings/cargo-timing.html").display());
        let crates = measure::crate_count(&mut cargo(), &program.package)?;
        let stripped = dir.join(format!("{}.stripped", program.binary));
        std::fs::copy(client_binary(program.label, program.binary), &stripped)
            .map_err(|e| format!("cannot copy {}: {e}", program.binary))?;
        measure::check(Command::new("strip").arg(&stripped))?;
        let size = std::fs::metadata(&stripped).map_err(|e| e.to_string())?.len() as f64 / (1024.0 * 1024.0);
        measured.push((run, crates as f64, size));
    }
    let [(ours, ours_crates, ours_size), (theirs, their_crates, their_size), (floor, floor_crates, floor_size)] =
        <[_; 3]>::try_from(measured).map_err(|_| "three programs")?;
    println!("raw build logs in {}", logs.display());
    if !reuse_builds {
        figures.extend([
            Figure::new(
                "build",
                "clean release build, CPU",
                "s",
                ours.cpu(),
                Some(theirs.cpu()),
                Target::OfFloor(0.85),
            )
            .with_floor(floor.cpu()),
            Figure::new("build", "clean release build, wall", "s", ours.wall, Some(theirs.wall), Target::None)
                .with_floor(floor.wall),
        ]);
    }
    figures.extend([
        Figure::new(
            "build",
            "crates in the graph (normal deps, deduplicated)",
            "",
            ours_crates,
            Some(their_crates),
            Target::OfFloor(0.8),
        )
        .with_floor(floor_crates),
        Figure::new("build", "stripped release binary", "MiB", ours_size, Some(their_size), Target::OfFloor(1.1))
            .with_floor(floor_size),
    ]);
    Ok(())
}

/// N calls in one process (sequential, then 64 tasks), and callgrind instruction counts.
fn per_request(mode: &Mode, stub: &Stub, figures: &mut Vec<Figure>) -> Result<(), String> {
    let command = |program: &Program, calls: usize| {
        let mut command = Command::new(client_binary(program.label, program.binary));
        client_env(&mut command, &stub.endpoint()).env("N", calls.to_string());
        command
    };
    let run_client = |program: &Program, concurrency: usize| {
        timed(command(program, mode.calls).env("CONCURRENCY", concurrency.to_string()))
    };
    // Instructions per call: the difference of two counts over the difference of their calls.
    let per_call_instructions = |program: &Program| -> Result<f64, String> {
        let (n1, n2) = mode.callgrind_calls;
        let (ir1, ir2) = (instructions(&mut command(program, n1))?, instructions(&mut command(program, n2))?);
        Ok(ir2.saturating_sub(ir1) as f64 / (n2 - n1) as f64)
    };
    let [ours, official, floor] = programs();
    let mut sequential = Vec::new();
    let mut concurrent = Vec::new();
    let mut per_call = Vec::new();
    let mut one_shot = Vec::new();
    for program in [&ours, &official] {
        sequential.push(run_client(program, 1)?);
        concurrent.push(run_client(program, CONCURRENCY)?);
        per_call.push(per_call_instructions(program)?);
        one_shot.push(instructions(&mut command(program, 0))? as f64);
    }
    // The floor is only counted, beside the two compared programs.
    let floor_per_call = per_call_instructions(&floor)?;
    let n = mode.calls;
    let pair = |values: &[f64]| (values[0], Some(values[1]));
    let figure = |name: String, unit: &'static str, (ours, theirs): (f64, Option<f64>), target| {
        Figure::new("requests", &name, unit, ours, theirs, target)
    };
    let field = |runs: &[measure::Run], key: &str| -> Result<Vec<f64>, String> {
        runs.iter().map(|run| run.field(key)).collect()
    };
    let rss = |runs: &[measure::Run]| runs.iter().map(|r| r.peak_rss_kib as f64 / 1024.0).collect::<Vec<_>>();
    figures.extend([
        figure("instructions per sequential call (callgrind)".into(), "", pair(&per_call), Target::OfFloor(0.85))
            .with_floor(floor_per_call),
        figure("instructions, one-shot process (start, 1 call, exit)".into(), "", pair(&one_shot), Target::Ratio(0.05)),
        figure(
            format!("CPU per call, {n} sequential"),
            "µs",
            pair(&field(&sequential, "cpu_per_call_us")?),
            Target::None,
        ),
        figure(
            format!("calls per second, {n} sequential (more is better)"),
            "/s",
            pair(&field(&sequential, "rps")?),
            Target::None,
        ),
        figure(format!("peak RSS, {n} sequential"), "MiB", pair(&rss(&sequential)), Target::None),
        figure(
            format!("CPU per call, {n} over {CONCURRENCY} tasks"),
            "µs",
            pair(&field(&concurrent, "cpu_per_call_us")?),
            Target::None,
        ),
        figure(
            format!("calls per second, {n} over {CONCURRENCY} tasks (more is better)"),
            "/s",
            pair(&field(&concurrent, "rps")?),
            Target::None,
        ),
        figure(format!("peak RSS, {n} over {CONCURRENCY} tasks"), "MiB", pair(&rss(&concurrent)), Target::None),
    ]);
    Ok(())
}

/// One `create-invalidation` end to end: our `cloudfront` binary against `aws cloudfront`.
fn cli_cost(mode: &Mode, stub: &Stub, figures: &mut Vec<Figure>) -> Result<(), String> {
    measure::check(Command::new("cargo").current_dir(root()).args([
        "build",
        "--release",
        "--locked",
        "-p",
        "cloudfront-cli",
    ]))?;
    let ours = root().join("target/release/cloudfront");
    // What `cargo install` gives a user (the release profile strips symbols).
    let install_root = root().join("target/bench/install");
    measure::check(
        Command::new("cargo")
            .current_dir(root())
            .args(["install", "--quiet", "--locked", "--force", "--path", "crates/products/cloudfront-cli", "--root"])
            .arg(&install_root),
    )?;
    let installed =
        std::fs::metadata(install_root.join("bin/cloudfront")).map_err(|e| format!("no installed binary: {e}"))?;
    figures.push(Figure::new(
        "cli",
        "installed CLI binary (`cargo install --path crates/products/cloudfront-cli`)",
        "MiB",
        installed.len() as f64 / (1024.0 * 1024.0),
        None,
        Target::None,
    ));
    let aws_v1 = std::path::PathBuf::from(crate::peers::pinned()?.bin("aws"));
    // The AWS CLI v2 (what the CLI is a drop-in for) reads today's model from its HOME.
    let (aws_v2, aws_v2_home) = crate::e2e::aws_cli_v2()?;
    let arguments = ["create-invalidation", "--distribution-id", "EDFDVBD6EXAMPLE", "--paths", "/a", "--endpoint-url"];
    let mut results = Vec::new();
    let programs = [
        (ours, None, None),
        (aws_v1, Some("cloudfront"), None),
        (std::path::PathBuf::from(aws_v2), Some("cloudfront"), Some(aws_v2_home)),
    ];
    for (program, prefix, home) in programs {
        let command = || {
            let mut command = Command::new(&program);
            command.args(prefix).args(arguments).arg(stub.endpoint());
            client_env(&mut command, &stub.endpoint());
            if let Some(home) = &home {
                command.env("HOME", home);
            }
            command
        };
        timed(&mut command())?; // warm-up: page cache, Python's bytecode cache
        let runs = (0..mode.cli_runs).map(|_| timed(&mut command())).collect::<Result<Vec<_>, _>>()?;
        let wall = median(runs.iter().map(|r| r.wall).collect());
        let rss = median(runs.iter().map(|r| r.peak_rss_kib as f64 / 1024.0).collect());
        results.push((wall * 1000.0, rss));
    }
    let runs = mode.cli_runs;
    figures.extend([
        Figure::new(
            "cli",
            &format!("`create-invalidation`, wall (median of {runs}), vs the AWS CLI v1"),
            "ms",
            results[0].0,
            Some(results[1].0),
            Target::Ratio(0.02),
        ),
        Figure::new(
            "cli",
            &format!("`create-invalidation`, wall (median of {runs}), vs the AWS CLI v2"),
            "ms",
            results[0].0,
            Some(results[2].0),
            Target::Ratio(0.02),
        ),
        Figure::new(
            "cli",
            &format!("`create-invalidation`, peak RSS (median of {runs}), vs the AWS CLI v1"),
            "MiB",
            results[0].1,
            Some(results[1].1),
            Target::Ratio(0.2),
        ),
        Figure::new(
            "cli",
            &format!("`create-invalidation`, peak RSS (median of {runs}), vs the AWS CLI v2"),
            "MiB",
            results[0].1,
            Some(results[2].1),
            Target::Ratio(0.2),
        ),
    ]);
    Ok(())
}

/// The criterion benchmarks of `bench/micro`, read back from criterion's estimates.
fn micro(mode: &Mode, figures: &mut Vec<Figure>) -> Result<(), String> {
    let criterion_home = root().join("target/bench/criterion");
    let mut bench = cargo_in_bench();
    bench
        .env("CARGO_TARGET_DIR", root().join("target/bench/work"))
        .env("CRITERION_HOME", &criterion_home)
        .args(["bench", "--locked", "-p", "bench-micro", "--bench", "micro", "--"])
        .args(mode.criterion_args);
    measure::check(&mut bench)?;
    let estimate = |id: &str| -> Result<f64, String> {
        let path = criterion_home.join(id).join("new/estimates.json");
        let text = crate::regenerate::read(&path)?;
        let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        json["median"]["point_estimate"].as_f64().ok_or_else(|| format!("{}: no median estimate", path.display()))
    };
    figures.extend([
        Figure::new(
            "micro",
            "SigV4-sign a CreateInvalidation request (vs aws-sigv4)",
            "µs",
            estimate("sigv4/ours")? / 1000.0,
            Some(estimate("sigv4/aws-sigv4")? / 1000.0),
            Target::Ratio(1.0),
        ),
        Figure::new(
            "micro",
            "serialize a 3,000-path batch",
            "µs",
            estimate("serialize_3000_paths")? / 1000.0,
            None,
            Target::None,
        ),
        Figure::new(
            "micro",
            "parse a ListInvalidations page of 1,000",
            "µs",
            estimate("parse_list_1000")? / 1000.0,
            None,
            Target::None,
        ),
    ]);
    Ok(())
}

/// Generation time in this process (reading the model through formatting the code; no
/// writing): from `model/`, and from the full official model.
fn generator(mode: &Mode, figures: &mut Vec<Figure>) -> Result<(), String> {
    let official = shared().join("aws-models/cloudfront.json");
    let time = |generate: &dyn Fn() -> Result<usize, String>| -> Result<(f64, usize), String> {
        let mut seconds = Vec::new();
        let mut files = 0;
        for _ in 0..mode.generator_runs {
            let started = Instant::now();
            files = generate()?;
            seconds.push(started.elapsed().as_secs_f64());
        }
        Ok((median(seconds), files))
    };
    let (ours, ours_files) = time(&|| Ok(crate::regenerate::generate_committed()?.len()))?;
    let (full, full_files) = time(&|| Ok(crate::regenerate::generate_model(&official, None)?.len()))?;
    figures.extend([
        Figure::new(
            "generator",
            &format!("regenerate from model/ ({ours_files} files)"),
            "s",
            ours,
            None,
            Target::None,
        ),
        Figure::new(
            "generator",
            &format!("generate from the full official model ({full_files} files)"),
            "s",
            full,
            None,
            Target::Below(3.0),
        ),
    ]);
    Ok(())
}

/// `cloudfront invalidate`'s library at scale (no official counterpart): planning a million
/// paths, and a fan-out to many tenants against a local CloudFront with an account-wide rate
/// limit, wall time next to the bound the rate sets and peak memory (at a tenth of the
/// tenants too, to show memory does not grow with them).
fn bulk(mode: &Mode, figures: &mut Vec<Figure>) -> Result<(), String> {
    measure::check(Command::new("cargo").current_dir(root()).args([
        "build",
        "--release",
        "--locked",
        "-p",
        "cloudfront-invalidate",
        "--example",
        "bulk_at_scale",
    ]))?;
    let program = root().join("target/release/examples/bulk_at_scale");
    let (paths, tenants, rate) =
        if mode.name == "quick" { (100_000, 1_000, 1_000.0) } else { (1_000_000, 10_000, 1_000.0) };
    let planned = timed(Command::new(&program).args(["plan", &paths.to_string()]))?;
    let small = timed(Command::new(&program).args(["fan-out", &(tenants / 10).to_string(), &rate.to_string()]))?;
    let large = timed(Command::new(&program).args(["fan-out", &tenants.to_string(), &rate.to_string()]))?;
    let mib = |run: &measure::Run| run.peak_rss_kib as f64 / 1024.0;
    figures.extend([
        Figure::new("bulk", &format!("plan {paths} paths, time"), "s", planned.field("seconds")?, None, Target::None),
        Figure::new("bulk", &format!("plan {paths} paths, peak RSS"), "MiB", mib(&planned), None, Target::None),
        Figure::new(
            "bulk",
            &format!(
                "fan out to {tenants} tenants at {rate} calls/s, wall (the rate allows {} s)",
                large.field("bound")?
            ),
            "s",
            large.field("seconds")?,
            None,
            Target::None,
        ),
        Figure::new("bulk", &format!("fan out to {tenants} tenants, peak RSS"), "MiB", mib(&large), None, Target::None),
        Figure::new(
            "bulk",
            &format!("fan out to {} tenants, peak RSS", tenants / 10),
            "MiB",
            mib(&small),
            None,
            Target::None,
        ),
    ]);
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
