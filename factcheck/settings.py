"""Settings: defaults in code, overridden by `[tool.factcheck]` of pyproject.toml or a
factcheck.toml, then by command-line options. Unknown keys are an error that names them."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import tomllib
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

from .errors import FactcheckError, not_utf8
from .stages.conflicts import ConflictSettings
from .stages.fluency import FluencySettings
from .stages.matching import MatchSettings


@dataclass(frozen=True)
class ScoreSettings:
    """Weights of the article score (see README, 'The score')."""
    base: float = 0.55
    corroborated: float = 0.35       # + share of claims backed by another independent source
    attributed: float = 0.10         # + share of claims with a named source
    garbled: float = 0.60            # - share of sentences flagged garbled
    single_source: float = 0.10      # - share of claims no other article states
    conflict: float = 0.08           # - per open conflict, times its severity
    conflict_backed_other: float = 2.0   # x when other sources back the other side
    conflict_cap: float = 0.30       # most the open conflicts can take away
    review_wrong: float = 0.10       # - per conflict a reviewer decided against the article
    review_right: float = 0.02       # + per conflict a reviewer decided for the article


@dataclass(frozen=True)
class CISettings:
    """Thresholds of `factcheck ci` ([tool.factcheck.ci])."""
    min_score: float = 0.45
    max_conflicts: int = 0           # open conflicts at or above `severity` a new article may have
    severity: float = 0.6
    max_garble_rate: float = 0.25
    fail_on_duplicates: bool = True


@dataclass(frozen=True)
class Settings:
    """Everything a run depends on; stored with each run."""
    embedder: str = "minilm.v1"
    backend: str = "auto"            # auto | bf16 | fp32
    max_bytes: int = 5_000_000       # larger article files are refused
    # articles whose text (as read: an HTML page's visible text, a JSON object's text) is longer
    # are refused: the analysis parses an article as one document (the parser stops at 1,000,000
    # characters), and 1.5 MB of text took 72 s to read into sentences and claims alone
    max_chars: int = 200_000
    nli_model: str | None = None     # a local CrossEncoder folder, optional
    match: MatchSettings = field(default_factory=MatchSettings)
    fluency: FluencySettings = field(default_factory=FluencySettings)
    conflicts: ConflictSettings = field(default_factory=ConflictSettings)
    score: ScoreSettings = field(default_factory=ScoreSettings)
    ci: CISettings = field(default_factory=CISettings)

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)

    def digest(self, *sections: str) -> str:
        """A short hash of the named sections (all when none): what cached results depend on."""
        d = self.as_dict()
        part = {k: d[k] for k in sections} if sections else d
        return hashlib.sha256(json.dumps(part, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _apply(obj: Any, values: dict, where: str) -> Any:
    known = {f.name: f for f in fields(obj)}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise FactcheckError(f"{where}: unknown setting(s) {', '.join(unknown)}; "
                             f"known: {', '.join(sorted(known))}")
    changes = {}
    for k, v in values.items():
        cur = getattr(obj, k)
        if is_dataclass(cur):
            if not isinstance(v, dict):
                raise FactcheckError(f"{where}: [{k}] must be a table")
            changes[k] = _apply(cur, v, f"{where}.{k}")
        elif isinstance(cur, tuple) and isinstance(v, list):
            changes[k] = tuple(v)
        else:
            if cur is not None and not isinstance(v, type(cur)) and not (
                    isinstance(cur, float) and isinstance(v, int)):
                raise FactcheckError(f"{where}: {k} must be {type(cur).__name__}, got {v!r}")
            changes[k] = float(v) if isinstance(cur, float) else v
            low = known[k].metadata.get("min")
            if low is not None and changes[k] < low:
                raise FactcheckError(f"{where}: {k} must be {low:g} or more, got {v!r}")
    return replace(obj, **changes)


def _read_toml(path: Path) -> dict:
    """A settings file's TOML; one FactcheckError naming it when it cannot be read or parsed."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise FactcheckError(f"{path}: not valid TOML ({e})") from None
    except UnicodeDecodeError as e:
        raise FactcheckError(f"{path}: {not_utf8(e)}") from None
    except OSError as e:
        raise FactcheckError(f"{path}: cannot read the settings file ({e.strerror or e})") from None


def find_config(start: Path | None = None) -> tuple[Path, dict] | None:
    """factcheck.toml, else pyproject.toml with a [tool.factcheck] table, in the working folder."""
    base = start or Path.cwd()
    fc = base / "factcheck.toml"
    if fc.is_file():
        return fc, _read_toml(fc)
    pp = base / "pyproject.toml"
    if pp.is_file():
        data = _read_toml(pp).get("tool", {}).get("factcheck")
        if data is not None:
            return pp, data
    return None


def load_settings(config: Path | None = None, **overrides: Any) -> Settings:
    """Defaults, then the config file, then `overrides` (None values are ignored).

    Overrides may name a section field as `section__field`, e.g. ci__min_score=0.5.
    """
    s = Settings()
    if config is not None:
        if not config.is_file():
            raise FactcheckError(f"{config}: settings file not found")
        data = _read_toml(config)
        if config.name == "pyproject.toml":
            data = data.get("tool", {}).get("factcheck", {})
        s = _apply(s, data, str(config))
    else:
        found = find_config()
        if found:
            s = _apply(s, found[1], str(found[0]))
    nested: dict[str, dict] = {}
    flat: dict[str, Any] = {}
    for k, v in overrides.items():
        if v is None:
            continue
        if "__" in k:
            sec, name = k.split("__", 1)
            nested.setdefault(sec, {})[name] = v
        else:
            flat[k] = v
    return _apply(s, {**flat, **nested}, "options") if (flat or nested) else s
