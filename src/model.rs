//! The catalog as trayscope understands it: connector versions, their services and operations.
//!
//! Everything that enters trayscope from Tray (over HTTP or from a directory) is validated here, once, into these
//! types; versions are parsed here, once, and compared here only. The deprecation rule lives here too, so that the
//! diff and the audit cannot disagree about what "deprecated" means.
//!
//! This module must never do I/O and never panic on input: a malformed element is a [`ModelError`] that names the
//! connector, version and field.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde_json::{Map, Value};

/// A validation problem in what Tray served.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ModelError {
    #[error("{place}: field `{field}`: expected {expected}, found {found}")]
    Field {
        place: String,
        field: String,
        expected: &'static str,
        found: String,
    },
    #[error("{place}: `{field}` is {value:?}, which is not a \"major.minor\" version")]
    BadVersion {
        place: String,
        field: String,
        value: String,
    },
    #[error("{place}: {message}")]
    Body { place: String, message: String },
}

pub type Result<T, E = ModelError> = std::result::Result<T, E>;

impl ModelError {
    /// The same error with `f` applied to every text it quotes (to redact a credential a server echoed back).
    pub fn map_text(self, f: impl Fn(&str) -> String) -> ModelError {
        match self {
            ModelError::Field {
                place,
                field,
                expected,
                found,
            } => ModelError::Field {
                place: f(&place),
                field: f(&field),
                expected,
                found: f(&found),
            },
            ModelError::BadVersion {
                place,
                field,
                value,
            } => ModelError::BadVersion {
                place: f(&place),
                field: f(&field),
                value: f(&value),
            },
            ModelError::Body { place, message } => ModelError::Body {
                place: f(&place),
                message: f(&message),
            },
        }
    }
}

/// A connector version such as "9.0" or "10.1": a "major.minor" string compared numerically.
///
/// Tray's versions are strings with one or two dots; they are parsed into a [`semver::Version`] (missing parts are
/// zero) so that "10.0" sorts after "9.1". The string as served is kept for display and storage.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Version {
    raw: String,
    parsed: semver::Version,
}

impl Version {
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    pub fn major(&self) -> u64 {
        self.parsed.major
    }

    pub fn minor(&self) -> u64 {
        self.parsed.minor
    }

    /// Compares the numbers only ("9.0" and "9.00" are equal here; [`Ord`] still tells their spellings apart).
    pub fn cmp_numeric(&self, other: &Version) -> Ordering {
        self.parsed.cmp(&other.parsed)
    }
}

/// Why a version string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a \"major.minor\" version")]
pub struct VersionParseError(pub String);

impl FromStr for Version {
    type Err = VersionParseError;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let refuse = || VersionParseError(s.to_owned());
        let parts: Vec<&str> = s.split('.').collect();
        if parts.is_empty() || parts.len() > 3 {
            return Err(refuse());
        }
        let mut numbers = [0u64; 3];
        for (slot, part) in numbers.iter_mut().zip(&parts) {
            if part.is_empty() || part.len() > 9 || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(refuse());
            }
            *slot = part.parse().map_err(|_| refuse())?;
        }
        Ok(Version {
            raw: s.to_owned(),
            parsed: semver::Version::new(numbers[0], numbers[1], numbers[2]),
        })
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        // Two spellings of one number ("9.0" and "9.00") still need a total order: fall back to the text.
        self.parsed
            .cmp(&other.parsed)
            .then_with(|| self.raw.cmp(&other.raw))
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl serde::Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.raw)
    }
}

/// The service a connector version talks to. Its version is an integer; its name need not be the connector's.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Service {
    pub id: String,
    pub name: String,
    pub version: i64,
}

/// One element of `GET /core/v1/connectors`.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectorVersion {
    pub name: String,
    pub version: Version,
    pub title: String,
    pub description: String,
    pub service: Service,
    /// Tray publishes no deprecation flag today; if an element ever carries `"deprecated": true`, it is honoured.
    pub declared_deprecated: bool,
    /// The element exactly as served (unknown fields included), so that nothing Tray adds is lost.
    pub element: Value,
}

/// One element of `GET /core/v1/connectors/{name}/versions/{version}/operations`.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    pub name: String,
    pub title: String,
    pub description: String,
    pub input_schema: Value,
    pub output_schema: Value,
    pub has_dynamic_output: bool,
    pub auth_scopes: Option<Vec<String>>,
    /// The element as served minus `inputSchema` and `outputSchema` (held above): every other field, known or not.
    pub meta: Value,
}

