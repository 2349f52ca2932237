//! The words: lure phrasing (Japanese, English and the European languages seen in phishing), deadlines,
//! alarming subjects, machine-translated Japanese, look-alike letters, forms and scripts in the HTML.
//!
//! Subject, plain text and the text of each HTML body are folded once (see `data/lures.toml`) and
//! scanned once with one Aho-Corasick automaton, so the cost stays linear in the message size.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::LazyLock;

use anyhow::{Context as _, Result, ensure};
use serde::Deserialize;
mod callback;
mod fold;
mod hidden;
mod name_slot;
mod notice;
mod split;
mod sum;

pub use self::fold::{Folded, fold, visible};
use self::fold::{fold_with, is_han, is_invisible, is_japanese, is_kana, source_ranges, word_bounded_ends};
use crate::checks::html::{Attributes, RawText, Token, Tokens, ascii_lowercase_in};
use crate::checks::links::{LinkSource, LinkTags};
use crate::checks::sender::random_text::RandomText;
use crate::checks::{received, sender};
use crate::knowledge::Knowledge;
use crate::matcher::{Layout, Matcher};
use crate::message::MessageView;
use crate::model::Finding;
use crate::tables::{self, automata, builtin_json};

/// The phrases are borrowed from the table's text (the binary's, for the built-in table): they are
/// needed only while the automata are checked against them, and a thousand allocations, each freed
/// again, were a tenth of a cold start.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "'de: 'static"))]
struct LureCategory {
    id: String,
    phrases: Vec<&'static str>,
    /// Everyday words that tell the story only beside a sum (see `data/lures.toml`; advance-fee only).
    #[serde(default)]
    weak: Vec<&'static str>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "'de: 'static"))]
struct PhraseList {
    phrases: Vec<&'static str>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "'de: 'static"))]
struct MachineTranslation {
    phrases: Vec<&'static str>,
    particles: String,
    simplified_chinese: String,
    min_cues: usize,
    min_particle_spaces: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "'de: 'static"))]
struct LureFile {
    lure: Vec<LureCategory>,
    urgency: PhraseList,
    urgent_subject: PhraseList,
    machine_translated: MachineTranslation,
    credential_form: CredentialForm,
    recipient_greeting: RecipientGreeting,
    bulk_footer: PhraseList,
    image_only: ImageOnly,
    image_hosts: ImageHosts,
    hidden_filler: HiddenFillerLimits,
    contact_elsewhere: ContactElsewhere,
    form_injection: FormInjection,
    account_notice: LureList,
    offer_elsewhere: LureList,
    advance_fee_letter: AdvanceFeeLetter,
    split_words: SplitWordList,
    callback: CallbackStory,
}

/// The callback story's phrases and how near them a phone number counts (see `data/lures.toml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "'de: 'static"))]
struct CallbackStory {
    phrases: Vec<&'static str>,
    window_chars: usize,
}

/// Words broken up by spaces (see `data/lures.toml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SplitWordList {
    words: Vec<String>,
    min_letters: usize,
    spaced_sentence_letters: usize,
}

/// When an advance-fee story is told in full (see `data/lures.toml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AdvanceFeeLetter {
    lure: String,
    min_amount: u64,
    currency_before: Vec<String>,
    currency_after: Vec<String>,
    scales: HashMap<String, u64>,
}

/// Lure categories that are notices about the reader's account, or offers of easy money that
/// `links.offer_elsewhere` judges (see `data/lures.toml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LureList {
    lures: Vec<String>,
}

/// Addresses the text asks the reader to write to (see `data/lures.toml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ContactElsewhere {
    cues: Vec<String>,
    window_chars: usize,
}

/// The greetings and name labels a web address typed into a form's name field follows (see `data/lures.toml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FormInjection {
    words: Vec<String>,
    offers: Vec<String>,
}

/// When hidden text is filler (see `data/lures.toml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HiddenFillerLimits {
    min_random_tokens: usize,
    min_words: usize,
    min_unrelated_share: f64,
}

/// Public image-upload sites (see `data/lures.toml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImageHosts {
    hosts: Vec<String>,
}

/// When HTML is a picture with a link (see `data/lures.toml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImageOnly {
    max_words: usize,
}

/// How a message greets its recipient by e-mail address ("Hallo bob@example.com!").
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecipientGreeting {
    /// Greeting words, folded, that may stand right before the address.
    words: Vec<String>,
    /// Japanese honorifics that may follow the address ("bob@example.com 様").
    honorifics: Vec<String>,
    /// How many characters at the start of each body are read for a greeting.
    head_chars: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CredentialForm {
    field_names: Vec<String>,
}

/// What a phrase of the body automaton stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cue {
    /// Index into `Lures::lure_ids`.
    Lure(usize),
    /// A `weak` phrase: of the advance-fee lure, the only one that has them.
    WeakLure,
    Urgency,
    MachineTranslated,
    BulkFooter,
    /// A phrase of the callback story (`[callback]`), which counts beside a phone number only.
    Callback,
}

/// A compiled phrase: what it means and whether its ends must fall on word boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Phrase<C> {
    cue: C,
    bounded_start: bool,
    bounded_end: bool,
}

impl<C> Phrase<C> {
    fn new(cue: C, (bounded_start, bounded_end): (bool, bool)) -> Phrase<C> {
        Phrase { cue, bounded_start, bounded_end }
    }
}

/// The automaton of a list of phrases, folded, and for each phrase whether its ends must fall on word
/// boundaries ([`word_bounded_ends`]). Folding every phrase is most of loading the table: for the
/// built-in one, build.rs folded them and laid out the automaton with the same code (a test compares).
fn phrase_automaton(
    phrases: &[&str],
    layout: Layout,
    prebuilt: &'static Matcher,
    prebuilt_bounds: &'static [(bool, bool)],
) -> Result<(Matcher, Vec<(bool, bool)>)> {
    if layout == Layout::Prebuilt {
        ensure!(
            prebuilt_bounds.len() == phrases.len(),
            "build.rs laid out {} phrases, not {}",
            prebuilt_bounds.len(),
            phrases.len()
        );
        return Ok((prebuilt.clone(), prebuilt_bounds.to_vec()));
    }
    let mut seen = HashSet::new();
    let mut patterns = Vec::with_capacity(phrases.len());
    for raw in phrases {
        let folded = fold(raw).text;
        ensure!(!folded.is_empty(), "phrase {raw:?} in lures.toml is empty (after folding)");
        ensure!(folded.trim() == folded, "phrase {raw:?} has leading or trailing space");
        ensure!(seen.insert(folded.clone()), "phrase {raw:?} is listed twice (after folding)");
        patterns.push(folded);
    }
    let bounds = patterns.iter().map(|folded| word_bounded_ends(folded)).collect();
    Ok((layout.matcher(&patterns, prebuilt).context("phrase automaton")?, bounds))
}

pub struct Lures {
    /// Finding id per lure category, `content.lure_<id>`.
    lure_ids: Vec<&'static str>,
    body: Matcher,
    body_phrases: Vec<Phrase<Cue>>,
    subject: Matcher,
    subject_phrases: Vec<Phrase<()>>,
    particles: Vec<char>,
    simplified_chinese: HashSet<char>,
    min_cues: usize,
    min_particle_spaces: usize,
    credential_fields: Vec<String>,
    greeting_words: Vec<String>,
    honorifics: Vec<String>,
    greeting_head_chars: usize,
    image_only_max_words: usize,
    image_hosts: Vec<String>,
    hidden_filler: HiddenFillerLimits,
    /// The automaton of the folded cues before an address the reader is asked to write to, and how
    /// far before it they count.
    contact_cues: Matcher,
    contact_window: usize,
    /// Folded greetings and name labels a web address must not follow (`content.form_injection`).
    name_slot_words: Vec<String>,
    /// Folded words of a scam offer typed beside such an address (`links.injected_offer`).
    injected_offer_words: Vec<String>,
    /// Indexes into `lure_ids` of the account-notice categories and of the easy-money offers.
    account_lures: Vec<usize>,
    offer_lures: Vec<usize>,
    /// Index into `lure_ids` of the advance-fee story, and the sums that tell it in full.
    letter_lure: usize,
    sums: sum::Sums,
    split_words: split::SplitWords,
    /// How far from a phrase of the callback story a phone number counts.
    callback_window: usize,
}

static BUILTIN: LazyLock<Lures> = LazyLock::new(|| {
    let table = tables::from_json(builtin_json!("lures"), "lures.toml");
    // Validated by a unit test, so this cannot fail in a released binary.
    table.and_then(|file| Lures::from_table(file, Layout::Prebuilt)).expect("built-in lures.toml is valid")
});

impl Lures {
    pub fn builtin() -> &'static Lures {
        &BUILTIN
    }

    /// Lures from the TOML text of `lures.toml`, which is kept for the rest of the process (the table
    /// borrows its phrases, see [`LureCategory`]): tables are parsed from text by tests, a few each.
    #[cfg(test)]
    pub fn parse(text: &str) -> Result<Lures> {
        Lures::from_table(tables::from_toml(tables::kept(text), "lures.toml")?, Layout::Now)
    }

    fn from_table(file: LureFile, layout: Layout) -> Result<Lures> {
        let (mut phrases, mut cues, mut lure_ids) = (Vec::new(), Vec::new(), Vec::new());
        for (index, lure) in file.lure.iter().enumerate() {
            ensure!(
                !lure.id.is_empty() && lure.id.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "lure id {:?} must be lower-case letters and underscores",
                lure.id
            );
            ensure!(!lure.phrases.is_empty(), "lure {} has no phrases", lure.id);
            let id = format!("content.lure_{}", lure.id);
            ensure!(!lure_ids.contains(&id.as_str()), "lure {} is listed twice", lure.id);
            // Built once per process from the embedded table; the ids live as long as the program.
            lure_ids.push(&*Box::leak(id.into_boxed_str()));
            phrases.extend_from_slice(&lure.phrases);
            cues.extend(lure.phrases.iter().map(|_| Cue::Lure(index)));
            ensure!(
                lure.weak.is_empty() || lure.id == file.advance_fee_letter.lure,
                "lure {}: only the advance_fee_letter lure has weak phrases (they count beside a sum)",
                lure.id
            );
            phrases.extend_from_slice(&lure.weak);
            cues.extend(lure.weak.iter().map(|_| Cue::WeakLure));
        }
        let letter = &file.advance_fee_letter;
        let letter_lure = (file.lure.iter().position(|l| l.id == letter.lure))
            .with_context(|| format!("advance_fee_letter: no lure {}", letter.lure))?;
        let sums = sum::Sums::new(letter.min_amount, &letter.currency_before, &letter.currency_after, &letter.scales)?;
        let mt = &file.machine_translated;
        ensure!((20..=400).contains(&file.callback.window_chars), "callback window_chars must be 20..400");
        for (list, cue) in [
            (&file.urgency.phrases, Cue::Urgency),
            (&mt.phrases, Cue::MachineTranslated),
            (&file.bulk_footer.phrases, Cue::BulkFooter),
            (&file.callback.phrases, Cue::Callback),
        ] {
            ensure!(!list.is_empty(), "a phrase list in lures.toml is empty");
            phrases.extend_from_slice(list);
            cues.extend(list.iter().map(|_| cue));
        }
        let (body, bounds) = phrase_automaton(&phrases, layout, &automata::LURE_BODY, automata::LURE_BODY_BOUNDS)?;
        let body_phrases = cues.into_iter().zip(bounds).map(|(cue, bounds)| Phrase::new(cue, bounds)).collect();

        // Subject phrases are a separate list: a word like "urgent" alarms in a subject, not in a body.
        ensure!(!file.urgent_subject.phrases.is_empty(), "urgent_subject has no phrases");
        let (subject, bounds) = phrase_automaton(
            &file.urgent_subject.phrases,
            layout,
            &automata::LURE_SUBJECT,
            automata::LURE_SUBJECT_BOUNDS,
        )?;
        let subject_phrases = bounds.into_iter().map(|bounds| Phrase::new((), bounds)).collect();

        let particles: Vec<char> = mt.particles.chars().collect();
        ensure!(particles.iter().all(|c| is_kana(*c)), "particles must be kana");
        let simplified_chinese: HashSet<char> = mt.simplified_chinese.chars().collect();
        ensure!(simplified_chinese.iter().all(|c| is_han(*c)), "simplified_chinese must be Han characters");
        ensure!(mt.min_cues >= 1, "min_cues must be at least 1");
        let credential_fields: Vec<String> =
            file.credential_form.field_names.iter().map(|n| n.trim().to_lowercase()).collect();
        ensure!(credential_fields.iter().all(|n| !n.is_empty()), "empty credential field name");
        let greeting = &file.recipient_greeting;
        let greeting_words: Vec<String> = greeting.words.iter().map(|w| fold(w).text).collect();
        ensure!(
            !greeting_words.is_empty() && greeting_words.iter().all(|w| !w.is_empty() && w.trim() == w),
            "recipient_greeting words must be non-empty and trimmed"
        );
        ensure!(greeting.honorifics.iter().all(|h| !h.trim().is_empty()), "empty honorific");
        ensure!(greeting.head_chars >= 20, "recipient_greeting head_chars is too small to hold a greeting");
        ensure!(file.image_only.max_words >= 1, "image_only max_words must be at least 1");
        let image_hosts = file.image_hosts.hosts;
        ensure!(
            !image_hosts.is_empty()
                && image_hosts.iter().all(|h| {
                    h.contains('.')
                        && h.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
                }),
            "image_hosts must be lower-case domain names"
        );
        let filler = file.hidden_filler;
        ensure!(
            filler.min_random_tokens >= 1
                && filler.min_words >= 10
                && (0.0..=1.0).contains(&filler.min_unrelated_share),
            "hidden_filler: min_random_tokens >= 1, min_words >= 10, min_unrelated_share in 0..1"
        );
        let contact = file.contact_elsewhere;
        let contact_cues: Vec<String> = contact.cues.iter().map(|c| fold(c).text).collect();
        ensure!(
            !contact_cues.is_empty() && contact_cues.iter().all(|c| !c.is_empty() && c.trim() == c),
            "contact_elsewhere cues must be non-empty and trimmed"
        );
        ensure!((20..=200).contains(&contact.window_chars), "contact_elsewhere window_chars must be 20..200");
        // A few dozen short cues: laid out at load, at a small fraction of a cold start.
        let contact_cues = Matcher::new(&contact_cues).context("contact cue automaton")?;
        let name_slot_words: Vec<String> = file.form_injection.words.iter().map(|w| fold(w).text).collect();
        let injected_offer_words: Vec<String> = file.form_injection.offers.iter().map(|w| fold(w).text).collect();
        ensure!(
            !injected_offer_words.is_empty() && injected_offer_words.iter().all(|w| !w.is_empty() && w.trim() == w),
            "form_injection offers must be non-empty and trimmed"
        );
        ensure!(
            !name_slot_words.is_empty() && name_slot_words.iter().all(|w| !w.is_empty() && w.trim() == w),
            "form_injection words must be non-empty and trimmed"
        );
        let lure_indexes = |table: &LureList, name: &str| -> Result<Vec<usize>> {
            let indexes = (table.lures.iter())
                .map(|id| file.lure.iter().position(|l| &l.id == id).with_context(|| format!("{name}: no lure {id}")))
                .collect::<Result<Vec<usize>>>()?;
            ensure!(!indexes.is_empty(), "{name} lists no lures");
            Ok(indexes)
        };
        let account_lures = lure_indexes(&file.account_notice, "account_notice")?;
        let offer_lures = lure_indexes(&file.offer_elsewhere, "offer_elsewhere")?;
        let split = file.split_words;
        let split_words = split::SplitWords::new(split.words, split.min_letters, split.spaced_sentence_letters)
            .context("split_words: lower-case ASCII words of min_letters..24 letters, min_letters >= 4, spaced_sentence_letters >= min_letters")?;
        Ok(Lures {
            lure_ids,
            body,
            body_phrases,
            subject,
            subject_phrases,
            particles,
            simplified_chinese,
            min_cues: mt.min_cues,
            min_particle_spaces: mt.min_particle_spaces.max(1),
            credential_fields,
            greeting_words,
            honorifics: greeting.honorifics.iter().map(|h| fold(h).text).collect(),
            greeting_head_chars: greeting.head_chars,
            image_only_max_words: file.image_only.max_words,
            image_hosts,
            hidden_filler: filler,
            contact_cues,
            contact_window: contact.window_chars,
            name_slot_words,
            injected_offer_words,
            account_lures,
            offer_lures,
            letter_lure,
            sums,
            split_words,
            callback_window: file.callback.window_chars,
        })
    }

    /// Whether a form field (`type:name`, see [`Form`]) asks for a password, card number or the like.
    pub fn is_credential_field(&self, field: &str) -> bool {
        let (kind, name) = field.split_once(':').unwrap_or((field, ""));
        kind == "password"
            || self
                .credential_fields
                .iter()
                .any(|token| if token.chars().count() <= 3 { name == token } else { name.contains(token.as_str()) })
    }

    /// The finding ids this table can raise for lure categories.
    pub fn lure_ids(&self) -> &[&'static str] {
        &self.lure_ids
    }
}

