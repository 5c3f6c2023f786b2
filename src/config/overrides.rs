//! Dotted keys (`areas.agent.weight`, `questions.would_buy.points`): `--set` and weights
//! overlays applied to the config's text, a key's place in the file for messages, and keys
//! read from the config as JSON (by `ksp sensitivity` and `ksp diff`). Array entries are
//! named by their `id` (or an option's `key`) or by index everywhere.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use super::ConfigError;

/// An override that cannot be applied, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct OverrideError(pub String);

fn fail<T>(message: String) -> Result<T, OverrideError> {
    Err(OverrideError(message))
}

/// Best-effort position of a dotted key such as `areas.agent.weight` in the original text:
/// the deepest segment that exists there (array elements are named by index).
pub(super) fn locate_key(text: &str, key: &str) -> Option<std::ops::Range<usize>> {
    use toml_edit::{Item, TableLike, Value};
    let doc = toml_edit::Document::parse(text).ok()?;
    let mut table: &dyn TableLike = doc.as_table();
    let mut best = None;
    let mut segments = key.split('.');
    while let Some(segment) = segments.next() {
        let Some((k, item)) = table.get_key_value(segment) else {
            break;
        };
        // Point at the value where it has a place of its own, else at the key.
        best = item.as_value().and_then(|v| v.span()).or(k.span()).or(best);
        let element = |segments: &mut std::str::Split<'_, char>| {
            segments.next().and_then(|s| s.parse::<usize>().ok())
        };
        table = match item {
            Item::Table(t) => t,
            Item::Value(Value::InlineTable(t)) => t,
            Item::ArrayOfTables(a) => {
                let Some(t) = element(&mut segments).and_then(|i| a.get(i)) else {
                    break;
                };
                best = t.span().or(best);
                t
            }
            Item::Value(Value::Array(a)) => {
                let Some(v) = element(&mut segments).and_then(|i| a.get(i)) else {
                    break;
                };
                best = v.span().or(best);
                match v.as_inline_table() {
                    Some(t) => t,
                    None => break,
                }
            }
            _ => break,
        };
    }
    best
}

/// Turns a weights overlay (a TOML file holding any subset of the config, e.g.
/// `[areas.agent] weight = 40`, `[questions.would_buy] points = 3`) into `KEY=VALUE`
/// overrides, so it is applied and checked exactly like `--set`.
pub fn overlay_overrides(path: &Path) -> Result<Vec<String>, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::whole(path, format!("cannot read the weights file: {e}")))?;
    let doc: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        let message = e.message().trim().to_string();
        match e.span() {
            Some(span) => ConfigError::at(path, &text, span, message),
            None => ConfigError::whole(path, message),
        }
    })?;
    fn walk(prefix: &str, table: &dyn toml_edit::TableLike, out: &mut Vec<String>) {
        for (key, item) in table.iter() {
            let path = if prefix.is_empty() {
                key.to_string()
            } else {
                format!("{prefix}.{key}")
            };
            match item {
                toml_edit::Item::Table(t) => walk(&path, t, out),
                toml_edit::Item::Value(toml_edit::Value::InlineTable(t)) => walk(&path, t, out),
                toml_edit::Item::Value(v) => {
                    let mut v = v.clone();
                    v.decor_mut().clear();
                    out.push(format!("{path}={v}"));
                }
                _ => {}
            }
        }
    }
    let mut overrides = Vec::new();
    walk("", doc.as_table(), &mut overrides);
    Ok(overrides)
}

/// Applies `KEY=VALUE` overrides to the document, keeping every other line where it was.
/// A segment may name an array element by index or, for `questions`, by its `id`.
pub fn apply_overrides(text: &str, overrides: &[String]) -> Result<String, OverrideError> {
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        OverrideError(format!("cannot parse the config: {e}"))
    })?;
    for pair in overrides {
        let (key, value) = pair.split_once('=').ok_or_else(|| {
            OverrideError(format!(
                "--set {pair}: expected KEY=VALUE, e.g. --set areas.agent.weight=40"
            ))
        })?;
        let key = key.trim();
        let value = parse_override_value(value.trim());
        let segments: Vec<&str> = key.split('.').collect();
        if segments.iter().any(|s| s.is_empty()) {
            return fail(format!("--set {pair}: the key has an empty segment"));
        }
        // A section the file leaves out (e.g. `[report]`) is created; a misspelt one is then
        // reported by the config check as an unknown field.
        if segments.len() == 2 && !doc.contains_key(segments[0]) {
            doc.insert(segments[0], toml_edit::table());
        }
        set_path(doc.as_item_mut(), &segments, value)
            .map_err(|e| OverrideError(format!("--set {pair}: {e}")))?;
    }
    Ok(doc.to_string())
}

