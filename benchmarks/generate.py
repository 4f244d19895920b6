"""Synthetic ledgers for benchmarks: regions, towns, catalogues, powers, 24 months of case counts and
the other strands in proportion, written with COPY on PostgreSQL (large bulk_create batches elsewhere).

Period history: some powers are taken over within the last 24 months, and each county issues a second
catalogue edition a year ago that withdraws some powers and delegates new ones, so a month's figures
differ from the next and a 24-month backfill has real work. Call-and-respond (responsibility lists,
time limits, calls and their steps) comes from ``benchmarks.generate_calls``.

Rows get explicit ids (from the table's current maximum) so that children can point at parents without
reading them back; sequences are reset afterwards. Generated rows are marked ``is_generated`` and have
no history rows.
"""

import csv
import datetime as dt
import io
import random
from dataclasses import dataclass

from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from benchmarks.generate_calls import DEPARTMENT_NAMES, CountyCalls
from delegation.models import DelegatedPower, DelegationCatalogue, Department, MonthlyCaseCount, PowerItem
from finance.models import FiscalArrangement, FiscalYearRecord
from reforms.models import (
    AssessmentScheme,
    AssessmentScore,
    PilotProgramme,
    ProgrammeMembership,
    ReformPlan,
    ReformTask,
    Region,
    Town,
    TownAnnualAssessment,
)
from staffing.models import FilledPosts, HeadcountQuota, Secondment, StaffingPolicy


@dataclass(frozen=True)
class Scale:
    provinces: int
    cities_per_province: int
    counties_per_city: int
    towns_per_county: int
    powers_per_town: int = 300


SCALES = {
    "tiny": Scale(1, 1, 2, 3, 40),
    "county": Scale(1, 1, 1, 20),
    "province": Scale(1, 17, 10, 12),  # 2,040 towns
    "nation": Scale(31, 12, 10, 10),  # 37,200 towns × 300 = 11.2 M delegated powers
}
# Share of each power type in a generated catalogue (licences and penalties dominate, as in the documents).
TYPE_MIX = [("01", 0.28), ("02", 0.55), ("06", 0.06), ("07", 0.04), ("05", 0.03), ("10", 0.04)]
MODES = ["direct", "entrusted", "service_forward"]
LEDGER = {"version": 1, "is_generated": True}
# Period history: the share of taken-over powers taken over within the last 24 months, and the share of
# penalty items (the largest type) that the second edition withdraws and adds.
RECENT_TAKE_OVER = 0.3
EDITION_TURNOVER = 0.05


