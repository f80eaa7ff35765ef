"""What a server subprocess of the tests starts with: a free port and an environment of its own.

`server_env(data_dir, **settings)` is this process's environment without any `ASSISTANT_*` variable or
`DATABASE_URL` (a value another test left behind would configure the server: a tiny LM, another backend, a database),
offline for model hubs, with the data directory and the given settings variables. `free_port()` is a port nothing
listens on at the moment of asking.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(data_dir: Path, **settings: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("ASSISTANT_") and name != "DATABASE_URL"}
    return {**env, "HF_HUB_OFFLINE": "1", "ASSISTANT_DATA_DIR": str(data_dir), **settings}
