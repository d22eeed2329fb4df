"""Catalog, areas and seed parameter loaders: contract codes, validation with path:line."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from ioc.areas import load_areas
from ioc.catalog import DOMAINS, load_catalog
from ioc.errors import DataFileError
from settings.defaults import REPO_ROOT

CONTRACT_CODES = [
    "grdp_growth",
    "budget_revenue",
    "export_value",
    "cpi",
    "fdi_registered",
    "retail_sales",
    "new_businesses",
    "health_insurance_coverage",
    "hospital_bed_occupancy",
    "dengue_cases",
    "students_enrolled",
    "high_school_graduation_rate",
    "aqi",
    "tourist_arrivals",
    "tourism_revenue",
    "dossiers_received",
    "dossiers_on_time_rate",
    "dossiers_overdue",
    "online_dossier_rate",
    "traffic_accidents",
    "traffic_deaths",
    "criminal_cases",
    "citizen_reports_received",
    "citizen_reports_resolved_rate",
    "hotline_113_calls",
    "hotline_114_calls",
    "hotline_115_calls",
]
DATA = REPO_ROOT / "data"


def test_catalog_has_every_contract_code_with_a_known_domain() -> None:
    catalog = load_catalog(DATA / "ioc" / "catalog.yml")
    assert set(CONTRACT_CODES) <= set(catalog.indicators)
    assert len(catalog) > len(CONTRACT_CODES)  # extra indicators a real IOC shows
    assert {i.domain for i in catalog} <= set(DOMAINS)
    assert {i.audience for i in catalog} == {"public", "staff"}


def test_areas_have_province_and_eight_districts() -> None:
    areas = load_areas(DATA / "ioc" / "areas.yml")
    assert areas.root.code == "brvt"
    assert areas.root.level == "province"
    districts = areas.children("brvt")
    assert len(districts) == 8
    assert {a.level for a in districts} == {"district"}


@pytest.mark.parametrize(
    "path",
    [
        *sorted((DATA / "ioc").glob("*.yml")),
        DATA / "messages" / "indicators.yml",
        DATA / "eval" / "indicators.yml",
    ],
    ids=lambda p: p.name,
)
def test_data_files_are_nfc(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", text)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "catalog.yml"
    path.write_text(text, encoding="utf-8")
    return path


ENTRY = """indicators:
  - code: ok
    name: Được
    aliases: [được]
    domain: y_te
    unit: ca
    periodicity: month
    aggregation: sum
    agency: Sở Y tế
  - code: bad
    name: Sai
    aliases: [sai]
    domain: y_te
    unit: ca
    periodicity: month
    aggregation: {aggregation}
    agency: Sở Y tế
"""


def test_bad_aggregation_names_path_line_and_choices(tmp_path: Path) -> None:
    path = _write(tmp_path, ENTRY.format(aggregation="median"))
    with pytest.raises(DataFileError, match=rf"{path}:10: indicator 'bad': aggregation 'median'"):
        load_catalog(path)


def test_duplicate_code_and_missing_fields_are_reported(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match=r":10: duplicate indicator code 'ok'"):
        load_catalog(
            _write(tmp_path, ENTRY.format(aggregation="sum").replace("code: bad", "code: ok"))
        )
    with pytest.raises(DataFileError, match=r":2: indicator 'ok' lacks agency"):
        load_catalog(
            _write(
                tmp_path,
                ENTRY.format(aggregation="sum").replace(
                    "    agency: Sở Y tế\n  - code: bad", "  - code: bad", 1
                ),
            )
        )


def test_invalid_yaml_reports_line(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match=r"catalog.yml:3: invalid YAML"):
        load_catalog(_write(tmp_path, "indicators:\n  - code: a\n  - [unclosed\n"))


def test_area_with_unknown_parent_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "areas.yml"
    path.write_text(
        "areas:\n  - {code: p, name: P, level: province}\n"
        "  - {code: c, name: C, level: commune, parent: nowhere}\n",
        encoding="utf-8",
    )
    with pytest.raises(DataFileError, match=r"areas.yml:3: area 'c' parent 'nowhere'"):
        load_areas(path)
