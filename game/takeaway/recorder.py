"""Recording the window to an MP4 or an animated GIF, encoded off the frame: the window only copies its pixels.

Each recorded frame's pixels are handed to a worker thread, which feeds them to ffmpeg (imageio's ffmpeg pair,
imported when a recording starts) running as a process of its own, so the window keeps its frame rate. The
file is written under a hidden name and renamed into place when the recording ends whole; a full disk or an
encoder that fails ends the recording with a message (error), never the run, and leaves no torn file.
A GIF takes every third frame (20 a second) at half the window's size, and stops after MAX_GIF_SECONDS: ffmpeg
holds a GIF's frames until the end to choose its colours.
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
from pathlib import Path

import pygame

FPS = 60  # the window's frames a second: an MP4 plays them at this rate
GIF_EVERY = 3  # a GIF keeps every third frame: 20 a second
GIF_SCALE = 0.5
MAX_GIF_SECONDS = 30
FULL_BYTES = 1 << 20  # less room than this where the file goes: a failed encoder is said as a full disk
QUEUE_FRAMES = 16  # frames waiting for the encoder; beyond, a live recording skips frames rather than stall
STOP = None


def output_size(size: tuple[int, int], gif: bool) -> tuple[int, int]:
    """The recording's width and height for a window of `size`: even (as video encoders need), halved for a GIF."""
    scale = GIF_SCALE if gif else 1.0
    return tuple(max(2, int(side * scale) // 2 * 2) for side in size)  # type: ignore[return-value]


def expected_frames(frames: int, gif: bool) -> int:
    """How many frames a recording of `frames` window frames holds."""
    if not gif:
        return frames
    return min((frames + GIF_EVERY - 1) // GIF_EVERY, MAX_GIF_SECONDS * FPS // GIF_EVERY)


class Recorder:
    """One recording: capture() after each drawn frame, stop() at the end (waits for the encoder to finish).

    scripted: every frame is kept, the window waiting for the encoder if need be (--record); otherwise frames
    the encoder has no room for are skipped (counted in dropped) so the window never waits.
    """

    def __init__(self, path: Path, size: tuple[int, int], scripted: bool = False) -> None:
        self.path = Path(path)
        self.gif = self.path.suffix.lower() == ".gif"
        self.size = output_size(size, self.gif)
        self.every = GIF_EVERY if self.gif else 1
        self.fps = FPS / self.every
        self.limit = MAX_GIF_SECONDS * FPS // GIF_EVERY if self.gif else None
        self.scripted = scripted
        self.temp = self.path.with_name(f".{self.path.stem}.part{self.path.suffix}")
        self.error: str | None = None  # why the recording stopped early, in words for the screen
        self.frames = 0  # frames handed to the encoder
        self.dropped = 0
        self.full = False  # a GIF that reached its length
        self._seen = 0
        self._stopped = False
        self._queue: queue.Queue = queue.Queue(maxsize=QUEUE_FRAMES)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = self._open()  # in this thread: a missing ffmpeg or a folder that cannot be written says so now
        self._thread = threading.Thread(target=self._work, name="neuroracer-recorder", daemon=True)
        self._thread.start()

    def _open(self):
        import imageio_ffmpeg

        if self.gif:
            codec, pix_fmt, quality = "gif", "pal8", None
            params = ["-filter_complex", "split[a][b];[a]palettegen=stats_mode=diff[p];[b][p]paletteuse=dither=bayer"]
            params += ["-f", "gif"]
        else:
            codec, pix_fmt, quality, params = "libx264", "yuv420p", 7, ["-f", "mp4"]
        writer = imageio_ffmpeg.write_frames(
            str(self.temp),
            self.size,
            fps=self.fps,
            codec=codec,
            pix_fmt_in="rgb24",
            pix_fmt_out=pix_fmt,
            quality=quality,
            macro_block_size=1,
            output_params=params,
            ffmpeg_log_level="quiet",  # its complaints would reach the terminal: what failed is said on screen
            ffmpeg_timeout=0,  # on stop, wait for ffmpeg to finish the file (a GIF is made at the end)
        )
        writer.send(None)  # starts ffmpeg
        return writer

    @property
    def running(self) -> bool:
        return not self._stopped and self.error is None and not self.full

    def capture(self, surface: pygame.Surface) -> None:
        """Copy the frame just drawn for the encoder (every frame of an MP4, every third of a GIF)."""
        if not self.running:
            return
        self._seen += 1
        if (self._seen - 1) % self.every:
            return
        if surface.get_size() != self.size:  # a GIF, or a window resized or of odd size since the start
            surface = pygame.transform.smoothscale(surface.convert(24) if surface.get_bitsize() < 24 else surface,
                                                   self.size)  # fmt: skip
        data = pygame.image.tobytes(surface, "RGB")
        if self.scripted:
            while self.error is None:
                try:
                    self._queue.put(data, timeout=0.1)
                    break
                except queue.Full:
                    continue
        else:
            try:
                self._queue.put_nowait(data)
            except queue.Full:
                self.dropped += 1
                return
        self.frames += 1
        if self.limit is not None and self.frames >= self.limit:
            self.full = True

    def _work(self) -> None:
        while True:
            data = self._queue.get()
            if data is STOP:
                return
            if self.error is not None:
                continue  # the encoder failed: frames still queued are let go
            try:
                self._writer.send(data)
            except Exception as exc:  # a full disk, ffmpeg gone: the recording stops, the run goes on
                self.error = self._failure(exc)

    def stop(self) -> Path | None:
        """End the recording: the encoder finishes, and the file is renamed into place. Returns the file, or None
        (error says why) if it could not be made whole."""
        if self._stopped:
            return None if self.error else self.path
        self._stopped = True
        self._queue.put(STOP)
        self._thread.join()
        try:
            self._writer.close()  # ffmpeg writes the rest (a GIF's all of it) and ends
        except Exception as exc:
            self.error = self.error or self._failure(exc)
        if self.error is None and self.frames == 0:
            self.error = "no frame was recorded"
        if self.error is None and not whole(self.temp, self.gif):  # ffmpeg ended without finishing the file
            self.error = self._failure(None)
        if self.error is None:
            try:
                os.replace(self.temp, self.path)
                return self.path
            except OSError as exc:
                self.error = f"could not be written ({exc.strerror or exc})"
        with contextlib.suppress(OSError):
            self.temp.unlink()
        return None

    def _failure(self, exc: BaseException | None) -> str:
        """Why the encoder failed, in words: a full disk (little room left where the file goes) is named."""
        try:
            stats = os.statvfs(self.temp.parent)
            full = stats.f_bavail * stats.f_frsize < FULL_BYTES
        except OSError:
            full = False
        if full:
            return "the disk is full"
        if exc is None:
            return "the encoder did not finish the file"
        return f"the encoder stopped ({type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''})"


def whole(path: Path, gif: bool) -> bool:
    """True if the file ends as a finished file does: a GIF with its trailer; an MP4 whose top-level boxes run
    to its end, its index (moov) among them."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as stream:
            if gif:
                stream.seek(max(size - 1, 0))
                return size > 0 and stream.read(1) == b";"
            position, boxes = 0, set()
            while position < size:
                stream.seek(position)
                header = stream.read(16)
                if len(header) < 8:
                    return False
                length, kind = int.from_bytes(header[:4], "big"), header[4:8]
                if length == 1:  # a 64-bit size follows
                    length = int.from_bytes(header[8:16], "big")
                if length < 8:
                    return False
                boxes.add(kind)
                position += length
            return position == size and b"moov" in boxes
    except OSError:
        return False
