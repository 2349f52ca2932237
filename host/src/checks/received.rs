//! The Received chain: where the message really entered the recipient's side, and from whom.
//!
//! Each server prepends a Received header, so the top ones were written by the recipient's own
//! servers and are facts; the first hop whose sender is outside them (the origin) is the last fact,
//! and everything below it was written by the sender's side and is only a claim.

use std::net::IpAddr;

use mail_parser::{HeaderName, Host};

use crate::checks::{auth, sender};
use crate::domain;
use crate::knowledge::{Brand, Knowledge};
use crate::message::MessageView;
use crate::model::Finding;

/// Received headers read per message; a real chain has a dozen at most.
const MAX_HOPS: usize = 100;
/// Characters of a header kept as evidence.
const MAX_EVIDENCE_CHARS: usize = 400;

/// One Received header, as parsed.
#[derive(Debug, Clone, Default)]
pub struct Hop<'m> {
    /// Host name the sending side was known by (reverse DNS or as written in `from`).
    pub from_host: Option<String>,
    pub from_ip: Option<IpAddr>,
    /// Name the client gave in HELO/EHLO.
    pub helo: Option<String>,
    pub by: Option<String>,
    /// The name the receiving server found for the client's address (reverse DNS), when it recorded one.
    pub rdns: Option<String>,
    /// The receiving server recorded that the client's address has no name (`unknown [1.2.3.4]`).
    pub rdns_unknown: bool,
    /// The client logged in to the receiving server (`with ESMTPSA`, `Authenticated sender:`): one of
    /// that server's own users submitting mail, wherever they are.
    pub authenticated: bool,
    /// The header field as written; shown through [`Hop::evidence`], worked out only for a finding.
    pub raw: &'m str,
}

impl Hop<'_> {
    /// The header as shown in evidence: unfolded, shortened.
    pub fn evidence(&self) -> String {
        evidence_text(self.raw)
    }

    /// A transfer from another machine; `Received: by host (Postfix, from userid 1042)` is a local pickup.
    pub fn is_relay(&self) -> bool {
        self.from_host.is_some() || self.from_ip.is_some()
    }

    /// `host [ip]`, `host` or `[ip]`: how the sending machine is shown to the user.
    pub fn sender_label(&self) -> String {
        match (self.from_host.as_deref().filter(|_| !self.rdns_unknown), self.from_ip) {
            (Some(host), Some(ip)) => format!("{host} [{ip}]"),
            (Some(host), None) => host.to_string(),
            (None, Some(ip)) => format!("[{ip}]"),
            (None, None) => "unknown".to_string(),
        }
    }

    /// The sender's name as verified by the receiving server, or as written when it recorded none.
    fn sender_name(&self) -> Option<&str> {
        if self.rdns_unknown { None } else { self.rdns.as_deref().or(self.from_host.as_deref()) }
    }
}

/// Collapses folding whitespace and shortens a header value for display.
pub fn evidence_text(raw: &str) -> String {
    // Headers are mostly ASCII, where a split on bytes finds the same words (the vertical tab aside:
    // `char::is_whitespace` counts it, `u8::is_ascii_whitespace` does not) at a fraction of the cost.
    if raw.is_ascii() && !raw.contains('\x0B') {
        shortened(raw.split_ascii_whitespace(), raw.len())
    } else {
        shortened(raw.split_whitespace(), raw.len())
    }
}

/// Words joined by single spaces, cut after `MAX_EVIDENCE_CHARS` characters; `len` bounds the size.
fn shortened<'t>(words: impl Iterator<Item = &'t str>, len: usize) -> String {
    let mut out = String::with_capacity(len.min(MAX_EVIDENCE_CHARS + 3));
    let mut chars = 0;
    for word in words {
        if chars >= MAX_EVIDENCE_CHARS {
            out.push('…');
            break;
        }
        if !out.is_empty() {
            out.push(' ');
            chars += 1;
        }
        let room = MAX_EVIDENCE_CHARS - chars;
        // Headers are mostly ASCII, where characters are bytes.
        let kept = if word.is_ascii() {
            &word[..word.len().min(room)]
        } else {
            word.char_indices().nth(room).map_or(word, |(end, _)| &word[..end])
        };
        chars += if word.is_ascii() { kept.len() } else { kept.chars().count() };
        out.push_str(kept);
    }
    out
}

