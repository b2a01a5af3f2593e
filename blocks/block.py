"""Block: a named, stateful data-processing unit, the thing akid is made of."""
import contextlib
import re

import tensorflow as tf

from akid.blocks import recorder
from akid.checks import check_choice, check_flag, check_number, describe, snake_case
from akid.blocks.initializers import check_init_para, check_wd, decay_term, initial_value
from akid.blocks.input_spec import ALL, InputSpec

MODES = ("train", "val", "test")

# What TensorFlow accepts in a name scope, so `block.name` is its scope as given (akid's
# `mnist-tf-tutorial-net` included); "/" separates the blocks of a path.
NAME_PATTERN = re.compile(r"[A-Za-z0-9_.][A-Za-z0-9_.\-]*")


def check_name(owner, name):
    """Returns `name` if it is a block name: letters, digits, "_", "-" and ".", not
    starting with "-"; the reserved "system_in" is refused."""
    if not (isinstance(name, str) and NAME_PATTERN.fullmatch(name)):
        raise ValueError(f"{owner}: name must be letters, digits, '_', '-' or '.' (as in "
                         f"'conv1' or 'conv-1'), got {name!r}")
    if name == "system_in":
        raise ValueError(f"{owner}: 'system_in' is reserved for the system input")
    return name


def _shapes_of(inputs):
    if isinstance(inputs, (list, tuple)):
        return [tf.TensorShape(x.shape) for x in inputs]
    return tf.TensorShape(inputs.shape)


def _first(inputs):
    return inputs[0] if isinstance(inputs, (list, tuple)) else inputs


def _unbatched(shapes):
    """Shapes with the batch axis unknown: what a block gives for any batch size."""
    if isinstance(shapes, list):
        return [_unbatched(s) for s in shapes]
    return shapes if not shapes.rank else tf.TensorShape([None]).concatenate(shapes[1:])


