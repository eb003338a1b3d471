#!/bin/sh
# bootstrap.sh -- from a fresh Debian 12 machine to a built Cachet and the
# demo: installs what is missing (as root; otherwise prints the apt-get
# line and stops), runs autoreconf, configure and make, then `cachet demo`.
set -eu
cd "$(dirname "$0")"

# Build dependencies and the peers the test suite and `make interop` run
# against (Java and Bouncy Castle for the matrix's BouncyCastle peer).
PKGS="build-essential autoconf automake libtool pkg-config libgnutls28-dev
nettle-dev libgmp-dev libtasn1-6-dev libtasn1-bin zlib1g-dev
openssl gnutls-bin libnss3-tools gpgsm valgrind time python3
softhsm2 p11-kit default-jdk-headless libbcpkix-java"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "Missing packages. Run as root, or install them first:"
		echo "  apt-get install -y$missing"
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq $missing
fi

if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ]; then
	autoreconf -fi
fi
if [ ! -f Makefile ] || [ configure -nt config.status ]; then
	./configure ${CONFIGURE_FLAGS:-}
fi
make -j"$(nproc)"
src/cachet demo
