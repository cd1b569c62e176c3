"""skillmatch: skills-based matching of mbo qualifications to workplaces."""

__version__ = "0.5.0"