fn host_name(host: Option<&Host>) -> Option<String> {
    match host? {
        Host::Name(name) => domain::normalize_host(name).filter(|n| n != "unknown"),
        Host::IpAddr(_) => None,
    }
}

/// Parses every Received header, top (newest) first. Headers that are not UTF-8 are left out, as
/// they are from `MessageView::headers`, so the n-th hop is the n-th Received header there.
pub fn chain<'m>(message: &'m mail_parser::Message) -> Vec<Hop<'m>> {
    let raw_message = message.raw_message.as_ref();
    let Some(root) = message.parts.first() else { return Vec::new() };
    root.headers
        .iter()
        .filter(|h| h.name == HeaderName::Received)
        .filter_map(|h| {
            let bytes = raw_message.get(h.offset_start as usize..h.offset_end as usize)?;
            let raw = std::str::from_utf8(bytes).ok()?;
            Some(hop_of(raw, h.value.as_received()))
        })
        .take(MAX_HOPS)
        .collect()
}

fn hop_of<'m>(raw: &'m str, parsed: Option<&mail_parser::Received>) -> Hop<'m> {
    let mut hop = Hop { raw, ..Hop::default() };
    let Some(r) = parsed else { return hop };
    hop.by = host_name(r.by.as_ref());
    use mail_parser::Protocol::*;
    hop.authenticated =
        matches!(r.with, Some(ESMTPA | ESMTPSA | LMTPA | LMTPSA | UTF8SMTPA | UTF8SMTPSA | UTF8LMTPA | UTF8LMTPSA))
            || (after_parenthesis(raw, "authenticated") && hop.evidence().contains("(Authenticated sender:"));
    // Without a `from` clause the parser reads words of the comment (`from userid 1042`) as a host.
    let has_from = raw.trim_start().get(..5).is_some_and(|w| w.eq_ignore_ascii_case("from "));
    if !has_from {
        return hop;
    }
    let from_name = host_name(r.from.as_ref());
    let from_literal = match r.from {
        Some(Host::IpAddr(ip)) => Some(ip),
        _ => None,
    };
    hop.from_ip = r.from_ip.or(from_literal);
    let explicit_helo = host_name(r.helo.as_ref());
    if explicit_helo.is_some() {
        // Exim and qmail: `from <verified name or [ip]> (helo=<claimed name>)`.
        hop.rdns = from_name.clone();
        hop.rdns_unknown = from_name.is_none();
        hop.helo = explicit_helo;
    } else {
        // Postfix, sendmail, Exchange: `from <helo> (<reverse name> [ip])`.
        let iprev = r.from_iprev.as_deref().map(str::trim);
        // The parser drops Postfix's `(unknown [ip])`, so look for it in the text.
        hop.rdns_unknown = iprev.is_some_and(|n| n.eq_ignore_ascii_case("unknown"))
            || (after_parenthesis(raw, "unknown") && hop.evidence().to_ascii_lowercase().contains("(unknown ["));
        let ident_host = r.ident.as_deref().and_then(|i| i.rsplit_once('@')).map(|(_, h)| h);
        hop.rdns = iprev.or(ident_host).and_then(domain::normalize_host).filter(|n| n != "unknown");
        hop.helo = from_name.clone();
    }
    hop.from_host = hop.rdns.clone().or(from_name);
    hop
}

/// Whether `word` (ASCII, any case) follows a `(` in `raw`: a cheap test that the evidence text, where
/// comments are looked for as shown, can hold `(word …` at all.
fn after_parenthesis(raw: &str, word: &str) -> bool {
    let bytes = raw.as_bytes();
    memchr::memchr_iter(b'(', bytes)
        .any(|at| bytes.get(at + 1..at + 1 + word.len()).is_some_and(|w| w.eq_ignore_ascii_case(word.as_bytes())))
}

pub(crate) fn is_internal_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            // 100.64.0.0/10 is carrier-grade NAT: never a public mail server.
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || (a == 100 && b & 0xc0 == 64)
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_loopback() || v6.is_unspecified() || first & 0xfe00 == 0xfc00 || first & 0xffc0 == 0xfe80
        }
    }
}

fn is_localhost(name: &str) -> bool {
    name == "localhost" || name == "localhost.localdomain"
}

/// Who runs a host: the brand that owns its registrable domain, else the registrable domain itself.
/// Shared-hosting boxes have no common owner: two customers of one provider are not one organisation.
fn organisation(host: &str, kb: &Knowledge) -> Option<String> {
    if kb.is_hosting(host) {
        return None;
    }
    let registrable = domain::registrable(host)?;
    Some(kb.brand_of_domain(&registrable).map_or(registrable, |b| format!("brand:{}", b.id)))
}

