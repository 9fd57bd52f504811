//! Where a partition's console and federation endpoint are, and the test override.

use super::ConsoleError;
use crate::saml::Partition;
use crate::urls::is_loopback;
use url::Url;

/// The federation endpoint to call and the console to land on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FederationEndpoints {
    pub federation: Url,
    pub console: Url,
}

/// Set to a loopback `http://` or any `https://` federation endpoint, for tests and private mirrors.
pub const ENDPOINT_OVERRIDE: &str = "SAMLBRIDGE_FEDERATION_ENDPOINT";

impl FederationEndpoints {
    pub fn for_partition(partition: Partition) -> FederationEndpoints {
        let (signin, console) = match partition {
            Partition::Aws => ("signin.aws.amazon.com", "console.aws.amazon.com"),
            Partition::AwsUsGov => (
                "signin.amazonaws-us-gov.com",
                "console.amazonaws-us-gov.com",
            ),
            Partition::AwsCn => ("signin.amazonaws.cn", "console.amazonaws.cn"),
        };
        FederationEndpoints {
            federation: https(signin, "/federation"),
            console: https(console, "/"),
        }
    }

    /// The partition's endpoints, with the federation endpoint taken from `SAMLBRIDGE_FEDERATION_ENDPOINT`
    /// when that is set (read through `var`, so tests need no real environment).
    pub fn from_env(
        partition: Partition,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<FederationEndpoints, ConsoleError> {
        let mut endpoints = FederationEndpoints::for_partition(partition);
        if let Some(value) = var(ENDPOINT_OVERRIDE).filter(|v| !v.is_empty()) {
            endpoints.federation = checked_override(&value)?;
        }
        Ok(endpoints)
    }

    /// The federation endpoint's host (and port when not the default), for messages.
    pub fn host(&self) -> String {
        let host = self.federation.host_str().unwrap_or("?");
        match self.federation.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        }
    }

    /// The console home page, in `region` when given.
    pub fn destination(&self, region: Option<&str>) -> Url {
        match region.filter(|r| !r.is_empty()) {
            Some(region) => {
                let mut url = self.console.clone();
                url.set_path("/console/home");
                url.query_pairs_mut().append_pair("region", region);
                url
            }
            None => self.console.clone(),
        }
    }
}

/// Only ever called with the constant hosts above, which always parse.
fn https(host: &str, path: &str) -> Url {
    Url::parse(&format!("https://{host}{path}")).expect("a constant AWS endpoint URL")
}

/// An override must not send the session anywhere in clear text but to this machine.
fn checked_override(value: &str) -> Result<Url, ConsoleError> {
    let bad = |why: &str| ConsoleError::BadEndpoint {
        value: value.to_string(),
        why: why.to_string(),
    };
    let url = Url::parse(value).map_err(|e| bad(&e.to_string()))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(bad("http:// is only allowed to a loopback host")),
        _ => Err(bad("the scheme must be https")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_partition_has_its_hosts() {
        let cases = [
            (
                Partition::Aws,
                "https://signin.aws.amazon.com/federation",
                "https://console.aws.amazon.com/",
            ),
            (
                Partition::AwsUsGov,
                "https://signin.amazonaws-us-gov.com/federation",
                "https://console.amazonaws-us-gov.com/",
            ),
            (
                Partition::AwsCn,
                "https://signin.amazonaws.cn/federation",
                "https://console.amazonaws.cn/",
            ),
        ];
        for (partition, federation, console) in cases {
            let e = FederationEndpoints::for_partition(partition);
            assert_eq!(e.federation.as_str(), federation);
            assert_eq!(e.console.as_str(), console);
        }
    }

    #[test]
    fn a_region_lands_on_its_console_home() {
        let e = FederationEndpoints::for_partition(Partition::AwsCn);
        assert_eq!(
            e.destination(Some("cn-north-1")).as_str(),
            "https://console.amazonaws.cn/console/home?region=cn-north-1"
        );
        assert_eq!(
            e.destination(None).as_str(),
            "https://console.amazonaws.cn/"
        );
    }

    #[test]
    fn the_override_is_https_or_loopback_http() {
        let with = |value: &str| {
            let value = value.to_string();
            FederationEndpoints::from_env(Partition::Aws, move |_| Some(value.clone()))
        };
        for ok in [
            "http://127.0.0.1:8080/federation",
            "http://localhost/federation",
            "http://[::1]:9/f",
            "https://signin.mirror.example/federation",
        ] {
            assert_eq!(with(ok).unwrap().federation.as_str(), ok);
        }
        for bad in [
            "http://10.0.0.1/federation",
            "http://example.com/f",
            "ftp://127.0.0.1/",
            "::",
        ] {
            let err = with(bad).unwrap_err().to_string();
            assert!(
                err.contains(ENDPOINT_OVERRIDE) && err.contains(bad),
                "{err}"
            );
        }
        let none = FederationEndpoints::from_env(Partition::AwsUsGov, |_| None).unwrap();
        assert_eq!(
            none,
            FederationEndpoints::for_partition(Partition::AwsUsGov)
        );
    }
}
