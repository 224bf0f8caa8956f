"""Skin care, fiction, dog toys, notebooks and journals."""

from __future__ import annotations

from assistant.demo.catalog import Category, Kind, table

SKIN_CARE = Category(
    "Beauty > Skin Care",
    ("Dewleaf", "Saltmarsh Apothecary", "Clearwell Skin", "Lumenbloom"),
    (
        Kind(
            "skin_care",
            "{line} {product}, {volume}",
            (
                "{product_text}",
                "Suitable for {skin} skin; fragrance-free and dermatologist-tested.",
                "{usage}",
                "Vegan and cruelty-free, in a recyclable {pack}.",
            ),
            axes={
                "product": table(
                    "group product product_text volume usage pack price",
                    """
                    moisturizer | Hydrating Face Moisturizer with Ceramides | A lightweight daily moisturizer with ceramides and squalane that restores the skin barrier. | 50 ml | Apply morning and night after cleansing. | glass jar | 14-42
                    moisturizer | Rich Night Cream with Peptides | A rich overnight cream with peptides and shea butter for dry, tight skin. | 50 ml | Apply in the evening as the last step. | glass jar | 22-58
                    serum | Vitamin C Brightening Serum | A 15% vitamin C serum with vitamin E and ferulic acid that evens skin tone. | 30 ml | Apply 3-4 drops in the morning before sunscreen. | amber dropper bottle | 18-48
                    serum | Hyaluronic Acid Hydrating Serum | A serum with three weights of hyaluronic acid that plumps and hydrates. | 30 ml | Apply to damp skin before moisturizer. | glass dropper bottle | 12-36
                    serum | Retinol 0.3% Night Serum | A gentle encapsulated retinol serum that smooths fine lines. | 30 ml | Start twice a week at night and always wear sunscreen by day. | airless pump bottle | 22-55
                    cleanser | Gentle Foaming Face Cleanser | A low-pH foaming cleanser that removes makeup and sunscreen without stripping. | 150 ml | Massage onto wet skin and rinse. | pump bottle | 9-26
                    cleanser | Micellar Cleansing Water | A no-rinse micellar water that lifts makeup with a cotton pad. | 400 ml | Sweep over the face and eyes with a cotton pad. | bottle | 8-20
                    sunscreen | Mineral Sunscreen SPF 30 | A zinc oxide sunscreen with a sheer tint and no white cast. | 50 ml | Apply generously 15 minutes before sun exposure and reapply every 2 hours. | tube | 14-34
                    sunscreen | Daily Face Sunscreen SPF 50 | A lightweight, water-resistant (40 minutes) broad-spectrum sunscreen. | 50 ml | Apply as the last step of your morning routine. | tube | 15-36
                    treatment | Purifying Clay Face Mask | A kaolin and bentonite clay mask that clears pores. | 75 ml | Use once or twice a week for 10 minutes. | jar | 12-32
                    treatment | Caffeine Eye Cream | A cooling eye cream with caffeine and niacinamide for puffiness and dark circles. | 15 ml | Pat gently around the eye area morning and night. | tube | 14-40
                    treatment | Overnight Lip Mask | A shea and berry-wax lip mask that softens dry lips overnight. | 20 g | Apply a thick layer before bed. | jar | 8-22
                    """,  # noqa: E501
                ),
                "line": ("Sea Kelp", "Calm Skin", "Daily Glow", "Barrier Repair", "Oat Milk"),
                "skin": ("all", "dry and sensitive", "oily and combination", "normal to dry"),
            },
        ),
    ),
)

