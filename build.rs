//! Puts the git commit into `trayscope --version` when the binary is built from a git checkout
//! (`trayscope 0.1.0 (3f2a9c1b7d04 2026-11-30)`); a build from a source archive shows the package version alone.
//! Only the commit is watched, so the crate is rebuilt when HEAD moves, not on every edit.

use std::path::PathBuf;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (!text.is_empty()).then_some(text)
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let Some(commit) = git(&["rev-parse", "--short=12", "HEAD"]) else {
        return;
    };
    // HEAD itself, and the branch file it names, change when a commit is made or checked out.
    if let Some(git_dir) = git(&["rev-parse", "--git-dir"]).map(PathBuf::from) {
        let head = git_dir.join("HEAD");
        println!("cargo:rerun-if-changed={}", head.display());
        if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"])
            && let Some(common) = git(&["rev-parse", "--git-common-dir"]).map(PathBuf::from)
        {
            let file = common.join(&branch);
            if file.exists() {
                println!("cargo:rerun-if-changed={}", file.display());
            }
        }
    }
    let date = git(&["log", "-1", "--format=%cs"]).unwrap_or_default();
    let package = env!("CARGO_PKG_VERSION");
    let short = format!("{package} ({commit} {date})");
    println!("cargo:rustc-env=TRAYSCOPE_VERSION={short}");
    println!("cargo:rustc-env=TRAYSCOPE_LONG_VERSION={short}\ncommit: {commit}");
}
