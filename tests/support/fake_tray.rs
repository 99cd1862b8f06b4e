//! A fake Tray Core API: a real HTTP/1.1 server on 127.0.0.1 (random port) serving a catalog in the API's shapes,
//! checking the Bearer token, with injectable faults (429 bursts, 5xx, slow answers, bodies cut in half, dropped
//! connections, 404s, `pageInfo.hasNextPage`, redirects, error bodies that echo the Authorization header, requests
//! held until the test releases them) and an optional Tray-like rate limit (30/s, bursts to 50).
//!
//! Shared by the integration tests (`tests/it`) and the crawl benchmark (`benches/crawl.rs`). It runs on its own
//! runtime in a background thread, so blocking tests (running the real binary) can use it.

#![allow(dead_code)]

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, StreamBody, combinators::BoxBody};
use hyper::body::Frame;
use hyper::{Request, Response, StatusCode};
use serde_json::{Value, json};

/// The catalog a fake serves: response bodies by path, as Tray would send them.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub connectors: Value,
    /// (name, version) → body of the operations endpoint.
    pub operations: HashMap<(String, String), Value>,
}

impl Catalog {
    /// Reads a catalog in the directory layout (`connectors.json`, `operations/<name>/<version>.json`), the file
    /// names escaped as trayscope escapes them.
    pub fn from_dir(root: &Path) -> Catalog {
        let read = |p: &Path| -> Value {
            serde_json::from_slice(
                &std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())),
            )
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        };
        let connectors = read(&root.join("connectors.json"));
        let mut operations = HashMap::new();
        for element in connectors["elements"].as_array().expect("elements") {
            let name = element["name"].as_str().expect("name").to_owned();
            let version = element["version"].as_str().expect("version").to_owned();
            let path = root
                .join("operations")
                .join(escape_segment(&name))
                .join(format!("{}.json", escape_segment(&version)));
            if path.exists() {
                operations.insert((name, version), read(&path));
            }
        }
        Catalog {
            connectors,
            operations,
        }
    }
}

/// Same escaping as `trayscope::source::file_segment` (kept separate so the fake does not trust the code under test).
pub fn escape_segment(text: &str) -> String {
    if text.is_empty() || text.bytes().all(|b| b == b'.') {
        return text.bytes().map(|b| format!("%{b:02X}")).collect();
    }
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn unescape(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(hex) = std::str::from_utf8(&bytes[i + 1..i + 3])
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Which requests a fault applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Any,
    Listing,
    AnyOperations,
    Operations(String, String),
}

/// What goes wrong.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// Answer with this status and a Tray error body.
    Status(u16),
    /// Wait this long before answering (longer than the client's timeout = a timeout).
    Slow(Duration),
    /// A complete HTTP response whose JSON body is cut in half.
    TruncatedJson,
    /// Headers announce the full length, half the body is sent, then the connection is closed.
    CutConnection,
    /// The connection is closed before any response.
    Drop,
    /// Add `pageInfo: {hasNextPage: true}` to the body.
    NextPage,
    /// Answer with this status and a Tray error body carrying this message.
    Message(u16, String),
    /// Answer with this 3xx status and `Location` (absolute, or a path on this server).
    Redirect(u16, String),
    /// Answer with this status and an error body that quotes the request's Authorization header back, as a careless
    /// server or proxy might.
    EchoAuthorization(u16),
    /// Hold the request (no answer) until [`FakeTray::release`], then answer normally: a crawl the test keeps open
    /// for as long as it needs, without sleeping.
    Hold,
}

#[derive(Debug, Clone)]
struct Rule {
    target: Target,
    fault: Fault,
    remaining: u32,
}

/// A Tray-like server-side rate limit: a token bucket.
#[derive(Debug)]
struct Bucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    at: Instant,
}

