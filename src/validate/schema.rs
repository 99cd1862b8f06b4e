//! A stored operation schema compiled into a validator, and every error it finds as a plain [`ValueError`].
//!
//! Tray's schemas say `"$schema": "https://api.tray.io/core/v1/connectors/operations/input-schema#"`, which no
//! validator knows, and are written in draft-04-to-07 style. So the draft is chosen here, never detected: draft 7,
//! which reads draft 4 and 6 schemas the same way except for draft 4's boolean `exclusiveMinimum`/`exclusiveMaximum`;
//! a schema that uses those is read as draft 4. In draft 7 unknown keywords are annotations, so Tray's own
//! (`advanced`, `lookup`, `enumLabels`, `default_jsonpath`) never produce an error. `format` is read as an
//! annotation too: Tray documents no format checking, and a false "invalid" would block a billable call that works.
//!
//! It must never fetch anything: the validator is built offline, and a `$ref` that is not inside the schema makes
//! the schema unusable (an error), not a network request.

use jsonschema::Draft;
use serde::Serialize;
use serde_json::Value;

use super::message;

/// One way an instance does not fit a schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValueError {
    /// Where in the instance (RFC 6901; empty for the whole instance). For a missing required property, the
    /// pointer the property would have; for a property the schema does not allow, that property's pointer.
    pub pointer: String,
    /// The keyword that failed, as a JSON Pointer into the stored schema (`$ref`s not followed:
    /// `/definitions/channel/type`).
    pub schema_pointer: String,
    /// A plain sentence: "`/channel`: expected a string, found 42".
    pub message: String,
    /// The JSON Schema keyword (`type`, `required`, `additionalProperties`, …).
    #[serde(skip)]
    pub keyword: String,
}

/// Why a stored schema cannot be used for validation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not usable as a JSON Schema ({draft}): {problem}")]
pub struct SchemaError {
    pub draft: &'static str,
    pub problem: String,
}

/// A compiled schema.
#[derive(Debug)]
pub struct SchemaValidator {
    validator: jsonschema::Validator,
    /// The schema as compiled (relaxed, when it had to be), for naming allowed properties.
    root: Value,
    draft: Draft,
    relaxed: Vec<String>,
}

/// The names `type` can take in JSON Schema.
const TYPE_NAMES: [&str; 7] = [
    "array", "boolean", "integer", "null", "number", "object", "string",
];

impl SchemaValidator {
    /// Compiles `schema`. A schema that is not valid for its draft only because a `type` names something JSON
    /// Schema does not have (`"file"` in schemas converted from Swagger) is compiled without those names, and the
    /// places are listed in [`SchemaValidator::relaxed`]: any value passes there. Anything else wrong is an error.
    pub fn new(schema: &Value) -> Result<SchemaValidator, SchemaError> {
        let draft = if uses_boolean_exclusive_bounds(schema) {
            Draft::Draft4
        } else {
            Draft::Draft7
        };
        let build = |schema: &Value| {
            jsonschema::options()
                .with_draft(draft)
                .offline()
                .should_validate_formats(false)
                .build(schema)
        };
        let problem = match build(schema) {
            Ok(validator) => {
                return Ok(SchemaValidator {
                    validator,
                    root: schema.clone(),
                    draft,
                    relaxed: Vec::new(),
                });
            }
            Err(error) => error,
        };
        let mut relaxed_schema = schema.clone();
        let mut relaxed = Vec::new();
        relax_types(&mut relaxed_schema, &mut String::new(), &mut relaxed);
        relaxed.sort();
        if !relaxed.is_empty()
            && let Ok(validator) = build(&relaxed_schema)
        {
            return Ok(SchemaValidator {
                validator,
                root: relaxed_schema,
                draft,
                relaxed,
            });
        }
        Err(SchemaError {
            draft: draft_name(draft),
            problem: schema_problem(&problem),
        })
    }

    /// The schema as compiled (relaxed, when it had to be).
    pub fn schema(&self) -> &Value {
        &self.root
    }

