//! What each check rests on: a rule Orange publishes (getting-started 2.2 and its history), or a
//! decision of ours where Orange is silent, named by the spec's `x-contract-source: decision` point
//! it comes from, or an optional feature of Orange's table.
//!
//! The table is kept in one place so that it can be read, and argued with, as a whole: a partner
//! right by Orange's published contract must pass every contract check. Where one request tests
//! both (an order refused with a 4xx is the contract, exactly 400 with Orange's error body is our
//! decision), the scenario makes two checks.

use super::checks::{Feature, Level};
use obakit_api::profile::Profile;

/// One rule: a check id pattern (`*` matches any text), its level and what it rests on.
type Rule = (&'static str, Level, &'static str);

const C: Level = Level::Contract;
const D: Level = Level::Decision;

const RESOURCES: &str = "getting-started 2.2, \"Summary of methods and URL\": each operation's resource \
     (productOrder, an array of userService, userServiceUpdate) in a 2xx answer; the exact status \
     is checked apart (.status, a decision)";
const REFUSED: &str = "HTTP (RFC 9110 §15.5): a request the partner cannot process is refused with a \
     4xx (an order may instead be answered failed); a 5xx or no answer says the server failed";
const ERROR_BODY: &str = "decision: common.yaml Error and responses BadRequest (400 with {code, \
     message, description}, Orange's gateway codes)";
const CREDENTIALS: &str = "decision: product-ordering.yaml / user-service.yaml securitySchemes \
     (partnerBasic, partnerApiKey, partnerBearer) and common.yaml responses Unauthorized (401): \
     Orange does not publish how it authenticates to partners";
const NOT_FOUND: &str =
    "decision: common.yaml responses NotFound (404 for an unknown or terminated license)";
const READ_BACK: &str = "getting-started 2.2, POST userService/update: the changes are a \
     transaction (all or nothing); GET userService?productRefId lists the fleet as it is";
const REPLAY: &str = "product-ordering.yaml POST /productOrder (published operation): Orange may \
     resend an order after a timeout; the same order is answered as the first time and creates \
     nothing again";
const EVENTS: &str = "getting-started 2.2, UC4 and UC6: an acknowledged request is answered later by \
     POST /[offer]/…/event through Orange's gateway (OAuth 2.0 client_credentials)";

