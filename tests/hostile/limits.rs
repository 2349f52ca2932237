//! The bounds of `mekiki::Limits`: message size, links, MIME nesting and parts, header sizes.

use std::fmt::Write as _;

use mekiki::Limits;
use mekiki::model::Context;

use crate::{analyze_bounded, analyze_bounded_with, finding_ids, message};

/// A text body of about `size` bytes in 76-character lines, with one link in it.
fn body_of_size(size: usize) -> Vec<u8> {
    let line = format!("{}\r\n", "a".repeat(76));
    let mut body = b"Sign in at https://phish.example.net/login now\r\n".to_vec();
    while body.len() < size {
        body.extend_from_slice(line.as_bytes());
    }
    body
}

#[test]
fn a_40_mb_message_gets_a_header_verdict_that_says_the_body_was_not_analyzed() {
    let raw = message("Content-Type: text/plain\r\n", &body_of_size(40 * 1024 * 1024));
    let verdict = analyze_bounded(&raw);
    assert!(verdict.truncated.body_not_analyzed);
    assert!(finding_ids(&verdict).contains(&"limits.body_not_analyzed"), "{:?}", finding_ids(&verdict));
    // The headers were still read…
    assert_eq!(verdict.facts.subject.as_deref(), Some("hostile test"));
    assert_eq!(verdict.facts.from.as_ref().map(|m| m.address.as_str()), Some("sender@example.com"));
    // …and the body was not.
    assert!(verdict.facts.links.is_empty(), "{:?}", verdict.facts.links);
}

#[test]
fn a_message_sent_as_its_header_section_is_analyzed_as_headers_only() {
    let whole = message("Content-Type: text/plain\r\n", &body_of_size(10_000));
    let header_end = whole.windows(4).position(|w| w == b"\r\n\r\n").expect("a header section") + 4;
    let sent = &whole[..header_end];
    let ctx = Context { message_size: Some(whole.len() as u64), ..Context::default() };
    let verdict = mekiki::analyze_with(sent, &ctx, &Limits::default());
    assert!(verdict.truncated.body_not_analyzed);
    assert!(finding_ids(&verdict).contains(&"limits.body_not_analyzed"), "{:?}", finding_ids(&verdict));
    assert_eq!(verdict.facts.subject.as_deref(), Some("hostile test"));

    // A size that is the message's own (or smaller) changes nothing.
    let ctx = Context { message_size: Some(whole.len() as u64), ..Context::default() };
    let full = mekiki::analyze_with(&whole, &ctx, &Limits::default());
    assert!(!full.truncated.body_not_analyzed);
    assert!(full.facts.links.iter().any(|l| l.url.starts_with("https://phish.example.net/")), "{:?}", full.facts);
}

#[test]
fn the_message_size_limit_is_configurable() {
    let raw = message("Content-Type: text/plain\r\n", &body_of_size(10_000));
    let small = Limits { max_body_bytes: 4_096, ..Limits::default() };
    let cut = analyze_bounded_with(&raw, &small);
    assert!(cut.truncated.body_not_analyzed);
    assert!(cut.facts.links.is_empty());
    assert_eq!(cut.facts.subject.as_deref(), Some("hostile test"));

    let whole = analyze_bounded(&raw);
    assert!(!whole.truncated.body_not_analyzed);
    assert!(!finding_ids(&whole).contains(&"limits.body_not_analyzed"));
    assert!(whole.facts.links.iter().any(|l| l.url.starts_with("https://phish.example.net/")), "{:?}", whole.facts);
}

#[test]
fn the_body_limit_message_names_the_limit() {
    let raw = message("", &body_of_size(3 * 1024 * 1024));
    let verdict = analyze_bounded_with(&raw, &Limits { max_body_bytes: 2 * 1024 * 1024, ..Limits::default() });
    let finding = verdict.findings.iter().find(|f| f.id == "limits.body_not_analyzed").expect("the finding");
    assert!(finding.explanation.contains("2 MB"), "{}", finding.explanation);
}

fn html_with_links(count: usize) -> Vec<u8> {
    let mut html = String::from("<html><body>");
    for i in 0..count {
        let _ = write!(html, "<a href=\"https://host{i}.example.com/p\">link {i}</a><br>\r\n");
    }
    html.push_str("</body></html>\r\n");
    message("Content-Type: text/html; charset=utf-8\r\n", html.as_bytes())
}

#[test]
fn a_hundred_thousand_links_are_capped_and_counted() {
    let verdict = analyze_bounded(&html_with_links(100_000));
    let kept = verdict.facts.links.len();
    let limit = Limits::default().max_links;
    assert_eq!(kept, limit, "links examined");
    assert_eq!(verdict.truncated.omitted.get("links"), Some(&(100_000 - kept)));
}

