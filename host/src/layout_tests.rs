//! The host's shape, checked on its source: no import cycle among its files, and no file
//! longer than [`MAX_LINES`] without a reason at its top (a `//! Long: ...` line).
//!
//! A file imports another when it names a path into it: `use crate::a::b::Item`, `use
//! super::x`, `sibling::f()` after `mod sibling;`, `dcmaid_host::...` from the binary. A path
//! ends at the deepest module file it reaches, so `crate::plugin::Plugin` (re-exported by
//! `plugin/mod.rs`) is an import of `plugin/mod.rs`, whose `pub use` lines import the files
//! they re-export. A child that reaches its parent's re-exports therefore closes a cycle:
//! children name their siblings' files instead.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The most lines a file has without saying why.
const MAX_LINES: usize = 400;

/// The crate a file belongs to: the library, or the `dcmaid` binary (`main.rs`, `cli/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Crate {
    Lib,
    Bin,
}

type Module = (Crate, Vec<String>);

struct Source {
    module: Module,
    /// The text without comments, strings and inline test modules' `super` (which is the
    /// file itself).
    code: String,
    lines: usize,
    reason: bool,
}

fn sources(root: &Path) -> BTreeMap<PathBuf, Source> {
    let mut found = BTreeMap::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().map(Result::unwrap) {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(root).unwrap().to_path_buf();
                let text = std::fs::read_to_string(&path).unwrap();
                let source = Source {
                    module: module_of(&relative),
                    code: code_of(&text),
                    lines: text.lines().count(),
                    reason: text.lines().take(20).any(|line| line.starts_with("//! Long:")),
                };
                found.insert(relative, source);
            }
        }
    }
    found
}

fn module_of(relative: &Path) -> Module {
    let mut parts: Vec<String> =
        relative.with_extension("").iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let krate = if parts[0] == "main" || parts[0] == "cli" { Crate::Bin } else { Crate::Lib };
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
        parts.pop();
    }
    (krate, parts)
}

/// `text` with comments and string literals blanked, and everything from an inline
/// `mod tests {` on dropped: a test module's `super` is its own file.
fn code_of(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                let mut last = ' ';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
            }
            '"' => {
                let mut escaped = false;
                for c in chars.by_ref() {
                    if !escaped && c == '"' {
                        break;
                    }
                    escaped = !escaped && c == '\\';
                }
                out.push_str("\"\"");
            }
            // A char literal (not a lifetime): skip to its closing quote.
            '\'' if chars.clone().nth(1) == Some('\'') || chars.peek() == Some(&'\\') => {
                let mut escaped = false;
                for c in chars.by_ref() {
                    if !escaped && c == '\'' {
                        break;
                    }
                    escaped = !escaped && c == '\\';
                }
            }
            c => out.push(c),
        }
    }
    // `pub(in super::x)` names a module, but imports nothing from it.
    while let Some(at) = out.find("pub(in ") {
        let end = out[at..].find(')').map_or(out.len(), |end| at + end + 1);
        out.replace_range(at..end, "pub(crate)");
    }
    match out.find("mod tests {") {
        Some(at) => out[..at].to_owned(),
        None => out,
    }
}

/// The modules `mod name;` declares in `code`.
fn children(code: &str) -> BTreeSet<String> {
    code.lines()
        .filter_map(|line| {
            let line = line.trim();
            let line = ["pub(crate) ", "pub(super) ", "pub "]
                .iter()
                .find_map(|vis| line.strip_prefix(vis))
                .unwrap_or(line);
            let name = line.strip_prefix("mod ")?.strip_suffix(';')?;
            Some(name.trim().to_owned())
        })
        .collect()
}

