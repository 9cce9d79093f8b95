//! dockgrade grades the Docker hardening of many repositories at once.
//!
//! The pipeline: config → source (snapshot) → load (repo model) → controls → grade → scorecard → report.

pub mod app;
pub mod cli;
pub mod compose;
pub mod config;
pub mod controls;
pub mod diff;
pub mod discover;
pub mod dockerfile;
pub mod dockerignore;
pub mod finding;
pub mod grade;
pub mod image_ref;
pub mod inspect;
pub mod merge;
pub mod model;
pub mod pipeline;
pub mod pr_comment;
pub mod report;
pub mod scan;
pub mod scorecard;
pub mod shard;
pub mod source;
pub mod update;
