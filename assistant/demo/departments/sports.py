"""Sports & Outdoors: camping, yoga and fitness."""

from __future__ import annotations

from assistant.demo.catalog import Category, Kind, table

_OUTDOOR_COLORS = ("Forest Green", "Orange", "Slate Gray", "Navy", "Sand")

CAMPING = Category(
    "Sports & Outdoors > Camping",
    ("Trailmark", "Northfell", "Campwright", "Cairnridge", "Embercamp"),
    (
        Kind(
            "tent",
            "{model} {people}-Person {style} Tent",
            (
                "A {people}-person {style_lc} tent with {doors} and a fully taped, waterproof"
                " rainfly rated to {hh} mm.",
                "Color-coded poles and clips pitch it in about {pitch} minutes.",
                "Floor area {floor}, peak height {peak}; packed weight {weight}.",
                "Mesh walls and two roof vents cut condensation on warm nights.",
            ),
            axes={
                "model": table(
                    "brand model",
                    """
                    Trailmark | Switchback
                    Northfell | Talus
                    Campwright | Basecamp
                    Cairnridge | Pinecrest
                    Embercamp | Bluebird
                    """,
                ),
                "size": table(
                    "people style style_lc doors hh pitch floor peak weight price",
                    """
                    1 | Ultralight Backpacking | ultralight backpacking | one door | 2000 | 5 | 20 sq ft | 40 inches | 2 lb 6 oz | 149-300
                    2 | Backpacking | backpacking | two doors | 3000 | 6 | 29 sq ft | 42 inches | 4 lb 1 oz | 129-350
                    4 | Dome | dome | one large door | 2000 | 10 | 64 sq ft | 58 inches | 10 lb 8 oz | 99-250
                    6 | Cabin | near-vertical-wall cabin | two doors | 2000 | 12 | 100 sq ft | 78 inches | 17 lb 2 oz | 179-400
                    """,  # noqa: E501
                ),
            },
            colors=_OUTDOOR_COLORS,
            weight=2,
        ),
        Kind(
            "sleeping_bag",
            "{temp} Degree {shape} Sleeping Bag",
            (
                "A {shape_lc} sleeping bag rated comfortable to {temp} degrees F.",
                "{fill} insulation that stays warm even when damp; a draft collar and"
                " anti-snag zipper.",
                "Packs into the included compression sack ({packed}).",
                "Fits sleepers up to 6 ft 2 in.",
            ),
            axes={
                "temp": table(
                    "temp fill packed price",
                    """
                    20 | 650-fill-power duck down | 9 x 15 inches | 99-190
                    35 | Synthetic | 8 x 13 inches | 49-100
                    0 | 800-fill-power goose down | 10 x 17 inches | 179-300
                    """,
                ),
                "shape": table(
                    "shape shape_lc",
                    """
                    Mummy | mummy
                    Rectangular | roomy rectangular
                    """,
                ),
            },
            colors=_OUTDOOR_COLORS,
            weight=1.6,
        ),
        Kind(
            "sleeping_pad",
            "Self-Inflating Sleeping Pad, {thickness} Inch",
            (
                "An open-cell foam pad that inflates itself and adds a few breaths to firm up.",
                "{thickness} inches thick with an R-value of {r}, for three-season camping.",
                "Rolls up to 6 x 12 inches with the included straps.",
            ),
            price=(39, 130),
            axes={"pad": ({"thickness": 2, "r": 3.8}, {"thickness": 3, "r": 5.2})},
            colors=("Orange", "Forest Green", "Navy"),
            weight=1.2,
        ),
        Kind(
            "stove",
            "Compact Backpacking Stove with Piezo Igniter",
            (
                "A 3-ounce canister stove that boils a liter of water in about 3.5 minutes.",
                "Push-button ignition, a wind-resistant burner and foldable pot supports.",
                "Fits standard isobutane canisters (sold separately) and packs into a small case.",
            ),
            price=(29, 60),
        ),
        Kind(
            "cookset",
            "{pieces}-Piece Camping Cookset",
            (
                "A nesting {pieces}-piece cookset in hard-anodized aluminum: a 1-liter pot,"
                " a frying pan, two cups and folding sporks.",
                "Everything packs inside the pot with room for a small fuel canister.",
                "The handles lock in place and have silicone grips.",
            ),
            price=(24, 60),
            axes={"pieces": (8, 10)},
        ),
        Kind(
            "light",
            "{lumens}-Lumen Rechargeable {light}",
            (
                "{light_text}",
                "Up to {lumens} lumens and a red night-vision mode; recharges over USB-C.",
                "IPX4 water-resistant for rainy nights at camp.",
            ),
            price=(14, 50),
            axes={
                "light": table(
                    "light light_text lumens",
                    """
                    LED Headlamp | A lightweight headlamp with a tilting beam and an adjustable strap. | 350
                    LED Headlamp | A bright headlamp with spot and flood beams and a lock mode. | 600
                    LED Camping Lantern | A collapsible lantern that hangs from a tent loop. | 500
                    LED Camping Lantern | A lantern with a dimmer dial that doubles as a power bank. | 1000
                    """,  # noqa: E501
                )
            },
        ),
        Kind(
            "hammock",
            "{style} Camping Hammock with Tree Straps",
            (
                "A ripstop nylon hammock that holds up to {capacity} lb.",
                "Includes two 10-foot tree straps with 20 loops each and aluminum carabiners.",
                "Packs into its attached stuff sack in seconds.",
            ),
            price=(29, 70),
            axes={
                "style": (
                    {"style": "Single", "capacity": 400},
                    {"style": "Double", "capacity": 500},
                )
            },
            colors=_OUTDOOR_COLORS,
        ),
        Kind(
            "chair",
            "Folding Camp Chair with Cup Holder",
            (
                "A padded folding camp chair with a cup holder and a side pocket.",
                "Its steel frame holds up to 300 lb; the seat is 20 inches wide.",
                "Folds into a carry bag with a shoulder strap.",
            ),
            price=(29, 90),
            colors=_OUTDOOR_COLORS,
        ),
        Kind(
            "water_filter",
            "Squeeze Water Filter System",
            (
                "A 0.1-micron hollow-fiber filter that removes 99.9999% of bacteria and protozoa.",
                "Screw it onto the included pouches or a standard bottle, or use it inline.",
                "Rated for 100,000 gallons; weighs 3 oz.",
            ),
            price=(24, 50),
        ),
        Kind(
            "backpack",
            "{liters}L {model} Hiking Backpack",
            (
                "A {liters}-liter hiking backpack with an adjustable torso length and a"
                " ventilated back panel.",
                "Side stretch pockets, a hip belt with zip pockets and a built-in rain cover.",
                "Fits a hydration reservoir; weighs {weight}.",
            ),
            axes={
                "model": table(
                    "brand model",
                    """
                    Trailmark | Ridge
                    Northfell | Traverse
                    Cairnridge | Scout
                    Embercamp | Summit
                    """,
                ),
                "size": table(
                    "liters weight price",
                    """
                    28 | 1 lb 12 oz | 59-110
                    45 | 3 lb 2 oz | 99-180
                    65 | 4 lb 6 oz | 149-230
                    """,
                ),
            },
            colors=_OUTDOOR_COLORS,
            weight=1.2,
        ),
    ),
)

