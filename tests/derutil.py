#!/usr/bin/env python3
"""derutil.py -- a tiny BER/DER walker and editor for the shell tests.

It reads definite and indefinite lengths, finds the parts of a
ContentInfo(SignedData) the negative tests need, and writes edited copies
back out (definite lengths are recomputed, indefinite ones kept).

Commands (FILE is DER/BER, or PEM with a "-----BEGIN" line):
  offsets FILE [SIGNER]        JSON: byte offsets of the signer's parts
  flip FILE OFFSET OUT [MASK]  copy FILE to OUT with byte OFFSET xor MASK (0x01)
  dup-attr FILE OID OUT        duplicate signed attribute OID in signer 0
  dup-value FILE OID OUT       give signed attribute OID of signer 0 its
                               first value twice (attrValues of two; the
                               SET stays in DER order)
  empty-signers FILE OUT       replace the SignerInfos SET with an empty one
  unsigned-copy FILE OID OUT   copy signed attribute OID of signer 0 into its
                               unsignedAttrs (made when absent)
  add-signed FILE OID HEX OUT  add the signed attribute OID to signer 0, its
                               values the DER in HEX (DER order kept)
  drop-signed FILE OUT         remove signer 0's signedAttrs
  set-content-type FILE OID OUT  make eContentType OID, SignedData version
                               3, and signer 0's content-type attribute OID
  resign FILE KEY OUT          sign signer 0 again with the RSA KEY (PKCS #1
                               v1.5, SHA-256; openssl): its signedAttrs, or
                               the eContent when it has none
  set-attr FILE OID OUT [HEX...]
                               give signed attribute OID of signer 0 the
                               DER values HEX (none: an empty attrValues),
                               adding the attribute when it is missing;
                               the SET OF is put back in DER order
  del-attr FILE OID OUT        remove signed attribute OID of signer 0
  set-sigalg FILE HEX OUT      signer 0's signatureAlgorithm becomes the DER
                               AlgorithmIdentifier HEX, and so does the one
                               in its cmsAlgorithmProtection attribute
  signed-attrs FILE OUT        the DER signer 0's signature covers (its
                               signedAttrs with the SET OF tag)
  set-signature FILE SIG OUT   signer 0's signature value becomes the
                               octets of file SIG
  der FILE OUT                 PEM to DER (or copy DER)
  dump FILE                    print the tree (offset, tag, length)
  report JSON QUERY            one field of a `cachet verify --json` report:
                                 result | code | signers | top:CHECK:FIELD |
                                 signer:I:FIELD | check:I:CHECK:FIELD
                               (FIELD: status, code, rule, detail, verdict...;
                               null prints "null", a missing check "absent";
                               of a check reported twice, a failing entry)
"""
import base64
import json
import os
import subprocess
import sys
import tempfile

OIDS = {
    "1.2.840.113549.1.7.1": "data",
    "1.2.840.113549.1.7.2": "signedData",
    "1.2.840.113549.1.9.3": "contentType",
    "1.2.840.113549.1.9.4": "messageDigest",
    "1.2.840.113549.1.9.5": "signingTime",
    "1.2.840.113549.1.9.6": "countersignature",
    "1.2.840.113549.1.9.15": "smimeCapabilities",
    "1.2.840.113549.1.9.52": "cmsAlgorithmProtection",
    "1.2.840.113549.1.9.16.2.11": "encrypKeyPref",
    "1.2.840.113549.1.9.16.2.12": "signingCertificate",
    "1.2.840.113549.1.9.16.2.47": "signingCertificateV2",
}
NAMES = {v: k for k, v in OIDS.items()}


class DerError(Exception):
    pass


class Node:
    """One TLV.  off: first byte of the tag; hlen: tag+length bytes;
    clen: content length (None: indefinite); end: first byte after the
    element (after the end-of-contents octets when indefinite)."""

    def __init__(self, buf, off, tag_bytes, cls, cons, num, hlen, clen):
        self.buf = buf
        self.off = off
        self.tag_bytes = tag_bytes
        self.cls = cls
        self.cons = cons
        self.num = num
        self.hlen = hlen
        self.clen = clen
        self.children = []
        self.end = None

    @property
    def cstart(self):
        return self.off + self.hlen

    @property
    def content(self):
        if self.cons:
            raise DerError("content of a constructed element")
        return self.buf[self.cstart:self.cstart + self.clen]

    def is_univ(self, num):
        return self.cls == 0 and self.num == num

    def is_ctx(self, num):
        return self.cls == 2 and self.num == num

    def desc(self):
        cls = ["UNIV", "APPL", "CTX", "PRIV"][self.cls]
        return "%s %d%s" % (cls, self.num, " cons" if self.cons else "")