/// Where a phrase was found, for the evidence label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Subject,
    Body,
    /// The sender's display name, read for lures only (`"Pago rechazado" <…>`).
    SenderName,
}

impl Place {
    fn label(self) -> &'static str {
        match self {
            Place::Subject => "Subject",
            Place::Body => "Body",
            Place::SenderName => "From",
        }
    }
}

fn bounded(text: &str, start: usize, end: usize, phrase: (bool, bool)) -> bool {
    let before_ok = !phrase.0 || !text[..start].chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric());
    let after_ok = !phrase.1 || !text[end..].chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    before_ok && after_ok
}

/// Characters of context shown on each side of a phrase, within its sentence.
const CONTEXT_CHARS: usize = 30;

/// Whether `c` ends a sentence, given the character after it: a full stop in "0.7495 BTC" or
/// "example.com" does not.
fn ends_sentence(c: char, next: Option<char>) -> bool {
    match c {
        '。' | '！' | '？' | '\n' => true,
        '.' | '!' | '?' => next.is_none_or(char::is_whitespace),
        _ => false,
    }
}

/// The sentence around a phrase, for evidence: cut at sentence ends, and at `CONTEXT_CHARS` on each
/// side, marked "…" there so that a cut word does not read as the sender's.
fn sentence_around(text: &str, start: usize, end: usize) -> String {
    let sentence = Sentence::around(text, start, end);
    sentence.quote(&text[sentence.range.clone()])
}

/// Where the sentence around a phrase is in a text, and whether it was cut short on either side.
#[derive(Debug, Clone)]
struct Sentence {
    range: Range<usize>,
    cut_before: bool,
    cut_after: bool,
}

impl Sentence {
    fn around(text: &str, start: usize, end: usize) -> Sentence {
        let mut from = start;
        let mut next = text[start..].chars().next();
        let mut cut_before = false;
        for (taken, (i, c)) in text[..start].char_indices().rev().enumerate() {
            if ends_sentence(c, next) {
                break;
            }
            if taken == CONTEXT_CHARS {
                cut_before = true;
                break;
            }
            (from, next) = (i, Some(c));
        }
        let mut to = end;
        let mut cut_after = false;
        let mut after = text[end..].char_indices().peekable();
        let mut taken = 0;
        while let Some((i, c)) = after.next() {
            if ends_sentence(c, after.peek().map(|&(_, next)| next)) {
                break;
            }
            if taken == CONTEXT_CHARS {
                cut_after = true;
                break;
            }
            to = end + i + c.len_utf8();
            taken += 1;
        }
        // Rules and decorations ("=====", "■") before the words are not part of the sentence.
        let from = start - text[from..start].trim_start_matches(|c: char| !c.is_alphanumeric()).len();
        let to = end + text[end..to].trim_end().len();
        Sentence { range: from..to, cut_before, cut_after }
    }

    /// `words` (the sentence, from the text it was found in or from the original of that text) with
    /// the marks of its cuts.
    fn quote(&self, words: &str) -> String {
        let (open, close) = (if self.cut_before { "…" } else { "" }, if self.cut_after { "…" } else { "" });
        format!("{open}{words}{close}")
    }

    /// The sentence as `original` wrote it, from `first` to `last`: the bytes of `original` that the
    /// first and last bytes of `range` were folded from (see [`source_ranges`]). White space shows as one space, and not at all
    /// where a line was wrapped inside Japanese; invisible and control characters (which could reorder
    /// how the quote shows) are left out.
    fn quote_original(&self, original: &str, first: &Range<usize>, last: &Range<usize>) -> String {
        let words = original.get(first.start..last.end).unwrap_or_default();
        let mut shown = String::with_capacity(words.len());
        // White space since the last character shown: whether there was any, and a line break in it.
        let mut gap: Option<bool> = None;
        for c in words.chars() {
            if c.is_whitespace() {
                gap = Some(gap.unwrap_or(false) || c == '\n' || c == '\r');
                continue;
            }
            if is_invisible(c) || c.is_control() {
                continue;
            }
            if let Some(line_break) = gap.take() {
                let wrapped = line_break
                    && shown.chars().next_back().is_some_and(is_japanese)
                    && (is_japanese(c) || c.is_ascii_digit());
                if !shown.is_empty() && !wrapped {
                    shown.push(' ');
                }
            }
            shown.push(c);
        }
        self.quote(&shown)
    }
}

/// A phrase found: the phrase itself (folded), its sentence in the folded text, the quote of that
/// sentence as the message writes it, once [`Hits::quote_from`] has looked it up, and where it was.
#[derive(Debug, Clone)]
struct Hit {
    phrase: String,
    sentence: Sentence,
    quote: Option<String>,
    place: Place,
}

impl Hit {
    fn finding(&self, id: &'static str) -> Finding {
        Finding::new(id)
            .arg("phrase", self.phrase.clone())
            .evidence(self.place.label(), self.quote.clone().unwrap_or_default())
    }
}

/// First phrase found per cue, plus the distinct machine-translation phrases.
#[derive(Default)]
struct Hits {
    lures: Vec<Option<Hit>>,
    /// First `weak` phrase (of the lure at `letter_lure`).
    weak: Option<Hit>,
    letter_lure: usize,
    /// The advance-fee story's first two distinct phrases, and a sum in figures found after one.
    letter_phrases: Vec<String>,
    sum: Option<String>,
    urgency: Option<Hit>,
    translated: Vec<String>,
    bulk_footer: Option<Hit>,
    /// Where the callback story's phrases are in the text being read (a few; cleared after each text).
    callback_spots: Vec<(usize, usize)>,
    /// The callback story told beside a phone number and a sum.
    callback: Option<CallbackHit>,
}

/// The callback story's phrase with the phone number's sentence (as a hit), the number, the sum, and
/// the words just before the number ("contact Norton Billing Support at"), where the text says whose
/// number it is.
#[derive(Debug, Clone)]
struct CallbackHit {
    hit: Hit,
    phone: String,
    sum: String,
    caller: String,
}

/// Phrases of the callback story looked at per text: the number is near the first ones or nowhere.
const MAX_CALLBACK_SPOTS: usize = 16;

impl Hits {
    fn new(lures: &Lures) -> Hits {
        Hits { lures: vec![None; lures.lure_ids.len()], letter_lure: lures.letter_lure, ..Hits::default() }
    }

    /// The hit that tells lure `index`: a phrase of its own, or a weak one beside a sum.
    fn lure(&self, index: usize) -> Option<&Hit> {
        let weak = || self.weak.as_ref().filter(|_| index == self.letter_lure && self.sum.is_some());
        self.lures.get(index)?.as_ref().or_else(weak)
    }

    /// Quotes the hits found in `folded` since the last call from `original`, the text it was folded
    /// from: one more folding pass, only over texts with a new hit and only up to its last sentence.
    fn quote_from(&mut self, original: &str, folded: &Folded) {
        let mut new: Vec<&mut Hit> = (self.lures.iter_mut().flatten())
            .chain(self.weak.iter_mut())
            .chain(self.urgency.iter_mut())
            .chain(self.bulk_footer.iter_mut())
            .chain(self.callback.iter_mut().map(|c| &mut c.hit))
            .filter(|hit| hit.quote.is_none())
            .collect();
        if new.is_empty() {
            return;
        }
        // Each sentence's first and last byte, in ascending order.
        let mut offsets: Vec<usize> =
            new.iter().flat_map(|hit| [hit.sentence.range.start, hit.sentence.range.end.saturating_sub(1)]).collect();
        offsets.sort_unstable();
        offsets.dedup();
        let ranges = source_ranges(original, &folded.text, &folded.resumes, &offsets);
        for hit in &mut new {
            let range = &hit.sentence.range;
            let source_of = |offset| offsets.binary_search(&offset).ok().and_then(|i| ranges.as_ref()?.get(i));
            hit.quote = Some(match (source_of(range.start), source_of(range.end.saturating_sub(1))) {
                (Some(first), Some(last)) => hit.sentence.quote_original(original, first, last),
                _ => hit.sentence.quote(&folded.text[range.clone()]),
            });
        }
    }
}

impl Lures {
    fn scan(&self, folded: &str, place: Place, hits: &mut Hits) {
        for m in self.body.find_overlapping_iter(folded) {
            let Some(phrase) = self.body_phrases.get(m.pattern()) else { continue };
            if !bounded(folded, m.start(), m.end(), (phrase.bounded_start, phrase.bounded_end)) {
                continue;
            }
            let found = &folded[m.start()..m.end()];
            let hit = || Hit {
                phrase: found.to_string(),
                sentence: Sentence::around(folded, m.start(), m.end()),
                quote: None,
                place,
            };
            match phrase.cue {
                Cue::Lure(_) | Cue::WeakLure => {
                    let i = if let Cue::Lure(i) = phrase.cue { i } else { self.letter_lure };
                    let letter = &mut hits.letter_phrases;
                    if i == self.letter_lure && letter.len() < 2 && !letter.iter().any(|p| p == found) {
                        letter.push(found.to_string());
                    }
                    let slot = if phrase.cue == Cue::WeakLure { Some(&mut hits.weak) } else { hits.lures.get_mut(i) };
                    if let Some(slot @ None) = slot {
                        *slot = Some(hit());
                    }
                }
                // A name tells a lure or nothing: deadlines, footers and translation cues are read in
                // the subject and the text.
                _ if place == Place::SenderName => {}
                // In a subject, alarm words are `urgent_subject`'s: one word must not count twice.
                Cue::Urgency if place == Place::Subject => {}
                Cue::Urgency => {
                    hits.urgency.get_or_insert_with(hit);
                }
                Cue::MachineTranslated => {
                    if !hits.translated.iter().any(|t| t == found) {
                        hits.translated.push(found.to_string());
                    }
                }
                Cue::BulkFooter => {
                    hits.bulk_footer.get_or_insert_with(hit);
                }
                Cue::Callback => {
                    if place == Place::Body && hits.callback.is_none() && hits.callback_spots.len() < MAX_CALLBACK_SPOTS
                    {
                        hits.callback_spots.push((m.start(), m.end()));
                    }
                }
            }
        }
    }

    fn urgent_subject(&self, folded: &str) -> Option<String> {
        self.subject
            .find_overlapping_iter(folded)
            .find(|m| {
                self.subject_phrases
                    .get(m.pattern())
                    .is_some_and(|p| bounded(folded, m.start(), m.end(), (p.bounded_start, p.bounded_end)))
            })
            .map(|m| folded[m.start()..m.end()].to_string())
    }
}

/// What the HTML scan saw besides the text.
#[derive(Debug, Default)]
pub struct HtmlScan {
    /// The text a reader sees: tags removed, entities decoded, blocks on their own lines; without
    /// the text CSS hides (that is in `hidden`).
    pub text: String,
    pub forms: Vec<Form>,
    /// Description of the first script: its `src`, or the start of its code.
    pub script: Option<String>,
    /// `<meta http-equiv="refresh">` target.
    pub meta_refresh: Option<String>,
    /// `href`s of anchors, for an attached page (a message body's links are read by its link
    /// collector; see [`scan_html_and_links`]).
    pub hrefs: Vec<String>,
    /// `src`s of images.
    pub images: Vec<String>,
    /// Text that CSS hides from the reader (see [`hidden`]), pieces separated by spaces.
    pub hidden: String,
    /// A vertical gap or offset dozens of screens tall, as its style writes it (`margin-top: 470500px`).
    pub far_offset: Option<String>,
}

/// A form and the fields it asks for.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Form {
    /// Where it sends what is typed (empty when the form does not say).
    pub action: String,
    /// Each field as `type:name` (name from `name`, `id` or `placeholder`), lower-case.
    pub fields: Vec<String>,
}

/// Most items of one kind kept from an HTML scan: enough for evidence, bounded for hostile input.
const MAX_HTML_ITEMS: usize = 50;
/// Characters of inline script shown as evidence.
const SCRIPT_EXCERPT: usize = 80;

/// Tags that do not break a line: words split by them (`Ver<b></b>ify`) read as one. `name` is
/// lower-case.
fn is_inline(name: &[u8]) -> bool {
    matches!(
        name,
        b"a" | b"abbr"
            | b"b"
            | b"big"
            | b"del"
            | b"em"
            | b"font"
            | b"i"
            | b"ins"
            | b"mark"
            | b"s"
            | b"small"
            | b"span"
            | b"strike"
            | b"strong"
            | b"sub"
            | b"sup"
            | b"u"
            | b"wbr"
            | b"label"
    )
}

fn find_ignore_case(haystack: &str, needle: &str) -> Option<usize> {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    let (&first, rest) = n.split_first()?;
    // Needles are short attribute and tag names, so this stays linear in the haystack; the places
    // where one may start are found by its first byte, with memchr (every tag is searched so).
    let mut from = 0;
    while let Some(at) = memchr::memchr2(first.to_ascii_lowercase(), first.to_ascii_uppercase(), h.get(from..)?) {
        let start = from + at;
        // Too near the end for the needle: so is every later start.
        if h.get(start + 1..start + n.len())?.eq_ignore_ascii_case(rest) {
            return Some(start);
        }
        from = start + 1;
    }
    None
}

/// Decodes one entity at the start of `rest` (which begins with `&`); returns the text and its length.
fn entity(rest: &str) -> Option<(char, usize)> {
    let end = rest.as_bytes().iter().take(12).position(|b| *b == b';')?;
    let name = &rest[1..end];
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "shy" => '\u{00AD}',
        "zwnj" => '\u{200C}',
        "zwj" => '\u{200D}',
        _ if name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic()) => latin_letter(name)?,
        _ => {
            let code = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok()?
            } else {
                name.strip_prefix('#')?.parse().ok()?
            };
            crate::checks::links::numeric_reference(code)
        }
    };
    Some((c, end + 1))
}

/// A Latin letter written as a named reference (`&auml;`, `&Eacute;`, `&ccedil;`, `&atilde;`, `&szlig;`):
/// German, French, Portuguese and Spanish HTML mail often writes its accented letters so, lure words
/// included ("Best&auml;tigen Sie").
fn latin_letter(name: &str) -> Option<char> {
    if name == "szlig" {
        return Some('ß');
    }
    let (base, mark) = name.split_at_checked(1)?;
    let base = base.chars().next().filter(char::is_ascii_alphabetic)?;
    let combining = match mark {
        "grave" => '\u{300}',
        "acute" => '\u{301}',
        "circ" => '\u{302}',
        "tilde" => '\u{303}',
        "uml" => '\u{308}',
        "ring" => '\u{30A}',
        "cedil" => '\u{327}',
        _ => return None,
    };
    // HTML names only the accented letters of Latin-1 (`&xuml;` is no reference).
    unicode_normalization::char::compose(base, combining).filter(|c| ('\u{C0}'..='\u{FF}').contains(c))
}

/// One linear pass over an HTML body: the visible text, forms, scripts, meta refresh and links.
pub fn scan_html(html: &str) -> HtmlScan {
    scan_html_with(html, None)
}

/// [`scan_html`], handing the tags and text that make links to `links` in the same pass.
pub fn scan_html_and_links(html: &str, links: &mut LinkTags) -> HtmlScan {
    scan_html_with(html, Some(links))
}

