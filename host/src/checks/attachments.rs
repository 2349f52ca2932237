//! Attachments: risky file types, disguised names, attached web pages (fake sign-in pages, HTML
//! smuggling), content that is not what its name or type says, password-protected archives.

use std::cell::Cell;
use std::sync::LazyLock;
use std::time::Instant;

use anyhow::{Context as _, Result, ensure};
use mail_parser::{MimeHeaders, PartType};
use rustc_hash::FxHashSet;
use serde::Deserialize;

use crate::Limits;
use crate::checks::content::{scan_html, visible};
use crate::knowledge::Knowledge;
use crate::message::{MessageView, content_type_of};
use crate::model::{Context, Finding, Level, Verdict};
use crate::tables::{self, builtin_json};

#[derive(Debug, Clone)]
pub struct Attachment<'a> {
    pub name: Option<String>,
    /// Declared content type, lower-case `type/subtype`.
    pub content_type: String,
    pub bytes: &'a [u8],
}

/// Messages attached to messages are opened this deep, no deeper.
const MAX_NESTING: usize = 3;

/// Lists the attachments, those of attached messages included, up to `limits.max_attachments`.
pub fn collect<'a>(message: &'a mail_parser::Message<'a>, limits: &Limits) -> Vec<Attachment<'a>> {
    let mut out = Vec::new();
    collect_into(message, limits, 0, &mut out);
    out
}

fn collect_into<'a>(
    message: &'a mail_parser::Message<'a>,
    limits: &Limits,
    depth: usize,
    out: &mut Vec<Attachment<'a>>,
) {
    for part in message.attachments() {
        if out.len() >= limits.max_attachments {
            return;
        }
        out.push(Attachment {
            name: part.attachment_name().map(str::to_owned),
            content_type: content_type_of(part),
            bytes: part.contents(),
        });
        if let PartType::Message(nested) = &part.body
            && depth < MAX_NESTING
        {
            collect_into(nested, limits, depth + 1, out);
        }
    }
}

/// The table's strings are borrowed from its text (the binary's, for the built-in table), not copied
/// one allocation each at every start.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Magic {
    offset: usize,
    hex: &'static str,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FamilyEntry {
    id: &'static str,
    #[serde(default)]
    group: Option<&'static str>,
    magic: Vec<Magic>,
    #[serde(default)]
    text_markers: Vec<&'static str>,
    extensions: Vec<&'static str>,
    content_types: Vec<&'static str>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "'de: 'static"))]
struct AttachmentFile {
    executable: Vec<&'static str>,
    macro_document: Vec<&'static str>,
    html: Vec<&'static str>,
    document: Vec<&'static str>,
    family: Vec<FamilyEntry>,
}

/// A kind of content recognised by its first bytes, with the names that may declare it.
struct Family {
    id: &'static str,
    group: Option<&'static str>,
    magic: Vec<(usize, Vec<u8>)>,
    text_markers: Vec<&'static str>,
    extensions: NameSet,
    content_types: NameSet,
}

/// Sets of the table's names. Only the table's names are inserted (message text is only looked up),
/// so a hash built against flooding is not needed: FxHash's, as in the knowledge tables.
type NameSet = FxHashSet<&'static str>;

pub struct AttachmentRules {
    executable: NameSet,
    macro_document: NameSet,
    html: NameSet,
    document: NameSet,
    families: Vec<Family>,
}

static BUILTIN: LazyLock<AttachmentRules> = LazyLock::new(|| {
    let table = tables::from_json(builtin_json!("attachments"), "attachments.toml");
    // Validated by a unit test, so this cannot fail in a released binary.
    table.and_then(AttachmentRules::from_table).expect("built-in attachments.toml is valid")
});

/// Whether `text` has no upper-case ASCII letter (the tables' names are compared with lower-cased text).
fn is_lower_case(text: &str) -> bool {
    !text.bytes().any(|b| b.is_ascii_uppercase())
}

