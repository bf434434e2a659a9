"""Test procedures and battery definitions; runs over the drivers' interfaces."""
