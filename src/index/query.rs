//! From what the user typed to a tantivy query: tantivy's query grammar (phrases, `+`/`-`, `AND`/`OR`, `field:`,
//! `^boost`, `word*`), then our own compilation of each word so that ranking follows what users mean.
//!
//! Every word is looked for in every searchable field, weighted by where it matched (operation name or title
//! first, connector words next, schema field descriptions last; the best field counts, the others a little). Words
//! of five letters or more also match their near-misses (edit distance 1, or 2 from nine letters), and the last
//! word of the query, while still being typed, matches as a prefix; near-misses and prefixes are expanded to real
//! index terms and scored lower than the word itself. A word that the tokenizer splits (`find_records`,
//! `rows.cells`) and a quoted text are phrases. Words are OR-ed: more matched words rank higher. This module never
//! panics on input: anything the grammar rejects is a [`QueryError`].

use std::collections::{BTreeMap, HashMap};

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, DisjunctionMaxQuery, FuzzyTermQuery, Occur,
    PhrasePrefixQuery, PhraseQuery, Query, TermQuery,
};
use tantivy::query_grammar::{Delimiter, UserInputAst, UserInputLeaf, UserInputLiteral};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

use super::{Fields, tokenizer};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error(
        "cannot parse the query {query:?}: {message}. Quote text that holds special characters \
         (+ - ^ : ( ) [ ] {{ }} \" ' ! * \\) with double quotes, or escape them with a backslash"
    )]
    Syntax { query: String, message: String },
    #[error(
        "unknown field {field:?} in the query; the fields are connector, version, operation, description, field \
         and field_description"
    )]
    UnknownField { field: String },
    #[error("{what} are not supported in search queries")]
    Unsupported { what: &'static str },
    #[error("the query {query:?} has no words to search for")]
    Empty { query: String },
}

/// How much a match counts, by field. The operation's own name and title weigh most; text buried in schema field
/// descriptions least.
const OPERATION_WEIGHT: f32 = 3.0;
const CONNECTOR_WEIGHT: f32 = 2.0;
const DESCRIPTION_WEIGHT: f32 = 1.2;
const FIELD_NAMES_WEIGHT: f32 = 1.0;
const FIELD_DOCS_WEIGHT: f32 = 0.35;
const VERSION_WEIGHT: f32 = 2.0;
/// A word that matched only through a near-miss or a prefix counts this fraction of an exact match.
const FUZZY_FACTOR: f32 = 0.35;
const PREFIX_FACTOR: f32 = 0.4;
/// Of the fields a word matched in, the best counts fully and each other one this fraction.
const TIE_BREAKER: f32 = 0.2;
/// Expansions of a near-miss or a prefix, most frequent first.
const MAX_FUZZY_EXPANSIONS: usize = 10;
const MAX_PREFIX_EXPANSIONS: usize = 20;

/// Question words dropped from a natural-language query ("which connector can send an SMS?"), unless nothing else
/// is left.
const STOPWORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "could", "do", "does", "for", "from",
    "how", "i", "in", "is", "it", "its", "me", "my", "of", "on", "or", "that", "the", "this", "to",
    "was", "what", "when", "where", "which", "who", "why", "will", "with", "would", "you", "your",
];

/// Words that name what every result is ("which connector can …", "the operation that …"): they still rank, but a
/// catalog whose text never says "connector" is not reported as lacking it.
const CATALOG_WORDS: &[&str] = &["connector", "connectors", "operation", "operations"];

/// A query that parsed, ready to compile against an index.
#[derive(Debug, Clone)]
pub struct ParsedQuery {
    text: String,
    ast: UserInputAst,
}

/// A compiled query and the index terms a snippet should highlight (term → weight).
pub(crate) struct Compiled {
    pub query: Box<dyn Query>,
    pub highlight: BTreeMap<String, f32>,
    /// Each word the user asked for (not excluded with `-`, not a dropped question word), as typed and lower-cased,
    /// with the query that finds it on its own: the same alternatives, near-misses and prefixes as in `query`.
    pub wanted: Vec<Wanted>,
}

/// One word (or quoted phrase, or `field:word`) of the query that results are expected to match.
pub(crate) struct Wanted {
    pub text: String,
    pub query: Box<dyn Query>,
}

