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
