#!/usr/bin/env bash
# How much a warm-cache `samlbridge credential-process` costs next to starting `true`: the AWS CLI and
# SDKs run the process on every credential refresh, so a cache hit must cost about as much as
# starting a small process (target: at most 2x /bin/true, median). A benchmark, not a test: it
# prints figures and ratios, never fails on time.
#
# Usage: benches/credential_process.sh [RUNS]      (default 300)
#   SAMLBRIDGE_BIN=path/to/samlbridge   use that binary (samlbridge-full beside it) instead of
#                                       building the release ones.
#   BENCH_TIMER=loop                    time with a bash loop even when hyperfine is installed.
#
# What is timed: /bin/true; `samlbridge --version` (the small front binary's start-up alone, as it
# answers that itself); `samlbridge-full --version` (the whole program's start-up alone, which every
# call but these two pays on top of the front's); and the cache hit, which the front answers by
# itself (src/app/front.rs).
#
# With hyperfine (apt-get install hyperfine) each program is started directly (-N: no shell in
# between), in BENCH_ROUNDS rounds (default 5), and the medians are compared, next to the mean CPU
# time (user + system), which a busy machine disturbs less than wall time. Without hyperfine, a bash loop's mean per run is compared,
# and bash's own fork is then in every figure, which flatters the ratios.
#
# It needs no IdP and no network: it writes a config and the cache entry a login would have written
# (layout: src/state/cache/mod.rs; key derivation: src/state/cache/key.rs, pinned by a unit test there), then
# checks that one call is really served from that entry before timing.
set -euo pipefail

runs=${1:-300}
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${SAMLBRIDGE_BIN:-}
if [ -z "$bin" ]; then
    (cd "$here" && cargo build --release --locked --quiet)
    bin="${CARGO_TARGET_DIR:-$here/target}/release/samlbridge"
fi
full="$(dirname "$bin")/samlbridge-full"
[ -x "$full" ] || { echo "no samlbridge-full beside $bin" >&2; exit 1; }
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
    echo "credential-process failed: the seeded entry was not served (does src/state/cache/key.rs still derive keys this way?)" >&2
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
names=("$true_bin" "samlbridge --version (front start-up)" "samlbridge-full --version (full start-up)"
    "samlbridge credential-process (cache hit)")
cpu=(- - - -)
if command -v hyperfine >/dev/null && [ "${BENCH_TIMER:-}" != loop ]; then
    # In rounds, each timing all four programs: a burst of load elsewhere then spoils one round's
    # ratios, not one program's figure. Reported: the median over rounds of each program's median
    # wall time and mean CPU time, and of each per-round ratio to /bin/true.
    rounds=${BENCH_ROUNDS:-5}
    per_round=$(((runs + rounds - 1) / rounds))
    timer="hyperfine -N, $rounds rounds of $per_round runs: median wall time, mean user + system cpu"
    for ((r = 0; r < rounds; r++)); do
        hyperfine -N --style none --warmup 10 --runs "$per_round" --export-csv "$tmp/round.csv" \
            "'$true_bin'" "'$bin' --version" "'$full' --version" "'$bin' ${hit_args[*]}" >/dev/null 2>&1
        # Columns: command,mean,stddev,median,user,system,min,max; seconds. Rows in command order.
        awk -F, 'NR > 1 { print NR - 2, $4 * 1e6, ($5 + $6) * 1e6 }' "$tmp/round.csv" >>"$tmp/rounds"
    done
    summary=$(awk '
        function median(list, n,    i, j, t, v) {
            n = split(list, v, " ")
            for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
            return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
        }
        { w[$1] = w[$1] " " $2; c[$1] = c[$1] " " $3
          if ($1 == 0) { bw = $2; bc = $3 } else { rw[$1] = rw[$1] " " $2 / bw; rc[$1] = rc[$1] " " $3 / bc } }
        END { for (i = 0; i < 4; i++)
            printf "%.0f %.0f %s %s\n", median(w[i]), median(c[i]),
                i ? sprintf("%.2fx", median(rw[i])) : "1.00x", i ? sprintf("%.2fx", median(rc[i])) : "1.00x" }
    ' "$tmp/rounds")
    i=0
    while read -r w c rw rc; do
        wall[i]=$w cpu[i]=$c wall_ratio[i]=$rw cpu_ratio[i]=$rc
        i=$((i + 1))
    done <<<"$summary"
else
    timer="bash loop, mean of $runs runs (bash's fork included)"
    wall=("$(mean_us "$true_bin")" "$(mean_us "$bin" --version)" "$(mean_us "$full" --version)"
        "$(mean_us "$bin" "${hit_args[@]}")")
fi
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "-") printf "%.2fx", a / b; else printf "-" }'; }
printf '%s\n' "timer: $timer"
load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || true)
cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
if [ -n "$load" ] && awk -v l="$load" -v c="$cores" 'BEGIN { exit !(l > c / 2) }'; then
    printf '%s\n' "note: load average $load on $cores cores: wall times are noisy, compare the cpu ratios"
fi
printf '%-44s %10s %8s %10s %8s\n' "" "wall us" "ratio" "cpu us" "ratio"
for i in 0 1 2 3; do
    printf '%-44s %10s %8s %10s %8s\n' "${names[$i]}" "${wall[$i]}" \
        "${wall_ratio[$i]:-$(ratio "${wall[$i]}" "${wall[0]}")}" \
        "${cpu[$i]}" "${cpu_ratio[$i]:-$(ratio "${cpu[$i]}" "${cpu[0]}")}"
done
printf '%s\n' "cache hit / $true_bin: ${wall_ratio[3]:-$(ratio "${wall[3]}" "${wall[0]}")} (target <= 2x)"
