#!/usr/bin/env python3
"""Generate the long-term-memory retrieval evaluation dataset (dataset.json).

Each synthetic user says 40-60 chat turns (every turn becomes one memory): mostly
filler small talk, some distractors that share words with the user's facts, and
10-12 planted personal facts. Each user then asks 8-12 questions about those
facts, of three kinds: "paraphrase" (no content word shared with the answer
turn), "keyword" (names a rare token of the fact: a name, code or number) and
"mixed" (shares one or two content words with the answer turn).

Standard library only, deterministic (random.Random(SEED), no set-ordered
choices), so running it again rewrites dataset.json byte for byte.

    python3 generate.py            # (re)write dataset.json next to this file
    python3 generate.py --check    # validate dataset.json and print a summary
    python3 generate.py --stdout   # print the JSON instead of writing it
    python3 generate.py --stats    # summary with per-category counts, writes nothing
"""

import argparse
import json
import os
import re
import random
import sys

SEED = 7
VERSION = 1
N_USERS = 40
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "dataset.json")
KINDS = ("paraphrase", "keyword", "mixed")

# ---------------------------------------------------------------------------
# Text helpers: a crude tokenizer/stemmer, only used to *design* the questions
# (a paraphrase shares no content word with its answer turn, a mixed question
# shares one or two). It approximates a snowball-stemmed word index.
# ---------------------------------------------------------------------------

STOP = set("""
a about above after again against all also am an and any are as at be because been
before being below between both but by can could d did do does doing don down during
each else ever few for from further had has have having he her here hers herself him
himself his how i if in into is it its itself just ll let m me might more most must my
myself no nor not now of off on once only or other our ours ourselves out over own re
s same shall she should so some such t than that the their theirs them themselves then
there these they this those through to too under until up us ve very was we were what
when where which while who whom whose why will with would y you your yours yourself
yourselves tell told say said remind mention mentioned know remember thing things
anything something really please again still yet oh ok okay hey yeah lol
""".split())

TOKEN_RE = re.compile(r"[^\W_]+")


def tokens(text):
    return TOKEN_RE.findall(text.lower())


def stem(w):
    w = w.lower()
    for suf, rep in (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""),
                     ("es", ""), ("s", ""), ("ly", "")):
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            w = w[: -len(suf)] + rep
            break
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiouls":
        w = w[:-1]
    return w


def all_stems(text):
    return {stem(t) for t in tokens(text)}


def content(text):
    return {stem(t) for t in tokens(text) if t not in STOP}


def an(word):
    w = word.lower()
    vowel = w[0] in "aeiou" and not w.startswith(("one", "uni", "eu", "use"))
    return ("an " if vowel else "a ") + word


def cap(s):
    return s[0].upper() + s[1:]


# ---------------------------------------------------------------------------
# Value pools
# ---------------------------------------------------------------------------

CITIES = """Tromsø Bergen Valparaíso Oaxaca Tartu Kraków Ljubljana Plovdiv Cusco Hobart
Nagasaki Zanzibar Tbilisi Porto Ghent Galway Inverness Aarhus Gdańsk Brno Salzburg
Bordeaux Lyon Marseille Seville Granada Palermo Trieste Thessaloniki Izmir Sarajevo
Riga Vilnius Tallinn Helsinki Turku Oulu Reykjavík Akureyri Cork Swansea Dundee York
Norwich Winnipeg Quebec Portland Tucson Savannah Asheville Boise Anchorage Mérida
Medellín Cartagena Arequipa Mendoza Montevideo Recife Florianópolis Durban Windhoek
Accra Kumasi Mombasa Kigali Marrakesh Essaouira Tunis Luxor Muscat Tabriz Almaty
Samarkand Ulaanbaatar Kathmandu Pokhara Kandy Chennai Kochi Jaipur Hanoi Penang
Kuching Cebu Busan Sapporo Kanazawa Fukuoka Kaohsiung Perth Adelaide Dunedin Rotorua
Suva Bratislava Lausanne Maastricht Antwerp Odense Uppsala Bremen Leipzig Dresden
Innsbruck Verona Lecce Bari Cádiz Málaga Valletta Split Dubrovnik Kotor Ohrid""".split()

FEMALE = """Amara Chiara Farida Gwen Ines Kalani Leona Nadia Priya Rosalind Tamsin Uma Ximena
Zofia Anouk Clementine Elif Greta Isolde Mirela Niamh Paloma Saoirse Ulla Valentina Yara
Beatrix Dagny Freya Hanne Juno Linnea Noor Orla Rhiannon Thea Vesna Wilhelmina Zuzana
Adaeze Cressida Esme Gulnara Ilse Keturah Marisol Odile Svetlana Willa Yelena Zainab
Brigid Delphine Fenna Halima Jolene Lavinia Nerys Petra Sigrid Ottilie Winifred Ysolde
Bronwen Dervla Fiorella Hyacinth Ingrid Kiri Maren Ophelia Rosalie Tuva Veronika
Yasmin""".split()
MALE = """Bjørn Dmitri Eero Hamid Jonas Mateo Oskar Quentin Soren Viktor Yusuf Bastian
Desmond Fintan Hugo Jarrah Kofi Lorcan Olek Rafferty Tobias Wendell Zeno Aurelio Emeka
Gideon Ignatius Kasimir Magnus Piet Sanjay Umar Yannick Benedikt Dorian Florin Hector
Joaquín Leopold Nikolai Radek Teodor Vaughn Xavier Aksel Cyrus Emrys Gaspard Idris Kenji
Malachi Osian Rohan Tariq Valdemar Zebedee Anselm Eamon Gaétan Jasper Lucian Nnamdi Pavel
Stellan Ugo Wolfgang Zoltan""".split()
NAMES = FEMALE + MALE

PET_NAMES = """Biscuit Pepper Mochi Noodle Pickles Waffles Bramble Ziggy Pumpkin Tofu
Marzipan Pistachio Crumpet Gizmo Basil Nugget Sprout Truffle Fudge Pudding Toffee Chutney
Kipper Custard Bagel Dumpling Nacho Olive Rascal Sherbet Sputnik Teacup Turnip Wasabi
Yoshi Brioche Domino Fig Hobbes Igloo Jellybean Lentil Mango Oreo Quill Rolo Scout
Umbra Velvet Wombat Yeti Ziti Bobbin Cricket Dynamo Goblin Haggis Jinx Kumquat
Marmalade Noodle Parsnip Radish Snickers Tapioca Waffle Zorro""".split()

# species word, breed phrase, casual word used in a paraphrase question
PETS = [
    ("dog", "beagle", "pup"), ("dog", "whippet", "pup"), ("dog", "dachshund", "pooch"),
    ("dog", "border collie", "pup"), ("dog", "greyhound", "pooch"), ("dog", "corgi", "pup"),
    ("dog", "labrador", "pooch"), ("dog", "schnauzer", "pup"), ("dog", "vizsla", "pooch"),
    ("dog", "samoyed", "pup"), ("dog", "pug", "pooch"), ("dog", "springer spaniel", "pup"),
    ("cat", "tabby", "kitty"), ("cat", "ragdoll", "kitty"), ("cat", "Siamese", "kitty"),
    ("cat", "Maine Coon", "kitty"), ("cat", "Bengal", "kitty"), ("cat", "Persian", "kitty"),
    ("rabbit", "lop-eared rabbit", "bunny"), ("rabbit", "dwarf rabbit", "bunny"),
    ("bird", "cockatiel", "feathered friend"), ("bird", "budgie", "feathered friend"),
    ("bird", "African grey parrot", "feathered friend"),
    ("tortoise", "Hermann's tortoise", "shelled friend"),
    ("ferret", "ferret", "furball"), ("gecko", "leopard gecko", "scaly friend"),
    ("guinea pig", "guinea pig", "furball"), ("hamster", "Syrian hamster", "furball"),
]

JOBS = """radiographer locksmith sommelier cartographer actuary paramedic glazier luthier
stenographer archivist upholsterer zookeeper hydrologist farrier welder midwife
optometrist choreographer dietitian blacksmith seismologist plumber electrician
pharmacist anaesthetist auditor illustrator geologist microbiologist typesetter
podiatrist meteorologist cobbler horologist conservator arborist""".split()

COMPANY_PREFIX = """Brightwater Copperleaf Northgate Halvorsen Quillfeather Ironbark
Bluestone Silverline Oakridge Redfern Larkspur Tidewell Greyhaven Ambergate Moorcroft
Foxglove Stonebridge Blackthorn Altamira Pelham Wexmoor Caldera Fairhaven Kinloch
Marrowby Penrose Sablewood Thistlecroft Vellmar Yarrowdale""".split()
COMPANY_SUFFIX = """Logistics Analytics Biotech Studios Insurance Robotics Publishing Energy
Foods Architects Health Games Labs Consulting Textiles Maritime""".split()

# allergen, is it something you eat
ALLERGENS = [("peanuts", True), ("shellfish", True), ("penicillin", False),
             ("sesame", True), ("kiwi", True), ("latex", False), ("cashews", True),
             ("mustard", True), ("celery", True), ("lupin", True), ("strawberries", True),
             ("soy", True), ("hazelnuts", True), ("sulphites", True), ("aspirin", False),
             ("walnuts", True), ("wasp stings", False), ("buckwheat", True)]

DISHES = """bibimbap pierogi shakshuka laksa moussaka khachapuri okonomiyaki ceviche gnocchi
jambalaya paella goulash tagine falafel empanadas bobotie pelmeni dosa biryani tamales
arancini spanakopita feijoada rendang poutine pastitsio ratatouille bouillabaisse
cassoulet pho""".split()

MONTHS = """January February March April May June July August September October November
December""".split()
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday".split()
COLOURS = """green silver red blue black white yellow orange maroon beige grey""".split()

CARS = [("Skoda", "Octavia"), ("Renault", "Zoe"), ("Volvo", "V70"), ("Fiat", "Panda"),
        ("Mazda", "MX-5"), ("Toyota", "Yaris"), ("Kia", "Ceed"), ("Dacia", "Duster"),
        ("Honda", "Civic"), ("Volkswagen", "Polo"), ("Nissan", "Micra"), ("Subaru", "Outback"),
        ("Citroën", "Berlingo"), ("Ford", "Fiesta"), ("Peugeot", "Partner"),
        ("Hyundai", "Ioniq"), ("Volvo", "XC40"), ("Suzuki", "Jimny"), ("Lada", "Niva"),
        ("Toyota", "Prius"), ("Renault", "Clio"), ("Opel", "Corsa"), ("Saab", "9-3"),
        ("Alfa Romeo", "Giulietta"), ("Land Rover", "Defender"), ("Volkswagen", "Golf"),
        ("Ford", "Transit"), ("Kia", "Sorento"), ("Mitsubishi", "Outlander")]

