//! Concurrent writers: optimistic concurrency and SQLite's single writer.

use futures_util::future::join_all;
use serde_json::json;

use crate::helpers::{TestApp, id};

#[tokio::test]
async fn of_two_writers_with_the_same_if_match_exactly_one_wins() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let plan = app.create_plan(&bol, json!({})).await;
    let path = format!("/api/v1/plans/{}", id(&plan));
    for round in 0..5 {
        let current = app.get(&path, &bol).await;
        let etag = current.etag();
        let writers = (0..2).map(|w| {
            let (app, bol, path, etag) = (&app, bol.clone(), path.clone(), etag.clone());
            async move { app.patch(&path, &bol, json!({"national_plan_ref": format!("round {round} writer {w}")}), Some(&etag)).await }
        });
        let replies = join_all(writers).await;
        let mut statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 412], "round {round}");
        let loser = replies.iter().find(|r| r.status == 412).unwrap();
        loser.assert_problem(412, "stale_version");
    }
    assert_eq!(app.get(&path, &bol).await.body["version"], 6);
}

#[tokio::test]
async fn fifty_concurrent_writers_all_succeed() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let plan = id(&app.create_plan(&bol, json!({})).await);
    let writers =
        (0..50).map(|n| {
            let (app, bol, plan) = (&app, bol.clone(), plan.clone());
            async move {
                app.post(&format!("/api/v1/plans/{plan}/objectives"), &bol, json!({"code": format!("SO{n}"), "title": {"es": format!("Objetivo {n}")}})).await
            }
        });
    let replies = join_all(writers).await;
    for r in &replies {
        assert_eq!(r.status, 201, "{}", r.body);
    }
    assert_eq!(app.count("objectives").await, 50);
    assert_eq!(app.count("changes").await, 50 + 1 + 3, "the objectives, the plan, and the harness's two administrations and donor");
}
