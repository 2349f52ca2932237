//! Links in the HTML and text bodies: where they really go, and how they hide it.

mod document;
mod encoded;
mod extract;
pub mod lookalike;

pub(crate) use extract::numeric_reference;
use extract::written_host;
pub use extract::{LinkTags, extract};

use std::borrow::Cow;

use url::{Host, Url};

use crate::domain;
use crate::knowledge::{Brand, Knowledge};
use crate::message::MessageView;
use crate::model::Finding;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkSource {
    Href,
    Form,
    Text,
    Src,
    /// A link action in an attached PDF.
    Document,
}

impl LinkSource {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkSource::Href => "href",
            LinkSource::Form => "form",
            LinkSource::Text => "text",
            LinkSource::Src => "src",
            LinkSource::Document => "document",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Link {
    /// As written (entities decoded, surrounding spaces trimmed, capped in length).
    pub url: String,
    /// The visible text of an HTML anchor.
    pub text: Option<String>,
    pub source: LinkSource,
    /// Lower-case host for display, IDN labels in Unicode.
    pub host: Option<String>,
    /// The same host in ASCII (punycode), as DNS and the PSL see it.
    pub host_ascii: Option<String>,
    /// Registrable domain of `host_ascii`; `None` for IP literals.
    pub registrable: Option<String>,
    /// The parsed URL for http(s)/ftp links; `None` for `javascript:` and `data:` ones.
    pub parsed: Option<Url>,
    /// The host as the message writes it, when that hides the name the browser goes to (character
    /// references, percent escapes, styled letters, invisible characters); `None` for IP numbers.
    pub disguised_host: Option<String>,
}

/// Longest URL shown in evidence; tracking URLs run to kilobytes.
const MAX_SHOWN_URL: usize = 300;
/// Recipient addresses looked for in URLs (a mail to a long list names many).
const MAX_RECIPIENTS: usize = 20;

/// What the sender's authentication (written by the recipient's own servers) lets us trust: links to
/// an aligned, authenticated sender's own domains and to the mail service that tracks its clicks.
struct Sender {
    authenticated: bool,
    /// The recipient's servers wrote a verdict on the sender (any trusted result, pass or not).
    checked: bool,
    own: Vec<String>,
    /// The From address's registrable domain, authenticated or not.
    from_registrable: Option<String>,
    /// The brand an authenticated From domain belongs to.
    brand: Option<&'static Brand>,
}

impl Sender {
    fn of(view: &MessageView, kb: &'static Knowledge) -> Sender {
        let passed = |a: &&crate::checks::auth::AuthResult| a.trusted && a.result.eq_ignore_ascii_case("pass");
        let authenticated = view.auth.iter().filter(passed).any(|a| a.aligned);
        let checked = view.auth.iter().any(|a| a.trusted);
        let mut own = Vec::new();
        if authenticated {
            own.extend(view.from.as_ref().and_then(|f| f.registrable.clone()));
            own.extend(
                view.auth.iter().filter(passed).filter_map(|a| a.domain.as_deref()).filter_map(domain::registrable),
            );
        }
        let from_registrable = view.from.as_ref().and_then(|f| f.registrable.clone());
        let brand = from_registrable.as_deref().filter(|_| authenticated).and_then(|r| kb.brand_of_domain(r));
        Sender { authenticated, checked, own, from_registrable, brand }
    }

    fn owns_domain(&self, registrable: Option<&str>) -> bool {
        registrable.is_some_and(|r| self.own.iter().any(|o| o == r))
    }

    /// A brand proven to be the sender names its customers in links to any of its domains (`r10.to`
    /// from rakuten.co.jp), not only the one it sent from.
    fn brand_owns(&self, link: &Link) -> bool {
        self.brand.is_some_and(|b| link.registrable.as_deref().is_some_and(|r| b.owns_domain(r)))
    }

    fn owns(&self, link: &Link, kb: &Knowledge) -> bool {
        let host = link.host_ascii.as_deref().unwrap_or_default();
        self.authenticated
            && (self.owns_domain(link.registrable.as_deref()) || kb.is_mail_service(host) || kb.is_click_tracker(host))
    }
}

/// Findings of one id are reported once, with the first link as evidence and a count of the others.
#[derive(Default)]
struct Hits {
    found: Vec<(Finding, usize)>,
}

impl Hits {
    fn add(&mut self, finding: Finding) {
        match self.found.iter_mut().find(|(f, _)| f.id == finding.id) {
            Some((_, more)) => *more += 1,
            None => self.found.push((finding, 0)),
        }
    }

