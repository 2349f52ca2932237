//! Where a message's links lead, judged against what its words are. An account notice ("your mailbox
//! is full", "confirm your identity", "your account will be suspended") can only come from the
//! service that holds the account, and it sends the reader to that service's own site to sign in:
//! one whose links all lead to a single other site than the sender's (`support@vbankworks.com`
//! linking to `infovallaybank.com`) shows one site and sends the reader to another. An offer of
//! coins or a casino bonus that never links the sender's own site has a front for a sender. A
//! message that is only a picture linking to a site unrelated to its sender is mass mail hiding its
//! words.

use crate::checks::links::{self, Link, LinkSource};
use crate::checks::sender;
use crate::domain;
use crate::knowledge::Knowledge;
use crate::message::{Addr, MessageView};
use crate::model::Finding;

/// What the message's words are, for judging where its links lead.
pub(super) struct Told {
    /// A notice about the reader's account (see `data/lures.toml` `account_notice`).
    pub account_notice: bool,
    /// The HTML is a picture with a link and next to no words (`content.image_only`).
    pub picture: bool,
    /// Coins or a casino bonus (see `data/lures.toml` `offer_elsewhere`).
    pub easy_money: bool,
}

/// Where the links of an account notice or of a picture lead, when that is one site other than the
/// sender's: `links.notice_elsewhere` for the notice (deception: it names one site and sends the
/// reader to another), `content.picture_elsewhere` for the picture (mass mail that hides its words
/// from filters and advertises someone other than its sender).
pub(super) fn check(view: &MessageView, kb: &'static Knowledge, told: Told, out: &mut Vec<Finding>) {
    if !(told.account_notice || told.picture || told.easy_money) {
        return;
    }
    // Coins or a casino bonus need no single destination: a drainer's mail scatters its links over
    // borrowed sites and decoys. Never linking the sender's own site is enough there.
    let scattered = told.easy_money && !(told.account_notice || told.picture);
    let Some((from, link, site)) = outside_site(view, kb, scattered) else { return };
    let from_site = from.registrable.as_deref().unwrap_or_default();
    let url = super::visible(&links::shown_url(&link.url));
    // Both findings show the same evidence: who sent it and where its links lead.
    let finding = |id: &'static str| {
        Finding::new(id)
            .arg("sender", from_site)
            .arg("host", link.host.clone().unwrap_or_default())
            .evidence("From", from.address.clone())
            .evidence("URL", url.clone())
            .evidence("Registrable domain", site)
    };
    // A message presenting itself as a known brand is `links.off_brand`'s to judge; one link, one finding.
    let unbranded = sender::presented_brands(view, kb).is_empty();
    if told.account_notice && unbranded {
        out.push(finding("links.notice_elsewhere"));
    } else if told.easy_money && unbranded {
        out.push(finding("links.offer_elsewhere"));
    }
    if told.picture {
        out.push(finding("content.picture_elsewhere"));
    }
}

/// The one site every link the reader can follow (images aside) leads to, when that is not the
/// sender's site (nor the sender's name under another ending), with the From address and the first
/// such link; with `scattered`, the first of any number of such sites, as long as no link leads to
/// the sender's own. Links to known brands' sites (a privacy page, an app store), to mail services' click
/// trackers and to mail-security wrappers say nothing about where the message sends the reader and
/// are passed over. Not judged: a free mailbox (people link anywhere) and a From without a
/// registrable domain.
fn outside_site<'v>(view: &'v MessageView, kb: &Knowledge, scattered: bool) -> Option<(&'v Addr, &'v Link, &'v str)> {
    let from = view.from.as_ref()?;
    let from_site = from.registrable.as_deref()?;
    if from.domain.as_deref().is_some_and(|d| sender::is_free_mailbox(kb, d)) {
        return None;
    }
    let mut elsewhere: Option<(&Link, &str)> = None;
    for link in &view.links {
        if link.source == LinkSource::Src || link.parsed.is_none() {
            continue;
        }
        let Some(host) = link.host_ascii.as_deref() else { continue };
        // A bare IP number is a site of its own.
        let site = link.registrable.as_deref().unwrap_or(host);
        if site == from_site || kb.is_same_site_on_sibling_hosts(site, from_site) || same_name(site, from_site) {
            return None;
        }
        if kb.brand_of_domain(site).is_some()
            || kb.is_click_tracker(host)
            || kb.is_mail_service(host)
            || kb.is_link_protection(host)
        {
            continue;
        }
        match elsewhere {
            None => elsewhere = Some((link, site)),
            Some((_, first)) if first == site || scattered => {}
            Some(_) => return None,
        }
    }
    elsewhere.map(|(link, site)| (from, link, site))
}

