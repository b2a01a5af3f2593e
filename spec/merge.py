"""Kur's three ways of merging an included file into the file that includes it.

`merge(included, including, method)`: dicts are merged by key, recursively;
where both sides hold a value and they are not both dicts (nor, for "blend"
and "concat", both lists), the including file's value wins. Lists are

- "blend" (the default): merged element by element, the longer list's
  extra elements kept: blend([a, b, c], [x, y]) == [blend(a, x), blend(b, y), c];
- "merge": replaced by the including file's list;
- "concat": concatenated, the included file's elements first.

Nothing is modified in place; the result shares no dict or list with its inputs
except values taken whole from one side.
"""
from akid.spec.errors import like

METHODS = ("blend", "merge", "concat")


def merge(included, including, method="blend"):
    """The result of `including` (the file doing the including) merged over `included`."""
    if method not in METHODS:
        raise ValueError(f"unknown include method {method!r}; choose one of "
                         f"{', '.join(map(repr, METHODS))}")
    return _merge(included, including, method)


def _merge(included, including, method):
    if isinstance(included, dict) and isinstance(including, dict):
        items = {key: _merge(value, including[key], method) if key in including else value
                 for key, value in included.items()}
        items.update((key, value) for key, value in including.items() if key not in included)
        return like(including, items)
    if isinstance(included, list) and isinstance(including, list):
        if method == "merge":
            return including
        if method == "concat":
            return like(including, [*included, *including])
        pairs = [_merge(a, b, method) for a, b in zip(included, including)]
        longer = included if len(included) > len(including) else including
        return like(including, pairs + list(longer[len(pairs):]))
    return including
