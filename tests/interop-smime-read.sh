#!/bin/bash
# interop-smime-read.sh -- S/MIME messages made by other implementations,
# opened by `cachet verify --format smime` and `cachet decrypt --format
# smime` with the right verdicts:
#   - openssl smime -sign (detached multipart/signed, and -nodetach
#     application/pkcs7-mime signed-data), openssl smime -encrypt,
#     openssl cms -sign / -encrypt with S/MIME output, and the triple wrap
#     (sign, encrypt, sign) made with them, checked in one call;
#   - gpgsm's CMS (detached and opaque signatures, encryption), put in the
#     MIME wrappers a gpgsm-based mail client writes (RFC 8551 sections
#     3.5.3 and 3.2), since gpgsm itself writes no MIME;
#   - a tampered copy of each signed message fails, and nothing is written
#     to -o then.
# The test PKI (vectors/pki) supplies every identity.  A missing openssl
# or gpgsm is a failure (cli-lib.sh `require`), not a skip.

. "$(dirname "$0")/cli-lib.sh"

require openssl gpgsm gpg-agent gpgconf

AT=2026-06-01
printf 'Content-Type: text/plain; charset=us-ascii\r\n\r\nInterop test from Alice\r\nsecond line\r\n' >body.txt

# vfy NAME FILE [ARGS...]: verify FILE as S/MIME, expect success and the
# body back.
vfy()
{
	local f=$1
	shift
	rm -f out.txt
	cachet verify --format smime -i "$f" -o out.txt --trust "$ROOT" --certs "$CHAIN" \
		--at "$AT" "$@" >rep.txt 2>&1 && grep -q "Interop test from Alice" out.txt
}
# bad FILE [ARGS...]: verification fails with exit 1 and writes nothing.
bad()
{
	local f=$1
	shift
	rm -f out.txt
	cachet verify --format smime -i "$f" -o out.txt --trust "$ROOT" --certs "$CHAIN" \
		--at "$AT" "$@" >rep.txt 2>&1
	local st=$?
	[ $st -eq 1 ] && [ ! -e out.txt ]
}
# tamper FILE OUT: change one letter of the body text.
tamper() { sed 's/Interop test from Alice/Interop test from Alicf/' "$1" >"$2"; }

A="-signer $PKI/alice.crt.pem -inkey $PKI/alice.key.pem -certfile $CHAIN"

# ---- openssl smime
ok "openssl smime -sign (detached multipart/signed) verifies" -- \
	eval 'openssl smime -sign -in body.txt $A -binary -out os-det.eml && vfy os-det.eml'
ok "the report names the multipart/signed layer and its micalg" -- \
	eval 'grep -q "layer 1: multipart/signed" rep.txt && grep -q "micalg: matches" rep.txt'
ok "openssl smime -sign, tampered: exit 1, no output" -- \
	eval 'tamper os-det.eml os-det-bad.eml && bad os-det-bad.eml'
ok "openssl smime -sign -nodetach (pkcs7-mime signed-data) verifies" -- \
	eval 'openssl smime -sign -nodetach -in body.txt $A -binary -out os-opq.eml && vfy os-opq.eml &&
		grep -q "layer 1: signed-data" rep.txt'
ok "openssl smime -encrypt (enveloped-data): cachet decrypt --format smime" -- \
	eval 'openssl smime -encrypt -aes256 -in body.txt -binary -out os-enc.eml $PKI/bob.crt.pem &&
		cachet decrypt --format smime -i os-enc.eml -o out.txt --cert $PKI/bob.crt.pem \
			--key $PKI/bob.key.pem && grep -q "Interop test from Alice" out.txt'
ok "openssl smime -encrypt, wrong key: exit 1, no output" -- \
	eval 'rm -f out.txt; rc_is 1 cachet decrypt --format smime -i os-enc.eml -o out.txt \
		--cert $PKI/alice.crt.pem --key $PKI/alice.key.pem; [ ! -e out.txt ]'
ok "verify --format smime of a message with no signed layer: exit 1 (CACHET_E_NOT_SIGNED)" -- \
	eval 'rc_is 1 cachet verify --format smime -i os-enc.eml --trust $ROOT --cert $PKI/bob.crt.pem \
		--key $PKI/bob.key.pem >rep.txt 2>&1 && grep -q CACHET_E_NOT_SIGNED rep.txt'

# ---- openssl cms with S/MIME output
ok "openssl cms -sign (S/MIME, detached) verifies" -- \
	eval 'openssl cms -sign -in body.txt $A -binary -outform SMIME -out cms-det.eml && vfy cms-det.eml'
ok "openssl cms -sign -nodetach (S/MIME) verifies" -- \
	eval 'openssl cms -sign -nodetach -in body.txt $A -binary -outform SMIME -out cms-opq.eml &&
		vfy cms-opq.eml'
ok "openssl cms -encrypt (S/MIME, AES-256-CBC) decrypts" -- \
	eval 'openssl cms -encrypt -aes256 -in body.txt -binary -outform SMIME -out cms-enc.eml \
		$PKI/bob.crt.pem && cachet decrypt --format smime -i cms-enc.eml -o out.txt \
		--cert $PKI/bob.crt.pem --key $PKI/bob.key.pem && grep -q "Interop test from Alice" out.txt'

