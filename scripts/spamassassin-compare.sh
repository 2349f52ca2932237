#!/usr/bin/env bash
# Side by side on the same messages: Mekiki versus SpamAssassin, the filter a user would otherwise run.
# SpamAssassin is Debian's, offline: spamd on 127.0.0.1 with -L (local tests only, no DNS or network
# checks), no Bayes, no user config; "flagged" = at or over its spam threshold (5.0).
# Mekiki runs `mekiki eval --sample N` and SpamAssassin runs on exactly the files that chose.
# Both get the same cores (JOBS, default all): spamd children = Mekiki threads = JOBS.
# Usage: scripts/spamassassin-compare.sh [CORPUS] [N per source, default 100]
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:-${MEKIKI_CORPUS:-$repo/../shared/corpus}}
per_source=${2:-100}
jobs=${JOBS:-$(nproc)}
port=${SPAMD_PORT:-17830}
out=$repo/target/sa-compare
mkdir -p "$out"

if ! command -v spamd >/dev/null || ! command -v spamc >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "spamassassin-compare.sh: needs spamd and spamc (apt-get install spamassassin spamc)" >&2; exit 2; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q spamassassin spamc >/dev/null
fi

cargo build --release -q -p mekiki --manifest-path "$repo/Cargo.toml"
bin=$repo/target/release/mekiki

echo "== Mekiki: mekiki eval --sample $per_source --jobs $jobs" >&2
# eval exits non-zero only with floors, which are not given here.
"$bin" eval "$corpus" --sample "$per_source" --jobs "$jobs" --out "$out/mekiki" >"$out/mekiki.txt"
mekiki_line=$(grep -E '^[0-9]+ messages in ' "$out/mekiki.txt")
mekiki_messages=$(echo "$mekiki_line" | awk '{print $1}')
mekiki_secs=$(echo "$mekiki_line" | awk '{print $4}')
# Analyzed messages only (inputs that are not mail, like a LICENSE file, were skipped by eval).
awk -F'\t' 'NR > 1 && $3 != "skipped" && $3 != "failed" {print $5}' "$out/mekiki/results.tsv" >"$out/files.txt"

echo "== SpamAssassin: spamd -L, no Bayes, $jobs children, on $(wc -l <"$out/files.txt") messages" >&2
spamd_pid=
stop_spamd() { [ -n "$spamd_pid" ] && kill "$spamd_pid" 2>/dev/null && wait "$spamd_pid" 2>/dev/null; true; }
trap stop_spamd EXIT
spamd -L -x -u nobody -H /tmp --listen "127.0.0.1:$port" --allowed-ips=127.0.0.1 \
  --min-children "$jobs" --max-children "$jobs" --min-spare 1 --max-spare "$jobs" \
  --cf 'use_bayes 0' --cf 'bayes_auto_learn 0' --syslog=stderr >"$out/spamd.log" 2>&1 &
spamd_pid=$!
# Loading and compiling the rules takes several seconds.
for _ in $(seq 300); do
  grep -q "server started" "$out/spamd.log" 2>/dev/null && break
  sleep 0.2
done
grep -q "server started" "$out/spamd.log" || { echo "spamd did not start:" >&2; tail "$out/spamd.log" >&2; exit 1; }

# spamc -c prints "score/threshold"; -s raises the 500 KB default so no message goes unchecked;
# -x makes an unreachable spamd an error instead of a silent "0/0".
start=$(date +%s.%N)
tr '\n' '\0' <"$out/files.txt" | xargs -0 -P "$jobs" -n 1 sh -c \
  'printf "%s\t%s\n" "$1" "$(spamc -x -d 127.0.0.1 -p '"$port"' -s 2000000 -c <"$1" || true)"' _ >"$out/spamassassin.tsv"
end=$(date +%s.%N)
stop_spamd
sa_secs=$(awk -v s="$start" -v e="$end" 'BEGIN {printf "%.2f", e - s}')
sa_messages=$(wc -l <"$out/spamassassin.tsv")
# "0/0" is what spamc prints when it got no answer.
unscored=$(awk -F'\t' '$2 !~ /^-?[0-9.]+\/[0-9.]+$/ || $2 == "0/0"' "$out/spamassassin.tsv" | wc -l)

echo
echo "Same $sa_messages messages ($per_source per source, chosen by \`mekiki eval --sample $per_source\`), $jobs cores each:"
echo
awk -F'\t' -v corpus="$corpus/" '
  FNR == 1 { file++ }
  file == 1 && FNR > 1 && $3 != "skipped" && $3 != "failed" {
    key = $1 "/" $2; src[$5] = key; n[key]++
    if ($3 != "safe") mf[key]++
    if ($3 == "dangerous") md[key]++
    if (!(key in seen)) { seen[key] = 1; order[++k] = key }
  }
  file == 2 { split($2, s, "/"); key = src[$1]; if (key != "" && s[2] + 0 > 0 && s[1] + 0 >= s[2] + 0) sf[key]++ }
  END {
    printf "| source | messages | Mekiki flagged | Mekiki dangerous | SpamAssassin flagged (score ≥ 5) |\n|---|---|---|---|---|\n"
    for (i = 1; i <= k; i++) { key = order[i]
      printf "| %s | %d | %.1f%% | %.1f%% | %.1f%% |\n", key, n[key], 100 * mf[key] / n[key], 100 * md[key] / n[key], 100 * sf[key] / n[key] }
  }' "$out/mekiki/results.tsv" "$out/spamassassin.tsv"
echo
awk -v mm="$mekiki_messages" -v ms="$mekiki_secs" -v sm="$sa_messages" -v ss="$sa_secs" -v j="$jobs" 'BEGIN {
  mr = mm / ms; sr = sm / ss
  printf "| speed | Mekiki | SpamAssassin | ratio |\n|---|---|---|---|\n"
  printf "| messages/s on %d cores | %.0f | %.1f | %.0f× |\n", j, mr, sr, mr / sr
  printf "| messages/s per core | %.0f | %.1f | |\n", mr / j, sr / j
}'
[ "$unscored" = 0 ] || echo "warning: $unscored message(s) got no SpamAssassin score (see $out/spamassassin.tsv)"
echo
echo "Per-message results: $out/mekiki/results.tsv and $out/spamassassin.tsv"
