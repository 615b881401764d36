#!/usr/bin/env bash
# Latency and peak memory of `hvdoctor explain`, from process start to
# exit, for one code and for a 40-line pasted text, side by side in the
# same run with what an admin on Linux would otherwise run to look a code
# up: grep over a text copy of the knowledge (our kb/signatures.kb) and a
# small Python lookup script (its interpreter start-up is most of it).
# Budget: under 5 ms and under 10 MB. Not a test: prints a Markdown
# section for bench/RESULTS.md.
#
# usage: bench/explain.sh   (HVDOCTOR=path to use another binary;
#                            RUNS=N hyperfine runs, default 300)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${HVDOCTOR:-}" ]; then
	make -s >/dev/null
	HVDOCTOR=build/hvdoctor
fi
runs=${RUNS:-300}
for tool in hyperfine python3 /usr/bin/time; do
	command -v "$tool" >/dev/null || {
		echo "bench/explain.sh: needs $tool" >&2
		exit 2
	}
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hvdoctor-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# 40 lines as an admin pastes them: an Event Viewer copy of 21502, a
# Move-VM error record and the cluster's view of the role.
cat >"$tmp/paste.txt" <<'EOF'
Log Name:      Microsoft-Windows-Hyper-V-High-Availability-Admin
Source:        Microsoft-Windows-Hyper-V-High-Availability
Date:          11/23/2025 9:12:44 AM
Event ID:      21502
Task Category: None
Level:         Error
Keywords:
User:          SYSTEM
Computer:      NODE1.corp.example.com
Description:
Live migration of 'Virtual Machine SQL01' failed.

Virtual machine migration operation for 'SQL01' failed at migration source 'NODE1'. (Virtual machine ID 6066F867-7CA1-4418-85FD-36E3F9C0600C)

The Virtual Machine Management Service failed to establish a connection for a Virtual Machine migration with host 'NODE2': No credentials are available in the security package (0x8009030E).

The Virtual Machine Management Service failed to authenticate the connection for a Virtual Machine migration at the source host: no suitable credentials available.
Event Xml:
<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">
  <System>
    <Provider Name="Microsoft-Windows-Hyper-V-High-Availability" Guid="{6066F867-7CA1-4418-85FD-36E3F9C0600C}" />
    <EventID>21502</EventID>
    <Level>2</Level>
    <TimeCreated SystemTime="2025-11-23T09:12:44.1234567Z" />
    <Computer>NODE1.corp.example.com</Computer>
  </System>
</Event>

PS C:> Move-VM -Name SQL01 -DestinationHost NODE2
Move-VM : Virtual machine migration operation for 'SQL01' failed at migration source 'NODE1'.
Failed to establish a connection with host 'NODE2': No credentials are available in the security package (0x8009030E).
At line:1 char:1
+ Move-VM -Name SQL01 -DestinationHost NODE2
+ ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
    + CategoryInfo          : NotSpecified: (:) [Move-VM], VirtualizationException
    + FullyQualifiedErrorId : OperationFailed,Microsoft.HyperV.PowerShell.Commands.MoveVM

Roles (1)
Name     Status   Type             Owner Node  Information
SQL01    Running  Virtual Machine  NODE1       Live Migrating, 3% completed
EOF
lines=$(wc -l <"$tmp/paste.txt")

# The lookup script an admin would write: the codes in the text, then
# the records of the knowledge text that mention them.
cat >"$tmp/lookup.py" <<'EOF'
import re, sys
text = sys.argv[1]
codes = set(c.upper() for c in re.findall(r"0x[0-9A-Fa-f]{8}", text))
codes |= set("EVENT: " + e for e in re.findall(r"\b2\d{4}\b", text))
with open("kb/signatures.kb") as f:
    for record in f.read().split("\n\n"):
        if any(c in record.upper() for c in codes):
            print(record, end="\n\n")
EOF

# hyperfine -N splits its command with shell quoting: quote the text.
q() {
	local sq="'" esc="'\\''"

	printf "'%s'" "${1//$sq/$esc}"
}
paste_arg=$(q "$(cat "$tmp/paste.txt")")
code_cmd="$HVDOCTOR explain 0x8009030E"
paste_cmd="$HVDOCTOR explain $paste_arg"
grep_code="grep -i -A12 8009030E kb/signatures.kb"
grep_paste="grep -i -A12 -E 0x8009030E|Event:.21502 kb/signatures.kb"
py_code="python3 $tmp/lookup.py 0x8009030E"
py_paste="python3 $tmp/lookup.py $paste_arg"

