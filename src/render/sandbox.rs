//! The sandbox every template renders in. mlgen runs in commit hooks and CI on repositories
//! that take pull requests, so a team template folder may be hostile: it must not read the host
//! (environment variables hold CI secrets), must render the same everywhere, and must not be able
//! to crash mlgen or exhaust the machine's memory.
//!
//! This module owns the limits and the checks that enforce them, applied by [`super::Renderer`]:
//! the Tera functions that read the host are replaced by ones that refuse, `range` is capped, a
//! template's nesting is bounded before Tera parses it, the template→template and macro→macro
//! graph is checked for cycles and depth before anything renders, and every file's output is
//! counted as it is written. It reads no files and holds no state between runs.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io;

use tera::ast::{Expr, ExprVal, FunctionCall, Node};
use tera::{Tera, Value};

/// Most items one `range(…)` call may produce. Loops over the spec's own lists never need
/// `range`; ten thousand is far beyond any numbering a template does, and keeps a loop
/// (or nested loops) from being used to stall or exhaust a CI machine.
pub(super) const MAX_RANGE_ITEMS: usize = 10_000;

/// Most bytes one rendered file may hold. The largest file the built-in templates can write
/// (1000 clusters and 1000 instances, both targets) is about 0.45 MiB; 4 MiB leaves room for
/// any real team template while refusing an output bomb long before it costs memory.
pub(super) const MAX_FILE_BYTES: usize = 4 << 20;

/// Most bytes one run may render in total. The largest built-in tree (limits of the schema:
/// 1000 clusters, 1000 instances, 20 environments, both targets) is about 2 MiB; 32 MiB is
/// sixteen times that, and small enough that every run fits comfortably in a CI runner.
pub(super) const MAX_RUN_BYTES: usize = 32 << 20;

/// Longest chain of includes, extends, imports and macro calls. The built-ins need one level,
/// a team template extending a built-in two. Every level costs native stack in Tera's
/// renderer, so a bound keeps a long acyclic chain from overflowing it the way a cycle would.
pub(super) const MAX_CHAIN: usize = 32;

/// Deepest nesting of tags and brackets in one template. Tera's parser and renderer recurse
/// once per level and overflow the stack (an abort, not an error) at a few thousand; the
/// built-ins nest 5 deep.
pub(super) const MAX_NESTING: usize = 64;

/// Stack of the thread templates render on. The deepest rendering the limits above allow
/// ([`MAX_CHAIN`] templates each nested [`MAX_NESTING`] deep) needs about 20 MiB in a debug
/// build and less than 8 MiB in a release build; the stack is reserved address space, and only
/// the pages a rendering touches are used.
pub(super) const RENDER_STACK_BYTES: usize = 64 << 20;

/// Functions Tera 1 provides (some only with its `builtins` feature, which mlgen does not
/// enable) that read the host or differ between runs. They are registered under the same names
/// so a template that uses one gets this explanation rather than "function not found".
const HOST_FUNCTIONS: &[(&str, &str)] = &[
    ("get_env", "reads environment variables"),
    ("now", "reads the clock"),
    ("get_random", "returns a different number on every run"),
];

/// Replaces Tera's functions that read the host, and its unbounded `range`.
pub(super) fn register(tera: &mut Tera) {
    for (name, why) in HOST_FUNCTIONS {
        tera.register_function(name, move |_: &HashMap<String, Value>| {
            Err(tera::Error::msg(format!(
                "`{name}` is not available in mlgen templates: it {why}, and templates must \
                 render the same everywhere and may not read the host"
            )))
        });
    }
    tera.register_function("range", range);
}

