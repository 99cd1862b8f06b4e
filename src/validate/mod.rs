//! Checking an operation's input offline, against the input schema the catalog holds: before a billable call
//! (`trayscope call`), in CI (`trayscope validate`), and for the literal values of exported steps (the audit).
//!
//! The operation is found in one complete snapshot (the latest unless told), at the newest version of its connector
//! unless told; a name that is not there is an error that suggests close names. Validation is a real JSON Schema
//! validator ([`SchemaValidator`]) reporting every error at once, each with the instance pointer, the schema
//! pointer and a plain sentence. This module reads the store and never writes it; it never touches the network.

mod message;
mod schema;
mod suggest;

use serde::Serialize;
use serde_json::Value;

pub use schema::{SchemaError, SchemaValidator, ValueError};
pub use suggest::{close_names, edit_distance};

use crate::model::Version;
use crate::store::{Store, StoreError};

/// How many close names an error suggests.
const SUGGESTIONS: usize = 3;

#[derive(Debug, thiserror::Error)]
pub enum ValidateError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("--version {0:?} is not a \"major.minor\" version (such as 9.1)")]
    BadVersion(String),
    #[error(
        "snapshot {snapshot} has no connector named {name:?}{}; names are exact (`twilio-output`): find one with \
         `trayscope search`",
        did_you_mean(suggestions)
    )]
    UnknownConnector {
        name: String,
        snapshot: i64,
        suggestions: Vec<String>,
    },
    #[error(
        "{connector} has no version {version} in snapshot {snapshot}; it has {}",
        versions.join(", ")
    )]
    UnknownVersion {
        connector: String,
        version: String,
        snapshot: i64,
        versions: Vec<String>,
    },
    #[error(
        "{connector} {version} has no operation {operation:?} in snapshot {snapshot}{}; `trayscope search '*' \
         --connector {connector} --version {version} --limit 1000` lists its {count} operations",
        did_you_mean(suggestions)
    )]
    UnknownOperation {
        connector: String,
        version: String,
        operation: String,
        snapshot: i64,
        suggestions: Vec<String>,
        count: usize,
    },
    #[error("{name}: not valid JSON: {message} (line {line}, column {column})")]
    InputNotJson {
        name: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{operation}: the stored {which} schema is {error}")]
    Schema {
        /// `slack 9.1 `send_message``.
        operation: String,
        which: &'static str,
        error: SchemaError,
    },
}

fn did_you_mean(suggestions: &[String]) -> String {
    match suggestions {
        [] => String::new(),
        [one] => format!(" (did you mean {one}?)"),
        many => format!(" (did you mean one of {}?)", many.join(", ")),
    }
}

pub type Result<T, E = ValidateError> = std::result::Result<T, E>;

/// Which operation: a connector, an operation, and optionally a version and a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationRef {
    pub connector: String,
    /// The newest version of the connector in the snapshot when `None`.
    pub version: Option<String>,
    pub operation: String,
    /// The latest complete snapshot when `None`.
    pub snapshot: Option<i64>,
}

/// An operation found in a complete snapshot, with its stored schemas.
#[derive(Debug, Clone)]
pub struct FoundOperation {
    pub connector: String,
    pub version: String,
    pub operation: String,
    pub snapshot: i64,
    pub input_schema: Value,
    pub output_schema: Value,
    /// `hasDynamicOutput`: the output's shape depends on the input or the account, so the stored output schema
    /// does not describe it.
    pub has_dynamic_output: bool,
}

/// The verdict of `trayscope validate` (its JSON output; `docs/validate.schema.json`).
#[derive(Debug, Clone, Serialize)]
pub struct Validation {
    pub connector: String,
    pub version: String,
    pub operation: String,
    pub snapshot: i64,
    pub valid: bool,
    pub errors: Vec<ValueError>,
    /// Schema pointers of `type` keywords that named no JSON Schema type (`file`): any value passes there.
    pub relaxed: Vec<String>,
}

