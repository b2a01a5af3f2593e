"""Jokers: augmentation blocks a sensor applies to each batch (akid's name for them)."""
from akid.sensors.jokers.base import Joker
from akid.sensors.jokers.geometric import (CropJoker, FlipJoker, ResizeJoker, RotationJoker, crop,
                                           flip_some, rotate)
from akid.sensors.jokers.photometric import LightJoker, RescaleJoker, WhitenJoker

__all__ = ["Joker", "FlipJoker", "CropJoker", "ResizeJoker", "RotationJoker", "LightJoker",
           "RescaleJoker", "WhitenJoker", "crop", "flip_some", "rotate"]
