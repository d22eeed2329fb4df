"""Live IOC indicators: catalog, administrative units, sources, parsing, answers and charts."""