    fn emit(self, out: &mut Vec<Finding>) {
        for (finding, more) in self.found {
            out.push(if more > 0 { finding.evidence("Other links like it", more.to_string()) } else { finding });
        }
    }
}

/// The URL as evidence shows it: cut after `MAX_SHOWN_URL` bytes, at a character boundary.
pub(crate) fn shown_url(url: &str) -> String {
    if url.len() <= MAX_SHOWN_URL {
        return url.to_string();
    }
    format!("{}…", &url[..url.floor_char_boundary(MAX_SHOWN_URL)])
}

/// Evidence every link finding starts with: the URL and where it really goes.
fn link_finding(id: &'static str, link: &Link) -> Finding {
    let host = link.host.clone().unwrap_or_default();
    let mut f = Finding::new(id).evidence("URL", shown_url(&link.url)).evidence("Real host", host.clone());
    if link.host_ascii.as_deref().is_some_and(|a| a != host) {
        f = f.evidence("Host (punycode)", link.host_ascii.clone().unwrap_or_default());
    }
    if let Some(r) = &link.registrable {
        f = f.evidence("Registrable domain", r.clone());
    }
    if link.source == LinkSource::Document {
        f = f.evidence("Link in attachment", "PDF");
    }
    f
}

/// Adds the links of the attached PDF documents to the body's, up to `limits.max_links` in all;
/// returns how many were left out.
pub fn add_document_links(
    attachments: &[crate::checks::attachments::Attachment],
    links: &mut Vec<Link>,
    limits: &crate::Limits,
) -> usize {
    let mut omitted = 0;
    let mut seen: Option<std::collections::HashSet<String>> = None;
    let mut budget = document::Budget::per_message();
    for attachment in attachments.iter().filter(|a| document::is_pdf(a.bytes)) {
        for link in document::pdf_links(attachment.bytes, &mut budget) {
            let seen = seen.get_or_insert_with(|| links.iter().map(|l| l.url.clone()).collect());
            if !seen.insert(link.url.clone()) {
                continue;
            }
            if links.len() >= limits.max_links {
                omitted += 1;
            } else {
                links.push(link);
            }
        }
    }
    omitted
}

pub fn check(view: &MessageView, kb: &'static Knowledge, out: &mut Vec<Finding>) {
    let sender = Sender::of(view, kb);
    let claimed: Vec<&Brand> = view
        .from
        .iter()
        .filter_map(|f| f.name.as_deref())
        .chain(view.subject.as_deref())
        .flat_map(|t| kb.brands_named_in(t))
        .collect();
    let recipients: Vec<String> = view.recipients.iter().take(MAX_RECIPIENTS).cloned().collect();
    // A mail-security wrapper (Safe Links, URL Defense) forwards to the URL it carries: judge that one.
    let links: Vec<Cow<Link>> =
        view.links.iter().map(|l| unwrap_protection(l, kb).map_or(Cow::Borrowed(l), Cow::Owned)).collect();
    // The brands the mail presents itself as (not every brand a subject mentions: a newsletter's
    // "How PayPal runs Kubernetes" links to github.com/paypal/… as the story it tells).
    let claims = off_brand_claims(view, kb);
    let mut lookalikes_seen: Vec<String> = Vec::new();
    let mut hits = Hits::default();
    // Where open redirectors forward, with the redirector's registrable domain: judged as the links
    // they are for the brand checks below.
    let mut targets: Vec<(Link, Option<String>)> = Vec::new();
    for link in links.iter().map(Cow::as_ref) {
        // Up to 2,000 links, each looked up several ways: the time budget is checked per link.
        if view.out_of_time() {
            break;
        }
        let Some(parsed) = &link.parsed else {
            script_href(link, &mut hits);
            continue;
        };
        let own = sender.owns(link, kb);
        // A page on the sender's own subdomain of a free host (an app's `x.firebaseapp.com` linking to
        // `x.firebaseapp.com` or its sibling `x.web.app`) goes where the From address says: the sender
        // checker already tells that anyone can have such a subdomain, and the link hides nothing more.
        let on_from_site = match (link.registrable.as_deref(), sender.from_registrable.as_deref()) {
            (Some(link_site), Some(from_site)) => {
                link_site == from_site || kb.is_same_site_on_sibling_hosts(link_site, from_site)
            }
            _ => false,
        };
        // The authenticated sender's own site: it may name a product it works with in its paths
        // (Calendly's `/microsoft_teams` meeting location), and its redirector (Google Alerts'
        // google.com/url in mail from google.com) hides nothing the sender does not answer for.
        let senders_own_site = on_from_site && sender.authenticated && sender.owns_domain(link.registrable.as_deref());
        // A wrapper that does not show where it forwards (Mimecast): its text is taken at its word.
        let wrapped = link.host_ascii.as_deref().is_some_and(|h| kb.is_link_protection(h));
        userinfo(link, parsed, &mut hits);
        ip_host(link, parsed, &mut hits);
        obfuscated_host(link, &mut hits);
        if let Some(host) = link.host_ascii.as_deref() {
            if kb.is_shortener(host) {
                hits.add(link_finding("links.shortener", link).arg("host", host));
            }
            if kb.is_free_hosting(host)
                && !own
                && !on_from_site
                && !verified_senders_form(link, parsed, host, kb, &sender)
            {
                hits.add(link_finding("links.free_hosting", link).arg("host", host));
            }
            if let Some(tld) = kb.abused_tld(host).filter(|_| !own) {
                hits.add(link_finding("links.abused_tld", link).arg("host", host).arg("tld", format!(".{tld}")));
            }
            // Not told for the sender's own redirector; where it forwards is still judged below.
            if let Some(target) = redirector(link, parsed, host, kb, !senders_own_site, &mut hits)
                && let Some(target) = extract::make_link(target.into(), None, link.text.clone(), link.source)
            {
                targets.push((target, link.registrable.clone()));
            }
        }
        brand_in_path(link, parsed, kb, &claims.brands, senders_own_site, &mut hits);
        lookalike_once(link, kb, &claimed, &mut lookalikes_seen, &mut hits);
        if !own
            && !wrapped
            && !sender.brand_owns(link)
            && !brands_page_from_brand(link, parsed, kb, &sender)
            && let Some(found) = encoded::find_address(&link.url, &recipients)
            && !is_subscription_link(link, kb)
        {
            hits.add(
                link_finding("links.recipient_in_url", link)
                    .arg("address", found.address.clone())
                    .arg("encoding", found.encoding.as_str())
                    .evidence("Encoding", found.encoding.as_str())
                    .evidence("Decoded value", found.decoded),
            );
        }
        if !wrapped {
            text_mismatch(link, parsed, kb, &sender, own, &mut hits);
        }
    }
    // A redirector's target is where the reader lands: a brand's name in its path, a look-alike of
    // the brand, or a site that is not the brand's counts as it would on a link of its own (the
    // redirector itself is a known brand's site, Google's or Bing's, and excuses nothing).
    for (target, _) in &targets {
        if let Some(parsed) = &target.parsed {
            brand_in_path(target, parsed, kb, &claims.brands, false, &mut hits);
        }
        lookalike_once(target, kb, &claimed, &mut lookalikes_seen, &mut hits);
    }
    let judged: Vec<(&Link, Option<&str>)> = links
        .iter()
        .map(|l| (l.as_ref(), None))
        .chain(targets.iter().map(|(target, via)| (target, via.as_deref())))
        .collect();
    off_brand(view, &judged, kb, &sender, &claims.brands, claims.subject_only, &mut hits);
    hits.emit(out);
}

/// `lookalike` for the first link to each registrable domain.
fn lookalike_once(link: &Link, kb: &Knowledge, claimed: &[&Brand], seen: &mut Vec<String>, hits: &mut Hits) {
    if let Some(reg) = link.registrable.as_deref()
        && !seen.iter().any(|s| s == reg)
    {
        seen.push(reg.to_string());
        lookalike(link, reg, kb, claimed, hits);
    }
}

/// The brands a mail claims for `links.off_brand`: those it presents itself as (sender name, subject),
/// the brand whose own address is the From address when the mail came in from a server that is
/// not the brand's (a forged brand address), and the brand a From domain imitates (`postbankde.com`).
/// An employee writing from the brand's own servers about other sites claims nothing.
fn off_brand_claims(view: &MessageView, kb: &'static Knowledge) -> OffBrandClaims {
    let named = super::sender::brands_in_name(view, kb);
    let imitated = super::sender::brand_imitated_by_from(view, kb);
    // Neither the sender's name nor its domain speaks for a brand, and the sender signed the subject
    // with its own name: a brand there is what the sender writes about.
    let subject_only = named.is_empty() && imitated.is_none() && super::sender::subject_signed_by_sender(view);
    let mut brands = named;
    let forged = view
        .from
        .as_ref()
        .filter(|f| !f.domain.as_deref().is_some_and(|d| super::sender::is_free_mailbox(kb, d)))
        .and_then(|f| f.registrable.as_deref())
        .and_then(|r| kb.brand_of_domain(r))
        .filter(|b| super::received::sent_from_outside(view, kb, b));
    let subject = super::sender::brands_in_subject(view, kb);
    for brand in subject.into_iter().chain([forged, imitated].into_iter().flatten()) {
        if !brands.iter().any(|c| c.id == brand.id) {
            brands.push(brand);
        }
    }
    OffBrandClaims { brands, subject_only }
}

/// What `off_brand_claims` finds: the brands, and whether only a sender-signed subject claims them.
struct OffBrandClaims {
    brands: Vec<&'static Brand>,
    subject_only: bool,
}

/// The mail claims to be a brand (sender name or subject) but its links lead elsewhere. Links to any
/// known brand's domains (app stores, social networks), to the authenticated sender's own trackers
/// and to mail-security wrappers are not counted; a brand's authenticated mail is not examined.
/// Each of `links` comes with the registrable domain of the open redirector it was read from, if
/// any: where a redirector forwards counts as a link of its own (a known brand's redirector excuses
/// nothing), except the brand's own redirector in mail from the brand's own address.
/// A brand only the subject claims (`subject_only`: neither the sender's name nor its domain speaks
/// for one, the From address is not the brand's, and the subject carries the sender's own name as a
/// 【tag】), with links to the From domain's own site, is a shop, event site or newsletter writing
/// about the brand on its own pages ("【connpass】Microsoft Azure 勉強会" from connpass, "ヤマト運輸
/// 発送完了のお知らせ【くらし雑貨店】"), also when no server verified it. Untagged, or tagged 【重要】 or
/// with the brand's name, the subject stays a claim whatever the links.
fn off_brand(
    view: &MessageView,
    links: &[(&Link, Option<&str>)],
    kb: &Knowledge,
    sender: &Sender,
    claimed: &[&Brand],
    subject_only: bool,
    hits: &mut Hits,
) {
    let from_registrable = view.from.as_ref().and_then(|f| f.registrable.as_deref());
    for brand in claimed {
        let sent_by_brand = from_registrable.is_some_and(|r| brand.owns_domain(r));
        if sender.authenticated && sent_by_brand {
            continue;
        }
        let elsewhere = links.iter().find(|&&(link, via)| {
            let (Some(host), Some(_)) = (link.host_ascii.as_deref(), &link.parsed) else { return false };
            let known_owner = link.registrable.as_deref().is_some_and(|r| kb.brand_of_domain(r).is_some());
            // The sender's own site is no excuse when the sender is not the brand it claims to be.
            let own_excused = sent_by_brand && sender.owns(link, kb);
            let senders_own_pages = subject_only
                && !sent_by_brand
                && link.registrable.is_some()
                && link.registrable.as_deref() == from_registrable;
            // Mail from the brand's own address sending the reader on through the brand's own
            // redirector (Google Alerts' google.com/url to a news article) is the brand's doing.
            let brands_own_redirect = sent_by_brand && via.is_some_and(|r| brand.owns_domain(r));
            !known_owner && !own_excused && !senders_own_pages && !brands_own_redirect && !kb.is_link_protection(host)
        });
        if let Some(&(link, _)) = elsewhere {
            hits.add(
                link_finding("links.off_brand", link)
                    .arg("brand", brand.label())
                    .arg("host", link.host.clone().unwrap_or_default())
                    .evidence("Claimed brand", brand.label()),
            );
            return;
        }
    }
}

/// The URL a mail-security wrapper carries, as a link of its own (same text and source): Safe Links
/// (`?url=`), Proofpoint URL Defense v2 (`?u=` with `-XX` escapes and `_` for `/`) and v3 (`/v3/__URL__;`).
fn unwrap_protection(link: &Link, kb: &Knowledge) -> Option<Link> {
    let host = link.host_ascii.as_deref()?;
    let parsed = link.parsed.as_ref()?;
    if !kb.is_link_protection(host) {
        return None;
    }
    let param = |name: &str| parsed.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
    let inner = if let Some((_, rest)) = link.url.split_once("/v3/__") {
        rest.split("__;").next().map(str::to_owned)
    } else if parsed.path().starts_with("/v2/") {
        param("u").map(|u| encoded::percent_decode(&u.replace('-', "%").replace('_', "/")))
    } else {
        param("url")
    }?;
    extract::make_link(inner, None, link.text.clone(), link.source)
}

/// A link to the very site of the brand whose address the mail comes from, even unverified (delivered
/// without Authentication-Results): Google's alert for `accounts.google.com/AccountChooser?Email=…` names
/// the account on Google's own site, which no phisher controls. Only the From address's own registrable
/// domain (the brand's other domains and shorteners stay counted unverified). Not a free mailbox's brand (its addresses
/// are anyone's), not a free host (`storage.googleapis.com`), not a page carrying a URL to another
/// site (a translation proxy's `?u=https://…`).
fn brands_page_from_brand(link: &Link, parsed: &Url, kb: &Knowledge, sender: &Sender) -> bool {
    let (Some(from), Some(registrable), Some(host)) =
        (sender.from_registrable.as_deref(), link.registrable.as_deref(), link.host_ascii.as_deref())
    else {
        return false;
    };
    let Some(brand) = kb.brand_listing(from) else { return false };
    if registrable != from || kb.is_free_hosting(host) || kb.is_freemail(from) {
        return false;
    }
    let query = encoded::percent_decode(parsed.query().unwrap_or_default()).to_ascii_lowercase();
    query.match_indices("http").all(|(at, _)| {
        let rest = &query[at..];
        let rest = rest.strip_prefix("https://").or_else(|| rest.strip_prefix("http://"));
        rest.is_none_or(|r| {
            let target = r.split(['/', '?', '#', '&', ':']).next().unwrap_or_default();
            domain::registrable(target).is_some_and(|t| brand.owns_domain(&t))
        })
    })
}

/// A form of the office suites organisations run on (Google Workspace's `docs.google.com/forms/…` and
/// `forms.gle`, Microsoft 365's `forms.office.com`) linked by a sender the recipient's server verified, not
/// a free mailbox: a shop's or a school's survey lives there, under the sender's name, and hides no other
/// site. From anyone else it is a page anyone can make. Other form builders stay free hosting even so:
/// a platform's verified notification relays what strangers typed (Zoho SalesIQ chat transcripts
/// carrying a scammer's `forms.yandex.com` link).
fn verified_senders_form(link: &Link, parsed: &Url, host: &str, kb: &Knowledge, sender: &Sender) -> bool {
    let free_mailbox = sender.from_registrable.as_deref().is_none_or(|r| kb.is_freemail(r));
    if !sender.authenticated || free_mailbox || link.source != LinkSource::Href {
        return false;
    }
    let form_path = parsed.path_segments().and_then(|mut s| s.next()) == Some("forms");
    matches!(host, "forms.gle" | "forms.office.com" | "forms.microsoft.com") || (host == "docs.google.com" && form_path)
}

/// A newsletter's unsubscribe / preferences link: it names the subscriber by design.
fn is_subscription_link(link: &Link, kb: &Knowledge) -> bool {
    let url = encoded::percent_decode(&link.url).to_lowercase();
    let text = link.text.as_deref().map(str::to_lowercase).unwrap_or_default();
    kb.subscription_words.iter().any(|w| url.contains(w.as_str()) || text.contains(w.as_str()))
}

/// `javascript:`, `vbscript:` and `data:` links. Do-nothing links (`javascript:void(0)`) and inline
/// images are common in ordinary HTML mail and are left alone.
fn script_href(link: &Link, hits: &mut Hits) {
    if !matches!(link.source, LinkSource::Href | LinkSource::Form | LinkSource::Src) {
        return;
    }
    let (scheme, rest) = link.url.split_once(':').unwrap_or((&link.url, ""));
    let scheme = scheme.to_ascii_lowercase();
    let body: String = rest.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect();
    let harmless = match scheme.as_str() {
        "javascript" => matches!(
            body.trim_end_matches(';'),
            "" | "void(0)" | "void0" | "false" | "returnfalse" | "history.back()" | "window.print()" | "print()"
        ),
        "data" => body.starts_with("image/"),
        _ => false,
    };
    if !harmless {
        hits.add(Finding::new("links.script_href").arg("scheme", scheme).evidence("URL", shown_url(&link.url)));
    }
}

/// `https://paypal.com@evil.example/`: everything before `@` is a user name the browser ignores.
fn userinfo(link: &Link, parsed: &Url, hits: &mut Hits) {
    let shown = encoded::percent_decode(parsed.username());
    // Only a user name dressed as a site (`www.paypal.com@…`) deceives; `user:pass@ftp…` is old-style
    // credentials, seen in technical mail.
    if !shown.contains('.') {
        return;
    }
    hits.add(
        link_finding("links.userinfo", link)
            .arg("shown", shown.clone())
            .arg("host", link.host.clone().unwrap_or_default())
            .evidence("Text before @", shown),
    );
}

/// A site name written with character references, percent escapes, styled letters or invisible
/// characters (`ð1J7D&#159;N4…`, `%77%77%77.…`, `𝚠𝚊𝚔𝚎.…`): the browser still finds the site, but a reader
/// or a filter looking for the name does not. Nobody writes their own address like that.
fn obfuscated_host(link: &Link, hits: &mut Hits) {
    let Some(written) = &link.disguised_host else { return };
    let shown = super::content::visible(written);
    hits.add(
        link_finding("links.obfuscated_host", link)
            .arg("written", shown.clone())
            .arg("host", link.host.clone().unwrap_or_default())
            .evidence("Written as", shown),
    );
}

fn ip_host(link: &Link, parsed: &Url, hits: &mut Hits) {
    let ip: std::net::IpAddr = match parsed.host() {
        Some(Host::Ipv4(ip)) => ip.into(),
        Some(Host::Ipv6(ip)) => ip.into(),
        _ => return,
    };
    let written = written_host(&link.url);
    if written.trim_start_matches('[').trim_end_matches(']').parse::<std::net::IpAddr>().is_err() {
        // Hex, octal or a single number: only done to keep readers (and filters) from recognising it.
        hits.add(
            link_finding("links.ip_host_obfuscated", link)
                .arg("written", written)
                .arg("ip", ip.to_string())
                .evidence("Written as", written),
        );
        return;
    }
    // Private and local addresses show up in technical mail (device set-up pages), not in phishing.
    let local = match ip {
        std::net::IpAddr::V4(v4) => v4.is_private() || v4.is_loopback() || v4.is_link_local() || v4.is_unspecified(),
        std::net::IpAddr::V6(v6) => v6.is_loopback() || v6.is_unspecified() || (v6.segments()[0] & 0xfe00) == 0xfc00,
    };
    if !local {
        hits.add(link_finding("links.ip_host", link).arg("ip", ip.to_string()));
    }
}

/// A known open redirector forwarding to another site named in its query, or in its path after the
/// redirector's prefix (Google AMP: `https://www.google.com/amp/s/evil.example/login`): the URL it
/// forwards to.
/// `tell`: whether to report it as `links.redirector` (not for the authenticated sender's own).
fn redirector(link: &Link, parsed: &Url, host: &str, kb: &Knowledge, tell: bool, hits: &mut Hits) -> Option<Url> {
    let listed =
        kb.redirectors.iter().find(|r| domain::is_within(host, &r.domain) && parsed.path().starts_with(&r.path))?;
    let foreign = |target: Url| {
        let target_host = target.host_str()?;
        (domain::registrable(target_host) != link.registrable).then_some(target)
    };
    let query = encoded::percent_decode(parsed.query().unwrap_or_default());
    let in_query = query.split(['=', '&']).find_map(|value| {
        let lower = value.to_ascii_lowercase();
        let start = lower.find("http://").or_else(|| lower.find("https://"));
        // Written without its scheme (`adurl=//evil.example/`): the browser goes to that host with the
        // link's own scheme; no check here judges the scheme, so `https:` stands in for it.
        let target = match start {
            Some(start) => Url::parse(&value[start..]).ok()?,
            None if value.starts_with("//") => Url::parse(&format!("https:{value}")).ok()?,
            None => return None,
        };
        foreign(target)
    });
    let in_path = || {
        let rest = parsed.path().get(listed.path.len()..)?;
        // AMP writes `s/` for an https target; the host is the next path segment.
        let rest = rest.strip_prefix("s/").unwrap_or(rest);
        let target_host = rest.split('/').next()?.to_ascii_lowercase();
        let looks_like_host = target_host.contains('.')
            && target_host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
        if !looks_like_host {
            return None;
        }
        foreign(Url::parse(&format!("https://{rest}")).ok()?)
    };
    let target = in_query.or_else(in_path)?;
    if tell {
        let target_host = target.host_str().unwrap_or_default().to_string();
        hits.add(
            link_finding("links.redirector", link)
                .arg("host", host)
                .arg("target", target_host.clone())
                .evidence("Forwards to", target_host),
        );
    }
    Some(target)
}

fn is_word_at(text: &str, start: usize, len: usize) -> bool {
    let bytes = text.as_bytes();
    let before = start.checked_sub(1).and_then(|i| bytes.get(i));
    let after = bytes.get(start + len);
    !before.is_some_and(u8::is_ascii_alphanumeric) && !after.is_some_and(u8::is_ascii_alphanumeric)
}

/// Start of the run of host-name characters (`a-z0-9.-`) that ends at `pos`.
fn host_run_start(text: &str, pos: usize) -> usize {
    let before = &text.as_bytes()[..pos];
    // Host characters are ASCII, so the byte after the last other byte is a character boundary.
    before.iter().rposition(|b| !(b.is_ascii_alphanumeric() || *b == b'.' || *b == b'-')).map_or(0, |i| i + 1)
}

/// Where `domain` appears in `text` as a host name of its own: not glued to other letters, not the
/// domain of an e-mail address (`user@gmail.com`), not the host of a URL embedded in a parameter
/// (`?url=https://www.amazon.co.jp/…`, a tracker's destination rather than a disguise).
fn domain_named_in(text: &str, domain: &str) -> bool {
    text.match_indices(domain).any(|(pos, _)| {
        if !is_word_at(text, pos, domain.len()) || text.as_bytes().get(pos + domain.len()) == Some(&b'-') {
            return false;
        }
        let host_start = host_run_start(text, pos);
        let before_host = &text[..host_start];
        !(before_host.ends_with('@') || before_host.ends_with("//"))
    })
}

/// The brand's name or domain dressed up in the path or subdomains of someone else's host
/// (`https://miwamoku.net/activemail.kagoya.com/`). A bare name in the path of the authenticated
/// sender's own site (`senders_own_site`) is that site's own page about the brand (a meeting on
/// Microsoft Teams booked through Calendly); a brand's domain or subdomain there still counts.
fn brand_in_path(
    link: &Link,
    parsed: &Url,
    kb: &Knowledge,
    claimed: &[&Brand],
    senders_own_site: bool,
    hits: &mut Hits,
) {
    let Some(host) = link.host_ascii.as_deref() else { return };
    let registrable = link.registrable.as_deref();
    let owned_by = |b: &Brand| registrable.is_some_and(|r| b.owns_domain(r));
    let subdomain = match registrable {
        Some(r) if host.len() > r.len() + 1 => &host[..host.len() - r.len() - 1],
        _ => "",
    };
    let in_subdomain = kb.brands_tokened_in(subdomain).into_iter().find(|(brand, token)| {
        !owned_by(brand) && subdomain.match_indices(*token).any(|(pos, _)| is_word_at(subdomain, pos, token.len()))
    });
    let path = encoded::percent_decode(parsed.path()).to_lowercase();
    let query = encoded::percent_decode(parsed.query().unwrap_or_default()).to_lowercase();
    let tail = format!("{path}?{query}");
    let in_tail = || {
        kb.brands_tokened_in(&tail).into_iter().filter(|(brand, _)| !owned_by(brand)).find_map(|(brand, token)| {
            if let Some(d) = brand.domains.iter().find(|d| domain_named_in(&tail, d)) {
                return Some((brand, d.to_string()));
            }
            // A bare name in the path counts only when the mail itself claims to be that brand.
            let claimed_here = claimed.iter().any(|c| c.id == brand.id) && !senders_own_site;
            let path_word = path.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| w == token);
            (claimed_here && path_word).then(|| (brand, token.to_string()))
        })
    };
    let found = in_subdomain.map(|(b, _)| (b, subdomain.to_string())).or_else(in_tail);
    if let Some((brand, string)) = found {
        hits.add(
            link_finding("links.brand_in_path", link)
                .arg("brand", brand.label())
                .arg("host", link.host.clone().unwrap_or_default())
                .evidence("Brand string", string),
        );
    }
}