FICTION = Category(
    "Books > Fiction",
    ("Lanternfish Press", "Oakgall Books", "Marigold & Finch", "Northwind House"),
    (
        Kind(
            "book",
            "{book} by {author} ({format})",
            (
                "{blurb}",
                "{genre}, {pages} pages, {format_lc}.",
                "{praise}",
            ),
            axes={
                "book": table(
                    "book author brand genre pages blurb",
                    """
                    The Salt Orchard | Imogen Vale | Lanternfish Press | Literary fiction | 352 | Three sisters return to their family's failing apple orchard on the coast for one last harvest.
                    A Map of Quiet Places | Tobias Wren | Oakgall Books | Literary fiction | 298 | A retired cartographer sets out to map the silences of the town he never left.
                    The Clockmaker's Apprentice | Maren Holt | Marigold & Finch | Historical fiction | 416 | In 1890s Prague an orphan discovers that her master's clocks keep more than time.
                    Ember and Ash | Soren Black | Northwind House | Fantasy | 512 | A disgraced fire-mage must guard the last dragon egg across a frozen empire.
                    Murder at Gull Point | Harriet Moss | Lanternfish Press | Mystery | 320 | A retired detective's quiet seaside summer ends when the lighthouse keeper vanishes.
                    The Glass Meridian | Ada Kuroda | Oakgall Books | Science fiction | 448 | The crew of a generation ship wake early and find the ship's AI keeping secrets.
                    Letters to the Lake House | Clara Dunmore | Marigold & Finch | Romance | 336 | A widowed architect and a stubborn carpenter restore a lake house and find each other.
                    The Ninth Floor | Marcus Reyes | Northwind House | Thriller | 384 | An IT contractor finds a floor in his office tower that does not appear on any plan.
                    Songs of the Tidewater | Imogen Vale | Lanternfish Press | Literary fiction | 304 | Four generations of a fishing family weather storms at sea and at home.
                    The Last Bookbinder | Elena Marsh | Oakgall Books | Historical fiction | 368 | In wartime Florence a young bookbinder hides forbidden manuscripts in plain sight.
                    Starfall Academy | Priya Lang | Marigold & Finch | Young adult fantasy | 400 | A scholarship student at a school for star-readers uncovers a plot against the crown.
                    Cold Trail | Harriet Moss | Lanternfish Press | Mystery | 288 | A snowbound ski lodge, eight guests and a body at the bottom of the lift.
                    The Orchid Cipher | Jonah Pike | Northwind House | Thriller | 416 | A botanist decodes a message hidden in the genome of a rare orchid.
                    Sundays at Rosalind's | Clara Dunmore | Marigold & Finch | Women's fiction | 320 | A weekly supper club of neighbors carries each other through one turbulent year.
                    Beneath the Copper Sky | Ada Kuroda | Oakgall Books | Science fiction | 464 | Terraformers on Mars rebel when Earth cancels their return tickets.
                    The Owl at Midnight | Rowan Ash | Northwind House | Fantasy | 288 | A girl who can talk to owls is drawn into a war between night and day.
                    Small Hours | Tobias Wren | Oakgall Books | Literary fiction | 240 | A night-shift nurse and an insomniac poet trade notes across a hospital ward.
                    The Ferryman's Daughter | Maren Holt | Marigold & Finch | Historical fiction | 392 | A ferryman's daughter smuggles refugees across the Danube in 1944.
                    Dead Reckoning | Marcus Reyes | Northwind House | Thriller | 352 | A yacht race becomes a hunt when one crew member is a stranger.
                    The Paper Garden | Elena Marsh | Oakgall Books | Literary fiction | 272 | A widow rebuilds her life folding thousands of paper flowers.
                    Hollow Crown Rising | Soren Black | Northwind House | Fantasy | 560 | The second book of the Ember Cycle: the dragon has hatched and every kingdom wants it.
                    A Recipe for Second Chances | Nina Alvarez | Marigold & Finch | Romance | 304 | A burned-out chef inherits a food truck and her high-school rival's parking spot.
                    The Tin Moon | Jonah Pike | Lanternfish Press | Science fiction | 336 | A mining colony on a frozen moon receives a signal from the wrong direction.
                    Mrs. Pettigrew Investigates | Harriet Moss | Lanternfish Press | Cozy mystery | 256 | A knitting circle solves the theft of the village's prize-winning quilt.
                    The Wild Between | Rowan Ash | Oakgall Books | Fantasy | 432 | Two rival rangers guard the border between the living forest and the city.
                    Northbound | Nina Alvarez | Northwind House | Literary fiction | 288 | A mother and her teenage son drive from Texas to Alaska in a failing van.
                    """,  # noqa: E501
                ),
                "format": table(
                    "format format_lc price",
                    """
                    Paperback | paperback | 10-20
                    Hardcover | hardcover | 22-31
                    """,
                ),
                "praise": (
                    "A book-club favorite with a reading guide at the back.",
                    "An instant favorite with independent booksellers.",
                    "Shortlisted for the Ferncliff Prize.",
                    "Perfect for readers who like to be surprised on the last page.",
                ),
            },
            keep=2,
            branded_title=False,
        ),
    ),
)

