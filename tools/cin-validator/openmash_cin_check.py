"""Check a Children in Need census file with DfE's validation rules (the csc-validator-be-cin package).

Run by the interpreter of the census-rules environment (.venv-cin, built by `make env`), never by the
application's: the package needs pandas 1.5 and numpy 1. It must not import openmash.

    openmash_cin_check.py FILE.xml --ruleset cin2024_25 [--loader one-pass|package] [--json OUT]
    openmash_cin_check.py FILE.xml --ruleset cin2024_25 --compare-loaders [--json OUT]

The rules are the package's own, run by its CinValidator over the tables its process_data prepares. Only
the loading differs. The package's loader (`--loader package`, cin_validator.convert_data) concatenates
one small DataFrame per child and block onto the growing tables, which takes quadratic time (minutes
for 5,000 children, twenty minutes or more for 50,000). The one-pass loader reads the file once with
ElementTree.iterparse, keeps plain lists per table and builds each DataFrame once at the end, reproducing
the package's tables exactly, quirks included:

- the same columns in the same order, every column of object dtype (ID columns hold Python ints), a
  RangeIndex once a table has been appended to and an empty object Index for a table never appended to;
- CINdetailsID counts the child's CINdetails blocks from 1, AssessmentID and CPPID count within their
  CINdetails block from 1;
- only the first CPPreviewDate of each Reviews block is read, and Reviews blocks without one are skipped;
- only the first Header and the first Children element under the root are read, and ChildProtectionPlans
  or Reviews directly under a Child are read too (after the child's CINdetails, numbered as the package
  numbers them);
- a missing element is pd.NA and an empty one None, and some of these then become NaN or None as the
  package's repeated pd.concat turns them, which depends on pandas' internal block layout: the loader
  learns each such effect from pandas itself (see _Table);
- a child without ChildCharacteristics stops the load, as it stops the package's.

The package's tables depend on string hashing (it orders some columns through a set); run with a fixed
PYTHONHASHSEED for reports that do not change from run to run (openmash.returns.dfe fixes it).

`--compare-loaders` runs both loaders and the rules after each and reports whether the tables (before and
after process_data, value by value and type by type) and the findings are identical.

Output (JSON, to --json or stdout): findings [{rule, kind, message, la_child_id, table, fields, values}],
counts, timings (load_seconds, rules_seconds), the rules that failed to run, and for --compare-loaders
the comparison.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import json
import math
import sys
import time
import warnings
import xml.etree.ElementTree as ET
from typing import Any

import pandas as pd
from cin_validator import cin_validator
from cin_validator.ingress import XMLtoCSV
from cin_validator.rule_engine import RuleType

TABLES = [
    "Header",
    "ChildIdentifiers",
    "ChildCharacteristics",
    "ChildProtectionPlans",
    "CINdetails",
    "CINplanDates",
    "Reviews",
    "Section47",
    "Assessments",
    "AssessmentFactorsList",
    "Disabilities",
]
ID_COLS = XMLtoCSV.id_cols


def _columns(table: str) -> list[str]:
    return list(getattr(XMLtoCSV, table).columns)


def _elements(table: str) -> list[str]:
    # The package's own order: a set difference, so it follows this process's string hashing; it decides
    # whether pandas reorders a block's columns, and so which columns pandas tests together for missing
    # values (see _units).
    return list(set(_columns(table)).difference(set(ID_COLS)))


# What pd.concat's handling of missing values depends on: the class of each value, not the value.
VALUE, LIST, NONE, NA, NAN, INT = "v", "l", "none", "na", "nan", "i"
_DUMMY = {VALUE: "x", NONE: None, NA: pd.NA, NAN: float("nan"), INT: 1}


def _class(value: Any) -> str:
    if value is None:
        return NONE
    if value is pd.NA:
        return NA
    if isinstance(value, float) and math.isnan(value):
        return NAN
    if isinstance(value, list):
        return LIST
    if isinstance(value, int):
        return INT
    return VALUE


def _dummy(cls: str) -> Any:
    return ["x"] if cls == LIST else _DUMMY[cls]


class _Table:
    """A table built as the package builds it, one appended block at a time, without its copying.

    The package grows each table by pd.concat([table, pd.DataFrame(block_rows)]), once per child (or
    CINdetails, plan, assessment). Besides appending, each such concat may turn missing values into None or
    NaN: in the appended block, and (while a column has held nothing but missing values) in the whole table
    so far. Which, depends on pandas' internal block layout and on the classes of the values (a string, a
    list, None, pd.NA, NaN) — not on the values themselves. So this table keeps the real values in lists,
    and learns each effect from pandas itself: a small stand-in table (its first row, and the first row of
    each class in each column, in the real table's block layout) is concatenated with a stand-in block of
    the same shape and classes, and the outcome is remembered for the next block of the same pattern.
    """

    def __init__(self, name: str, key_order: list[str]) -> None:
        self.name = name
        self.columns = _columns(name)
        self.key_order = key_order
        self.data: dict[str, list[Any]] = {column: [] for column in self.columns}
        self.rows = 0
        self.appended = False
        # a refill of the leading rows of a column: (rows, fill), the last one wins
        self.refill: dict[str, tuple[int, Any]] = {}
        template = getattr(XMLtoCSV, name)
        self.state = self._signature(template)
        self.stand_ins: dict[Any, pd.DataFrame] = {self.state: template}
        self.learnt: dict[Any, Any] = {}

    @staticmethod
    def _signature(frame: pd.DataFrame) -> Any:
        layout = tuple((tuple(block.mgr_locs.as_array), str(block.dtype)) for block in frame._mgr.blocks)
        classes = tuple(tuple(_class(v) for v in frame[column].tolist()) for column in frame.columns)
        return layout, classes

    def _learn(self, pattern: tuple[tuple[str, ...], ...]) -> Any:
        stand_in = self.stand_ins[self.state]
        before = len(stand_in)
        block = pd.DataFrame(
            [{column: _dummy(cls) for column, cls in zip(self.key_order, row, strict=True)} for row in pattern]
        )
        result = pd.concat([stand_in, block], ignore_index=True)
        position = {column: i for i, column in enumerate(self.key_order)}
        refills = {}
        for column in self.columns:
            old = [_class(v) for v in stand_in[column].tolist()]
            new = [_class(v) for v in result[column].tolist()]
            if old != new[:before]:
                refills[column] = None if new[0] == NONE else float("nan")
        changes = []
        for r, row in enumerate(pattern):
            for column in self.columns:
                cls = _class(result[column].iat[before + r])
                if cls != row[position[column]]:
                    changes.append((r, column, None if cls == NONE else float("nan")))
        keep = {0}
        for column in self.columns:
            seen: set[str] = set()
            for r, v in enumerate(result[column].tolist()):
                cls = _class(v)
                if cls not in seen:
                    seen.add(cls)
                    keep.add(r)
        smaller = result.take(sorted(keep)).reset_index(drop=True)
        state = self._signature(smaller)
        self.stand_ins.setdefault(state, smaller)
        return refills, changes, state

    def append(self, rows: list[dict[str, Any]]) -> None:
        """One pd.concat of the package: rows is the block it appends (possibly empty)."""
        self.appended = True
        if not rows:
            return  # pandas drops an empty frame before concatenating
        pattern = tuple(tuple(_class(row[column]) for column in self.key_order) for row in rows)
        key = (self.state, pattern)
        outcome = self.learnt.get(key)
        if outcome is None:
            outcome = self.learnt[key] = self._learn(pattern)
        refills, changes, self.state = outcome
        for column, fill in refills.items():
            self.refill[column] = (self.rows, fill)
        for column in self.columns:
            self.data[column].extend(row[column] for row in rows)
        for r, column, fill in changes:
            self.data[column][self.rows + r] = fill
        self.rows += len(rows)

    def frame(self) -> pd.DataFrame:
        if not self.appended:
            return getattr(XMLtoCSV, self.name).copy()
        for column, (upto, fill) in self.refill.items():
            self.data[column][:upto] = [fill] * upto
        index = pd.RangeIndex(self.rows)
        return pd.DataFrame(
            {column: pd.Series(values, dtype=object, index=index) for column, values in self.data.items()},
            columns=self.columns,
        )


def _text(block: Any, name: str) -> Any:
    # utils.get_values: the first such child's text (None when empty), pd.NA when it or the block is absent
    if block is None:
        return pd.NA
    element = block.find(name)
    return pd.NA if element is None else element.text


class OnePassLoader:
    """The package's tables from one pass over the file (see the module docstring)."""

    def __init__(self) -> None:
        el = {name: _elements(name) for name in TABLES}
        self.el = el
        self.tables = {
            "ChildIdentifiers": _Table("ChildIdentifiers", _columns("ChildIdentifiers")),
            "ChildCharacteristics": _Table("ChildCharacteristics", ["LAchildID", *el["ChildCharacteristics"]]),
            "Disabilities": _Table("Disabilities", ["LAchildID", *el["Disabilities"]]),
            "CINdetails": _Table("CINdetails", ["LAchildID", "CINdetailsID", *el["CINdetails"]]),
            "Assessments": _Table("Assessments", ["LAchildID", "CINdetailsID", "AssessmentID", *el["Assessments"]]),
            "AssessmentFactorsList": _Table(
                "AssessmentFactorsList",
                ["LAchildID", "CINdetailsID", "AssessmentID", *el["AssessmentFactorsList"]],
            ),
            "CINplanDates": _Table("CINplanDates", ["LAchildID", "CINdetailsID", *el["CINplanDates"]]),
            "Section47": _Table("Section47", ["LAchildID", "CINdetailsID", *el["Section47"]]),
            "ChildProtectionPlans": _Table(
                "ChildProtectionPlans", ["LAchildID", "CINdetailsID", "CPPID", *el["ChildProtectionPlans"]]
            ),
            "Reviews": _Table("Reviews", ["LAchildID", "CINdetailsID", "CPPID", *el["Reviews"]]),
        }
        self.header: pd.DataFrame | None = None

    def load(self, path: str) -> dict[str, pd.DataFrame]:
        depth = 0
        root = None
        header_seen = children_seen = False
        children_element = None
        # the package's parser (expat refuses entity expansion bombs; ElementTree resolves no external entities)
        for event, element in ET.iterparse(path, events=("start", "end")):  # noqa: S314
            if event == "start":
                depth += 1
                if depth == 1:
                    root = element
                elif depth == 2 and element.tag == "Children" and not children_seen:
                    children_seen = True
                    children_element = element
                continue
            depth -= 1
            if depth == 1 and element.tag == "Header" and not header_seen:
                header_seen = True
                self.header = self._header(element)
            elif depth == 2 and element.tag == "Child" and children_element is not None and element in children_element:
                self._child(element)
                children_element.remove(element)
        if root is None or self.header is None:
            raise ValueError("the file has no Header")
        if children_element is None:
            raise ValueError("the file has no Children")
        result = {"Header": self.header}
        for name in TABLES[1:]:
            result[name] = self.tables[name].frame()
        return result

    def _header(self, header: Any) -> pd.DataFrame:
        values: dict[str, Any] = {}
        details = header.find("CollectionDetails")
        for name in ["Collection", "Year", "ReferenceDate"]:
            values[name] = _text(details, name)
        source = header.find("Source")
        for name in ["SourceLevel", "LEA", "SoftwareCode", "Release", "SerialNo", "DateTime"]:
            values[name] = _text(source, name)
        return pd.DataFrame.from_dict([values])

    def _child(self, child: Any) -> None:
        t, el = self.tables, self.el
        identifiers = child.find("ChildIdentifiers")
        row = {name: _text(identifiers, name) for name in t["ChildIdentifiers"].columns}
        child_id = row["LAchildID"]
        t["ChildIdentifiers"].append([row])
        characteristics = child.find("ChildCharacteristics")
        row = {"LAchildID": child_id}
        for name in el["ChildCharacteristics"]:
            row[name] = _text(characteristics, name)
        t["ChildCharacteristics"].append([row])
        # As in the package, a child without ChildCharacteristics stops the load (AttributeError).
        disabilities = characteristics.find("Disabilities")
        if disabilities is not None:
            rows = []
            for disability in disabilities:
                row = {"LAchildID": child_id}
                for name in el["Disabilities"]:
                    row[name] = _text(disability, name)
                row["Disability"] = disability.text
                rows.append(row)
            t["Disabilities"].append(rows)

        details_rows = []
        details_id = 0
        for details in child.findall("CINdetails"):
            details_id += 1
            row = {"LAchildID": child_id, "CINdetailsID": details_id}
            for name in el["CINdetails"]:
                row[name] = _text(details, name)
            details_rows.append(row)
            self._assessments(details, child_id, details_id)
            for table, tag in (("CINplanDates", "CINPlanDates"), ("Section47", "Section47")):
                rows = []
                for block in details.findall(tag):
                    row = {"LAchildID": child_id, "CINdetailsID": details_id}
                    for name in el[table]:
                        row[name] = _text(block, name)
                    rows.append(row)
                t[table].append(rows)
            self._plans(details, child_id, details_id)
        t["CINdetails"].append(details_rows)
        # The package also looks for plans and reviews directly under the Child.
        plans = self._plans(child, child_id, details_id)
        self._reviews(child, child_id, details_id, plans)

    def _assessments(self, details: Any, child_id: Any, details_id: int) -> None:
        t, el = self.tables, self.el
        rows = []
        for assessment_id, assessment in enumerate(details.findall("Assessments"), start=1):
            row = {"LAchildID": child_id, "CINdetailsID": details_id, "AssessmentID": assessment_id}
            for name in el["Assessments"]:
                row[name] = _text(assessment, name)
            factors = assessment.find("FactorsIdentifiedAtAssessment")
            if factors is not None and len(factors) != 0:
                factor_rows = []
                for factor in factors:
                    factor_row = {"LAchildID": child_id, "CINdetailsID": details_id, "AssessmentID": assessment_id}
                    for name in el["AssessmentFactorsList"]:
                        factor_row[name] = _text(factor, name)
                    factor_row["AssessmentFactor"] = factor.text
                    factor_rows.append(factor_row)
                t["AssessmentFactorsList"].append(factor_rows)
                row["AssessmentFactors"] = [r["AssessmentFactor"] for r in factor_rows]
            rows.append(row)
        t["Assessments"].append(rows)

    def _plans(self, parent: Any, child_id: Any, details_id: int) -> int:
        rows = []
        plan_id = 0
        for plan in parent.findall("ChildProtectionPlans"):
            plan_id += 1
            row = {"LAchildID": child_id, "CINdetailsID": details_id, "CPPID": plan_id}
            for name in self.el["ChildProtectionPlans"]:
                row[name] = _text(plan, name)
            rows.append(row)
            self._reviews(plan, child_id, details_id, plan_id)
        self.tables["ChildProtectionPlans"].append(rows)
        return plan_id

    def _reviews(self, parent: Any, child_id: Any, details_id: int, plan_id: int) -> None:
        rows = []
        # Reviews[CPPreviewDate]: only blocks holding a date, and of those only the first date is read.
        for review in parent.findall("Reviews[CPPreviewDate]"):
            row = {"LAchildID": child_id, "CINdetailsID": details_id, "CPPID": plan_id}
            for name in self.el["Reviews"]:
                row[name] = _text(review, name)
            rows.append(row)
        self.tables["Reviews"].append(rows)


def package_load(path: str) -> dict[str, pd.DataFrame]:
    return cin_validator.convert_data(ET.parse(path).getroot())  # noqa: S314 - as its CLI reads


def load(path: str, loader: str) -> dict[str, pd.DataFrame]:
    if loader == "package":
        return package_load(path)
    return OnePassLoader().load(path)


def _registry(ruleset: str) -> Any:
    return importlib.import_module(f"cin_validator.rules.{ruleset}").registry


def _kind(registry: Any, code: str) -> str:
    rule = registry.get(str(code))
    if rule is not None:
        return "query" if rule.rule_type == RuleType.QUERY else "error"
    return "query" if str(code).endswith("Q") else "error"


def _plain(value: Any) -> str | None:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value)


