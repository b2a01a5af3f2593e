"""Names for akid's classes, found by reflection: what a Kidfile's keys look up.

One helper serves every registry of the Kidfile: the layer containers and the
zoo (`akid.spec.containers`), the jokers (`akid.spec.provider`), the
optimizers (`akid.spec.optimizer`) and the losses (`akid.spec.losses`). A
class is named by its snake-case name without its family's suffix and by its
class name; a registry may add aliases (Kur's names, akid's older ones):

    by_reflection(akid.kongfu, KongFu, "_kong_fu", aliases={"sgd": "gradient_descent"})
    # {"adam": AdamKongFu, ..., "AdamKongFu": AdamKongFu, ..., "sgd": GradientDescentKongFu}
"""
import inspect

from akid.checks import snake_case


def key_of(cls, suffix=""):
    """`cls`'s snake-case name without `suffix`: ReLULayer -> relu, RMSPropKongFu -> rms_prop."""
    key = snake_case(cls.__name__).replace("re_lu", "relu")
    return key[:-len(suffix)] if suffix and key.endswith(suffix) and key != suffix else key


def by_reflection(module, base, suffix="", keep=None, exclude=(), aliases=None,
                  class_names=True):
    """{name: class} of the public classes of `module` that subclass `base`.

    Args:
      module: where to look (its public names: `inspect.getmembers`).
      base: the family's base class; it is not a member itself.
      suffix: what `key_of` strips from the snake-case names ("_layer").
      keep: a predicate on classes to narrow the family (e.g. a block's role).
      exclude: further abstract bases to leave out.
      aliases: {alias: a snake-case key found}, for names kept beside them.
      class_names: also name each class by its class name.

    The snake-case keys come first (in name order), then the class names, then
    the aliases; the first class to take a name keeps it.
    """
    members = [cls for name, cls in inspect.getmembers(module, inspect.isclass)
               if not name.startswith("_") and issubclass(cls, base) and cls is not base
               and cls not in exclude and (keep is None or keep(cls))]
    found = {}
    for cls in members:
        found.setdefault(key_of(cls, suffix), cls)
    for cls in members if class_names else ():
        found.setdefault(cls.__name__, cls)
    for alias, key in (aliases or {}).items():
        if key not in found:
            raise LookupError(f"alias {alias!r} names {key!r}, which {module.__name__} does not "
                              f"have; it has {', '.join(found)}")
        found.setdefault(alias, found[key])
    return found
