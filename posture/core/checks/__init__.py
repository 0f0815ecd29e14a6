"""Is the user in a stretch's position? Pure geometry on one pose against the relaxed pose:
`positions.check` and `sides.side_of`, measured against `reference.ReferenceTracker`."""
