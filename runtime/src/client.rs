//! What every generated client shares: base URL, default headers, bearer tokens (renewed once on a
//! 401), URL building and decoding of answers into the generated response types.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use poem_openapi::types::{ParseFromJSON, ParseFromParameter, ToJSON};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};

/// Why a call did not produce one of the spec's responses.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The arguments could not be turned into a request.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The request did not get an answer (connection, timeout, TLS).
    #[error("communication error: {0}")]
    Communication(#[source] reqwest::Error),
    /// The bearer token could not be obtained.
    #[error("no access token: {0}")]
    Token(String),
    /// The answer's status is not one the spec declares for this operation.
    #[error("unexpected status {status}: {body}")]
    UnexpectedStatus { status: u16, body: String },
    /// The answer's body does not match the spec's schema for its status.
    #[error("status {status}: body does not match the spec: {reason}")]
    InvalidBody {
        status: u16,
        reason: String,
        body: Vec<u8>,
    },
}

impl ClientError {
    /// The HTTP status of the answer, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::UnexpectedStatus { status, .. }
            | ClientError::InvalidBody { status, .. } => Some(*status),
            ClientError::Communication(e) => e.status().map(|s| s.as_u16()),
            _ => None,
        }
    }
}

/// Provides bearer tokens to a client, e.g. an OAuth2 client-credentials cache.
pub trait TokenSource: Send + Sync + 'static {
    /// A valid token (cached or fetched).
    fn token(&self) -> Pin<Box<dyn Future<Output = Result<String, ClientError>> + Send + '_>>;
    /// The server refused `token` (401): forget it so that the next `token()` fetches a new one.
    fn invalidate(&self, token: &str);
}

/// One path segment of an operation's URL.
pub enum Segment<'a> {
    Literal(&'static str),
    Param(&'a str),
}

/// The configuration and transport every generated client wraps.
#[derive(Clone)]
pub struct ClientCore {
    base_url: reqwest::Url,
    http: reqwest::Client,
    default_headers: HeaderMap,
    token: Option<Arc<dyn TokenSource>>,
}

impl std::fmt::Debug for ClientCore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCore")
            .field("base_url", &self.base_url.as_str())
            .finish_non_exhaustive()
    }
}

impl ClientCore {
    /// A client for the server at `base_url` (e.g. `https://partner.example.com/api`).
    pub fn new(base_url: &str) -> Result<Self, ClientError> {
        Self::with_http(base_url, reqwest::Client::new())
    }

    /// Same, with a reqwest client configured by the caller (timeouts, TLS, proxies).
    pub fn with_http(base_url: &str, http: reqwest::Client) -> Result<Self, ClientError> {
        let base_url = reqwest::Url::parse(base_url)
            .map_err(|e| ClientError::InvalidRequest(format!("base URL `{base_url}`: {e}")))?;
        if base_url.cannot_be_a_base() {
            return Err(ClientError::InvalidRequest(format!(
                "base URL `{base_url}` cannot be a base"
            )));
        }
        Ok(Self {
            base_url,
            http,
            default_headers: HeaderMap::new(),
            token: None,
        })
    }

    /// Adds a header sent with every request (an API key, basic credentials…).
    pub fn with_header(mut self, name: &str, value: &str) -> Result<Self, ClientError> {
        let name = HeaderName::try_from(name)
            .map_err(|e| ClientError::InvalidRequest(format!("header name `{name}`: {e}")))?;
        let value = HeaderValue::try_from(value)
            .map_err(|e| ClientError::InvalidRequest(format!("header `{name}`: {e}")))?;
        self.default_headers.insert(name, value);
        Ok(self)
    }

    /// Sends `Authorization: Bearer <token>` from `source` with every request.
    pub fn with_token_source(mut self, source: Arc<dyn TokenSource>) -> Self {
        self.token = Some(source);
        self
    }

    pub fn base_url(&self) -> &reqwest::Url {
        &self.base_url
    }

