"""Repeat a measurement, summarise it, print a table and write JSON."""

import json
import statistics
import time
from dataclasses import asdict, dataclass, field


@dataclass
class Figure:
    name: str
    unit: str
    samples: list = field(default_factory=list)
    note: str = ""

    @property
    def median(self):
        return statistics.median(self.samples) if self.samples else float("nan")

    def as_dict(self):
        data = asdict(self)
        data.update(median=self.median, min=min(self.samples, default=None), max=max(self.samples, default=None))
        return data


@dataclass
class Ratio:
    name: str
    value: float
    target: str
    met: bool

    def as_dict(self):
        return asdict(self)


class Report:
    def __init__(self):
        self.figures, self.ratios, self.started = [], [], time.time()
        self.notes = []  # free text printed after the table: query plans, what was seeded

    def figure(self, name, unit, samples, note=""):
        fig = Figure(name, unit, list(samples), note)
        self.figures.append(fig)
        return fig

    def ratio(self, name, value, target, met):
        self.ratios.append(Ratio(name, value, target, bool(met)))

    def note(self, text):
        self.notes.append(text)

    def print(self):
        for text in self.notes:
            print(f"\n{text}")
        width = max([len(f.name) for f in self.figures] + [len(r.name) for r in self.ratios] + [10])
        print(f"\n{'figure':<{width}}  {'median':>12}  {'min':>12}  {'max':>12}  unit")
        for f in self.figures:
            lo, hi = min(f.samples, default=float("nan")), max(f.samples, default=float("nan"))
            print(f"{f.name:<{width}}  {f.median:>12.4g}  {lo:>12.4g}  {hi:>12.4g}  {f.unit}  {f.note}")
        if self.ratios:
            print(f"\n{'ratio':<{width}}  {'value':>12}  target")
            for r in self.ratios:
                print(f"{r.name:<{width}}  {r.value:>12.3f}  {r.target}  {'MET' if r.met else 'MISSED'}")

    def write_json(self, path):
        with open(path, "w") as fh:
            json.dump(
                {
                    "figures": [f.as_dict() for f in self.figures],
                    "ratios": [r.as_dict() for r in self.ratios],
                    "notes": self.notes,
                    "seconds": time.time() - self.started,
                },
                fh,
                indent=2,
                ensure_ascii=False,
            )
