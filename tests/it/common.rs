//! Helpers shared by the integration tests: a temporary home, the binary, fixture paths.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::{Value, json};

use crate::fake_tray::Catalog;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A scratch directory holding a trayscope home (`home/`) and whatever else a test writes.
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Scratch {
        Scratch {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn home(&self) -> PathBuf {
        self.path("home")
    }

    /// `trayscope --home <home>` with a clean environment (no token, no TRAYSCOPE_* from the developer's shell).
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("trayscope").expect("binary");
        cmd.env_remove("TRAY_TOKEN")
            .env_remove("TRAYSCOPE_HOME")
            .env_remove("TRAYSCOPE_LOG")
            .current_dir(self.dir.path())
            .arg("--home")
            .arg(self.home());
        cmd
    }

    /// The same as [`Scratch::cmd`], as a `std::process::Command`, for runs a test starts in the background (to
    /// kill, or to read a pipe from).
    pub fn background(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("trayscope"));
        cmd.env_remove("TRAY_TOKEN")
            .env_remove("TRAYSCOPE_HOME")
            .env_remove("TRAYSCOPE_LOG")
            .current_dir(self.dir.path())
            .arg("--home")
            .arg(self.home());
        cmd
    }

    /// Runs `crawl --from-dir DIR --json` and returns the summary.
    pub fn crawl_dir(&self, dir: &Path) -> Value {
        let out = self
            .cmd()
            .args(["crawl", "--json", "--from-dir"])
            .arg(dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "crawl failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("crawl --json prints JSON")
    }

    /// `snapshots --json`.
    pub fn snapshots(&self) -> Vec<Value> {
        let out = self.cmd().args(["snapshots", "--json"]).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    }

    pub fn complete_snapshots(&self) -> Vec<Value> {
        self.snapshots()
            .into_iter()
            .filter(|s| s["status"] == "complete")
            .collect()
    }

    /// Exports `snapshot` (or the latest) to `rel` and returns the directory.
    pub fn export(&self, snapshot: Option<i64>, rel: &str) -> PathBuf {
        let out = self.path(rel);
        let mut cmd = self.cmd();
        cmd.arg("export").arg("--out").arg(&out);
        if let Some(id) = snapshot {
            cmd.arg("--snapshot").arg(id.to_string());
        }
        let output = cmd.output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        out
    }
}

/// A command's stderr, as text.
pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

impl Scratch {
    /// Runs `trayscope ARGS`, which must succeed, and parses its stdout as JSON.
    pub fn json(&self, args: &[&str]) -> Value {
        let out = self.cmd().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "trayscope {args:?} failed: {}",
            stderr(&out)
        );
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("trayscope {args:?} printed no JSON: {e}"))
    }
}

/// Every file under `root` (relative path → parsed JSON), for comparing catalogs whatever their key order.
pub fn json_tree(root: &Path) -> std::collections::BTreeMap<String, Value> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(
                    rel,
                    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap(),
                );
            }
        }
    }
    out
}

/// A deterministic catalog of `n` connector versions with realistic schema sizes, for size and growth checks.
pub fn generated_catalog(n: usize) -> Catalog {
    let mut elements = Vec::new();
    let mut operations = std::collections::HashMap::new();
    for i in 0..n {
        let name = format!("connector-{:03}", i / 2);
        let version = format!("{}.{}", 1 + i % 2, i % 7);
        elements.push(json!({
            "name": name, "version": version, "title": format!("Connector {i}"),
            "description": format!("Talks to service number {} of a long tail of SaaS APIs", i / 2),
            "service": {"id": format!("00000000-0000-0000-0000-{:012}", i / 2), "name": name, "version": 1 + (i % 2)}
        }));
        let ops: Vec<Value> = (0..8)
            .map(|j| {
                let props: serde_json::Map<String, Value> = (0..(4 + (i * 7 + j) % 12))
                    .map(|k| {
                        (
                            format!("field_{k}_{}", (i + j) % 5),
                            json!({"type": if k % 3 == 0 { "string" } else { "integer" },
                                   "title": format!("Field {k}"),
                                   "description": format!("The {k}th field of record type {j} in connector {i}")}),
                        )
                    })
                    .collect();
                json!({
                    "name": format!("operation_{j}"), "title": format!("Operation {j}"),
                    "description": format!("Does thing {j} with the records of connector {i}"),
                    "inputSchema": {"$schema": "https://api.tray.io/core/v1/connectors/operations/input-schema#",
                                    "type": "object", "properties": props.clone(), "required": ["field_0_0"],
                                    "additionalProperties": false},
                    "outputSchema": {"$schema": "https://api.tray.io/core/v1/connectors/operations/output-schema#",
                                     "type": "object", "properties": props},
                    "hasDynamicOutput": j == 7
                })
            })
            .collect();
        operations.insert((name.clone(), version.clone()), json!({ "elements": ops }));
    }
    Catalog {
        connectors: json!({ "elements": elements }),
        operations,
    }
}

/// Writes a catalog in the directory layout.
pub fn write_catalog(catalog: &Catalog, root: &Path) {
    std::fs::create_dir_all(root.join("operations")).unwrap();
    std::fs::write(
        root.join("connectors.json"),
        serde_json::to_vec_pretty(&catalog.connectors).unwrap(),
    )
    .unwrap();
    for ((name, version), body) in &catalog.operations {
        let dir = root
            .join("operations")
            .join(crate::fake_tray::escape_segment(name));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(format!(
            "{}.json",
            crate::fake_tray::escape_segment(version)
        ));
        std::fs::write(file, serde_json::to_vec_pretty(body).unwrap()).unwrap();
    }
}

/// Total bytes of the files in a directory (recursively).
pub fn dir_size(root: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                total += meta.len();
            }
        }
    }
    total
}
