"""Runs one tuner instance: `python -m akid.kids.tuner.runner INSTANCE_DIR`.

Reads `instance.json` and the rendered `setup.py` the tuner wrote there, calls
the setup function (with `graph=None` when it is akid's `setup(graph)`), gives
the Kid the instance's log_dir, sets it up if needed, then `practice()` and
`validate()`. The instance's log_dir is also `$AKID_LOG_DIR` while the
template runs, the default log_dir of a Kid built without one, so a template
that sets its Kid up itself logs into its instance folder too. Writes
`result.json` (atomically) whatever happens: status "ok", "failed" (with the
exception) or "stopped" (SIGINT/SIGTERM). Exit status 0 only for "ok".
"""
import importlib.util
import inspect
import json
import os
import sys
import traceback

INSTANCE_JSON, SETUP_PY, RESULT_JSON = "instance.json", "setup.py", "result.json"
LOG_DIR_ENV = "AKID_LOG_DIR"  # a Kid built without log_dir logs there


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        sys.stderr.write("usage: python -m akid.kids.tuner.runner INSTANCE_DIR\n")
        return 2
    instance_dir = argv[0]
    with open(os.path.join(instance_dir, INSTANCE_JSON), encoding="utf-8") as f:
        spec = json.load(f)
    result = {"status": "failed", "log_dir": spec["log_dir"]}
    try:
        run(instance_dir, spec, result)
        result["status"] = "ok"
        code = 0
    except (KeyboardInterrupt, SystemExit) as stop:
        if isinstance(stop, SystemExit) and stop.code in (0, None):
            raise
        result.update(status="stopped", error=f"stopped by {type(stop).__name__}"
                      + (f" (exit status {stop.code})" if isinstance(stop, SystemExit) else ""))
        code = stop.code if isinstance(stop, SystemExit) and isinstance(stop.code, int) else 130
    except BaseException as error:  # noqa: BLE001 -- every failure is recorded, then shown
        traceback.print_exc()
        result["error"] = "".join(traceback.format_exception_only(type(error), error)).strip()
        code = 1
    from akid.kids.tuner.results import metrics_summary
    result.update(metrics_summary(result["log_dir"]))
    write_json(os.path.join(instance_dir, RESULT_JSON), result)
    sys.stdout.flush()
    sys.stderr.flush()
    return code


def run(instance_dir, spec, result):
    """Loads the rendered setup function, then sets up, practises and validates its Kid;
    keeps the Kid's log_dir in `result` as soon as it is known."""
    _limit_threads()
    module_spec = importlib.util.spec_from_file_location(
        "akid_tune_instance", os.path.join(instance_dir, SETUP_PY))
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    setup = getattr(module, spec["function"], None)
    if setup is None:
        raise ValueError(f"tuner: the rendered {SETUP_PY} defines no function "
                         f"{spec['function']!r}")
    os.environ[LOG_DIR_ENV] = spec["log_dir"]
    kid = setup(**template_arguments(setup))

    from akid.kids.kid import Kid
    if not isinstance(kid, Kid):
        raise TypeError(f"tuner: the template {spec['function']}() must return a Kid, "
                        f"got {type(kid).__name__}")
    if not kid.is_setup:
        kid.log_dir = spec["log_dir"]
        kid.setup()
    elif os.path.abspath(kid.log_dir) != os.path.abspath(spec["log_dir"]):
        from akid.kids.logs import logger
        logger().warning("tuner: the template set up its Kid with log_dir %s, not the "
                         "instance's %s (leave log_dir out, or use log_dir=\"{{ log_dir }}\")",
                         kid.log_dir, spec["log_dir"])
    result["log_dir"] = os.path.abspath(kid.log_dir)
    kid.practice()
    if kid.val_loss is None and kid.sensor.num_examples("val"):
        kid.validate()  # practice() validates at its end unless told to skip validation
    kid.teardown()


def template_arguments(function):
    """The keyword arguments the tuner calls a template with: `graph=None` when it asks for
    akid's `graph` (TensorFlow 2 has no graph to hand over), else none.

    Raises TypeError naming any other parameter without a default.
    """
    required = [p.name for p in inspect.signature(function).parameters.values()
                if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    others = [name for name in required if name != "graph"]
    if others:
        raise TypeError(f"tune: the template {function.__name__}() takes {others} without "
                        f"defaults, which the tuner cannot give; give them defaults, or put "
                        f"the values in the template with {{{{ opt_paras[...] }}}} / "
                        f"{{{{ net_paras[...] }}}}")
    return {"graph": None} if required else {}


def _limit_threads():
    """Applies TF_NUM_INTRAOP_THREADS / TF_NUM_INTEROP_THREADS (set by the tuner for CPU
    instances) through tf.config.threading, so TensorFlow reports what it uses."""
    intra, inter = (os.environ.get(k) for k in ("TF_NUM_INTRAOP_THREADS",
                                                 "TF_NUM_INTEROP_THREADS"))
    if not (intra or inter):
        return
    import tensorflow as tf
    try:
        if intra:
            tf.config.threading.set_intra_op_parallelism_threads(int(intra))
        if inter:
            tf.config.threading.set_inter_op_parallelism_threads(int(inter))
    except (RuntimeError, ValueError):  # TensorFlow already initialized: the env vars rule
        pass


def write_json(path, value):
    """Writes `value` as JSON to `path` atomically (a temporary file, then a rename)."""
    replace_file(path, lambda f: json.dump(value, f, indent=1, default=str))


def replace_file(path, write, newline=None):
    """Writes through `write(file)` to `path.tmp`, then renames it over `path`: `path` is
    never half-written, and on any error (Ctrl+C included) the temporary file is removed."""
    temporary = f"{path}.tmp"
    try:
        with open(temporary, "w", encoding="utf-8", newline=newline) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


if __name__ == "__main__":
    sys.exit(main())
