"""Every choice of every model speaks Chinese in context: each label of each ``choices.py`` enum, and of every
model field whose choices are not one of those enums, rendered under zh-hans, is the label of this table — a
wrong translation (a msgid translated for another context: an inspection "已排考"), a missing one (English on a
page) or a new choice without its reviewed label fails. Keep the table in step when a choice is added."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

EXPECTED = {
    "core.RegionLevel": {
        "nation": "全国",
        "province": "省级",
        "city": "市级",
        "county": "县级",
    },
    "core.Role": {
        "system_admin": "系统管理员",
        "regulator_admin": "监管部门管理员",
        "inspector": "执法人员",
        "analyst": "分析人员",
        "org_admin": "单位管理员",
        "org_clerk": "单位经办人",
        "candidate": "考生",
    },
    "core.ChangeAction": {
        "create": "新建",
        "update": "修改",
        "delete": "删除",
    },
    "core.ImportStatus": {
        "running": "进行中",
        "imported": "已导入",
        "rejected": "已拒绝",
        "dry_run": "已校验（试运行）",
        "failed": "失败（中断）",
    },
    "registry.OrganizationKind": {
        "training_institution": "培训机构",
        "exam_institution": "考试机构",
        "exam_point": "考试点",
        "enterprise": "生产经营单位",
        "labor_dispatch": "劳务派遣单位",
    },
    "registry.OrganizationStatus": {
        "active": "正常",
        "suspended": "暂停",
        "closed": "关闭",
    },
    "registry.PracticalDevice": {
        "real": "真实设备",
        "simulated": "仿真设备",
        "mixed": "真实与仿真",
    },
    "registry.AssessingDepartment": {
        "housing_construction": "住房城乡建设部门",
        "transport": "交通运输部门",
    },
    "registry.AssignmentRole": {
        "principal": "主要负责人",
        "safety_manager": "安全生产管理人员",
        "special_operator": "特种作业人员",
        "employee": "一般从业人员",
        "teacher": "授课教师",
        "practical_instructor": "实操教师",
        "proctor": "监考人员",
        "examiner": "考评员",
        "exam_admin": "考务管理员",
    },
    "registry.Sex": {
        "M": "男",
        "F": "女",
    },
    "registry.Education": {
        "primary": "小学",
        "junior_high": "初中",
        "senior_high": "高中/中专",
        "college": "大专",
        "bachelor": "本科",
        "master": "硕士",
        "doctorate": "博士",
    },
    "registry.PersonLinkStatus": {
        "pending": "待核验",
        "confirmed": "已确认",
        "rejected": "已拒绝",
    },
    "training.TraineeCategory": {
        "principal": "主要负责人",
        "safety_manager": "安全生产管理人员",
        "special_operator": "特种作业人员",
        "employee": "一般从业人员",
    },
    "training.TrainingType": {
        "initial": "初次培训",
        "refresher": "再培训",
        "review": "复审培训",
    },
    "training.ClassStatus": {
        "draft": "草稿",
        "filed": "已备案待审核",
        "accepted": "备案通过",
        "returned": "已退回",
        "closed": "已结班封存",
        "cancelled": "已取消",
    },
    "training.LessonMode": {
        "theory": "理论（面授）",
        "practical": "实操",
        "online": "线上",
    },
    "training.AttendanceKind": {
        "in": "签到",
        "out": "签退",
    },
    "training.AttendanceSource": {
        "face": "人脸识别",
        "card": "刷卡",
        "online": "线上学习平台",
        "manual": "手工补录",
    },
    "training.DeviceKind": {
        "face": "人脸识别终端",
        "card": "读卡器",
        "online": "线上学习平台",
    },
    "exams.QuestionType": {
        "judge": "判断题",
        "single": "单选题",
        "multi": "多选题",
    },
    "exams.ExamPart": {
        "theory": "理论",
        "practical": "实操",
    },
    "exams.SittingStatus": {
        "planned": "已排考",
        "open": "进行中",
        "closed": "关闭",
        "cancelled": "已取消",
    },
    "exams.StaffRole": {
        "proctor": "监考人员",
        "examiner": "考评员",
    },
    "exams.ResultStatus": {
        "valid": "有效",
        "absent": "缺考",
        "cancelled": "成绩取消",
    },
    "exams.DeviceType": {
        "real": "真实设备",
        "simulated": "模拟设备",
    },
    "exams.PatrolMode": {
        "live": "实时",
        "recorded": "录像回放",
    },
    "exams.Sanction": {
        "none": "不处理",
        "warning": "口头警告",
        "removal": "责令离开考场",
        "score_cancelled": "成绩取消",
    },
    "exams.FindingStatus": {
        "to_review": "待审核",
        "confirmed": "已确认",
        "dismissed": "已排除",
    },
    "exams.FindingSource": {
        "patrol": "巡考",
        "analytics": "视频智能分析",
    },
    "exams.SkillLevel": {
        "5": "五级（初级工）",
        "4": "四级（中级工）",
        "3": "三级（高级工）",
        "2": "二级（技师）",
        "1": "一级（高级技师）",
    },
    "exams.TrainingExemption": {
        "skill_certificate": "持有相应的职业技能等级证书",
        "retake": "已完成培训但考试不合格：无需重新培训",
    },
    "certificates.CertificateType": {
        "special_operation": "特种作业操作证",
        "competency": "安全生产知识和管理能力考核合格证",
    },
    "certificates.CertificateStatus": {
        "valid": "有效",
        "suspended": "暂停",
        "revoked": "已吊销",
        "cancelled": "已取消",
    },
    "certificates.Standing": {
        "valid": "有效",
        "expired": "已过期",
        "review_overdue": "逾期未复审",
        "suspended": "暂停",
        "revoked": "已吊销",
        "cancelled": "已取消",
    },
    "certificates.CertificateSource": {
        "issued": "依据考试成绩签发",
        "imported": "历史证书导入",
    },
    "certificates.RevokeGround": {
        "expired_without_renewal": "有效期届满未延期换证",
        "no_longer_fit": "不再具备安全技术能力",
        "responsible_for_accident": "对发生生产安全事故负有责任",
        "false_information": "以提供虚假材料取得",
        "fraud_or_bribery": "以欺骗、贿赂等不正当手段取得",
    },
    "certificates.CancelGround": {
        "holder_died": "持证人死亡",
        "holder_request": "持证人本人申请",
        "revoked": "撤销后注销",
    },
    "certificates.SuspendGround": {
        "investigation": "调查期间",
        "violation": "违章操作",
        "enforcement_decision": "执法决定",
        "other": "其他",
    },
    "certificates.LookupChannel": {
        "page": "公众查询页面",
        "api": "公众查询接口",
        "qr": "二维码",
    },
    "certificates.LookupOutcome": {
        "valid": "有效",
        "expired": "已过期",
        "review_overdue": "逾期未复审",
        "suspended": "暂停",
        "revoked": "已吊销",
        "cancelled": "已取消",
        "not_found": "查无此证",
        "signature_invalid": "签名无效",
        "rate_limited": "查询过于频繁",
    },
    "certificates.LeadKind": {
        "failed_lookup": "查询不存在的证书",
        "invalid_signature": "二维码签名无效",
        "revoked_presented": "已撤销或注销的证书仍在使用",
        "suspended_presented": "暂扣期间的证书仍在使用",
        "public_report": "群众举报",
    },
    "certificates.LeadStatus": {
        "new": "新线索",
        "reviewing": "核查中",
        "handed_over": "已移交公安",
        "closed": "已结案",
    },
    "certificates.LeadGrouping": {
        "pattern": "编号特征",
        "issuer": "声称的发证机关",
        "source": "来源",
    },
    "enforcement.SubjectType": {
        "training_institution": "培训机构",
        "exam_body": "考试机构或考点",
        "enterprise": "生产经营单位",
        "individual": "个人",
        "any": "任何对象",
    },
    "enforcement.CampaignList": {
        "": "不在专项整治清单内",
        "notice": "专项整治通知所列（培训机构、考试机构）",
        "county_plans": "县级实施方案所列（生产经营单位）",
    },
    "enforcement.InspectionKind": {
        "routine": "日常检查",
        "special": "专项检查",
        "joint": "联合检查",
        "cross": "交叉检查",
        "lookback": "回头看",
        "remote": "远程检查",
    },
    "enforcement.InspectionStatus": {
        "planned": "待检查",
        "in_progress": "进行中",
        "completed": "已完成",
    },
    "enforcement.PlanStatus": {
        "draft": "草稿",
        "drawn": "已抽取",
    },
    "enforcement.CheckOutcome": {
        "compliant": "符合",
        "violation": "发现违法行为",
        "not_applicable": "不适用",
    },
    "enforcement.FindingSource": {
        "checklist": "检查表",
        "spot_exam": "逢查必考",
        "manual": "执法人员记录",
        "imported": "导入",
    },
    "enforcement.Measure": {
        "rectify_order": "责令限期整改",
        "warning": "警告",
        "fine": "罚款",
        "suspend": "责令停业整顿",
        "close": "关闭",
        "cancel_exam_point": "撤销考点",
        "suspend_exam": "暂停考试",
        "revoke_certificate": "吊销证书",
    },
    "enforcement.RectificationStatus": {
        "open": "待整改",
        "submitted": "已提交整改材料",
        "closed": "已核查销号",
    },
    "enforcement.SpotExamStatus": {
        "drawn": "待作答",
        "submitted": "已提交",
        "expired": "已过期",
        "no_bank": "无题库",
    },
    "oversight.Severity": {
        "high": "高",
        "medium": "中",
        "low": "低",
    },
    "oversight.AlertState": {
        "new": "新预警",
        "reviewing": "核查中",
        "confirmed": "已确认",
        "dismissed": "已排除",
    },
    "oversight.DismissReason": {
        "data_error": "数据错误（通过正常导入更正）",
        "explained": "被检查对象已举证说明",
        "not_a_violation": "不构成违法",
        "duplicate": "与其他预警为同一事项",
        "other": "其他",
    },
    "oversight.SubjectKind": {
        "training": "培训",
        "exam": "考试",
    },
    "core.ScheduledRun.status": {
        "enqueued": "已排队",
        "running": "运行中",
        "succeeded": "成功",
        "failed": "失败",
    },
    "core.LegalInstrument.strength": {
        "law": "法律法规",
        "standard": "标准",
        "policy": "政策文件（指导性）",
    },
    "training.HourRule.industry_class": {
        "": "不限行业",
        "high_risk": "高危行业",
        "general": "其他行业",
    },
    "compliance.ComplianceGap.gap": {
        "specops_no_certificate": "特种作业人员无该作业项目的证书",
        "specops_certificate_expired": "特种作业人员证书已过期",
        "specops_review_overdue": "特种作业人员证书逾期未复审",
        "specops_certificate_suspended": "特种作业人员证书已暂扣",
        "specops_certificate_revoked": "特种作业人员证书已撤销",
        "manager_no_competency_certificate": "主要负责人或安全生产管理人员无安全生产知识和管理能力考核合格证",
        "new_employee_pre_job_training_short": "新员工岗前培训学时不足",
        "annual_refresher_short": "年度再培训学时不足",
        "specops_away_6_months": "特种作业人员离岗6个月以上复岗未重新考核",
    },
    "oversight.CommitmentStatus": {
        "in_force": "有效",
        "expired": "已到期",
        "breached": "已违反",
    },
    "oversight.Dimension": {
        "operation_item": "作业项目",
        "age_band": "年龄段",
        "enterprise": "生产经营单位",
        "training_institution": "最近培训机构",
        "exam_point": "考试点",
        "dispatch_company": "劳务派遣单位",
    },
    "oversight.EnterpriseScope": {
        "high_risk": "高危行业企业",
        "all": "全部企业",
    },
    "oversight.ExitMeasure": {
        "suspend": "暂停",
        "cancel_exam_point": "取消考点",
        "close": "退出",
    },
    "oversight.GradeChange": {
        "computed": "计算",
        "override": "人工调整",
        "override_ended": "调整结束",
    },
    "oversight.GradeLetter": {
        "A": "A级（低风险）",
        "B": "B级",
        "C": "C级",
        "D": "D级（高风险）",
    },
    "oversight.InjurySeverity": {
        "minor": "轻伤",
        "serious": "重伤",
        "death": "死亡",
    },
    "oversight.LinkStatus": {
        "exact": "精确匹配",
        "automatic": "自动关联",
        "review": "待复核",
        "confirmed": "复核确认",
        "rejected": "复核否定",
        "unlinked": "未关联",
    },
    "oversight.ProposalStatus": {
        "proposed": "待决定",
        "decided": "已决定",
        "rejected": "不予采纳",
    },
    "oversight.TrainingStatus": {
        "valid": "持有效证书",
        "expired": "证书已失效",
        "trained": "已培训未取证",
        "none": "未培训未持证",
    },
}


def _choice_modules(config):
    """The app's ``choices.py`` and those of its sub-packages (``oversight/grading/choices.py``)."""
    package = importlib.import_module(config.name)
    names = [f"{config.name}.choices"] + [
        info.name
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{config.name}.")
        if info.name.endswith(".choices") and info.name.count(".") > 2
    ]
    for name in names:
        try:
            yield importlib.import_module(name)
        except ModuleNotFoundError:
            continue


