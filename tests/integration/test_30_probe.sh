#!/usr/bin/env bash
# test_30_probe.sh - `hvdoctor probe` against test hosts in network
# namespaces (tests/netns/netns.sh), each verdict asserted exactly:
#   hv-open     listens on 6600, 135; SMB2 on 445 and HTTP on 5985 in step
#   hv-refused  nothing on 6600 (refused); SMB2 clock 40 s off (near miss:
#               under the 60 s warning)
#   hv-dropped  nftables drops 6600 (timed out), rejects 135 with ICMP
#               host-unreachable; SMB2 clock 400 s off (error)
#   hv-two      two IPv4 and one IPv6 address, 6600 listens on one only
#   hv-wrong    a hosts-file name for hv-open's address (PTR names hv-open)
#   hv-mute     6600 open, 445 and 5985 dropped: its clock cannot be read
#   dc1         SNTP server in step: the clock reference
#   nosuch      not in the hosts file: does not resolve
# then, when the test bed runs, the real smbd and rootDSE of the Samba DC
# on loopback (in-step clocks). Needs root (ip netns, nft).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=../netns/netns.sh
. "$root/tests/netns/netns.sh"

need_env HVDOCTOR
need_cmd ip nft jq python3
if [ "$(id -u)" -ne 0 ]; then
	echo "# $IT_NAME: skipped: network namespaces need root"
	exit 77
fi
resp="python3 $root/tests/netns/responder.py"

nn_init
tmp=$NN_TMP
ip -n "$NN_CLIENT" addr add fd00:1898::1/64 dev br0 nodad
nn_host open 198.18.0.11
nn_host refused 198.18.0.12
nn_host dropped 198.18.0.13
nn_host two 198.18.0.14 198.18.0.24
ip -n "$(nn_ns two)" addr add fd00:1898::14/64 dev eth0 nodad
nn_host mute 198.18.0.15
nn_host dc 198.18.0.10
nn_in dropped nft -f - <<'NFT'
table inet hvdoctor_test {
	chain input {
		type filter hook input priority 0;
		tcp dport 6600 drop
		tcp dport 135 reject with icmpx type host-unreachable
	}
}
NFT
nn_in mute nft -f - <<'NFT'
table inet hvdoctor_test {
	chain input {
		type filter hook input priority 0;
		tcp dport { 445, 5985 } drop
	}
}
NFT
nn_bg open $resp --listen 6600 --listen 135 --smb2 445 --http 5985
nn_bg refused $resp --listen 135 --smb2 445 --http 5985 --skew 40
nn_bg dropped $resp --listen 6600 --listen 135 --smb2 445 --http 5985 --skew 400
nn_bg two $resp --bind 198.18.0.14 --listen 6600 --listen 445 --listen 135 --listen 5985
nn_bg mute $resp --listen 6600
nn_bg dc $resp --sntp 123 --listen 88 --listen 389
nn_hosts_file \
	'198.18.0.10 dc1.probe.test dc1' \
	'198.18.0.11 hv-open.probe.test hv-open' \
	'198.18.0.12 hv-refused.probe.test hv-refused' \
	'198.18.0.13 hv-dropped.probe.test hv-dropped' \
	'198.18.0.14 hv-two.probe.test hv-two' \
	'198.18.0.24 hv-two.probe.test hv-two' \
	'fd00:1898::14 hv-two.probe.test hv-two' \
	'198.18.0.15 hv-mute.probe.test hv-mute' \
	'198.18.0.11 hv-wrong.probe.test hv-wrong'

# probe NAME ARGS...: runs hvdoctor probe in the client namespace; JSON in
# $tmp/NAME.json, stderr in $tmp/NAME.err; prints the exit status
probe() {
	local name=$1 rc=0
	shift
	nn_client "$HVDOCTOR" probe --probe-timeout 1s "$@" >"$tmp/$name.json" \
		2>"$tmp/$name.err" || rc=$?
	echo "$rc"
}
# state NAME HOST ADDRESS PORT
state() {
	jq -r --arg h "$2" --arg a "$3" --argjson p "$4" \
		'.hosts[] | select(.name == $h) | .ports[] |
		 select(.address == $a and .port == $p) | .state' "$tmp/$1.json"
}
# causes NAME HOST: the host's findings as "severity cause[:port]", sorted
causes() {
	jq -r --arg h "$2" '.findings[] | select(.host == $h) |
		"\(.severity) \(.cause // "-")\(if .port then ":\(.port)" else "" end)"' \
		"$tmp/$1.json" | LC_ALL=C sort | paste -sd' ' -
}
skew() { # skew NAME HOST: the host's clock skew in whole seconds
	jq -r --arg h "$2" '.hosts[] | select(.name == $h) | .clock.skew_us // "none" |
		if . == "none" then . else ((. / 1000000 | round) + 0) end' "$tmp/$1.json"
}

