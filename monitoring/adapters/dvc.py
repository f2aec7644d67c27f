"""DVC: the dataset versions a DVC project pins, and its pipeline as the run that read them
(plain YAML; DVC need not be installed).

Files read, as DVC 2 and 3 write them (`dvc.lock` schema 2.0; a `.dvc` file of `dvc add`):

- `dvc.lock`: `{"schema": "2.0", "stages": {name: {"cmd", "deps": [...], "params": {file:
  {key: value}}, "outs": [...]}}}`. A dataset version is what a run read, so by default the
  datasets are the stages' `deps`; `take=outs` takes the outputs instead (a data-preparation
  pipeline), `take=all` both, and `stage` narrows to one stage. The stages are also the run
  (tracker `dvc`, id `dvc.lock:<sha256 of the lock, 16 hex>`): their params (`train.C`, or
  `other.yaml:key` for a params file other than params.yaml), each stage's command in the tag
  `dvc.stage.<name>.cmd`, and the data they read as its input datasets, which is how the version
  the run trained knows its data (its lineage).
- `.dvc`: `{"outs": [{"md5", "size", "hash": "md5", "path"}]}`, its paths relative to the folder
  the file sits in (`folder` option; the CLI finds it); `take=deps` reads the `deps` of an
  imported file instead.
- A project directory (`read_repo`, on the pipeline's side): its `dvc.lock`, its `dvc.yaml`
  and every `.dvc` file, as one push.

Only data is a dataset. Code (`.py`, `.ipynb`, `.sql`, ...), models (`.pkl`, `.joblib`, `.pt`,
`.onnx`, ...) and metrics and plots (the paths dvc.yaml lists under `metrics:` or `plots:`, or,
without dvc.yaml, a `.json`/`.yaml`/`.toml` file named like metrics, scores or plots) are left
out, whatever `take` says. A file named twice with the same content (the output of one stage
read by the next; a file `dvc add`ed and read by a stage) is one dataset: paths and md5 agree.

Each entry becomes `DatasetVersionRef(dataset=<slug of the path: data/train.csv ->
data-train-csv>, version=<first 12 characters of the md5>, name=<the path>, uri=<the path>,
external_ref="md5:<full md5>")`. A directory's md5 ends in ".dir" and is kept whole in the
reference. Entries without an md5 (an external dependency) use their etag or checksum.

Options:
- `dataset`, `version`: the slug and the version label to register, instead of the derived
  ones (`dataset` only when the file yields one dataset).
- `folder`: where a lone `.dvc` file sits in its project (`data` for `data/loans.csv.dvc`).
- `remote`: the DVC remote's URL (e.g. `s3://bucket/dvcstore`). A remote stores content by its
  hash, so `uri` becomes where the content is: `<remote>/files/md5/<2>/<30>` for DVC 3 entries,
  `<remote>/<2>/<30>` for DVC 2 ones.
- `lakefs_commit`: the 64-hex LakeFS commit the remote (or the data) was read at. The
  commit pins the data, so `external_ref` becomes `lakefs:<commit>` (the md5 stays in the
  version). A `remote` of the form `lakefs://<repo>/<commit>/<prefix>` gives the same without
  the option; a branch name there pins nothing and is taken as a plain remote.
"""

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from monitoring.adapters.errors import refuse_unknown_options
from monitoring.ingest.bundle import Bundle, DatasetVersionRef, Run
from monitoring.ingest.errors import BadInput

