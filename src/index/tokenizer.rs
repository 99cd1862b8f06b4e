//! The one tokenizer every text field and every query goes through: words split on punctuation, `_` and camelCase.
//!
//! Tray's identifiers come in every spelling (`send_message`, `externalIdField`, `rows.cells`, `HTTPRequest`), and
//! users type them in another one. Splitting all of them into the same lower-case words makes `external_id_field`
//! find `externalIdField` (as a phrase of adjacent words). Indexing and querying must use this same analyzer, or
//! terms stop lining up.

use tantivy::tokenizer::{
    LowerCaser, RemoveLongFilter, TextAnalyzer, Token, TokenStream, Tokenizer,
};

/// The name the analyzer is registered under in the index's tokenizer manager.
pub const NAME: &str = "trayscope_words";

/// Longer tokens (base64 blobs, URLs glued together) are dropped rather than indexed.
const MAX_TOKEN_BYTES: usize = 40;

/// The analyzer: [`WordTokenizer`], then lower case, then long tokens removed.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .build()
}

/// The lower-cased words of `text`, in order.
pub fn words(text: &str) -> Vec<String> {
    let mut analyzer = analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// Splits on anything that is not alphanumeric, and inside a word at camelCase boundaries.
#[derive(Clone, Default)]
pub struct WordTokenizer {
    token: Token,
}

pub struct WordTokenStream<'a> {
    text: &'a str,
    spans: std::vec::IntoIter<(usize, usize)>,
    token: &'a mut Token,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordTokenStream<'a> {
        self.token.reset();
        WordTokenStream {
            text,
            spans: word_spans(text).into_iter(),
            token: &mut self.token,
        }
    }
}

impl TokenStream for WordTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let Some((from, to)) = self.spans.next() else {
            return false;
        };
        self.token.position = self.token.position.wrapping_add(1);
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.text.clear();
        self.token.text.push_str(&self.text[from..to]);
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// Byte ranges of the words of `text`.
fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut run: Vec<(usize, char)> = Vec::new();
    for (at, c) in text.char_indices() {
        if c.is_alphanumeric() {
            run.push((at, c));
        } else if !run.is_empty() {
            split_camel(&run, at, &mut spans);
            run.clear();
        }
    }
    if !run.is_empty() {
        split_camel(&run, text.len(), &mut spans);
    }
    spans
}

/// Splits one alphanumeric run at camelCase boundaries: `statementHandle` → statement|Handle, `HTTPRequest` →
/// HTTP|Request, `Base64Encode` → Base64|Encode. Digits stay with the letters before them (`v2`).
fn split_camel(run: &[(usize, char)], end: usize, spans: &mut Vec<(usize, usize)>) {
    let mut start = run[0].0;
    for i in 1..run.len() {
        let prev = run[i - 1].1;
        let cur = run[i].1;
        let next = run.get(i + 1).map(|&(_, c)| c);
        let boundary = cur.is_uppercase()
            && (prev.is_lowercase()
                || prev.is_numeric()
                || (prev.is_uppercase() && next.is_some_and(char::is_lowercase)));
        if boundary {
            spans.push((start, run[i].0));
            start = run[i].0;
        }
    }
    spans.push((start, end));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_camel_and_dotted_spellings_give_the_same_words() {
        assert_eq!(words("external_id_field"), ["external", "id", "field"]);
        assert_eq!(words("externalIdField"), ["external", "id", "field"]);
        assert_eq!(words("rows.cells"), ["rows", "cells"]);
        assert_eq!(words("HTTPRequest v2"), ["http", "request", "v2"]);
        assert_eq!(words("SendEmailV2"), ["send", "email", "v2"]);
        assert_eq!(words("Base64Encode"), ["base64", "encode"]);
    }

    #[test]
    fn offsets_point_into_the_original_text() {
        let text = "Find déjà-vu statementHandle";
        let mut analyzer = analyzer();
        let mut stream = analyzer.token_stream(text);
        let mut seen = Vec::new();
        while stream.advance() {
            let t = stream.token();
            seen.push((text[t.offset_from..t.offset_to].to_owned(), t.position));
        }
        assert_eq!(
            seen,
            [
                ("Find".to_owned(), 0),
                ("déjà".to_owned(), 1),
                ("vu".to_owned(), 2),
                ("statement".to_owned(), 3),
                ("Handle".to_owned(), 4)
            ]
        );
    }
}
