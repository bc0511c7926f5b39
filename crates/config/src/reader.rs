//! A forgiving reader over a TOML table: each key is checked on its own, and every problem is
//! collected with the key's dotted name and line instead of aborting the whole file.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use toml::{Table, Value};

/// One thing wrong with a config file, written for store staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ConfigProblem {
    /// The dotted key, e.g. `display.orientation`; absent when the whole file is at fault.
    pub key: Option<String>,
    /// 1-based line in the file, when known.
    pub line: Option<u32>,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl ConfigProblem {
    pub(crate) fn whole_file(message: String) -> Self {
        Self {
            key: None,
            line: None,
            message,
        }
    }
}

impl std::fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.key, self.line) {
            (Some(k), Some(l)) => write!(f, "line {l}: `{k}`: {}", self.message),
            (Some(k), None) => write!(f, "`{k}`: {}", self.message),
            (None, Some(l)) => write!(f, "line {l}: {}", self.message),
            (None, None) => f.write_str(&self.message),
        }
    }
}

/// Parses `text` as TOML and hands the table to `read`; a syntax error yields the defaults.
pub(crate) fn parse_with<T: Default>(text: &str, read: fn(&mut Reader<'_>) -> T) -> (T, Vec<ConfigProblem>) {
    match text.parse::<Table>() {
        Ok(table) => {
            let mut reader = Reader {
                text,
                table: &table,
                problems: Vec::new(),
                known: Vec::new(),
            };
            let value = read(&mut reader);
            reader.report_unknown();
            (value, reader.problems)
        }
        Err(e) => {
            let line = e.span().map(|s| line_of_offset(text, s.start));
            let message = format!(
                "not valid TOML, so every setting uses its default: {}",
                e.message()
            );
            (
                T::default(),
                vec![ConfigProblem {
                    key: None,
                    line,
                    message,
                }],
            )
        }
    }
}

fn line_of_offset(text: &str, offset: usize) -> u32 {
    let upto = text.get(..offset).unwrap_or(text);
    u32::try_from(upto.matches('\n').count() + 1).unwrap_or(u32::MAX)
}

/// Walks the known sections and keys of one file.
pub(crate) struct Reader<'a> {
    text: &'a str,
    table: &'a Table,
    problems: Vec<ConfigProblem>,
    /// (section, keys) pairs the schema knows, for the unknown-key report.
    known: Vec<(&'static str, &'static [&'static str])>,
}

impl<'a> Reader<'a> {
    /// Declares a section and its keys; returns it if present and a table.
    pub(crate) fn section(&mut self, name: &'static str, keys: &'static [&'static str]) -> Option<&'a Table> {
        self.known.push((name, keys));
        match self.table.get(name)? {
            Value::Table(t) => Some(t),
            other => {
                self.problem(
                    None,
                    Some(name),
                    format!("must be a section `[{name}]`, found {}", other.type_str()),
                );
                None
            }
        }
    }

    /// Reads `section.key` with `parse`; on failure records a problem and returns `None` (use the default).
    pub(crate) fn get<T>(
        &mut self,
        section: Option<&Table>,
        section_name: &str,
        key: &str,
        parse: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Option<T> {
        let value = section?.get(key)?;
        match parse(value) {
            Ok(v) => Some(v),
            Err(why) => {
                self.problem(Some(section_name), Some(key), format!("{why}; using the default"));
                None
            }
        }
    }

    fn problem(&mut self, section: Option<&str>, key: Option<&str>, message: String) {
        let dotted = match (section, key) {
            (Some(s), Some(k)) => Some(format!("{s}.{k}")),
            (None, Some(k)) => Some(k.to_owned()),
            (Some(s), None) => Some(s.to_owned()),
            (None, None) => None,
        };
        let line = find_line(self.text, section, key);
        self.problems.push(ConfigProblem {
            key: dotted,
            line,
            message,
        });
    }

    fn report_unknown(&mut self) {
        let known_sections: BTreeSet<&str> = self.known.iter().map(|(s, _)| *s).collect();
        let table = self.table;
        for (name, value) in table {
            if !known_sections.contains(name.as_str()) {
                let hint = suggestion(name, known_sections.iter().copied());
                self.problem(
                    None,
                    Some(name),
                    format!("unknown section or key{hint}; it is ignored"),
                );
                continue;
            }
            let Value::Table(section) = value else { continue };
            let keys = self
                .known
                .iter()
                .find(|(s, _)| s == name)
                .map(|(_, k)| *k)
                .unwrap_or(&[]);
            for key in section.keys() {
                if !keys.contains(&key.as_str()) {
                    let hint = suggestion(key, keys.iter().copied());
                    let msg = format!("unknown key{hint}; it is ignored (known: {})", keys.join(", "));
                    self.problem(Some(name), Some(key), msg);
                }
            }
        }
    }
}

/// Finds the line where `key` is set, inside `[section]` when given. A text scan is enough for
/// hand-written config files and keeps the parser simple.
pub(crate) fn find_line(text: &str, section: Option<&str>, key: Option<&str>) -> Option<u32> {
    let mut current: Option<String> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if let Some(h) = line.strip_prefix('[').and_then(|l| l.split(']').next()) {
            current = Some(h.trim().to_owned());
            if key.is_none() && section == Some(h.trim()) {
                return u32::try_from(i + 1).ok();
            }
            continue;
        }
        let Some(key) = key else { continue };
        let Some((k, _)) = line.split_once('=') else {
            continue;
        };
        let k = k.trim().trim_matches('"');
        let dotted_match = section.is_some_and(|s| k == format!("{s}.{key}"));
        if (k == key && current.as_deref() == section) || (current.is_none() && dotted_match) {
            return u32::try_from(i + 1).ok();
        }
    }
    None
}

pub(crate) fn suggestion<'k>(typo: &str, candidates: impl Iterator<Item = &'k str>) -> String {
    candidates
        .map(|c| (edit_distance(typo, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min()
        .map(|(_, c)| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

// Typed value parsers shared by the schemas.

pub(crate) fn string(v: &Value) -> Result<String, String> {
    v.as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("expected text in quotes, found {}", v.type_str()))
}

pub(crate) fn boolean(v: &Value) -> Result<bool, String> {
    v.as_bool()
        .ok_or_else(|| format!("expected true or false, found {}", v.type_str()))
}

pub(crate) fn integer_in(v: &Value, min: i64, max: i64) -> Result<i64, String> {
    let n = v
        .as_integer()
        .ok_or_else(|| format!("expected a whole number, found {}", v.type_str()))?;
    if (min..=max).contains(&n) {
        Ok(n)
    } else {
        Err(format!("{n} is out of range ({min} to {max})"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_lines_in_sections_and_dotted_keys() {
        let text = "[a]\nx = 1\n\n[b]\nx = 2\n";
        assert_eq!(find_line(text, Some("b"), Some("x")), Some(5));
        assert_eq!(find_line(text, Some("a"), Some("x")), Some(2));
        assert_eq!(find_line("b.x = 3\n", Some("b"), Some("x")), Some(1));
        assert_eq!(find_line(text, Some("b"), None), Some(4));
    }

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            suggestion("orientaton", ["orientation", "fullscreen"].into_iter()),
            " (did you mean `orientation`?)"
        );
        assert_eq!(suggestion("zzz", ["orientation"].into_iter()), "");
    }
}