class Writer:
    """Appends rows to one table at a time, COPY on PostgreSQL, bulk_create elsewhere."""

    def __init__(self, model):
        self.model = model
        self.next_id = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        self.rows = []
        self.written = 0

    def add(self, **values):
        pk = self.next_id
        self.next_id += 1
        self.rows.append({"id": pk, **values})
        if len(self.rows) >= 200_000:
            self.flush()
        return pk

    def flush(self):
        if not self.rows:
            return
        if connection.vendor == "postgresql":
            self._copy()
        else:
            self.model.objects.bulk_create([self.model(**r) for r in self.rows], batch_size=5_000)
        self.written += len(self.rows)
        self.rows = []

    def _copy(self):
        now = timezone.now().isoformat()
        columns = list(self.rows[0])
        stamped = hasattr(self.model, "created_at")
        buffer = io.StringIO()
        out = csv.writer(buffer)
        for row in self.rows:
            values = ["\\N" if v is None else v for v in row.values()]
            out.writerow([*values, now, now] if stamped else values)
        buffer.seek(0)
        names = [self.model._meta.get_field(c).column if c != "id" else "id" for c in columns]
        names += ["created_at", "updated_at"] if stamped else []
        table = connection.ops.quote_name(self.model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.copy_expert(f"COPY {table} ({', '.join(names)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer)


def _month(today, back):
    index = today.year * 12 + today.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


class Generator:
    def __init__(self, scale, seed=2026, today=None, towns=None):
        self.scale = scale
        # An optional cap on the number of towns: a scale's code path exercised on a small sample.
        self.towns_left = towns
        self.rng = random.Random(seed)  # noqa: S311 (synthetic data, not secrets)
        self.today = today or timezone.localdate()
        # Calls are timed against this moment: the latest are still open, some past their limits.
        self.now = timezone.now() if today is None else timezone.make_aware(dt.datetime.combine(today, dt.time(9)))
        self.w = {}

    def writer(self, model):
        if model not in self.w:
            self.w[model] = Writer(model)
        return self.w[model]

    def run(self, progress=None):
        base = Region.objects.filter(level="province").count()
        for p in range(self.scale.provinces):
            if self.towns_left is not None and self.towns_left <= 0:
                break
            # One transaction per province: a nation-scale load (an hour) keeps what it has written if
            # it is stopped, and no transaction grows to tens of millions of rows.
            with transaction.atomic():
                self.province(base + p)
                for writer in self.w.values():
                    writer.flush()
            if progress:
                progress(p + 1, self.scale.provinces)
        self._reset_sequences()
        return {model.__name__: writer.written for model, writer in self.w.items()}

    def _reset_sequences(self):
        if connection.vendor != "postgresql":
            return
        out = io.StringIO()
        labels = {m._meta.app_label for m in self.w}
        for label in sorted(labels):
            call_command("sqlsequencereset", label, stdout=out, no_color=True)
        with connection.cursor() as cursor:
            if out.getvalue().strip():
                cursor.execute(out.getvalue())
            # Fresh planner statistics: without them the first recomputes pick poor plans.
            cursor.execute("ANALYZE")

    def province(self, p):
        code = f"{80 - p:02d}0000" if p < 70 else f"{p:02d}0000"
        prov = self.writer(Region).add(code=code, name=f"生成省{p}", level="province", parent_id=None)
        scheme = self.writer(AssessmentScheme).add(
            region_id=prov,
            name=f"生成省{p}派驻机构考核",
            subject="dispatched_agency",
            county_weight=40,
            town_weight=60,
            min_town_weight=60,
            valid_from=dt.date(2020, 1, 1),
            valid_until=None,
            document_id=None,
            **LEDGER,
        )
        for c in range(self.scale.cities_per_province):
            city_code = f"{code[:2]}{c + 1:02d}00"
            city = self.writer(Region).add(code=city_code, name=f"生成市{p}-{c}", level="city", parent_id=prov)
            programme = self.writer(PilotProgramme).add(
                name=f"生成试点{city_code}",
                region_id=city,
                document_id=None,
                started_on=dt.date(2019, 1, 1),
                **LEDGER,
            )
            for k in range(self.scale.counties_per_city):
                if self.towns_left is not None and self.towns_left <= 0:
                    return
                self.county(f"{city_code[:4]}{k + 1:02d}", city, scheme, programme)

    def county(self, code, city, scheme, programme):
        county = self.writer(Region).add(code=code, name=f"生成县{code}", level="county", parent_id=city)
        departments = [self.writer(Department).add(county_id=county, name=name, **LEDGER) for name in DEPARTMENT_NAMES]
        counts = {t: round(share * self.scale.powers_per_town) for t, share in TYPE_MIX}
        counts["01"] += self.scale.powers_per_town - sum(counts.values())
        items = [
            (self.item(f"{code}-{type_code}-{i}", type_code, departments[i % 10], county), type_code)
            for type_code, n in counts.items()
            for i in range(n)
        ]
        catalogue = self.catalogue(county, code, counts, 1, dt.date(2019, 1, 1))
        # The second edition, a year ago: the same counts, some penalty items swapped for new ones.
        turnover = max(1, round(EDITION_TURNOVER * counts["02"]))
        issued = _month(self.today, 12).replace(day=15)
        second = self.catalogue(county, code, counts, 2, issued)
        withdrawn = {item for item, type_code in items if type_code == "02"}
        withdrawn = set(sorted(withdrawn)[:turnover])
        added = [self.item(f"{code}-02-new-{i}", "02", departments[i % 10], county) for i in range(turnover)]
        edition = {"catalogue": second, "issued": issued, "withdrawn": withdrawn, "added": added}
        calls = CountyCalls(self, county, code, departments)
        for t in range(self.scale.towns_per_county):
            if self.towns_left is not None:
                if self.towns_left <= 0:
                    return
                self.towns_left -= 1
            town = self.town(f"{code}{101 + t:03d}000", county, items, catalogue, edition, scheme, programme)
            calls.town(town)

    def item(self, name, type_code, department, county):
        return self.writer(PowerItem).add(
            name=name, type_code=type_code, local_code="", implementation_code="", source="2", legal_basis="",
            source_department_id=department, county_id=county, **LEDGER,
        )  # fmt: skip

    def catalogue(self, county, code, counts, edition, issued_on):
        fields = {"01": "count_licence", "02": "count_penalty", "06": "count_inspection"}
        fields |= {"07": "count_confirmation", "05": "count_payment", "10": "count_other"}
        declared = dict.fromkeys(("count_coercion", "count_levy", "count_reward", "count_ruling"), 0)
        declared |= {"count_public_service": 0} | {fields[t]: n for t, n in counts.items()}
        return self.writer(DelegationCatalogue).add(
            county_id=county, town_id=None, title=f"{code}放权目录(第{edition}版)", document_id=None,
            issued_on=issued_on, edition=edition, declared_total=self.scale.powers_per_town, **declared, **LEDGER,
        )  # fmt: skip

    def town(self, code, county, items, catalogue, edition, scheme, programme):
        town = self.writer(Town).add(
            code=code, name=f"生成镇{code[6:9]}", county_id=county, category="other", population=None, area_km2=None,
            **LEDGER,
        )  # fmt: skip
        self.writer(ProgrammeMembership).add(
            programme_id=programme, town_id=town, joined_on=dt.date(2019, 1, 1), left_on=None, status="active",
            **LEDGER,
        )  # fmt: skip
        for item, _type in items:
            withdrawn = edition if item in edition["withdrawn"] else None
            self.power(town, item, catalogue, dt.date(2019, 3, 1), withdrawn)
        for item in edition["added"]:
            self.power(town, item, edition["catalogue"], edition["issued"], None)
        self.strands(town, scheme)
        return town

    def power(self, town, item, catalogue, delegated_on, withdrawn):
        """One delegated power and its monthly case counts from its take-over until its withdrawal."""
        rng = self.rng
        taken = rng.random() > 0.167
        take_over_on = None
        if taken:
            take_over_on = dt.date(2019, 6, 1)
            if delegated_on > take_over_on or rng.random() < RECENT_TAKE_OVER:
                # Taken over some time in the last 24 months (never before delegation, never in the future).
                month = _month(self.today, rng.randrange(24))
                take_over_on = min(max(month.replace(day=1 + rng.randrange(28)), delegated_on), self.today)
                if withdrawn and take_over_on >= withdrawn["issued"]:
                    take_over_on = dt.date(2019, 6, 1)
        pk = self.writer(DelegatedPower).add(
            town_id=town,
            catalogue_id=catalogue,
            item_id=item,
            mode=MODES[rng.randrange(3)],
            receiving_organ_id=None,
            delegated_on=delegated_on,
            take_over_status="taken_over" if taken else "not_taken_over",
            take_over_on=take_over_on,
            not_taken_over_cause="" if taken else "no_trained_staff",
            not_taken_over_reason="" if taken else "缺少专业人员",
            withdrawn_on=withdrawn["issued"] if withdrawn else None,
            withdrawal_reason="新版目录未列入" if withdrawn else "",
            withdrawn_in_id=withdrawn["catalogue"] if withdrawn else None,
            **LEDGER,
        )
        # Case counts only in the months the power was taken over and not yet withdrawn.
        first = take_over_on.replace(day=1) if taken else None
        end = withdrawn["issued"] if withdrawn else dt.date.max
        cases = self.writer(MonthlyCaseCount)
        if taken and rng.random() < 0.54:
            for back in range(24):
                month = _month(self.today, back)
                n = rng.randrange(1, 30)
                if first <= month < end:
                    cases.add(power_id=pk, month=month, handled_by="town", accepted=n, closed=n, **LEDGER)
        elif taken and rng.random() < 0.1:
            for back in range(12):
                month = _month(self.today, back)
                n = rng.randrange(1, 10)
                if first <= month < end:
                    cases.add(power_id=pk, month=month, handled_by="county_department", accepted=n, closed=n, **LEDGER)

    def strands(self, town, scheme):
        rng, year = self.rng, self.today.year
        for post_type, approved in (("administrative", 40), ("institutional", 60), ("leadership", 10)):
            self.writer(HeadcountQuota).add(
                town_id=town, post_type=post_type, approved=approved, effective_on=dt.date(2019, 6, 1),
                document_id=None, **LEDGER,
            )  # fmt: skip
            self.writer(FilledPosts).add(
                town_id=town, post_type=post_type, filled=approved + rng.randrange(-5, 2),
                as_of=dt.date(year - 1, 12, 31), **LEDGER,
            )  # fmt: skip
        self.writer(StaffingPolicy).add(
            town_id=town, effective_on=dt.date(2019, 4, 1), excellent_share_percent=20, max_secondment_months=6,
            min_service_years_for_secondment=2, document_id=None, **LEDGER,
        )  # fmt: skip
        for s in range(2):
            start = dt.date(year - 1, 1 + s * 5, 1)
            self.writer(Secondment).add(
                town_id=town, staff_reference=f"S{town}-{s}", borrowing_unit="县直部门",
                joined_town_on=dt.date(2015 + rng.randrange(10), 1, 1), starts_on=start,
                ends_on=start + dt.timedelta(days=rng.choice((120, 240))), under_service_agreement=False, **LEDGER,
            )  # fmt: skip
        plan = self.writer(ReformPlan).add(
            town_id=town, document_id=None, title="改革方案", adopted_on=dt.date(2019, 4, 1), **LEDGER
        )
        for t in range(10):
            done = rng.random() < 0.7
            self.writer(ReformTask).add(
                plan_id=plan, title=f"任务{t}", lead_unit="县委编办", cooperating_units="",
                deadline=dt.date(year - 1, 1 + t, 1), status="done" if done else "in_progress",
                completed_on=dt.date(year - 1, 1 + t, 1) if done else None, **LEDGER,
            )  # fmt: skip
        for kind in ("industry_fund", "working_fund"):
            arrangement = self.writer(FiscalArrangement).add(
                town_id=town, kind=kind, title=kind, unit="yuan", base_rule="", base_year=None, base_amount=None,
                share_percent=None, promised_per_year=3_000_000, from_year=year - 3, until_year=None, document_id=None,
                notes="", **LEDGER,
            )  # fmt: skip
            for y in range(year - 3, year):
                self.writer(FiscalYearRecord).add(
                    arrangement_id=arrangement, year=y, actual_revenue=None, amount_due=3_000_000, promised=3_000_000,
                    paid=rng.choice((0, 1_500_000, 3_000_000)), due_on=dt.date(y, 12, 31), paid_on=None, **LEDGER,
                )  # fmt: skip
        for y in (year - 2, year - 1):
            self.writer(AssessmentScore).add(
                scheme_id=scheme, town_id=town, assessed_unit="派驻所", year=y, county_score=rng.randrange(60, 100),
                town_score=rng.randrange(60, 100), **LEDGER,
            )  # fmt: skip
            grade = "fail" if rng.random() < 0.05 else "good"
            self.writer(TownAnnualAssessment).add(
                town_id=town, year=y, score=None, grade=grade, rank_in_county=None, **LEDGER
            )


def generate(scale_name, *, seed=2026, today=None, towns=None, progress=None):
    """Generate one scale's data (at most ``towns`` towns if given); returns {model name: rows written}.

    ``progress(done, total)`` is called after each province is committed.
    """
    return Generator(SCALES[scale_name], seed=seed, today=today, towns=towns).run(progress)
