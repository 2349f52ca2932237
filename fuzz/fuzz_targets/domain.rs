//! Address and host helpers (`mekiki::domain::*`) and the knowledge lookups that take host names
//! or free text, on arbitrary strings; checks the invariants the checkers rely on.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mekiki::domain;
use mekiki::knowledge::Knowledge;

fuzz_target!(|input: &str| {
    let kb = Knowledge::builtin();
    if let Some(host) = domain::normalize_host(input) {
        assert!(!host.is_empty());
        assert_eq!(domain::normalize_host(&host).as_ref(), Some(&host), "normalizing is not idempotent");
        if let Some(reg) = domain::registrable(&host) {
            // The registrable domain is the host or one of its parents, never something else.
            assert!(domain::is_within(&host, &reg), "{reg:?} is not a parent of {host:?}");
            let _ = kb.brand_of_domain(&reg);
        }
        let _ = (kb.is_hosting(&host), kb.is_mail_service(&host), kb.is_freemail(&host));
        let _ = (kb.is_shortener(&host), kb.is_free_hosting(&host));
    }
    if let Some(d) = domain::address_domain(input) {
        assert!(!d.is_empty());
    }
    if let Some((a, b)) = input.split_once('\0') {
        let _ = domain::is_within(a, b);
    }
    let _ = kb.brands_named_in(input);
    let _ = kb.brands_tokened_in(&input.to_lowercase());
});