/// First match wins: specific ids before the generic `*.aspect` rules.
const RULES: &[Rule] = &[
    (
        "ping.spec",
        C,
        "getting-started 2.2, Development phase: an API named \"ping\", a GET, answering HTTP 200 \
         (the path /ping is a decision: product-ordering.yaml GET /ping)",
    ),
    (
        "*.wire",
        C,
        "getting-started history 1.2: {} is not supported for an optional node; an optional node \
         is not provided at all (so no null and no [] either)",
    ),
    (
        "uc1.ids",
        D,
        "decision: product-ordering.yaml ProductOrder.id, Organization (customer.id) and Contact.id \
         (the partner's ids in the answer)",
    ),
    (
        "uc1.async_answer",
        C,
        "getting-started 2.2, UC4: the asynchronous answer (an event) covers UC2 and UC3 only; \
         UC1 is answered completed or failed at once",
    ),
    (
        "*.fleet_id",
        C,
        "getting-started 2.2, UC2: the fleet id (productRefId) is generated and returned to Orange \
         in the final response",
    ),
    (
        "*.ids",
        D,
        "decision: product-ordering.yaml ProductOrder.id (the partner makes the order id)",
    ),
    (
        "*.external_reference",
        D,
        "decision: product-ordering.yaml ProductOrder.externalReference (Orange's order id, \
         answered back)",
    ),
    (
        "uc2.licenses",
        D,
        "decision: product-ordering.yaml ProductRef.userService and UserServiceRef (the created \
         licenses listed in the answer)",
    ),
    (
        "uc3.licenses",
        D,
        "decision: product-ordering.yaml ProductRef.userService and UserServiceRef (the created \
         licenses listed in the answer)",
    ),
    (
        "*.licenses",
        C,
        "getting-started 2.2, POST userService/update: the answer contains the state and the \
         array of userServices",
    ),
    (
        "*.hidden_until_completed",
        C,
        "getting-started 2.2, UC2 notes: licenses are returned by a GET only once the order is \
         completed",
    ),
    (
        "*.event.matches",
        D,
        "decision: product-ordering.yaml ProductOrder.id and ProductOrder.externalReference (the event's order is the acknowledged one)",
    ),
    (
        "*.event.accepted",
        D,
        "decision: product-ordering.yaml ProductOrderEvent and user-service.yaml UserServiceEvent \
         (the mock gateway checks events against the spec's layout)",
    ),
    (
        "*.event.schema",
        D,
        "decision: user-service.yaml UserServiceEventResource ({state?, userService, note?}) and \
         UserService's required properties",
    ),
    (
        "*.event.ids",
        C,
        "getting-started 2.2, UC6: the event carries the userServices of the update, as Orange sent their ids",
    ),
    ("*.event*", C, EVENTS),
    (
        "*.ack",
        D,
        "decision: product-ordering.yaml ProductOrder.id (the partner's id, set in every answer, \
         the acknowledgement included)",
    ),
    ("*.same_answer", C, REPLAY),
    ("*_replay.spec", C, REPLAY),
    ("replay_*.spec", C, REPLAY),
    (
        "replay_conflict.spec",
        D,
        "decision: common.yaml responses Conflict (409 for the same externalReference.id with \
         another body)",
    ),
    (
        "uc3_unknown_fleet.outcome",
        C,
        "getting-started 2.2, UC3: the licenses go to the fleet named, or to another fleet the \
         answer names; an order that cannot be done is failed",
    ),
    (
        "*.reason",
        D,
        "decision: common.yaml Note, ProductOrder.note and UserServiceUpdateResponse.note (a \
         failed answer carries its reason in note)",
    ),
    (
        "*.state",
        C,
        "getting-started 2.2: productOrder.state and userServiceUpdate.state are completed or \
         failed when answered synchronously",
    ),
    (
        "delete_then_suspend.failed",
        D,
        "decision: user-service.yaml UserServiceUpdateRequest (the items apply in order, and a \
         terminated license accepts no change, so the whole update fails)",
    ),
    ("*.failed", C, READ_BACK),
    ("*.after", C, READ_BACK),
    (
        "consult.fleet",
        C,
        "getting-started 2.2, GET userService?productRefId: the licenses of the fleet",
    ),
    (
        "consult_again.fleet",
        C,
        "getting-started 2.2, GET userService?productRefId: the licenses of the fleet",
    ),
    (
        "consult_one.*",
        D,
        "decision: user-service.yaml GET /userService/{id} 200 (one object, not an array of one: \
         TMF convention)",
    ),
    (
        "consult_ids.*",
        D,
        "decision: user-service.yaml GET /userService?id= (Orange: \"only consultation with a \
         fleet identifier (productRefId) is implemented\")",
    ),
    ("delete.gone*", D, NOT_FOUND),
    ("bad_input.unknown_license", D, NOT_FOUND),
    (
        "bad_input.no_query",
        D,
        "decision: user-service.yaml GET /userService 400 (neither productRefId nor id)",
    ),
    (
        "bad_input.both_query",
        D,
        "decision: user-service.yaml GET /userService 400 (both productRefId and id)",
    ),
    (
        "bad_input.update_empty",
        D,
        "decision: user-service.yaml UserServiceUpdateRequest.userService (minItems 1: an empty \
         update refused with 400)",
    ),
    ("bad_input.*credentials*", D, CREDENTIALS),
    ("*.error_body", D, ERROR_BODY),
    ("bad_input.*", C, REFUSED),
    (
        "limits.large_body",
        D,
        "decision: common.yaml responses PayloadTooLarge (413 with Orange's error body, or the \
         connection closed after a 413)",
    ),
    ("limits.large_body.refused", C, REFUSED),
    ("limits.deep_nesting", C, REFUSED),
    (
        "limits.alive*",
        C,
        "getting-started 2.2: ping is mandatory (the service stays available after refusing a \
         request)",
    ),
    (
        "tolerance.unknown_properties",
        C,
        "getting-started history 1.3 to 1.5: Orange changes its payloads between versions; a \
         property the partner does not know is no reason to refuse an order",
    ),
    (
        "tolerance.unknown_enum",
        C,
        "getting-started history 1.4 (\"change of enum on productOfferingOperation\"): Orange \
         changes enumerations between versions",
    ),
    (
        "tolerance.flat_swap",
        C,
        "getting-started 2.2, UserService API resources: \"the externalReference attribute of the \
         ProductOfferingOperation refers to the ExternalReference of the product offering\"",
    ),
    (
        "*.applied",
        C,
        "getting-started 2.2, UC2: endUserConfiguration may come with the order, as agreed in \
         Appendix 2 (its layout is a decision: product-ordering.yaml EndUserConfiguration)",
    ),
    (
        "login.shown",
        C,
        "getting-started 2.2, UC5.3: the partner sends the login of a license to Orange \
         (RightOperation)",
    ),
    (
        "uc5.*",
        D,
        "decision: user-service.yaml UserServiceEventResource without state and one operation \
         object per kind (UC5: the partner sends its own changes as updateNotification)",
    ),
    (
        "mode.*",
        C,
        "getting-started 2.2: the partner specifies in Appendix 2 whether results are provided in \
         synchronous or asynchronous mode (the profile)",
    ),
    (
        "*.status",
        D,
        "decision: product-ordering.yaml POST /productOrder 201 and user-service.yaml 200 (the \
         status of every answer, whatever the business outcome)",
    ),
    ("*.spec", C, RESOURCES),
];

