//! Integration tests: one binary (link once), a module per command. They run the real `trayscope` binary against
//! real files, a real SQLite database and the fake Tray server in `tests/support/` on 127.0.0.1.

#[path = "../support/fake_tray.rs"]
mod fake_tray;

mod audit;
mod codes;
mod common;
mod crawl;
mod diff;
mod escaping;
mod grammar;
mod help;
mod history;
mod index;
mod nightly;
mod policy;
mod prune;
mod reliability;
mod reports;
mod search;
mod validate;
