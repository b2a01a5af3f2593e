"""akid.compat: the original akid's import paths, as thin aliases of today's modules.

`import akid` installs a finder (`aliases.AliasFinder`) that answers akid's old
paths -- `akid.models.brains`, `akid.layers`, `akid.sugar`, `akid.core.*`,
`akid.train.tuner`, `akid.datasets`, `akid.utils.glog`, ... -- with modules
whose names resolve, at access, to today's objects, by the table in
`paths.ALIASES`. Each warns once (FutureWarning) with the new import. A name
with no counterpart raises `GoneError` (an ImportError) saying why and what to
use instead. `tf1` names what TensorFlow 1 plumbing a Kid no longer has.

    from akid.models.brains import LeNet    # FutureWarning: import from akid.brains
    from akid.core.common import SEED       # GoneError: ... Kid(..., seed=66478)
"""
from akid.compat.aliases import GoneError, install, resolve, top_level  # noqa: F401

install()
