//! The pages the AD FS emulator serves, shaped like AD FS 2016/2019's own: a `loginForm` whose action
//! carries `&amp;`, a hidden `options` form with a second `UserName` (which must not be posted), a
//! `span#submitButton` instead of a button, `span#errorText` for the IdP's words, the Azure MFA
//! adapter's `VerificationCode` step, the 2019 paginated username/password pages, the error page,
//! and the "Working..." page whose script would post the SAMLResponse to AWS.

use crate::saml::escape;

pub const WRONG_PASSWORD: &str =
    "Incorrect user ID or password. Type the correct user ID and password, and try again.";
pub const WRONG_CODE: &str =
    "Incorrect verification code. Enter the code from your authenticator app and try again.";
pub const BAD_USERNAME_FORMAT: &str =
    "Enter your user ID in the format \"domain\\user\" or \"user@domain\".";
pub const ERROR_PAGE_TEXT: &str =
    "An error occurred. Contact your administrator for more information.";

fn shell(title: &str, body: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en-US">
<head>
    <meta http-equiv="X-UA-Compatible" content="IE=edge"/>
    <meta name="viewport" content="width=device-width, initial-scale=1.0, maximum-scale=2.0, user-scalable=yes"/>
    <meta http-equiv="content-type" content="text/html;charset=UTF-8" />
    <meta http-equiv="cache-control" content="no-cache,no-store"/>
    <title>{title}</title>
    <script type="text/javascript">
    //<![CDATA[
    function LoginErrors(){{this.userNameFormatError = 'Enter your user ID in the format \u0026quot;domain\\user\u0026quot; or \u0026quot;user@domain\u0026quot;.'; this.passwordEmpty = 'Enter your password.';}}
    //]]>
    </script>
    <link rel="stylesheet" type="text/css" href="/adfs/portal/css/style.css?id=D74D4D6D0F8A7B5C" />
</head>
<body dir="ltr" class="body">
    <div id="fullPage">
        <div id="brandingWrapper" class="float">
            <div id="branding"></div>
        </div>
        <div id="contentWrapper" class="float">
            <div id="content">
                <div id="header">
                    <img class='logoImage' id='companyLogo' src='/adfs/portal/logo/logo.png?id=1D4B6E6A' alt='Contoso'/>
                </div>
                <main>
                    <div id="workArea">
{body}
                    </div>
                </main>
                <div id="footerPlaceholder"></div>
            </div>
        </div>
    </div>
</body>
</html>
"#
    )
}

fn error_block(error: Option<&str>) -> String {
    format!(
        r#"<div id="error" class="fieldMargin error smallText">
    <span id="errorText" for="">{}</span>
</div>"#,
        error.map(escape).unwrap_or_default()
    )
}

/// AD FS's other-options form: hidden, with its own `UserName` that a client must not post.
fn options_form(action: &str) -> String {
    format!(
        r#"<form id="options" method="post" action="{action}">
    <script type="text/javascript">
        function SelectOption(option) {{
            var i = document.getElementById('optionSelection');
            i.value = option;
            document.forms['options'].submit();
            return false;
        }}
    </script>
    <input id="optionSelection" type="hidden" name="AuthMethod" />
    <input id="userNameInputOptionsHolder" type="hidden" name="UserName" value="" />
    <div class='groupMargin'></div>
</form>"#
    )
}

/// The classic one-page sign-in: user name and password together.
pub fn login_page(action: &str, username: &str, error: Option<&str>) -> String {
    let action = escape(action);
    let body = format!(
        r#"<div id="authArea" class="groupMargin">
<div id="loginArea">
<div id="loginMessage" class="groupMargin">Sign in with your organizational account</div>
<form method="post" id="loginForm" autocomplete="off" novalidate="novalidate" onKeyPress="if (event &amp;&amp; event.keyCode == 13) Login.submitLoginRequest();" action="{action}" >
    {error}
    <div id="formsAuthenticationArea">
        <div id="userNameArea">
            <label id="userNameInputLabel" for="userNameInput" class="hidden">User Account</label>
            <input id="userNameInput" name="UserName" type="email" value="{username}" tabindex="1" class="text fullWidth"
                spellcheck="false" placeholder="someone@example.com" autocomplete="off"/>
        </div>
        <div id="passwordArea">
             <label id="passwordInputLabel" for="passwordInput" class="hidden">Password</label>
             <input id="passwordInput" name="Password" type="password" tabindex="2" class="text fullWidth"
                placeholder="Password" autocomplete="off"/>
        </div>
        <div id="kmsiArea" style="display:none">
            <input type="checkbox" name="Kmsi" id="kmsiInput" value="true" tabindex="3" />
            <label for="kmsiInput">Keep me signed in</label>
        </div>
        <div id="submissionArea" class="submitMargin">
            <span id="submitButton" class="submit" tabindex="4" role="button"
                onKeyPress="if (event &amp;&amp; event.keyCode == 32) Login.submitLoginRequest();"
                onclick="return Login.submitLoginRequest();">Sign in</span>
        </div>
    </div>
    <input id="optionForms" type="hidden" name="AuthMethod" value="FormsAuthentication"/>
</form>
</div>
<div id="authOptions">{options}</div>
</div>"#,
        error = error_block(error),
        username = escape(username),
        options = options_form(&action),
    );
    shell("Sign In", &body)
}

