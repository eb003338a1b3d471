#!/bin/bash
# smime-hp.sh -- header protection (RFC 9788; the protected-headers="v1"
# draft before it; the message/rfc822 wrapping of RFC 8551 section 3.1):
#   - producing: `cachet sign --protect-headers` copies the header fields
#     into the signed part with hp="clear"; `--protect-headers=cipher`
#     and `cachet encrypt --protect-headers` write hp="cipher", HP-Outer
#     records and the Subject "[...]" outside; trace fields stay out; an
#     hp the input had is replaced; refusals (already signed, no header,
#     not --format smime) are usage errors that leave no file;
#   - the peers read what was protected: `openssl cms -verify` and
#     `openssl cms -decrypt` give back the inner entity with the
#     protected fields;
#   - reading: the report lists every protected field and how the outer
#     header shows it (same, obscured, removed, altered, absent), in text
#     and JSON; outer fields changed, added or removed after sending are
#     findings; hp="cipher" without encryption, and no signed layer, are
#     findings; the From compared with the signer is the protected one;
#     a message/rfc822 wrapper is read as protection too;
#   - the From check (RFC 8550 section 3) looks at every address of the
#     signer certificate (each rfc822Name, SmtpUTF8Mailbox of RFC 8398,
#     emailAddress in the subject); a local part that differs only in
#     case is said so;
#   - RFC 7508: `cachet sign --secure-headers` signs the header fields in
#     a SecureHeaderFields attribute; verify compares them with the
#     message header (relaxed), a changed field fails the layer with
#     CACHET_E_ATTR_MISMATCH and releases nothing, refolding does not;
#     with hp="cipher" the obscured Subject is "modified"; openssl
#     ignores the attribute.
# Needs openssl and python3; a missing one is a failure.
. "$(dirname "$0")/cli-lib.sh"

require openssl python3 certtool

AT=2026-06-01
A_CRT=$PKI/alice.crt.pem
A_KEY=$PKI/alice.key.pem
B_CRT=$PKI/bob.crt.pem
B_KEY=$PKI/bob.key.pem

printf '%s\r\n' "Received: from relay.example.org by mx.example.org" \
	"From: Alice <alice@example.org>" "To: Bob <bob@example.org>" \
	"Subject: The quarterly numbers" "Date: Tue, 24 Nov 2026 00:10:00 +0000" \
	"Message-ID: <hp-1@example.org>" "Content-Type: text/plain; charset=us-ascii" \
	"" "Bob, the numbers are in." >msg.eml

# part FILE: the header of the first part of a multipart/signed FILE, or
# of the entity FILE itself when it is not one (python3, no MIME library).
cat >part.py <<'EOF'
import re, sys
msg = open(sys.argv[1], "rb").read().replace(b"\r\n", b"\n")
head, _, body = msg.partition(b"\n\n")
m = re.search(rb'boundary="?([^";\s]+)"?', re.sub(rb"\n[ \t]+", b" ", head))
if m and b"multipart/signed" in head:
    first = body.split(b"\n--" + m.group(1))[1]
    if first.startswith(b"--"):
        first = body.split(b"--" + m.group(1))[1]
    head = first.lstrip(b"\n").partition(b"\n\n")[0]
sys.stdout.buffer.write(re.sub(rb"\n[ \t]+", b" ", head) + b"\n")
EOF
part() { python3 part.py "$1"; }
# outer FILE: the message's own header, unfolded.
outer() { python3 -c 'import re,sys; m=open(sys.argv[1],"rb").read().replace(b"\r\n",b"\n"); sys.stdout.buffer.write(re.sub(rb"\n[ \t]+",b" ",m.partition(b"\n\n")[0])+b"\n")' "$1"; }

vfy() { # vfy FILE REPORT [ARGS...]: verify --format smime, report to REPORT
	local f=$1 r=$2
	shift 2
	cachet verify --format smime -i "$f" -o inner.out --trust "$ROOT" --certs "$CHAIN" \
		--at "$AT" "$@" >"$r" 2>&1
}

# ---------------------------------------------------------------- sign, hp="clear"
ok "sign --protect-headers writes multipart/signed" -- \
	cachet sign --format smime --protect-headers -i msg.eml -o s-clear.eml \
		--signer "$A_CRT" --key "$A_KEY" --chain "$CHAIN" --signing-time 2026-05-01T00:00:00Z
ok "the signed part's Content-Type has hp=clear, the charset kept" -- \
	eval 'part s-clear.eml | grep -Eq "^Content-Type: text/plain; charset=us-ascii; hp=\"?clear\"?$"'
