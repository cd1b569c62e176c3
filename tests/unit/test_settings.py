from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from app.settings import Settings


def test_postgres_urls_use_psycopg3() -> None:
    assert Settings(database_url="postgresql://u@h/db").database_url == "postgresql+psycopg://u@h/db"
    assert Settings(database_url="sqlite:///x.db").database_url == "sqlite:///x.db"


def test_environment_is_read_with_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SKILLMATCH_MIN_COVERAGE", "0.8")
    monkeypatch.setenv("SKILLMATCH_EMBEDDER", "use")
    settings = Settings()
    assert settings.min_coverage == 0.8
    assert settings.embedder == "use"


def test_out_of_range_values_are_refused() -> None:
    with pytest.raises(ValidationError):
        Settings(min_coverage=1.5)
    with pytest.raises(ValidationError):
        Settings(embedder="gpt")  # type: ignore[arg-type]


def test_the_model_cache_follows_xdg_cache_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SKILLMATCH_MODEL_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert Settings().model_cache == tmp_path / "skillmatch"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert Settings().model_cache == Path.home() / ".cache" / "skillmatch"
    monkeypatch.setenv("SKILLMATCH_MODEL_CACHE", str(tmp_path / "models"))
    assert Settings().model_cache == tmp_path / "models"
