"""Import jobs: an uploaded SBB export or crebolijst imported in the background, with progress."""