/// Tera's `range(end, start=0, step_by=1)`, refusing more than [`MAX_RANGE_ITEMS`] items and a
/// zero step (with which Tera's own loops forever).
fn range(args: &HashMap<String, Value>) -> tera::Result<Value> {
    let number =
        |key: &str, default: Option<usize>| -> tera::Result<usize> {
            match args.get(key) {
            Some(value) => value.as_u64().and_then(|n| usize::try_from(n).ok()).ok_or_else(|| {
                tera::Error::msg(format!(
                    "Function `range` received {key}={value} but `{key}` can only be a number"
                ))
            }),
            None => default.ok_or_else(|| {
                tera::Error::msg(format!("Function `range` was called without a `{key}` argument"))
            }),
        }
        };
    let start = number("start", Some(0))?;
    let step = number("step_by", Some(1))?;
    let end = number("end", None)?;
    if start > end {
        return Err(tera::Error::msg(
            "Function `range` was called with a `start` argument greater than the `end` one",
        ));
    }
    if step == 0 {
        return Err(tera::Error::msg(
            "Function `range` was called with `step_by=0`, which would never end",
        ));
    }
    let count = (end - start).div_ceil(step);
    if count > MAX_RANGE_ITEMS {
        return Err(tera::Error::msg(format!(
            "Function `range` would produce {count} items; mlgen allows at most {MAX_RANGE_ITEMS}"
        )));
    }
    Ok(Value::Array(
        (start..end).step_by(step).map(Value::from).collect(),
    ))
}

/// Checks that block tags and brackets in `source` nest at most [`MAX_NESTING`] deep; `Err` is
/// the byte offset where the limit is passed. Lexical and deliberately pessimistic (it also
/// counts brackets in strings and tags in comments): it must run before Tera's recursive parser
/// sees the text.
pub(super) fn nesting_within_limit(source: &str) -> Result<(), usize> {
    const OPENERS: &[&str] = &["if", "for", "block", "macro", "filter", "raw"];
    let mut depth: usize = 0;
    let mut rest = source;
    while let Some(start) = rest.find(['{']) {
        rest = &rest[start + 1..];
        let close = match rest.as_bytes().first() {
            Some(b'{') => "}}",
            Some(b'%') => "%}",
            _ => continue,
        };
        let inner = &rest[1..];
        let end = inner.find(close).unwrap_or(inner.len());
        let tag = &inner[..end];
        let word = tag
            .trim_start_matches('-')
            .split_whitespace()
            .next()
            .unwrap_or("");
        let mut brackets: usize = 0;
        let mut deepest = 0;
        for c in tag.chars() {
            match c {
                '(' | '[' => {
                    brackets += 1;
                    deepest = deepest.max(brackets);
                }
                ')' | ']' => brackets = brackets.saturating_sub(1),
                _ => {}
            }
        }
        if close == "%}" {
            if OPENERS.contains(&word) {
                depth += 1;
            } else if word
                .strip_prefix("end")
                .is_some_and(|w| OPENERS.contains(&w))
            {
                depth = depth.saturating_sub(1);
            }
        }
        if depth + deepest > MAX_NESTING {
            return Err(source.len() - rest.len());
        }
        rest = &inner[end..];
    }
    Ok(())
}

/// Collects the bytes of one rendered file, refusing to grow past `limit`.
pub(super) struct CappedWriter {
    pub(super) bytes: Vec<u8>,
    limit: usize,
    /// Set once a write would have passed the limit; Tera reports that as an I/O error, which
    /// this flag tells apart from any other.
    pub(super) exceeded: bool,
}

impl CappedWriter {
    pub(super) fn new(limit: usize) -> Self {
        Self {
            bytes: Vec::new(),
            limit,
            exceeded: false,
        }
    }
}

impl io::Write for CappedWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.bytes.len() + buf.len() > self.limit {
            self.exceeded = true;
            return Err(io::Error::other("output limit reached"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A node of the graph of what rendering one thing may render next.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Unit {
    /// A template's body (its blocks included, its macro definitions not).
    Template(String),
    /// A macro: (template defining it, macro name).
    Macro(String, String),
}

impl Unit {
    /// The template this unit is written in.
    pub(super) fn template(&self) -> &str {
        match self {
            Self::Template(t) | Self::Macro(t, _) => t,
        }
    }
}

impl std::fmt::Display for Unit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Template(t) => write!(f, "`{t}`"),
            Self::Macro(t, m) => write!(f, "macro `{m}` of `{t}`"),
        }
    }
}

/// How one unit reaches the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Edge {
    Includes,
    Extends,
    Imports,
    Calls,
}

impl Edge {
    fn verb(self) -> &'static str {
        match self {
            Self::Includes => "includes",
            Self::Extends => "extends",
            Self::Imports => "imports",
            Self::Calls => "calls",
        }
    }
}

