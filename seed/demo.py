"""`flask seed --demo`: a realistic sales desk across about six months ending today.

Deterministic: every value comes from one seeded generator and every date is relative to `today`,
so two seeds on the same day give the same records (only what happened "in the last hours" is placed
relative to the current UTC hour: the requests the 24-hour SLA needs, and each team's work earlier
today, so the running month has figures from its first hour on). Nothing is stamped after that hour.
All timestamps are naive UTC. Everything is added to the session and committed once: all or nothing.
"""
from __future__ import annotations

import calendar
import random
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    Absence, AbsenceKind, Account, AccountKind, AccountStatus, Activity, ActivityKind, Appraisal,
    ApprovalPolicy, Campaign, CampaignKind, CampaignStatus, CommissionPlan, CommissionStatement,
    Contact, CustomerRequest, DecisionStatus, Division, DrawingStatus, Invoice, InvoiceStatus, Lead,
    LeadSource, LeadStatus, MarketNote, MarketNoteKind, Metric, OrderLine, OrderStatus, Overtime,
    Payment, PaymentMethod, Priority, Product, Quote, QuoteLine, QuoteStatus, ReworkKind,
    ReworkRequest, ReworkStatus, RequestKind, RequestStatus, Role, SalesOrder, SavedView, Shift,
    Shipment, ShipmentStatus, StatementStatus, Target, Team, TrainingRecord, User, utcnow,
)
from models.orders import CENT, HUNDRED, document_total

SEED = 20261122


# --- People -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DemoTeam:
    name: str
    region: str
    city: str


@dataclass(frozen=True)
class DemoUser:
    """One demo login; `team` is the team's name (None for head office). Also readable as a dict."""

    email: str
    name: str
    role: Role
    team: str | None

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)


DEMO_TEAMS = [
    DemoTeam("North", "Poland North", "Gdańsk"),
    DemoTeam("South", "Poland South", "Kraków"),
    DemoTeam("Export", "Western Europe", "Gdynia"),
]

# Within a team the first coordinator listed is the busiest one (owns the most accounts).
DEMO_USERS = [
    DemoUser("admin@example.com", "Tomasz Zieliński", Role.admin, None),
    DemoUser("manager@example.com", "Katarzyna Nowak", Role.manager, None),
    DemoUser("supervisor@example.com", "Piotr Kowalski", Role.supervisor, "North"),
    DemoUser("coordinator@example.com", "Anna Wiśniewska", Role.coordinator, "North"),
    DemoUser("magdalena.kaminska@example.com", "Magdalena Kamińska", Role.coordinator, "North"),
    DemoUser("jakub.szymanski@example.com", "Jakub Szymański", Role.coordinator, "North"),
    DemoUser("ewa.dabrowska@example.com", "Ewa Dąbrowska", Role.supervisor, "South"),
    DemoUser("coordinator2@example.com", "Marek Lewandowski", Role.coordinator, "South"),
    DemoUser("joanna.mazur@example.com", "Joanna Mazur", Role.coordinator, "South"),
    DemoUser("michal.wozniak@example.com", "Michał Woźniak", Role.coordinator, "South"),
    DemoUser("james.carter@example.com", "James Carter", Role.supervisor, "Export"),
    DemoUser("sophie.martin@example.com", "Sophie Martin", Role.coordinator, "Export"),
    DemoUser("oliver.bennett@example.com", "Oliver Bennett", Role.coordinator, "Export"),
    DemoUser("karolina.jankowska@example.com", "Karolina Jankowska", Role.coordinator, "Export"),
    DemoUser("hannah.schmidt@example.com", "Hannah Schmidt", Role.coordinator, "Export"),
]
MARKER_EMAIL = "admin@example.com"
MANAGER = "manager@example.com"
COORDINATOR = "coordinator@example.com"

APPROVAL_LIMITS = {  # role: (max discount %, max quote total)
    Role.coordinator: (0, 0),
    Role.supervisor: (15, 50_000),
    Role.manager: (100, 10_000_000),
    Role.admin: (0, 0),
}


# --- Name lists -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Country:
    code: str
    name: str
    dial: str
    cities: tuple[tuple[str, str], ...]  # (city, postcode prefix)
    streets: tuple[str, ...]
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    companies: tuple[str, ...]
    legal_forms: tuple[str, ...]


PL_FIRST_F = ("Anna", "Katarzyna", "Magdalena", "Agnieszka", "Joanna", "Monika", "Ewa",
              "Aleksandra", "Małgorzata", "Karolina", "Natalia", "Barbara")
PL_FIRST_M = ("Piotr", "Tomasz", "Paweł", "Marcin", "Michał", "Krzysztof", "Andrzej", "Jakub",
              "Łukasz", "Grzegorz", "Adam", "Wojciech")
PL_LAST = ("Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski",
           "Zieliński", "Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Jankowski", "Mazur",
           "Kwiatkowski", "Krawczyk", "Piotrowski", "Grabowski", "Pawłowski", "Michalski", "Król",
           "Wieczorek", "Jabłoński", "Wróbel", "Majewski", "Olszewski", "Stępień", "Malinowski",
           "Górski", "Sikora", "Zając", "Baran", "Rutkowski", "Kaczmarek", "Sadowski", "Czarnecki")
PL_STREETS = ("ul. Grunwaldzka", "ul. Przemysłowa", "ul. Kościuszki", "ul. Długa", "ul. Lipowa",
              "ul. Słoneczna", "ul. Mickiewicza", "ul. Polna", "ul. Rzemieślnicza", "al. Wolności")
PL_COMPANIES = ("Meble {last}", "Kuchnie {city}", "Studio Kuchni {last}", "{last} i Synowie",
                "Stolarnia {last}", "Salon Meblowy {last}", "Wnętrza {last}", "Dom i Kuchnia {city}",
                "{last} Design", "{city} Invest", "Hotel {city} Centrum", "Budownictwo {last}",
                "Pracownia {last}", "Meblarz {city}")
PL_FORMS = (" Sp. z o.o.", " Sp. z o.o.", " s.c.", " Sp. j.", " S.A.", "")

COUNTRIES = {
    "PL-N": Country(
        "PL", "Polska", "+48",
        (("Gdańsk", "80"), ("Gdynia", "81"), ("Sopot", "81"), ("Elbląg", "82"), ("Słupsk", "76"),
         ("Olsztyn", "10"), ("Bydgoszcz", "85"), ("Toruń", "87"), ("Koszalin", "75"),
         ("Szczecin", "70")),
        PL_STREETS, PL_FIRST_F + PL_FIRST_M, PL_LAST, PL_COMPANIES, PL_FORMS),
    "PL-S": Country(
        "PL", "Polska", "+48",
        (("Kraków", "30"), ("Katowice", "40"), ("Tarnów", "33"), ("Nowy Sącz", "33"),
         ("Bielsko-Biała", "43"), ("Rzeszów", "35"), ("Gliwice", "44"), ("Kielce", "25"),
         ("Opole", "45"), ("Zakopane", "34")),
        PL_STREETS, PL_FIRST_F + PL_FIRST_M, PL_LAST, PL_COMPANIES, PL_FORMS),
    "DE": Country(
        "DE", "Deutschland", "+49",
        (("Berlin", "10"), ("Hamburg", "20"), ("München", "80"), ("Köln", "50"),
         ("Frankfurt am Main", "60"), ("Düsseldorf", "40"), ("Hannover", "30"), ("Leipzig", "04")),
        ("Industriestraße", "Hauptstraße", "Bahnhofstraße", "Am Gewerbepark", "Lindenallee"),
        ("Lukas", "Anna", "Jonas", "Lea", "Felix", "Laura", "Maximilian", "Sophie", "Stefan", "Julia"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Hoffmann", "Wagner",
         "Koch", "Richter"),
        ("Küchenstudio {last}", "{last} Küchen", "Küchenhaus {city}", "{last} Innenausbau",
         "Möbelhaus {last}", "{city}er Wohnbau"),
        (" GmbH", " GmbH", " GmbH & Co. KG", " e.K.", " AG")),
    "NL": Country(
        "NL", "Nederland", "+31",
        (("Amsterdam", "10"), ("Rotterdam", "30"), ("Utrecht", "35"), ("Eindhoven", "56"),
         ("Den Haag", "25"), ("Groningen", "97")),
        ("Industrieweg", "Kerkstraat", "Havenweg", "Stationsplein", "Molenlaan"),
        ("Daan", "Emma", "Sem", "Julia", "Lars", "Sanne", "Bram", "Fleur"),
        ("de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer"),
        ("{last} Keukens", "Keukenhuis {city}", "{last} Interieurbouw", "Keukenstudio {city}",
         "{city} Bouwgroep"),
        (" B.V.", " B.V.", "")),
    "BE": Country(
        "BE", "België", "+32",
        (("Antwerpen", "20"), ("Gent", "90"), ("Brussel", "10"), ("Leuven", "30"), ("Brugge", "80")),
        ("Nijverheidslaan", "Kerkstraat", "Rue de l'Industrie", "Steenweg"),
        ("Arne", "Lotte", "Thomas", "Elise", "Wout", "Marie"),
        ("Peeters", "Janssens", "Maes", "Claes", "Wouters", "Dubois"),
        ("{last} Keukens", "Cuisines {last}", "Keukencenter {city}", "{last} Interieur"),
        (" BV", " SRL", " NV")),
    "FR": Country(
        "FR", "France", "+33",
        (("Paris", "75"), ("Lyon", "69"), ("Lille", "59"), ("Strasbourg", "67"), ("Nantes", "44")),
        ("rue de la République", "avenue Jean Jaurès", "ZA des Prés", "rue du Commerce"),
        ("Lucas", "Camille", "Hugo", "Chloé", "Louis", "Manon", "Julien", "Claire"),
        ("Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Roux"),
        ("Cuisines {last}", "{last} Agencement", "Atelier {last}", "Maison {last}",
         "{city} Habitat"),
        (" SARL", " SAS", " SA")),
    "AT": Country(
        "AT", "Österreich", "+43",
        (("Wien", "10"), ("Graz", "80"), ("Linz", "40"), ("Salzburg", "50"), ("Innsbruck", "60")),
        ("Industriestraße", "Hauptplatz", "Gewerbestraße", "Bahnhofstraße"),
        ("Lukas", "Lena", "Tobias", "Hannah", "Florian", "Katharina"),
        ("Gruber", "Huber", "Bauer", "Wagner", "Pichler", "Steiner"),
        ("Tischlerei {last}", "{last} Küchenwelt", "Küchenstudio {city}", "{last} Wohnen"),
        (" GmbH", " GmbH", " KG")),
    "GB": Country(
        "GB", "United Kingdom", "+44",
        (("London", "SE1"), ("Manchester", "M4"), ("Birmingham", "B5"), ("Leeds", "LS1"),
         ("Bristol", "BS1")),
        ("High Street", "Station Road", "Mill Lane", "Riverside Trading Estate"),
        ("Oliver", "Amelia", "George", "Isla", "Harry", "Emily", "Jack", "Grace"),
        ("Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Walker", "Hughes"),
        ("{last} Kitchens", "{city} Kitchen Company", "{last} & Sons Joinery", "{last} Interiors",
         "{city} Homes"),
        (" Ltd", " Ltd", " plc")),
}
REGION_COUNTRIES = {  # region: [(country, weight)]
    "Poland North": [(COUNTRIES["PL-N"], 1)],
    "Poland South": [(COUNTRIES["PL-S"], 1)],
    "Western Europe": [(COUNTRIES["DE"], 35), (COUNTRIES["NL"], 20), (COUNTRIES["BE"], 10),
                       (COUNTRIES["FR"], 15), (COUNTRIES["AT"], 10), (COUNTRIES["GB"], 10)],
}

