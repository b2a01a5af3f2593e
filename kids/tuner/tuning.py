"""The tuner: a jinja2 template of a Kid, run for every combination of parameters,
each instance in its own subprocess on its own devices, with a table of results.

One instance = one combination (opt_paras x net_paras) x one repeat. Its folder
`work_dir/<index>_o<i>_n<j>_r<repeat>/` holds `instance.json` (what it is),
`setup.py` (the rendered template), `stdout.txt`, `stderr.txt`, `result.json`
and `log/` (the Kid's log_dir). `work_dir` gets `results.jsonl` and
`results.csv`, rewritten as instances finish.
"""
import copy
import datetime
import inspect
import itertools
import os
import re
import textwrap

import jinja2

from akid.checks import check_count, check_positive_int
from akid.kids.tuner.device_pool import DevicePool, cpu_count, list_gpus
from akid.kids.logs import logger
from akid.kids.tuner.launcher import Launcher
from akid.kids.tuner.results import (RESULTS_CSV, RESULTS_JSONL, Results, table,
                                      write_results)
from akid.kids.tuner.runner import INSTANCE_JSON, SETUP_PY, template_arguments, write_json


def tune(template, opt_paras_list=[{}], net_paras_list=[{}], repeat_times=1,  # noqa: B006
         gpu_num_per_instance=1, max_parallel=None, work_dir=None, debug=False, devices=None):
    """Trains the Kid of `template` for every combination of parameters, in parallel.

    `template` is a function (usually `setup`) whose source is a jinja2 template:
    `{{ opt_paras["lr"] }}`, `{{ net_paras["activation"] }}` are replaced by the
    values of one combination (as `str()` puts them: dicts, lists and numbers
    come out as Python literals; write strings in quotes, `"{{ opt_paras['name'] }}"`,
    or use the `repr` filter, `{{ opt_paras["name"] | repr }}`). The rendered
    function must import what it uses inside its body and return a Kid, set up
    or not. `{{ log_dir }}` (the instance's log folder, a plain string),
    `{{ repeat }}`, `{{ index }}` and `{{ debug }}` are also defined; undefined
    names are an error. The Kid logs to `<instance>/log`: a Kid built without
    `log_dir` defaults to it (`$AKID_LOG_DIR` is set while the template runs),
    and one returned not set up gets it before `setup()`. Then the tuner calls
    `practice()` and, unless practice() ended with a validation, `validate()`.
    A template written for akid, `def setup(graph):`, is called with
    `graph=None` (TensorFlow 2 has no graph to pass; a warning says so once).

    Instances run as `python -m akid.kids.tuner.runner <instance_dir>`, in the
    current working directory, each with `CUDA_VISIBLE_DEVICES` set to the GPUs
    it holds from a DevicePool. Without GPUs (or with `devices=[]`) they run
    on CPU, `max_parallel` at a time, with `CUDA_VISIBLE_DEVICES=""` and
    `TF_NUM_INTRAOP_THREADS` = `TF_NUM_INTEROP_THREADS` = cores // max_parallel
    (at least 1; values already in the environment are kept), so the instances
    share the cores instead of oversubscribing them. Unless `debug`,
    `TF_CPP_MIN_LOG_LEVEL` defaults to 2 in the instances.

    A failing or killed instance is recorded as "failed" with the tail of its
    stderr, and the others go on. Ctrl+C (or SIGTERM) in the tuner stops every
    instance (SIGTERM, which a training Kid answers by saving a checkpoint;
    SIGKILL after STOP_GRACE_SECONDS), records the unfinished ones as
    "stopped", writes the results and returns them (it does not re-raise).

    Args:
      template: the setup function (its source is read with inspect.getsource).
      opt_paras_list, net_paras_list: lists of dicts; every pair is an instance.
      repeat_times: how many times to run each pair.
      gpu_num_per_instance: GPUs per instance, an int or a list with one entry per
        instance (in the order repeat, then opt_paras, then net_paras); None: one
        (akid's meaning); ignored on CPU.
      max_parallel: instances running at once; default the number of GPUs, or
        the number of cores on CPU.
      work_dir: where the instance folders and results go; default
        `tune/<timestamp>`. It may hold other files (tune writes only its own
        names beside them), but not an earlier study: FileExistsError.
      debug: keep TensorFlow's C++ logging in the instances and log each failure's
        whole stderr; `{{ debug }}` is True in the template.
      devices: GPU ids to use, e.g. ["0", "1"], or [] for CPU only; default:
        the GPUs found (`akid.kids.tuner.device_pool.list_gpus`).

    Returns:
      `Results` (a list, shown in a notebook as the table of `table(records)`) of
      one dict per instance, in instance order: `index`, `repeat`, `opt_paras`,
      `net_paras`, `status` ("ok", "failed" or "stopped"), `final_train_loss`,
      `final_val_loss`, `final_val_metrics`, `best_val_loss`, `best_val_metrics`,
      `best_val_step`, `steps`, `wall_time` (s), `log_dir`, `instance_dir`,
      `devices`, `returncode` and `error` (the last lines of stderr, or None).

    Example:
      def setup():
          from akid import ...
          kongfu = MomentumKongFu(lr_scheme={"name": "fixed", "base_lr": {{ opt_paras["lr"] }}})
          brain.attach(cnn_block(..., activation={{ net_paras["activation"] }}))
          return Kid(sensor, brain, kongfu, max_epoch=2)

      results = tune(setup, [{"lr": 0.01}, {"lr": 0.1}],
                     [{"activation": {"type": "relu"}}, {"activation": {"type": "tanh"}}],
                     max_parallel=2)
      plot_results(results)
    """
    instances = plan(opt_paras_list, net_paras_list, repeat_times, gpu_num_per_instance)
    devices = list_gpus() if devices is None else [str(d) for d in devices]
    pool = DevicePool(devices, max_parallel)
    for instance in instances:
        instance["gpu_num"] = instance["gpu_num"] if devices else 0
        pool.check(instance["gpu_num"])
    work_dir = os.path.abspath(work_dir or os.path.join(
        "tune", datetime.datetime.now().strftime("%Y%m%d-%H%M%S")))
    source = template_source(template)
    if template_arguments(template):
        logger().warning("tune: the template %s(graph) is akid's (TensorFlow 1); each "
                         "instance calls it with graph=None, since TensorFlow 2 has no graph "
                         "to pass", template.__name__)
    prepare(instances, source, template.__name__, work_dir, debug)
    threads = None if devices else max(1, cpu_count() // pool.max_parallel)
    logger().info("tune: %d instance(s) in %s, %d at a time on %s", len(instances), work_dir,
                  pool.max_parallel, f"GPUs {devices}" if devices else
                  f"CPU ({threads} TensorFlow thread(s) each)")
    env = base_env(debug, threads)
    records = Results(Launcher(instances, pool, env, work_dir, debug).run())
    write_results(records, work_dir)
    logger().info("tune: results in %s\n%s", work_dir, table(records))
    return records


def plan(opt_paras_list, net_paras_list, repeat_times, gpu_num_per_instance):
    """The instances, in order (repeat, then opt_paras, then net_paras), as dicts."""
    for name, value in (("opt_paras_list", opt_paras_list), ("net_paras_list", net_paras_list)):
        if not isinstance(value, (list, tuple)) or not value \
                or not all(isinstance(p, dict) for p in value):
            raise ValueError(f"tune: {name} must be a non-empty list of dicts, got {value!r}")
    check_positive_int("tune", "repeat_times", repeat_times)
    if gpu_num_per_instance is None:  # akid: "a gpu would be allocated to each" instance
        gpu_num_per_instance = 1
    combos = list(itertools.product(range(repeat_times), enumerate(opt_paras_list),
                                    enumerate(net_paras_list)))
    if isinstance(gpu_num_per_instance, (list, tuple)):
        if len(gpu_num_per_instance) != len(combos):
            raise ValueError(
                f"tune: gpu_num_per_instance has {len(gpu_num_per_instance)} entries but there "
                f"are {len(combos)} instances (len(opt_paras_list)={len(opt_paras_list)} x "
                f"len(net_paras_list)={len(net_paras_list)} x repeat_times={repeat_times}); "
                f"give one entry per instance, or a single int")
        gpu_nums = list(gpu_num_per_instance)
    else:
        gpu_nums = [gpu_num_per_instance] * len(combos)
    for n in gpu_nums:
        check_count("tune", "gpu_num_per_instance", n)
    return [{"index": index, "repeat": repeat, "opt_index": i, "net_index": j,
             "opt_paras": copy.deepcopy(opt), "net_paras": copy.deepcopy(net), "gpu_num": n}
            for index, ((repeat, (i, opt), (j, net)), n) in enumerate(zip(combos, gpu_nums))]


def template_source(template):
    """The dedented source of the template function."""
    if not callable(template) or not hasattr(template, "__name__"):
        raise TypeError(f"tune: template must be a function, got {template!r}")
    try:
        return textwrap.dedent(inspect.getsource(template))
    except (OSError, TypeError) as error:
        raise ValueError(f"tune: cannot read the source of template {template.__name__!r} "
                         f"({error}); define it with `def` in a file") from error


def render(source, **variables):
    """Renders the template source with jinja2; undefined names are an error."""
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined,
                                     keep_trailing_newline=True)
    environment.filters["repr"] = repr
    return environment.from_string(source).render(**variables)


