//! Judging one step's pin against a snapshot's catalog: retired, deprecated, outdated or unknown connector versions,
//! missing operations, unset required inputs, literal values the input schema rejects, and what moving to the
//! newest version would take.
//!
//! Deprecation and "newest" come from [`crate::model::standings`] through [`Catalog::standings`]; this module must
//! never decide them itself. Input schemas are loaded, and compiled for value checks ([`SchemaValidator`]), once per
//! blob (many steps share one) and never again.

use std::collections::HashMap;
use std::rc::Rc;

use serde_json::Value;

use chrono::NaiveDate;

use super::deprecation::{Deprecation, DeprecationSource};
use super::{Code, ConnectorMapping, Finding, Pin, Result, WorkflowRef, export::Step, fingerprint};
use crate::model::{Standing, Version};
use crate::policy::{Entry, Policy, Replacement};
use crate::store::{BlobId, Catalog, OperationEntry, Store};
use crate::validate::{SchemaValidator, ValueError};

/// The catalog of one snapshot, indexed for judging steps.
pub struct Judge<'c> {
    catalog: &'c Catalog,
    standings: Vec<Standing>,
    families: HashMap<&'c str, Family>,
    pins: HashMap<(&'c str, &'c str), usize>,
    operations: Vec<HashMap<&'c str, &'c OperationEntry>>,
    /// Per input-schema blob: the required inputs that have no default.
    required: HashMap<BlobId, Rc<[String]>>,
    /// Per input-schema blob: the compiled schema, or `None` when it cannot be compiled (its values go unchecked).
    validators: HashMap<BlobId, Option<Rc<SchemaValidator>>>,
    literal_values: u64,
    dynamic_values: u64,
    /// The deprecation policy, and the date its announcements and sunsets are compared with.
    policy: Option<&'c Policy>,
    today: NaiveDate,
}

/// The versions of one connector.
struct Family {
    /// Entry index of the newest version.
    latest: usize,
    /// The highest service version among them.
    top_service: i64,
}

