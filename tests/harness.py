"""One harness for every layer: `check_block(make_block, inputs, reference=...)`.

It checks what every block promises (DESIGN.md, "Blocks"; STYLE.md, "One test
harness for every layer"):

- reading the variables before the first call is an error that says how to fix it;
- variables are created on the first call and never again (a second call, a
  `tf.function` trace, a smaller batch create none; `var_list` is unchanged and
  is exactly what `tf.Module` tracks, so the checkpoint holds every variable);
- the output matches a numpy `reference(inputs, block)` when one is given;
- eager output == `tf.function` output (for deterministic blocks);
- a `tf.function` whose input signature leaves the batch axis unknown works,
  on the full batch and on a smaller one;
- a wrong-rank input (when given) raises a ValueError naming the block;
- built once, then locked: a block with variables records `input_spec`, the
  rank, dtype and sizes of the axes its variables depend on; an input with
  another size on such an axis raises a ValueError naming the block, the
  shape it was built for and the one it got, while the other axes stay free;
  an integer input into it raises (before and after the build); a block
  without variables locks nothing;
- a checkpoint round trip: write, build a fresh block, read, same variables
  (random state included) and the same next output.
"""
import os
import re
import tempfile

import numpy as np
import pytest
import tensorflow as tf

from akid.blocks.systems import System


def _map(fn, inputs):
    if isinstance(inputs, (list, tuple)):
        return [fn(x) for x in inputs]
    return fn(inputs)


def _numpy(outputs):
    return _map(lambda t: np.asarray(t), outputs)


def assert_close(actual, expected, atol, what):
    actual, expected = _numpy(actual), _numpy(expected)
    if isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), what
        for a, e in zip(actual, expected):
            assert_close(a, e, atol, what)
        return
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    np.testing.assert_allclose(actual, expected, atol=atol, rtol=atol, err_msg=what)


def _unknown_batch_spec(x):
    shape = list(x.shape)
    if shape:
        shape[0] = None
    return tf.TensorSpec(shape, x.dtype)


