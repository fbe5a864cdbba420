package control

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
)

// pageNoRedirect lets a test see a 303 rather than follow it.
func pageNoRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func pageGet(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestLogPage(t *testing.T) {
	m := startMock(t, "")
	rcv := newAPIReceiver(t, http.StatusServiceUnavailable)
	app := apiCreateApp(t, m, rcv.URL)
	d := apiSendEvent(t, m, app.ID, `,"call":{"id":"call_page_1"}`)
	m.waitDelivery(t, d.ID)
	c := &http.Client{CheckRedirect: pageNoRedirect}

	tests := []struct {
		name, path string
		status     int
		want       []string
		not        []string
	}{
		{"overview", "/", 200, []string{`id="applications"`, app.ID, `id="deliveries"`, `class="delivery" data-id="` + d.ID + `"`, "call_page_1", `data-status="delivered"`}, nil},
		{"filter by call", "/?call_id=call_page_1", 200, []string{`data-id="` + d.ID + `"`, `value="call_page_1"`}, nil},
		{"filter excludes", "/?call_id=call_other", 200, []string{"No deliveries match."}, []string{`data-id="` + d.ID + `"`}},
		{"filter by status", "/?status=failed", 200, []string{"No deliveries match.", `<option value="failed" selected>`}, nil},
		{"bad status", "/?status=lost", 400, []string{`status &#34;lost&#34;`}, nil},
		{"delivery page", "/deliveries/" + d.ID, 200, []string{`id="attempts"`, `class="attempt" data-n="1"`, `class="attempt" data-n="2"`, "HTTP 503", "HTTP 200", `form class="resend" method="post" action="/deliveries/` + d.ID + `/resend"`, "call_page_1:call.created",
			`class="sent"`, "request headers", "X-Minivoice-Signature: v1="}, []string{"read-only"}}, // a page with a Resend button is not read-only
		{"unknown delivery", "/deliveries/dlv_nope", 404, []string{"dlv_nope"}, nil},
		{"unknown page", "/nothing", 404, []string{"No page at /nothing"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, html := pageGet(t, c, m.url+tt.path)
			if status != tt.status {
				t.Errorf("status %d, want %d", status, tt.status)
			}
			for _, w := range tt.want {
				if !strings.Contains(html, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, w := range append(tt.not, apiSecret, "<script") {
				if strings.Contains(html, w) {
					t.Errorf("page contains %q", w)
				}
			}
		})
	}
}

func TestLogPageResendForm(t *testing.T) {
	m := startMock(t, "")
	rcv := newAPIReceiver(t)
	app := apiCreateApp(t, m, rcv.URL)
	d := apiSendEvent(t, m, app.ID, "")
	m.waitDelivery(t, d.ID)
	c := &http.Client{CheckRedirect: pageNoRedirect}

	resp, err := c.PostForm(m.url+"/deliveries/"+d.ID+"/resend", url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/deliveries/") || loc == "/deliveries/"+d.ID {
		t.Fatalf("resend: %d Location %q, want 303 to the new delivery", resp.StatusCode, loc)
	}
	m.waitDelivery(t, strings.TrimPrefix(loc, "/deliveries/"))
	if n, _ := rcv.count(); n != 2 {
		t.Errorf("receiver saw %d requests, want 2", n)
	}

	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, m.url+"/deliveries/"+d.ID+"/resend", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site resend: %d, want 403", resp.StatusCode)
	}
}

func TestLogPageTokenCookie(t *testing.T) {
	m := startMock(t, "pagetoken")
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: pageNoRedirect}

	if status, html := pageGet(t, c, m.url+"/"); status != 401 || !strings.Contains(html, "/?token=") {
		t.Fatalf("without token: %d", status)
	}
	if status, _ := pageGet(t, c, m.url+"/?token=wrong"); status != 401 {
		t.Fatalf("wrong token: %d", status)
	}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, m.url+"/?status=pending&token=pagetoken", nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cookie := resp.Header.Get("Set-Cookie")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/?status=pending" ||
		!strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Strict") {
		t.Fatalf("token exchange: %d Location %q Set-Cookie %q", resp.StatusCode, resp.Header.Get("Location"), cookie)
	}
	if status, html := pageGet(t, c, m.url+"/?status=pending"); status != 200 || !strings.Contains(html, `id="deliveries"`) {
		t.Errorf("with cookie: %d", status)
	}
	resp, err = c.PostForm(m.url+"/deliveries/dlv_nope/resend", url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("resend with cookie reaches the engine: %d, want 404", resp.StatusCode)
	}
}
