//! Arguments several commands share, so the same words mean the same thing everywhere: `--format human|json` (with
//! the old `--json` as a hidden alias) and the connection flags of `crawl` and `nightly`.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow, bail};
use clap::Args;

use trayscope::api::{self, ApiClient, ClientOptions, Region, Token};
use trayscope::config::Settings;
use trayscope::crawl::CrawlOptions;
use trayscope::source::Source;

/// `--format` of the commands whose output is a human text or JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HumanOrJson {
    Human,
    Json,
}

/// `--format human|json`, plus the hidden `--json` the first releases had.
#[derive(Debug, Args)]
pub struct FormatArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = HumanOrJson::Human)]
    format: HumanOrJson,

    /// The same as --format json (kept for scripts written against earlier releases)
    #[arg(long, hide = true, conflicts_with = "format")]
    json: bool,
}

impl FormatArgs {
    pub fn get(&self) -> HumanOrJson {
        if self.json {
            HumanOrJson::Json
        } else {
            self.format
        }
    }
}

/// `--region`: the library's [`Region`], named for clap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RegionArg {
    Us,
    Eu1,
    Ap1,
}

impl From<RegionArg> for Region {
    fn from(region: RegionArg) -> Region {
        match region {
            RegionArg::Us => Region::Us,
            RegionArg::Eu1 => Region::Eu1,
            RegionArg::Ap1 => Region::Ap1,
        }
    }
}

const DEFAULT_CONCURRENCY: u16 = 8;
/// A token file holds one token: anything larger is not one.
const MAX_TOKEN_FILE_BYTES: u64 = 64 << 10;
const DEFAULT_RATE_LIMIT: f64 = 25.0;

/// How to reach Tray's API: `crawl`, `nightly`.
#[derive(Debug, Args)]
pub struct ConnectionArgs {
    /// Tray region [default: us; or `region` in trayscope.toml, TRAYSCOPE_REGION]
    #[arg(long, value_enum)]
    pub region: Option<RegionArg>,

    /// API base URL, overriding --region (plain http only for loopback hosts) [or `api_url`, TRAYSCOPE_API_URL]
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,

    /// Read the API token from this file instead of the TRAY_TOKEN environment variable
    #[arg(long, value_name = "PATH")]
    pub token_file: Option<PathBuf>,

    /// Requests per second, all requests together; Tray allows 30 [default: 25; or `rate_limit`, TRAYSCOPE_RATE_LIMIT]
    #[arg(long, value_name = "N", value_parser = api::parse_rate_limit)]
    pub rate_limit: Option<f64>,

    /// Attempts per request (429, 5xx, timeouts, dropped connections, cut bodies are retried)
    #[arg(long, default_value_t = 6, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: u32,

    /// First retry delay in milliseconds; doubles per retry, with jitter
    #[arg(long, default_value_t = 500, value_name = "MS", value_parser = clap::value_parser!(u64).range(0..=600_000))]
    pub backoff_ms: u64,

    /// Per-request timeout in seconds
    #[arg(long, default_value_t = 60, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub timeout: u64,

    /// Largest response body accepted, in MiB
    #[arg(long, default_value_t = 64, value_name = "MIB", value_parser = clap::value_parser!(u64).range(1..=4096))]
    pub max_response_mb: u64,
}

impl ConnectionArgs {
    /// An API client from the flags, then the settings (file and environment), then the defaults; the token from
    /// `--token-file` or `TRAY_TOKEN`.
    /// `hint` ends the message when there is no token at all (what else the command could do without one).
    pub fn client(&self, settings: &Settings, hint: &str) -> Result<ApiClient> {
        let region = self
            .region
            .map(Region::from)
            .or(settings.region)
            .unwrap_or(Region::Us);
        let url = self
            .api_url
            .as_deref()
            .or(settings.api_url.as_deref())
            .unwrap_or(region.base_url());
        let base = api::parse_base_url(url)?;
        let token = self.token(hint)?;
        let options = ClientOptions {
            rate_limit: self
                .rate_limit
                .or(settings.rate_limit)
                .unwrap_or(DEFAULT_RATE_LIMIT),
            max_attempts: self.max_attempts,
            backoff_base: Duration::from_millis(self.backoff_ms),
            timeout: Duration::from_secs(self.timeout),
            max_body_bytes: self.max_body_bytes(),
            ..ClientOptions::default()
        };
        Ok(ApiClient::new(base, &token, options)?)
    }

