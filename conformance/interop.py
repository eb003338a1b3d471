#!/usr/bin/env python3
"""interop.py -- Cachet's interop matrix (`make interop`).

For every operation and algorithm (a *case*) and every peer, two cells:

  peer>cachet  the peer makes the message, cachet opens it (verifies,
               decrypts, decompresses) and must give back the content;
  cachet>peer  cachet makes the message, the peer opens it and must give
               back the content.

Each cell ends as pass, fail, or "peer lacks feature" with the reason (the
peer's own refusal where it has a command for the case, or the missing
command).  Nothing is skipped silently: a peer that is not installed is
a failure of each of its cells when --require-peers is given (CI), and
"peer not installed" otherwise.

The messages the peers made are kept in vectors/interop/ (--save writes
them, with the tool versions); --stored opens those with cachet, so the
peer-made half of the matrix also runs where the peers are not installed
(tests/interop-stored.sh does that in `make check`).

The peers: `openssl cms`, `openssl smime`, NSS `cmsutil`, GnuPG `gpgsm`,
GnuTLS `certtool`, and Bouncy Castle through the project's own Java
program conformance/interop/CachetBC.java.

Output: the matrix as text on standard output, --json and --md files, a
last line "interop: P passed / T cells (F failed, L peer lacks feature)".
With --tap, TAP instead (one point per cell that ran; lacks as comments).
Exit status 0 when no cell failed.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

# ----------------------------------------------------------------- the cases
# Identities: vectors/pki (alice, bob RSA; carol P-256; dave P-384; grace
# P-521; erin Ed25519; frank Ed448) and vectors/interop/pki (xena X25519,
# yuri X448, made by vectors/interop/make-pki.sh).

SIGN = {
    # alg: (signer, digest, pss)
    "rsa-sha256": ("alice", "sha256", False),
    "rsapss-sha256": ("alice", "sha256", True),
    "ecdsa-p256-sha256": ("carol", "sha256", False),
    "ecdsa-p384-sha384": ("dave", "sha384", False),
    "ecdsa-p521-sha512": ("grace", "sha512", False),
    "ed25519": ("erin", None, False),
    "ed448": ("frank", None, False),
}

ENCRYPT = {
    # alg: (recipient kind, recipient, cipher, oaep)
    "rsa-aes128-cbc": ("cert", "alice", "aes-128-cbc", False),
    "rsa-aes256-cbc": ("cert", "bob", "aes-256-cbc", False),
    "rsaoaep-aes256-cbc": ("cert", "alice", "aes-256-cbc", True),
    "rsa-aes128-gcm": ("cert", "alice", "aes-128-gcm", False),
    "rsa-aes256-gcm": ("cert", "bob", "aes-256-gcm", False),
    "rsa-chacha20-poly1305": ("cert", "alice", "chacha20-poly1305", False),
    "ecdh-p256-aes128-cbc": ("cert", "carol", "aes-128-cbc", False),
    "ecdh-p384-aes256-cbc": ("cert", "dave", "aes-256-cbc", False),
    "ecdh-p256-aes128-gcm": ("cert", "carol", "aes-128-gcm", False),
    "x25519-aes128-gcm": ("cert", "xena", "aes-128-gcm", False),
    "x448-aes256-gcm": ("cert", "yuri", "aes-256-gcm", False),
    "kek-aes128-cbc": ("kek", None, "aes-128-cbc", False),
    "kek-aes256-gcm": ("kek", None, "aes-256-gcm", False),
    "pwri-aes128-cbc": ("pwri", None, "aes-128-cbc", False),
    "pwri-aes256-gcm": ("pwri", None, "aes-256-gcm", False),
}

KEK = "000102030405060708090a0b0c0d0e0f"  # AES-128 key wrap
KEK_ID = "4361636865744b454b"               # "CachetKEK"
PASSWORD = "correct horse battery staple"

SMIME_SIGN = {"rsa-sha256": "alice", "ecdsa-p256-sha256": "carol"}
SMIME_ENCRYPT = {"rsa-aes128-cbc": ("alice", "aes-128-cbc"),
                 "rsa-aes256-cbc": ("bob", "aes-256-cbc"),
                 "rsa-aes128-gcm": ("alice", "aes-128-gcm")}


def all_cases():
    for a in SIGN:
        yield ("sign", a)
    for a in ("rsa-sha256", "ecdsa-p256-sha256", "ed25519"):
        yield ("sign-detached", a)
    for a in ENCRYPT:
        yield ("encrypt", a)
    yield ("compress", "zlib")
    for a in SMIME_SIGN:
        yield ("smime-sign", a)
    for a in SMIME_ENCRYPT:
        yield ("smime-encrypt", a)


def content_for(op):
    """The content of a case: binary octets for CMS, a MIME entity for S/MIME."""
    if op.startswith("smime"):
        return (b"Content-Type: text/plain; charset=us-ascii\r\n\r\n"
                b"Interop test from Cachet's matrix.\r\nSecond line.\r\n")
    body = bytes((i * 37 + 13) & 0xFF for i in range(1000))
    return b"Cachet interop content\r\n" + body


def normalise_mime(b):
    """S/MIME peers may change line endings and trailing blank lines."""
    return b.replace(b"\r\n", b"\n").rstrip(b"\n")


def ext(op):
    return ".eml" if op.startswith("smime") else ".der"


# ----------------------------------------------------------------- running
class Ctx:
    def __init__(self, args):
        self.cachet = os.path.abspath(args.cachet)
        self.pki = os.path.abspath(args.pki)
        self.ipki = os.path.join(os.path.abspath(args.stored), "pki")
        self.stored = os.path.abspath(args.stored)
        self.srcdir = os.path.abspath(args.srcdir)
        self.work = tempfile.mkdtemp(prefix="cachet-interop.")
        self.n = 0

    def crt(self, who):
        d = self.ipki if who in ("xena", "yuri") else self.pki
        return os.path.join(d, who + ".crt.pem")

    def key(self, who):
        d = self.ipki if who in ("xena", "yuri") else self.pki
        return os.path.join(d, who + ".key.pem")

    @property
    def root(self):
        return os.path.join(self.pki, "root-ca.crt.pem")

    @property
    def chain(self):
        return os.path.join(self.pki, "chain.pem")

    def tmp(self, name):
        self.n += 1
        return os.path.join(self.work, "%03d-%s" % (self.n, name))


class Outcome(Exception):
    """Raised by a peer operation that did not succeed."""

    def __init__(self, kind, why, who="peer"):
        # One printable line: peers' messages can carry content bytes.
        why = "".join(ch if ch.isprintable() else "?" for ch in why)
        super().__init__(why)
        self.kind = kind   # "fail" or "lacks"
        self.why = why
        self.who = who     # "peer" or "cachet": whose command failed


def run(argv, env=None):
    """Run a command; return (status, combined output)."""
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, env=env, timeout=300)
    except FileNotFoundError:
        return 127, "%s: not found" % argv[0]
    except subprocess.TimeoutExpired:
        return 124, "%s: timed out" % argv[0]
    return p.returncode, p.stdout.decode("utf-8", "replace")


def must(argv, what, env=None):
    """Run a peer or cachet command; raise Outcome when it fails."""
    rc, out = run(argv, env=env)
    if rc != 0:
        first = " ".join(l.strip() for l in out.strip().splitlines()[:3])[:300]
        raise Outcome("fail", "%s: exit %d: %s" % (what, rc, first),
                      "cachet" if what.startswith("cachet") else "peer")
    return out


def same(path, want, op):
    try:
        got = open(path, "rb").read()
    except OSError:
        raise Outcome("fail", "no output file")
    if op.startswith("smime"):
        got, want = normalise_mime(got), normalise_mime(want)
    if got != want:
        raise Outcome("fail", "output differs from the content (%d vs %d octets)"
                      % (len(got), len(want)))


# ----------------------------------------------------------------- cachet
class Cachet:
    def __init__(self, ctx):
        self.c = ctx

    def make(self, op, alg, inp, out):
        c = self.c
        x = c.cachet
        if op in ("sign", "sign-detached", "smime-sign"):
            if op == "smime-sign":
                who, dig, pss = SMIME_SIGN[alg], "sha256", False
            else:
                who, dig, pss = SIGN[alg]
            argv = [x, "sign", "-i", inp, "-o", out, "--signer", c.crt(who),
                    "--key", c.key(who), "--chain", c.chain]
            if op != "smime-sign":
                argv += ["--format", "der"]
            if dig:
                argv += ["--digest", dig]
            if pss:
                argv.append("--pss")
            if op == "sign-detached":
                argv.append("--detached")
            must(argv, "cachet sign")
        elif op in ("encrypt", "smime-encrypt"):
            if op == "smime-encrypt":
                who, cipher = SMIME_ENCRYPT[alg]
                kind, oaep = "cert", False
                argv = [x, "encrypt", "-i", inp, "-o", out]
            else:
                kind, who, cipher, oaep = ENCRYPT[alg]
                argv = [x, "encrypt", "--format", "der", "-i", inp, "-o", out]
            argv += ["--cipher", cipher]
            if kind == "cert":
                argv += ["--to", c.crt(who)]
            elif kind == "kek":
                argv += ["--kek", KEK, "--kek-id", "hex:" + KEK_ID]
            else:
                argv += ["--password", PASSWORD, "--iterations", "2048"]
            if oaep:
                argv.append("--oaep")
            must(argv, "cachet encrypt")
        elif op == "compress":
            must([x, "compress", "--format", "der", "-i", inp, "-o", out],
                 "cachet compress")

    def open(self, op, alg, msg, content, out):
        c = self.c
        x = c.cachet
        if op in ("sign", "sign-detached", "smime-sign"):
            argv = [x, "verify", "-i", msg, "--trust", c.root, "--certs", c.chain]
            if op == "sign-detached":
                argv += ["--content", content, "-o", out]
                must(argv, "cachet verify")
                shutil.copyfile(content, out)
            else:
                must(argv + ["-o", out], "cachet verify")
        elif op in ("encrypt", "smime-encrypt"):
            if op == "smime-encrypt":
                kind, who = "cert", SMIME_ENCRYPT[alg][0]
            else:
                kind, who = ENCRYPT[alg][0], ENCRYPT[alg][1]
            argv = [x, "decrypt", "-i", msg, "-o", out]
            if kind == "cert":
                argv += ["--cert", c.crt(who), "--key", c.key(who)]
            elif kind == "kek":
                argv += ["--kek", KEK, "--kek-id", "hex:" + KEK_ID]
            else:
                argv += ["--password", PASSWORD]
            must(argv, "cachet decrypt")
        elif op == "compress":
            must([x, "decompress", "-i", msg, "-o", out], "cachet decompress")


# ----------------------------------------------------------------- peers
class Peer:
    name = "?"
    commands = ()
    # The operations this peer's commands are about: the cases of other
    # operations are not its cells (openssl smime is the S/MIME command,
    # openssl cms the CMS one).
    scope = ("sign", "sign-detached", "encrypt", "compress")

    def __init__(self, ctx):
        self.c = ctx

    def installed(self):
        return all(shutil.which(p) for p in self.commands)

    def needs(self):
        return ", ".join(self.commands)

    def lack(self, op, alg, direction):
        """A feature the peer is known to lack, or None.  The cell is still
        tried: the peer failing it is "peer lacks feature" (with the
        peer's message), the peer doing it is a pass.  Cachet failing is
        always a failure."""
        return None

    def version(self):
        return ""

    def setup(self):
        pass

    def teardown(self):
        pass

    # Each returns None when it did the job, or raises Outcome.  A case
    # the peer has no command for raises Outcome("lacks", ...).
    def make(self, op, alg, inp, out):
        raise Outcome("lacks", "no command for %s" % op)

    def open(self, op, alg, msg, content, out):
        raise Outcome("lacks", "no command for %s" % op)


def lacks(why):
    raise Outcome("lacks", why)


class OpenSSLCms(Peer):
    name = "openssl-cms"
    commands = ("openssl",)
    scope = Peer.scope + ("smime-encrypt",)
    def lack(self, op, alg, direction):
        """OpenSSL 3.0's known gaps (Debian 12)."""
        if alg in ("ed25519", "ed448"):
            return ("OpenSSL 3.0 has no EdDSA in CMS (signing: \"no default "
                    "digest\"; verifying: \"invalid digest\")")
        if alg.startswith(("x25519", "x448")):
            return "OpenSSL 3.0 has no X25519/X448 key agreement in CMS (RFC 8418)"
        if "chacha20" in alg:
            return "OpenSSL 3.0 has no ChaCha20-Poly1305 in CMS (RFC 8103)"
        if op == "compress":
            return "Debian's OpenSSL is built without zlib: no CompressedData"
        if alg.startswith("pwri") and alg.endswith("gcm") and direction == "peer>cachet":
            return ("OpenSSL 3.0 makes no password recipient beside an AEAD "
                    "content cipher (it wraps with the content cipher)")
        return None

    def version(self):
        return run(["openssl", "version"])[1].strip()

    def make(self, op, alg, inp, out):
        c = self.c
        if op in ("sign", "sign-detached"):
            who, dig, pss = SIGN[alg]
            argv = ["openssl", "cms", "-sign", "-binary", "-outform", "DER",
                    "-in", inp, "-out", out, "-signer", c.crt(who),
                    "-inkey", c.key(who), "-certfile", c.chain]
            if op == "sign":
                argv.append("-nodetach")
            if dig:
                argv += ["-md", dig]
            if pss:
                argv += ["-keyopt", "rsa_padding_mode:pss"]
            must(argv, "openssl cms -sign")
        elif op == "encrypt":
            kind, who, cipher, oaep = ENCRYPT[alg]
            argv = ["openssl", "cms", "-encrypt", "-binary", "-outform", "DER",
                    "-in", inp, "-out", out, "-" + cipher]
            argv += self.recip(kind, who)
            if oaep:
                argv += ["-keyopt", "rsa_padding_mode:oaep",
                         "-keyopt", "rsa_oaep_md:sha256",
                         "-keyopt", "rsa_mgf1_md:sha256"]
            must(argv, "openssl cms -encrypt")
        elif op == "compress":
            must(["openssl", "cms", "-compress", "-binary", "-outform", "DER",
                  "-in", inp, "-out", out], "openssl cms -compress")
        elif op == "smime-encrypt":
            who, cipher = SMIME_ENCRYPT[alg]
            must(["openssl", "cms", "-encrypt", "-in", inp, "-out", out,
                  "-" + cipher, "-recip", c.crt(who)],
                 "openssl cms -encrypt (S/MIME)")
        else:
            lacks("openssl-smime covers %s" % op)

    def recip(self, kind, who):
        """The recipient options of openssl cms -encrypt and -decrypt."""
        if kind == "cert":
            return ["-recip", self.c.crt(who)]
        if kind == "kek":
            return ["-secretkey", KEK, "-secretkeyid", KEK_ID]
        return ["-pwri_password", PASSWORD]

    def open(self, op, alg, msg, content, out):
        c = self.c
        if op in ("sign", "sign-detached"):
            argv = ["openssl", "cms", "-verify", "-binary", "-inform", "DER",
                    "-in", msg, "-CAfile", c.root, "-certfile", c.chain,
                    "-purpose", "smimesign", "-out", out]
            if op == "sign-detached":
                argv += ["-content", content]
            must(argv, "openssl cms -verify")
        elif op == "encrypt":
            kind, who, cipher, oaep = ENCRYPT[alg]
            argv = ["openssl", "cms", "-decrypt", "-binary", "-inform", "DER",
                    "-in", msg, "-out", out]
            argv += self.recip(kind, who)
            if kind == "cert":
                argv += ["-inkey", c.key(who)]
            must(argv, "openssl cms -decrypt")
        elif op == "compress":
            must(["openssl", "cms", "-uncompress", "-binary", "-inform", "DER",
                  "-in", msg, "-out", out], "openssl cms -uncompress")
        elif op == "smime-encrypt":
            who, cipher = SMIME_ENCRYPT[alg]
            must(["openssl", "cms", "-decrypt", "-in", msg, "-out", out,
                  "-recip", c.crt(who), "-inkey", c.key(who)],
                 "openssl cms -decrypt (S/MIME)")
        else:
            lacks("openssl-smime covers %s" % op)


class OpenSSLSmime(Peer):
    """`openssl smime`: the PKCS #7 (RFC 2315) S/MIME command."""
    name = "openssl-smime"
    scope = ("smime-sign", "smime-encrypt")
    commands = ("openssl",)

    def lack(self, op, alg, direction):
        if alg.endswith("gcm"):
            return ("openssl smime writes and reads PKCS #7 enveloped-data only: "
                    "no AuthEnvelopedData (RFC 5083)")
        return None

    def version(self):
        return run(["openssl", "version"])[1].strip()

    def make(self, op, alg, inp, out):
        c = self.c
        if op == "smime-sign":
            who = SMIME_SIGN[alg]
            must(["openssl", "smime", "-sign", "-in", inp, "-out", out,
                  "-signer", c.crt(who), "-inkey", c.key(who), "-md", "sha256",
                  "-certfile", c.chain], "openssl smime -sign")
        elif op == "smime-encrypt":
            who, cipher = SMIME_ENCRYPT[alg]
            if cipher.endswith("gcm"):
                lacks("openssl smime makes PKCS #7 enveloped-data only: no "
                      "AuthEnvelopedData (RFC 5083)")
            must(["openssl", "smime", "-encrypt", "-in", inp, "-out", out,
                  "-" + cipher, c.crt(who)],
                 "openssl smime -encrypt")
        else:
            lacks("openssl-cms covers %s" % op)

    def open(self, op, alg, msg, content, out):
        c = self.c
        if op == "smime-sign":
            must(["openssl", "smime", "-verify", "-in", msg, "-out", out,
                  "-CAfile", c.root, "-certfile", c.chain, "-purpose", "smimesign"],
                 "openssl smime -verify")
        elif op == "smime-encrypt":
            who, cipher = SMIME_ENCRYPT[alg]
            if cipher.endswith("gcm"):
                lacks("openssl smime reads PKCS #7 enveloped-data only: no "
                      "AuthEnvelopedData (RFC 5083)")
            must(["openssl", "smime", "-decrypt", "-in", msg, "-out", out,
                  "-recip", c.crt(who), "-inkey", c.key(who)],
                 "openssl smime -decrypt")
        else:
            lacks("openssl-cms covers %s" % op)


class NSS(Peer):
    """NSS `cmsutil` with a database made for the run."""
    name = "nss-cmsutil"
    commands = ("cmsutil", "certutil", "pk12util", "openssl")
    USERS = ("alice", "bob", "carol", "dave", "grace")

    def version(self):
        out = run(["dpkg-query", "-W", "-f=${Version}", "libnss3"])[1].strip()
        return "NSS %s (cmsutil)" % out if out else "NSS cmsutil"

    def lack(self, op, alg, direction):
        """NSS 3.87's known gaps (Debian 12)."""
        if alg in ("ed25519", "ed448"):
            return "NSS 3.87 has no EdDSA in CMS (RFC 8419)"
        if op == "encrypt":
            if alg.endswith(("gcm", "poly1305")):
                return ("NSS 3.87 has no AuthEnvelopedData (RFC 5083): "
                        "SEC_ERROR_UNRECOGNIZED_OID")
            if "oaep" in alg:
                return "NSS 3.87 has no RSAES-OAEP in CMS"
            if alg.startswith(("ecdh", "x25519", "x448")):
                return "NSS 3.87 has no KeyAgreeRecipientInfo in CMS"
            if alg.startswith(("kek", "pwri")):
                return "cmsutil has no KEK or password recipients"
        return None

    def setup(self):
        c = self.c
        d = os.path.join(c.work, "nssdb")
        os.makedirs(d)
        self.db = "sql:" + d
        must(["certutil", "-N", "-d", self.db, "--empty-password"], "certutil -N")
        for u in self.USERS:
            p12 = os.path.join(c.work, u + ".nss.p12")
            must(["openssl", "pkcs12", "-export", "-in", c.crt(u), "-inkey", c.key(u),
                  "-name", u, "-passout", "pass:p12", "-out", p12], "openssl pkcs12")
            must(["pk12util", "-i", p12, "-d", self.db, "-W", "p12", "-K", ""], "pk12util")
        must(["certutil", "-A", "-d", self.db, "-n", "root", "-t", "C,C,C",
              "-i", c.root], "certutil -A root")
        must(["certutil", "-A", "-d", self.db, "-n", "int", "-t", ",,",
              "-i", os.path.join(c.pki, "int-ca.crt.pem")], "certutil -A int")

    def make(self, op, alg, inp, out):
        if op in ("sign", "sign-detached"):
            who, dig, pss = SIGN[alg]
            if pss:
                lacks("cmsutil -S has no option for RSASSA-PSS")
            if who not in self.USERS:
                lacks("cmsutil -S: NSS 3.87 has no EdDSA in CMS")
            argv = ["cmsutil", "-S", "-G", "-d", self.db, "-N", who, "-H",
                    dig.upper(), "-i", inp, "-o", out]
            if op == "sign-detached":
                argv.append("-T")
            must(argv, "cmsutil -S")
        elif op == "encrypt":
            kind, who, cipher, oaep = ENCRYPT[alg]
            if kind != "cert":
                lacks("cmsutil -E has no option for KEK or password recipients")
            if oaep:
                lacks("cmsutil -E has no option for RSAES-OAEP")
            if who in ("carol", "dave", "xena", "yuri"):
                lacks("cmsutil -E makes no KeyAgreeRecipientInfo (NSS 3.87)")
            if cipher != "aes-256-cbc":
                lacks("cmsutil -E chooses the cipher itself (AES-256-CBC); "
                      "it has no option for %s" % cipher)
            must(["cmsutil", "-E", "-d", self.db, "-r", who + "@example.org",
                  "-i", inp, "-o", out], "cmsutil -E")
        else:
            lacks("cmsutil has no command for %s" % op)

    def open(self, op, alg, msg, content, out):
        if op in ("sign", "sign-detached"):
            # With -h, cmsutil writes the signer status as header lines
            # before the content into its output.
            hdr = self.c.tmp("nss-h.txt")
            argv = ["cmsutil", "-D", "-d", self.db, "-i", msg, "-o", hdr, "-h", "1"]
            if op == "sign-detached":
                argv += ["-c", content]
            must(argv, "cmsutil -D -h 1")
            h = open(hdr, "rb").read().decode("latin-1")
            if not re.search(r"signer0\.status=GoodSignature;", h):
                raise Outcome("fail", "cmsutil -D: no GoodSignature: %s" % " ".join(
                    re.findall(r"signer[0-9]+\.[a-z]+=[^;]*;", h)))
            if re.search(r"signer[1-9][0-9]*\.status=(?!GoodSignature)", h):
                raise Outcome("fail", "cmsutil -D: a signer is not good")
            if op == "sign-detached":
                shutil.copyfile(content, out)
            else:
                must(["cmsutil", "-D", "-d", self.db, "-i", msg, "-o", out],
                     "cmsutil -D")
        elif op == "encrypt":
            must(["cmsutil", "-D", "-d", self.db, "-i", msg, "-o", out],
                 "cmsutil -D")
        else:
            lacks("cmsutil has no command for %s" % op)


class Gpgsm(Peer):
    name = "gpgsm"
    commands = ("gpgsm", "gpgconf", "openssl")

    def lack(self, op, alg, direction):
        """GnuPG 2.2.40's known gaps (Debian 12)."""
        if alg in ("ed25519", "ed448"):
            return "gpgsm 2.2 has no EdDSA in CMS (RFC 8419)"
        if alg == "rsapss-sha256" and direction == "peer>cachet":
            return "gpgsm 2.2 has no option to sign with RSASSA-PSS"
        if alg == "ecdsa-p521-sha512" and direction == "cachet>peer":
            return ("gpgsm 2.2 does not verify ECDSA P-521 (\"DSA requires the "
                    "hash length to be a multiple of 8 bits\")")
        if op == "encrypt":
            if alg.endswith(("gcm", "poly1305")):
                return "gpgsm 2.2 has no AuthEnvelopedData (RFC 5083)"
            if "oaep" in alg:
                return "gpgsm 2.2 has no RSAES-OAEP"
            if alg.startswith("ecdh"):
                return ("gpgsm 2.2 wants keyEncipherment on an ECDH recipient's "
                        "certificate (\"Wrong key usage\"); the test "
                        "certificates have keyAgreement (RFC 8550 section 4.4.2)")
            if alg.startswith("kek"):
                return "gpgsm has no KEK recipients"
            if alg.startswith("pwri"):
                return ("gpgsm 2.2 makes no password recipients and fails to "
                        "parse them (\"parsing PWRI parameter failed\", also "
                        "on OpenSSL's)")
        if op == "compress":
            return "gpgsm has no CompressedData"
        return None

    def version(self):
        return run(["gpgsm", "--version"])[1].splitlines()[0].strip()

    def setup(self):
        c = self.c
        self.home = os.path.join(c.work, "gnupg")
        os.makedirs(self.home, mode=0o700)
        self.passf = os.path.join(c.work, "gpgsm.pass")
        open(self.passf, "w").write("p12\n")
        open(os.path.join(self.home, "gpg-agent.conf"), "w").write("allow-loopback-pinentry\n")
        open(os.path.join(self.home, "gpgsm.conf"), "w").write(
            "disable-crl-checks\ndisable-ocsp\ndisable-dirmngr\n")
        self.gs(["--import", c.root, os.path.join(c.pki, "int-ca.crt.pem")])
        fpr = run(["openssl", "x509", "-in", c.root, "-noout", "-fingerprint", "-sha1"])[1]
        fpr = fpr.split("=", 1)[1].strip().replace(":", "")
        open(os.path.join(self.home, "trustlist.txt"), "w").write("%s S\n" % fpr)
        for u in ("alice", "bob"):
            self.import_key(u)
        for u in ("carol", "dave", "grace"):
            self.gs(["--import", c.crt(u)])
            self.ec_key(u)

    def import_key(self, u):
        """U's RSA key through PKCS #12.  gpgsm 2.2.40's reader fails on
        some of the files openssl makes ("data error at
        shrouded_key_bag.decrypted-text"), depending on their random salt
        and IV: up to five fresh files are tried."""
        c = self.c
        p12 = os.path.join(c.work, u + ".gpgsm.p12")
        for attempt in range(5):
            must(["openssl", "pkcs12", "-export", "-in", c.crt(u), "-inkey", c.key(u),
                  "-name", u, "-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES",
                  "-macalg", "sha1", "-passout", "pass:p12", "-out", p12], "openssl pkcs12")
            try:
                self.gs(["--import", p12], "gpgsm --import %s.p12" % u)
                return
            except Outcome:
                if attempt == 4:
                    raise

    def ec_key(self, u):
        """gpgsm 2.2 cannot import EC keys from PKCS #12: write the agent's
        key file (an S-expression) from the PEM key instead."""
        c = self.c
        o = run(["gpgsm", "--homedir", self.home, "--batch", "--with-colons",
                 "--with-keygrip", "-k", u + "@example.org"])[1]
        grip = next((l.split(":")[9] for l in o.splitlines() if l.startswith("grp:")), None)
        if not grip:
            raise Outcome("fail", "gpgsm: no keygrip for %s" % u)
        t = run(["openssl", "pkey", "-in", c.key(u), "-noout", "-text"])[1]

        def blk(name):
            m = re.search(r"^%s:\s*\n((?:[ \t]+[0-9a-f:]+\n)+)" % name, t, re.M)
            return bytes.fromhex(re.sub(r"[\s:]", "", m.group(1)))
        curve = {"prime256v1": b"NIST P-256", "secp384r1": b"NIST P-384",
                 "secp521r1": b"NIST P-521"}[re.search(r"ASN1 OID: (\S+)", t).group(1)]

        def a(b):
            return b"%d:" % len(b) + b
        sx = (b"(" + a(b"private-key") + b"(" + a(b"ecc") + b"(" + a(b"curve") +
              a(curve) + b")(" + a(b"q") + a(blk("pub")) + b")(" + a(b"d") +
              a(blk("priv")) + b")))")
        d = os.path.join(self.home, "private-keys-v1.d")
        os.makedirs(d, exist_ok=True)
        open(os.path.join(d, grip + ".key"), "wb").write(sx)

    def teardown(self):
        run(["gpgconf", "--homedir", self.home, "--kill", "all"])

    def gs(self, args, what="gpgsm"):
        status = os.path.join(self.c.work, "gpgsm.status")
        with open(self.passf) as pw, open(status, "w") as st:
            argv = ["gpgsm", "--homedir", self.home, "--batch", "--no-tty",
                    "--pinentry-mode", "loopback", "--passphrase-fd",
                    str(pw.fileno()), "--status-fd", str(st.fileno()),
                    "--disable-crl-checks", "--disable-dirmngr"] + args
            p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               pass_fds=(pw.fileno(), st.fileno()), timeout=300)
        out = p.stdout.decode("utf-8", "replace") + open(status).read()
        if p.returncode != 0:
            first = " ".join(out.split())[:300]
            raise Outcome("fail", "%s: exit %d: %s" % (what, p.returncode, first))
        return out

    def make(self, op, alg, inp, out):
        if op in ("sign", "sign-detached"):
            who, dig, pss = SIGN[alg]
            if pss:
                lacks("gpgsm 2.2 has no option to sign with RSASSA-PSS")
            if who in ("erin", "frank"):
                lacks("gpgsm 2.2 has no EdDSA in CMS (RFC 8419)")
            argv = ["-u", who + "@example.org", "--include-certs", "-1",
                    "--digest-algo", dig, "-o", out]
            argv += ["--detach-sign"] if op == "sign-detached" else ["--sign"]
            self.gs(argv + [inp], "gpgsm --sign")
        elif op == "encrypt":
            kind, who, cipher, oaep = ENCRYPT[alg]
            if kind != "cert":
                lacks("gpgsm has no KEK or password recipients")
            if oaep:
                lacks("gpgsm 2.2 encrypts with RSAES-PKCS1-v1_5 only")
            if not cipher.endswith("cbc"):
                lacks("gpgsm 2.2 has no AuthEnvelopedData (RFC 5083)")
            if who in ("xena", "yuri"):
                lacks("gpgsm 2.2 has no X25519/X448 key agreement (RFC 8418)")
            algo = {"aes-128-cbc": "AES", "aes-256-cbc": "AES256"}[cipher]
            self.gs(["--cipher-algo", algo, "-r", who + "@example.org", "-o", out,
                     "--encrypt", inp], "gpgsm --encrypt")
        else:
            lacks("gpgsm has no command for %s" % op)

    def open(self, op, alg, msg, content, out):
        if op in ("sign", "sign-detached"):
            if op == "sign-detached":
                o = self.gs(["--verify", msg, content], "gpgsm --verify")
                shutil.copyfile(content, out)
            else:
                o = self.gs(["-o", out, "--verify", msg], "gpgsm --verify")
            if "GOODSIG" not in o or "VALIDSIG" not in o or "BADSIG" in o:
                raise Outcome("fail", "gpgsm --verify: no GOODSIG/VALIDSIG")
        elif op == "encrypt":
            o = self.gs(["-o", out, "--decrypt", msg], "gpgsm --decrypt")
            if "DECRYPTION_OKAY" not in o:
                raise Outcome("fail", "gpgsm --decrypt: no DECRYPTION_OKAY")
        else:
            lacks("gpgsm has no command for %s" % op)