HOBBIES = """bouldering pottery beekeeping fencing bookbinding woodturning calligraphy
archery birdwatching orienteering crochet kitesurfing falconry glassblowing origami
astrophotography geocaching embroidery bonsai kayaking juggling marquetry letterpress
capoeira curling fermenting""".split()

LANGS = """Portuguese Finnish Korean Icelandic Swahili Georgian Turkish Dutch Polish
Japanese Vietnamese Hungarian Welsh Greek Tagalog Hebrew Czech Catalan Basque Romanian
Mandarin Arabic Norwegian Gaelic Estonian Ukrainian""".split()

TRAVEL_REASONS = ["a friend's wedding", "a conference", "two weeks of hiking",
                  "my cousin's graduation", "a food tour", "a long-overdue holiday",
                  "a music festival", "a work trip", "a diving course", "a reunion"]

DOCTORS = ["dentist", "dermatologist", "physiotherapist", "optician", "cardiologist",
           "orthodontist", "podiatrist", "allergist", "rheumatologist", "ENT specialist",
           "neurologist", "gastroenterologist"]
SURNAMES = """Okonkwo Lindqvist Ferreira Nakamura Abernathy Castellanos Dubois Haddad
Kowalczyk Oyelaran Petrakis Rautio Szabo Thorsen Vasquez Whitlock Yilmaz Zielinski
Achterberg Ekwueme Fairbairn Ishikawa Jovanovic Lacroix Moreau Nwosu Pellegrini Quarshie
Rasmussen Sandoval Tanaka Varga Mwangi Oduya Brennan Halloran Marwick Ellory Castellane
Quennell Ashdown Delany Gorecki Hawtrey Imrie Jessop Kavanagh Mbatha Nyberg Ostrowski
Penhallow Rendell Sotomayor Trelawney Vanterpool Wexford Albescu Drummond Fenwright""".split()
TIMES = ["8:40", "9:15", "10:30", "11:45", "1:20", "2:50", "3:15", "4:10", "5:35"]

TITLE_ADJ = """Salt Glass Hollow Silent Paper Winter Drowned Amber Iron Crooked Seventh
Borrowed Midnight Lantern Copper Quiet Burning""".split()
TITLE_NOUN = """Cartographer Apiary Observatory Ferryman Menagerie Almanac Reliquary
Foundry Lighthouse Aviary Conservatory Labyrinth Tannery Belfry Gazetteer Orangery
Cloister Armoury""".split()
AUTHOR_FIRST = """Mira Tomas Helene Idris Colm Aya Petra Rufus Noemi Sol Jakob Ines Vera
Elias""".split()
BOOK_OPINIONS = ["really gripping", "a bit slow", "beautifully written", "oddly funny",
                 "heartbreaking", "hard to put down"]

CODENAMES = """Kestrel Marigold Bluefin Obsidian Halcyon Tamarind Quasar Wren Basilisk
Sequoia Lodestar Cormorant Saffron Tundra Monsoon Zephyr Cinnabar Gryphon Nightjar
Fennec Mandrake Osprey Pangolin Quokka Sundial Heron Magpie Jackdaw Tinderbox""".split()
PROJECT_DESCS = ["a rewrite of our billing system", "the new customer mobile app",
                 "moving all our servers to the cloud", "a warehouse automation pilot",
                 "an internal search tool", "a redesign of the checkout flow",
                 "a recommendation engine for the online shop",
                 "the migration off our ancient CRM", "a support chatbot",
                 "a new loyalty scheme", "a data warehouse for the finance team",
                 "an overhaul of the payroll software"]

# phone model, key word
PHONES = [("Pixel 7a", "Pixel"), ("Fairphone 5", "Fairphone"), ("Galaxy A54", "Galaxy"),
          ("iPhone 12 mini", "iPhone"), ("Xperia 10", "Xperia"), ("Moto G84", "Moto"),
          ("OnePlus Nord", "OnePlus"), ("Nokia X30", "Nokia"), ("Zenfone 10", "Zenfone"),
          ("Redmi Note 12", "Redmi"), ("Huawei P30", "Huawei"), ("Oppo Find X5", "Oppo")]

INSTRUMENTS = ["cello", "trombone", "banjo", "accordion", "viola", "bassoon", "ukulele",
               "double bass", "oboe", "mandolin", "harp", "tuba", "fiddle", "euphonium",
               "clarinet", "saxophone", "drums", "french horn"]
ENSEMBLE_KINDS = ["brass band", "folk band", "string quartet", "community orchestra",
                  "jazz trio", "ceilidh band", "klezmer band", "wind ensemble"]
ENSEMBLE_PREFIX = """Harbourside Millbrook Ashgrove Lowther Redcliffe Thornbury Kilmory
Briarwood Eastholm Cobblestone Wrenfield Hollowmere Saltmarsh Copperfield Glenmorven
Dunmere""".split()

FEARS = ["spiders", "moths", "clowns", "wasps", "escalators", "pigeons", "jellyfish",
         "balloons", "thunderstorms", "puppets", "mannequins", "snakes", "bats", "crabs"]

# display name, key word
UNIVERSITIES = [("Uppsala University", "Uppsala"), ("Leiden University", "Leiden"),
                ("the University of Coimbra", "Coimbra"), ("the University of Tartu", "Tartu"),
                ("the University of Otago", "Otago"), ("Aberystwyth University", "Aberystwyth"),
                ("Heriot-Watt", "Heriot"), ("McGill", "McGill"),
                ("Trinity College Dublin", "Trinity"), ("the University of Bologna", "Bologna"),
                ("KU Leuven", "Leuven"), ("the University of Stirling", "Stirling"),
                ("Lund University", "Lund"), ("the University of Waikato", "Waikato"),
                ("Charles University", "Charles")]
SUBJECTS = ["marine biology", "art history", "mechanical engineering", "linguistics",
            "philosophy", "chemistry", "geography", "economics", "classics",
            "astrophysics", "nursing", "architecture", "musicology", "anthropology"]

TEAMS = """Feyenoord Hibernian Fenerbahçe Galatasaray Peñarol Olympiacos Boavista Ajax
Benfica Flamengo Sampdoria Anderlecht Hajduk Celtic Dortmund Napoli Panathinaikos Legia
Ferencváros Besiktas Fluminense Corinthians Schalke Juventus""".split()

MEET_PLACES = ["on our first day of secondary school", "at a summer job in a bakery",
               "at a friend's wedding", "in the queue for a concert", "on a night bus",
               "at a chess club", "in a youth hostel", "at a climbing wall",
               "in a first-year maths lecture", "at a pub quiz",
               "volunteering at a food bank"]

BANDS = """Khruangbin Stereolab Tinariwen Portishead Wilco Mogwai Röyksopp Goldfrapp
Bonobo Slowdive Caribou Alvvays Idles Bicep Hozier Bombino Sault Metronomy Björk
Shabaka""".split()

STREETS = """Larkspur Elderberry Hawthorn Bellweather Cinderford Maplewood Osier Quayside
Rowanberry Tamarisk Wisteria Juniper Kingfisher Foxhollow""".split()

PARTNER_WORDS = ["wife", "husband", "girlfriend", "boyfriend", "partner", "fiancée",
                 "fiancé"]

# ---------------------------------------------------------------------------
# Per-user context: keeps planted values apart and reserves their rare tokens
# ---------------------------------------------------------------------------


class Ctx:
    def __init__(self, rng):
        self.rng = rng
        self.used = set()
        self.reserved = set()   # stems of every planted value
        self.keys = {}          # category -> stems of its keyword tokens

    def free(self, v):
        return v.lower() not in self.used and not (all_stems(v) & self.reserved)

    def take(self, pool, key=lambda x: x):
        cands = [v for v in pool if self.free(key(v))]
        v = self.rng.choice(cands)
        self.used.add(key(v).lower())
        self.reserved |= all_stems(key(v))
        return v

    def other(self, pool, key=lambda x: x, avoid=()):
        cands = [v for v in pool if self.free(key(v)) and key(v) not in avoid]
        return self.rng.choice(cands)

    def pick(self, pool):
        return self.rng.choice(pool)

    def number(self, lo, hi):
        while True:
            v = str(self.rng.randint(lo, hi))
            if self.free(v):
                self.used.add(v)
                self.reserved.add(v)
                return v


class Draws:
    """One user's draws in generate_crowded.py and generate_records.py. No two
    values of a user share a content stem, so no answer is ambiguous; also
    serves render()."""

    def __init__(self, rng):
        self.rng = rng
        self.used = set()        # lower-cased values and names taken
        self.reserved = set()    # their content stems
        self.templates = set()   # turn templates already used by this user

    def free(self, text):
        return text.lower() not in self.used and not (content(text) & self.reserved)

    def take(self, pool, key=lambda v: v):
        """A free value from pool, reserved for this user; None if none is left."""
        cands = [x for x in pool if self.free(key(x))]
        if not cands:
            return None
        v = self.rng.choice(cands)
        self.used.add(key(v).lower())
        self.reserved |= content(key(v))
        return v

    def other(self, pool):  # a filler slot value that is none of the user's values
        return self.rng.choice([x for x in pool if self.free(x)])

    def pick(self, pool):
        return self.rng.choice(pool)

    def template(self, pool):
        """A template this user has not said yet, if one is left."""
        fresh = [t for t in pool if t not in self.templates]
        t = self.pick(fresh or pool)
        self.templates.add(t)
        return t


class Fact:
    """One planted fact: its turn(s), keyword tokens, question candidates, distractors."""

    def __init__(self, cat, turns, keys, paraphrase, keyword, mixed, distractors,
                 mode="single"):
        self.cat = cat
        self.turns = turns            # 1 or 2 texts
        self.mode = mode              # single | span (consecutive) | update (later)
        self.keys = set()
        for k in keys:
            self.keys |= {stem(t) for t in tokens(k) if t not in STOP}
        self.cands = {"paraphrase": norm_cands(paraphrase, len(turns)),
                      "keyword": norm_cands(keyword, len(turns)),
                      "mixed": norm_cands(mixed, len(turns))}
        self.distractors = distractors


