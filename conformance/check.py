#!/usr/bin/env python3
# check.py -- check the requirement registry (conformance/*.req) against
# the RFC texts, the last test run and the code, and write the
# conformance report.  The format and the rules are in conformance/README.md.
#
#   conformance/check.py [--registry DIR] [--rfc-dir DIR] [--srcdir DIR]
#       [--builddir DIR] [--cite-dir DIR]... [--vectors DIR]
#       [--tap] [--md FILE] [--json FILE] [--html FILE]
#
# Exit status: 0 when every check holds, 1 when one does not (each problem
# is printed, or is a "not ok" line with --tap), 2 on a usage error.

import argparse
import html
import json
import os
import re
import sys
import time

# No __pycache__ in the source tree (read-only under make distcheck).
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rfctext   # noqa: E402
import registry  # noqa: E402

RESULTS = ("pass", "fail", "not run", "not implemented", "exception")
TAP_RE = re.compile(r"^(not ok|ok)\b\s*([0-9]+)?\s*(?:-\s*)?(.*)$")
DIRECTIVE_RE = re.compile(r"\s+#\s*(SKIP|TODO)\b.*$", re.I)

# The third-party vector tables, the test that reads each, and how to
# read a row's verdict: (table, test, path column, exit column or None,
# code column, "ok" column for tables without an exit status, exception
# column or None).
VECTOR_TABLES = (
    ("tests/vectors-signed.tsv", "tests/vectors.sh", 0, 2, 3, None, 4),
    ("tests/vectors-enveloped.tsv", "tests/vectors-enveloped.sh", 0, 3, 4, None, 6),
    ("tests/vectors-smime.tsv", "tests/vectors-smime.sh", 0, 3, 4, None, 7),
    ("tests/vectors-compressed.tsv", "tests/compress.sh", 0, None, 1, 1, None),
)
# Certificates-only vectors: `cachet verify` says CACHET_E_NOT_SIGNED
# (there is no signer), which is the right reading of a certs-only
# message; tests/vectors-certs.sh checks the certificates extracted.
CERTS_TEST = "tests/vectors-certs.sh"


# ------------------------------------------------------------ test logs

class Logs:
    """The test points of the last `make check` in BUILDDIR: for a test
    "tests/x.sh" or "tests/t-x", the TAP lines of tests/x.log."""

    def __init__(self, builddir):
        self.builddir = builddir
        self.cache = {}

    def points(self, test):
        """A list of (result, description) or None when not run."""
        if test in self.cache:
            return self.cache[test]
        base = re.sub(r"\.(sh|py)$", "", test)
        log = os.path.join(self.builddir, base + ".log")
        trs = os.path.join(self.builddir, base + ".trs")
        pts = None
        if os.path.exists(log) and os.path.exists(trs):
            pts = []
            with open(log, encoding="utf-8", errors="replace") as f:
                for line in f:
                    m = TAP_RE.match(line.rstrip("\n"))
                    if not m:
                        if line.startswith("Bail out!"):
                            pts.append(("fail", "Bail out!"))
                        continue
                    desc = m.group(3)
                    d = DIRECTIVE_RE.search(desc)
                    if d:
                        res = "skip" if d.group(1).upper() == "SKIP" else "todo"
                        desc = desc[:d.start()]
                    else:
                        res = "pass" if m.group(1) == "ok" else "fail"
                    pts.append((res, desc))
        self.cache[test] = pts
        return pts


def resolve(ref, logs, srcdir):
    """One evidence reference "tests/x.sh: SUBSTRING": (result, detail)
    where result is pass, fail, not run or broken."""
    m = re.match(r"^(\S+?):\s+(.+)$", ref)
    if not m:
        return "broken", "not of the form 'TEST: description substring'"
    test, sub = m.group(1), m.group(2)
    script = os.path.join(srcdir, test)
    source = os.path.join(srcdir, re.sub(r"\.(sh|py)$", "", test) + ".c")
    if not (os.path.exists(script) or os.path.exists(source)):
        return "broken", "no test %s in the source tree" % test
    pts = logs.points(test)
    if pts is None:
        return "not run", "%s has no log from the last run" % test
    hits = [r for r, d in pts if sub in d]
    if not hits:
        return "broken", "no test point of %s contains '%s'" % (test, sub)
    n = len(hits)
    if any(r == "fail" for r in hits):
        return "fail", "%d of %d matching test points failed" % (
            sum(1 for r in hits if r == "fail"), n)
    if all(r in ("skip", "todo") for r in hits):
        return "not run", "the %d matching test points were skipped" % n
    return "pass", "%d test point%s" % (n, "" if n == 1 else "s")


