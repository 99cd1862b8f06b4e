//! Finding and reading Tray exports (`tray_export_version` 4, `export_type` `workflow` or `project`), and visiting
//! every step, nested in branches and loops or not.
//!
//! Files are read and parsed in parallel. Anything that is not a well-formed export is an error naming the file
//! (and the JSON position or the field): this module must never skip a file it was given or found, since a gate
//! that passes because it could not read an export is worse than no gate.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Map, Value};

use super::{AuditError, Result, locate, show_path};
use crate::files::{FileProblem, read_regular_file};
use crate::model::kind_of;

/// The one export format version trayscope reads.
pub const EXPORT_VERSION: i64 = 4;

/// Larger files are refused rather than read into memory (a real export is kilobytes to a few megabytes).
const MAX_EXPORT_BYTES: u64 = 256 << 20;

/// A file to read, with the path to show for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportPath {
    pub path: PathBuf,
    pub display: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    Workflow,
    Project,
}

/// One export file, read and checked.
#[derive(Debug, Clone)]
pub struct ExportFile {
    pub path: PathBuf,
    pub display: String,
    pub kind: ExportKind,
    pub workflows: Vec<Workflow>,
}

#[derive(Debug, Clone)]
pub struct Workflow {
    pub id: String,
    pub title: String,
    /// In file order (by line), nested steps included.
    pub steps: Vec<Step>,
}

/// One step: its pinned connector version and operation, and the names of the inputs it sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub name: String,
    /// Where it sits in `steps_structure`: `loop-1/_loop/boolean-condition-2/true`; empty at the top level.
    pub location: String,
    pub line: Option<usize>,
    pub connector: String,
    pub version: String,
    pub operation: String,
    /// The keys of `properties`, sorted.
    pub inputs: Vec<String>,
    /// The literal input `properties` sends ([`super::values`]).
    pub values: super::values::StepValues,
}

/// The files under `paths`: files as given, directories searched recursively for `*.json` (hidden entries and
/// symlinked directories skipped), sorted and without duplicates.
///
/// Every `*.json` found is an export: a dangling or looping symlink, a FIFO or a device by that name is listed like
/// any other file, and reading it fails (exit 2, naming it) instead of the audit passing without it. Every path that
/// does not exist is named, not only the first.
pub fn discover(paths: &[PathBuf], base: &Path) -> Result<Vec<ExportPath>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    // Several PATHs can name one file twice (a file and its directory); it is audited once. A single PATH lists
    // each file once (symlinked directories are not followed), and resolving every path costs syscalls, so only
    // several PATHs are checked.
    let mut first_time = |path: &Path| paths.len() == 1 || seen.insert(identity(path));
    for path in paths {
        let meta = match std::fs::metadata(path) {
            Ok(meta) => meta,
            Err(source) if source.kind() == std::io::ErrorKind::NotFound => {
                errors.push(AuditError::NotFound {
                    path: show_path(path, base),
                });
                continue;
            }
            Err(source) => {
                errors.push(AuditError::Read {
                    path: show_path(path, base),
                    source,
                });
                continue;
            }
        };
        if !meta.is_dir() {
            if first_time(path) {
                out.push(ExportPath {
                    path: path.clone(),
                    display: show_path(path, base),
                });
            }
            continue;
        }
        let mut found = Vec::new();
        if let Err(error) = walk(path, base, &mut found) {
            errors.push(error);
            continue;
        }
        if found.is_empty() {
            errors.push(AuditError::NoExports {
                path: show_path(path, base),
            });
            continue;
        }
        found.sort();
        for file in found {
            if first_time(&file) {
                out.push(ExportPath {
                    display: show_path(&file, base),
                    path: file,
                });
            }
        }
    }
    match errors.len() {
        0 => Ok(out),
        1 => Err(errors.remove(0)),
        _ => Err(AuditError::Exports(errors)),
    }
}

fn identity(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned())
}

