"""Enumerations and transition maps of the registry."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OrganizationKind(models.TextChoices):
    TRAINING_INSTITUTION = "training_institution", _("Training institution")
    EXAM_INSTITUTION = "exam_institution", _("Exam institution")
    EXAM_POINT = "exam_point", _("Exam point")
    ENTERPRISE = "enterprise", _("Enterprise")
    LABOR_DISPATCH = "labor_dispatch", _("Labour-dispatch company")


class OrganizationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


# (from, to) → the name of the transition. Closing is final: a closed organisation is re-registered.
ORGANIZATION_TRANSITIONS: dict[tuple[str, str], str] = {
    (OrganizationStatus.ACTIVE, OrganizationStatus.SUSPENDED): "suspend",
    (OrganizationStatus.SUSPENDED, OrganizationStatus.ACTIVE): "reinstate",
    (OrganizationStatus.ACTIVE, OrganizationStatus.CLOSED): "close",
    (OrganizationStatus.SUSPENDED, OrganizationStatus.CLOSED): "close",
}


class PracticalDevice(models.TextChoices):
    REAL = "real", _("Real equipment")
    SIMULATED = "simulated", _("Simulated")
    MIXED = "mixed", _("Real and simulated")


class AssessingDepartment(models.TextChoices):
    """Who assesses the principals and safety managers of an industry's units, where it is not this regulator
    (Safety Law art. 27: construction and transport units by their own departments; order No. 3 covers 工矿商贸
    units only, art. 2)."""

    HOUSING_CONSTRUCTION = "housing_construction", _("the housing and urban-rural construction department")
    TRANSPORT = "transport", _("the transport department")


class AssignmentRole(models.TextChoices):
    PRINCIPAL = "principal", _("Principal person in charge")
    SAFETY_MANAGER = "safety_manager", _("Safety manager")
    SPECIAL_OPERATOR = "special_operator", _("Special-operations worker")
    EMPLOYEE = "employee", pgettext_lazy("trainee category", "Employee")
    TEACHER = "teacher", _("Teacher")
    PRACTICAL_INSTRUCTOR = "practical_instructor", _("Practical instructor")
    PROCTOR = "proctor", _("Proctor")
    EXAMINER = "examiner", _("Examiner")
    EXAM_ADMIN = "exam_admin", _("Exam administrator")


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Education(models.TextChoices):
    PRIMARY = "primary", _("Primary school")
    JUNIOR_HIGH = "junior_high", _("Junior high school")
    SENIOR_HIGH = "senior_high", _("Senior high school or technical secondary school")
    COLLEGE = "college", _("Junior college")
    BACHELOR = "bachelor", _("Bachelor")
    MASTER = "master", _("Master")
    DOCTORATE = "doctorate", _("Doctorate")


# Labels used in the industry's spreadsheets, accepted on import.
EDUCATION_ALIASES = {
    "小学": Education.PRIMARY,
    "初中": Education.JUNIOR_HIGH,
    "高中": Education.SENIOR_HIGH,
    "中专": Education.SENIOR_HIGH,
    "职高": Education.SENIOR_HIGH,
    "技校": Education.SENIOR_HIGH,
    "中技": Education.SENIOR_HIGH,
    "高中/中专": Education.SENIOR_HIGH,
    "大专": Education.COLLEGE,
    "专科": Education.COLLEGE,
    "高职": Education.COLLEGE,
    "本科": Education.BACHELOR,
    "大学本科": Education.BACHELOR,
    "硕士": Education.MASTER,
    "研究生": Education.MASTER,
    "博士": Education.DOCTORATE,
}
EDUCATION_RANK = {value: index for index, value in enumerate(Education.values)}


class PersonLinkStatus(models.TextChoices):
    """Whether an organisation that named a person by ID number has been shown to be right (ADR 0009)."""

    PENDING = "pending", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


# A regulator matches the link (or the person confirms it with their own login); a rejected link may be confirmed
# later (the person was mistaken), a confirmed one may be withdrawn (rejected) by a regulator.
PERSON_LINK_TRANSITIONS: dict[tuple[str, str], str] = {
    (PersonLinkStatus.PENDING, PersonLinkStatus.CONFIRMED): "confirm",
    (PersonLinkStatus.PENDING, PersonLinkStatus.REJECTED): "reject",
    (PersonLinkStatus.REJECTED, PersonLinkStatus.CONFIRMED): "confirm",
    (PersonLinkStatus.CONFIRMED, PersonLinkStatus.REJECTED): "withdraw",
}
