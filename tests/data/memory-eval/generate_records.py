#!/usr/bin/env python3
"""Generate the identifier memory retrieval set (records.json).

A long-lived user's chat memory fills up with records of the same kind that
differ mainly by an identifier: order numbers, parcel tracking numbers, flight
numbers, support tickets, invoices, booking references, number plates, error
codes, product models, software versions, room and locker numbers. A dense
sentence embedding sees such codes only weakly (to a wordpiece model "48213"
and "48271" are a few similar pieces), so "Order 48213 arrived with a big dent
in it." and "Order 48271 is due to arrive on 3 May." look much alike. Users
nevertheless ask by the identifier they have at hand ("What was wrong with
order 48213?"). Here every user has 8-14 such records of 4-6 kinds, 2-3 of
each kind, each with 1-3 facts in separate turns, plus some idle chat that
names a record, mixed into roughly as much small talk. This is the case where
keyword search is expected to matter; the set was specified for it and not
tuned against any method's results.

Question kinds, with the labels of dataset.json:
  keyword     names the identifier and shares at least one more content word
              with the answer turn;
  mixed       names the identifier and shares no other content word with it;
  paraphrase  does not name the identifier: it describes the record in other
              words ("Which delivery came broken?") by a value that exactly
              one record of that user has, and shares no content word with
              the answer turn.

The kind of a question is measured on the answer turn with generate.py's
tokenizer and stemmer; every attribute has one pool of question wordings and
the pool is not tuned to any retrieval method.

Standard library only, deterministic (random.Random(SEED)), so running it
again rewrites records.json byte for byte.

    python3 generate_records.py            # (re)write records.json next to this file
    python3 generate_records.py --check    # validate records.json and print a summary
    python3 generate_records.py --stdout   # print the JSON instead of writing it
    python3 generate_records.py --stats    # summary with per-category counts, writes nothing
"""

import os
import random
import sys

# generate.py is imported for its tokenizer, pools and filler; it must not
# leave a __pycache__ directory in the source tree.
sys.dont_write_bytecode = True
import generate as base  # noqa: E402  (after the bytecode switch on purpose)
from generate import (  # noqa: E402
    CARS, CITIES, COLOURS, FEMALE, KINDS, MALE, MONTHS, WEEKDAYS, Draws, an, content,
    draw_filler,
)

SEED = 31
VERSION = 1
N_USERS = 40
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "records.json")
MIN_TURNS, MAX_TURNS = 40, 80

# ---------------------------------------------------------------------------
# Identifiers. Each kind has one format, shared by all users; a maker returns
# the identifier and its format part (airline, "INV-2025", "v2"...), which two
# identifiers of one user may share. The rest must be the identifier's own.
# ---------------------------------------------------------------------------

ALNUM = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I/O/0/1, as on printed references
CONSONANTS = "BCDFGHJKLMNPRSTVWXYZ"
AIRLINES = ["LH", "BA", "KL", "AF", "IB", "SK", "AY", "TP", "LX", "OS", "EI", "TK", "U2",
            "FR", "VS", "AZ"]
MODEL_PREFIX = ["WH", "RT", "KD", "DX", "SM", "HT", "QN", "XG", "MX", "TX", "VC", "EP"]
PLATE_AREA = ["KX", "LR", "BD", "YS", "MA", "GF", "WP", "SN", "HG", "EJ", "CV", "OU", "RK",
              "NB", "PX", "DL", "FY", "VA"]
PLATE_AGE = ["15", "16", "17", "18", "19", "20", "21", "22", "23", "24", "65", "66", "67",
             "68", "69", "70", "71", "72", "73"]


def digits(rng, n):
    return "".join(rng.choice("0123456789") for _ in range(n))


def id_order(rng):          # "48213"
    return str(rng.randint(10000, 99999)), ""


def id_parcel(rng):         # "1Z" + shipper + service + package: "1Z9V82W60347281955"
    shipper = "".join(rng.choice(ALNUM) for _ in range(6))
    return f"1Z{shipper}{digits(rng, 2)}{digits(rng, 8)}", ""


def id_flight(rng):         # "LH 1432"
    code = rng.choice(AIRLINES)
    return f"{code} {rng.randint(100, 2999)}", code


def id_ticket(rng):         # "#A-20931"
    letter = rng.choice("AACKR")
    return f"#{letter}-{rng.randint(10000, 99999)}", letter


def id_invoice(rng):        # "INV-2025-0417"
    year = rng.choice(("2024", "2025", "2025"))
    return f"INV-{year}-{rng.randint(1, 999):04d}", f"INV-{year}"


def id_booking(rng):        # "K7PQ2M"
    while True:
        ref = rng.choice(ALNUM[:24]) + "".join(rng.choice(ALNUM) for _ in range(5))
        n_dig = sum(ch.isdigit() for ch in ref)
        if 2 <= n_dig <= 3:
            return ref, ""


def id_plate(rng):          # "KX19 ZRT"
    tail = "".join(rng.choice(CONSONANTS) for _ in range(3))
    return f"{rng.choice(PLATE_AREA)}{rng.choice(PLATE_AGE)} {tail}", ""


def id_error(rng):          # "E0427", "F21"
    letter = rng.choice("EEFH")
    body = f"{rng.randint(1, 9999):04d}" if rng.random() < 0.6 else str(rng.randint(10, 99))
    return letter + body, ""


def id_model(rng):          # "WH-1000XM4", "RT-AX58U"
    prefix = rng.choice(MODEL_PREFIX)
    letters = "ABCDEFGHKLMNPRSTUVWXZ"
    shape = rng.choice(("dddLLd", "LLddL", "dddd", "Lddd", "dddL", "ddLd"))
    core = "".join(rng.choice("123456789") if ch == "d" else rng.choice(letters)
                   for ch in shape)
    if shape.startswith("ddd") and rng.random() < 0.5:
        core = core[0] + "0" + core[2:]
    return f"{prefix}-{core}", prefix


def id_version(rng):        # "v2.14.3"
    major = rng.randint(1, 5)
    minor, patch = rng.randint(0, 31), rng.randint(0, 12)
    if minor == patch:
        patch += 1
    return f"v{major}.{minor}.{patch}", f"v{major}"


def id_room(rng):           # "214"
    return str(rng.randint(101, 989)), ""


def id_locker(rng):         # "37"
    return str(rng.randint(2, 260)), ""


IDS = {"order": id_order, "parcel": id_parcel, "flight": id_flight, "ticket": id_ticket,
       "invoice": id_invoice, "booking": id_booking, "plate": id_plate, "error": id_error,
       "model": id_model, "version": id_version, "room": id_room, "locker": id_locker}

# How a turn names a record ({id} is the identifier).
REFS = {
    "order": ["order {id}", "order #{id}", "my order {id}"],
    "parcel": ["parcel {id}", "the parcel with tracking number {id}", "package {id}",
               "tracking number {id}"],
    "flight": ["flight {id}", "{id}", "my flight {id}"],
    "ticket": ["ticket {id}", "support ticket {id}", "case {id}"],
    "invoice": ["invoice {id}", "{id}", "my invoice {id}"],
    "booking": ["booking {id}", "booking reference {id}", "reservation {id}"],
    "plate": ["{id}", "the car with plate {id}", "registration {id}", "reg {id}"],
    "error": ["error {id}", "code {id}", "error code {id}", "{id}"],
    "model": ["the {id}", "my {id}", "model {id}"],
    "version": ["{id}", "the {id} update", "release {id}"],
    "room": ["room {id}", "room no. {id}"],
    "locker": ["locker {id}", "locker number {id}", "locker no. {id}"],
}

