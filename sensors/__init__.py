"""Sensors: batching (and, in IntegratedSensor, augmentation) of a Source's data."""
from akid.sensors.sensor import FeedSensor, Sensor