impl Operation {
    /// The element as Tray served it: `meta` with the two schemas put back.
    pub fn to_element(&self) -> Value {
        join_operation_element(
            self.meta.clone(),
            self.input_schema.clone(),
            self.output_schema.clone(),
        )
    }
}

/// Rebuilds an operation element from its stored parts (see [`Operation::meta`]).
pub fn join_operation_element(meta: Value, input_schema: Value, output_schema: Value) -> Value {
    let mut object = match meta {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    object.insert("inputSchema".into(), input_schema);
    object.insert("outputSchema".into(), output_schema);
    Value::Object(object)
}

/// Parses the body of `GET /core/v1/connectors`. `place` names where it came from (a URL or a file).
pub fn parse_connectors_body(place: &str, body: &Value) -> Result<Vec<ConnectorVersion>> {
    let elements = elements_of(place, body)?;
    let mut out = Vec::with_capacity(elements.len());
    let mut seen = std::collections::HashSet::new();
    for (index, element) in elements.iter().enumerate() {
        let connector = ConnectorVersion::from_element(
            &format!("{place}: elements[{index}]"),
            element.clone(),
        )?;
        if !seen.insert((connector.name.clone(), connector.version.clone())) {
            return Err(ModelError::Body {
                place: place.to_owned(),
                message: format!(
                    "connector {} version {} is listed twice (elements[{index}])",
                    quoted(&connector.name),
                    connector.version
                ),
            });
        }
        out.push(connector);
    }
    Ok(out)
}

/// Parses the body of the operations endpoint for one connector version.
pub fn parse_operations_body(
    place: &str,
    connector: &str,
    version: &str,
    body: Value,
) -> Result<Vec<Operation>> {
    elements_of(place, &body)?;
    let Value::Object(mut map) = body else {
        unreachable!("elements_of checked that the body is an object")
    };
    let Some(Value::Array(elements)) = map.remove("elements") else {
        unreachable!("elements_of checked that `elements` is an array")
    };
    let mut out = Vec::with_capacity(elements.len());
    let mut seen = std::collections::HashSet::new();
    for (index, element) in elements.into_iter().enumerate() {
        let context = format!(
            "connector {} version {}: operations elements[{index}]",
            quoted(connector),
            quoted(version)
        );
        let operation = Operation::from_element(&context, element)?;
        if !seen.insert(operation.name.clone()) {
            return Err(ModelError::Body {
                place: format!(
                    "connector {} version {}",
                    quoted(connector),
                    quoted(version)
                ),
                message: format!(
                    "operation `{}` is listed twice (elements[{index}])",
                    quoted(&operation.name)
                ),
            });
        }
        out.push(operation);
    }
    Ok(out)
}

/// Checks the list envelope: `{"elements": [...]}`, and refuses a response that says more pages follow.
fn elements_of<'a>(place: &str, body: &'a Value) -> Result<&'a Vec<Value>> {
    let Value::Object(map) = body else {
        return Err(ModelError::Field {
            place: place.to_owned(),
            field: "(body)".into(),
            expected: "a JSON object with `elements`",
            found: kind_of(body).into(),
        });
    };
    if let Some(page_info) = map.get("pageInfo")
        && page_info.get("hasNextPage") == Some(&Value::Bool(true))
    {
        return Err(ModelError::Body {
            place: place.to_owned(),
            message: "the response says `pageInfo.hasNextPage: true`, but this endpoint is not documented to \
                      paginate; refusing to take the first page as the whole list"
                .into(),
        });
    }
    match map.get("elements") {
        Some(Value::Array(elements)) => Ok(elements),
        other => Err(ModelError::Field {
            place: place.to_owned(),
            field: "elements".into(),
            expected: "an array",
            found: other.map_or("nothing", kind_of).into(),
        }),
    }
}

