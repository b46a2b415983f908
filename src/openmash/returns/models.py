"""What the returns keep: the CIN census rule failures found in the live records (the data-quality page)
and the count of failures by team and rule at each full check, for the trend over the year."""

from __future__ import annotations

from django.db import models


class Kind(models.TextChoices):
    ERROR = "error", "Error"
    QUERY = "query", "Query"


class Finding(models.Model):
    """One DfE rule failure for one child, as the last check found it.

    Findings are replaced wholesale: all of them at a full check, one child's after a change to that
    child. `record_type` and `record_id` point at the referral, assessment, CIN plan, Section 47 enquiry or
    child protection plan the failure is about, where the finding's values match one of the child's
    records; otherwise they are blank and the finding is about the child (or could not be placed).
    """

    class RecordType(models.TextChoices):
        CHILD = "child", "Child"
        REFERRAL = "referral", "Referral"
        ASSESSMENT = "assessment", "Assessment"
        CIN_PLAN = "cin_plan", "Child in need plan"
        SECTION47 = "section47", "Section 47 enquiry"
        CP_PLAN = "cp_plan", "Child protection plan"
        CP_REVIEW = "cp_review", "Child protection review"

    child = models.ForeignKey("people.Child", on_delete=models.CASCADE, related_name="census_findings")
    team = models.ForeignKey("workforce.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    rule = models.CharField(max_length=20)
    kind = models.CharField(max_length=5, choices=Kind.choices)
    message = models.CharField(max_length=500)
    table = models.CharField(max_length=40, blank=True)
    fields = models.CharField(max_length=200, blank=True)  # the census items, comma-separated
    values = models.JSONField(default=dict, blank=True)  # the items' values as the census file held them
    record_type = models.CharField(max_length=20, choices=RecordType.choices, default=RecordType.CHILD)
    record_id = models.BigIntegerField(null=True, blank=True)
    found_at = models.DateTimeField()

    class Meta:
        ordering = ["rule", "child_id", "id"]
        indexes = [models.Index(fields=["rule"]), models.Index(fields=["team"])]

    def __str__(self) -> str:
        return f"{self.rule} for child {self.child_id}"

    @property
    def field_list(self) -> list[str]:
        return [f for f in self.fields.split(",") if f]


class FindingCount(models.Model):
    """How many children's records failed a rule in a team on a day (recorded at each full check)."""

    date = models.DateField()
    team = models.ForeignKey("workforce.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    rule = models.CharField(max_length=20)
    kind = models.CharField(max_length=5, choices=Kind.choices)
    count = models.PositiveIntegerField()
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["date", "rule"]
        indexes = [models.Index(fields=["date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.rule}: {self.count}"
