//! Spec descriptions → doc comment text that rustdoc reads as the same Markdown, without running
//! anything or resolving anything: code blocks become `text` blocks (a fenced block without a
//! language, or an indented one, would be compiled and run as a doctest), and square brackets that
//! are not part of an inline link are escaped (`[bundled]` would be a broken intra-doc link).
//!
//! Rendered, the text is unchanged: an escaped bracket shows as a bracket, and a `text` block as
//! the same code block.

/// Info strings rustdoc treats as Rust code (or as attributes of Rust code).
fn is_rust_info(info: &str) -> bool {
    info.split([',', ' ', '\t'])
        .filter(|w| !w.is_empty())
        .all(|w| {
            matches!(
                w,
                "rust"
                    | "ignore"
                    | "should_panic"
                    | "no_run"
                    | "compile_fail"
                    | "test_harness"
                    | "allow_fail"
                    | "standalone_crate"
            ) || w.starts_with("edition")
                || w.starts_with('{')
        })
}

/// An opening or closing code fence: its indentation, marker character, length and info string.
fn fence(line: &str) -> Option<(usize, char, usize, &str)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let marker = rest.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = rest.len() - rest.trim_start_matches(marker).len();
    if len < 3 {
        return None;
    }
    let info = rest[len..].trim();
    if marker == '`' && info.contains('`') {
        return None;
    }
    Some((indent, marker, len, info))
}

/// True for a line that starts an indented code block after a blank line.
fn indented(line: &str) -> bool {
    (line.starts_with("    ") || line.starts_with('\t')) && !line.trim().is_empty()
}

fn dedent(line: &str) -> &str {
    line.strip_prefix("    ")
        .or_else(|| line.strip_prefix('\t'))
        .unwrap_or(line.trim_start())
}

/// The description as rustdoc-safe Markdown (see the module documentation).
pub(super) fn doc_text(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut open_fence: Option<(char, usize)> = None;
    let mut in_indented = false;
    let mut previous_blank = true;
    // Inside a list, an indented line after a blank one continues the item: it is not code.
    let mut in_list = false;
    for line in text.lines() {
        if let Some((marker, len)) = open_fence {
            if let Some((_, m, l, info)) = fence(line)
                && m == marker
                && l >= len
                && info.is_empty()
            {
                open_fence = None;
            }
            out.push(line.to_owned());
            continue;
        }
        if in_indented {
            if indented(line) || line.trim().is_empty() {
                out.push(dedent(line).to_owned());
                continue;
            }
            close_indented(&mut out);
            in_indented = false;
            previous_blank = true;
        }
        if let Some((indent, marker, len, info)) = fence(line) {
            open_fence = Some((marker, len));
            let info = if is_rust_info(info) { "text" } else { info };
            let marker: String = std::iter::repeat_n(marker, len).collect();
            out.push(format!("{}{marker}{info}", " ".repeat(indent)));
            previous_blank = false;
            continue;
        }
        if !line.trim().is_empty() && !indented(line) {
            in_list = list_item(line);
        }
        if previous_blank && indented(line) && !in_list {
            in_indented = true;
            out.push("```text".to_owned());
            out.push(dedent(line).to_owned());
            continue;
        }
        out.push(escape_brackets(line));
        previous_blank = line.trim().is_empty();
    }
    if in_indented {
        close_indented(&mut out);
    }
    if let Some((marker, len)) = open_fence {
        // An unclosed fence runs to the end of the text; closing it keeps later docs out of it.
        out.push(std::iter::repeat_n(marker, len).collect());
    }
    out.join("\n")
}

/// True for a list item (`- a`, `* a`, `+ a`, `1. a`, `1) a`).
fn list_item(line: &str) -> bool {
    let rest = line.trim_start();
    if rest.starts_with("- ") || rest.starts_with("* ") || rest.starts_with("+ ") {
        return true;
    }
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && (rest[digits..].starts_with(". ") || rest[digits..].starts_with(") "))
}

/// Ends an indented block turned into a fence, before the blank lines that ended it.
fn close_indented(out: &mut Vec<String>) {
    let blanks = out.iter().rev().take_while(|l| l.trim().is_empty()).count();
    let at = out.len() - blanks;
    out.insert(at, "```".to_owned());
}

