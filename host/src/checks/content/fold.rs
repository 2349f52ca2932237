//! Folding text for phrase matching (see `data/lures.toml`): NFKC, lower case, accents and look-alike
//! letters undone, invisible characters dropped, spaces inside Japanese removed; noticing disguises
//! and machine-translation cues on the way. Self-contained (std and unicode-normalization only):
//! build.rs folds the built-in phrases with this same code to lay out their automata.

use std::collections::HashSet;
use std::ops::Range;

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

pub(super) fn is_kana(c: char) -> bool {
    matches!(c, '\u{3041}'..='\u{309F}' | '\u{30A0}'..='\u{30FF}')
}

pub(super) fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}')
}

/// Japanese script or punctuation: spaces between two of these are not word separators.
pub(super) fn is_japanese(c: char) -> bool {
    is_kana(c) || is_han(c) || matches!(c, '\u{3000}'..='\u{303F}' | '\u{FF01}'..='\u{FF60}')
}

/// Characters that render as nothing: used to split words so filters miss them.
pub(super) fn is_invisible(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{034F}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Combining marks left after NFKC (nothing composed them): accents stacked on letters to disguise them.
fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{0483}'..='\u{0489}' | '\u{0591}'..='\u{05BD}'
        | '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}' | '\u{0711}' | '\u{0730}'..='\u{074A}'
        | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

/// Cyrillic and Greek letters that look like Latin ones.
fn latin_lookalike(c: char) -> Option<char> {
    Some(match c {
        'а' | 'А' | 'α' | 'Α' => 'a',
        'В' | 'Β' => 'b',
        'с' | 'С' | 'ϲ' => 'c',
        'ԁ' => 'd',
        'е' | 'Е' | 'Ε' => 'e',
        'һ' | 'Н' | 'Η' => 'h',
        'і' | 'І' | 'ι' | 'Ι' => 'i',
        'ј' | 'Ј' => 'j',
        'К' | 'κ' | 'Κ' => 'k',
        'ӏ' => 'l',
        'М' | 'Μ' => 'm',
        'Ν' => 'n',
        'о' | 'О' | 'ο' | 'Ο' => 'o',
        'р' | 'Р' | 'ρ' | 'Ρ' => 'p',
        'ԛ' => 'q',
        'ѕ' | 'Ѕ' => 's',
        'Т' | 'Τ' => 't',
        'ν' => 'v',
        'ԝ' => 'w',
        'х' | 'Х' | 'Χ' => 'x',
        'у' | 'У' | 'Υ' => 'y',
        'Ζ' => 'z',
        _ => return None,
    })
}

/// Latin letter with its accents removed (`é` → `e`), so "atencao" and "atenção" read the same.
fn strip_accent(c: char) -> char {
    if !matches!(c, '\u{00C0}'..='\u{024F}') {
        return c;
    }
    let mut base = c;
    let mut first = true;
    unicode_normalization::char::decompose_canonical(c, |d| {
        if first && d.is_ascii() {
            base = d;
        }
        first = false;
    });
    base
}

/// Letters from the Mathematical Alphanumeric Symbols and enclosed/squared letter blocks: styled
/// "𝙎𝙚𝙘𝙪𝙧𝙚" that NFKC turns back into ASCII, used to dodge filters.
fn is_styled_letter(c: char) -> bool {
    matches!(c, '\u{1D400}'..='\u{1D7FF}' | '\u{1F130}'..='\u{1F189}' | '\u{24B6}'..='\u{24E9}')
}

/// Shows invisible, combining and look-alike characters as `⟨U+XXXX⟩` so the user can see the trick.
pub fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_invisible(c) || is_combining(c) || latin_lookalike(c).is_some() || c.is_control() {
            out.push_str(&format!("⟨U+{:04X}⟩", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Longest word kept for evidence of look-alike letters.
const MAX_EVIDENCE_WORD: usize = 60;

/// Folded text and what was noticed while folding it.
#[derive(Debug, Default)]
pub struct Folded {
    pub text: String,
    /// Letters disguised with look-alikes, invisible or combining characters inside Latin words.
    pub disguised: usize,
    /// The first disguised word, made visible.
    pub disguised_word: Option<String>,
    /// Spaces before a particle between Japanese characters ("5つ の受信").
    pub particle_spaces: usize,
    pub particle_example: Option<String>,
    /// The text contains kana, i.e. it is Japanese.
    pub has_kana: bool,
    pub simplified: usize,
    pub simplified_example: Option<char>,
    /// Places, every `RESUME_EVERY` bytes of a long text, where [`source_ranges`] can start folding.
    pub resumes: Vec<Resume>,
}

/// Source bytes between two places where folding can resume: the refolding for a quote starts at most
/// this far before it, and each place costs 32 bytes (an eighth of the text's size).
const RESUME_EVERY: usize = 256;

/// A place between two chunks of a text where folding can start again: the bytes read and written
/// before it, and what the folded text from there on depends on (the last character written and
/// whether white space is pending; the rest of a folder's state only counts cues).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Resume {
    source: usize,
    folded: usize,
    last: Option<char>,
    pending_space: bool,
}

/// Folds text for matching (see `data/lures.toml`) and records disguise and translation cues.
pub fn fold(text: &str) -> Folded {
    fold_with(text, &[], &HashSet::new())
}

pub(super) fn fold_with(text: &str, particles: &[char], simplified: &HashSet<char>) -> Folded {
    fold_resumable(text, particles, simplified, RESUME_EVERY)
}

pub(super) fn fold_resumable(
    text: &str,
    particles: &[char],
    simplified: &HashSet<char>,
    resume_every: usize,
) -> Folded {
    let mut folder = Folder::new(text.len(), particles, simplified);
    let mut next_resume = resume_every;
    // NFKC never joins characters across ASCII whitespace, so text is normalised word by word and
    // only where needed: ASCII and already-normal words (most text) skip the costly normaliser.
    // An ASCII whitespace byte is never part of a multi-byte character: chunks are cut on bytes.
    let mut rest = text;
    while !rest.is_empty() {
        let read = text.len() - rest.len();
        if read >= next_resume {
            let (folded, last, pending_space) = (folder.f.text.len(), folder.last, folder.pending_space);
            folder.f.resumes.push(Resume { source: read, folded, last, pending_space });
            next_resume = read + resume_every;
        }
        let run = ascii_chunks_len(rest);
        if run > 0 {
            let (chunks, after) = rest.split_at(run);
            folder.push_ascii(chunks);
            rest = after;
            continue;
        }
        let (chunk, after) = rest.split_at(chunk_len(rest));
        rest = after;
        folder.styled_letters(chunk);
        if nfkc_unchanged(chunk) {
            chunk.chars().for_each(|c| folder.push(c));
        } else {
            chunk.nfkc().for_each(|c| folder.push(c));
        }
    }
    folder.finish()
}

/// Whether NFKC leaves `text` as it is (its quick check says so). Most Japanese text is kana, kanji
/// and ASCII, which NFKC leaves alone: told by ranges, before the normaliser's table search.
fn nfkc_unchanged(text: &str) -> bool {
    text.chars().all(is_plainly_normal) || is_nfkc_quick(text.chars()) == IsNormalized::Yes
}

/// ASCII, accented Latin letters, Japanese punctuation, kana (without the voiced sound marks and the
/// digraphs, which NFKC changes) and the unified kanji: characters NFKC leaves alone and that combine
/// with nothing before them (a test checks each).
fn is_plainly_normal(c: char) -> bool {
    c.is_ascii()
        || matches!(c, '\u{00C0}'..='\u{0131}' | '\u{3001}'..='\u{3029}' | '\u{3041}'..='\u{3096}'
            | '\u{30A0}'..='\u{30FE}' | '\u{4E00}'..='\u{9FFF}')
}

/// Length of the run of whole ASCII chunks that `rest` starts with: the ASCII text before the next
/// non-ASCII byte, up to its last whitespace (all of it at the end of the text).
fn ascii_chunks_len(rest: &str) -> usize {
    let ascii = ascii_prefix_len(rest.as_bytes());
    if ascii == rest.len() {
        ascii
    } else {
        rest.as_bytes()[..ascii].iter().rposition(u8::is_ascii_whitespace).map_or(0, |i| i + 1)
    }
}

/// Length of the chunk `rest` starts with: up to and with its first ASCII whitespace.
fn chunk_len(rest: &str) -> usize {
    rest.bytes().position(|b| b.is_ascii_whitespace()).map_or(rest.len(), |i| i + 1)
}

/// For each of `offsets` (ascending byte offsets into `folded`, which [`fold`] gave for `text` with
/// `resumes`), the bytes of `text` whose folding wrote that byte. Folds `text` again piece by piece,
/// from the last resume place before each offset (when it is ahead) up to that offset: for the few
/// texts quoted as evidence, not for every text matched. `None` when an offset is not in `folded` or
/// this folding does not give `folded` (it always should).
pub(super) fn source_ranges(
    text: &str,
    folded: &str,
    resumes: &[Resume],
    offsets: &[usize],
) -> Option<Vec<Range<usize>>> {
    let simplified = HashSet::new();
    let mut folder = Folder::new(0, &[], &simplified);
    // Where `folder` started: the bytes of `text` read and of `folded` written before it.
    let (mut rest_at, mut before) = (0, 0);
    let mut ranges = Vec::with_capacity(offsets.len());
    let mut resumed_for = None;
    while let Some(&next_offset) = offsets.get(ranges.len()) {
        if resumed_for != Some(next_offset) {
            resumed_for = Some(next_offset);
            let resume = resumes[..resumes.partition_point(|r| r.folded <= next_offset)].last();
            if let Some(r) = resume.filter(|r| r.source > rest_at) {
                folded.get(before..)?.as_bytes().starts_with(folder.f.text.as_bytes()).then_some(())?;
                folder = Folder::new(0, &[], &simplified);
                (folder.last, folder.pending_space) = (r.last, r.pending_space);
                (rest_at, before) = (r.source, r.folded);
            }
        }
        let rest = text.get(rest_at..).filter(|rest| !rest.is_empty())?;
        // ASCII chunks are folded at once as in `fold_with`, as many as fold to bytes before the next
        // offset asked (a chunk folds to at most one byte more than it is). Only the bytes within
        // that room are read: the ASCII run after them may be the rest of a long text.
        let room = next_offset.saturating_sub(before + folder.f.text.len() + 1);
        let within = &rest.as_bytes()[..rest.len().min(room)];
        let ascii = &within[..ascii_prefix_len(within)];
        let at_once = ascii.iter().rposition(u8::is_ascii_whitespace).map_or(0, |i| i + 1);
        if at_once > 0 {
            folder.push_ascii(&rest[..at_once]);
            rest_at += at_once;
            continue;
        }
        let chunk_end = rest_at + chunk_len(rest);
        // Piece by piece: a character and those that may normalise together with it (combining
        // marks, half-width voiced sound marks), so NFKC of the pieces one by one is NFKC of the chunk.
        // In a chunk NFKC leaves as it is (most), each character is a piece.
        let chunk = &text[rest_at..chunk_end];
        let normal = nfkc_unchanged(chunk);
        let mut pieces = chunk.char_indices().map(|(i, c)| (rest_at + i, c)).peekable();
        while let Some((start, first)) = pieces.next() {
            let mut end = start + first.len_utf8();
            while let Some(&(at, c)) = pieces.peek().filter(|&&(_, c)| !normal && !starts_nfkc_segment(c)) {
                end = at + c.len_utf8();
                pieces.next();
            }
            let piece = &text[start..end];
            if normal || is_nfkc_quick(piece.chars()) == IsNormalized::Yes {
                piece.chars().for_each(|c| folder.push(c));
            } else {
                piece.nfkc().for_each(|c| folder.push(c));
            }
            let written = before + folder.f.text.len();
            while offsets.get(ranges.len()).is_some_and(|&offset| offset < written) {
                ranges.push(start..end);
            }
        }
        rest_at = chunk_end;
    }
    folded.get(before..)?.as_bytes().starts_with(folder.f.text.as_bytes()).then_some(ranges)
}

/// Whether NFKC leaves the text before `c` as it is: `c` is a starter, and so is the first character
/// it normalises to, which composes with nothing before it.
fn starts_nfkc_segment(c: char) -> bool {
    if c.is_ascii() {
        return true;
    }
    let stable = |c: char| canonical_combining_class(c) == 0 && is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes;
    stable(c) || (canonical_combining_class(c) == 0 && c.nfkc().next().is_some_and(stable))
}

/// Whether a folded phrase's start and end must fall on word boundaries: the ends that are ASCII
/// letters or digits (so `card` is not found in `discard`).
pub fn word_bounded_ends(folded: &str) -> (bool, bool) {
    let word_edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    (word_edge(folded.chars().next()), word_edge(folded.chars().last()))
}

/// Length of the ASCII start of `bytes`, tested 16 bytes at a time (most text is ASCII).
fn ascii_prefix_len(bytes: &[u8]) -> usize {
    let blocks = bytes.chunks_exact(16).take_while(|block| block.is_ascii()).count() * 16;
    let tail = bytes.get(blocks..).unwrap_or_default();
    blocks + tail.iter().position(|b| !b.is_ascii()).unwrap_or(tail.len())
}

/// Length of the start of `bytes` (ASCII) where every [`is_ascii_space`] byte is a single space
/// followed by a byte that is not one: what folding copies as it is. Eight bytes at a time.
fn single_spaced_len(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH_BITS: u64 = u64::from_ne_bytes([0x80; 8]);
    let breaks = |at: usize| {
        let followed = bytes.get(at + 1).is_some_and(|&next| !is_ascii_space(next));
        bytes.get(at).is_some_and(|&b| is_ascii_space(b) && !(b == b' ' && followed))
    };
    let mut at = 0;
    // Each block is read with the byte after it, which tells whether a space is single.
    while let Some(window) = bytes.get(at..at + 9) {
        let word = u64::from_le_bytes(window[..8].try_into().unwrap_or_default());
        let next = u64::from_le_bytes(window[1..].try_into().unwrap_or_default());
        // High bits of the bytes below 0x20, of the spaces and of the bytes followed by one up to 0x20.
        // A borrow only carries upward: no such byte is missed, and bytes above one may be flagged
        // wrongly, so each flagged byte is checked, lowest first.
        let control = word.wrapping_sub(ONES * 0x20) & !word & HIGH_BITS;
        let spaces = word ^ (ONES * 0x20);
        let space = spaces.wrapping_sub(ONES) & !spaces & HIGH_BITS;
        let before_blank = next.wrapping_sub(ONES * 0x21) & !next & HIGH_BITS;
        let flagged = control | (space & before_blank);
        if flagged == 0 {
            at += 8;
            continue;
        }
        let first = at + (flagged.trailing_zeros() / 8) as usize;
        if breaks(first) {
            return first;
        }
        at = first + 1;
    }
    (at..bytes.len()).find(|&i| breaks(i)).unwrap_or(bytes.len())
}

/// `char::is_whitespace` for an ASCII byte: the ASCII whitespace and the vertical tab.
pub(super) fn is_ascii_space(b: u8) -> bool {
    const SPACES: u64 = 1 << b'\t' | 1 << b'\n' | 1 << 0x0B | 1 << 0x0C | 1 << b'\r' | 1 << b' ';
    b <= b' ' && SPACES >> b & 1 == 1
}

/// The state of one folding pass (see [`fold`]).
pub(super) struct Folder<'t> {
    f: Folded,
    particles: &'t [char],
    simplified: &'t HashSet<char>,
    pending_space: bool,
    line_break: bool,
    /// The last character written, and whether it was a real (not look-alike) Latin letter.
    last: Option<char>,
    last_latin: bool,
    /// A disguise character was seen next to a Latin letter; it counts if a Latin letter follows.
    disguise_pending: bool,
    /// The current word as written, kept for evidence when it turns out disguised.
    word: String,
    word_len: usize,
    word_disguised: bool,
    /// Byte offset in the folded text of a particle that followed a dropped space.
    particle_at: Option<usize>,
}

impl<'t> Folder<'t> {
    pub(super) fn new(capacity: usize, particles: &'t [char], simplified: &'t HashSet<char>) -> Folder<'t> {
        Folder {
            f: Folded { text: String::with_capacity(capacity), ..Folded::default() },
            particles,
            simplified,
            pending_space: false,
            line_break: false,
            last: None,
            last_latin: false,
            disguise_pending: false,
            word: String::new(),
            word_len: 0,
            word_disguised: false,
            particle_at: None,
        }
    }

    /// Styled letters vanish under NFKC, so they are counted on the source.
    pub(super) fn styled_letters(&mut self, chunk: &str) {
        for c in chunk.chars().filter(|c| is_styled_letter(*c)) {
            self.f.disguised += 1;
            if self.f.disguised_word.is_none() {
                let word = chunk.split(char::is_whitespace).find(|w| w.contains(c)).unwrap_or(chunk);
                self.f.disguised_word = Some(word.chars().take(MAX_EVIDENCE_WORD).collect());
            }
        }
    }

    /// The folded text, once every character is pushed.
    pub(super) fn finish(mut self) -> Folded {
        self.end_word();
        self.f
    }

    fn end_word(&mut self) {
        if self.word_disguised && self.f.disguised_word.is_none() {
            self.f.disguised_word = Some(visible(&self.word));
        }
        self.word.clear();
        self.word_len = 0;
        self.word_disguised = false;
    }

    fn disguised(&mut self) {
        self.f.disguised += 1;
        self.word_disguised = true;
        self.disguise_pending = false;
    }

    /// [`Folder::push`] of each character of ASCII chunks. The chunks start after whitespace (or at
    /// the start), so no disguise is pending and no word is open, and none can arise in ASCII. Only
    /// the first letter goes through [`Folder::emit`] (the whitespace before it may join Japanese to a
    /// digit); between two ASCII letters any run of whitespace becomes one space.
    fn push_ascii(&mut self, chunks: &str) {
        debug_assert!(self.word.is_empty() && !self.disguise_pending && !self.word_disguised);
        let is_space = |b: &u8| is_ascii_space(*b);
        let is_break = |b: &u8| *b == b'\n' || *b == b'\r';
        let bytes = chunks.as_bytes();
        let (Some(first), Some(last)) =
            (bytes.iter().position(|b| !is_space(b)), bytes.iter().rposition(|b| !is_space(b)))
        else {
            self.pending_space |= !bytes.is_empty();
            self.line_break |= bytes.iter().any(is_break);
            return;
        };
        let (leading, words, trailing) = (&bytes[..first], &bytes[first..=last], &bytes[last + 1..]);
        if !leading.is_empty() {
            self.pending_space = true;
            self.line_break |= leading.iter().any(is_break);
        }
        self.emit(char::from(words[0].to_ascii_lowercase()));
        // The rest with one space between words, lower-cased at once: runs of words already single
        // spaced (most of prose) are copied whole.
        let start = self.f.text.len();
        // ASCII: every byte offset is a character boundary.
        let mut rest = &chunks[first + 1..=last];
        while !rest.is_empty() {
            let run = single_spaced_len(rest.as_bytes());
            self.f.text.push_str(&rest[..run]);
            rest = &rest[run..];
            let spaces = rest.bytes().position(|b| !is_ascii_space(b)).unwrap_or(rest.len());
            if spaces > 0 && spaces < rest.len() {
                self.f.text.push(' ');
            }
            rest = &rest[spaces..];
        }
        self.f.text[start..].make_ascii_lowercase();
        // `emit` would have consumed a pending particle on the second letter of a word (two letters
        // in a row); looked for only when one is pending, which is rare.
        if self.particle_at.is_some() && words.windows(2).any(|pair| !is_space(&pair[0]) && !is_space(&pair[1])) {
            self.particle_at = None;
        }
        self.last = Some(char::from(bytes[last].to_ascii_lowercase()));
        self.last_latin = bytes[last].is_ascii_alphabetic();
        if !trailing.is_empty() {
            self.pending_space = true;
            self.line_break |= trailing.iter().any(is_break);
        }
    }

    pub(super) fn push(&mut self, c: char) {
        if c.is_whitespace() {
            self.pending_space = true;
            self.line_break |= c == '\n' || c == '\r';
            self.disguise_pending = false;
            self.end_word();
            return;
        }
        if self.word_len < MAX_EVIDENCE_WORD {
            self.word.push(c);
            self.word_len += 1;
        }
        if c.is_ascii() {
            let latin = c.is_ascii_alphabetic();
            if self.disguise_pending && latin {
                self.disguised();
            }
            self.disguise_pending = false;
            self.emit(c.to_ascii_lowercase());
            self.last_latin = latin;
            return;
        }
        if is_invisible(c) || is_combining(c) {
            // Soft hyphens are legitimate hyphenation hints in newsletters.
            self.disguise_pending |= self.last_latin && !self.pending_space && c != '\u{00AD}';
            return;
        }
        let lookalike = latin_lookalike(c);
        // `strip_accent` first: it rules out most characters with a range test, `is_alphabetic` is a table search.
        let genuine_latin = lookalike.is_none() && strip_accent(c) != c && c.is_alphabetic();
        if lookalike.is_some() && self.last_latin && !self.pending_space {
            self.disguised();
        } else if lookalike.is_some() {
            // Counts only if a real Latin letter follows: "Аmazon", not Russian "ответ".
            self.disguise_pending = true;
        } else if self.disguise_pending && genuine_latin {
            self.disguised();
        } else {
            self.disguise_pending = false;
        }
        if is_kana(c) {
            self.f.has_kana = true;
        } else if is_han(c) && self.simplified.contains(&c) {
            self.f.simplified += 1;
            self.f.simplified_example.get_or_insert(c);
        }
        // Kana and kanji have neither case nor accents: written as they are, without a search of the
        // case tables for each character of Japanese text.
        if is_kana(c) || is_han(c) {
            self.emit(c);
        } else {
            for lower in lookalike.unwrap_or(c).to_lowercase() {
                self.emit(strip_accent(lower));
            }
        }
        self.last_latin = genuine_latin;
    }

    /// Writes one folded character, deciding what the whitespace before it becomes.
    fn emit(&mut self, c: char) {
        if self.pending_space {
            let joins = |a: char, b: char| {
                (is_japanese(a) && (is_japanese(b) || b.is_ascii_digit())) || (a.is_ascii_digit() && is_japanese(b))
            };
            if let Some(prev) = self.last {
                if !joins(prev, c) {
                    self.f.text.push(' ');
                } else if !self.line_break && (is_kana(prev) || is_han(prev)) && self.particles.contains(&c) {
                    self.particle_at = Some(self.f.text.len());
                }
            }
            self.pending_space = false;
            self.line_break = false;
        } else if let Some(at) = self.particle_at.take() {
            // The particle is followed directly by more Japanese: "5つ の受信".
            if is_japanese(c) && self.f.text.len() > at {
                self.f.particle_spaces += 1;
                if self.f.particle_example.is_none() {
                    let head: Vec<char> = self.f.text[..at].chars().rev().take(4).collect();
                    let before: String = head.into_iter().rev().collect();
                    self.f.particle_example = Some(format!("{before} {}{c}", &self.f.text[at..]));
                }
            }
        }
        self.f.text.push(c);
        self.last = Some(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plainly_normal_characters_are_left_alone_by_nfkc() {
        let plain = (0..=0x10FFFF).filter_map(char::from_u32).filter(|&c| is_plainly_normal(c));
        for c in plain {
            assert_eq!(is_nfkc_quick(std::iter::once(c)), IsNormalized::Yes, "{c:?}");
            assert_eq!(canonical_combining_class(c), 0, "{c:?}");
        }
    }

    #[test]
    fn kana_and_kanji_have_no_case_and_no_accents() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32).filter(|&c| is_kana(c) || is_han(c)) {
            assert!(c.to_lowercase().eq([c]) && strip_accent(c) == c && latin_lookalike(c).is_none(), "{c:?}");
        }
    }

    #[test]
    fn single_spacing_is_read_eight_bytes_at_a_time_as_one_by_one() {
        let one_by_one = |text: &[u8]| {
            (0..text.len())
                .find(|&i| {
                    is_ascii_space(text[i])
                        && !(text[i] == b' ' && text.get(i + 1).is_some_and(|&n| !is_ascii_space(n)))
                })
                .unwrap_or(text.len())
        };
        for text in [
            "",
            "word",
            "verification ",
            "two words and more words here",
            "abcdefgh\x0Bijk",
            "abc\x01\x02def\x1Fghijklmn\tz",
            "\x7F\x7F\x7F\x7F\x7F\x7F\x7F\x7F\x7F \r\n",
            "0123456789abcdef\x0C",
            "!!!!!!!!\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00 x",
            "a b c d e f g h i  j",
            "a\x01 \x01 \x00 ! \x1F\x20\x21 x",
        ] {
            for start in 0..=text.len() {
                let bytes = &text.as_bytes()[start..];
                assert_eq!(single_spaced_len(bytes), one_by_one(bytes), "{text:?}");
            }
        }
        for b in 0..=0x7F_u8 {
            for c in [b' ', b'a', b'\n', 0x01, 0x21] {
                for at in 0..12 {
                    let mut text = b"abcdefghijklmnopqrs".to_vec();
                    text[at] = b;
                    text[at + 1] = c;
                    assert_eq!(single_spaced_len(&text), one_by_one(&text), "bytes {b:#x} {c:#x} at {at}");
                }
            }
        }
    }
}
