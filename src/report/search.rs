//! `trayscope search`: hits as text (two lines each, then a count) or JSON.

use std::io::{self, Write};

use super::text::printable;
use crate::index::{Highlighted, SearchResults, VersionScope};

/// How matches are marked in a snippet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marks {
    /// `**word**`: pipes, files and JSON.
    Stars,
    /// Bold on a terminal.
    Ansi,
}

/// What the count line adds about the versions searched.
pub fn search_scope_note(versions: &VersionScope) -> &'static str {
    match versions {
        VersionScope::Newest => {
            "; newest version of each connector only, --all-versions for older ones"
        }
        VersionScope::All => "; every version",
        VersionScope::Exactly(_) => "",
    }
}

/// Two lines per hit (connector, version, operation, title; then the snippet), then `N of M matches in snapshot S`.
/// Nothing at all when there is no hit: the caller says so on stderr.
pub fn render_search_human(
    results: &SearchResults,
    versions: &VersionScope,
    marks: Marks,
    out: &mut dyn Write,
) -> io::Result<()> {
    if results.hits.is_empty() {
        return Ok(());
    }
    if let Some(line) = unmatched_line(&results.unmatched_terms) {
        writeln!(out, "{line}")?;
    }
    for hit in &results.hits {
        writeln!(
            out,
            "{} {}  {}  {}",
            printable(&hit.connector),
            printable(&hit.version),
            printable(&hit.operation),
            printable(&hit.title)
        )?;
        if !hit.snippet.text.is_empty() {
            writeln!(out, "    {}", marked(&hit.snippet, marks))?;
        }
    }
    writeln!(
        out,
        "{} of {} matches in snapshot {}{}",
        results.hits.len(),
        results.total,
        results.snapshot,
        search_scope_note(versions)
    )
}

/// `no operation mentions "salesforce"; results match the other words`, when some words of the query matched no
/// operation in scope (after typo tolerance) but others did: the hits are about the other words only.
pub fn unmatched_line(unmatched: &[String]) -> Option<String> {
    if unmatched.is_empty() {
        return None;
    }
    let words: Vec<String> = unmatched
        .iter()
        .map(|w| printable(&format!("{w:?}")).into_owned())
        .collect();
    Some(format!(
        "no operation mentions {}; results match the other words",
        words.join(" or ")
    ))
}

/// `{"query", "total", "unmatched_terms", "hits": [{"connector", "version", "operation", "title", "score", "snippet"}]}`.
pub fn render_search_json(
    query: &str,
    results: &SearchResults,
    out: &mut dyn Write,
) -> io::Result<()> {
    #[derive(serde::Serialize)]
    struct Body<'a> {
        query: &'a str,
        total: usize,
        /// Words of the query no operation in scope mentions; empty when every word matched.
        unmatched_terms: &'a [String],
        hits: Vec<JsonHit<'a>>,
    }
    #[derive(serde::Serialize)]
    struct JsonHit<'a> {
        connector: &'a str,
        version: &'a str,
        operation: &'a str,
        title: &'a str,
        score: f64,
        /// Matches marked `**like this**`.
        snippet: String,
    }
    let body = Body {
        query,
        total: results.total,
        unmatched_terms: &results.unmatched_terms,
        hits: results
            .hits
            .iter()
            .map(|h| JsonHit {
                connector: &h.connector,
                version: &h.version,
                operation: &h.operation,
                title: &h.title,
                score: (f64::from(h.score) * 10_000.0).round() / 10_000.0,
                snippet: marked(&h.snippet, Marks::Stars),
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &body).map_err(io::Error::other)?;
    writeln!(out)
}

/// The snippet with its matches marked, on one line, with control characters escaped.
fn marked(snippet: &Highlighted, marks: Marks) -> String {
    let (open, close) = match marks {
        Marks::Stars => ("**", "**"),
        Marks::Ansi => ("\x1b[1m", "\x1b[0m"),
    };
    let mut out = String::with_capacity(snippet.text.len() + 8 * snippet.ranges.len());
    let mut at = 0;
    for range in &snippet.ranges {
        if range.start < at
            || range.end > snippet.text.len()
            || !snippet.text.is_char_boundary(range.start)
            || !snippet.text.is_char_boundary(range.end)
        {
            continue;
        }
        out.push_str(&flat(&snippet.text[at..range.start]));
        out.push_str(open);
        out.push_str(&flat(&snippet.text[range.clone()]));
        out.push_str(close);
        at = range.end;
    }
    out.push_str(&flat(&snippet.text[at..]));
    out.split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whitespace (newlines, tabs) as spaces, and any other control character escaped.
fn flat(text: &str) -> String {
    let spaced: String = text
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    printable(&spaced).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_are_starred_and_whitespace_folded() {
        let snippet = Highlighted {
            text: "Send a\n message".into(),
            ranges: vec![0..4, 8..15],
        };
        assert_eq!(marked(&snippet, Marks::Stars), "**Send** a **message**");
    }

    #[test]
    fn control_characters_in_a_snippet_are_escaped() {
        let snippet = Highlighted {
            text: "a\u{1b}]0;x\u{7} b".into(),
            ranges: vec![],
        };
        let shown = marked(&snippet, Marks::Stars);
        assert!(!shown.chars().any(char::is_control), "{shown}");
    }
}
