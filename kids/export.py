"""SavedModel export of a brain's inference path, for serving without akid."""
import os
import shutil
import tempfile

import tensorflow as tf

from akid.blocks.systems import as_list


def export_saved_model(brain, input_spec, path):
    """Writes `brain`'s inference path (`brain.infer`, in "val" mode) as a SavedModel at `path`.

    The "serving_default" signature takes `input_spec`-shaped `data` (for
    several inputs, a tuple of specs: `data_0`, `data_1`, ...) and returns
    {"output": ...} ({"output_0": ..., ...} for several outputs). The model is
    written to a temporary folder beside `path` first and moved into place, so
    an interrupted export never leaves a half-written model at `path` (and
    removes its temporary folder).

    What may be at `path`: nothing, an empty folder, or a previous SavedModel
    (a folder holding `saved_model.pb`), which is replaced. Anything else (a
    file, a folder of other files) is never touched: FileExistsError.
    """
    check_export_path(path)
    servable = tf.Module(name="servable")
    servable.brain = brain
    specs = tf.nest.flatten(input_spec)
    if len(specs) == 1:
        def call(data):
            return _named(brain.infer(data))
    else:
        specs = [tf.TensorSpec(s.shape, s.dtype, name=f"data_{i}") for i, s in enumerate(specs)]

        def call(*data):
            return _named(brain.infer(data))
    serve = tf.function(call, input_signature=specs)

    with brain.mode_as("val"):
        signature = serve.get_concrete_function()
    servable.serve = serve
    parent = os.path.dirname(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".export-", dir=parent)
    try:
        tf.saved_model.save(servable, staging, signatures={"serving_default": signature})
        _move_into_place(staging, path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return path


def _named(outputs):
    """The serving signature's outputs: {"output": ...}, or {"output_<i>": ...} for several."""
    outputs = as_list(outputs)
    if len(outputs) == 1:
        return {"output": outputs[0]}
    return {f"output_{i}": output for i, output in enumerate(outputs)}


def check_export_path(path):
    """Raises FileExistsError unless `path` is free, an empty folder, or a SavedModel folder."""
    path = os.fspath(path)
    if not os.path.lexists(path):
        return
    if os.path.isdir(path) and not os.path.islink(path) and (
            not os.listdir(path) or os.path.isfile(os.path.join(path, "saved_model.pb"))):
        return
    what = ("a link" if os.path.islink(path) else "a file" if not os.path.isdir(path)
            else "a folder of other files (no saved_model.pb in it)")
    raise FileExistsError(f"export: {path} is {what}; akid replaces only a previous "
                          f"SavedModel there, and leaves this as it is. Export to another "
                          f"path, or move {path} away")


def _move_into_place(staging, path):
    """Renames `staging` onto `path`; a previous model there is set aside, then removed."""
    check_export_path(path)
    if not os.path.isdir(path):
        os.replace(staging, path)
        return
    old = tempfile.mkdtemp(prefix=".export-old-", dir=os.path.dirname(os.path.abspath(path)))
    try:
        os.replace(path, old)  # the previous model replaces the empty folder `old`
    except BaseException:
        os.rmdir(old)
        raise
    try:
        os.replace(staging, path)
    except BaseException:
        os.replace(old, path)  # put the previous model back
        raise
    shutil.rmtree(old, ignore_errors=True)
