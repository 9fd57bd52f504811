#!/usr/bin/env bash
# How much a warm-cache `samlbridge credential-process` costs next to starting `true`: the AWS CLI and
# SDKs run the process on every credential refresh, so a cache hit must cost about as much as
# starting a small process (target: at most 3x). A benchmark, not a test: it prints, never fails on time.
#
# Usage: benches/credential_process.sh [RUNS]      (default 200)
#   SAMLBRIDGE_BIN=path/to/samlbridge   use that binary instead of building the release one.
#   BENCH_TIMER=loop                    time with a bash loop even when hyperfine is installed.
#
# With hyperfine (apt-get install hyperfine) each program is started directly (-N: no shell in
# between) and the medians are compared; without it, a bash loop's mean per run is, and bash's own
# fork is then in both figures, which flatters the ratio. `samlbridge --version` is timed too: the
# binary's start-up alone, so that start-up and the cache read can be told apart.
#
# It needs no IdP and no network: it writes a config and the cache entry a login would have written
# (layout: src/cache/mod.rs; key derivation: src/cache/key.rs, pinned by a unit test there), then
# checks that one call is really served from that entry before timing.
set -euo pipefail

runs=${1:-200}
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${SAMLBRIDGE_BIN:-}
if [ -z "$bin" ]; then
    (cd "$here" && cargo build --release --locked --quiet)
    bin="${CARGO_TARGET_DIR:-$here/target}/release/samlbridge"
fi
true_bin=$(type -P true)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME="$tmp/home" AWS_CONFIG_FILE="$tmp/config" AWS_SHARED_CREDENTIALS_FILE="$tmp/credentials"
export SAMLBRIDGE_STATE_DIR="$tmp/state"
unset AWS_PROFILE SAMLBRIDGE_PASSWORD
mkdir -p "$HOME"

profile=bench
url=https://idp.invalid/sso
user=bench
role=arn:aws:iam::111111111111:role/Bench
cat > "$AWS_CONFIG_FILE" <<CONFIG
[profile $profile]
saml_url = $url
saml_username = $user
saml_role = $role
region = eu-west-1
CONFIG

sha256() { if command -v sha256sum >/dev/null; then sha256sum; else shasum -a 256; fi; }
digest=$(printf '%s' "[\"samlbridge-cache-v1\",\"gateway\",\"$profile\",\"$role\",\"$url\",\"$user\"]" | sha256 | cut -c1-64)
expires=$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || date -u -v+2H +%Y-%m-%dT%H:%M:%SZ)
mkdir -p -m 700 "$SAMLBRIDGE_STATE_DIR" "$SAMLBRIDGE_STATE_DIR/cache"
(
    umask 077
    cat > "$SAMLBRIDGE_STATE_DIR/cache/$profile-${digest:0:32}.json" <<ENTRY
{
  "Version": 1,
  "Profile": "$profile",
  "Key": "$digest",
  "RoleArn": "$role",
  "Source": "saml $url as $user",
  "AccessKeyId": "ASIABENCHMARKEXAMPLE",
  "SecretAccessKey": "benchmark/secret/key",
  "SessionToken": "benchmark-session-token",
  "Expiration": "$expires"
}
ENTRY
)

answer=$("$bin" credential-process --profile "$profile" --non-interactive </dev/null) || {
    echo "credential-process failed: the seeded entry was not served (does src/cache/key.rs still derive keys this way?)" >&2
    exit 1
}
case $answer in
*'"AccessKeyId":"ASIABENCHMARKEXAMPLE"'*) ;;
*) echo "unexpected answer, not from the seeded cache entry: $answer" >&2; exit 1 ;;
esac

now() {
    if [ -n "${EPOCHREALTIME:-}" ]; then echo "${EPOCHREALTIME/,/.}"; else perl -MTime::HiRes=time -e 'printf "%.6f\n", time'; fi
}
# Mean wall time of one run, in microseconds.
mean_us() {
    local i start end
    for ((i = 0; i < 10; i++)); do "$@" >/dev/null </dev/null; done
    start=$(now)
    for ((i = 0; i < runs; i++)); do "$@" >/dev/null </dev/null; done
    end=$(now)
    awk -v s="$start" -v e="$end" -v n="$runs" 'BEGIN { printf "%.0f", (e - s) * 1e6 / n }'
}

hit_args=(credential-process --profile "$profile" --non-interactive)
if command -v hyperfine >/dev/null && [ "${BENCH_TIMER:-}" != loop ]; then
    timer="hyperfine -N, median of $runs runs"
    hyperfine -N --style none --warmup 20 --runs "$runs" --export-csv "$tmp/times.csv" \
        "'$true_bin'" "'$bin' --version" "'$bin' ${hit_args[*]}" >/dev/null 2>&1
    # Columns: command,mean,stddev,median,…; seconds.
    read -r base version hit < <(awk -F, 'NR > 1 { printf "%.0f ", $4 * 1e6 } END { print "" }' "$tmp/times.csv")
else
    timer="bash loop, mean of $runs runs (bash's fork included)"
    base=$(mean_us "$true_bin")
    version=$(mean_us "$bin" --version)
    hit=$(mean_us "$bin" "${hit_args[@]}")
fi
ratio=$(awk -v a="$hit" -v b="$base" 'BEGIN { printf "%.2f", a / b }')
line() { printf '%-44s %s\n' "$1" "$2"; }
line "timer" "$timer"
line "$true_bin" "${base} us per run"
line "samlbridge --version (start-up alone)" "${version} us per run"
line "samlbridge credential-process (cache hit)" "${hit} us per run"
line "ratio hit / $true_bin" "${ratio}x (target <= 3x)"
