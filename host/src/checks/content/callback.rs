//! The callback ("TOAD") story: a charge, order or renewal confirmed with a phone number to call to
//! cancel, dispute or get a refund (see `data/lures.toml` `[callback]`). Read in folded text, only
//! around the story's phrases that the lure automaton already found: no pass of its own.

use crate::checks::{auth, sender};
use crate::knowledge::{Brand, Knowledge};
use crate::message::MessageView;

use super::fold;

/// Digits a phone number holds: a North American number (10, or 11 with its country code) or an
/// international one written with `+` (up to 15, E.164's longest).
const MIN_DIGITS: usize = 10;
const MAX_NORTH_AMERICAN_DIGITS: usize = 11;
const MAX_INTERNATIONAL_DIGITS: usize = 15;
/// Bytes a phone number may take as written ("+1 (818) 282-0908" is 17).
const MAX_PHONE_BYTES: usize = 24;
/// Shortest sender name (first label of the From domain) looked for in the text.
const MIN_LABEL: usize = 3;

/// The first phone number within `window` bytes of one of the phrases at `spots` in `folded` text,
/// with that phrase's place: `(phrase start, phrase end, number start, number end)`.
pub(super) fn phone_near(
    folded: &str,
    spots: &[(usize, usize)],
    window: usize,
) -> Option<(usize, usize, usize, usize)> {
    for &(start, end) in spots {
        let from = folded.floor_char_boundary(start.saturating_sub(window));
        let to = folded.ceil_char_boundary((end + window).min(folded.len()));
        if let Some((s, e)) = phone_in(&folded[from..to]) {
            return Some((start, end, from + s, from + e));
        }
    }
    None
}

/// The first phone number in `text`: 10 to 15 digits in groups parted by spaces, dashes, dots or
/// brackets, at least two partings, the last group of 4 digits or more, and no letter or digit glued to
/// either end (order numbers, dates, card numbers and ISBNs are no phone numbers).
fn phone_in(text: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let offset = bytes[at..].iter().position(|b| b.is_ascii_digit() || *b == b'+' || *b == b'(')?;
        let start = at + offset;
        let glued = start > 0 && bytes[start - 1].is_ascii_alphanumeric();
        let (end, digits, partings, last_group) = read_number(bytes, start);
        at = end.max(start + 1);
        let after_glued = bytes.get(end).is_some_and(u8::is_ascii_alphanumeric);
        let international = bytes[start] == b'+';
        let max = if international { MAX_INTERNATIONAL_DIGITS } else { MAX_NORTH_AMERICAN_DIGITS };
        if !glued && !after_glued && (MIN_DIGITS..=max).contains(&digits) && partings >= 2 && last_group >= 4 {
            return Some((start, end));
        }
    }
    None
}

/// Reads a run of digits and partings from `start`: its end (after its last digit), digits, partings
/// between digit groups, and the length of its last digit group.
fn read_number(bytes: &[u8], start: usize) -> (usize, usize, usize, usize) {
    let (mut digits, mut partings, mut group) = (0, 0, 0);
    let mut end = start;
    let mut parted = false;
    let mut i = start;
    while i < bytes.len() && i - start < MAX_PHONE_BYTES {
        let b = bytes[i];
        if b.is_ascii_digit() {
            if parted && digits > 0 {
                partings += 1;
                group = 0;
            }
            parted = false;
            digits += 1;
            group += 1;
            end = i + 1;
        } else if matches!(b, b' ' | b'-' | b'.' | b'(' | b')') || (b == b'+' && i == start) {
            // Two partings in a row ("(888)-284") are one; a sentence's full stop ends the number.
            parted = parted || b != b'+';
        } else {
            break;
        }
        i += 1;
    }
    (end, digits, partings, group)
}

