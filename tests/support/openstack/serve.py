#!/usr/bin/env python
"""Serve an OpenStack WSGI entry point on 127.0.0.1 with werkzeug (threaded).

usage: serve.py [--osl-tag=DIR] PORT MODULE[:ATTR] [argv for the app ...]
(--osl-tag is ignored; it only puts DIR in the command line for stop.sh)

The remaining arguments become sys.argv[1:] (cinder parses sys.argv).
The socket is bound first, before the slow app import: the chosen ports may
lie inside the kernel's ephemeral range (ip_local_port_range), where any
client connection on the machine can take them as a source port, so holding
them early matters.  A bind that fails is retried for 90 s (TIME-WAIT).
If OSL_GO_FILE is set, the app is only imported once that file exists, so
start.sh can reserve all ports before it writes configs and syncs databases.
"""

import importlib
import os
import socket
import sys
import time

if sys.argv[1].startswith("--osl-tag="):
    del sys.argv[1]
port = int(sys.argv[1])
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
deadline = time.time() + 90
while True:
    try:
        sock.bind(("127.0.0.1", port))
        break
    except OSError:
        if time.time() > deadline:
            raise
        time.sleep(0.5)
sock.listen(128)

go = os.environ.get("OSL_GO_FILE")
while go and not os.path.exists(go):
    time.sleep(0.2)

mod, _, attr = sys.argv[2].partition(":")
sys.argv = [mod.rsplit(".", 1)[-1], *sys.argv[3:]]
app = getattr(importlib.import_module(mod), attr or "application")

from werkzeug.serving import ThreadedWSGIServer  # noqa: E402

srv = ThreadedWSGIServer("127.0.0.1", port, app, fd=sock.fileno())
print(f"serving {mod} on 127.0.0.1:{port}", flush=True)
srv.serve_forever()
