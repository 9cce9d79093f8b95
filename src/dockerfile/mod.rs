//! Dockerfiles: a parser faithful to BuildKit's, word expansion, and the stage model the controls read.

pub mod ast;
pub mod stage;

pub use ast::{Directive, Dockerfile, Heredoc, Instruction, ParseError};
pub use stage::{BaseKind, Command, CommandKind, HealthcheckSpec, Mount, Stage, Word};
