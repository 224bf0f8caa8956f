"""Toys & Games: puzzles, building sets, board games."""

from __future__ import annotations

from assistant.demo.catalog import Category, Kind, table

_SCENES = table(
    "scene scene_text",
    """
    Alpine Lake | a still alpine lake beneath snow-capped peaks
    Lighthouse at Dusk | a red-and-white lighthouse on a rocky coast at dusk
    Autumn Forest Trail | a trail through maples in full autumn color
    Tuscan Hill Village | terracotta rooftops in golden evening light
    Desert Night Sky | the Milky Way arching over desert rock arches
    Vintage World Map | an antique-style world map with sea monsters and compass roses
    Koi Pond | orange and white koi gliding under lily pads
    Cozy Bookshop | a cluttered bookshop with a cat asleep in the window
    Coral Reef | a coral reef teeming with tropical fish
    Hot Air Balloon Festival | dozens of hot air balloons drifting over a river valley
    Winter Cabin | a snowed-in log cabin with smoke rising from the chimney
    Spice Market | baskets of bright spices piled high in a busy market
    Cottage Garden | a cottage garden overflowing with foxgloves and roses
    Harbor Sunrise | fishing boats in a quiet harbor at sunrise
    Mountain Railway | a steam train crossing a stone viaduct in the mountains
    Candy Shop Window | a shop window stacked with jars of sweets
    Northern Lights | green and violet northern lights over a frozen fjord
    Sunflower Field | a field of sunflowers stretching to the horizon
    """,
)

PUZZLES = Category(
    "Toys & Games > Puzzles",
    ("Puzzlewood", "Tessellate & Co.", "Piecemeal Press", "Hollowbrook"),
    (
        Kind(
            "jigsaw",
            "{pieces}-Piece {scene} Jigsaw Puzzle",
            (
                "A {pieces}-piece jigsaw puzzle of {scene_text}.",
                "The finished puzzle measures {dims}.",
                "Pieces are cut from thick recycled blue-board with a glare-free linen finish,"
                " and every piece is a unique shape.",
                "Includes a full-size reference poster and a resealable bag in a sturdy box.",
                "Recommended for ages {age} and up.",
            ),
            axes={
                "size": table(
                    "pieces dims age price",
                    """
                    300 | 18 x 24 inches | 8 | 8-15
                    500 | 15 x 21 inches | 10 | 10-19
                    1000 | 27 x 20 inches | 12 | 14-29
                    1500 | 32 x 24 inches | 12 | 21-36
                    2000 | 39 x 27 inches | 14 | 27-45
                    """,
                ),
                "scene": _SCENES,
            },
            weight=6,
        ),
        Kind(
            "jigsaw",
            "{pieces}-Piece Wooden {scene} Jigsaw Puzzle",
            (
                "A {pieces}-piece wooden jigsaw puzzle of {scene_text}, laser-cut from"
                " 4 mm birch plywood.",
                "About 30 whimsy pieces are shaped like animals, keys and stars.",
                "The finished puzzle measures {dims} and comes in a cotton drawstring bag"
                " inside a gift box.",
                "Recommended for ages {age} and up.",
            ),
            axes={
                "size": table(
                    "pieces dims age price",
                    """
                    200 | 11 x 15 inches | 8 | 24-34
                    500 | 16 x 20 inches | 12 | 32-45
                    """,
                ),
                "scene": _SCENES,
            },
        ),
        Kind(
            "kids_puzzle",
            "{pieces}-Piece {scene} Floor Puzzle for Kids",
            (
                "A jumbo {pieces}-piece floor puzzle of {scene_text}, sized for little hands.",
                "Extra-thick pieces are about 3 inches across; the finished puzzle is {dims}.",
                "Printed with non-toxic, water-based inks on recycled board.",
                "For ages {age} and up.",
            ),
            price=(8, 19),
            axes={
                "size": table(
                    "pieces dims age",
                    """
                    24 | 2 x 1.5 feet | 3
                    48 | 3 x 2 feet | 4
                    """,
                ),
                "scene": table(
                    "scene scene_text",
                    """
                    Farm Animals | farm animals gathered around a red barn
                    Dinosaur Valley | friendly dinosaurs next to a smoking volcano
                    Under the Sea | whales, octopuses and sea turtles
                    Outer Space | rockets, planets and a waving astronaut
                    Construction Site | diggers, cranes and dump trucks at work
                    Alphabet Zoo | zoo animals for every letter from A to Z
                    """,
                ),
            },
            weight=1.5,
        ),
        Kind(
            "puzzle_accessory",
            "Roll-Up Puzzle Mat for up to {max_pieces} Pieces",
            (
                "Keep a puzzle in progress without taking it apart: roll it up in the felt mat"
                " around the included inflatable tube.",
                "Fits puzzles of up to {max_pieces} pieces ({dims}).",
                "Drawstrings hold the roll closed and it stores in a zippered bag.",
            ),
            price=(14, 26),
            axes={
                "max": table(
                    "max_pieces dims",
                    """
                    1500 | 46 x 26 inches
                    2000 | 48 x 32 inches
                    """,
                )
            },
            colors=("Green", "Gray"),
            weight=0.5,
        ),
        Kind(
            "puzzle_accessory",
            "Puzzle Sorting Trays with Lid, {trays}-Pack",
            (
                "{trays} stackable trays to sort edge pieces and colors while you work.",
                "Each tray is 8 x 8 inches with a non-slip base, and the lid doubles as a tray.",
                "Made from BPA-free plastic; the trays nest flat for storage.",
            ),
            price=(12, 22),
            axes={"trays": (6, 8)},
            weight=0.4,
        ),
    ),
)

