//! The local source: a snapshot of a directory on disk.