/// Whether two registrable domains carry one name under two endings (`notion.so` and `notion.com`):
/// a company that writes from one and links to the other links to itself. A name with words added
/// (`valleybank-secure.com` beside `valleybank.com`) is how look-alikes are made, and does not count.
/// Both are lower-case, as registrable domains and link hosts are.
fn same_name(site: &str, other: &str) -> bool {
    domain::first_label(site) == domain::first_label(other)
}

#[cfg(test)]
mod tests {
    use crate::checks::content::{Lures, check};
    use crate::checks::test_support::{run, sorted_ids};

    fn notice(from: &str, html: &str) -> Vec<&'static str> {
        let raw = format!(
            "From: {from}\r\nTo: user@example.org\r\nSubject: Account notice\r\nMIME-Version: 1.0\r\n\
             Content-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n"
        );
        sorted_ids(&run(&raw, &[], check))
    }

    const LOCKED: &str = "<p>Dear customer, unusual activity was seen. Please verify your account or it will \
                          be suspended.</p>";

    #[test]
    fn an_account_notice_linking_to_one_other_site_is_flagged() {
        let html = format!(
            "{LOCKED}<img src=\"https://www.valleybank-example.com/logo.gif\">\
             <a href=\"http://infovallaybank-example.net/valley/\">Verify now</a>\
             <a href=\"http://www.infovallaybank-example.net/help\">Help</a>"
        );
        let ids = notice("Valley Bank <support@valleybank-example.com>", &html);
        assert!(ids.contains(&"links.notice_elsewhere"), "{ids:?}");
    }

    #[test]
    fn coins_or_a_casino_bonus_linking_to_one_other_site_is_an_offer_elsewhere() {
        let earned = "<p>You have earned +0.303472 BTC using our cloud mining service! Withdraw your funds.</p>";
        let elsewhere = format!("{earned}<a href=\"https://partners-btc-go.example.net/go/74\">Withdraw</a>");
        let ids = notice("Diana Soto <dsoto@seguros-example.com>", &elsewhere);
        assert!(ids.contains(&"links.offer_elsewhere") && !ids.contains(&"links.notice_elsewhere"), "{ids:?}");
        // The exchange's own site, or a person writing from a free mailbox: no front.
        let own = format!("{earned}<a href=\"https://www.seguros-example.com/wallet\">Withdraw</a>");
        for (from, html) in [("Seguros <news@seguros-example.com>", own), ("Diana <diana.soto@gmail.com>", elsewhere)] {
            let ids = notice(from, &html);
            assert!(!ids.contains(&"links.offer_elsewhere"), "{from}: {ids:?}");
        }
    }

    #[test]
    fn coins_offered_over_several_other_sites_are_an_offer_elsewhere_unless_one_is_the_senders() {
        let airdrop = "<p>Memecoin ($MEME) airdrop is live: claim your tokens now.</p>\
                       <a href=\"https://media-example.rs/wp-include\">CLAIM NOW</a>\
                       <a href=\"https://study-example.com/lesson\">Earth's atmosphere</a>";
        let ids = notice("MemeCoin <alma@scopy-example.hu>", airdrop);
        assert!(ids.contains(&"links.offer_elsewhere"), "{ids:?}");
        let with_own = format!("{airdrop}<a href=\"https://www.scopy-example.hu/unsubscribe\">Unsubscribe</a>");
        let ids = notice("MemeCoin <alma@scopy-example.hu>", &with_own);
        assert!(!ids.contains(&"links.offer_elsewhere"), "{ids:?}");
    }

    #[test]
    fn a_notice_linking_to_the_senders_own_site_or_to_several_sites_is_not() {
        let own = format!(
            "{LOCKED}<a href=\"https://valleybank-example.com/verify\">Verify</a>\
             <a href=\"https://help-example.org/\">Help</a>"
        );
        let several =
            format!("{LOCKED}<a href=\"https://one-example.net/\">One</a><a href=\"https://two-example.net/\">Two</a>");
        for html in [own, several] {
            let ids = notice("Valley Bank <support@valleybank-example.com>", &html);
            assert!(!ids.contains(&"links.notice_elsewhere"), "{html}: {ids:?}");
        }
    }

    #[test]
    fn a_notice_linking_to_the_senders_name_under_another_ending_is_its_own() {
        let html = format!("{LOCKED}<a href=\"https://app.valleybank-example.net/verify\">Verify</a>");
        let ids = notice("Valley Bank <support@valleybank-example.com>", &html);
        assert!(!ids.contains(&"links.notice_elsewhere"), "{ids:?}");
        assert!(super::same_name("acme.com", "acme.io") && !super::same_name("acme-secure.com", "acme.com"));
    }

    #[test]
    fn trackers_brands_free_mailboxes_and_other_wording_are_passed_over() {
        // A click tracker and a known brand's page are not where the notice sends the reader.
        let tracked = format!(
            "{LOCKED}<a href=\"https://x.list-manage.com/track/click?u=1\">Verify</a>\
             <a href=\"https://www.microsoft.com/privacy\">Privacy</a>"
        );
        assert!(!notice("Valley Bank <support@valleybank-example.com>", &tracked).contains(&"links.notice_elsewhere"));
        // People write from free mailboxes and link anywhere.
        let elsewhere = format!("{LOCKED}<a href=\"http://infovallaybank-example.net/\">Verify</a>");
        assert!(!notice("Bob <bob@gmail.com>", &elsewhere).contains(&"links.notice_elsewhere"));
        // A newsletter linking elsewhere tells no account notice.
        let news = "<p>Our spring catalogue is out.</p><a href=\"http://shop-example.net/\">Browse</a>";
        assert!(!notice("News <news@valleybank-example.com>", news).contains(&"links.notice_elsewhere"));
    }

    #[test]
    fn a_picture_linking_to_one_other_site_is_flagged_one_linking_home_is_not() {
        let picture = |href: &str| format!("<a href=\"{href}\"><img src=\"https://cdn-example.net/offer.gif\"></a>");
        let ids =
            notice("Jane Doe <jdoe@plastics-example.com>", &picture("http://sale.bubxyx-example.info/in.php?aid=1"));
        assert!(ids.contains(&"content.image_only") && ids.contains(&"content.picture_elsewhere"), "{ids:?}");
        assert!(!ids.contains(&"links.notice_elsewhere"), "a picture tells no account notice: {ids:?}");
        // A shop's banner newsletter links to the shop, or through its mailing service's tracker.
        for home in ["https://www.plastics-example.com/spring", "https://x.list-manage.com/track/click?u=1"] {
            let ids = notice("Shop <news@plastics-example.com>", &picture(home));
            assert!(ids.contains(&"content.image_only") && !ids.contains(&"content.picture_elsewhere"), "{ids:?}");
        }
    }

    #[test]
    fn the_account_notice_lures_are_the_scoring_account_lure_group() {
        let lures = Lures::builtin();
        let mut notice: Vec<&str> = lures.account_lures.iter().map(|&i| lures.lure_ids()[i]).collect();
        let scoring: toml::Value = toml::from_str(include_str!("../../../data/scoring.toml")).unwrap();
        let group = &scoring["group"]["account_lure"];
        let mut account: Vec<&str> = group.as_array().unwrap().iter().filter_map(toml::Value::as_str).collect();
        notice.sort_unstable();
        account.sort_unstable();
        assert_eq!(notice, account);
    }
}
