"""The `akid` command.

    akid [-v | -vv] train|test|evaluate|dump FILE [--set KEY=VALUE ...]

`train`, `test` and `evaluate` run the Kidfile's sections and print a one-line
result on stdout; `dump` prints the merged and rendered spec as JSON, alone on
stdout (the model with its loops expanded and every name and input resolved).
`--set` overrides a value before rendering (see `akid.spec.load`). Logs go to
stderr: warnings by default, `-v` info, `-vv` debug. A Kidfile mistake prints
`akid: error: FILE:LINE: section ..., entry ...: what` and exits with 2, as
argparse does for a bad command line.
"""
import argparse
import json
import logging
import sys

from akid.spec import run
from akid.spec.build import build
from akid.spec.errors import SpecError
from akid.spec.loader import load

COMMANDS = ("train", "test", "evaluate", "dump")


def main(argv=None):
    """Runs `akid` with `argv` (default: sys.argv[1:]); returns the exit status."""
    args = _parser().parse_args(argv)
    _set_logging(args.verbose + args.verbose_after)
    try:
        spec = load(args.file, args.set or ())
        if args.command == "dump":
            sys.stdout.write(json.dumps(dumped(spec), indent=2, default=str) + "\n")
        elif args.command == "train":
            kid = run.train(spec)
            try:
                _say(_trained(kid))
            finally:
                kid.teardown()
        elif args.command == "test":
            loss, evals = run.test(spec)
            _say(f"test loss {loss:.4f}" + "".join(f", {k} {v:.4f}" for k, v in evals.items()))
        else:
            result, _ = run.evaluate(spec)
            sizes = ", ".join(f"{k} {tuple(v.shape)}" for k, v in result.items())
            destination = (spec.section("evaluate") or {}).get("destination")
            _say(f"evaluated: {sizes}" + (f"; written to {destination}" if destination else ""))
    except SpecError as error:
        sys.stderr.write(f"akid: error: {error}\n")
        return 2
    return 0


def dumped(spec):
    """`spec` as plain data: the sections rendered, the model's containers expanded (and
    checked by building the brain, which makes blocks but no variables)."""
    model = build(spec).model
    data = dict(spec.data)
    data["model"] = [{"input": name} for name in model.inputs] + \
        [container.as_spec() for container in model.containers]
    return data


def _parser():
    parser = argparse.ArgumentParser(prog="akid", description="Run a Kidfile: a YAML "
                                     "description of blocks, data and training.")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="-v: info logs, -vv: debug logs (default: warnings)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command, text in zip(COMMANDS, (
            "train the model (train, validate, loss sections)",
            "report the loss and metrics on the test section's data",
            "write the model's outputs on the evaluate section's data",
            "print the merged and rendered Kidfile as JSON")):
        sub = commands.add_parser(command, help=text, description=text)
        sub.add_argument("file", metavar="FILE", help="the Kidfile (YAML)")
        sub.add_argument("--set", action="append", metavar="KEY=VALUE",
                         help="override a value: a settings variable (epochs=1) or a dotted "
                              "path (train.provider.num_batches=3); VALUE is YAML")
        sub.add_argument("-v", "--verbose", dest="verbose_after", action="count", default=0,
                         help=argparse.SUPPRESS)
    return parser


def _set_logging(verbosity):
    from akid.kids.logs import set_verbosity

    level = (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbosity, 2)]
    set_verbosity(level)
    logging.getLogger("tensorflow").setLevel(logging.DEBUG if verbosity > 1 else logging.ERROR)


def _trained(kid):
    evals = "".join(f", {k} {v:.4f}" for k, v in (kid.evals or {}).items())
    loss = (f"validation loss {kid.val_loss:.4f}{evals}" if kid.val_loss is not None else
            f"training loss {kid.train_loss:.4f}")
    return f"trained {kid.step} steps ({kid.epoch:.2f} epochs): {loss}; logs in {kid.log_dir}"


def _say(line):
    sys.stdout.write(line + "\n")
