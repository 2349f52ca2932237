//! An account notice ("your mailbox is full", "confirm your identity", "your account will be
//! suspended") can only come from the service that holds the account, and it sends the reader to
//! that service's own site to sign in. One whose links all lead to a single other site than the
//! sender's (`support@vbankworks.com` linking to `infovallaybank.com`) shows one site and sends the
//! reader to another.

use crate::checks::links::{Link, LinkSource};
use crate::checks::sender;
use crate::knowledge::Knowledge;
use crate::message::MessageView;
use crate::model::Finding;

/// `links.notice_elsewhere` for a message that tells an account notice: every link the reader can
/// follow (images aside) leads to one site, and that site is not the sender's. Links to known brands'
/// sites (a privacy page, an app store), to mail services' click trackers and to mail-security
/// wrappers say nothing about where the notice sends the reader and are passed over. Not judged: a
/// free mailbox (people link anywhere), and a message presenting itself as a known brand, which
/// `links.off_brand` judges against the brand's own sites.
pub(super) fn notice_elsewhere(view: &MessageView, kb: &'static Knowledge) -> Option<Finding> {
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
        if site == from_site || kb.is_same_site_on_sibling_hosts(site, from_site) {
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
            Some((_, first)) if first == site => {}
            Some(_) => return None,
        }
    }
    let (link, site) = elsewhere?;
    if !sender::presented_brands(view, kb).is_empty() {
        return None;
    }
    Some(
        Finding::new("links.notice_elsewhere")
            .arg("sender", from_site)
            .arg("host", link.host.clone().unwrap_or_default())
            .evidence("From", from.address.clone())
            .evidence("URL", super::visible(&shown(&link.url)))
            .evidence("Registrable domain", site),
    )
}

/// Longest URL shown in evidence; tracking URLs run to kilobytes.
const MAX_SHOWN_URL_CHARS: usize = 300;

fn shown(url: &str) -> String {
    match url.char_indices().nth(MAX_SHOWN_URL_CHARS) {
        Some((cut, _)) => format!("{}…", &url[..cut]),
        None => url.to_string(),
    }
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
