"""``handcue run``'s stop signals: SIGHUP (terminal closed), SIGQUIT and SIGTERM end the run
like Ctrl-C; the release runs before the previous handlers come back, and a second signal during
it cannot cut it short."""

from __future__ import annotations

import os
import signal

import pytest

from app.cli.run import _sigterm_as_interrupt

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")


@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"])
def test_a_stop_signal_interrupts_and_releases_before_handlers_return(name: str) -> None:
    number = getattr(signal, name)
    seen: list[str] = []
    before = signal.getsignal(number)

    def release() -> None:
        # still ours while releasing: a second signal is ignored instead of killing the process
        assert signal.getsignal(number) is not before
        os.kill(os.getpid(), number)
        os.kill(os.getpid(), signal.SIGTERM)
        seen.append("released")

    with pytest.raises(KeyboardInterrupt), _sigterm_as_interrupt(release):
        os.kill(os.getpid(), number)  # the handler runs as soon as os.kill returns
        seen.append("not interrupted")
    assert seen == ["released"]
    assert signal.getsignal(number) is before
