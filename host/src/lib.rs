//! Mekiki: offline phishing analysis of one raw message.
//!
//! [`analyze`] parses the message once into a [`message::MessageView`], runs every checker in
//! [`checks`] over it, scores the findings with the rule table in [`rules`] and returns a
//! [`model::Verdict`] with the forensic facts.

pub mod checks;
pub mod domain;
pub mod eval;
pub mod install;
pub mod knowledge;
pub mod matcher;
pub mod message;
pub mod model;
pub mod native;
pub mod protocol;
pub mod report;
pub mod rules;
pub mod scan;
pub mod tables;

use std::sync::LazyLock;

use mail_parser::{HeaderName, MessageParser};

use knowledge::Knowledge;
use message::MessageView;
use model::{
    AttachmentFact, AuthFact, Context, Facts, Finding, HeaderFact, HopFact, Level, LinkFact, Mailbox, Truncation,
    Verdict,
};
use rules::Rules;

/// Bounds on the work done for one message, so hostile input cannot exhaust time or memory.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Messages larger than this have only their headers analyzed.
    pub max_body_bytes: usize,
    /// Links examined per message; more are counted, not examined.
    pub max_links: usize,
    /// Attachments examined per message.
    pub max_attachments: usize,
    /// Mailboxes read from each address header (To, Cc…) and Delivered-To headers taken as recipients.
    pub max_addresses: usize,
    /// Characters of the subject and of display names examined; no reader sees further in.
    pub max_header_chars: usize,
    /// Wall-clock time for the checkers; once spent, the rest are skipped and the verdict says so.
    pub time_budget: std::time::Duration,
    /// MIME parts parsed, counted as lines that may open one (`--boundary`); the message is cut
    /// before the next. The parser's per-part bookkeeping would otherwise take memory far beyond the
    /// message's own size (400,000 tiny parts in 29 MB: 330 MB).
    pub max_parts: usize,
    /// Header fields parsed; beyond them only the first of each [`KEY_HEADERS`] name is kept, so
    /// padding cannot push the sender out of sight. Bounds memory as `max_parts` does (4 million
    /// tiny fields in 24 MB: 640 MB).
    pub max_headers: usize,
    /// Bytes of one header field parsed (with its continuation lines); the rest of a longer field is
    /// cut. A 25 MB subject of encoded words took the parser 190 MB.
    pub max_field_bytes: usize,
}

/// Fields of addresses, never cut by `Limits::max_field_bytes`.
const ADDRESS_HEADERS: [&str; 5] = ["from", "sender", "reply-to", "to", "cc"];

/// The header fields the analysis reads by name, kept past `Limits::max_headers`.
const KEY_HEADERS: [&str; 14] = [
    "from",
    "sender",
    "reply-to",
    "to",
    "cc",
    "subject",
    "date",
    "message-id",
    "return-path",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "delivered-to",
    "x-original-to",
];

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 32 * 1024 * 1024,
            max_links: 2_000,
            max_attachments: 100,
            max_addresses: 1_000,
            max_header_chars: 16 * 1024,
            time_budget: std::time::Duration::from_secs(10),
            max_parts: 5_000,
            max_headers: 10_000,
            max_field_bytes: 256 * 1024,
        }
    }
}

/// Analyzes one raw RFC 5322 message with the built-in knowledge and default limits.
pub fn analyze(raw: &[u8], ctx: &Context) -> Verdict {
    analyze_with(raw, ctx, &Limits::default())
}

/// The parser of every message, built once. It parses the header fields that mail-parser reads
/// itself (the MIME ones) and those the checkers ask it for, as `MessageParser::new()` would; the
/// others (DKIM signatures, `X-` fields, most of a header) are only stepped over: checkers read
/// them as written ([`mail_parser::Message::headers_raw`]), so copying each value was wasted work.
static PARSER: LazyLock<MessageParser> = LazyLock::new(|| {
    let addresses = [HeaderName::From, HeaderName::Sender, HeaderName::ReplyTo, HeaderName::To, HeaderName::Cc];
    let parser = addresses.into_iter().fold(MessageParser::new().with_mime_headers(), MessageParser::header_address);
    parser
        .header_id(HeaderName::MessageId)
        .header_id(HeaderName::ReturnPath)
        .header_text(HeaderName::Subject)
        .header_date(HeaderName::Date)
        .header_received(HeaderName::Received)
        .default_header_ignore()
});