# Attributes in the order a user tells them: what it is, when/how much, what
# went wrong, the follow-up.
ATTRS = {
    "order": ["item", "when", "amount", "problem", "outcome"],
    "parcel": ["contents", "when", "status"],
    "flight": ["dest", "when", "seat", "problem"],
    "ticket": ["issue", "opened", "agent", "status"],
    "invoice": ["job", "amount", "due", "status"],
    "booking": ["what", "when", "guest", "price"],
    "plate": ["vehicle", "make", "event"],
    "error": ["device", "meaning", "fix"],
    "model": ["product", "price", "issue"],
    "version": ["software", "when", "change"],
    "room": ["place", "when", "note"],
    "locker": ["place", "code", "contents"],
}

# ---------------------------------------------------------------------------
# Value pools: (value, class, description). The description says the value in
# other words, for paraphrase questions; the class keeps a user from having
# two values that one description could fit ("came broken"). None: no
# description, so no paraphrase question about this value.
# ---------------------------------------------------------------------------

POOLS = {
    "order.item": [
        ("a cast-iron casserole dish", "cookware", "the heavy cooking pot"),
        ("hiking boots", "boots", "the walking shoes"),
        ("a standing desk", "desk", "the height-adjustable workstation"),
        ("a robot vacuum", "vacuum", "the automatic floor cleaner"),
        ("a bike helmet", "helmet", "the cycling headgear"),
        ("a set of bed sheets", "bedding", "the new linen"),
        ("an electric toothbrush", "toothbrush", "the dental gadget"),
        ("a winter coat", "coat", "the warm jacket"),
        ("a coffee grinder", "grinder", "the bean mill"),
        ("a yoga mat", "yoga", "the exercise rug"),
        ("a garden hose", "hose", "the watering pipe"),
        ("a blender", "blender", "the smoothie maker"),
        ("a desk lamp", "lamp", "the reading light"),
        ("running shoes", "trainers", "the jogging trainers"),
        ("a two-person tent", "tent", "the camping shelter"),
        ("a cordless drill", "drill", "the power tool"),
    ],
    "order.problem": [
        ("arrived with a big dent in it", "damaged", "came broken"),
        ("was sent to my old address", "misdelivered", "went to where I used to live"),
        ("is missing half the parts", "incomplete", "came incomplete"),
        ("is out of stock for another month", "backorder", "won't ship for weeks"),
        ("was charged twice on my card", "double-charge", "got billed two times"),
        ("came in completely the wrong colour", "wrong-colour",
         "arrived in a different shade"),
        ("got left out in the rain by the courier", "soaked", "got soaked on the doorstep"),
        ("was cancelled by the seller without warning", "cancelled",
         "got called off by the shop"),
        ("never showed up even though it says delivered", "lost", "went missing"),
        ("was the wrong size", "size", "didn't fit"),
    ],
    "order.outcome": [
        ("got refunded in full", "refund", "ended with my money back"),
        ("is being replaced free of charge", "replacement", "is getting swapped for a new one"),
        ("earned me a £10 voucher as an apology", "voucher", "got me a gift card to say sorry"),
        ("has to go back by post at my own cost", "return-paid",
         "needs returning at my expense"),
        ("was sorted after three phone calls", "calls", "took ages on the helpline"),
        ("is being investigated by the courier", "investigation",
         "is under review with the delivery firm"),
        ("got resent with next-day delivery", "resent", "was shipped again express"),
    ],
    "parcel.contents": [
        ("the spare parts for my bike", "bike-parts", "the cycle components"),
        ("a birthday present for my niece", "present", "the gift for my sibling's kid"),
        ("my renewed passport", "passport", "the travel document"),
        ("a box of vinyl records", "vinyl", "the LPs"),
        ("the laptop coming back from repair", "laptop", "the fixed computer"),
        ("seeds and bulbs for the garden", "seeds", "the stuff to plant"),
        ("a wedding dress", "dress", "the bridal gown"),
        ("printer ink", "ink", "the refill cartridges"),
        ("a replacement phone screen", "screen", "the spare display for my mobile"),
        ("documents from the solicitor", "legal", "the papers from the lawyer"),
        ("a hand-woven rug", "rug", "the floor covering"),
        ("my new glasses", "glasses", "the spectacles"),
        ("a crate of wine", "wine", "the bottles of red"),
    ],
    "parcel.status": [
        ("stuck in customs", "customs", "stopped at the border"),
        ("sitting at the depot", "depot", "waiting at the sorting centre"),
        ("marked as delivered but nowhere to be seen", "lost", "gone missing"),
        ("on its way back to the seller", "return", "returning to the retailer"),
        ("waiting for me at the post office", "collect", "ready for collection"),
        ("delayed by the snow", "weather", "held up by bad weather"),
        ("lying behind the bins outside", "bins", "dumped next to the rubbish"),
        ("at the wrong house down the street", "wrong-house", "at a stranger's door"),
    ],
    "flight.problem": [
        ("was delayed by three hours", "delay", "left way behind schedule"),
        ("got cancelled the night before", "cancelled", "was scrapped at the last minute"),
        ("was overbooked and they bumped me", "overbooked", "had more passengers than places"),
        ("got diverted to another airport", "diverted", "landed somewhere unexpected"),
        ("had the worst turbulence of my life", "turbulence", "was incredibly bumpy"),
        ("sat on the runway for ages", "runway", "was stuck on the tarmac"),
        ("had a medical emergency on board", "emergency", "had someone fall ill mid-air"),
        ("lost my suitcase", "luggage", "misplaced my bag"),
    ],
    "ticket.issue": [
        ("my broadband dropping out every evening", "broadband",
         "the internet cutting off at night"),
        ("being charged twice for the same month", "double-charge", "getting billed double"),
        ("the boiler not heating the water", "boiler", "having no hot showers"),
        ("my account being locked", "locked", "not being able to log in"),
        ("the app crashing on startup", "crash", "the software dying as soon as it opens"),
        ("a leak under the kitchen sink", "leak", "water dripping beneath the basin"),
        ("a wrong meter reading", "meter", "the incorrect usage figures"),
        ("my parking permit never arriving", "permit", "the resident's pass that didn't come"),
        ("the lift in our building being broken", "lift", "the elevator not working"),
        ("a mobile contract I never signed", "contract", "a phone plan I didn't agree to"),
    ],
    "ticket.status": [
        ("escalated to a manager", "escalated", "passed up to someone senior"),
        ("closed without a fix", "closed", "shut with nothing solved"),
        ("put on hold until an engineer visits", "engineer",
         "waiting for a technician to come round"),
        ("resolved with a goodwill credit", "credit", "settled with some money off my bill"),
        ("reopened for the third time", "reopened", "back in the queue"),
        ("marked as urgent", "urgent", "flagged as a priority"),
    ],
    "invoice.job": [
        ("the logo for a bakery", "logo", "the branding for a bread shop"),
        ("translating a user manual", "translation",
         "putting an instruction booklet into another language"),
        ("photographing a wedding", "wedding-photos", "the pictures at a marriage ceremony"),
        ("three weeks of website fixes", "website", "the site repairs"),
        ("retiling a bathroom", "tiling", "the ceramic work in a washroom"),
        ("tutoring a student in maths", "tutoring", "the lessons for a pupil"),
        ("a talk at a conference", "talk", "speaking at an event"),
        ("editing a podcast series", "podcast", "cutting the audio show"),
        ("catering a christening", "catering", "the food for a baby's naming party"),
        ("the annual accounts for a café", "accounts", "the yearly bookkeeping for a coffee shop"),
        ("painting a mural in a school", "mural", "the wall art for a classroom"),
        ("a month of dog walking", "dog-walking", "taking someone's pet out every day"),
    ],
    "invoice.status": [
        ("paid two weeks late", "late", "settled well after the deadline"),
        ("still unpaid after two reminders", "unpaid", "left unsettled"),
        ("disputed by the client", "disputed", "being argued over"),
        ("lost by their accounts department", "lost-invoice",
         "misplaced by their finance people"),
        ("paid the same day", "prompt", "settled straight away"),
        ("paid by a cheque that bounced", "bounced", "covered by a payment that failed"),
    ],
    "booking.what": [
        ("the cottage in the Lake District", "cottage", "the holiday house up north"),
        ("a table for eight at the steakhouse", "steakhouse", "the big group dinner"),
        ("two places at the ballet", "ballet", "the dance show"),
        ("a hire car for the weekend", "hire-car", "the rental vehicle"),
        ("a campsite pitch by the lake", "campsite", "the tent spot near the water"),
        ("a night at the spa hotel", "spa", "the pampering getaway"),
        ("the ferry to the island", "ferry", "the boat crossing"),
        ("a cooking class for two", "cooking-class", "the culinary workshop"),
        ("a tandem skydive", "skydive", "the parachute jump"),
        ("the sleeper train to the coast", "sleeper", "the overnight rail journey"),
        ("a guided tour of the castle", "tour", "the visit round the fortress"),
    ],
    "plate.vehicle": [
        ("my dad's old estate", "dad", "my father's motor"),
        ("the van that keeps blocking our drive", "blocking-van",
         "the vehicle obstructing our driveway"),
        ("the hire car from the airport", "hire-car", "the rental from the terminal"),
        ("the taxi that took me home", "taxi", "the cab ride back last night"),
        ("the one that scraped mine and drove off", "hit-run", "the hit-and-run driver"),
        ("my new company vehicle", "company-car", "the motor my employer provides"),
        ("the motorbike I'm thinking of buying", "motorbike", "the two-wheeler I might get"),
        ("my neighbour's camper", "camper", "the motorhome next door"),
        ("my sister's hatchback", "sister", "my sibling's little runaround"),
    ],
    "plate.event": [
        ("got a parking fine", "fine", "got penalised for stopping in the wrong spot"),
        ("was clamped outside the station", "clamped", "had its wheel locked"),
        ("failed its MOT", "mot", "didn't pass the annual inspection"),
        ("got flashed by a speed camera", "speeding", "was caught going too fast"),
        ("was towed away overnight", "towed", "got hauled off by the council"),
        ("broke down on the motorway", "breakdown", "conked out on a major road"),
        ("was scratched with a key", "keyed", "got vandalised"),
        ("got a flat tyre on the ring road", "puncture", "had a puncture"),
    ],
    "error.device": [
        ("the dishwasher", "dishwasher", "the machine that cleans the plates"),
        ("the boiler", "boiler", "the central heating"),
        ("the washing machine", "washing-machine", "the laundry appliance"),
        ("the printer", "printer", "the device that does my hard copies"),
        ("the router", "router", "the wifi box"),
        ("the oven", "oven", "the cooker"),
        ("the tumble dryer", "dryer", "the machine that dries the clothes"),
        ("the car dashboard", "dashboard", "the warning panel while driving"),
        ("the treadmill", "treadmill", "the running machine"),
        ("the coffee machine", "coffee-machine", "the espresso maker"),
        ("the fridge", "fridge", "the thing that keeps food cold"),
    ],
    "error.meaning": [
        ("the drain is blocked", "drain", "the water can't get out"),
        ("the water pressure is too low", "pressure", "there isn't enough flow"),
        ("the temperature sensor is faulty", "sensor", "the heat probe is broken"),
        ("the door isn't latching", "door", "the hatch won't shut properly"),
        ("the filter needs cleaning", "filter", "the mesh wants a wash"),
        ("a firmware update failed", "firmware", "a software upgrade went wrong"),
        ("the fan has jammed", "fan", "the blower is stuck"),
        ("it's overheating", "overheat", "it's getting too hot"),
    ],
    "error.fix": [
        ("turning it off and on at the wall", "power-cycle", "a simple restart"),
        ("cleaning out the filter", "clean-filter", "a wash of the mesh"),
        ("calling out an engineer for £90", "engineer", "a paid repair visit"),
        ("resetting it with a paperclip", "paperclip", "a bent bit of wire"),
        ("bleeding the radiators", "radiators", "letting trapped air out of the heating"),
        ("replacing a fuse", "fuse", "a new electrical part"),
        ("unplugging it overnight", "unplug", "leaving it without power till morning"),
    ],
    "model.product": [
        ("noise-cancelling headphones", "headphones", "the earphones that block out sound"),
        ("a cordless vacuum", "vacuum", "the hoover without a wire"),
        ("a mesh wifi router", "router", "the internet box"),
        ("an air fryer", "air-fryer", "the countertop crisping oven"),
        ("a 4K projector", "projector", "the home cinema beamer"),
        ("an ebook reader", "ereader", "the gadget for novels"),
        ("a smartwatch", "watch", "the wrist gadget"),
        ("a dehumidifier", "dehumidifier", "the damp remover"),
        ("a sewing machine", "sewing", "the stitching appliance"),
        ("an electric bike", "ebike", "the battery-assisted cycle"),
        ("a drone", "drone", "the flying camera"),
        ("a baby monitor", "baby-monitor", "the nursery camera"),
        ("a portable speaker", "speaker", "the bluetooth sound box"),
    ],
    "model.issue": [
        ("barely lasts a day on a charge", "battery", "runs out of juice quickly"),
        ("makes a horrible rattling noise", "noise", "is really loud"),
        ("keeps dropping off the wifi", "connection", "loses its connection"),
        ("overheats after an hour", "overheat", "gets too hot"),
        ("has stopped charging", "charging", "won't take power any more"),
        ("came with a dead pixel", "pixel", "has a faulty dot on the display"),
        ("has a wobbly hinge", "hinge", "is coming loose at the joint"),
        ("won't pair with my phone", "pairing", "can't connect to my mobile"),
        ("smells of burning plastic", "burning", "gives off a scorched odour"),
    ],
    "version.software": [
        ("the router firmware", "router", "the internet box's internal software"),
        ("our team's Android app", "android", "the phone application we build at work"),
        ("the car's infotainment system", "infotainment", "the dashboard screen in my motor"),
        ("the smart TV", "tv", "the television"),
        ("the photo editor I use", "photo-editor", "my image tool"),
        ("the payroll software at work", "payroll", "the salary program"),
        ("the thermostat app", "thermostat", "the heating controls"),
        ("the online game I play", "game", "my video game"),
        ("my laptop's operating system", "os", "my computer's OS"),
        ("the banking app", "banking", "the thing I check my balance on"),
    ],
    "version.change": [
        ("broke the login screen", "login", "stopped me signing in"),
        ("added a dark mode", "dark-mode", "brought in a night theme"),
        ("drained the battery overnight", "battery", "emptied the power by morning"),
        ("fixed the sync bug", "sync", "sorted out the data not matching across devices"),
        ("moved all the buttons around", "layout", "rearranged the whole screen"),
        ("wiped my saved settings", "settings", "lost all my preferences"),
        ("made everything sluggish", "slow", "slowed it to a crawl"),
        ("removed the offline mode", "offline", "took away working without internet"),
        ("added voice control", "voice", "let me talk to it instead of tapping"),
        ("brought back the old menu", "menu", "restored the previous navigation"),
    ],
    "room.place": [
        ("at the airport hotel", None, None),
        ("on the children's ward at the hospital", None, None),
        ("in the new office block", None, None),
        ("at the conference venue", None, None),
        ("at the community centre", None, None),
        ("in the student halls", None, None),
        ("at the B&B in the village", None, None),
        ("on the fourth floor at work", None, None),
        ("at the registry office", None, None),
        ("at the seaside guesthouse", None, None),
    ],
    "room.note": [
        ("has a view of the sea", "sea-view", "looks out over the water"),
        ("is right next to the lift", "lift", "is by the elevator"),
        ("has a broken radiator", "radiators", "is freezing cold"),
        ("smells of damp", "damp", "has a musty odour"),
        ("has a projector that never works", "projector", "has useless AV kit"),
        ("gets double-booked every week", "double-booked",
         "always ends up with two groups fighting over it"),
        ("has the noisiest air conditioning", "aircon", "hums all night"),
        ("has a bed that's far too soft", "bed", "comes with a saggy mattress"),
        ("has no windows", "windowless", "is pitch dark without any daylight"),
    ],
    "locker.place": [
        ("at the climbing wall", "climbing", "at the bouldering centre"),
        ("at the swimming baths", "pool", "at the leisure pool"),
        ("in the office basement", "office", "under my workplace"),
        ("at the station", "station", "at the railway terminus"),
        ("at the gym", "gym", "at the fitness centre"),
        ("at the ski resort", "ski", "on the slopes"),
        ("at the library", "library", "where I borrow books"),
        ("at the golf club", "golf", "by the putting green"),
    ],
    "locker.contents": [
        ("my spare running kit", "running-kit", "a change of clothes for jogging"),
        ("my good camera", "camera", "my photography gear"),
        ("my guitar", "guitar", "my instrument"),
        ("my bike lights", "bike-lights", "my cycling lamps"),
        ("a box of old letters", "letters", "some ancient correspondence"),
        ("my wetsuit", "wetsuit", "my diving gear"),
        ("my winter boots", "boots", "my snow footwear"),
        ("my work laptop", "laptop", "the company computer"),
    ],
}

