package slowtarget

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestHandlerAnswersHealthy(t *testing.T) {
	rec := httptest.NewRecorder()
	Handler(time.Millisecond).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/health?c=1", nil))
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	assert.JSONEq(t, `{"status":"healthy"}`, rec.Body.String())
}

// A client that gives up before the delay gets no answer, and the handler
// returns instead of waiting the delay out.
func TestHandlerStopsWhenTheClientGoesAway(t *testing.T) {
	req := httptest.NewRequest(http.MethodGet, "/health", nil)
	ctx, cancel := context.WithCancel(req.Context())
	cancel()
	rec := httptest.NewRecorder()
	Handler(time.Hour).ServeHTTP(rec, req.WithContext(ctx))
	assert.Empty(t, rec.Body.String())
}
