//! `trayscope call`: one Call Connector request, guarded by the catalog. The input is validated first
//! ([`crate::validate`]) and never sent when it does not fit; Tray's answer is checked against the stored output
//! schema, so that a catalog gone stale shows up as a warning ("drift").
//!
//! Every call is billable, so this module sends at most one request that may run (see [`crate::api::call`] for
//! what is retried) and never sends one the user did not ask for. It never prints: the command renders the
//! [`CallReport`].

use serde_json::Value;

use crate::api::ApiClient;
use crate::api::call::{CallBody, CallError as HttpError};
use crate::store::Store;
use crate::validate::{self, FoundOperation, OperationRef, Validation, ValueError};

/// Most drift mismatches a report carries.
const DRIFT_SHOWN: usize = 3;

#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error(transparent)]
    Validate(#[from] validate::ValidateError),
    #[error(
        "{cause}; with --no-validate, name the version with --version to call an operation the catalog does not have"
    )]
    NeedsVersion { cause: String },
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error("cannot start the HTTP runtime: {0}")]
    Runtime(std::io::Error),
    #[error(
        "{url}: Tray answered HTTP 200 without an `outcome` of \"success\" or \"error\" (found {found}); the call \
         may have run"
    )]
    NoOutcome { url: String, found: String },
}

/// What to call.
#[derive(Debug, Clone)]
pub struct CallRequest {
    pub target: OperationRef,
    pub auth_id: String,
    pub input: Value,
    pub return_output_schema: bool,
    /// False with `--no-validate`: the input goes out whatever the stored schema says.
    pub validate: bool,
}

/// How a call ended, when it got an answer or was stopped before sending.
#[derive(Debug, Clone)]
pub enum CallReport {
    /// The input does not fit the stored input schema: nothing was sent.
    Invalid(Validation),
    /// Tray answered.
    Answered(Answer),
}

/// Tray's answer to a call.
#[derive(Debug, Clone)]
pub struct Answer {
    pub connector: String,
    pub version: String,
    pub operation: String,
    /// The whole response: `{"outcome", "output", …}`.
    pub response: Value,
    /// `outcome: "success"`.
    pub success: bool,
    /// The snapshot whose schemas guarded the call; `None` when `--no-validate` called an operation the catalog
    /// does not have.
    pub snapshot: Option<i64>,
    pub drift: Drift,
}

