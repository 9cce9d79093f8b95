package main

import (
	"flag"
	"net/http"
	"os"
)

func main() {
	healthcheck := flag.Bool("healthcheck", false, "probe the local server and exit 0 when it answers")
	flag.Parse()

	if *healthcheck {
		response, err := http.Get("http://127.0.0.1:8080/healthz")
		if err != nil || response.StatusCode != http.StatusOK {
			os.Exit(1)
		}
		os.Exit(0)
	}

	http.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
	})
	http.ListenAndServe(":8080", nil)
}