/// What the static check found.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum GraphError {
    /// The units of a cycle, in order, each with how it reaches the next (the last reaches
    /// the first).
    Cycle(Vec<(Unit, Edge)>),
    /// A chain longer than [`MAX_CHAIN`], from its start.
    TooDeep(Vec<(Unit, Edge)>),
}

impl GraphError {
    /// The units involved, to pick the team template to blame.
    pub(super) fn units(&self) -> impl Iterator<Item = &Unit> {
        let (Self::Cycle(path) | Self::TooDeep(path)) = self;
        path.iter().map(|(unit, _)| unit)
    }
}

impl std::fmt::Display for GraphError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `a` includes `b`, which calls macro `m` of `c`, which …
        let steps = |path: &[(Unit, Edge)], end: &Unit| {
            let mut text = String::new();
            for (i, (unit, edge)) in path.iter().enumerate() {
                let next = path.get(i + 1).map_or(end, |(u, _)| u);
                let joiner = if i == 0 { "" } else { ", which" };
                text.push_str(&format!("{joiner} {} {next}", edge.verb()));
                if i == 0 {
                    text = format!("{unit}{text}");
                }
            }
            text
        };
        match self {
            Self::Cycle(path) => write!(
                f,
                "recursion: {}; templates may not include, extend or import themselves and \
                 macros may not call themselves, directly or through others (Tera would \
                 overflow the stack)",
                steps(path, &path[0].0)
            ),
            Self::TooDeep(path) => {
                // The first steps show where the chain starts; the count says how long it is.
                let shown = &path[..path.len().min(4)];
                let (body, end) = shown.split_at(shown.len() - 1);
                let more = if shown.len() < path.len() {
                    ", …"
                } else {
                    ""
                };
                write!(
                    f,
                    "templates nest more than {MAX_CHAIN} levels deep ({} levels from here): {}{more}",
                    path.len() - 1,
                    steps(body, &end[0].0)
                )
            }
        }
    }
}

/// Edges of every unit of the compiled templates.
pub(super) type Graph = BTreeMap<Unit, BTreeSet<(Unit, Edge)>>;

/// Refuses any cycle among templates (include, extends, import) and macros (calls), and any
/// acyclic chain longer than [`MAX_CHAIN`]. Tera expands includes and macro calls at render time
/// without a depth limit, so a cycle overflows the stack; this finds it before rendering.
pub(super) fn check_graph(tera: &Tera) -> Result<Graph, GraphError> {
    let graph = graph(tera);
    match walk(&graph) {
        Some(error) => Err(error),
        None => Ok(graph),
    }
}

/// The templates rendering `template` may reach, nearest first, without `template` itself.
pub(super) fn reachable<'g>(graph: &'g Graph, template: &str) -> Vec<&'g str> {
    let start = Unit::Template(template.to_owned());
    let mut seen: BTreeSet<&Unit> = BTreeSet::new();
    let mut queue: std::collections::VecDeque<&Unit> = graph
        .get_key_value(&start)
        .map(|(unit, _)| unit)
        .into_iter()
        .collect();
    let mut templates: Vec<&str> = Vec::new();
    while let Some(unit) = queue.pop_front() {
        if !seen.insert(unit) {
            continue;
        }
        if unit.template() != template && !templates.contains(&unit.template()) {
            templates.push(unit.template());
        }
        queue.extend(graph.get(unit).into_iter().flatten().map(|(next, _)| next));
    }
    templates
}

