"""Census files for the DfE rules' tests and benchmark: a generated borough's, and bigger ones grown from it.

tests/performance/cin_xml.py writes journey events as a census file but leaves out what the events do not
hold; DfE's loader cannot read a Child without ChildCharacteristics, so `borough_census` adds them (and a
sex, a date of birth and the header's source), made up but steady for a seed. `grow` streams a file's
children again and again under new LAchildIDs until it holds as many as asked.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from lxml import etree

from openmash.demo.generator import Options, build_borough
from tests.performance.cin_xml import census_xml

ETHNICITIES = ["WBRI", "WOTH", "MWBC", "AIND", "APKN", "BAFR", "BCRB", "CHNE", "OOTH", "NOBT"]
DISABILITIES = ["AUT", "LD", "COMM", "BEH", "HEAR", "MOB"]


def borough_census(reference_date: dt.date, *, seed: int = 1, size: str = "small") -> bytes:
    """The generated borough's referred children as a census file for the year ending `reference_date`."""
    borough = build_borough(Options(size=size, seed=seed, as_of=reference_date + dt.timedelta(days=90)))
    root = etree.fromstring(census_xml(borough.events(), reference_date))
    source = etree.SubElement(root.find("Header"), "Source")
    for tag, text in (("SourceLevel", "L"), ("LEA", "999"), ("SoftwareCode", "OpenMASH"), ("Release", "1")):
        etree.SubElement(source, tag).text = text
    chosen = random.Random(seed)
    for child in root.iter("Child"):
        identifiers = child.find("ChildIdentifiers")
        referred = min(dt.date.fromisoformat(d.text) for d in child.iter("CINreferralDate"))
        born = referred - dt.timedelta(days=chosen.randint(30, 17 * 365))
        etree.SubElement(identifiers, "UPNunknown").text = "UN4"
        etree.SubElement(identifiers, "PersonBirthDate").text = born.isoformat()
        etree.SubElement(identifiers, "Sex").text = chosen.choice("MF")
        characteristics = etree.Element("ChildCharacteristics")
        identifiers.addnext(characteristics)
        etree.SubElement(characteristics, "Ethnicity").text = chosen.choice(ETHNICITIES)
        disabilities = etree.SubElement(characteristics, "Disabilities")
        codes = chosen.sample(DISABILITIES, k=chosen.choice([0, 0, 0, 1, 2])) or ["NONE"]
        for code in codes:
            etree.SubElement(disabilities, "Disability").text = code
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def grow(source: Path, out: Path, children: int) -> int:
    """Write `out` with the header of `source` and its children repeated, renamed, up to `children`."""
    root = etree.parse(str(source)).getroot()
    blocks = root.find("Children").findall("Child")
    header = etree.tostring(root.find("Header"), encoding="unicode")
    written = 0
    with out.open("w", encoding="utf-8") as file:
        file.write(f'<?xml version="1.0" encoding="utf-8"?>\n<Message>\n{header}<Children>\n')
        while written < children:
            for child in blocks:
                if written == children:
                    break
                child.find("ChildIdentifiers/LAchildID").text = f"G{written:07d}"
                file.write(etree.tostring(child, encoding="unicode"))
                written += 1
        file.write("</Children>\n</Message>\n")
    return written
