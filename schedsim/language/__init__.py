"""The protocol language: what a protocol file may say, and reading it.

Pydantic models (``model``: protocols, regimen/block libraries, simulation scenarios), YAML loading that keeps
file and line for every field (``yamlsource``, ``loader``: includes, source records), durations and windows
(``durations``), anchor expressions (``anchors``), the published JSON Schema (``schema``) and the catalogue of check
rule ids (``rules``), which lives here because protocol files name rules (``checks: disable``).

May import: the shared modules (``schedsim.errors``, ``schedsim.fileio``, ``schedsim.inputs``).
Must not import: any other stage; it is the bottom of the pipeline (import-linter contract in pyproject.toml).
"""