ok "the signed part carries From, To, Subject, Date and Message-ID as written" -- \
	eval 'part s-clear.eml >p.txt &&
		grep -qx "From: Alice <alice@example.org>" p.txt &&
		grep -qx "To: Bob <bob@example.org>" p.txt &&
		grep -qx "Subject: The quarterly numbers" p.txt &&
		grep -qx "Date: Tue, 24 Nov 2026 00:10:00 +0000" p.txt &&
		grep -qx "Message-ID: <hp-1@example.org>" p.txt'
ok "the trace field Received stays outside, and hp=clear has no HP-Outer" -- \
	eval '! part s-clear.eml | grep -Eqi "^(Received|HP-Outer):" &&
		outer s-clear.eml | grep -q "^Received: "'
ok "the outer Subject is left as it was (hp=clear hides nothing)" -- \
	eval 'outer s-clear.eml | grep -qx "Subject: The quarterly numbers"'
ok "openssl cms -verify accepts it and gives back the protected fields" -- \
	eval 'openssl cms -verify -in s-clear.eml -CAfile "$ROOT" -certfile "$CHAIN" \
		-attime 1780272000 -out o.txt 2>/dev/null &&
		grep -q "^Subject: The quarterly numbers" o.txt && grep -q "hp=" o.txt'
ok "cachet verify reports RFC 9788 hp=clear, every field the same outside" -- \
	eval 'vfy s-clear.eml r.txt &&
		grep -q "^header protection: RFC 9788, hp=\"clear\", 5 protected fields" r.txt &&
		[ "$(grep -c "\[same\]$" r.txt)" -eq 5 ] && ! grep -q "altered\|absent" r.txt'
ok "the From compared with the signer is the protected one" -- \
	grep -q "protected From <alice@example.org> matches the signer certificate" r.txt

# JSON: the fields and their states.
cachet verify --format smime --json -i s-clear.eml -o /dev/null --trust "$ROOT" \
	--certs "$CHAIN" --at "$AT" >r.json 2>/dev/null
ok "JSON: header_protection names the scheme, hp and each field's state" -- \
	python3 -c '
import json, sys
j = json.load(open("r.json"))
hp = j["header_protection"]
assert hp["scheme"] == "RFC 9788" and hp["hp"] == "clear", hp
names = [f["name"] for f in hp["fields"]]
assert names == ["From", "To", "Subject", "Date", "Message-ID"], names
assert all(f["state"] == "same" and f["outer"] == f["value"] for f in hp["fields"])
assert hp["legacy_display"] is False'

# The outer header is not signed: change it after sending.
# (GNU sed's 0,/RE/ form: the first occurrence only, the outer header's.)
sed '0,/^Subject: The quarterly numbers\r$/s//Subject: Pay Eve today\r/; 0,/^From: Alice <alice@example.org>\r$/s//From: Eve <eve@example.org>\r/' \
	s-clear.eml >s-tampered.eml
ok "an outer Subject and From changed after signing: the signature still holds" -- \
	vfy s-tampered.eml r2.txt
ok "... and the report marks both altered, with the sender's values" -- \
	eval 'grep -q "Subject: The quarterly numbers \[altered outside: \"Pay Eve today\"\]" r2.txt &&
		grep -q "From outside is \"Eve <eve@example.org>\" but the sender wrote \"Alice <alice@example.org>\"" r2.txt'
ok "... and the signer is matched against the protected From, not Eve's" -- \
	eval 'grep -q "protected From <alice@example.org> matches" r2.txt'
ok "JSON: the altered field's state and outer value" -- \
	eval 'cachet verify --format smime --json -i s-tampered.eml -o /dev/null --trust "$ROOT" \
		--certs "$CHAIN" --at "$AT" >r2.json 2>/dev/null;
		python3 -c "
