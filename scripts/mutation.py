#!/usr/bin/env python3
"""Mutation testing of the pure rules with mutmut, against tests/unit.

    scripts/mutation.py report [FILE ...]   score per file and the survivors, from mutants/
    scripts/mutation.py run [FILE ...]      run mutmut (on FILEs only, if given), then report
    scripts/mutation.py gate                run on the functions of the mutated files that this
                                            change touched; fail below GOAL per file (.ci/run)

The gate is bounded by the size of the change, not of the file: it mutates only the functions
whose lines differ from the merge base (MUTATION_BASE overrides it), so a one-line fix costs
the stats collection (one pass over tests/unit) plus that function's mutants. MUTATION_BUDGET
(seconds, default 480) caps it; running out of time fails loudly rather than passing unseen.

A surviving mutant counts as killed only if tests/unit/equivalent_mutants.toml lists it with the
mutated code it was reviewed for: mutmut numbers mutants by position inside a function, so after
an edit the same id can name a different mutant, and a stale entry must not hide a real survivor.

Statuses: killed, a timeout (the mutant looped) and a type-check rejection are kills; survived,
no tests (no unit test calls the function at all) and suspicious are survivors.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import fnmatch
import json
import os
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = ROOT / "mutants"
EQUIVALENTS = ROOT / "tests" / "unit" / "equivalent_mutants.toml"
GOAL = 90.0
KILLED = {1, 3, 36, 37, -24, 24, 152, 255}
# The gate's budget, in seconds, for mutmut itself (copying, collecting stats, running mutants).
GATE_BUDGET = int(os.environ.get("MUTATION_BUDGET", "480"))


def _config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["mutmut"]


def mutated_files() -> list[str]:
    patterns = _config()["only_mutate"]
    files = {str(p.relative_to(ROOT)) for pat in patterns for p in ROOT.glob(pat)}
    return sorted(files)


def module_of(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


# ------------------------------------------------------------------ reading mutmut's results


def _function_source(lines: list[str], span: list[int]) -> list[str]:
    return lines[span[0] - 1 : span[1]]


def mutant_diff(path: str, key: str) -> str:
    """The lines a mutant changed, as '-old' / '+new' (function header and indentation aside),
    read from mutmut's generated file and its spans index."""
    mutated = MUTANTS / path
    spans = json.loads(mutated.with_name(mutated.name + ".spans").read_text("utf-8"))["spans"]
    lines = mutated.read_text("utf-8").splitlines()
    name = key.rsplit(".", 1)[1]
    original = name.split("__mutmut_")[0] + "__mutmut_orig"
    plain = name.split("__mutmut_")[0]

    def body(span_name: str) -> list[str]:
        # The def line carries the mutant's own name: show it under the function's, so a mutated
        # default argument is seen (dropping the line left such a mutant with an empty diff, which
        # could not be reviewed). A span may start on a blank line.
        source = _function_source(lines, spans[span_name])
        return [ln.strip().replace(span_name, plain) for ln in source if ln.strip()]

    before, after = body(original), body(name)
    changed = [
        ln
        for ln in difflib.unified_diff(before, after, lineterm="", n=0)
        if ln[:1] in "+-" and not ln.startswith(("+++", "---"))
    ]
    return "\n".join(changed)


@dataclass
class FileScore:
    path: str
    total: int = 0
    killed: int = 0
    equivalent: list[str] = field(default_factory=list)
    survivors: list[tuple[str, str]] = field(default_factory=list)  # (key, status)

    @property
    def score(self) -> float:
        return 100.0 if self.total == 0 else 100.0 * (self.killed + len(self.equivalent)) / self.total


def load_equivalents() -> dict[str, dict]:
    if not EQUIVALENTS.exists():
        return {}
    data = tomllib.loads(EQUIVALENTS.read_text("utf-8"))
    return {entry["id"]: entry for entry in data.get("mutant", [])}


def score_file(path: str, equivalents: dict[str, dict], only: list[str] | None = None) -> FileScore | None:
    meta = MUTANTS / (path + ".meta")
    if not meta.exists():
        return None
    codes = json.loads(meta.read_text("utf-8"))["exit_code_by_key"]
    result = FileScore(path)
    for key, code in sorted(codes.items(), key=lambda kv: _natural(kv[0])):
        if only is not None and not any(fnmatch.fnmatch(key, pattern) for pattern in only):
            continue
        if code is None:
            continue  # not checked in this run (a run over some files only)
        result.total += 1
        if code in KILLED:
            result.killed += 1
            continue
        entry = equivalents.get(key)
        if entry is not None and code == 0 and entry["diff"].strip() == mutant_diff(path, key):
            result.equivalent.append(key)
            continue
        status = {0: "survived", 5: "no tests", 33: "no tests"}.get(code, f"suspicious (exit {code})")
        if entry is not None and code == 0:
            status += "; listed as equivalent, but the mutant changed since the review"
        result.survivors.append((key, status))
    return result


