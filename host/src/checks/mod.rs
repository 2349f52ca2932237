//! One checker per concern. A checker is a function from the parsed view (+ knowledge) to findings;
//! checkers never see each other's output, only the shared view.

use crate::knowledge::Knowledge;
use crate::message::MessageView;
use crate::model::Finding;

pub mod attachments;
pub mod auth;
pub mod content;
pub mod forwarded;
pub mod html;
pub mod links;
mod near;
pub mod received;
pub mod sender;
pub mod server;

/// The knowledge tables live as long as the process, so the view can keep what a checker worked out
/// from them (`MessageView::sender_claims`).
type Checker = fn(&MessageView, &'static Knowledge, &mut Vec<Finding>);

const CHECKERS: [(&str, Checker); 7] = [
    ("sender", sender::check),
    ("received", received::check),
    ("auth", auth::check),
    ("links", links::check),
    ("content", content::check),
    ("attachments", attachments::check),
    ("server", server::check),
];

/// Runs every checker over the view, until the view's time budget is spent; returns the findings and
/// the names of the checkers skipped or cut short for lack of time (a checker's long loops stop
/// when the budget is spent, so one that ends out of time may not have finished).
pub fn run_all(view: &MessageView, kb: &'static Knowledge) -> (Vec<Finding>, Vec<&'static str>) {
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for (name, check) in CHECKERS {
        if !view.out_of_time() {
            check(view, kb, &mut out);
        }
        if view.out_of_time() {
            skipped.push(name);
        }
    }
    (out, skipped)
}

/// What the checkers' unit tests share: run one checker over a raw message, list its ids.
#[cfg(test)]
pub(crate) mod test_support {
    use super::*;
    use crate::model::Context;

    /// Runs `check` over `raw` (parsed and viewed as `analyze` does), for a user with `identities`.
    pub fn run(raw: &str, identities: &[&str], check: Checker) -> Vec<Finding> {
        let parsed = mail_parser::MessageParser::new().parse(raw.as_bytes()).expect("test message parses");
        let ctx = Context {
            identities: identities.iter().map(|s| s.to_string()).collect(),
            locale: None,
            ..Context::default()
        };
        let view = MessageView::build(&parsed, false, &ctx, &crate::Limits::default());
        let mut out = Vec::new();
        check(&view, Knowledge::builtin(), &mut out);
        out
    }

    /// The findings' ids, sorted, for comparing sets.
    pub fn sorted_ids(found: &[Finding]) -> Vec<&'static str> {
        let mut ids: Vec<_> = found.iter().map(|f| f.id).collect();
        ids.sort();
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Context;

    #[test]
    fn checkers_stop_their_loops_over_the_message_when_the_budget_is_spent() {
        let raw = "From: a@example.com\r\nSubject: hello\r\nMIME-Version: 1.0\r\n\
            Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/html\r\n\r\n\
            <a href=\"http://192.0.2.1/login\">log in</a><form action=\"http://192.0.2.1/p\">\
            <input type=\"password\" name=\"pass\"></form>\r\n--b\r\nContent-Type: application/octet-stream\r\n\
            Content-Disposition: attachment; filename=\"invoice.exe\"\r\n\r\nMZ\r\n--b--\r\n";
        let parsed = mail_parser::MessageParser::new().parse(raw.as_bytes()).expect("test message parses");
        let mut view = MessageView::build(&parsed, false, &Context::default(), &crate::Limits::default());
        let ids = |view: &MessageView, check: Checker| {
            let mut out = Vec::new();
            check(view, Knowledge::builtin(), &mut out);
            test_support::sorted_ids(&out)
        };
        assert!(ids(&view, links::check).contains(&"links.ip_host"));
        assert!(ids(&view, content::check).contains(&"content.html_form"));
        assert!(!ids(&view, attachments::check).is_empty());
        view.deadline = std::time::Instant::now();
        assert!(!ids(&view, links::check).contains(&"links.ip_host"));
        assert!(!ids(&view, content::check).contains(&"content.html_form"));
        assert!(ids(&view, attachments::check).is_empty());
    }
}

/// How the built-in scoring judges what separate checkers found together: the combinations of
/// data/scoring.toml shown as findings of their own.
#[cfg(test)]
mod combination_tests {
    use crate::model::{Finding, Lang, Level};
    use crate::rules::Rules;

    /// The ids shown for a set of findings (combinations included) and the level they reach.
    fn judged(ids: &[&'static str]) -> (Vec<String>, Level) {
        let rules = Rules::builtin();
        let findings: Vec<Finding> = ids.iter().map(|id| Finding::new(id)).collect();
        let (_, level) = rules.score(&findings);
        (rules.render(findings, Lang::En).into_iter().map(|f| f.id).collect(), level)
    }

    /// Each set of ids neither shows `finding` nor reaches `dangerous`.
    fn assert_innocent(sets: &[&[&'static str]], finding: &str) {
        for ids in sets {
            let (shown, level) = judged(ids);
            assert!(!shown.iter().any(|id| id == finding), "{ids:?}");
            assert_ne!(level, Level::Dangerous, "{ids:?}");
        }
    }

    #[test]
    fn an_untraceable_sender_whose_links_hide_where_they_lead_is_deception() {
        let (shown, level) = judged(&["sender.random_address", "auth.from_unverified", "links.shortener"]);
        assert!(shown.iter().any(|id| id == "content.masked_mailing"), "{shown:?}");
        assert_eq!(level, Level::Dangerous);
        // A list's Reply-To or a home connection hides nobody; hidden links alone hide no sender.
        let innocent: [&[&'static str]; 3] = [
            &["sender.reply_to_mismatch", "links.shortener"],
            &["received.origin_home_connection", "links.free_hosting"],
            &["links.shortener", "links.abused_tld"],
        ];
        assert_innocent(&innocent, "content.masked_mailing");
    }

    #[test]
    fn an_account_notice_from_someone_who_hides_is_deception() {
        let (shown, level) = judged(&["content.lure_quota", "auth.from_unverified"]);
        assert!(shown.iter().any(|id| id == "content.untraceable_account_notice"), "{shown:?}");
        assert_eq!(level, Level::Suspicious);
        let (shown, level) = judged(&["content.lure_verify", "content.lure_account_suspended", "links.ip_host"]);
        assert!(shown.iter().any(|id| id == "content.untraceable_account_notice"), "{shown:?}");
        assert_eq!(level, Level::Dangerous);
        // From a free mailbox, with a list's Reply-To, or from an app's own platform subdomain (Firebase
        // sign-up mails), the same words are someone's own business.
        for hider in ["sender.free_mailbox", "sender.reply_to_mismatch", "sender.platform_subdomain"] {
            let (shown, level) = judged(&["content.lure_verify", "content.lure_account_suspended", hider]);
            assert!(!shown.iter().any(|id| id == "content.untraceable_account_notice"), "{hider}");
            assert_ne!(level, Level::Dangerous, "{hider}");
        }
    }

    #[test]
    fn a_brand_address_forged_on_an_account_notice_is_dangerous_on_another_lure_it_is_not() {
        let (_, level) = judged(&["received.origin_not_brand", "content.lure_verify"]);
        assert_eq!(level, Level::Dangerous);
        // A forged brand address with a prize or a parcel story is a claim, not yet an account notice.
        for lure in ["content.lure_prize", "content.lure_delivery"] {
            let (_, level) = judged(&["received.origin_not_brand", lure]);
            assert_ne!(level, Level::Dangerous, "{lure}");
        }
    }

    #[test]
    fn a_prize_in_a_brands_name_from_a_mailing_nobody_answers_for_is_deception() {
        // "How will you spend your FREE $500 at eBay" under an ad network's footer: 31 points of wording.
        let bait = ["sender.subject_names_brand", "content.lure_prize", "content.bulk_footer"];
        let (shown, level) = judged(&bait);
        assert!(shown.iter().any(|id| id == "sender.brand_bait_offer"), "{shown:?}");
        assert_eq!(level, Level::Dangerous);
        let (shown, _) = judged(&["sender.subject_names_brand", "content.lure_crypto", "links.text_mismatch"]);
        assert!(shown.iter().any(|id| id == "sender.brand_bait_offer"), "{shown:?}");
        // A shop's own raffle of a brand's gift card signs with its own site; the same mailing without a
        // brand in the subject is an affiliate sweepstake, which stays suspicious.
        let innocent: [&[&'static str]; 3] = [
            &["sender.subject_names_brand", "content.lure_prize"],
            &["sender.subject_names_brand", "content.bulk_footer"],
            &["content.lure_prize", "content.bulk_footer"],
        ];
        assert_innocent(&innocent, "sender.brand_bait_offer");
    }

    #[test]
    fn a_picture_linking_away_from_a_sender_who_hides_is_deception() {
        let picture = ["content.image_only", "content.picture_elsewhere"];
        for mask in ["sender.random_address", "links.shortener", "received.origin_home_connection"] {
            let (shown, _) = judged(&[picture[0], picture[1], mask]);
            assert!(shown.iter().any(|id| id == "content.masked_picture"), "{mask}");
        }
        let (_, level) = judged(&[picture[0], picture[1], "sender.random_address"]);
        assert_eq!(level, Level::Dangerous);
        // A picture linking elsewhere from a sender who signs for it, or a sender who hides whose
        // picture links to its own site, is no mask; an ad network's footer is wording like the picture.
        let innocent: [&[&'static str]; 3] = [
            &picture,
            &["content.image_only", "sender.random_address"],
            &["content.image_only", "content.picture_elsewhere", "content.bulk_footer"],
        ];
        assert_innocent(&innocent, "content.masked_picture");
    }

    #[test]
    fn filler_hidden_from_the_reader_beside_a_link_made_for_them_is_deception() {
        for filler in ["content.offscreen_text", "content.hidden_text"] {
            let (shown, level) = judged(&[filler, "links.recipient_in_url"]);
            assert!(shown.iter().any(|id| id == "content.filler_targeted_link"), "{filler}");
            assert!(level >= Level::Suspicious, "{filler}");
        }
        let (_, level) = judged(&["content.offscreen_text", "links.recipient_in_url"]);
        assert_eq!(level, Level::Dangerous);
        // Either alone, or other disguised text beside a personal link (a picture newsletter).
        let innocent: [&[&'static str]; 3] = [
            &["content.offscreen_text"],
            &["links.recipient_in_url"],
            &["content.image_only", "links.recipient_in_url"],
        ];
        assert_innocent(&innocent, "content.filler_targeted_link");
    }

    #[test]
    fn a_program_attached_to_a_lure_is_malware_delivery() {
        let (shown, level) = judged(&["attachments.executable", "content.lure_payment"]);
        assert!(shown.iter().any(|id| id == "attachments.program_with_lure"));
        assert_eq!(level, Level::Dangerous);
        // A program alone (a colleague's tool, a shortcut file), or a lure with a document attached.
        let innocent: [&[&'static str]; 2] =
            [&["attachments.executable"], &["attachments.html_links", "content.lure_payment"]];
        assert_innocent(&innocent, "attachments.program_with_lure");
    }

    #[test]
    fn a_legal_or_billing_threat_from_a_sender_nobody_can_trace_is_deception() {
        for threat in ["content.lure_legal_threat", "content.lure_government_notice", "content.lure_tech_support"] {
            let (shown, level) = judged(&[threat, "auth.from_unverified"]);
            assert!(shown.iter().any(|id| id == "content.untraceable_threat_notice"), "{threat}");
            assert_eq!(level, Level::Dangerous, "{threat}");
        }
        // People write about lawsuits and viruses from their own mailbox and home connection.
        for sender in ["sender.free_mailbox", "received.origin_home_connection", "sender.reply_to_mismatch"] {
            let (shown, level) = judged(&["content.lure_legal_threat", "content.lure_tech_support", sender]);
            assert!(!shown.iter().any(|id| id == "content.untraceable_threat_notice"), "{sender}");
            assert_ne!(level, Level::Dangerous, "{sender}");
        }
    }
}