_FITNESS_COLORS = ("Black", "Plum", "Ocean Blue", "Sage", "Lilac", "Charcoal")

YOGA_FITNESS = Category(
    "Sports & Outdoors > Yoga & Fitness",
    ("Lotusline", "Coreloom", "Flexora", "Ironpeak Strength"),
    (
        Kind(
            "yoga_mat",
            "{mm} mm {material} Yoga Mat",
            (
                "A {mm} mm {material_lc} yoga mat, 72 x 26 inches, with alignment lines.",
                "{grip}",
                "Free of latex and PVC; wipe clean with mild soap and water.",
                "Includes a carrying strap.",
            ),
            axes={
                "mat": table(
                    "mm material material_lc grip price",
                    """
                    6 | TPE | lightweight TPE | Extra cushioning for knees and a non-slip textured surface on both sides. | 24-45
                    4 | Natural Rubber | natural rubber | A grippy polyurethane top layer that stays put even in hot yoga. | 59-90
                    5 | Cork | cork-topped | Cork gets grippier as you sweat and resists odors naturally. | 49-80
                    """,  # noqa: E501
                )
            },
            colors=_FITNESS_COLORS,
            weight=2.2,
        ),
        Kind(
            "yoga_prop",
            "{prop}",
            (
                "{prop_text}",
                "Helps beginners reach poses safely and deepens stretches for experienced yogis.",
                "Lightweight and easy to wipe clean.",
            ),
            price=(8, 30),
            axes={
                "prop": table(
                    "prop prop_text",
                    """
                    Cork Yoga Blocks, 2-Pack | Two dense cork blocks, 9 x 6 x 3 inches, with rounded edges.
                    Foam Yoga Blocks, 2-Pack | Two high-density EVA foam blocks, 9 x 6 x 4 inches.
                    Cotton Yoga Strap, 8 ft | An 8-foot cotton strap with a metal D-ring buckle.
                    Non-Slip Yoga Towel | A microfiber towel with silicone grip dots that fits over a standard mat.
                    Yoga Bolster Pillow | A rectangular bolster filled with cotton batting and a washable cover.
                    """,  # noqa: E501
                )
            },
            colors=_FITNESS_COLORS,
            weight=1.6,
        ),
        Kind(
            "bands",
            "Resistance Bands Set, {pieces}-Piece",
            (
                "Five stackable latex-free tube bands from 10 to 50 lb.",
                "Includes door anchor, two cushioned handles, ankle straps and a travel bag.",
                "Combine bands for up to 150 lb of resistance for rows, presses and curls.",
            ),
            price=(14, 35),
            axes={"pieces": (11, 12)},
            colors=("Multicolor", "Black"),
        ),
        Kind(
            "weights",
            "Adjustable Dumbbells, {range} lb, Pair",
            (
                "A pair of adjustable dumbbells that replace {sets} sets of weights.",
                "Turn the dial to change the weight from {range} lb in seconds.",
                "Molded handles with a textured grip; the storage trays are included.",
            ),
            axes={
                "range": table(
                    "range sets price",
                    """
                    5-25 | 9 | 99-200
                    5-52.5 | 15 | 199-350
                    """,
                )
            },
            weight=0.8,
        ),
        Kind(
            "weights",
            "Cast Iron Kettlebell, {kg} kg ({lb} lb)",
            (
                "A single-piece cast iron kettlebell with a wide, smooth handle for two-hand"
                " swings.",
                "A powder-coat finish for grip; the flat base stores upright.",
                "{kg} kg, color-coded by weight.",
            ),
            axes={
                "kg": table(
                    "kg lb price",
                    """
                    8 | 18 | 29-45
                    12 | 26 | 39-60
                    16 | 35 | 49-75
                    20 | 44 | 59-90
                    """,
                )
            },
        ),
        Kind(
            "recovery",
            "{roller}",
            (
                "{roller_text}",
                "Eases sore muscles after running, lifting and long days at a desk.",
                "Includes a printed guide with 12 exercises.",
            ),
            price=(9, 40),
            axes={
                "roller": table(
                    "roller roller_text",
                    """
                    High-Density Foam Roller, 18 Inch | A firm 18 x 6 inch foam roller that keeps its shape.
                    Textured Foam Roller, 13 Inch | A hollow-core roller with ridges for deep-tissue massage.
                    Speed Jump Rope with Ball Bearings | A tangle-free coated steel cable that adjusts to any height.
                    Ab Roller Wheel with Knee Pad | A double wheel for stable rollouts with a thick knee pad.
                    Massage Ball Set, 3-Piece | A spiky ball, a smooth lacrosse-style ball and a peanut ball.
                    """,  # noqa: E501
                )
            },
            colors=("Black", "Blue", "Orange"),
            weight=1.6,
        ),
    ),
)

CATEGORIES = (CAMPING, YOGA_FITNESS)
