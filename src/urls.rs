//! What samlbridge allows of any URL it sends something to, a leaf every wing may use (the IdP
//! session, integrated sign-in, the console's and the account aliases' AWS endpoints): plain
//! `http://` only to this machine, where nothing crosses a network.

use url::{Host, Url};

/// The URL names this machine: an IPv4 or IPv6 loopback address, or `localhost`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// `https://` anywhere, `http://` to this machine only: where a secret may be sent.
pub fn is_private_channel(url: &Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => is_loopback(url),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn loopback_is_this_machine_by_address_or_by_name() {
        for yes in [
            "http://127.0.0.1:8080/",
            "http://127.0.0.2/",
            "http://[::1]/",
            "http://LocalHost/",
        ] {
            assert!(is_loopback(&url(yes)), "{yes}");
        }
        for no in [
            "http://10.0.0.1/",
            "http://localhost.evil.example/",
            "http://[::2]/",
            "file:///etc/passwd",
        ] {
            assert!(!is_loopback(&url(no)), "{no}");
        }
    }

    #[test]
    fn secrets_go_over_https_or_to_this_machine() {
        assert!(is_private_channel(&url("https://idp.corp.example/")));
        assert!(is_private_channel(&url("http://127.0.0.1:9/")));
        assert!(!is_private_channel(&url("http://idp.corp.example/")));
        assert!(!is_private_channel(&url("ftp://127.0.0.1/")));
    }
}
