#!/usr/bin/env python3
"""Generate the crowded memory retrieval set (crowded.json).

dataset.json gives each user about one fact of each kind, so a question rarely
has a close rival. Real users keep coming back to the same kinds of things:
several siblings, friends and colleagues (each with a job, a city, a birthday,
a hobby), several pets, several trips, a couple of appointments. Here every
user has 9-12 such entities, 2-4 facts about each in separate turns, and some
idle chat that names them, mixed into roughly as much small talk. A question
asks one attribute of one entity ("What does Lena do for a living?"), so it
competes with every other turn about a job (same meaning, the vector search's
rival) and every other turn about Lena (same name, the keyword search's rival).

Question kinds, with the labels of dataset.json:
  keyword     names the entity and shares at least one more content word with
              the answer turn;
  mixed       names the entity and shares no other content word with it;
  paraphrase  does not name the entity: a nickname for a relation, species or
              appointment that occurs only once for that user ("my sis",
              "my pooch", "the tooth doctor"), with no content word shared
              with the answer turn, which itself says "sister", "dog", ...

The kind of a question is measured on the answer turn with generate.py's
tokenizer and stemmer; every attribute has one pool of question wordings and
the pool is not tuned to any retrieval method.

Standard library only, deterministic (random.Random(SEED)), so running it
again rewrites crowded.json byte for byte.

    python3 generate_crowded.py            # (re)write crowded.json next to this file
    python3 generate_crowded.py --check    # validate crowded.json and print a summary
    python3 generate_crowded.py --stdout   # print the JSON instead of writing it
    python3 generate_crowded.py --stats    # summary with per-category counts, writes nothing
"""

import os
import random
import sys

# generate.py is imported for its tokenizer, pools and filler; it must not
# leave a __pycache__ directory in the source tree.
sys.dont_write_bytecode = True
import generate as base  # noqa: E402  (after the bytecode switch on purpose)
from generate import (  # noqa: E402
    CITIES, Draws, FEMALE, HOBBIES, JOBS, KINDS, MALE, MONTHS, PET_NAMES, STREETS,
    SURNAMES, WEEKDAYS, an, cap, content, draw_filler,
)

SEED = 23
VERSION = 1
N_USERS = 40
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "crowded.json")

# ---------------------------------------------------------------------------
# Pools
# ---------------------------------------------------------------------------

# relation word, gender (None: either), paraphrase nickname (None: no clean one).
# A nickname shares no stem with its relation word; it is used only when the
# user has exactly one entity with that nickname.
RELATIONS = [
    ("sister", "F", "my sis"), ("sister", "F", "my sis"), ("sister", "F", "my sis"),
    ("brother", "M", "my bro"), ("brother", "M", "my bro"), ("brother", "M", "my bro"),
    ("cousin", None, None), ("cousin", None, None),
    ("colleague", None, "my coworker"), ("colleague", None, "my coworker"),
    ("best friend", None, "my bestie"), ("neighbour", None, "the person next door"),
    ("flatmate", None, "my roommate"), ("aunt", "F", None), ("uncle", "M", None),
    ("old school friend", None, None),
]

# species, breed as said, the words of the breed that are the value, nickname
PET_KINDS = [
    ("dog", b, b, "my pooch") for b in (
        "beagle", "whippet", "dachshund", "border collie", "greyhound", "corgi",
        "labrador", "schnauzer", "vizsla", "samoyed", "pug", "springer spaniel",
        "dalmatian", "lurcher", "poodle", "basset hound")
] + [
    ("cat", b, b, "my kitty") for b in (
        "tabby", "ragdoll", "Siamese", "Maine Coon", "Bengal", "Persian", "Burmese",
        "Sphynx", "British Shorthair")
] + [
    ("rabbit", "Rex rabbit", "Rex", "my bunny"),
    ("rabbit", "Lionhead rabbit", "Lionhead", "my bunny"),
    ("rabbit", "dwarf lop", "dwarf lop", "my bunny"),
    ("bird", "budgie", "budgie", "my feathered friend"),
    ("bird", "cockatiel", "cockatiel", "my feathered friend"),
    ("bird", "canary", "canary", "my feathered friend"),
    ("bird", "African grey parrot", "African grey parrot", "my feathered friend"),
    ("bird", "lovebird", "lovebird", "my feathered friend"),
    ("gecko", "leopard gecko", "leopard", "my lizard"),
    ("gecko", "crested gecko", "crested", "my lizard"),
    ("hamster", "Syrian hamster", "Syrian", None),
    ("hamster", "Roborovski hamster", "Roborovski", None),
    ("guinea pig", "Abyssinian guinea pig", "Abyssinian", None),
    ("guinea pig", "Peruvian guinea pig", "Peruvian", None),
]

SMALL_PET_TREATS = ["sunflower seeds", "cucumber", "peas", "red pepper", "grapes",
                    "broccoli", "sweetcorn"]
