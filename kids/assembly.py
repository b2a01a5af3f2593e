"""How a Kid is put together at setup, and what it says when a worker is lost: seeds, the
brain's first pass and the compiled steps, resuming from a checkpoint."""
import os

import keras
import numpy as np
import tensorflow as tf

from akid.kids.logs import RunLog, logger
from akid.kids.steps import batch_signature, head, make_eval_step, make_train_step
from akid.kids.weight_averages import WeightAverages


def open_log(kid):
    """Creates log_dir and opens the run's log: in log_dir for the chief, in a folder of its
    own under log_dir/workers for another worker of a distributed engine."""
    try:
        os.makedirs(kid.log_dir, exist_ok=True)
    except OSError as error:
        raise ValueError(f"Kid: cannot create log_dir {kid.log_dir!r}: "
                         f"{error.strerror or error}") from error
    engine = kid.engine
    own = kid.log_dir
    if not engine.is_chief:
        own = os.path.join(kid.log_dir, "workers", engine.worker_name)
        os.makedirs(own, exist_ok=True)
    log = RunLog(own)
    logger().info("engine %s: %d tower(s) on %d worker(s); this process is the %s",
                  engine.name, engine.num_replicas, engine.num_workers, engine.worker_name)
    return log


def seed(kid):
    """Seeds Python, numpy, TensorFlow and the data order (random when no seed)."""
    if kid.seed is not None:
        keras.utils.set_random_seed(kid.seed)
    if kid.deterministic:
        tf.config.experimental.enable_op_determinism()
    if kid.sensor.seed is None:
        kid.sensor.seed = (kid.seed if kid.seed is not None
                            else int(np.random.SeedSequence().generate_state(1)[0] >> 1))


def build(kid):
    """Runs the brain once on two examples (so shape errors show now), builds the optimizer
    and the weight averages the brain asks for (`kid.weight_averages`, None if none) and
    compiles the steps. Returns `(train_step, eval_step, input_spec)`."""
    split = next((s for s in ("train", "val", "test") if kid.sensor.num_examples(s)), None)
    if split is None:
        raise ValueError(f"Kid: {kid.sensor.name} has no data in any split")
    batch = next(iter(kid.sensor.dataset(split).take(1)))
    kid.brain.set_mode("val")
    kid.brain.compute(list(head(batch, 2)))
    if not kid.brain.has_loss and not kid.inference_mode:
        raise ValueError(f"Kid: brain '{kid.brain.name}' has no loss block; attach one "
                         f"(e.g. SoftmaxWithLossLayer) to train it")
    signature = list(batch_signature(batch))
    kid.kongfu.set_step_counter(kid.clock.step)
    if kid.sensor.num_batches_per_epoch:
        kid.kongfu.set_epoch_length(kid.sensor.num_batches_per_epoch)
    kid.kongfu.build(kid.brain.trainable_variables)
    kid.weight_averages = WeightAverages.for_brain(kid.brain)
    towers_signature = signature if kid.engine.num_replicas == 1 else None
    train_step = make_train_step(kid.brain, kid.kongfu, kid.clock, kid.engine,
                                 towers_signature, kid.jit_compile, kid.weight_averages)
    eval_step = make_eval_step(kid.brain, kid.engine, towers_signature, kid.jit_compile)
    return train_step, eval_step, signature[0]


def resume(kid):
    """Restores the newest readable checkpoint, if any, and the data order it used; every
    worker of a distributed engine must have resumed at the same step."""
    restored = kid.checkpoints.restore_latest()
    if restored and kid.weight_averages is not None:
        kid.weight_averages.reset_unless_in(restored)
    kid.sensor.seed = int(kid.data_seed.numpy())
    step = kid.clock.get_step()
    if restored:
        logger().info("resumed from %s at step %d", restored, step)
    else:
        logger().info("no checkpoint in %s; starting at step 0", kid.checkpoints.directory)
    steps = sorted(set(kid.engine.gather(step)))
    if len(steps) > 1:
        raise ValueError(
            f"Kid: the workers of engine {kid.engine.name} resumed at different steps "
            f"{steps}; this worker ({kid.engine.worker_name}) at step {step} from "
            f"{restored or f'no checkpoint in {kid.checkpoints.directory}'}. Every worker "
            f"must read the chief's {kid.checkpoints.directory} (a shared disk)")


def worker_lost_error(kid, error, path):
    """The error a worker raises when another left mid-step (stopped, killed, unreachable),
    once it saved the checkpoint `path` (None when it does not write checkpoints)."""
    saved = f"saved {path}" if path else "saves no checkpoint (only the chief writes)"
    return RuntimeError(
        f"Kid: engine {kid.engine.name} lost a worker during step {kid.step + 1} (stopped, "
        f"killed or unreachable); this worker ({kid.engine.worker_name}) stopped at step "
        f"{kid.step} and {saved}. Restart every worker with continue_from_chk_point=True "
        f"to resume. TensorFlow said: {str(error.message).splitlines()[0]}")