ORDER_PENCE = ["", "", ".99", ".49", ".95", ".50", ".20", ".75"]
FLIGHT_TIMES = ["06:15", "07:40", "09:05", "11:50", "13:25", "15:10", "17:45", "19:20",
                "21:35"]
ROOM_TIMES = ["8:30", "9:45", "11:15", "13:00", "14:30", "16:15"]
SEAT_LETTERS = "ABCDEF"

# values made from parts rather than drawn from a list above
GENERATED = {
    "order.when": "date", "parcel.when": "date", "ticket.opened": "date",
    "invoice.due": "date", "booking.when": "date", "version.when": "date",
    "order.amount": ("amount", 12, 240, ORDER_PENCE),
    "invoice.amount": ("amount", 150, 990, [""]),
    "booking.price": ("amount", 40, 600, [""]),
    "model.price": ("amount", 25, 900, ["", ".99"]),
    "flight.dest": "city", "flight.when": "flight_time", "flight.seat": "seat",
    "ticket.agent": "name", "booking.guest": "name", "plate.make": "car",
    "room.when": "slot", "locker.code": "code",
}

# ---------------------------------------------------------------------------
# Turn templates, several per attribute so that two records of one user rarely
# say the same attribute the same way. {ref} names the record ("order 48213"),
# {id} is the bare identifier, {v} the value, {v2} the new value of an update.
# ---------------------------------------------------------------------------

