"""Consume report jobs from Redis and write each report as a PDF."""

import os

import redis


def main() -> None:
    queue = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))
    while True:
        _, job = queue.blpop("reports")
        print("rendering report", job.decode())


if __name__ == "__main__":
    main()
