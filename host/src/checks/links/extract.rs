//! Link extraction: from the tags of each HTML body, met in the single forward pass over it that
//! also reads its text (no DOM, no backtracking; see `checks::html`), and a scan of the plain text for `http://`, `https://` and `www.` URLs. Every loop advances its cursor, so the
//! work is linear in the input whatever the markup looks like.

use std::borrow::Cow;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use rustc_hash::{FxHashMap, FxHashSet};
use unicode_normalization::UnicodeNormalization;
use url::{Host, Url};

use super::{Link, LinkSource};
use crate::Limits;
use crate::checks::html::{Attributes, StartTag};
use crate::domain;

/// Longest URL kept: beyond this a `data:` blob or padding attack is cut (the host is at the front).
const MAX_URL_BYTES: usize = 8 * 1024;
/// Longest visible anchor text kept, in bytes of raw HTML and in characters once cleaned.
const MAX_TEXT_BYTES: usize = 4 * 1024;
const MAX_TEXT_CHARS: usize = 300;

/// Collects links in document order, dropping duplicates and counting those beyond the cap. The sets
/// hold SipHash values of the links (see [`hash_of`]), bounded in number: hashed again, they need no
/// defence against flooding.
struct Collector {
    max: usize,
    links: Vec<Link>,
    seen: FxHashSet<u64>,
    /// The URLs of `links`, each with the index of its first link.
    seen_urls: FxHashMap<u64, usize>,
    omitted: usize,
}

