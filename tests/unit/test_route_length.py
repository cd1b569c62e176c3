"""A route validates, calls one service function and returns a schema, so it stays short.

Measured over the route modules' syntax trees: every function decorated with `@router.<method>(...)`
in app/api/routes/*.py and app/api/ui/pages/*.py is at most MAX_LINES long, from its `def` line to its
last line (decorators not counted, docstring and signature counted).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROUTE_GLOBS = ("app/api/routes/*.py", "app/api/ui/pages/*.py")
METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "api_route"})
MAX_LINES = 25


def _route_modules() -> list[Path]:
    return sorted(path for pattern in ROUTE_GLOBS for path in ROOT.glob(pattern))


def _is_route(decorator: ast.expr) -> bool:
    return (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and isinstance(decorator.func.value, ast.Name)
        and decorator.func.value.id == "router"
        and decorator.func.attr in METHODS
    )


def route_lengths(source: str) -> list[tuple[str, int]]:
    """(route function name, lines from `def` to its end), in the order of the source."""
    found: list[tuple[int, str, int]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(
            _is_route(d) for d in node.decorator_list
        ):
            assert node.end_lineno is not None
            found.append((node.lineno, node.name, node.end_lineno - node.lineno + 1))
    return [(name, length) for _line, name, length in sorted(found)]


def test_the_measure_counts_from_def_to_the_last_line_and_only_routes() -> None:
    source = '''
@router.get("/a", response_model=None)
def short() -> None:
    return None


@router.post(
    "/b",
)
async def longer(
    x: int,
) -> int:
    """Doc."""
    return x


@other.get("/c")
def not_this_router() -> None: ...


def helper() -> None: ...
'''
    assert route_lengths(source) == [("short", 2), ("longer", 5)]


def test_the_route_modules_are_found() -> None:
    names = {path.name for path in _route_modules()}
    assert {"workplaces.py", "planning.py", "match.py"} <= names


def test_no_route_function_is_longer_than_25_lines() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}::{name} is {length} lines"
        for path in _route_modules()
        for name, length in route_lengths(path.read_text(encoding="utf-8"))
        if length > MAX_LINES
    ]
    assert not offenders, (
        f"route functions longer than {MAX_LINES} lines (move the work into a service function "
        "or a schema converter): " + "; ".join(offenders)
    )