LOCATORS = ["CINdetailsID", "AssessmentID", "CPPID"]


def validate(tables: dict[str, pd.DataFrame], ruleset: str) -> tuple[list[dict[str, Any]], list[str], float]:
    """The package's rules over process_data'd tables: findings, rules that failed to run, seconds."""
    registry = _registry(ruleset)
    started = time.perf_counter()
    printed = io.StringIO()
    # CinValidator prints (and skips) a rule that raises; keep stdout for the JSON and report them.
    with contextlib.redirect_stdout(printed), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        validator = cin_validator.CinValidator(tables, registry)
    seconds = time.perf_counter() - started
    failed = [line for line in printed.getvalue().splitlines() if line.startswith("Error with rule")]

    details = tables["CINdetails"]
    referral_dates: dict[Any, str | None] = {}
    for child, number, date in zip(
        details["LAchildID"], details["CINdetailsID"], details["CINreferralDate"], strict=True
    ):
        # Two children sharing an LAchildID (itself rule 8510) make the episode ambiguous: say nothing.
        key = (child, number)
        referral_dates[key] = None if key in referral_dates else _plain(date)
    # the locating columns of each table as lists: reading rows one by one through pandas is slow
    located: dict[str, dict[str, list[Any]] | None] = {}

    def columns_of(table: str) -> dict[str, list[Any]] | None:
        if table not in located:
            frame = tables.get(table)
            wanted = ["LAchildID", *LOCATORS]
            located[table] = None if frame is None else {c: frame[c].tolist() for c in wanted if c in frame.columns}
        return located[table]

    grouped: dict[tuple[str, str, str, int], dict[str, Any]] = {}
    report = validator.user_report
    if len(report):
        for row in report.itertuples(index=False):
            table = None if row.tables_affected in ("nan", "None") else row.tables_affected
            child = None if row.LAchildID in ("nan", "None", "<NA>") else row.LAchildID
            row_id = int(row.ROW_ID)
            key = (str(row.rule_code), child or "", table or "", row_id)
            finding = grouped.get(key)
            if finding is None:
                finding = grouped[key] = {
                    "rule": str(row.rule_code),
                    "kind": _kind(registry, row.rule_code),
                    "message": row.rule_description,
                    "la_child_id": child,
                    "table": table,
                    "row": row_id,
                    "fields": [],
                    "values": {},
                }
                source = columns_of(table) if table else None
                if source and "LAchildID" in source and 0 <= row_id < len(source["LAchildID"]):
                    for column in LOCATORS:
                        if column in source:
                            finding["values"][column] = _plain(source[column][row_id])
                    if "CINdetailsID" in source:
                        key = (source["LAchildID"][row_id], source["CINdetailsID"][row_id])
                        finding["values"]["CINreferralDate"] = referral_dates.get(key)
            finding["fields"].append(row.columns_affected)
            flagged = None if row.value_flagged in ("nan", "NaT", "<NA>", "None") else row.value_flagged
            finding["values"][row.columns_affected] = flagged
    findings = list(grouped.values())
    for finding in findings:
        finding["fields"] = sorted(set(finding["fields"]))
    # Return-level rules carry no location: one finding each.
    la_issues = validator.la_rule_issues
    if len(la_issues):
        for row in la_issues.drop_duplicates().itertuples(index=False):
            findings.append(
                {
                    "rule": str(row.rule_code),
                    "kind": _kind(registry, row.rule_code),
                    "message": row.rule_description,
                    "la_child_id": None,
                    "table": None,
                    "row": None,
                    "fields": [],
                    "values": {},
                }
            )
    findings.sort(
        key=lambda f: (f["rule"], f["la_child_id"] or "", f["table"] or "", -1 if f["row"] is None else f["row"])
    )
    return findings, failed, seconds