fn lookalike(link: &Link, registrable: &str, kb: &Knowledge, claimed: &[&Brand], hits: &mut Hits) {
    // A misspelling counts only for a brand the mail claims to be (sender name, subject, link text):
    // many innocent names are a letter away from some brand (`molex`/`monex`, `tesco`/`tepco`).
    let named_in_text: Vec<&Brand> = link.text.as_deref().map(|t| kb.brands_named_in(t)).unwrap_or_default();
    let claims: Vec<&Brand> = claimed.iter().chain(&named_in_text).copied().collect();
    let Some(found) = lookalike::check(registrable, kb, kb.lookalike_index(), &kb.host_lure_words, &claims) else {
        return;
    };
    let host = link.host.clone().unwrap_or_default();
    match (found.brand, found.brand_domain) {
        (Some(brand), Some(brand_domain)) => hits.add(
            link_finding("links.lookalike", link)
                .arg("host", host)
                .arg("brand", brand.label())
                .arg("brand_domain", brand_domain.clone())
                .arg("kind", found.kind.as_str())
                .evidence("Imitates", brand_domain)
                .evidence("How", found.kind.as_str()),
        ),
        _ => hits.add(link_finding("links.mixed_script_host", link).arg("host", host)),
    }
}

/// The host a link's visible text shows: a URL (`https://…`, `www.…`) anywhere in the text, or the
/// whole text being a brand's domain (`Amazon.co.jp`). Other bare words with dots are too often file
/// names (`README.md`) to count.
fn shown_host(text: &str, kb: &Knowledge) -> Option<String> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '(' | ')' | '[' | ']' | '「' | '」' | '"' | '\''))
        .filter(|w| !w.is_empty())
        .collect();
    for word in &words {
        let lower = word.to_lowercase();
        // A URL may follow other text without a space in Japanese (`ログイン：https://…`).
        // The first place where one starts, found by its first letter rather than by a substring
        // search set up for each prefix and word.
        let url_start = memchr::memchr2_iter(b'h', b'w', lower.as_bytes()).find(|&at| {
            ["https://", "http://", "www."].iter().any(|p| lower.as_bytes()[at..].starts_with(p.as_bytes()))
        });
        let (rest, url_like) = match url_start {
            Some(start) => {
                let url = &lower[start..];
                (url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")).unwrap_or(url), true)
            }
            None => (lower.as_str(), false),
        };
        let host = rest.split(['/', '?', '#', ':', '\\']).next().unwrap_or_default();
        let host = host.trim_end_matches(['.', ',', '、', '。']);
        if host.contains('@') || !host.contains('.') {
            continue;
        }
        let Ok(ascii) = idna::domain_to_ascii(host) else { continue };
        let registrable = domain::registrable(&ascii);
        let is_ip = ascii.parse::<std::net::IpAddr>().is_ok();
        let counts = if url_like {
            // A made-up suffix (`www.bankofthewest.c0m`) still shows a site name to the reader.
            let site_shaped = ascii.split('.').filter(|l| !l.is_empty()).count() >= 2;
            registrable.is_some() || is_ip || site_shaped
        } else {
            words.len() == 1 && registrable.as_deref().and_then(|r| kb.brand_of_domain(r)).is_some()
        };
        if counts {
            return Some(ascii);
        }
    }
    None
}

