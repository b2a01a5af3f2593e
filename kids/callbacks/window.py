"""Window: what the Kid accumulates between two training logs."""


class Window:
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
