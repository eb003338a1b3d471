#!/bin/sh
# bench-enc.sh -- Cachet and `openssl cms` encrypting and decrypting side
# by side, against Nettle's raw AES-128-GCM and AES-256-CBC throughput.
#
# Run through `make bench` (after bench.sh) or `make bench-enc`, or by
# hand from a built tree:
#   CACHET=src/cachet PKI=vectors/pki NETTLE_CEILING=bench/nettle-ceiling \
#   sh bench/bench-enc.sh
#
# Environment: BENCH_SIZES, CACHET_BENCH_QUICK, BENCH_REPEAT, BENCH_TMPDIR,
# OPENSSL (see bench/common.sh), and
#   BENCH_RECIPIENTS  recipients to run (default "alice carol"): alice is
#                     RSA-2048 key transport (PKCS #1 v1.5), carol P-256
#                     ECDH key agreement; "key" adds EncryptedData under a
#                     fixed content key (CBC only: no key transport at all)
#   BENCH_CIPHERS     default "aes-128-gcm aes-256-cbc"
#   BENCH_CEILING_MIN inputs of at least this many bytes also get the
#                     ceiling comparison (default 67108864)
#   BENCH_CEILING_RUNS Cachet runs per ceiling row, the best kept
#                     (default 5: on a shared virtual machine single runs
#                     stray by 20% and more)
#
# For each size, recipient and cipher: encrypt, then decrypt what was
# encrypted.  AES-128-GCM makes AuthEnvelopedData, AES-256-CBC
# EnvelopedData.  Both tools use RSA PKCS #1 v1.5 key transport for alice
# and dhSinglePass-stdDH-sha256kdf-scheme with AES key wrap for carol.  OpenSSL encrypts with -stream (its low-memory mode) and
# decrypts its own messages, Cachet its own; each decrypted output is
# compared with the input (a mismatch is reported as BAD).  Each figure is
# one process run (the best of BENCH_REPEAT for small inputs) writing to a
# file: wall time from the shell, peak RSS from GNU time (%M, KiB).  MB/s
# is 10^6 bytes of content (plaintext) per second.
#
# The ceiling comparison repeats Cachet's runs writing to /dev/null (best
# of BENCH_CEILING_RUNS), with Nettle's raw rate for the same cipher and direction
# measured right before and right after (best of three each, their mean is
# the ceiling), as bench.sh does for SHA-256.  Output is markdown on
# stdout; progress goes to stderr.

# Variables set through eval (T_*, M_*, R_*) are invisible to shellcheck.
# shellcheck disable=SC2154
set -eu

# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
check_tools bench-enc.sh "$CACHET" "$NETTLE_CEILING"
BENCH_RECIPIENTS=${BENCH_RECIPIENTS:-alice carol}
BENCH_CIPHERS=${BENCH_CIPHERS:-aes-128-gcm aes-256-cbc}
BENCH_CEILING_MIN=${BENCH_CEILING_MIN:-67108864}
BENCH_CEILING_RUNS=${BENCH_CEILING_RUNS:-5}
# EncryptedData's content key (the "key" recipient), 32 octets.
CEK=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
MIB=1048576

# Cachet must be able to encrypt to a certificate; say so plainly if not.
head -c 16 /dev/urandom >"$work/probe"
for who in $BENCH_RECIPIENTS; do
	[ "$who" = key ] && continue
	if ! "$CACHET" encrypt --format der -i "$work/probe" -o "$work/probe.p7m" \
		--to "$PKI/$who.crt.pem" 2>"$work/err.out"; then
		echo "bench-enc.sh: this cachet cannot encrypt to $who; its rows will read FAIL:" >&2
		sed 's/^/  /' "$work/err.out" >&2
	fi
done
rm -f "$work/probe" "$work/probe.p7m"

echo "Measuring Nettle's cipher ceilings..." >&2
for alg in aes128-gcm-enc aes128-gcm-dec aes256-cbc-enc aes256-cbc-enc-generic aes256-cbc-dec; do
	eval "R_$(echo "$alg" | tr - _)=\$(\"\$NETTLE_CEILING\" 64 5 \"\$alg\")"
done

cat <<EOF
## Encryption: Cachet and openssl cms, one process per operation

