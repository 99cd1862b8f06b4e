//! Small pieces of text every renderer shares: plurals, sizes, durations, id lists, and the one function that
//! makes untrusted text safe to print on a terminal or in a log.

use std::borrow::Cow;
use std::time::Duration;

/// `1 snapshot`, `2 snapshots`. `word` is the singular; the plural adds `s`.
pub fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `999 bytes`, `3.9 kB`, `18.6 MB` (decimal units).
pub fn human_bytes(bytes: u64) -> String {
    match bytes {
        0..1_000 => format!("{bytes} bytes"),
        1_000..1_000_000 => format!("{:.1} kB", bytes as f64 / 1_000.0),
        _ => format!("{:.1} MB", bytes as f64 / 1_000_000.0),
    }
}

/// `0s`, `850ms`, `30s`, `10m`, `2h 5m`, `3d 4h`: a duration as a person reads it, to its two largest units.
pub fn human_duration(duration: Duration) -> String {
    let total = duration.as_secs();
    if total == 0 {
        let ms = duration.as_millis();
        return if ms == 0 {
            "0s".into()
        } else {
            format!("{ms}ms")
        };
    }
    let units = [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)];
    let mut parts = Vec::new();
    let mut rest = total;
    for (name, size) in units {
        if rest >= size {
            parts.push(format!("{}{name}", rest / size));
            rest %= size;
        }
        if parts.len() == 2 {
            break;
        }
    }
    parts.join(" ")
}

/// `1, 2, 3`, or `none`.
pub fn id_list(ids: &[i64]) -> String {
    if ids.is_empty() {
        return "none".into();
    }
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Text from a catalog, an export or a server, made safe for a terminal, a log or a GitHub Actions workflow
/// command: control characters (C0, DEL, C1, including ESC and newlines) are shown as `\u{…}` escapes, so no
/// untrusted text can move the cursor, change a window title, clear the screen or start a line of its own.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Like [`printable`], for a message of several lines: newlines stay, every other control character is escaped,
/// a line that would start a GitHub Actions workflow command (`::…`) gets its first colon escaped, and a line
/// longer than `MAX_LINE` characters (an input line echoed back, say) is cut with `…`.
pub fn printable_lines(text: &str) -> String {
    const MAX_LINE: usize = 500;
    text.split('\n')
        .map(|line| {
            let mut shown = printable(line);
            if shown.trim_start().starts_with("::") {
                shown = Cow::Owned(shown.replacen("::", "\\u{3a}:", 1));
            }
            if shown.chars().count() > MAX_LINE {
                let cut: String = shown.chars().take(MAX_LINE).collect();
                format!("{cut}… (line cut at {MAX_LINE} characters)")
            } else {
                shown.into_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_sizes_and_durations_read_naturally() {
        assert_eq!(plural(1, "operation"), "1 operation");
        assert_eq!(plural(0, "operation"), "0 operations");
        assert_eq!(human_bytes(999), "999 bytes");
        assert_eq!(human_bytes(3_930), "3.9 kB");
        assert_eq!(human_duration(Duration::ZERO), "0s");
        assert_eq!(human_duration(Duration::from_millis(850)), "850ms");
        assert_eq!(human_duration(Duration::from_secs(600)), "10m");
        assert_eq!(human_duration(Duration::from_secs(7_500)), "2h 5m");
        assert_eq!(
            human_duration(Duration::from_secs(u64::MAX)),
            "213503982334601d 7h"
        );
        assert_eq!(id_list(&[]), "none");
        assert_eq!(id_list(&[1, 2]), "1, 2");
    }

    #[test]
    fn control_characters_cannot_reach_a_terminal() {
        assert_eq!(printable("plain text"), "plain text");
        let hostile = "ghost\n::error file=x::X\u{1b}]0;title\u{7}\u{9b}2J";
        let shown = printable(hostile);
        assert!(!shown.chars().any(char::is_control), "{shown}");
        assert!(shown.contains("ghost\\u{a}::error"), "{shown}");
        assert!(printable_lines("x\n  ::error ::X").contains("  \\u{3a}:error"));
        let lines = printable_lines("one\ntwo\u{1b}[2J");
        assert_eq!(lines.lines().count(), 2);
        assert!(!lines.contains('\u{1b}'));
        assert!(printable_lines(&"x".repeat(200_000)).len() < 1_000);
    }
}