import json
f = {x[\"name\"]: x for x in json.load(open(\"r2.json\"))[\"header_protection\"][\"fields\"]}
assert f[\"Subject\"][\"state\"] == \"altered\" and f[\"Subject\"][\"outer\"] == \"Pay Eve today\"
assert f[\"To\"][\"state\"] == \"same\""'

# ---------------------------------------------------------------- encrypt, hp="cipher"
ok "encrypt --protect-headers writes application/pkcs7-mime" -- \
	cachet encrypt --format smime --protect-headers -i msg.eml -o e.eml --to "$B_CRT"
ok "outside, the Subject is [...]; From, To, Date, Message-ID stay" -- \
	eval 'outer e.eml >o.txt && grep -qx "Subject: \[...\]" o.txt &&
		grep -qx "From: Alice <alice@example.org>" o.txt && grep -qx "To: Bob <bob@example.org>" o.txt'
ok "openssl cms -decrypt gives the payload: hp=cipher, the real Subject, HP-Outer" -- \
	eval 'openssl cms -decrypt -in e.eml -recip "$B_CRT" -inkey "$B_KEY" -out d.txt 2>/dev/null &&
		outer d.txt >dh.txt && grep -Eq "^Content-Type: .*hp=\"?cipher\"?" dh.txt &&
		grep -qx "Subject: The quarterly numbers" dh.txt &&
		grep -qx "HP-Outer: Subject: \[...\]" dh.txt &&
		grep -qx "HP-Outer: From: Alice <alice@example.org>" dh.txt &&
		grep -qx "HP-Outer: Received: from relay.example.org by mx.example.org" dh.txt &&
		! grep -q "^Received:" dh.txt'
ok "cachet decrypt reports the Subject obscured and the rest the same" -- \
	eval 'cachet decrypt --format smime -v -i e.eml -o d2.txt --cert "$B_CRT" --key "$B_KEY" \
		--trust "$ROOT" >r3.txt 2>&1 &&
		grep -q "^header protection: RFC 9788, hp=\"cipher\", 5 protected fields" r3.txt &&
		grep -q "Subject: The quarterly numbers \[obscured outside: \"\[...\]\"\]" r3.txt &&
		[ "$(grep -c "\[same\]$" r3.txt)" -eq 4 ] &&
		grep -q "no layer is signed" r3.txt'

# Change the outer header of the encrypted message in transit.
sed 's/^To: Bob <bob@example.org>\r$/To: Mallory <mallory@example.org>\r/; /^Date: /d; s/^MIME-Version: 1.0\r$/Cc: eve@example.org\r\nMIME-Version: 1.0\r/' \
	e.eml >e-tampered.eml
cachet decrypt --format smime -v -i e-tampered.eml -o d3.txt --cert "$B_CRT" --key "$B_KEY" \
	--trust "$ROOT" >r4.txt 2>&1
ok "an outer To changed after sending is altered (HP-Outer recorded Bob)" -- \
	grep -q "To outside is \"Mallory <mallory@example.org>\" but the sender wrote \"Bob <bob@example.org>\" (and HP-Outer records another outer value)" r4.txt
ok "an outer Date removed after sending is reported" -- \
	grep -q "Date was sent outside (HP-Outer) but is missing now: removed after sending" r4.txt
ok "an outer Cc added after sending is reported" -- \
	grep -q "outer Cc \"eve@example.org\" is neither protected nor recorded by HP-Outer: added after sending" r4.txt

# ---------------------------------------------------------------- sign for encryption, then encrypt
ok "sign --protect-headers=cipher, then encrypt: both succeed" -- \
	eval 'cachet sign --format smime --protect-headers=cipher -i msg.eml -o sc.eml \
		--signer "$A_CRT" --key "$A_KEY" &&
		cachet encrypt --format smime -i sc.eml -o sce.eml --to "$B_CRT"'
ok "the signed message already carries Subject [...] outside, and so does the encrypted one" -- \
	eval 'outer sc.eml | grep -qx "Subject: \[...\]" && outer sce.eml | grep -qx "Subject: \[...\]"'
ok "verify with bob's key: two layers OK, the Subject obscured, no finding of tampering" -- \
	eval 'vfy sce.eml r5.txt --cert "$B_CRT" --key "$B_KEY" &&
		grep -q "^S/MIME message: 2 layers, OK" r5.txt &&
		grep -q "Subject: The quarterly numbers \[obscured outside" r5.txt &&
		! grep -q "after sending\|no layer is encrypted\|altered" r5.txt'
ok "hp=cipher on a message that was never encrypted is a finding" -- \
	eval 'vfy sc.eml r6.txt && grep -q "hp=\"cipher\" but no layer is encrypted" r6.txt'

# ---------------------------------------------------------------- refusals
ok "encrypt --protect-headers of a signed message: exit 2, no output" -- \
	eval 'rm -f x.eml; rc_is 2 cachet encrypt --format smime --protect-headers -i s-clear.eml \
		-o x.eml --to "$B_CRT" 2>err.txt && [ ! -e x.eml ] && grep -q "RFC 9788" err.txt'
ok "--protect-headers without header fields: exit 2, no output" -- \
	eval 'printf "just a body\r\n" >body.txt; rm -f x.eml;
		rc_is 2 cachet sign --format smime --protect-headers -i body.txt -o x.eml \
		--signer "$A_CRT" --key "$A_KEY" 2>err.txt && [ ! -e x.eml ] &&
		grep -q "no header fields to protect" err.txt'
ok "--protect-headers=bogus is a usage error" -- \
	rc_is 2 cachet sign --format smime --protect-headers=bogus -i msg.eml -o x.eml \
		--signer "$A_CRT" --key "$A_KEY"
ok "--protect-headers needs --format smime (sign and encrypt)" -- \
	eval 'rc_is 2 cachet sign --format der --protect-headers -i msg.eml -o x.p7m \
		--signer "$A_CRT" --key "$A_KEY" 2>/dev/null &&
		rc_is 2 cachet encrypt --format der --protect-headers -i msg.eml -o x.p7m \
		--to "$B_CRT" 2>/dev/null'
sed 's/^Content-Type: text\/plain; charset=us-ascii\r$/Content-Type: text\/plain; hp=cipher; charset=us-ascii\r/' msg.eml >hp-in.eml
ok "an hp parameter the input had is replaced, not doubled" -- \
	eval 'cachet sign --format smime --protect-headers -i hp-in.eml -o s2.eml \
		--signer "$A_CRT" --key "$A_KEY" &&
		[ "$(part s2.eml | grep "^Content-Type:" | grep -o "hp=" | wc -l)" -eq 1 ] &&
		part s2.eml | grep -Eq "^Content-Type: .*hp=\"?clear\"?"'

# A raw Latin-1 octet in a protected Subject (not RFC 2047, not UTF-8):
# the JSON report stays valid UTF-8 and says which octet it was.
printf 'From: Alice <alice@example.org>\r\nSubject: caf\351 cr\350me\r\nContent-Type: text/plain\r\n\r\nbody\r\n' >latin1.eml
ok "a Latin-1 octet in a protected field: the JSON report is valid UTF-8" -- \
	eval 'cachet sign --format smime --protect-headers -i latin1.eml -o sl.eml --signer "$A_CRT" \
		--key "$A_KEY" --chain "$CHAIN" &&
		cachet verify --format smime --json -i sl.eml -o /dev/null --trust "$ROOT" --at "$AT" >sl.json &&
		python3 -c "
import json
raw = open(\"sl.json\", \"rb\").read()
j = json.loads(raw.decode(\"utf-8\"))
f = {x[\"name\"]: x for x in j[\"header_protection\"][\"fields\"]}
assert f[\"Subject\"][\"value\"] == \"caf\\u00e9 cr\\u00e8me\", f[\"Subject\"]"'

# ---------------------------------------------------------------- removed fields, RFC 9788 legacy display
# A payload made by hand: hp="cipher", Keywords protected but left out
# outside with no HP-Outer record (removed on purpose), the Subject
# obscured as HP-Outer says, and a first part marked hp-legacy-display.
printf '%s\r\n' 'Content-Type: multipart/mixed; boundary="ld"; hp="cipher"' \
	'From: Alice <alice@example.org>' 'To: Bob <bob@example.org>' \
	'Subject: The real subject' 'Keywords: merger' \
	'HP-Outer: From: Alice <alice@example.org>' 'HP-Outer: To: Bob <bob@example.org>' \
	'HP-Outer: Subject: [...]' '' '--ld' \
	'Content-Type: text/plain; charset=us-ascii; hp-legacy-display="1"' '' \
	'Subject: The real subject' '--ld' 'Content-Type: text/plain' '' 'The body.' '--ld--' >payload.eml
ok "a hand-made hp=\"cipher\" payload encrypted to bob and wrapped as application/pkcs7-mime" -- \
	eval 'cachet encrypt --format der -i payload.eml -o payload.der --to "$B_CRT" &&
		{ printf "%s\r\n" "From: Alice <alice@example.org>" "To: Bob <bob@example.org>" \
			"Subject: [...]" "MIME-Version: 1.0" \
			"Content-Type: application/pkcs7-mime; smime-type=authEnveloped-data; name=smime.p7m" \
			"Content-Transfer-Encoding: base64" ""; base64 payload.der | sed "s/\$/\r/"; } >removed.eml'
cachet decrypt --format smime -v -i removed.eml -o removed.out --cert "$B_CRT" --key "$B_KEY" \
	--trust "$ROOT" >r18.txt 2>&1
ok "a protected field left out outside without an HP-Outer record is [removed]" -- \
	grep -q "Keywords: merger \[removed\]" r18.txt
ok "... the Subject is [obscured], and no field is reported altered" -- \
	eval 'grep -q "Subject: The real subject \[obscured outside: \"\[...\]\"\]" r18.txt &&
		! grep -q "\[altered" r18.txt && ! grep -q "after sending" r18.txt'
ok "... the RFC 9788 legacy display part (hp-legacy-display=\"1\") is noted" -- \
	grep -q "4 protected fields, legacy display part" r18.txt

# ---------------------------------------------------------------- message/rfc822 wrapping
printf '%s\r\n' "From: Alice <alice@example.org>" "To: Bob <bob@example.org>" \
	"Subject: Wrapped" "MIME-Version: 1.0" "Content-Type: message/rfc822" "" \
	"From: Alice <alice@example.org>" "To: Bob <bob@example.org>" "Subject: Wrapped inside" \
	"Date: Tue, 24 Nov 2026 00:10:00 +0000" "" "The wrapped body." >wrap.eml
ok "a message/rfc822 payload is read as header protection (RFC 8551 section 3.1)" -- \
	eval 'cachet sign --format smime -i wrap.eml -o sw.eml --signer "$A_CRT" --key "$A_KEY" &&
		vfy sw.eml r7.txt && grep -q "^header protection: message/rfc822 wrapper, 4 protected fields" r7.txt &&
		grep -q "Subject: Wrapped inside \[altered outside: \"Wrapped\"\]" r7.txt &&
		grep -q "Date is protected but missing from the outer header" r7.txt'
ok "a message without protected fields has no header protection section" -- \
	eval 'sed "s/^Subject: The quarterly numbers\r$/Subject: plain\r/" msg.eml >plain.eml &&
		cachet sign --format smime -i plain.eml -o sp.eml --signer "$A_CRT" --key "$A_KEY" &&
		vfy sp.eml r8.txt && ! grep -q "header protection" r8.txt &&
		cachet verify --format smime --json -i sp.eml -o /dev/null --trust "$ROOT" \
			--certs "$CHAIN" --at "$AT" | grep -q "\"header_protection\":null"'

# ---------------------------------------------------------------- From against every address
cat >multi.tmpl <<'EOF'
cn = "Multi Address"
email = "first@example.org"
email = "second@example.org"
serial = 7
expiration_days = 3650
signing_key
email_protection_key
EOF
ok "a self-signed certificate with two rfc822Names" -- \
	eval 'certtool --generate-privkey --key-type ecdsa --curve secp256r1 --outfile multi.key 2>/dev/null &&
		certtool --generate-self-signed --load-privkey multi.key --template multi.tmpl \
			--outfile multi.crt 2>/dev/null'
sed 's/^From: Alice <alice@example.org>\r$/From: Multi <second@example.org>\r/' plain.eml >m2.eml
ok "From names the second address: it matches the signer" -- \
	eval 'cachet sign --format smime -i m2.eml -o sm2.eml --signer multi.crt --key multi.key &&
		cachet verify --format smime -i sm2.eml -o /dev/null --trust multi.crt >r9.txt 2>&1 &&
		grep -q "From <second@example.org> matches the signer certificate" r9.txt'
sed 's/^From: Alice <alice@example.org>\r$/From: Multi <Second@EXAMPLE.org>\r/' plain.eml >m3.eml
ok "a From whose local part differs in case only matches, and the report says so" -- \
	eval 'cachet sign --format smime -i m3.eml -o sm3.eml --signer multi.crt --key multi.key &&
		cachet verify --format smime -i sm3.eml -o /dev/null --trust multi.crt >r10.txt 2>&1 &&
		grep -q "only without regard to the local part.s case (RFC 8398 section 5)" r10.txt'
sed 's/^From: Alice <alice@example.org>\r$/From: Third <third@example.org>\r/' plain.eml >m4.eml
ok "a From that is none of them is a warning in the report" -- \
	eval 'cachet sign --format smime -i m4.eml -o sm4.eml --signer multi.crt --key multi.key &&
		cachet verify --format smime -i sm4.eml -o /dev/null --trust multi.crt >r11.txt 2>&1 &&
		grep -q "WARNING: From <third@example.org> is not an address of the signer certificate" r11.txt'
ok "... and with --email it is a failing certificate-email check: exit 1, nothing released" -- \
	eval 'rm -f m4.out; rc_is 1 cachet verify --format smime -i sm4.eml -o m4.out --trust multi.crt \
		--email third@example.org >r17.txt 2>&1 &&
		grep -q "\[CACHET_E_CERT_EMAIL_MISMATCH\]" r17.txt && [ ! -e m4.out ]'
sed 's/^From: Alice <alice@example.org>\r$/From: Third <third@example.org>\r\nSender: Multi <first@example.org>\r/' plain.eml >m5.eml
ok "... but a Sender that is one of them is enough (RFC 8550 section 3: From or Sender)" -- \
	eval 'cachet sign --format smime -i m5.eml -o sm5.eml --signer multi.crt --key multi.key &&
		cachet verify --format smime -i sm5.eml -o /dev/null --trust multi.crt >r16.txt 2>&1 &&
		grep -q "matches the signer certificate" r16.txt'

# ---------------------------------------------------------------- RFC 7508 SecureHeaderFields
ok "sign --secure-headers: verify OK, the attribute as in the message header" -- \
	eval 'cachet sign --format smime --secure-headers -i msg.eml -o sh.eml --signer "$A_CRT" \
		--key "$A_KEY" --chain "$CHAIN" && vfy sh.eml r12.txt &&
		grep -q "secure header fields (RFC 7508, relaxed): 5 fields, as in the message header" r12.txt &&
		grep -q "secure-header-fields: 5 header fields protected, relaxed" r12.txt'
ok "JSON: secure_header_fields lists the relaxed names and values" -- \
	eval 'cachet verify --format smime --json -i sh.eml -o /dev/null --trust "$ROOT" --certs "$CHAIN" \
		--at "$AT" >r12.json && python3 -c "
import json
L = json.load(open(\"r12.json\"))[\"layers\"][0][\"secure_header_fields\"]
assert L[\"canon\"] == \"relaxed\" and L[\"matches\"] is True
assert [(f[\"name\"], f[\"status\"]) for f in L[\"fields\"]] == [(n, \"duplicated\") for n in
	(\"from\", \"to\", \"subject\", \"date\", \"message-id\")], L
assert L[\"fields\"][2][\"value\"] == \"The quarterly numbers\""'
ok "openssl cms -verify accepts the signature with the attribute it does not know" -- \
	openssl cms -verify -in sh.eml -CAfile "$ROOT" -attime 1780272000 -out /dev/null
sed '0,/^Subject: The quarterly numbers\r$/s//Subject: Pay Eve today\r/' sh.eml >sh-t.eml
ok "an outer Subject changed after signing: exit 1, CACHET_E_ATTR_MISMATCH, nothing released" -- \
	eval 'rm -f inner.out; rc_is 1 vfy sh-t.eml r13.txt && grep -q "\[CACHET_E_ATTR_MISMATCH\]" r13.txt &&
		grep -q "DIFFERENT from the message header" r13.txt &&
		grep -q "secure header .subject.: the message has \"Pay Eve today\" (RFC 7508 section 4.5.2)" r13.txt &&
		[ ! -e inner.out ]'
ok "refolded whitespace in a protected field still matches (relaxed)" -- \
	eval 'sed "0,/^Subject: The quarterly numbers\r\$/s//Subject:   The quarterly\r\n    numbers\r/" sh.eml >sh-w.eml &&
		vfy sh-w.eml r14.txt && grep -q "as in the message header" r14.txt'
ok "sign --protect-headers=cipher --secure-headers, encrypt: the obscured Subject is status modified, not a mismatch" -- \
	eval 'cachet sign --format smime --protect-headers=cipher --secure-headers -i msg.eml -o shc.eml \
		--signer "$A_CRT" --key "$A_KEY" --chain "$CHAIN" &&
		cachet encrypt --format smime -i shc.eml -o shce.eml --to "$B_CRT" &&
		vfy shce.eml r15.txt --cert "$B_CRT" --key "$B_KEY" &&
		grep -q "status modified: confidential per RFC 7508 4.4" r15.txt &&
		grep -q "as in the message header" r15.txt'
ok "--secure-headers on a message without any protected field: exit 2, no output" -- \
	eval 'printf "Content-Type: text/plain\r\n\r\nbody\r\n" >nohdr.eml; rm -f x.eml;
		rc_is 2 cachet sign --format smime --secure-headers -i nohdr.eml -o x.eml \
		--signer "$A_CRT" --key "$A_KEY" 2>err.txt && [ ! -e x.eml ] && grep -q "RFC 7508" err.txt'

done_testing
