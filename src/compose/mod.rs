//! Compose projects: YAML with positions, merge keys, interpolation, extends, include and override files.

pub mod model;

pub use model::{Build, ComposeHealthcheck, LoadError, Located, Project, Service, Volume, VolumeKind};