/// Parses `text` and checks that it only uses what search supports, without needing an index.
pub fn parse(text: &str) -> Result<ParsedQuery, QueryError> {
    let escaped = drop_apostrophes(text);
    let ast = tantivy::query_grammar::parse_query(&escaped).map_err(|_| {
        let (_, errors) = tantivy::query_grammar::parse_query_lenient(&escaped);
        let message = errors
            .first()
            .map(|e| format!("{} at character {}", e.message, e.pos + 1))
            .unwrap_or_else(|| "unbalanced quotes, brackets or parentheses".into());
        QueryError::Syntax {
            query: text.to_owned(),
            message,
        }
    })?;
    let mut words = 0;
    check(&ast, &mut words)?;
    if words == 0 {
        return Err(QueryError::Empty {
            query: text.to_owned(),
        });
    }
    Ok(ParsedQuery {
        text: text.to_owned(),
        ast,
    })
}

/// An apostrophe inside a word (`what's`, `Slack's`, `don't`) is not the start of a quoted phrase: a possessive or
/// contracted `'s` is dropped, any other apostrophe inside a word is removed.
fn drop_apostrophes(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let inside_word = c == '\''
            && i > 0
            && chars[i - 1].is_alphanumeric()
            && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric());
        if !inside_word {
            out.push(c);
            i += 1;
        } else if matches!(chars.get(i + 1), Some('s' | 'S'))
            && !chars.get(i + 2).is_some_and(|n| n.is_alphanumeric())
        {
            i += 2;
        } else {
            i += 1;
        }
    }
    out
}

/// Counts the leaves that can match something and refuses what search does not support.
fn check(ast: &UserInputAst, words: &mut usize) -> Result<(), QueryError> {
    match ast {
        UserInputAst::Clause(clauses) => clauses.iter().try_for_each(|(_, sub)| check(sub, words)),
        UserInputAst::Boost(sub, _) => check(sub, words),
        UserInputAst::Leaf(leaf) => match leaf.as_ref() {
            UserInputLeaf::Literal(literal) => {
                if let Some(name) = &literal.field_name {
                    target_of(name)?;
                }
                if !tokenizer::words(&literal.phrase).is_empty() {
                    *words += 1;
                }
                Ok(())
            }
            UserInputLeaf::All => {
                *words += 1;
                Ok(())
            }
            UserInputLeaf::Range { .. } => Err(QueryError::Unsupported { what: "ranges" }),
            UserInputLeaf::Set { .. } => Err(QueryError::Unsupported { what: "term sets" }),
            UserInputLeaf::Exists { .. } => Err(QueryError::Unsupported {
                what: "field existence tests",
            }),
            UserInputLeaf::Regex { .. } => Err(QueryError::Unsupported {
                what: "regular expressions",
            }),
        },
    }
}

/// Where a literal is searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Everywhere,
    Connector,
    Version,
    Operation,
    Description,
    FieldNames,
    FieldDocs,
}

fn target_of(name: &str) -> Result<Target, QueryError> {
    Ok(match name {
        "connector" => Target::Connector,
        "version" => Target::Version,
        "operation" | "title" => Target::Operation,
        "description" => Target::Description,
        "field" | "fields" => Target::FieldNames,
        "field_description" => Target::FieldDocs,
        _ => {
            return Err(QueryError::UnknownField {
                field: name.to_owned(),
            });
        }
    })
}

impl ParsedQuery {
    /// Builds the tantivy query. Near-misses and prefixes are expanded against `searcher`'s term dictionaries.
    pub(crate) fn compile(
        &self,
        fields: &Fields,
        searcher: &Searcher,
    ) -> tantivy::Result<Option<Compiled>> {
        let mut compiler = Compiler {
            fields,
            searcher,
            open_last: self.open_last_literal(),
            highlight: BTreeMap::new(),
            wanted: Vec::new(),
        };
        let query = compiler.ast(&self.ast, true, false)?;
        Ok(query.map(|query| Compiled {
            query,
            highlight: compiler.highlight,
            wanted: compiler.wanted,
        }))
    }

    /// The last literal, when the query ends in it (no trailing space or punctuation): the word still being typed.
    fn open_last_literal(&self) -> Option<*const UserInputLiteral> {
        fn last(ast: &UserInputAst) -> Option<&UserInputLiteral> {
            match ast {
                UserInputAst::Clause(clauses) => {
                    clauses.iter().rev().find_map(|(_, sub)| last(sub))
                }
                UserInputAst::Boost(..) => None,
                UserInputAst::Leaf(leaf) => match leaf.as_ref() {
                    UserInputLeaf::Literal(literal) => Some(literal),
                    _ => None,
                },
            }
        }
        let literal = last(&self.ast)?;
        let ends_in_word = self.text.chars().last().is_some_and(char::is_alphanumeric);
        (ends_in_word
            && literal.delimiter == Delimiter::None
            && self.text.ends_with(&literal.phrase))
        .then_some(literal as *const _)
    }
}