BUILDING_SETS = Category(
    "Toys & Games > Building Sets",
    ("Brickwell", "Snapforge", "Tinkerblock", "Kitbash Studio"),
    (
        Kind(
            "building_set",
            "{pieces}-Piece {color} {set} Building Set",
            (
                "Build {set_text} from {pieces} interlocking bricks.",
                "Includes {figures} mini-figures and step-by-step illustrated instructions.",
                "The finished model is about {length} long and works with other standard"
                " studs-and-tubes bricks.",
                "Recommended for ages {age} and up.",
            ),
            axes={
                "size": table(
                    "pieces figures length age price",
                    """
                    150 | 1 | 5 inches | 5 | 9-15
                    320 | 2 | 8 inches | 6 | 17-30
                    512 | 3 | 11 inches | 7 | 29-50
                    780 | 4 | 14 inches | 8 | 44-70
                    1100 | 5 | 17 inches | 9 | 59-100
                    1650 | 6 | 21 inches | 12 | 89-140
                    2400 | 8 | 26 inches | 16 | 139-200
                    """,
                ),
                "set": table(
                    "set set_text",
                    """
                    Fire Station | a two-story fire station with a ladder truck
                    Police Headquarters | a police headquarters with a patrol car and a jail cell
                    Space Shuttle | a space shuttle with a launch tower
                    Pirate Ship | a three-masted pirate ship with cannons
                    Medieval Castle | a castle with a drawbridge and two towers
                    Race Car | a race car with working steering
                    Dinosaur Park | a dinosaur park with a jeep and a gate
                    Treehouse | a treehouse with a rope ladder and a tire swing
                    City Bus | a city bus with opening doors and a bus stop
                    Windmill Farm | a farm with a turning windmill and a tractor
                    Lunar Rover | a lunar rover with a robotic arm
                    Cargo Train | a cargo train with two wagons and a crane
                    Robot Mech | a posable robot mech with rotating arms
                    Lighthouse | a lighthouse on a rocky island
                    """,
                ),
            },
            colors=("Red", "Blue", "Yellow", "Green", "Orange", "Gray", "White"),
            weight=6,
        ),
        Kind(
            "building_bricks",
            "{pieces}-Piece Classic Bricks Storage Tub",
            (
                "{pieces} classic bricks in 30 colors and 40 shapes, including wheels,"
                " windows and doors.",
                "Comes in a stackable storage tub with a lid that doubles as a baseplate.",
                "Compatible with other standard studs-and-tubes bricks.",
                "For ages 4 and up.",
            ),
            price=(19, 50),
            axes={"pieces": (450, 900, 1500)},
            weight=0.8,
        ),
        Kind(
            "building_bricks",
            "Building Baseplates, {plates}-Pack",
            (
                "{plates} flexible 10 x 10 inch baseplates for building cities and landscapes.",
                "They tile together into a bigger surface and peel off tabletops cleanly.",
                "Compatible with other standard studs-and-tubes bricks.",
            ),
            price=(12, 20),
            axes={"plates": (4, 6)},
            colors=("Green", "Gray", "Blue"),
            weight=0.5,
        ),
    ),
)

