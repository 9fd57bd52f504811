#!/usr/bin/env bash
# Builds every cargo-fuzz target and runs each for a fixed time on its seed corpus (fuzz/seed.sh) with
# its dictionary; fails when the build fails or any target crashes (panic, failed property, leak,
# timeout, out of memory), printing the crashing input's path. Prints one line of figures per target.
#
# Usage: fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]   (default 20 s, every target)
# Needs a nightly toolchain and cargo-fuzz (`cargo install --locked cargo-fuzz`). FUZZ_SANITIZER picks
# the sanitizer: address (the default, as `cargo fuzz run`'s), or none for a shorter build (the fuzzed
# build of samlbridge has no unsafe code of its own, and a panic or a failed property is caught either
# way; .ci/run uses none). FUZZ_CODEGEN_UNITS (e.g. 16) builds each crate in that many parts instead
# of cargo-fuzz's one: a shorter build on a machine with idle cores, at some cost in executions per
# second. FUZZ_JOBS targets run at once (default: one per core; each libFuzzer process uses one), so
# the wall time is the per-target time times the number of targets over the cores. CARGO_TARGET_DIR is
# honoured.
set -euo pipefail

fuzz=$(cd "$(dirname "$0")" && pwd)
cd "$fuzz"
seconds=${1:-20}
shift || true

toolchain=${FUZZ_TOOLCHAIN:-nightly}
sanitizer=${FUZZ_SANITIZER:-address}
# The same build options for `fuzz build` and every `fuzz run`, which would otherwise rebuild.
build_opts=(-s "$sanitizer")
if [ -n "${FUZZ_CODEGEN_UNITS:-}" ]; then
  build_opts+=(--codegen-units "$FUZZ_CODEGEN_UNITS")
fi
if ! cargo "+$toolchain" --version >/dev/null 2>&1; then
  echo "error: no $toolchain toolchain: cargo-fuzz needs one (rustup toolchain install nightly)" >&2
  exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz" >&2
  cargo install --locked cargo-fuzz
fi

dict_for() {
  case "$1" in
    idp_pages | signin_page) echo html ;;
    saml_response | saml_assertion | sts_answer) echo xml ;;
    aws_config | credentials_edit) echo ini ;;
    provider_file) echo toml ;;
    okta_answer | cache_entry | saved_session) echo json ;;
    *) echo duration ;;
  esac
}

"$fuzz/seed.sh"
echo "building the fuzz targets" >&2
if ! cargo "+$toolchain" fuzz build "${build_opts[@]}"; then
  echo "error: the fuzz targets do not build" >&2
  exit 1
fi

if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo "+$toolchain" fuzz list)
fi
[ ${#targets[@]} -gt 0 ] || { echo "error: no fuzz targets found" >&2; exit 1; }

logs=$(mktemp -d)
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}

# Runs one target; its exit status goes to $logs/TARGET.status.
run_target() {
  local target=$1 status=0
  mkdir -p "corpus/$target"
  cargo "+$toolchain" fuzz run "${build_opts[@]}" "$target" -- \
    -max_total_time="$seconds" -timeout=20 -rss_limit_mb=3072 -max_len=65536 \
    -dict="dict/$(dict_for "$target").dict" -print_final_stats=1 >"$logs/$target.log" 2>&1 || status=$?
  echo "$status" >"$logs/$target.status"
}

running=0
for target in "${targets[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
  run_target "$target" &
  running=$((running + 1))
done
wait || true

failed=()
for target in "${targets[@]}"; do
  log="$logs/$target.log"
  status=$(cat "$logs/$target.status" 2>/dev/null || echo 1)
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || true)
  files=$(find "corpus/$target" -type f | wc -l)
  if [ "$status" -eq 0 ]; then
    printf '%-18s ok     %10s execs  cov %6s  corpus %6s\n' "$target" "${execs:-?}" "${cov:-?}" "$files" >&2
  else
    printf '%-18s FAILED (exit %d)\n' "$target" "$status" >&2
    grep -E -A2 'panicked at|Test unit written to|ERROR: libFuzzer|SUMMARY' "$log" | head -12 >&2 || tail -20 "$log" >&2
    mkdir -p "artifacts/$target" && cp "$log" "artifacts/$target/run.log"
    failed+=("$target")
  fi
done
rm -rf "$logs"
if [ ${#failed[@]} -gt 0 ]; then
  echo "error: fuzz targets crashed: ${failed[*]} (inputs in fuzz/artifacts/; replay with cargo +nightly fuzz run TARGET FILE)" >&2
  exit 1
fi
