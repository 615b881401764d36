#!/usr/bin/env bash
# Speed of the EVTX reader against what an admin on Linux would otherwise
# run on the same file, in one run: libevtx's `evtxexport -f xml` and
# python-evtx's `evtx_dump.py` (Debian libevtx-utils and python3-evtx),
# on the largest public sample (../shared/data/evtx/
# win2012r2-stolenszechuan-System.evtx, 16.8 MB, 60,189 records).
#
#  1. full XML dump, hvdoctor with one thread and with all cores, and
#     the JSON dump the same way (`hvdoctor events --all`);
#  2. the filtered scan `hvdoctor events FILE` (provider, channel and id
#     read without rendering) against reading the file from the page
#     cache (`cat FILE > /dev/null`), in GB/s;
#  3. peak memory for the file and for a ten times larger one (its
#     chunks ten times over), which must stay flat.
#
# Not a test: prints a Markdown section for bench/RESULTS.md.
# usage: bench/evtx.sh   (HVDOCTOR=binary; RUNS=N hyperfine runs for the
#                         fast tools, default 10; PY_RUNS=N for
#                         evtx_dump.py, default 1: it takes minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${HVDOCTOR:-}" ]; then
	make -s >/dev/null
	HVDOCTOR=build/hvdoctor
fi
HVDOCTOR=$(realpath "$HVDOCTOR")
runs=${RUNS:-10}
py_runs=${PY_RUNS:-1}
file=$(realpath ../shared/data/evtx/win2012r2-stolenszechuan-System.evtx)
for tool in hyperfine evtxexport evtx_dump.py python3 /usr/bin/time; do
	command -v "$tool" >/dev/null || {
		echo "bench/evtx.sh: needs $tool (scripts/install-deps --bench)" >&2
		exit 2
	}
done
[ -r "$file" ] || {
	echo "bench/evtx.sh: $file is missing (../shared)" >&2
	exit 2
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hvdoctor-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
size=$(stat -c %s "$file")
cores=$(nproc)

# The file's chunks ten times over behind its header: 168 MB.
python3 - "$file" "$tmp/big.evtx" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
with open(sys.argv[2], "wb") as out:
    out.write(data[:4096])
    for _ in range(10):
        out.write(data[4096:])
EOF
big_size=$(stat -c %s "$tmp/big.evtx")

q=$(printf '%q' "$file")
hyperfine --style none --warmup 2 --runs "$runs" \
	--export-json "$tmp/fast.json" \
	-n "hvdoctor xml 1 thread" \
	"$HVDOCTOR events --all --threads 1 $q > /dev/null" \
	-n "hvdoctor xml $cores threads" \
	"$HVDOCTOR events --all $q > /dev/null" \
	-n "hvdoctor json 1 thread" \
	"$HVDOCTOR events --all --format json --threads 1 $q > /dev/null" \
	-n "hvdoctor json $cores threads" \
	"$HVDOCTOR events --all --format json $q > /dev/null" \
	-n "evtxexport -f xml" "evtxexport -f xml $q > /dev/null" \
	-n "hvdoctor events (filtered scan) 1 thread" \
	"$HVDOCTOR events --threads 1 $q > /dev/null || true" \
	-n "hvdoctor events (filtered scan) $cores threads" \
	"$HVDOCTOR events $q > /dev/null || true" \
	-n "cat" "cat $q > /dev/null" >&2
hyperfine --style none --runs "$py_runs" --export-json "$tmp/py.json" \
	-n "evtx_dump.py" "evtx_dump.py $q > /dev/null" >&2

peak() { # peak RSS in KB of a command line
	/usr/bin/time -f %M -o "$tmp/rss" bash -c "$1" >/dev/null 2>&1 || true
	cat "$tmp/rss"
}
rss_small=$(peak "$HVDOCTOR events --all $q > /dev/null")
rss_big=$(peak "$HVDOCTOR events --all $tmp/big.evtx > /dev/null")
rss_exp=$(peak "evtxexport -f xml $q > /dev/null")
rss_exp_big=$(peak "evtxexport -f xml $tmp/big.evtx > /dev/null")

python3 - "$tmp/fast.json" "$tmp/py.json" "$size" "$big_size" \
	"$rss_small" "$rss_big" "$rss_exp" "$rss_exp_big" "$runs" "$py_runs" \
	<<'EOF'
import json, sys
fast = json.load(open(sys.argv[1]))["results"]
py = json.load(open(sys.argv[2]))["results"]
size, big = int(sys.argv[3]), int(sys.argv[4])
rss = [int(x) / 1024 for x in sys.argv[5:9]]
runs, py_runs = sys.argv[9], sys.argv[10]
res = {r["command"]: r for r in fast + py}
name = {r["command"]: r.get("command") for r in fast + py}
med = {k: v["median"] for k, v in res.items()}
exp = med["evtxexport -f xml"]
pyt = med["evtx_dump.py"]
print("| command | median (s) | MB/s | vs evtxexport | vs evtx_dump.py |")
print("|---|---:|---:|---:|---:|")
for k, v in med.items():
    if k in ("cat",) or k.startswith("hvdoctor events"):
        continue
    print("| %s | %.3f | %.1f | %.1f× | %.0f× |"
          % (k, v, size / v / 1e6, exp / v, pyt / v))
print()
print("| filtered scan | median (s) | GB/s | vs cat |")
print("|---|---:|---:|---:|")
for k, v in med.items():
    if k == "cat" or k.startswith("hvdoctor events"):
        print("| %s | %.4f | %.2f | %.2f× the time |"
              % (k, v, size / v / 1e9, v / med["cat"]))
print()
print("Peak RSS: hvdoctor --all %.1f MiB on %.1f MB, %.1f MiB on %.1f MB "
      "(10× the chunks); evtxexport %.1f MiB and %.1f MiB."
      % (rss[0], size / 1e6, rss[1], big / 1e6, rss[2], rss[3]))
print("Runs: %s each (evtx_dump.py: %s), medians of wall time." % (runs, py_runs))
EOF
