"""Checks of a built reference that start from the raw spec (not a test module)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def raw_operations(spec: Path) -> list[tuple[str, str]]:
    document = yaml.safe_load(spec.read_text(encoding="utf-8"))  # JSON is YAML too
    return sorted((m.upper(), p) for p, item in document["paths"].items() for m in METHODS if m in item)


def check_reference(section: Path, spec: Path) -> None:
    """Every operation of the raw spec has its heading anchor, curl and Try-it panel."""
    data = json.loads((section / "operations.json").read_text(encoding="utf-8"))
    assert sorted((o["method"], o["path"]) for o in data["operations"]) == raw_operations(spec)
    pages: dict[str, str] = {}
    for entry in data["operations"]:
        page, anchor = entry["url"].split("#")
        html = pages.setdefault(page, (section / page).read_text(encoding="utf-8"))
        heading = re.search(rf'<h2\b[^>]*\bid="{re.escape(anchor)}"', html)
        assert heading, f"{entry['method']} {entry['path']}: no #{anchor} in {page}"
        rest = html[heading.end():]
        following = re.search(r"<h2\b", rest)
        body = rest[: following.start()] if following else rest
        assert '<section class="ead-code"' in body and f"{entry['method']} " in body, f"{anchor}: no curl"
        try_data = re.search(r'<section class="ead-try"[^>]*><script type="application/json">(.*?)</script>', body, re.S)
        assert try_data and json.loads(try_data.group(1))["id"] == anchor, f"{anchor}: no Try-it panel"
