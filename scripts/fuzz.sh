#!/usr/bin/env bash
# Runs every cargo-fuzz target (fuzz/fuzz_targets) for a bounded time and
# writes a table of executions, corpus sizes and findings to
# target/fuzz-report.md. Exits non-zero when a target found a crash, a
# timeout or a memory blow-up, naming the input that causes it.
#
#   FUZZ_SECONDS=N   seconds per target (default 60)
#
# Seeds come from fuzz/corpus/<target>/ (checked in); what the fuzzer finds
# on top goes to target/fuzz-corpus/<target>/, so runs build on each other
# without touching the checked-in seeds.
set -uo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-60}"
case "$seconds" in
    '' | *[!0-9]*) echo "FUZZ_SECONDS must be a number of seconds, not '$seconds'" >&2; exit 2 ;;
esac

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "Installing cargo-fuzz"
    cargo install cargo-fuzz --locked || exit 1
fi

# Debug assertions on: an integer overflow is a finding too.
flags=(--debug-assertions)
echo "Building the fuzz targets"
cargo +nightly fuzz build "${flags[@]}" || exit 1

mapfile -t targets < <(cargo +nightly fuzz list)
mkdir -p target/fuzz-logs
report=target/fuzz-report.md
rows=()
failed=()

for t in "${targets[@]}"; do
    work="target/fuzz-corpus/$t"
    log="target/fuzz-logs/$t.log"
    mkdir -p "$work" "fuzz/corpus/$t"
    echo "Fuzzing $t for ${seconds}s"
    cargo +nightly fuzz run "${flags[@]}" "$t" "$work" "fuzz/corpus/$t" -- \
        -max_total_time="$seconds" -timeout=10 -print_final_stats=1 >"$log" 2>&1
    status=$?
    # Executions: libFuzzer's final count, or its last status line when it stopped early.
    execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n1)
    [ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9][0-9]*\).*/\1/p' "$log" | tail -n1)
    corpus=$(sed -n 's/^#[0-9]*.* corp: \([0-9]*\)\/.*/\1/p' "$log" | tail -n1)
    artifact=$(sed -n 's/.*Test unit written to \([^ ]*\).*/\1/p' "$log" | tail -n1)
    if [ "$status" -eq 0 ]; then
        findings="none"
    else
        kind=$(grep -o -m1 -E 'deadly signal|panicked|ERROR: AddressSanitizer: [a-z-]+|ERROR: libFuzzer: [a-z -]+' "$log" || true)
        findings="${kind:-exit status $status}: ${artifact:-see $log}"
        failed+=("$t: ${artifact:-$log}")
    fi
    rows+=("| $t | ${execs:-?} | ${corpus:-?} | $findings |")
done

{
    echo "# Fuzzing report"
    echo
    echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), ${seconds} s per target, debug assertions on."
    echo
    echo "| target | executions | corpus | findings |"
    echo "|---|---:|---:|---|"
    printf '%s\n' "${rows[@]}"
} >"$report"

echo
cat "$report"
echo
echo "Written to $report; each target's log is in target/fuzz-logs/."
if [ "${#failed[@]}" -gt 0 ]; then
    echo >&2
    echo "Findings (reproduce with: cargo +nightly fuzz run ${flags[*]} TARGET ARTIFACT):" >&2
    printf '  %s\n' "${failed[@]}" >&2
    exit 1
fi