    /// The URL of an operation: the base URL's path followed by the encoded segments.
    pub fn url(&self, segments: &[Segment<'_>]) -> Result<reqwest::Url, ClientError> {
        let mut url = self.base_url.clone();
        {
            let mut path = url
                .path_segments_mut()
                .map_err(|_| ClientError::InvalidRequest("base URL cannot be a base".into()))?;
            path.pop_if_empty();
            for segment in segments {
                match segment {
                    Segment::Literal(s) => path.push(s),
                    Segment::Param(s) => path.push(s),
                };
            }
        }
        Ok(url)
    }

    /// A request builder with the default headers.
    pub fn request(&self, method: reqwest::Method, url: reqwest::Url) -> reqwest::RequestBuilder {
        self.http
            .request(method, url)
            .headers(self.default_headers.clone())
    }

    /// Sends a request; with a token source, adds the bearer token and on a 401 retries once with a new one.
    pub async fn send(
        &self,
        builder: reqwest::RequestBuilder,
    ) -> Result<(u16, HeaderMap, bytes::Bytes), ClientError> {
        let (status, headers, answer) = self.send_streaming(builder).await?;
        Ok((status, headers, answer.bytes().await?))
    }

    /// Sends a request a generated method built and reads the answer with `read`, the answer reader of
    /// the method's response enum. Generated methods are plain functions returning this future: one
    /// asynchronous function for all of them, where an `async fn` each made a crate of a thousand
    /// operations hold a thousand state machines for the compiler to check (Kubernetes' generated
    /// crate: 240 s and 5.4 GB to check with them, 149 s and 4.6 GB without).
    pub async fn call<T>(
        &self,
        request: Result<reqwest::RequestBuilder, ClientError>,
        read: fn(u16, &HeaderMap, &[u8]) -> Result<T, ClientError>,
    ) -> Result<T, ClientError> {
        let (status, headers, bytes) = self.send(request?).await?;
        read(status, &headers, &bytes)
    }

    /// Like [`Self::send`], with the answer's body not read yet: an answer that is a stream (server-sent
    /// events) is handed over as it comes.
    pub async fn send_streaming(
        &self,
        builder: reqwest::RequestBuilder,
    ) -> Result<(u16, HeaderMap, Answer), ClientError> {
        let Some(source) = &self.token else {
            return Self::execute(builder).await;
        };
        let retry = builder.try_clone();
        let token = source.token().await?;
        let first = Self::execute(builder.header(AUTHORIZATION, format!("Bearer {token}"))).await?;
        if first.0 != 401 {
            return Ok(first);
        }
        let Some(retry) = retry else { return Ok(first) };
        source.invalidate(&token);
        let token = source.token().await?;
        Self::execute(retry.header(AUTHORIZATION, format!("Bearer {token}"))).await
    }

    async fn execute(
        builder: reqwest::RequestBuilder,
    ) -> Result<(u16, HeaderMap, Answer), ClientError> {
        let response = builder.send().await.map_err(ClientError::Communication)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        Ok((status, headers, Answer(response)))
    }

    /// A form request body from a generated type, its fields written in the styles `styles`
    /// names (the spec's `encoding`; see [`FormStyle`](crate::FormStyle)).
    pub fn form_body<T: ToJSON>(
        builder: reqwest::RequestBuilder,
        body: &T,
        styles: &[(&str, crate::FormStyle)],
    ) -> Result<reqwest::RequestBuilder, ClientError> {
        let pairs = crate::form::form_pairs(&body.to_json().unwrap_or_default(), styles)?;
        Ok(builder.form(&pairs))
    }

    /// A JSON request body from a generated type.
    pub fn json_body<T: ToJSON>(
        builder: reqwest::RequestBuilder,
        body: &T,
    ) -> reqwest::RequestBuilder {
        builder
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_json_string())
    }
}

/// The body of an answer, not read yet.
#[derive(Debug)]
pub struct Answer(reqwest::Response);

impl Answer {
    /// The whole body.
    pub async fn bytes(self) -> Result<bytes::Bytes, ClientError> {
        self.0.bytes().await.map_err(ClientError::Communication)
    }

    /// The body as a stream of bytes, read as it comes (a `text/event-stream`): the same type a
    /// server answers it with, `poem::Body`.
    pub fn into_body(self) -> poem::Body {
        use futures_util::TryStreamExt;
        poem::Body::from_bytes_stream(self.0.bytes_stream().map_err(std::io::Error::other))
    }
}

/// Decodes a JSON answer into the type the spec declares for its status.
pub fn decode_json<T: ParseFromJSON>(status: u16, body: &[u8]) -> Result<T, ClientError> {
    let invalid = |reason: String| ClientError::InvalidBody {
        status,
        reason,
        body: body.to_vec(),
    };
    let value: serde_json::Value = if body.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(body).map_err(|e| invalid(e.to_string()))?
    };
    T::parse_from_json(Some(value)).map_err(|e| invalid(e.into_message()))
}

/// Decodes a response header the spec declares.
pub fn decode_header<T: ParseFromParameter>(
    status: u16,
    headers: &HeaderMap,
    name: &str,
) -> Result<Option<T>, ClientError> {
    match headers.get(name) {
        None => Ok(None),
        Some(v) => {
            let text = v.to_str().map_err(|e| ClientError::InvalidBody {
                status,
                reason: format!("header `{name}`: {e}"),
                body: Vec::new(),
            })?;
            T::parse_from_parameter(text)
                .map(Some)
                .map_err(|e| ClientError::InvalidBody {
                    status,
                    reason: format!("header `{name}`: {}", e.into_message()),
                    body: Vec::new(),
                })
        }
    }
}

/// A path, query or header value as text, the way the server side parses it.
/// True when the answer's `Content-Type` header is the media type `expected` (parameters such as
/// `charset` and case aside; `*/*` and `type/*` match their kind).
pub fn media_type_is(header: &str, expected: &str) -> bool {
    let essence = |s: &str| {
        s.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    };
    let (header, expected) = (essence(header), essence(expected));
    match expected.strip_suffix("/*") {
        Some("*") => true,
        Some(kind) => header.split('/').next() == Some(kind),
        None => header == expected,
    }
}

pub fn param_string<T: ToJSON>(value: &T) -> String {
    match value.to_json() {
        Some(serde_json::Value::String(s)) => s,
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

/// What a cookie's value may not hold as it is (RFC 6265's `cookie-octet`: no control characters,
/// whitespace, `"`, `,`, `;` or `\`), and `%`, which starts an escape: poem reads cookies
/// percent-decoded.
const COOKIE_VALUE: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b',')
    .add(b';')
    .add(b'\\')
    .add(b'%');

/// One `name=value` pair of a `Cookie` header, the value percent-encoded where it must be.
pub fn cookie_pair(name: &str, value: &str) -> String {
    format!(
        "{name}={}",
        percent_encoding::utf8_percent_encode(value, COOKIE_VALUE)
    )
}

#[cfg(test)]
mod cookie_tests {
    use super::cookie_pair;

    #[test]
    fn a_cookie_value_escapes_separators_spaces_and_non_ascii_text_only() {
        assert_eq!(cookie_pair("lang", "fr-FR"), "lang=fr-FR");
        assert_eq!(
            cookie_pair("visitor", "Zoë; 50%"),
            "visitor=Zo%C3%AB%3B%2050%25"
        );
    }
}
