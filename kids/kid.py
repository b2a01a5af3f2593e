"""Kid: a sensor, a brain and a kongfu trained together on a global clock."""
import datetime
import math
import os
import signal
import time

import keras
import numpy as np
import tensorflow as tf

from akid.blocks.systems import as_list
from akid.kids import clock as clocks
from akid.kids.callbacks import standard as standard_hooks
from akid.kids.checkpoints import Checkpoints
from akid.kids.engines import WORKER_LOST, make_engine
from akid.kids.export import export_saved_model
from akid.kids.preflight import check_labels, check_towers
from akid.kids.hooks import Hooks
from akid.kids.logs import RunLog, logger
from akid.kids.signals import stop_on_signals
from akid.kids.steps import make_eval_step, make_train_step
from akid.kids.callbacks.window import Window


class Kid:
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
      log_dir: where logs and checkpoints go; default `log/<timestamp>`.
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
                 deterministic=False):
        if (max_steps is None) == (max_epoch is None) and not inference_mode:
            raise ValueError(f"Kid: give exactly one of max_steps and max_epoch, got "
                             f"max_steps={max_steps!r}, max_epoch={max_epoch!r}")
        for param, value in (("max_steps", max_steps), ("max_epoch", max_epoch),
                             ("val_log_step", val_log_step), ("train_log_step", train_log_step),
                             ("max_to_keep", max_to_keep)):
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                      or value <= 0):
                raise ValueError(f"Kid: {param} must be a positive int, got {value!r}")
        if deterministic and seed is None:
            raise ValueError("Kid: deterministic=True needs a seed, e.g. Kid(..., seed=0)")
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
        self.log_dir = log_dir or os.path.join(
            "log", datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))
        self.val_log_step, self.train_log_step = val_log_step, train_log_step
        self.save_chk_point, self.continue_from_chk_point = save_chk_point, continue_from_chk_point
        self.inference_mode, self.do_summary = inference_mode, do_summary
        self.skip_validation, self.debug = skip_validation, debug
        self.seed, self.jit_compile, self.max_to_keep = seed, jit_compile, max_to_keep
        self.deterministic = deterministic
        self.stopped_by = None
        self.hooks = Hooks()
        self.clock = clocks.Clock()
        self.is_setup = False
        self.train_loss = self.val_loss = None
        self.train_evals, self.evals = {}, {}
        self._stop_requested = False
        self._step = None  # the clock's value, kept in Python to spare a read per use
        self._traced = False  # the first training step traces: it is left out of images/s
        self._input_spec = None  # what the brain takes, known once setup() has built it

    # -- state ------------------------------------------------------------------

    @property
    def step(self):
        """The global step: how many updates the brain has had."""
        if self._step is None:
            self._step = self.clock.get_step()
        return self._step

    @property
    def epoch(self):
        """Epochs done, as a float (step / batches per epoch)."""
        return self.step / self.sensor.num_batches_per_epoch

    def stop(self):
        """Ends training cleanly after the current step (call it from a hook)."""
        self._stop_requested = True

    # -- setup ------------------------------------------------------------------

    def setup(self):
        """Builds the brain and optimizer, opens the logs, restores a checkpoint if asked.

        Everything that can be wrong with the inputs is checked before anything
        is written to `log_dir`.
        """
        clocks.use(self.clock)
        self._seed()
        model_dir = os.path.join(self.log_dir, "model")
        if (self.save_chk_point and not self.continue_from_chk_point and not self.inference_mode
                and tf.train.latest_checkpoint(model_dir)):
            raise ValueError(f"Kid: log_dir {self.log_dir!r} already holds checkpoints; pass "
                             f"continue_from_chk_point=True to resume, or choose a new log_dir")
        if not self.inference_mode:
            check_labels(self.sensor, self.brain)
            check_towers(self.sensor, self.engine)
        with self.engine.scope():
            self._build()
        try:
            os.makedirs(self.log_dir, exist_ok=True)
        except OSError as error:
            raise ValueError(f"Kid: cannot create log_dir {self.log_dir!r}: "
                             f"{error.strerror or error}") from error
        self._data_seed = tf.Variable(self.sensor.seed, dtype=tf.int64, trainable=False)
        self.checkpoints = Checkpoints(model_dir, self.max_to_keep, brain=self.brain,
                                       kongfu=self.kongfu, clock=self.clock,
                                       data_seed=self._data_seed)
        self.log = RunLog(self._own_log_dir())
        logger().info("engine %s: %d tower(s) on %d worker(s); this process is the %s",
                      self.engine.name, self.engine.num_replicas, self.engine.num_workers,
                      self.engine.worker_name)
        if self.continue_from_chk_point:
            self._resume()
        standard_hooks.install(self)
        self.is_setup = True
        return self

    def _own_log_dir(self):
        """log_dir for the chief; a folder of its own under log_dir/workers for another worker."""
        if self.engine.is_chief:
            return self.log_dir
        own = os.path.join(self.log_dir, "workers", self.engine.worker_name)
        os.makedirs(own, exist_ok=True)
        return own

    @property
    def writes_checkpoints(self):
        """Whether this process saves checkpoints (asked for, and the engine's chief)."""
        return self.save_chk_point and self.engine.is_chief

    def _seed(self):
        """Seeds Python, numpy, TensorFlow and the data order (random when no seed)."""
        if self.seed is not None:
            keras.utils.set_random_seed(self.seed)
        if self.deterministic:
            tf.config.experimental.enable_op_determinism()
        if self.sensor.seed is None:
            self.sensor.seed = (self.seed if self.seed is not None
                                else int(np.random.SeedSequence().generate_state(1)[0] >> 1))

    def _resume(self):
        """Restores the newest readable checkpoint, if any, and the data order it used."""
        restored = self.checkpoints.restore_latest()
        self._step = None
        self.sensor.seed = int(self._data_seed.numpy())
        if restored:
            logger().info("resumed from %s at step %d", restored, self.step)
        else:
            logger().info("no checkpoint in %s; starting at step 0", self.checkpoints.directory)
        steps = sorted(set(self.engine.gather(self.step)))
        if len(steps) > 1:
            raise ValueError(
                f"Kid: the workers of engine {self.engine.name} resumed at different steps "
                f"{steps}; this worker ({self.engine.worker_name}) at step {self.step} from "
                f"{restored or f'no checkpoint in {self.checkpoints.directory}'}. Every worker "
                f"must read the chief's {self.checkpoints.directory} (a shared disk)")

    def _build(self):
        """Runs the brain once on two examples (so shape errors show now) and builds the steps."""
        split = "train" if self.sensor.num_examples("train") else "val"
        data = self.sensor.dataset(split)
        x, y = next(iter(data.take(1)))
        self.brain.set_mode("val")
        self.brain.compute([x[:2], y[:2]])
        if not self.brain.has_loss and not self.inference_mode:
            raise ValueError(f"Kid: brain '{self.brain.name}' has no loss block; attach one "
                             f"(e.g. SoftmaxWithLossLayer) to train it")
        signature = [tf.TensorSpec([None, *x.shape[1:]], x.dtype),
                     tf.TensorSpec([None, *y.shape[1:]], y.dtype)]
        self._input_spec = signature[0]
        self.kongfu.set_step_counter(self.clock.step)
        self.kongfu.build(self.brain.trainable_variables)
        towers_signature = signature if self.engine.num_replicas == 1 else None
        self._train_step = make_train_step(self.brain, self.kongfu, self.clock, self.engine,
                                           towers_signature, self.jit_compile)
        self._eval_step = make_eval_step(self.brain, self.engine, towers_signature,
                                         self.jit_compile)

    # -- training -----------------------------------------------------------------

    def practice(self):
        """Trains until max_steps (or `stop()`); returns the final training loss.

        The returned loss is the mean over the last `train_log_step` steps.
        SIGINT (Ctrl+C) or SIGTERM finishes the current step, saves a
        checkpoint, closes the logs and exits with status 128 + signal number.
        """
        if not self.is_setup:
            self.setup()
        if self.inference_mode:
            raise ValueError("Kid: practice() is not available with inference_mode=True")
        clocks.use(self.clock)
        self._stop_requested, self.stopped_by = False, None
        self.hooks.fire("on_train_begin", self)
        window = Window()
        with stop_on_signals(self):
            try:
                validated_at = self._train(window)
            except KeyboardInterrupt:  # raised by a hook, or a second Ctrl+C
                self._save_on_exit("KeyboardInterrupt")
                raise
            except WORKER_LOST as error:
                if self.engine.num_workers == 1:
                    raise
                self._worker_lost(error)
        if self.stopped_by:
            self._save_on_exit(self.stopped_by)
            raise SystemExit(128 + int(getattr(signal, self.stopped_by)))
        if window.steps:
            self._log_train(window)
        if validated_at != self.step:
            self._validate_and_save()
        self.hooks.fire("on_train_end", self)
        self.engine.barrier()
        return self.train_loss

    def _train(self, window):
        """The loop: a step, its hooks, logging and validation when due. Returns the
        step of the last validation."""
        data = iter(self.engine.distribute(self.sensor.dataset("train", start_step=self.step)))
        validated_at = None
        while self.step < self.max_steps and not self._stop_requested:
            self.hooks.fire("on_batch_begin", self)
            started = time.perf_counter()
            x, y = next(data)
            self.brain.set_mode("train")
            loss, evals, step = self._train_step(x, y)
            self._step = int(step)
            seconds = time.perf_counter() - started if self._traced else None
            self._traced = True
            window.add(float(loss), evals, self.engine.global_batch_size(x), seconds)
            if not math.isfinite(window.last_loss):
                self._report_non_finite(window.last_loss, *map(self.engine.local_batch, (x, y)))
            self.hooks.fire("on_batch_end", self)
            if self.step % self.train_log_step == 0 or self.step == self.max_steps:
                self._log_train(window)
            if self.step % self.val_log_step == 0:
                self._validate_and_save()
                validated_at = self.step
            if self.step % self.sensor.num_batches_per_epoch == 0:
                self.hooks.fire("on_epoch_end", self)
        return validated_at

    def _report_non_finite(self, loss, x, y):
        """Raises FloatingPointError naming the step (and, with debug, the first bad block)."""
        culprit = ""
        if self.debug:
            with self.brain.mode_as("val"):
                activations = self.brain.activations([x, y])
            for name, output in activations.items():
                if not all(np.isfinite(t).all() for t in as_list(output)):
                    culprit = f"; the first block whose output is not finite is '{name}'"
                    break
        latest = tf.train.latest_checkpoint(self.checkpoints.directory)
        raise FloatingPointError(f"Kid: the training loss became {loss} at step {self.step + 1}"
                                 f"{culprit}; the step was not applied, the brain keeps its "
                                 f"step-{self.step} weights; the last good checkpoint is {latest}")

    def _save_on_exit(self, reason):
        """Saves the last finished step (on the chief), closes the logs; returns the checkpoint."""
        path = self.checkpoints.save(self.step) if self.writes_checkpoints else None
        self.progress_bar.close()
        self.teardown()
        logger().warning("akid: stopped by %s at step %d; checkpoint: %s", reason, self.step, path)
        return path

    def _worker_lost(self, error):
        """Another worker left mid-step: keep what the finished steps learned, say how to go on.

        The failed collective may come after the step's update and tick (its
        metrics are summed last), so the clock is read again: the brain holds
        the weights of its step, except that a step cut short before its tick
        may have updated part of them; a resumed run takes that batch again.
        """
        self._step = int(self.clock.step.numpy())
        path = self._save_on_exit("a lost worker")
        saved = f"saved {path}" if path else "saves no checkpoint (only the chief writes)"
        raise RuntimeError(
            f"Kid: engine {self.engine.name} lost a worker during step {self.step + 1} (stopped, "
            f"killed or unreachable); this worker ({self.engine.worker_name}) stopped at step "
            f"{self.step} and {saved}. Restart every worker with continue_from_chk_point=True "
            f"to resume. TensorFlow said: {str(error.message).splitlines()[0]}") from error

    def _log_train(self, window):
        self.train_loss, self.train_evals = window.mean()
        self.log.record(self.step, "train", epoch=round(self.epoch, 4), loss=self.train_loss,
                        lr=self.kongfu.get_lr(), images_per_s=window.images_per_s(),
                        **self.train_evals)
        window.reset()
        self.hooks.fire("on_train_log_step", self)

    def _validate_and_save(self):
        if not self.skip_validation and self.sensor.num_examples("val"):
            self.validate()
        self.hooks.fire("on_val_log_step", self)

    def validate(self, split="val"):
        """The loss (without weight decay) and metrics over the whole `split`, averaged
        per example.

        Returns `(loss, evals)`; also logs them (under "val") and keeps them as
        `kid.val_loss` / `kid.evals` when split is "val". A distributed engine
        splits every batch across its towers, as in training; every worker
        gets the same figures.
        """
        if not self.is_setup:
            self.setup()
        totals, count = {}, 0
        with self.brain.mode_as(split):
            for x, y in self.engine.distribute(self.sensor.dataset(split)):
                sums, examples = self._eval_step(x, y)
                for key, value in sums.items():
                    totals[key] = totals.get(key, 0.0) + float(value)
                count += int(examples)
        if not count:
            raise ValueError(f"Kid: the {split} split of {self.sensor.name} is empty")
        means = {key: total / count for key, total in totals.items()}
        loss = means.pop("loss")
        self.log.record(self.step, split, epoch=round(self.epoch, 4), loss=loss, **means)
        if split == "val":
            self.val_loss, self.evals = loss, means
        return loss, means

    def export(self, path):
        """Writes a SavedModel of the brain's inference path to `path`; returns `path`.

        Its "serving_default" signature takes a batch shaped and typed as the
        sensor's (any batch size) and returns {"output": the brain's data
        output, in "val" mode}. It loads with `tf.saved_model.load(path)`,
        without akid. On a distributed engine only the chief writes.
        """
        if self._input_spec is None:
            self.setup()
        if self.engine.is_chief:
            export_saved_model(self.brain, self._input_spec, path)
            logger().info("exported the brain's inference path to %s", path)
        self.engine.barrier()
        return path

    def teardown(self):
        """Closes the logs; the kid can be set up again afterwards."""
        if self.is_setup:
            self.log.close()
            self.is_setup = False
