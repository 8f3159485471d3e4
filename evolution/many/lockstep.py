"""Runs in lockstep (--compare): no run races generation g+1 before every run has closed generation g.

One scheduler for the headless comparison and the window. It works in rounds: a round is the generation of the
runs furthest behind (every run, but for a comparison resumed from a checkpoint written in the middle of one);
their races start together, are raced, close, and only then does the next round start. A round's races are
raced as one race (joined: headless, and the window in turbo; evolution/many/together.py), its extra tracks in one
stacked race, or side by side, each run's race its own, stepped to the same column (the window at a set speed,
which draws them; and runs whose races cannot be joined: other tracks, other networks). step() does a slice of
that work (a frame's, up to a number of columns and a deadline); run() does all of it. Every run's numbers are
those it makes alone: the races and the closing are the same, only when they happen differs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from evolution.breeding.strategies import NotFinite
from evolution.many.together import JointExtras, can_join, joint_extras, joint_race, split
from evolution.racing.race import Race
from evolution.racing.track import Track
from evolution.run.champion_drives import STEPS_PER_GENERATION, JointDrives
from evolution.run.evolve import Evolution
from evolution.run.stepper import RunStepper, before


class Lockstep:
    """Several runs stepped in lockstep, round by round; `runs` are their RunSteppers (each with its race, for
    drawing)."""

    def __init__(
        self,
        evolutions: list[Evolution],
        trail_length: int = 0,
        slice_seconds: float | None = None,
        after_round: Callable[[], None] = lambda: None,
        share_drives: bool = False,
        drives_at_end: bool = False,
        stop_alone: bool = False,
    ) -> None:
        """trail_length: the trail each run's race keeps (drawing); slice_seconds: the closing work between two
        looks at the clock (None: headless, in one go); after_round: called whenever a round has closed, every run
        having raced the same generations (to write a checkpoint); share_drives: while joined, the champions'
        test drives of every run race as one batch too (JointDrives: the results come a round later);
        drives_at_end: the champions' test drives of every run wait for the end, then race as one batch (a sweep:
        nothing is drawn, and one batch costs the fewest steps); stop_alone: a run whose numbers overflow
        (NotFinite) stops at its last finite state and the others go on (stopped says which and why), instead of
        the error stopping every run."""
        self.runs = [RunStepper(evolution, trail_length, slice_seconds, in_lockstep=True) for evolution in evolutions]
        self.slice_seconds = slice_seconds
        self.after_round = after_round
        self.share_drives = share_drives
        self.drives_at_end = drives_at_end
        self.stop_alone = stop_alone
        self.stopped: dict[int, str] = {}  # stop_alone: a stopped run's index -> why (its last drives: the caller's)
        self._index = {id(run): index for index, run in enumerate(self.runs)}
        self._members: list[RunStepper] = []  # the runs racing the round under way
        self._generation = 0  # the generation they race
        self._take_round()
        self._ending = False  # every run has raced all its generations: their last test drives
        self._joint: Race | None = None  # the round's races raced as one
        self._extras: JointExtras | None = None  # then the round's extra tracks, raced as one
        self._parts: list[Race] = []  # the joint race split back, waiting for the extra tracks
        self._drives: JointDrives | None = None  # while joined (share_drives): every run's champion drives as one
        self._driving: Iterator[None] | None = None  # the joint drives' work of the round, in slices
        self._drove = False  # the joint drives have had their turn this round
        self._chunk = 1  # columns raced between two looks at the clock, grown while they fit
        if drives_at_end:
            self._drives = JointDrives([evolution.champion_drives for evolution in evolutions])
            self._drives.start()

    @property
    def complete(self) -> bool:
        """True when the last round is over (after_round called) and every run is complete (raced, closed, every
        champion's test drive reported)."""
        return self._ending and all(run.complete for run in self.runs)

    def run(self) -> None:
        """Every run to its end, as one job (headless): round after round, then every run's last test drives."""
        self.step()

    def step(self, columns: int | None = None, deadline: float | None = None, joined: bool = True) -> None:
        """Advance the runs: the round's races up to `columns` columns further (None: no limit), and the closing
        work, until `deadline` (a time.perf_counter() value; None: until the columns are used, or the end).
        joined: the round's races raced as one race (nothing to draw of them live); else side by side. A joint
        race under way when joined turns false is raced to its end first."""
        if not joined:
            self.finish_joint()
        elif self.share_drives:
            self._share_drives()
        budget = columns
        while not self.complete and before(deadline):
            if self._next_round():
                continue
            raced = self._race(budget, deadline, joined) if budget is None or budget > 0 else 0
            if budget is not None:
                budget -= raced
            worked = self._work(deadline)
            if not raced and not worked:
                break  # the columns are used, or a race is being prepared on a thread

    def step_one(self) -> None:
        """One column of every race of the round, side by side (→ while paused): what is closing closes first, and
        a joint race is raced to its end, so that the step is seen."""
        self.finish_joint()
        self.close_now()
        self._next_round(in_background=False)
        self.step(1, time.perf_counter() + 0.008, joined=False)

    def close_now(self) -> None:
        """Every run's closing generation closed now (before a checkpoint, or quitting); a joint race is left as it
        is (its runs' generation is still pending)."""
        for run in self.runs:
            run.close_generation_now()

    def finish_joint(self) -> None:
        """A joint race left half raced (the window's turbo ended) is raced to its end now with its extra tracks,
        and handed to its runs; the champions' joint drives are finished, and each run drives its own again."""
        if self._joint is not None:
            self._joint.run()
            self._hand_out()
        if self._extras is not None:
            self._extras.race.run()
            self._give()
        self._stop_drives()

    def set_track(self, track: Track) -> None:
        """Every run trains on `track` from the generation under way (raced again there; after it, if it closes):
        a joint race under way is dropped, the runs' races begin again."""
        self._joint, self._extras, self._parts = None, None, []
        for run in self.runs:
            run.set_track(track)

    # ---- rounds --------------------------------------------------------------------------------------------
    def _take_round(self) -> None:
        """The next round's runs: those not done racing, at the lowest generation among them (none at the end)."""
        going = [run for run in self.runs if not run.evolution.raced_all]
        self._generation = min((run.evolution.generation for run in going), default=0)
        self._members = [run for run in going if run.evolution.generation == self._generation]

    def _round_closed(self) -> bool:
        """True when every run of the round has closed its generation, nothing of the round left to do."""
        if self._joint is not None or self._extras is not None or self._driving is not None or self._drives_due():
            return False
        return self._members_closed()

    def _members_closed(self) -> bool:
        return all(not run.closing and run.evolution.generation > self._generation for run in self._members)

    def _drives_due(self) -> bool:
        """True when the champions' joint drives have not had their turn this round (their champions closed)."""
        shared = self._drives is not None and self._drives.active and not self.drives_at_end
        return shared and not self._drove and bool(self._members)

    def _next_round(self, in_background: bool = True) -> bool:
        """When the round under way has closed: after_round, then the next round's races start (on a thread for a
        large population when in_background), or, when every run has raced all, every run's last test drives.
        True if a round started or the end began."""
        if self._ending or not self._round_closed():
            return False
        if self._members:  # (none before the first round of a comparison resumed at its end)
            self.after_round()
        self._take_round()
        self._chunk = 1  # a column of a new race costs more than the last race's last
        self._drove = False
        if not self._members:
            self._ending = True
            self._stop_drives()  # each run's last drives are its own
            for run in self.runs:
                if not run.complete:
                    run.finish_drives()
            return True
        for run in list(self._members):
            self._unless_it_overflows(run, lambda run=run: run.start_race(in_background))
        return True

    # ---- racing --------------------------------------------------------------------------------------------
    def _race(self, budget: int | None, deadline: float | None, joined: bool) -> int:
        """Race the round up to `budget` columns until the deadline: as one race when joined and the races can be
        joined (all fresh, one track, one network shape), else side by side; returns the columns raced."""
        members = self._members
        if self._joint is None:
            if self._ending or self._extras is not None or any(run.preparing for run in members):
                return 0  # the round's races start together, when every one is ready
            racing = [run for run in members if run.racing]
            if not racing:
                return 0
            races = [run.race for run in racing]
            if joined and len(racing) == len(members) and can_join(races):
                self._joint = joint_race(races)
            else:
                taken = self._in_unison(races, budget, deadline)
                for run in racing:
                    if run.race.done:
                        run.close_race()
                return taken
        taken = self._in_unison([self._joint], budget, deadline)
        if self._joint.done:
            self._hand_out()
        return taken

    def _in_unison(self, races: list[Race], budget: int | None, deadline: float | None) -> int:
        """Step every race not done to the same column, at most `budget` columns further (None: to the end), in
        chunks until the deadline (a race behind the others catches up first); returns how far the front moved."""
        start = front = max(race.column for race in races)
        while before(deadline):
            live = [race for race in races if not race.done]
            left = None if budget is None else budget - (front - start)
            if not live or left == 0:
                break
            if deadline is None:
                for race in live:
                    race.run(None if left is None else front + left - race.column)
                front = max(race.column for race in races) if left is None else front + left
                continue
            chunk = self._chunk if left is None else min(self._chunk, left)
            began = time.perf_counter()
            for race in live:
                race.run(max(front + chunk - race.column, 0))
            front += chunk
            now = time.perf_counter()
            per_column = (now - began) / chunk
            room = deadline - now
            if room > 0:  # a chunk that ends the frame stays as it was for the next frame
                self._chunk = max(
                    1, min(2 * self._chunk, int(room / per_column) if per_column > 0 else 2 * self._chunk)
                )
        return front - start

    def _hand_out(self) -> None:
        """The done joint race split back run by run; the round's extra tracks raced as one next (if they can be)."""
        self._parts = split(self._joint, [run.race for run in self._members])
        self._joint = None
        self._extras = joint_extras([run.evolution for run in self._members])
        if self._extras is None:
            self._give()

    def _give(self) -> None:
        """Each run of the round takes its part of the joint race (and of the extra tracks) and closes it."""
        extras = self._extras.results() if self._extras is not None else [None] * len(self._members)
        for run, part, extra in zip(self._members, self._parts, extras):
            run.take_done_race(part, extra)
        self._extras, self._parts = None, []

    # ---- closing -------------------------------------------------------------------------------------------
    def _work(self, deadline: float | None) -> bool:
        """The closing work until the deadline: the round's extra tracks, every run's closing generation (in the
        order of the runs), the champions' joint drives; True if any was done."""
        worked = False
        if self._extras is not None:
            self._in_unison([self._extras.race], None, deadline)
            if self._extras.race.done:
                self._give()
            worked = True
        for run in list(self.runs):
            if before(deadline):
                worked = self._unless_it_overflows(run, lambda run=run: run.work(deadline)) or worked
        if self._drives_due() and self._members_closed():  # each run's champion on the test track, in one batch
            self._driving = self._drives.advance(STEPS_PER_GENERATION, self.slice_seconds)
            self._drove = True
        if self._driving is not None and before(deadline):
            worked = True
            try:
                while before(deadline):
                    next(self._driving)
            except StopIteration:
                self._driving = None
        return worked

    def _share_drives(self) -> None:
        """While joined, every run's champions drive the test track as one batch (a step of 20 dots costs about what
        a step of 10 does); not when a run has changed its network, or is at its end."""
        drives = [run.evolution.champion_drives for run in self.runs]
        if self._drives is not None and self._drives.active and self._drives.drives == drives:
            return
        self._stop_drives()
        layers = {run.evolution.network.layers for run in self.runs}
        if len(layers) == 1 and not self._ending and not any(run.evolution.raced_all for run in self.runs):
            self._drives = JointDrives(drives)
            self._drives.start()

    def _stop_drives(self) -> None:
        """The joint drives' batch under way finished now (with drives_at_end, at the end: every champion waiting,
        in one batch), and each run drives its own champions again."""
        if self._drives is not None:
            if self.drives_at_end and self._ending:
                self._drives.drive_all()
            self._driving = None
            self._drives.stop()
            self._drives = None

    # ---- a run that overflows ------------------------------------------------------------------------------
    def _unless_it_overflows(self, run: RunStepper, call: Callable[[], bool | None]) -> bool | None:
        """call() (a run's work, or its next race); with stop_alone, a NotFinite it raises stops that run alone at
        its last finite state (taken out of the lockstep, noted in stopped), and True is returned."""
        try:
            return call()
        except NotFinite as exc:
            if not self.stop_alone:
                raise
            run.abandon()
            self.stopped[self._index[id(run)]] = f"generation {run.evolution.generation}: {exc}"
            self.runs.remove(run)
            if run in self._members:
                self._members.remove(run)
            return True
