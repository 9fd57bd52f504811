use super::*;
use std::path::Path;

fn file(text: &str) -> ConfigFile {
    ConfigFile::parse(Path::new("/home/a/.aws/config"), text).unwrap_or_else(|e| panic!("{e}"))
}

fn listed(text: &str, profile: Option<&str>) -> Result<Option<Vec<String>>> {
    listed_profiles(&file(text), profile)
}

#[test]
fn a_comma_lists_profiles_once_each_spaces_dropped() {
    let names = listed("", Some("a, b,c ,a")).unwrap();
    assert_eq!(names, Some(["a", "b", "c"].map(String::from).to_vec()));
    assert_eq!(listed("", Some("corp")).unwrap(), None);
    assert_eq!(listed("", None).unwrap(), None);
}

#[test]
fn a_profile_whose_name_holds_a_comma_is_still_one_profile() {
    let text = "[profile a,b]\nsaml_url = https://idp.example/sso\n";
    assert_eq!(listed(text, Some("a,b")).unwrap(), None);
}

#[test]
fn an_empty_name_in_the_list_is_a_usage_error() {
    for list in ["a,,b", "a,", ",a", " , "] {
        let err = listed("", Some(list)).unwrap_err();
        assert_eq!(err.exit_code(), 2, "{list}: {err}");
        assert!(err.to_string().contains("--profile"), "{err}");
    }
}

#[test]
fn all_without_a_gateway_is_a_usage_error_naming_the_file() {
    let err = every_gateway(&file("[profile plain]\nregion = eu-west-1\n")).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(err.to_string().contains("/home/a/.aws/config"), "{err}");
    let text =
        "[profile b]\nsaml_url = u\n[profile a]\nsaml_url = u\n[profile c]\nsaml_source = a\n";
    assert_eq!(every_gateway(&file(text)).unwrap(), ["a", "b"]);
}
