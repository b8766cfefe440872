"""Layer contracts (import-linter, configured in pyproject.toml): rules import neither
litestar nor asyncpg, and store does not import litestar."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_hold():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_domain_has_the_four_modules():
    for package in (ROOT / "civic").iterdir():
        if (package / "rules.py").exists() or (package / "store.py").exists():
            for module in ("routes.py", "schemas.py", "store.py", "rules.py"):
                assert (package / module).exists(), f"{package.name} lacks {module}"
