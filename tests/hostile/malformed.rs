//! Malformed messages: NUL bytes, invalid UTF-8, broken transfer encodings, unterminated multiparts,
//! stray line endings, and bytes that are no message at all. Each still gets a verdict; the fixtures
//! `tests/fixtures/hostile-*.eml` also have golden expectations (tests/golden.rs).

use std::fmt::Write as _;

use crate::{analyze_bounded, finding_ids, message, repo};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(repo().join("tests/fixtures").join(name)).expect("fixture exists")
}

#[test]
fn every_hostile_fixture_gets_a_bounded_verdict() {
    let mut seen = 0;
    for entry in std::fs::read_dir(repo().join("tests/fixtures")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("hostile-") && name.ends_with(".eml") {
            analyze_bounded(&std::fs::read(&path).unwrap());
            seen += 1;
        }
    }
    assert!(seen >= 5, "only {seen} hostile fixtures");
}

#[test]
fn nul_bytes_do_not_hide_the_sender_or_the_link() {
    let verdict = analyze_bounded(&fixture("hostile-nul-bytes.eml"));
    let from = verdict.facts.from.expect("a From despite NULs");
    assert!(from.address.starts_with("service@"), "{from:?}");
    let link = verdict.facts.links.first().expect("the link after NUL bytes is still seen");
    // HTML parsers drop NUL from text: the reader sees `paypal.com`, and so must the link checks.
    assert_eq!(link.text.as_deref(), Some("paypal.com"));
}

#[test]
fn invalid_utf8_everywhere_still_yields_text() {
    let verdict = analyze_bounded(&fixture("hostile-invalid-utf8.eml"));
    assert!(verdict.facts.subject.is_some());
    assert!(verdict.facts.from.is_some());
    // All text in the verdict is valid UTF-8 by type; it must also survive JSON.
    let json = serde_json::to_string(&verdict).unwrap();
    assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok());
}

#[test]
fn broken_base64_and_quoted_printable_are_decoded_as_far_as_possible() {
    let verdict = analyze_bounded(&fixture("hostile-broken-encodings.eml"));
    assert!(verdict.facts.links.iter().any(|l| l.url.contains("qp.example.com")), "{:?}", verdict.facts.links);
}

#[test]
fn an_unterminated_multipart_is_read_to_the_end() {
    let verdict = analyze_bounded(&fixture("hostile-unterminated-multipart.eml"));
    assert!(
        verdict.facts.links.iter().any(|l| l.url.contains("unterminated.example.net")),
        "{:?}",
        verdict.facts.links
    );
}

#[test]
fn stray_line_endings_and_header_garbage() {
    analyze_bounded(&fixture("hostile-line-endings.eml"));
}

#[test]
fn bytes_that_are_no_message() {
    let inputs: Vec<Vec<u8>> = vec![
        vec![],
        b"\n".to_vec(),
        b"\r\n\r\n".to_vec(),
        b":".to_vec(),
        b"From:".to_vec(),
        b"From: <@>\r\n\r\n".to_vec(),
        b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x".to_vec(),
        b"Content-Type: message/rfc822\r\n\r\n".to_vec(),
        (0..=255u8).collect(),
        (0..=255u8).cycle().take(100_000).collect(),
        vec![0u8; 1_000_000],
        vec![b'\n'; 1_000_000],
        b"=?".repeat(100_000),
        b"<a href=".repeat(100_000),
    ];
    for raw in &inputs {
        analyze_bounded(raw);
    }
}

#[test]
fn random_bytes_get_a_verdict() {
    // A fixed xorshift stream: reproducible noise of several sizes, some behind a valid header block.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut noise = |len: usize| -> Vec<u8> {
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect()
    };
    for len in [1, 7, 100, 4_096, 1 << 20] {
        analyze_bounded(&noise(len));
        analyze_bounded(&message("Content-Type: text/html\r\n", &noise(len)));
    }
}

#[test]
fn a_hundred_thousand_encoded_words_in_one_subject() {
    let mut subject = String::from("Subject: ");
    for i in 0..100_000 {
        let _ = write!(subject, "=?utf-8?B?{}?= ", if i % 2 == 0 { "44GC" } else { "!!" });
    }
    subject.push_str("\r\n");
    let verdict = analyze_bounded(&message(&subject, b"x\r\n"));
    assert!(verdict.facts.subject.is_some());
}

#[test]
fn a_message_that_is_only_headers() {
    let verdict = analyze_bounded(b"From: a@example.com\r\nSubject: no body");
    assert!(!finding_ids(&verdict).contains(&"limits.not_a_message"), "{:?}", finding_ids(&verdict));
}

/// One character outside the base64 alphabet makes mail-parser give up on a part and file it as an
/// attachment; mail clients skip the character and show the page. The engine must see it too.
#[test]
fn a_stray_character_in_a_base64_html_body_does_not_hide_it() {
    use base64::Engine as _;
    let html = "<html><body><a href=\"https://evasion.example.net/login\">Sign in</a></body></html>";
    let mut encoded = base64::engine::general_purpose::STANDARD.encode(html);
    encoded.insert(20, '!');
    let single = message("Content-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n", encoded.as_bytes());
    let multi = message(
        "Content-Type: multipart/alternative; boundary=\"b\"\r\n",
        format!(
            "--b\r\nContent-Type: text/plain\r\n\r\nplain\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{encoded}\r\n--b--\r\n"
        )
        .as_bytes(),
    );
    // A lone plain-text part: mail-parser keeps it as the body, but still encoded.
    let mut plain = base64::engine::general_purpose::STANDARD.encode("Sign in: https://evasion.example.net/login now");
    plain.insert(8, '*');
    let plain = message("Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n", plain.as_bytes());
    for raw in [single, multi, plain] {
        let verdict = analyze_bounded(&raw);
        assert!(
            verdict.facts.links.iter().any(|l| l.url == "https://evasion.example.net/login"),
            "{:?}",
            verdict.facts.links
        );
    }
}

#[test]
fn a_double_equals_in_a_quoted_printable_html_body_does_not_hide_it() {
    let body = "<a href=3D\"https://qp-evasion.example.net/\">x</a> ==\r\n";
    let raw = message("Content-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable\r\n", body.as_bytes());
    let verdict = analyze_bounded(&raw);
    assert!(
        verdict.facts.links.iter().any(|l| l.url == "https://qp-evasion.example.net/"),
        "{:?}",
        verdict.facts.links
    );
}

#[test]
fn a_broken_attachment_is_not_read_as_a_body() {
    let raw = message(
        "Content-Type: multipart/mixed; boundary=\"b\"\r\n",
        b"--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b\r\nContent-Type: text/html; name=\"page.html\"\r\n\
          Content-Disposition: attachment; filename=\"page.html\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\
          PGEgaHJlZj0iaHR0cHM6Ly9hdHQuZXhhbXBsZS5uZXQvIj54PC9hPg!!\r\n--b--\r\n",
    );
    let verdict = analyze_bounded(&raw);
    assert!(!verdict.facts.links.iter().any(|l| l.url.contains("att.example.net")), "{:?}", verdict.facts.links);
}