pub fn analyze_with(raw: &[u8], ctx: &Context, limits: &Limits) -> Verdict {
    let started = std::time::Instant::now();
    load_tables();
    let rules = Rules::builtin();
    let kb = Knowledge::builtin();
    let lang = ctx.lang();
    let body_skipped =
        raw.len() > limits.max_body_bytes || ctx.message_size.is_some_and(|size| size > raw.len() as u64);
    let fewer_headers = cut_headers(raw, limits);
    let (raw, headers_omitted, header_bytes_omitted) = match &fewer_headers {
        Some(cut) => (cut.kept.as_slice(), cut.fields_omitted, cut.bytes_omitted),
        None => (raw, 0, 0),
    };
    let (raw, parts_omitted) = if body_skipped { (raw, 0) } else { cut_at_part_limit(raw, limits.max_parts) };
    let parser = &*PARSER;
    let parsed = if body_skipped { parser.parse_headers(raw) } else { parser.parse(raw) };
    let Some(parsed) = parsed else {
        return verdict(
            rules,
            vec![Finding::new("limits.not_a_message")],
            Facts::default(),
            Truncation::default(),
            lang,
        );
    };
    let mut view = MessageView::build(&parsed, body_skipped, ctx, limits);
    // The budget covers parsing too.
    view.deadline = started + limits.time_budget;
    let (mut findings, skipped) = checks::run_all(&view, kb);
    if body_skipped {
        findings.push(
            Finding::new("limits.body_not_analyzed")
                .arg("limit", format!("{} MB", limits.max_body_bytes / (1024 * 1024))),
        );
    }
    if headers_omitted > 0 {
        findings.push(Finding::new("limits.headers_not_analyzed").arg("limit", limits.max_headers.to_string()));
    }
    if parts_omitted > 0 {
        findings.push(Finding::new("limits.parts_not_analyzed").arg("limit", limits.max_parts.to_string()));
    }
    if !skipped.is_empty() {
        findings.push(
            Finding::new("limits.time_budget_exceeded")
                .arg("limit", format!("{} s", limits.time_budget.as_secs_f32()))
                .arg("checks", skipped.join(", ")),
        );
    }
    let mut truncated = Truncation { body_not_analyzed: body_skipped, ..Truncation::default() };
    if view.links_omitted > 0 {
        truncated.omitted.insert("links".into(), view.links_omitted);
    }
    if !skipped.is_empty() {
        truncated.omitted.insert("checks".into(), skipped.len());
    }
    if parts_omitted > 0 {
        truncated.omitted.insert("parts".into(), parts_omitted);
    }
    if headers_omitted > 0 {
        truncated.omitted.insert("headers".into(), headers_omitted);
    }
    if header_bytes_omitted > 0 {
        truncated.omitted.insert("header_bytes".into(), header_bytes_omitted);
    }
    verdict(rules, findings, facts(view), truncated, lang)
}

/// Parses and compiles the built-in tables (data files, automata) that the first analysis of a
/// process would otherwise build one after the other: on two threads, as they are independent. Most
/// of a cold start (spawned by Thunderbird for a message) is this. Cheap once done.
pub fn load_tables() {
    static LOADED: std::sync::Once = std::sync::Once::new();
    LOADED.call_once(|| {
        std::thread::scope(|threads| {
            // About half of the work each (callgrind: 14 M and 12 M instructions).
            threads.spawn(|| {
                checks::content::Lures::builtin();
                checks::attachments::AttachmentRules::builtin();
                Rules::builtin();
            });
            Knowledge::builtin().lookalike_index();
        });
    });
}

/// A copy of a message whose header block was over the limits.
struct CutHeaders {
    kept: Vec<u8>,
    fields_omitted: usize,
    bytes_omitted: usize,
}

