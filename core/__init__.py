"""Small tools with no dependency on the rest of pqrbot (time); every layer may use them."""
