"""Kids: the Kid that trains, its clock, hooks, logs and checkpoints; the Observer; the tuner."""
from akid.kids import clock
from akid.kids.hooks import Hooks
from akid.kids.kid import Kid
from akid.kids.logs import read_metrics
from akid.kids.observer import Observer
from akid.kids.tuner import tune
from akid.kids.tuner_results import plot_results
