//! A request body the spec does not require, declared in several media types: the generated
//! `ApiRequest` enum picks the variant by Content-Type, and [`OptionalRequest`] reads an empty body
//! as `None` first (the enum itself, like any poem-openapi request, requires a body).

use poem::{Body, FromRequest, Request, RequestBody};
use poem_openapi::registry::{MetaRequest, Registry};
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};

/// An optional request body in any of its media types: `None` when the body is empty.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionalRequest<R>(pub Option<R>);

impl<'a, R> ApiExtractor<'a> for OptionalRequest<R>
where
    R: ApiExtractor<'a, ParamType = ()> + Send,
{
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        R::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        R::request_meta().map(|mut meta| {
            meta.required = false;
            meta
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let data = <Vec<u8> as FromRequest>::from_request(request, body).await?;
        if data.is_empty() {
            return Ok(Self(None));
        }
        let mut body = RequestBody::new(Body::from(data));
        // Boxed like poem-openapi's own delegating extractor (rust-lang/rust#100013).
        let inner: std::pin::Pin<Box<dyn Future<Output = poem::Result<R>> + Send + '_>> = Box::pin(
            R::from_request(request, &mut body, ExtractParamOptions::default()),
        );
        Ok(Self(Some(inner.await?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use poem::test::TestClient;
    use poem_openapi::payload::{Json, PlainText};
    use poem_openapi::{ApiRequest, OpenApi, OpenApiService};

    #[derive(Debug, ApiRequest)]
    enum Note {
        Json(Json<String>),
        Text(PlainText<String>),
    }

    struct Api;

    #[OpenApi]
    impl Api {
        #[oai(path = "/note", method = "post")]
        async fn note(&self, body: OptionalRequest<Note>) -> PlainText<String> {
            PlainText(match body.0 {
                None => "none".to_owned(),
                Some(Note::Json(Json(text))) => format!("json {text}"),
                Some(Note::Text(PlainText(text))) => format!("text {text}"),
            })
        }
    }

    #[tokio::test]
    async fn an_empty_body_is_none_and_any_other_its_media_type_variant() {
        let cli = TestClient::new(OpenApiService::new(Api, "t", "1"));
        cli.post("/note").send().await.assert_text("none").await;
        cli.post("/note")
            .content_type("text/plain")
            .body("hi")
            .send()
            .await
            .assert_text("text hi")
            .await;
        cli.post("/note")
            .content_type("application/json")
            .body(r#""hi""#)
            .send()
            .await
            .assert_text("json hi")
            .await;
    }

    #[test]
    fn it_is_published_as_not_required_with_every_media_type() {
        let spec: serde_json::Value =
            serde_json::from_str(&OpenApiService::new(Api, "t", "1").spec()).unwrap();
        let body = &spec["paths"]["/note"]["post"]["requestBody"];
        assert_eq!(body["required"], false);
        assert_eq!(body["content"].as_object().map(|c| c.len()), Some(2));
    }
}