class Certtool(Peer):
    name = "gnutls-certtool"
    commands = ("certtool",)

    def lack(self, op, alg, direction):
        if alg == "ed448":
            return ("GnuTLS 3.7 has no Ed448 in PKCS #7 (\"The request is "
                    "invalid\")")
        return None

    def version(self):
        return run(["certtool", "--version"])[1].splitlines()[0].strip()

    def make(self, op, alg, inp, out):
        c = self.c
        if op not in ("sign", "sign-detached"):
            lacks("certtool signs and verifies only (--p7-sign)")
        who, dig, pss = SIGN[alg]
        argv = ["certtool", "--p7-sign" if op == "sign" else "--p7-detached-sign",
                "--p7-include-cert", "--p7-time", "--load-certificate", c.crt(who),
                "--load-privkey", c.key(who), "--infile", inp, "--outder",
                "--outfile", out]
        if dig:
            argv += ["--hash", dig.upper()]
        if pss:
            argv += ["--sign-params", "RSA-PSS"]
        must(argv, "certtool --p7-sign")

    def open(self, op, alg, msg, content, out):
        c = self.c
        if op not in ("sign", "sign-detached"):
            lacks("certtool signs and verifies only (--p7-verify)")
        argv = ["certtool", "--p7-verify", "--inder", "--load-ca-certificate",
                c.root, "--infile", msg]
        if op == "sign-detached":
            argv += ["--load-data", content]
        else:
            argv += ["--p7-show-data", "--outfile", out]
        o = must(argv, "certtool --p7-verify")
        if "Signature status: ok" not in o:
            raise Outcome("fail", "certtool --p7-verify: no 'Signature status: ok'")
        if op == "sign-detached":
            shutil.copyfile(content, out)


