#!/bin/sh
# regenerate.sh -- remake the peer-made messages of this directory with the
# installed peers (conformance/interop.py --save), after checking each one
# opens with cachet.  Run from anywhere in a built tree:
#   vectors/interop/regenerate.sh [path/to/cachet]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cachet=${1:-$top/src/cachet}
for d in "$here"/*/; do
	[ "$(basename "$d")" = pki ] && continue
	rm -rf "$d"
done
python3 "$top/conformance/interop.py" --cachet "$cachet" --srcdir "$top" \
	--require-peers --save "$here"
