"""SDTM datasets written to a folder: Dataset-JSON v1.1 (``ta.json``) and SAS transport version 5 (``ta.xpt``, with
pyreadstat: the ``sdtm`` extra). The folder holds one complete set or none (``fileio.replace_folder``).

Dataset-JSON needs a creation time: ``created`` (default 2000-01-01T00:00:00, so the same protocol gives the same
bytes; the command line takes ``--created``).
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from schedsim.errors import InputError, Problem
from schedsim.fileio import write_folder
from schedsim.standards.sdtm import Dataset, sdtm_tables
from schedsim.version import __version__

DEFAULT_CREATED = "2000-01-01T00:00:00"
FORMATS = ("json", "xpt")
#: Every file a run may write: an older run's folder holding only these is replaced, anything else is refused.
OWNED = tuple(f"{name}.{suffix}" for name in ("ta", "te", "tv", "td", "ts") for suffix in FORMATS)


def dataset_json(dataset: Dataset, study: str, created: str = DEFAULT_CREATED) -> dict[str, Any]:
    """One dataset as a Dataset-JSON v1.1 document (strings with their length, integers as integers)."""
    columns = []
    for index, variable in enumerate(dataset.variables):
        column: dict[str, Any] = {"itemOID": f"IT.{dataset.name}.{variable.name}", "name": variable.name,
                                  "label": variable.label, "dataType": variable.kind}
        if variable.kind == "string":
            column["length"] = max([len(str(row[index])) for row in dataset.rows] + [1])
        if variable.name in ("STUDYID", "DOMAIN"):
            column["keySequence"] = 1 if variable.name == "STUDYID" else 2
        columns.append(column)
    return {"datasetJSONCreationDateTime": created, "datasetJSONVersion": "1.1.0",
            "fileOID": f"schedsim.{study}.{dataset.name}", "originator": "schedsim",
            "sourceSystem": {"name": "schedsim", "version": __version__}, "studyOID": study,
            "metaDataVersionOID": "MDV.SDTM.TRIALDESIGN", "itemGroupOID": f"IG.{dataset.name}",
            "records": len(dataset.rows), "name": dataset.name, "label": dataset.label, "columns": columns,
            "rows": [list(row) for row in dataset.rows]}


def xpt_bytes(dataset: Dataset, created: str = DEFAULT_CREATED) -> bytes:
    """One dataset as a SAS transport file, version 5 (pyreadstat; numbers as SAS numerics), its header's times
    ``created`` rather than the clock's (the same protocol gives the same bytes)."""
    try:
        import pandas
        import pyreadstat
    except ImportError:
        raise InputError(Problem("--format", None, "", "SAS transport files need pyreadstat and pandas: install "
                                                       "schedsim[sdtm] (or give --format json)")) from None
    names = [v.name for v in dataset.variables]
    frame = pandas.DataFrame([list(row) for row in dataset.rows], columns=names)
    for variable in dataset.variables:
        if variable.kind == "integer":
            frame[variable.name] = frame[variable.name].astype("float64")
        else:  # SAS transport version 5 is ASCII: "mg/m²" → "mg/m2", "µg" → "ug"
            frame[variable.name] = frame[variable.name].astype(str).map(ascii_text)
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / f"{dataset.name.lower()}.xpt"
        pyreadstat.write_xport(frame, str(target), file_label=dataset.label, table_name=dataset.name,
                               column_labels=[v.label for v in dataset.variables], file_format_version=5)
        data = target.read_bytes()
    end = data.find(b"OBS     HEADER RECORD")
    stamp = datetime.fromisoformat(created).strftime("%d%b%y:%H:%M:%S").upper().encode("ascii")
    head = re.sub(rb"\d\d[A-Z]{3}\d\d:\d\d:\d\d:\d\d", stamp, data[:end])
    return head + data[end:]


_ASCII = str.maketrans({"²": "2", "³": "3", "µ": "u", "μ": "u", "±": "+/-", "–": "-", "—": "-", "−": "-", "’": "'",
                        "“": '"', "”": '"', "≥": ">=", "≤": "<=", "×": "x"})


def ascii_text(text: str) -> str:
    """Text for a SAS transport file: common symbols spelled in ASCII, anything else dropped.

    >>> ascii_text("Bortezomib 1.3 mg/m² SC, G-CSF 10 µg/kg")
    'Bortezomib 1.3 mg/m2 SC, G-CSF 10 ug/kg'
    """
    import unicodedata

    spelled = unicodedata.normalize("NFKD", text.translate(_ASCII))
    return spelled.encode("ascii", "ignore").decode("ascii")


def write_sdtm(path: str | Path, output: str | Path, formats: Sequence[str] = FORMATS,
               created: str = DEFAULT_CREATED) -> list[Path]:
    """Write the trial design datasets of a protocol into the folder ``output``; the files written."""
    if Path(output).suffix:
        raise InputError(Problem(str(output), None, "", "give a folder (no extension): the datasets are ta.json, "
                                                         "ta.xpt, te.json, ..."))
    tables = sdtm_tables(path)
    study = tables[0].rows[0][0] if tables[0].rows else "STUDY"
    contents: dict[str, str | bytes] = {}
    for table in tables:
        if "json" in formats:
            contents[f"{table.name.lower()}.json"] = json.dumps(dataset_json(table, str(study), created), indent=1,
                                                                 ensure_ascii=False) + "\n"
        if "xpt" in formats:
            contents[f"{table.name.lower()}.xpt"] = xpt_bytes(table, created)
    return write_folder(output, contents, OWNED)
