//! Rules about the hand-written source itself, checked under plain `cargo test` (see the tests
//! at the bottom): no function longer than [`MAX_FUNCTION_LINES`] (`quote!` bodies and data
//! tables excepted), and no import circle among the modules of a crate.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::spanned::Spanned;
use syn::visit::Visit;

/// The longest a hand-written function may be, in lines.
pub const MAX_FUNCTION_LINES: usize = 80;

/// The hand-written Rust files of the project (generated code excluded), relative to `root`.
pub fn hand_written_files(root: &Path) -> Result<Vec<PathBuf>, String> {
    let output = std::process::Command::new("git")
        .current_dir(root)
        .args(["ls-files", "--cached", "--others", "--exclude-standard", "*.rs"])
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    Ok(text
        .lines()
        .filter(|path| !path.starts_with("crates/generated/") && !path.ends_with("/partitions.rs"))
        .map(PathBuf::from)
        .collect())
}

/// A function over the limit: where, its name, and its length without exempt lines.
#[derive(Debug, PartialEq, Eq)]
pub struct LongFunction {
    pub file: PathBuf,
    pub line: usize,
    pub name: String,
    pub lines: usize,
}

/// Every function of `file` longer than [`MAX_FUNCTION_LINES`].
pub fn long_functions(root: &Path, file: &Path) -> Result<Vec<LongFunction>, String> {
    let text = std::fs::read_to_string(root.join(file)).map_err(|e| format!("{}: {e}", file.display()))?;
    let parsed = syn::parse_file(&text).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut finder = Functions { found: Vec::new() };
    finder.visit_file(&parsed);
    Ok(finder
        .found
        .into_iter()
        .filter(|(_, _, lines)| *lines > MAX_FUNCTION_LINES)
        .map(|(name, line, lines)| LongFunction { file: file.to_owned(), line, name, lines })
        .collect())
}

/// Collects (name, first line, counted lines) of every function body.
struct Functions {
    found: Vec<(String, usize, usize)>,
}

impl Functions {
    fn note(&mut self, name: String, block: &syn::Block) {
        let span = block.span();
        let (start, end) = (span.start().line, span.end().line);
        let mut exempt = Exempt { lines: BTreeSet::new() };
        exempt.visit_block(block);
        let counted = (start..=end).filter(|l| !exempt.lines.contains(l)).count();
        self.found.push((name, start, counted));
    }
}

impl<'ast> Visit<'ast> for Functions {
    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        self.note(item.sig.ident.to_string(), &item.block);
        syn::visit::visit_item_fn(self, item);
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        self.note(item.sig.ident.to_string(), &item.block);
        syn::visit::visit_impl_item_fn(self, item);
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        if let Some(block) = &item.default {
            self.note(item.sig.ident.to_string(), block);
        }
        syn::visit::visit_trait_item_fn(self, item);
    }
}

/// Lines that do not count towards a function's length: inside `quote!` (generated code
/// written out) and data tables (`vec![...]`, `json!(...)` and array literals).
struct Exempt {
    lines: BTreeSet<usize>,
}

impl Exempt {
    /// The lines strictly inside a span (its first and last line still count).
    fn inner(&mut self, span: proc_macro2::Span) {
        let (start, end) = (span.start().line, span.end().line);
        self.lines.extend(start + 1..end);
    }
}

impl<'ast> Visit<'ast> for Exempt {
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let name = mac.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
        if matches!(name.as_str(), "quote" | "vec" | "json") {
            self.inner(mac.span());
        }
    }

    fn visit_expr_array(&mut self, array: &'ast syn::ExprArray) {
        self.inner(array.span());
    }
}

/// The import circles among a crate's modules (each a list of module paths), counting every
/// `crate::`, `super::` and `self::` path in a file (in `use` trees and anywhere else), and
/// every bare path through a child module, as an edge to the module it names.
pub fn import_circles(root: &Path, src: &Path) -> Result<Vec<Vec<String>>, String> {
    let graph = module_graph(root, src)?;
    Ok(strongly_connected(&graph).into_iter().filter(|c| c.len() > 1).collect())
}

/// module path (`a::b`) -> the modules its file refers to.
fn module_graph(root: &Path, src: &Path) -> Result<BTreeMap<String, BTreeSet<String>>, String> {
    let mut files = Vec::new();
    collect_rs(&root.join(src), &mut files)?;
    let modules: BTreeMap<String, PathBuf> =
        files.iter().filter_map(|f| Some((module_of(f.strip_prefix(root.join(src)).ok()?)?, f.clone()))).collect();
    let mut graph = BTreeMap::new();
    for (module, file) in &modules {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let refs = referenced_modules(module, &text)
            .into_iter()
            .filter_map(|r| longest_known(&r, &modules))
            .filter(|r| r != module && !module.starts_with(&format!("{r}::")) && !r.is_empty())
            .collect();
        graph.insert(module.clone(), refs);
    }
    Ok(graph)
}

