//! Audit benchmark: 10,000 generated Tray exports (made from the four in `examples/exports/`, with fresh workflow ids
//! and pins moved among the catalog's versions) audited against the example night 2026-11-26.
//!
//! Times the release binary end to end (process start, catalog load, reading and parsing every file, judging,
//! rendering to a file) for each format, and the library in process; then judging alone, with the literal value
//! check and without it (the same steps with their values taken out). Prints figures; asserts nothing.
//!
//!     cargo bench --bench audit                           # 10,000 exports
//!     TRAYSCOPE_BENCH_EXPORTS=50000 cargo bench --bench audit

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;
use trayscope::audit::{self, AuditOptions, FailOn, Judge, StepValues, WorkflowRef, render};
use trayscope::home::Home;
use trayscope::store::Store;

/// Versions each example connector is listed at on 2026-11-26 (http-client 5.5 is retired, on purpose kept here).
const VERSIONS: &[(&str, &[&str])] = &[
    ("slack", &["8.1", "9.0", "9.1", "10.0"]),
    ("salesforce", &["7.4", "8.5", "8.6"]),
    ("hubspot", &["3.0", "3.1", "4.0"]),
    ("http-client", &["5.5", "5.6"]),
    ("google-sheets", &["6.0", "6.1"]),
];

fn main() {
    let count: usize = std::env::var("TRAYSCOPE_BENCH_EXPORTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let runs = 5;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scratch = tempfile::tempdir().expect("tempdir");
    let home = Home::new(scratch.path().join("home"));
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    common::crawl(
        &runtime,
        &home,
        &common::dir_source(&root.join("examples/catalog/2026-11-26")),
        4,
    );

    let exports = scratch.path().join("exports");
    let started = Instant::now();
    let bytes = generate(&root.join("examples/exports"), &exports, count);
    println!(
        "generated {count} exports ({bytes} bytes, {:.1} KiB each on average) in {:.2} s",
        bytes as f64 / count as f64 / 1024.0,
        started.elapsed().as_secs_f64()
    );

    let binary = env!("CARGO_BIN_EXE_trayscope");
    for format in ["json", "sarif", "human", "junit", "github"] {
        let out = scratch.path().join(format!("report.{format}"));
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs {
            let started = Instant::now();
            let status = Command::new(binary)
                .arg("--home")
                .arg(home.dir())
                .args(["audit", "--fail-on", "never", "--format", format, "--out"])
                .arg(&out)
                .arg(&exports)
                .status()
                .expect("run trayscope");
            times.push(started.elapsed());
            assert!(status.success(), "audit failed");
        }
        let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
        println!(
            "binary, --format {format:<6}: {} ({size} bytes of report)",
            summary(&mut times)
        );
    }

    let mut store = Store::open(&home.db_path()).expect("store");
    let options = AuditOptions {
        paths: vec![exports.clone()],
        snapshot: None,
        ignore: None,
        policy: None,
        sunset_within: 30,
        fail_on: FailOn::Never,
        today: chrono::Utc::now().date_naive(),
        base_dir: scratch.path().to_owned(),
        threads: 0,
        severity_overrides: Default::default(),
    };
    let mut audit_times = Vec::with_capacity(runs);
    let mut render_times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let started = Instant::now();
        let report = audit::audit(&mut store, &options).expect("audit");
        audit_times.push(started.elapsed());
        let started = Instant::now();
        render::render(
            &report,
            render::Format::Json,
            render::HumanStyle::default(),
            &mut std::io::sink(),
        )
        .expect("render");
        render_times.push(started.elapsed());
        last = Some(report);
    }
    let report = last.expect("at least one run");
    println!(
        "in process: audit {}; JSON rendering {}",
        summary(&mut audit_times),
        summary(&mut render_times)
    );
    println!(
        "{} files, {} workflows, {} steps, {} findings ({} errors, {} warnings, {} notes); {} threads",
        report.files_scanned,
        report.workflows_scanned,
        report.steps_scanned,
        report.findings.len(),
        report.summary.errors,
        report.summary.warnings,
        report.summary.notes,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "literal values checked: {}, dynamic values left to run time: {}; invalid-input-value findings: {}, \
         upgrade-impact: {}",
        report.literal_values,
        report.dynamic_values,
        report.summary.by_code["invalid-input-value"],
        report.summary.by_code["upgrade-impact"]
    );

    // Judging alone, with and without the value check: the same parsed exports, values taken out for the second.
    let files = audit::discover(std::slice::from_ref(&exports), scratch.path()).expect("discover");
    let with_values = audit::read_exports(&files, 0).expect("read");
    let mut without_values = with_values.clone();
    for export in &mut without_values {
        for workflow in &mut export.workflows {
            for step in &mut workflow.steps {
                step.values = StepValues::default();
            }
        }
    }
    let id = store.complete_snapshot(None).expect("snapshot").id;
    let catalog = store.catalog(id).expect("catalog");
    for (label, exports) in [("with", &with_values), ("without", &without_values)] {
        let mut times = Vec::with_capacity(runs);
        let mut found = 0;
        for _ in 0..runs {
            let started = Instant::now();
            let mut judge = Judge::new(&catalog);
            let mut findings = Vec::new();
            for export in exports {
                for workflow in &export.workflows {
                    let workflow_ref = WorkflowRef {
                        id: workflow.id.clone(),
                        title: workflow.title.clone(),
                    };
                    for step in &workflow.steps {
                        judge
                            .judge(
                                &mut store,
                                &export.display,
                                &workflow_ref,
                                step,
                                &mut findings,
                            )
                            .expect("judge");
                    }
                }
            }
            times.push(started.elapsed());
            found = findings.len();
        }
        println!(
            "judging {} steps {label} the value check: {} ({found} findings)",
            report.steps_scanned,
            summary(&mut times)
        );
    }
}