SOURCE = "dvc"
OPTIONS = frozenset({"dataset", "version", "remote", "lakefs_commit", "stage", "take", "folder"})
TAKES = ("deps", "outs", "all")
LOCK_SCHEMA = "2.0"
CODE_SUFFIXES = frozenset({".py", ".ipynb", ".r", ".sh", ".jl", ".scala", ".java", ".js", ".sql"})
# A run's outputs that are not data: models by their extension, metrics and plots by dvc.yaml's
# `metrics:`/`plots:` or, without it, a small report file named so (metrics.json, scores.yaml).
MODEL_SUFFIXES = frozenset(
    {".pkl", ".pickle", ".joblib", ".pt", ".pth", ".ckpt", ".h5", ".keras", ".onnx", ".pb"}
    | {".safetensors", ".cbm", ".ubj", ".mlmodel", ".tflite"}
)
REPORT_SUFFIXES = frozenset({".json", ".yaml", ".yml", ".toml"})
REPORT_NAME = re.compile(r"metric|score|plot")
DEFAULT_PARAMS = "params.yaml"  # DVC's default params file: its keys are named bare
DIGESTS = ("md5", "etag", "checksum")  # what DVC records per entry, best first
# The registry's rules for a dataset slug and a version label: (pattern, length, in words).
SLUG_RULE = (re.compile(r"[a-z0-9][a-z0-9_-]*\Z"), 80, "lowercase letters, digits, - and _")
LABEL_RULE = (re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*\Z"), 64, "letters, digits, ., _, + and -")
COMMIT = re.compile(r"[0-9a-f]{64}\Z")
LAKEFS_URI = re.compile(r"lakefs://[^/]+/(?P<ref>[^/]+)")


def read(content: bytes, *, filename: str = "", options: Mapping[str, str]) -> Bundle:
    """The dataset versions a dvc.lock or .dvc file pins; a dvc.lock's stages as the run."""
    refuse_unknown_options(options, OPTIONS, source=SOURCE)
    document = _load_yaml(content)
    if _is_lock(document, filename):
        return _bundle(Project(lock=document, lock_sha256=_sha256(content)), options)
    if isinstance(document, dict) and ("outs" in document or filename.endswith(".dvc")):
        return _bundle(Project(dvc_files=[(_folder(filename, options), document)]), options)
    raise BadInput(
        field="file", message="is neither a dvc.lock (with stages) nor a .dvc file (with outs)"
    )


def read_repo(root: Path, *, options: Mapping[str, str]) -> Bundle:
    """A DVC project directory as one push: its dvc.lock (the run), its dvc.yaml (which
    outputs are metrics or plots) and every .dvc file in it, a file named twice taken once."""
    refuse_unknown_options(options, OPTIONS, source=SOURCE)
    lock, pipeline = root / "dvc.lock", root / "dvc.yaml"
    project = Project(in_project=True)
    if lock.is_file():
        content = lock.read_bytes()
        project.lock, project.lock_sha256 = _load_yaml(content), _sha256(content)
    if pipeline.is_file():
        project.pipeline = _load_yaml(pipeline.read_bytes())
    for path in sorted(root.rglob("*.dvc")):
        inside = path.relative_to(root).parts[:-1]
        if path.is_file() and not {".dvc", ".git"} & set(inside):
            project.dvc_files.append(("/".join(inside) or ".", _load_yaml(path.read_bytes())))
    if project.lock is None and not project.dvc_files:
        raise BadInput(field="file", message=f"{root} holds no dvc.lock and no .dvc file")
    return _bundle(project, options)


@dataclass
class Project:
    """What a DVC project pins: its dvc.lock, its dvc.yaml, and its .dvc files (each with the
    directory it sits in, which its paths are relative to)."""

    lock: Any = None
    lock_sha256: str = ""
    pipeline: Any = None
    dvc_files: list[tuple[str, Any]] = field(default_factory=list)
    in_project: bool = False  # read as a whole directory, not one file


def _bundle(project: Project, options: Mapping[str, str]) -> Bundle:
    not_data = _declared_outputs(project.pipeline)
    entries = _lock_entries(project.lock, options) if project.lock is not None else []
    for folder, document in project.dvc_files:
        document = _mapping(document, "file")
        entries += _dvc_file_entries(document, options, folder, in_project=project.in_project)
    entries = _unique([e for e in entries if _is_data(e.path, not_data)])
    if not entries:
        raise BadInput(field="file", message="lists no data (only code, models and metrics)")
    if "dataset" in options and len(entries) > 1:
        paths = ", ".join(entry.path for entry in entries)
        raise BadInput(
            field="dataset",
            message=f"names one dataset but the file pins {len(entries)} ({paths}): "
            "narrow it with stage or take, or leave dataset out",
        )
    commit = _lakefs_commit(options)
    run = None
    if project.lock is not None:
        read_by = _unique(_lock_entries(project.lock, {**options, "take": "deps"}))
        # `dataset` and `version` name the one dataset taken; other inputs keep derived names
        derived = {k: v for k, v in options.items() if k not in ("dataset", "version")}
        taken = {e.path for e in entries}
        inputs = [
            _reference(e, options if e.path in taken else derived, commit)
            for e in read_by
            if _is_data(e.path, not_data)
        ]
        run = _run(project, options, inputs)
    return Bundle(
        source=SOURCE, datasets=[_reference(e, options, commit) for e in entries], run=run
    )


def _load_yaml(content: bytes) -> Any:
    if not content.strip():
        raise BadInput(field="file", message="is empty")
    try:
        return yaml.safe_load(content)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        raise BadInput(field="file", message=f"is not valid YAML: {exc.problem}{where}") from None
    except yaml.YAMLError as exc:
        raise BadInput(field="file", message=f"is not valid YAML: {exc}") from None


def _is_lock(document: Any, filename: str) -> bool:
    named = PurePosixPath(filename.replace("\\", "/")).name == "dvc.lock"
    return named or (isinstance(document, dict) and "stages" in document)


# --- the entries of each kind of file --------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """A dep or an out as DVC wrote it, and where it is in the file (for messages)."""

    path: str
    where: str
    fields: dict[str, Any]


def _lock_entries(document: Any, options: Mapping[str, str]) -> list[Entry]:
    if not isinstance(document, dict) or "schema" not in document:
        raise BadInput(
            field="schema",
            message="is missing: a dvc.lock of DVC 1 is not supported; "
            "re-run `dvc repro` with DVC 2 or 3 to rewrite it",
        )
    if str(document["schema"]) != LOCK_SCHEMA:
        raise BadInput(
            field="schema",
            message=f"{document['schema']!r} is not a dvc.lock schema this adapter reads "
            f"({LOCK_SCHEMA}, DVC 2 and 3)",
        )
    stages = _mapping(document.get("stages"), "stages")
    chosen = options.get("stage")
    if chosen is not None and chosen not in stages:
        names = ", ".join(map(str, stages))
        raise BadInput(field="stage", message=f"{chosen!r} is not a stage of this file ({names})")
    entries = []
    for name, stage in stages.items():
        if chosen is None or name == chosen:
            stage = _mapping(stage, f"stages.{name}")
            entries += _take(stage, options.get("take", "deps"), f"stages.{name}")
    return entries


def _dvc_file_entries(
    document: dict[str, Any], options: Mapping[str, str], folder: str, *, in_project: bool
) -> list[Entry]:
    """A .dvc file's outs (its deps with take=deps, alone); paths are relative to its folder,
    which must be known for the file to name the same data as the project's dvc.lock."""
    if "stage" in options and not in_project:
        raise BadInput(field="stage", message="applies to a dvc.lock; this is a .dvc file")
    take = "outs" if in_project else options.get("take", "outs")
    entries = _take(document, take, "")
    base = PurePosixPath(folder)
    return [Entry(path=(base / e.path).as_posix(), where=e.where, fields=e.fields) for e in entries]


def _folder(filename: str, options: Mapping[str, str]) -> str:
    """Where a lone .dvc file sits in its project: the `folder` option, else its name's path."""
    given = options.get("folder", "")
    folder = PurePosixPath(given or str(PurePosixPath(filename.replace("\\", "/")).parent))
    if folder.is_absolute() or ".." in folder.parts:
        raise BadInput(field="folder", message=f"{given!r} is not a folder inside the project")
    return folder.as_posix()


def _take(node: dict[str, Any], take: str, path: str) -> list[Entry]:
    if take not in TAKES:
        raise BadInput(field="take", message=f"{take!r} is not one of {', '.join(TAKES)}")
    sides = ("deps", "outs") if take == "all" else (take,)
    entries = []
    for side in sides:
        where = f"{path}.{side}" if path else side
        for i, entry in enumerate(_sequence(node.get(side, []), where)):
            entry = _mapping(entry, f"{where}[{i}]")
            file_path = entry.get("path")
            if not isinstance(file_path, str) or not file_path:
                raise BadInput(field=f"{where}[{i}].path", message="is missing")
            if side == "outs" or not _is_code(file_path):
                entries.append(Entry(path=file_path, where=f"{where}[{i}]", fields=entry))
    return entries


def _is_code(path: str) -> bool:
    return PurePosixPath(path).suffix.lower() in CODE_SUFFIXES


def _unique(entries: list[Entry]) -> list[Entry]:
    """One entry per path and content: an output read by the next stage, or a file both
    `dvc add`ed and read by a stage, is listed twice and is the same data."""
    seen: dict[tuple[str, str], Entry] = {}
    for entry in entries:
        digest = next((str(entry.fields[k]) for k in DIGESTS if entry.fields.get(k)), "")
        seen.setdefault((PurePosixPath(entry.path).as_posix(), digest), entry)
    return list(seen.values())


def _is_data(path: str, not_data: frozenset[str]) -> bool:
    """Not code, not a model, not metrics or plots: those are a run's outputs, not datasets."""
    pure = PurePosixPath(path)
    if pure.as_posix() in not_data or pure.suffix.lower() in CODE_SUFFIXES | MODEL_SUFFIXES:
        return False
    small_file = pure.suffix.lower() in REPORT_SUFFIXES
    return not (small_file and REPORT_NAME.search(pure.stem.lower()))


def _declared_outputs(pipeline: Any) -> frozenset[str]:
    """The paths a dvc.yaml declares as metrics or plots, top level and per stage."""
    if not isinstance(pipeline, dict):
        return frozenset()
    sections = [pipeline.get("metrics"), pipeline.get("plots")]
    for stage in (pipeline.get("stages") or {}).values():
        if isinstance(stage, dict):
            sections += [stage.get("metrics"), stage.get("plots")]
    paths: set[str] = set()
    for section in sections:
        for item in section or []:
            named = item if isinstance(item, str) else next(iter(item), "") if item else ""
            if isinstance(named, str) and named:
                paths.add(PurePosixPath(named).as_posix())
    return frozenset(paths)


def _run(project: Project, options: Mapping[str, str], inputs: list[DatasetVersionRef]) -> Run:
    """The stages as a run: their params and commands, and the data they read (its lineage)."""
    stages = _mapping(project.lock.get("stages"), "stages")
    chosen = options.get("stage")
    params: dict[str, Any] = {}
    tags: dict[str, Any] = {}
    for name, stage in stages.items():
        if chosen is not None and name != chosen:
            continue
        stage = _mapping(stage, f"stages.{name}")
        if stage.get("cmd"):
            cmd = stage["cmd"]
            tags[f"dvc.stage.{name}.cmd"] = " && ".join(cmd) if isinstance(cmd, list) else str(cmd)
        for source, values in (stage.get("params") or {}).items():
            for key, value in (values or {}).items():
                params[key if source == DEFAULT_PARAMS else f"{source}:{key}"] = value
    return Run(
        tracker=SOURCE,
        # The lock's content names the run: the same lock pushed again is the same run.
        external_id=f"dvc.lock:{project.lock_sha256[:16]}",
        params=params,
        tags=tags,
        input_datasets=inputs,
    )


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


# --- one dataset version ---------------------------------------------------------------------


def _reference(entry: Entry, options: Mapping[str, str], commit: str) -> DatasetVersionRef:
    kind, digest = _digest(entry)
    return DatasetVersionRef(
        dataset=_option(options, "dataset", SLUG_RULE) or _slug(entry.path),
        version=_option(options, "version", LABEL_RULE) or _version(digest),
        uri=_uri(entry, kind, digest, options.get("remote", "")),
        name=entry.path,
        external_ref=f"lakefs:{commit}" if commit else f"{kind}:{digest}",
    )


def _digest(entry: Entry) -> tuple[str, str]:
    for kind in DIGESTS:
        value = entry.fields.get(kind)
        if isinstance(value, str) and value:
            return kind, value
    raise BadInput(
        field=entry.where,
        message=f"has no {', '.join(DIGESTS)}: DVC has not hashed it (run `dvc commit`)",
    )


def _slug(path: str) -> str:
    """A dataset slug from a path: data/train.csv -> data-train-csv."""
    limit = SLUG_RULE[1]
    slug = re.sub(r"[^a-z0-9_-]+", "-", path.lower()).strip("-_")[:limit].rstrip("-_")
    if not slug:
        raise BadInput(field="dataset", message=f"cannot be derived from {path!r}: pass dataset")
    return slug


def _version(digest: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", digest)[:12]


def _uri(entry: Entry, kind: str, digest: str, remote: str) -> str:
    if not remote or kind != "md5":
        return entry.path
    base = remote.rstrip("/")
    # DVC 3 marks its entries `hash: md5` and stores them under files/md5/; DVC 2 at the root.
    prefix = f"{base}/files/md5" if entry.fields.get("hash") == "md5" else base
    return f"{prefix}/{digest[:2]}/{digest[2:]}"


def _lakefs_commit(options: Mapping[str, str]) -> str:
    given = options.get("lakefs_commit", "")
    if given and not COMMIT.match(given):
        raise BadInput(
            field="lakefs_commit", message=f"{given!r} is not a LakeFS commit id (64 hex digits)"
        )
    match = LAKEFS_URI.match(options.get("remote", ""))
    in_remote = match["ref"] if match and COMMIT.match(match["ref"]) else ""
    if given and in_remote and given != in_remote:
        raise BadInput(
            field="lakefs_commit", message=f"differs from the commit in remote ({in_remote})"
        )
    return given or in_remote


def _option(options: Mapping[str, str], name: str, rule: tuple[re.Pattern[str], int, str]) -> str:
    value = options.get(name, "")
    pattern, limit, words = rule
    if value and (not pattern.match(value) or len(value) > limit):
        raise BadInput(
            field=name,
            message=f"{value!r} is not valid: up to {limit} {words}, "
            "starting with a letter or digit",
        )
    return value


def _mapping(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadInput(field=path, message="must be a mapping")
    return value


def _sequence(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise BadInput(field=path, message="must be a list")
    return value