fn graph(tera: &Tera) -> Graph {
    let mut names: Vec<&str> = tera.get_template_names().collect();
    names.sort_unstable();
    // Which file a macro namespace can mean. Tera resolves a namespace through the imports of
    // the active template, its imports' imports and its parents, and `self` through whatever
    // template is active (which inside a block is the block's template): rather than replay
    // those rules, a call may reach every macro of that name in any file bound to that
    // namespace anywhere. That can only add edges, so no real cycle is missed.
    let mut bound: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut graph = Graph::new();
    for &name in &names {
        let Ok(template) = tera.get_template(name) else {
            continue;
        };
        bound.entry("self").or_default().insert(name);
        for (file, namespace) in &template.imported_macro_files {
            bound
                .entry(namespace.as_str())
                .or_default()
                .insert(file.as_str());
        }
    }
    let defines = |file: &str, name: &str| {
        tera.get_template(file)
            .is_ok_and(|t| t.macros.contains_key(name))
    };
    for &name in &names {
        let Ok(template) = tera.get_template(name) else {
            continue;
        };
        let mut found = Found::default();
        found.nodes(&template.ast);
        if let Some(parent) = &template.parent {
            found
                .edges
                .insert((Reach::Template(parent.clone()), Edge::Extends));
        }
        for (file, _) in &template.imported_macro_files {
            found
                .edges
                .insert((Reach::Template(file.clone()), Edge::Imports));
        }
        let mut units = vec![(Unit::Template(name.to_owned()), found)];
        let mut macros: Vec<_> = template.macros.iter().collect();
        macros.sort_unstable_by_key(|(m, _)| *m);
        for (macro_name, definition) in macros {
            let mut found = Found::default();
            found.nodes(&definition.body);
            units.push((Unit::Macro(name.to_owned(), macro_name.clone()), found));
        }
        for (unit, found) in units {
            let edges = graph.entry(unit).or_default();
            for (reach, edge) in found.edges {
                match reach {
                    Reach::Template(t) => {
                        edges.insert((Unit::Template(t), edge));
                    }
                    Reach::Macro(namespace, m) => {
                        for file in bound.get(namespace.as_str()).into_iter().flatten() {
                            if defines(file, &m) {
                                edges.insert((Unit::Macro((*file).to_owned(), m.clone()), edge));
                            }
                        }
                    }
                }
            }
        }
    }
    graph
}

/// The longest chain (in edges) starting at a finished unit, and its first step.
type Longest<'g> = (usize, Option<(&'g Unit, Edge)>);

/// Depth-first search without recursion (a team folder can be a chain of thousands of
/// templates): the first cycle found, or else the first chain longer than [`MAX_CHAIN`].
fn walk(graph: &Graph) -> Option<GraphError> {
    let no_edges = BTreeSet::new();
    let edges_of = |unit: &Unit| graph.get(unit).unwrap_or(&no_edges);
    // Units on the current path, and finished units with their longest chain.
    let mut on_path: BTreeSet<&Unit> = BTreeSet::new();
    let mut done: BTreeMap<&Unit, Longest<'_>> = BTreeMap::new();
    for root in graph.keys() {
        if done.contains_key(root) {
            continue;
        }
        // Each unit on the path with its edges still to follow, and the edge that leads from
        // it to the next unit on the path.
        let mut path = vec![(root, edges_of(root).iter(), Edge::Includes)];
        on_path.insert(root);
        while let Some((unit, edges, _)) = path.last_mut() {
            let unit: &Unit = unit;
            let Some((next, edge)) = edges.next() else {
                let best = edges_of(unit)
                    .iter()
                    .map(|(next, edge)| {
                        (
                            done.get(next).map_or(0, |(d, _)| *d) + 1,
                            Some((next, *edge)),
                        )
                    })
                    .max_by_key(|(depth, _)| *depth)
                    .unwrap_or((0, None));
                if best.0 > MAX_CHAIN {
                    let mut chain = Vec::new();
                    let (mut at, mut step) = (unit, best.1);
                    while let Some((next, edge)) = step {
                        chain.push((at.clone(), edge));
                        at = next;
                        step = done.get(next).and_then(|(_, s)| *s);
                    }
                    // The end of the chain; its edge is never shown.
                    chain.push((at.clone(), Edge::Includes));
                    return Some(GraphError::TooDeep(chain));
                }
                done.insert(unit, best);
                on_path.remove(unit);
                path.pop();
                continue;
            };
            if let Some(last) = path.last_mut() {
                last.2 = *edge;
            }
            if on_path.contains(next) {
                let start = path.iter().position(|(u, _, _)| *u == next).unwrap_or(0);
                let mut cycle: Vec<(Unit, Edge)> = path[start..]
                    .iter()
                    .map(|(u, _, e)| ((*u).clone(), *e))
                    .collect();
                // Report the cycle from its first unit in name order, the same on every run.
                let first = cycle
                    .iter()
                    .enumerate()
                    .min_by(|a, b| a.1.0.cmp(&b.1.0))
                    .map_or(0, |(i, _)| i);
                cycle.rotate_left(first);
                return Some(GraphError::Cycle(cycle));
            }
            if !done.contains_key(next) {
                on_path.insert(next);
                path.push((next, edges_of(next).iter(), Edge::Includes));
            }
        }
    }
    None
}