fn hash_of(value: impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

impl Collector {
    /// `written` is the attribute as the HTML writes it, `raw_url` the same with references decoded.
    fn push(&mut self, raw_url: &str, written: Option<&str>, text: Option<String>, source: LinkSource) {
        let url = clean_url(raw_url);
        // Repeats are dropped before the URL is parsed: whether it parses depends on the URL alone, and
        // only links that did are remembered.
        let url_hash = hash_of(&url);
        // The text part of a multipart/alternative mail repeats the HTML's URLs: one entry is enough.
        if source == LinkSource::Text && self.seen_urls.contains_key(&url_hash) {
            return;
        }
        let key = hash_of((url_hash, &text, source.as_str()));
        if self.seen.contains(&key) {
            return;
        }
        let written_host = written.map(|w| undecoded(w, host_range(raw_url)).to_string());
        // A newsletter links the same URL from its picture, its title and its button: parsed once.
        let earlier = self.seen_urls.get(&url_hash).and_then(|&i| self.links.get(i)).filter(|l| l.url == url);
        let link = match earlier {
            Some(earlier) => relinked(earlier, url, written_host, text, source),
            None => {
                let Some(link) = make_link(url, written_host, text, source) else { return };
                link
            }
        };
        // Past the cap the set stops growing (bounded memory); the omitted count may then overcount repeats.
        if self.seen.len() < self.max.saturating_mul(4).max(64) {
            self.seen.insert(key);
        }
        if self.links.len() >= self.max {
            self.omitted += 1;
            return;
        }
        self.seen_urls.entry(url_hash).or_insert(self.links.len());
        self.links.push(link);
    }
}

/// The links of a message's bodies: each HTML body's tags and text come from the one pass over it
/// that also reads its text (`content::scan_html_and_links`), then the plain text is read.
pub struct LinkTags {
    out: Collector,
    anchor: Option<OpenAnchor>,
}

impl LinkTags {
    pub fn new(limits: &Limits) -> LinkTags {
        let out = Collector {
            max: limits.max_links,
            links: Vec::new(),
            seen: FxHashSet::default(),
            seen_urls: FxHashMap::default(),
            omitted: 0,
        };
        LinkTags { out, anchor: None }
    }

    /// Text as written (references not decoded).
    pub(crate) fn text(&mut self, text: &str) {
        if let Some(a) = self.anchor.as_mut() {
            append_capped(&mut a.raw_text, text);
        }
    }

    pub(crate) fn start_tag(&mut self, tag: &StartTag, attributes: &Attributes) {
        let (url, source) = match tag.name.as_bytes() {
            // An `<a>` inside another closes it, as browsers do.
            b"a" => {
                close_anchor(self.anchor.take(), &mut self.out);
                self.anchor = attributes.href.map(link_value).map(|(url, written)| OpenAnchor {
                    url,
                    written,
                    raw_text: String::new(),
                });
                return;
            }
            b"area" => (attributes.href, LinkSource::Href),
            b"form" => (attributes.action, LinkSource::Form),
            b"button" | b"input" => (attributes.formaction, LinkSource::Form),
            b"iframe" | b"frame" => (attributes.src, LinkSource::Src),
            name => {
                if is_block(name) {
                    self.text(" ");
                }
                return;
            }
        };
        if let Some((url, written)) = url.map(link_value) {
            self.out.push(&url, Some(&written), None, source);
        }
    }

    /// An end tag, by its lower-case name.
    pub(crate) fn end_tag(&mut self, name: &[u8]) {
        if name == b"a" {
            close_anchor(self.anchor.take(), &mut self.out);
        } else if is_block(name) {
            self.text(" ");
        }
    }

    /// An anchor left open closes with its body.
    pub(crate) fn end_of_body(&mut self) {
        close_anchor(self.anchor.take(), &mut self.out);
    }

    /// The links of the HTML bodies and then of the plain `text`, up to `limits.max_links`, and how many
    /// more were left out.
    pub fn finish(mut self, text: &str) -> (Vec<Link>, usize) {
        scan_text(text, &mut self.out);
        (self.out.links, self.out.omitted)
    }
}

/// The links of HTML bodies and then of a plain text, the bodies read as a message's view reads them
/// (the view keeps its bodies' scans: it uses [`LinkTags`] itself).
pub fn extract(html: &[impl AsRef<str>], text: &str, limits: &Limits) -> (Vec<Link>, usize) {
    let mut tags = LinkTags::new(limits);
    for body in html {
        crate::checks::content::scan_html_and_links(body.as_ref(), &mut tags);
    }
    tags.finish(text)
}

/// A link attribute's value with references decoded, and as written (both bounded).
fn link_value(written: &str) -> (String, String) {
    let written = &written[..written.floor_char_boundary(MAX_URL_BYTES * 2)];
    (decode_entities(written).into_owned(), written.to_string())
}

/// Trims what browsers ignore around and inside a URL attribute (spaces, tabs, newlines).
fn clean_url(raw: &str) -> String {
    let trimmed = raw.trim_matches(|c: char| c.is_whitespace() || c.is_control());
    let breaks = ['\t', '\n', '\r'];
    let mut url: String = if trimmed.contains(breaks) {
        trimmed.chars().filter(|c| !breaks.contains(c)).collect()
    } else {
        trimmed.into()
    };
    if url.len() > MAX_URL_BYTES {
        url.truncate(url.floor_char_boundary(MAX_URL_BYTES));
    }
    url
}

/// Builds a link from an absolute URL (or a scheme-less `www.` one). Relative links, `mailto:`,
/// `cid:` and in-page anchors are not links out of the mail and are dropped. `written_host` is the
/// host as the source writes it, when that differs from the URL's (character references in HTML).
pub(super) fn make_link(
    url: String,
    written_host: Option<String>,
    text: Option<String>,
    source: LinkSource,
) -> Option<Link> {
    // Only `W` lower-cases to `w`: an ASCII comparison finds the same prefix.
    let parse_as: Cow<str> = if url.get(..4).is_some_and(|start| start.eq_ignore_ascii_case("www.")) {
        format!("http://{url}").into()
    } else if url.starts_with("//") {
        format!("http:{url}").into()
    } else {
        url.as_str().into()
    };
    // A host with control or invisible characters does not resolve as written; what is left once
    // they are dropped is where the sender meant to send the reader, and the link is judged by that.
    // A percent-escaped port (`:%38%30`) is refused by today's parsers, but older browsers opened it and
    // it is written so only to hide the address from filters: the link is judged by the port it encodes.
    let parsed = Url::parse(&parse_as)
        .ok()
        .or_else(|| Url::parse(&without_host_junk(&parse_as)?).ok())
        .or_else(|| Url::parse(&with_port_unescaped(&parse_as)?).ok())?;
    let bare = |url| Link {
        url,
        text,
        source,
        host: None,
        host_ascii: None,
        registrable: None,
        parsed: None,
        disguised_host: None,
    };
    match parsed.scheme() {
        "http" | "https" | "ftp" => {}
        "javascript" | "data" | "vbscript" => return Some(bare(url)),
        _ => return None,
    }
    let (host_ascii, host, registrable) = match parsed.host()? {
        Host::Domain(d) => {
            let ascii = domain::normalize_host(d)?;
            let (unicode, _) = idna::domain_to_unicode(&ascii);
            let registrable = domain::registrable(&ascii);
            (ascii, unicode.to_lowercase(), registrable)
        }
        Host::Ipv4(ip) => (ip.to_string(), ip.to_string(), None),
        Host::Ipv6(ip) => (ip.to_string(), ip.to_string(), None),
    };
    Some(Link {
        disguised_host: disguised_host(Some(&parsed), written_host, &url),
        host: Some(host),
        host_ascii: Some(host_ascii),
        registrable,
        parsed: Some(parsed),
        ..bare(url)
    })
}

/// `earlier`, a link made from the same URL, for another place it is linked from: what the URL alone
/// decides is copied from it, not worked out again.
fn relinked(
    earlier: &Link,
    url: String,
    written_host: Option<String>,
    text: Option<String>,
    source: LinkSource,
) -> Link {
    Link {
        disguised_host: disguised_host(earlier.parsed.as_ref(), written_host, &url),
        url,
        text,
        source,
        host: earlier.host.clone(),
        host_ascii: earlier.host_ascii.clone(),
        registrable: earlier.registrable.clone(),
        parsed: earlier.parsed.clone(),
    }
}

/// The host as written, when it hides the name the browser goes to (see [`Link::disguised_host`]).
fn disguised_host(parsed: Option<&Url>, written_host: Option<String>, url: &str) -> Option<String> {
    // IP numbers written oddly are the IP checks' concern.
    matches!(parsed.and_then(Url::host), Some(Host::Domain(_)))
        .then(|| written_host.unwrap_or_else(|| self::written_host(url).to_string()))
        .filter(|w| is_disguised_host(w))
        .map(|w| w.chars().take(MAX_WRITTEN_HOST_CHARS).collect())
}

/// Longest written host kept as evidence.
const MAX_WRITTEN_HOST_CHARS: usize = 120;

/// Byte range of the host in a URL as written: after the scheme's slashes and any `user@`, up to the
/// port or the first `/`, `?`, `#` or `\` (which browsers read as `/`).
fn host_range(url: &str) -> std::ops::Range<usize> {
    let bytes = url.as_bytes();
    let lead = url.len() - url.trim_start_matches(|c: char| c.is_whitespace() || c.is_control()).len();
    let scheme_len = bytes[lead..].iter().position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')));
    let mut start = match scheme_len {
        Some(n) if n > 0 && bytes[lead + n] == b':' && bytes[lead].is_ascii_alphabetic() => lead + n + 1,
        _ => lead,
    };
    start += bytes[start..].iter().take_while(|b| matches!(b, b'/' | b'\\')).count();
    let end = start
        + bytes[start..].iter().position(|b| matches!(b, b'/' | b'?' | b'#' | b'\\')).unwrap_or(bytes.len() - start);
    // The last `@` ends the user name; `:` then starts the port (inside `[…]` it is IPv6).
    // The bytes searched for are ASCII (character boundaries): found by memchr, which costs less on
    // these few bytes than setting up a `char` searcher.
    let host_start = memchr::memrchr(b'@', &bytes[start..end]).map_or(start, |at| start + at + 1);
    let host = &bytes[host_start..end];
    let host_end = if host.starts_with(b"[") {
        memchr::memchr(b']', host).map_or(end, |i| host_start + i + 1)
    } else {
        memchr::memchr(b':', host).map_or(end, |i| host_start + i)
    };
    host_start..host_end
}

/// The host as written in a URL (before the parser turns `0x7f.1` into `127.0.0.1` or `&#97;` into `a`).
pub(super) fn written_host(url: &str) -> &str {
    &url[host_range(url)]
}

/// The part of `html` (text with character references) whose decoding is bytes `range` of
/// `decode_entities(html)` (each reference decodes to one character, so the ends fall between them).
fn undecoded(html: &str, range: std::ops::Range<usize>) -> &str {
    let (mut raw, mut decoded) = (0, 0);
    let mut start = None;
    while raw < html.len() && decoded < range.end {
        if start.is_none() && decoded >= range.start {
            start = Some(raw);
        }
        let rest = &html[raw..];
        let (c, used) = match rest.strip_prefix('&').and_then(decode_one) {
            Some((c, used)) => (c, used + 1),
            None => rest.chars().next().map_or(('&', 1), |c| (c, c.len_utf8())),
        };
        raw += used;
        decoded += c.len_utf8();
    }
    html.get(start.unwrap_or(raw)..raw).unwrap_or_default()
}

/// Whether a host as written hides the name the browser will go to: character references or percent
/// escapes, letters the browser folds into others (styled or full-width), invisible or control
/// characters. Line breaks are dropped by browsers and by us alike; other ASCII punctuation is more
/// often prose run into a plain-text URL (`www.example.com's`) than a disguise.
fn is_disguised_host(written: &str) -> bool {
    written.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).any(|c| {
        if c.is_ascii() {
            return matches!(c, '&' | '%') || c.is_ascii_control();
        }
        let plain = c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c);
        !plain || c.is_control() || !c.nfkc().eq(std::iter::once(c))
    })
}