struct Compiler<'a> {
    fields: &'a Fields,
    searcher: &'a Searcher,
    open_last: Option<*const UserInputLiteral>,
    highlight: BTreeMap<String, f32>,
    wanted: Vec<Wanted>,
}

impl Compiler<'_> {
    /// Compiles `ast`; `excluded` when it sits under a `-` (its words are not wanted).
    fn ast(
        &mut self,
        ast: &UserInputAst,
        top: bool,
        excluded: bool,
    ) -> tantivy::Result<Option<Box<dyn Query>>> {
        match ast {
            UserInputAst::Clause(clauses) => {
                let dropped = if top {
                    self.stopwords(clauses)
                } else {
                    Vec::new()
                };
                let mut subqueries = Vec::new();
                for (i, (occur, sub)) in clauses.iter().enumerate() {
                    if dropped.contains(&i) {
                        continue;
                    }
                    let occur = occur.unwrap_or(Occur::Should);
                    if let Some(query) =
                        self.ast(sub, false, excluded || occur == Occur::MustNot)?
                    {
                        subqueries.push((occur, query));
                    }
                }
                Ok(match subqueries.len() {
                    0 => None,
                    1 if subqueries[0].0 != Occur::MustNot => subqueries.pop().map(|(_, q)| q),
                    _ => Some(Box::new(BooleanQuery::new(subqueries))),
                })
            }
            UserInputAst::Boost(sub, boost) => Ok(self.ast(sub, false, excluded)?.map(|q| {
                Box::new(BoostQuery::new(q, boost.into_inner() as f32)) as Box<dyn Query>
            })),
            UserInputAst::Leaf(leaf) => match leaf.as_ref() {
                UserInputLeaf::Literal(literal) => {
                    let query = self.literal(literal)?;
                    if let Some(query) = &query
                        && !excluded
                    {
                        self.want(literal, query.box_clone());
                    }
                    Ok(query)
                }
                UserInputLeaf::All => Ok(Some(Box::new(AllQuery))),
                // Refused by `check` before compiling.
                _ => Ok(None),
            },
        }
    }

    /// Records a word the results should match, once, as the user typed it (lower-cased; `field:` kept).
    fn want(&mut self, literal: &UserInputLiteral, query: Box<dyn Query>) {
        let phrase = literal.phrase.trim().to_lowercase();
        let text = match &literal.field_name {
            Some(field) => format!("{field}:{phrase}"),
            None if CATALOG_WORDS.contains(&phrase.as_str()) => return,
            None => phrase,
        };
        if !self.wanted.iter().any(|w| w.text == text) {
            self.wanted.push(Wanted { text, query });
        }
    }

    /// Indices of top-level optional clauses that are only a stopword, when at least one other clause remains.
    fn stopwords(&self, clauses: &[(Option<Occur>, UserInputAst)]) -> Vec<usize> {
        let is_stopword = |occur: &Option<Occur>, ast: &UserInputAst| {
            let UserInputAst::Leaf(leaf) = ast else {
                return false;
            };
            let UserInputLeaf::Literal(literal) = leaf.as_ref() else {
                return false;
            };
            matches!(occur, None | Some(Occur::Should))
                && literal.field_name.is_none()
                && literal.delimiter == Delimiter::None
                && STOPWORDS.contains(&literal.phrase.to_lowercase().as_str())
        };
        let dropped: Vec<usize> = clauses
            .iter()
            .enumerate()
            .filter(|(_, (occur, ast))| is_stopword(occur, ast))
            .map(|(i, _)| i)
            .collect();
        if dropped.len() == clauses.len() {
            Vec::new()
        } else {
            dropped
        }
    }

    fn literal(&mut self, literal: &UserInputLiteral) -> tantivy::Result<Option<Box<dyn Query>>> {
        let target = match &literal.field_name {
            Some(name) => match target_of(name) {
                Ok(target) => target,
                Err(_) => return Ok(None),
            },
            None => Target::Everywhere,
        };
        let quoted = literal.delimiter != Delimiter::None;
        let typing = self.open_last == Some(literal as *const _);
        // `word*`: the grammar keeps the star in an unquoted word; `"a phrase"*` sets `prefix`.
        let (phrase, starred) = match literal.phrase.strip_suffix('*') {
            Some(stem) if !quoted => (stem, true),
            _ => (literal.phrase.as_str(), false),
        };
        let explicit_prefix = literal.prefix || starred;
        let prefix = explicit_prefix || (typing && !quoted);
        let words = tokenizer::words(phrase);
        let mut alternatives: Vec<Box<dyn Query>> = Vec::new();
        if matches!(target, Target::Everywhere | Target::Version) && looks_like_version(phrase) {
            let term = Term::from_field_text(self.fields.version, phrase.trim());
            alternatives.push(boosted(
                Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
                VERSION_WEIGHT,
            ));
        }
        if target != Target::Version {
            let fields = self.text_fields(target);
            match words.as_slice() {
                [] => {}
                [word] => {
                    self.highlight.insert(word.clone(), 1.0);
                    let fuzzy = if quoted || explicit_prefix {
                        0
                    } else {
                        fuzzy_distance(word)
                    };
                    let min_prefix = if explicit_prefix { 1 } else { 2 };
                    for &(field, weight) in &fields {
                        let term = Term::from_field_text(field, word);
                        alternatives.push(boosted(
                            Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
                            weight,
                        ));
                        if fuzzy > 0 {
                            let automaton = FuzzyTermQuery::new(term.clone(), fuzzy, true);
                            self.expand(
                                &mut alternatives,
                                field,
                                &automaton,
                                word,
                                MAX_FUZZY_EXPANSIONS,
                                weight * FUZZY_FACTOR,
                            )?;
                        }
                        if prefix && word.chars().count() >= min_prefix {
                            let automaton = FuzzyTermQuery::new_prefix(term, 0, true);
                            self.expand(
                                &mut alternatives,
                                field,
                                &automaton,
                                word,
                                MAX_PREFIX_EXPANSIONS,
                                weight * PREFIX_FACTOR,
                            )?;
                        }
                    }
                }
                _ => {
                    for word in &words {
                        self.highlight.insert(word.clone(), 1.0);
                    }
                    for &(field, weight) in &fields {
                        let terms: Vec<(usize, Term)> = words
                            .iter()
                            .enumerate()
                            .map(|(i, w)| (i, Term::from_field_text(field, w)))
                            .collect();
                        if field == self.fields.field_docs {
                            // Indexed without positions: a phrase there matches as all of its words.
                            let all = terms
                                .into_iter()
                                .map(|(_, term)| {
                                    let query: Box<dyn Query> = Box::new(TermQuery::new(
                                        term,
                                        IndexRecordOption::WithFreqs,
                                    ));
                                    (Occur::Must, query)
                                })
                                .collect();
                            alternatives.push(boosted(Box::new(BooleanQuery::new(all)), weight));
                            continue;
                        }
                        alternatives.push(boosted(
                            Box::new(PhraseQuery::new_with_offset_and_slop(
                                terms.clone(),
                                literal.slop,
                            )),
                            weight,
                        ));
                        if prefix {
                            let mut query = PhrasePrefixQuery::new_with_offset(terms);
                            query.set_max_expansions(MAX_PREFIX_EXPANSIONS as u32);
                            alternatives.push(boosted(Box::new(query), weight * PREFIX_FACTOR));
                        }
                    }
                }
            }
        }
        Ok(match alternatives.len() {
            0 => None,
            1 => alternatives.pop(),
            _ => Some(Box::new(DisjunctionMaxQuery::with_tie_breaker(
                alternatives,
                TIE_BREAKER,
            ))),
        })
    }

    fn text_fields(&self, target: Target) -> Vec<(Field, f32)> {
        let f = self.fields;
        match target {
            Target::Everywhere => vec![
                (f.operation, OPERATION_WEIGHT),
                (f.connector, CONNECTOR_WEIGHT),
                (f.description, DESCRIPTION_WEIGHT),
                (f.field_names, FIELD_NAMES_WEIGHT),
                (f.field_docs, FIELD_DOCS_WEIGHT),
            ],
            Target::Connector => vec![(f.connector, CONNECTOR_WEIGHT)],
            Target::Operation => vec![(f.operation, OPERATION_WEIGHT)],
            Target::Description => vec![(f.description, DESCRIPTION_WEIGHT)],
            Target::FieldNames => vec![(f.field_names, FIELD_NAMES_WEIGHT)],
            Target::FieldDocs => vec![(f.field_docs, FIELD_DOCS_WEIGHT)],
            Target::Version => Vec::new(),
        }
    }

    /// Adds a scored term query for each index term `automaton` accepts (other than `word` itself), the most
    /// frequent first, so a near-miss or prefix ranks by the real words it stands for.
    fn expand(
        &mut self,
        alternatives: &mut Vec<Box<dyn Query>>,
        field: Field,
        automaton: &FuzzyTermQuery,
        word: &str,
        max: usize,
        weight: f32,
    ) -> tantivy::Result<()> {
        let dfa = automaton.automaton()?;
        let mut doc_freqs: HashMap<String, u64> = HashMap::new();
        for segment in self.searcher.segment_readers() {
            let inverted = segment.inverted_index(field)?;
            let mut stream = inverted.terms().search(&dfa).into_stream()?;
            while stream.advance() {
                let Ok(text) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                if text != word {
                    *doc_freqs.entry(text.to_owned()).or_default() +=
                        u64::from(stream.value().doc_freq);
                }
            }
        }
        let mut expansions: Vec<(String, u64)> = doc_freqs.into_iter().collect();
        expansions.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        for (text, _) in expansions.into_iter().take(max) {
            let term = Term::from_field_text(field, &text);
            alternatives.push(boosted(
                Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
                weight,
            ));
            let entry = self.highlight.entry(text).or_insert(0.0);
            *entry = entry.max(0.5);
        }
        Ok(())
    }
}

