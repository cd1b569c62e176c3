"""Served matches: each use case (a stored workplace, an ad-hoc workplace, the reverse fit) as one call."""
