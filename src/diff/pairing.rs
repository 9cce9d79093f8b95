//! Pairing the repositories of two scorecards.
//!
//! Repositories pair by name and source first. When a scorecard lists the same name and source
//! more than once, the copies are paired in order. A repository left without a partner then
//! pairs by name alone when that name appears exactly once in each scorecard. Such a repository
//! moved: its path in repos.toml or its GitHub owner changed. Comparing it shows what the move
//! did, such as a path that no longer exists. A name that appears more than once on a side
//! could pair several ways, so its unpaired copies stay added or removed.

use crate::scorecard::RepoReport;
use std::collections::BTreeMap;

/// The repositories of two scorecards, paired.
pub(super) struct Pairs<'a> {
    /// Old and new report of each repository in both scorecards.
    pub both: Vec<(&'a RepoReport, &'a RepoReport)>,
    /// Repositories only in the old scorecard.
    pub removed: Vec<&'a RepoReport>,
    /// Repositories only in the new scorecard.
    pub added: Vec<&'a RepoReport>,
}

/// Pairs the repositories of `old` and `new` as the module documentation describes.
pub(super) fn pair<'a>(old: &'a [RepoReport], new: &'a [RepoReport]) -> Pairs<'a> {
    let old_groups = by_key(old);
    let mut new_groups = by_key(new);

    let mut pairs = Pairs {
        both: Vec::new(),
        removed: Vec::new(),
        added: Vec::new(),
    };
    for (key, old_list) in old_groups {
        let new_list = new_groups.remove(&key).unwrap_or_default();
        for index in 0..old_list.len().max(new_list.len()) {
            match (old_list.get(index), new_list.get(index)) {
                (Some(before), Some(after)) => pairs.both.push((before, after)),
                (Some(before), None) => pairs.removed.push(before),
                (None, Some(after)) => pairs.added.push(after),
                (None, None) => {}
            }
        }
    }
    pairs.added.extend(new_groups.into_values().flatten());

    let unique_in = |repos: &[RepoReport], name: &str| {
        repos.iter().filter(|repo| repo.name == name).count() == 1
    };
    let mut still_removed = Vec::new();
    for before in pairs.removed {
        let partner = pairs
            .added
            .iter()
            .position(|after| after.name == before.name)
            .filter(|_| unique_in(old, &before.name) && unique_in(new, &before.name));
        match partner {
            Some(index) => pairs.both.push((before, pairs.added.remove(index))),
            None => still_removed.push(before),
        }
    }
    pairs.removed = still_removed;

    let key = |repo: &RepoReport| (repo.name.clone(), repo.source.clone());
    pairs.both.sort_by_key(|(_, after)| key(after));
    pairs.added.sort_by_key(|repo| key(repo));
    pairs.removed.sort_by_key(|repo| key(repo));
    pairs
}

/// Groups repositories by name and source, keeping their order within a group.
fn by_key(repos: &[RepoReport]) -> BTreeMap<(&str, &str), Vec<&RepoReport>> {
    let mut grouped: BTreeMap<(&str, &str), Vec<&RepoReport>> = BTreeMap::new();
    for repo in repos {
        grouped
            .entry((repo.name.as_str(), repo.source.as_str()))
            .or_default()
            .push(repo);
    }
    grouped
}