/// A value as TOML when it parses as one (`40`, `true`, `"x"`, `[1, 5]`), else a bare string.
fn parse_override_value(raw: &str) -> toml_edit::Value {
    let probe = format!("v = {raw}");
    match probe.parse::<toml_edit::DocumentMut>() {
        Ok(doc) => doc["v"].as_value().cloned().unwrap_or_else(|| raw.into()),
        Err(_) => raw.into(),
    }
}

fn set_path(
    item: &mut toml_edit::Item,
    segments: &[&str],
    value: toml_edit::Value,
) -> Result<(), OverrideError> {
    let (first, rest) = segments.split_first().expect("segments are not empty");
    if rest.is_empty() {
        return match item {
            toml_edit::Item::Table(t) => {
                t.insert(first, toml_edit::Item::Value(value));
                Ok(())
            }
            toml_edit::Item::Value(toml_edit::Value::InlineTable(t)) => {
                t.insert(*first, value);
                Ok(())
            }
            toml_edit::Item::Value(toml_edit::Value::Array(a)) => {
                let index = array_index(
                    a.iter().map(|v| {
                        v.as_inline_table()
                            .and_then(|t| t.get("id"))
                            .and_then(|v| v.as_str())
                    }),
                    first,
                    a.len(),
                )?;
                a.replace(index, value);
                Ok(())
            }
            _ => fail(format!("`{first}` is not inside a table")),
        };
    }
    let child: &mut toml_edit::Item = match item {
        toml_edit::Item::Table(t) => t
            .get_mut(first)
            .ok_or_else(|| OverrideError(format!("there is no `{first}` in the config")))?,
        toml_edit::Item::ArrayOfTables(a) => {
            let index = array_index(
                a.iter().map(|t| t.get("id").and_then(|v| v.as_str())),
                first,
                a.len(),
            )?;
            return set_path_in_table(a.get_mut(index).expect("index checked"), rest, value);
        }
        toml_edit::Item::Value(v) => {
            return set_path_in_value(v, segments, value);
        }
        _ => return fail(format!("there is no `{first}` in the config")),
    };
    set_path(child, rest, value)
}

fn set_path_in_table(
    table: &mut toml_edit::Table,
    segments: &[&str],
    value: toml_edit::Value,
) -> Result<(), OverrideError> {
    let mut item = toml_edit::Item::Table(std::mem::take(table));
    let result = set_path(&mut item, segments, value);
    if let toml_edit::Item::Table(t) = item {
        *table = t;
    }
    result
}

fn set_path_in_value(
    v: &mut toml_edit::Value,
    segments: &[&str],
    value: toml_edit::Value,
) -> Result<(), OverrideError> {
    let (first, rest) = segments.split_first().expect("segments are not empty");
    let child = match v {
        toml_edit::Value::InlineTable(t) => t
            .get_mut(first)
            .ok_or_else(|| OverrideError(format!("there is no `{first}` in the config")))?,
        toml_edit::Value::Array(a) => {
            let index = array_index(
                a.iter().map(|v| {
                    v.as_inline_table()
                        .and_then(|t| t.get("id").or(t.get("key")))
                        .and_then(|v| v.as_str())
                }),
                first,
                a.len(),
            )?;
            a.get_mut(index).expect("index checked")
        }
        _ => return fail(format!("`{first}` is not inside a table")),
    };
    if rest.is_empty() {
        *child = value;
        return Ok(());
    }
    set_path_in_value(child, rest, value)
}

/// An array element named by its position or by its `id`.
fn array_index<'a>(
    ids: impl Iterator<Item = Option<&'a str>>,
    segment: &str,
    len: usize,
) -> Result<usize, OverrideError> {
    if let Ok(index) = segment.parse::<usize>() {
        return if index < len {
            Ok(index)
        } else {
            fail(format!("index {index} is past the {len} entries"))
        };
    }
    ids.enumerate()
        .find(|(_, id)| *id == Some(segment))
        .map(|(i, _)| i)
        .ok_or_else(|| OverrideError(format!("no entry has the id `{segment}`")))
}

