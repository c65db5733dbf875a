//! The browser's files (`/pkg/...`: the wasm, its JavaScript glue, the CSS) always come back
//! `200` with their bytes, even while other requests render pages that answer `404`; and pages
//! for what does not exist answer `404` every time.
//!
//! Found in the end-to-end teams test, one run in five to ten: the page of a used invite
//! answered 404, and the JavaScript and wasm it loaded at the same moment came back with their
//! own bytes and `Content-Type` but status 404, so Chromium refused them and the page never
//! hydrated. The tokio worker threads were left with another request's reactive owner as the
//! current one; leptos_axum's `file_and_error_handler` serves a found file under
//! `Owner::new()`, which became a child of that stranger and copied its `ResponseOptions` (a
//! 404 page's) onto the file. On the old router this test (then with the invite and project
//! pages only) failed with 222 to 303 of its 480 file requests answered 404. Now a layer
//! clears a left-over owner before every poll of a request (`http::no_stale_owner`; that
//! alone passes this test) and `/pkg` is a plain `ServeDir` with no reactive owner.

mod common;

use common::{http_client, team_of, App};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pkg_files_answer_200_while_404_pages_render() {
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(site.path().join("pkg")).unwrap();
    let js = "export default function init() { return 'lockstep'; }\n".repeat(50);
    std::fs::write(site.path().join("pkg/lockstep.js"), &js).unwrap();
    let site_root = site.path().to_path_buf();
    let app = App::start(move |c| c.site_root = Some(site_root)).await;
    let http = http_client();
    team_of(&http, &app.base).await;

    // Rounds of what a browser does when it opens a page that answers 404 (an invite, a
    // project, a team that does not exist): the page, and at the same moment the files its
    // HTML asks for.
    let (mut files, mut pages) = (0, 0);
    let mut wrong = Vec::new();
    for round in 0..120 {
        let mut tasks = tokio::task::JoinSet::new();
        let invite = app.url(&format!("/invite/{round:064x}"));
        let project = app.url(&format!("/projects/{round:032x}"));
        let team = app.url(&format!("/teams/{round:032x}"));
        for url in [invite, project, team].into_iter().chain(std::iter::repeat_n(app.url("/pkg/lockstep.js"), 4)) {
            let http = http.clone();
            tasks.spawn(async move {
                let r = http.get(&url).send().await.unwrap();
                let status = r.status();
                (url, status, r.text().await.unwrap())
            });
        }
        while let Some(done) = tasks.join_next().await {
            let (url, status, body) = done.unwrap();
            if url.contains("/pkg/") {
                files += 1;
                if status != 200 || body != js {
                    wrong.push(format!("{status} for {url} ({} bytes)", body.len()));
                }
            } else if url.contains("/invite/") {
                pages += 1;
                assert_eq!(status, 404, "an unknown invite answers 404: {url}");
                assert!(body.contains("data-testid=\"invite-gone\""), "and shows the page that says so: {url}");
            } else {
                // Unknown projects and teams too, although their pages stream: they wait for
                // what they show before the first byte.
                pages += 1;
                assert_eq!(status, 404, "an unknown project or team answers 404: {url}");
                assert!(body.contains("<html"), "and renders its page: {url}");
            }
        }
    }
    assert_eq!((files, pages), (480, 360));
    assert!(wrong.is_empty(), "{} of {files} file requests went wrong, e.g. {:?}", wrong.len(), wrong.first());

    // Still compressed for a browser that takes gzip (the wasm is ~1.6 MB raw), with the
    // type a module script needs.
    let r = http.get(app.url("/pkg/lockstep.js")).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers().get("content-encoding").map(|v| v.to_str().unwrap()), Some("gzip"));
    assert_eq!(r.headers().get("content-type").map(|v| v.to_str().unwrap()), Some("text/javascript"));
    assert!(r.bytes().await.unwrap().len() < js.len() / 4, "the repeated script compresses well");

    // A file that is not there is a plain 404, not the app's page.
    let r = http.get(app.url("/pkg/missing.js")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert!(!r.text().await.unwrap().contains("<html"));
    app.stop().await;
}