def norm_cands(cands, n):
    out = []
    for c in cands:
        if isinstance(c, tuple):
            out.append((c[0], list(c[1])))
        else:
            out.append((c, list(range(n))))
    return out


# ---------------------------------------------------------------------------
# Fact categories
# ---------------------------------------------------------------------------


def f_pet(c):
    species, breed, casual = c.pick(PETS)
    name = c.take(PET_NAMES)
    pron = c.pick(["him", "her"])
    text = c.pick([
        f"I have {an(breed)} named {name}.",
        f"My {breed} {name} chewed through another phone charger today.",
        f"{name}, my {breed}, finally learned to sit on command!",
        f"We adopted {an(breed)} last spring and called {pron} {name}.",
        f"{name} (my {breed}) has been sleeping on my laptop bag all afternoon.",
    ])
    para = [f"What's my {casual} called?", f"What do I call my pet?",
            "What's the name of my pet?", f"What name did I give my {casual}?",
            "Who's the animal that lives with me?"]
    kw = [f"What kind of animal is {name}?", f"Who is {name}?",
          f"What did I tell you about {name}?"]
    mixed = [f"What is my {breed} called?", f"What's my {breed}'s name?",
             f"What did I name my {species}?", f"What's the name of my {species}?"]
    other = c.other(PETS, key=lambda p: p[1])
    o_species, o_breed = other[0], other[1]
    o_name = c.other(PET_NAMES)
    d = [f"The {o_breed} next door barked all night again.",
         f"My cousin just got {an(o_breed)} called {o_name}.",
         f"Saw {an(breed)} at the park that looked exactly like a tiny fox.",
         f"Do {o_species}s need a lot of attention, do you think?",
         f"My neighbour's {species} keeps getting into our garden.",
         f"There's a lost {o_species} poster on every lamppost on our street."]
    return Fact("pet", [text], [name], para, kw, mixed, d)


def f_hometown(c):
    city = c.take(CITIES)
    text = c.pick([
        f"I was born in {city} and moved away at eighteen.",
        f"I grew up in {city}, right by the harbour.",
        f"Nothing beats the winters in {city}, where I spent my whole childhood.",
        f"Fun fact: I'm originally from {city}, though my accent has mostly gone.",
    ])
    para = ["Where did I grow up?", "Where's my hometown?",
            "Which place did I spend my early years in?", "Where am I from originally?",
            "Where was I raised as a kid?"]
    kw = [f"What did I tell you about {city}?", f"Why do I know {city} so well?",
          f"What's my connection to {city}?"]
    mixed = ["Where was I born?", "What city did I grow up in?",
             "Where did I spend my childhood?", "Where am I originally from?",
             "Which town was I born in?", "Which harbour town did I grow up in?"]
    o1, o2 = c.other(CITIES), c.other(CITIES)
    while o2 == o1:
        o2 = c.other(CITIES)
    d = [f"My colleague was born in {o1}, she says it's gorgeous.",
         f"Watched a documentary about {o2} last night, looked amazing.",
         f"Is {o1} worth visiting in spring?",
         f"My flatmate grew up in {o2} and never stops talking about it.",
         "Do you ever miss the place you grew up? Oh wait, you're a bot."]
    return Fact("hometown", [text], [city], para, kw, mixed, d)


def f_job(c):
    job = c.take(JOBS)
    n = str(c.rng.randint(2, 19))
    text = c.pick([
        f"I've been {an(job)} for {n} years now.",
        f"{n} years as {an(job)} and I still enjoy the job most days.",
        f"Long shift today. {n} years of being {an(job)} and it never gets easier.",
    ])
    para = ["What do I do for a living?", "What's my profession?", "What's my occupation?",
            "How do I earn my money?"]
    kw = [f"How long have I been {an(job)}?", f"How many years have I worked as {an(job)}?",
          f"Am I {an(job)}?"]
    mixed = ["What's my job?", f"What have I been doing for the last {n} years?",
             "What kind of work do I do?", "What do I do on my long shifts?"]
    o = c.other(JOBS)
    d = [f"My friend works as {an(o)} and loves it.",
         f"Had a long chat with {an(o)} on the train this morning.",
         f"Is it hard to become {an(o)}?",
         "Work was exhausting today, I need a holiday.",
         f"My uncle was {an(o)} for thirty years before he retired."]
    return Fact("job", [text], [job], para, kw, mixed, d)


def f_employer(c):
    prefix = c.take(COMPANY_PREFIX)
    company = f"{prefix} {c.pick(COMPANY_SUFFIX)}"
    year = str(c.rng.randint(2012, 2023))
    text = c.pick([
        f"I've worked at {company} since {year}.",
        f"Big all-hands meeting at {company} tomorrow, I'm dreading it.",
        f"Got my staff badge renewed at {company}, can't believe I've been there since {year}.",
    ])
    para = ["Which firm employs me?", "Who pays my salary?", "Who is my employer?",
            "What organisation am I on the payroll of?"]
    kw = [f"What did I say about {prefix}?", f"What's my connection to {company}?",
          f"Do I have anything to do with {prefix}?"]
    mixed = ["Which company do I work for?", "Where do I work?",
             "Where have I been working since " + year + "?",
             "Which company is having the all-hands meeting?"]
    o = f"{c.other(COMPANY_PREFIX)} {c.pick(COMPANY_SUFFIX)}"
    d = [f"My friend just got a job at {o}, good for her.",
         f"Apparently {o} is hiring again.",
         "The all-hands meeting ran over by an hour, classic.",
         f"Saw an advert for {o} on the bus, weird logo.",
         "Does anyone actually read the company newsletter?"]
    return Fact("employer", [text], [prefix], para, kw, mixed, d)


def f_allergy(c):
    allergen, edible = c.take(ALLERGENS, key=lambda a: a[0])
    opts = [f"I'm allergic to {allergen}, so I always check labels.",
            f"Reminder that I can't go near {allergen}, I'm seriously allergic."]
    if edible:
        opts.append(f"Had a scare at a restaurant, the sauce had {allergen} in it and my throat swelled up.")
    else:
        opts.append(f"Had a scare at the clinic, they nearly gave me {allergen} and I react really badly to it.")
    text = c.pick(opts)
    para = ["What gives me a bad reaction?", "Is there anything my body can't tolerate?",
            "What should I steer clear of for health reasons?",
            "What could make me dangerously ill?"]
    kw = [f"Can I have {allergen}?", f"What happens if I'm exposed to {allergen}?",
          f"Should I worry about {allergen}?"]
    mixed = ["What am I allergic to?", "What do I check labels for?",
             "What did I have a scare with?", "What do I react badly to?"]
    o = c.other([a for a in ALLERGENS if a[1]], key=lambda a: a[0])[0]
    d = [f"My coworker is allergic to {o}, poor thing.",
         "Hay fever season is brutal this year.",
         f"Does pesto usually have {o} in it?",
         "Why do restaurants never list ingredients properly?",
         f"Read an article saying {o} allergies are getting more common."]
    return Fact("allergy", [text], [allergen], para, kw, mixed, d)


def f_food(c):
    dish = c.take(DISHES)
    text = c.pick([
        f"My absolute favourite dish is {dish}.",
        f"I could eat {dish} every single day.",
        f"Nothing cheers me up like a big plate of {dish}.",
        f"If I could only have one meal for the rest of my life, it'd be {dish}.",
    ])
    para = ["What meal do I love most?", "What's my go-to comfort food?",
            "Which food could I eat forever?", "What's my top pick when eating out?"]
    kw = [f"How do I feel about {dish}?", f"What did I say about {dish}?",
          f"Do I like {dish}?"]
    mixed = ["What's my favourite food?", "What dish do I like best?",
             "What could I eat daily?", "What cheers me up?",
             "Which meal would I choose forever?"]
    o1, o2 = c.other(DISHES), c.other(DISHES)
    d = [f"My flatmate hates {o1}, which is tragic.",
         f"We had {o2} for dinner, it was fine.",
         f"Is {o1} hard to cook at home?",
         "I'm starving, what should I have for lunch?",
         f"There's a new place doing {o2} near the station."]
    return Fact("food", [text], [dish], para, kw, mixed, d)


def f_sibling(c):
    sib = c.pick(["sister", "brother"])
    pool = FEMALE if sib == "sister" else MALE
    age = c.pick(["older", "younger", "little", "big", "twin"])
    name = c.take(pool)
    city = c.take(CITIES)
    text = c.pick([
        f"My {age} {sib} {name} lives in {city}.",
        f"Called my {sib} {name} today, {city} is apparently freezing.",
        f"{name}, my {age} {sib}, just moved to {city} for work.",
    ])
    casual = "sis" if sib == "sister" else "bro"
    para = [f"What's my {casual} called?", "What's the name of my sibling?",
            "Do I have a sibling? What are they called?"]
    kw = [f"Who is {name}?", f"Where does {name} live?", f"How am I related to {name}?"]
    mixed = [f"What's my {sib}'s name?", f"Where does my {sib} live?",
             f"What is my {age} {sib} called?"]
    o = c.other(pool)
    d = [f"My colleague's {sib} {o} is a chef.",
         f"{o} from work has three {sib}s, can you imagine.",
         f"My friend's {sib} is visiting from {c.other(CITIES)}.",
         "Sibling group chats are pure chaos."]
    return Fact("sibling", [text], [name], para, kw, mixed, d)


def f_partner(c):
    pw = c.pick(PARTNER_WORDS)
    name = c.take(FEMALE if pw in ("wife", "girlfriend", "fiancée")
                  else MALE if pw in ("husband", "boyfriend", "fiancé") else NAMES)
    n = str(c.rng.randint(2, 15))
    text = c.pick([
        f"My {pw} {name} and I have been together {n} years.",
        f"{name} (my {pw}) is making dinner tonight, I'm spoiled.",
        f"Celebrating {n} years with my {pw} {name} this month.",
    ])
    para = ["Who am I in a relationship with?", "Who's my significant other?",
            "Who's my other half?", "Who am I dating or married to?"]
    kw = [f"Who is {name}?", f"How long have I been with {name}?",
          f"What did I say about {name}?"]
    mixed = [f"What's my {pw}'s name?", f"Who is my {pw}?",
             f"Who have I been with for {n} years?", "Who's making dinner tonight?"]
    o = c.other(FEMALE)
    d = [f"My friend's {pw} is from {c.other(CITIES)}.",
         "Went to a wedding last weekend, lovely couple.",
         f"{o} and her {pw} just got a puppy.",
         "What's a good anniversary present that isn't flowers?"]
    return Fact("partner", [text], [name], para, kw, mixed, d)


