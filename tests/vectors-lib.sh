# vectors-lib.sh -- sourced by the third-party vector tests
# (tests/vectors-enveloped.sh, tests/vectors-smime.sh).  They set VEC (the
# vectors directory), MANIFEST, PKI, ENVUTIL, tmp (a scratch directory)
# and n (the current test number) before calling these.
# shellcheck shell=sh

manifest_expected()
{
	awk -F '\t' -v p="$1" '$1 == p { print $7; exit }' "$MANIFEST"
}

# p12_pairs FILE PASS: "--cert CRT --key KEY" for every pair in FILE.
p12_pairs()
{
	src=$VEC/$1
	if grep -q -e '-----BEGIN PKCS12' "$src" 2>/dev/null; then
		sed '1d;$d' "$src" | base64 -d > "$tmp/p12-$n.der" || return 1
		src=$tmp/p12-$n.der
	fi
	openssl pkcs12 -in "$src" -passin "pass:$2" -nodes \
		-out "$tmp/p12-$n.pem" 2> /dev/null ||
	openssl pkcs12 -legacy -in "$src" -passin "pass:$2" -nodes \
		-out "$tmp/p12-$n.pem" 2> "$tmp/p12err" || {
		cat "$tmp/p12err" >&2
		return 1
	}
	python3 "$ENVUTIL" pem-bags "$tmp/p12-$n.pem" "$tmp/p12-$n" |
		while read -r c k; do printf -- '--cert %s --key %s ' "$c" "$k"; done
}

# path_arg VALUE: a vectors-relative path, PKI/NAME, or PW:TEXT.
path_arg()
{
	case $1 in
	PKI/*) echo "$PKI/${1#PKI/}" ;;
	PW:*) printf '%s' "${1#PW:}" > "$tmp/pw-$n"; echo "$tmp/pw-$n" ;;
	*) echo "$VEC/$1" ;;
	esac
}

# in_list VALUE A|B|...: VALUE is one of the alternatives.
in_list()
{
	echo "$2" | tr '|' '\n' | grep -qx -e "$1"
}

# check_expect SPEC OUT: the ";"-separated checks of the expect column.
check_expect()
{
	spec=$1
	out=$2
	fails=
	old_ifs=$IFS
	IFS=';'
	set -- $spec
	IFS=$old_ifs
	for c in "$@"; do
		case $c in
		-) ;;
		file:*)
			cmp -s "$out" "$VEC/${c#file:}" ||
				fails="$fails; output differs from ${c#file:}" ;;
		crlf-file:*)
			sed 's/$/\r/' "$VEC/${c#crlf-file:}" > "$tmp/exp"
			cmp -s "$out" "$tmp/exp" ||
				fails="$fails; output differs from ${c#crlf-file:} with CR LF" ;;
		nocr-file:*)
			tr -d '\r' < "$out" > "$tmp/got-nocr"
			tr -d '\r' < "$VEC/${c#nocr-file:}" > "$tmp/exp"
			cmp -s "$tmp/got-nocr" "$tmp/exp" ||
				fails="$fails; output differs from ${c#nocr-file:} (CRs removed)" ;;
		bytes:*)
			printf '%b' "${c#bytes:}" > "$tmp/exp"
			cmp -s "$out" "$tmp/exp" ||
				fails="$fails; output is not '${c#bytes:}'" ;;
		has:*)
			grep -qF -e "${c#has:}" "$out" ||
				fails="$fails; output lacks '${c#has:}'" ;;
		report:*)
			grep -qF -e "${c#report:}" "$tmp/report" ||
				fails="$fails; report lacks '${c#report:}'" ;;
		part:*)
			pt=`echo "${c#part:}" | sed 's/=.*//'`
			want=`echo "${c#part:}" | sed 's/.*=//'`
			if python3 "$ENVUTIL" mime "$out" "$tmp/part.der" "$pt" 2> /dev/null; then
				got=`python3 "$ENVUTIL" ctype "$tmp/part.der"`
				test "$got" = "$want" ||
					fails="$fails; the $pt part is a $got, not a $want"
			else
				fails="$fails; no $pt part in the output"
			fi ;;
		*) fails="$fails; unknown check '$c'" ;;
		esac
	done
	echo "$fails" | sed 's/^; //'
}

