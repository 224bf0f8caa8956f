"""Home & Kitchen: cookware, coffee and tea."""

from __future__ import annotations

from assistant.demo.catalog import Category, Kind, table

_ENAMEL_COLORS = ("Cherry Red", "Navy", "Sage", "Cream", "Charcoal")

COOKWARE = Category(
    "Home & Kitchen > Cookware",
    ("Ironhearth", "Copperleaf Kitchen", "Panterra", "Hearthmade"),
    (
        Kind(
            "skillet",
            "{inches}-Inch Pre-Seasoned Cast Iron Skillet",
            (
                "This {inches}-inch cast iron skillet comes pre-seasoned with vegetable oil, ready"
                " to use.",
                "Holds heat evenly for searing steaks, baking cornbread and frying eggs, and"
                " works on gas, electric, induction, grills and campfires.",
                "An assist handle and two pour spouts make it easy to lift; weighs {pounds} lb.",
                "Hand wash, dry thoroughly and rub with a little oil after each use.",
            ),
            axes={
                "size": table(
                    "inches pounds price",
                    """
                    8 | 3.2 | 15-25
                    10 | 5.1 | 19-35
                    12 | 7.4 | 25-60
                    """,
                )
            },
            weight=2.5,
        ),
        Kind(
            "skillet",
            "Cast Iron Grill Pan, {inches}-Inch Square",
            (
                "Raised ribs give steaks, vegetables and sandwiches real grill marks indoors.",
                "Pre-seasoned cast iron that works on every stovetop, in the oven and over a"
                " campfire.",
                "Measures {inches} x {inches} inches, with pour spouts on both sides.",
            ),
            price=(29, 50),
            axes={"inches": (10, 11)},
        ),
        Kind(
            "dutch_oven",
            "{quarts}-Quart Enameled Cast Iron Dutch Oven",
            (
                "A {quarts}-quart enameled cast iron Dutch oven for braises, stews, soups and"
                " no-knead bread.",
                "The tight-fitting lid has self-basting bumps that drip moisture back onto the"
                " food.",
                "Oven-safe to 500 degrees F and works on all stovetops, including induction.",
                "The chip-resistant enamel needs no seasoning; dishwasher-safe, though hand"
                " washing keeps it bright.",
            ),
            axes={
                "size": table(
                    "quarts price",
                    """
                    3.5 | 49-110
                    5.5 | 59-160
                    7 | 79-190
                    """,
                )
            },
            colors=_ENAMEL_COLORS,
            weight=1.5,
        ),
        Kind(
            "frying_pan",
            "{inches}-Inch Nonstick Frying Pan",
            (
                "This {inches}-inch frying pan has a PFAS-free ceramic nonstick coating; eggs"
                " slide right off.",
                "A heavy aluminum body with a stainless base heats evenly and works on induction.",
                "The stay-cool riveted handle is oven-safe to 400 degrees F.",
            ),
            axes={
                "size": table(
                    "inches price",
                    """
                    8 | 19-30
                    10 | 24-45
                    12 | 32-60
                    """,
                )
            },
            colors=("Black", "Gray", "Sage"),
            weight=1.5,
        ),
        Kind(
            "saucepan",
            "{quarts}-Quart Tri-Ply Stainless Steel Saucepan with Lid",
            (
                "Tri-ply construction with an aluminum core between layers of 18/10 stainless"
                " steel heats quickly and evenly.",
                "Measurement marks inside and a flared rim for drip-free pouring.",
                "Oven- and dishwasher-safe; works on all cooktops, including induction.",
            ),
            price=(29, 90),
            axes={"quarts": (2, 3, 4)},
        ),
        Kind(
            "cookware_set",
            "{pieces}-Piece Stainless Steel Cookware Set",
            (
                "A {pieces}-piece tri-ply stainless steel set: {contents}.",
                "Riveted stay-cool handles and tempered glass lids let you watch without lifting.",
                "Oven-safe to 500 degrees F and dishwasher-safe, with a lifetime warranty"
                " against defects.",
            ),
            axes={
                "set": table(
                    "pieces contents price",
                    """
                    10 | 8- and 10-inch skillets, 2- and 3-quart saucepans, a 3.5-quart saute pan and an 8-quart stockpot, with lids | 129-260
                    12 | 8- and 10-inch skillets, 1.5- and 3-quart saucepans, a 4-quart saute pan, an 8-quart stockpot and a steamer insert, with lids | 179-400
                    """,  # noqa: E501
                )
            },
            weight=0.8,
        ),
        Kind(
            "wok",
            "14-Inch Carbon Steel Wok with Wooden Handle",
            (
                "A traditional flat-bottom wok made from 1.8 mm carbon steel for real stir-fry"
                " heat.",
                "It works on gas, electric and induction stoves and builds a natural nonstick"
                " patina with use.",
                "The wooden handle and helper handle stay cool; season before first use.",
            ),
            price=(34, 80),
            weight=0.7,
        ),
        Kind(
            "stockpot",
            "{quarts}-Quart Stainless Steel Stockpot with Lid",
            (
                "This {quarts}-quart stockpot handles pasta, stock, chili and corn on the cob.",
                "An encapsulated aluminum base prevents scorching; works on induction.",
                "Dishwasher-safe, with a tempered glass lid and a steam vent.",
            ),
            price=(34, 90),
            axes={"quarts": (8, 12)},
            weight=0.7,
        ),
        Kind(
            "spatula",
            "{spatula}",
            (
                "{spatula_text}",
                "Safe for cast iron, stainless steel and nonstick pans.",
                "Dishwasher-safe; hang it by the loop at the end of the handle.",
            ),
            price=(7, 20),
            axes={
                "spatula": table(
                    "spatula spatula_text",
                    """
                    Slotted Stainless Steel Fish Spatula | A thin, flexible slotted turner for fish, eggs and smash burgers.
                    Silicone Spatula Set, 3-Piece | Three heat-resistant silicone spatulas (up to 600 degrees F) in small, medium and large.
                    Flat-Edge Beechwood Spatula | A sturdy beechwood spatula with a flat edge that scrapes fond from the pan.
                    Heavy-Duty Cast Iron Turner | A stiff, wide stainless turner with a sharp edge for scraping cast iron.
                    Silicone Cooking Utensil Set, 6-Piece | Six silicone utensils: spatula, turner, ladle, spoon, slotted spoon and tongs.
                    """,  # noqa: E501
                )
            },
            colors=("Black", "Gray", "Red"),
            weight=1.5,
        ),
        Kind(
            "skillet_care",
            "{care}",
            (
                "{care_text}",
                "A simple way to keep cast iron and carbon steel in good shape for decades.",
                "Rinse and dry after use.",
            ),
            price=(8, 20),
            axes={
                "care": table(
                    "care care_text",
                    """
                    Chainmail Cast Iron Scrubber | A stainless chainmail scrubber that lifts stuck-on food without stripping the seasoning.
                    Cast Iron Care Kit with Seasoning Oil | A plant-based seasoning oil, a pan scraper and a scrub brush.
                    Silicone Skillet Handle Covers, 2-Pack | Heat-resistant silicone sleeves that slip over hot skillet handles.
                    """,  # noqa: E501
                )
            },
            weight=1.0,
        ),
    ),
)

