//! The Tray Core API client: regions, auth, client-side rate limit, retries, bounded bodies.
//!
//! This is the one place that maps an HTTP status to an error. It only ever issues the non-billable GETs that list
//! connectors and operations, and never follows a redirect (a 3xx is an error naming its Location). It must never
//! log, print or store the token: the token lives in a sensitive header value, no error or `Debug` output contains
//! it, and every message a server sends is redacted ([`Token::redact`]) before it goes into an error.

pub mod call;
mod limit;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::header::{AUTHORIZATION, HeaderValue};
use reqwest::{StatusCode, Url};
use serde_json::Value;

use crate::excerpt::{MAX_QUOTED_CHARS, cut};

pub use limit::{RATE_LIMIT_RANGE, RateLimiter, parse_rate_limit, validate_rate_limit};

/// Tray's regions and their API hosts.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    serde::Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Region {
    Us,
    Eu1,
    Ap1,
}

impl Region {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn base_url(self) -> &'static str {
        match self {
            Region::Us => "https://api.tray.io",
            Region::Eu1 => "https://api.eu1.tray.io",
            Region::Ap1 => "https://api.ap1.tray.io",
        }
    }
}

/// An API token. It prints as `***` so that no `Debug` or log line can leak it.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    /// Accepts a token as read from the environment or a file (surrounding whitespace removed).
    pub fn new(raw: &str) -> Result<Token, ApiError> {
        let token = raw.trim();
        if token.is_empty() {
            return Err(ApiError::Config("the API token is empty".into()));
        }
        if token.bytes().any(|b| !(0x21..=0x7e).contains(&b)) {
            return Err(ApiError::Config(
                "the API token contains spaces or characters that cannot go in an HTTP header"
                    .into(),
            ));
        }
        Ok(Token(token.to_owned()))
    }

    /// `text` with this token, and whatever follows a `Bearer`, replaced by `***`: for messages a server sends back,
    /// which may quote the request's Authorization header.
    pub fn redact(&self, text: &str) -> String {
        redact_bearer(&text.replace(&self.0, "***"))
    }

    fn header(&self) -> HeaderValue {
        let mut value = HeaderValue::from_str(&format!("Bearer {}", self.0))
            .unwrap_or_else(|_| HeaderValue::from_static("Bearer invalid"));
        value.set_sensitive(true);
        value
    }
}

/// Replaces the credential after every `Bearer` (any case, then whitespace) with `***`.
fn redact_bearer(text: &str) -> String {
    const WORD: &str = "bearer";
    // ASCII lowercasing keeps every byte where it was, so offsets found in `lower` hold in `text`.
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut from = 0;
    while let Some(found) = lower[from..].find(WORD) {
        let after_word = from + found + WORD.len();
        let credential = after_word
            + text[after_word..]
                .find(|c: char| !c.is_whitespace())
                .unwrap_or(text.len() - after_word);
        let end = credential
            + text[credential..]
                .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ','))
                .unwrap_or(text.len() - credential);
        if credential > after_word && end > credential && &text[credential..end] != "***" {
            out.push_str(&text[copied..credential]);
            out.push_str("***");
            copied = end;
        }
        from = end.max(after_word);
    }
    out.push_str(&text[copied..]);
    out
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(***)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Config(String),
    #[error(
        "GET {url}: HTTP {status}: {message} — the token was refused; check TRAY_TOKEN or --token-file and the region"
    )]
    Unauthorized {
        url: String,
        status: u16,
        message: String,
    },
    #[error("GET {url}: HTTP 404: {message}")]
    NotFound { url: String, message: String },
    #[error(
        "GET {url}: HTTP {status}, a redirect to {location}; trayscope does not follow redirects (the data would come \
         from another address than the one given): point --api-url at the final address"
    )]
    Redirect {
        url: String,
        status: u16,
        location: String,
    },
    #[error(
        "connector {what} {value:?} cannot be requested: a URL path segment that is empty or only `.` or `..` is \
         dropped or climbs a level when the URL is normalised (percent-encoded too), so the request would reach \
         another endpoint"
    )]
    Unaddressable { what: &'static str, value: String },
    #[error("GET {url}: HTTP {status}: {message}{}", attempts_note(*attempts))]
    Status {
        url: String,
        status: u16,
        message: String,
        attempts: u32,
    },
    #[error("GET {url}: {error}{}", attempts_note(*attempts))]
    Transport {
        url: String,
        error: String,
        attempts: u32,
    },
    #[error("GET {url}: the response body is larger than {limit} bytes (raise --max-response-mb)")]
    TooLarge { url: String, limit: u64 },
    #[error("GET {url}: the body is not valid JSON: {error}{}", attempts_note(*attempts))]
    BadJson {
        url: String,
        error: String,
        attempts: u32,
    },
}