def f_birthday(c):
    month = c.take(MONTHS)
    day = c.number(2, 28)
    age = str(c.rng.randint(24, 61))
    text = c.pick([
        f"My birthday is on {day} {month}, in case you want to write it down.",
        f"I turn {age} on {day} {month}, how did that happen?",
        f"Note to self: my birthday, {day} {month}, falls on a weekend this year.",
    ])
    para = ["When was I born?", "What date do I get older?",
            "When should you wish me many happy returns?", "What's my date of birth?"]
    kw = [f"What's happening on {day} {month}?", f"Why is {day} {month} important to me?",
          f"What's special about {month} {day} for me?"]
    mixed = ["When is my birthday?", "What day is my birthday?",
             "When do I turn " + age + "?"]
    o_month = c.other(MONTHS)
    o_day = c.other([str(x) for x in range(2, 29)])
    d = [f"My nephew's birthday is on {o_day} {o_month}, need to buy a gift.",
         "Birthday cakes are always too sweet, change my mind.",
         "Is it weird to throw yourself a party?",
         f"Colleague's birthday drinks on {c.pick(WEEKDAYS)}, should I go?"]
    return Fact("birthday", [text], [day, month], para, kw, mixed, d)


def f_car(c):
    make, model = c.take(CARS, key=lambda m: m[1])
    colour = c.pick(COLOURS)
    text = c.pick([
        f"I drive {an(colour)} {make} {model}.",
        f"My {colour} {make} {model} failed its inspection again.",
        f"Finally washed my {colour} {model}, first time in months.",
    ])
    para = ["What vehicle do I own?", "What are my wheels?",
            "What's parked outside my place?", "Which motor do I own?"]
    kw = [f"What colour is my {model}?", f"What make is my {model}?",
          f"What did I say about the {model}?"]
    mixed = ["What car do I drive?", "Which car failed its inspection?",
             "What did I wash recently?", "What colour is my car?"]
    o_make, o_model = c.other(CARS, key=lambda m: m[1])
    d = [f"Some guy in {an(o_make)} {o_model} cut me off this morning.",
         "Car insurance renewal is due, ugh.",
         "Should I get winter tyres this year?",
         f"My neighbour's {o_model} alarm went off at 3am.",
         f"Is {an(make)} a reliable brand in general?"]
    return Fact("car", [text], [model], para, kw, mixed, d)


def f_hobby(c):
    hobby = c.take(HOBBIES)
    day = c.pick(WEEKDAYS)
    text = c.pick([
        f"I've recently taken up {hobby}, it's surprisingly addictive.",
        f"Signed up for a {hobby} class on {day} evenings!",
        f"Spent the whole weekend on {hobby}, my new obsession.",
    ])
    para = ["What new pastime have I picked up?", "What leisure activity did I start lately?",
            "Which recent pastime am I hooked on?"]
    kw = [f"How do I feel about {hobby}?", f"What did I say about {hobby}?",
          f"Why do I keep bringing up {hobby}?"]
    mixed = ["What hobby have I taken up?", "What class did I sign up for?",
             "What's my new obsession?", "What did I spend the weekend on?"]
    o = c.other(HOBBIES)
    d = [f"My neighbour does {o}, sounds exhausting.",
         f"Saw a documentary about {o} last night.",
         "I need a new hobby that doesn't involve a screen.",
         f"Is {o} expensive to get into?"]
    return Fact("hobby", [text], [hobby], para, kw, mixed, d)


def f_language(c):
    lang = c.take(LANGS)
    n = str(c.rng.randint(20, 400))
    text = c.pick([
        f"I'm learning {lang}, {n}-day streak on the app so far.",
        f"Practised my {lang} verbs on the bus today, so hard.",
        f"Started evening classes in {lang} last month.",
    ])
    para = ["Which foreign tongue am I studying?", "What am I trying to become fluent in?",
            "Which new way of speaking am I working on?"]
    kw = [f"How's my {lang} going?", f"Why am I doing {lang}?",
          f"What did I say about {lang}?"]
    mixed = ["What language am I learning?", "What am I practising on the bus?",
             "What classes am I taking?", "What's my streak on the app?"]
    o1, o2 = c.other(LANGS), c.other(LANGS)
    d = [f"My colleague speaks fluent {o1}, so jealous.",
         f"Is {o1} harder than {o2}?" if o1 != o2 else f"Is {o1} hard to learn?",
         "Language apps are so pushy with their notifications.",
         f"Overheard some people speaking {o2} on the train."]
    return Fact("language", [text], [lang], para, kw, mixed, d)


def f_travel(c):
    city = c.take(CITIES)
    month = c.other(MONTHS)
    reason = c.pick(TRAVEL_REASONS)
    t0 = c.pick([
        f"In {month} I'm flying to {city} for {reason}.",
        f"Booked tickets to {city} for {month}, it's for {reason}!",
        f"Counting down to {city} in {month}, {reason} at last.",
    ])
    para = ["Where am I heading on my next trip?", "What's my upcoming getaway destination?",
            "Where will I be going abroad soon?"]
    mixed = [f"Where am I flying in {month}?", "Where did I book tickets to?",
             "Where am I travelling for " + reason + "?",
             f"What trip am I counting down to?"]
    if c.rng.random() < 0.4:
        city2 = c.take(CITIES)
        t1 = c.pick([
            f"Change of plans: {city} is off, we're going to {city2} in {month} instead.",
            f"Update on the trip: swapped {city} for {city2}, same dates in {month}.",
        ])
        kw = [(f"When am I going to {city2}?", [1]), (f"What did I say about {city2}?", [1]),
              (f"When is the {city2} trip?", [1])]
        turns, mode, keys = [t0, t1], "update", [city, city2]
    else:
        kw = [f"When am I going to {city}?", f"Why am I travelling to {city}?",
              f"What's happening in {city}?"]
        turns, mode, keys = [t0], "single", [city]
    o1, o2 = c.other(CITIES), c.other(CITIES)
    d = [f"My boss just got back from {o1}, very tanned.",
         "Flights are so expensive right now.",
         f"Have you heard of {o2}? Looks gorgeous in photos.",
         f"A friend is flying to {o1} next week, I'm jealous.",
         "Packing always takes me twice as long as I expect."]
    return Fact("travel", turns, keys, para, kw, mixed, d, mode)


def f_medical(c):
    doc = c.pick(DOCTORS)
    sur = c.take(SURNAMES)
    day = c.pick(WEEKDAYS)
    time = c.pick(TIMES)
    t0 = c.pick([
        f"I've got {an(doc)} appointment with Dr {sur} on {day} at {time}.",
        f"Dr {sur}, my {doc}, wants to see me {day} at {time}.",
        f"Don't let me forget: {doc}, Dr {sur}, {day} at {time}.",
    ])
    para = ["When is my next medical visit?", "When's my next check-up?",
            "When do I have to go to the clinic?"]
    mixed = [f"When is my {doc} appointment?", f"When do I see the {doc}?",
             f"What's happening on {day} at {time}?", f"Who am I seeing on {day}?"]
    if c.rng.random() < 0.4:
        day2 = c.pick([d for d in WEEKDAYS if d != day])
        time2 = c.pick([t for t in TIMES if t != time])
        t1 = f"Dr {sur}'s office called and moved me to {day2} at {time2}."
        turns, mode = [t0, t1], "update"
        mixed = [f"When is my {doc} appointment?", f"When do I see the {doc}?",
                 "Did my appointment get moved?"]
    else:
        turns, mode = [t0], "single"
    kw = [f"When am I seeing Dr {sur}?", (f"Who is Dr {sur}?", [0]),
          (f"What kind of doctor is Dr {sur}?", [0])]
    o_doc = c.other(DOCTORS, avoid=(doc,))
    d = [f"My mum has {an(o_doc)} appointment next week.",
         f"{cap(doc)}s always make me nervous, even the nice ones.",
         "Had to wait forever at the pharmacy.",
         f"Is Dr {c.other(SURNAMES)} the one on that TV show?",
         f"My friend's {o_doc} keeps cancelling on her."]
    return Fact("medical", turns, [sur], para, kw, mixed, d, mode)


def f_book(c):
    noun = c.take(TITLE_NOUN)
    title = f"The {c.pick(TITLE_ADJ)} {noun}"
    first = c.pick(AUTHOR_FIRST)
    sur = c.take(SURNAMES)
    author = f"{first} {sur}"
    op = c.pick(BOOK_OPINIONS)
    para = ["What am I reading at the moment?", "Which novel is on my bedside table?",
            "What's on my current reading list?"]
    if c.rng.random() < 0.4:
        t0 = c.pick([f"Started a new novel on my commute this week, {op} so far.",
                     f"Picked up a new book at the library, it's {op}."])
        t1 = c.pick([f"The one I'm reading is '{title}' by {author}.",
                     f"Forgot to say, it's '{title}' by {author}."])
        para = ["Which title is on my bedside table?", "What's the name of my current read?",
                ("Who wrote the thing I've got my nose in?", [1])]
        kw = [(f"Who wrote '{title}'?", [1]), (f"What's the {sur} book called?", [1]),
              (f"What did I say about {author}?", [1])]
        mixed = ["What book did I just start?", "What novel am I reading?",
                 "What's the new book called?"]
        return Fact("book", [t0, t1], [sur, noun], para, kw, mixed, book_d(c), "span")
    t0 = c.pick([f"I'm halfway through '{title}' by {author}, it's {op}.",
                 f"Currently reading '{title}' by {author}. {cap(op)}.",
                 f"Stayed up way too late with '{title}' by {author}, {op}."])
    kw = [f"Who wrote '{title}'?", f"What do I think of the {sur} book?",
          f"What did I say about {author}?"]
    mixed = ["What book am I halfway through?", "What am I currently reading?",
             "What book kept me up late?", "Which book am I reading?"]
    return Fact("book", [t0], [sur, noun], para, kw, mixed, book_d(c))


def book_d(c):
    o = f"{c.pick(AUTHOR_FIRST)} {c.other(SURNAMES)}"
    return ["My book club picked something dreadful this month.",
            "Do you have any good book recommendations?",
            f"My colleague loves {o}'s novels, never read them myself.",
            "Halfway through a podcast series and I already know the ending.",
            f"Is '{c.pick(['Middlemarch', 'Moby-Dick', 'Jane Eyre', 'Ulysses'])}' worth reading?"]


