use super::*;
use base64::engine::general_purpose::STANDARD;

const PROVIDER: &str = "arn:aws:iam::111111111111:saml-provider/Corp";
const ADMIN: &str = "arn:aws:iam::111111111111:role/Admin";
const READER: &str = "arn:aws:iam::222222222222:role/Reader";

/// A SAML Response as IdPs write it, with the given Attribute elements and Destination.
fn response(destination: &str, attributes: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"
    ID="_r1" Version="2.0" IssueInstant="2026-11-21T10:00:00Z" Destination="{destination}">
  <saml:Issuer>https://idp.example/</saml:Issuer>
  <samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
  <saml:Assertion ID="_a1" Version="2.0" IssueInstant="2026-11-21T10:00:00Z">
    <saml:Subject>
      <saml:NameID>alice</saml:NameID>
      <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
        <saml:SubjectConfirmationData NotOnOrAfter="2026-11-21T10:05:00Z" Recipient="https://signin.aws.amazon.com/saml"/>
      </saml:SubjectConfirmation>
    </saml:Subject>
    <saml:Conditions NotBefore="2026-11-21T09:59:00Z" NotOnOrAfter="2026-11-21T10:10:00.500Z">
      <saml:AudienceRestriction><saml:Audience>urn:amazon:webservices</saml:Audience></saml:AudienceRestriction>
    </saml:Conditions>
    <saml:AttributeStatement>{attributes}</saml:AttributeStatement>
  </saml:Assertion>
</samlp:Response>"#
    )
}

fn attribute(name: &str, values: &[&str]) -> String {
    let values: String = values
        .iter()
        .map(|v| format!("<saml:AttributeValue xsi:type=\"xs:string\">{v}</saml:AttributeValue>"))
        .collect();
    format!(
        r#"<saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/{name}">{values}</saml:Attribute>"#
    )
}

fn assertion(xml: &str) -> SamlAssertion {
    SamlAssertion::from_form_value(&STANDARD.encode(xml))
}

fn parse_xml(xml: &str) -> Result<SamlClaims, SamlError> {
    parse(&assertion(xml), "idp.example")
}

fn role(role_arn: &str) -> RoleOption {
    RoleOption {
        role_arn: role_arn.into(),
        principal_arn: PROVIDER.into(),
    }
}

#[test]
fn reads_roles_session_name_duration_expiry_and_destination() {
    let attrs = attribute("Role", &[&format!("{ADMIN},{PROVIDER}")])
        + &attribute("RoleSessionName", &["alice@corp.example"])
        + &attribute("SessionDuration", &[" 28800 "]);
    let claims = parse_xml(&response("https://signin.aws.amazon.com/saml", &attrs)).unwrap();
    assert_eq!(claims.roles, [role(ADMIN)]);
    assert_eq!(claims.session_name.as_deref(), Some("alice@corp.example"));
    assert_eq!(claims.session_duration, Some(28800));
    assert_eq!(
        claims.not_on_or_after,
        Some(time::macros::datetime!(2026-11-21 10:10:00.5 UTC))
    );
    assert_eq!(
        claims.destination.as_deref(),
        Some("https://signin.aws.amazon.com/saml")
    );
    assert_eq!(claims.partition, Partition::Aws);
}

#[test]
fn both_arn_orders_spaces_many_values_several_attributes_deduplicated() {
    let attrs = attribute(
        "Role",
        &[
            &format!("{ADMIN},{PROVIDER}"),
            &format!("  {PROVIDER} ,  {READER}\n"),
            &format!("{PROVIDER},{ADMIN}"),
        ],
    ) + &attribute(
        "Role",
        &[&format!("{READER}, {PROVIDER}"), "arn:aws:iam::3:role/X"],
    );
    let claims = parse_xml(&response("https://signin.aws.amazon.com/saml", &attrs)).unwrap();
    assert_eq!(claims.roles, [role(ADMIN), role(READER)]);
}

#[test]
fn malformed_role_values_are_skipped() {
    let attrs = attribute(
        "Role",
        &[
            "not an arn",
            &format!("{ADMIN},{ADMIN}"),
            &format!("{ADMIN},{PROVIDER},extra"),
            &format!("{READER},{PROVIDER}"),
        ],
    );
    let claims = parse_xml(&response("https://signin.aws.amazon.com/saml", &attrs)).unwrap();
    assert_eq!(claims.roles, [role(READER)]);
}

