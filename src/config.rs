//! `trayscope.toml`: settings a team sets once (region, API URL, pacing, reports directory, severity overrides).
//!
//! Precedence is flags, then environment (`TRAYSCOPE_*`), then the file, then built-in defaults. The file is
//! validated once, as a whole: every problem in it is reported together, each naming its key, so a user fixes them
//! in one go. This module never reads the token (that stays in `TRAY_TOKEN` or a token file) and never writes.

use std::path::{Path, PathBuf};

use crate::api::Region;
use crate::findings::{Code, Severity, SeverityOverrides};

/// The file name looked for in the home directory.
pub const FILE_NAME: &str = "trayscope.toml";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{path}: not valid TOML: {error}")]
    Toml { path: PathBuf, error: String },
    #[error("{origin}: {} problem{}:\n{}", problems.len(), if problems.len() == 1 { "" } else { "s" },
            problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid {
        origin: String,
        problems: Vec<String>,
    },
}

/// Settings from the file (or the environment); `None` where neither says anything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    pub region: Option<Region>,
    pub api_url: Option<String>,
    pub concurrency: Option<u16>,
    pub rate_limit: Option<f64>,
    pub reports_dir: Option<PathBuf>,
    /// `max_chars`: the Markdown report's budget in characters (0: no limit).
    pub max_chars: Option<usize>,
    /// `[severity]`: levels for diff and audit codes.
    pub severity: SeverityOverrides,
    /// `deprecations`: the deprecation policy file (relative paths: to the settings file's directory).
    pub deprecations: Option<PathBuf>,
}

impl Settings {
    /// `other` wins where it says something.
    pub fn overlay(mut self, other: Settings) -> Settings {
        self.region = other.region.or(self.region);
        self.api_url = other.api_url.or(self.api_url);
        self.concurrency = other.concurrency.or(self.concurrency);
        self.rate_limit = other.rate_limit.or(self.rate_limit);
        self.reports_dir = other.reports_dir.or(self.reports_dir);
        self.max_chars = other.max_chars.or(self.max_chars);
        self.severity.extend(other.severity);
        self.deprecations = other.deprecations.or(self.deprecations);
        self
    }
}

const KEYS: &[&str] = &[
    "region",
    "api_url",
    "concurrency",
    "rate_limit",
    "reports_dir",
    "max_chars",
    "severity",
    "deprecations",
];

