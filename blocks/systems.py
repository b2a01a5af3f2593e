"""Systems: blocks made of blocks. SequentialSystem chains them; GraphSystem wires a DAG."""
import weakref

from akid.blocks import recorder
from akid.blocks.block import Block
from akid.checks import check_count, describe, snake_case

SYSTEM_IN = "system_in"


def as_list(outputs):
    return list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]


def unpack(tensors):
    """A single tensor alone, several as a list: what a block receives."""
    return tensors[0] if len(tensors) == 1 else list(tensors)


def default_name(block, taken):
    """`<snake_case_class>_<n>` with the first n whose name is not in `taken`: the name a
    system (or a sensor, for its jokers) gives a block that has none."""
    return free_name(snake_case(type(block).__name__), taken)


def free_name(base, taken, start=0, sep="_"):
    """`<base><sep><n>` with the first n >= `start` not in `taken`."""
    n = start
    while f"{base}{sep}{n}" in taken:
        n += 1
    return f"{base}{sep}{n}"


def duplicate_error(system, block, holder):
    """The error for two blocks with variables under one name in `system`."""
    return ValueError(f"{describe(system)} already has a block named '{holder.name}', "
                      f"{describe(holder)}; it and {type(block).__name__} both have variables, "
                      f"which are saved, restored and looked up by their block's name, so each "
                      f"needs a name of its own (only blocks without variables may share one)")


def _makes_variables(block):
    """Whether `block` makes variables: known from its class before it is built, or it has."""
    if block.has_variables or block._own_variables:
        return True
    return isinstance(block, System) and any(b.has_variables for b in block.descendants())


class System(Block):
    """Attached blocks, each named uniquely within this system, called in attach order.

    Names: an unnamed block is named `<snake_case_class>_<n>` (a `cnn_block`
    akid's way: `conv<k>` / `ip<k>`, k counting the system's cnn_blocks from
    1). As in akid, blocks without variables (activations, pooling, dropout,
    losses, ...) may share a name: the later one is renamed `<name>_<n>`
    (the first n from 1 that is free), so a lookup or `inputs` reference by
    the name finds the first one, as akid's did; blocks with variables must
    have names of their own.

    Args:
      do_stat_on_norm: akid's flag for statistics of the filters' norms,
        kept on the system for the summaries.
    """

    def __init__(self, name=None, inputs=None, do_stat_on_norm=False, **kwargs):
        super().__init__(name=name, inputs=inputs, **kwargs)
        self.do_stat_on_norm = do_stat_on_norm
        self._blocks = {}

    @property
    def blocks(self):
        """The attached blocks, in attach order."""
        return list(self._blocks.values())

    def _called_blocks(self):
        """(name, block) of the blocks a forward pass calls: all, or the data blocks alone
        on the inference path."""
        data_only = recorder.data_only()
        return [(name, block) for name, block in self._blocks.items()
                if not data_only or block.role == "data"]

    def descendants(self):
        """Every block inside this system, nested systems' blocks included, depth first."""
        for block in self._blocks.values():
            yield block
            if isinstance(block, System):
                yield from block.descendants()

    def forward(self, inputs):
        first_call = not self.is_setup
        try:
            return super().forward(inputs)
        except Exception:
            if first_call:  # a failed first call leaves the system open to fixes
                self.is_setup, self.output_shape = False, None
            raise

    def attach(self, block):
        """Adds `block` to the end of the system; names it if it has no name. Returns it."""
        if not isinstance(block, Block):
            raise TypeError(f"{describe(self)}: can only attach Blocks, got {block!r} "
                            f"({type(block).__name__})")
        if self.is_setup:
            raise ValueError(f"{describe(self)} is already built; attach {block!r} before "
                             f"the first call")
        if any(b is block for b in self._blocks.values()):
            raise ValueError(f"{describe(self)} already holds {describe(block)}; a block is "
                             f"attached once (make another block to use the layer again)")
        if not block.name_given:
            block.rename(self._default_name(block))
        if block.name in self._blocks:
            self._rename_duplicate(block)
        self._wire(block)
        self._blocks[block.name] = block
        block.set_mode(self.mode)
        return block

    def _default_name(self, block):
        template = getattr(block, "akid_template", None)
        if template is None:
            return default_name(block, self._blocks)
        count = sum(getattr(b, "akid_template", None) is not None for b in self._blocks.values())
        return free_name(template, self._blocks, start=count + 1, sep="")

    def _rename_duplicate(self, block):
        """Gives a block whose name is taken the first free `<name>_<n>`, unless both it and
        the block holding the name have variables (akid refused those too: they clashed)."""
        holder = self._blocks[block.name]
        if _makes_variables(block) and _makes_variables(holder):
            raise duplicate_error(self, block, holder)
        block._duplicate_of = weakref.ref(holder)  # not tracked: checkpoint keys stay as they are
        block.rename(free_name(block.name, self._blocks, start=1))

    def _wire(self, block):
        """Checks where `block` takes its inputs from, at attach time."""

    def set_mode(self, mode):
        super().set_mode(mode)
        for block in self._blocks.values():
            block.set_mode(mode)

    def _setup(self, input_shapes):
        if not self._blocks:
            raise ValueError(f"{describe(self)} has no blocks; attach some before calling it")

    @property
    def var_list(self):
        self._require_setup()
        variables = list(self._own_variables)
        for block in self._blocks.values():
            if block.is_setup:
                variables.extend(block.var_list)
        return variables

    @property
    def is_empty(self):
        """Whether no block is attached yet (akid's `is_empty`)."""
        return not self._blocks

    def get_last_layer_name(self):
        """The name of the block attached last (akid's, e.g. to feed it to a later block)."""
        if not self._blocks:
            raise ValueError(f"{describe(self)} has no blocks yet; attach one first")
        return next(reversed(self._blocks))

    def get_layer_by_name(self, name):
        """The block called `name`, searched in nested systems too ("unit1/conv1" works)."""
        head, _, rest = name.partition("/")
        block = self._blocks.get(head)
        if block is not None and rest and isinstance(block, System):
            return block.get_layer_by_name(rest)
        if block is not None and not rest:
            return block
        for child in self._blocks.values():
            if isinstance(child, System):
                try:
                    return child.get_layer_by_name(name)
                except ValueError:
                    pass
        raise ValueError(f"{describe(self)} has no block named {name!r}; it has "
                         f"{list(self._blocks)}")


