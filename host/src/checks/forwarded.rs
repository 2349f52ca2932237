//! A message forwarded "inline": the forwarding mail quotes the original's header block
//! (`From: … Sent: … Subject: …`) and carries its body and links. Like an attached message, the
//! original is analyzed as a message of its own, from what the quote keeps of it.

use std::sync::LazyLock;

use anyhow::{Result, ensure};
use serde::Deserialize;

use crate::checks::attachments::{analyze_nested, nested_phishing};
use crate::knowledge::Knowledge;
use crate::message::MessageView;
use crate::model::{Finding, Level};
use crate::tables::{self, builtin_json};

/// `data/forwarded.toml`: the subject prefixes of a forward and the labels of a quoted header block.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForwardRules {
    subject_prefixes: Vec<String>,
    from_labels: Vec<String>,
    date_labels: Vec<String>,
    subject_labels: Vec<String>,
}

static BUILTIN: LazyLock<ForwardRules> = LazyLock::new(|| {
    let load = || ForwardRules::validated(tables::from_json(builtin_json!("forwarded"), "forwarded.toml")?);
    // The embedded table is validated by a unit test, so this cannot fail in a released binary.
    load().expect("built-in forwarded.toml is valid")
});

/// Lines of the quoted header block looked at after its `From:` line (Outlook puts Sent, To, Cc,
/// Subject there; Gmail Date, Subject, To).
const BLOCK_LINES: usize = 6;
/// Lines of the body searched for the block: it stands at the top of the forward, under a short note.
const MAX_LINES_SEARCHED: usize = 200;
/// Longest quoted From or Subject value kept.
const MAX_VALUE_CHARS: usize = 300;
/// Largest body carried into the analysis of the original.
const MAX_BODY_BYTES: usize = 512 * 1024;

/// What the quote keeps of the original: its sender and subject as shown.
#[derive(Debug, PartialEq)]
struct QuotedHeader {
    from: String,
    subject: String,
}

impl ForwardRules {
    pub fn builtin() -> &'static ForwardRules {
        &BUILTIN
    }

    fn validated(rules: ForwardRules) -> Result<ForwardRules> {
        for list in [&rules.subject_prefixes, &rules.from_labels, &rules.date_labels, &rules.subject_labels] {
            ensure!(!list.is_empty(), "forwarded.toml: an empty list");
            for label in list {
                ensure!(
                    !label.is_empty() && *label == label.trim().to_lowercase() && !label.contains(':'),
                    "forwarded.toml: {label:?} must be trimmed lower case, without a colon"
                );
            }
        }
        Ok(rules)
    }

    /// The subject starts with a forward prefix (`Fwd:`, `[Fwd: …]`, `ENC:`).
    fn is_forward_subject(&self, subject: &str) -> bool {
        let subject = subject.trim_start().trim_start_matches('[').trim_start();
        let Some((prefix, _)) = subject.split_once([':', '：']) else { return false };
        let prefix = prefix.trim().to_lowercase();
        self.subject_prefixes.contains(&prefix)
    }

    /// A quoted line `Label: value` whose label is in `labels`: its value. Quote marks and the bold
    /// markers of plain-text renderings (`> `, `*From:*`) are skipped.
    fn labelled<'t>(line: &'t str, labels: &[String]) -> Option<&'t str> {
        let line = line.trim_start_matches(|c: char| c == '>' || c == '*' || c.is_whitespace());
        let (label, value) = line.split_once([':', '：'])?;
        let label = label.trim_end_matches(|c: char| c == '*' || c.is_whitespace());
        // Labels are one or two short words; anything longer is a sentence with a colon.
        if label.len() > 24 || !labels.iter().any(|l| label.eq_ignore_ascii_case(l) || label.to_lowercase() == *l) {
            return None;
        }
        Some(value.trim_start_matches(|c: char| c == '*' || c.is_whitespace()).trim_end())
    }

    /// The first quoted header block in `text`: a From line showing an address, followed within a few
    /// lines by a date line (what tells a quoted header from a sentence starting "From:").
    fn quoted_header(&self, text: &str) -> Option<QuotedHeader> {
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(MAX_LINES_SEARCHED).collect();
        for (i, line) in lines.iter().enumerate() {
            let Some(from) = Self::labelled(line, &self.from_labels).filter(|v| v.contains('@')) else { continue };
            let block = lines.iter().skip(i + 1).take(BLOCK_LINES);
            if !block.clone().take(3).any(|l| Self::labelled(l, &self.date_labels).is_some()) {
                continue;
            }
            let subject = block.filter_map(|l| Self::labelled(l, &self.subject_labels)).next().unwrap_or_default();
            return Some(QuotedHeader { from: header_value(&mailto_as_address(from)), subject: header_value(subject) });
        }
        None
    }
}

/// Outlook's plain-text quote writes `Name [mailto:a@b]` (or `Name <mailto:a@b>` once links are
/// turned to text); a header wants `Name <a@b>`, and a bare address in angle brackets.
fn mailto_as_address(from: &str) -> String {
    if let Some((name, rest)) = from.split_once("[mailto:") {
        let address = rest.split(']').next().unwrap_or_default();
        return format!("{} <{address}>", name.trim());
    }
    if from.contains('<') { from.replace("<mailto:", "<") } else { format!("<{}>", from.trim()) }
}

/// A quoted value as a header field value: one line, bounded.
fn header_value(value: &str) -> String {
    value.chars().filter(|c| !c.is_control()).take(MAX_VALUE_CHARS).collect()
}

