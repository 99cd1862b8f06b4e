//! Line numbers of step keys in an export, for SARIF regions and annotations.
//!
//! serde_json gives no positions, so this is a small structural scanner over the same bytes: it tracks objects,
//! arrays and strings (with escapes) and records the line of every key of `workflows[i].steps`. It runs only on text
//! serde_json has already accepted, so it never has to diagnose anything; it must never panic, whatever the bytes.

use std::collections::HashMap;

enum Frame {
    Object {
        key: Option<String>,
        expecting_key: bool,
    },
    Array {
        index: usize,
    },
}

/// For each workflow index, the 1-based line of each key of its `steps` object (the last one if a key repeats, as
/// serde_json keeps the last).
pub fn step_lines(text: &[u8]) -> Vec<HashMap<String, usize>> {
    let mut out: Vec<HashMap<String, usize>> = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut line = 1usize;
    let mut i = 0usize;
    while i < text.len() {
        match text[i] {
            b'\n' => line += 1,
            b'"' => {
                let start = i + 1;
                let mut j = start;
                let mut escaped = false;
                while j < text.len() && text[j] != b'"' {
                    if text[j] == b'\\' {
                        escaped = true;
                        j += 1;
                    }
                    j += 1;
                }
                let raw = &text[start..j.min(text.len())];
                if let Some(Frame::Object {
                    key,
                    expecting_key: expecting @ true,
                }) = stack.last_mut()
                {
                    *expecting = false;
                    let decoded = decode_key(raw, escaped);
                    if let Some(decoded) = decoded {
                        *key = Some(decoded);
                    }
                    if let Some(workflow) = steps_key_place(&stack)
                        && let Some(Frame::Object { key: Some(k), .. }) = stack.last()
                    {
                        if out.len() <= workflow {
                            out.resize_with(workflow + 1, HashMap::new);
                        }
                        out[workflow].insert(k.clone(), line);
                    }
                }
                i = j;
            }
            b'{' => stack.push(Frame::Object {
                key: None,
                expecting_key: true,
            }),
            b'[' => stack.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object { expecting_key, .. }) => *expecting_key = true,
                Some(Frame::Array { index }) => *index += 1,
                None => {}
            },
            _ => {}
        }
        i += 1;
    }
    out
}

/// When the innermost object is `workflows[i].steps` of the root object, `Some(i)`.
fn steps_key_place(stack: &[Frame]) -> Option<usize> {
    match stack {
        [
            Frame::Object {
                key: Some(workflows),
                ..
            },
            Frame::Array { index },
            Frame::Object {
                key: Some(steps), ..
            },
            Frame::Object { .. },
        ] if workflows == "workflows" && steps == "steps" => Some(*index),
        _ => None,
    }
}

fn decode_key(raw: &[u8], escaped: bool) -> Option<String> {
    if !escaped {
        return std::str::from_utf8(raw).ok().map(str::to_owned);
    }
    let mut quoted = Vec::with_capacity(raw.len() + 2);
    quoted.push(b'"');
    quoted.extend_from_slice(raw);
    quoted.push(b'"');
    serde_json::from_slice(&quoted).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_keys_are_found_on_their_lines() {
        let text = br#"{
  "tray_export_version": 4,
  "workflows": [
    {"id": "a", "steps": {"steps": {"x": 1}},
     "other": {"trigger": {}}},
    {
      "title": "{\"steps\": tricky",
      "steps": {
        "trigger": {"connector": {"name": "webhook"}},
        "slack-1": {"properties": {"steps": {"nested": {}}}},
        "esc\u0061ped": {}
      }
    }
  ]
}"#;
        let lines = step_lines(text);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].get("steps"), Some(&4));
        assert_eq!(lines[0].len(), 1);
        assert_eq!(lines[1].get("trigger"), Some(&9));
        assert_eq!(lines[1].get("slack-1"), Some(&10));
        assert_eq!(lines[1].get("escaped"), Some(&11));
        assert_eq!(lines[1].len(), 3);
    }

    #[test]
    fn steps_outside_workflows_are_not_counted() {
        let text = br#"{"projects": [{"steps": {"a": {}}}], "workflows": []}"#;
        assert!(step_lines(text).iter().all(HashMap::is_empty));
    }

    #[test]
    fn garbage_never_panics() {
        for text in [
            &b"\"\\"[..],
            b"}}}]]]",
            b"{\"workflows\":[{\"steps\":{\"a",
            b"\xff\xfe{",
        ] {
            let _ = step_lines(text);
        }
    }
}
