//! Finding an e-mail address inside a URL, however it was written: as is, percent-encoded, base64
//! (standard or URL-safe, padded or not) or hex. Phishing kits put the victim's address in the link
//! to pre-fill a fake login page and to track who clicked.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Shortest base64 / hex token worth decoding: `a@b.jp` takes 8 base64 or 12 hex characters.
const MIN_BASE64: usize = 8;
const MIN_HEX: usize = 12;
/// Longest decoded value shown as evidence.
const MAX_SHOWN: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Plain,
    Percent,
    Base64,
    Hex,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Plain => "plain",
            Encoding::Percent => "percent-encoded",
            Encoding::Base64 => "base64",
            Encoding::Hex => "hex",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub address: String,
    pub encoding: Encoding,
    /// The decoded token that holds the address, as shown to the user.
    pub decoded: String,
}

const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const STANDARD: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, LENIENT);
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, LENIENT);

/// Looks for any of `addresses` (lower-case) in `url`; returns the first found.
pub fn find_address(url: &str, addresses: &[String]) -> Option<Found> {
    let addresses: Vec<&str> = addresses.iter().map(String::as_str).filter(|a| a.contains('@')).collect();
    if addresses.is_empty() {
        return None;
    }
    // Every address holds an `@`: text without one (most URLs, most tokens) holds none of them.
    let has_at = |text: &[u8]| memchr::memchr(b'@', text).is_some();
    let lower = has_at(url.as_bytes()).then(|| url.to_ascii_lowercase());
    if let Some(a) = lower.and_then(|lower| addresses.iter().find(|a| lower.contains(*a))) {
        return Some(Found { address: a.to_string(), encoding: Encoding::Plain, decoded: a.to_string() });
    }
    // Twice: an address in a URL parameter of a tracking URL is often encoded twice (`%2540`).
    let once = percent_decode(url);
    let decoded = if once.contains('%') { percent_decode(&once) } else { once };
    let decoded_lower = has_at(decoded.as_bytes()).then(|| decoded.to_ascii_lowercase());
    if let Some(a) = decoded_lower.and_then(|lower| addresses.iter().find(|a| lower.contains(*a))) {
        return Some(Found { address: a.to_string(), encoding: Encoding::Percent, decoded: a.to_string() });
    }
    // Base64 and hex tokens sit in path segments and query values; skip the scheme and host.
    let rest = decoded.split_once("//").map_or(decoded.as_str(), |(_, r)| r);
    let rest = rest.find(['/', '?', '#']).map_or("", |i| &rest[i..]);
    // A token decodes to at most three bytes for four characters (base64; hex to fewer), and each
    // character of the decoded text takes a byte at least: shorter tokens hold no address.
    let shortest = addresses.iter().map(|a| a.chars().count()).min().unwrap_or(0);
    for token in tokens(rest).filter(|token| token.len() * 3 / 4 >= shortest) {
        for (encoding, bytes) in decodings(token).into_iter().filter(|(_, bytes)| has_at(bytes)) {
            let text = String::from_utf8_lossy(&bytes).to_ascii_lowercase();
            if let Some(a) = addresses.iter().find(|a| text.contains(*a)) {
                let shown: String = String::from_utf8_lossy(&bytes).chars().take(MAX_SHOWN).collect();
                return Some(Found { address: a.to_string(), encoding, decoded: shown });
            }
        }
    }
    None
}

/// `%XX` sequences to bytes (invalid ones kept as written), read as UTF-8 with replacement.
pub fn percent_decode(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len());
    // The text between escapes is copied as it is, found with memchr.
    let mut rest = s.as_bytes();
    while let Some(at) = memchr::memchr(b'%', rest) {
        let (before, escape) = rest.split_at(at);
        out.extend_from_slice(before);
        let hex = |i: usize| escape.get(i).and_then(|b| (*b as char).to_digit(16));
        let used = match (hex(1), hex(2)) {
            (Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                3
            }
            _ => {
                out.push(b'%');
                1
            }
        };
        rest = escape.get(used..).unwrap_or_default();
    }
    out.extend_from_slice(rest);
    String::from_utf8(out).unwrap_or_else(|invalid| String::from_utf8_lossy(invalid.as_bytes()).into_owned())
}

fn is_base64_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '-' | '_')
}

/// Candidate tokens: maximal runs of base64 characters (trailing `=` padding dropped), and — because
/// `/` is also the path separator — each `/`-separated piece of a run.
fn tokens(s: &str) -> impl Iterator<Item = &str> {
    base64_runs(s).filter(|run| run.len() >= MIN_BASE64).flat_map(|run| {
        let pieces = run.contains('/').then(|| run.split('/').filter(|p| p.len() >= MIN_BASE64));
        std::iter::once(run).chain(pieces.into_iter().flatten())
    })
}

/// The maximal runs of base64 characters of `s` (what splitting it on the other characters gives,
/// less the empty pieces), read byte by byte: base64 characters are ASCII, so a run starts and ends on
/// character boundaries, and no byte of another character is one of them.
fn base64_runs(s: &str) -> impl Iterator<Item = &str> {
    // A byte of a multi-byte character is no ASCII character: `char::from` makes it a Latin-1 one.
    let is_base64 = |b: &u8| is_base64_char(char::from(*b));
    let bytes = s.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        let start = at + bytes[at..].iter().position(is_base64)?;
        at = start + bytes[start..].iter().position(|b| !is_base64(b)).unwrap_or(bytes.len() - start);
        Some(&s[start..at])
    })
}

