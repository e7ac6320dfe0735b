"""The operator's command line against the running local stack: a new organisation is set up through its link."""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import urllib.parse

import httpx
import pytest

from tests.e2e.stack import LocalStackProcess

pytestmark = pytest.mark.timeout(90)
ADMIN = {"username": "founder", "email": "founder@example.com", "password": "Sup3r-secret!"}


def _operator(stack: LocalStackProcess, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATCHMON_DATA_DIR": str(stack.data_dir)}  # the stack's operator key
    return subprocess.run([sys.executable, "-m", "infra.operator", "--url", stack.url, "tenants", *args],
                          check=False, capture_output=True, text=True, env=env, timeout=60)


def _setup(stack: LocalStackProcess, slug: str, **extra: str) -> httpx.Response:
    return httpx.post(f"{stack.url}/api/v1/auth/setup-admin", json={**ADMIN, **extra},
                      headers={"Host": f"{slug}.localhost:{stack.port}"})


def test_operator_creates_an_organisation_whose_setup_link_alone_opens_setup_when_run(stack):
    slug = f"op-{secrets.token_hex(3)}"

    created = _operator(stack, "create", "--slug", slug, "--name", "Operated Ltd", "--plan", "plus")

    assert created.returncode == 0, created.stderr
    tenant = json.loads(created.stdout)
    link = urllib.parse.urlsplit(tenant["setup_url"])
    assert (link.scheme, link.netloc, link.path) == ("http", f"{slug}.localhost:{stack.port}", "/setup")
    token = urllib.parse.parse_qs(link.query)["token"][0]
    assert token == tenant["setup_link"]["setup_token"]
    assert _setup(stack, slug).status_code == 403  # whoever comes first without the link

    reissued = _operator(stack, "setup-link", tenant["tenant_id"])
    assert reissued.returncode == 0, reissued.stderr
    new_token = urllib.parse.parse_qs(urllib.parse.urlsplit(json.loads(reissued.stdout)["setup_url"]).query)["token"][0]
    assert _setup(stack, slug, setupToken=token).status_code == 403  # the first link stopped working
    done = _setup(stack, slug, setupToken=new_token)
    assert done.status_code == 201, done.text

    after = _operator(stack, "setup-link", tenant["tenant_id"])
    assert after.returncode != 0 and "error 409: Setup has already been completed" in after.stderr
