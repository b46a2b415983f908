"""Synthetic names, addresses and identifiers for the demo borough.

All made up: common British first names and surnames (weighted towards the family's ethnic
background), streets and neighbourhoods of an invented borough with its own postcode area "DB"
(not used by Royal Mail), NHS numbers from the 999 range (never issued to patients) and UPNs whose
local authority part is UPN_LA_CODE.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from openmash.people.identifiers import _UPN_CHECK_LETTERS as UPN_CHECK_LETTERS

# The LA number inside a UPN must be one DfE recognises (census rule 1530 is an error, so a return
# holding the made-up 999 could not be submitted): the first code on DfE's accepted list, so that the
# demo borough's census passes. The borough's own number (settings.OPENMASH_LA_CODE) stays 999.
UPN_LA_CODE = "001"
POSTCODE_AREA = "DB"

GIRLS = {
    "white": [
        "Olivia",
        "Amelia",
        "Isla",
        "Ava",
        "Ivy",
        "Freya",
        "Lily",
        "Florence",
        "Mia",
        "Willow",
        "Rosie",
        "Sophia",
        "Isabella",
        "Grace",
        "Daisy",
        "Sienna",
        "Poppy",
        "Elsie",
        "Emily",
        "Ella",
        "Evelyn",
        "Phoebe",
        "Sofia",
        "Evie",
        "Charlotte",
        "Harper",
        "Millie",
        "Matilda",
        "Ruby",
        "Alice",
        "Chloe",
        "Jessica",
        "Megan",
        "Holly",
        "Lauren",
        "Bethany",
        "Hannah",
        "Amber",
        "Leah",
        "Niamh",
        "Erin",
        "Kayla",
        "Paige",
        "Courtney",
        "Jade",
        "Maisie",
        "Layla",
        "Scarlett",
        "Eva",
        "Lucy",
        "Molly",
        "Zofia",
        "Maja",
        "Julia",
        "Amelie",
        "Aoife",
    ],
    "asian": [
        "Aisha",
        "Maryam",
        "Fatima",
        "Zara",
        "Hafsa",
        "Inaya",
        "Anaya",
        "Aleena",
        "Hana",
        "Safa",
        "Priya",
        "Ananya",
        "Simran",
        "Jasmin",
        "Amira",
        "Khadija",
        "Noor",
        "Ayesha",
        "Sana",
        "Aaliyah",
    ],
    "black": [
        "Amara",
        "Nia",
        "Zuri",
        "Adaeze",
        "Chloe",
        "Precious",
        "Favour",
        "Blessing",
        "Abena",
        "Ama",
        "Kemi",
        "Tiana",
        "Imani",
        "Grace",
        "Esther",
        "Hope",
        "Deborah",
        "Naomi",
        "Ifeoma",
        "Comfort",
    ],
}
BOYS = {
    "white": [
        "Noah",
        "Oliver",
        "George",
        "Arthur",
        "Muhammad",
        "Leo",
        "Harry",
        "Oscar",
        "Archie",
        "Henry",
        "Theodore",
        "Freddie",
        "Jack",
        "Charlie",
        "Theo",
        "Alfie",
        "Jacob",
        "Thomas",
        "Finley",
        "Arlo",
        "William",
        "Lucas",
        "Roman",
        "Tommy",
        "Isaac",
        "Teddy",
        "James",
        "Joshua",
        "Daniel",
        "Ethan",
        "Tyler",
        "Callum",
        "Kyle",
        "Liam",
        "Connor",
        "Jordan",
        "Lewis",
        "Ryan",
        "Jake",
        "Reece",
        "Mason",
        "Logan",
        "Riley",
        "Harvey",
        "Max",
        "Samuel",
        "Joseph",
        "Dylan",
        "Kai",
        "Jayden",
        "Oskar",
        "Jakub",
        "Filip",
        "Cian",
    ],
    "asian": [
        "Muhammad",
        "Ibrahim",
        "Yusuf",
        "Zayn",
        "Ayaan",
        "Hamza",
        "Musa",
        "Adam",
        "Ali",
        "Aarav",
        "Arjun",
        "Rayyan",
        "Zakariya",
        "Idris",
        "Haris",
        "Bilal",
        "Omar",
        "Imran",
        "Rohan",
        "Aryan",
    ],
    "black": [
        "Tobi",
        "Kwame",
        "Kofi",
        "Jayden",
        "Malachi",
        "Elijah",
        "Samuel",
        "David",
        "Emmanuel",
        "Daniel",
        "Chidi",
        "Tayo",
        "Marcus",
        "Isaiah",
        "Josiah",
        "Joshua",
        "Nathaniel",
        "Micah",
        "Ade",
        "Femi",
    ],
}
ADULT_WOMEN = [
    "Sarah",
    "Emma",
    "Laura",
    "Rebecca",
    "Gemma",
    "Kirsty",
    "Nicola",
    "Stacey",
    "Kelly",
    "Donna",
    "Lisa",
    "Claire",
    "Michelle",
    "Joanne",
    "Amy",
    "Natalie",
    "Hayley",
    "Danielle",
    "Samantha",
    "Leanne",
    "Jennifer",
    "Rachel",
    "Charlotte",
    "Zoe",
    "Katie",
    "Shannon",
    "Chelsea",
    "Tracey",
    "Julie",
    "Karen",
]
ADULT_MEN = [
    "David",
    "Paul",
    "Mark",
    "Andrew",
    "Lee",
    "Craig",
    "Wayne",
    "Darren",
    "Stephen",
    "Gary",
    "Michael",
    "Christopher",
    "Matthew",
    "Daniel",
    "Jamie",
    "Ryan",
    "Scott",
    "Carl",
    "Dean",
    "Shaun",
    "Jason",
    "Richard",
    "Anthony",
    "Kevin",
    "Martin",
    "Neil",
    "Robert",
    "Ian",
    "Simon",
    "Adam",
]
ADULT_WOMEN_ASIAN = ["Nadia", "Shazia", "Rubina", "Samina", "Nasreen", "Parveen", "Farah", "Asma", "Sunita", "Kiran"]
ADULT_MEN_ASIAN = ["Tariq", "Imran", "Asif", "Shahid", "Khalid", "Nadeem", "Rizwan", "Sajid", "Rajesh", "Sanjay"]
ADULT_WOMEN_BLACK = ["Grace", "Joy", "Patience", "Funmi", "Abimbola", "Chipo", "Marcia", "Simone", "Yvonne", "Ngozi"]
ADULT_MEN_BLACK = ["Samuel", "Emmanuel", "Kwabena", "Olu", "Chinedu", "Tendai", "Delroy", "Winston", "Leroy", "Jide"]

SURNAMES = {
    "white": [
        "Smith",
        "Jones",
        "Taylor",
        "Brown",
        "Williams",
        "Wilson",
        "Johnson",
        "Davies",
        "Robinson",
        "Wright",
        "Thompson",
        "Evans",
        "Walker",
        "White",
        "Roberts",
        "Green",
        "Hall",
        "Wood",
        "Jackson",
        "Clarke",
        "Harris",
        "Lewis",
        "Hughes",
        "Edwards",
        "Turner",
        "Hill",
        "Cooper",
        "Ward",
        "Morris",
        "Moore",
        "Clark",
        "Lee",
        "King",
        "Baker",
        "Harrison",
        "Morgan",
        "Allen",
        "James",
        "Scott",
        "Phillips",
        "Watson",
        "Davis",
        "Parker",
        "Price",
        "Bennett",
        "Young",
        "Griffiths",
        "Mitchell",
        "Kelly",
        "Cook",
        "Carter",
        "Richardson",
        "Bailey",
        "Collins",
        "Bell",
        "Shaw",
        "Murphy",
        "Miller",
        "Cox",
        "Richards",
        "Khan",
        "Marshall",
        "Anderson",
        "Simpson",
        "Ellis",
        "Adams",
        "Singh",
        "Begum",
        "Wilkinson",
        "Foster",
        "Chapman",
        "Powell",
        "Webb",
        "Rogers",
        "Gray",
        "Mason",
        "Ali",
        "Hunt",
        "Hussain",
        "Campbell",
        "Matthews",
        "Owen",
        "Palmer",
        "Holmes",
        "Mills",
        "Barnes",
        "Knight",
        "Lloyd",
        "Butler",
        "Russell",
        "Barker",
        "Fisher",
        "Stevens",
        "Jenkins",
        "Murray",
        "Dixon",
        "Harvey",
        "Graham",
        "Pearson",
        "Ahmed",
        "Fletcher",
        "Walsh",
        "Kaur",
        "Gibson",
        "Howard",
        "Andrews",
        "Stewart",
        "Elliott",
        "Reynolds",
        "Saunders",
        "Payne",
        "Fox",
        "Ford",
        "Pearce",
        "Day",
        "Brooks",
        "West",
        "Lawrence",
        "Cole",
        "Atkinson",
        "Bradley",
        "Spencer",
        "Gill",
        "Dawson",
        "Ball",
        "Burton",
        "O'Brien",
        "Watts",
        "Rose",
        "Booth",
        "Perry",
        "Ryan",
        "Grant",
        "Wells",
        "Armstrong",
        "Francis",
        "Rees",
        "Hayes",
        "Hart",
        "Hudson",
        "Newman",
        "Barrett",
        "Webster",
        "Hunter",
        "Gregory",
        "Carr",
        "Lowe",
        "Page",
        "Marsh",
        "Riley",
        "Dunn",
        "Woods",
        "Parsons",
        "Berry",
        "Stone",
        "Reid",
        "Holland",
        "Hawkins",
        "Harding",
        "Porter",
        "Robertson",
        "Newton",
        "Oliver",
        "Reed",
        "Kennedy",
        "Williamson",
        "Nowak",
        "Kowalski",
        "Wisniewski",
        "Kaminski",
        "Lewandowski",
        "Popescu",
        "Ionescu",
    ],
    "asian": [
        "Khan",
        "Ahmed",
        "Hussain",
        "Ali",
        "Begum",
        "Akhtar",
        "Iqbal",
        "Mahmood",
        "Rashid",
        "Shah",
        "Patel",
        "Singh",
        "Kaur",
        "Sharma",
        "Kumar",
        "Mistry",
        "Chowdhury",
        "Rahman",
        "Islam",
        "Uddin",
        "Malik",
        "Bibi",
        "Qureshi",
        "Aziz",
        "Nawaz",
        "Butt",
        "Mirza",
        "Sheikh",
        "Javed",
        "Anwar",
    ],
    "black": [
        "Okafor",
        "Adeyemi",
        "Mensah",
        "Owusu",
        "Boateng",
        "Okonkwo",
        "Eze",
        "Adebayo",
        "Osei",
        "Asante",
        "Campbell",
        "Williams",
        "Johnson",
        "Brown",
        "Thomas",
        "Grant",
        "Francis",
        "Clarke",
        "Henry",
        "Mohamed",
        "Abdi",
        "Hassan",
        "Omar",
        "Ncube",
        "Moyo",
        "Banda",
        "Kamara",
        "Sesay",
        "Bangura",
        "Mbeki",
    ],
}
NEIGHBOURHOODS = [
    "Ashbrook",
    "Castle Hill",
    "Fernside",
    "Hollins Green",
    "Kingsmoor",
    "Lower Milltown",
    "Northfold",
    "Oakhurst",
    "Redbank",
    "St Anne's",
    "Southgate",
    "Thornleigh",
    "Upper Milltown",
    "Westcombe",
]
STREET_STEMS = [
    "Albert",
    "Victoria",
    "Church",
    "Mill",
    "Park",
    "Station",
    "Oak",
    "Elm",
    "Ash",
    "Birch",
    "Chapel",
    "School",
    "Market",
    "Bridge",
    "Brook",
    "Queen's",
    "King's",
    "Princess",
    "Water",
    "Spring",
    "Clarence",
    "Cromwell",
    "Milton",
    "Shelley",
    "Wordsworth",
    "Nelson",
    "Wellington",
    "Hawthorn",
    "Laburnum",
    "Rowan",
    "Willow",
    "Beech",
    "Cedar",
    "Lime",
    "Holly",
    "Heather",
    "Primrose",
    "Meadow",
    "Orchard",
    "Foundry",
    "Canal",
    "Weaver",
    "Cotton",
    "Spinner",
    "Tanner",
    "Moorland",
    "Highfield",
    "Greenbank",
    "Newlands",
    "Fairfield",
    "Sunnyside",
    "Rosebank",
    "Hillside",
    "Valley",
    "Riverside",
    "Windsor",
    "Balmoral",
    "Stanley",
    "Derby",
    "Lancaster",
    "York",
    "Chester",
    "Rydal",
    "Coniston",
    "Grasmere",
]
STREET_KINDS = [
    "Road",
    "Street",
    "Lane",
    "Avenue",
    "Close",
    "Drive",
    "Way",
    "Crescent",
    "Grove",
    "Terrace",
    "Gardens",
    "Place",
    "Walk",
    "Court",
    "Mews",
    "Rise",
]
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # letters Royal Mail uses in inward codes


def ethnic_group(ethnicity: np.ndarray) -> np.ndarray:
    """Naming group (0 white and other, 1 Asian, 2 Black) of each DfE ethnicity code."""
    asian = np.isin(ethnicity, ["AIND", "APKN", "ABAN", "AOTH", "MWAS"])
    black = np.isin(ethnicity, ["BCRB", "BAFR", "BOTH", "MWBC", "MWBA"])
    return np.where(asian, 1, np.where(black, 2, 0))


def _pick(rng: np.random.Generator, lists: list[list[str]], group: np.ndarray, mix: float = 0.15) -> pl.Series:
    """A name from the group's list, or (with chance `mix`) from the general list."""
    n = group.size
    use = np.where(rng.random(n) < mix, 0, group)
    out = np.empty(n, dtype=object)
    for g, names in enumerate(lists):
        sel = np.flatnonzero(use == g)
        if sel.size:
            out[sel] = np.asarray(names, dtype=object)[rng.integers(0, len(names), sel.size)]
    return pl.Series(out.astype(str))


