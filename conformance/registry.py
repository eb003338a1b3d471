# registry.py -- reading the requirement registry (conformance/*.req; the
# format is described in conformance/README.md).

import re

import rfctext

LEVELS = ("MUST", "MUST NOT", "SHALL", "SHALL NOT", "REQUIRED", "SHOULD",
          "SHOULD NOT", "RECOMMENDED", "NOT RECOMMENDED", "MAY", "OPTIONAL")
EXCEPTION_KINDS = {
    "deviation": "exception",         # Cachet deliberately does otherwise
    "not-applicable": "exception",    # concerns a user agent, a CA, a registry...
    "optional": "exception",          # a MAY/SHOULD Cachet chose not to take
    "not-implemented": "not implemented",
    "untested": "not run",            # Cachet does it, no test point shows it yet
}
SINGLE = ("id", "section", "level", "quote", "exception", "note")
MULTI = ("test",)
HEADER_KEYS = ("rfc", "title", "scope", "complete", "partial")
ID_RE = re.compile(r"^[a-z0-9]+-[0-9a-z]+(?:\.[0-9]+)*-[a-z0-9]+(?:-[a-z0-9]+)*$")
# The citation form in code and tests: the id in square brackets.
CITE_RE = re.compile(r"\[((?:rfc[0-9]+|draft-[a-z0-9-]+?)-[0-9A-Z][0-9a-z.]*-[a-z0-9]+(?:-[a-z0-9]+)*)\]")


class RegistryError(Exception):
    pass


def parse(path):
    """The stanzas of PATH: (entries, header).  Each entry is a dict with
    the single fields, "test" (a list) and "_line" (its first line)."""
    entries, header, errors = [], {}, []
    cur, key = None, None

    def finish():
        if cur is None:
            return
        if "id" in cur:
            entries.append(cur)
        elif "rfc" in cur and not entries and not header:
            header.update(cur)
        else:
            errors.append("%s:%d: a stanza without an id" % (path, cur["_line"]))

    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if line.startswith("#"):
                continue
            if line.strip() == "":
                finish()
                cur, key = None, None
                continue
            if line[0] in " \t":
                if cur is None or key is None:
                    errors.append("%s:%d: continuation line outside a field" % (path, n))
                    continue
                if key in MULTI:
                    cur[key][-1] += " " + line.strip()
                else:
                    cur[key] += " " + line.strip()
                continue
            m = re.match(r"^([a-z]+):\s*(.*)$", line)
            if not m:
                errors.append("%s:%d: not a 'field: value' line" % (path, n))
                continue
            if cur is None:
                cur = {"_line": n, "test": []}
            key, value = m.group(1), m.group(2).strip()
            if key in MULTI:
                cur[key].append(value)
            elif key in SINGLE or key in HEADER_KEYS:
                if key in cur:
                    errors.append("%s:%d: field '%s' given twice" % (path, n, key))
                cur[key] = value
            else:
                errors.append("%s:%d: unknown field '%s'" % (path, n, key))
                key = None
        finish()
    if errors:
        raise RegistryError("\n".join(errors))
    return entries, header


def covers(quotes, sentence):
    """Whether one of the normalised QUOTES is (part of) SENTENCE, or
    SENTENCE part of a quote spanning several sentences."""
    s = rfctext.normalize(sentence)
    return any(q and (q in s or s in q) for q in quotes)