#[derive(Debug)]
struct State {
    catalog: Mutex<Catalog>,
    token: String,
    latency: Duration,
    rules: Mutex<Vec<Rule>>,
    bucket: Option<Mutex<Bucket>>,
    requests: AtomicU64,
    throttled: AtomicU64,
    in_flight: AtomicU64,
    max_in_flight: AtomicU64,
    paths: Mutex<Vec<String>>,
    /// Requests currently held by [`Fault::Hold`].
    held: AtomicU64,
    /// Becomes true once: every held request goes on.
    release: tokio::sync::watch::Sender<bool>,
    calls: CallLog,
}

/// A running fake. Dropping it stops the server.
pub struct FakeTray {
    pub addr: SocketAddr,
    state: Arc<State>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// Options for [`FakeTray::start`].
#[derive(Debug, Clone)]
pub struct Options {
    pub token: String,
    /// Added to every answer.
    pub latency: Duration,
    /// (requests per second, burst): answer 429 beyond it, as Tray does.
    pub rate_limit: Option<(f64, f64)>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            token: "test-token".into(),
            latency: Duration::ZERO,
            rate_limit: None,
        }
    }
}

impl FakeTray {
    pub fn start(catalog: Catalog, options: Options) -> FakeTray {
        let state = Arc::new(State {
            catalog: Mutex::new(catalog),
            token: options.token,
            latency: options.latency,
            rules: Mutex::new(Vec::new()),
            bucket: options.rate_limit.map(|(rate, burst)| {
                Mutex::new(Bucket {
                    rate,
                    burst,
                    tokens: burst,
                    at: Instant::now(),
                })
            }),
            requests: AtomicU64::new(0),
            throttled: AtomicU64::new(0),
            in_flight: AtomicU64::new(0),
            max_in_flight: AtomicU64::new(0),
            paths: Mutex::new(Vec::new()),
            held: AtomicU64::new(0),
            release: tokio::sync::watch::channel(false).0,
            calls: CallLog::default(),
        });
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (shutdown_tx, mut shutdown_rx) = tokio::sync::oneshot::channel::<()>();
        let server_state = state.clone();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind");
                addr_tx
                    .send(listener.local_addr().expect("addr"))
                    .expect("send addr");
                loop {
                    tokio::select! {
                        _ = &mut shutdown_rx => break,
                        accepted = listener.accept() => {
                            let Ok((stream, _)) = accepted else { continue };
                            let state = server_state.clone();
                            tokio::spawn(async move {
                                let io = hyper_util::rt::TokioIo::new(stream);
                                let service = hyper::service::service_fn(move |req| {
                                    let state = state.clone();
                                    async move { handle(state, req).await }
                                });
                                let _ = hyper::server::conn::http1::Builder::new()
                                    .keep_alive(true)
                                    .serve_connection(io, service)
                                    .await;
                            });
                        }
                    }
                }
            });
        });
        let addr = addr_rx.recv().expect("server address");
        FakeTray {
            addr,
            state,
            shutdown: Some(shutdown_tx),
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn token(&self) -> &str {
        &self.state.token
    }

    /// Makes the next `times` matching requests fail with `fault`. Rules apply in the order added.
    pub fn fault(&self, target: Target, fault: Fault, times: u32) {
        self.state.rules.lock().unwrap().push(Rule {
            target,
            fault,
            remaining: times,
        });
    }

    pub fn set_catalog(&self, catalog: Catalog) {
        *self.state.catalog.lock().unwrap() = catalog;
    }

    pub fn requests(&self) -> u64 {
        self.state.requests.load(Ordering::SeqCst)
    }

    /// Waits until the server has had `n` requests (a background run is under way), at most 30 s. Returns whether it
    /// got there.
    pub fn wait_for_requests(&self, n: u64) -> bool {
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.requests() < n && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        self.requests() >= n
    }

    /// Waits until `n` requests are being held by [`Fault::Hold`], at most 30 s. Returns whether it got there.
    pub fn wait_for_held(&self, n: u64) -> bool {
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.state.held.load(Ordering::SeqCst) < n && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        self.state.held.load(Ordering::SeqCst) >= n
    }

    /// Lets every request held by [`Fault::Hold`] (now or later) go on.
    pub fn release(&self) {
        self.state.release.send_replace(true);
    }

    /// Requests answered 429 by the server-side rate limit (not by injected faults).
    pub fn throttled(&self) -> u64 {
        self.state.throttled.load(Ordering::SeqCst)
    }

    pub fn max_in_flight(&self) -> u64 {
        self.state.max_in_flight.load(Ordering::SeqCst)
    }

    /// Every path requested so far, as sent (still escaped).
    pub fn paths(&self) -> Vec<String> {
        self.state.paths.lock().unwrap().clone()
    }
}