_GAMES = table(
    "game type players minutes age blurb",
    """
    Harbor Masters | Strategy Board Game | 2-4 players | 60 | 10 | Trade goods and build docks to run the busiest harbor on the coast.
    Lantern Valley | Cooperative Board Game | 1-4 players | 45 | 8 | Light the lanterns together before the fog rolls in.
    Sky Caravan | Strategy Board Game | 2-5 players | 75 | 12 | Steer an airship caravan between floating markets.
    Gnome Heist | Family Card Game | 2-6 players | 20 | 7 | Sneaky gnomes swipe each other's treasure in quick rounds.
    Tidal Trade | Strategy Board Game | 2-4 players | 90 | 14 | Bid for cargo while the tides change the value of every route.
    Orchard Rush | Family Board Game | 2-4 players | 25 | 6 | Race to pick the ripest fruit before the birds get there.
    Castle Quarrel | Dice Game | 2-5 players | 30 | 8 | Roll, reroll and lay siege to your friends' castles.
    Starlit Expedition | Cooperative Board Game | 1-5 players | 60 | 10 | Chart unknown stars as one crew before the fuel runs out.
    Word Ladder Live | Party Game | 3-8 players | 30 | 10 | Shout out words that bridge two clues before the timer ends.
    Mystery at Marlow Manor | Deduction Game | 3-6 players | 50 | 12 | Question the suspects and find out who took the emerald.
    Volcano Escape | Cooperative Board Game | 2-4 players | 30 | 7 | Work together to get every explorer off the island in time.
    Dragon Dice Derby | Dice Game | 2-6 players | 20 | 6 | Race baby dragons around the track with clever dice rolls.
    Mosaic Gardens | Tile-Laying Board Game | 2-4 players | 40 | 8 | Lay tiles to grow the most beautiful garden.
    Railroad Barons of the West | Strategy Board Game | 2-5 players | 120 | 14 | Build rail lines and buy shares across the frontier.
    Picnic Panic | Family Card Game | 2-5 players | 15 | 5 | Keep the ants away from your picnic basket.
    Quiz Quarry | Trivia Party Game | 2-10 players | 45 | 12 | Answer 2,400 trivia questions across eight categories.
    Secret Signals | Party Game | 4-8 players | 15 | 10 | Give one-word clues so your team can find its agents.
    Beehive Builders | Family Board Game | 1-4 players | 35 | 8 | Expand your hive and keep the queen happy.
    Shipwreck Cove | Cooperative Board Game | 1-4 players | 50 | 10 | Salvage supplies and signal a rescue ship together.
    Tiny Towns Tycoon | Strategy Board Game | 1-6 players | 45 | 10 | Plan a little town one resource at a time.
    Snack Attack | Family Card Game | 2-6 players | 15 | 6 | Match snacks fast and slap the pile first.
    Checkmate Classic | Wooden Chess Set | 2 players | 30 | 6 | A folding 15-inch wooden board with weighted pieces and felt bases.
    Backyard Bingo | Family Game | 2-12 players | 20 | 4 | Picture bingo cards for little ones who cannot read yet.
    Comet Catchers | Cooperative Card Game | 2-4 players | 25 | 8 | Play cards in silence to catch every comet in order.
    Merchant Kings | Strategy Card Game | 2 players | 30 | 10 | A tense two-player duel of trade and bluffing.
    Fox & Hen House | Family Board Game | 2-4 players | 20 | 5 | Hens scramble home before the sly fox catches them.
    Deep Sea Diver | Push-Your-Luck Game | 2-6 players | 30 | 8 | Dive for treasure while sharing one tank of air.
    Royal Recipes | Drafting Card Game | 2-5 players | 30 | 8 | Draft ingredients to cook dishes for a picky queen.
    Glacier Pass | Strategy Board Game | 2-4 players | 70 | 12 | Lead an expedition across a shifting glacier.
    Pun Run | Party Game | 3-10 players | 20 | 12 | Make the groaniest pun from three random words.
    Marble Maze Madness | Logic Game | 1 player | 15 | 7 | Solve 60 challenge cards from easy to expert.
    Night Market | Family Board Game | 2-4 players | 35 | 8 | Run a lantern-lit food stall and serve the longest queue.
    """,  # noqa: E501
)

BOARD_GAMES = Category(
    "Toys & Games > Board Games",
    ("Meeple Meadow", "Rolling Hex Games", "Gamenight Guild", "Copperpot Games"),
    (
        Kind(
            "board_game",
            "{game} {type}",
            (
                "{blurb}",
                "For {players}, ages {age} and up; a game takes about {minutes} minutes.",
                "Components are made from thick board and FSC-certified wood, with an insert"
                " that keeps everything sorted.",
                "The rules fit on two pages and a quick-start guide gets you playing in minutes.",
            ),
            price=(12, 65),
            axes={"game": _GAMES},
            keep=2,
        ),
    ),
)

CATEGORIES = (PUZZLES, BUILDING_SETS, BOARD_GAMES)