/// AD FS 2019 paginated sign-in, page one: the user name alone, and a "Next" that posts it.
pub fn username_page(action: &str, error: Option<&str>) -> String {
    let action = escape(action);
    let body = format!(
        r#"<div id="authArea" class="groupMargin">
<div id="loginArea">
<div id="loginMessage" class="groupMargin">Sign in</div>
<form method="post" id="loginFormPaginated" autocomplete="off" novalidate="novalidate" action="{action}">
    {error}
    <div id="formsAuthenticationArea">
        <div id="userNameArea">
            <input id="userNameInput" name="UserName" type="email" value="" tabindex="1" class="text fullWidth"
                spellcheck="false" placeholder="someone@example.com" autocomplete="off"/>
        </div>
        <div id="submissionArea" class="submitMargin">
            <span id="nextButton" class="submit" tabindex="4" role="button"
                onclick="return PaginationManager.validateAndNext();">Next</span>
        </div>
    </div>
    <input id="optionForms" type="hidden" name="AuthMethod" value="FormsAuthentication"/>
</form>
</div>
<div id="authOptions">{options}</div>
</div>"#,
        error = error_block(error),
        options = options_form(&action),
    );
    shell("Sign In", &body)
}

/// AD FS 2019 paginated sign-in, page two: the user name shown and carried hidden, the password.
pub fn password_page(action: &str, username: &str, error: Option<&str>) -> String {
    let action = escape(action);
    let username = escape(username);
    let body = format!(
        r#"<div id="authArea" class="groupMargin">
<div id="loginArea">
<div id="backArea"><span id="backButton" role="button" onclick="return PaginationManager.back();">&larr;</span>
<div id="userDisplayName" class="groupMargin">{username}</div></div>
<div id="loginMessage" class="groupMargin">Enter password</div>
<form method="post" id="loginForm" autocomplete="off" novalidate="novalidate" action="{action}">
    {error}
    <div id="formsAuthenticationArea">
        <input id="userNameInput" name="UserName" type="hidden" value="{username}"/>
        <div id="passwordArea">
             <input id="passwordInput" name="Password" type="password" tabindex="2" class="text fullWidth"
                placeholder="Password" autocomplete="off"/>
        </div>
        <div id="submissionArea" class="submitMargin">
            <span id="submitButton" class="submit" tabindex="4" role="button"
                onclick="return Login.submitLoginRequest();">Sign in</span>
        </div>
    </div>
    <input id="optionForms" type="hidden" name="AuthMethod" value="FormsAuthentication"/>
</form>
</div>
<div id="authOptions">{options}</div>
</div>"#,
        error = error_block(error),
        options = options_form(&action),
    );
    shell("Sign In", &body)
}

/// The additional-authentication step, as the Azure MFA adapter renders it.
pub fn mfa_page(
    action: &str,
    username: &str,
    auth_method: &str,
    context: &str,
    code_field: &str,
    error: Option<&str>,
) -> String {
    let action = escape(action);
    let body = format!(
        r#"<div id="authArea" class="groupMargin">
<div id="mfaGreetingDescription" class="groupMargin">For security reasons, we require additional information to verify your account ({username})</div>
<form method="post" id="loginForm" autocomplete="off" novalidate="novalidate" action="{action}">
    {error}
    <input id="authMethod" type="hidden" name="AuthMethod" value="{auth_method}"/>
    <input id="context" type="hidden" name="Context" value="{context}"/>
    <div id="verificationCodeArea" class="fieldMargin">
        <label for="verificationCodeInput">Enter the verification code from your authenticator app.</label>
        <input id="verificationCodeInput" name="{code_field}" type="text" autocomplete="off" class="text fullWidth" placeholder="Verification code" tabindex="1"/>
    </div>
    <div id="submissionArea" class="submitMargin">
        <input id="signInButton" type="submit" class="submit" value="Sign in" tabindex="2"/>
    </div>
</form>
<div id="authOptions">{options}</div>
</div>"#,
        username = escape(username),
        error = error_block(error),
        auth_method = escape(auth_method),
        context = escape(context),
        code_field = escape(code_field),
        options = options_form(&action),
    );
    shell("Sign In", &body)
}