def child_first_names(rng: np.random.Generator, female: np.ndarray, group: np.ndarray) -> pl.Series:
    girls = _pick(rng, [GIRLS["white"], GIRLS["asian"], GIRLS["black"]], group)
    boys = _pick(rng, [BOYS["white"], BOYS["asian"], BOYS["black"]], group)
    return pl.Series(np.where(female, girls.to_numpy(), boys.to_numpy()).astype(str))


def adult_first_names(rng: np.random.Generator, female: np.ndarray, group: np.ndarray) -> pl.Series:
    women = _pick(rng, [ADULT_WOMEN, ADULT_WOMEN_ASIAN, ADULT_WOMEN_BLACK], group)
    men = _pick(rng, [ADULT_MEN, ADULT_MEN_ASIAN, ADULT_MEN_BLACK], group)
    return pl.Series(np.where(female, women.to_numpy(), men.to_numpy()).astype(str))


def surnames(rng: np.random.Generator, group: np.ndarray) -> pl.Series:
    return _pick(rng, [SURNAMES["white"], SURNAMES["asian"], SURNAMES["black"]], group, mix=0.1)


def addresses(rng: np.random.Generator, n: int) -> tuple[pl.Series, pl.Series]:
    """House, street and neighbourhood, and a DB postcode whose district follows the neighbourhood."""
    hood = rng.integers(0, len(NEIGHBOURHOODS), n)
    street = rng.integers(0, len(STREET_STEMS), n)
    kind = rng.integers(0, len(STREET_KINDS), n)
    house = rng.integers(1, 180, n)
    flat = rng.random(n) < 0.12
    address = [
        (f"Flat {h % 12 + 1}, " if f else "") + f"{h} {STREET_STEMS[s]} {STREET_KINDS[k]}, {NEIGHBOURHOODS[d]}"
        for h, s, k, d, f in zip(house, street, kind, hood, flat, strict=True)
    ]
    sector = rng.integers(0, 10, n)
    letters = np.asarray(list(INWARD_LETTERS))
    unit = letters[rng.integers(0, len(letters), n)].astype(object) + letters[rng.integers(0, len(letters), n)]
    postcode = [f"{POSTCODE_AREA}{d + 1} {s}{u}" for d, s, u in zip(hood, sector, unit, strict=True)]
    return pl.Series(address), pl.Series(postcode)


