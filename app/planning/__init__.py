"""Traineeship planning: profiles (clusters of workplaces), rotations, learning plans and vacancy feeds."""
