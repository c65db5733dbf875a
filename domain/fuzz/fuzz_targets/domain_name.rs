//! Fuzzes `DomainName::parse`: it must never panic, and whatever it accepts must be canonical.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lockstep_domain::DomainName;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(name) = DomainName::parse(s) {
        let text = name.as_str();
        assert!(text.len() <= 253, "too long: {text}");
        assert!(text.split('.').count() >= 2, "single label: {text}");
        for (i, label) in text.split('.').enumerate() {
            assert!(!label.is_empty() && label.len() <= 63, "bad label in {text}");
            if label == "*" {
                assert_eq!(i, 0, "wildcard not left-most: {text}");
                continue;
            }
            assert!(label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "bad byte: {text}");
            assert!(!label.starts_with('-') && !label.ends_with('-'), "hyphen at edge: {text}");
        }
        // Canonical: parsing the output gives the same name.
        assert_eq!(DomainName::parse(text).as_ref(), Ok(&name));
        // And the Unicode form parses back to it too.
        assert_eq!(DomainName::parse(&name.to_unicode()).as_ref(), Ok(&name), "unicode round trip of {text}");
    }
});