def parse_one(buf, off, end, depth=0):
    if depth > 64:
        raise DerError("too deep")
    if off >= end:
        raise DerError("truncated at %d" % off)
    start = off
    b = buf[off]
    off += 1
    cls, cons, num = b >> 6, bool(b & 0x20), b & 0x1F
    if num == 0x1F:
        num = 0
        while True:
            if off >= end:
                raise DerError("truncated tag at %d" % start)
            c = buf[off]
            off += 1
            num = (num << 7) | (c & 0x7F)
            if not c & 0x80:
                break
    tag_bytes = bytes(buf[start:off])
    if off >= end:
        raise DerError("truncated length at %d" % start)
    lb = buf[off]
    off += 1
    if lb == 0x80:
        clen = None
        if not cons:
            raise DerError("indefinite primitive at %d" % start)
    elif lb & 0x80:
        n = lb & 0x7F
        if n == 0 or n > 8 or off + n > end:
            raise DerError("bad length at %d" % start)
        clen = int.from_bytes(buf[off:off + n], "big")
        off += n
    else:
        clen = lb
    node = Node(buf, start, tag_bytes, cls, cons, num, off - start, clen)
    if clen is not None:
        cend = off + clen
        if cend > end:
            raise DerError("element at %d runs past its parent" % start)
        if cons:
            p = off
            while p < cend:
                child = parse_one(buf, p, cend, depth + 1)
                node.children.append(child)
                p = child.end
        node.end = cend
    else:
        p = off
        while True:
            if p + 2 <= end and buf[p] == 0 and buf[p + 1] == 0:
                node.end = p + 2
                break
            child = parse_one(buf, p, end, depth + 1)
            node.children.append(child)
            p = child.end
    return node


def parse(buf):
    root = parse_one(buf, 0, len(buf))
    if root.end != len(buf):
        raise DerError("%d trailing bytes" % (len(buf) - root.end))
    return root


def enc_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def encode(node):
    """Re-encode NODE from its (possibly edited) children; primitive
    elements keep their bytes unless node.new_content is set."""
    if not node.cons:
        data = getattr(node, "new_content", None)
        if data is None:
            data = bytes(node.content)
        return node.tag_bytes + enc_len(len(data)) + data
    body = b"".join(encode(c) for c in node.children)
    if node.clen is None:
        return node.tag_bytes + b"\x80" + body + b"\x00\x00"
    return node.tag_bytes + enc_len(len(body)) + body