# ---- the triple wrap (RFC 2634 section 1.1): signed, encrypted, signed
triple()
{
	openssl cms -sign -in body.txt $A -binary -outform SMIME -out t1.eml &&
	openssl cms -encrypt -aes256 -in t1.eml -binary -outform SMIME -out t2.eml $PKI/bob.crt.pem &&
	openssl cms -sign -in t2.eml $A -binary -outform SMIME -out t3.eml
}
ok "triple-wrapped (openssl cms): one cachet verify call checks all three layers" -- \
	eval 'triple && vfy t3.eml --cert $PKI/bob.crt.pem --key $PKI/bob.key.pem &&
		grep -q "layer 1: multipart/signed" rep.txt && grep -q "layer 2: enveloped-data" rep.txt &&
		grep -q "layer 3: multipart/signed" rep.txt && grep -q "^S/MIME message: 3 layers, OK" rep.txt'
ok "triple-wrapped: cachet decrypt --format smime --trust checks the inner signature" -- \
	eval 'rm -f out.txt; cachet decrypt --format smime -i t3.eml -o out.txt --cert $PKI/bob.crt.pem \
		--key $PKI/bob.key.pem --trust $ROOT --certs $CHAIN --at $AT &&
		grep -q "Interop test from Alice" out.txt'
ok "triple-wrapped without --trust: the signed layers fail, nothing written" -- \
	eval 'rm -f out.txt; rc_is 1 cachet decrypt --format smime -i t3.eml -o out.txt \
		--cert $PKI/bob.crt.pem --key $PKI/bob.key.pem; [ ! -e out.txt ]'
ok "triple-wrapped without a key: the encrypted layer is refused, nothing written" -- \
	eval 'rm -f out.txt; ! vfy t3.eml; [ ! -e out.txt ]'

# ---- gpgsm (unattended home as in tests/interop-gpgsm.sh)
. "$_cli_here/gpgsm-lib.sh"
fpr() { openssl x509 -in "$PKI/$1.crt.pem" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g'; }
gs_log() { cat "$TMP/gs.err" 2>/dev/null; }
ok "gpgsm home: agent, CAs, trust and Alice's key" -- \
	eval 'gpgconf --homedir "$GNUPGHOME" --launch gpg-agent &&
		gs --import "$PKI/root-ca.crt.pem" "$PKI/int-ca.crt.pem" &&
		printf "%s S\n" "$(fpr root-ca)" >"$GNUPGHOME/trustlist.txt" &&
		gs --import "$PKI/bob.crt.pem" &&
		gs_import_key alice || { gs_log; false; }'

# What a gpgsm-based mail client writes around gpgsm's base64 output.
gpgsm_msigned()
{
	gs -u alice@example.org --include-certs -1 --base64 --detach-sign -o g.sig body.txt || return 1
	{
		printf 'From: Alice <alice@example.org>\r\nMIME-Version: 1.0\r\n'
		printf 'Content-Type: multipart/signed; protocol="application/pkcs7-signature";'
		printf ' micalg=sha-256; boundary="=_gpgsm"\r\n\r\n--=_gpgsm\r\n'
		cat body.txt
		printf '\r\n--=_gpgsm\r\nContent-Type: application/pkcs7-signature; name=smime.p7s\r\n'
		printf 'Content-Transfer-Encoding: base64\r\n\r\n'
		tr -d '\r' <g.sig | sed 's/$/\r/'
		printf '\r\n--=_gpgsm--\r\n'
	} >g-det.eml
}
gpgsm_p7m()
{
	# $1: smime-type; the rest: the gpgsm operation
	local t=$1
	shift
	gs --base64 -o g.b64 "$@" body.txt || return 1
	{
		printf 'From: Alice <alice@example.org>\r\nMIME-Version: 1.0\r\n'
		printf 'Content-Type: application/pkcs7-mime; smime-type=%s; name=smime.p7m\r\n' "$t"
		printf 'Content-Transfer-Encoding: base64\r\n\r\n'
		tr -d '\r' <g.b64 | sed 's/$/\r/'
	} >g-$t.eml
}
ok "gpgsm --detach-sign in multipart/signed verifies" -- \
	eval 'gpgsm_msigned && vfy g-det.eml && grep -q "From <alice@example.org> matches" rep.txt'
ok "gpgsm --detach-sign, tampered: exit 1, no output" -- \
	eval 'tamper g-det.eml g-det-bad.eml && bad g-det-bad.eml'
ok "gpgsm --sign (opaque) as pkcs7-mime signed-data verifies" -- \
	eval 'gpgsm_p7m signed-data -u alice@example.org --include-certs -1 --sign && vfy g-signed-data.eml'
ok "gpgsm --encrypt as pkcs7-mime enveloped-data decrypts" -- \
	eval 'gpgsm_p7m enveloped-data -r bob@example.org --encrypt &&
		cachet decrypt --format smime -i g-enveloped-data.eml -o out.txt --cert $PKI/bob.crt.pem \
			--key $PKI/bob.key.pem && grep -q "Interop test from Alice" out.txt'
ok "gpgsm home: gpgconf --kill all stops its agent" -- \
	gpgconf --homedir "$GNUPGHOME" --kill all
done_testing