/// The URL with control and invisible characters removed from its host, if it had any.
fn without_host_junk(url: &str) -> Option<String> {
    let range = host_range(url);
    let host = &url[range.clone()];
    let junk = |c: char| c.is_control() || is_invisible(c);
    if !host.contains(junk) {
        return None;
    }
    let cleaned: String = host.chars().filter(|c| !junk(*c)).collect();
    Some(format!("{}{cleaned}{}", &url[..range.start], &url[range.end..]))
}

/// The URL with its percent-escaped port written as the digits it encodes, if it has such a port.
fn with_port_unescaped(url: &str) -> Option<String> {
    let host_end = host_range(url).end;
    let rest = url[host_end..].strip_prefix(':')?;
    let port_len = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    let port = &rest[..port_len];
    if !port.contains('%') {
        return None;
    }
    let digits = super::encoded::percent_decode(port);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(format!("{}:{digits}{}", &url[..host_end], &rest[port_len..]))
}

/// An `<a>` whose closing tag has not been seen yet: its URL and the raw HTML of its content.
struct OpenAnchor {
    url: String,
    written: String,
    raw_text: String,
}

fn close_anchor(anchor: Option<OpenAnchor>, out: &mut Collector) {
    if let Some(a) = anchor {
        let text = visible_text(&a.raw_text);
        out.push(&a.url, Some(&a.written), (!text.is_empty()).then_some(text), LinkSource::Href);
    }
}

