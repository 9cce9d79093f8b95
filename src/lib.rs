//! dockgrade grades the Docker hardening of many repositories at once.
//!
//! The pipeline: config → source (snapshot) → load (repo model) → controls → grade → scorecard → report.

pub mod compose;
pub mod controls;
pub mod dockerfile;
pub mod finding;
pub mod report;
pub mod scorecard;
pub mod source;
