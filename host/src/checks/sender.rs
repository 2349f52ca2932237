//! Who the message claims to be from, against who really sent it and who it was sent to.
//!
//! The From display name, Return-Path and Message-ID are all written by the sender and prove
//! nothing; what is checked here is whether those claims agree with the real address, with the
//! brand's own domains, and with where the message came from (the origin hop).

use crate::checks::links::{LinkSource, lookalike};
use crate::checks::{auth, received};
use crate::domain;
use crate::knowledge::{Brand, Knowledge, fold, lookalike_key};
use crate::message::{Addr, MessageView};
use crate::model::Finding;
use unicode_normalization::UnicodeNormalization;

pub(crate) mod random_text;

/// Characters of a display name examined: names are short, hostile ones are not.
const MAX_NAME_CHARS: usize = 256;

/// A domain or address written inside a display name (`"service@paypal.com" <x@evil.example>`).
#[derive(Debug, PartialEq, Eq)]
struct Shown {
    /// As written (folded).
    text: String,
    registrable: String,
}

/// Domains and addresses written in a display name; NFKC-folded so full-width `ｐａｙｐａｌ．ｃｏｍ` counts.
fn shown_domains(name: &str) -> Vec<Shown> {
    let name: String = name.chars().take(MAX_NAME_CHARS).collect();
    let folded = fold(&name);
    let mut out: Vec<Shown> = Vec::new();
    let separators = |c: char| c.is_whitespace() || "<>()[]{}\"'`,;:|「」『』【】、。!?".contains(c);
    for token in folded.split(separators) {
        let token = token.trim_matches(|c: char| c == '.' || c == '-' || c == '_');
        let host = token.rsplit_once('@').map_or(token, |(_, h)| h);
        if !host.contains('.') || !host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-') {
            continue;
        }
        let Some(registrable) = domain::registrable(host) else { continue };
        if !out.iter().any(|s| s.registrable == registrable) {
            out.push(Shown { text: token.to_string(), registrable });
        }
    }
    out
}

/// The display name as the sender wrote it. Malformed headers (`From: Facebook ,_<x@y>`) parse into
/// several mailboxes, and the name of the one with an address is not what the reader sees: then the
/// raw text before the address is used, unless it is MIME-encoded (the parsed name is that, decoded).
/// A list that rewrites From (`Alice via Talk <talk@lists.example.org>`) keeps only the author's name
/// before ` via `: that part is the claim, the list's name after it is not.
fn display_name(view: &MessageView, from: &Addr) -> Option<String> {
    let raw = view.header("From").and_then(|v| v.rsplit_once('<')).map(|(before, _)| before);
    let encoded = raw.and_then(quoted_encoded_name);
    let raw = raw.filter(|r| !r.contains("=?")).map(|r| r.split_whitespace().collect::<Vec<_>>().join(" "));
    let raw = raw.map(|r| r.trim_matches(|c: char| c == '"' || c == ' ').to_string()).filter(|r| !r.is_empty());
    let name: String = raw.or(encoded).or_else(|| from.name.clone())?.chars().take(MAX_NAME_CHARS).collect();
    match name.rsplit_once(" via ") {
        Some((author, _)) if received::via_mailing_list(view) && !author.trim().is_empty() => {
            Some(author.trim().to_string())
        }
        _ => Some(name),
    }
}

/// A display name written as encoded words inside quotes (`"=?UTF-8?B?…?= =?UTF-8?B?…?="`), decoded as
/// mail programs show it, the words joined. The message parser keeps the space between encoded words
/// inside quotes, so a name cut across two of them (`Micros` + `oft`) would not read as the brand;
/// outside quotes it joins them as RFC 2047 says.
fn quoted_encoded_name(raw: &str) -> Option<String> {
    let inner = raw.trim().strip_prefix('"')?.strip_suffix('"')?;
    if !inner.contains("=?") || inner.contains(['"', '<', '\r', '\n']) {
        return None;
    }
    let line = format!("{inner} <name@example.invalid>\r\n");
    match mail_parser::parsers::MessageStream::new(line.as_bytes()).parse_address() {
        mail_parser::HeaderValue::Address(mail_parser::Address::List(list)) => {
            list.into_iter().next()?.name.map(|name| name.into_owned())
        }
        _ => None,
    }
}

/// What a reader sees as the sender: the display name, or without one the address itself, whose
/// part before the @ can say a brand (`Amazon.co.jp@jmmlm.com`).
fn shown_name(display_name: Option<&str>, from: &Addr) -> Option<String> {
    display_name.map(str::to_owned).or_else(|| {
        let local = from.address.rsplit_once('@').map(|(local, _)| local)?;
        Some(local.trim_matches('"').chars().take(MAX_NAME_CHARS).collect()).filter(|l: &String| !l.is_empty())
    })
}

/// Joins letters spelled out one by one to dodge name matching (`F.e.d.E.x`, `P a y P a l`, `D/H/L`):
/// runs of three or more single-character words become one word.
fn squeeze_spelled_out(name: &str) -> String {
    let is_separator = |c: char| c.is_whitespace() || matches!(c, '.' | '_' | '-' | '/' | '*' | '|' | '・' | '･');
    let words: Vec<&str> = name.split(is_separator).filter(|w| !w.is_empty()).collect();
    let mut out: Vec<String> = Vec::new();
    let mut run = String::new();
    let mut run_len = 0;
    let flush = |out: &mut Vec<String>, run: &mut String, run_len: &mut usize| {
        if *run_len >= 3 {
            out.push(std::mem::take(run));
        } else {
            // Too short to be a spelled-out name: keep the letters as separate words.
            out.extend(run.chars().map(String::from));
            run.clear();
        }
        *run_len = 0;
    };
    for word in words {
        let mut chars = word.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_alphanumeric() => {
                run.push(c);
                run_len += 1;
            }
            _ => {
                flush(&mut out, &mut run, &mut run_len);
                out.push(word.to_string());
            }
        }
    }
    flush(&mut out, &mut run, &mut run_len);
    out.join(" ")
}

/// Characters slipped into words to break name matching while staying invisible or nearly so:
/// format characters, variation selectors, and combining marks of other scripts (`Apܿplܿe`, `M󠄹i`).
const HIDDEN_IN_TEXT: &[(char, char)] = &[
    ('\u{00AD}', '\u{00AD}'),   // soft hyphen
    ('\u{034F}', '\u{034F}'),   // combining grapheme joiner
    ('\u{0591}', '\u{05C7}'),   // Hebrew points
    ('\u{064B}', '\u{065F}'),   // Arabic marks
    ('\u{0730}', '\u{074A}'),   // Syriac marks
    ('\u{180B}', '\u{180F}'),   // Mongolian variation selectors
    ('\u{1AB0}', '\u{1AFF}'),   // combining marks extended
    ('\u{1DC0}', '\u{1DFF}'),   // combining marks supplement
    ('\u{200B}', '\u{200F}'),   // zero-width spaces and joiners, direction marks
    ('\u{202A}', '\u{202E}'),   // direction embeddings and overrides
    ('\u{2060}', '\u{206F}'),   // word joiner, invisible operators
    ('\u{20D0}', '\u{20FF}'),   // combining marks for symbols
    ('\u{FE00}', '\u{FE0F}'),   // variation selectors
    ('\u{FE20}', '\u{FE2F}'),   // combining half marks
    ('\u{FEFF}', '\u{FEFF}'),   // zero-width no-break space
    ('\u{E0000}', '\u{E007F}'), // tag characters
    ('\u{E0100}', '\u{E01EF}'), // variation selectors supplement
];

fn is_hidden_char(c: char) -> bool {
    HIDDEN_IN_TEXT.iter().any(|&(lo, hi)| (lo..=hi).contains(&c))
}

fn is_greek_or_cyrillic(c: char) -> bool {
    ('\u{0370}'..='\u{04FF}').contains(&c)
}

/// Small capitals (phonetic letters) and the letter each shrinks: `ᴍᴄᴀꜰᴇᴇ` reads as McAfee but
/// matches no name list.
#[rustfmt::skip]
const SMALL_CAPITALS: &[(char, char)] = &[
    ('ᴀ', 'a'), ('ʙ', 'b'), ('ᴄ', 'c'), ('ᴅ', 'd'), ('ᴇ', 'e'), ('ꜰ', 'f'), ('ɢ', 'g'), ('ʜ', 'h'), ('ɪ', 'i'),
    ('ᴊ', 'j'), ('ᴋ', 'k'), ('ʟ', 'l'), ('ᴍ', 'm'), ('ɴ', 'n'), ('ᴏ', 'o'), ('ᴘ', 'p'), ('ꞯ', 'q'), ('ʀ', 'r'),
    ('ꜱ', 's'), ('ᴛ', 't'), ('ᴜ', 'u'), ('ᴠ', 'v'), ('ᴡ', 'w'), ('ʏ', 'y'), ('ᴢ', 'z'),
];

/// The display name with its disguise removed, when it has one: hidden characters inside the text
/// dropped, small capitals written as letters, and Greek or Cyrillic look-alikes inside Latin words
/// (`Μetamаsk`) replaced by the Latin letter they imitate. Emoji sequences (a variation selector
/// after a symbol) and words wholly in one script are no disguise.
fn unmasked_name(name: &str) -> Option<String> {
    let mut out = String::with_capacity(name.len());
    let mut disguised = false;
    // After text, not after emoji (`🌶️` carries a variation selector) nor CJK ideographs (whose
    // variation selectors pick a glyph for a person's name); hidden characters do not change it.
    let mut after_text = false;
    for c in name.chars() {
        if is_hidden_char(c) {
            if after_text {
                disguised = true;
                continue;
            }
        } else {
            after_text = c < '\u{2E80}' && (c.is_alphanumeric() || c.is_whitespace() || c.is_ascii_punctuation());
        }
        if let Some(&(_, letter)) = SMALL_CAPITALS.iter().find(|(small, _)| *small == c) {
            disguised = true;
            out.push(letter);
            continue;
        }
        out.push(c);
    }
    let words = out
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().any(|c| c.is_ascii_alphabetic()) && w.chars().any(is_greek_or_cyrillic));
    let mixed: Vec<String> = words.map(str::to_string).collect();
    for word in mixed {
        let latin: String = word
            .chars()
            .map(|c| {
                let mut look =
                    unicode_security::skeleton(&c.to_string()).collect::<String>().chars().collect::<Vec<_>>();
                match look.pop() {
                    Some(l) if look.is_empty() && l.is_ascii_alphabetic() && is_greek_or_cyrillic(c) => l,
                    _ => c,
                }
            })
            .collect();
        if latin != word {
            disguised = true;
            out = out.replace(&word, &latin);
        }
    }
    disguised.then_some(out)
}

/// Adds brands to a list, each once, in order of appearance.
fn add_brands<'k>(brands: &mut Vec<&'k Brand>, more: impl IntoIterator<Item = &'k Brand>) {
    for brand in more {
        if !brands.iter().any(|b| b.id == brand.id) {
            brands.push(brand);
        }
    }
}

/// Brands the display name speaks for: by name, in any script, or by showing one of their domains.
/// `unmasked`: the name with its disguise removed, when it has one (`unmasked_name`).
fn display_brands<'k>(shown_name: Option<&str>, unmasked: Option<&str>, kb: &'k Knowledge) -> Vec<&'k Brand> {
    let Some(name) = shown_name else { return Vec::new() };
    let mut brands = kb.brands_named_in(name);
    let squeezed = squeeze_spelled_out(name);
    add_brands(&mut brands, kb.brands_named_in(&squeezed));
    add_brands(&mut brands, kb.brands_short_named_in(name));
    add_brands(&mut brands, kb.brands_short_named_in(&squeezed));
    add_brands(&mut brands, kb.brand_solo_named(name));
    add_brands(&mut brands, kb.brands_domain_labeled_in(name));
    if let Some(unmasked) = unmasked {
        add_brands(&mut brands, kb.brands_named_in(unmasked));
        add_brands(&mut brands, shown_domains(unmasked).iter().filter_map(|s| kb.brand_of_domain(&s.registrable)));
    }
    add_brands(&mut brands, shown_domains(name).iter().filter_map(|s| kb.brand_of_domain(&s.registrable)));
    brands
}

/// The brands the From line speaks for, as several checks ask: see [`MessageView::sender_claims`].
#[derive(Debug, Default)]
pub struct Claims<'k> {
    /// Brands the display name speaks for (`display_brands`).
    display: Vec<&'k Brand>,
    /// The brand the display name imitates without naming it, and how (`imitated_brand`).
    imitated: Option<(&'k Brand, &'static str)>,
    /// A brand in the display name is its topic, not a claim: the name is the sender's own
    /// (`names_its_own_domain`) or a community's named after the brand (`names_community`).
    brand_is_topic: bool,
    /// The display name (`display_name`) and what the reader sees as the sender (`shown_name`):
    /// worked out once, several checks read them.
    display_name: Option<String>,
    shown_name: Option<String>,
    /// `shown_name` with its disguise removed, when it has one (`unmasked_name`).
    unmasked_name: Option<String>,
}

