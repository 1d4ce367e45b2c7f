//! The generated handler traits at compile time: an implementation overriding one operation compiles and
//! serves (the others answer 501), and misuse fails to compile with an error that names the problem.
//!
//! The misuse cases are `tests/compile_fail/*.rs`, each with the `.stderr` rustc gives; refresh those with
//! `TRYBUILD=overwrite cargo test --test trybuild` and review them. The passing case,
//! `tests/compile_fail/pass/one_method_overridden.rs`, is a module of this test crate rather than a
//! `trybuild` pass case: a pass case makes trybuild build (not only check) every dependency of
//! obakit-api and its dev-dependencies once more, minutes on a 2-core machine, and proves nothing more.

#[path = "compile_fail/pass/one_method_overridden.rs"]
mod one_method_overridden;

#[tokio::test]
async fn an_implementation_overriding_one_operation_compiles_and_the_others_answer_501() {
    one_method_overridden::run().await;
}

#[test]
fn misuse_of_generated_handler_traits_fails_to_compile_with_a_readable_error() {
    trybuild::TestCases::new().compile_fail("tests/compile_fail/*.rs");
}