/// A style sheet anywhere in a body applies to the elements before it too. The walk reads the
/// sheets from its own style tokens (HTML5's: not those in comments, scripts or attribute values)
/// as they come; when one names an element already judged without it, which mail seldom does (its
/// sheets stand in the head), the body is walked again with every sheet known.
fn scan_html_with(html: &str, links: Option<&mut LinkTags>) -> HtmlScan {
    let mut rules = hidden::HidingRules::default();
    let (scan, restyled) = walk_html(html, &mut rules, true, links);
    if !restyled {
        return scan;
    }
    // The links took every tag in the first walk.
    walk_html(html, &mut rules, false, None).0
}

/// One walk over a body with the style-sheet rules in `rules`, to which it adds the sheets it reads
/// when `read_sheets`; also whether a sheet it read restyled an element before it.
fn walk_html(
    html: &str,
    rules: &mut hidden::HidingRules,
    read_sheets: bool,
    mut links: Option<&mut LinkTags>,
) -> (HtmlScan, bool) {
    let mut scan = HtmlScan { text: String::with_capacity(html.len() / 2), ..HtmlScan::default() };
    let (mut opened, mut restyled) = (hidden::Opened::default(), false);
    let mut visibility = hidden::Visibility::default();
    // A `<script>` without `src` is shown by the start of its code, which comes as the next token.
    let mut script_code_next = false;
    let mut tokens = Tokens::new(html);
    while let Some(token) = tokens.next_token() {
        let tag = match token {
            Token::Text(text) => {
                if let Some(links) = links.as_deref_mut() {
                    links.text(text);
                }
                scan.push_with_references(text, visibility.hidden());
                continue;
            }
            Token::RawText(kind, text) => {
                match kind {
                    RawText::Style if read_sheets => restyled |= rules.add_sheet_after(text, &opened),
                    RawText::Script if script_code_next => {
                        scan.script = Some(format!("<script> {}", single_spaced_head(text, SCRIPT_EXCERPT)));
                        script_code_next = false;
                    }
                    // Text, references decoded: a text area's is shown; the title is not shown in the
                    // message, but the sender wrote it to be read, lures included.
                    RawText::Title | RawText::Textarea => scan.push_with_references(text, visibility.hidden()),
                    RawText::Xmp | RawText::Plaintext => scan.push_text(text, visibility.hidden()),
                    // Not shown: code, style sheets, and the fallback content of frames and embeds
                    // (where a decoy `<style>` hides the rest of the message from filters that take it
                    // for one).
                    RawText::Script | RawText::Style | RawText::Iframe | RawText::Noembed | RawText::Noframes => {}
                }
                continue;
            }
            Token::End(tag) => {
                if let Some(links) = links.as_deref_mut() {
                    links.end_tag(tag.name.as_bytes());
                }
                visibility.close(tag.written_name);
                if !is_inline(tag.name.as_bytes()) {
                    scan.text.push('\n');
                }
                continue;
            }
            Token::Start(tag) => tag,
        };
        if let Some(links) = links.as_deref_mut() {
            links.start_tag(&tag, tokens.attributes());
        }
        let (name, attributes) = (tag.name.as_bytes(), tokens.attributes());
        if read_sheets && !restyled {
            opened.push(tag.written_name, attributes.class);
        }
        visibility.open(rules, tag.written_name, attributes.style, attributes.class, tag.self_closing);
        if let Some(src) = background_image(attributes)
            && scan.images.len() < MAX_HTML_ITEMS
        {
            scan.images.push(src.to_string());
        }
        match name {
            b"script" | b"style" | b"noframes" | b"noembed" => {
                if name == b"script" && scan.script.is_none() {
                    match attributes.src {
                        Some(src) => scan.script = Some(format!("<script src=\"{src}\">")),
                        None => script_code_next = true,
                    }
                }
                continue;
            }
            b"form" if scan.forms.len() < MAX_HTML_ITEMS => {
                let action = attributes.action.unwrap_or_default().to_string();
                scan.forms.push(Form { action, fields: Vec::new() });
            }
            b"input" | b"select" | b"textarea" => {
                // Fields count toward the last form opened: forms are rarely nested or left open.
                if let Some(form) = scan.forms.last_mut().filter(|f| f.fields.len() < MAX_HTML_ITEMS) {
                    let kind = attributes.kind.unwrap_or(tag.written_name).to_ascii_lowercase();
                    let label = attributes.name.or(attributes.id).or(attributes.placeholder).unwrap_or_default();
                    form.fields.push(format!("{kind}:{}", label.to_lowercase()));
                }
            }
            b"meta"
                if scan.meta_refresh.is_none()
                    && attributes.http_equiv.is_some_and(|v| v.eq_ignore_ascii_case("refresh")) =>
            {
                scan.meta_refresh = Some(attributes.content.unwrap_or_default().to_string());
            }
            b"img" if scan.images.len() < MAX_HTML_ITEMS => {
                scan.images.push(attributes.src.unwrap_or_default().to_string());
            }
            // Only an attached page's anchors are read here (`attachments::check_page`): a body's
            // links are the link collector's, and copying each anchor's href would go unused.
            b"a" if links.is_none() && scan.hrefs.len() < MAX_HTML_ITEMS => {
                if let Some(href) = attributes.href {
                    scan.hrefs.push(href.to_string());
                }
            }
            _ => {}
        }
        if !is_inline(name) {
            scan.text.push('\n');
        }
    }
    if let Some(links) = links {
        links.end_of_body();
    }
    // A second walk reads no sheet, so the rules keep what the first found.
    scan.far_offset = rules.far_offset.clone().or(visibility.far_offset);
    (scan, restyled)
}

/// A picture set as an element's background (`style="background:url(…)"` or `background="…"`): it
/// shows like an `<img>`, and image spam uses it so that there is no `<img>` to count.
fn background_image<'t>(attributes: &Attributes<'t>) -> Option<&'t str> {
    if let Some(style) = attributes.style
        && let Some(at) = find_ignore_case(style, "url(")
    {
        let value = &style[at + 4..];
        let value = value.split(')').next().unwrap_or_default();
        return Some(value.trim().trim_matches(|c| c == '"' || c == '\'' || c == ' '));
    }
    attributes.background.filter(|b| !b.trim().is_empty())
}

/// Most bytes of hidden text kept from one body.
const MAX_HIDDEN_BYTES: usize = 16 * 1024;

impl HtmlScan {
    /// Text with its character references decoded.
    fn push_with_references(&mut self, mut rest: &str, hidden: bool) {
        // `&` is ASCII: found as a byte, it falls on a character boundary.
        while let Some(amp) = memchr::memchr(b'&', rest.as_bytes()) {
            self.push_text(&rest[..amp], hidden);
            rest = &rest[amp..];
            match entity(rest) {
                Some((c, len)) => {
                    self.push_text(c.encode_utf8(&mut [0; 4]), hidden);
                    rest = &rest[len..];
                }
                None => {
                    self.text.push('&');
                    rest = &rest[1..];
                }
            }
        }
        self.push_text(rest, hidden);
    }

    /// Text as it comes: all of it is the body's text; what CSS hides is also kept apart.
    fn push_text(&mut self, text: &str, hidden: bool) {
        // Most tags follow one another with nothing between them.
        if text.is_empty() {
            return;
        }
        if !hidden {
            self.text.push_str(text);
        } else if !text.trim().is_empty() && self.hidden.len() < MAX_HIDDEN_BYTES {
            let room = MAX_HIDDEN_BYTES - self.hidden.len();
            self.hidden.push_str(&text[..text.floor_char_boundary(room)]);
            self.hidden.push(' ');
        }
    }
}

/// Counts of cues in one place. The bodies of a message are usually one text twice (plain and HTML),
/// so bodies are merged by maximum and only the subject adds to them.
#[derive(Default, Clone, Copy)]
struct Counts {
    disguised: usize,
    particle_spaces: usize,
    simplified: usize,
}

impl Counts {
    fn of(folded: &Folded) -> Counts {
        Counts { disguised: folded.disguised, particle_spaces: folded.particle_spaces, simplified: folded.simplified }
    }

    fn max(self, other: Counts) -> Counts {
        Counts {
            disguised: self.disguised.max(other.disguised),
            particle_spaces: self.particle_spaces.max(other.particle_spaces),
            simplified: self.simplified.max(other.simplified),
        }
    }

    fn plus(self, other: Counts) -> Counts {
        Counts {
            disguised: self.disguised + other.disguised,
            particle_spaces: self.particle_spaces + other.particle_spaces,
            simplified: self.simplified + other.simplified,
        }
    }
}

/// Everything noticed while reading the message's words, before it becomes findings.
#[derive(Default)]
struct Reading {
    hits: Hits,
    urgent_subject: Option<String>,
    subject: Counts,
    body: Counts,
    disguised_word: Option<String>,
    particle_example: Option<String>,
    simplified_example: Option<char>,
    has_kana: bool,
    /// Forms that ask for credentials, with those fields.
    credential_forms: Vec<(String, Vec<String>)>,
    script: Option<String>,
    /// The folded subject and the folded start of each body, read for the recipient's address.
    folded_subject: String,
    body_heads: Vec<String>,
    /// Words of text in the HTML bodies (counted up to the image-only limit) and their images' `src`s.
    html_words: usize,
    html_images: Vec<String>,
    /// The first HTML body's hidden filler, if any.
    hidden_filler: Option<HiddenFiller>,
    /// Free-mailbox addresses the text asks the reader to write to, with their sentence (a few).
    contact_addresses: Vec<(String, String)>,
    /// Whether sums of money are read in every text, not only after a phrase of the advance-fee story.
    read_sums: bool,
    /// The first word broken up by spaces (`content.split_words`).
    split_word: Option<split::SplitWord>,
    /// Bytes of text still to be read for it (`split::MAX_READ` per message).
    split_budget: usize,
    /// The sender's name as a text would write it (`callback::sender_label`), and whether a text
    /// telling the callback story names it.
    sender_label: Option<String>,
    sender_named: bool,
}

impl Reading {
    fn add(&mut self, lures: &Lures, kb: &Knowledge, text: &str, place: Place) {
        let folded = fold_with(text, &lures.particles, &lures.simplified_chinese);
        lures.scan(&folded.text, place, &mut self.hits);
        self.callback_story(lures, &folded.text);
        // Sums are read only once the story has begun (in the texts after), or where replies go to a free mailbox.
        if self.hits.sum.is_none() && (self.read_sums || !self.hits.letter_phrases.is_empty()) {
            self.hits.sum = lures.sums.find(&folded.text).map(str::to_string);
        }
        self.hits.quote_from(text, &folded);
        // A name is read for its lures only: its letters and script are the sender checker's to judge.
        if place == Place::SenderName {
            return;
        }
        if self.split_word.is_none() && self.split_budget > 0 {
            self.split_word = lures.split_words.find(&folded.text, &mut self.split_budget);
        }
        let counts = Counts::of(&folded);
        self.disguised_word = self.disguised_word.take().or(folded.disguised_word);
        self.particle_example = self.particle_example.take().or(folded.particle_example);
        self.simplified_example = self.simplified_example.or(folded.simplified_example);
        self.has_kana |= folded.has_kana;
        match place {
            Place::Subject => {
                self.urgent_subject = lures.urgent_subject(&folded.text);
                self.subject = counts;
                self.folded_subject = folded.text;
            }
            Place::Body => {
                self.body = self.body.max(counts);
                if self.contact_addresses.len() < MAX_CONTACT_ADDRESSES {
                    let room = MAX_CONTACT_ADDRESSES - self.contact_addresses.len();
                    self.contact_addresses.extend(lures.contact_addresses(kb, &folded.text).take(room));
                }
                let head = folded.text.trim_start();
                let end = head.char_indices().nth(lures.greeting_head_chars).map_or(head.len(), |(i, _)| i);
                self.body_heads.push(head[..end].to_string());
            }
            // Returned above.
            Place::SenderName => {}
        }
    }

    fn counts(&self) -> Counts {
        self.subject.plus(self.body)
    }

    /// The callback story in this text: one of its phrases with a phone number near it, and a sum of
    /// money in the same text; and whether the text names the sender (`sender_label`).
    fn callback_story(&mut self, lures: &Lures, folded: &str) {
        let spots = std::mem::take(&mut self.hits.callback_spots);
        if self.hits.callback.is_none()
            && let Some((start, end, phone_start, phone_end)) =
                callback::phone_near(folded, &spots, lures.callback_window)
            && let Some(sum) = callback::amount(folded)
        {
            let hit = Hit {
                phrase: folded[start..end].to_string(),
                sentence: Sentence::around(folded, phone_start, phone_end),
                quote: None,
                place: Place::Body,
            };
            let phone = folded[phone_start..phone_end].to_string();
            let caller = callback::words_before(folded, phone_start).to_string();
            self.hits.callback = Some(CallbackHit { hit, phone, sum: sum.to_string(), caller });
        }
        if self.hits.callback.is_some()
            && !self.sender_named
            && let Some(label) = &self.sender_label
        {
            self.sender_named = callback::names_sender(folded, label);
        }
    }
}

/// Look-alike or invisible letters needed before text counts as disguised: one can be a stray key.
const MIN_DISGUISED: usize = 2;

pub fn check(view: &MessageView, kb: &'static Knowledge, out: &mut Vec<Finding>) {
    let lures = Lures::builtin();
    let mut reading = Reading {
        hits: Hits::new(lures),
        read_sums: replies_to_free_mailbox(view, kb),
        split_budget: split::MAX_READ,
        sender_label: callback::sender_label(view, kb),
        ..Reading::default()
    };
    if let Some(subject) = &view.subject {
        reading.add(lures, kb, subject, Place::Subject);
    }
    reading.add(lures, kb, &view.text, Place::Body);
    for scan in &view.html_scans {
        if view.out_of_time() {
            break;
        }
        reading.html_words += count_words(&scan.text, lures.image_only_max_words);
        reading.html_images.extend(scan.images.iter().cloned());
        if reading.hidden_filler.is_none() {
            reading.hidden_filler = hidden_filler(&scan.hidden, &scan.text, &lures.hidden_filler);
        }
        reading.add(lures, kb, &scan.text, Place::Body);
        // Hidden text is read apart: a preview line still shows in the message list, and hidden
        // letters pushed inside visible words ("B<span hidden>x</span>anco") no longer break them.
        if !scan.hidden.is_empty() {
            reading.add(lures, kb, &scan.hidden, Place::Body);
        }
        for form in &scan.forms {
            let fields: Vec<String> = form.fields.iter().filter(|f| lures.is_credential_field(f)).cloned().collect();
            if !fields.is_empty() {
                reading.credential_forms.push((form.action.clone(), fields));
            }
        }
        reading.script = reading.script.take().or_else(|| scan.script.clone());
    }
    // The sender's name last: it counts for a lure the subject and the text did not tell.
    if let Some(name) = view.from.as_ref().and_then(|f| f.name.as_deref()) {
        reading.add(lures, kb, name, Place::SenderName);
    }

    for (index, id) in lures.lure_ids.iter().enumerate() {
        if let Some(hit) = reading.hits.lure(index) {
            out.push(hit.finding(id));
        }
    }
    advance_fee_letter(lures, &reading.hits, out);
    // A sum beside the story is the letter's detail; without it, a fortune promised of its own.
    if let Some(sum) = &reading.hits.sum
        && reading.hits.lure(lures.letter_lure).is_none()
    {
        out.push(Finding::new("content.promised_fortune").arg("amount", sum.clone()).evidence("Amount", sum.clone()));
    }
    if let Some(hit) = &reading.hits.urgency {
        out.push(hit.finding("content.urgency"));
    }
    if let Some(hit) = &reading.hits.bulk_footer {
        out.push(hit.finding("content.bulk_footer"));
    }
    callback_number(view, kb, &reading, out);
    let account_notice = lures.account_lures.iter().any(|&i| reading.hits.lures.get(i).is_some_and(Option::is_some));
    let picture = image_only(view, kb, lures, &reading, out);
    let easy_money = lures.offer_lures.iter().any(|&i| reading.hits.lure(i).is_some());
    notice::check(view, kb, notice::Told { account_notice, picture, easy_money }, out);
    if let Some(filler) = &reading.hidden_filler {
        out.push(
            Finding::new("content.hidden_text")
                .arg("words", filler.words.to_string())
                .evidence("Hidden text", visible(&filler.example))
                .evidence("Words hidden", filler.words.to_string())
                .evidence("Not in the visible text", filler.unrelated.to_string())
                .evidence("Machine-made tokens", filler.random_tokens.to_string()),
        );
    }
    image_sharing_host(lures, &reading, out);
    if let Some(offset) = view.html_scans.iter().find_map(|scan| scan.far_offset.as_deref()) {
        out.push(
            Finding::new("content.offscreen_text").arg("offset", visible(offset)).evidence("Style", visible(offset)),
        );
    }
    if let Some(phrase) = &reading.urgent_subject {
        out.push(
            Finding::new("content.urgent_subject").arg("phrase", phrase.clone()).evidence("Subject", phrase.clone()),
        );
    }
    machine_translated(lures, &reading, out);
    recipient_named(view, lures, &reading, out);
    form_injection(view, lures, &reading, out);
    reply_elsewhere(view, &reading, out);
    if reading.read_sums {
        reply_bait(view, out);
    }
    let counts = reading.counts();
    if counts.disguised >= MIN_DISGUISED
        && let Some(word) = &reading.disguised_word
    {
        out.push(
            Finding::new("content.obfuscated_text")
                .arg("phrase", word.clone())
                .evidence("Disguised word", word.clone())
                .evidence("Disguised letters", counts.disguised.to_string()),
        );
    }
    if let Some(split) = &reading.split_word {
        out.push(
            Finding::new("content.split_words")
                .arg("phrase", split.pieces.clone())
                .arg("word", split.word.clone())
                .evidence("Split word", split.pieces.clone())
                .evidence("Reads", split.word.clone()),
        );
    }
    if !reading.credential_forms.is_empty() {
        let mut finding = Finding::new("content.html_form");
        for (action, fields) in &reading.credential_forms {
            let shown = if action.is_empty() { "(none)" } else { action.as_str() };
            finding = finding.evidence("Form sends to", visible(shown)).evidence("Fields", visible(&fields.join(", ")));
        }
        out.push(finding);
    }
    if let Some(script) = &reading.script {
        out.push(Finding::new("content.script").evidence("Script", visible(script)));
    }
    random_subject_code(view, out);
}