#[test]
fn the_link_cap_is_configurable() {
    let verdict = analyze_bounded_with(&html_with_links(50), &Limits { max_links: 10, ..Limits::default() });
    assert_eq!(verdict.facts.links.len(), 10);
    assert_eq!(verdict.truncated.omitted.get("links"), Some(&40));
}

#[test]
fn a_hundred_thousand_plain_text_urls_are_capped() {
    let mut body = String::new();
    for i in 0..100_000 {
        let _ = write!(body, "see https://t{i}.example.org/x and www.w{i}.example.org\r\n");
    }
    let verdict = analyze_bounded(&message("Content-Type: text/plain\r\n", body.as_bytes()));
    assert_eq!(verdict.facts.links.len(), Limits::default().max_links);
    assert!(verdict.truncated.omitted.get("links").is_some_and(|&n| n >= 100_000));
}

/// `depth` nested multipart/mixed containers around one HTML part with a link.
fn nested_multipart(depth: usize) -> Vec<u8> {
    let mut body = String::new();
    for level in 1..depth {
        let _ = write!(body, "--b{level}\r\nContent-Type: multipart/mixed; boundary=\"b{}\"\r\n\r\n", level + 1);
    }
    body.push_str(&format!(
        "--b{depth}\r\nContent-Type: text/html\r\n\r\n<a href=\"https://deep.example.net/\">deep</a>\r\n"
    ));
    for level in (1..=depth).rev() {
        let _ = write!(body, "--b{level}--\r\n");
    }
    message("Content-Type: multipart/mixed; boundary=\"b1\"\r\n", body.as_bytes())
}

#[test]
fn a_thousand_levels_of_multipart_nesting_do_not_overflow_the_stack() {
    let verdict = analyze_bounded(&nested_multipart(1_000));
    assert!(verdict.facts.links.iter().any(|l| l.url == "https://deep.example.net/"), "{:?}", verdict.facts.links);
}

/// `depth` messages each attached (message/rfc822, unencoded) inside the one before.
fn nested_messages(depth: usize) -> Vec<u8> {
    let mut raw = String::new();
    for level in 0..depth {
        let _ = write!(raw, "Subject: level {level}\r\nContent-Type: message/rfc822\r\n\r\n");
    }
    raw.push_str("Subject: innermost\r\nContent-Type: text/plain\r\n\r\nhello\r\n");
    message("", raw.as_bytes())
}

#[test]
fn a_thousand_nested_attached_messages_do_not_overflow_the_stack() {
    analyze_bounded(&nested_messages(1_000));
}

#[test]
fn a_hundred_thousand_nested_attached_messages_do_not_overflow_the_stack() {
    // 3 MB of nesting; dropping such a tree recursively would need far more than a thread's stack.
    analyze_bounded(&nested_messages(100_000));
}

#[test]
fn ten_thousand_parts() {
    let mut body = String::new();
    for i in 0..10_000 {
        let (ctype, disposition) = match i % 3 {
            0 => ("text/plain", "inline"),
            1 => ("text/html", "inline"),
            _ => ("application/octet-stream", "attachment; filename=\"file.exe\""),
        };
        let _ = write!(
            body,
            "--sep\r\nContent-Type: {ctype}\r\nContent-Disposition: {disposition}\r\n\r\n\
             part {i} <a href=\"https://p{i}.example.com/\">x</a>\r\n"
        );
    }
    body.push_str("--sep--\r\n");
    let raw = message("Content-Type: multipart/mixed; boundary=\"sep\"\r\n", body.as_bytes());
    let verdict = analyze_bounded(&raw);
    assert!(verdict.facts.attachments.len() <= Limits::default().max_attachments);
    assert!(verdict.facts.links.len() <= Limits::default().max_links);
    let max_parts = Limits::default().max_parts;
    assert_eq!(verdict.truncated.omitted.get("parts"), Some(&(10_000 - max_parts)));
    assert!(finding_ids(&verdict).contains(&"limits.parts_not_analyzed"));
    // The first parts were read: part 0's link is there, the last part's is not.
    assert!(verdict.facts.links.iter().any(|l| l.url == "https://p0.example.com/"));
    assert!(!verdict.facts.links.iter().any(|l| l.url == "https://p9999.example.com/"));

    let all = analyze_bounded_with(&raw, &Limits { max_parts: 10_000, ..Limits::default() });
    assert_eq!(all.truncated.omitted.get("parts"), None);
    assert!(!finding_ids(&all).contains(&"limits.parts_not_analyzed"));
}

