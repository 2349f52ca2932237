//! Domains made to look like a brand's: homographs (UTS #39 skeletons), mixed-script IDN labels,
//! typos, and the brand's name with extra words (`amazon-security-login.com`).

use std::borrow::Cow;

use rustc_hash::FxHashMap;
use unicode_security::{MixedScript, skeleton};

use crate::domain::first_label;
use crate::knowledge::{Brand, Knowledge};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Same skeleton as the brand's name: characters swapped for look-alike ones (`раураl`, `rnicrosoft`).
    Homograph,
    /// An internationalised label mixing scripts (Latin with Cyrillic…), which no real name needs.
    MixedScript,
    /// One or two letters away from the brand's name.
    Typo,
    /// The brand's name with words added (`amazon-security-login`).
    BrandWithWords,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Homograph => "homograph",
            Kind::MixedScript => "mixed scripts",
            Kind::Typo => "misspelling",
            Kind::BrandWithWords => "brand name with added words",
        }
    }
}

/// A brand domain, by its place in the knowledge base: its first label is read from it when needed.
#[derive(Clone, Copy)]
struct BrandLabel {
    brand: usize,
    domain: usize,
}

impl BrandLabel {
    fn domain<'k>(&self, kb: &'k Knowledge) -> Option<&'k str> {
        kb.brands.get(self.brand).and_then(|b| b.domains.get(self.domain)).copied()
    }
}

/// The brand labels of a knowledge base, built once with it (`Knowledge::lookalike_index`).
pub struct Index {
    labels: Vec<BrandLabel>,
    /// The first of `labels` with each label, and with each skeleton: every link's host is looked up.
    /// The keys are the built-in brand domains' labels; message text is only looked up, never
    /// inserted, so nobody can make keys collide and an unkeyed fast hash (Fx) is safe here. Both
    /// borrow the labels from the table (most labels are their own skeleton): an allocation per
    /// label was most of building the index, at every start.
    by_label: FxHashMap<&'static str, usize>,
    by_skeleton: FxHashMap<Cow<'static, str>, usize>,
}

impl Index {
    pub fn new(kb: &Knowledge) -> Index {
        // Sized once for every brand domain: growing the maps would rehash them several times.
        let domains = kb.brands.iter().map(|b| b.domains.len()).sum();
        let mut labels = Vec::with_capacity(domains);
        let mut by_label = FxHashMap::with_capacity_and_hasher(domains, Default::default());
        let mut by_skeleton = FxHashMap::with_capacity_and_hasher(domains, Default::default());
        let mut skeleton = String::new();
        for (brand, b) in kb.brands.iter().enumerate() {
            for (domain, &name) in b.domains.iter().enumerate() {
                let label = first_label(name);
                let i = labels.len();
                skeleton.clear();
                write_folded_skeleton(label, &mut skeleton);
                let key = if skeleton == label { Cow::Borrowed(label) } else { Cow::Owned(skeleton.clone()) };
                by_skeleton.entry(key).or_insert(i);
                by_label.entry(label).or_insert(i);
                labels.push(BrandLabel { brand, domain });
            }
        }
        Index { labels, by_label, by_skeleton }
    }
}

/// UTS #39 skeleton, lower-cased: the skeleton keeps case (`0` becomes `O`), host names do not.
fn folded_skeleton(label: &str) -> String {
    // Sized once: collecting the pieces would grow the string several times per label.
    let mut folded = String::with_capacity(label.len());
    write_folded_skeleton(label, &mut folded);
    folded
}

/// Appends [`folded_skeleton`] of `label` to `folded`.
fn write_folded_skeleton(label: &str, folded: &mut String) {
    // Host labels are mostly ASCII, whose characters have skeletons of their own.
    if label.is_ascii() {
        label.bytes().for_each(|b| push_ascii_folded_skeleton(folded, b));
    } else {
        folded.push_str(&folded_skeleton_of_any(label));
    }
}

fn folded_skeleton_of_any(label: &str) -> String {
    skeleton(label).flat_map(char::to_lowercase).collect()
}