fn extension_set(list: &[&'static str], what: &str) -> Result<NameSet> {
    ensure!(!list.is_empty(), "{what} is empty");
    let mut set = NameSet::default();
    for &ext in list {
        ensure!(
            !ext.is_empty() && !ext.starts_with('.') && is_lower_case(ext),
            "{what}: extension {ext:?} must be lower-case without a dot"
        );
        ensure!(set.insert(ext), "{what}: {ext} listed twice");
    }
    Ok(set)
}

fn decode_hex(hex: &str) -> Result<Vec<u8>> {
    ensure!(!hex.is_empty() && hex.len().is_multiple_of(2), "magic {hex:?} must be an even number of hex digits");
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2).unwrap_or_default(), 16).context("magic is not hex"))
        .collect()
}

impl AttachmentRules {
    pub fn builtin() -> &'static AttachmentRules {
        &BUILTIN
    }

    /// Attachment rules from the TOML text of `attachments.toml`, which is kept for the rest of the
    /// process (the rules borrow their names from it): tables are parsed from text by tests, a few each.
    #[cfg(test)]
    pub fn parse(text: &str) -> Result<AttachmentRules> {
        AttachmentRules::from_table(tables::from_toml(tables::kept(text), "attachments.toml")?)
    }

    fn from_table(file: AttachmentFile) -> Result<AttachmentRules> {
        let mut families = Vec::new();
        let mut family_of_ext = NameSet::default();
        let mut family_of_type = NameSet::default();
        for entry in file.family {
            ensure!(
                !entry.magic.is_empty() || !entry.text_markers.is_empty(),
                "family {} needs magic bytes or text markers",
                entry.id
            );
            let magic = entry
                .magic
                .iter()
                .map(|m| Ok((m.offset, decode_hex(m.hex)?)))
                .collect::<Result<Vec<_>>>()
                .with_context(|| format!("family {}", entry.id))?;
            let extensions = extension_set(&entry.extensions, entry.id)?;
            for &ext in &extensions {
                ensure!(family_of_ext.insert(ext), "extension {ext} is in two families");
            }
            for &ct in &entry.content_types {
                ensure!(ct.contains('/') && is_lower_case(ct), "content type {ct:?} must be type/subtype");
                ensure!(family_of_type.insert(ct), "content type {ct} is in two families");
            }
            ensure!(
                entry.text_markers.iter().all(|m| !m.is_empty() && is_lower_case(m)),
                "text markers of {} must be lower-case",
                entry.id
            );
            families.push(Family {
                id: entry.id,
                group: entry.group,
                magic,
                text_markers: entry.text_markers,
                extensions,
                content_types: entry.content_types.into_iter().collect(),
            });
        }
        ensure!(families.iter().any(|f| f.id == "program"), "family `program` is required");
        ensure!(families.iter().any(|f| f.id == "zip"), "family `zip` is required");
        Ok(AttachmentRules {
            executable: extension_set(&file.executable, "executable")?,
            macro_document: extension_set(&file.macro_document, "macro_document")?,
            html: extension_set(&file.html, "html")?,
            document: extension_set(&file.document, "document")?,
            families,
        })
    }

    /// The family the content's first bytes belong to.
    fn detect(&self, bytes: &[u8]) -> Option<&Family> {
        let text_start = text_start(bytes);
        self.families.iter().find(|family| {
            family
                .magic
                .iter()
                .any(|(offset, magic)| bytes.get(*offset..offset + magic.len()) == Some(magic.as_slice()))
                || family.text_markers.iter().any(|m| starts_with_ignore_case(text_start, m.as_bytes()))
        })
    }

    fn family_of_extension(&self, ext: &str) -> Option<&Family> {
        self.families.iter().find(|f| f.extensions.contains(ext))
    }

    fn family_of_type(&self, content_type: &str) -> Option<&Family> {
        self.families.iter().find(|f| f.content_types.contains(content_type))
    }

    fn is_program(&self, family: Option<&Family>) -> bool {
        family.is_some_and(|f| f.id == "program")
    }
}

