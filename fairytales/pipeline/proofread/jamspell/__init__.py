"""The JamSpell proofreader (``backend``), its locale, model files, candidate ranking and training."""
