//! Headless Chromium driven over WebDriver (Debian's chromium and chromium-driver, installed by
//! scripts/test.sh), against the app served in-process on a real TCP port.

use std::net::TcpListener as StdListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use super::TestApp;

pub struct Browser {
    pub client: Client,
    pub base: String,
    driver: Child,
    profile: std::path::PathBuf,
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Browser {
    /// Serves `app` on a local port and opens a fresh headless Chromium session on it.
    pub async fn open(app: &TestApp) -> Browser {
        Browser::open_router(app.router.clone()).await
    }

    /// Serves `router` (e.g. `TestApp::later`'s, on another day) and opens a browser on it.
    pub async fn open_router(router: axum::Router) -> Browser {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });

        let driver_bin =
            std::env::var("YIBAO_CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        assert!(
            std::path::Path::new(&driver_bin).exists(),
            "{driver_bin} is missing: run `bash scripts/test.sh`, which installs Debian's chromium and chromium-driver"
        );
        let port = free_port();
        let driver = Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = std::env::temp_dir().join(format!("yibao-chromium-{port}"));
        let mut caps = Capabilities::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": std::env::var("YIBAO_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run",
                    "--disable-dev-shm-usage", format!("--user-data-dir={}", profile.display())
                ]
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a WebDriver session in headless Chromium");
        Browser {
            client,
            base,
            driver,
            profile,
        }
    }

    pub async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap();
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let e = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        e.clear().await.unwrap();
        e.send_keys(text).await.unwrap();
    }

    /// Chooses a file in an `<input type=file>` (the driver reads it from disk).
    pub async fn fill_file(&self, css: &str, path: &std::path::Path) {
        let e = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        e.send_keys(&path.display().to_string()).await.unwrap();
    }

    /// Clicks, and when the click leaves the page (a link, a form), waits for the next page.
    pub async fn click(&self, css: &str) {
        self.client
            .execute("window.__yibao_old_page = true; return null;", vec![])
            .await
            .unwrap();
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .unwrap();
        let navigates = self
            .client
            .execute(
                &format!(
                    "var e = document.querySelector({css:?}); \
                     return !!(e && (e.tagName === 'A' || ((e.tagName === 'BUTTON' || e.tagName === 'INPUT') && e.form && e.type === 'submit')));"
                ),
                vec![],
            )
            .await
            .map(|v| v.as_bool().unwrap_or(true))
            .unwrap_or(true);
        if !navigates {
            return;
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let state = self
                .client
                .execute(
                    "return (window.__yibao_old_page ? 'old' : 'new') + ':' + document.readyState;",
                    vec![],
                )
                .await;
            if let Ok(v) = state {
                if v.as_str() == Some("new:complete") {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "no new page after clicking {css}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn text(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .text()
            .await
            .unwrap()
    }

    /// Sets the window to `width` × `height` CSS pixels (a 390 px phone, a 1366 px desktop).
    pub async fn resize(&self, width: u32, height: u32) {
        self.client.set_window_size(width, height).await.unwrap();
    }

    /// The number a script returns (`return document.documentElement.scrollWidth;`).
    pub async fn number(&self, script: &str) -> f64 {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("{script}: {e}"))
            .as_f64()
            .unwrap_or_else(|| panic!("{script}: not a number"))
    }

    /// Runs a script for its effect.
    pub async fn run(&self, script: &str) {
        self.client.execute(script, vec![]).await.unwrap();
    }

    /// Saves a PNG of the window under the target directory's `screenshots/` (for people to look
    /// at; the tests assert on measurements).
    pub async fn screenshot(&self, name: &str) {
        let dir = std::env::var("CARGO_TARGET_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|_| {
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target")
            })
            .join("screenshots");
        let _ = std::fs::create_dir_all(&dir);
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(dir.join(format!("{name}.png")), png);
        }
    }

    /// Asserts the page fits the window and no header link wraps inside itself.
    pub async fn assert_fits(&self, what: &str) {
        let inner = self.number("return window.innerWidth;").await;
        let width = self
            .number("return document.documentElement.scrollWidth;")
            .await;
        assert!(
            width <= inner + 1.0,
            "{what}: page {width} px wide in a {inner} px window"
        );
        let tallest = self
            .number(
                "return Math.max(0, ...Array.from(document.querySelectorAll('header.site a, nav.sub a, header.site .who')).map(e => e.getBoundingClientRect().height));",
            )
            .await;
        assert!(
            tallest < 40.0,
            "{what}: a header link is {tallest} px tall (wrapped)"
        );
    }

    /// Logs a member of staff in from the login page.
    pub async fn login_staff(&self, user: &str, password: &str) {
        self.goto("/login").await;
        self.fill("#s-user", user).await;
        self.fill("#s-pw", password).await;
        self.click("form[action='/login/staff'] button").await;
    }

    pub async fn logout(&self) {
        self.click("form[action='/logout'] button").await;
    }

    pub async fn path(&self) -> String {
        self.client.current_url().await.unwrap().path().to_string()
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}
