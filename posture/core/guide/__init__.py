"""The guided stretch, pure: `counting` (holds and reps from the debounced position, or by the
clock) and `session` (reference, check, debounce and counter over a sequence of poses)."""