impl Drop for FakeTray {
    fn drop(&mut self) {
        self.release();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

type Body = BoxBody<Bytes, std::io::Error>;

fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never: Infallible| match never {})
        .boxed()
}

fn json_response(status: StatusCode, value: &Value) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(full(serde_json::to_vec(value).unwrap()))
        .unwrap()
}

fn error_response(status: u16, message: &str) -> Response<Body> {
    json_response(
        StatusCode::from_u16(status).unwrap(),
        &json!({"message": message, "code": null}),
    )
}

struct InFlight<'a>(&'a State);
impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn handle(
    state: Arc<State>,
    req: Request<hyper::body::Incoming>,
) -> Result<Response<Body>, std::io::Error> {
    state.requests.fetch_add(1, Ordering::SeqCst);
    let now = state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    state.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let _guard = InFlight(&state);
    let path = req.uri().path().to_owned();
    state.paths.lock().unwrap().push(path.clone());
    if req.method() == hyper::Method::POST {
        return Ok(handle_call(&state, req, &path).await);
    }

    if let Some(bucket) = &state.bucket {
        let mut b = bucket.lock().unwrap();
        let elapsed = b.at.elapsed().as_secs_f64();
        b.tokens = (b.tokens + elapsed * b.rate).min(b.burst);
        b.at = Instant::now();
        if b.tokens < 1.0 {
            state.throttled.fetch_add(1, Ordering::SeqCst);
            return Ok(error_response(429, "Too many requests"));
        }
        b.tokens -= 1.0;
    }
    if !state.latency.is_zero() {
        tokio::time::sleep(state.latency).await;
    }
    let expected = format!("Bearer {}", state.token);
    let authorization = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if authorization.as_deref() != Some(expected.as_str()) {
        return Ok(error_response(401, "Unauthorized"));
    }
    if req.method() != hyper::Method::GET {
        return Ok(error_response(405, "Method not allowed"));
    }

    let segments: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(unescape)
        .collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let (target, body) = {
        let catalog = state.catalog.lock().unwrap();
        match segments.as_slice() {
            ["core", "v1", "connectors"] => (Target::Listing, Some(catalog.connectors.clone())),
            [
                "core",
                "v1",
                "connectors",
                name,
                "versions",
                version,
                "operations",
            ] => (
                Target::Operations((*name).to_owned(), (*version).to_owned()),
                catalog
                    .operations
                    .get(&((*name).to_owned(), (*version).to_owned()))
                    .cloned(),
            ),
            _ => return Ok(error_response(404, "Not found")),
        }
    };

    let fault = {
        let mut rules = state.rules.lock().unwrap();
        let hit = rules.iter_mut().find(|r| {
            r.remaining > 0
                && match &r.target {
                    Target::Any => true,
                    Target::Listing => target == Target::Listing,
                    Target::AnyOperations => matches!(target, Target::Operations(..)),
                    t => *t == target,
                }
        });
        hit.map(|r| {
            r.remaining -= 1;
            r.fault.clone()
        })
    };

    let Some(mut body) = body else {
        return Ok(error_response(404, "Connector or version not found"));
    };
    match fault {
        None => Ok(json_response(StatusCode::OK, &body)),
        Some(Fault::Status(code)) => Ok(error_response(code, "Injected failure")),
        Some(Fault::Slow(delay)) => {
            tokio::time::sleep(delay).await;
            Ok(json_response(StatusCode::OK, &body))
        }
        Some(Fault::Message(code, message)) => Ok(error_response(code, &message)),
        Some(Fault::Redirect(code, location)) => Ok(Response::builder()
            .status(code)
            .header("location", location)
            .body(full(Vec::new()))
            .unwrap()),
        Some(Fault::EchoAuthorization(code)) => Ok(error_response(
            code,
            &format!(
                "Bad request; headers were: Authorization: {}",
                authorization.unwrap_or_default()
            ),
        )),
        Some(Fault::Hold) => {
            let mut release = state.release.subscribe();
            state.held.fetch_add(1, Ordering::SeqCst);
            let _ = release.wait_for(|released| *released).await;
            state.held.fetch_sub(1, Ordering::SeqCst);
            Ok(json_response(StatusCode::OK, &body))
        }
        Some(Fault::NextPage) => {
            body["pageInfo"] = json!({"hasNextPage": true, "endCursor": "abc"});
            Ok(json_response(StatusCode::OK, &body))
        }
        Some(Fault::TruncatedJson) => {
            let bytes = serde_json::to_vec(&body).unwrap();
            let half = bytes[..bytes.len() / 2].to_vec();
            Ok(Response::builder()
                .status(200)
                .header("content-type", "application/json")
                .body(full(half))
                .unwrap())
        }
        Some(Fault::CutConnection) => {
            let bytes = serde_json::to_vec(&body).unwrap();
            let total = bytes.len();
            let half = Bytes::from(bytes[..total / 2].to_vec());
            let chunks: Vec<Result<Frame<Bytes>, std::io::Error>> = vec![
                Ok(Frame::data(half)),
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "injected cut",
                )),
            ];
            let stream = futures_util::stream::iter(chunks);
            Ok(Response::builder()
                .status(200)
                .header("content-type", "application/json")
                .header("content-length", total.to_string())
                .body(BodyExt::boxed(StreamBody::new(stream)))
                .unwrap())
        }
        // An error from the service makes hyper close the connection without writing a response.
        Some(Fault::Drop) => Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "injected drop",
        )),
    }
}

