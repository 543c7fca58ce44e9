"""A scripted xdg-desktop-portal for tests: owns ``org.freedesktop.portal.Desktop`` on a
private session bus and implements the documented ``org.freedesktop.portal.RemoteDesktop``
conversation (``CreateSession``, ``SelectDevices``, ``ScreenCast.SelectSources``, ``Start``,
the ``Notify*`` input calls, ``Session.Close``), answering each request with its ``Response``
signal on the request path, as the real portal does.

Every call and event is written to the ``--log`` file as one JSON object a line, so a test can
check the conversation: ``{"call": "Start", "dialog": true, ...}`` (a consent dialog was shown;
``false`` when a valid restore token skipped it), ``{"call": "NotifyKeyboardKeysym",
"keysym": 110, "state": 1}``, ``{"event": "session_closed", "reason": "Close" | "owner
vanished" | "desktop", "held": [...]}`` (``held``: keysyms/buttons still down at that moment).

The "dialog" answers ``--answer grant`` or ``refuse``. Restore tokens the fake hands out are
valid once (the portal's rule), kept in ``--tokens`` (a file) so a restarted fake knows them.
A connection that vanishes (``NameOwnerChanged`` with no new owner) loses its sessions, as the
real portal does when the client dies. ``org.handcue.FakePortal.EndSessions`` makes the
"desktop" end every session (``Session.Closed`` signal), e.g. the user stopping the sharing.

Run: ``python -m tests.support.fake_portal --address ADDR --log FILE [--answer grant|refuse]
[--no-remote-desktop] [--no-persist] [--tokens FILE]``.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jeepney import DBusAddress, MessageType, new_error, new_method_return, new_signal
from jeepney.bus_messages import MatchRule, message_bus
from jeepney.io.blocking import open_dbus_connection
from jeepney.low_level import HeaderFields, Message

BUS_NAME = "org.freedesktop.portal.Desktop"
PATH = "/org/freedesktop/portal/desktop"
REMOTE_DESKTOP = "org.freedesktop.portal.RemoteDesktop"
SCREEN_CAST = "org.freedesktop.portal.ScreenCast"
SESSION = "org.freedesktop.portal.Session"
REQUEST = "org.freedesktop.portal.Request"
PROPERTIES = "org.freedesktop.DBus.Properties"
CONTROL = "org.handcue.FakePortal"
STREAM_NODE = 42
STREAM_POSITION = (0, 0)
STREAM_SIZE = (1920, 1080)


@dataclass
class Session:
    path: str
    owner: str
    devices: int = 0
    persist_mode: int = 0
    restore_token: str = ""
    sources: bool = False
    started: bool = False
    held: set[str] = field(default_factory=set)


class FakePortal:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.log_file = open(args.log, "a", encoding="utf-8")  # noqa: SIM115 - lives as long as the process
        self.conn = open_dbus_connection(args.address)
        self.sessions: dict[str, Session] = {}
        self.tokens_path = Path(args.tokens) if args.tokens else None

    # ------------------------------------------------------------------ bookkeeping

    def log(self, **entry: Any) -> None:
        self.log_file.write(json.dumps(entry) + "\n")
        self.log_file.flush()

    def valid_tokens(self) -> set[str]:
        if self.tokens_path is None or not self.tokens_path.exists():
            return set()
        return set(self.tokens_path.read_text().split())

    def set_tokens(self, tokens: set[str]) -> None:
        if self.tokens_path is not None:
            self.tokens_path.write_text("\n".join(sorted(tokens)) + "\n")

    # ------------------------------------------------------------------ D-Bus plumbing

    def reply(self, msg: Message, signature: str | None = None, body: tuple = ()) -> None:
        self.conn.send(new_method_return(msg, signature, body))

    def error(self, msg: Message, name: str, text: str) -> None:
        self.conn.send(new_error(msg, name, "s", (text,)))

    def respond(self, sender: str, handle: str, code: int, results: dict[str, Any]) -> None:
        signal = new_signal(DBusAddress(handle, interface=REQUEST), "Response", "ua{sv}",
                            (code, results))  # fmt: skip
        signal.header.fields[HeaderFields.destination] = sender
        self.conn.send(signal)

    def request_handle(self, sender: str, options: dict[str, Any]) -> str:
        token = options.get("handle_token", ("s", "t" + secrets.token_hex(4)))[1]
        return f"{PATH}/request/{sender.lstrip(':').replace('.', '_')}/{token}"

    def close_session(self, session: Session, reason: str, *, signal: bool = False) -> None:
        self.sessions.pop(session.path, None)
        self.log(event="session_closed", session=session.path, reason=reason,
                 held=sorted(session.held))  # fmt: skip
        if signal:
            closed = new_signal(DBusAddress(session.path, interface=SESSION), "Closed", "a{sv}",
                                ({},))  # fmt: skip
            closed.header.fields[HeaderFields.destination] = session.owner
            self.conn.send(closed)

    # ------------------------------------------------------------------ the service

    def run(self) -> None:
        self.conn.send_and_get_reply(message_bus.AddMatch(
            MatchRule(type="signal", interface="org.freedesktop.DBus", member="NameOwnerChanged")
        ))  # fmt: skip
        reply = self.conn.send_and_get_reply(message_bus.RequestName(BUS_NAME, 4))
        if reply.body[0] != 1:
            sys.exit(f"fake portal: could not own {BUS_NAME}")
        self.log(event="ready")
        while True:
            msg = self.conn.receive()
            kind = msg.header.message_type
            if kind == MessageType.signal:
                self.on_signal(msg)
            elif kind == MessageType.method_call:
                try:
                    self.on_call(msg)
                except Exception as exc:  # a fake's bug: answer it, do not hang the client
                    self.log(event="fake_error", error=repr(exc))
                    self.error(msg, "org.freedesktop.DBus.Error.Failed", repr(exc))

    def on_signal(self, msg: Message) -> None:
        if msg.header.fields.get(HeaderFields.member) != "NameOwnerChanged":
            return
        name, _old, new = msg.body
        if name.startswith(":") and not new:
            for session in [s for s in self.sessions.values() if s.owner == name]:
                self.close_session(session, "owner vanished")

    def on_call(self, msg: Message) -> None:
        fields = msg.header.fields
        interface = fields.get(HeaderFields.interface)
        member = fields.get(HeaderFields.member)
        path = fields.get(HeaderFields.path)
        sender = fields.get(HeaderFields.sender)
        if interface == PROPERTIES and member == "Get":
            self.get_property(msg, *msg.body)
        elif interface == CONTROL and member == "EndSessions":
            for session in list(self.sessions.values()):
                self.close_session(session, "desktop", signal=True)
            self.reply(msg)
        elif interface == SESSION and member == "Close":
            session = self.sessions.get(path)
            if session is None or session.owner != sender:
                self.error(msg, "org.freedesktop.DBus.Error.UnknownObject", f"no session {path}")
                return
            self.close_session(session, "Close")  # logged before the reply: tests read it then
            self.reply(msg)
        elif interface == REMOTE_DESKTOP and not self.args.no_remote_desktop:
            self.remote_desktop(msg, member, sender)
        elif interface == SCREEN_CAST and member == "SelectSources":
            session = self.own_session(msg, sender, msg.body[0])
            if session is None:
                return
            handle = self.request_handle(sender, msg.body[1])
            session.sources = True
            self.log(call="SelectSources", types=msg.body[1].get("types", ("u", 1))[1])
            self.reply(msg, "o", (handle,))
            self.respond(sender, handle, 0, {})
        else:
            self.error(msg, "org.freedesktop.DBus.Error.UnknownMethod",
                       f"no method {interface}.{member}")  # fmt: skip

    def get_property(self, msg: Message, interface: str, name: str) -> None:
        values = {
            (REMOTE_DESKTOP, "AvailableDeviceTypes"): ("u", 7),
            (REMOTE_DESKTOP, "version"): ("u", 2),
            (SCREEN_CAST, "version"): ("u", 5),
        }
        if interface == REMOTE_DESKTOP and self.args.no_remote_desktop:
            values = {}
        if (interface, name) not in values:
            self.error(msg, "org.freedesktop.DBus.Error.InvalidArgs",
                       f"No such interface “{interface}”")  # fmt: skip
            return
        self.reply(msg, "v", (values[(interface, name)],))

    def own_session(self, msg: Message, sender: str, path: str) -> Session | None:
        session = self.sessions.get(path)
        if session is None or session.owner != sender:
            self.error(msg, "org.freedesktop.portal.Error.InvalidArgument", f"no session {path}")
            return None
        return session

    def remote_desktop(self, msg: Message, member: str, sender: str) -> None:
        if member == "CreateSession":
            (options,) = msg.body
            handle = self.request_handle(sender, options)
            token = options.get("session_handle_token", ("s", "s" + secrets.token_hex(4)))[1]
            path = f"{PATH}/session/{sender.lstrip(':').replace('.', '_')}/{token}"
            self.sessions[path] = Session(path, sender)
            self.log(call="CreateSession", session=path, handle=handle)
            self.reply(msg, "o", (handle,))
            self.respond(sender, handle, 0, {"session_handle": ("o", path)})
            return
        session = self.own_session(msg, sender, msg.body[0])
        if session is None:
            return
        options = msg.body[1]
        if member == "SelectDevices":
            handle = self.request_handle(sender, options)
            session.devices = options.get("types", ("u", 7))[1]
            session.persist_mode = options.get("persist_mode", ("u", 0))[1]
            session.restore_token = options.get("restore_token", ("s", ""))[1]
            self.log(call="SelectDevices", types=session.devices,
                     persist_mode=session.persist_mode, restore_token=session.restore_token)  # fmt: skip
            self.reply(msg, "o", (handle,))
            self.respond(sender, handle, 0, {})
        elif member == "Start":
            self.start(msg, session, sender)
        elif member.startswith("Notify"):
            self.notify(msg, session, member)
        else:
            self.error(msg, "org.freedesktop.DBus.Error.UnknownMethod", f"no method {member}")

    def start(self, msg: Message, session: Session, sender: str) -> None:
        handle = self.request_handle(sender, msg.body[2])
        tokens = self.valid_tokens()
        restored = bool(session.restore_token) and session.restore_token in tokens
        if session.restore_token:
            tokens.discard(session.restore_token)  # single use, restored or not
        dialog = not restored
        answer = self.args.answer if dialog else "grant"
        self.log(call="Start", dialog=dialog, answer=answer, parent_window=msg.body[1])
        self.reply(msg, "o", (handle,))
        if answer == "refuse":
            self.set_tokens(tokens)
            self.respond(sender, handle, 1, {})
            self.close_session(session, "refused")
            return
        results: dict[str, Any] = {"devices": ("u", session.devices & 3)}
        if session.persist_mode == 2 and not self.args.no_persist:
            token = "tok-" + secrets.token_hex(8)
            tokens.add(token)
            results["restore_token"] = ("s", token)
        if session.sources:
            props = {"position": ("(ii)", STREAM_POSITION), "size": ("(ii)", STREAM_SIZE),
                     "source_type": ("u", 1)}  # fmt: skip
            results["streams"] = ("a(ua{sv})", [(STREAM_NODE, props)])
        self.set_tokens(tokens)
        session.started = True
        self.respond(sender, handle, 0, results)

    def notify(self, msg: Message, session: Session, member: str) -> None:
        if not session.started:
            self.error(msg, "org.freedesktop.portal.Error.Failed", "session not started")
            return
        args = msg.body[2:]
        entry: dict[str, Any] = {"call": member}
        if member in ("NotifyKeyboardKeysym", "NotifyKeyboardKeycode"):
            entry["keysym" if member.endswith("Keysym") else "keycode"] = args[0]
            entry["state"] = args[1]
            key = f"key:{args[0]}"
            (session.held.add if args[1] else session.held.discard)(key)
        elif member == "NotifyPointerButton":
            entry.update(button=args[0], state=args[1])
            key = f"button:{args[0]}"
            (session.held.add if args[1] else session.held.discard)(key)
        elif member == "NotifyPointerMotion":
            entry.update(dx=args[0], dy=args[1])
        elif member == "NotifyPointerMotionAbsolute":
            entry.update(stream=args[0], x=args[1], y=args[2])
        elif member == "NotifyPointerAxisDiscrete":
            entry.update(axis=args[0], steps=args[1])
        else:
            entry["args"] = list(args)
        self.log(**entry)
        self.reply(msg)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--address", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--answer", choices=("grant", "refuse"), default="grant")
    parser.add_argument("--tokens", default="")
    parser.add_argument("--no-remote-desktop", action="store_true")
    parser.add_argument("--no-persist", action="store_true")
    FakePortal(parser.parse_args(argv)).run()


if __name__ == "__main__":
    main()
