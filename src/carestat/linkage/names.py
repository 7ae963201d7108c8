"""Synthetic names: common English forenames and surnames with rough frequencies, nicknames, and a
long tail of composed surnames so that names carry as much information as real ones do.

Lists are facts about common names (no real person is described); weights are rank-based
(Zipf-like), not measured frequencies.
"""

from __future__ import annotations

from functools import cache

import numpy as np

BOYS = ["Oliver", "Jack", "Harry", "George", "Noah", "Charlie", "Jacob", "Alfie", "Freddie", "Oscar", "Leo", "Logan", "Archie", "Theo", "Thomas", "James", "Joshua", "William", "Henry", "Max", "Lucas", "Ethan", "Arthur", "Mason", "Isaac", "Harrison", "Teddy", "Finley", "Daniel", "Riley", "Edward", "Joseph", "Alexander", "Adam", "Reggie", "Samuel", "Jaxon", "Sebastian", "Elijah", "Harley", "Toby", "Arlo", "Dylan", "Jude", "Benjamin", "Rory", "Tommy", "Jake", "Louie", "Carter", "Jenson", "Hugo", "Bobby", "Frankie", "Ollie", "Zachary", "David", "Albie", "Lewis", "Luca", "Ronnie", "Jackson", "Matthew", "Alex", "Harvey", "Reuben", "Jayden", "Caleb", "Hunter", "Theodore", "Nathan", "Blake", "Luke", "Elliot", "Kai", "Stanley", "Dexter", "Michael", "Jesse", "Liam", "Albert", "Felix", "Aaron", "Ezra", "Gabriel", "Callum", "Ryan", "Connor", "Kieran", "Jordan", "Tyler", "Bradley", "Kyle", "Declan", "Robert", "Christopher", "Anthony", "Andrew", "Joel", "Patrick", "Owen", "Aiden", "Mohammed", "Muhammad", "Ali", "Ibrahim", "Yusuf", "Omar", "Hassan", "Ayaan", "Kacper", "Jakub", "Szymon", "Filip", "Mateo", "Kofi", "Tobias", "Ellis", "Louis", "Rhys", "Cameron", "Aidan", "Sonny", "Marcus", "Nathaniel", "Shane"]
GIRLS = ["Olivia", "Amelia", "Isla", "Ava", "Emily", "Isabella", "Mia", "Poppy", "Ella", "Lily", "Evie", "Sophia", "Grace", "Jessica", "Freya", "Sophie", "Scarlett", "Charlotte", "Chloe", "Daisy", "Alice", "Florence", "Ruby", "Phoebe", "Millie", "Matilda", "Evelyn", "Sienna", "Ivy", "Harper", "Willow", "Rosie", "Elsie", "Esme", "Eliza", "Eva", "Layla", "Erin", "Lucy", "Maisie", "Imogen", "Holly", "Hannah", "Emma", "Lola", "Bella", "Thea", "Molly", "Zara", "Luna", "Maya", "Ellie", "Katie", "Megan", "Lauren", "Bethany", "Rebecca", "Amy", "Abigail", "Georgia", "Leah", "Niamh", "Caitlin", "Paige", "Courtney", "Shannon", "Jasmine", "Eleanor", "Harriet", "Elizabeth", "Katherine", "Victoria", "Samantha", "Jennifer", "Rachel", "Nicole", "Danielle", "Natalie", "Kayla", "Aisha", "Fatima", "Maryam", "Zainab", "Amira", "Hafsa", "Maja", "Zuzanna", "Julia", "Hanna", "Amara", "Chantelle", "Tia", "Demi", "Jade", "Kirsty", "Stephanie", "Alexandra", "Josephine", "Margaret", "Violet", "Aria", "Mila", "Ayla", "Nancy", "Hallie", "Orla", "Mabel", "Edith", "Ada", "Iris"]
SURNAMES = ["Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark", "Lee", "King", "Baker", "Harrison", "Morgan", "Allen", "James", "Scott", "Phillips", "Watson", "Davis", "Parker", "Price", "Bennett", "Young", "Griffiths", "Mitchell", "Kelly", "Cook", "Carter", "Richardson", "Bailey", "Collins", "Bell", "Shaw", "Murphy", "Miller", "Cox", "Richards", "Khan", "Marshall", "Anderson", "Simpson", "Ellis", "Adams", "Singh", "Begum", "Wilkinson", "Foster", "Chapman", "Powell", "Webb", "Rogers", "Gray", "Mason", "Ali", "Hunt", "Hussain", "Campbell", "Matthews", "Owen", "Palmer", "Holmes", "Mills", "Barnes", "Knight", "Lloyd", "Butler", "Russell", "Barker", "Fisher", "Stevens", "Jenkins", "Murray", "Dixon", "Harvey", "Graham", "Pearson", "Ahmed", "Fletcher", "Walsh", "Kaur", "Gibson", "Howard", "Andrews", "Stewart", "Elliott", "Reynolds", "Saunders", "Payne", "Fox", "Ford", "Pearce", "Day", "Brooks", "West", "Lawrence", "Cole", "Atkinson", "Bradley", "Spencer", "Gill", "Dawson", "Ball", "Burton", "OBrien", "Watts", "Rose", "Booth", "Perry", "Ryan", "Grant", "Wells", "Armstrong", "Francis", "Rees", "Hayes", "Hart", "Hudson", "Newman", "Barrett", "Webster", "Hunter", "Gregory", "Carr", "Lowe", "Page", "Marsh", "Riley", "Dunn", "Woods", "Parsons", "Berry", "Stone", "Reid", "Holland", "Hawkins", "Harding", "Porter", "Robertson", "Newton", "Oliver", "Reed", "Kennedy", "Williamson", "Bird", "Gardner", "Shah", "Dean", "Lane", "Cooke", "Bates", "Henderson", "Parry", "Burgess", "Bishop", "Walton", "Burns", "Nicholson", "Shepherd", "Ross", "Cross", "Long", "Freeman", "Warren", "Nicholls", "Hamilton", "Byrne", "Sutton", "McDonald", "Yates", "Hodgson", "Robson", "Curtis", "Hopkins", "OConnor", "Harper", "Coleman", "Watkins", "Moss", "McCarthy", "Chambers", "ONeill", "Griffin", "Sharp", "Hardy", "Wheeler", "Potter", "Osborne", "Johnston", "Gordon", "Doyle", "Wallace", "George", "Jordan", "Hutchinson", "Rahman", "Nowak", "Kowalski"]
# Pieces of composed surnames (Ashworth, Blackburn...): a long tail of rarer names.
_STEMS = ["Ash", "Black", "Brad", "Brook", "Bram", "Cal", "Clay", "Craw", "Dal", "Dun", "Elm", "Fair", "Farn", "Green", "Hal", "Hart", "Hay", "Hol", "Kirk", "Lang", "Lind", "Mar", "Mill", "Mor", "Nor", "Old", "Pen", "Red", "Rid", "Ross", "Sand", "Shel", "Stan", "Stock", "Thorn", "Wat", "West", "Whit", "Wind", "Wood"]
_ENDS = ["worth", "ley", "ton", "ford", "field", "wood", "well", "ham", "by", "burn", "combe", "dale", "hurst", "more", "stead", "wick", "bridge", "croft", "shaw", "land"]
NICKNAMES = {
    "William": ("Will", "Bill", "Billy"), "Robert": ("Rob", "Bob", "Bobby"), "Thomas": ("Tom", "Tommy"),
    "James": ("Jim", "Jamie"), "Joshua": ("Josh",), "Daniel": ("Dan", "Danny"), "Matthew": ("Matt",),
    "Alexander": ("Alex", "Xander"), "Benjamin": ("Ben",), "Samuel": ("Sam", "Sammy"), "Joseph": ("Joe", "Joey"),
    "Edward": ("Ed", "Eddie", "Ted"), "Michael": ("Mike", "Mikey"), "Christopher": ("Chris",), "Anthony": ("Tony",),
    "Andrew": ("Andy", "Drew"), "Nathaniel": ("Nate", "Nat"), "Zachary": ("Zach",), "Frederick": ("Fred",),
    "Theodore": ("Theo", "Ted"), "Henry": ("Harry", "Hal"), "Oliver": ("Ollie",), "Charles": ("Charlie",),
    "Elizabeth": ("Liz", "Beth", "Lizzie"), "Katherine": ("Kate", "Katie", "Kat"), "Victoria": ("Vicky", "Tori"),
    "Samantha": ("Sam", "Sammie"), "Jennifer": ("Jen", "Jenny"), "Rebecca": ("Becky", "Becca"),
    "Abigail": ("Abbie", "Abby"), "Eleanor": ("Ellie", "Nell"), "Alexandra": ("Alex", "Lexi"),
    "Josephine": ("Josie", "Jo"), "Margaret": ("Maggie", "Peggy"), "Jessica": ("Jess", "Jessie"),
    "Isabella": ("Bella", "Izzy"), "Charlotte": ("Lottie", "Charlie"), "Natalie": ("Nat",),
    "Danielle": ("Dani",), "Stephanie": ("Steph",), "Amelia": ("Millie",), "Florence": ("Flo",),
    "Matilda": ("Tilly",), "Olivia": ("Liv",), "Sophia": ("Sophie",), "Harriet": ("Hattie",),
}