/// Tags that start a new line when rendered: their boundary separates words of the anchor text.
fn is_block(tag: &[u8]) -> bool {
    matches!(
        tag,
        b"br"
            | b"p"
            | b"div"
            | b"td"
            | b"th"
            | b"tr"
            | b"li"
            | b"table"
            | b"h1"
            | b"h2"
            | b"h3"
            | b"h4"
            | b"h5"
            | b"h6"
            | b"hr"
    )
}

fn append_capped(buf: &mut String, text: &str) {
    let room = MAX_TEXT_BYTES.saturating_sub(buf.len());
    if room == 0 {
        return;
    }
    buf.push_str(&text[..text.floor_char_boundary(room)]);
}

/// Characters that render as nothing: used to break up words so filters miss them.
fn is_invisible(c: char) -> bool {
    // NUL included: HTML parsers drop it from text, so `pay\0pal.com` reads as `paypal.com`.
    matches!(c, '\0' | '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}' | '\u{034F}')
}

/// What a reader sees of an anchor's content (the scanner already left the tags out): entities
/// decoded, invisible characters dropped, whitespace collapsed.
fn visible_text(raw: &str) -> String {
    let decoded = decode_entities(raw);
    // Never longer than the decoded text: it keeps some of its characters and one space per run.
    let mut text = String::with_capacity(decoded.len());
    let mut count = 0;
    for word in decoded.split(char::is_whitespace) {
        // Copied piece by piece between invisible characters; a word of nothing but them is no word:
        // the space goes before a visible one.
        for (i, piece) in word.split(is_invisible).filter(|piece| !piece.is_empty()).enumerate() {
            if i == 0 && !text.is_empty() {
                text.push(' ');
            }
            match piece.char_indices().nth(MAX_TEXT_CHARS - count) {
                Some((cut, _)) => {
                    text.push_str(&piece[..cut]);
                    return text;
                }
                None => {
                    text.push_str(piece);
                    count += piece.chars().count();
                }
            }
        }
    }
    text
}

