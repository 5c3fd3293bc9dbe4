"""The demo shop and the first-start set-up: the top floor, using every app; none uses it."""