rc=$(probe all --json --dc dc1 hv-open hv-refused hv-dropped hv-two \
	hv-wrong nosuch)
expect_eq "all hosts: exit 2 (errors found)" 2 "$rc"
check "all hosts: the JSON has schema hvdoctor.probe/1" \
	jq -e '.schema == "hvdoctor.probe/1"' "$tmp/all.json"
expect_eq "the reference clock is dc1's (SNTP)" "dc1 sntp" \
	"$(jq -r '.clock_reference + " " + (.hosts[] | select(.name == "dc1") | .clock.source)' "$tmp/all.json")"
expect_eq "hv-open: 6600 445 135 5985 open, 5986 refused" "open open open open refused" \
	"$(for p in 6600 445 135 5985 5986; do state all hv-open 198.18.0.11 $p; done | paste -sd' ' -)"
expect_eq "hv-open: no findings (must not fire)" "" "$(causes all hv-open)"
expect_eq "hv-open: clock in step (0 s, by SMB2)" "0 smb2" \
	"$(skew all hv-open) $(jq -r '.hosts[] | select(.name == "hv-open") | .clock.source' "$tmp/all.json")"
expect_eq "hv-open: WinRM's Date read too" "true" \
	"$(jq -r '.hosts[] | select(.name == "hv-open") | .clocks[] | select(.source == "winrm") | .read' "$tmp/all.json")"
expect_eq "hv-refused: 6600 refused" refused "$(state all hv-refused 198.18.0.12 6600)"
expect_eq "hv-refused: port-6600-refused (0x8007274D), clock 40 s off not flagged" \
	"error port-6600-refused:6600 0x8007274D 40" \
	"$(causes all hv-refused) $(jq -r '.findings[] | select(.host == "hv-refused") | .code' "$tmp/all.json") $(skew all hv-refused)"
expect_eq "hv-dropped: 6600 timed out, 135 unreachable" "timeout unreachable" \
	"$(state all hv-dropped 198.18.0.13 6600) $(state all hv-dropped 198.18.0.13 135)"
expect_eq "hv-dropped: filtered 6600, ICMP on 135, clock-skew error (400 s)" \
	"error clock-skew error port-6600-filtered:6600 warning mgmt-ports-blocked:135 400" \
	"$(causes all hv-dropped) $(skew all hv-dropped)"
expect_eq "hv-dropped: 0x8007274C for the dropped 6600" 0x8007274C \
	"$(jq -r '.findings[] | select(.host == "hv-dropped" and .port == 6600) | .code' "$tmp/all.json")"
expect_eq "hv-two: three addresses (two A, one AAAA)" "198.18.0.14 198.18.0.24 fd00:1898::14" \
	"$(jq -r '.hosts[] | select(.name == "hv-two") | .addresses[].address' "$tmp/all.json" | LC_ALL=C sort | paste -sd' ' -)"
expect_eq "hv-two: 6600 open on .14, refused on .24 and on IPv6" "open refused refused" \
	"$(state all hv-two 198.18.0.14 6600) $(state all hv-two 198.18.0.24 6600) $(state all hv-two fd00:1898::14 6600)"
expect_eq "hv-two: several addresses, an info per port that answers on one only; no error; clock unread (no SMB2 there)" \
	"info host-several-addresses info host-several-addresses:135 info host-several-addresses:445 info host-several-addresses:5985 info host-several-addresses:6600 not-checked -" \
	"$(causes all hv-two)"
expect_eq "hv-wrong: resolves to hv-open's address, whose PTR names hv-open" \
	"warning host-name-ptr-mismatch" "$(causes all hv-wrong)"