# The binaries must give what they are compared for.
"$HVDOCTOR" explain 0x8009030E >/dev/null
"$HVDOCTOR" explain "$(cat "$tmp/paste.txt")" >"$tmp/paste.out"
grep -q 'SEC_E_NO_CREDENTIALS' "$tmp/paste.out"
python3 "$tmp/lookup.py" "$(cat "$tmp/paste.txt")" >"$tmp/py.out"
grep -q 8009030E "$tmp/py.out"

hyperfine -N --warmup 20 --runs "$runs" --style none \
	--export-json "$tmp/times.json" \
	-n "hvdoctor --version (start-up alone)" "$HVDOCTOR --version" \
	-n "hvdoctor explain 0x8009030E" "$code_cmd" \
	-n "grep -i -A12 8009030E kb/signatures.kb" "$grep_code" \
	-n "python3 lookup.py 0x8009030E" "$py_code" \
	-n "hvdoctor explain <${lines}-line paste>" "$paste_cmd" \
	-n "grep -i -A12 -E '0x8009030E|Event:.21502' kb/signatures.kb" "$grep_paste" \
	-n "python3 lookup.py <${lines}-line paste>" "$py_paste" \
	>/dev/null

# Peak RSS: the largest of five runs each.
rss() {
	local max=0 kb

	for _ in 1 2 3 4 5; do
		kb=$( { /usr/bin/time -f "%M" "$@" >/dev/null; } 2>&1 |
			tail -n 1)
		[ "$kb" -gt "$max" ] && max=$kb
	done
	echo "$max"
}
paste_text=$(cat "$tmp/paste.txt")
rss_version=$(rss "$HVDOCTOR" --version)
rss_code=$(rss "$HVDOCTOR" explain 0x8009030E)
rss_paste=$(rss "$HVDOCTOR" explain "$paste_text")
rss_grep=$(rss grep -i -A12 8009030E kb/signatures.kb)
rss_py=$(rss python3 "$tmp/lookup.py" 0x8009030E)
rss_py_paste=$(rss python3 "$tmp/lookup.py" "$paste_text")

# Instructions executed by the whole process, when valgrind is there
# (optional): far steadier than wall time on a shared machine.
irefs() {
	command -v valgrind >/dev/null || { echo "n/a"; return; }
	valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" \
		2>&1 >/dev/null | sed -n 's/.*Collected : //p'
}
ir_version=$(irefs "$HVDOCTOR" --version)
ir_code=$(irefs "$HVDOCTOR" explain 0x8009030E)
ir_paste=$(irefs "$HVDOCTOR" explain "$paste_text")

python3 - "$tmp/times.json" "$lines" "$rss_version" "$rss_code" \
	"$rss_grep" "$rss_py" "$rss_paste" "$rss_grep" "$rss_py_paste" <<'EOF'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
lines = sys.argv[2]
rss = sys.argv[3:]
ms = lambda s: "%.2f" % (s * 1000)
print("| command | mean ± σ (ms) | median (ms) | min (ms) "
      "| user+sys (ms) | peak RSS |")
print("|---|---|---|---|---|---|")
for r, kb in zip(results, rss):
    print("| `%s` | %s ± %s | %s | %s | %s | %.1f MB |" % (
        r["command"].replace("|", "\\|"), ms(r["mean"]), ms(r["stddev"]),
        ms(r["median"]), ms(r["min"]), ms(r["user"] + r["system"]),
        int(kb) / 1024))
m = [r["median"] for r in results]
print()
print("Ratios of the medians: one code, grep/hvdoctor %.2f, "
      "python/hvdoctor %.0f; %s-line paste, grep/hvdoctor %.2f, "
      "python/hvdoctor %.0f." % (m[2] / m[1], m[3] / m[1], lines,
                                 m[5] / m[4], m[6] / m[4]))
EOF
echo
echo "Instructions (callgrind, whole process): --version $ir_version," \
	"one code $ir_code, the paste $ir_paste."
echo
echo "Machine: $(nproc) CPU ($(sed -n 's/^model name[[:space:]]*: //p' \
	/proc/cpuinfo | head -n 1)), $(uname -sr), $(date -u +%Y-%m-%d);" \
	"hyperfine $(hyperfine --version | cut -d' ' -f2), $runs runs" \
	"after 20 warm-up runs, the paste is $lines lines."
