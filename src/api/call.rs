//! Tray's Call Connector endpoint, `POST /core/v1/connectors/{name}/versions/{version}/call`: the only request
//! trayscope makes that Tray bills (one task per call) and that acts in the world (it sends the Slack message).
//!
//! So its retry rule is the opposite of the crawl's: a request is retried only when it certainly did not run — a
//! 429 (Tray refused it before running it) or a connection that could not be opened (nothing was sent). A 5xx, a
//! timeout, a connection lost after sending, or an answer cut short may mean the call ran: it is reported as such
//! and never repeated. The token never appears in an error; the body is never logged (it holds the user's data).

use std::sync::atomic::Ordering;

use reqwest::StatusCode;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use serde::Serialize;
use serde_json::Value;

use super::{ApiClient, error_chain, error_message};

/// The body Tray expects: `{"operation", "authId", "input", "returnOutputSchema"}`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallBody<'a> {
    pub operation: &'a str,
    pub auth_id: &'a str,
    pub input: &'a Value,
    pub return_output_schema: bool,
}

const MAY_HAVE_RUN: &str = "the call may have run (and been billed): check the connector's side, or the \
                            workflow logs in Tray, before calling again; trayscope does not retry it";

/// Why a call brought back no answer to show. [`CallError::ran`] says whether it may have run.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error(
        "POST {url}: HTTP {status}: {message} — the token was refused; check TRAY_TOKEN or --token-file and the region"
    )]
    Refused {
        url: String,
        status: u16,
        message: String,
    },
    #[error(
        "POST {url}: HTTP 404: {message} — Tray does not know this connector or version (crawl again to see the \
         current catalog); the call did not run"
    )]
    NotFound { url: String, message: String },
    #[error(
        "POST {url}: HTTP {status}: {message} — Tray refused the request; the call did not run"
    )]
    Rejected {
        url: String,
        status: u16,
        message: String,
    },
    #[error(
        "POST {url}: HTTP 429 on each of {attempts} attempts (Tray's rate limit) — the call did not run; try again \
         later or raise --max-attempts"
    )]
    Throttled { url: String, attempts: u32 },
    #[error("POST {url}: could not connect: {error} ({attempts} attempts) — nothing was sent")]
    NotSent {
        url: String,
        error: String,
        attempts: u32,
    },
    #[error("POST {url}: {what} — {MAY_HAVE_RUN}")]
    MayHaveRun { url: String, what: String },
}

impl CallError {
    /// The same error with `redact` applied to every text that came from the server or the connection (a server
    /// may quote the Authorization header back).
    fn redacted(self, redact: impl Fn(&str) -> String) -> CallError {
        match self {
            CallError::Refused {
                url,
                status,
                message,
            } => CallError::Refused {
                url,
                status,
                message: redact(&message),
            },
            CallError::NotFound { url, message } => CallError::NotFound {
                url,
                message: redact(&message),
            },
            CallError::Rejected {
                url,
                status,
                message,
            } => CallError::Rejected {
                url,
                status,
                message: redact(&message),
            },
            CallError::NotSent {
                url,
                error,
                attempts,
            } => CallError::NotSent {
                url,
                error: redact(&error),
                attempts,
            },
            CallError::MayHaveRun { url, what } => CallError::MayHaveRun {
                url,
                what: redact(&what),
            },
            throttled @ CallError::Throttled { .. } => throttled,
        }
    }

    /// Whether the call may have run (and been billed).
    pub fn ran(&self) -> bool {
        matches!(self, CallError::MayHaveRun { .. })
    }

    /// Tray looked at the request and refused it (400 and other 4xx but 401, 403, 404, 429): the input or the auth
    /// id is wrong, not trayscope's connection.
    pub fn is_rejection(&self) -> bool {
        matches!(self, CallError::Rejected { .. })
    }
}

impl ApiClient {
    /// `POST /core/v1/connectors/{name}/versions/{version}/call` with `body`; Tray's whole answer (`{"outcome",
    /// "output", …}`) as JSON. Retries only a 429 or a connection that could not be opened, each with backoff.
    pub async fn call_connector(
        &self,
        name: &str,
        version: &str,
        body: &CallBody<'_>,
    ) -> Result<Value, CallError> {
        let url = self.url(&["connectors", name, "versions", version, "call"]);
        let bytes = serde_json::to_vec(body).map_err(|e| CallError::MayHaveRun {
            url: url.clone(),
            what: format!("the body could not be written: {e}"),
        })?;
        let mut attempt = 1;
        loop {
            self.limiter.acquire().await;
            self.counters.requests.fetch_add(1, Ordering::Relaxed);
            let retry = match self.post_once(&url, &bytes, attempt).await {
                Ok(answer) => return Ok(answer),
                Err(Attempt::Final(error)) => return Err(error),
                Err(Attempt::Again { error, throttled }) => {
                    if attempt >= self.options.max_attempts {
                        return Err(error);
                    }
                    throttled
                }
            };
            let delay = self.backoff(attempt);
            tracing::info!(%url, attempt, ?delay, throttled = retry, "the call did not run; trying again");
            if retry {
                self.limiter.pause(delay);
            }
            self.counters.retries.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    /// One POST; every text in its error passed through [`ApiClient::redact`].
    async fn post_once(&self, url: &str, body: &[u8], attempt: u32) -> Result<Value, Attempt> {
        self.post_unredacted(url, body, attempt)
            .await
            .map_err(|a| a.redacted(|t| self.redact(t)))
    }

    async fn post_unredacted(
        &self,
        url: &str,
        body: &[u8],
        attempt: u32,
    ) -> Result<Value, Attempt> {
        let sent = self
            .http
            .post(url)
            .header(AUTHORIZATION, self.credentials.header.clone())
            .header(ACCEPT, "application/json")
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_vec())
            .send()
            .await;
        let mut response = match sent {
            Ok(response) => response,
            // A connection that was never opened carried nothing: safe to try again.
            Err(e) if e.is_connect() => {
                return Err(Attempt::Again {
                    error: CallError::NotSent {
                        url: url.to_owned(),
                        error: error_chain(&e),
                        attempts: attempt,
                    },
                    throttled: false,
                });
            }
            Err(e) => {
                let what = if e.is_timeout() {
                    format!(
                        "no answer within --timeout {} s",
                        self.options.timeout.as_secs()
                    )
                } else {
                    format!(
                        "the connection failed after the request was sent: {}",
                        error_chain(&e)
                    )
                };
                return Err(Attempt::Final(CallError::MayHaveRun {
                    url: url.to_owned(),
                    what,
                }));
            }
        };
        let status = response.status();
        let limit = self.options.max_body_bytes;
        let mut answer = Vec::new();
        let mut cut = None;
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if answer.len() as u64 + chunk.len() as u64 > limit {
                        cut = Some(format!(
                            "the answer is larger than {limit} bytes (raise --max-response-mb)"
                        ));
                        break;
                    }
                    answer.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => {
                    cut = Some(if e.is_timeout() {
                        format!(
                            "the answer did not arrive within --timeout {} s",
                            self.options.timeout.as_secs()
                        )
                    } else {
                        format!("the answer was cut short: {}", error_chain(&e))
                    });
                    break;
                }
            }
        }
        classify(url, status, &answer, cut, attempt)
    }
}

