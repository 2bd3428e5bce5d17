"""Start Flower (``python -m worker.cli.flower_main <celery args>``) with ``/metrics`` behind basic auth.

Flower 2.x serves its Prometheus ``/metrics`` and ``/healthcheck`` to anyone, even with ``--basic-auth``;
the metrics name tasks and workers and count them. Here ``/metrics`` requires the same authentication as
Flower's pages (``tornado.web.authenticated``: a wrong or missing ``Authorization`` answers 401);
``/healthcheck`` (the body ``OK``) stays open for probes. Without basic auth Flower is bound to loopback
(worker/cli/flower_cmd.py refuses anything else), so nothing changes there.
"""

from __future__ import annotations

import sys


def protect_metrics() -> None:
    """Make Flower's ``Metrics.get`` require an authenticated user (idempotent)."""
    import tornado.web
    from flower.views.monitor import Metrics

    if getattr(Metrics.get, "_nianbao_authenticated", False):
        return
    guarded = tornado.web.authenticated(Metrics.get)
    guarded._nianbao_authenticated = True  # type: ignore[attr-defined]
    Metrics.get = guarded


def main() -> None:
    """Run ``celery`` with this process's arguments, Flower's metrics protected."""
    from celery.__main__ import main as celery_main

    protect_metrics()
    sys.argv[0] = "celery"
    celery_main()


if __name__ == "__main__":
    main()