#[test]
fn closing_delimiters_and_signatures_do_not_count_as_parts() {
    let body = "--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n-- \r\nsignature\r\n--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--\r\n";
    let raw = message("Content-Type: multipart/mixed; boundary=\"b\"\r\n", body.as_bytes());
    let verdict = analyze_bounded_with(&raw, &Limits { max_parts: 2, ..Limits::default() });
    assert_eq!(verdict.truncated.omitted.get("parts"), None);
}

#[test]
fn a_ten_megabyte_header_line() {
    let subject = format!("Subject: {}\r\n", "x".repeat(10 * 1024 * 1024));
    let from = format!("Reply-To: \"{}\" <a@example.com>\r\n", "n".repeat(1024 * 1024));
    let verdict = analyze_bounded(&message(&(subject + &from), b"hi\r\n"));
    assert!(verdict.facts.subject.is_some());
}

#[test]
fn a_hundred_thousand_headers_and_addresses() {
    let mut headers = String::new();
    for i in 0..30_000 {
        let _ = write!(
            headers,
            "Received: from h{i}.example.net (h{i}.example.net [192.0.2.{}]) by mx{i}.example.jp with ESMTP id {i}; \
             Sat, 28 Nov 2026 09:00:00 +0000\r\n",
            i % 250
        );
        let _ =
            write!(headers, "Authentication-Results: mx{i}.example.jp; spf=pass smtp.mailfrom=x{i}.example.com\r\n");
        let _ = write!(headers, "X-Filler-{i}: {i}\r\n");
    }
    headers.push_str("Cc: ");
    for i in 0..10_000 {
        let _ = write!(headers, "u{i}@d{i}.example.com, ");
    }
    headers.push_str("last@example.com\r\n");
    analyze_bounded(&message(&headers, b"body\r\n"));
}

#[test]
fn an_attachment_bomb_of_many_small_base64_parts_stays_bounded() {
    let mut body = String::new();
    for i in 0..5_000 {
        let _ = write!(
            body,
            "--z\r\nContent-Type: application/zip; name=\"a{i}.zip\"\r\nContent-Transfer-Encoding: base64\r\n\
             Content-Disposition: attachment; filename=\"invoice{i}.pdf.exe\"\r\n\r\nUEsDBBQAAAAIAA==\r\n"
        );
    }
    body.push_str("--z--\r\n");
    let verdict = analyze_bounded(&message("Content-Type: multipart/mixed; boundary=\"z\"\r\n", body.as_bytes()));
    assert_eq!(verdict.facts.attachments.len(), Limits::default().max_attachments);
}

#[test]
fn a_spent_time_budget_skips_the_checkers_and_says_so() {
    let raw = html_with_links(10);
    let verdict = analyze_bounded_with(&raw, &Limits { time_budget: std::time::Duration::ZERO, ..Limits::default() });
    let finding = verdict.findings.iter().find(|f| f.id == "limits.time_budget_exceeded").expect("the finding");
    assert!(
        finding.explanation.contains("links") && finding.explanation.contains("content"),
        "{}",
        finding.explanation
    );
    assert_eq!(verdict.truncated.omitted.get("checks"), Some(&7));
    // The facts are gathered before the checkers and still reported.
    assert_eq!(verdict.facts.links.len(), 10);

    let unhurried = analyze_bounded(&raw);
    assert!(!finding_ids(&unhurried).contains(&"limits.time_budget_exceeded"));
    assert_eq!(unhurried.truncated.omitted.get("checks"), None);
}

#[test]
fn address_headers_are_read_up_to_the_cap() {
    let mut to = String::from("To: ");
    for i in 0..50_000 {
        let _ = write!(to, "u{i}@d{i}.example.com, ");
    }
    to.push_str("last@example.com\r\n");
    let raw = format!("From: a@example.com\r\n{to}Subject: s\r\n\r\nhi\r\n");
    let verdict = analyze_bounded(raw.as_bytes());
    assert_eq!(verdict.facts.to.len(), Limits::default().max_addresses);
    let verdict = analyze_bounded_with(raw.as_bytes(), &Limits { max_addresses: 3, ..Limits::default() });
    assert_eq!(verdict.facts.to, ["u0@d0.example.com", "u1@d1.example.com", "u2@d2.example.com"]);
}