/// The original as a message of its own: the quoted sender and subject, and the forward's body, which
/// holds the original's text and links (the forwarder's own note above it is usually a line).
fn original_message(quoted: &QuotedHeader, view: &MessageView) -> Vec<u8> {
    let (content_type, body) = match view.html.first() {
        Some(html) => ("text/html", html.as_ref()),
        None => ("text/plain", view.text.as_str()),
    };
    let end = body.floor_char_boundary(MAX_BODY_BYTES);
    format!(
        "From: {}\r\nSubject: {}\r\nMIME-Version: 1.0\r\nContent-Type: {content_type}; charset=utf-8\r\n\r\n{}",
        quoted.from,
        quoted.subject,
        &body[..end]
    )
    .into_bytes()
}

pub fn check(view: &MessageView, _kb: &Knowledge, out: &mut Vec<Finding>) {
    let rules = ForwardRules::builtin();
    if !view.subject.as_deref().is_some_and(|s| rules.is_forward_subject(s)) {
        return;
    }
    // The first HTML body's text as the shared tokeniser read it when the view was built: not read again.
    let quoted = rules.quoted_header(&view.text).or_else(|| rules.quoted_header(&view.html_scans.first()?.text));
    let Some(quoted) = quoted else { return };
    let Some(verdict) = analyze_nested(view, &original_message(&quoted, view)) else { return };
    if verdict.level == Level::Dangerous {
        out.push(nested_phishing("attachments.forwarded_phishing", "Forwarded message", &verdict));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_support::{run, sorted_ids};

    #[test]
    fn builtin_table_loads_and_bad_ones_are_rejected() {
        assert!(ForwardRules::builtin().is_forward_subject("Fwd: x"));
        let table = |prefixes: &str| {
            tables::from_toml::<ForwardRules>(
                &format!(
                    "subject_prefixes = {prefixes}\nfrom_labels = [\"from\"]\ndate_labels = [\"sent\"]\n\
                     subject_labels = [\"subject\"]"
                ),
                "t",
            )
            .and_then(ForwardRules::validated)
        };
        assert!(table("[\"fwd\"]").is_ok());
        assert!(table("[\"Fwd\"]").is_err());
        assert!(table("[\"fwd:\"]").is_err());
        assert!(table("[]").is_err());
    }

    #[test]
    fn forward_subjects_in_several_languages() {
        let rules = ForwardRules::builtin();
        for subject in ["Fwd: Your parcel", "FW: invoice", "ENC: Resgate", "[Fwd: Update your account]", "WG: Konto"] {
            assert!(rules.is_forward_subject(subject), "{subject}");
        }
        for subject in ["Re: Fwd: x", "Forward planning: Q3", "Invoice: 42", "fwd"] {
            assert!(!rules.is_forward_subject(subject), "{subject}");
        }
    }

    #[test]
    fn the_quoted_header_block_is_read_in_outlook_and_gmail_forms() {
        let rules = ForwardRules::builtin();
        let outlook = "FYI\n________________________________\nDe: ''Meta-support'' <info@knit.example>\n\
            Enviado: segunda-feira, 27 de fevereiro de 2023 21:15\nPara: me <me@example.org>\n\
            Assunto: Someone tried to log in\n\nHello";
        assert_eq!(
            rules.quoted_header(outlook),
            Some(QuotedHeader {
                from: "''Meta-support'' <info@knit.example>".into(),
                subject: "Someone tried to log in".into()
            })
        );
        let plain = "-----Original Message-----\n*From:* Billing [mailto:bill@pay.example]\n*Sent:* Monday\n\
            *Subject:* Invoice";
        assert_eq!(
            rules.quoted_header(plain),
            Some(QuotedHeader { from: "Billing <bill@pay.example>".into(), subject: "Invoice".into() })
        );
        assert_eq!(mailto_as_address("Ana <mailto:ana@example.net>"), "Ana <ana@example.net>");
        assert_eq!(mailto_as_address("ana@example.net"), "<ana@example.net>");
        // A sentence starting "From:" with no date line under it is not a header block.
        assert_eq!(rules.quoted_header("From: the team at a@b.example\nThanks for coming!\nSee you"), None);
        assert_eq!(rules.quoted_header("From: Alice\nSent: Monday\nSubject: x"), None, "no address shown");
    }

    const PHISH_FORWARD: &str = "From: Taro <taro@example.org>\r\nTo: hanako@example.org\r\n\
        Subject: Fw: Your account has been limited\r\nMIME-Version: 1.0\r\nContent-Type: text/html\r\n\r\n\
        <p>Is this real?</p><hr><p><b>From:</b> PayPal Service &lt;service@secure-example.net&gt;<br>\
        <b>Sent:</b> Monday, 3 March 2025 10:02<br><b>To:</b> Taro<br>\
        <b>Subject:</b> Your account has been limited</p>\
        <p>Your account has been limited. Please verify your account.</p>\
        <a href=\"https://paypal.account-verify-example.top/login\">https://www.paypal.com/signin</a>\r\n";

    #[test]
    fn a_phishing_message_forwarded_inline_is_reported_on_the_forward() {
        let found = |raw: &str| sorted_ids(&run(raw, &["hanako@example.org"], check));
        assert_eq!(found(PHISH_FORWARD), ["attachments.forwarded_phishing"]);
        // Not a forward by its subject: a reply quoting a header block is a conversation.
        assert!(found(&PHISH_FORWARD.replace("Subject: Fw:", "Subject: Re:")).is_empty());
        let benign = PHISH_FORWARD
            .replace("PayPal Service &lt;service@secure-example.net&gt;", "Jiro &lt;jiro@example.org&gt;")
            .replace("Your account has been limited. Please verify your account.", "Lunch at noon?")
            .replace("https://paypal.account-verify-example.top/login", "https://example.org/menu")
            .replace("https://www.paypal.com/signin", "the menu");
        assert!(found(&benign).is_empty());
    }
}
