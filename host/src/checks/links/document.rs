//! Links inside attached PDF documents. A lure that puts its link in a PDF keeps it out of the mail's
//! text, where filters look; the reader opens the PDF and clicks it all the same. Only what the file
//! writes in the open is read (link actions `/URI (…)` or `/URI <…>` in uncompressed objects):
//! compressed object streams are not inflated. The scan is one forward pass with bounded look-ahead.

use memchr::memmem;

use super::extract::make_link;
use super::{Link, LinkSource};

/// Links taken from one document, and attempts at reading one in all the documents of a message (each
/// reads at most `MAX_STRING_BYTES`, so the work per message stays bounded however many are attached).
const MAX_LINKS_PER_DOCUMENT: usize = 50;
pub const MAX_ATTEMPTS_PER_MESSAGE: usize = 500;
/// Longest PDF string read as a URI, in bytes of the file.
const MAX_STRING_BYTES: usize = 8 * 1024;
/// Where the `%PDF-` header may start: readers accept some junk before it.
const HEADER_WINDOW: usize = 1024;

/// Whether the bytes are a PDF file, whatever the attachment's name or declared type says.
pub fn is_pdf(bytes: &[u8]) -> bool {
    memmem::find(&bytes[..bytes.len().min(HEADER_WINDOW)], b"%PDF-").is_some()
}

/// The links a PDF's link actions open, in file order, without repeats; each string read takes one of
/// `attempts_left`.
pub fn pdf_links(bytes: &[u8], attempts_left: &mut usize) -> Vec<Link> {
    let mut links: Vec<Link> = Vec::new();
    for at in memmem::find_iter(bytes, b"/URI") {
        if *attempts_left == 0 || links.len() >= MAX_LINKS_PER_DOCUMENT {
            break;
        }
        let rest = bytes.get(at + 4..).unwrap_or_default();
        let start = rest.iter().position(|&b| !is_pdf_space(b)).unwrap_or(rest.len());
        let value = &rest[start..];
        let uri = match value {
            [b'(', body @ ..] => {
                *attempts_left -= 1;
                literal_string(body)
            }
            [b'<', next, ..] if *next != b'<' => {
                *attempts_left -= 1;
                hex_string(&value[1..])
            }
            _ => None,
        };
        let Some(link) = uri.and_then(|u| make_link(u, None, None, LinkSource::Document)) else { continue };
        if !links.iter().any(|l| l.url == link.url) {
            links.push(link);
        }
    }
    links
}

fn is_pdf_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

/// A PDF literal string after its `(`: balanced parentheses, backslash escapes (`\)`, `\\`, `\ddd`
/// octal, `\n`…). `None` when it does not close within `MAX_STRING_BYTES`.
fn literal_string(body: &[u8]) -> Option<String> {
    let body = &body[..body.len().min(MAX_STRING_BYTES)];
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(&b) = body.get(i) {
        i += 1;
        match b {
            b'\\' => {
                let &e = body.get(i)?;
                i += 1;
                match e {
                    b'n' => out.push(b'\n'),
                    b'r' => out.push(b'\r'),
                    b't' => out.push(b'\t'),
                    b'b' => out.push(0x08),
                    b'f' => out.push(0x0c),
                    b'0'..=b'7' => {
                        let mut value = u32::from(e - b'0');
                        for _ in 0..2 {
                            match body.get(i) {
                                Some(&d @ b'0'..=b'7') => {
                                    value = value * 8 + u32::from(d - b'0');
                                    i += 1;
                                }
                                _ => break,
                            }
                        }
                        out.push((value & 0xff) as u8);
                    }
                    // A backslash before a line break continues the string on the next line.
                    b'\r' => {
                        if body.get(i) == Some(&b'\n') {
                            i += 1;
                        }
                    }
                    b'\n' => {}
                    other => out.push(other),
                }
            }
            b'(' => {
                depth += 1;
                out.push(b);
            }
            b')' if depth == 0 => return Some(decode_text(&out)),
            b')' => {
                depth -= 1;
                out.push(b);
            }
            _ => out.push(b),
        }
    }
    None
}