/// Subject openings of a reply or forward (English, German, French, Spanish, Portuguese): the brand
/// such a text speaks as is the quoted mail's, not a claim of the one who passes it on.
const QUOTING_SUBJECT_PREFIXES: &[&str] = &["re:", "fw:", "fwd:", "aw:", "wg:", "tr:", "rv:", "res:", "enc:"];

/// A charge, order or renewal with a phone number to call about it (`content.lure_callback`); when the
/// text speaks as a brand (in its subject, letterhead, sign-off or just before the number) that did
/// not send it and never names the sender, the number is the scam's link (`links.callback_number`):
/// the brand's own mail comes from its domain, and a reseller names itself.
/// A reply or forward quotes someone else's mail.
fn callback_number(view: &MessageView, kb: &Knowledge, reading: &Reading, out: &mut Vec<Finding>) {
    let Some(CallbackHit { hit, phone, sum, caller }) = &reading.hits.callback else { return };
    out.push(hit.finding("content.lure_callback").arg("phone", phone.clone()).evidence("Amount", sum.clone()));
    let subject = view.subject.as_deref().unwrap_or_default().trim_start().to_ascii_lowercase();
    let quoted = QUOTING_SUBJECT_PREFIXES.iter().any(|p| subject.starts_with(p));
    if reading.sender_named || quoted {
        return;
    }
    let mut texts: Vec<&str> = view.subject.as_deref().into_iter().chain([caller.as_str()]).collect();
    for text in std::iter::once(view.text.as_str()).chain(view.html_scans.iter().map(|scan| scan.text.as_str())) {
        texts.extend(callback::letterhead_and_signoff(text));
    }
    let Some(brand) = callback::brand_not_sender(view, kb, &texts) else { return };
    let from = view.from.as_ref().map(|f| f.address.clone()).unwrap_or_default();
    out.push(
        Finding::new("links.callback_number")
            .arg("phone", phone.clone())
            .arg("brand", brand.label())
            .evidence("Phone number", phone.clone())
            .evidence("Claimed brand", brand.label())
            .evidence("From", from)
            .evidence("Brand domains", format!("{}: {}", brand.label(), brand.domains.join(", "))),
    );
}

/// Whether replies go to a free mailbox other than the sender's address, outside a mailing list: the
/// one place a sum of millions is read without a phrase of the advance-fee story
/// (`content.promised_fortune`; reading every number of every message would cost a pass over all
/// text, and news of a company's millions with its own Reply-To is no offer).
fn replies_to_free_mailbox(view: &MessageView, kb: &Knowledge) -> bool {
    let (Some(from), Some(reply_to)) = (&view.from, &view.reply_to) else { return false };
    !reply_to.address.eq_ignore_ascii_case(&from.address)
        && reply_to.domain.as_deref().is_some_and(|d| sender::is_free_mailbox(kb, d))
        && !received::via_mailing_list(view)
}

/// Most words of a message that only asks for an answer (`content.reply_bait`): a line or two.
const REPLY_BAIT_MAX_WORDS: usize = 60;

/// A note of a few lines, with no link and no attachment, sent blind (To and Cc name nobody but the
/// sender), whose replies go to a free mailbox other than the sender's (the caller checks that): it
/// says nothing but "answer me" ("I sent you an email before, kindly confirm", "Mrs Maria has a gift
/// for you, reply for more detail"), the opening move of advance-fee and romance scams sent from
/// hijacked accounts.
fn reply_bait(view: &MessageView, out: &mut Vec<Finding>) {
    let is_mail_link = |url: &str| url.get(..7).is_some_and(|scheme| scheme.eq_ignore_ascii_case("mailto:"));
    if view.links.iter().any(|link| !is_mail_link(&link.url)) || !view.attachments.is_empty() {
        return;
    }
    let words_in = |text: &str| count_words(text, REPLY_BAIT_MAX_WORDS + 1);
    let words = view.html_scans.iter().map(|scan| words_in(&scan.text)).fold(words_in(&view.text), usize::max);
    let Some(reply_to) = view.reply_to.as_ref().filter(|_| (1..=REPLY_BAIT_MAX_WORDS).contains(&words)) else {
        return;
    };
    // A note for one reader, sent blind: To and Cc name nobody but the sender ("Recipients <sender>",
    // "undisclosed-recipients:;"). A shop answering one customer writes to that customer.
    let sender = view.from.as_ref().map(|f| f.address.as_str()).unwrap_or_default();
    if view.to.iter().chain(&view.cc).any(|a| !a.address.is_empty() && !a.address.eq_ignore_ascii_case(sender)) {
        return;
    }
    // Replies to another mailbox under the sender's own name are a person's second address.
    let from_name = view.from.as_ref().and_then(|f| f.name.as_deref()).map(str::trim);
    let reply_name = reply_to.name.as_deref().map(str::trim).filter(|n| !n.is_empty());
    if reply_name.is_some_and(|n| from_name.is_some_and(|f| f.eq_ignore_ascii_case(n))) {
        return;
    }
    out.push(
        Finding::new("content.reply_bait")
            .arg("address", reply_to.address.clone())
            .evidence("Reply-To", reply_to.address.clone())
            .evidence("Words of text", words.to_string()),
    );
}

/// The advance-fee story told in full (`content.advance_fee_letter`): one of its own phrases and a
/// second detail, another of its phrases or a sum of millions in figures, or two weak phrases and a
/// sum. A person who writes one of these words once, about a death or a transfer, does not write such
/// a letter.
fn advance_fee_letter(lures: &Lures, hits: &Hits, out: &mut Vec<Finding>) {
    let Some(hit) = hits.lure(lures.letter_lure) else { return };
    let other_phrase = hits.letter_phrases.iter().find(|p| **p != hit.phrase);
    let own_phrase = hits.lures.get(lures.letter_lure).is_some_and(Option::is_some);
    // A weak phrase is told by its sum: the letter needs one more detail than the lure.
    let detail = match (own_phrase, other_phrase, &hits.sum) {
        (true, Some(other), _) => other,
        (true, None, Some(sum)) => sum,
        (false, Some(other), Some(_)) => other,
        _ => return,
    };
    out.push(hit.finding("content.advance_fee_letter").arg("detail", detail.clone()).evidence("Also", detail.clone()));
}

/// Hidden text that is filler: its words, those absent from the visible text, machine-made tokens.
#[derive(Debug)]
struct HiddenFiller {
    words: usize,
    unrelated: usize,
    random_tokens: usize,
    example: String,
}

/// Characters of hidden text shown as evidence.
const HIDDEN_EXAMPLE_CHARS: usize = 120;

/// Judges the hidden text of a body against its visible `text` (see `data/lures.toml`).
fn hidden_filler(hidden: &str, text: &str, limits: &HiddenFillerLimits) -> Option<HiddenFiller> {
    if hidden.is_empty() {
        return None;
    }
    let random = RandomText::builtin();
    let tokens = || hidden.split(|c: char| !c.is_alphanumeric()).filter(|w| w.chars().nth(1).is_some());
    let (mut words, mut random_tokens) = (0, 0);
    for token in tokens() {
        words += 1;
        random_tokens += usize::from(token.len() >= 6 && random.is_random_local_part(token));
    }
    let mut unrelated = 0;
    if words >= limits.min_words {
        let shown: HashSet<Cow<str>> =
            text.split(|c: char| !c.is_alphanumeric()).filter(|w| w.chars().nth(1).is_some()).map(lower_case).collect();
        // A hidden word is looked up only when a shown one has its first byte and length once
        // lower-cased (told for ASCII words without lower-casing them): filler mostly has not. The set
        // keeps std's keyed hash: the words are the sender's, and an unkeyed one can be made to collide.
        let mut shown_shapes = WordShapes::default();
        shown.iter().for_each(|w| shown_shapes.add(w));
        let surely_unshown = |w: &str| {
            w.is_ascii() && !w.as_bytes().first().is_some_and(|&b| shown_shapes.has(b.to_ascii_lowercase(), w.len()))
        };
        unrelated = tokens().filter(|w| surely_unshown(w) || !shown.contains(&lower_case(w))).count();
    }
    let unrelated_prose = words >= limits.min_words && unrelated as f64 >= limits.min_unrelated_share * words as f64;
    if random_tokens < limits.min_random_tokens && !unrelated_prose {
        return None;
    }
    let example = single_spaced_head(hidden, HIDDEN_EXAMPLE_CHARS);
    Some(HiddenFiller { words, unrelated, random_tokens, example })
}

/// Which first bytes and lengths the words of a set have (lengths from 63 on counted as one).
struct WordShapes([u64; 256]);

impl Default for WordShapes {
    fn default() -> WordShapes {
        WordShapes([0; 256])
    }
}

impl WordShapes {
    fn add(&mut self, word: &str) {
        if let Some(&first) = word.as_bytes().first() {
            self.0[usize::from(first)] |= 1 << word.len().min(63);
        }
    }

    fn has(&self, first: u8, len: usize) -> bool {
        self.0[usize::from(first)] >> len.min(63) & 1 == 1
    }
}

/// A word in lower case, copied only when that changes it (most words of prose are lower-case ASCII).
fn lower_case(word: &str) -> Cow<'_, str> {
    if word.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) {
        Cow::Borrowed(word)
    } else {
        Cow::Owned(word.to_lowercase())
    }
}

/// The first `max_chars` characters of `text` with its white space made single spaces (none at the
/// end), read no further than that: scripts and hidden text run to kilobytes.
fn single_spaced_head(text: &str, max_chars: usize) -> String {
    let head: String = text.split_whitespace().flat_map(|w| [w, " "]).flat_map(str::chars).take(max_chars).collect();
    head.trim_end().to_string()
}

/// Words in `text`, counted up to `limit`: runs of two or more letters or digits, and each CJK
/// character (those scripts do not space their words).
fn count_words(text: &str, limit: usize) -> usize {
    let (mut words, mut run) = (0, 0);
    for c in text.chars() {
        if words >= limit {
            break;
        }
        // ASCII first (most text): it is neither kana nor kanji.
        if !c.is_ascii() && (is_kana(c) || is_han(c)) {
            words += 1 + usize::from(run >= 2);
            run = 0;
        } else if c.is_alphanumeric() {
            run += 1;
        } else {
            words += usize::from(run >= 2);
            run = 0;
        }
    }
    (words + usize::from(run >= 2)).min(limit)
}

/// HTML that is a picture and a web link, with next to no text: the words are in the image, where
/// filters cannot read them. A company's short notice shows its logo from its own servers (the
/// sender's domain, or another of the same brand's): such pictures do not count. Returns whether
/// the HTML is such a picture (`content.image_only`).
fn image_only(view: &MessageView, kb: &Knowledge, lures: &Lures, reading: &Reading, out: &mut Vec<Finding>) -> bool {
    // Most HTML mail has words enough: then no image address need be parsed.
    let web_links = view.links.iter().filter(|l| l.source == LinkSource::Href && l.parsed.is_some()).count();
    if view.html.is_empty() || web_links == 0 || reading.html_words >= lures.image_only_max_words {
        return false;
    }
    let sender = view.from.as_ref().and_then(|f| f.registrable.as_deref());
    let sender_brand = sender.and_then(|r| kb.brand_of_domain(r));
    let senders_own = |src: &str| {
        let registrable = image_host(src).as_deref().and_then(crate::domain::registrable);
        registrable.is_some_and(|r| sender == Some(r.as_str()) || sender_brand.is_some_and(|b| b.owns_domain(&r)))
    };
    let foreign_images = reading.html_images.iter().filter(|src| !src.is_empty() && !senders_own(src)).count();
    let attached_images = view.attachments.iter().filter(|a| a.content_type.starts_with("image/")).count();
    let images = foreign_images.saturating_add(attached_images);
    if images == 0 {
        return false;
    }
    out.push(
        Finding::new("content.image_only")
            .arg("words", reading.html_words.to_string())
            .evidence("Words of text", reading.html_words.to_string())
            .evidence("Images", images.to_string())
            .evidence("Links", web_links.to_string()),
    );
    true
}

/// The host of an image `src`, lower-case, when it is a web address.
fn image_host(src: &str) -> Option<String> {
    let src = src.trim();
    // An inline picture has no host, and parsing one would copy all its (often megabytes of) data.
    if src.get(..5).is_some_and(|scheme| scheme.eq_ignore_ascii_case("data:")) {
        return None;
    }
    crate::domain::url_host(src)
}

/// Pictures hotlinked from a public image-upload site, where anyone can put one without a trace.
fn image_sharing_host(lures: &Lures, reading: &Reading, out: &mut Vec<Finding>) {
    let found = reading.html_images.iter().find_map(|src| {
        let host = image_host(src)?;
        lures.image_hosts.iter().any(|h| crate::domain::is_within(&host, h)).then_some((host, src))
    });
    if let Some((host, src)) = found {
        out.push(
            Finding::new("content.image_sharing_host")
                .arg("host", host.clone())
                .evidence("Image", visible(&src.chars().take(MAX_SUBJECT_EVIDENCE).collect::<String>()))
                .evidence("Host", host),
        );
    }
}

/// Characters of the subject shown beside a random code.
const MAX_SUBJECT_EVIDENCE: usize = 200;

/// A random code stamped on the subject (`Liberação de IRPF - 6NwlyfzWcsNerv0`) so that no two copies
/// of a mass mailing look alike to a filter (see `data/random_text.toml`).
fn random_subject_code(view: &MessageView, out: &mut Vec<Finding>) {
    let Some(subject) = view.subject.as_deref() else { return };
    let Some(code) = RandomText::builtin().subject_token(subject) else { return };
    let shown: String = subject.chars().take(MAX_SUBJECT_EVIDENCE).collect();
    out.push(Finding::new("content.random_subject_code").arg("code", code).evidence("Subject", visible(&shown)));
}

/// Longest local part and domain read around an `@` (RFC 5321 limits), so hostile runs stay linear.
const MAX_LOCAL_PART: usize = 64;
const MAX_DOMAIN: usize = 255;

