"""TensorFlow 1's plumbing an akid user meets on a Kid, and what to do instead.

akid's Kid held a `tf.Graph`, a `tf.Session`, feed dicts and a `tf.train.Saver`;
TensorFlow 2 runs eagerly and compiles with `tf.function`, so none of them
exists. Reading one is an AttributeError that says so and names the
replacement; akid's constructor arguments for them are accepted where
ignoring them changes nothing (`graph=`), refused where it would (`sess=`).
"""
import os

from akid.compat.aliases import warn

EAGER = "TensorFlow 2 runs eagerly, with no session or graph to enter"
KID_GONE = {
    "sess": f"kid.sess (akid's tf.Session) is gone: {EAGER}. Read values directly: "
            "kid.brain.get_variable(name).numpy(), kid.kongfu.get_lr(), kid.validate(), "
            "kid.predict(x)",
    "graph": f"kid.graph (akid's tf.Graph) is gone: {EAGER}; drop `with kid.graph.as_default():` "
             "and run its body as it is",
    "feed_dict": "feed dicts are gone: the sensor feeds the brain through tf.data; run the brain "
                 "on your own batch with kid.brain([x, y]) or kid.predict(x)",
    "saver": "kid.saver (tf.train.Saver) is gone: the Kid writes tf.train checkpoints to "
             "kid.model_dir; read one back with kid.restore(path)",
    "save_to_ckpt": "the Kid checkpoints at every validation (val_log_step) and at the end, "
                    "to kid.model_dir; kid.checkpoints.save(kid.step) saves one now",
    "restore_from_ckpt": "use kid.restore() (the newest readable checkpoint of kid.model_dir), "
                         "or Kid(..., continue_from_chk_point=True) to resume training",
    "init": "kid.setup() builds and initializes everything (and, with "
            "continue_from_chk_point=True, restores the latest checkpoint)",
    "val_brain": "one brain serves training and validation: kid.brain (the Kid sets its mode)",
    "loss_value": "use kid.batch_loss (the last training step), kid.train_loss (the mean "
                  "since the last training log) or kid.val_loss (the last validation)",
    "train_op": f"{EAGER}: one training step is what kid.practice() runs; to write your own "
                "loop, use brain.compute([x, y]) under tf.GradientTape and "
                "kid.kongfu.apply_gradients(grads, variables)",
    "summary_writer": "the Kid writes TensorBoard summaries under kid.log_dir (train/, val/); "
                      "write your own with tf.summary.create_file_writer",
    "global_step_tensor": "the global step is the Kid's clock: kid.step (a Python int) or "
                          "kid.clock.step (the tf.Variable)",
}
KID_GONE["fill_train_feed_dict"] = KID_GONE["feed_dict"]
KID_GONE["summary_op"] = KID_GONE["summary_writer"]

# akid's Kid arguments for TensorFlow 1 plumbing: the value that means "as today", and why.
KID_ARGUMENTS = {
    "graph": (None, "TensorFlow 2 has no graphs to build in; graph= is ignored"),
    "log_to_file": (True, "the Kid always writes log_dir/training.log; log_to_file= is ignored"),
    "summary_on_val": (False, "validation summaries are the val/ scalars the Kid writes; "
                              "summary_on_val= is ignored"),
}


class AkidKid:
    """akid's names on a Kid: `model_dir`, and an AttributeError that says why for each
    TensorFlow 1 attribute (`sess`, `graph`, `fill_train_feed_dict`, ...)."""

    @property
    def model_dir(self):
        """Where checkpoints go: `log_dir/model` (the best one in `model_dir/best`)."""
        return os.path.join(self.log_dir, "model")

    def __getattr__(self, name):
        raise missing_attribute(self, name, KID_GONE)


def missing_attribute(owner, name, table):
    """The AttributeError for `owner.name`: why and what instead when `table` has it."""
    kind = type(owner).__name__
    if name in table:
        return AttributeError(f"{kind}: {table[name]}")
    return AttributeError(f"{kind!r} object has no attribute {name!r}")


def kid_arguments(args):
    """Checks akid's extra Kid arguments (a dict): warns for each one ignored, refuses sess=
    and any other name, as Python would."""
    for name, value in args.items():
        if name == "sess":
            if value is not None:
                raise TypeError(f"Kid: sess= (akid's tf.Session) is gone: {EAGER}; drop it")
        elif name in KID_ARGUMENTS:
            default, why = KID_ARGUMENTS[name]
            if value != default:
                warn(f"Kid: {why}")
        else:
            raise TypeError(f"Kid.__init__() got an unexpected keyword argument {name!r}")
