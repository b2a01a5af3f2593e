"""Kid: a sensor, a brain and a kongfu trained together on a global clock."""
import datetime
import math
import os
import time

import keras
import numpy as np
import tensorflow as tf

from akid.kids import clock as clocks
from akid.kids import standard_hooks
from akid.kids.checkpoints import Checkpoints
from akid.kids.engines import make_engine
from akid.kids.hooks import Hooks
from akid.kids.logs import RunLog, logger
from akid.kids.steps import make_eval_step, make_train_step


class Kid:
    """Trains `brain` on `sensor`'s data with `kongfu`, validating, logging and checkpointing.

    Args:
      sensor: a Sensor; its batch size is the global batch.
      brain: a Brain with at least one loss block.
      kongfu: a KongFu (optimizer + learning-rate scheme).
      engine: "single" (the only engine so far).
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
      debug: reserved for naming the block that produced a non-finite value.
      max_to_keep: how many recent checkpoints to keep.

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
                 skip_validation=False, seed=None, jit_compile=False, debug=False, max_to_keep=5):
        if (max_steps is None) == (max_epoch is None) and not inference_mode:
            raise ValueError(f"Kid: give exactly one of max_steps and max_epoch, got "
                             f"max_steps={max_steps!r}, max_epoch={max_epoch!r}")
        for param, value in (("max_steps", max_steps), ("max_epoch", max_epoch),
                             ("val_log_step", val_log_step), ("train_log_step", train_log_step),
                             ("max_to_keep", max_to_keep)):
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                      or value <= 0):
                raise ValueError(f"Kid: {param} must be a positive int, got {value!r}")
        self.sensor, self.brain, self.kongfu = sensor, brain, kongfu
        self.engine = make_engine(engine)
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
        self.hooks = Hooks()
        self.clock = clocks.Clock()
        self.is_setup = False
        self.train_loss = self.val_loss = None
        self.train_evals, self.evals = {}, {}
        self._stop_requested = False

    # -- state ------------------------------------------------------------------

    @property
    def step(self):
        """The global step: how many updates the brain has had."""
        return self.clock.get_step()

    @property
    def epoch(self):
        """Epochs done, as a float (step / batches per epoch)."""
        return self.step / self.sensor.num_batches_per_epoch

    def stop(self):
        """Ends training cleanly after the current step (call it from a hook)."""
        self._stop_requested = True

    # -- setup ------------------------------------------------------------------

    def setup(self):
        """Builds the brain and optimizer, opens the logs, restores a checkpoint if asked."""
        clocks.use(self.clock)
        if self.seed is not None:
            keras.utils.set_random_seed(self.seed)
        if self.sensor.seed is None:
            self.sensor.seed = (self.seed if self.seed is not None
                                else int(np.random.SeedSequence().generate_state(1)[0] >> 1))
        model_dir = os.path.join(self.log_dir, "model")
        if (self.save_chk_point and not self.continue_from_chk_point and not self.inference_mode
                and tf.train.latest_checkpoint(model_dir)):
            raise ValueError(f"Kid: log_dir {self.log_dir!r} already holds checkpoints; pass "
                             f"continue_from_chk_point=True to resume, or choose a new log_dir")
        with self.engine.scope():
            self._build()
        self._data_seed = tf.Variable(self.sensor.seed, dtype=tf.int64, trainable=False)
        self.checkpoints = Checkpoints(model_dir, self.max_to_keep, brain=self.brain,
                                       kongfu=self.kongfu, clock=self.clock,
                                       data_seed=self._data_seed)
        os.makedirs(self.log_dir, exist_ok=True)
        self.log = RunLog(self.log_dir)
        if self.continue_from_chk_point:
            restored = self.checkpoints.restore_latest()
            self.sensor.seed = int(self._data_seed.numpy())
            logger().info("resumed from %s at step %d", restored, self.step) if restored else \
                logger().info("no checkpoint in %s; starting at step 0", model_dir)
        standard_hooks.install(self)
        self.is_setup = True
        return self

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
        self.kongfu.set_step_counter(self.clock.step)
        self.kongfu.build(self.brain.trainable_variables)
        self._train_step = make_train_step(self.brain, self.kongfu, self.clock, signature,
                                           self.jit_compile)
        self._eval_step = make_eval_step(self.brain, signature, self.jit_compile)

    # -- training -----------------------------------------------------------------

    def practice(self):
        """Trains until max_steps (or `stop()`); returns the final training loss.

        The returned loss is the mean over the last `train_log_step` steps.
        Ctrl+C saves a checkpoint before the KeyboardInterrupt goes on.
        """
        if not self.is_setup:
            self.setup()
        if self.inference_mode:
            raise ValueError("Kid: practice() is not available with inference_mode=True")
        clocks.use(self.clock)
        self._stop_requested = False
        self.hooks.fire("on_train_begin", self)
        data = iter(self.sensor.dataset("train", start_step=self.step))
        window = _Window()
        validated_at = None
        try:
            while self.step < self.max_steps and not self._stop_requested:
                self.hooks.fire("on_batch_begin", self)
                started = time.perf_counter()
                x, y = next(data)
                self.brain.set_mode("train")
                loss, evals = self._train_step(x, y)
                seconds = time.perf_counter() - started if window.steps or validated_at else None
                window.add(float(loss), evals, int(x.shape[0]), seconds)
                if not math.isfinite(window.last_loss):
                    raise FloatingPointError(f"Kid: the training loss became {window.last_loss} "
                                             f"at step {self.step}; the last good checkpoint "
                                             f"is in {self.checkpoints.directory}")
                self.hooks.fire("on_batch_end", self)
                if self.step % self.train_log_step == 0 or self.step == self.max_steps:
                    self._log_train(window)
                if self.step % self.val_log_step == 0:
                    self._validate_and_save()
                    validated_at = self.step
                if self.step % self.sensor.num_batches_per_epoch == 0:
                    self.hooks.fire("on_epoch_end", self)
        except KeyboardInterrupt:
            path = self.checkpoints.save(self.step) if self.save_chk_point else None
            logger().warning("interrupted at step %d; checkpoint: %s", self.step, path)
            raise
        if window.steps:
            self._log_train(window)
        if validated_at != self.step:
            self._validate_and_save()
        self.hooks.fire("on_train_end", self)
        return self.train_loss

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
        """The loss and metrics over the whole `split`, averaged per example.

        Returns `(loss, evals)`; also logs them (under "val") and keeps them as
        `kid.val_loss` / `kid.evals` when split is "val".
        """
        if not self.is_setup:
            self.setup()
        mode = self.brain.mode
        self.brain.set_mode(split)
        totals, count = {}, 0
        for x, y in self.sensor.dataset(split):
            loss, evals = self._eval_step(x, y)
            n = int(x.shape[0])
            for key, value in {"loss": loss, **evals}.items():
                totals[key] = totals.get(key, 0.0) + float(value) * n
            count += n
        self.brain.set_mode(mode)
        if not count:
            raise ValueError(f"Kid: the {split} split of {self.sensor.name} is empty")
        means = {key: total / count for key, total in totals.items()}
        loss = means.pop("loss")
        self.log.record(self.step, split, epoch=round(self.epoch, 4), loss=loss, **means)
        if split == "val":
            self.val_loss, self.evals = loss, means
        return loss, means

    def teardown(self):
        """Closes the logs; the kid can be set up again afterwards."""
        if self.is_setup:
            self.log.close()
            self.is_setup = False


class _Window:
    """Losses, metrics, images and seconds of the steps since the last training log."""

    def __init__(self):
        self.last_loss = None
        self.reset()

    def reset(self):
        self.steps, self.loss, self.evals, self.images, self.seconds = 0, 0.0, {}, 0, 0.0

    def add(self, loss, evals, images, seconds=None):
        """Adds a step; one timed as None (the first, which traces) is left out of images/s."""
        self.last_loss = loss
        self.steps += 1
        self.loss += loss
        for key, value in evals.items():
            self.evals[key] = self.evals.get(key, 0.0) + float(value)
        if seconds is not None:
            self.images += images
            self.seconds += seconds

    def mean(self):
        return self.loss / self.steps, {k: v / self.steps for k, v in self.evals.items()}

    def images_per_s(self):
        return self.images / self.seconds if self.seconds else 0.0