/// With more than `limits.max_headers` header fields or one longer than `limits.max_field_bytes`: a
/// copy of the message with the first `max_headers` fields, then only the first field of each
/// [`KEY_HEADERS`] name, each but the [`ADDRESS_HEADERS`] cut to `max_field_bytes`, then the body.
/// `None` (no copy) for any ordinary message.
fn cut_headers(raw: &[u8], limits: &Limits) -> Option<CutHeaders> {
    let over = |(i, field): (usize, &[u8])| i >= limits.max_headers || field.len() > limits.max_field_bytes;
    HeaderFields { raw, pos: 0 }.enumerate().find(|f| over(*f))?;
    let mut cut = CutHeaders { kept: Vec::with_capacity(raw.len()), fields_omitted: 0, bytes_omitted: 0 };
    let mut kept_names: Vec<&str> = Vec::new();
    let mut fields = HeaderFields { raw, pos: 0 };
    for (i, field) in fields.by_ref().enumerate() {
        let name = field.split(|b| *b == b':').next().unwrap_or_default().trim_ascii();
        let key = KEY_HEADERS.iter().find(|k| name.eq_ignore_ascii_case(k.as_bytes()));
        let keep = i < limits.max_headers || key.is_some_and(|k| !kept_names.contains(k));
        if !keep {
            cut.fields_omitted += 1;
            continue;
        }
        kept_names.extend(key);
        // Cutting an address field could cut off its address; they cost no more than their size.
        let address_field = key.is_some_and(|k| ADDRESS_HEADERS.contains(k));
        if field.len() > limits.max_field_bytes && !address_field {
            cut.kept.extend_from_slice(field.get(..limits.max_field_bytes).unwrap_or(field));
            cut.kept.extend_from_slice(b"\r\n");
            cut.bytes_omitted += field.len() - limits.max_field_bytes;
        } else {
            cut.kept.extend_from_slice(field);
        }
    }
    cut.kept.extend_from_slice(raw.get(fields.pos..).unwrap_or_default());
    Some(cut)
}

/// The header fields of a raw message, each with its continuation lines, up to the blank line that
/// ends the header block (where `pos` then stands).
struct HeaderFields<'r> {
    raw: &'r [u8],
    pos: usize,
}

impl<'r> Iterator for HeaderFields<'r> {
    type Item = &'r [u8];

    fn next(&mut self) -> Option<&'r [u8]> {
        let start = self.pos;
        let mut end = start;
        while let Some(rest) = self.raw.get(end..).filter(|r| !r.is_empty()) {
            let line = memchr::memchr(b'\n', rest).map_or(rest, |i| &rest[..=i]);
            let ends_field = if end == start {
                line.iter().all(|b| *b == b'\r' || *b == b'\n')
            } else {
                !matches!(line.first(), Some(b' ' | b'\t'))
            };
            if ends_field {
                break;
            }
            end += line.len();
        }
        self.pos = end;
        self.raw.get(start..end).filter(|field| !field.is_empty())
    }
}

/// The message up to its `max_parts + 1`-th line that may open a MIME part (starts with `--`, does
/// not end with `--` as a closing delimiter does), and how many such lines were cut off with the
/// rest. An upper bound of parts: a text line like `--x` counts too, which only matters for messages
/// with thousands of them.
fn cut_at_part_limit(raw: &[u8], max_parts: usize) -> (&[u8], usize) {
    let mut delimiters = 0;
    let mut cut = None;
    // Only lines starting with `--` matter: found with a substring search, not line by line.
    let first_line = raw.starts_with(b"--").then_some(0);
    let line_starts = first_line.into_iter().chain(memchr::memmem::find_iter(raw, b"\n--").map(|i| i + 1));
    for line_start in line_starts {
        let rest = raw.get(line_start..).unwrap_or_default();
        let line = memchr::memchr(b'\n', rest).map_or(rest, |end| &rest[..end]);
        if !line.trim_ascii_end().ends_with(b"--") {
            delimiters += 1;
            if delimiters == max_parts + 1 {
                cut = Some(line_start);
            }
        }
    }
    match cut {
        Some(end) => (raw.get(..end).unwrap_or(raw), delimiters - max_parts),
        None => (raw, 0),
    }
}

fn verdict(rules: &Rules, findings: Vec<Finding>, facts: Facts, truncated: Truncation, lang: model::Lang) -> Verdict {
    let (score, level, findings) = rules.judge(findings, lang);
    let top = findings.iter().find(|f| f.score > 0).filter(|_| level != Level::Safe);
    let summary = rules.summary(level, top, lang);
    Verdict { level, score, lang, summary, findings, facts, truncated }
}

