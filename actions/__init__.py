"""Rasa SDK action server (services runtime). rasa-sdk imports every module of this package."""