impl<'k> Claims<'k> {
    pub(crate) fn of(view: &MessageView, kb: &'k Knowledge) -> Claims<'k> {
        let Some(from) = &view.from else { return Claims::default() };
        let display_name = display_name(view, from);
        let shown_name = shown_name(display_name.as_deref(), from);
        let unmasked_name = shown_name.as_deref().and_then(unmasked_name);
        let display = display_brands(shown_name.as_deref(), unmasked_name.as_deref(), kb);
        let imitated = imitated_brand(view, from, display_name.as_deref(), kb, &display);
        // Asked only when the name speaks for a brand, by name or by imitation: nothing reads it otherwise.
        let brand_is_topic = (!display.is_empty() || imitated.is_some())
            && (names_its_own_domain(from, display_name.as_deref(), kb, &display)
                || shown_name.as_deref().is_some_and(|name| names_community(kb, name) || names_store(name, &display)));
        Claims { display, imitated, brand_is_topic, display_name, shown_name, unmasked_name }
    }
}

/// The brands a message presents itself as: named in the From display name (unless they are only
/// its topic), or owning the From domain (free mailbox domains such as gmail.com belong to their
/// users, not to the brand).
pub fn claimed_brands(view: &MessageView, kb: &'static Knowledge) -> Vec<&'static Brand> {
    let Some(from) = &view.from else { return Vec::new() };
    let claims = view.sender_claims(kb);
    // A brand beside the sender's own name or in a community's is a topic, not a claim.
    let mut brands = if claims.brand_is_topic { Vec::new() } else { claims.display.clone() };
    let free = from.domain.as_deref().is_some_and(|d| is_free_mailbox(kb, d));
    add_brands(&mut brands, from.registrable.as_deref().filter(|_| !free).and_then(|r| kb.brand_of_domain(r)));
    brands
}

/// An address domain where anyone can get a mailbox (`gmail.com`, `i.softbank.jp`); the provider's
/// own subdomains (`mail.yahoo.co.jp`) are its servers, not mailboxes.
pub fn is_free_mailbox(kb: &Knowledge, domain: &str) -> bool {
    kb.is_freemail(domain) && !domain.split_once('.').is_some_and(|(_, parent)| kb.is_freemail(parent))
}

/// The list's posting address: a list that rewrites From puts its own address there.
fn list_address(view: &MessageView) -> Option<String> {
    let post = view.header("List-Post")?;
    let start = post.find("mailto:")? + "mailto:".len();
    let rest = &post[start..];
    let end = rest.find(['>', '?', ',', ' ']).unwrap_or(rest.len());
    Some(rest[..end].trim().to_ascii_lowercase())
}

/// Bulk mail (newsletters, announcements) is often addressed to its own sender and Bcc'd to readers.
fn is_bulk(view: &MessageView) -> bool {
    view.header("List-Unsubscribe").is_some()
        || view.header("Precedence").is_some_and(|p| {
            let p = p.trim().to_ascii_lowercase();
            p == "bulk" || p == "list" || p == "junk"
        })
}

/// The user's own addresses, as sure as they can be known: the caller's identities, else where the
/// recipient's server says it delivered the message (Delivered-To / X-Original-To). The To and Cc
/// addresses (everyone the message went to) stand in only when `guess_from_to` allows it.
pub fn user_addresses(view: &MessageView, guess_from_to: bool) -> Vec<String> {
    if view.identities_given {
        return view.recipients.clone();
    }
    let delivered: Vec<String> = ["Delivered-To", "X-Original-To"]
        .iter()
        .flat_map(|h| view.headers_named(h))
        .map(|v| v.trim().trim_matches(['<', '>']).to_ascii_lowercase())
        .filter(|a| a.contains('@'))
        .collect();
    if !delivered.is_empty() || !guess_from_to {
        return delivered;
    }
    view.to.iter().chain(&view.cc).map(|a| a.address.to_ascii_lowercase()).collect()
}

/// Mailboxes listed in a From header: commas outside quotes, comments and angle brackets separate them.
fn from_mailbox_count(raw: &str) -> usize {
    let (mut quoted, mut escaped, mut comment, mut angle, mut count) = (false, false, 0usize, false, 1);
    for c in raw.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '"' if comment == 0 => quoted = !quoted,
            '(' if !quoted => comment += 1,
            ')' if !quoted && comment > 0 => comment -= 1,
            '<' if !quoted && comment == 0 => angle = true,
            '>' if !quoted && comment == 0 => angle = false,
            ',' if !quoted && comment == 0 && !angle => count += 1,
            _ => {}
        }
    }
    count
}

/// A usable address: something before the @, and a domain name after it.
fn is_valid_address(addr: &Addr) -> bool {
    let local = addr.address.rsplit_once('@').map(|(l, _)| l).unwrap_or_default();
    let domain_ok = addr.domain.as_deref().is_some_and(|d| {
        d.contains('.')
            && d.split('.').all(|label| !label.is_empty())
            && d.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b >= 0x80)
    });
    !local.trim_matches('"').is_empty() && domain_ok
}

/// Every real mail system writes exactly one valid sender address; a From line that lists text
/// without an address (`Amazon Prime, jehd <x@y>`), several senders or a broken address is made
/// to show the reader something the address does not back.
pub fn from_is_malformed(view: &MessageView) -> bool {
    match (&view.from, view.header("From")) {
        (_, None) | (None, _) => true,
        (Some(from), Some(raw)) => from_mailbox_count(raw) > 1 || !is_valid_address(from),
    }
}

fn check_malformed_from(view: &MessageView, out: &mut Vec<Finding>) {
    let raw = view.header("From");
    let shown = raw.map(received::evidence_text).unwrap_or_else(|| "(none)".to_string());
    if from_is_malformed(view) {
        out.push(Finding::new("sender.malformed_from").arg("from", shown.clone()).evidence("From", shown));
    }
}

pub fn check(view: &MessageView, kb: &'static Knowledge, out: &mut Vec<Finding>) {
    check_malformed_from(view, out);
    let Some(from) = &view.from else { return };
    let claims = view.sender_claims(kb);
    let display = &claims.display;
    check_brand_name(view, from, kb, claims, out);
    check_brand_subject(view, from, kb, display, out);
    check_lookalike_domain(from, kb, display, out);
    // A name disguised with hidden characters reads as what it unmasks to (`customers@servicesܿ.ܿamznܿ.ܿcom`).
    // (Only a display name is unmasked here: without one, `shown_name` is the address's own local part.)
    let unmasked = claims.display_name.as_ref().and(claims.unmasked_name.as_deref());
    check_shown_address(view, from, claims.display_name.as_deref(), unmasked, out);
    check_self_sender(view, from, kb, out);
    check_reply_to(view, from, kb, out);
    check_addressee(view, out);
    check_organisation_freemail(from, kb, claims, out);
    check_disguised_name(from, claims.display_name.as_deref(), unmasked, out);
    check_disguised_address(from, out);
    check_lookalike_name(from, claims, out);
    check_platform_subdomain(from, kb, out);
    check_platform_envelope(view, from, kb, out);
    check_abused_tld(from, kb, out);
    check_free_mailbox(from, kb, out);
    random_text::check(view, from, out);
}

/// The sender name speaks for an organisation's function (`Security Team`, `Kundenservice`,
/// `カスタマーサポート`), yet the address is a free mailbox: organisations write from their own domain.
/// Brand names are judged by `check_brand_name`, which is stronger.
fn check_organisation_freemail(from: &Addr, kb: &Knowledge, claims: &Claims, out: &mut Vec<Finding>) {
    if !from.domain.as_deref().is_some_and(|d| is_free_mailbox(kb, d)) || !claims.display.is_empty() {
        return;
    }
    let Some(name) = claims.display_name.as_deref() else { return };
    let Some(word) = organisation_word(kb, name) else { return };
    out.push(
        Finding::new("sender.org_name_freemail")
            .arg("name", name)
            .arg("word", word)
            .arg("address", from.address.clone())
            .evidence("From", format!("\"{name}\" <{}>", from.address)),
    );
}

/// The display name hides characters inside its words or mixes look-alike letters of other scripts
/// into Latin words: made to read as a name that filters (and this checker's name lists) do not match.
fn check_disguised_name(from: &Addr, name: Option<&str>, unmasked: Option<&str>, out: &mut Vec<Finding>) {
    let (Some(name), Some(unmasked)) = (name, unmasked) else { return };
    out.push(
        Finding::new("sender.disguised_name")
            .arg("name", unmasked)
            .arg("address", from.address.clone())
            .evidence("From", format!("\"{name}\" <{}>", from.address))
            .evidence("Decoded value", unmasked),
    );
}

/// The address as a reader sees it, when it is written in styled letters (`𝘀𝘂𝗽𝗽𝗼𝗿𝘁@𝗚𝗮𝗺𝗺𝗮.𝗻𝗹`,
/// full-width `ｓｕｐｐｏｒｔ`) or with hidden characters inside: the plain address it imitates. No mail
/// system delivers to or verifies such an address; it only looks like one.
fn unmasked_address(address: &str) -> Option<String> {
    if address.is_ascii() {
        return None;
    }
    let plain: String = address.nfkc().filter(|&c| !is_hidden_char(c)).collect::<String>().to_lowercase();
    let styled =
        address.chars().any(|c| !c.is_ascii() && !is_hidden_char(c) && std::iter::once(c).nfkc().all(|n| n.is_ascii()));
    let hidden = address.chars().any(is_hidden_char);
    (plain.is_ascii() && plain.contains('@') && (styled || hidden)).then_some(plain)
}

/// The From address itself is disguised: styled or hidden characters make it read as another address.
fn check_disguised_address(from: &Addr, out: &mut Vec<Finding>) {
    let Some(plain) = unmasked_address(&from.address) else { return };
    out.push(
        Finding::new("sender.disguised_address")
            .arg("address", plain.clone())
            .evidence("From", from.address.clone())
            .evidence("Decoded value", plain),
    );
}

/// The first organisation word in a name (see [`listed_word`]).
fn organisation_word<'k>(kb: &'k Knowledge, name: &str) -> Option<&'k str> {
    listed_word(&kb.organisation_words, name)
}

/// A name of a community named after a brand (`Google Developer Group Tokyo`, `JAWS-UG`'s
/// `Amazon Web Services Japan User Group`, `○○ユーザー会`), as event platforms show it: a brand in
/// it is the topic, not the sender.
fn names_community(kb: &Knowledge, name: &str) -> bool {
    listed_word(&kb.community_words, name).is_some()
}

/// A name of a store that sells under a brand's name: a shop's outlet on a marketplace (`サンプル家具
/// 楽天市場店`, `○○ Yahoo!店`, `○○ Amazon店`) or a carrier's shop run by an agency (`ドコモショップ渋谷店`).
/// Japanese names a store `店` after the brand, with the shop's own name before it or the place
/// between; the brand is what the store sells, not who writes. A bank's branch (`支店`, `本店`,
/// `出張所`) is the bank itself and stays a claim, as does the brand's bare name with `店`, and its
/// "official store" (`Amazon 公式店`, `Amazonオフィシャル店`): that is the brand speaking for itself.
fn names_store(name: &str, display: &[&Brand]) -> bool {
    let folded = fold(name);
    let folded = folded.trim();
    let Some(before_store) = folded.strip_suffix('店') else { return false };
    if ["支", "本"].iter().any(|b| before_store.ends_with(b)) || folded.contains("出張所") {
        return false;
    }
    display.iter().flat_map(|b| &b.names).any(|n| {
        let n = fold(n);
        before_store.find(n.as_str()).is_some_and(|at| {
            let own_words = before_store[..at].trim();
            let between = before_store[at + n.len()..].trim();
            let official = ["公式", "オフィシャル", "official"].contains(&between);
            !own_words.is_empty() || !(between.is_empty() || official)
        })
    })
}

/// The first listed word in a name: words in alphabetic scripts whole (`team`, not `steam`), Japanese
/// ones anywhere (Japanese does not separate words).
fn listed_word<'w>(listed: &'w [String], name: &str) -> Option<&'w str> {
    let folded = fold(name);
    let words: Vec<&str> = folded.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let spaced = format!(" {} ", words.join(" "));
    let is_japanese = |w: &str| w.chars().any(|c| c >= '\u{3000}');
    // ` word `, written in one buffer for all the words asked (every sender name asks them all).
    let mut bounded = String::new();
    let found = |w: &&String| {
        if is_japanese(w) {
            return folded.contains(w.as_str());
        }
        bounded.clear();
        bounded.extend([" ", w.as_str(), " "]);
        spaced.contains(&bounded)
    };
    listed.iter().find(found).map(String::as_str)
}

/// The address is on a subdomain anyone can get on a shared platform (`x.firebaseapp.com`,
/// `tenant.onmicrosoft.com`): no organisation's own domain stands behind it.
fn check_platform_subdomain(from: &Addr, kb: &Knowledge, out: &mut Vec<Finding>) {
    let Some(domain) = from.domain.as_deref() else { return };
    if !is_platform_subdomain(domain, kb) {
        return;
    }
    out.push(
        Finding::new("sender.platform_subdomain")
            .arg("address", from.address.clone())
            .arg("domain", domain)
            .evidence("From", from.address.clone()),
    );
}

/// Whether a domain is a subdomain anyone can get on a shared platform.
fn is_platform_subdomain(domain: &str, kb: &Knowledge) -> bool {
    domain.split_once('.').is_some_and(|(_, parent)| kb.is_shared_sender_domain(parent) || kb.is_free_hosting(parent))
}

/// The bounce address (Return-Path, the envelope sender) is a mailbox on a shared platform's
/// subdomain (`rwavkofsdu@geo20213870.onmicrosoft.com`) while From shows another domain: the mail was
/// sent from a trial tenant anyone can open, with another company's address typed into From. An
/// organisation's mail travels under its own domain; forwarding services rewrite the envelope in
/// the SRS form (`bounces+SRS=…`), which is left aside.
fn check_platform_envelope(view: &MessageView, from: &Addr, kb: &Knowledge, out: &mut Vec<Finding>) {
    let Some(return_path) = view.return_path.as_deref() else { return };
    let return_path = return_path.trim().trim_matches(['<', '>']);
    let Some((local, envelope_domain)) = return_path.rsplit_once('@') else { return };
    let envelope_domain = envelope_domain.to_ascii_lowercase();
    let local = local.to_ascii_lowercase();
    let rewritten = local.starts_with("srs0") || local.starts_with("srs1") || local.contains("+srs=");
    if rewritten || !is_platform_subdomain(&envelope_domain, kb) {
        return;
    }
    let envelope_registrable = domain::registrable(&envelope_domain);
    if from.registrable.is_none() || from.registrable == envelope_registrable {
        return;
    }
    out.push(
        Finding::new("sender.platform_envelope")
            .arg("envelope", return_path)
            .arg("address", from.address.clone())
            .evidence("Return-Path", return_path)
            .evidence("From", from.address.clone()),
    );
}