TURNS = {
    "order.item": [
        "Placed {ref} for {v}.",
        "{ref} is {v}, finally ordered it.",
        "Treated myself: {ref}, {v}.",
        "Went for {v} in the end, that's {ref}.",
    ],
    "order.when": [
        "{ref} is due to arrive on {v}.",
        "{ref} should turn up on {v}.",
        "Estimated delivery for {ref}: {v}.",
        "{ref} gets here on {v}, apparently.",
    ],
    "order.amount": [
        "{ref} came to {v} in total.",
        "Paid {v} for {ref}.",
        "{ref} cost me {v}, ouch.",
        "The total for {ref} was {v} with postage.",
    ],
    "order.problem": [
        "{ref} {v}.",
        "Ugh, {ref} {v}.",
        "Just found out {ref} {v}, brilliant.",
        "Not impressed: {ref} {v}.",
    ],
    "order.outcome": [
        "Update on {ref}: it {v}.",
        "Heard back about {ref}, it {v}.",
        "So {ref} {v}.",
    ],
    "parcel.contents": [
        "{ref} has {v} in it.",
        "Waiting on {ref}, that's {v}.",
        "{ref} is {v}, so it's important.",
    ],
    "parcel.when": [
        "{ref} is due on {v}.",
        "{ref} should land on {v}.",
        "Expecting {ref} on {v}.",
    ],
    "parcel.status": [
        "{ref} is {v}.",
        "Checked {ref} again, it's {v}.",
        "Apparently {ref} is {v}.",
        "The tracking page says {ref} is {v}.",
    ],
    "flight.dest": [
        "Booked {ref} to {v}.",
        "{ref} goes to {v}.",
        "I'm on {ref} to {v}.",
        "{ref} to {v} is all booked.",
    ],
    "flight.when": [
        "{ref} leaves on {v}.",
        "{ref} departs {v}, have to be at the airport early.",
        "Double-checked: {ref} is on {v}.",
    ],
    "flight.seat": [
        "Got seat {v} on {ref}.",
        "Checked in for {ref}, I'm in {v}.",
        "{ref}: seat {v}, hope there's legroom.",
    ],
    "flight.problem": [
        "{ref} {v}.",
        "Nightmare: {ref} {v}.",
        "Of course {ref} {v}.",
    ],
    "ticket.issue": [
        "Opened {ref} about {v}.",
        "{ref} is about {v}, still no reply.",
        "Raised {ref} for {v}.",
        "Logged {ref} with the help desk about {v}.",
    ],
    "ticket.opened": [
        "Opened {ref} on {v}.",
        "{ref} dates from {v}.",
        "I logged {ref} on {v}.",
    ],
    "ticket.agent": [
        "{ref} was picked up by {v}.",
        "{v} is handling {ref}, seems helpful.",
        "Spoke to {v} about {ref}.",
    ],
    "ticket.status": [
        "{ref} got {v}.",
        "Update: {ref} has been {v}.",
        "Just heard {ref} was {v}.",
    ],
    "invoice.job": [
        "Sent {ref} for {v}.",
        "{ref} is for {v}.",
        "Raised {ref} to cover {v}.",
        "Just emailed {ref}, that's for {v}.",
    ],
    "invoice.amount": [
        "{ref} comes to {v}.",
        "{ref} is {v} in total.",
        "Billed {v} on {ref}.",
    ],
    "invoice.due": [
        "{ref} is due on {v}.",
        "Payment for {ref} is due by {v}.",
        "{ref} has to be paid by {v}.",
    ],
    "invoice.status": [
        "{ref} was {v}.",
        "{ref}: {v}, typical.",
        "Heads up, {ref} was {v}.",
    ],
    "booking.what": [
        "{ref} is {v}.",
        "Booked {v}, {ref}.",
        "Confirmation came through for {ref}: {v}.",
    ],
    "booking.when": [
        "{ref} is for {v}.",
        "{ref} is on {v}, can't wait.",
        "Date on {ref}: {v}.",
    ],
    "booking.guest": [
        "{ref} is for me and {v}.",
        "Added {v} to {ref}.",
        "{v} is coming along on {ref}.",
    ],
    "booking.price": [
        "{ref} cost {v}.",
        "Paid {v} upfront for {ref}.",
        "{ref} came to {v} all in.",
    ],
    "plate.vehicle": [
        "{ref} is {v}.",
        "Wrote down the plate of {v}: {id}.",
        "For the record, {v} is {id}.",
    ],
    "plate.make": [
        "{ref} is {v}.",
        "{ref} turned out to be {v}.",
        "Looked up {ref}: {v}.",
    ],
    "plate.event": [
        "{ref} {v}.",
        "Great, {ref} {v}.",
        "Heard that {ref} {v}.",
    ],
    "error.device": [
        "{v} is showing {ref} again.",
        "{v} flashed up {ref} this morning.",
        "Got {ref} on {v}, typical.",
    ],
    "error.meaning": [
        "Looked it up: {ref} means {v}.",
        "According to the manual, {ref} means {v}.",
        "{ref} is the code for when {v}.",
        "The manual says {ref} is when {v}.",
    ],
    "error.fix": [
        "Fixed {ref} by {v}.",
        "{ref} went away after {v}.",
        "Sorted {ref} in the end by {v}.",
    ],
    "model.product": [
        "{ref} is {v}, in case I forget.",
        "Bought {v}: {ref}.",
        "Finally got {v}, {ref}.",
        "{ref}, that's {v}, arrived today.",
    ],
    "model.price": [
        "{ref} cost {v}.",
        "Paid {v} for {ref}.",
        "Got {ref} for {v} in the sale.",
    ],
    "model.issue": [
        "{ref} {v}.",
        "Not happy, {ref} {v}.",
        "Turns out {ref} {v}.",
    ],
    "version.software": [
        "{v} updated itself to {id} overnight.",
        "{v} is on {id} now.",
        "Finally got {v} onto {id}.",
    ],
    "version.when": [
        "{ref} came out on {v}.",
        "{ref} landed on {v}.",
        "Got {ref} on {v}.",
    ],
    "version.change": [
        "{ref} {v}.",
        "Turns out {ref} {v}.",
        "Heads up: {ref} {v}.",
    ],
    "room.place": [
        "{ref} is {v}.",
        "I'm in {ref} {v}.",
        "Got given {ref} {v}.",
    ],
    "room.when": [
        "{ref} is booked for {v}.",
        "Got {ref} for {v}.",
        "Reserved {ref}, {v}.",
    ],
    "room.note": [
        "{ref} {v}.",
        "Heads up, {ref} {v}.",
        "Just so I remember, {ref} {v}.",
    ],
    "locker.place": [
        "{ref} is {v}.",
        "Got {ref} {v}.",
        "My stuff is in {ref} {v}.",
    ],
    "locker.code": [
        "The code for {ref} is {v}.",
        "{ref} opens with {v}.",
        "Combination for {ref}: {v}.",
    ],
    "locker.contents": [
        "Left {v} in {ref}.",
        "{ref} has {v} in it.",
        "Keeping {v} in {ref} for now.",
    ],
}

