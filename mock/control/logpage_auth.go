package control

import (
	"net/http"
)

// tokenCookie carries the --token for the log page, so a browser, which
// cannot send a bearer header on a plain link or form, stays signed in.
const tokenCookie = "mvh_token"

// pageAuth guards the log page when the server has a token. A browser opens
// /?token=T once: the token is moved into an HttpOnly, SameSite=Strict
// cookie and the URL is redirected without it, so it does not linger in the
// address bar or history. The bearer header works too, for scripts.
func (s *Server) pageAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.Token == "" || tokenEqual(bearer(r), s.cfg.Token) {
			next.ServeHTTP(w, r)
			return
		}
		if c, err := r.Cookie(tokenCookie); err == nil && tokenEqual(c.Value, s.cfg.Token) {
			next.ServeHTTP(w, r)
			return
		}
		q := r.URL.Query()
		if q.Has("token") && tokenEqual(q.Get("token"), s.cfg.Token) && r.Method == http.MethodGet {
			http.SetCookie(w, &http.Cookie{
				Name: tokenCookie, Value: s.cfg.Token, Path: "/",
				HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
			})
			q.Del("token")
			u := *r.URL
			u.RawQuery = q.Encode()
			http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
			return
		}
		s.renderMessage(w, http.StatusUnauthorized, "Token required",
			"This mock runs with --token: open /?token=<your token> once and this browser stays signed in.")
	})
}
