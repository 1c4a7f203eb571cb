//! A reader for the Bicep literals mlgen writes (strings with escapes, arrays and objects over
//! newlines), so tests can check what Bicep will see.
#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;

/// A Bicep literal, as far as names and params need one.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    /// A string.
    Str(String),
    /// A number, boolean or reference, as written.
    Other(String),
    /// An array.
    Arr(Vec<Lit>),
    /// An object.
    Obj(BTreeMap<String, Lit>),
}

/// Parses a Bicep literal: strings (with escapes), arrays and objects over newlines, anything
/// else (numbers, booleans, references) as text.
pub fn parse_literal(text: &str) -> Lit {
    let chars: Vec<char> = text.trim().chars().collect();
    literal(&chars, &mut 0)
}

fn skip_space(chars: &[char], pos: &mut usize) {
    while *pos < chars.len() && chars[*pos].is_whitespace() {
        *pos += 1;
    }
}

fn literal(chars: &[char], pos: &mut usize) -> Lit {
    skip_space(chars, pos);
    match chars.get(*pos) {
        Some('\'') => Lit::Str(string_literal(chars, pos)),
        Some('[') => {
            *pos += 1;
            let mut items = Vec::new();
            loop {
                skip_space(chars, pos);
                if chars.get(*pos) == Some(&']') {
                    *pos += 1;
                    return Lit::Arr(items);
                }
                items.push(literal(chars, pos));
            }
        }
        Some('{') => {
            *pos += 1;
            let mut fields = BTreeMap::new();
            loop {
                skip_space(chars, pos);
                if chars.get(*pos) == Some(&'}') {
                    *pos += 1;
                    return Lit::Obj(fields);
                }
                let key = if chars[*pos] == '\'' {
                    string_literal(chars, pos)
                } else {
                    let start = *pos;
                    while chars[*pos] != ':' {
                        *pos += 1;
                    }
                    chars[start..*pos]
                        .iter()
                        .collect::<String>()
                        .trim()
                        .to_owned()
                };
                skip_space(chars, pos);
                assert_eq!(chars[*pos], ':');
                *pos += 1;
                fields.insert(key, literal(chars, pos));
            }
        }
        _ => {
            let start = *pos;
            while *pos < chars.len() && !chars[*pos].is_whitespace() && !"]}".contains(chars[*pos])
            {
                *pos += 1;
            }
            Lit::Other(chars[start..*pos].iter().collect())
        }
    }
}

fn string_literal(chars: &[char], pos: &mut usize) -> String {
    let mut out = String::new();
    *pos += 1;
    while chars[*pos] != '\'' {
        if chars[*pos] == '\\' {
            *pos += 1;
            match chars[*pos] {
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                'u' if chars.get(*pos + 1) == Some(&'{') => {
                    let end = chars[*pos..].iter().position(|&c| c == '}').unwrap() + *pos;
                    let hex: String = chars[*pos + 2..end].iter().collect();
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).unwrap()).unwrap());
                    *pos = end;
                }
                c => out.push(c),
            }
        } else {
            out.push(chars[*pos]);
        }
        *pos += 1;
    }
    *pos += 1;
    out
}

impl Lit {
    /// Field `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Lit> {
        match self {
            Lit::Obj(fields) => fields.get(key),
            _ => None,
        }
    }

    /// The field at a dotted path (`properties.publicNetworkAccess`); panics naming the path
    /// when it is not there.
    pub fn at(&self, path: &str) -> &Lit {
        path.split('.').fold(self, |lit, key| {
            lit.get(key)
                .unwrap_or_else(|| panic!("no `{key}` of `{path}` in {lit:?}"))
        })
    }

    /// The text of a string literal, or `None`.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Lit::Str(s) => Some(s),
            _ => None,
        }
    }

    /// An expression, number or boolean as written (`shared.outputs.keyVaultId`, `16`).
    pub fn as_expr(&self) -> Option<&str> {
        match self {
            Lit::Other(s) => Some(s),
            _ => None,
        }
    }

    /// Every expression (`Other`) in this value, nested ones included, in order.
    pub fn expressions(&self) -> Vec<&str> {
        match self {
            Lit::Str(_) => Vec::new(),
            Lit::Other(e) => vec![e.as_str()],
            Lit::Arr(items) => items.iter().flat_map(Lit::expressions).collect(),
            Lit::Obj(fields) => fields.values().flat_map(Lit::expressions).collect(),
        }
    }
}