/// Decodes character references: numeric ones and the named ones that appear in URLs and link texts.
/// Unknown names are left as written; a text without references (most texts and URLs) is borrowed.
pub fn decode_entities(s: &str) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        match decode_one(after) {
            Some((decoded, used)) => {
                out.push(decoded);
                rest = &after[used..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The character a numeric reference stands for in HTML: 0x80–0x9F are read as Windows-1252, as
/// browsers do (`&#159;` is `Ÿ`, not a control character); NUL, surrogates and numbers past Unicode
/// become U+FFFD.
pub(crate) fn numeric_reference(value: u32) -> char {
    const WINDOWS_1252: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}', '\u{90}', '‘',
        '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
    ];
    match value {
        0x80..=0x9F => WINDOWS_1252[(value - 0x80) as usize],
        _ => char::from_u32(value).filter(|c| *c != '\0').unwrap_or('\u{FFFD}'),
    }
}

/// Decodes the reference at the start of `s` (just after `&`): the character and bytes consumed.
fn decode_one(s: &str) -> Option<(char, usize)> {
    let bytes = s.as_bytes();
    if bytes.first() == Some(&b'#') {
        let (radix, digits_start) = if matches!(bytes.get(1), Some(b'x' | b'X')) { (16, 2) } else { (10, 1) };
        let digits = bytes[digits_start..].iter().take(8).take_while(|b| (**b as char).is_digit(radix)).count();
        if digits == 0 {
            return None;
        }
        let end = digits_start + digits;
        let value = u32::from_str_radix(&s[digits_start..end], radix).ok()?;
        let c = numeric_reference(value);
        let used = if bytes.get(end) == Some(&b';') { end + 1 } else { end };
        return Some((c, used));
    }
    let name_len = bytes.iter().take(8).take_while(|b| b.is_ascii_alphanumeric()).count();
    let name = &s[..name_len];
    let c = match name {
        "amp" | "AMP" => '&',
        "lt" | "LT" => '<',
        "gt" | "GT" => '>',
        "quot" | "QUOT" => '"',
        "apos" => '\'',
        "nbsp" => '\u{A0}',
        "sol" => '/',
        "colon" => ':',
        "period" => '.',
        "commat" => '@',
        "quest" => '?',
        "equals" => '=',
        "num" => '#',
        "percnt" => '%',
        "lowbar" => '_',
        "hyphen" | "dash" => '-',
        "shy" => '\u{AD}',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "yen" => '¥',
        "ensp" | "emsp" | "thinsp" => ' ',
        "zwj" => '\u{200D}',
        "zwnj" => '\u{200C}',
        _ => return None,
    };
    let used = if bytes.get(name_len) == Some(&b';') { name_len + 1 } else { name_len };
    Some((c, used))
}

/// Where `https://`, `http://` and `www.` (any case) stand in `text`, left to right and not
/// overlapping, `https://` before `http://`: each start with the end of what was found there. Found
/// from the `://` of the schemes and from each `w`, rarer in text than the `.`, `:` and `/` an
/// automaton for the three would stop at.
fn url_starts(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = text.as_bytes();
    let is = |at: usize, word: &[u8]| bytes.get(at..at + word.len()).is_some_and(|b| b.eq_ignore_ascii_case(word));
    let scheme_before = move |colon: usize| {
        let https = colon.checked_sub(5).filter(|&start| is(start, b"https"));
        https.or_else(|| colon.checked_sub(4).filter(|&start| is(start, b"http"))).map(|start| (start, colon + 3))
    };
    let mut schemes = memchr::memmem::find_iter(bytes, b"://").filter_map(scheme_before).peekable();
    let mut webs =
        memchr::memchr2_iter(b'w', b'W', bytes).filter(move |&w| is(w, b"www.")).map(|w| (w, w + 4)).peekable();
    let mut from = 0;
    std::iter::from_fn(move || {
        // What starts inside the last one found is part of it.
        while schemes.next_if(|&(start, _)| start < from).is_some() {}
        while webs.next_if(|&(start, _)| start < from).is_some() {}
        let found = match (schemes.peek(), webs.peek()) {
            (Some(scheme), Some(web)) if web.0 < scheme.0 => webs.next(),
            (Some(_), _) => schemes.next(),
            (None, _) => webs.next(),
        }?;
        from = found.1;
        Some(found)
    })
}

/// Scripts written without spaces, whose text often runs straight on after a URL: they end it.
fn ends_text_url(c: char) -> bool {
    matches!(c,
        '\u{3000}'..='\u{30FF}' | '\u{3400}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{FF00}'..='\u{FFEF}'
        | '\u{AC00}'..='\u{D7AF}')
        || c.is_whitespace()
        || c.is_control()
        || matches!(c, '<' | '>' | '"' | '`' | '{' | '}' | '|' | '\\' | '^' | '「' | '」')
}

fn scan_text(text: &str, out: &mut Collector) {
    let bytes = text.as_bytes();
    let mut consumed = 0;
    for (start, found_end) in url_starts(text) {
        if start < consumed {
            continue;
        }
        // `www.` only at a word start, so `awww.` or `foo.www.` do not begin a URL.
        if found_end - start == 4
            && start > 0
            && matches!(bytes[start - 1], b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'/')
        {
            continue;
        }
        let mut end = found_end;
        // Host characters may be non-ASCII (IDN); after the host only ASCII continues a URL.
        let mut in_host = true;
        for (i, c) in text[found_end..].char_indices() {
            if ends_text_url(c) || (!in_host && !c.is_ascii()) {
                break;
            }
            if matches!(c, '/' | '?' | '#') {
                in_host = false;
            }
            end = found_end + i + c.len_utf8();
        }
        consumed = end;
        // Only the front of a huge run is kept (the host is there); the rest is consumed unread.
        let capped = start + text[start..end].floor_char_boundary(MAX_URL_BYTES);
        let url = trim_trailing_punctuation(&text[start..capped]);
        if url.len() > found_end - start {
            out.push(url, None, None, LinkSource::Text);
        }
    }
}

/// Drops sentence punctuation that follows a URL in prose; a `)` or `]` stays when the URL opened
/// one. One pass: the bracket balance is counted once and updated as characters are dropped.
fn trim_trailing_punctuation(url: &str) -> &str {
    let mut parens = url.matches('(').count() as isize - url.matches(')').count() as isize;
    let mut brackets = url.matches('[').count() as isize - url.matches(']').count() as isize;
    let mut end = url.len();
    for c in url.chars().rev() {
        let drop = match c {
            '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '*' | '、' | '。' => true,
            ')' if parens < 0 => {
                parens += 1;
                true
            }
            ']' if brackets < 0 => {
                brackets += 1;
                true
            }
            _ => false,
        };
        if !drop {
            break;
        }
        end -= c.len_utf8();
    }
    &url[..end]
}

#[cfg(test)]
mod tests {
    use aho_corasick::{AhoCorasick, MatchKind};

    use super::*;

    /// `visible_text` as it was written first, character by character.
    fn visible_text_char_by_char(raw: &str) -> String {
        let mut text = String::new();
        let mut count = 0;
        for word in decode_entities(raw).split(char::is_whitespace) {
            let mut first = true;
            for c in word.chars().filter(|c| !is_invisible(*c)) {
                if first && !text.is_empty() {
                    text.push(' ');
                }
                first = false;
                if count >= MAX_TEXT_CHARS {
                    return text;
                }
                text.push(c);
                count += 1;
            }
        }
        text
    }

    proptest::proptest! {
        #[test]
        fn visible_text_is_read_as_character_by_character(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec!["a", "bé", "\0", "\u{200B}", " ", "\n ", "&amp;", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxx"]),
                0..60,
            )
        ) {
            let raw = pieces.concat();
            proptest::prop_assert_eq!(visible_text(&raw), visible_text_char_by_char(&raw));
        }

        #[test]
        fn url_starts_are_what_a_leftmost_first_automaton_finds(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec!["http", "HTTPs", "s", "://", ":/", "w", "W", "ww", ".", " ", "é", "x"]),
                0..24,
            )
        ) {
            let text = pieces.concat();
            let automaton = AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::LeftmostFirst)
                .build(["https://", "http://", "www."])
                .unwrap();
            let expected: Vec<(usize, usize)> = automaton.find_iter(&text).map(|m| (m.start(), m.end())).collect();
            proptest::prop_assert_eq!(url_starts(&text).collect::<Vec<_>>(), expected);
        }
    }

    fn links_of(html: &str, text: &str) -> Vec<Link> {
        extract(&[html], text, &Limits::default()).0
    }

    #[test]
    fn anchors_with_visible_text() {
        let links = links_of(
            r#"<p>Hi <a HREF="https://evil.example.net/x?a=1&amp;b=2" class=btn><b>www.pay</b>pal.com&nbsp;<br>login</a></p>"#,
            "",
        );
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].url, "https://evil.example.net/x?a=1&b=2");
        assert_eq!(links[0].text.as_deref(), Some("www.paypal.com login"));
        assert_eq!(links[0].host.as_deref(), Some("evil.example.net"));
        assert_eq!(links[0].registrable.as_deref(), Some("example.net"));
        assert_eq!(links[0].source, LinkSource::Href);
    }

    #[test]
    fn anchor_text_drops_invisible_characters_and_words_made_only_of_them() {
        assert_eq!(visible_text("  pay\u{200B}pal \u{200B}\u{FEFF} &#8203; log&shy;in\n "), "paypal login");
        assert_eq!(visible_text("\u{200B} a"), "a");
        // Cut at `MAX_TEXT_CHARS` characters of words, after the space before the next one.
        assert_eq!(visible_text(&"ab ".repeat(200)), format!("{} ", ["ab"; MAX_TEXT_CHARS / 2].join(" ")));
    }

    #[test]
    fn entities_in_attributes_are_decoded() {
        let links = links_of("<a href='&#104;ttps&#x3a;//example.com/&#64;x'>t</a>", "");
        assert_eq!(links[0].url, "https://example.com/@x");
    }

    #[test]
    fn nested_anchor_closes_the_previous_one() {
        let links = links_of(r#"<a href="https://a.example.com/">one <a href="https://b.example.com/">two</a>"#, "");
        let texts: Vec<_> = links.iter().map(|l| (l.host.clone().unwrap(), l.text.clone().unwrap())).collect();
        assert_eq!(texts, [("a.example.com".into(), "one".into()), ("b.example.com".into(), "two".into())]);
    }

    #[test]
    fn comments_scripts_and_styles_hide_nothing_visible() {
        let html = r#"<!-- <a href="https://c.example.com/">x</a> --><script>var s="<a href='https://s.example.com/'>";</script>
            <style>a{}</STYLE><a href="https://v.example.com/">ok</a>"#;
        let hosts: Vec<_> = links_of(html, "").into_iter().filter_map(|l| l.host).collect();
        assert_eq!(hosts, ["v.example.com"]);
    }

    #[test]
    fn unterminated_markup_does_not_hang_or_panic() {
        for html in [
            "<a href=\"https://x.example.com/",
            "<a href=https://x.example.com/>text",
            "<a",
            "<",
            "<!--",
            "<script>",
            "<a href='https://y.example.com/'>a<b",
            "<a =\"\" / href=https://z.example.com/>z</a>",
            "<a href=\"\u{3042}\">",
        ] {
            let _ = links_of(html, "");
        }
        let links = links_of("<a href=https://x.example.com/>text", "");
        assert_eq!(links[0].text.as_deref(), Some("text"));
    }

    #[test]
    fn huge_attribute_is_bounded() {
        let html = format!("<a href=\"https://big.example.com/{}\">big</a>", "a".repeat(5_000_000));
        let links = links_of(&html, "");
        assert_eq!(links.len(), 1);
        assert!(links[0].url.len() <= MAX_URL_BYTES);
        assert_eq!(links[0].host.as_deref(), Some("big.example.com"));
    }

    #[test]
    fn ten_thousand_links_are_capped_and_counted() {
        let html: String = (0..10_000).map(|i| format!("<a href=\"https://h{i}.example.com/\">{i}</a>")).collect();
        let limits = Limits { max_links: 2_000, ..Limits::default() };
        let (links, omitted) = extract(&[html], "", &limits);
        assert_eq!(links.len(), 2_000);
        assert_eq!(omitted, 8_000);
    }

    #[test]
    fn duplicates_are_dropped_and_text_repeats_of_hrefs_too() {
        let html = r#"<a href="https://x.example.com/">a</a><a href="https://x.example.com/">a</a><a href="https://x.example.com/">b</a>"#;
        let (links, omitted) = extract(&[html], "see https://x.example.com/ now", &Limits::default());
        assert_eq!(links.len(), 2);
        assert_eq!(omitted, 0);
    }

    #[test]
    fn forms_buttons_frames_and_areas() {
        let html = r#"<form action="https://f.example.com/post"><button formaction="https://g.example.com/">go</button></form>
            <iframe src="https://i.example.com/"></iframe><img src="https://pixel.example.com/p.gif"><map><area href="https://m.example.com/"></map>"#;
        let got: Vec<_> = links_of(html, "").into_iter().map(|l| (l.host.unwrap(), l.source)).collect();
        assert_eq!(
            got,
            [
                ("f.example.com".into(), LinkSource::Form),
                ("g.example.com".into(), LinkSource::Form),
                ("i.example.com".into(), LinkSource::Src),
                ("m.example.com".into(), LinkSource::Href),
            ]
        );
    }

    #[test]
    fn relative_mailto_and_anchors_are_not_links_out_but_script_schemes_are() {
        let html = r##"<a href="/local">l</a><a href="mailto:a@example.com">m</a><a href="#top">t</a>
            <a href=" javascript:alert(1)">j</a><a href="data:text/html;base64,PGgxPg==">d</a>"##;
        let urls: Vec<_> = links_of(html, "").into_iter().map(|l| l.url).collect();
        assert_eq!(urls, ["javascript:alert(1)", "data:text/html;base64,PGgxPg=="]);
    }

    #[test]
    fn plain_text_urls() {
        let text = "ログイン：https://miwamoku.net/activemail.kagoya.com/?e=aGk=をクリック。\n\
                    See (www.Example.org/path). Also http://a.example.com/x, and awww.no.example.com";
        let urls: Vec<_> = links_of("", text).into_iter().map(|l| l.url).collect();
        assert_eq!(
            urls,
            ["https://miwamoku.net/activemail.kagoya.com/?e=aGk=", "www.Example.org/path", "http://a.example.com/x"]
        );
    }

    proptest::proptest! {
        /// Arbitrary markup-ish input never panics and respects the cap.
        #[test]
        fn arbitrary_input_never_panics(html in "[<>a-z=\"'/&#;:. \u{3042}-\u{3045}h]{0,300}", text in "[a-z:/.()w ]{0,120}") {
            let limits = Limits { max_links: 5, ..Limits::default() };
            let (links, _) = extract(std::slice::from_ref(&html), &text, &limits);
            proptest::prop_assert!(links.len() <= 5);
            let _ = super::super::encoded::find_address(&html, &["a@b.jp".to_string()]);
        }
    }

    #[test]
    fn huge_text_urls_and_bracket_runs_stay_linear() {
        let text = format!("http://x.example.com/{}{}", "a".repeat(1_000_000), ")".repeat(1_000_000));
        let links = links_of("", &text);
        assert_eq!(links.len(), 1);
        assert!(links[0].url.len() <= MAX_URL_BYTES);
        assert_eq!(trim_trailing_punctuation("http://e.com/a_(b))."), "http://e.com/a_(b)");
    }

    #[test]
    fn idn_hosts_keep_punycode_and_show_unicode() {
        let links = links_of(r#"<a href="https://xn--pple-43d.com/">x</a>"#, "http://аpple.com/login");
        assert_eq!(links[0].host.as_deref(), Some("аpple.com"));
        assert_eq!(links[0].host_ascii.as_deref(), Some("xn--pple-43d.com"));
        assert_eq!(links[0].registrable.as_deref(), Some("xn--pple-43d.com"));
        assert_eq!(links[1].host_ascii.as_deref(), Some("xn--pple-43d.com"));
    }

    #[test]
    fn references_in_the_c1_range_are_windows_1252_as_in_browsers() {
        assert_eq!(numeric_reference(159), 'Ÿ');
        assert_eq!(numeric_reference(0x80), '€');
        assert_eq!(numeric_reference(0x81), '\u{81}');
        assert_eq!(numeric_reference(0), '\u{FFFD}');
        assert_eq!(numeric_reference(0xD800), '\u{FFFD}');
        assert_eq!(decode_entities("a&#156;b&#x9F;c"), "aœbŸc");
    }

    #[test]
    fn a_percent_escaped_port_is_read_as_its_digits() {
        let links = links_of(r#"<a href="http://%31%32%37%2E%30%2E%30%2E%31:%38%37/%73%74/">x</a>"#, "");
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].host.as_deref(), Some("127.0.0.1"));
        assert_eq!(links[0].parsed.as_ref().and_then(Url::port), Some(87));
        assert_eq!(with_port_unescaped("http://a.example:%38%30?q"), Some("http://a.example:80?q".into()));
        // Only a port that is all digits once unescaped; a plain bad port stays unparseable.
        assert_eq!(with_port_unescaped("http://a.example:%41%42/"), None);
        assert_eq!(with_port_unescaped("http://a.example:%/"), None);
        assert_eq!(with_port_unescaped("http://a.example:80x/"), None);
        assert_eq!(with_port_unescaped("http://a.example/%3A%38"), None);
    }

    #[test]
    fn disguised_hosts_are_kept_as_links_and_marked() {
        let disguised = |html: &str| {
            let links = links_of(html, "");
            assert_eq!(links.len(), 1, "{html}");
            (links[0].host.clone().unwrap_or_default(), links[0].disguised_host.clone())
        };
        // Character references (a C1 one included), percent escapes, styled letters, invisible characters.
        assert_eq!(
            disguised(r#"<a href="  http://x&#159;y&#156;z.example.com/p">go</a>"#),
            ("xÿyœz.example.com".into(), Some("x&#159;y&#156;z.example.com".into()))
        );
        assert_eq!(
            disguised(r#"<a href="http://%77%77%77.example.com/">go</a>"#),
            ("www.example.com".into(), Some("%77%77%77.example.com".into()))
        );
        assert_eq!(
            disguised("<a href=\"https://\u{1D69D}\u{1D68A}\u{1D694}\u{1D68E}.example.com/\">go</a>"),
            ("take.example.com".into(), Some("\u{1D69D}\u{1D68A}\u{1D694}\u{1D68E}.example.com".into()))
        );
        assert_eq!(
            disguised("<a href=\"https://pay\u{200B}pal.example.com/\">go</a>"),
            ("paypal.example.com".into(), Some("pay\u{200B}pal.example.com".into()))
        );
        // A raw control character makes the host unparseable: the link is kept without it.
        assert_eq!(
            disguised("<a href=\"http://pay\u{9F}pal.example.com/\">go</a>"),
            ("paypal.example.com".into(), Some("pay\u{9F}pal.example.com".into()))
        );
        // Plain names, IDNs, capitals, ports, user names, line breaks and prose after a text URL are not.
        for html in [
            "<a href=\"https://www.Example.com:8443/a%20b?x=%41\">go</a>",
            "<a href=\"https://münchen.example/\">go</a>",
            "<a href=\"https://user@www.example.com/\">go</a>",
            "<a href=\"https://www.exam\nple.com/\">go</a>",
            "<a href=\"&#104;ttps://www.example.com/\">go</a>",
        ] {
            assert_eq!(disguised(html).1, None, "{html}");
        }
        assert_eq!(links_of("", "see www.example.com's page")[0].disguised_host, None);
        // IP numbers written oddly are left to the IP checks.
        assert_eq!(links_of("", "http://0x7f.1/")[0].disguised_host, None);
    }

    #[test]
    fn written_hosts_skip_scheme_user_and_port() {
        assert_eq!(written_host("  http://a@b.example.com:80/x"), "b.example.com");
        assert_eq!(written_host("https:\\\\evil.example.com\\x"), "evil.example.com");
        assert_eq!(written_host("www.example.com/a//b"), "www.example.com");
        assert_eq!(written_host("http://[::1]:80/"), "[::1]");
        assert_eq!(written_host(""), "");
        assert_eq!(written_host("http:"), "");
        let html = " http://a&#64;b&#46;c/&#47;";
        assert_eq!(undecoded(html, host_range(&decode_entities(html))), "b&#46;c");
        assert_eq!(undecoded("x&amp;", 1..2), "&amp;");
        assert_eq!(undecoded("x", 5..9), "");
    }

    #[test]
    fn a_style_tag_inside_noframes_hides_no_links() {
        let html = r#"<noframes><xml><style></xml></noframes><a href="https://x.example.com/">x</a>
            <noembed><a href="https://hidden.example.com/">h</a></noembed><style>a{}</style>"#;
        let hosts: Vec<_> = links_of(html, "").into_iter().filter_map(|l| l.host).collect();
        assert_eq!(hosts, ["x.example.com"]);
    }

    #[test]
    fn ip_forms_are_normalised_by_the_url_parser() {
        let links = links_of("", "http://0x7f.0.0.1/ http://3232235777/ http://0300.0250.1.1/");
        let hosts: Vec<_> = links.into_iter().filter_map(|l| l.host).collect();
        assert_eq!(hosts, ["127.0.0.1", "192.168.1.1", "192.168.1.1"]);
    }
}
