"""Kid: a sensor, a brain and a kongfu trained together on a global clock."""
import datetime
import os

import tensorflow as tf

from akid.checks import check_flag
from akid.compat import tf1
from akid.kids import assembly, callbacks, signals
from akid.kids import clock as clocks
from akid.kids.checkpoints import Checkpoints
from akid.kids.engines import WORKER_LOST, make_engine
from akid.kids.evaluation import Evaluation
from akid.kids.export import export_saved_model
from akid.kids.hooks import Hooks
from akid.kids.logs import logger
from akid.kids.preflight import check_labels, check_log_dir, check_options, check_towers
from akid.kids.weight_averages import averaged


class Kid(tf1.AkidKid, Evaluation):
    """Trains `brain` on `sensor`'s data with `kongfu`, validating, logging and checkpointing.

    Args:
      sensor: a Sensor; its batch size is the global batch.
      brain: a Brain with at least one loss block.
      kongfu: a KongFu (optimizer + learning-rate scheme).
      engine: where to train: "single", {"name": "data_parallel", "num_gpu": N} or
        {"name": "multi_worker"} (see `akid.kids.engines`); the model code is
        the same for all. With a distributed engine only the chief writes
        checkpoints, summaries and `log_dir`'s logs.
      max_steps, max_epoch: how long to train; exactly one must be given.
      log_dir: where logs and checkpoints go; default `$AKID_LOG_DIR` (the tuner
        sets it for each instance), else `log/<timestamp>`.
      val_log_step: validate (and checkpoint) every this many steps, and at the end.
      train_log_step: log training loss, metrics, lr and images/s every this many steps.
      save_chk_point: write checkpoints to `log_dir/model/` (best one in `model/best/`).
      continue_from_chk_point: resume from the latest readable checkpoint in `log_dir`.
      inference_mode: restore (when asked) and validate only; `practice()` is refused.
      do_summary: write TensorBoard summaries beyond the scalars.
      skip_validation: never validate (checkpoints are still written at val_log_step).
      seed: seeds Python, numpy and TensorFlow, and the data order.
      jit_compile: compile the steps with XLA.
      debug: when the loss goes non-finite, name the first block whose output did.
      max_to_keep: how many recent checkpoints to keep.
      deterministic: make TensorFlow's ops deterministic (needs `seed`), so a
        run, or a resumed one, gives the same weights bit for bit.
      checkpoint_minutes: also validate and checkpoint every this many minutes.
      **akid_args: akid's TensorFlow 1 arguments: `graph=` (ignored, with a warning),
        `sess=` (refused) and others (see `akid.compat.tf1`).

    Everything optional (progress bar, metrics log, summaries, checkpoints,
    NaN guard) is a callback on `kid.hooks` (see `akid.kids.callbacks`).

    Example:
      kid = Kid(FeedSensor(MNISTSubsetSource(), batch_size=128), LeNet(), MomentumKongFu(),
                max_epoch=10, log_dir="log/lenet")
      kid.setup()
      kid.practice()
      val_loss, evals = kid.validate()
    """

    def __init__(self, sensor, brain, kongfu, engine="single", max_steps=None, max_epoch=None,
                 log_dir=None, val_log_step=1000, train_log_step=100, save_chk_point=True,
                 continue_from_chk_point=False, inference_mode=False, do_summary=True,
                 skip_validation=False, seed=None, jit_compile=False, debug=False, max_to_keep=5,
                 deterministic=False, checkpoint_minutes=None, **akid_args):
        tf1.kid_arguments(akid_args)
        check_options({name: value for name, value in locals().items()
                       if name not in ("self", "sensor", "brain", "kongfu", "engine", "akid_args")})
        self.sensor, self.brain, self.kongfu = sensor, brain, kongfu
        self.engine = make_engine(engine)  # first: it may have to configure devices
        if jit_compile and self.engine.num_replicas > 1:
            raise ValueError(f"Kid: jit_compile=True runs on one device; engine "
                             f"{self.engine.name} has {self.engine.num_replicas} towers")
        if self.engine.num_workers > 1 and seed is None and sensor.seed is None:
            raise ValueError(f"Kid: engine {self.engine.name} needs a seed (Kid(seed=...)), so "
                             f"that all {self.engine.num_workers} workers draw the same batches")
        self.max_epoch = max_epoch
        self.max_steps = (max_steps if max_steps is not None else
                          (max_epoch or 0) * sensor.num_batches_per_epoch)
        self.log_dir = log_dir or os.environ.get("AKID_LOG_DIR") or os.path.join(
            "log", datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))
        self.val_log_step, self.train_log_step = val_log_step, train_log_step
        self.save_chk_point, self.continue_from_chk_point = save_chk_point, continue_from_chk_point
        self.inference_mode, self.do_summary = inference_mode, do_summary
        self.skip_validation, self.debug = skip_validation, debug
        self.seed, self.jit_compile, self.max_to_keep = seed, jit_compile, max_to_keep
        self.deterministic, self.checkpoint_minutes = deterministic, checkpoint_minutes
        self.hooks = Hooks()
        self.clock = clocks.Clock()
        self.is_setup = False
        self.stopped_by = None  # why the last practice() stopped early, if it did
        self.train_loss = self.val_loss = None
        self.train_evals, self.evals = {}, {}
        self.batch = self.batch_loss = self.batch_evals = None  # the last step's, for hooks
        self.input_spec = self.weight_averages = None  # known once setup() has built them
        self._stop_requested = self._validation_requested = False
        self._callbacks = None
        self._step = None  # the clock's value, kept in Python to spare a read per use

    # -- state ------------------------------------------------------------------

    @property
    def step(self):
        """The global step: how many updates the brain has had."""
        if self._step is None:
            self._step = self.clock.get_step()
        return self._step

    @property
    def epoch(self):
        """Epochs done, as a float (step / batches per epoch); None without training data."""
        per_epoch = self.sensor.num_batches_per_epoch
        return self.step / per_epoch if per_epoch else None

    @property
    def writes_checkpoints(self):
        """Whether this process saves checkpoints (asked for, and the engine's chief)."""
        return self.save_chk_point and self.engine.is_chief

    def stop(self):
        """Ends training cleanly after the current step (call it from a hook)."""
        self._stop_requested = True

    def request_validation(self):
        """Validates (and so checkpoints) after the current step (call it from a hook)."""
        self._validation_requested = True

    def _at_work(self):
        """Makes this Kid's clock the one `get_step()` reads and its log the one written."""
        clocks.use(self.clock)
        if self.is_setup:
            self.log.activate()

    # -- setup ------------------------------------------------------------------

    def setup(self):
        """Builds the brain and optimizer, opens the logs, restores a checkpoint if asked.

        Everything that can be wrong with the inputs is checked before anything
        is written to `log_dir`.
        """
        clocks.use(self.clock)
        assembly.seed(self)
        model_dir = self.model_dir
        if self.save_chk_point and not self.continue_from_chk_point and not self.inference_mode:
            check_log_dir(self.log_dir, model_dir)
        if not self.inference_mode:
            check_labels(self.sensor, self.brain)
            check_towers(self.sensor, self.engine)
        with self.engine.scope():
            self._train_step, self.eval_step, self.input_spec = assembly.build(self)
        self.data_seed = tf.Variable(self.sensor.seed, dtype=tf.int64, trainable=False)
        self.checkpoints = Checkpoints(
            model_dir, self.max_to_keep, brain=self.brain, kongfu=self.kongfu, clock=self.clock,
            data_seed=self.data_seed, weight_averages=self.weight_averages)
        self.log = assembly.open_log(self)
        if self.continue_from_chk_point:
            assembly.resume(self)
            self._step = None
        if self._callbacks is None:  # once: a Kid set up again keeps its callbacks
            self._callbacks = [self.hooks.add(callback, builtin=True)
                               for callback in callbacks.standard(self)]
        self.is_setup = True
        return self

    # -- training -----------------------------------------------------------------

    def practice(self, continue_from_chk_point=None):
        """Trains until max_steps (or `stop()`); returns the final training loss.

        The returned loss is the mean over the last `train_log_step` steps.
        `continue_from_chk_point=True` (akid's argument) first resumes from the
        newest readable checkpoint, as `Kid(continue_from_chk_point=True)` does.
        SIGINT (Ctrl+C) or SIGTERM finishes the current step and saves a
        checkpoint; then a script exits with status 128 + the signal's number,
        while in a notebook SIGINT (the interrupt button) returns from here
        with the Kid still set up (see `akid.kids.signals`).
        """
        if continue_from_chk_point is not None and check_flag(
                "Kid.practice", "continue_from_chk_point", continue_from_chk_point):
            self.continue_from_chk_point = True
            if self.is_setup:
                assembly.resume(self)
                self._step = None
        if not self.is_setup:
            self.setup()
        if self.inference_mode:
            raise ValueError("Kid: practice() is not available with inference_mode=True")
        self._at_work()
        self._stop_requested, self.stopped_by = False, None
        try:
            self.hooks.fire("on_train_begin", self)
            with signals.stop_on_signals(self):
                try:
                    self._train()
                except KeyboardInterrupt:  # raised by a hook, or a second Ctrl+C
                    self._interrupted("KeyboardInterrupt")
                    raise
                except WORKER_LOST as error:
                    if self.engine.num_workers == 1:
                        raise
                    # The failed collective may come after the step's update and tick, so
                    # the clock is read again; a resumed run takes a cut-short batch again.
                    self._step = int(self.clock.step.numpy())
                    path = self._interrupted("a lost worker")
                    raise assembly.worker_lost_error(self, error, path) from error
            if self.stopped_by:
                self._interrupted(self.stopped_by)
                if signals.exits_on(self.stopped_by):
                    raise SystemExit(signals.exit_status(self.stopped_by))
                return self.train_loss
            self.hooks.fire("on_train_end", self)
        finally:
            self.hooks.fire("on_train_exit", self)
        self.engine.barrier()
        return self.train_loss

    def _train(self):
        """The loop: a step and its hooks; logs and validation when due."""
        data = iter(self.engine.distribute(self.sensor.dataset("train", start_step=self.step)))
        logged_at, validated_at = self.step, None
        while self.step < self.max_steps and not self._stop_requested:
            self.hooks.fire("on_batch_begin", self)
            self.kongfu.check_lr()  # a placeholder lr must be set by now
            self.batch = next(data)
            self.brain.set_mode("train")
            loss, self.batch_evals, step = self._train_step(*self.batch)
            self.batch_loss, self._step = float(loss), int(step)
            self.hooks.fire("on_batch_end", self)
            if self.step % self.train_log_step == 0 or self.step == self.max_steps:
                self.hooks.fire("on_train_log_step", self)
                logged_at = self.step
            if self.step % self.val_log_step == 0 or self._validation_requested:
                self._validate_and_log()
                validated_at = self.step
            if self.step % self.sensor.num_batches_per_epoch == 0:
                self.hooks.fire("on_epoch_end", self)
        if self.stopped_by:
            return
        if logged_at != self.step:
            self.hooks.fire("on_train_log_step", self)
        if validated_at != self.step:
            self._validate_and_log()

    def _validate_and_log(self):
        self._validation_requested = False
        if not self.skip_validation and self.sensor.num_examples("val"):
            self.validate()
        self.hooks.fire("on_val_log_step", self)

    def _interrupted(self, reason):
        """Training stopped early: the callbacks save what the finished steps learned."""
        self.stopped_by = reason
        self.hooks.fire("on_interrupt", self)
        saved = self.checkpoints.last_saved
        path = saved[1] if saved and saved[0] == self.step else None
        logger().warning("akid: stopped by %s at step %d; checkpoint: %s", reason, self.step, path)
        if signals.exits_on(reason):
            self.teardown()
        return path

    def export(self, path):
        """Writes a SavedModel of the brain's inference path to `path`; returns `path`.

        Its "serving_default" signature takes a batch shaped and typed as the
        sensor's (any batch size) and returns {"output": the brain's data
        output, in "val" mode}. It loads with `tf.saved_model.load(path)`,
        without akid. On a distributed engine only the chief writes.
        """
        if self.input_spec is None:
            self.setup()
        if self.engine.is_chief:
            with averaged(self):
                export_saved_model(self.brain, self.input_spec, path)
            logger().info("exported the brain's inference path to %s", path)
        self.engine.barrier()
        return path

    def _repr_html_(self):
        """A notebook shows a Kid as a table: step, epoch, last losses, log_dir, engine."""
        from akid.kids.observer.display import html_table

        def number(value):
            return "-" if value is None else f"{value:.4g}"
        evals = ", ".join(f"{k} {v:.4g}" for k, v in self.evals.items())
        rows = [("step", f"{self.step} of {self.max_steps}"),
                ("epoch", number(self.epoch)), ("train loss", number(self.train_loss)),
                ("val loss", number(self.val_loss) + (f" ({evals})" if evals else "")),
                ("log_dir", self.log_dir),
                ("engine", f"{self.engine.name} ({self.engine.num_replicas} tower(s))")]
        state = "set up" if self.is_setup else "not set up"
        return html_table(None, rows, caption=f"Kid of brain '{self.brain.name}' ({state})")

    def teardown(self):
        """Closes the logs; the kid can be set up again afterwards."""
        if self.is_setup:
            self.log.close()
            self.is_setup = False
