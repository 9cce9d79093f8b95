//! Heuristics that find build tools being installed and programs being built in `RUN` scripts.

/// Splits a shell script into simple commands, each a list of words with quotes removed.
///
/// This is a heuristic, not a shell parser: outside quotes it splits commands on `&&`, `||`,
/// `;`, `|`, `&`, newlines, parentheses and backticks, and words on white space. A line ending
/// in a backslash continues the command.
pub fn simple_commands(script: &str) -> Vec<Vec<String>> {
    let mut commands = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = script.chars().peekable();

    let finish_word = |words: &mut Vec<String>, word: &mut String, in_word: &mut bool| {
        if *in_word {
            words.push(std::mem::take(word));
            *in_word = false;
        }
    };
    while let Some(ch) = chars.next() {
        if let Some(open) = quote {
            if ch == open {
                quote = None;
            } else {
                word.push(ch);
            }
            continue;
        }
        match ch {
            '\\' if chars.peek() == Some(&'\n') => {
                chars.next();
                finish_word(&mut words, &mut word, &mut in_word);
            }
            '\\' => {
                if let Some(next) = chars.next() {
                    word.push(next);
                    in_word = true;
                }
            }
            '"' | '\'' => {
                quote = Some(ch);
                in_word = true;
            }
            '\n' | ';' | '|' | '&' | '(' | ')' | '`' => {
                finish_word(&mut words, &mut word, &mut in_word);
                let command = strip_prefixes(std::mem::take(&mut words));
                if !command.is_empty() {
                    commands.push(command);
                }
            }
            ch if ch.is_whitespace() => finish_word(&mut words, &mut word, &mut in_word),
            ch => {
                word.push(ch);
                in_word = true;
            }
        }
    }
    finish_word(&mut words, &mut word, &mut in_word);
    let command = strip_prefixes(words);
    if !command.is_empty() {
        commands.push(command);
    }
    commands
}

