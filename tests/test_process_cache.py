"""config.process_cache: the per-process copy of a small table."""

from config import process_cache
from config.process_cache import ProcessCache


def test_a_copy_is_kept_for_the_ttl_then_loaded_again(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(process_cache.time, "monotonic", lambda: now[0])
    loads = []
    cache = ProcessCache(lambda: loads.append(1) or len(loads), ttl=30)
    assert (cache.get(), cache.get()) == (1, 1)
    now[0] += 31
    assert cache.get() == 2


def test_a_copy_cleared_while_it_was_loading_is_not_kept():
    cache = ProcessCache(lambda: "old rows")

    def load_during_an_edit():
        cache.clear()  # the edit's signal, arriving while the old rows are being read
        return "old rows"

    cache._load = load_during_an_edit
    assert cache.get() == "old rows"  # this caller gets what it read ...
    cache._load = lambda: "new rows"
    assert cache.get() == "new rows"  # ... but the next one reads again