_ORIGINS = table(
    "origin notes roast",
    """
    Ethiopia Yirgacheffe | jasmine, lemon and bergamot | Light Roast
    Colombia Huila | red apple, caramel and milk chocolate | Medium Roast
    Guatemala Antigua | cocoa, toffee and orange peel | Medium Roast
    Kenya Nyeri | blackcurrant, grapefruit and cane sugar | Light Roast
    Sumatra Mandheling | cedar, dark chocolate and spice | Dark Roast
    Brazil Cerrado | peanut, cocoa and brown sugar | Medium-Dark Roast
    House Espresso Blend | dark chocolate, molasses and cherry | Dark Roast
    Swiss Water Decaf | hazelnut, caramel and cocoa | Medium Roast
    """,
)

_TEAS = table(
    "tea tea_text",
    """
    Earl Grey Supreme | black tea scented with bergamot and blue cornflowers
    Japanese Sencha | a grassy, bright green tea from Shizuoka
    Chamomile Honeybush | a caffeine-free herbal blend of chamomile and honeybush
    Masala Chai | strong Assam black tea with cardamom, cinnamon and ginger
    Jasmine Pearls | green tea rolled into pearls and scented with jasmine blossoms
    Peppermint Leaf | whole peppermint leaves, naturally caffeine-free
    """,
)

