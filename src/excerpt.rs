//! Cutting quoted input down to size for error messages.
//!
//! An error names what it refuses, and sometimes quotes it: a version string from a catalog, a server's message, the
//! line a TOML parser stopped on. Input can be one 200 KB line; an error message is read by a person on a terminal or
//! in a CI log. Whatever a message quotes from input goes through here. This module never drops the start of the
//! text, and always marks a cut with "…".

use std::borrow::Cow;

/// How many characters of a quoted value or line an error message shows.
pub const MAX_QUOTED_CHARS: usize = 200;

/// `text` cut to at most `max_chars` characters (plus "…" where it was cut).
pub fn cut(text: &str, max_chars: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max_chars) {
        None => Cow::Borrowed(text),
        Some((at, _)) => Cow::Owned(format!("{}…", &text[..at])),
    }
}

/// Every line of `text` cut to at most `max_chars` characters: for a parser's message that quotes the offending line
/// of its input.
pub fn cut_lines(text: &str, max_chars: usize) -> String {
    text.split('\n')
        .map(|line| cut(line, max_chars))
        .collect::<Vec<_>>()
        .join("\n")
}

/// 1-based line numbers of byte offsets in one text, for messages that point into a file the user wrote. The newlines
/// are found once and each lookup is a binary search: rescanning the text before each entry made 100,000 ignore
/// entries take 49 s.
pub struct LineIndex(Vec<usize>);

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        LineIndex(
            text.bytes()
                .enumerate()
                .filter_map(|(at, b)| (b == b'\n').then_some(at))
                .collect(),
        )
    }

    /// The line holding the byte at `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        1 + self.0.partition_point(|&newline| newline < offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_kept_and_long_text_is_cut_on_a_character_boundary() {
        assert_eq!(cut("abc", 3), "abc");
        assert_eq!(cut("abcd", 3), "abc…");
        assert_eq!(cut("ééé", 2), "éé…");
        assert!(matches!(cut("abc", 10), Cow::Borrowed(_)));
    }

    #[test]
    fn each_line_is_cut_on_its_own() {
        let text = format!("at line 3\n3 | {}\n  | ^\n", "x".repeat(1000));
        let cut = cut_lines(&text, 20);
        assert_eq!(cut, format!("at line 3\n3 | {}…\n  | ^\n", "x".repeat(16)));
    }
}
