"""gunicorn's settings for serving Rehabit: `gunicorn -c config/gunicorn.py config.wsgi`.

Read from the environment (docs/deployment.md):
  REHABIT_BIND         address to listen on; default 127.0.0.1:8000 (behind nginx on the same host)
  WEB_CONCURRENCY      worker processes; default 2 × CPU cores + 1, at most 8
  REHABIT_TIMEOUT      seconds a request may take before its worker is restarted; default 30
  REHABIT_ACCESS_LOG   where the access log goes: "-" (standard output, the default), a file,
                       or "off"
  REHABIT_LOG_LEVEL    gunicorn's own log level; default info
  FORWARDED_ALLOW_IPS  proxies trusted for X-Forwarded-* headers (gunicorn's own variable);
                       default 127.0.0.1,::1
"""

import os
import sys
from pathlib import Path

from gunicorn.glogging import Logger

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# gunicorn reads this file before it changes into `chdir`, so the project is not importable yet.
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from lib.logs import mask_secrets, mask_url  # noqa: E402


class MaskingLogger(Logger):
    """The access log without query strings and with link tokens masked, in the request line,
    the path and the Referer (a form posted from an invitation page names that page as its
    referrer)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = mask_secrets(environ.get("PATH_INFO", ""))
        atoms["U"] = path
        atoms["q"] = ""
        atoms["r"] = f"{atoms['m']} {path} {atoms['H']}"
        atoms["f"] = mask_url(atoms["f"])
        for key in [k for k in atoms if k.startswith("{") and k[-2:] in ("}i", "}e")]:
            # Headers and environ are not in the format below; drop them so a format edited
            # later cannot print a cookie, the raw URI or the query string by accident.
            del atoms[key]
        return atoms


def default_workers() -> int:
    # Cores this process may use (a container or systemd may allow fewer than the machine has).
    # The cap keeps one app server's database connections well under PostgreSQL's default 100.
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(2 * (cores or 1) + 1, 8)


chdir = str(PROJECT_ROOT)
wsgi_app = "config.wsgi:application"
bind = [os.environ.get("REHABIT_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("WEB_CONCURRENCY") or default_workers())
# Sync workers: nginx buffers slow clients, so a worker only waits on the database.
worker_class = "sync"
timeout = int(os.environ.get("REHABIT_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests, so a slow leak cannot grow for weeks.
max_requests = 1000
max_requests_jitter = 100
if os.path.isdir("/dev/shm"):
    # The heartbeat file on a RAM disk: a worker on a slow or full disk is not killed for it.
    worker_tmp_dir = "/dev/shm"

logger_class = MaskingLogger
errorlog = "-"
loglevel = os.environ.get("REHABIT_LOG_LEVEL", "info")
_access_log = os.environ.get("REHABIT_ACCESS_LOG", "-")
accesslog = None if _access_log == "off" else _access_log
# Common log format plus the time taken, from masked atoms only (see MaskingLogger).
access_log_format = '%(h)s - - %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(L)ss'