/// A top-level statement of a `.bicep` or `.bicepparam` file.
#[derive(Debug, Clone)]
pub struct Statement {
    /// `param`, `var`, `output`, `resource`, `module`, `targetScope`, `using`, …
    pub keyword: String,
    /// The symbolic name; empty for `targetScope` and `using`.
    pub name: String,
    /// What stands between the name and `=`: a type (`string`), a quoted resource type or
    /// module path, `existing`. For `using`, the quoted file.
    pub header: String,
    /// The decorators right above it, e.g. `@description('…')`.
    pub decorators: Vec<String>,
    /// The condition of `= if (condition) {…}`.
    pub condition: Option<String>,
    /// The head of `= [for head: {…}]` (`cluster in computeClusters`).
    pub loop_head: Option<String>,
    /// The value after `=` (for a loop, the body of one item).
    pub value: Option<Lit>,
}

impl Statement {
    /// The first quoted string of the header: a resource's type or a module's path.
    pub fn quoted(&self) -> &str {
        self.header
            .split('\'')
            .nth(1)
            .unwrap_or_else(|| panic!("nothing quoted in `{}`", self.header))
    }

    /// The value; panics when the statement has none.
    pub fn value(&self) -> &Lit {
        self.value
            .as_ref()
            .unwrap_or_else(|| panic!("{} {} has no value", self.keyword, self.name))
    }
}

/// Every top-level statement of a Bicep or bicepparam file, with its decorators and its value
/// parsed by [`parse_value`].
pub fn statements(text: &str) -> Vec<Statement> {
    let chars: Vec<char> = text.chars().collect();
    let mut pos = 0;
    let mut decorators = Vec::new();
    let mut out = Vec::new();
    while pos < chars.len() {
        skip_blank(&chars, &mut pos);
        if pos >= chars.len() {
            break;
        }
        if chars[pos] == '@' {
            let start = pos;
            scan_expression(&chars, &mut pos);
            decorators.push(chars[start..pos].iter().collect());
            continue;
        }
        let keyword = word(&chars, &mut pos);
        assert!(!keyword.is_empty(), "a statement at {:?}", &text[..pos]);
        skip_inline_space(&chars, &mut pos);
        let name = if matches!(keyword.as_str(), "targetScope" | "using") {
            String::new()
        } else {
            let name = word(&chars, &mut pos);
            skip_inline_space(&chars, &mut pos);
            name
        };
        // The header runs to ` = ` or the end of the line, outside strings.
        let start = pos;
        while pos < chars.len() && chars[pos] != '\n' && chars[pos] != '=' {
            if chars[pos] == '\'' {
                string_literal(&chars, &mut pos);
            } else {
                pos += 1;
            }
        }
        let header = chars[start..pos]
            .iter()
            .collect::<String>()
            .trim()
            .to_owned();
        let mut statement = Statement {
            keyword,
            name,
            header,
            decorators: std::mem::take(&mut decorators),
            condition: None,
            loop_head: None,
            value: None,
        };
        if chars.get(pos) == Some(&'=') {
            pos += 1;
            skip_inline_space(&chars, &mut pos);
            if starts_with(&chars, pos, "if ") || starts_with(&chars, pos, "if(") {
                pos += 2;
                skip_inline_space(&chars, &mut pos);
                let start = pos;
                skip_balanced(&chars, &mut pos);
                statement.condition = Some(chars[start + 1..pos - 1].iter().collect());
                skip_inline_space(&chars, &mut pos);
            }
            if starts_with(&chars, pos, "[for ") {
                pos += 5;
                let start = pos;
                while chars[pos] != ':' {
                    if "([{".contains(chars[pos]) {
                        skip_balanced(&chars, &mut pos);
                    } else {
                        pos += 1;
                    }
                }
                statement.loop_head = Some(
                    chars[start..pos]
                        .iter()
                        .collect::<String>()
                        .trim()
                        .to_owned(),
                );
                pos += 1;
                statement.value = Some(value(&chars, &mut pos));
                skip_space(&chars, &mut pos);
                assert_eq!(chars.get(pos), Some(&']'), "a loop ends with `]`");
                pos += 1;
            } else {
                statement.value = Some(value(&chars, &mut pos));
            }
        }
        out.push(statement);
    }
    out
}

