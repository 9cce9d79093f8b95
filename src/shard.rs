//! Shards: splits a fleet into N stable parts, so that N jobs can scan it in parallel and
//! `merge` can put the parts back together.
//!
//! A repository's shard depends only on its `source` as the report names it (the path relative
//! to repos.toml, `owner/name`, or `owner/name@ref`) and on the shard count. It is the first
//! eight bytes of the SHA-256 of the source, as a big-endian number, modulo the count. Reordering
//! repos.toml, adding or removing other repositories, and the order in which GitHub lists an
//! organization's repositories move no repository to another shard. Changing the count does.

use sha2::{Digest as _, Sha256};
use std::fmt;
use std::str::FromStr;

/// One shard of a fleet: `index` of `count`, counting from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// Returns shard `index` of `count`, or why that pair is not a shard: the count must be at
    /// least 1 and the index between 1 and the count. `--shard` and `merge`, which reads the pair
    /// back from a shard's report, both build shards here, so both apply the same rule.
    pub fn new(index: u32, count: u32) -> Result<Shard, String> {
        if count == 0 {
            return Err("the shard count must be at least 1, such as 1/1".to_string());
        }
        if index == 0 || index > count {
            return Err(format!(
                "the index counts from 1 to the shard count, so expected 1/{count} to {count}/{count}"
            ));
        }
        Ok(Shard { index, count })
    }

    /// Tells whether the repository with this `source` belongs to this shard.
    pub fn contains(&self, source: &str) -> bool {
        shard_index(source, self.count) == self.index
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    /// Parses `I/N`, such as `1/4`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let number = |part: &str| part.trim().parse::<u32>().ok();
        let parsed = text
            .split_once('/')
            .and_then(|(index, count)| Some((number(index)?, number(count)?)));
        let Some((index, count)) = parsed else {
            return Err("expected I/N with whole numbers, such as 1/4".to_string());
        };
        Shard::new(index, count)
    }
}

/// Returns the shard, from 1 to `count`, that the repository with this `source` belongs to.
/// `count` must be at least 1.
pub fn shard_index(source: &str, count: u32) -> u32 {
    let digest = Sha256::digest(source.as_bytes());
    let mut prefix = [0u8; 8];
    prefix.copy_from_slice(&digest[..8]);
    let key = u64::from_be_bytes(prefix);
    // The remainder is below `count`, so it fits in a u32.
    (key % u64::from(count.max(1))) as u32 + 1
}

/// Returns the lowercase hexadecimal SHA-256 of `bytes`: the fingerprint of a repos.toml that a
/// shard's report records, so that `merge` can reject shards of different configurations.
pub fn fingerprint(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn names(count: usize) -> Vec<String> {
        (0..count)
            .map(|number| format!("octo-org/service-{number:04}"))
            .collect()
    }

    fn assignment(sources: &[String], count: u32) -> BTreeMap<String, u32> {
        sources
            .iter()
            .map(|source| (source.clone(), shard_index(source, count)))
            .collect()
    }

    #[test]
    fn parses_valid_shards() {
        assert_eq!("1/4".parse(), Ok(Shard { index: 1, count: 4 }));
        assert_eq!("4/4".parse(), Ok(Shard { index: 4, count: 4 }));
        assert_eq!("1/1".parse(), Ok(Shard { index: 1, count: 1 }));
        assert_eq!(Shard { index: 2, count: 3 }.to_string(), "2/3");
    }

    #[test]
    fn rejects_index_zero() {
        let error = "0/4".parse::<Shard>().unwrap_err();
        assert_eq!(
            error,
            "the index counts from 1 to the shard count, so expected 1/4 to 4/4"
        );
    }

    #[test]
    fn rejects_index_above_count() {
        let error = "5/4".parse::<Shard>().unwrap_err();
        assert!(error.contains("expected 1/4 to 4/4"), "{error}");
    }

    #[test]
    fn rejects_zero_count() {
        let error = "0/0".parse::<Shard>().unwrap_err();
        assert!(error.contains("at least 1"), "{error}");
    }

    #[test]
    fn new_applies_parse_rules() {
        assert_eq!(Shard::new(3, 4), Ok(Shard { index: 3, count: 4 }));
        assert_eq!(Shard::new(2, 0), "2/0".parse::<Shard>());
        assert_eq!(Shard::new(5, 4), "5/4".parse::<Shard>());
        assert!(Shard::new(0, 1).is_err());
    }

    #[test]
    fn rejects_non_numbers() {
        for text in ["x/y", "1", "1/", "/4", "-1/4", "1.5/4", "1/4/2", ""] {
            let error = text.parse::<Shard>().unwrap_err();
            assert!(
                error.contains("expected I/N with whole numbers"),
                "{text}: {error}"
            );
        }
    }

    #[test]
    fn shards_partition_fleet() {
        let sources = names(1_000);
        for count in [1, 2, 3, 4, 7, 16] {
            for source in &sources {
                let holders = (1..=count)
                    .filter(|index| {
                        Shard {
                            index: *index,
                            count,
                        }
                        .contains(source)
                    })
                    .count();
                assert_eq!(holders, 1, "{source} is in {holders} of {count} shards");
            }
        }
    }

    #[test]
    fn shards_ignore_order() {
        let sources = names(200);
        let mut reversed = sources.clone();
        reversed.reverse();
        assert_eq!(assignment(&sources, 4), assignment(&reversed, 4));
    }

    #[test]
    fn added_repository_moves_no_other() {
        let sources = names(200);
        let before = assignment(&sources, 5);
        let mut grown = sources.clone();
        grown.push("octo-org/new-service".to_string());
        let after = assignment(&grown, 5);
        for (source, shard) in &before {
            assert_eq!(after.get(source), Some(shard), "{source} moved");
        }
    }

    #[test]
    fn shard_index_is_fixed_for_known_source() {
        // A changed hash would move repositories between shards, so the values are pinned.
        assert_eq!(
            fingerprint(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let pinned: Vec<u32> = ["a", "b", "octo-org/payments"]
            .iter()
            .map(|source| shard_index(source, 1_000))
            .collect();
        assert_eq!(pinned, PINNED_INDEXES);
    }

    /// `shard_index` of "a", "b" and "octo-org/payments" with 1,000 shards, computed
    /// independently with Python's hashlib.
    const PINNED_INDEXES: [u32; 3] = [251, 947, 147];

    #[test]
    fn shards_are_balanced() {
        let sources = names(1_000);
        for count in [2u32, 4, 8] {
            let mut sizes = vec![0usize; count as usize];
            for source in &sources {
                sizes[(shard_index(source, count) - 1) as usize] += 1;
            }
            let expected = 1_000 / count as usize;
            for size in &sizes {
                // Within 20% of an even split, which a binomial spread at these sizes stays well inside.
                assert!(
                    size.abs_diff(expected) * 5 <= expected,
                    "{count} shards have sizes {sizes:?}"
                );
            }
        }
    }
}