# ------------------------------------------------------------ checking

class Checker:
    def __init__(self, a):
        self.a = a
        self.problems = []      # (where, message)
        self.entries = []       # dicts with the computed "result" and "evidence"
        self.headers = {}       # stem -> header stanza
        self.coverage = {}      # stem -> list of (section, sentence) without an entry
        self.kw_total = {}      # stem -> keyword sentences in its complete sections
        self.citations = []     # (file, line, id)
        self.logs = Logs(a.builddir)
        self.texts = {}

    def problem(self, where, msg):
        self.problems.append((where, msg))

    def rfc_text(self, stem):
        if stem not in self.texts:
            p = rfctext.rfc_path(self.a.rfc_dir, stem)
            self.texts[stem] = rfctext.full_text(p) if os.path.exists(p) else None
        return self.texts[stem]

    def load(self):
        files = sorted(f for f in os.listdir(self.a.registry) if f.endswith(".req"))
        if not files:
            self.problem(self.a.registry, "no *.req registry files")
        seen = {}
        for fn in files:
            stem = fn[:-4]
            path = os.path.join(self.a.registry, fn)
            try:
                entries, header = registry.parse(path)
            except (registry.RegistryError, OSError) as e:
                self.problem(fn, str(e))
                continue
            self.headers[stem] = header
            if self.rfc_text(stem) is None:
                self.problem(fn, "no RFC text %s" % rfctext.rfc_path(self.a.rfc_dir, stem))
            for e in entries:
                e["_file"] = fn
                e["_stem"] = stem
                where = "%s:%d %s" % (fn, e["_line"], e.get("id"))
                if e["id"] in seen:
                    self.problem(where, "id also used at %s" % seen[e["id"]])
                seen[e["id"]] = "%s:%d" % (fn, e["_line"])
                self.check_entry(e, where)
                self.entries.append(e)
        self.ids = set(seen)

    def check_entry(self, e, where):
        e["_problems"] = []

        def bad(msg):
            e["_problems"].append(msg)
            self.problem(where, msg)

        for k in ("section", "level", "quote"):
            if not e.get(k):
                bad("no '%s' field" % k)
        eid, sec = e["id"], e.get("section", "")
        if not registry.ID_RE.match(eid):
            bad("id is not lowercase STEM-SECTION-words")
        elif not eid.startswith("%s-%s-" % (e["_stem"], sec.lower())):
            bad("id does not start with '%s-%s-'" % (e["_stem"], sec.lower()))
        level = e.get("level", "")
        if level and level not in registry.LEVELS:
            bad("unknown level '%s'" % level)
        quote = rfctext.normalize(e.get("quote", ""))
        text = self.rfc_text(e["_stem"])
        if quote and text is not None:
            if quote not in text:
                bad("the quote does not occur in %s.txt" % e["_stem"])
            elif level and not re.search(r"\b%s\b" % re.escape(level), quote):
                bad("the quote does not contain the level keyword '%s'" % level)
        # Evidence or exception.
        e["evidence"] = []
        exc = e.get("exception")
        if not e["test"] and not exc:
            bad("neither a test nor an exception")
        results = []
        for ref in e["test"]:
            r, detail = resolve(ref, self.logs, self.a.srcdir)
            e["evidence"].append({"test": ref, "result": r, "detail": detail})
            results.append(r)
            if r == "broken":
                bad("evidence '%s': %s" % (ref, detail))
            elif r == "fail":
                bad("evidence '%s' fails: %s" % (ref, detail))
        if exc:
            m = re.match(r"^([a-z-]+):\s+(\S.*)$", exc)
            if not m or m.group(1) not in registry.EXCEPTION_KINDS:
                bad("exception is not 'KIND: reason' with KIND one of %s"
                    % ", ".join(registry.EXCEPTION_KINDS))
                e["result"] = "fail"
            else:
                e["result"] = registry.EXCEPTION_KINDS[m.group(1)]
                e["exception_kind"], e["exception_reason"] = m.group(1), m.group(2)
        elif "fail" in results or "broken" in results:
            e["result"] = "fail"
        elif "not run" in results or not results:
            e["result"] = "not run"
        else:
            e["result"] = "pass"
        if e["_problems"] and e["result"] != "fail":
            e["result"] = "fail"

    def check_coverage(self):
        """Keyword sentences without an entry: counted over the header's
        scope (all of the RFC when none is given), and an error in the
        sections declared complete."""
        for stem, header in self.headers.items():
            complete = header.get("complete", "").split()
            scope = header.get("scope", "").split()
            p = rfctext.rfc_path(self.a.rfc_dir, stem)
            if not os.path.exists(p):
                continue
            quotes = [rfctext.normalize(e.get("quote", "")) for e in self.entries
                      if e["_stem"] == stem]
            found = rfctext.keyword_sentences(p, scope)
            self.kw_total[stem] = len(found)
            miss = [(s["section"], s["sentence"]) for s in found
                    if not registry.covers(quotes, s["sentence"])]
            self.coverage[stem] = miss
            for sec, sent in miss:
                if complete and rfctext.in_range(sec, complete):
                    self.problem("%s.req" % stem, "section %s is declared complete but this "
                                 "keyword sentence has no entry: %s" % (sec, sent))

    def check_citations(self):
        exts = (".c", ".h", ".sh", ".py", ".mk", ".am")
        for d in self.a.cite_dir:
            for root, dirs, files in os.walk(d):
                dirs.sort()
                for fn in sorted(files):
                    if not fn.endswith(exts):
                        continue
                    path = os.path.join(root, fn)
                    rel = os.path.relpath(path, self.a.srcdir)
                    try:
                        with open(path, encoding="utf-8", errors="replace") as f:
                            for n, line in enumerate(f, 1):
                                for m in registry.CITE_RE.finditer(line):
                                    self.citations.append((rel, n, m.group(1)))
                                    if m.group(1) not in self.ids:
                                        self.problem("%s:%d" % (rel, n),
                                                     "cites [%s], which is not in the registry"
                                                     % m.group(1))
                    except OSError as e:
                        self.problem(rel, str(e))
        for e in self.entries:
            e["cited_at"] = ["%s:%d" % (f, n) for f, n, i in self.citations if i == e["id"]]

    # ------------------------------------------------------------ vectors

    def vectors(self):
        """Every row of the vectors' manifest.tsv with Cachet's verdict."""
        out = []
        if not self.a.vectors:
            return out
        man = os.path.join(self.a.vectors, "manifest.tsv")
        if not os.path.exists(man):
            self.problem(man, "the vectors' manifest is missing")
            return out
        table = {}
        for tsv, test, pc, ec, cc, okc, xc in VECTOR_TABLES:
            p = os.path.join(self.a.srcdir, tsv)
            if not os.path.exists(p):
                continue
            with open(p, encoding="utf-8") as f:
                for line in f:
                    if line.startswith("#") or line.startswith("path\t") or not line.strip():
                        continue
                    c = line.rstrip("\n").split("\t")
                    if len(c) <= max(pc, cc, ec or 0):
                        continue
                    if okc is not None:
                        verdict = "valid" if c[okc] == "ok" else "invalid (%s)" % c[okc]
                    else:
                        verdict = "valid" if c[ec] == "0" else "invalid (%s)" % c[cc]
                    exc = c[xc] if xc is not None and len(c) > xc else "-"
                    # The first row of a vector is its verdict; "extra run"
                    # rows only add test points.
                    table.setdefault(c[pc], (verdict, test, tsv, exc))
        points = {}
        for test in [t[1] for t in VECTOR_TABLES] + [CERTS_TEST]:
            for res, desc in self.logs.points(test) or []:
                m = re.match(r"^(\S+?)(?::|\s|$)", desc)
                if m:
                    points.setdefault((test, m.group(1)), []).append(res)
        with open(man, encoding="utf-8") as f:
            rows = [l.rstrip("\n").split("\t") for l in f][1:]
        for c in rows:
            if len(c) < 7:
                continue
            path, kind, expected = c[0], c[2], c[6]
            v = {"path": path, "kind": kind, "expected": expected}
            if path in table:
                verdict, test, tsv, exc = table[path]
                pts = points.get((test, path))
                if kind == "certsonly" and verdict == "invalid (CACHET_E_NOT_SIGNED)":
                    verdict = "valid (certs-only, no signer)"
                    if (CERTS_TEST, path) in points:
                        pts = (pts or []) + points[(CERTS_TEST, path)]
                        test += " " + CERTS_TEST
                v.update(verdict=verdict, test=test, table=tsv,
                         exception=exc if exc not in ("", "-") else "")
                if pts is None:
                    v["result"] = "not run"
                elif any(r == "fail" for r in pts):
                    v["result"] = "fail"
                else:
                    v["result"] = "pass"
                exp = {"valid": "valid", "invalid": "invalid"}.get(expected)
                got = verdict.split(" ")[0]
                v["as_expected"] = (v["result"] == "pass" and exp is not None and got == exp)
                v["documented"] = (v["result"] == "pass" and not v["as_expected"]
                                   and bool(v["exception"]))
            else:
                v.update(verdict="-", test="-", result="not judged", as_expected=False,
                         documented=False, exception="")
            out.append(v)
        return out


