//! Machine-made random strings (`data/random_text.toml`): the throwaway mailbox behind a made-up name
//! (`"Chelsea Mccormick" <uhguqzqftkh@schostok.com>`) and the code stamped on a subject so that no
//! two copies of a mass mailing look alike (`Liberação de IRPF - 6NwlyfzWcsNerv0`). People choose
//! addresses they can say and read; these strings are neither.

use std::sync::LazyLock;

use anyhow::{Result, ensure};
use serde::Deserialize;

use crate::checks::content;
use crate::knowledge::Knowledge;
use crate::message::{Addr, MessageView};
use crate::model::Finding;
use crate::tables::{self, builtin_json};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RandomTextFile {
    min_letters: usize,
    rare_bigrams: String,
    min_tells: usize,
    min_rare_bigrams: usize,
    min_consonant_run: usize,
    max_vowel_share: f64,
    min_case_switches: usize,
    min_case_disorder: usize,
    min_digit_switches: usize,
    max_shuffled_chars: usize,
    min_tag_letters: usize,
    min_number_label_digits: usize,
}

/// The compiled letter statistics of `data/random_text.toml`.
pub struct RandomText {
    min_letters: usize,
    /// Indexed by `first * 26 + second` (letters as 0..26).
    rare: [bool; 26 * 26],
    min_tells: usize,
    min_rare_bigrams: usize,
    min_consonant_run: usize,
    max_vowel_share: f64,
    min_case_switches: usize,
    min_case_disorder: usize,
    min_digit_switches: usize,
    max_shuffled_chars: usize,
    min_tag_letters: usize,
    min_number_label_digits: usize,
}

static BUILTIN: LazyLock<RandomText> = LazyLock::new(|| {
    let table = tables::from_json(builtin_json!("random_text"), "random_text.toml");
    // Validated by a unit test, so this cannot fail in a released binary.
    table.and_then(RandomText::from_table).expect("built-in random_text.toml is valid")
});

/// Longest token judged: longer runs are encoded data, not a word or an address anyone reads.
const MAX_TOKEN_CHARS: usize = 64;