/// Whether the answer's `output` fits the stored output schema.
#[derive(Debug, Clone, PartialEq)]
pub enum Drift {
    /// It fits.
    None,
    /// It does not: the first mismatches, and how many there are in all.
    Mismatches {
        first: Vec<ValueError>,
        total: usize,
    },
    /// Not checked, and why.
    NotChecked(&'static str),
}

impl Answer {
    /// Tray's message for an `outcome: "error"`: `output.message`, `error.message` or `message`, else the
    /// output itself.
    pub fn error_message(&self) -> String {
        let r = &self.response;
        [
            &r["output"]["message"],
            &r["error"]["message"],
            &r["message"],
        ]
        .into_iter()
        .find_map(|m| m.as_str().map(str::to_owned))
        .unwrap_or_else(|| r["output"].to_string())
    }
}

/// Validates (unless told not to), calls, and checks the answer for drift. `store` is `None` when there is no
/// catalog, which only `--no-validate` with `--version` accepts.
pub fn call_blocking(
    store: Option<&mut Store>,
    client: &ApiClient,
    request: &CallRequest,
) -> Result<CallReport, CallError> {
    // The version to call when the catalog does not have the operation (`--no-validate` only).
    let mut fallback = request.target.version.clone();
    let found = match store {
        Some(store) => match validate::find_operation(store, &request.target) {
            Ok(found) => Some(found),
            Err(e) if request.validate => return Err(e.into()),
            Err(e) => {
                tracing::info!("not in the catalog, called unchecked: {e}");
                // A new operation of a known connector: its newest version is known.
                if let validate::ValidateError::UnknownOperation { version, .. } = &e {
                    fallback.get_or_insert_with(|| version.clone());
                }
                if fallback.is_none() {
                    return Err(CallError::NeedsVersion {
                        cause: e.to_string(),
                    });
                }
                None
            }
        },
        None if request.target.version.is_none() => {
            return Err(CallError::NeedsVersion {
                cause: "there is no catalog to find the newest version in".to_owned(),
            });
        }
        None => None,
    };
    if request.validate
        && let Some(found) = &found
    {
        let validation = validate::check(found, &request.input)?;
        if !validation.valid {
            return Ok(CallReport::Invalid(validation));
        }
    }
    let version = match (&found, fallback) {
        (Some(found), _) => found.version.clone(),
        (None, Some(version)) => version,
        (None, None) => unreachable!("a call without a version stops above"),
    };
    let body = CallBody {
        operation: &request.target.operation,
        auth_id: &request.auth_id,
        input: &request.input,
        return_output_schema: request.return_output_schema,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(CallError::Runtime)?;
    let response =
        runtime.block_on(client.call_connector(&request.target.connector, &version, &body))?;
    let success = match response.get("outcome").and_then(Value::as_str) {
        Some("success") => true,
        Some("error") => false,
        _ => {
            return Err(CallError::NoOutcome {
                url: client.url(&[
                    "connectors",
                    &request.target.connector,
                    "versions",
                    &version,
                    "call",
                ]),
                found: response
                    .get("outcome")
                    .map_or_else(|| "none".to_owned(), Value::to_string),
            });
        }
    };
    let drift = match &found {
        _ if !success => Drift::NotChecked("the call failed"),
        None => Drift::NotChecked("the operation is not in the catalog"),
        Some(found) => drift(found, &response["output"]),
    };
    Ok(CallReport::Answered(Answer {
        connector: request.target.connector.clone(),
        version,
        operation: request.target.operation.clone(),
        success,
        snapshot: found.as_ref().map(|f| f.snapshot),
        response,
        drift,
    }))
}

/// Compares an answer's `output` with the stored output schema.
pub fn drift(found: &FoundOperation, output: &Value) -> Drift {
    if found.has_dynamic_output {
        return Drift::NotChecked("the operation has dynamic output");
    }
    let validator = match validate::compile(found, "output", &found.output_schema) {
        Ok(validator) => validator,
        Err(e) => {
            tracing::info!("drift not checked: {e}");
            return Drift::NotChecked("the stored output schema is not usable");
        }
    };
    let mut errors = validator.errors(output);
    if errors.is_empty() {
        return Drift::None;
    }
    let total = errors.len();
    errors.truncate(DRIFT_SHOWN);
    Drift::Mismatches {
        first: errors,
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn found(has_dynamic_output: bool) -> FoundOperation {
        FoundOperation {
            connector: "slack".into(),
            version: "9.1".into(),
            operation: "send_message".into(),
            snapshot: 1,
            input_schema: json!({}),
            output_schema: json!({"type": "object", "properties": {"ok": {"type": "boolean"},
                                  "ts": {"type": "string"}}}),
            has_dynamic_output,
        }
    }

    #[test]
    fn output_that_does_not_fit_is_drift_unless_the_output_is_dynamic() {
        assert_eq!(
            drift(&found(false), &json!({"ok": true, "ts": "1.2"})),
            Drift::None
        );
        match drift(&found(false), &json!({"ok": "yes", "ts": 12})) {
            Drift::Mismatches { first, total } => {
                assert_eq!(total, 2);
                assert_eq!(first[0].message, "`/ok`: expected a boolean, found \"yes\"");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            drift(&found(true), &json!({"ok": "yes"})),
            Drift::NotChecked(_)
        ));
    }

    #[test]
    fn trays_error_message_is_found_where_it_is() {
        let answer = |response| Answer {
            connector: "c".into(),
            version: "1.0".into(),
            operation: "o".into(),
            response,
            success: false,
            snapshot: None,
            drift: Drift::NotChecked("the call failed"),
        };
        assert_eq!(
            answer(json!({"outcome": "error", "output": {"message": "channel_not_found"}}))
                .error_message(),
            "channel_not_found"
        );
        assert_eq!(
            answer(json!({"outcome": "error", "output": {"code": 7}})).error_message(),
            "{\"code\":7}"
        );
    }
}