def nhs_numbers(rng: np.random.Generator, n: int) -> pl.Series:
    """Distinct valid NHS numbers 999 xxx xxxx (a range never issued to patients)."""
    candidates = rng.permutation(1_000_000)
    digits = np.stack(
        [np.full(candidates.size, 9), np.full(candidates.size, 9), np.full(candidates.size, 9)]
        + [(candidates // 10**k) % 10 for k in range(5, -1, -1)],
        axis=1,
    )
    total = digits @ np.arange(10, 1, -1)
    check = 11 - total % 11
    check = np.where(check == 11, 0, check)
    valid = check != 10
    chosen = np.flatnonzero(valid)[:n]
    if chosen.size < n:
        raise ValueError("not enough synthetic NHS numbers in the 999 range")
    numbers = (999 * 10**7 + candidates[chosen] * 10 + check[chosen]).astype(np.int64)
    return pl.Series(numbers).cast(pl.String)


def upns(serials: np.ndarray, allocation_year: np.ndarray) -> pl.Series:
    """UPNs: check letter, LA code UPN_LA_CODE, a 4-digit school number, 2-digit year, 3-digit serial (the check
    letter as people.identifiers.upn_check_letter works it out, vectorised)."""
    school = 2000 + (np.asarray(serials, dtype=np.int64) // 1000) % 8000
    year = np.asarray(allocation_year, dtype=np.int64) % 100
    serial = np.asarray(serials, dtype=np.int64) % 1000
    number = (int(UPN_LA_CODE) * 10**9 + school * 10**5 + year * 10**3 + serial).astype(np.int64)
    digits = (number[:, None] // 10 ** np.arange(11, -1, -1, dtype=np.int64)) % 10
    total = digits @ np.arange(2, 14, dtype=np.int64)
    letters = np.asarray(list(UPN_CHECK_LETTERS), dtype=object)[total % 23]
    body = pl.Series(number, dtype=pl.Int64).cast(pl.String).str.zfill(12)
    return pl.select(pl.concat_str(pl.Series(letters.astype(str)), body)).to_series()


# Who makes a contact and what they say, by source of referral (all invented, in general terms). Each
# summary has the ages (years; negative before birth) it fits, and every age has one in each group.
ANY: tuple[float, float] = (-1.0, 18.0)
UNBORN: tuple[float, float] = (-1.0, 0.0)
_CONTACT_TEXT: dict[str, tuple[str, list[str], list[tuple[str, tuple[float, float]]]]] = {
    # source group: (partner agency, referrer roles, summaries with the ages they fit)
    "police": (
        "police",
        ["PC", "DC", "Sgt"],
        [
            ("Concern for welfare call to the home; worries about the care of the children.", ANY),
            ("Police notification: domestic incident at the family home, children present.", (0.0, 18.0)),
            ("Domestic incident reported: the mother, who is pregnant, was assaulted by her partner.", UNBORN),
            ("Concern for welfare call; home conditions poor and parent intoxicated.", (0.0, 18.0)),
            ("Police called to a dispute between parents; child distressed.", (1.0, 18.0)),
            ("Child reported missing overnight; found the next morning.", (10.0, 18.0)),
            ("Child found late at night in the company of older adults.", (11.0, 18.0)),
        ],
    ),
    "education": (
        "education",
        ["Designated safeguarding lead", "Head of year", "Education welfare officer"],  # early years: below
        [
            ("Worries about the child's presentation and the care at home.", ANY),
            ("Nursery worried about the child's development and frequent absences.", (2.0, 5.0)),
            ("School worried about falling attendance and the child's presentation.", (4.0, 18.0)),
            ("Child disclosed to a teacher that they are frightened at home.", (5.0, 18.0)),
            ("Unexplained bruising noticed by staff.", (2.0, 18.0)),
            ("Child often hungry and without suitable clothing.", (2.0, 18.0)),
            ("Concerns about possible exploitation: new phone, gifts, missing lessons.", (11.0, 18.0)),
        ],
    ),
    "health": (
        "health",
        [],  # by source: see _HEALTH_ROLES
        [
            ("Missed health appointments and concerns about home conditions.", (0.0, 18.0)),
            ("Missed antenatal appointments; concerns about the mother's drug use.", UNBORN),
            ("Pre-birth concerns raised by the midwife: previous children not in the parent's care.", UNBORN),
            ("Attendance at the emergency department with an injury; explanation inconsistent.", (0.0, 18.0)),
            ("Baby not yet crawling seen with a bruise to the face.", (0.0, 1.0)),
            ("Parent's mental health has deteriorated; worries about care of the baby.", (0.0, 2.0)),
            ("Young person attended after self-harm.", (11.0, 18.0)),
        ],
    ),
    "housing": (
        "housing",
        ["Housing officer"],
        [
            ("Neighbour complaints and concerns about conditions in the property.", ANY),
            ("Family at risk of eviction; children sleeping in one room.", (0.0, 18.0)),
        ],
    ),
    "adult_care": (
        "csc",
        ["Adult social care worker", "Adult mental health social worker"],
        [
            ("Adult social care report a parent's mental health crisis.", ANY),
            ("A parent's care package has broken down; worries about who looks after the children.", ANY),
        ],
    ),
    "other_la": (
        "csc",
        ["Social worker, neighbouring authority"],
        [("Family moved into the area from another authority with an open case.", ANY)],
    ),
    "youth_justice": (
        "youth_justice",
        ["Youth justice worker"],
        [("Young person arrested; concerns about who they spend time with.", ANY)],
    ),
    "early_help": (
        "early_help",
        ["Family support worker"],
        [("Early help plan not progressing; concerns escalating despite support.", ANY)],
    ),
    "probation": ("probation", ["Probation officer"], [("Adult under supervision has moved into the household.", ANY)]),
    "family": (
        "",
        ["Grandparent", "Aunt", "Uncle"],
        [
            ("Relative worried about the care of the children.", ANY),
            ("Relative worried about the pregnant mother's drinking.", UNBORN),
            ("Family member asking for help: the parents cannot manage the child's behaviour.", (3.0, 18.0)),
        ],
    ),
    "self": ("", ["Young person"], [("Young person asking for help: does not feel safe at home.", ANY)]),
    "acquaintance": (
        "",
        ["Neighbour", "Family friend"],
        [
            ("Worried that the children are left alone at home.", ANY),
            ("Hears shouting and children crying most evenings.", (0.0, 18.0)),
        ],
    ),
    "anonymous": ("", ["Anonymous"], [("Anonymous caller worried that the children are left alone.", ANY)]),
    "other": (
        "",
        ["Voluntary sector worker", "Children's centre worker"],
        [("Worries raised by a support service about the family's circumstances.", ANY)],
    ),
}
SUMMARY_AGES: dict[str, tuple[float, float]] = {
    text: ages for _agency, _roles, texts in _CONTACT_TEXT.values() for text, ages in texts
}
_EARLY_YEARS_ROLES = ["Nursery manager", "Early years practitioner"]
_HEALTH_ROLES = {
    "3A": ["GP"],
    "3B": ["Health visitor"],
    "3C": ["School nurse"],
    "3D": ["Midwife", "Community nurse"],
    "3E": ["Emergency department liaison nurse"],
    "3F": ["Hospital social worker", "CAMHS practitioner"],
}
_SOURCE_GROUP = {
    "6": "police",
    "2A": "education",
    "2B": "education",
    "3A": "health",
    "3B": "health",
    "3C": "health",
    "3D": "health",
    "3E": "health",
    "3F": "health",
    "4": "housing",
    "5A": "adult_care",
    "5C": "other_la",
    "5B": "youth_justice",
    "5D": "early_help",
    "7": "probation",
    "1A": "family",
    "1B": "acquaintance",
    "1C": "self",
    "1D": "acquaintance",
    "9": "anonymous",
    "8": "other",
    "10": "other",
}


# Professional titles as they appear in a referral (the short forms used by police above).
_POLICE_TITLES = {"PC": "Police constable", "DC": "Detective constable", "Sgt": "Police sergeant"}
# Where each agency's staff have their email (the reserved .example domain: never a real address).
_EMAIL_DOMAINS = {
    "police": "police.demo-borough.example",
    "health": "nhs.demo-borough.example",
    "education": "schools.demo-borough.example",
    "housing": "housing.demo-borough.example",
    "csc": "council.demo-borough.example",
    "youth_justice": "council.demo-borough.example",
    "early_help": "council.demo-borough.example",
    "probation": "probation.demo-borough.example",
    "": "mail.example",
}


def describe_contacts(rng: np.random.Generator, sources: pl.Series, ages: np.ndarray | None = None) -> pl.DataFrame:
    """Who made each contact (name, role, partner agency, how to reach them) and a one-line summary, by
    its source and the child's age in years on the day (a summary only where it fits the age).

    Professionals give their work email and usually a phone number; members of the public a phone number
    or an email address more often than not; anonymous callers and children asking for help nothing."""
    n = sources.len()
    age = np.zeros(n) if ages is None else np.asarray(ages, dtype=np.float64)
    codes = sources.to_numpy()
    groups = sources.replace_strict(_SOURCE_GROUP, default="other").to_numpy()
    agency = np.empty(n, dtype=object)
    role = np.empty(n, dtype=object)
    summary = np.empty(n, dtype=object)
    for group, (agency_code, roles, texts) in _CONTACT_TEXT.items():
        sel = np.flatnonzero(groups == group)
        agency[sel] = agency_code
        if roles:
            role[sel] = np.asarray(roles, dtype=object)[rng.integers(0, len(roles), sel.size)]
        lo = np.asarray([t[1][0] for t in texts])
        hi = np.asarray([t[1][1] for t in texts])
        fits = (age[sel, None] >= lo) & (age[sel, None] < hi)
        pick = np.argmax(rng.random((sel.size, len(texts))) * fits, axis=1)  # a random one that fits
        summary[sel] = np.asarray([t[0] for t in texts], dtype=object)[pick]
    for code, health_roles in _HEALTH_ROLES.items():
        sel = np.flatnonzero(codes == code)
        role[sel] = np.asarray(health_roles, dtype=object)[rng.integers(0, len(health_roles), sel.size)]
    early_years = np.flatnonzero((groups == "education") & (age < 4))
    role[early_years] = np.asarray(_EARLY_YEARS_ROLES, dtype=object)[rng.integers(0, 2, early_years.size)]
    u = rng.random(n)
    frame = pl.DataFrame(
        {
            "first": adult_first_names(rng, rng.random(n) < 0.7, np.zeros(n, dtype=np.int64)),
            "last": surnames(rng, np.zeros(n, dtype=np.int64)),
            "role": pl.Series(role.astype(str)),
            "agency": pl.Series(agency.astype(str)),
            "badge": rng.integers(1000, 9999, n),
            "unnamed": np.isin(groups, ["anonymous", "self"]),
            "self": groups == "self",
            "u": u,
            "phone": rng.integers(0, 1000, n),
        }
    )
    professional = pl.col("agency") != ""
    named = ~pl.col("unnamed")
    email = pl.concat_str(
        pl.col("first").str.to_lowercase(),
        pl.lit("."),
        pl.col("last").str.to_lowercase().str.replace_all(r"[' ]", ""),
        pl.lit("@"),
        pl.col("agency").replace_strict(_EMAIL_DOMAINS, default="mail.example"),
    )
    has_phone = pl.when(professional).then(pl.col("u") < 0.8).when(named).then(pl.col("u") < 0.6)
    return frame.select(
        referrer_name=pl.when(named).then(pl.concat_str("first", pl.lit(" "), "last")).otherwise(pl.lit("")),
        referrer_role=pl.when(pl.col("role").is_in(list(_POLICE_TITLES)))
        .then(pl.concat_str(pl.col("role").replace_strict(_POLICE_TITLES, default=""), pl.lit(" "), "badge"))
        .otherwise(pl.col("role")),
        referrer_agency="agency",
        referrer_email=pl.when(professional | (named & (pl.col("u") < 0.35))).then(email).otherwise(pl.lit("")),
        # Ofcom's numbers kept for drama (01632 960000 to 960999): never anyone's real number.
        referrer_phone=pl.when(has_phone.otherwise(pl.col("self") & (pl.col("u") < 0.3)))
        .then(pl.concat_str(pl.lit("01632 960"), pl.col("phone").cast(pl.String).str.zfill(3)))
        .otherwise(pl.lit("")),
        summary=pl.Series(summary.astype(str)),
    )


# Names a child is often called instead of the name on their records (for the slips in contacts).
NICKNAMES: dict[str, list[str]] = {
    "Olivia": ["Liv", "Livvy"],
    "Amelia": ["Millie", "Amy"],
    "Isabella": ["Bella", "Izzy"],
    "Sophia": ["Sophie"],
    "Sofia": ["Sophie"],
    "Florence": ["Flo"],
    "Charlotte": ["Charlie", "Lottie"],
    "Matilda": ["Tilly"],
    "Jessica": ["Jess"],
    "Evelyn": ["Evie"],
    "Elsie": ["Elise"],
    "Bethany": ["Beth"],
    "Hannah": ["Hanna"],
    "Rosie": ["Rose"],
    "Maisie": ["Maisy"],
    "Lucy": ["Lu"],
    "Megan": ["Meg"],
    "Courtney": ["Court"],
    "Scarlett": ["Scarlet"],
    "Jasmin": ["Jas", "Jasmine"],
    "Khadija": ["Khadijah"],
    "Ayesha": ["Aisha"],
    "Aaliyah": ["Aliyah"],
    "Simran": ["Sim"],
    "Deborah": ["Debbie"],
    "Precious": ["Presh"],
    "Oliver": ["Ollie", "Olly"],
    "William": ["Will", "Billy", "Liam"],
    "Thomas": ["Tom", "Tommy"],
    "Theodore": ["Theo", "Teddy"],
    "Henry": ["Harry"],
    "Harry": ["Haz"],
    "Alfie": ["Alf"],
    "Freddie": ["Fred", "Freddy"],
    "James": ["Jamie", "Jim"],
    "Joshua": ["Josh"],
    "Josiah": ["Josh"],
    "Daniel": ["Dan", "Danny"],
    "Samuel": ["Sam", "Sammy"],
    "Joseph": ["Joe", "Joey"],
    "Jacob": ["Jake"],
    "Nathaniel": ["Nathan", "Nate"],
    "Isaac": ["Ike"],
    "Callum": ["Cal"],
    "Mason": ["Mase"],
    "Harvey": ["Harv"],
    "Archie": ["Arch"],
    "Muhammad": ["Mohammed", "Mo"],
    "Ibrahim": ["Ibby"],
    "Zakariya": ["Zak", "Zakaria"],
    "Yusuf": ["Yousef"],
    "Emmanuel": ["Manny"],
    "Elijah": ["Eli"],
    "David": ["Dave"],
}


def typo(rng: np.random.Generator, name: str) -> str:
    """The name as someone might mistype or mishear it: two letters swapped, one dropped or one doubled."""
    if len(name) < 4:
        return name + name[-1]
    i = int(rng.integers(1, len(name) - 1))
    kind = int(rng.integers(0, 3))
    if kind == 0 and name[i] != name[i + 1]:
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    if kind == 1:
        return name[:i] + name[i + 1 :]
    return name[: i + 1] + name[i] + name[i + 1 :]