/// AD FS's generic error page (no form): what a malformed post earns.
pub fn error_page(activity_id: &str, detail: &str) -> String {
    let body = format!(
        r#"<div id="errorArea">
    <div id="openingMessage" class="groupMargin bigText">An error occurred</div>
    <div id="errorMessage" class="groupMargin">{ERROR_PAGE_TEXT}</div>
    <div id="diagnosticInfo" class="groupMargin">
        <div>Activity ID: {activity_id}</div>
        <div>Relying party: Amazon Web Services</div>
        <div>Error time: {time}</div>
        <div>Cookie: enabled</div>
        <div id="errorDetailsText">{detail}</div>
    </div>
</div>"#,
        time = time::OffsetDateTime::now_utc(),
        detail = escape(detail),
    );
    shell("Sign In", &body)
}

/// The page that hands the SAMLResponse to the browser, which posts it to AWS by script.
pub fn working_page(saml_response: &str) -> String {
    format!(
        r#"<html><head><title>Working...</title></head><body><form method="POST" name="hiddenform" action="https://signin.aws.amazon.com:443/saml"><input type="hidden" name="SAMLResponse" value="{}" /><noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" /></noscript></form><script language="javascript">window.setTimeout('document.forms[0].submit()', 0);</script></body></html>"#,
        escape(saml_response)
    )
}

/// The Working page of a sign-in a federating Entra ID sent: the SAMLResponse goes back to it.
pub fn return_page(action: &str, saml_response: &str, wctx: &str) -> String {
    format!(
        r#"<html><head><title>Working...</title></head><body><form method="POST" name="hiddenform" action="{}"><input type="hidden" name="SAMLResponse" value="{}" /><input type="hidden" name="wctx" value="{}" /><noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" /></noscript></form><script language="javascript">window.setTimeout('document.forms[0].submit()', 0);</script></body></html>"#,
        escape(action),
        escape(saml_response),
        escape(wctx)
    )
}

/// A page no provider knows: a title and some words, no form.
pub fn plain_page(title: &str, text: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html><head><title>{t}</title></head><body><h1>{t}</h1><p>{x}</p></body></html>\n",
        t = escape(title),
        x = escape(text)
    )
}

/// Duo's AD FS adapter (Universal Prompt): the page posts `adfs_form` to Duo's authorize URL by
/// script, carrying AD FS's context; the options form (other methods) posts back to AD FS.
pub fn duo_page(duo_url: &str, adfs_context: &str, action: &str, username: &str) -> String {
    let body = format!(
        r#"<div id="authArea" class="groupMargin">
<div id="openingMessage" class="groupMargin">For security reasons, we require additional information to verify your account ({username})</div>
<form method="post" id="adfs_form" action="{duo_url}">
<input type="hidden" name="adfs_context" value="{adfs_context}"/>
<input type="hidden" name="adfs_auth_method" value="DuoAdfsAdapter"/>
<noscript><p>JavaScript is required to continue to Duo Security.</p><input type="submit" value="Continue"/></noscript>
</form>
<div id="authOptions">{options}</div>
</div>
<script type="text/javascript">document.getElementById('adfs_form').submit();</script>"#,
        username = escape(username),
        duo_url = escape(duo_url),
        adfs_context = escape(adfs_context),
        options = options_form(&escape(action)),
    );
    shell("Sign In", &body)
}

/// Back from Duo (the redirect_uri with `state` and `duo_code`): the adapter's form that carries
/// them, with AD FS's context, back to AD FS by script.
pub fn duo_return_page(action: &str, context: &str, duo_code: &str, state: &str) -> String {
    let body = format!(
        r#"<div id="authArea" class="groupMargin">
<form method="post" class="adfs_form" action="{action}">
<input type="hidden" name="context" value="{context}"/>
<input type="hidden" name="duo_code" value="{duo_code}"/>
<input type="hidden" name="state" value="{state}"/>
<input type="hidden" name="authMethod" value="DuoAdfsAdapter"/>
<noscript><input type="submit" value="Continue"/></noscript>
</form>
</div>
<script type="text/javascript">document.getElementsByClassName('adfs_form')[0].submit();</script>"#,
        action = escape(action),
        context = escape(context),
        duo_code = escape(duo_code),
        state = escape(state),
    );
    shell("Sign In", &body)
}