fn attempts_note(attempts: u32) -> String {
    if attempts > 1 {
        format!(" (gave up after {attempts} attempts)")
    } else {
        String::new()
    }
}

/// How the client paces and retries.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Requests per second, for all requests together.
    pub rate_limit: f64,
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    /// First retry delay; each further retry doubles it, up to `backoff_max`, with jitter.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// Whole-request timeout (connect, headers and body).
    pub timeout: Duration,
    pub max_body_bytes: u64,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            rate_limit: 25.0,
            max_attempts: 6,
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            timeout: Duration::from_secs(60),
            max_body_bytes: 64 << 20,
        }
    }
}

/// Requests sent and retries made, shared by every clone of a client.
#[derive(Debug, Default)]
pub struct Counters {
    pub requests: AtomicU64,
    pub retries: AtomicU64,
}

/// A Tray Core API client for one base URL and token.
#[derive(Debug, Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    base: Url,
    credentials: Arc<Credentials>,
    limiter: Arc<RateLimiter>,
    options: ClientOptions,
    counters: Arc<Counters>,
}

/// The token, and the header that carries it (marked sensitive), shared by every clone of a client.
#[derive(Debug)]
struct Credentials {
    token: Token,
    header: HeaderValue,
}

/// Escapes one path segment: everything but unreserved characters.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Checks an `--api-url`: https anywhere, plain http only on a loopback host (tests, local fakes).
pub fn parse_base_url(text: &str) -> Result<Url, ApiError> {
    let url = Url::parse(text)
        .map_err(|e| ApiError::Config(format!("--api-url {text:?} is not a URL: {e}")))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(ApiError::Config(format!(
                "--api-url {text}: plain http is accepted only for loopback hosts (localhost, 127.0.0.1, ::1); \
                 use https so the token is not sent in the clear"
            )));
        }
        other => {
            return Err(ApiError::Config(format!(
                "--api-url {text}: scheme {other:?} is not supported (use https)"
            )));
        }
    }
    if url.host().is_none() {
        return Err(ApiError::Config(format!("--api-url {text}: no host")));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ApiError::Config(format!(
            "--api-url {}: must not carry credentials",
            url.origin().ascii_serialization()
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        // The API's paths are appended to the base URL's path: after a `?` or `#` they would not be a path at all.
        return Err(ApiError::Config(format!(
            "--api-url {}{}: must not carry a query (`?…`) or a fragment (`#…`); give the base address only",
            url.origin().ascii_serialization(),
            url.path()
        )));
    }
    Ok(url)
}

impl ApiClient {
    pub fn new(base: Url, token: &Token, options: ClientOptions) -> Result<ApiClient, ApiError> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("trayscope/", env!("CARGO_PKG_VERSION")))
            .timeout(options.timeout)
            .connect_timeout(options.timeout.min(Duration::from_secs(15)))
            // A redirect would take the crawl to data from another address (without the token on a host change,
            // over plain http even): a 3xx is an error instead, see `get_once`.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ApiError::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(ApiClient {
            http,
            base,
            credentials: Arc::new(Credentials {
                token: token.clone(),
                header: token.header(),
            }),
            limiter: Arc::new(RateLimiter::new(options.rate_limit)),
            options,
            counters: Arc::new(Counters::default()),
        })
    }

    pub fn base(&self) -> &Url {
        &self.base
    }

    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// `text` with this client's token, and any `Bearer` credential, replaced by `***` ([`Token::redact`]).
    pub fn redact(&self, text: &str) -> String {
        self.credentials.token.redact(text)
    }

    /// The URL of `/core/v1/<segments...>`, each segment escaped.
    pub fn url(&self, segments: &[&str]) -> String {
        let mut url = self.base.as_str().trim_end_matches('/').to_owned();
        url.push_str("/core/v1");
        for segment in segments {
            url.push('/');
            url.extend(utf8_percent_encode(segment, SEGMENT));
        }
        url
    }

    /// `GET /core/v1/connectors`.
    pub async fn list_connectors(&self) -> Result<(String, Value), ApiError> {
        let url = self.url(&["connectors"]);
        let body = self.get_json(&url).await?;
        Ok((url, body))
    }

    /// `GET /core/v1/connectors/{name}/versions/{version}/operations`.
    pub async fn list_operations(
        &self,
        name: &str,
        version: &str,
    ) -> Result<(String, Value), ApiError> {
        addressable("name", name)?;
        addressable("version", version)?;
        let url = self.url(&["connectors", name, "versions", version, "operations"]);
        let body = self.get_json(&url).await?;
        Ok((url, body))
    }

    /// GETs `url` and parses its JSON body, retrying what a long crawl meets: 429, 5xx, timeouts, dropped
    /// connections and bodies cut short.
    pub async fn get_json(&self, url: &str) -> Result<Value, ApiError> {
        let mut attempt = 1;
        loop {
            self.limiter.acquire().await;
            self.counters.requests.fetch_add(1, Ordering::Relaxed);
            let outcome = self.get_once(url, attempt).await;
            match outcome {
                Ok(value) => return Ok(value),
                Err(Failure::Fatal(e)) => return Err(e),
                Err(Failure::Retry { error, throttled }) => {
                    if attempt >= self.options.max_attempts {
                        return Err(error);
                    }
                    let delay = self.backoff(attempt);
                    tracing::debug!(%url, attempt, ?delay, reason = %error, "retrying");
                    if throttled {
                        // Tray says 429 without Retry-After: slow every request down, not just this one.
                        self.limiter.pause(delay);
                    }
                    self.counters.retries.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
            }
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .options
            .backoff_base
            .saturating_mul(1u32 << (attempt - 1).min(16))
            .min(self.options.backoff_max);
        // "Equal jitter": half fixed, half random, so retries spread out but never collapse to zero.
        let half = exp / 2;
        half + half.mul_f64(fastrand::f64())
    }

    async fn get_once(&self, url: &str, attempt: u32) -> Result<Value, Failure> {
        let transport = |e: reqwest::Error| {
            let error = if e.is_timeout() {
                "timed out".to_owned()
            } else {
                self.credentials.token.redact(&error_chain(&e))
            };
            Failure::Retry {
                error: ApiError::Transport {
                    url: url.to_owned(),
                    error,
                    attempts: attempt,
                },
                throttled: false,
            }
        };
        let response = self
            .http
            .get(url)
            .header(AUTHORIZATION, self.credentials.header.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(transport)?;
        let status = response.status();
        if status.is_redirection() {
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .map_or("nowhere (no Location header)".into(), |v| {
                    String::from_utf8_lossy(v.as_bytes()).into_owned()
                });
            return Err(Failure::Fatal(ApiError::Redirect {
                url: url.to_owned(),
                status: status.as_u16(),
                location: cut(&self.credentials.token.redact(&location), MAX_QUOTED_CHARS)
                    .into_owned(),
            }));
        }
        if let Some(length) = response.content_length()
            && length > self.options.max_body_bytes
        {
            return Err(Failure::Fatal(ApiError::TooLarge {
                url: url.to_owned(),
                limit: self.options.max_body_bytes,
            }));
        }
        let mut response = response;
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if body.len() as u64 + chunk.len() as u64 > self.options.max_body_bytes {
                return Err(Failure::Fatal(ApiError::TooLarge {
                    url: url.to_owned(),
                    limit: self.options.max_body_bytes,
                }));
            }
            body.extend_from_slice(&chunk);
        }
        if !status.is_success() {
            let message = server_message(&body, &self.credentials.token);
            return Err(classify_status(url, status, message, attempt));
        }
        serde_json::from_slice(&body).map_err(|e| Failure::Retry {
            // A body that does not parse is most often one cut short: worth another try.
            error: ApiError::BadJson {
                url: url.to_owned(),
                error: self.credentials.token.redact(&e.to_string()),
                attempts: attempt,
            },
            throttled: false,
        })
    }
}

enum Failure {
    Retry { error: ApiError, throttled: bool },
    Fatal(ApiError),
}

/// A name or version that cannot be one path segment of a URL: the URL parser drops or climbs over `.` and `..`
/// (and their percent-encodings `%2E`, `%2e%2E`, …), and an empty segment would address the list itself.
fn addressable(what: &'static str, value: &str) -> Result<(), ApiError> {
    let dots = |s: &str| s.replace("%2e", ".").replace("%2E", ".");
    match dots(value).as_str() {
        "" | "." | ".." => Err(ApiError::Unaddressable {
            what,
            value: value.to_owned(),
        }),
        _ => Ok(()),
    }
}

/// The one mapping from an HTTP status to an error, and whether it is worth retrying.
fn classify_status(url: &str, status: StatusCode, message: String, attempts: u32) -> Failure {
    let url = url.to_owned();
    match status.as_u16() {
        401 | 403 => Failure::Fatal(ApiError::Unauthorized {
            url,
            status: status.as_u16(),
            message,
        }),
        404 => Failure::Fatal(ApiError::NotFound { url, message }),
        429 => Failure::Retry {
            error: ApiError::Status {
                url,
                status: 429,
                message,
                attempts,
            },
            throttled: true,
        },
        code @ (408 | 500..=599) => Failure::Retry {
            error: ApiError::Status {
                url,
                status: code,
                message,
                attempts,
            },
            throttled: false,
        },
        code => Failure::Fatal(ApiError::Status {
            url,
            status: code,
            message,
            attempts,
        }),
    }
}

/// What a server said in an error body, fit to print and store: the token redacted, then cut to length.
fn server_message(body: &[u8], token: &Token) -> String {
    cut(&token.redact(&error_message(body)), MAX_QUOTED_CHARS).into_owned()
}

/// Tray's error bodies are `{"message": "...", "code": ...}`; anything else is shown as text.
fn error_message(body: &[u8]) -> String {
    if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body)
        && let Some(Value::String(message)) = map.get("message")
    {
        return message.clone();
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        "(empty body)".into()
    } else {
        text.to_owned()
    }
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_only_for_loopback() {
        assert!(parse_base_url("http://127.0.0.1:8080").is_ok());
        assert!(parse_base_url("http://localhost:1/").is_ok());
        assert!(parse_base_url("http://[::1]:9/").is_ok());
        assert!(parse_base_url("https://api.tray.io").is_ok());
        let err = parse_base_url("http://api.tray.io")
            .unwrap_err()
            .to_string();
        assert!(err.contains("loopback"), "{err}");
        assert!(parse_base_url("ftp://api.tray.io").is_err());
        assert!(parse_base_url("not a url").is_err());
        assert!(parse_base_url("https://user:pw@api.tray.io").is_err());
        for odd in [
            "https://api.tray.io/#x",
            "https://api.tray.io#",
            "https://api.tray.io/?",
            "https://api.tray.io/base?a=b",
        ] {
            let err = parse_base_url(odd).unwrap_err().to_string();
            assert!(
                err.contains("query") && err.contains("fragment"),
                "{odd}: {err}"
            );
        }
    }

    #[test]
    fn the_token_and_any_bearer_credential_are_redacted() {
        let token = Token::new("s3cr3t-token").unwrap();
        assert_eq!(
            token.redact("headers: Authorization: Bearer s3cr3t-token, Host: x"),
            "headers: Authorization: Bearer ***, Host: x"
        );
        assert_eq!(
            token.redact("echo s3cr3t-token and BEARER\tother-cred\"} and bearer"),
            "echo *** and BEARER\t***\"} and bearer"
        );
        assert_eq!(
            token.redact("no credential here, bearer of bad news"),
            "no credential here, bearer *** bad news"
        );
        let many = "Bearer x ".repeat(50_000);
        assert_eq!(token.redact(&many), "Bearer *** ".repeat(50_000));
        assert_eq!(
            server_message(br#"{"message": "Bearer s3cr3t-token"}"#, &token),
            "Bearer ***"
        );
        let long = format!(r#"{{"message": "{}"}}"#, "x".repeat(100_000));
        assert_eq!(
            server_message(long.as_bytes(), &token).chars().count(),
            MAX_QUOTED_CHARS + 1
        );
    }

    #[test]
    fn dot_segments_are_refused_not_normalised_away() {
        // The reason: the URL parser resolves dot segments, even percent-encoded ones.
        let parsed =
            Url::parse("http://h/core/v1/connectors/%2E%2E/versions/1.0/operations").unwrap();
        assert_eq!(parsed.path(), "/core/v1/versions/1.0/operations");
        for odd in ["", ".", "..", "%2E", "%2e%2E", ".%2e"] {
            assert!(
                matches!(
                    addressable("name", odd),
                    Err(ApiError::Unaddressable { .. })
                ),
                "{odd:?}"
            );
        }
        for fine in ["...", "a..b", ".hidden", "9.0"] {
            assert!(addressable("name", fine).is_ok(), "{fine:?}");
        }
    }

    #[test]
    fn token_never_shows_in_debug() {
        let token = Token::new("  s3cr3t-token\n").unwrap();
        assert_eq!(format!("{token:?}"), "Token(***)");
        assert!(Token::new("   ").is_err());
        assert!(Token::new("two words").is_err());
    }

    #[test]
    fn path_segments_are_escaped() {
        let client = ApiClient::new(
            Url::parse("http://127.0.0.1:1/base/").unwrap(),
            &Token::new("t").unwrap(),
            ClientOptions::default(),
        )
        .unwrap();
        assert_eq!(
            client.url(&["connectors", "a/b c?%", "versions", "1.0", "operations"]),
            "http://127.0.0.1:1/base/core/v1/connectors/a%2Fb%20c%3F%25/versions/1.0/operations"
        );
    }

    #[test]
    fn statuses_map_to_retry_or_fail() {
        let retry = |code| {
            matches!(
                classify_status("u", StatusCode::from_u16(code).unwrap(), String::new(), 1),
                Failure::Retry { .. }
            )
        };
        assert!(retry(429) && retry(500) && retry(502) && retry(503) && retry(408));
        assert!(!retry(401) && !retry(403) && !retry(404) && !retry(400));
    }

    #[test]
    fn error_message_prefers_trays_message_field() {
        assert_eq!(
            error_message(br#"{"message":"Unknown connector","code":null}"#),
            "Unknown connector"
        );
        assert_eq!(error_message(b""), "(empty body)");
        assert_eq!(error_message(b"<html>oops</html>"), "<html>oops</html>");
        assert_eq!(
            server_message(b"<html>oops</html>", &Token::new("t0k").unwrap()),
            "<html>oops</html>"
        );
    }
}
