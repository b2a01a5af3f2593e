"""Jinja2 templating of Kidfile values, the results turned back into YAML types.

A string that is one whole expression, `"{{ batch_size }}"` or
`"{{ sizes[i] | default(64) }}"`, becomes the expression's value itself (an
int stays an int, a list a list); any other template renders to text, which
is then read back as a YAML scalar or a flow list/dict (`"64"` -> 64, `"0.5"`
-> 0.5, `"[2, 2]"` -> [2, 2], `"yes"` -> True), and is otherwise kept as text.
A value that renders to another template is rendered again (as Kur does).
Undefined names are errors (`{{ x | default(1) }}` gives a default).
"""
import ast
import copy
import os
import re

import jinja2
import yaml

from akid.spec.errors import SpecError, like, source_of

_WHOLE = re.compile(r"^\s*\{\{(?P<expr>(?:(?!\{\{|\}\}).)*)\}\}\s*$", re.S)
_MAX_PASSES = 10


class Renderer:
    """Renders the strings of nested dicts and lists against a scope of variables.

    Example:
      Renderer().render({"batch_size": "{{ bs }}"}, {"bs": 64})   # {"batch_size": 64}
    """

    def __init__(self):
        self.env = jinja2.Environment(undefined=jinja2.StrictUndefined)
        self.env.filters.update(basename=os.path.basename, dirname=os.path.dirname,
                                splitext=os.path.splitext)
        self._expressions = {}

    def render(self, value, scope, section=None, path=(), source=None):
        """`value` with every string rendered; errors name `section` and the entry's path."""
        source = source_of(value, source)
        if isinstance(value, str):
            try:
                return self.render_string(value, scope)
            except jinja2.TemplateError as error:
                raise SpecError(f"template {value!r} failed: {error}", source, section,
                                _entry(path)) from None
        if isinstance(value, dict):
            return like(value, {k: self.render(v, scope, section, path + (str(k),), source)
                                for k, v in value.items()})
        if isinstance(value, list):
            return like(value, [self.render(v, scope, section, path + (str(i),), source)
                                for i, v in enumerate(value)])
        return value

    def render_string(self, text, scope):
        """One string rendered (again while it still renders to a new template)."""
        value = text
        for _ in range(_MAX_PASSES):
            if not isinstance(value, str) or ("{{" not in value and "{%" not in value):
                return value
            rendered = self._once(value, scope)
            if rendered == value:
                return rendered
            value = rendered
        return value

    def _once(self, text, scope):
        whole = _WHOLE.match(text)
        if whole is None:
            return typed(self.env.from_string(text).render(**scope))
        expression = whole.group("expr")
        if expression not in self._expressions:
            self._expressions[expression] = self.env.compile_expression(
                expression, undefined_to_none=False)
        value = self._expressions[expression](**scope)
        if isinstance(value, jinja2.Undefined):
            str(value)  # a StrictUndefined raises, naming the missing variable
        if isinstance(value, str):
            return typed(value)
        return copy.deepcopy(value) if isinstance(value, (dict, list)) else value


def typed(text):
    """Rendered text read back as a YAML value: numbers, booleans, null, flow lists/dicts."""
    stripped = text.strip()
    if stripped[:1] in ("[", "{"):
        for read in (_python_literal, _yaml_value):
            value = read(stripped)
            if isinstance(value, (list, dict)):
                return value
        return text
    value = _yaml_value(stripped)
    if isinstance(value, (bool, int, float)) or (value is None and stripped in ("null", "~")):
        return value
    value = _python_literal(stripped)  # Python's own text for a float (1e-05) or None
    if (isinstance(value, (int, float)) and not isinstance(value, bool)) or stripped == "None":
        return value
    return text


def _yaml_value(text):
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def _python_literal(text):
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
        return text
    return list(value) if isinstance(value, tuple) else value


def _entry(path):
    return ".".join(path) if path else None
