//! The human-readable report of `mekiki analyze`: the verdict, each finding with its evidence, and the
//! forensic facts, in the verdict's language. Message data is shown with control, bidi and invisible
//! characters made visible, so a hostile subject cannot rewrite the terminal or hide what it says.

use std::fmt::Write as _;

use crate::model::{Facts, HopFact, Lang, Level, Mailbox, Severity, Verdict};

/// Links listed before the report says "and N more" (the JSON output has all of them).
const MAX_LINKS_SHOWN: usize = 20;

/// The report's own words, per language.
struct Labels {
    safe: &'static str,
    suspicious: &'static str,
    dangerous: &'static str,
    score: &'static str,
    findings: &'static str,
    no_findings: &'static str,
    facts: &'static str,
    from: &'static str,
    reply_to: &'static str,
    return_path: &'static str,
    message_id: &'static str,
    subject: &'static str,
    date: &'static str,
    origin: &'static str,
    auth: &'static str,
    links: &'static str,
    attachments: &'static str,
    server_verdicts: &'static str,
    more: &'static str,
    omitted: &'static str,
    body_not_analyzed: &'static str,
    /// After a finding a waiver set aside.
    waived: &'static str,
    severities: [&'static str; 5],
}

const EN: Labels = Labels {
    safe: "SAFE",
    suspicious: "SUSPICIOUS",
    dangerous: "DANGEROUS",
    score: "score",
    findings: "Findings",
    no_findings: "No findings.",
    facts: "Facts",
    from: "From",
    reply_to: "Reply-To",
    return_path: "Return-Path",
    message_id: "Message-ID domain",
    subject: "Subject",
    date: "Date",
    origin: "Origin (first outside hop)",
    auth: "Authentication",
    links: "Links",
    attachments: "Attachments",
    server_verdicts: "Upstream filter headers",
    more: "more (see --json)",
    omitted: "Left out",
    body_not_analyzed: "The body was too large and was not analyzed.",
    waived: "not counted",
    severities: ["info", "low", "medium", "high", "critical"],
};

const JA: Labels = Labels {
    safe: "安全",
    suspicious: "要注意",
    dangerous: "危険",
    score: "スコア",
    findings: "検出事項",
    no_findings: "検出事項はありません。",
    facts: "事実",
    from: "差出人",
    reply_to: "返信先",
    return_path: "Return-Path",
    message_id: "Message-ID のドメイン",
    subject: "件名",
    date: "日付",
    origin: "送信元（最初の外部ホップ）",
    auth: "認証結果",
    links: "リンク",
    attachments: "添付ファイル",
    server_verdicts: "上流フィルターのヘッダー",
    more: "件（省略、--json で全件）",
    omitted: "省略",
    body_not_analyzed: "本文が大きすぎるため解析していません。",
    waived: "考慮外",
    severities: ["情報", "低", "中", "高", "重大"],
};

fn labels(lang: Lang) -> &'static Labels {
    match lang {
        Lang::En => &EN,
        Lang::Ja => &JA,
    }
}

/// The report for `verdict`, in `verdict.lang`.
pub fn render(verdict: &Verdict) -> String {
    let l = labels(verdict.lang);
    let mut out = String::new();
    let level = match verdict.level {
        Level::Safe => l.safe,
        Level::Suspicious => l.suspicious,
        Level::Dangerous => l.dangerous,
    };
    // Writing to a String cannot fail.
    let _ = writeln!(out, "{level} · {} {}/100", l.score, verdict.score);
    let _ = writeln!(out, "{}\n", visible(&verdict.summary));
    let _ = writeln!(out, "{} ({})", l.findings, verdict.findings.len());
    if verdict.findings.is_empty() {
        let _ = writeln!(out, "  {}", l.no_findings);
    }
    for finding in &verdict.findings {
        let waived = if finding.waived { format!(" · {}", l.waived) } else { String::new() };
        let title = visible(&finding.title);
        let _ = writeln!(out, "  • [{}] {title}  ({}){waived}", severity(l, finding.severity), finding.id);
        let _ = writeln!(out, "    {}", visible(&finding.explanation));
        for evidence in &finding.evidence {
            let _ = writeln!(out, "      {}: {}", visible(&evidence.label), visible(&evidence.value));
        }
    }
    let _ = writeln!(out, "\n{}", l.facts);
    facts(&mut out, l, &verdict.facts);
    if !verdict.truncated.omitted.is_empty() {
        let lists: Vec<String> = verdict.truncated.omitted.iter().map(|(list, n)| format!("{list} {n}")).collect();
        let _ = writeln!(out, "\n{}: {}", l.omitted, lists.join(", "));
    }
    if verdict.truncated.body_not_analyzed {
        let _ = writeln!(out, "\n{}", l.body_not_analyzed);
    }
    out
}

fn severity(l: &Labels, severity: Severity) -> &'static str {
    l.severities.get(severity as usize).copied().unwrap_or("?")
}

