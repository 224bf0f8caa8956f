"""Fictional customers: names, example.com emails, cities, join dates and a shipping address."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from assistant.demo.rng import Rng

_FIRST = (
    "Ava", "Liam", "Maya", "Noah", "Zoe", "Ethan", "Chloe", "Lucas", "Nora", "Mateo", "Isla",
    "Owen", "Priya", "Caleb", "Hana", "Diego", "Ruby", "Samir", "Leah", "Jonah", "Grace",
    "Felix", "Amara", "Theo", "Ines", "Marcus", "Elena", "Kofi", "Sofia", "Ravi", "Clara",
    "Miles", "Yara", "Hugo", "Naomi", "Tariq", "Julia", "Emmett", "Lena", "Andre", "Mila",
    "Rowan", "Daria", "Jasper", "Keiko", "Omar", "Tessa", "Wyatt", "Alina", "Bennett",
    "Carmen", "Declan", "Esme", "Gideon", "Imani", "Joaquin", "Lucia", "Nikolai", "Olive",
    "Pablo", "Quinn", "Rosa", "Silas", "Talia", "Uma", "Victor", "Willa", "Xavier", "Yusuf",
)  # fmt: skip
_LAST = (
    "Abernathy", "Bianchi", "Castellano", "Dalton", "Eriksen", "Fairbanks", "Galloway",
    "Hargrove", "Ibarra", "Jennings", "Kowalski", "Lindqvist", "Marchetti", "Nakamura",
    "Okafor", "Pemberton", "Quintero", "Ramsey", "Sorensen", "Thornton", "Underhill",
    "Valdez", "Whitfield", "Yamada", "Zielinski", "Ashford", "Brennan", "Calloway",
    "Delacroix", "Ellison", "Fontaine", "Greer", "Holloway", "Iwasaki", "Jovanovic",
    "Keller", "Lacroix", "Mbeki", "Novak", "Oyelaran", "Prescott", "Rahman", "Sandoval",
    "Takahashi", "Vance", "Wexley", "Albright", "Beaumont", "Cortez", "Donnelly", "Esposito",
    "Finch", "Gupta", "Hollis", "Lindgren", "Moreau", "Nguyen", "Ortega", "Patel", "Reyes",
)  # fmt: skip
_CITIES = (
    ("Portland, OR", "972"), ("Seattle, WA", "981"), ("Denver, CO", "802"),
    ("Austin, TX", "787"), ("Minneapolis, MN", "554"), ("Chicago, IL", "606"),
    ("Boston, MA", "021"), ("Philadelphia, PA", "191"), ("Atlanta, GA", "303"),
    ("Raleigh, NC", "276"), ("Nashville, TN", "372"), ("Salt Lake City, UT", "841"),
    ("Phoenix, AZ", "850"), ("San Diego, CA", "921"), ("Sacramento, CA", "958"),
    ("Madison, WI", "537"), ("Columbus, OH", "432"), ("Pittsburgh, PA", "152"),
    ("Burlington, VT", "054"), ("Boise, ID", "837"), ("Albuquerque, NM", "871"),
    ("Richmond, VA", "232"), ("Asheville, NC", "288"), ("Ann Arbor, MI", "481"),
)  # fmt: skip
_STREETS = (
    "Maple", "Cedar", "Willow", "Juniper", "Harbor", "Orchard", "Lakeview", "Hillcrest",
    "Birch", "Sycamore", "Chestnut", "Riverside", "Meadow", "Aspen", "Linden", "Magnolia",
    "Prospect", "Summit", "Elm", "Foxglove",
)  # fmt: skip
_STREET_TYPES = ("St", "Ave", "Rd", "Ln", "Dr", "Ct", "Way", "Pl")


@dataclass(frozen=True)
class Customer:
    """One demo customer; ``line1`` and ``postcode`` complete the shipping address."""

    user_id: str
    name: str
    email: str
    city: str
    joined: dt.date
    line1: str
    postcode: str

    def row(self) -> dict[str, str]:
        """The ``customers.csv`` row."""
        return {
            "user_id": self.user_id,
            "name": self.name,
            "email": self.email,
            "city": self.city,
            "joined": self.joined.isoformat(),
        }

    def address(self) -> dict[str, str]:
        """The shipping address used on this customer's orders."""
        return {
            "name": self.name,
            "line1": self.line1,
            "city": self.city,
            "postcode": self.postcode,
            "country": "US",
        }


CUSTOMER_COLUMNS = ("user_id", "name", "email", "city", "joined")


def build_customers(rng: Rng, count: int, window_start: dt.date, end: dt.date) -> list[Customer]:
    """``count`` customers with distinct names; three in four joined before ``window_start``."""
    names: set[str] = set()
    emails: set[str] = set()
    customers: list[Customer] = []
    while len(customers) < count:
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        name = f"{first} {last}"
        if name in names:
            continue
        names.add(name)
        if rng.chance(0.75):
            joined = dt.date(2022, 1, 1) + dt.timedelta(days=rng.randint(0, 1399))
            joined = min(joined, window_start - dt.timedelta(days=1))
        else:
            span = (end - window_start).days - 14
            joined = window_start + dt.timedelta(days=rng.randint(0, span))
        email = _email(first, last, rng)
        if email in emails:  # "f.last" can repeat; "first.last" cannot, as names are unique
            email = f"{first}.{last}@example.com".lower()
        emails.add(email)
        city, zip3 = rng.choice(_CITIES)
        line1 = f"{rng.randint(12, 9890)} {rng.choice(_STREETS)} {rng.choice(_STREET_TYPES)}"
        if rng.chance(0.2):
            line1 += f", Apt {rng.randint(1, 40)}"
        customers.append(
            Customer(
                user_id=f"u{len(customers) + 1:04d}",
                name=name,
                email=email,
                city=city,
                joined=joined,
                line1=line1,
                postcode=f"{zip3}{rng.randint(1, 99):02d}",
            )
        )
    return customers


def _email(first: str, last: str, rng: Rng) -> str:
    first, last = first.lower(), last.lower()
    local = rng.choice(
        (f"{first}.{last}", f"{first[0]}{last}", f"{first}{last}{rng.randint(1, 99)}")
    )
    return f"{local}@example.com"
