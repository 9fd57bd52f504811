//! What samlbridge puts into an IdP's pages, decided once for both engines: the username and
//! password of a sign-in form, a one-time code, a page to accept. The form engine posts a `Fill`
//! as a `Submission`; the browser types it into the live page.

use super::classify::{Choice, Progress};
use super::form::Form;
use super::provider::{LoginStep, Provider};
use super::{IdpError, LoginAnswers};
use crate::secret::Secret;
use std::collections::BTreeMap;
use tracing::info;

/// What only the user knows, each asked at most once in a sign-in, and only when a page asks: a
/// sign-in that reuses a session may never need the password.
pub struct Asked<'a> {
    pub answers: &'a mut dyn LoginAnswers,
    username: Option<String>,
    password: Option<Secret>,
}

impl<'a> Asked<'a> {
    pub fn new(answers: &'a mut dyn LoginAnswers) -> Asked<'a> {
        Asked {
            answers,
            username: None,
            password: None,
        }
    }

    pub fn username(&mut self) -> Result<String, IdpError> {
        match &self.username {
            Some(name) => Ok(name.clone()),
            None => {
                let name = self.answers.username()?;
                self.username = Some(name.clone());
                Ok(name)
            }
        }
    }

    pub fn password(&mut self) -> Result<Secret, IdpError> {
        match &self.password {
            Some(password) => Ok(password.clone()),
            None => {
                let password = self.answers.password()?;
                self.password = Some(password.clone());
                Ok(password)
            }
        }
    }
}

/// Fields to fill in a form (added when missing) and the button to press (None: the form's own
/// submit, as Enter does); the default posts a form as it is.
#[derive(Default)]
pub struct Fill<'a> {
    pub fields: Vec<(&'a str, &'a str)>,
    pub click: Option<&'a str>,
}

impl<'a> Fill<'a> {
    /// `fields`, then a provider step's fixed fields (what the IdP's script would set).
    pub fn with_set(
        fields: &[(&'a str, &'a str)],
        set: &'a BTreeMap<String, String>,
        click: Option<&'a str>,
    ) -> Fill<'a> {
        let mut all = fields.to_vec();
        all.extend(set.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        Fill { fields: all, click }
    }
}

/// The sign-in form's answers: the username unless the IdP already knows it, the password when
/// the form asks for it.
pub struct SignInFill<'f> {
    username: Option<(&'f str, String)>,
    password: Option<(&'f str, Secret)>,
    step: &'f LoginStep,
}

impl<'f> SignInFill<'f> {
    /// Asks for what `form` wants in its fields `username` and `password` (the names the classifier
    /// found; None: the page does not ask it).
    pub fn ask(
        form: &Form,
        (username, password): (Option<&'f str>, Option<&'f str>),
        step: &'f LoginStep,
        asked: &mut Asked<'_>,
    ) -> Result<SignInFill<'f>, IdpError> {
        let username = match username.map(|name| (name, form.field(name))) {
            // The IdP already knows who (the second page of a paginated sign-in).
            Some((_, Some(f))) if !f.visible && !f.value.is_empty() => None,
            Some((name, Some(_))) => Some((name, asked.username()?)),
            _ => None,
        };
        let password = match password {
            Some(name) => Some((name, asked.password()?)),
            None => None,
        };
        Ok(SignInFill {
            username,
            password,
            step,
        })
    }

    pub fn fill(&self) -> Fill<'_> {
        let mut fields: Vec<(&str, &str)> = Vec::new();
        if let Some((name, value)) = &self.username {
            fields.push((name, value));
        }
        if let Some((name, value)) = &self.password {
            fields.push((name, value.expose()));
        }
        Fill::with_set(&fields, &self.step.set, self.step.click.as_deref())
    }

    /// Says what goes in, `verb` saying how ("sending", "typing").
    pub fn tell(&self, host: &str, verb: &str) {
        let what = match (self.username.is_some(), self.password.is_some()) {
            (true, true) => "the username and password",
            (true, false) => "the username",
            (false, true) => "the password",
            (false, false) => "no username or password",
        };
        info!("{host} shows its sign-in form: {verb} {what}");
    }

    /// Notes what was sent, once it was.
    pub fn record(&self, progress: &mut Progress) {
        progress.sent_username |= self.username.is_some();
        progress.sent_password |= self.password.is_some();
    }
}

/// What a code page asks: the field, what the page calls it, whether it is the next code, whether
/// it is the sign-in form's own password field, and the page's method `<select>` when it has one.
pub struct CodeAsk<'a> {
    pub field: &'a str,
    pub label: &'a str,
    pub next: bool,
    pub on_login_form: bool,
    pub methods: Option<&'a (String, Vec<Choice>)>,
}

/// A one-time code for a code page (a fresh one when the IdP asks for the next code), with the
/// username when the same form asks who signs in, and the way to verify when one was chosen.
pub struct CodeFill<'f> {
    field: &'f str,
    code: Secret,
    next: bool,
    username: Option<(&'f str, String)>,
    method: Option<(&'f str, &'f str)>,
    set: &'f BTreeMap<String, String>,
    click: Option<&'f str>,
}