def decode_oid(data):
    arcs, v = [], 0
    for c in data:
        v = (v << 7) | (c & 0x7F)
        if not c & 0x80:
            arcs.append(v)
            v = 0
    if not arcs:
        return ""
    first = arcs[0]
    x = min(first // 40, 2)
    return ".".join(str(a) for a in [x, first - 40 * x] + arcs[1:])


def encode_oid(dotted):
    arcs = [int(a) for a in dotted.split(".")]
    if len(arcs) < 2:
        raise DerError("OID %r has fewer than two arcs" % dotted)
    out = bytearray()
    for v in [40 * arcs[0] + arcs[1]] + arcs[2:]:
        chunk = [v & 0x7F]
        v >>= 7
        while v:
            chunk.append(0x80 | (v & 0x7F))
            v >>= 7
        out += bytes(reversed(chunk))
    return bytes(out)


def tlv(tag, content):
    return bytes([tag]) + enc_len(len(content)) + bytes(content)


def node_of(data):
    """A parsed Node for the DER DATA (to insert into another tree)."""
    return parse(bytearray(data))


def der_sort(set_node):
    """Put a SET OF's children into DER order (X.690 section 11.6)."""
    set_node.children.sort(key=encode)


def read_input(path):
    with open(path, "rb") as f:
        data = f.read()
    if data.lstrip().startswith(b"-----BEGIN"):
        lines = data.decode("ascii").splitlines()
        body = [l for l in lines if l and not l.startswith("-----")]
        data = base64.b64decode("".join(body))
    return bytearray(data)


def signed_data(root):
    """Return the SignedData SEQUENCE node of a ContentInfo."""
    if not root.is_univ(16) or len(root.children) < 2:
        raise DerError("not a ContentInfo")
    oid = decode_oid(root.children[0].content)
    if oid != NAMES["signedData"]:
        raise DerError("content type %s is not signedData" % oid)
    explicit = root.children[1]
    if not explicit.is_ctx(0) or not explicit.children:
        raise DerError("no [0] content")
    sd = explicit.children[0]
    if not sd.is_univ(16):
        raise DerError("SignedData is not a SEQUENCE")
    return sd


def signer_infos(sd):
    last = sd.children[-1]
    if not last.is_univ(17):
        raise DerError("last SignedData element is not a SET")
    return last


def signer_parts(si):
    """Return a dict of the SignerInfo's parts."""
    kids = si.children
    parts = {"signerInfo": si, "sid": kids[1], "digestAlgorithm": kids[2]}
    i = 3
    if kids[i].is_ctx(0):
        parts["signedAttrs"] = kids[i]
        i += 1
    parts["signatureAlgorithm"] = kids[i]
    parts["signature"] = kids[i + 1]
    return parts


def attributes(signed_attrs):
    """Yield (name, oid, attr node, values SET node)."""
    for attr in signed_attrs.children:
        oid = decode_oid(attr.children[0].content)
        yield OIDS.get(oid, oid), oid, attr, attr.children[1]


def first_primitive(node):
    while node.cons:
        node = node.children[0]
    return node


def last_primitive(node):
    while node.cons:
        node = node.children[-1]
    return node


def primitives(node):
    if not node.cons:
        yield node
        return
    for c in node.children:
        yield from primitives(c)


def flip_target(buf, value):
    """Choose one byte of an attribute value whose change keeps the value
    well formed but makes it say something else: [offset, xor mask].
      time (UTCTime/GeneralizedTime): the last digit of the seconds
      OCTET STRING anywhere inside (digest, certHash): its last byte
      otherwise the first OBJECT IDENTIFIER's last byte; for a SHA-2
      digest OID (2.16.840.1.101.3.4.2.1..3) the mask turns it into
      another SHA-2 OID"""
    prims = list(primitives(value))
    for p in prims:
        if p.cls == 0 and p.num in (23, 24):
            return [p.cstart + p.clen - 2, 1]
    for p in prims:
        if p.cls == 0 and p.num == 4 and p.clen > 0:
            return [p.cstart + p.clen - 1, 1]
    for p in prims:
        if p.cls == 0 and p.num == 6 and p.clen > 0:
            off = p.cstart + p.clen - 1
            oid = decode_oid(p.content)
            if oid.startswith("2.16.840.1.101.3.4.2.") and buf[off] in (1, 2, 3):
                return [off, {1: 3, 2: 1, 3: 2}[buf[off]]]
            return [off, 1]
    p = prims[0]
    return [p.cstart, 1]


def cmd_offsets(path, idx=0):
    buf = read_input(path)
    root = parse(buf)
    sd = signed_data(root)
    sis = signer_infos(sd)
    si = sis.children[idx]
    parts = signer_parts(si)
    out = {
        "size": len(buf),
        "contentInfoEnd": root.end,
        "signerInfos": sis.off,
        "signerInfo": si.off,
        "signerInfoEnd": si.end,
    }
    # eContentType's OID, and eContent: the first primitive OCTET STRING
    # inside eContentInfo [0]
    eci = sd.children[2]
    out["eContentType"] = eci.children[0].cstart
    out["eContentTypeLength"] = eci.children[0].clen
    if len(eci.children) > 1:
        p = first_primitive(eci.children[1])
        out["eContent"] = p.cstart
        out["eContentLength"] = p.clen
    sig = parts["signature"]
    out["signature"] = sig.cstart
    out["signatureLength"] = sig.clen
    sa = parts.get("signedAttrs")
    attrs = {}
    if sa is not None:
        out["signedAttrs"] = sa.off
        for name, oid, attr, values in attributes(sa):
            value = values.children[0]
            p = first_primitive(value)
            attrs[name] = {
                "oid": oid,
                "attr": attr.off,
                "attrEnd": attr.end,
                "value": value.off,
                "valueEnd": value.end,
                "valueTag": value.num,
                "flip": flip_target(buf, value),
            }
    out["attrs"] = attrs
    print(json.dumps(out, indent=1, sort_keys=True))


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def cmd_flip(path, off, out, mask=1):
    buf = read_input(path)
    off = int(off, 0)
    if not 0 <= off < len(buf):
        raise DerError("offset %d outside 0..%d" % (off, len(buf) - 1))
    buf[off] ^= int(mask, 0) if isinstance(mask, str) else mask
    write(out, bytes(buf))


def cmd_dup_attr(path, oid, out):
    oid = NAMES.get(oid, oid)
    buf = read_input(path)
    root = parse(buf)
    si = signer_infos(signed_data(root)).children[0]
    sa = signer_parts(si).get("signedAttrs")
    if sa is None:
        raise DerError("no signedAttrs")
    for i, (_, aoid, attr, _) in enumerate(list(attributes(sa))):
        if aoid == oid:
            sa.children.insert(i + 1, attr)
            write(out, encode(root))
            return
    raise DerError("no attribute %s" % oid)


def cmd_dup_value(path, oid, out):
    oid = NAMES.get(oid, oid)
    buf = read_input(path)
    root = parse(buf)
    si = signer_infos(signed_data(root)).children[0]
    sa = signer_parts(si).get("signedAttrs")
    if sa is None:
        raise DerError("no signedAttrs")
    for _, aoid, _, values in attributes(sa):
        if aoid == oid:
            values.children.append(values.children[0])
            der_sort(sa)  # the attribute grew: keep the SET in DER order
            write(out, encode(root))
            return
    raise DerError("no attribute %s" % oid)


def _signer0(path):
    root = parse(read_input(path))
    si = first_signer(root)
    return root, si, signer_parts(si)


def _signed_attrs(parts):
    sa = parts.get("signedAttrs")
    if sa is None:
        raise DerError("no signedAttrs")
    return sa


def cmd_set_attr(path, oid, out, *values):
    oid = NAMES.get(oid, oid)
    root, _, parts = _signer0(path)
    sa = _signed_attrs(parts)
    vals = [parse(bytearray.fromhex(v)) for v in values]
    for _, aoid, _, vset in attributes(sa):
        if aoid == oid:
            vset.children = vals
            break
    else:
        body = tlv(0x06, encode_oid(oid)) + b"\x31" + enc_len(0)
        attr = parse(bytearray(b"\x30" + enc_len(len(body)) + body))
        attr.children[1].children = vals
        sa.children.append(attr)
    der_sort(sa)
    write(out, encode(root))


def cmd_del_attr(path, oid, out):
    oid = NAMES.get(oid, oid)
    root, _, parts = _signer0(path)
    sa = _signed_attrs(parts)
    keep = [a for _, aoid, a, _ in attributes(sa) if aoid != oid]
    if len(keep) == len(sa.children):
        raise DerError("no attribute %s" % oid)
    sa.children = keep
    write(out, encode(root))


def cmd_set_sigalg(path, alg, out):
    root, si, parts = _signer0(path)
    der = bytearray.fromhex(alg)
    si.children[si.children.index(parts["signatureAlgorithm"])] = parse(der)
    sa = parts.get("signedAttrs")
    for _, aoid, _, vset in attributes(sa) if sa is not None else []:
        if aoid == NAMES["cmsAlgorithmProtection"]:
            prot = vset.children[0]
            for i, c in enumerate(prot.children):
                if c.is_ctx(1):
                    n = parse(der)
                    n.tag_bytes, n.cls, n.num = b"\xa1", 2, 1
                    prot.children[i] = n
            der_sort(sa)
    write(out, encode(root))


def cmd_signed_attrs(path, out):
    _, _, parts = _signer0(path)
    sa = _signed_attrs(parts)
    data = encode(sa)
    write(out, b"\x31" + data[1:])


def cmd_set_signature(path, sig, out):
    root, _, parts = _signer0(path)
    with open(sig, "rb") as f:
        parts["signature"].new_content = f.read()
    write(out, encode(root))


def cmd_empty_signers(path, out):
    buf = read_input(path)
    root = parse(buf)
    sis = signer_infos(signed_data(root))
    sis.children = []
    write(out, encode(root))


def first_signer(root):
    return signer_infos(signed_data(root)).children[0]


def cmd_unsigned_copy(path, oid, out):
    oid = NAMES.get(oid, oid)
    root = parse(read_input(path))
    si = first_signer(root)
    sa = signer_parts(si).get("signedAttrs")
    found = [attr for _, aoid, attr, _ in attributes(sa)] if sa is not None else []
    found = [a for a in found if decode_oid(a.children[0].content) == oid]
    if not found:
        raise DerError("no signed attribute %s" % oid)
    last = si.children[-1]
    if not last.is_ctx(1):
        last = node_of(b"\xa1\x00")
        si.children.append(last)
    last.children.append(found[0])
    der_sort(last)
    write(out, encode(root))


def cmd_add_signed(path, oid, hexvalues, out):
    oid = NAMES.get(oid, oid)
    root = parse(read_input(path))
    sa = signer_parts(first_signer(root)).get("signedAttrs")
    if sa is None:
        raise DerError("no signedAttrs")
    values = bytes.fromhex(hexvalues)
    sa.children.append(node_of(tlv(0x30, tlv(0x06, encode_oid(oid)) + tlv(0x31, values))))
    der_sort(sa)
    write(out, encode(root))


def cmd_drop_signed(path, out):
    root = parse(read_input(path))
    si = first_signer(root)
    si.children = [c for c in si.children if not c.is_ctx(0)]
    write(out, encode(root))


def cmd_set_content_type(path, oid, out):
    oid = NAMES.get(oid, oid)
    root = parse(read_input(path))
    sd = signed_data(root)
    sd.children[0].new_content = b"\x03"
    sd.children[2].children[0].new_content = encode_oid(oid)
    sa = signer_parts(sd.children[-1].children[0]).get("signedAttrs")
    for _, aoid, _, values in attributes(sa) if sa is not None else []:
        if aoid == NAMES["contentType"]:
            values.children[0].new_content = encode_oid(oid)
    write(out, encode(root))


def cmd_resign(path, key, out):
    root = parse(read_input(path))
    sd = signed_data(root)
    parts = signer_parts(sd.children[-1].children[0])
    sa = parts.get("signedAttrs")
    if sa is not None:
        tbs = b"\x31" + encode(sa)[1:]
    else:
        eci = sd.children[2]
        if len(eci.children) < 2:
            raise DerError("no signedAttrs and no eContent to sign")
        tbs = b"".join(bytes(p.content) for p in primitives(eci.children[1]))
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "tbs")
        write(src, tbs)
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key, src],
                             check=True, stdout=subprocess.PIPE).stdout
    parts["signature"].new_content = sig
    write(out, encode(root))


