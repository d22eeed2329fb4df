"""Offline tools: evaluation, calibration, benchmarks, model conversion, the IOC demo source.

Nothing here runs inside the servers (Rasa, action server, web app); runtime packages never
import from ``tools``.
"""
