"""Kidfiles: a declarative YAML front end to akid, in the spirit of Kur, and the `akid` command.

A Kidfile names blocks, data and training in YAML; it builds the very same
Blocks, Sensor, KongFu and Kid as the Python API:

    spec = akid.spec.load("examples/mnist.yml", overrides=["epochs=1"])
    brain = akid.spec.build_brain(spec)      # == akid.brains.LeNet()
    kid = akid.spec.train(spec)              # == examples/mnist_lenet.py
    akid.spec.main(["train", "examples/mnist.yml"])   # the `akid` command

Modules: yaml_file (YAML with file:line), loader (include, merge, settings +
jinja2), model and containers (the model section), build and losses (-> Brain),
data and provider (-> Source, Sensor), optimizer (-> KongFu), reflection (the
names of layers, jokers, optimizers and losses), train_section and weights
(-> the Kid's arguments, its checkpoints), run (train/test/evaluate on the
Kid's API), hooks, errors, cli.
"""
from akid.spec.build import build, build_brain
from akid.spec.cli import dumped, main
from akid.spec.errors import SpecError
from akid.spec.loader import Spec, load
from akid.spec.merge import merge
from akid.spec.run import evaluate, test, train

__all__ = ["load", "Spec", "SpecError", "merge", "build", "build_brain", "train", "test",
           "evaluate", "dumped", "main"]
