//! Brand and infrastructure knowledge (`data/brands.toml`, `data/providers.toml`, `data/web.toml`),
//! validated and compiled once. Checkers ask questions of it; they never carry their own lists.

use std::borrow::Cow;
use std::sync::{LazyLock, OnceLock};

use anyhow::{Context, Result, ensure};
use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;

mod keys;

pub use self::keys::{fold, lookalike_key};
use crate::checks::links::lookalike::within_one_edit;
use crate::domain;
use crate::matcher::{Layout, Matcher};
use crate::tables::{self, automata, builtin_json};

/// The id, names, domains and tokens are borrowed from the table's text (the binary's, for the
/// built-in table), not copied one allocation each: much of a cold start was that (see
/// [`Knowledge::parse`]).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Brand {
    /// Stable id, e.g. `kagoya`.
    pub id: &'static str,
    /// How the brand is shown to people, in every script it is written in (display-name matching).
    pub names: Vec<&'static str>,
    /// Registrable domains the brand legitimately sends mail from and links to.
    pub domains: Vec<&'static str>,
    /// Distinctive ASCII strings that name the brand inside host names and URL paths (≥ 4 chars).
    #[serde(default)]
    pub tokens: Vec<&'static str>,
    /// Upper-case abbreviations (`ANA`, `BB`) that are ordinary words or names in lower case: they
    /// count only written exactly so, as a whole word.
    #[serde(default)]
    pub short_names: Vec<String>,
    /// Names that are ordinary words (`Ripple`, `Orange`): they count only as the whole sender name,
    /// give or take organisation words (`Team Lido`).
    #[serde(default)]
    pub solo_names: Vec<&'static str>,
    /// A federation whose members each run their own domain (`sparkasse-koelnbonn.de`, `chuo-rokin.or.jp`).
    #[serde(default)]
    pub members: Option<Members>,
}

/// The domains of a federation's members: under one of `endings`, with a first label that matches
/// one of `labels` (`*sparkasse*`, `vb-*`: a `*` at either end stands for any letters).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "'de: 'static"))]
pub struct Members {
    pub endings: Vec<&'static str>,
    pub labels: Vec<&'static str>,
}

impl Members {
    fn hold(&self, registrable: &str) -> bool {
        // Found byte by byte: a registrable name is short, and a `char` searcher's set-up costs more
        // than reading it (`.` is ASCII, so a character boundary).
        let Some(dot) = registrable.bytes().position(|b| b == b'.') else { return false };
        let (label, ending) = (&registrable[..dot], &registrable[dot + 1..]);
        self.endings.contains(&ending) && self.labels.iter().any(|pattern| label_matches(pattern, label))
    }
}

/// Endings must be public suffixes (`or.jp`, `de`) and patterns lower-case letters, digits and hyphens
/// of at least 3 characters, with a `*` only at an end: `*` alone would make every domain a member's.
fn validate_members(members: &Members, layout: Layout) -> Result<()> {
    ensure!(!members.endings.is_empty() && !members.labels.is_empty(), "needs endings and labels");
    for ending in &members.endings {
        let example = format!("example.{ending}");
        ensure!(
            layout == Layout::Prebuilt || domain::registrable(&example).as_deref() == Some(example.as_str()),
            "{ending} is not a public suffix"
        );
    }
    for pattern in &members.labels {
        let core = pattern.trim_start_matches('*').trim_end_matches('*');
        let plain = core.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        ensure!(plain && core.len() >= 3 && pattern.len() <= core.len() + 2, "bad label pattern {pattern:?}");
    }
    Ok(())
}

/// A first label against a pattern with an optional `*` at either end.
fn label_matches(pattern: &str, label: &str) -> bool {
    match (pattern.strip_prefix('*'), pattern.strip_suffix('*')) {
        (Some(_), Some(_)) => label.contains(&pattern[1..pattern.len() - 1]),
        (Some(end), None) => label.ends_with(end),
        (None, Some(start)) => label.starts_with(start),
        (None, None) => label == pattern,
    }
}

impl Brand {
    /// The name to show a user: the first listed.
    pub fn label(&self) -> &str {
        self.names[0]
    }

    pub fn owns_domain(&self, registrable: &str) -> bool {
        self.domains.contains(&registrable) || self.members.as_ref().is_some_and(|m| m.hold(registrable))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "'de: 'static"))]
struct BrandFile {
    brand: Vec<Brand>,
    /// Lower-case words one letter away from a brand name that are no misspelling of it (`telecom`).
    #[serde(default)]
    near_brand_words: Vec<&'static str>,
}

/// A known open redirector: URLs on `domain` whose path starts with `path` forward to a parameter.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Redirector {
    pub domain: String,
    pub path: String,
}

/// `data/providers.toml`: mail infrastructure (see the comments in the file). The lists that become
/// [`NameSet`]s borrow their strings, as [`Brand`]'s do.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "'de: 'static"))]
struct ProviderFile {
    hosting: Vec<&'static str>,
    mail_service: Vec<&'static str>,
    freemail: Vec<&'static str>,
    #[serde(default)]
    results_below_received: Vec<&'static str>,
    #[serde(default)]
    shared_sender_domains: Vec<&'static str>,
    #[serde(default)]
    abused_tlds: Vec<&'static str>,
    #[serde(default)]
    organisation_words: Vec<String>,
    #[serde(default)]
    community_words: Vec<String>,
    #[serde(default)]
    service_words: Vec<String>,
    #[serde(default)]
    home_connection_words: Vec<&'static str>,
}

