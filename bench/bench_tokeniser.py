"""Compare pythainlp word_tokenize engines on real Thai government text.

    python bench/bench_tokeniser.py [--repeat 100] [--rounds 7] [--smoke] [FIXTURE]

Prints one ratio line, e.g.

    tokeniser: nlpo3 is 5.42× newmm throughput (272800 chars); dictionary per process: newmm 16.2 MB, nlpo3 61.9 MB

plus a token-agreement check, so a faster engine that segments badly is not
chosen by accident.  newmm runs as civic runs it, over civic.thai.dictionary()
(a marisa trie).  Each engine's dictionary is loaded in a fresh process to read
what it adds to the process's memory: every web worker holds it.  The text is
normalised first (civic.thai.normalise), as in indexing.
civic.thai.TOKENISER_ENGINE records the choice.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pythainlp.tokenize import word_tokenize  # noqa: E402

from civic import thai  # noqa: E402

# Any character of the Thai block: a token holding one is a Thai token.
THAI_CHAR = re.compile("[\u0e00-\u0e7f]")

FIXTURE_NAME = "gov40_pdf_extract_th.txt"
CANDIDATES = (
    ROOT / "civic" / "data" / FIXTURE_NAME,
    ROOT.parent / "shared" / "fixtures" / FIXTURE_NAME,
)


def find_fixture() -> Path:
    for path in CANDIDATES:
        if path.exists():
            return path
    raise SystemExit(f"fixture {FIXTURE_NAME} not found in: {', '.join(map(str, CANDIDATES))}")


def best_time(engine: str, docs: list[str], rounds: int) -> float:
    words = thai.words_for(engine)
    word_tokenize("อุ่นเครื่อง", custom_dict=words, engine=engine)  # load dictionaries outside the timing
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for doc in docs:
            word_tokenize(doc, custom_dict=words, engine=engine, keep_whitespace=False)
        best = min(best, time.perf_counter() - start)
    return best


# Run in a fresh interpreter: what loading one engine's dictionary adds to the process's RSS.
DICTIONARY_RSS = """
import sys
from civic import thai
from pythainlp.tokenize import word_tokenize  # noqa: F401  (loads no dictionary)

def rss():
    return int(open("/proc/self/statm").read().split()[1]) * 4096

before = rss()  # what each engine adds: its modules, its word list and its dictionary
thai.tokenise("อุ่นเครื่อง", engine=sys.argv[1])
print(rss() - before)
"""


def dictionary_mb(engine: str) -> float:
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", DICTIONARY_RSS, engine], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return int(out.stdout) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fixture", nargs="?", type=Path)
    parser.add_argument("--repeat", type=int, default=100, help="copies of the fixture text")
    parser.add_argument("--rounds", type=int, default=7, help="timed rounds; best is kept")
    parser.add_argument("--smoke", action="store_true", help="a tiny run that only checks the bench works")
    args = parser.parse_args()
    if args.smoke:
        args.repeat, args.rounds = 2, 1

    raw = (args.fixture or find_fixture()).read_text(encoding="utf-8")
    one = thai.normalise(raw)  # one line, as indexed
    docs = [one] * args.repeat  # the fixture as `repeat` separate documents
    chars = len(one) * args.repeat
    engines = ("newmm", "nlpo3")
    times = {e: best_time(e, docs, args.rounds) for e in engines}
    ratio = times["newmm"] / times["nlpo3"]
    # The same text as ONE string: newmm slows down on long lines, so the
    # gap widens with document length.
    joined = [" ".join(docs)]
    times_joined = {e: best_time(e, joined, max(1, args.rounds // 2)) for e in engines}

    # Sanity: do both engines give the same cleaned tokens on one copy?
    a = thai.tokenise(one, engine="newmm")
    b = thai.tokenise(one, engine="nlpo3")
    only_a = Counter(a) - Counter(b)
    only_b = Counter(b) - Counter(a)
    thai_a = [t for t in a if THAI_CHAR.search(t)]
    thai_b = [t for t in b if THAI_CHAR.search(t)]

    for engine, secs in times.items():
        print(
            f"  {engine:6s} {args.repeat} docs of {len(one)} chars, best of {args.rounds}: "
            f"{secs:.4f} s ({chars / secs:,.0f} chars/s); as one string: {times_joined[engine]:.4f} s"
        )
    print(
        f"  as one {chars}-char string: nlpo3 is {times_joined['newmm'] / times_joined['nlpo3']:.2f}× newmm"
    )
    print(f"  tokens per doc: newmm {len(a)}, nlpo3 {len(b)}")
    print(f"  only newmm: {dict(only_a)}  only nlpo3: {dict(only_b)}")
    print(f"  Thai tokens identical: {thai_a == thai_b}")
    print(f"  sample (nlpo3): {' | '.join(b[:12])}")
    print(f"  chosen in civic.thai: TOKENISER_ENGINE = {thai.TOKENISER_ENGINE!r}")
    mb = {e: dictionary_mb(e) for e in engines}
    print(
        f"tokeniser: nlpo3 is {ratio:.2f}× newmm throughput ({chars} chars); "
        f"dictionary per process: newmm {mb['newmm']:.1f} MB, nlpo3 {mb['nlpo3']:.1f} MB"
    )


if __name__ == "__main__":
    main()
