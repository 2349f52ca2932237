#!/usr/bin/env bash
# Whole-process speed figures for the README "Results" table:
#   - single-thread messages/s and MB/s over the corpus (`mekiki scan --jobs 1`) and on all cores;
#   - the same harness with a bare mail-parser parse (`--parse-only`): analyze / parse ratio;
#   - per-message latency p50 / p99;
#   - cold start p50: spawn + hello frame + analyze the seed + exit (hyperfine, native-messaging mode);
#   - peak RSS on generated 25 MB messages (/usr/bin/time -v).
# Usage: scripts/bench.sh [CORPUS]   (default: ../shared/corpus beside the repository)
# Needs: cargo, hyperfine and GNU time (apt-get install hyperfine time; installed when run as root).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:-${MEKIKI_CORPUS:-$repo/../shared/corpus}}
out=$repo/target/bench
mkdir -p "$out"

need() { command -v "$1" >/dev/null || { [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null; } || { echo "bench.sh: needs $1 (apt-get install $2)" >&2; exit 2; }; }
need hyperfine hyperfine
need /usr/bin/time time

cargo build --release -q -p mekiki --manifest-path "$repo/Cargo.toml"
bin=$repo/target/release/mekiki

# Reads the three summary lines `mekiki scan` prints (stdout, or stderr with --jsonl) into variables.
summary() { # file prefix
  local f=$1 p=$2
  eval "${p}_messages=$(awk '/messages (analyzed|parsed)/ {print $1; exit}' "$f")"
  eval "${p}_mb=$(awk '/messages (analyzed|parsed)/ {for (i=1;i<=NF;i++) if ($i=="MB,") {print $(i-1); exit}}' "$f")"
  eval "${p}_rate=$(awk '/messages\/s/ {print $1; exit}' "$f")"
  eval "${p}_mbs=$(awk '/messages\/s/ {print $3; exit}' "$f")"
  eval "${p}_mean=$(awk '/per message:/ {print $4; exit}' "$f")"
  eval "${p}_p50=$(awk '/per message:/ {print $7; exit}' "$f")"
  eval "${p}_p99=$(awk '/per message:/ {print $10; exit}' "$f")"
}

echo "== corpus: $corpus" >&2
# The first pass also brings the corpus into the page cache, so no run below pays for the disk.
"$bin" scan --jobs 1 --parse-only "$corpus" >"$out/parse.txt" 2>/dev/null
"$bin" scan --jobs 1 --parse-only "$corpus" >"$out/parse.txt" 2>/dev/null
summary "$out/parse.txt" parse
# CPU seconds as well as wall time: on a shared machine the wall clock also counts waiting for a core.
/usr/bin/time -o "$out/scan-1.cpu" -f "%U %S" "$bin" scan --jobs 1 --jsonl "$corpus" >"$out/scan-1.jsonl" 2>"$out/scan-1.txt"
summary "$out/scan-1.txt" one
cpu_rate=$(awk -v n="$one_messages" '{printf "%.0f", n / ($1 + $2)}' "$out/scan-1.cpu")
"$bin" scan --jsonl "$corpus" >"$out/scan-all.jsonl" 2>"$out/scan-all.txt"
summary "$out/scan-all.txt" all
cmp -s "$out/scan-1.jsonl" "$out/scan-all.jsonl" || echo "bench.sh: warning: --jobs 1 and all-core JSONL differ" >&2
ratio=$(awk -v a="$one_mean" -v p="$parse_mean" 'BEGIN {printf "%.2f", a / p}')

echo "== cold start" >&2
seed=$repo/tests/fixtures/seed-kagoya-phish.eml
frames=$out/hello-analyze.frames
frame() { # JSON (ASCII) → 4-byte little-endian length + JSON, as Thunderbird writes it on x86
  local n=${#1}
  printf '%b' "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $((n & 255)) $(((n >> 8) & 255)) $(((n >> 16) & 255)) $(((n >> 24) & 255)))"
  printf '%s' "$1"
}
{
  frame '{"type":"hello","id":1}'
  frame "{\"type\":\"analyze\",\"id\":2,\"raw\":\"$(base64 -w0 "$seed")\",\"context\":{\"identities\":[],\"locale\":\"ja\"}}"
} >"$frames"
# Thunderbird passes the manifest path and the extension id: that is what selects native-messaging mode.
host_cmd="$bin $out/mekiki.json mekiki@mekiki.app <$frames >$out/cold-reply.bin"
sh -c "$host_cmd"
grep -aq '"type":"verdict"' "$out/cold-reply.bin" || { echo "bench.sh: the host did not answer the analyze frame" >&2; exit 1; }
hyperfine --style basic --warmup 20 --runs 300 --export-json "$out/cold.json" "$host_cmd" >"$out/cold.txt" 2>&1
cold_p50=$(grep -o '"median": *[0-9.e-]*' "$out/cold.json" | head -1 | awk -F: '{printf "%.2f", $2 * 1000}')
cold_mean=$(grep -o '"mean": *[0-9.e-]*' "$out/cold.json" | head -1 | awk -F: '{printf "%.2f", $2 * 1000}')

echo "== peak RSS" >&2
# A 25 MB message whose bulk is a base64 attachment (the usual big mail) …
big_attachment=$out/big-attachment.eml
{
  printf 'From: "Sender" <sender@example.com>\r\nTo: me@example.org\r\nSubject: big attachment\r\n'
  printf 'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n'
  printf -- '--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>See the report: <a href="https://example.com/r">report</a></p>\r\n'
  printf -- '--b1\r\nContent-Type: application/pdf; name="report.pdf"\r\nContent-Transfer-Encoding: base64\r\n'
  printf 'Content-Disposition: attachment; filename="report.pdf"\r\n\r\n'
  head -c 18900000 /dev/zero | tr '\0' 'A' | base64 -w 76 | sed 's/$/\r/'
  printf -- '--b1--\r\n'
} >"$big_attachment"
# … and one whose bulk is HTML text with links (the engine's own work grows with it).
big_html=$out/big-html.eml
{
  printf 'From: "Sender" <sender@example.com>\r\nTo: me@example.org\r\nSubject: big html\r\n'
  printf 'MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body>\r\n'
  awk 'BEGIN { for (i = 1; i <= 250000; i++) printf "<p>Paragraph %d of the quarterly newsletter, with a <a href=\"https://site%d.example.com/p/%d\">link</a>.</p>\r\n", i, i % 700, i }'
  printf '</body></html>\r\n'
} >"$big_html"
rss() { # FILE → "peak_kB size_bytes"
  /usr/bin/time -v "$bin" analyze --json "$1" >/dev/null 2>"$out/time.txt" || true
  echo "$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$out/time.txt") $(stat -c %s "$1")"
}
read -r rss_att size_att < <(rss "$big_attachment")
read -r rss_html size_html < <(rss "$big_html")
ratio_of() { awk -v r="$1" -v s="$2" 'BEGIN {printf "%.1f", r * 1024 / s}'; }

cpu=$(awk -F: '/model name/ {sub(/^ /, "", $2); print $2; exit}' /proc/cpuinfo)
cat <<EOF

Machine: $cpu, $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(uname -sr); $(rustc --version)
Corpus: $corpus ($one_messages messages, $one_mb MB)

| measure | value | command |
|---|---|---|
| single thread | $one_rate msg/s, $one_mbs MB/s | \`mekiki scan --jobs 1 --jsonl CORPUS\` |
| single thread, per CPU second (whole process) | $cpu_rate msg/s | (same run, user + sys time) |
| all cores ($(nproc)) | $all_rate msg/s, $all_mbs MB/s | \`mekiki scan --jsonl CORPUS\` |
| bare mail-parser parse, same harness | $parse_rate msg/s, $parse_mbs MB/s | \`mekiki scan --jobs 1 --parse-only CORPUS\` |
| analyze / bare parse (mean per message) | ${ratio}× ($one_mean ms / $parse_mean ms) | (the two lines above) |
| per-message latency | p50 $one_p50 ms, p99 $one_p99 ms | \`mekiki scan --jobs 1\` |
| cold start p50 (spawn, hello, analyze seed, exit) | $cold_p50 ms (mean $cold_mean ms) | \`hyperfine '$(basename "$bin") M.json ID <frames'\` |
| peak RSS, 25 MB message (base64 attachment) | $((rss_att / 1024)) MB = $(ratio_of "$rss_att" "$size_att")× size | \`/usr/bin/time -v mekiki analyze big-attachment.eml\` |
| peak RSS, 25 MB message (HTML, 250k links) | $((rss_html / 1024)) MB = $(ratio_of "$rss_html" "$size_html")× size | \`/usr/bin/time -v mekiki analyze big-html.eml\` |
EOF