/// The one statement `keyword name` of `statements`; panics if there is none.
pub fn find<'a>(statements: &'a [Statement], keyword: &str, name: &str) -> &'a Statement {
    statements
        .iter()
        .find(|s| s.keyword == keyword && s.name == name)
        .unwrap_or_else(|| panic!("no `{keyword} {name}`"))
}

/// Every `param` of a bicepparam file (or every `param` default of a Bicep file) by name.
pub fn params(text: &str) -> BTreeMap<String, Lit> {
    statements(text)
        .into_iter()
        .filter(|s| s.keyword == "param")
        .filter_map(|s| Some((s.name, s.value?)))
        .collect()
}

/// Parses one Bicep value as Bicep reads it: a string literal only when it has no
/// interpolation (`'${a}b'` is an expression), objects and arrays over newlines or commas,
/// and anything else (references, calls, conditions, numbers, booleans, `[for …]`) as one
/// expression, kept as written. Comments are skipped.
pub fn parse_value(text: &str) -> Lit {
    let chars: Vec<char> = text.trim().chars().collect();
    let mut pos = 0;
    let lit = value(&chars, &mut pos);
    skip_space(&chars, &mut pos);
    assert_eq!(pos, chars.len(), "one value in {text:?}");
    lit
}

fn starts_with(chars: &[char], pos: usize, prefix: &str) -> bool {
    prefix
        .chars()
        .enumerate()
        .all(|(i, c)| chars.get(pos + i) == Some(&c))
}

fn skip_inline_space(chars: &[char], pos: &mut usize) {
    while *pos < chars.len() && (chars[*pos] == ' ' || chars[*pos] == '\t') {
        *pos += 1;
    }
}

/// Skips whitespace and `//` comments.
fn skip_blank(chars: &[char], pos: &mut usize) {
    loop {
        skip_space(chars, pos);
        if starts_with(chars, *pos, "//") {
            while *pos < chars.len() && chars[*pos] != '\n' {
                *pos += 1;
            }
        } else if starts_with(chars, *pos, "/*") {
            while *pos < chars.len() && !starts_with(chars, *pos, "*/") {
                *pos += 1;
            }
            *pos += 2;
        } else {
            return;
        }
    }
}

fn word(chars: &[char], pos: &mut usize) -> String {
    let start = *pos;
    while *pos < chars.len() && (chars[*pos].is_alphanumeric() || chars[*pos] == '_') {
        *pos += 1;
    }
    chars[start..*pos].iter().collect()
}

/// Skips a string literal starting at `pos` (its `${…}` interpolations included); returns
/// whether it interpolates.
fn skip_string(chars: &[char], pos: &mut usize) -> bool {
    let mut interpolates = false;
    *pos += 1;
    while chars[*pos] != '\'' {
        match chars[*pos] {
            '\\' => *pos += 2,
            '$' if chars.get(*pos + 1) == Some(&'{') => {
                interpolates = true;
                *pos += 1;
                skip_balanced(chars, pos);
            }
            _ => *pos += 1,
        }
    }
    *pos += 1;
    interpolates
}

