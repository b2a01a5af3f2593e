"""Engines: where a Kid's computation runs, on TensorFlow's distribution strategies.

The model code never changes with the engine; only `Kid(engine=...)` does:

    "single"                                    one device (the default strategy)
    {"name": "data_parallel", "num_gpu": N}     N towers on one machine (MirroredStrategy);
                                                the bare string "data_parallel" is akid's 2
    {"name": "multi_worker"}                    towers on many machines (MultiWorkerMirroredStrategy,
                                                configured by TF_CONFIG; see `set_tf_config`)

The sensor's batch is the global batch: every step splits it across all
towers of all workers, and the gradients are summed back, so a step sees
the same examples and makes the same update whatever the engine.

TensorFlow fixes its devices when its runtime starts, so a distributed engine
must be made before the first TensorFlow tensor or variable exists: make the
Kid (or the engine, `make_engine(spec)`) before anything else that touches
TensorFlow.
"""
from akid.kids.engines.base import WORKER_LOST, DistributedEngine, Engine
from akid.kids.engines.cluster import local_workers, set_tf_config
from akid.kids.engines.data_parallel import DataParallelEngine
from akid.kids.engines.multi_worker import MultiWorkerEngine
from akid.kids.engines.single import SingleEngine

# Each engine's name, class and the arguments its spec takes, with the values a bare
# string name means (akid's: "data_parallel" alone was 2 towers; a dict names them all).
ENGINES = {
    "single": (SingleEngine, {}),
    "data_parallel": (DataParallelEngine, {"num_gpu": 2}),
    "multi_worker": (MultiWorkerEngine, {}),
}


def make_engine(spec):
    """The engine `spec` names: "single", {"name": ..., **args}, or an Engine (returned as is)."""
    if isinstance(spec, Engine):
        return spec
    given = {"name": spec, **ENGINES.get(spec, (None, {}))[1]} if isinstance(spec, str) else spec
    name = given.get("name") if isinstance(given, dict) else None
    if not isinstance(name, str) or name not in ENGINES:
        raise ValueError(f"Kid: unknown engine {spec!r}; known engines: {', '.join(ENGINES)}")
    engine_class, bare = ENGINES[name]
    args = {key: value for key, value in given.items() if key != "name"}
    if set(args) != set(bare):
        raise ValueError(f"Kid: engine {name} takes {list(bare) or 'no arguments'}, "
                         f"got {sorted(args)}")
    return engine_class(**args)