def f_project(c):
    code = c.take(CODENAMES)
    desc = c.pick(PROJECT_DESCS)
    para = ["What's the secret internal name of our new initiative?",
            "What's the codename I mentioned for the thing we're building?",
            "What's our initiative called internally?",
            "What's the internal label for our latest undertaking?"]
    if c.rng.random() < 0.4:
        t0 = f"My team got handed a new project today, it's {desc}."
        t1 = c.pick([f"Oh and it's codenamed {code}, very dramatic.",
                     f"Management insists we call it {code}, I have no idea why."])
        kw = [f"What is Project {code} about?", f"What's {code}?",
              f"What are we building under the name {code}?"]
        mixed = ["What's the new project called?", "What did my team get handed?",
                 "What's the name of the project?"]
        return Fact("project", [t0, t1], [code], para, kw, mixed, project_d(c), "span")
    t0 = c.pick([f"At work we're kicking off Project {code}, which is {desc}.",
                 f"Project {code} is eating my whole week, it's {desc}.",
                 f"Can't say much, but Project {code} is basically {desc}."])
    kw = [f"What is Project {code} about?", f"What's {code}?",
          f"What did I say about {code}?"]
    mixed = ["What's the project at work called?", "What are we kicking off at work?",
             "What's eating my week?", "What's the name of my project?"]
    return Fact("project", [t0], [code], para, kw, mixed, project_d(c))


def project_d(c):
    o = c.other(CODENAMES)
    return ["Another team's project got cancelled today.",
            f"Project {o} from the other department is way behind schedule.",
            "Why do all our projects need a silly codename?",
            "Sprint planning took the entire morning."]


def f_phone(c):
    model, key = c.take(PHONES, key=lambda p: p[1])
    para = ["What handset do I use?", "Which mobile do I carry around?",
            "What device do I make calls on?"]
    t0 = c.pick([f"My phone is {an(model)}, and the battery is finally dying.",
                 f"Just upgraded to {an(model)}, the camera is amazing.",
                 f"Dropped my {model} again, the screen somehow survived."])
    if c.rng.random() < 0.4:
        model2, key2 = c.take(PHONES, key=lambda p: p[1])
        t1 = f"Sent the {model} back, it kept overheating. I'm on {an(model2)} now."
        kw = [(f"What did I replace the {key} with?", [1]),
              (f"Why did I send the {key} back?", [1]),
              (f"What do I think of my {model2}?", [1])]
        mixed = ["What phone do I have now?", "What phone am I using?",
                 ("What did I send back?", [1])]
        return Fact("phone", [t0, t1], [key, key2], para, kw, mixed, phone_d(c), "update")
    kw = [f"What did I say about the {key}?", f"How's my {model} holding up?",
          f"Do I have a {key}?"]
    mixed = ["What phone do I have?", "What did I upgrade to?", "What did I drop again?",
             "What model is my phone?"]
    return Fact("phone", [t0], [key], para, kw, mixed, phone_d(c))


def phone_d(c):
    o = c.other(PHONES, key=lambda p: p[1])[0]
    return [f"My dad just got {an(o)} and keeps calling me for help.",
            "Phone battery at 4% again, why am I like this.",
            "Is it worth buying a refurbished phone?",
            f"The {o} adverts are everywhere on the tube.",
            "Can you remind me to charge my phone before bed?"]


def f_code(c):
    code = c.number(1000, 9999)
    kind = c.pick(["gym", "bike", "door", "suitcase"])
    if kind == "gym":
        text = f"My gym locker code is {code}, writing it here so I don't forget."
        para = ["What digits open my storage box at the fitness centre?",
                "How do I get into my cubby where I work out?"]
        mixed = ["What's my locker code?", "What's the code at the gym?",
                 "What opens my locker?"]
        d = ["The gym was packed tonight, couldn't get a squat rack.",
             "Someone left their locker open at the gym with everything in it.",
             "Thinking of cancelling my gym membership, I never go."]
    elif kind == "bike":
        text = f"The combination for my bike lock is {code}."
        para = ["What digits open the thing securing my bicycle?",
                "How do I unchain my cycle?"]
        mixed = ["What's my bike combination?", "How do I open my bike lock?",
                 "What's the lock combination?"]
        d = ["Someone stole a bike right outside the station yesterday.",
             "My bike chain keeps slipping, any tips?",
             "Cycled to work today, my legs are dead."]
    elif kind == "door":
        text = f"Our building's front door code is {code}, for when the delivery guy asks."
        para = ["What do I punch into the keypad to get into my block of flats?",
                "How does a courier get into where I live?"]
        mixed = ["What's the door code?", "What's our building code?",
                 "What do I give the delivery guy?"]
        d = ["The front door of our building keeps getting stuck.",
             "A delivery guy left my parcel in the bin again.",
             "Neighbours propped the door open all day, so much for security."]
    else:
        text = f"The padlock on my suitcase is set to {code}."
        para = ["What number opens my luggage?", "How do I get into my travel bag?"]
        mixed = ["What's my suitcase combination?", "What's my padlock set to?",
                 "What opens my suitcase?"]
        d = ["My suitcase wheel broke at the airport, naturally.",
             "Do you think padlocks on luggage actually stop anyone?",
             "Still haven't unpacked my suitcase from the last trip."]
    kw = [f"What is {code} for?", f"What does {code} unlock?",
          f"What did I say about {code}?"]
    return Fact("code", [text], [code], para, kw, mixed, d)


def f_address(c):
    kind = c.pick(["flat", "bay", "house"])
    if kind == "flat":
        n = c.number(101, 989)
        floor = c.pick(["second", "third", "fourth", "fifth", "seventh", "top"])
        text = f"We're in flat {n} on the {floor} floor, and the buzzer doesn't work."
        para = ["What's my apartment number?", "Which unit of the block is mine?"]
        kw = [f"Who lives in flat {n}?", f"What floor is flat {n} on?",
              f"What did I say about number {n}?"]
        mixed = ["What flat do I live in?", "Which floor do I live on?",
                 "What's my flat number?"]
        d = ["The flat upstairs is having building work done, so loud.",
             "The buzzer in our building is useless.",
             f"My friend's flat is on the {c.pick(['first', 'sixth', 'eighth'])} floor and the lift is always broken."]
        keys = [n]
    elif kind == "bay":
        n = c.number(101, 989)
        text = f"My parking bay at the office is {n}, and someone keeps stealing it."
        para = ["Where do I leave my car at the workplace?", "Which spot is reserved for me at work?"]
        kw = [f"What's number {n} for?", f"What did I say about the number {n}?",
              f"Whose spot is {n}?"]
        mixed = ["What's my parking bay?", "Which bay is mine?",
                 "Where do I park at the office?"]
        d = ["Parking at the office is a nightmare on Mondays.",
             "Someone dinged my door in the car park.",
             "They're repainting all the bays in the car park this week."]
        keys = [n]
    else:
        n = c.number(3, 199)
        street = c.take(STREETS)
        text = f"Our house is number {n} on {street} Road, the one with the blue door."
        para = ["What's my home address?", "What's my street address?"]
        kw = [f"Who lives on {street} Road?", f"What's at {n} {street} Road?",
              f"What did I say about {street} Road?"]
        mixed = ["What's my house number?", "Which house is mine?",
                 "Which road is our house on?"]
        d = ["The house across the road has been for sale for ages.",
             f"There's roadworks on {c.other(STREETS)} Road again.",
             "Our street had a power cut last night."]
        keys = [street]
    return Fact("address", [text], keys, para, kw, mixed, d)


def f_instrument(c):
    inst = c.pick(INSTRUMENTS)
    kind = c.pick(ENSEMBLE_KINDS)
    prefix = c.take(ENSEMBLE_PREFIX)
    text = c.pick([
        f"I play the {inst} in the {prefix} {kind}.",
        f"Rehearsal with the {prefix} {kind} tonight, my {inst} needs new strings."
        if inst in ("cello", "banjo", "viola", "double bass", "mandolin", "harp", "fiddle", "ukulele")
        else f"Rehearsal with the {prefix} {kind} tonight, I haven't practised my {inst} at all.",
        f"Been the {inst} player in the {prefix} {kind} for six years now.",
    ])
    para = ["What do I make music on?", "What do I perform with in my spare time?",
            "Which musical group am I part of?"]
    kw = [f"What do I do in the {prefix} {kind}?", f"What's my role with {prefix}?",
          f"What do I play with the {prefix} lot?"]
    mixed = ["What instrument do I play?", "Which band do I play in?",
             "What's rehearsal tonight?", "What instrument needs new strings?",
             "How long have I been a player in my ensemble?"]
    o_inst = c.pick([i for i in INSTRUMENTS if i != inst])
    d = [f"There was a busker playing the {o_inst} outside the station.",
         f"My neighbour has started learning the {o_inst}, pray for me.",
         f"Went to a {c.pick(ENSEMBLE_KINDS)} concert, surprisingly good.",
         "Music lessons for kids are so expensive now."]
    return Fact("instrument", [text], [prefix], para, kw, mixed, d)


def f_child(c):
    rel = c.pick(["daughter", "son"])
    pool = FEMALE if rel == "daughter" else MALE
    name = c.take(pool)
    age = str(c.rng.randint(3, 14))
    text = c.pick([
        f"My {rel} {name} turns {age} next week, party planning is chaos.",
        f"{name}, my {age}-year-old {rel}, asked me why the sky is blue today.",
        f"My {rel} {name} is {age} and already better at maths than me.",
    ])
    para = ["What's my kid called?", "What's the name of my child?",
            "What's my little one called?"]
    kw = [f"How old is {name}?", f"Who is {name}?", f"What did I say about {name}?"]
    mixed = [f"What's my {rel}'s name?", f"How old is my {rel}?",
             f"What's my {rel} called?"]
    o = c.other(pool)
    d = [f"My colleague's {rel} {o} is learning to drive, terrifying.",
         "School run was chaos this morning.",
         "Kids' birthday parties are louder than festivals.",
         f"{o}'s {rel} is doing a school project on volcanoes."]
    return Fact("child", [text], [name], para, kw, mixed, d)


