"""Where an export may write: never into a synced snapshot or the project's own folders.

An export writes files of its own format; one pointed at a snapshot (or at the project folder
that holds it) would turn synced files into files ``pull``/``push`` cannot read.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import ConfigError

#: the folder a pulled snapshot keeps its sync state in
SNAPSHOT_MARK = ".wfsync"


class ExportFolderError(ConfigError):
    hint = ("Nothing was written. Choose an export folder outside the project's snapshots/ and mappings/, "
            "for example --out site.")


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive
        return str(path)


def check_export_folder(out: Path, project_folders: dict[str, Path]) -> None:
    """Refuse an ``--out`` inside a snapshot or one of ``project_folders`` (name -> folder), or
    holding one of them."""
    target = _real(out)
    for folder in (target, *target.parents):
        if (folder / SNAPSHOT_MARK).is_dir():
            raise ExportFolderError(f"--out {out}: inside the synced snapshot {_shown(folder)}; the export "
                                    "would overwrite synced files with files pull and push cannot read")
    for name, folder in project_folders.items():
        if not folder.is_dir():
            continue
        real = _real(folder)
        if target == real or real in target.parents:
            raise ExportFolderError(f"--out {out}: inside the project's {name} folder {_shown(real)}")
        if target in real.parents:
            raise ExportFolderError(f"--out {out}: holds the project's {name} folder {_shown(real)}; the export "
                                    "would write among the project's own files")
