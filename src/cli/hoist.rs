//! Lets flags follow a search query given after `--`: `trayscope search -- -deprecated message --limit 3`.

use std::ffi::OsString;

/// Flags of `search` that take a value.
const SEARCH_VALUE_FLAGS: &[&str] = &[
    "--connector",
    "--version",
    "--snapshot",
    "--limit",
    "--format",
    "--out",
    "--home",
    "--config",
    "--color",
];
/// Flags of `search` that take none.
const SEARCH_SWITCHES: &[&str] = &["--all-versions", "--json", "--quiet", "--verbose"];
/// Global flags that take a value, which may come before the command name.
const GLOBAL_VALUE_FLAGS: &[&str] = &["--home", "--config", "--color"];

/// `trayscope search -- -deprecated message --limit 3`: everything after `--` is the query, so a query that starts
/// with `-` must come after it — and then flags after the query would be read as query words. This moves the
/// search flags found after `--` in front of it, so they are parsed as flags. Only exact flag names move (a query
/// word like `--limitless` stays); other commands' arguments are left as they are.
pub fn hoist_search_flags(args: Vec<OsString>) -> Vec<OsString> {
    let Some(search) = command_position(&args) else {
        return args;
    };
    if args[search] != "search" {
        return args;
    }
    let Some(separator) = args[search..].iter().position(|a| a == "--") else {
        return args;
    };
    let separator = search + separator;
    let mut flags = Vec::new();
    let mut query = Vec::new();
    let mut rest = args[separator + 1..].iter();
    while let Some(arg) = rest.next() {
        let text = arg.to_string_lossy();
        let name = text.split_once('=').map_or(text.as_ref(), |(n, _)| n);
        if SEARCH_VALUE_FLAGS.contains(&name) {
            flags.push(arg.clone());
            if !text.contains('=')
                && let Some(value) = rest.next()
            {
                flags.push(value.clone());
            }
        } else if SEARCH_SWITCHES.contains(&text.as_ref()) {
            flags.push(arg.clone());
        } else {
            query.push(arg.clone());
        }
    }
    let mut out: Vec<OsString> = args[..separator].to_vec();
    out.extend(flags);
    out.push("--".into());
    out.extend(query);
    out
}

/// The index of the command name: the first argument after the program name that is neither a global flag nor
/// a global flag's value.
fn command_position(args: &[OsString]) -> Option<usize> {
    let mut i = 1;
    while i < args.len() {
        let text = args[i].to_string_lossy();
        if GLOBAL_VALUE_FLAGS.contains(&text.as_ref()) {
            i += 2;
        } else if text.starts_with('-') {
            i += 1;
        } else {
            return Some(i);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hoisted(line: &str) -> String {
        let args: Vec<OsString> = line.split(' ').map(OsString::from).collect();
        hoist_search_flags(args)
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn flags_after_a_search_query_are_moved_before_the_separator() {
        assert_eq!(
            hoisted("trayscope search -- -deprecated message --limit 3"),
            "trayscope search --limit 3 -- -deprecated message"
        );
        assert_eq!(
            hoisted("trayscope --home h search -- -x --format=json --all-versions y"),
            "trayscope --home h search --format=json --all-versions -- -x y"
        );
    }

    #[test]
    fn other_commands_and_lookalike_words_are_left_alone() {
        assert_eq!(
            hoisted("trayscope search -- --limitless -a"),
            "trayscope search -- --limitless -a"
        );
        assert_eq!(
            hoisted("trayscope audit -- --limit 3"),
            "trayscope audit -- --limit 3"
        );
        assert_eq!(
            hoisted("trayscope search send sms --limit 3"),
            "trayscope search send sms --limit 3"
        );
        assert_eq!(hoisted("trayscope"), "trayscope");
    }
}