# A later turn that changes the value ({v} old, {v2} new); the question then
# lists both turns, as dataset.json does for its updates.
UPDATES = {
    "parcel.when": [
        "{ref} got rescheduled from {v} to {v2}.",
        "Now {ref} says {v2} instead of {v}.",
    ],
    "flight.when": [
        "{ref} got moved from {v} to {v2}.",
        "Schedule change: {ref} is now {v2}, not {v}.",
    ],
    "booking.when": [
        "{ref} moved from {v} to {v2}.",
        "Changed {ref} to {v2}, {v} didn't work.",
    ],
}
UPDATE_CHANCE = {"parcel.when": 0.2, "flight.when": 0.2, "booking.when": 0.2}

# Idle chat naming a record without any of its values: more turns that share
# the identifier, as in real chat.
CHAT = {
    "order": ["Still waiting on {ref}, ugh.", "Must chase {ref} tomorrow.",
              "Keep getting emails about {ref}.", "Forgot all about {ref} until now."],
    "parcel": ["Refreshing the tracking page for {ref} every ten minutes.",
               "No news on {ref} yet.", "Need to be in for {ref}."],
    "flight": ["Need to check in for {ref}.", "Printed the boarding pass for {ref}.",
               "Hope {ref} isn't too full."],
    "ticket": ["Chased {ref} again today.", "Still no reply on {ref}.",
               "Added a comment to {ref}."],
    "invoice": ["Need to follow up on {ref}.", "Double-checking the figures on {ref}.",
                "Attached {ref} to an email, hope it went through."],
    "booking": ["Screenshot of {ref} saved, just in case.", "Must not lose {ref}.",
                "Forwarded {ref} to myself."],
    "plate": ["Saw {id} again today.", "Noted down {id} just in case.",
              "{id} was parked outside again."],
    "error": ["{ref} again, brilliant.", "Googled {ref}, the forums are useless.",
              "Is {ref} serious, do you think?"],
    "model": ["Reading reviews of {ref}.", "Still getting used to {ref}.",
              "Should I have bought {ref}? Hmm."],
    "version": ["Everyone at work is talking about {ref}.",
                "Reading the release notes for {ref}.", "Not sure {ref} was worth the wait."],
    "room": ["Can never find {ref}.", "Walked past {ref} twice before I found it.",
             "Left my charger in {ref}, I think."],
    "locker": ["Forgot which key is for {ref}.", "Someone's been using {ref}, I swear.",
               "Need to empty {ref} soon."],
}
CHAT_CHANCE = 0.25

# ---------------------------------------------------------------------------
# Question wordings: one pool per attribute. {id} is the identifier; {desc}
# says the value in other words (a paraphrase question, which asks which
# record it was). The kind follows from the answer turn.
# ---------------------------------------------------------------------------

