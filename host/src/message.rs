//! The parsed view of one message, built once and shared by every checker: addresses, decoded
//! bodies, links, the Received chain and Authentication-Results.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::time::Instant;

use mail_parser::{Address, MessagePart, MimeHeaders, PartType};

use crate::checks::{
    attachments::Attachment, auth::AuthResult, content::HtmlScan, links::Link, received::Hop, sender::Claims,
};
use crate::domain;
use crate::knowledge::Knowledge;
use crate::model::Context;
use crate::{Limits, checks};

/// A parsed mailbox: display name and address, with the address's domain pre-computed.
#[derive(Debug, Clone, Default)]
pub struct Addr {
    pub name: Option<String>,
    pub address: String,
    pub domain: Option<String>,
    pub registrable: Option<String>,
}

impl Addr {
    fn new(name: Option<&str>, address: &str, limits: &Limits) -> Addr {
        let address = address.trim().to_string();
        let domain = domain::address_domain(&address);
        let registrable = domain.as_deref().and_then(domain::registrable);
        let name = name.map(str::trim).filter(|n| !n.is_empty()).map(|n| capped(n, limits.max_header_chars));
        Addr { name, address, domain, registrable }
    }

    fn first_of(address: Option<&Address>, limits: &Limits) -> Option<Addr> {
        Self::mailboxes(address, limits).next()
    }

    /// The first `limits.max_addresses` mailboxes of an address header.
    fn all_of(address: Option<&Address>, limits: &Limits) -> Vec<Addr> {
        Self::mailboxes(address, limits).take(limits.max_addresses).collect()
    }

    fn mailboxes<'x>(address: Option<&'x Address>, limits: &'x Limits) -> impl Iterator<Item = Addr> + 'x {
        address
            .into_iter()
            .flat_map(|a| a.iter())
            .filter_map(|a| Some(Addr::new(a.name.as_deref(), a.address.as_deref()?, limits)))
    }
}

/// `text` cut to its first `max_chars` characters.
fn capped(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => text[..end].to_string(),
        None => text.to_string(),
    }
}

pub struct MessageView<'a> {
    /// Every header as (name, raw unfolded-or-not value), top first.
    pub headers: Vec<(&'a str, &'a str)>,
    pub from: Option<Addr>,
    pub sender: Option<Addr>,
    pub reply_to: Option<Addr>,
    pub to: Vec<Addr>,
    pub cc: Vec<Addr>,
    pub return_path: Option<String>,
    pub message_id: Option<String>,
    pub subject: Option<String>,
    pub date: Option<String>,
    /// Decoded text/plain bodies, joined.
    pub text: String,
    /// Decoded text/html bodies, borrowed from the parsed message where it decoded them.
    pub html: Vec<Cow<'a, str>>,
    /// What each of `html` shows (read in the same pass as its links).
    pub html_scans: Vec<HtmlScan>,
    pub links: Vec<Link>,
    /// Received chain, top (newest) first.
    pub hops: Vec<Hop<'a>>,
    /// Index in `hops` of the first hop outside the recipient's own servers.
    pub origin: Option<usize>,
    pub auth: Vec<AuthResult>,
    pub attachments: Vec<Attachment<'a>>,
    /// The user's addresses: the caller's identities, or else what the message says it was sent to.
    pub recipients: Vec<String>,
    /// Domains of `recipients`, lower-case.
    pub recipient_domains: Vec<String>,
    /// `recipients` are the caller's identities (not guessed from the headers).
    pub identities_given: bool,
    /// The body was over the size limit and was not examined.
    pub body_skipped: bool,
    /// Links found beyond the limit and not examined.
    pub links_omitted: usize,
    /// When the analysis runs out of time (`Limits::time_budget`); see [`MessageView::out_of_time`].
    pub deadline: Instant,
    /// See [`MessageView::sender_claims`].
    sender_claims: OnceCell<(&'static Knowledge, Claims<'static>)>,
}

