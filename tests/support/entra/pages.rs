//! The pages the Entra emulator serves: as Entra's, each is a small shell whose only content is an
//! embedded `$Config = {...}` and the sign-in script that draws the page from it; plus the
//! auto-posting SAMLResponse page and Entra's plain error page.

use crate::saml::escape;
use serde_json::{Value, json};

/// Where the sign-in script is served (Entra's comes from its CDN under a versioned name).
pub const SCRIPT_PATH: &str = "/shared/1.0/content/js/ConvergedLogin_PCore.js";
pub const SCRIPT: &str = include_str!("signin.js");

/// The words the pages show, in Entra's phrasing (the script holds the same strings; a unit test
/// checks that each is there).
pub const UNKNOWN_ACCOUNT: &str = "This username may be incorrect. Make sure you typed it correctly. Otherwise, contact your admin.";
pub const WRONG_PASSWORD: &str =
    "Your account or password is incorrect. If you don't remember your password, reset it now.";
pub const LOCKED: &str =
    "Your account is locked. Contact your support person to unlock it, then try again.";
pub const PASSWORD_EXPIRED: &str = "Your password has expired.";
pub const WRONG_CODE: &str = "You didn't enter the expected verification code. Please try again.";
pub const PUSH_DENIED: &str =
    "We didn't sign you in. You denied the sign-in request on your Microsoft Authenticator app.";
pub const PUSH_TIMED_OUT: &str = "We didn't hear from you. We sent an identity verification request to your Microsoft Authenticator app, but we didn't get a response in time.";
pub const MORE_INFORMATION: &str =
    "Your organization needs more information to keep your account secure";
pub const DEVICE_NOT_COMPLIANT: &str = "This application contains sensitive information and can only be accessed from devices or client applications that meet your organization's management compliance policy.";
pub const PASSKEY_FAILED: &str =
    "We couldn't sign you in with your passkey. Try again, or use another sign-in option.";

/// Page identifiers (`pgid`) the script switches on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageId {
    /// Username, password, "Pick an account", passkey: one application, several views.
    SignIn,
    /// "Verify your identity": the method list, push, code.
    Tfa,
    /// "Stay signed in?"
    Kmsi,
    /// "Update your password" after AADSTS50055.
    ChangePassword,
    /// "More information required": registration, for a person.
    ProofUp,
    /// An error in the sign-in box ("You can't get there from here", AADSTS53000).
    Error,
}

impl PageId {
    fn name(self) -> &'static str {
        match self {
            PageId::SignIn => "ConvergedSignIn",
            PageId::Tfa => "ConvergedTFA",
            PageId::Kmsi => "KmsiInterrupt",
            PageId::ChangePassword => "ConvergedChangePassword",
            PageId::ProofUp => "ConvergedProofUpRedirect",
            PageId::Error => "ConvergedError",
        }
    }
}

/// The page title a page starts with, before its script runs (Entra's is the same for all).
pub const TITLE: &str = "Sign in to your account";

/// The fields every page's configuration carries, Entra's names: the flow's context and token, the
/// canary, the correlation ids, the timing knobs of its script.
pub fn base_config(page: PageId, ctx: &str, flow_token: &str, post_to: &str) -> Value {
    json!({
        "pgid": page.name(),
        "sCtx": ctx,
        "sFT": flow_token,
        "sFTName": "flowToken",
        "urlPost": post_to,
        "canary": crate::random_hex(32),
        "sCanaryTokenName": "canary",
        "correlationId": crate::uuid(),
        "sessionId": crate::uuid(),
        "hpgrequestid": crate::uuid(),
        "iMaxStackForKnockoutAsyncComponents": 10000,
        "fShowButtons": true,
        "urlCDN": "",
        "iPawnIcon": 0,
        "sErrorCode": "",
        "sErrTxt": "",
    })
}

/// The shell: no form, no field; `$Config` and the script that draws the page.
pub fn shell(config: &Value) -> String {
    // `</script` inside a JSON string would end the script element early: `<` only occurs inside
    // strings in JSON, where \u003c means the same.
    let config = config.to_string().replace('<', "\\u003c");
    format!(
        r#"<!DOCTYPE html>
<html dir="ltr" lang="en">
<head>
<title>{TITLE}</title>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0, maximum-scale=2.0, user-scalable=yes">
<meta name="robots" content="none">
<noscript><meta http-equiv="Refresh" content="0; URL=/jsdisabled"></noscript>
<script type="text/javascript">//<![CDATA[
$Config={config};
//]]></script>
</head>
<body data-bind="defineGlobals: ServerData" class="cb">
<div id="lightbox-cover"></div>
<div id="lightbox"></div>
<script type="text/javascript" src="{SCRIPT_PATH}"></script>
</body>
</html>
"#
    )
}

/// The end of a sign-in: the SAMLResponse posted to AWS by script, as Entra's page does.
pub fn saml_post_page(saml_response: &str, relay_state: &str) -> String {
    let relay = if relay_state.is_empty() {
        String::new()
    } else {
        format!(
            r#"<input type="hidden" name="RelayState" value="{}" />"#,
            escape(relay_state)
        )
    };
    format!(
        r#"<html><head><title>Working...</title></head><body><form method="POST" name="hiddenform" action="{aws}"><input type="hidden" name="SAMLResponse" value="{saml}" />{relay}<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" /></noscript></form><script language="javascript">window.setTimeout('document.forms[0].submit()', 0);</script></body></html>"#,
        aws = crate::saml::AWS_SIGNIN,
        saml = escape(saml_response),
    )
}

/// Entra's error page for requests it cannot place: the AADSTS code and its message, no way on.
pub fn error_page(code: &str, message: &str) -> String {
    let id = crate::uuid();
    format!(
        r#"<!DOCTYPE html>
<html dir="ltr" lang="en"><head><title>{TITLE}</title></head>
<body><div id="lightbox"><div role="heading" aria-level="1" class="row title">Sorry, but we're having trouble signing you in.</div>
<div id="idTD_Error"><div class="error-text" role="alert">AADSTS{code}: {message}</div>
<div class="debug-details-section"><div>Request Id: {id}</div><div>Correlation Id: {corr}</div><div>Timestamp: {now}</div></div></div></div></body></html>
"#,
        message = escape(message),
        corr = crate::uuid(),
        now = crate::saml::instant(time::OffsetDateTime::now_utc()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_shows_the_same_words_as_the_constants() {
        for words in [
            UNKNOWN_ACCOUNT,
            WRONG_CODE,
            PUSH_DENIED,
            PUSH_TIMED_OUT,
            PASSKEY_FAILED,
        ] {
            let in_js = words.replace('\'', "\\'");
            assert!(SCRIPT.contains(&in_js), "signin.js lacks {words:?}");
        }
    }

    #[test]
    fn the_shell_has_no_form_and_cannot_be_closed_by_its_config() {
        let mut config = base_config(PageId::SignIn, "ctx", "ft", "/t/login");
        config["sPOST_Username"] = json!("</script><form>");
        let page = shell(&config);
        assert!(!page.contains("<form"), "{page}");
        assert!(page.contains("$Config={"));
        assert!(page.contains("<title>Sign in to your account</title>"));
    }
}