fn boosted(query: Box<dyn Query>, weight: f32) -> Box<dyn Query> {
    if weight == 1.0 {
        query
    } else {
        Box::new(BoostQuery::new(query, weight))
    }
}

/// Edits tolerated in a word: none below five letters (too many other words are one edit away), one from five,
/// two from nine.
fn fuzzy_distance(word: &str) -> u8 {
    let letters = word.chars().count();
    if word.chars().all(|c| c.is_ascii_digit()) {
        0
    } else if letters >= 9 {
        2
    } else if letters >= 5 {
        1
    } else {
        0
    }
}

/// `9.1`, `10.0`: worth matching against the version field as one token.
fn looks_like_version(text: &str) -> bool {
    let text = text.trim();
    text.contains('.')
        && text
            .split('.')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unbalanced_quotes_are_a_syntax_error_not_a_panic() {
        for bad in ["\"send message", "(send", "title:", "send)"] {
            let err = parse(bad).unwrap_err();
            assert!(matches!(err, QueryError::Syntax { .. }), "{bad}: {err}");
            assert!(err.to_string().contains("cannot parse"), "{err}");
        }
    }

    #[test]
    fn unknown_fields_and_ranges_are_refused() {
        assert_eq!(
            parse("colour:red").unwrap_err(),
            QueryError::UnknownField {
                field: "colour".into()
            }
        );
        assert!(matches!(
            parse("version:[1 TO 2]").unwrap_err(),
            QueryError::Unsupported { .. }
        ));
    }

    #[test]
    fn a_query_of_punctuation_has_no_words() {
        assert!(matches!(parse("?!").unwrap_err(), QueryError::Empty { .. }));
    }

    #[test]
    fn natural_questions_parse() {
        for ok in [
            "which connector can send an SMS?",
            "where is external_id_field used?",
            "what does salesforce find_records take?",
            "slack send mesage",
            "\"send a message\" slack",
            "rows.cells",
            "what's the connector's send operation",
        ] {
            assert!(parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn apostrophes_inside_words_are_not_quotes() {
        assert_eq!(
            drop_apostrophes("what's Slack's don't 'send sms'"),
            "what Slack dont 'send sms'"
        );
    }

    #[test]
    fn the_last_word_is_a_prefix_only_while_being_typed() {
        assert!(
            parse("slack send mess")
                .unwrap()
                .open_last_literal()
                .is_some()
        );
        assert!(
            parse("slack send mess ")
                .unwrap()
                .open_last_literal()
                .is_none()
        );
        assert!(parse("send sms?").unwrap().open_last_literal().is_none());
        assert!(parse("\"send sms\"").unwrap().open_last_literal().is_none());
    }

    #[test]
    fn short_words_get_no_typo_tolerance() {
        assert_eq!(fuzzy_distance("sms"), 0);
        assert_eq!(fuzzy_distance("mesage"), 1);
        assert_eq!(fuzzy_distance("salesforse"), 2);
        assert_eq!(fuzzy_distance("123456"), 0);
    }
}