SMALL_PET_TOYS = ["exercise wheel", "cardboard tunnel", "wooden chew stick",
                  "tiny seesaw", "hay ball"]
TREATS = {
    "dog": ["peanut butter", "cheese", "dried liver", "roast chicken", "carrots",
            "sausages", "blueberries", "ham"],
    "cat": ["tuna", "sardines", "prawns", "roast chicken", "salmon", "ham", "cheese",
            "cream"],
    "rabbit": ["dandelion leaves", "banana", "parsley", "carrot tops", "strawberries",
               "basil", "kale", "apple slices"],
    "bird": ["millet", "sunflower seeds", "apple slices", "grapes", "broccoli",
             "sweetcorn"],
    "gecko": ["mealworms", "crickets", "waxworms"],
    "hamster": SMALL_PET_TREATS,
    "guinea pig": SMALL_PET_TREATS,
}
TOYS = {
    "dog": ["squeaky hedgehog", "tennis ball", "frisbee", "rubber chicken", "stuffed duck",
            "slipper"],
    "cat": ["feather wand", "cardboard box", "catnip mouse", "crinkle ball",
            "laser pointer", "hair tie", "paper bag"],
    "rabbit": ["willow ball", "cardboard tunnel", "wooden chew stick", "paper bag",
               "stacking cups"],
    "bird": ["little bell", "mirror", "rope swing", "wooden ladder", "plastic ring"],
    "hamster": SMALL_PET_TOYS,
    "guinea pig": SMALL_PET_TOYS,
}

STAYS = ["a houseboat", "a treehouse", "a yurt", "a tiny flat above a bakery",
         "a converted barn", "a ryokan", "a hostel dorm", "a lighthouse cottage",
         "a shepherd's hut", "a farmhouse", "a cabin by the lake", "a caravan",
         "a castle hotel", "a monastery guesthouse", "a glamping pod", "a beach hut"]
LENGTHS = ["four nights", "ten days", "two weeks", "a long weekend", "a fortnight",
           "five nights", "three weeks", "nine days", "six nights", "eight days"]
PURPOSES = ["a wedding", "a conference", "a food tour", "a music festival",
            "a diving course", "a job interview", "a marathon", "a yoga retreat",
            "a chess tournament", "a photography workshop", "a family reunion",
            "a trade fair", "a sailing course"]

# appointment word, title of the person seen (None: Ms/Mr), nickname, reasons
APPOINTMENTS = [
    ("dentist", "Dr", "tooth doctor",
     ["a filling", "a new crown", "a root canal", "a scale and polish"]),
    ("optician", None, "eye specialist",
     ["new glasses", "contact lenses", "a retina scan", "blurry vision"]),
    ("dermatologist", "Dr", "skin doctor",
     ["a mole check", "my eczema", "a rash on my arm", "a biopsy result"]),
    ("physiotherapist", None, "physio",
     ["my bad knee", "a sore shoulder", "my lower back", "a sprained ankle"]),
    ("cardiologist", "Dr", "heart doctor",
     ["an ECG", "a stress test", "my blood pressure", "palpitations"]),
    ("podiatrist", None, "foot doctor",
     ["an ingrown toenail", "new insoles", "a verruca", "heel pain"]),
    ("GP", "Dr", "family doctor",
     ["a blood test", "my annual check-up", "a flu jab", "a persistent cough"]),
    ("allergist", "Dr", "allergy doctor",
     ["a skin prick test", "my hay fever", "a reaction to nuts", "an EpiPen prescription"]),
    ("accountant", None, "tax adviser",
     ["my tax return", "the mortgage paperwork", "setting up a pension",
      "my business accounts"]),
    ("audiologist", None, "hearing specialist",
     ["new hearing aids", "ringing in my ears", "a hearing test", "blocked ears"]),
]
APPT_STREETS = STREETS + ["Abbotsford", "Brackenbury", "Coldharbour", "Dovecote",
                          "Fernhill", "Gallowgate", "Hazelmere"]
STREET_KINDS = ["Road", "Lane", "Street", "Avenue"]
TIMES = ["8:40", "9:15", "10:30", "11:45", "12:20", "1:50", "2:35", "3:10", "4:25", "5:05"]

# ---------------------------------------------------------------------------
# Turn templates, many per attribute so that two entities of one user rarely
# say the same attribute the same way. {who} is the name, or "my sister Lena" /
# "my dog Biscuit"; {v} the value; {v2} the new value of an update.
# ---------------------------------------------------------------------------