/// Skips a bracketed group starting at `pos` (`(…)`, `[…]` or `{…}`), strings and comments
/// inside included.
fn skip_balanced(chars: &[char], pos: &mut usize) {
    let mut depth = 0;
    loop {
        match chars[*pos] {
            '\'' => {
                skip_string(chars, pos);
                continue;
            }
            '/' if starts_with(chars, *pos, "//") || starts_with(chars, *pos, "/*") => {
                skip_blank(chars, pos);
                continue;
            }
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth == 0 {
                    *pos += 1;
                    return;
                }
            }
            _ => {}
        }
        *pos += 1;
    }
}

/// Skips an expression: up to a newline, `,`, or a closing bracket, outside brackets and
/// strings.
fn scan_expression(chars: &[char], pos: &mut usize) {
    while *pos < chars.len() {
        match chars[*pos] {
            '\n' | ',' | ')' | ']' | '}' => return,
            '\'' => {
                skip_string(chars, pos);
            }
            '(' | '[' | '{' => skip_balanced(chars, pos),
            '/' if starts_with(chars, *pos, "//") => return,
            _ => *pos += 1,
        }
    }
}

fn value(chars: &[char], pos: &mut usize) -> Lit {
    skip_blank(chars, pos);
    let start = *pos;
    match chars.get(*pos) {
        Some('{') => {
            *pos += 1;
            let mut fields = BTreeMap::new();
            loop {
                skip_blank(chars, pos);
                if chars.get(*pos) == Some(&',') {
                    *pos += 1;
                    continue;
                }
                if chars.get(*pos) == Some(&'}') {
                    *pos += 1;
                    break;
                }
                let key = if chars[*pos] == '\'' {
                    string_literal(chars, pos)
                } else {
                    word(chars, pos)
                };
                skip_inline_space(chars, pos);
                assert_eq!(
                    chars.get(*pos),
                    Some(&':'),
                    "`key:` in an object, after {key}"
                );
                *pos += 1;
                fields.insert(key, value(chars, pos));
            }
            return after_value(chars, pos, start, Lit::Obj(fields));
        }
        Some('[') if !starts_with(chars, *pos + 1, "for ") => {
            *pos += 1;
            let mut items = Vec::new();
            loop {
                skip_blank(chars, pos);
                if chars.get(*pos) == Some(&',') {
                    *pos += 1;
                    continue;
                }
                if chars.get(*pos) == Some(&']') {
                    *pos += 1;
                    break;
                }
                items.push(value(chars, pos));
            }
            return after_value(chars, pos, start, Lit::Arr(items));
        }
        Some('\'') => {
            let mut end = *pos;
            if !skip_string(chars, &mut end) {
                let text = string_literal(chars, pos);
                return after_value(chars, pos, start, Lit::Str(text));
            }
        }
        _ => {}
    }
    scan_expression(chars, pos);
    Lit::Other(
        chars[start..*pos]
            .iter()
            .collect::<String>()
            .trim()
            .to_owned(),
    )
}

/// `lit` if the value ends here; otherwise it was only the start of an expression (`{…} : x`,
/// `'a' == b`), which is returned whole.
fn after_value(chars: &[char], pos: &mut usize, start: usize, lit: Lit) -> Lit {
    skip_inline_space(chars, pos);
    match chars.get(*pos) {
        None | Some('\n' | ',' | ')' | ']' | '}') => lit,
        Some('/') if starts_with(chars, *pos, "//") => lit,
        Some(_) => {
            scan_expression(chars, pos);
            Lit::Other(
                chars[start..*pos]
                    .iter()
                    .collect::<String>()
                    .trim()
                    .to_owned(),
            )
        }
    }
}