/// The link shows one site and goes to another.
fn text_mismatch(link: &Link, parsed: &Url, kb: &Knowledge, sender: &Sender, own: bool, hits: &mut Hits) {
    let (Some(text), Some(host)) = (link.text.as_deref(), link.host_ascii.as_deref()) else { return };
    // Text that is itself a wrapped link (a quoted reply re-wrapped) shows no site of its own.
    let Some(shown) = shown_host(text, kb).filter(|s| !kb.is_link_protection(s)) else { return };
    let shown_registrable = domain::registrable(&shown);
    let same_site = match (&shown_registrable, &link.registrable) {
        (Some(s), Some(r)) => {
            s == r || kb.brand_of_domain(s).zip(kb.brand_of_domain(r)).is_some_and(|(a, b)| a.id == b.id)
        }
        _ => shown == host,
    };
    if same_site {
        return;
    }
    // An authenticated sender's click tracker in front of the sender's own site, or of another site of
    // the brand the sender is proven to be (mercari.jp's tracker showing jp.mercari.com).
    let brand_site = |r: &str| sender.brand.is_some_and(|b| b.owns_domain(r));
    if own && (sender.owns_domain(shown_registrable.as_deref()) || shown_registrable.as_deref().is_some_and(brand_site))
    {
        return;
    }
    if senders_tracker(&shown, host, kb, sender) {
        return;
    }
    // A tracker that names the shown site as its destination, in the query (`?url=https://www.shop.example/…`)
    // or the path (`/Clickthrough/…/*http://www.shop.example`).
    let rest = [parsed.path(), parsed.query().unwrap_or_default()].concat();
    let query = encoded::percent_decode(&rest).to_lowercase();
    let shown_site = shown_registrable.as_deref().unwrap_or(&shown);
    if query.match_indices(shown_site).any(|(pos, _)| {
        let host_start = host_run_start(&query, pos);
        query[..host_start].ends_with("//")
    }) {
        return;
    }
    let (shown_display, _) = idna::domain_to_unicode(&shown);
    hits.add(
        link_finding("links.text_mismatch", link)
            .arg("shown", shown_display.clone())
            .arg("host", link.host.clone().unwrap_or_default())
            .evidence("Link text", text.to_string())
            .evidence("Shown site", shown_display),
    );
}

