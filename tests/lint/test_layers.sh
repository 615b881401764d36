#!/usr/bin/env bash
# Self-test of tools/layers: a scratch tree with one violation of each kind
# the lint must see (and spellings it must leave alone); each expected line
# must be reported, and nothing else.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
layers="$here/../../tools/layers"
t=$(mktemp -d "${TMPDIR:-/tmp}/hvdoctor-layers.XXXXXX")
trap 'rm -rf "$t"' EXIT
mkdir -p "$t/lib/base" "$t/lib/checks" "$t/lib/render" "$t/tools" "$t/bench"

printf '#include <render/render_audit.h>\n' >"$t/lib/base/angle.c"
printf '# include "render/x.h"\n' >"$t/lib/base/spaced.c"
printf '#include <stdio.h>\n#include <krb5/krb5.h>\n#include <lib/render/x.h>\n' \
	>"$t/lib/checks/prefixed.c"
printf 'int hv_render_audit(const char *s,\n\tint n);\n' >"$t/lib/checks/bare.c"
printf '#include "base/x_internal.h"\n' >"$t/lib/checks/private.c"
printf '#include "x.h"\n' >"$t/lib/checks/nofolder.c"
# allowed: static prototypes (return type on its own line too), definitions
printf '_Static_assert(sizeof(int) >= 2,\n\t"int");\nstatic int\nf(int x);\nstatic int f(int x) { return x; }\nint\nhv_g(int x)\n{\n\treturn f(x);\n}\n' \
	>"$t/lib/checks/fine.c"
printf '#include "render/y.h"\n#include "base/z.h"\n' >"$t/lib/render/fine.c"

want=$(
	cat <<'W'
lib/base/angle.c:1: base/ includes "render/render_audit.h" from a later stage
lib/base/spaced.c:1: base/ includes "render/x.h" from a later stage
lib/checks/bare.c:1: declares hv_render_audit() itself; include the header that declares it
lib/checks/nofolder.c:1: include "x.h" without its folder
lib/checks/prefixed.c:3: checks/ includes "render/x.h" from a later stage
lib/checks/private.c:1: "base/x_internal.h" is private to base/
W
)
got=$("$layers" "$t" | sort)
rc=${PIPESTATUS[0]}
if [ "$got" = "$want" ] && [ "$rc" -eq 1 ]; then
	echo "1 passed, 0 failed"
	exit 0
fi
echo "tools/layers self-test: expected (exit 1):"
echo "$want"
echo "got (exit $rc):"
echo "$got"
echo "0 passed, 1 failed"
exit 1
