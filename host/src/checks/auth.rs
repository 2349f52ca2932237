//! Authentication-Results written by the recipient's own servers: SPF, DKIM, DMARC and alignment.
//!
//! Anyone can write an Authentication-Results header into a message before sending it. Only the
//! ones the recipient's servers added on arrival — above the origin hop of the Received chain —
//! are facts; the rest (and ARC copies) are shown but never trusted. A pass only proves who the
//! *signing* domain is: it raises nothing and lowers nothing unless that domain is the one the
//! From header shows or the brand the message claims. A brand's own signed mail whose links stay on
//! known sites is `auth.brand_verified`, which lets scoring set aside the brand's own account notices.

use std::borrow::Cow;

use crate::checks::received::{self, evidence_text};
use crate::checks::sender;
use crate::domain;
use crate::knowledge::{Brand, Knowledge};
use crate::message::MessageView;
use crate::model::Finding;

/// Results read per message: a real message carries a handful.
const MAX_RESULTS: usize = 64;

#[derive(Debug, Clone, Default)]
pub struct AuthResult {
    pub authserv_id: Option<String>,
    /// `spf`, `dkim`, `dmarc`, …
    pub method: String,
    /// `pass`, `fail`, `softfail`, `none`, …
    pub result: String,
    /// The domain the result is about (header.d, header.from, smtp.mailfrom…).
    pub domain: Option<String>,
    /// Written by the recipient's side (top of the header block), not a copy injected upstream.
    pub trusted: bool,
    /// `domain` shares the From header's registrable domain.
    pub aligned: bool,
    /// The header it was read from, for evidence.
    pub header: String,
}

impl AuthResult {
    fn is(&self, method: &str, result: &str) -> bool {
        self.method == method && self.result == result
    }
}

/// Methods that start a new result; any other `key=value` token is a property of the current one.
const METHODS: [&str; 12] = [
    "spf",
    "dkim",
    "dmarc",
    "arc",
    "compauth",
    "iprev",
    "auth",
    "bimi",
    "dkim-atps",
    "dkim-adsp",
    "sender-id",
    "domainkeys",
];

/// Drops RFC 5322 comments (`(sender IP is 1.2.3.4)`), which may nest and may contain `;`. The text
/// between comments is copied a run at a time (parentheses are ASCII, so runs end on character
/// boundaries); a value without one is not copied.
fn strip_comments(value: &str) -> Cow<'_, str> {
    if !value.contains('(') {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len());
    let (mut depth, mut kept_from) = (0usize, 0);
    for (i, b) in value.bytes().enumerate() {
        match b {
            b'(' => {
                if depth == 0 {
                    out.push_str(&value[kept_from..i]);
                }
                depth += 1;
            }
            // A `)` outside any comment is text, kept with the run it stands in.
            b')' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    kept_from = i + 1;
                }
            }
            _ => {}
        }
    }
    if depth == 0 {
        out.push_str(&value[kept_from..]);
    }
    Cow::Owned(out)
}

fn domain_of(value: &str) -> Option<String> {
    let value = value.trim_matches(['"', '<', '>']);
    let host = value.rsplit_once('@').map_or(value, |(_, d)| d);
    domain::normalize_host(host).filter(|d| d != "none" && d.contains('.'))
}

/// Parses one header value into its authserv-id and results (without `trusted`/`aligned`).
fn parse_header(value: &str, arc: bool) -> (Option<String>, Vec<AuthResult>) {
    let cleaned = strip_comments(value);
    let mut segments = cleaned.split(';').map(str::trim);
    if arc {
        // `i=1; authserv-id; …`
        segments.next();
    }
    let mut authserv_id = None;
    // Properties as written, keys in any case: compared, not lower-cased copies of each.
    let mut results: Vec<(AuthResult, Vec<(&str, &str)>)> = Vec::new();
    'segments: for (n, segment) in segments.enumerate() {
        for token in words(segment) {
            let Some((key, val)) = token.split_once('=') else {
                if n == 0 && results.is_empty() && authserv_id.is_none() {
                    authserv_id = domain::normalize_host(token);
                }
                continue;
            };
            let method = key.split('/').next().unwrap_or_default();
            let experimental = method.get(..2).is_some_and(|x| x.eq_ignore_ascii_case("x-")) && !key.contains('.');
            if METHODS.iter().any(|m| m.eq_ignore_ascii_case(method)) || experimental {
                // `parse` keeps no more than this in all; more from one header would only take memory.
                if results.len() == MAX_RESULTS {
                    break 'segments;
                }
                let result = AuthResult {
                    method: method.to_ascii_lowercase(),
                    result: val.trim_matches('"').to_ascii_lowercase(),
                    ..AuthResult::default()
                };
                results.push((result, Vec::new()));
            } else if let Some((_, props)) = results.last_mut() {
                props.push((key, val));
            }
        }
    }
    let results = results
        .into_iter()
        .map(|(mut r, props)| {
            let prop = |name: &str| props.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| *v);
            let about = match r.method.as_str() {
                "dkim" => prop("header.d").or(prop("header.i")),
                "spf" => prop("smtp.mailfrom").or(prop("smtp.helo")),
                "dmarc" => prop("header.from"),
                _ => None,
            };
            r.domain = about.and_then(domain_of);
            r
        })
        .collect();
    (authserv_id, results)
}

