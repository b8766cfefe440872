"""Layer contracts (import-linter, configured in pyproject.toml), the shape of a domain, and
the rule that every state change goes through an action."""

import ast
import inspect
import subprocess
import sys
import textwrap
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_hold():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_domain_has_the_four_modules():
    for package in (ROOT / "civic").iterdir():
        if (package / "store.py").exists():  # a domain; search is a consumer behind its port
            for module in ("actions.py", "schemas.py", "store.py", "rules.py"):
                assert (package / module).exists(), f"{package.name} lacks {module}"
            handlers = (package / "routes.py").exists() or (package / "pages.py").exists()
            assert handlers, f"{package.name} has no handlers (pages.py and api.py, or routes.py)"


def _reaches_action(fn, depth: int = 3) -> bool:
    """True if fn's body names something from an actions module, directly or through a helper
    of its own module (followed `depth` calls deep)."""
    fn = inspect.unwrap(fn)
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError):
        return False
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    for name in names:
        target = fn.__globals__.get(name)
        if isinstance(target, types.ModuleType) and target.__name__.endswith(".actions"):
            return True
        module = getattr(target, "__module__", "") or ""
        if module.endswith(".actions"):
            return True
        if depth and isinstance(target, types.FunctionType) and module == fn.__module__ and target is not fn:
            if _reaches_action(target, depth - 1):
                return True
    return False


UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def test_every_unsafe_route_reaches_an_action():
    from litestar.routes import HTTPRoute

    from civic.app import create_app
    from civic.settings import load_settings

    app = create_app(load_settings({"SECRET_KEY": "x" * 48, "DATABASE_URL": "postgresql://unused/unused"}))
    missing = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if handler.http_methods & UNSAFE and not _reaches_action(handler.fn):
                missing.append(f"{sorted(handler.http_methods)} {route.path} ({handler.fn.__qualname__})")
    assert not missing, "these handlers change state without an action:\n" + "\n".join(missing)


def test_a_handler_without_an_action_is_caught():
    def handler(data):
        return subprocess.list2cmdline(data)

    assert not _reaches_action(handler)
