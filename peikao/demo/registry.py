"""The registry part of the demo province: organisations, persons and rosters of 福建省."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections import Counter

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher
from django.test.utils import override_settings

from peikao.accounts.services import user_create
from peikao.core import synthetic
from peikao.core.choices import RegionLevel, Role
from peikao.core.exchange import get_kind
from peikao.core.exchange.runner import run_import
from peikao.core.models import Region, User
from peikao.core.validators import gbt2260_codes
from peikao.demo.steps import DEMO_PASSWORD, DemoContext, imported, step
from peikao.registry.models import OperationItem, Organization, Person
from peikao.registry.services import organization_suspend

# Special-operations items worked in each industry (codes of domain/operation_items.yaml).
INDUSTRY_ITEMS = {
    "hazardous_chemicals": ["9.3", "9.4", "9.5", "9.10", "9.14", "9.16", "1.2", "2.1"],
    "non_coal_mine": ["6.1", "6.3", "6.4", "6.6", "6.8", "1.2"],
    "coal_mine": ["5.1", "5.2", "5.4", "5.6"],
    "metal_smelting": ["8.1", "1.1", "1.2", "2.1"],
    "fireworks": ["10.1", "10.4", "10.5"],
    "construction": ["3.1", "3.2", "2.1", "1.2"],
    "industry_trade": ["1.2", "2.1", "4.1", "4.2", "1.1"],
    "transport": ["1.2", "4.1"],
    "general": ["1.2", "4.1", "3.2"],
    "oil_gas": ["7.1", "1.2"],
}
INDUSTRY_WEIGHTS = {
    "hazardous_chemicals": 14,
    "non_coal_mine": 8,
    "coal_mine": 2,
    "metal_smelting": 6,
    "fireworks": 5,
    "construction": 20,
    "industry_trade": 25,
    "transport": 8,
    "general": 15,
    "oil_gas": 1,
}
INDUSTRY_NAMES = {
    "hazardous_chemicals": ["化工有限公司", "石化股份有限公司", "精细化工有限公司"],
    "non_coal_mine": ["矿业有限公司", "石材开采有限公司"],
    "coal_mine": ["煤业有限公司"],
    "metal_smelting": ["钢铁有限公司", "铝业有限公司", "冶金有限公司"],
    "fireworks": ["烟花爆竹有限公司", "花炮厂"],
    "construction": ["建设工程有限公司", "建筑工程有限公司", "路桥工程有限公司"],
    "industry_trade": ["机械制造有限公司", "纺织有限公司", "食品有限公司", "鞋业有限公司", "建材有限公司"],
    "transport": ["运输有限公司", "物流有限公司"],
    "general": ["商贸有限公司", "物业管理有限公司", "酒店管理有限公司"],
    "oil_gas": ["油气储运有限公司"],
}
PLACE_WORDS = "闽榕鹭泉莆漳龙岩宁三明南平海峡东南鑫源恒泰华兴永安嘉禾盛达宏远联创"
# the trades of the labour-dispatch companies, one each before any name repeats with a number
DISPATCH_TRADES = (
    "人力资源服务有限公司",
    "劳务派遣有限公司",
    "人才服务有限公司",
    "劳务服务有限公司",
    "企业服务有限公司",
)
# Exam points: (county, name, items, device); the first four under the provincial exam centre.
EXAM_POINTS = [
    ("350102", "福州市鼓楼区安全生产考试点", ["1.1", "1.2", "2.1", "3.1", "3.2", "4.1", "4.2"], "real"),
    ("350105", "福州马尾安全生产考试点", ["9.3", "9.4", "9.5", "9.10", "9.14", "9.16", "8.1"], "mixed"),
    ("350181", "福清市安全生产考试点", ["1.2", "2.1", "10.1", "10.4", "10.5"], "simulated"),
    ("350404", "三明市三元区安全生产考试点", ["6.1", "6.3", "6.4", "6.6", "6.8", "5.1", "5.2", "5.4", "5.6"], "real"),
    ("350206", "厦门市湖里区安全生产考试点", ["1.1", "1.2", "2.1", "3.1", "3.2", "4.1", "4.2"], "real"),
    ("350503", "泉州市丰泽区安全生产考试点", ["1.2", "2.1", "3.1", "3.2", "9.16"], "mixed"),
    ("350602", "漳州市芗城区安全生产考试点", ["1.2", "2.1", "4.1", "4.2"], "simulated"),
    ("350802", "龙岩市新罗区安全生产考试点", ["1.1", "1.2", "6.1", "6.3", "7.1"], "real"),
]
TRAINING_INSTITUTIONS = [
    ("350102", "福州市鼓楼区安达安全技术培训学校", ["1.1", "1.2", "2.1", "4.1", "4.2"]),
    ("350104", "福州仓山职业技能培训中心", ["1.2", "2.1", "3.1", "3.2"]),
    ("350111", "福州晋安安全生产培训学校", ["9.3", "9.4", "9.5", "9.10", "9.14", "9.16"]),
    ("350181", "福清市安全技术培训学校", ["1.2", "10.1", "10.4", "10.5"]),
    ("350203", "厦门市思明区安全生产培训中心", ["1.1", "1.2", "2.1", "3.1", "3.2"]),
    ("350206", "厦门湖里安全技术培训学校", ["1.2", "2.1", "4.1", "4.2"]),
    ("350503", "泉州市丰泽区安全培训学校", ["1.2", "2.1", "3.1", "9.16"]),
    ("350582", "晋江市安全生产培训中心", ["1.2", "2.1", "4.1"]),
    ("350602", "漳州市安全技术培训学校", ["1.2", "2.1", "3.2"]),
    ("350404", "三明市矿山安全培训中心", ["6.1", "6.3", "6.4", "6.6", "6.8", "5.1", "5.2", "5.4", "5.6"]),
    ("350802", "龙岩市安全技术培训学校", ["1.1", "1.2", "6.1", "6.3", "7.1"]),
    ("350902", "宁德市安全生产培训学校", ["1.2", "2.1", "8.1"]),
]
MIGRANT_PROVINCES = ["36", "43", "51", "52", "45", "41"]


def _csv(header: list[str], rows: list[list[str]]) -> io.BytesIO:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    return io.BytesIO(text.getvalue().encode("utf-8"))


def _import(kind: str, rows: list[dict]) -> str:
    columns = [column.key for column in get_kind(kind).columns]
    source = _csv(columns, [[row.get(key, "") for key in columns] for row in rows])
    result = run_import(kind_name=kind, source=source, filename=f"demo-{kind}.csv", user=None, label="command:demo")
    return f"{kind} {imported(result, kind).summary}"


def _birth_regions(ctx: DemoContext) -> tuple[list[str], list[str]]:
    codes = gbt2260_codes()
    current = set(
        Region.objects.filter(level=RegionLevel.COUNTY, is_development_zone=False).values_list("code", flat=True)
    )
    home = sorted(code for code in current if code.startswith(ctx.province[:2]) and code in codes)
    away = sorted(code for code in current if code[:2] in MIGRANT_PROVINCES and code in codes)
    return home, away


@step(100, "registry")
def build_registry(ctx: DemoContext) -> str:
    rng = ctx.rng
    today = ctx.today
    counties = list(
        Region.objects.filter(level=RegionLevel.COUNTY, code__startswith=ctx.province[:2]).values_list("code", "name")
    )
    county_codes = [code for code, _ in counties]
    city_weight = {"3501": 5, "3502": 4, "3505": 4}
    weights = [city_weight.get(code[:4], 1) for code in county_codes]
    orgs: list[dict] = []

    def add_org(**row) -> dict:
        row.setdefault("status", "active")
        orgs.append(row)
        return row

    centre = add_org(
        org_code=(u := synthetic.uscc(rng, "350100", "1", "2")),
        uscc=u,
        kind="exam_institution",
        name="福建省安全生产考试中心",
        region_code="350102",
    )
    xm_centre = add_org(
        org_code=(u := synthetic.uscc(rng, "350200", "1", "2")),
        uscc=u,
        kind="exam_institution",
        name="厦门市安全生产考试中心",
        region_code="350203",
    )
    exam_points = []
    for index, (county, name, items, device) in enumerate(EXAM_POINTS):
        parent = xm_centre if county.startswith("3502") else centre
        exam_points.append(
            add_org(
                org_code=f"EP{county}{index + 1:02d}",
                kind="exam_point",
                name=name,
                region_code=county,
                parent_org_code=parent["org_code"],
                operation_items=";".join(items),
                practical_device=device,
                capacity=str(rng.choice([40, 60, 80, 120])),
            )
        )
    training = []
    for county, name, items in TRAINING_INSTITUTIONS:
        code = synthetic.uscc(rng, county[:4] + "00", "5", "2")
        training.append(
            add_org(
                org_code=code,
                uscc=code,
                kind="training_institution",
                name=name,
                region_code=county,
                operation_items=";".join(items),
                capacity=str(rng.choice([50, 60, 80])),
            )
        )
    dispatchers = []
    for index in range(ctx.n(5)):
        county = rng.choices(county_codes, weights)[0]
        code = synthetic.uscc(rng, county)
        rounds, trade = divmod(index, len(DISPATCH_TRADES))
        place = f"{rng.choice(PLACE_WORDS)}{rng.choice(PLACE_WORDS)}"
        dispatchers.append(
            add_org(
                org_code=code,
                uscc=code,
                kind="labor_dispatch",
                region_code=county,
                name=f"福建{place}{DISPATCH_TRADES[trade]}{rounds + 1 if rounds else ''}",
            )
        )
    enterprises = []
    industries = list(INDUSTRY_WEIGHTS)
    seen_names = set()
    for _ in range(ctx.n(150)):
        industry = rng.choices(industries, [INDUSTRY_WEIGHTS[i] for i in industries])[0]
        county = rng.choices(county_codes, weights)[0]
        county_name = dict(counties)[county].removesuffix("区").removesuffix("县").removesuffix("市")
        while True:
            name = (
                f"{county_name}{rng.choice(PLACE_WORDS)}{rng.choice(PLACE_WORDS)}{rng.choice(INDUSTRY_NAMES[industry])}"
            )
            if name not in seen_names:
                seen_names.add(name)
                break
        code = synthetic.uscc(rng, county)
        enterprises.append(
            add_org(org_code=code, uscc=code, kind="enterprise", name=name, region_code=county, industry=industry)
        )
    summary = [_import("organizations", orgs)]

    home, away = _birth_regions(ctx)
    persons: list[dict] = []
    used: set[str] = set()

    def new_person(youngest=20, oldest=58) -> dict:
        while True:
            region = rng.choice(home) if rng.random() < 0.8 else rng.choice(away)
            number = synthetic.id_number(rng, region, synthetic.birth_date(rng, youngest, oldest, today))
            if number not in used:
                used.add(number)
                break
        row = {
            "id_number": number,
            "name": synthetic.chinese_name(rng),
            "phone": synthetic.phone(rng) if rng.random() < 0.8 else "",
            "education": rng.choices(
                ["junior_high", "senior_high", "college", "bachelor", "master", ""], [30, 30, 15, 15, 3, 7]
            )[0],
        }
        persons.append(row)
        return row

    assignments: list[dict] = []

    def assign(
        person: dict,
        org: dict,
        role: str,
        *,
        item: str = "",
        start: dt.date | None = None,
        end: dt.date | None = None,
        dispatcher: dict | None = None,
    ) -> None:
        start = start or today - dt.timedelta(days=rng.randint(30, 3650))
        assignments.append(
            {
                "id_number": person["id_number"],
                "org_code": org["org_code"],
                "role": role,
                "operation_item": item,
                "start_date": start.isoformat(),
                "end_date": end.isoformat() if end else "",
                "dispatched_by": dispatcher["org_code"] if dispatcher else "",
            }
        )

    teachers_by_ti = {}
    for ti in training:
        staff = []
        for role, count in (
            ("principal", 1),
            ("teacher", rng.randint(4, 8)),
            ("practical_instructor", rng.randint(2, 4)),
        ):
            for _ in range(count):
                person = new_person(28, 60)
                assign(person, ti, role)
                staff.append(person)
        teachers_by_ti[ti["org_code"]] = staff
    for body in [centre, xm_centre, *exam_points]:
        roles = (("exam_admin", 1), ("proctor", rng.randint(3, 6)), ("examiner", rng.randint(2, 4)))
        for role, count in roles:
            for _ in range(count):
                assign(new_person(28, 60), body, role)
    # Training and exam not separated: a teacher of a Fuzhou school also examines at the Fuzhou exam point.
    conflicted = teachers_by_ti[training[0]["org_code"]][1]
    assign(conflicted, exam_points[0], "examiner", start=today - dt.timedelta(days=400))
    for enterprise in enterprises:
        items = INDUSTRY_ITEMS[enterprise["industry"]]
        assign(new_person(35, 58), enterprise, "principal")
        for _ in range(rng.randint(1, 3)):
            assign(new_person(25, 55), enterprise, "safety_manager")
        for _ in range(rng.randint(3, 14)):
            person = new_person()
            dispatcher = rng.choice(dispatchers) if rng.random() < 0.15 else None
            assign(person, enterprise, "special_operator", item=rng.choice(items), dispatcher=dispatcher)
            if rng.random() < 0.25:
                assign(person, enterprise, "employee", start=today - dt.timedelta(days=rng.randint(400, 3000)))
        for _ in range(rng.randint(3, 12)):
            start = today - dt.timedelta(days=rng.randint(5, 2000))
            ended = rng.random() < 0.12
            end = start + dt.timedelta(days=rng.randint(60, 700)) if ended else None
            if end and end >= today:
                end = None
            dispatcher = rng.choice(dispatchers) if rng.random() < 0.1 else None
            assign(new_person(18, 55), enterprise, "employee", start=start, end=end, dispatcher=dispatcher)
    summary.append(_import("persons", persons))
    summary.append(_import("assignments", assignments))

    ctx.data |= {
        "centre": centre["org_code"],
        "exam_points": [ep["org_code"] for ep in exam_points],
        "training": [ti["org_code"] for ti in training],
        "enterprises": [e["org_code"] for e in enterprises],
        "dispatchers": [d["org_code"] for d in dispatchers],
        "conflicted_examiner": conflicted["id_number"],
    }
    summary.append(_demo_users(ctx, training[0], exam_points[0], enterprises))
    return "; ".join(summary)


def _demo_users(ctx: DemoContext, training: dict, exam_point: dict, enterprises: list[dict]) -> str:
    regions = Region.objects.in_bulk(["000000", "350000", "350100", "350102", "350200"])
    orgs = Organization.objects.in_bulk(
        [training["org_code"], exam_point["org_code"]] + [e["org_code"] for e in enterprises], field_name="org_code"
    )
    chemical = next(e for e in enterprises if e["industry"] == "hazardous_chemicals")
    operator = (
        Person.objects.filter(
            assignments__organization__org_code=chemical["org_code"], assignments__role="special_operator"
        )
        .order_by("id")
        .first()
    )
    accounts = [
        ("ministry", Role.REGULATOR_ADMIN, "周立群", {"region": regions["000000"]}),
        ("fj-admin", Role.REGULATOR_ADMIN, "陈建华", {"region": regions["350000"]}),
        ("fj-analyst", Role.ANALYST, "郑晓梅", {"region": regions["350000"]}),
        ("fz-inspector", Role.INSPECTOR, "林志强", {"region": regions["350100"]}),
        ("gl-inspector", Role.INSPECTOR, "黄文斌", {"region": regions["350102"]}),
        ("xm-inspector", Role.INSPECTOR, "吴海燕", {"region": regions["350200"]}),
        ("ti-admin", Role.ORG_ADMIN, "刘雅琴", {"organization": orgs[training["org_code"]]}),
        ("ti-clerk", Role.ORG_CLERK, "张丽", {"organization": orgs[training["org_code"]]}),
        ("ep-admin", Role.ORG_ADMIN, "王国栋", {"organization": orgs[exam_point["org_code"]]}),
        ("ent-admin", Role.ORG_ADMIN, "李建军", {"organization": orgs[chemical["org_code"]]}),
        ("candidate", Role.CANDIDATE, operator.name, {"person": operator}),
    ]
    users = {}
    with _quick_hashing():
        for username, role, full_name, where in accounts:
            users[username] = user_create(
                username=username, password=DEMO_PASSWORD, role=role, full_name=full_name, **where
            )
    county_inspectors = _county_inspectors(ctx)
    suspended = next(e for e in enterprises[5:] if e["industry"] == "construction")
    organization_suspend(
        actor=users["fj-admin"],
        organization=orgs[suspended["org_code"]],
        reason="执法检查发现特种作业人员无证上岗，责令停产停业整顿（演示数据）",
    )
    ctx.data["candidate_person"] = operator.pk
    ctx.data["chemical_enterprise"] = chemical["org_code"]
    return f"{len(accounts)} demo accounts, {county_inspectors} inspectors of the counties"


class _DemoHasher(PBKDF2PasswordHasher):
    """The demo password (printed for everyone) hashed with few rounds: the demo's accounts and a hundred county
    inspectors in a fraction of a second, not a minute. Same algorithm name, so the ordinary hasher checks it and
    hashes it again at full strength at the first login (``must_update``)."""

    iterations = 1000


def _quick_hashing():
    """Passwords set within hashed by ``_DemoHasher`` (unless the tests hash with a fast hasher of their own)."""
    quick = get_hasher().algorithm == _DemoHasher.algorithm
    hashers = [f"{__name__}._DemoHasher", *settings.PASSWORD_HASHERS] if quick else settings.PASSWORD_HASHERS
    return override_settings(PASSWORD_HASHERS=hashers)


def _county_inspectors(ctx: DemoContext) -> int:
    """Two inspectors at least in every county with an organisation, so that every plan and every inspection of
    a county can send two inspectors whose jurisdiction holds its subject (鼓楼's second one next to gl-inspector)."""
    rng = random.Random(ctx.seed + 14)  # its own: the rest of the demo draws what it drew before
    counties = Region.objects.filter(
        code__in=Organization.objects.values_list("region_id", flat=True).distinct(), level=RegionLevel.COUNTY
    ).order_by("code")
    have = dict(
        Counter(User.objects.filter(role=Role.INSPECTOR, region__in=counties).values_list("region_id", flat=True))
    )
    created = 0
    with _quick_hashing():
        for county in counties:
            for number in range(have.get(county.code, 0) + 1, 3):
                user_create(
                    username=f"{county.code}-inspector-{number}",
                    password=DEMO_PASSWORD,
                    role=Role.INSPECTOR,
                    full_name=synthetic.chinese_name(rng),
                    region=county,
                )
                created += 1
    return created


def operation_item_codes() -> list[str]:
    return list(OperationItem.objects.values_list("code", flat=True))


@step(350, "person links")
def match_person_links(ctx: DemoContext) -> str:
    """The province's administration matches the institutions' and exam points' links to their persons (ADR 0009),
    all but the latest two of each organisation: those wait in the queue of 人员关联核验."""
    from peikao.core.models import User
    from peikao.registry.choices import PersonLinkStatus
    from peikao.registry.models import PersonLink
    from peikao.registry.services import person_link_confirm

    regulator = User.objects.get(username="fj-admin")
    pending = list(PersonLink.objects.filter(status=PersonLinkStatus.PENDING).order_by("organization_id", "-pk"))
    kept: dict[int, int] = {}
    matched = 0
    for link in pending:
        kept[link.organization_id] = kept.get(link.organization_id, 0) + 1
        if kept[link.organization_id] <= 2:
            continue
        person_link_confirm(actor=regulator, link=link, reason="与居民身份证核对一致")
        matched += 1
    return f"{matched} person links matched, {len(pending) - matched} waiting"