impl ConnectorVersion {
    pub fn from_element(place: &str, element: Value) -> Result<Self> {
        let object = as_object(place, "(element)", &element)?;
        let name = required_string(place, object, "name")?;
        let place = format!("{place} (connector {})", quoted(&name));
        let version_text = required_string(&place, object, "version")?;
        let version = version_text.parse().map_err(|_| ModelError::BadVersion {
            place: place.clone(),
            field: "version".into(),
            value: quoted(&version_text).into_owned(),
        })?;
        let place = format!("connector {} version {version_text}", quoted(&name));
        let title = required_string(&place, object, "title")?;
        let description = required_string(&place, object, "description")?;
        let service_value = object
            .get("service")
            .ok_or_else(|| missing(&place, "service", "an object"))?;
        let service_object = as_object(&place, "service", service_value)?;
        let service = Service {
            id: required_string(&place, service_object, "id")
                .map_err(|e| prefix_field(e, "service."))?,
            name: required_string(&place, service_object, "name")
                .map_err(|e| prefix_field(e, "service."))?,
            version: match service_object.get("version") {
                Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64().unwrap_or_default(),
                other => {
                    return Err(ModelError::Field {
                        place,
                        field: "service.version".into(),
                        expected: "an integer",
                        found: other.map_or("nothing".into(), describe),
                    });
                }
            },
        };
        let declared_deprecated = object.get("deprecated") == Some(&Value::Bool(true));
        Ok(ConnectorVersion {
            name,
            version,
            title,
            description,
            service,
            declared_deprecated,
            element,
        })
    }
}

impl Operation {
    pub fn from_element(place: &str, element: Value) -> Result<Self> {
        let Value::Object(mut object) = element else {
            return Err(ModelError::Field {
                place: place.to_owned(),
                field: "(element)".into(),
                expected: "a JSON object",
                found: kind_of(&element).into(),
            });
        };
        let name = required_string(place, &object, "name")?;
        let place = format!("{place} (operation {})", quoted(&name));
        let title = required_string(&place, &object, "title")?;
        let description = required_string(&place, &object, "description")?;
        let has_dynamic_output = match object.get("hasDynamicOutput") {
            Some(Value::Bool(b)) => *b,
            other => {
                return Err(ModelError::Field {
                    place,
                    field: "hasDynamicOutput".into(),
                    expected: "a boolean",
                    found: other.map_or("nothing".into(), describe),
                });
            }
        };
        let auth_scopes = match object.get("authScopes") {
            None | Some(Value::Null) => None,
            Some(Value::Array(items)) => {
                let mut scopes = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        Value::String(s) => scopes.push(s.clone()),
                        other => {
                            return Err(ModelError::Field {
                                place,
                                field: "authScopes".into(),
                                expected: "an array of strings",
                                found: format!("an array holding {}", describe(other)),
                            });
                        }
                    }
                }
                Some(scopes)
            }
            Some(other) => {
                return Err(ModelError::Field {
                    place,
                    field: "authScopes".into(),
                    expected: "an array of strings",
                    found: describe(other),
                });
            }
        };
        let input_schema = take_schema(&place, &mut object, "inputSchema")?;
        let output_schema = take_schema(&place, &mut object, "outputSchema")?;
        Ok(Operation {
            name,
            title,
            description,
            input_schema,
            output_schema,
            has_dynamic_output,
            auth_scopes,
            meta: Value::Object(object),
        })
    }
}

fn take_schema(place: &str, object: &mut Map<String, Value>, field: &str) -> Result<Value> {
    match object.remove(field) {
        Some(schema @ Value::Object(_)) => Ok(schema),
        other => Err(ModelError::Field {
            place: place.to_owned(),
            field: field.into(),
            expected: "a JSON Schema object",
            found: other.as_ref().map_or("nothing".into(), describe),
        }),
    }
}

fn as_object<'a>(place: &str, field: &str, value: &'a Value) -> Result<&'a Map<String, Value>> {
    value.as_object().ok_or_else(|| ModelError::Field {
        place: place.to_owned(),
        field: field.into(),
        expected: "a JSON object",
        found: kind_of(value).into(),
    })
}

fn required_string(place: &str, object: &Map<String, Value>, field: &str) -> Result<String> {
    match object.get(field) {
        Some(Value::String(s)) if field != "name" || !s.is_empty() => Ok(s.clone()),
        Some(Value::String(_)) => Err(ModelError::Field {
            place: place.to_owned(),
            field: field.into(),
            expected: "a non-empty string",
            found: "an empty string".into(),
        }),
        other => Err(ModelError::Field {
            place: place.to_owned(),
            field: field.into(),
            expected: "a string",
            found: other.map_or("nothing".into(), describe),
        }),
    }
}

