package reporters

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/minivoice/mvh/loadgen"
	mvhspec "github.com/minivoice/mvh/spec"
)

// TestBrowserLoadPage renders mvh load's --html page (package loadgen) the page of a real run (with a lossy
// receiver, so the accounting has something to say) in headless Chromium:
// both charts are drawn from the run's numbers, the tables are there, and
// the page loads nothing from anywhere.
func TestBrowserLoadPage(t *testing.T) {
	ctx := browser(t)
	r := lossyLoad(t)
	var page bytes.Buffer
	if err := r.WriteHTML(&page); err != nil {
		t.Fatal(err)
	}
	for _, external := range []string{"<script", "src=", "href=", "@import", "url("} {
		if strings.Contains(page.String(), external) {
			t.Errorf("page has %q: it must be self-contained", external)
		}
	}
	file := filepath.Join(t.TempDir(), "load.html")
	if err := os.WriteFile(file, page.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+file)); err != nil {
		t.Fatal(err)
	}
	verdict := evalJS[string](t, ctx, `document.getElementById("verdict").innerText`)
	accounting := evalJS[string](t, ctx, `document.getElementById("accounting").innerText`)
	series := evalJS[int](t, ctx, `document.querySelectorAll("svg polyline").length`)
	points := evalJS[int](t, ctx, `document.querySelector('svg polyline[data-series="p99"]').points.length`)
	resources := evalJS[int](t, ctx, `performance.getEntriesByType("resource").length`)
	svgWidth := evalJS[int](t, ctx, `Math.round(document.querySelector("svg").getBoundingClientRect().width)`)
	if verdict != "fail" || !strings.Contains(accounting, "lost") {
		t.Errorf("verdict %q, accounting %q: want fail with the lost events counted", verdict, accounting)
	}
	if series != 4 || points != len(r.Timeline) || resources != 0 || svgWidth < 100 {
		t.Errorf("%d series (want 3 over time + 1 distribution), %d points of p99 over time (want %d windows), %d resources fetched, svg %d px wide",
			series, points, len(r.Timeline), resources, svgWidth)
	}
}

// lossyLoad is a two-second run against a receiver on loopback that
// acknowledges every delivery and forgets every tenth.
func lossyLoad(t *testing.T) *loadgen.Result {
	t.Helper()
	var mu sync.Mutex
	records, seen := map[string]int{}, 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var env struct {
			Data struct {
				EventKey string `json:"event_key"`
			}
		}
		_ = json.NewDecoder(r.Body).Decode(&env)
		mu.Lock()
		defer mu.Unlock()
		if seen++; seen%10 != 0 {
			records[env.Data.EventKey]++
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	s, err := mvhspec.Default()
	if err != nil {
		t.Fatal(err)
	}
	events := []string{"call.created"}
	bodies, err := loadgen.Bodies(s, events, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	r, err := loadgen.Run(context.Background(), loadgen.Options{URL: srv.URL, Secret: "whsec_minivoice_test",
		Rate: 100, Duration: 2 * time.Second, Events: events, Body: bodies})
	if err != nil {
		t.Fatal(err)
	}
	counts := loadgen.CounterFunc(func(context.Context) (map[string]int, error) {
		mu.Lock()
		defer mu.Unlock()
		return maps.Clone(records), nil
	})
	if err := loadgen.Account(context.Background(), r, counts, time.Second, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	return r
}
