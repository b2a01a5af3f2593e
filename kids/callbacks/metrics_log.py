"""MetricsLog: the training lines of metrics.jsonl -- mean loss, metrics, lr and images/s."""
import time

from akid.kids.hooks import Callback


class MetricsLog(Callback):
    """Averages the steps between two training logs and records them in the run's log.

    At every `on_train_log_step` it sets `kid.train_loss` / `kid.train_evals`
    (the means over the steps since the last log) and writes a "train"
    record with `lr` and `images_per_s`. The first step a Kid ever takes
    traces the compiled step and is left out of images/s.
    """

    def __init__(self):
        self._traced = False
        self._started = None
        self._reset()

    def _reset(self):
        self.steps, self.loss, self.evals, self.images, self.seconds = 0, 0.0, {}, 0, 0.0

    def on_train_begin(self, kid):
        self._reset()

    def on_batch_begin(self, kid):
        self._started = time.perf_counter()

    def on_batch_end(self, kid):
        self.steps += 1
        self.loss += kid.batch_loss
        for key, value in kid.batch_evals.items():
            self.evals[key] = self.evals.get(key, 0.0) + float(value)
        if self._traced:
            self.images += kid.engine.global_batch_size(kid.batch[0])
            self.seconds += time.perf_counter() - self._started
        self._traced = True

    def on_train_log_step(self, kid):
        if not self.steps:
            return
        kid.train_loss = self.loss / self.steps
        kid.train_evals = {key: value / self.steps for key, value in self.evals.items()}
        kid.log.record(kid.step, "train", epoch=round(kid.epoch, 4), loss=kid.train_loss,
                       lr=kid.kongfu.get_lr(),
                       images_per_s=self.images / self.seconds if self.seconds else 0.0,
                       **kid.train_evals)
        self._reset()