impl<'f> CodeFill<'f> {
    /// Asks for the code `ask` wants; `method` is the code method chosen in the page's `<select>`.
    pub fn ask(
        form: &'f Form,
        ask: &CodeAsk<'f>,
        method: Option<(&'f str, &'f Choice)>,
        provider: &'f Provider,
        asked: &mut Asked<'_>,
        host: &str,
    ) -> Result<CodeFill<'f>, IdpError> {
        let code = if ask.next {
            info!("{host} asks for the next one-time code");
            asked.answers.next_mfa_code(ask.label)?
        } else {
            asked.answers.mfa_code(ask.label)?
        };
        let username = match username_field(form, provider, ask.field) {
            Some(name) => Some((name, asked.username()?)),
            None => None,
        };
        let (set, click) = code_step(provider, ask.on_login_form);
        Ok(CodeFill {
            field: ask.field,
            code,
            next: ask.next,
            username,
            method: method.map(|(select, choice)| (select, choice.value.as_str())),
            set,
            click,
        })
    }

    pub fn fill(&self) -> Fill<'_> {
        let mut fields = vec![(self.field, self.code.expose())];
        if let Some((name, value)) = &self.username {
            fields.push((name, value));
        }
        fields.extend(self.method);
        Fill::with_set(&fields, self.set, self.click)
    }

    pub fn tell(&self, host: &str, verb: &str) {
        info!("{host} asks for a one-time code: {verb} it");
    }

    pub fn record(&self, progress: &mut Progress) {
        progress.sent_code = Some(self.field.to_string());
        progress.sent_next_code |= self.next;
    }
}

/// The fixed fields and button of a code form: the sign-in form's own when the code goes in its
/// password field, else the `[mfa]` step's.
pub fn code_step(
    provider: &Provider,
    on_login_form: bool,
) -> (&BTreeMap<String, String>, Option<&str>) {
    if on_login_form {
        (&provider.login.set, provider.login.click.as_deref())
    } else {
        (&provider.mfa.set, provider.mfa.click.as_deref())
    }
}

/// The username field of a code form that also asks who signs in (NetIQ's token form: an empty,
/// visible field named as in `[login]`).
fn username_field<'f>(form: &'f Form, provider: &Provider, code_field: &str) -> Option<&'f str> {
    let field = form.fields.iter().find(|f| {
        f.name != code_field
            && f.is_typed()
            && !f.is_password()
            && f.value.is_empty()
            && provider
                .login
                .username
                .iter()
                .any(|n| f.name.eq_ignore_ascii_case(n))
    })?;
    Some(field.name.as_str())
}

/// A second factor asked on the sign-in form itself (F5 APM: password and a code on one form, with
/// push or SMS boxes; issue 22): the code field, what to call it, and the box that asks for a
/// push instead, when there is one.
pub struct SecondFactor {
    pub field: String,
    pub label: String,
    /// The push box's name and value.
    pub push: Option<(String, String)>,
}

/// The sign-in form's code field, beside its username and password `fields`: one the provider
/// names as a code field, or one that says it asks for a code.
pub fn second_factor_on_sign_in(
    form: &Form,
    (username, password): (Option<&str>, Option<&str>),
    provider: &Provider,
) -> Option<SecondFactor> {
    password?;
    let named = |f: &&crate::idp::form::Field| {
        provider
            .mfa
            .fields
            .iter()
            .any(|n| f.name.eq_ignore_ascii_case(n))
            || (super::classify::asks_for_code(f) && !f.name.to_lowercase().contains("captcha"))
    };
    let field = form
        .fields
        .iter()
        .filter(|f| f.is_typed() && !f.is_password() && !f.readonly)
        .filter(|f| Some(f.name.as_str()) != username && Some(f.name.as_str()) != password)
        .find(named)?;
    let push = form
        .fields
        .iter()
        .filter(|f| f.visible && matches!(f.kind.as_str(), "checkbox" | "radio"))
        .find(|f| {
            let words = format!(
                "{} {} {}",
                f.name,
                f.value,
                f.label.as_deref().unwrap_or("")
            )
            .to_lowercase();
            ["push", "notif", "approv"]
                .iter()
                .any(|w| words.contains(w))
        })
        .map(|f| (f.name.clone(), f.value.clone()));
    Some(SecondFactor {
        field: field.name.clone(),
        label: field
            .label
            .clone()
            .or_else(|| provider.mfa.label.clone())
            .unwrap_or_else(|| field.name.clone()),
        push,
    })
}

/// Accepts a page with the provider's confirm rule `rule`: says so and notes it. None: the
/// provider has no such rule.
pub fn confirm<'p>(
    provider: &'p Provider,
    rule: usize,
    host: &str,
    progress: &mut Progress,
    decline: bool,
) -> Option<Fill<'p>> {
    let step = provider.confirm.get(rule)?;
    progress.confirmed.push(rule);
    if let Some(no) = step.decline.as_ref().filter(|_| decline) {
        info!("{host}: {}", no.message);
        return Some(Fill::with_set(&[], &no.set, no.click.as_deref()));
    }
    info!("{host}: {}", step.message);
    Some(Fill::with_set(&[], &step.set, step.click.as_deref()))
}

#[cfg(test)]
mod tests;
