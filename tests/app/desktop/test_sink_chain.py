"""The input sink chain the app builds (background typing over the guardian's mirror over the
real sink) says whether it can move the pointer by what the sink at the bottom can do, and its
pointer methods reach that sink; with a keys-only sink below, pointer mode is refused."""

from __future__ import annotations

import pytest

from app.desktop.guardian import GuardedSink
from pipeline.actions.sink import BackgroundTyping, RecordingSink, can_move_pointer


class _Guardian:
    """Stands in for InputGuardian (a separate process): records the notes."""

    def __init__(self) -> None:
        self.notes: list[tuple[str, str, str]] = []

    def note(self, edge: str, kind: str, name: str) -> None:
        self.notes.append((edge, kind, name))

    def close(self) -> None:
        pass


class _KeysOnly:
    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def press_key(self, key: str) -> None:
        self.calls.append(("press_key", key))

    def release_key(self, key: str) -> None:
        self.calls.append(("release_key", key))

    def release_all(self) -> None:
        pass


class _WithPointer(RecordingSink):
    def __init__(self) -> None:
        super().__init__()
        self.position = (5, 6)

    def move_pointer(self, x: int, y: int) -> None:
        self.calls.append(("move_pointer", x, y))
        self.position = (x, y)

    def pointer_position(self) -> tuple[int, int] | None:
        return self.position


def test_a_chain_over_a_pointer_sink_moves_the_pointer() -> None:
    bottom = _WithPointer()
    chain = BackgroundTyping(GuardedSink(bottom, _Guardian()))  # type: ignore[arg-type]
    assert can_move_pointer(chain)
    assert chain.pointer_position() == (5, 6)
    chain.move_pointer(40, 50)
    assert bottom.calls[-1] == ("move_pointer", 40, 50) and chain.pointer_position() == (40, 50)
    chain.close()


def test_a_chain_over_a_keys_only_sink_cannot_and_says_so() -> None:
    guardian = _Guardian()
    chain = BackgroundTyping(GuardedSink(_KeysOnly(), guardian))  # type: ignore[arg-type]
    assert not can_move_pointer(chain)
    assert chain.pointer_position() is None
    with pytest.raises(AttributeError):
        chain.move_pointer(1, 2)
    chain.press_key("n")
    chain.release_key("n")
    assert guardian.notes == [("down", "key", "n"), ("up", "key", "n")]  # keys still mirrored
    chain.close()


def test_plain_sinks_answer_by_their_methods() -> None:
    assert can_move_pointer(_WithPointer())
    assert not can_move_pointer(_KeysOnly())
    assert can_move_pointer(RecordingSink())  # the dry run records pointer moves too
