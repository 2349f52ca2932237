//! The one HTML tokeniser of a body, shared by its readers: content's text and links' anchors are
//! read in the same pass, so they cannot disagree on what is markup. It follows the HTML5 tokeniser
//! where that decides what a reader sees: a `<` starts a tag only before a letter (`<3` is text),
//! quotes count only around attribute values, `<!…>` and `<?…>` end at the first `>`, and the
//! content of raw-text elements (`<script>`, `<style>`, `<title>`, `<textarea>`, `<xmp>`…) is not
//! markup. Each step advances the cursor, so the work is linear in the body whatever it holds.

use crate::checks::near;

/// A piece of an HTML body, in document order.
#[derive(Debug, PartialEq, Eq)]
pub enum Token<'h> {
    /// Text as written, character references not decoded; never empty.
    Text(&'h str),
    Start(StartTag<'h>),
    End(EndTag<'h>),
    /// The content of a raw-text element, up to its end tag (possibly empty), right after its start tag.
    RawText(RawText, &'h str),
}

/// Elements whose content is text, not markup, up to their own end tag (`plaintext`: up to the end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawText {
    Script,
    Style,
    Title,
    Textarea,
    Xmp,
    Iframe,
    Noembed,
    Noframes,
    Plaintext,
}

impl RawText {
    fn of(name: &[u8]) -> Option<RawText> {
        Some(match name {
            b"script" => RawText::Script,
            b"style" => RawText::Style,
            b"title" => RawText::Title,
            b"textarea" => RawText::Textarea,
            b"xmp" => RawText::Xmp,
            b"iframe" => RawText::Iframe,
            b"noembed" => RawText::Noembed,
            b"noframes" => RawText::Noframes,
            b"plaintext" => RawText::Plaintext,
            _ => return None,
        })
    }
}

/// Longest tag name acted on (`plaintext`): a longer name is kept empty.
const LONGEST_TAG: usize = 9;

/// A tag name lower-cased without allocating.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Name {
    buf: [u8; LONGEST_TAG],
    len: u8,
}

impl Name {
    fn of(written: &[u8]) -> Name {
        let mut name = Name { buf: [0; LONGEST_TAG], len: 0 };
        if let Some(lower) = ascii_lowercase_in(written, &mut name.buf) {
            name.len = lower.len() as u8;
        }
        name
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..usize::from(self.len)]
    }
}

impl std::fmt::Debug for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self.as_bytes()))
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct EndTag<'h> {
    /// As written, up to a space, `/` or `>`.
    pub written_name: &'h str,
    pub name: Name,
}

#[derive(Debug, PartialEq, Eq)]
pub struct StartTag<'h> {
    /// As written, up to a space, `/` or `>`.
    pub written_name: &'h str,
    pub name: Name,
    /// Written `<x/>`.
    pub self_closing: bool,
}

/// The attributes of a start tag that its readers use, values as written (unquoted, references not
/// decoded). A repeated attribute counts the first time, as in browsers.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Attributes<'h> {
    pub style: Option<&'h str>,
    pub class: Option<&'h str>,
    pub background: Option<&'h str>,
    pub src: Option<&'h str>,
    pub href: Option<&'h str>,
    pub action: Option<&'h str>,
    pub formaction: Option<&'h str>,
    pub kind: Option<&'h str>,
    pub name: Option<&'h str>,
    pub id: Option<&'h str>,
    pub placeholder: Option<&'h str>,
    pub http_equiv: Option<&'h str>,
    pub content: Option<&'h str>,
}

/// Longest attribute name in [`Attributes`] (`placeholder`).
const LONGEST_ATTRIBUTE: usize = 11;

impl<'h> Attributes<'h> {
    /// Where the value of attribute `name` (any case) goes, if it is one of those read. Not inlined:
    /// in [`Tokens::tag`] the addresses of all the slots were worked out and kept on the stack for
    /// every tag, most of which have no attribute read.
    #[inline(never)]
    fn slot(&mut self, name: &[u8]) -> Option<&mut Option<&'h str>> {
        let mut lower = [0; LONGEST_ATTRIBUTE];
        Some(match ascii_lowercase_in(name, &mut lower)? {
            b"style" => &mut self.style,
            b"class" => &mut self.class,
            b"background" => &mut self.background,
            b"src" => &mut self.src,
            b"href" => &mut self.href,
            b"action" => &mut self.action,
            b"formaction" => &mut self.formaction,
            b"type" => &mut self.kind,
            b"name" => &mut self.name,
            b"id" => &mut self.id,
            b"placeholder" => &mut self.placeholder,
            b"http-equiv" => &mut self.http_equiv,
            b"content" => &mut self.content,
            _ => return None,
        })
    }
}

