//! A small browser for the emulator self-tests: a cookie jar, no automatic redirects, and the
//! HTML lookups a test needs to follow a form the way a person's browser would.

pub fn browser() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    match reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(c) => c,
        Err(e) => panic!("reqwest client: {e}"),
    }
}

pub struct Page {
    pub status: u16,
    pub url: String,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

pub async fn fetch(req: reqwest::RequestBuilder) -> Page {
    let resp = match req.send().await {
        Ok(r) => r,
        Err(e) => panic!("request failed: {e}"),
    };
    Page {
        status: resp.status().as_u16(),
        url: resp.url().to_string(),
        headers: resp.headers().clone(),
        body: resp.text().await.unwrap_or_default(),
    }
}

/// `attr` of the first element matching `selector`, entities decoded.
pub fn attr(html: &str, selector: &str, attr: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(selector).ok()?;
    doc.select(&sel)
        .next()
        .and_then(|e| e.value().attr(attr))
        .map(String::from)
}

pub fn count(html: &str, selector: &str) -> usize {
    let doc = scraper::Html::parse_document(html);
    match scraper::Selector::parse(selector) {
        Ok(sel) => doc.select(&sel).count(),
        Err(_) => 0,
    }
}

pub fn set_cookies(page: &Page) -> Vec<String> {
    page.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok().map(String::from))
        .collect()
}

pub fn absolute(base: &str, location: &str) -> String {
    match url::Url::parse(base).and_then(|b| b.join(location)) {
        Ok(u) => u.to_string(),
        Err(e) => panic!("cannot resolve {location} against {base}: {e}"),
    }
}

/// Posts `fields` to the page's `form#loginForm` action, as a browser would.
pub async fn submit(
    client: &reqwest::Client,
    page: &Page,
    form: &str,
    fields: &[(&str, &str)],
) -> Page {
    let action = attr(&page.body, &format!("form#{form}"), "action").unwrap_or_default();
    fetch(client.post(absolute(&page.url, &action)).form(fields)).await
}
