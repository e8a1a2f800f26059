//! A real GraphQL client: these operations are compiled against the committed
//! `schema.graphql` (a change that breaks them fails the build) and run over HTTP.

use graphql_client::{GraphQLQuery, Response};
use serde::{Serialize, de::DeserializeOwned};

use crate::helpers::TestApp;

/// The schema's `UUID` scalar, as the generated code names it.
#[allow(clippy::upper_case_acronyms)]
type UUID = String;

#[derive(GraphQLQuery)]
#[graphql(schema_path = "schema.graphql", query_path = "tests/api/queries/portal.graphql", response_derives = "Debug")]
struct Portal;

#[derive(GraphQLQuery)]
#[graphql(schema_path = "schema.graphql", query_path = "tests/api/queries/plan_lifecycle.graphql", response_derives = "Debug")]
struct CreatePlan;

#[derive(GraphQLQuery)]
#[graphql(schema_path = "schema.graphql", query_path = "tests/api/queries/plan_lifecycle.graphql", response_derives = "Debug")]
struct TransitionPlan;

#[derive(GraphQLQuery)]
#[graphql(schema_path = "schema.graphql", query_path = "tests/api/queries/plan_lifecycle.graphql", response_derives = "Debug")]
struct AddObjective;

#[derive(GraphQLQuery)]
#[graphql(schema_path = "schema.graphql", query_path = "tests/api/queries/plan_lifecycle.graphql", response_derives = "Debug")]
struct AddIndicator;

#[derive(GraphQLQuery)]
#[graphql(schema_path = "schema.graphql", query_path = "tests/api/queries/plan_lifecycle.graphql", response_derives = "Debug")]
struct SetTarget;

#[derive(GraphQLQuery)]
#[graphql(schema_path = "schema.graphql", query_path = "tests/api/queries/plan_lifecycle.graphql", response_derives = "Debug")]
struct Record;

#[derive(GraphQLQuery)]
#[graphql(schema_path = "schema.graphql", query_path = "tests/api/queries/plan_lifecycle.graphql", response_derives = "Debug")]
struct Review;

/// Sends a typed operation and returns its data, failing the test on any GraphQL error.
async fn run<Q: GraphQLQuery>(app: &TestApp, token: &str, variables: Q::Variables) -> Q::ResponseData
where
    Q::Variables: Serialize,
    Q::ResponseData: DeserializeOwned,
{
    let body = Q::build_query(variables);
    let reply: Response<Q::ResponseData> =
        app.client.post(format!("{}/graphql", app.base)).bearer_auth(token).json(&body).send().await.unwrap().json().await.unwrap();
    assert!(reply.errors.is_none(), "{:?}", reply.errors);
    reply.data.expect("data")
}

#[tokio::test]
async fn a_planner_builds_a_plan_and_a_donor_portal_reads_its_progress() {
    let app = TestApp::spawn().await;
    let planner = app.planner("BOL");
    let text = |lang: &str, text: &str| create_plan::TranslationInput { lang: lang.into(), text: text.into() };
    let plan = run::<CreatePlan>(
        &app,
        &planner,
        create_plan::Variables {
            input: create_plan::CreatePlanInput {
                administration: None,
                title: vec![text("es", "Plan Estratégico Institucional"), text("en", "Institutional Strategic Plan")],
                vision: None,
                mission: None,
                start_year: 2022,
                end_year: 2026,
                disclosure: Some(create_plan::Disclosure::PROGRAMME),
                national_plan_ref: Some("PDES 2021-2025".into()),
                on_track_threshold: None,
                at_risk_threshold: None,
                maintain_tolerance: None,
            },
        },
    )
    .await
    .create_plan;
    assert!(matches!(plan.status, create_plan::PlanStatus::DRAFT));
    assert_eq!(plan.allowed_transitions.len(), 1);

    let objective = run::<AddObjective>(
        &app,
        &planner,
        add_objective::Variables {
            plan: plan.id.clone(),
            input: add_objective::CreateObjectiveInput {
                parent_id: None,
                code: "SO1".into(),
                title: vec![add_objective::TranslationInput { lang: "es".into(), text: "Facilitar el comercio".into() }],
                description: None,
                level: None,
                weight: None,
                external_ref: None,
            },
        },
    )
    .await
    .create_objective;
    let indicator = run::<AddIndicator>(
        &app,
        &planner,
        add_indicator::Variables {
            objective: objective.id,
            input: add_indicator::CreateIndicatorInput {
                definition_id: None,
                name: Some(vec![add_indicator::TranslationInput { lang: "en".into(), text: "Average release time".into() }]),
                description: None,
                measure: Some(add_indicator::Measure::DURATION_HOURS),
                unit: Some("hours".into()),
                direction: Some(add_indicator::Direction::DECREASE),
                baseline_value: "48".into(),
                baseline_period: "2022".into(),
                frequency: add_indicator::Frequency::ANNUAL,
                data_source: None,
                means_of_verification: None,
                weight: None,
                disclosure: None,
                external_ref: None,
            },
        },
    )
    .await
    .create_indicator;
    run::<SetTarget>(&app, &planner, set_target::Variables { indicator: indicator.id.clone(), period: "2026".into(), value: "24".into() }).await;
    let recorded = run::<Record>(&app, &planner, record::Variables { indicator: indicator.id.clone(), period: "2024".into(), value: "30".into() }).await;
    assert!(matches!(recorded.record_measurement.status, record::ReviewStatus::DRAFT));
    run::<Review>(&app, &planner, review::Variables { indicator: indicator.id.clone(), period: "2024".into(), to: review::ReviewStatus::SUBMITTED }).await;
    let approved =
        run::<Review>(&app, &app.admin(), review::Variables { indicator: indicator.id, period: "2024".into(), to: review::ReviewStatus::APPROVED }).await;
    assert_eq!(approved.review_measurement.approved_value.as_deref(), Some("30"));

    let mut version = plan.version;
    for to in [transition_plan::PlanStatus::UNDER_REVIEW, transition_plan::PlanStatus::APPROVED, transition_plan::PlanStatus::ACTIVE] {
        // The planner sends it to review; an admin approves and activates it (four eyes).
        let who = if matches!(to, transition_plan::PlanStatus::UNDER_REVIEW) { planner.clone() } else { app.admin() };
        let moved = run::<TransitionPlan>(&app, &who, transition_plan::Variables { id: plan.id.clone(), to, version: Some(version) }).await;
        version = moved.transition_plan.version;
    }

    let portal = run::<Portal>(&app, &app.donor(), portal::Variables { first: Some(10), lang: Some("en".into()) }).await;
    assert!(!portal.plans.page_info.has_next_page);
    let node = &portal.plans.edges[0].node;
    assert_eq!(node.uuid, plan.uuid);
    assert_eq!(node.title, "Institutional Strategic Plan");
    assert_eq!(node.administration.as_ref().map(|a| a.code.as_str()), Some("BOL"));
    let progress = node.progress.as_ref().expect("a roll-up");
    // (30 - 48) / (24 - 48) = 0.75 against 0.5 expected in 2024: on track.
    assert_eq!(progress.progress.as_deref(), Some("0.75"));
    assert!(matches!(progress.status, portal::RagStatus::ON_TRACK));
    let measured = &node.objectives[0].indicators[0];
    assert_eq!(measured.latest_approved_measurement.as_ref().map(|m| (m.period.as_str(), m.value.as_str())), Some(("2024", "30")));
}