/// Every path `code` names that starts at a module: the paths of its `use` statements
/// (braces expanded) and the `a::b::c` paths in its code.
fn paths(code: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = find_word(rest, "use") {
        let after = &rest[at + 3..];
        let Some(end) = after.find(';') else { break };
        let statement = tidy(&after[..end]);
        expand(&statement, &mut found);
        rest = &after[end..];
    }
    let bytes = code.as_bytes();
    let mut start = None;
    for (i, &b) in bytes.iter().enumerate() {
        let part = b.is_ascii_alphanumeric() || b == b'_' || b == b':';
        match (part, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                // `a::` before a brace is a `use` statement's prefix, read above.
                let token = &code[s..i];
                if !token.ends_with("::") {
                    push_path(token, &mut found);
                }
                start = None;
            }
            _ => {}
        }
    }
    found
}

fn push_path(token: &str, found: &mut Vec<Vec<String>>) {
    if !token.contains("::") {
        return;
    }
    let segments: Vec<String> =
        token.split("::").filter(|s| !s.is_empty()).map(str::to_owned).collect();
    if !segments.is_empty() {
        found.push(segments);
    }
}

/// A `use` statement's text with its white space folded: `a::{b as c, d}`.
fn tidy(statement: &str) -> String {
    let folded = statement.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut tidy = folded;
    for mark in ["::", "{", "}", ","] {
        tidy = tidy.replace(&format!(" {mark}"), mark).replace(&format!("{mark} "), mark);
    }
    tidy
}

/// `prefix::{a, b::c, d as e}` as the paths it names.
fn expand(statement: &str, found: &mut Vec<Vec<String>>) {
    let Some(open) = statement.find('{') else {
        let path = statement.split(" as ").next().unwrap_or(statement);
        let path = path.trim_end_matches("::*");
        push_path(path, found);
        if !path.contains("::") && !path.is_empty() {
            found.push(vec![path.to_owned()]);
        }
        return;
    };
    let prefix = statement[..open].trim_end_matches("::");
    let inner = &statement[open + 1..statement.len().saturating_sub(1)];
    let mut depth = 0;
    let mut part = String::new();
    let mut parts = Vec::new();
    for c in inner.chars() {
        match c {
            ',' if depth == 0 => parts.push(std::mem::take(&mut part)),
            '{' | '}' => {
                depth += if c == '{' { 1 } else { -1 };
                part.push(c);
            }
            c => part.push(c),
        }
    }
    parts.push(part);
    for part in parts.into_iter().filter(|p| !p.is_empty()) {
        let part = part.split(" as ").next().unwrap_or(&part);
        if part == "self" {
            expand(prefix, found);
        } else {
            expand(&format!("{prefix}::{part}"), found);
        }
    }
}

fn find_word(text: &str, word: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = text[from..].find(word) {
        let at = from + at;
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        let boundary = |c: Option<char>| !c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        if boundary(before) && after.is_some_and(char::is_whitespace) {
            return Some(at);
        }
        from = at + word.len();
    }
    None
}

/// Which file each file imports.
fn imports(sources: &BTreeMap<PathBuf, Source>) -> BTreeMap<PathBuf, BTreeSet<PathBuf>> {
    let files: BTreeMap<&Module, &PathBuf> =
        sources.iter().map(|(path, source)| (&source.module, path)).collect();
    let resolve = |krate: Crate, base: Vec<String>, segments: &[String]| {
        (0..=segments.len()).rev().find_map(|n| {
            let mut module = base.clone();
            module.extend_from_slice(&segments[..n]);
            files.get(&(krate, module)).map(|path| (*path).clone())
        })
    };
    let mut edges = BTreeMap::new();
    for (path, source) in sources {
        let (krate, me) = &source.module;
        let kids = children(&source.code);
        let mut targets = BTreeSet::new();
        for segments in paths(&source.code) {
            let (krate, base, rest) = match segments[0].as_str() {
                "crate" => (*krate, Vec::new(), &segments[1..]),
                "dcmaid_host" => (Crate::Lib, Vec::new(), &segments[1..]),
                "self" => (*krate, me.clone(), &segments[1..]),
                "super" => {
                    let ups = segments.iter().take_while(|s| *s == "super").count();
                    let base = me[..me.len().saturating_sub(ups)].to_vec();
                    (*krate, base, &segments[ups..])
                }
                first if kids.contains(first) => (*krate, me.clone(), &segments[..]),
                _ => continue,
            };
            if let Some(target) = resolve(krate, base, rest)
                && &target != path
            {
                targets.insert(target);
            }
        }
        edges.insert(path.clone(), targets);
    }
    edges
}