class BouncyCastle(Peer):
    """Bouncy Castle 1.72 (Debian's libbcpkix-java) through
    conformance/interop/CachetBC.java, compiled here with javac."""
    name = "bouncycastle"
    commands = ("java", "javac")
    JARS = ("bcprov.jar", "bcpkix.jar", "bcutil.jar")

    def cp(self):
        return ":".join(os.path.join(self.jardir, j) for j in self.JARS)

    def installed(self):
        self.jardir = os.environ.get("CACHET_BC_JARS", "/usr/share/java")
        return (super().installed() and
                all(os.path.exists(os.path.join(self.jardir, j)) for j in self.JARS))

    def needs(self):
        return "java, javac and %s in %s (CACHET_BC_JARS)" % (
            ", ".join(self.JARS), self.jardir)

    def setup(self):
        c = self.c
        self.classes = os.path.join(c.work, "bc-classes")
        os.makedirs(self.classes)
        must(["javac", "-d", self.classes, "-cp", self.cp(),
              os.path.join(c.srcdir, "conformance", "interop", "CachetBC.java")],
             "javac CachetBC.java")

    def bc(self, args, what):
        argv = ["java", "-cp", self.classes + ":" + self.cp(), "CachetBC"] + args
        rc, out = run(argv)
        if rc == 3:
            raise Outcome("lacks", "%s: %s" % (what, " ".join(out.split())[:300]))
        if rc != 0:
            raise Outcome("fail", "%s: exit %d: %s" % (what, rc, " ".join(out.split())[:300]))
        return out

    def version(self):
        try:
            return self.bc(["version"], "CachetBC version").strip()
        except Outcome as e:
            return "Bouncy Castle (%s)" % e.why

    def make(self, op, alg, inp, out):
        c = self.c
        if op in ("sign", "sign-detached"):
            who, dig, pss = SIGN[alg]
            a = {"rsa-sha256": "rsa-sha256", "rsapss-sha256": "rsapss-sha256",
                 "ecdsa-p256-sha256": "ecdsa-sha256", "ecdsa-p384-sha384": "ecdsa-sha384",
                 "ecdsa-p521-sha512": "ecdsa-sha512", "ed25519": "ed25519",
                 "ed448": "ed448"}[alg]
            argv = ["sign", "--cert", c.crt(who), "--key", c.key(who), "--alg", a,
                    "-i", inp, "-o", out]
            if op == "sign-detached":
                argv.append("--detached")
            self.bc(argv, "CachetBC sign")
        elif op == "encrypt":
            kind, who, cipher, oaep = ENCRYPT[alg]
            argv = ["encrypt", "--cipher", cipher.replace("-", "", 1) if "aes" in cipher else cipher,
                    "-i", inp, "-o", out]
            argv += self.recip(kind, who)
            if oaep:
                argv.append("--oaep")
            self.bc(argv, "CachetBC encrypt")
        elif op == "compress":
            self.bc(["compress", "-i", inp, "-o", out], "CachetBC compress")
        else:
            lacks("CachetBC works on CMS, not MIME (no S/MIME entity handling)")

    def recip(self, kind, who):
        c = self.c
        if kind == "cert":
            return ["--to", c.crt(who)]
        if kind == "kek":
            return ["--kek", KEK, "--kek-id", KEK_ID]
        return ["--password", PASSWORD]

    def open(self, op, alg, msg, content, out):
        c = self.c
        if op in ("sign", "sign-detached"):
            argv = ["verify", "-i", msg, "-o", out]
            if op == "sign-detached":
                argv = ["verify", "-i", msg, "--content", content]
            self.bc(argv, "CachetBC verify")
            if op == "sign-detached":
                shutil.copyfile(content, out)
        elif op == "encrypt":
            kind, who, cipher, oaep = ENCRYPT[alg]
            argv = ["decrypt", "-i", msg, "-o", out]
            if kind == "cert":
                argv += ["--cert", c.crt(who), "--key", c.key(who)]
            else:
                argv += self.recip(kind, who)
            self.bc(argv, "CachetBC decrypt")
        elif op == "compress":
            self.bc(["decompress", "-i", msg, "-o", out], "CachetBC decompress")
        else:
            lacks("CachetBC works on CMS, not MIME (no S/MIME entity handling)")


