"""Only searcher/index/codec/whoosh_private.py reaches into Whoosh's private parts.

Whoosh's underscore names may change with any release; kept to one module, an upgrade is checked
there (and by the oracle tests of tests/test_codec.py and tests/test_ranking.py). Elsewhere a name
starting with one underscore may only be reached (read, written, or named to ``getattr`` and
the like) when the same file defines it: a function, a class, a name, or an attribute assigned on
``self``/``cls`` (a module's own helpers and fields). No class may override a private method of a
Whoosh class it inherits from.
"""

import ast
import importlib
import inspect
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "searcher"
ALLOWED = PACKAGE / "index" / "codec" / "whoosh_private.py"
# python-docx's XML elements (a run's, a table cell's): another library's private names, not Whoosh's;
# os._exit, how a forked process ends without its parent's exit handlers (documented, not private)
OTHER_LIBRARIES = {
    PACKAGE / "ingest" / "extract" / "office.py": {"_element", "_tc"},
    PACKAGE / "lexicon" / "lexicon.py": {"_exit"},
}
_ATTRIBUTE_CALLS = {"getattr", "hasattr", "setattr", "delattr"}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _is_own(node: ast.expr) -> bool:
    """``self``, ``cls`` or ``super()``."""
    if isinstance(node, ast.Name):
        return node.id in ("self", "cls")
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super"


def _defined(tree: ast.AST) -> set[str]:
    """Names the file defines: functions, classes, assigned names, parameters, and attributes
    assigned on ``self``/``cls`` (assigning a private attribute of another object is reaching it)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and _is_own(node.value):
            names.add(node.attr)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__slots__" for target in node.targets
        ):
            names.update(
                elt.value for elt in getattr(node.value, "elts", ()) if isinstance(elt, ast.Constant)
            )
    return names


def violations(source: str, allowed: set[str] = frozenset()) -> list[str]:
    """Where ``source`` reaches a private name it does not define."""
    tree = ast.parse(source)
    defined = _defined(tree) | set(allowed)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "whoosh":
            found += [
                f"{node.lineno}: imports {a.name} from {node.module}" for a in node.names if _private(a.name)
            ]
        elif isinstance(node, ast.Attribute) and _private(node.attr) and node.attr not in defined:
            # on another object, or on self/cls/super() but inherited from a class defined elsewhere
            found.append(f"{node.lineno}: {ast.unparse(node)}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in _ATTRIBUTE_CALLS
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and _private(node.args[1].value)
            and node.args[1].value not in defined
        ):
            found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        if path != ALLOWED:
            yield path


@pytest.mark.parametrize("path", list(_modules()), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_but_one_reaches_private_names(path):
    assert violations(path.read_text(encoding="utf-8"), OTHER_LIBRARIES.get(path, set())) == []


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_no_class_but_in_one_module_overrides_whooshs_private_methods():
    overriding = []
    for path in _modules():
        if path.name == "__main__.py":
            continue
        module = importlib.import_module(_module_name(path))
        for name, cls in vars(module).items():
            if not inspect.isclass(cls) or cls.__module__ != module.__name__:
                continue
            whooshs = {
                attr for base in cls.__mro__ if base.__module__.startswith("whoosh.") for attr in vars(base)
            }
            own = {attr for base in cls.__mro__ if base.__module__ == module.__name__ for attr in vars(base)}
            overriding += [
                f"{module.__name__}.{name}.{attr}" for attr in sorted(own & whooshs) if _private(attr)
            ]
    assert overriding == []


@pytest.mark.parametrize(
    "source",
    [
        "def f(reader):\n    return reader._terms\n",
        "def f(column):\n    return getattr(column, '_basepos')\n",
        "from whoosh.codec.whoosh3 import _lenfield\n",
        "class W:\n    def f(self):\n        return self._check_state()\n",  # inherited from Whoosh's writer
        "class W:\n    def f(self):\n        return super()._flush_segment()\n",
        "def f(info):\n    info._inlined = ()\n",  # written on a Whoosh object
        "def f(writer):\n    return hasattr(writer, '_added')\n",
    ],
)
def test_the_check_finds_private_names_reached(source):
    assert violations(source)


def test_the_check_would_find_the_posting_file_reached_from_the_scorer():
    path = PACKAGE / "search" / "matching.py"
    source = path.read_text(encoding="utf-8")
    assert violations(source) == []
    reached = source.replace("posting_file(reader)", "reader._terms._postfile", 1)
    assert reached != source
    found = {violation.split(": ", 1)[1] for violation in violations(reached)}
    assert found == {"reader._terms._postfile", "reader._terms"}


def test_a_modules_own_private_names_are_allowed():
    source = "class A:\n    def _g(self):\n        return self._x\n\n    def __init__(self):\n        self._x = 1\n"
    source += "\ndef f(a: A):\n    return a._g(), a._x, hasattr(a, '_x')\n"
    assert violations(source) == []