/// The facts shown with the verdict, moved out of the view (its last use) rather than copied.
fn facts(view: MessageView) -> Facts {
    let server_verdicts = checks::server::verdict_headers(&view)
        .map(|(name, value)| HeaderFact { name: name.to_string(), value: value.trim().to_string() })
        .collect();
    let mailbox = |a: message::Addr| Mailbox { name: a.name, address: a.address };
    let hop = |h: checks::received::Hop, trusted: bool| HopFact {
        from_host: h.from_host,
        from_ip: h.from_ip.map(ip_text),
        helo: h.helo,
        by: h.by,
        trusted,
    };
    // The origin is one of the hops: copied, and the hops moved.
    let origin = view.origin.map(|i| hop(view.hops[i].clone(), false));
    Facts {
        from: view.from.map(mailbox),
        reply_to: view.reply_to.map(mailbox),
        message_id_domain: view
            .message_id
            .as_deref()
            .and_then(|id| id.rsplit_once('@'))
            .map(|(_, d)| d.trim_end_matches('>').to_ascii_lowercase()),
        return_path: view.return_path,
        subject: view.subject,
        date: view.date,
        to: view.to.into_iter().map(|a| a.address).collect(),
        origin,
        // Hops above the origin were written by the recipient's side; the origin and below are claims.
        hops: view.hops.into_iter().enumerate().map(|(i, h)| hop(h, view.origin.is_some_and(|o| i < o))).collect(),
        auth: view
            .auth
            .into_iter()
            .map(|a| AuthFact {
                method: a.method,
                result: a.result,
                domain: a.domain,
                authserv_id: a.authserv_id,
                trusted: a.trusted,
                aligned: a.aligned,
            })
            .collect(),
        links: view
            .links
            .into_iter()
            .map(|l| LinkFact {
                url: l.url,
                text: l.text,
                host: l.host,
                registrable_domain: l.registrable,
                source: l.source.as_str().to_string(),
            })
            .collect(),
        attachments: view
            .attachments
            .into_iter()
            .map(|a| AttachmentFact { name: a.name, content_type: a.content_type, size: a.bytes.len() })
            .collect(),
        server_verdicts,
    }
}

/// `ip.to_string()`, written here digit by digit at a fraction of the cost of the formatting
/// machinery (every hop of every message has an address): IPv6 as the standard library writes it
/// (RFC 5952: the first longest run of two or more zero groups as `::`, IPv4-mapped addresses as
/// `::ffff:a.b.c.d`), which a test compares.
fn ip_text(ip: std::net::IpAddr) -> String {
    let mut text = String::with_capacity(39);
    match ip {
        std::net::IpAddr::V4(v4) => push_ipv4(&mut text, v4),
        std::net::IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                text.push_str("::ffff:");
                push_ipv4(&mut text, v4);
                return text;
            }
            let groups = v6.segments();
            // The first longest run of zero groups: (start, length).
            let (mut longest, mut run) = ((0, 0), (0, 0));
            for (i, &group) in groups.iter().enumerate() {
                run = if group == 0 { (if run.1 == 0 { i } else { run.0 }, run.1 + 1) } else { (0, 0) };
                if run.1 > longest.1 {
                    longest = run;
                }
            }
            let push_groups = |text: &mut String, groups: &[u16]| {
                for (i, group) in groups.iter().enumerate() {
                    if i > 0 {
                        text.push(':');
                    }
                    // Hexadecimal without leading zeros.
                    let digits = (16 - group.leading_zeros()).div_ceil(4).max(1);
                    for shift in (0..digits).rev() {
                        let digit = (group >> (shift * 4) & 0xF) as u32;
                        text.push(char::from_digit(digit, 16).unwrap_or('0'));
                    }
                }
            };
            if longest.1 > 1 {
                push_groups(&mut text, &groups[..longest.0]);
                text.push_str("::");
                push_groups(&mut text, &groups[longest.0 + longest.1..]);
            } else {
                push_groups(&mut text, &groups);
            }
        }
    }
    text
}

/// An IPv4 address in dotted decimal.
fn push_ipv4(text: &mut String, ip: std::net::Ipv4Addr) {
    for (i, octet) in ip.octets().into_iter().enumerate() {
        if i > 0 {
            text.push('.');
        }
        if octet >= 100 {
            text.push(char::from(b'0' + octet / 100));
        }
        if octet >= 10 {
            text.push(char::from(b'0' + octet / 10 % 10));
        }
        text.push(char::from(b'0' + octet % 10));
    }
}

