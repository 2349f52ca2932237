//! Words broken up by spaces to slip past filters (`content.split_words`): "a p proved",
//! "mor tga g e", "bit c oin", "F r e i s pi el e", "i m p o r t a n t". Read on the folded text (lower
//! case, one space between words) already made for the lure scan: a word-at-a-time look for a lone
//! letter between two spaces, eight bytes at a step, and only around such a letter a look at the
//! words beside it.
//!
//! A join counts when it spells one of the listed words (`data/lures.toml` `[split_words]`) from at
//! least three pieces, one of them a lone letter that is not a word of its own (`a` and `i` are).
//! Pieces of several letters mixed with lone letters ("mor tga g e") are never typography. Letters
//! all spaced out ("S U M M E R") are a heading's style: they count when the spaced run is the word
//! itself, or a spaced-out sentence of many letters ("t h e i d e n t i t y o f y o u r w a l l e t").

/// Pieces read on each side of a lone letter.
const MAX_SIDE_PIECES: usize = 16;
/// Bytes read on each side of a lone letter: a join's pieces, or the rest of a spaced-out run.
const MAX_SIDE_BYTES: usize = 40;
/// Longest join looked up (the listed words are shorter).
const MAX_JOINED: usize = 24;
/// Bytes read per message (subject and texts in turn): the words filters look for stand at the top
/// of a short pitch, and a long newsletter is not read for them.
pub(super) const MAX_READ: usize = 4 * 1024;
/// Lone letters looked at per text: a text of spaced letters stays linear.
const MAX_LONE_LETTERS: usize = 64;

/// The listed words and when a spaced-out run of letters counts.
#[derive(Debug)]
pub(super) struct SplitWords {
    /// Folded (lower-case ASCII) words, sorted.
    words: Vec<String>,
    /// For each first letter, a bit for each second letter a listed word starts with.
    starts: [u32; 26],
    min_letters: usize,
    spaced_sentence_letters: usize,
}

/// A split word found: the pieces as written (folded) and the word they spell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SplitWord {
    pub pieces: String,
    pub word: String,
}

impl SplitWords {
    pub(super) fn new(mut words: Vec<String>, min_letters: usize, spaced_sentence_letters: usize) -> Option<Self> {
        let valid =
            |w: &String| w.len() >= min_letters && w.len() <= MAX_JOINED && w.bytes().all(|b| b.is_ascii_lowercase());
        if min_letters < 4
            || !(min_letters..=MAX_SIDE_PIECES).contains(&spaced_sentence_letters)
            || words.is_empty()
            || !words.iter().all(valid)
        {
            return None;
        }
        words.sort_unstable();
        words.dedup();
        let mut starts = [0u32; 26];
        for w in &words {
            let w = w.as_bytes();
            starts[usize::from(w[0] - b'a')] |= 1 << (w[1] - b'a');
        }
        Some(SplitWords { words, starts, min_letters, spaced_sentence_letters })
    }

    fn listed(&self, joined: &[u8]) -> bool {
        self.words.binary_search_by(|w| w.as_bytes().cmp(joined)).is_ok()
    }

    /// Whether a listed word starts with these two letters (lower-case ASCII).
    fn starts(&self, first: u8, second: u8) -> bool {
        let row = self.starts[usize::from(first.wrapping_sub(b'a')) % 26];
        row >> (second.wrapping_sub(b'a') % 26) & 1 == 1
    }

    /// The first split word in the first `budget` bytes of `folded` (folded text: lower case, single
    /// spaces), taking the bytes read from `budget`.
    pub(super) fn find(&self, folded: &str, budget: &mut usize) -> Option<SplitWord> {
        let read = folded.len().min(*budget);
        *budget -= read;
        let bytes = &folded.as_bytes()[..read];
        let (mut looked, mut found) = (0, None);
        lone_letters(bytes, |at| {
            looked += 1;
            found = self.around(bytes, at);
            found.is_none() && looked < MAX_LONE_LETTERS
        });
        found
    }