/// `text.split_whitespace()`, split on bytes when the text is ASCII (most headers): the same words,
/// but for the vertical tab, which `char::is_whitespace` counts and `u8::is_ascii_whitespace` does not.
fn words(text: &str) -> impl Iterator<Item = &str> {
    let ascii = text.is_ascii() && !text.contains('\x0B');
    let (by_bytes, by_chars) =
        if ascii { (Some(text.split_ascii_whitespace()), None) } else { (None, Some(text.split_whitespace())) };
    by_bytes.into_iter().flatten().chain(by_chars.into_iter().flatten())
}

/// Reads every Authentication-Results (trusted when above the origin hop, or when a receiver known to
/// write them there wrote them just below its own Received header) and ARC-Authentication-Results
/// (never trusted) header.
pub fn parse(view: &MessageView) -> Vec<AuthResult> {
    // Results written above this many Received headers were added on the recipient's side.
    let boundary = match view.origin {
        Some(origin) => Some(origin),
        None => view.hops.len().checked_sub(1),
    };
    // Some receivers (Gmail) write their results just below their own Received header rather than
    // above it: the first Authentication-Results there, under that server's own name, is theirs too.
    let boundary_writer = boundary
        .and_then(|b| view.hops.get(b))
        .and_then(|hop| hop.by.as_deref())
        .filter(|by| Knowledge::builtin().writes_results_below_received(by))
        .and_then(domain::registrable);
    let from_registrable = view.from.as_ref().and_then(|f| f.registrable.as_deref());
    let mut received_above = 0usize;
    let mut below_boundary_seen = false;
    let mut out = Vec::new();
    for (name, value) in &view.headers {
        if name.eq_ignore_ascii_case("Received") {
            received_above += 1;
            continue;
        }
        let arc = name.eq_ignore_ascii_case("ARC-Authentication-Results");
        if !arc && !name.eq_ignore_ascii_case("Authentication-Results") {
            continue;
        }
        let (authserv_id, results) = parse_header(value, arc);
        let just_below_boundary = !arc && boundary.is_some_and(|b| received_above == b + 1);
        let written_by_boundary_server = just_below_boundary
            && !below_boundary_seen
            && boundary_writer.is_some()
            && authserv_id.as_deref().and_then(domain::registrable) == boundary_writer;
        below_boundary_seen |= just_below_boundary;
        let trusted = !arc && (boundary.is_some_and(|b| received_above <= b) || written_by_boundary_server);
        let header = evidence_text(&format!("{name}: {value}"));
        for mut r in results {
            r.trusted = trusted;
            r.authserv_id = authserv_id.clone();
            r.aligned = match r.method.as_str() {
                // Microsoft's composite verdict is about the From domain itself.
                "compauth" => true,
                _ => r
                    .domain
                    .as_deref()
                    .and_then(domain::registrable)
                    .is_some_and(|d| from_registrable == Some(d.as_str())),
            };
            r.header = header.clone();
            out.push(r);
            if out.len() >= MAX_RESULTS {
                return out;
            }
        }
    }
    out
}

fn trusted<'v>(view: &'v MessageView) -> impl Iterator<Item = &'v AuthResult> {
    view.auth.iter().filter(|r| r.trusted)
}

/// The recipient's server verified that the From domain really sent this: an aligned DKIM or SPF
/// pass, or a DMARC pass. A pass for any other domain does not count.
pub fn from_domain_authenticated(view: &MessageView) -> bool {
    trusted(view).any(|r| r.aligned && r.result == "pass" && matches!(r.method.as_str(), "dkim" | "spf" | "dmarc"))
}

/// The recipient's server verified a DKIM signature or DMARC pass by one of the brand's own domains.
/// Its free-mailbox domains do not count: outlook.com signs every Outlook.com user's mail.
pub fn brand_authenticated(view: &MessageView, kb: &Knowledge, brand: &Brand) -> bool {
    trusted(view).any(|r| {
        let Some(signer) = r.domain.as_deref().filter(|d| !sender::is_free_mailbox(kb, d)) else { return false };
        r.result == "pass"
            && matches!(r.method.as_str(), "dkim" | "dmarc")
            && domain::registrable(signer).is_some_and(|d| brand.owns_domain(&d))
    })
}

/// Evidence that the From domain was forged: a DMARC fail, an aligned SPF/DKIM hard fail, or
/// Microsoft's composite verdict failing on an explicit policy (reason 000).
fn from_domain_failure<'v>(view: &'v MessageView) -> Option<&'v AuthResult> {
    trusted(view).find(|r| {
        r.is("dmarc", "fail")
            || (r.aligned && (r.is("spf", "fail") || r.is("dkim", "fail")))
            || (r.is("compauth", "fail") && r.header.contains("reason=000"))
    })
}