# ------------------------------------------------------------ reports

def totals(entries):
    t = {r: 0 for r in RESULTS}
    for e in entries:
        t[e["result"]] += 1
    t["total"] = len(entries)
    return t


def vec_totals(vecs):
    judged = [v for v in vecs if v["expected"] in ("valid", "invalid")]
    return {"total": len(judged),
            "as_expected": sum(1 for v in judged if v["as_expected"]),
            "judged_by_tests": sum(1 for v in judged if v["result"] != "not judged"),
            "differ_documented": sum(1 for v in judged if v["documented"]),
            "test_failed": sum(1 for v in vecs if v["result"] == "fail"),
            "rows": len(vecs)}


def totals_line(t, vt):
    return ("requirements: %d passed / %d total (%d fail, %d not run, %d not implemented, "
            "%d exception); vectors: %d as expected / %d with an expected verdict "
            "(%d differ for a documented reason)"
            % (t["pass"], t["total"], t["fail"], t["not run"], t["not implemented"],
               t["exception"], vt["as_expected"], vt["total"], vt["differ_documented"]))


def load_interop(path):
    """doc/interop.json of `make interop`, or None."""
    if not path or not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def interop_line(ij):
    t = ij["totals"]
    return ("interop: %d passed / %d cells (%d failed, %d peer lacks feature)"
            % (t["pass"], t["total"], t["fail"], t["lacks"]))


