"""Running the same action from several threads at once, each on its own database
connection, released together: how the tests prove a race is won once."""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection


@dataclass
class Outcome:
    results: list = field(default_factory=list)  # what the actions returned
    refused: list = field(default_factory=list)  # the expected exceptions they raised


def at_once(*actions: Callable, refusals: tuple[type[Exception], ...] = ()) -> Outcome:
    """Run ``actions`` in parallel threads that start together. An exception of a type in
    ``refusals`` is collected (the loser of a race); any other one is raised here."""
    barrier = threading.Barrier(len(actions))
    outcome, errors = Outcome(), []

    def run(action):
        barrier.wait()
        try:
            outcome.results.append(action())
        except refusals as e:
            outcome.refused.append(e)
        except Exception as e:  # raised below, in the test's thread
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "an action still runs after 60 s"
    if errors:
        raise errors[0]
    return outcome