/// Finds an operation and its schemas. Unknown names are errors suggesting close ones; an unknown version lists
/// the versions the connector has.
pub fn find_operation(store: &mut Store, what: &OperationRef) -> Result<FoundOperation> {
    let snapshot = store.complete_snapshot(what.snapshot)?.id;
    let versions = store.versions_in_snapshot(snapshot, &what.connector)?;
    if versions.is_empty() {
        let names = store.connector_names_in_snapshot(snapshot)?;
        return Err(ValidateError::UnknownConnector {
            suggestions: close_names(
                &what.connector,
                names.iter().map(String::as_str),
                SUGGESTIONS,
            ),
            name: what.connector.clone(),
            snapshot,
        });
    }
    let (state, version) = match &what.version {
        Some(text) => {
            let wanted: Version = text
                .parse()
                .map_err(|_| ValidateError::BadVersion(text.clone()))?;
            let found = versions.iter().find(|(_, v)| *v == wanted).cloned();
            found.ok_or_else(|| {
                let mut listed: Vec<&Version> = versions.iter().map(|(_, v)| v).collect();
                listed.sort();
                ValidateError::UnknownVersion {
                    connector: what.connector.clone(),
                    version: text.clone(),
                    snapshot,
                    versions: listed.iter().map(|v| v.to_string()).collect(),
                }
            })?
        }
        None => versions
            .iter()
            .max_by(|a, b| a.1.cmp(&b.1))
            .cloned()
            .expect("versions is not empty"),
    };
    let Some(entry) = store.operation_of_state(state, &what.operation)? else {
        let names = store.operation_names(&[state])?;
        return Err(ValidateError::UnknownOperation {
            connector: what.connector.clone(),
            version: version.to_string(),
            operation: what.operation.clone(),
            snapshot,
            suggestions: close_names(
                &what.operation,
                names.iter().map(String::as_str),
                SUGGESTIONS,
            ),
            count: names.len(),
        });
    };
    let meta = store.json(entry.meta)?;
    Ok(FoundOperation {
        connector: what.connector.clone(),
        version: version.to_string(),
        operation: what.operation.clone(),
        snapshot,
        input_schema: store.json(entry.input_schema)?,
        output_schema: store.json(entry.output_schema)?,
        has_dynamic_output: meta
            .get("hasDynamicOutput")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    })
}

/// Parses an input document. `name` is how the error names it (a path, or `stdin`).
pub fn parse_input(bytes: &[u8], name: &str) -> Result<Value> {
    // Editors on some systems add a UTF-8 byte order mark; JSON does not allow one.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    serde_json::from_slice(bytes).map_err(|e| {
        let message = if bytes.iter().all(u8::is_ascii_whitespace) {
            "it is empty (expected a JSON object such as {\"channel\": \"C123\"})".to_owned()
        } else {
            let text = e.to_string();
            match text.rfind(" at line ") {
                Some(at) => text[..at].to_owned(),
                None => text,
            }
        };
        ValidateError::InputNotJson {
            name: name.to_owned(),
            line: e.line(),
            column: e.column(),
            message,
        }
    })
}

/// Checks `input` against the operation's stored input schema.
pub fn check(found: &FoundOperation, input: &Value) -> Result<Validation> {
    let validator = compile(found, "input", &found.input_schema)?;
    let errors = validator.errors(input);
    Ok(Validation {
        connector: found.connector.clone(),
        version: found.version.clone(),
        operation: found.operation.clone(),
        snapshot: found.snapshot,
        valid: errors.is_empty(),
        errors,
        relaxed: validator.relaxed().to_vec(),
    })
}

/// Compiles one of the operation's schemas, naming the operation when it cannot be.
pub fn compile(
    found: &FoundOperation,
    which: &'static str,
    schema: &Value,
) -> Result<SchemaValidator> {
    SchemaValidator::new(schema).map_err(|error| ValidateError::Schema {
        operation: format!(
            "{} {} `{}`",
            found.connector, found.version, found.operation
        ),
        which,
        error,
    })
}

/// `trayscope validate`: finds the operation, parses the input (`input_name` names it in errors) and checks it.
pub fn validate_input(
    store: &mut Store,
    what: &OperationRef,
    input: &[u8],
    input_name: &str,
) -> Result<Validation> {
    let found = find_operation(store, what)?;
    let input = parse_input(input, input_name)?;
    check(&found, &input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_that_is_not_json_names_line_and_column() {
        let err = parse_input(b"{\n  \"channel\": C123\n}", "input.json").unwrap_err();
        assert_eq!(
            err.to_string(),
            "input.json: not valid JSON: expected value (line 2, column 14)"
        );
        let err = parse_input(b"  \n", "stdin").unwrap_err().to_string();
        assert!(
            err.starts_with("stdin: not valid JSON: it is empty"),
            "{err}"
        );
        assert!(parse_input(b"\xEF\xBB\xBF{}", "x").is_ok());
    }

    #[test]
    fn suggestions_read_as_a_question() {
        let err = ValidateError::UnknownConnector {
            name: "slakc".into(),
            snapshot: 2,
            suggestions: vec!["slack".into()],
        };
        assert!(
            err.to_string()
                .starts_with("snapshot 2 has no connector named \"slakc\" (did you mean slack?); "),
            "{err}"
        );
    }
}