impl<'a> MessageView<'a> {
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| *v)
    }

    pub fn headers_named<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'a str> + 's {
        self.headers.iter().filter(move |(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| *v)
    }

    /// Whether the time budget is spent: long loops over message data may stop early when it is, and
    /// the remaining checkers are skipped (and the verdict says so).
    pub fn out_of_time(&self) -> bool {
        Instant::now() >= self.deadline
    }

    /// The brands the From line speaks for, worked out on the first call: the sender, links and
    /// received checkers all ask, and it is the costliest part of the sender's checks. One analysis
    /// uses one `kb` (the tables live as long as the process): asking with another is a bug, caught in
    /// debug builds, as the answer would be the first one's.
    pub fn sender_claims(&self, kb: &'static Knowledge) -> &Claims<'static> {
        let (first_kb, claims) = self.sender_claims.get_or_init(|| (kb, Claims::of(self, kb)));
        debug_assert!(std::ptr::eq(*first_kb, kb), "sender claims asked of two knowledge tables");
        claims
    }

    /// Whether an address is one of the user's own.
    pub fn is_recipient(&self, address: &str) -> bool {
        self.recipients.iter().any(|r| r.eq_ignore_ascii_case(address))
    }

    /// Whether a host is on one of the user's own domains.
    pub fn is_recipient_domain(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        self.recipient_domains.iter().any(|d| domain::is_within(&host, d))
    }

    pub fn build(
        message: &'a mail_parser::Message<'a>,
        body_skipped: bool,
        ctx: &Context,
        limits: &Limits,
    ) -> MessageView<'a> {
        let headers = raw_headers(message);
        let deadline = Instant::now() + limits.time_budget;
        let to = Addr::all_of(message.to(), limits);
        let cc = Addr::all_of(message.cc(), limits);

        let mut recipients: Vec<String> =
            ctx.identities.iter().map(|a| a.trim().to_ascii_lowercase()).filter(|a| a.contains('@')).collect();
        let identities_given = !recipients.is_empty();
        if !identities_given {
            let delivered = headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case("Delivered-To") || n.eq_ignore_ascii_case("X-Original-To"))
                .map(|(_, v)| v.trim().trim_matches(['<', '>']).to_ascii_lowercase())
                .take(limits.max_addresses);
            recipients.extend(delivered);
            recipients.extend(to.iter().chain(&cc).map(|a| a.address.to_ascii_lowercase()));
        }
        recipients.sort();
        recipients.dedup();
        let mut recipient_domains: Vec<String> = recipients.iter().filter_map(|r| domain::address_domain(r)).collect();
        recipient_domains.sort();
        recipient_domains.dedup();

        // A part can be listed as both the text and the HTML body (single-part mail): visit it once.
        let mut body_ids: Vec<u32> = message.text_body.iter().chain(&message.html_body).copied().collect();
        body_ids.sort_unstable();
        body_ids.dedup();
        // Parts mail-parser could not decode are read below, leniently.
        let body_parts =
            || body_ids.iter().filter_map(|id| message.parts.get(*id as usize)).filter(|p| !p.is_encoding_problem);
        // Sized up front: grown by doubling, a 20 MB body would briefly hold 40 MB here.
        let text_len = body_parts().map(|p| if let PartType::Text(t) = &p.body { t.len() + 1 } else { 0 }).sum();
        let (mut text, mut html) = (String::with_capacity(text_len), Vec::new());
        for part in body_parts() {
            match &part.body {
                PartType::Text(t) => {
                    text.push_str(t);
                    text.push('\n');
                }
                PartType::Html(h) => html.push(Cow::Borrowed(h.as_ref())),
                _ => {}
            }
        }
        for part in message.parts.iter().filter(|p| p.is_encoding_problem) {
            match leniently_decoded(part, message.raw_message()) {
                Some(Body::Html(h)) => html.push(Cow::Owned(h)),
                Some(Body::Text(t)) => {
                    text.push_str(&t);
                    text.push('\n');
                }
                None => {}
            }
        }

        let attachments = checks::attachments::collect(message, limits);
        let mut link_tags = checks::links::LinkTags::new(limits);
        let html_scans = html.iter().map(|body| checks::content::scan_html_and_links(body, &mut link_tags)).collect();
        let (mut links, mut links_omitted) = link_tags.finish(&text);
        links_omitted += checks::links::add_document_links(&attachments, &mut links, limits);
        let hops = checks::received::chain(message);

        let mut view = MessageView {
            from: Addr::first_of(message.from(), limits),
            sender: Addr::first_of(message.sender(), limits),
            reply_to: Addr::first_of(message.reply_to(), limits),
            to,
            cc,
            return_path: message.return_address().map(|r| r.trim().to_string()),
            message_id: message.message_id().map(str::to_owned),
            subject: message.subject().map(|s| capped(s, limits.max_header_chars)),
            date: message.date().map(rfc3339),
            text,
            html,
            html_scans,
            links,
            hops,
            origin: None,
            auth: Vec::new(),
            attachments,
            recipients,
            recipient_domains,
            identities_given,
            body_skipped,
            links_omitted,
            deadline,
            headers,
            sender_claims: OnceCell::new(),
        };
        view.origin = checks::received::origin(&view);
        view.auth = checks::auth::parse(&view);
        view
    }
}

