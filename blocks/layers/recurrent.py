"""LSTMLayer and GRULayer: recurrent layers over (N, T, D) sequences."""
import tensorflow as tf

from akid.checks import check_flag, check_positive_int
from akid.blocks.layers.weighted import WeightedLayer


class _RecurrentLayer(WeightedLayer):
    """Runs `_step` over time with `tf.scan`; returns the sequence or the last state.

    Args:
      num_units: size of the hidden state.
      return_sequences: True: (N, T, num_units) output; False: the last state (N, num_units).
      init_para, wd, initial_bias_value: see WeightedLayer (the kernel acts on [x, h]).
    """

    input_ranks = (3,)
    input_layout = "(N, T, D)"
    rank_hint = "feed a sequence: batch, time, features"
    locked_axes = (-1,)  # the kernel is sized by the features: any sequence length works
    gates = 1

    def __init__(self, num_units, return_sequences=False, **kwargs):
        super().__init__(**kwargs)
        self.num_units = check_positive_int(self, "num_units", num_units)
        self.return_sequences = check_flag(self, "return_sequences", return_sequences)

    def _setup(self, input_shape):
        self._make_weights_and_bias([input_shape[-1] + self.num_units,
                                     self.gates * self.num_units])

    def _initial_state(self, batch):
        return tf.zeros([batch, self.num_units], self.weights.dtype)

    def _forward(self, x):
        time_major = tf.transpose(x, [1, 0, 2])
        initial = self._initial_state(tf.shape(x)[0])
        states = tf.scan(lambda state, x_t: self._step(x_t, state), time_major, initializer=initial)
        hidden = self._hidden(states)
        return tf.transpose(hidden, [1, 0, 2]) if self.return_sequences else hidden[-1]

    def _hidden(self, states):
        return states


class LSTMLayer(_RecurrentLayer):
    """Long short-term memory (Hochreiter & Schmidhuber, 1997), gates i, f, g, o.

    c_t = sigmoid(f) * c + sigmoid(i) * tanh(g); h_t = sigmoid(o) * tanh(c_t),
    with [i, f, g, o] = [x_t, h] @ W + b and a forget bias of 1.
    """

    gates = 4

    def _initial_state(self, batch):
        zeros = super()._initial_state(batch)
        return tf.stack([zeros, zeros])  # (c, h)

    def _step(self, x_t, state):
        c, h = state[0], state[1]
        z = self._add_bias(tf.matmul(tf.concat([x_t, h], 1), self.weights))
        i, f, g, o = tf.split(z, 4, axis=1)
        c = tf.sigmoid(f + 1.0) * c + tf.sigmoid(i) * tf.tanh(g)
        return tf.stack([c, tf.sigmoid(o) * tf.tanh(c)])

    def _hidden(self, states):
        return states[:, 1]


class GRULayer(_RecurrentLayer):
    """Gated recurrent unit (Cho et al., 2014), gates r, z and candidate n.

    r, z = sigmoid([x_t, h] @ W_rz + b); n = tanh([x_t, r * h] @ W_n + b_n);
    h_t = (1 - z) * n + z * h.
    """

    gates = 3

    def _step(self, x_t, h):
        n_units = self.num_units
        rz = self._bias_slice(tf.matmul(tf.concat([x_t, h], 1), self.weights[:, :2 * n_units]),
                              0, 2 * n_units)
        r, z = tf.split(tf.sigmoid(rz), 2, axis=1)
        n = tf.tanh(self._bias_slice(
            tf.matmul(tf.concat([x_t, r * h], 1), self.weights[:, 2 * n_units:]),
            2 * n_units, 3 * n_units))
        return (1.0 - z) * n + z * h

    def _bias_slice(self, x, start, stop):
        return x if self.bias is None else x + self.bias[start:stop]
