//! Brand and infrastructure knowledge (`data/brands.toml`, `data/providers.toml`, `data/web.toml`),
//! validated and compiled once. Checkers ask questions of it; they never carry their own lists.

use std::collections::{HashMap, HashSet};
use std::sync::{LazyLock, OnceLock};

use aho_corasick::{AhoCorasick, MatchKind};
use anyhow::{Context as _, Result, ensure};
use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;

use crate::domain;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Brand {
    /// Stable id, e.g. `kagoya`.
    pub id: String,
    /// How the brand is shown to people, in every script it is written in (display-name matching).
    pub names: Vec<String>,
    /// Registrable domains the brand legitimately sends mail from and links to.
    pub domains: Vec<String>,
    /// Distinctive ASCII strings that name the brand inside host names and URL paths (≥ 4 chars).
    #[serde(default)]
    pub tokens: Vec<String>,
}

impl Brand {
    /// The name to show a user: the first listed.
    pub fn label(&self) -> &str {
        &self.names[0]
    }

    pub fn owns_domain(&self, registrable: &str) -> bool {
        self.domains.iter().any(|d| d == registrable)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BrandFile {
    brand: Vec<Brand>,
}

/// A known open redirector: URLs on `domain` whose path starts with `path` forward to a parameter.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Redirector {
    pub domain: String,
    pub path: String,
}

/// `data/providers.toml`: mail infrastructure (see the comments in the file).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProviderFile {
    hosting: Vec<String>,
    mail_service: Vec<String>,
    freemail: Vec<String>,
    #[serde(default)]
    shared_sender_domains: Vec<String>,
    #[serde(default)]
    abused_tlds: Vec<String>,
    #[serde(default)]
    organisation_words: Vec<String>,
}

/// `data/web.toml`: web infrastructure (see the comments in the file).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WebFile {
    shorteners: Vec<String>,
    free_hosting: Vec<String>,
    redirectors: Vec<Redirector>,
    #[serde(default)]
    click_trackers: Vec<String>,
    #[serde(default)]
    link_protection: Vec<String>,
    #[serde(default)]
    host_lure_words: Vec<String>,
    #[serde(default)]
    subscription_words: Vec<String>,
}

pub struct Knowledge {
    pub brands: Vec<Brand>,
    /// Brand labels and their skeletons for look-alike checks: derived from `brands` on first use.
    lookalike: OnceLock<crate::checks::links::lookalike::Index>,
    domain_owner: HashMap<String, usize>,
    names: AhoCorasick,
    name_brand: Vec<usize>,
    name_ascii: Vec<bool>,
    tokens: AhoCorasick,
    token_brand: Vec<usize>,
    hosting: HashSet<String>,
    mail_service: HashSet<String>,
    freemail: HashSet<String>,
    shorteners: HashSet<String>,
    free_hosting: HashSet<String>,
    pub redirectors: Vec<Redirector>,
    click_trackers: HashSet<String>,
    link_protection: HashSet<String>,
    /// Words glued to a brand name in look-alike host names (`paypalsecure`).
    pub host_lure_words: Vec<String>,
    /// Lower-case words marking a newsletter's own subscription links (unsubscribe, preferences…).
    pub subscription_words: Vec<String>,
    shared_sender_domains: HashSet<String>,
    abused_tlds: HashSet<String>,
    /// NFKC-folded words that name an organisation's function in a sender name (support, サポート…).
    pub organisation_words: Vec<String>,
}

const BRANDS: &str = include_str!("../data/brands.toml");
const PROVIDERS: &str = include_str!("../data/providers.toml");
const WEB: &str = include_str!("../data/web.toml");

static BUILTIN: LazyLock<Knowledge> = LazyLock::new(|| {
    // Validated by a unit test, so this cannot fail in a released binary.
    Knowledge::parse(BRANDS, PROVIDERS, WEB).expect("built-in knowledge is valid")
});