/// `data/web.toml`: web infrastructure (see the comments in the file).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "'de: 'static"))]
struct WebFile {
    shorteners: Vec<&'static str>,
    free_hosting: Vec<&'static str>,
    #[serde(default)]
    sibling_hosts: Vec<Vec<String>>,
    redirectors: Vec<Redirector>,
    #[serde(default)]
    click_trackers: Vec<&'static str>,
    #[serde(default)]
    link_protection: Vec<&'static str>,
    #[serde(default)]
    host_lure_words: Vec<String>,
    #[serde(default)]
    subscription_words: Vec<String>,
}

pub struct Knowledge {
    pub brands: Vec<Brand>,
    /// Brand labels and their skeletons for look-alike checks: derived from `brands` on first use.
    lookalike: OnceLock<crate::checks::links::lookalike::Index>,
    domain_owner: rustc_hash::FxHashMap<&'static str, usize>,
    /// Brands with `members`: their domains are not all listed in `domain_owner`.
    federations: Vec<usize>,
    names: Matcher,
    name_brand: Vec<usize>,
    name_ascii: Vec<bool>,
    /// Look-alike keys (`lookalike_key`) of the ASCII names, and the brand of each.
    lookalike_names: Matcher,
    lookalike_name_brand: Vec<usize>,
    /// Look-alike keys of single-word ASCII names long enough for a one-letter misspelling to still
    /// point at them.
    spelled_names: Vec<(String, usize)>,
    /// Look-alike keys of `near_brand_words`.
    near_brand_words: rustc_hash::FxHashSet<String>,
    short_names: OwnedNameMap<usize>,
    /// Folded `solo_names`, and the brand of each.
    solo_names: OwnedNameMap<usize>,
    /// Hyphenated first labels of brand domains (`etc-meisai`, `smbc-card`), and the brand of each.
    domain_labels: OwnedNameMap<usize>,
    tokens: Matcher,
    token_brand: Vec<usize>,
    hosting: NameSet,
    mail_service: NameSet,
    freemail: NameSet,
    results_below_received: NameSet,
    shorteners: NameSet,
    free_hosting: NameSet,
    /// Groups of free hosts that publish each site under every one of them (`x.firebaseapp.com`, `x.web.app`).
    sibling_hosts: Vec<Vec<String>>,
    pub redirectors: Vec<Redirector>,
    click_trackers: NameSet,
    link_protection: NameSet,
    /// Words glued to a brand name in look-alike host names (`paypalsecure`).
    pub host_lure_words: Vec<String>,
    /// Lower-case words marking a newsletter's own subscription links (unsubscribe, preferences…).
    pub subscription_words: Vec<String>,
    shared_sender_domains: NameSet,
    abused_tlds: NameSet,
    /// NFKC-folded words that name an organisation's function in a sender name (support, サポート…).
    pub organisation_words: Vec<String>,
    /// NFKC-folded words that make a sender name a community's named after a brand (user group, ユーザー会…).
    pub community_words: Vec<String>,
    /// NFKC-folded words that name a brand's own service or offer (rewards, wallet…).
    pub service_words: Vec<String>,
    home_connection_words: NameSet,
}

static BUILTIN: LazyLock<Knowledge> = LazyLock::new(|| {
    let load = || {
        Knowledge::from_tables(
            tables::from_json(builtin_json!("brands"), "brands.toml")?,
            tables::from_json(builtin_json!("providers"), "providers.toml")?,
            tables::from_json(builtin_json!("web"), "web.toml")?,
            Layout::Prebuilt,
        )
    };
    // Validated by a unit test, so this cannot fail in a released binary.
    load().expect("built-in knowledge is valid")
});

/// Shortest single-word name that a one-letter misspelling still points at: shorter ones have too
/// many innocent neighbours (`Visa`/`Vista`).
const MIN_SPELLED_NAME: usize = 6;