/// The first bytes of text after a byte-order mark and leading whitespace.
fn text_start(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let skip = bytes.iter().take(1024).take_while(|b| b.is_ascii_whitespace()).count();
    bytes.get(skip..).unwrap_or_default()
}

fn starts_with_ignore_case(bytes: &[u8], prefix: &[u8]) -> bool {
    bytes.get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// Characters that reorder or hide parts of a displayed name.
fn is_bidi_or_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{061C}')
}

/// A file name split for inspection: the last extension and the one before it (lower-case).
struct NameParts {
    last: Option<String>,
    previous: Option<String>,
    /// Whitespace or underscores padding the name before the last dot, pushing the real extension
    /// out of sight ("invoice.pdf          .exe").
    padded: bool,
}

fn name_parts(name: &str) -> NameParts {
    let trimmed = name.trim_end_matches(|c: char| c.is_whitespace() || c == '.');
    let extension = |s: &str| -> Option<String> {
        let (_, ext) = s.rsplit_once('.')?;
        let ext = ext.trim().to_lowercase();
        (!ext.is_empty() && ext.len() <= 20 && !ext.contains(char::is_whitespace)).then_some(ext)
    };
    let last = extension(trimmed);
    let stem = trimmed.rsplit_once('.').map(|(stem, _)| stem).unwrap_or_default();
    let padding = stem.chars().rev().take_while(|c| c.is_whitespace() || *c == '_').count();
    NameParts { last, previous: extension(stem.trim_end()), padded: padding >= 3 }
}

/// Largest HTML attachment read as a page; the start of a page holds its form and scripts.
const MAX_HTML_BYTES: usize = 2 * 1024 * 1024;
/// Entries of a ZIP listing examined.
const MAX_ZIP_ENTRIES: usize = 1_000;

/// A file name inside a ZIP archive and whether it is encrypted.
struct ZipEntry {
    name: String,
    encrypted: bool,
}

fn u16_at(bytes: &[u8], at: usize) -> Option<usize> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?) as usize)
}

fn u32_at(bytes: &[u8], at: usize) -> Option<usize> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize)
}

/// Reads a ZIP archive's central directory (names and flags, no decompression).
fn zip_entries(bytes: &[u8]) -> Vec<ZipEntry> {
    const END: &[u8] = b"PK\x05\x06";
    const ENTRY: &[u8] = b"PK\x01\x02";
    // The end record sits in the last 22 bytes plus a comment of at most 64 KiB.
    let window = bytes.len().saturating_sub(22 + 65_535);
    let Some(end) = bytes[window..].windows(4).rposition(|w| w == END).map(|p| p + window) else {
        return Vec::new();
    };
    let (Some(count), Some(mut at)) = (u16_at(bytes, end + 10), u32_at(bytes, end + 16)) else {
        return Vec::new();
    };
    let mut entries = Vec::new();
    for _ in 0..count.min(MAX_ZIP_ENTRIES) {
        if bytes.get(at..at + 4) != Some(ENTRY) {
            break;
        }
        let (Some(flags), Some(name_len), Some(extra_len), Some(comment_len)) =
            (u16_at(bytes, at + 8), u16_at(bytes, at + 28), u16_at(bytes, at + 30), u16_at(bytes, at + 32))
        else {
            break;
        };
        let Some(name) = bytes.get(at + 46..at + 46 + name_len) else { break };
        entries.push(ZipEntry { name: String::from_utf8_lossy(name).into_owned(), encrypted: flags & 1 == 1 });
        at += 46 + name_len + extra_len + comment_len;
    }
    entries
}

/// What the mail carries: attached files, attached messages, and a message forwarded in its text.
pub fn check(view: &MessageView, kb: &Knowledge, out: &mut Vec<Finding>) {
    let rules = AttachmentRules::builtin();
    for attachment in &view.attachments {
        // Archives are listed and pages scanned, up to 100 attachments: the time budget is checked per one.
        if view.out_of_time() {
            break;
        }
        check_one(rules, attachment, out);
    }
    check_attached_messages(view, out);
    super::forwarded::check(view, kb, out);
}