fn missing(place: &str, field: &str, expected: &'static str) -> ModelError {
    ModelError::Field {
        place: place.to_owned(),
        field: field.into(),
        expected,
        found: "nothing".into(),
    }
}

fn prefix_field(error: ModelError, prefix: &str) -> ModelError {
    match error {
        ModelError::Field {
            place,
            field,
            expected,
            found,
        } => ModelError::Field {
            place,
            field: format!("{prefix}{field}"),
            expected,
            found,
        },
        other => other,
    }
}

/// "a string", "an object", …: what a JSON value is, for error messages.
pub fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A name or value from the catalog as an error message shows it: cut to a readable length.
fn quoted(text: &str) -> std::borrow::Cow<'_, str> {
    crate::excerpt::cut(text, crate::excerpt::MAX_QUOTED_CHARS)
}

fn describe(value: &Value) -> String {
    match value {
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) if s.len() <= 40 => format!("the string {s:?}"),
        other => kind_of(other).to_owned(),
    }
}

/// Where a connector version stands among the versions of its connector in one catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Standing {
    /// The newest version of its connector.
    pub latest: bool,
    /// Not the newest version.
    pub outdated: bool,
    /// Its service version is lower than the highest service version among its connector's versions (Tray deprecates
    /// services and the connectors that use them), or Tray declared it deprecated.
    pub deprecated: bool,
}

/// What the deprecation rule needs to know about one version of a connector.
#[derive(Debug, Clone, Copy)]
pub struct VersionFacts<'a> {
    pub version: &'a Version,
    pub service_version: i64,
    pub declared_deprecated: bool,
}

impl<'a> From<&'a ConnectorVersion> for VersionFacts<'a> {
    fn from(c: &'a ConnectorVersion) -> Self {
        VersionFacts {
            version: &c.version,
            service_version: c.service.version,
            declared_deprecated: c.declared_deprecated,
        }
    }
}