def _natural(key: str) -> tuple[str, int]:
    head, _, n = key.rpartition("__mutmut_")
    return head, int(n) if n.isdigit() else -1


def report(files: list[str], *, only: dict[str, list[str]] | None = None) -> list[FileScore]:
    equivalents = load_equivalents()
    scores = [
        s for f in files if (s := score_file(f, equivalents, None if only is None else only[f])) is not None
    ]
    show_survivors = True
    if show_survivors:
        for s in scores:
            for key, status in s.survivors:
                print(f"\n--- {key}: {status}")
                print(_indent(mutant_diff(s.path, key)))
    print("\n== mutation score per file (tests/unit; goal %.0f %%)" % GOAL)
    print(f"{'file':40} {'killed':>7} {'equiv':>6} {'total':>6} {'score':>7}")
    for s in scores:
        flag = "" if s.score >= GOAL else "   <-- below goal"
        print(f"{s.path:40} {s.killed:7} {len(s.equivalent):6} {s.total:6} {s.score:6.1f}%{flag}")
    stale = set(load_equivalents()) - {k for s in scores for k in s.equivalent}
    checked = {module_of(s.path) for s in scores}
    stale = {k for k in stale if k.rsplit(".", 1)[0] in checked}
    if only is not None:  # the gate checks some functions: entries for the others were not looked at
        scoped = [pattern for patterns in only.values() for pattern in patterns]
        stale = {k for k in stale if any(fnmatch.fnmatch(k, pattern) for pattern in scoped)}
    for key in sorted(stale):
        print(f"note: {EQUIVALENTS.name} lists {key}, which is no longer an equivalent survivor here")
    return scores


def _indent(text: str) -> str:
    return "\n".join("    " + ln for ln in text.splitlines())


# ------------------------------------------------------------------ running mutmut


def recheck_survivors(files: list[str]) -> None:
    """mutmut keeps a verdict until the mutated function changes, so a survivor stays "survived"
    after the test that kills it is written. Forget every verdict but a kill (adding tests cannot
    revive a killed mutant), so the next run checks the survivors again and only them."""
    for path in files:
        meta = MUTANTS / (path + ".meta")
        if not meta.exists():
            continue
        data = json.loads(meta.read_text("utf-8"))
        codes = data["exit_code_by_key"]
        data["exit_code_by_key"] = {k: (c if c in KILLED else None) for k, c in codes.items()}
        meta.write_text(json.dumps(data, indent=4), "utf-8")


# Files never copied into mutants/ (pyproject's test selection decides which tests run).
NOT_FOR_MUTANTS: tuple[str, ...] = ()


def sync_copies() -> None:
    """mutmut regenerates the files it mutates when they change, but copies the rest of civic/ and
    tests/ only once, so in a kept mutants/ a test would import yesterday's code. Bring every file
    it does not mutate up to date, and drop the ones that are gone."""
    if not MUTANTS.exists():
        return
    mutated = set(mutated_files())
    roots = ["civic", "tests", *_config().get("also_copy", [])]
    for root in roots:
        src_root, dst_root = ROOT / root, MUTANTS / root
        if src_root.is_file():
            pairs = [(src_root, dst_root)]
        else:
            pairs = [(p, dst_root / p.relative_to(src_root)) for p in src_root.rglob("*")
                     if p.is_file() and "__pycache__" not in p.parts]
            for old in dst_root.rglob("*.py") if dst_root.exists() else []:
                rel = str(old.relative_to(MUTANTS))
                if rel not in mutated and not (ROOT / rel).exists():
                    old.unlink()
        for src, dst in pairs:
            if str(src.relative_to(ROOT)) in mutated:
                continue
            if str(src.relative_to(ROOT)) in NOT_FOR_MUTANTS:
                dst.unlink(missing_ok=True)
                continue
            data = src.read_bytes()
            if not dst.exists() or dst.read_bytes() != data:
                dst.parent.mkdir(parents=True, exist_ok=True)
                dst.write_bytes(data)


def run_mutmut(files: list[str], timeout: float | None = None, names: list[str] | None = None) -> bool:
    """Run mutmut on the mutants of `files` (all when empty), or on `names`. False if out of time."""
    sync_copies()
    recheck_survivors(files or mutated_files())
    names = names or [module_of(f) + ".*" for f in files]
    cmd = [str(Path(sys.executable).with_name("mutmut")), "run", "--max-children", "2", *names]
    print("== " + " ".join(cmd[1:]), flush=True)
    # mutmut redraws a progress line; its output is noise in a CI log, its results are in mutants/.
    try:
        proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return False
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-6000:])
        raise SystemExit(f"mutmut failed with exit code {proc.returncode}")
    return True


