"""Children and the adults around them."""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from openmash.core.codes import Disability, Ethnicity, RelationshipType, Sex, UPNUnknown
from openmash.core.models import TimeStamped, one_of

from .name_keys import KEY_LENGTH, name_key

postcode_validator = RegexValidator(
    r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$", "Enter a full UK postcode, like SW1A 1AA"
)


class Child(TimeStamped):
    """A child known to children's services (or an unborn child, with an expected date of birth)."""

    la_child_id = models.CharField("LA child ID", max_length=20, unique=True)
    upn = models.CharField("UPN", max_length=13, blank=True, db_index=True)
    former_upn = models.CharField("former UPN", max_length=13, blank=True)
    upn_unknown = models.CharField("reason UPN unknown", max_length=3, choices=UPNUnknown.choices, blank=True)
    nhs_number = models.CharField("NHS number", max_length=10, blank=True, db_index=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, db_index=True)
    date_of_birth = models.DateField(null=True, blank=True)
    expected_date_of_birth = models.DateField(null=True, blank=True)
    date_of_death = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices, default=Ethnicity.NOBT)
    address = models.CharField(max_length=200, blank=True)
    postcode = models.CharField(max_length=8, blank=True, validators=[postcode_validator])
    # Sound-alike keys of the names (people/name_keys.py), for matching; derived, never entered.
    first_name_key = models.CharField(max_length=KEY_LENGTH, blank=True, editable=False)
    last_name_key = models.CharField(max_length=KEY_LENGTH, blank=True, editable=False)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name_plural = "children"
        constraints = [
            # CIN rule 8525Q: exactly one of date of birth and expected date of birth.
            models.CheckConstraint(
                condition=(Q(date_of_birth__isnull=False) & Q(expected_date_of_birth__isnull=True))
                | (Q(date_of_birth__isnull=True) & Q(expected_date_of_birth__isnull=False)),
                name="child_one_birth_date",
            ),
            models.CheckConstraint(
                condition=Q(date_of_death__isnull=True)
                | Q(date_of_birth__isnull=True)
                | Q(date_of_death__gte=models.F("date_of_birth")),
                name="child_death_after_birth",
            ),
            # Codes from their lists: CIN rules 4180 (sex), 4220 (ethnicity), N00135 (reason UPN unknown).
            models.CheckConstraint(condition=one_of("sex", Sex), name="child_sex_code"),
            models.CheckConstraint(condition=one_of("ethnicity", Ethnicity), name="child_ethnicity_code"),
            models.CheckConstraint(
                condition=one_of("upn_unknown", UPNUnknown, blank=True), name="child_upn_unknown_code"
            ),
            # CIN rule 8750: an unborn child's sex is U.
            models.CheckConstraint(
                condition=Q(expected_date_of_birth__isnull=True) | Q(sex=Sex.UNKNOWN), name="child_unborn_sex_unknown"
            ),
            # A reason the UPN is unknown only where there is no UPN.
            models.CheckConstraint(condition=Q(upn="") | Q(upn_unknown=""), name="child_upn_or_reason"),
            models.CheckConstraint(condition=~Q(first_name="") & ~Q(last_name=""), name="child_named"),
        ]
        indexes = [
            models.Index(fields=["first_name"]),
            # Matching looks candidates up by sound-alike names (either way round), date of birth and postcode.
            models.Index(fields=["last_name_key", "first_name_key"], name="people_child_name_keys"),
            models.Index(fields=["date_of_birth"], name="people_child_birth"),
            models.Index(fields=["postcode"], name="people_child_postcode"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.la_child_id})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The keys are an index over the names, like a database index: kept right on every save so no
        # path that records or renames a child can leave them stale (bulk loads call name_key themselves).
        self.first_name_key = name_key(self.first_name)
        self.last_name_key = name_key(self.last_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"first_name", "last_name"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "first_name_key", "last_name_key"}
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_unborn(self) -> bool:
        return self.date_of_birth is None


class ChildDisability(models.Model):
    """One disability code for a child (N00099). NONE stands alone."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="disabilities")
    code = models.CharField(max_length=4, choices=Disability.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "code"], name="child_disability_once"),
            models.CheckConstraint(condition=one_of("code", Disability), name="child_disability_code"),
        ]

    def __str__(self) -> str:
        return self.get_code_display()


class Adult(TimeStamped):
    """A parent, carer, household member or alleged perpetrator."""

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, db_index=True)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    nhs_number = models.CharField("NHS number", max_length=10, blank=True)
    address = models.CharField(max_length=200, blank=True)
    postcode = models.CharField(max_length=8, blank=True, validators=[postcode_validator])

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        constraints = [models.CheckConstraint(condition=one_of("sex", Sex), name="adult_sex_code")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Relationship(models.Model):
    """How someone relates to a child: an adult (parent, carer, perpetrator) or another child."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="relationships")
    relationship_type = models.CharField(max_length=30, choices=RelationshipType.choices)
    adult = models.ForeignKey(Adult, on_delete=models.CASCADE, null=True, blank=True, related_name="relationships")
    other_child = models.ForeignKey(
        Child, on_delete=models.CASCADE, null=True, blank=True, related_name="relationships_as_other"
    )
    lives_with_child = models.BooleanField(default=False)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(adult__isnull=False) & Q(other_child__isnull=True))
                | (Q(adult__isnull=True) & Q(other_child__isnull=False)),
                name="relationship_one_person",
            ),
            models.CheckConstraint(condition=~Q(other_child=models.F("child")), name="relationship_not_self"),
            models.CheckConstraint(
                condition=one_of("relationship_type", RelationshipType), name="relationship_type_code"
            ),
        ]

    def __str__(self) -> str:
        other = self.adult or self.other_child
        return f"{other} – {self.get_relationship_type_display()} of {self.child}"
