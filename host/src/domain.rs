//! Host-name helpers shared by the checkers: normalisation and registrable domains (Public Suffix List).

/// Longest host name DNS allows; anything longer is padding, and copying it around costs memory.
const MAX_HOST_BYTES: usize = 253;

/// Lower-cases a host, strips trailing dots, surrounding brackets and whitespace; `None` when nothing is
/// left or it is too long to be a host name. Idempotent: `example.com .` and `example.com` are one
/// host (found by fuzzing).
pub fn normalize_host(host: &str) -> Option<String> {
    let h = host
        .trim_start_matches(|c: char| c.is_whitespace() || c == '[')
        .trim_end_matches(|c: char| c.is_whitespace() || c == ']' || c == '.');
    (!h.is_empty() && h.len() <= MAX_HOST_BYTES).then(|| h.to_ascii_lowercase())
}

/// The registrable domain ("eTLD+1") of a host name, e.g. `sv8630.xserver.jp` → `xserver.jp`,
/// `foo.example.co.jp` → `example.co.jp`. `None` for IP literals and bare suffixes.
pub fn registrable(host: &str) -> Option<String> {
    let host = normalize_host(host)?;
    if host.parse::<std::net::IpAddr>().is_ok() {
        return None;
    }
    let domain = psl::domain(host.as_bytes())?;
    // Only names under a suffix the list knows; an unknown TLD such as `.local` has no owner to compare.
    if !domain.suffix().is_known() {
        return None;
    }
    std::str::from_utf8(domain.as_bytes()).ok().map(str::to_owned)
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

    #[test]
    fn within() {
        assert!(is_within("mail.kagoya.com", "kagoya.com"));
        assert!(is_within("kagoya.com", "kagoya.com"));
        assert!(!is_within("notkagoya.com", "kagoya.com"));
    }
}
