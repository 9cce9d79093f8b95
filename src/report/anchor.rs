//! GitHub-style heading anchors, so that the Markdown report can link to its own sections.
//!
//! GitHub gives every heading of a rendered Markdown file an anchor: the heading's text in lower
//! case, with punctuation and symbols removed and each space turned into `-`. A repeated anchor
//! gets `-1`, `-2` and so on, counted over the whole document in order. The report feeds every
//! heading it renders, in order, to one [`Anchors`], so the links it builds match GitHub's.

use std::collections::HashMap;

/// Returns the anchor of one heading before it is made unique, from the heading's text as it
/// renders (escapes already removed).
///
/// Letters, digits, `_`, `-` and spaces are kept, and every other character is dropped. This is
/// exact for ASCII. NOTE: outside ASCII it approximates GitHub's Unicode classes, so combining
/// marks are dropped and other numerals (such as `²`) are kept, and an emoji shortcode such as
/// `:rocket:` keeps its letters although GitHub renders it as an emoji first.
pub fn slug(heading_text: &str) -> String {
    heading_text
        .trim_matches([' ', '\t'])
        .to_lowercase()
        .chars()
        .filter(|&c| c.is_alphanumeric() || matches!(c, '_' | '-' | ' '))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors handed out so far in one document.
#[derive(Debug, Default)]
pub struct Anchors {
    /// For each slug, the highest number appended to it so far (0 when none was needed).
    counts: HashMap<String, usize>,
}

impl Anchors {
    /// Registers the next heading of the document and returns its unique anchor.
    ///
    /// A repeat of an earlier slug gets the next free `-N` suffix. A suffixed anchor that an
    /// earlier heading already took, such as one literally named `api-1`, is skipped, so no two
    /// headings share an anchor. NOTE: that collision case is not checked against GitHub.
    pub fn next(&mut self, heading_text: &str) -> String {
        let base = slug(heading_text);
        let mut anchor = base.clone();
        while self.counts.contains_key(&anchor) {
            let count = self.counts.entry(base.clone()).or_insert(0);
            *count += 1;
            anchor = format!("{base}-{count}");
        }
        self.counts.insert(anchor.clone(), 0);
        anchor
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_lowercases_and_joins_words() {
        assert_eq!(
            slug("Docker hardening scorecard"),
            "docker-hardening-scorecard"
        );
        assert_eq!(slug("Other findings"), "other-findings");
    }

    #[test]
    fn slug_drops_punctuation_but_keeps_underscore_and_hyphen() {
        assert_eq!(slug("acme/api_server"), "acmeapi_server");
        assert_eq!(slug("orders-api"), "orders-api");
        assert_eq!(slug("odd|name`s <repo>"), "oddnames-repo");
        assert_eq!(slug(".dockerignore"), "dockerignore");
        assert_eq!(slug("v1.2 (beta)!"), "v12-beta");
    }

    #[test]
    fn slug_keeps_inner_spaces_and_trims_outer_ones() {
        assert_eq!(slug("  a  b  "), "a--b");
        assert_eq!(slug("a\tb"), "ab");
    }

    #[test]
    fn slug_keeps_letters_outside_ascii() {
        assert_eq!(slug("Grüße API"), "grüße-api");
        assert_eq!(slug("— emoji 🚀"), "-emoji-");
    }

    #[test]
    fn slug_of_punctuation_only_is_empty() {
        assert_eq!(slug("!!!"), "");
    }

    #[test]
    fn repeats_get_numbered_suffixes() {
        let mut anchors = Anchors::default();
        assert_eq!(anchors.next("Controls"), "controls");
        assert_eq!(anchors.next("Controls"), "controls-1");
        assert_eq!(anchors.next("controls"), "controls-2");
        assert_eq!(anchors.next("Blockers"), "blockers");
    }

    #[test]
    fn suffix_taken_by_a_heading_is_skipped() {
        let mut anchors = Anchors::default();
        assert_eq!(anchors.next("api"), "api");
        assert_eq!(anchors.next("api-1"), "api-1");
        assert_eq!(anchors.next("api"), "api-2");
        assert_eq!(anchors.next("api-1"), "api-1-1");
    }

    #[test]
    fn anchors_are_unique() {
        let mut anchors = Anchors::default();
        let headings = ["a", "a", "a-1", "a", "A", "a-2", "a 1", "a_1"];
        let handed_out: Vec<String> = headings.iter().map(|h| anchors.next(h)).collect();
        let unique: std::collections::BTreeSet<&String> = handed_out.iter().collect();
        assert_eq!(unique.len(), handed_out.len(), "{handed_out:?}");
    }
}