TURNS = {
    "person.job": [
        "{who} works as {an_v} now.",
        "{who} finally got {their} dream job as {an_v}!",
        "Turns out {who} has been {an_v} for years, I had no idea.",
        "{who} just started a new job as {an_v}, so proud of {them}.",
        "Had dinner with {who}, {they} told me all about life as {an_v}.",
        "{who} says being {an_v} is harder than it looks.",
        "Asked {who} for advice, {they}'s {an_v} after all.",
        "{who} retrained as {an_v} last year and loves it.",
        "{who} is {an_v}, so {they} never gets weekends off.",
    ],
    "person.city": [
        "{who} lives in {v} these days.",
        "{who} has a tiny flat in {v} now.",
        "{who} says rent in {v} is out of control, but {they} loves it there.",
        "{who} settled in {v} after uni and never left.",
        "{who} keeps asking me to come and stay with {them} in {v}.",
        "{who} is based in {v}, so we mostly talk on the phone.",
        "{who_s} place in {v} has the most amazing view.",
        "{who} moved to {v} a couple of years ago.",
        "{who} sent me photos from {v}, where {they} lives now.",
    ],
    "person.birthday": [
        "{who_s} birthday is on {v}, must not forget.",
        "Need to buy {who} a present, {their} birthday is {v}.",
        "Note to self: {who_s} birthday, {v}.",
        "{who} is having a party on {v} for {their} birthday.",
        "Every year I forget that {who_s} birthday is {v}.",
        "{who} was born on {v}, I finally wrote it down.",
        "A card for {who} has to arrive by {v}, that's {their} birthday.",
    ],
    "person.hobby": [
        "{who} has got really into {v} lately.",
        "{who} spends every weekend on {v}.",
        "{who} wants me to try {v} with {them}, not sure about that.",
        "{who} signed up for {an_v} class and talks about nothing else.",
        "{who_s} new obsession is {v}.",
        "Apparently {who} is brilliant at {v}, who knew.",
        "{who} took up {v} over the winter.",
        "{who_s} flat is full of {v} gear now.",
    ],
    # the breed is the value, so these say the bare name, never "my dog X"
    "pet.breed": [
        "{name} is {an_v}, in case I never mentioned it.",
        "Got {name} from {an_v} rescue a while back.",
        "{name} is {an_v} through and through.",
        "Never had {an_v} before {name}, such a character.",
        "The vet says {name} is a textbook {v}.",
        "Someone asked what breed {name} is: {an_v}, obviously.",
    ],
    "pet.age": [
        "{who} turned {v} last week, we got {them} a little cake.",
        "Can't believe {who} is already {v} years old.",
        "{who} is {v} now and still acts like a baby.",
        "The vet says {who} is in great shape for {v}.",
        "Had {who} for {v} years now, since {they} was tiny.",
    ],
    "pet.treat": [
        "{who} goes absolutely wild for {v}.",
        "{who} will do anything for {v}.",
        "Caught {who} stealing {v} off the counter again.",
        "{who_s} favourite treat is {v}, spoiled rotten.",
        "The only way to get {who} into the carrier is with {v}.",
        "{who} gets {v} as a reward for good behaviour.",
    ],
    "pet.toy": [
        "{who} is obsessed with {their} {v}.",
        "{who_s} favourite toy is {an_v}.",
        "Had to buy {who} a new {v}, {they} destroyed the last one.",
        "{who} could play with that {v} for hours.",
        "Found {who_s} {v} under the sofa, {they} was thrilled.",
    ],
    "trip.when": [
        "Booked flights to {name} for {v}!",
        "Going to {name} in {v}, finally.",
        "The {name} trip is happening in {v}.",
        "{v} can't come soon enough, that's when I'm off to {name}.",
        "Just asked for time off in {v} for {name}.",
        "Off to {name} in {v}, counting the days.",
    ],
    "trip.companion": [
        "{v} is coming with me to {name}.",
        "Going to {name} with {v}, should be fun.",
        "Convinced {v} to join me in {name}.",
        "{v} and I are doing {name} together.",
        "Travelling to {name} with {v}, hope we don't fall out.",
    ],
    "trip.stay": [
        "Booked {v} for the {name} trip.",
        "In {name} we're staying in {v}, looks amazing.",
        "The accommodation in {name} is {v}, fingers crossed.",
        "Sleeping in {v} in {name}, that'll be an adventure.",
        "Found {v} online for {name} and booked it on the spot.",
    ],
    "trip.length": [
        "The {name} trip is {v} in total.",
        "Only managed to get {v} off work for {name}.",
        "{v} in {name}, that's the plan.",
        "Spending {v} in {name}, not nearly enough.",
        "We'll be in {name} for {v}.",
    ],
    "trip.purpose": [
        "Heading to {name} for {v}.",
        "The {name} trip is for {v}.",
        "Flying out to {name} for {v}, not exactly a holiday.",
        "Going to {name} for {v}, should be interesting.",
        "The whole reason for {name} is {v}.",
    ],
    "appt.when": [
        "{name} appointment on {v}, don't let me forget.",
        "Booked the {name} for {v}.",
        "Got the {name} on {v}, dreading it.",
        "My {name} appointment is on {v}.",
        "Finally got {an_name} slot: {v}.",
        "Have to leave work early for the {name}, it's {v}.",
    ],
    "appt.who": [
        "My {name} is {v}, really nice.",
        "Switched to a new {name}, {v}.",
        "{v} is the {name} I'm seeing.",
        "Booked in with {v}, the {name} everyone raves about.",
        "The {name} I see is {v}, very calm.",
    ],
    "appt.where": [
        "The {name} is on {v}, right by the bakery.",
        "My {name} moved to a new place on {v}.",
        "The {name} practice is on {v}, ten minutes' walk from me.",
        "Need to find parking near {v} for the {name}.",
        "{name} appointment is at the place on {v}.",
    ],
    "appt.reason": [
        "The {name} appointment is for {v}.",
        "Going to the {name} about {v}.",
        "Seeing the {name} for {v}, hope it's quick.",
        "Finally booked the {name} to sort out {v}.",
    ],
}

