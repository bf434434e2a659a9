"""QST.Lab TCS II thermode: the wire codec (pure, sans-IO) and, on top of it, the driver."""
