//! The keys brand names are compared by: folded (NFKC, lower case) and look-alike (UTS #39
//! skeleton). Self-contained (std and the unicode crates only): build.rs computes the keys of the
//! built-in brand names with this same code to lay out their automata.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// NFKC + lower case: full-width `ＫＡＧＯＹＡ` and half-width katakana compare equal to their usual forms.
pub fn fold(text: &str) -> String {
    // ASCII is NFKC already and lower-cases byte by byte: most names and subjects skip the normaliser.
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    // Text NFKC leaves as it is (most Japanese, most accented Latin) skips the normaliser's buffers:
    // its quick check answers `Yes` only for text that is NFKC already.
    if is_nfkc_quick(text.chars()) == IsNormalized::Yes {
        // Sized once: a lower-case character is mostly as long as its upper-case one.
        let mut folded = String::with_capacity(text.len());
        folded.extend(text.chars().flat_map(char::to_lowercase));
        return folded;
    }
    text.nfkc().flat_map(char::to_lowercase).collect()
}

/// Letters a reader cannot tell apart, made equal: UTS #39 skeleton (`0`→`O`, `I`→`l`, `m`→`rn`),
/// lower-cased and mapped again (lower case makes new `m`s), with `i` and `l` merged (an upper-case
/// `I` reads as either). `PayPaI`, `Amaz0n` and `Iedger` get the keys of PayPal, Amazon and Ledger.
pub fn lookalike_key(text: &str) -> String {
    // Names and subjects are mostly ASCII, whose letters have ASCII keys of their own: looked up.
    if text.is_ascii() {
        // Sized once: collecting the pieces would grow the string several times per name.
        let mut key = String::with_capacity(text.len());
        text.bytes().for_each(|b| push_ascii_lookalike_key(&mut key, b));
        return key;
    }
    lookalike_key_of_any(text)
}

/// Whether a brand name, [`fold`]ed, is searched by its look-alike key: ASCII names of four
/// characters or more.
pub fn is_lookalike_searched(folded: &str) -> bool {
    folded.is_ascii() && folded.len() >= 4
}

fn lookalike_key_of_any(text: &str) -> String {
    let once: String = unicode_security::skeleton(text).flat_map(char::to_lowercase).collect();
    let twice = unicode_security::skeleton(&once).flat_map(char::to_lowercase);
    twice.map(|c| if c == 'i' { 'l' } else { c }).collect()
}

/// Appends the look-alike key of an ASCII character. Every step of the key maps ASCII characters one
/// by one, to characters that combine with none (`%` becomes `°/₀`, the rest stay ASCII), so the key
/// of ASCII text is its characters' keys put together. Those UTS #39 maps to others are written out
/// (a test compares all 128 with [`lookalike_key_of_any`]): computing them took 3% of a cold start.
fn push_ascii_lookalike_key(key: &mut String, b: u8) {
    match b {
        b'"' => key.push_str("''"),
        b'%' => key.push_str("°/₀"),
        b'`' => key.push('\''),
        b'0' => key.push('o'),
        b'1' | b'I' | b'i' | b'|' => key.push('l'),
        b'M' | b'm' => key.push_str("rn"),
        _ => key.push(char::from(b.to_ascii_lowercase())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_text_gets_the_lookalike_key_of_its_characters_put_together() {
        let all_ascii: String = (0..128u8).map(char::from).collect();
        for text in [all_ascii.as_str(), "PayPaI Amaz0n rnicrosoft 1ndeed |edger 100% \"M\"", "WaIIet-m0n1tor"] {
            assert_eq!(lookalike_key(text), lookalike_key_of_any(text), "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn text_left_alone_by_nfkc_folds_as_through_the_normaliser(text in "[a-zA-Zéｶｱカ가ΣσℌⅫ ・ー㈱]{0,24}") {
            let through: String = text.nfkc().flat_map(char::to_lowercase).collect();
            proptest::prop_assert_eq!(fold(&text), through);
        }

        #[test]
        fn any_ascii_text_gets_the_same_lookalike_key_both_ways(text in "[\\x00-\\x7f]{0,24}") {
            proptest::prop_assert_eq!(lookalike_key(&text), lookalike_key_of_any(&text));
        }
    }
}