/// Mail nobody checked (no verdict from the recipient's servers: a message saved from a client that
/// drops them, a server that writes none) showing the From address's own site over a mail service's
/// click tracker: the newsletter's ordinary shape, the tracker in front of the sender's site. Whether the
/// From is the sender's is the sender checks' question; where the recipient's servers did check, a
/// sender they did not authenticate gets no excuse here.
fn senders_tracker(shown: &str, host: &str, kb: &Knowledge, sender: &Sender) -> bool {
    if sender.checked || !kb.is_click_tracker(host) {
        return false;
    }
    let (Some(shown), Some(from)) = (domain::registrable(shown), sender.from_registrable.as_deref()) else {
        return false;
    };
    // A free mailbox's domain is nobody's own site: its users send no newsletters through a tracker.
    if kb.is_freemail(from) {
        return false;
    }
    shown == from || kb.brand_of_domain(&shown).zip(kb.brand_of_domain(from)).is_some_and(|(a, b)| a.id == b.id)
}

/// A fixed knowledge base for unit tests, so they do not shift when brands.toml grows.
#[cfg(test)]
pub(crate) fn test_knowledge() -> &'static Knowledge {
    static KB: std::sync::LazyLock<Knowledge> = std::sync::LazyLock::new(|| {
        let brands = r#"
            [[brand]]
            id = "kagoya"
            names = ["Kagoya", "カゴヤ"]
            domains = ["kagoya.com", "kagoya.jp"]
            tokens = ["kagoya"]
            [[brand]]
            id = "amazon"
            names = ["Amazon", "アマゾン"]
            domains = ["amazon.co.jp", "amazon.com"]
            tokens = ["amazon"]
            [[brand]]
            id = "apple"
            names = ["Apple", "アップル"]
            domains = ["apple.com", "icloud.com"]
            tokens = ["apple", "icloud"]
            [[brand]]
            id = "microsoft"
            names = ["Microsoft"]
            domains = ["microsoft.com", "office.com"]
            tokens = ["microsoft"]
        "#;
        Knowledge::parse(brands, include_str!("../../data/providers.toml"), include_str!("../../data/web.toml"))
            .expect("test knowledge parses")
    });
    &KB
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Link finding ids for a one-part HTML mail to hiroshi@example.jp, with extra headers on top.
    fn link_ids(top_headers: &str, from: &str, html: &str) -> Vec<String> {
        let raw = format!(
            "{top_headers}Received: from out.example.net (out.example.net [198.51.100.7])\r\n\tby mx.example.jp (Postfix) \
             with ESMTPS id 1; Tue, 14 Jan 2025 09:12:33 +0900\r\nFrom: {from}\r\nTo: hiroshi@example.jp\r\n\
             Subject: hello\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n{html}\r\n"
        );
        let verdict = crate::analyze(raw.as_bytes(), &crate::model::Context::default());
        let mut ids: Vec<String> =
            verdict.findings.into_iter().map(|f| f.id).filter(|id| id.starts_with("links.")).collect();
        ids.sort();
        ids
    }

    /// Link finding ids for a mail from a@example.net whose one link is `url`.
    fn href_ids(url: &str) -> Vec<String> {
        link_ids("", "a@example.net", &format!("<a href=\"{url}\">x</a>"))
    }

    #[test]
    fn off_brand_follows_every_claim_the_sender_checker_sees() {
        let html = "<a href=\"https://login.example.net/\">sign in</a>";
        let off = |from: &str| link_ids("", from, html).contains(&"links.off_brand".to_string());
        // A brand by name, by its exact abbreviation, by look-alike letters.
        assert!(off("\"PayPal Service\" <a@example.net>"));
        assert!(off("\"ANA Mileage Club\" <a@example.net>"));
        assert!(off("\"PayPaI Service\" <a@example.net>"));
        // Not a claim: a person's name, or the sender's own domain name beside a brand word.
        assert!(!off("\"Hanako Sato\" <a@example.net>"));
        assert!(!off("\"Example Apple Fans\" <a@example.net>"));
        // (A subject's claim is covered by the golden fixture sender-list-subject-brand.)
    }

    #[test]
    fn a_brand_address_sent_from_elsewhere_claims_the_brand() {
        let html = "<a href=\"https://secure-update.example.net/signin/\">Update</a>";
        let off = |top: &str, from: &str| link_ids(top, from, html).contains(&"links.off_brand".to_string());
        // eBay's own address, sent from a server that is not eBay's: its links should be eBay's.
        assert!(off("", "<aw-confirm@ebay.com>"));
        // From eBay's own server, an employee may link anywhere; a free mailbox claims no provider.
        let ebay_server = "Received: from mxout.ebay.com (mxout.ebay.com [66.135.197.1])\r\n\tby mx.example.jp \
                           (Postfix) with ESMTPS id 2; Tue, 14 Jan 2025 09:12:34 +0900\r\n";
        assert!(!off(ebay_server, "Jane Doe <jdoe@ebay.com>"));
        assert!(!off("", "Jane Doe <jane.doe@gmail.com>"));
    }

    #[test]
    fn a_link_to_the_senders_own_free_host_subdomain_hides_nothing() {
        let ids = |from: &str, url: &str| link_ids("", from, &format!("<a href=\"{url}\">Verify</a>"));
        let from = "MyApp <noreply@myapp.firebaseapp.com>";
        // Unauthenticated, too: the page is where the From address says (Firebase's own sign-up mail).
        assert!(
            !ids(from, "https://myapp.firebaseapp.com/__/auth/action?mode=verifyEmail")
                .contains(&"links.free_hosting".into())
        );
        // Someone else's subdomain on the same host, or a free mailbox's sender, is free hosting still.
        assert!(ids(from, "https://other-app.firebaseapp.com/login").contains(&"links.free_hosting".into()));
        assert!(ids("<a@gmail.com>", "https://myapp.firebaseapp.com/login").contains(&"links.free_hosting".into()));
        // Firebase publishes the same project on web.app: the sibling site is the sender's own too, but
        // not another project there.
        assert!(!ids(from, "https://myapp.web.app/finish-sign-up").contains(&"links.free_hosting".into()));
        assert!(ids(from, "https://other-app.web.app/login").contains(&"links.free_hosting".into()));
        assert!(ids("<noreply@myapp.pages.dev>", "https://myapp.web.app/").contains(&"links.free_hosting".into()));
    }

    #[test]
    fn a_from_domain_made_to_look_like_a_brands_claims_the_brand() {
        let html = "<a href=\"https://post-auth.example.info/login\">Log in</a>";
        let off = |from: &str| link_ids("", from, html).contains(&"links.off_brand".to_string());
        // The brand's name with a country code glued on, or with words added: the sender poses as it.
        assert!(off("Judith Boyd <jill@postbankde.com>"));
        assert!(off("Service <info@paypal-account-help.net>"));
        // A name that merely contains a brand's (`amazonaws`) or none at all claims nothing.
        assert!(!off("Ops <alerts@amazonaws-status.example.com>"));
        assert!(!off("Judith Boyd <jill@example.org>"));
    }

    #[test]
    fn a_brand_only_the_subject_claims_is_not_off_brand_on_the_senders_own_pages() {
        let off = |subject: &str, from: &str, url: &str| {
            let raw = format!(
                "Received: from out.example.net (out.example.net [198.51.100.7]) by mx.example.jp; \
                 Tue, 14 Jan 2025 09:12:33 +0900\r\nFrom: {from}\r\nTo: hiroshi@example.jp\r\nSubject: {subject}\r\n\
                 Content-Type: text/html; charset=UTF-8\r\n\r\n<a href=\"{url}\">open</a>\r\n"
            );
            let verdict = crate::analyze(raw.as_bytes(), &crate::model::Context::default());
            verdict.findings.iter().any(|f| f.id == "links.off_brand")
        };
        let subject = "【connpass】Microsoft Azure 勉強会 #42 の参加登録が完了しました";
        assert!(!off(subject, "connpass <no-reply@connpass.com>", "https://connpass.com/event/1/"));
        // Not signed with the sender's name (no tag, or 【重要】), another site than the sender's, a
        // sender's name that claims the brand, or a From domain imitating it: the claim stands. (An
        // untagged `Microsoft Azure 勉強会` linking only to connpass is the sender's own words about
        // the brand, see `sender::subject_stays_home`; a subject in the brand's voice is not.)
        assert!(off(
            "Microsoft Azure サブスクリプションの更新",
            "connpass <no-reply@connpass.com>",
            "https://connpass.com/event/1/"
        ));
        assert!(off(
            "【重要】Microsoft 365 の設定",
            "情報システム部 <info@mfa-setup.example.com>",
            "https://mfa-setup.example.com/"
        ));
        assert!(off(subject, "connpass <no-reply@connpass.com>", "https://azure-events.example.net/1"));
        assert!(off(subject, "Microsoft <no-reply@connpass.com>", "https://connpass.com/event/1/"));
        assert!(off(subject, "Events <no-reply@microsoftsupport.com>", "https://microsoftsupport.com/1"));
    }

    #[test]
    fn off_brand_counts_the_senders_own_site_unless_the_sender_is_the_brand() {
        let html = "<a href=\"https://url1.news-example.net/ls/click?x=1\">Update now</a>";
        let auth = "Authentication-Results: mx.example.jp; dkim=pass header.d=news-example.net; \
                    dmarc=pass header.from=news-example.net\r\n";
        let off = |from: &str| link_ids(auth, from, html).contains(&"links.off_brand".to_string());
        // Authenticated as news-example.net, named Ledger: its own site is not Ledger's.
        assert!(off("Ledger <noreply@news-example.net>"));
        assert!(!off("Newsletter <noreply@news-example.net>"));
        // The brand's own authenticated mail linking to its own site.
        let own = html.replace("news-example.net", "ledger.com");
        assert!(
            !link_ids(&auth.replace("news-example.net", "ledger.com"), "Ledger <news@ledger.com>", &own)
                .contains(&"links.off_brand".to_string())
        );
    }

    #[test]
    fn a_brand_named_in_the_authenticated_senders_own_paths_is_its_own_page() {
        let auth = "Authentication-Results: mx.example.jp; dkim=pass header.d=calendar-example.com; \
                    dmarc=pass header.from=calendar-example.com\r\n";
        let from = "\"Meeting (Microsoft Teams)\" <notify@calendar-example.com>";
        let ids = |top: &str, url: &str| link_ids(top, from, &format!("<a href=\"{url}\">View event</a>"));
        let bip = |v: Vec<String>| v.contains(&"links.brand_in_path".to_string());
        // A scheduling service's page for a meeting on Microsoft Teams, on its own authenticated domain.
        assert!(!bip(ids(auth, "https://calendar-example.com/events/abc/microsoft_teams")));
        // Unauthenticated, or on another site, the name still dresses the link up.
        assert!(bip(ids("", "https://calendar-example.com/events/abc/microsoft_teams")));
        assert!(bip(ids(auth, "https://meet-example.net/events/abc/microsoft_teams")));
        // The brand's domain in the path, or a brand subdomain, is a disguise even on the sender's site.
        assert!(bip(ids(auth, "https://calendar-example.com/login.microsoft.com/signin")));
        assert!(bip(ids(auth, "https://microsoft.calendar-example.com/signin")));
    }

    #[test]
    fn a_brand_the_subject_only_mentions_is_no_claim_for_a_bare_name_in_a_path() {
        let html = "<a href=\"https://news.example.org/business/amazon-cut-jobs/\">Read</a>";
        let raw = |from: &str, subject: &str| {
            format!(
                "Received: from out.example.net (out.example.net [198.51.100.7])\r\n\tby mx.example.jp (Postfix) \
                 with ESMTPS id 1; Tue, 14 Jan 2025 09:12:33 +0900\r\nFrom: {from}\r\nTo: hiroshi@example.jp\r\n\
                 Subject: {subject}\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n{html}\r\n"
            )
        };
        let bip = |from: &str, subject: &str| {
            crate::analyze(raw(from, subject).as_bytes(), &crate::model::Context::default())
                .findings
                .iter()
                .any(|f| f.id == "links.brand_in_path")
        };
        // A newsletter's headline about Amazon links to the story about it.
        assert!(!bip("News <news@example.org>", "Amazon to cut 10,000 jobs"));
        // A mail that presents itself as Amazon (its name, a 【tag】) dresses the link up.
        assert!(bip("Amazon <news@example.org>", "Your order"));
        assert!(bip("Support <news@example.org>", "【Amazon】お支払い方法の確認"));
    }

    #[test]
    fn a_verified_senders_office_suite_form_is_its_own_survey() {
        let auth = "Authentication-Results: mx.example.jp; dkim=pass header.d=shop-example.jp; \
                    dmarc=pass header.from=shop-example.jp\r\n";
        let ids = |top: &str, from: &str, url: &str| link_ids(top, from, &format!("<a href=\"{url}\">アンケート</a>"));
        let fh = |v: Vec<String>| v.contains(&"links.free_hosting".to_string());
        let shop = "Shop <info@shop-example.jp>";
        assert!(!fh(ids(auth, shop, "https://docs.google.com/forms/d/e/1FAIpQLSabc/viewform")));
        assert!(!fh(ids(auth, shop, "https://forms.gle/AbCdEf123")));
        assert!(!fh(ids(auth, shop, "https://forms.office.com/r/AbC123")));
        // Unverified, from a free mailbox, another form builder, or a document rather than a form: free hosting.
        assert!(fh(ids("", shop, "https://forms.gle/AbCdEf123")));
        let gmail = auth.replace("shop-example.jp", "gmail.com");
        assert!(fh(ids(&gmail, "<someone@gmail.com>", "https://forms.gle/AbCdEf123")));
        assert!(fh(ids(auth, shop, "https://forms.yandex.com/cloud/6581/")));
        assert!(fh(ids(auth, shop, "https://docs.google.com/document/d/1abc/edit")));
    }

    #[test]
    fn ip_hosts_plain_obfuscated_and_private() {
        assert_eq!(href_ids("http://0xC6.0x33.0x64.0x78/"), ["links.ip_host_obfuscated"]);
        assert_eq!(href_ids("http://3325256824/"), ["links.ip_host_obfuscated"]);
        assert_eq!(href_ids("http://0306.063.0144.0170/"), ["links.ip_host_obfuscated"]);
        assert_eq!(href_ids("http://198.51.100.120/login"), ["links.ip_host"]);
        assert!(href_ids("http://192.168.10.2/").is_empty());
    }

    #[test]
    fn hosts_written_to_hide_their_name() {
        assert_eq!(href_ids("http://%6C%6F%67%69%6E.example.biz/"), ["links.obfuscated_host"]);
        assert_eq!(href_ids("http://lo&#103;in.example.biz/"), ["links.obfuscated_host"]);
        assert_eq!(href_ids("http://log&#159;in.example.biz/"), ["links.obfuscated_host"]);
        assert!(href_ids("http://login.example.biz/%7Euser/").is_empty());
        assert!(href_ids("&#104;ttp://login.example.biz/").is_empty());
    }

    #[test]
    fn open_redirectors_name_their_target_in_the_query_or_the_path() {
        assert_eq!(href_ids("https://www.google.com/url?q=https://login.example.biz/&sa=D"), ["links.redirector"]);
        assert_eq!(href_ids("https://www.google.com/amp/s/login.example.biz/account"), ["links.redirector"]);
        assert_eq!(href_ids("https://www.google.com/amp/login.example.biz"), ["links.redirector"]);
        // A target written protocol-relative (`//host`), as ad networks' click URLs carry it.
        assert_eq!(
            href_ids("https://adclick.g.doubleclick.net/pcs/click?x_FILE-10&&adurl=//claim.example.biz"),
            ["links.redirector"]
        );
        assert_eq!(href_ids("https://www.google.com/url?q=//login.example.biz/x"), ["links.redirector"]);
        assert!(href_ids("https://www.google.com/url?q=//www.google.com/search").is_empty());
        assert!(href_ids("https://www.google.com/url?q=/search").is_empty());
        // Google's own AMP pages, and a path that names no host, forward nowhere else.
        assert!(href_ids("https://www.google.com/amp/s/www.google.com/search").is_empty());
        assert!(href_ids("https://www.google.com/amp/s/").is_empty());
    }

    #[test]
    fn a_redirectors_target_is_judged_for_the_brand_the_mail_claims() {
        let ids = |from: &str, url: &str| link_ids("", from, &format!("<a href=\"{url}\">Sign in</a>"));
        let has = |ids: &[String], id: &str| ids.iter().any(|i| i == id);
        // A PayPal notice whose only link is Google's redirector: where it lands is not PayPal's.
        let off = ids("PayPal <service@notice.example.net>", "https://www.google.com/url?q=https://login.example.biz/");
        assert!(has(&off, "links.off_brand"), "{off:?}");
        // The brand's domain in the target's path, and a target imitating the brand's domain.
        let path = ids("a@example.net", "https://www.google.com/url?q=https://login.example.biz/www.paypal.com/signin");
        assert!(has(&path, "links.brand_in_path"), "{path:?}");
        let like = ids("Amazon <service@notice.example.net>", "https://www.google.com/amp/s/amaz0n.com/signin");
        assert!(has(&like, "links.lookalike"), "{like:?}");
        // Forwarding to the brand's own site is no claim elsewhere; without a brand claimed, only the
        // redirector is told.
        let own =
            ids("PayPal <service@notice.example.net>", "https://www.google.com/url?q=https://www.paypal.com/signin");
        assert!(!has(&own, "links.off_brand"), "{own:?}");
        let plain = ids("a@example.net", "https://www.google.com/url?q=https://login.example.biz/");
        assert_eq!(plain, ["links.redirector"]);
        // Google's own alert sends its reader on to the news through Google's redirector: its doing.
        let alert = ids(
            "Google Alerts <googlealerts-noreply@google.com>",
            "https://www.google.com/url?q=https://news.example.com/a",
        );
        assert!(!has(&alert, "links.off_brand"), "{alert:?}");
        // Verified as Google's own mail, its redirector hides nothing: no links.redirector either
        // (a crypto news alert was concealed_scam_offer, dangerous); still judged where it lands.
        let auth = "Authentication-Results: mx.example.jp; dkim=pass header.d=google.com; \
                    spf=pass smtp.mailfrom=alerts.bounces.google.com; dmarc=pass header.from=google.com\r\n";
        let verified = |url: &str| {
            link_ids(auth, "Google Alerts <googlealerts-noreply@google.com>", &format!("<a href=\"{url}\">News</a>"))
        };
        assert!(verified("https://www.google.com/url?q=https://news.example.com/a").is_empty());
        let dressed = verified("https://www.google.com/url?q=https://login.example.biz/www.paypal.com/signin");
        assert_eq!(dressed, ["links.brand_in_path"]);
    }

    #[test]
    fn userinfo_and_script_links() {
        assert_eq!(href_ids("https://www.paypal.com@login.example.biz/"), ["links.userinfo"]);
        assert!(href_ids("ftp://user:secret@files.example.biz/").is_empty());
        assert_eq!(href_ids("data:text/html;base64,PHNjcmlwdD4="), ["links.script_href"]);
        assert_eq!(href_ids("javascript:document.location='https://x.example.biz/'"), ["links.script_href"]);
        assert!(href_ids("javascript:void(0);").is_empty());
    }

    #[test]
    fn recipient_in_url_unless_on_the_authenticated_senders_own_domain() {
        let html = "<a href=\"https://www.shop-example.jp/view?u=aGlyb3NoaUBleGFtcGxlLmpw\">view in browser</a>";
        let from = "Shop <news@shop-example.jp>";
        assert_eq!(link_ids("", from, html), ["links.recipient_in_url"]);
        // Unsubscribe and preference links name the subscriber by design, authenticated or not.
        let unsubscribe = "<a href=\"https://www.shop-example.jp/u?u=aGlyb3NoaUBleGFtcGxlLmpw\">配信停止</a>";
        assert!(link_ids("", from, unsubscribe).is_empty());
        let auth = "Authentication-Results: mx.example.jp; dkim=pass header.d=shop-example.jp; \
                    dmarc=pass header.from=shop-example.jp\r\n";
        assert!(link_ids(auth, from, html).is_empty());
        // Authentication of the sender does not vouch for a link to someone else's site.
        let elsewhere = html.replace("www.shop-example.jp", "collect.example.org");
        assert_eq!(link_ids(auth, from, &elsewhere), ["links.recipient_in_url"]);
    }

    #[test]
    fn recipient_in_url_on_another_domain_of_the_authenticated_brand_is_its_own() {
        let html = "<a href=\"https://r10.to/hABCDE?mail=aGlyb3NoaUBleGFtcGxlLmpw\">ポイントを使う</a>";
        let from = "Rakuten <info@rakuten.co.jp>";
        let auth = "Authentication-Results: mx.example.jp; dkim=pass header.d=mail.rakuten.co.jp; \
                    dmarc=pass header.from=rakuten.co.jp\r\n";
        assert!(link_ids(auth, from, html).is_empty());
        // Unproven, the brand's name in the From line vouches for nothing.
        assert_eq!(link_ids("", from, html), ["links.recipient_in_url"]);
    }

    #[test]
    fn recipient_in_url_on_the_from_brands_own_site_names_the_account_there() {
        let ids = |from: &str, url: &str| link_ids("", from, &format!("<a href=\"{url}\">Check activity</a>"));
        let riu = |v: Vec<String>| v.contains(&"links.recipient_in_url".to_string());
        let google = "Google <no-reply@accounts.google.com>";
        // Unverified, the address still leads to Google's own page, which no phisher controls.
        assert!(!riu(ids(google, "https://accounts.google.com/AccountChooser?Email=hiroshi@example.jp")));
        assert!(!riu(ids(
            google,
            "https://accounts.google.com/AccountChooser?Email=hiroshi@example.jp&amp;continue=https://myaccount.google.com/alert"
        )));
        // A page carrying someone else's URL, a free host, a free mailbox's brand, another brand: counted.
        assert!(riu(ids(
            google,
            "https://translate.google.com/translate?u=https://evil.example/?e=hiroshi@example.jp"
        )));
        assert!(riu(ids(google, "https://storage.googleapis.com/b/x.html?e=hiroshi@example.jp")));
        assert!(riu(ids("<someone@gmail.com>", "https://docs.google.com/forms/d/x?e=hiroshi@example.jp")));
        assert!(riu(ids("Apple <no_reply@email.apple.com>", "https://accounts.google.com/x?Email=hiroshi@example.jp")));
    }

    #[test]
    fn click_tracker_of_an_authenticated_sender_may_show_the_senders_site() {
        let html = "<a href=\"https://u1.ct.sendgrid.net/ls/click?upn=abc\">https://www.shop-example.jp/sale</a>";
        let from = "Shop <news@shop-example.jp>";
        let unverified = "Authentication-Results: mx.example.jp; dkim=none; spf=none smtp.mailfrom=shop-example.jp\r\n";
        assert_eq!(link_ids(unverified, from, html), ["links.text_mismatch"]);
        let auth = "Authentication-Results: mx.example.jp; dkim=pass header.d=shop-example.jp\r\n";
        assert!(link_ids(auth, from, html).is_empty());
        // A brand proven to be the sender may show another of its domains (apple.com mailing from icloud.com).
        let html = "<a href=\"https://u1.ct.sendgrid.net/ls/click?upn=abc\">https://www.apple.com/jp/</a>";
        let auth = "Authentication-Results: mx.example.jp; dkim=pass header.d=icloud.com; \
                    dmarc=pass header.from=icloud.com\r\n";
        assert!(link_ids(auth, "iCloud <noreply@icloud.com>", html).is_empty());
        // Not a site of some other brand, nor unauthenticated.
        let other = html.replace("www.apple.com/jp/", "www.amazon.co.jp/");
        assert!(link_ids(auth, "iCloud <noreply@icloud.com>", &other).contains(&"links.text_mismatch".to_string()));
        let failed = "Authentication-Results: mx.example.jp; dkim=fail header.d=icloud.com; dmarc=fail header.from=icloud.com\r\n";
        assert!(link_ids(failed, "iCloud <noreply@icloud.com>", html).contains(&"links.text_mismatch".to_string()));
    }

    #[test]
    fn unchecked_mail_may_show_the_from_addresss_site_over_a_mail_services_tracker() {
        let tracked = |shown: &str| format!("<a href=\"https://u1.ct.sendgrid.net/ls/click?upn=abc\">{shown}</a>");
        let from = "Shop <news@shop-example.jp>";
        // No verdict from the recipient's servers: the tracker in front of the From's own site, or of another
        // site of the From's brand, is the newsletter's shape.
        assert!(link_ids("", from, &tracked("https://www.shop-example.jp/sale")).is_empty());
        // (An unproven brand's mail whose link leaves the brand's sites is still links.off_brand.)
        assert_eq!(
            link_ids("", "Amazon <store-news@amazon.com>", &tracked("https://www.amazon.co.jp/")),
            ["links.off_brand"]
        );
        // Another site than the From's, or a host that is no mail service's tracker, still counts.
        assert_eq!(link_ids("", from, &tracked("https://www.amazon.co.jp/")), ["links.text_mismatch"]);
        assert!(
            link_ids("", "Apple <noreply@shop-example.jp>", &tracked("www.apple.com"))
                .contains(&"links.text_mismatch".to_string())
        );
        // A free mailbox's domain is no sender's own site (icloud.com is Apple's and a free mailbox).
        assert!(
            link_ids("", "iCloud <noreply@icloud.com>", &tracked("https://www.apple.com/jp/"))
                .contains(&"links.text_mismatch".to_string())
        );
        let elsewhere = "<a href=\"https://click.shop-example-news.com/c/1\">https://www.shop-example.jp/sale</a>";
        assert_eq!(link_ids("", from, elsewhere), ["links.text_mismatch"]);
    }

    #[test]
    fn links_under_much_abused_endings_are_noted() {
        let ids = |href: &str| link_ids("", "a@example.net", &format!("<a href=\"{href}\">Open</a>"));
        assert_eq!(ids("https://lorima.cfd/x"), ["links.abused_tld"]);
        assert_eq!(ids("https://login.example.sa.com/"), ["links.abused_tld"]);
        assert!(ids("https://www.example.com/x.cfd").is_empty());
    }

    #[test]
    fn a_tracker_naming_the_shown_site_as_its_destination_is_no_disguise() {
        let ids = |href: &str| link_ids("", "a@example.net", &format!("<a href=\"{href}\">www.shop.example</a>"));
        assert!(ids("http://trk.example.com/c?u=1&url=http%3A%2F%2Fwww.shop.example%2Fsale").is_empty());
        assert!(
            ids("http://trk.example.com/mm/Clickthrough/233/uBn6/*http://www.shop.example*http://www.shop.example")
                .is_empty()
        );
        // Naming the site elsewhere than as a destination does not count.
        assert_eq!(ids("http://trk.example.com/www.shop.example/login"), ["links.text_mismatch"]);
    }

    #[test]
    fn security_wrappers_are_judged_by_the_link_they_carry() {
        let ids = |href: &str, text: &str| link_ids("", "a@example.net", &format!("<a href=\"{href}\">{text}</a>"));
        let safelinks = "https://nam01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fgithub.com%2Fx&amp;data=1";
        assert!(ids(safelinks, "https://github.com/x").is_empty());
        let v2 = "https://urldefense.proofpoint.com/v2/url?u=https-3A__github.com_Ettus_uhd&amp;d=DwM";
        assert!(ids(v2, "https://github.com/Ettus/uhd").is_empty());
        assert!(ids(v2, "https://urldefense.proofpoint.com/v2/url?u=https-3A__github.com_Ettus_uhd").is_empty());
        assert_eq!(ids(v2, "https://www.kagoya.jp/"), ["links.text_mismatch"]);
        let v3 = "https://urldefense.com/v3/__https://miwamoku.net/activemail.kagoya.com/__;!!abc";
        assert_eq!(ids(v3, "Log in"), ["links.brand_in_path"]);
        // Mimecast does not show its destination: the wrapper's text is taken at its word.
        assert!(ids("https://url.za.m.mimecastprotect.com/s/abc?domain=github.com", "https://github.com/x").is_empty());
    }

    #[test]
    fn written_hosts() {
        assert_eq!(written_host("http://0x7f.1/x"), "0x7f.1");
        assert_eq!(written_host("https://a@3232235777:8080/"), "3232235777");
        assert_eq!(written_host("http://[::1]:80/"), "[::1]");
    }

    #[test]
    fn domains_named_in_paths() {
        assert!(domain_named_in("/activemail.kagoya.com/?e=x", "kagoya.com"));
        assert!(domain_named_in("/login/kagoya.com", "kagoya.com"));
        assert!(!domain_named_in("/u/hiroshi@kagoya.com", "kagoya.com"));
        assert!(!domain_named_in("/r?u=https://www.kagoya.com/", "kagoya.com"));
        assert!(!domain_named_in("/notkagoya.com/", "kagoya.com"));
        assert!(!domain_named_in("/kagoya.company/", "kagoya.com"));
        assert!(domain_named_in("/ログイン/kagoya.com", "kagoya.com"));
    }

    #[test]
    fn shown_hosts() {
        let kb = test_knowledge();
        assert_eq!(shown_host("https://www.Amazon.co.jp/ap/signin", kb).as_deref(), Some("www.amazon.co.jp"));
        assert_eq!(shown_host("ログイン：www.kagoya.jp/login", kb).as_deref(), Some("www.kagoya.jp"));
        assert_eq!(shown_host("ここから www.kagoya.jp/login へ", kb).as_deref(), Some("www.kagoya.jp"));
        assert_eq!(shown_host("Amazon.co.jp", kb).as_deref(), Some("amazon.co.jp"));
        assert_eq!(shown_host("README.md", kb), None);
        assert_eq!(shown_host("https://www.bankofthewest.c0m/BOW/", kb).as_deref(), Some("www.bankofthewest.c0m"));
        assert_eq!(shown_host("Click here", kb), None);
        assert_eq!(shown_host("mail me at a@example.com", kb), None);
    }
}