Date: $(date -u +%Y-%m-%dT%H:%MZ).
Machine: $(uname -srm), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //') ($(nproc) CPUs).
Cachet $("$CACHET" --version 2>/dev/null | head -n 1 || echo '?'); $("$OPENSSL" version).
Load average at the start (1, 5, 15 min): $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?').
Content is random bytes from a file; outputs go to files in the same directory.

| size | recipient | cipher | op | Cachet MB/s | OpenSSL MB/s | Cachet/OpenSSL | Cachet ms | OpenSSL ms | Cachet RSS KiB | OpenSSL RSS KiB |
| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
EOF

# The ceiling rows are collected here and printed after the main table.
: >"$work/ceiling.md"
max_rss=0 # Cachet's highest peak RSS on the largest input
largest=0
for size in $BENCH_SIZES; do
	[ "$size" -gt "$largest" ] && largest=$size
done

# same NAME FILE: "" when FILE holds the input, else " (BAD)" and a note.
same() {
	if cmp -s "$work/in" "$2"; then
		echo ""
	else
		echo "bench-enc.sh: $1: the decrypted output differs from the input" >&2
		echo " (BAD)"
	fi
}

# ceiling_row OP BEFORE AFTER SECONDS RSS READ: one row of the ceiling table
# (uses size, rname and cipher).
ceiling_row() {
	ceil=$(awk -v a="$2" -v b="$3" 'BEGIN { printf "%.1f", (a + b) / 2 }')
	c=$(mbs "$size" "$4")
	echo "| $(human "$size") | $rname | $cipher | $1 | $c | $2 / $3 | $ceil | $(ratio "$c" "$ceil") | $6 | $5 |" >>"$work/ceiling.md"
}

