"""Stand-ins under fixed names, so that pictures of the app stay the same from run to run.

The app shows the addresses it talks to (the Kapacitor URL is in every title bar), and
the stand-ins normally listen on random ports. Here each stand-in gets a fixed name and
port, such as ``http://kapacitor.test:9092``, and listens on that port at a loopback
address of its own chosen at random (127.x.y.z; Linux routes all of 127/8 to the loopback
interface). While `FixedNames` is active, ``socket.getaddrinfo`` answers those names with
those addresses, for the app, the stand-ins' own outgoing requests and the Telegram library
alike. Two test runs, or two pytest-xdist workers, never compete for one address and port.
"""
from __future__ import annotations

import random
import socket
from typing import Any


class FixedNames:
    """``.test`` names for loopback addresses; `bind(name)` gives a stand-in its (host, port)."""

    def __init__(self) -> None:
        self.addresses: dict[str, str] = {}
        self._real = socket.getaddrinfo
        self._random = random.Random()

    def address(self, name: str) -> str:
        if name not in self.addresses:
            taken = set(self.addresses.values())
            while True:
                address = "127.{}.{}.{}".format(*(self._random.randint(1, 254) for _ in range(3)))
                if address not in taken:
                    break
            self.addresses[name] = address
        return self.addresses[name]

    def bind(self, name: str, port: int) -> dict[str, Any]:
        """Keyword arguments for a stand-in: ``KapacitorFake(**names.bind("kapacitor.test", 9092))``."""
        return {"host": self.address(name), "port": port}

    def getaddrinfo(self, host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        return self._real(self.addresses.get(name, host), *args, **kwargs)

    def __enter__(self) -> FixedNames:
        socket.getaddrinfo = self.getaddrinfo  # type: ignore[assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        socket.getaddrinfo = self._real  # type: ignore[assignment]