expect_eq "nosuch: does not resolve" "error host-name-unresolved" "$(causes all nosuch)"
expect_eq "dc1: Kerberos and LDAP open, no findings" "open open " \
	"$(state all dc1 198.18.0.10 88) $(state all dc1 198.18.0.10 389) $(causes all dc1)"
expect_eq "clock spread: hv-dropped ahead by ~400 s" "hv-dropped 400" \
	"$(jq -r '"\(.clock_spread.ahead) \(.clock_spread.spread_us / 1000000 | round)"' "$tmp/all.json")"

# --- near miss: every check passes ---------------------------------------------
rc=$(probe ok --json --dc dc1 hv-open)
expect_eq "hv-open alone: exit 0, no findings" "0 0" \
	"$rc $(jq '.findings | length' "$tmp/ok.json")"

# --- a name given as a host and as a DC is probed as both ---------------------------
rc=$(probe both --json --no-clock --ports 6600 --dc dc1 dc1)
expect_eq "dc1 named as host and --dc: probed as both (6600, then 88 and 389)" \
	"host:6600 dc:88,389" \
	"$(jq -r '.hosts[] | select(.name == "dc1") | "\(.role):\([.ports[].port] | unique | map(tostring) | join(","))"' "$tmp/both.json" | paste -sd' ' -)"

# --- a DC whose SYNs are dropped is not "a server that never answers" ------------------
rc=$(probe ldapdrop --no-clock --ports 6600 --ldap ldap://198.18.0.13:6600 \
	--ldap-timeout 2 hv-open)
expect_eq "LDAP to a dropping firewall: exit 3" 3 "$rc"
expect_contains "... said as dropped packets" "a firewall drops the packets" \
	"$(tr '\n' ' ' <"$tmp/ldapdrop.err" | tr -s ' ')"
expect_not_contains "... not as a server that accepts and stays silent" \
	"accepts connections" "$(cat "$tmp/ldapdrop.err")"

# --- too thin to judge: the clock cannot be read ---------------------------------
rc=$(probe mute --json --ports 6600 hv-mute)
expect_eq "hv-mute: exit 3 (clock not checked), 6600 open" "3 open" \
	"$rc $(state mute hv-mute 198.18.0.15 6600)"
expect_eq "hv-mute: 'not checked', naming what would check it" "not-checked clock" \
	"$(jq -r '.findings[] | "\(.severity) \(.topic)"' "$tmp/mute.json")"
expect_contains "hv-mute: says SMB2 and WinRM timed out" "smb2 on 445: timeout; winrm on 5985: timeout" \
	"$(jq -r '.findings[0].message' "$tmp/mute.json")"
check "hv-mute: the finding names the input that would check it" \
	jq -e '.findings[0].check_with | test("445")' "$tmp/mute.json"

# --- text for people ---------------------------------------------------------------
rc=$(probe text --dc dc1 hv-open hv-refused hv-dropped)
text=$(cat "$tmp/text.json")
expect_contains "text: the answer first" "hvdoctor probe: 3 errors, 1 warning, 0 not checked" \
	"$(head -n 1 <<<"$text")"
expect_contains "text: the port table row of hv-dropped" \
	"dropped  open     unreach  open     refused" "$text"
expect_eq "text: fits 80 columns" "" "$(awk 'length > 80' <<<"$text")"
expect_eq "text: no progress line on a pipe" "" "$(cat "$tmp/text.err")"