def _enums() -> dict[str, type[models.Choices]]:
    found = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("peikao."):
            continue
        for module in _choice_modules(config):
            for name, value in vars(module).items():
                if inspect.isclass(value) and issubclass(value, models.Choices) and value.__module__ == module.__name__:
                    found[f"{config.label}.{name}"] = value
    return found


def _all_choices() -> dict[str, list[tuple]]:
    """Key → [(value, lazy label)]: every enum, then every model field whose choices are not an enum's."""
    enums = _enums()
    out = {key: list(enum.choices) for key, enum in enums.items()}
    for config in apps.get_app_configs():
        if not config.name.startswith("peikao."):
            continue
        for model in config.get_models():
            for field in model._meta.get_fields():
                choices = getattr(field, "choices", None)
                if not choices or getattr(field, "auto_created", False):
                    continue
                if any(list(enum.choices) == list(choices) for enum in enums.values()):
                    continue
                out[f"{config.label}.{model.__name__}.{field.name}"] = list(field.flatchoices)
    return out


def test_every_choice_label_is_the_reviewed_chinese_label():
    with translation.override("zh-hans"):
        rendered = {
            key: {str(value): str(label) for value, label in choices} for key, choices in _all_choices().items()
        }
    missing = sorted(set(rendered) - set(EXPECTED))
    assert not missing, f"choices without reviewed labels in this table: {missing}"
    stale = sorted(set(EXPECTED) - set(rendered))
    assert not stale, f"the table names choices that no longer exist: {stale}"
    wrong = {
        f"{key}[{value}]": (label, EXPECTED[key].get(value))
        for key, labels in rendered.items()
        for value, label in labels.items()
        if EXPECTED[key].get(value) != label
    }
    assert not wrong, f"labels that differ from the table (got, expected): {wrong}"
    for key, labels in rendered.items():
        assert set(labels) == set(EXPECTED[key]), key


