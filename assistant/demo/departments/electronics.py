"""Electronics: headphones and phone accessories."""

from __future__ import annotations

from assistant.demo.catalog import Category, Kind, table

_MODELS = table(
    "brand model",
    """
    Auralux | Aria
    Auralux | Vesper
    Auralux | Solace
    Kestrelle Audio | Nova
    Kestrelle Audio | Meridian
    Hushwave | Drift
    Hushwave | Lumen
    Tonebird | Cadence
    Tonebird | Tempo
    Tonebird | Quill
    Cobaltone | Atlas
    Cobaltone | Strata
    """,
)
"""Model lines; each belongs to one brand."""
_COLORS = ("Black", "White", "Midnight Blue", "Silver", "Sage Green", "Rose")

HEADPHONES = Category(
    "Electronics > Headphones",
    ("Auralux", "Kestrelle Audio", "Hushwave", "Tonebird", "Cobaltone"),
    (
        Kind(
            "headphones",
            "{model} Noise-Cancelling Wireless Over-Ear Headphones",
            (
                "Active noise cancelling with {mics} microphones blocks engine rumble,"
                " office chatter and street noise.",
                "Up to {battery} hours of battery life with noise cancelling on; a 10-minute"
                " USB-C charge adds 5 hours.",
                "Bluetooth 5.3 with multipoint pairing, 40 mm drivers and memory-foam ear"
                " cushions.",
                "Folds flat into the included hard case and weighs {grams} g.",
            ),
            price=(149, 350),
            axes={"model": _MODELS, "mics": (6, 8), "battery": (30, 35, 40), "grams": (250, 280)},
            colors=_COLORS,
            weight=2,
        ),
        Kind(
            "headphones",
            "{model} Wireless Over-Ear Headphones",
            (
                "Comfortable over-ear headphones with {battery} hours of battery life.",
                "Bluetooth 5.3, 40 mm drivers and a built-in microphone for calls.",
                "Includes a 3.5 mm cable for wired listening when the battery runs out.",
                "Padded, adjustable headband; weighs {grams} g.",
            ),
            price=(59, 150),
            axes={"model": _MODELS, "battery": (40, 50, 60), "grams": (210, 230)},
            colors=_COLORS,
            weight=1.5,
        ),
        Kind(
            "earbuds",
            "{model} Noise-Cancelling True Wireless Earbuds",
            (
                "Pocket-size earbuds with active noise cancelling and a transparency mode.",
                "{battery} hours of listening per charge and {case_hours} hours with the"
                " wireless charging case.",
                "IPX4 splash and sweat resistance; three sizes of silicone ear tips included.",
                "Bluetooth 5.3 with touch controls and in-ear detection.",
            ),
            price=(79, 250),
            axes={"model": _MODELS, "battery": (6, 8), "case_hours": (24, 30)},
            colors=_COLORS,
            weight=2,
        ),
        Kind(
            "earbuds",
            "{model} True Wireless Earbuds",
            (
                "Everyday wireless earbuds with punchy sound and a compact USB-C charging case.",
                "{battery} hours per charge and {case_hours} hours in total with the case.",
                "IPX4 sweat resistance and a microphone in each bud for clear calls.",
            ),
            price=(29, 100),
            axes={"model": _MODELS, "battery": (5, 6, 7), "case_hours": (20, 24, 28)},
            colors=_COLORS,
            weight=1.5,
        ),
        Kind(
            "earbuds",
            "{model} Sport Wireless Earbuds with Ear Hooks",
            (
                "Secure ear hooks keep these earbuds in place through runs, rides and workouts.",
                "IPX7 waterproof, so sweat and rain are no problem.",
                "{battery} hours per charge; the case adds two more full charges.",
                "An ambient-sound mode lets traffic noise in when you run outdoors.",
            ),
            price=(39, 130),
            axes={"model": _MODELS, "battery": (8, 10, 12)},
            colors=("Black", "Neon Yellow", "Coral", "Slate Blue"),
        ),
        Kind(
            "headphones",
            "{model} Wired In-Ear Earphones with Microphone",
            (
                "Lightweight wired earphones with an in-line microphone and volume remote.",
                "A tangle-resistant braided cable ends in a {plug} plug.",
                "Three sizes of silicone ear tips for a comfortable seal.",
            ),
            price=(19, 40),
            axes={"model": _MODELS, "plug": ("3.5 mm", "USB-C")},
            colors=("Black", "White"),
        ),
        Kind(
            "headphones",
            "{model} Kids' Volume-Limited Wireless Headphones",
            (
                "Headphones for children, with the volume limited to 85 dB to protect young ears.",
                "Up to {battery} hours of battery life and a padded, bendable headband.",
                "Includes a cable and a share port so two kids can listen together.",
                "For ages 3 and up.",
            ),
            price=(24, 50),
            axes={"model": _MODELS, "battery": (20, 30)},
            colors=("Blue", "Pink", "Purple", "Green"),
        ),
        Kind(
            "headphones",
            "{model} Closed-Back Studio Monitor Headphones",
            (
                "Closed-back wired monitor headphones with 50 mm drivers and a flat, detailed"
                " sound for mixing and recording.",
                "Detachable 3 m coiled cable with a 6.35 mm adapter.",
                "Swivelling ear cups and replaceable velour pads for long sessions.",
            ),
            price=(79, 230),
            axes={"model": _MODELS},
            colors=("Black",),
            weight=0.8,
        ),
    ),
)

