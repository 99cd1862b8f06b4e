//! The stable codes of schema changes, one variant each, and the keyword each annotation is reported under.
//!
//! The serialized names are the public contract of `docs/schema-diff.md`: a name, once published, never changes
//! meaning and never disappears. Adding a variant means adding a `### \`kind\`` section there (a test checks it).

use strum::{IntoStaticStr, VariantArray};

/// What kind of elementary change a [`super::SchemaChange`] is. Serialized, displayed and parsed as its
/// kebab-case name (`type-narrowed`, `too-complex`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "kebab-case")]
pub enum SchemaKind {
    TypeChanged,
    TypeNarrowed,
    TypeWidened,
    PropertyAdded,
    PropertyRemoved,
    RequiredAdded,
    RequiredRemoved,
    RequiredPropertyAdded,
    RequiredPropertyRemoved,
    EnumValueAdded,
    EnumValueRemoved,
    EnumAdded,
    EnumRemoved,
    ConstAdded,
    ConstRemoved,
    ConstChanged,
    ConstraintTightened,
    ConstraintLoosened,
    ConstraintChanged,
    PatternAdded,
    PatternRemoved,
    PatternChanged,
    FormatAdded,
    FormatRemoved,
    FormatChanged,
    AdditionalPropertiesClosed,
    AdditionalPropertiesOpened,
    PatternPropertyAdded,
    PatternPropertyRemoved,
    AnyOfBranchAdded,
    AnyOfBranchRemoved,
    AnyOfChanged,
    OneOfBranchAdded,
    OneOfBranchRemoved,
    OneOfChanged,
    AllOfBranchAdded,
    AllOfBranchRemoved,
    AllOfChanged,
    SchemaOpened,
    SchemaClosed,
    SchemaReplaced,
    RefChanged,
    KeywordAdded,
    KeywordRemoved,
    KeywordChanged,
    TitleChanged,
    DescriptionChanged,
    DefaultChanged,
    AdvancedChanged,
    LookupChanged,
    EnumLabelsChanged,
    DefaultJsonpathChanged,
    AnnotationChanged,
    TooDeep,
    TooComplex,
}

impl SchemaKind {
    /// The stable kebab-case name.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The kind named `name`, if there is one.
    pub fn parse(name: &str) -> Option<SchemaKind> {
        SchemaKind::VARIANTS
            .iter()
            .copied()
            .find(|k| k.as_str() == name)
    }

    /// The kind an annotation keyword's change is reported as.
    pub(super) fn of_annotation(keyword: &str) -> SchemaKind {
        match keyword {
            "title" => SchemaKind::TitleChanged,
            "description" => SchemaKind::DescriptionChanged,
            "default" => SchemaKind::DefaultChanged,
            "advanced" => SchemaKind::AdvancedChanged,
            "lookup" => SchemaKind::LookupChanged,
            "enumLabels" => SchemaKind::EnumLabelsChanged,
            "default_jsonpath" => SchemaKind::DefaultJsonpathChanged,
            _ => SchemaKind::AnnotationChanged,
        }
    }
}

impl std::fmt::Display for SchemaKind {
    /// Pads like a `&str`, so `{:<28}` lines up columns.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl serde::Serialize for SchemaKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for SchemaKind {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        SchemaKind::parse(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown schema change kind `{name}`")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_published_kebab_case_codes_and_unique() {
        assert_eq!(SchemaKind::TypeNarrowed.as_str(), "type-narrowed");
        assert_eq!(
            SchemaKind::DefaultJsonpathChanged.as_str(),
            "default-jsonpath-changed"
        );
        assert_eq!(SchemaKind::TooComplex.as_str(), "too-complex");
        let names: std::collections::BTreeSet<&str> =
            SchemaKind::VARIANTS.iter().map(|k| k.as_str()).collect();
        assert_eq!(names.len(), SchemaKind::VARIANTS.len());
        for kind in SchemaKind::VARIANTS {
            assert_eq!(SchemaKind::parse(kind.as_str()), Some(*kind));
        }
        assert_eq!(SchemaKind::parse("type_narrowed"), None);
    }

    #[test]
    fn display_pads_and_serde_round_trips_the_name() {
        assert_eq!(
            format!("[{:<15}]", SchemaKind::TooDeep),
            "[too-deep       ]"
        );
        assert_eq!(
            serde_json::to_value(SchemaKind::EnumValueAdded).unwrap(),
            serde_json::json!("enum-value-added")
        );
        let back: SchemaKind = serde_json::from_value(serde_json::json!("ref-changed")).unwrap();
        assert_eq!(back, SchemaKind::RefChanged);
        assert!(serde_json::from_value::<SchemaKind>(serde_json::json!("nope")).is_err());
    }
}