/// The address is under a top-level domain that abuse reports rank among the most abused.
fn check_abused_tld(from: &Addr, kb: &Knowledge, out: &mut Vec<Finding>) {
    let Some(domain) = from.domain.as_deref() else { return };
    let Some(tld) = kb.abused_tld(domain) else { return };
    out.push(
        Finding::new("sender.abused_tld")
            .arg("address", from.address.clone())
            .arg("tld", format!(".{tld}"))
            .evidence("From", from.address.clone()),
    );
}

/// The address is a free mailbox: no fault in itself, so it weighs nothing, but it is what makes a
/// bitcoin "balance" or an inheritance story a scam (`content.concealed_scam_offer`): exchanges and
/// lawyers do not write from a mailbox anyone can open.
fn check_free_mailbox(from: &Addr, kb: &Knowledge, out: &mut Vec<Finding>) {
    let Some(domain) = from.domain.as_deref().filter(|d| is_free_mailbox(kb, d)) else { return };
    out.push(Finding::new("sender.free_mailbox").arg("domain", domain).evidence("From", from.address.clone()));
}

/// The display name names the sender's own domain ("Lockergnome Apple Core" <…@lockergnome.com>): a brand
/// word beside it is the topic, not a claim. A domain that itself carries a brand token
/// (`amazon-support.example`) names no sender's own, nor does a free mailbox's.
fn names_its_own_domain(from: &Addr, display_name: Option<&str>, kb: &Knowledge, named: &[&Brand]) -> bool {
    if from.domain.as_deref().is_some_and(|d| is_free_mailbox(kb, d)) {
        return false;
    }
    let Some(label) = from.registrable.as_deref().map(domain::first_label) else { return false };
    if label.len() < 4 || !kb.brands_tokened_in(label).is_empty() {
        return false;
    }
    // An address written as the name (`Amazon.co.jp@jmmlm.com`) is no name of the sender's own.
    let name = fold(display_name.unwrap_or_default());
    let words: Vec<&str> = name
        .split_whitespace()
        .filter(|w| !w.contains('@'))
        .flat_map(|w| w.split(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .collect();
    // A brand's name is the sender's own on the brand's own domain (`Apple Store eNews` <…@lists.apple.com>).
    let registrable = from.registrable.as_deref().unwrap_or_default();
    let others: Vec<&Brand> = named.iter().copied().filter(|b| !b.owns_domain(registrable)).collect();
    spells_out_label(&words, label, kb, &others)
}

/// The domain is a word of the name (`lockergnome`) or the name written as one word (`AAA Plumbing &
/// Heating` <…@aaaplumbingnj.com>, give or take a short place or trade code at the end), with a word
/// of the sender's own beside the brand's: `Apple Support` <…@applesupport.example> is a brand and a
/// function, `Apple Rewards` <…@applerewards.example> a brand and a service, `Trust Wallet`
/// <…@trust-wallet.example> and `Ripple` <…@ripple.example> the brand's own name, none of them a name
/// of the sender's own.
fn spells_out_label(words: &[&str], label: &str, kb: &Knowledge, named: &[&Brand]) -> bool {
    const MAX_CODE: usize = 4;
    let label: String = label.chars().filter(|&c| c != '-').collect();
    let brand_word = |w: &str| {
        let names = named.iter().flat_map(|b| b.names.iter().chain(&b.solo_names));
        names.map(|n| fold(n)).any(|n| n.split(|c: char| !c.is_alphanumeric()).any(|part| part == w))
    };
    let listed = |list: &[String], w: &str| list.iter().any(|o| o == w);
    let own_word =
        |w: &str| w.len() >= 4 && !brand_word(w) && !listed(&kb.organisation_words, w) && !listed(&kb.service_words, w);
    (0..words.len()).any(|start| {
        let mut joined = String::new();
        let mut has_own_word = false;
        for (count, word) in words[start..].iter().enumerate() {
            joined.push_str(word);
            if !label.starts_with(joined.as_str()) {
                return false;
            }
            has_own_word |= own_word(word);
            // One word must be the whole name; several may have a code after them.
            let tail = label.len() - joined.len();
            if has_own_word && (tail == 0 || (count >= 1 && tail <= MAX_CODE)) {
                return true;
            }
        }
        false
    })
}

/// The display name speaks for a brand, but the address is not on the brand's domains.
fn check_brand_name(view: &MessageView, from: &Addr, kb: &Knowledge, claims: &Claims, out: &mut Vec<Finding>) {
    if claims.brand_is_topic {
        return;
    }
    let Some(brand) = claims.display.iter().copied().find(|b| !speaks_for(view, from, kb, b)) else {
        return;
    };
    let name = claims.shown_name.as_deref().unwrap_or_default();
    out.push(
        Finding::new("sender.brand_display_name")
            .arg("name", name)
            .arg("brand", brand.label())
            .arg("address", from.address.clone())
            .evidence("From", format!("\"{name}\" <{}>", from.address))
            .evidence("Brand domains", format!("{}: {}", brand.label(), brand.domains.join(", "))),
    );
    if from.domain.as_deref().is_some_and(|d| is_free_mailbox(kb, d)) {
        out.push(
            Finding::new("sender.brand_freemail")
                .arg("brand", brand.label())
                .arg("address", from.address.clone())
                .evidence("From", from.address.clone()),
        );
    }
}

/// The address may speak for the brand: it is on one of the brand's own domains (not a free mailbox
/// the brand runs), the recipient's server verified the brand's signature, or it is the user's own
/// mail system naming its maker.
fn speaks_for(view: &MessageView, from: &Addr, kb: &Knowledge, brand: &Brand) -> bool {
    let freemail = from.domain.as_deref().is_some_and(|d| is_free_mailbox(kb, d));
    let own_domain = !freemail && from.registrable.as_deref().is_some_and(|r| brand.owns_domain(r));
    own_domain
        || auth::brand_authenticated(view, kb, brand)
        || from_own_mail_system(view, from)
        || (brand.id == "microsoft" && from_own_exchange(view, from))
}

/// An automatic report (a delivery report, or `Auto-Submitted`) that never came in from outside (it
/// has Received headers, none from an outside server), from an address on the recipient's own
/// domain: the user's own mail system speaking, as `Microsoft Outlook`
/// <MicrosoftExchange…@company.example> does when it could not deliver a message. Mail from outside
/// always carries the hop that brought it in; a colleague's hijacked mailbox writes no reports.
fn from_own_mail_system(view: &MessageView, from: &Addr) -> bool {
    let report = view
        .header("Content-Type")
        .is_some_and(|t| t.trim_start().to_ascii_lowercase().starts_with("multipart/report"));
    let automatic = view.header("Auto-Submitted").is_some_and(|v| !v.trim().eq_ignore_ascii_case("no"));
    (report || automatic)
        && !view.hops.is_empty()
        && view.origin.is_none()
        && from.domain.as_deref().is_some_and(|d| view.is_recipient_domain(d))
}

/// Exchange Online reporting to its own user (a non-delivery report, `Microsoft Outlook`
/// <MicrosoftExchange329e…@company.example>), however its parts are wrapped: the address is on the
/// recipient's own domain and is the organisation's system mailbox (`MicrosoftExchange` and 32 hex
/// digits; Exchange lets no user mailbox send as it), the message says it is a report
/// (`X-MS-Exchange-Message-Is-Ndr`, or a `message/delivery-status` part), and it never left
/// Microsoft's mailbox servers: every Received hop is from one `*.prod.outlook.com` server to another,
/// over Microsoft's or internal addresses, none through the filters that take mail in from the Internet
/// (`*.protection.outlook.com`), and no authentication check failed. The same report sent from outside
/// carries the hop that took it in (`received.origin_not_brand`) and keeps the finding.
fn from_own_exchange(view: &MessageView, from: &Addr) -> bool {
    let local = from.address.rsplit_once('@').map_or("", |(l, _)| l);
    let system_mailbox = local.len() == 49
        && local.is_char_boundary(17)
        && local[..17].eq_ignore_ascii_case("MicrosoftExchange")
        && local[17..].bytes().all(|b| b.is_ascii_hexdigit());
    if !system_mailbox || !from.domain.as_deref().is_some_and(|d| view.is_recipient_domain(d)) {
        return false;
    }
    let report = view.header("X-MS-Exchange-Message-Is-Ndr").is_some()
        || view.attachments.iter().any(|a| a.content_type == "message/delivery-status");
    let exchange_host = |h: Option<&str>| {
        h.is_some_and(|h| {
            let h = h.to_ascii_lowercase();
            domain::is_within(&h, "prod.outlook.com") && !domain::is_within(&h, "protection.outlook.com")
        })
    };
    let microsoft_ip = |ip: std::net::IpAddr| match ip {
        // 2603:1000::/24 is Microsoft's; link-local and private addresses are a server's own.
        std::net::IpAddr::V6(v6) if v6.segments()[0] == 0x2603 && v6.segments()[1] >> 8 == 0x10 => true,
        ip => received::is_internal_ip(ip),
    };
    let within_exchange = |hop: &received::Hop<'_>| {
        exchange_host(hop.by.as_deref())
            && exchange_host(hop.from_host.as_deref().or(hop.helo.as_deref()))
            && !hop.rdns_unknown
            && hop.rdns.as_deref().is_none_or(|r| exchange_host(Some(r)))
            && hop.from_ip.is_none_or(microsoft_ip)
    };
    let failed = view.auth.iter().any(|r| matches!(r.result.as_str(), "fail" | "softfail" | "permerror"));
    report && !failed && !view.hops.is_empty() && view.origin.is_none() && view.hops.iter().all(within_exchange)
}

/// The display name imitates a brand it does not name: look-alike letters (`PayPaI`, `Amaz0n`,
/// `Iedger`) or a one-letter misspelling of a long name (`Mircosoft`). Nobody misspells their own
/// company; the sender's own domain name is theirs to write.
fn check_lookalike_name(from: &Addr, claims: &Claims, out: &mut Vec<Finding>) {
    let Some(name) = claims.display_name.as_deref() else { return };
    let Some((brand, how)) = claims.imitated else { return };
    if claims.brand_is_topic {
        return;
    }
    out.push(
        Finding::new("sender.lookalike_display_name")
            .arg("name", name)
            .arg("brand", brand.label())
            .arg("address", from.address.clone())
            .evidence("From", format!("\"{name}\" <{}>", from.address))
            .evidence("Imitates", brand.label())
            .evidence("How", how),
    );
}

/// The brand the display name imitates without naming it, and how (see `check_lookalike_name`).
/// `display`: the brands it does name (`display_brands`).
fn imitated_brand<'k>(
    view: &MessageView,
    from: &Addr,
    display_name: Option<&str>,
    kb: &'k Knowledge,
    display: &[&Brand],
) -> Option<(&'k Brand, &'static str)> {
    let name = display_name?;
    // The sender's own domain name is theirs to write, however it is spelled (`Mircosoft Fans`
    // <club@mircosoft-fans.com>): its words are left out.
    let own_label = from.registrable.as_deref().map(domain::first_label).map(lookalike_key);
    let own_name = |word: &str| own_label.as_deref().is_some_and(|l| l.contains(&lookalike_key(word)));
    let others: Vec<&str> = name.split_whitespace().filter(|w| !own_name(w)).collect();
    let others = others.join(" ");
    let imitated = kb.brands_imitated_in(&others).into_iter().map(|b| (b, "look-alike letters"));
    let misspelled = kb.brands_misspelled_in(&others).into_iter().map(|b| (b, "misspelling"));
    imitated.chain(misspelled).find(|(b, _)| !display.iter().any(|c| c.id == b.id) && !speaks_for(view, from, kb, b))
}

/// Words that mark a subject as a reply or a forward: the subject is then someone else's.
const REPLY_PREFIXES: &[&str] =
    &["re:", "re :", "fw:", "fwd:", "aw:", "wg:", "tr:", "rv:", "sv:", "vs:", "返信:", "転送:"];

/// Brackets around the tags that open a subject (`[List]`, `[SPAM]`, `【重要】`, `「重要」`).
const SUBJECT_TAGS: &[(char, char)] = &[('[', ']'), ('【', '】'), ('「', '」'), ('『', '』'), ('(', ')')];

/// Where a subject names its sender: the tags in 【】 (`【SBI証券】…`), and in a Japanese subject its
/// opening words after any list and bracket tags (Japanese notices lead with the company:
/// `ETCサービスは…`, `Ekinetユーザー…`). Replies and forwards open with someone else's subject.
fn subject_claims(subject: &str) -> Vec<&str> {
    let mut claims: Vec<&str> =
        subject.split('【').skip(1).filter_map(|rest| rest.split_once('】').map(|(inside, _)| inside)).collect();
    let is_japanese = |c: char| ('\u{3040}'..='\u{30FF}').contains(&c) || ('\u{4E00}'..='\u{9FFF}').contains(&c);
    if !subject.chars().any(is_japanese) {
        return claims;
    }
    let mut rest = subject.trim_start();
    loop {
        let opens_with = |p: &str| rest.get(..p.len()).is_some_and(|head| head.eq_ignore_ascii_case(p));
        if REPLY_PREFIXES.iter().any(|p| opens_with(p)) {
            return claims;
        }
        let closing = SUBJECT_TAGS.iter().find(|(open, _)| rest.starts_with(*open));
        match closing.and_then(|&(_, close)| rest.split_once(close)) {
            Some((_, after)) => rest = after.trim_start(),
            None => break,
        }
    }
    if !rest.is_empty() {
        claims.push(rest);
    }
    claims
}

