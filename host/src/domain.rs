//! Host-name helpers shared by the checkers: normalisation and registrable domains (Public Suffix List).

use std::borrow::Cow;

/// Longest host name DNS allows; anything longer is padding, and copying it around costs memory.
const MAX_HOST_BYTES: usize = 253;

/// Lower-cases a host, strips trailing dots, surrounding brackets and whitespace; `None` when nothing is
/// left or it is too long to be a host name. Idempotent: `example.com .` and `example.com` are one
/// host (found by fuzzing).
pub fn normalize_host(host: &str) -> Option<String> {
    trimmed_host(host).map(str::to_ascii_lowercase)
}

/// A host name without the spaces, brackets and final dot around it, if it is no longer than a name can be.
fn trimmed_host(host: &str) -> Option<&str> {
    let h = host
        .trim_start_matches(|c: char| c.is_whitespace() || c == '[')
        .trim_end_matches(|c: char| c.is_whitespace() || c == ']' || c == '.');
    (!h.is_empty() && h.len() <= MAX_HOST_BYTES).then_some(h)
}

/// The registrable domain ("eTLD+1") of a host name, e.g. `sv8630.xserver.jp` → `xserver.jp`,
/// `foo.example.co.jp` → `example.co.jp`. `None` for IP literals and bare suffixes.
pub fn registrable(host: &str) -> Option<String> {
    // Most names come lower-case already: copied only to lower them.
    let host = trimmed_host(host)?;
    let host: Cow<str> =
        if host.bytes().any(|b| b.is_ascii_uppercase()) { host.to_ascii_lowercase().into() } else { host.into() };
    // An IPv6 address has a colon and an IPv4 one only digits and dots: other names are not parsed as one.
    let may_be_ip = host.contains(':') || host.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    if may_be_ip && host.parse::<std::net::IpAddr>().is_ok() {
        return None;
    }
    let domain = psl::domain(host.as_bytes())?;
    // Only names under a suffix the list knows; an unknown TLD such as `.local` has no owner to compare.
    if !domain.suffix().is_known() {
        return None;
    }
    // The registrable domain is the end of `host` (psl slices its input), so it is taken from the
    // `str` rather than checked as UTF-8 again; `get` refuses an end that is not a character's start.
    host.get(host.len() - domain.as_bytes().len()..).map(str::to_owned)
}

/// The first label of a domain, its name without the suffix when `domain` is registrable
/// (`example.co.jp` → `example`).
pub fn first_label(domain: &str) -> &str {
    domain.split('.').next().unwrap_or(domain)
}

/// The host of an absolute URL, lower-case: what `url::Url::parse(url)?.host_str()` gives, lower-cased.
/// Most web addresses are `http(s)://` and a plain name, which is read here as it is written; any other
/// goes through the URL parser (percent escapes, IDNA, IP numbers, user names, ports, odd slashes).
pub fn url_host(url: &str) -> Option<String> {
    if let Some(host) = plain_web_host(url) {
        return Some(host.to_ascii_lowercase());
    }
    url::Url::parse(url).ok()?.host_str().map(str::to_ascii_lowercase)
}

/// The host of `http://…` or `https://…` (scheme in any case) when the URL parser takes it as written:
/// labels of ASCII letters, digits and hyphens, none empty nor `xn--` (IDNA would decode it), the last
/// starting with a letter (else it may be an IPv4 number), ended by `/`, `?`, `#` or the end of the URL
/// (no user name or port, which the parser checks). What follows the host never fails the parse.
fn plain_web_host(url: &str) -> Option<&str> {
    let bytes = url.as_bytes();
    let scheme_len = if bytes.get(..7)?.eq_ignore_ascii_case(b"http://") {
        7
    } else if bytes.get(..8)?.eq_ignore_ascii_case(b"https://") {
        8
    } else {
        return None;
    };
    let rest = &url[scheme_len..];
    let host_len =
        rest.bytes().position(|b| !(b.is_ascii_alphanumeric() || b == b'-' || b == b'.')).unwrap_or(rest.len());
    if !matches!(rest.as_bytes().get(host_len), None | Some(b'/' | b'?' | b'#')) {
        return None;
    }
    // ASCII up to `host_len`: a character boundary.
    let host = &rest[..host_len];
    let labels_plain = host
        .split('.')
        .all(|label| !label.is_empty() && !label.get(..4).is_some_and(|prefix| prefix.eq_ignore_ascii_case("xn--")));
    let last_is_name = host.rsplit('.').next().is_some_and(|last| last.starts_with(|c: char| c.is_ascii_alphabetic()));
    (labels_plain && last_is_name).then_some(host)
}