Tables = dict[str, pd.DataFrame]


def run(path: str, ruleset: str, loader: str) -> tuple[dict[str, Any], Tables, Tables]:
    started = time.perf_counter()
    failure = None
    findings: list[dict[str, Any]] = []
    failed: list[str] = []
    rules_seconds = 0.0
    raw: dict[str, pd.DataFrame] = {}
    tables: dict[str, pd.DataFrame] = {}
    try:
        raw = load(path, loader)
    except Exception as error:  # as the package's own loader fails on it (e.g. a Child without ChildCharacteristics)
        failure = f"the file could not be read: {type(error).__name__}: {error}"
    if failure is None:
        raw_copy = {name: table.copy(deep=True) for name, table in raw.items()}
        tables = cin_validator.process_data(raw)
        raw = raw_copy
    load_seconds = time.perf_counter() - started
    if failure is None:
        try:
            findings, failed, rules_seconds = validate(tables, ruleset)
        except Exception as error:  # the package's validator itself gave up on this file
            failure = f"the rules could not be run: {type(error).__name__}: {error}"
    result = {
        "file": path,
        "ruleset": ruleset,
        "loader": loader,
        "findings": findings,
        "counts": {
            "findings": len(findings),
            "errors": sum(f["kind"] == "error" for f in findings),
            "queries": sum(f["kind"] == "query" for f in findings),
            "children": len(tables["ChildIdentifiers"]) if tables else 0,
        },
        "rules_failed_to_run": failed,
        "failure": failure,
        "timings": {"load_seconds": round(load_seconds, 3), "rules_seconds": round(rules_seconds, 3)},
    }
    return result, raw, tables


