//! obakit-codegen: OpenAPI documents in, typed poem-openapi server traits and reqwest clients out.
