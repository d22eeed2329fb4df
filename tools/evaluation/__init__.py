"""Evaluations and calibration (``bin/assistant eval …``)."""