QUESTIONS = {
    "order.item": [
        "What did I buy in order {id}?", "What was order #{id} for?",
        "What's in order {id}?", "Which item was purchase {id}?",
        "What did I get with my {id} order?",
        "Which of my purchases was {desc}?", "What number did my order for {desc} get?",
    ],
    "order.when": [
        "When is order {id} arriving?", "When should order #{id} turn up?",
        "What's the delivery date for order {id}?", "When does purchase {id} get here?",
        "When am I getting order {id}?",
    ],
    "order.amount": [
        "How much was order {id}?", "What did purchase {id} cost?",
        "How much did I pay for order #{id}?", "What was the total on order {id}?",
        "How much did {id} set me back?",
    ],
    "order.problem": [
        "What was wrong with order {id}?", "What went wrong with order #{id}?",
        "What was the problem with purchase {id}?", "What happened with my {id} order?",
        "Was there an issue with order {id}?",
        "Which purchase {desc}?", "Which delivery {desc}?",
    ],
    "order.outcome": [
        "How did things end up with order {id}?", "What happened in the end with order {id}?",
        "What's the latest on purchase #{id}?", "What came of my complaint about order {id}?",
        "Which purchase {desc}?", "Which of my deliveries {desc}?",
    ],
    "parcel.contents": [
        "What's in parcel {id}?", "What is package {id}?",
        "What's inside the parcel with tracking number {id}?",
        "What am I expecting in {id}?", "What's being delivered under tracking number {id}?",
        "Which package has {desc} in it?", "Which shipment is {desc}?",
    ],
    "parcel.when": [
        "When is parcel {id} due?", "When should package {id} arrive?",
        "What day is tracking number {id} expected?", "When will {id} get here?",
    ],
    "parcel.status": [
        "Where's parcel {id} at?", "What's the status of parcel {id}?",
        "What's happening with package {id}?", "What's going on with tracking number {id}?",
        "Any news on {id}?",
        "Which package is {desc}?", "Which of my shipments is {desc}?",
    ],
    "flight.dest": [
        "Where does flight {id} go?", "Where am I flying on {id}?",
        "What's the destination of flight {id}?", "Where is {id} headed?",
        "Where does my {id} flight land?",
    ],
    "flight.when": [
        "When does flight {id} leave?", "What time is {id}?", "When do I fly on {id}?",
        "What's the departure time for flight {id}?", "When is my {id} flight?",
    ],
    "flight.seat": [
        "What seat do I have on flight {id}?", "Where am I sitting on {id}?",
        "Which seat did I get for flight {id}?", "What's my seat number on {id}?",
    ],
    "flight.problem": [
        "What went wrong with flight {id}?", "What happened on {id}?",
        "What was the problem with my {id} flight?", "How did flight {id} go?",
        "Which flight {desc}?", "Which plane {desc}?",
    ],
    "ticket.issue": [
        "What is ticket {id} about?", "What did I raise support ticket {id} for?",
        "What's case {id} about?", "What was my complaint in ticket {id}?",
        "Why did I open {id}?",
        "Which complaint is about {desc}?",
        "What's the reference of my complaint about {desc}?",
    ],
    "ticket.opened": [
        "When did I open ticket {id}?", "When was case {id} raised?",
        "What date did I report {id}?", "When did support ticket {id} start?",
    ],
    "ticket.agent": [
        "Who is handling ticket {id}?", "Who's dealing with case {id}?",
        "Which agent has support ticket {id}?", "Who did I speak to about {id}?",
    ],
    "ticket.status": [
        "What's the status of ticket {id}?", "Where are things with case {id}?",
        "What happened with support ticket {id}?", "What's the latest on {id}?",
        "Which complaint got {desc}?", "Which of my support requests was {desc}?",
    ],
    "invoice.job": [
        "What was invoice {id} for?", "What work does {id} cover?",
        "Which job is invoice {id}?", "What did I bill in {id}?",
        "Which bill covers {desc}?", "What's the number on my bill for {desc}?",
    ],
    "invoice.amount": [
        "How much is invoice {id} for?", "What's the total on {id}?",
        "How much did I bill on invoice {id}?", "What amount is {id}?",
    ],
    "invoice.due": [
        "When is invoice {id} due?", "What's the deadline for paying {id}?",
        "By when should {id} be paid?", "When does invoice {id} need paying?",
    ],
    "invoice.status": [
        "Has invoice {id} been paid?", "What happened with invoice {id}?",
        "What's the status of {id}?", "Did {id} get paid?",
        "Which bill was {desc}?",
    ],
    "booking.what": [
        "What is booking {id} for?", "What did I book under reference {id}?",
        "What's reservation {id}?", "What's {id} a booking for?",
        "What's the reference for {desc}?", "Which code did I get for {desc}?",
    ],
    "booking.when": [
        "When is booking {id}?", "What date is reservation {id} for?",
        "When is reference {id} for?", "What day did I book {id} for?",
    ],
    "booking.guest": [
        "Who is booking {id} with?", "Who's joining me on reservation {id}?",
        "Who did I make booking {id} for?", "Who else is on {id}?",
    ],
    "booking.price": [
        "How much did booking {id} cost?", "What did I pay for reservation {id}?",
        "How much was {id}?", "What's the price of booking reference {id}?",
    ],
    "plate.vehicle": [
        "Whose car is {id}?", "Which vehicle is registration {id}?", "What is {id}?",
        "Whose is the plate {id}?", "What car has the reg {id}?",
        "What's the registration of {desc}?", "Which plate belongs to {desc}?",
    ],
    "plate.make": [
        "What make is {id}?", "What kind of car is registration {id}?",
        "What model is plate {id}?", "What colour and model is {id}?",
    ],
    "plate.event": [
        "What happened to {id}?", "What happened with the car {id}?",
        "What's the story with registration {id}?", "What went wrong for {id}?",
        "Which car {desc}?", "What's the plate of the vehicle that {desc}?",
    ],
    "error.device": [
        "Which appliance showed error {id}?", "What was showing code {id}?",
        "Where did I see error {id}?", "What device gave me {id}?",
        "Which machine threw error code {id}?",
        "What error did {desc} show?", "Which fault code came up on {desc}?",
    ],
    "error.meaning": [
        "What does error {id} mean?", "What's code {id} telling me?",
        "What does {id} stand for?", "What's the meaning of error code {id}?",
        "What is {id} a sign of?",
        "Which error code is for when {desc}?", "What fault did I look up that says {desc}?",
    ],
    "error.fix": [
        "How did I fix error {id}?", "What cleared code {id}?", "What got rid of {id}?",
        "How did I sort out error code {id}?",
        "Which fault did I fix with {desc}?", "What code did {desc} get rid of?",
    ],
    "model.product": [
        "What is the {id}?", "What kind of gadget is model {id}?",
        "What did I buy that's called {id}?", "What's the {id} again?",
        "What product is {id}?",
        "What's the model number of {desc}?", "Which model is {desc}?",
    ],
    "model.price": [
        "How much did the {id} cost?", "What did I pay for my {id}?",
        "How much was model {id}?", "What was the price of the {id}?",
    ],
    "model.issue": [
        "What's wrong with the {id}?", "What problem does my {id} have?",
        "Is there an issue with model {id}?", "What's the fault with the {id}?",
        "Which gadget {desc}?", "What's the model of the thing that {desc}?",
    ],
    "version.software": [
        "What software is {id}?", "What got updated to {id}?", "What is running {id}?",
        "What is {id} a version of?",
        "What version is {desc} on?", "Which release did {desc} get?",
    ],
    "version.when": [
        "When did {id} come out?", "When was update {id} released?",
        "What date did {id} arrive?", "When did I get {id}?",
    ],
    "version.change": [
        "What did {id} change?", "What's different in release {id}?",
        "What did update {id} do?", "What happened after {id} came out?",
        "Which update {desc}?", "Which release {desc}?",
    ],
    "room.place": [
        "Where is room {id}?", "Which building is room {id} in?",
        "Where's room {id} again?", "Where do I find room no. {id}?",
    ],
    "room.when": [
        "When do I have room {id}?", "When is room {id} booked?",
        "What time is room {id} mine?", "When did I reserve room {id} for?",
    ],
    "room.note": [
        "What's room {id} like?", "What's the catch with room {id}?",
        "What did I note about room {id}?", "Anything I should know about room {id}?",
        "Which number was the place that {desc}?",
        "What was the number of the space that {desc}?",
    ],
    "locker.place": [
        "Where is locker {id}?", "Where's my locker number {id}?",
        "Which place is locker {id} at?", "Where do I use locker {id}?",
        "Which cubby do I have {desc}?", "What number is my storage box {desc}?",
    ],
    "locker.code": [
        "What's the code for locker {id}?", "What's the combination of locker {id}?",
        "How do I open locker {id}?", "What opens locker number {id}?",
    ],
    "locker.contents": [
        "What's in locker {id}?", "What do I keep in locker {id}?",
        "What did I leave in locker number {id}?",
        "Where did I stash {desc}?", "Which cubby has {desc}?",
    ],
}

# ---------------------------------------------------------------------------
# Per-user draws
# ---------------------------------------------------------------------------