/// `name` lower-cased (ASCII) in `buf`, if it fits: compared with short names without allocating.
pub fn ascii_lowercase_in<'b>(name: &[u8], buf: &'b mut [u8]) -> Option<&'b [u8]> {
    let lower = buf.get_mut(..name.len())?;
    // Byte by byte: for a few bytes that costs less than a call to memcpy.
    for (to, from) in lower.iter_mut().zip(name) {
        *to = from.to_ascii_lowercase();
    }
    Some(lower)
}

/// The HTML5 tokeniser's white space (a carriage return is a line feed to it).
fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0C' | b'\r' | b' ')
}

/// The tokens of an HTML body, read one by one with [`Tokens::next_token`].
pub struct Tokens<'h> {
    html: &'h str,
    pos: usize,
    /// Set after the start tag of a raw-text element: its content comes next.
    raw_text: Option<(RawText, Name)>,
    /// Those of the last tag read: kept here, not in each token, where copying them with every start
    /// tag cost more than reading them.
    attributes: Attributes<'h>,
}

impl<'h> Tokens<'h> {
    pub fn new(html: &'h str) -> Tokens<'h> {
        Tokens { html, pos: 0, raw_text: None, attributes: Attributes::default() }
    }

    /// The attributes of the start tag just returned.
    pub fn attributes(&self) -> &Attributes<'h> {
        &self.attributes
    }

    /// The first byte at or after `from` of `<` that starts markup (a lone `<` is text), or the end.
    fn markup_from(&self, mut from: usize) -> usize {
        let bytes = self.html.as_bytes();
        while let Some(at) = bytes.get(from..).and_then(|rest| near::memchr(b'<', rest)) {
            let lt = from + at;
            match bytes.get(lt + 1) {
                Some(b) if b.is_ascii_alphabetic() || matches!(b, b'/' | b'!' | b'?') => return lt,
                _ => from = lt + 1,
            }
        }
        bytes.len()
    }

    /// Just past the first `needle` at or after `from`, or the end.
    fn past(&self, from: usize, needle: &[u8]) -> usize {
        let bytes = self.html.as_bytes();
        let found = match needle {
            [byte] => bytes.get(from..).and_then(|rest| near::memchr(*byte, rest)),
            _ => bytes.get(from..).and_then(|rest| memchr::memmem::find(rest, needle)),
        };
        found.map_or(bytes.len(), |at| from + at + needle.len())
    }

    /// Just past the `-->` or `--!>` (HTML5 ends a comment at either) that ends a comment whose text
    /// starts at `from`, or the end.
    fn comment_end(&self, from: usize) -> usize {
        let bytes = self.html.as_bytes();
        let mut at = from;
        while let Some(dash) = bytes.get(at..).and_then(|rest| near::memchr(b'-', rest)).map(|d| at + d) {
            match (bytes.get(dash + 1), bytes.get(dash + 2), bytes.get(dash + 3)) {
                (Some(b'-'), Some(b'>'), _) => return dash + 3,
                (Some(b'-'), Some(b'!'), Some(b'>')) => return dash + 4,
                _ => at = dash + 1,
            }
        }
        bytes.len()
    }

    /// Where the content of a raw-text element `name` ends: at `</name` followed by a space, `/` or `>`.
    fn raw_text_end(&self, kind: RawText, name: Name) -> usize {
        let bytes = self.html.as_bytes();
        if kind == RawText::Plaintext {
            return bytes.len();
        }
        let name = name.as_bytes();
        let mut from = self.pos;
        while let Some(at) = bytes.get(from..).and_then(|rest| memchr::memchr(b'<', rest)) {
            let lt = from + at;
            let after = lt + 2 + name.len();
            if bytes.get(lt + 1) == Some(&b'/')
                && bytes.get(lt + 2..after).is_some_and(|n| n.eq_ignore_ascii_case(name))
                && bytes.get(after).is_some_and(|&b| is_space(b) || b == b'/' || b == b'>')
            {
                return lt;
            }
            from = lt + 1;
        }
        bytes.len()
    }