fn facts(out: &mut String, l: &Labels, facts: &Facts) {
    let mut line = |label: &str, value: Option<String>| {
        if let Some(value) = value {
            let _ = writeln!(out, "  {label}: {value}");
        }
    };
    line(l.from, facts.from.as_ref().map(mailbox));
    line(l.reply_to, facts.reply_to.as_ref().map(mailbox));
    line(l.return_path, facts.return_path.as_deref().map(visible));
    line(l.message_id, facts.message_id_domain.as_deref().map(visible));
    line(l.subject, facts.subject.as_deref().map(visible));
    line(l.date, facts.date.as_deref().map(visible));
    line(l.origin, facts.origin.as_ref().map(hop));
    if !facts.auth.is_empty() {
        let results: Vec<String> = facts
            .auth
            .iter()
            .map(|a| match &a.domain {
                Some(domain) => format!("{}={} ({})", visible(&a.method), visible(&a.result), visible(domain)),
                None => format!("{}={}", visible(&a.method), visible(&a.result)),
            })
            .collect();
        line(l.auth, Some(results.join(", ")));
    }
    if !facts.links.is_empty() {
        let _ = writeln!(out, "  {} ({}):", l.links, facts.links.len());
        for link in facts.links.iter().take(MAX_LINKS_SHOWN) {
            match &link.text {
                // The text is worth showing only when it differs from where the link goes.
                Some(text) if !text.trim().is_empty() && text.trim() != link.url => {
                    let _ = writeln!(out, "    {}  ← \"{}\"", visible(&link.url), visible(text.trim()));
                }
                _ => {
                    let _ = writeln!(out, "    {}", visible(&link.url));
                }
            }
        }
        if facts.links.len() > MAX_LINKS_SHOWN {
            let _ = writeln!(out, "    … {} {}", facts.links.len() - MAX_LINKS_SHOWN, l.more);
        }
    }
    if !facts.attachments.is_empty() {
        let _ = writeln!(out, "  {} ({}):", l.attachments, facts.attachments.len());
        for attachment in &facts.attachments {
            let name = attachment.name.as_deref().map_or_else(|| "-".to_string(), visible);
            let _ = writeln!(out, "    {name} ({}, {} B)", visible(&attachment.content_type), attachment.size);
        }
    }
    if !facts.server_verdicts.is_empty() {
        let _ = writeln!(out, "  {}:", l.server_verdicts);
        for header in &facts.server_verdicts {
            let _ = writeln!(out, "    {}: {}", visible(&header.name), visible(&header.value));
        }
    }
}

fn mailbox(m: &Mailbox) -> String {
    match &m.name {
        Some(name) => format!("\"{}\" <{}>", visible(name), visible(&m.address)),
        None => format!("<{}>", visible(&m.address)),
    }
}

fn hop(h: &HopFact) -> String {
    let mut text = visible(h.from_host.as_deref().unwrap_or("?"));
    if let Some(ip) = &h.from_ip {
        let _ = write!(text, " [{}]", visible(ip));
    }
    if let Some(helo) = &h.helo {
        let _ = write!(text, " HELO {}", visible(helo));
    }
    if let Some(by) = &h.by {
        let _ = write!(text, " → {}", visible(by));
    }
    text
}

/// `text` with every character that could hide, reorder or restyle what is shown replaced by its
/// code point, e.g. `<U+202E>`: control characters (terminal escapes included), bidi controls and
/// zero-width characters.
pub fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_hidden(c) {
            let _ = write!(out, "<U+{:04X}>", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Category, Evidence, LinkFact, RenderedFinding, Truncation};

    fn verdict(lang: Lang) -> Verdict {
        Verdict {
            level: Level::Dangerous,
            score: 88,
            lang,
            summary: "summary text".into(),
            findings: vec![RenderedFinding {
                id: "links.brand_in_path".into(),
                category: Category::Links,
                severity: Severity::High,
                score: 40,
                title: "Brand only in the path".into(),
                explanation: "The link names a brand but goes elsewhere.".into(),
                evidence: vec![Evidence { label: "URL".into(), value: "https://evil.example/kagoya.com".into() }],
                waived: false,
            }],
            facts: Facts {
                from: Some(Mailbox {
                    name: Some("Kagoya\u{202E}moc.\u{1b}[2J".into()),
                    address: "a@example.jp".into(),
                }),
                links: (0..25)
                    .map(|i| LinkFact {
                        url: format!("https://e.example/{i}"),
                        source: "href".into(),
                        ..LinkFact::default()
                    })
                    .collect(),
                ..Facts::default()
            },
            truncated: Truncation::default(),
        }
    }

    #[test]
    fn the_report_names_the_level_findings_and_facts() {
        let text = render(&verdict(Lang::En));
        assert!(text.starts_with("DANGEROUS · score 88/100\nsummary text\n"), "{text}");
        assert!(text.contains("[high] Brand only in the path  (links.brand_in_path)"));
        assert!(text.contains("URL: https://evil.example/kagoya.com"));
        assert!(text.contains("Links (25):"));
        assert!(text.contains("https://e.example/19\n"));
        assert!(!text.contains("https://e.example/20\n"));
        assert!(text.contains("… 5 more"));
    }

    #[test]
    fn the_report_speaks_japanese() {
        let text = render(&verdict(Lang::Ja));
        assert!(text.starts_with("危険 · スコア 88/100"), "{text}");
        assert!(text.contains("[高]"));
        assert!(text.contains("差出人:"));
    }

    #[test]
    fn hidden_characters_are_made_visible() {
        let text = render(&verdict(Lang::En));
        assert!(text.contains("\"Kagoya<U+202E>moc.<U+001B>[2J\" <a@example.jp>"), "{text}");
        assert!(!text.contains('\u{1b}') && !text.contains('\u{202E}'));
        assert_eq!(visible("a\u{200B}b\u{FEFF}c\nd"), "a<U+200B>b<U+FEFF>c<U+000A>d");
        assert_eq!(visible("日本語"), "日本語");
    }
}
