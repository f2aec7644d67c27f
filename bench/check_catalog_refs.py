"""Cross-check every obligation catalog reference against the shared regulatory fact sheet.

    .venv/bin/python bench/check_catalog_refs.py [path/to/regulations.yaml]

The default sheet is ../shared/reference/regulations.yaml next to the repository. Prints each
reference the sheet does not number or name, and exits 1 if there is one. Not a test: CI clones
the repository without the shared folder.
"""

import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
CATALOGS = ROOT / "governance" / "rulebooks" / "data" / "obligations"
DEFAULT_SHEET = ROOT.parent / "shared" / "reference" / "regulations.yaml"

ARTICLE = re.compile(r"Art\. \d+(?:\(\d+\))?")
# A paragraph or point as the sheet lists it under an article: "9(6)-(8) testing ...", "16(b)".
PARAGRAPH = re.compile(r"^\d+\((\w+)\)(?:-\((\d+)\))?")


def _nodes(tree: Any) -> Iterator[dict]:
    """Every mapping in the tree, depth first."""
    if isinstance(tree, dict):
        yield tree
        for value in tree.values():
            yield from _nodes(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from _nodes(value)


def _strings(tree: Any) -> Iterator[str]:
    if isinstance(tree, str):
        yield tree
    elif isinstance(tree, dict | list):
        for value in tree.values() if isinstance(tree, dict) else tree:
            yield from _strings(value)


def _ids(tree: Any) -> set[str]:
    return {str(node["id"]) for node in _nodes(tree) if "id" in node}


def _paragraphs(article: str, listed: str) -> set[str]:
    """'9(6)-(8) testing' under Art. 9 names Art. 9(6), 9(7) and 9(8); '16(b)' names Art. 16(b)."""
    match = PARAGRAPH.match(listed)
    if match is None:
        return set()
    first, last = match.groups()
    if last is None or not first.isdigit():
        return {f"{article}({first})"}
    return {f"{article}({n})" for n in range(int(first), int(last) + 1)}


def eu_references(section: dict) -> set[str]:
    known = _ids(section)
    for node in _nodes(section):
        for listed in [*node.get("key_paragraphs", []), *node.get("points", [])]:
            # Annex III "points" are mappings with their own ids, collected above.
            if isinstance(listed, str):
                known |= _paragraphs(str(node["id"]), listed)
        known |= set(ARTICLE.findall(str(node.get("legal_basis", ""))))
    # The editorial obligation map names paragraphs the articles' entries do not list.
    for text in _strings(section["tier_obligation_map"]):
        known |= set(ARTICLE.findall(text))
    # A paragraph whose points are listed ("Art. 27(1)(a)") is itself named.
    known |= {ref.rsplit("(", 1)[0] for ref in known if ref.count("(") > 1}
    return known


def sr_11_7_references(section: dict) -> set[str]:
    """'SR 11-7 §V' per section, and 'SR 11-7 §V (Ongoing monitoring)' per named sub-heading."""
    known = set()
    for node in _nodes(section):
        parts = str(node.get("id", "")).split(".")
        if parts[0] != "SR11-7" or len(parts) < 2:
            continue
        if len(parts) == 2:
            known.add(f"SR 11-7 §{parts[1]}")
        else:
            known.add(f"SR 11-7 §{parts[1]} ({node['title']})")
    return known


def sr_26_2_references(section: dict) -> set[str]:
    known = set()
    for node in section["structure"]:
        number = node["id"].split(".")[1]
        known.add(f"SR 26-2 §{number}")
        known |= {f"SR 26-2 §{number} ({sub})" for sub in node.get("subsections", [])}
    return known


def pra_references(section: dict) -> set[str]:
    known = set()
    for principle in section["principles"]:
        known.add(principle["id"])
        known |= {f"Principle {sub['id']}" for sub in principle["sub_principles"]}
    return known


KNOWN: dict[str, Callable[[dict], set[str]]] = {
    "eu_ai_act": eu_references,
    "sr_11_7": sr_11_7_references,
    "sr_26_2": sr_26_2_references,
    "pra_ss1_23": pra_references,
    "nist_ai_rmf": _ids,
    "iso_42001": lambda section: _ids(section["annex_a"]),
}


def missing(sheet: dict) -> tuple[int, list[str]]:
    """How many references were checked, and one line per reference the sheet does not know."""
    checked, lines = 0, []
    for path in sorted(CATALOGS.glob("*.yaml")):
        catalog = yaml.safe_load(path.read_text(encoding="utf-8"))
        framework = catalog["framework"]
        if framework not in KNOWN or framework not in sheet:
            lines.append(f"{path.name}: framework {framework!r} is not in the fact sheet")
            continue
        known = KNOWN[framework](sheet[framework])
        for entry in catalog["entries"]:
            checked += 1
            if entry["reference"] not in known:
                lines.append(f"{path.name}: {entry['id']}: {entry['reference']!r} not found")
    return checked, lines


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT_SHEET
    sheet = yaml.safe_load(path.read_text(encoding="utf-8"))
    checked, lines = missing(sheet)
    for line in lines:
        print(line)
    if lines:
        print(f"{len(lines)} of {checked} references not found in {path}")
        return 1
    print(f"all {checked} references found in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
