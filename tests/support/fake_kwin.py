"""A scripted KWin for tests: owns ``org.kde.KWin`` on a private session bus, accepts scripts
through ``/Scripting`` (``org.kde.kwin.Scripting``: ``loadScript(path, name) -> id``,
``start()``, ``unloadScript(name) -> b``, ``isScriptLoaded(name) -> b``) and really runs them,
in a JavaScript engine (Qt's QJSEngine) with a ``workspace`` object and ``callDBus`` as KWin
gives scripts: Plasma 6's ``workspace.windowActivated`` / ``activeWindow``, or with
``--plasma 5`` the older ``clientActivated`` / ``activeClient``. Windows have
``resourceClass``, ``resourceName``, ``caption``, ``pid`` and a ``captionChanged`` signal.

The test moves the focus through ``org.handcue.FakeKWin`` on ``/FakeKWin``:
``Activate(resourceClass, resourceName, caption, pid)``, ``SetCaption(caption)`` (of the active
window), ``Deactivate()`` (no active window). Calls are logged to ``--log`` (JSON lines):
``{"call": "loadScript", "name": ..., "script": TEXT}``, ``{"call": "unloadScript", ...}``,
``{"event": "callDBus", "service": ..., "method": ..., "args": [...]}``,
``{"event": "script_error", ...}``.

Run: ``python -m tests.support.fake_kwin --address ADDR --log FILE [--plasma 5|6]``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from jeepney import DBusAddress, MessageType, new_error, new_method_call, new_method_return
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection
from jeepney.low_level import HeaderFields, Message
from PySide6.QtCore import QCoreApplication, QObject, Slot
from PySide6.QtQml import QJSEngine

BUS_NAME = "org.kde.KWin"
SCRIPTING = "org.kde.kwin.Scripting"
CONTROL = "org.handcue.FakeKWin"

# KWin's scripting world, as far as HandCue's script uses it: signals with connect/disconnect,
# the workspace, windows, callDBus (variadic, forwarded to Python).
_PRELUDE = """
function __signal() {
    var handlers = [];
    return {
        connect: function (f) { handlers.push(f); },
        disconnect: function (f) {
            var i = handlers.indexOf(f);
            if (i < 0) throw new Error("not connected");
            handlers.splice(i, 1);
        },
        emit: function () {
            var args = arguments;
            handlers.slice().forEach(function (f) { f.apply(null, args); });
        }
    };
}
var workspace = {};
if (__plasma >= 6) {
    workspace.windowActivated = __signal();
    workspace.activeWindow = null;
} else {
    workspace.clientActivated = __signal();
    workspace.activeClient = null;
}
function callDBus(service, path, iface, method) {
    __bridge.callDBus(service, path, iface, method, Array.prototype.slice.call(arguments, 4));
}
function __activate(w) {
    if (w) w.captionChanged = __signal();
    if (__plasma >= 6) { workspace.activeWindow = w; workspace.windowActivated.emit(w); }
    else { workspace.activeClient = w; workspace.clientActivated.emit(w); }
}
function __setCaption(text) {
    var w = __plasma >= 6 ? workspace.activeWindow : workspace.activeClient;
    w.caption = text;
    w.captionChanged.emit();
}
"""


class Bridge(QObject):
    def __init__(self, kwin: FakeKWin) -> None:
        super().__init__()
        self._kwin = kwin

    @Slot(str, str, str, str, "QVariantList")
    def callDBus(self, service: str, path: str, iface: str, method: str, args: list) -> None:  # noqa: N802
        self._kwin.call_dbus(service, path, iface, method, list(args))


class FakeKWin:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.log_file = open(args.log, "a", encoding="utf-8")  # noqa: SIM115 - process lifetime
        self.conn = open_dbus_connection(args.address)
        self.scripts: dict[str, tuple[int, str]] = {}  # name -> (id, text)
        self.running: set[str] = set()
        self.next_id = 0
        self.app = QCoreApplication.instance() or QCoreApplication([])
        self.engines: dict[str, QJSEngine] = {}
        self.bridge = Bridge(self)

    def log(self, **entry: Any) -> None:
        self.log_file.write(json.dumps(entry) + "\n")
        self.log_file.flush()

    # ------------------------------------------------------------------ scripts

    def new_engine(self) -> QJSEngine:
        engine = QJSEngine()
        engine.globalObject().setProperty("__plasma", self.args.plasma)
        engine.globalObject().setProperty("__bridge", engine.newQObject(self.bridge))
        self.evaluate(engine, _PRELUDE, "prelude")
        return engine

    def evaluate(self, engine: QJSEngine, code: str, where: str) -> None:
        result = engine.evaluate(code, where)
        if result.isError():
            self.log(event="script_error", where=where, error=result.toString())

    def start_scripts(self) -> None:
        for name, (_sid, text) in self.scripts.items():
            if name in self.running:
                continue
            self.running.add(name)
            engine = self.new_engine()
            self.engines[name] = engine
            self.evaluate(engine, self.activation_code(self.active), name)  # the state before
            self.evaluate(engine, text, name)

    active: dict[str, Any] | None = None

    def activation_code(self, window: dict[str, Any] | None) -> str:
        return f"__activate({json.dumps(window)});"

    def activate(self, window: dict[str, Any] | None) -> None:
        self.active = window
        for name, engine in self.engines.items():
            self.evaluate(engine, self.activation_code(window), name)

    def call_dbus(self, service: str, path: str, iface: str, method: str, args: list) -> None:
        self.log(event="callDBus", service=service, path=path, interface=iface, method=method,
                 args=args)  # fmt: skip
        signature = "".join(
            "b" if isinstance(a, bool) else "i" if isinstance(a, int) else
            "d" if isinstance(a, float) else "s" for a in args
        )  # fmt: skip
        body = tuple(a if isinstance(a, (bool, int, float)) else str(a) for a in args)
        msg = new_method_call(DBusAddress(path, service, iface), method, signature or None, body)
        self.conn.send(msg)  # KWin's callDBus does not wait for the answer either

    # ------------------------------------------------------------------ D-Bus

    def run(self) -> None:
        reply = self.conn.send_and_get_reply(message_bus.RequestName(BUS_NAME, 4))
        if reply.body[0] != 1:
            sys.exit(f"fake kwin: could not own {BUS_NAME}")
        self.log(event="ready")
        while True:
            msg = self.conn.receive()
            if msg.header.message_type != MessageType.method_call:
                continue
            try:
                self.on_call(msg)
            except Exception as exc:
                self.log(event="fake_error", error=repr(exc))
                self.conn.send(new_error(msg, "org.freedesktop.DBus.Error.Failed", "s",
                                         (repr(exc),)))  # fmt: skip

    def on_call(self, msg: Message) -> None:
        fields = msg.header.fields
        interface, member = fields.get(HeaderFields.interface), fields.get(HeaderFields.member)
        path = fields.get(HeaderFields.path)
        if path == "/Scripting" and interface == SCRIPTING:
            self.scripting(msg, member)
        elif path == "/FakeKWin" and interface == CONTROL:
            if member == "Activate":
                cls, name, caption, pid = msg.body
                self.activate({"resourceClass": cls, "resourceName": name, "caption": caption,
                               "pid": pid})  # fmt: skip
            elif member == "SetCaption":
                for engine_name, engine in self.engines.items():
                    self.evaluate(engine, f"__setCaption({json.dumps(msg.body[0])});", engine_name)
                if self.active is not None:
                    self.active["caption"] = msg.body[0]
            elif member == "Deactivate":
                self.activate(None)
            self.conn.send(new_method_return(msg))
        else:
            self.conn.send(new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod", "s",
                                     (f"no {interface}.{member} at {path}",)))  # fmt: skip

    def scripting(self, msg: Message, member: str) -> None:
        if member == "loadScript":
            file_path, name = msg.body
            if name in self.scripts:
                self.conn.send(new_method_return(msg, "i", (-1,)))  # KWin: already loaded
                return
            text = Path(file_path).read_text(encoding="utf-8")
            self.next_id += 1
            self.scripts[name] = (self.next_id, text)
            self.log(call="loadScript", name=name, path=file_path, script=text)
            self.conn.send(new_method_return(msg, "i", (self.next_id,)))
        elif member == "start":
            self.log(call="start")
            self.conn.send(new_method_return(msg))
            self.start_scripts()
        elif member == "unloadScript":
            (name,) = msg.body
            found = self.scripts.pop(name, None) is not None
            self.running.discard(name)
            self.engines.pop(name, None)
            self.log(call="unloadScript", name=name, found=found)
            self.conn.send(new_method_return(msg, "b", (found,)))
        elif member == "isScriptLoaded":
            self.conn.send(new_method_return(msg, "b", (msg.body[0] in self.scripts,)))
        else:
            self.conn.send(new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod", "s",
                                     (f"no method {member}",)))  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--address", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--plasma", type=int, choices=(5, 6), default=6)
    FakeKWin(parser.parse_args(argv)).run()


if __name__ == "__main__":
    main()
