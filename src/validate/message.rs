//! Plain sentences for validation errors: "`/channel`: expected a string, found 42", "missing required property
//! `text`", "`/as_user`: not allowed here".
//!
//! A reader should not need to know JSON Schema to act on one. Values quoted from the instance are cut short, and
//! the text is returned raw: whoever prints it escapes it (`report::printable`), as for any text from an input.

use jsonschema::ValidationError;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::Value;

use super::schema::ValueError;
use super::suggest::close_names;
use crate::refs::escape_token;

/// Longest quoted value, in characters.
const QUOTE_MAX: usize = 60;
/// Most allowed values or names listed in one message.
const LIST_MAX: usize = 8;

/// Appends the [`ValueError`]s one validation error stands for (an `additionalProperties` error lists several
/// properties: each gets its own).
pub(super) fn describe(error: &ValidationError<'_>, root: &Value, out: &mut Vec<ValueError>) {
    let pointer = error.instance_path().as_str().to_owned();
    let schema_pointer = error.schema_path().as_str().to_owned();
    let keyword = error.kind().keyword().to_owned();
    let push = |out: &mut Vec<ValueError>, pointer: String, message: String| {
        out.push(ValueError {
            pointer,
            schema_pointer: schema_pointer.clone(),
            message,
            keyword: keyword.clone(),
        });
    };
    match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
            let allowed = allowed_properties(root, &schema_pointer);
            for name in unexpected {
                let at = format!("{pointer}/{}", escape_token(name));
                let mut message = format!("`{at}`: not allowed here");
                if let Some(close) =
                    close_names(name, allowed.iter().map(String::as_str), 1).first()
                {
                    message.push_str(&format!("; did you mean `{close}`?"));
                } else if !allowed.is_empty() && allowed.len() <= LIST_MAX {
                    message.push_str(&format!(" (allowed: {})", allowed.join(", ")));
                }
                push(out, at, message);
            }
        }
        ValidationErrorKind::Required { property } => {
            let name = property
                .as_str()
                .map_or_else(|| property.to_string(), str::to_owned);
            let at = format!("{pointer}/{}", escape_token(&name));
            let message = if pointer.is_empty() {
                format!("missing required property `{name}`")
            } else {
                format!("`{pointer}`: missing required property `{name}`")
            };
            push(out, at, message);
        }
        kind => {
            let message = format!(
                "{}: {}",
                subject(&pointer),
                reason(kind, error.instance(), &pointer, &schema_pointer, root)
            );
            push(out, pointer, message);
        }
    }
}

/// "`/channel`", or "the input" for the whole instance.
fn subject(pointer: &str) -> String {
    if pointer.is_empty() {
        "the input".to_owned()
    } else {
        format!("`{pointer}`")
    }
}