/// NFKC + lower case: full-width `ＫＡＧＯＹＡ` and half-width katakana compare equal to their usual forms.
pub fn fold(text: &str) -> String {
    // ASCII is NFKC already and lower-cases byte by byte: most names and subjects skip the normaliser.
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    text.nfkc().flat_map(char::to_lowercase).collect()
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// Whether `host` or one of its parent domains is in `list`.
fn listed(list: &HashSet<String>, host: &str) -> bool {
    let mut rest = host;
    loop {
        if list.contains(rest) {
            return true;
        }
        match rest.split_once('.') {
            Some((_, parent)) if parent.contains('.') => rest = parent,
            _ => return false,
        }
    }
}

impl Knowledge {
    pub fn builtin() -> &'static Knowledge {
        &BUILTIN
    }

    pub fn parse(brands: &str, providers: &str, web: &str) -> Result<Knowledge> {
        let brands: BrandFile = toml::from_str(brands).context("brands.toml does not parse")?;
        let providers: ProviderFile = toml::from_str(providers).context("providers.toml does not parse")?;
        let web: WebFile = toml::from_str(web).context("web.toml does not parse")?;
        let mut domain_owner = HashMap::new();
        let (mut names, mut name_brand, mut name_ascii) = (Vec::new(), Vec::new(), Vec::new());
        let (mut tokens, mut token_brand) = (Vec::new(), Vec::new());
        for (i, brand) in brands.brand.iter().enumerate() {
            ensure!(!brand.names.is_empty() && !brand.domains.is_empty(), "brand {} needs names and domains", brand.id);
            for d in &brand.domains {
                ensure!(
                    domain::registrable(d).as_deref() == Some(d.as_str()),
                    "brand {}: {d} is not a registrable domain",
                    brand.id
                );
                let previous = domain_owner.insert(d.clone(), i);
                ensure!(previous.is_none(), "domain {d} is listed for two brands");
            }
            for name in &brand.names {
                let folded = fold(name);
                ensure!(folded.chars().count() >= 2, "brand {}: name {name:?} is too short to match safely", brand.id);
                name_ascii.push(folded.is_ascii());
                names.push(folded);
                name_brand.push(i);
            }
            for token in &brand.tokens {
                ensure!(
                    token.len() >= 4
                        && token.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                    "brand {}: token {token:?} must be ≥ 4 lower-case ASCII characters",
                    brand.id
                );
                tokens.push(token.clone());
                token_brand.push(i);
            }
        }
        let lists = [
            &providers.hosting,
            &providers.mail_service,
            &providers.freemail,
            &providers.shared_sender_domains,
            &web.shorteners,
            &web.free_hosting,
            &web.click_trackers,
            &web.link_protection,
        ];
        // Some providers are public suffixes themselves (`sakura.ne.jp`, `web.app`): any lower-case domain name is fine.
        for d in lists.into_iter().flatten().chain(web.redirectors.iter().map(|r| &r.domain)) {
            ensure!(
                domain::normalize_host(d).as_ref() == Some(d) && d.contains('.') && d.is_ascii(),
                "providers: {d:?} is not a lower-case domain name"
            );
        }
        for word in &web.host_lure_words {
            ensure!(
                word.len() >= 2 && word.bytes().all(|b| b.is_ascii_lowercase()),
                "web.toml: host lure word {word:?} must be ≥ 2 lower-case ASCII letters"
            );
        }
        for word in &web.subscription_words {
            ensure!(
                !word.trim().is_empty() && word.to_lowercase() == *word,
                "web.toml: subscription word {word:?} must be non-empty lower case"
            );
        }
        for tld in &providers.abused_tlds {
            ensure!(
                tld.split('.').count() <= 2
                    && tld
                        .split('.')
                        .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())),
                "providers.toml: abused TLD {tld:?} must be one or two lower-case labels"
            );
        }
        for word in &providers.organisation_words {
            ensure!(
                word.chars().count() >= 2 && fold(word) == *word,
                "providers.toml: organisation word {word:?} must be NFKC lower case, ≥ 2 characters"
            );
        }
        let names_ac = AhoCorasick::builder().match_kind(MatchKind::Standard).build(&names)?;
        let tokens_ac = AhoCorasick::builder().build(&tokens)?;
        Ok(Knowledge {
            lookalike: OnceLock::new(),
            brands: brands.brand,
            domain_owner,
            names: names_ac,
            name_brand,
            name_ascii,
            tokens: tokens_ac,
            token_brand,
            hosting: providers.hosting.into_iter().collect(),
            mail_service: providers.mail_service.into_iter().collect(),
            freemail: providers.freemail.into_iter().collect(),
            shorteners: web.shorteners.into_iter().collect(),
            free_hosting: web.free_hosting.into_iter().collect(),
            redirectors: web.redirectors,
            click_trackers: web.click_trackers.into_iter().collect(),
            link_protection: web.link_protection.into_iter().collect(),
            host_lure_words: web.host_lure_words,
            subscription_words: web.subscription_words,
            shared_sender_domains: providers.shared_sender_domains.into_iter().collect(),
            abused_tlds: providers.abused_tlds.into_iter().collect(),
            organisation_words: providers.organisation_words,
        })
    }

    pub fn lookalike_index(&self) -> &crate::checks::links::lookalike::Index {
        self.lookalike.get_or_init(|| crate::checks::links::lookalike::Index::new(self))
    }

    /// The brand that owns a registrable domain.
    pub fn brand_of_domain(&self, registrable: &str) -> Option<&Brand> {
        self.domain_owner.get(registrable).map(|&i| &self.brands[i])
    }

    /// Brands whose name appears in a display name or subject. ASCII names must stand as whole words
    /// (so `Visa` does not match `Visayas`); names in Japanese scripts match anywhere.
    pub fn brands_named_in(&self, text: &str) -> Vec<&Brand> {
        let folded = fold(text);
        let bytes = folded.as_bytes();
        let mut found: Vec<usize> = Vec::new();
        for m in self.names.find_overlapping_iter(&folded) {
            let idx = m.pattern().as_usize();
            if self.name_ascii[idx] {
                let before_ok = m.start() == 0 || !is_word_byte(bytes[m.start() - 1]);
                let after_ok = m.end() == bytes.len() || !is_word_byte(bytes[m.end()]);
                if !(before_ok && after_ok) {
                    continue;
                }
            }
            let brand = self.name_brand[idx];
            if !found.contains(&brand) {
                found.push(brand);
            }
        }
        found.into_iter().map(|i| &self.brands[i]).collect()
    }

    /// Brands whose distinctive token appears in `text` (a host name or URL path, lower-cased).
    pub fn brands_tokened_in<'t>(&self, text: &'t str) -> Vec<(&Brand, &'t str)> {
        let mut found: Vec<(&Brand, &'t str)> = Vec::new();
        for m in self.tokens.find_overlapping_iter(text) {
            let brand = &self.brands[self.token_brand[m.pattern().as_usize()]];
            if !found.iter().any(|(b, _)| b.id == brand.id) {
                found.push((brand, &text[m.start()..m.end()]));
            }
        }
        found
    }

    /// Host is at a shared hosting company (`sv8630.xserver.jp`).
    pub fn is_hosting(&self, host: &str) -> bool {
        listed(&self.hosting, host)
    }
    /// Host belongs to a mail service provider sending on behalf of others.
    pub fn is_mail_service(&self, host: &str) -> bool {
        listed(&self.mail_service, host)
    }
    /// Host (or address domain) is a free mailbox provider.
    pub fn is_freemail(&self, host: &str) -> bool {
        listed(&self.freemail, host)
    }
    pub fn is_shortener(&self, host: &str) -> bool {
        listed(&self.shorteners, host)
    }
    /// Host rewrites newsletter links to count clicks on behalf of the sender (ESP tracking domains).
    pub fn is_click_tracker(&self, host: &str) -> bool {
        listed(&self.click_trackers, host)
    }
    /// Host is a mail-security service that wraps every link of a message to scan it on click
    /// (Proofpoint URL Defense, Mimecast, Safe Links…): the link shows its real destination as text.
    pub fn is_link_protection(&self, host: &str) -> bool {
        listed(&self.link_protection, host)
    }
    /// Host is on a service where anyone can publish a page.
    pub fn is_free_hosting(&self, host: &str) -> bool {
        listed(&self.free_hosting, host)
    }
    /// Address domain is a subdomain anyone can get on a shared platform (`x.onmicrosoft.com` tenants).
    pub fn is_shared_sender_domain(&self, host: &str) -> bool {
        listed(&self.shared_sender_domains, host)
    }
    /// The domain ends in a suffix that abuse reports rank among the most abused cheap TLDs; the
    /// domain itself must be under it (`x.sa.com`), not the registry's own (`sa.com`).
    pub fn abused_tld<'h>(&self, host: &'h str) -> Option<&'h str> {
        // Listed suffixes have at most two labels: only the last two dots need looking at.
        let suffixes = host.rmatch_indices('.').take(2).map(|(i, _)| &host[i + 1..]);
        suffixes.filter(|suffix| self.abused_tlds.contains(*suffix)).last()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_knowledge_loads_and_validates() {
        let kb = Knowledge::parse(BRANDS, PROVIDERS, WEB).unwrap();
        assert!(kb.brands.len() >= 5);
    }

    #[test]
    fn names_match_in_any_script_and_width() {
        let kb = Knowledge::builtin();
        let ids = |t: &str| kb.brands_named_in(t).iter().map(|b| b.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids("Kagoya Internet Service"), ["kagoya"]);
        assert_eq!(ids("ＫＡＧＯＹＡ サポート"), ["kagoya"]);
        assert_eq!(ids("カゴヤ・ジャパン"), ["kagoya"]);
        assert!(ids("Kagoyan Bakery").is_empty());
    }

    #[test]
    fn domains_have_owners() {
        let kb = Knowledge::builtin();
        assert_eq!(kb.brand_of_domain("kagoya.com").map(|b| b.id.as_str()), Some("kagoya"));
        assert!(kb.is_hosting("sv8630.xserver.jp"));
        assert!(kb.is_hosting("www1234.sakura.ne.jp"));
        assert!(!kb.is_hosting("xserver.jp.example.com"));
    }
}