PEERS = (OpenSSLCms, OpenSSLSmime, NSS, Gpgsm, Certtool, BouncyCastle)


# ----------------------------------------------------------------- the matrix
class Cell:
    def __init__(self, peer, op, alg, direction, result, why=""):
        self.peer, self.op, self.alg = peer, op, alg
        self.direction, self.result, self.why = direction, result, why

    def name(self):
        return "%s %s %s %s" % (self.peer, self.direction, self.op, self.alg)

    def js(self):
        return {"peer": self.peer, "operation": self.op, "algorithm": self.alg,
                "direction": self.direction, "result": self.result, "why": self.why}


def cell_run(fn, known_gap=None):
    try:
        fn()
        return "pass", ""
    except Outcome as e:
        if e.kind == "fail" and e.who == "peer" and known_gap:
            return "lacks", "%s (the peer: %s)" % (known_gap, e.why)
        return e.kind, e.why


def peer_cases(P):
    return [(op, alg) for op, alg in all_cases() if op in P.scope]


def run_live(ctx, peer, cachet, save, cells):
    """Both directions of every case for one installed peer."""
    for op, alg in peer_cases(type(peer)):
        content = content_for(op)
        src = ctx.tmp("content" + (".txt" if op.startswith("smime") else ".bin"))
        open(src, "wb").write(content)

        # peer > cachet
        msg = ctx.tmp("peer" + ext(op))
        out = ctx.tmp("cachet.out")

        def p2c():
            peer.make(op, alg, src, msg)
            if save:
                d = os.path.join(save, peer.name)
                os.makedirs(d, exist_ok=True)
                shutil.copyfile(msg, os.path.join(d, "%s-%s%s" % (op, alg, ext(op))))
            cachet.open(op, alg, msg, src, out)
            same(out, content, op)
        r, why = cell_run(p2c, peer.lack(op, alg, "peer>cachet"))
        cells.append(Cell(peer.name, op, alg, "peer>cachet", r, why))

        # cachet > peer
        msg = ctx.tmp("cachet" + ext(op))
        out = ctx.tmp("peer.out")

        def c2p():
            cachet.make(op, alg, src, msg)
            peer.open(op, alg, msg, src, out)
            same(out, content, op)
        r, why = cell_run(c2p, peer.lack(op, alg, "cachet>peer"))
        cells.append(Cell(peer.name, op, alg, "cachet>peer", r, why))