    /// The listed word spelt by pieces around the lone letter at `at`, if any.
    fn around(&self, bytes: &[u8], at: usize) -> Option<SplitWord> {
        let is_letter = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_lowercase);
        // A piece must stand alone: the byte before it (after it) is no letter or digit, nor part of
        // a longer non-ASCII word.
        let free =
            |i: Option<usize>| i.and_then(|i| bytes.get(i)).is_none_or(|b| !b.is_ascii_alphanumeric() && b.is_ascii());
        // Pieces as (start, end), the lone letter's at `lone`: those on its left are read first,
        // nearest first, and stored from the right end of the left half.
        let mut left = [(0usize, 0usize); MAX_SIDE_PIECES];
        let mut lefts = 0;
        let mut start = at;
        // No join is longer than MAX_JOINED letters: pieces farther away never count.
        while lefts < MAX_SIDE_PIECES
            && at - start < MAX_JOINED
            && start >= 2
            && bytes[start - 1] == b' '
            && is_letter(start - 2)
        {
            let end = start - 1;
            let mut s = end - 1;
            while s > 0 && is_letter(s - 1) {
                s -= 1;
            }
            if !free(s.checked_sub(1)) {
                break;
            }
            left[lefts] = (s, end);
            lefts += 1;
            start = s;
        }
        let mut pieces = [(0usize, 0usize); 2 * MAX_SIDE_PIECES + 1];
        for (slot, piece) in pieces.iter_mut().zip(left[..lefts].iter().rev()) {
            *slot = *piece;
        }
        let lone = lefts;
        pieces[lone] = (at, at + 1);
        let mut count = lone + 1;
        let mut end = at + 1;
        while count < pieces.len() && end - at < MAX_SIDE_BYTES && bytes.get(end) == Some(&b' ') && is_letter(end + 1) {
            let s = end + 1;
            let mut e = s;
            while is_letter(e) {
                e += 1;
            }
            if !free(Some(e)) {
                break;
            }
            pieces[count] = (s, e);
            count += 1;
            end = e;
        }
        let pieces = &pieces[..count];
        let single = |i: usize| pieces[i].1 - pieces[i].0 == 1;
        let mut joined = [0u8; MAX_JOINED];
        for first in 0..=lone {
            // The join starts with its first two letters: most starts begin no listed word.
            let (s, e) = pieces[first];
            let second = if e - s > 1 { Some(bytes[s + 1]) } else { pieces.get(first + 1).map(|p| bytes[p.0]) };
            if !second.is_some_and(|second| self.starts(bytes[s], second)) {
                continue;
            }
            let mut len = 0;
            for (last, &(s, e)) in pieces.iter().enumerate().skip(first) {
                if len + (e - s) > MAX_JOINED {
                    break;
                }
                joined[len..len + (e - s)].copy_from_slice(&bytes[s..e]);
                len += e - s;
                if last < lone || last + 1 - first < 3 || len < self.min_letters || !self.listed(&joined[..len]) {
                    continue;
                }
                if (first..=last).all(single) && !self.spaced_run_counts(pieces, first, last) {
                    continue;
                }
                let shown = String::from_utf8_lossy(&bytes[pieces[first].0..pieces[last].1]).into_owned();
                return Some(SplitWord { pieces: shown, word: String::from_utf8_lossy(&joined[..len]).into_owned() });
            }
        }
        None
    }

    /// Letters all spaced out count when they are the spaced run itself, or part of a spaced-out
    /// sentence of many letters (a heading is a word or two).
    fn spaced_run_counts(&self, pieces: &[(usize, usize)], first: usize, last: usize) -> bool {
        let single = |&(s, e): &(usize, usize)| e - s == 1;
        let run_start = pieces[..first].iter().rposition(|p| !single(p)).map_or(0, |i| i + 1);
        let run_end = pieces[last + 1..].iter().position(|p| !single(p)).map_or(pieces.len(), |i| last + 1 + i);
        let whole = run_start == first && run_end == last + 1;
        // The run may go on beyond the pieces read: then it is long.
        whole || run_end - run_start >= self.spaced_sentence_letters
    }
}

/// Calls `found` with the offset of each lone letter (`b`–`z` but `i`, lower case) between two
/// spaces until it returns false. Eight bytes at a step, a space found by the zero-byte trick (a
/// borrow may mark a byte above a space wrongly; each mark is checked).
fn lone_letters(bytes: &[u8], mut found: impl FnMut(usize) -> bool) {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH_BITS: u64 = u64::from_ne_bytes([0x80; 8]);
    let is_lone = |i: usize| {
        bytes.get(i + 2) == Some(&b' ')
            && bytes[i] == b' '
            && bytes[i + 1].is_ascii_lowercase()
            && !matches!(bytes[i + 1], b'a' | b'i')
    };
    let mut previous = 0u64;
    let (blocks, _) = bytes.as_chunks::<8>();
    for (n, block) in blocks.iter().enumerate() {
        let x = u64::from_le_bytes(*block) ^ (ONES * u64::from(b' '));
        let space = x.wrapping_sub(ONES) & !x & HIGH_BITS;
        // A space two bytes after a space: from the block before's last two bytes, then within.
        let marks = ((previous >> 48) & space & 0x8080) | (space & (space >> 16)) << 16;
        previous = space;
        if marks != 0 && !lone_in_block(marks, n * 8, &is_lone, &mut found) {
            return;
        }
    }
    let at = bytes.len() / 8 * 8;
    // The last bytes, fewer than eight, one by one (from the pairs across the last block).
    for i in at.saturating_sub(2)..bytes.len() {
        if is_lone(i) && !found(i + 1) {
            return;
        }
    }
}

