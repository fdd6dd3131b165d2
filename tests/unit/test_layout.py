"""The package's layout rules: no import cycle, features never imported by the hub or the transport."""

import ast
import re
from pathlib import Path
from typing import Dict, List, Set

import sentry_webview

PACKAGE = Path(sentry_webview.__file__).parent


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def import_graph() -> Dict[str, Set[str]]:
    """Every module of the package -> the package modules it imports, function-level imports included."""
    modules = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: Dict[str, Set[str]] = {}
    for name, path in modules.items():
        targets: Set[str] = set()
        stack: List[ast.AST] = [ast.parse(path.read_text("utf-8"))]
        while stack:
            node = stack.pop()
            if _type_checking_only(node):
                continue
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                base = node.module
                targets.update(
                    base + "." + alias.name if base + "." + alias.name in modules else base for alias in node.names
                )
            elif isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            stack.extend(ast.iter_child_nodes(node))
        graph[name] = {target for target in targets if target in modules and target != name}
    return graph


def cycles(graph: Dict[str, Set[str]]) -> List[List[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    found: List[List[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_in_the_package():
    graph = import_graph()
    assert "sentry_webview.renderers.hub" in graph and graph["sentry_webview.sdk"]
    assert cycles(graph) == []


def test_the_cycle_check_sees_function_level_imports():
    assert cycles({"a": {"b"}, "b": {"a"}, "c": set()}) == [["a", "b"]]


def test_the_core_never_imports_a_feature():
    for name, targets in import_graph().items():
        if name.startswith(
            ("sentry_webview.renderers", "sentry_webview.ipc", "sentry_webview.backends", "sentry_webview.transport")
        ):
            features = {t for t in targets if t.startswith("sentry_webview.integrations")}
            assert not features, "%s imports %s" % (name, features)


def test_every_path_the_readmes_module_table_names_exists():
    """The "where" column of the README's module table: paths from the repository root; a bare file name
    is in the folder of the path named before it in the same cell. ``sentry_webview/`` is the package the
    tests import (in the compat matrix, the installed wheel beside the unpacked sdist)."""
    checkout = Path(__file__).resolve().parents[2]
    readme = (checkout / "README.md").read_text("utf-8")
    table = readme.split("| step | where |", 1)[1].split("\n\n", 1)[0]
    missing, named = [], 0
    for row in table.splitlines()[2:]:
        base = checkout
        for token in re.findall(r"`([^`]+)`", row.rstrip(" |").rsplit(" | ", 1)[1]):
            if "/" in token:
                path = (PACKAGE.parent if token.startswith(PACKAGE.name + "/") else checkout) / token
                base = path if token.endswith("/") else path.parent
            elif token.endswith((".py", ".js", ".json")):
                path = base / token
            else:
                continue
            named += 1
            if not list(path.parent.glob(path.name)):
                missing.append(token)
    assert named > 40 and missing == []