// ---- Call Connector: POST /core/v1/connectors/{name}/versions/{version}/call ----
//
// Records every POST (so tests can say what was and was not sent), checks the token (401), the connector version
// (404) and the body's shape (400), and answers `{"outcome": "success", "output": …}` unless a [`CallFault`] says
// otherwise. It validates no input: that is trayscope's job, and `--no-validate` must be able to get past it.

/// One POST the fake received.
#[derive(Debug, Clone)]
pub struct ReceivedCall {
    pub path: String,
    /// Whether it carried the right Bearer token.
    pub authorized: bool,
    /// The body as received.
    pub body: String,
    /// The body as JSON, when it was JSON.
    pub json: Option<Value>,
}

/// How the call endpoint misbehaves.
#[derive(Debug, Clone, PartialEq)]
pub enum CallFault {
    /// Answer this status with a Tray error body.
    Status(u16),
    /// Wait this long, then answer a success.
    Slow(Duration),
    /// Announce the whole success body, send half, close the connection.
    CutBody,
    /// HTTP 200 with `{"outcome": "error", "output": {"message": …}}`: the third party failed.
    ErrorOutcome(String),
    /// A success whose `output` is this value.
    Output(Value),
    /// Answer this status with a message that quotes the request's Authorization header back.
    EchoAuthorization(u16),
}

#[derive(Debug, Default)]
struct CallLog {
    received: Mutex<Vec<ReceivedCall>>,
    faults: Mutex<Vec<(CallFault, u32)>>,
}

impl FakeTray {
    /// Makes the next `times` calls (that get past the token, path and body checks) answer with `fault`.
    pub fn call_fault(&self, fault: CallFault, times: u32) {
        self.state.calls.faults.lock().unwrap().push((fault, times));
    }

    /// Every POST received so far, in order.
    pub fn calls(&self) -> Vec<ReceivedCall> {
        self.state.calls.received.lock().unwrap().clone()
    }
}