enum Attempt {
    /// Certainly did not run: worth another attempt.
    Again {
        error: CallError,
        throttled: bool,
    },
    Final(CallError),
}

impl Attempt {
    fn redacted(self, redact: impl Fn(&str) -> String) -> Attempt {
        match self {
            Attempt::Again { error, throttled } => Attempt::Again {
                error: error.redacted(redact),
                throttled,
            },
            Attempt::Final(error) => Attempt::Final(error.redacted(redact)),
        }
    }
}

/// The one mapping from a call's HTTP status to its verdict.
fn classify(
    url: &str,
    status: StatusCode,
    answer: &[u8],
    cut: Option<String>,
    attempts: u32,
) -> Result<Value, Attempt> {
    let url = url.to_owned();
    let final_error = |error| Err(Attempt::Final(error));
    match status.as_u16() {
        200..=299 => {
            if let Some(what) = cut {
                return final_error(CallError::MayHaveRun { url, what });
            }
            serde_json::from_slice(answer).or_else(|e| {
                final_error(CallError::MayHaveRun {
                    url,
                    what: format!("HTTP {}, but the answer is not JSON: {e}", status.as_u16()),
                })
            })
        }
        429 => Err(Attempt::Again {
            error: CallError::Throttled { url, attempts },
            throttled: true,
        }),
        401 | 403 => final_error(CallError::Refused {
            url,
            status: status.as_u16(),
            message: error_message(answer),
        }),
        404 => final_error(CallError::NotFound {
            url,
            message: error_message(answer),
        }),
        code @ 500..=599 => final_error(CallError::MayHaveRun {
            url,
            what: format!("HTTP {code}: {}", error_message(answer)),
        }),
        code => final_error(CallError::Rejected {
            url,
            status: code,
            message: error_message(answer),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(code: u16, body: &[u8]) -> Result<Value, Attempt> {
        classify("u", StatusCode::from_u16(code).unwrap(), body, None, 1)
    }

    #[test]
    fn only_what_certainly_did_not_run_is_retried() {
        assert!(matches!(
            verdict(429, b""),
            Err(Attempt::Again {
                throttled: true,
                ..
            })
        ));
        for code in [500, 502, 503, 504] {
            match verdict(code, br#"{"message":"boom"}"#) {
                Err(Attempt::Final(e)) => assert!(e.ran(), "{code}: {e}"),
                _ => panic!("{code} must not be retried"),
            }
        }
        for code in [400, 401, 403, 404, 422] {
            match verdict(code, b"") {
                Err(Attempt::Final(e)) => assert!(!e.ran(), "{code}: {e}"),
                _ => panic!("{code} must not be retried"),
            }
        }
    }

    #[test]
    fn a_cut_or_unreadable_answer_may_have_run() {
        let cut = classify("u", StatusCode::OK, b"{\"outc", Some("cut".into()), 1);
        assert!(matches!(
            cut,
            Err(Attempt::Final(CallError::MayHaveRun { .. }))
        ));
        let garbled = verdict(200, b"{\"outcome\": ");
        match garbled {
            Err(Attempt::Final(e)) => {
                assert!(e.to_string().contains("may have run"), "{e}");
            }
            _ => panic!("a body that is not JSON is not an answer"),
        }
        assert_eq!(
            verdict(200, br#"{"outcome":"success","output":{}}"#).ok(),
            Some(serde_json::json!({"outcome": "success", "output": {}}))
        );
    }

    #[test]
    fn the_body_has_trays_shape() {
        let input = serde_json::json!({"channel": "C1"});
        let body = CallBody {
            operation: "send_message",
            auth_id: "a1",
            input: &input,
            return_output_schema: false,
        };
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            serde_json::json!({"operation": "send_message", "authId": "a1", "input": {"channel": "C1"},
                               "returnOutputSchema": false})
        );
    }
}