def interop_matrix(ij):
    """(columns, rows): columns (peer, direction); rows (case, [cell or None])."""
    cols, cases, idx = [], [], {}
    for c in ij["cells"]:
        k = (c["peer"], c["direction"])
        if k not in cols:
            cols.append(k)
        case = "%s %s" % (c["operation"], c["algorithm"])
        if case not in cases:
            cases.append(case)
        idx[(case,) + k] = c
    return cols, [(case, [idx.get((case,) + k) for k in cols]) for case in cases]


INTEROP_WORD = {"pass": "pass", "fail": "FAIL", "lacks": "lacks", "absent": "absent"}
INTEROP_INTRO = ("The interop matrix of `make interop` (conformance/interop.py): "
                 "peer>cachet, the peer made the message and Cachet opened it; "
                 "cachet>peer, Cachet made it and the peer opened it; stored>cachet, "
                 "Cachet opened the message the peer made earlier, kept in "
                 "vectors/interop. \"lacks\": the peer lacks the feature (the reason "
                 "and the peer's own message are in doc/interop.md).")


def evidence_text(e):
    if e.get("exception"):
        return "%s: %s" % (e["exception_kind"], e["exception_reason"]) \
            if e.get("exception_kind") else e["exception"]
    return "; ".join("%s [%s]" % (x["test"], x["result"]) for x in e["evidence"])


def md_cell(s):
    return s.replace("|", "\\|").replace("\n", " ")


