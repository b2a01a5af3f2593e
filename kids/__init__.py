"""Kids: the Kid that trains, its clock, hooks, logs and checkpoints; and one sub-package
each for its callbacks, engines, the Observer and the tuner."""
from akid.kids import clock
from akid.kids.hooks import Hooks
from akid.kids.kid import Kid
from akid.kids.logs import read_metrics
from akid.kids.observer import Observer
from akid.kids.tuner import plot_results, tune
