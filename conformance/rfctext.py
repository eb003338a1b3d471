# rfctext.py -- reading the plain-text RFCs in the RFC directory
# (../shared/rfc): page furniture removed, sections, paragraphs, sentences
# and the BCP 14 keywords.  Used by check.py and keywords.py.
#
# Normalisation (the form in which registry quotes are compared):
#   - page footers ("... [Page N]"), form feeds and running headers
#     ("RFC NNNN   title   Month Year") are dropped, and so are the blank
#     lines around a page break, so a sentence split by a page joins up;
#   - a hyphen that ends a line right after a non-blank character joins
#     the next line without a space ("SHA-" / "256" gives "SHA-256");
#   - every other run of white space becomes one space.

import os
import re

KEYWORDS = ("MUST NOT", "MUST", "SHALL NOT", "SHALL", "REQUIRED",
            "SHOULD NOT", "SHOULD", "NOT RECOMMENDED", "RECOMMENDED",
            "MAY", "OPTIONAL")
KEYWORD_RE = re.compile(r"\b(" + "|".join(k.replace(" ", r"\s+") for k in KEYWORDS) + r")\b")

_FOOTER_RE = re.compile(r"^\S.*\[Page [0-9ivxlc]+\]\s*$")
_HEADER_RE = re.compile(r"^(RFC \d+|Internet-Draft)\s{2,}.*\S\s*$")
_SECTION_RE = re.compile(r"^((?:\d+|[A-Z])(?:\.\d+)*)\.?\s{1,4}(\S.*)$")
_APPENDIX_RE = re.compile(r"^Appendix ([A-Z](?:\.\d+)*)\.?\s+(\S.*)$")


def rfc_path(rfc_dir, stem):
    """The text file for a registry stem ("rfc8551")."""
    return os.path.join(rfc_dir, stem + ".txt")


def clean_lines(path):
    """The RFC's lines, page furniture removed: a list of (lineno, text)."""
    with open(path, encoding="utf-8", errors="replace") as f:
        raw = f.read().split("\n")
    out = []
    i = 0
    n = len(raw)
    while i < n:
        line = raw[i].rstrip("\r")
        if _FOOTER_RE.match(line) or "\f" in line:
            # Drop the page break: footer, form feed, header, and the
            # blank lines on either side of it.
            while out and out[-1][1].strip() == "":
                out.pop()
            i += 1
            while i < n and (raw[i].strip() == "" or "\f" in raw[i]
                             or _HEADER_RE.match(raw[i])):
                i += 1
            continue
        out.append((i + 1, line))
        i += 1
    return out


def normalize(text):
    """Whitespace-normalised text (see the file comment)."""
    text = re.sub(r"(?<=\S)-[ \t]*\n[ \t]*(?=\S)", "-", text)
    return re.sub(r"\s+", " ", text).strip()


def full_text(path):
    """The normalised text of the whole RFC."""
    return normalize("\n".join(t for _, t in clean_lines(path)))


def sections(lines):
    """Section headings at column 0: a list of (number, title, start_index)
    into LINES; the body runs to the next heading."""
    out = []
    for idx, (_, text) in enumerate(lines):
        if not text or text[0].isspace():
            continue
        m = _APPENDIX_RE.match(text) or _SECTION_RE.match(text)
        if m:
            out.append((m.group(1), m.group(2).strip(), idx))
    return out


def in_range(number, wanted):
    """Whether section NUMBER lies under one of the prefixes in WANTED
    ("2" covers 2, 2.1, 2.5.3.1; "3.5" covers 3.5 and 3.5.x)."""
    if not wanted:
        return True
    return any(number == w or number.startswith(w + ".") for w in wanted)


def paragraphs(lines):
    """Paragraphs of LINES (blank-line separated): (first_lineno, text)."""
    out, cur, first = [], [], None
    for lineno, text in lines:
        if text.strip() == "":
            if cur:
                out.append((first, "\n".join(cur)))
            cur, first = [], None
        else:
            if first is None:
                first = lineno
            cur.append(text)
    if cur:
        out.append((first, "\n".join(cur)))
    return out


_ABBREV = ("e.g.", "i.e.", "etc.", "Sec.", "vs.", "et al.", "cf.")


def sentences(paragraph):
    """The sentences of a normalised paragraph."""
    text = normalize(paragraph)
    parts = re.split(r"(?<=[.!?:])\s+(?=[-A-Z(\"'])|(?<=[.!?]\))\s+(?=[A-Z])", text)
    out = []
    for p in parts:
        if out and out[-1].endswith(_ABBREV):
            out[-1] += " " + p
        else:
            out.append(p)
    return out


def keyword_sentences(path, wanted=()):
    """Every sentence with a BCP 14 keyword in the sections under WANTED:
    a list of dicts (section, title, line, sentence, keywords)."""
    lines = clean_lines(path)
    heads = sections(lines)
    out = []
    for k, (number, title, start) in enumerate(heads):
        end = heads[k + 1][2] if k + 1 < len(heads) else len(lines)
        if not in_range(number, wanted):
            continue
        for lineno, para in paragraphs(lines[start + 1:end]):
            for s in sentences(para):
                kws = [re.sub(r"\s+", " ", m.group(1)) for m in KEYWORD_RE.finditer(s)]
                # ASN.1 (OPTIONAL in a SEQUENCE) is not BCP 14 language.
                if kws and "::=" not in s:
                    out.append({"section": number, "title": title, "line": lineno,
                                "sentence": s, "keywords": kws})
    return out
