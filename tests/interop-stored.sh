#!/bin/bash
# interop-stored.sh -- the peer-made half of the interop matrix without the
# peers: cachet opens every message in vectors/interop/PEER/ (made there by
# `conformance/interop.py --save`, see vectors/interop/README) and must
# give back the content; the cases a peer lacks (vectors/interop/PEER/LACKS)
# are TAP comments.  `make interop` runs the live matrix.
. "$(dirname "$0")/cli-lib.sh"

require python3
"${CONFORMANCE_PY:-python3}" "$top_srcdir/conformance/interop.py" --cachet "$CACHET" \
	--srcdir "$top_srcdir" --pki "$PKI" --stored-only --tap