    /// `draft 7` or `draft 4`.
    pub fn draft(&self) -> &'static str {
        draft_name(self.draft)
    }

    /// Schema pointers of the `type` keywords that named no JSON Schema type and were left out.
    pub fn relaxed(&self) -> &[String] {
        &self.relaxed
    }

    pub fn is_valid(&self, instance: &Value) -> bool {
        self.validator.is_valid(instance)
    }

    /// Every error in `instance`, sorted by pointer, then schema pointer.
    pub fn errors(&self, instance: &Value) -> Vec<ValueError> {
        let mut out = Vec::new();
        for error in self.validator.iter_errors(instance) {
            message::describe(&error, &self.root, &mut out);
        }
        out.sort_by(|a, b| {
            (&a.pointer, &a.schema_pointer, &a.message).cmp(&(
                &b.pointer,
                &b.schema_pointer,
                &b.message,
            ))
        });
        out.dedup();
        out
    }
}

fn draft_name(draft: Draft) -> &'static str {
    match draft {
        Draft::Draft4 => "draft 4",
        Draft::Draft6 => "draft 6",
        _ => "draft 7",
    }
}

/// The build error, placed: "at `/properties/x/type`: …".
fn schema_problem(error: &jsonschema::ValidationError<'_>) -> String {
    let at = error.instance_path().as_str();
    let text = crate::report::printable(&error.to_string()).into_owned();
    if at.is_empty() {
        text
    } else {
        format!("at `{at}`: {text}")
    }
}

/// Keys whose values are data, not schemas: nothing under them is a `type` keyword.
const DATA_KEYWORDS: [&str; 9] = [
    "enum",
    "const",
    "default",
    "examples",
    "example",
    "lookup",
    "enumLabels",
    "advanced",
    "default_jsonpath",
];

/// Whether draft 4's boolean `exclusiveMinimum`/`exclusiveMaximum` appear anywhere a schema can be.
fn uses_boolean_exclusive_bounds(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.iter().any(|(key, child)| {
            ((key == "exclusiveMinimum" || key == "exclusiveMaximum") && child.is_boolean())
                || (!DATA_KEYWORDS.contains(&key.as_str()) && uses_boolean_exclusive_bounds(child))
        }),
        Value::Array(items) => items.iter().any(uses_boolean_exclusive_bounds),
        _ => false,
    }
}

