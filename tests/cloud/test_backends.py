"""Backend selection: clear errors for backends that do not exist yet."""

from __future__ import annotations

import os

import pytest

from cloudlab import Cloud
from cloudlab.cloud.backends import make_backend
from cloudlab.errors import BackendNotAvailable


def test_default_backend_is_embedded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLOUDLAB_BACKEND", raising=False)
    assert make_backend(None).name == "embedded"


def test_planned_backend_names_what_exists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDLAB_BACKEND", "localstack")
    with pytest.raises(BackendNotAvailable, match="not built yet; available: embedded"):
        Cloud()


def test_unknown_backend_lists_planned_ones() -> None:
    expected = r"unknown backend 'gcp'.*planned: aws, localstack"
    with pytest.raises(BackendNotAvailable, match=expected):
        Cloud(backend="gcp")


def test_env_credentials_are_restored_after_stop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "my-real-profile")
    with Cloud():
        assert "AWS_PROFILE" not in os.environ
        assert os.environ["AWS_ACCESS_KEY_ID"].startswith("AKIACLOUDLAB")
    assert os.environ["AWS_PROFILE"] == "my-real-profile"
