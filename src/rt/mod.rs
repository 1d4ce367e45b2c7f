//! Run-time support for generated code: open enums, error bodies, the client plumbing.