thread_local! {
    /// Set while an attached message is analyzed: the messages attached to it are not opened again,
    /// so the work stays within one extra analysis per attached message.
    static IN_ATTACHED_MESSAGE: Cell<bool> = const { Cell::new(false) };
}

/// Attached messages analyzed per message (a digest may carry dozens of ordinary ones), and the
/// largest analyzed: parsing one again costs memory in proportion, and phishing mails are small.
const MAX_MESSAGES_ANALYZED: usize = 5;
const MAX_ATTACHED_MESSAGE_BYTES: usize = 2 * 1024 * 1024;

/// Clears `IN_ATTACHED_MESSAGE` however the analysis ends.
struct AttachedMessageGuard;

impl Drop for AttachedMessageGuard {
    fn drop(&mut self) {
        IN_ATTACHED_MESSAGE.set(false);
    }
}

/// A message forwarded as an attachment (message/rfc822) is a message of its own that the reader
/// opens and whose links they click: it is analyzed as such, and a phishing verdict on it is reported
/// on the message carrying it.
fn check_attached_messages(view: &MessageView, out: &mut Vec<Finding>) {
    let messages = view.attachments.iter().filter(|a| {
        matches!(a.content_type.as_str(), "message/rfc822" | "message/global")
            && a.bytes.len() <= MAX_ATTACHED_MESSAGE_BYTES
    });
    for attachment in messages.take(MAX_MESSAGES_ANALYZED) {
        let Some(verdict) = analyze_nested(view, attachment.bytes) else { return };
        if verdict.level == Level::Dangerous {
            out.push(nested_phishing("attachments.phishing_message", "Attached message", &verdict));
            return;
        }
    }
}

/// Analyzes a message carried inside the one in view (attached, or quoted by a forward) as a message
/// of its own, for the same user and within what is left of the time budget. `None` when out of time
/// or already inside such an analysis: messages inside it are not opened again, so the work stays
/// within one extra analysis per message carried.
pub(crate) fn analyze_nested(view: &MessageView, raw: &[u8]) -> Option<Verdict> {
    if IN_ATTACHED_MESSAGE.get() {
        return None;
    }
    let remaining = view.deadline.saturating_duration_since(Instant::now());
    if remaining.is_zero() {
        return None;
    }
    let limits = Limits { time_budget: remaining, ..Limits::default() };
    let identities = if view.identities_given { view.recipients.clone() } else { Vec::new() };
    let ctx = Context { identities, ..Context::default() };
    IN_ATTACHED_MESSAGE.set(true);
    let _guard = AttachedMessageGuard;
    Some(crate::analyze_with(raw, &ctx, &limits))
}

/// The finding `id` for a carried message found to be phishing: its subject, sender and findings.
pub(crate) fn nested_phishing(id: &'static str, label: &'static str, verdict: &Verdict) -> Finding {
    let subject = verdict.facts.subject.clone().unwrap_or_default();
    let from = verdict.facts.from.as_ref().map(|m| m.address.clone()).unwrap_or_default();
    let ids: Vec<&str> = verdict.findings.iter().filter(|f| f.score > 0).map(|f| f.id.as_str()).collect();
    Finding::new(id)
        .arg("subject", visible(&subject))
        .evidence(label, visible(&subject))
        .evidence("Its sender", from)
        .evidence("Its findings", ids.join(", "))
        .evidence("Its score", verdict.score.to_string())
}

