#!/bin/sh
# bench.sh -- Cachet and `openssl cms` side by side, plus Nettle's SHA-256
# ceiling and the in-process small-message figures.
#
# Run through `make bench`, or by hand from a built tree:
#   CACHET=src/cachet PKI=vectors/pki NETTLE_CEILING=bench/nettle-ceiling \
#   BENCH_INPROC=bench/bench-inproc sh bench/bench.sh
#
# Environment: BENCH_SIZES, CACHET_BENCH_QUICK, BENCH_REPEAT, BENCH_TMPDIR,
# OPENSSL (see bench/common.sh), and
#   BENCH_INPROC_SECONDS  seconds per in-process figure (default 2)
#
# For each size: sign and verify, with RSA-2048 (alice) and P-256 (carol),
# SHA-256, encapsulated and detached.  Both tools put the signer's
# certificate and the chain (intermediate and root) into the message and
# verify against the root alone; OpenSSL signs with -stream (its
# low-memory mode) and verifies its own messages, Cachet its own.  Each figure is one process run
# (the best of BENCH_REPEAT for small inputs): wall time from the shell,
# peak RSS from GNU time (%M, KiB).  MB/s is 10^6 bytes of content per
# second.  Output is markdown on stdout; progress goes to stderr.
set -eu

BENCH_INPROC=${BENCH_INPROC:-bench/bench-inproc}
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
check_tools bench.sh "$CACHET" "$NETTLE_CEILING" "$BENCH_INPROC"

echo "Measuring Nettle's SHA-256 ceiling..." >&2
ceiling=$("$NETTLE_CEILING" 64 5)

cat <<EOF
## Cachet and openssl cms, one process per operation

Date: $(date -u +%Y-%m-%dT%H:%MZ).
Machine: $(uname -srm), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //') ($(nproc) CPUs).
Cachet $("$CACHET" --version 2>/dev/null | head -n 1 || echo '?'); $("$OPENSSL" version).
Content is random bytes from a file; outputs go to files in the same directory.

| size | key | form | op | Cachet MB/s | OpenSSL MB/s | Cachet/OpenSSL | Cachet ms | OpenSSL ms | Cachet RSS KiB | OpenSSL RSS KiB |
| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
EOF

largest=0
for size in $BENCH_SIZES; do
	[ "$size" -gt "$largest" ] && largest=$size
done

for size in $BENCH_SIZES; do
	echo "Making a $(human "$size") input..." >&2
	head -c "$size" /dev/urandom >"$work/in"
	reps=1
	[ "$size" -lt 1048576 ] && reps=$BENCH_REPEAT
	for who in alice carol; do
		case $who in alice) key=RSA-2048 ;; *) key=P-256 ;; esac
		crt=$PKI/$who.crt.pem
		k=$PKI/$who.key.pem
		for form in encapsulated detached; do
			echo "  $(human "$size") $key $form" >&2
			if [ $form = detached ]; then
				c_det="--detached" o_det="" c_con="--content $work/in" o_con="-content $work/in"
			else
				c_det="" o_det="-nodetach" c_con="" o_con=""
			fi
			# shellcheck disable=SC2086
			timed cs "$reps" "$CACHET" sign --format der -i "$work/in" -o "$work/c.p7m" \
				--signer "$crt" --key "$k" --chain "$PKI/chain.pem" \
				--digest sha256 $c_det
			# shellcheck disable=SC2086
			timed os "$reps" "$OPENSSL" cms -sign -binary -stream -md sha256 \
				-in "$work/in" -outform DER -out "$work/o.p7m" \
				-signer "$crt" -inkey "$k" -certfile "$PKI/chain.pem" $o_det
			# shellcheck disable=SC2086
			timed cv "$reps" "$CACHET" verify -i "$work/c.p7m" $c_con \
				--trust "$PKI/root-ca.crt.pem"
			# shellcheck disable=SC2086
			timed ov "$reps" "$OPENSSL" cms -verify -binary -inform DER \
				-in "$work/o.p7m" $o_con -CAfile "$PKI/root-ca.crt.pem" \
				-out /dev/null
			if [ "$size" = "$largest" ]; then
				# The ceiling comparison: Nettle's SHA-256 rate measured
				# right before and after, since this VM's speed drifts
				# by up to 30% between minutes; signing writes to
				# /dev/null so the figure is Cachet's, not the disk's.
				ca=$(best_ceiling)
				# shellcheck disable=SC2086
				timed cn 3 "$CACHET" sign --format der -i "$work/in" -o /dev/null \
					--signer "$crt" --key "$k" --chain "$PKI/chain.pem" \
					--digest sha256 $c_det
				# shellcheck disable=SC2086
				timed cw 3 "$CACHET" verify -i "$work/c.p7m" $c_con \
					--trust "$PKI/root-ca.crt.pem"
				cb=$(best_ceiling)
				ceil=$(awk -v a="$ca" -v b="$cb" 'BEGIN { printf "%.1f", (a + b) / 2 }')
				eval "N_${who}_${form}_s=\$(mbs \"\$size\" \"\$T_cn\")"
				eval "N_${who}_${form}_v=\$(mbs \"\$size\" \"\$T_cw\")"
				eval "C_${who}_${form}=\$ceil"
			fi
			rm -f "$work/c.p7m" "$work/o.p7m"
			for op in s v; do
				eval "tc=\$T_c$op tn=\$T_o$op mc=\$M_c$op mn=\$M_o$op"
				c=$(mbs "$size" "$tc")
				o=$(mbs "$size" "$tn")
				[ $op = s ] && opname=sign || opname=verify
				echo "| $(human "$size") | $key | $form | $opname | $c | $o | $(speedup "$size" "$tc" "$tn") | $(ms "$tc") | $(ms "$tn") | $mc | $mn |"
				if [ "$size" = "$largest" ]; then
					eval "L_${who}_${form}_$op=\$c"
				fi
			done
		done
	done
	rm -f "$work/in"
done

cat <<EOF

## Against Nettle's SHA-256 ceiling

Nettle SHA-256 over a 64 MiB buffer in 64 KiB updates: **$ceiling MB/s** at
the start of the run.  Because this machine's speed drifts, each row below
is compared with the ceiling measured just before and just after it (their
mean is the "ceiling" column); both sides are the best of three runs.
Cachet on the largest input ($(human "$largest")), whole process, signing
to /dev/null:

| key | form | op | Cachet MB/s | ceiling MB/s | of ceiling (target >= 90%) |
| --- | --- | --- | ---: | ---: | ---: |
EOF
for who in alice carol; do
	case $who in alice) key=RSA-2048 ;; *) key=P-256 ;; esac
	for form in encapsulated detached; do
		eval "ceil=\${C_${who}_${form}:-0}"
		for op in s v; do
			eval "c=\${N_${who}_${form}_$op:-FAIL}"
			[ $op = s ] && opname=sign || opname=verify
			echo "| $key | $form | $opname | $c | $ceil | $(ratio "$c" "$ceil") |"
		done
	done
done

echo
echo "## In process (public API against raw Nettle)"
echo
echo "Running the in-process loop..." >&2
"$BENCH_INPROC" "$PKI" "${BENCH_INPROC_SECONDS:-2}"
