"""Employment basins and the Loiret communes that map to them."""