/// Levels for one run: the table above, with the optional features as the profile declares them.
#[derive(Debug, Clone, Default)]
pub(super) struct Levels {
    profile: Option<Profile>,
}

impl Levels {
    pub(super) fn new(profile: Option<Profile>) -> Self {
        Self { profile }
    }

    /// Whether the partner declared `feature` (an optional one) in its Appendix 2.
    pub(super) fn declared(&self, feature: Feature) -> Option<bool> {
        let features = self.profile.as_ref()?.features;
        match feature {
            Feature::EndUser => Some(features.end_user),
            Feature::OfferSwap => Some(features.offer_swap),
            Feature::TechnicalResource => Some(features.realizing_resource),
            Feature::Login => Some(features.login),
            _ => None,
        }
    }

    /// An optional feature the profile leaves out: its checks are skipped.
    pub(super) fn left_out(&self, feature: Feature) -> bool {
        self.declared(feature) == Some(false)
    }

    /// The level of check `id` of `feature`, and what it rests on.
    pub(super) fn of(&self, id: &str, feature: Feature) -> (Level, String) {
        let (level, basis) = rule(id).unwrap_or((
            Level::Decision,
            "decision: not yet tied to a point of the spec",
        ));
        if feature.mandatory() {
            return (level, basis.to_owned());
        }
        match self.declared(feature) {
            // Declared in Appendix 2: the partner committed to it, so it is held like the rest.
            Some(true) => (
                level,
                format!("{basis}; optional in Orange's table, declared in the profile"),
            ),
            // How a feature is served, where the spec decided it, stays a decision: a status
            // other than ours does not make the feature "not supported".
            _ if level == Level::Decision => (
                level,
                format!("{basis}; in an optional feature of Orange's table"),
            ),
            _ => (
                Level::Optional,
                format!(
                    "optional in Orange's feature table (\"{}\"), not declared in a profile",
                    feature.label()
                ),
            ),
        }
    }
}

fn rule(id: &str) -> Option<(Level, &'static str)> {
    RULES
        .iter()
        .find(|(pattern, _, _)| matches(pattern, id))
        .map(|(_, level, basis)| (*level, *basis))
}

/// `*` matches any text (including dots); everything else literally.
fn matches(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, rest)) => {
            let Some(tail) = text.strip_prefix(head) else {
                return false;
            };
            (0..=tail.len())
                .filter(|&i| tail.is_char_boundary(i))
                .any(|i| matches(rest, &tail[i..]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_checks_an_independent_partner_failed_are_decisions() {
        let levels = Levels::default();
        for id in [
            "uc1.ids",
            "bad_input.both_query",
            "bad_input.update_empty",
            "bad_input.no_credentials",
        ] {
            assert_eq!(
                levels.of(id, Feature::CustomerCreation).0,
                Level::Decision,
                "{id}"
            );
        }
    }

    #[test]
    fn published_rules_are_contract_checks() {
        let levels = Levels::default();
        for id in [
            "ping.spec",
            "consult.spec",
            "consult.wire",
            "uc2.fleet_id",
            "uc2_replay.same_answer",
            "update_unknown_id.after",
            "bad_input.malformed_json",
            "suspend.event",
            "suspend.event.type",
        ] {
            assert_eq!(
                levels.of(id, Feature::LicenseOrdering).0,
                Level::Contract,
                "{id}"
            );
        }
        assert_eq!(
            levels
                .of(
                    "bad_input.malformed_json.error_body",
                    Feature::RequestValidation
                )
                .0,
            Level::Decision
        );
        assert_eq!(
            levels.of("uc2.event.matches", Feature::AsyncEvents).0,
            Level::Decision
        );
    }

    #[test]
    fn optional_features_are_optional_unless_the_profile_declares_them() {
        assert_eq!(
            Levels::default().of("swap.state", Feature::OfferSwap).0,
            Level::Optional
        );
        // A decision stays one, in an optional feature too.
        assert_eq!(
            Levels::default().of("end_user.status", Feature::EndUser).0,
            Level::Decision
        );
        let declared = Levels::new(Some(Profile::default()));
        assert_eq!(
            declared.of("swap.state", Feature::OfferSwap).0,
            Level::Contract
        );
        let mut profile = Profile::default();
        profile.features.offer_swap = false;
        assert!(Levels::new(Some(profile)).left_out(Feature::OfferSwap));
    }

    #[test]
    fn patterns_match_any_text_at_the_star() {
        assert!(matches("*.event*", "uc2.event.token"));
        assert!(matches(
            "bad_input.*credentials*",
            "bad_input.no_credentials.order"
        ));
        assert!(!matches("*.spec", "uc2.spec.x"));
    }
}
