#!/usr/bin/env python3
"""envutil.py -- DER/BER walking, editing and S/MIME unwrapping for the
encryption tests (tests/vectors-enveloped.sh, tests/enc-negative.sh,
tests/interop-*.sh).  Standard library only.

Commands (FILE is DER/BER, or PEM with a "-----BEGIN" line):
  der FILE OUT               PEM (any label) to DER; DER is copied
  mime FILE OUT [TYPE]       the first MIME part whose Content-Type
                             contains TYPE (default "pkcs7-mime"),
                             transfer-decoded, to OUT: the CMS object of an
                             S/MIME message (RFC 8551 section 3.2)
  pem-bags FILE PREFIX       split `openssl pkcs12 -nodes` output into
                             PREFIX-N.crt/PREFIX-N.key pairs (matched by
                             localKeyID); prints "CRT KEY" per pair
  parts FILE                 JSON: content type and byte offsets of the
                             parts of an EnvelopedData (RFC 5652 section 6),
                             AuthEnvelopedData (RFC 5083) or EncryptedData
                             (RFC 5652 section 8)
  ctype FILE                 the inner content-type name (envelopedData,
                             signedData, data...), or "?"
  ct-offset FILE INDEX       file offset of byte INDEX (negative: from the
                             end) of the encryptedContent octets, across
                             the chunks of a constructed OCTET STRING
  flip FILE OFFSET OUT [MASK]  copy with byte OFFSET xor MASK (default 0x01)
  to-enveloped FILE OUT      AuthEnvelopedData -> EnvelopedData: the outer
                             contentType becomes id-envelopedData, authAttrs,
                             mac and unauthAttrs are dropped (the AEAD
                             algorithm stays: an AEAD inside EnvelopedData)
  to-authenveloped FILE OUT  EnvelopedData -> AuthEnvelopedData: contentType
                             id-ct-authEnvelopedData, version 0,
                             unprotectedAttrs dropped, a 16-octet mac added
                             (the CBC algorithm stays)
  add-authattrs FILE OUT     insert authAttrs (one content-type attribute,
                             id-data) into an AuthEnvelopedData that has none:
                             well-formed, but not what the tag covers
Output of edits is DER with definite lengths (indefinite lengths of the
input are re-encoded as definite).
"""
import base64
import email
import email.policy
import json
import sys

OIDS = {
    "1.2.840.113549.1.7.1": "data",
    "1.2.840.113549.1.7.2": "signedData",
    "1.2.840.113549.1.7.3": "envelopedData",
    "1.2.840.113549.1.7.4": "signedAndEnvelopedData",
    "1.2.840.113549.1.7.5": "digestedData",
    "1.2.840.113549.1.7.6": "encryptedData",
    "1.2.840.113549.1.9.16.1.2": "authenticatedData",
    "1.2.840.113549.1.9.16.1.9": "compressedData",
    "1.2.840.113549.1.9.16.1.23": "authEnvelopedData",
}
NAMES = {v: k for k, v in OIDS.items()}


class DerError(Exception):
    pass


class Node:
    """One TLV of the input.  off: first tag byte; hlen: tag + length
    bytes; clen: content length (None when indefinite); end: first byte
    after the element (after the end-of-contents octets)."""

    def __init__(self, buf, off, tag, cons, hlen, clen):
        self.buf = buf
        self.off = off
        self.tag = tag  # the identifier octet(s) as bytes
        self.cons = cons
        self.hlen = hlen
        self.clen = clen
        self.children = []
        self.end = None
        self.value = None  # replacement content for primitives (edits)

    @property
    def cstart(self):
        return self.off + self.hlen

    @property
    def content(self):
        if self.value is not None:
            return self.value
        return bytes(self.buf[self.cstart:self.cstart + self.clen])

    def is_tag(self, b):
        return self.tag == bytes([b])

    def encode(self):
        if self.cons:
            body = b"".join(c.encode() for c in self.children)
        else:
            body = self.content
        return self.tag + enc_len(len(body)) + body


