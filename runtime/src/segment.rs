//! Path parameters that share their segment with literal text (`/Calls/{Sid}.json`,
//! `/files/thumbnail.{extension}`): poem-openapi routes whole segments only, so the generated
//! server takes the segment whole and this takes it apart.

use poem::http::StatusCode;
use poem_openapi::types::ParseFromParameter;

/// The value of parameter `name` in `segment`, between `prefix` and `suffix`, parsed as the spec's
/// type. A segment without that literal text names another resource: 404. A value that does not
/// parse: 400.
pub fn segment_param<T: ParseFromParameter>(
    segment: &str,
    name: &str,
    prefix: &str,
    suffix: &str,
) -> poem::Result<T> {
    let value = segment
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_suffix(suffix))
        .filter(|value| !value.is_empty())
        .ok_or_else(|| poem::Error::from_status(StatusCode::NOT_FOUND))?;
    T::parse_from_parameter(value).map_err(|e| {
        poem::Error::from_string(
            format!(
                "failed to parse path parameter `{name}`: {}",
                e.into_message()
            ),
            StatusCode::BAD_REQUEST,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_value_between_the_literal_text_is_parsed_and_other_segments_are_not_found() {
        let sid: String = segment_param("CA42.json", "Sid", "", ".json").expect("parses");
        assert_eq!(sid, "CA42");
        let ext: String =
            segment_param("thumbnail.png", "extension", "thumbnail.", "").expect("parses");
        assert_eq!(ext, "png");
        let missing = segment_param::<String>("CA42.xml", "Sid", "", ".json").expect_err("404");
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        let empty = segment_param::<String>(".json", "Sid", "", ".json").expect_err("404");
        assert_eq!(empty.status(), StatusCode::NOT_FOUND);
        let bad = segment_param::<i64>("x.json", "id", "", ".json").expect_err("400");
        assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    }
}