# A later turn that changes the value ({v} old, {v2} new); the question then
# lists both turns, as dataset.json does for its updates.
UPDATES = {
    "person.city": [
        "{who} has left {v} and moved to {v2}.",
        "Update: {who} lives in {v2} now, {they} finally left {v}.",
        "{who} just signed a lease in {v2}, so no more {v} for {them}.",
        "Big news, {who} moved from {v} to {v2} last week.",
    ],
    "trip.when": [
        "The {name} trip got pushed back from {v} to {v2}.",
        "Change of plan: {name} is now in {v2} instead of {v}.",
        "Had to move {name} to {v2}, {v} just didn't work.",
    ],
    "appt.when": [
        "The {name} moved my appointment to {v2}.",
        "The {name}'s office called, I'm now booked for {v2} instead of {v}.",
        "Had to reschedule the {name}, it's {v2} now.",
    ],
}
UPDATE_CHANCE = {"person.city": 0.15, "trip.when": 0.15, "appt.when": 0.35}

# Idle chat naming an entity without any of its values: more turns that share
# the name, as in real chat.
CHAT = {
    "person": [
        "Had a long phone call with {who} tonight.",
        "{who} sent me the funniest meme today.",
        "Need to ring {who} back, totally forgot.",
        "{who} and I had a silly argument about nothing.",
        "{who} came round for dinner, lovely evening.",
        "Haven't heard from {who} in ages, hope {they}'s okay.",
        "{who} recommended a series to me, can't remember what it was called.",
        "Lunch with {who} on Sunday, looking forward to it.",
    ],
    "pet": [
        "{who} is snoring next to me right now.",
        "{who} knocked a mug off the table again.",
        "{who} has been extra cuddly today.",
        "{who} woke me up at five this morning, again.",
        "Took about fifty photos of {who} today, no regrets.",
        "{who} is sulking because I was out all day.",
    ],
    "trip": [
        "Still haven't started packing for {name}.",
        "So excited about {name}!",
        "Should I get travel insurance for {name}?",
        "Need a new suitcase before {name}.",
        "Reading up on things to do in {name}.",
        "Made a playlist for the {name} trip.",
    ],
    "appt": [
        "Really not looking forward to the {name}.",
        "Must remember to confirm with the {name}.",
        "Why is the {name} always running late?",
        "Filled in the {name}'s online form, so many questions.",
    ],
}
CHAT_CHANCE = {"person": 0.5, "pet": 0.5, "trip": 0.4, "appt": 0.4}

# ---------------------------------------------------------------------------
# Question wordings: one pool per attribute, {name} is the entity's name (or
# its nickname for a paraphrase). The kind follows from the answer turn.
# ---------------------------------------------------------------------------

