//! The one check of an IAM ARN, for the role and SAML provider ARNs an assertion offers and for the
//! role ARNs a person types (`saml_role`, `--role`): `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME` and
//! `arn:PARTITION:iam::ACCOUNT:saml-provider/NAME`, with IAM's own limits, so that nothing malformed
//! is offered as a role or sent to STS.

/// What an IAM ARN names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IamResource {
    /// `role/NAME` or `role/PATH/NAME`.
    Role,
    /// `saml-provider/NAME`.
    SamlProvider,
}

impl IamResource {
    fn prefix(self) -> &'static str {
        match self {
            IamResource::Role => "role/",
            IamResource::SamlProvider => "saml-provider/",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            IamResource::Role => "role",
            IamResource::SamlProvider => "SAML provider",
        }
    }
}

/// STS's limit on RoleArn and PrincipalArn.
pub const MAX_ARN_LEN: usize = 2048;
/// IAM's limits: a role name, a SAML provider name, a path.
const MAX_ROLE_NAME: usize = 64;
const MAX_PROVIDER_NAME: usize = 128;
const MAX_PATH: usize = 512;
/// The longest partition AWS has (`aws-iso-b` and the like), with room for new ones.
const MAX_PARTITION: usize = 32;

/// Why `arn` is not an IAM ARN of that kind, in words for a person; Ok when it is.
pub fn check_iam_arn(arn: &str, kind: IamResource) -> Result<(), String> {
    if arn.len() > MAX_ARN_LEN {
        return Err(format!(
            "it is {} bytes long; an ARN has at most {MAX_ARN_LEN}",
            arn.len()
        ));
    }
    if let Some(c) = arn.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "it contains {}; an ARN has no spaces or control characters",
            if c.is_control() {
                "a control character"
            } else {
                "whitespace"
            }
        ));
    }
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [prefix, partition, service, region, account, resource] = parts[..] else {
        return Err("an ARN has six parts separated by ':' (arn:aws:iam::ACCOUNT:…)".into());
    };
    if prefix != "arn" {
        return Err("an ARN starts with 'arn:'".into());
    }
    check_partition(partition)?;
    if service != "iam" || !region.is_empty() {
        return Err(format!(
            "a {} ARN is an IAM ARN without a region (arn:{partition}:iam::…)",
            kind.noun()
        ));
    }
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return Err("the account id must be 12 digits".into());
    }
    let Some(rest) = resource.strip_prefix(kind.prefix()) else {
        return Err(format!(
            "a {} ARN ends in :{}NAME",
            kind.noun(),
            kind.prefix()
        ));
    };
    match kind {
        IamResource::Role => check_role_resource(rest),
        IamResource::SamlProvider => check_name(rest, MAX_PROVIDER_NAME, "._-", "SAML provider"),
    }
}

/// True when `arn` is an IAM ARN of that kind.
pub fn is_iam_arn(arn: &str, kind: IamResource) -> bool {
    check_iam_arn(arn, kind).is_ok()
}

/// An ARN's partition field (`arn:PARTITION:…`).
pub fn partition_field(arn: &str) -> Option<&str> {
    arn.split(':').nth(1)
}

/// The 12-digit account id of an IAM ARN (`arn:aws:iam::ACCOUNT:role/...`); "" when it has none.
pub fn account_id(arn: &str) -> &str {
    arn.split(':').nth(4).unwrap_or("")
}

/// The resource's name: the last segment of its path (`role/path/to/Admin` gives `Admin`).
pub fn resource_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or("")
}

/// `aws`, `aws-cn`, `aws-us-gov`, `aws-iso-b`…: lower-case words joined by single hyphens, `aws` first.
fn check_partition(partition: &str) -> Result<(), String> {
    let shaped = partition.len() <= MAX_PARTITION
        && partition.split('-').next() == Some("aws")
        && partition
            .split('-')
            .all(|word| !word.is_empty() && word.bytes().all(|b| b.is_ascii_lowercase()));
    if shaped {
        Ok(())
    } else {
        Err("the partition must be aws, aws-cn, aws-us-gov or another aws-… partition".into())
    }
}

/// `PATH/NAME` after `role/`: the path's segments are printable ASCII, the name IAM's role-name set.
fn check_role_resource(rest: &str) -> Result<(), String> {
    let Some((path, name)) = rest.rsplit_once('/') else {
        return check_name(rest, MAX_ROLE_NAME, "+=,.@_-", "role");
    };
    // IAM writes the path with a slash at each end: `/PATH/`.
    if path.len() + 2 > MAX_PATH {
        return Err(format!("the role path is longer than IAM's {MAX_PATH}"));
    }
    let bad_segment =
        |segment: &str| segment.is_empty() || !segment.bytes().all(|b| b.is_ascii_graphic());
    if path.split('/').any(bad_segment) {
        return Err("the role path has an empty or non-ASCII segment".into());
    }
    check_name(name, MAX_ROLE_NAME, "+=,.@_-", "role")
}

