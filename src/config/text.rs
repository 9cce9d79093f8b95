//! Reading a configuration file as text. TOML 1.0.0 requires a file to be valid UTF-8
//! (https://toml.io/en/v1.0.0, "Spec"), so other bytes are reported where they first occur.

use super::error::ConfigError;
use std::io;
use std::path::Path;

/// The reason a configuration file could not be read as text.
pub(super) enum ReadFailure {
    Io(io::Error),
    /// A located error for bytes that are not UTF-8.
    NotUtf8(ConfigError),
}

/// Reads `path` as UTF-8 text.
pub(super) fn read_text(path: &Path) -> Result<String, ReadFailure> {
    let bytes = std::fs::read(path).map_err(ReadFailure::Io)?;
    String::from_utf8(bytes).map_err(|error| {
        let valid = &error.as_bytes()[..error.utf8_error().valid_up_to()];
        // The prefix up to `valid_up_to` is valid UTF-8 by the definition of that offset.
        let before = std::str::from_utf8(valid).unwrap_or_default();
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |index| index + 1);
        let column = before[line_start..].chars().count() + 1;
        ReadFailure::NotUtf8(ConfigError {
            path: path.to_path_buf(),
            line,
            column,
            message: "the file is not UTF-8 text: this line has bytes that are not valid UTF-8"
                .to_string(),
            help: "save the file as UTF-8, because TOML files must be UTF-8".to_string(),
        })
    })
}
