"""The fixed vocabulary the synthetic batch draws from: product kinds, HTS numbers, suppliers,
ports and the words customer names are made of. Data only; the seeded draws live elsewhere."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ProductKind:
    """One kind of imported product: how it is classified, weighs, is priced and ordered."""

    category: str
    noun: str
    hts_code: str
    share: int  # relative frequency among the materials
    net_kg: tuple[float, float]
    steel_pct: tuple[int, int]  # steel share of net weight, drawn when the kind has steel
    aluminum_pct: tuple[int, int]
    metal_odds: float  # probability that a material of this kind contains any metal
    usd_price: tuple[int, int]
    quantity: tuple[int, int]


PRODUCT_KINDS = (
    ProductKind("ADJUSTABLE_BASE", "adjustable base", "9403200080", 14,
                (30, 75), (55, 75), (0, 0), 1.0, (180, 900), (10, 120)),
    ProductKind("BED_FRAME", "platform bed frame", "9403200050", 10,
                (18, 45), (40, 70), (0, 15), 1.0, (90, 400), (10, 150)),
    ProductKind("METAL_TABLE", "metal dining table", "9403200090", 5,
                (10, 40), (30, 60), (0, 40), 0.9, (80, 500), (5, 80)),
    ProductKind("OUTDOOR_SEATING", "outdoor lounge chair", "9401790011", 9,
                (3, 25), (0, 10), (60, 95), 1.0, (40, 350), (20, 300)),
    ProductKind("RECLINER", "power lift recliner", "9401614011", 9,
                (35, 60), (5, 25), (0, 0), 0.9, (250, 900), (5, 60)),
    ProductKind("SOFA", "upholstered sofa", "9401614031", 8,
                (40, 90), (2, 12), (0, 0), 0.6, (300, 1400), (4, 40)),
    ProductKind("OFFICE_CHAIR", "task chair", "9401310000", 7,
                (12, 25), (15, 40), (5, 20), 1.0, (60, 300), (20, 400)),
    ProductKind("MATTRESS", "memory foam mattress", "9404210010", 10,
                (20, 45), (0, 0), (0, 0), 0.0, (120, 700), (20, 300)),
    ProductKind("INNERSPRING", "innerspring mattress", "9404291005", 6,
                (25, 50), (18, 35), (0, 0), 1.0, (150, 800), (20, 250)),
    ProductKind("PILLOW", "pillow", "9404909505", 7,
                (0.6, 2.5), (0, 0), (0, 0), 0.0, (4, 40), (200, 3000)),
    ProductKind("CASEGOODS", "nightstand", "9403509045", 10,
                (10, 60), (1, 6), (0, 0), 0.4, (60, 600), (10, 200)),
    ProductKind("LAMP", "LED floor lamp", "9405110000", 5,
                (1, 8), (5, 30), (10, 45), 1.0, (15, 160), (50, 800)),
)  # fmt: skip

PACKAGING_KINDS = (
    ("PALLET", "wooden pallet", "4415208000", (15.0, 25.0)),
    ("CARTON", "master carton", "4819100040", (0.8, 4.0)),
    ("FILM", "stretch wrap film", "3920102000", (0.5, 2.0)),
)
PACKAGING_MATERIALS = 40
NOT_PACKAGING_IN_ZEMM006 = 5  # ZEMM006 also lists a few look-alikes flagged is_packaging false


@dataclass(frozen=True)
class HtsNumber:
    code: str
    description: str
    rates: tuple[tuple[date, str], ...]  # (valid_from, general_rate_pct); each runs to the next
    unit_of_quantity: str = "NO"


_SINCE_2022 = date(2022, 1, 1)
HTS_NUMBERS = (
    HtsNumber("9401310000", "Swivel seats with variable height adjustment",
              ((_SINCE_2022, "0"),)),
    HtsNumber("9401614011", "Seats with wooden frames, upholstered, household",
              ((_SINCE_2022, "0"),)),
    HtsNumber("9401614031", "Seats with wooden frames, upholstered, other",
              ((_SINCE_2022, "0"),)),
    HtsNumber("9401790011", "Other seats with metal frames, household (incl. outdoor)",
              ((_SINCE_2022, "0"),)),
    HtsNumber("9403200050", "Other metal furniture, household, other (incl. bed frames)",
              ((_SINCE_2022, "0"),)),
    HtsNumber("9403200080", "Other metal furniture, other (incl. adjustable bed bases)",
              ((_SINCE_2022, "0"),)),
    HtsNumber("9403200090", "Other metal furniture, other",
              ((_SINCE_2022, "0"),)),
    HtsNumber("9403509045", "Wooden furniture of a kind used in the bedroom, other",
              ((_SINCE_2022, "0"),)),
    HtsNumber("9404210010", "Mattresses of cellular rubber or plastics",
              ((_SINCE_2022, "3.0"), (date(2026, 7, 1), "3.5"))),
    HtsNumber("9404291005", "Mattresses of other materials, innerspring",
              ((_SINCE_2022, "3.0"),)),
    HtsNumber("9404909505", "Pillows, cushions and similar furnishings, other",
              ((_SINCE_2022, "6.0"),)),
    HtsNumber("9405110000", "Chandeliers and other ceiling or wall lighting, LED",
              ((_SINCE_2022, "3.9"),)),
    HtsNumber("4415208000", "Pallets, box pallets and other load boards, of wood",
              ((_SINCE_2022, "0"),)),
    HtsNumber("4819100040", "Cartons, boxes and cases, of corrugated paper",
              ((_SINCE_2022, "0"),), "KG"),
    HtsNumber("3920102000", "Plates, sheets and film of polymers of ethylene",
              ((_SINCE_2022, "4.2"),), "KG"),
)  # fmt: skip


# Tariff rules added to the sample's ZEMM007 (samples/batch): the countries and chapters the
# synthetic suppliers bring in beyond the sample's.
@dataclass(frozen=True)
class ExtraRule:
    """A ZEMM007 rule for any category and component, without fee bounds or conditions beyond
    the program that excludes it."""

    rule_id: str
    program: str
    chapter99_code: str
    hts_prefix: str
    country_of_origin: str
    rate_pct: str
    sequence: int
    valid_from: str
    valid_to: str | None
    excluded_by_program: str | None


EXTRA_TARIFF_RULES = (
    ExtraRule("R301-L3-9405", "301", "9903.88.03", "9405", "CN", "25", 10,
              "2018-09-24", None, None),
    ExtraRule("RIEEPA-REC-MY", "IEEPA-RECIPROCAL", "9903.02.43", "*", "MY", "19", 40,
              "2025-08-07", "2026-02-23", "232"),
    ExtraRule("RIEEPA-REC-IN", "IEEPA-RECIPROCAL", "9903.02.26", "*", "IN", "25", 40,
              "2025-08-07", "2026-02-23", "232"),
    ExtraRule("RIEEPA-REC-IT", "IEEPA-RECIPROCAL", "9903.02.20", "*", "IT", "15", 40,
              "2025-08-07", "2026-02-23", "232"),
)  # fmt: skip


@dataclass(frozen=True)
class Supplier:
    code: str
    name: str
    country: str
    currency: str  # the invoice currency when not USD
    foreign_currency_odds: float


SUPPLIERS = (
    Supplier("SFW", "Shanghai Furniture Works Co., Ltd.", "CN", "CNY", 0.25),
    Supplier("NSW", "Ningbo Sleepwell Home Textiles Co., Ltd.", "CN", "CNY", 0.2),
    Supplier("FOL", "Foshan Outdoor Leisure Co., Ltd.", "CN", "CNY", 0.2),
    Supplier("DGM", "Dongguan Metalcraft Furniture Ltd.", "CN", "CNY", 0.1),
    Supplier("XMB", "Xiamen Bright Lighting Co., Ltd.", "CN", "CNY", 0.3),
    Supplier("VBM", "Viet Bedding Manufacturing JSC", "VN", "USD", 0.0),
    Supplier("BDF", "Binh Duong Fine Furniture Co., Ltd.", "VN", "USD", 0.0),
    Supplier("MMN", "Muebles Modernos del Norte S.A. de C.V.", "MX", "USD", 0.0),
    Supplier("KLR", "Klang Rattan & Timber Sdn. Bhd.", "MY", "USD", 0.0),
    Supplier("JDH", "Jodhpur Heritage Crafts Pvt. Ltd.", "IN", "USD", 0.0),
    Supplier("BRZ", "Brianza Salotti S.r.l.", "IT", "EUR", 0.9),
)  # fmt: skip

# Where the goods of each country come from: its share of the materials.
ORIGIN_SHARES = {"CN": 45, "VN": 25, "MX": 10, "MY": 10, "IN": 5, "IT": 5}
FX_TO_USD = {"CNY": "0.1398", "EUR": "1.0842"}
PORTS = {
    "OCEAN": ("2704", "2709", "1001", "1703", "5301", "3002"),
    "AIR": ("2720", "4701", "3029"),
    "TRUCK": ("2304", "2506"),
    "RAIL": ("2304", "3801"),
}
INCOTERMS = ("FOB", "FOB", "FCA", "EXW", "DDP")

NAME_WORDS = (
    "Acme", "Pacific", "Coast", "Harbor", "Rocky", "Mountain", "Lone", "Star", "Bayou", "Great",
    "Lakes", "Desert", "Sun", "Oak", "Pine", "River", "Valley", "Royal", "Premier", "Comfort",
    "Dream", "Urban", "Modern", "Classic", "Golden", "Gate", "Blue", "Ridge", "Prairie", "Summit",
    "Evergreen", "Maple", "Cedar", "Willow", "Magnolia", "Heritage", "Liberty", "Pioneer",
    "Frontier", "Atlantic", "Gulf", "Northern", "Southern", "Western", "Eastern", "Capital",
    "Metro", "Coastal", "Sierra", "Cascade", "Redwood", "Sequoia", "Canyon", "Mesa", "Plains",
    "Bluebonnet", "Peach", "Tree", "Palmetto", "Keystone", "Empire", "Granite", "Sterling",
    "Hudson", "Charles", "Potomac", "Ozark", "Appalachian", "Cumberland", "Badger", "Buckeye",
    "Hoosier", "Tar", "Heel", "Sunshine", "Aloha", "Lakeshore", "Riverside", "Hillside",
    "Brookfield", "Fairview", "Greenwood", "Highland", "Kingston", "Lexington", "Madison",
    "Newport", "Oxford", "Princeton", "Richmond", "Salem", "Trenton", "Vernon", "Windsor",
)  # fmt: skip
NAME_NOUNS = (
    "Furniture", "Home Furnishings", "Bedding", "Sleep Center", "Mattress", "Interiors", "Design",
    "Gallery", "Outlet", "Living", "Casual Living", "Patio", "Hospitality", "Supply", "Trading",
    "Imports", "Home", "Decor", "Lighting", "Office Solutions", "Contract Seating", "Rest",
    "Bed & Bath", "Furniture Mart", "Home Store", "Showroom", "Warehouse", "Distributors",
)  # fmt: skip
LEGAL_FORMS = ("Inc.", "LLC", "Co.", "Corp.", "Corporation", "Ltd.", "Inc", "", "")
CITIES = {
    "US": ("Minneapolis", "Dallas", "Atlanta", "Denver", "Phoenix", "Seattle", "Chicago", "Miami",
           "Boston", "Charlotte", "Nashville", "Portland"),
    "CA": ("Toronto", "Vancouver", "Montreal"),
    "MX": ("Monterrey", "Guadalajara", "Tijuana"),
}  # fmt: skip
UNKNOWN_BUYER_WORDS = (
    "Zenith",
    "Quasar",
    "Nimbus",
    "Vortex",
    "Obsidian",
    "Krypton",
    "Xylo",
    "Yonder",
)