/// 1..=max characters: ASCII letters, digits, and `extra`.
fn check_name(name: &str, max: usize, extra: &str, noun: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err(format!("the {noun} name is empty"));
    }
    if name.len() > max {
        return Err(format!(
            "the {noun} name is longer than IAM's {max} characters"
        ));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || extra.contains(c))
    {
        return Err(format!(
            "the {noun} name may hold only letters, digits and {extra}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROLE: IamResource = IamResource::Role;
    const PROVIDER: IamResource = IamResource::SamlProvider;

    #[test]
    fn role_arns_of_every_partition_and_with_paths_are_accepted() {
        for arn in [
            "arn:aws:iam::333333333333:role/Admins",
            "arn:aws-us-gov:iam::333333333333:role/path/to/Admins",
            "arn:aws-cn:iam::333333333333:role/a+b=c,d.e@f-g_h",
            "arn:aws-iso-b:iam::333333333333:role/service-role/x",
            &format!("arn:aws:iam::123456789012:role/{}", "r".repeat(64)),
        ] {
            assert_eq!(check_iam_arn(arn, ROLE), Ok(()), "{arn}");
        }
    }

    #[test]
    fn provider_arns_are_accepted() {
        for arn in [
            "arn:aws:iam::111111111111:saml-provider/CorpADFS",
            "arn:aws-cn:iam::111111111111:saml-provider/a.b_c-d",
        ] {
            assert_eq!(check_iam_arn(arn, PROVIDER), Ok(()), "{arn}");
        }
    }

    #[test]
    fn malformed_role_arns_are_refused_by_class() {
        let long_name = format!("arn:aws:iam::123456789012:role/{}", "r".repeat(65));
        let long_arn = format!("arn:aws:iam::123456789012:role/{}/x", "p".repeat(3000));
        for bad in [
            "",
            "Admins",
            "333333333333/Admins",
            // account: not 12 digits
            "arn:aws:iam::33333333333:role/Admins",
            "arn:aws:iam::3333333333333:role/Admins",
            "arn:aws:iam::33333333333a:role/Admins",
            "arn:aws:iam:::role/Admins",
            // empty names
            "arn:aws:iam::333333333333:role/",
            "arn:aws:iam::333333333333:role/path/",
            "arn:aws:iam::333333333333:role//Admins",
            // wrong service, region or resource type
            "arn:aws:sts::333333333333:role/Admins",
            "arn:aws:iam:us-east-1:333333333333:role/Admins",
            "arn:aws:iam::333333333333:user/Admins",
            "arn:aws:iam::333333333333:saml-provider/Corp",
            "arn:aws:iam::333333333333:Role/Admins",
            // partition shape
            "arn::iam::333333333333:role/Admins",
            "arn:AWS:iam::333333333333:role/Admins",
            "arn:azure:iam::333333333333:role/Admins",
            "arn:aws-:iam::333333333333:role/Admins",
            "arn:aws--cn:iam::333333333333:role/Admins",
            "arn:aws-cn2:iam::333333333333:role/Admins",
            "arn:amazon:iam::333333333333:role/Admins",
            "ARN:aws:iam::333333333333:role/Admins",
            // control characters, whitespace, other characters
            "arn:aws:iam::333333333333:role/Ad mins",
            "arn:aws:iam::333333333333:role/Admins\n",
            " arn:aws:iam::333333333333:role/Admins",
            "arn:aws:iam::333333333333:role/Adm\u{1b}[2Jins",
            "arn:aws:iam::333333333333:role/Adm\u{0}ins",
            "arn:aws:iam::333333333333:role/Admins\u{202e}",
            "arn:aws:iam::333333333333:role/Ädmins",
            "arn:aws:iam::333333333333:role/Ad:mins",
            "arn:aws:iam::333333333333:role/Ad,mins\u{85}",
            // absurd lengths
            &long_name,
            &long_arn,
        ] {
            assert!(check_iam_arn(bad, ROLE).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn malformed_provider_arns_are_refused() {
        for bad in [
            "arn:aws:iam::111111111111:saml-provider/",
            "arn:aws:iam::111111111111:saml-provider/a/b",
            "arn:aws:iam::11111111111:saml-provider/Corp",
            "arn:aws:iam::111111111111:role/Corp",
            "arn:aws:iam::111111111111:saml-provider/Co rp",
            &format!(
                "arn:aws:iam::111111111111:saml-provider/{}",
                "c".repeat(129)
            ),
        ] {
            assert!(check_iam_arn(bad, PROVIDER).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn reasons_name_what_is_wrong() {
        let why = |arn: &str| check_iam_arn(arn, ROLE).unwrap_err();
        assert!(why("arn:aws:iam::1234:role/A").contains("12 digits"));
        assert!(why("arn:aws:iam::123456789012:role/").contains("role name is empty"));
        assert!(why("arn:aws:iam::123456789012:user/A").contains(":role/NAME"));
        assert!(why("arn:aws:iam::123456789012:role/A\u{7}").contains("control character"));
    }
}
