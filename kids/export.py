"""SavedModel export of a brain's inference path, for serving without akid."""
import os
import shutil
import tempfile

import tensorflow as tf

from akid.blocks.systems import as_list


def export_saved_model(brain, input_spec, path):
    """Writes `brain`'s inference path (`brain.infer`, in "val" mode) as a SavedModel at `path`.

    The "serving_default" signature takes `input_spec`-shaped data and returns
    {"output": ...} ({"output_0": ..., ...} for several outputs). The model is
    written to a temporary folder first and moved into place, so an
    interrupted export never leaves a half-written model at `path`.
    """
    servable = tf.Module(name="servable")
    servable.brain = brain

    @tf.function(input_signature=[input_spec])
    def serve(data):
        outputs = as_list(brain.infer(data))
        if len(outputs) == 1:
            return {"output": outputs[0]}
        return {f"output_{i}": output for i, output in enumerate(outputs)}

    with brain.mode_as("val"):
        signature = serve.get_concrete_function()
    servable.serve = serve
    parent = os.path.dirname(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".export-", dir=parent)
    try:
        tf.saved_model.save(servable, staging, signatures={"serving_default": signature})
        if os.path.isdir(path):
            shutil.rmtree(path)
        os.replace(staging, path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return path