/// The first sum of money in `folded` text: a currency sign, code or coin beside a figure (`$299.00`,
/// `usd 344.78`, `492.45 usd`, `€ 59`, `1.330 btc`).
pub(super) fn amount(folded: &str) -> Option<&str> {
    let bytes = folded.as_bytes();
    for (i, c) in folded.char_indices() {
        let sign = matches!(c, '$' | '€' | '£');
        let code = ["usdt", "usd", "eur", "gbp", "btc"]
            .iter()
            .find(|code| folded[i..].starts_with(*code) && (i == 0 || !bytes[i - 1].is_ascii_alphabetic()));
        let len = if sign {
            c.len_utf8()
        } else if let Some(code) = code {
            code.len()
        } else {
            continue;
        };
        let rest = &folded[i + len..];
        let figure = rest.strip_prefix(' ').unwrap_or(rest);
        if figure.starts_with(|d: char| d.is_ascii_digit()) {
            let end = folded.len() - figure.len()
                + figure.find(|d: char| !(d.is_ascii_digit() || d == '.' || d == ',')).unwrap_or(figure.len());
            return Some(folded[i..end].trim_end_matches(['.', ',']));
        }
        // A code after the figure: "492.45 usd".
        if code.is_some() {
            let before = folded[..i].strip_suffix(' ').unwrap_or(&folded[..i]);
            if before.ends_with(|d: char| d.is_ascii_digit()) && !rest.starts_with(|d: char| d.is_ascii_alphabetic()) {
                // Thousands may be grouped by spaces: "91 453 usd".
                let start = before.trim_end_matches(|d: char| d.is_ascii_digit() || matches!(d, '.' | ',' | ' ')).len();
                let start = start + folded[start..i].len() - folded[start..i].trim_start().len();
                return Some(&folded[start..i + len]);
            }
        }
    }
    None
}

/// The sender's own name as the text would write it: the first label of the From domain (`bestbuy`
/// of `emailinfo.bestbuy.com`); none for a free mailbox, whose domain is anyone's.
pub(super) fn sender_label(view: &MessageView, kb: &Knowledge) -> Option<String> {
    let from = view.from.as_ref()?;
    if from.domain.as_deref().is_some_and(|d| sender::is_free_mailbox(kb, d)) {
        return None;
    }
    // A name under a suffix the list does not know (`shop.example`) is read by its last two labels.
    let name = match (&from.registrable, &from.domain) {
        (Some(registrable), _) => registrable.split('.').next()?,
        (None, Some(domain)) => domain.rsplit('.').nth(1)?,
        (None, None) => return None,
    };
    let label = name.replace('-', "");
    (label.len() >= MIN_LABEL).then_some(label)
}

/// Whether `folded` text names the sender: its label written with or without spaces and punctuation
/// ("Best Buy" names `bestbuy.com`).
pub(super) fn names_sender(folded: &str, label: &str) -> bool {
    let compact: String = folded.chars().filter(|c| c.is_alphanumeric()).collect();
    compact.contains(label)
}

/// Bytes before a phone number that say whose it is ("please contact Norton Billing Support at").
const CALLER_BYTES: usize = 40;

/// The words just before a phone number at `start` in `folded` text, within its sentence.
pub(super) fn words_before(folded: &str, start: usize) -> &str {
    let before = &folded[folded.floor_char_boundary(start.saturating_sub(CALLER_BYTES))..start];
    let sentence_start = before.rfind(". ").map_or(0, |i| i + 2);
    &before[sentence_start..]
}

/// Bytes of a text's start (its letterhead) and end (its sign-off) read for the brand it speaks as.
const HEAD_BYTES: usize = 150;
const TAIL_BYTES: usize = 200;

/// Where a text speaks as someone: its first and last lines. A brand named in between is what the
/// text is about (a card or wallet paid with: "Visa ending 1234", "Paid with PayPal").
pub(super) fn letterhead_and_signoff(text: &str) -> [&str; 2] {
    let text = text.trim();
    let head = &text[..text.floor_char_boundary(HEAD_BYTES)];
    let tail = &text[text.ceil_char_boundary(text.len().saturating_sub(TAIL_BYTES))..];
    [head, tail]
}

