package server

import (
	"crypto/subtle"
	"fmt"
	"net"
	"net/http"
	"strings"
)

// LocalHostOnly refuses a request whose Host header does not name the
// local machine when the server is bound to loopback without a token. A
// web page the user opens can make the browser send requests to a name it
// controls that resolves to 127.0.0.1 (DNS rebinding); those carry the
// page's own name as Host, so checking it keeps such pages out of the
// mock's control API and the inbox. A server bound beyond loopback takes
// any Host: it warns that it needs a token instead.
func LocalHostOnly(bound net.Addr, next http.Handler) http.Handler {
	if !IsLoopback(bound.String()) {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !localHost(r.Host) {
			WriteJSON(w, http.StatusMisdirectedRequest, Refusal{Error: fmt.Sprintf(
				"host %q: this server answers only requests addressed to the local machine (localhost, 127.0.0.1, [::1]); start it with a token to serve other names", r.Host)})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// localHost reports whether a Host header names the local machine.
func localHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// RequireToken refuses a request that carries neither "Authorization:
// Bearer <token>" nor "?token=<token>" (a webhook URL can carry the query,
// a sender cannot always add a header). The compare is constant-time.
func RequireToken(token string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.URL.Query().Get("token")
		if b, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			got = b
		}
		if subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="mvh"`)
			WriteJSON(w, http.StatusUnauthorized, Refusal{Error: "authorization: want \"Authorization: Bearer <token>\" or ?token=<token> with the server's --token"})
			return
		}
		next.ServeHTTP(w, r)
	})
}
