//! Sums of money written in figures ("US$ 10.5 million", "$4,500,000.00", "5,8 milhões de dólares"),
//! read in folded text for the advance-fee letter (see `data/lures.toml` `[advance_fee_letter]`).

use anyhow::{Result, ensure};
use std::collections::HashMap;

use super::fold;

/// What makes a number a sum of money, and how large a sum counts.
#[derive(Debug)]
pub(super) struct Sums {
    min_amount: f64,
    currency_before: Vec<String>,
    currency_after: Vec<String>,
    /// Folded scale words and their factor, longest first so "millions" is taken before "million".
    scales: Vec<(String, f64)>,
}

impl Sums {
    pub(super) fn new(
        min_amount: u64,
        currency_before: &[String],
        currency_after: &[String],
        scales: &HashMap<String, u64>,
    ) -> Result<Sums> {
        // Longest first: "us$" is taken before "$".
        let folded = |list: &[String]| -> Vec<String> {
            let mut folded: Vec<String> = list.iter().map(|c| fold(c).text).collect();
            folded.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
            folded
        };
        let (currency_before, currency_after) = (folded(currency_before), folded(currency_after));
        ensure!(min_amount >= 1000, "advance_fee_letter min_amount must be at least 1000");
        ensure!(
            [&currency_before, &currency_after].iter().all(|l| !l.is_empty() && l.iter().all(|c| !c.is_empty())),
            "advance_fee_letter currencies must be non-empty"
        );
        let mut scales: Vec<(String, f64)> = scales.iter().map(|(w, &f)| (fold(w).text, f as f64)).collect();
        ensure!(
            scales.iter().all(|(w, f)| !w.is_empty() && !w.contains(' ') && *f >= 10.0),
            "advance_fee_letter scales must be single words of at least 10"
        );
        scales.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        Ok(Sums { min_amount: min_amount as f64, currency_before, currency_after, scales })
    }

    /// The first sum of at least `min_amount` in `folded` text, as written there (currency included).
    /// One pass: each number is read once, and only a few bytes around it are looked at.
    pub(super) fn find<'t>(&self, folded: &'t str) -> Option<&'t str> {
        let bytes = folded.as_bytes();
        let mut at = 0;
        while let Some(offset) = bytes.get(at..)?.iter().position(u8::is_ascii_digit) {
            let start = at + offset;
            let end = number_end(bytes, start);
            at = end;
            let before = folded[..start].strip_suffix(' ').unwrap_or(&folded[..start]);
            let currency_start =
                self.currency_before.iter().find(|c| word_at_end(before, c)).map(|c| before.len() - c.len());
            // A number glued to a word ("mp3", "x2000") is a name, not an amount ("usd2,000,000" is).
            if currency_start.is_none() && folded[..start].ends_with(|c: char| c.is_ascii_alphabetic()) {
                continue;
            }
            let mut amount = value(&folded[start..end]);
            let mut after = end;
            let gap = usize::from(bytes.get(end) == Some(&b' '));
            if let Some((word, factor)) =
                self.scales.iter().find(|(w, _)| word_at(folded, end + gap, w)).map(|(w, f)| (w.len(), *f))
            {
                amount *= factor;
                after = end + gap + word;
            }
            if amount < self.min_amount {
                continue;
            }
            let rest = &folded[after..];
            let rest = rest.strip_prefix(' ').unwrap_or(rest);
            let currency_end =
                self.currency_after.iter().find(|c| word_at(rest, 0, c)).map(|c| folded.len() - rest.len() + c.len());
            if currency_start.is_some() || currency_end.is_some() {
                return folded.get(currency_start.unwrap_or(start)..currency_end.unwrap_or(after));
            }
        }
        None
    }
}

/// Where the number starting at `start` ends: digits, with single `.` or `,` between digits, or a
/// space before a group of two or three ("us$65,000 000 00").
fn number_end(bytes: &[u8], start: usize) -> usize {
    let digit = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
    let mut end = start;
    while let Some(&b) = bytes.get(end) {
        let group = b == b' ' && digit(end + 1) && digit(end + 2) && !(digit(end + 3) && digit(end + 4));
        let separator = ((b == b'.' || b == b',') && digit(end + 1)) || group;
        if !(b.is_ascii_digit() || separator) {
            break;
        }
        end += 1;
    }
    end
}

