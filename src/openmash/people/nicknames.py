"""First names that are the same name: short forms and nicknames, and spellings of one name.

A child recorded at school as William may reach the front door as Billy, and a Sophia as Sofia. Each
group below holds a full name followed by the names people commonly use for it. Two names are the same
name when one group holds both: Bill and Billy are both William; Charlie is Charles and Charlotte, but
Charles is not Charlotte. The groups cover the first names of the demo borough (demo/names.py) and the
commonest English ones besides.

Matching reads the groups at search time only (nothing derived from them is stored), so adding a
group changes results at once without touching the register.
"""

from __future__ import annotations

from functools import cache

from .name_keys import normalise

GROUPS: tuple[tuple[str, ...], ...] = (
    # Boys
    ("William", "Will", "Bill", "Billy", "Willie", "Willy", "Liam", "Wills"),
    ("James", "Jim", "Jimmy", "Jamie", "Jimbo", "Jem"),
    ("John", "Jack", "Johnny", "Jon", "Jonny"),
    ("Jonathan", "Jon", "Jonny", "Johnny"),
    ("Thomas", "Tom", "Tommy", "Thom"),
    ("Robert", "Rob", "Robbie", "Bob", "Bobby", "Bert"),
    ("Richard", "Rich", "Richie", "Rick", "Ricky", "Dick"),
    ("Edward", "Ed", "Eddie", "Ted", "Teddy", "Ned"),
    ("Theodore", "Theo", "Ted", "Teddy"),
    ("Henry", "Harry", "Hal", "Hank"),
    ("Harold", "Harry", "Hal"),
    ("Charles", "Charlie", "Chas", "Chuck", "Chaz"),
    ("Alexander", "Alex", "Alec", "Al", "Sandy", "Xander", "Lex", "Sasha"),
    ("Alfred", "Alf", "Alfie", "Fred", "Freddie", "Freddy"),
    ("Frederick", "Fred", "Freddie", "Freddy", "Fredrick"),
    ("Archibald", "Archie", "Arch"),
    ("Arthur", "Art", "Artie"),
    ("Benjamin", "Ben", "Benji", "Benny"),
    ("Daniel", "Dan", "Danny"),
    ("David", "Dave", "Davey", "Davie"),
    ("Joseph", "Joe", "Joey", "Jo"),
    ("Joshua", "Josh"),
    ("Josiah", "Josh", "Joss"),
    ("Samuel", "Sam", "Sammy"),
    ("Matthew", "Matt", "Matty"),
    ("Michael", "Mike", "Mikey", "Mick", "Micky"),
    ("Nathaniel", "Nathan", "Nat", "Nate"),
    ("Nicholas", "Nick", "Nicky", "Nico"),
    ("Christopher", "Chris", "Kit", "Topher"),
    ("Anthony", "Tony", "Ant"),
    ("Andrew", "Andy", "Drew"),
    ("Stephen", "Steve", "Steven", "Stevie"),
    ("Peter", "Pete"),
    ("Philip", "Phil", "Pip", "Filip", "Phillip"),
    ("Patrick", "Pat", "Paddy"),
    ("Timothy", "Tim", "Timmy"),
    ("Oliver", "Ollie", "Olly"),
    ("George", "Georgie"),
    ("Jacob", "Jake", "Jakub", "Kuba", "Jay"),
    ("Isaac", "Ike", "Zac", "Zack"),
    ("Zakariya", "Zakaria", "Zachariah", "Zachary", "Zak", "Zac", "Zack"),
    ("Lucas", "Luke", "Luka", "Lukas"),
    ("Lewis", "Louis", "Lou"),
    ("Finley", "Finn", "Finlay"),
    ("Callum", "Cal", "Calum"),
    ("Maximilian", "Max", "Maxwell", "Maxi"),
    ("Elijah", "Eli"),
    ("Emmanuel", "Manny", "Emanuel"),
    ("Marcus", "Marc", "Mark"),
    ("Oscar", "Oskar", "Ozzy", "Ossie"),
    ("Reece", "Rhys", "Reese"),
    ("Muhammad", "Mohammed", "Mohammad", "Mohamed", "Muhammed", "Mo"),
    ("Zayn", "Zain", "Zane"),
    ("Omar", "Umar"),
    ("Ibrahim", "Ibraheem", "Ebrahim"),
    ("Yusuf", "Yousef", "Yusef", "Youssef"),
    ("Adebayo", "Ade", "Bayo"),
    ("Olufemi", "Femi"),
    ("Tobiloba", "Tobi"),
    ("Tobias", "Toby", "Tobi"),
    ("Jayden", "Jaden", "Jaiden", "Jay"),
    # Girls
    ("Elizabeth", "Liz", "Lizzie", "Lizzy", "Beth", "Betty", "Eliza", "Libby", "Elsie", "Bess", "Betsy"),
    ("Katherine", "Kate", "Katie", "Kathryn", "Catherine", "Cath", "Cathy", "Kathy", "Kat", "Kitty"),
    ("Margaret", "Maggie", "Meg", "Peggy", "Maisie", "Greta"),
    ("Mary", "Molly", "Polly", "May", "Mae"),
    ("Amelia", "Millie", "Amy", "Emmy", "Melia"),
    ("Emily", "Em", "Emmy", "Millie"),
    ("Isabella", "Bella", "Izzy", "Issy", "Isabel", "Isobel", "Isabelle", "Belle"),
    ("Olivia", "Liv", "Livvy", "Livia", "Ollie"),
    ("Sophia", "Sofia", "Sophie", "Sofie", "Soph", "Zofia", "Zosia"),
    ("Charlotte", "Lottie", "Lotte", "Charlie", "Lotty"),
    ("Florence", "Flo", "Florrie", "Flossie"),
    ("Matilda", "Tilly", "Tilda", "Mattie"),
    ("Evelyn", "Evie", "Eve", "Evelina"),
    ("Eleanor", "Ellie", "Nell", "Nellie", "Elle", "Nora"),
    ("Gabriella", "Gabby", "Gabi"),
    ("Jessica", "Jess", "Jessie", "Jessy"),
    ("Megan", "Meg", "Meghan"),
    ("Bethany", "Beth"),
    ("Rebecca", "Becky", "Becca", "Bex"),
    ("Victoria", "Vicky", "Tori", "Vikki"),
    ("Alexandra", "Alex", "Alexa", "Lexi", "Sandra", "Sasha", "Alix"),
    ("Abigail", "Abby", "Abbie", "Gail"),
    ("Samantha", "Sam", "Sammy"),
    ("Deborah", "Debbie", "Deb", "Debs", "Debra"),
    ("Jennifer", "Jen", "Jenny", "Jenna"),
    ("Susan", "Sue", "Susie", "Suzanne"),
    ("Rosemary", "Rose", "Rosie", "Rosa"),
    ("Rose", "Rosie", "Rosa"),
    ("Grace", "Gracie"),
    ("Lily", "Lil", "Lilly", "Lillie"),
    ("Julia", "Jules", "Julie"),
    ("Hannah", "Hana"),
    ("Jasmine", "Jasmin", "Jas", "Yasmin", "Yasmine"),
    ("Maryam", "Mariam", "Miriam"),
    ("Fatima", "Fatimah", "Fatma"),
    ("Aisha", "Ayesha", "Aysha", "Aishah"),
    ("Aaliyah", "Aliyah", "Aleah"),
    ("Khadija", "Khadijah", "Khadeeja"),
    ("Sana", "Sanaa"),
    ("Amelie", "Amely"),
    ("Naomi", "Nomi"),
    ("Oluwakemi", "Kemi"),
    ("Ifeoma", "Ify"),
    ("Zuri", "Zuria"),
)


@cache
def _groups_of() -> dict[str, frozenset[int]]:
    groups: dict[str, set[int]] = {}
    for index, group in enumerate(GROUPS):
        for name in group:
            groups.setdefault(normalise(name), set()).add(index)
    return {name: frozenset(indexes) for name, indexes in groups.items()}


def same_name(a: str, b: str) -> bool:
    """Whether two normalised first names are one name (a short form, nickname or other spelling)."""
    if a == b:
        return True
    groups = _groups_of()
    return bool(groups.get(a, frozenset()) & groups.get(b, frozenset()))


def equivalents(name: str) -> frozenset[str]:
    """Every normalised name that is the same name as this normalised one, itself included."""
    found = {name}
    for index in _groups_of().get(name, frozenset()):
        found.update(normalise(n) for n in GROUPS[index])
    return frozenset(found)
