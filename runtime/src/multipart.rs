//! `multipart/form-data` bodies: the server reads them with poem-openapi's `Multipart` derive over
//! the generated struct, the client writes the same struct as a reqwest form ([`ToMultipart`]).
//! Files are [`FilePart`]s (bytes, name and media type, which both sides can build); fields that are
//! neither a file nor a scalar travel as JSON in a [`JsonPart`].

use std::borrow::Cow;

use poem::web::Field as PoemField;
use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::{
    ParseError, ParseFromJSON, ParseFromMultipartField, ParseResult, ToJSON, Type,
};
use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::client::{ClientError, param_string};

/// The form a client sends (reqwest's), re-exported so generated code needs no reqwest feature.
pub type MultipartForm = Form;

/// One file of a multipart body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilePart {
    pub bytes: Vec<u8>,
    /// The `filename` of the part's `Content-Disposition`.
    pub file_name: Option<String>,
    /// The part's own `Content-Type`.
    pub content_type: Option<String>,
}

impl FilePart {
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self {
            bytes: bytes.into(),
            file_name: None,
            content_type: None,
        }
    }

    pub fn with_file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }
}

impl Type for FilePart {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "string_binary".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema::new_with_format("string", "binary")))
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl ParseFromMultipartField for FilePart {
    async fn parse_from_multipart(field: Option<PoemField>) -> ParseResult<Self> {
        let field = field.ok_or_else(ParseError::expected_input)?;
        let content_type = field.content_type().map(str::to_owned);
        let file_name = field.file_name().map(str::to_owned);
        let bytes = field.bytes().await.map_err(ParseError::custom)?;
        Ok(Self {
            bytes,
            file_name,
            content_type,
        })
    }
}

/// A field whose value is an object, an array of them, an enumeration or any JSON: sent as JSON
/// text, except a value that is a JSON string, sent bare (`purpose=avatar`, as a form would).
/// The server reads either.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JsonPart<T>(pub T);

impl<T: Type> Type for JsonPart<T> {
    const IS_REQUIRED: bool = true;
    type RawValueType = T::RawValueType;
    type RawElementValueType = T::RawElementValueType;

    fn name() -> Cow<'static, str> {
        T::name()
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        self.0.as_raw_value()
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        self.0.raw_element_iter()
    }
}

impl<T: ParseFromJSON> ParseFromMultipartField for JsonPart<T> {
    async fn parse_from_multipart(field: Option<PoemField>) -> ParseResult<Self> {
        let field = field.ok_or_else(ParseError::expected_input)?;
        let data = field.bytes().await.map_err(ParseError::custom)?;
        let text = String::from_utf8(data).map_err(ParseError::custom)?;
        let parsed = serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|v| T::parse_from_json(Some(v)).ok());
        match parsed {
            Some(value) => Ok(Self(value)),
            None => T::parse_from_json(Some(Value::String(text)))
                .map(Self)
                .map_err(ParseError::propagate),
        }
    }
}

impl<T: ToJSON> ToJSON for JsonPart<T> {
    fn to_json(&self) -> Option<Value> {
        self.0.to_json()
    }
}