/// A server before the recipient's own — the first to receive the message from where it started, whose
/// record travels below the recipient's (an ARC copy, or Authentication-Results further down) — found
/// that the From domain failed: a DMARC fail, or a hard SPF fail for the From domain's own envelope.
/// Untrusted records prove no pass, but nobody forges one against himself.
fn failed_upstream<'v>(view: &'v MessageView) -> Option<&'v AuthResult> {
    let upstream = || view.auth.iter().filter(|r| !r.trusted && r.aligned);
    // An SPF fail beside the domain's own signature or DMARC passing in the same record is a forward
    // that kept the signature (an alias that does not rewrite the envelope), not a forged origin.
    let passed_in = |header: &str| {
        upstream().any(|r| r.header == header && r.result == "pass" && matches!(r.method.as_str(), "dkim" | "dmarc"))
    };
    // The domain owner's own verdict (DMARC) is shown before the SPF result it may rest on.
    upstream()
        .find(|r| r.is("dmarc", "fail"))
        .or_else(|| upstream().find(|r| r.is("spf", "fail") && !passed_in(&r.header)))
}

/// The From domain passed the recipient's own checks only because the message was handed on: the first
/// server that received it found the domain failing (the origin is not a server the domain allows), and
/// it then went out again through one the domain does allow (a Microsoft 365 tenant whose servers every
/// `include:spf.protection.outlook.com` lets send) — laundering a forged or unauthorised origin into a
/// pass. Forwarding rewrites the envelope (SRS) or breaks the pass, and a list re-sends under its own
/// name: neither ends in a pass for the author's domain.
fn check_failed_then_relayed(view: &MessageView, registrable: &str, out: &mut Vec<Finding>) {
    if from_domain_failure(view).is_some() || !from_domain_authenticated(view) || received::via_mailing_list(view) {
        return;
    }
    let Some(early) = failed_upstream(view) else { return };
    // The domain the failing record is about (`x.onmicrosoft.com`, not the platform's registrable domain).
    let domain = early.domain.as_deref().unwrap_or(registrable);
    let mut finding = Finding::new("auth.failed_then_relayed")
        .arg("domain", domain)
        .arg("result", format!("{}={}", early.method, early.result))
        // Labelled with the header's own name (ARC-Authentication-Results or Authentication-Results).
        .evidence(early.header.split(':').next().unwrap_or("Authentication-Results"), early.header.clone());
    if let Some(pass) = trusted(view).find(|r| r.aligned && r.result == "pass") {
        finding = finding.evidence("Authentication-Results", pass.header.clone());
    }
    out.push(finding);
}

/// The From address is one of the brand's listed domains, signed by that domain (a DKIM pass the
/// recipient's server verified: an SPF pass alone is shared by every tenant of a platform), no earlier
/// server saw it fail, and every link goes to a site a known brand lists (the brand's own, or a social
/// network in the footer). A hijacked sending account links elsewhere; the links checker still judges
/// each link, and scoring voids the waiver for any that hides where it leads. A platform's mail that
/// carries someone else's words — a shared document, an invitation, an invoice with a note — answers
/// to that someone (its Reply-To) or links to what they published (a form, a shared file): not the
/// brand speaking.
fn check_brand_verified(view: &MessageView, kb: &Knowledge, brand: &Brand, registrable: &str, out: &mut Vec<Finding>) {
    let listed = kb.brand_listing(registrable).is_some_and(|b| std::ptr::eq(b, brand));
    let signed = trusted(view).find(|r| r.aligned && r.is("dkim", "pass"));
    let replies_to_brand =
        view.reply_to.as_ref().is_none_or(|r| r.registrable.as_deref().is_some_and(|d| brand.owns_domain(d)));
    let links_known = !view.body_skipped
        && view.links_omitted == 0
        && view.links.iter().all(|link| {
            link.registrable.as_deref().is_some_and(|d| kb.brand_listing(d).is_some())
                && !link.host_ascii.as_deref().is_some_and(|host| kb.is_free_hosting(host))
        });
    let speaks_itself = listed && replies_to_brand && links_known;
    if let Some(signed) = signed.filter(|_| speaks_itself && failed_upstream(view).is_none()) {
        out.push(
            Finding::new("auth.brand_verified")
                .arg("brand", brand.label())
                .arg("domain", registrable)
                .evidence("From", view.from.as_ref().map(|f| f.address.clone()).unwrap_or_default())
                .evidence("Authentication-Results", signed.header.clone()),
        );
    }
}

/// Bytes of a From line searched for the address it shows.
const MAX_SHOWN_FROM_BYTES: usize = 2048;

/// The last address a From line shows the reader (`Gadget-Retter,(<noreply@dhl.de>)`,
/// `"Support" <"noreply@shop.example">`), read leniently: a local part and a domain name around an `@`.
fn shown_address(raw: &str) -> Option<(String, String)> {
    let raw = &raw[..raw.floor_char_boundary(MAX_SHOWN_FROM_BYTES)];
    let local_char = |c: char| c.is_ascii_alphanumeric() || "._%+-".contains(c);
    let domain_char = |c: char| c.is_ascii_alphanumeric() || c == '.' || c == '-';
    let mut found = None;
    for (at, _) in raw.match_indices('@') {
        let before = &raw[..at];
        let local_start =
            before.char_indices().rev().find(|&(_, c)| !local_char(c)).map_or(0, |(i, c)| i + c.len_utf8());
        let after = &raw[at + 1..];
        let domain = after[..after.find(|c: char| !domain_char(c)).unwrap_or(after.len())].trim_end_matches('.');
        let local = &before[local_start..];
        if !local.is_empty() && domain.contains('.') && domain::registrable(domain).is_some() {
            found = Some((format!("{local}@{domain}"), domain.to_ascii_lowercase()));
        }
    }
    found
}