class Ctx(Draws):
    """One user's draws. No two values or identifiers of a user share a content
    stem (identifiers may share their format part), so no answer is ambiguous."""

    def __init__(self, rng):
        super().__init__(rng)
        self.classes = set()     # value classes taken (see POOLS)

    def ident(self, kind):
        """A new identifier of a kind: its own part shares no stem with any value
        or identifier of this user."""
        for _ in range(1000):
            ident, fmt = IDS[kind](self.rng)
            stems = content(ident)
            own = stems - content(fmt)
            if own and ident.lower() not in self.used and not (own & self.reserved):
                self.used.add(ident.lower())
                self.reserved |= stems
                return ident
        raise RuntimeError(f"no free {kind} identifier")


class Record:
    """An order, a parcel, a flight... named by its identifier."""

    def __init__(self, kind, ident):
        self.kind = kind
        self.id = ident
        self.stems = content(ident)
        self.facts = []
        self.chat = []                    # texts of idle chat turns

    def ref(self, rng):
        return rng.choice(REFS[self.kind]).format(id=self.id)


class Fact:
    """One attribute of one record: its value(s) and turn(s)."""

    def __init__(self, rec, attr, values, turns, cls=None, desc=None):
        self.rec = rec
        self.attr = attr
        self.cat = f"{rec.kind}.{attr}"
        self.values = values              # 2 when updated later
        self.keys = [content(v) for v in values]  # a turn holding all of a key holds it
        self.turns = turns                # texts: 1, or 2 for an update
        self.cls = cls
        self.desc = desc                  # the value in other words, or None


def fill(c, rec, template, **values):
    """One turn: template filled in for rec, with value v (and v2 for an update)."""
    text = template.format(ref=rec.ref(c.rng), id=rec.id, **values)
    # capitalise a sentence, but never an identifier ("v2.14.3", "model ...")
    if text[0].islower() and not text.startswith(rec.id):
        text = text[0].upper() + text[1:]
    return text


def amounts(lo, hi, pence):
    return [f"£{n}{p}" for n in range(lo, hi + 1) for p in pence]


def draw_value(c, cat):
    """(value, class, description) for one attribute, or None if none is left."""
    if cat in POOLS:
        pool = [x for x in POOLS[cat] if x[1] is None or x[1] not in c.classes]
        got = c.take(pool, key=lambda x: x[0])
        if got is not None and got[1] is not None:
            c.classes.add(got[1])
        return got
    gen = GENERATED[cat]
    if gen == "date":
        v = c.take([f"{d} {m}" for m in MONTHS for d in range(1, 29)])
    elif isinstance(gen, tuple):
        v = c.take(amounts(*gen[1:]))
    elif gen == "city":
        v = c.take(CITIES)
    elif gen == "flight_time":
        v = c.take([f"{d} {m} at {t}" for m in MONTHS for d in range(1, 29)
                    for t in FLIGHT_TIMES])
    elif gen == "seat":
        v = c.take([f"{r}{s}" for r in range(2, 39) for s in SEAT_LETTERS])
    elif gen == "name":
        v = c.take(FEMALE + MALE)
    elif gen == "car":
        v = c.take([f"{an(col)} {make} {model}" for make, model in CARS for col in COLOURS])
    elif gen == "slot":
        v = c.take([f"{w} at {t}" for w in WEEKDAYS for t in ROOM_TIMES])
    elif gen == "code":
        v = c.take([str(n) for n in range(1000, 10000)])
    else:
        raise ValueError(cat)
    return None if v is None else (v, None, None)


def draw_records(c, kinds):
    """2-3 records of each kind, 8-14 records in all."""
    counts = [c.rng.choice((2, 2, 3)) for _ in kinds]
    while sum(counts) > 14:
        i = c.rng.choice([i for i, n in enumerate(counts) if n == 3])
        counts[i] = 2
    return [Record(k, c.ident(k)) for k, n in zip(kinds, counts) for _ in range(n)]


def draw_facts(c, rec):
    attrs = ATTRS[rec.kind]
    n = min(len(attrs), c.rng.choices((1, 2, 3), weights=(20, 45, 35))[0])
    chosen = c.rng.sample(attrs, n)
    for attr in attrs:       # keep the fixed attribute order for readability
        if attr not in chosen:
            continue
        cat = f"{rec.kind}.{attr}"
        drawn = draw_value(c, cat)
        if drawn is None:
            continue
        v, cls, desc = drawn
        turns = [fill(c, rec, c.template(TURNS[cat]), v=v)]
        values = [v]
        if cat in UPDATE_CHANCE and c.rng.random() < UPDATE_CHANCE[cat]:
            drawn2 = draw_value(c, cat)
            if drawn2 is not None:
                turns.append(fill(c, rec, c.template(UPDATES[cat]), v=v, v2=drawn2[0]))
                values.append(drawn2[0])
        rec.facts.append(Fact(rec, attr, values, turns, cls, desc))
    if c.rng.random() < CHAT_CHANCE:
        rec.chat.append(fill(c, rec, c.template(CHAT[rec.kind])))


# ---------------------------------------------------------------------------
# Building one user
# ---------------------------------------------------------------------------


def plan_kinds(rng):
    """4-6 kinds of record per user, dealt from a shuffled deck of all kinds so
    that every kind is about equally common."""
    deck, plans = [], []
    for _ in range(N_USERS):
        kinds = []
        for _ in range(rng.randint(4, 6)):
            if not [k for k in deck if k not in kinds]:
                fresh = sorted(IDS)
                rng.shuffle(fresh)
                deck += fresh
            k = next(k for k in deck if k not in kinds)
            deck.remove(k)
            kinds.append(k)
        plans.append(sorted(kinds))
    return plans


def build_user(rng, uid, kinds):
    for _attempt in range(200):
        res = try_user(rng, uid, kinds)
        if res is not None:
            return res
    raise RuntimeError(f"could not build {uid}")