/// Whether the hop's sender is one of the recipient's own or internal machines.
fn is_internal(hop: &Hop<'_>, view: &MessageView, kb: &Knowledge) -> bool {
    if !hop.is_relay() || hop.authenticated {
        return true;
    }
    match hop.from_ip {
        Some(ip) if is_internal_ip(ip) => return true,
        Some(_) => {}
        None => {
            if hop.from_host.as_deref().is_some_and(is_localhost) {
                return true;
            }
        }
    }
    let Some(name) = hop.sender_name() else { return false };
    if view.is_recipient_domain(name) {
        return true;
    }
    // A provider's own servers passing the message along (Outlook front end → mailbox server).
    let by_org = hop.by.as_deref().and_then(|by| organisation(by, kb));
    by_org.is_some() && by_org == organisation(name, kb)
}

/// Index of the origin hop: the first hop, walking from the top, whose sender is outside the
/// recipient's own and internal servers.
pub fn origin(view: &MessageView) -> Option<usize> {
    let kb = Knowledge::builtin();
    view.hops.iter().position(|hop| !is_internal(hop, view, kb))
}

/// A mailing list re-sends the post from its own server: the origin is the list, not the author.
/// A list names itself in List-Id under a domain of the Internet (`<usrp-users.lists.ettus.com>`,
/// RFC 2919). An identifier under no public suffix (`<zjhtt9vzz.xt.local>`, `<milfpaire>`) names
/// no list anyone could join: mass mailers copy a bulk sender's header to pass for a list, which
/// must not excuse them from the checks a list's re-sending would break.
pub fn via_mailing_list(view: &MessageView) -> bool {
    match view.header("List-Id") {
        Some(list_id) => names_public_list(list_id),
        None => view.header("List-Post").is_some(),
    }
}

/// Whether a List-Id value (`Name <label.namespace>` or a bare identifier) ends in a registrable domain.
fn names_public_list(list_id: &str) -> bool {
    let id = match list_id.rsplit_once('<') {
        Some((_, inside)) => inside.split('>').next().unwrap_or_default(),
        None => list_id,
    };
    domain::registrable(id.trim()).is_some()
}

pub fn check(view: &MessageView, kb: &'static Knowledge, out: &mut Vec<Finding>) {
    let Some(hop) = view.origin.and_then(|i| view.hops.get(i)) else { return };
    check_helo(hop, view, kb, out);
    if via_mailing_list(view) {
        return;
    }
    check_home_connection(hop, kb, out);
    if let Some(below) = view.origin.and_then(|i| view.hops.get(i + 1)) {
        check_forged_trail(hop, below, kb, out);
    }
    let origin_name = hop.sender_name();
    let claimed = sender::claimed_brands(view, kb);
    let Some(brand) = claimed.into_iter().find(|b| sent_from_outside(view, kb, b)) else { return };
    let label = hop.sender_label();
    out.push(
        Finding::new("received.origin_not_brand")
            .arg("brand", brand.label())
            .arg("origin", label.clone())
            .evidence("Received", hop.evidence())
            .evidence("Origin", label.clone()),
    );
    if origin_name.is_some_and(|n| kb.is_hosting(n)) {
        out.push(
            Finding::new("received.brand_via_hosting")
                .arg("brand", brand.label())
                .arg("origin", label.clone())
                .evidence("Origin", label),
        );
    }
}

/// The message came in from a server that is not the brand's own, and nothing the brand signs vouches
/// for it. Mail through a mailing list or a mail service provider is not judged here: brands send
/// through providers all the time, and the auth checker judges those.
pub fn sent_from_outside(view: &MessageView, kb: &Knowledge, brand: &Brand) -> bool {
    let Some(hop) = view.origin.and_then(|i| view.hops.get(i)) else { return false };
    let origin_name = hop.sender_name();
    if via_mailing_list(view) || origin_name.is_some_and(|n| kb.is_mail_service(n)) {
        return false;
    }
    let origin_registrable = origin_name.and_then(domain::registrable);
    !origin_registrable.as_deref().is_some_and(|r| brand.owns_domain(r)) && !auth::brand_authenticated(view, kb, brand)
}