def cmd_der(path, out):
    write(out, bytes(read_input(path)))


def cmd_dump(path):
    buf = read_input(path)

    def walk(n, d):
        ln = "indef" if n.clen is None else str(n.clen)
        print("%8d %s%s (%s)" % (n.off, "  " * d, n.desc(), ln))
        for c in n.children:
            walk(c, d + 1)

    walk(parse(buf), 0)


def cmd_report(path, query):
    with open(path, encoding="utf-8") as f:
        rep = json.load(f)
    q = query.split(":")

    def find(checks, name):
        # A check may be reported more than once (one entry per attribute
        # instance, say); a failing entry wins, then the first.
        hits = [c for c in checks if c.get("name") == name]
        fails = [c for c in hits if c.get("status") == "fail"]
        return (fails or hits or [None])[0]

    if q[0] in ("result", "code") and len(q) == 1:
        v = rep[q[0]]
    elif q[0] == "signers" and len(q) == 1:
        v = len(rep["signers"])
    elif q[0] == "top" and len(q) == 3:
        c = find(rep.get("checks", []), q[1])
        v = "absent" if c is None else c[q[2]]
    elif q[0] == "signer" and len(q) == 3:
        v = rep["signers"][int(q[1])][q[2]]
    elif q[0] == "check" and len(q) == 4:
        c = find(rep["signers"][int(q[1])]["checks"], q[2])
        v = "absent" if c is None else c[q[3]]
    else:
        raise DerError("bad query %r" % query)
    print("null" if v is None else v)


