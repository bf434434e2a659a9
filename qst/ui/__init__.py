"""The technician's terminal UI (`qst run`): pick the visit, check the devices, run the
tests, close the visit. See `qst.ui.app.QstApp`; `qst.ui.launch` starts it for the CLI."""
