"""Gunicorn settings for `make serve` and production: `gunicorn -c python:openmash.gunicorn_conf`.

Each setting can be changed from the environment (or overridden by a command-line flag); docs/deploy.md
says how to size them.
"""

from __future__ import annotations

import os

wsgi_app = "openmash.wsgi:application"
bind = os.environ.get("OPENMASH_BIND", "127.0.0.1:8000")
# Pages wait on the database more than on Python, so a few processes a core keep the cores busy.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1))
# The headline figures read a whole borough's events: allow a slow database a minute before giving up.
timeout = int(os.environ.get("OPENMASH_REQUEST_TIMEOUT", "60"))
graceful_timeout = 30
# Replace each process after about a thousand requests, so memory a request left behind is returned.
max_requests = 1000
max_requests_jitter = 100
# The access log leaves out query strings: searches are for children's names.
accesslog = os.environ.get("OPENMASH_ACCESS_LOG", "-") or None
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
# No control socket: its default path is one per machine, which a second instance (or the load
# benchmark) would fight over; restarts go through the service manager's signals instead.
control_socket_disable = True