/// A template or macro another unit may render: a template by name, or a macro by
/// (namespace, name) until the namespace is resolved.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Reach {
    Template(String),
    Macro(String, String),
}

/// What one unit's AST refers to.
#[derive(Default)]
struct Found {
    edges: BTreeSet<(Reach, Edge)>,
}

impl Found {
    /// Nesting is bounded by [`nesting_within_limit`] before Tera parses, so recursing over the
    /// AST here cannot overflow the stack.
    fn nodes(&mut self, nodes: &[Node]) {
        for node in nodes {
            match node {
                Node::VariableBlock(_, expr) => self.expr(expr),
                Node::Include(_, names, _) => {
                    for name in names {
                        self.edges
                            .insert((Reach::Template(name.clone()), Edge::Includes));
                    }
                }
                Node::Set(_, set) => self.expr(&set.value),
                Node::FilterSection(_, section, _) => {
                    self.call(&section.filter);
                    self.nodes(&section.body);
                }
                Node::Block(_, block, _) => self.nodes(&block.body),
                Node::Forloop(_, forloop, _) => {
                    self.expr(&forloop.container);
                    self.nodes(&forloop.body);
                    if let Some(body) = &forloop.empty_body {
                        self.nodes(body);
                    }
                }
                Node::If(branches, _) => {
                    for (_, condition, body) in &branches.conditions {
                        self.expr(condition);
                        self.nodes(body);
                    }
                    if let Some((_, body)) = &branches.otherwise {
                        self.nodes(body);
                    }
                }
                // Macro definitions are units of their own; extends and imports are read from
                // the template's fields; the rest renders nothing else.
                Node::MacroDefinition(..)
                | Node::Extends(..)
                | Node::ImportMacro(..)
                | Node::Super
                | Node::Text(_)
                | Node::Raw(..)
                | Node::Break(_)
                | Node::Continue(_)
                | Node::Comment(..) => {}
            }
        }
    }

    fn expr(&mut self, expr: &Expr) {
        self.value(&expr.val);
        for filter in &expr.filters {
            self.call(filter);
        }
    }

    fn call(&mut self, call: &FunctionCall) {
        for arg in call.args.values() {
            self.expr(arg);
        }
    }

    fn value(&mut self, value: &ExprVal) {
        match value {
            ExprVal::Math(math) => {
                self.expr(&math.lhs);
                self.expr(&math.rhs);
            }
            ExprVal::Logic(logic) => {
                self.expr(&logic.lhs);
                self.expr(&logic.rhs);
            }
            ExprVal::In(within) => {
                self.expr(&within.lhs);
                self.expr(&within.rhs);
            }
            ExprVal::Test(test) => test.args.iter().for_each(|a| self.expr(a)),
            ExprVal::MacroCall(call) => {
                self.edges.insert((
                    Reach::Macro(call.namespace.clone(), call.name.clone()),
                    Edge::Calls,
                ));
                call.args.values().for_each(|a| self.expr(a));
            }
            ExprVal::FunctionCall(call) => self.call(call),
            ExprVal::Array(items) => items.iter().for_each(|i| self.expr(i)),
            ExprVal::StringConcat(concat) => concat.values.iter().for_each(|v| self.value(v)),
            ExprVal::String(_)
            | ExprVal::Int(_)
            | ExprVal::Float(_)
            | ExprVal::Bool(_)
            | ExprVal::Ident(_) => {}
        }
    }
}