/// The opening of `text` that is one of the brand's names (or its exact abbreviation), if it opens
/// with one rather than merely mentioning it.
fn brand_opening<'t>(text: &'t str, brand: &Brand) -> Option<&'t str> {
    let folded = fold(text);
    let named = brand.names.iter().find(|n| folded.starts_with(&fold(n))).map(|n| n.chars().count());
    let short = brand.short_names.iter().find(|n| {
        text.strip_prefix(n.as_str()).is_some_and(|after| !after.starts_with(|c: char| c.is_ascii_alphanumeric()))
    });
    let chars = named.or(short.map(|n| n.len()))?;
    let end = text.char_indices().nth(chars).map_or(text.len(), |(i, _)| i);
    Some(&text[..end])
}

/// The text is one of the brand's names (or its exact abbreviation), give or take spaces.
fn is_brand_name(text: &str, brand: &Brand) -> bool {
    let text = text.trim();
    let folded = fold(text);
    brand.names.iter().any(|n| fold(n) == folded) || brand.short_names.iter().any(|n| n == text)
}

/// A news headline about the brand (`楽天グループ、モバイル事業で初の黒字`, `ソフトバンクG、…`): the
/// company, a few letters of its kind or business at most (グループ, G, HD, モバイル) and a comma open the sentence, the way
/// newspapers write of a company. A company's notice about itself runs on without that comma
/// (`Amazon.co.jp重要なお知らせ`, `ETCサービスは…`). Only the bare opening: a 【tag】 stays a claim.
fn is_headline_topic(claim: &str, brand: &Brand) -> bool {
    let Some(opening) = brand_opening(claim, brand) else { return false };
    let Some(comma) = claim.find(['、', '，']) else { return false };
    comma >= opening.len()
        && claim[opening.len()..comma].chars().count() <= 8
        && !claim[..comma].contains(char::is_whitespace)
}

/// Whose words the subject is, for what in it counts as a claim (see `subject_brands`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum SubjectVoice {
    /// Anyone's: every opening and 【tag】 naming a brand is a claim (but for a newspaper's headline).
    Stranger,
    /// The sender's own, shown by its links (`subject_stays_home`): only a 【tag】 that is the brand's
    /// name and nothing more, and an opening that speaks as the brand rather than of something the
    /// sender offers with it (`names_brand_as_object`), are claims; for a school or a public office
    /// (`is_institution_domain`) only the tag is.
    SelfContained { institution: bool },
    /// The sender's own, verified (`subject_is_verified_own`): only the bare-name 【tag】 is a claim.
    Verified,
}

/// The recipient's server verified that the From domain sent this, and no mailing list put its own
/// address there: the subject is then the sender's own words under its own name. A company that
/// opens its subject with a brand (`Google Workspace for Education 移行のお知らせ` from a university,
/// `楽天モバイルが契約数900万回線を突破` from a news site, `PayPayへの口座登録キャンペーン` from a bank)
/// writes about the brand, not as it, so only its 【tags】 are claims; the opening still names the
/// brand (`sender.subject_names_brand`), which an account notice or a bait offer turns into a claim.
/// A list's re-send carries a stranger's subject, whatever the list's own signature proves.
fn subject_is_verified_own(view: &MessageView) -> bool {
    auth::from_domain_authenticated(view) && !rewritten_by_list(view)
}

fn rewritten_by_list(view: &MessageView) -> bool {
    view.from.as_ref().zip(list_address(view)).is_some_and(|(f, l)| f.address == l)
}

/// Whose words the subject is (see `SubjectVoice`).
/// `named`: the brands the subject names, whose misspellings the From domain may not carry.
fn subject_voice(view: &MessageView, kb: &Knowledge, named: &[&Brand]) -> SubjectVoice {
    if subject_is_verified_own(view) {
        return SubjectVoice::Verified;
    }
    match view.from.as_ref().filter(|from| subject_stays_home(view, from, kb, named)) {
        Some(from) => SubjectVoice::SelfContained { institution: is_institution_domain(from) },
        None => SubjectVoice::Stranger,
    }
}

/// No server verified the sender (many Japanese providers and self-run servers add no
/// Authentication-Results), but every link stays on the From domain's own site (or on a known
/// brand's own pages, not a hosting service): forging that From line would gain a phisher nothing,
/// the links lead where the sender says it is. The only question left is whether the From domain
/// itself is one a phisher made up to look like the brand: a look-alike (`smbc-card-info.com`, or
/// `paypaay.jp` under a subject naming PayPay), one
/// carrying a brand's name (`paypay-campaign.jp`), a machine-made name, a top-level domain of the
/// most abused, a free mailbox or a shared platform's subdomain are not the sender's own site. A
/// phisher's own throwaway domain linking to itself (`meisai-info.com`) passes, so this only
/// narrows what counts as a claim (`SubjectVoice::SelfContained`): a tag that is the brand's name,
/// and an opening in the brand's voice, still are.
fn subject_stays_home(view: &MessageView, from: &Addr, kb: &Knowledge, named: &[&Brand]) -> bool {
    let (Some(domain), Some(registrable)) = (from.domain.as_deref(), from.registrable.as_deref()) else {
        return false;
    };
    if view.body_skipped || view.links_omitted > 0 || rewritten_by_list(view) {
        return false;
    }
    let plain_domain = !is_free_mailbox(kb, domain)
        && !is_platform_subdomain(domain, kb)
        && kb.abused_tld(domain).is_none()
        && !kb.is_free_hosting(registrable)
        && kb.brands_tokened_in(domain::first_label(registrable)).is_empty()
        && random_text::RandomText::builtin().random_domain_label(registrable).is_none()
        && imitated_by_domain(from, kb, named).is_none_or(|found| found.brand.is_none());
    if !plain_domain {
        return false;
    }
    let mut home = false;
    for link in view.links.iter().filter(|l| l.source != LinkSource::Src) {
        let (Some(host), Some(link_registrable)) = (link.host_ascii.as_deref(), link.registrable.as_deref()) else {
            return false;
        };
        if link_registrable == registrable {
            home = true;
            continue;
        }
        let brands_own = kb.brand_of_domain(link_registrable).is_some()
            && !kb.is_free_hosting(host)
            && !kb.is_shared_sender_domain(host);
        if !brands_own {
            return false;
        }
    }
    home
}

/// A school's or a public office's domain under Japan's registry-vetted second levels (`ac.jp`,
/// `ed.jp`, `go.jp`, `lg.jp`): only such a body can hold one, so its subject, linking only to its own
/// site, is its own notice about the brand it uses (`Google Workspace for Education 移行のお知らせ`).
fn is_institution_domain(from: &Addr) -> bool {
    let registrable = from.registrable.as_deref().unwrap_or_default();
    [".ac.jp", ".ed.jp", ".go.jp", ".lg.jp"].iter().any(|sld| registrable.ends_with(sld))
}

/// Words after the brand that make it the object of what the sender offers, not the one speaking:
/// an event about its product (`Amazon Bedrock ハンズオン`), a plan or fare sold with it
/// (`JALダイナミックパッケージ限定プラン`, `ANA特別運賃`), a merchant's perk for its cardholders
/// (`JCBカードご優待`). Points, payments and campaigns are not among them: phishing offers those.
const BRAND_OBJECT_WORDS: &[&str] =
    &["ハンズオン", "セミナー", "勉強会", "ワークショップ", "講座", "プラン", "ツアー", "運賃", "優待"];

/// The opening names the brand as the object of the sender's own words (see `BRAND_OBJECT_WORDS`),
/// in its first phrase (up to `の`, a colon or a comma), or as the subject of a news sentence that
/// reports its figures (`楽天モバイルが契約数900万回線を突破`: the brand, `が`, an object with a number,
/// `を` and the deed).
fn names_brand_as_object(claim: &str, brand: &Brand) -> bool {
    let Some(opening) = brand_opening(claim, brand) else { return false };
    let after = &claim[opening.len()..];
    let phrase = after.split(['の', ':', '：', '、', '，', '。']).next().unwrap_or_default();
    if BRAND_OBJECT_WORDS.iter().any(|w| phrase.contains(w)) {
        return true;
    }
    // As in a headline (`is_headline_topic`), a few letters of the company's kind or business may
    // follow its name (`楽天モバイルが`).
    let Some(ga) = after.find('が') else { return false };
    let deed = &after[ga + 'が'.len_utf8()..];
    after[..ga].chars().count() <= 8
        && !after[..ga].contains(char::is_whitespace)
        && deed.find('を').is_some_and(|at| {
            // A figure in the object (`契約数900万回線`, `売上高1兆円`): news reports a company's
            // numbers; a notice in the brand's voice (`楽天カードが不正利用を検知`) has none.
            deed[..at].chars().any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
                && deed[at + 'を'.len_utf8()..].chars().count() >= 2
        })
}

/// The subject as the reader sees it: hidden characters split brand names (`【メルカ⁤リ】`) and are
/// no part of it.
fn visible_subject(subject: &str) -> String {
    // Sized once: collected character by character, it would grow several times.
    let mut visible = String::with_capacity(subject.len());
    visible.extend(subject.chars().filter(|&c| !is_hidden_char(c)).take(MAX_NAME_CHARS));
    visible
}

/// The brands a subject claims (see `subject_claims`), each with the words that claim it. When the
/// subject is the sender's own (`SubjectVoice`), only a 【tag】 that is the brand's name and nothing
/// more counts: `【三井住友カード】` signs the mail, `【PayPay支払いで最大20%還元】` and `【ANA特別運賃】`
/// advertise what a shop or travel agency sells; its openings count as `SubjectVoice` says.
fn subject_brands<'k>(subject: &str, kb: &'k Knowledge, voice: SubjectVoice) -> Vec<(String, &'k Brand)> {
    let bracketed = |claim: &str| subject.contains(&format!("【{claim}】"));
    subject_claims(subject)
        .into_iter()
        .flat_map(|claim| {
            let brands = kb.brands_named_in(claim).into_iter().chain(kb.brands_short_named_in(claim));
            brands.filter_map(move |b| {
                let opening_claims = match voice {
                    SubjectVoice::Stranger => !is_headline_topic(claim, b),
                    SubjectVoice::SelfContained { institution } => {
                        !institution && !is_headline_topic(claim, b) && !names_brand_as_object(claim, b)
                    }
                    SubjectVoice::Verified => false,
                };
                let tag = if bracketed(claim) {
                    let tag_claims = voice == SubjectVoice::Stranger || is_brand_name(claim, b);
                    (tag_claims && !names_store(claim, &[b])).then(|| format!("【{claim}】"))
                } else if !opening_claims {
                    None
                } else {
                    brand_opening(claim, b).map(String::from)
                };
                tag.map(|t| (t, b))
            })
        })
        .collect()
}

/// The brands the subject claims in `voice`, worked out only when the subject names one at all: most
/// do not, and asking whose words they are looks at every link.
fn subject_claims_of<'k>(view: &MessageView, subject: &str, kb: &'k Knowledge) -> Vec<(String, &'k Brand)> {
    let claims = subject_brands(subject, kb, SubjectVoice::Stranger);
    if claims.is_empty() {
        return claims;
    }
    let named: Vec<&Brand> = claims.iter().map(|(_, b)| *b).collect();
    match subject_voice(view, kb, &named) {
        SubjectVoice::Stranger => claims,
        voice => subject_brands(subject, kb, voice),
    }
}