fn is_vowel(c: u8) -> bool {
    matches!(c.to_ascii_lowercase(), b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

impl RandomText {
    pub fn builtin() -> &'static RandomText {
        &BUILTIN
    }

    /// Letter statistics from the TOML text of `random_text.toml` (tables under test; the binary
    /// embeds the built-in one).
    #[cfg(test)]
    pub fn parse(text: &str) -> Result<RandomText> {
        RandomText::from_table(tables::from_toml(text, "random_text.toml")?)
    }

    fn from_table(file: RandomTextFile) -> Result<RandomText> {
        let mut rare = [false; 26 * 26];
        for pair in file.rare_bigrams.split_whitespace() {
            let bytes = pair.as_bytes();
            ensure!(
                bytes.len() == 2 && bytes.iter().all(u8::is_ascii_lowercase),
                "rare bigram {pair:?} is not two lower-case letters"
            );
            let index = usize::from(bytes[0] - b'a') * 26 + usize::from(bytes[1] - b'a');
            ensure!(!rare[index], "rare bigram {pair:?} is listed twice");
            rare[index] = true;
        }
        ensure!(rare.iter().any(|r| *r), "random_text.toml lists no rare bigrams");
        ensure!(file.min_letters >= 4 && file.min_letters <= MAX_TOKEN_CHARS, "min_letters out of range");
        ensure!((1..=5).contains(&file.min_tells), "min_tells must be 1 to 5 (there are five tells)");
        ensure!(file.min_rare_bigrams >= 1 && file.min_consonant_run >= 3, "rare pair or consonant run too small");
        ensure!(file.max_vowel_share > 0.0 && file.max_vowel_share < 1.0, "max_vowel_share must be in (0, 1)");
        ensure!(file.min_case_switches >= 1, "min_case_switches must be at least 1");
        ensure!(file.min_case_disorder >= 2, "min_case_disorder must be at least 2");
        ensure!(file.min_digit_switches >= 2, "min_digit_switches must be at least 2");
        ensure!(file.max_shuffled_chars >= file.min_letters, "max_shuffled_chars must be at least min_letters");
        ensure!(file.min_tag_letters >= 4, "min_tag_letters must be at least 4");
        ensure!(file.min_number_label_digits >= 16, "min_number_label_digits must be over a phone number's 15");
        Ok(RandomText {
            min_letters: file.min_letters,
            rare,
            min_tells: file.min_tells,
            min_rare_bigrams: file.min_rare_bigrams,
            min_consonant_run: file.min_consonant_run,
            max_vowel_share: file.max_vowel_share,
            min_case_switches: file.min_case_switches,
            min_case_disorder: file.min_case_disorder,
            min_digit_switches: file.min_digit_switches,
            max_shuffled_chars: file.max_shuffled_chars.min(MAX_TOKEN_CHARS),
            min_tag_letters: file.min_tag_letters,
            min_number_label_digits: file.min_number_label_digits,
        })
    }

    /// Whether a string of ASCII letters reads as machine-made: enough tells (rare letter pairs, case
    /// switching, a long consonant run, few vowels), and at least one rare pair or the case switching.
    pub fn is_random(&self, letters: &str) -> bool {
        self.judge(letters, false)
    }

    /// [`Self::is_random`], where `mailbox` adds a fifth tell: capitals where no word starts or ends
    /// (`case_disorder`). Only for the part of an address before the @: a subject's words may be a
    /// product's name written so (`iPhoneX`), a mailbox is rarely one.
    fn judge(&self, letters: &str, mailbox: bool) -> bool {
        let bytes = letters.as_bytes();
        if bytes.len() < self.min_letters || bytes.len() > MAX_TOKEN_CHARS || !bytes.iter().all(u8::is_ascii_alphabetic)
        {
            return false;
        }
        // At most `MAX_TOKEN_CHARS` letters: lower-cased on the stack (every word of a subject is asked).
        let mut buffer = [0; MAX_TOKEN_CHARS];
        let lower = &mut buffer[..bytes.len()];
        lower.copy_from_slice(bytes);
        lower.make_ascii_lowercase();
        let lower: &[u8] = lower;
        let rare_pairs = lower
            .windows(2)
            .filter(|w| self.rare.get(usize::from(w[0] - b'a') * 26 + usize::from(w[1] - b'a')) == Some(&true))
            .count();
        let case_switches = bytes.windows(2).filter(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase()).count();
        let (mut run, mut longest_run) = (0, 0);
        for &c in lower {
            run = if is_vowel(c) { 0 } else { run + 1 };
            longest_run = longest_run.max(run);
        }
        let vowels = lower.iter().filter(|c| is_vowel(**c)).count();
        let rare = rare_pairs >= self.min_rare_bigrams;
        let mixed_case = case_switches >= self.min_case_switches;
        let few_vowels = (vowels as f64) < self.max_vowel_share * lower.len() as f64;
        let disordered = mailbox && case_disorder(bytes) >= self.min_case_disorder;
        let tells = [rare, mixed_case, longest_run >= self.min_consonant_run, few_vowels, disordered];
        (rare_pairs > 0 || mixed_case || disordered) && tells.iter().filter(|t| **t).count() >= self.min_tells
    }

    /// Whether the part of an address before the @ is machine-made: random letters (see
    /// [`RandomText::is_random`]), or letters and digits shuffled together (`s9c6b60r91rb`). Software's
    /// own identifiers (`MicrosoftExchange329e71ec88ae…`, hex hashes) are longer or hexadecimal.
    pub fn is_random_local_part(&self, local: &str) -> bool {
        let bytes = local.as_bytes();
        if bytes.len() > MAX_TOKEN_CHARS {
            return false;
        }
        if !bytes.iter().all(u8::is_ascii_alphanumeric) {
            return self.has_capital_tag(local);
        }
        if bytes.iter().all(u8::is_ascii_alphabetic) {
            return self.judge(local, true);
        }
        let hexadecimal = bytes.iter().all(u8::is_ascii_hexdigit);
        let digit_switches = bytes.windows(2).filter(|w| w[0].is_ascii_digit() != w[1].is_ascii_digit()).count();
        (self.min_letters..=self.max_shuffled_chars).contains(&bytes.len())
            && !hexadecimal
            && digit_switches >= self.min_digit_switches
    }

    /// Whether a mailbox of words joined by `.`, `-`, `_` or `+` carries a tag of capitals that says
    /// nothing beside a word in lower case (`info.RDPYWM`, `customerservice.QMJWG`,
    /// `Bounce-TVXQLVEHUTRZYJ`): mass mailers stamp each copy's mailbox so. The tag has
    /// `min_tag_letters` capitals or more, fewer vowels than a third of them and a pair that words
    /// almost never hold; a surname written in capitals (`jean.DUPONT`, `Johanna.PICHON`,
    /// `jan.SCHMIDT`) and an office's code (`sales.EMEA`) do not.
    fn has_capital_tag(&self, local: &str) -> bool {
        let segments = || local.split(['.', '-', '_', '+']);
        let has_word = segments().any(|s| s.bytes().any(|b| b.is_ascii_lowercase()));
        has_word
            && segments().any(|tag| {
                let bytes = tag.as_bytes();
                bytes.len() >= self.min_tag_letters
                    && bytes.iter().all(u8::is_ascii_uppercase)
                    && bytes.iter().filter(|c| is_vowel(**c)).count() * 3 < bytes.len()
                    && bytes.windows(2).any(|w| {
                        let (a, b) = (w[0].to_ascii_lowercase(), w[1].to_ascii_lowercase());
                        self.rare[usize::from(a - b'a') * 26 + usize::from(b - b'a')]
                    })
            })
    }

    /// Whether a name in a domain is machine-made: random letters that also have almost no vowels,
    /// letters shuffled with at least three digits, or a number longer than any phone number or time
    /// stamp (`190817827092890281897.correio.biz`: a serial stamped on each copy). Names are chosen to
    /// be said: acronyms run into a word (`rwmfgconsulting`) can show rare pairs and a consonant run
    /// but keep their vowels, and playful names (`web2print4u`, `b2b4you`) hold a digit or two.
    pub fn is_random_domain_label(&self, label: &str) -> bool {
        let bytes = label.as_bytes();
        if bytes.len() >= self.min_number_label_digits && bytes.iter().all(u8::is_ascii_digit) {
            return true;
        }
        if !bytes.iter().all(u8::is_ascii_alphabetic) {
            return bytes.iter().filter(|b| b.is_ascii_digit()).count() >= 3 && self.is_random_local_part(label);
        }
        let vowels = bytes.iter().filter(|c| is_vowel(**c)).count();
        self.is_random(label) && (vowels as f64) < self.max_vowel_share * bytes.len() as f64
    }

    /// The first machine-made name in `domain` (see [`Self::is_random_domain_label`]); the top-level
    /// domain is not judged.
    pub fn random_domain_label<'d>(&self, domain: &'d str) -> Option<&'d str> {
        let (names, _tld) = domain.rsplit_once('.')?;
        names.split('.').find(|label| self.is_random_domain_label(label))
    }

    /// The first random code in a subject: a run of letters and digits (`6NwlyfzWcsNerv0`) whose
    /// letters read as machine-made. Runs inside a URL, an address or a file name are not read.
    pub fn subject_token<'s>(&self, subject: &'s str) -> Option<&'s str> {
        let bytes = subject.as_bytes();
        let mut start = 0;
        while start < bytes.len() {
            let len = bytes[start..].iter().take_while(|b| b.is_ascii_alphanumeric()).count();
            if len == 0 {
                start += 1;
                continue;
            }
            let end = start + len;
            let before = start.checked_sub(1).and_then(|i| bytes.get(i));
            let embedded = before.is_some_and(|b| b"/=?&%+.@_".contains(b))
                || bytes.get(end).is_some_and(|b| b"/=?&.@_".contains(b));
            let token = subject.get(start..end).unwrap_or_default();
            if !embedded && len <= MAX_TOKEN_CHARS {
                // At most `MAX_TOKEN_CHARS` ASCII letters: gathered on the stack (every word is read).
                let mut buffer = [0; MAX_TOKEN_CHARS];
                let mut letters = 0;
                for &b in token.as_bytes().iter().filter(|b| b.is_ascii_alphabetic()) {
                    buffer[letters] = b;
                    letters += 1;
                }
                if self.is_random(std::str::from_utf8(&buffer[..letters]).unwrap_or_default()) {
                    return Some(token);
                }
            }
            start = end;
        }
        None
    }
}

