//! Values of the wrong shape (a name where a map belongs, a map where a list belongs): the
//! YAML reader says only "expected mapping start"; this finds the key the value belongs to
//! and says how that key is written, with the user's own value in the example.

/// How each key that takes only a map (the steps', a button's `bounce`, `parts`) is written;
/// `{}` stands for the value the user gave alone (`press: units` becomes
/// `press: { part-id: units }`), or the placeholder after it.
const MAP_FORMS: [(&str, &str, &str); 16] = [
    ("press", "{ part-id: {} }", "button"),
    ("expect-pin", "{ part-id: {}, value: 1 }", "led"),
    ("take-screenshot", "{ part-id: {} }", "oled"),
    ("set-control", "{ part-id: {}, control: pressed, value: 1 }", "button"),
    ("set-sensor", "{ part-id: {}, quantity: temperature, value: 21.5 }", "bme280"),
    ("i2c-fault", "{ part-id: {}, fault: nack }", "i2c0"),
    ("serial-error", "{ part-id: {}, error: framing }", "uart"),
    ("expect-task", "{ name: {}, state: running }", "main"),
    ("expect-reset", "{ watchdog: {}, within: 1s }", "iwdg"),
    ("expect-idle", "{ at-least: {} }", "90"),
    ("turn", "{ part-id: {}, steps: 1 }", "knob"),
    ("expect-text", "{ part-id: {}, text: Menu }", "lcd"),
    ("drive-pin", "{ part-id: {}, value: 1 }", "window"),
    ("pulse-pin", "{ part-id: {}, value: 1, width: 10ms }", "window"),
    ("bounce", "{ window: 5ms, max-pairs: {} }", "4"),
    ("parts", "{ {}: { humidity: 55 } }", "bme280"),
];

/// How each step that takes a single value is written.
const SCALAR_FORMS: [(&str, &str); 5] = [
    ("delay", "1s"),
    ("wait-serial", "\"ready\""),
    ("write-serial", "\"help\\n\""),
    ("power-cycle", "true"),
    ("expect-no-diagnostics", "true"),
];

/// How map key `key` is written, with `value` (or the form's placeholder) in its place.
fn map_form(key: &str, value: Option<&str>) -> Option<String> {
    let (_, form, placeholder) = MAP_FORMS.iter().find(|f| f.0 == key)?;
    Some(form.replace("{}", value.unwrap_or(placeholder)))
}

/// The message for an action key left with no value, the value's place at `line:col`.
pub(crate) fn no_value(source: &str, line: u32, col: u32) -> String {
    let Some((key, _)) = key_and_value(source, line, col) else {
        return crate::format::NO_VALUE.to_owned();
    };
    let scalar = || SCALAR_FORMS.iter().find(|f| f.0 == key).map(|(_, value)| (*value).to_owned());
    match map_form(&key, None).or_else(scalar) {
        Some(example) => format!("`{key}` has no value; for example `{key}: {example}`"),
        None => format!("`{key}` has no value"),
    }
}

/// The message for a map expected at `line:col` (1-based) of `source`.
pub(crate) fn map_expected(source: &str, line: u32, col: u32) -> String {
    let Some((key, value)) = key_and_value(source, line, col) else {
        return "expected a map here".to_owned();
    };
    let found = if value.is_some() { "a single value" } else { "a list" };
    match map_form(&key, value.as_deref()) {
        Some(example) => format!("`{key}` takes a map of its keys, not {found}; for example `{key}: {example}`"),
        None => format!("`{key}` takes a map here, not {found}"),
    }
}

/// The message for a list expected at `line:col` (1-based) of `source`.
pub(crate) fn list_expected(source: &str, line: u32, col: u32) -> String {
    match key_and_value(source, line, col) {
        Some((key, _)) if key == "steps" => {
            "`steps` takes a list: each step on a line of its own, starting with `- `".to_owned()
        }
        Some((key, _)) => format!("`{key}` takes a list here"),
        None => "expected a list here".to_owned(),
    }
}

/// The key whose value starts at `line:col`, and that value if it is a plain scalar on the
/// key's line (`press: units` gives `press` and `units`; a list under `press:` gives `press`).
fn key_and_value(source: &str, line: u32, col: u32) -> Option<(String, Option<String>)> {
    let mut before = String::new();
    let mut rest = "";
    for (n, text) in source.lines().enumerate().take(line as usize) {
        if n + 1 == line as usize {
            let split = text.char_indices().nth(col.saturating_sub(1) as usize).map_or(text.len(), |(i, _)| i);
            // An empty value is placed at its key's colon.
            let split = if text[split..].starts_with(':') { split + 1 } else { split };
            before.push_str(&text[..split]);
            rest = &text[split..];
        } else {
            before.push_str(text);
            before.push('\n');
        }
    }
    let head = before.trim_end().trim_end_matches('-').trim_end();
    let head = head.strip_suffix(':')?;
    let key: String = head.chars().rev().take_while(|c| c.is_alphanumeric() || *c == '-' || *c == '_').collect();
    let key: String = key.chars().rev().collect();
    if key.is_empty() {
        return None;
    }
    // A value on the key's own line, not an item of a list below it.
    let same_line = before.lines().last().is_some_and(|l| l.trim_end().ends_with(':'));
    let value = rest.split(" #").next().unwrap_or("").trim();
    let plain = same_line && !value.is_empty() && !value.starts_with(['-', '[', '{', '#', '&', '*', '!', '|', '>']);
    Some((key, plain.then(|| value.trim_matches(['"', '\'']).to_owned())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_where_a_step_takes_a_map_is_shown_in_the_map() {
        let source = "steps:\n  - press: units\n";
        assert_eq!(
            map_expected(source, 2, 12),
            "`press` takes a map of its keys, not a single value; for example `press: { part-id: units }`"
        );
    }

    #[test]
    fn a_list_under_a_step_is_named_with_the_step() {
        let source = "steps:\n  - expect-task:\n    - main\n";
        assert_eq!(
            map_expected(source, 3, 7),
            "`expect-task` takes a map of its keys, not a list; for example `expect-task: { name: main, state: running }`"
        );
    }

    #[test]
    fn a_key_of_no_step_and_no_key_at_all() {
        assert_eq!(
            map_expected("parts:\n  units: 5 # the button\n", 2, 10),
            "`units` takes a map here, not a single value"
        );
        assert_eq!(map_expected("5\n", 1, 1), "expected a map here");
    }

    /// An empty value is placed at its key's colon, `~` after it.
    #[test]
    fn an_action_with_no_value_shows_one() {
        assert_eq!(
            no_value("steps:\n  - press:\n", 2, 10),
            "`press` has no value; for example `press: { part-id: button }`"
        );
        assert_eq!(
            no_value("steps:\n  - name: x\n    delay: ~\n", 3, 12),
            "`delay` has no value; for example `delay: 1s`"
        );
    }

    #[test]
    fn steps_written_as_a_map_are_told_to_be_a_list() {
        let source = "steps:\n  delay: 1s\n";
        assert_eq!(
            list_expected(source, 2, 3),
            "`steps` takes a list: each step on a line of its own, starting with `- `"
        );
    }
}