impl<'c> Judge<'c> {
    pub fn new(catalog: &'c Catalog) -> Judge<'c> {
        let standings = catalog.standings();
        let mut families: HashMap<&str, Family> = HashMap::new();
        let mut pins = HashMap::with_capacity(catalog.entries.len());
        let mut operations = Vec::with_capacity(catalog.entries.len());
        for (i, entry) in catalog.entries.iter().enumerate() {
            pins.insert((entry.name.as_str(), entry.version.as_str()), i);
            operations.push(
                entry
                    .operations
                    .iter()
                    .map(|op| (op.name.as_str(), op))
                    .collect(),
            );
            let family = families.entry(entry.name.as_str()).or_insert(Family {
                latest: i,
                top_service: entry.service.version,
            });
            if entry.version > catalog.entries[family.latest].version {
                family.latest = i;
            }
            family.top_service = family.top_service.max(entry.service.version);
        }
        Judge {
            catalog,
            standings,
            families,
            pins,
            operations,
            required: HashMap::new(),
            validators: HashMap::new(),
            literal_values: 0,
            dynamic_values: 0,
            policy: None,
            today: NaiveDate::MIN,
        }
    }

    /// Judges with the deprecation `policy` in force on `today` as well as the catalog.
    pub fn with_policy(mut self, policy: Option<&'c Policy>, today: NaiveDate) -> Judge<'c> {
        self.policy = policy;
        self.today = today;
        self
    }

    /// The policy entry in force about `name` at `version` (with its service version, when in the catalog).
    fn declared(
        &self,
        name: &str,
        version: &str,
        service_version: Option<i64>,
    ) -> Option<&'c Entry> {
        let version = version.parse::<Version>().ok()?;
        self.policy?
            .entry_for(name, &version, service_version, self.today)
    }

    /// `deprecations.toml entry 3`, for messages.
    fn cite(&self, entry: &Entry) -> String {
        let file = self
            .policy
            .map_or("the deprecation policy", |p| p.display.as_str());
        format!("{file} entry {}", entry.index)
    }

    /// Literal input values checked against a pinned version's input schema so far.
    pub fn literal_values(&self) -> u64 {
        self.literal_values
    }

    /// Dynamic input values met in the steps whose values were checked (not checked themselves).
    pub fn dynamic_values(&self) -> u64 {
        self.dynamic_values
    }

    /// Judges one step, appending its findings (worst first).
    pub fn judge(
        &mut self,
        store: &mut Store,
        file: &str,
        workflow: &WorkflowRef,
        step: &Step,
        out: &mut Vec<Finding>,
    ) -> Result<()> {
        let catalog = self.catalog;
        let snapshot = catalog.snapshot.id;
        let name = step.connector.as_str();
        let version = step.version.as_str();
        let make =
            |code: Code, latest: Option<&str>, inputs: Vec<String>, message: String| Finding {
                code,
                severity: code.severity(),
                file: file.to_owned(),
                line: step.line,
                workflow: Some(workflow.clone()),
                step: Some(step.name.clone()),
                location: Some(step.location.clone()),
                connector: step.connector.clone(),
                version: Some(step.version.clone()),
                latest: latest.map(str::to_owned),
                operation: Some(step.operation.clone()),
                inputs,
                pointer: None,
                schema_pointer: None,
                deprecation: None,
                message,
                fingerprint: fingerprint(&[
                    code.as_str(),
                    file,
                    &workflow.id,
                    &step.name,
                    &step.connector,
                    &step.version,
                    &step.operation,
                ]),
                gating: false,
            };
        let Some(family) = self.families.get(name) else {
            out.push(make(
                Code::UnknownConnector,
                None,
                Vec::new(),
                format!(
                    "connector `{name}` is not in the catalog (snapshot {snapshot}): a private connector, or a typo"
                ),
            ));
            return Ok(());
        };
        let latest_index = family.latest;
        let top_service = family.top_service;
        let latest = catalog.entries[latest_index].version.as_str();
        let newest = (version != latest).then(|| Replacement {
            connector: name.to_owned(),
            version: latest.to_owned(),
        });
        let Some(&pinned) = self.pins.get(&(name, version)) else {
            let declared = self.declared(name, version, None);
            let why = format!("snapshot {snapshot} no longer lists it");
            let mut message =
                format!("{name} {version} is retired: {why} (the newest version is {latest})");
            let deprecation = Deprecation::inferred(
                DeprecationSource::Catalog,
                why,
                declared,
                self.today,
                newest,
            );
            if let (Some(entry), Some(when)) = (declared, deprecation.when()) {
                message.push_str(&format!(
                    "; {} ({when}; {})",
                    entry.reason,
                    self.cite(entry)
                ));
            }
            let mut finding = make(
                Code::RetiredConnectorVersion,
                Some(latest),
                Vec::new(),
                message,
            );
            finding.deprecation = Some(deprecation);
            out.push(finding);
            self.upgrade_impact(store, step, latest_index, None, &make, out)?;
            return Ok(());
        };
        let entry = &catalog.entries[pinned];
        let standing = self.standings[pinned];
        // Worst first: deprecation (what the gate exists for), then the operation, then age, then the upgrade.
        // A policy entry in force decides over the catalog's inference: it knows the date.
        match self.declared(name, version, Some(entry.service.version)) {
            Some(declared) => {
                let deprecation = Deprecation::from_policy(declared, self.today, newest);
                let to = deprecation
                    .replacement
                    .as_ref()
                    .map(|r| format!("; move to {} {}", r.connector, r.version))
                    .unwrap_or_default();
                let when = deprecation.when().unwrap_or_default();
                let (code, verdict) = if declared.is_past_sunset(self.today) {
                    (Code::RetiredConnectorVersion, "is retired")
                } else {
                    (Code::DeprecatedConnectorVersion, "is deprecated")
                };
                let mut finding = make(
                    code,
                    Some(latest),
                    Vec::new(),
                    format!(
                        "{name} {version} {verdict}: {} ({when}; {}){to}",
                        declared.reason,
                        self.cite(declared)
                    ),
                );
                finding.deprecation = Some(deprecation);
                out.push(finding);
            }
            None if standing.deprecated => {
                let (source, why) = if entry.service.version < top_service {
                    (
                        DeprecationSource::Catalog,
                        format!(
                            "its service {} v{} is superseded by v{top_service}",
                            entry.service.name, entry.service.version
                        ),
                    )
                } else {
                    (
                        DeprecationSource::Api,
                        "Tray marks it deprecated".to_owned(),
                    )
                };
                let mut finding = make(
                    Code::DeprecatedConnectorVersion,
                    Some(latest),
                    Vec::new(),
                    format!("{name} {version} is deprecated: {why}; move to {name} {latest}"),
                );
                finding.deprecation =
                    Some(Deprecation::inferred(source, why, None, self.today, newest));
                out.push(finding);
            }
            None => {}
        }
        let mut rejected = None;
        match self.operations[pinned].get(step.operation.as_str()) {
            None => out.push(make(
                Code::OperationMissing,
                Some(latest),
                Vec::new(),
                format!(
                    "operation `{}` does not exist in {name} {version}",
                    step.operation
                ),
            )),
            Some(&operation) => {
                let missing = self.unset_required(store, operation.input_schema, &step.inputs)?;
                if !missing.is_empty() {
                    let message = format!(
                        "{name} {version} `{}` requires {}, which the step does not set",
                        step.operation,
                        quoted_list(&missing)
                    );
                    out.push(make(
                        Code::MissingRequiredInput,
                        Some(latest),
                        missing,
                        message,
                    ));
                }
                let errors = self.value_errors(store, operation.input_schema, step, true)?;
                for error in &errors {
                    let message = format!(
                        "{name} {version} `{}` rejects a literal value: {} (input schema at {})",
                        step.operation, error.message, error.schema_pointer
                    );
                    out.push(about_value(
                        make(Code::InvalidInputValue, Some(latest), Vec::new(), message),
                        error,
                    ));
                }
                rejected = Some(errors);
            }
        }
        if standing.outdated {
            out.push(make(
                Code::OutdatedConnectorVersion,
                Some(latest),
                Vec::new(),
                format!("{name} {version} is outdated: the newest version is {latest}"),
            ));
            self.upgrade_impact(store, step, latest_index, rejected.as_deref(), &make, out)?;
        }
        Ok(())
    }

    /// The `upgrade-impact` notes for moving `step` to the newest version, when that would take work. `rejected`
    /// holds the value errors the pinned version already reports (they are not repeated).
    fn upgrade_impact(
        &mut self,
        store: &mut Store,
        step: &Step,
        latest_index: usize,
        rejected: Option<&[ValueError]>,
        make: &impl Fn(Code, Option<&str>, Vec<String>, String) -> Finding,
        out: &mut Vec<Finding>,
    ) -> Result<()> {
        let catalog = self.catalog;
        let latest_entry = &catalog.entries[latest_index];
        let (name, latest) = (latest_entry.name.as_str(), latest_entry.version.as_str());
        match self.operations[latest_index].get(step.operation.as_str()) {
            None => out.push(make(
                Code::UpgradeImpact,
                Some(latest),
                Vec::new(),
                format!(
                    "moving to {name} {latest} takes rework: operation `{}` does not exist there",
                    step.operation
                ),
            )),
            Some(&operation) => {
                let missing = self.unset_required(store, operation.input_schema, &step.inputs)?;
                if !missing.is_empty() {
                    let message = format!(
                        "moving to {name} {latest} takes new inputs: `{}` there requires {}, which the step does not set",
                        step.operation,
                        quoted_list(&missing)
                    );
                    out.push(make(Code::UpgradeImpact, Some(latest), missing, message));
                }
                let errors = self.value_errors(store, operation.input_schema, step, false)?;
                let already = |e: &ValueError| {
                    rejected.is_some_and(|r| {
                        r.iter()
                            .any(|p| p.pointer == e.pointer && p.message == e.message)
                    })
                };
                for error in errors.iter().filter(|e| !already(e)) {
                    let message = format!(
                        "moving to {name} {latest} makes a literal value invalid: {} (input schema at {})",
                        error.message, error.schema_pointer
                    );
                    out.push(about_value(
                        make(Code::UpgradeImpact, Some(latest), Vec::new(), message),
                        error,
                    ));
                }
            }
        }
        Ok(())
    }

    /// The errors in `step`'s literal input against the schema in `blob` that no dynamic value can change. A
    /// missing top-level required input is left to `missing-required-input` (which knows about defaults). `count`
    /// adds the step's values to the totals (once per step: for its pinned version). An input schema that cannot
    /// be compiled checks nothing; a warning says so once.
    fn value_errors(
        &mut self,
        store: &mut Store,
        blob: BlobId,
        step: &Step,
        count: bool,
    ) -> Result<Vec<ValueError>> {
        if step.values.is_empty() {
            return Ok(Vec::new());
        }
        let validator = match self.validators.get(&blob) {
            Some(validator) => validator.clone(),
            None => {
                let schema = store.json(blob)?;
                let validator = match SchemaValidator::new(&schema) {
                    Ok(validator) => Some(Rc::new(validator)),
                    Err(error) => {
                        tracing::warn!(
                            "{} {} `{}`: the stored input schema is {error}; literal values are not checked \
                             against it",
                            step.connector,
                            step.version,
                            step.operation
                        );
                        None
                    }
                };
                self.validators.insert(blob, validator.clone());
                validator
            }
        };
        let Some(validator) = validator else {
            return Ok(Vec::new());
        };
        if count {
            self.literal_values += step.values.literals;
            self.dynamic_values += step.values.dynamic.len() as u64;
        }
        let input = step.values.input_for(validator.schema());
        if validator.is_valid(&input) {
            return Ok(Vec::new());
        }
        Ok(validator
            .errors(&input)
            .into_iter()
            .filter(|e| step.values.settles(e))
            .filter(|e| !(e.keyword == "required" && e.pointer.matches('/').count() == 1))
            .collect())
    }

    /// The required inputs of the schema in `blob` (those without a default) that `set` lacks.
    fn unset_required(
        &mut self,
        store: &mut Store,
        blob: BlobId,
        set: &[String],
    ) -> Result<Vec<String>> {
        let required = match self.required.get(&blob) {
            Some(required) => Rc::clone(required),
            None => {
                let schema = store.json(blob)?;
                let required: Rc<[String]> = required_without_default(&schema).into();
                self.required.insert(blob, Rc::clone(&required));
                required
            }
        };
        Ok(required
            .iter()
            .filter(|name| set.binary_search(name).is_err())
            .cloned()
            .collect())
    }

    /// Where `pin` should move to: the replacement a policy entry in force names (another connector, possibly),
    /// else the newest version of its connector, when the pin is not it (outdated, deprecated or retired). Unknown
    /// connectors have nowhere to go.
    pub fn upgrade_target(&self, pin: &Pin) -> Option<ConnectorMapping> {
        let service_version = self
            .pins
            .get(&(pin.name.as_str(), pin.version.as_str()))
            .map(|&i| self.catalog.entries[i].service.version);
        if let Some(to) = self
            .declared(&pin.name, &pin.version, service_version)
            .and_then(|e| e.replacement.as_ref())
            && (to.connector != pin.name || to.version != pin.version)
        {
            return Some(ConnectorMapping {
                from: pin.clone(),
                to: Pin {
                    name: to.connector.clone(),
                    version: to.version.clone(),
                },
            });
        }
        let family = self.families.get(pin.name.as_str())?;
        let latest = &self.catalog.entries[family.latest];
        (latest.version.as_str() != pin.version).then(|| ConnectorMapping {
            from: pin.clone(),
            to: Pin {
                name: latest.name.clone(),
                version: latest.version.as_str().to_owned(),
            },
        })
    }
}

/// A finding about one value: its pointers, and a fingerprint that tells it from the step's other values.
fn about_value(mut finding: Finding, error: &ValueError) -> Finding {
    finding.fingerprint = fingerprint(&[
        finding.code.as_str(),
        &finding.file,
        finding.workflow.as_ref().map_or("", |w| w.id.as_str()),
        finding.step.as_deref().unwrap_or(""),
        &finding.connector,
        finding.version.as_deref().unwrap_or(""),
        finding.operation.as_deref().unwrap_or(""),
        &error.pointer,
        &error.schema_pointer,
    ]);
    finding.pointer = Some(error.pointer.clone());
    finding.schema_pointer = Some(error.schema_pointer.clone());
    finding
}

fn quoted_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The names in an input schema's top-level `required` whose property has no `default`. A `$ref` into the schema
/// (at the top, or on a property) is followed; anything malformed is read leniently, as "not required".
pub fn required_without_default(schema: &Value) -> Vec<String> {
    let object = resolve(schema, schema);
    let Some(required) = object.get("required").and_then(Value::as_array) else {
        return Vec::new();
    };
    let properties = object.get("properties").and_then(Value::as_object);
    let mut out: Vec<String> = required
        .iter()
        .filter_map(Value::as_str)
        .filter(|name| {
            let property = properties
                .and_then(|p| p.get(*name))
                .map(|p| resolve(schema, p));
            property.is_none_or(|p| p.get("default").is_none())
        })
        .map(str::to_owned)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Follows local `$ref`s (`#/definitions/x`) from `value`, a bounded number of times.
fn resolve<'a>(root: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..16 {
        let Some(target) = value
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|pointer| root.pointer(pointer))
        else {
            return value;
        };
        value = target;
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_required_input_with_a_default_counts_as_set() {
        let schema = json!({"type": "object",
            "properties": {"url": {"type": "string"}, "method": {"type": "string", "default": "GET"}},
            "required": ["url", "method"]});
        assert_eq!(required_without_default(&schema), ["url"]);
    }

    #[test]
    fn required_inputs_behind_a_ref_are_found() {
        let schema = json!({"$ref": "#/definitions/input",
            "definitions": {
                "input": {"type": "object", "required": ["a", "b", "c"],
                          "properties": {"a": {"$ref": "#/definitions/with_default"}, "b": {"type": "string"}}},
                "with_default": {"type": "string", "default": "x"}}});
        assert_eq!(required_without_default(&schema), ["b", "c"]);
    }

    #[test]
    fn a_ref_loop_or_a_malformed_schema_is_read_leniently() {
        let looping =
            json!({"$ref": "#/definitions/a", "definitions": {"a": {"$ref": "#/definitions/a"}}});
        assert!(required_without_default(&looping).is_empty());
        let odd = json!({"required": "url", "properties": []});
        assert!(required_without_default(&odd).is_empty());
        let mixed = json!({"required": ["url", 3, null]});
        assert_eq!(required_without_default(&mixed), ["url"]);
    }
}
