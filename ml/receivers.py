"""Receivers of lower-app events (connected in ``MlConfig.ready``)."""


def connect():
    pass
