//! What `samlbridge doctor` says about the config file: what `resolve` would refuse for each profile
//! (a loop, a missing source, a chained role that is not an ARN, a bad value), and what it would
//! silently ignore: a `saml_` key it does not know (a typo: the closest known key is suggested) and a
//! section written twice (botocore refuses such a file; see `duplicate_sections`).

use super::ini::{LineKind, scan};
use super::profile::SAML_KEYS;
use super::{AwsPaths, ChainSelect, ConfigFile};
use std::collections::BTreeSet;

/// One finding: a problem (something fails or is ignored) or a warning (works, but worth a look).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lint {
    pub problem: bool,
    /// One line naming the file and profile, and what to do.
    pub message: String,
}

impl Lint {
    fn problem(message: String) -> Lint {
        Lint {
            problem: true,
            message,
        }
    }
}

/// The config file as read (None when it cannot be), and what is wrong in it.
#[derive(Debug, Default)]
pub struct Linted {
    pub file: Option<ConfigFile>,
    pub lints: Vec<Lint>,
}

/// Reads the config file `paths` names and looks at `only` (that profile and the profiles it is
/// chained from) or, without it, at every profile.
pub fn lint_config(paths: &AwsPaths, only: Option<&str>) -> Linted {
    let path = &paths.config_file;
    let text = match std::fs::read(path).map(String::from_utf8) {
        Ok(Ok(text)) => text,
        Ok(Err(_)) => {
            return Linted {
                file: None,
                lints: vec![Lint::problem(format!(
                    "{}: is not UTF-8 text, so neither samlbridge nor the AWS CLI can read it; save it as UTF-8",
                    path.display()
                ))],
            };
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Linted {
                file: None,
                lints: vec![Lint::problem(format!(
                    "{}: there is no config file; add a [profile NAME] section with saml_url (or set AWS_CONFIG_FILE)",
                    path.display()
                ))],
            };
        }
        Err(e) => {
            return Linted {
                file: None,
                lints: vec![Lint::problem(format!(
                    "{}: cannot read it: {e}; check its permissions, or set AWS_CONFIG_FILE",
                    path.display()
                ))],
            };
        }
    };
    let mut lints: Vec<Lint> = duplicate_sections(&text)
        .into_iter()
        .map(|(name, lines)| {
            Lint::problem(format!(
                "{}: section [{}] appears {} times (lines {}); the AWS CLI refuses such a file: merge them into one",
                path.display(),
                crate::shown::outside(&name),
                lines.len(),
                join_numbers(&lines)
            ))
        })
        .collect();
    let file = match ConfigFile::parse(path, &text) {
        Ok(file) => file.with_home(&paths.home),
        Err(e) => {
            lints.push(Lint::problem(e.to_string()));
            return Linted { file: None, lints };
        }
    };
    lints.extend(file.lint(only));
    let mut seen = BTreeSet::new();
    lints.retain(|lint| seen.insert(lint.message.clone()));
    Linted {
        file: Some(file),
        lints,
    }
}

impl ConfigFile {
    /// The findings for `only` and the profiles it is chained from, or for every profile.
    pub fn lint(&self, only: Option<&str>) -> Vec<Lint> {
        let names = match only {
            Some(name) => self.ancestry(name),
            None => self.profiles.keys().cloned().collect(),
        };
        let mut lints = Vec::new();
        for name in &names {
            lints.extend(self.unknown_keys(name));
        }
        let saml: Vec<&String> = names.iter().filter(|n| self.is_saml(n)).collect();
        if let Some(name) = only.filter(|n| !self.is_saml(n)) {
            // plan() says why: no such profile, or neither saml_url nor saml_source.
            if let Err(e) = self.plan(name, &ChainSelect::None) {
                lints.push(Lint::problem(e.to_string()));
            }
        }
        if only.is_none() && saml.is_empty() {
            lints.push(Lint::problem(format!(
                "{}: no profile has saml_url; add a [profile NAME] section with saml_url (the IdP's sign-in URL)",
                self.path.display()
            )));
        }
        let mut loops: BTreeSet<BTreeSet<String>> = BTreeSet::new();
        for name in saml {
            match self.plan(name, &ChainSelect::None) {
                // Every profile of a loop finds it: said once.
                Err(super::ConfigError::Loop { cycle, .. })
                    if !loops.insert(cycle.split(" -> ").map(str::to_string).collect()) => {}
                Err(e) => lints.push(Lint::problem(e.to_string())),
                Ok(_) => {}
            }
        }
        lints
    }

    fn is_saml(&self, name: &str) -> bool {
        self.value(name, "saml_url").is_some() || self.value(name, "saml_source").is_some()
    }

    /// `name` and the profiles its `saml_source` keys lead to, each once (a loop ends the walk).
    fn ancestry(&self, name: &str) -> Vec<String> {
        let mut names = vec![name.to_string()];
        let mut current = name;
        while let Some(source) = self.value(current, "saml_source") {
            if names.iter().any(|n| n == source) || !self.profiles.contains_key(source) {
                break;
            }
            names.push(source.to_string());
            current = source;
        }
        names
    }

    /// Keys that look like samlbridge's but are not one it reads: ignored, so a typo goes unnoticed.
    fn unknown_keys(&self, name: &str) -> Vec<Lint> {
        let Some(section) = self.profiles.get(name) else {
            return Vec::new();
        };
        section
            .keys
            .keys()
            .filter(|key| !SAML_KEYS.contains(&key.as_str()))
            .filter_map(|key| {
                let closest = closest_key(key);
                let looks_ours = key.to_ascii_lowercase().starts_with("saml") || closest.is_some();
                looks_ours.then(|| {
                    let hint = match closest {
                        Some(known) => format!("did you mean {known}?"),
                        None => format!("samlbridge reads {}", SAML_KEYS.join(", ")),
                    };
                    Lint::problem(format!(
                        "{}: profile {name}: unknown key {}, which samlbridge ignores; {hint}",
                        self.path.display(),
                        crate::shown::capped(key, 64)
                    ))
                })
            })
            .collect()
    }
}

/// The known `saml_` key nearest to `key` in spelling, if it is near enough to be a typo of it.
pub fn closest_key(key: &str) -> Option<&'static str> {
    let lower = key.to_ascii_lowercase();
    let (distance, known) = SAML_KEYS
        .iter()
        .map(|known| (strsim::levenshtein(&lower, known), *known))
        .min()?;
    // Keys are read as written, so `SAML_ROLE` is a typo too. Up to a fifth of the letters may be
    // wrong (at least 2): `saml_usrname`, `saml-url`, `sml_role`; the AWS tools' own keys
    // (`external_id`, `ca_bundle`, `region`) are further from any of samlbridge's.
    let allowed = (known.len() / 5).max(2);
    (key != known && distance <= allowed).then_some(known)
}

/// Sections whose header appears more than once, with the 1-based line numbers of each header.
pub fn duplicate_sections(text: &str) -> Vec<(String, Vec<usize>)> {
    let mut seen: Vec<(String, Vec<usize>)> = Vec::new();
    for (index, line) in scan(text).iter().enumerate() {
        let LineKind::Section(name) = line.kind else {
            continue;
        };
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        match seen.iter_mut().find(|(n, _)| *n == name) {
            Some((_, lines)) => lines.push(index + 1),
            None => seen.push((name, vec![index + 1])),
        }
    }
    seen.retain(|(_, lines)| lines.len() > 1);
    seen
}

fn join_numbers(numbers: &[usize]) -> String {
    numbers
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests;
