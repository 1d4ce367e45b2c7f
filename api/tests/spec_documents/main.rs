//! Checks on the OpenAPI documents in `spec/` (`common.yaml`, `product-ordering.yaml`,
//! `user-service.yaml`), one module per concern: they parse as OpenAPI 3.0, every `$ref` resolves,
//! every example validates against its schema, the operations carry the roles and security the
//! contract gives, contract decisions are marked, and an independent validator
//! (`openapi-spec-validator`) accepts them.
//!
//! `documents`, `json_schema` and `example_report` are what the checks read the documents through.

mod documents;
mod example_report;
mod json_schema;

mod an_independent_validator_agrees;
mod decisions_are_marked;
mod examples_match_their_schemas;
mod operations_follow_the_contract;
mod parse_as_openapi_3_0;
mod references_resolve;
