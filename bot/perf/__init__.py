"""Performance: start-up patches of Rasa, the windowed tracker store, metrics and health."""