    pub fn max_body_bytes(&self) -> u64 {
        self.max_response_mb << 20
    }

    /// The token, from `--token-file` or `TRAY_TOKEN`; a problem names where it came from, never the token.
    fn token(&self, hint: &str) -> Result<Token> {
        match &self.token_file {
            Some(path) => {
                let bytes = trayscope::files::read_regular_file(path, MAX_TOKEN_FILE_BYTES)
                    .context("reading the token file")?;
                let raw = String::from_utf8(bytes)
                    .map_err(|_| anyhow!("the token file {}: not UTF-8 text", path.display()))?;
                Token::new(&raw).map_err(|e| anyhow!("the token file {}: {e}", path.display()))
            }
            None => match std::env::var("TRAY_TOKEN") {
                Ok(raw) => Token::new(&raw).map_err(|e| anyhow!("TRAY_TOKEN: {e}")),
                Err(_) => bail!("no API token: set TRAY_TOKEN or pass --token-file PATH{hint}"),
            },
        }
    }
}

/// Where a crawl reads the catalog from: the API, or a directory in its layout.
#[derive(Debug, Args)]
pub struct SourceArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,

    /// Crawl a directory in the API's layout (DIR/connectors.json, DIR/operations/<name>/<version>.json) instead of
    /// the API; no token needed
    #[arg(long, value_name = "DIR", conflicts_with_all = ["api_url", "token_file", "region"])]
    pub from_dir: Option<PathBuf>,

    /// Operations requests in flight at once [default: 8; or `concurrency`, TRAYSCOPE_CONCURRENCY]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: Option<u16>,
}

impl SourceArgs {
    pub fn source(&self, settings: &Settings) -> Result<Source> {
        if let Some(dir) = &self.from_dir {
            if !dir.is_dir() {
                bail!("--from-dir {}: not a directory", dir.display());
            }
            return Ok(Source::Dir {
                root: dir.clone(),
                max_body_bytes: self.connection.max_body_bytes(),
            });
        }
        let client = self.connection.client(
            settings,
            " (crawling a directory with --from-dir needs none)",
        )?;
        Ok(Source::Http(client))
    }

    pub fn crawl_options(&self, settings: &Settings) -> CrawlOptions {
        CrawlOptions {
            concurrency: usize::from(
                self.concurrency
                    .or(settings.concurrency)
                    .unwrap_or(DEFAULT_CONCURRENCY),
            ),
        }
    }
}

/// `--deprecations` and `--sunset-within` of the commands that write diff reports (`diff`, `nightly`, `report`): the
/// same words as `audit`'s, the policy found the same way.
#[derive(Debug, Args)]
pub struct SunsetArgs {
    /// Deprecation policy (TOML) whose near sunsets the report lists [default: `deprecations` in trayscope.toml,
    /// else deprecations.toml in the home, when present]
    #[arg(long, value_name = "FILE")]
    pub deprecations: Option<PathBuf>,

    /// List the policy's sunsets at most DAYS away, under "Sunsets within DAYS days"
    #[arg(long, default_value_t = 30, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(0..=36_500))]
    pub sunset_within: u32,
}

impl SunsetArgs {
    /// The policy in effect (a named file that is missing or invalid is an error), with the window and the day.
    pub fn options(&self, cx: &super::Context) -> Result<Option<trayscope::diff::SunsetOptions>> {
        Ok(cx
            .policy(self.deprecations.as_deref())?
            .map(|policy| trayscope::diff::SunsetOptions {
                policy,
                within: i64::from(self.sunset_within),
                today: cx.today,
            }))
    }
}
