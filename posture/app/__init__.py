"""The program: the pipeline driver, the live monitor, the guided stretch, reports, doctor and
the command line, built from `posture.core` and `posture.io`."""