/// The domain part of an address (`user@Example.JP` → `example.jp`).
pub fn address_domain(address: &str) -> Option<String> {
    let (_, domain) = address.rsplit_once('@')?;
    normalize_host(domain)
}

/// Whether `host` is `domain` or a subdomain of it.
pub fn is_within(host: &str, domain: &str) -> bool {
    host == domain
        || (host.len() > domain.len()
            && host.ends_with(domain)
            && host.as_bytes()[host.len() - domain.len() - 1] == b'.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrable_domains() {
        assert_eq!(registrable("sv8630.xserver.jp").as_deref(), Some("xserver.jp"));
        assert_eq!(registrable("a.b.example.co.jp").as_deref(), Some("example.co.jp"));
        assert_eq!(registrable("MIWAMOKU.NET.").as_deref(), Some("miwamoku.net"));
        assert_eq!(registrable("183.181.84.151"), None);
        assert_eq!(registrable("co.jp"), None);
        assert_eq!(registrable("mailhost.local"), None);
    }

    #[test]
    fn normalizing_twice_changes_nothing() {
        for host in ["exGOA.CO .", "[ 192.0.2.1 ]", "a.example.com. .", " . "] {
            let once = normalize_host(host);
            assert_eq!(once.as_deref().and_then(normalize_host), once, "{host:?}");
        }
        assert_eq!(normalize_host("exGOA.CO .").as_deref(), Some("exgoa.co"));
    }

    #[test]
    fn names_longer_than_dns_allows_are_no_hosts() {
        let longest = format!("{}.example.com", "a".repeat(MAX_HOST_BYTES - ".example.com".len()));
        assert_eq!(normalize_host(&longest).map(|h| h.len()), Some(MAX_HOST_BYTES));
        assert_eq!(normalize_host(&format!("a{longest}")), None);
    }

    proptest::proptest! {
        #[test]
        fn url_hosts_are_those_the_url_parser_gives(
            scheme in "(https?|HTTP|hTtPs|ftp|http:|https:/)",
            labels in "(([a-zA-Z0-9-]|xn--|XN--){0,4}\\.){0,3}([a-zA-Z0-9-]|xn--){0,4}\\.?",
            junk in "(%41|@|:80|:|\\[|\\]|ｅ|é|\t| |\\.)?",
            after in "(/|\\?|#|\\\\|/path|:8080/|@x.example/| |\t)?",
        ) {
            let url = format!("{scheme}://{labels}{junk}{after}");
            let parser = url::Url::parse(&url).ok().and_then(|u| u.host_str().map(str::to_ascii_lowercase));
            proptest::prop_assert_eq!(url_host(&url), parser, "{:?}", url);
        }
    }

    #[test]
    fn plain_web_hosts_are_read_without_the_parser() {
        assert_eq!(plain_web_host("https://Login.Example.com/x?y"), Some("Login.Example.com"));
        assert_eq!(plain_web_host("HTTP://a-b.example"), Some("a-b.example"));
        for parsed in ["https://a.example:443/", "https://u@a.example/", "https://a..example/", "https://1.2.3.4/"] {
            assert_eq!(plain_web_host(parsed), None, "{parsed}");
        }
        for url in
            ["https://a.example:443/", "http://0x7f.1/", "https://xn--80ak6aa92e.com/", "https://ＡＢＣ.example/"]
        {
            assert!(url_host(url).is_some(), "{url}");
        }
    }

    #[test]
    fn first_labels_are_names_without_their_suffix() {
        assert_eq!(first_label("example.co.jp"), "example");
        assert_eq!(first_label("localhost"), "localhost");
    }

    #[test]
    fn within() {
        assert!(is_within("mail.kagoya.com", "kagoya.com"));
        assert!(is_within("kagoya.com", "kagoya.com"));
        assert!(!is_within("notkagoya.com", "kagoya.com"));
    }
}
