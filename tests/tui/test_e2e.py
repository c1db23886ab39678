"""The chat with the real models: the `fast` GGUF model and the packaged embedder (slow)."""

from __future__ import annotations

import pytest

from qa.config import load_settings
from qa.conversations import DONE
from qa.engine import Engine
from tests.tui.conftest import ask, fixed_timings, wait_for
from tui.app import QAApp

pytestmark = [pytest.mark.e2e, pytest.mark.anyio]


@pytest.fixture(scope="module")
def real_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """The real seed article indexed with the real embedder; models from the user cache."""
    from tests.conftest import SEED_FILE

    root = tmp_path_factory.mktemp("e2e-tui")
    seeds = root / "seeds"
    seeds.mkdir()
    (seeds / SEED_FILE.name).write_bytes(SEED_FILE.read_bytes())
    settings = load_settings(
        environ={},
        seeds_dir=seeds,
        index_dir=root / "indexes",
        data_dir=root / "data",
        model="fast",
    )
    engine = Engine(settings)
    engine.reindex()
    return engine


async def test_real_model_answers_with_a_cited_source(real_engine: Engine) -> None:
    app = QAApp(real_engine.settings, real_engine, timings=fixed_timings, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.warmed_up, timeout=120)
        assert app.status.state == "ready", app.status.state
        assert app.status.model.startswith("fast")
        await ask(pilot, "Kapan terakhir kali Putin mengunjungi Korea Utara?", timeout=180)
        (view,) = app.chat.answers()
        assert view.exchange.status == DONE
        assert "2000" in view.text
        assert any(s.cited for s in view.sources)
        assert app.sources.sources == view.sources
        assert view.exchange.ttft_ms is not None and view.exchange.ttft_ms > 0