/// A file's module path: `lib.rs`/`main.rs` are the root (empty), `a/mod.rs` and `a.rs` are `a`.
/// Binaries under `src/bin/` are crates of their own: `None`.
fn module_of(relative: &Path) -> Option<String> {
    let text = relative.to_string_lossy().replace('\\', "/");
    if text.starts_with("bin/") {
        return None;
    }
    let stem = text.strip_suffix(".rs")?;
    let stem = stem.strip_suffix("/mod").unwrap_or(stem);
    Some(if matches!(stem, "lib" | "main") { String::new() } else { stem.replace('/', "::") })
}

/// The module paths that `crate::`, `super::` and `self::` paths in `text` name (in `use`
/// trees, braces included, and in expressions and types), relative to the crate root.
fn referenced_modules(module: &str, text: &str) -> Vec<String> {
    let Ok(file) = syn::parse_file(text) else { return Vec::new() };
    let mut paths = Paths { found: Vec::new() };
    paths.visit_file(&file);
    paths.found.into_iter().filter_map(|segments| resolve(module, &segments)).collect()
}

/// Every path (as its segments) that starts with `crate`, `super` or `self`.
struct Paths {
    found: Vec<Vec<String>>,
}

impl<'ast> Visit<'ast> for Paths {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        // Every path: relative ones, and bare ones that may name a child module.
        self.found.push(path.segments.iter().map(|s| s.ident.to_string()).collect());
        syn::visit::visit_path(self, path);
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        fn walk(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
            match tree {
                syn::UseTree::Path(p) => {
                    prefix.push(p.ident.to_string());
                    walk(&p.tree, prefix, out);
                    prefix.pop();
                }
                syn::UseTree::Name(n) => out.push([prefix.clone(), vec![n.ident.to_string()]].concat()),
                syn::UseTree::Rename(r) => out.push([prefix.clone(), vec![r.ident.to_string()]].concat()),
                syn::UseTree::Glob(_) => out.push(prefix.clone()),
                syn::UseTree::Group(g) => g.items.iter().for_each(|t| walk(t, prefix, out)),
            }
        }
        let mut all = Vec::new();
        walk(&item.tree, &mut Vec::new(), &mut all);
        self.found.extend(all);
    }
}

/// A relative path's target as a path from the crate root (`super` climbs from `module`).
fn resolve(module: &str, segments: &[String]) -> Option<String> {
    let mut base: Vec<&str> = if module.is_empty() { Vec::new() } else { module.split("::").collect() };
    let mut rest = segments;
    // A bare path is resolved from this module: it reaches a child module when it names one
    // (anything else is no module of the crate and is dropped by the caller).
    match rest.first()?.as_str() {
        "crate" => {
            base.clear();
            rest = &rest[1..];
        }
        "self" => rest = &rest[1..],
        _ => {}
    }
    while rest.first().is_some_and(|s| s == "super") {
        base.pop()?;
        rest = &rest[1..];
    }
    Some(base.into_iter().map(str::to_owned).chain(rest.iter().cloned()).collect::<Vec<_>>().join("::"))
}

/// The longest prefix of `path` that is a module of the crate.
fn longest_known(path: &str, modules: &BTreeMap<String, PathBuf>) -> Option<String> {
    let parts: Vec<&str> = path.split("::").collect();
    (1..=parts.len()).rev().map(|n| parts[..n].join("::")).find(|candidate| modules.contains_key(candidate))
}