/// The ways a token may decode: hex when it is all hex digits, else base64 in the alphabet its
/// characters allow.
fn decodings(token: &str) -> Vec<(Encoding, Vec<u8>)> {
    let mut out = Vec::new();
    if token.len() >= MIN_HEX && token.len().is_multiple_of(2) && token.bytes().all(|b| b.is_ascii_hexdigit()) {
        let hex: Option<Vec<u8>> = token
            .as_bytes()
            .chunks(2)
            .map(|pair| std::str::from_utf8(pair).ok().and_then(|p| u8::from_str_radix(p, 16).ok()))
            .collect();
        out.extend(hex.map(|bytes| (Encoding::Hex, bytes)));
    }
    // A length of 4n+1 is never valid base64: the last character is noise (or a separator).
    let usable = if token.len() % 4 == 1 { &token[..token.len() - 1] } else { token };
    let engine = if usable.contains(['-', '_']) { &URL_SAFE } else { &STANDARD };
    if !(usable.contains(['-', '_']) && usable.contains(['+', '/'])) {
        out.extend(engine.decode(usable).ok().map(|bytes| (Encoding::Base64, bytes)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::{STANDARD as STD_PAD, URL_SAFE_NO_PAD};

    proptest::proptest! {
        #[test]
        fn base64_runs_are_the_pieces_between_other_characters(text in "[aZ9+/_=%é漢 -]{0,30}") {
            let pieces: Vec<&str> = text.split(|c: char| !is_base64_char(c)).filter(|p| !p.is_empty()).collect();
            proptest::prop_assert_eq!(base64_runs(&text).collect::<Vec<_>>(), pieces);
        }
    }

    fn me() -> Vec<String> {
        vec!["hiroshi@example.jp".to_string()]
    }

    fn found(url: &str) -> Option<(Encoding, String)> {
        find_address(url, &me()).map(|f| (f.encoding, f.decoded))
    }

    #[test]
    fn seed_base64_in_query() {
        assert_eq!(
            found("https://miwamoku.net/activemail.kagoya.com/?e=aGlyb3NoaUBleGFtcGxlLmpw"),
            Some((Encoding::Base64, "hiroshi@example.jp".into()))
        );
    }

    #[test]
    fn plain_and_percent_encoded() {
        assert_eq!(found("https://x.example/?u=Hiroshi@Example.jp").unwrap().0, Encoding::Plain);
        assert_eq!(found("https://x.example/?u=hiroshi%40example.jp").unwrap().0, Encoding::Percent);
        assert_eq!(
            found("https://x.example/r?to=https%3A%2F%2Fy%2F%3Fm%3Dhiroshi%2540example.jp").unwrap().0,
            Encoding::Percent
        );
    }

    #[test]
    fn percent_escapes_decode_and_broken_ones_stay_as_written() {
        assert_eq!(percent_decode("a%41b%4"), "aAb%4");
        assert_eq!(percent_decode("%%41%"), "%A%");
        assert_eq!(percent_decode("%zz%E3%81%82"), "%zzあ");
        assert_eq!(percent_decode("%ff-"), "\u{FFFD}-");
        assert_eq!(percent_decode("no escapes"), "no escapes");
    }

    #[test]
    fn base64_variants_padded_or_not_in_path_or_query() {
        let payloads = ["hiroshi@example.jp", "{\"mail\":\"hiroshi@example.jp\"}", "id=7&hiroshi@example.jp??"];
        for payload in payloads {
            let std_padded = STD_PAD.encode(payload);
            let url_safe = URL_SAFE_NO_PAD.encode(payload);
            for url in [
                format!("https://x.example/?e={std_padded}"),
                format!("https://x.example/?e={}", std_padded.replace('=', "%3D")),
                format!("https://x.example/login/{url_safe}/next"),
                format!("https://x.example/#{url_safe}"),
            ] {
                assert_eq!(found(&url), Some((Encoding::Base64, payload.to_string())), "{url}");
            }
        }
    }

    #[test]
    fn hex_encoded() {
        let hex: String = "hiroshi@example.jp".bytes().map(|b| format!("{b:02x}")).collect();
        assert_eq!(found(&format!("https://x.example/t/{hex}")), Some((Encoding::Hex, "hiroshi@example.jp".into())));
        assert_eq!(found(&format!("https://x.example/t?h={}", hex.to_uppercase())).unwrap().0, Encoding::Hex);
    }

    #[test]
    fn other_addresses_and_noise_are_not_found() {
        let other = STD_PAD.encode("someone@example.jp");
        assert_eq!(found(&format!("https://x.example/?e={other}")), None);
        assert_eq!(found("https://x.example/aGlyb3NoaUBleGFtcGxlL/mpw"), None);
        assert_eq!(found("https://hiroshi.example.jp/"), None);
        assert_eq!(find_address("https://x.example/?u=hiroshi@example.jp", &["not-an-address".into()]), None);
    }
}
