"""Device drivers: codecs (pure) and drivers (port + codec) for the lab's instruments.

Lowest layer of qst: imports only pyserial and pydantic. See DESIGN.md, "Layout and layers".
"""