/// A brand the texts speak as (by name, or by its distinctive token as a whole word: `Norton`) that
/// did not send the message: its domain is not the From domain and did not sign it.
pub(super) fn brand_not_sender<'k>(view: &MessageView, kb: &'k Knowledge, texts: &[&str]) -> Option<&'k Brand> {
    let from = view.from.as_ref();
    let freemail = from.and_then(|f| f.domain.as_deref()).is_some_and(|d| sender::is_free_mailbox(kb, d));
    let registrable = from.and_then(|f| f.registrable.as_deref()).filter(|_| !freemail);
    let speaks_for =
        |brand: &Brand| registrable.is_some_and(|r| brand.owns_domain(r)) || auth::brand_authenticated(view, kb, brand);
    for text in texts {
        let named = kb.brands_named_in(text);
        if let Some(brand) = named.into_iter().find(|b| !speaks_for(b)) {
            return Some(brand);
        }
        let folded = fold(text).text;
        for word in folded.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| w.len() >= 5) {
            let tokened = kb.brands_tokened_in(word);
            if let Some((brand, _)) = tokened.into_iter().find(|(b, token)| *token == word && !speaks_for(b)) {
                return Some(brand);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone(text: &str) -> Option<&str> {
        phone_in(text).map(|(s, e)| &text[s..e])
    }

    #[test]
    fn reads_phone_numbers_as_written() {
        for (text, number) in [
            ("contact our billing department at +1 818-282-0908 within 24 hours", "+1 818-282-0908"),
            ("contact our support team: (888)-284-2188 payment", "(888)-284-2188"),
            ("please contact us at 855-613-5417 as soon as possible.", "855-613-5417"),
            ("team at 1 864 567-4482. gladly", "1 864 567-4482"),
            ("contact us at +1 888.929.2670 ebay", "+1 888.929.2670"),
            ("service hotline: 1-803-467-8150.we", "1-803-467-8150"),
            ("call +44 20 7946 0958 now", "+44 20 7946 0958"),
        ] {
            assert_eq!(phone(text), Some(number), "{text}");
        }
    }

    #[test]
    fn order_numbers_dates_and_cards_are_no_phone_numbers() {
        for text in [
            "order no. 9047-zj-6662 70575021628 is processed",
            "invoice date: 2025-08-19, receipt np0045698791324",
            "card 4111 1111 1111 1111 was charged",
            "isbn 978-3-16-148410-0",
            "version 10.2.3.4567",
            "ref ab123-456-7890",
        ] {
            assert_eq!(phone(text), None, "{text}");
        }
    }

    #[test]
    fn reads_sums_of_money() {
        for (text, sum) in [
            ("total paid: $299.00 invoice", "$299.00"),
            ("total: $ 1059.99 user", "$ 1059.99"),
            ("an amount of usd 344.78 will be billed", "usd 344.78"),
            ("your payment of $492.45 usd for", "$492.45"),
            ("charged 364.88 usd today", "364.88 usd"),
            ("€59,90 abgebucht", "€59,90"),
            ("www.x.blogspot.ch - 1.330 btc binance", "1.330 btc"),
            ("hi www.x.cl - 180 861 usdt", "180 861 usdt"),
        ] {
            assert_eq!(amount(text), Some(sum), "{text}");
        }
        for text in ["usd is a currency", "the $ sign", "thousands of users", "refused 12 times"] {
            assert_eq!(amount(text), None, "{text}");
        }
    }

    #[test]
    fn a_phone_number_counts_near_the_story_only() {
        let text = "your renewal is confirmed. lots of text in between that goes on and on. ".repeat(4)
            + "call 855-613-5417 for anything else.";
        let renewal = (text.find("renewal").unwrap(), text.find("renewal").unwrap() + 7);
        assert_eq!(phone_near(&text, &[renewal], 200), None);
        let near = "to cancel this renewal call 855-613-5417 today";
        let spot = (near.find("cancel").unwrap(), near.find("cancel").unwrap() + 6);
        assert!(phone_near(near, &[spot], 200).is_some());
    }

    #[test]
    fn names_the_sender_with_or_without_spaces() {
        assert!(names_sender("thank you for shopping at best buy.", "bestbuy"));
        assert!(!names_sender("sincerely, norton renewal services", "karenphillips"));
    }
}