class Block(tf.Module):
    """Tensors in, tensors out, with variables built lazily from the first input.

    A layer writes `_forward(inputs)` and, when it owns variables,
    `_setup(input_shapes)`, which runs once, on the first call, inside the
    block's name scope. Calling the block (`block(x)`, `block.forward(x)`, or
    `block.setup(x)`, akid's explicit two-step style) builds it if needed and
    runs it.

    Args:
      name: the block's name. Without one, the system it is attached to names
        it `<snake_case_class>_<n>`, numbered within that system.
        akid's names such as `conv-1` are kept as given (they are also the
        TensorFlow name scope: `conv-1/weights:0`).
      inputs: where a GraphSystem fetches this block's inputs, e.g.
        `[{"name": "ip1", "idxs": [0]}, {"name": "system_in", "idxs": [1]}]`;
        `"ip1"` is short for all outputs of `ip1`. None: the previous block.
      do_summary: whether the Kid's summaries record this block's outputs
        (akid's flag; a Joker defaults to False, as in akid).
      bag: any ad hoc information to keep with the block, as akid's `bag`
        (e.g. `{"filters_to_visual": [...]}`, read by the Observer).
      moving_average_decay: akid's: keep moving averages of this block's weights
        (of all blocks inside, for a system, overriding theirs), with this decay in
        [0.5, 1), and validate, predict and export on them (see
        `akid.kids.weight_averages`). None: use the trained weights.

    Class attributes a subclass may set:
      role: "data", "loss" (output added to the brain's loss) or "eval"
        (output reported in `brain.eval`).
      input_ranks: accepted ranks of the (first) input, checked on every call;
        `min_rank` the least rank instead; `input_layout` names them in
        errors, `rank_hint` says how to fix.
      float_input: the (first) input must be floating point.
      locked_axes: the axes of the (first) input its variables depend on,
        `"all"` (every non-batch axis, the default) or indexes such as (-1,)
        (the channel axis only). A block that makes variables records, when
        it is built, `input_spec`: that input's rank, dtype and the sizes of
        these axes; a later call that differs raises a ValueError. A block
        without variables locks nothing.
    """

    role = "data"
    float_input = False
    locked_axes = ALL
    input_ranks = None
    min_rank = None
    input_layout = ""
    rank_hint = ""
    has_variables = False  # known to make variables (a duplicate name is then refused)

    def __init__(self, name=None, inputs=None, do_summary=True, bag=None,
                 moving_average_decay=None):
        if name is not None:
            check_name(type(self).__name__, name)
        super().__init__(name=snake_case(type(self).__name__))  # tf.Module wants an identifier
        self.moving_average_decay = check_number(  # akid's range
            type(self).__name__, "moving_average_decay", moving_average_decay, low=0.5, high=1.0,
            high_open=True, allow_none=True)
        self._name = name or self._name
        self.name_given = name is not None
        self._duplicate_of = None  # weakref: the block whose name a system found taken
        self.inputs = inputs
        self.do_summary = check_flag(type(self).__name__, "do_summary", do_summary)
        self.bag = self._no_dependency(bag)  # a plain dict, outside checkpoints
        self.is_setup = False
        self._mode = "train"
        self._own_variables = []
        self._decays = []  # (variable index, wd dict)
        self.output_shape = None
        self.input_spec = None  # an InputSpec once built, if the block has variables
        self.pre_setup_hook = []
        self.post_setup_hook = []
        self.pre_forward_hook = []
        self.post_forward_hook = []

    # -- naming -------------------------------------------------------------

    def rename(self, name):
        """Sets the name a system gives an unnamed block; refused once built."""
        if self.is_setup:
            raise ValueError(f"{describe(self)} is already built; it cannot be renamed to {name!r}")
        self._name = name

    # -- mode ----------------------------------------------------------------

    @property
    def mode(self):
        """"train", "val" or "test": what dropout, batch norm and jokers act on."""
        return self._mode

    def set_mode(self, mode):
        self._mode = check_choice(self, "mode", mode, MODES)

    @contextlib.contextmanager
    def mode_as(self, mode):
        """Runs the `with` body with the block in `mode`, then puts its mode back."""
        before = self.mode
        self.set_mode(mode)
        try:
            yield self
        finally:
            self.set_mode(before)

    # -- calling ---------------------------------------------------------------

    def __call__(self, inputs):
        return self.forward(inputs)

    def setup(self, inputs):
        """Builds the block from `inputs` (if not built yet) and runs it once."""
        return self.forward(inputs)

    def forward(self, inputs):
        """Runs the block on `inputs`, building it first if needed."""
        self._check_inputs(inputs)
        record = recorder.current()
        scope = record.inside(self.name) if record else contextlib.nullcontext()
        with tf.name_scope(self.name), scope:
            if not self.is_setup:
                self._build(inputs)
            for hook in self.pre_forward_hook:
                hook(self, inputs)
            outputs = self._forward(inputs)
            if self.output_shape is None:
                self.output_shape = _unbatched(_shapes_of(outputs))
            if self._decays:
                decay = tf.add_n([decay_term(self._own_variables[i], wd) for i, wd in self._decays])
        if record:
            record.report(self, outputs)
            if self._decays:
                record.decays[record.path(self.name)] = decay
        for hook in self.post_forward_hook:
            hook(self, outputs)
        return outputs

    def _build(self, inputs):
        for hook in self.pre_setup_hook:
            hook(self, inputs)
        self._setup(_shapes_of(inputs))
        if self._own_variables:
            first = _first(inputs)
            self.input_spec = InputSpec.built_for(tf.TensorShape(first.shape), first.dtype,
                                                  self.locked_axes)
        self.is_setup = True
        for hook in self.post_setup_hook:
            hook(self, inputs)

    def _check_inputs(self, inputs):
        first = _first(inputs)
        if self.float_input and not tf.as_dtype(first.dtype).is_floating:
            raise ValueError(f"{describe(self)} expects floating-point input, got "
                             f"{tf.as_dtype(first.dtype).name}; scale the data to float "
                             f"(e.g. Source(scale=True)) before it reaches this block")
        shape = tf.TensorShape(first.shape)
        hint = f"; {self.rank_hint}" if self.rank_hint else ""
        if self.input_ranks is not None and shape.rank not in self.input_ranks:
            ranks = " or ".join(f"rank-{r}" for r in self.input_ranks)
            raise ValueError(f"{describe(self)} expects {ranks} input {self.input_layout}, "
                             f"got shape {tuple(shape.as_list())}{hint}")
        if self.min_rank is not None and shape.rank is not None and shape.rank < self.min_rank:
            raise ValueError(f"{describe(self)} expects input of rank >= {self.min_rank} "
                             f"{self.input_layout}, got shape {tuple(shape.as_list())}{hint}")
        if self.input_spec is not None:  # built: the input its variables were sized for
            self.input_spec.check(self, shape, first.dtype)

    def _setup(self, input_shapes):
        """Creates the block's variables from the input shapes. Default: none."""
        return None  # a body besides the docstring, or AutoGraph warns when it converts this

    def _forward(self, inputs):
        raise NotImplementedError(f"{type(self).__name__} must implement _forward(inputs)")

    # -- variables --------------------------------------------------------------

    def make_variable(self, name, shape, init_para, wd=None, trainable=True, constraint=None):
        """Creates a variable `<block scope>/name`, during `_setup` only.

        `constraint` (a function of the variable's value) is applied after
        every optimizer update, as Keras does (akid's `max_norm`).

        Variables are made outside any `tf.function` (as Keras does), so a
        block first called inside one still owns plain eager variables. State
        that is not trained (moving statistics) is averaged over the towers
        when a distributed engine's towers update it.
        """
        if self.is_setup:
            raise ValueError(f"{describe(self)} is already built; create variable {name!r} "
                             f"in _setup, not after it")
        holder = self._duplicate_of() if self._duplicate_of is not None else None
        if holder is not None and holder.is_setup and holder.var_list:
            raise ValueError(f"{describe(self)} was attached as '{holder.name}', the name of "
                             f"{describe(holder)}, which has variables; variables are "
                             f"saved, restored and looked up by their block's name, so a block "
                             f"that makes them needs a name of its own")
        check_init_para(describe(self), init_para)
        check_wd(describe(self), wd)
        if any(d is None for d in shape):
            raise ValueError(f"{describe(self)} cannot size its variable {name!r}: its shape "
                             f"{list(shape)} depends on an input dimension that is unknown; "
                             f"give the input a static shape except for the batch axis")
        scope = tf.get_current_name_scope()
        with tf.init_scope(), tf.name_scope(scope + "/" if scope else ""):
            variable = tf.Variable(initial_value(init_para, shape), name=name, trainable=trainable,
                                   aggregation=(tf.VariableAggregation.NONE if trainable
                                                else tf.VariableAggregation.MEAN),
                                   constraint=constraint)
        if wd is not None:
            self._decays.append((len(self._own_variables), wd))
        self._own_variables.append(variable)
        return variable

    def _require_setup(self):
        if not self.is_setup:
            raise ValueError(f"{describe(self)} has no variables yet; call it on a batch "
                             f"first: `{self.name}(inputs)`")

    @property
    def var_list(self):
        """All variables of this block (and its children), in creation order."""
        self._require_setup()
        return list(self._own_variables)

    @property
    def trainable_variables(self):
        return [v for v in self.var_list if v.trainable]

    def get_variable(self, short_name):
        """The variable whose name ends in `short_name`: "weights", or "conv1/weights" in a
        system."""
        names = [v.name.split(":")[0] for v in self.var_list]
        found = [v for v, n in zip(self.var_list, names)
                 if n == short_name or n.endswith("/" + short_name)]
        if len(found) != 1:
            which = "several variables match" if found else "no variable matches"
            raise ValueError(f"{describe(self)}: {which} {short_name!r}; it has {names}")
        return found[0]

    def __repr__(self):
        return f"<{type(self).__name__} '{self.name}'>"