/// Drops leading variable assignments (`CGO_ENABLED=0 go build`) and wrappers such as `sudo`.
fn strip_prefixes(words: Vec<String>) -> Vec<String> {
    let mut start = 0;
    while let Some(word) = words.get(start) {
        let is_assignment = word.split_once('=').is_some_and(|(name, _)| {
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        let is_wrapper = matches!(
            word.as_str(),
            "sudo" | "exec" | "time" | "then" | "do" | "else" | "{" | "!"
        );
        if is_assignment || is_wrapper {
            start += 1;
        } else {
            break;
        }
    }
    words[start..].to_vec()
}

/// Package managers and the subcommands that install packages.
const INSTALLERS: &[(&str, &[&str])] = &[
    ("apt-get", &["install"]),
    ("apt", &["install"]),
    ("apk", &["add"]),
    ("yum", &["install"]),
    ("dnf", &["install"]),
    ("microdnf", &["install"]),
    ("tdnf", &["install"]),
    ("zypper", &["install", "in"]),
    ("pacman", &["-S", "-Sy", "-Syu"]),
];

/// Packages that are compilers or build systems.
const BUILD_PACKAGES: &[&str] = &[
    "gcc",
    "g++",
    "clang",
    "llvm",
    "make",
    "cmake",
    "ninja-build",
    "meson",
    "autoconf",
    "automake",
    "libtool",
    "build-essential",
    "build-base",
    "maven",
    "gradle",
    "golang",
    "golang-go",
    "go",
    "rustc",
    "cargo",
    "rustup",
    "gfortran",
    "musl-tools",
    "linux-headers",
    "kernel-headers",
];

/// Returns the build-tool packages that a script installs with a package manager.
pub fn installed_build_tools(script: &str) -> Vec<String> {
    let mut found = Vec::new();
    for words in simple_commands(script) {
        let Some(subcommands) = INSTALLERS
            .iter()
            .find(|(manager, _)| words[0] == *manager)
            .map(|(_, subcommands)| *subcommands)
        else {
            continue;
        };
        let Some(position) = words
            .iter()
            .position(|word| subcommands.contains(&word.as_str()))
        else {
            continue;
        };
        for word in &words[position + 1..] {
            if word.starts_with('-') || word.starts_with('$') {
                continue;
            }
            let package = package_name(word);
            if is_build_package(&package) && !found.contains(&package) {
                found.push(package);
            }
        }
    }
    found
}

/// Strips a version pin (`gcc=12.2`, `gcc~12`, `gcc>=12`) and an architecture suffix (`gcc:amd64`).
fn package_name(word: &str) -> String {
    let end = word.find(['=', '~', '<', '>', ':']).unwrap_or(word.len());
    word[..end].to_ascii_lowercase()
}

fn is_build_package(package: &str) -> bool {
    if BUILD_PACKAGES.contains(&package) {
        return true;
    }
    if package.ends_with("-dev") || package.ends_with("-devel") {
        return true;
    }
    // Versioned compiler packages such as gcc-12, g++-12, clang-17 or openjdk-17-jdk.
    let versioned = ["gcc-", "g++-", "clang-", "llvm-", "golang-"];
    if versioned.iter().any(|prefix| {
        package
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
    }) {
        return true;
    }
    package.ends_with("-jdk") || package.contains("-jdk-") || package.ends_with("-jdk-headless")
}

/// Returns the build commands a script runs, such as `go build` or `npm run build`.
pub fn build_commands(script: &str) -> Vec<String> {
    let mut found = Vec::new();
    for words in simple_commands(script) {
        if let Some(command) = build_command(&words) {
            if !found.contains(&command) {
                found.push(command);
            }
        }
        if script_installs_rustup(&words) && !found.contains(&"rustup".to_string()) {
            found.push("rustup".to_string());
        }
    }
    found
}

fn script_installs_rustup(words: &[String]) -> bool {
    words
        .iter()
        .any(|word| word.contains("sh.rustup.rs") || word.ends_with("rustup-init"))
}

fn build_command(words: &[String]) -> Option<String> {
    let program = words[0].rsplit('/').next().unwrap_or(&words[0]);
    let second = words.get(1).map(String::as_str).unwrap_or("");
    let third = words.get(2).map(String::as_str).unwrap_or("");
    let phrase = |text: &str| Some(text.to_string());
    match program {
        "go" if matches!(second, "build" | "install") => phrase(&format!("go {second}")),
        "cargo" if matches!(second, "build" | "install" | "auditable") => {
            phrase(&format!("cargo {second}"))
        }
        "mvn" | "mvnw"
            if words
                .iter()
                .any(|w| matches!(w.as_str(), "package" | "install" | "verify" | "compile")) =>
        {
            phrase("mvn package")
        }
        "gradle" | "gradlew"
            if words.iter().any(|w| {
                matches!(
                    w.as_str(),
                    "build" | "assemble" | "jar" | "bootJar" | "shadowJar" | "installDist"
                )
            }) =>
        {
            phrase("gradle build")
        }
        "npm" | "pnpm" | "yarn" | "bun" if is_script_build(second, third) => {
            phrase(&format!("{program} run build"))
        }
        "make" | "gmake" => phrase("make"),
        "cmake" if second == "--build" => phrase("cmake --build"),
        "ninja" => phrase("ninja"),
        "dotnet" if matches!(second, "build" | "publish") => phrase(&format!("dotnet {second}")),
        "javac" | "gcc" | "g++" | "cc" | "c++" | "clang" | "clang++" | "rustc" | "tsc" => {
            phrase(program)
        }
        _ => None,
    }
}

/// Tells whether `npm run build`, `yarn build` and the like run a build script.
fn is_script_build(second: &str, third: &str) -> bool {
    let script = if second == "run" || second == "run-script" {
        third
    } else {
        second
    };
    script == "build" || script.starts_with("build:")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apt_install_of_compilers_is_found() {
        let script = "apt-get update && apt-get install -y --no-install-recommends build-essential libpq-dev curl";
        assert_eq!(
            installed_build_tools(script),
            vec!["build-essential", "libpq-dev"]
        );
    }

    #[test]
    fn apk_virtual_build_deps_are_found() {
        let script = "apk add --no-cache --virtual .build-deps gcc musl-dev && pip install x && apk del .build-deps";
        assert_eq!(installed_build_tools(script), vec!["gcc", "musl-dev"]);
    }

    #[test]
    fn runtime_packages_are_not_build_tools() {
        assert!(
            installed_build_tools("apt-get install -y ca-certificates tzdata libpq5").is_empty()
        );
    }

    #[test]
    fn build_commands_are_found() {
        assert_eq!(
            build_commands("CGO_ENABLED=0 go build -o /app ./cmd/app"),
            vec!["go build"]
        );
        assert_eq!(
            build_commands("npm ci && npm run build"),
            vec!["npm run build"]
        );
        assert_eq!(
            build_commands("./mvnw -B package -DskipTests"),
            vec!["mvn package"]
        );
        assert_eq!(build_commands("cd src && make -j4"), vec!["make"]);
    }

    #[test]
    fn words_inside_quotes_are_not_commands() {
        assert!(build_commands("echo \"all done; make sure to restart\" > /etc/motd").is_empty());
        assert_eq!(
            simple_commands("sh -c 'make all' && echo ok"),
            vec![
                vec!["sh".to_string(), "-c".to_string(), "make all".to_string()],
                vec!["echo".to_string(), "ok".to_string()]
            ]
        );
    }

    #[test]
    fn installing_runtime_dependencies_is_not_building() {
        assert!(build_commands("npm ci --omit=dev").is_empty());
        assert!(build_commands("pip install --no-cache-dir -r requirements.txt").is_empty());
        assert!(build_commands("bundle install --without development").is_empty());
    }
}
