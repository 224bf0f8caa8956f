"""Fixtures for the retrieval tests: a small hand-made toy-store catalog with known answers
(the real MiniLM `embedder` fixture is in tests/conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest

from retrieval.catalog import Product
from retrieval.embedder import Embedder
from retrieval.search import SearchEngine


def _p(id: str, title: str, category: str, price: float | None, **fields: Any) -> Product:
    return Product(id=id, title=title, category=category, price=price, **fields)


BUILDING = "Toys & Games > Building Toys > Building Sets"
PUZZLES = "Toys & Games > Puzzles"
BOARD_GAMES = "Toys & Games > Games > Board Games"
PLUSH = "Toys & Games > Stuffed Animals & Plush Toys > Teddy Bears"

TOY_STORE = [
    _p("lego-fire", "LEGO City Fire Station Building Kit", BUILDING, 69.99,
       brand="LEGO", color="Red", stock=5, rating=4.8,
       description="Build a fire station with a fire engine, ladder and three firefighters."),
    _p("lego-police", "LEGO City Police Car", BUILDING, 14.99,
       brand="LEGO", color="Blue", stock=0, rating=4.6,
       description="A small police car building set with one police officer minifigure."),
    _p("lego-xwing", "LEGO Star Wars X-Wing Starfighter", BUILDING, 49.99,
       brand="LEGO", color="Grey", stock=3, rating=4.9,
       description="Buildable spaceship from the Star Wars movies with Luke Skywalker."),
    _p("mega-bag", "Mega Bloks First Builders Big Building Bag", BUILDING, 19.99,
       brand="Mega Bloks", color="Blue", stock=10, rating=4.7,
       description="80 big colourful blocks for toddlers, with a storage bag."),
    _p("puzzle-night", "Starry Night 1000 Piece Jigsaw Puzzle", PUZZLES + " > Jigsaw Puzzles",
       17.99, brand="Ravensburger", color="Blue", rating=4.8,
       description="Van Gogh's famous painting as a 1000 piece puzzle for adults, ages 14+."),
    _p("puzzle-farm", "Wooden Farm Animals Peg Puzzle", PUZZLES + " > Pegged Puzzles", 9.99,
       brand="Melissa & Doug", color="Green", rating=4.7,
       description="Eight chunky wooden pieces: cow, pig, sheep and horse, for toddlers."),
    _p("puzzle-eiffel", "3D Crystal Puzzle Eiffel Tower", PUZZLES + " > 3-D Puzzles", 24.5,
       brand="Bepuzzled", color="White", rating=4.1,
       description="A transparent three dimensional puzzle of the Paris landmark."),
    _p("game-monopoly", "Monopoly Classic Board Game", BOARD_GAMES, 21.99,
       brand="Hasbro", rating=4.7,
       description="Buy, sell and trade properties in the classic family board game."),
    _p("game-catan", "Catan Strategy Board Game", BOARD_GAMES, 44.0,
       brand="Catan Studio", rating=4.9,
       description="Settle an island, trade resources and build roads and cities."),
    _p("game-uno", "UNO Card Game", "Toys & Games > Games > Card Games", 5.99,
       brand="Mattel", color="Red", rating=4.8,
       description="The classic card game of matching colors and numbers."),
    _p("art-crayons", "Crayola 64 Count Crayons with Sharpener", "Arts & Crafts > Crayons",
       4.99, brand="Crayola", rating=4.8,
       description="Sixty-four crayon colors for drawing and coloring."),
    _p("art-markers", "Washable Markers, 10 Colors", "Arts & Crafts > Markers", 7.49,
       brand="Crayola", rating=4.6,
       description="Broad line washable markers that wash off skin and clothes."),
    _p("plush-bear", "Classic Brown Teddy Bear Plush 12 Inch", PLUSH, 24.99,
       brand="GUND", color="Brown", rating=4.8,
       description="A soft, huggable bear with embroidered eyes."),
    _p("plush-unicorn", "Pink Unicorn Stuffed Animal",
       "Toys & Games > Stuffed Animals & Plush Toys > Unicorns", 19.99,
       brand="GUND", color="Pink", stock=0, rating=4.5,
       description="A plush unicorn with a glittery horn."),
    _p("scooter", "Razor A Kick Scooter for Kids", "Sports & Outdoors > Scooters", 39.99,
       brand="Razor", color="Red", stock=7, rating=4.7,
       description="Foldable aluminium kick scooter with urethane wheels."),
    _p("longboard", "Bamboo Longboard Skateboard 41 inch", "Sports & Outdoors > Skateboards",
       119.0, brand="DB Longboards", color="Black", rating=4.6,
       description="A flexible bamboo and fiberglass deck for cruising and carving."),
    _p("basketball", "Official Size Basketball", "Sports & Outdoors > Basketballs", 29.99,
       brand="Wilson", color="Orange", rating=4.7,
       description="Indoor and outdoor composite leather basketball, size 7."),
    _p("drone", "Mini Camera Drone for Beginners", "Toys & Games > Remote Control Toys", 59.99,
       brand="Holy Stone", color="Black", stock=2,
       description="A quadcopter with an HD camera, altitude hold and one key start."),
    _p("kitchen", "Play Kitchen with Lights and Sounds", "Toys & Games > Pretend Play", 129.99,
       brand="KidKraft", color="White", rating=4.4,
       description="Pretend cooking set with an oven, sink, microwave and phone."),
    _p("train", "Wooden Railway Train Set 50 Pieces", "Toys & Games > Toy Vehicles > Trains",
       None, brand="Brio", rating=4.5,
       description="Tracks, bridges and magnetic wooden train cars."),
]  # fmt: skip


@pytest.fixture(scope="session")
def toy_store() -> list[Product]:
    return TOY_STORE


@pytest.fixture(scope="session")
def engine(embedder: Embedder) -> SearchEngine:
    return SearchEngine.build(TOY_STORE, embedder)
