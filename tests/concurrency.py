"""Run the same work in several threads at once, with every wait bounded."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

Result = TypeVar("Result")


def at_once(work: Callable[[int], Result], count: int, *, timeout: float = 60) -> list[Result]:
    """``work(0)`` … ``work(count - 1)``, each in its own thread, released together.

    Returns the results in the order the threads finished. An error in any thread is raised
    here; a thread still running after ``timeout`` seconds fails the test.
    """
    start = threading.Barrier(count)
    results: list[Result] = []
    errors: list[BaseException] = []

    def run(number: int) -> None:
        try:
            start.wait(timeout=10)
            results.append(work(number))
        except BaseException as error:  # raised in the test's thread below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(number,)) for number in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), f"a thread ran over {timeout} s"
    if errors:
        raise errors[0]
    return results
