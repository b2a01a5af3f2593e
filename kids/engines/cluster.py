"""Cluster helpers: TF_CONFIG for a list of workers, and free local addresses for a test cluster."""
import json
import os
import socket


def set_tf_config(workers, index):
    """Sets TF_CONFIG for the `index`-th of `workers` ("host:port" strings); returns it as a dict.

    Run the same script on every machine, each with its own `index`; worker
    0 is the chief. Call it before making the Kid.

    Example:
      set_tf_config(["10.0.0.1:2222", "10.0.0.2:2222"], index=int(sys.argv[1]))
    """
    workers = list(workers)
    if not workers or not all(isinstance(w, str) and w.rpartition(":")[2].isdigit()
                              for w in workers):
        raise ValueError(f"set_tf_config: workers must be 'host:port' strings, got {workers!r}")
    if not isinstance(index, int) or not 0 <= index < len(workers):
        raise ValueError(f"set_tf_config: index must be in [0, {len(workers)}), got {index!r}")
    config = {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}
    os.environ["TF_CONFIG"] = json.dumps(config)
    return config


def local_workers(n):
    """`n` "127.0.0.1:port" addresses on free ports: a cluster of workers on this machine."""
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [f"127.0.0.1:{s.getsockname()[1]}" for s in sockets]
    finally:
        for s in sockets:
            s.close()