/// The brands a message presents itself as where the reader looks first: the display name (by name,
/// look-alike or misspelling; not when it names the sender's own domain) and the subject's claims.
/// Links elsewhere in such a mail are off-brand (`links.off_brand`).
pub fn presented_brands(view: &MessageView, kb: &'static Knowledge) -> Vec<&'static Brand> {
    let mut brands = brands_in_name(view, kb);
    add_brands(&mut brands, brands_in_subject(view, kb));
    brands
}

/// The brands the display name presents the sender as (by name, look-alike or misspelling; not when
/// they are only its topic).
pub fn brands_in_name(view: &MessageView, kb: &'static Knowledge) -> Vec<&'static Brand> {
    let mut brands = Vec::new();
    let claims = view.sender_claims(kb);
    if !claims.brand_is_topic {
        add_brands(&mut brands, claims.display.iter().copied());
        add_brands(&mut brands, claims.imitated.map(|(brand, _)| brand));
    }
    brands
}

/// The subject carries the sender's own name as a 【tag】 (`【connpass】…` from "connpass", `…【くらし雑貨店】`
/// from "くらし雑貨店"): it is signed by the sender, and a brand beside the tag is what it writes about.
pub fn subject_signed_by_sender(view: &MessageView) -> bool {
    let (Some(subject), Some(from)) = (view.subject.as_deref(), view.from.as_ref()) else { return false };
    let name = from.name.as_deref().map(fold);
    let label = from.registrable.as_deref().and_then(|r| r.split('.').next()).unwrap_or_default();
    subject
        .split('【')
        .skip(1)
        .filter_map(|rest| rest.split_once('】').map(|(tag, _)| fold(tag)))
        .any(|tag| !tag.is_empty() && (name.as_ref() == Some(&tag) || tag == label))
}

/// The brands the subject claims (see `subject_claims`).
pub fn brands_in_subject(view: &MessageView, kb: &'static Knowledge) -> Vec<&'static Brand> {
    let Some(subject) = view.subject.as_deref() else { return Vec::new() };
    subject_claims_of(view, &visible_subject(subject), kb).into_iter().map(|(_, b)| b).collect()
}

/// The subject names a brand where a company names itself (see `subject_claims`): the same claim as
/// a display name, made where many phishing mails make it instead.
fn check_brand_subject(view: &MessageView, from: &Addr, kb: &Knowledge, display: &[&Brand], out: &mut Vec<Finding>) {
    let Some(subject) = view.subject.as_deref() else { return };
    if !display.is_empty() {
        // The display name already makes (or rightly backs) a claim; `check_brand_name` judges it.
        return;
    }
    let subject = visible_subject(subject);
    let Some((tag, brand)) =
        subject_claims_of(view, &subject, kb).into_iter().find(|(_, b)| !speaks_for(view, from, kb, b))
    else {
        check_brand_mentioned_in_subject(view, from, kb, &subject, out);
        return;
    };
    out.push(
        Finding::new("sender.brand_in_subject")
            .arg("tag", tag)
            .arg("brand", brand.label())
            .arg("address", from.address.clone())
            .evidence("Subject", subject.clone())
            .evidence("From", from.address.clone())
            .evidence("Brand domains", format!("{}: {}", brand.label(), brand.domains.join(", "))),
    );
}

/// The subject names a brand anywhere (`Trust Wallet`, `KYC-Metamask : Notification!`) and the sender
/// is not that brand. Newsletters and shops name brands all the time, so this is information only;
/// with an account notice (`scoring.toml` `brand_account_notice`) it is a claim to be that brand.
/// A reply or forward carries someone else's subject.
fn check_brand_mentioned_in_subject(
    view: &MessageView,
    from: &Addr,
    kb: &Knowledge,
    subject: &str,
    out: &mut Vec<Finding>,
) {
    let head = subject.trim_start();
    let opens_with = |p: &str| head.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p));
    if REPLY_PREFIXES.iter().any(|p| opens_with(p)) {
        return;
    }
    let Some(brand) = kb.brands_named_in(subject).into_iter().find(|b| !speaks_for(view, from, kb, b)) else {
        return;
    };
    out.push(
        Finding::new("sender.subject_names_brand")
            .arg("brand", brand.label())
            .evidence("Subject", subject.to_string())
            .evidence("From", from.address.clone())
            .evidence("Brand domains", format!("{}: {}", brand.label(), brand.domains.join(", "))),
    );
}

/// The From domain imitates a brand's (`amaz0n.co.jp`, `paypal-secure-login.com`), with the same
/// look-alike rules as links; misspellings count only for a brand the display name claims.
fn check_lookalike_domain(from: &Addr, kb: &Knowledge, display: &[&Brand], out: &mut Vec<Finding>) {
    let Some(registrable) = from.registrable.as_deref() else { return };
    let Some(found) = imitated_by_domain(from, kb, display) else { return };
    let (Some(brand), Some(brand_domain)) = (found.brand, found.brand_domain) else { return };
    out.push(
        Finding::new("sender.lookalike_domain")
            .arg("domain", registrable)
            .arg("brand", brand.label())
            .arg("brand_domain", brand_domain.clone())
            .evidence("From", from.address.clone())
            .evidence("Imitates", brand_domain)
            .evidence("How", found.kind.as_str()),
    );
}

/// The brand whose domain the From domain imitates (misspellings only of a brand in `display`); a
/// free mailbox's domain imitates nobody.
fn imitated_by_domain<'k>(from: &Addr, kb: &'k Knowledge, display: &[&Brand]) -> Option<lookalike::Lookalike<'k>> {
    let (Some(domain), Some(registrable)) = (from.domain.as_deref(), from.registrable.as_deref()) else { return None };
    if is_free_mailbox(kb, domain) {
        return None;
    }
    let ascii = idna::domain_to_ascii(registrable).ok()?;
    lookalike::check(&ascii, kb, kb.lookalike_index(), &kb.host_lure_words, display)
}

