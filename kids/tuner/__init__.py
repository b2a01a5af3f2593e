"""The tuner: a jinja2 template of a Kid run for every combination of parameters, each
instance in its own subprocess on its own devices, with a table of results."""
from akid.kids.tuner.results import plot_results, read_results, table
from akid.kids.tuner.tuning import tune
