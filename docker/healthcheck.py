"""Container healthcheck: GET /health on this container's port (ASSISTANT_SERVER__PORT, or MII_PORT in `mii` mode).

Exit 0 when it answers 200, else 1. Standard library only, so it works in every image variant.
"""

import os
import sys
import urllib.request

port = os.environ.get("HEALTHCHECK_PORT") or os.environ.get("ASSISTANT_SERVER__PORT", "8000")
try:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=4) as response:
        sys.exit(0 if response.status == 200 else 1)
except OSError:
    sys.exit(1)
