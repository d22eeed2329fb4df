"""The IOC demo source: seeded demo series, the simulator and a demo IOC REST API."""