/// Hands `found` the lone letters of one block's `marks` (see [`lone_letters`]); false once it asks
/// to stop. Apart from the loop over blocks, which seldom comes here.
#[inline(never)]
fn lone_in_block(
    mut marks: u64,
    at: usize,
    is_lone: &impl Fn(usize) -> bool,
    found: &mut impl FnMut(usize) -> bool,
) -> bool {
    while marks != 0 {
        let i = (at + marks.trailing_zeros() as usize / 8).wrapping_sub(2);
        marks &= marks - 1;
        if is_lone(i) && !found(i + 1) {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words() -> SplitWords {
        let list = ["approve", "approved", "mortgage", "refinance", "bitcoin", "security", "pontos", "wallet"];
        SplitWords::new(list.iter().map(|w| w.to_string()).collect(), 5, 16).expect("valid")
    }

    fn found(text: &str) -> Option<(String, String)> {
        words().find(text, &mut { usize::MAX }).map(|s| (s.pieces, s.word))
    }

    #[test]
    fn words_broken_up_are_joined() {
        let pair = |p: &str, w: &str| Some((p.to_string(), w.to_string()));
        assert_eq!(found("you were a p proved with 3.2 /%"), pair("a p proved", "approved"));
        assert_eq!(found("your mor tga g e/ r e financ e at the rate"), pair("mor tga g e", "mortgage"));
        assert_eq!(found("die auszahlung von bit c oin ist bereit"), pair("bit c oin", "bitcoin"));
        assert_eq!(found("p o n t o s bradesco"), pair("p o n t o s", "pontos"));
        // A spaced-out sentence: the word inside it counts.
        assert_eq!(found("t h e i d e n t i t y o f y o u r w a l l e t h a s"), pair("w a l l e t", "wallet"));
        // The first pieces of the text and the last.
        assert_eq!(found("mortga g e"), pair("mortga g e", "mortgage"));
        assert_eq!(found("mortg a ge"), None, "a lone a is a word: not what is looked around");
    }

    #[test]
    fn ordinary_text_is_not_joined() {
        // Lone letters that are words, two pieces, compounds and possessives.
        assert_eq!(found("a proved method and i approve of it"), None);
        assert_eq!(found("ap proved"), None, "two pieces are a typo");
        assert_eq!(found("the e-mail's small print, vitamin c, model t 2 x"), None);
        // A spaced heading that is not the word, and a short spaced run holding it.
        assert_eq!(found("s u m m e r c o l l e c t i o n"), None);
        assert_eq!(found("s e c u r i t y x"), None, "a heading of nine letters is not the word");
        assert_eq!(found("s e c u r i t y n o t i c e"), None, "a heading of fourteen letters");
        assert_eq!(found("x s e c u r i t y"), None);
        assert_eq!(found("s e c u r i t y"), Some(("s e c u r i t y".to_string(), "security".to_string())));
        // Pieces glued to digits or other scripts are parts of longer words.
        assert_eq!(found("9mor tga g e"), None);
        assert_eq!(found("mor tga g e9"), None);
        assert_eq!(found("äpp r oved"), None);
    }

    #[test]
    fn lone_letters_are_all_found() {
        let naive = |text: &[u8]| -> Vec<usize> {
            (0..text.len().saturating_sub(2))
                .filter(|&i| {
                    text[i] == b' '
                        && text[i + 2] == b' '
                        && text[i + 1].is_ascii_lowercase()
                        && !matches!(text[i + 1], b'a' | b'i')
                })
                .map(|i| i + 1)
                .collect()
        };
        let mut seed = 7u64;
        let alphabet = b" !pq a1";
        for len in 0..70 {
            for _ in 0..40 {
                let text: Vec<u8> = (0..len)
                    .map(|_| {
                        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                        alphabet[(seed >> 33) as usize % alphabet.len()]
                    })
                    .collect();
                let mut all = Vec::new();
                lone_letters(&text, |at| {
                    all.push(at);
                    true
                });
                assert_eq!(all, naive(&text), "{:?}", String::from_utf8_lossy(&text));
            }
        }
    }

    #[test]
    fn spaced_letters_stay_bounded() {
        let text = "b ".repeat(200_000);
        let start = std::time::Instant::now();
        assert_eq!(words().find(&text, &mut { text.len() }), None);
        assert!(start.elapsed().as_secs() < 10);
    }

    #[test]
    fn the_list_is_checked() {
        assert!(SplitWords::new(vec!["Mortgage".to_string()], 5, 12).is_none(), "folded words only");
        assert!(SplitWords::new(vec!["loan".to_string()], 5, 12).is_none(), "shorter than min_letters");
        assert!(SplitWords::new(vec!["mortgage".to_string()], 3, 12).is_none());
        assert!(SplitWords::new(vec!["mortgage".to_string()], 5, 40).is_none(), "longer than a side is read");
        assert!(SplitWords::new(Vec::new(), 5, 12).is_none());
    }
}