#[test]
fn no_roles_is_its_own_error() {
    let attrs = attribute("RoleSessionName", &["alice"]) + &attribute("Role", &["garbage"]);
    let err = parse_xml(&response("https://signin.aws.amazon.com/saml", &attrs)).unwrap_err();
    assert!(matches!(err, SamlError::NoRoles { ref host, .. } if host == "idp.example"));
    assert!(
        err.to_string()
            .contains("(1 malformed Role value(s) skipped)")
    );
}

/// Issue 7: role values whose ARNs are malformed were offered as roles. Each class is skipped, the
/// well-formed ones stay, and the count is logged at -v without the raw values.
#[test]
fn role_values_with_malformed_arns_are_skipped_and_counted() {
    let bad = [
        "arn:aws:iam::11111111111:role/Short,arn:aws:iam::111111111111:saml-provider/Corp",
        "arn:aws:iam::111111111111:role/,arn:aws:iam::111111111111:saml-provider/Corp",
        "arn:aws:iam::111111111111:role/Admin,arn:aws:iam::111111111111:saml-provider/",
        "arn:aws:iam::111111111111:user/Admin,arn:aws:iam::111111111111:saml-provider/Corp",
        "arn:aws:sts::111111111111:role/Admin,arn:aws:iam::111111111111:saml-provider/Corp",
        "arn:aws:iam::111111111111:role/Ad&#x1b;[2Jmin,arn:aws:iam::111111111111:saml-provider/Corp",
        "arn:aws:iam::111111111111:role/Ad min,arn:aws:iam::111111111111:saml-provider/Corp",
        "arn:Aws!:iam::111111111111:role/Admin,arn:aws:iam::111111111111:saml-provider/Corp",
    ];
    let long = format!(
        "arn:aws:iam::111111111111:role/{},{PROVIDER}",
        "x".repeat(5000)
    );
    let mut values: Vec<&str> = bad.to_vec();
    values.push(&long);
    let good = format!("{READER},{PROVIDER}");
    values.push(&good);
    let capture = crate::testing::log::LogCapture::start();
    let claims = parse_xml(&response(
        "https://signin.aws.amazon.com/saml",
        &attribute("Role", &values),
    ))
    .unwrap();
    assert_eq!(claims.roles, [role(READER)]);
    let logs = capture.text();
    assert!(logs.contains("skipped 9 Role value(s)"), "{logs}");
    assert!(
        !logs.contains('\u{1b}'),
        "a raw escape reached the log: {logs}"
    );
}

#[test]
fn a_failed_status_is_reported_with_the_idps_message() {
    let xml = r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" Destination="https://signin.aws.amazon.com/saml">
      <samlp:Status>
        <samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder">
          <samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:RequestDenied"/>
        </samlp:StatusCode>
        <samlp:StatusMessage>Access to AWS &amp; friends is not allowed</samlp:StatusMessage>
      </samlp:Status>
    </samlp:Response>"#;
    let err = parse_xml(xml).unwrap_err();
    assert_eq!(
        err.to_string(),
        "idp.example answered with SAML status Responder/RequestDenied: 'Access to AWS & friends is not allowed'; ask your IdP admin whether you may sign in to AWS"
    );
    // A Success status with no role is still "no roles".
    let ok = response("https://signin.aws.amazon.com/saml", "");
    assert!(matches!(
        parse_xml(&ok).unwrap_err(),
        SamlError::NoRoles { .. }
    ));
}

#[test]
fn an_encrypted_assertion_says_so() {
    let xml = r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><saml:EncryptedAssertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"><CipherValue>abc</CipherValue></saml:EncryptedAssertion></samlp:Response>"#;
    let err = parse_xml(xml).unwrap_err();
    assert!(err.to_string().contains("encrypted"), "{err}");
}

#[test]
fn wrapped_base64_is_decoded_and_normalised_for_sts() {
    let xml = response(
        "https://signin.aws.amazon.com/saml",
        &attribute("Role", &[&format!("{ADMIN},{PROVIDER}")]),
    );
    let flat = STANDARD.encode(&xml);
    let wrapped: String = flat
        .as_bytes()
        .chunks(76)
        .map(|line| format!("{}\r\n", std::str::from_utf8(line).unwrap()))
        .collect();
    let a = SamlAssertion::from_form_value(&format!("  {wrapped}\t"));
    assert_eq!(a.base64().expose(), flat);
    assert_eq!(parse(&a, "idp.example").unwrap().roles, [role(ADMIN)]);
}