QUESTIONS = {
    "person.job": [
        "What does {name} do for a living?", "What's {name_s} job?",
        "What does {name} work as?", "What is {name_s} profession?",
        "What line of work is {name} in?", "What's {name_s} occupation?",
        "How does {name} earn a living?", "What does {name} do for work?",
    ],
    "person.city": [
        "Where does {name} live?", "Which city is {name} based in?",
        "Where is {name_s} home these days?", "What town does {name} live in?",
        "Where has {name} settled?", "Which city would I visit to see {name}?",
        "Where is {name} living now?",
    ],
    "person.birthday": [
        "When is {name_s} birthday?", "What date was {name} born?",
        "When should I send {name} a birthday card?",
        "What day does {name} get a year older?", "When do I need a present for {name}?",
        "When was {name} born?",
    ],
    "person.hobby": [
        "What is {name_s} hobby?", "What does {name} do in their free time?",
        "What pastime has {name} picked up?", "What is {name} into these days?",
        "What does {name} do for fun?", "What's {name} obsessed with lately?",
        "What new hobby has {name} taken up?", "What does {name} spend weekends doing?",
    ],
    "pet.breed": [
        "What breed is {name}?", "What kind of animal is {name}?",
        "What type of pet is {name}?", "Which breed is {name}?",
        "What sort of breed is {name}?",
    ],
    "pet.age": [
        "How old is {name}?", "What age is {name}?", "How many years old is {name}?",
        "What age did {name} turn?",
    ],
    "pet.treat": [
        "What's {name_s} favourite treat?", "What snack does {name} love?",
        "What food does {name} go crazy for?", "What does {name} like to eat most?",
        "What can I bribe {name} with?",
    ],
    "pet.toy": [
        "What's {name_s} favourite toy?", "What does {name} like to play with?",
        "What is {name_s} favourite thing to play with?", "Which toy does {name} love?",
    ],
    "trip.when": [
        "When am I going to {name}?", "When is the {name} trip?",
        "What month do I leave for {name}?", "When do I head to {name}?",
        "When will I be in {name}?",
    ],
    "trip.companion": [
        "Who is coming to {name} with me?", "Who am I travelling to {name} with?",
        "Who's joining me in {name}?", "Who am I going to {name} with?",
    ],
    "trip.stay": [
        "Where am I staying in {name}?", "What accommodation did I book in {name}?",
        "Where will I sleep in {name}?", "What kind of place did I book for {name}?",
    ],
    "trip.length": [
        "How long is the {name} trip?", "How long will I be in {name}?",
        "How long am I away for {name}?", "What's the duration of my {name} trip?",
    ],
    "trip.purpose": [
        "Why am I going to {name}?", "What's the reason for the {name} trip?",
        "What's taking me to {name}?", "What is the {name} trip for?",
    ],
    "appt.when": [
        "When is my {name} appointment?", "When do I see the {name}?",
        "What day is my {name} appointment?", "When am I booked in with the {name}?",
        "What time do I have to be at the {name}?",
    ],
    "appt.who": [
        "What's my {name_s} name?", "Who is my {name}?", "Who am I seeing at the {name}?",
        "Which {name} am I booked with?",
    ],
    "appt.where": [
        "Where is my {name} appointment?", "Where do I go for the {name}?",
        "Where is the {name} based?", "What street is the {name} on?",
    ],
    "appt.reason": [
        "What is the {name} appointment for?", "Why am I seeing the {name}?",
        "What am I going to the {name} for?", "What's the {name} visit about?",
    ],
}

# Wordings that would be silly with a nickname ("What kind of animal is my pooch?")
NAME_ONLY = {"What kind of animal is {name}?", "What type of pet is {name}?"}

ATTRS = {
    "person": ["job", "city", "birthday", "hobby"],
    "pet": ["breed", "age", "treat", "toy"],
    "trip": ["when", "companion", "stay", "length", "purpose"],
    "appt": ["when", "who", "where", "reason"],
}

# ---------------------------------------------------------------------------
# Per-user draws
# ---------------------------------------------------------------------------


class Entity:
    """A relative/friend/colleague, a pet, a trip or an appointment."""

    def __init__(self, kind, name, ref=None, anchors=(), gender=None, **fields):
        self.kind = kind
        self.name = name                  # as used in turns and questions
        self.stems = content(name)
        self.ref = ref                    # nickname for paraphrase questions
        self.anchors = [content(a) for a in anchors]  # words a nickname stands for
        self.fields = fields              # rel, species
        pron = {"F": ("she", "her", "her"), "M": ("he", "him", "his")}[gender or "F"]
        self.they, self.them, self.their = pron
        self.facts = []
        self.chat = []                    # texts of idle chat turns

    def who(self, rng):
        """How a turn names the entity: bare, or with its relation/species."""
        if self.kind == "person" and rng.random() < 0.5:
            return f"my {self.fields['rel']} {self.name}"
        if self.kind == "pet" and rng.random() < 0.4:
            return f"my {self.fields['species']} {self.name}"
        return self.name

    def anchored(self, text):
        return any(a <= content(text) for a in self.anchors)


class Fact:
    """One attribute of one entity: its value(s) and turn(s)."""

    def __init__(self, ent, attr, values, keys, turns, bound=False):
        self.ent = ent
        self.attr = attr
        self.cat = f"{ent.kind}.{attr}"
        self.values = values              # 2 when updated later
        self.keys = [content(k) for k in keys]  # a turn holding all of a key holds it
        self.turns = turns                # texts: 1, or 2 for an update
        self.bound = bound                # value is another entity's name: held
        #                                   only together with this entity's name


def fill(c, ent, template, **values):
    """One turn: template filled in for ent, with value v (and v2 for an update)."""
    who = ent.who(c.rng)
    v = values.pop("v", "")
    text = template.format(
        name=ent.name, an_name=an(ent.name), who=who, who_s=who + "'s",
        v=v, an_v=an(v) if v else "", they=ent.they, them=ent.them, their=ent.their,
        **values)
    return cap(text)


def attr_count(c, n_max):
    """2-4 facts per entity, mostly 3: most entities share most attributes."""
    return min(n_max, c.rng.choices((2, 3, 4), weights=(15, 45, 40))[0])


