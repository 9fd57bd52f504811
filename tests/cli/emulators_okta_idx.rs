//! The Okta Identity Engine emulator itself, driven over HTTP as the Sign-In Widget drives a real
//! org: the app's page bootstraps a stateToken, IDX documents carry their forms, Okta's refusals are
//! IDX documents with messages. If it drifts from Okta's shapes, the IDX tests prove nothing.

use crate::browser::{browser, fetch, set_cookies};
use samlbridge_emulators::okta::{OieOrg, OktaEmulator, OktaFactor, OktaUser, PushOutcome};
use serde_json::{Value, json};

const ION: &str = "application/ion+json; okta-version=1.0.0";

fn org(factor: OktaFactor) -> OktaEmulator {
    let user = OktaUser::new("ida@corp.example", "pw").with(factor);
    OktaEmulator::start_oie(vec![user], "<samlp:Response/>", OieOrg::default())
}

async fn idx(c: &reqwest::Client, org: &OktaEmulator, path: &str, body: Value) -> (u16, Value) {
    let page = fetch(
        c.post(format!("{}{path}", org.base))
            .header("Content-Type", ION)
            .header("Accept", ION)
            .body(body.to_string()),
    )
    .await;
    let content_type = page
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        content_type.starts_with("application/ion+json"),
        "{content_type}"
    );
    (
        page.status,
        serde_json::from_str(&page.body).unwrap_or(Value::Null),
    )
}

fn form<'d>(doc: &'d Value, name: &str) -> &'d Value {
    doc["remediation"]["value"]
        .as_array()
        .and_then(|v| v.iter().find(|r| r["name"] == name))
        .unwrap_or(&Value::Null)
}

/// The stateToken in the page script, with Okta's `\x2D` escapes undone.
fn state_token(page: &str) -> String {
    let start = page.find("var stateToken = '").map(|i| i + 18).unwrap_or(0);
    let end = page[start..].find('\'').map_or(start, |i| start + i);
    page[start..end].replace("\\x2D", "-")
}