/// Appends the folded skeleton of an ASCII character. No ASCII character's skeleton holds a character
/// that combines with others, so the skeleton of ASCII text is its characters' put together; the
/// index of brand labels, built at every start, skips the normaliser. Those UTS #39 maps to others
/// are written out (a test compares all 128 with [`folded_skeleton_of_any`]): computing them took 3%
/// of a cold start.
fn push_ascii_folded_skeleton(folded: &mut String, b: u8) {
    match b {
        b'"' => folded.push_str("''"),
        b'%' => folded.push_str("°/₀"),
        b'`' => folded.push('\''),
        b'0' => folded.push('o'),
        b'1' | b'I' | b'|' => folded.push('l'),
        b'm' => folded.push_str("rn"),
        _ => folded.push(char::from(b.to_ascii_lowercase())),
    }
}

#[derive(Debug, Clone)]
pub struct Lookalike<'k> {
    pub kind: Kind,
    /// The brand imitated; `None` for a mixed-script label that imitates no known brand.
    pub brand: Option<&'k Brand>,
    /// The brand's real domain the host imitates.
    pub brand_domain: Option<String>,
}

/// Whether a registrable domain (punycode form) imitates a brand's; misspellings count only for
/// brands `claimed` by the message (a handful at most, often none). Domains a brand owns are never
/// look-alikes, and neither is a brand's own name under another suffix (`google.co.jp`): brands own
/// many country domains the knowledge base cannot list.
pub fn check<'k>(
    registrable: &str,
    kb: &'k Knowledge,
    index: &Index,
    lure_words: &[String],
    claimed: &[&Brand],
) -> Option<Lookalike<'k>> {
    if kb.brand_of_domain(registrable).is_some() {
        return None;
    }
    let ascii_label = first_label(registrable);
    let (unicode, _) = idna::domain_to_unicode(ascii_label);
    let label = unicode.to_lowercase();
    if index.by_label.contains_key(label.as_str()) {
        return None;
    }
    let found = |kind, b: &BrandLabel| {
        Some(Lookalike { kind, brand: kb.brands.get(b.brand), brand_domain: b.domain(kb).map(str::to_string) })
    };
    let label_skeleton = folded_skeleton(&label);
    if let Some(b) = index.by_skeleton.get(label_skeleton.as_str()).and_then(|&i| index.labels.get(i)) {
        return found(Kind::Homograph, b);
    }
    if !label.is_ascii() && !label.as_str().is_single_script() {
        return Some(Lookalike { kind: Kind::MixedScript, brand: None, brand_domain: None });
    }
    // The claimed brands' places in the table, found once, not once per label of each of its domains.
    let claimed: Vec<usize> = match claimed {
        [] => Vec::new(),
        _ => (0..kb.brands.len()).filter(|&i| claimed.iter().any(|c| c.id == kb.brands[i].id)).collect(),
    };
    if !claimed.is_empty()
        && let Some(b) = index
            .labels
            .iter()
            .find(|b| claimed.contains(&b.brand) && b.domain(kb).is_some_and(|d| is_typo_of(&label, first_label(d))))
    {
        return found(Kind::Typo, b);
    }
    for (brand, token) in kb.brands_tokened_in(&label) {
        if has_added_words(&label, token, lure_words) {
            let b = index.labels.iter().find(|l| kb.brands.get(l.brand).is_some_and(|x| x.id == brand.id));
            return Some(Lookalike {
                kind: Kind::BrandWithWords,
                brand: Some(brand),
                brand_domain: b.and_then(|b| b.domain(kb)).map(str::to_string),
            });
        }
    }
    None
}

/// A misspelling: within 1 edit of a 5–8 letter name, within 2 of a longer one. Shorter names have
/// too many innocent neighbours.
fn is_typo_of(label: &str, brand: &str) -> bool {
    let n = brand.chars().count();
    let max = match n {
        0..=4 => return false,
        5..=8 => 1,
        _ => 2,
    };
    label != brand && if max == 1 { within_one_edit(label, brand) } else { edit_distance(label, brand, max) <= max }
}

/// Characters of each text that the edit distances compare.
const MAX_EDIT_CHARS: usize = 64;

