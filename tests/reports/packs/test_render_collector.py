"""A pack is drawn with Python's cycle collector paused, and the collector is left as it was."""

import gc
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from reports.packs import render

AT = datetime(2026, 11, 1, tzinfo=UTC)


def _draw(monkeypatch: pytest.MonkeyPatch, seen: list[bool], *, fails: bool = False) -> None:
    def drawing(**_: Any) -> render.RenderedPack:
        seen.append(gc.isenabled())
        if fails:
            raise RuntimeError("WeasyPrint failed")
        return render.RenderedPack(b"%PDF", {}, "")

    monkeypatch.setattr(render, "_render_pack", drawing)
    render.render_pack(pack_id=uuid.uuid4(), header={}, data=None, as_of=AT)  # type: ignore[arg-type]


@pytest.fixture
def collector_restored():
    was = gc.isenabled()
    yield
    (gc.enable if was else gc.disable)()


@pytest.mark.usefixtures("collector_restored")
def test_the_collector_is_paused_while_drawing_and_resumed_after(monkeypatch) -> None:
    gc.enable()
    seen: list[bool] = []
    _draw(monkeypatch, seen)
    assert seen == [False]
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_restored")
def test_the_collector_is_resumed_when_drawing_fails(monkeypatch) -> None:
    gc.enable()
    seen: list[bool] = []
    with pytest.raises(RuntimeError):
        _draw(monkeypatch, seen, fails=True)
    assert seen == [False]
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_restored")
def test_a_collector_paused_by_the_caller_stays_paused(monkeypatch) -> None:
    gc.disable()
    seen: list[bool] = []
    _draw(monkeypatch, seen)
    assert seen == [False]
    assert not gc.isenabled()
