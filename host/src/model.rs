//! The verdict and its parts: what the engine returns and the wire protocol carries.

use serde::{Deserialize, Serialize};

/// Language of the human-readable text in a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Ja,
}

impl Lang {
    /// Maps a BCP 47 tag such as `ja`, `ja-JP` or `en-US` to a supported language (English otherwise).
    pub fn from_tag(tag: &str) -> Lang {
        let primary = tag.split(['-', '_']).next().unwrap_or("");
        if primary.eq_ignore_ascii_case("ja") { Lang::Ja } else { Lang::En }
    }
}

/// What the caller knows that the message does not say: who the user is and what language they read.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Context {
    /// The addresses of the user's own accounts (Thunderbird identities).
    pub identities: Vec<String>,
    /// UI language tag, e.g. `ja` or `en-US`.
    pub locale: Option<String>,
    /// The whole message's size in bytes, when `raw` is only its beginning: a message too large to
    /// send is sent as its header section, and analyzed as headers only.
    pub message_size: Option<u64>,
}

impl Context {
    pub fn lang(&self) -> Lang {
        self.locale.as_deref().map(Lang::from_tag).unwrap_or_default()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Safe,
    Suspicious,
    Dangerous,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

/// The concern a finding belongs to; one checker module per category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Sender,
    Received,
    Auth,
    Links,
    Content,
    Attachments,
    Server,
    Limits,
}

/// One labelled piece of evidence: the header, URL or decoded value a finding rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub label: String,
    pub value: String,
}

/// A finding as a checker raises it: a stable id from `rules.toml`, template arguments and evidence.
/// Texts, severity and weight come from the rule table when the verdict is rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub id: &'static str,
    pub args: Vec<(&'static str, String)>,
    pub evidence: Vec<Evidence>,
}

impl Finding {
    pub fn new(id: &'static str) -> Self {
        Finding { id, args: Vec::new(), evidence: Vec::new() }
    }

    /// Sets a `{name}` placeholder of the rule's title and explanation.
    pub fn arg(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((name, value.into()));
        self
    }

    pub fn evidence(mut self, label: impl Into<String>, value: impl Into<String>) -> Self {
        self.evidence.push(Evidence { label: label.into(), value: value.into() });
        self
    }
}

/// A finding as the user sees it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RenderedFinding {
    pub id: String,
    pub category: Category,
    pub severity: Severity,
    pub score: u32,
    pub title: String,
    pub explanation: String,
    pub evidence: Vec<Evidence>,
    /// Set aside by a waiver (`data/scoring.toml`): shown, but it counted for nothing (`score` 0).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub waived: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Mailbox {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub address: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct HopFact {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_host: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_ip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub helo: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// Written by a server the recipient trusts (their own side), rather than a claim from upstream.
    pub trusted: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AuthFact {
    pub method: String,
    pub result: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authserv_id: Option<String>,
    pub trusted: bool,
    /// Whether the authenticated domain shares the From header's registrable domain.
    pub aligned: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LinkFact {
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registrable_domain: Option<String>,
    /// Where the link was found: `href`, `form`, `text`, `src`…
    pub source: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AttachmentFact {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub content_type: String,
    pub size: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HeaderFact {
    pub name: String,
    pub value: String,
}

/// The forensic facts an expert looks at, whatever the verdict.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Facts {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Mailbox>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<Mailbox>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id_domain: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    pub to: Vec<String>,
    /// The first hop outside the recipient's own servers: where the message entered the trusted path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<HopFact>,
    /// Received chain, newest (top) first.
    pub hops: Vec<HopFact>,
    pub auth: Vec<AuthFact>,
    pub links: Vec<LinkFact>,
    pub attachments: Vec<AttachmentFact>,
    /// Upstream filter headers (X-Spam-*, X-Rspamd-*…): shown, never scored.
    pub server_verdicts: Vec<HeaderFact>,
}

/// Lists that were cut to keep a reply small, or parts of the message not examined.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Truncation {
    /// Items left out of each list, by list name (`links`, `hops`, `findings`…).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty", default)]
    pub omitted: std::collections::BTreeMap<String, usize>,
    /// The body was larger than the analysis limit: only headers (and the first part) were examined.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub body_not_analyzed: bool,
}

impl Truncation {
    pub fn is_empty(&self) -> bool {
        self.omitted.is_empty() && !self.body_not_analyzed
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Verdict {
    pub level: Level,
    /// 0–100.
    pub score: u32,
    pub lang: Lang,
    pub summary: String,
    pub findings: Vec<RenderedFinding>,
    pub facts: Facts,
    #[serde(skip_serializing_if = "Truncation::is_empty", default)]
    pub truncated: Truncation,
}