fn check_one(rules: &AttachmentRules, attachment: &Attachment, out: &mut Vec<Finding>) {
    let name = attachment.name.as_deref().unwrap_or_default();
    let shown = if name.is_empty() { format!("({})", attachment.content_type) } else { visible(name) };
    let parts = name_parts(name);
    let last = parts.last.as_deref().unwrap_or_default();
    let detected = rules.detect(attachment.bytes);
    let evidence = |finding: Finding| {
        finding
            .arg("name", shown.clone())
            .evidence("File", shown.clone())
            .evidence("Declared type", attachment.content_type.clone())
    };

    check_name(rules, name, &shown, &parts, out);
    if rules.executable.contains(last) || rules.is_program(detected) {
        let mut finding = evidence(Finding::new("attachments.executable"));
        if let Some(family) = detected {
            finding = finding.evidence("Content", family.id);
        }
        out.push(finding);
    }
    if rules.macro_document.contains(last) || attachment.content_type.contains("macroenabled") {
        out.push(evidence(Finding::new("attachments.macro_document")));
    }

    if let Some(family) = detected {
        let by_name = parts.last.as_deref().and_then(|e| rules.family_of_extension(e));
        let by_type = rules.family_of_type(&attachment.content_type);
        let interchangeable = |a: &Family, b: &Family| a.id == b.id || (a.group.is_some() && a.group == b.group);
        let mismatch = [by_name, by_type].into_iter().flatten().find(|declared| !interchangeable(declared, family));
        if let Some(declared) = mismatch {
            out.push(
                evidence(Finding::new("attachments.type_mismatch"))
                    .evidence("Declared as", declared.id)
                    .evidence("Content is", family.id),
            );
        }
    }

    let is_html = rules.html.contains(last)
        || rules.family_of_type(&attachment.content_type).is_some_and(|f| f.id == "html")
        || detected.is_some_and(|f| f.id == "html");
    if is_html {
        check_page(attachment, evidence, out);
    }

    if detected.is_some_and(|f| f.id == "zip") {
        check_archive(rules, attachment, &shown, evidence, out);
    }
}

/// Names that hide what the file is: bidi overrides, a document extension before a risky one, padding.
fn check_name(rules: &AttachmentRules, name: &str, shown: &str, parts: &NameParts, out: &mut Vec<Finding>) {
    let last = parts.last.as_deref().unwrap_or_default();
    let risky = rules.executable.contains(last) || rules.html.contains(last) || rules.macro_document.contains(last);
    let posing = parts.previous.as_deref().is_some_and(|p| rules.document.contains(p) && p != last);
    let reordered = name.chars().any(is_bidi_or_invisible);
    if reordered || (risky && (posing || parts.padded)) {
        let mut finding = Finding::new("attachments.double_extension")
            .arg("name", shown.to_string())
            .evidence("File", shown.to_string());
        if let Some(previous) = &parts.previous {
            finding = finding.evidence("Shown extension", format!(".{previous}"));
        }
        if !last.is_empty() {
            finding = finding.evidence("Real extension", format!(".{last}"));
        }
        out.push(finding);
    }
}

/// An attached web page: a form (fake sign-in page), code or a redirect (smuggling), or links.
fn check_page(attachment: &Attachment, evidence: impl Fn(Finding) -> Finding, out: &mut Vec<Finding>) {
    let bytes = attachment.bytes.get(..MAX_HTML_BYTES).unwrap_or(attachment.bytes);
    let page = scan_html(&String::from_utf8_lossy(bytes));
    if let Some(form) = page.forms.first() {
        let action = if form.action.is_empty() { "(none)" } else { form.action.as_str() };
        let mut finding = evidence(Finding::new("attachments.html_form")).evidence("Form sends to", visible(action));
        if !form.fields.is_empty() {
            finding = finding.evidence("Fields", visible(&form.fields.join(", ")));
        }
        out.push(finding);
    }
    if page.script.is_some() || page.meta_refresh.is_some() {
        let mut finding = evidence(Finding::new("attachments.html_active"));
        if let Some(script) = &page.script {
            finding = finding.evidence("Script", visible(script));
        }
        if let Some(refresh) = &page.meta_refresh {
            finding = finding.evidence("Redirect", visible(refresh));
        }
        out.push(finding);
    } else if page.forms.is_empty()
        && let Some(href) = page.hrefs.iter().find(|h| h.get(..4).is_some_and(|s| s.eq_ignore_ascii_case("http")))
    {
        out.push(evidence(Finding::new("attachments.html_links")).evidence("Link", visible(href)));
    }
}