def prepare(instances, source, function, work_dir, debug):
    """Renders every instance (so a template error shows before anything runs) and
    writes its folder: instance.json and setup.py."""
    check_new_study(work_dir)
    for instance in instances:
        name = (f"{instance['index']:03d}_o{instance['opt_index']}_n{instance['net_index']}"
                f"_r{instance['repeat']}")
        instance["instance_dir"] = os.path.join(work_dir, name)
        instance["log_dir"] = os.path.join(instance["instance_dir"], "log")
        try:
            instance["source"] = render(source, opt_paras=instance["opt_paras"],
                                        net_paras=instance["net_paras"],
                                        log_dir=instance["log_dir"], repeat=instance["repeat"],
                                        index=instance["index"], debug=debug)
        except jinja2.TemplateError as error:
            raise ValueError(f"tune: cannot render the template for instance {name} "
                             f"(opt_paras={instance['opt_paras']}, "
                             f"net_paras={instance['net_paras']}): {error}") from error
    for instance in instances:
        os.makedirs(instance["instance_dir"])
        with open(os.path.join(instance["instance_dir"], SETUP_PY), "w", encoding="utf-8") as f:
            f.write(instance["source"])
        write_json(os.path.join(instance["instance_dir"], INSTANCE_JSON),
                   {"function": function, **{k: instance[k] for k in (
                       "index", "repeat", "opt_paras", "net_paras", "gpu_num", "log_dir")}})


