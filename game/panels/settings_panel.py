"""The settings panel (P): the lab in the window, made with pygame_gui (imported when the panel first opens).

A Panel in the layout's settings slot, over the right of the window (the track view's right part and the network
view; the race, the numbers and the chart stay in sight), drawn on top of the view's other parts; its update does
all of pygame_gui's work (layout, elements moved on), its drawing only shows what the update left. One row per
setting of Evolution.settings() (game/lab_actions.rows), so
a new setting appears without code here: its name, a control (− value +, or a drop-down, or the network's
layers with − and + neurons and ± a layer), and its caption with the value and its range, or why the strategy
that breeds the next generation cannot change it (the controls then disabled). A change is scheduled for the
next generation (lab_actions.change) and listed under "pending", where a click cancels it; below, the run as
one command line (shortened; the full line when the pointer rests on it), which C or a click copies.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pygame

from evolution.breeding.strategies import STRATEGIES
from evolution.run.settings import SETTINGS, SettingEvent
from game.drawing.assets import BOLD, REGULAR
from game.drawing.scale import Scale
from game.drawing.text import fit
from game.panels import lab_actions
from game.panels.lab_actions import Row
from game.panels.panel import Panel

if TYPE_CHECKING:
    from evolution.run.evolve import Evolution

FONT = 12
MAX_PENDING_SHOWN = 4
NEW_RANDOM = "a new random one"
TRACK_CHOICES = ("training", "test", NEW_RANDOM)


def wrap(text_font: pygame.font.Font, text: str, width: int) -> list[str]:
    """The text broken into lines of at most width pixels, at spaces (a word too long is shortened)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        trial = f"{line} {word}" if line else word
        if text_font.size(trial)[0] <= width or not line:
            line = trial
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return [fit(text_font, line, width) for line in lines]


def theme(scale: Scale) -> dict:
    """A light pygame_gui theme in the window's font (DejaVu Sans) and palette, at the window's scale."""
    size = str(scale.font_size(FONT))
    small = str(scale.font_size(FONT - 1))
    font = {"name": "dejavusans", "size": size, "regular_path": str(REGULAR), "bold_path": str(BOLD)}
    colours = {
        "dark_bg": "#FFFFFF",
        "normal_bg": "#ECECEA",
        "hovered_bg": "#D8E6F2",
        "disabled_bg": "#F4F4F2",
        "disabled_dark_bg": "#F4F4F2",
        "selected_bg": "#BFD9EE",
        "active_bg": "#BFD9EE",
        "normal_text": "#28282E",
        "hovered_text": "#000000",
        "selected_text": "#000000",
        "active_text": "#000000",
        "disabled_text": "#A8A8AE",
        "normal_border": "#C8C8C4",
        "hovered_border": "#148CC8",
        "disabled_border": "#E0E0DC",
        "selected_border": "#148CC8",
        "active_border": "#148CC8",
        "text_cursor": "#000000",
        "filled_bar": "#148CC8",
        "unfilled_bar": "#E0E0DC",
    }
    misc = {"border_width": "1", "shadow_width": "0", "shape": "rectangle", "text_horiz_alignment_padding": "4"}
    elements = ("button", "text_entry_line", "label", "drop_down_menu", "tool_tip", "text_box")
    return {
        "defaults": {"colours": colours, "misc": misc},
        **{element: {"font": font} for element in elements},
        "#caption": {"font": {**font, "size": small}, "colours": {"normal_text": "#60606A"}},
        "#why_not": {"font": {**font, "size": small}, "colours": {"normal_text": "#B04030"}},
        "#name": {"font": {**font, "bold": "1"}},
        "#title": {"font": {**font, "bold": "1"}},
        "label": {"font": font, "misc": {"text_horiz_alignment": "left"}},
        "tool_tip": {"font": {**font, "size": small}, "misc": {"rect_width": str(scale.px(380))}},
        "#up": {"font": font, "misc": {"expand_direction": "up"}},
    }


