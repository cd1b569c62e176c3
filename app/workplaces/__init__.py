"""workplaces."""