/// Evaluates a Bicep expression as far as names and suffixes need: string literals (with
/// `${…}` interpolation), integers, `true`/`false`, params and vars from `scope`, member
/// access, `cond ? a : b`, and calls to the functions `call` implements (name, arguments).
/// Numbers and booleans are `Lit::Other` as written.
pub fn evaluate(
    expr: &str,
    scope: &BTreeMap<String, Lit>,
    call: &dyn Fn(&str, Vec<Lit>) -> Lit,
) -> Lit {
    let chars: Vec<char> = expr.trim().chars().collect();
    let mut eval = Eval {
        chars: &chars,
        pos: 0,
        scope,
        call,
    };
    let value = eval.conditional();
    eval.space();
    assert_eq!(
        eval.pos,
        chars.len(),
        "unsupported Bicep expression: {expr}"
    );
    value
}

struct Eval<'a> {
    chars: &'a [char],
    pos: usize,
    scope: &'a BTreeMap<String, Lit>,
    call: &'a dyn Fn(&str, Vec<Lit>) -> Lit,
}

impl Eval<'_> {
    fn space(&mut self) {
        skip_space(self.chars, &mut self.pos);
    }

    fn eat(&mut self, c: char) -> bool {
        self.space();
        let found = self.chars.get(self.pos) == Some(&c);
        if found {
            self.pos += 1;
        }
        found
    }

    fn conditional(&mut self) -> Lit {
        let condition = self.postfix();
        if !self.eat('?') {
            return condition;
        }
        let yes = self.conditional();
        assert!(self.eat(':'), "`:` of a condition");
        let no = self.conditional();
        match condition {
            Lit::Other(b) if b == "true" => yes,
            Lit::Other(b) if b == "false" => no,
            other => panic!("a condition must be a boolean: {other:?}"),
        }
    }

    fn postfix(&mut self) -> Lit {
        let mut value = self.primary();
        loop {
            if self.eat('.') {
                let field = word(self.chars, &mut self.pos);
                value = value
                    .get(&field)
                    .unwrap_or_else(|| panic!("no `{field}` in {value:?}"))
                    .clone();
            } else {
                return value;
            }
        }
    }

    fn primary(&mut self) -> Lit {
        self.space();
        match self.chars.get(self.pos) {
            Some('(') => {
                self.pos += 1;
                let value = self.conditional();
                assert!(self.eat(')'), "`)`");
                value
            }
            Some('\'') => self.string(),
            Some(c) if c.is_ascii_digit() => Lit::Other(word(self.chars, &mut self.pos)),
            _ => {
                let name = word(self.chars, &mut self.pos);
                assert!(
                    !name.is_empty(),
                    "unsupported Bicep expression at {}",
                    self.pos
                );
                if self.eat('(') {
                    let mut args = Vec::new();
                    if !self.eat(')') {
                        loop {
                            args.push(self.conditional());
                            if self.eat(')') {
                                break;
                            }
                            assert!(self.eat(','), "`,` between arguments of {name}");
                        }
                    }
                    (self.call)(&name, args)
                } else if name == "true" || name == "false" {
                    Lit::Other(name)
                } else {
                    self.scope
                        .get(&name)
                        .unwrap_or_else(|| panic!("`{name}` is not in scope"))
                        .clone()
                }
            }
        }
    }

    fn string(&mut self) -> Lit {
        let mut out = String::new();
        self.pos += 1;
        while self.chars[self.pos] != '\'' {
            match self.chars[self.pos] {
                '\\' => {
                    out.push(match self.chars[self.pos + 1] {
                        'n' => '\n',
                        'r' => '\r',
                        't' => '\t',
                        c => c,
                    });
                    self.pos += 2;
                }
                '$' if self.chars.get(self.pos + 1) == Some(&'{') => {
                    self.pos += 2;
                    match self.conditional() {
                        Lit::Str(s) | Lit::Other(s) => out.push_str(&s),
                        other => panic!("interpolating {other:?}"),
                    }
                    assert!(self.eat('}'), "`}}` of an interpolation");
                }
                c => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
        self.pos += 1;
        Lit::Str(out)
    }
}
