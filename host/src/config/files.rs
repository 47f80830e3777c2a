//! Settings the operator keeps in files beside `dcmaid.toml`: `{ file = "path" }` in a
//! plugin's settings is the text of that file.

use std::path::Path;

/// `{ file = "path" }` anywhere in `table` becomes the text of `base/path`; `key` names the
/// table in errors.
pub(super) fn inline_files(table: &mut toml::Table, base: &Path, key: &str) -> Result<(), String> {
    for (name, value) in table.iter_mut() {
        let toml::Value::Table(inner) = value else { continue };
        let key = format!("{key}.{name}");
        let file = match inner.get("file") {
            Some(file) if inner.len() == 1 => file.as_str().map(|file| base.join(file)),
            _ => {
                inline_files(inner, base, &key)?;
                continue;
            }
        };
        let path = file.ok_or_else(|| format!("{key}.file: expected a path, as a string"))?;
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("{key}: cannot read {}: {e}", path.display()))?;
        *value = toml::Value::String(text);
    }
    Ok(())
}