def run_control(ctx, peer, cachet, cells):
    """The peer must reject a signed message whose content was changed after
    signing, or its passes above mean nothing."""
    op = "smime-sign" if "smime-sign" in type(peer).scope else "sign"
    if op not in type(peer).scope:
        return
    content = content_for(op)
    src = ctx.tmp("control.in")
    open(src, "wb").write(content)
    msg = ctx.tmp("control" + ext(op))
    out = ctx.tmp("control.out")

    def ctl():
        cachet.make(op, "rsa-sha256", src, msg)
        buf = bytearray(open(msg, "rb").read())
        needle = b"Interop test" if op == "smime-sign" else b"Cachet interop content"
        i = buf.find(needle)
        if i < 0:
            raise Outcome("fail", "control: the content is not in the message", "cachet")
        buf[i] ^= 0x20   # I -> i, C -> c: same length, different content
        open(msg, "wb").write(bytes(buf))
        try:
            peer.open(op, "rsa-sha256", msg, src, out)
        except Outcome as e:
            if e.who == "peer" or e.kind == "fail":
                return
            raise
        raise Outcome("fail", "the peer accepted a signed message whose content "
                      "was changed", "cachet")
    r, why = cell_run(ctl)
    cells.append(Cell(peer.name, "control", "tampered-signature", "cachet>peer", r, why))