COFFEE_TEA = Category(
    "Home & Kitchen > Coffee & Tea",
    ("Brewhaven", "Steepwell", "Morning Ember", "Kettlecraft"),
    (
        Kind(
            "dripper",
            "{material} Pour-Over Coffee Dripper, Size 02",
            (
                "A cone-shaped {material_lc} pour-over dripper that brews 1 to 4 cups.",
                "A spiral-ribbed interior and a single large hole let you control the flow.",
                "Fits most mugs and carafes; uses size 02 cone paper filters.",
            ),
            price=(18, 40),
            axes={
                "material": table(
                    "material material_lc color",
                    """
                    Ceramic | ceramic | White
                    Ceramic | ceramic | Matte Black
                    Ceramic | ceramic | Terracotta
                    Glass | borosilicate glass | Clear
                    Stainless Steel | double-wall stainless steel | Silver
                    """,
                )
            },
        ),
        Kind(
            "filters",
            "Size 02 Cone Paper Coffee Filters, {count}-Count",
            (
                "{count} oxygen-whitened size 02 cone filters for pour-over drippers.",
                "Thick paper with no papery taste; rinse the filter before brewing.",
            ),
            price=(5, 11),
            axes={"count": (100, 200)},
            brands=("Brewhaven", "Kettlecraft"),
            weight=0.6,
        ),
        Kind(
            "french_press",
            "{oz} oz Glass French Press",
            (
                "A {oz} oz French press with a borosilicate glass carafe and a stainless frame.",
                "A four-layer filter keeps grounds out of your cup.",
                "Also makes cold brew and loose-leaf tea; dishwasher-safe.",
            ),
            price=(22, 50),
            axes={"oz": (12, 34, 51)},
            colors=("Black", "Copper", "Silver"),
        ),
        Kind(
            "kettle",
            "Electric Gooseneck Kettle with Temperature Control",
            (
                "A 0.9-liter gooseneck kettle with a precise spout for pour-over coffee.",
                "Set any temperature from 104 to 212 degrees F and hold it for 60 minutes.",
                "Heats in about 4 minutes; stainless steel inside with auto shut-off.",
            ),
            price=(39, 100),
            colors=("Matte Black", "White", "Brushed Steel"),
        ),
        Kind(
            "grinder",
            "{burr} Burr Coffee Grinder with {settings} Settings",
            (
                "{burr} burrs grind evenly for espresso, pour-over and French press.",
                "{settings} grind settings and a timer dial for consistent doses.",
                "The bean hopper holds 8 oz; a static-free grounds bin keeps the counter clean.",
            ),
            axes={
                "burr": table(
                    "burr settings price",
                    """
                    Conical | 31 | 39-100
                    Flat | 40 | 89-150
                    """,
                )
            },
            colors=("Black", "Silver"),
        ),
        Kind(
            "coffee_beans",
            "{origin} Whole Bean Coffee, {roast}, 12 oz",
            (
                "Whole bean {origin} coffee with tasting notes of {notes}.",
                "Roasted in small batches and shipped within 48 hours of roasting.",
                "A one-way valve keeps the beans fresh; grind just before brewing.",
            ),
            price=(13, 22),
            axes={"origin": _ORIGINS},
            brands=("Morning Ember", "Brewhaven"),
            weight=1.8,
        ),
        Kind(
            "tea",
            "{tea} Loose Leaf Tea, 4 oz Tin",
            (
                "{tea}: {tea_text}.",
                "Makes about 50 cups; steep one teaspoon per cup.",
                "Packed in a resealable tin that keeps the leaves fresh.",
            ),
            price=(9, 19),
            axes={"tea": _TEAS},
            brands=("Steepwell", "Kettlecraft"),
            weight=1.4,
        ),
        Kind(
            "teapot",
            "{oz} oz Glass Teapot with Removable Infuser",
            (
                "A borosilicate glass teapot with a stainless steel infuser for loose-leaf tea.",
                "Holds {oz} oz, about {cups} cups; safe on a gas or electric stovetop.",
                "The drip-free spout pours cleanly.",
            ),
            price=(19, 40),
            axes={"size": ({"oz": 27, "cups": 3}, {"oz": 40, "cups": 5})},
        ),
        Kind(
            "travel_mug",
            "16 oz Insulated Travel Mug",
            (
                "Double-wall vacuum insulation keeps coffee hot for 6 hours and iced drinks cold"
                " for 12.",
                "A leak-proof lid locks shut for bags and cup holders.",
                "Fits under most coffee machines and pour-over drippers.",
            ),
            price=(19, 35),
            colors=("Black", "White", "Sage", "Navy", "Coral"),
        ),
        Kind(
            "cold_brew",
            "{quarts}-Quart Cold Brew Coffee Maker",
            (
                "Steep coarse grounds overnight for smooth, low-acid cold brew concentrate.",
                "A fine-mesh stainless filter lifts out for easy cleaning.",
                "The airtight {quarts}-quart pitcher fits in the fridge door.",
            ),
            price=(24, 45),
            axes={"quarts": (1, 2)},
            weight=0.6,
        ),
    ),
)

CATEGORIES = (COOKWARE, COFFEE_TEA)
