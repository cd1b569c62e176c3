"""The web interface for the project team (Dutch), served under /ui."""