def f_phobia(c):
    fear = c.take(FEARS)
    text = c.pick([
        f"I'm absolutely terrified of {fear}, always have been.",
        f"{cap(fear)} freak me out, I can't even look at pictures of them.",
        f"Confession: I ran out of a room once because of {fear}. Total phobia.",
    ])
    para = ["What scares me?", "What's my biggest fear?", "What am I afraid of?"]
    kw = [f"How do I feel about {fear}?", f"Do {fear} bother me?",
          f"What did I say about {fear}?"]
    mixed = ["What am I terrified of?", "What freaks me out?", "What's my phobia?",
             "What made me run out of a room?"]
    o = c.other(FEARS)
    d = [f"My nephew is scared of {o}, it's kind of cute.",
         "Watched a horror film last night, not scary at all.",
         f"Are {o} actually dangerous or just creepy?",
         "Why do people enjoy being scared?"]
    return Fact("phobia", [text], [fear], para, kw, mixed, d)


def f_university(c):
    uni, key = c.take(UNIVERSITIES, key=lambda u: u[1])
    subject = c.pick(SUBJECTS)
    year = str(c.rng.randint(1995, 2020))
    text = c.pick([
        f"I studied {subject} at {uni}, graduated in {year}.",
        f"Still friends with people from my {subject} course at {uni}.",
        f"My degree? {cap(subject)}, at {uni}. Feels like a lifetime ago.",
    ])
    para = ["What was my major in college?", "What did I read at uni?",
            "What's my academic background?"]
    kw = [f"What did I do at {key}?", f"When was I at {key}?",
          f"What's my connection to {key}?"]
    mixed = ["What subject did I study?", "Where did I get my degree?",
             "What course did I do?", "When did I graduate?"]
    o_uni = c.other(UNIVERSITIES, key=lambda u: u[1])[0]
    d = [f"My cousin just got into {o_uni}, so proud.",
         f"Is a {c.pick(SUBJECTS)} degree worth it these days?",
         "Student loans are a scam, honestly.",
         "Had a dream I was sitting an exam I hadn't revised for."]
    return Fact("university", [text], [key], para, kw, mixed, d)


def f_team(c):
    team = c.take(TEAMS)
    text = c.pick([
        f"I've supported {team} since I was a kid.",
        f"{team} lost again at the weekend, I'm in mourning.",
        f"Got my season ticket for {team} sorted, same seat as last year.",
    ])
    para = ["Which club do I cheer for?", "Who do I root for in football?",
            "Which side am I a fan of?"]
    kw = [f"How do I feel about {team}?", f"What did I say about {team}?",
          f"Am I into {team}?"]
    mixed = ["What team do I support?", "Which team lost at the weekend?",
             "Which team do I have a season ticket for?"]
    o = c.other(TEAMS)
    d = [f"My cousin is a massive {o} fan, we don't talk about it.",
         "Did you see the match last night? What a mess.",
         f"{o} signed some new striker, apparently.",
         "Explain the offside rule like I'm five."]
    return Fact("team", [text], [team], para, kw, mixed, d)


def f_friend(c):
    name = c.take(NAMES)
    place = c.pick(MEET_PLACES)
    text = c.pick([
        f"My best friend {name} and I met {place}.",
        f"{name} has been my best mate ever since we met {place}.",
        f"Lunch with {name} today, my closest friend, we met {place}.",
    ])
    para = ["Who's my closest pal?", "Who is my oldest buddy?",
            "Who's the person I'm tightest with?"]
    kw = [f"Where did I meet {name}?", f"Who is {name}?", f"How do I know {name}?"]
    mixed = ["Who's my best friend?", "Where did I meet my best friend?",
             "Who did I have lunch with?", "Who's my best mate?"]
    o = c.other(NAMES)
    d = [f"{o} from the office invited me to lunch.",
         "Making friends as an adult is so hard.",
         f"{o} cancelled on me again, third time this month.",
         "Is it weird to have a best friend you only text?"]
    return Fact("friend", [text], [name], para, kw, mixed, d)


def f_residence(c):
    city = c.take(CITIES)
    n = c.pick(["two", "three", "four", "five", "eight"])
    text = c.pick([
        f"We moved to {city} {n} months ago and I still get lost.",
        f"Still unpacking boxes in our new place in {city}.",
        f"I've been living in {city} since last autumn.",
    ])
    para = ["Where am I based these days?", "Which town is home for me right now?",
            "Where do I currently reside?"]
    kw = [f"How long have I lived in {city}?", f"When did I move to {city}?",
          f"What did I say about {city}?"]
    mixed = ["Where did I move to?", "Where do I live now?",
             "Where is our new place?", "Which city do I live in?"]
    o1, o2 = c.other(CITIES), c.other(CITIES)
    d = [f"Rent in {o1} is absolutely insane.",
         f"My friend just moved to {o2}, she loves it.",
         "Moving house is the most stressful thing ever.",
         f"Would you rather live in {o1} or {o2}?" if o1 != o2 else f"Would you live in {o1}?"]
    return Fact("residence", [text], [city], para, kw, mixed, d)


def f_band(c):
    band = c.take(BANDS)
    n = c.pick(["three", "four", "five", "six", "nine"])
    text = c.pick([
        f"I've seen {band} live {n} times now.",
        f"Got tickets for {band} again, that'll be {n} gigs in total!",
        f"{band} are my all-time favourite band, I've been to {n} of their shows.",
    ])
    para = ["Which act do I keep buying concert tickets for?",
            "What group do I always go to see on tour?",
            "What's the music act I'm obsessed with?"]
    kw = [f"How many times have I seen {band}?", f"What did I say about {band}?",
          f"Do I like {band}?"]
    mixed = ["What band have I seen live?", "Who did I get tickets for?",
             "What's my favourite band?", "Which band's shows have I been to?"]
    o = c.other(BANDS)
    d = [f"My colleague got free tickets to see {o}, unfair.",
         "Gig tickets are so expensive now.",
         f"Is {o} any good? A friend keeps recommending them.",
         "Went to a festival once and it rained for three days."]
    return Fact("band", [text], [band], para, kw, mixed, d)


CATEGORIES = [f_pet, f_hometown, f_job, f_employer, f_allergy, f_food, f_sibling,
              f_partner, f_birthday, f_car, f_hobby, f_language, f_travel, f_medical,
              f_book, f_project, f_phone, f_code, f_address, f_instrument, f_child,
              f_phobia, f_university, f_team, f_friend, f_residence, f_band]

# ---------------------------------------------------------------------------
# Filler: small talk, plans, opinions, questions to the bot
# ---------------------------------------------------------------------------

SLOTS = {
    "city": CITIES,
    "weekday": WEEKDAYS,
    "month": MONTHS,
    "friend": NAMES,
    "show": ["Severance", "The Bear", "Slow Horses", "Taskmaster", "Bluey", "Succession",
             "The Great British Bake Off", "Only Murders in the Building", "Shogun",
             "Detectorists", "Fleabag", "The Crown", "Blue Planet", "Ted Lasso"],
    "dishg": ["lasagne", "chilli", "curry", "soup", "stir-fry", "risotto", "stew",
              "pasta bake", "fried rice", "tacos"],
    "grocery": ["milk", "eggs", "bread", "bananas", "coffee", "onions", "rice", "butter",
                "tomatoes", "oat milk", "yoghurt", "spinach", "apples", "cheese"],
    "cuisine": ["Ethiopian", "Lebanese", "Peruvian", "Sichuan", "Georgian", "Malaysian",
                "Sri Lankan", "Mexican", "Basque", "Filipino"],
    "street": ["Market", "High", "Station", "Church", "Bridge", "Mill", "Castle", "Park"],
    "temp": [str(x) for x in range(-8, 39)],
    "mins": ["5", "7", "10", "12", "15", "20", "25", "35", "40"],
    "colour": ["sage green", "navy", "terracotta", "mustard yellow", "pale pink", "white"],
    "concept": ["compound interest", "the Doppler effect", "photosynthesis", "inflation",
                "vaccines", "tides", "jet lag", "a heat pump", "a mortgage",
                "quantum computing", "the stock market", "noise-cancelling headphones"],
    "ingredient": ["buttermilk", "eggs", "brown sugar", "cornflour", "baking powder",
                   "sour cream", "honey", "self-raising flour"],
    "animal": ["octopuses", "crows", "axolotls", "otters", "sloths", "narwhals",
               "hedgehogs", "pangolins", "orcas", "capybaras", "bumblebees"],
    "topic": ["the ocean", "Mondays", "coffee", "autumn", "the Roman Empire",
              "space exploration", "productivity", "mushrooms", "trains", "volcanoes"],
    "lang": LANGS,
    "country": ["Bhutan", "Uruguay", "Mongolia", "Slovenia", "Namibia", "Laos",
                "Kyrgyzstan", "Paraguay", "Iceland", "Malta"],
    "classic": ["Moby-Dick", "Pride and Prejudice", "Frankenstein", "The Odyssey",
                "Don Quixote", "Great Expectations", "Dracula"],
    "idiom": ["bite the bullet", "spill the beans", "break the ice", "cost an arm and a leg",
              "under the weather", "the ball is in your court", "once in a blue moon"],
    "game": ["Stardew Valley", "Tetris", "Mario Kart", "Wordle", "Hades", "chess online",
             "Zelda", "Animal Crossing"],
    "genre": ["jazz", "old soul records", "synthwave", "folk", "bossa nova", "lo-fi beats",
              "Italo disco", "baroque music"],
    "app": ["banking", "weather", "calendar", "food delivery", "messaging", "photo"],
    "drink": ["tea", "coffee", "hot chocolate", "sparkling water", "lemonade", "kombucha"],
    "bird": ["magpies", "pigeons", "seagulls", "blackbirds", "sparrows", "crows"],
    "event": ["food market", "craft fair", "charity run", "jazz concert", "vintage fair",
              "street food festival", "book fair"],
    "museum": ["science", "natural history", "design", "transport", "maritime", "toy"],
    "dream": ["being late for an exam", "a talking fridge", "losing my teeth",
              "flying over a city", "a giant snail", "being back at school"],
    "coin": ["tenner", "fiver", "two-pound coin", "gift card"],
    "n": [str(x) for x in (12, 36, 48, 64, 85, 120, 240, 360)],
    "holiday": ["Christmas", "New Year", "the long weekend", "half-term"],
    "film": ["Amélie", "Spirited Away", "Paddington 2", "Arrival", "Heat", "Jaws",
             "The Grand Budapest Hotel", "Alien"],
    "pair": ["weather and climate", "a virus and bacteria", "baking soda and baking powder",
             "a crocodile and an alligator", "jam and jelly", "a lake and a pond",
             "stocks and bonds", "latitude and longitude"],
    "unitq": ["millilitres are in a cup", "grams are in an ounce", "kilometres are in a mile",
              "teaspoons are in a tablespoon", "seconds are in a day"],
    "history": ["the fall of the Berlin Wall", "the first Moon landing",
               "the Great Fire of London", "the invention of the printing press"],
    "item": ["trainers", "houseplants", "laptop battery", "wooden chopping board",
             "running shoes", "cast iron pan"],
}