/// Loads the settings: `--config FILE` (which must exist), else `<home>/trayscope.toml` when present, then the
/// environment over it.
pub fn load(
    explicit: Option<&Path>,
    home: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Settings, ConfigError> {
    let file = match explicit {
        Some(path) => from_file(path)?,
        None => {
            let path = home.join(FILE_NAME);
            if path.is_file() {
                from_file(&path)?
            } else {
                Settings::default()
            }
        }
    };
    Ok(file.overlay(from_env(env)?))
}

/// Reads and validates one file.
pub fn from_file(path: &Path) -> Result<Settings, ConfigError> {
    /// A settings file is a few lines: anything larger is not one.
    const MAX_BYTES: u64 = 1 << 20;
    let bytes = crate::files::read_regular_file(path, MAX_BYTES).map_err(|e| ConfigError::Io {
        path: path.to_owned(),
        error: std::io::Error::other(e.problem.to_string()),
    })?;
    let text = String::from_utf8(bytes).map_err(|_| ConfigError::Io {
        path: path.to_owned(),
        error: std::io::Error::other("not UTF-8 text"),
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    parse(&text, base).map_err(|e| match e {
        ConfigError::Invalid { problems, .. } => ConfigError::Invalid {
            origin: path.display().to_string(),
            problems,
        },
        ConfigError::Toml { error, .. } => ConfigError::Toml {
            path: path.to_owned(),
            error,
        },
        other => other,
    })
}

/// Parses a file's text; relative paths in it are relative to `base` (the file's directory).
pub fn parse(text: &str, base: &Path) -> Result<Settings, ConfigError> {
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| ConfigError::Toml {
            path: PathBuf::from(FILE_NAME),
            error: crate::excerpt::cut_lines(
                e.to_string().trim_end(),
                crate::excerpt::MAX_QUOTED_CHARS,
            ),
        })?;
    let mut problems = Vec::new();
    let mut settings = Settings::default();
    for (key, value) in &table {
        match key.as_str() {
            "region" => match value.as_str() {
                Some(text) => match parse_region(text) {
                    Some(region) => settings.region = Some(region),
                    None => problems.push(format!(
                        "`region`: expected one of us, eu1, ap1, found {text:?}"
                    )),
                },
                None => problems.push(format!(
                    "`region`: expected a string, found {}",
                    toml_kind(value)
                )),
            },
            "api_url" => match value.as_str() {
                Some(text) => match crate::api::parse_base_url(text) {
                    Ok(_) => settings.api_url = Some(text.to_owned()),
                    Err(e) => problems.push(format!("`api_url`: {e}")),
                },
                None => problems.push(format!(
                    "`api_url`: expected a string, found {}",
                    toml_kind(value)
                )),
            },
            "concurrency" => match value.as_integer() {
                Some(n @ 1..=256) => settings.concurrency = Some(n as u16),
                Some(n) => problems.push(format!("`concurrency`: expected 1 to 256, found {n}")),
                None => problems.push(format!(
                    "`concurrency`: expected an integer, found {}",
                    toml_kind(value)
                )),
            },
            "rate_limit" => match value
                .as_float()
                .or_else(|| value.as_integer().map(|n| n as f64))
            {
                Some(n) => match crate::api::validate_rate_limit(n) {
                    Ok(n) => settings.rate_limit = Some(n),
                    Err(e) => problems.push(format!("`rate_limit`: {e}")),
                },
                None => problems.push(format!(
                    "`rate_limit`: expected a number, found {}",
                    toml_kind(value)
                )),
            },
            "reports_dir" => match value.as_str() {
                Some(text) if !text.is_empty() => settings.reports_dir = Some(base.join(text)),
                _ => problems.push(format!(
                    "`reports_dir`: expected a non-empty path, found {}",
                    toml_kind(value)
                )),
            },
            "max_chars" => match value.as_integer() {
                Some(n) if n == 0 || n >= 2_000 => settings.max_chars = Some(n as usize),
                Some(n) => problems.push(format!(
                    "`max_chars`: expected 0 (no limit) or at least 2000 characters, found {n}"
                )),
                None => problems.push(format!(
                    "`max_chars`: expected an integer, found {}",
                    toml_kind(value)
                )),
            },
            "deprecations" => match value.as_str() {
                Some(text) if !text.is_empty() => settings.deprecations = Some(base.join(text)),
                _ => problems.push(format!(
                    "`deprecations`: expected a non-empty path, found {}",
                    toml_kind(value)
                )),
            },
            "severity" => match value.as_table() {
                Some(overrides) => {
                    for (code, level) in overrides {
                        severity_override(code, level, &mut settings, &mut problems);
                    }
                }
                None => problems.push(format!(
                    "`severity`: expected a table of code = level, found {}",
                    toml_kind(value)
                )),
            },
            other => problems.push(format!(
                "`{other}`: unknown key (known keys: {})",
                KEYS.join(", ")
            )),
        }
    }
    if problems.is_empty() {
        Ok(settings)
    } else {
        Err(ConfigError::Invalid {
            origin: FILE_NAME.into(),
            problems,
        })
    }
}

fn severity_override(
    code: &str,
    level: &toml::Value,
    settings: &mut Settings,
    problems: &mut Vec<String>,
) {
    let key = format!("`severity.{code}`");
    let code = match code.parse::<Code>() {
        Ok(code) => code,
        Err(why) => {
            problems.push(format!("{key}: {why}"));
            return;
        }
    };
    match level.as_str().map(str::parse::<Severity>) {
        Some(Ok(level)) => {
            settings.severity.insert(code, level);
        }
        Some(Err(why)) => problems.push(format!("{key}: {why}")),
        None => problems.push(format!(
            "{key}: expected a string, found {}",
            toml_kind(level)
        )),
    }
}

/// The environment's settings: `TRAYSCOPE_REGION`, `TRAYSCOPE_API_URL`, `TRAYSCOPE_CONCURRENCY`,
/// `TRAYSCOPE_RATE_LIMIT`, `TRAYSCOPE_REPORTS`.
pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<Settings, ConfigError> {
    let mut settings = Settings::default();
    let mut problems = Vec::new();
    if let Some(text) = env("TRAYSCOPE_REGION") {
        match parse_region(&text) {
            Some(region) => settings.region = Some(region),
            None => problems.push(format!(
                "TRAYSCOPE_REGION: expected one of us, eu1, ap1, found {text:?}"
            )),
        }
    }
    if let Some(text) = env("TRAYSCOPE_API_URL") {
        match crate::api::parse_base_url(&text) {
            Ok(_) => settings.api_url = Some(text),
            Err(e) => problems.push(format!("TRAYSCOPE_API_URL: {e}")),
        }
    }
    if let Some(text) = env("TRAYSCOPE_CONCURRENCY") {
        match text.trim().parse::<u16>() {
            Ok(n @ 1..=256) => settings.concurrency = Some(n),
            _ => problems.push(format!(
                "TRAYSCOPE_CONCURRENCY: expected 1 to 256, found {text:?}"
            )),
        }
    }
    if let Some(text) = env("TRAYSCOPE_RATE_LIMIT") {
        match crate::api::parse_rate_limit(&text) {
            Ok(n) => settings.rate_limit = Some(n),
            Err(e) => problems.push(format!("TRAYSCOPE_RATE_LIMIT: {e}")),
        }
    }
    if let Some(text) = env("TRAYSCOPE_REPORTS")
        && !text.is_empty()
    {
        settings.reports_dir = Some(PathBuf::from(text));
    }
    if problems.is_empty() {
        Ok(settings)
    } else {
        Err(ConfigError::Invalid {
            origin: "environment".into(),
            problems,
        })
    }
}

/// A duration such as `30s`, `10m`, `12h`, `90d` or `2w` (a bare `0` is zero).
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    if text == "0" {
        return Ok(std::time::Duration::ZERO);
    }
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let seconds_per_unit = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        "w" => 604_800,
        _ => 0,
    };
    if seconds_per_unit > 0
        && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
        && number.parse::<u64>().is_err()
    {
        return Err(format!("{text:?} is too long"));
    }
    match number.parse::<u64>() {
        Ok(n) if seconds_per_unit > 0 => n
            .checked_mul(seconds_per_unit)
            .map(std::time::Duration::from_secs)
            .ok_or_else(|| format!("{text:?} is too long")),
        _ => Err(format!(
            "{text:?} is not a duration: expected a whole number and a unit, such as 30s, 10m, 12h, 90d or 2w"
        )),
    }
}