def main(argv):
    cmds = {
        "offsets": (cmd_offsets, 1, 2),
        "flip": (cmd_flip, 3, 4),
        "dup-attr": (cmd_dup_attr, 3, 3),
        "dup-value": (cmd_dup_value, 3, 3),
        "empty-signers": (cmd_empty_signers, 2, 2),
        "unsigned-copy": (cmd_unsigned_copy, 3, 3),
        "add-signed": (cmd_add_signed, 4, 4),
        "drop-signed": (cmd_drop_signed, 2, 2),
        "set-content-type": (cmd_set_content_type, 3, 3),
        "resign": (cmd_resign, 3, 3),
        "set-attr": (cmd_set_attr, 3, 99),
        "del-attr": (cmd_del_attr, 3, 3),
        "set-sigalg": (cmd_set_sigalg, 3, 3),
        "signed-attrs": (cmd_signed_attrs, 2, 2),
        "set-signature": (cmd_set_signature, 3, 3),
        "der": (cmd_der, 2, 2),
        "dump": (cmd_dump, 1, 1),
        "report": (cmd_report, 2, 2),
    }
    if len(argv) < 2 or argv[1] not in cmds:
        sys.stderr.write(__doc__)
        return 2
    fn, lo, hi = cmds[argv[1]]
    args = argv[2:]
    if not lo <= len(args) <= hi:
        sys.stderr.write(__doc__)
        return 2
    if fn is cmd_offsets and len(args) == 2:
        args[1] = int(args[1])
    try:
        fn(*args)
    except (DerError, IndexError, KeyError, ValueError, OSError,
            subprocess.CalledProcessError) as e:
        sys.stderr.write("derutil: %s\n" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