FILLER = [
    # weather
    "Ugh, it's raining again today.",
    "The forecast says {weather} all weekend, typical.",
    "Saw on the news it's {temp} degrees in {city} right now.",
    "Is it just me or has {month} been unusually grey?",
    "Got completely soaked walking back from the shop.",
    "Finally some sunshine! Going to sit outside with a {drink}.",
    "The wind nearly took my umbrella this morning.",
    "How do people in {city} cope with winters like that?",
    "It's so humid I can't sleep.",
    "Do you think it'll snow before {holiday}?",
    "The sky was this incredible orange colour at sunset.",
    "Can you check if I need a jacket tomorrow?",
    "Why does it always rain on {weekday}s?",
    "There's a heatwave warning for the whole week.",
    "Foggy morning, couldn't see the end of the street.",
    "What's the weather going to be like on {weekday}?",
    "It's {temp} degrees and I'm already done with this weather.",
    # plans
    "Thinking of going for a long walk tomorrow.",
    "I should really clean the kitchen this weekend.",
    "Might try that new {cuisine} place on {street} Street.",
    "Meeting {friend} for lunch on {weekday}.",
    "Going to binge {show} tonight, no regrets.",
    "Need to remember to buy {grocery} and {grocery2}.",
    "Planning a quiet night in with a takeaway.",
    "Want to repaint the bathroom at some point, maybe {colour}.",
    "Should I go for a run tonight or is that too ambitious?",
    "{friend} invited me to a board game night on {weekday}.",
    "Going to try getting up at six every day this week.",
    "Need to book a haircut, it's getting ridiculous.",
    "Maybe I'll visit the {museum} museum this weekend.",
    "Going to do a big grocery shop on {weekday}.",
    "I promised myself I'd go to bed earlier this month.",
    "Planning to batch cook {dishg} for the week.",
    "Thinking about a weekend away somewhere quiet.",
    "There's a {event} in the park on Saturday, might go.",
    "I have to return a parcel before {weekday}.",
    "Going to call my grandparents tonight.",
    "Helping {friend} move flats on {weekday}, wish me luck.",
    "I really need to sort out my wardrobe.",
    "Might make {dishg} tonight, haven't decided.",
    "I want to get better at cooking this year.",
    "Going to the {event} with {friend} later.",
    # opinions
    "Honestly, brunch is overrated.",
    "I think {show} went downhill after the second season.",
    "Pineapple on pizza is fine, fight me.",
    "Open-plan offices are the worst invention ever.",
    "I can't stand people who walk slowly on the pavement.",
    "Audiobooks absolutely count as reading.",
    "Autumn is the best season, no contest.",
    "Why are cinema snacks so expensive?",
    "I've decided {drink} is better than {drink2}.",
    "Self-checkout machines hate me personally.",
    "Podcasts that are three hours long need an editor.",
    "{city} looks beautiful in photos but I hear it's crowded.",
    "The new {app} app update is terrible.",
    "Socks with sandals? Absolutely not.",
    "I think cereal counts as soup. Discuss.",
    "Board games are better than video games, most of the time.",
    "Tea should be brewed for at least four minutes.",
    "Group chats are exhausting.",
    "Cold showers are not worth the hype.",
    "Scented candles are a scam but I keep buying them.",
    "{film} is the most rewatchable film ever made.",
    "Why does every shop play the same five songs?",
    "Hot take: {dishg} tastes better the next day.",
    "Reply-all should require a password.",
    # small talk
    "Morning! Slept terribly.",
    "Hey, how's it going?",
    "Long day. Just want to sit on the sofa.",
    "Ha, that's funny.",
    "Thanks, that helped a lot.",
    "Okay, good to know.",
    "I've had about four coffees today, is that bad?",
    "Just got home, so tired.",
    "Had the weirdest dream last night about {dream}.",
    "My back hurts from sitting all day.",
    "Fair enough.",
    "Back again, miss me?",
    "The {bird} outside my window are very loud this morning.",
    "Burnt the toast again.",
    "Finally finished my to-do list for once.",
    "Whoops, wrong chat, ignore that.",
    "Still can't believe it's already {month}.",
    "Found a {coin} in my old jacket pocket, small victories.",
    "My houseplant is looking a bit sad, I think I overwatered it.",
    "Spilled coffee on my keyboard. Great start.",
    "Lunch was a sad sandwich at my desk.",
    "Bumped into an old classmate at the supermarket.",
    "The neighbours are having a party again.",
    "I've been humming the same song all day.",
    "Good night!",
    "You're weirdly good at this.",
    "Not much going on today, just chilling.",
    "Sorry, got distracted. Where were we?",
    "I can't believe how fast this week went.",
    "That's a relief, thanks.",
    "Hmm, not sure I agree, but okay.",
    "Today was actually pretty good.",
    "Running late as usual.",
    "Just made the best cup of {drink} of my life.",
    # questions to the bot
    "Can you explain how {concept} works in simple terms?",
    "What's a good substitute for {ingredient} in baking?",
    "How long should I boil an egg for a runny yolk?",
    "Give me a fun fact about {animal}.",
    "Any tips for falling asleep faster?",
    "How many {unitq}?",
    "What's the capital of {country}?",
    "Write me a haiku about {topic}.",
    "What's the difference between {pair}?",
    "How do I get a red wine stain out of a carpet?",
    "Tell me a joke about {topic}.",
    "Is it bad to charge my laptop overnight?",
    "Recommend a podcast about {topic}.",
    "How do I make my {item} last longer?",
    "What's a polite way to decline an invitation?",
    "Can you help me plan a 20-minute workout?",
    "Why is the sky blue?",
    "How do I descale a kettle?",
    "What should I cook with {grocery}, {grocery2} and rice?",
    "Summarise the plot of {classic} in two sentences.",
    "What year did {history} happen?",
    "Set a reminder to water the plants on {weekday}.",
    "What's 15% of {n}?",
    "How do I politely ask someone to turn their music down?",
    "Is it worth learning to touch type?",
    "What's the best way to store fresh herbs?",
    "Can you recommend a board game for four people?",
    "What does '{idiom}' mean?",
    "How far is the Moon from Earth?",
    "What are some good stretches for a stiff neck?",
    "Quick question: is a tomato a fruit?",
    "How do I convert {temp} Fahrenheit to Celsius?",
    "Can you give me a recipe for {dishg}?",
    "Why are {animal} so fascinating?",
    "What's a good name for a houseplant?",
    "How do you say 'thank you' in {lang}?",
    "Can you suggest something to watch that's like {show}?",
    "What time zone is {city} in?",
    "What's the population of {city}, roughly?",
    "How do I stop procrastinating?",
    "Is it true that goldfish have a three-second memory?",
    "Can you explain the rules of cricket?",
    "What's a good way to start journaling?",
    "How many hours of sleep does an adult actually need?",
    "How do I fix a squeaky door?",
    "What are you, exactly?",
    "Do you ever get bored?",
    # work and daily life
    "Meetings all afternoon, send help.",
    "My inbox is a disaster.",
    "The printer at the office jammed three times today.",
    "Someone microwaved fish in the office kitchen again.",
    "Had a really productive morning for once.",
    "The train was {mins} minutes late, classic.",
    "Traffic was awful on the way back.",
    "I keep forgetting my password for the {app} app.",
    "Spent the whole evening fixing a spreadsheet.",
    "Our team lunch got moved to {weekday}.",
    "Deadline moved up by a week, fantastic.",
    "Working from home today, the sofa is calling.",
    "The lift in the office is broken again.",
    "Waited {mins} minutes for a bus that never came.",
    "Accidentally joined a video call with my camera on. Mortifying.",
    "My laptop decided to update right before a presentation.",
    # media
    "Just finished {show}, the ending was wild.",
    "Any films like {film}?",
    "Listening to a lot of {genre} lately.",
    "Started a podcast about {topic}, pretty interesting.",
    "The {show} finale made me cry.",
    "What should I watch tonight? Something light.",
    "Can't stop playing {game}.",
    "Rewatched {film} last night, still holds up.",
    "Is {game} worth the hype?",
]

FILLER_SLOTS_EXTRA = {"weather": ["rain", "thunderstorms", "sleet", "drizzle", "gales", "snow"]}
SLOTS.update(FILLER_SLOTS_EXTRA)

PREFIXES = ["Hey! ", "Ugh. ", "Hmm. ", "Quick one: ", "Random thought: ", "Okay. ", "So. "]
SUFFIXES = [" Anyway.", " Haha.", " lol", " :)", " Just saying."]
SLOT_RE = re.compile(r"\{([a-z]+?)(\d?)\}")


def render(c, template):
    chosen = {}

    def sub(m):
        name = m.group(1) + m.group(2)
        if name not in chosen:
            pool = [v for v in SLOTS[m.group(1)] if v not in chosen.values()]
            chosen[name] = c.other(pool)
        return chosen[name]

    return SLOT_RE.sub(sub, template)


def decorate(c, text):
    r = c.rng.random()
    if r < 0.12:
        return c.pick(PREFIXES) + text
    if r < 0.22:
        return text + c.pick(SUFFIXES)
    return text


# ---------------------------------------------------------------------------
# Building one user
# ---------------------------------------------------------------------------


def draw_filler(c, owned, n):
    """n small-talk turns from FILLER, none naming one of the `owned` things
    (each with .stems and .facts, each fact with .keys) or holding a value of
    theirs; None if there are not that many. For generate_crowded.py and
    generate_records.py."""
    keys = [o.stems for o in owned] + [k for o in owned for f in o.facts for k in f.keys]
    order = list(range(len(FILLER)))
    c.rng.shuffle(order)
    out, seen = [], set()
    for ti in order:
        if len(out) == n:
            return out
        text = render(c, FILLER[ti])
        stems = content(text)
        if text in seen or any(k <= stems for k in keys):
            continue
        seen.add(text)
        out.append(decorate(c, text))
    return out if len(out) == n else None


