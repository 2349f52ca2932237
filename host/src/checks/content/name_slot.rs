//! A web address where a service puts a name (`content.form_injection`). Sign-up, contact and
//! document-signing forms mail the address typed into them, greeting the "user" by the name typed
//! too; spammers type their pitch and link into the name field, so a genuine service's mail, signed by
//! it, carries a stranger's advert: "Hi www.x.blogspot.com - 1.330 BTC", "Username: http://…", a
//! recipient named "… withdraw your funds: transfer.pages.dev/…". No person's name holds a web address.

use crate::domain;
use crate::model::Finding;

/// Longest name slot value shown as evidence.
const MAX_SHOWN_CHARS: usize = 120;

/// Where the web address stood.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Slot {
    RecipientName,
    Greeting,
}

impl Slot {
    fn label(self) -> &'static str {
        match self {
            Slot::RecipientName => "Recipient's name",
            Slot::Greeting => "Body",
        }
    }
}

/// The finding for a web address found in `slot`, with the text it stood in.
pub(super) fn finding(slot: Slot, address: &str, context: &str) -> Finding {
    let shown: String = context.chars().take(MAX_SHOWN_CHARS).collect();
    Finding::new("content.form_injection")
        .arg("address", super::visible(address))
        .evidence(slot.label(), super::visible(&shown))
        .evidence("URL", super::visible(address))
}

/// The start of a written web address ("http://", "https://", "www.") at `i` of lower-case `text`.
fn starts_web_address(text: &str, i: usize) -> bool {
    let rest = text.get(i..).unwrap_or_default();
    rest.starts_with("http://") || rest.starts_with("https://") || rest.starts_with("www.")
}

/// The address written from `start`: up to the next space.
fn address_at(text: &str, start: usize) -> &str {
    let rest = text.get(start..).unwrap_or_default();
    rest.split(char::is_whitespace).next().unwrap_or_default()
}

/// A host with a path written without a scheme ("transfer705.pages.dev/evas"): a dotted name whose
/// last label is letters, as a domain's is, right before a slash.
fn host_with_path(token: &str) -> bool {
    // A name split at a colon ("… https": "//ok.me/x") keeps the slashes in front of the host.
    let token = token.trim_start_matches(|c: char| !c.is_ascii_alphanumeric());
    let Some((host, _)) = token.split_once('/') else { return false };
    let Some((_, tld)) = host.rsplit_once('.') else { return false };
    tld.len() >= 2
        && tld.bytes().all(|b| b.is_ascii_alphabetic())
        && host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        && domain::registrable(host).is_some()
}

/// A web address in a recipient's display name, if one is written there.
pub(super) fn in_display_name(name: &str) -> Option<String> {
    // Every web address has a slash or starts "www.": most names have neither and are not read further.
    let bytes = name.as_bytes();
    if !bytes.contains(&b'/') && !bytes.windows(4).any(|w| w.eq_ignore_ascii_case(b"www.")) {
        return None;
    }
    let lower = name.to_lowercase();
    // Names that are an e-mail address ("bob@example.com" <bob@example.com>) are not web addresses.
    lower.split_whitespace().filter(|token| !token.contains('@')).find_map(|token| {
        let scheme = token.find("http://").or_else(|| token.find("https://")).or_else(|| token.find("www."));
        match scheme {
            Some(at) => Some(token[at..].to_string()),
            None => host_with_path(token).then(|| token.trim_start_matches('/').to_string()),
        }
    })
}

/// A web address written right after a greeting word or a name label (`words`, folded, whole words)
/// in the folded start of a body: "hi www.…", "username: http…". Returns the address.
pub(super) fn after_greeting<'t>(head: &'t str, words: &[String]) -> Option<&'t str> {
    let separator = |c: char| c.is_whitespace() || matches!(c, ',' | ':' | ';' | '-' | '!' | '、');
    let starts = head.match_indices("http").chain(head.match_indices("www.")).map(|(i, _)| i);
    starts.filter(|&i| starts_web_address(head, i)).find_map(|start| {
        let before = head.get(..start)?.trim_end_matches(separator);
        let greeted = words.iter().any(|word| {
            before
                .strip_suffix(word.as_str())
                .is_some_and(|rest| !rest.chars().next_back().is_some_and(char::is_alphanumeric))
        });
        greeted.then(|| address_at(head, start))
    })
}

