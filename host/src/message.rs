//! The parsed view of one message, built once and shared by every checker: addresses, decoded
//! bodies, links, the Received chain and Authentication-Results.

use mail_parser::{Address, MimeHeaders, PartType};

use crate::checks::{attachments::Attachment, auth::AuthResult, links::Link, received::Hop};
use crate::domain;
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
    fn new(name: Option<&str>, address: &str) -> Addr {
        let address = address.trim().to_string();
        let domain = domain::address_domain(&address);
        let registrable = domain.as_deref().and_then(domain::registrable);
        let name = name.map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned);
        Addr { name, address, domain, registrable }
    }

    fn first_of(address: Option<&Address>) -> Option<Addr> {
        Self::all_of(address).into_iter().next()
    }

    fn all_of(address: Option<&Address>) -> Vec<Addr> {
        address
            .into_iter()
            .flat_map(|a| a.iter())
            .filter_map(|a| Some(Addr::new(a.name.as_deref(), a.address.as_deref()?)))
            .collect()
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
    /// Decoded text/html bodies.
    pub html: Vec<String>,
    pub links: Vec<Link>,
    /// Received chain, top (newest) first.
    pub hops: Vec<Hop>,
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
}

impl<'a> MessageView<'a> {
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| *v)
    }

    pub fn headers_named<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'a str> + 's {
        self.headers.iter().filter(move |(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| *v)
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
        let headers: Vec<(&str, &str)> = message.headers_raw().collect();
        let to = Addr::all_of(message.to());
        let cc = Addr::all_of(message.cc());

        let mut recipients: Vec<String> =
            ctx.identities.iter().map(|a| a.trim().to_ascii_lowercase()).filter(|a| a.contains('@')).collect();
        let identities_given = !recipients.is_empty();
        if !identities_given {
            let delivered = headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case("Delivered-To") || n.eq_ignore_ascii_case("X-Original-To"))
                .map(|(_, v)| v.trim().trim_matches(['<', '>']).to_ascii_lowercase());
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
        let (mut text, mut html) = (String::new(), Vec::new());
        for part in body_ids.iter().filter_map(|id| message.parts.get(*id as usize)) {
            match &part.body {
                PartType::Text(t) => {
                    text.push_str(t);
                    text.push('\n');
                }
                PartType::Html(h) => html.push(h.to_string()),
                _ => {}
            }
        }

        let attachments = checks::attachments::collect(message, limits);
        let (links, links_omitted) = checks::links::extract(&html, &text, limits);
        let hops = checks::received::chain(message);

        let mut view = MessageView {
            from: Addr::first_of(message.from()),
            sender: Addr::first_of(message.sender()),
            reply_to: Addr::first_of(message.reply_to()),
            to,
            cc,
            return_path: message.return_address().map(|r| r.trim().to_string()),
            message_id: message.message_id().map(str::to_owned),
            subject: message.subject().map(str::to_owned),
            date: message.date().map(|d| d.to_rfc3339()),
            text,
            html,
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
            headers,
        };
        view.origin = checks::received::origin(&view);
        view.auth = checks::auth::parse(&view);
        view
    }
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
