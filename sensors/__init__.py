"""Sensors: batching (and, in IntegratedSensor, augmentation) of a Source's data."""
from akid.sensors.sensor import FeedSensor, Sensor
from akid.sensors.integrated import IntegratedSensor
from akid.sensors.jokers import (CropJoker, FlipJoker, Joker, LightJoker, RescaleJoker,
                                 ResizeJoker, RotationJoker, WhitenJoker)
