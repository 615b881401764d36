# shellcheck shell=bash
# netns.sh - test hosts in network namespaces, for probe's tests and
# benchmark. Source it, then:
#
#   nn_init                    a client namespace with a bridge (198.18.0.1/24)
#   nn_host NAME ADDR...       a host namespace on that bridge with these
#                              addresses (198.18.0.0/24, RFC 2544's range;
#                              ADDR/LEN for another prefix length)
#   nn_hosts_file LINE...      the client's /etc/hosts (ip netns exec mounts
#                              /etc/netns/NS/hosts over /etc/hosts), with
#                              nsswitch "files" only and a resolver on the
#                              client's own loopback: no lookup leaves it
#   nn_in NAME CMD...          run CMD in host NAME's namespace
#   nn_client CMD...           run CMD in the client namespace
#   nn_bg NAME CMD...          start CMD in NAME's namespace in the background;
#                              waits for it to print "ready"
#   nn_down                    kill what nn_bg started, delete the namespaces
#                              and /etc/netns/NS (nn_init sets an EXIT trap)
#
# Nothing but these namespaces receives a packet: the client has no route
# but its bridge, and the hosts have none but theirs. Names carry the PID,
# so parallel runs do not collide.

NN_ID=${NN_ID:-hvp$$}
NN_CLIENT="$NN_ID-c"
NN_HOSTS=()
NN_PIDS=()
NN_N=0
NN_TMP=""

nn_ns() { printf '%s-%s' "$NN_ID" "$1"; }

nn_init() {
	NN_TMP=$(mktemp -d "${TMPDIR:-/tmp}/hvdoctor-netns.XXXXXX")
	trap nn_down EXIT
	ip netns add "$NN_CLIENT"
	ip -n "$NN_CLIENT" link set lo up
	ip -n "$NN_CLIENT" link add br0 type bridge
	ip -n "$NN_CLIENT" addr add 198.18.0.1/24 dev br0
	ip -n "$NN_CLIENT" link set br0 up
	mkdir -p "/etc/netns/$NN_CLIENT"
	printf 'hosts: files\n' >"/etc/netns/$NN_CLIENT/nsswitch.conf"
	printf 'nameserver 127.0.0.1\noptions attempts:1 timeout:1\n' \
		>"/etc/netns/$NN_CLIENT/resolv.conf"
	printf '127.0.0.1 localhost\n' >"/etc/netns/$NN_CLIENT/hosts"
}

nn_host() {
	local name=$1 ns a b addr
	shift
	ns=$(nn_ns "$name")
	NN_N=$((NN_N + 1))
	a="${NN_ID}a$NN_N" b="${NN_ID}b$NN_N"
	ip netns add "$ns"
	NN_HOSTS+=("$ns")
	ip link add "$a" type veth peer name "$b"
	ip link set "$a" netns "$NN_CLIENT"
	ip link set "$b" netns "$ns"
	ip -n "$NN_CLIENT" link set "$a" master br0 up
	ip -n "$ns" link set lo up
	ip -n "$ns" link set "$b" name eth0
	for addr in "$@"; do
		case $addr in
		*/*) ip -n "$ns" addr add "$addr" dev eth0 ;;
		*) ip -n "$ns" addr add "$addr/24" dev eth0 ;;
		esac
	done
	ip -n "$ns" link set eth0 up
}

nn_hosts_file() {
	printf '%s\n' '127.0.0.1 localhost' "$@" >"/etc/netns/$NN_CLIENT/hosts"
}

nn_in() {
	local ns
	ns=$(nn_ns "$1")
	shift
	ip netns exec "$ns" "$@"
}

nn_client() { ip netns exec "$NN_CLIENT" "$@"; }

nn_bg() {
	local ns out i
	ns=$(nn_ns "$1")
	shift
	out="$NN_TMP/bg.$RANDOM"
	ip netns exec "$ns" "$@" >"$out" 2>&1 &
	NN_PIDS+=($!)
	for i in $(seq 1 100); do
		grep -q ready "$out" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "# nn_bg: $* did not get ready:" >&2
	sed 's/^/#   /' "$out" >&2
	return 1
}

nn_down() {
	local p ns
	for p in "${NN_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${NN_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	NN_PIDS=()
	for ns in "${NN_HOSTS[@]}" "$NN_CLIENT"; do
		ip netns del "$ns" 2>/dev/null || true
	done
	NN_HOSTS=()
	rm -rf "/etc/netns/$NN_CLIENT"
	[ -n "$NN_TMP" ] && rm -rf "$NN_TMP"
	NN_TMP=""
}
