"""The pure pipeline: pose types, metrics, profiles and calibration arithmetic, assessment and
score, alert policy, stretch library and suggestion, position checks and the guided stretch's
counting. Standard library and numpy only: no camera, model, window, speech, database, clock
or thread, so every stage is tested with recorded or synthetic input."""