def _smaller_batch(x):
    return x if x.shape.rank == 0 else x[: max(1, int(x.shape[0]) // 2)]


class _CreationCounter:
    """Counts tf.Variable creations inside the `with`."""

    def __enter__(self):
        self.count = 0

        def creator(next_creator, **kwargs):
            self.count += 1
            return next_creator(**kwargs)

        self._scope = tf.variable_creator_scope(creator)
        self._scope.__enter__()
        return self

    def __exit__(self, *exc):
        self._scope.__exit__(*exc)


def checkpointed_variables(block):
    """The variables a tf.train.Checkpoint of `block` saves, each once."""
    found = [v for v in tf.train.TrackableView(block).descendants() if isinstance(v, tf.Variable)]
    return list({id(v): v for v in found}.values())


def _build(make_block, mode):
    block = make_block()
    block.set_mode(mode)
    return block


def _with_first(inputs, first):
    return [first, *inputs[1:]] if isinstance(inputs, (list, tuple)) else first


def check_input_lock(make_block, inputs, block, mode="train"):
    """The input spec of the built `block`: locked axes refuse another size, free axes
    take one, an integer input is refused; a block without variables locks nothing."""
    first = inputs[0] if isinstance(inputs, (list, tuple)) else inputs
    spec = block.input_spec
    if isinstance(block, System) or not block.var_list:  # a system's blocks check for it
        assert spec is None, f"{block!r} has no variables of its own but locks its input: {spec}"
        return
    assert spec is not None, f"{block!r} has variables but recorded no input_spec"
    assert (spec.rank, spec.dtype) == (first.shape.rank, first.dtype)
    who = rf"Block '{re.escape(block.name)}' \({type(block).__name__}\)"
    for axis in range(1, first.shape.rank):
        one_more = tf.concat([first, tf.gather(first, [0], axis=axis)], axis)
        if axis in spec.axes:  # another size where the variables depend on it
            got = re.escape(str(tuple(one_more.shape.as_list())))
            with pytest.raises(ValueError, match=rf"{who} was built for input shape "
                                                 rf"{re.escape(str(spec.shape))}, got {got}"):
                block(_with_first(inputs, one_more))
        else:  # a free axis: any image size for convolutions, any sequence length
            block(_with_first(inputs, one_more))
    integers = _with_first(inputs, tf.cast(first, tf.int32))
    for target in (block, _build(make_block, mode)):  # built, and on the first call
        with pytest.raises(ValueError, match=rf"{who} .*float.*got int32"):
            target(integers)


def check_block(make_block, inputs, reference=None, atol=1e-5, mode="train",
                deterministic=True, wrong_rank_input=None):
    """Runs the common checks on the block `make_block()` makes; returns (block, output).

    Args:
      make_block: a factory of fresh, identical (but for random init) blocks.
      inputs: numpy array(s) fed to the block (a list for multi-input blocks).
      reference: `reference(inputs, block) -> numpy output`, written independently
        of the block's code (it may read the block's variables).
      atol: tolerance (absolute and relative) of every comparison.
      mode: "train", "val" or "test", set on the block before the first call.
      deterministic: False for blocks whose output is random (dropout in train
        mode): repeated calls and eager/tf.function outputs are then compared by shape;
        a block restored from a checkpoint must still give the original's next output.
      wrong_rank_input: an input of a rank the block refuses; it must raise a
        ValueError naming the block and the received shape.
    """
    inputs = _map(tf.convert_to_tensor, inputs)
    block = _build(make_block, mode)

    # Reading before building is an error with the fix in it.
    with pytest.raises(ValueError, match=r"no variables yet; call it"):
        block.var_list

    # Built on the first call; never again.
    with _CreationCounter() as first:
        output = block(inputs)
    assert block.is_setup
    variables = block.var_list
    # What a checkpoint sees: the parameters, plus state such as a random generator's,
    # which var_list leaves out.
    state = checkpointed_variables(block)
    assert first.count == len(state), (
        f"{block!r} created {first.count} variables but keeps {len(state)} where a "
        f"checkpoint finds them")
    state_ids = {id(v) for v in state}
    assert {id(v) for v in variables} <= state_ids, "var_list holds untracked variables"
    assert len(set(map(id, variables))) == len(variables), "var_list repeats a variable"
    ids = [id(v) for v in variables]
    assert not [v.name for v in state if v.trainable and id(v) not in set(ids)], (
        "trainable variables missing from var_list")

    def same_variables(when):
        assert [id(v) for v in block.var_list] == ids, f"var_list changed {when}"
        assert {id(v) for v in checkpointed_variables(block)} == state_ids, (
            f"the checkpointed variables changed {when}")

    with _CreationCounter() as second:
        again = block(inputs)
    assert second.count == 0, f"{block!r} created variables on its second call"
    same_variables("after a second call")
    if deterministic:
        assert_close(again, output, atol, "a second call gives another output")

    # Against the numpy reference.
    if reference is not None:
        expected = reference(_numpy(inputs), block)
        assert_close(output, expected, atol, f"{block!r} differs from the numpy reference")

    # Eager == tf.function, and an unknown batch size works.
    compiled = tf.function(lambda x: block(x))
    specs = _map(_unknown_batch_spec, inputs)
    flexible = tf.function(lambda x: block(x), input_signature=[specs])
    smaller = _map(_smaller_batch, inputs)
    with _CreationCounter() as traced:
        graph_output = compiled(inputs)
        flexible_full = flexible(inputs)
        flexible_small = flexible(smaller)
    assert traced.count == 0, f"{block!r} created variables when traced"
    same_variables("after tf.function calls")
    assert flexible.experimental_get_tracing_count() == 1, "the unknown-batch function retraced"
    eager_small = block(smaller)
    if deterministic:
        assert_close(graph_output, output, atol, "tf.function output differs from eager")
        assert_close(flexible_full, output, atol, "unknown-batch tf.function differs from eager")
        assert_close(flexible_small, eager_small, atol,
                     "unknown-batch tf.function differs from eager on a smaller batch")
    else:
        for got, want in ((graph_output, output), (flexible_full, output),
                          (flexible_small, eager_small)):
            assert _map(lambda t: tuple(t.shape), got) == _map(lambda t: tuple(t.shape), want)

    # A wrong rank is refused with a message naming the block and what it got.
    if wrong_rank_input is not None:
        bad = tf.convert_to_tensor(wrong_rank_input)
        pattern = rf"Block '{re.escape(block.name)}' \({type(block).__name__}\).*rank.*" \
                  + re.escape(str(tuple(bad.shape.as_list())))
        with pytest.raises(ValueError, match=pattern):
            block(bad)

    check_input_lock(make_block, inputs, block, mode)

    # Checkpoint round trip into a fresh block.
    with tempfile.TemporaryDirectory() as folder:
        path = tf.train.Checkpoint(block=block).write(os.path.join(folder, "ckpt"))
        fresh = _build(make_block, mode)
        fresh(inputs)
        tf.train.Checkpoint(block=fresh).read(path).assert_consumed()
    assert [v.name for v in fresh.var_list] == [v.name for v in variables]
    restored = checkpointed_variables(fresh)
    assert len(restored) == len(state)
    for mine, theirs in zip(state, restored):
        assert mine.name == theirs.name
        np.testing.assert_array_equal(theirs.numpy(), mine.numpy(),
                                      err_msg=f"{theirs.name} not restored")
    # Random state is checkpointed too: a restored block continues as the original would.
    assert_close(fresh(inputs), block(inputs), atol,
                 "a block restored from a checkpoint gives another output")
    return block, output
