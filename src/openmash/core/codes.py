"""DfE code lists, in one place.

Codes and meanings follow the Children in Need census specification (CBDS item numbers in
brackets); see docs/cin-census.md. Labels are ours where DfE's exact wording was not available.
"""

from __future__ import annotations

from django.db import models


class ReferralSource(models.TextChoices):
    """Source of referral (N00152)."""

    FAMILY = "1A", "Individual – family member, relative or carer"
    ACQUAINTANCE = "1B", "Individual – acquaintance (including neighbours and childminders)"
    SELF = "1C", "Individual – self"
    INDIVIDUAL_OTHER = "1D", "Individual – other (including strangers)"
    SCHOOLS = "2A", "Schools"
    EDUCATION_SERVICES = "2B", "Education services"
    GP = "3A", "Health – GP"
    HEALTH_VISITOR = "3B", "Health – health visitor"
    SCHOOL_NURSE = "3C", "Health – school nurse"
    PRIMARY_HEALTH_OTHER = "3D", "Health – other primary health services"
    AE = "3E", "Health – A&E"
    HEALTH_OTHER = "3F", "Health – other (for example hospice)"
    HOUSING = "4", "Housing (local authority or housing association)"
    LA_SOCIAL_CARE = "5A", "LA services – social care (for example adult social care)"
    LA_OTHER_INTERNAL = "5B", "LA services – other internal department (for example youth offending)"
    LA_EXTERNAL = "5C", "LA services – external (for example another LA's adult social care)"
    LA_EARLY_HELP = "5D", "LA services – early help"
    POLICE = "6", "Police"
    OTHER_LEGAL = "7", "Other legal agency (courts, probation, immigration, Cafcass, prison)"
    OTHER = "8", "Other (children's centres, independent providers, voluntary organisations)"
    ANONYMOUS = "9", "Anonymous"
    UNKNOWN = "10", "Unknown"


class PrimaryNeed(models.TextChoices):
    """Primary need code (N00101)."""

    ABUSE_NEGLECT = "N1", "Abuse or neglect"
    CHILD_DISABILITY = "N2", "Child's disability"
    PARENT_DISABILITY = "N3", "Parental disability or illness"
    ACUTE_STRESS = "N4", "Family in acute stress"
    FAMILY_DYSFUNCTION = "N5", "Family dysfunction"
    BEHAVIOUR = "N6", "Socially unacceptable behaviour"
    LOW_INCOME = "N7", "Low income"
    ABSENT_PARENTING = "N8", "Absent parenting"
    NOT_IN_NEED = "N9", "Cases other than children in need"
    NOT_STATED = "N0", "Not stated"


class ReasonForClosure(models.TextChoices):
    """Reason for closure (N00103)."""

    ADOPTED = "RC1", "Adopted"
    DIED = "RC2", "Died"
    CHILD_ARRANGEMENTS = "RC3", "Child arrangements order"
    SGO = "RC4", "Special guardianship order"
    TRANSFERRED_LA = "RC5", "Transferred to another local authority"
    TRANSFERRED_ADULT = "RC6", "Transferred to adult social care"
    SERVICES_CEASED = "RC7", "Services ceased for any other reason, including child no longer in need"
    NFA_AFTER_ASSESSMENT = "RC8", "Case closed after assessment, no further action"
    EARLY_HELP_AFTER_ASSESSMENT = "RC9", "Case closed after assessment, referred to early help"


class CategoryOfAbuse(models.TextChoices):
    """Initial and latest category of abuse (N00113, N00114)."""

    NEGLECT = "NEG", "Neglect"
    PHYSICAL = "PHY", "Physical abuse"
    SEXUAL = "SAB", "Sexual abuse"
    EMOTIONAL = "EMO", "Emotional abuse"
    MULTIPLE = "MUL", "Multiple"


