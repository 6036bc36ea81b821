// Command slowtarget is the load scripts' target: an HTTP server on the
// loopback interface whose every answer takes a fixed delay, like a
// health endpoint that has to ask its database. It stops by itself after
// --lifetime so a bench run can never leave it behind.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/golive/golive_exporter/scripts/bench.d/internal/slowtarget"
)

func main() {
	addr := flag.String("listen", "127.0.0.1:0", "loopback address to listen on")
	delay := flag.Duration("delay", 50*time.Millisecond, "how long every answer takes")
	lifetime := flag.Duration("lifetime", 10*time.Minute, "exit after this long")
	flag.Parse()
	host, _, err := net.SplitHostPort(*addr)
	if err != nil || !net.ParseIP(host).IsLoopback() {
		log.Fatalf("--listen %q: only loopback addresses", *addr)
	}
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	// The script reads the address from the first line.
	fmt.Println(l.Addr().String())
	go func() {
		time.Sleep(*lifetime)
		os.Exit(0)
	}()
	srv := &http.Server{
		ReadHeaderTimeout: 10 * time.Second,
		Handler:           slowtarget.Handler(*delay),
	}
	log.Fatal(srv.Serve(l))
}
