//! "Did you mean …?": the known names closest to a name that is not known, by edit distance.
//!
//! Names here are connector, operation and property names (a few hundred at most, each short), so a plain
//! two-row Levenshtein with transpositions counted as one edit is enough; no index, no new dependency. It must
//! never suggest a name so far from the query that the suggestion is noise.

/// Up to `max` of `known` closest to `query`, closest first (ties in `known`'s order). A name qualifies when it is at
/// most a third of the query's length away (at least 1, at most 3 edits), when it differs only in case and `-`/`_`,
/// or when one of the two contains the other (`slack` for `slack-output`).
pub fn close_names<'a>(
    query: &str,
    known: impl IntoIterator<Item = &'a str>,
    max: usize,
) -> Vec<String> {
    let folded_query = fold(query);
    let budget = (query.chars().count() / 3).clamp(1, 3);
    let mut scored: Vec<(usize, usize, &str)> = known
        .into_iter()
        .enumerate()
        .filter(|(_, name)| *name != query)
        .filter_map(|(i, name)| {
            let folded = fold(name);
            let distance = edit_distance(&folded_query, &folded);
            let contains = folded_query.len() >= 3
                && (folded.contains(&folded_query) || folded_query.contains(&folded));
            (distance <= budget || contains).then_some((distance, i, name))
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.2 == b.2);
    scored
        .into_iter()
        .take(max)
        .map(|(_, _, name)| name.to_owned())
        .collect()
}

/// Lower case, with `-` and `_` read as the same character: `Send-Message` is one edit from nothing.
fn fold(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c == '-' {
                '_'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

/// Levenshtein distance where swapping two neighbouring characters is one edit (optimal string alignment).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.is_empty() || b.is_empty() {
        return a.len().max(b.len());
    }
    // Three rows: the one before the previous is needed for transpositions.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_insertions_deletions_substitutions_and_swaps() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("slack", "slack"), 0);
        assert_eq!(edit_distance("slakc", "slack"), 1);
        assert_eq!(edit_distance("send_mesage", "send_message"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn close_names_are_ranked_and_noise_is_left_out() {
        let known = ["slack", "slack-output", "salesforce", "stack", "jira"];
        assert_eq!(close_names("slakc", known, 3), ["slack"]);
        assert_eq!(close_names("slackk", known, 3), ["slack", "stack"]);
        assert_eq!(close_names("output", known, 3), ["slack-output"]);
        assert!(close_names("zendesk", known, 3).is_empty());
        assert_eq!(
            close_names("Send-Message", ["send_message", "get_messages"], 3),
            ["send_message"]
        );
    }

    #[test]
    fn the_name_itself_is_never_suggested() {
        assert!(close_names("jira", ["jira"], 3).is_empty());
    }
}