def enc_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def parse(buf, off=0, end=None, depth=0):
    """Parse one element at OFF; returns the Node."""
    if end is None:
        end = len(buf)
    if depth > 64:
        raise DerError("too deep")
    if off >= end:
        raise DerError("truncated at %d" % off)
    p = off
    first = buf[p]
    p += 1
    if first & 0x1F == 0x1F:
        while True:
            if p >= end:
                raise DerError("truncated tag")
            p += 1
            if not buf[p - 1] & 0x80:
                break
    tag = bytes(buf[off:p])
    cons = bool(first & 0x20)
    if p >= end:
        raise DerError("truncated length")
    lb = buf[p]
    p += 1
    if lb == 0x80:
        clen = None
    elif lb & 0x80:
        n = lb & 0x7F
        if p + n > end:
            raise DerError("truncated length")
        clen = int.from_bytes(buf[p:p + n], "big")
        p += n
    else:
        clen = lb
    node = Node(buf, off, tag, cons, p - off, clen)
    if clen is None:
        if not cons:
            raise DerError("indefinite primitive")
        q = p
        while True:
            if q + 2 <= end and buf[q] == 0 and buf[q + 1] == 0:
                node.end = q + 2
                break
            c = parse(buf, q, end, depth + 1)
            node.children.append(c)
            q = c.end
    else:
        if p + clen > end:
            raise DerError("truncated content at %d" % off)
        node.end = p + clen
        if cons:
            q = p
            while q < p + clen:
                c = parse(buf, q, p + clen, depth + 1)
                node.children.append(c)
                q = c.end
    return node


