//! Which operation a request names, from the OpenAPI metadata of the served APIs: the operation
//! id for a method and path (metrics are labelled with it), and the methods a path accepts (the
//! `Allow` header of a `405`).

use poem::http::Method;
use poem_openapi::OpenApi;
use poem_openapi::registry::MetaApi;

use obakit_api::product_ordering::server::ProductOrderingPartnerServer;
use obakit_api::user_service::server::UserServicePartnerServer;

use super::Partner;
use super::ready::READY_PATH;

/// One segment of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    /// `{name}`: any one non-empty segment.
    Parameter,
}

#[derive(Debug, Clone)]
struct Operation {
    template: Vec<Segment>,
    method: Method,
    id: &'static str,
}

/// The served operations, by path template and method.
#[derive(Debug, Clone, Default)]
pub struct OperationTable {
    operations: Vec<Operation>,
}

impl OperationTable {
    /// Orange's partner APIs, the `mounted` APIs beside them (the admin API), and `/ready`.
    pub fn served(mounted: Vec<MetaApi>) -> Self {
        let mut apis = ProductOrderingPartnerServer::<Partner>::meta();
        apis.extend(UserServicePartnerServer::<Partner>::meta());
        apis.extend(mounted);
        let mut table = Self::from_meta(&apis);
        table.operations.push(Operation {
            template: template(READY_PATH),
            method: Method::GET,
            id: "ready",
        });
        table
    }

    /// The operations the metadata describes; operations without an id are left out.
    pub fn from_meta(apis: &[MetaApi]) -> Self {
        let operations = apis
            .iter()
            .flat_map(|api| &api.paths)
            .flat_map(|path| {
                path.operations.iter().filter_map(|operation| {
                    Some(Operation {
                        template: template(&path.path),
                        method: operation.method.clone(),
                        id: operation.operation_id?,
                    })
                })
            })
            .collect();
        Self { operations }
    }

    /// The operation id a request names, if any.
    pub fn operation(&self, method: &Method, path: &str) -> Option<&'static str> {
        // HEAD is answered by the GET handler.
        let method = if method == Method::HEAD {
            &Method::GET
        } else {
            method
        };
        self.routed(path)
            .find(|op| op.method == *method)
            .map(|op| op.id)
    }

    /// The operations of the template a path is routed to. As in the router, the most literal
    /// template wins whatever the method (`/userService/update` is not `/userService/{id}`).
    fn routed(&self, path: &str) -> impl Iterator<Item = &Operation> {
        let segments = segments(path);
        let matching: Vec<&Operation> = self
            .operations
            .iter()
            .filter(|op| matches(&op.template, &segments))
            .collect();
        let most_literal = matching
            .iter()
            .map(|op| literal_count(&op.template))
            .max()
            .unwrap_or(0);
        matching
            .into_iter()
            .filter(move |op| literal_count(&op.template) == most_literal)
    }

    /// The methods a path accepts, in a stable order; empty for an unknown path.
    pub fn allowed_methods(&self, path: &str) -> Vec<Method> {
        let mut methods: Vec<Method> = Vec::new();
        for op in self.routed(path) {
            if !methods.contains(&op.method) {
                methods.push(op.method.clone());
            }
        }
        if methods.contains(&Method::GET) {
            methods.push(Method::HEAD);
        }
        methods.sort_by_key(method_rank);
        methods
    }
}

fn template(path: &str) -> Vec<Segment> {
    segments(path)
        .into_iter()
        .map(|segment| {
            if (segment.starts_with('{') && segment.ends_with('}')) || segment.starts_with(':') {
                Segment::Parameter
            } else {
                Segment::Literal(segment.to_owned())
            }
        })
        .collect()
}

fn segments(path: &str) -> Vec<&str> {
    path.split('/').filter(|s| !s.is_empty()).collect()
}

fn matches(template: &[Segment], segments: &[&str]) -> bool {
    template.len() == segments.len()
        && template.iter().zip(segments).all(|(t, s)| match t {
            Segment::Literal(literal) => literal == s,
            Segment::Parameter => !s.is_empty(),
        })
}

fn literal_count(template: &[Segment]) -> usize {
    template
        .iter()
        .filter(|s| matches!(s, Segment::Literal(_)))
        .count()
}

fn method_rank(method: &Method) -> usize {
    [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::OPTIONS,
    ]
    .iter()
    .position(|m| m == method)
    .unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_literal_path_and_a_templated_path_name_their_operations() {
        let table = OperationTable::served(Vec::new());
        assert_eq!(
            table.operation(&Method::POST, "/productordering/v2/productOrder"),
            Some("createProductOrder")
        );
        assert_eq!(table.operation(&Method::GET, "/ping"), Some("ping"));
        assert_eq!(table.operation(&Method::GET, "/nowhere"), None);
        assert_eq!(table.allowed_methods("/nowhere"), Vec::<Method>::new());
    }

    #[test]
    fn a_literal_segment_is_routed_before_a_parameter_whatever_the_method() {
        let table = OperationTable::served(Vec::new());
        let update = "/userservice/v2/userService/update";
        assert_eq!(table.allowed_methods(update), vec![Method::POST]);
        assert_eq!(table.operation(&Method::GET, update), None);
        assert_eq!(
            table.operation(&Method::GET, "/userservice/v2/userService/some-id"),
            Some("getUserService")
        );
    }

    #[test]
    fn a_get_path_allows_head_too() {
        let table = OperationTable::served(Vec::new());
        let allowed = table.allowed_methods("/ping");
        assert_eq!(allowed, vec![Method::GET, Method::HEAD]);
    }
}
