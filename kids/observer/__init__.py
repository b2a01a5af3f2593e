"""The Observer: pictures of what a kid learned (filters, activations, predictions,
training curves, distributions, the block graph), saved as PNGs and shown inline."""
from akid.kids.observer.observer import Observer
