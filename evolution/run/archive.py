"""The run's past, kept compactly: every generation's champion, some whole populations, origins, tracks.

Kept for every generation: its champion (the genome ranked first, with its training score), up to
CHAMPION_GENES weights in all (the oldest dropped first: a large network keeps fewer). Kept whole, in the
order it raced (so a replay gives the same scores): the population of the last RECENT generations (at
most RECENT_ROWS genomes and RECENT_GENES weights in all), of every generation that set a new best on
its track (at most RECORD_ROWS genomes and RECORD_GENES weights in all, the oldest records dropped first),
and the landmarks a lesson goes back to: generations 0 to FIRST_KEPT and every LANDMARK_EVERY-th (at most
LANDMARK_ROWS genomes and LANDMARK_GENES weights in all: the first ones kept first, then the newest tenths).
So the archive never holds more than about archive_bytes(), whatever the network and the run's length.
For the last ORIGIN_GENERATIONS generations: each genome's origin (evolution/breeding/lineage.py) and the ranking
(raced index of each rank), which lineage needs to find a parent. The name of the track each generation raced.

Nothing here draws a random number or changes what a run computes. In a checkpoint the archive is a
PackedArchive (a few flat arrays, whatever the number of generations); a checkpoint without one (older
versions) reads as an empty archive.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from evolution.breeding.lineage import Origins

RECENT = 10  # generations whose whole population is kept, the latest
RECENT_ROWS = 20_000  # but no more genomes than this for them (at least the latest generation)
RECORD_ROWS = 20_000  # genomes of the populations kept because they set a new best
# and no more weights than these (16 MiB each: 20,000 genomes of the blog's 105 weights, so the blog's
# network meets the row bounds first; a large network keeps fewer genomes)
RECENT_GENES = RECORD_GENES = 20_000 * 105
FIRST_KEPT = 10  # generations 0..FIRST_KEPT are kept whole: "then" in a lesson's "then and now"
LANDMARK_EVERY = 10  # and every tenth generation
LANDMARK_ROWS = 20_000
LANDMARK_GENES = 20_000 * 105
CHAMPION_GENES = 4 * 2**20  # the champions' weights (32 MiB: 40,000 generations of the blog's network)
FLOAT = 8
ORIGIN_GENERATIONS = 200  # generations whose origins and ranking are kept, the latest
MAX_TRACK_SPANS = 5_000  # track changes remembered (the oldest forgotten first)


@dataclass
class PackedArchive:
    """An Archive as flat arrays, as a checkpoint stores it. *_counts/*_sizes say how the flat arrays split."""

    champion_generations: np.ndarray  # (n,) int64
    champion_scores: np.ndarray  # (n,) int64
    champion_sizes: np.ndarray  # (n,) int64: genome sizes
    champion_genes: np.ndarray  # (Σ sizes,) float64
    population_generations: np.ndarray  # (m,) int64
    population_counts: np.ndarray  # (m,) int64: genomes
    population_sizes: np.ndarray  # (m,) int64: genome sizes
    population_records: np.ndarray  # (m,) int8: 1 if kept as a record
    population_genes: np.ndarray  # (Σ counts·sizes,) float64
    origin_generations: np.ndarray  # (k,) int64
    origin_counts: np.ndarray  # (k,) int64
    origin_kind: np.ndarray  # (Σ,) int8
    origin_parent: np.ndarray  # (Σ,) int64
    origin_noise: np.ndarray  # (Σ,) float64
    order_generations: np.ndarray  # (j,) int64
    order_counts: np.ndarray  # (j,) int64
    orders: np.ndarray  # (Σ,) int64
    track_first: np.ndarray  # (t,) int64: the first generation of each span of one track
    track_names: list[str] = field(default_factory=list)  # (t,)
    record_score: int = -1
    record_track: str = ""


def _split(flat: np.ndarray, lengths: np.ndarray) -> list[np.ndarray]:
    return np.split(flat, np.cumsum(lengths)[:-1]) if len(lengths) else []


def _ints(values) -> np.ndarray:
    return np.asarray(list(values), dtype=np.int64)


class Archive:
    """The run's past (see the module's docstring); RunState.archive. Appended to as generations close."""

    packed_type = PackedArchive

    def __init__(self) -> None:
        self.champions: dict[int, tuple[int, np.ndarray]] = {}  # generation -> (training score, genome (D,))
        self.populations: dict[int, np.ndarray] = {}  # generation -> (P, D) in the order raced
        self.records: set[int] = set()  # generations kept because they set a new best on their track
        self.landmarks: set[int] = set()  # generations kept as landmarks (is_landmark)
        self.origins: dict[int, Origins] = {}  # generation -> each genome's origin, in the order raced
        self.orders: dict[int, np.ndarray] = {}  # generation -> (P,) the raced index of each rank
        self.tracks: list[tuple[int, str]] = []  # (first generation, track name), in order
        self.record_score = -1  # the best training score on record_track so far
        self.record_track = ""
        self._champion_genes = 0  # the weights of the champions kept

    # ---- growing --------------------------------------------------------------------------
    def note_origins(self, generation: int, origins: Origins | None) -> None:
        """The origins of the generation just asked for (None: the strategy did not say)."""
        if origins is not None:
            self.origins[generation] = origins
        else:
            self.origins.pop(generation, None)
        self._trim_origins(generation)

    def keep(self, generation: int, genomes: np.ndarray, order: np.ndarray, scores: np.ndarray, track: str) -> None:
        """A generation closed: genomes (P, D) as raced, order (P,) raced index of each rank (best first),
        scores (P,) their training scores as raced, track the name of the track raced."""
        champion = int(order[0])
        self._keep_champion(generation, int(scores[champion]), np.array(genomes[champion], dtype=np.float64))
        self.orders[generation] = np.asarray(order, dtype=np.int64).copy()
        if not self.tracks or self.tracks[-1][1] != track:
            self.tracks.append((generation, track))
            del self.tracks[:-MAX_TRACK_SPANS]
        best = int(np.max(scores))
        if track != self.record_track or best > self.record_score:
            self.record_track, self.record_score = track, best
            self.records.add(generation)
        self.populations[generation] = np.asarray(genomes, dtype=np.float64)  # a run never changes a raced population
        if is_landmark(generation):
            self.landmarks.add(generation)
        self._trim(generation)

    def _keep_champion(self, generation: int, score: int, genome: np.ndarray) -> None:
        """Add a champion; drop the oldest while the champions hold more than CHAMPION_GENES weights (the
        newest is always kept)."""
        self.champions[generation] = (score, genome)
        self._champion_genes += genome.size
        while self._champion_genes > CHAMPION_GENES and len(self.champions) > 1:
            oldest = next(iter(self.champions))  # champions arrive in generation order (from_packed sorts them)
            self._champion_genes -= self.champions.pop(oldest)[1].size

    def _trim(self, latest: int) -> None:
        """Drop the populations beyond the bounds (see the module's docstring)."""
        recent = sorted((g for g in self.populations if g not in self.records | self.landmarks), reverse=True)
        rows = genes = 0
        for index, generation in enumerate(recent):
            rows += len(self.populations[generation])
            genes += self.populations[generation].size
            too_many = rows > RECENT_ROWS or genes > RECENT_GENES
            if index and (index >= RECENT or too_many or generation <= latest - RECENT):
                del self.populations[generation]
        records = sorted(self.records, reverse=True)
        rows = genes = 0
        for index, generation in enumerate(records):
            kept = self.populations.get(generation)
            rows += 0 if kept is None else len(kept)
            genes += 0 if kept is None else kept.size
            if index and (rows > RECORD_ROWS or genes > RECORD_GENES):
                self.records.discard(generation)
                if generation not in self.landmarks:
                    self.populations.pop(generation, None)
        # landmarks: the first generations first, then the newest tenths (the oldest tenths dropped first)
        first = sorted(g for g in self.landmarks if g <= FIRST_KEPT)
        tenths = sorted((g for g in self.landmarks if g > FIRST_KEPT), reverse=True)
        rows = genes = 0
        for index, generation in enumerate(first + tenths):
            kept = self.populations.get(generation)
            rows += 0 if kept is None else len(kept)
            genes += 0 if kept is None else kept.size
            if index and (rows > LANDMARK_ROWS or genes > LANDMARK_GENES):
                self.landmarks.discard(generation)
                if generation not in self.records and generation <= latest - RECENT:
                    self.populations.pop(generation, None)
        self._trim_origins(latest)

    def _trim_origins(self, latest: int) -> None:
        for kept in (self.origins, self.orders):
            for generation in [g for g in kept if g <= latest - ORIGIN_GENERATIONS]:
                del kept[generation]

    # ---- reading --------------------------------------------------------------------------
    def champion(self, generation: int) -> tuple[int, np.ndarray] | None:
        """(training score, genome (D,)) of the generation's champion, or None if not raced."""
        return self.champions.get(generation)

    def population(self, generation: int) -> np.ndarray | None:
        """(P, D) the whole generation in the order it raced, or None if not kept."""
        return self.populations.get(generation)

    def track_name(self, generation: int) -> str | None:
        """The name of the track the generation raced, or None if not known."""
        name = None
        for first, track in self.tracks:
            if first > generation:
                break
            name = track
        return name

    def index_of_rank(self, generation: int, rank: int) -> int | None:
        """The raced index of the genome ranked `rank` in `generation`, if its ranking is kept."""
        order = self.orders.get(generation)
        return int(order[rank]) if order is not None and 0 <= rank < len(order) else None

    def nbytes(self) -> int:
        """The bytes of its arrays (what a checkpoint stores and memory holds, less Python's overheads)."""
        packed = self.to_packed()
        return sum(value.nbytes for value in vars(packed).values() if isinstance(value, np.ndarray))

    # ---- checkpoints ----------------------------------------------------------------------
    def to_packed(self) -> PackedArchive:
        champions = sorted(self.champions)
        populations = sorted(self.populations)
        origins = sorted(self.origins)
        orders = sorted(self.orders)
        genes = [self.champions[g][1] for g in champions]
        blocks = [self.populations[g] for g in populations]
        parts = [self.origins[g] for g in origins]
        return PackedArchive(
            champion_generations=_ints(champions),
            champion_scores=_ints(self.champions[g][0] for g in champions),
            champion_sizes=_ints(len(genome) for genome in genes),
            champion_genes=np.concatenate(genes) if genes else np.zeros(0),
            population_generations=_ints(populations),
            population_counts=_ints(block.shape[0] for block in blocks),
            population_sizes=_ints(block.shape[1] for block in blocks),
            # 1 a record, 2 a landmark, 3 both
            population_records=np.array(
                [(g in self.records) + 2 * (g in self.landmarks) for g in populations], dtype=np.int8
            ),
            population_genes=np.concatenate([block.ravel() for block in blocks]) if blocks else np.zeros(0),
            origin_generations=_ints(origins),
            origin_counts=_ints(len(part) for part in parts),
            origin_kind=np.concatenate([p.kind for p in parts]) if parts else np.zeros(0, np.int8),
            origin_parent=np.concatenate([p.parent for p in parts]) if parts else np.zeros(0, np.int64),
            origin_noise=np.concatenate([p.noise for p in parts]) if parts else np.zeros(0),
            order_generations=_ints(orders),
            order_counts=_ints(len(self.orders[g]) for g in orders),
            orders=np.concatenate([self.orders[g] for g in orders]) if orders else np.zeros(0, np.int64),
            track_first=_ints(first for first, _ in self.tracks),
            track_names=[name for _, name in self.tracks],
            record_score=self.record_score,
            record_track=self.record_track,
        )

    @classmethod
    def from_packed(cls, packed: PackedArchive) -> Archive:
        """The archive a checkpoint stored; ValueError if its arrays do not fit together."""
        p = packed
        archive = cls()
        ints = ("iu", "champion_generations", "champion_scores", "champion_sizes", "population_generations")
        ints += ("population_counts", "population_sizes", "origin_generations", "origin_counts", "origin_parent")
        ints += ("order_generations", "order_counts", "orders", "track_first", "population_records", "origin_kind")
        for name in ints[1:]:
            array = getattr(p, name)
            if array.ndim != 1 or array.dtype.kind not in "iu":
                raise ValueError(f"the archive's {name} should be whole numbers")
        for name in ("champion_genes", "population_genes", "origin_noise"):
            array = getattr(p, name)
            if array.ndim != 1 or array.dtype.kind != "f" or not np.isfinite(array).all():
                raise ValueError(f"the archive's {name} should be finite numbers")

        def lengths(counts: np.ndarray, total: int, what: str) -> None:
            if (counts < 0).any() or int(counts.sum()) != total:
                raise ValueError(f"the archive's {what} do not add up")

        n = len(p.champion_generations)
        if not len(p.champion_scores) == len(p.champion_sizes) == n:
            raise ValueError("the archive's champions do not fit together")
        lengths(p.champion_sizes, len(p.champion_genes), "champions")
        genomes = _split(p.champion_genes, p.champion_sizes)
        champions = zip(p.champion_generations.tolist(), p.champion_scores.tolist(), genomes)
        for g, score, genome in sorted(champions, key=lambda champion: champion[0]):
            archive._keep_champion(int(g), int(score), genome.astype(np.float64))
        m = len(p.population_generations)
        if not len(p.population_counts) == len(p.population_sizes) == len(p.population_records) == m:
            raise ValueError("the archive's populations do not fit together")
        lengths(p.population_counts * p.population_sizes, len(p.population_genes), "populations")
        blocks = _split(p.population_genes, p.population_counts * p.population_sizes)
        for g, count, size, record, block in zip(
            p.population_generations, p.population_counts, p.population_sizes, p.population_records, blocks
        ):
            archive.populations[int(g)] = block.astype(np.float64).reshape(int(count), int(size))
            if not 0 <= record <= 3:
                raise ValueError("the archive's records are damaged")
            if record & 1:
                archive.records.add(int(g))
            if record & 2:
                archive.landmarks.add(int(g))
        k = len(p.origin_generations)
        if len(p.origin_counts) != k or not len(p.origin_kind) == len(p.origin_parent) == len(p.origin_noise):
            raise ValueError("the archive's origins do not fit together")
        lengths(p.origin_counts, len(p.origin_kind), "origins")
        for g, kind, parent, noise in zip(
            p.origin_generations,
            _split(p.origin_kind, p.origin_counts),
            _split(p.origin_parent, p.origin_counts),
            _split(p.origin_noise, p.origin_counts),
        ):
            archive.origins[int(g)] = Origins(kind.astype(np.int8), parent.astype(np.int64), noise.astype(np.float64))
        if len(p.order_counts) != len(p.order_generations):
            raise ValueError("the archive's rankings do not fit together")
        lengths(p.order_counts, len(p.orders), "rankings")
        for g, order in zip(p.order_generations, _split(p.orders, p.order_counts)):
            if ((order < 0) | (order >= len(order))).any():
                raise ValueError("the archive's rankings are damaged")
            archive.orders[int(g)] = order.astype(np.int64)
        if len(p.track_first) != len(p.track_names) or (np.diff(p.track_first) < 0).any():
            raise ValueError("the archive's tracks do not fit together")
        archive.tracks = [(int(first), name) for first, name in zip(p.track_first, p.track_names)]
        archive.record_score, archive.record_track = p.record_score, p.record_track
        return archive

    def check(self, generation: int) -> None:
        """ValueError unless every generation kept is one already raced (or, for origins, being raced)."""
        for what, kept, last in (
            ("champions", self.champions, generation - 1),
            ("populations", self.populations, generation - 1),
            ("rankings", self.orders, generation - 1),
            ("origins", self.origins, generation),
        ):
            if any(not 0 <= g <= last for g in kept):
                raise ValueError(f"the archive keeps {what} of generations not raced")
        if not (self.records | self.landmarks) <= set(self.populations):
            raise ValueError("the archive's records are damaged")


def archive_bytes(population: int, genome_size: int, generations: int | None = None) -> int:
    """About the most bytes an archive of a run with this population and genome size ever holds: its
    populations (at least one generation each, recent and records), champions, and origins and rankings;
    with generations (the number of generations the run races, if bounded) no more than that many of each."""
    population, genome_size = int(population), int(genome_size)
    one = population * genome_size
    recent = max(min(RECENT_ROWS * genome_size, RECENT_GENES), one)
    records = max(min(RECORD_ROWS * genome_size, RECORD_GENES), one)
    landmarks = max(min(LANDMARK_ROWS * genome_size, LANDMARK_GENES), one)
    champions = CHAMPION_GENES + genome_size
    lineage = ORIGIN_GENERATIONS * population * 4  # kind, parent, noise and rank of each genome
    if generations is not None:
        raced = max(1, int(generations))
        recent = min(recent, max(one, min(RECENT, raced) * one))
        records = min(records, raced * one - min(recent, raced * one))  # a generation is kept once at most
        champions = min(champions, raced * genome_size)
        lineage = min(lineage, raced * population * 4)
        landmarks = min(landmarks, (FIRST_KEPT + 1 + raced // LANDMARK_EVERY) * one)
    return (recent + records + landmarks + champions + lineage) * FLOAT


def is_landmark(generation: int) -> bool:
    """True for the generations whose whole population is kept for lessons: the first ones, and every tenth."""
    return generation <= FIRST_KEPT or generation % LANDMARK_EVERY == 0