def changed_files() -> tuple[str, list[str]]:
    """(what we compared with, mutated files that differ from it, committed or not)."""
    base = os.environ.get("MUTATION_BASE")
    if not base:
        for ref in ("origin/main", "main"):
            ok = subprocess.run(["git", "rev-parse", "--verify", "-q", ref], cwd=ROOT, capture_output=True)
            head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)
            if ok.returncode == 0 and ok.stdout.strip() != head.stdout.strip().encode():
                mb = subprocess.run(["git", "merge-base", "HEAD", ref], cwd=ROOT, capture_output=True, text=True)
                if mb.returncode == 0:
                    base = mb.stdout.strip()
                    break
        else:
            base = "HEAD~1"  # on main itself: the previous commit
    diff = subprocess.run(
        ["git", "diff", "--name-only", base, "--"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    touched = set(diff.stdout.split())
    return base, [f for f in mutated_files() if f in touched]


def touched_functions(base: str, path: str) -> list[str]:
    """mutmut's names for the functions and methods of `path` whose lines changed since `base`."""
    diff = subprocess.run(
        ["git", "diff", "-U0", base, "--", path], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    changed: set[int] = set()
    for line in diff.splitlines():
        if line.startswith("@@"):
            new = line.split("+", 1)[1].split(" ", 1)[0]
            start, _, count = new.partition(",")
            n = int(count) if count else 1
            changed.update(range(int(start), int(start) + max(n, 1)))
    tree = ast.parse((ROOT / path).read_text("utf-8"))
    names = []
    for node in tree.body:
        members = [(node, None)] + (
            [(m, node.name) for m in node.body] if isinstance(node, ast.ClassDef) else []
        )
        for fn, cls in members:
            if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef) and changed & set(
                range(fn.lineno, (fn.end_lineno or fn.lineno) + 1)
            ):
                names.append(f"x_{fn.name}" if cls is None else f"x\u01c1{cls}\u01c1{fn.name}")
    return names


def gate() -> int:
    base, files = changed_files()
    print(f"== mutation gate: mutated files changed since {base[:12]}: {', '.join(files) or 'none'}")
    scope = {f: [f"{module_of(f)}.{fn}__mutmut_*" for fn in touched_functions(base, f)] for f in files}
    for f, patterns in scope.items():
        fns = [p.rsplit(".", 1)[1].removesuffix("__mutmut_*") for p in patterns]
        print(f"   {f}: functions changed: {', '.join(fns) or 'none (only constants, imports or comments)'}")
    scope = {f: p for f, p in scope.items() if p}
    if not scope:
        print("== mutation gate: no function of a mutated file was touched, nothing to check: PASS")
        return 0
    started = time.monotonic()
    names = [p for patterns in scope.values() for p in patterns]
    if not run_mutmut(list(scope), timeout=GATE_BUDGET, names=names):
        print(f"== mutation gate: FAIL: mutmut did not finish within {GATE_BUDGET} s "
              "(MUTATION_BUDGET); run `make mutation` locally to see the score")
        return 1
    scores = report(list(scope), only=scope)
    low = [s for s in scores if s.score < GOAL]
    took = time.monotonic() - started
    if low:
        print(f"== mutation gate: FAIL after {took:.0f} s: below {GOAL:.0f} % on the changed functions: "
              + ", ".join(f"{s.path} {s.score:.1f} %" for s in low))
        print("   Kill the survivors above with a unit test, or, if a mutant behaves exactly like the "
              f"original, list it in {EQUIVALENTS.relative_to(ROOT)} with the reason.")
        return 1
    print(f"== mutation gate: PASS after {took:.0f} s (score over the changed functions' mutants)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("report", "run", "gate"))
    parser.add_argument("files", nargs="*", help="e.g. civic/ideas/rules.py (default: all mutated files)")
    args = parser.parse_args()
    os.chdir(ROOT)
    if args.command == "gate":
        return gate()
    unknown = set(args.files) - set(mutated_files())
    if unknown:
        parser.error(f"not mutated (see [tool.mutmut] only_mutate): {', '.join(sorted(unknown))}")
    files = args.files or mutated_files()
    if args.command == "run":
        run_mutmut(args.files)
    scores = report(files)
    return 0 if all(s.score >= GOAL for s in scores) else 1


if __name__ == "__main__":
    sys.exit(main())