/// The one deprecation rule, applied to every version of one connector; the result is in the same order.
///
/// A newer connector version on the same service makes an old one outdated, not deprecated: only a superseded
/// service version (or Tray's own flag) deprecates.
pub fn standings(family: &[VersionFacts<'_>]) -> Vec<Standing> {
    let newest = family.iter().map(|f| f.version).max();
    let top_service = family.iter().map(|f| f.service_version).max();
    family
        .iter()
        .map(|f| {
            let latest = Some(f.version) == newest;
            Standing {
                latest,
                outdated: !latest,
                deprecated: f.declared_deprecated || Some(f.service_version) < top_service,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn v(s: &str) -> Version {
        s.parse().unwrap()
    }

    #[test]
    fn versions_compare_numerically_not_as_text() {
        assert!(v("10.0") > v("9.1"));
        assert!(v("9.10") > v("9.9"));
        assert!(v("2.0") > v("1.99"));
        assert_eq!(v("9.0").cmp(&v("9.0")), Ordering::Equal);
        let mut all = [v("10.0"), v("9.1"), v("1.0"), v("9.0"), v("11.2")];
        all.sort();
        let text: Vec<&str> = all.iter().map(Version::as_str).collect();
        assert_eq!(text, ["1.0", "9.0", "9.1", "10.0", "11.2"]);
    }

    #[test]
    fn version_keeps_the_spelling_as_served() {
        assert_eq!(v("9.0").to_string(), "9.0");
        assert_eq!(v("3").major(), 3);
        assert_eq!(v("3.14.1").minor(), 14);
        assert_ne!(v("9.0"), v("9.00"));
    }

    #[test]
    fn non_numeric_versions_are_refused() {
        for bad in [
            "", "v1.0", "1.0-beta", "1..0", "1.0.0.0", "latest", " 1.0", "1.0 ", "-1.0", "1.x",
        ] {
            assert!(bad.parse::<Version>().is_err(), "{bad:?} should be refused");
        }
    }

    fn slack(version: &str, service: i64) -> Value {
        json!({"name":"slack","version":version,"title":"Slack","description":"Slack connector",
               "service":{"id":"3e21b055-1597-40ae-bcc2-72af0843b283","name":"slack","version":service}})
    }

    #[test]
    fn connector_element_keeps_unknown_fields() {
        let mut element = slack("9.0", 4);
        element["icon"] = json!("https://example.test/slack.png");
        let c = ConnectorVersion::from_element("test", element.clone()).unwrap();
        assert_eq!(c.name, "slack");
        assert_eq!(c.service.version, 4);
        assert_eq!(c.element, element);
    }

    #[test]
    fn connector_without_service_names_the_field() {
        let mut element = slack("9.0", 4);
        element.as_object_mut().unwrap().remove("service");
        let err = ConnectorVersion::from_element("x", element)
            .unwrap_err()
            .to_string();
        assert!(err.contains("connector slack version 9.0"), "{err}");
        assert!(err.contains("`service`"), "{err}");
    }

    #[test]
    fn service_version_must_be_an_integer() {
        let mut element = slack("9.0", 4);
        element["service"]["version"] = json!("4");
        let err = ConnectorVersion::from_element("x", element)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("service.version") && err.contains("an integer"),
            "{err}"
        );
    }

    #[test]
    fn bad_version_names_the_connector() {
        let err = ConnectorVersion::from_element("x", slack("nine", 4))
            .unwrap_err()
            .to_string();
        assert!(err.contains("slack") && err.contains("\"nine\""), "{err}");
    }

    #[test]
    fn next_page_is_refused() {
        let body = json!({"elements": [slack("9.0", 4)], "pageInfo": {"hasNextPage": true, "endCursor": "x"}});
        let err = parse_connectors_body("GET /x", &body)
            .unwrap_err()
            .to_string();
        assert!(err.contains("hasNextPage"), "{err}");
        let body = json!({"elements": [slack("9.0", 4)], "pageInfo": {"hasNextPage": false}});
        assert_eq!(parse_connectors_body("GET /x", &body).unwrap().len(), 1);
    }

    #[test]
    fn a_version_listed_twice_is_refused() {
        let body = json!({"elements": [slack("9.0", 4), slack("9.0", 4)]});
        assert!(parse_connectors_body("x", &body).is_err());
    }

    fn operation() -> Value {
        json!({"name":"send_message","title":"Send message","description":"Send a message",
               "inputSchema":{"type":"object"},"outputSchema":{"type":"object"},
               "hasDynamicOutput":false,"authScopes":["chat:write"],"categories":["chat"]})
    }

    #[test]
    fn operation_round_trips_with_unknown_fields() {
        let element = operation();
        let op = Operation::from_element("x", element.clone()).unwrap();
        assert_eq!(
            op.auth_scopes.as_deref(),
            Some(&["chat:write".to_owned()][..])
        );
        assert!(op.meta.get("inputSchema").is_none());
        assert_eq!(op.to_element(), element);
    }

    #[test]
    fn schema_that_is_not_an_object_names_the_field() {
        let mut element = operation();
        element["outputSchema"] = json!("nope");
        let err = parse_operations_body("x", "slack", "9.0", json!({"elements": [element]}))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("slack") && err.contains("9.0") && err.contains("outputSchema"),
            "{err}"
        );
        assert!(err.contains("send_message"), "{err}");
    }

    #[test]
    fn missing_has_dynamic_output_is_refused() {
        let mut element = operation();
        element.as_object_mut().unwrap().remove("hasDynamicOutput");
        assert!(Operation::from_element("x", element).is_err());
    }

    fn facts<'a>(version: &'a Version, service_version: i64) -> VersionFacts<'a> {
        VersionFacts {
            version,
            service_version,
            declared_deprecated: false,
        }
    }

    #[test]
    fn superseded_service_deprecates_and_newer_version_on_same_service_only_outdates() {
        let (a, b, c) = (v("8.1"), v("9.0"), v("10.0"));
        let s = standings(&[facts(&c, 4), facts(&a, 3), facts(&b, 4)]);
        assert_eq!(
            s[0],
            Standing {
                latest: true,
                outdated: false,
                deprecated: false
            }
        );
        assert!(s[1].deprecated && s[1].outdated);
        assert!(!s[2].deprecated && s[2].outdated && !s[2].latest);
    }

    #[test]
    fn declared_deprecation_is_honoured() {
        let a = v("1.0");
        let s = standings(&[VersionFacts {
            version: &a,
            service_version: 1,
            declared_deprecated: true,
        }]);
        assert!(s[0].deprecated && s[0].latest);
    }
}
