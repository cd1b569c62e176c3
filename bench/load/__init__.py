"""Load test of the HTTP service (wrk against `skillmatch serve` on loopback); see __main__."""