#[tokio::test]
async fn okta_idx_emulator_signs_in_as_the_widget_does() {
    let org = org(OktaFactor::Totp {
        provider: "OKTA".into(),
        code: "123456".into(),
    });
    let c = browser();
    let app = fetch(c.get(org.app_url())).await;
    assert_eq!(app.status, 302);
    let page = fetch(c.get(format!(
        "{}{}",
        org.base, "/app/amazon_aws/exk1sb2aws3okta4emu/sso/saml"
    )))
    .await;
    assert!(
        page.body.contains("\\x2D"),
        "the token is escaped as Okta writes it"
    );
    let token = state_token(&page.body);
    assert!(token.starts_with("02.id."), "{token}");

    let (status, doc) = idx(
        &c,
        &org,
        "/idp/idx/introspect",
        json!({ "stateToken": token }),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(doc["version"], "1.0.0");
    assert_eq!(doc["stateHandle"], token.as_str());
    let identify = form(&doc, "identify");
    assert!(
        identify["href"]
            .as_str()
            .unwrap_or("")
            .ends_with("/idp/idx/identify")
    );
    let names: Vec<&str> = identify["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["identifier", "credentials", "rememberMe", "stateHandle"]
    );

    // A wrong password: HTTP 401, an IDX document with Okta's message, the form again.
    let wrong = json!({ "identifier": "ida@corp.example", "credentials": { "passcode": "no" }, "stateHandle": token });
    let (status, doc) = idx(&c, &org, "/idp/idx/identify", wrong).await;
    assert_eq!(status, 401);
    assert_eq!(
        doc["messages"]["value"][0]["message"],
        "Password is incorrect"
    );
    assert_eq!(doc["messages"]["value"][0]["class"], "ERROR");
    assert!(!form(&doc, "identify").is_null());

    let right = json!({ "identifier": "ida@corp.example", "credentials": { "passcode": "pw" }, "stateHandle": token });
    let (_, doc) = idx(&c, &org, "/idp/idx/identify", right).await;
    let select = form(&doc, "select-authenticator-authenticate");
    let option = &select["value"][0]["options"][0];
    let related = option["relatesTo"].as_str().unwrap_or("");
    assert_eq!(related, "$.authenticatorEnrollments.value[0]");
    assert_eq!(
        doc["authenticatorEnrollments"]["value"][0]["key"],
        "okta_verify"
    );
    let id = option["value"]["form"]["value"][0]["value"].clone();

    let pick = json!({ "authenticator": { "id": id, "methodType": "totp" }, "stateHandle": token });
    let (_, doc) = idx(&c, &org, "/idp/idx/challenge", pick).await;
    assert!(!form(&doc, "challenge-authenticator").is_null());
    assert_eq!(
        doc["currentAuthenticatorEnrollment"]["value"]["key"],
        "okta_verify"
    );

    let bad = json!({ "credentials": { "passcode": "000000" }, "stateHandle": token });
    let (status, doc) = idx(&c, &org, "/idp/idx/challenge/answer", bad).await;
    assert_eq!(status, 400);
    let field = &form(&doc, "challenge-authenticator")["value"][0]["form"]["value"][0];
    assert_eq!(
        field["messages"]["value"][0]["message"],
        "Invalid code. Try again."
    );

    let good = json!({ "credentials": { "passcode": "123456" }, "stateHandle": token });
    let (_, doc) = idx(&c, &org, "/idp/idx/challenge/answer", good).await;
    let href = doc["success"]["href"].as_str().unwrap_or("").to_string();
    assert!(href.contains("/login/token/redirect?stateToken="), "{doc}");

    let redirect = fetch(c.get(&href)).await;
    assert_eq!(redirect.status, 302);
    assert!(set_cookies(&redirect).iter().any(|c| c.starts_with("sid=")));
    let app = fetch(c.get(format!(
        "{}{}",
        org.base, "/app/amazon_aws/exk1sb2aws3okta4emu/sso/saml"
    )))
    .await;
    assert!(app.body.contains("name=\"SAMLResponse\""), "{}", app.body);
    // The success link is good once.
    assert_eq!(fetch(c.get(&href)).await.status, 403);
}

#[tokio::test]
async fn okta_idx_emulator_polls_a_push_at_its_pace_and_tells_a_rejection() {
    let org = org(OktaFactor::Push {
        polls: 2,
        outcome: PushOutcome::Reject,
        number: Some(17),
    });
    let c = browser();
    let page = fetch(c.get(format!(
        "{}{}",
        org.base, "/app/amazon_aws/exk1sb2aws3okta4emu/sso/saml"
    )))
    .await;
    let token = state_token(&page.body);
    let right = json!({ "identifier": "ida@corp.example", "credentials": { "passcode": "pw" }, "stateHandle": token });
    let (_, doc) = idx(&c, &org, "/idp/idx/identify", right).await;
    let id =
        form(&doc, "select-authenticator-authenticate")["value"][0]["options"][0]["value"]["form"]
            ["value"][0]["value"]
            .clone();
    let pick = json!({ "authenticator": { "id": id, "methodType": "push" }, "stateHandle": token });
    let (_, doc) = idx(&c, &org, "/idp/idx/challenge", pick).await;
    let poll = form(&doc, "challenge-poll");
    assert_eq!(poll["refresh"], 4000);
    assert_eq!(
        doc["currentAuthenticator"]["value"]["contextualData"]["correctAnswer"],
        17
    );
    let (_, doc) = idx(
        &c,
        &org,
        "/idp/idx/authenticators/poll",
        json!({ "stateHandle": token }),
    )
    .await;
    assert!(!form(&doc, "challenge-poll").is_null());
    let (_, doc) = idx(
        &c,
        &org,
        "/idp/idx/authenticators/poll",
        json!({ "stateHandle": token }),
    )
    .await;
    assert_eq!(
        doc["messages"]["value"][0]["message"],
        "You have chosen to reject this login."
    );
    assert!(form(&doc, "challenge-poll").is_null());

    // An unknown state handle: 401, Okta's words.
    let (status, doc) = idx(
        &c,
        &org,
        "/idp/idx/introspect",
        json!({ "stateToken": "02.nope" }),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(
        doc["messages"]["value"][0]["message"],
        "The session has expired."
    );
}

/// A signed-in (password given) transaction on `org`: its state token and the authenticator list.
async fn past_the_password(c: &reqwest::Client, org: &OktaEmulator) -> (String, Value) {
    let page = fetch(c.get(format!(
        "{}{}",
        org.base, "/app/amazon_aws/exk1sb2aws3okta4emu/sso/saml"
    )))
    .await;
    let token = state_token(&page.body);
    let right = json!({ "identifier": "ida@corp.example", "credentials": { "passcode": "pw" }, "stateHandle": token });
    let (_, doc) = idx(c, org, "/idp/idx/identify", right).await;
    (token, doc)
}

/// The fields of the `index`th authenticator option, by name.
fn option_fields(doc: &Value, index: usize) -> Vec<Value> {
    form(doc, "select-authenticator-authenticate")["value"][0]["options"][index]["value"]["form"]
        ["value"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn field<'f>(fields: &'f [Value], name: &str) -> &'f Value {
    fields
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or(&Value::Null)
}

fn passcode_messages(doc: &Value) -> &Value {
    &form(doc, "challenge-authenticator")["value"][0]["form"]["value"][0]["messages"]["value"][0]
}

#[tokio::test]
async fn okta_idx_emulator_sends_an_email_code_with_resend_and_magic_link_poll() {
    let org = org(OktaFactor::Email {
        email: "ida@corp.example".into(),
        code: "864200".into(),
    });
    let c = browser();
    let (token, doc) = past_the_password(&c, &org).await;
    let enrollment = &doc["authenticatorEnrollments"]["value"][0];
    assert_eq!(enrollment["key"], "okta_email");
    assert_eq!(enrollment["type"], "email");
    let fields = option_fields(&doc, 0);
    assert_eq!(field(&fields, "methodType")["value"], "email");
    assert_eq!(field(&fields, "methodType")["mutable"], false);
    let id = field(&fields, "id")["value"].clone();

    // okta-auth-js posts the id alone; Okta sends the e-mail's one method.
    let pick = json!({ "authenticator": { "id": id }, "stateHandle": token });
    let (status, doc) = idx(&c, &org, "/idp/idx/challenge", pick).await;
    assert_eq!(status, 200);
    let challenge = form(&doc, "challenge-authenticator");
    assert_eq!(
        challenge["relatesTo"][0],
        "$.currentAuthenticatorEnrollment"
    );
    assert!(!form(&doc, "select-authenticator-authenticate").is_null());
    let current = &doc["currentAuthenticatorEnrollment"]["value"];
    assert_eq!(current["key"], "okta_email");
    assert_eq!(current["profile"]["email"], "i***a@corp.example");
    assert_eq!(current["methods"][0]["type"], "email");
    let resend = current["resend"]["href"].as_str().unwrap_or("");
    assert!(resend.ends_with("/idp/idx/challenge/resend"), "{current}");
    assert_eq!(current["poll"]["refresh"], 4000);
    assert!(
        current["poll"]["href"]
            .as_str()
            .unwrap_or("")
            .ends_with("/idp/idx/challenge/poll")
    );
    // The magic-link poll and introspect both tell the challenge under way.
    for path in ["/idp/idx/challenge/poll", "/idp/idx/challenge/resend"] {
        let (status, again) = idx(&c, &org, path, json!({ "stateHandle": token })).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(
            again["currentAuthenticatorEnrollment"],
            doc["currentAuthenticatorEnrollment"]
        );
    }
    let (_, now) = idx(
        &c,
        &org,
        "/idp/idx/introspect",
        json!({ "stateToken": token }),
    )
    .await;
    assert!(!form(&now, "challenge-authenticator").is_null(), "{now}");

    let bad = json!({ "credentials": { "passcode": "000000" }, "stateHandle": token });
    let (status, doc) = idx(&c, &org, "/idp/idx/challenge/answer", bad).await;
    assert_eq!(status, 403);
    let said = passcode_messages(&doc);
    assert_eq!(said["message"], "Invalid code. Try again.");
    assert_eq!(said["i18n"]["key"], "api.authn.error.PASSCODE_INVALID");
    assert_eq!(said["class"], "ERROR");

    let good = json!({ "credentials": { "passcode": "864200" }, "stateHandle": token });
    let (_, doc) = idx(&c, &org, "/idp/idx/challenge/answer", good).await;
    assert!(doc["success"]["href"].is_string(), "{doc}");
}

#[tokio::test]
async fn okta_idx_emulator_offers_sms_and_voice_and_asks_the_method_when_not_given() {
    let user = OktaUser::new("ida@corp.example", "pw")
        .with(OktaFactor::Sms {
            phone: "+1 555 010 4586".into(),
            code: "135790".into(),
        })
        .with(OktaFactor::Call {
            phone: "+1 555 010 4586".into(),
            code: "135790".into(),
        });
    let org = OktaEmulator::start_oie(vec![user], "<samlp:Response/>", OieOrg::default());
    let c = browser();
    let (token, doc) = past_the_password(&c, &org).await;
    let options = &form(&doc, "select-authenticator-authenticate")["value"][0]["options"];
    assert_eq!(
        options.as_array().map(Vec::len),
        Some(1),
        "one phone: {options}"
    );
    assert_eq!(
        doc["authenticatorEnrollments"]["value"][0]["key"],
        "phone_number"
    );
    let fields = option_fields(&doc, 0);
    let methods: Vec<&str> = field(&fields, "methodType")["options"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|o| o["value"].as_str())
        .collect();
    assert_eq!(methods, ["sms", "voice"]);
    let enrollment = field(&fields, "enrollmentId")["value"].clone();
    assert!(enrollment.is_string());
    let id = field(&fields, "id")["value"].clone();

    let pick =
        json!({ "authenticator": { "id": id, "enrollmentId": enrollment }, "stateHandle": token });
    let (_, doc) = idx(&c, &org, "/idp/idx/challenge", pick).await;
    let data = form(&doc, "authenticator-verification-data");
    assert_eq!(data["relatesTo"][0], "$.currentAuthenticatorEnrollment");
    let asked = &data["value"][0]["form"]["value"];
    let method = asked
        .as_array()
        .and_then(|f| f.iter().find(|f| f["name"] == "methodType"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(method["required"], true);
    assert_eq!(method["options"][1]["value"], "voice");
    assert_eq!(
        doc["currentAuthenticatorEnrollment"]["value"]["profile"]["phoneNumber"],
        "+1 XXX-XXX-4586"
    );
    assert!(form(&doc, "challenge-authenticator").is_null());

    let voice = json!({ "authenticator": { "id": id, "methodType": "voice", "enrollmentId": enrollment }, "stateHandle": token });
    let (_, doc) = idx(&c, &org, "/idp/idx/challenge", voice).await;
    let current = &doc["currentAuthenticatorEnrollment"]["value"];
    assert_eq!(current["methods"], json!([{ "type": "voice" }]));
    assert!(current["poll"].is_null(), "a phone has no magic link");
    let good = json!({ "credentials": { "passcode": "135790" }, "stateHandle": token });
    let (_, doc) = idx(&c, &org, "/idp/idx/challenge/answer", good).await;
    assert!(doc["success"]["href"].is_string(), "{doc}");
}

#[tokio::test]
async fn okta_idx_emulator_method_step_lists_the_phone_by_id_and_asks_before_an_email() {
    let user = OktaUser::new("ida@corp.example", "pw")
        .with(OktaFactor::Email {
            email: "ida@corp.example".into(),
            code: "864200".into(),
        })
        .with(OktaFactor::Sms {
            phone: "+1 555 010 4586".into(),
            code: "135790".into(),
        });
    let oie = OieOrg {
        method_step: true,
        ..OieOrg::default()
    };
    let org = OktaEmulator::start_oie(vec![user], "<samlp:Response/>", oie);
    let c = browser();
    let (token, doc) = past_the_password(&c, &org).await;
    let phone = option_fields(&doc, 1);
    assert!(field(&phone, "methodType").is_null(), "{phone:?}");
    let email = option_fields(&doc, 0);
    let id = field(&email, "id")["value"].clone();
    let pick =
        json!({ "authenticator": { "id": id, "methodType": "email" }, "stateHandle": token });
    let (_, doc) = idx(&c, &org, "/idp/idx/challenge", pick.clone()).await;
    assert!(
        !form(&doc, "authenticator-verification-data").is_null(),
        "{doc}"
    );
    assert!(form(&doc, "challenge-authenticator").is_null());
    // "Send me an email": the same choice again, now on the method step, sends it.
    let (_, doc) = idx(&c, &org, "/idp/idx/challenge", pick).await;
    assert!(!form(&doc, "challenge-authenticator").is_null(), "{doc}");
    assert_eq!(
        doc["currentAuthenticatorEnrollment"]["value"]["profile"]["email"],
        "i***a@corp.example"
    );
}