def run_stored(ctx, cachet, cells, with_lacks):
    """Cachet opens the messages the peers made (vectors/interop/PEER/);
    WITH_LACKS: the cases they lack (PEER/LACKS) are cells too."""
    known = {("%s-%s" % c): c for c in all_cases()}
    for p in PEERS:
        d = os.path.join(ctx.stored, p.name)
        lackf = os.path.join(d, "LACKS")
        if with_lacks and os.path.exists(lackf):
            for line in open(lackf):
                line = line.rstrip("\n")
                if not line or line.startswith("#"):
                    continue
                case, why = line.split("\t", 1)
                op, alg = known[case]
                cells.append(Cell(p.name, op, alg, "stored>cachet", "lacks", why))
        if not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            base, e = os.path.splitext(f)
            if e not in (".der", ".eml"):
                continue
            if base not in known:
                cells.append(Cell(p.name, "?", base, "stored>cachet", "fail",
                                  "unknown case name %s" % f))
                continue
            op, alg = known[base]
            out = ctx.tmp("stored.out")
            src = ctx.tmp("content.bin")
            open(src, "wb").write(content_for(op))

            def s2c():
                cachet.open(op, alg, os.path.join(d, f), src, out)
                same(out, content_for(op), op)
            r, why = cell_run(s2c)
            cells.append(Cell(p.name, op, alg, "stored>cachet", r, why))