/// Whether a host name was generated from the address of a home or mobile connection
/// (`82-42-116-109.cable.example.net`, `c-67-187-139-47.hsd1.ca.comcast.net`): it spells out the
/// whole address, or carries one of the words providers use for such connections.
fn is_home_connection(kb: &Knowledge, name: &str, ip: Option<IpAddr>) -> bool {
    let words: Vec<&str> = name.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let spells_address = match ip {
        Some(IpAddr::V4(v4)) => {
            let octets = v4.octets().map(|o| o.to_string());
            // All four numbers as separate words, in either order (`1-2-3-4` or `4.3.2.1`), the first
            // maybe after a letter or two (`a83-132-38-187.netcabo.pt`).
            let numbers: Vec<&str> = words
                .iter()
                .map(|w| w.trim_start_matches(|c: char| c.is_ascii_alphabetic()))
                .filter(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit()))
                .collect();
            let separate = numbers.windows(4).any(|w| {
                let forward = w.iter().zip(octets.iter()).all(|(a, b)| *a == b.as_str());
                let backward = w.iter().zip(octets.iter().rev()).all(|(a, b)| *a == b.as_str());
                forward || backward
            });
            // Or run together inside one word, zero-padded or in hexadecimal
            // (`YahooBB219206005021.bbtec.net`, `pd900ddc6.dip.t-dialin.net` for 217.0.221.198).
            let [a, b, c, d] = v4.octets();
            let padded = format!("{a:03}{b:03}{c:03}{d:03}");
            let hex = format!("{a:02x}{b:02x}{c:02x}{d:02x}");
            separate
                || words.iter().any(|w| {
                    let w = w.to_ascii_lowercase();
                    w.contains(&padded) || w.contains(&hex)
                })
        }
        _ => false,
    };
    let home_word = words.iter().any(|w| {
        let w = w.to_ascii_lowercase();
        let stem = w.trim_end_matches(|c: char| c.is_ascii_digit());
        kb.is_home_connection_word(stem)
    });
    spells_address || home_word
}

/// Mail that enters straight from a home or mobile connection, not from a mail server: what
/// botnets and hijacked PCs send. Rented servers are judged separately (`brand_via_hosting`).
fn check_home_connection(hop: &Hop<'_>, kb: &Knowledge, out: &mut Vec<Finding>) {
    let Some(name) = hop.sender_name() else { return };
    if kb.is_hosting(name) || kb.is_mail_service(name) || !is_home_connection(kb, name, hop.from_ip) {
        return;
    }
    out.push(
        Finding::new("received.origin_home_connection")
            .arg("origin", hop.sender_label())
            .evidence("Received", hop.evidence())
            .evidence("Origin", hop.sender_label()),
    );
}

/// The Received header just below the origin is the one the origin machine wrote when it took the
/// message in; it names that machine as `by`. When the origin has no name of its own (the receiving
/// server found none, or it is a home connection) yet that header says a named server of another
/// domain took the message from a public address (`from server1.go.com [199.181.152.240] by
/// fep2.emailgarden.com`, `from [216.117.177.39] by web714.mail.yahoo.com via HTTP`), the trail was
/// written by the sender to look like another provider's mail: a nameless machine is no one's server.
/// A home server relaying its own users' mail names itself (`by` matches its HELO or reverse name) and
/// takes them from inside (a private address) or from its users logged in: none of these counts.
fn check_forged_trail(origin: &Hop<'_>, below: &Hop<'_>, kb: &Knowledge, out: &mut Vec<Finding>) {
    if !origin.is_relay() || !below.is_relay() {
        return;
    }
    let nameless = match origin.sender_name() {
        None => true,
        Some(name) => !kb.is_hosting(name) && !kb.is_mail_service(name) && is_home_connection(kb, name, origin.from_ip),
    };
    if !nameless
        || below.from_ip.is_some_and(is_internal_ip)
        || below.from_host.as_deref().is_some_and(is_localhost)
        || below.from_host.is_none() && below.from_ip.is_none()
        || below.authenticated
    {
        return;
    }
    let Some(claimed) = below.by.as_deref() else { return };
    let Some(claimed_registrable) = domain::registrable(claimed) else { return };
    let own = [origin.helo.as_deref(), origin.rdns.as_deref().filter(|_| !origin.rdns_unknown)];
    if own.into_iter().flatten().any(|name| domain::registrable(name).as_deref() == Some(&claimed_registrable)) {
        return;
    }
    out.push(
        Finding::new("received.forged_trail")
            .arg("server", claimed)
            .arg("origin", origin.sender_label())
            .evidence("Received", origin.evidence())
            .evidence("Received", below.evidence()),
    );
}

