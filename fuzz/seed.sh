#!/usr/bin/env bash
# Seeds fuzz/corpus/<target>/ from the project's own fixtures: the IdP pages of tests/fixtures (once
# per provider that reads them, once detected), the SAMLResponses those pages carry (as form values
# and as XML), the provider files, and a few config files, durations and ARNs. Idempotent: files are
# named by content. Usage: fuzz/seed.sh
set -euo pipefail

fuzz=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$fuzz")
corpus="$fuzz/corpus"
mkdir -p "$corpus"

# put TARGET < data: one seed, named by its hash.
put() {
  local dir="$corpus/$1" tmp
  mkdir -p "$dir"
  tmp=$(mktemp "$dir/.seed.XXXXXX")
  cat >"$tmp"
  mv -f "$tmp" "$dir/$(sha1sum "$tmp" | cut -c1-40)"
}

# The built-in providers in the order samlbridge lists them (sorted), as idp_pages numbers them.
mapfile -t providers < <(find "$root/providers" -name '*.toml' -printf '%f\n' | sed 's/\.toml$//' | LC_ALL=C sort)
n=${#providers[@]}

byte() { printf "\\x$(printf %02x "$1")"; }

for dir in "$root"/tests/fixtures/*/; do
  name=$(basename "$dir")
  index=$n   # not a provider's pages: read them detected
  for i in "${!providers[@]}"; do
    [ "${providers[$i]}" = "$name" ] && index=$i
  done
  for page in "$dir"*.html; do
    [ -e "$page" ] || continue
    sent=0
    case "$(basename "$page")" in
      *wrong*|*denied*) sent=7 ;;
      mfa*|*otp*|*totp*|*token*|*pingid*) sent=3 ;;
    esac
    # Control bytes: reader, what was sent, status (200), URL; then the page.
    for reader in "$index" "$n" $((n + 2)); do
      { byte "$reader"; byte "$sent"; byte 0; byte "$index"; cat "$page"; } | put idp_pages
    done
    # The SAMLResponse a page carries, as the form value and as XML.
    grep -o 'name="SAMLResponse"[^>]*value="[^"]*"' "$page" 2>/dev/null | sed 's/.*value="//; s/"$//' |
      while read -r value; do
        printf '%s' "$value" | put saml_response
        if xml=$(printf '%s' "$value" | base64 -d 2>/dev/null); then
          { printf '\0'; printf '%s' "$xml"; } | put saml_response
        fi
      done || true
  done
done

# AWS's role picker, with every role of signin_page's list offered.
for page in "$root"/tests/fixtures/aws-signin/*.html; do
  { byte 255; cat "$page"; } | put signin_page
done

for file in "$root"/providers/*.toml; do
  put provider_file <"$file"
done

put aws_config <<'INI'
# a gateway and two chained profiles
[default]
region = eu-west-1

[profile corp]
saml_url = https://idp.example.com/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices
saml_username = alice@example.com
saml_role = arn:aws:iam::123456789012:role/Admin
duration_seconds = 3600
saml_refresh_window = 5m
credential_process = samlbridge credential-process --profile corp

[profile prod]
saml_source = corp
role_arn = arn:aws:iam::210987654321:role/Deploy
external_id = ext-1
s3 =
    max_concurrent_requests = 20

[saml-aliases]
123456789012 = corp-main
INI
printf '[profile a]\r\nsaml_source = b\r\n[profile b]\r\nsaml_source = a\r\n' | put aws_config
printf '\xef\xbb\xbf[profile x]\nsaml_url=http://idp\nrole_arn: arn:aws-cn:iam::123456789012:role/a/b ; c\n' | put aws_config

for d in 300 0 90s 5m 15m 1h 1h30m 1d 2h 24h 15min 1m "" " 5m " 1h1h 18446744073709551615 18446744073709551615s; do
  printf '%s' "$d" | put durations
done

echo "seeded $(find "$corpus" -type f | wc -l) files in $corpus" >&2