def oid_str(content):
    arcs = []
    v = 0
    for b in content:
        v = (v << 7) | (b & 0x7F)
        if not b & 0x80:
            arcs.append(v)
            v = 0
    if not arcs:
        return ""
    first = min(arcs[0] // 40, 2)
    return ".".join(str(x) for x in [first, arcs[0] - 40 * first] + arcs[1:])


def oid_enc(s):
    arcs = [int(x) for x in s.split(".")]
    vals = [arcs[0] * 40 + arcs[1]] + arcs[2:]
    out = bytearray()
    for v in vals:
        chunk = [v & 0x7F]
        v >>= 7
        while v:
            chunk.append(0x80 | (v & 0x7F))
            v >>= 7
        out += bytes(reversed(chunk))
    return bytes([0x06]) + enc_len(len(out)) + bytes(out)


def prim(tag, content):
    """A new primitive node (for edits)."""
    n = Node(b"", 0, bytes([tag]), False, 0, len(content))
    n.value = content
    return n


def raw(data):
    """A node that encodes as the given bytes verbatim."""
    n = parse(data)
    n.buf = data
    return n


def read_input(path):
    with open(path, "rb") as f:
        data = f.read()
    if b"-----BEGIN " in data:
        lines = data.decode("latin-1").splitlines()
        out, on = [], False
        for ln in lines:
            if ln.startswith("-----BEGIN "):
                on = True
                continue
            if ln.startswith("-----END "):
                break
            if on and ":" not in ln:
                out.append(ln.strip())
        data = base64.b64decode("".join(out))
    return data


def content_info(data):
    ci = parse(data)
    if not ci.is_tag(0x30) or len(ci.children) < 2:
        raise DerError("not a ContentInfo")
    oid = oid_str(ci.children[0].content)
    return ci, oid, ci.children[1].children[0]


def find_parts(data):
    ci, oid, body = content_info(data)
    kind = OIDS.get(oid, oid)
    res = {"type": kind, "ctype_off": ci.children[0].off}
    kids = body.children
    i = 1
    if kind == "encryptedData":
        eci = kids[1]
        i = 2
    else:
        if i < len(kids) and kids[i].is_tag(0xA0):
            i += 1  # originatorInfo
        ris = kids[i]
        i += 1
        eci = kids[i]
        i += 1
        eks = []
        rkinds = []
        for ri in ris.children:
            if ri.is_tag(0x30):
                rkinds.append("ktri")
                ek = ri.children[-1]
            elif ri.is_tag(0xA1):
                rkinds.append("kari")
                ek = ri.children[-1].children[0].children[-1]
            elif ri.is_tag(0xA2):
                rkinds.append("kekri")
                ek = ri.children[-1]
            elif ri.is_tag(0xA3):
                rkinds.append("pwri")
                ek = ri.children[-1]
            else:
                rkinds.append("other")
                continue
            eks.append(ek.cstart)
        res["recipients"] = rkinds
        res["ek_offs"] = eks
    alg = eci.children[1]
    res["alg"] = oid_str(alg.children[0].content)
    if len(alg.children) > 1:
        prm = alg.children[1]
        if prm.is_tag(0x04):
            res["iv_off"] = prm.cstart
        elif prm.is_tag(0x30) and prm.children and prm.children[0].is_tag(0x04):
            res["iv_off"] = prm.children[0].cstart  # GCMParameters nonce
    if len(eci.children) > 2:
        chunks = octet_chunks(eci.children[2])
        res["ct_len"] = sum(n for _, n in chunks)
        res["ct_off"] = chunks[0][0] if chunks else None
    if kind == "authEnvelopedData":
        rest = kids[i:]
        res["authattrs"] = bool(rest and rest[0].is_tag(0xA1))
        if res["authattrs"]:
            res["authattrs_off"] = rest[0].off
        mac = [n for n in rest if n.is_tag(0x04)]
        if mac:
            res["mac_off"] = mac[0].cstart
            res["mac_len"] = mac[0].clen
    return res


def octet_chunks(node):
    """(file offset, length) of the content octets of a [0] IMPLICIT
    OCTET STRING, primitive or constructed."""
    if not node.cons:
        return [(node.cstart, node.clen)]
    out = []
    for c in node.children:
        out.extend(octet_chunks(c))
    return out


def ct_offset(data, index):
    ci, oid, body = content_info(data)
    kids = body.children
    eci = [k for k in kids if k.is_tag(0x30) and len(k.children) >= 2
           and k.children[0].is_tag(0x06)][0]
    chunks = octet_chunks(eci.children[2])
    total = sum(n for _, n in chunks)
    if index < 0:
        index += total
    if not 0 <= index < total:
        raise DerError("index out of range")
    for off, n in chunks:
        if index < n:
            return off + index
        index -= n
    raise DerError("not reached")


def flatten_ci(data):
    """Parse into a tree whose re-encoding is definite-length DER-like."""
    ci = parse(data)
    return ci


def to_enveloped(data):
    ci, oid, body = content_info(data)
    if OIDS.get(oid) != "authEnvelopedData":
        raise DerError("not an AuthEnvelopedData")
    ci.children[0] = raw(oid_enc(NAMES["envelopedData"]))
    kids = body.children
    keep = []
    for k in kids:
        if k.is_tag(0xA1) or k.is_tag(0xA2) or k.is_tag(0x04):
            continue  # authAttrs, unauthAttrs, mac
        keep.append(k)
    body.children = keep
    return ci.encode()


def to_authenveloped(data):
    ci, oid, body = content_info(data)
    if OIDS.get(oid) != "envelopedData":
        raise DerError("not an EnvelopedData")
    ci.children[0] = raw(oid_enc(NAMES["authEnvelopedData"]))
    kids = [k for k in body.children if not k.is_tag(0xA1)]
    kids[0] = prim(0x02, b"\x00")
    kids.append(prim(0x04, bytes(range(16))))
    body.children = kids
    return ci.encode()


def add_authattrs(data):
    ci, oid, body = content_info(data)
    if OIDS.get(oid) != "authEnvelopedData":
        raise DerError("not an AuthEnvelopedData")
    kids = body.children
    if any(k.is_tag(0xA1) for k in kids):
        raise DerError("already has authAttrs")
    ctoid = oid_enc("1.2.840.113549.1.9.3")
    val = oid_enc(NAMES["data"])
    setv = b"\x31" + enc_len(len(val)) + val
    attr = ctoid + setv
    attr = b"\x30" + enc_len(len(attr)) + attr
    aa = b"\xa1" + enc_len(len(attr)) + attr
    pos = [i for i, k in enumerate(kids) if k.is_tag(0x04)][0]
    kids.insert(pos, raw(aa))
    return ci.encode()


def mime_extract(path, want):
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.compat32)
    for part in msg.walk():
        ct = (part.get("Content-Type") or "").lower()
        if want in ct and not part.is_multipart():
            data = part.get_payload(decode=True)
            if data:
                return data
    raise DerError("no MIME part with a Content-Type containing %r" % want)


