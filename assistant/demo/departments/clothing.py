"""Clothing: women's shoes and men's jackets (one size per catalog row)."""

from __future__ import annotations

from assistant.demo.catalog import Category, Kind, table

_SHOE_SIZES = tuple(f"US {n / 2:g}" for n in range(10, 23))  # US 5 .. US 11, half sizes
_SHOE_MODELS = table(
    "brand model",
    """
    Wren & Rowe | Marlow
    Wren & Rowe | Aster
    Wren & Rowe | Willow
    Stridewell | Summit
    Stridewell | Ridgeway
    Stridewell | Kestrel
    Petalstep | Juniper
    Petalstep | Fern
    Loamwalk | Solstice
    Loamwalk | Bay
    """,
)

WOMENS_SHOES = Category(
    "Clothing > Women's Shoes",
    ("Wren & Rowe", "Stridewell", "Petalstep", "Loamwalk"),
    (
        Kind(
            "hiking_boots",
            "{model} Women's Waterproof Hiking Boots",
            (
                "Mid-height hiking boots with a waterproof, breathable membrane and a"
                " seam-sealed suede and mesh upper.",
                "A lugged rubber outsole grips wet rock and muddy trails.",
                "The cushioned EVA midsole and a padded collar stay comfortable on long hikes.",
                "Each boot weighs about 14 oz in size 7.",
            ),
            price=(89, 170),
            axes={"model": _SHOE_MODELS},
            colors=("Brown", "Gray", "Olive", "Black"),
            sizes=_SHOE_SIZES,
            weight=1.5,
        ),
        Kind(
            "running_shoes",
            "{model} Women's {style} Shoes",
            (
                "{style_text}",
                "A breathable engineered-mesh upper and a {drop} mm heel-to-toe drop.",
                "Reflective details for early-morning and evening runs.",
            ),
            axes={
                "model": _SHOE_MODELS,
                "style": table(
                    "style style_text drop price",
                    """
                    Running | Lightweight road running shoes with responsive foam cushioning. | 8 | 69-150
                    Trail Running | Trail running shoes with a rock plate and 5 mm lugs for loose terrain. | 6 | 89-160
                    Walking | Supportive walking shoes with a wide toe box and a cushioned heel. | 10 | 59-110
                    """,  # noqa: E501
                ),
            },
            colors=("Black", "White", "Coral", "Lavender", "Teal"),
            sizes=_SHOE_SIZES,
            weight=2,
        ),
        Kind(
            "casual_shoes",
            "{model} Women's {style}",
            (
                "{style_text}",
                "A cushioned footbed with arch support keeps them comfortable all day.",
                "{material}",
            ),
            axes={
                "model": _SHOE_MODELS,
                "style": table(
                    "style style_text material price",
                    """
                    Leather Ankle Boots | Ankle boots with a side zip and a 1.5-inch stacked heel. | Full-grain leather upper with a rubber sole. | 89-190
                    Ballet Flats | Classic flats with a rounded toe and an elastic topline. | Soft leather upper with a flexible rubber sole. | 39-90
                    Canvas Sneakers | Low-top lace-up sneakers for everyday wear. | Organic cotton canvas upper; machine washable. | 34-70
                    Block Heel Sandals | Strappy sandals with a 2-inch block heel and an adjustable ankle strap. | Vegan leather straps with a padded insole. | 39-100
                    Slip-On Loafers | Slip-on penny loafers with a low heel. | Suede upper with a rubber sole. | 59-130
                    Rain Boots | Waterproof mid-calf rain boots with a pull tab. | Natural rubber shell with a cotton lining. | 39-80
                    """,  # noqa: E501
                ),
            },
            colors=("Black", "Tan", "Navy", "Burgundy", "Ivory"),
            sizes=_SHOE_SIZES,
            weight=3,
        ),
    ),
)

_JACKET_MODELS = table(
    "brand model",
    """
    Northfell | Tundra
    Northfell | Granite
    Harbor & Pike | Harbor
    Harbor & Pike | Coastline
    Altitude Thread | Ridgeback
    Altitude Thread | Alder
    Brisk & Bramble | Flint
    Brisk & Bramble | Cascade
    """,
)
_JACKET_SIZES = ("S", "M", "L", "XL", "XXL")

MENS_JACKETS = Category(
    "Clothing > Men's Jackets",
    ("Northfell", "Harbor & Pike", "Altitude Thread", "Brisk & Bramble"),
    (
        Kind(
            "rain_jacket",
            "{model} Men's Waterproof Hiking Rain Jacket",
            (
                "A lightweight waterproof rain jacket for hiking, with a 2.5-layer shell rated"
                " to {hh} mm and fully taped seams.",
                "Pit zips vent heat on steep climbs; an adjustable hood fits over a cap.",
                "Packs into its own chest pocket.",
                "Regular fit, hip length.",
            ),
            price=(89, 250),
            axes={"model": _JACKET_MODELS, "hh": ("10,000", "20,000")},
            colors=("Black", "Forest Green", "Navy", "Orange", "Slate Gray"),
            sizes=_JACKET_SIZES,
            weight=2,
        ),
        Kind(
            "insulated_jacket",
            "{model} Men's {style}",
            (
                "{style_text}",
                "{detail}",
                "Zippered hand pockets and an internal media pocket.",
                "Regular fit; machine washable on a gentle cycle.",
            ),
            axes={
                "model": _JACKET_MODELS,
                "style": table(
                    "style style_text detail price",
                    """
                    Insulated Puffer Jacket | A warm puffer jacket with 650-fill-power down insulation. | A water-repellent ripstop shell sheds light snow. | 99-280
                    Hooded Down Parka | A thigh-length parka rated for cold city winters down to 0 degrees F. | A windproof, waterproof shell and a faux-fur-trimmed hood. | 179-330
                    3-in-1 Ski Jacket | A waterproof ski shell with a zip-in fleece liner that also works on its own. | A powder skirt, a goggle pocket and pit zips. | 149-330
                    """,  # noqa: E501
                ),
            },
            colors=("Black", "Navy", "Olive", "Red"),
            sizes=_JACKET_SIZES,
            weight=2,
        ),
        Kind(
            "light_jacket",
            "{model} Men's {style}",
            (
                "{style_text}",
                "{detail}",
                "Two zippered hand pockets.",
            ),
            axes={
                "model": _JACKET_MODELS,
                "style": table(
                    "style style_text detail price",
                    """
                    Softshell Jacket | A stretchy, wind-resistant softshell with a brushed fleece lining. | A water-repellent finish for light showers. | 79-170
                    Full-Zip Fleece Jacket | A midweight 300-weight fleece jacket for cool evenings. | Works as a warm layer under a rain shell. | 39-100
                    Denim Trucker Jacket | A classic trucker jacket in 12-oz rigid cotton denim. | Button chest pockets and adjustable waist tabs. | 49-100
                    Waxed Cotton Field Jacket | A field jacket in weather-resistant waxed cotton with a corduroy collar. | Four bellows pockets; re-wax once a year. | 129-250
                    Packable Windbreaker | A featherweight windbreaker with a hood that packs into its own pocket. | A water-repellent nylon shell. | 39-90
                    Quilted Bomber Jacket | A bomber jacket with a quilted lining and ribbed cuffs. | Light synthetic insulation for fall. | 59-140
                    """,  # noqa: E501
                ),
            },
            colors=("Black", "Navy", "Olive", "Khaki", "Charcoal", "Indigo"),
            sizes=_JACKET_SIZES,
            weight=3,
        ),
    ),
)

CATEGORIES = (WOMENS_SHOES, MENS_JACKETS)
