"""Take report jobs from the Redis list "reports" and log each one."""

import os

import redis


def main() -> None:
    queue = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))
    while True:
        _, job = queue.blpop("reports")
        print("rendering report", job.decode())


if __name__ == "__main__":
    main()