@pytest.mark.parametrize("key", sorted(_all_choices()))
def test_no_choice_label_in_chinese_is_its_english_or_its_value(key):
    choices = _all_choices()[key]
    for value, label in choices:
        with translation.override("en"):
            english = str(label)
        with translation.override("zh-hans"):
            chinese = str(label)
        assert chinese not in {english, str(value)}, (key, value, chinese)
        assert any("\u4e00" <= char <= "\u9fff" for char in chinese), (key, value, chinese)


def test_a_model_renders_its_status_in_chinese_by_get_display():
    from peikao.enforcement.choices import InspectionStatus
    from peikao.enforcement.models import Inspection

    with translation.override("zh-hans"):
        shown = [Inspection(status=status).get_status_display() for status in InspectionStatus.values]
    assert shown == ["待检查", "进行中", "已完成"]


@pytest.mark.django_db
def test_the_candidates_certificates_are_headed_by_certificate_type_and_a_person_form_asks_for_a_name(client, world):
    client.force_login(world.users["candidate"])
    page = client.get(f"/registry/persons/{world.persons['p_a'].pk}/").content.decode()
    assert "证书类型" in page and "题型" not in page
    client.force_login(world.users["province_admin"])
    form = client.get("/registry/persons/new/").content.decode()
    assert "姓名" in form and "名称" not in form
