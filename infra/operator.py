"""The SaaS operator's command line: create, list, update and suspend tenants through the operator API.

    python -m infra.operator tenants list
    python -m infra.operator tenants create --slug acme --name "Acme Ltd" --plan plus [--host-limit 200]
    python -m infra.operator tenants setup-link TENANT_ID   (a new setup link; the old one stops working)
    python -m infra.operator tenants update TENANT_ID --plan max | --modules patching,docker | --host-limit N
    python -m infra.operator tenants suspend TENANT_ID      (resume: tenants resume TENANT_ID)

--url defaults to $PATCHMON_URL or http://localhost:8000; the key to $PATCHMON_OPERATOR_KEY, else the
local stack's `.local/operator-key`.

`create` and `setup-link` print the organisation's setup link, `https://<slug>.<domain>/setup?token=…`: hand it
to the customer's administrator; only it opens first-time setup (it lasts 7 days).
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys
import urllib.parse
from typing import Any

import httpx

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _key(explicit: str | None) -> str:
    if explicit:
        return explicit
    if os.environ.get("PATCHMON_OPERATOR_KEY"):
        return os.environ["PATCHMON_OPERATOR_KEY"]
    local = pathlib.Path(os.environ.get("PATCHMON_DATA_DIR", ROOT / ".local")) / "operator-key"
    if local.exists():
        return local.read_text().strip()
    sys.exit("no operator key: pass --key, set PATCHMON_OPERATOR_KEY, or start the local stack once")


def _call(args: argparse.Namespace, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    response = httpx.request(method, f"{args.url.rstrip('/')}/api/v1/operator{path}", json=body,
                             headers={"X-Operator-Key": _key(args.key)}, timeout=30)
    payload = response.json() if response.content else {}
    if response.status_code >= 400:
        sys.exit(f"error {response.status_code}: {payload.get('error', response.text)}")
    return payload


def setup_url(server_url: str, slug: str, token: str) -> str:
    """The organisation's setup link: its subdomain of the server's address (a loopback address becomes localhost)."""
    parts = urllib.parse.urlsplit(server_url)
    host = parts.hostname or "localhost"
    if host in ("127.0.0.1", "::1"):
        host = "localhost"  # browsers resolve *.localhost to this machine
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{slug}.{host}{port}/setup?{urllib.parse.urlencode({'token': token})}"


def main(argv: list[str] | None = None) -> None:
    """Run one operator command and print its JSON result."""
    parser = argparse.ArgumentParser(prog="python -m infra.operator", description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("PATCHMON_URL", "http://localhost:8000"))
    parser.add_argument("--key", help="operator API key")
    sub = parser.add_subparsers(dest="resource", required=True).add_parser("tenants").add_subparsers(dest="action", required=True)
    sub.add_parser("list")
    create = sub.add_parser("create")
    create.add_argument("--slug", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--plan", default="free", choices=["free", "plus", "max", "custom"])
    create.add_argument("--modules", help="comma-separated, for the custom plan")
    create.add_argument("--host-limit", type=int)
    update = sub.add_parser("update")
    update.add_argument("tenant_id")
    update.add_argument("--name")
    update.add_argument("--plan", choices=["free", "plus", "max", "custom"])
    update.add_argument("--modules")
    update.add_argument("--host-limit", type=int)
    for action in ("suspend", "resume", "show", "setup-link"):
        sub.add_parser(action).add_argument("tenant_id")
    args = parser.parse_args(argv)

    def modules() -> list[str] | None:
        return [m.strip() for m in args.modules.split(",") if m.strip()] if getattr(args, "modules", None) else None

    if args.action == "list":
        result = _call(args, "GET", "/tenants?limit=200")
    elif args.action == "show":
        result = _call(args, "GET", f"/tenants/{args.tenant_id}")
    elif args.action == "create":
        body = {"slug": args.slug, "name": args.name, "plan": args.plan, "custom_modules": modules(), "host_limit": args.host_limit}
        result = _call(args, "POST", "/tenants", {k: v for k, v in body.items() if v is not None})
        result["setup_url"] = setup_url(args.url, result["slug"], result["setup_link"]["setup_token"])
    elif args.action == "setup-link":
        slug = _call(args, "GET", f"/tenants/{args.tenant_id}")["slug"]
        result = _call(args, "POST", f"/tenants/{args.tenant_id}/setup-link")
        result["setup_url"] = setup_url(args.url, slug, result["setup_token"])
    elif args.action == "update":
        body = {"name": args.name, "plan": args.plan, "custom_modules": modules(), "host_limit": args.host_limit}
        result = _call(args, "PATCH", f"/tenants/{args.tenant_id}", {k: v for k, v in body.items() if v is not None})
    else:
        status = "suspended" if args.action == "suspend" else "active"
        result = _call(args, "PATCH", f"/tenants/{args.tenant_id}", {"status": status})
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