/// Byte ranges of the addresses written in `text` (folded, so lower-case) that are among `recipients`
/// (sorted, lower-case, as `MessageView::build` leaves them).
fn recipient_addresses<'t>(text: &'t str, recipients: &'t [String]) -> impl Iterator<Item = (usize, usize)> + 't {
    written_addresses(text)
        .filter(|&(start, end)| recipients.binary_search_by(|r| r.as_str().cmp(&text[start..end])).is_ok())
}

/// Byte ranges of the e-mail addresses written in `text` (each `@` with the address characters around
/// it, at most an address's length on each side, so hostile runs stay linear).
fn written_addresses(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = text.as_bytes();
    let local_char = |b: &&u8| b.is_ascii_alphanumeric() || matches!(**b, b'.' | b'_' | b'%' | b'+' | b'-');
    let domain_char = |b: &&u8| b.is_ascii_alphanumeric() || matches!(**b, b'.' | b'-');
    memchr::memchr_iter(b'@', bytes).filter_map(move |at| {
        let local = bytes.get(..at)?.iter().rev().take(MAX_LOCAL_PART).take_while(local_char).count();
        let domain = bytes.get(at + 1..)?.iter().take(MAX_DOMAIN).take_while(domain_char).count();
        // A sentence may end right after the address: "… bob@example.com."
        let trailing =
            bytes.get(at + 1..at + 1 + domain)?.iter().rev().take_while(|b| matches!(**b, b'.' | b'-')).count();
        let (start, end) = (at - local, at + 1 + domain - trailing);
        text.get(start..end)?;
        (local > 0 && end > at + 1).then_some((start, end))
    })
}

/// Free-mailbox addresses kept per message for `sender.reply_elsewhere`: the first few are enough.
const MAX_CONTACT_ADDRESSES: usize = 4;
/// Free-mailbox addresses of one text whose preceding words are read for a cue.
const MAX_FREE_ADDRESSES_READ: usize = 64;

impl Lures {
    /// Free-mailbox addresses in a folded text that a cue ("e-mail me to", "responda-me via:") asks
    /// the reader to write to, in the same sentence and within `contact_window` characters, each with
    /// its sentence. Only free-mailbox addresses are looked at for cues, so the cost per `@` is bounded.
    fn contact_addresses<'t>(
        &'t self,
        kb: &'t Knowledge,
        text: &'t str,
    ) -> impl Iterator<Item = (String, String)> + 't {
        let free_mailbox = move |&(start, end): &(usize, usize)| {
            let domain = text[start..end].rsplit_once('@').map_or("", |(_, d)| d);
            sender::is_free_mailbox(kb, domain)
        };
        // Cues are looked for before the first free-mailbox addresses only: a text of thousands of
        // them is a list, not a request, and must not cost cue searches for each.
        written_addresses(text).filter(free_mailbox).take(MAX_FREE_ADDRESSES_READ).filter_map(move |(start, end)| {
            let address = &text[start..end];
            let from =
                text[..start].char_indices().rev().nth(self.contact_window.saturating_sub(1)).map_or(0, |(i, _)| i);
            let before = &text[from..start];
            // Every cue in one pass over the window, not a substring search per cue.
            let cued = self.contact_cues.find_overlapping_iter(before).any(|cue| {
                let after_cue = &before[cue.end()..];
                let word_start = !before[..cue.start()].chars().next_back().is_some_and(char::is_alphanumeric);
                let word_end = !after_cue.chars().next().is_some_and(char::is_alphanumeric);
                word_start && word_end && !ends_a_sentence(after_cue)
            });
            cued.then(|| (address.to_string(), sentence_around(text, start, end)))
        })
    }
}

/// Whether a sentence ends inside `text` (a line break does not count: an address often stands on the
/// line after "contact me:").
fn ends_a_sentence(text: &str) -> bool {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\n' && ends_sentence(c, Some(chars.peek().copied().unwrap_or(' '))) {
            return true;
        }
    }
    false
}

/// The text asks the reader to write to a free mailbox that is neither the sender's nor the
/// Reply-To's: the replies go to someone the From line does not show.
fn reply_elsewhere(view: &MessageView, reading: &Reading, out: &mut Vec<Finding>) {
    if crate::checks::received::via_mailing_list(view) {
        return;
    }
    let own = |address: &str| {
        let same = |a: Option<&str>| a.is_some_and(|a| a.eq_ignore_ascii_case(address));
        same(view.from.as_ref().map(|f| f.address.as_str()))
            || same(view.reply_to.as_ref().map(|r| r.address.as_str()))
            || same(view.return_path.as_deref())
            || view.is_recipient(address)
    };
    let Some((address, sentence)) = reading.contact_addresses.iter().find(|(address, _)| !own(address)) else {
        return;
    };
    let from = view.from.as_ref().map_or_else(String::new, |f| f.address.clone());
    out.push(
        Finding::new("sender.reply_elsewhere")
            .arg("address", address.clone())
            .evidence("Body", sentence.clone())
            .evidence("From", from),
    );
}

impl Lures {
    /// Whether the address at `start..end` of a body's first lines is used as a name: after a greeting
    /// word ("hallo bob@example.com!"), before an honorific ("bob@example.com 様"), or opening the text
    /// as the addressee ("bob@example.com, your balance…"). Quoted reply headers ("On …, bob@… wrote:")
    /// are none of these.
    fn greets(&self, head: &str, start: usize, end: usize) -> bool {
        let separator = |c: char| c.is_whitespace() || matches!(c, ',' | ':' | ';' | '-' | '!' | '、');
        let before = head.get(..start).unwrap_or_default().trim_end_matches(separator);
        let after = head.get(end..).unwrap_or_default().trim_start();
        if self.honorifics.iter().any(|h| after.starts_with(h.as_str())) {
            return true;
        }
        if before.is_empty() {
            return after.starts_with([',', '!', ':', '、']);
        }
        self.greeting_words.iter().any(|word| {
            before
                .strip_suffix(word.as_str())
                .is_some_and(|rest| !rest.chars().next_back().is_some_and(char::is_alphanumeric))
        })
    }
}

/// The recipient's own address written where a name belongs: in the subject, or as the greeting.
/// Mass mailers paste the address because they know nothing else about their target.
fn recipient_named(view: &MessageView, lures: &Lures, reading: &Reading, out: &mut Vec<Finding>) {
    let subject = &reading.folded_subject;
    if let Some((start, end)) = recipient_addresses(subject, &view.recipients).next() {
        out.push(
            Finding::new("content.recipient_in_subject")
                .arg("address", subject.get(start..end).unwrap_or_default())
                .evidence("Subject", sentence_around(subject, start, end)),
        );
    }
    let greeting = reading.body_heads.iter().find_map(|head| {
        recipient_addresses(head, &view.recipients)
            .find(|&(start, end)| lures.greets(head, start, end))
            .map(|(start, end)| (head, start, end))
    });
    if let Some((head, start, end)) = greeting {
        out.push(
            Finding::new("content.recipient_greeting")
                .arg("address", head.get(start..end).unwrap_or_default())
                .evidence("Body", sentence_around(head, start, end)),
        );
    }
}

/// A web address where the service put a name: in a recipient's display name, or right after the
/// greeting or name label at the start of a body (see `name_slot`).
fn form_injection(view: &MessageView, lures: &Lures, reading: &Reading, out: &mut Vec<Finding>) {
    let mut named = view.to.iter().chain(&view.cc).filter_map(|addr| addr.name.as_deref());
    if let Some((name, address)) = named.find_map(|name| Some((name, name_slot::in_display_name(name)?))) {
        out.push(name_slot::finding(name_slot::Slot::RecipientName, &address, name));
        injected_offer(view, lures, &address, name, out);
        return;
    }
    let greeted = reading
        .body_heads
        .iter()
        .find_map(|head| Some((head, name_slot::after_greeting(head, &lures.name_slot_words)?)));
    if let Some((head, address)) = greeted {
        // `address` is a slice of `head`: where it stands, not the first text like it.
        let start = (address.as_ptr() as usize).saturating_sub(head.as_ptr() as usize);
        let context = sentence_around(head, start, start + address.len());
        out.push(name_slot::finding(name_slot::Slot::Greeting, address, &context));
        injected_offer(view, lures, address, &context, out);
    }
}

/// The text typed into a site's form beside the web address offers money, coins or a prize
/// (`[form_injection] offers`, or a sum written with its currency or coin): a stranger's scam offer
/// that the site's genuine mail carries under the site's name, pointing to the address.
fn injected_offer(view: &MessageView, lures: &Lures, address: &str, context: &str, out: &mut Vec<Finding>) {
    let folded = fold(context).text;
    let Some(offer) = name_slot::offer_in(&folded, &lures.injected_offer_words) else { return };
    let site = view.from.as_ref().and_then(|f| f.domain.clone()).unwrap_or_default();
    out.push(
        Finding::new("links.injected_offer")
            .arg("address", visible(address))
            .arg("site", visible(&site))
            .arg("offer", visible(&offer))
            .evidence("URL", visible(address))
            .evidence("Offer", visible(&offer))
            .evidence("From", visible(&site)),
    );
}

fn machine_translated(lures: &Lures, reading: &Reading, out: &mut Vec<Finding>) {
    if !reading.has_kana {
        return;
    }
    let counts = reading.counts();
    let mut examples: Vec<(&str, String)> = Vec::new();
    for phrase in &reading.hits.translated {
        examples.push(("Unnatural wording", phrase.clone()));
    }
    if let Some(example) =
        reading.particle_example.as_ref().filter(|_| counts.particle_spaces >= lures.min_particle_spaces)
    {
        examples.push(("Space before a particle", format!("{example} (×{})", counts.particle_spaces)));
    }
    if let Some(c) = reading.simplified_example {
        examples.push(("Simplified Chinese character", format!("{c} (×{})", counts.simplified)));
    }
    if examples.len() < lures.min_cues {
        return;
    }
    let mut finding = Finding::new("content.machine_translated")
        .arg("cues", examples.len().to_string())
        .arg("phrase", examples[0].1.clone());
    for (label, value) in examples {
        finding = finding.evidence(label, value);
    }
    out.push(finding);
}

#[cfg(test)]
mod tests {
    use unicode_normalization::UnicodeNormalization;

    use super::fold::{Folder, fold_resumable};
    use super::*;
    use crate::rules::Rules;

    const LURES: &str = include_str!("../../data/lures.toml");

    /// `sentence_around` of the first occurrence of `phrase` in `text`.
    fn quoted(text: &str, phrase: &str) -> String {
        let start = text.find(phrase).expect("phrase in text");
        sentence_around(text, start, start + phrase.len())
    }

    #[test]
    fn evidence_quotes_the_phrase_within_its_sentence() {
        assert_eq!(quoted("Hello. Your account is suspended. Click here.", "suspended"), "Your account is suspended");
        assert_eq!(quoted("== ■ 口座が凍結されました。至急", "凍結"), "口座が凍結されました");
        // Full stops inside numbers and domains do not end the sentence.
        assert_eq!(quoted("You have 0.7495 btc to withdraw", "withdraw"), "You have 0.7495 btc to withdraw");
        assert_eq!(quoted("log in at example.com now! or else", "log in"), "log in at example.com now");
    }

    #[test]
    fn evidence_cut_in_a_long_sentence_is_marked() {
        let text = "完全なメールボックスメモリスペースがほぼ満杯であるため、5つの受信メールが返されました";
        let quote = quoted(text, "受信メールが返され");
        assert!(quote.starts_with('…') && !quote.ends_with('…'), "{quote}");
        assert_eq!(quote.chars().count(), 1 + CONTEXT_CHARS + "受信メールが返されました".chars().count());
        let long = format!("please {} verify your account {}", "x".repeat(40), "y".repeat(40));
        assert_eq!(quoted(&long, "verify"), format!("…{} verify your account {}…", "x".repeat(29), "y".repeat(16)));
    }

    #[test]
    fn names_are_found_in_any_case_at_their_first_place() {
        assert_eq!(find_ignore_case("a HREF=x href", "href"), Some(2));
        assert_eq!(find_ignore_case("xhhrefHREF", "HREF"), Some(2));
        assert_eq!(find_ignore_case("ＨREF href", "href"), Some(7), "byte offsets, past other scripts");
        assert_eq!(find_ignore_case("ab h", "href"), None);
        assert_eq!(find_ignore_case("hre", "href"), None);
        assert_eq!(find_ignore_case("", "a"), None);
        assert_eq!(find_ignore_case("abc", ""), None);
    }

    #[test]
    fn prebuilt_automata_are_those_laid_out_from_the_file() {
        let (now, prebuilt) = (Lures::parse(LURES).unwrap(), Lures::builtin());
        assert!(now.body == prebuilt.body, "body phrases: build.rs lists them differently from the loader");
        assert!(now.subject == prebuilt.subject, "subject phrases: build.rs lists them differently from the loader");
        assert_eq!(now.body_phrases, prebuilt.body_phrases, "body phrases: build.rs bounds them differently");
        assert_eq!(now.subject_phrases, prebuilt.subject_phrases, "subject phrases: build.rs bounds them differently");
    }

    #[test]
    fn builtin_lures_load_and_every_finding_has_a_rule() {
        let lures = Lures::parse(LURES).unwrap();
        assert!(lures.lure_ids().len() >= 10);
        let rules = Rules::builtin();
        for id in lures.lure_ids().iter().chain(&[
            "content.urgency",
            "content.urgent_subject",
            "content.machine_translated",
            "content.html_form",
            "content.script",
            "content.obfuscated_text",
            "content.split_words",
            "content.recipient_in_subject",
            "content.recipient_greeting",
            "content.hidden_text",
            "content.lure_callback",
            "content.form_injection",
            "sender.reply_elsewhere",
        ]) {
            let rule = rules.get(id).unwrap_or_else(|| panic!("{id} has no rule in findings/content.toml"));
            assert!(!rule.deceptive, "{id}: wording is never deceptive");
        }
    }

    #[test]
    fn bad_tables_are_rejected() {
        let ok = "[urgency]\nphrases=['x']\n[urgent_subject]\nphrases=['y']\n\
                  [machine_translated]\nphrases=['z']\nparticles='の'\nsimplified_chinese='们'\nmin_cues=1\nmin_particle_spaces=2\n\
                  [credential_form]\nfield_names=['pass']\n\
                  [recipient_greeting]\nwords=['hallo']\nhonorifics=['様']\nhead_chars=300\n\
                  [bulk_footer]\nphrases=['w']\n[image_only]\nmax_words=12\n[image_hosts]\nhosts=['i.test']\n\
                  [hidden_filler]\nmin_random_tokens=3\nmin_words=40\nmin_unrelated_share=0.7\n\
                  [contact_elsewhere]\ncues=['email me']\nwindow_chars=60\n[form_injection]\nwords=['hi']\noffers=['btc']\n[account_notice]\nlures=['a']\n[offer_elsewhere]\nlures=['a']\n\
                  [advance_fee_letter]\nlure='a'\nmin_amount=1000000\ncurrency_before=['$']\ncurrency_after=['usd']\n\
                  scales={million=1000000}\n[split_words]\nwords=['mortgage']\nmin_letters=5\nspaced_sentence_letters=12\n\
                  [callback]\nphrases=['refund']\nwindow_chars=200\n";
        assert!(Lures::parse(&format!("[[lure]]\nid='a'\nphrases=['p']\n{ok}")).is_ok());
        assert!(Lures::parse(&format!("[[lure]]\nid='A b'\nphrases=['p']\n{ok}")).is_err());
        assert!(Lures::parse(&format!("[[lure]]\nid='a'\nphrases=['p', 'P']\n{ok}")).is_err(), "dup after fold");
        assert!(Lures::parse(&format!("[[lure]]\nid='a'\nphrases=['x']\n{ok}")).is_err(), "dup across lists");
        assert!(Lures::parse(&format!("[[lure]]\nid='a'\nphrases=[' ']\n{ok}")).is_err());
        for bad_split in
            [ok.replace("words=['mortgage']", "words=['Mortgage']"), ok.replace("min_letters=5", "min_letters=2")]
        {
            assert!(Lures::parse(&format!("[[lure]]\nid='a'\nphrases=['p']\n{bad_split}")).is_err(), "{bad_split}");
        }
        let bad_share = ok.replace("min_unrelated_share=0.7", "min_unrelated_share=7");
        assert!(Lures::parse(&format!("[[lure]]\nid='a'\nphrases=['p']\n{bad_share}")).is_err());
        for bad_contact in [
            ok.replace("cues=['email me']", "cues=[' ']"),
            ok.replace("window_chars=60", "window_chars=5"),
            ok.replace("words=['hi']", "words=[]"),
        ] {
            assert!(Lures::parse(&format!("[[lure]]\nid='a'\nphrases=['p']\n{bad_contact}")).is_err());
        }
        let unknown_notice = ok.replace("lures=['a']", "lures=['b']");
        assert!(Lures::parse(&format!("[[lure]]\nid='a'\nphrases=['p']\n{unknown_notice}")).is_err());
        assert!(Lures::parse(&format!("[[lure]]\nid='a'\nphrases=['p']\nweak=['q']\n{ok}")).is_ok());
        let weak_elsewhere =
            format!("[[lure]]\nid='a'\nphrases=['p']\n[[lure]]\nid='b'\nphrases=['r']\nweak=['q']\n{ok}");
        assert!(Lures::parse(&weak_elsewhere).is_err(), "weak phrases count beside a sum: the letter's lure only");
        for bad_letter in [
            ok.replace("lure='a'", "lure='b'"),
            ok.replace("min_amount=1000000", "min_amount=5"),
            ok.replace("currency_after=['usd']", "currency_after=[]"),
            ok.replace("scales={million=1000000}", "scales={'two words'=1000000}"),
        ] {
            assert!(Lures::parse(&format!("[[lure]]\nid='a'\nphrases=['p']\n{bad_letter}")).is_err(), "{bad_letter}");
        }
    }