/// `--older-than`: a duration in hours, days or weeks (minutes and seconds are refused: `3m` reads too easily as
/// months for a retention rule), at least one.
pub fn parse_age(text: &str) -> Result<chrono::TimeDelta, String> {
    let refuse = |why: &str| {
        format!(
            "{text:?} is not an age{why}: expected a whole number followed by h (hours), d (days) or w (weeks), \
             such as 12h, 90d or 2w"
        )
    };
    if !text.ends_with(['h', 'd', 'w']) {
        return Err(refuse(""));
    }
    let duration = parse_duration(text).map_err(|e| {
        if e.ends_with("too long") {
            refuse(" (too large)")
        } else {
            refuse("")
        }
    })?;
    if duration.is_zero() {
        return Err(refuse(" (it must be at least 1)"));
    }
    chrono::TimeDelta::from_std(duration).map_err(|_| refuse(" (too large)"))
}

fn parse_region(text: &str) -> Option<Region> {
    text.parse().ok()
}

/// What a TOML value is, for "expected …, found …" in the messages about files the user wrote (this one and the
/// deprecation policy).
pub(crate) fn toml_kind(value: &toml::Value) -> &'static str {
    match value {
        toml::Value::String(_) => "a string",
        toml::Value::Integer(_) => "an integer",
        toml::Value::Float(_) => "a float",
        toml::Value::Boolean(_) => "a boolean",
        toml::Value::Datetime(d) => match (d.date, d.time) {
            (Some(_), None) => "a date",
            (None, Some(_)) => "a time",
            _ => "a date and time",
        },
        toml::Value::Array(_) => "an array",
        toml::Value::Table(_) => "a table",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_file_parses() {
        let settings = parse(
            r#"
region = "eu1"
api_url = "https://api.eu1.tray.io"
concurrency = 4
rate_limit = 20
reports_dir = "out/reports"
deprecations = "deprecations.toml"
[severity]
operation-changed = "warning"
outdated-connector-version = "error"
"#,
            Path::new("/etc/trayscope"),
        )
        .unwrap();
        assert_eq!(settings.region, Some(Region::Eu1));
        assert_eq!(
            settings.deprecations,
            Some(PathBuf::from("/etc/trayscope/deprecations.toml"))
        );
        assert_eq!(settings.concurrency, Some(4));
        assert_eq!(settings.rate_limit, Some(20.0));
        assert_eq!(
            settings.reports_dir,
            Some(PathBuf::from("/etc/trayscope/out/reports"))
        );
        assert_eq!(
            settings.severity[&Code::Diff(crate::findings::DiffCode::OperationChanged)],
            Severity::Warning
        );
        assert_eq!(
            settings.severity[&Code::Audit(crate::findings::AuditCode::OutdatedConnectorVersion)],
            Severity::Error
        );
    }

    #[test]
    fn every_problem_is_reported_at_once_naming_its_key() {
        let err = parse(
            r#"
region = "mars"
concurrency = 0
rate_limit = "fast"
colour = true
api_url = "http://example.com"
[severity]
operation-changed = "fatal"
no-such-code = "error"
"#,
            Path::new("."),
        )
        .unwrap_err()
        .to_string();
        for needle in [
            "7 problems",
            "`region`",
            "\"mars\"",
            "`concurrency`",
            "`rate_limit`",
            "`colour`: unknown key",
            "`api_url`",
            "`severity.operation-changed`",
            "`severity.no-such-code`: unknown code",
        ] {
            assert!(err.contains(needle), "{needle:?} missing from:\n{err}");
        }
    }

    #[test]
    fn durations_take_a_number_and_a_unit() {
        assert_eq!(parse_duration("0"), Ok(std::time::Duration::ZERO));
        assert_eq!(parse_duration("30s").unwrap().as_secs(), 30);
        assert_eq!(parse_duration("10m").unwrap().as_secs(), 600);
        assert_eq!(parse_duration("90d").unwrap().as_secs(), 90 * 86_400);
        assert_eq!(parse_duration("2w").unwrap().as_secs(), 14 * 86_400);
        for bad in [
            "",
            "d",
            "10",
            "1.5h",
            "-3d",
            "3 days",
            "99999999999999999999w",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn bad_toml_is_a_clear_error() {
        let err = parse("region = ", Path::new(".")).unwrap_err().to_string();
        assert!(err.contains("not valid TOML"), "{err}");
    }

    #[test]
    fn environment_overrides_the_file() {
        let file = parse("region = \"eu1\"\nconcurrency = 4\n", Path::new(".")).unwrap();
        let env = |name: &str| match name {
            "TRAYSCOPE_REGION" => Some("ap1".to_owned()),
            _ => None,
        };
        let merged = file.overlay(from_env(&env).unwrap());
        assert_eq!(merged.region, Some(Region::Ap1));
        assert_eq!(merged.concurrency, Some(4));
    }

    #[test]
    fn bad_environment_values_name_the_variable() {
        let env = |name: &str| match name {
            "TRAYSCOPE_CONCURRENCY" => Some("lots".to_owned()),
            "TRAYSCOPE_RATE_LIMIT" => Some("-1".to_owned()),
            _ => None,
        };
        let err = from_env(&env).unwrap_err().to_string();
        assert!(
            err.contains("TRAYSCOPE_CONCURRENCY") && err.contains("TRAYSCOPE_RATE_LIMIT"),
            "{err}"
        );
    }

    #[test]
    fn ages_are_a_whole_number_and_a_unit() {
        assert_eq!(parse_age("12h"), Ok(chrono::TimeDelta::hours(12)));
        assert_eq!(parse_age("90d"), Ok(chrono::TimeDelta::days(90)));
        assert_eq!(parse_age("2w"), Ok(chrono::TimeDelta::weeks(2)));
        assert_eq!(parse_age("1d"), Ok(chrono::TimeDelta::hours(24)));
    }

    #[test]
    fn anything_else_is_refused_with_the_expected_form() {
        for bad in [
            "", "d", "90", "90D", "90 d", " 90d", "-1d", "+1d", "1.5d", "90days", "3m", "1y", "0d",
            "9d9", "٩d",
        ] {
            let err = parse_age(bad).unwrap_err();
            assert!(
                err.contains("whole number") && err.contains("90d"),
                "{bad:?}: {err}"
            );
        }
    }

    #[test]
    fn an_age_too_large_to_represent_is_an_error_not_a_panic() {
        for huge in [
            "99999999999999999999d",
            "9223372036854775807w",
            "9999999999999h",
        ] {
            let err = parse_age(huge).unwrap_err();
            assert!(err.contains("too large"), "{huge:?}: {err}");
        }
    }
}
