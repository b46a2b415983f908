"""Production settings read from the environment: the read replica, the TLS proxy header, collected static files.

Settings are read once per process, so each case loads them in a fresh interpreter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

SHOW = """
import json
from openmash import settings as s
print(json.dumps({
    "databases": sorted(s.DATABASES),
    "replica_test": s.DATABASES.get("replica", {}).get("TEST"),
    "reporting": s.OPENMASH_REPORTING_DATABASE,
    "proxy": getattr(s, "SECURE_PROXY_SSL_HEADER", None),
    "static": s.STORAGES["staticfiles"]["BACKEND"],
    "finders": s.WHITENOISE_USE_FINDERS,
}))
"""


def settings_with(**env: str) -> dict[str, object]:
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_REPLICA_URL", "OPENMASH_PROXY_SSL_HEADER"}}
    base.pop("OPENMASH_STATIC_COLLECTED", None)
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SHOW], env={**base, "OPENMASH_DEMO": "1", **env}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def test_by_default_there_is_one_database_and_reports_use_it() -> None:
    shown = settings_with()
    assert shown["databases"] == ["default"]
    assert shown["reporting"] == "default"


def test_a_replica_url_adds_the_replica_for_reports() -> None:
    shown = settings_with(DATABASE_REPLICA_URL="postgres://reader@replica.internal:5432/openmash")
    assert shown["databases"] == ["default", "replica"]
    assert shown["reporting"] == "replica"
    # Tests must never reach a real replica: theirs is the primary's test database.
    assert shown["replica_test"] == {"MIRROR": "default"}


def test_proxy_header_is_trusted_only_when_named() -> None:
    assert settings_with()["proxy"] is None
    assert settings_with(OPENMASH_PROXY_SSL_HEADER="X-Forwarded-Proto")["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_collected_static_files_are_served_by_hashed_name_not_from_the_app_folders() -> None:
    dev = settings_with()
    assert dev["finders"] is True
    collected = settings_with(OPENMASH_STATIC_COLLECTED="1")
    assert collected["finders"] is False
    assert collected["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