JOB_TITLES = ("Owner", "Purchasing manager", "Showroom manager", "Kitchen designer",
              "Project manager", "Accounts payable", "Logistics coordinator", "Managing director")
PREFERENCES = ("handleless matt fronts", "oak veneer doors", "quartz worktops", "laminate worktops",
               "soft-close hardware", "tall larder units", "compact HPL worktops",
               "shaker-style doors", "LED lighting kits", "interior doors")

PRODUCTS = {  # division: (name, list price in EUR, unit)
    Division.cabinets: [
        ("Base cabinet 400", 189, "pcs"), ("Base cabinet 600", 229, "pcs"),
        ("Base cabinet 800", 269, "pcs"), ("Drawer base 600, 3 drawers", 419, "pcs"),
        ("Sink base 800", 245, "pcs"), ("Wall cabinet 600x720", 169, "pcs"),
        ("Wall cabinet 800x360 lift-up", 289, "pcs"), ("Tall larder 600x2100", 649, "pcs"),
        ("Tall oven housing 600", 559, "pcs"), ("Corner base 900 with carousel", 489, "pcs"),
        ("Wall corner cabinet 600", 199, "pcs"), ("Island unit 1200", 899, "pcs"),
    ],
    Division.worktops: [
        ("Laminate worktop Oak 3000x600x38", 159, "pcs"),
        ("Laminate worktop Concrete grey 4100x600x38", 219, "pcs"),
        ("Compact HPL worktop Black 3000x650x12", 489, "pcs"),
        ("Solid oak worktop 3000x620x40", 629, "pcs"), ("Quartz worktop Calacatta", 389, "m2"),
        ("Quartz worktop Nero", 359, "m2"), ("Granite worktop Impala", 299, "m2"),
        ("Worktop end cap set", 19, "set"), ("Upstand 3000 Oak", 49, "pcs"),
        ("Breakfast bar 2000x900", 449, "pcs"),
    ],
    Division.doors: [
        ("Door Linea matt white 600x720", 89, "pcs"), ("Door Linea matt anthracite 400x720", 79, "pcs"),
        ("Door Vienna shaker sage 600x720", 119, "pcs"), ("Door Oslo oak veneer 600x720", 149, "pcs"),
        ("Drawer front Linea white 600x140", 39, "pcs"), ("Glass door Frame black 400x720", 139, "pcs"),
        ("Interior door Nova 80 white", 329, "pcs"), ("Interior door Nova 90 oak", 459, "pcs"),
        ("Sliding wardrobe door Mirror 2400", 389, "pcs"), ("Handleless profile kit 3000", 59, "set"),
    ],
    Division.hardware: [
        ("Soft-close hinge 110°, pair", 12, "set"), ("Full-extension runner set 500", 39, "set"),
        ("Handle Bar 160 brushed steel", 9, "pcs"), ("Handle Knob black (discontinued)", 5, "pcs"),
        ("Pull-out waste bin 2x20 l", 79, "pcs"), ("LED strip kit 3000K 1 m", 29, "set"),
        ("Adjustable leg set (4)", 8, "set"), ("Corner pull-out Magic", 269, "pcs"),
    ],
}
SKU_PREFIX = {Division.cabinets: "CAB", Division.worktops: "WTP", Division.doors: "DOR",
              Division.hardware: "HDW"}
QUANTITY = {Division.cabinets: (2, 16), Division.worktops: (1, 6), Division.doors: (4, 24),
            Division.hardware: (10, 120)}

CARRIERS_EXPORT = ("DB Schenker", "DHL Freight", "Kuehne+Nagel", "DSV Road", "Raben Logistics")
CARRIERS_DOMESTIC = ("Raben Logistics", "DPD Polska", "GEODIS Polska", "Own fleet")


# --- The seeding run -----------------------------------------------------------------------------

@dataclass
class AccountInfo:
    """What the seed knows about an account beyond its columns."""

    country: Country
    city: str
    street: str
    postcode: str
    since: date
    team: Team
    is_new: bool