/// The value of a number written with thousands separators and maybe a decimal part: a last
/// separator followed by one or two digits ("10.5", "5,8", "4,500,000.00") starts the decimals,
/// any other separator groups thousands ("2.000.000", "16,750.000").
fn value(number: &str) -> f64 {
    let decimals_at = number.rfind(['.', ',', ' ']).filter(|&i| (2..=3).contains(&(number.len() - i)));
    let (whole, decimals) = match decimals_at {
        Some(i) => (&number[..i], &number[i + 1..]),
        None => (number, ""),
    };
    let digits = |s: &str| s.bytes().filter(u8::is_ascii_digit).fold(0.0, |v, b| v * 10.0 + f64::from(b - b'0'));
    digits(whole) + digits(decimals) / 10f64.powi(decimals.len() as i32)
}

/// Whether `word` is written at `at` in `text` and not glued to a following Latin letter or digit.
fn word_at(text: &str, at: usize, word: &str) -> bool {
    text.get(at..).is_some_and(|rest| {
        rest.starts_with(word)
            && !(word.ends_with(|c: char| c.is_ascii_alphanumeric())
                && rest[word.len()..].starts_with(|c: char| c.is_ascii_alphanumeric()))
    })
}

/// Whether `text` ends with `word`, not glued to a Latin letter or digit before it.
fn word_at_end(text: &str, word: &str) -> bool {
    text.strip_suffix(word).is_some_and(|before| {
        !(word.starts_with(|c: char| c.is_ascii_alphanumeric())
            && before.ends_with(|c: char| c.is_ascii_alphanumeric()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sums() -> Sums {
        let list = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let scales =
            [("million", 1_000_000), ("millions", 1_000_000), ("milhoes", 1_000_000), ("m", 1_000_000), ("万", 10_000)];
        let scales = scales.iter().map(|(w, f)| (w.to_string(), *f)).collect();
        Sums::new(
            1_000_000,
            &list(&["$", "us$", "usd", "€"]),
            &list(&["usd", "dollars", "de dolares", "ドル"]),
            &scales,
        )
        .unwrap()
    }

    #[test]
    fn fortunes_in_figures_are_found_as_written() {
        let sums = sums();
        for (text, expected) in [
            ("the sum of us$ 10.5 million is yours", "us$ 10.5 million"),
            ("total $4,500,000.00 only", "$4,500,000.00"),
            ("valor de 5,8 milhoes de dolares", "5,8 milhoes de dolares"),
            ("deposit of $ 2.000.000 with", "$ 2.000.000"),
            ("fund of us$9.7m in", "us$9.7m"),
            ("worth 2 millions usd.", "2 millions usd"),
            ("1050万ドルの資金", "1050万ドル"),
            ("€16,750.000 left", "€16,750.000"),
            ("amount of us$65,000 000 00 (sixty", "us$65,000 000 00"),
        ] {
            let text = fold(text).text;
            assert_eq!(sums.find(&text), Some(expected), "{text}");
        }
    }

    #[test]
    fn small_sums_plain_numbers_and_names_are_not_fortunes() {
        let sums = sums();
        for text in [
            "the ticket is $450.00",
            "3 million people watched",
            "call 1234567890 now",
            "call 555 1234 or 555 123 456 789",
            "invoice 4,500,000 items",
            "mp3 2000000",
            "5万円を送ります",
        ] {
            let text = fold(text).text;
            assert_eq!(sums.find(&text), None, "{text}");
        }
    }

    #[test]
    fn long_runs_of_digits_and_separators_are_read_once_without_panic() {
        let sums = sums();
        let n = 200_000;
        for text in [
            "1,".repeat(n),
            "9 99 ".repeat(n),
            "$".repeat(n) + &"9".repeat(n),
            "€1.".repeat(n),
            "1万ドル".repeat(n / 4),
        ] {
            // A quadratic reading of 200,000 runs takes minutes; a linear one well under a second, and
            // a few seconds in a debug build beside the other tests on two busy cores (2 s was flaky).
            let started = std::time::Instant::now();
            let _ = sums.find(&fold(&text).text);
            assert!(started.elapsed().as_secs() < 10, "{}…", &text[..8]);
        }
    }
}