class SequentialSystem(System):
    """A chain: each block takes all outputs of the one before it."""

    def _forward(self, inputs):
        outputs = inputs
        for _, block in self._called_blocks():
            outputs = block(outputs)
        return outputs


class GraphSystem(System):
    """A DAG of blocks, wired by akid's `inputs` references.

    Each block takes, by default, all outputs of the data block attached
    before it (loss and eval blocks: that output plus the labels,
    `system_in[1]`); the first takes `system_in[0]`. An explicit
    `inputs=[{"name": "ip1", "idxs": [0]}, {"name": "system_in", "idxs": [1]}]`
    fetches outputs by block name and index. The system's output is that of
    its last data block.
    """

    def __init__(self, name=None, inputs=None, **kwargs):
        super().__init__(name=name, inputs=inputs, **kwargs)
        self._wiring = {}

    def _wire(self, block):
        last = next((n for n in reversed(self._blocks) if self._blocks[n].role == "data"),
                    None)
        if block.inputs is None:
            refs = [(last, None)] if last else [(SYSTEM_IN, [0])]
            if block.role != "data":
                refs.append((SYSTEM_IN, [1]))
        else:
            refs = [self._parse_ref(block, ref) for ref in as_list(block.inputs)]
        self._wiring[block.name] = refs

    def _parse_ref(self, block, ref):
        if isinstance(ref, str):
            ref = {"name": ref}
        if not isinstance(ref, dict) or "name" not in ref or set(ref) - {"name", "idxs"}:
            error = ValueError if isinstance(ref, dict) else TypeError
            raise error(f"{describe(block)}: an input is {{'name': ..., 'idxs': [...]}} "
                        f"or a block name, got {ref!r}")
        name, idxs = ref["name"], ref.get("idxs")
        if name != SYSTEM_IN and name not in self._blocks:
            raise ValueError(f"{describe(block)} takes input from '{name}', which is not "
                             f"attached before it in {describe(self)}; blocks attached so "
                             f"far: {[SYSTEM_IN] + list(self._blocks)}")
        if idxs is None:
            return name, None
        if not isinstance(idxs, (list, tuple)) or not idxs:
            listed = isinstance(idxs, (list, tuple))
            raise (ValueError if listed else TypeError)(
                f"{describe(block)}: idxs of input '{name}' must be a non-empty list of ints "
                f">= 0, got {list(idxs) if listed else idxs!r}")
        return name, [check_count(block, f"idxs of input '{name}'", i) for i in idxs]

    def _forward(self, inputs):
        produced = {SYSTEM_IN: as_list(inputs)}
        output = produced[SYSTEM_IN][:1]
        for name, block in self._called_blocks():
            outputs = as_list(block(unpack(self._gather(block, produced))))
            produced[name] = outputs
            if block.role == "data":
                output = outputs
        return unpack(output)

    def _gather(self, block, produced):
        tensors = []
        for source, idxs in self._wiring[block.name]:
            available = produced[source]
            for i in idxs if idxs is not None else range(len(available)):
                if i >= len(available):
                    raise ValueError(f"{describe(block)} asks for output {i} of '{source}', "
                                     f"which has {len(available)} output(s) "
                                     f"(valid idxs: {list(range(len(available)))})")
                tensors.append(available[i])
        return tensors

    def edges(self):
        """The DAG at this level: (source, destination) pairs, sources before destinations."""
        return [(source, name) for name, refs in self._wiring.items() for source, _ in refs]