/// A value the client can add to a form under a field name: absent values add nothing, lists add
/// one part per item under the same name.
pub trait MultipartValue {
    fn append_to(&self, name: &'static str, form: Form) -> Result<Form, ClientError>;
}

impl MultipartValue for FilePart {
    fn append_to(&self, name: &'static str, form: Form) -> Result<Form, ClientError> {
        let mut part = Part::bytes(self.bytes.clone());
        if let Some(file_name) = &self.file_name {
            part = part.file_name(file_name.clone());
        }
        let content_type = self
            .content_type
            .as_deref()
            .unwrap_or("application/octet-stream");
        let part = part.mime_str(content_type).map_err(|e| {
            ClientError::InvalidRequest(format!("media type of part `{name}`: {e}"))
        })?;
        Ok(form.part(name, part))
    }
}

impl<T: ToJSON> MultipartValue for JsonPart<T> {
    fn append_to(&self, name: &'static str, form: Form) -> Result<Form, ClientError> {
        Ok(match self.0.to_json() {
            None => form,
            Some(Value::String(text)) => form.text(name, text),
            Some(value) => {
                let part = Part::text(value.to_string())
                    .mime_str("application/json")
                    .map_err(|e| ClientError::InvalidRequest(e.to_string()))?;
                form.part(name, part)
            }
        })
    }
}

impl<T: MultipartValue> MultipartValue for Option<T> {
    fn append_to(&self, name: &'static str, form: Form) -> Result<Form, ClientError> {
        match self {
            Some(value) => value.append_to(name, form),
            None => Ok(form),
        }
    }
}

impl<T: MultipartValue> MultipartValue for Vec<T> {
    fn append_to(&self, name: &'static str, mut form: Form) -> Result<Form, ClientError> {
        for item in self {
            form = item.append_to(name, form)?;
        }
        Ok(form)
    }
}

macro_rules! text_values {
    ($($ty:ty),*) => {$(
        impl MultipartValue for $ty {
            fn append_to(&self, name: &'static str, form: Form) -> Result<Form, ClientError> {
                Ok(form.text(name, param_string(self)))
            }
        }
    )*};
}

text_values!(
    String,
    bool,
    i32,
    i64,
    u32,
    u64,
    f32,
    f64,
    chrono::DateTime<chrono::FixedOffset>,
    chrono::NaiveDate,
    uuid::Uuid
);

/// A generated multipart struct, written as a form by the client.
pub trait ToMultipart {
    fn to_multipart(&self) -> Result<Form, ClientError>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use poem_openapi::payload::PlainText;
    use poem_openapi::{Multipart, Object, OpenApi, OpenApiService};

    #[derive(Debug, Clone, PartialEq, Object)]
    struct Meta {
        tags: Vec<String>,
    }

    #[derive(Debug, Multipart)]
    struct Upload {
        file: FilePart,
        caption: Option<String>,
        count: i32,
        meta: Option<JsonPart<Meta>>,
        kind: JsonPart<String>,
        more: Vec<FilePart>,
    }

    impl ToMultipart for Upload {
        fn to_multipart(&self) -> Result<Form, ClientError> {
            let form = Form::new();
            let form = self.file.append_to("file", form)?;
            let form = self.caption.append_to("caption", form)?;
            let form = self.count.append_to("count", form)?;
            let form = self.meta.append_to("meta", form)?;
            let form = self.kind.append_to("kind", form)?;
            self.more.append_to("more", form)
        }
    }

    struct Api;

    #[OpenApi]
    impl Api {
        #[oai(path = "/upload", method = "post")]
        async fn upload(&self, body: Upload) -> PlainText<String> {
            PlainText(format!(
                "{:?} {:?} {:?} {:?} {} {:?} {:?} {} {:?}",
                String::from_utf8_lossy(&body.file.bytes),
                body.file.file_name,
                body.file.content_type,
                body.caption,
                body.count,
                body.meta.map(|m| m.0.tags),
                body.kind.0,
                body.more.len(),
                body.more.iter().map(|f| f.bytes.len()).collect::<Vec<_>>()
            ))
        }
    }

    #[tokio::test]
    async fn a_form_the_client_writes_is_read_back_by_the_server_over_http() {
        use poem::listener::{Acceptor, Listener, TcpListener};
        let acceptor = TcpListener::bind("127.0.0.1:0")
            .into_acceptor()
            .await
            .unwrap();
        let addr = *acceptor.local_addr()[0].as_socket_addr().unwrap();
        let app = poem::Route::new().nest("/", OpenApiService::new(Api, "t", "1"));
        tokio::spawn(async move { poem::Server::new_with_acceptor(acceptor).run(app).await });
        let upload = Upload {
            file: FilePart::new(b"PNG".to_vec())
                .with_file_name("a.png")
                .with_content_type("image/png"),
            caption: Some("hi".to_owned()),
            count: 3,
            meta: Some(JsonPart(Meta {
                tags: vec!["x".to_owned()],
            })),
            kind: JsonPart("avatar".to_owned()),
            more: vec![FilePart::new(vec![1, 2]), FilePart::new(vec![3])],
        };
        let answer = reqwest::Client::new()
            .post(format!("http://{addr}/upload"))
            .multipart(upload.to_multipart().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), reqwest::StatusCode::OK);
        assert_eq!(
            answer.text().await.unwrap(),
            r#""PNG" Some("a.png") Some("image/png") Some("hi") 3 Some(["x"]) "avatar" 2 [2, 1]"#
        );
    }
}
