"""The finder that answers akid's old import paths with alias modules over today's ones.

An alias module holds nothing of its own: every attribute is looked up, at
access, in the table `akid.compat.paths.ALIASES` (old module -> `Alias`), so a
name another module adds later (`akid.sources.Cifar10TFSource`) resolves as
soon as it exists. Importing an alias warns once, with the new import.

FutureWarning, not DeprecationWarning: Python hides a DeprecationWarning unless
it is raised by code in `__main__`, and an import's warning is raised from
inside the import machinery, so an akid user running a script would never see
it. FutureWarning is the category Python shows by default, meant for the end
users of deprecated features.
"""
import importlib
import importlib.abc
import importlib.util
import os
import sys
import warnings


class GoneError(ImportError):
    """An old akid name with no counterpart today; the message says why and what to use.

    An ImportError, not an AttributeError: `from old import name` turns an
    AttributeError into a bare "cannot import name" and loses the reason.
    """


def _table():
    from akid.compat.paths import ALIASES
    return ALIASES


def _user_stacklevel():
    """The stacklevel, for a warning raised in this package, of the user's line.

    `warnings` itself skips the import machinery's `_bootstrap` frames; the
    frames of this package and of `importlib.import_module` are counted past.
    """
    ours = (os.path.dirname(__file__), os.path.dirname(importlib.__file__))
    frame, level = sys._getframe(2), 2
    while frame is not None:
        name = frame.f_code.co_filename
        if not ("importlib" in name and "_bootstrap" in name):
            if not name.startswith(ours):
                return level
            level += 1
        frame = frame.f_back
    return level


def warn(message):
    """Warns once (per message) with the user's line as the location."""
    if message not in _warned:
        _warned.add(message)
        warnings.warn(message, FutureWarning, stacklevel=_user_stacklevel())


_warned = set()


def resolve(old, name):
    """The object akid's `old.name` is today.

    Order: a sub-module alias (`akid.core.kids`), a rename, the same name in
    one of the new modules, then a `GoneError` saying why it is gone.
    """
    table = _table()
    alias = table[old]
    if f"{old}.{name}" in table:
        return importlib.import_module(f"{old}.{name}")
    if alias.package and alias.new and not name.startswith("__"):
        _warn_path(old, alias)  # a package warns when used, not when a sub-module is imported
    if name in alias.renames:
        targets = alias.renames[name]
        for target in (targets,) if isinstance(targets, str) else targets:
            module, _, attr = target.partition(":")
            value = getattr(importlib.import_module(module), attr, _MISSING)
            if value is not _MISSING:
                warn(f"{old}.{name} is akid's old name; it is {module}.{attr} now")
                return value
        raise GoneError(f"{old}.{name} is not in this akid: looked for {targets}")
    if not name.startswith("__"):
        for module in alias.new:
            value = getattr(importlib.import_module(module), name, _MISSING)
            if value is not _MISSING:
                return value
    where = f"{old}.{name}"
    if name in alias.gone:
        raise GoneError(f"{where} is gone: {alias.gone[name]}")
    if name in alias.names:
        raise GoneError(f"{where} is not in this akid: looked for {name} in "
                        f"{', '.join(alias.new)}")
    raise AttributeError(f"module {old!r} (akid's old path, an alias of {_of(alias)}) has no "
                         f"attribute {name!r}")


_MISSING = object()


def public_names(old):
    """`__all__` of an alias: akid's public names of `old` that resolve today."""
    alias = _table()[old]
    found = []
    for name in alias.names + tuple(alias.renames):
        try:
            resolve(old, name)
        except (ImportError, AttributeError):
            continue
        found.append(name)
    return found


class AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds and loads the alias modules of akid's old paths (one table entry each)."""

    def find_spec(self, fullname, path=None, target=None):
        alias = _table().get(fullname)
        if alias is None or fullname == "akid":
            return None
        return importlib.util.spec_from_loader(fullname, self, is_package=alias.package)

    def create_module(self, spec):
        return None  # the default module

    def exec_module(self, module):
        old = module.__name__
        alias = _table()[old]
        if alias.reason:
            raise GoneError(f"{old} is gone: {alias.reason}")
        module.__getattr__ = lambda name: public_names(old) if name == "__all__" \
            else resolve(old, name)
        module.__dir__ = lambda: sorted(set(public_names(old)) | set(module.__dict__))
        module.__doc__ = f"akid's old path {old}: an alias of {_of(alias)}."
        if alias.new and not alias.package:
            _warn_path(old, alias)


def _of(alias):
    return ", ".join(alias.new) or "its sub-modules' new homes"


def _warn_path(old, alias):
    warn(f"{old} is akid's old import path; "
         f"{alias.instead or f'import from {alias.new[0]} instead'}")


FINDER = AliasFinder()


def install():
    """Puts the finder on `sys.meta_path` (after the real finders), once."""
    if FINDER not in sys.meta_path:
        sys.meta_path.append(FINDER)


def top_level(name):
    """What akid's `akid.<name>` is today, for akid/__init__.py's module `__getattr__`:
    `AKID_DATA_PATH` (the sources' data folder), an old module path (`akid.models`), or a
    name of akid's top level that today's packages define (resolved at access)."""
    if name == "AKID_DATA_PATH":
        from akid.sources import data_path
        return data_path()
    if f"akid.{name}" in _table():
        return importlib.import_module(f"akid.{name}")
    return resolve("akid", name)