fn walk(dir: &Path, base: &Path, found: &mut Vec<PathBuf>) -> Result<()> {
    let read_error = |source| AuditError::Read {
        path: show_path(dir, base),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(read_error)? {
        let entry = entry.map_err(read_error)?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        let kind = entry.file_type().map_err(|source| AuditError::Read {
            path: show_path(&path, base),
            source,
        })?;
        if kind.is_dir() {
            walk(&path, base, found)?;
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
            // A symlinked directory is skipped; any other `*.json` (a dangling or looping link, a FIFO) is read, and
            // refused there by name.
            && !(kind.is_symlink() && path.is_dir())
        {
            found.push(path);
        }
    }
    Ok(())
}

/// Reads and checks every file, `threads` at a time (0 = one per core). Every failure is reported, not only the
/// first.
pub fn read_exports(files: &[ExportPath], threads: usize) -> Result<Vec<ExportFile>> {
    let threads = match threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .min(files.len().max(1));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Result<ExportFile>)>> =
        Mutex::new(Vec::with_capacity(files.len()));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let mut local = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(file) = files.get(i) else { break };
                    local.push((i, read_export(file)));
                }
                results
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .extend(local);
            });
        }
    });
    let mut results = results
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    results.sort_by_key(|(i, _)| *i);
    let mut exports = Vec::with_capacity(results.len());
    let mut errors = Vec::new();
    for (_, result) in results {
        match result {
            Ok(export) => exports.push(export),
            Err(error) => errors.push(error),
        }
    }
    match errors.len() {
        0 => Ok(exports),
        1 => Err(errors.remove(0)),
        _ => Err(AuditError::Exports(errors)),
    }
}

/// Reads one export file.
pub fn read_export(file: &ExportPath) -> Result<ExportFile> {
    let bytes = read_regular_file(&file.path, MAX_EXPORT_BYTES).map_err(|error| {
        let dangling = error.is_not_found() && file.path.is_symlink();
        match error.problem {
            FileProblem::Io(source) if dangling => AuditError::Export {
                path: file.display.clone(),
                line: None,
                message: format!("cannot read: a symlink to a file that does not exist ({source})"),
            },
            FileProblem::Io(source) => AuditError::Read {
                path: file.display.clone(),
                source,
            },
            problem => AuditError::Export {
                path: file.display.clone(),
                line: None,
                message: problem.to_string(),
            },
        }
    })?;
    parse_export(&file.path, &file.display, &bytes)
}

/// Parses and checks the bytes of one export.
pub fn parse_export(path: &Path, display: &str, bytes: &[u8]) -> Result<ExportFile> {
    // Editors on some systems add a UTF-8 byte order mark; JSON does not allow one, Tray does not write one.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let root: Value = serde_json::from_slice(bytes).map_err(|e| AuditError::Json {
        path: display.to_owned(),
        line: e.line(),
        column: e.column(),
        message: json_message(&e),
    })?;
    let lines = locate::step_lines(bytes);
    let checker = Checker {
        display,
        lines: &lines,
    };
    checker.export(path, &root)
}

/// serde_json's message without its trailing " at line L column C" (shown separately).
fn json_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

struct Checker<'a> {
    display: &'a str,
    lines: &'a [HashMap<String, usize>],
}

