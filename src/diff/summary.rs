//! What a first night reports when there is nothing to compare with: the catalog as it stands, with the versions
//! the deprecation rule ([`crate::model::standings`]) already calls deprecated. It computes; it never formats.

use serde::Serialize;

use crate::findings::SnapshotRef;
use crate::store::Catalog;

/// What the first night reports: the catalog as it stands.
#[derive(Debug, Clone, Serialize)]
pub struct CatalogSummary {
    /// Always `"catalog-summary"`, so readers of the JSON tell it from a diff report.
    pub kind: &'static str,
    #[serde(serialize_with = "crate::findings::serialize_diff_snapshot")]
    pub snapshot: SnapshotRef,
    pub connectors: u64,
    pub connector_versions: u64,
    pub operations: u64,
    pub services: u64,
    pub outdated_versions: u64,
    /// Connector versions whose service is superseded (the deprecation rule), already on the first night.
    pub deprecated: Vec<DeprecatedVersion>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeprecatedVersion {
    pub connector: String,
    pub version: String,
    pub service: String,
    pub service_version: i64,
    pub latest: String,
}

impl CatalogSummary {
    pub fn of(catalog: &Catalog) -> CatalogSummary {
        let standings = catalog.standings();
        let names: std::collections::BTreeSet<&str> =
            catalog.entries.iter().map(|e| e.name.as_str()).collect();
        let services: std::collections::BTreeSet<(&str, i64)> = catalog
            .entries
            .iter()
            .map(|e| (e.service.name.as_str(), e.service.version))
            .collect();
        let latest_of = |name: &str| {
            catalog
                .versions_of(name)
                .map(|e| &e.version)
                .max()
                .map(ToString::to_string)
                .unwrap_or_default()
        };
        let mut deprecated: Vec<DeprecatedVersion> = catalog
            .entries
            .iter()
            .zip(&standings)
            .filter(|(_, s)| s.deprecated)
            .map(|(e, _)| DeprecatedVersion {
                connector: e.name.clone(),
                version: e.version.to_string(),
                service: e.service.name.clone(),
                service_version: e.service.version,
                latest: latest_of(&e.name),
            })
            .collect();
        deprecated.sort_by(|a, b| (&a.connector, &a.version).cmp(&(&b.connector, &b.version)));
        CatalogSummary {
            kind: "catalog-summary",
            snapshot: SnapshotRef::of(&catalog.snapshot),
            connectors: names.len() as u64,
            connector_versions: catalog.entries.len() as u64,
            operations: catalog
                .entries
                .iter()
                .map(|e| e.operations.len() as u64)
                .sum(),
            services: services.len() as u64,
            outdated_versions: standings.iter().filter(|s| s.outdated).count() as u64,
            deprecated,
        }
    }
}
