"""Shared test setup: quiet TensorFlow, seeded randomness."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402


@pytest.fixture(autouse=True)
def _seed():
    """Each test starts from the same random state, so a failure reproduces."""
    np.random.seed(0)
    tf.random.set_seed(0)
    yield
