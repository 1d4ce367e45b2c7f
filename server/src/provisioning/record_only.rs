//! `RecordOnly`: the default provisioner; accepts every action and logs it.

use super::{Action, ProvisionFuture, Provisioner};

/// Accepts everything; each action is logged at `info` with its id, name and size.
#[derive(Debug, Clone, Copy, Default)]
pub struct RecordOnly;

impl Provisioner for RecordOnly {
    fn provision<'a>(&'a self, action: &'a Action) -> ProvisionFuture<'a> {
        tracing::info!(
            action.id = %action.id,
            action.name = action.name(),
            licenses = action.license_count(),
            "provisioning action recorded"
        );
        Box::pin(std::future::ready(Ok(())))
    }
}
