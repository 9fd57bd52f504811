//! What Duo's prompt serves: the self-posting plugin form, the prompt page (hidden `sid`, `_xsrf`,
//! preferred factor and device, a device select, and the script that is the prompt a person sees:
//! `ui.js`), the prompt's JSON data, Duo's error page.

use super::{DuoDevice, DuoUser};

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The plugin form's script, as Duo's `preauth.js`: the browser's facts filled in, the form posted.
const PLUGIN_SCRIPT: &str = "(() => {\n\
  const form = document.getElementById('plugin_form');\n\
  const set = (name, value) => { const f = form.elements.namedItem(name); if (f) { f.value = String(value); } };\n\
  set('screen_resolution_width', screen.width);\n\
  set('screen_resolution_height', screen.height);\n\
  set('color_depth', screen.colorDepth);\n\
  set('react_support', 'true');\n\
  form.submit();\n\
})();\n";

/// The prompt's script (Duo's `prompt.js`): the Universal Prompt a person sees and presses.
const PROMPT_SCRIPT: &str = include_str!("ui.js");

/// The first page of the frameless prompt: a form of hidden fields (browser facts its script fills
/// in) that its script posts back to the same URL.
pub fn plugin_form(tx: &str, xsrf: &str) -> String {
    let facts = [
        "java_version",
        "flash_version",
        "screen_resolution_width",
        "screen_resolution_height",
        "color_depth",
        "ch_ua_error",
        "client_hints",
        "is_cef_browser",
        "is_ipad_os",
        "is_ie_compatibility_mode",
        "is_user_verifying_platform_authenticator_available",
        "user_verifying_platform_authenticator_available_error",
        "acting_ie_version",
        "react_support",
        "react_support_error_message",
    ]
    .iter()
    .map(|n| format!("<input type=\"hidden\" name=\"{n}\" value=\"\" />\n"))
    .collect::<String>();
    format!(
        "<!DOCTYPE HTML>\n<html>\n<head>\n<title>Duo Security - Two-Factor Authentication</title>\n\
         <meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\">\n</head>\n<body>\n\
         <div id=\"wrapper\">\n<form method=\"post\" id=\"plugin_form\">\n\
         <input type=\"hidden\" name=\"tx\" value=\"{}\" />\n\
         <input type=\"hidden\" name=\"parent\" value=\"None\" />\n\
         <input type=\"hidden\" name=\"_xsrf\" value=\"{}\" />\n{facts}</form>\n</div>\n\
         <script src=\"/frame/static/shared/lib/plugin-detect/plugin-detect.min.js?v=6a394\"></script>\n\
         <script>\n{PLUGIN_SCRIPT}</script>\n</body>\n</html>\n",
        escape(tx),
        escape(xsrf)
    )
}

/// `phone1`, `phone2`… as the prompt numbers a user's devices.
fn index(i: usize) -> String {
    format!("phone{}", i + 1)
}

/// The device key Duo gives each device (`DP` and 18 characters).
pub(super) fn key(user: &DuoUser, i: usize) -> String {
    let seed: usize = user.username.bytes().map(usize::from).sum();
    format!("DP{:018X}", seed * 1000 + i)
}

/// The device a form names by its index (`phone1`) or key.
pub fn device_at<'u>(user: &'u DuoUser, name: &str) -> Option<&'u DuoDevice> {
    user.devices
        .iter()
        .enumerate()
        .find(|(i, _)| index(*i) == name || key(user, *i) == name)
        .map(|(_, d)| d)
}

fn preferred(user: &DuoUser) -> (&'static str, String) {
    match user.devices.iter().position(|d| d.push) {
        Some(i) => ("Duo Push", index(i)),
        None if !user.devices.is_empty() => ("Passcode", index(0)),
        None => ("Passcode", "None".into()),
    }
}

/// A bare prompt page: the preferred factor and device only, no session fields and no device list
/// (all that aws-adfs reads of the page its plugin form's post answers).
pub fn bare_prompt_page(user: &DuoUser) -> String {
    let (factor, device) = preferred(user);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><title>Two-Factor Authentication</title></head>\n\
         <body>\n<input type=\"hidden\" name=\"preferred_factor\" value=\"{factor}\">\n\
         <input type=\"hidden\" name=\"preferred_device\" value=\"{}\">\n</body>\n</html>\n",
        escape(&device)
    )
}