/// The scam offer in `folded` text typed beside an injected address: a sum with its currency or coin
/// (`180 861 usd`, `1.330 btc`, `$3,300`), or one of `words` as a whole word.
pub(super) fn offer_in(folded: &str, words: &[String]) -> Option<String> {
    if let Some(sum) = super::callback::amount(folded) {
        return Some(sum.to_string());
    }
    let bytes = folded.as_bytes();
    words.iter().find_map(|word| {
        folded.match_indices(word.as_str()).find_map(|(i, _)| {
            let before_ok = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
            let after_ok = bytes.get(i + word.len()).is_none_or(|b| !b.is_ascii_alphanumeric());
            (before_ok && after_ok).then(|| word.clone())
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words() -> Vec<String> {
        ["hi", "hello", "username", "first name"].iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn a_sum_or_an_offer_word_beside_the_address_is_an_offer() {
        let words: Vec<String> =
            ["btc", "binance", "transaction", "free spins"].iter().map(|w| w.to_string()).collect();
        assert_eq!(
            offer_in("username: www.gsgvsa.blogspot.ch - 1.330 btc binance to set", &words).as_deref(),
            Some("1.330 btc")
        );
        assert_eq!(
            offer_in("hi www.igfyrj.blogspot.cl - 180 861 usd binance, thanks", &words).as_deref(),
            Some("180 861 usd")
        );
        assert_eq!(
            offer_in("hello. you have a new incoming transaction. transfer705.pages.dev/e", &words).as_deref(),
            Some("transaction")
        );
        assert_eq!(offer_in("hi www.x.example 50 free spins", &words).as_deref(), Some("free spins"));
        // Words inside other words, and a bare address, are no offer.
        assert_eq!(offer_in("hi www.btcexample.com, thanks for registering", &words), None);
        assert_eq!(offer_in("hi https://portfolio.example/jane, welcome", &words), None);
    }

    #[test]
    fn a_web_address_right_after_a_greeting_or_a_name_label_is_found() {
        let words = words();
        assert_eq!(
            after_greeting("welcome! hi www.igfyrj.blogspot.cl - 180 861 usd", &words),
            Some("www.igfyrj.blogspot.cl")
        );
        assert_eq!(after_greeting("username: http://x.example/a - 1.3 btc", &words), Some("http://x.example/a"));
        assert_eq!(after_greeting("hello, https://ok.me/3bxn1", &words), Some("https://ok.me/3bxn1"));
        // A link later in the text, or after another word, is what mail is made of.
        assert_eq!(after_greeting("hi bob, see www.example.com for the slides", &words), None);
        assert_eq!(after_greeting("login: http://www.jobfair24.de/cgi-bin/login", &words), None);
        assert_eq!(after_greeting("this http://x.example", &words), None);
        // A word ending in a greeting word is not one.
        assert_eq!(after_greeting("sushi www.sushi.example", &words), None);
        assert_eq!(after_greeting("hi wwwx", &words), None);
    }

    #[test]
    fn a_web_address_in_a_recipients_name_is_found_with_or_without_a_scheme() {
        assert_eq!(
            in_display_name("Hello. Withdraw your funds ---❗ transfer705.pages.dev/evas-dparun inob"),
            Some("transfer705.pages.dev/evas-dparun".into())
        );
        assert_eq!(
            in_display_name("✅Personal invitation | Open ➡️ https://ok.me/3BxN1"),
            Some("https://ok.me/3bxn1".into())
        );
        assert_eq!(in_display_name("Visit WWW.Example.com"), Some("www.example.com".into()));
        assert_eq!(in_display_name("//ok.me/3BxN1 ⬅️❗️"), Some("ok.me/3bxn1".into()));
        for name in
            ["Taro Yamada", "bob@example.com", "Sales / Marketing", "Dept./Finance", "R&D v1.2/beta", "A/B test"]
        {
            assert_eq!(in_display_name(name), None, "{name}");
        }
    }

    #[test]
    fn hostile_names_and_heads_are_read_in_one_pass() {
        let long = "hi ".repeat(50_000) + &"www.".repeat(50_000);
        assert!(after_greeting(&long, &words()).is_some());
        assert_eq!(in_display_name(&"a.b/".repeat(100_000)), None);
        assert!(in_display_name(&("x ".repeat(100_000) + "x.pages.dev/a")).is_some());
    }
}
