"""Server mode: how long the server takes to start, and its cost per request on loopback.

Run:  python benchmarks/bench_server.py [--quick] [--rounds N] [--calls N] [--starts K]

1. *Start*: ``python -m mock_ecs_deployments serve --port 0`` from process spawn to the printed
   banner (interpreter, imports, bind), then to the first answered ListServiceDeployments (moto
   builds its ECS application on the first ECS request), and SIGTERM to exit; and the first
   ``serve_in_thread`` of a process that imported the package (it imports moto's ECS).
   Medians of ``--starts`` runs.
2. *Per request*: a 20-item ListServiceDeployments against the mock's server in another process
   (so the client's and the server's work do not share one interpreter), against the floor: a
   werkzeug server of the same kind (threaded, same process) whose WSGI application answers
   every request with the mock's 20-item answer prebuilt, byte for byte. Measured with a boto3
   client, with ``requests`` (SigV4-signed per request), and with 4 boto3 clients on 4 threads.
   The difference is what moto's application and the mock add to a request on the wire.

No mock is active in this process: its clients carry no handler of the mock. The server
process reports how many requests its mock answered (``mock.calls``): each side is checked on
its own first (the floor must add none, the mock exactly one per request), then every round's
total, or the benchmark stops with an error. Both sides of each ratio are measured in the same
rounds, interleaved request by request (A, B, B, A ...; for the threads, burst by burst); the
median of the per-round ratios is reported, with their range, and requests per second from
the median time per request.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REGION = "us-east-1"
LIST_BODY = b'{"cluster":"prod","service":"web"}'
TARGET = "AmazonEC2ContainerServiceV20141113.ListServiceDeployments"
THREADS = 4


def client(endpoint: str, session: Any = None) -> Any:
    """A boto3 ECS client for a server, from a session that carries no handler of the mock
    (none is installed in this process)."""
    from bench_list import clean_session

    return (session or clean_session()).client(
        "ecs",
        region_name=REGION,
        endpoint_url=endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def floor_server(body: bytes) -> Any:
    """A werkzeug server like the mock's (threaded, quiet) whose application reads each
    request and answers it with ``body``; serving on a daemon thread."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    headers = [
        ("Content-Type", "application/x-amz-json-1.1"),
        ("x-amzn-RequestId", "0" * 36),
        ("Content-Length", str(len(body))),
    ]

    def application(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        environ["wsgi.input"].read(length)
        start_response("200 OK", headers)
        return [body]

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, *args: Any, **kwargs: Any) -> None:
            pass

    server = make_server("127.0.0.1", 0, application, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    return server


def child() -> None:
    """The server side: the mock's server seeded with 20 deployments and the floor's server,
    their URLs printed; then, for each line read, the number of requests the mock answered."""
    from mock_ecs_deployments import active_mock, serve_in_thread, service_deployment_backends
    from mock_ecs_deployments.protocol.dispatch import dispatch

    started = time.perf_counter()
    with serve_in_thread() as endpoint:
        ready = time.perf_counter() - started
        backend = service_deployment_backends["123456789012"][REGION]
        base = datetime(2025, 1, 1, tzinfo=timezone.utc)
        for minute in range(20):
            backend.add_deployment(
                service="web", cluster="prod", created_at=base + timedelta(minutes=minute)
            )
        # What the mock's server answers a 20-item ListServiceDeployments with.
        status, _, answer = dispatch("ListServiceDeployments", LIST_BODY, "123456789012", REGION)
        assert status == 200, answer
        floor = floor_server(answer.encode("utf-8"))
        host, port = floor.server_address[:2]
        print(endpoint, f"http://{host}:{port}", ready, flush=True)
        mock = active_mock()
        for _ in sys.stdin:  # until the parent closes it
            print(len(mock.calls), flush=True)
        floor.shutdown()


def start_times(starts: int) -> tuple[float, float, float]:
    """Median seconds: spawn to banner, spawn to first answer, spawn to exit after SIGTERM."""
    from botocore.exceptions import ClientError

    banner, first, stop = [], [], []
    for _ in range(starts):
        spawned = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "mock_ecs_deployments", "serve", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=ROOT,
        )
        assert process.stdout is not None
        endpoint = ""
        for line in process.stdout:
            if line.startswith("mock-ecs-deployments: serving"):
                endpoint = line.split()[-1]
            if line.startswith("Reset:"):
                break
        banner.append(time.perf_counter() - spawned)
        ecs = client(endpoint)
        with contextlib.suppress(ClientError):  # ClusterNotFoundException: it answered
            ecs.list_service_deployments(service="web")
        first.append(time.perf_counter() - spawned)
        stopping = time.perf_counter()
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
        assert process.returncode == 0, process.returncode
        stop.append(time.perf_counter() - stopping)
    return statistics.median(banner), statistics.median(first), statistics.median(stop)


