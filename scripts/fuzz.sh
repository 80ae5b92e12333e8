#!/usr/bin/env bash
# Fuzzes the file parsers with libFuzzer (swiftc -sanitize=fuzzer,address) for a bounded time:
#   scripts/fuzz.sh [seconds per target, default 60] [target ...]
# Targets (Fuzz/FuzzTargets.swift): abi-csv, abi-json (ABI/operadora files through TabularFile and
# AtendimentoValidator) and pagamentos (bank-return files through PaymentFile). The parsers' sources
# are compiled straight into one fuzz executable with the Models module (no Kafka/PostgreSQL), in
# .build-fuzz/. Seeds come from samples/ and Fuzz/seeds/; the corpus grows in .build-fuzz/corpus/.
# Exits non-zero when a target crashes, hangs or breaks an invariant (the input is kept in
# .build-fuzz/crashes/).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(abi-csv abi-json pagamentos)
out=.build-fuzz
mkdir -p "$out/crashes"
flags=(-O -g -parse-as-library -sanitize=fuzzer,address)

intake=(IntakeCore ByteSource CSVRecordReader JSONArrayReader TabularFile FastParsing AtendimentoValidation)
debt=(PaymentFile IncomingPayment)
sources=()
for f in "${intake[@]}"; do sources+=("Services/Intake/Core/$f.swift"); done
for f in "${debt[@]}"; do sources+=("Services/DebtCalculator/Core/$f.swift"); done

echo "== building $out/ressus-fuzz"
mapfile -t models < <(find Shared/Models -name '*.swift' | sort)
# (ld.gold warns about every ASan register helper it cannot export: harmless, filtered out.)
swiftc "${flags[@]}" -emit-library -static -module-name Models -emit-module \
    -emit-module-path "$out/Models.swiftmodule" "${models[@]}" -o "$out/libModels.a"
swiftc "${flags[@]}" -module-name RessusFuzz -I "$out" -L "$out" -lModels \
    "${sources[@]}" Fuzz/FuzzTargets.swift -o "$out/ressus-fuzz" 2>&1 | { grep -v "Cannot export local symbol" || true; }
[ -x "$out/ressus-fuzz" ] || { echo "fuzz build failed" >&2; exit 2; }

status=0
summary="$out/fuzz-summary.txt"
: > "$summary"
for target in "${targets[@]}"; do
    corpus="$out/corpus/$target"
    mkdir -p "$corpus"
    case $target in
        abi-csv) cp samples/abi-exemplo.csv samples/operadoras-exemplo.csv "$corpus/" ;;
        abi-json) cp samples/abi-exemplo.json samples/operadoras-exemplo.json "$corpus/" ;;
        pagamentos) cp samples/pagamentos-exemplo.csv "$corpus/" ;;
        *) echo "unknown target $target" >&2; exit 2 ;;
    esac
    [ -d "Fuzz/seeds/$target" ] && cp Fuzz/seeds/"$target"/* "$corpus/"
    echo "== fuzzing $target for ${seconds}s"
    log="$out/$target.log"
    set +e
    RESSUS_FUZZ_TARGET=$target TMPDIR="${TMPDIR:-/tmp}" "$out/ressus-fuzz" "$corpus" \
        -dict="Fuzz/$target.dict" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$out/crashes/$target-" > "$log" 2>&1
    code=$?
    set -e
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo "?")
    files=$(find "$corpus" -type f | wc -l)
    line="$target: exit $code, $runs runs in ${seconds}s ($speed exec/s), coverage $cov edges, corpus $files files"
    echo "$line" | tee -a "$summary"
    if [ $code -ne 0 ]; then
        status=1
        echo "!! $target failed; last lines of $log:" >&2
        tail -30 "$log" >&2
    fi
done
rm -f "${TMPDIR:-/tmp}"/ressus-fuzz-*.csv "${TMPDIR:-/tmp}"/ressus-fuzz-*.json
exit $status
