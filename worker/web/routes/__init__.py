"""One router per resource (style guide section 6); app.py includes each of them."""
