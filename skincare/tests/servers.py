"""Local servers for tests of outbound timeouts."""

import socket
import threading
from contextlib import contextmanager


@contextmanager
def silent_tcp_server():
    """A TCP server on 127.0.0.1 that accepts connections and never answers (a hung SMTP or HTTP
    service); yields its port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    accepted, stop = [], threading.Event()

    def accept():
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for connection in accepted:
            connection.close()
        listener.close()