def stored_control(ctx, cachet, cells):
    """Cachet must refuse each peer's stored signed message once its content
    is changed, or the stored passes mean nothing."""
    for p in PEERS:
        f = os.path.join(ctx.stored, p.name, "sign-rsa-sha256.der")
        if not os.path.exists(f):
            continue
        buf = bytearray(open(f, "rb").read())
        i = buf.find(b"Cachet interop content")
        t = ctx.tmp("tampered.der")
        out = ctx.tmp("tampered.out")

        def ctl():
            if i < 0:
                raise Outcome("fail", "the content is not in %s" % f, "cachet")
            buf[i] ^= 0x20
            open(t, "wb").write(bytes(buf))
            try:
                cachet.open("sign", "rsa-sha256", t, None, out)
            except Outcome:
                if os.path.exists(out):
                    raise Outcome("fail", "cachet refused it but left %s" % out, "cachet")
                return
            raise Outcome("fail", "cachet accepted a changed signed message", "cachet")
        r, why = cell_run(ctl)
        cells.append(Cell(p.name, "control", "tampered-signature", "stored>cachet", r, why))


def render_text(cells, versions, out):
    peers = []
    for c in cells:
        if c.peer not in peers:
            peers.append(c.peer)
    dirs = []
    for c in cells:
        if c.direction not in dirs:
            dirs.append(c.direction)
    idx = {(c.peer, c.direction, c.op, c.alg): c for c in cells}
    cols = [(p, d) for p in peers for d in dirs
            if any(k[0] == p and k[1] == d for k in idx)]
    sym = {"pass": "pass", "fail": "FAIL", "lacks": "lacks", "absent": "ABSENT"}
    for p in peers:
        out.write("# %s: %s\n" % (p, versions.get(p, "")))
    head = "%-34s" % "case"
    for p, d in cols:
        head += " %-8s" % (p[:8])
    out.write(head + "\n")
    head = "%-34s" % ""
    for p, d in cols:
        head += " %-8s" % (d.replace("cachet", "C").replace("peer", "P")
                           .replace("stored", "S"))
    out.write(head + "\n")
    for op, alg in list(all_cases()) + [("control", "tampered-signature")]:
        line = "%-34s" % ("%s %s" % (op, alg))
        for p, d in cols:
            c = idx.get((p, d, op, alg))
            line += " %-8s" % (sym.get(c.result, c.result) if c else "-")
        out.write(line + "\n")
    out.write("(P>C: the peer made the message, cachet opened it; C>P: the other "
              "way; S>C: cachet opened the peer's message kept in vectors/interop)\n")
    for c in cells:
        if c.result != "pass":
            out.write("  %s: %s: %s\n" % (c.name(), c.result, c.why))


