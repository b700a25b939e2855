// A tiny HTTP server and client for the real-node cluster test (issue #17): built by
// scripts/cluster/build.sh node and packed into an image by test/cluster/oci-image.ts.
//
//	hello serve :8080        answers / with "hello from <hostname>", /ready with 200
//	                         once READY_AFTER (a duration) has passed since start
//	hello get URL [tries]    prints the body of URL, retrying a failed request once a second
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: hello serve ADDR | hello get URL [tries]")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "serve":
		serve(os.Args[2])
	case "get":
		tries := 30
		if len(os.Args) > 3 {
			tries, _ = strconv.Atoi(os.Args[3])
		}
		os.Exit(get(os.Args[2], tries))
	default:
		fmt.Fprintln(os.Stderr, "unknown command", os.Args[1])
		os.Exit(2)
	}
}

func serve(addr string) {
	host, _ := os.Hostname()
	start := time.Now()
	delay, _ := time.ParseDuration(os.Getenv("READY_AFTER"))
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello from %s\n", host)
	})
	http.HandleFunc("/ready", func(w http.ResponseWriter, r *http.Request) {
		if time.Since(start) < delay {
			http.Error(w, "not ready yet", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	fmt.Println("listening on", addr, "uid", os.Getuid())
	if err := http.ListenAndServe(addr, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func get(url string, tries int) int {
	client := &http.Client{Timeout: 5 * time.Second}
	for i := 1; ; i++ {
		resp, err := client.Get(url)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				fmt.Print(string(body))
				return 0
			}
			err = fmt.Errorf("%s", resp.Status)
		}
		fmt.Fprintf(os.Stderr, "try %d: %v\n", i, err)
		if i >= tries {
			return 1
		}
		time.Sleep(time.Second)
	}
}