/// Capitals where no word starts or ends (`aUZryvsT`, `fWscatuD`, `wNiKpOPIWK`): a lower-case first
/// letter before a capital, a capital last after a lower-case letter, a lone lower-case consonant
/// between two capitals. Words run together start each with a capital and go on in lower case
/// (`DoNotReply`, `GoToMeeting`: a capital and a vowel are a two-letter word), so they show one of
/// these at most (`McDonald`, `iPhone`, `JohnD`).
fn case_disorder(letters: &[u8]) -> usize {
    let (upper, lower) = (|c: &u8| c.is_ascii_uppercase(), |c: &u8| c.is_ascii_lowercase());
    let lone_consonant = |w: &[u8]| upper(&w[0]) && lower(&w[1]) && !is_vowel(w[1]) && upper(&w[2]);
    let lone_lower = letters.windows(3).filter(|w| lone_consonant(w)).count();
    let lower_first = matches!(letters, [a, b, ..] if lower(a) && upper(b));
    let capital_last = matches!(letters, [.., a, b] if lower(a) && upper(b));
    lone_lower + usize::from(lower_first) + usize::from(capital_last)
}

/// Whether the local part shares a three-letter piece with the display name or holds its initials:
/// `"Marcus Leech" <mleech@…>`, `"Michael J Humphries" <adminmjh@…>` are the person's own choices.
fn echoes_name(name_letters: &str, initials: &str, local: &str) -> bool {
    let name = name_letters.as_bytes();
    let shares_piece = name.windows(3).any(|piece| local.as_bytes().windows(3).any(|l| l == piece));
    shares_piece || (initials.len() >= 2 && local.contains(initials))
}

