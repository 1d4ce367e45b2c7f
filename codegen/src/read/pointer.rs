//! JSON pointers (RFC 6901) and `$ref` strings: building pointers, splitting references into file and fragment.

use crate::diag::pointer_token;

/// `pointer` extended by one unescaped reference token.
pub(crate) fn push(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", pointer_token(token))
}

/// `pointer` extended by an array index.
pub(crate) fn push_index(pointer: &str, index: usize) -> String {
    format!("{pointer}/{index}")
}

/// The unescaped reference tokens of a pointer (`""` → none); `None` when it does not start with `/`.
pub(crate) fn tokens(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    let rest = pointer.strip_prefix('/')?;
    Some(
        rest.split('/')
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

/// Builds a pointer from unescaped tokens.
pub(crate) fn from_tokens<S: AsRef<str>>(tokens: &[S]) -> String {
    tokens
        .iter()
        .fold(String::new(), |p, t| push(&p, t.as_ref()))
}

/// A `$ref` split into the file it names (empty: the same file) and the JSON pointer inside that file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RefTarget {
    pub(crate) file: String,
    pub(crate) pointer: String,
}

/// Splits and percent-decodes a `$ref`; the error says why the reference cannot be followed.
pub(crate) fn split_ref(reference: &str) -> Result<RefTarget, String> {
    if reference.contains("://") || reference.starts_with("//") {
        return Err("remote references (URLs) are not supported; download the file and refer to it by a relative path".into());
    }
    let (file, fragment) = match reference.split_once('#') {
        Some((file, fragment)) => (file, fragment),
        None => (reference, ""),
    };
    let file = percent_decode(file).ok_or("invalid percent-encoding in the file part")?;
    let pointer = percent_decode(fragment).ok_or("invalid percent-encoding in the fragment")?;
    if !pointer.is_empty() && !pointer.starts_with('/') {
        return Err(format!(
            "the fragment `#{fragment}` is not a JSON pointer; only pointers such as `#/components/schemas/Name` are supported"
        ));
    }
    if file.is_empty() && reference.is_empty() {
        return Err("empty reference".into());
    }
    Ok(RefTarget { file, pointer })
}

/// A local `$ref` string (`#/...`) for a pointer, escaping what URI fragments cannot hold verbatim.
pub(crate) fn local_ref(pointer: &str) -> String {
    let mut out = String::from("#");
    for c in pointer.chars() {
        match c {
            '%' | ' ' | '#' | '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}' => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            _ => out.push(c),
        }
    }
    out
}

fn percent_decode(s: &str) -> Option<String> {
    if !s.contains('%') {
        return Some(s.to_owned());
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_file_and_fragment() {
        let t = split_ref("common/pet.yaml#/components/schemas/Pet").unwrap();
        assert_eq!(t.file, "common/pet.yaml");
        assert_eq!(t.pointer, "/components/schemas/Pet");
        let t = split_ref("#/paths/~1pets~1%7Bid%7D").unwrap();
        assert_eq!(t.file, "");
        assert_eq!(t.pointer, "/paths/~1pets~1{id}");
        assert_eq!(split_ref("pet.yaml").unwrap().pointer, "");
        assert!(split_ref("https://example.com/a.yaml#/x").is_err());
        assert!(split_ref("#Pet").is_err());
    }

    #[test]
    fn tokens_round_trip() {
        let p = from_tokens(&["paths", "/pets/{id}", "a~b"]);
        assert_eq!(p, "/paths/~1pets~1{id}/a~0b");
        assert_eq!(tokens(&p).unwrap(), vec!["paths", "/pets/{id}", "a~b"]);
        assert_eq!(local_ref(&p), "#/paths/~1pets~1%7Bid%7D/a~0b");
    }
}
