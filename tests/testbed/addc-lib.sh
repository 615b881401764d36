# shellcheck shell=bash
# addc-lib.sh - common functions of the hvdoctor test-bed scripts (addc-up,
# addc-seed, addc-down). Sourced, never run on its own.
#
# Nothing here knows a path of a particular machine: the scripts find this
# file next to themselves and keep all state in $ADDC_DIR.

# A state directory holds this file when addc-up made it; addc-down and
# addc-up refuse to touch a non-empty directory without it.
# shellcheck disable=SC2034  # read by the scripts that source this file
TB_MARKER=.hvdoctor-addc

tb_log() { printf 'addc: %s\n' "$*" >&2; }
tb_die() { printf 'addc: error: %s\n' "$*" >&2; exit 1; }

# tb_help FILE: print the comment block at the top of FILE (after the #! line)
tb_help() { sed -n '2,/^[^#]/{/^#/!d;/^# shellcheck/d;s/^# \{0,1\}//;p}' "$1"; }

# Seconds since the epoch with a fraction, and elapsed time since such a value.
tb_clock() { date +%s.%N; }
tb_elapsed() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }'; }

# tb_quote VALUE: VALUE as one single-quoted shell word (for env files)
tb_quote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

# ADDC_DIR, defaulting to ./.addc, made absolute and exported.
tb_state_dir() {
	local d=${ADDC_DIR:-.addc}
	case $d in
	/*) ;;
	*) d="$PWD/${d#./}" ;;
	esac
	while [ "${d%/}" != "$d" ]; do d=${d%/}; done
	[ -n "$d" ] || tb_die "ADDC_DIR must not be /"
	ADDC_DIR=$d
	export ADDC_DIR
}

tb_need_root() {
	[ "$(id -u)" -eq 0 ] ||
		tb_die "run as root: samba binds ports 88, 389 and 445, and missing packages are installed with apt-get"
}

# tb_check_ip ADDR: only dotted addresses in 127.0.0.0/8 are accepted, so the
# DC can never listen on, or talk to, anything but this machine.
tb_check_ip() {
	[[ $1 =~ ^127(\.[0-9]{1,3}){3}$ ]] ||
		tb_die "ADDC_IP '$1' is not an IPv4 loopback address (127.x.y.z)"
}

# tb_port_open ADDR PORT: true when a TCP connect succeeds
tb_port_open() {
	# shellcheck disable=SC2016  # expanded by the inner shell
	timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' tb "$1" "$2" 2>/dev/null
}

# Field N (as numbered in proc(5)) of /proc/PID/stat. The command name may
# hold spaces or parentheses, so the line is cut after its last ')'.
tb_stat_field() {
	local line f
	line=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	read -r -a f <<<"${line##*) }"
	printf '%s' "${f[$2 - 3]:-}"
}

# tb_samba_running: the samba recorded in $ADDC_DIR runs. The PID must still
# have the start time recorded at launch (a recycled PID is not ours), and a
# zombie counts as gone.
tb_samba_running() {
	local pid started
	pid=$(cat "$ADDC_DIR/samba.pid" 2>/dev/null) || return 1
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	started=$(cat "$ADDC_DIR/samba.starttime" 2>/dev/null) || return 1
	[ -n "$started" ] || return 1
	[ "$(tb_stat_field "$pid" 3)" != Z ] || return 1
	[ "$(tb_stat_field "$pid" 22)" = "$started" ]
}

# tb_install PKG...: apt-get install the packages that are missing. Debian's
# samba packages start smbd, nmbd and samba-ad-dc on install; a temporary
# policy-rc.d (exit 101) forbids that, so nothing binds 0.0.0.0 or
# broadcasts. An existing policy-rc.d is left alone.
tb_install() {
	local want=() p status policy=/usr/sbin/policy-rc.d made=0 rc=0 log
	for p in "$@"; do
		status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) || status=""
		[[ $status == *" ok installed" ]] || want+=("$p")
	done
	[ ${#want[@]} -gt 0 ] || return 0
	[ "${ADDC_NO_INSTALL:-0}" != 1 ] || tb_die "missing packages and ADDC_NO_INSTALL=1: ${want[*]}"
	log="$ADDC_DIR/apt.log"
	tb_log "installing ${want[*]}"
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\n# hvdoctor test bed: no service starts during install\nexit 101\n' >"$policy"
		chmod 755 "$policy"
		made=1
	fi
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y -q --no-install-recommends "${want[@]}" >"$log" 2>&1; then
		tb_log "apt-get install failed; updating the package lists and trying again"
		apt-get update -q >>"$log" 2>&1 || true
		apt-get install -y -q --no-install-recommends "${want[@]}" >>"$log" 2>&1 || rc=$?
	fi
	[ $made -eq 0 ] || rm -f "$policy"
	if [ $rc -ne 0 ]; then
		tail -n 20 "$log" >&2
		tb_die "could not install ${want[*]} (see $log)"
	fi
}

# The Python that has Samba's bindings (Debian's, whatever python3 is first
# in PATH, e.g. a pyenv shim).
tb_python() {
	local p
	for p in /usr/bin/python3 python3; do
		if "$p" -c 'import samba' 2>/dev/null; then
			printf '%s' "$p"
			return 0
		fi
	done
	tb_die "no python3 with the samba module (apt-get install python3-samba)"
}