def draw_people(c):
    people = []
    for _ in range(c.rng.randint(3, 4)):
        rel, gender, ref = c.pick(RELATIONS)
        gender = gender or c.pick("FM")
        name = c.take(FEMALE if gender == "F" else MALE)
        people.append(Entity("person", name, ref, [rel], gender, rel=rel))
    return people


def draw_pets(c):
    pets = []
    for _ in range(c.rng.randint(2, 3)):
        species, breed, key, ref = c.take(PET_KINDS, key=lambda p: p[2])
        name = c.take(PET_NAMES)
        e = Entity("pet", name, ref, [species, key], c.pick("FM"), species=species,
                   breed=breed, breed_key=key)
        pets.append(e)
    return pets


def draw_trips(c):
    return [Entity("trip", c.take(CITIES)) for _ in range(c.rng.randint(2, 3))]


def draw_appts(c):
    appts = []
    for word, title, ref, reasons in c.rng.sample(APPOINTMENTS, 2):
        c.take([word])  # reserve the word: no value may contain it
        appts.append(Entity("appt", word, ref, [word], title=title, reasons=reasons))
    return appts


def draw_value(c, ent, attr, people, companions):
    """(shown value, key text, bound) for one attribute, or None if none is left."""
    kind = ent.kind
    if (kind, attr) == ("person", "job"):
        v = c.take(JOBS)
    elif attr == "city" or (kind, attr) == ("trip", "when"):
        v = c.take(CITIES if attr == "city" else MONTHS)
    elif attr == "birthday":
        v = f"{c.take([str(d) for d in range(1, 29)])} {c.take(MONTHS)}"
    elif attr == "hobby":
        v = c.take(HOBBIES)
    elif attr == "breed":
        return ent.fields["breed"], ent.fields["breed_key"], False
    elif attr == "age":
        v = c.take([str(n) for n in range(2, 16)])  # "1 years old" reads wrong
    elif attr == "treat":
        v = c.take(TREATS[ent.fields["species"]])
    elif attr == "toy":
        if ent.fields["species"] not in TOYS:
            return None
        v = c.take(TOYS[ent.fields["species"]])
    elif attr == "companion":
        free = [p for p in people if p not in companions]
        if not free:
            return None
        p = c.pick(free)
        companions.append(p)
        return p.who(c.rng), p.name, True
    elif attr == "stay":
        v = c.take(STAYS)
    elif attr == "length":
        v = c.take(LENGTHS)
    elif attr == "purpose":
        v = c.take(PURPOSES)
    elif (kind, attr) == ("appt", "when"):
        day, time = c.take(WEEKDAYS), c.take(TIMES)
        return f"{day} at {time}", f"{day} {time}", False
    elif attr == "who":
        sur = c.take(SURNAMES)
        return f"{ent.fields['title'] or c.pick(['Ms', 'Mr'])} {sur}", sur, False
    elif attr == "where":
        street = c.take(APPT_STREETS)
        return f"{street} {c.pick(STREET_KINDS)}", street, False
    elif attr == "reason":
        v = c.take(ent.fields["reasons"])
    else:
        raise ValueError((kind, attr))
    return v, v, False


def draw_facts(c, ent, people, companions):
    attrs = ATTRS[ent.kind]
    if ent.kind == "appt":   # an appointment always has a time
        chosen = ["when"] + c.rng.sample(attrs[1:], attr_count(c, 4) - 1)
    else:
        chosen = c.rng.sample(attrs, attr_count(c, len(attrs)))
    for attr in attrs:       # keep the fixed attribute order for readability
        if attr not in chosen:
            continue
        cat = f"{ent.kind}.{attr}"
        drawn = draw_value(c, ent, attr, people, companions)
        if drawn is None:
            continue
        v, key, bound = drawn
        turns = [fill(c, ent, c.template(TURNS[cat]), v=v)]
        values, keys = [v], [key]
        if cat in UPDATE_CHANCE and c.rng.random() < UPDATE_CHANCE[cat]:
            v2, key2, _ = draw_value(c, ent, attr, people, companions)
            turns.append(fill(c, ent, c.template(UPDATES[cat]), v=v, v2=v2))
            values.append(v2)
            keys.append(key2)
        ent.facts.append(Fact(ent, attr, values, keys, turns, bound))
    if c.rng.random() < CHAT_CHANCE[ent.kind]:
        ent.chat.append(fill(c, ent, c.template(CHAT[ent.kind])))


# ---------------------------------------------------------------------------
# Building one user
# ---------------------------------------------------------------------------


def build_user(rng, uid):
    for _attempt in range(200):
        res = try_user(rng, uid)
        if res is not None:
            return res
    raise RuntimeError(f"could not build {uid}")