def logs_stamp(builddir):
    """When the last test run ended: test-suite.log's time, UTC."""
    p = os.path.join(builddir, "test-suite.log")
    if not os.path.exists(p):
        return "no test-suite.log (no complete test run)"
    return "test-suite.log of " + time.strftime("%Y-%m-%d %H:%M:%S UTC",
                                                time.gmtime(os.path.getmtime(p)))


def write_md(path, c, vecs):
    t, vt = totals(c.entries), vec_totals(vecs)
    L = ["# Cachet conformance report", "",
         "Generated by `make conformance` (conformance/check.py) from the requirement "
         "registry in `conformance/*.req` and the logs of the last `make check` "
         "(%s). Do not edit by hand." % logs_stamp(c.a.builddir), "",
         "**Totals:** " + totals_line(t, vt), ""]
    for stem in sorted(c.headers):
        es = [e for e in c.entries if e["_stem"] == stem]
        h = c.headers[stem]
        tt = totals(es)
        L += ["## %s: %s" % (stem.upper().replace("RFC", "RFC "), h.get("title", "")), ""]
        L.append("Scope: %s; %d keyword sentences, %d without an entry."
                 % ("section(s) " + h["scope"] if h.get("scope") else "the whole RFC",
                    c.kw_total.get(stem, 0), len(c.coverage.get(stem, []))))
        if h.get("complete"):
            L.append("Complete (every keyword sentence has an entry, checked) for section(s) %s."
                     % h["complete"])
        if h.get("partial"):
            L.append("Partial: %s." % h["partial"])
        L += ["", "%d requirements: %d pass, %d fail, %d not run, %d not implemented, %d exception."
              % (tt["total"], tt["pass"], tt["fail"], tt["not run"], tt["not implemented"],
                 tt["exception"]), "",
              "| requirement | level | section | result | evidence |",
              "|---|---|---|---|---|"]
        for e in es:
            L.append("| `%s` | %s | %s | %s | %s |" % (
                e["id"], e.get("level", ""), e.get("section", ""), e["result"],
                md_cell(evidence_text(e))))
        L.append("")
    L += ["## Third-party vectors", "",
          "Every file in the vectors' `manifest.tsv`, with the verdict Cachet's tables "
          "(tests/vectors*.tsv) record and the result of the test that checks it. "
          "Keys, certificates and plaintexts (expected `n/a`) are not judged.", "",
          "%d of %d vectors with an expected verdict judged as expected; %d checked by a test."
          % (vt["as_expected"], vt["total"], vt["judged_by_tests"]), "",
          "| vector | kind | expected | Cachet | test | result | reason it differs |",
          "|---|---|---|---|---|---|---|"]
    for v in vecs:
        if v["expected"] == "n/a" and v["result"] == "not judged":
            continue
        L.append("| `%s` | %s | %s | %s | %s | %s | %s |" % (
            v["path"], v["kind"], v["expected"], md_cell(v["verdict"]), v["test"], v["result"],
            "" if v["as_expected"] else md_cell(v["exception"] or
                                                ("(no reason recorded)" if v["result"] == "pass" else ""))))
    L.append("")
    ij = load_interop(c.a.interop)
    L += ["## Interop matrix", ""]
    if ij is None:
        L += ["No interop run (`make interop` writes doc/interop.json).", ""]
    else:
        cols, rows = interop_matrix(ij)
        L += [INTEROP_INTRO.replace("vectors/interop", "`vectors/interop`"), "",
              "**%s.**" % interop_line(ij), ""]
        L += ["- `%s`: %s" % (p, v) for p, v in ij["versions"].items()] + [""]
        L.append("| case | " + " | ".join("%s %s" % k for k in cols) + " |")
        L.append("|---|" + "---|" * len(cols))
        for case, cells in rows:
            L.append("| %s | %s |" % (case, " | ".join(
                INTEROP_WORD.get(x["result"], x["result"]) if x else "" for x in cells)))
        L.append("")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(L))