async fn handle_call(
    state: &State,
    req: Request<hyper::body::Incoming>,
    path: &str,
) -> Response<Body> {
    let expected = format!("Bearer {}", state.token);
    let authorization = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let authorized = authorization.as_deref() == Some(expected.as_str());
    let bytes = match req.into_body().collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => Bytes::new(),
    };
    let body = String::from_utf8_lossy(&bytes).into_owned();
    let json: Option<Value> = serde_json::from_slice(&bytes).ok();
    state.calls.received.lock().unwrap().push(ReceivedCall {
        path: path.to_owned(),
        authorized,
        body,
        json: json.clone(),
    });
    if !authorized {
        return error_response(401, "Unauthorized");
    }
    let segments: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(unescape)
        .collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let [
        "core",
        "v1",
        "connectors",
        name,
        "versions",
        version,
        "call",
    ] = segments.as_slice()
    else {
        return error_response(404, "Not found");
    };
    let operations = state
        .catalog
        .lock()
        .unwrap()
        .operations
        .get(&((*name).to_owned(), (*version).to_owned()))
        .cloned();
    let Some(operations) = operations else {
        return error_response(404, "Connector or version not found");
    };
    let Some(Value::Object(body)) = json else {
        return error_response(400, "The request body must be a JSON object");
    };
    let operation = match (body.get("operation"), body.get("authId"), body.get("input")) {
        (Some(Value::String(op)), Some(Value::String(auth)), Some(Value::Object(_)))
            if !auth.is_empty() =>
        {
            op.clone()
        }
        _ => {
            return error_response(
                400,
                "Expected {\"operation\": string, \"authId\": string, \"input\": object}",
            );
        }
    };
    if body
        .get("returnOutputSchema")
        .is_some_and(|v| !v.is_boolean())
    {
        return error_response(400, "returnOutputSchema must be a boolean");
    }
    let Some(element) = operations["elements"]
        .as_array()
        .and_then(|ops| ops.iter().find(|op| op["name"] == operation.as_str()))
        .cloned()
    else {
        return error_response(400, &format!("Unknown operation {operation}"));
    };
    let fault = {
        let mut faults = state.calls.faults.lock().unwrap();
        faults
            .iter_mut()
            .find(|(_, left)| *left > 0)
            .map(|(fault, left)| {
                *left -= 1;
                fault.clone()
            })
    };
    let mut success = json!({"outcome": "success", "output": {}});
    if body.get("returnOutputSchema") == Some(&Value::Bool(true)) {
        success["outputSchema"] = element["outputSchema"].clone();
    }
    match fault {
        None => json_response(StatusCode::OK, &success),
        Some(CallFault::Status(code)) => error_response(code, "Injected failure"),
        Some(CallFault::EchoAuthorization(code)) => error_response(
            code,
            &format!(
                "Bad request; headers were: Authorization: {}",
                authorization.unwrap_or_default()
            ),
        ),
        Some(CallFault::Slow(delay)) => {
            tokio::time::sleep(delay).await;
            json_response(StatusCode::OK, &success)
        }
        Some(CallFault::ErrorOutcome(message)) => json_response(
            StatusCode::OK,
            &json!({"outcome": "error", "output": {"message": message}}),
        ),
        Some(CallFault::Output(output)) => {
            success["output"] = output;
            json_response(StatusCode::OK, &success)
        }
        Some(CallFault::CutBody) => {
            let bytes = serde_json::to_vec(&success).unwrap();
            let total = bytes.len();
            let half = Bytes::from(bytes[..total / 2].to_vec());
            // Half the body, then one yield (so hyper flushes the headers and that half), then the cut.
            let chunks = futures_util::stream::unfold(0, move |step| {
                let half = half.clone();
                async move {
                    match step {
                        0 => Some((Ok(Frame::data(half)), 1)),
                        1 => {
                            tokio::task::yield_now().await;
                            Some((
                                Err(std::io::Error::new(
                                    std::io::ErrorKind::ConnectionReset,
                                    "injected cut",
                                )),
                                2,
                            ))
                        }
                        _ => None,
                    }
                }
            });
            Response::builder()
                .status(200)
                .header("content-type", "application/json")
                .header("content-length", total.to_string())
                .body(BodyExt::boxed(StreamBody::new(chunks)))
                .unwrap()
        }
    }
}
