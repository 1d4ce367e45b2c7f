//! Path templates (`/Accounts/{AccountSid}/Calls/{Sid}.json`) split into segments, each a literal
//! or one parameter with the literal text around it in its segment (`{Sid}.json`,
//! `thumbnail.{extension}`). A segment with two parameters (`{base}...{head}`) is not supported.

/// One `/`-separated segment of a path template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathSegment<'a> {
    Literal(&'a str),
    /// A parameter, with the literal text before and after it in the same segment (usually empty).
    Param {
        name: &'a str,
        prefix: &'a str,
        suffix: &'a str,
    },
}

impl PathSegment<'_> {
    /// True for a parameter that shares its segment with literal text.
    pub fn is_partial_param(&self) -> bool {
        matches!(self, PathSegment::Param { prefix, suffix, .. } if !prefix.is_empty() || !suffix.is_empty())
    }
}

/// Why the template `path` cannot be served, when it cannot.
pub fn unsupported(path: &str) -> Option<&'static str> {
    if path.contains(['?', '#']) {
        // Not a path template at all (OpenAPI forbids both): a literal `{id}#fragment` suffix
        // would make two operations share one route.
        Some("query string or fragment in a path key")
    } else if segments(path).is_none() {
        Some("two path parameters in one path segment")
    } else {
        None
    }
}

/// The segments of `path` (empty ones, as around the leading `/`, left out), or `None` when a
/// segment holds more than one parameter or an unbalanced brace, or the path holds `?` or `#`.
pub fn segments(path: &str) -> Option<Vec<PathSegment<'_>>> {
    if path.contains(['?', '#']) {
        return None;
    }
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|seg| {
            let opens = seg.matches('{').count();
            let closes = seg.matches('}').count();
            match (opens, closes) {
                (0, 0) => Some(PathSegment::Literal(seg)),
                (1, 1) => {
                    let (prefix, rest) = seg.split_once('{')?;
                    let (name, suffix) = rest.split_once('}')?;
                    (!name.is_empty()).then_some(PathSegment::Param {
                        name,
                        prefix,
                        suffix,
                    })
                }
                _ => None,
            }
        })
        .collect()
}

/// The parameter names of `path`, in path order (none when the template is not supported).
pub fn param_names(path: &str) -> Vec<&str> {
    segments(path)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|s| match s {
            PathSegment::Param { name, .. } => Some(name),
            PathSegment::Literal(_) => None,
        })
        .collect()
}

/// The segment of parameter `name` in `path`, when it is there.
pub fn segment_of<'a>(path: &'a str, name: &str) -> Option<PathSegment<'a>> {
    segments(path)?
        .into_iter()
        .find(|s| matches!(s, PathSegment::Param { name: n, .. } if *n == name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parameter_may_share_its_segment_with_a_prefix_or_a_suffix() {
        assert_eq!(
            segments("/Calls/{Sid}.json/thumbnail.{extension}"),
            Some(vec![
                PathSegment::Literal("Calls"),
                PathSegment::Param {
                    name: "Sid",
                    prefix: "",
                    suffix: ".json"
                },
                PathSegment::Param {
                    name: "extension",
                    prefix: "thumbnail.",
                    suffix: ""
                },
            ])
        );
        assert_eq!(param_names("/a/{x}/b/{y}.txt"), ["x", "y"]);
    }

    #[test]
    fn two_parameters_in_one_segment_or_unbalanced_braces_are_not_supported() {
        assert_eq!(segments("/compare/{base}...{head}"), None);
        assert_eq!(segments("/a/{b"), None);
        assert_eq!(segments("/a/{}"), None);
        assert_eq!(
            unsupported("/files/{file_id}#get_shared_link"),
            Some("query string or fragment in a path key")
        );
        assert_eq!(unsupported("/a/{b}.json"), None);
    }
}
