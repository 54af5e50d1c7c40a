"""Standard instruments of the comprehensive assessment, as published, and their scoring (CM-4).

Each instrument is a declarative :class:`Scale` (items, their options, bands, flags) that a
form can be generated from, and :func:`score` turns one set of answers into a
:class:`Result`. ``SCALES`` holds them by id:

* ``barthel``: Barthel Index of activities of daily living, 10 items, 0-100 in steps of 5.
  Mahoney FI, Barthel DW. Functional evaluation: the Barthel Index. Md State Med J
  1965;14:61-65. Items and points are Mahoney & Barthel's; the wording of each level is
  that of the widely used 0-100 form, with the accident frequencies of the scoring
  guidelines in Collin C, Wade DT, Davies S, Horne V. The Barthel ADL Index: a reliability
  study. Int Disabil Stud 1988;10(2):61-63. Collin et al. score the same levels 0-20 (each
  item's points divided by 5); :func:`barthel_0_20` converts.
  Bands: Shah S, Vanclay F, Cooper B. Improving the sensitivity of the Barthel Index for
  stroke rehabilitation. J Clin Epidemiol 1989;42(8):703-709: 0-20 total, 21-60 severe,
  61-90 moderate, 91-99 slight dependency, 100 independent. Shah et al. set them for their
  modified index, which has the same 0-100 range; they are commonly applied to the original
  as here. Totals of the original are multiples of 5, so "slight" is reached only by 95.
* ``lawton``: Lawton Instrumental Activities of Daily Living scale, 8 domains, 0-8.
  Lawton MP, Brody EM. Assessment of older people: self-maintaining and instrumental
  activities of daily living. Gerontologist 1969;9(3):179-186. The answer to a domain is
  the number of the published response (1 = first), not its 0/1 score, since several
  responses score the same. Lawton & Brody left food preparation, housekeeping and laundry
  out of the score for men (0-5); current practice, followed here, scores all 8 domains
  for everyone. No bands are published: higher is more independent.
* ``phq9``: Patient Health Questionnaire-9. Kroenke K, Spitzer RL, Williams JBW. The PHQ-9:
  validity of a brief depression severity measure. J Gen Intern Med 2001;16(9):606-613.
  9 items 0-3, total 0-27; severity 0-4 none-minimal, 5-9 mild, 10-14 moderate, 15-19
  moderately severe, 20-27 severe. The questionnaire's closing question on how difficult
  the problems have made life is not scored and is not held here. Any answer above 0 to
  item 9 (thoughts of being better off dead or of self-harm) raises a flag whatever the
  total: the PHQ instructions ask for further assessment of suicide risk, and the
  same-day review the flag asks for is this service's safety rule.
* ``phq2``: Patient Health Questionnaire-2, PHQ-9 items 1 and 2. Kroenke K, Spitzer RL,
  Williams JBW. The Patient Health Questionnaire-2: validity of a two-item depression
  screener. Med Care 2003;41(11):1284-1292. Total 0-6, positive screen at 3 or more.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Option:
    """One answer to an item: the ``value`` a form sends back, its label and its points."""

    value: int
    label: str
    points: int


@dataclass(frozen=True)
class Item:
    """One question. An answer worth ``flag_from`` points or more raises ``flag``."""

    id: str
    question: str
    options: tuple[Option, ...]
    flag_from: int | None = None
    flag: str = ""

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(option.value for option in self.options)

    def option(self, value: int) -> Option | None:
        return next((o for o in self.options if o.value == value), None)


@dataclass(frozen=True)
class Band:
    """A named range of totals, both ends inclusive."""

    low: int
    high: int
    label: str


@dataclass(frozen=True)
class Scale:
    """An instrument: its items in form order, its source and its bands (if published)."""

    id: str
    name: str  # short name, used in messages
    title: str
    source: str
    instructions: str
    items: tuple[Item, ...]
    bands: tuple[Band, ...] = ()

    @property
    def min_total(self) -> int:
        return sum(min(o.points for o in item.options) for item in self.items)

    @property
    def max_total(self) -> int:
        return sum(max(o.points for o in item.options) for item in self.items)

    def band(self, total: int) -> str | None:
        """The label of the band holding ``total``; None when the scale has no bands."""
        return next((b.label for b in self.bands if b.low <= total <= b.high), None)


@dataclass(frozen=True)
class Result:
    """A scored set of answers."""

    scale_id: str
    total: int
    max_total: int
    band: str | None  # None for a scale without published bands (Lawton)
    flags: tuple[str, ...] = ()


def _points(*levels: tuple[int, str]) -> tuple[Option, ...]:
    """Options whose value is their points (Barthel, PHQ)."""
    return tuple(Option(value, label, value) for value, label in levels)


def _numbered(*responses: tuple[str, int]) -> tuple[Option, ...]:
    """Options numbered 1, 2, ... in published order, each with its own points (Lawton)."""
    return tuple(Option(n, label, points) for n, (label, points) in enumerate(responses, 1))


# -- Barthel Index (Mahoney & Barthel 1965; level wording as in Collin et al. 1988) --------
BARTHEL = Scale(
    id="barthel",
    name="Barthel",
    title="Barthel Index of Activities of Daily Living",
    source="Mahoney FI, Barthel DW. Md State Med J 1965;14:61-65. Bands: Shah S, Vanclay F, "
           "Cooper B. J Clin Epidemiol 1989;42(8):703-709.",
    instructions="Record what the person does, not what they could do, usually over the last "
                 "24-48 hours. Using aids to be independent is allowed; needing supervision "
                 "is not independent. A middle level means the person supplies over half "
                 "the effort.",
    items=(
        Item("feeding", "Feeding", _points(
            (0, "Unable"),
            (5, "Needs help cutting, spreading butter, etc., or requires modified diet"),
            (10, "Independent"))),
        Item("bathing", "Bathing", _points(
            (0, "Dependent"),
            (5, "Independent (or in shower)"))),
        Item("grooming", "Grooming", _points(
            (0, "Needs help with personal care"),
            (5, "Independent face/hair/teeth/shaving (implements provided)"))),
        Item("dressing", "Dressing", _points(
            (0, "Dependent"),
            (5, "Needs help but can do about half unaided"),
            (10, "Independent (including buttons, zips, laces, etc.)"))),
        Item("bowels", "Bowels", _points(
            (0, "Incontinent (or needs to be given enemas)"),
            (5, "Occasional accident (once a week)"),
            (10, "Continent"))),
        Item("bladder", "Bladder", _points(
            (0, "Incontinent, or catheterized and unable to manage alone"),
            (5, "Occasional accident (at most once in 24 hours)"),
            (10, "Continent"))),
        Item("toilet", "Toilet use", _points(
            (0, "Dependent"),
            (5, "Needs some help, but can do something alone"),
            (10, "Independent (on and off, dressing, wiping)"))),
        Item("transfers", "Transfers (bed to chair and back)", _points(
            (0, "Unable, no sitting balance"),
            (5, "Major help (one or two people, physical), can sit"),
            (10, "Minor help (verbal or physical)"),
            (15, "Independent"))),
        Item("mobility", "Mobility (on level surfaces)", _points(
            (0, "Immobile or < 50 yards"),
            (5, "Wheelchair independent, including corners, > 50 yards"),
            (10, "Walks with help of one person (verbal or physical) > 50 yards"),
            (15, "Independent (but may use any aid, e.g. stick) > 50 yards"))),
        Item("stairs", "Stairs", _points(
            (0, "Unable"),
            (5, "Needs help (verbal, physical, carrying aid)"),
            (10, "Independent (up and down)"))),
    ),
    bands=(  # Shah, Vanclay & Cooper 1989
        Band(0, 20, "total dependency"),
        Band(21, 60, "severe dependency"),
        Band(61, 90, "moderate dependency"),
        Band(91, 99, "slight dependency"),
        Band(100, 100, "independent"),
    ),
)


def barthel_0_20(total: int) -> int:
    """A 0-100 Barthel total on the 0-20 scale of Collin, Wade, Davies & Horne (1988)."""
    if isinstance(total, bool) or not isinstance(total, int) or not 0 <= total <= 100 \
            or total % 5:
        raise ValueError(f"Barthel: a 0-100 total is a multiple of 5 from 0 to 100; "
                         f"got {total!r}")
    return total // 5


# -- Lawton IADL (Lawton & Brody 1969): responses numbered as published, scored 1 or 0 -----
LAWTON = Scale(
    id="lawton",
    name="Lawton IADL",
    title="Lawton Instrumental Activities of Daily Living Scale",
    source="Lawton MP, Brody EM. Gerontologist 1969;9(3):179-186.",
    instructions="In each domain choose the response that most closely describes the "
                 "person's highest level of functioning.",
    items=(
        Item("telephone", "Ability to use telephone", _numbered(
            ("Operates telephone on own initiative; looks up and dials numbers, etc.", 1),
            ("Dials a few well-known numbers", 1),
            ("Answers telephone but does not dial", 1),
            ("Does not use telephone at all", 0))),
        Item("shopping", "Shopping", _numbered(
            ("Takes care of all shopping needs independently", 1),
            ("Shops independently for small purchases", 0),
            ("Needs to be accompanied on any shopping trip", 0),
            ("Completely unable to shop", 0))),
        Item("food_preparation", "Food preparation", _numbered(
            ("Plans, prepares and serves adequate meals independently", 1),
            ("Prepares adequate meals if supplied with ingredients", 0),
            ("Heats, serves and prepares meals, or prepares meals but does not maintain "
             "adequate diet", 0),
            ("Needs to have meals prepared and served", 0))),
        Item("housekeeping", "Housekeeping", _numbered(
            ("Maintains house alone or with occasional assistance (e.g. \"heavy work "
             "domestic help\")", 1),
            ("Performs light daily tasks such as dishwashing, bed making", 1),
            ("Performs light daily tasks but cannot maintain acceptable level of "
             "cleanliness", 1),
            ("Needs help with all home maintenance tasks", 1),
            ("Does not participate in any housekeeping tasks", 0))),
        Item("laundry", "Laundry", _numbered(
            ("Does personal laundry completely", 1),
            ("Launders small items; rinses stockings, etc.", 1),
            ("All laundry must be done by others", 0))),
        Item("transportation", "Mode of transportation", _numbered(
            ("Travels independently on public transportation or drives own car", 1),
            ("Arranges own travel via taxi, but does not otherwise use public "
             "transportation", 1),
            ("Travels on public transportation when accompanied by another", 1),
            ("Travel limited to taxi or automobile with assistance of another", 0),
            ("Does not travel at all", 0))),
        Item("medications", "Responsibility for own medications", _numbered(
            ("Is responsible for taking medication in correct dosages at correct time", 1),
            ("Takes responsibility if medication is prepared in advance in separate "
             "dosage", 0),
            ("Is not capable of dispensing own medication", 0))),
        Item("finances", "Ability to handle finances", _numbered(
            ("Manages financial matters independently (budgets, writes checks, pays rent, "
             "bills, goes to bank), collects and keeps track of income", 1),
            ("Manages day-to-day purchases, but needs help with banking, major purchases, "
             "etc.", 1),
            ("Incapable of handling money", 0))),
    ),
)

# -- PHQ-9 (Kroenke, Spitzer & Williams 2001) and PHQ-2 (2003) -----------------------------
PHQ_INSTRUCTIONS = ("Over the last 2 weeks, how often have you been bothered by any of the "
                    "following problems?")
PHQ_FREQUENCY = _points((0, "Not at all"), (1, "Several days"),
                        (2, "More than half the days"), (3, "Nearly every day"))
SELF_HARM_FLAG = ("PHQ-9 item 9 (thoughts of being better off dead or of self-harm) "
                  "answered above 0: same-day clinical review, whatever the total")
PHQ9_ITEMS = (
    Item("item1", "Little interest or pleasure in doing things", PHQ_FREQUENCY),
    Item("item2", "Feeling down, depressed, or hopeless", PHQ_FREQUENCY),
    Item("item3", "Trouble falling or staying asleep, or sleeping too much", PHQ_FREQUENCY),
    Item("item4", "Feeling tired or having little energy", PHQ_FREQUENCY),
    Item("item5", "Poor appetite or overeating", PHQ_FREQUENCY),
    Item("item6", "Feeling bad about yourself — or that you are a failure or have let "
                  "yourself or your family down", PHQ_FREQUENCY),
    Item("item7", "Trouble concentrating on things, such as reading the newspaper or "
                  "watching television", PHQ_FREQUENCY),
    Item("item8", "Moving or speaking so slowly that other people could have noticed? Or "
                  "the opposite — being so fidgety or restless that you have been moving "
                  "around a lot more than usual", PHQ_FREQUENCY),
    Item("item9", "Thoughts that you would be better off dead or of hurting yourself in "
                  "some way", PHQ_FREQUENCY, flag_from=1, flag=SELF_HARM_FLAG),
)
PHQ9 = Scale(
    id="phq9",
    name="PHQ-9",
    title="Patient Health Questionnaire-9",
    source="Kroenke K, Spitzer RL, Williams JBW. J Gen Intern Med 2001;16(9):606-613.",
    instructions=PHQ_INSTRUCTIONS,
    items=PHQ9_ITEMS,
    bands=(  # Kroenke et al. 2001: cut points 5, 10, 15, 20
        Band(0, 4, "none-minimal"),
        Band(5, 9, "mild"),
        Band(10, 14, "moderate"),
        Band(15, 19, "moderately severe"),
        Band(20, 27, "severe"),
    ),
)
PHQ2 = Scale(
    id="phq2",
    name="PHQ-2",
    title="Patient Health Questionnaire-2",
    source="Kroenke K, Spitzer RL, Williams JBW. Med Care 2003;41(11):1284-1292.",
    instructions=PHQ_INSTRUCTIONS,
    items=PHQ9_ITEMS[:2],
    bands=(  # Kroenke et al. 2003: cut point 3
        Band(0, 2, "negative screen"),
        Band(3, 6, "positive screen"),
    ),
)

SCALES: dict[str, Scale] = {s.id: s for s in (BARTHEL, LAWTON, PHQ2, PHQ9)}


def _allowed(item: Item) -> str:
    return ", ".join(str(v) for v in item.values)


def score(scale_id: str, answers: Mapping[str, int]) -> Result:
    """Score one complete set of answers (item id -> option value) on a scale.

    Raises ``ValueError`` naming every unknown, missing or disallowed answer, one a line.
    """
    scale = SCALES.get(scale_id)
    if scale is None:
        raise ValueError(f"unknown scale {scale_id!r}; the scales are {', '.join(SCALES)}")
    ids = [item.id for item in scale.items]
    problems = [f"{scale.name}: unknown item {key!r}; the items are {', '.join(ids)}"
                for key in answers if key not in ids]
    chosen: list[tuple[Item, Option]] = []
    for item in scale.items:
        if item.id not in answers:
            problems.append(f"{scale.name}: item {item.id!r} is missing; it must be one of "
                            f"{_allowed(item)}")
            continue
        value = answers[item.id]
        option = None if isinstance(value, bool) or not isinstance(value, int) \
            else item.option(value)
        if option is None:
            problems.append(f"{scale.name}: item {item.id!r} must be one of "
                            f"{_allowed(item)}; got {value!r}")
        else:
            chosen.append((item, option))
    if problems:
        raise ValueError("\n".join(problems))
    total = sum(option.points for _, option in chosen)
    flags = tuple(item.flag for item, option in chosen
                  if item.flag_from is not None and option.points >= item.flag_from)
    return Result(scale.id, total, scale.max_total, scale.band(total), flags)
