"""One request → world calls → encoded replies (`routes.ROUTES` maps each message id to its
parser and handler); the market clock's per-tick pushes (`clock.py`)."""
