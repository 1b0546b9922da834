"""Demo-data steps.

Each app registers its steps in ``AppConfig.ready()``; ``manage.py seed_demo`` runs
them in order. Steps must be idempotent and accept ``(scale, progress)`` where
``progress(done, total, label)`` reports advancement.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoStep:
    name: str
    order: int
    run: callable


_steps: dict[str, DemoStep] = {}


def register_demo_step(name, order, run):
    _steps[name] = DemoStep(name=name, order=order, run=run)


def demo_steps():
    return sorted(_steps.values(), key=lambda step: (step.order, step.name))