class AssessmentFactor(models.TextChoices):
    """Factors identified at the end of assessment (N00181). A = child, B = parent or carer,
    C = another person in the household."""

    ALCOHOL_CHILD = "1A", "Alcohol misuse – child"
    ALCOHOL_PARENT = "1B", "Alcohol misuse – parent or carer"
    ALCOHOL_OTHER = "1C", "Alcohol misuse – other person in the household"
    DRUGS_CHILD = "2A", "Drug misuse – child"
    DRUGS_PARENT = "2B", "Drug misuse – parent or carer"
    DRUGS_OTHER = "2C", "Drug misuse – other person in the household"
    DOMESTIC_ABUSE_CHILD = "3A", "Domestic abuse – child is the subject"
    DOMESTIC_ABUSE_PARENT = "3B", "Domestic abuse – parent or carer is the subject"
    DOMESTIC_ABUSE_OTHER = "3C", "Domestic abuse – other person in the household is the subject"
    MENTAL_HEALTH_CHILD = "4A", "Mental health – child"
    MENTAL_HEALTH_PARENT = "4B", "Mental health – parent or carer"
    MENTAL_HEALTH_OTHER = "4C", "Mental health – other person in the household"
    LEARNING_DISABILITY_CHILD = "5A", "Learning disability – child"
    LEARNING_DISABILITY_PARENT = "5B", "Learning disability – parent or carer"
    LEARNING_DISABILITY_OTHER = "5C", "Learning disability – other person in the household"
    PHYSICAL_DISABILITY_CHILD = "6A", "Physical disability or illness – child"
    PHYSICAL_DISABILITY_PARENT = "6B", "Physical disability or illness – parent or carer"
    PHYSICAL_DISABILITY_OTHER = "6C", "Physical disability or illness – other person in the household"
    YOUNG_CARER = "7A", "Young carer"
    PRIVATE_FOSTERING_OVERSEAS_RETURN = "8B", "Privately fostered – overseas child who intends to return"
    PRIVATE_FOSTERING_OVERSEAS_STAY = "8C", "Privately fostered – overseas child who intends to stay"
    PRIVATE_FOSTERING_EDUCATION = "8D", "Privately fostered – UK child in educational placement"
    PRIVATE_FOSTERING_FAMILY = "8E", "Privately fostered – UK child in alternative family arrangement"
    PRIVATE_FOSTERING_OTHER = "8F", "Privately fostered – other"
    UASC = "9A", "Unaccompanied asylum-seeking child"
    MISSING = "10A", "Going or being missing"
    CSE = "11A", "Child sexual exploitation"
    TRAFFICKING = "12A", "Trafficking"
    GANGS = "13A", "Gangs"
    BEHAVIOUR = "14A", "Socially unacceptable behaviour"
    SELF_HARM = "15A", "Self-harm"
    NEGLECT = "16A", "Abuse or neglect – neglect"
    EMOTIONAL_ABUSE = "17A", "Abuse or neglect – emotional abuse"
    PHYSICAL_ABUSE_CHILD_ON_CHILD = "18B", "Abuse or neglect – physical abuse, child on child"
    PHYSICAL_ABUSE_ADULT_ON_CHILD = "18C", "Abuse or neglect – physical abuse, adult on child"
    SEXUAL_ABUSE_CHILD_ON_CHILD = "19B", "Abuse or neglect – sexual abuse, child on child"
    SEXUAL_ABUSE_ADULT_ON_CHILD = "19C", "Abuse or neglect – sexual abuse, adult on child"
    OTHER = "20", "Other"
    NO_FACTORS = "21", "No factors identified"
    FGM = "22A", "Female genital mutilation"
    FAITH_OR_BELIEF = "23A", "Abuse linked to faith or belief"
    CCE = "24A", "Child criminal exploitation"


DOMESTIC_ABUSE_FACTORS = frozenset(
    {
        AssessmentFactor.DOMESTIC_ABUSE_CHILD,
        AssessmentFactor.DOMESTIC_ABUSE_PARENT,
        AssessmentFactor.DOMESTIC_ABUSE_OTHER,
    }
)


class Disability(models.TextChoices):
    """Disability (N00099)."""

    NONE = "NONE", "No disability"
    MOBILITY = "MOB", "Mobility"
    HAND = "HAND", "Hand function"
    PERSONAL_CARE = "PC", "Personal care"
    INCONTINENCE = "INC", "Incontinence"
    COMMUNICATION = "COMM", "Communication"
    LEARNING = "LD", "Learning"
    HEARING = "HEAR", "Hearing"
    VISION = "VIS", "Vision"
    BEHAVIOUR = "BEH", "Behaviour"
    CONSCIOUSNESS = "CON", "Consciousness"
    AUTISM = "AUT", "Autism or Asperger syndrome"
    OTHER_DDA = "DDA", "Other disability (DDA) not otherwise listed"


class Ethnicity(models.TextChoices):
    """Ethnicity (N00177)."""

    WBRI = "WBRI", "White – British"
    WIRI = "WIRI", "White – Irish"
    WIRT = "WIRT", "Traveller of Irish heritage"
    WOTH = "WOTH", "Any other White background"
    WROM = "WROM", "Gypsy or Roma"
    MWBC = "MWBC", "White and Black Caribbean"
    MWBA = "MWBA", "White and Black African"
    MWAS = "MWAS", "White and Asian"
    MOTH = "MOTH", "Any other mixed background"
    AIND = "AIND", "Indian"
    APKN = "APKN", "Pakistani"
    ABAN = "ABAN", "Bangladeshi"
    AOTH = "AOTH", "Any other Asian background"
    BCRB = "BCRB", "Caribbean"
    BAFR = "BAFR", "African"
    BOTH = "BOTH", "Any other Black background"
    CHNE = "CHNE", "Chinese"
    OOTH = "OOTH", "Any other ethnic group"
    REFU = "REFU", "Refused"
    NOBT = "NOBT", "Information not yet obtained"


class Sex(models.TextChoices):
    """Sex (N00783, from 2024-25). Unborn children are always U."""

    MALE = "M", "Male"
    FEMALE = "F", "Female"
    UNKNOWN = "U", "Unknown or not recorded"


class UPNUnknown(models.TextChoices):
    """Reason a UPN is not given (N00135). Wording paraphrased."""

    UN1 = "UN1", "Not of school age and no UPN assigned yet"
    UN2 = "UN2", "Never attended a maintained school in England"
    UN3 = "UN3", "Educated outside England"
    UN4 = "UN4", "Newly referred or arrived; UPN not yet known"
    UN5 = "UN5", "Sources conflict on the UPN"
    UN6 = "UN6", "Unborn child"
    UN7 = "UN7", "Referral with no further action"


class RelationshipType(models.TextChoices):
    """How an adult or another child relates to a child. Not a DfE list."""

    PARENT = "parent", "Parent"
    STEP_PARENT = "step_parent", "Step-parent"
    CARER = "carer", "Carer"
    GRANDPARENT = "grandparent", "Grandparent"
    SIBLING = "sibling", "Sibling"
    HALF_SIBLING = "half_sibling", "Half-sibling"
    HOUSEHOLD_MEMBER = "household_member", "Other household member"
    ALLEGED_PERPETRATOR = "alleged_perpetrator", "Alleged perpetrator"