def try_user(rng, uid, kinds):
    c = Ctx(rng)
    recs = draw_records(c, kinds)
    for r in recs:
        draw_facts(c, r)
    if any(not r.facts for r in recs):
        return None

    # blocks of turns: (text, record index, fact or None, turn index)
    blocks = []
    for ri, r in enumerate(recs):
        for f in r.facts:
            blocks += [(t, ri, f, j) for j, t in enumerate(f.turns)]
        blocks += [(t, ri, None, 0) for t in r.chat]
    n_fixed = len(blocks)

    # small talk makes up 40-60% of the turns
    lo = max(MIN_TURNS, -(-n_fixed * 10 // 6))
    hi = min(MAX_TURNS, n_fixed * 10 // 4)
    if lo > hi:
        return None
    filler = draw_filler(c, recs, rng.randint(lo, hi) - n_fixed)
    if filler is None:
        return None
    blocks += [(t, None, None, 0) for t in filler]

    rng.shuffle(blocks)
    if not order_facts(blocks, recs):
        return None
    turns, meta = [], []
    ids = {}  # (fact, turn index) -> turn id
    for text, ri, f, j in blocks:
        tid = f"{uid}-t{len(turns) + 1:03d}"
        turns.append({"id": tid, "text": text})
        meta.append((ri, f.cat if f else ("chat" if ri is not None else "filler")))
        if f is not None:
            ids[(f, j)] = tid
    if not turns_ok(turns, blocks, recs):
        return None

    questions = pick_questions(rng, uid, recs, ids)
    if questions is None:
        return None
    conv = {"user": uid, "turns": turns, "questions": questions}
    return conv, {"turns": meta, "recs": recs}


def order_facts(blocks, recs):
    """A record's fact turns come in the order of its attributes (what it is,
    when, what went wrong, the follow-up); an update comes at least 3 turns
    after the turn it updates."""
    for ri, r in enumerate(recs):
        pos = [bi for bi, b in enumerate(blocks) if b[1] == ri and b[2] is not None]
        seq = [(t, ri, f, j) for f in r.facts for j, t in enumerate(f.turns)]
        for bi, item in zip(pos, seq):
            blocks[bi] = item
    first = {}
    for bi, (_, _, f, j) in enumerate(blocks):
        if f is not None and len(f.turns) == 2:
            first.setdefault(f, {})[j] = bi
    return all(pos[1] - pos[0] >= 3 for pos in first.values())


def turns_ok(turns, blocks, recs):
    """Each value is held only by its own fact's turns; each identifier appears
    only in its record's turns."""
    stems = [content(t["text"]) for t in turns]
    if len({t["text"] for t in turns}) != len(turns):
        return False
    owner = [(ri, f) for _, ri, f, _ in blocks]
    for ri, r in enumerate(recs):
        for f in r.facts:
            for key in f.keys:
                for s, (_, of) in zip(stems, owner):
                    if key <= s and of is not f:
                        return False
        for s, (oi, of) in zip(stems, owner):
            if (r.stems <= s) != (oi == ri):
                return False
    return True


# ---------------------------------------------------------------------------
# Questions
# ---------------------------------------------------------------------------


def classify(q, fact, texts, by_desc):
    """The kind of question q is for answer turns texts, or None if it fits none."""
    qc = content(q)
    overlaps = [qc & content(t) for t in texts]
    ident = fact.rec.stems
    if by_desc:
        return "paraphrase" if not (ident <= qc) and not any(overlaps) else None
    if not (ident <= qc and all(ident <= content(t) for t in texts)):
        return None
    return "keyword" if any(o - ident for o in overlaps) else "mixed"


def leaks(q, fact, recs):
    """True if q gives away its answer or names another record or value."""
    qc = content(q)
    if any(qc & k for k in fact.keys):
        return True
    for r in recs:
        if r is not fact.rec and r.stems <= qc:
            return True
        for f in r.facts:
            if f is not fact and any(k <= qc for k in f.keys):
                return True
    return False


def candidates(fact, recs):
    out = {k: [] for k in KINDS}
    for tpl in QUESTIONS[fact.cat]:
        by_desc = "{desc}" in tpl
        if by_desc and fact.desc is None:
            continue
        q = tpl.format(id=fact.rec.id, desc=fact.desc)
        kind = classify(q, fact, fact.turns, by_desc)
        if kind and not leaks(q, fact, recs):
            out[kind].append(q)
    return out


def pick_questions(rng, uid, recs, ids):
    facts = [f for r in recs for f in r.facts]
    cands = [candidates(f, recs) for f in facts]
    n_q = min(rng.randint(8, 12), len(facts))
    if n_q < 8:
        return None
    # about 25% paraphrase, 40% keyword, 35% mixed (rounded at random)
    p = int(n_q * 0.25 + rng.random())
    k = int((n_q - p) * 8 / 15 + rng.random())
    wanted = [("paraphrase", p), ("keyword", k), ("mixed", n_q - p - k)]

    chosen, used, texts = [], set(), set()
    for kind, n in wanted:
        for _ in range(n):
            pool = [i for i in range(len(facts)) if cands[i][kind] and i not in used]
            if not pool:
                return None
            # draw the kind of record first, so that kinds with many facts
            # that fit do not take all the questions
            rkind = rng.choice(sorted({facts[i].rec.kind for i in pool}))
            pool = [i for i in pool if facts[i].rec.kind == rkind]
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
            "record": f.rec.id,
        })
    return out


# ---------------------------------------------------------------------------
# Whole set, check and summary
# ---------------------------------------------------------------------------


def generate(seed=SEED, keep_meta=False):
    """The set; with keep_meta, also per-user turn/record info for --stats."""
    rng = random.Random(seed)
    convs, metas = [], []
    for n, kinds in enumerate(plan_kinds(rng), 1):
        conv, meta = build_user(rng, f"u{n:02d}", kinds)
        convs.append(conv)
        metas.append(meta)
    if not keep_meta:
        for conv in convs:
            for q in conv["questions"]:
                del q["category"], q["record"]
    data = {"version": VERSION, "seed": seed, "conversations": convs}
    return (data, metas) if keep_meta else data


def check(data):
    # ids unique, kinds known, answers are the user's turns; then the sizes
    return base.check(data) + base.check_sizes(data, (MIN_TURNS, MAX_TURNS), (8, 12))


def summary(data, metas=None):
    lines = base.summary_lines(data)
    if metas:
        lines += crowding(data["conversations"], metas)
    return "\n".join(lines)


def crowding(convs, metas):
    """Per-category counts and how crowded each question's answer is."""
    kinds_of = {}
    n_recs = n_fact = n_chat = n_filler = 0
    per_kind = {}
    same_attr = {k: [] for k in KINDS}
    same_id = {k: [] for k in KINDS}
    same_kind = {k: [] for k in KINDS}
    for conv, meta in zip(convs, metas):
        turn_meta = dict(zip((t["id"] for t in conv["turns"]), meta["turns"]))
        n_recs += len(meta["recs"])
        for r in meta["recs"]:
            per_kind[r.kind] = per_kind.get(r.kind, 0) + 1
        n_chat += sum(1 for _, cat in meta["turns"] if cat == "chat")
        n_filler += sum(1 for _, cat in meta["turns"] if cat == "filler")
        n_fact += sum(1 for ri, _ in meta["turns"] if ri is not None)
        stems = {t["id"]: content(t["text"]) for t in conv["turns"]}
        for q in conv["questions"]:
            kinds_of.setdefault(q["category"], {k: 0 for k in KINDS})[q["kind"]] += 1
            rec = next(r for r in meta["recs"] if r.id == q["record"])
            ri = meta["recs"].index(rec)
            others = [t for t in stems if t not in q["answers"]]
            same_attr[q["kind"]].append(sum(
                1 for t in others
                if turn_meta[t][1] == q["category"] and turn_meta[t][0] != ri))
            same_id[q["kind"]].append(sum(1 for t in others if rec.stems <= stems[t]))
            same_kind[q["kind"]].append(sum(
                1 for t in others if turn_meta[t][0] is not None and turn_meta[t][0] != ri
                and meta["recs"][turn_meta[t][0]].kind == rec.kind))
    lines = [f"records: {n_recs} ("
             + ", ".join(f"{k} {v}" for k, v in sorted(per_kind.items())) + ")",
             f"turns about records: {n_fact - n_chat} facts + {n_chat} idle chat; "
             f"small talk: {n_filler}"]

    def avg(xs):
        return sum(xs) / len(xs)
    for k in KINDS:
        if same_attr[k]:
            lines.append(
                f"  {k:<10} other turns per question: same attribute "
                f"{avg(same_attr[k]):.1f}, same kind of record {avg(same_kind[k]):.1f}, "
                f"same identifier {avg(same_id[k]):.1f}")
    every = [sum(same_attr.values(), []), sum(same_kind.values(), []),
             sum(same_id.values(), [])]
    lines.append(
        f"  {'all':<10} other turns per question: same attribute {avg(every[0]):.1f}, "
        f"same kind of record {avg(every[1]):.1f}, same identifier {avg(every[2]):.1f}")
    lines.append("per category (paraphrase/keyword/mixed):")
    for cat in sorted(kinds_of):
        lines.append(f"  {cat:<17} " + " ".join(f"{k[0]}={v}" for k, v in kinds_of[cat].items()))
    return lines


def main():
    base.cli(__doc__, "records.json", OUT, lambda: base.dumps(generate()), check, summary,
             lambda: summary(*generate(keep_meta=True)))


if __name__ == "__main__":
    main()
