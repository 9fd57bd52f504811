//! Where an IDX sign-in starts: the `stateToken` an Identity Engine org's sign-in page bootstraps
//! the Sign-In Widget with, written into the page script the way Okta writes strings there.

use crate::secret::Secret;

/// The `stateToken` an Identity Engine org's sign-in page bootstraps the widget with
/// (`var stateToken = '02.id.x\x2Dy';`, or `"stateToken":"..."` in a JSON config); None on a
/// Classic org's page, which has none or an empty one.
pub fn bootstrap_state_token(page: &str) -> Option<Secret> {
    const KEY: &str = "stateToken";
    let mut from = 0;
    while let Some(at) = page[from..].find(KEY) {
        let rest = &page[from + at + KEY.len()..];
        from += at + KEY.len();
        // `stateToken = '…'`, `"stateToken":"…"`, `stateToken: "…"`; not `stateTokenAllFlows`
        // nor a URL's `?stateToken=…`.
        let rest = rest.strip_prefix(['"', '\'']).unwrap_or(rest).trim_start();
        let Some(rest) = rest.strip_prefix(['=', ':']) else {
            continue;
        };
        let rest = rest.trim_start();
        let Some(quote) = rest.chars().next().filter(|c| *c == '\'' || *c == '"') else {
            continue;
        };
        let Some(end) = rest[1..].find(quote) else {
            continue;
        };
        let token = js_unescape(&rest[1..1 + end]);
        if !token.trim().is_empty() {
            return Some(Secret::new(token.trim().to_string()));
        }
    }
    None
}

/// Undoes the `\xNN` and `\uNNNN` escapes Okta writes into page scripts.
fn js_unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let width = match chars.peek() {
            Some('x') => 2,
            Some('u') => 4,
            Some(_) => {
                out.extend(chars.next());
                continue;
            }
            None => break,
        };
        chars.next();
        let hex: String = chars.by_ref().take(width).collect();
        match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
            Some(ch) => out.push(ch),
            None => out.push_str(&hex),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_token_is_read_from_an_identity_engine_page_and_unescaped() {
        let page = "<script>\n  var baseUrl = 'https\\x3A\\x2F\\x2Forg.okta.com';\n  var stateToken = '02.id.ab\\x2Dcd_ef';\n</script>";
        let token = bootstrap_state_token(page).unwrap();
        assert_eq!(token.expose(), "02.id.ab-cd_ef");
        let json = r#"{"signIn":{"stateToken":"02.id.x\u002Dy"}}"#;
        assert_eq!(bootstrap_state_token(json).unwrap().expose(), "02.id.x-y");
        let spaced = "var stateTokenAllFlows;\nconfig = { stateToken: \"02.id.z\" };";
        assert_eq!(bootstrap_state_token(spaced).unwrap().expose(), "02.id.z");
    }

    #[test]
    fn a_classic_page_has_no_state_token() {
        assert!(bootstrap_state_token("<script>var stateToken = '';</script>").is_none());
        assert!(bootstrap_state_token("<form action=/login/do-login>").is_none());
        assert!(
            bootstrap_state_token("<a href='/login/step-up/redirect?stateToken=02.x'>").is_none()
        );
    }
}
