//! Helpers for the tests that run the `dockgrade` binary: the command, its output as text, and
//! copies of the example fleet.

#![allow(dead_code)]

use assert_cmd::cargo::cargo_bin_cmd;
use assert_cmd::Command;
use std::path::Path;

pub fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Returns a command for the binary that runs in the repository root, where `scan` finds
/// ./repos.toml.
pub fn dockgrade() -> Command {
    let mut command = cargo_bin_cmd!("dockgrade");
    command.current_dir(manifest_dir());
    command
}

pub fn stdout_of(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

pub fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

/// Copies a folder into `destination`, files only, recursively.
pub fn copy_folder(source: &Path, destination: &Path) {
    std::fs::create_dir_all(destination).expect("create the destination folder");
    for entry in std::fs::read_dir(source).expect("read the source folder") {
        let entry = entry.expect("readable entry");
        let target = destination.join(entry.file_name());
        if entry.path().is_dir() {
            copy_folder(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a file");
        }
    }
}
