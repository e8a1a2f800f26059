//! The change feed: every change in commit order, tombstones for deletions, filtered to what the
//! caller may see, resumable from any cursor without gaps or duplicates while writes happen.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::helpers::{TestApp, id};

/// Reads the feed from `after` to its end, `limit` at a time; returns the items and the last cursor.
async fn read_all(app: &TestApp, token: &str, after: Option<&str>, query: &str, limit: u32) -> (Vec<Value>, String) {
    let mut items = Vec::new();
    let mut cursor = after.map(ToOwned::to_owned);
    loop {
        let after = cursor.as_deref().map(|c| format!("&after={c}")).unwrap_or_default();
        let page = app.get(&format!("/api/v1/changes?limit={limit}{query}{after}"), token).await;
        let body = page.assert(200).clone();
        items.extend(body["items"].as_array().unwrap().iter().cloned());
        cursor = Some(body["next_cursor"].as_str().unwrap().to_owned());
        if !body["has_more"].as_bool().unwrap() {
            return (items, cursor.unwrap_or_default());
        }
    }
}

fn entries(items: &[Value]) -> Vec<(String, String, String)> {
    items
        .iter()
        .map(|c| (c["entity_type"].as_str().unwrap().to_owned(), c["entity_id"].as_str().unwrap().to_owned(), c["operation"].as_str().unwrap().to_owned()))
        .collect()
}