def write_json(path, c, vecs):
    t, vt = totals(c.entries), vec_totals(vecs)
    ij = load_interop(c.a.interop)
    doc = {"totals": {"requirements": t, "vectors": vt,
                      "interop": ij["totals"] if ij else None},
           "interop": ij,
           "test_logs": logs_stamp(c.a.builddir),
           "rfcs": {s: {"title": h.get("title", ""), "complete": h.get("complete", ""),
                        "scope": h.get("scope", ""),
                        "partial": h.get("partial", ""),
                        "keyword_sentences": c.kw_total.get(s),
                        "without_entry": [{"section": a, "sentence": b}
                                          for a, b in c.coverage.get(s, [])]}
                    for s, h in sorted(c.headers.items())},
           "requirements": [{"id": e["id"], "rfc": e["_stem"], "section": e.get("section"),
                             "level": e.get("level"), "quote": rfctext.normalize(e.get("quote", "")),
                             "result": e["result"], "evidence": e["evidence"],
                             "exception": e.get("exception"), "cited_at": e.get("cited_at", []),
                             "problems": e["_problems"]} for e in c.entries],
           "vectors": vecs,
           "problems": [{"where": w, "problem": p} for w, p in c.problems]}
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")


CSS = """body{font:14px/1.4 sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 6px;vertical-align:top}
th{background:#eee}code{font-size:12px}.pass{background:#dfd}.fail{background:#fbb}
.notrun{background:#ffd}.notimpl{background:#fdb}.exception{background:#ddf}
.quote{color:#555;font-size:12px}"""