    /// Reads a tag's name and attributes from `from` (just past `<` or `</`) to past its `>`; `None`
    /// when the body ends first (a browser then drops the tag).
    fn tag(&mut self, from: usize) -> Option<StartTag<'h>> {
        let (html, bytes) = (self.html, self.html.as_bytes());
        let mut pos = from;
        while pos < bytes.len() && !is_space(bytes[pos]) && !matches!(bytes[pos], b'/' | b'>') {
            pos += 1;
        }
        let written_name = &html[from..pos];
        self.attributes = Attributes::default();
        let self_closing;
        loop {
            // Between attributes: spaces, and `/` (self-closing only right before `>`).
            let start = pos;
            pos += bytes.get(pos..)?.iter().take_while(|&&b| is_space(b) || b == b'/').count();
            match bytes.get(pos)? {
                b'>' => {
                    self_closing = pos > start && bytes[pos - 1] == b'/';
                    pos += 1;
                    break;
                }
                // A name runs to a space, `/`, `>` or `=`; an `=` where it starts is part of it.
                _ => {
                    let name_start = pos;
                    pos += 1;
                    pos +=
                        bytes[pos..].iter().take_while(|&&b| !is_space(b) && !matches!(b, b'/' | b'>' | b'=')).count();
                    let name = &bytes[name_start..pos];
                    pos += bytes[pos..].iter().take_while(|&&b| is_space(b)).count();
                    if bytes.get(pos) != Some(&b'=') {
                        continue;
                    }
                    pos += 1;
                    pos += bytes[pos..].iter().take_while(|&&b| is_space(b)).count();
                    let value = match bytes.get(pos)? {
                        &quote @ (b'"' | b'\'') => {
                            let end = pos + 1 + memchr::memchr(quote, &bytes[pos + 1..])?;
                            let value = &html[pos + 1..end];
                            pos = end + 1;
                            value
                        }
                        _ => {
                            let start = pos;
                            pos += bytes[pos..].iter().take_while(|&&b| !is_space(b) && b != b'>').count();
                            &html[start..pos]
                        }
                    };
                    if let Some(slot @ None) = self.attributes.slot(name) {
                        *slot = Some(value);
                    }
                }
            }
        }
        self.pos = pos;
        Some(StartTag { written_name, name: Name::of(written_name.as_bytes()), self_closing })
    }

    /// The next token, or `None` at the end of the body.
    pub fn next_token(&mut self) -> Option<Token<'h>> {
        if let Some((kind, name)) = self.raw_text.take() {
            let end = self.raw_text_end(kind, name);
            let content = &self.html[self.pos..end];
            self.pos = end;
            return Some(Token::RawText(kind, content));
        }
        let bytes = self.html.as_bytes();
        loop {
            let lt = self.markup_from(self.pos);
            if lt > self.pos {
                // `<` and the bytes searched for are ASCII: `lt` is a character boundary.
                let text = &self.html[self.pos..lt];
                self.pos = lt;
                return Some(Token::Text(text));
            }
            if lt >= bytes.len() {
                return None;
            }
            // A comment; `<!-->` and `<!--->` end where they stand.
            if bytes.get(lt + 1..lt + 4) == Some(b"!--") {
                self.pos = match bytes.get(lt + 4) {
                    Some(b'>') => lt + 5,
                    _ if bytes.get(lt + 4..lt + 6) == Some(b"->") => lt + 6,
                    _ => self.comment_end(lt + 4),
                };
                continue;
            }
            match bytes.get(lt + 1) {
                // `<!DOCTYPE …>`, `<?xml …?>` and other declarations end at the first `>`.
                Some(b'!' | b'?') => self.pos = self.past(lt + 2, b">"),
                Some(b'/') => match bytes.get(lt + 2) {
                    Some(b) if b.is_ascii_alphabetic() => {
                        let tag = self.tag(lt + 2);
                        let Some(tag) = tag else {
                            self.pos = bytes.len();
                            return None;
                        };
                        return Some(Token::End(EndTag { written_name: tag.written_name, name: tag.name }));
                    }
                    // `</>` is nothing; `</` before anything else but a letter is a comment to `>`.
                    Some(_) => self.pos = self.past(lt + 2, b">"),
                    // `</` at the very end is text.
                    None => {
                        self.pos = bytes.len();
                        return Some(Token::Text(&self.html[lt..]));
                    }
                },
                _ => {
                    let Some(tag) = self.tag(lt + 1) else {
                        self.pos = bytes.len();
                        return None;
                    };
                    if let Some(kind) = RawText::of(tag.name.as_bytes()) {
                        self.raw_text = Some((kind, tag.name));
                    }
                    return Some(Token::Start(tag));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(html: &str) -> Vec<String> {
        let mut tokens = Tokens::new(html);
        let mut read = Vec::new();
        while let Some(token) = tokens.next_token() {
            read.push(match token {
                Token::Text(text) => format!("text {text}"),
                Token::Start(tag) => format!(
                    "<{}{}{}>",
                    tag.written_name,
                    tokens.attributes().href.map(|h| format!(" href={h}")).unwrap_or_default(),
                    if tag.self_closing { " /" } else { "" }
                ),
                Token::End(tag) => format!("</{}>", String::from_utf8_lossy(tag.name.as_bytes())),
                Token::RawText(kind, text) => format!("{kind:?} {text}"),
            });
        }
        read
    }

    #[test]
    fn lone_angle_brackets_are_text() {
        assert_eq!(tokens("a < b <3 <b>x</b>"), ["text a < b <3 ", "<b>", "text x", "</b>"]);
        assert_eq!(tokens("x <"), ["text x <"]);
        assert_eq!(tokens("x </"), ["text x ", "text </"]);
    }

    #[test]
    fn quotes_count_only_around_values() {
        assert_eq!(tokens(r#"<a href=">" title='x>"y'>t"#), ["<a href=>>", "text t"]);
        assert_eq!(tokens("<p class=it's>text's end</p>"), ["<p>", "text text's end", "</p>"]);
        assert_eq!(tokens(r#"<a title="x href=y" HREF=z href=w>"#), ["<a href=z>"]);
        // An unquoted value takes a `/` before `>`: that tag is not self-closing.
        assert_eq!(tokens(r#"<br/><a href="x"/><a href=y/>"#), ["<br />", "<a href=x />", "<a href=y/>"]);
        assert_eq!(tokens("<a href='x"), Vec::<String>::new(), "a tag cut by the end is dropped");
    }

    #[test]
    fn declarations_comments_and_bogus_comments_end_as_in_browsers() {
        assert_eq!(tokens(r#"<!DOCTYPE html PUBLIC "a>b">x"#), ["text b\">x"]);
        assert_eq!(tokens("<?xml version='1.0'?>x</ 3>y</>z"), ["text x", "text y", "text z"]);
        assert_eq!(tokens("<!-- <a href=x> -->x<!-->y<!--->z<!--"), ["text x", "text y", "text z"]);
        assert_eq!(tokens("<!-- a --!>x<!-- b --->y<!-- c -- d -!>e --!x-->z"), ["text x", "text y", "text z"]);
    }

    #[test]
    fn raw_text_elements_hold_no_markup() {
        assert_eq!(
            tokens("<title>a <b></title >x<textarea>&lt;</textareax></textarea>"),
            ["<title>", "Title a <b>", "</title>", "text x", "<textarea>", "Textarea &lt;</textareax>", "</textarea>"]
        );
        assert_eq!(tokens("<script></script><xmp>"), ["<script>", "Script ", "</script>", "<xmp>", "Xmp "]);
        assert_eq!(tokens("<plaintext></plaintext>"), ["<plaintext>", "Plaintext </plaintext>"]);
    }

    #[test]
    fn hostile_markup_is_read_in_one_pass() {
        let n = 200_000;
        for html in [
            "<".repeat(n),
            "<a ".repeat(n),
            "<a b='".repeat(n),
            "</a".repeat(n),
            "<script></scrip".repeat(n / 10),
            "<!--".to_string() + &"-!".repeat(n),
        ] {
            assert!(tokens(&html).len() <= html.len());
        }
    }

    proptest::proptest! {
        #[test]
        fn text_tokens_are_the_body_less_its_markup(html in "[<>a-z=\"'/!? -]{0,80}") {
            // Whatever the input, tokens come in order and never overlap: their texts are pieces of it.
            let mut rest = html.as_str();
            let mut tokens = Tokens::new(&html);
            while let Some(token) = tokens.next_token() {
                if let Token::Text(text) | Token::RawText(_, text) = token {
                    let at = rest.find(text).expect("text in order");
                    rest = &rest[at + text.len()..];
                }
            }
        }
    }
}
