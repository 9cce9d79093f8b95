//! Dockerfiles: a parser faithful to BuildKit's, word expansion, and the stage model the controls read.

mod arguments;
pub mod ast;
mod directive;
pub mod dump;
pub mod expand;
mod heredoc;
mod mount;
pub mod parser;
mod pattern;
mod scope;
pub mod stage;
pub mod stages;
mod validate;

pub use ast::{Directive, Dockerfile, Heredoc, Instruction, ParseError};
pub use dump::dump_buildkit;
pub use expand::{ExpandError, ExpandErrorKind, Expansion, Lexer, Variables};
pub use parser::parse;
pub use stage::{BaseKind, Command, CommandKind, HealthcheckSpec, Mount, Stage, Word};
pub use stages::stages;
pub use validate::validate;
