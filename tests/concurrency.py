"""Running the same work in several threads at once, each on its own database connection."""

import threading
from collections.abc import Callable

from django.db import connection


def in_threads(count: int, work: Callable[[int], object]) -> list[BaseException]:
    """Start `count` threads together on a barrier; the exceptions they raised."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def run(index: int) -> None:
        try:
            barrier.wait()
            work(index)
        except BaseException as exc:  # collected and asserted on by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