/// The sender shows a name, but the address is a random string unrelated to it; or, behind another
/// address, the bounce address (Return-Path) is one.
pub fn check(view: &MessageView, from: &Addr, out: &mut Vec<Finding>) {
    if !random_from(view, from, out) {
        random_return_path(view, from, out);
    }
    random_domain(from, out);
}

/// A name in the sender's domain is a machine-made string (`kijmxvjkm.shankscape.com`,
/// `mcgkjhbc.cn`, `n9hri5rq3r9s.onmicrosoft.com`): domains are chosen to be read and typed, while
/// mass mailers register or create throwaway ones by the thousand. The top-level domain is not judged.
fn random_domain(from: &Addr, out: &mut Vec<Finding>) {
    let Some(domain) = from.domain.as_deref() else { return };
    let Some(label) = RandomText::builtin().random_domain_label(domain) else { return };
    out.push(
        Finding::new("sender.random_domain")
            .arg("domain", domain)
            .arg("label", label)
            .evidence("From", from.address.clone()),
    );
}

/// The Return-Path, where undeliverable mail goes, is a random mailbox or on a random domain: mailing
/// services write structured bounce addresses (`bounce-1234-user=example.org@…`), throwaway senders
/// random ones (`returnJSla9d5…@MDnk118dD.9F2gfSzW6PC2ePd1sl7Z.com`). Mailing services' own bounce
/// domains (`….bnc.salesforce.com`) may be machine-made and are left aside.
fn random_return_path(view: &MessageView, from: &Addr, out: &mut Vec<Finding>) {
    let Some(return_path) = view.return_path.as_deref() else { return };
    let return_path = return_path.trim().trim_matches(['<', '>']);
    let Some((local, domain)) = return_path.rsplit_once('@') else { return };
    if return_path.eq_ignore_ascii_case(&from.address) {
        return;
    }
    let random_text = RandomText::builtin();
    let random_domain =
        || !Knowledge::builtin().is_mail_service(domain) && random_text.random_domain_label(domain).is_some();
    if !random_text.is_random_local_part(local) && !random_domain() {
        return;
    }
    out.push(
        Finding::new("sender.random_return_path").arg("address", return_path).evidence("Return-Path", return_path),
    );
}