class SettingsPanel(Panel):
    """The lab's panel for one run (whatever run `get_evolution` gives: R may start another). `new_track_seed`
    draws the seed of "a new random one" (the view's G generator); `say` puts a line on screen."""

    slot = "settings"
    on_top = True  # over the track view and the network, after the view's other drawing

    def __init__(
        self,
        get_evolution: Callable[[], Evolution],
        new_track_seed: Callable[[], int],
        say: Callable[[str, bool], None],
    ) -> None:
        import pygame_gui  # noqa: F401  (lazily: the panel's first opening pays for it, not the start-up)

        self.get_evolution = get_evolution
        self.new_track_seed = new_track_seed
        self.say = say
        self.manager = None
        self._manager_scale: Scale | None = None
        self.rect = pygame.Rect(0, 0, 0, 0)
        self.actions: dict[Any, Callable[[Any], None]] = {}  # element -> what its event does
        self.controls: dict[str, list[Any]] = {}  # setting -> its controls (for tests and disabling)
        self.cancel_buttons: list[Any] = []
        self.captions: dict[str, str] = {}  # setting -> the caption shown under it
        self.command_button = None
        self._signature: Any = None
        self._line_generation: Any = None
        self._last = time.perf_counter()
        self._kept_offset: float | None = None  # the scroll of a panel released, for its next build

    @property
    def evolution(self) -> Evolution:
        return self.get_evolution()

    # ---- building ---------------------------------------------------------------------------
    def place(self, rect: pygame.Rect, scale: Scale) -> None:
        """Lay the panel out in its slot (rebuilt when the slot, the scale or the run's settings change)."""
        rows = lab_actions.rows(self.evolution)
        signature = (rect.size, scale, tuple(rows), tuple(self.evolution.scheduled_changes()), id(self.evolution))
        with warnings.catch_warnings():  # a label too small for its text (a tiny window) is shortened, not an error
            warnings.simplefilter("ignore", UserWarning)
            if signature != self._signature:
                self._build(rect, scale, rows)
                self._signature = signature
            self._refresh_line()

    def _build(self, rect: pygame.Rect, scale: Scale, rows: list[Row]) -> None:
        import pygame_gui
        from pygame_gui.elements import UIButton, UILabel, UIPanel, UIScrollingContainer

        offset = self._scroll_offset()
        self.rect = rect
        size = pygame.display.get_surface().get_size()
        if self.manager is None or self._manager_scale != scale:
            self.manager = pygame_gui.UIManager(size, theme(scale))
            self._manager_scale = scale
        else:
            self.manager.clear_and_reset()
            self.manager.set_window_resolution(size)
        self.actions, self.controls, self.cancel_buttons, self.captions = {}, {}, [], {}
        manager, s = self.manager, scale
        pad, line = s.px(6), s.line(FONT, at_least=22) + s.px(4)  # a control holds a line of text (the floor)
        panel = UIPanel(rect, starting_height=1, manager=manager)
        inner = pygame.Rect(0, 0, rect.width - 2 * pad, 0)
        evolution = self.evolution
        title = self._title(evolution)
        self.title = UILabel(
            pygame.Rect(pad, pad, inner.width, line), title, manager, container=panel, object_id="#title"
        )

        # the bottom: pending changes and the one command line
        pending = evolution.scheduled_changes()
        shown = pending[:MAX_PENDING_SHOWN]
        bottom_lines = 3 + max(len(shown), 1) + (len(pending) > len(shown))
        bottom_h = bottom_lines * (line + s.px(2)) + pad
        y = rect.height - bottom_h - s.px(6)
        heading = "pending (click one to cancel it)" if pending else "pending: nothing (the next generation as now)"
        heading = fit(s.font(FONT, bold=True), heading, inner.width - 8)
        UILabel(pygame.Rect(pad, y, inner.width, line), heading, manager, container=panel, object_id="#name")
        y += line + s.px(2)
        for change in shown:
            text = fit(s.font(FONT), f"✕ {lab_actions.pending_line(change)}", inner.width - 16)
            button = UIButton(pygame.Rect(pad, y, inner.width, line), text, manager, container=panel)
            self.actions[button] = lambda _event, change=change: self._cancel(change)
            self.cancel_buttons.append(button)
            y += line + s.px(2)
        if len(pending) > len(shown):
            more = f"and {len(pending) - len(shown)} more"
            UILabel(pygame.Rect(pad, y, inner.width, line), more, manager, container=panel, object_id="#caption")
            y += line + s.px(2)
        y += s.px(4)
        label = fit(s.font(FONT - 1), "the run as one command line (C or a click copies it):", inner.width - 8)
        UILabel(pygame.Rect(pad, y, inner.width, line), label, manager, container=panel, object_id="#caption")
        y += line
        self.command_button = UIButton(pygame.Rect(pad, y, inner.width, line), "", manager, container=panel)
        self.actions[self.command_button] = lambda _event: self.copy()
        self._line_generation = None

        # the settings, in a scrolling container between the title and the bottom
        top = pad + line + s.px(4)
        area = pygame.Rect(pad, top, inner.width, rect.height - bottom_h - top - s.px(10))
        scroller = UIScrollingContainer(area, manager, container=panel, allow_scroll_x=False)
        width = area.width - s.px(18) - 6  # room for the scroll bar
        y = 0
        for row in rows:
            y = self._row(scroller, row, y, width, s)
        scroller.set_scrollable_area_dimensions((width, y))
        self.scroller = scroller
        if offset and scroller.vert_scroll_bar is not None:
            scroller.vert_scroll_bar.set_scroll_from_start_percentage(offset)

    def release(self) -> None:
        """Kill every pygame_gui element of the panel (a drop-down open, a text field with the keyboard, a button
        under the pointer go with them); the next update builds the panel afresh, scrolled as it was."""
        if self.manager is None:
            return
        self._kept_offset = self._scroll_offset()
        self.manager.clear_and_reset()
        self.actions, self.controls, self.cancel_buttons = {}, {}, []
        self.scroller, self.command_button = None, None
        self._signature = None

    def _scroll_offset(self) -> float:
        if self._kept_offset is not None:
            kept, self._kept_offset = self._kept_offset, None
            return kept
        scroller = getattr(self, "scroller", None)
        bar = getattr(scroller, "vert_scroll_bar", None)
        return float(bar.start_percentage) if bar is not None else 0.0

    def _row(self, container, row: Row, y: int, width: int, s: Scale) -> int:
        """One setting's controls and caption from y; returns the y below them."""
        from pygame_gui.elements import UIButton, UIDropDownMenu, UILabel, UITextEntryLine

        manager, line, gap = self.manager, s.line(FONT, at_least=22) + s.px(4), s.px(2)
        name_w = int(width * 0.42)
        control = pygame.Rect(name_w, y, width - name_w, line)
        title = SETTINGS[row.name].title or row.name  # the setting in words; the name commands use is said below
        UILabel(pygame.Rect(0, y, name_w, line), title, manager, container=container, object_id="#name")
        controls: list[Any] = []
        if row.kind in ("int", "float"):
            small = line + s.px(2)
            minus = UIButton(pygame.Rect(control.x, y, small, line), "−", manager, container=container)
            entry_rect = pygame.Rect(control.x + small + gap, y, control.width - 2 * (small + gap), line)
            entry = UITextEntryLine(entry_rect, manager, container=container, initial_text=self._text(row))
            plus = UIButton(pygame.Rect(control.right - small, y, small, line), "+", manager, container=container)
            self.actions[minus] = lambda _e, name=row.name: self._step(name, -1)
            self.actions[plus] = lambda _e, name=row.name: self._step(name, +1)
            self.actions[entry] = lambda event, name=row.name: self._set(name, event.text)
            controls = [minus, entry, plus]
        elif row.kind in ("strategy", "track"):
            options = list(STRATEGIES) if row.kind == "strategy" else list(TRACK_CHOICES)
            current = str(row.value)
            if current not in options:
                options.insert(0, current)
            # in the lower half of the panel the options open upwards: below, the list of pending changes
            # (drawn over the rows) would hide them
            up = y > self.rect.height // 2
            menu = UIDropDownMenu(
                options, current, control, manager, container=container, object_id="#up" if up else None
            )
            self.actions[menu] = lambda event, name=row.name: self._choose(name, event.text)
            controls = [menu]
        elif row.kind == "layers":
            y, controls = self._layers_controls(container, row, control, s)
        y += line + gap
        font = s.font(FONT - 1)
        caption = row.caption if not row.changeable else f"{row.caption}"
        extra = []
        if row.range_text and row.changeable:
            extra.append(row.range_text)
        if row.pending is not None and row.now is None:  # a knob of the strategy pending: the run has none now
            extra.append(f"set at gen {row.pending.generation}")
        elif row.pending is not None:
            extra.append(f"now {lab_actions.format_value(row.name, row.now)}, changes at gen {row.pending.generation}")
        text = caption + (f" ({'; '.join(extra)})" if extra else "")
        self.captions[row.name] = text
        object_id = "#caption" if row.changeable else "#why_not"
        for part in wrap(font, f"[{row.name}] {text}", width):
            UILabel(pygame.Rect(0, y, width, font.get_linesize() + gap), part, manager, container=container,
                    object_id=object_id)  # fmt: skip
            y += font.get_linesize() + gap
        if not row.changeable:
            for element in controls:
                element.disable()
        self.controls[row.name] = controls
        return y + s.px(8)

    def _layers_controls(self, container, row: Row, control: pygame.Rect, s: Scale) -> tuple[int, list[Any]]:
        """− layer / + layer beside the name; below, each hidden layer's size with − and +."""
        from pygame_gui.elements import UIButton, UILabel

        manager, line, gap = self.manager, s.line(FONT, at_least=22) + s.px(4), s.px(2)
        half = (control.width - gap) // 2
        remove = UIButton(pygame.Rect(control.x, control.y, half, line), "− layer", manager, container=container)
        add = UIButton(
            pygame.Rect(control.x + half + gap, control.y, half, line), "+ layer", manager, container=container
        )
        self.actions[remove] = lambda _e: self._layers("remove")
        self.actions[add] = lambda _e: self._layers("add")
        controls = [remove, add]
        hidden = list(row.value[1:-1])
        y = control.y + line + gap
        x = 0
        group = s.px(112)
        small = line
        # as wide as its words in the caption's font, with pygame_gui's padding (4 each side) and border
        wide = max(s.px(60), s.font(FONT - 1).size("hidden:")[0] + 2 * 4 + 2 + s.px(2))
        label = UILabel(pygame.Rect(0, y, wide, line), "hidden:", manager, container=container, object_id="#caption")
        x = label.relative_rect.width
        for index, size in enumerate(hidden):
            if x + group > control.right:
                x, y = s.px(60), y + line + gap
            fewer = UIButton(pygame.Rect(x, y, small, line), "−", manager, container=container)
            UILabel(
                pygame.Rect(x + small, y, group - 2 * small - s.px(6), line), str(size), manager, container=container
            )
            more = UIButton(pygame.Rect(x + group - small - s.px(6), y, small, line), "+", manager, container=container)
            self.actions[fewer] = lambda _e, index=index: self._layers("fewer", index)
            self.actions[more] = lambda _e, index=index: self._layers("more", index)
            controls += [fewer, more]
            x += group
        if not hidden:
            UILabel(pygame.Rect(x, y, s.px(120), line), "none", manager, container=container, object_id="#caption")
        return y, controls

    @staticmethod
    def _text(row: Row) -> str:
        if row.value is None:
            return ""
        return f"{row.value:g}" if isinstance(row.value, float) else str(row.value)

    def _refresh_line(self) -> None:
        """The command line grows a generation at a time: its button's text follows without a rebuild."""
        evolution = self.evolution
        key = (evolution.generation, evolution.next_change_generation)
        if self.command_button is None or key == self._line_generation:
            return
        self._line_generation = key
        full = evolution.command_line()
        font = (self._manager_scale or Scale()).font(FONT)
        self.command_button.set_text(fit(font, full, self.command_button.relative_rect.width - 28))
        self.command_button.tool_tip_text = full
        self.title.set_text(self._title(evolution))

    def _title(self, evolution: Evolution) -> str:
        text = f"settings · from generation {lab_actions.next_generation(evolution)} · P closes"
        scale = self._manager_scale or Scale()
        return fit(scale.font(FONT, bold=True), text, self.rect.width - scale.px(12) - 8)

    # ---- what the controls do -----------------------------------------------------------------
    def _row_now(self, name: str) -> Row:
        return next(row for row in lab_actions.rows(self.evolution) if row.name == name)

    def _apply(self, name: str, value: Any) -> None:
        try:
            change = lab_actions.change(self.evolution, name, value)
        except ValueError as exc:
            self.say(str(exc), True)
            return
        if change is None:
            self.say(f"{name}: back to the run's value, nothing pending", False)
        else:
            self.say(f"{name} → {change.new} from generation {change.generation}", False)
        self._signature = None  # rebuilt on the next frame

    def _set(self, name: str, text: str) -> None:
        self._apply(name, text.strip())

    def _step(self, name: str, direction: int) -> None:
        row = self._row_now(name)
        if not row.changeable or row.value is None:  # a press on a control the panel has not yet disabled
            self.say(row.caption, True)
            return
        self._apply(name, lab_actions.stepped(row, direction))

    def _choose(self, name: str, text: str) -> None:
        if name == "track" and text == NEW_RANDOM:
            text = f"random:{self.new_track_seed()}"
        self._apply(name, text)

    def _layers(self, action: str, index: int = 0) -> None:
        self._apply("layers", lab_actions.layers_with(self._row_now("layers").value, action, index))

    def _cancel(self, change: SettingEvent) -> None:
        cancelled = lab_actions.cancel(self.evolution, change)
        if cancelled is None:
            self.say(f"too late to cancel: {change.setting} → {change.new} has applied", False)
        else:
            change, gone = cancelled
            also = f" and {', '.join(other.setting for other in gone)}, which went with it" if gone else ""
            self.say(f"cancelled: {change.setting} → {change.new} at generation {change.generation}{also}", False)
        self._signature = None

    def copy(self) -> None:
        _copied, message = lab_actions.copy_command(self.evolution)
        self.say(message, False)

    # ---- the frame ------------------------------------------------------------------------------
    def process_event(self, event: pygame.event.Event) -> bool:
        """Give pygame_gui the event, and act on its answers (a button pressed, …); True if the panel used it:
        keys while a text field is being typed in, clicks and wheels over the panel."""
        import pygame_gui

        if self.manager is None:
            return False
        if event.type in (
            pygame_gui.UI_BUTTON_PRESSED,
            pygame_gui.UI_DROP_DOWN_MENU_CHANGED,
            pygame_gui.UI_TEXT_ENTRY_FINISHED,
        ):
            action = self.actions.get(event.ui_element)
            if action is not None:
                action(event)
            else:  # a control's own part (a drop-down opens on its button's press): pygame_gui's to handle
                self.manager.process_events(event)
            return True
        used = self.manager.process_events(event)
        if event.type == pygame.KEYDOWN:
            return used or self.typing
        if event.type in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP, pygame.MOUSEWHEEL):
            position = pygame.mouse.get_pos() if event.type == pygame.MOUSEWHEEL else event.pos
            return used or self.rect.collidepoint(position)
        return used

    @property
    def typing(self) -> bool:
        """True while a text field of the panel has the keyboard."""
        from pygame_gui.elements import UITextEntryLine

        return any(isinstance(e, UITextEntryLine) and e.is_focused for row in self.controls.values() for e in row)

    def update(self, rect: pygame.Rect, scale: Scale) -> None:
        """The frame's update while the panel is open: laid out in its slot (place), and pygame_gui's
        elements moved on by the time since the last frame (hovering, a drop-down opening, a text cursor)."""
        self.place(rect, scale)
        now = time.perf_counter()
        self.manager.update(min(now - self._last, 0.1))
        self._last = now

    def draw(self, surface: pygame.Surface, rect: pygame.Rect, scale: Scale) -> None:
        """The panel as update() left it."""
        if self.manager is not None:
            self.manager.draw_ui(surface)

    def click(self, position: tuple[int, int], rect: pygame.Rect) -> bool:
        """A click over the panel is the panel's (pygame_gui has had it as an event): it never reaches the race."""
        return rect.collidepoint(position)