/// What is wrong, after the subject.
fn reason(
    kind: &ValidationErrorKind,
    instance: &Value,
    pointer: &str,
    schema_pointer: &str,
    root: &Value,
) -> String {
    let found = found(instance);
    match kind {
        ValidationErrorKind::Type { kind } => {
            // In the schema's own order when it lists several.
            let listed: Option<Vec<&str>> = root
                .pointer(schema_pointer)
                .and_then(Value::as_array)
                .map(|names| {
                    names
                        .iter()
                        .filter_map(Value::as_str)
                        .map(type_phrase)
                        .collect()
                });
            let expected: Vec<&str> = match (listed, kind) {
                (Some(listed), _) if !listed.is_empty() => listed,
                (_, TypeKind::Single(t)) => vec![type_phrase(t.as_str())],
                (_, TypeKind::Multiple(set)) => {
                    set.iter().map(|t| type_phrase(t.as_str())).collect()
                }
            };
            format!("expected {}, found {found}", or_list(&expected))
        }
        ValidationErrorKind::Enum { options } => {
            let values: Vec<&Value> = options
                .as_array()
                .map(|a| a.iter().collect())
                .unwrap_or_default();
            let mut shown: Vec<String> = values.iter().take(LIST_MAX).map(|v| quote(v)).collect();
            if values.len() > LIST_MAX {
                shown.push(format!("… ({} in all)", values.len()));
            }
            let mut text = format!("expected one of {}, found {found}", shown.join(", "));
            if let Some(given) = instance.as_str() {
                let names = values.iter().filter_map(|v| v.as_str());
                if let Some(close) = close_names(given, names, 1).first() {
                    text.push_str(&format!("; did you mean \"{close}\"?"));
                }
            }
            text
        }
        ValidationErrorKind::Constant { expected_value } => {
            format!("expected exactly {}, found {found}", quote(expected_value))
        }
        ValidationErrorKind::Minimum { limit } => {
            format!("{found} is less than the minimum {limit}")
        }
        ValidationErrorKind::Maximum { limit } => {
            format!("{found} is more than the maximum {limit}")
        }
        ValidationErrorKind::ExclusiveMinimum { limit } => {
            format!("expected more than {limit}, found {found}")
        }
        ValidationErrorKind::ExclusiveMaximum { limit } => {
            format!("expected less than {limit}, found {found}")
        }
        ValidationErrorKind::MultipleOf { multiple_of } => {
            format!("{found} is not a multiple of {multiple_of}")
        }
        ValidationErrorKind::MinLength { limit } => {
            let length = instance.as_str().map_or(0, |s| s.chars().count());
            format!(
                "expected at least {}, found {length}",
                count(*limit, "character")
            )
        }
        ValidationErrorKind::MaxLength { limit } => {
            let length = instance.as_str().map_or(0, |s| s.chars().count());
            format!(
                "expected at most {}, found {length}",
                count(*limit, "character")
            )
        }
        ValidationErrorKind::Pattern { pattern } => {
            format!("{found} does not match the pattern `{pattern}`")
        }
        ValidationErrorKind::Format { format } => format!("{found} is not a valid `{format}`"),
        ValidationErrorKind::MinItems { limit } => {
            let n = instance.as_array().map_or(0, Vec::len);
            format!("expected at least {}, found {n}", count(*limit, "item"))
        }
        ValidationErrorKind::MaxItems { limit } => {
            let n = instance.as_array().map_or(0, Vec::len);
            format!("expected at most {}, found {n}", count(*limit, "item"))
        }
        ValidationErrorKind::AdditionalItems { limit } => {
            format!("expected at most {}", count(*limit as u64, "item"))
        }
        ValidationErrorKind::UniqueItems => "the items must all be different".to_owned(),
        ValidationErrorKind::Contains => "no item matches what `contains` asks for".to_owned(),
        ValidationErrorKind::MinProperties { limit } => {
            let n = instance.as_object().map_or(0, serde_json::Map::len);
            format!("expected at least {}, found {n}", count(*limit, "property"))
        }
        ValidationErrorKind::MaxProperties { limit } => {
            let n = instance.as_object().map_or(0, serde_json::Map::len);
            format!("expected at most {}, found {n}", count(*limit, "property"))
        }
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            let keyword = if matches!(kind, ValidationErrorKind::AnyOf { .. }) {
                "anyOf"
            } else {
                "oneOf"
            };
            let mut text = format!(
                "{found} matches none of the {} allowed forms (`{keyword}`)",
                context.len()
            );
            // The form it came closest to: one whose type fits, with the fewest errors.
            let type_misses = |errors: &Vec<ValidationError<'static>>| {
                errors.iter().any(|e| {
                    matches!(e.kind(), ValidationErrorKind::Type { .. })
                        && e.instance_path().as_str() == pointer
                })
            };
            if let Some(closest) = context
                .iter()
                .filter(|errors| !errors.is_empty())
                .min_by_key(|errors| (type_misses(errors), errors.len()))
            {
                let mut first = Vec::new();
                describe(&closest[0], root, &mut first);
                if let Some(e) = first.first() {
                    text.push_str(&format!("; the closest one says {}", e.message));
                }
            }
            text
        }
        ValidationErrorKind::OneOfMultipleValid { .. } => {
            "matches more than one of the forms in `oneOf` (it must match exactly one)".to_owned()
        }
        ValidationErrorKind::Not { .. } => "matches a form the schema rules out (`not`)".to_owned(),
        ValidationErrorKind::FalseSchema => "not allowed here".to_owned(),
        ValidationErrorKind::PropertyNames { error } => {
            let name = error.instance();
            format!(
                "property name {} is not allowed: {}",
                quote(name),
                reason(error.kind(), name, pointer, schema_pointer, root)
            )
        }
        ValidationErrorKind::Referencing(error) => {
            format!("the schema has a `$ref` that cannot be followed: {error}")
        }
        other => format!("fails `{}`", other.keyword()),
    }
}