/// A PDF hex string after its `<`: hex digit pairs up to `>`, white space ignored, an odd last digit
/// padded with 0. `None` on any other character or when it does not close within `MAX_STRING_BYTES`.
fn hex_string(body: &[u8]) -> Option<String> {
    let body = &body[..body.len().min(MAX_STRING_BYTES)];
    let mut out = Vec::new();
    let mut high: Option<u8> = None;
    for &b in body {
        let digit = match b {
            b'>' => {
                out.extend(high.map(|h| h << 4));
                return Some(decode_text(&out));
            }
            _ if is_pdf_space(b) => continue,
            _ => (b as char).to_digit(16)? as u8,
        };
        match high.take() {
            Some(h) => out.push(h << 4 | digit),
            None => high = Some(digit),
        }
    }
    None
}

/// URIs are ASCII by the standard; a UTF-16 string (byte-order mark FE FF) is read as such, anything
/// else as UTF-8 with bad bytes replaced.
fn decode_text(bytes: &[u8]) -> String {
    match bytes {
        [0xfe, 0xff, rest @ ..] => {
            let units: Vec<u16> = rest.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
            String::from_utf16_lossy(&units)
        }
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(pdf: &[u8]) -> Vec<String> {
        pdf_links(pdf, &mut MAX_ATTEMPTS_PER_MESSAGE.clone()).into_iter().map(|l| l.url).collect()
    }

    #[test]
    fn link_actions_written_as_literal_or_hex_strings() {
        let pdf =
            b"%PDF-1.4\n1 0 obj <</Type/Annot/Subtype/Link/A <</S/URI/URI(https://login.example.net/a\\(1\\))>> >>\n\
2 0 obj <</A <</S /URI /URI <68747470733A2F2F782E6578616D706C652E6F7267>>> >>\n\
3 0 obj <</A <</S/URI/URI (https\\072\\057\\057pay.example.site\\057\\077id\\0751)>> >>\n\
4 0 obj <</A <</S/URI/URI(https://login.example.net/a\\(1\\))>> >>\n%%EOF";
        assert_eq!(
            urls(pdf),
            ["https://login.example.net/a(1)", "https://x.example.org", "https://pay.example.site/?id=1"]
        );
        assert!(pdf_links(pdf, &mut 10).iter().all(|l| l.source == LinkSource::Document));
        // The attempts are shared: a spent budget reads nothing more.
        assert!(pdf_links(pdf, &mut 0).is_empty());
        assert_eq!(pdf_links(pdf, &mut 1).len(), 1);
    }

    #[test]
    fn not_links_and_unterminated_strings_are_skipped() {
        // A relative or mail link is no link out; an unclosed string or a dictionary is not a URI.
        assert!(
            urls(b"%PDF-1.7 /URI (mailto:a@example.org) /URI (#page=2) /URI <</X 1>> /URI (https://a.example")
                .is_empty()
        );
        assert!(urls(b"%PDF-1.7 /URI <6874zz>").is_empty());
        // UTF-16 with a byte-order mark.
        assert_eq!(
            urls(b"%PDF-1.7 /URI <FEFF0068007400740070003A002F002F0061002E00650078002E0063006F006D>"),
            ["http://a.ex.com"]
        );
    }

    #[test]
    fn the_scan_is_bounded_on_hostile_input() {
        // Many unterminated strings: each attempt reads a bounded window, attempts are capped.
        let mut pdf = b"%PDF-1.4\n".to_vec();
        pdf.extend(b"/URI (".repeat(200_000));
        let mut attempts_left = MAX_ATTEMPTS_PER_MESSAGE;
        assert!(pdf_links(&pdf, &mut attempts_left).is_empty());
        assert_eq!(attempts_left, 0, "reading stops when the message's attempts are spent");
        let many: Vec<u8> = (0..500).flat_map(|i| format!("/URI (https://h{i}.example.org/)").into_bytes()).collect();
        assert_eq!(urls(&many).len(), MAX_LINKS_PER_DOCUMENT);
    }

    #[test]
    fn pdf_recognised_by_its_header() {
        assert!(is_pdf(b"%PDF-1.7\n..."));
        assert!(is_pdf(b"\r\n\r\n%PDF-1.4"));
        let mut late = vec![b'x'; HEADER_WINDOW];
        late.extend(b"%PDF-1.4");
        assert!(!is_pdf(&late));
        assert!(!is_pdf(b"GIF89a"));
    }
}