/// Escapes `[` and `]` outside code spans, except in inline links (`[text](target)`).
fn escape_brackets(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' if i + 1 < chars.len() => {
                out.push(chars[i]);
                out.push(chars[i + 1]);
                i += 2;
            }
            '`' => {
                // A code span runs to the next run of as many backticks; without one, the
                // backticks are literal.
                let run = chars[i..].iter().take_while(|c| **c == '`').count();
                let close = (i + run..chars.len()).find(|&j| {
                    chars[j..].iter().take_while(|c| **c == '`').count() == run
                        && (j == 0 || chars[j - 1] != '`')
                });
                let end = close.map(|j| j + run).unwrap_or(i + run);
                out.extend(&chars[i..end]);
                i = end;
            }
            '[' => match inline_link_end(&chars, i) {
                Some(end) => {
                    out.push('[');
                    out.push_str(&escape_brackets(
                        &chars[i + 1..end].iter().collect::<String>(),
                    ));
                    out.push(']');
                    // The target as it is, to its closing parenthesis.
                    let mut depth = 0usize;
                    let mut j = end + 1;
                    while j < chars.len() {
                        match chars[j] {
                            '(' => depth += 1,
                            ')' => depth -= 1,
                            _ => {}
                        }
                        out.push(chars[j]);
                        j += 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    i = j;
                }
                None => {
                    out.push_str("\\[");
                    i += 1;
                }
            },
            ']' => {
                out.push_str("\\]");
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// The index of the `]` closing the link text opened at `open`, when `](` follows it.
fn inline_link_end(chars: &[char], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (j, c) in chars.iter().enumerate().skip(open + 1) {
        match c {
            '[' => depth += 1,
            ']' if depth > 0 => depth -= 1,
            ']' => return (chars.get(j + 1) == Some(&'(')).then_some(j),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::doc_text;

    #[test]
    fn code_blocks_without_a_language_or_in_rust_become_text_blocks() {
        let text =
            "Send:\n\n```\n{\"a\": [1]}\n```\n\n~~~~rust,ignore\nx\n~~~~\n\n```json\n[1]\n```";
        assert_eq!(
            doc_text(text),
            "Send:\n\n```text\n{\"a\": [1]}\n```\n\n~~~~text\nx\n~~~~\n\n```json\n[1]\n```"
        );
    }

    #[test]
    fn indented_code_blocks_become_fenced_text_blocks() {
        let text = "Query:\n\n    state=open&limit=10\n\n      [x]\nthen:\n    not code";
        assert_eq!(
            doc_text(text),
            "Query:\n\n```text\nstate=open&limit=10\n\n  [x]\n```\nthen:\n    not code"
        );
        assert_eq!(doc_text("A:\n\n    b"), "A:\n\n```text\nb\n```");
    }

    #[test]
    fn brackets_are_escaped_except_in_inline_links_and_code() {
        assert_eq!(
            doc_text(
                "such as [bundled] ones, `a[0]` and ``x`[y]`` [see](https://x.org/[a]) \\[ok\\]"
            ),
            "such as \\[bundled\\] ones, `a[0]` and ``x`[y]`` [see](https://x.org/[a]) \\[ok\\]"
        );
        assert_eq!(
            doc_text("a ] b [c [d](e)] `unclosed [x]"),
            "a \\] b \\[c [d](e)\\] `unclosed \\[x\\]"
        );
    }

    #[test]
    fn indented_paragraphs_of_list_items_stay_as_they_are() {
        let text =
            "Values:\n\n- open\n\n    still open [x]\n\n1. one\n\n    more\n\nEnd.\n\n    code";
        assert_eq!(
            doc_text(text),
            "Values:\n\n- open\n\n    still open \\[x\\]\n\n1. one\n\n    more\n\nEnd.\n\n```text\ncode\n```"
        );
    }

    #[test]
    fn an_unclosed_fence_is_closed() {
        assert_eq!(doc_text("```\nx"), "```text\nx\n```");
    }
}