/// `edit_distance(a, b, 1) <= 1` in one pass: the same, or one character replaced, added or
/// dropped, or two neighbours swapped (in the first 64 characters of each, as there).
pub(crate) fn within_one_edit(a: &str, b: &str) -> bool {
    let (mut a_buf, mut b_buf) = (['\0'; MAX_EDIT_CHARS], ['\0'; MAX_EDIT_CHARS]);
    let (a, b) = (first_chars(a, &mut a_buf), first_chars(b, &mut b_buf));
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let same = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    let (short, long) = (&short[same..], &long[same..]);
    if short.len() < long.len() {
        return short == &long[1..];
    }
    match (short, long) {
        ([], []) => true,
        ([x, y, short_rest @ ..], [p, q, long_rest @ ..]) if x == q && y == p => short_rest == long_rest,
        (short, long) => short.get(1..) == long.get(1..),
    }
}

/// Optimal-string-alignment distance (a swap of neighbours counts as one edit) of the first 64
/// characters of each, giving up early (returning `max + 1`) when the lengths alone rule a match out.
pub(crate) fn edit_distance(a: &str, b: &str, max: usize) -> usize {
    // On the stack: the look-alike checks compare a few thousand short words per message.
    let (mut a_buf, mut b_buf) = (['\0'; MAX_EDIT_CHARS], ['\0'; MAX_EDIT_CHARS]);
    let a = first_chars(a, &mut a_buf);
    let b = first_chars(b, &mut b_buf);
    if a.len().abs_diff(b.len()) > max {
        return max + 1;
    }
    // Row i of the table needs rows i-1 and i-2 only: three rows, used in turn.
    let mut rows = [[0usize; MAX_EDIT_CHARS + 1]; 3];
    for (j, cell) in rows[0].iter_mut().take(b.len() + 1).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        let (row, above, two_above) = (i % 3, (i + 2) % 3, (i + 1) % 3);
        rows[row][0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (rows[above][j] + 1).min(rows[row][j - 1] + 1).min(rows[above][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(rows[two_above][j - 2] + 1);
            }
            rows[row][j] = v;
        }
    }
    rows[a.len() % 3][b.len()]
}

/// The first characters of `text` that fit in `buf`.
fn first_chars<'b>(text: &str, buf: &'b mut [char]) -> &'b [char] {
    let mut len = 0;
    for (slot, c) in buf.iter_mut().zip(text.chars()) {
        *slot = c;
        len += 1;
    }
    &buf[..len]
}

