"""A bounded HTTP load from its own process: ``python bench/load.py PORT SECONDS THREADS FILE``.

FILE holds JSON: a list of requests, each a list of [headers, body] with the body in latin-1.
Each thread sends them in turn for SECONDS, one request per connection (gunicorn's sync
workers close the connection after each response), and times each from connect to the end
of the response. Prints one JSON object: requests, errors, seconds and every latency in µs.
Standard library only, raw sockets: the client must cost far less than the server.
"""

import json
import socket
import sys
import threading
import time


def _request_bytes(port: int, headers: dict[str, str], body: bytes) -> bytes:
    lines = [
        "POST /alexa HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        f"Content-Length: {len(body)}",
        "Connection: close",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def main() -> None:
    port, seconds, threads = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
    with open(sys.argv[4], encoding="utf-8") as file:  # noqa: PTH123
        raw = json.load(file)
    requests = [_request_bytes(port, h, b.encode("latin-1")) for h, b in raw]
    latencies: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker(offset: int) -> None:
        mine: list[int] = []
        bad: list[str] = []
        i = offset
        while time.perf_counter() < deadline:
            payload = requests[i % len(requests)]
            i += 1
            started = time.perf_counter_ns()
            with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
                connection.sendall(payload)
                chunks = []
                while chunk := connection.recv(65536):
                    chunks.append(chunk)
            mine.append((time.perf_counter_ns() - started) // 1000)
            answer = b"".join(chunks)
            if not answer.startswith(b"HTTP/1.1 200"):
                bad.append(answer[:300].decode("latin-1"))
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(n * 7,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    report = {
        "requests": len(latencies),
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
        "seconds": elapsed,
        "latencies_us": latencies,
    }
    sys.stdout.write(json.dumps(report) + "\n")


if __name__ == "__main__":
    main()