fn collect_rs(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            collect_rs(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// Tarjan's strongly connected components of `graph`.
fn strongly_connected(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        components: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, node: &'a str) {
        let n = s.index.len();
        s.index.insert(node, n);
        s.low.insert(node, n);
        s.stack.push(node);
        s.on_stack.insert(node);
        for next in s.graph.get(node).into_iter().flatten() {
            let next = next.as_str();
            if !s.graph.contains_key(next) {
                continue;
            }
            if !s.index.contains_key(next) {
                visit(s, next);
                let low = s.low[node].min(s.low[next]);
                s.low.insert(node, low);
            } else if s.on_stack.contains(next) {
                let low = s.low[node].min(s.index[next]);
                s.low.insert(node, low);
            }
        }
        if s.low[node] == s.index[node] {
            let mut component = Vec::new();
            while let Some(top) = s.stack.pop() {
                s.on_stack.remove(top);
                component.push(top.to_owned());
                if top == node {
                    break;
                }
            }
            component.sort();
            s.components.push(component);
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        components: Vec::new(),
    };
    for node in graph.keys() {
        if !state.index.contains_key(node.as_str()) {
            visit(&mut state, node);
        }
    }
    state.components
}

/// Prints every long function and import circle (`cargo xtask tidy`).
pub fn main(_args: &[String]) -> Result<(), String> {
    let root = crate::run::root();
    let mut long = Vec::new();
    for file in hand_written_files(&root)? {
        long.extend(long_functions(&root, &file)?);
    }
    long.sort_by_key(|f| std::cmp::Reverse(f.lines));
    for f in &long {
        println!("{} lines  {}:{} {}", f.lines, f.file.display(), f.line, f.name);
    }
    let mut circles = 0;
    for src in crate_sources(&root)? {
        for circle in import_circles(&root, &src)? {
            circles += 1;
            println!("circle in {}: {}", src.display(), circle.join(" -> "));
            for (from, to) in circle_edges(&root, &src, &circle)? {
                println!("    {from} -> {to}");
            }
        }
    }
    println!(
        "{} passed, {} failed",
        usize::from(long.is_empty()) + usize::from(circles == 0),
        usize::from(!long.is_empty()) + usize::from(circles > 0)
    );
    if long.is_empty() && circles == 0 { Ok(()) } else { Err("tidy rules broken".into()) }
}

/// The `src/` directories of the hand-written crates (and codegen and xtask).
pub fn crate_sources(root: &Path) -> Result<Vec<PathBuf>, String> {
    let mut sources = vec![PathBuf::from("codegen/src"), PathBuf::from("xtask/src")];
    for kind in ["runtime", "products", "testing"] {
        for entry in std::fs::read_dir(root.join("crates").join(kind)).map_err(|e| e.to_string())? {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.join("src").is_dir() {
                sources.push(path.join("src").strip_prefix(root).map_err(|e| e.to_string())?.to_owned());
            }
        }
    }
    Ok(sources)
}

/// The edges among `circle`'s modules (for explaining a circle).
pub fn circle_edges(root: &Path, src: &Path, circle: &[String]) -> Result<Vec<(String, String)>, String> {
    let graph = module_graph(root, src)?;
    let inside: BTreeSet<&String> = circle.iter().collect();
    Ok(graph
        .iter()
        .filter(|(from, _)| inside.contains(from))
        .flat_map(|(from, to)| to.iter().filter(|t| inside.contains(t)).map(move |t| (from.clone(), t.clone())))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_crate_has_an_import_circle() {
        let root = crate::run::root();
        let mut circles = Vec::new();
        for src in crate_sources(&root).unwrap() {
            for circle in import_circles(&root, &src).unwrap() {
                circles.push(format!("{}: {}", src.display(), circle.join(" -> ")));
            }
        }
        assert!(circles.is_empty(), "import circles (`cargo xtask tidy` shows their edges):\n{}", circles.join("\n"));
    }

    #[test]
    fn no_hand_written_function_is_over_the_limit() {
        let root = crate::run::root();
        let mut long = Vec::new();
        for file in hand_written_files(&root).unwrap() {
            long.extend(long_functions(&root, &file).unwrap());
        }
        let shown: Vec<String> =
            long.iter().map(|f| format!("{}:{} {} ({} lines)", f.file.display(), f.line, f.name, f.lines)).collect();
        assert!(long.is_empty(), "functions over {MAX_FUNCTION_LINES} lines:\n{}", shown.join("\n"));
    }

    #[test]
    fn circles_and_long_functions_are_found() {
        let graph: BTreeMap<String, BTreeSet<String>> =
            [("a", vec!["b"]), ("b", vec!["c"]), ("c", vec!["a"]), ("d", vec!["a"])]
                .into_iter()
                .map(|(from, to)| (from.to_owned(), to.into_iter().map(str::to_owned).collect()))
                .collect();
        let circles: Vec<_> = strongly_connected(&graph).into_iter().filter(|c| c.len() > 1).collect();
        assert_eq!(circles, [vec!["a".to_owned(), "b".into(), "c".into()]]);
        assert_eq!(resolve("x::y", &["super".into(), "z".into()]).as_deref(), Some("x::z"));
        assert_eq!(resolve("x::y", &["crate".into(), "q".into()]).as_deref(), Some("q"));
        let body: String = (0..90).map(|i| format!("    let a{i} = {i};\n")).collect();
        let table: String = (0..90).map(|i| format!("        {i},\n")).collect();
        let dir = std::env::temp_dir().join(format!("tidy-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("f.rs"),
            format!("fn long() {{\n{body}}}\nfn table() {{\n    let t = [\n{table}    ];\n}}\n"),
        )
        .unwrap();
        let found = long_functions(&dir, Path::new("f.rs")).unwrap();
        assert_eq!(found.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["long"]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