    #[test]
    fn folding_joins_japanese_and_normalises_width_case_accents_and_lookalikes() {
        assert_eq!(fold("ご利 用 確 認").text, "ご利用確認");
        assert_eq!(fold("24 時間以内").text, "24時間以内");
        assert_eq!(fold("ＵＲＧＥＮＴ  Notice").text, "urgent notice");
        assert_eq!(fold("Atenção").text, "atencao");
        assert_eq!(fold("ｶｺﾞﾔ").text, "カゴヤ");
        let disguised = fold("Your Wallеt is Suspеnded");
        assert_eq!(disguised.text, "your wallet is suspended");
        assert_eq!(disguised.disguised, 2);
        assert_eq!(disguised.disguised_word.as_deref(), Some("Wall⟨U+0435⟩t"));
        // Russian is Cyrillic throughout: nothing is disguised.
        assert_eq!(fold("Привет, мир: ответ").disguised, 0);
        assert_eq!(fold("A\u{073F}m\u{073F}a\u{073F}zon").text, "amazon");
        assert_eq!(fold("A\u{073F}m\u{073F}a\u{073F}zon").disguised, 3);
        assert_eq!(fold("Unter\u{AD}nehmen").disguised, 0, "soft hyphens are hyphenation");
        assert_eq!(fold("𝙎𝙚𝙘𝙪𝙧𝙚 now").disguised, 6);
    }

    #[test]
    fn particle_after_a_space_is_a_translation_cue_but_names_and_line_breaks_are_not() {
        let lures = Lures::builtin();
        let f = fold_with("5つ の受信メールが返されました", &lures.particles, &lures.simplified_chinese);
        assert_eq!(f.particle_spaces, 1);
        assert_eq!(f.particle_example.as_deref(), Some("5つ の受"));
        let normal = fold_with("山田 太郎\nの件、これ\nに伴い", &lures.particles, &lures.simplified_chinese);
        assert_eq!(normal.particle_spaces, 0);
    }

    #[test]
    fn html_scan_reads_text_and_finds_forms_scripts_and_refresh() {
        let scan = scan_html(
            "<html><head><style>p{x:1}</style><meta http-equiv=\"Refresh\" content=\"0; url=https://x.test/\"></head>\
             <body><p>Ver<b></b>ify&nbsp;your&#32;account &amp; more</p><!-- <form> -->\
             <form action='https://evil.test/p.php'><input name=p></form>\
             <script>var a = \"</b>\";\n  steal()</script><a href=\"https://a.test/\">x</a></body></html>",
        );
        assert!(scan.text.contains("Verify your account & more"), "{:?}", scan.text);
        let latin = scan_html(
            "<p>Best&auml;tigen Sie Ihre Kontobest&auml;tigung, Verifica&ccedil;&atilde;o, &Eacute;tape, Stra&szlig;e &bogus; &xuml;</p>",
        );
        assert_eq!(
            latin.text.trim(),
            "Bestätigen Sie Ihre Kontobestätigung, Verificação, Étape, Straße &bogus; &xuml;"
        );
        assert!(!scan.text.contains("x:1") && !scan.text.contains("steal"));
        assert_eq!(scan.forms, [Form { action: "https://evil.test/p.php".into(), fields: vec!["input:p".into()] }]);
        assert_eq!(scan.script.as_deref(), Some("<script> var a = \"</b>\"; steal()"));
        assert_eq!(scan.meta_refresh.as_deref(), Some("0; url=https://x.test/"));
        assert_eq!(scan.hrefs, ["https://a.test/"]);
    }

    #[test]
    fn only_forms_asking_for_credentials_count() {
        let lures = Lures::builtin();
        assert!(lures.is_credential_field("password:x"));
        assert!(lures.is_credential_field("text:cardnumber"));
        assert!(lures.is_credential_field("text:pin"));
        assert!(!lures.is_credential_field("text:shipping"));
        assert!(!lures.is_credential_field("text:q"));
        let search = "<html><body><form action=\"https://s.test/\"><input type=text name=q></form></body></html>";
        let login = "<html><body><form action=\"https://x.test/p\"><input type=password name=p></form></body></html>";
        assert!(html_findings(search).is_empty());
        assert_eq!(ids(&html_findings(login)), ["content.html_form"]);
    }

    #[test]
    fn hostile_text_is_handled_in_one_pass() {
        // Each of these would take minutes if any step were quadratic in the input.
        let n = 200_000;
        for html in [
            "<".repeat(n),
            "&#".repeat(n),
            "<a href='x' ".repeat(n / 10),
            "<script></scrip".repeat(n / 10),
            "<form action=x><input type=password name=".repeat(n / 20),
            "a\u{073F}".repeat(n),
            "ご利 用 ".repeat(n / 4),
        ] {
            let scan = scan_html(&html);
            let folded = fold(&scan.text);
            assert!(folded.text.len() <= html.len() * 3);
            let lures = Lures::builtin();
            let mut hits = Hits::new(lures);
            lures.scan(&fold(&html).text, Place::Body, &mut hits);
        }
    }

    proptest::proptest! {
        #[test]
        fn hidden_text_is_as_if_every_style_sheet_were_known_from_the_start(
            pieces in proptest::collection::vec(
                "(<style>|<STYLE media=x>|<Style a='>'>|</style>|</STYLE >|<span>|<span class=h>|<q>|<p class='x H'>|</p>|<!--|-->|<script>|</script>|<s>|<S|<|>|\\.h\\{display:none\\}|q\\{opacity:0\\}|x| )",
                0..24,
            ),
        ) {
            let html = pieces.concat();
            // Every sheet the tokeniser reads, first; then one walk that knows them all.
            let mut every_sheet = hidden::HidingRules::default();
            let mut tokens = Tokens::new(&html);
            while let Some(token) = tokens.next_token() {
                if let Token::RawText(RawText::Style, css) = token {
                    every_sheet.add_sheet(css);
                }
            }
            let (expected, _) = walk_html(&html, &mut every_sheet, false, None);
            let scan = scan_html(&html);
            proptest::prop_assert_eq!((&scan.text, &scan.hidden), (&expected.text, &expected.hidden), "{:?}", html);
        }
    }

    #[test]
    fn only_the_style_sheets_a_browser_reads_hide_text() {
        let hidden = |html: &str| scan_html(html).hidden.trim().to_string();
        assert_eq!(hidden("<p class=h>story</p><style>.h{display:none}</style>"), "story", "a sheet after the text");
        for decoy in [
            "<!-- <style>.h{display:none}</style> -->",
            "<script>var s = '<style>.h{display:none}</style>';</script>",
            "<p title='<style>.h{display:none}</style>'>",
            "<title><style>.h{display:none}</style></title>",
        ] {
            assert_eq!(hidden(&format!("{decoy}<p class=h>story</p>")), "", "{decoy}");
        }
        assert_eq!(
            hidden("<!-- a --!><style>.h{display:none}</style><p class=h>story</p>"),
            "story",
            "`--!>` ends a comment"
        );
    }

    #[test]
    fn html_scan_survives_broken_markup() {
        for html in ["<", "<a href='", "&#xFFFFFFFF;", "<script>", "<!--", "</", "&", "<form action=>"] {
            let _ = scan_html(html);
        }
        assert_eq!(scan_html("a < b <3").text, "a < b <3", "a `<` before no letter is text, as in browsers");
    }

    fn findings(subject: &str, body: &str) -> Vec<Finding> {
        let raw = format!(
            "From: a@example.com\r\nTo: b@example.org\r\nSubject: {subject}\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
        );
        test_support::run(&raw, &[], check)
    }

    fn html_findings(html: &str) -> Vec<Finding> {
        let raw = format!("From: a@example.com\r\nSubject: x\r\nContent-Type: text/html\r\n\r\n{html}\r\n");
        test_support::run(&raw, &[], check)
    }

    use crate::checks::test_support::{self, sorted_ids as ids};

    fn from_findings(from: &str, subject: &str, body: &str) -> Vec<Finding> {
        let raw = format!(
            "From: {from}\r\nTo: b@example.org\r\nSubject: {subject}\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
        );
        test_support::run(&raw, &[], check)
    }

    const NORTON_RENEWAL: &str = "Hello, this invoice confirms the renewal of your Norton Ultimate Plus subscription. \
        Total Paid: $299.00. If you wish to request a refund, please contact our Billing Department at \
        +1 818-555-0142 within 24 hours. Sincerely, Norton Renewal Services";

    #[test]
    fn a_scam_offer_typed_into_a_sites_form_is_an_injected_offer() {
        for (subject, body) in [
            (
                "[Shop] Login Details",
                "Username: www.gsgvsa.blogspot.ch - 1.330 BTC BINANCE To set your password, visit",
            ),
            ("Your account has been created!", "Welcome Hi www.igfyrj.blogspot.cl - 180 861 USD BINANCE, Thanks for"),
        ] {
            let found = ids(&findings(subject, body));
            assert!(found.contains(&"content.form_injection"), "{found:?}");
            assert!(found.contains(&"links.injected_offer"), "{found:?}");
        }
        // The address alone (someone gave their website as their name), or offer words outside the slot.
        for body in [
            "Welcome Hi www.janes-portfolio.example, thanks for creating an account.",
            "Welcome Hi Jane, thanks for creating an account. Earn bonus points: $5 off your next order.",
        ] {
            let found = ids(&findings("Your account has been created!", body));
            assert!(!found.contains(&"links.injected_offer"), "{body}: {found:?}");
        }
    }

    #[test]
    fn a_charge_with_a_number_to_call_in_a_brands_name_is_a_callback_scam() {
        let found = ids(&from_findings("\"E-Receipt Notice\" <r@club.golf-example.com>", "Your order", NORTON_RENEWAL));
        assert!(found.contains(&"content.lure_callback"), "{found:?}");
        assert!(found.contains(&"links.callback_number"), "{found:?}");
        // From a free mailbox, signed as PayPal.
        let paypal = "A charge of USD 344.78 has been applied to your account. If you believe this charge was \
            unauthorized, please contact us at 855-555-0117 as soon as possible. Happy writing, PayPal, Inc.";
        let found = ids(&from_findings("Dear customer <someone@gmail.com>", "Status update", paypal));
        assert!(found.contains(&"links.callback_number"), "{found:?}");
    }

    #[test]
    fn a_shop_that_names_itself_or_a_brand_that_sends_its_own_is_no_callback_scam() {
        // The sender names itself: a reseller's receipt.
        let shop = "Harbor Outdoor. Order #48213, Norton 360: $89.00. To cancel or request a refund, call us at \
            (503) 555-0187. Harbor Outdoor, 12 Pier Road";
        let found = ids(&from_findings("Harbor Outdoor <orders@harbor-outdoor.com>", "Your order", shop));
        assert!(found.contains(&"content.lure_callback"), "{found:?}");
        assert!(!found.contains(&"links.callback_number"), "{found:?}");
        // The brand's own domain.
        let found = ids(&from_findings("Norton <billing@norton.com>", "Your renewal", NORTON_RENEWAL));
        assert!(!found.contains(&"links.callback_number"), "{found:?}");
        // A forward quotes someone else's mail.
        let found = ids(&from_findings("Taro <taro@golf-example.com>", "Fwd: Your order", NORTON_RENEWAL));
        assert!(!found.contains(&"links.callback_number"), "{found:?}");
        // A brand paid with, named in the middle of the text, is not who speaks.
        let middle = format!(
            "Thanks for your order. {} Paid with PayPal: $25.00. {} To cancel, call (503) 555-0187. Bye.",
            "Your items ship soon. ".repeat(10),
            "We pack every order by hand. ".repeat(10)
        );
        let found = ids(&from_findings("Joe <joe.plumbing@gmail.com>", "Invoice", &middle));
        assert!(found.contains(&"content.lure_callback"), "{found:?}");
        assert!(!found.contains(&"links.callback_number"), "{found:?}");
    }

    #[test]
    fn a_phone_number_without_a_charge_or_story_is_no_callback() {
        // A number to cancel a meeting, no sum; a sum and a number, no story.
        for body in [
            "To cancel your appointment, call (503) 555-0187. Norton Dental",
            "Your PayPal order of $25.00 ships today. Our office: (503) 555-0187.",
        ] {
            let found = ids(&from_findings("x <x@golf-example.com>", "Hello", body));
            assert!(!found.contains(&"content.lure_callback"), "{body}: {found:?}");
        }
    }

    #[test]
    fn japanese_quota_lure_with_translation_cues() {
        let found = findings(
            "重要なメール通知",
            "完全なメールボックスメモリスペースがほぼ満杯であるため、\n5つ の受信メールが返されました。\n\
             以下のリンクをクリックしてプロセスを完了してください",
        );
        assert_eq!(
            ids(&found),
            ["content.lure_pending_mail", "content.lure_quota", "content.machine_translated", "content.urgent_subject"]
        );
        let quota = found.iter().find(|f| f.id == "content.lure_quota").unwrap();
        assert_eq!(quota.args, [("phrase", "メールボックスメモリ".to_string())]);
        assert_eq!(
            quota.evidence[0].value,
            // As written: the space before the particle (a translation cue) is kept, the wrapped line is joined.
            "完全なメールボックスメモリスペースがほぼ満杯であるため、5つ の受信メールが返されました"
        );
    }

    #[test]
    fn english_and_european_lures() {
        let found =
            findings("Action required", "Your account has been suspended. Verify your identity within 24 hours.");
        assert_eq!(
            ids(&found),
            ["content.lure_account_suspended", "content.lure_verify", "content.urgency", "content.urgent_subject"]
        );
        let de = findings("Hinweis", "Ihr Postfach ist voll. Nachrichten wurden zurückgehalten.");
        assert_eq!(ids(&de), ["content.lure_pending_mail", "content.lure_quota"]);
        let deadline = findings("Online Kunden", "Bitte füllen Sie das Formular unverzüglich aus.");
        assert_eq!(ids(&deadline), ["content.urgency"]);
        // Cloud-storage notices: "running out of space, your files will be deleted".
        let storage = [
            ("Final Chance to Restore iCloud Storage", "Your photos are waiting."),
            ("Tu iCloud", "Te estás quedando sin espacio: actúa antes de que se eliminen los archivos."),
            ("Aviso", "Você atingiu o limite de armazenamento da sua conta."),
            ("Storage Limit Warning", "Your cloud needs attention."),
        ];
        for (subject, text) in storage {
            assert_eq!(ids(&findings(subject, text)), ["content.lure_quota"], "{subject}");
        }
        // Toll notices ("an unpaid toll was recorded for your plate") and overdue card or hosting invoices.
        let tolls = [
            ("Pedágio não pago", "Sua placa foi identificada no sistema."),
            ("Notice", "We recorded an unpaid toll for your vehicle."),
            ("Fatura Emitida", "Pague sua fatura pelo arquivo em anexo."),
            ("Aviso", "Sua fatura venceu em 15/05 e ainda não recebemos o pagamento."),
        ];
        for (subject, text) in tolls {
            assert_eq!(ids(&findings(subject, text)), ["content.lure_payment"], "{subject}");
        }
        assert_eq!(ids(&findings("Pontos", "Troque seus pontos por produtos.")), ["content.lure_points"]);
    }