def try_user(rng, uid):
    c = Draws(rng)
    people = draw_people(c)
    ents = people + draw_pets(c) + draw_trips(c) + draw_appts(c)
    companions = []
    for e in ents:
        draw_facts(c, e, people, companions)

    # blocks of turns: (text, entity index or None, fact or None, turn index)
    blocks = []
    for ei, e in enumerate(ents):
        for f in e.facts:
            blocks += [(t, ei, f, j) for j, t in enumerate(f.turns)]
        blocks += [(t, ei, None, 0) for t in e.chat]
    n_fixed = len(blocks)

    # small talk makes up 40-60% of the turns, 50-80 turns in all
    lo, hi = max(50, -(-n_fixed * 10 // 6)), min(80, n_fixed * 10 // 4)
    if lo > hi:
        return None
    n_filler = rng.randint(lo, hi) - n_fixed
    filler = draw_filler(c, ents, n_filler)
    if filler is None:
        return None
    blocks += [(t, None, None, 0) for t in filler]

    rng.shuffle(blocks)
    if not order_updates(blocks):
        return None
    turns, meta = [], []
    ids = {}  # (fact, turn index) -> turn id
    for text, ei, f, j in blocks:
        tid = f"{uid}-t{len(turns) + 1:03d}"
        turns.append({"id": tid, "text": text})
        meta.append((ei, f.cat if f else ("chat" if ei is not None else "filler")))
        if f is not None:
            ids[(f, j)] = tid
    if not turns_ok(turns, blocks, ents):
        return None

    questions = pick_questions(rng, uid, ents, ids)
    if questions is None:
        return None
    conv = {"user": uid, "turns": turns, "questions": questions}
    return conv, {"turns": meta, "ents": ents}


def order_updates(blocks):
    """An update comes at least 3 turns after the turn it updates."""
    first = {}
    for bi, (_, _, f, j) in enumerate(blocks):
        if f is not None and len(f.turns) == 2:
            first.setdefault(f, {})[j] = bi
    for pos in first.values():
        a, b = pos[0], pos[1]
        if a > b:
            blocks[a], blocks[b] = blocks[b], blocks[a]
            a, b = b, a
        if b - a < 3:
            return False
    return True


def turns_ok(turns, blocks, ents):
    """Each value is held only by its own fact's turns; each name appears only in
    its entity's turns (and, for a person, in the trip turns naming them)."""
    stems = [content(t["text"]) for t in turns]
    if len({t["text"] for t in turns}) != len(turns):
        return False
    owner = [(ei, f) for _, ei, f, _ in blocks]
    for ei, e in enumerate(ents):
        for f in e.facts:
            for key in f.keys:
                need = key | e.stems if f.bound else key
                for s, (oi, of) in zip(stems, owner):
                    if need <= s and of is not f:
                        return False
        for s, (oi, of) in zip(stems, owner):
            if e.stems <= s and oi != ei:
                if not (of is not None and of.bound and e.stems <= content(of.values[0])):
                    return False
    return True


# ---------------------------------------------------------------------------
# Questions
# ---------------------------------------------------------------------------


def classify(q, fact, texts, by_ref):
    """The kind of question q is for answer turns texts, or None if it fits none."""
    qc = content(q)
    overlaps = [qc & content(t) for t in texts]
    if by_ref:
        ok = all(fact.ent.anchored(t) for t in texts) and not any(overlaps)
        return "paraphrase" if ok else None
    name = fact.ent.stems
    if not (name <= qc and all(name <= content(t) for t in texts)):
        return None
    return "keyword" if any(o - name for o in overlaps) else "mixed"


def leaks(q, fact, ents):
    """True if q gives away its answer or names another entity or value."""
    qc = content(q)
    if any(qc & k for k in fact.keys):
        return True
    for e in ents:
        if e is not fact.ent and e.stems & qc:
            return True
        for f in e.facts:
            if f is not fact and any(k <= qc for k in f.keys):
                return True
    return False


def candidates(fact, ents, texts):
    refs = [e.ref for e in ents if e.ref]
    unique_ref = fact.ent.ref and refs.count(fact.ent.ref) == 1
    out = {k: [] for k in KINDS}
    for tpl in QUESTIONS[fact.cat]:
        for by_ref in (False, True):
            if by_ref and (not unique_ref or tpl in NAME_ONLY):
                continue
            label = fact.ent.ref if by_ref else fact.ent.name
            q = cap(tpl.format(name=label, name_s=label + "'s"))
            kind = classify(q, fact, texts, by_ref)
            if kind and not leaks(q, fact, ents):
                out[kind].append(q)
    return out


def pick_questions(rng, uid, ents, ids):
    facts = [f for e in ents for f in e.facts]
    cands = [candidates(f, ents, f.turns) for f in facts]
    n_q = rng.randint(8, 12)
    n_para = sum(1 for c in cands if c["paraphrase"])
    p = min(rng.choice((1, 2, 2, 3)), n_para)
    k = (n_q - p) // 2 + ((n_q - p) % 2 if rng.random() < 0.5 else 0)
    wanted = [("paraphrase", p), ("keyword", k), ("mixed", n_q - p - k)]

    chosen, used, texts = [], set(), set()
    for kind, n in wanted:
        for _ in range(n):
            pool = [i for i in range(len(facts)) if cands[i][kind] and i not in used]
            if not pool:
                return None
            if kind == "paraphrase":
                # nicknames fit appointments far more often than people or pets
                # (whose answer turn must say "sister", "dog"...): draw the kind
                # of entity first so that all kinds get paraphrases
                ekind = rng.choice(sorted({facts[i].ent.kind for i in pool}))
                pool = [i for i in pool if facts[i].ent.kind == ekind]
            i = rng.choice(pool)
            q = rng.choice(cands[i][kind])
            if q in texts:
                return None
            used.add(i)
            texts.add(q)
            chosen.append((i, kind, q))
    rng.shuffle(chosen)

    out = []
    for qi, (i, kind, q) in enumerate(chosen):
        f = facts[i]
        out.append({
            "id": f"{uid}-q{qi + 1:02d}",
            "text": q,
            "answers": sorted(ids[(f, j)] for j in range(len(f.turns))),
            "kind": kind,
            "category": f.cat,
            "entity": f.ent.name,
        })
    return out


# ---------------------------------------------------------------------------
# Whole set, check and summary
# ---------------------------------------------------------------------------


def generate(seed=SEED, keep_meta=False):
    """The set; with keep_meta, also per-user turn/entity info for --stats."""
    rng = random.Random(seed)
    convs, metas = [], []
    for n in range(1, N_USERS + 1):
        conv, meta = build_user(rng, f"u{n:02d}")
        convs.append(conv)
        metas.append(meta)
    if not keep_meta:
        for conv in convs:
            for q in conv["questions"]:
                del q["category"], q["entity"]
    data = {"version": VERSION, "seed": seed, "conversations": convs}
    return (data, metas) if keep_meta else data


def check(data):
    # ids unique, kinds known, answers are the user's turns; then the sizes
    return base.check(data) + base.check_sizes(data, (50, 80), (8, 12))


def summary(data, metas=None):
    lines = base.summary_lines(data)
    if metas:
        lines += crowding(data["conversations"], metas)
    return "\n".join(lines)


def crowding(convs, metas):
    """Per-category counts and how crowded each question's answer is."""
    kinds_of = {}
    n_fact = n_chat = n_filler = 0
    same_attr = {k: [] for k in KINDS}
    same_name = {k: [] for k in KINDS}
    same_kind = {k: [] for k in KINDS}
    for conv, meta in zip(convs, metas):
        turn_meta = dict(zip((t["id"] for t in conv["turns"]), meta["turns"]))
        n_chat += sum(1 for _, cat in meta["turns"] if cat == "chat")
        n_filler += sum(1 for _, cat in meta["turns"] if cat == "filler")
        n_fact += sum(1 for ei, _ in meta["turns"] if ei is not None)
        stems = {t["id"]: content(t["text"]) for t in conv["turns"]}
        for q in conv["questions"]:
            kinds_of.setdefault(q["category"], {k: 0 for k in KINDS})[q["kind"]] += 1
            ent = next(e for e in meta["ents"] if e.name == q["entity"])
            ei = meta["ents"].index(ent)
            others = [t for t in stems if t not in q["answers"]]
            same_attr[q["kind"]].append(sum(
                1 for t in others
                if turn_meta[t][1] == q["category"] and turn_meta[t][0] != ei))
            same_name[q["kind"]].append(sum(1 for t in others if ent.stems <= stems[t]))
            same_kind[q["kind"]].append(sum(
                1 for t in others if turn_meta[t][0] is not None and turn_meta[t][0] != ei
                and meta["ents"][turn_meta[t][0]].kind == ent.kind))
    lines = [f"turns about entities: {n_fact - n_chat} facts + {n_chat} idle chat; "
             f"small talk: {n_filler}"]
    for k in KINDS:
        if same_attr[k]:
            lines.append(
                f"  {k:<10} other turns per question: same attribute "
                f"{sum(same_attr[k]) / len(same_attr[k]):.1f}, "
                f"same kind of entity {sum(same_kind[k]) / len(same_kind[k]):.1f}, "
                f"same name {sum(same_name[k]) / len(same_name[k]):.1f}")
    n = sum(len(v) for v in same_attr.values())
    lines.append(
        f"  {'all':<10} other turns per question: same attribute "
        f"{sum(map(sum, same_attr.values())) / n:.1f}, "
        f"same kind of entity {sum(map(sum, same_kind.values())) / n:.1f}, "
        f"same name {sum(map(sum, same_name.values())) / n:.1f}")
    lines.append("per category (paraphrase/keyword/mixed):")
    for cat in sorted(kinds_of):
        lines.append(f"  {cat:<16} " + " ".join(f"{k[0]}={v}" for k, v in kinds_of[cat].items()))
    return lines


def main():
    base.cli(__doc__, "crowded.json", OUT, lambda: base.dumps(generate()), check, summary,
             lambda: summary(*generate(keep_meta=True)))


if __name__ == "__main__":
    main()
