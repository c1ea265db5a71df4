"""Working-day deadlines with the shipped Indonesian holiday calendar of the demo tenant (Asia/Makassar)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from service.errors import Invalid
from service.tenant import Tenant

DEMO = Path(__file__).resolve().parents[2] / "pipeline" / "tenants" / "selayar"
WITA = ZoneInfo("Asia/Makassar")


@pytest.fixture(scope="module")
def tenant() -> Tenant:
    return Tenant.load(DEMO)


def test_friday_complaint_is_due_for_verification_on_wednesday(tenant):
    submitted = datetime(2026, 11, 27, 10, 0, tzinfo=WITA)  # Friday
    due = tenant.due("verification", submitted)
    assert due.astimezone(WITA).date() == date(2026, 12, 2)  # Mon 30 Nov, Tue 1 Dec, Wed 2 Dec
    assert due.astimezone(WITA).strftime("%H:%M:%S") == "23:59:59" and due.tzinfo is not None
    assert tenant.working_days("verification") == 3 and tenant.time_zone == "Asia/Makassar"
    assert tenant.calendar.is_working_day(date(2026, 12, 1))


def test_holidays_and_cuti_bersama_are_not_working_days(tenant):
    cal = tenant.calendar
    assert not cal.is_working_day(date(2026, 12, 24)) and not cal.is_working_day(date(2026, 12, 25))  # cuti, Natal
    # Wed 23 Dec 2026 + 3 working days: Thu 24 and Fri 25 are off, weekend, so Mon 28, Tue 29, Wed 30
    assert cal.add_working_days(date(2026, 12, 23), 3) == date(2026, 12, 30)
    # Idul Fitri 2026 with its cuti bersama: 20-24 March off
    assert cal.add_working_days(date(2026, 3, 19), 1) == date(2026, 3, 25)


def test_the_local_day_decides_not_utc(tenant):
    late = datetime(2026, 11, 26, 17, 30, tzinfo=timezone.utc)  # already Friday 27 Nov 01:30 WITA
    assert tenant.due("verification", late).astimezone(WITA).date() == date(2026, 12, 2)


def test_per_unit_and_category_deadlines_are_tenant_data(tenant, tmp_path):
    assert tenant.working_days("follow_up") == 5
    assert tenant.working_days("follow_up", unit="Badan Penanggulangan Bencana Daerah") == 2
    assert tenant.working_days("follow_up", category="Permintaan Informasi") == 10
    (tmp_path / "tenant.json").write_text('{"name": "Uji", "time_zone": "Asia/Jakarta"}')
    (tmp_path / "deadlines.csv").write_text("stage,unit,category,working_days\nverification,,,1\n")
    (tmp_path / "holidays.csv").write_text("date,name,kind,status\n2026-11-30,Libur daerah,libur_daerah,resmi\n")
    other = Tenant.load(tmp_path)
    assert other.working_days("verification") == 1
    assert other.due("verification", datetime(2026, 11, 27, 10, tzinfo=ZoneInfo("Asia/Jakarta"))).astimezone(
        ZoneInfo("Asia/Jakarta")).date() == date(2026, 12, 1)


def test_bad_tenant_data_names_the_file_row_and_column(tmp_path):
    (tmp_path / "holidays.csv").write_text("date,name\n2026-13-01,salah\n")
    with pytest.raises(ValueError, match=r"holidays.csv: row 2, column 'date'"):
        Tenant.load(tmp_path)


def test_units_include_area_offices_and_forward_destinations(tenant):
    assert {"Dinas Sosial", "Kecamatan Benteng", "Kelurahan Benteng", "Inspektorat Daerah",
            "PT PLN (Persero) ULP Selayar"} <= tenant.units
    with pytest.raises(Invalid) as err:
        tenant.check_unit("Dinas Fiktif")
    assert err.value.code == "unknown_unit" and err.value.loc == ["body", "opd"]
