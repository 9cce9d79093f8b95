//! The variables in scope at one point of a build, with the unknown build-time values each one depends on.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use super::expand::{ExpandError, ExpandErrorKind, Lexer, Variables};
use super::stage::Word;

/// A variable's value and the names of the unresolved variables that went into it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Binding {
    /// The bound value, reference-counted because every stage built FROM an earlier stage
    /// clones that stage's scope, and a value may be up to `MAX_EXPANDED_BYTES` long.
    value: Rc<str>,
    unresolved: BTreeSet<String>,
}

/// Variables with known values. A name that is not bound has no value known offline: it may be
/// unset, or set by the base image or at build time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Scope {
    bindings: BTreeMap<String, Binding>,
}

impl Variables for Scope {
    fn get(&self, name: &str) -> Option<&str> {
        self.bindings
            .get(name)
            .map(|binding| binding.value.as_ref())
    }
}

impl Scope {
    /// Binds `name` to the value of `word`, remembering what the word could not resolve.
    pub fn bind(&mut self, name: &str, word: &Word) {
        self.bindings.insert(
            name.to_string(),
            Binding {
                value: Rc::from(word.value.as_str()),
                unresolved: word.unresolved.iter().cloned().collect(),
            },
        );
    }

    /// Returns the binding of `name` as a word whose raw text is `raw`.
    pub fn word_for(&self, name: &str, raw: &str) -> Option<Word> {
        self.bindings.get(name).map(|binding| Word {
            raw: raw.to_string(),
            value: binding.value.to_string(),
            unresolved: binding.unresolved.iter().cloned().collect(),
        })
    }

    /// Expands `raw` as BuildKit expands instruction arguments, quote removal included.
    ///
    /// A variable without a known value expands to nothing and is listed as unresolved, and so
    /// are the unresolved variables behind each variable that was used.
    ///
    /// A word whose value would exceed `max_bytes` (or its own length, if longer) or that nests
    /// `${...}` too deeply is an error of kind `TooLong` or `TooDeep`, so the caller can report
    /// the limit it set. Other words that the lexer rejects keep their raw text as the value.
    pub fn expand(&self, raw: &str, escape: char, max_bytes: usize) -> Result<Word, ExpandError> {
        let lexer = Lexer {
            unset_required_is_empty: true,
            max_expanded_bytes: max_bytes,
            ..Lexer::new(escape)
        };
        match lexer.expand(raw, self) {
            Ok(expansion) => {
                let mut unresolved = expansion.unresolved;
                for name in &expansion.matched {
                    // A variable whose empty value an operator replaced does not decide the result.
                    if expansion.defaulted.contains(name) {
                        continue;
                    }
                    if let Some(binding) = self.bindings.get(name) {
                        unresolved.extend(binding.unresolved.iter().cloned());
                    }
                }
                Ok(Word {
                    raw: raw.to_string(),
                    value: expansion.value,
                    unresolved: unresolved.into_iter().collect(),
                })
            }
            Err(error) if error.kind != ExpandErrorKind::Invalid => Err(error),
            // NOTE: BuildKit fails the build on a word its lexer rejects, such as `${}` or an
            // unterminated quote. The stage model keeps the raw text as the value instead.
            Err(error) => {
                tracing::debug!(%error, "word expansion failed; keeping the raw text");
                Ok(literal_word(raw))
            }
        }
    }
}

/// Returns a word that exceeded an expansion limit: its value is its raw text, and its only
/// unresolved entry is the limit's `message` in angle brackets. BuildKit has no such limits,
/// so the value may be known to it but not here. A variable bound to this word passes the
/// entry on to every word that uses it.
pub(crate) fn limited_word(raw: &str, message: &str) -> Word {
    Word {
        raw: raw.to_string(),
        value: raw.to_string(),
        unresolved: vec![format!("<{message}>")],
    }
}

/// Returns a word that is not expanded: its value is its raw text.
pub(crate) fn literal_word(raw: &str) -> Word {
    Word {
        raw: raw.to_string(),
        value: raw.to_string(),
        unresolved: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dockerfile::expand::MAX_EXPANDED_BYTES;

    fn expand(scope: &Scope, raw: &str) -> Word {
        scope
            .expand(raw, '\\', MAX_EXPANDED_BYTES)
            .expect("word within the limits")
    }

    #[test]
    fn unresolved_names_propagate_through_bindings() {
        let mut scope = Scope::default();
        let arch = expand(&scope, "linux-$TARGETARCH");
        assert_eq!(arch.value, "linux-");
        assert_eq!(arch.unresolved, ["TARGETARCH"]);

        scope.bind("PLATFORM", &arch);
        let word = expand(&scope, "\"${PLATFORM}\"");
        assert_eq!(word.value, "linux-");
        assert_eq!(word.unresolved, ["TARGETARCH"]);
    }

    #[test]
    fn invalid_word_keeps_raw_text() {
        let word = expand(&Scope::default(), "${}");
        assert_eq!(word.value, "${}");
        assert!(word.unresolved.is_empty());
    }
}