def question_ok(kind, q, answer_texts, fact, reserved):
    qs = all_stems(q)
    qc = content(q)
    overlaps = [len(qc & content(t)) for t in answer_texts]
    if kind == "keyword":
        own = fact.keys & qs
        return bool(own) and not ((qs & reserved) - fact.keys - all_stems_of(answer_texts))
    if qs & reserved:
        return False
    if kind == "paraphrase":
        return max(overlaps) == 0
    return max(overlaps) <= 2 and max(overlaps) >= 1


def all_stems_of(texts):
    out = set()
    for t in texts:
        out |= all_stems(t)
    return out


def build_user(rng, uid):
    for _attempt in range(200):
        res = try_user(rng, uid)
        if res is not None:
            return res
    raise RuntimeError(f"could not build {uid}")


def try_user(rng, uid):
    c = Ctx(rng)
    n_facts = rng.randint(10, 12)
    cats = rng.sample(CATEGORIES, n_facts)
    facts = [f(c) for f in cats]

    # candidate questions that satisfy the overlap rules, per fact and kind
    feasible = []
    for f in facts:
        opts = {}
        for kind in KINDS:
            good = []
            for q, idx in f.cands[kind]:
                texts = [f.turns[i] for i in idx]
                if question_ok(kind, q, texts, f, c.reserved):
                    good.append((q, idx))
            opts[kind] = good
        feasible.append(opts)

    n_q = min(rng.randint(8, 12), len(facts))
    p = n_q // 2
    rest = n_q - p
    k = rest // 2 + (rest % 2 if rng.random() < 0.5 else 0)
    kinds = ["paraphrase"] * p + ["keyword"] * k + ["mixed"] * (n_q - p - k)
    chosen = None
    for _ in range(300):
        sel = rng.sample(range(len(facts)), n_q)
        rng.shuffle(kinds)
        if all(feasible[i][kd] for i, kd in zip(sel, kinds)):
            chosen = list(zip(sel, kinds))
            break
    if chosen is None:
        return None

    # blocks of turns: ("fact", fact index, turn index) or ("text", text)
    blocks = []
    for i, f in enumerate(facts):
        if f.mode == "span":
            blocks.append([("fact", i, 0), ("fact", i, 1)])
        else:
            for j in range(len(f.turns)):
                blocks.append([("fact", i, j)])

    # distractors: 1-2 per planted category, never containing a planted value
    distractors = []
    for f in facts:
        ds = [d for d in f.distractors if not (all_stems(d) & c.reserved)]
        rng.shuffle(ds)
        distractors += ds[: rng.choice((1, 2, 2))]
    # a couple about categories this user does not have ("someone else's job")
    others = [g for g in CATEGORIES if g not in cats]
    for g in rng.sample(others, 2):
        probe = Ctx(rng)
        probe.used, probe.reserved = set(c.used), set(c.reserved)
        extra = [d for d in g(probe).distractors if not (all_stems(d) & c.reserved)]
        if extra:
            distractors.append(rng.choice(extra))
    for d in distractors:
        blocks.append([("text", decorate(c, d))])

    n_turns = rng.randint(40, 60)
    n_fixed = sum(len(b) for b in blocks)
    n_filler = max(12, n_turns - n_fixed)
    order = list(range(len(FILLER)))
    rng.shuffle(order)
    seen = set()
    for ti in order:
        if n_filler == 0:
            break
        text = render(c, FILLER[ti])
        if all_stems(text) & c.reserved or text in seen:
            continue
        seen.add(text)
        blocks.append([("text", decorate(c, text))])
        n_filler -= 1

    rng.shuffle(blocks)
    # an update must come after the turn it updates
    pos = {}
    for bi, b in enumerate(blocks):
        for item in b:
            if item[0] == "fact":
                pos[(item[1], item[2])] = bi
    for i, f in enumerate(facts):
        if f.mode == "update" and pos[(i, 0)] > pos[(i, 1)]:
            a, b = pos[(i, 0)], pos[(i, 1)]
            blocks[a], blocks[b] = blocks[b], blocks[a]
            pos[(i, 0)], pos[(i, 1)] = b, a
        if f.mode == "update" and pos[(i, 1)] - pos[(i, 0)] < 3:
            return None

    turns = []
    fact_turn_ids = {}
    for b in blocks:
        for item in b:
            tid = f"{uid}-t{len(turns) + 1:03d}"
            if item[0] == "fact":
                _, i, j = item
                fact_turn_ids[(i, j)] = tid
                turns.append({"id": tid, "text": facts[i].turns[j]})
            else:
                turns.append({"id": tid, "text": item[1]})
    if not 40 <= len(turns) <= 60:
        return None

    # every keyword token of a fact occurs only in that fact's own turns
    fact_ids = {tid for tid in fact_turn_ids.values()}
    for i, f in enumerate(facts):
        own = {fact_turn_ids[(i, j)] for j in range(len(f.turns))}
        for t in turns:
            if t["id"] not in own and f.keys & all_stems(t["text"]):
                return None
    # filler and distractors never repeat a fact text
    fact_texts = {t["text"] for t in turns if t["id"] in fact_ids}
    if len(fact_texts) != len(fact_ids):
        return None

    questions = []
    for qi, (i, kind) in enumerate(chosen):
        q, idx = rng.choice(feasible[i][kind])
        questions.append({
            "id": f"{uid}-q{qi + 1:02d}",
            "text": q,
            "answers": sorted(fact_turn_ids[(i, j)] for j in idx),
            "kind": kind,
            "category": facts[i].cat,
        })
    return {"user": uid, "turns": turns, "questions": questions}


def generate(seed=SEED, keep_category=False):
    """The dataset; questions carry their fact category only if keep_category."""
    rng = random.Random(seed)
    convs = [build_user(rng, f"u{n:02d}") for n in range(1, N_USERS + 1)]
    if not keep_category:
        for conv in convs:
            for q in conv["questions"]:
                del q["category"]
    return {"version": VERSION, "seed": seed, "conversations": convs}


def dumps(data):
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------------------
# Sanity check and summary
# ---------------------------------------------------------------------------


def check(data):
    errors = []
    turn_ids, q_ids, users = set(), set(), set()
    for conv in data["conversations"]:
        u = conv["user"]
        if u in users:
            errors.append(f"duplicate user {u}")
        users.add(u)
        own = set()
        for t in conv["turns"]:
            if t["id"] in turn_ids:
                errors.append(f"duplicate turn id {t['id']}")
            turn_ids.add(t["id"])
            own.add(t["id"])
            if not t["text"].strip():
                errors.append(f"empty turn {t['id']}")
        for q in conv["questions"]:
            if q["id"] in q_ids:
                errors.append(f"duplicate question id {q['id']}")
            q_ids.add(q["id"])
            if q["kind"] not in KINDS:
                errors.append(f"{q['id']}: unknown kind {q['kind']}")
            if not q["answers"]:
                errors.append(f"{q['id']}: no answers")
            for a in q["answers"]:
                if a not in own:
                    errors.append(f"{q['id']}: answer {a} is not a turn of {u}")
    return errors


def check_sizes(data, turns, questions):
    """Errors for users whose counts of turns or questions fall outside the
    (lowest, highest) ranges given."""
    errors = []
    for conv in data["conversations"]:
        n = len(conv["turns"])
        if not turns[0] <= n <= turns[1]:
            errors.append(f"{conv['user']}: {n} turns, expected {turns[0]}-{turns[1]}")
        if not questions[0] <= len(conv["questions"]) <= questions[1]:
            errors.append(f"{conv['user']}: {len(conv['questions'])} questions")
    return errors


def summary_lines(data):
    """The counts every set's summary starts with."""
    convs = data["conversations"]
    turns = [len(c["turns"]) for c in convs]
    qs = [q for c in convs for q in c["questions"]]
    kinds = {k: sum(1 for q in qs if q["kind"] == k) for k in KINDS}
    two = sum(1 for q in qs if len(q["answers"]) > 1)
    return [
        f"users: {len(convs)}",
        f"turns: {sum(turns)} (per user {min(turns)}-{max(turns)})",
        f"questions: {len(qs)} (per user {min(len(c['questions']) for c in convs)}-"
        f"{max(len(c['questions']) for c in convs)})",
        "kinds: " + ", ".join(f"{k} {v}" for k, v in kinds.items()),
        f"questions with two answer turns: {two}",
    ]


def summary(data):
    qs = [q for c in data["conversations"] for q in c["questions"]]
    lines = summary_lines(data)
    if qs and "category" in qs[0]:
        cats = {}
        for q in qs:
            cats.setdefault(q["category"], {k: 0 for k in KINDS})[q["kind"]] += 1
        for cat in sorted(cats):
            lines.append(f"  {cat:<11} " + " ".join(f"{k[0]}={v}" for k, v in cats[cat].items()))
    return "\n".join(lines)


def cli(doc, name, out, text, check, summary, stats):
    """The command line of a dataset generator (this one and generate_crowded.py).

    `text()` is the JSON the generator produces, `check(data)` lists what is wrong
    with a dataset, `summary(data)` describes one, and `stats()` is the summary
    with per-category counts."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--check", action="store_true",
                    help=f"validate {name} (ids unique, answers exist, up to date)")
    ap.add_argument("--stdout", action="store_true", help="print the JSON instead")
    ap.add_argument("--stats", action="store_true",
                    help="print the summary with per-category counts, write nothing")
    args = ap.parse_args()
    if args.stats:
        print(stats())
        return
    produced = text()
    if args.check:
        with open(out, encoding="utf-8") as fh:
            on_disk = fh.read()
        data = json.loads(on_disk)
        errors = check(data)
        if on_disk != produced:
            script = os.path.basename(sys.argv[0])
            errors.append(f"{name} differs from what {script} produces; rerun it")
        print(summary(data))
        for e in errors:
            print("ERROR:", e, file=sys.stderr)
        sys.exit(1 if errors else 0)
    if args.stdout:
        sys.stdout.write(produced)
        return
    with open(out, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(produced)
    print(summary(json.loads(produced)))


def main():
    cli(__doc__, "dataset.json", OUT, lambda: dumps(generate()), check, summary,
        lambda: summary(generate(keep_category=True)))


if __name__ == "__main__":
    main()