/// The origin's HELO names a brand's domain or the recipient's own, but the server's real name is not there.
fn check_helo(hop: &Hop<'_>, view: &MessageView, kb: &Knowledge, out: &mut Vec<Finding>) {
    let Some(helo) = hop.helo.as_deref() else { return };
    let Some(helo_registrable) = domain::registrable(helo) else { return };
    let claims_brand = kb.brand_of_domain(&helo_registrable);
    // Only the user's known domains: To and Cc name everyone else on the thread too.
    let users: Vec<String> =
        sender::user_addresses(view, false).iter().filter_map(|u| domain::address_domain(u)).collect();
    let is_users = |host: &str| users.iter().any(|d| domain::is_within(host, d));
    let claims_recipient = is_users(helo);
    if claims_brand.is_none() && !claims_recipient {
        return;
    }
    let real = match (&hop.rdns, hop.rdns_unknown) {
        (_, true) => None,
        (Some(rdns), false) => Some(rdns.as_str()),
        // No reverse name recorded at all (Exchange): nothing to compare the claim with.
        (None, false) => return,
    };
    let genuine = real.is_some_and(|r| {
        let r_registrable = domain::registrable(r);
        claims_brand.is_some_and(|b| r_registrable.as_deref().is_some_and(|rr| b.owns_domain(rr)))
            || (claims_recipient && is_users(r))
            || r_registrable.as_deref() == Some(helo_registrable.as_str())
    });
    // Mail service providers greet with their customer's name (`em123.brand.example`) by design.
    let via_service = real.is_some_and(|r| kb.is_mail_service(r));
    if genuine || via_service || claims_brand.is_some_and(|b| auth::brand_authenticated(view, kb, b)) {
        return;
    }
    out.push(
        Finding::new("received.forged_helo")
            .arg("helo", helo)
            .arg("origin", hop.sender_label())
            .evidence("Received", hop.evidence()),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Context;
    use crate::{Limits, message::MessageView};
    use mail_parser::MessageParser;

    /// The parsed message, leaked: hops borrow their header from it, and tests read them after.
    fn parsed(raw: String) -> &'static mail_parser::Message<'static> {
        Box::leak(Box::new(MessageParser::new().parse(raw.leak().as_bytes()).unwrap()))
    }

    fn hops(headers: &str) -> Vec<Hop<'static>> {
        chain(parsed(format!("{headers}From: a@b.example\r\nSubject: x\r\n\r\nbody\r\n")))
    }

    fn analyze(raw: &str, identities: &[&str]) -> (Option<usize>, Vec<Hop<'static>>, Vec<&'static str>) {
        let msg = parsed(raw.to_string());
        let ctx = Context {
            identities: identities.iter().map(|s| s.to_string()).collect(),
            locale: None,
            ..Context::default()
        };
        let view = MessageView::build(msg, false, &ctx, &Limits::default());
        let mut out = Vec::new();
        check(&view, Knowledge::builtin(), &mut out);
        (view.origin, view.hops.clone(), out.iter().map(|f| f.id).collect())
    }

    #[test]
    fn postfix_hop_separates_helo_reverse_name_and_ip() {
        let h = hops(
            "Received: from sv8630.xserver.jp (sv8630.xserver.jp [183.181.84.151])\r\n\tby mfilter.example.jp (Postfix) with ESMTPS id 4LGq\r\n",
        );
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].from_host.as_deref(), Some("sv8630.xserver.jp"));
        assert_eq!(h[0].rdns.as_deref(), Some("sv8630.xserver.jp"));
        assert_eq!(h[0].from_ip.map(|i| i.to_string()).as_deref(), Some("183.181.84.151"));
        assert_eq!(h[0].by.as_deref(), Some("mfilter.example.jp"));
        assert_eq!(h[0].sender_label(), "sv8630.xserver.jp [183.181.84.151]");
        assert!(!h[0].evidence().contains('\t'), "evidence is unfolded");
    }

    #[test]
    fn local_pickup_is_not_a_relay() {
        let h = hops(
            "Received: by sv8630.xserver.jp (Postfix, from userid 1042)\r\n\tid 8A1F; Mon, 13 Jun 2022 08:12:31 +0900\r\n",
        );
        assert!(!h[0].is_relay());
        assert_eq!(h[0].by.as_deref(), Some("sv8630.xserver.jp"));
    }

    #[test]
    fn exim_hop_takes_helo_from_the_comment() {
        let h = hops(
            "Received: from [45.126.125.101] (helo=mail0.paypal.com)\r\n by mx.example.org with esmtps id 1sj3\r\n",
        );
        assert_eq!(h[0].helo.as_deref(), Some("mail0.paypal.com"));
        assert!(h[0].rdns_unknown);
        assert_eq!(h[0].sender_label(), "[45.126.125.101]");
    }

    #[test]
    fn postfix_unknown_reverse_name_is_recorded() {
        let h = hops("Received: from paypal.com (unknown [203.0.113.9])\r\n by mx.example.org (Postfix) id 1\r\n");
        assert!(h[0].rdns_unknown);
        assert_eq!(h[0].helo.as_deref(), Some("paypal.com"));
        assert_eq!(h[0].sender_label(), "[203.0.113.9]");
    }

    #[test]
    fn seed_origin_is_the_xserver_box_and_is_not_kagoya() {
        let raw =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/seed-kagoya-phish.eml"))
                .unwrap();
        let (origin, hops, ids) = analyze(&raw, &[]);
        let origin = origin.expect("an origin");
        assert_eq!(origin, 1);
        assert_eq!(hops[origin].sender_label(), "sv8630.xserver.jp [183.181.84.151]");
        assert!(ids.contains(&"received.origin_not_brand"), "{ids:?}");
        assert!(ids.contains(&"received.brand_via_hosting"), "{ids:?}");
    }

    const OUTLOOK_CHAIN: &str = "Received: from BL1PR19MB5748.namprd19.prod.outlook.com (::1) by\r\n MN0PR19MB6312.namprd19.prod.outlook.com with HTTPS; Wed, 2 Aug 2023 18:33:36 +0000\r\n\
Received: from MW2NAM12FT098.eop-nam12.prod.protection.outlook.com\r\n (2a01:111:f400:fe5a::209) by BL1PR19MB5748.namprd19.prod.outlook.com\r\n (2603:1036:d20::b) with Microsoft SMTP Server id 15.20.6652.5; Wed, 2 Aug 2023 18:33:34 +0000\r\n\
Received: from mail.example.net (45.79.193.187) by\r\n MW2NAM12FT098.mail.office365.com (10.13.181.57) with Microsoft SMTP\r\n Server id 15.20.6631.44; Wed, 2 Aug 2023 18:33:34 +0000\r\n\
Received: by mail.example.net (Postfix, from userid 0) id ED75620A25\r\n";

    #[test]
    fn provider_internal_hops_are_skipped_across_its_domains() {
        let raw =
            format!("{OUTLOOK_CHAIN}From: Microsoft <no-reply@example.net>\r\nTo: me@hotmail.example\r\n\r\nx\r\n");
        let (origin, hops, ids) = analyze(&raw, &[]);
        assert_eq!(origin, Some(2));
        assert_eq!(hops[2].sender_label(), "mail.example.net [45.79.193.187]");
        assert_eq!(ids, ["received.origin_not_brand"]);
    }

    #[test]
    fn brand_mail_from_its_own_server_passes() {
        let raw = "Received: from mx.example.jp (mx.example.jp [192.0.2.1]) by mbox.example.jp; Mon, 1 Jan 2024 00:00:00 +0900\r\n\
Received: from smtp-out.amazon.co.jp (smtp-out.amazon.co.jp [52.95.1.1]) by mx.example.jp; Mon, 1 Jan 2024 00:00:00 +0900\r\n\
From: Amazon.co.jp <order-update@amazon.co.jp>\r\nTo: me@example.jp\r\nSubject: order\r\n\r\nx\r\n";
        let (origin, _, ids) = analyze(raw, &["me@example.jp"]);
        assert_eq!(origin, Some(1));
        assert!(ids.is_empty(), "{ids:?}");
    }

    #[test]
    fn forged_helo_claiming_a_brand_is_reported() {
        let raw = "Received: from paypal.com (unknown [203.0.113.9]) by mx.example.jp (Postfix); Mon, 1 Jan 2024 00:00:00 +0900\r\n\
From: someone@example.org\r\nTo: me@example.jp\r\nSubject: x\r\n\r\nx\r\n";
        let (_, _, ids) = analyze(raw, &["me@example.jp"]);
        assert_eq!(ids, ["received.forged_helo"]);
        let honest = raw.replace("(unknown [203.0.113.9])", "(mx1.paypal.com [64.4.250.1])");
        assert!(analyze(&honest, &["me@example.jp"]).2.is_empty());
    }

    #[test]
    fn a_trail_naming_another_server_behind_a_nameless_origin_is_forged() {
        let top = "Received: from mx.example.jp (mx.example.jp [192.0.2.1]) by mbox.example.jp (Postfix); Mon, 1 Jan 2024 00:00:00 +0900\r\n";
        let message = |origin: &str, below: &str| {
            format!("{top}{origin}{below}From: Team <a@example.org>\r\nTo: me@example.jp\r\nSubject: x\r\n\r\nx\r\n")
        };
        let ids = |origin: &str, below: &str| analyze(&message(origin, below), &["me@example.jp"]).2;
        let unknown = "Received: from 192.168.64.8 (unknown [200.94.75.23]) by mx.example.jp (Postfix) with SMTP id 79DD1; Thu, 13 Jan 2005 19:39:30 -0500\r\n";
        let yahoo =
            "Received: from [216.117.177.39] by web714.mail.yahoo.com via HTTP; Thu, 13 Jan 2005 19:30:30 -0500\r\n";
        assert_eq!(ids(unknown, yahoo), ["received.forged_trail"]);
        let home = "Received: from dsl-200-95-114-200.prod-infinitum.com.mx (dsl-200-95-114-200.prod-infinitum.com.mx [200.95.114.200]) by mx.example.jp (Postfix) with SMTP id F26B; Thu, 13 Jan 2005 19:39:30 -0500\r\n";
        let garden = "Received: from server1.soulasylum.net (mail.soulasylum.net [207.44.184.39]) by fep2.emailgarden.com (Postfix) with ESMTP id A025C; Thu, 13 Jan 2005 07:29:28 -0500\r\n";
        assert_eq!(ids(home, garden), ["received.origin_home_connection", "received.forged_trail"]);
        // A home server names itself as it greets, and relays for its own users.
        let own_server = "Received: from spam.thegeekempire.net (dsl093-012-142.cle1.dsl.speakeasy.net [66.93.12.142]) by mx.example.jp (Postfix); Fri, 24 Dec 2004 04:37:24 -0500\r\n";
        let to_own = "Received: from pc1 (client.example.net [198.51.100.20]) by spam.thegeekempire.net (8.10.1/8.9.3); Fri, 24 Dec 2004 05:07:44 -0500\r\n";
        assert_eq!(ids(own_server, to_own), ["received.origin_home_connection"]);
        // Taken from inside, from a user logged in, or a local pickup: the topology of a small office.
        let inside = "Received: from laptop (unknown [192.168.1.5]) by mail.office.example.com (Postfix); Mon, 1 Jan 2024 00:00:00 +0900\r\n";
        assert!(ids(unknown, inside).is_empty());
        let logged_in = "Received: from laptop (p1.isp.example.net [198.51.100.20]) by mail.office.example.com (Postfix) with ESMTPSA id 1; Mon, 1 Jan 2024 00:00:00 +0900\r\n";
        assert!(ids(unknown, logged_in).is_empty());
        let pickup =
            "Received: by mail.office.example.com (Postfix, from userid 1000) id 1; Mon, 1 Jan 2024 00:00:00 +0900\r\n";
        assert!(ids(unknown, pickup).is_empty());
        // An origin with a name of its own (a mail server that is not a home connection) is judged elsewhere.
        let named = "Received: from out.mailer.example.net (out.mailer.example.net [203.0.113.7]) by mx.example.jp (Postfix); Mon, 1 Jan 2024 00:00:00 +0900\r\n";
        assert!(ids(named, garden).is_empty());
    }

    #[test]
    fn private_and_loopback_senders_are_internal() {
        for ip in ["10.1.2.3", "192.168.0.5", "127.0.0.1", "100.64.1.1", "::1", "fd00::1", "fe80::1"] {
            assert!(is_internal_ip(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["183.181.84.151", "2001:4860::1", "100.128.0.1"] {
            assert!(!is_internal_ip(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn a_user_logged_in_to_the_recipients_server_is_internal() {
        let raw = "Received: from [203.0.113.200] (p123.home-isp.example.net [203.0.113.200]) (Authenticated sender: hanako@example.jp) by sv1234.xserver.jp (Postfix) with ESMTPSA id 1; Mon, 1 Jan 2024 00:00:00 +0900\r\n\
From: hanako@example.jp\r\nTo: me@example.jp\r\nSubject: x\r\n\r\nx\r\n";
        let (origin, hops, _) = analyze(raw, &["me@example.jp"]);
        assert!(hops[0].authenticated);
        assert_eq!(origin, None);
    }

    #[test]
    fn home_connections_are_recognised_by_their_generated_names() {
        let kb = Knowledge::builtin();
        let ip = |s: &str| Some(s.parse().unwrap());
        assert!(is_home_connection(kb, "82-42-116-109.cable.ubr06.example.co.uk", ip("82.42.116.109")));
        assert!(is_home_connection(kb, "c-67-187-139-47.hsd1.ca.comcast.net", ip("67.187.139.47")));
        assert!(is_home_connection(kb, "109.116.42.82.static.example.net", ip("82.42.116.109")));
        assert!(is_home_connection(kb, "adsl-216-103-211-240.dsl.snfc21.pacbell.net", ip("216.103.211.240")));
        assert!(!is_home_connection(kb, "p5dd9a1b2.dip0.t-ipconnect.de", None), "no address to compare with");
        assert!(is_home_connection(kb, "p5dd9a1b2.dip0.t-ipconnect.de", ip("93.217.161.178")), "in hexadecimal");
        assert!(is_home_connection(kb, "YahooBB219206005021.bbtec.net", ip("219.206.5.21")), "zero-padded");
        assert!(is_home_connection(kb, "a83-132-38-187.netcabo.pt", ip("83.132.38.187")), "after a letter");
        assert!(!is_home_connection(kb, "p5dd9a1b3.dip0.t-ipconnect.de", ip("93.217.161.178")), "another address");
        assert!(!is_home_connection(kb, "mail-sor-f41.google.com", ip("209.85.220.41")));
        assert!(!is_home_connection(kb, "sv8630.xserver.jp", ip("183.181.84.151")));
        assert!(!is_home_connection(kb, "mx.customs.example.org", ip("198.51.100.1")), "a word, not a stem");
    }

    #[test]
    fn hosting_customers_are_not_one_organisation() {
        let raw = "Received: from sv8630.xserver.jp (sv8630.xserver.jp [183.181.84.151]) by sv1234.xserver.jp (Postfix); Mon, 1 Jan 2024 00:00:00 +0900\r\n\
From: Kagoya <a@example.org>\r\nTo: me@example.jp\r\nSubject: x\r\n\r\nx\r\n";
        let (origin, _, _) = analyze(raw, &["me@example.jp"]);
        assert_eq!(origin, Some(0));
    }

    #[test]
    fn only_a_list_id_under_a_public_domain_makes_a_mailing_list() {
        assert!(names_public_list("USRP users <usrp-users.lists.ettus.com>"));
        assert!(names_public_list("ilug.linux.ie"));
        assert!(names_public_list("<c299c0fb17f046bcb08075f46.480106.list-id.mcsv.net>"));
        assert!(!names_public_list("<7202588.xt.local>"), "a bulk sender's internal id");
        assert!(!names_public_list("jw316v6bpne4c <Milfpaire>"), "no domain at all");
        assert!(!names_public_list("<>"));
        assert!(!names_public_list(""));
        let view_of = |list: &str| {
            let raw = format!("{list}From: a@example.org\r\nTo: me@example.jp\r\nSubject: x\r\n\r\nx\r\n");
            let view = MessageView::build(parsed(raw), false, &Context::default(), &Limits::default());
            via_mailing_list(&view)
        };
        assert!(view_of("List-Id: <usrp-users.lists.ettus.com>\r\n"));
        assert!(view_of("List-Post: <mailto:0xdeadbeef@petting-zoo.net>\r\n"), "List-Post alone");
        assert!(!view_of("List-ID: <7202588.xt.local>\r\nList-Post: <mailto:x@example.org>\r\n"));
        assert!(!view_of(""));
    }

    #[test]
    fn hostile_chains_stay_bounded() {
        let many = "Received: from a (b [1.2.3.4]) by c; Mon, 1 Jan 2024 00:00:00 +0900\r\n".repeat(5_000);
        assert_eq!(hops(&many).len(), MAX_HOPS);
        let long = format!("Received: from {} by x\r\n", "a".repeat(100_000));
        assert!(hops(&long)[0].evidence().chars().count() <= MAX_EVIDENCE_CHARS + 1);
    }
}
