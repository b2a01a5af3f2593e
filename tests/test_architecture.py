"""The package's shape: folders import downward only, no import cycle, no module over 300 lines.

Read from the source with `ast`, so it needs no import of akid and fails on the
line a newcomer adds, not on a later symptom.
"""
import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
FOLDERS = ("blocks", "sources", "sensors", "brains", "kongfu", "kids", "spec", "compat")
EVERYTHING = set(FOLDERS) | {"checks", ""}
# What each folder may import besides itself and the bottom-level `checks` module.
ALLOWED = {
    "blocks": set(),
    "sources": set(),
    "kongfu": set(),
    "brains": {"blocks"},
    "sensors": {"sources", "blocks"},
    "kids": EVERYTHING,
    "spec": EVERYTHING,
    "compat": EVERYTHING,  # akid's old paths alias every folder (resolved at access)
    "": EVERYTHING,  # the top-level __init__.py
    "checks": set(),
}
MAX_LINES = 300


def package_modules():
    """{dotted module name: path} of every module of the package (tests etc. left out)."""
    modules = {"akid": ROOT / "__init__.py", "akid.checks": ROOT / "checks.py"}
    for folder in FOLDERS:
        for path in (ROOT / folder).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(("akid",) + parts)] = path
    return modules


MODULES = package_modules()


def folder_of(module):
    """`akid.kids.tuner.runner` -> "kids"; `akid` -> ""; `akid.checks` -> "checks"."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def imports(module, top_level_only=False):
    """The akid modules `module` imports (a `from package import name` that names a
    submodule counts as importing that submodule)."""
    tree = ast.parse(MODULES[module].read_text())
    nodes = tree.body if top_level_only else ast.walk(tree)
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.split(".")[0] == "akid"}
        elif isinstance(node, ast.ImportFrom) and node.module and \
                node.module.split(".")[0] == "akid":
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in MODULES else node.module)
    return found


def test_every_module_is_found():
    assert {"akid.blocks.block", "akid.kids.kid", "akid.kids.callbacks", "akid.spec.run",
            "akid.checks"} <= set(MODULES)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_folders_import_downward_only(module):
    folder = folder_of(module)
    allowed = ALLOWED[folder] | {folder, "checks"}
    upward = sorted(m for m in imports(module) if folder_of(m) not in allowed)
    assert not upward, (f"{module} ({folder or 'top level'}/) imports {upward}: "
                        f"{folder or 'top level'}/ may import only {sorted(allowed)}")


def test_the_checks_module_imports_nothing_of_akid():
    assert imports("akid.checks") == set()


def test_nothing_imports_kids_but_kids_spec_compat_and_the_top_level():
    offenders = sorted(m for m in MODULES if folder_of(m) not in ("kids", "spec", "compat", "")
                       and any(folder_of(i) == "kids" for i in imports(m)))
    assert not offenders, f"{offenders} import akid.kids"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_small(module):
    lines = len(MODULES[module].read_text().splitlines())
    assert lines <= MAX_LINES, f"{MODULES[module]} has {lines} lines (at most {MAX_LINES})"


def test_no_import_cycle():
    graph = {m: {i for i in imports(m, top_level_only=True) if i in MODULES and i != m}
             for m in MODULES}
    state, stack = {}, []

    def visit(module):
        state[module] = "open"
        stack.append(module)
        for other in sorted(graph[module]):
            if state.get(other) == "open":
                cycle = stack[stack.index(other):] + [other]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if other not in state:
                visit(other)
        stack.pop()
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module)


def test_the_checker_sees_an_upward_import(tmp_path, monkeypatch):
    """The checks above can fail: a blocks module importing kids is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("from akid.kids import Kid\n")
    monkeypatch.setitem(MODULES, "akid.blocks.bad", bad)
    assert imports("akid.blocks.bad") == {"akid.kids"}
    with pytest.raises(AssertionError, match="blocks/ may import only"):
        test_folders_import_downward_only("akid.blocks.bad")