#[cfg(test)]
mod tests {
    use mail_parser::{HeaderName, HeaderValue, Message, MessageParser, PartType};

    use super::{PARSER, cut_at_part_limit, ip_text};

    #[test]
    fn the_shared_parser_reads_what_the_checkers_use_as_the_default_one_does() {
        // The fields whose parsed values the checkers and mail-parser's own accessors read.
        let read = [
            HeaderName::From,
            HeaderName::Sender,
            HeaderName::ReplyTo,
            HeaderName::To,
            HeaderName::Cc,
            HeaderName::MessageId,
            HeaderName::ReturnPath,
            HeaderName::Subject,
            HeaderName::Date,
            HeaderName::Received,
            HeaderName::ContentType,
            HeaderName::ContentDisposition,
            HeaderName::ContentTransferEncoding,
            HeaderName::ContentId,
        ];
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
        let mut skipped = 0;
        for entry in std::fs::read_dir(&fixtures).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "eml") {
                continue;
            }
            let raw = std::fs::read(&path).unwrap();
            let (Some(mut ours), Some(default)) = (PARSER.parse(&raw), MessageParser::new().parse(&raw)) else {
                panic!("{}: parsed by one parser only", path.display());
            };
            skipped += fill_skipped(&mut ours, &default, &read);
            assert_eq!(ours, default, "{}", path.display());
        }
        assert!(skipped > 100, "the fixtures' other fields are stepped over ({skipped})");
    }

    /// Gives the fields of `ours` that the shared parser stepped over (no value where the default
    /// parser has one, and not in `read`) the default parser's values, in attached messages too;
    /// returns how many. Then the two messages must be equal.
    fn fill_skipped<'a>(ours: &mut Message<'a>, default: &Message<'a>, read: &[HeaderName]) -> usize {
        let mut skipped = 0;
        for (our_part, default_part) in ours.parts.iter_mut().zip(&default.parts) {
            for (our, default) in our_part.headers.iter_mut().zip(&default_part.headers) {
                if our.value != default.value && our.value == HeaderValue::Empty && !read.contains(&our.name) {
                    our.value = default.value.clone();
                    skipped += 1;
                }
            }
            if let (PartType::Message(our_inner), PartType::Message(default_inner)) =
                (&mut our_part.body, &default_part.body)
            {
                skipped += fill_skipped(our_inner, default_inner, read);
            }
        }
        skipped
    }

    #[test]
    fn ipv4_addresses_are_written_as_the_standard_library_writes_them() {
        use std::net::{IpAddr, Ipv4Addr};
        for octet in 0..=255 {
            for ip in [[octet, 0, 0, 0], [1, octet, 2, 3], [10, 20, octet, 99], [255, 100, 9, octet]] {
                let ip = IpAddr::V4(Ipv4Addr::from(ip));
                assert_eq!(ip_text(ip), ip.to_string());
            }
        }
        for ip in ["::", "::1", "1::", "::ffff:192.0.2.1", "::ffff:0:0", "1:0:0:2:0:0:0:3", "1:0:0:2:0:0:3:4"] {
            let ip: IpAddr = ip.parse().unwrap();
            assert_eq!(ip_text(ip), ip.to_string());
        }
    }

    proptest::proptest! {
        #[test]
        fn ipv6_addresses_are_written_as_the_standard_library_writes_them(
            groups in proptest::array::uniform8(proptest::prop_oneof![
                3 => proptest::strategy::Just(0u16),
                1 => proptest::strategy::Just(0xFFFFu16),
                2 => proptest::num::u16::ANY,
                2 => 0..0x100u16,
            ]),
        ) {
            let ip = std::net::IpAddr::V6(std::net::Ipv6Addr::from(groups));
            proptest::prop_assert_eq!(ip_text(ip), ip.to_string());
        }
    }

    #[test]
    fn part_limit_counts_opening_delimiter_lines_only() {
        // The first line counts too; closing delimiters (`--b--`) and `--` inside a line do not.
        let raw = b"--a\r\nx --b\n--b--\r\n--c\n--d";
        assert_eq!(cut_at_part_limit(raw, 3), (&raw[..], 0));
        let (kept, omitted) = cut_at_part_limit(raw, 1);
        assert_eq!((kept, omitted), (&b"--a\r\nx --b\n--b--\r\n"[..], 2));
    }
}
