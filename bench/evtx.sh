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
#                         evtx_dump.py, default 1: it takes minutes;
#                         PY_RUNS=0 leaves it out)
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
tools="hyperfine evtxexport python3 /usr/bin/time"
[ "$py_runs" = 0 ] || tools="$tools evtx_dump.py"
for tool in $tools; do
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
# a copy: a rebuild during the run must not change what is measured
cp "$HVDOCTOR" "$tmp/hvdoctor"
echo "bench/evtx.sh: hvdoctor $(sha256sum "$HVDOCTOR" | cut -c1-12)" >&2
HVDOCTOR=$tmp/hvdoctor
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

# No shell (-N): hyperfine sends standard output to /dev/null itself;
# -i because `hvdoctor events` on a log without Hyper-V events says
# "not checked" and exits 3. The path has no spaces (checked above).
case $file in *[[:space:]]*)
	echo "bench/evtx.sh: a path with blanks" >&2
	exit 2
	;;
esac
hyperfine -N -i --style none --warmup 2 --runs "$runs" \
	--export-json "$tmp/fast.json" \
	-n "hvdoctor xml 1 thread" "$HVDOCTOR events --all --threads 1 $file" \
	-n "hvdoctor xml $cores threads" "$HVDOCTOR events --all $file" \
	-n "hvdoctor json 1 thread" \
	"$HVDOCTOR events --all --format json --threads 1 $file" \
	-n "hvdoctor json $cores threads" \
	"$HVDOCTOR events --all --format json $file" \
	-n "evtxexport -f xml" "evtxexport -f xml $file" \
	-n "hvdoctor events (filtered scan) 1 thread" \
	"$HVDOCTOR events --threads 1 $file" \
	-n "hvdoctor events (filtered scan) $cores threads" \
	"$HVDOCTOR events $file" \
	-n "cat" "cat $file" >&2
if [ "$py_runs" = 0 ]; then
	echo '{"results": []}' >"$tmp/py.json"
else
	hyperfine -N --style none --runs "$py_runs" \
		--export-json "$tmp/py.json" \
		-n "evtx_dump.py" "evtx_dump.py $file" >&2
fi

# hyperfine runs each command's runs back to back, so a change in the
# machine's load between commands lands in their ratio. The one-thread
# dumps and evtxexport are also run interleaved (one run of each per
# round, order rotating), and their medians compared.
python3 - "$tmp/inter.json" "$runs" "$HVDOCTOR" "$file" <<'EOF2' >&2
import json, statistics, subprocess, sys, time
out, rounds, hv, f = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
cmds = {
    "hvdoctor xml 1 thread": [hv, "events", "--all", "--threads", "1", f],
    "hvdoctor json 1 thread": [hv, "events", "--all", "--format", "json",
                               "--threads", "1", f],
    "evtxexport -f xml": ["evtxexport", "-f", "xml", f],
}
times = {k: [] for k in cmds}
names = list(cmds)
for r in range(rounds + 1):
    for k in names[r % 3:] + names[:r % 3]:
        t = time.perf_counter()
        subprocess.run(cmds[k], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        if r:  # round 0 warms the page cache
            times[k].append(time.perf_counter() - t)
json.dump({k: statistics.median(v) for k, v in times.items()}, open(out, "w"))
EOF2

peak() { # peak RSS in KB of a command line
	/usr/bin/time -f %M -o "$tmp/rss" bash -c "$1" >/dev/null 2>&1 || true
	cat "$tmp/rss"
}
rss_small=$(peak "$HVDOCTOR events --all $file > /dev/null")
rss_big=$(peak "$HVDOCTOR events --all $tmp/big.evtx > /dev/null")
rss_exp=$(peak "evtxexport -f xml $file > /dev/null")
rss_exp_big=$(peak "evtxexport -f xml $tmp/big.evtx > /dev/null")

python3 - "$tmp/fast.json" "$tmp/py.json" "$size" "$big_size" \
	"$rss_small" "$rss_big" "$rss_exp" "$rss_exp_big" "$runs" "$py_runs" \
	"$tmp/inter.json" <<'EOF'
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
pyt = med.get("evtx_dump.py")  # None with PY_RUNS=0
print("| command | median (s) | min (s) | max (s) | MB/s | vs evtxexport "
      "| vs evtx_dump.py |")
print("|---|---:|---:|---:|---:|---:|---:|")
for k, v in med.items():
    if k in ("cat",) or k.startswith("hvdoctor events"):
        continue
    print("| %s | %.3f | %.3f | %.3f | %.1f | %.1f× | %s |"
          % (k, v, res[k]["min"], res[k]["max"], size / v / 1e6, exp / v,
             "%.0f×" % (pyt / v) if pyt else "not run"))
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
inter = json.load(open(sys.argv[11]))
iexp = inter["evtxexport -f xml"]
print()
print("Interleaved (%s rounds, one run of each per round):" % runs)
print()
print("| command | median (s) | vs evtxexport |")
print("|---|---:|---:|")
for k, v in inter.items():
    print("| %s | %.4f | %.1f× |" % (k, v, iexp / v))
EOF