# --- hosts from an LDIF export, selected as audit selects them ---------------------------
sample="$root/examples/sample-estate.ldif"
if [ -n "${ADDC_ESTATE_LDIF:-}" ] && [ -f "$ADDC_ESTATE_LDIF" ]; then
	nn_hosts_file '198.18.0.11 hv01.lab.example.com hv01' \
		'198.18.0.12 hv02.lab.example.com hv02' \
		'198.18.0.13 hv03.other.example hv03' '198.18.0.13 hv03.lab.example.com'
	rc=$(probe ldif --json --ldif "$ADDC_ESTATE_LDIF" --hosts HV01,HV02,HV03 --ports 6600)
	expect_eq "--ldif --hosts HV01,HV02,HV03: the three dNSHostNames probed" \
		"HV01.lab.example.com HV02.lab.example.com HV03.lab.example.com" \
		"$(jq -r '.hosts[] | select(.role == "host") | .name' "$tmp/ldif.json" | paste -sd' ' -)"
	expect_eq "--ldif: HV01 open, HV02 refused, HV03 dropped on 6600" "open refused timeout" \
		"$(state ldif HV01.lab.example.com 198.18.0.11 6600) $(state ldif HV02.lab.example.com 198.18.0.12 6600) $(state ldif HV03.lab.example.com 198.18.0.13 6600)"
	expect_eq "--ldif: HV03 (the dropping, 400 s host) has a PTR in another domain: same host label, no name finding" \
		"error clock-skew error port-6600-filtered:6600" "$(causes ldif HV03.lab.example.com)"
	rc=$(probe named --json --ldif "$ADDC_ESTATE_LDIF" hv03.other.example --ports 6600 --no-clock)
	expect_eq "a name asked that is not AD's dNSHostName" \
		"error port-6600-filtered:6600 warning host-dnshostname-mismatch" \
		"$(causes named hv03.other.example)"
else
	skip "hosts from --ldif" "no test bed (ADDC_ESTATE_LDIF)"
fi
[ -f "$sample" ] || true

# --- the test bed's real smbd and rootDSE (in step) ---------------------------------
if [ -n "${ADDC_IP:-}" ] && [ -n "${ADDC_LDAP_URI:-}" ]; then
	rc=0
	HVDOCTOR_PASSWORD=$ADDC_ADMIN_PASSWORD "$HVDOCTOR" probe --json \
		--ldap "$ADDC_LDAP_URI" --bind simple --user "$ADDC_ADMIN_DN" \
		--allow-plaintext "$ADDC_IP" --probe-timeout 2s \
		>"$tmp/dc.json" 2>"$tmp/dc.err" || rc=$?
	expect_eq "the test bed DC ($ADDC_IP): Kerberos and LDAP open" "open open" \
		"$(state dc "$ADDC_IP" "$ADDC_IP" 88) $(state dc "$ADDC_IP" "$ADDC_IP" 389)"
	expect_eq "the DC named as a host too: probed as both roles" "dc host" \
		"$(jq -r --arg h "$ADDC_IP" '[.hosts[] | select(.name == $h) | .role] | sort | join(" ")' "$tmp/dc.json")"
	expect_eq "Samba's smbd answers SMB2 NEGOTIATE with its time" "true" \
		"$(jq -r --arg h "$ADDC_IP" '.hosts[] | select(.name == $h and .role == "host") | .clocks[] | select(.source == "smb2") | .read' "$tmp/dc.json")"
	expect_eq "rootDSE currentTime read" "true" \
		"$(jq -r --arg h "$ADDC_IP" '.hosts[] | select(.name == $h and .role == "dc") | .clocks[] | select(.source == "rootdse") | .read' "$tmp/dc.json")"
	check "smbd's clock is within 1 s of this machine's" \
		jq -e --arg h "$ADDC_IP" '.hosts[] | select(.name == $h and .role == "host") | .clocks[] | select(.source == "smb2") | (.offset_us | fabs) < 1000000' "$tmp/dc.json"
	check "rootDSE's clock is within 2 s of this machine's" \
		jq -e --arg h "$ADDC_IP" '.hosts[] | select(.name == $h and .role == "dc") | .clocks[] | select(.source == "rootdse") | (.offset_us | fabs) < 2000000' "$tmp/dc.json"
	expect_eq "the DC in step: no clock error or warning" \
		"0" "$(jq '[.findings[] | select(.topic == "clock" and (.severity == "error" or .severity == "warning"))] | length' "$tmp/dc.json")"
	expect_eq "the DC's own ports: no finding for its role" "0" \
		"$(jq '[.findings[] | select(.role == "dc" and .severity != "not-checked")] | length' "$tmp/dc.json")"
	expect_eq "named as a host too, it is probed as one: no Hyper-V there, 6600 refused" \
		"error port-6600-refused" \
		"$(jq -r '.findings[] | select(.role == "host" and .port == 6600) | "\(.severity) \(.cause)"' "$tmp/dc.json")"
else
	skip "the test bed's smbd and rootDSE" "no test bed (ADDC_IP)"
fi

finish
