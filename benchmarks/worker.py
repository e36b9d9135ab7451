"""Entry point of a benchmark worker process: set Django up before importing anything that needs it."""

import os


def run(module, kind, n, barrier, out):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    import importlib

    import django

    django.setup()
    try:
        importlib.import_module(module).worker_body(kind, n, barrier, out)
    except BaseException as exc:  # the parent waits on the queue: tell it instead of hanging
        barrier.abort()
        out.put(exc)
        raise
