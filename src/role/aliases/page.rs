//! Reading the account aliases off the AWS sign-in page's role picker.
//!
//! When an assertion offers several roles, AWS's sign-in endpoint answers with a page listing them by
//! account: per account an element of class `saml-account-name` whose text is
//! `Account: ALIAS (123456789012)` (or `Account: 123456789012` when the account has no alias; the
//! label is translated with the page), and per role a radio input whose value is the role ARN. Only
//! what can be checked is taken: the account must be one the assertion offers, the alias must be a
//! valid IAM alias, and the page must list at least one of the assertion's roles. Anything else means
//! the page is not what it used to be, and gives no aliases.

use super::{AccountAliases, is_account_id, is_iam_alias};
use crate::saml::RoleOption;
use scraper::{Html, Selector};
use std::collections::BTreeSet;
use tracing::debug;

/// The aliases the page shows for the accounts `offered` names; Err says why the page is not
/// readable as the role picker (for a log line: never the page itself, which echoes the assertion).
pub(crate) fn aliases(html: &str, offered: &[RoleOption]) -> Result<AccountAliases, String> {
    let doc = Html::parse_document(html);
    if !lists_an_offered_role(&doc, offered) {
        return Err(not_the_picker(&doc));
    }
    let accounts: BTreeSet<&str> = offered.iter().map(RoleOption::account_id).collect();
    let names = select(".saml-account-name");
    let mut aliases = AccountAliases::default();
    let mut understood = 0;
    for element in doc.select(&names) {
        let text = element.text().collect::<Vec<_>>().join(" ");
        let Some((account, alias)) = account_name(&text) else {
            continue;
        };
        understood += 1;
        match alias {
            Some(alias) if accounts.contains(account) => aliases.insert(account, alias),
            Some(_) => debug!(
                account,
                "the sign-in page names an account the assertion does not offer; skipped"
            ),
            None => {}
        }
    }
    if understood == 0 {
        return Err("its role picker has no account names samlbridge can read (AWS may have changed the page)".into());
    }
    Ok(aliases)
}

/// Whether an input (the role radios) or a label carries one of the assertion's role ARNs.
fn lists_an_offered_role(doc: &Html, offered: &[RoleOption]) -> bool {
    let radios = select("input[value], label[for]");
    doc.select(&radios).any(|e| {
        let arn = e.value().attr("value").or_else(|| e.value().attr("for"));
        arn.is_some_and(|arn| offered.iter().any(|r| r.role_arn == arn.trim()))
    })
}

/// Why a page is not the role picker, from what a person would read on it.
fn not_the_picker(doc: &Html) -> String {
    let text_of = |css: &str| {
        doc.select(&select(css))
            .map(|e| e.text().collect::<Vec<_>>().join(" "))
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .find(|t| !t.is_empty())
    };
    match (
        text_of("#main_error, .error, [role=alert]"),
        text_of("title"),
    ) {
        (Some(error), _) => format!("it answered with an error: '{}'", clip(&error)),
        (None, Some(title)) => format!(
            "its page '{}' lists none of the assertion's roles (AWS may have changed the page)",
            clip(&title)
        ),
        (None, None) => {
            "its page lists none of the assertion's roles (AWS may have changed the page)".into()
        }
    }
}

/// `Account: ALIAS (123456789012)` → (account, Some(alias)); `Account: 123456789012` → (account,
/// None). The label before the colon is whatever language the page is in. An alias that is not a
/// valid IAM alias makes the whole text unreadable (None).
fn account_name(text: &str) -> Option<(&str, Option<&str>)> {
    let text = text.trim();
    if let Some(inner) = text.strip_suffix(')') {
        let open = inner.rfind('(')?;
        let account = inner[open + 1..].trim();
        let before = inner[..open].trim();
        let alias = before.rsplit(':').next().unwrap_or(before).trim();
        return (is_account_id(account) && is_iam_alias(alias)).then_some((account, Some(alias)));
    }
    let account = text.rsplit([':', ' ']).next().unwrap_or(text).trim();
    is_account_id(account).then_some((account, None))
}

/// At most 120 characters of a page's text, for a log line.
fn clip(text: &str) -> String {
    text.chars().take(120).collect()
}

/// Only ever called with the constant selectors of this file (the tests run each of them).
fn select(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|_| panic!("bad built-in selector {css}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_names_in_their_forms() {
        assert_eq!(
            account_name("Account: prod-main (123456789012)"),
            Some(("123456789012", Some("prod-main")))
        );
        assert_eq!(
            account_name("  Compte : prod-main   ( 123456789012 ) "),
            Some(("123456789012", Some("prod-main")))
        );
        assert_eq!(
            account_name("Account: 123456789012"),
            Some(("123456789012", None))
        );
        assert_eq!(account_name("123456789012"), Some(("123456789012", None)));
        for unreadable in [
            "Account: Prod Main (123456789012)",
            "Account: prod-main (12345678901)",
            "Account: -prod (123456789012)",
            "Account: prod--main (123456789012)",
            "Account: pr (123456789012)",
            "Account: prod-main",
            "",
        ] {
            assert_eq!(account_name(unreadable), None, "{unreadable}");
        }
    }
}