/// The number at a dotted key of the config as JSON, as `--set` names it.
pub fn number_at<'a>(config: &'a Value, key: &str) -> Option<&'a Value> {
    let mut at = config;
    for segment in key.split('.') {
        at = match at {
            Value::Object(map) => map.get(segment)?,
            Value::Array(items) => {
                let ids = items.iter().map(|i| i["id"].as_str());
                &items[array_index(ids, segment, items.len()).ok()?]
            }
            _ => return None,
        };
    }
    at.is_number().then_some(at)
}

/// The config as JSON flattened to dotted keys; array entries by their `id` when every entry
/// has one.
pub fn flatten(config: &Value) -> BTreeMap<String, Value> {
    fn walk(prefix: &str, value: &Value, out: &mut BTreeMap<String, Value>) {
        let join = |key: &str| {
            if prefix.is_empty() {
                key.to_string()
            } else {
                format!("{prefix}.{key}")
            }
        };
        match value {
            Value::Object(map) => {
                for (key, v) in map {
                    walk(&join(key), v, out);
                }
            }
            Value::Array(items)
                if !items.is_empty() && items.iter().all(|i| i["id"].is_string()) =>
            {
                for item in items {
                    walk(&join(item["id"].as_str().unwrap_or_default()), item, out);
                }
            }
            other => {
                out.insert(prefix.to_string(), other.clone());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk("", config, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::line_column;

    const TEXT: &str = "[areas.agent]\nweight = 30\n\n[[questions]]\nid = \"q1\"\npoints = 2\noptions = [{ key = \"both\", points = 2 }]\n";

    #[test]
    fn set_by_id_and_index_keeps_the_other_lines() {
        let out = apply_overrides(
            TEXT,
            &[
                "areas.agent.weight=40".into(),
                "questions.q1.points=3".into(),
            ],
        )
        .unwrap();
        assert!(
            out.contains("weight = 40") && out.contains("points = 3"),
            "{out}"
        );
        assert_eq!(out.lines().count(), TEXT.lines().count());
        let out = apply_overrides(TEXT, &["questions.0.options.both.points=1".into()]).unwrap();
        assert!(out.contains("{ key = \"both\", points = 1}"), "{out}");
        assert!(
            apply_overrides(TEXT, &["areas.agent.weigth.x=1".into()])
                .unwrap_err()
                .0
                .contains("no `weigth`")
        );
        assert!(
            apply_overrides(TEXT, &["questions.q9.points=1".into()])
                .unwrap_err()
                .0
                .contains("no entry has the id `q9`")
        );
        assert!(
            apply_overrides(TEXT, &["questions.5.points=1".into()])
                .unwrap_err()
                .0
                .contains("past the 1 entries")
        );
        assert!(
            apply_overrides(TEXT, &["nothing".into()])
                .unwrap_err()
                .0
                .contains("expected KEY=VALUE")
        );
        assert!(
            apply_overrides(TEXT, &["a..b=1".into()])
                .unwrap_err()
                .0
                .contains("empty segment")
        );
    }

    #[test]
    fn keys_are_found_in_the_text() {
        let at =
            |key| locate_key(TEXT, key).map(|span| (line_column(TEXT, span.start), &TEXT[span]));
        assert_eq!(at("areas.agent.weight"), Some(((2, 10), "30")));
        assert_eq!(at("questions.0.points"), Some(((6, 10), "2")));
        assert_eq!(locate_key(TEXT, "award.min_inquiries"), None);
    }

    #[test]
    fn numbers_by_id_or_index_and_flattened_keys() {
        let config = serde_json::json!({"questions": [{"id": "q1", "points": 2.0}], "n": "x", "output": {"formats": [1, 2]}});
        assert_eq!(
            number_at(&config, "questions.q1.points"),
            Some(&serde_json::json!(2.0))
        );
        assert_eq!(
            number_at(&config, "questions.0.points"),
            Some(&serde_json::json!(2.0))
        );
        assert_eq!(number_at(&config, "n"), None);
        assert_eq!(number_at(&config, "questions.q9.points"), None);
        let flat = flatten(&config);
        assert_eq!(flat["questions.q1.points"], 2.0);
        assert_eq!(flat["questions.q1.id"], "q1");
        assert_eq!(flat["output.formats"], serde_json::json!([1, 2]));
    }
}