/// The groups of files that import each other, round and round (Tarjan's algorithm).
fn cycles(edges: &BTreeMap<PathBuf, BTreeSet<PathBuf>>) -> Vec<Vec<PathBuf>> {
    struct Walk<'a> {
        edges: &'a BTreeMap<PathBuf, BTreeSet<PathBuf>>,
        index: BTreeMap<&'a PathBuf, usize>,
        low: BTreeMap<&'a PathBuf, usize>,
        stack: Vec<&'a PathBuf>,
        on_stack: BTreeSet<&'a PathBuf>,
        found: Vec<Vec<PathBuf>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, file: &'a PathBuf) {
            let n = self.index.len();
            self.index.insert(file, n);
            self.low.insert(file, n);
            self.stack.push(file);
            self.on_stack.insert(file);
            for next in &self.edges[file] {
                if !self.index.contains_key(next) {
                    self.visit(next);
                    let low = self.low[file].min(self.low[next]);
                    self.low.insert(file, low);
                } else if self.on_stack.contains(next) {
                    let low = self.low[file].min(self.index[next]);
                    self.low.insert(file, low);
                }
            }
            if self.low[file] == self.index[file] {
                let mut group = Vec::new();
                while let Some(member) = self.stack.pop() {
                    self.on_stack.remove(member);
                    group.push(member.clone());
                    if member == file {
                        break;
                    }
                }
                if group.len() > 1 {
                    group.sort();
                    self.found.push(group);
                }
            }
        }
    }
    let mut walk = Walk {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for file in edges.keys() {
        if !walk.index.contains_key(file) {
            walk.visit(file);
        }
    }
    walk.found
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn no_file_of_the_host_imports_itself_round_a_cycle() {
    let sources = sources(&root());
    let edges = imports(&sources);
    let cycles = cycles(&edges);
    assert!(cycles.is_empty(), "files that import each other in a cycle: {cycles:#?}");
    // The check sees imports at all: the bot reaches the plugins through the runtime.
    let bot = &edges[Path::new("bot/pipeline.rs")];
    assert!(bot.contains(Path::new("plugin/mod.rs")), "{bot:?}");
}

#[test]
fn the_check_finds_a_cycle_through_a_parent_s_re_export() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("a")).unwrap();
    std::fs::write(dir.path().join("lib.rs"), "pub mod a;\n").unwrap();
    std::fs::write(dir.path().join("a/mod.rs"), "mod b;\nmod c;\npub use b::B;\n").unwrap();
    std::fs::write(dir.path().join("a/b.rs"), "use super::c::C;\npub struct B;\n").unwrap();
    std::fs::write(dir.path().join("a/c.rs"), "use crate::a::B;\npub struct C;\n").unwrap();
    let cycles = cycles(&imports(&sources(dir.path())));
    let expected: Vec<PathBuf> = ["a/b.rs", "a/c.rs", "a/mod.rs"].map(PathBuf::from).to_vec();
    assert_eq!(cycles, vec![expected]);
}

#[test]
fn no_file_is_longer_than_the_limit_without_a_reason() {
    let long: Vec<String> = sources(&root())
        .into_iter()
        .filter(|(_, source)| source.lines > MAX_LINES && !source.reason)
        .map(|(path, source)| format!("{} ({} lines)", path.display(), source.lines))
        .collect();
    assert!(long.is_empty(), "over {MAX_LINES} lines without a `//! Long:` reason: {long:?}");
}