def _same_tables(left: dict[str, pd.DataFrame], right: dict[str, pd.DataFrame]) -> list[str]:
    """Where two sets of tables differ: frame equality, then the type of every value (pd.NA, NaN, None...)."""
    differences = []
    for name in TABLES:
        a, b = left[name], right[name]
        try:
            pd.testing.assert_frame_equal(a, b, check_exact=True)
        except AssertionError as error:
            differences.append(f"{name}: {str(error).splitlines()[0:3]}")
            continue
        if not a.index.equals(b.index) or type(a.index) is not type(b.index):
            differences.append(f"{name}: index {type(a.index).__name__} != {type(b.index).__name__}")
        for column in a.columns:
            types_a = [type(v).__name__ for v in a[column].tolist()]
            types_b = [type(v).__name__ for v in b[column].tolist()]
            if types_a != types_b:
                at = next(i for i, (x, y) in enumerate(zip(types_a, types_b, strict=True)) if x != y)
                differences.append(f"{name}.{column}: row {at} {types_a[at]} != {types_b[at]}")
    return differences


def compare(path: str, ruleset: str) -> dict[str, Any]:
    one_pass, raw_one, tables_one = run(path, ruleset, "one-pass")
    package, raw_package, tables_package = run(path, ruleset, "package")
    if raw_one and raw_package:
        raw_differences = _same_tables(raw_one, raw_package)
        processed_differences = _same_tables(tables_one, tables_package)
    else:
        # Neither or only one loader read the file: identical only if both failed the same way.
        same = not raw_one and not raw_package and one_pass["failure"] == package["failure"]
        raw_differences, processed_differences = ([] if same else ["only one loader read the file"]), []
    return {
        **one_pass,
        "comparison": {
            "tables_identical": not raw_differences and not processed_differences,
            "findings_identical": one_pass["findings"] == package["findings"]
            and one_pass["rules_failed_to_run"] == package["rules_failed_to_run"]
            and one_pass["failure"] == package["failure"],
            "table_differences": raw_differences + processed_differences,
            "package_timings": package["timings"],
            "package_counts": package["counts"],
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--ruleset", required=True, help="e.g. cin2024_25")
    parser.add_argument("--loader", choices=["one-pass", "package"], default="one-pass")
    parser.add_argument("--compare-loaders", action="store_true")
    parser.add_argument("--json", help="write the result here instead of stdout")
    args = parser.parse_args(argv)
    try:
        _registry(args.ruleset)
    except ModuleNotFoundError:
        print(f"unknown ruleset {args.ruleset!r}", file=sys.stderr)
        return 2
    result = compare(args.file, args.ruleset) if args.compare_loaders else run(args.file, args.ruleset, args.loader)[0]
    text = json.dumps(result, indent=1, default=str)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            out.write(text)
    else:
        print(text)
    return 3 if result["failure"] else 0


if __name__ == "__main__":
    sys.exit(main())