DOG_TOYS = Category(
    "Pet Supplies > Dog Toys",
    ("Wagwell", "Chewford", "Fetchcraft", "Tailspin Pet Co."),
    (
        Kind(
            "chew_toy",
            "{toy} for {dog} Dogs",
            (
                "{toy_text}",
                "Sized for {dog_lc} dogs ({weight}).",
                "Made from non-toxic, BPA-free materials; supervise your dog during play and"
                " replace the toy when worn.",
            ),
            price=(9, 25),
            axes={
                "toy": table(
                    "toy toy_text",
                    """
                    Durable Rubber Chew Toy | A tough natural-rubber chew toy for power chewers; stuff the hollow center with treats.
                    Dental Chew Ring | A ridged nylon ring that cleans teeth and massages gums while your dog chews.
                    Bacon-Flavored Chew Bone | A bone-shaped nylon chew infused with bacon flavor that lasts for weeks.
                    Treat-Dispensing Puzzle Ball | A wobbling treat ball with an adjustable opening that keeps dogs busy at mealtime.
                    """,  # noqa: E501
                ),
                "size": table(
                    "size dog dog_lc weight",
                    """
                    S | Small | small | up to 20 lb
                    M | Medium | medium | 20 to 50 lb
                    L | Large | large | 50 to 90 lb
                    """,
                ),
            },
            colors=("Red", "Blue", "Orange", "Green"),
            weight=2.4,
        ),
        Kind(
            "fetch_toy",
            "{toy}",
            (
                "{toy_text}",
                "Great for fetch at the park, the beach or the backyard.",
                "Made from non-toxic, BPA-free materials.",
            ),
            price=(8, 25),
            axes={
                "toy": table(
                    "toy toy_text",
                    """
                    Squeaky Dog Tennis Balls, 6-Pack | Six felt tennis balls with squeakers, made for dogs and gentle on teeth.
                    Floating Rubber Flying Disc | A soft rubber flying disc that floats in water and is easy on mouths.
                    Ball Launcher Throwing Stick | A 25-inch launcher that throws balls farther with no slobbery hands.
                    Glow-in-the-Dark Fetch Ball, 2-Pack | Two rubber balls that glow for evening walks.
                    """,  # noqa: E501
                )
            },
            colors=("Yellow", "Orange", "Blue"),
            weight=1.5,
        ),
        Kind(
            "tug_toy",
            "{toy}",
            (
                "{toy_text}",
                "Double-stitched seams hold up to enthusiastic play.",
                "Machine washable.",
            ),
            price=(8, 20),
            axes={
                "toy": table(
                    "toy toy_text",
                    """
                    Cotton Rope Tug Toy, 3-Knot | A braided cotton rope that flosses teeth during tug-of-war.
                    Squeaky Plush Fox Dog Toy | A soft plush fox with three squeakers and no stuffing to pull out.
                    Squeaky Plush Hedgehog Dog Toy | A plush hedgehog with a crinkle body and a big squeaker.
                    Snuffle Mat for Dogs | A fleece snuffle mat that turns dinner into a sniffing game.
                    Crinkle Plush Duck Dog Toy | A flat crinkle duck with a squeaker in the head.
                    """,  # noqa: E501
                )
            },
            colors=("Gray", "Brown", "Blue", "Red"),
            weight=1.5,
        ),
    ),
)

NOTEBOOKS = Category(
    "Office > Notebooks & Journals",
    ("Quillmark", "Inkwell & Oak", "Folio North", "Dotwise Paper"),
    (
        Kind(
            "notebook",
            "{notebook}",
            (
                "{notebook_text}",
                "{paper}",
                "{details}",
            ),
            axes={
                "notebook": table(
                    "notebook notebook_text details price",
                    """
                    A5 Dotted Hardcover Notebook | An A5 (5.8 x 8.3 inch) hardcover notebook with 192 numbered dotted pages and an index. | It lies flat when open, with an elastic closure, a ribbon bookmark and a back pocket. | 14-27
                    A5 Lined Hardcover Notebook | An A5 hardcover notebook with 192 numbered lined pages. | It lies flat when open, with an elastic closure, a ribbon bookmark and a back pocket. | 13-25
                    Spiral Lined Notebooks, 3-Pack | Three college-ruled spiral notebooks, 8.5 x 11 inches, with 80 sheets each. | A sturdy double-wire binding lets each one fold back on itself. | 9-17
                    Refillable Leather Journal | A refillable A5 journal cover in full-grain leather with a lined insert. | Refill inserts come in lined, dotted and blank versions. | 29-60
                    Undated Weekly Planner | An undated planner with 52 weekly spreads, monthly calendars and habit trackers. | Start any week of the year; two ribbon bookmarks keep your place. | 18-33
                    Hardcover Sketchbook, 9 x 12 Inch | A 9 x 12 inch sketchbook with 110 sheets of acid-free drawing paper. | It lies flat when open and has an elastic closure. | 12-30
                    Pocket Notebooks, 3-Pack | Three pocket notebooks, 3.5 x 5.5 inches, with 48 grid pages each. | Stitched spines and rounded corners survive a back pocket. | 9-16
                    Engineering Grid Pad | A 100-sheet engineering pad with a 5 x 5 grid printed on the back. | Perforated, three-hole punched sheets tear out cleanly. | 7-13
                    Five-Minute Gratitude Journal | A guided journal with morning and evening prompts for six months. | A padded cover and a ribbon bookmark. | 14-23
                    """,  # noqa: E501
                ),
                "paper": (
                    "120 gsm acid-free paper that takes fountain pens with little ghosting.",
                    "100 gsm ivory paper, smooth for gel pens and pencils.",
                    "Bright white 90 gsm paper made from responsibly managed forests.",
                ),
            },
            colors=("Black", "Navy", "Forest Green", "Burgundy", "Sand", "Dusty Pink"),
        ),
    ),
)

CATEGORIES = (SKIN_CARE, FICTION, DOG_TOYS, NOTEBOOKS)