/// `date.to_rfc3339()`, written digit by digit rather than through `format!`: the same text (a test
/// compares) at a tenth of the cost, once per message.
fn rfc3339(date: &mail_parser::DateTime) -> String {
    let mut out = String::with_capacity(25);
    push_padded(&mut out, date.year, 4);
    let rest = [('-', date.month), ('-', date.day), ('T', date.hour), (':', date.minute), (':', date.second)];
    for (separator, number) in rest {
        out.push(separator);
        push_padded(&mut out, number.into(), 2);
    }
    if date.tz_hour == 0 && date.tz_minute == 0 {
        out.push('Z');
    } else {
        out.push(if date.tz_before_gmt { '-' } else { '+' });
        push_padded(&mut out, date.tz_hour.into(), 2);
        out.push(':');
        push_padded(&mut out, date.tz_minute.into(), 2);
    }
    out
}

/// `number` in decimal, with zeros before it up to `width` digits (`format!("{number:0width$}")`).
fn push_padded(out: &mut String, number: u16, width: usize) {
    let digits = number.checked_ilog10().unwrap_or(0) + 1;
    out.extend(std::iter::repeat_n('0', width.saturating_sub(digits as usize)));
    for place in (0..digits).rev() {
        out.push(char::from(b'0' + (number / 10u16.pow(place) % 10) as u8));
    }
}

/// Every header as (name, value as written), top first: what `message.headers_raw()` gives, values
/// that are not UTF-8 left out. The header block is checked as UTF-8 once, rather than each value
/// apart: in a block that is UTF-8, a value is UTF-8 exactly when it starts and ends on character
/// boundaries, which `str::get` tells. A block that is not is read value by value.
fn raw_headers<'a>(message: &'a mail_parser::Message<'a>) -> Vec<(&'a str, &'a str)> {
    let Some(root) = message.parts.first() else { return Vec::new() };
    let raw = message.raw_message.as_ref();
    let base = root.offset_header as usize;
    let block = raw.get(base..root.offset_body as usize).and_then(|block| std::str::from_utf8(block).ok());
    let value = |start: usize, end: usize| match block {
        Some(block) if start >= base && end <= base + block.len() => block.get(start - base..end - base),
        _ => std::str::from_utf8(raw.get(start..end)?).ok(),
    };
    let values = root.headers.iter().map(|h| (h.name.as_str(), value(h.offset_start as usize, h.offset_end as usize)));
    values.filter_map(|(name, value)| Some((name, value?))).collect()
}

enum Body {
    Html(String),
    Text(String),
}

