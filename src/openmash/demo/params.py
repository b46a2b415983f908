"""The figures the synthetic borough is built from: published national statistics and model settings.

National figures are DfE *Children in need* 2025 (England, reporting year ending 31 March 2025) unless
stated; see docs/demo.md for what each one drives. Model settings (hazards, shares inside an episode)
are not published anywhere: they were tuned so that the KPIs measured on the generated journeys land
on the national figures, and are marked "tuned".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openmash.core.codes import AssessmentFactor as F
from openmash.core.codes import CategoryOfAbuse, PrimaryNeed, ReferralSource

# ONS mid-2024 estimate of children aged 0-17 in England.
ENGLAND_POPULATION = 12_183_016
SIZES: dict[str, int] = {"small": 2_000, "borough": 45_000, "england": ENGLAND_POPULATION}

# DfE C2 2025: assessments completed by working-day duration (same day, 1-10, ..., 61+).
ASSESSMENT_DURATION_BANDS: list[tuple[int, int, int]] = [
    (0, 0, 11_680),
    (1, 10, 75_590),
    (11, 20, 112_180),
    (21, 30, 102_260),
    (31, 40, 131_380),
    (41, 45, 122_730),
    (46, 50, 37_640),
    (51, 60, 27_860),
    (61, 61, 27_500),  # 61 or more: a tail is drawn beyond 61
]

# DfE C3 2025, England: episodes with each factor identified at the end of assessment, out of 513,250
# episodes with at least one factor. Privately fostered (1,950) is published as one figure and split
# here across its five codes; "physical/sexual abuse, unknown" (18A/19A) are no longer used.
FACTOR_EPISODES_WITH_ANY = 513_250
FACTOR_COUNTS: dict[str, int] = {
    F.ALCOHOL_CHILD: 10_620,
    F.ALCOHOL_PARENT: 73_250,
    F.ALCOHOL_OTHER: 11_600,
    F.DRUGS_CHILD: 24_550,
    F.DRUGS_PARENT: 72_620,
    F.DRUGS_OTHER: 15_930,
    F.DOMESTIC_ABUSE_CHILD: 57_930,
    F.DOMESTIC_ABUSE_PARENT: 162_890,
    F.DOMESTIC_ABUSE_OTHER: 25_560,
    F.MENTAL_HEALTH_CHILD: 90_400,
    F.MENTAL_HEALTH_PARENT: 171_780,
    F.MENTAL_HEALTH_OTHER: 23_600,
    F.LEARNING_DISABILITY_CHILD: 63_240,
    F.LEARNING_DISABILITY_PARENT: 15_170,
    F.LEARNING_DISABILITY_OTHER: 7_510,
    F.PHYSICAL_DISABILITY_CHILD: 24_220,
    F.PHYSICAL_DISABILITY_PARENT: 27_600,
    F.PHYSICAL_DISABILITY_OTHER: 5_310,
    F.YOUNG_CARER: 18_960,
    F.PRIVATE_FOSTERING_OVERSEAS_RETURN: 195,
    F.PRIVATE_FOSTERING_OVERSEAS_STAY: 195,
    F.PRIVATE_FOSTERING_EDUCATION: 195,
    F.PRIVATE_FOSTERING_FAMILY: 975,
    F.PRIVATE_FOSTERING_OTHER: 390,
    F.UASC: 6_340,
    F.MISSING: 16_940,
    F.CSE: 12_400,
    F.TRAFFICKING: 2_250,
    F.GANGS: 8_860,
    F.BEHAVIOUR: 35_980,
    F.SELF_HARM: 25_470,
    F.NEGLECT: 90_370,
    F.EMOTIONAL_ABUSE: 97_700,
    F.PHYSICAL_ABUSE_CHILD_ON_CHILD: 15_270,
    F.PHYSICAL_ABUSE_ADULT_ON_CHILD: 61_410,
    F.SEXUAL_ABUSE_CHILD_ON_CHILD: 12_590,
    F.SEXUAL_ABUSE_ADULT_ON_CHILD: 18_900,
    F.FGM: 780,
    F.FAITH_OR_BELIEF: 2_240,
    F.CCE: 16_250,
    F.OTHER: 83_770,
}
# Factors about the child that only make sense from a given age (years), and FGM for girls only.
# Their national prevalence is kept by raising the chance among the children they can apply to.
FACTOR_MIN_AGE: dict[str, int] = {
    F.ALCOHOL_CHILD: 10,
    F.DRUGS_CHILD: 10,
    F.DOMESTIC_ABUSE_CHILD: 12,
    F.MENTAL_HEALTH_CHILD: 8,
    F.YOUNG_CARER: 8,
    F.UASC: 12,
    F.MISSING: 10,
    F.CSE: 10,
    F.TRAFFICKING: 10,
    F.GANGS: 11,
    F.BEHAVIOUR: 8,
    F.SELF_HARM: 10,
    F.PHYSICAL_ABUSE_CHILD_ON_CHILD: 5,
    F.SEXUAL_ABUSE_CHILD_ON_CHILD: 5,
    F.PRIVATE_FOSTERING_EDUCATION: 10,
    F.CCE: 10,
}
FEMALE_ONLY_FACTORS = frozenset({F.FGM})

# Source of referral, England 2025 (DfE C1 by source, rounded; approximate).
REFERRAL_SOURCES: dict[str, float] = {
    ReferralSource.POLICE: 29.5,
    ReferralSource.SCHOOLS: 20.0,
    ReferralSource.EDUCATION_SERVICES: 1.5,
    ReferralSource.GP: 2.0,
    ReferralSource.HEALTH_VISITOR: 2.5,
    ReferralSource.SCHOOL_NURSE: 0.6,
    ReferralSource.PRIMARY_HEALTH_OTHER: 3.5,
    ReferralSource.AE: 3.0,
    ReferralSource.HEALTH_OTHER: 3.5,
    ReferralSource.HOUSING: 1.5,
    ReferralSource.LA_SOCIAL_CARE: 5.0,
    ReferralSource.LA_OTHER_INTERNAL: 3.0,
    ReferralSource.LA_EXTERNAL: 2.0,
    ReferralSource.LA_EARLY_HELP: 3.5,
    ReferralSource.FAMILY: 4.5,
    ReferralSource.ACQUAINTANCE: 0.8,
    ReferralSource.SELF: 0.8,
    ReferralSource.INDIVIDUAL_OTHER: 0.9,
    ReferralSource.OTHER_LEGAL: 3.0,
    ReferralSource.OTHER: 4.0,
    ReferralSource.ANONYMOUS: 1.0,
    ReferralSource.UNKNOWN: 3.4,
}
PRIMARY_NEEDS: dict[str, float] = {
    PrimaryNeed.ABUSE_NEGLECT: 50.0,
    PrimaryNeed.CHILD_DISABILITY: 6.0,
    PrimaryNeed.PARENT_DISABILITY: 3.0,
    PrimaryNeed.ACUTE_STRESS: 11.0,
    PrimaryNeed.FAMILY_DYSFUNCTION: 17.0,
    PrimaryNeed.BEHAVIOUR: 3.0,
    PrimaryNeed.LOW_INCOME: 0.5,
    PrimaryNeed.ABSENT_PARENTING: 1.5,
    PrimaryNeed.NOT_IN_NEED: 6.0,
    PrimaryNeed.NOT_STATED: 2.0,
}
# Initial category of abuse of plans starting (approximately DfE D4 2025; rounded).
INITIAL_CATEGORIES: dict[str, float] = {
    CategoryOfAbuse.NEGLECT: 50.0,
    CategoryOfAbuse.EMOTIONAL: 37.0,
    CategoryOfAbuse.PHYSICAL: 7.0,
    CategoryOfAbuse.SEXUAL: 4.0,
    CategoryOfAbuse.MULTIPLE: 2.0,
}
# DfE D7 2025: plans ending in the year by how long they lasted.
PLAN_LENGTH_BANDS: list[float] = [15.9, 11.0, 43.5, 25.2, 4.4]  # <=3m, 3-6m, 6-12m, 1-2y, 2y+


@dataclass(frozen=True)
class FlowParameters:
    """Settings of the model of a child's journey. All "tuned" unless a source is given."""

    # Referral hazard per child-year at frailty 1, by age band: unborn (last 20 weeks of pregnancy),
    # under 1, 1-4, 5-9, 10-15, 16-17.
    referral_hazard: tuple[float, ...] = (0.0413, 0.0544, 0.0332, 0.0332, 0.0391, 0.0360)
    # Family frailty is Gamma(shape, 1/shape); each child's own is Gamma(child_shape) on top of it.
    frailty_shape: float = 2.0
    child_frailty_shape: float = 3.0
    # Extra referral hazard just after an episode closes (per year at frailty 1) and how fast it fades.
    bounce_hazard: float = 1.2
    bounce_days: float = 120.0
    nfa_share: float = 0.066
    s47_at_start: float = 0.33
    strategy_without_s47: float = 0.05
    icpc_after_s47: float = 0.285
    plan_after_icpc: float = 0.81
    # Multipliers by age band (unborn, <1, 1-4, 5-9, 10-15, 16-17).
    s47_age: tuple[float, ...] = (1.3, 1.2, 1.0, 1.0, 0.95, 0.8)
    icpc_age: tuple[float, ...] = (1.9, 1.5, 1.35, 1.05, 0.75, 0.35)
    in_need_without_plan: float = 0.64
    cin_plan_share: float = 0.78
    cin_plan_median_days: float = 215.0
    escalation: float = 0.12
    escalation_s47: float = 0.85
    icpc_after_escalation: float = 0.33
    reassessment: float = 0.25
    step_down: float = 0.62
    looked_after: float = 0.12
    # Second and subsequent plans (DfE D3 2025: 24.5% of plans starting). Children who had a plan are
    # chosen for them with weight exp(-days since their last plan closed / recent days) + background.
    repeat_share: float = 0.245
    repeat_recent_days: float = 365.0
    repeat_background: float = 0.15
    # Contacts that do not become referrals, per child-year; half spread evenly, half by frailty.
    other_contacts: float = 0.19
    other_contact_frailty_share: float = 0.5
    # Plan lengths drawn (bands as PLAN_LENGTH_BANDS); 2 years or more is drawn a little more often than
    # DfE's 4.4% because plans also end at the child's 18th birthday, which cuts some long ones short.
    plan_length_bands: tuple[float, ...] = (15.9, 11.0, 43.5, 24.8, 4.8)
    # Review conferences (Working Together: the first within three months of the initial conference,
    # then within six months of the last). Most are held a little before they are due (days early drawn
    # lognormally around these medians, at most 45); some are late, by a few days to a few weeks.
    review_early_median_days: tuple[float, float] = (14.0, 10.0)  # first review, later reviews
    review_late: float = 0.07
    review_late_mean_days: float = 10.0
    long_plan_continue: float = 0.4
    no_factors_when_not_in_need: float = 0.6
    sources: dict[str, float] = field(default_factory=lambda: dict(REFERRAL_SOURCES))
    # Arrivals on weekends and bank holidays. Referrals, and contacts from agencies other than the
    # police, mostly wait for the next working day; police notifications come at any time. The chance
    # that an arrival drawn on a non-working day stays there (the rest move to the next working day).
    referral_weekend_keep: float = 0.13
    contact_weekend_keep_police: float = 0.60
    contact_weekend_keep_other: float = 0.09
    out_of_hours_police: float = 0.6  # share of weekend and bank-holiday referrals made by the police


DEFAULT_PARAMETERS = FlowParameters()
