"""The service worker that shows notifications, and the part of the site it controls. It is the
patient's app on their phone (patients/views/app.py serves it at the site's root); staff register
the same worker for their notifications only, since no page of theirs is in its scope."""

SERVICE_WORKER_URL = "/sw.js"
SERVICE_WORKER_SCOPE = "/patients/me/"