#[test]
fn the_subject_and_display_names_are_examined_up_to_the_cap() {
    let raw = format!(
        "From: a@example.com\r\nReply-To: \"{}\" <r@example.com>\r\nSubject: {}\r\n\r\nhi\r\n",
        "名".repeat(100_000),
        "件".repeat(100_000)
    );
    let limits = Limits { max_header_chars: 1_000, ..Limits::default() };
    let verdict = analyze_bounded_with(raw.as_bytes(), &limits);
    assert_eq!(verdict.facts.subject.as_ref().map(|s| s.chars().count()), Some(1_000));
    let name = verdict.facts.reply_to.and_then(|m| m.name).expect("a Reply-To name");
    assert_eq!(name.chars().count(), 1_000);
}

#[test]
fn a_host_name_longer_than_dns_allows_is_not_copied_into_the_verdict() {
    let host = "h".repeat(1024 * 1024);
    let raw = message(
        &format!("Received: from {host} ({host} [192.0.2.1]) by mx.example.jp; Sat, 28 Nov 2026 09:00:00 +0000\r\n"),
        format!("<a href=\"https://{host}.example.com/\">x</a> mail me at a@{host}.example.com\r\n").as_bytes(),
    );
    let verdict = analyze_bounded(&raw);
    let json = serde_json::to_string(&verdict).unwrap();
    assert!(json.len() < 100_000, "a {} byte verdict", json.len());
    assert_eq!(verdict.facts.hops.len(), 1);
    assert_eq!(verdict.facts.hops[0].from_host, None);
}

#[test]
fn padding_headers_are_cut_but_the_sender_and_subject_are_kept() {
    let mut raw = String::from("Received: from a.example.net by mx.example.jp; Sat, 28 Nov 2026 09:00:00 +0000\r\n");
    for i in 0..50_000 {
        let _ = write!(raw, "X-Pad-{i}: {i}\r\n\t continued\r\n");
    }
    raw.push_str("From: PayPal <service@paypal.example.net>\r\nSubject: verify\r\nSubject: second\r\n");
    raw.push_str("Content-Type: text/html\r\n\r\n<a href=\"https://kept.example.com/\">x</a>\r\n");
    let verdict = analyze_bounded(raw.as_bytes());
    let max_headers = Limits::default().max_headers;
    // 50,001 fields before the key ones; the second Subject goes too.
    assert_eq!(verdict.truncated.omitted.get("headers"), Some(&(50_001 - max_headers + 1)));
    assert!(finding_ids(&verdict).contains(&"limits.headers_not_analyzed"));
    assert_eq!(verdict.facts.from.map(|m| m.address).as_deref(), Some("service@paypal.example.net"));
    assert_eq!(verdict.facts.subject.as_deref(), Some("verify"));
    assert!(verdict.facts.links.iter().any(|l| l.url == "https://kept.example.com/"), "the body is still read");
    assert_eq!(verdict.facts.hops.len(), 1);
}

#[test]
fn the_header_cap_is_configurable_and_ordinary_mail_is_not_cut() {
    let raw = message("X-A: 1\r\nX-B: 2\r\n", b"hi\r\n");
    assert_eq!(analyze_bounded(&raw).truncated.omitted.get("headers"), None);
    let verdict = analyze_bounded_with(&raw, &Limits { max_headers: 2, ..Limits::default() });
    // message() writes From, To, Subject, Message-ID, Date, MIME-Version, then the two X- fields.
    assert_eq!(verdict.truncated.omitted.get("headers"), Some(&2));
    assert_eq!(verdict.facts.subject.as_deref(), Some("hostile test"));
}

#[test]
fn an_overlong_header_field_is_cut() {
    let subject = format!("Subject: {}\r\n", "=?utf-8?b?44GC?= ".repeat(100_000));
    let from = format!("From: \"{}\" <a@example.com>\r\n", "n".repeat(5_000));
    let raw = format!("{from}{subject}\r\nhi\r\n");
    let raw = raw.as_bytes();
    let limits = Limits { max_field_bytes: 1_000, ..Limits::default() };
    let verdict = analyze_bounded_with(raw, &limits);
    assert_eq!(verdict.truncated.omitted.get("header_bytes"), Some(&(subject.len() - 1_000)));
    // Address fields are never cut: their address would go with the rest.
    assert_eq!(verdict.facts.from.map(|m| m.address).as_deref(), Some("a@example.com"));
    // The first Subject field, cut to its first 1,000 bytes: 58 encoded words and a part of one.
    let shown = verdict.facts.subject.expect("a subject");
    assert!(shown.starts_with("あああ") && shown.chars().count() < 100, "{shown}");
    assert_eq!(analyze_bounded(&message("", b"hi\r\n")).truncated.omitted.get("header_bytes"), None);
}
