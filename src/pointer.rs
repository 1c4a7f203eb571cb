//! JSON pointers (RFC 6901), the addresses every stage uses for a node of the spec: the span
//! index is keyed by them and diagnostics carry them. Only the segment escaping lives here;
//! following a pointer into a value is `serde_json::Value::pointer`.
//!
//! A key may contain `/` or `~`, so a segment writes them as `~1` and `~0`. Unescaping must
//! turn `~1` into `/` before `~0` into `~`: the other order reads `~01` (the key `~1`) as `/`.

use std::borrow::Cow;

/// `key` as one pointer segment: `a/b` → `a~1b`, `~` → `~0`.
pub(crate) fn escape(key: &str) -> Cow<'_, str> {
    if key.contains(['~', '/']) {
        // `~` first, or the `~` of a fresh `~1` would be escaped again.
        key.replace('~', "~0").replace('/', "~1").into()
    } else {
        key.into()
    }
}

/// The key one pointer segment stands for: `a~1b` → `a/b`, `~01` → `~1`.
pub(crate) fn unescape(segment: &str) -> Cow<'_, str> {
    if segment.contains('~') {
        segment.replace("~1", "/").replace("~0", "~").into()
    } else {
        segment.into()
    }
}

/// The keys along `pointer`, unescaped: `/tags/a~1b` → `tags`, `a/b`; none for `""`, the
/// whole document.
pub(crate) fn segments(pointer: &str) -> impl Iterator<Item = Cow<'_, str>> {
    pointer.split('/').skip(1).map(unescape)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_unescapes_in_the_right_order() {
        for (key, segment) in [
            ("name", "name"),
            ("a/b", "a~1b"),
            ("~", "~0"),
            ("~1", "~01"),
            ("/~", "~1~0"),
            ("~/", "~0~1"),
            ("", ""),
        ] {
            assert_eq!(escape(key), segment, "escape {key:?}");
            assert_eq!(unescape(segment), key, "unescape {segment:?}");
        }
        // Not written by `escape`, but read as RFC 6901 says.
        assert_eq!(unescape("~00"), "~0");
        assert_eq!(unescape("a~"), "a~");
    }

    #[test]
    fn splits_pointers_into_keys() {
        let keys = |pointer| segments(pointer).collect::<Vec<_>>();
        assert!(keys("").is_empty());
        assert_eq!(keys("/"), [""]);
        assert_eq!(keys("/project/tags/a~1b"), ["project", "tags", "a/b"]);
        assert_eq!(keys("/x/~01/0"), ["x", "~1", "0"]);
    }
}