/// The prompt page: its `login-form` (older clients read the preferred factor and device from it).
pub fn prompt_page(sid: &str, xsrf: &str, user: &DuoUser) -> String {
    let (factor, device) = preferred(user);
    let options: String = user
        .devices
        .iter()
        .enumerate()
        .map(|(i, d)| {
            format!(
                "<option value=\"{}\">{} (XXX-XXX-{})</option>\n",
                index(i),
                escape(&d.name),
                escape(&d.end_of_number)
            )
        })
        .collect();
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>\nTwo-Factor Authentication\n</title>\n<style>.hidden {{ display: none; }}</style>\n</head>\n<body>\n<div class=\"oidc-wrapper\">\n\
         <form action=\"/frame/prompt\" method=\"post\" id=\"login-form\" class=\"inline login-form hidden\">\n\
         <input type=\"hidden\" name=\"sid\" value=\"{sid}\">\n\
         <input type=\"hidden\" name=\"url\" value=\"/frame/prompt\">\n\
         <input type=\"hidden\" name=\"_xsrf\" value=\"{xsrf}\" />\n\
         <input type=\"hidden\" name=\"preferred_factor\" value=\"{factor}\">\n\
         <input type=\"hidden\" name=\"preferred_device\" value=\"{device}\">\n\
         <select name=\"device\" aria-label=\"Device\">\n{options}</select>\n\
         <input type=\"text\" name=\"passcode\" autocomplete=\"off\" class=\"hidden passcode-input\" placeholder=\"ex. 867539\" aria-label=\"passcode\">\n\
         <button type=\"submit\" class=\"positive auth-button\">Send Me a Push</button>\n\
         </form>\n\
         <form class=\"oidc-exit-form\" action=\"/frame/v4/oidc/exit\" method=\"POST\">\n\
         <input type=\"hidden\" name=\"txid\" value=\"\" />\n\
         <input type=\"hidden\" name=\"sid\" value=\"{sid}\" />\n\
         <input type=\"hidden\" name=\"_xsrf\" value=\"{xsrf}\" />\n</form>\n</div>\n\
         <script>\n{PROMPT_SCRIPT}</script>\n</body>\n</html>\n",
        sid = escape(sid),
        xsrf = escape(xsrf),
    )
}

/// The prompt's data: the user's phones and the factors each offers, in Duo's order (pushes,
/// then text messages and calls to phones with a number), and whether Duo offers "Remember me".
pub fn prompt_data(user: &DuoUser, remember: bool) -> serde_json::Value {
    let (factor, device) = preferred(user);
    let phones: Vec<serde_json::Value> = user
        .devices
        .iter()
        .enumerate()
        .map(|(i, d)| {
            serde_json::json!({
                "key": key(user, i),
                "index": index(i),
                "name": d.name,
                "end_of_number": d.end_of_number,
                "mobile_otpable": d.push,
                "keypress_confirm": "",
                "sms_nextcode": "",
            })
        })
        .collect();
    let mut order: Vec<serde_json::Value> = user
        .devices
        .iter()
        .enumerate()
        .filter(|(_, d)| d.push)
        .map(|(i, _)| serde_json::json!({"factor": "Duo Push", "deviceKey": key(user, i)}))
        .collect();
    for factor in ["SMS Passcode", "Phone Call"] {
        order.extend(
            user.devices
                .iter()
                .enumerate()
                .filter(|(_, d)| d.number)
                .map(|(i, _)| serde_json::json!({"factor": factor, "deviceKey": key(user, i)})),
        );
    }
    order.push(serde_json::json!({"factor": "Passcode"}));
    serde_json::json!({
        "stat": "OK",
        "response": {
            "phones": phones,
            "auth_method_order": order,
            "preferred_factor": factor,
            "preferred_device": device,
            "remember_me_enabled": remember,
            "user_has_multiple_auth_methods": order.len() > 1,
        }
    })
}

/// Duo's error page.
pub fn error_page(message: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html><head><title>Duo Security</title></head><body>\
         <div class=\"error-message\"><h1>Error</h1><p>{}</p></div></body></html>\n",
        escape(message)
    )
}