for size in $BENCH_SIZES; do
	echo "Making a $(human "$size") input..." >&2
	head -c "$size" /dev/urandom >"$work/in"
	reps=1
	[ "$size" -lt "$MIB" ] && reps=$BENCH_REPEAT
	for who in $BENCH_RECIPIENTS; do
		crt=$PKI/$who.crt.pem
		k=$PKI/$who.key.pem
		case $who in
		alice) rname=RSA-2048 ;;
		carol) rname=P-256 ;;
		key) rname="content key" ;;
		*) rname=$who ;;
		esac
		for cipher in $BENCH_CIPHERS; do
			case $who/$cipher in key/*-gcm | key/chacha*) continue ;; esac
			case $cipher in
			aes-128-gcm) o_cipher=-aes-128-gcm nalg=aes128-gcm ;;
			aes-256-cbc) o_cipher=-aes256 nalg=aes256-cbc ;;
			*) echo "bench-enc.sh: no ceiling for $cipher" >&2; exit 1 ;;
			esac
			echo "  $(human "$size") $rname $cipher" >&2
			if [ "$who" = key ]; then
				c_enc="--content-key $CEK --cipher $cipher"
				c_dec="--content-key $CEK"
				o_enc="-EncryptedData_encrypt -secretkey $CEK $o_cipher"
				o_dec="-EncryptedData_decrypt -secretkey $CEK"
				o_to=""
			else
				c_enc="--to $crt --cipher $cipher"
				c_dec="--cert $crt --key $k"
				o_enc="-encrypt -stream $o_cipher"
				o_dec="-decrypt -recip $crt -inkey $k"
				o_to="-recip $crt"
				# OpenSSL's default for EC is the SHA-1 KDF, which
				# Cachet reads only under its legacy policy; ask for
				# the SHA-256 KDF that Cachet writes.
				[ "$who" = carol ] && o_to="$o_to -keyopt ecdh_kdf_md:sha256"
			fi
			# shellcheck disable=SC2086
			timed ce "$reps" "$CACHET" encrypt --format der -i "$work/in" -o "$work/c.p7m" $c_enc
			# shellcheck disable=SC2086
			timed oe "$reps" "$OPENSSL" cms $o_enc -binary -in "$work/in" \
				-outform DER -out "$work/o.p7m" $o_to
			# shellcheck disable=SC2086
			timed cd "$reps" "$CACHET" decrypt -i "$work/c.p7m" -o "$work/c.out" $c_dec
			# shellcheck disable=SC2086
			timed od "$reps" "$OPENSSL" cms $o_dec -binary -inform DER \
				-in "$work/o.p7m" -out "$work/o.out"
			bad_c="" bad_o=""
			[ "$T_cd" = FAIL ] || bad_c=$(same "Cachet $rname $cipher" "$work/c.out")
			[ "$T_od" = FAIL ] || bad_o=$(same "OpenSSL $rname $cipher" "$work/o.out")
			rm -f "$work/o.p7m" "$work/c.out" "$work/o.out"

			if [ "$size" -ge "$BENCH_CEILING_MIN" ] && [ "$T_cd" != FAIL ]; then
				# Whole process against the raw cipher, measured just
				# before and after; output to /dev/null so that the
				# figure is Cachet's, not the disk's.
				ea=$(best_ceiling "$nalg-enc")
				da=$(best_ceiling "$nalg-dec")
				# shellcheck disable=SC2086
				timed cen "$BENCH_CEILING_RUNS" "$CACHET" encrypt --format der -i "$work/in" -o /dev/null $c_enc
				# shellcheck disable=SC2086
				timed cdn "$BENCH_CEILING_RUNS" "$CACHET" decrypt -i "$work/c.p7m" -o /dev/null $c_dec
				eb=$(best_ceiling "$nalg-enc")
				db=$(best_ceiling "$nalg-dec")
				# For scale: the same files merely read (cat to
				# /dev/null), the floor under any reader's time.
				timed re 3 cat "$work/in"
				timed rd 3 cat "$work/c.p7m"
				R_enc=$(mbs "$size" "$T_re") R_dec=$(mbs "$size" "$T_rd")
				ceiling_row encrypt "$ea" "$eb" "$T_cen" "$M_cen" "$R_enc"
				ceiling_row decrypt "$da" "$db" "$T_cdn" "$M_cdn" "$R_dec"
			fi
			rm -f "$work/c.p7m"

			for op in e d; do
				eval "tc=\$T_c$op tn=\$T_o$op mc=\$M_c$op mn=\$M_o$op"
				if [ $op = e ]; then opname=encrypt bc="" bo=""; else opname=decrypt bc=$bad_c bo=$bad_o; fi
				echo "| $(human "$size") | $rname | $cipher | $opname | $(mbs "$size" "$tc")$bc | $(mbs "$size" "$tn")$bo | $(speedup "$size" "$tc" "$tn") | $(ms "$tc") | $(ms "$tn") | $mc | $mn |"
				if [ "$size" = "$largest" ] && [ "$mc" -gt "$max_rss" ]; then
					max_rss=$mc
				fi
			done
		done
	done
	rm -f "$work/in"
done

cat <<EOF

## Encryption against Nettle's raw cipher

Nettle over a 64 MiB buffer in 64 KiB steps into a 64 KiB output buffer
(bench/nettle-ceiling), best of five, at the start of the run, MB/s:

| cipher | encrypt | decrypt |
| --- | ---: | ---: |
| AES-128-GCM (gcm_aes128_*) | $R_aes128_gcm_enc | $R_aes128_gcm_dec |
| AES-256-CBC (cbc_aes256_encrypt; cbc_decrypt) | $R_aes256_cbc_enc | $R_aes256_cbc_dec |
| AES-256-CBC, generic cbc_encrypt(aes256_encrypt) | $R_aes256_cbc_enc_generic | |

Each row below is Cachet's whole process (key transport or agreement,
parsing, streaming, output to /dev/null), best of $BENCH_CEILING_RUNS, against the
ceiling for its cipher and direction measured just before and just after
it ("before / after"; their mean is the "ceiling" column).  For scale,
"cat MB/s" is the rate of merely reading the same input file to /dev/null
(best of three): a process that reads a file cannot beat it by much.

| size | recipient | cipher | op | Cachet MB/s | before / after MB/s | ceiling MB/s | of ceiling (target >= 90%) | cat MB/s | Cachet RSS KiB |
| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |
EOF
cat "$work/ceiling.md"

echo
echo "Load average at the end (1, 5, 15 min): $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')."
echo "Peak RSS of Cachet on the largest input ($(human "$largest")): $max_rss KiB, at most, over all rows (target < 32768 KiB)."