/// The brand a From domain made to look like the brand's own claims (`postbankde.com`): for
/// `links.off_brand`, as a brand display name does.
pub fn brand_imitated_by_from(view: &MessageView, kb: &'static Knowledge) -> Option<&'static Brand> {
    imitated_by_domain(view.from.as_ref()?, kb, &[])?.brand
}

/// The display name shows an address or domain that is not the real sender's; a disguised name is read
/// as it `unmasked` to, and shown as written.
fn check_shown_address(
    view: &MessageView,
    from: &Addr,
    display_name: Option<&str>,
    unmasked: Option<&str>,
    out: &mut Vec<Finding>,
) {
    let Some(written) = display_name else { return };
    let name = unmasked.unwrap_or(written);
    let real = from.registrable.as_deref();
    let users = user_addresses(view, true);
    let is_users = |registrable: &str| {
        users.iter().filter_map(|u| domain::address_domain(u)).any(|d| domain::is_within(&d, registrable))
    };
    // The user's own address as the name ("me@example.jp" <x@elsewhere>), whatever its domain looks like.
    let folded = fold(name);
    let own_address = users.iter().find(|u| folded.contains(u.as_str()) && !u.eq_ignore_ascii_case(&from.address));
    // A bare domain is often just a brand written as one ("CNET News.com"); brands are judged by
    // `check_brand_name`, so a bare domain counts here only when it is the user's own.
    let other = || {
        shown_domains(name)
            .into_iter()
            .filter(|s| Some(s.registrable.as_str()) != real)
            .map(|s| {
                let yours = is_users(&s.registrable);
                (s.text, yours)
            })
            .find(|(text, yours)| *yours || text.contains('@'))
    };
    let Some((shown, yours)) = own_address.map(|a| (a.clone(), true)).or_else(other) else { return };
    let id = if yours { "sender.display_name_your_domain" } else { "sender.display_name_address" };
    out.push(
        Finding::new(id)
            .arg("shown", shown)
            .arg("address", from.address.clone())
            .evidence("From", format!("\"{written}\" <{}>", from.address)),
    );
}

/// From is the user's own address (or on the user's own domain), yet the message came in from outside
/// and the recipient's server did not verify the From domain. A note to self does not come from outside.
fn check_self_sender(view: &MessageView, from: &Addr, kb: &Knowledge, out: &mut Vec<Finding>) {
    let Some(origin) = view.origin.and_then(|i| view.hops.get(i)) else { return };
    let address = from.address.to_ascii_lowercase();
    if list_address(view).is_some_and(|l| l == address) || auth::from_domain_authenticated(view) {
        return;
    }
    let users = user_addresses(view, !is_bulk(view));
    let exact = users.contains(&address);
    // Everyone at gmail.com shares the domain: only an exact address match means "you" there.
    let same_domain = from.domain.as_deref().is_some_and(|d| {
        !is_free_mailbox(kb, d) && users.iter().any(|u| domain::address_domain(u).as_deref() == Some(d))
    });
    if !exact && !same_domain {
        return;
    }
    let mut finding = Finding::new("sender.self_sender")
        .arg("address", from.address.clone())
        .arg("origin", origin.sender_label())
        .evidence("From", from.address.clone())
        .evidence("Received", origin.evidence());
    // Shown so the user sees them, with the reason they do not help: the sender writes both.
    if let Some(rp) = &view.return_path {
        finding = finding.evidence("Return-Path (written by the sender)", rp.clone());
    }
    if let Some(id) = &view.message_id {
        finding = finding.evidence("Message-ID (written by the sender)", id.clone());
    }
    out.push(finding);
}

/// Replies would go to another organisation than the sender's, or to a free mailbox.
fn check_reply_to(view: &MessageView, from: &Addr, kb: &Knowledge, out: &mut Vec<Finding>) {
    let Some(reply_to) = &view.reply_to else { return };
    // Lists point replies at the list or the from; that is their job, not a trick.
    if received::via_mailing_list(view) || reply_to.address.eq_ignore_ascii_case(&from.address) {
        return;
    }
    let (Some(reply_domain), Some(reply_registrable)) = (&reply_to.domain, &reply_to.registrable) else { return };
    if from.registrable.as_deref() == Some(reply_registrable.as_str()) {
        return;
    }
    let same_owner =
        |a: &str, b: &str| kb.brand_of_domain(a).zip(kb.brand_of_domain(b)).is_some_and(|(x, y)| x.id == y.id);
    if from.registrable.as_deref().is_some_and(|f| same_owner(f, reply_registrable)) {
        return;
    }
    let id = if is_free_mailbox(kb, reply_domain) { "sender.reply_to_freemail" } else { "sender.reply_to_mismatch" };
    out.push(
        Finding::new(id)
            .arg("reply_to", reply_to.address.clone())
            .arg("address", from.address.clone())
            .evidence("From", from.address.clone())
            .evidence("Reply-To", reply_to.address.clone()),
    );
}

/// None of the addresses the message was sent to is one of the user's (only known when the caller
/// gave the user's identities). Lists and Bcc explain most of these, hence information only.
fn check_addressee(view: &MessageView, out: &mut Vec<Finding>) {
    if !view.identities_given || received::via_mailing_list(view) {
        return;
    }
    let delivered = ["Delivered-To", "X-Original-To"].iter().flat_map(|h| view.headers_named(h)).map(str::trim);
    let mut addressed = view.to.iter().chain(&view.cc).map(|a| a.address.as_str()).chain(delivered);
    if addressed.any(|a| view.is_recipient(a.trim_matches(['<', '>']))) {
        return;
    }
    // A few addresses say it; a hostile To line can hold thousands.
    const SHOWN: usize = 5;
    let to: Vec<&str> = view.to.iter().take(SHOWN).map(|a| a.address.as_str()).collect();
    let more = if view.to.len() > SHOWN { format!(" (+{})", view.to.len() - SHOWN) } else { String::new() };
    let shown = if to.is_empty() { "(none)".to_string() } else { format!("{}{more}", to.join(", ")) };
    out.push(Finding::new("sender.not_addressed_to_you").arg("to", shown.clone()).evidence("To", shown));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_support;

    const OUTSIDE: &str = "Received: from box.hosting.example (box.hosting.example [203.0.113.5]) by mx.example.jp (Postfix); Mon, 1 Jan 2024 00:00:00 +0900\r\n";

    /// The sender findings of a message with these headers, but for the weightless
    /// `sender.free_mailbox` and `sender.subject_names_brand` notes (tested on their own), so each test
    /// names only what it is about.
    fn ids_for(headers: &str, identities: &[&str]) -> Vec<&'static str> {
        let notes = ["sender.free_mailbox", "sender.subject_names_brand"];
        all_ids_for(headers, identities).into_iter().filter(|id| !notes.contains(id)).collect()
    }

    fn all_ids_for(headers: &str, identities: &[&str]) -> Vec<&'static str> {
        let subject = if headers.contains("Subject:") { "" } else { "Subject: x\r\n" };
        let raw = format!("{headers}{subject}\r\nx\r\n");
        test_support::sorted_ids(&test_support::run(&raw, identities, check))
    }

    #[test]
    fn exchange_reporting_to_its_own_user_speaks_for_microsoft() {
        let inside = "Received: from TYCPR01MB1234.jpnprd01.prod.outlook.com (2603:1096:400:1::1) by TYCPR01MB5678.jpnprd01.prod.outlook.com with HTTPS; Mon, 23 Nov 2026 09:00:01 +0000\r\n";
        let system = "Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@yamada-kogyo.co.jp>";
        let ndr = "X-MS-Exchange-Message-Is-Ndr:\r\n";
        let h = |hops: &str, from: &str, extra: &str| {
            ids_for(&format!("{hops}From: {from}\r\nTo: taro@yamada-kogyo.co.jp\r\n{extra}"), &[])
        };
        assert!(h(inside, system, ndr).is_empty());
        let flagged = ["sender.brand_display_name"];
        // No report mark: a note written from the address.
        assert_eq!(h(inside, system, ""), flagged);
        // Not the system mailbox.
        let user = "Microsoft Outlook <taro.admin@yamada-kogyo.co.jp>";
        assert_eq!(h(inside, user, ndr), flagged);
        let short = "Microsoft Outlook <MicrosoftExchange329e71ec@yamada-kogyo.co.jp>";
        assert_eq!(h(inside, short, ndr), flagged);
        // Not the recipient's domain.
        let other = "Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@other.example>";
        assert_eq!(h(inside, other, ndr), flagged);
        // Taken in from the Internet: by Exchange's filters, from an outside address, or from outside.
        let filters = "Received: from TYCPR01MB1234.jpnprd01.prod.outlook.com (198.51.100.7) by TY2PEPF0000A1B2.mail.protection.outlook.com (10.167.241.50) with Microsoft SMTP Server; Mon, 23 Nov 2026 09:00:00 +0000\r\n";
        assert_eq!(h(&format!("{inside}{filters}"), system, ndr), flagged);
        let foreign_ip = inside.replace("2603:1096:400:1::1", "198.51.100.7");
        assert_eq!(h(&foreign_ip, system, ndr), flagged);
        let from_outside = "Received: from sv8630.xserver.jp (sv8630.xserver.jp [183.181.84.151]) by TYCPR01MB1234.jpnprd01.prod.outlook.com with ESMTPS; Mon, 23 Nov 2026 09:00:00 +0000\r\n";
        assert!(h(&format!("{inside}{from_outside}"), system, ndr).contains(&"sender.brand_display_name"));
        // No Received at all, or a company server's own: nothing shows Exchange handled it.
        assert_eq!(h("", system, ndr), flagged);
        let own_server = "Received: from mail.yamada-kogyo.co.jp (mail.yamada-kogyo.co.jp [192.0.2.10]) by mx.yamada-kogyo.co.jp (Postfix) with ESMTPSA; Mon, 23 Nov 2026 09:00:00 +0000\r\n";
        assert_eq!(h(own_server, system, ndr), flagged);
        // A failed check.
        let failed = "Authentication-Results: spf=fail smtp.mailfrom=yamada-kogyo.co.jp; dmarc=fail header.from=yamada-kogyo.co.jp\r\n";
        assert!(h(inside, system, &format!("{ndr}{failed}")).contains(&"sender.brand_display_name"));
    }

    #[test]
    fn free_mailboxes_are_noted() {
        let h = |from: &str| all_ids_for(&format!("{OUTSIDE}From: {from}\r\nTo: me@example.jp\r\n"), &[]);
        assert_eq!(h("John Smith <john.smith@gmail.com>"), ["sender.free_mailbox"]);
        assert_eq!(h("山田 <yamada@yahoo.co.jp>"), ["sender.free_mailbox"]);
        // The provider's own servers are not mailboxes anyone can open.
        assert!(h("Yahoo! JAPAN <alerts@mail.yahoo.co.jp>").is_empty());
        assert!(h("Shop <news@shop.example.com>").is_empty());
    }

    #[test]
    fn shown_domains_are_found_in_any_width() {
        let shown = shown_domains("ｓｅｒｖｉｃｅ＠ｐａｙｐａｌ．ｃｏｍ (Support)");
        assert_eq!(shown, [Shown { text: "service@paypal.com".into(), registrable: "paypal.com".into() }]);
        assert!(shown_domains("John Smith").is_empty());
        assert!(shown_domains("J. Smith, Ph.D.").is_empty());
        assert_eq!(shown_domains("「etc-meisai.jp」")[0].registrable, "etc-meisai.jp");
    }

    #[test]
    fn brand_name_on_a_foreign_domain_is_flagged_in_every_script() {
        for name in ["Kagoya Internet Service", "カゴヤ・ジャパン", "ＫＡＧＯＹＡ"] {
            let ids = ids_for(&format!("{OUTSIDE}From: \"{name}\" <info@evil.example>\r\nTo: me@example.jp\r\n"), &[]);
            assert_eq!(ids, ["sender.brand_display_name"], "{name}");
        }
        let own = ids_for(&format!("{OUTSIDE}From: \"KAGOYA\" <support@kagoya.jp>\r\nTo: me@example.jp\r\n"), &[]);
        assert!(own.is_empty(), "{own:?}");
    }

    #[test]
    fn a_brand_beside_the_senders_own_name_is_a_topic() {
        let h = |from: &str| ids_for(&format!("{OUTSIDE}From: {from}\r\nTo: me@example.jp\r\n"), &[]);
        assert!(h("Lockergnome Apple Core <subscriptions@lockergnome.com>").is_empty());
        // The domain is the name written as one word, a place code aside.
        assert!(h("AAA Plumbing & Heating <office@aaaplumbingnj.com>").is_empty());
        assert!(h("Apple Valley Dental <info@apple-valley-dental.com>").is_empty());
        // A brand and a function word make no name of the sender's own; nor does a longer tail.
        assert!(h("Apple Support <a@applesupport.com>").contains(&"sender.brand_display_name"));
        assert!(h("Apple Valley <a@applevalleyrewardscenter.com>").contains(&"sender.brand_display_name"));
        assert!(h("Trust Wallet <support@trust-wallet.com>").contains(&"sender.brand_display_name"));
        assert!(h("Apple Rewards <rewards@applerewards.com>").contains(&"sender.brand_display_name"));
        assert!(h("Visa Rewards Center <info@visarewardscenter.com>").contains(&"sender.brand_display_name"));
        assert!(h("Ripple <blog@ripple.net>").contains(&"sender.brand_display_name"));
        // A domain built on the brand's own token is no name of the sender's.
        assert!(h("Kagoya Kagoyasupport <a@kagoyasupport.com>").contains(&"sender.brand_display_name"));
        // Nor is a free mailbox.
        assert!(h("Gmail Apple Support <a@gmail.com>").contains(&"sender.brand_display_name"));
    }

    #[test]
    fn a_community_named_after_a_brand_is_no_claim() {
        let h = |from: &str| ids_for(&format!("{OUTSIDE}From: {from}\r\nTo: me@example.jp\r\n"), &[]);
        assert!(h("\"Google Developer Group Tokyo\" <info@meetup.com>").is_empty());
        assert!(h("\"Google Developer Tokyo\" <info@meetup.com>").contains(&"sender.brand_display_name"));
        assert!(h("\"アマゾン勉強会\" <no-reply@connpass.com>").is_empty());
        assert!(h("\"アマゾン\" <no-reply@connpass.com>").contains(&"sender.brand_display_name"));
        // A group is no support desk: the brand's name with a function word stays a claim.
        assert!(h("\"Google Account Group Support\" <info@meetup.example>").contains(&"sender.brand_display_name"));
        // A club named with a word that is also a brand's; a bare club is the brand's own programme.
        assert!(h("\"Discord Reading Club\" <club@discordreaders.example>").is_empty());
        assert!(h("\"Netflix Fan Club\" <hello@fans.example>").is_empty());
        assert!(h("\"Discord Nitro Club\" <gift@nitro-club.example>").contains(&"sender.brand_display_name"));
    }

    #[test]
    fn spelled_out_names_are_joined() {
        assert_eq!(squeeze_spelled_out("F.e.d.E.x"), "FedEx");
        assert_eq!(squeeze_spelled_out("P a y P a l Service"), "PayPal Service");
        assert_eq!(squeeze_spelled_out("E T C マイレージ"), "ETC マイレージ");
        assert_eq!(squeeze_spelled_out("J. Smith"), "J Smith");
        assert_eq!(squeeze_spelled_out("D/H/L-verzending"), "DHL verzending");
        let ids = ids_for(&format!("{OUTSIDE}From: F.e.d.E.x <a@evil.example.com>\r\nTo: me@example.jp\r\n"), &[]);
        assert_eq!(ids, ["sender.brand_display_name"]);
    }

    #[test]
    fn from_lines_that_hide_the_address_are_malformed() {
        assert_eq!(from_mailbox_count("Amazon Prime, jehd <service@example.de>"), 2);
        assert_eq!(from_mailbox_count("\"Doe, John\" <john@example.com>"), 1);
        assert_eq!(from_mailbox_count("John (Sales, Tokyo) <john@example.com>"), 1);
        let bad = |from: &str| {
            ids_for(&format!("From: {from}\r\nTo: me@example.jp\r\n"), &[]).contains(&"sender.malformed_from")
        };
        assert!(bad("Amazon Prime, jehd <service@example.de>"));
        assert!(bad("noreply@correios"));
        assert!(bad("\"Facebook\" <>"));
        assert!(bad("=?utf-8?B?zp1GVEDPhW5pc3dhz4E=?="));
        assert!(!bad("\"Doe, John\" <john@example.com>"));
        assert!(!bad("山田 太郎 <taro@example.co.jp>"));
        assert!(ids_for("To: me@example.jp\r\n", &[]).contains(&"sender.malformed_from"), "no From at all");
    }

    #[test]
    fn malformed_from_is_read_as_written() {
        let ids = ids_for(&format!("{OUTSIDE}From: Facebook ,_<en220@evil.example.com>\r\nTo: me@example.jp\r\n"), &[]);
        assert_eq!(ids, ["sender.brand_display_name", "sender.malformed_from"]);
        let encoded = "From: =?UTF-8?B?44Kr44K044Ok?= <info@evil.example.com>\r\nTo: me@example.jp\r\n";
        assert_eq!(ids_for(&format!("{OUTSIDE}{encoded}"), &[]), ["sender.brand_display_name"], "カゴヤ, decoded");
    }

    #[test]
    fn a_quoted_name_cut_across_encoded_words_reads_whole() {
        // "Micros" + "oft" in two encoded words inside quotes: shown as "Microsoft".
        let split =
            "From: \"=?UTF-8?B?TWljcm9z?= =?UTF-8?B?b2Z0?=\" <billing@renewals.example>\r\nTo: me@example.jp\r\n";
        assert_eq!(ids_for(split, &[]), ["sender.brand_display_name"]);
        let person =
            "From: \"=?UTF-8?B?SsO8cmdlbg==?= =?UTF-8?B?IE3DvGxsZXI=?=\" <j@example.de>\r\nTo: me@example.jp\r\n";
        assert!(ids_for(person, &[]).is_empty());
        assert_eq!(
            quoted_encoded_name("\"=?UTF-8?B?SsO8cmdlbg==?= =?UTF-8?B?IE3DvGxsZXI=?=\" ").as_deref(),
            Some("Jürgen Müller")
        );
        assert_eq!(quoted_encoded_name("\"plain name\" "), None);
    }

    #[test]
    fn brand_name_on_a_free_mailbox_is_stronger() {
        let ids = ids_for(
            &format!("{OUTSIDE}From: \"Microsoft Account Team\" <ms.team.2024@outlook.com>\r\nTo: me@example.jp\r\n"),
            &[],
        );
        assert_eq!(ids, ["sender.brand_display_name", "sender.brand_freemail"]);
    }

    #[test]
    fn brand_signed_mail_from_another_of_its_domains_is_accepted() {
        let auth = "Authentication-Results: mx.example.jp; dkim=pass header.d=amazon.co.jp\r\n";
        let ids =
            ids_for(&format!("{auth}{OUTSIDE}From: Amazon <news@amazon-mail.example>\r\nTo: me@example.jp\r\n"), &[]);
        assert!(ids.is_empty(), "{ids:?}");
    }

    #[test]
    fn brand_named_in_the_subject_tag_is_a_claim_too() {
        let h = |from: &str, subject: &str| {
            ids_for(&format!("{OUTSIDE}From: {from}\r\nTo: me@example.jp\r\nSubject: {subject}\r\n"), &[])
        };
        assert_eq!(
            h("no-reply@cfi397.example", "【SBI証券】口座保護のための設定更新依頼"),
            ["sender.brand_in_subject"]
        );
        assert!(h("info@sbisec.co.jp", "【SBI証券】お取引のお知らせ").is_empty());
        assert!(h("news@shop.example", "Amazon deals of the week").is_empty(), "only the 【】 tag counts");
        assert_eq!(h("\"SBI証券\" <a@cfi397.example>", "【SBI証券】x"), ["sender.brand_display_name"]);
    }

    #[test]
    fn a_brand_named_anywhere_in_the_subject_is_noted() {
        let h = |from: &str, subject: &str| {
            all_ids_for(&format!("{OUTSIDE}From: {from}\r\nTo: me@example.jp\r\nSubject: {subject}\r\n"), &[])
        };
        assert_eq!(h("noreply@events.example", "KYC-Metamask : Notification!"), ["sender.subject_names_brand"]);
        assert_eq!(h("news@shop.example", "Amazon deals of the week"), ["sender.subject_names_brand"]);
        assert!(h("news@shop.example", "Re: Amazon deals of the week").is_empty(), "someone else's subject");
        assert!(h("PayPal <service@paypal.com>", "Your PayPal receipt").is_empty(), "the brand's own address");
        assert_eq!(
            h("no-reply@cfi397.example", "【SBI証券】口座保護"),
            ["sender.brand_in_subject"],
            "a tag is a claim"
        );
        let found = test_support::run(
            &format!("{OUTSIDE}From: a@events.example\r\nTo: me@example.jp\r\nSubject: Trust Wallet\r\n\r\nx\r\n"),
            &[],
            check,
        );
        let note = found.iter().find(|f| f.id == "sender.subject_names_brand").unwrap();
        assert_eq!(note.args, [("brand", "Trust Wallet".to_string())]);
    }

    #[test]
    fn sender_domain_imitating_a_brand_is_flagged() {
        let ids =
            ids_for(&format!("{OUTSIDE}From: Notice <no-reply@paypal-secure-login.com>\r\nTo: me@example.jp\r\n"), &[]);
        assert_eq!(ids, ["sender.lookalike_domain"]);
        let real = ids_for(&format!("{OUTSIDE}From: PayPal <service@paypal.com>\r\nTo: me@example.jp\r\n"), &[]);
        assert!(real.is_empty(), "{real:?}");
    }

    #[test]
    fn shown_address_must_match_the_real_one() {
        let same = ids_for("From: \"service@paypal.com\" <service@paypal.com>\r\nTo: me@example.jp\r\n", &[]);
        assert!(same.is_empty(), "{same:?}");
        let other = ids_for("From: \"billing@shop.example.com\" <x@evil.example>\r\nTo: me@example.jp\r\n", &[]);
        assert_eq!(other, ["sender.display_name_address"]);
        let yours = ids_for("From: \"example.jp mail admin\" <x@evil.example>\r\nTo: me@example.jp\r\n", &[]);
        assert_eq!(yours, ["sender.display_name_your_domain"]);
        let your_address = ids_for("From: \"me@intra\" <x@evil.example>\r\nTo: me@intra\r\n", &[]);
        assert_eq!(your_address, ["sender.display_name_your_domain"]);
    }

    #[test]
    fn self_sender_needs_an_outside_origin_and_no_verification() {
        let seedlike = format!("Delivered-To: me@example.jp\r\n{OUTSIDE}From: me@example.jp\r\nTo: me@example.jp\r\n");
        assert_eq!(ids_for(&seedlike, &[]), ["sender.self_sender"]);
        assert_eq!(ids_for(&seedlike, &["me@example.jp"]), ["sender.self_sender"]);
        let colleague = format!("{OUTSIDE}From: boss@example.jp\r\nTo: me@example.jp\r\n");
        assert_eq!(ids_for(&colleague, &["me@example.jp"]), ["sender.self_sender"]);
        let verified = format!("Authentication-Results: mx.example.jp; dkim=pass header.d=example.jp\r\n{colleague}");
        assert!(ids_for(&verified, &["me@example.jp"]).is_empty());
        let internal = "Received: from pc1 (pc1 [192.168.1.20]) by mx.example.jp (Postfix); Mon, 1 Jan 2024 00:00:00 +0900\r\nFrom: me@example.jp\r\nTo: me@example.jp\r\n";
        assert!(ids_for(internal, &["me@example.jp"]).is_empty());
        let freemail_peer = format!("{OUTSIDE}From: friend@gmail.com\r\nTo: me@gmail.com\r\n");
        assert!(ids_for(&freemail_peer, &["me@gmail.com"]).is_empty());
    }

    #[test]
    fn list_posts_with_rewritten_from_are_not_self_sent() {
        let post = format!(
            "Delivered-To: me@example.jp\r\n{OUTSIDE}From: Alice via Talk <talk@lists.example.org>\r\nTo: talk@lists.example.org\r\nReply-To: alice@gmail.com\r\nList-Id: <talk.lists.example.org>\r\nList-Post: <mailto:talk@lists.example.org>\r\n"
        );
        assert!(ids_for(&post, &[]).is_empty());
    }

    #[test]
    fn reply_to_elsewhere_is_reported() {
        let free = ids_for(
            "From: Shop <info@shop.example.com>\r\nReply-To: shop.refunds@gmail.com\r\nTo: me@example.jp\r\n",
            &[],
        );
        assert_eq!(free, ["sender.reply_to_freemail"]);
        let other = ids_for(
            "From: Shop <info@shop.example.com>\r\nReply-To: x@other.example.net\r\nTo: me@example.jp\r\n",
            &[],
        );
        assert_eq!(other, ["sender.reply_to_mismatch"]);
        let same = ids_for("From: Shop <info@shop.example.com>\r\nReply-To: help@support.shop.example.com\r\n", &[]);
        assert!(same.is_empty());
        let brand = ids_for("From: Microsoft <a@microsoft.com>\r\nReply-To: b@office.com\r\n", &[]);
        assert!(brand.is_empty(), "one owner, two domains: {brand:?}");
    }

    #[test]
    fn addressee_is_checked_only_against_given_identities() {
        let h = "From: a@shop.example.com\r\nTo: hiroshi@example.jp\r\n";
        assert!(ids_for(h, &[]).is_empty());
        assert!(ids_for(h, &["hiroshi@example.jp"]).is_empty());
        assert_eq!(ids_for(h, &["admin@example.jp"]), ["sender.not_addressed_to_you"]);
    }

    #[test]
    fn brand_names_cover_the_impersonated_and_spare_ordinary_names() {
        let kb = Knowledge::builtin();
        let ids = |t: &str| kb.brands_named_in(t).iter().map(|b| b.id).collect::<Vec<_>>();
        for (name, brand) in [
            ("三井住友カード", "smbc"),
            ("ＳＭＢＣ", "smbc"),
            ("えきねっと（JR東日本）", "jr_east"),
            ("ヤマト運輸", "yamato"),
            ("佐川急便", "sagawa"),
            ("日本郵便", "japanpost"),
            ("ゆうちょ銀行", "japanpost"),
            ("国税庁", "nta"),
            ("ETC利用照会サービス", "etc"),
            ("三菱ＵＦＪ銀行", "mufg"),
            ("ﾒﾙｶﾘ", "mercari"),
            ("エックスサーバー", "xserver"),
            ("さくらインターネット", "sakura_internet"),
            ("お名前.com", "gmo"),
            ("Active! mail", "activemail"),
            ("Microsoft 365", "microsoft"),
            ("DocuSign", "docusign"),
            ("PayPay銀行", "paypay"),
            ("MyJCB", "jcb"),
        ] {
            assert!(ids(name).contains(&brand), "{name} → {:?}", ids(name));
        }
        for ordinary in [
            "Ana Garcia",
            "Chase Miller",
            "Line Manager",
            "Meta Team",
            "Au Bon Pain",
            "Jones, etc.",
            "ライオン株式会社",
            "田中みずほ",
            "Taro Sagawa",
            "Nifty tricks",
            "Economic Outlook",
        ] {
            assert!(ids(ordinary).is_empty(), "{ordinary} → {:?}", ids(ordinary));
        }
        assert!(kb.brands.len() >= 60);
    }

    #[test]
    fn organisation_names_on_free_mailboxes_are_flagged() {
        let h = |from: &str| ids_for(&format!("{OUTSIDE}From: {from}\r\nTo: me@example.jp\r\n"), &[]);
        assert_eq!(h("\"Security Team\" <sec.team.2024@gmail.com>"), ["sender.org_name_freemail"]);
        assert_eq!(h("Kundenservice <kd.service@web.de>"), ["sender.org_name_freemail"]);
        assert_eq!(
            h("=?UTF-8?B?44Kr44K544K/44Oe44O844K144Od44O844OI?= <cs-desk@yahoo.co.jp>"),
            ["sender.org_name_freemail"]
        );
        assert!(h("Steam Lover <steamfan@gmail.com>").is_empty(), "team inside steam is no word");
        assert!(h("John Smith <john.smith@gmail.com>").is_empty(), "a person on a free mailbox");
        assert!(h("Security Team <security@shop.example.com>").is_empty(), "an organisation's own domain");
        // A brand name is the stronger claim and is reported as such, not twice.
        assert_eq!(h("PayPal Support <pp.help@gmail.com>"), ["sender.brand_display_name", "sender.brand_freemail"]);
    }

    #[test]
    fn senders_on_shared_platform_subdomains_are_flagged() {
        let h = |from: &str| ids_for(&format!("{OUTSIDE}From: {from}\r\nTo: me@example.jp\r\n"), &[]);
        assert_eq!(h("Zahlung <noreply@golion4-86008.firebaseapp.com>"), ["sender.platform_subdomain"]);
        assert_eq!(h("Billing <ref.2836@qmhs.onmicrosoft.com>"), ["sender.platform_subdomain"]);
        assert!(h("News <news@onmicrosoft.com>").is_empty(), "the platform's own domain is not a tenant's");
        assert!(h("Blog <donotreply@wordpress.com>").is_empty());
        assert!(h("Alice <alice@mail.example.com>").is_empty());
    }

    #[test]
    fn an_envelope_on_a_platform_tenant_behind_another_sender_is_flagged() {
        let h = |return_path: &str, from: &str| {
            ids_for(&format!("{OUTSIDE}Return-Path: <{return_path}>\r\nFrom: {from}\r\nTo: me@example.jp\r\n"), &[])
        };
        let shop = "\"Omaha Steaks\" <info@omahasteaksgry.com>";
        assert_eq!(h("rwavkofsdu@geo20213870.onmicrosoft.com", shop), ["sender.platform_envelope"]);
        assert_eq!(h("bounce@golion4-86008.firebaseapp.com", shop), ["sender.platform_envelope"]);
        // A Microsoft 365 tenant forwarding a message rewrites the envelope in the SRS form.
        let forwarded = "bounces+SRS=k3Jd=XY=example.org=alice@contoso.onmicrosoft.com";
        assert!(h(forwarded, "Alice <alice@example.org>").is_empty());
        assert!(h("SRS0=ab12=XY=example.org=alice@contoso.onmicrosoft.com", "Alice <alice@example.org>").is_empty());
        // The tenant's own address in From is reported as such, once.
        let tenant = "Billing <ref.2836@qmhs.onmicrosoft.com>";
        assert_eq!(h("ref.2836@qmhs.onmicrosoft.com", tenant), ["sender.platform_subdomain"]);
        assert!(h("bounce-1234@mail.example.com", shop).is_empty(), "an ordinary bounce address");
        assert!(h("nobody@onmicrosoft.com", shop).is_empty(), "the platform's own domain is not a tenant's");
    }

    #[test]
    fn senders_under_abused_top_level_domains_are_flagged() {
        let kb = Knowledge::builtin();
        assert_eq!(kb.abused_tld("promo.luckyspins.shop"), Some("shop"));
        assert_eq!(kb.abused_tld("offers4u.sa.com"), Some("sa.com"));
        assert_eq!(kb.abused_tld("sa.com"), None, "the registry's own name");
        assert_eq!(kb.abused_tld("example.com"), None);
        assert_eq!(kb.abused_tld("shop"), None);
        assert_eq!(kb.abused_tld("xyz.example.net"), None, "only the ending counts");
        let ids = ids_for(&format!("{OUTSIDE}From: Casino <win@promo.luckyspins.xyz>\r\nTo: me@example.jp\r\n"), &[]);
        assert_eq!(ids, ["sender.abused_tld"]);
    }

    #[test]
    fn brands_phishing_pot_names_are_known_and_their_own_mail_is_not_flagged() {
        let kb = Knowledge::builtin();
        let ids = |t: &str| kb.brands_named_in(t).iter().map(|b| b.id).collect::<Vec<_>>();
        for (name, brand) in [
            ("Trust Wallet", "trustwallet"),
            ("Leroy Merlin Dział", "leroymerlin"),
            ("Deutsche Bahn Team", "deutschebahn"),
            ("Ourocard - Cod. 5864", "bancodobrasil"),
            ("Itaucard - Você tem pontos", "itau"),
            ("Costco Wholesale", "costco"),
            ("ADAC VIP-Einladung", "adac"),
            ("Disney+", "disney"),
            ("Booking.com", "booking"),
        ] {
            assert!(ids(name).contains(&brand), "{name} → {:?}", ids(name));
        }
        for ordinary in
            ["Orange County Users Group", "Steam engine fans", "Zoom lens review", "Ripple effect", "Ingrid"]
        {
            assert!(ids(ordinary).is_empty(), "{ordinary} → {:?}", ids(ordinary));
        }
        assert_eq!(kb.brand_of_domain("media-amazon.com").map(|b| b.id), Some("amazon"));
        let own = ids_for(&format!("{OUTSIDE}From: \"Deutsche Bahn\" <noreply@bahn.de>\r\nTo: me@example.jp\r\n"), &[]);
        assert!(own.is_empty(), "{own:?}");
    }

    #[test]
    fn disguised_names_are_unmasked_and_matched() {
        assert_eq!(unmasked_name("Apܿplܿe ID").as_deref(), Some("Apple ID"), "Syriac marks on Latin letters");
        assert_eq!(unmasked_name("Μetamаsk").as_deref(), Some("Metamask"), "Greek М, Cyrillic а");
        assert_eq!(unmasked_name("T\u{E0139}r\u{E0139}ust Wallet").as_deref(), Some("Trust Wallet"));
        assert_eq!(unmasked_name("Pr\u{200E}i\u{200E}me").as_deref(), Some("Prime"));
        assert_eq!(unmasked_name("Del \u{034F}ivery").as_deref(), Some("Del ivery"));
        assert_eq!(unmasked_name(" ᴍᴄᴀꜰᴇᴇ..Alert").as_deref(), Some(" mcafee..Alert"), "small capitals");
        for plain in
            ["🌶\u{FE0F} Spicy Deals", "Иван Петров", "Γιώργος", "José Müller", "山田 太郎", "葛\u{E0100}西 花子"]
        {
            assert_eq!(unmasked_name(plain), None, "{plain}");
        }
        let h = |from: &str| ids_for(&format!("{OUTSIDE}From: {from}\r\nTo: me@example.jp\r\n"), &[]);
        assert_eq!(
            h("=?UTF-8?B?zpxldGFt0LBzaw==?= <post@shop.example.no>"),
            ["sender.brand_display_name", "sender.disguised_name"],
            "Μetamаsk is MetaMask"
        );
        assert_eq!(h("=?UTF-8?B?zp1GVCBEcm9w?= <drop@nft.example.com>"), ["sender.disguised_name"], "ΝFT Drop");
        assert_eq!(
            h("\" ᴍᴄᴀꜰᴇᴇ..Alert\" <news@shop.example.com.br>"),
            ["sender.brand_display_name", "sender.disguised_name"],
            "McAfee in small capitals"
        );
        assert!(h("=?UTF-8?B?0JjQstCw0L0g0J/QtdGC0YDQvtCy?= <ivan@example.ru>").is_empty(), "a Russian name");
        // An address written with hidden marks reads as the address it shows, and as its brand.
        assert_eq!(
            h("\"customers@servicesܿ.ܿamznܿ.ܿcom\" <info-fwd@cable.example.com>"),
            ["sender.brand_display_name", "sender.disguised_name", "sender.display_name_address"]
        );
        assert_eq!(
            h("\"helpdeskܿ@ܿshopܿ.ܿexample.org\" <info-fwd@cable.example.com>"),
            ["sender.disguised_name", "sender.display_name_address"]
        );
    }

    #[test]
    fn addresses_in_styled_letters_or_with_hidden_characters_are_disguised() {
        assert_eq!(unmasked_address("𝘀𝘂𝗽𝗽𝗼𝗿𝘁@𝗚𝗮𝗺𝗺𝗮.𝗻𝗹").as_deref(), Some("support@gamma.nl"));
        assert_eq!(
            unmasked_address("ｉｎｆｏ@ｓｈｏｐ.ｅｘａｍｐｌｅ.ｃｏｍ").as_deref(),
            Some("info@shop.example.com"),
            "full width"
        );
        assert_eq!(
            unmasked_address("noreply@bahn\u{200B}.de").as_deref(),
            Some("noreply@bahn.de"),
            "a zero-width space"
        );
        // Addresses in other scripts, accented letters and plain ones are what they are.
        for plain in ["山田@例え.jp", "josé@exämple.de", "ivan@пример.рф", "info@example.com"] {
            assert_eq!(unmasked_address(plain), None, "{plain}");
        }
        let h = |from: &str| ids_for(&format!("{OUTSIDE}From: {from}\r\nTo: me@example.jp\r\n"), &[]);
        assert_eq!(h("Gamma <𝘀𝘂𝗽𝗽𝗼𝗿𝘁@𝗚𝗮𝗺𝗺𝗮.𝗻𝗹>"), ["sender.disguised_address"]);
        assert!(h("山田 太郎 <taro@example.co.jp>").is_empty());
    }

    #[test]
    fn display_names_imitating_a_brand_are_flagged() {
        let h = |from: &str| ids_for(&format!("{OUTSIDE}From: {from}\r\nTo: me@example.jp\r\n"), &[]);
        for lookalike in [
            "Amie from Iedger <amie@shop.example.com>",
            "PayPaI Service <service@billing.example.com>",
            "Amaz0n Support <help@orders.example.com>",
            "Trust WaIIet <wallet@example.org>",
            "Mircosoft Account Team <team@example.net>",
            "\"Conta Microsft - Atendimento\" <conta@example.com.br>",
        ] {
            assert_eq!(h(lookalike), ["sender.lookalike_display_name"], "{lookalike}");
        }
        for ordinary in [
            "Finance Desk <news@finance.example>",
            "Cloud Storage Team <team@storage.example>",
            "Trust Services <trust@example.org>",
            "Postal Service <post@example.org>",
            "Amazons of Brazil <tours@example.org>",
            "Al Smith <al@example.com>",
            "Mircosoft Fan Club <club@mircosoft-fans.com>",
        ] {
            assert!(h(ordinary).is_empty(), "{ordinary} → {:?}", h(ordinary));
        }
        // A brand named as written is the plain claim, not an imitation.
        assert_eq!(h("Trust Wallet <a@example.org>"), ["sender.brand_display_name"]);
        assert!(
            h("PayPaI <service@paypal.com>").is_empty(),
            "the brand own domain: {:?}",
            h("PayPaI <service@paypal.com>")
        );
    }

    #[test]
    fn upper_case_abbreviations_are_claims_only_as_written() {
        let h = |from: &str, subject: &str| {
            ids_for(&format!("{OUTSIDE}From: {from}\r\nTo: me@example.jp\r\nSubject: {subject}\r\n"), &[])
        };
        assert_eq!(h("ANA <service@info10.example.cfd>", "x"), ["sender.abused_tld", "sender.brand_display_name"]);
        assert_eq!(
            h("\"[BB] - Seu saldo foi liberado\" <a.b@gmail.com>", "x"),
            ["sender.brand_display_name", "sender.brand_freemail"]
        );
        assert!(h("Ana Garcia <ana@example.com>", "x").is_empty());
        assert!(h("ana <ana@example.com>", "x").is_empty());
        assert_eq!(h("no-reply@mail.example.com", "【ANAフェス限定】マイルの有効期限"), ["sender.brand_in_subject"]);
    }

    #[test]
    fn japanese_subjects_claim_the_brand_they_open_with() {
        let h = |from: &str, subject: &str| {
            ids_for(&format!("{OUTSIDE}From: {from}\r\nTo: me@example.jp\r\nSubject: {subject}\r\n"), &[])
        };
        let from = "=?UTF-8?B?6Ieq5YuV44Oh44O844Or6YCa55+l?= <admin@notice.example.cn>";
        for subject in [
            "ETCサービスは自動解約されます",
            "[Lists-devel] 【期限迫る】ETCマイレージポイントをご確認ください",
            "[SPAM] 「重要」Ekinetユーザーポリシーの更新",
            "Amazon.co.jp重要なお知らせ",
            "[Lists-devel] 【三井住友 カード】 お支払い予定金額のご案内",
            "【メルカ\u{2064}リ】アカウント停止のお知らせ",
            "【楽天カード、重要】ご利用確認",
            "楽天カード お客様情報、更新のお願い",
        ] {
            assert_eq!(h(from, subject), ["sender.brand_in_subject"], "{subject}");
        }
        for subject in [
            "お客様のアカウントについて",
            "Re: ETCマイレージの件",
            "先日のAmazonの注文について",
            "Amazon deals of the week",
            "楽天グループ、モバイル事業で初の黒字　三木谷氏「反転攻勢」",
            "[日経] ソフトバンク、AI向けデータセンターを北海道に",
            "Amazon、配送拠点を新設",
        ] {
            assert!(h(from, subject).is_empty(), "{subject}");
        }
        assert!(h("info@eki-net.com", "えきねっと会員情報のお知らせ").is_empty(), "the brand's own address");
    }

    #[test]
    fn a_verified_senders_subject_opening_with_a_brand_writes_about_it() {
        let h = |headers: &str, from: &str, subject: &str| {
            all_ids_for(&format!("{headers}{OUTSIDE}From: {from}\r\nTo: me@example.jp\r\nSubject: {subject}\r\n"), &[])
        };
        let verified = "Authentication-Results: mx.example.jp; dmarc=pass header.from=sample-u.ac.jp\r\n";
        let subject = "Google Workspace for Education 移行のお知らせ";
        let from = "情報基盤センター <info@sample-u.ac.jp>";
        assert_eq!(h(verified, from, subject), ["sender.subject_names_brand"], "a mention, not a claim");
        assert_eq!(h("", from, subject), ["sender.brand_in_subject"], "unverified: a claim");
        assert_eq!(
            h(verified, from, "【Google】移行のお知らせ"),
            ["sender.brand_in_subject"],
            "a tag that is the brand's name signs the mail, whoever verified it"
        );
        // A tag that advertises what the sender sells or accepts names the brand as its topic.
        for subject in ["【PayPay支払いで最大20%還元】年末セール開催中", "【楽天ポイントカード対応】ポイント2倍デー"]
        {
            assert_eq!(h(verified, from, subject), ["sender.subject_names_brand"], "{subject}");
            assert_eq!(h("", from, subject), ["sender.brand_in_subject"], "unverified: {subject}");
        }
        // A list's re-send is verified for the list, not for the stranger who wrote the subject.
        let list = "Authentication-Results: mx.example.jp; dkim=pass header.d=lists.example.org\r\n\
                    List-Id: <talk.lists.example.org>\r\nList-Post: <mailto:talk@lists.example.org>\r\n";
        assert_eq!(
            h(list, "eki-support via Talk <talk@lists.example.org>", "[Talk] 「重要」Ekinetユーザーポリシーの更新"),
            ["sender.brand_in_subject"]
        );
    }

    #[test]
    fn an_unverified_subject_linking_only_home_is_the_senders_own_unless_it_speaks_as_the_brand() {
        // No Authentication-Results at all, as many Japanese providers deliver it.
        let h = |from: &str, subject: &str, body: &str| {
            let raw = format!(
                "{OUTSIDE}From: {from}\r\nTo: me@example.jp\r\nSubject: {subject}\r\n\
                 Content-Type: text/html; charset=UTF-8\r\n\r\n<p>{body}</p>\r\n"
            );
            test_support::sorted_ids(&test_support::run(&raw, &[], check))
        };
        let home = |domain: &str| format!("<a href=\"https://www.{domain}/sale/\">詳しく</a>");
        let shop = "サンプル家電 <info@mail.sample-shop.jp>";
        let (own, claim) = (["sender.subject_names_brand"], ["sender.brand_in_subject"]);
        // A tag advertising what the shop sells or accepts, an event, a plan or a perk, a news figure.
        for subject in [
            "【PayPay支払いで最大20%還元】年末セール開催中",
            "【楽天ポイントカード対応】ポイント2倍デー",
            "JALダイナミックパッケージ限定プランのご案内",
            "JCBカードご優待のお知らせ",
            "Amazon Bedrock ハンズオン: チケットが確定しました",
            "楽天モバイルが契約数900万回線を突破",
        ] {
            assert_eq!(h(shop, subject, &home("sample-shop.jp")), own, "{subject}");
            // A link anywhere else, or none of its own: anyone's words.
            assert_eq!(h(shop, subject, &home("sample-shop.example.net")), claim, "elsewhere: {subject}");
            assert_eq!(h(shop, subject, "x"), claim, "no link: {subject}");
        }
        // `ANA` is a claim only as the whole tag (`short_names`); beside words, no brand at all.
        assert!(h(shop, "【ANA特別運賃】冬の北海道ツアー", &home("sample-shop.jp")).is_empty());
        assert_eq!(h(shop, "【ANA】冬の北海道ツアー", &home("sample-shop.jp")), claim);
        // The brand's own pages beside the sender's are no stranger's.
        let both = format!("{} <a href=\"https://aws.amazon.com/bedrock/\">Bedrock</a>", home("sample-shop.jp"));
        assert_eq!(h(shop, "Amazon Bedrock ハンズオン: チケットが確定しました", &both), own);
        // Still claims: the tag that is the brand's bare name, an opening in the brand's voice, a
        // deed without figures.
        let throwaway = "ご利用明細 <info@meisai-info.com>";
        for subject in [
            "【三井住友カード】ご利用明細のお知らせ",
            "Microsoft 365 多要素認証の設定のお願い",
            "楽天カードが不正利用を検知しました",
            "Google Workspace 移行のお知らせ",
            "楽天ポイント失効のお知らせ",
            "Amazonプライム会費のお支払い方法に問題があります",
        ] {
            assert_eq!(h(throwaway, subject, &home("meisai-info.com")), claim, "{subject}");
        }
        // A school's or a city's own domain: its openings are its notices about the brand it uses.
        let school = "情報基盤センター <info@mail.sample-u.ac.jp>";
        let migration = "Google Workspace for Education 移行のお知らせ";
        assert_eq!(h(school, migration, &home("sample-u.ac.jp")), own);
        assert_eq!(h(school, "【Google】移行のお知らせ", &home("sample-u.ac.jp")), claim, "the bare name");
        // A From domain made to carry a brand, look like one, read as machine-made, or on an abused
        // top-level domain is no sender's own site, wherever it links.
        for (from, domain) in [
            ("サンプル <info@paypay-campaign.jp>", "paypay-campaign.jp"),
            ("サンプル <info@paypaay.jp>", "paypaay.jp"),
            ("サンプル <info@xkqzvbtw.com>", "xkqzvbtw.com"),
            ("サンプル <info@sale-info.top>", "sale-info.top"),
        ] {
            let ids = h(from, "【PayPay支払いで最大20%還元】年末セール開催中", &home(domain));
            assert!(ids.contains(&"sender.brand_in_subject"), "{from}: {ids:?}");
        }
    }

    #[test]
    fn a_store_selling_under_a_brands_name_is_not_the_brand() {
        let h = |from: &str, subject: &str| {
            ids_for(&format!("{OUTSIDE}From: {from}\r\nTo: me@example.jp\r\nSubject: {subject}\r\n"), &[])
        };
        for name in
            ["サンプル家具 楽天市場店", "サンプル家具 Yahoo!店", "サンプル家具 Amazon店", "ドコモショップ渋谷店"]
        {
            assert!(h(&format!("{name} <info@sample-kagu.example>"), "x").is_empty(), "{name}");
        }
        assert!(h("info@sample-kagu.example", "【サンプル家具 楽天市場店】ご注文ありがとうございます").is_empty());
        // A bank's branch is the bank; the brand's bare name with 店, or its "official store", is the brand.
        for name in ["三井住友銀行 新宿支店", "三井住友銀行本店", "Amazon店", "Amazon 公式店", "Amazonオフィシャル店"]
        {
            assert_eq!(h(&format!("{name} <info@sample-kagu.example>"), "x"), ["sender.brand_display_name"], "{name}");
        }
    }

    #[test]
    fn list_rewritten_from_claims_the_authors_name_only() {
        let list = "List-Id: <talk.lists.example.org>\r\nList-Post: <mailto:talk@lists.example.org>\r\n";
        let h = |name: &str| {
            ids_for(
                &format!("{OUTSIDE}{list}From: {name} <talk@lists.example.org>\r\nTo: talk@lists.example.org\r\n"),
                &[],
            )
        };
        assert_eq!(
            h("=?UTF-8?B?SkHjg43jg4Pjg4jjg5Djg7Pjgq8=?= via Talk"),
            ["sender.brand_display_name"],
            "JAネットバンク"
        );
        assert!(h("Alice via Apple-Users").is_empty(), "the list's name is no claim");
    }

    #[test]
    fn a_name_made_of_the_brands_domain_is_a_claim() {
        let h = |from: &str| ids_for(&format!("{OUTSIDE}From: {from}\r\nTo: me@example.jp\r\n"), &[]);
        assert_eq!(h("\"etc-meisai\" <admin@notice.example.cn>"), ["sender.brand_display_name"]);
        assert!(h("\"etc-meisai.jp\" <admin@ml.etc-meisai.jp>").is_empty(), "the brand's own address");
    }

    #[test]
    fn an_address_without_a_name_is_what_the_reader_sees() {
        let h = |from: &str| ids_for(&format!("{OUTSIDE}From: {from}\r\nTo: me@example.jp\r\n"), &[]);
        assert_eq!(h("Amazon.co.jp@jmmlm.example.com"), ["sender.brand_display_name"]);
        assert_eq!(h("<paypal-service@billing.example.net>"), ["sender.brand_display_name"]);
        assert!(h("service@paypal.com").is_empty());
        assert!(h("john.smith@example.com").is_empty());
    }

    #[test]
    fn hostile_display_names_are_bounded() {
        let name = "a.example.com ".repeat(50_000);
        assert!(shown_domains(&name).len() <= 1);
        let tags = "[]".repeat(100_000);
        assert_eq!(subject_claims(&format!("{tags}ETCサービス")), ["ETCサービス"], "one pass over the tags");
        let long = format!("{OUTSIDE}From: \"{}\" <a@example.com>\r\nSubject: {tags}\r\n", "PayPaI ".repeat(20_000));
        assert_eq!(ids_for(&long, &[]), ["sender.lookalike_display_name"]);
    }
}