class Child:
    """The server process: its two endpoints, and the count of requests its mock answered."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--child"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        assert self.process.stdout is not None and self.process.stdin is not None
        self.stdin, self.stdout = self.process.stdin, self.process.stdout
        self.mock_endpoint, self.floor_endpoint, ready = self.stdout.readline().split()
        self.ready = float(ready)

    def dispatches(self) -> int:
        self.stdin.write("calls\n")
        self.stdin.flush()
        return int(self.stdout.readline())

    def close(self) -> None:
        self.stdin.close()
        self.process.wait(timeout=30)


def raw_body(endpoint: str) -> bytes:
    """The body a server answers a 20-item ListServiceDeployments with."""
    from bench_list import raw_answer

    ecs = client(endpoint)
    return raw_answer(ecs, lambda: ecs.list_service_deployments(cluster="prod", service="web"))


def on_threads(calls: list[Callable[[], Any]], each: int) -> Callable[[], None]:
    """One call: ``each`` calls of every one of ``calls``, each on its own thread."""

    def burst() -> None:
        def work(call: Callable[[], Any]) -> None:
            for _ in range(each):
                call()

        workers = [threading.Thread(target=work, args=(call,)) for call in calls]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()

    return burst


def per_request(rounds: int, calls: int) -> None:
    import requests
    from bench_list import Side, compare, fail
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    server = Child()
    print(f"{'serve_in_thread: first start in a process (s)':52} {server.ready:8.2f}")
    try:
        mock_url, floor_url = server.mock_endpoint, server.floor_endpoint
        if raw_body(mock_url) != raw_body(floor_url):
            fail("the floor server's body is not the mock's")

        def report(what: str, a: Side, b: Side, calls: int, requests_per_call: int) -> None:
            ratio = compare(a, b, rounds, calls, server.dispatches)
            mock_us = ratio.a / requests_per_call * 1e6
            floor_us = ratio.b / requests_per_call * 1e6
            print(
                f"{what:52} mock {mock_us:7.0f} us ({1e6 / mock_us:5.0f} req/s), floor"
                f" {floor_us:7.0f} us ({1e6 / floor_us:5.0f} req/s), ratio {ratio.median:.2f}"
                f" (rounds {ratio.low:.2f}..{ratio.high:.2f})"
            )
            if ratio.median < 1.0:
                fail(f"{what}: the mock's server answered faster than the floor's")

        def boto3_call(url: str) -> Callable[[], Any]:
            ecs = client(url)
            return lambda: ecs.list_service_deployments(cluster="prod", service="web")

        report(
            "boto3, 20-item list, per request",
            Side(boto3_call(mock_url), 1),
            Side(boto3_call(floor_url), 0),
            calls,
            1,
        )

        credentials = Credentials("test", "test")

        def signed_call(url: str) -> Callable[[], Any]:
            session = requests.Session()

            def signed() -> None:
                request = AWSRequest(
                    method="POST",
                    url=url + "/",
                    data=LIST_BODY,
                    headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": TARGET},
                )
                SigV4Auth(credentials, "ecs", REGION).add_auth(request)
                response = session.post(url + "/", data=LIST_BODY, headers=dict(request.headers))
                if response.status_code != 200:
                    fail(f"{url} answered HTTP {response.status_code}")

            return signed

        report(
            "requests + SigV4, 20-item list, per request",
            Side(signed_call(mock_url), 1),
            Side(signed_call(floor_url), 0),
            calls,
            1,
        )
        each = max(1, calls // THREADS)
        mock_burst = on_threads([boto3_call(mock_url) for _ in range(THREADS)], each)
        floor_burst = on_threads([boto3_call(floor_url) for _ in range(THREADS)], each)
        report(
            f"{THREADS} threads x boto3, 20-item list, per request",
            Side(mock_burst, THREADS * each),
            Side(floor_burst, 0),
            1,
            THREADS * each,
        )
    finally:
        server.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer rounds and starts")
    parser.add_argument("--rounds", type=int, default=None, help="default 15 (quick: 5)")
    parser.add_argument(
        "--calls", type=int, default=None, help="requests per side per round: 40 (quick: 20)"
    )
    parser.add_argument("--starts", type=int, default=None, help="default 3 (quick: 1)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child()
        return
    rounds = args.rounds or (5 if args.quick else 15)
    calls = args.calls or (20 if args.quick else 40)
    banner, first, stop = start_times(args.starts or (1 if args.quick else 3))
    print(f"{'serve: spawn to banner (s)':52} {banner:8.2f}")
    print(f"{'serve: spawn to first answer (s)':52} {first:8.2f}")
    print(f"{'serve: SIGTERM to exit (s)':52} {stop:8.2f}")
    per_request(rounds, calls)


if __name__ == "__main__":
    main()
