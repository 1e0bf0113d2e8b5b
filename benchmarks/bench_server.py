"""Server mode: how long the server takes to start, and requests per second on loopback.

Run:  python benchmarks/bench_server.py [--seconds S] [--requests N] [--starts K]

1. *Start*: ``python -m mock_ecs_deployments serve --port 0`` from process spawn to the printed
   banner (interpreter, imports, bind), then to the first answered ListServiceDeployments (moto
   builds its ECS application on the first ECS request), and SIGTERM to exit; and the first
   ``serve_in_thread`` of a process that imported the package (it imports moto's ECS).
   Medians of ``--starts`` runs.
2. *Throughput*: a 20-item ListServiceDeployments against a server in another process (so the
   client's and the server's work do not share one interpreter), with a boto3 client, with
   ``requests`` (SigV4-signed per request), and with 4 boto3 clients on 4 threads; moto's own
   ListClusters on the same server for comparison. Each measure stops after ``--requests``
   requests or ``--seconds`` seconds, whichever comes first.
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


def client(endpoint: str, session: Any = None) -> Any:
    """A boto3 ECS client for the server (no mock is active in this process)."""
    import boto3

    return (session or boto3).client(
        "ecs",
        region_name=REGION,
        endpoint_url=endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def child() -> None:
    """The server side: serve in a thread, seed 20 deployments, print the URL, wait."""
    from mock_ecs_deployments import serve_in_thread, service_deployment_backends

    started = time.perf_counter()
    with serve_in_thread() as endpoint:
        ready = time.perf_counter() - started
        backend = service_deployment_backends["123456789012"][REGION]
        base = datetime(2025, 1, 1, tzinfo=timezone.utc)
        for minute in range(20):
            backend.add_deployment(
                service="web", cluster="prod", created_at=base + timedelta(minutes=minute)
            )
        print(endpoint, ready, flush=True)
        sys.stdin.read()  # until the parent closes it


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


def rate(call: Callable[[], Any], requests: int, seconds: float, threads: int = 1) -> float:
    """Requests per second over ``threads`` callers, bounded in count and time."""
    call()  # warm up
    deadline = time.perf_counter() + seconds
    counts = [0] * threads

    def work(index: int) -> None:
        while counts[index] < requests // threads and time.perf_counter() < deadline:
            call()
            counts[index] += 1

    started = time.perf_counter()
    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(counts) / (time.perf_counter() - started)


def throughput(requests_limit: int, seconds: float) -> dict[str, float]:
    import boto3
    import requests
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    server = subprocess.Popen(
        [sys.executable, __file__, "--child"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert server.stdout is not None and server.stdin is not None
    endpoint, ready = server.stdout.readline().split()
    results = {"serve_in_thread: first start in a process (s)": float(ready)}
    try:
        ecs = client(endpoint)
        page = ecs.list_service_deployments(cluster="prod", service="web")
        assert len(page["serviceDeployments"]) == 20
        results["boto3, 20-item list (req/s)"] = rate(
            lambda: ecs.list_service_deployments(cluster="prod", service="web"),
            requests_limit,
            seconds,
        )
        results["boto3, moto's ListClusters (req/s)"] = rate(
            ecs.list_clusters, requests_limit, seconds
        )
        credentials = Credentials("test", "test")
        session = requests.Session()
        body = '{"cluster":"prod","service":"web"}'

        def signed() -> None:
            request = AWSRequest(
                method="POST",
                url=endpoint + "/",
                data=body,
                headers={
                    "Content-Type": "application/x-amz-json-1.1",
                    "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.ListServiceDeployments",
                },
            )
            SigV4Auth(credentials, "ecs", REGION).add_auth(request)
            response = session.post(endpoint + "/", data=body, headers=dict(request.headers))
            assert response.status_code == 200

        results["requests + SigV4, 20-item list (req/s)"] = rate(signed, requests_limit, seconds)
        clients = threading.local()

        def threaded() -> None:
            if not hasattr(clients, "ecs"):
                clients.ecs = client(endpoint, boto3.session.Session())
            clients.ecs.list_service_deployments(cluster="prod", service="web")

        results["4 threads x boto3, 20-item list (req/s)"] = rate(
            threaded, requests_limit, seconds, threads=4
        )
    finally:
        server.stdin.close()
        server.wait(timeout=30)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="limit per measure")
    parser.add_argument("--requests", type=int, default=2000, help="limit per measure")
    parser.add_argument("--starts", type=int, default=3, help="server starts to time")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child()
        return
    banner, first, stop = start_times(args.starts)
    print(f"{'serve: spawn to banner (s)':45} {banner:8.2f}")
    print(f"{'serve: spawn to first answer (s)':45} {first:8.2f}")
    print(f"{'serve: SIGTERM to exit (s)':45} {stop:8.2f}")
    for name, value in throughput(args.requests, args.seconds).items():
        print(f"{name:45} {value:8.2f}" if "(s)" in name else f"{name:45} {value:8.0f}")


if __name__ == "__main__":
    main()