/// The brand token stands as a word of its own in the label (`amazon-security`, `login-paypal2`), or
/// is glued to a lure word (`paypalsecure`). Glued to anything else it is another name
/// (`appleinsider`, `amazonaws`).
fn has_added_words(label: &str, token: &str, lure_words: &[String]) -> bool {
    if label == token {
        return false;
    }
    let words = label.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| !w.is_empty());
    let mut has_other_word = false;
    let mut token_alone = false;
    for word in words {
        if word == token {
            token_alone = true;
        } else if let Some(rest) = word.strip_prefix(token).or_else(|| word.strip_suffix(token)) {
            if lure_words.iter().any(|l| l == rest) {
                return true;
            }
            has_other_word = true;
        } else {
            has_other_word = true;
        }
    }
    token_alone && (has_other_word || label.bytes().any(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_labels_get_the_skeleton_of_their_characters_put_together() {
        let all_ascii: String = (0..128u8).map(char::from).collect();
        for label in [all_ascii.as_str(), "rnicrosoft", "paypa1", "amaz0n-1ogin", "xn--80ak6aa92e", "100%"] {
            assert_eq!(folded_skeleton(label), folded_skeleton_of_any(label), "{label:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_ascii_label_gets_the_same_skeleton_both_ways(label in "[\\x00-\\x7f]{0,24}") {
            proptest::prop_assert_eq!(folded_skeleton(&label), folded_skeleton_of_any(&label));
        }
    }

    fn kind(domain: &str) -> Option<(Kind, Option<String>)> {
        let kb = crate::checks::links::test_knowledge();
        let lures = vec!["secure".to_string(), "login".to_string()];
        let all: Vec<&Brand> = kb.brands.iter().collect();
        check(domain, kb, kb.lookalike_index(), &lures, &all).map(|l| (l.kind, l.brand.map(|b| b.id.to_string())))
    }

    #[test]
    fn homographs_and_mixed_scripts() {
        // Cyrillic `а` in place of Latin `a`.
        let cyrillic_a = idna::domain_to_ascii("аpple.com").unwrap();
        assert_eq!(kind(&cyrillic_a), Some((Kind::Homograph, Some("apple".into()))));
        assert_eq!(kind("rnicrosoft.com"), Some((Kind::Homograph, Some("microsoft".into()))));
        let mixed = idna::domain_to_ascii("bаnk-example.com").unwrap();
        assert_eq!(kind(&mixed), Some((Kind::MixedScript, None)));
        assert_eq!(kind(&idna::domain_to_ascii("日本語ドメイン.jp").unwrap()), None);
    }

    #[test]
    fn typos_within_distance() {
        assert_eq!(kind("amazom.com"), Some((Kind::Typo, Some("amazon".into()))));
        assert_eq!(kind("micorsoft.net"), Some((Kind::Typo, Some("microsoft".into()))));
        assert_eq!(kind("mcrsft.com"), None);
        assert_eq!(kind("amaz0n.com"), Some((Kind::Homograph, Some("amazon".into()))));
        assert_eq!(kind("maple.com"), None);
        let kb = crate::checks::links::test_knowledge();
        let unclaimed = check("amazom.com", kb, kb.lookalike_index(), &[], &[]);
        assert!(unclaimed.is_none());
        assert_eq!(edit_distance("kitten", "sitting", 5), 3);
        assert_eq!(edit_distance("abcd", "abdc", 2), 1);
        assert_eq!(edit_distance("", "abc", 3), 3);
        assert_eq!(edit_distance("ca", "abc", 3), 3, "a swap is not followed by an insertion between");
        assert_eq!(edit_distance("αβγδ", "αγβδ", 2), 1);
        assert_eq!(edit_distance("abcdef", "ab", 1), 2, "lengths alone rule it out");
        // Only the first 64 characters count.
        assert_eq!(edit_distance(&"a".repeat(70), &format!("{}b", "a".repeat(64)), 2), 0);
        assert!(within_one_edit(&"a".repeat(70), &format!("{}bc", "a".repeat(64))));
    }

    proptest::proptest! {
        #[test]
        fn one_edit_is_what_the_distance_says(a in "[abé]{0,7}", b in "[abé]{0,7}") {
            proptest::prop_assert_eq!(within_one_edit(&a, &b), edit_distance(&a, &b, 1) <= 1, "{} {}", a, b);
        }
    }

    #[test]
    fn brand_with_added_words() {
        assert_eq!(kind("amazon-security-login.com"), Some((Kind::BrandWithWords, Some("amazon".into()))));
        assert_eq!(kind("kagoyasecure.net"), Some((Kind::BrandWithWords, Some("kagoya".into()))));
        assert_eq!(kind("amazonaws.com"), None);
        assert_eq!(kind("appleinsider.com"), None);
        // With the shipped word list: country codes glued to the name count as added words.
        let kb = crate::checks::links::test_knowledge();
        let all: Vec<&Brand> = kb.brands.iter().collect();
        let shipped = |domain: &str| check(domain, kb, kb.lookalike_index(), &kb.host_lure_words, &all).map(|l| l.kind);
        assert_eq!(shipped("amazonde.com"), Some(Kind::BrandWithWords));
        assert_eq!(shipped("amazon-uk-billing.com"), Some(Kind::BrandWithWords));
        assert_eq!(shipped("amazonaws.com"), None);
    }

    #[test]
    fn brand_domains_and_other_suffixes_are_not_lookalikes() {
        assert_eq!(kind("amazon.co.jp"), None);
        assert_eq!(kind("amazon.de"), None);
        assert_eq!(kind("example.com"), None);
    }
}
