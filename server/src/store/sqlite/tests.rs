//! The SQLite store's own tests (the store contract runs on both stores in server/tests).

use super::*;
use lockstep_domain::msg;
use serde_json::json;

/// A note written now reads back in both languages; a row an older version wrote (plain
/// English in the same column) still loads, in English for both.
#[tokio::test]
async fn notes_are_stored_in_both_languages_and_old_plain_notes_still_load() {
    let store = SqliteStore::open("sqlite::memory:").await.unwrap();
    let project =
        ProjectRow { id: "p".into(), name: "p".into(), spec: json!({}), plan: None, team_id: None, created_at: 1 };
    store.insert_project(&project).await.unwrap();
    let run = NewRun {
        id: "r".into(),
        project_id: "p".into(),
        kind: RunKind::Test,
        input: json!({}),
        steps: vec![("s".into(), StepKind::Noop)],
        started_by: None,
    };
    store.create_run(&run, 1).await.unwrap();
    let claimed = store.claim("w", 1, 60_000).await.unwrap().unwrap();
    let note = msg("Asking ACM", "ACM에 요청하는 중");
    assert!(store.set_note("s", claimed.step.fence, &note).await.unwrap());
    let (_, steps) = store.get_run("r").await.unwrap().unwrap();
    assert_eq!(steps[0].note.as_ref(), Some(&note));

    let waiting = Completion::Poll { run_at: 2, note: msg("Still waiting", "아직 기다리는 중") };
    assert!(store.complete("s", claimed.step.fence, &waiting, 1).await.unwrap());
    let (_, steps) = store.get_run("r").await.unwrap().unwrap();
    assert_eq!(steps[0].note, Some(msg("Still waiting", "아직 기다리는 중")));

    sqlx::query("UPDATE steps SET note = 'ACM says ISSUED' WHERE id = 's'").execute(&store.pool).await.unwrap();
    let (_, steps) = store.get_run("r").await.unwrap().unwrap();
    assert_eq!(steps[0].note, Some(msg("ACM says ISSUED", "ACM says ISSUED")));
}

/// The wizard's path choice: none before, then what was saved; an unknown project changes nothing.
#[tokio::test]
async fn the_backend_path_is_saved_per_project() {
    let store = SqliteStore::open("sqlite::memory:").await.unwrap();
    let project =
        ProjectRow { id: "p".into(), name: "p".into(), spec: json!({}), plan: None, team_id: None, created_at: 1 };
    store.insert_project(&project).await.unwrap();
    assert_eq!(store.backend_path("p").await.unwrap(), None);
    assert!(store.set_backend_path("p", "paid", 2).await.unwrap());
    assert_eq!(store.backend_path("p").await.unwrap().as_deref(), Some("paid"));
    assert!(store.set_backend_path("p", "free", 3).await.unwrap());
    assert_eq!(store.backend_path("p").await.unwrap().as_deref(), Some("free"));
    assert!(!store.set_backend_path("nope", "free", 3).await.unwrap());
    assert_eq!(store.backend_path("nope").await.unwrap(), None);
}
