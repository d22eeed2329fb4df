"""``make lint``: the import rules of the layout (docs/architecture.md), checked on the source.

1. No import circles between the project's modules (imports inside functions count too).
2. Runtime packages never import ``tools`` or ``tests``; ``tools`` may import runtime packages.
3. ``vitext`` and ``settings`` (minus its services part) stay importable from both runtimes:
   standard library plus each other only (PyYAML lazily).
4. Only ``settings`` reads the environment (``os.environ[...]`` / ``.get`` / ``os.getenv``).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "actions",
    "admin",
    "analytics",
    "assistant",
    "channels",
    "editorial",
    "inbox",
    "ioc",
    "retrieval",
    "settings",
    "stores",
    "tools",
    "vitext",
)
RUNTIME = (
    "actions",
    "admin",
    "analytics",
    "assistant",
    "channels",
    "editorial",
    "inbox",
    "ioc",
    "retrieval",
    "settings",
    "stores",
    "vitext",
)
SHARED = {"vitext", "settings.defaults", "settings.rasa", "settings"}
ENV_READERS = ("settings",)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    for path in sorted((ROOT / "scripts").glob("*.py")):
        found[f"scripts.{path.stem}"] = path
    return found


def _imports(tree: ast.AST, module: str, known: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """(imported project module, line) for every import statement, nested ones included."""
    for node in ast.walk(tree):
        names: list[str] = []
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = module.split(".")[: -node.level] if node.level else []
                base = ".".join([*parent, base] if base else parent)
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                yield name, node.lineno
                break


def _reads_environment(tree: ast.AST) -> Iterator[int]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            func = node.func
            if func.attr == "getenv" and isinstance(func.value, ast.Name) and func.value.id == "os":
                yield node.lineno
            if (
                func.attr == "get"
                and isinstance(func.value, ast.Attribute)
                and func.value.attr == "environ"
            ):
                yield node.lineno
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Load)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "environ"
        ):
            yield node.lineno


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def check() -> list[str]:
    """Every broken rule, as ``path:line: message``."""
    known = _modules()
    problems: list[str] = []
    graph: dict[str, set[str]] = {}
    for module, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        where = path.relative_to(ROOT)
        top = module.split(".")[0]
        for target, line in _imports(tree, module, known):
            graph.setdefault(module, set()).add(target)
            if top in RUNTIME and target.split(".")[0] in ("tools", "tests", "scripts"):
                problems.append(f"{where}:{line}: runtime module {module} imports {target}")
            shared = module in SHARED or top == "vitext"
            if shared and not (target.split(".")[0] == "vitext" or target in SHARED):
                problems.append(
                    f"{where}:{line}: {module} must stay importable by both runtimes; "
                    f"it imports {target}"
                )
        if top not in ENV_READERS:
            for line in _reads_environment(tree):
                problems.append(
                    f"{where}:{line}: reads the environment; declare the variable in settings/ "
                    "and pass the value in"
                )
    for component in _cycles(graph):
        problems.append(f"import circle: {' -> '.join(component)}")
    return problems


def main() -> int:
    problems = check()
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