    #[test]
    fn the_senders_name_counts_for_its_lures_only() {
        let named = |from: &str, body: &str| {
            let raw = format!(
                "From: {from}\r\nTo: b@example.org\r\nSubject: Hello\r\n\
                 Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
            );
            test_support::run(&raw, &[], check)
        };
        let found = named("\"Pago rechazado\" <billing@example.com>", "See the attached document.");
        assert_eq!(ids(&found), ["content.lure_payment"]);
        assert_eq!(found[0].evidence[0].label, "From");
        // Deadlines in a name are not read, nor its script: a Chinese name beside a Japanese text is no
        // sign of machine translation.
        assert!(ids(&named("\"URGENT 24 hours\" <a@example.com>", "Lunch at noon?")).is_empty());
        let ja = "お世話になっております。明日の会議の資料をお送りします。";
        assert!(ids(&named("\"张伟\" <zhang@example.com>", ja)).is_empty());
    }

    #[test]
    fn japanese_legacy_charsets_decode_before_matching() {
        for (raw, expected) in [
            (
                &include_bytes!("../../../tests/fixtures/charset-iso2022jp-business.eml")[..],
                "お見積書を添付にてお送りいたします",
            ),
            (&include_bytes!("../../../tests/fixtures/charset-shift-jis-business.eml")[..], "経費精算システム"),
        ] {
            let parsed = mail_parser::MessageParser::new().parse(raw).unwrap();
            let view = MessageView::build(&parsed, false, &Default::default(), &Default::default());
            assert!(fold(&view.text).text.contains(expected), "{expected} not in {:?}", view.text);
        }
    }

    #[test]
    fn grief_words_tell_an_advance_fee_story_only_beside_a_sum_and_a_letter_needs_two_details() {
        let told = |body: &str| {
            let found = ids(&findings("Hello", body));
            (found.contains(&"content.lure_advance_fee"), found.contains(&"content.advance_fee_letter"))
        };
        // A letter to a friend: several weak words, no sum.
        assert_eq!(told("As next of kin of my late father I sign for the inheritance."), (false, false));
        assert_eq!(told("父の遺産相続の手続きで、受益者は母です。"), (false, false));
        // A weak word beside a sum: the story, but one detail only ("2 million usd" is one).
        assert_eq!(told("My late father left US$ 4,500,000.00 in the bank."), (true, false));
        assert_eq!(told("The budget is 2 million usd this year."), (true, false));
        // One of the scam's own phrases: the story; with a second phrase or a sum, the letter.
        assert_eq!(told("Release the consignment box today."), (true, false));
        assert_eq!(told("Release the consignment box to you as my next of kin."), (true, true));
        assert_eq!(told("The consignment box holds $10.5 million for you."), (true, true));
        // Two weak words and a sum.
        assert_eq!(told("Sou viúva do falecido Sr. Paulo e deixo 7,5 milhões de dólares."), (true, true));
        // A friend who changes jobs gives a private address: weak words, no story without a sum.
        for note in [
            "Manda pro meu e-mail particular que eu te respondo de lá.",
            "Te escribo desde mi correo privado porque ya no trabajo allí.",
            "Après vendredi, mon e-mail privé est p.lambert@orange.fr.",
            "Meine private E-Mail ist ab sofort diese hier.",
            "Please reply to my private email from now on.",
        ] {
            assert_eq!(told(note), (false, false), "{note}");
        }
        assert!(told("Escreva para meu e-mail particular: recebi US$ 5,5 milhões.").0);
        // The stranger who introduces herself as a lady is the story's own opening.
        assert!(told("Meu nome é Sra. Jane Woody, escreva para meu e-mail particular.").0);
    }

    #[test]
    fn a_web_address_in_a_name_slot_is_a_form_injection() {
        let has = |found: &[Finding]| found.iter().any(|f| f.id == "content.form_injection");
        assert!(has(&findings("Login Details", "Username: www.qwhzkd.blogspot.com - 1.330 BTC BINANCE\nTo set…")));
        assert!(has(&findings("Welcome", "Welcome to TS Exim. Hi www.igfyrj.blogspot.cl - 180 861 USD, thanks")));
        let to_named = |name: &str| {
            let raw = format!(
                "From: hi@shop.example\r\nTo: \"{name}\" <b@example.org>\r\nSubject: 20% off\r\n\
                 Content-Type: text/plain; charset=utf-8\r\n\r\nHi, 20% off everything this week.\r\n"
            );
            test_support::run(&raw, &[], check)
        };
        assert!(has(&to_named("Hello. Withdraw your funds --- transfer705.pages.dev/evas-dparun inob")));
        // A real user's name, a greeting followed by a name, a domain named after its label.
        assert!(!has(&to_named("Ana Lima")));
        assert!(!has(&findings("Login Details", "Hi Ana, welcome to www.bakery.example!\nUsername: analima")));
        assert!(!has(&findings("Your domain", "Domain name: www.bakery.example\nLogin: https://bakery.example/")));
    }

    #[test]
    fn a_short_note_whose_replies_go_to_another_free_mailbox_is_reply_bait() {
        let found = |from: &str, reply_to: &str, body: &str| {
            let raw = format!(
                "From: {from}\r\nReply-To: {reply_to}\r\nTo: undisclosed-recipients:;\r\nSubject: Hello\r\n\
                 Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
            );
            test_support::run(&raw, &[], check).iter().any(|f| f.id == "content.reply_bait")
        };
        let note = "I sent an email to you previously, kindly confirm to me that you have received it.";
        assert!(found("Stella <m.rossi@studio.example>", "stella002@gmail.com", note));
        assert!(found("Dr.Kenneth <kmike111@gmail.com>", "dr.kenneth@outlook.com", note));
        // Replies to the sender itself, to a company, or to the sender's own second mailbox.
        assert!(!found("Stella <stella002@gmail.com>", "stella002@gmail.com", note));
        assert!(!found("Stella <m.rossi@studio.example>", "desk@studio.example", note));
        assert!(!found("Taro Yamada <taro85@gmail.com>", "Taro Yamada <t-yamada@yahoo.co.jp>", note));
        // A letter, a link or an empty body is something else.
        assert!(!found("Stella <m.rossi@studio.example>", "stella002@gmail.com", &note.repeat(6)));
        assert!(!found(
            "Stella <m.rossi@studio.example>",
            "stella002@gmail.com",
            &format!("{note} https://x.example/")
        ));
        assert!(!found("Stella <m.rossi@studio.example>", "stella002@gmail.com", ""));
        // Written to the reader by name: a shop that takes replies at a free mailbox answers one customer.
        let shop = "From: Shop <info@shop.example>\r\nReply-To: shop.desk@gmail.com\r\nTo: me@example.jp\r\n\
                    Subject: Your return\r\nContent-Type: text/plain\r\n\r\nPlease reply with your order number.\r\n";
        assert!(!test_support::run(shop, &[], check).iter().any(|f| f.id == "content.reply_bait"));
        let blind = shop.replace("To: me@example.jp", "To: Recipients <info@shop.example>");
        assert!(test_support::run(&blind, &[], check).iter().any(|f| f.id == "content.reply_bait"));
    }

    #[test]
    fn a_sum_of_millions_is_a_promised_fortune_only_with_replies_to_a_free_mailbox() {
        let body = "Your cousin came to claim the outstanding payment of $2,500,000 kept in our custody.";
        let with_reply_to = |reply_to: &str| {
            let raw = format!(
                "From: Claims <noreply@claims-example.com>\r\nReply-To: {reply_to}\r\nTo: b@example.org\r\nSubject: claim\r\n\r\n{body}\r\n"
            );
            ids(&test_support::run(&raw, &[], check))
        };
        assert_eq!(with_reply_to("michael.armstrong212@hotmail.com"), ["content.promised_fortune"]);
        let found = test_support::run(
            &format!(
                "From: a@claims-example.com\r\nReply-To: b@gmail.com\r\nTo: c@example.org\r\nSubject: x\r\n\r\n{body}\r\n"
            ),
            &[],
            check,
        );
        assert_eq!(found[0].evidence[0].value, "$2,500,000");
        // News of a company's millions, replies to its other office; or no Reply-To at all.
        assert!(with_reply_to("desk@claims-example.net").is_empty());
        assert!(ids(&findings("claim", body)).is_empty());
        // Beside the advance-fee story the sum is the letter's detail, not a finding of its own.
        let raw = format!(
            "From: a@claims-example.com\r\nReply-To: b@gmail.com\r\nTo: c@example.org\r\nSubject: x\r\n\r\n{body} Release the consignment box.\r\n"
        );
        let letter = ids(&test_support::run(&raw, &[], check));
        assert_eq!(letter, ["content.advance_fee_letter", "content.lure_advance_fee"]);
    }

    #[test]
    fn scam_lures_in_several_languages() {
        for (subject, body, id) in [
            (
                "You have earned +0.3 BTC",
                "Your cloud mining balance is ready: withdraw your funds.",
                "content.lure_crypto",
            ),
            ("Airdrop", "エアドロップが始まりました。ウォレットを接続してください。", "content.lure_crypto"),
            ("Bonus", "Holen Sie sich 100 Freispiele ohne Einzahlung!", "content.lure_gambling"),
            ("Welkom", "Claim je welkomstbonus bij je eerste storting.", "content.lure_gambling"),
            ("Zahlungsbestätigung", "Ihr Bonusguthaben von 6400,00 € steht bereit.", "content.lure_gambling"),
            ("Hi", "Your bonus balance of £250 is ready to be collected.", "content.lure_gambling"),
            ("Sorpresa", "Il tuo saldo bonus ti aspetta.", "content.lure_gambling"),
            ("Anna, 23", "Obtenez un rendez-vous chaud avec des filles ukrainiennes.", "content.lure_adult"),
            (
                "Hello",
                "I am Mrs. Grace, widow to late Mr. Paul; you are named next of kin.",
                "content.lure_advance_fee",
            ),
            (
                "Olá",
                "Sou a Sra. Anitha, viúva, e quero doar 5 milhões de dólares para caridade.",
                "content.lure_advance_fee",
            ),
            ("Keto", "Pronostic individuel pour la perte de poids.", "content.lure_miracle_product"),
            ("Félicitations", "Répondez à ce court sondage et recevez votre récompense.", "content.lure_survey_reward"),
            ("Gewinnspiel", "Nehmen Sie an unserer Umfrage teil.", "content.lure_survey_reward"),
            (
                "Processo Trabalhista",
                "Intimação eletrônica: número do processo 0000995-54.",
                "content.lure_legal_threat",
            ),
            (
                "Mahnung",
                "Wir leiten rechtliche Schritte ein und beauftragen den Gerichtsvollzieher.",
                "content.lure_legal_threat",
            ),
            (
                "Aviso final",
                "Identificamos irregularidade fiscal: o seu CPF será suspenso.",
                "content.lure_government_notice",
            ),
            ("Infração", "Sua CNH será suspensa, regularize a multa de trânsito.", "content.lure_government_notice"),
            (
                "CPF 2026",
                "Vos droits CPF expirent bientôt : vérifier mes droits CPF.",
                "content.lure_government_notice",
            ),
            (
                "Invoice",
                "Your plan has been successfully renewed. If you did not authorize this, call.",
                "content.lure_tech_support",
            ),
            ("Hi", "Please reply to contact the donor for more information.", "content.lure_advance_fee"),
            ("[EXTERNAL]Hi", "He would like to know if you are accepting his donation.", "content.lure_advance_fee"),
            (
                "Acknowledgment of Your Order",
                "We are confirming your upcoming automatic renewal with Norton 360: USD 574.99 today.",
                "content.lure_tech_support",
            ),
        ] {
            let found = ids(&findings(subject, body));
            assert!(found.contains(&id), "{id} not found in {body:?}: {found:?}");
        }
    }

    #[test]
    fn topic_words_of_ordinary_mail_are_not_scam_lures() {
        // A tech newsletter and a charity update use the topics without the bait.
        let found = findings(
            "Weekly digest",
            "Crypto tokens and wallets explained; results of our reader survey; the donation drive for the \
             library; a lawsuit over patents; sex education in schools; Norton and McAfee compared.",
        );
        assert!(found.is_empty(), "{:?}", ids(&found));
    }

    #[test]
    fn recipient_address_in_subject_or_as_greeting() {
        let subject = findings("Nouveautés pour b@example.org !", "Votre cadeau est prêt.");
        assert_eq!(ids(&subject), ["content.recipient_in_subject"]);
        assert_eq!(subject[0].args, [("address", "b@example.org".to_string())]);
        assert_eq!(subject[0].evidence[0].value, "nouveautes pour b@example.org");

        for body in [
            "Hallo b@example.org! Ihr Gutschein ist da.",
            "Prezado, b@example.org, realize o resgate.",
            "b@example.org, segue o documento solicitado.",
            "B@Example.org 様\nいつもご利用ありがとうございます。",
        ] {
            assert_eq!(ids(&findings("Hinweis", body)), ["content.recipient_greeting"], "{body}");
        }
        // A quoted reply names the recipient as the author; someone else's address is not the recipient's.
        for body in [
            "On Mon, 3 May 2021, Bob <b@example.org> wrote:\n> thanks",
            "Hello c@example.org, welcome.",
            "Hi Bob, see the notes from b@example.org.org below.",
        ] {
            assert!(findings("Re: notes", body).is_empty(), "{body}");
        }
    }

    #[test]
    fn a_free_mailbox_the_text_asks_you_to_write_to_is_a_reply_elsewhere() {
        for body in [
            "I am a lonely lady. I will send you my photo, e-mail me to anna.k1990@gmail.com thanks",
            "Para mais detalhes, responda-me via: joana.liu29@gmail.com",
            "Please contact my lawyer for the fund, his email is at\nbarr.mensah@outlook.com",
            "Kontaktieren Sie mich unter: h.weber.privat@gmx.de",
        ] {
            let found = findings("Hello", body);
            assert!(ids(&found).contains(&"sender.reply_elsewhere"), "{body}: {:?}", ids(&found));
        }
        let found = findings("Hello", "Write me to anna.k1990@gmail.com");
        let reply = found.iter().find(|f| f.id == "sender.reply_elsewhere").unwrap();
        assert_eq!(reply.args, [("address", "anna.k1990@gmail.com".to_string())]);
        assert_eq!(reply.evidence[0].value, "write me to anna.k1990@gmail.com");
        // The sender's own address, a company's domain, a cue in another sentence, "contact us", or
        // no cue at all: none is a diversion.
        for body in [
            "Email me at a@example.com if anything is unclear.",
            "Email me at support@shop.example.com for returns.",
            "Please contact me. The minutes were sent by old.friend@gmail.com last week.",
            "To order, contact us at orders.shop@gmail.com",
            "Patches were posted by dev.person@gmail.com yesterday.",
            "Subscribe to my email list: news@example.com",
        ] {
            assert!(!ids(&findings("Notes", body)).contains(&"sender.reply_elsewhere"), "{body}");
        }
        let own = "From: Anna <anna.k1990@gmail.com>\r\nTo: b@example.org\r\nSubject: hi\r\n\r\nEmail me at anna.k1990@gmail.com\r\n";
        assert!(test_support::run(own, &[], check).is_empty());
        let list = "From: Bob via usrp-users <usrp-users@lists.example.org>\r\nList-Id: <usrp-users.lists.example.org>\r\n\
                    To: usrp-users@lists.example.org\r\nSubject: board\r\n\r\nContact me at bob.radio@gmail.com\r\n";
        assert!(test_support::run(list, &[], check).is_empty(), "people give their addresses on lists");
    }