def pem_bags(path, prefix):
    """Split `openssl pkcs12 -nodes` output into certificate/key pairs
    matched by their localKeyID bag attribute; print one "CRT KEY" line
    per pair (certificates without a key, i.e. CA certificates, are
    left out)."""
    text = open(path, encoding="latin-1").read().splitlines()
    blocks = []
    attrs = {}
    cur = None
    for ln in text:
        s = ln.strip()
        if s.startswith("localKeyID:"):
            attrs["id"] = s.split(":", 1)[1].strip()
        elif s.startswith("-----BEGIN "):
            cur = [ln]
        elif s.startswith("-----END ") and cur is not None:
            cur.append(ln)
            label = s[9:].rstrip("-")
            blocks.append((label, attrs.get("id"), "\n".join(cur) + "\n"))
            cur = None
            attrs = {}
        elif cur is not None:
            cur.append(ln)
    keys = [(i, b) for lab, i, b in blocks if "PRIVATE KEY" in lab]
    certs = [(i, b) for lab, i, b in blocks if lab == "CERTIFICATE"]
    n = 0
    for kid, kb in keys:
        match = [cb for cid, cb in certs if cid is not None and cid == kid]
        if not match and len(keys) == 1 and certs:
            match = [certs[0][1]]
        if not match:
            continue
        n += 1
        crt, key = "%s-%d.crt" % (prefix, n), "%s-%d.key" % (prefix, n)
        open(crt, "w").write(match[0])
        open(key, "w").write(kb)
        print(crt, key)
    if n == 0:
        raise DerError("no certificate/key pair in %s" % path)


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    cmd = argv[1]
    try:
        if cmd == "der":
            out = read_input(argv[2])
            open(argv[3], "wb").write(out)
        elif cmd == "mime":
            want = argv[4].lower() if len(argv) > 4 else "pkcs7-mime"
            open(argv[3], "wb").write(mime_extract(argv[2], want))
        elif cmd == "pem-bags":
            pem_bags(argv[2], argv[3])
        elif cmd == "parts":
            print(json.dumps(find_parts(read_input(argv[2]))))
        elif cmd == "ctype":
            try:
                _, oid, _ = content_info(read_input(argv[2]))
                print(OIDS.get(oid, oid))
            except (DerError, IndexError, ValueError):
                print("?")
        elif cmd == "ct-offset":
            print(ct_offset(read_input(argv[2]), int(argv[3])))
        elif cmd == "flip":
            data = bytearray(read_input(argv[2]))
            off = int(argv[3], 0)
            mask = int(argv[5], 0) if len(argv) > 5 else 1
            data[off] ^= mask
            open(argv[4], "wb").write(bytes(data))
        elif cmd in ("to-enveloped", "to-authenveloped", "add-authattrs"):
            fn = {"to-enveloped": to_enveloped,
                  "to-authenveloped": to_authenveloped,
                  "add-authattrs": add_authattrs}[cmd]
            open(argv[3], "wb").write(fn(read_input(argv[2])))
        else:
            sys.stderr.write("envutil.py: unknown command %s\n" % cmd)
            return 2
    except (DerError, IndexError, ValueError, OSError) as e:
        sys.stderr.write("envutil.py %s: %s\n" % (cmd, e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
