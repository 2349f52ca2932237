#!/usr/bin/env python3
"""Fills fuzz/corpus/<target>/ (gitignored) with starting inputs for each fuzz target.

Sources: the committed seeds in fuzz/seeds/<target>/, every tests/fixtures/*.eml (and the regression
inputs in tests/fixtures/hostile-crashes/), and a deterministic sample of the development corpus
(../shared/corpus, beside the checkout, when present), cut to inputs the fuzzer can run quickly.
Usage: python3 fuzz/seed.py [--sample N]   (default N = 300 messages)
"""
import argparse
import base64
import hashlib
import json
import random
import re
import struct
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
REPO = FUZZ.parent
MAX_SEED = 64 * 1024  # bytes; larger messages slow every execution without adding coverage


def write(target: str, data: bytes) -> None:
    out = FUZZ / "corpus" / target
    out.mkdir(parents=True, exist_ok=True)
    (out / hashlib.sha1(data).hexdigest()).write_bytes(data)


def frame(payload: bytes) -> bytes:
    return struct.pack("=I", len(payload)) + payload


def analyze_request(raw: bytes, request_id: int) -> bytes:
    request = {
        "type": "analyze",
        "id": request_id,
        "raw": base64.b64encode(raw).decode(),
        "context": {"identities": ["me@example.jp"], "locale": "ja"},
    }
    return json.dumps(request).encode()


def header_block(raw: bytes) -> bytes:
    return re.split(rb"\r?\n\r?\n", raw, maxsplit=1)[0]


def messages(sample: int) -> list[bytes]:
    paths = sorted((REPO / "tests" / "fixtures").glob("*.eml"))
    paths += sorted(p for p in (REPO / "tests" / "fixtures" / "hostile-crashes").glob("*") if p.suffix != ".md")
    corpus = REPO.parent / "shared" / "corpus"
    if corpus.is_dir():
        everything = sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix not in (".md", ".tsv", ""))
        everything += sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix == "")
        small = [p for p in everything if p.stat().st_size <= MAX_SEED and p.name != "LICENSE"]
        paths += random.Random(5).sample(small, min(sample, len(small)))
    return [p.read_bytes() for p in paths]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sample", type=int, default=300)
    args = parser.parse_args()
    for target_dir in (FUZZ / "seeds").iterdir():
        for seed in target_dir.iterdir():
            write(target_dir.name, seed.read_bytes())
    hosts = set()
    raws = [raw[:MAX_SEED] for raw in messages(args.sample)]
    for i, raw in enumerate(raws):
        write("analyze", raw)
        write("links", b"\x07" + raw)
        headers = header_block(raw)
        write("received", headers)
        write("frame", frame(analyze_request(raw, i)) + frame(b'{"type":"hello"}'))
        for match in re.finditer(rb"[\w.-]+@([\w-]+(?:\.[\w-]+)+)|https?://([^/\s\"'<>]+)", raw):
            hosts.add(match.group(0)[:200])
    # mbox files of the same messages, three to a file, `From ` lines in bodies quoted as mboxrd does.
    envelope = b"From phisher@example.com Mon Nov 30 09:00:00 2026\n"
    for i in range(0, len(raws), 3):
        quoted = [re.sub(rb"(?m)^(>*From )", rb">\1", raw) for raw in raws[i : i + 3]]
        write("mbox", b"".join(envelope + raw.rstrip(b"\n") + b"\n\n" for raw in quoted)[: 2 * MAX_SEED])
    for host in sorted(hosts)[:2000]:
        write("domain", host)
    for target in ("analyze", "links", "received", "frame", "domain", "mbox"):
        count = len(list((FUZZ / "corpus" / target).iterdir()))
        print(f"{target}: {count} seeds")


if __name__ == "__main__":
    main()