#[tokio::test]
async fn the_feed_lists_every_change_in_order_with_tombstones_and_resumes_from_any_cursor() {
    let app = TestApp::spawn().await;
    let per = app.planner("PER");
    let plan = id(&app.create_plan(&per, json!({})).await);
    let objective = id(&app.create_objective(&per, &plan, json!({"code": "SO1", "title": {"es": "Facilitar"}})).await);
    let indicator = id(&app.create_indicator(&per, &objective, json!({})).await);
    app.patch(&format!("/api/v1/objectives/{objective}"), &per, json!({"title": {"es": "Facilitar el comercio"}}), None).await.assert(200);
    app.delete(&format!("/api/v1/indicators/{indicator}"), &per).await.assert(204);

    let (all, end) = read_all(&app, &per, None, "", 2).await;
    let mine: Vec<_> = entries(&all).into_iter().filter(|(_, id, _)| [&plan, &objective, &indicator].contains(&id)).collect();
    let expected = [
        ("plan", &plan, "create"),
        ("objective", &objective, "create"),
        ("indicator", &indicator, "create"),
        ("objective", &objective, "update"),
        ("indicator", &indicator, "delete"),
    ];
    assert_eq!(mine, expected.map(|(t, i, o)| (t.to_owned(), i.clone(), o.to_owned())));
    let seqs: Vec<i64> = all.iter().map(|c| c["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "oldest first: {seqs:?}");
    let tombstone = all.iter().find(|c| c["entity_id"] == indicator.as_str() && c["operation"] == "delete").unwrap();
    assert_eq!(tombstone["href"], Value::Null, "a deleted object has no address any more");
    let created = all.iter().find(|c| c["entity_id"] == objective.as_str()).unwrap();
    assert_eq!(created["href"], format!("/api/v1/objectives/{objective}"));
    assert_eq!(created["administration"], "PER");

    // From any cursor, the rest and only the rest.
    for (i, item) in all.iter().enumerate() {
        let (rest, _) = read_all(&app, &per, item["cursor"].as_str(), "", 3).await;
        assert_eq!(entries(&rest), entries(&all[i + 1..]), "resuming after entry {i}");
    }
    // A filter by type, and the end of the feed that waits for what comes next.
    let (objectives, _) = read_all(&app, &per, None, "&types=objective,plan", 50).await;
    assert!(objectives.iter().all(|c| c["entity_type"] == "objective" || c["entity_type"] == "plan"));
    assert_eq!(objectives.len(), 3);
    let (nothing, same) = read_all(&app, &per, Some(&end), "", 10).await;
    assert!(nothing.is_empty());
    assert_eq!(same, end, "an empty page keeps the position");
    let latest = app.get("/api/v1/changes?after=latest", &per).await;
    assert_eq!(latest.assert(200)["items"], json!([]));
    assert_eq!(latest.body["next_cursor"], end.as_str());
    app.post(&format!("/api/v1/plans/{plan}/transitions"), &per, json!({"to": "under_review"})).await.assert(200);
    let (next, _) = read_all(&app, &per, Some(&end), "", 10).await;
    assert_eq!(entries(&next), [("plan".to_owned(), plan.clone(), "update".to_owned())]);
    assert_eq!(next[0]["action"], "transition:under_review");
}

#[tokio::test]
async fn the_feed_shows_each_caller_only_what_it_may_see() {
    let app = TestApp::spawn().await;
    let admin = app.admin();
    app.post("/api/v1/donors", &admin, json!({"code": "WCO", "name": {"en": "WCO"}})).await.assert(201);
    let per = app.planner("PER");
    let plan = id(&app.create_plan(&per, json!({})).await);
    let objective = id(&app.create_objective(&per, &plan, json!({"code": "SO1", "title": {"es": "Facilitar"}})).await);
    let restricted = id(&app.create_indicator(&per, &objective, json!({"disclosure": "restricted"})).await);
    let stakeholder = id(app.post("/api/v1/stakeholders", &per, json!({"name": {"es": "Cámara"}, "kind": "private_sector"})).await.assert(201));
    let project_body =
        |code: &str| json!({"code": code, "title": {"es": code}, "planned_start": "2024-01-01", "planned_end": "2026-12-31", "objective_ids": [objective]});
    let funded = id(app.post("/api/v1/projects", &per, project_body("FUNDED")).await.assert(201));
    let other = id(app.post("/api/v1/projects", &per, project_body("OTHER")).await.assert(201));
    let seco = id(app
        .post(&format!("/api/v1/projects/{funded}/fundings"), &per, json!({"donor": "SECO", "committed": {"amount": "10", "currency": "CHF"}}))
        .await
        .assert(201));
    let wco = id(app
        .post(&format!("/api/v1/projects/{other}/fundings"), &per, json!({"donor": "WCO", "committed": {"amount": "10", "currency": "USD"}}))
        .await
        .assert(201));

    let ids = |items: &[Value]| items.iter().map(|c| c["entity_id"].as_str().unwrap().to_owned()).collect::<HashSet<_>>();
    let bol = ids(&read_all(&app, &app.viewer("BOL"), None, "", 100).await.0);
    for private in [&plan, &objective, &restricted, &stakeholder, &funded, &other, &seco, &wco] {
        assert!(!bol.contains(private), "another administration does not learn of {private} while it is private");
    }
    assert!(bol.contains("SECO"), "donors are shared with everyone");
    let donor = ids(&read_all(&app, &app.donor(), None, "", 100).await.0);
    assert!(donor.contains(&funded) && donor.contains(&seco), "SECO follows the project it funds and its funding");
    for hidden in [&other, &wco, &plan, &stakeholder] {
        assert!(!donor.contains(hidden), "SECO does not learn of {hidden}");
    }
    let everything = ids(&read_all(&app, &admin, None, "", 100).await.0);
    let own = ids(&read_all(&app, &app.viewer("PER"), None, "", 100).await.0);
    for id in [&plan, &objective, &restricted, &stakeholder, &funded, &other, &seco, &wco] {
        assert!(everything.contains(id) && own.contains(id));
    }

    // Once the plan is published, what it discloses reaches everyone from then on; the restricted
    // indicator never does, not even its tombstone.
    app.advance_plan(&plan, "active").await;
    app.patch(&format!("/api/v1/objectives/{objective}"), &per, json!({"title": {"es": "Facilitar el comercio"}}), None).await.assert(200);
    app.delete(&format!("/api/v1/indicators/{restricted}"), &per).await.assert(204);
    let bol = entries(&read_all(&app, &app.viewer("BOL"), None, "", 100).await.0);
    assert!(bol.contains(&("plan".into(), plan.clone(), "update".into())));
    assert!(bol.contains(&("objective".into(), objective.clone(), "update".into())));
    assert!(!bol.iter().any(|(_, id, _)| id == &restricted));

    // A measurement reaches outsiders once it has an approved value, not while it is a draft.
    let shared = id(&app.create_indicator(&per, &objective, json!({})).await);
    let recorded = app.put(&format!("/api/v1/indicators/{shared}/measurements/2024"), &per, json!({"value": "20"})).await;
    let measurement = id(recorded.assert(201));
    let bol = entries(&read_all(&app, &app.viewer("BOL"), None, "", 100).await.0);
    assert!(bol.contains(&("indicator".into(), shared.clone(), "create".into())));
    assert!(!bol.iter().any(|(_, id, _)| id == &measurement), "a draft value is not announced outside");
    for (to, token) in [("submitted", &per), ("approved", &admin)] {
        app.post(&format!("/api/v1/indicators/{shared}/measurements/2024/transitions"), token, json!({"to": to})).await.assert(200);
    }
    let bol = read_all(&app, &app.viewer("BOL"), None, "", 100).await.0;
    let seen: Vec<&str> = bol.iter().filter(|c| c["entity_id"] == measurement.as_str()).map(|c| c["action"].as_str().unwrap()).collect();
    assert_eq!(seen, ["review:approved"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_following_the_feed_during_concurrent_writes_sees_every_change_once() {
    let app = std::sync::Arc::new(TestApp::spawn().await);
    let per = app.planner("PER");
    let plan = id(&app.create_plan(&per, json!({})).await);
    let start = app.get("/api/v1/changes?after=latest", &per).await.assert(200)["next_cursor"].as_str().unwrap().to_owned();

    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (app, per, plan) = (app.clone(), per.clone(), plan.clone());
            tokio::spawn(async move {
                let mut created = Vec::new();
                for i in 0..10 {
                    let body = json!({"code": format!("W{w}-{i}"), "title": {"es": "Objetivo"}});
                    created.push(id(&app.create_objective(&per, &plan, body).await));
                }
                created
            })
        })
        .collect();
    // Follow the feed while the writers run, then once more after they are done.
    let mut seen = Vec::new();
    let mut cursor = start;
    loop {
        let done = writers.iter().all(tokio::task::JoinHandle::is_finished);
        let (items, next) = read_all(&app, &per, Some(&cursor), "", 7).await;
        seen.extend(entries(&items));
        cursor = next;
        if done {
            break;
        }
    }
    let mut written = HashSet::new();
    for w in writers {
        written.extend(w.await.unwrap());
    }
    let seen_ids: Vec<&String> = seen.iter().map(|(_, id, _)| id).collect();
    let unique: HashSet<&String> = seen_ids.iter().copied().collect();
    assert_eq!(unique.len(), seen_ids.len(), "no change twice");
    assert_eq!(unique, written.iter().collect(), "every change, none skipped");
}

#[tokio::test]
async fn bad_feed_requests_are_refused_with_the_field() {
    let app = TestApp::spawn().await;
    let per = app.planner("PER");
    let bad = app.get("/api/v1/changes?after=garbage", &per).await;
    bad.assert_problem(400, "bad_request");
    assert_eq!(bad.error_fields(), ["after"]);
    let bad = app.get("/api/v1/changes?types=plan,planet", &per).await;
    bad.assert_problem(422, "validation");
    assert_eq!(bad.error_fields(), ["types"]);
    app.get("/api/v1/changes?limit=0", &per).await.assert_problem(422, "validation");
    app.get("/api/v1/changes?limit=1001", &per).await.assert_problem(422, "validation");
    app.request(reqwest::Method::GET, "/api/v1/changes", None, None, &[]).await.assert_problem(401, "unauthenticated");
}

/// The guarantee under the feed, at the storage port: while one transaction that wrote a change is
/// open, another cannot publish a later change, so no reader can pass over the earlier one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_cannot_be_published_past_an_uncommitted_earlier_one() {
    use domain::{
        audit::{Audience, Change, EntityType, FeedFilter, FeedScope, Operation},
        ports::Store,
    };
    let app = TestApp::spawn().await;
    let store = std::sync::Arc::new(infrastructure::connect(&infrastructure::DatabaseSettings::new(app.database_url.clone())).await.unwrap());
    let change = |id: &str| Change {
        at: chrono::Utc::now(),
        entity_type: EntityType::Donor,
        entity_id: id.to_owned(),
        operation: Operation::Create,
        action: "create".into(),
        administration: None,
        audience: Audience::Everyone,
    };
    let first = store.begin().await.unwrap();
    let first_seq = first.record_change(&change("FIRST")).await.unwrap();
    let later = {
        let store = store.clone();
        let change = change("SECOND");
        tokio::spawn(async move {
            let tx = store.begin().await.unwrap();
            let seq = tx.record_change(&change).await.unwrap();
            tx.commit().await.unwrap();
            seq
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!later.is_finished(), "the second writer waits for the first to commit");
    first.commit().await.unwrap();
    let second_seq = later.await.unwrap();
    assert!(second_seq > first_seq);
    let filter = FeedFilter { scope: FeedScope::All, funded: vec![], types: vec![] };
    let read: Vec<String> = store.read().changes_after(&filter, first_seq - 1, 10).await.unwrap().into_iter().map(|c| c.change.entity_id).collect();
    assert_eq!(read, ["FIRST", "SECOND"]);
}
