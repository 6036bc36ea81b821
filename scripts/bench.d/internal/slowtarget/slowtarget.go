// Package slowtarget is the load benchmarks' HTTP target: a handler whose
// every answer takes a fixed delay, like a health endpoint that has to ask
// its database. The benchmarks serve it on the loopback interface only.
package slowtarget

import (
	"fmt"
	"net/http"
	"time"
)

// Handler answers every request with a small JSON health document after
// delay, or not at all when the client gives up first.
func Handler(delay time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintln(w, `{"status":"healthy"}`)
	})
}