#[test]
fn escaped_line_breaks_and_missing_padding_are_normalised() {
    assert_eq!(normalise_base64("QUJD&#13;&#10;REU"), "QUJDREU=");
    assert_eq!(normalise_base64("QU&#x4A;&#43;"), "QUJ+");
    assert_eq!(normalise_base64("QQ"), "QQ==");
    assert_eq!(normalise_base64("a&b"), "a&b=");
}

#[test]
fn an_entity_in_an_attribute_value_is_decoded() {
    let attrs = attribute("Role", &[&format!("{ADMIN},{PROVIDER}")])
        + &attribute("RoleSessionName", &["alice&amp;bob&#64;corp"]);
    let claims = parse_xml(&response(
        "https://signin.aws.amazon.com/saml?a=1&amp;b=2",
        &attrs,
    ))
    .unwrap();
    assert_eq!(claims.session_name.as_deref(), Some("alice&bob@corp"));
    assert_eq!(
        claims.destination.as_deref(),
        Some("https://signin.aws.amazon.com/saml?a=1&b=2")
    );
}

#[test]
fn a_doctype_is_refused_before_any_expansion() {
    let mut laughs = String::from("<!DOCTYPE lolz [<!ENTITY lol \"lol\">");
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        laughs += &format!("<!ENTITY lol{i} \"{}\">", format!("&{prev};").repeat(10));
    }
    laughs += "]>";
    let xml = format!(
        "<?xml version=\"1.0\"?>{laughs}<Response><Attribute Name=\"https://aws.amazon.com/SAML/Attributes/Role\"><AttributeValue>&lol9;</AttributeValue></Attribute></Response>"
    );
    let err = parse_xml(&xml).unwrap_err();
    assert!(
        matches!(err, SamlError::Xml { ref reason, .. } if reason.contains("DOCTYPE")),
        "{err}"
    );
}

#[test]
fn oversize_input_is_refused() {
    let padding = "<!--".to_string() + &"x".repeat(MAX_XML_BYTES) + "-->";
    let xml = response("https://signin.aws.amazon.com/saml", &padding);
    let err = parse_xml(&xml).unwrap_err();
    assert!(err.to_string().contains("decoded XML"), "{err}");

    let huge = SamlAssertion::from_form_value(&"A".repeat(MAX_BASE64_BYTES + 4));
    let err = parse(&huge, "idp.example").unwrap_err();
    assert!(err.to_string().contains("limit"), "{err}");
}

#[test]
fn bad_base64_and_bad_xml_are_errors_naming_the_host() {
    let err = parse(&SamlAssertion::from_form_value("%%%%"), "idp.example").unwrap_err();
    assert!(matches!(err, SamlError::Base64 { .. }));
    assert!(err.to_string().contains("idp.example"));
    let err = parse_xml("<Response><Assertion></Response>").unwrap_err();
    assert!(matches!(err, SamlError::Xml { .. }), "{err}");
    let err = parse(
        &SamlAssertion::from_form_value(&STANDARD.encode([0xff, 0xfe, 0x00])),
        "idp.example",
    )
    .unwrap_err();
    assert!(err.to_string().contains("UTF-8"), "{err}");
}

#[test]
fn partitions_from_destination_recipient_audience_and_arn() {
    let gov_role = "arn:aws-us-gov:iam::111111111111:role/Admin,arn:aws-us-gov:iam::111111111111:saml-provider/Corp";
    let cases = [
        ("https://signin.aws.amazon.com/saml", Partition::Aws),
        (
            "https://us-east-2.signin.aws.amazon.com/saml",
            Partition::Aws,
        ),
        (
            "https://signin.amazonaws-us-gov.com/saml",
            Partition::AwsUsGov,
        ),
        ("https://signin.amazonaws.cn/saml", Partition::AwsCn),
    ];
    for (destination, partition) in cases {
        let claims = parse_xml(&response(destination, &attribute("Role", &[gov_role]))).unwrap();
        assert_eq!(claims.partition, partition, "{destination}");
    }
    // No known Destination: the Audience URN decides, then the role ARN.
    let cn = response("http://127.0.0.1:9/saml", &attribute("Role", &[gov_role]))
        .replace("urn:amazon:webservices<", "urn:amazon:webservices:cn<");
    assert_eq!(parse_xml(&cn).unwrap().partition, Partition::AwsCn);
    let other = response("http://127.0.0.1:9/saml", &attribute("Role", &[gov_role]))
        .replace("urn:amazon:webservices<", "urn:example<");
    assert_eq!(parse_xml(&other).unwrap().partition, Partition::AwsUsGov);
}

