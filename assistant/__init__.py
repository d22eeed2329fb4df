"""Code that runs inside the Rasa runtime (Python 3.10): NLU components and the CLI."""