/// The names a schema's `properties` allows, where `schema_pointer` points at its `additionalProperties`.
fn allowed_properties(root: &Value, schema_pointer: &str) -> Vec<String> {
    let parent = schema_pointer
        .rsplit_once('/')
        .map_or("", |(parent, _)| parent);
    root.pointer(parent)
        .and_then(|node| node.get("properties"))
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

/// A value as the message shows it: scalars as JSON (cut short), containers by kind.
fn found(value: &Value) -> String {
    match value {
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
        scalar => quote(scalar),
    }
}

fn quote(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() <= QUOTE_MAX {
        text
    } else {
        let cut: String = text.chars().take(QUOTE_MAX).collect();
        format!("{cut}…")
    }
}

fn type_phrase(name: &str) -> &'static str {
    match name {
        "array" => "an array",
        "boolean" => "a boolean",
        "integer" => "an integer",
        "null" => "null",
        "number" => "a number",
        "object" => "an object",
        _ => "a string",
    }
}

/// "a", "a or b", "a, b or c".
fn or_list(items: &[&str]) -> String {
    match items {
        [] => "nothing".to_owned(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn count(n: u64, word: &str) -> String {
    match (n, word) {
        (1, _) => format!("1 {word}"),
        (_, "property") => format!("{n} properties"),
        _ => format!("{n} {word}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::schema::SchemaValidator;
    use serde_json::{Value, json};

    fn messages(schema: Value, instance: Value) -> Vec<String> {
        SchemaValidator::new(&schema)
            .unwrap()
            .errors(&instance)
            .into_iter()
            .map(|e| e.message)
            .collect()
    }

    #[test]
    fn each_keyword_reads_as_a_sentence() {
        let schema = json!({"type": "object", "properties": {
            "n": {"type": "integer", "minimum": 1, "maximum": 10},
            "s": {"type": "string", "minLength": 2, "maxLength": 3, "pattern": "^[a-z]+$"},
            "tags": {"type": "array", "minItems": 1, "uniqueItems": true},
            "either": {"type": ["string", "number", "null"]},
            "status": {"enum": ["open", "closed"]}}});
        assert_eq!(
            messages(
                schema.clone(),
                json!({"n": 0, "s": "ABCDE", "tags": [], "either": true, "status": "opne"})
            ),
            [
                "`/either`: expected a string, a number or null, found true",
                "`/n`: 0 is less than the minimum 1",
                "`/s`: expected at most 3 characters, found 5",
                "`/s`: \"ABCDE\" does not match the pattern `^[a-z]+$`",
                "`/status`: expected one of \"open\", \"closed\", found \"opne\"; did you mean \"open\"?",
                "`/tags`: expected at least 1 item, found 0",
            ]
        );
        assert_eq!(
            messages(schema, json!(["not", "an", "object"])),
            ["the input: expected an object, found an array"]
        );
    }

    #[test]
    fn a_property_name_the_schema_rules_out_is_named() {
        let schema = json!({"type": "object", "propertyNames": {"pattern": "^[a-z_]+$"}});
        assert_eq!(
            messages(schema, json!({"Bad Name": 1})),
            [
                "the input: property name \"Bad Name\" is not allowed: \"Bad Name\" does not match the pattern `^[a-z_]+$`"
            ]
        );
    }

    #[test]
    fn long_values_are_cut_short() {
        let long = "x".repeat(500);
        let text = &messages(json!({"type": "integer"}), json!(long))[0];
        assert!(text.len() < 120 && text.ends_with('…'), "{text}");
    }

    #[test]
    fn any_of_names_the_closest_form() {
        let schema = json!({"anyOf": [{"type": "string"}, {"type": "object", "required": ["id"]}]});
        assert_eq!(
            messages(schema, json!({"name": "x"})),
            [
                "the input: an object matches none of the 2 allowed forms (`anyOf`); the closest one says missing required property `id`"
            ]
        );
    }
}