/// "median X s (min Y s, max Z s, N runs)".
fn summary(times: &mut [Duration]) -> String {
    times.sort();
    format!(
        "median {:.3} s (min {:.3} s, max {:.3} s, {} runs)",
        times[times.len() / 2].as_secs_f64(),
        times[0].as_secs_f64(),
        times[times.len() - 1].as_secs_f64(),
        times.len()
    )
}

/// Writes `count` exports under `dir` in 100 subdirectories; returns the bytes written.
fn generate(examples: &Path, dir: &Path, count: usize) -> u64 {
    let mut templates: Vec<Value> = Vec::new();
    let mut names: Vec<PathBuf> = Vec::new();
    for entry in std::fs::read_dir(examples).expect("examples/exports") {
        let path = entry.expect("entry").path();
        templates.push(serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("JSON"));
        names.push(path);
    }
    let mut bytes = 0;
    for i in 0..count {
        let mut export = templates[i % templates.len()].clone();
        if let Some(workflows) = export["workflows"].as_array_mut() {
            for (w, workflow) in workflows.iter_mut().enumerate() {
                workflow["id"] = Value::String(format!("00000000-0000-4000-8000-{i:08}{w:04}"));
                let title = workflow["title"].as_str().unwrap_or("").to_owned();
                workflow["title"] = Value::String(format!("{title} #{i}"));
                if let Some(steps) = workflow["steps"].as_object_mut() {
                    for (s, step) in steps.values_mut().enumerate() {
                        let name = step["connector"]["name"].as_str().unwrap_or("").to_owned();
                        if let Some((_, versions)) = VERSIONS.iter().find(|(n, _)| *n == name) {
                            let version = versions[(i + s) % versions.len()];
                            step["connector"]["version"] = Value::String(version.to_owned());
                        }
                    }
                }
            }
        }
        let sub = dir.join(format!("team-{:02}", i % 100));
        std::fs::create_dir_all(&sub).expect("mkdir");
        let stem = names[i % names.len()]
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("export.json")
            .trim_end_matches(".json")
            .to_owned();
        let text = serde_json::to_vec_pretty(&export).expect("serialize");
        bytes += text.len() as u64;
        std::fs::write(sub.join(format!("{stem}-{i:05}.json")), text).expect("write");
    }
    bytes
}