PHONE_ACCESSORIES = Category(
    "Electronics > Phone Accessories",
    ("Voltnest", "Gripwise", "Clearshell", "Amplecharge"),
    (
        Kind(
            "charger",
            "{watts}W USB-C GaN Wall Charger with {ports} Ports",
            (
                "A compact {watts}W wall charger built on gallium nitride, so it stays cool and"
                " small.",
                "{ports} USB-C ports share the power and fast-charge phones, tablets and earbuds.",
                "Folding prongs for travel; over-voltage and temperature protection built in.",
            ),
            axes={
                "power": (
                    {"watts": 20, "ports": 1, "price": (14, 22)},
                    {"watts": 30, "ports": 2, "price": (19, 32)},
                    {"watts": 65, "ports": 3, "price": (34, 55)},
                )
            },
            colors=("White", "Black"),
        ),
        Kind(
            "charger",
            "15W Fast Wireless Charging Pad",
            (
                "Set your phone down to charge at up to 15W on any Qi-compatible phone.",
                "Charges through cases up to 5 mm thick; a soft LED shows the charging status.",
                "Includes a 5 ft USB-C cable; a 20W or larger wall adapter is recommended.",
            ),
            price=(15, 36),
            colors=("White", "Black", "Walnut"),
        ),
        Kind(
            "cable",
            "Braided USB-C to USB-C Cable, {length} ft, 2-Pack",
            (
                "Two nylon-braided USB-C cables that carry up to 100W for phones and laptops.",
                "Tested to survive 25,000 bends, with aluminum connector housings.",
                "Each cable is {length} feet long with a hook-and-loop strap for tidy storage.",
            ),
            price=(8, 17),
            axes={"length": (3, 6, 10)},
            colors=("Black", "Gray", "Red", "Blue"),
        ),
        Kind(
            "power_bank",
            "{mah} mAh Portable Power Bank",
            (
                "A {mah} mAh battery pack that recharges a typical phone {charges} times.",
                "USB-C power delivery in and out at 20W, plus a USB-A port for older devices.",
                "A digital display shows the remaining charge in percent; weighs {grams} g.",
            ),
            axes={
                "capacity": (
                    {"mah": "10,000", "charges": 2, "grams": 190, "price": (19, 35)},
                    {"mah": "20,000", "charges": 4, "grams": 340, "price": (32, 60)},
                )
            },
            colors=("Black", "White", "Blue"),
        ),
        Kind(
            "case",
            "Shockproof Clear Case for {screen}-Inch Phones",
            (
                "A slim clear case with air-cushioned corners that survives 10-foot drops.",
                "Raised edges protect the screen and camera when the phone lies flat.",
                "The anti-yellowing coating keeps the case clear; works with wireless charging.",
            ),
            price=(10, 25),
            axes={"screen": ("6.1", "6.4", "6.7")},
            colors=("Clear", "Smoke Black", "Frost Blue", "Blush Pink"),
            weight=1.5,
        ),
        Kind(
            "screen_protector",
            "Tempered Glass Screen Protector for {screen}-Inch Phones, 3-Pack",
            (
                "Three 9H tempered-glass screen protectors that keep the touch screen responsive.",
                "An alignment frame gives a bubble-free fit in under a minute.",
                "The oleophobic coating resists fingerprints and wipes clean easily.",
            ),
            price=(8, 15),
            axes={"screen": ("6.1", "6.4", "6.7")},
        ),
        Kind(
            "mount",
            "Magnetic Car Vent Phone Mount",
            (
                "Strong magnets hold your phone securely on the air vent and let it rotate 360"
                " degrees.",
                "Includes two metal plates to stick inside any case.",
                "Its clamp fits horizontal and vertical vents without tools.",
            ),
            price=(12, 30),
            colors=("Black", "Silver"),
        ),
        Kind(
            "mount",
            "Extendable Phone Tripod with Bluetooth Remote",
            (
                "A tripod that extends from 10 to 60 inches for video calls, recipes and"
                " group photos.",
                "The detachable Bluetooth remote works from 30 feet away.",
                "Its phone clamp fits phones 2.2 to 3.5 inches wide and rotates for portrait"
                " shots.",
            ),
            price=(19, 40),
            colors=("Black", "White"),
        ),
        Kind(
            "case",
            "Waterproof Phone Pouch, 2-Pack",
            (
                "IPX8-rated waterproof pouches for the beach, kayaking and hikes in the rain.",
                "The touch screen and camera work through the clear window.",
                "Each pouch fits phones up to 7 inches and comes with a lanyard.",
            ),
            price=(9, 16),
            colors=("Black", "Blue", "Orange"),
            weight=0.6,
        ),
    ),
)

CATEGORIES = (HEADPHONES, PHONE_ACCESSORIES)