impl Checker<'_> {
    /// The error for this export. Its message quotes names from the file, so control characters in them are
    /// escaped here: an error line must never carry a newline or an escape sequence from an export.
    fn fail(&self, line: Option<usize>, message: String) -> AuditError {
        AuditError::Export {
            path: self.display.to_owned(),
            line,
            message: crate::report::printable(&message).into_owned(),
        }
    }

    fn export(&self, path: &Path, root: &Value) -> Result<ExportFile> {
        let Value::Object(root) = root else {
            return Err(self.fail(
                None,
                format!(
                    "not a Tray export: the top level is {}, not an object",
                    kind_of(root)
                ),
            ));
        };
        match root.get("tray_export_version") {
            Some(v) if v.as_i64() == Some(EXPORT_VERSION) => {}
            Some(v) => {
                return Err(self.fail(
                    None,
                    format!(
                        "`tray_export_version` is {}; trayscope reads version {EXPORT_VERSION} exports",
                        describe(v)
                    ),
                ));
            }
            None => {
                return Err(self.fail(
                    None,
                    "not a Tray export: no `tray_export_version` (export workflows or projects from Tray)".into(),
                ));
            }
        }
        let kind = match root.get("export_type") {
            Some(Value::String(t)) if t == "workflow" => ExportKind::Workflow,
            Some(Value::String(t)) if t == "project" => ExportKind::Project,
            other => {
                return Err(self.fail(
                    None,
                    format!(
                        "`export_type` is {}; expected \"workflow\" or \"project\"",
                        other.map_or("missing".into(), describe)
                    ),
                ));
            }
        };
        if let Some(projects) = root.get("projects")
            && !projects.is_array()
        {
            return Err(self.fail(
                None,
                format!("`projects` is {}, not an array", kind_of(projects)),
            ));
        }
        let workflows = match root.get("workflows") {
            Some(Value::Array(items)) => items,
            other => {
                return Err(self.fail(
                    None,
                    format!(
                        "`workflows` is {}, not an array",
                        other.map_or("missing", kind_of)
                    ),
                ));
            }
        };
        let workflows = workflows
            .iter()
            .enumerate()
            .map(|(i, w)| self.workflow(i, w))
            .collect::<Result<Vec<_>>>()?;
        Ok(ExportFile {
            path: path.to_owned(),
            display: self.display.to_owned(),
            kind,
            workflows,
        })
    }

    fn workflow(&self, index: usize, value: &Value) -> Result<Workflow> {
        let place = format!("workflows[{index}]");
        let Value::Object(object) = value else {
            return Err(self.fail(
                None,
                format!("`{place}` is {}, not an object", kind_of(value)),
            ));
        };
        let id = self.string(None, &place, object, "id")?;
        // Tray requires a title, but an empty one takes nothing away from the audit.
        let title = match object.get("title") {
            Some(Value::String(title)) => title.clone(),
            other => {
                return Err(self.fail(
                    None,
                    format!(
                        "`{place}.title` is {}, expected a string",
                        other.map_or("missing".into(), describe)
                    ),
                ));
            }
        };
        let steps = match object.get("steps") {
            Some(Value::Object(steps)) => steps,
            other => {
                return Err(self.fail(
                    None,
                    format!(
                        "`{place}.steps` is {}, not an object",
                        other.map_or("missing", kind_of)
                    ),
                ));
            }
        };
        let lines = self.lines.get(index);
        let line_of = |name: &str| lines.and_then(|l| l.get(name)).copied();
        // Where each step sits, from the structure; steps it does not mention are still audited.
        let mut locations: HashMap<&str, String> = HashMap::new();
        match object.get("steps_structure") {
            None | Some(Value::Null) => {}
            Some(Value::Array(nodes)) => {
                self.structure(&place, nodes, "", steps, &mut locations)?;
            }
            Some(other) => {
                return Err(self.fail(
                    None,
                    format!(
                        "`{place}.steps_structure` is {}, not an array",
                        kind_of(other)
                    ),
                ));
            }
        }
        let mut out = Vec::with_capacity(steps.len());
        for (name, step) in steps {
            let line = line_of(name);
            out.push(self.step(
                &place,
                name,
                step,
                line,
                locations.get(name.as_str()).cloned().unwrap_or_default(),
            )?);
        }
        out.sort_by(|a, b| a.line.cmp(&b.line).then_with(|| a.name.cmp(&b.name)));
        Ok(Workflow {
            id,
            title,
            steps: out,
        })
    }

    /// Walks `steps_structure` (branch arms, `_loop`, any node type), recording each step's location.
    fn structure<'v>(
        &self,
        place: &str,
        nodes: &'v [Value],
        location: &str,
        steps: &Map<String, Value>,
        locations: &mut HashMap<&'v str, String>,
    ) -> Result<()> {
        for (i, node) in nodes.iter().enumerate() {
            let here = if location.is_empty() {
                format!("`{place}.steps_structure` node {i}")
            } else {
                format!("`{place}.steps_structure` node {i} under {location}")
            };
            let Value::Object(node) = node else {
                return Err(self.fail(None, format!("{here} is {}, not an object", kind_of(node))));
            };
            let name = match node.get("name") {
                Some(Value::String(name)) if !name.is_empty() => name,
                other => {
                    return Err(self.fail(
                        None,
                        format!(
                            "{here}: `name` is {}, expected a step name",
                            other.map_or("missing".into(), describe)
                        ),
                    ));
                }
            };
            let node_type = node.get("type").and_then(Value::as_str).unwrap_or("normal");
            if steps.contains_key(name) {
                locations
                    .entry(name.as_str())
                    .or_insert_with(|| location.to_owned());
            } else if node_type == "normal" {
                return Err(self.fail(
                    None,
                    format!("{here}: step `{name}` has no entry in `{place}.steps`"),
                ));
            }
            match node.get("content") {
                None | Some(Value::Null) => {}
                Some(Value::Object(arms)) => {
                    for (arm, children) in arms {
                        if let Value::Array(children) = children {
                            let nested = if location.is_empty() {
                                format!("{name}/{arm}")
                            } else {
                                format!("{location}/{name}/{arm}")
                            };
                            self.structure(place, children, &nested, steps, locations)?;
                        }
                    }
                }
                Some(other) => {
                    return Err(self.fail(
                        None,
                        format!(
                            "{here} (`{name}`): `content` is {}, not an object",
                            kind_of(other)
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    fn step(
        &self,
        place: &str,
        name: &str,
        value: &Value,
        line: Option<usize>,
        location: String,
    ) -> Result<Step> {
        let place = format!("{place}.steps[{name:?}]");
        let Value::Object(object) = value else {
            return Err(self.fail(
                line,
                format!("`{place}` is {}, not an object", kind_of(value)),
            ));
        };
        let connector = match object.get("connector") {
            Some(Value::Object(c)) => c,
            other => {
                return Err(self.fail(
                    line,
                    format!(
                        "`{place}.connector` is {}, expected {{\"name\", \"version\"}}",
                        other.map_or("missing", kind_of)
                    ),
                ));
            }
        };
        let connector_place = format!("{place}.connector");
        let connector_name = self.string(line, &connector_place, connector, "name")?;
        let version = self.string(line, &connector_place, connector, "version")?;
        let operation = self.string(line, &place, object, "operation")?;
        let (inputs, values) = match object.get("properties") {
            None | Some(Value::Null) => (Vec::new(), Default::default()),
            // serde_json's map is ordered by key: already sorted.
            Some(Value::Object(properties)) => (
                properties.keys().cloned().collect(),
                super::values::literal_input(properties),
            ),
            Some(other) => {
                return Err(self.fail(
                    line,
                    format!("`{place}.properties` is {}, not an object", kind_of(other)),
                ));
            }
        };
        Ok(Step {
            name: name.to_owned(),
            location,
            line,
            connector: connector_name,
            version,
            operation,
            inputs,
            values,
        })
    }

    fn string(
        &self,
        line: Option<usize>,
        place: &str,
        object: &Map<String, Value>,
        field: &str,
    ) -> Result<String> {
        match object.get(field) {
            Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
            other => Err(self.fail(
                line,
                format!(
                    "`{place}.{field}` is {}, expected a non-empty string",
                    other.map_or("missing".into(), describe)
                ),
            )),
        }
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::Number(n) => n.to_string(),
        Value::String(s) if s.is_empty() => "an empty string".into(),
        Value::String(s) if s.chars().count() <= 40 => format!("{s:?}"),
        other => kind_of(other).to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ExportFile> {
        parse_export(Path::new("x.json"), "x.json", text.as_bytes())
    }

    const NESTED: &str = r#"{"tray_export_version": 4, "export_type": "workflow", "projects": [],
"workflows": [{"id": "w1", "title": "Sync",
 "steps_structure": [
   {"name": "trigger", "type": "normal", "content": {}},
   {"name": "loop-1", "type": "loop", "content": {"_loop": [
     {"name": "branch-1", "type": "branch", "content": {"true": [{"name": "slack-1", "type": "normal", "content": {}}],
                                                        "false": [{"name": "break-1", "type": "break", "content": {}}]}}]}}],
 "steps": {
   "trigger": {"connector": {"name": "webhook", "version": "2.3"}, "operation": "fire_and_forget", "properties": {}},
   "slack-1": {"connector": {"name": "slack", "version": "9.1"}, "operation": "send_message",
               "properties": {"text": {"type": "string", "value": "hi"}, "channel": {"type": "string", "value": "C1"}}},
   "orphan": {"connector": {"name": "jira", "version": "3.2"}, "operation": "create_issue"}
 }}]}"#;

    #[test]
    fn nested_steps_are_visited_with_their_location_and_line() {
        let export = parse(NESTED).unwrap();
        assert_eq!(export.kind, ExportKind::Workflow);
        let steps = &export.workflows[0].steps;
        let names: Vec<&str> = steps.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["trigger", "slack-1", "orphan"]);
        assert_eq!(steps[0].location, "");
        assert_eq!(steps[1].location, "loop-1/_loop/branch-1/true");
        assert_eq!(steps[1].line, Some(10));
        assert_eq!(steps[1].inputs, ["channel", "text"]);
        assert_eq!(
            steps[2].location, "",
            "a step the structure misses is still audited"
        );
    }

    #[test]
    fn malformed_json_names_the_position() {
        let err = parse("{\n  \"tray_export_version\": 4,\n  \"workflows\": [}\n").unwrap_err();
        match &err {
            AuditError::Json { line, column, .. } => assert_eq!((*line, *column), (3, 17)),
            other => panic!("{other:?}"),
        }
        assert!(
            err.to_string().starts_with("x.json: not valid JSON: "),
            "{err}"
        );
        assert!(err.to_string().contains("line 3, column 17"), "{err}");
    }

    #[test]
    fn other_export_versions_are_refused() {
        let err =
            parse(r#"{"tray_export_version": 3, "export_type": "workflow", "workflows": []}"#)
                .unwrap_err()
                .to_string();
        assert!(err.contains("`tray_export_version` is 3"), "{err}");
        let err = parse(r#"{"export_type": "workflow", "workflows": []}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a Tray export"), "{err}");
        let err =
            parse(r#"{"tray_export_version": 4, "export_type": "solution", "workflows": []}"#)
                .unwrap_err()
                .to_string();
        assert!(err.contains("\"solution\""), "{err}");
    }

    #[test]
    fn a_step_without_a_pinned_version_is_an_error_with_its_line() {
        let text = "{\"tray_export_version\": 4, \"export_type\": \"workflow\", \"workflows\": [{\"id\": \"w\", \"title\": \"t\",\n\"steps\": {\n\"s1\": {\"connector\": {\"name\": \"slack\"}, \"operation\": \"x\"}}}]}";
        let err = parse(text).unwrap_err().to_string();
        assert_eq!(
            err,
            "x.json:3: `workflows[0].steps[\"s1\"].connector.version` is missing, expected a non-empty string"
        );
    }

    #[test]
    fn a_normal_node_without_a_step_is_an_error() {
        let text = r#"{"tray_export_version": 4, "export_type": "workflow", "workflows": [{"id": "w", "title": "t",
            "steps_structure": [{"name": "ghost", "type": "normal", "content": {}}], "steps": {}}]}"#;
        let err = parse(text).unwrap_err().to_string();
        assert!(err.contains("step `ghost` has no entry"), "{err}");
    }

    #[test]
    fn a_byte_order_mark_is_tolerated() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(NESTED.as_bytes());
        assert!(parse_export(Path::new("x"), "x", &bytes).is_ok());
    }
}