/// Reports a random From address behind a name; returns whether it did.
fn random_from(view: &MessageView, from: &Addr, out: &mut Vec<Finding>) -> bool {
    let Some((local, _)) = from.address.rsplit_once('@') else { return false };
    if !RandomText::builtin().is_random_local_part(local) {
        return false;
    }
    let Some(name) = super::display_name(view, from) else { return false };
    let folded = content::fold(&name).text;
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase()))
        .collect();
    let name_letters = words.concat();
    // A name in another script, or none to speak of, cannot be compared with the address.
    if name_letters.len() < 3 {
        return false;
    }
    let initials: String = words.iter().filter_map(|w| w.chars().next()).collect();
    if echoes_name(&name_letters, &initials, &local.to_ascii_lowercase()) {
        return false;
    }
    out.push(
        Finding::new("sender.random_address")
            .arg("name", name.clone())
            .arg("address", from.address.clone())
            .evidence("From", format!("\"{name}\" <{}>", from.address)),
    );
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_support::{run, sorted_ids};

    const RANDOM_TEXT: &str = include_str!("../../../data/random_text.toml");

    #[test]
    fn builtin_table_loads_and_bad_tables_are_rejected() {
        assert!(RandomText::parse(RANDOM_TEXT).is_ok());
        let rest = "min_letters = 7\nmin_tells = 2\nmin_rare_bigrams = 2\nmin_consonant_run = 5\n\
                    max_vowel_share = 0.2\nmin_case_switches = 2\nmin_case_disorder = 2\nmin_digit_switches = 4\nmax_shuffled_chars = 24\nmin_tag_letters = 5\nmin_number_label_digits = 16\n";
        assert!(RandomText::parse(&format!("rare_bigrams = 'qz xq'\n{rest}")).is_ok());
        assert!(RandomText::parse(&format!("rare_bigrams = 'qz qz'\n{rest}")).is_err(), "twice");
        assert!(RandomText::parse(&format!("rare_bigrams = 'QZ'\n{rest}")).is_err(), "upper case");
        assert!(RandomText::parse(&format!("rare_bigrams = 'qzx'\n{rest}")).is_err(), "three letters");
        assert!(RandomText::parse(&format!("rare_bigrams = ''\n{rest}")).is_err(), "empty");
        assert!(RandomText::parse(&format!("rare_bigrams = 'qz'\n{}", rest.replace("2\nmin_r", "6\nmin_r"))).is_err());
    }

    #[test]
    fn random_strings_are_told_from_names_and_words() {
        let rt = RandomText::builtin();
        for random in ["uhguqzqftkh", "xngkvlwwxyz", "TFGPWNRFIG", "fdxquzbferqr", "xHtFjdALEqNMlfk", "lrkCxNhN"] {
            assert!(rt.is_random(random), "{random}");
        }
        for word in [
            "herrmlm",
            "patchvonbraun",
            "stackprogramer",
            "subscriptions",
            "DoNotReply",
            "searchSecurity",
            "wojciech",
            "kowalczyk",
            "sciensfpgaeng",
            "newsletter",
            "qzx",
            "abc123xyzqq",
        ] {
            assert!(!rt.is_random(word), "{word}");
        }
    }

    #[test]
    fn mailboxes_with_capitals_where_no_word_starts_are_random() {
        let rt = RandomText::builtin();
        for random in ["aUZryvsT", "fWscatuD", "wNiKpOPIWK"] {
            assert!(rt.is_random_local_part(random), "{random}");
            // A subject's word is not judged by its capitals: products are named so (`iPhoneX`).
            assert!(!rt.is_random(random), "{random} as a word");
        }
        for person in [
            "DoNotReply",
            "GoToMeeting",
            "McDonald",
            "McKinleyDoNotReply",
            "iPhoneRepair",
            "JohnSmithD",
            "KevinODonoghue",
            "searchSecurity",
            "noReplyIT",
            "TomGardner",
            "newsletterSOP",
        ] {
            assert!(!rt.is_random_local_part(person), "{person}");
        }
        assert_eq!(rt.subject_token("New iPhoneX deals"), None);
    }

    #[test]
    fn local_parts_of_shuffled_letters_and_digits_are_random() {
        let rt = RandomText::builtin();
        for random in ["s9c6b60r91rb", "8n23y9t2ohb7", "uhguqzqftkh"] {
            assert!(rt.is_random_local_part(random), "{random}");
        }
        for person in [
            "mfrench42",
            "grlygrl201",
            "john1987smith",
            "s1234567",
            "ab12cd34",
            "jo.hn1a2b3c",
            "x1y2",
            "9f3a1c7e2b4d",
            "MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e",
        ] {
            assert!(!rt.is_random_local_part(person), "{person}");
        }
    }

    #[test]
    fn a_tag_of_random_capitals_beside_a_word_is_random() {
        let rt = RandomText::builtin();
        for tagged in ["info.RDPYWM", "customerservice.QMJWG", "return.NNYNWXF", "Bounce-TVXQLVEHUTRZYJ", "info_ESCPJJ"]
        {
            assert!(rt.is_random_local_part(tagged), "{tagged}");
        }
        for person in [
            "Johanna.PICHON",
            "jean.DUPONT",
            "jan.SCHMIDT",
            "john.SMYTH",
            "anna.KOWALCZYK",
            "sales.EMEA",
            "info.HTML",
            "RDPYWM.QMJWG",
            "info.rdpywm",
            "noreply-XK12WQ",
        ] {
            assert!(!rt.is_random_local_part(person), "{person}");
        }
    }

    #[test]
    fn domain_names_of_random_letters_or_shuffled_digits_are_random() {
        let rt = RandomText::builtin();
        for random in [
            "kijmxvjkm",
            "mcgkjhbc",
            "YxNVwVdgD",
            "4y5i06izgd",
            "n9hri5rq3r9s",
            "kh7g7gwe4",
            "d5m5rl7",
            "190817827092890281897",
        ] {
            assert!(rt.is_random_domain_label(random), "{random}");
        }
        for name in [
            "rwmfgconsulting",
            "zhishangmingzhan",
            "szczecin",
            "dkvgroup",
            "web2print4u",
            "b2b4you",
            "365datacenters",
            "sparkpostmail",
            "onmicrosoft",
            "em8837",
            "a2641185",
            "9f3a1c7e2b4d",
            "163",
            "0120333906",
            "442079460000",
            "20231103215822",
            "123456789012345",
        ] {
            assert!(!rt.is_random_domain_label(name), "{name}");
        }
    }

    #[test]
    fn subject_codes_are_found_outside_urls_and_names() {
        let rt = RandomText::builtin();
        assert_eq!(rt.subject_token("Liberação de IRPF - 6NwlyfzWcsNerv0"), Some("6NwlyfzWcsNerv0"));
        assert_eq!(rt.subject_token("pIsdlCthlCTXTgpZeWBu"), Some("pIsdlCthlCTXTgpZeWBu"));
        assert_eq!(rt.subject_token("Resgate Pendente-KyUc64SxDq"), Some("KyUc64SxDq"));
        for ordinary in [
            "Re: [USRP-users] PowerPoint slides for the GitHubActions talk",
            "Your order N0109180 has shipped (INC0012345)",
            "Watch https://youtu.be/dQw4w9WgXcQ now",
            "Report_xHtFjdALEqNMlfk.pdf attached",
            "commit 3f2a9b1c0d: fix LoRaWAN iPhone McDonald",
            "",
        ] {
            assert_eq!(rt.subject_token(ordinary), None, "{ordinary}");
        }
    }

    fn ids(from: &str) -> Vec<&'static str> {
        let raw = format!("From: {from}\r\nTo: me@example.jp\r\nSubject: hi\r\n\r\nbody\r\n");
        sorted_ids(&run(&raw, &[], |view, _, out| {
            if let Some(from) = &view.from {
                check(view, from, out);
            }
        }))
    }

    #[test]
    fn a_random_address_behind_a_name_is_flagged() {
        assert_eq!(ids("\"Chelsea Mccormick\" <uhguqzqftkh@schostok.com>"), ["sender.random_address"]);
        assert_eq!(ids("Health Freedom Watch. <lrkCxNhN@deck.socialja.example>"), ["sender.random_address"]);
        assert_eq!(ids("\"NueYue Care Team.\" <aUZryvsT@slave.socialou.example>"), ["sender.random_address"]);
        assert!(ids("\"Front Desk\" <McKinleyDoNotReply@school.example>").is_empty());
        // The person's own choices: pieces of the name, initials; no name to compare; another script.
        assert!(ids("\"Marcus D. Leech\" <patchvonbraun@gmail.com>").is_empty());
        assert!(ids("\"Zygmunt Grzybowski\" <zgrzybowskx@example.pl>").is_empty());
        assert!(ids("\"Michael J Humphries\" <adminmjhqx@example.com>").is_empty());
        assert!(ids("<uhguqzqftkh@schostok.com>").is_empty());
        assert!(ids("=?UTF-8?B?5bGx55Sw5aSq6YOO?= <uhguqzqftkh@schostok.com>").is_empty());
        assert!(ids("\"Ann Lee\" <uhguq.zqftkh@schostok.com>").is_empty(), "letters only");
        assert_eq!(ids("\"Verzendingsupdate\" <info.RDPYWM@adaway.example>"), ["sender.random_address"]);
        assert!(ids("\"Jean Dupont\" <jean.DUPONT@example.fr>").is_empty());
    }

    #[test]
    fn a_random_name_in_the_senders_domain_is_flagged() {
        assert_eq!(ids("GetYourCard <offers@kijmxvjkm.shankscape.example>"), ["sender.random_domain"]);
        assert_eq!(ids("Facebook <news@1qt031eo77.com>"), ["sender.random_domain"]);
        assert_eq!(ids("<support@service.kh7g7gwe4.com>"), ["sender.random_domain"], "with no name too");
        // A throwaway mailbox on a throwaway domain: both are named.
        assert_eq!(
            ids("\"Chelsea Mccormick\" <uhguqzqftkh@mcgkjhbc.cn>"),
            ["sender.random_address", "sender.random_domain"]
        );
        assert!(ids("RWM FG Consulting <accounts@rwmfgconsulting.de>").is_empty());
        assert!(ids("Print shop <hello@web2print4u.de>").is_empty());
        assert!(ids("<news@xn--bcher-kva.example>").is_empty(), "punycode holds a hyphen");
        assert!(ids("<news@qzxkjhgf>").is_empty(), "a top-level name alone is not judged");
        assert_eq!(
            ids("\"ATM010360\" <no_reply-notifica659@190817827092890281897.correio.example>"),
            ["sender.random_domain"]
        );
    }

    #[test]
    fn a_random_bounce_address_behind_another_sender_is_flagged() {
        let ids = |headers: &str| {
            let raw = format!("{headers}To: me@example.jp\r\nSubject: hi\r\n\r\nbody\r\n");
            sorted_ids(&run(&raw, &[], |view, _, out| {
                if let Some(from) = &view.from {
                    check(view, from, out);
                }
            }))
        };
        let from = "From: \"Miracle Sheets\" <news@sheets.example.com>\r\n";
        assert_eq!(
            ids(&format!("Return-Path: <yzz3y8whwqx7@deck.example.com>\r\n{from}")),
            ["sender.random_return_path"]
        );
        assert!(ids(&format!("Return-Path: <bounce-1234-me=example.jp@mail.example.com>\r\n{from}")).is_empty());
        assert!(ids(&format!("Return-Path: <news@sheets.example.com>\r\n{from}")).is_empty());
        // A structured bounce address on a machine-made domain is a throwaway all the same.
        assert_eq!(
            ids(&format!("Return-Path: <returnJSla9d5@MDnk118dD.9F2gfSzW6PC2ePd1sl7Z.com>\r\n{from}")),
            ["sender.random_return_path"]
        );
        assert_eq!(
            ids(&format!("Return-Path: <root@qvntplfr.nlhvodpy.com.br>\r\n{from}")),
            ["sender.random_return_path"]
        );
        // A mailing service's own bounce domains may be machine-made.
        let salesforce =
            "Return-Path: <support=example.com__4bomkxek0l@3x3zu9ivl8zesmai.jml72.usa788.bnc.salesforce.com>";
        assert!(ids(&format!("{salesforce}\r\n{from}")).is_empty());
        // One finding for one throwaway mailbox written in both places.
        let both =
            "Return-Path: <uhguqzqftkh@schostok.com>\r\nFrom: \"Chelsea Mccormick\" <uhguqzqftkh@schostok.com>\r\n";
        assert_eq!(ids(both), ["sender.random_address"]);
    }

    #[test]
    fn hostile_subjects_stay_linear() {
        let rt = RandomText::builtin();
        for subject in ["a".repeat(1_000_000), "aB1/".repeat(250_000), "é".repeat(500_000)] {
            assert_eq!(rt.subject_token(&subject), None);
        }
    }
}
