package main

import (
	"flag"
	"log"
	"net"
	"os"
	"time"
)

const socketPath = "/var/run/docker.sock"

func main() {
	check := flag.Bool("check", false, "exit 0 when the engine socket accepts a connection")
	flag.Parse()

	if *check {
		connection, err := net.DialTimeout("unix", socketPath, 2*time.Second)
		if err != nil {
			os.Exit(1)
		}
		connection.Close()
		os.Exit(0)
	}

	maxAge, err := time.ParseDuration(os.Getenv("JANITOR_MAX_AGE"))
	if err != nil {
		log.Fatalf("invalid JANITOR_MAX_AGE: %v", err)
	}
	log.Printf("pruning containers stopped for more than %s", maxAge)
}
