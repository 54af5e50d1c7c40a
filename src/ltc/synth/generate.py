"""Build a synthetic health community and write it as extracts or straight into the store
(POP-1, POP-2, POP-3: test and demo data).

``ltc synth`` writes the documented CSV extracts (one folder per source and period), so
a synthetic community exercises ingest exactly as a real one does; ``direct=True``
writes typed tables straight into the record store instead (the fast path).

The ground truth, each person's true probability of at least one emergency admission
in the 12 months after each index date, goes to a separate folder that nothing in the
pipeline reads, so models can be judged against this oracle.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ltc.records.schema import TABLES
from ltc.records.store import Batch, RecordStore, Staged
from ltc.synth import activity, health, identity, population
from ltc.synth.draw import Chunk, text
from ltc.synth.population import Community

#: Which source sends each generated table (diagnoses are split by setting).
SOURCE_OF: dict[str, str] = {
    "locality": "gp", "practice": "gp", "person": "gp", "gp_consultation": "gp",
    "prescription": "gp", "observation": "gp", "social_fact": "gp",
    "inpatient_spell": "acute", "ae_attendance": "acute", "outpatient_attendance": "acute",
    "ambulance_incident": "ambulance", "community_contact": "community",
    "social_care_contact": "social_care", "social_care_package": "social_care",
    "dispensing": "pharmacy",
}
PLACE_WORDS = ("Castle", "Market", "Church", "Mill", "Park", "Station", "Bridge", "Abbey",
               "Meadow", "Forest", "Valley", "Orchard", "Riverside", "Victoria", "Hill",
               "Willow", "Oak", "Canal", "Priory", "Beacon")
PLACE_KINDS = ("Surgery", "Medical Centre", "Health Centre", "Medical Practice")
LOCALITY_WORDS = ("North", "South", "East", "West", "Central", "City", "Rural", "Coastal",
                  "Vale", "Uplands", "Riverside", "Moor")

ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True)
class Options:
    people: int
    seed: int = 1
    end: date = date(2025, 3, 31)
    chunk_size: int = 200_000

    @property
    def period(self) -> str:
        return f"{self.end:%Y-%m}"


@dataclass
class Counters:
    """Next record identifier per table, so identifiers are unique across chunks."""

    next_id: dict[str, int] = field(default_factory=dict)

    def take(self, table: str, count: int) -> tuple[int, pa.Array]:
        start = self.next_id.get(table, 1)
        self.next_id[table] = start + count
        ids = text(np.arange(start, start + count))
        return start, ids


def _social(rng: np.random.Generator, c: Community, h: health.Health) -> None:
    age = c.age
    alone_p = np.select([age < 18, age < 65, age < 75, age < 85], [0.0, 0.12, 0.25, 0.35],
                        0.55)
    c.lives_alone = rng.random(c.size) < alone_p
    need = h.frailty + 0.05 * np.maximum(age - 65, 0)
    c.has_carer = ((age >= 65) & (need > 1.2) & (rng.random(c.size) < 0.6)) | (
        (age < 65) & (need > 2.2) & (rng.random(c.size) < 0.4))
    carer_p = np.select([age < 18, age < 40, age < 76], [0.0, 0.05, 0.12], 0.06)
    c.is_carer = rng.random(c.size) < carer_p


def _practice_tables(c: Community) -> dict[str, pa.Table]:
    n_loc = c.n_localities
    loc_codes = [f"LOC{k + 1:02d}" for k in range(n_loc)]
    loc_names = [f"{LOCALITY_WORDS[k % len(LOCALITY_WORDS)]}"
                 + (f" {k // len(LOCALITY_WORDS) + 1}" if k >= len(LOCALITY_WORDS) else "")
                 + " Locality" for k in range(n_loc)]
    n_prac = len(c.practice_sizes)
    codes = [f"Z{k + 1:05d}" for k in range(n_prac)]
    names = [f"{PLACE_WORDS[k % len(PLACE_WORDS)]} "
             f"{PLACE_KINDS[(k // len(PLACE_WORDS)) % len(PLACE_KINDS)]}"
             + (f" {k // (len(PLACE_WORDS) * len(PLACE_KINDS)) + 1}"
                if k >= len(PLACE_WORDS) * len(PLACE_KINDS) else "") for k in range(n_prac)]
    locality = pa.table({"locality_code": loc_codes, "name": loc_names},
                        schema=TABLES["locality"].arrow_schema)
    practice = pa.table({
        "practice_code": codes, "name": names,
        "locality_code": [loc_codes[i] for i in c.practice_locality],
        "list_size": pa.array(c.practice_sizes, pa.int64()),
    }, schema=TABLES["practice"].arrow_schema)
    return {"locality": locality, "practice": practice}


def _person_table(rng: np.random.Generator, c: Community, h: health.Health,
                  people: np.ndarray, seed: int, identity_rng: np.random.Generator
                  ) -> pa.Table:
    loc = c.practice_locality[c.practice[people]]
    district_number = loc * 6 + rng.integers(1, 7, len(people))
    district = np.char.add("LT", district_number.astype(str))
    lsoa_index = c.practice[people] * 40 + (c.deprivation[people] * 3 + 20).astype(
        np.int64).clip(0, 39)
    dead = h.death_day[people] < health.NEVER
    columns = {
        "nhs_number": text(c.nhs_number[people]),
        "date_of_birth": pa.array(c.dob_days[people].astype(np.int32)).cast(pa.date32()),
        "sex": pa.array(np.where(c.male[people], "M", "F")),
        "practice_code": pa.array(np.char.add("Z", np.char.zfill(
            (c.practice[people] + 1).astype(str), 5))),
        "postcode_district": pa.array(district),
        "lsoa": pa.array(np.char.add("E01", (900000 + lsoa_index).astype(str))),
        "imd_decile": pa.array(c.imd_decile[people]),
        "lives_alone": pa.array(c.lives_alone[people]),
        "has_carer": pa.array(c.has_carer[people]),
        "is_carer": pa.array(c.is_carer[people]),
        "date_of_death": pa.array(h.death_day[people].astype(np.int32), pa.int32(),
                                  mask=~dead).cast(pa.date32()),
        **identity.generate(identity_rng, seed, c.male[people], c.age[people], district,
                            district_number),
    }
    n = len(people)
    return pa.table({f.name: columns.get(f.name, pa.nulls(n, f.arrow_type))
                     for f in TABLES["person"].fields}, schema=TABLES["person"].arrow_schema)


def _with_ids(name: str, columns: dict[str, pa.Array], counters: Counters,
              prescription_start: int | None = None) -> pa.Table:
    spec = TABLES[name]
    n = len(next(iter(columns.values())))
    _, ids = counters.take(name, n)
    cols = dict(columns)
    cols["record_id"] = ids
    if name == "dispensing":
        rows = np.asarray(cols.pop("_prescription_row"))
        cols["prescription_id"] = text(rows + (prescription_start or 1))
    if name == "ambulance_incident" and "conveyed" not in cols:
        cols["conveyed"] = pa.array(np.asarray(cols["outcome"]) == "conveyed")
    return pa.table({f.name: cols.get(f.name, pa.nulls(n, f.arrow_type)) for f in spec.fields},
                    schema=spec.arrow_schema)


def _source_of(name: str, data: pa.Table) -> Iterator[tuple[str, pa.Table]]:
    if name == "diagnosis":
        setting = np.asarray(data.column("setting"))
        yield "gp", data.filter(pa.array(setting == "primary"))
        yield "acute", data.filter(pa.array(setting == "secondary"))
    else:
        yield SOURCE_OF[name], data


def community_tables(options: Options, truth_dir: Path | None = None,
                     progress: ProgressFn | None = None
                     ) -> Iterator[tuple[str, str, pa.Table]]:
    """Yield (source, table, rows) chunk by chunk, in NHS-number order per table."""
    rng = np.random.default_rng(options.seed)
    c = population.build(rng, options.people, options.end)
    h = health.build(rng, c)
    _social(rng, c, h)
    if truth_dir is not None:
        write_truth(truth_dir, options, c, h)
    for name, data in _practice_tables(c).items():
        yield "gp", name, data
    counters = Counters()
    total = c.size
    for lo in range(0, total, options.chunk_size):
        hi = min(total, lo + options.chunk_size)
        chunk_rng = np.random.default_rng([options.seed, lo])
        events = activity.generate(chunk_rng, c, h, Chunk(lo, hi))
        # identities draw from their own stream, so adding them changed nothing else
        yield "gp", "person", _person_table(chunk_rng, c, h, np.arange(lo, hi), options.seed,
                                            np.random.default_rng([options.seed, lo, 1]))
        prescription_start = counters.next_id.get("prescription", 1)
        for name, columns in events.items():
            start = prescription_start if name == "dispensing" else None
            data = _with_ids(name, columns, counters, start)
            yield from ((source, name, part) for source, part in _source_of(name, data))
        if progress:
            progress(hi, total)


def write_truth(folder: Path, options: Options, c: Community, h: health.Health) -> Path:
    """The oracle: true P(at least one emergency admission in 12 months) per index date."""
    folder.mkdir(parents=True, exist_ok=True)
    parts = []
    for y in (1, 2):
        index_day = int(h.year_start[y])
        alive = h.death_day > index_day
        born = c.dob_days <= index_day
        keep = alive & born
        parts.append(pa.table({
            "nhs_number": text(c.nhs_number[keep]),
            "index_date": pa.array(np.full(keep.sum(), index_day, np.int32)).cast(pa.date32()),
            "probability": pa.array(h.admission_probability(y)[keep]),
        }))
    path = folder / "emergency_admission_truth.parquet"
    pq.write_table(pa.concat_tables(parts), path)
    index_dates = [str(date(1970, 1, 1) + timedelta(days=int(h.year_start[y]))) for y in (1, 2)]
    (folder / "truth.json").write_text(json.dumps({
        "people": options.people, "seed": options.seed, "history_end": str(options.end),
        "index_dates": index_dates,
        "outcome": "at least one emergency admission (admission method 21-2D, 28) in the "
                   "12 months starting on the index date",
        "note": "ground truth of the synthetic generator; the pipeline never reads it",
    }, indent=1))
    return path


def write_extracts(out: Path, options: Options, truth_dir: Path | None = None,
                   progress: ProgressFn | None = None) -> list[Path]:
    """Write CSV extracts ``out/<source>/<period>/<table>.csv``; returns the folders."""
    writers: dict[tuple[str, str], pacsv.CSVWriter] = {}
    sinks = []
    folders: set[Path] = set()
    try:
        for source, name, data in community_tables(options, truth_dir, progress):
            key = (source, name)
            if key not in writers:
                folder = out / source / options.period
                folder.mkdir(parents=True, exist_ok=True)
                folders.add(folder)
                sink = open(folder / f"{name}.csv", "wb")  # noqa: SIM115
                sinks.append(sink)
                fields = [f.name for f in TABLES[name].extract_fields]
                sink.write((",".join(fields) + "\n").encode())
                writers[key] = pacsv.CSVWriter(sink, data.select(fields).schema,
                                               write_options=pacsv.WriteOptions(
                                                   include_header=False,
                                                   quoting_style="needed"))
            writers[key].write_table(data.select(
                [f.name for f in TABLES[name].extract_fields]))
    finally:
        for writer in writers.values():
            writer.close()
        for sink in sinks:
            sink.close()
    return sorted(folders)


def write_store(store: RecordStore, options: Options, truth_dir: Path | None = None,
                progress: ProgressFn | None = None) -> None:
    """The fast path: typed tables straight into the record store, one batch per source.

    Chunks are staged on disk beside the store, so memory stays bounded at any size.
    """
    store.root.parent.mkdir(parents=True, exist_ok=True)
    fingerprint = f"synth-{options.people}-{options.seed}-{options.end}"
    with tempfile.TemporaryDirectory(dir=store.root.parent, prefix=".staging-") as tmp:
        writers: dict[tuple[str, str], pq.ParquetWriter] = {}
        rows: dict[tuple[str, str], int] = {}
        try:
            for source, name, data in community_tables(options, truth_dir, progress):
                key = (source, name)
                if key not in writers:
                    writers[key] = pq.ParquetWriter(Path(tmp) / f"{source}__{name}.parquet",
                                                    TABLES[name].arrow_schema)
                    rows[key] = 0
                writers[key].write_table(data)
                rows[key] += data.num_rows
        finally:
            for writer in writers.values():
                writer.close()
        for source in sorted({s for s, _ in writers}):
            tables: dict[str, pa.Table | Staged] = {
                name: Staged(Path(tmp) / f"{s}__{name}.parquet", rows[(s, name)])
                for (s, name) in writers if s == source}
            store.commit(Batch(source, options.period, f"{fingerprint}-{source}", tables))