/// Removes type names JSON Schema does not have from every `type` keyword (the keyword goes when none is left),
/// recording each place changed. A property named `type` holds a schema (an object), so it is never touched.
fn relax_types(value: &mut Value, pointer: &mut String, relaxed: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            let keep = |name: &Value| name.as_str().is_some_and(|n| TYPE_NAMES.contains(&n));
            let changed = match map.get_mut("type") {
                Some(Value::String(name)) if !TYPE_NAMES.contains(&name.as_str()) => Some(true),
                Some(Value::Array(names)) if !names.iter().all(keep) => {
                    names.retain(keep);
                    Some(names.is_empty())
                }
                _ => None,
            };
            if let Some(remove) = changed {
                if remove {
                    map.remove("type");
                }
                relaxed.push(format!("{pointer}/type"));
            }
            for (key, child) in map.iter_mut() {
                if DATA_KEYWORDS.contains(&key.as_str()) {
                    continue;
                }
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&crate::refs::escape_token(key));
                relax_types(child, pointer, relaxed);
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&i.to_string());
                relax_types(child, pointer, relaxed);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn slack_send_message() -> Value {
        json!({"$schema": "https://api.tray.io/core/v1/connectors/operations/input-schema#", "type": "object",
            "properties": {
                "channel": {"type": "string", "title": "Channel",
                            "lookup": {"operation": "list_channels_ddl", "input": {"type": "file"}}},
                "text": {"type": "string", "default_jsonpath": "$.x"},
                "as_user": {"type": "boolean", "default": false},
                "mode": {"type": "string", "enum": ["plain", "markdown"], "enumLabels": ["Plain", "Markdown"]}},
            "required": ["channel", "text"], "additionalProperties": false, "advanced": ["as_user"]})
    }

    #[test]
    fn trays_own_keywords_and_schema_uri_are_no_obstacle() {
        let validator = SchemaValidator::new(&slack_send_message()).unwrap();
        assert_eq!(validator.draft(), "draft 7");
        assert!(validator.relaxed().is_empty());
        assert!(validator.is_valid(&json!({"channel": "C1", "text": "hi", "as_user": true})));
        assert!(
            validator
                .errors(&json!({"channel": "C1", "text": "hi"}))
                .is_empty()
        );
    }

    #[test]
    fn every_error_is_reported_at_once_with_both_pointers() {
        let validator = SchemaValidator::new(&slack_send_message()).unwrap();
        let errors = validator
            .errors(&json!({"channel": 42, "as_user": "yes", "as_usr": true, "mode": "html"}));
        let shown: Vec<(&str, &str, &str)> = errors
            .iter()
            .map(|e| {
                (
                    e.pointer.as_str(),
                    e.schema_pointer.as_str(),
                    e.message.as_str(),
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                (
                    "/as_user",
                    "/properties/as_user/type",
                    "`/as_user`: expected a boolean, found \"yes\""
                ),
                (
                    "/as_usr",
                    "/additionalProperties",
                    "`/as_usr`: not allowed here; did you mean `as_user`?"
                ),
                (
                    "/channel",
                    "/properties/channel/type",
                    "`/channel`: expected a string, found 42"
                ),
                (
                    "/mode",
                    "/properties/mode/enum",
                    "`/mode`: expected one of \"plain\", \"markdown\", found \"html\""
                ),
                ("/text", "/required", "missing required property `text`"),
            ]
        );
    }

    #[test]
    fn refs_into_definitions_are_followed_and_reported_where_they_point() {
        let schema = json!({"$ref": "#/definitions/input", "definitions": {
            "input": {"type": "object", "properties": {"rows": {"type": "array", "items": {"$ref": "#/definitions/row"}}}},
            "row": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}}}});
        let validator = SchemaValidator::new(&schema).unwrap();
        let errors = validator.errors(&json!({"rows": [{"id": 1}, {"id": "two"}, {}]}));
        let shown: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.pointer.as_str(), e.schema_pointer.as_str()))
            .collect();
        assert_eq!(
            shown,
            [
                ("/rows/1/id", "/definitions/row/properties/id/type"),
                ("/rows/2/id", "/definitions/row/required")
            ]
        );
        assert_eq!(
            errors[1].message,
            "`/rows/2`: missing required property `id`"
        );
    }

    #[test]
    fn a_type_json_schema_does_not_have_is_relaxed_and_named() {
        let schema = json!({"type": "object", "properties": {
            "file": {"type": "file"}, "either": {"type": ["string", "file"]}, "n": {"type": "integer"}}});
        let validator = SchemaValidator::new(&schema).unwrap();
        assert_eq!(
            validator.relaxed(),
            ["/properties/either/type", "/properties/file/type"]
        );
        assert!(validator.is_valid(&json!({"file": {"any": "thing"}, "either": "x"})));
        assert!(!validator.is_valid(&json!({"either": 3})));
        assert!(!validator.is_valid(&json!({"n": "x"})));
    }

    #[test]
    fn draft_4_exclusive_bounds_are_read_as_draft_4() {
        let schema = json!({"type": "number", "minimum": 0, "exclusiveMinimum": true});
        let validator = SchemaValidator::new(&schema).unwrap();
        assert_eq!(validator.draft(), "draft 4");
        assert!(!validator.is_valid(&json!(0)));
        assert!(validator.is_valid(&json!(0.5)));
    }

    #[test]
    fn a_remote_ref_is_an_error_not_a_download() {
        let err =
            SchemaValidator::new(&json!({"$ref": "https://example.com/schema.json"})).unwrap_err();
        assert_eq!(err.draft, "draft 7");
        let broken =
            SchemaValidator::new(&json!({"type": "object", "required": "text"})).unwrap_err();
        assert!(broken.problem.contains("/required"), "{broken}");
    }

    #[test]
    fn formats_are_annotations() {
        let validator =
            SchemaValidator::new(&json!({"type": "string", "format": "date-time"})).unwrap();
        assert!(validator.is_valid(&json!("next tuesday")));
    }
}
