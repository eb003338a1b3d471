#!/usr/bin/env python3
# keywords.py -- list every sentence with a BCP 14 keyword (MUST, SHOULD,
# MAY, ...) in the given sections of an RFC, to help fill the registry.
#
#   conformance/keywords.py [--rfc-dir DIR] [--registry DIR] [--missing]
#                           [--stub] RFC [SECTION...]
#
# RFC is a stem ("rfc8551") or a path to the text.  SECTION is a prefix
# ("2" takes 2, 2.1, 2.5.3.1; "3.5" takes 3.5 and its subsections); none
# means the whole document.  With --registry, each sentence is marked "+"
# when a registry entry quotes (part of) it and "-" when none does;
# --missing lists only the "-" ones.  --stub prints the missing ones as
# registry stanzas to fill in (id slug, evidence or exception to write).

import argparse
import os
import re
import sys

# No __pycache__ in the source tree (read-only under make distcheck).
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rfctext   # noqa: E402
import registry  # noqa: E402


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="List the BCP 14 keyword sentences of RFC sections.")
    ap.add_argument("--rfc-dir", default=os.environ.get("CACHET_RFC_DIR",
                    os.path.join(here, "..", "..", "shared", "rfc")))
    ap.add_argument("--registry", default=None,
                    help="registry directory (marks covered sentences)")
    ap.add_argument("--missing", action="store_true")
    ap.add_argument("--stub", action="store_true")
    ap.add_argument("rfc")
    ap.add_argument("section", nargs="*")
    a = ap.parse_args()

    if os.path.exists(a.rfc):
        path = a.rfc
        stem = os.path.splitext(os.path.basename(a.rfc))[0]
    else:
        stem = a.rfc
        path = rfctext.rfc_path(a.rfc_dir, stem)
    if not os.path.exists(path):
        sys.exit("keywords.py: no RFC text %s" % path)

    quotes = []
    if a.registry or a.missing or a.stub:
        regdir = a.registry or here
        f = os.path.join(regdir, stem + ".req")
        if os.path.exists(f):
            entries, _ = registry.parse(f)
            quotes = [rfctext.normalize(e.get("quote", "")) for e in entries]
    found = rfctext.keyword_sentences(path, a.section)
    n_missing = 0
    for s in found:
        covered = registry.covers(quotes, s["sentence"])
        if not covered:
            n_missing += 1
        if (a.missing or a.stub) and covered:
            continue
        mark = "" if not quotes and not a.missing else ("+ " if covered else "- ")
        if a.stub:
            slug = "-".join(re.findall(r"[a-z0-9]+", s["sentence"].lower())[:5])
            print("id: %s-%s-%s" % (stem, s["section"], slug))
            print("section: %s" % s["section"])
            print("level: %s" % s["keywords"][0])
            print("quote: %s" % s["sentence"])
            print("test: FIXME")
            print()
        else:
            print("%s%s:%d [%s] %s" % (mark, s["section"], s["line"],
                                       ",".join(s["keywords"]), s["sentence"]))
    print("# %s %s: %d keyword sentences, %d without a registry entry"
          % (stem, " ".join(a.section) or "(all)", len(found), n_missing)
          if quotes or a.missing else
          "# %s %s: %d keyword sentences" % (stem, " ".join(a.section) or "(all)", len(found)),
          file=sys.stderr)


if __name__ == "__main__":
    main()