@dataclass
class Demo:
    """One seeding run: the generator, the clock, and the records made so far (for later areas)."""

    session: Session
    rng: random.Random
    today: date
    now: datetime
    password: str
    policy_roles: set
    counts: Counter = field(default_factory=Counter)
    users: dict[str, User] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    members: dict[str, list[User]] = field(default_factory=lambda: defaultdict(list))
    coordinators: dict[str, list[User]] = field(default_factory=lambda: defaultdict(list))
    products: list[Product] = field(default_factory=list)
    campaigns: list[Campaign] = field(default_factory=list)
    accounts: list[Account] = field(default_factory=list)
    info: dict[Account, AccountInfo] = field(default_factory=dict)
    contacts: dict[Account, list[Contact]] = field(default_factory=lambda: defaultdict(list))
    leads: list[Lead] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    quote_lines: dict[Quote, list[QuoteLine]] = field(default_factory=dict)
    orders: list[SalesOrder] = field(default_factory=list)
    order_lines: dict[SalesOrder, list[OrderLine]] = field(default_factory=dict)
    absences: list[Absence] = field(default_factory=list)
    targets: dict[tuple, Target] = field(default_factory=dict)
    names_taken: set[str] = field(default_factory=set)

    @property
    def setup_at(self) -> datetime:
        """When the panel was set up: teams, users, products and policies date from then."""
        return datetime.combine(self.today - timedelta(days=200), time(8, 0))

    def add(self, *objs) -> None:
        """Add records to the session and count them; unstamped ones date from setup."""
        for obj in objs:
            if obj.created_at is None:
                obj.created_at = obj.updated_at = self.setup_at
            self.counts[obj.__tablename__] += 1
        self.session.add_all(objs)

    # Dates and times -----------------------------------------------------------------------------
    def r(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, hi)

    def day(self, offset: int) -> date:
        return self.today + timedelta(days=offset)

    def past_day(self, lo: int, hi: int) -> date:
        """A working day between `hi` and `lo` days ago (lo >= 1: strictly before today)."""
        d = self.today - timedelta(days=self.r(max(lo, 1), max(lo, hi, 1)))
        while d.weekday() >= 5:
            d -= timedelta(days=1)
        return d

    def future_day(self, lo: int, hi: int) -> date:
        """A working day between `lo` and `hi` days ahead."""
        d = self.today + timedelta(days=self.r(lo, hi))
        while d.weekday() >= 5:
            d += timedelta(days=1)
        return d

    def at(self, d: date, first_hour: int = 7, last_hour: int = 15) -> datetime:
        """A time during office hours (UTC) on day `d`; today, a time before the seeding hour."""
        if d == self.today:
            return self.earlier_today()
        return datetime.combine(d, time(self.r(first_hour, last_hour), self.rng.choice((0, 15, 30, 45))))

    def earlier_today(self) -> datetime:
        """A time between midnight and the seeding hour (midnight itself in the day's first hour)."""
        midnight = datetime.combine(self.today, time())
        return midnight + timedelta(minutes=self.r(0, (self.now - midnight) // timedelta(minutes=1)))

    def by_now(self, moment: datetime) -> datetime:
        """The moment, or the seeding hour if it would come later."""
        return min(moment, self.now)

    @property
    def busiest(self) -> list[User]:
        """Each team's busiest coordinator (the first listed): who did the work earlier today."""
        return [members[0] for members in self.coordinators.values()]

    def timeline(self, start: date, end: date, n: int) -> list[datetime]:
        """`n` ordered office-hours times between two days (inclusive)."""
        span = max((end - start).days, 0)
        return sorted(self.at(start + timedelta(days=self.r(0, span))) for _ in range(n))

    def who(self, local_part: str) -> User:
        """A demo user by the part of their e-mail before `@example.com`."""
        return self.users[f"{local_part}@example.com"]

    def pick(self, items, weights=None):
        return self.rng.choices(items, weights=weights)[0] if weights else self.rng.choice(items)


def _stamp(when: datetime) -> dict[str, datetime]:
    """Creation and update time of a record, for its constructor."""
    return {"created_at": when, "updated_at": when}


def _ascii(text: str) -> str:
    """The text without diacritics (for e-mail addresses)."""
    text = text.replace("ł", "l").replace("Ł", "L").replace("ß", "ss")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _slug(text: str, sep: str = "-") -> str:
    """`Küchenhaus München` → `kuchenhaus-munchen`."""
    words = "".join(c if c.isalnum() else " " for c in _ascii(text).lower()).split()
    return sep.join(words)


def _number(records: list, prefix: str, when) -> None:
    """Give documents numbers like `Q-2026-00042`, in date order, counting per year."""
    per_year: Counter = Counter()
    for _key, record in sorted(((when(r), i), r) for i, r in enumerate(records)):
        year = when(record).year
        per_year[year] += 1
        record.number = f"{prefix}-{year}-{per_year[year]:05d}"


# --- Areas --------------------------------------------------------------------------------------

def _users(demo: Demo) -> None:
    """Teams and users (one password hash for all), reporting lines and team supervisors."""
    for spec in DEMO_TEAMS:
        demo.teams[spec.name] = Team(name=spec.name, region=spec.region)
    demo.add(*demo.teams.values())
    password_hash = None
    for spec in DEMO_USERS:
        user = User(email=spec.email, name=spec.name, role=spec.role, team=demo.teams.get(spec.team),
                    active=True, session_epoch=0)
        if password_hash is None:
            user.set_password(demo.password)  # hashing is slow: once, then copied
            password_hash = user.password_hash
        user.password_hash = password_hash
        demo.users[spec.email] = user
        if spec.team:
            demo.members[spec.team].append(user)
            if spec.role == Role.coordinator:
                demo.coordinators[spec.team].append(user)
    demo.add(*demo.users.values())
    # A team and its supervisor refer to each other, so the links are set once both rows exist
    # (which also keeps the users' ids in DEMO_USERS order).
    demo.session.flush()
    linked_at = demo.setup_at + timedelta(minutes=5)
    manager = demo.users[MANAGER]
    supervisors = {u.team.name: u for u in demo.users.values() if u.role == Role.supervisor}
    for user in demo.users.values():
        if user.role == Role.coordinator:
            user.reports_to = supervisors[user.team.name]
        elif user.role in (Role.supervisor, Role.admin):
            user.reports_to = manager
        user.updated_at = linked_at
    demo.session.flush()  # users before teams: updating both in one flush would be a cycle
    for name, team in demo.teams.items():
        team.supervisor = supervisors[name]
        team.updated_at = linked_at


def _policies(demo: Demo) -> None:
    """One approval policy per role (roles that already have one are left alone)."""
    for role, (discount, total) in APPROVAL_LIMITS.items():
        if role not in demo.policy_roles:
            demo.add(ApprovalPolicy(role=role, max_discount_pct=Decimal(discount),
                                    max_quote_total=Decimal(total)))


def _products(demo: Demo) -> None:
    """About forty products with SKUs across the four divisions."""
    for division, items in PRODUCTS.items():
        for i, (name, price, unit) in enumerate(items, start=1):
            code = f"{SKU_PREFIX[division]}-{1000 + 10 * i}"
            product = Product(sku=code, name=name, division=division, list_price=Decimal(price),
                              unit=unit, active="discontinued" not in name)
            demo.products.append(product)
    demo.add(*demo.products)


def _campaigns(demo: Demo) -> None:
    """Campaigns of every kind: finished, running and planned."""
    EVENT = CampaignKind.promotional_event
    plans = [  # name, kind, starts (days from today), length in days, budget, owner
        ("Handleless kitchens promotion", CampaignKind.email, -170, 45, 4_000, "manager"),
        ("Dealer newsletter: new door collection", CampaignKind.newsletter, -150, 0, 600, "james.carter"),
        ("Direct mail: quartz worktops", CampaignKind.mail, -120, 30, 7_500, "supervisor"),
        ("Showroom open day Gdańsk", EVENT, -95, 1, 12_000, "supervisor"),
        ("Home & interiors fair Warsaw", EVENT, -60, 3, 35_000, "manager"),
        ("Dealer newsletter: price list update", CampaignKind.newsletter, -45, 0, 600, "james.carter"),
        ("Kraków architects breakfast", EVENT, -30, 0, 3_500, "ewa.dabrowska"),
        ("Year-end dealer offer", CampaignKind.email, -6, 30, 3_000, "manager"),
        ("Trade fair follow-up mailing", CampaignKind.mail, 40, 30, 5_000, "james.carter"),
    ]
    for name, kind, start, length, budget, owner in plans:
        starts = demo.day(start)
        ends = starts + timedelta(days=length)
        status = (CampaignStatus.planned if starts > demo.today
                  else CampaignStatus.completed if ends < demo.today else CampaignStatus.running)
        campaign = Campaign(
            name=f"{name} {starts.year}", kind=kind, status=status, starts_on=starts, ends_on=ends,
            budget=Decimal(budget), owner=demo.who(owner),
            description=f"{kind.label} for {'dealers' if 'ealer' in name else 'end customers and designers'}.",
            **_stamp(demo.at(min(starts, demo.today) - timedelta(days=21))),
        )
        demo.campaigns.append(campaign)
    demo.add(*demo.campaigns)


def _country(demo: Demo, region: str) -> Country:
    """A country of the region, weighted by how much business comes from it."""
    countries, weights = zip(*REGION_COUNTRIES[region])
    return demo.pick(countries, weights)


def _company_name(demo: Demo, country: Country) -> tuple[str, str, str]:
    """A company name not used before in this seed, its e-mail domain, and the city it is in."""
    while True:
        city, _ = demo.pick(country.cities)
        last = demo.pick(country.last_names)
        base = demo.pick(country.companies).format(last=last, city=city)
        name = base + demo.pick(country.legal_forms)
        if name not in demo.names_taken:
            demo.names_taken.add(name)
            return name, f"{_slug(base)}.example", city


def _person(demo: Demo, country: Country) -> str:
    """A person's name as written in `country` (Polish surnames agree with the first name)."""
    if country.code == "PL":
        female = demo.rng.random() < 0.5
        first = demo.pick(PL_FIRST_F if female else PL_FIRST_M)
        last = demo.pick(PL_LAST)
        if female and last.endswith("ki"):
            last = last[:-1] + "a"
        return f"{first} {last}"
    return f"{demo.pick(country.first_names)} {demo.pick(country.last_names)}"


def _phone(demo: Demo, country: Country) -> str:
    """A phone number with the country's dialling code."""
    return f"{country.dial} {demo.r(500, 799)} {demo.r(100, 999)} {demo.r(100, 999)}"


def _postcode(demo: Demo, country: Country, prefix: str) -> str:
    """A postcode in the country's format, starting with the city's prefix."""
    code = country.code
    if code == "PL":
        return f"{prefix}-{demo.r(0, 999):03d}"
    if code in ("DE", "FR"):
        return f"{prefix}{demo.r(0, 999):03d}"
    if code == "NL":
        return f"{prefix}{demo.r(10, 99)} {demo.pick('ABCDEGHJKLMNPRST')}{demo.pick('ABCDEGHJKLMNPRST')}"
    if code == "GB":
        return f"{prefix} {demo.r(1, 9)}{demo.pick('ABDEFGHJLNPQRSTUWXYZ')}{demo.pick('ABDEFGHJLNPQRSTUWXYZ')}"
    return f"{prefix}{demo.r(0, 9)}0"  # BE, AT: four digits


def _vat_number(demo: Demo, country: Country) -> str:
    """A VAT number in the country's format (not checksummed)."""
    digits = lambda n: "".join(str(demo.r(0, 9)) for _ in range(n))  # noqa: E731
    return {"PL": f"PL{digits(10)}", "DE": f"DE{digits(9)}", "NL": f"NL{digits(9)}B01",
            "BE": f"BE0{digits(9)}", "FR": f"FR{digits(11)}", "AT": f"ATU{digits(8)}",
            "GB": f"GB{digits(9)}"}[country.code]


def _accounts(demo: Demo) -> None:
    """Sixty customers and dealers (a third new this half-year), each with 1–3 contacts."""
    for team_spec in DEMO_TEAMS:
        team = demo.teams[team_spec.name]
        coordinators = demo.coordinators[team.name]
        owner_weights = [3] + [2] * (len(coordinators) - 1)
        for i in range(20):
            country = _country(demo, team.region)
            name, domain, city = _company_name(demo, country)
            prefix = dict(country.cities)[city]
            is_new = i >= 12
            is_dealer = demo.rng.random() < (0.25 if is_new else 0.45)
            since = demo.day(-demo.r(20, 165)) if is_new else demo.day(-demo.r(400, 2200))
            if is_new:
                status = AccountStatus.prospect if i >= 17 else AccountStatus.active
            else:
                status = {0: AccountStatus.on_hold, 1: AccountStatus.inactive}.get(i, AccountStatus.active)
            street, number = demo.pick(country.streets), demo.r(1, 140)
            street = f"{number} {street}" if country.code in ("FR", "GB") else f"{street} {number}"
            info = AccountInfo(country, city, street, _postcode(demo, country, prefix), since, team, is_new)
            address = f"{street}\n{info.postcode} {city}\n{country.name}"
            warehouse = (f"Warehouse, {demo.pick(country.streets)} {demo.r(1, 90)}\n"
                         f"{info.postcode} {city}\n{country.name}")
            onboarding_started = onboarded = None
            if is_dealer and (is_new or demo.rng.random() < 0.7):
                onboarding_started = since
                if status != AccountStatus.prospect:
                    onboarded = min(since + timedelta(days=demo.r(20, 75)), demo.day(-1))
            account = Account(
                name=name, kind=AccountKind.dealer if is_dealer else AccountKind.customer,
                region=team.region, status=status,
                email=f"{'biuro' if country.code == 'PL' else 'info'}@{domain}",
                phone=_phone(demo, country), vat_number=_vat_number(demo, country),
                billing_address=address,
                shipping_address=address if demo.rng.random() < 0.7 else warehouse,
                payment_terms_days=demo.pick((30, 45, 60)) if is_dealer else demo.pick((7, 14, 14, 30)),
                payment_method=PaymentMethod.card if not is_dealer and demo.rng.random() < 0.3
                else PaymentMethod.bank_transfer,
                credit_limit=Decimal(0 if status == AccountStatus.prospect else
                                     demo.r(5, 25) * 10_000 if is_dealer else demo.r(1, 6) * 5_000),
                product_preferences=", ".join(demo.rng.sample(PREFERENCES, demo.r(1, 3))).capitalize(),
                owner=demo.pick(coordinators, owner_weights),
                dealer_onboarding_started_on=onboarding_started, dealer_onboarded_on=onboarded,
                **_stamp(demo.at(since)),
            )
            demo.accounts.append(account)
            demo.info[account] = info
            for n in range(demo.pick((1, 2, 2, 3))):
                person = _person(demo, country)
                contact = Contact(
                    account=account, name=person, job_title=demo.pick(JOB_TITLES),
                    email=f"{_slug(person, '.')}@{account.email.split('@')[1]}",
                    phone=_phone(demo, country), is_primary=n == 0, **_stamp(account.created_at),
                )
                demo.contacts[account].append(contact)
    demo.add(*demo.accounts)
    demo.add(*(c for contacts in demo.contacts.values() for c in contacts))


LOST_REASONS = ("Chose a competitor on price", "Project postponed to next year", "No budget",
                "Went with a local joinery", "Delivery time too long", "No response after 5 attempts")
LEAD_NOTES = ("Asked for the dealer price list.", "Interested in a showroom display set.",
              "Hotel refurbishment, 40 rooms.", "Needs quartz worktops for a housing project.",
              "Visited our stand at the fair.", "Looking for a second supplier of doors.", None, None)


def _leads(demo: Demo) -> None:
    """Three hundred leads in every status; some unassigned, some from campaigns, some converted, and one
    for each team's busiest coordinator earlier today."""
    new_accounts = [a for a in demo.accounts if demo.info[a].is_new]
    statuses = ([LeadStatus.new] * 50 + [LeadStatus.assigned] * 50 + [LeadStatus.contacted] * 70
                + [LeadStatus.qualified] * 50 + [LeadStatus.lost] * (80 - len(new_accounts)))
    demo.rng.shuffle(statuses)
    ages = {LeadStatus.new: (1, 20), LeadStatus.assigned: (2, 30), LeadStatus.contacted: (5, 120),
            LeadStatus.qualified: (10, 150), LeadStatus.lost: (10, 175)}
    sources = [LeadSource.web, LeadSource.referral, LeadSource.trade_show, LeadSource.cold_call,
               LeadSource.dealer, LeadSource.other]
    plans: list[tuple[LeadStatus, date, Account | None, User | None]] = [
        (LeadStatus.converted, demo.info[a].since - timedelta(days=demo.r(7, 45)), a, None)
        for a in new_accounts
    ]
    for status in statuses:
        lo, hi = ages[status]
        if status == LeadStatus.new and demo.rng.random() < 0.15:
            lo, hi = 25, 60  # neglected: nobody picked it up
        plans.append((status, demo.past_day(lo, hi), None, None))
    plans += [(LeadStatus.assigned, demo.today, None, user) for user in demo.busiest]
    plans.sort(key=lambda p: p[1])
    for status, created_on, account, owner in plans:
        created = demo.at(created_on)
        if account:
            info = demo.info[account]
            team, country, company, city = info.team, info.country, account.name, info.city
            domain = account.email.split("@")[1]
            owner = account.owner
        else:
            team = owner.team if owner else demo.teams[demo.pick(["North", "South", "Export"], [35, 35, 30])]
            country = _country(demo, team.region)
            company, domain, city = _company_name(demo, country)
            if owner is None and status != LeadStatus.new:
                owner = demo.pick(demo.coordinators[team.name])
        running = [c for c in demo.campaigns if c.starts_on <= created_on <= c.ends_on + timedelta(days=30)]
        campaign = demo.pick(running) if running and demo.rng.random() < 0.35 else None
        if campaign:
            source = LeadSource.campaign
        else:
            from_dealer = account and account.kind == AccountKind.dealer and demo.rng.random() < 0.5
            source = LeadSource.dealer if from_dealer else demo.pick(sources, [30, 15, 10, 15, 10, 5])
        person = _person(demo, country)
        contact = demo.contacts[account][0] if account else None
        lead = Lead(
            company=company, contact_name=contact.name if contact else person,
            contact_email=contact.email if contact else f"{_slug(person, '.')}@{domain}",
            contact_phone=_phone(demo, country), source=source, status=status, region=team.region,
            owner=owner,
            assigned_at=demo.by_now(created + timedelta(minutes=demo.r(20, 240))) if owner else None,
            next_follow_up=max(demo.day(demo.r(-6, 21)), created_on) if status in (
                LeadStatus.assigned, LeadStatus.contacted, LeadStatus.qualified) else None,
            campaign=campaign, account=account, contact=contact,
            lost_reason=demo.pick(LOST_REASONS) if status == LeadStatus.lost else None,
            notes=demo.pick(LEAD_NOTES) or f"Based in {city}.", **_stamp(created),
        )
        demo.leads.append(lead)
    demo.add(*demo.leads)


ACTIVITY_SUBJECTS = {
    ActivityKind.call: ("Follow-up call on the {pref} offer", "Call about delivery dates",
                        "Call: payment reminder", "Check satisfaction after installation"),
    ActivityKind.email: ("Sent the {pref} catalogue", "E-mailed updated price list",
                         "Sent order confirmation and drawings", "Reply about lead times"),
    ActivityKind.meeting: ("Quarterly review with {account}", "Meeting: next season's range",
                           "Negotiation of dealer terms"),
    ActivityKind.appointment: ("Showroom appointment: kitchen layout", "Design consultation at showroom"),
    ActivityKind.site_visit: ("Site visit: measure-up in {city}", "Site visit: installation check in {city}"),
    ActivityKind.field_visit: ("Field visit: dealer display check", "Field visit: new samples for {account}"),
}
ACTIVITY_OUTCOMES = ("Agreed next steps; follow up in two weeks.", "Customer will confirm by Friday.",
                     "Sent samples; waiting for feedback.", "Order expected next month.",
                     "No decision yet; budget under review.", "Positive: asked for a formal quote.",
                     "Issue resolved on the call.", "Left a voicemail.")
PROSPECTING_OUTCOMES = ("Spoke to the owner; interested, sending catalogue.", "No answer; left a voicemail.",
                        "Asked to call back next week.", "Interested in a showroom visit.",
                        "Not interested at the moment.", "Requested a price list by e-mail.")


def _activity_subject(demo: Demo, kind: ActivityKind, account: Account) -> str:
    """A diary subject for an activity of this kind with this account."""
    info = demo.info[account]
    return demo.pick(ACTIVITY_SUBJECTS[kind]).format(
        pref=demo.pick(PREFERENCES), account=account.name, city=info.city)


def _activities(demo: Demo) -> None:
    """The diary: customer contacts, prospecting calls on leads, and today's plan for coordinator@."""
    kinds = list(ACTIVITY_SUBJECTS)
    weights = [35, 30, 10, 10, 8, 7]
    # Prospecting on leads, between assignment and the lead's end (conversion, loss or today).
    per_status = {LeadStatus.assigned: (0, 1), LeadStatus.contacted: (1, 1), LeadStatus.qualified: (1, 2),
                  LeadStatus.converted: (1, 3), LeadStatus.lost: (1, 1)}
    for lead in demo.leads:
        if lead.owner is None or lead.status not in per_status:
            continue
        start = lead.assigned_at.date()
        end = demo.info[lead.account].since if lead.account else demo.day(-1)
        if lead.status == LeadStatus.assigned:
            if demo.rng.random() < 0.6:  # the first call is still ahead (or overdue)
                demo.activities.append(Activity(
                    kind=ActivityKind.call, subject=f"First call: {lead.company}", owner=lead.owner,
                    lead=lead, is_prospecting=True,
                    scheduled_at=demo.at(lead.next_follow_up or demo.future_day(1, 7)),
                    **_stamp(lead.assigned_at)))
            continue
        for when in demo.timeline(start, max(start, end), demo.r(*per_status[lead.status])):
            kind = ActivityKind.call if demo.rng.random() < 0.8 else ActivityKind.email
            what = "Prospecting call" if kind == ActivityKind.call else "Intro e-mail"
            demo.activities.append(Activity(
                kind=kind, subject=f"{what}: {lead.company}",
                owner=lead.owner, lead=lead, is_prospecting=True, scheduled_at=when,
                done_at=when + timedelta(minutes=demo.r(5, 40)),
                outcome=demo.pick(PROSPECTING_OUTCOMES), **_stamp(when - timedelta(days=demo.r(0, 3)))))
    # Customer contacts on accounts: most done, some overdue, some planned.
    open_accounts = [a for a in demo.accounts if a.status != AccountStatus.inactive]
    for _ in range(330):
        account = demo.pick(open_accounts)
        first = max(demo.info[account].since, demo.day(-180))
        offset = demo.r((first - demo.today).days, 14)
        day = demo.past_day(-offset, -offset) if offset < 0 else demo.future_day(max(offset, 1), max(offset, 1))
        kind = demo.pick(kinds, weights)
        team = demo.coordinators[demo.info[account].team.name]
        scheduled = demo.at(day)
        done = day < demo.today and demo.rng.random() < 0.88
        demo.activities.append(Activity(
            kind=kind, subject=_activity_subject(demo, kind, account),
            owner=account.owner if demo.rng.random() < 0.85 else demo.pick(team),
            account=account, contact=demo.pick(demo.contacts[account]), scheduled_at=scheduled,
            done_at=scheduled + timedelta(minutes=demo.r(10, 90)) if done else None,
            outcome=demo.pick(ACTIVITY_OUTCOMES) if done else None,
            **_stamp(demo.at(min(day, demo.day(-1)) - timedelta(days=demo.r(0, 10))))))
    # Coordinator@'s day: what the dashboard's "due today" shows.
    me = demo.users[COORDINATOR]
    mine = [a for a in demo.accounts if a.owner is me and a.status != AccountStatus.inactive]
    for hour, minute, kind in ((8, 30, ActivityKind.call), (10, 0, ActivityKind.appointment),
                               (12, 30, ActivityKind.call), (14, 0, ActivityKind.site_visit),
                               (15, 30, ActivityKind.email)):
        account = demo.pick(mine)
        demo.activities.append(Activity(
            kind=kind, subject=_activity_subject(demo, kind, account), owner=me, account=account,
            contact=demo.contacts[account][0], scheduled_at=datetime.combine(demo.today, time(hour, minute)),
            **_stamp(demo.at(demo.past_day(1, 7)))))
    open_statuses = (LeadStatus.assigned, LeadStatus.contacted)
    my_leads = [l for l in demo.leads if l.owner is me and l.status in open_statuses]
    for lead in my_leads[:2]:
        demo.activities.append(Activity(
            kind=ActivityKind.call, subject=f"Prospecting call: {lead.company}", owner=me, lead=lead,
            is_prospecting=True, scheduled_at=datetime.combine(demo.today, time(demo.r(9, 15), 15)),
            **_stamp(demo.at(demo.past_day(1, 5)))))
    # Earlier today each team's busiest coordinator wrote to a customer and called a lead.
    for user in demo.busiest:
        account = demo.pick([a for a in demo.accounts
                             if a.owner is user and a.status != AccountStatus.inactive])
        lead = demo.pick([l for l in demo.leads if l.owner is user
                          and l.status in (LeadStatus.contacted, LeadStatus.qualified)])
        for kind, about in ((ActivityKind.email, {"account": account, "contact": demo.contacts[account][0]}),
                            (ActivityKind.call, {"lead": lead, "is_prospecting": True})):
            when = demo.earlier_today()
            subject = (_activity_subject(demo, kind, account) if kind == ActivityKind.email
                       else f"Prospecting call: {lead.company}")
            demo.activities.append(Activity(
                kind=kind, subject=subject, owner=user, scheduled_at=when,
                done_at=demo.by_now(when + timedelta(minutes=demo.r(5, 30))),
                outcome=demo.pick(ACTIVITY_OUTCOMES if kind == ActivityKind.email else PROSPECTING_OUTCOMES),
                **about, **_stamp(when)))
    demo.add(*demo.activities)


# --- Quotes and orders ---------------------------------------------------------------------------

@dataclass
class OrderPlan:
    """An order decided before its records: status, dates and, for some, the quote it came from."""

    status: OrderStatus
    rush: bool
    account: Account
    ordered_on: date
    requested: date
    promised: date | None
    confirmed: date | None = None
    shipped: date | None = None
    delivered: date | None = None
    quote: Quote | None = None


ORDER_MIX = {OrderStatus.pending: 12, OrderStatus.confirmed: 15, OrderStatus.in_production: 25,
             OrderStatus.ready_to_ship: 12, OrderStatus.shipped: 14, OrderStatus.delivered: 44,
             OrderStatus.cancelled: 10, OrderStatus.archived: 18}
QUOTE_MIX = {QuoteStatus.draft: 16, QuoteStatus.submitted: 20, QuoteStatus.approved: 14,
             QuoteStatus.rejected: 10, QuoteStatus.sent: 20, QuoteStatus.accepted: 4,
             QuoteStatus.expired: 14}  # plus the accepted quotes that orders came from
QUOTE_FROM_ORDERS = 22


def _order_dates(demo: Demo, status: OrderStatus, rush: bool) -> dict[str, date | None]:
    """Order, confirmation, promised, shipping and delivery days consistent with a status."""
    lead = demo.r(6, 10) if rush else demo.r(18, 35)
    slip = 0 if rush else demo.pick((0, 0, 0, 2, 5, 7))
    delay = demo.pick((0, 0, 0, 0, -1, 1, 3, 6))  # actual dispatch against the promise
    transit = demo.r(1, 5)
    shipped = delivered = None
    if status == OrderStatus.pending:
        ordered = demo.past_day(1, 3)
    elif status == OrderStatus.confirmed:
        ordered = demo.past_day(2, 9)
    elif status == OrderStatus.in_production:
        ordered = demo.past_day(4, max(lead - 2, 5))
    elif status == OrderStatus.ready_to_ship:
        ordered = demo.day(demo.r(0, 3) - lead - slip)
    elif status == OrderStatus.shipped:
        shipped = demo.past_day(1, max(transit - 1, 1))
        ordered = shipped - timedelta(days=lead + slip + delay)
    elif status in (OrderStatus.delivered, OrderStatus.archived):
        lo, hi = (1, 175 - lead - slip - delay - transit) if status == OrderStatus.delivered else (95, 125)
        delivered = demo.past_day(lo, hi)
        shipped = delivered - timedelta(days=transit)
        ordered = shipped - timedelta(days=lead + slip + delay)
    else:  # cancelled
        ordered = demo.past_day(3, 170)
    confirmed = None if status == OrderStatus.pending else ordered + timedelta(days=demo.r(0, 1))
    if status == OrderStatus.cancelled and demo.rng.random() < 0.5:
        confirmed = None
    requested = ordered + timedelta(days=lead)
    return {"ordered_on": ordered, "requested": requested,
            "promised": requested + timedelta(days=slip) if confirmed else None,
            "confirmed": confirmed, "shipped": shipped, "delivered": delivered}


def _order_plans(demo: Demo) -> list[OrderPlan]:
    """What each of the 150 orders (and each team's order of today) will be: status, rush, dates, account."""
    buyers = [a for a in demo.accounts if a.status in (AccountStatus.active, AccountStatus.on_hold)]
    plans = []
    for status, count in ORDER_MIX.items():
        for _ in range(count):
            rush = demo.rng.random() < (0.25 if status in (OrderStatus.pending, OrderStatus.confirmed,
                                                           OrderStatus.in_production) else 0.08)
            dates = _order_dates(demo, status, rush)
            eligible = [a for a in buyers if demo.info[a].since <= dates["ordered_on"] - timedelta(days=30)]
            weights = [3 if a.kind == AccountKind.dealer else 1 for a in eligible]
            plans.append(OrderPlan(status=status, rush=rush, account=demo.pick(eligible, weights), **dates))
    for user in demo.busiest:  # entered earlier today, not confirmed yet
        accounts = [a for a in buyers if a.owner is user and demo.info[a].since <= demo.day(-30)]
        plans.append(OrderPlan(status=OrderStatus.pending, rush=False, account=demo.pick(accounts),
                               ordered_on=demo.today, requested=demo.day(demo.r(18, 35)), promised=None))
    plans.sort(key=lambda p: p.ordered_on)
    return plans


def _pick_lines(demo: Demo, account: Account, size: int = 1) -> list[tuple[Product, int, Decimal]]:
    """(product, quantity, line discount %) for a document of one account; `size` scales quantities."""
    active = [p for p in demo.products if p.active]
    dealer = account.kind == AccountKind.dealer
    lines = []
    for product in demo.rng.sample(active, demo.r(1, 5)):
        lo, hi = QUANTITY[product.division]
        quantity = demo.r(lo, hi) * size
        discount = Decimal(10 if dealer else demo.pick((0, 0, 0, 5)))
        lines.append((product, quantity, discount))
    return lines


def _make_lines(cls, lines, **parent) -> list:
    """Quote or order lines at list price from (product, quantity, discount) picks."""
    return [cls(product=p, quantity=q, unit_price=p.list_price, discount_pct=d, **parent)
            for p, q, d in lines]


def _within(discount: Decimal, total: Decimal) -> bool:
    """Whether a supervisor may approve this quote on their own."""
    max_discount, max_total = APPROVAL_LIMITS[Role.supervisor]
    return discount <= max_discount and total <= max_total


APPROVAL_REASONS = ("Strategic dealer: volume commitment for next year.",
                    "Matching a competitor's offer on a large project.",
                    "Showroom display set: marketing support.")
REJECTION_REASONS = ("Discount above the dealer agreement.", "Margin too low on quartz worktops.",
                     "Customer is over the credit limit.", "Prices must be re-checked against the new list.")


def _quote(demo: Demo, account: Account, status: QuoteStatus, created: datetime, mode: str) -> Quote:
    """One quote with lines; `mode` is `within`, `discount_over` or `total_over` the supervisor limit."""
    for _attempt in range(20):
        size = demo.r(4, 8) if mode == "total_over" else 1
        picks = _pick_lines(demo, account, size)
        if mode == "discount_over":
            discount = Decimal(demo.pick((18, 20, 25)))
        else:
            discount = Decimal(demo.pick((0, 0, 0, 0, 2, 3, 5, 8, 10, 12, 15)))
        lines = _make_lines(QuoteLine, picks)
        total = document_total(lines, discount)
        if (mode == "total_over") == (total > APPROVAL_LIMITS[Role.supervisor][1]) and total > 0:
            break
    quote = Quote(account=account, contact=demo.contacts[account][0], owner=account.owner,
                  status=status, is_rfp=mode == "total_over" or demo.rng.random() < 0.1,
                  discount_pct=discount, total=total, valid_until=created.date() + timedelta(days=30),
                  due_on=created.date() + timedelta(days=demo.r(2, 6)), **_stamp(created))
    for line in lines:
        line.quote = quote
        line.created_at = line.updated_at = created
    demo.quotes.append(quote)
    demo.quote_lines[quote] = lines
    return quote


def _progress_quote(demo: Demo, quote: Quote, until: date, accepted: bool = False) -> None:
    """Fill submission, approval, sending (and acceptance) times up to the quote's status."""
    steps = {QuoteStatus.draft: 0, QuoteStatus.submitted: 1, QuoteStatus.rejected: 2,
             QuoteStatus.approved: 2, QuoteStatus.sent: 3, QuoteStatus.expired: 3,
             QuoteStatus.accepted: 4}[quote.status]
    if steps == 0:
        return
    # Submission, approval and sending take days; acceptance can take weeks.
    quick = min(until, quote.created_at.date() + timedelta(days=demo.r(0, 6)))
    times = demo.timeline(quote.created_at.date(), quick, min(steps, 3))
    if steps == 4:
        times += demo.timeline(times[-1].date(), until, 1)
    for i, t in enumerate(times):  # each step strictly after the one before
        earliest = (times[i - 1] if i else quote.created_at) + timedelta(minutes=30)
        times[i] = max(t, earliest)
    quote.submitted_at = times[0]
    if quote.status == QuoteStatus.rejected:
        quote.rejection_reason = demo.pick(REJECTION_REASONS)
        return
    if steps >= 2:
        within = _within(quote.discount_pct, quote.total)
        team = quote.owner.team
        quote.approved_by = team.supervisor if within else demo.users[MANAGER]
        quote.approved_at = times[1]
        quote.approval_reason = None if within else demo.pick(APPROVAL_REASONS)
    if steps >= 3:
        quote.sent_at = times[2]
    if steps >= 4:
        quote.accepted_at = times[3]


def _quotes(demo: Demo, plans: list[OrderPlan]) -> None:
    """About 120 quotes in every status, some over the supervisor's limit, some turned into orders."""
    # Accepted quotes that orders were entered from (dated backwards from the order).
    candidates = [p for p in plans if p.ordered_on >= demo.day(-160)]
    for plan in demo.rng.sample(candidates, QUOTE_FROM_ORDERS):
        created = demo.at(plan.ordered_on - timedelta(days=demo.r(8, 25)))
        mode = "within" if demo.rng.random() < 0.8 else demo.pick(("discount_over", "total_over"))
        plan.quote = _quote(demo, plan.account, QuoteStatus.accepted, created, mode)
        _progress_quote(demo, plan.quote, min(plan.ordered_on, demo.day(-1)))
    # Every other status; coordinator@ and coordinator2@ get submitted quotes on both sides of the limit,
    # coordinator@ an approved one too.
    quoting = [a for a in demo.accounts if a.status != AccountStatus.inactive]
    ages = {QuoteStatus.draft: (1, 12), QuoteStatus.submitted: (2, 12), QuoteStatus.approved: (3, 20),
            QuoteStatus.rejected: (3, 170), QuoteStatus.sent: (4, 26), QuoteStatus.accepted: (5, 20),
            QuoteStatus.expired: (40, 175)}
    featured = {QuoteStatus.submitted: [(COORDINATOR, "within"), (COORDINATOR, "within"),
                                        (COORDINATOR, "discount_over"), (COORDINATOR, "total_over"),
                                        ("coordinator2@example.com", "within"),
                                        ("coordinator2@example.com", "discount_over")],
                QuoteStatus.approved: [(COORDINATOR, "within")]}
    for status, count in QUOTE_MIX.items():
        wanted = featured.get(status, [])
        for n in range(count):
            created_on = demo.past_day(*ages[status])
            eligible = [a for a in quoting if demo.info[a].since <= created_on]
            if n < len(wanted):
                owner, mode = wanted[n]
                eligible = [a for a in eligible if a.owner is demo.users[owner]] or eligible
            else:
                mode = demo.pick(("within", "discount_over", "total_over"), [80, 10, 10])
            quote = _quote(demo, demo.pick(eligible), status, demo.at(created_on), mode)
            until = demo.day(-1) if status != QuoteStatus.expired else quote.valid_until - timedelta(days=5)
            _progress_quote(demo, quote, until)
    for user in demo.busiest:  # sent earlier today, on time
        created_on = demo.past_day(1, 3)
        eligible = [a for a in quoting if a.owner is user and demo.info[a].since <= created_on]
        quote = _quote(demo, demo.pick(eligible), QuoteStatus.sent, demo.at(created_on), "within")
        _progress_quote(demo, quote, demo.day(-1))
        quote.sent_at, quote.due_on = demo.earlier_today(), max(quote.due_on, demo.today)
    _number(demo.quotes, "Q", lambda q: q.created_at)
    demo.add(*demo.quotes)
    demo.add(*(line for lines in demo.quote_lines.values() for line in lines))


ORDER_NOTES = ("Deliver to the site entrance from {city} ring road; call 1 h before.",
               "Showroom display set.", "Customer installs on {date}: do not slip.",
               "Mixed pallet with the previous order.", None, None, None)
CANCEL_REASONS = ("Customer cancelled: project postponed.", "Duplicate order entered by the dealer.",
                  "Credit check failed.", "Replaced by a revised order.")


def _orders(demo: Demo, plans: list[OrderPlan]) -> None:
    """150 orders in every status (rush ones too); lines copied from the quote when there is one."""
    for plan in plans:
        account, info = plan.account, demo.info[plan.account]
        created = demo.at(plan.ordered_on)
        order = SalesOrder(
            account=account, quote=plan.quote, owner=account.owner, status=plan.status,
            is_rush=plan.rush, ordered_on=plan.ordered_on,
            customer_po=f"PO/{plan.ordered_on.year}/{demo.r(100, 2999):04d}"
            if account.kind == AccountKind.dealer else None,
            requested_ship_date=plan.requested, promised_ship_date=plan.promised,
            confirmed_at=demo.at(plan.confirmed) if plan.confirmed else None,
            shipped_at=demo.at(plan.shipped) if plan.shipped else None,
            delivered_at=demo.at(plan.delivered, 9, 16) if plan.delivered else None,
            cancel_reason=demo.pick(CANCEL_REASONS) if plan.status == OrderStatus.cancelled else None,
            notes=(demo.pick(ORDER_NOTES) or "").format(city=info.city, date=plan.requested) or None,
            **_stamp(created),
        )
        if order.confirmed_at and order.confirmed_at < created:
            order.confirmed_at = created + timedelta(hours=2)
        if plan.quote:
            quote = plan.quote
            order.discount_pct = quote.discount_pct
            lines = [OrderLine(product=ql.product, quantity=ql.quantity, unit_price=ql.unit_price,
                               discount_pct=ql.discount_pct)
                     for ql in demo.quote_lines[quote]]
        else:
            lines = _make_lines(OrderLine, _pick_lines(demo, account))
        for line in lines:
            line.order = order
            line.created_at = line.updated_at = created
        order.total = document_total(lines, order.discount_pct)
        assert not plan.quote or order.total == plan.quote.total
        has_drawings = any(l.product.division in (Division.cabinets, Division.worktops) for l in lines)
        order.drawing_status = (_drawing_status(len(demo.orders), plan.status) if has_drawings
                                else DrawingStatus.not_required)
        demo.orders.append(order)
        demo.order_lines[order] = lines
    _number(demo.orders, "SO", lambda o: o.ordered_on)
    demo.add(*demo.orders)
    demo.add(*(line for lines in demo.order_lines.values() for line in lines))


EARLY_DRAWINGS = (DrawingStatus.awaiting, DrawingStatus.sent_for_approval,
                  DrawingStatus.changes_requested, DrawingStatus.approved)


def _drawing_status(n: int, status: OrderStatus) -> DrawingStatus:
    """Where the approval drawings of the `n`-th order are: undecided only before production."""
    if status == OrderStatus.pending:
        return DrawingStatus.awaiting
    if status in (OrderStatus.confirmed, OrderStatus.cancelled):
        return EARLY_DRAWINGS[n % len(EARLY_DRAWINGS)]
    return DrawingStatus.approved


def _shipments(demo: Demo) -> None:
    """Shipments for orders ready to ship and beyond; export ones with carrier, booking and tracking."""
    shipments = []
    for order in demo.orders:
        if order.status not in (OrderStatus.ready_to_ship, OrderStatus.shipped, OrderStatus.delivered,
                                OrderStatus.archived):
            continue
        info = demo.info[order.account]
        export = info.country.code != "PL"
        status = {OrderStatus.ready_to_ship: demo.pick((ShipmentStatus.planned, ShipmentStatus.booked)),
                  OrderStatus.shipped: ShipmentStatus.dispatched}.get(order.status, ShipmentStatus.delivered)
        carrier = demo.pick(CARRIERS_EXPORT if export else CARRIERS_DOMESTIC)
        booked = status != ShipmentStatus.planned
        planned_on = order.shipped_at.date() if order.shipped_at else order.promised_ship_date
        shipment = Shipment(
            order=order, status=status, is_export=export, carrier=carrier if booked or export else None,
            booking_ref=f"{_slug(carrier)[:3].upper()}-{demo.r(100000, 999999)}"
            if booked and carrier != "Own fleet" else None,
            tracking_number=(f"{_slug(carrier)[:2].upper()}{demo.r(10**9, 10**10 - 1)}"
                             if status in (ShipmentStatus.dispatched, ShipmentStatus.delivered)
                             and carrier != "Own fleet" else None),
            destination=f"{info.street}, {info.postcode} {info.city}", destination_country=info.country.code,
            planned_on=planned_on, dispatched_at=order.shipped_at, delivered_at=order.delivered_at,
            **_stamp(order.confirmed_at + timedelta(days=1)),
        )
        shipments.append(shipment)
    demo.add(*shipments)


REWORK_DESCRIPTIONS = {
    ReworkKind.rework: ("Re-edge two doors: chipped edge banding.", "Re-drill hinge holes on a tall unit.",
                        "Touch up scratches on worktop surface.",
                        "Adjust drawer fronts to the new handle spacing."),
    ReworkKind.remake: ("Remake door in the correct colour (sage, not grey).",
                        "Remake worktop: cut-out on the wrong side.", "Remake carcass damaged in transport.",
                        "Remake wall unit: wrong height ordered."),
}


def _rework(demo: Demo) -> None:
    """Fifteen rework and remake requests to production, in every status."""
    orders = [o for o in demo.orders if o.status in (OrderStatus.in_production, OrderStatus.shipped,
                                                      OrderStatus.delivered)]
    statuses = [ReworkStatus.open] * 4 + [ReworkStatus.in_progress] * 4 + [ReworkStatus.done] * 5 \
        + [ReworkStatus.cancelled] * 2
    requests = []
    for status, order in zip(statuses, demo.rng.sample(orders, len(statuses))):
        kind = demo.pick((ReworkKind.rework, ReworkKind.remake), [60, 40])
        base = order.delivered_at.date() if order.delivered_at else order.ordered_on + timedelta(days=3)
        if status in (ReworkStatus.open, ReworkStatus.in_progress):
            day = max(base, demo.day(-12))
        else:
            day = base + timedelta(days=demo.r(0, 5))
        created = demo.at(min(day, demo.day(-1)))
        done = created + timedelta(days=demo.r(2, 8)) if status == ReworkStatus.done else None
        if done and done >= datetime.combine(demo.today, time()):
            done = created + timedelta(hours=6)
        requests.append(ReworkRequest(
            order=order, division=demo.pick([l.product.division for l in demo.order_lines[order]]),
            kind=kind, status=status, description=demo.pick(REWORK_DESCRIPTIONS[kind]),
            requested_by=order.owner, due_on=created.date() + timedelta(days=demo.r(5, 14)),
            done_at=done, **_stamp(created)))
    demo.add(*requests)


# --- Finance -------------------------------------------------------------------------------------

def _invoices(demo: Demo) -> None:
    """Invoices for shipped orders: paid (by transfer or card), issued, overdue, draft and void."""
    invoices, payments = [], []
    for order in demo.orders:
        if order.shipped_at is None:
            continue
        account = order.account
        shipped = order.shipped_at.date()
        issued = shipped
        due = issued + timedelta(days=account.payment_terms_days)
        invoice = Invoice(account=account, order=order, amount=order.total, currency="EUR",
                          issued_on=issued, due_on=due, **_stamp(order.shipped_at + timedelta(hours=2)))
        if order.status == OrderStatus.shipped and demo.rng.random() < 0.4:
            invoice.status, invoice.issued_on, invoice.due_on = InvoiceStatus.draft, None, None
        elif order.status == OrderStatus.archived or (due < demo.today and demo.rng.random() < 0.7):
            invoice.status = InvoiceStatus.paid
        elif due < demo.today:
            invoice.status = InvoiceStatus.overdue
        else:
            invoice.status = InvoiceStatus.issued if demo.rng.random() < 0.8 else InvoiceStatus.paid
        invoice.paid_amount = Decimal(0)
        parts = []  # (amount, received on)
        if invoice.status == InvoiceStatus.paid:
            last = max(min(due + timedelta(days=demo.r(-10, 12)), demo.day(-1)), issued)
            if demo.rng.random() < 0.2:  # paid in two instalments
                first = (order.total * Decimal("0.4")).quantize(CENT)
                earlier = max(issued, last - timedelta(days=demo.r(5, 20)))
                parts = [(first, earlier), (order.total - first, last)]
            else:
                parts = [(order.total, last)]
        elif invoice.status == InvoiceStatus.overdue and demo.rng.random() < 0.3:
            parts = [((order.total * Decimal("0.5")).quantize(CENT),
                      issued + timedelta(days=demo.r(0, max(0, (demo.today - issued).days - 1))))]
        for amount, received in parts:
            method = account.payment_method
            payments.append(Payment(
                invoice=invoice, received_on=received, amount=amount, method=method,
                reference=(f"Card ****{demo.r(1000, 9999)}" if method == PaymentMethod.card
                           else f"Transfer {demo.r(10**7, 10**8 - 1)}"),
                **_stamp(demo.at(received))))
            invoice.paid_amount += amount
        invoices.append(invoice)
    paid = [i for i in invoices if i.status == InvoiceStatus.paid]
    for replaced in demo.rng.sample(paid, 2):  # issued with a mistake, voided, then reissued
        invoices.append(Invoice(account=replaced.account, order=replaced.order, amount=replaced.amount,
                                currency="EUR", status=InvoiceStatus.void, issued_on=replaced.issued_on,
                                due_on=replaced.due_on, **_stamp(replaced.created_at - timedelta(hours=1))))
    _number(invoices, "INV", lambda i: i.created_at)
    demo.add(*invoices)
    if not any(p.method == PaymentMethod.card for p in payments):  # every method appears
        for p in [p for p in payments if p.invoice.account.kind == AccountKind.customer][-2:]:
            p.method, p.reference = PaymentMethod.card, f"Card ****{demo.r(1000, 9999)}"
    demo.add(*payments)


# --- Service -------------------------------------------------------------------------------------

REQUEST_SUBJECTS = {
    RequestKind.inquiry: ("Question about lead times for {pref}", "Do you ship to building sites?",
                          "Availability of {product}"),
    RequestKind.order_request: ("Please enter order for {product}", "Repeat order of {order}",
                                "Add two items to {order}"),
    RequestKind.quote_request: ("Quote needed: kitchen for a new apartment", "Quote for {product} x 20",
                                "RFP: hotel refurbishment, 40 kitchenettes"),
    RequestKind.literature: ("Send the new catalogue", "Need installation manuals for {product}",
                             "Samples of door colours"),
    RequestKind.price_enquiry: ("Price for {product}", "Dealer prices for next year",
                                "Volume discount for {product}?"),
    RequestKind.sales_visit: ("Please visit our showroom", "Request for a sales visit: new display",
                              "Meeting about next season's range"),
}
COMPLAINTS = [  # subject, root cause, resolution
    ("Damaged delivery on {order}", "Transport damage: insufficient edge protection on the pallet.",
     "Replacement parts shipped with the next truck."),
    ("Wrong colour doors on {order}", "Production: wrong colour code on the work order.",
     "Remake ordered from production; old doors collected."),
    ("Missing hinges in {order}", "Packing: hardware bag left out at dispatch.",
     "Hinges sent by courier the next day."),
    ("Late delivery of {order}", "Carrier missed the delivery slot.", "Credit note for the delay issued."),
    ("Worktop cut-out on the wrong side ({order})", "Customer's drawing was mirrored; not our error.",
     "New worktop made at a shared cost."),
    ("Laminate peeling on worktop ({order})", "Supplier defect in a laminate batch.",
     "Worktop replaced; supplier claim filed."),
]
RESOLUTIONS = {
    RequestKind.inquiry: "Answered by phone.",
    RequestKind.order_request: "Order entered and confirmed.",
    RequestKind.quote_request: "Quote prepared and sent.",
    RequestKind.literature: "Catalogue and manuals sent.",
    RequestKind.price_enquiry: "Price list sent.",
    RequestKind.sales_visit: "Visit scheduled and held.",
}
ACK_DAYS = {Priority.urgent: 1, Priority.high: 2, Priority.normal: 5, Priority.low: 10}


def _requests(demo: Demo) -> None:
    """120 customer and dealer requests of every kind; some still new, some past the 24-hour SLA, a few
    resolved earlier today."""
    kinds = ([RequestKind.inquiry] * 20 + [RequestKind.order_request] * 15 + [RequestKind.quote_request] * 20
             + [RequestKind.literature] * 10 + [RequestKind.price_enquiry] * 15
             + [RequestKind.sales_visit] * 10 + [RequestKind.complaint] * 30)
    statuses = (["breached"] * 10 + ["fresh"] * 8 + [RequestStatus.acknowledged] * 28
                + [RequestStatus.escalated] * 12 + [RequestStatus.resolved] * 59 + ["resolved_today"] * 3)
    demo.rng.shuffle(kinds)
    demo.rng.shuffle(statuses)
    me = demo.users[COORDINATOR]
    featured = {statuses.index("breached"), statuses.index("fresh")}  # coordinator@ sees both on the desk
    senders = [a for a in demo.accounts if a.status != AccountStatus.inactive]
    ordered_by = defaultdict(list)
    for order in demo.orders:
        ordered_by[order.account].append(order)
    rows = []
    delivered = sorted((o for o in demo.orders if o.delivered_at), key=lambda o: o.delivered_at)
    for n, (kind, state) in enumerate(zip(kinds, statuses)):
        complaint = demo.pick(COMPLAINTS) if kind == RequestKind.complaint else None
        if state == "breached":
            received = demo.now - timedelta(hours=demo.r(25, 96), minutes=demo.r(0, 59))
        elif state == "fresh":
            received = demo.now - timedelta(hours=demo.r(1, 20), minutes=demo.r(0, 59))
        elif state == RequestStatus.resolved:
            received = demo.at(demo.past_day(12, 140 if complaint else 175))
        elif state == "resolved_today":
            received = demo.at(demo.past_day(1, 4))
        else:
            received = demo.at(demo.past_day(2, 30 if state == RequestStatus.acknowledged else 40))
        candidates = [a for a in senders if a.owner is me] if n in featured else senders
        order = None
        if complaint:  # about an order delivered in the weeks before
            recent = [o for o in delivered if o.delivered_at < received and o.account in candidates]
            order = demo.pick(recent[-12:]) if recent else None
        account = order.account if order else demo.pick(candidates)
        earlier = [o for o in ordered_by[account] if o.ordered_on < received.date()]
        if order is None and earlier:
            order = demo.pick(earlier)
        priority = demo.pick(list(ACK_DAYS), [10, 25, 50, 15] if complaint else [3, 15, 60, 22])
        status = {"breached": RequestStatus.new, "fresh": RequestStatus.new,
                  "resolved_today": RequestStatus.resolved}.get(state, state)
        template = complaint[0] if complaint else demo.pick(REQUEST_SUBJECTS[kind])
        subject = template.format(pref=demo.pick(PREFERENCES), product=demo.pick(demo.products).name,
                                  order=order.number if order else "our last order")
        request = CustomerRequest(
            subject=subject, kind=kind, priority=priority, status=status, account=account,
            contact=demo.pick(demo.contacts[account]), owner=account.owner,
            description=f"{subject}. Received from {account.name}.", received_at=received,
            due_at=received + timedelta(days=ACK_DAYS[priority] + (3 if complaint else 0)),
            **_stamp(received))
        if status != RequestStatus.new:
            request.acknowledged_at = received + timedelta(hours=demo.r(1, 30), minutes=demo.r(0, 59))
        if status == RequestStatus.escalated:
            request.escalated_to = account.owner.team.supervisor  # as rules.service escalates
        if status == RequestStatus.escalated and complaint and demo.rng.random() < 0.5:
            request.root_cause = complaint[1]  # found, but the remedy needs a decision
        if status == RequestStatus.resolved:
            request.resolved_at = request.acknowledged_at + timedelta(hours=demo.r(2, 240))
            request.resolution = complaint[2] if complaint else RESOLUTIONS[kind]
            if complaint:
                request.root_cause = complaint[1]
                request.satisfaction_score = demo.pick((1, 2, 3, 4, 5), [1, 2, 3, 4, 3])
            elif demo.rng.random() < 0.75 or state == "resolved_today":
                request.satisfaction_score = demo.pick((3, 4, 5), [1, 3, 4])
        if state == "resolved_today":
            request.resolved_at = demo.earlier_today()
            request.acknowledged_at = min(request.acknowledged_at, request.resolved_at)
        rows.append(request)
    rows.sort(key=lambda r: r.received_at)
    demo.add(*rows)


# --- Targets and pay -----------------------------------------------------------------------------

def _months(today: date, count: int) -> list[tuple[date, date]]:
    """The first and last day of the last `count` months, the current one included, oldest first."""
    periods = []
    year, month = today.year, today.month
    for _ in range(count):
        last = calendar.monthrange(year, month)[1]
        periods.append((date(year, month, 1), date(year, month, last)))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return periods[::-1]


def _actuals(demo: Demo, start: date, end: date) -> dict[tuple[User, Metric], Decimal]:
    """What each coordinator achieved in a period, counted as `rules.targets` rolls it up."""
    got: dict[tuple[User, Metric], Decimal] = defaultdict(Decimal)
    for order in demo.orders:
        if start <= order.ordered_on <= end and order.status != OrderStatus.cancelled:
            got[order.owner, Metric.revenue] += order.total
            got[order.owner, Metric.orders] += 1
    for lead in demo.leads:
        if lead.owner and start <= lead.created_at.date() <= end:
            got[lead.owner, Metric.new_leads] += 1
    for act in demo.activities:
        if act.done_at and start <= act.done_at.date() <= end:
            if act.is_prospecting and act.kind == ActivityKind.call:
                got[act.owner, Metric.prospecting_calls] += 1
            if act.account is not None:
                got[act.owner, Metric.customer_contacts] += 1
    for quote in demo.quotes:
        if quote.sent_at and start <= quote.sent_at.date() <= end and quote.sent_at.date() <= quote.due_on:
            got[quote.owner, Metric.quotes_on_time] += 1
    return got


def _targets(demo: Demo) -> None:
    """Monthly targets for six months per coordinator, per team and company-wide; past months rolled up."""
    periods = _months(demo.today, 6)
    actuals = {p: _actuals(demo, *p) for p in periods}
    coordinators = [u for team in demo.coordinators.values() for u in team]
    user_metrics = list(Metric)
    team_metrics = (Metric.revenue, Metric.orders, Metric.new_leads)
    rows = []
    for user in coordinators:
        for metric in user_metrics:
            values = [actuals[p].get((user, metric), Decimal(0)) for p in periods[:-1]]
            rows += _target_series(demo, periods, actuals, metric, values, user=user)
    for name, team in demo.teams.items():
        members = demo.coordinators[name]
        for metric in team_metrics:
            team_actuals = {p: {(None, metric): sum((actuals[p].get((u, metric), Decimal(0)) for u in members),
                                                    Decimal(0))} for p in periods}
            values = [team_actuals[p][None, metric] for p in periods[:-1]]
            rows += _target_series(demo, periods, team_actuals, metric, values, team=team)
    company = {p: {(None, Metric.revenue): sum((v for (u, m), v in actuals[p].items() if m == Metric.revenue),
                                               Decimal(0))} for p in periods}
    rows += _target_series(demo, periods, company, Metric.revenue,
                           [company[p][None, Metric.revenue] for p in periods[:-1]])
    demo.add(*rows)


def _target_series(demo: Demo, periods, actuals, metric: Metric, history: list[Decimal],
                   user: User | None = None, team: Team | None = None) -> list[Target]:
    """One target per month around the typical monthly result; actuals for the months rolled up by now."""
    typical = sum(history, Decimal(0)) / max(len(history), 1)
    rows = []
    for start, end in periods:
        if metric == Metric.revenue:
            goal = Decimal(max(5, round(float(typical) * demo.rng.uniform(0.9, 1.2) / 1000)) * 1000)
        else:
            goal = Decimal(max(2, round(float(typical) * demo.rng.uniform(0.9, 1.25))))
        rolled = _rolled_up_at(demo, end)
        actual = actuals[(start, end)].get((user, metric), Decimal(0)).quantize(CENT) if rolled else None
        target = Target(user=user, team=team, metric=metric, period_start=start, period_end=end,
                        target_value=goal, actual_value=actual, rolled_up_at=rolled,
                        **_stamp(datetime.combine(start - timedelta(days=5), time(9, 0))))
        if rolled:
            target.updated_at = rolled
        demo.targets[user, team, metric, start] = target
        rows.append(target)
    return rows


def _rolled_up_at(demo: Demo, end: date) -> datetime | None:
    """When the nightly roll-up after a month's last day filled its targets' actuals; None if not yet."""
    at = datetime.combine(end + timedelta(days=1), time(2, 0))
    return at if at <= demo.now else None


def _commissions(demo: Demo) -> None:
    """Commission plans (one from last year) and statements: drafts for the last month rolled up, older
    ones settled."""
    year = demo.today.year
    standard = CommissionPlan(name=f"Coordinator revenue bonus {year}", metric=Metric.revenue,
                              rate_pct=Decimal("1.00"), threshold_pct=Decimal(90), cap=Decimal(1500),
                              valid_from=date(year, 1, 1), valid_to=date(year, 12, 31))
    export = CommissionPlan(name=f"Export desk bonus {year}", metric=Metric.revenue,
                            rate_pct=Decimal("1.50"), threshold_pct=Decimal(85), cap=Decimal(2500),
                            valid_from=date(year, 1, 1), valid_to=date(year, 12, 31))
    old = CommissionPlan(name=f"Coordinator revenue bonus {year - 1}", metric=Metric.revenue,
                         rate_pct=Decimal("0.80"), threshold_pct=Decimal(95), cap=Decimal(1200),
                         valid_from=date(year - 1, 1, 1), valid_to=date(year - 1, 12, 31), active=False)
    demo.add(standard, export, old)
    periods = [(start, end) for start, end in _months(demo.today, 6) if _rolled_up_at(demo, end)][-3:]
    manager = demo.users[MANAGER]
    rows = []
    for (start, end), status in zip(periods, (StatementStatus.paid, StatementStatus.approved,
                                              StatementStatus.draft)):
        for team, users in demo.coordinators.items():
            plan = export if team == "Export" else standard
            if start.year != year:
                plan = old
            for user in users:
                target = demo.targets[user, None, Metric.revenue, start]
                attainment = target.actual_value * HUNDRED / target.target_value
                amount = Decimal(0)
                if attainment >= plan.threshold_pct:
                    amount = min(target.actual_value * plan.rate_pct / HUNDRED, plan.cap).quantize(CENT)
                attainment = attainment.quantize(CENT)
                settled = status != StatementStatus.draft
                made = demo.by_now(datetime.combine(end + timedelta(days=3), time(10, 0)))
                rows.append(CommissionStatement(
                    user=user, plan=plan, period_start=start, period_end=end, attainment_pct=attainment,
                    amount=amount, status=status, approved_by=manager if settled else None,
                    approved_at=made + timedelta(days=4) if settled else None, **_stamp(made)))
    demo.add(*rows)


# --- Staff ---------------------------------------------------------------------------------------

def _absences(demo: Demo) -> None:
    """Vacation, sick leave and training in every decision state, with backups; one covers today."""
    Kind, Decision = AbsenceKind, DecisionStatus
    plans = [  # who, kind, status, starts (days from today), days, backup
        ("jakub.szymanski", Kind.vacation, Decision.approved, -3, 8, "coordinator"),
        ("coordinator", Kind.vacation, Decision.requested, 24, 5, "magdalena.kaminska"),
        ("magdalena.kaminska", Kind.sick, Decision.approved, -40, 3, "coordinator"),
        ("coordinator2", Kind.training, Decision.approved, 9, 2, "joanna.mazur"),
        ("joanna.mazur", Kind.vacation, Decision.rejected, 30, 10, "michal.wozniak"),
        ("michal.wozniak", Kind.sick, Decision.requested, -1, 2, "coordinator2"),
        ("sophie.martin", Kind.vacation, Decision.approved, -75, 10, "oliver.bennett"),
        ("oliver.bennett", Kind.training, Decision.requested, 16, 3, "hannah.schmidt"),
        ("hannah.schmidt", Kind.training, Decision.rejected, 5, 2, "karolina.jankowska"),
        ("karolina.jankowska", Kind.sick, Decision.rejected, -20, 1, None),
        ("supervisor", Kind.vacation, Decision.approved, 35, 5, "ewa.dabrowska"),
        ("ewa.dabrowska", Kind.training, Decision.approved, -55, 2, "supervisor"),
        ("james.carter", Kind.vacation, Decision.requested, 45, 10, "sophie.martin"),
    ]
    notes = {AbsenceKind.vacation: "Annual leave.", AbsenceKind.sick: "Sick note (L4) sent to HR.",
             AbsenceKind.training: "External course."}
    for who, kind, status, start, days, backup in plans:
        user = demo.who(who)
        starts = demo.day(start)
        notice = 1 if kind == AbsenceKind.sick else demo.r(3, 20)
        requested = demo.at(min(starts, demo.today) - timedelta(days=notice))
        decided = status != DecisionStatus.requested
        absence = Absence(
            user=user, kind=kind, starts_on=starts, ends_on=starts + timedelta(days=days - 1),
            backup_user=demo.who(backup) if backup else None, status=status, note=notes[kind],
            decided_by=user.reports_to if decided else None,
            decided_at=requested + timedelta(hours=demo.r(2, 30)) if decided else None,
            decision_reason=("Two colleagues are already off that week." if status == DecisionStatus.rejected
                             else None), **_stamp(requested))
        if absence.decided_at and absence.decided_at >= datetime.combine(demo.today, time()):
            absence.decided_at = requested + timedelta(hours=1)
        demo.absences.append(absence)
    demo.add(*demo.absences)


ASSIGNMENTS = {"North": ("Phones", "Order entry", "Quote desk"),
               "South": ("Phones", "Order entry", "Quote desk"),
               "Export": ("Export desk", "Phones", "Order entry")}
ROTATIONS = {"Week A": (time(6, 0), time(14, 0)), "Week B": (time(8, 0), time(16, 0))}


def _shifts(demo: Demo) -> None:
    """Weekday shifts for the two weeks before and after today, rotating early (A) and late (B) weeks."""
    away = {(a.user, a.starts_on + timedelta(days=i)) for a in demo.absences
            if a.status == DecisionStatus.approved for i in range((a.ends_on - a.starts_on).days + 1)}
    rows = []
    for offset in range(-14, 15):
        day = demo.day(offset)
        if day.weekday() >= 5:
            continue
        for team, members in demo.members.items():
            for i, user in enumerate(members):
                if (user, day) in away:
                    continue
                rotation = "Week A" if (day.isocalendar()[1] + i) % 2 == 0 else "Week B"
                starts, ends = ROTATIONS[rotation]
                if user.role == Role.supervisor:
                    assignment = "Team lead / escalations"
                else:
                    assignment = ASSIGNMENTS[team][(day.toordinal() + i) % len(ASSIGNMENTS[team])]
                rows.append(Shift(user=user, rotation=rotation, assignment=assignment,
                                  starts_at=datetime.combine(day, starts), ends_at=datetime.combine(day, ends),
                                  break_minutes=45 if day.weekday() == 0 else 30,
                                  **_stamp(datetime.combine(demo.day(-21), time(9, 0)))))
    demo.add(*rows)


OVERTIME_REASONS = ("Month-end order entry backlog.", "Export shipment bookings for the Friday departure.",
                    "Trade fair stand.", "Covering phones for a sick colleague.",
                    "Price list update in the system.")


def _overtime(demo: Demo) -> None:
    """Overtime requests: approved, rejected, and recent ones still waiting."""
    coordinators = [u for team in demo.coordinators.values() for u in team]
    rows = []
    for i in range(14):
        user = demo.pick(coordinators)
        worked = demo.past_day(1, 60) if i >= 4 else demo.past_day(1, 6)
        status = (DecisionStatus.requested if i < 4 else
                  DecisionStatus.rejected if i % 5 == 0 else DecisionStatus.approved)
        asked = demo.at(worked, 15, 17)
        decided = status != DecisionStatus.requested
        rows.append(Overtime(
            user=user, worked_on=worked, hours=Decimal(demo.pick(("1.5", "2", "2.5", "3", "4"))),
            reason=demo.pick(OVERTIME_REASONS), status=status,
            decided_by=user.reports_to if decided else None,
            decided_at=asked + timedelta(hours=demo.r(16, 40)) if decided else None,
            decision_reason="Not agreed in advance." if status == DecisionStatus.rejected else None,
            **_stamp(asked)))
        if decided and rows[-1].decided_at >= datetime.combine(demo.today, time()):
            rows[-1].decided_at = asked + timedelta(hours=1)
    demo.add(*rows)


COURSES = [  # course, provider, hours, valid for (years) or None
    ("Product training: worktop materials", "In-house academy", 6, None),
    ("Incoterms 2020 for export sales", "Chamber of Commerce", 8, None),
    ("Complaint handling and de-escalation", "SalesSkills Institute", 12, None),
    ("GDPR for sales staff", "In-house academy", 2, 2),
    ("Negotiation skills", "SalesSkills Institute", 16, None),
    ("First aid at work", "Red Cross training centre", 8, 3),
    ("ERP order entry, advanced", "In-house academy", 4, None),
]


def _training(demo: Demo) -> None:
    """Completed (and a few booked) training courses for every user."""
    rows = []
    for user in demo.users.values():
        for course, provider, hours, valid_years in demo.rng.sample(COURSES, demo.r(1, 3)):
            booked = demo.rng.random() < 0.12
            completed = None if booked else demo.past_day(20, 700)
            expires = completed + timedelta(days=365 * valid_years) if completed and valid_years else None
            rows.append(TrainingRecord(
                user=user, course=course, provider=provider, completed_on=completed,
                valid_until=expires,
                hours=Decimal(hours), **_stamp(demo.at(completed or demo.past_day(1, 20)))))
    demo.add(*rows)


STRENGTHS = ("Fast, accurate order entry.", "Customers praise the follow-up.", "Strong product knowledge.",
             "Calm with difficult complaints.", "Good at coaching new colleagues.")
IMPROVEMENTS = ("Quote turnaround within the due date.", "More prospecting calls each week.",
                "Keep the diary up to date.", "Escalate sooner when a delivery slips.")
GOALS = ("Reach 100% of the revenue target.", "Onboard three new dealers.",
         "Cut quote turnaround to two days.", "Complete the negotiation course.")


def _appraisals(demo: Demo) -> None:
    """Last year's annual appraisal for everyone with someone to report to."""
    year = demo.today.year - 1
    rows = []
    for user in demo.users.values():
        if user.reports_to is None:
            continue
        held = date(year, 12, demo.r(1, 18))
        rows.append(Appraisal(
            user=user, reviewer=user.reports_to, year=year,
            rating=demo.pick((1, 2, 3, 4, 5), [1, 2, 5, 6, 3]), strengths=demo.pick(STRENGTHS),
            improvements=demo.pick(IMPROVEMENTS), goals=demo.pick(GOALS), held_on=held,
            **_stamp(datetime.combine(held, time(11, 0)))))
    demo.add(*rows)


# --- Marketing and control -----------------------------------------------------------------------

MARKET_NOTES = [
    (MarketNoteKind.competition, "Competitor cut prices on laminate worktops",
     "Two dealers report a 12% cut on laminate worktops by a competitor; expect pressure on quotes."),
    (MarketNoteKind.competition, "New competitor showroom opened",
     "A German brand opened a showroom nearby; offers a 3-week lead time on handleless fronts."),
    (MarketNoteKind.competition, "Competitor's lead times slipping",
     "Dealers say a competitor's lead time is now 8 weeks; a chance for our rush service."),
    (MarketNoteKind.product_acceptance, "Sage shaker doors selling well",
     "The Vienna sage colour is the most requested sample this quarter."),
    (MarketNoteKind.product_acceptance, "Quartz worktops: feedback on edge finish",
     "Installers ask for a pencil-round edge option on quartz."),
    (MarketNoteKind.product_acceptance, "LED kit returns",
     "Several customers found the LED kit's driver too bulky for wall units."),
    (MarketNoteKind.trend, "Handleless kitchens keep growing",
     "Handleless profiles are in over half of the designs we quote for apartments."),
    (MarketNoteKind.trend, "Developers buy earlier",
     "Housing developers ask for quotes 9–12 months before handover."),
    (MarketNoteKind.trend, "Interest in compact HPL",
     "Architects ask for thin compact worktops for small kitchens."),
    (MarketNoteKind.trend, "Dealers want smaller display sets",
     "Showrooms are shrinking; dealers ask for half-size display kitchens."),
]


def _market_notes(demo: Demo) -> None:
    """Notes on competition, product acceptance and trends, by region."""
    rows = []
    for kind, title, body in MARKET_NOTES:
        team = demo.pick(list(demo.teams.values()))
        author = demo.pick(demo.members[team.name])
        local = [a for a in demo.accounts if demo.info[a].team is team]
        account = demo.pick(local) if demo.rng.random() < 0.4 else None
        product = demo.pick(demo.products) if kind == MarketNoteKind.product_acceptance else None
        noted = demo.past_day(1, 170)
        rows.append(MarketNote(kind=kind, title=title, body=body, region=team.region, noted_on=noted,
                               author=author, account=account, product=product, **_stamp(demo.at(noted))))
    demo.add(*rows)


def _saved_views(demo: Demo) -> None:
    """The roles' default views of their busiest lists, a shared view, and a personal one."""
    u = demo.users
    supervisor = u["supervisor@example.com"]
    demo.add(
        SavedView(name="My open leads", endpoint="lead", owner=u[MANAGER], shared_with_role=Role.coordinator,
                  query_string="flt0_owner_is=me&flt1_status_in_list=assigned,contacted,qualified",
                  is_default=True),
        SavedView(name="Ready to ship", endpoint="sales_order", query_string="flt0_status_equals=ready_to_ship",
                  owner=u[MANAGER], shared_with_role=Role.coordinator, is_default=True),
        SavedView(name="Overdue invoices", endpoint="invoice", query_string="flt0_status_equals=overdue",
                  owner=u[MANAGER], shared_with_role=Role.manager, is_default=True),
        SavedView(name="Overdue invoices", endpoint="invoice", query_string="flt0_status_equals=overdue",
                  owner=supervisor, shared_with_role=Role.supervisor, is_default=True),
        SavedView(name="Rush orders", endpoint="sales_order", query_string="flt0_rush_equals=1",
                  owner=supervisor, shared_with_role=Role.coordinator),
        SavedView(name="Breached requests", endpoint="customer_request", query_string="flt0_sla_is=breached",
                  owner=u[COORDINATOR]),
    )


# --- Entry point ---------------------------------------------------------------------------------

def seed_demo(session: Session, password: str, today: date | None = None) -> dict[str, int]:
    """Add the demo data and commit; return {table: rows created}, empty if it is already there."""
    emails = [spec.email for spec in DEMO_USERS]
    if session.scalar(select(User.id).where(User.email.in_(emails)).limit(1)) is not None:
        return {}
    today = today or utcnow().date()
    clock = utcnow()
    now = clock.replace(minute=0, second=0, microsecond=0) if clock.date() == today \
        else datetime.combine(today, time(12, 0))
    demo = Demo(session=session, rng=random.Random(SEED), today=today, now=now, password=password,
                policy_roles=set(session.scalars(select(ApprovalPolicy.role))))
    try:
        with session.no_autoflush:
            _users(demo)
            _policies(demo)
            _products(demo)
            _campaigns(demo)
            _accounts(demo)
            _leads(demo)
            _activities(demo)
            plans = _order_plans(demo)
            _quotes(demo, plans)
            _orders(demo, plans)
            _shipments(demo)
            _rework(demo)
            _invoices(demo)
            _requests(demo)
            _targets(demo)
            _commissions(demo)
            _absences(demo)
            _shifts(demo)
            _overtime(demo)
            _training(demo)
            _appraisals(demo)
            _market_notes(demo)
            _saved_views(demo)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return dict(sorted(demo.counts.items()))