/// A ZIP archive: encrypted entries, and risky or disguised names inside.
fn check_archive(
    rules: &AttachmentRules,
    attachment: &Attachment,
    shown: &str,
    evidence: impl Fn(Finding) -> Finding,
    out: &mut Vec<Finding>,
) {
    let entries = zip_entries(attachment.bytes);
    if let Some(locked) = entries.iter().find(|e| e.encrypted) {
        out.push(
            evidence(Finding::new("attachments.encrypted_archive")).evidence("Encrypted entry", visible(&locked.name)),
        );
    }
    // Only the first risky entry is reported: one finding per archive keeps the report readable.
    let risky = entries.iter().find(|e| {
        let inner = name_parts(&e.name);
        inner.last.as_deref().is_some_and(|ext| rules.executable.contains(ext) || rules.html.contains(ext))
    });
    if let Some(entry) = risky {
        let inner_shown = format!("{shown} ▸ {}", visible(&entry.name));
        let parts = name_parts(&entry.name);
        check_name(rules, &entry.name, &inner_shown, &parts, out);
        if parts.last.as_deref().is_some_and(|ext| rules.executable.contains(ext)) {
            out.push(
                Finding::new("attachments.executable")
                    .arg("name", inner_shown.clone())
                    .evidence("File", inner_shown)
                    .evidence("Declared type", attachment.content_type.clone()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rules;

    const IDS: [&str; 9] = [
        "attachments.phishing_message",
        "attachments.executable",
        "attachments.macro_document",
        "attachments.double_extension",
        "attachments.html_form",
        "attachments.html_active",
        "attachments.html_links",
        "attachments.type_mismatch",
        "attachments.encrypted_archive",
    ];

    const ATTACHMENTS: &str = include_str!("../../data/attachments.toml");

    #[test]
    fn builtin_table_loads_and_every_finding_has_a_rule() {
        let rules = AttachmentRules::parse(ATTACHMENTS).unwrap();
        assert!(rules.executable.contains("exe") && rules.html.contains("svg"));
        for id in IDS {
            assert!(Rules::builtin().get(id).is_some(), "{id} has no rule");
        }
    }

    #[test]
    fn bad_tables_are_rejected() {
        let base = "executable=['exe']\nmacro_document=['docm']\nhtml=['html']\ndocument=['pdf']\n";
        let program = "[[family]]\nid='program'\nmagic=[{offset=0,hex='4d5a'}]\nextensions=['exe']\ncontent_types=[]\n";
        let zip = "[[family]]\nid='zip'\nmagic=[{offset=0,hex='504b0304'}]\nextensions=['zip']\ncontent_types=[]\n";
        assert!(AttachmentRules::parse(&format!("{base}{program}{zip}")).is_ok());
        assert!(AttachmentRules::parse(&format!("{}{program}{zip}", base.replace("'exe'", "'.EXE'"))).is_err());
        assert!(AttachmentRules::parse(&format!("{base}{}{zip}", program.replace("4d5a", "4d5"))).is_err());
        assert!(AttachmentRules::parse(&format!("{base}{program}{}", zip.replace("'zip']", "'exe']"))).is_err());
        assert!(AttachmentRules::parse(&format!("{base}{program}")).is_err());
    }

    fn found(name: &str, content_type: &str, bytes: &[u8]) -> Vec<Finding> {
        let mut out = Vec::new();
        let attachment = Attachment { name: Some(name.into()), content_type: content_type.into(), bytes };
        check_one(AttachmentRules::builtin(), &attachment, &mut out);
        out
    }

    use crate::checks::test_support::sorted_ids as ids;

    /// A mail from a colleague carrying `inner` as an attached message.
    fn forwarded(inner: &str) -> String {
        format!(
            "From: Taro <taro@example.org>\r\nTo: hanako@example.org\r\nSubject: Fwd\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/mixed; boundary=\"o\"\r\n\r\n--o\r\nContent-Type: text/plain\r\n\r\nSee below.\r\n\
             --o\r\nContent-Type: message/rfc822\r\n\r\n{inner}\r\n--o--\r\n"
        )
    }

    const PHISH: &str = "From: \"PayPal Service\" <service@secure-example.net>\r\nTo: taro@example.org\r\n\
        Subject: Your account has been limited\r\nMIME-Version: 1.0\r\nContent-Type: text/html\r\n\r\n\
        <p>Your account has been limited. Please verify your account.</p>\
        <a href=\"https://paypal.account-verify-example.top/login\">https://www.paypal.com/signin</a>\r\n";

    #[test]
    fn an_attached_phishing_message_is_reported_on_the_mail_carrying_it() {
        let found = |raw: &str| ids(&crate::checks::test_support::run(raw, &["hanako@example.org"], check));
        assert_eq!(found(&forwarded(PHISH)), ["attachments.phishing_message"]);
        // Two levels down it is still one of the mail's attachments.
        assert_eq!(found(&forwarded(&forwarded(PHISH))), ["attachments.phishing_message"]);
        let benign = "From: Jiro <jiro@example.org>\r\nTo: taro@example.org\r\nSubject: lunch\r\n\r\nNoon?\r\n";
        assert!(found(&forwarded(benign)).is_empty());
        // Too large to parse a second time.
        let padded = format!("{PHISH}{}", "<p>padding</p>\r\n".repeat(MAX_ATTACHED_MESSAGE_BYTES / 16));
        assert!(found(&forwarded(&padded)).is_empty());
        // The guard is cleared after each attached message: the next mail is examined in full.
        assert!(!IN_ATTACHED_MESSAGE.get());
        assert_eq!(found(&forwarded(PHISH)), ["attachments.phishing_message"]);
    }

    #[test]
    fn programs_and_disguised_names() {
        assert_eq!(ids(&found("setup.exe", "application/octet-stream", b"MZ\x90\x00")), ["attachments.executable"]);
        assert_eq!(
            ids(&found("invoice.pdf.exe", "application/octet-stream", b"MZ")),
            ["attachments.double_extension", "attachments.executable"]
        );
        assert_eq!(
            ids(&found("invoice.pdf            .scr", "application/octet-stream", b"")),
            ["attachments.double_extension", "attachments.executable"]
        );
        let reversed = found("invoice\u{202E}fdp.exe", "application/octet-stream", b"");
        let disguise = reversed.iter().find(|f| f.id == "attachments.double_extension").unwrap();
        assert_eq!(disguise.evidence[0].value, "invoice⟨U+202E⟩fdp.exe");
        assert!(found("report.pdf", "application/pdf", b"%PDF-1.7").is_empty());
        assert!(found("photo.2024.jpg", "image/jpeg", b"\xFF\xD8\xFF\xE0").is_empty());
        assert_eq!(
            ids(&found("budget.xlsm", "application/vnd.ms-excel.sheet.macroenabled.12", b"")),
            ["attachments.macro_document"]
        );
    }

    #[test]
    fn content_that_contradicts_its_name() {
        let pdf_exe = found("invoice.pdf", "application/pdf", b"MZ\x90\x00\x03");
        assert_eq!(ids(&pdf_exe), ["attachments.executable", "attachments.type_mismatch"]);
        let mismatch = pdf_exe.iter().find(|f| f.id == "attachments.type_mismatch").unwrap();
        assert!(mismatch.evidence.iter().any(|e| e.label == "Content is" && e.value == "program"));
        assert_eq!(ids(&found("scan.jpg", "image/jpeg", b"%PDF-1.4")), ["attachments.type_mismatch"]);
        assert!(found("blob.jpg", "image/png", b"\x89PNG\r\n").is_empty(), "pictures in another picture format");
        // A generic declared type and an unknown name say nothing to contradict.
        assert!(found("data.bin2", "application/octet-stream", b"%PDF-1.4").is_empty());
    }

    #[test]
    fn attached_pages() {
        let login =
            b"<html><body><form action=\"https://evil.test/p.php\"><input type=password name=pw></form></body></html>";
        assert_eq!(ids(&found("Remittance.htm", "text/html", login)), ["attachments.html_form"]);
        let smuggle =
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>location.href=atob('aHR0cA==')</script></svg>";
        assert_eq!(ids(&found("fax.svg", "image/svg+xml", smuggle)), ["attachments.html_active"]);
        let refresh = b"<html><head><meta http-equiv=refresh content=\"0;url=https://x.test\"></head></html>";
        assert_eq!(ids(&found("voicemail.html", "application/octet-stream", refresh)), ["attachments.html_active"]);
        let links = b"<html><body><a href=\"https://x.test/\">Open</a></body></html>";
        assert_eq!(ids(&found("message.html", "text/html", links)), ["attachments.html_links"]);
        assert_eq!(
            ids(&found("Invoice.pdf.html", "text/html", login)),
            ["attachments.double_extension", "attachments.html_form"]
        );
        assert!(found("notes.html", "text/html", b"<html><body><p>Minutes</p></body></html>").is_empty());
    }

    /// A minimal ZIP: one local header, one central entry, the end record.
    fn zip_with(name: &str, flags: u16) -> Vec<u8> {
        let mut zip = b"PK\x03\x04".to_vec();
        zip.extend([0u8; 26]);
        let central = zip.len();
        zip.extend(b"PK\x01\x02");
        zip.extend([0u8; 4]);
        zip.extend(flags.to_le_bytes());
        zip.extend([0u8; 18]);
        zip.extend((name.len() as u16).to_le_bytes());
        zip.extend([0u8; 16]);
        zip.extend(name.as_bytes());
        let size = zip.len() - central;
        zip.extend(b"PK\x05\x06");
        zip.extend([0u8; 4]);
        zip.extend(1u16.to_le_bytes());
        zip.extend(1u16.to_le_bytes());
        zip.extend((size as u32).to_le_bytes());
        zip.extend((central as u32).to_le_bytes());
        zip.extend([0u8; 2]);
        zip
    }

    #[test]
    fn archives_are_listed_without_unpacking() {
        let inner = found("docs.zip", "application/zip", &zip_with("Invoice.pdf.exe", 0));
        assert_eq!(ids(&inner), ["attachments.double_extension", "attachments.executable"]);
        assert!(inner.iter().any(|f| f.evidence[0].value == "docs.zip ▸ Invoice.pdf.exe"));
        assert_eq!(
            ids(&found("secret.zip", "application/zip", &zip_with("a.txt", 1))),
            ["attachments.encrypted_archive"]
        );
        assert!(found("photos.zip", "application/zip", &zip_with("a.jpg", 0)).is_empty());
        // Truncated or lying archives are read as far as they make sense.
        let mut broken = zip_with("a.exe", 0);
        broken.truncate(broken.len() - 10);
        let _ = found("broken.zip", "application/zip", &broken);
        let _ = found("x.zip", "application/zip", b"PK\x05\x06\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff");
    }

    #[test]
    fn nested_messages_are_collected_within_the_limit() {
        let raw = b"From: a@example.com\r\nSubject: fw\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n\
--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n\
--b\r\nContent-Type: message/rfc822\r\n\r\nFrom: c@example.com\r\nSubject: inner\r\n\
Content-Type: multipart/mixed; boundary=c\r\n\r\n--c\r\nContent-Type: text/plain\r\n\r\nhi\r\n\
--c\r\nContent-Type: application/octet-stream; name=\"run.exe\"\r\nContent-Disposition: attachment; filename=\"run.exe\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nTVqQAA==\r\n--c--\r\n\r\n--b--\r\n";
        let parsed = mail_parser::MessageParser::new().parse(&raw[..]).unwrap();
        let all = collect(&parsed, &Limits::default());
        let names: Vec<_> = all.iter().map(|a| (a.name.clone(), a.content_type.clone())).collect();
        assert_eq!(
            names,
            [(None, "message/rfc822".to_string()), (Some("run.exe".into()), "application/octet-stream".into())]
        );
        assert_eq!(all[1].bytes, b"MZ\x90\x00");
        let one = collect(&parsed, &Limits { max_attachments: 1, ..Limits::default() });
        assert_eq!(one.len(), 1);
    }
}