/// `name` with every character that could end or disturb a comment line replaced by a visible
/// `\u{…}` escape: control characters (newlines among them), Unicode line and paragraph
/// separators, and the invisible direction and byte-order marks. Ordinary names are returned
/// unchanged, byte for byte.
pub(super) fn printable(name: &str) -> String {
    let hidden = |c: char| {
        c.is_control()
            || matches!(
                c,
                '\u{2028}' | '\u{2029}' // line and paragraph separators
                    | '\u{200e}' | '\u{200f}' | '\u{061c}' // direction marks
                    | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' // bidi embeddings, isolates
                    | '\u{feff}' // byte-order mark
            )
    };
    name.chars()
        .map(|c| {
            if hidden(c) {
                format!("\\u{{{:x}}}", u32::from(c))
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tera(templates: &[(&str, &str)]) -> Tera {
        let mut tera = Tera::default();
        register(&mut tera);
        tera.add_raw_templates(templates.to_vec()).unwrap();
        tera
    }

    fn render(source: &str) -> Result<String, String> {
        let tera = tera(&[("t", source)]);
        tera.render("t", &tera::Context::new()).map_err(|e| {
            let mut message = e.to_string();
            let mut cause = std::error::Error::source(&e);
            while let Some(c) = cause {
                message.push_str(&format!(": {c}"));
                cause = c.source();
            }
            message
        })
    }

    #[test]
    fn host_functions_refuse() {
        for call in ["get_env(name=\"HOME\")", "now()", "get_random(end=9)"] {
            let err = render(&format!("{{{{ {call} }}}}")).unwrap_err();
            assert!(err.contains("is not available in mlgen templates"), "{err}");
        }
    }

    #[test]
    fn range_keeps_teras_semantics_within_the_cap() {
        assert_eq!(
            render("{{ range(end=3) | join(sep=',') }}").unwrap(),
            "0,1,2"
        );
        assert_eq!(
            render("{{ range(start=2, end=9, step_by=3) | join(sep=',') }}").unwrap(),
            "2,5,8"
        );
        assert_eq!(render("{{ range(start=4, end=4) | length }}").unwrap(), "0");
        assert_eq!(
            render("{{ range(end=10000) | length }}").unwrap(),
            "10000",
            "the cap itself is allowed"
        );
        for bad in [
            "range(end=10001)",
            "range(end=100000000000)",
            "range(end=5, step_by=0)",
            "range(start=5, end=1)",
            "range(start=0)",
            "range(end=-1)",
            "range(end=\"9\")",
        ] {
            assert!(render(&format!("{{{{ {bad} }}}}")).is_err(), "{bad}");
        }
        assert!(
            render("{{ range(end=20000, step_by=2) | length }}").is_ok(),
            "10 000 items"
        );
    }

    #[test]
    fn nesting_is_bounded_before_parsing() {
        let deep = |n: usize| "{% if true %}".repeat(n) + &"{% endif %}".repeat(n);
        assert!(nesting_within_limit(&deep(MAX_NESTING)).is_ok());
        assert!(nesting_within_limit(&deep(MAX_NESTING + 1)).is_err());
        let parens = |n: usize| format!("{{{{ {}1{} }}}}", "(".repeat(n), ")".repeat(n));
        assert!(nesting_within_limit(&parens(MAX_NESTING)).is_ok());
        assert!(nesting_within_limit(&parens(5000)).is_err());
        // Tera parses and renders a template at the limit, even on a test thread's small stack.
        let limit = "{% if true %}".repeat(MAX_NESTING / 2)
            + &format!(
                "{{{{ {}1{} }}}}",
                "(".repeat(MAX_NESTING / 2),
                ")".repeat(MAX_NESTING / 2)
            )
            + &"{% endif %}".repeat(MAX_NESTING / 2);
        assert!(nesting_within_limit(&limit).is_ok());
        assert_eq!(render(&limit).unwrap(), "1");
        // Sequential blocks do not add up.
        assert!(nesting_within_limit(&"{% if a %}({[x]}){% endif %}\n".repeat(1000)).is_ok());
        assert!(nesting_within_limit("{%- for x in y -%}{%- endfor -%} { {{").is_ok());
        for (name, source) in crate::templates::BUILTIN {
            assert!(nesting_within_limit(source).is_ok(), "{name}");
        }
    }

    #[test]
    fn cycles_are_found_and_named() {
        let err = check_graph(&tera(&[("a", "{% include \"a\" %}")])).unwrap_err();
        assert_eq!(
            err.to_string().split(';').next().unwrap(),
            "recursion: `a` includes `a`"
        );
        let err = check_graph(&tera(&[
            ("a", "x{% include \"b\" %}"),
            ("b", "{% if c %}{{ 1 + 2 }}{% include \"a\" %}{% endif %}"),
        ]))
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("recursion: `a` includes `b`, which includes `a`;"),
            "{err}"
        );
        let err = check_graph(&tera(&[(
            "m",
            "{% macro f(n) %}{% if n > 0 %}{{ self::f(n=n - 1) }}{% endif %}{% endmacro f %}",
        )]))
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("recursion: macro `f` of `m` calls macro `f` of `m`;"),
            "{err}"
        );
        let err = check_graph(&tera(&[
            (
                "m",
                "{% import \"n\" as n %}{% macro f() %}{{ n::g() }}{% endmacro f %}",
            ),
            (
                "n",
                "{% import \"m\" as m %}{% macro g() %}{{ m::f() }}{% endmacro g %}",
            ),
        ]))
        .unwrap_err();
        assert!(
            err.to_string().starts_with("recursion: `m` imports `n`"),
            "{err}"
        );
        let err = check_graph(&tera(&[
            (
                "m",
                "{% macro f() %}{% for x in [1] %}{{ x | default(value=self::g()) }}{% endfor %}{% endmacro f %}\
                 {% macro g() %}{% filter upper %}{% include \"t\" %}{% endfilter %}{% endmacro g %}",
            ),
            ("t", "{% import \"m\" as q %}{{ q::f() }}"),
        ]))
        .unwrap_err();
        assert!(matches!(err, GraphError::Cycle(_)), "{err}");
    }

    #[test]
    fn acyclic_chains_pass_up_to_the_limit() {
        let chain = |n: usize| -> Vec<(String, String)> {
            (0..=n)
                .map(|i| {
                    let body = if i < n {
                        format!("{{% include \"t{}\" %}}", i + 1)
                    } else {
                        "end".to_owned()
                    };
                    (format!("t{i}"), body)
                })
                .collect()
        };
        let build = |templates: Vec<(String, String)>| {
            let mut tera = Tera::default();
            tera.add_raw_templates(templates).unwrap();
            tera
        };
        let ok = build(chain(MAX_CHAIN));
        assert!(check_graph(&ok).is_ok());
        assert_eq!(
            ok.render("t0", &tera::Context::new()).unwrap(),
            "end",
            "a chain at the limit renders"
        );
        let err = check_graph(&build(chain(MAX_CHAIN + 1))).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("templates nest more than 32 levels deep (33 levels from here): `t0` includes `t1`, which includes `t2`, which includes `t3`, …"),
            "{err}"
        );
        // A long chain does not overflow the checker itself.
        assert!(matches!(
            check_graph(&build(chain(20_000))),
            Err(GraphError::TooDeep(_))
        ));
        // Diamonds are not cycles.
        let diamond = build(vec![
            ("a".into(), "{% include \"b\" %}{% include \"c\" %}".into()),
            ("b".into(), "{% include \"d\" %}".into()),
            ("c".into(), "{% include \"d\" %}".into()),
            ("d".into(), "d".into()),
        ]);
        let graph = check_graph(&diamond).unwrap();
        assert_eq!(reachable(&graph, "a"), ["b", "c", "d"]);
    }

    #[test]
    fn the_builtins_pass() {
        let mut tera = Tera::default();
        let sources = crate::templates::BUILTIN
            .iter()
            .flat_map(|(name, source)| {
                [
                    ((*name).to_owned(), (*source).to_owned()),
                    (format!("builtin/{name}"), (*source).to_owned()),
                ]
            })
            .collect::<Vec<_>>();
        tera.add_raw_templates(sources).unwrap();
        assert!(check_graph(&tera).is_ok());
    }

    #[test]
    fn printable_escapes_only_what_breaks_a_line() {
        for name in ["mlgen.yaml", "spec with spaces.yml", "spéc-€.yaml", "a\\b"] {
            assert_eq!(printable(name), name);
        }
        assert_eq!(
            printable("x\nresource \"a\" \"b\" {}\r\t\u{2028}\u{202e}.yaml"),
            "x\\u{a}resource \"a\" \"b\" {}\\u{d}\\u{9}\\u{2028}\\u{202e}.yaml"
        );
    }

    #[test]
    fn the_writer_stops_at_its_limit() {
        use std::io::Write as _;
        let mut writer = CappedWriter::new(4);
        writer.write_all(b"abcd").unwrap();
        assert!(!writer.exceeded);
        assert!(writer.write_all(b"e").is_err());
        assert!(writer.exceeded);
        assert_eq!(writer.bytes, b"abcd");
    }
}
