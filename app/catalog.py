"""The product catalogue of content/products.yaml: compressor models, their series and warranty."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Series:
    code: str
    name_zh: str
    name_en: str
    warranty_months: int

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_zh


@dataclass(frozen=True)
class Model:
    code: str
    series: str
    type: str
    refrigerant: str
    capacity_w: int
    power: str


@dataclass(frozen=True)
class Catalog:
    series: dict[str, Series]
    models: dict[str, Model]

    def model(self, code: str) -> Model | None:
        return self.models.get(normalise_model_code(code))

    def series_of(self, code: str) -> Series | None:
        """The series of a model code, or the series itself when a series code is given."""
        code = normalise_model_code(code)
        if code in self.series:
            return self.series[code]
        model = self.models.get(code)
        return self.series.get(model.series) if model else None

    def warranty_months(self, model_code: str, default: int = 18) -> int:
        series = self.series_of(model_code)
        return series.warranty_months if series else default


def normalise_model_code(code: str) -> str:
    """`shv-33yc`, `SHV 33YC` and `ＳＨＶ３３ＹＣ` all mean SHV33YC."""
    import unicodedata

    return re.sub(r"[\s\-_]", "", unicodedata.normalize("NFKC", code or "")).upper()


@lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> Catalog:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    series = {s["code"]: Series(s["code"], s["name_zh"], s["name_en"], int(s["warranty_months"]))
              for s in data.get("series", [])}
    models = {m["code"]: Model(m["code"], m["series"], m["type"], m["refrigerant"], int(m["capacity_w"]),
                               str(m["power"])) for m in data.get("models", [])}
    return Catalog(series=series, models=models)


def load_catalog(content_dir: Path) -> Catalog:
    path = content_dir / "products.yaml"
    if not path.exists():
        return Catalog(series={}, models={})
    return _load(str(path), path.stat().st_mtime)


def catalog() -> Catalog:
    """The catalogue of the current app's content directory."""
    from flask import current_app

    return load_catalog(current_app.extensions["isupport.settings"].content_dir)
