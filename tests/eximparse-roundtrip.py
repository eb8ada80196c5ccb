#!/usr/bin/env python3
# Round trip: eximparse's JSON Lines, TSV and CSV output of one input must
# parse back to the same values, field by field (TSV cells unescaped, CSV
# per RFC 4180, invalid UTF-8 compared after U+FFFD replacement, which is
# what the JSON writer does). Usage: eximparse-roundtrip.py EXIMPARSE FILE...
# Prints TAP lines without a plan; exits 1 on a difference.
import csv
import io
import json
import subprocess
import sys

FIELDS = ("ts,epoch,file,lineno,event,parent_event,parent_lineno,msgid,pid,"
          "ip,port,host,helo,ident,"
          "interface,sender,recipient,reason,command,stage,auth,authenticator,"
          "user,"
          "size,proto,tls,router,transport,subject,syslog_host,tags,text,"
          "line")


def run(exe, fmt, path):
    p = subprocess.run([exe, "-k", "-f", fmt, "-F", FIELDS, path],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    if p.returncode not in (0, 1):
        raise SystemExit("eximparse -f %s %s: exit %d" %
                         (fmt, path, p.returncode))
    return p.stdout


def tsv_unescape(cell):
    out = bytearray()
    i = 0
    while i < len(cell):
        c = cell[i]
        if c != 0x5c:
            out.append(c)
            i += 1
            continue
        e = cell[i + 1:i + 2]
        if e == b"t":
            out += b"\t"
        elif e == b"n":
            out += b"\n"
        elif e == b"r":
            out += b"\r"
        elif e == b"\\":
            out += b"\\"
        elif e == b"x":
            out.append(int(cell[i + 2:i + 4], 16))
            i += 2
        else:
            raise ValueError("bad TSV escape in %r" % cell)
        i += 2
    return bytes(out)


def norm(v):
    """A field value as text, the way JSON can hold it."""
    if isinstance(v, bytes):
        return v.decode("utf-8", errors="replace")
    if v is True:
        return "true"
    if isinstance(v, (int, float)):
        return None  # numbers are compared as text by the caller
    return v


def main():
    exe = sys.argv[1]
    bad = 0
    n = 0
    for path in sys.argv[2:]:
        js = run(exe, "json", path)
        ts = run(exe, "tsv", path)
        cs = run(exe, "csv", path)
        recs = []
        for raw in js.split(b"\n")[:-1]:
            recs.append(json.loads(raw.decode("utf-8", errors="strict")))
        tlines = ts.split(b"\n")
        if tlines[-1] != b"":
            raise SystemExit("TSV does not end in a newline")
        header = tlines[0]
        if not header.startswith(b"#"):
            raise SystemExit("TSV header does not start with #")
        names = header[1:].decode().split("\t")
        trows = [[tsv_unescape(c) for c in l.split(b"\t")]
                 for l in tlines[1:-1]]
        if not cs.endswith(b"\r\n") and cs:
            raise SystemExit("CSV does not end in CRLF")
        rd = csv.reader(io.StringIO(cs.decode("utf-8",
                                              errors="surrogateescape"),
                                    newline=""))
        crows = list(rd)
        cnames = crows.pop(0)
        ok = names == cnames == FIELDS.split(",")
        ok = ok and len(recs) == len(trows) == len(crows)
        why = "" if ok else "header or record count differs"
        for r, t, c in zip(recs, trows, crows):
            if not ok:
                break
            if len(t) != len(names) or len(c) != len(names):
                ok, why = False, "cell count"
                break
            for k, name in enumerate(names):
                tv = t[k]
                cv = c[k].encode("utf-8", errors="surrogateescape")
                if tv != cv:
                    ok, why = False, "TSV/CSV differ in %s: %r %r" % (
                        name, tv, cv)
                    break
                jv = r.get(name)
                if jv is None:
                    if tv != b"":
                        ok, why = False, "%s: JSON absent, TSV %r" % (
                            name, tv)
                        break
                    continue
                if name == "tags":
                    same = json.loads(tv.decode("utf-8")) == jv
                elif isinstance(jv, bool):
                    same = tv == b"true"
                elif isinstance(jv, (int, float)):
                    same = tv.decode() == json.dumps(jv) or \
                        float(tv.decode()) == jv
                else:
                    same = norm(tv) == jv
                if not same:
                    ok, why = False, "%s: JSON %r, TSV %r" % (name, jv, tv)
                    break
        n += 1
        if ok:
            print("ok - round trip %s (%d records)" % (path, len(recs)))
        else:
            bad += 1
            print("not ok - round trip %s: %s" % (path, why))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