    #[test]
    fn a_text_full_of_free_mailbox_addresses_is_read_in_bounded_time() {
        let lures = Lures::builtin();
        let text = "write me to x@gmail.com. ".repeat(200_000);
        let start = std::time::Instant::now();
        assert_eq!(lures.contact_addresses(Knowledge::builtin(), &text).count(), MAX_FREE_ADDRESSES_READ);
        assert!(start.elapsed() < std::time::Duration::from_secs(5), "{:?}", start.elapsed());
    }

    #[test]
    fn address_search_stays_linear_and_in_bounds() {
        let recipients = vec!["b@example.org".to_string()];
        for text in [
            "a@".repeat(100_000),
            "@".repeat(200_000),
            format!("{}b@example.org", "x".repeat(100_000)),
            "é@é".repeat(50_000),
        ] {
            assert_eq!(recipient_addresses(&text, &recipients).count(), 0);
        }
        assert_eq!(recipient_addresses("to b@example.org.", &recipients).collect::<Vec<_>>(), [(3, 16)]);
    }

    #[test]
    fn advertising_network_footers_are_told_from_newsletter_footers() {
        let found =
            findings("Canvas prints", "Order now. Unsubscribe: click here to remove yourself from our emails list");
        assert_eq!(ids(&found), ["content.bulk_footer"]);
        assert_eq!(found[0].args, [("phrase", "remove yourself from our emails list".to_string())]);
        let html =
            "<html><body><p>Deals</p><p>This is an advertisement. To opt out, write to 1 Main St.</p></body></html>";
        assert_eq!(ids(&html_findings(html)), ["content.bulk_footer"]);
        let newsletter = "If you no longer wish to receive these emails, unsubscribe or update your preferences.";
        assert!(findings("Weekly digest", newsletter).is_empty());
    }

    #[test]
    fn a_picture_with_a_link_and_no_text_is_image_only() {
        let picture = "<html><body><a href=\"https://offer.example.com/x\"><img src=\"https://img.example.net/a.jpg\"></a>\
                       <p>Click here</p></body></html>";
        let found = html_findings(picture);
        assert_eq!(ids(&found), ["content.image_only"]);
        assert_eq!(found[0].args, [("words", "2".to_string())]);
        let text: String = (0..40).map(|i| format!("word{i} ")).collect();
        let with_text = picture.replace("Click here", &text);
        assert!(html_findings(&with_text).is_empty(), "a newsletter with text and pictures");
        let japanese =
            picture.replace("Click here", "いつもご利用いただきありがとうございます。ご注文の商品を発送しました。");
        assert!(html_findings(&japanese).is_empty(), "each CJK character is a word");
        assert!(html_findings(&picture.replace("<img src=\"https://img.example.net/a.jpg\">", "Offer")).is_empty());
        let own_logo = picture.replace("img.example.net", "img.example.com");
        assert!(html_findings(&own_logo).is_empty(), "the sender's own logo (a@example.com)");
        assert!(html_findings(&picture.replace("https://offer.example.com/x", "#top")).is_empty(), "no web link");
    }

    #[test]
    fn hidden_filler_text_but_not_a_preview_line_or_a_mobile_column() {
        let story = "The old miller walked along the river every morning, counting the herons that stood in the \
                     shallows and wondering whether the winter would come early this year, as his father had \
                     always said it did when the swallows left before the harvest festival was over, and the \
                     village children believed every word of it.";
        let visible = "<p>Our spring catalogue is out, with new tools for the garden and the kitchen.</p>";
        let found =
            html_findings(&format!("<html><body>{visible}<div style='display:none'>{story}</div></body></html>"));
        assert_eq!(ids(&found), ["content.hidden_text"]);
        assert_eq!(found[0].args, [("words", "54".to_string())]);
        // The same story in a style-sheet class, in a zero-size font, in white on white.
        for hide in [
            "<style>.x{font-size:0px}</style><span class=x>",
            "<span style='color:#fff;background-color:#FFF'>",
            "<span style='max-height:0;overflow:hidden'>",
        ] {
            let html = format!("<html><body>{visible}{hide}{story}</span></body></html>");
            assert_eq!(ids(&html_findings(&html)), ["content.hidden_text"], "{hide}");
        }
        // Letters hidden inside a word do not break it; a hidden preview line is still read.
        let split = "<p>Your account has been sus<span style='font-size:0'>zq</span>pended.</p>";
        assert_eq!(scan_html(split).text.trim(), "Your account has been suspended.");
        assert_eq!(ids(&html_findings(split)), ["content.lure_account_suspended"]);
        let preview = "<div style='display:none'>Your account has been suspended</div><p>Hello</p>";
        assert_eq!(ids(&html_findings(preview)), ["content.lure_account_suspended"]);
        // Tokens that make each copy unique.
        let tokens = format!("{visible}<span style='opacity:0'>k3vq9x1t7 b7r2mw5z9 p4d8s2qz6</span>");
        assert_eq!(ids(&html_findings(&tokens)), ["content.hidden_text"]);
        // A preview line, a mobile-only column repeating the visible text, text shown again by a child.
        for html in [
            format!("<div style='display:none;max-height:0'>Spring sale: 20% off garden tools</div>{visible}"),
            format!("<p>{story}</p><div style='display:none'>{story}</div>"),
            format!("{visible}<td style='font-size:0'><span style='font-size:14px'>{story}</span></td>"),
            format!(
                "{visible}<style>@media (max-width:600px) {{ .m {{ display:none }} }}</style><p class=m>{story}</p>"
            ),
        ] {
            assert!(html_findings(&html).is_empty(), "{html}");
        }
    }

    #[test]
    fn image_sources_are_kept_for_the_image_only_check() {
        assert_eq!(
            scan_html("<p><img src='x.png'><IMG SRC=\"cid:logo\"><img alt=x></p>").images,
            ["x.png", "cid:logo", ""]
        );
        assert_eq!(
            scan_html(
                "<div style=\"width:600px; background: url('https://i.example.net/a.png') no-repeat\"></div>\
                 <td background=b.jpg><p style='color:red'>x</p></td><div style='background:URL(c.gif)'>"
            )
            .images,
            ["https://i.example.net/a.png", "b.jpg", "c.gif"]
        );
        assert_eq!(scan_html(&"<img src=a>".repeat(1000)).images.len(), MAX_HTML_ITEMS);
    }

    #[test]
    fn pictures_from_image_upload_sites_are_reported() {
        let html = |src: &str| {
            html_findings(&format!(
                "<html><body><p>Our spring catalogue is out, with a hundred new products for the garden, the \
                 kitchen and the living room, and free delivery on every order this month.</p>\
                 <img src=\"{src}\"><a href=\"https://shop.example.com/\">Shop</a></body></html>"
            ))
        };
        let found = html(" https://i.imgur.com/6CLuy02.jpeg");
        assert_eq!(ids(&found), ["content.image_sharing_host"]);
        assert_eq!(found[0].args, [("host", "i.imgur.com".to_string())]);
        for other in ["https://cdn.example.com/a.png", "https://notimgur.com/a.png", "cid:logo", "imgur.com/x.png"] {
            assert!(html(other).is_empty(), "{other}");
        }
    }

    #[test]
    fn words_are_counted_up_to_the_limit() {
        assert_eq!(count_words("Sell your house fast, 2 days!", 12), 5);
        assert_eq!(count_words("ご利用ありがとう a", 12), 8);
        assert_eq!(count_words(&"ab ".repeat(100_000), 12), 12);
        assert_eq!(count_words("", 12), 0);
    }

    #[test]
    fn random_codes_in_subjects_are_reported_once_with_the_subject() {
        let found = findings("Liberação de IRPF - 6NwlyfzWcsNerv0", "Seu saldo foi liberado.");
        assert_eq!(ids(&found), ["content.random_subject_code"]);
        assert_eq!(found[0].args, [("code", "6NwlyfzWcsNerv0".to_string())]);
        assert_eq!(found[0].evidence[0].value, "Liberação de IRPF - 6NwlyfzWcsNerv0");
        assert!(findings("Re: [USRP-users] B210 at 61.44 MSps on UHD 4.6", "Works here.").is_empty());
    }

    #[test]
    fn words_inside_other_words_do_not_match() {
        assert!(
            findings("Quotation", "Please find the quotation attached; the storage fullness report too.").is_empty()
        );
    }

    /// [`fold_with`] without its ASCII shortcuts: every character through [`Folder::push`].
    fn fold_char_by_char(text: &str, particles: &[char], simplified: &HashSet<char>) -> Folded {
        let mut folder = Folder::new(text.len(), particles, simplified);
        for chunk in text.split_inclusive(|c: char| c.is_ascii_whitespace()) {
            folder.styled_letters(chunk);
            chunk.nfkc().for_each(|c| folder.push(c));
        }
        folder.finish()
    }

    #[test]
    fn ascii_shortcuts_fold_as_char_by_char_on_known_traps() {
        let lures = Lures::builtin();
        // A particle after a space is consumed by the second letter of the next word, whatever script.
        for text in
            ["受信 の ab 受信", "受信 の a 受信", "受信 の a\n受信", "受信\u{3000}の 24 時間", "24 時間 7 の", " \n a"]
        {
            let fast = fold_with(text, &lures.particles, &lures.simplified_chinese);
            let slow = fold_char_by_char(text, &lures.particles, &lures.simplified_chinese);
            assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "{text:?}");
        }
    }

    proptest::proptest! {
        // Many short cases: the decisions depend on a few pieces in a row.
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(5_000))]
        #[test]
        fn ascii_shortcuts_fold_as_char_by_char(pieces in proptest::collection::vec(0..FOLD_PIECES.len(), 0..12)) {
            let text: String = pieces.iter().map(|&i| FOLD_PIECES[i]).collect();
            let lures = Lures::builtin();
            let fast = fold_with(&text, &lures.particles, &lures.simplified_chinese);
            let slow = fold_char_by_char(&text, &lures.particles, &lures.simplified_chinese);
            proptest::prop_assert_eq!(format!("{fast:?}"), format!("{slow:?}"));
        }
    }

    /// Pieces of text where folding has decisions to make: case, whitespace runs, Japanese joined
    /// across spaces, particles, digits, control characters, look-alike, invisible, combining and styled
    /// letters.
    const FOLD_PIECES: [&str; 25] = [
        "Amazon",
        "x\u{1}y",
        "PayPal",
        "a",
        "7",
        "24",
        " ",
        "  ",
        "\n",
        "\r\n",
        "\t",
        "\u{0B}",
        "\u{0C}",
        "の",
        "5つ",
        "受信",
        "时间",
        "Wallеt",
        "е",
        "\u{0301}",
        "\u{200B}",
        "ＵＲＧＥＮＴ",
        "𝙎𝙚𝙘",
        "Atenção",
        "\u{3000}",
    ];

    /// Pieces where NFKC joins or splits characters, for the second folding pass.
    const NFKC_PIECES: [&str; 9] =
        ["ｶﾞ", "ﾊﾟｽﾜｰﾄﾞ", "\u{FF9E}", "\u{1100}\u{1161}", "\u{11A8}", "㈱", "ﬁ", "Ⅻ", "\u{0340}"];

    proptest::proptest! {
        #[test]
        fn the_second_folding_pass_finds_where_each_folded_byte_came_from(
            pieces in proptest::collection::vec(0..FOLD_PIECES.len() + NFKC_PIECES.len(), 0..12),
        ) {
            let text: String =
                pieces.iter().map(|&i| FOLD_PIECES.get(i).copied().unwrap_or_else(|| NFKC_PIECES[i - FOLD_PIECES.len()])).collect();
            let folded = fold(&text).text;
            let offsets: Vec<usize> = (0..folded.len()).collect();
            let ranges = source_ranges(&text, &folded, &[], &offsets);
            proptest::prop_assert!(ranges.is_some(), "{text:?} folds differently piece by piece");
            let ranges = ranges.unwrap_or_default();
            proptest::prop_assert_eq!(ranges.len(), offsets.len());
            for (at, c) in folded.char_indices().filter(|&(_, c)| c != ' ') {
                let source = text.get(ranges[at].clone());
                proptest::prop_assert!(source.is_some_and(|s| fold(s).text.contains(c)), "{text:?} {c:?} {source:?}");
            }
            proptest::prop_assert!(ranges.windows(2).all(|w| w[0].start <= w[1].start));
            // Asked alone, an offset has the same source, whether the chunks before it are folded at once
            // or folding resumes after them.
            for resume_every in [1, 3, usize::MAX] {
                let resumable = fold_resumable(&text, &[], &HashSet::new(), resume_every);
                proptest::prop_assert_eq!(&resumable.text, &folded);
                let sparse: Vec<usize> = offsets.iter().copied().step_by(5).collect();
                let expected: Vec<Range<usize>> = ranges.iter().cloned().step_by(5).collect();
                proptest::prop_assert_eq!(source_ranges(&text, &folded, &resumable.resumes, &sparse), Some(expected));
                for (offset, range) in ranges.iter().enumerate() {
                    let alone = source_ranges(&text, &folded, &resumable.resumes, &[offset]);
                    proptest::prop_assert_eq!(alone, Some(vec![range.clone()]), "every {}", resume_every);
                }
            }
        }
    }

    #[test]
    fn evidence_quotes_the_text_as_written() {
        let found = findings("Notice", "Dear Customer,\n\nPlease  Verify Your Account Within 24 Hours. Thank You");
        let lure = found.iter().find(|f| f.id == "content.lure_verify").unwrap();
        assert_eq!(lure.args, [("phrase", "verify your account".to_string())]);
        assert_eq!(lure.evidence[0].value, "Dear Customer, Please Verify Your Account Within 24 Hours");

        // Full-width letters and half-width kana stay as written, past a cut at 30 characters too.
        let found = findings(
            "お知らせ",
            "【重要】お客様のＡｍａｚｏｎｱｶｳﾝﾄが停止されました。\n             ﾊﾟｽﾜｰﾄﾞの有効期限が切れたため、ご登録のクレジットカード情報とお客様情報の確認が必要となりますので本人確認をお願いします。",
        );
        let suspended = found.iter().find(|f| f.id == "content.lure_account_suspended").unwrap();
        assert_eq!(suspended.evidence[0].value, "重要】お客様のＡｍａｚｏｎｱｶｳﾝﾄが停止されました");
        let verify = found.iter().find(|f| f.id == "content.lure_verify").unwrap();
        assert!(verify.evidence[0].value.starts_with('…'), "{}", verify.evidence[0].value);
        assert!(
            verify.evidence[0].value.ends_with("情報の確認が必要となりますので本人確認をお願いします"),
            "{}",
            verify.evidence[0].value
        );

        // Invisible letters that hide a phrase from filters, or reorder how text shows, are not quoted.
        let found = findings("Notice", "Please veri\u{200B}fy your account \u{202E}now");
        let lure = found.iter().find(|f| f.id == "content.lure_verify").unwrap();
        assert_eq!(lure.evidence[0].value, "Please verify your account now");
    }

    #[test]
    fn quotes_fall_back_to_the_folded_text_when_the_passes_disagree() {
        assert_eq!(source_ranges("Verify now", "verify now", &[], &[0, 9]), Some(vec![0..1, 9..10]));
        assert_eq!(source_ranges("Verify now", "verify later", &[], &[0, 9]), None);
        assert_eq!(source_ranges("Verify", "verify", &[], &[6]), None, "an offset past the folded text");
        let lures = Lures::builtin();
        let mut hits = Hits::new(lures);
        let folded = fold("please verify your account");
        lures.scan(&folded.text, Place::Body, &mut hits);
        hits.quote_from("Something else entirely", &folded);
        let quotes: Vec<Option<&str>> = hits.lures.iter().flatten().map(|h| h.quote.as_deref()).collect();
        assert!(!quotes.is_empty() && quotes.iter().all(|q| *q == Some("please verify your account")), "{quotes:?}");
    }

    #[test]
    fn ordinary_mail_is_quiet() {
        assert!(findings("Re: meeting", "Thanks, see you on Tuesday at the office.").is_empty());
        assert!(findings("お打ち合わせの件", "山田様\n\nいつもお世話になっております。\n来週の打ち合わせですが、火曜日の14時からでいかがでしょうか。\nよろしくお願いいたします。").is_empty());
    }
}
