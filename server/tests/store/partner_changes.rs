//! UC5: changes the partner initiates, stored with their operation and event, or refused with
//! nothing stored.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use obakit_server::domain::{
    AppliedChange, Catalogue, Characteristic, DomainError, EndUser, LicenseId, Login, LoginKey,
    OperationAction, PartnerChange, RealizingResource,
};
use obakit_server::store::NewEvent;
use obakit_server::usecase::UseCaseError;
use serde_json::json;

use crate::support::builders::*;
use crate::support::{Scripted, TestDb};
use crate::{completed, ids};

async fn partner_changes_are_stored_with_their_operation_and_event(db: TestDb) {
    let cases = db.cases().await;
    let store = cases.store();
    let license = ids(&completed(&cases, &uc2("ORD-1", 1)).await).remove(0);
    let event = |changed: &obakit_server::domain::LicenseChanged| {
        vec![NewEvent::new(
            "userService.update",
            changed.license.fleet_id.as_str(),
            json!({"change": changed.change}),
        )]
    };
    let changes = [
        PartnerChange::SetEndUser {
            end_user: EndUser {
                given_name: Some("Ana".into()),
                ..EndUser::default()
            },
        },
        PartnerChange::SetRealizingResource {
            realizing_resource: RealizingResource {
                kind: "URL".into(),
                characteristics: vec![Characteristic::new("url", "https://x.example")],
            },
        },
        PartnerChange::SetLogin {
            login: Login {
                key: LoginKey::Login,
                value: "ana".into(),
            },
            email: Some("ana@example.com".into()),
        },
        PartnerChange::AddCharacteristic {
            characteristic: Characteristic::new("seat", "1"),
        },
        PartnerChange::ModifyCharacteristic {
            characteristic: Characteristic::new("seat", "2"),
        },
    ];
    for change in &changes {
        cases
            .change_license(&license, change, event)
            .await
            .expect("changed");
    }
    let stored = store
        .license(&license)
        .await
        .expect("read")
        .expect("visible");
    assert_eq!(
        stored.end_user.and_then(|u| u.given_name).as_deref(),
        Some("Ana")
    );
    assert_eq!(
        stored.realizing_resource.map(|r| r.kind).as_deref(),
        Some("URL")
    );
    assert_eq!(stored.login.map(|l| l.value).as_deref(), Some("ana"));
    assert_eq!(
        stored.characteristics,
        vec![Characteristic::new("seat", "2")]
    );
    let removed = cases
        .change_license(&license, &PartnerChange::RemoveEndUser, event)
        .await
        .expect("changed");
    assert!(matches!(
        removed.change,
        AppliedChange::EndUser {
            action: OperationAction::Delete,
            ..
        }
    ));
    let deleted = cases
        .change_license(
            &license,
            &PartnerChange::DeleteCharacteristic {
                name: "seat".into(),
            },
            event,
        )
        .await
        .expect("changed");
    assert!(deleted.license.characteristics.is_empty());
    // Events of one license are handed out one at a time, in order: deliver each to see the next.
    let events = store.pending_events(100).await.expect("read");
    assert_eq!(events.len(), changes.len() + 2, "one event per change");
    for expected in &events {
        let claimed = store
            .claim_due(Utc::now(), 100, Duration::from_secs(60))
            .await
            .expect("claim");
        assert_eq!(
            claimed.iter().map(|e| &e.id).collect::<Vec<_>>(),
            [&expected.id],
            "the license's events one at a time, in order"
        );
        assert!(store.mark_delivered(&expected.id).await.expect("delivered"));
    }
}

async fn a_refused_partner_change_stores_nothing_and_enqueues_nothing(db: TestDb) {
    let scripted = Arc::new(Scripted::default());
    let cases = db.cases_with(scripted.clone(), Catalogue::open()).await;
    let store = cases.store();
    let license = ids(&completed(&cases, &uc2("ORD-1", 1)).await).remove(0);
    let event = |_: &obakit_server::domain::LicenseChanged| {
        vec![NewEvent::new("userService.update", "k", json!({}))]
    };
    let refused = cases
        .change_license(&license, &PartnerChange::RemoveEndUser, event)
        .await
        .expect_err("no end user");
    assert!(
        matches!(
            refused,
            UseCaseError::Refused(DomainError::NoEndUser { .. })
        ),
        "{refused:?}"
    );
    scripted.set_refusing(true);
    let set = PartnerChange::SetLogin {
        login: Login {
            key: LoginKey::OrganizationCode,
            value: "ACME".into(),
        },
        email: None,
    };
    let refused = cases
        .change_license(&license, &set, event)
        .await
        .expect_err("provisioning said no");
    assert!(
        matches!(refused, UseCaseError::Provisioning(_)),
        "{refused:?}"
    );
    assert!(
        store
            .license(&license)
            .await
            .expect("read")
            .expect("visible")
            .login
            .is_none()
    );
    let unknown = cases
        .change_license(&LicenseId::from("nope"), &set, event)
        .await
        .expect_err("unknown");
    assert!(matches!(unknown, UseCaseError::Refused(ref e) if e.is_not_found()));
    assert!(
        store
            .claim_due(Utc::now(), 10, Duration::from_secs(60))
            .await
            .expect("claim")
            .is_empty()
    );
}

crate::on_both_backends!(
    partner_changes_are_stored_with_their_operation_and_event,
    a_refused_partner_change_stores_nothing_and_enqueues_nothing,
);
