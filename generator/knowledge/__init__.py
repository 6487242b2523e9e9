"""EMQX knowledge the spec does not carry, read from a data file (emqx.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from ..problems import InputError

DEFAULT_FILE = Path(__file__).parent / "emqx.yaml"


@dataclass(frozen=True)
class Knowledge:
    default_base_url: str
    base_path: str
    env_url: str
    env_key: str
    env_secret: str
    env_token: str
    example_values: dict[str, object]


def load_knowledge(path: Path | None = None) -> Knowledge:
    source = path or DEFAULT_FILE
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"{source}: cannot read the knowledge file: {exc}") from None
    try:
        env = data["environment"]
        return Knowledge(
            default_base_url=str(data["default_base_url"]),
            base_path=str(data["base_path"]),
            env_url=str(env["url"]),
            env_key=str(env["api_key"]),
            env_secret=str(env["secret_key"]),
            env_token=str(env["token"]),
            example_values={str(k).lower(): v for k, v in (data.get("example_values") or {}).items()},
        )
    except (KeyError, TypeError) as exc:
        raise InputError(f"{source}: the knowledge file lacks {exc}") from None
