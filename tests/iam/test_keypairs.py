"""EC2 key pairs saved with safe permissions (cloudlab.iam.keypairs)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from cloudlab import Cloud
from cloudlab.errors import KeyFileExists, UnknownResource
from cloudlab.iam.keypairs import SavedKey, check_pem_permissions, create_key_pair


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_key_saved_read_only_for_owner(cloud: Cloud, tmp_path: Path) -> None:
    key = create_key_pair(cloud, "lab-key", directory=tmp_path / "keys")
    assert isinstance(key, SavedKey)
    assert key.path == tmp_path / "keys" / "lab-key.pem"
    assert _mode(key.path) == 0o400
    assert _mode(tmp_path / "keys") == 0o700
    assert key.path.read_text().startswith("-----BEGIN RSA PRIVATE KEY-----")
    described = cloud.client("ec2").describe_key_pairs(KeyNames=["lab-key"])["KeyPairs"][0]
    assert described["KeyFingerprint"] == key.fingerprint
    assert os.fspath(key) == str(key.path)


def test_repr_never_shows_key_material(cloud: Cloud, tmp_path: Path) -> None:
    key = create_key_pair(cloud, "secret", directory=tmp_path)
    material = key.path.read_text()
    secret_line = material.splitlines()[1]
    for text in (repr(key), key._repr_html_(), str(key)):
        assert secret_line not in text
        assert "PRIVATE KEY" not in text
    assert "secret" in repr(key) and key.fingerprint in repr(key)
    assert "0o400" in repr(key)
    assert "never displayed" in key._repr_html_()


def test_refuses_to_overwrite(cloud: Cloud, tmp_path: Path) -> None:
    existing = tmp_path / "lab-key.pem"
    existing.write_text("my old key")
    with pytest.raises(KeyFileExists, match="never overwrites a private key"):
        create_key_pair(cloud, "lab-key", directory=tmp_path)
    assert existing.read_text() == "my old key"
    # the refusal happened before the key pair was created
    assert cloud.client("ec2").describe_key_pairs()["KeyPairs"] == []


def test_bad_name_is_refused(cloud: Cloud, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="plain name"):
        create_key_pair(cloud, "../evil", directory=tmp_path)


@pytest.mark.parametrize(
    ("mode", "ok", "words"),
    [
        (0o400, True, ""),
        (0o600, True, ""),
        (0o644, False, "other users on this computer can read"),
        (0o640, False, "members of the file's group"),
        (0o700, False, "executable"),
        (0o200, False, "you cannot read it yourself"),
    ],
)
def test_check_pem_permissions(tmp_path: Path, mode: int, ok: bool, words: str) -> None:
    path = tmp_path / "k.pem"
    path.write_text("x")
    os.chmod(path, mode)
    check = check_pem_permissions(path)
    assert check.ok is ok
    assert bool(check) is ok
    assert check.mode == mode
    if ok:
        assert check.problems == ()
        assert "is fine" in repr(check)
    else:
        assert any(words in p for p in check.problems)
        assert check.fix == f"chmod 400 {path}"
        assert "chmod 400" in repr(check) and "Needs fixing" in check._repr_html_()


def test_check_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UnknownResource, match="no key file at .*create_key_pair"):
        check_pem_permissions(tmp_path / "nope.pem")
