//! What a field says about itself when no provider file names it: a user name asked alone (an
//! identifier-first page), or a password field that asks for a one-time code. Words are matched in
//! the field's name, id, label, placeholder and `autocomplete`, without case, in several languages.

use crate::idp::form::{Field, Form, Method};

/// Parts of a field's name or words near it that mark a one-time code.
const CODE_WORDS: [&str; 29] = [
    "code",
    "otp",
    "passcode",
    "token",
    "one-time",
    "one time",
    "onetime",
    "verification",
    "2fa",
    "mfa",
    "securid",
    "digits",
    "código",
    "codigo",
    "codice",
    "kód",
    "kod",
    "jeton",
    "einmal",
    "passcodice",
    "код",
    "コード",
    "验证码",
    "驗證碼",
    "인증",
    "toegangscode",
    "engangskode",
    "tunnusluku",
    "kodu",
];

/// Parts of a field's name or words near it that mark a user name.
const USER_WORDS: [&str; 24] = [
    "user",
    "login",
    "logon",
    "mail",
    "ident",
    "subject",
    "account",
    "principal",
    "upn",
    "uid",
    "loginfmt",
    "benutzer",
    "anmelde",
    "utilisateur",
    "identifiant",
    "usuario",
    "utente",
    "gebruiker",
    "användar",
    "bruker",
    "käyttäjä",
    "uživatel",
    "użytkownik",
    "пользовател",
];

/// Words of a password in a field's name, id or label (not a one-time code's `passcode`).
const PASSWORD_WORDS: [&str; 17] = [
    "password",
    "passwd",
    "pwd",
    "passwort",
    "kennwort",
    "mot de passe",
    "contraseña",
    "senha",
    "wachtwoord",
    "lösenord",
    "passord",
    "salasana",
    "heslo",
    "hasło",
    "пароль",
    "パスワード",
    "密码",
];

/// Names search boxes use: a form asking only for one of these is not a sign-in page.
const SEARCH_NAMES: [&str; 6] = ["q", "query", "search", "s", "keyword", "term"];

/// Everything a field says about itself, lower-cased, for word matching.
fn described(field: &Field) -> String {
    let parts = [
        Some(field.name.as_str()),
        field.id.as_deref(),
        field.label.as_deref(),
        field.autocomplete.as_deref(),
    ];
    let mut text: String = parts
        .iter()
        .flatten()
        .map(|p| p.to_lowercase())
        .collect::<Vec<_>>()
        .join(" ");
    text.push(' ');
    text
}

/// Whether `field` asks for a one-time code: `autocomplete="one-time-code"`, or code words in its
/// name or label (not a PIN alone, which is a password as often as not).
pub fn asks_for_code(field: &Field) -> bool {
    if field.autocomplete.as_deref().is_some_and(|a| {
        a.split_whitespace()
            .any(|t| t.eq_ignore_ascii_case("one-time-code"))
    }) {
        return true;
    }
    let text = described(field);
    CODE_WORDS.iter().any(|w| text.contains(w))
}

/// Whether `field`, whatever its type, says it holds a password: password words in its name, id or
/// label, or `pass` as a part of its name (`pf.pass`, `user_pass`), and no word of a one-time code.
pub fn says_password(field: &Field) -> bool {
    if asks_for_code(field) || !matches!(field.kind.as_str(), "text" | "password" | "") {
        return false;
    }
    let text = described(field);
    let part = field
        .name
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .any(|p| p == "pass");
    part || PASSWORD_WORDS.iter().any(|w| text.contains(w))
        || field
            .autocomplete
            .as_deref()
            .is_some_and(|a| a.contains("current-password"))
}

/// Whether a page's message speaks of a one-time code ("Enter the code from your token").
pub fn speaks_of_code(message: &str) -> bool {
    let text = format!("{} ", message.to_lowercase());
    CODE_WORDS.iter().any(|w| text.contains(w))
}

/// Whether `field` is a user name asked alone: a text or e-mail input that is the form's only
/// field to type into, on a form without a visible password field, that says it is for a user
/// (or the form is posted, which search boxes are not), and that is not a code field.
pub fn asks_for_username_alone(form: &Form, field: &Field) -> bool {
    let typed: Vec<&Field> = form.fields.iter().filter(|f| f.is_typed()).collect();
    if typed.len() != 1 || typed[0].name != field.name || field.is_password() {
        return false;
    }
    if !matches!(field.kind.as_str(), "text" | "email" | "") || asks_for_code(field) {
        return false;
    }
    let text = described(field);
    let says_user = field.kind == "email"
        || field
            .autocomplete
            .as_deref()
            .is_some_and(|a| a.contains("username") || a.contains("email"))
        || USER_WORDS.iter().any(|w| text.contains(w));
    let search = SEARCH_NAMES
        .iter()
        .any(|n| field.name.eq_ignore_ascii_case(n));
    says_user || (form.method == Method::Post && !search)
}

/// Whether the form has a field the person may type a user name in (visible, not read-only, not a
/// password): a form asking again for the user name and a secret is a sign-in form, whatever its
/// secret is called.
pub fn username_editable(form: &Form) -> bool {
    form.fields
        .iter()
        .any(|f| f.is_typed() && !f.is_password() && !f.readonly)
}

/// Whether the form shows a user name the person cannot change (disabled or read-only, with a
/// value): the IdP knows who signs in and asks for something else.
pub fn username_locked(form: &Form) -> bool {
    let readonly = form.fields.iter().filter(|f| f.visible && f.readonly);
    readonly
        .chain(form.disabled.iter().filter(|f| f.visible))
        .any(|f| {
            matches!(f.kind.as_str(), "text" | "email" | "")
                && !f.value.trim().is_empty()
                && !asks_for_code(f)
        })
}

#[cfg(test)]
mod tests;