/// The text with the spaces between Japanese characters removed, if it has any such space.
fn join_japanese_words(folded: &str) -> Option<String> {
    if folded.is_ascii() || !folded.contains(char::is_whitespace) {
        return None;
    }
    let chars: Vec<char> = folded.chars().collect();
    let japanese = |c: Option<&char>| c.is_some_and(|c| !c.is_ascii() && !c.is_whitespace());
    let mut joined = String::with_capacity(folded.len());
    let mut removed = false;
    for (i, &c) in chars.iter().enumerate() {
        let between = c.is_whitespace() && i > 0 && japanese(chars.get(i - 1)) && japanese(chars.get(i + 1));
        if between {
            removed = true;
        } else {
            joined.push(c);
        }
    }
    removed.then_some(joined)
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// Whether `host` or one of its parent domains is in `list`.
fn listed(list: &NameSet, host: &str) -> bool {
    let mut rest = host;
    // Host names are short: their dots are found byte by byte (`.` is ASCII, so a char boundary).
    let dot = |s: &str| s.bytes().position(|b| b == b'.');
    loop {
        if list.contains(rest) {
            return true;
        }
        match dot(rest).map(|at| &rest[at + 1..]) {
            Some(parent) if dot(parent).is_some() => rest = parent,
            _ => return false,
        }
    }
}

/// The tables' sets and maps of names, borrowed from the tables. They hold the tables' own names
/// (message text is looked up in them, never added), so a hash built against flooding (SipHash,
/// most of a lookup's cost) is not needed: FxHash's, eight bytes at a time.
pub type NameSet = rustc_hash::FxHashSet<&'static str>;
/// Maps of names derived from the tables (folded, cut out of a domain) or kept in [`Brand`].
type OwnedNameMap<V> = rustc_hash::FxHashMap<String, V>;

impl Knowledge {
    pub fn builtin() -> &'static Knowledge {
        &BUILTIN
    }

    /// Knowledge from the TOML text of `brands.toml`, `providers.toml` and `web.toml`. The tables
    /// borrow their names from the text as the built-in ones do from the binary, so the text is
    /// kept for the rest of the process: tables are parsed from text by tests, a few each.
    #[cfg(test)]
    pub fn parse(brands: &str, providers: &str, web: &str) -> Result<Knowledge> {
        Knowledge::from_tables(
            tables::from_toml(tables::kept(brands), "brands.toml")?,
            tables::from_toml(tables::kept(providers), "providers.toml")?,
            tables::from_toml(tables::kept(web), "web.toml")?,
            Layout::Now,
        )
    }

    fn from_tables(brands: BrandFile, providers: ProviderFile, web: WebFile, layout: Layout) -> Result<Knowledge> {
        let mut domain_owner = rustc_hash::FxHashMap::default();
        let mut federations = Vec::new();
        let (mut names, mut name_brand, mut name_ascii) = (Vec::new(), Vec::new(), Vec::new());
        let (mut tokens, mut token_brand) = (Vec::new(), Vec::new());
        let (mut lookalike_names, mut lookalike_name_brand, mut spelled_names) = (Vec::new(), Vec::new(), Vec::new());
        let (mut short_names, mut solo_names, mut domain_labels) =
            (OwnedNameMap::default(), OwnedNameMap::default(), OwnedNameMap::default());
        // Every brand name folded, in order: the built-in ones were folded by build.rs (for their
        // automaton), the dearest part of loading them otherwise (NFKC of every non-ASCII name).
        let all_names = brands.brand.iter().flat_map(|b| &b.names);
        let folded_all: Vec<Cow<'static, str>> = match layout {
            Layout::Now => all_names.map(|name| Cow::Owned(fold(name))).collect(),
            Layout::Prebuilt => {
                ensure!(all_names.count() == automata::BRAND_FOLDED_NAMES.len(), "brand names differ from build.rs's");
                automata::BRAND_FOLDED_NAMES.iter().map(|&name| Cow::Borrowed(name)).collect()
            }
        };
        for (i, brand) in brands.brand.iter().enumerate() {
            ensure!(!brand.names.is_empty() && !brand.domains.is_empty(), "brand {} needs names and domains", brand.id);
            for &d in &brand.domains {
                // The public-suffix list is the dearest check at start-up: the built-in table is the
                // file `builtin_knowledge_loads_and_validates` checks (`Layout::Now`) — the same
                // entries, as `tables::embedded_json_is_the_toml` shows.
                ensure!(
                    layout == Layout::Prebuilt || domain::registrable(d).as_deref() == Some(d),
                    "brand {}: {d} is not a registrable domain",
                    brand.id
                );
                let previous = domain_owner.insert(d, i);
                ensure!(previous.is_none(), "domain {d} is listed for two brands");
                if let Some(label) = d.split('.').next().filter(|l| l.contains('-')) {
                    domain_labels.insert(label.to_string(), i);
                }
            }
            if let Some(members) = &brand.members {
                validate_members(members, layout).with_context(|| format!("brand {}: members", brand.id))?;
                federations.push(i);
            }
            // This brand's folded names, compared with its short and solo names below.
            let first_name = names.len();
            for &name in &brand.names {
                let folded: &str = folded_all.get(names.len()).map_or("", |f| &**f);
                ensure!(folded.chars().count() >= 2, "brand {}: name {name:?} is too short to match safely", brand.id);
                name_ascii.push(folded.is_ascii());
                if keys::is_lookalike_searched(folded) {
                    // A prebuilt automaton holds the keys already: only their brands are needed then.
                    if layout == Layout::Now {
                        lookalike_names.push(lookalike_key(name));
                    }
                    lookalike_name_brand.push(i);
                }
                if folded.len() >= MIN_SPELLED_NAME && folded.bytes().all(|b| b.is_ascii_lowercase()) {
                    spelled_names.push((lookalike_key(name), i));
                }
                names.push(folded);
                name_brand.push(i);
            }
            let folded_names = names.get(first_name..).unwrap_or_default();
            for short in &brand.short_names {
                ensure!(
                    (2..=5).contains(&short.len())
                        && short.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()),
                    "brand {}: short name {short:?} must be 2–5 upper-case ASCII letters or digits",
                    brand.id
                );
                ensure!(
                    !folded_names.contains(&fold(short).as_str()),
                    "brand {}: short name {short:?} is already a name (matched in any case)",
                    brand.id
                );
                let previous = short_names.insert(short.clone(), i);
                ensure!(previous.is_none(), "short name {short} is listed for two brands");
            }
            for solo in &brand.solo_names {
                let folded = fold(solo);
                ensure!(
                    folded.chars().count() >= 3 && !folded_names.contains(&folded.as_str()),
                    "brand {}: solo name {solo:?} must be ≥ 3 characters and not also a name",
                    brand.id
                );
                let previous = solo_names.insert(folded, i);
                ensure!(previous.is_none(), "solo name {solo} is listed for two brands");
            }
            for &token in &brand.tokens {
                ensure!(
                    token.len() >= 4
                        && token.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                    "brand {}: token {token:?} must be ≥ 4 lower-case ASCII characters",
                    brand.id
                );
                tokens.push(token);
                token_brand.push(i);
            }
        }
        let lists = [
            &providers.hosting,
            &providers.mail_service,
            &providers.freemail,
            &providers.results_below_received,
            &providers.shared_sender_domains,
            &web.shorteners,
            &web.free_hosting,
            &web.click_trackers,
            &web.link_protection,
        ];
        // Some providers are public suffixes themselves (`sakura.ne.jp`, `web.app`): any lower-case domain name is fine.
        for d in lists.into_iter().flatten().copied().chain(web.redirectors.iter().map(|r| r.domain.as_str())) {
            ensure!(
                domain::normalize_host(d).as_deref() == Some(d) && d.contains('.') && d.is_ascii(),
                "providers: {d:?} is not a lower-case domain name"
            );
        }
        for group in &web.sibling_hosts {
            ensure!(
                group.len() >= 2 && group.iter().all(|host| web.free_hosting.contains(&host.as_str())),
                "web.toml: sibling hosts {group:?} must be two or more free_hosting entries"
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
        let listed_words = [&providers.organisation_words, &providers.community_words, &providers.service_words];
        for word in listed_words.into_iter().flatten() {
            ensure!(
                word.chars().count() >= 2 && fold(word) == *word,
                "providers.toml: organisation, community or service word {word:?} must be NFKC lower case, ≥ 2 characters"
            );
        }
        for word in &providers.home_connection_words {
            ensure!(
                !word.is_empty() && word.bytes().all(|b| b.is_ascii_lowercase()),
                "providers.toml: home connection word {word:?} must be lower-case ASCII letters"
            );
        }
        for word in &brands.near_brand_words {
            ensure!(
                word.len() >= MIN_SPELLED_NAME - 1 && word.bytes().all(|b| b.is_ascii_lowercase()),
                "brands.toml: near-brand word {word:?} must be lower-case ASCII letters, ≥ {} long",
                MIN_SPELLED_NAME - 1
            );
        }
        let names_ac = layout.matcher(&names, &automata::BRAND_NAMES)?;
        let lookalike_ac = layout.matcher(&lookalike_names, &automata::BRAND_LOOKALIKE_NAMES)?;
        let tokens_ac = layout.matcher(&tokens, &automata::BRAND_TOKENS)?;
        Ok(Knowledge {
            lookalike: OnceLock::new(),
            brands: brands.brand,
            domain_owner,
            federations,
            names: names_ac,
            name_brand,
            name_ascii,
            lookalike_names: lookalike_ac,
            lookalike_name_brand,
            spelled_names,
            near_brand_words: brands.near_brand_words.iter().map(|w| lookalike_key(w)).collect(),
            short_names,
            solo_names,
            domain_labels,
            tokens: tokens_ac,
            token_brand,
            hosting: providers.hosting.into_iter().collect(),
            mail_service: providers.mail_service.into_iter().collect(),
            freemail: providers.freemail.into_iter().collect(),
            results_below_received: providers.results_below_received.into_iter().collect(),
            shorteners: web.shorteners.into_iter().collect(),
            free_hosting: web.free_hosting.into_iter().collect(),
            sibling_hosts: web.sibling_hosts,
            redirectors: web.redirectors,
            click_trackers: web.click_trackers.into_iter().collect(),
            link_protection: web.link_protection.into_iter().collect(),
            host_lure_words: web.host_lure_words,
            subscription_words: web.subscription_words,
            shared_sender_domains: providers.shared_sender_domains.into_iter().collect(),
            abused_tlds: providers.abused_tlds.into_iter().collect(),
            organisation_words: providers.organisation_words,
            community_words: providers.community_words,
            service_words: providers.service_words,
            home_connection_words: providers.home_connection_words.into_iter().collect(),
        })
    }

    pub fn lookalike_index(&self) -> &crate::checks::links::lookalike::Index {
        self.lookalike.get_or_init(|| crate::checks::links::lookalike::Index::new(self))
    }

    /// The brand that owns a registrable domain.
    pub fn brand_of_domain(&self, registrable: &str) -> Option<&Brand> {
        self.brand_listing(registrable)
            .or_else(|| self.federations.iter().map(|&i| &self.brands[i]).find(|b| b.owns_domain(registrable)))
    }

    /// The brand that lists a registrable domain by name (not a member matched by its pattern, which
    /// anyone could register under the federation's ending).
    pub fn brand_listing(&self, registrable: &str) -> Option<&Brand> {
        self.domain_owner.get(registrable).map(|&i| &self.brands[i])
    }

    /// Brands whose name appears in a display name or subject. ASCII names must stand as whole words
    /// (so `Visa` does not match `Visayas`); names in Japanese scripts match anywhere, also when
    /// spaces split them (`三井住友 カード`).
    pub fn brands_named_in(&self, text: &str) -> Vec<&Brand> {
        // NFKC spells `™` as `tm`, which would glue itself to the name (`Total AV™`).
        let unmarked: String;
        let text = if text.contains(['™', '℠']) {
            unmarked = text.replace(['™', '℠'], " ");
            unmarked.as_str()
        } else {
            text
        };
        let folded = fold(text);
        let mut found: Vec<usize> = Vec::new();
        self.collect_named(&folded, true, &mut found);
        if let Some(joined) = join_japanese_words(&folded) {
            self.collect_named(&joined, false, &mut found);
        }
        found.into_iter().map(|i| &self.brands[i]).collect()
    }

    /// Adds the brands named in folded text, each once; ASCII names only when `ascii_names`.
    fn collect_named(&self, folded: &str, ascii_names: bool, found: &mut Vec<usize>) {
        let bytes = folded.as_bytes();
        for m in self.names.find_overlapping_iter(folded) {
            let idx = m.pattern();
            if self.name_ascii[idx] {
                let before_ok = m.start() == 0 || !is_word_byte(bytes[m.start() - 1]);
                let after_ok = m.end() == bytes.len() || !is_word_byte(bytes[m.end()]);
                if !(ascii_names && before_ok && after_ok) {
                    continue;
                }
            }
            let brand = self.name_brand[idx];
            if !found.contains(&brand) {
                found.push(brand);
            }
        }
    }

    /// Brands whose upper-case abbreviation (`ANA`, `BB`) stands as a whole word, exactly so written
    /// (full-width letters count).
    pub fn brands_short_named_in(&self, text: &str) -> Vec<&Brand> {
        let wide: String = if text.is_ascii() { text.to_string() } else { text.nfkc().collect() };
        let mut found: Vec<usize> = Vec::new();
        for word in wide.split(|c: char| !c.is_ascii_alphanumeric()) {
            if let Some(&i) = self.short_names.get(word)
                && !found.contains(&i)
            {
                found.push(i);
            }
        }
        found.into_iter().map(|i| &self.brands[i]).collect()
    }

    /// The brand whose ordinary-word name (`Ripple`) is the whole text once organisation words
    /// (`Team`, `Notifications`) are left out.
    pub fn brand_solo_named(&self, text: &str) -> Option<&Brand> {
        let folded = fold(text);
        let is_organisation = |w: &str| self.organisation_words.iter().any(|o| o == w);
        let words: Vec<&str> =
            folded.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty() && !is_organisation(w)).collect();
        self.solo_names.get(&words.join(" ")).map(|&i| &self.brands[i])
    }

    /// Brands whose hyphenated domain name, without its ending, is a word of the text
    /// (`"etc-meisai" <admin@…>`): a name made of the brand's own address.
    pub fn brands_domain_labeled_in(&self, text: &str) -> Vec<&Brand> {
        let folded = fold(text);
        let mut found: Vec<usize> = Vec::new();
        for word in folded.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')) {
            if let Some(&i) = self.domain_labels.get(word.trim_matches('-'))
                && !found.contains(&i)
            {
                found.push(i);
            }
        }
        found.into_iter().map(|i| &self.brands[i]).collect()
    }

    /// Brands a text imitates with look-alike letters (`PayPaI`, `Amaz0n`, `Trust WaIIet`) without
    /// naming them as written.
    pub fn brands_imitated_in(&self, text: &str) -> Vec<&Brand> {
        let key = lookalike_key(text);
        let bytes = key.as_bytes();
        let named = self.brands_named_in(text);
        let mut found: Vec<&Brand> = Vec::new();
        for m in self.lookalike_names.find_overlapping_iter(&key) {
            let before_ok = m.start() == 0 || !is_word_byte(bytes[m.start() - 1]);
            let after_ok = m.end() == bytes.len() || !is_word_byte(bytes[m.end()]);
            let brand = &self.brands[self.lookalike_name_brand[m.pattern()]];
            let new = !named.iter().chain(&found).any(|b| b.id == brand.id);
            if before_ok && after_ok && new {
                found.push(brand);
            }
        }
        found
    }

    /// Brands whose one-word name a word of the text misspells by one letter (`Mircosoft`,
    /// `FristMerit`), compared by look-alike key so that `PayPaI` is PayPal's look-alike, not a
    /// misspelled PayPay. Plurals (`Amazons`), other brands' names and listed ordinary words
    /// (`telecom`) are no misspellings.
    pub fn brands_misspelled_in(&self, text: &str) -> Vec<&Brand> {
        let key = lookalike_key(text);
        let named = self.brands_named_in(text);
        let mut found: Vec<&Brand> = Vec::new();
        let words = key.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| w.len() >= MIN_SPELLED_NAME);
        for word in words {
            if self.near_brand_words.contains(word) || self.spelled_names.iter().any(|(n, _)| n == word) {
                continue;
            }
            let plural = |a: &str, b: &str| a.strip_suffix('s') == Some(b);
            // A misspelling keeps the first letter (`Finance` is a word, not a misspelled `Binance`);
            // the length check is the cheap part of the distance.
            let candidate =
                |name: &str| word.as_bytes().first() == name.as_bytes().first() && word.len().abs_diff(name.len()) <= 1;
            let misspelled = self.spelled_names.iter().find(|(name, _)| {
                candidate(name) && !plural(word, name) && !plural(name, word) && within_one_edit(word, name)
            });
            if let Some(&(_, i)) = misspelled {
                let brand = &self.brands[i];
                if !named.iter().chain(&found).any(|b| b.id == brand.id) {
                    found.push(brand);
                }
            }
        }
        found
    }

    /// Brands whose distinctive token appears in `text` (a host name or URL path, lower-cased).
    pub fn brands_tokened_in<'t>(&self, text: &'t str) -> Vec<(&Brand, &'t str)> {
        let mut found: Vec<(&Brand, &'t str)> = Vec::new();
        for m in self.tokens.find_overlapping_iter(text) {
            let brand = &self.brands[self.token_brand[m.pattern()]];
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
    /// `word` (lower case) is one providers put in the names of home and mobile connections (`dsl`).
    pub fn is_home_connection_word(&self, word: &str) -> bool {
        self.home_connection_words.contains(word)
    }
    /// Host belongs to a mail service provider sending on behalf of others.
    pub fn is_mail_service(&self, host: &str) -> bool {
        listed(&self.mail_service, host)
    }
    /// Host (or address domain) is a free mailbox provider.
    pub fn is_freemail(&self, host: &str) -> bool {
        listed(&self.freemail, host)
    }
    /// Host is a receiving server that writes its Authentication-Results just below its own Received
    /// header and removes any under its name that arrive with the message.
    pub fn writes_results_below_received(&self, host: &str) -> bool {
        listed(&self.results_below_received, host)
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
    /// Two registrable domains are one site published by a platform under each of its domains
    /// (`x.firebaseapp.com` and `x.web.app`).
    pub fn is_same_site_on_sibling_hosts(&self, a: &str, b: &str) -> bool {
        let (Some((site_a, host_a)), Some((site_b, host_b))) = (a.split_once('.'), b.split_once('.')) else {
            return false;
        };
        site_a == site_b
            && host_a != host_b
            && self
                .sibling_hosts
                .iter()
                .any(|group| group.iter().any(|h| h == host_a) && group.iter().any(|h| h == host_b))
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

    const BRANDS: &str = include_str!("../data/brands.toml");
    const PROVIDERS: &str = include_str!("../data/providers.toml");
    const WEB: &str = include_str!("../data/web.toml");

    #[test]
    fn builtin_knowledge_loads_and_validates() {
        let kb = Knowledge::parse(BRANDS, PROVIDERS, WEB).unwrap();
        assert!(kb.brands.len() >= 5);
        assert_eq!(Knowledge::builtin().brands.len(), kb.brands.len(), "the embedded tables are the files");
    }

    #[test]
    fn prebuilt_automata_are_those_laid_out_from_the_files() {
        let now = Knowledge::parse(BRANDS, PROVIDERS, WEB).unwrap();
        let prebuilt = Knowledge::builtin();
        assert!(now.names == prebuilt.names, "brand names: build.rs lists them differently from the loader");
        assert!(now.lookalike_names == prebuilt.lookalike_names, "look-alike keys: build.rs differs from the loader");
        assert!(now.tokens == prebuilt.tokens, "brand tokens: build.rs lists them differently from the loader");
        // What the loader reads from the names build.rs folded.
        assert_eq!(now.name_ascii, prebuilt.name_ascii, "ASCII names");
        assert_eq!(now.lookalike_name_brand, prebuilt.lookalike_name_brand, "names searched by look-alike key");
        assert_eq!(now.spelled_names, prebuilt.spelled_names, "names searched for misspellings");
        let folded: Vec<String> = now.brands.iter().flat_map(|b| &b.names).map(|name| fold(name)).collect();
        assert_eq!(folded, automata::BRAND_FOLDED_NAMES, "folded names: build.rs folds differently from the loader");
    }

    #[test]
    fn names_match_in_any_script_and_width() {
        let kb = Knowledge::builtin();
        let ids = |t: &str| kb.brands_named_in(t).iter().map(|b| b.id).collect::<Vec<_>>();
        assert_eq!(ids("Kagoya Internet Service"), ["kagoya"]);
        assert_eq!(ids("ＫＡＧＯＹＡ サポート"), ["kagoya"]);
        assert_eq!(ids("カゴヤ・ジャパン"), ["kagoya"]);
        assert!(ids("Kagoyan Bakery").is_empty());
    }

    #[test]
    fn short_names_match_only_as_written() {
        let kb = Knowledge::builtin();
        let ids = |t: &str| kb.brands_short_named_in(t).iter().map(|b| b.id).collect::<Vec<_>>();
        assert_eq!(ids("ANA"), ["ana"]);
        assert_eq!(ids("【ANAフェス限定】"), ["ana"]);
        assert_eq!(ids("ＡＮＡ"), ["ana"], "full width");
        assert_eq!(ids("[BB] - Seu saldo"), ["bancodobrasil"]);
        for ordinary in ["Ana Garcia", "ana", "BANANA", "BBQ night", "Bb"] {
            assert!(ids(ordinary).is_empty(), "{ordinary}");
        }
    }

    #[test]
    fn short_names_and_near_brand_words_are_validated() {
        let brand = |short: &str| {
            format!(
                "[[brand]]\nid = \"x\"\nnames = [\"Xample\"]\ndomains = [\"xample.com\"]\nshort_names = [\"{short}\"]\n"
            )
        };
        assert!(Knowledge::parse(&brand("XMP"), PROVIDERS, WEB).is_ok());
        for bad in ["xmp", "X", "TOOLONG", "X-P"] {
            assert!(Knowledge::parse(&brand(bad), PROVIDERS, WEB).is_err(), "{bad}");
        }
        let twice = format!("{}{}", brand("XMP"), brand("XMP").replace("xample.com", "xample.net"));
        assert!(Knowledge::parse(&twice, PROVIDERS, WEB).is_err(), "one short name, two brands");
        let near = |word: &str| format!("near_brand_words = [\"{word}\"]\n{}", brand("XMP"));
        assert!(Knowledge::parse(&near("telecom"), PROVIDERS, WEB).is_ok());
        assert!(Knowledge::parse(&near("Telecom"), PROVIDERS, WEB).is_err());
        assert!(Knowledge::parse(&near("tel"), PROVIDERS, WEB).is_err());
    }

    #[test]
    fn federation_members_own_their_domains_and_are_validated() {
        let kb = Knowledge::builtin();
        let owner = |d: &str| kb.brand_of_domain(d).map(|b| b.id);
        assert_eq!(owner("sparkasse-koelnbonn.de"), Some("sparkasse"));
        assert_eq!(owner("berliner-sparkasse.de"), Some("sparkasse"));
        assert_eq!(owner("vb-mittelhessen.de"), Some("volksbank"));
        assert_eq!(owner("kinkirokin.or.jp"), Some("rokin"));
        assert_eq!(owner("chuo-rokin.or.jp"), Some("rokin"), "listed");
        // Only under the federation's endings.
        assert_eq!(owner("sparkasse-koelnbonn.com"), None);
        assert_eq!(owner("kinkirokin.jp"), None);
        assert_eq!(owner("myvb-mittelhessen.de"), None);
        let brand = |members: &str| {
            format!("[[brand]]\nid = \"x\"\nnames = [\"Xample\"]\ndomains = [\"xample.com\"]\nmembers = {members}\n")
        };
        assert!(Knowledge::parse(&brand(r#"{ endings = ["de"], labels = ["xample-*"] }"#), PROVIDERS, WEB).is_ok());
        for bad in [
            r#"{ endings = ["de"], labels = ["*"] }"#,
            r#"{ endings = ["de"], labels = ["x*"] }"#,
            r#"{ endings = ["de"], labels = ["xa*mple"] }"#,
            r#"{ endings = ["de"], labels = ["Xample-*"] }"#,
            r#"{ endings = ["example.de"], labels = ["xample-*"] }"#,
            r#"{ endings = [], labels = ["xample-*"] }"#,
        ] {
            assert!(Knowledge::parse(&brand(bad), PROVIDERS, WEB).is_err(), "{bad}");
        }
    }

    #[test]
    fn sibling_hosts_are_one_site_under_each_name_and_validated() {
        let kb = Knowledge::builtin();
        assert!(kb.is_same_site_on_sibling_hosts("myapp.firebaseapp.com", "myapp.web.app"));
        assert!(kb.is_same_site_on_sibling_hosts("myapp.web.app", "myapp.firebaseapp.com"));
        assert!(!kb.is_same_site_on_sibling_hosts("myapp.web.app", "other.firebaseapp.com"));
        assert!(!kb.is_same_site_on_sibling_hosts("myapp.web.app", "myapp.pages.dev"), "not siblings");
        assert!(!kb.is_same_site_on_sibling_hosts("myapp.web.app", "myapp.web.app"), "the same host is no sibling");
        let with = |group: &str| WEB.replacen("sibling_hosts = [", &format!("sibling_hosts = [{group}, "), 1);
        assert!(Knowledge::parse(BRANDS, PROVIDERS, &with(r#"["web.app"]"#)).is_err(), "one host");
        assert!(Knowledge::parse(BRANDS, PROVIDERS, &with(r#"["web.app", "example.com"]"#)).is_err(), "not free");
        assert!(Knowledge::parse(BRANDS, PROVIDERS, &with(r#"["web.app", "pages.dev"]"#)).is_ok());
    }

    #[test]
    fn home_connection_words_are_known_and_validated() {
        let kb = Knowledge::builtin();
        assert!(kb.is_home_connection_word("dsl") && kb.is_home_connection_word("cable"));
        assert!(!kb.is_home_connection_word("mail") && !kb.is_home_connection_word("DSL"));
        let with = |word: &str| {
            PROVIDERS.replacen("home_connection_words = [", &format!("home_connection_words = [\"{word}\", "), 1)
        };
        assert!(Knowledge::parse(BRANDS, &with("fttx"), WEB).is_ok());
        for bad in ["", "DSL", "dsl1", "d-sl"] {
            assert!(Knowledge::parse(BRANDS, &with(bad), WEB).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn solo_names_count_only_as_the_whole_name() {
        let kb = Knowledge::builtin();
        let id = |t: &str| kb.brand_solo_named(t).map(|b| b.id);
        assert_eq!(id("Ripple"), Some("ripple"));
        assert_eq!(id("Team Lido"), Some("lido"));
        assert_eq!(id("Lido Notifications"), Some("lido"));
        assert_eq!(id("ＯＲＡＮＧＥ"), Some("orange"));
        for ordinary in ["Ripple effect", "Orange County Users Group", "Lido Beach Hotel", "Steam engine fans", ""] {
            assert_eq!(id(ordinary), None, "{ordinary}");
        }
        let solo = |name: &str| {
            format!(
                "[[brand]]\nid = \"x\"\nnames = [\"Xample\"]\ndomains = [\"xample.com\"]\nsolo_names = [\"{name}\"]\n"
            )
        };
        assert!(Knowledge::parse(&solo("Sample"), PROVIDERS, WEB).is_ok());
        assert!(Knowledge::parse(&solo("xample"), PROVIDERS, WEB).is_err(), "already a name");
        assert!(Knowledge::parse(&solo("Xa"), PROVIDERS, WEB).is_err(), "too short");
    }

    #[test]
    fn regional_banks_and_lure_brands_are_known_and_ordinary_words_are_not() {
        let kb = Knowledge::builtin();
        let ids = |t: &str| {
            let mut found: Vec<&str> = kb.brands_named_in(t).iter().map(|b| b.id).collect();
            found.extend(kb.brands_short_named_in(t).iter().map(|b| b.id));
            found.extend(kb.brand_solo_named(t).map(|b| b.id));
            found
        };
        for (name, brand) in [
            ("Huntington National Bank", "huntington"),
            ("Regions Bank: Account Confirmation", "regions"),
            ("National Credit Union Security Service", "ncua"),
            ("SouthTrust Security Team", "southtrust"),
            ("Sirius XM", "siriusxm"),
            ("GLS Paketdienst", "gls"),
            ("JAネットバンク", "ja_bank"),
            ("Target", "target"),
        ] {
            assert!(ids(name).contains(&brand), "{name} → {:?}", ids(name));
        }
        for ordinary in ["Target practice", "Regions of Japan", "Vivo per lei", "Otto Schmidt", "Obi-Wan", "Gloss"] {
            assert!(ids(ordinary).is_empty(), "{ordinary} → {:?}", ids(ordinary));
        }
    }

    #[test]
    fn hyphenated_brand_domain_names_are_names() {
        let kb = Knowledge::builtin();
        let ids = |t: &str| kb.brands_domain_labeled_in(t).iter().map(|b| b.id).collect::<Vec<_>>();
        assert_eq!(ids("etc-meisai"), ["etc"]);
        assert_eq!(ids("SMBC-CARD お知らせ"), ["smbc"]);
        for ordinary in ["etc meisai", "e-mail team", "x-etc-meisai-y", ""] {
            assert!(ids(ordinary).is_empty(), "{ordinary}");
        }
    }

    #[test]
    fn lookalike_keys_merge_letters_readers_confuse() {
        for (fake, real) in
            [("PayPaI", "PayPal"), ("Amaz0n", "Amazon"), ("Iedger", "Ledger"), ("rnicrosoft", "Microsoft")]
        {
            assert_eq!(lookalike_key(fake), lookalike_key(real), "{fake}");
        }
        assert_ne!(lookalike_key("Amazon"), lookalike_key("Amazing"));
    }

    #[test]
    fn imitations_and_misspellings_point_at_the_brand() {
        let kb = Knowledge::builtin();
        let imitated = |t: &str| kb.brands_imitated_in(t).iter().map(|b| b.id).collect::<Vec<_>>();
        let misspelled = |t: &str| kb.brands_misspelled_in(t).iter().map(|b| b.id).collect::<Vec<_>>();
        assert_eq!(imitated("Amie from Iedger"), ["ledger"]);
        assert_eq!(imitated("Trust WaIIet"), ["trustwallet"]);
        assert!(imitated("Ledger Live").is_empty(), "named as written");
        assert_eq!(misspelled("Mircosoft Support"), ["microsoft"]);
        assert_eq!(misspelled("Conta Microsft"), ["microsoft"]);
        assert!(misspelled("PayPaI").is_empty(), "a look-alike of PayPal, not a misspelled PayPay");
        for ordinary in ["Finance Desk", "Cloud Storage", "Trust Team", "Postal Service", "Amazons", "Telecom Italia"] {
            assert!(misspelled(ordinary).is_empty(), "{ordinary}");
        }
    }

    #[test]
    fn japanese_names_split_by_spaces_still_match() {
        let kb = Knowledge::builtin();
        let ids = |t: &str| kb.brands_named_in(t).iter().map(|b| b.id).collect::<Vec<_>>();
        assert_eq!(ids("【三井住友 カード】"), ["smbc"]);
        assert_eq!(ids("Total AV™"), ["totalav"], "™ is no part of the name");
        assert!(ids("Kagoya n").len() == 1 && ids("Kago ya").is_empty(), "only Japanese words are joined");
    }

    #[test]
    fn domains_have_owners() {
        let kb = Knowledge::builtin();
        assert_eq!(kb.brand_of_domain("kagoya.com").map(|b| b.id), Some("kagoya"));
        assert!(kb.is_hosting("sv8630.xserver.jp"));
        assert!(kb.is_hosting("www1234.sakura.ne.jp"));
        assert!(!kb.is_hosting("xserver.jp.example.com"));
    }
}