_INSTANCE_DIR = re.compile(r"\d{3,}_o\d+_n\d+_r\d+")  # as prepare() names them


def check_new_study(work_dir):
    """Refuses a work_dir that holds a study (instance folders or results files): tune never
    writes over an earlier study; other files are left alone beside the new one."""
    held = sorted(name for name in (os.listdir(work_dir) if os.path.isdir(work_dir) else ())
                  if _INSTANCE_DIR.fullmatch(name) or name in (RESULTS_JSONL, RESULTS_CSV))
    if held:
        shown = ", ".join(held[:3]) + (", ..." if len(held) > 3 else "")
        raise FileExistsError(f"tune: work_dir {work_dir} already holds a study ({shown}); "
                              f"tune does not write over it: give another work_dir, or move "
                              f"{work_dir} away")


# The akid package folder (the repository root): kids/tuner/ lies two levels below it.
_PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def base_env(debug, threads=None):
    """The environment of every instance (CUDA_VISIBLE_DEVICES is added per instance)."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    if not debug:
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if threads is not None:
        env.setdefault("TF_NUM_INTRAOP_THREADS", str(threads))
        env.setdefault("TF_NUM_INTEROP_THREADS", str(threads))
    package = _PACKAGE_ROOT
    if os.path.basename(package) == "akid":  # a clone on sys.path (not an editable install)
        env["PYTHONPATH"] = os.pathsep.join(
            [os.path.dirname(package)] + [p for p in [env.get("PYTHONPATH")] if p])
    return env