def render_md(cells, versions, totals):
    o = ["# Cachet interop matrix", "",
         "Generated by `make interop` (conformance/interop.py).  P>C: the peer "
         "made the message and Cachet opened it; C>P: Cachet made it and the peer "
         "opened it; S>C: Cachet opened the message the peer made earlier, kept "
         "in `vectors/interop/`.", "",
         "Totals: %(pass)d passed / %(total)d cells (%(fail)d failed, "
         "%(lacks)d peer lacks feature)." % totals, "", "## Peers", ""]
    for p, v in versions.items():
        o.append("- `%s`: %s" % (p, v))
    o += ["", "## Cells", "", "| peer | direction | operation | algorithm | result | why |",
          "|---|---|---|---|---|---|"]
    for c in cells:
        o.append("| %s | %s | %s | %s | %s | %s |" % (
            c.peer, c.direction, c.op, c.alg,
            {"lacks": "peer lacks feature"}.get(c.result, c.result),
            c.why.replace("|", "\\|")))
    return "\n".join(o) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cachet", required=True)
    ap.add_argument("--srcdir", default=".")
    ap.add_argument("--pki", help="default SRCDIR/vectors/pki")
    ap.add_argument("--stored", help="default SRCDIR/vectors/interop")
    ap.add_argument("--peers", help="comma-separated peer names (default: all)")
    ap.add_argument("--require-peers", action="store_true",
                    help="a peer that is not installed fails its cells")
    ap.add_argument("--stored-only", action="store_true",
                    help="only open the stored peer messages")
    ap.add_argument("--save", help="write the peer-made messages into this "
                    "directory (PEER/CASE.der), with VERSIONS and LACKS")
    ap.add_argument("--json")
    ap.add_argument("--md")
    ap.add_argument("--tap", action="store_true")
    args = ap.parse_args()
    args.pki = args.pki or os.path.join(args.srcdir, "vectors", "pki")
    args.stored = args.stored or os.path.join(args.srcdir, "vectors", "interop")
    ctx = Ctx(args)
    cachet = Cachet(ctx)
    cells = []
    versions = {}
    try:
        if not args.stored_only:
            for P in PEERS:
                if args.peers and P.name not in args.peers.split(","):
                    continue
                peer = P(ctx)
                if not peer.installed():
                    r = "fail" if args.require_peers else "absent"
                    why = "peer not installed (needs %s)" % peer.needs()
                    versions[P.name] = "not installed"
                    for op, alg in peer_cases(P):
                        for d in ("peer>cachet", "cachet>peer"):
                            cells.append(Cell(P.name, op, alg, d, r, why))
                    continue
                try:
                    peer.setup()
                except Outcome as e:
                    versions[P.name] = "setup failed: " + e.why
                    for op, alg in peer_cases(P):
                        for d in ("peer>cachet", "cachet>peer"):
                            cells.append(Cell(P.name, op, alg, d, "fail",
                                              "setup: " + e.why))
                    continue
                versions[P.name] = peer.version()
                first = len(cells)
                try:
                    run_live(ctx, peer, cachet, args.save, cells)
                    run_control(ctx, peer, cachet, cells)
                finally:
                    peer.teardown()
                if args.save:
                    d = os.path.join(args.save, P.name)
                    os.makedirs(d, exist_ok=True)
                    with open(os.path.join(d, "LACKS"), "w") as f:
                        f.write("# cases %s lacks (made by conformance/interop.py --save)\n"
                                % P.name)
                        for c in cells[first:]:
                            if c.direction == "peer>cachet" and c.result == "lacks":
                                f.write("%s-%s\t%s\n" % (c.op, c.alg, c.why))
        if args.save:
            with open(os.path.join(args.save, "VERSIONS"), "w") as f:
                f.write("# the peers that made the messages in this directory "
                        "(conformance/interop.py --save)\n")
                for p, v in versions.items():
                    f.write("%s\t%s\n" % (p, v))
        if args.stored_only or not args.save:
            first = len(cells)
            run_stored(ctx, cachet, cells, args.stored_only)
            stored_control(ctx, cachet, cells)
            if not any(c.result in ("pass", "fail") for c in cells[first:]):
                # An empty or misplaced vectors/interop must not pass as
                # "nothing to check".
                cells.append(Cell("-", "stored", "-", "stored>cachet", "fail",
                                  "no peer-made message found in %s" % ctx.stored))
    finally:
        shutil.rmtree(ctx.work, ignore_errors=True)

    totals = {"pass": sum(c.result == "pass" for c in cells),
              "fail": sum(c.result == "fail" for c in cells),
              "lacks": sum(c.result == "lacks" for c in cells),
              "absent": sum(c.result == "absent" for c in cells)}
    totals["total"] = len(cells)
    if args.tap:
        n = 0
        for c in cells:
            if c.result in ("pass", "fail"):
                n += 1
                print("%s %d - %s%s" % ("ok" if c.result == "pass" else "not ok", n,
                                        c.name(), "" if c.result == "pass" else ": " + c.why))
            else:
                print("# %s: %s: %s" % (c.name(), "peer lacks feature"
                                        if c.result == "lacks" else "peer not installed", c.why))
        print("1..%d" % n)
    else:
        render_text(cells, versions, sys.stdout)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"versions": versions, "totals": totals,
                       "cells": [c.js() for c in cells]}, f, indent=1)
    if args.md:
        with open(args.md, "w") as f:
            f.write(render_md(cells, versions, totals))
    line = ("interop: %(pass)d passed / %(total)d cells (%(fail)d failed, "
            "%(lacks)d peer lacks feature" % totals)
    if totals["absent"]:
        line += ", %d peer not installed" % totals["absent"]
    print(("# " if args.tap else "") + line + ")")
    return 1 if totals["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