/// A text part whose transfer encoding mail-parser rejected (one stray character in base64, `==` in
/// quoted-printable) is filed by it as an attachment of raw encoded bytes; mail clients decode such
/// parts leniently and display them. Read here the same way, or one bad character would hide a
/// phishing body from every checker. `None` for anything but an undeclared-attachment text part.
fn leniently_decoded(part: &MessagePart, raw_message: &[u8]) -> Option<Body> {
    let content_type = content_type_of(part);
    let is_html = match content_type.as_str() {
        "text/html" => true,
        "text/plain" => false,
        _ => return None,
    };
    if part.attachment_name().is_some() || part.content_disposition().is_some_and(|d| d.is_attachment()) {
        return None;
    }
    let raw = raw_message.get(part.raw_body_offset() as usize..part.raw_end_offset() as usize)?;
    let encoding = part.content_transfer_encoding().unwrap_or_default().trim().to_ascii_lowercase();
    let bytes = match encoding.as_str() {
        "base64" => lenient_base64(raw),
        "quoted-printable" => lenient_quoted_printable(raw),
        _ => raw.to_vec(),
    };
    let charset = part.content_type().and_then(|ct| ct.attribute("charset"));
    let decoder = charset.and_then(|c| mail_parser::decoders::charsets::map::charset_decoder(c.as_bytes()));
    let text = match decoder {
        Some(decode) => decode(&bytes),
        None => String::from_utf8_lossy(&bytes).into_owned(),
    };
    Some(if is_html { Body::Html(text) } else { Body::Text(text) })
}

/// Base64 as mail clients read it: characters outside the alphabet (and padding) are skipped.
fn lenient_base64(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() / 4 * 3);
    let (mut bits, mut count) = (0u32, 0u32);
    for &c in input {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        };
        bits = (bits << 6 | u32::from(value)) & 0xFF_FFFF;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    out
}

/// Quoted-printable as mail clients read it: `=XX` and soft line breaks decoded, any other `=` kept.
fn lenient_quoted_printable(mut input: &[u8]) -> Vec<u8> {
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(input.len());
    while let Some((&c, rest)) = input.split_first() {
        if c == b'=' {
            if let Some(after_break) = rest.strip_prefix(b"\r\n").or_else(|| rest.strip_prefix(b"\n")) {
                input = after_break;
                continue;
            }
            if let [high, low, tail @ ..] = rest
                && let (Some(high), Some(low)) = (hex(*high), hex(*low))
            {
                out.push(high << 4 | low);
                input = tail;
                continue;
            }
        }
        out.push(c);
        input = rest;
    }
    out
}

/// Content-type check helper shared by attachment collection.
pub fn content_type_of(part: &mail_parser::MessagePart) -> String {
    part.content_type()
        .map(|ct| match ct.subtype() {
            Some(sub) => format!("{}/{}", ct.ctype(), sub),
            None => ct.ctype().to_string(),
        })
        .unwrap_or_else(|| "text/plain".into())
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_headers_are_those_mail_parser_gives() {
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
        let mut messages: Vec<Vec<u8>> = std::fs::read_dir(&fixtures)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "eml"))
            .map(|path| std::fs::read(path).unwrap())
            .collect();
        // A header that is not UTF-8, one cut inside a character, and a body that is not UTF-8.
        messages.push(
            b"Subject: caf\xC3\xA9\r\nX-Bad: \xFF\xFE\r\nX-Cut: \xE3\x81\r\nFrom: a@b.example\r\n\r\n\xFF".to_vec(),
        );
        messages.push(b"X-Kana: \xE3\x81\x82\r\nTo: c@d.example\r\n\r\nbody".to_vec());
        for raw in &messages {
            let message = mail_parser::MessageParser::new().parse(raw).unwrap();
            assert_eq!(raw_headers(&message), message.headers_raw().collect::<Vec<_>>());
        }
    }

    proptest::proptest! {
        #[test]
        fn dates_are_written_as_mail_parser_writes_them(
            year in proptest::prop_oneof![0..=10_000u16, proptest::num::u16::ANY],
            (month, day, hour, minute, second) in (0..=99u8, 0..=99u8, 0..=99u8, 0..=99u8, proptest::num::u8::ANY),
            (tz_before_gmt, tz_hour, tz_minute) in (proptest::bool::ANY, 0..=14u8, proptest::prop_oneof![0..=1u8, 0..=255u8]),
        ) {
            let date = mail_parser::DateTime { year, month, day, hour, minute, second, tz_before_gmt, tz_hour, tz_minute };
            proptest::prop_assert_eq!(rfc3339(&date), date.to_rfc3339());
        }
    }
}
