//! Which hosts integrated sign-in answers (issue 18 §3). A `401 Negotiate`/`NTLM` from a host the
//! user did not name gets nothing: an NTLMv2 response is material for relay or offline cracking,
//! and a Kerberos ticket is asked for only for a service the user meant. The `saml_url`'s host is
//! named by the URL; any other (an AD FS the start page redirects to) must be listed in
//! `saml_auth_hosts`. Plain http counts only to this machine.

use crate::urls::is_private_channel;
use url::{Host, Url};

/// The hosts whose challenges are answered: the `saml_url`'s and those `saml_auth_hosts` lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthHosts {
    hosts: Vec<Host<String>>,
}

impl AuthHosts {
    /// From the sign-in URL (its host, when it has one) and the hosts the user listed, already
    /// checked by `parse_auth_hosts`.
    pub fn new(saml_url: &str, named: &[String]) -> AuthHosts {
        let from_url = Url::parse(saml_url.trim())
            .ok()
            .and_then(|u| u.host().map(|h| h.to_owned()));
        let hosts = from_url
            .into_iter()
            .chain(named.iter().filter_map(|n| Host::parse(n).ok()))
            .map(normal)
            .collect();
        AuthHosts { hosts }
    }

    /// Whether a challenge from `url` may be answered: a named host, over https or loopback http.
    pub fn allows(&self, url: &Url) -> bool {
        let Some(host) = url.host().map(|h| normal(h.to_owned())) else {
            return false;
        };
        is_private_channel(url) && self.hosts.contains(&host)
    }

    /// The hosts, as a person reads them in a message.
    pub fn shown(&self) -> String {
        let names: Vec<String> = self.hosts.iter().map(ToString::to_string).collect();
        if names.is_empty() {
            "no host".to_string()
        } else {
            names.join(", ")
        }
    }
}

/// `idp.corp.example.` and `idp.corp.example` are one host.
fn normal(host: Host<String>) -> Host<String> {
    match host {
        Host::Domain(d) => Host::Domain(d.trim_end_matches('.').to_ascii_lowercase()),
        other => other,
    }
}

/// `saml_auth_hosts` as written: host names (or IP addresses) separated by commas or spaces. Each
/// is a host alone: a scheme, port, path or wildcard is refused with the reason.
pub fn parse_auth_hosts(text: &str) -> Result<Vec<String>, String> {
    let entries: Vec<&str> = text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|e| !e.is_empty())
        .collect();
    if entries.is_empty() {
        return Err("list one or more host names, separated by commas or spaces".into());
    }
    entries.into_iter().map(parse_host).collect()
}

fn parse_host(entry: &str) -> Result<String, String> {
    let refuse = |why: &str| Err(format!("'{entry}' {why}"));
    if entry.contains("://") {
        return refuse(
            "is a URL: write the host name alone (idp.corp.example, not https://idp.corp.example)",
        );
    }
    if entry.contains('/') {
        return refuse("has a path: write the host name alone");
    }
    if entry.contains('*') {
        return refuse("is a wildcard: list each host by its full name");
    }
    let bare_ipv6 = entry.parse::<std::net::Ipv6Addr>().ok();
    if bare_ipv6.is_none()
        && entry
            .rsplit_once(']')
            .map_or(entry, |(_, p)| p)
            .contains(':')
    {
        return refuse("has a port: write the host name alone (any port of it is answered)");
    }
    let host = match bare_ipv6 {
        Some(ip) => Host::Ipv6(ip),
        None => Host::parse(entry).map_err(|e| format!("'{entry}' is not a host name ({e})"))?,
    };
    Ok(normal(host).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn the_saml_url_host_and_the_named_hosts_are_answered_and_no_other() {
        let hosts = AuthHosts::new(
            "https://portal.corp.example/start?x=1",
            &["ADFS.corp.example.".into(), "10.1.2.3".into()],
        );
        assert!(hosts.allows(&url("https://portal.corp.example:8443/adfs/ls/wia")));
        assert!(hosts.allows(&url("https://adfs.corp.example/adfs/ls/wia")));
        assert!(hosts.allows(&url("https://10.1.2.3/wia")));
        assert!(!hosts.allows(&url("https://evil.example/wia")));
        assert!(!hosts.allows(&url("https://corp.example/wia")));
        assert!(!hosts.allows(&url("https://adfs.corp.example.evil.example/wia")));
    }

    #[test]
    fn two_names_for_this_machine_are_two_hosts() {
        let hosts = AuthHosts::new("http://127.0.0.1:8080/start", &[]);
        assert!(hosts.allows(&url("http://127.0.0.1:9090/wia")));
        assert!(!hosts.allows(&url("http://localhost:8080/wia")));
        assert!(!hosts.allows(&url("http://127.0.0.2:8080/wia")));
    }

    #[test]
    fn plain_http_is_answered_only_on_loopback() {
        let hosts = AuthHosts::new(
            "http://adfs.corp.example/start",
            &["idp.corp.example".into()],
        );
        assert!(!hosts.allows(&url("http://adfs.corp.example/adfs/ls/wia")));
        assert!(!hosts.allows(&url("http://idp.corp.example/wia")));
        assert!(hosts.allows(&url("https://adfs.corp.example/adfs/ls/wia")));
        let local = AuthHosts::new("http://localhost:1/", &["[::1]".into()]);
        assert!(local.allows(&url("http://localhost:2/wia")));
        assert!(local.allows(&url("http://[::1]:2/wia")));
    }

    #[test]
    fn no_saml_url_answers_nothing() {
        let hosts = AuthHosts::new("", &[]);
        assert!(!hosts.allows(&url("https://adfs.corp.example/")));
        assert_eq!(hosts.shown(), "no host");
    }

    #[test]
    fn host_lists_are_split_on_commas_and_spaces_and_normalised() {
        assert_eq!(
            parse_auth_hosts(" ADFS.corp.example, sts.corp.example  10.0.0.1,[::1] ::2 ").unwrap(),
            [
                "adfs.corp.example",
                "sts.corp.example",
                "10.0.0.1",
                "[::1]",
                "[::2]"
            ]
        );
    }

    #[test]
    fn entries_that_are_not_host_names_say_why() {
        for (bad, why) in [
            ("https://adfs.corp.example", "is a URL"),
            ("adfs.corp.example/adfs", "has a path"),
            ("adfs.corp.example:443", "has a port"),
            ("[::1]:443", "has a port"),
            ("*.corp.example", "wildcard"),
            ("a b%zz", "not a host name"),
            (" , ", "list one or more"),
        ] {
            let err = parse_auth_hosts(bad).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }
}