/// A From line malformed on purpose shows the reader a company's address (`Gadget-Retter,(<noreply@dhl.de>)`)
/// that mail programs and the recipient's server cannot take as the sender, so nothing checks it:
/// the recipient's server recorded its checks, and none of them vouches for that domain.
fn check_malformed_shown_address(view: &MessageView, out: &mut Vec<Finding>) {
    if !sender::from_is_malformed(view) || received::via_mailing_list(view) || trusted(view).next().is_none() {
        return;
    }
    let Some((address, shown_domain)) = view.header("From").and_then(shown_address) else { return };
    let Some(registrable) = domain::registrable(&shown_domain) else { return };
    if view.is_recipient_domain(&shown_domain) {
        return;
    }
    let vouched = trusted(view).any(|r| {
        r.result == "pass"
            && matches!(r.method.as_str(), "dkim" | "spf" | "dmarc")
            && r.domain.as_deref().and_then(domain::registrable).is_some_and(|d| d == registrable)
    });
    if !vouched {
        out.push(
            Finding::new("auth.malformed_from_unverified")
                .arg("address", address.clone())
                .arg("domain", registrable)
                .evidence("Shown address", address)
                .evidence("From", view.header("From").map(evidence_text).unwrap_or_default()),
        );
    }
}

pub fn check(view: &MessageView, kb: &Knowledge, out: &mut Vec<Finding>) {
    check_malformed_shown_address(view, out);
    let Some(from) = &view.from else { return };
    let Some(registrable) = from.registrable.as_deref() else { return };
    if trusted(view).next().is_none() {
        // The recipient's server recorded nothing: silence proves nothing either way.
        return;
    }
    check_failed_then_relayed(view, registrable, out);
    let free = from.domain.as_deref().is_some_and(|d| sender::is_free_mailbox(kb, d));
    let brand = kb.brand_of_domain(registrable).filter(|_| !free);
    let failure = from_domain_failure(view);
    match (brand, failure) {
        (Some(brand), Some(fail)) => out.push(
            Finding::new("auth.brand_spoofed")
                .arg("brand", brand.label())
                .arg("domain", registrable)
                .arg("result", format!("{}={}", fail.method, fail.result))
                .evidence("From", from.address.clone())
                .evidence("Authentication-Results", fail.header.clone()),
        ),
        (Some(brand), None) => {
            // A brand's domain always signs its mail; a Microsoft compauth fail says it could not be verified.
            let weak = trusted(view).find(|r| r.is("compauth", "fail"));
            check_brand_verified(view, kb, brand, registrable, out);
            if !from_domain_authenticated(view) && !brand_authenticated(view, kb, brand) {
                let mut finding = Finding::new("auth.brand_unauthenticated")
                    .arg("brand", brand.label())
                    .arg("domain", registrable)
                    .evidence("From", from.address.clone());
                if let Some(r) = weak.or_else(|| trusted(view).next()) {
                    finding = finding.evidence("Authentication-Results", r.header.clone());
                }
                out.push(finding);
            }
        }
        // A list re-sends the post with its own footer, which breaks the author's signature.
        (None, Some(fail)) if !received::via_mailing_list(view) => out.push(
            Finding::new("auth.from_domain_failed")
                .arg("domain", registrable)
                .arg("result", format!("{}={}", fail.method, fail.result))
                .evidence("From", from.address.clone())
                .evidence("Authentication-Results", fail.header.clone()),
        ),
        // Nowadays nearly all real mail is signed by its From domain; an unsigned one is worth a note.
        (None, None) if !received::via_mailing_list(view) && !from_domain_authenticated(view) => {
            let mut finding =
                Finding::new("auth.from_unverified").arg("domain", registrable).evidence("From", from.address.clone());
            if let Some(r) = trusted(view).next() {
                finding = finding.evidence("Authentication-Results", r.header.clone());
            }
            out.push(finding);
        }
        (None, _) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Context;
    use crate::{Limits, message::MessageView};
    use mail_parser::MessageParser;

    const TOP: &str = "Received: from mx.example.jp (mx.example.jp [192.0.2.1]) by mbox.example.jp; Mon, 1 Jan 2024 00:00:00 +0900\r\n";

    fn run(headers: &str, from: &str) -> (Vec<AuthResult>, Vec<&'static str>, bool) {
        run_body(headers, from, "x")
    }

    fn run_body(headers: &str, from: &str, body: &str) -> (Vec<AuthResult>, Vec<&'static str>, bool) {
        let raw = format!("{headers}From: {from}\r\nTo: me@example.jp\r\nSubject: x\r\n\r\n{body}\r\n");
        let msg = MessageParser::new().parse(raw.as_bytes()).unwrap();
        let ctx = Context { identities: vec!["me@example.jp".into()], locale: None, ..Context::default() };
        let view = MessageView::build(&msg, false, &ctx, &Limits::default());
        let mut out = Vec::new();
        check(&view, Knowledge::builtin(), &mut out);
        let authenticated = from_domain_authenticated(&view);
        (view.auth.clone(), out.iter().map(|f| f.id).collect(), authenticated)
    }

    fn origin_hop(host: &str, ip: &str) -> String {
        format!("Received: from {host} ({host} [{ip}]) by mx.example.jp (Postfix); Mon, 1 Jan 2024 00:00:00 +0900\r\n")
    }

    #[test]
    fn comments_are_dropped_as_character_by_character_and_words_split_as_on_unicode_space() {
        let char_by_char = |value: &str| {
            let (mut out, mut depth) = (String::new(), 0usize);
            for c in value.chars() {
                match c {
                    '(' => depth += 1,
                    ')' if depth > 0 => depth -= 1,
                    _ if depth == 0 => out.push(c),
                    _ => {}
                }
            }
            out
        };
        for value in ["", "a)b (c (d) e) f) g", "spf=pass (é) x", "(open", "x (a) (b)) y (", "((a)b)c)d(e"] {
            assert_eq!(strip_comments(value), char_by_char(value), "{value:?}");
        }
        for b in 0..=0x7F_u8 {
            let text = format!("a{}b  c", char::from(b));
            assert_eq!(words(&text).collect::<Vec<_>>(), text.split_whitespace().collect::<Vec<_>>(), "{b:#x}");
        }
        let mixed = "spf=pass\u{3000}x\u{A0}y\tz";
        assert_eq!(words(mixed).collect::<Vec<_>>(), mixed.split_whitespace().collect::<Vec<_>>());
    }

    #[test]
    fn parses_methods_domains_and_microsoft_style_headers() {
        let headers = format!(
            "{TOP}Authentication-Results: spf=none (sender IP is 45.79.193.187)\r\n smtp.mailfrom=localhost.example.net; dkim=none (message not signed)\r\n header.d=none;dmarc=none action=none\r\n header.from=shop.example.com;compauth=fail reason=001\r\n{}",
            origin_hop("mail.example.net", "45.79.193.187")
        );
        let (auth, _, _) = run(&headers, "Shop <info@shop.example.com>");
        let summary: Vec<_> =
            auth.iter().map(|r| (r.method.as_str(), r.result.as_str(), r.domain.as_deref())).collect();
        assert_eq!(
            summary,
            [
                ("spf", "none", Some("localhost.example.net")),
                ("dkim", "none", None),
                ("dmarc", "none", Some("shop.example.com")),
                ("compauth", "fail", None)
            ]
        );
        assert!(auth.iter().all(|r| r.trusted && r.authserv_id.is_none()));
        assert!(auth[2].aligned && !auth[0].aligned);
    }

    #[test]
    fn results_injected_below_the_origin_are_not_trusted() {
        let forged = "Authentication-Results: mx.example.jp; dkim=pass header.d=paypal.com; dmarc=pass header.from=paypal.com\r\n";
        let headers = format!("{TOP}{}{forged}", origin_hop("box.hosting.example", "203.0.113.5"));
        let (auth, ids, authenticated) = run(&headers, "PayPal <service@paypal.com>");
        assert!(auth.iter().all(|r| !r.trusted));
        assert!(!authenticated);
        assert!(ids.is_empty(), "no trusted results, no judgement: {ids:?}");
    }

    #[test]
    fn gmail_results_just_below_its_received_header_are_trusted_and_forged_ones_under_them_are_not() {
        let gmail_hop = "Received: from mail-sor-f69.google.com (mail-sor-f69.google.com. [209.85.220.69]) by mx.google.com with SMTPS id a1; Mon, 1 Jan 2024 00:00:00 -0800\r\n";
        let real = "Authentication-Results: mx.google.com; dkim=pass header.i=@accounts.google.com; spf=pass smtp.mailfrom=accounts.google.com; dmarc=pass header.from=accounts.google.com\r\n";
        let forged = "Authentication-Results: mx.google.com; dkim=pass header.d=paypal.com; dmarc=pass header.from=paypal.com\r\n";
        let internal = "Received: by 2002:a05:612c:711:b0:381:73ac:3a65 with SMTP id ft17csp1635409vqb; Mon, 1 Jan 2024 00:00:01 -0800\r\n";
        let headers = format!("{internal}{gmail_hop}Received-SPF: pass\r\n{real}{forged}");
        let (auth, _, authenticated) = run(&headers, "Google <no-reply@accounts.google.com>");
        let trusted: Vec<_> = auth.iter().map(|r| (r.domain.as_deref(), r.trusted)).collect();
        assert_eq!(
            trusted,
            [
                (Some("accounts.google.com"), true),
                (Some("accounts.google.com"), true),
                (Some("accounts.google.com"), true),
                (Some("paypal.com"), false),
                (Some("paypal.com"), false)
            ]
        );
        assert!(authenticated);
        // Only the receiver's own name counts, and only for receivers known to write results there.
        let other_name = real.replace("mx.google.com;", "mx.example.jp;");
        assert!(run(&format!("{gmail_hop}{other_name}"), "no-reply@accounts.google.com").0.iter().all(|r| !r.trusted));
        let postfix_hop = gmail_hop.replace("by mx.google.com", "by mx.example.jp");
        let postfix_named = real.replace("mx.google.com;", "mx.example.jp;");
        assert!(
            run(&format!("{postfix_hop}{postfix_named}"), "no-reply@accounts.google.com").0.iter().all(|r| !r.trusted)
        );
    }

    #[test]
    fn brand_domain_failing_dmarc_is_spoofed() {
        let headers = format!(
            "{TOP}Authentication-Results: mx.example.jp; spf=softfail smtp.mailfrom=bounce@evil.example; dkim=none; dmarc=fail (p=REJECT) header.from=paypal.com\r\n{}",
            origin_hop("box.hosting.example", "203.0.113.5")
        );
        let (auth, ids, _) = run(&headers, "PayPal <service@paypal.com>");
        assert_eq!(auth[0].authserv_id.as_deref(), Some("mx.example.jp"));
        assert_eq!(ids, ["auth.brand_spoofed"]);
    }

    #[test]
    fn brand_domain_without_any_aligned_pass_is_unauthenticated() {
        let headers = format!(
            "{TOP}Authentication-Results: mx.example.jp; spf=none smtp.mailfrom=x@box.example; dkim=none\r\n{}",
            origin_hop("box.hosting.example", "203.0.113.5")
        );
        assert_eq!(run(&headers, "service@paypal.com").1, ["auth.brand_unauthenticated"]);
    }

    #[test]
    fn brand_mail_signed_by_its_own_domain_passes() {
        let headers = format!(
            "{TOP}Authentication-Results: mx.example.jp; spf=pass smtp.mailfrom=bounces@em.sendgrid.net; dkim=pass header.i=@paypal.com header.s=pp; dmarc=pass header.from=paypal.com\r\n{}",
            origin_hop("o1.sendgrid.net", "167.89.0.1")
        );
        let (_, ids, authenticated) = run(&headers, "PayPal <service@paypal.com>");
        assert_eq!(ids, ["auth.brand_verified"]);
        assert!(authenticated);
    }

    #[test]
    fn brand_mail_signed_by_its_listed_domain_with_links_on_known_sites_is_verified() {
        let signed = format!(
            "{TOP}Authentication-Results: mx.example.jp; spf=pass smtp.mailfrom=bounce.paypal.com; dkim=pass header.i=@paypal.com; dmarc=pass header.from=paypal.com\r\n{}",
            origin_hop("mx0.slc.paypal.com", "173.0.84.1")
        );
        let from = "PayPal <service@paypal.com>";
        let own = "Log in: https://www.paypal.com/signin and follow us https://twitter.com/paypal";
        assert_eq!(run_body(&signed, from, own).1, ["auth.brand_verified"]);
        // A link elsewhere (a hijacked sending account's) is no longer the brand speaking.
        assert!(run_body(&signed, from, "Log in: https://paypal.account-check.example/signin").1.is_empty());
        // Nor is a platform's mail carrying someone else's words: a form they made, replies to them.
        assert!(run_body(&signed, from, "Verify: https://docs.google.com/forms/d/e/x/viewform").1.is_empty());
        let replies_elsewhere = format!("{signed}Reply-To: someone@example.net\r\n");
        assert!(run_body(&replies_elsewhere, from, own).1.is_empty());
        // Passing by SPF alone (DMARC on a shared platform's envelope) proves no signature of the brand.
        let spf_only = signed.replace("dkim=pass header.i=@paypal.com", "dkim=pass header.i=@sendgrid.net");
        assert!(run_body(&spf_only, from, own).1.is_empty());
        // An earlier server saw the domain fail: laundered, not verified.
        let early = "ARC-Authentication-Results: i=1; mx.example.net; dmarc=fail header.from=paypal.com\r\n";
        assert_eq!(run_body(&format!("{signed}{early}"), from, own).1, ["auth.failed_then_relayed"]);
        // A federation's member matched by pattern is anyone's registration under the ending.
        let member = signed.replace("paypal.com", "sparkasse-sicherheit.de");
        assert!(
            run_body(&member, "Sparkasse <info@sparkasse-sicherheit.de>", "https://www.sparkasse-sicherheit.de/")
                .1
                .is_empty()
        );
    }

    #[test]
    fn a_pass_for_a_lookalike_domain_is_only_that_domain_authenticated() {
        let headers = format!(
            "{TOP}Authentication-Results: mx.example.jp; dkim=pass header.d=paypa1-secure.com; dmarc=pass header.from=paypa1-secure.com\r\n{}",
            origin_hop("mail.paypa1-secure.com", "203.0.113.5")
        );
        let raw = format!("{headers}From: PayPal <service@paypa1-secure.com>\r\nTo: me@example.jp\r\n\r\nx\r\n");
        let msg = MessageParser::new().parse(raw.as_bytes()).unwrap();
        let view = MessageView::build(&msg, false, &Context::default(), &Limits::default());
        let paypal = Knowledge::builtin().brands.iter().find(|b| b.id == "paypal").unwrap();
        assert!(from_domain_authenticated(&view));
        assert!(!brand_authenticated(&view, Knowledge::builtin(), paypal));
    }

    #[test]
    fn ordinary_domain_failing_dmarc_is_reported_unless_via_a_list() {
        let headers = format!(
            "{TOP}Authentication-Results: mx.example.jp; dmarc=fail header.from=shop.example.com\r\n{}",
            origin_hop("mail.other.example", "203.0.113.5")
        );
        assert_eq!(run(&headers, "info@shop.example.com").1, ["auth.from_domain_failed"]);
        let listed = format!("{headers}List-Id: <talk.lists.example.org>\r\n");
        assert!(run(&listed, "info@shop.example.com").1.is_empty());
    }

    #[test]
    fn unsigned_ordinary_domain_gets_a_note_signed_one_does_not() {
        let unsigned = format!(
            "{TOP}Authentication-Results: mx.example.jp; spf=none smtp.mailfrom=x@box.example.net; dkim=none\r\n{}",
            origin_hop("box.example.net", "203.0.113.5")
        );
        assert_eq!(run(&unsigned, "info@shop.example.com").1, ["auth.from_unverified"]);
        let signed = unsigned.replace("dkim=none", "dkim=pass header.d=shop.example.com");
        assert!(run(&signed, "info@shop.example.com").1.is_empty());
    }

    #[test]
    fn a_domain_failing_upstream_then_passing_through_a_relay_is_laundered() {
        // The relay tenant's own inbound record (ARC i=1) saw the real origin fail; the recipient saw the
        // tenant's outbound server, which the domain's SPF allows.
        let top = "Authentication-Results: mx.example.jp; spf=pass smtp.mailfrom=deck.example.com; dkim=pass header.d=t1.onmicrosoft.com; dmarc=pass header.from=deck.example.com\r\n";
        let early = "ARC-Authentication-Results: i=1; mx.microsoft.com 1; spf=fail (sender ip is 203.0.113.5) smtp.mailfrom=deck.example.com; dmarc=fail (p=none) header.from=deck.example.com; dkim=none\r\n";
        let relay = origin_hop("mail-tyzapc01.outbound.protection.outlook.com", "40.107.75.121");
        let headers = format!("{TOP}{top}{relay}{early}");
        let (_, ids, authenticated) = run(&headers, "Team <abc@deck.example.com>");
        assert!(authenticated);
        assert_eq!(ids, ["auth.failed_then_relayed"]);
        // Authentication-Results further down count the same; an SPF fail alone too.
        let lower = early
            .replace("ARC-Authentication-Results: i=1;", "Authentication-Results:")
            .replace("dmarc=fail", "dmarc=none");
        assert_eq!(run(&format!("{TOP}{top}{relay}{lower}"), "abc@deck.example.com").1, ["auth.failed_then_relayed"]);
    }

    #[test]
    fn a_forged_sender_on_a_machine_made_mailbox_is_dangerous() {
        use crate::model::Level;
        let rules = crate::rules::Rules::builtin();
        let level = |ids: &[&'static str]| rules.score(&ids.iter().map(|id| Finding::new(id)).collect::<Vec<_>>()).1;
        // Laundered through a relay, from a random mailbox (snowshoe mail through a Microsoft 365 tenant).
        assert_eq!(level(&["auth.failed_then_relayed"]), Level::Suspicious);
        assert_eq!(level(&["sender.random_address"]), Level::Safe);
        assert_eq!(level(&["auth.failed_then_relayed", "sender.random_address"]), Level::Dangerous);
        // A From line showing an address nothing checked, sent straight from a home connection.
        let shown = ["auth.malformed_from_unverified", "sender.malformed_from"];
        assert_eq!(level(&shown), Level::Suspicious);
        assert_eq!(level(&[shown[0], shown[1], "received.origin_home_connection"]), Level::Dangerous);
        // A broken From line sent from a home connection, with no check failing on it, stays suspicious.
        assert_eq!(level(&["sender.malformed_from", "received.origin_home_connection"]), Level::Suspicious);
        // A domain merely unsigned is not a forged one.
        assert_eq!(level(&["auth.from_unverified", "sender.random_address"]), Level::Suspicious);
        // The whole message: a failed origin relayed to pass, from a jumble of letters.
        let top = "Authentication-Results: mx.example.jp; spf=pass smtp.mailfrom=deck.example.com; dmarc=pass header.from=deck.example.com\r\n";
        let early = "ARC-Authentication-Results: i=1; mx.microsoft.com 1; spf=fail (sender ip is 203.0.113.5) smtp.mailfrom=deck.example.com; dmarc=fail (p=none) header.from=deck.example.com; dkim=none\r\n";
        let relay = origin_hop("mail-tyzapc01.outbound.protection.outlook.com", "40.107.75.121");
        let message = |from: &str| {
            format!(
                "{TOP}{top}{relay}{early}From: {from}\r\nTo: me@example.jp\r\nSubject: Compare quotes\r\n\r\nSave today.\r\n"
            )
        };
        let ctx = Context { identities: vec!["me@example.jp".into()], ..Context::default() };
        let verdict = |from: &str| crate::analyze(message(from).as_bytes(), &ctx).level;
        assert_eq!(verdict("\"Home Insurance Quotes\" <8n23y9t2ohb7@deck.example.com>"), Level::Dangerous);
        assert_eq!(verdict("\"Home Insurance Quotes\" <quotes@deck.example.com>"), Level::Suspicious);
    }

    #[test]
    fn an_upstream_failure_without_a_laundered_pass_is_not_a_relay() {
        let top = "Authentication-Results: mx.example.jp; spf=pass smtp.mailfrom=deck.example.com; dmarc=pass header.from=deck.example.com\r\n";
        let relay = origin_hop("relay.example.net", "198.51.100.7");
        let early = "ARC-Authentication-Results: i=1; mx.example.net; spf=pass smtp.mailfrom=deck.example.com; dmarc=pass header.from=deck.example.com\r\n";
        // The first server saw a pass too: a forward or a relay of genuine mail.
        assert!(run(&format!("{TOP}{top}{relay}{early}"), "abc@deck.example.com").1.is_empty());
        // A failure about another domain (the original author's, before a forward rewrote the envelope) is not this one.
        let other = "ARC-Authentication-Results: i=1; mx.example.net; spf=fail smtp.mailfrom=other.example.org; dmarc=fail header.from=other.example.org\r\n";
        assert!(run(&format!("{TOP}{top}{relay}{other}"), "abc@deck.example.com").1.is_empty());
        // Nor is an SPF fail where the domain's signature passed: a forward that kept the signature.
        let kept = "ARC-Authentication-Results: i=1; mx.example.net; spf=fail smtp.mailfrom=deck.example.com; dkim=pass header.d=deck.example.com; dmarc=pass header.from=deck.example.com\r\n";
        assert!(run(&format!("{TOP}{top}{relay}{kept}"), "abc@deck.example.com").1.is_empty());
        // An SPF softfail (~all) upstream is no proof of an unauthorised origin.
        let soft = "ARC-Authentication-Results: i=1; mx.example.net; spf=softfail smtp.mailfrom=deck.example.com\r\n";
        assert!(run(&format!("{TOP}{top}{relay}{soft}"), "abc@deck.example.com").1.is_empty());
        // The recipient's server did not pass it: that is judged as it stands (here, a DMARC fail).
        let failing = top.replace("dmarc=pass", "dmarc=fail").replace("spf=pass", "spf=none");
        let early_fail = "ARC-Authentication-Results: i=1; mx.example.net; dmarc=fail header.from=deck.example.com\r\n";
        assert_eq!(
            run(&format!("{TOP}{failing}{relay}{early_fail}"), "abc@deck.example.com").1,
            ["auth.from_domain_failed"]
        );
        // A mailing list re-sends under its own name.
        let listed = format!("{TOP}{top}{relay}{early_fail}List-Id: <talk.lists.example.org>\r\n");
        assert!(run(&listed, "abc@deck.example.com").1.is_empty());
    }

    #[test]
    fn arc_results_are_information_only() {
        let headers = format!(
            "{TOP}ARC-Authentication-Results: i=1; mx.google.com; dkim=pass header.d=paypal.com\r\n{}",
            origin_hop("mail.other.example", "203.0.113.5")
        );
        let (auth, _, _) = run(&headers, "service@paypal.com");
        assert_eq!(auth.len(), 1);
        assert_eq!(auth[0].authserv_id.as_deref(), Some("mx.google.com"));
        assert!(!auth[0].trusted);
    }

    #[test]
    fn a_broken_from_line_showing_an_unverified_address() {
        let none = "Authentication-Results: spf=none (sender IP is 203.0.113.5) smtp.helo=ip-203-0-113-5.example.id; \
                    dkim=none (message not signed) header.d=none;dmarc=none action=none header.from=;\r\n";
        let headers = format!("{TOP}{none}{}", origin_hop("ip-203-0-113-5.example.id", "203.0.113.5"));
        let ids = |from: &str| run(&headers, from).1;
        for from in [
            "Gadget-Retter,(<noreply@parcel-example.de>)",
            "\"Kundenbetreuung\" <\"noreply@shop-example.de\">",
            "Ermäßigt, Schlaflösung <service@shop-example.de>",
        ] {
            assert!(ids(from).contains(&"auth.malformed_from_unverified"), "{from}");
        }
        // A well-formed line is judged by the other checks; nothing to show when no address is shown.
        assert!(!ids("Shop <service@shop-example.de>").contains(&"auth.malformed_from_unverified"));
        assert!(!ids("Gadget-Retter,(no address here)").contains(&"auth.malformed_from_unverified"));
        // The recipient's server vouches for the shown domain, or recorded nothing at all.
        let pass = headers.replace("header.from=;", "header.from=;dkim=pass header.d=shop-example.de");
        assert!(!run(&pass, "\"K\" <\"noreply@shop-example.de\">").1.contains(&"auth.malformed_from_unverified"));
        assert!(!run(TOP, "Gadget-Retter,(<noreply@parcel-example.de>)").1.contains(&"auth.malformed_from_unverified"));
    }

    #[test]
    fn shown_address_reads_the_last_address_leniently() {
        assert_eq!(
            shown_address("X,(<a.b@mail.example.de>)"),
            Some(("a.b@mail.example.de".into(), "mail.example.de".into()))
        );
        assert_eq!(shown_address("Grüße <a@x.example.com.>").map(|a| a.1), Some("x.example.com".into()));
        assert_eq!(shown_address("phishing@pot <phishing@pot>"), None);
        // A letter of several bytes just before the @ ends the local part.
        assert_eq!(shown_address("Schlaflösung@'Schlaflösung-x.example.com"), None);
        assert_eq!(shown_address(&"é@".repeat(5000)), None);
    }

    #[test]
    fn comments_nest_and_results_are_bounded() {
        assert_eq!(strip_comments("a (b (c; d) e) f"), "a  f");
        let many = format!("{TOP}Authentication-Results: x; {}\r\n", "dkim=pass header.d=a.example; ".repeat(500));
        assert_eq!(run(&many, "a@a.example").0.len(), MAX_RESULTS);
    }
}