#[test]
fn recipient_stands_in_for_a_missing_destination() {
    let xml = response("x", &attribute("Role", &[&format!("{ADMIN},{PROVIDER}")]))
        .replace(" Destination=\"x\"", "");
    let claims = parse_xml(&xml).unwrap();
    assert_eq!(
        claims.destination.as_deref(),
        Some("https://signin.aws.amazon.com/saml")
    );
}

#[test]
fn partition_defaults() {
    assert_eq!(Partition::Aws.sts_region_default(), "us-east-1");
    assert_eq!(Partition::AwsUsGov.sts_region_default(), "us-gov-west-1");
    assert_eq!(Partition::AwsCn.sts_region_default(), "cn-north-1");
    assert_eq!(Partition::AwsUsGov.arn_partition(), "aws-us-gov");
    assert_eq!(Partition::AwsCn.arn_partition(), "aws-cn");
}

#[test]
fn debug_never_shows_the_assertion() {
    let a = SamlAssertion::from_form_value("c2VjcmV0LWFzc2VydGlvbg==");
    assert!(!format!("{a:?}").contains("c2VjcmV0"));
}

/// A GovCloud assertion as an IdP set up for it sends it: Destination and Recipient on the GovCloud
/// sign-in host, the GovCloud audience URN, aws-us-gov ARNs. Without Destination and Recipient, the
/// audience URN alone decides (before the role ARNs).
#[test]
fn a_govcloud_assertion_picks_its_partition_and_defaults() {
    let gov_role = "arn:aws-us-gov:iam::111111111111:role/Admin,arn:aws-us-gov:iam::111111111111:saml-provider/Corp";
    let xml = response(
        "https://signin.amazonaws-us-gov.com/saml",
        &attribute("Role", &[gov_role]),
    )
    .replace(
        "Recipient=\"https://signin.aws.amazon.com/saml\"",
        "Recipient=\"https://signin.amazonaws-us-gov.com/saml\"",
    )
    .replace(
        "urn:amazon:webservices<",
        "urn:amazon:webservices:govcloud<",
    );
    let claims = parse_xml(&xml).unwrap();
    assert_eq!(claims.partition, Partition::AwsUsGov);
    assert_eq!(claims.partition.sts_region_default(), "us-gov-west-1");
    assert_eq!(
        claims.partition.signin_host(),
        "signin.amazonaws-us-gov.com"
    );
    assert_eq!(claims.roles[0].account_id(), "111111111111");
    assert_eq!(claims.roles[0].role_name(), "Admin");

    let urn_only = response("x", &attribute("Role", &[&format!("{ADMIN},{PROVIDER}")]))
        .replace(" Destination=\"x\"", "")
        .replace(" Recipient=\"https://signin.aws.amazon.com/saml\"", "")
        .replace(
            "urn:amazon:webservices<",
            "urn:amazon:webservices:govcloud<",
        );
    let claims = parse_xml(&urn_only).unwrap();
    assert_eq!(claims.destination, None);
    assert_eq!(claims.partition, Partition::AwsUsGov);
}

#[test]
fn the_partition_of_an_arn() {
    assert_eq!(
        Partition::from_arn("arn:aws-us-gov:iam::1:role/A"),
        Some(Partition::AwsUsGov)
    );
    assert_eq!(
        Partition::from_arn("arn:aws-cn:iam::1:role/A"),
        Some(Partition::AwsCn)
    );
    assert_eq!(
        Partition::from_arn("arn:aws:iam::1:role/A"),
        Some(Partition::Aws)
    );
    assert_eq!(Partition::from_arn("arn:aws-iso:iam::1:role/A"), None);
    assert_eq!(Partition::from_arn("Admin"), None);
}
