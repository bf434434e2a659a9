"""Virtual participants: true thresholds, reaction times and noise, seeded."""
