//! Compose projects: YAML with positions, merge keys, interpolation, extends, include and override files.

mod build;
mod dotenv;
mod extends;
mod include;
mod interpolate;
mod loader;
mod merge;
pub mod model;
mod node;
mod paths;
mod service;
mod typed;
mod volume;
mod yaml;

pub use dotenv::parse_dotenv;
pub use interpolate::Environment;
pub use loader::load_project;
pub use model::{
    Build, ComposeHealthcheck, LoadError, Located, Project, Service, Volume, VolumeKind,
};