def _zipf(n: int, s: float = 0.9) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1) ** s
    return w / w.sum()


@cache
def surname_pool() -> tuple[np.ndarray, np.ndarray]:
    """Surnames and their probabilities: common names (60%) then the composed tail (40%)."""
    tail = sorted({s + e for s in _STEMS for e in _ENDS} - set(SURNAMES))
    names = np.array(SURNAMES + tail)
    p = np.concatenate([0.6 * _zipf(len(SURNAMES), 0.6), 0.4 * _zipf(len(tail), 0.3)])
    return names, p / p.sum()


@cache
def forename_pool(female: bool) -> tuple[np.ndarray, np.ndarray]:
    names = GIRLS if female else BOYS
    return np.array(names), _zipf(len(names), 0.7)


@cache
def canonical_forenames() -> dict[str, str]:
    """Nickname -> formal name (upper case), for the linkage's 'same name, another form' level."""
    out: dict[str, str] = {}
    for formal, short in NICKNAMES.items():
        for nick in short:
            out.setdefault(nick.upper(), formal.upper())
    return out


def draw_forenames(female: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    out = np.empty(len(female), dtype=object)
    for flag in (False, True):
        names, p = forename_pool(flag)
        mask = female == flag
        out[mask] = names[rng.choice(len(names), int(mask.sum()), p=p)]
    return out


def draw_surnames(n: int, rng: np.random.Generator) -> np.ndarray:
    names, p = surname_pool()
    return names[rng.choice(len(names), n, p=p)].astype(object)