def write_html(path, c, vecs):
    t, vt = totals(c.entries), vec_totals(vecs)
    esc = html.escape

    def cls(r):
        return {"pass": "pass", "fail": "fail", "not run": "notrun",
                "not implemented": "notimpl", "exception": "exception"}.get(r, "")

    H = ["<!DOCTYPE html>", "<html lang=\"en\"><head><meta charset=\"utf-8\">",
         "<title>Cachet conformance report</title><style>%s</style></head><body>" % CSS,
         "<h1>Cachet conformance report</h1>",
         "<p>Generated by <code>make conformance</code> from <code>conformance/*.req</code> "
         "and the logs of the last <code>make check</code> (%s).</p>" % esc(logs_stamp(c.a.builddir)),
         "<p><b>Totals:</b> %s</p>" % esc(totals_line(t, vt))]
    for stem in sorted(c.headers):
        es = [e for e in c.entries if e["_stem"] == stem]
        h = c.headers[stem]
        H.append("<h2>%s: %s</h2>" % (esc(stem.upper()), esc(h.get("title", ""))))
        H.append("<p>Scope: %s; %d keyword sentences, %d without an entry.</p>"
                 % (esc("section(s) " + h["scope"] if h.get("scope") else "the whole RFC"),
                    c.kw_total.get(stem, 0), len(c.coverage.get(stem, []))))
        if h.get("complete"):
            H.append("<p>Complete (checked) for section(s) %s.</p>" % esc(h["complete"]))
        if h.get("partial"):
            H.append("<p>Partial: %s.</p>" % esc(h["partial"]))
        H.append("<table><tr><th>requirement</th><th>level</th><th>section</th>"
                 "<th>result</th><th>evidence</th></tr>")
        for e in es:
            H.append("<tr><td><code>%s</code><div class=\"quote\">%s</div></td><td>%s</td>"
                     "<td>%s</td><td class=\"%s\">%s</td><td>%s</td></tr>" % (
                         esc(e["id"]), esc(rfctext.normalize(e.get("quote", ""))),
                         esc(e.get("level", "")), esc(e.get("section", "")),
                         cls(e["result"]), esc(e["result"]), esc(evidence_text(e))))
        H.append("</table>")
    H.append("<h2>Third-party vectors</h2><p>%d of %d vectors with an expected verdict "
             "judged as expected.</p>" % (vt["as_expected"], vt["total"]))
    H.append("<table><tr><th>vector</th><th>kind</th><th>expected</th><th>Cachet</th>"
             "<th>test</th><th>result</th><th>reason it differs</th></tr>")
    for v in vecs:
        if v["expected"] == "n/a" and v["result"] == "not judged":
            continue
        H.append("<tr><td><code>%s</code></td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>"
                 "<td class=\"%s\">%s</td><td>%s</td></tr>" % (
                     esc(v["path"]), esc(v["kind"]), esc(v["expected"]), esc(v["verdict"]),
                     esc(v["test"]), cls(v["result"]), esc(v["result"]),
                     "" if v["as_expected"] else esc(v["exception"])))
    H.append("</table>")
    ij = load_interop(c.a.interop)
    H.append("<h2>Interop matrix</h2>")
    if ij is None:
        H.append("<p>No interop run (<code>make interop</code> writes doc/interop.json).</p>")
    else:
        cols, rows = interop_matrix(ij)
        H.append("<p>%s</p><p><b>%s.</b></p><ul>" % (esc(INTEROP_INTRO), esc(interop_line(ij))))
        H += ["<li><code>%s</code>: %s</li>" % (esc(p), esc(v)) for p, v in ij["versions"].items()]
        H.append("</ul><table><tr><th>case</th>%s</tr>" % "".join(
            "<th>%s<br>%s</th>" % (esc(p), esc(d)) for p, d in cols))
        for case, cells in rows:
            H.append("<tr><td>%s</td>%s</tr>" % (esc(case), "".join(
                "<td></td>" if x is None else "<td class=\"%s\" title=\"%s\">%s</td>" % (
                    {"pass": "pass", "fail": "fail", "lacks": "notrun"}.get(x["result"], "notimpl"),
                    esc(x["why"]), esc(INTEROP_WORD.get(x["result"], x["result"])))
                for x in cells)))
        H.append("</table>")
    H.append("</body></html>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(H) + "\n")


# ------------------------------------------------------------ main

def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--registry", default=here)
    ap.add_argument("--rfc-dir", default=os.environ.get("CACHET_RFC_DIR") or
                    os.path.join(here, "..", "..", "shared", "rfc"))
    ap.add_argument("--srcdir", default=os.path.join(here, ".."))
    ap.add_argument("--builddir", default=".")
    ap.add_argument("--cite-dir", action="append", default=None)
    ap.add_argument("--vectors", default=os.environ.get("CACHET_VECTORS"))
    ap.add_argument("--tap", action="store_true")
    ap.add_argument("--md")
    ap.add_argument("--json")
    ap.add_argument("--html")
    ap.add_argument("--interop", help="doc/interop.json of make interop, when there is one")
    a = ap.parse_args()
    if a.cite_dir is None:
        a.cite_dir = [os.path.join(a.srcdir, d) for d in ("src", "tests", "fuzz")]
    if not os.path.isdir(a.rfc_dir):
        print("check.py: RFC directory %s not found (CACHET_RFC_DIR, configure "
              "--with-rfc-dir)" % a.rfc_dir, file=sys.stderr)
        if a.tap:
            print("1..1\nnot ok 1 - RFC directory %s not found" % a.rfc_dir)
            return 1
        return 2

    c = Checker(a)
    c.load()
    c.check_coverage()
    c.check_citations()
    vecs = c.vectors()
    t, vt = totals(c.entries), vec_totals(vecs)

    for fn, path in ((write_md, a.md), (write_json, a.json), (write_html, a.html)):
        if path:
            fn(path, c, vecs)

    entry_where = {e["id"] for e in c.entries}
    others = [(w, p) for w, p in c.problems if w.split()[-1] not in entry_where]
    if a.tap:
        # One point per requirement, then one per other problem (or one
        # saying there was none), then the totals as a comment.
        n = 0
        print("1..%d" % (len(c.entries) + max(1, len(others))))
        for e in c.entries:
            n += 1
            okk = not e["_problems"] and e["result"] != "fail"
            print("%s %d - %s: %s%s" % ("ok" if okk else "not ok", n, e["id"], e["result"],
                                        "" if okk else ": " + "; ".join(e["_problems"])))
        if others:
            for w, p in others:
                n += 1
                print("not ok %d - %s: %s" % (n, w, p))
        else:
            n += 1
            print("ok %d - citations (%d) name registry ids; declared-complete sections "
                  "have an entry for every keyword sentence" % (n, len(c.citations)))
        print("# " + totals_line(t, vt))
    else:
        sys.stdout.flush()
        for w, p in c.problems:
            print("%s: %s" % (w, p), file=sys.stderr)
        sys.stderr.flush()
        ij = load_interop(a.interop)
        print(totals_line(t, vt) + ("; " + interop_line(ij) if ij else ""))
    return 1 if c.problems else 0


if __name__ == "__main__":
    sys.exit(main())
