"""Keeps the fitted similarity model: on disk beside the search index, in memory in every worker.

- ``CURRENT`` (JSON: version, file, source stamp) names the model file in force; files are written
  to a temporary name and renamed, so a reader never sees half a file.
- ``get()`` returns the model in memory and, at most every ``check_seconds``, looks whether another
  worker wrote a newer one (loads it) and whether the database changed since the model was fitted
  (starts a refit in a thread). Requests keep using the old model until the new one is swapped in.
- Equal inputs give an equal version stamp, so workers that refit at once write the same model.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import joblib

from .similarity import ArticleText, LearnedText, ModelOptions, SimilarityModel, TokenCache, fit

log = logging.getLogger(__name__)

Source = Callable[[], tuple[list[ArticleText], list[LearnedText]]]
Stamp = Callable[[], str]


@dataclass
class Loaded:
    model: SimilarityModel
    stamp: str  # the source stamp the model was fitted at


class ModelStore:
    def __init__(
        self,
        directory: Path,
        source: Source,
        stamp: Stamp,
        options: ModelOptions | None = None,
        check_seconds: float = 2.0,
        keep_files: int = 3,
        background: bool = True,
    ):
        self.directory = Path(directory)
        self.source = source
        self.stamp = stamp
        self.options = options or ModelOptions()
        self.check_seconds = check_seconds
        self.keep_files = keep_files
        # Off in tests: a refit then happens in the caller, so what a test does next sees it.
        self.background = background
        self._loaded: Loaded | None = None
        self._lock = threading.Lock()
        self._refit_thread: threading.Thread | None = None
        self._last_check = 0.0
        self._pointer_mtime: float | None = None
        self._tokens = TokenCache()
        self._lock_fit = threading.Lock()  # the token cache is not shared between two fits at once

    # --- reading -------------------------------------------------------------------------------

    @property
    def pointer(self) -> Path:
        return self.directory / "CURRENT"

    def get(self) -> SimilarityModel:
        """The model in force; fits one (blocking) only when there is none at all, in memory or on disk."""
        loaded = self._loaded
        now = time.monotonic()
        if loaded is None:
            with self._lock:
                if self._loaded is None:
                    self._loaded = self._read_disk() or self._fit_and_save()
                return self._loaded.model
        if now - self._last_check >= self.check_seconds:
            self._last_check = now
            self._pick_up_disk()
            if self.stamp() != self._loaded.stamp:
                self.refit_in_background()
        return self._loaded.model

    def _pick_up_disk(self) -> None:
        try:
            mtime = self.pointer.stat().st_mtime
        except FileNotFoundError:
            return
        if mtime == self._pointer_mtime:
            return
        loaded = self._read_disk()
        if loaded and (self._loaded is None or loaded.model.version != self._loaded.model.version):
            self._loaded = loaded
            log.info("deflect: loaded similarity model %s from disk", loaded.model.version)

    def _read_disk(self) -> Loaded | None:
        try:
            self._pointer_mtime = self.pointer.stat().st_mtime
            pointer = json.loads(self.pointer.read_text())
            model = joblib.load(self.directory / pointer["file"])
            if not isinstance(model, SimilarityModel) or model.options != self.options:
                return None
            return Loaded(model=model, stamp=pointer["stamp"])
        except (OSError, ValueError, KeyError, EOFError, AttributeError, ImportError) as error:
            if self.pointer.exists():
                log.warning("deflect: similarity model on disk unreadable (%s); refitting", error)
            return None

    # --- fitting -------------------------------------------------------------------------------

    def refit(self) -> SimilarityModel:
        """Fits from the source now and swaps the new model in; returns it."""
        loaded = self._fit_and_save()
        self._loaded = loaded
        return loaded.model

    def refit_in_background(self) -> bool:
        """Starts a refit unless one is running; requests go on with the current model meanwhile."""
        if not self.background:
            self.refit()
            return True
        with self._lock:
            if self._refit_thread is not None and self._refit_thread.is_alive():
                return False
            self._refit_thread = threading.Thread(
                target=self._background_refit, name="deflect-refit", daemon=True
            )
            self._refit_thread.start()
            return True

    def wait(self, timeout: float = 60.0) -> None:
        """Waits for a running refit (tests and the CLI use this)."""
        thread = self._refit_thread
        if thread is not None:
            thread.join(timeout)

    def _background_refit(self) -> None:
        try:
            self.refit()
        except Exception:  # noqa: BLE001 - a failed refit keeps the old model in service
            log.exception(
                "deflect: refit failed; keeping model %s", self._loaded and self._loaded.model.version
            )

    def _fit_and_save(self) -> Loaded:
        stamp = self.stamp()
        articles, learned = self.source()
        started = time.perf_counter()
        with self._lock_fit:
            model = fit(articles, learned, self.options, self._tokens)
        log.info(
            "deflect: fitted similarity model %s over %d articles and %d solved reports in %.2f s",
            model.version,
            model.size,
            model.learned_count,
            time.perf_counter() - started,
        )
        self._save(model, stamp)
        return Loaded(model=model, stamp=stamp)

    def _save(self, model: SimilarityModel, stamp: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"tfidf-{model.version}.joblib"
        target = self.directory / name
        if not target.exists():
            temporary = self.directory / f".{name}.{os.getpid()}.{threading.get_ident()}.tmp"
            joblib.dump(model, temporary, compress=3)
            os.replace(temporary, target)
        pointer_tmp = self.directory / f".CURRENT.{os.getpid()}.{threading.get_ident()}.tmp"
        pointer_tmp.write_text(
            json.dumps({"version": model.version, "file": name, "stamp": stamp, "fitted_at": time.time()})
        )
        os.replace(pointer_tmp, self.pointer)
        self._pointer_mtime = self.pointer.stat().st_mtime
        self._prune(keep=name)

    def _prune(self, keep: str) -> None:
        files = sorted(self.directory.glob("tfidf-*.joblib"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[self.keep_files :]:
            if old.name != keep:
                old.unlink(missing_ok=True)
